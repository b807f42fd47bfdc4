//! What a relative link in a document points at. `check` reports links that point at
//! nothing; `render` rewrites the rest to page URLs. One resolver, so the two never disagree.

use crate::load::files::inside_content;
use crate::load::{Site, each_record_file};
use crate::sources::FileId;
use std::collections::HashMap;
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
    by_path: HashMap<PathBuf, &'a str>,
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
                Some((path.to_path_buf(), id))
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
        if path.is_empty() {
            let id = self
                .by_path
                .get(source.strip_prefix("content").unwrap_or(source));
            let target = id.map_or(Target::Unloaded, |id| Target::Record(id));
            return Ok(Some(Resolved { target, anchor }));
        }
        let folder = source
            .parent()
            .and_then(|p| p.strip_prefix("content").ok())
            .unwrap_or(Path::new(""));
        let joined = folder.join(percent_decode(path));
        let relative = inside_content(&joined.to_string_lossy())
            .ok_or_else(|| format!("`{path}` leads outside content/"))?;
        let target = if let Some(id) = self.by_path.get(&relative) {
            Target::Record(id)
        } else if self
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
    fn percent_escapes_are_decoded() {
        assert_eq!(percent_decode("my%20file.md"), "my file.md");
        assert_eq!(percent_decode("100%"), "100%");
    }
}
