//! Helpers shared by the integration tests: fixture sites copied into temp folders, and the
//! `trustbook` binary run on them.
#![allow(dead_code)] // each test file uses a different part

use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The day every test judges review and expiry dates by.
pub const TODAY: &str = "2026-11-27";

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Writes `text` to `path` under `root`, making its folders.
pub fn write_file(root: &Path, path: &str, text: &str) {
    let path = root.join(path);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

/// Replaces the first `from` in the file at `path` with `to`; the test fails, naming the
/// file, when `from` is not there (an edit that silently did nothing proves nothing).
pub fn edit(path: &Path, from: &str, to: &str) {
    let text = read_text(path);
    assert!(text.contains(from), "{} has no {from:?}", path.display());
    fs::write(path, text.replacen(from, to, 1)).unwrap();
}

/// A file's text; the test fails, naming the file, when it cannot be read.
pub fn read_text(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub fn copy_tree(from: &Path, to: &Path) {
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            fs::create_dir_all(&target).unwrap();
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A temp copy of the good fixture site, with `overlay` (a folder of replacement files
/// under `tests/fixtures/rules/`) laid over it.
pub fn site(overlay: Option<&str>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixtures().join("good"), dir.path());
    if let Some(name) = overlay {
        copy_tree(
            &fixtures().join("rules").join(name).join("content"),
            &dir.path().join("content"),
        );
    }
    dir
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Each finding as `code path`, in the order reported.
    pub fn codes_and_paths(&self) -> Vec<String> {
        (self.findings().iter())
            .map(|f| {
                let (code, path) = (f["code"].as_str(), f["path"].as_str());
                format!("{} {}", code.unwrap(), path.unwrap())
            })
            .collect()
    }

    /// Where findings of `code` are, as sorted (path, line) pairs.
    pub fn places(&self, code: &str) -> Vec<(String, i64)> {
        let mut places: Vec<(String, i64)> = (self.findings().into_iter())
            .filter(|f| f["code"] == code)
            .map(|f| {
                let path = f["path"].as_str().unwrap_or("").to_string();
                (path, f["line"].as_i64().unwrap_or(0))
            })
            .collect();
        places.sort();
        places
    }

    /// Findings printed by `--format json`.
    pub fn findings(&self) -> Vec<Value> {
        self.stdout
            .lines()
            .map(|line| serde_json::from_str(line).expect("each line is a JSON object"))
            .collect()
    }
}

pub fn trustbook(args: &[&str]) -> Run {
    trustbook_at(Path::new(env!("CARGO_BIN_EXE_trustbook")), args)
}

/// `trustbook`, run from `program` (a copy of the binary, say).
pub fn trustbook_at(program: &Path, args: &[&str]) -> Run {
    let output = Command::new(program)
        .args(args)
        .env("TRUSTBOOK_TODAY", TODAY)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let run = Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    assert!(
        !run.stderr.contains("panicked"),
        "trustbook panicked:\n{}",
        run.stderr
    );
    run
}

pub fn check_json(root: &Path) -> Run {
    trustbook(&[
        "check",
        "--format",
        "json",
        "--root",
        root.to_str().unwrap(),
    ])
}

pub fn check_text(root: &Path) -> Run {
    trustbook(&["check", "--root", root.to_str().unwrap()])
}

/// Every file under `dir`, as (path relative to `dir` with `/`, bytes).
pub fn files_under(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let relative = path
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push((relative, fs::read(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}

/// The values of every `attr="…"` in an HTML text, with `&amp;` decoded.
pub fn attribute_values(html: &str, attr: &str) -> Vec<String> {
    let needle = format!(" {attr}=\"");
    html.match_indices(&needle)
        .filter_map(|(i, _)| {
            let start = i + needle.len();
            let end = html[start..].find('"')?;
            Some(html[start..start + end].replace("&amp;", "&"))
        })
        .collect()
}

fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 3 <= bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz");
            if let Ok(byte) = u8::from_str_radix(hex, 16) {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Every relative `href` and `src` in every page of `site` that points at a missing file or
/// a missing `#anchor`. Links to other hosts and `mailto:` are not followed.
pub fn broken_links(site: &Path) -> Vec<String> {
    let mut broken = Vec::new();
    for (page, bytes) in files_under(site) {
        if !page.ends_with(".html") {
            continue;
        }
        let html = String::from_utf8(bytes).unwrap();
        let here = Path::new(&page).parent().unwrap().to_path_buf();
        for link in attribute_values(&html, "href")
            .into_iter()
            .chain(attribute_values(&html, "src"))
        {
            if link.contains(':') || link.starts_with("//") {
                continue;
            }
            let (path, anchor) = link.split_once('#').unwrap_or((&link, ""));
            let target = if path.is_empty() {
                PathBuf::from(&page)
            } else if let Some(from_root) = path.strip_prefix('/') {
                // Only the public 404 page links from the site's root (base_url path `/`).
                PathBuf::from(percent_decoded(from_root))
            } else {
                here.join(percent_decoded(path))
            };
            let full = site.join(&target);
            let target_html = if full.is_file() {
                fs::read_to_string(&full).ok()
            } else {
                None
            };
            match target_html {
                None if !full.is_file() => broken.push(format!("{page}: {link} (no file)")),
                Some(text) if !anchor.is_empty() && !text.contains(&format!("id=\"{anchor}\"")) => {
                    broken.push(format!("{page}: {link} (no anchor)"))
                }
                _ => {}
            }
        }
    }
    broken
}

pub fn build(root: &Path, extra: &[&str]) -> Run {
    let mut args = vec!["build", "--root", root.to_str().unwrap()];
    args.extend_from_slice(extra);
    trustbook(&args)
}

/// A temp copy of a whole fixture site.
pub fn fixture_copy(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixtures().join(name), dir.path());
    dir
}

/// A temp copy of the repository's sample site (`content/`).
pub fn sample_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    fs::create_dir_all(&content).unwrap();
    copy_tree(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("content"),
        &content,
    );
    dir
}

/// A temp copy of the repository's sample site (`content/`), built without git.
pub fn built_sample() -> tempfile::TempDir {
    let dir = sample_copy();
    let run = build(dir.path(), &["--no-git", "--quiet"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    dir
}

/// Runs git in `dir` with no user or system configuration; its standard output.
pub fn git(dir: &Path, args: &[&str]) -> String {
    git_at(dir, args, None)
}

/// `git`, with its author and committer dated `date` (ISO 8601) when given.
pub fn git_at(dir: &Path, args: &[&str], date: Option<&str>) -> String {
    let mut command = Command::new("git");
    command
        .current_dir(dir)
        .args(args)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Ada Author")
        .env("GIT_AUTHOR_EMAIL", "ada@example.org")
        .env("GIT_COMMITTER_NAME", "Ada Author")
        .env("GIT_COMMITTER_EMAIL", "ada@example.org")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE");
    if let Some(date) = date {
        command
            .env("GIT_AUTHOR_DATE", date)
            .env("GIT_COMMITTER_DATE", date);
    }
    let output = command.output().unwrap();
    assert!(output.status.success(), "git {args:?}");
    String::from_utf8_lossy(&output.stdout).into_owned()
}
