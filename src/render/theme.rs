//! The theme: templates and static files. The built-in theme (`themes/default/`) is compiled
//! into the binary; a site's `themes/<name>/` overrides it one file at a time, so a site
//! that changes one template keeps every other file current with new releases.

use include_dir::{Dir, include_dir};
use minijinja::{Environment, Error, ErrorKind, Value};
use std::fs;
use std::path::{Path, PathBuf};

static BUILTIN: Dir = include_dir!("$CARGO_MANIFEST_DIR/themes/default");

pub struct Theme {
    /// The site's own theme folder, if it has one.
    overrides: Option<PathBuf>,
}

/// A name from a template (`include "x.html"`) or a static path: no climbing out.
fn is_safe(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('/')
        && !name.contains('\\')
        && name
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..")
}

/// Why a site's theme cannot be used.
#[derive(Debug)]
pub enum ThemeError {
    /// No such theme, or not a folder name.
    Missing(String),
    /// A symbolic link in the theme (the path as found) that leads outside it, and why.
    UnsafeLink(PathBuf, String),
}

impl std::fmt::Display for ThemeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ThemeError::Missing(message) => f.write_str(message),
            ThemeError::UnsafeLink(path, why) => write!(f, "{}: {why}", path.display()),
        }
    }
}

/// Every symbolic link under `dir` (a theme folder as found; `real` is where it really is)
/// must be a link to a file inside the theme.
fn check_links(dir: &Path, real: &Path) -> Result<(), ThemeError> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Ok(());
    };
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            check_links(&path, real)?;
        } else if kind.is_symlink() {
            let unsafe_link = |why: &str| ThemeError::UnsafeLink(path.clone(), why.to_string());
            let target = fs::canonicalize(&path)
                .map_err(|_| unsafe_link("is a symbolic link that cannot be followed"))?;
            if !target.starts_with(real) {
                return Err(unsafe_link(
                    "is a symbolic link that leads outside the theme folder",
                ));
            }
            if target.is_dir() {
                return Err(unsafe_link(
                    "is a symbolic link to a folder: copy the folder instead",
                ));
            }
        }
    }
    Ok(())
}

impl Theme {
    /// The theme named in `site.yaml` (default `default`). A theme other than `default` must
    /// exist as `themes/<name>/` in the site.
    /// Symbolic links are followed only to files inside the theme's own folder: anything
    /// else could put a file from elsewhere (a source, a record) into `public/`.
    pub fn new(site_root: &Path, name: Option<&str>) -> Result<Theme, ThemeError> {
        let name = name.unwrap_or("default");
        if !is_safe(name) || name.contains('/') {
            return Err(ThemeError::Missing(format!(
                "theme `{name}` is not a folder name"
            )));
        }
        let folder = site_root.join("themes").join(name);
        if folder.is_dir() {
            let escapes = |path: &Path, why: &str| {
                ThemeError::UnsafeLink(path.to_path_buf(), why.to_string())
            };
            let themes = fs::canonicalize(site_root.join("themes"))
                .map_err(|_| escapes(&folder, "cannot be followed"))?;
            let root = fs::canonicalize(site_root).unwrap_or_else(|_| site_root.to_path_buf());
            if !themes.starts_with(&root) || themes.starts_with(root.join("content")) {
                return Err(escapes(
                    &site_root.join("themes"),
                    "is a symbolic link that leads outside the site (or into content/)",
                ));
            }
            let real =
                fs::canonicalize(&folder).map_err(|_| escapes(&folder, "cannot be followed"))?;
            if !real.starts_with(&themes) {
                return Err(escapes(
                    &folder,
                    "is a symbolic link that leads outside themes/",
                ));
            }
            check_links(&folder, &real)?;
            Ok(Theme {
                overrides: Some(real),
            })
        } else if name == "default" {
            Ok(Theme { overrides: None })
        } else {
            Err(ThemeError::Missing(format!(
                "site.yaml names theme `{name}`, but there is no folder themes/{name}/ (remove `theme:` to use the built-in one)"
            )))
        }
    }

    fn read_override(&self, relative: &str) -> Option<Vec<u8>> {
        let folder = self.overrides.as_ref()?;
        fs::read(folder.join(relative)).ok()
    }

    fn template_source(&self, name: &str) -> Option<String> {
        if !is_safe(name) {
            return None;
        }
        let relative = format!("templates/{name}");
        match self.read_override(&relative) {
            Some(bytes) => String::from_utf8(bytes).ok(),
            None => BUILTIN
                .get_file(&relative)?
                .contents_utf8()
                .map(str::to_string),
        }
    }

    pub fn environment(self: &std::sync::Arc<Self>) -> Environment<'static> {
        let mut env = Environment::new();
        let theme = std::sync::Arc::clone(self);
        env.set_loader(move |name| Ok(theme.template_source(name)));
        env.set_debug(true);
        env.add_filter("label", label);
        env.add_filter("href", href);
        env.add_filter("count", count);
        // One policy for every page's meta tag and the hosts' `_headers` files.
        env.add_global(
            "content_security_policy",
            super::files::CONTENT_SECURITY_POLICY,
        );
        env
    }

    /// A hash of every template (built-in and the site's) and of this program: a page
    /// rendered with other templates, or by another build of trustbook, is never reused.
    pub fn fingerprint(&self) -> u64 {
        let mut files = Vec::new();
        if let Some(dir) = BUILTIN.get_dir("templates") {
            collect_builtin(dir, &mut files);
        }
        if let Some(folder) = &self.overrides {
            let base = folder.join("templates");
            collect_folder(&base, &base, &mut files);
        }
        let mut hasher = xxhash_rust::xxh3::Xxh3Default::new();
        std::hash::Hash::hash(&(super::program::identity(), files), &mut hasher);
        std::hash::Hasher::finish(&hasher)
    }

    /// Whether every template is the built-in one: the site has no theme folder, or each
    /// template in its folder is a built-in template byte for byte (the sample site's
    /// copy of the default theme). What a built-in page shows is known and tested.
    pub fn templates_built_in(&self) -> bool {
        let Some(folder) = &self.overrides else {
            return true;
        };
        let base = folder.join("templates");
        let mut own = Vec::new();
        collect_folder(&base, &base, &mut own);
        own.iter().all(|(path, bytes)| {
            BUILTIN
                .get_file(format!("templates/{path}"))
                .is_some_and(|file| file.contents() == bytes.as_slice())
        })
    }

    /// Syntax errors in the site's own templates (path under the theme, and the error with
    /// its line): found by `check`, before `build` would meet them.
    pub fn template_errors(self: &std::sync::Arc<Self>) -> Vec<(String, String)> {
        let Some(folder) = &self.overrides else {
            return Vec::new();
        };
        let base = folder.join("templates");
        let mut files = Vec::new();
        collect_folder(&base, &base, &mut files);
        let env = self.environment();
        files
            .into_iter()
            .filter_map(|(name, _)| {
                let error = env.get_template(&name).err()?;
                let line = error
                    .line()
                    .map_or(String::new(), |l| format!(", line {l}"));
                let detail = error
                    .detail()
                    .map_or_else(|| error.kind().to_string(), str::to_string);
                Some((format!("templates/{name}"), format!("{detail}{line}")))
            })
            .collect()
    }

    /// The site's own theme files (templates and static files), where they really are.
    pub fn own_files(&self) -> Vec<PathBuf> {
        fn walk(dir: &Path, into: &mut Vec<PathBuf>) {
            let Ok(entries) = fs::read_dir(dir) else {
                return;
            };
            for entry in entries.filter_map(Result::ok) {
                let path = entry.path();
                match entry.file_type() {
                    Ok(kind) if kind.is_dir() => walk(&path, into),
                    Ok(_) => into.push(fs::canonicalize(&path).unwrap_or(path)),
                    Err(_) => {}
                }
            }
        }
        let mut files = Vec::new();
        if let Some(folder) = &self.overrides {
            walk(folder, &mut files);
        }
        files
    }

    /// Every static file, built-in ones replaced by the site's, as (path under `static/`, bytes).
    pub fn static_files(&self) -> Vec<(String, Vec<u8>)> {
        let mut files: Vec<(String, Vec<u8>)> = Vec::new();
        if let Some(dir) = BUILTIN.get_dir("static") {
            collect_builtin(dir, &mut files);
        }
        if let Some(folder) = &self.overrides {
            let base = folder.join("static");
            collect_folder(&base, &base, &mut files);
        }
        files
    }
}

fn collect_builtin(dir: &Dir, files: &mut Vec<(String, Vec<u8>)>) {
    for file in dir.files() {
        let path = file.path().strip_prefix("static").unwrap_or(file.path());
        files.push((
            path.to_string_lossy().replace('\\', "/"),
            file.contents().to_vec(),
        ));
    }
    for sub in dir.dirs() {
        collect_builtin(sub, files);
    }
}

/// The site's static files, each replacing a built-in file of the same path.
fn collect_folder(base: &Path, dir: &Path, files: &mut Vec<(String, Vec<u8>)>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let path = entry.path();
        if kind.is_dir() {
            collect_folder(base, &path, files);
        } else if kind.is_file() || kind.is_symlink() {
            // Links were checked when the theme was opened: each leads to a file inside it.
            let Ok(bytes) = fs::read(&path) else { continue };
            let relative = path
                .strip_prefix(base)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            files.retain(|(existing, _)| *existing != relative);
            files.push((relative, bytes));
        }
    }
}

/// `1 | count("control")` → `1 control`, `2 | count("control")` → `2 controls`.
fn count(n: i64, noun: String) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// `not-applicable` → `Not applicable`, `in_review` → `In review`, `gpai` → `GPAI`.
fn label(value: String) -> String {
    match value.as_str() {
        "gpai" => return "GPAI (general-purpose AI)".to_string(),
        "not-in-scope" => return "Not in scope of the EU AI Act".to_string(),
        _ => {}
    }
    let words = value.replace(['-', '_'], " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A site-relative URL made safe for `href`: spaces, quotes, `<`, `>` and non-ASCII
/// percent-encoded, `/` kept. The result needs no further HTML escaping.
fn href(value: String) -> Result<Value, Error> {
    // Only web, mail and phone addresses, or relative ones: no `javascript:`, `data:`...
    let scheme = value
        .split_once(':')
        .map(|(s, _)| s.trim().to_ascii_lowercase())
        .filter(|s| !s.contains(['/', '?', '#']));
    if let Some(scheme) =
        scheme.filter(|s| !["http", "https", "mailto", "tel"].contains(&s.as_str()))
    {
        return Err(Error::new(
            ErrorKind::InvalidOperation,
            format!("refusing a `{scheme}:` URL"),
        ));
    }
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'.'
            | b'_'
            | b'~'
            | b'/'
            | b'#'
            | b':'
            | b'?'
            | b'='
            | b'%'
            | b'@'
            | b'+' => out.push(byte as char),
            b'&' => out.push_str("&amp;"),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    Ok(Value::from_safe_string(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_read_as_words() {
        assert_eq!(label("not-applicable".into()), "Not applicable");
        assert_eq!(label("in_review".into()), "In review");
    }

    #[test]
    fn hrefs_are_encoded_but_keep_their_shape() {
        assert_eq!(
            href("pages/über uns/".into()).unwrap().to_string(),
            "pages/%C3%BCber%20uns/"
        );
        assert_eq!(
            href("../a-2-2/#x\"<".into()).unwrap().to_string(),
            "../a-2-2/#x%22%3C"
        );
    }

    #[test]
    fn template_names_cannot_climb_out() {
        assert!(is_safe("public/index.html"));
        assert!(!is_safe("../secret"));
        assert!(!is_safe("/etc/passwd"));
        assert!(!is_safe("a//b"));
    }
}
