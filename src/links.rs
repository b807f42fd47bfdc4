//! What a relative link in a document points at. `check` reports links that point at
//! nothing; `render` rewrites the rest to page URLs. One resolver, so the two never disagree.

use crate::hash::HashMap;
use crate::load::files::inside_content;
use crate::load::{Site, each_record_file};
use crate::sources::FileId;
use std::path::{Path, PathBuf};

#[derive(Debug, PartialEq)]
pub enum Target<'a> {
    /// A record, by id.
    Record(&'a str),
    /// A file under `content/assets/`, by its path under `content/`.
    Asset(PathBuf),
    /// A source that failed to load, already reported.
    Unloaded,
    /// The site's home page, written `/`.
    Home,
}

/// A resolved link: what it points at, and the `#anchor` if any (percent-decoded).
#[derive(Debug)]
pub struct Resolved<'a> {
    pub target: Target<'a>,
    pub anchor: String,
}

pub struct Resolver<'a> {
    site: &'a Site,
    /// Records by their path under `content/`, written with `/` (see `key_of`): hashing a
    /// string is several times cheaper than hashing a `Path`, and every link of every
    /// document is resolved on each build.
    by_path: HashMap<String, &'a str>,
}

/// A path under `content/` as `by_path` knows it: its parts joined by `/`.
fn key_of(path: &Path) -> String {
    let parts: Vec<_> = path
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect();
    parts.join("/")
}

/// The folder of a source (a `/`-separated path such as `content/policies/a.md`) under
/// `content/`, as `Path::parent` and `strip_prefix("content")` find it; `""` when the
/// source is not under `content/`.
fn folder_under_content(source: &str) -> &str {
    let parent = source.rsplit_once('/').map_or("", |(parent, _)| parent);
    if parent == "content" {
        ""
    } else {
        parent.strip_prefix("content/").unwrap_or("")
    }
}

/// `folder/path` (both `/`-separated, `folder` under `content/`) with `.` and `..` worked
/// out, as `inside_content` does for a `Path`; `None` when it leads outside `content/`.
/// Only for text without `\\`, which a `Path` may read as a separator.
fn join_inside(folder: &str, path: &str) -> Option<String> {
    if path.starts_with('/') {
        return None;
    }
    let mut parts: Vec<&str> = Vec::new();
    for part in folder.split('/').chain(path.split('/')) {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            part => parts.push(part),
        }
    }
    Some(parts.join("/"))
}

/// Links with a scheme (`https:`, `mailto:`) or to another host (`//host/…`) are left alone.
pub fn is_external(dest: &str) -> bool {
    let scheme = dest.split_once(':').map(|(s, _)| s);
    dest.starts_with("//")
        || scheme.is_some_and(|s| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        })
}

/// `%20` and friends decoded; a `%` that starts no escape stays as it is.
pub fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

impl<'a> Resolver<'a> {
    pub fn new(site: &'a Site) -> Self {
        let by_path = each_record_file(site)
            .filter_map(|(id, file)| {
                let path = site.sources.path(file).strip_prefix("content").ok()?;
                Some((key_of(path), id))
            })
            .collect();
        Resolver { site, by_path }
    }

    /// `Ok(None)` for an external link; `Err` says why a relative one leads nowhere.
    pub fn resolve(&self, from: FileId, dest: &str) -> Result<Option<Resolved<'a>>, String> {
        if is_external(dest) {
            return Ok(None);
        }
        let (path, anchor) = dest.split_once('#').unwrap_or((dest, ""));
        let anchor = percent_decode(anchor);
        // `/` is the home page of whichever site the page is on: links stay relative.
        if path == "/" {
            return Ok(Some(Resolved {
                target: Target::Home,
                anchor,
            }));
        }
        let source = self.site.sources.path(from);
        // The source's path as text where it can be: `Path`'s own methods walk it part by
        // part, once for each of the site's links.
        let plain = source.to_str().filter(|s| !s.contains('\\'));
        if path.is_empty() {
            let own = match plain {
                Some(source) => source
                    .strip_prefix("content/")
                    .unwrap_or(source)
                    .to_string(),
                None => key_of(source.strip_prefix("content").unwrap_or(source)),
            };
            let id = self.by_path.get(&own);
            let target = id.map_or(Target::Unloaded, |id| Target::Record(id));
            return Ok(Some(Resolved { target, anchor }));
        }
        let decoded = percent_decode(path);
        let joined = match plain {
            Some(source) if !decoded.contains('\\') => {
                join_inside(folder_under_content(source), &decoded)
            }
            _ => {
                let folder = (source.parent())
                    .and_then(|p| p.strip_prefix("content").ok())
                    .unwrap_or(Path::new(""));
                inside_content(&folder.join(&decoded).to_string_lossy()).map(|p| key_of(&p))
            }
        };
        let key = joined.ok_or_else(|| format!("`{path}` leads outside content/"))?;
        if let Some(id) = self.by_path.get(&key) {
            return Ok(Some(Resolved {
                target: Target::Record(id),
                anchor,
            }));
        }
        let relative = PathBuf::from(key);
        let target = if self
            .site
            .unloaded_paths
            .contains(&Path::new("content").join(&relative))
        {
            Target::Unloaded
        } else {
            let full = self.site.content.join(&relative);
            if relative.starts_with("assets") && full.is_file() {
                Target::Asset(relative)
            } else if full.exists() {
                return Err(format!(
                    "`{path}` is not a policy, page, record or asset (assets live in content/assets/)"
                ));
            } else {
                return Err(format!("`{path}` does not exist"));
            }
        };
        Ok(Some(Resolved { target, anchor }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn external_links_are_recognised() {
        assert!(is_external("https://example.com"));
        assert!(is_external("mailto:a@b.c"));
        assert!(is_external("//cdn.example.com/x.js"));
        assert!(!is_external("../policies/data.md"));
        assert!(!is_external("data.md#a:b"));
    }

    #[test]
    fn joined_paths_stay_inside_content_as_paths_do() {
        for (folder, path) in [
            ("policies", "other.md"),
            ("policies", "../controls/a.yaml"),
            ("policies", "./x/../y.md"),
            ("policies", "a//b.md"),
            ("policies", "../../etc/passwd"),
            ("policies", "/etc/passwd"),
            ("", "../x.md"),
            ("", "x.md"),
            ("policies", ".."),
            ("policies", "sub/."),
        ] {
            let by_path =
                inside_content(&Path::new(folder).join(path).to_string_lossy()).map(|p| key_of(&p));
            assert_eq!(join_inside(folder, path), by_path, "{folder} + {path}");
        }
    }

    #[test]
    fn a_source_s_folder_is_found_as_paths_find_it() {
        for source in [
            "content/policies/a.md",
            "content/a.md",
            "a.md",
            "other/a.md",
            "contentx/a.md",
            "content/policies/a.md@1234abc",
            "content/a/b/c.md",
        ] {
            let by_path = (Path::new(source).parent())
                .and_then(|p| p.strip_prefix("content").ok())
                .unwrap_or(Path::new(""));
            assert_eq!(folder_under_content(source), key_of(by_path), "{source}");
        }
    }

    #[test]
    fn percent_escapes_are_decoded() {
        assert_eq!(percent_decode("my%20file.md"), "my file.md");
        assert_eq!(percent_decode("100%"), "100%");
    }
}
