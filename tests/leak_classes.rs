//! The leak classes of issue 13, tried as an adversary would. Each class is a hostile site
//! (the good fixture with files written over it) whose internal text carries a canary such as
//! `CANARY_C01_3_7f3a`. After `check` and `build`, either the site is refused (exit status 1,
//! the expected finding at the offending file, the previous output left exactly as it was) or
//! it is built and no file name or byte anywhere under `public/` (nor in the handbook's
//! `preview/`, the public site as it will be published) holds the canary. `check` and `build`
//! must agree on every error.
//!
//! Each test runs several spellings of its class and reports every variant that failed, not
//! only the first. Variants the brief does not pin down (`…_never_leak`) accept either
//! outcome, as long as nothing leaks.

mod common;

use common::{Run, build, check_json, files_under};
use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};

/// The public, approved policy each test writes its probe into.
const LEAK: &str = "content/policies/leak.md";

// ---------------------------------------------------------------------------------------
// Sites

struct Site {
    dir: tempfile::TempDir,
}

impl Site {
    /// The good fixture, never built: each probe's build is a clean one (a build over an
    /// earlier generation may reuse pages and hide what a clean build would publish).
    fn new() -> Site {
        Site {
            dir: common::site(None),
        }
    }

    /// The good fixture, built once, so a refused build has an output to leave alone.
    fn built() -> Site {
        let site = Site::new();
        let run = build(site.root(), &[]);
        assert_eq!(run.code, 0, "the good fixture builds:\n{}", run.stderr);
        site
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.root().join(relative)
    }

    fn write(&self, relative: &str, bytes: impl AsRef<[u8]>) {
        let path = self.path(relative);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        if fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
            fs::remove_file(&path).unwrap();
        }
        fs::write(path, bytes).unwrap();
    }

    /// A symbolic link at `relative` (replacing whatever is there) to `target`, as written.
    fn symlink(&self, relative: &str, target: impl AsRef<Path>) {
        let path = self.path(relative);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        match fs::symlink_metadata(&path) {
            Ok(meta) if meta.is_dir() => fs::remove_dir_all(&path).unwrap(),
            Ok(_) => fs::remove_file(&path).unwrap(),
            Err(_) => {}
        }
        std::os::unix::fs::symlink(target, path).unwrap();
    }

    /// The probe policy, public and approved, with `body` between two public paragraphs.
    fn policy(&self, body: &str) {
        self.write(LEAK, policy_source(body));
    }

    fn edit(&self, relative: &str, from: &str, to: &str) {
        let text = fs::read_to_string(self.path(relative)).unwrap();
        assert!(text.contains(from), "{relative} has {from:?}");
        self.write(relative, text.replace(from, to));
    }
}

fn policy_source(body: &str) -> String {
    format!(
        "---\nid: POL-LEAK\ntitle: Leak probe\nversion: \"1.0\"\nstatus: approved\n\
         owner: Head of AI Governance\napproved_by: Board\napproved_on: 2026-01-15\n\
         next_review: 2027-01-15\nvisibility: public\n\
         public_summary: A public policy that probes for leaks.\n---\n\n\
         # Leak probe\n\nPUBLIC_KEEP_BEFORE here.\n\n{body}\n\nPUBLIC_KEEP_AFTER here.\n"
    )
}

/// A canary for variant `i` of a class: `CANARY_C05_3_7f3a`.
fn canary(class: &str, i: usize) -> String {
    format!("CANARY_{class}_{i}_7f3a")
}

// ---------------------------------------------------------------------------------------
// Looking for canaries

/// ASCII case folded, `_` and `-` made the same: a heading's slug or an upper-cased title
/// still counts as the canary.
fn fold(bytes: &[u8]) -> Vec<u8> {
    bytes
        .iter()
        .map(|b| match b {
            b'_' => b'-',
            _ => b.to_ascii_lowercase(),
        })
        .collect()
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || haystack.len() < needle.len() {
        return None;
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn percent_decoded(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    out
}

/// Where `canary` occurs under `dir`: in a file or folder name (also percent-decoded), in
/// the bytes of any file (binary ones too), or in a symbolic link's target. A link is
/// followed, to a depth of 16.
fn canary_hits(dir: &Path, canary: &str) -> Vec<String> {
    use std::os::unix::ffi::OsStrExt;
    let needle = fold(canary.as_bytes());
    let mut hits = Vec::new();
    if fs::symlink_metadata(dir).is_err() {
        return hits;
    }
    let mut stack = vec![(dir.to_path_buf(), 0usize)];
    while let Some((path, depth)) = stack.pop() {
        let relative = path.strip_prefix(dir).unwrap_or(&path).to_path_buf();
        let name = relative.as_os_str().as_bytes();
        if find(&fold(name), &needle).is_some()
            || find(&fold(&percent_decoded(name)), &needle).is_some()
        {
            hits.push(format!("file name `{}`", relative.display()));
        }
        let Ok(meta) = fs::symlink_metadata(&path) else {
            continue;
        };
        if meta.file_type().is_symlink() {
            if let Ok(target) = fs::read_link(&path)
                && find(&fold(target.as_os_str().as_bytes()), &needle).is_some()
            {
                hits.push(format!(
                    "symbolic link `{}` → `{}`",
                    relative.display(),
                    target.display()
                ));
            }
            if depth >= 16 {
                continue;
            }
        }
        if path.is_dir() {
            if let Ok(entries) = fs::read_dir(&path) {
                for entry in entries.flatten() {
                    stack.push((entry.path(), depth + usize::from(meta.is_symlink())));
                }
            }
        } else if let Ok(bytes) = fs::read(&path)
            && let Some(at) = find(&fold(&bytes), &needle)
        {
            let from = at.saturating_sub(60);
            let to = (at + needle.len() + 60).min(bytes.len());
            hits.push(format!(
                "`{}` at byte {at}: …{}…",
                relative.display(),
                String::from_utf8_lossy(&bytes[from..to]).replace('\n', "⏎")
            ));
        }
    }
    hits
}

/// No file name or byte under `public_dir` holds `canary` (compared without case, `_` as `-`).
fn assert_no_canary(public_dir: &Path, canary: &str) {
    let hits = canary_hits(public_dir, canary);
    assert!(
        hits.is_empty(),
        "LEAK: {canary} in {}:\n{}",
        public_dir.display(),
        hits.join("\n")
    );
}

/// `Err` listing every place a canary was published: `public/`, and `internal/preview/`
/// (the public site as it will be published).
fn nothing_published(site: &Site, canaries: &[&str]) -> Result<(), String> {
    let mut leaks = Vec::new();
    for tree in ["public", "internal/preview"] {
        for canary in canaries {
            for hit in canary_hits(&site.path(tree), canary) {
                leaks.push(format!("{canary} in {tree}/: {hit}"));
            }
        }
    }
    if leaks.is_empty() {
        Ok(())
    } else {
        Err(format!("LEAK: {}", leaks.join("; ")))
    }
}

/// Every string is somewhere under `tree` (outside `internal/preview/` when `tree` is
/// `internal`).
fn shown_in(site: &Site, tree: &str, texts: &[&str]) -> Result<(), String> {
    let files = if site.path(tree).exists() {
        files_under(&site.path(tree))
    } else {
        Vec::new()
    };
    let missing: Vec<&&str> = texts
        .iter()
        .filter(|text| {
            !files.iter().any(|(name, bytes)| {
                !(tree == "internal" && name.starts_with("preview/"))
                    && find(&fold(bytes), &fold(text.as_bytes())).is_some()
            })
        })
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!("{missing:?} missing from {tree}/"))
    }
}

// ---------------------------------------------------------------------------------------
// Findings, and check and build agreeing

/// (severity, code, path) of every finding `check --format json` printed.
fn json_findings(run: &Run) -> Vec<(String, String, String)> {
    run.stdout
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .map(|f| {
            (
                f["severity"].as_str().unwrap_or("").to_string(),
                f["code"].as_str().unwrap_or("").to_string(),
                f["path"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

/// (code, path) of every error `check` found, sorted.
fn check_errors(run: &Run) -> Vec<(String, String)> {
    let mut errors: Vec<(String, String)> = json_findings(run)
        .into_iter()
        .filter(|(severity, _, _)| severity == "error")
        .map(|(_, code, path)| (code, path))
        .collect();
    errors.sort();
    errors.dedup();
    errors
}

/// (code, path) of every `error[code]` that `build` printed, with the path of the `┌─`
/// line under it, sorted.
fn build_errors(run: &Run) -> Vec<(String, String)> {
    let mut errors = Vec::new();
    let lines: Vec<&str> = run.stderr.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        let Some(rest) = line.trim_start().strip_prefix("error[") else {
            continue;
        };
        let Some(code) = rest.split(']').next() else {
            continue;
        };
        let path = lines[i + 1..]
            .iter()
            .take_while(|l| {
                let l = l.trim_start();
                !l.starts_with("error[") && !l.starts_with("warning[")
            })
            .find_map(|l| l.split_once("┌─ ").map(|(_, place)| place.trim()))
            .map(|place| {
                // `path:line:col`
                let mut parts = place.rsplitn(3, ':');
                let (col, line) = (parts.next(), parts.next());
                match (col, line, parts.next()) {
                    (Some(c), Some(l), Some(p))
                        if c.chars().all(|c| c.is_ascii_digit())
                            && l.chars().all(|c| c.is_ascii_digit()) =>
                    {
                        p.to_string()
                    }
                    _ => place.to_string(),
                }
            })
            // A finding without a line: `error[code]: path: message`.
            .or_else(|| {
                let (_, message) = rest.split_once("]: ")?;
                let (path, _) = message.split_once(": ")?;
                (!path.contains(char::is_whitespace) && path.contains('/'))
                    .then(|| path.to_string())
            })
            .unwrap_or_default();
        errors.push((code.to_string(), path));
    }
    errors.sort();
    errors.dedup();
    errors
}

/// `path` is one of `places`; a place ending in `/` is a folder that holds it.
fn at_place(path: &str, places: &[&str]) -> bool {
    places.iter().any(|place| {
        if place.ends_with('/') {
            path.starts_with(place)
        } else {
            path == *place
        }
    })
}

fn has_finding(run: &Run, severity: &str, code: &str, places: &[&str]) -> bool {
    json_findings(run)
        .iter()
        .any(|(s, c, p)| s == severity && c == code && at_place(p, places))
}

fn findings_text(run: &Run) -> String {
    json_findings(run)
        .iter()
        .map(|(s, c, p)| format!("{s} {c} {p}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `check` and `build` exit alike and report the same errors at the same files.
fn agree(check: &Run, build: &Run) -> Result<(), String> {
    if check.code != build.code {
        return Err(format!(
            "check exited {} but build {} (check: [{}]; build stderr: {})",
            check.code,
            build.code,
            findings_text(check),
            build.stderr.trim()
        ));
    }
    let (from_check, from_build) = (check_errors(check), build_errors(build));
    if from_check != from_build {
        return Err(format!(
            "check and build disagree: check errors {from_check:?}, build errors {from_build:?}"
        ));
    }
    Ok(())
}

/// The values of every `attr=` in `html`, quoted with `"` or `'` or not at all, any case,
/// with `&amp;` decoded.
fn attribute_values(html: &str, attr: &str) -> Vec<String> {
    let lower = html.to_ascii_lowercase();
    let needle = format!("{}=", attr.to_ascii_lowercase());
    let mut out = Vec::new();
    for (at, _) in lower.match_indices(&needle) {
        let before = lower[..at].chars().next_back();
        if !before.is_some_and(|c| c.is_whitespace() || c == '/' || c == '"' || c == '\'') {
            continue;
        }
        let rest = &html[at + needle.len()..];
        let value = match rest.chars().next() {
            Some(q @ ('"' | '\'')) => rest[1..].split(q).next().unwrap_or(""),
            _ => rest
                .split(|c: char| c.is_whitespace() || c == '>')
                .next()
                .unwrap_or(""),
        };
        out.push(value.replace("&amp;", "&"));
    }
    out
}

/// A relative `href` of the page in folder `page` (`policies/leak/`), from the site's root:
/// `../../policies/other/index.html` → `policies/other/index.html`.
fn from_root(page: &str, href: &str) -> String {
    let mut parts: Vec<&str> = page.split('/').filter(|p| !p.is_empty()).collect();
    for part in href.split('/') {
        match part {
            ".." => {
                parts.pop();
            }
            "." | "" => {}
            _ => parts.push(part),
        }
    }
    parts.join("/")
}

fn snapshot(dir: &Path) -> Option<Vec<(String, Vec<u8>)>> {
    dir.exists().then(|| files_under(dir))
}

// ---------------------------------------------------------------------------------------
// The three outcomes

/// The site is refused: `check` and `build` exit 1 with an error `code` at one of `places`,
/// agree, leave `public/` and `internal/` as they were (absent when they were absent), and
/// publish none of `canaries`.
fn refused(site: &Site, code: &str, places: &[&str], canaries: &[&str]) -> Result<(), String> {
    let before = (
        snapshot(&site.path("public")),
        snapshot(&site.path("internal")),
    );
    let check = check_json(site.root());
    let built = build(site.root(), &[]);
    let mut problems = Vec::new();
    if let Err(leak) = nothing_published(site, canaries) {
        problems.push(leak);
    }
    if check.code != 1 || !has_finding(&check, "error", code, places) {
        problems.push(format!(
            "check exited {} without error {code} at {places:?} (findings: [{}])",
            check.code,
            findings_text(&check)
        ));
    }
    if built.code != 1 {
        problems.push(format!("build exited {}", built.code));
    } else if (
        snapshot(&site.path("public")),
        snapshot(&site.path("internal")),
    ) != before
    {
        problems.push("a refused build wrote or changed public/ or internal/".to_string());
    }
    if let Err(e) = agree(&check, &built) {
        problems.push(e);
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}

/// The site builds: `check` and `build` exit 0, none of `hidden` is published, every one of
/// `public` is in `public/` and every one of `internal` in `internal/`. Gives `check`'s run,
/// for its warnings.
fn published(
    site: &Site,
    hidden: &[&str],
    public: &[&str],
    internal: &[&str],
) -> Result<Run, String> {
    let check = check_json(site.root());
    let built = build(site.root(), &[]);
    let mut problems = Vec::new();
    if let Err(leak) = nothing_published(site, hidden) {
        problems.push(leak);
    }
    if check.code != 0 {
        problems.push(format!(
            "check exited {} (findings: [{}])",
            check.code,
            findings_text(&check)
        ));
    }
    if built.code != 0 {
        problems.push(format!(
            "build exited {}: {}",
            built.code,
            built.stderr.trim()
        ));
    } else {
        if let Err(e) = shown_in(site, "public", public) {
            problems.push(e);
        }
        if let Err(e) = shown_in(site, "internal", internal) {
            problems.push(e);
        }
    }
    if let Err(e) = agree(&check, &built) {
        problems.push(e);
    }
    if problems.is_empty() {
        Ok(check)
    } else {
        Err(problems.join("; "))
    }
}

/// Either outcome, as long as nothing leaks: built with none of `canaries` published, or
/// refused (exit 1, output left alone) with `check` and `build` agreeing. Says which.
fn never_leaks(site: &Site, canaries: &[&str]) -> Result<String, String> {
    let before = snapshot(&site.path("public"));
    let check = check_json(site.root());
    let built = build(site.root(), &[]);
    let mut problems = Vec::new();
    if let Err(leak) = nothing_published(site, canaries) {
        problems.push(leak);
    }
    if built.code == 1 && snapshot(&site.path("public")) != before {
        problems.push("a refused build wrote or changed public/".to_string());
    }
    if built.code != 0 && built.code != 1 {
        problems.push(format!("build exited {}", built.code));
    }
    if let Err(e) = agree(&check, &built) {
        problems.push(e);
    }
    if problems.is_empty() {
        Ok(if built.code == 0 {
            "published".to_string()
        } else {
            format!("refused {:?}", check_errors(&check))
        })
    } else {
        Err(problems.join("; "))
    }
}

/// Runs every variant and fails with the list of those that failed.
fn all_pass<T>(class: &str, variants: Vec<(String, Result<T, String>)>) {
    let total = variants.len();
    let failed: Vec<String> = variants
        .into_iter()
        .filter_map(|(name, result)| result.err().map(|e| format!("  - {name}: {e}")))
        .collect();
    assert!(
        failed.is_empty(),
        "{class}: {} of {total} variants failed:\n{}",
        failed.len(),
        failed.join("\n")
    );
}

/// Like `all_pass`, printing each variant's outcome (`--nocapture` shows them).
fn all_safe(class: &str, variants: Vec<(String, Result<String, String>)>) {
    for (name, result) in &variants {
        if let Ok(outcome) = result {
            eprintln!("{class}: {name}: {outcome}");
        }
    }
    all_pass(class, variants);
}

// ---------------------------------------------------------------------------------------
// Class 1: well-formed markers in every spelling

/// (name, open, close) spellings that must all be recognised as markers.
const WELL_FORMED: &[(&str, &str, &str)] = &[
    ("canonical", "<!-- internal -->", "<!-- /internal -->"),
    ("no spaces", "<!--internal-->", "<!--/internal-->"),
    ("upper case", "<!-- INTERNAL -->", "<!-- /INTERNAL -->"),
    ("title case", "<!-- Internal -->", "<!-- /Internal -->"),
    (
        "double spaces",
        "<!--  internal  -->",
        "<!--  /internal  -->",
    ),
    (
        "no-break spaces",
        "<!--\u{a0}internal\u{a0}-->",
        "<!--\u{a0}/internal\u{a0}-->",
    ),
    (
        "zero-width space in the word",
        "<!-- inter\u{200b}nal -->",
        "<!-- /inter\u{200b}nal -->",
    ),
    (
        "other zero-width characters (ZWJ, ZWNJ, word joiner, BOM)",
        "<!-- in\u{200d}ter\u{200c}nal\u{2060} -->",
        "<!-- \u{feff}/internal -->",
    ),
    (
        "no space before -->",
        "<!-- internal-->",
        "<!-- /internal-->",
    ),
    ("tabs", "<!--\tinternal\t-->", "<!--\t/internal\t-->"),
    (
        "full-width letters (NFKC)",
        "<!-- ｉｎｔｅｒｎａｌ -->",
        "<!-- ／ｉｎｔｅｒｎａｌ -->",
    ),
    (
        "mathematical bold letters (NFKC)",
        "<!-- 𝐢𝐧𝐭𝐞𝐫𝐧𝐚𝐥 -->",
        "<!-- /𝐢𝐧𝐭𝐞𝐫𝐧𝐚𝐥 -->",
    ),
    (
        "plain open, shouting close",
        "<!-- internal -->",
        "<!-- /INTERNAL -->",
    ),
    (
        "trailing spaces on the line",
        "<!-- internal -->   ",
        "<!-- /internal -->\t",
    ),
    (
        "indented by two spaces",
        "  <!-- internal -->",
        "  <!-- /internal -->",
    ),
];

#[test]
fn class_01_well_formed_marker_spellings_hide_the_block() {
    let results = WELL_FORMED
        .iter()
        .enumerate()
        .map(|(i, (name, open, close))| {
            let site = Site::new();
            let secret = canary("C01", i);
            site.policy(&format!(
                "{open}\nSecret {secret} first paragraph.\n\n## Heading {secret}\n\n\
                 Second internal paragraph.\n{close}"
            ));
            let result = published(
                &site,
                &[&secret],
                &["PUBLIC_KEEP_BEFORE", "PUBLIC_KEEP_AFTER"],
                &[&secret],
            );
            (format!("{name} {open:?} … {close:?}"), result)
        })
        .collect();
    all_pass("class 1 (well-formed markers)", results);
}

// ---------------------------------------------------------------------------------------
// Class 2: near misses, inline markers, markers in code, unbalanced markers

/// Comments that mention `internal` but are not markers. `CANARY` is replaced.
const NEAR_MISSES: &[(&str, &str)] = &[
    (
        "label after the word",
        "<!-- internal: start -->\nCANARY\n<!-- internal: end -->",
    ),
    (
        "space after the slash",
        "<!-- internal -->\nCANARY\n<!-- / internal -->",
    ),
    (
        "split word",
        "<!-- in ternal -->\nCANARY\n<!-- /in ternal -->",
    ),
    (
        "begin and end",
        "<!-- begin internal -->\nCANARY\n<!-- end internal -->",
    ),
    (
        "hyphenated",
        "<!-- internal-only -->\nCANARY\n<!-- /internal-only -->",
    ),
    (
        "letter-spaced",
        "<!-- i n t e r n a l -->\nCANARY\n<!-- / i n t e r n a l -->",
    ),
    (
        "split and shouted",
        "<!-- IN TER NAL -->\nCANARY\n<!-- /IN TER NAL -->",
    ),
    (
        "trailing slash",
        "<!-- internal/ -->\nCANARY\n<!-- /internal/ -->",
    ),
    (
        "backslash close",
        "<!-- internal -->\nCANARY\n<!-- \\internal -->",
    ),
    (
        "doubled word",
        "<!-- internal internal -->\nCANARY\n<!-- /internal -->",
    ),
    (
        "XML-style tags",
        "<!-- <internal> -->\nCANARY\n<!-- </internal> -->",
    ),
    (
        "a note with the secret inside",
        "<!-- INTERNAL NOTE: CANARY -->",
    ),
    (
        "the word in a sentence",
        "<!-- keep this internal please -->\nCANARY",
    ),
];

#[test]
fn class_02_near_miss_markers_are_malformed() {
    let results = NEAR_MISSES
        .iter()
        .enumerate()
        .map(|(i, (name, body))| {
            let site = Site::new();
            let secret = canary("C02N", i);
            site.policy(&body.replace("CANARY", &secret));
            let result = refused(&site, "internal-marker-malformed", &[LEAK], &[&secret]);
            (name.to_string(), result)
        })
        .collect();
    all_pass("class 2 (near-miss markers)", results);
}

/// Markers that do not stand on a line of their own. `CANARY` is replaced.
const INLINE: &[(&str, &str)] = &[
    (
        "mid-sentence",
        "Text <!-- internal --> CANARY <!-- /internal --> more.",
    ),
    (
        "table cell",
        "| a | b |\n|---|---|\n| <!-- internal --> CANARY <!-- /internal --> | x |",
    ),
    (
        "heading",
        "## Heading <!-- internal --> CANARY <!-- /internal -->",
    ),
    (
        "list item text",
        "- item <!-- internal --> CANARY <!-- /internal -->\n- other item",
    ),
    (
        "link text",
        "[link <!-- internal --> CANARY <!-- /internal -->](other.md)",
    ),
    (
        "image alt text",
        "![alt <!-- internal --> CANARY <!-- /internal -->](../assets/diagram.png)",
    ),
    ("emphasis", "*<!-- internal -->CANARY<!-- /internal -->*"),
    (
        "text after the open marker",
        "<!-- internal --> CANARY\n<!-- /internal -->",
    ),
    (
        "text after the close marker",
        "<!-- internal -->\nCANARY\n<!-- /internal --> tail",
    ),
    (
        "text before the open marker",
        "Lead <!-- internal -->\nCANARY\n<!-- /internal -->",
    ),
    (
        "open and close on one line of their own",
        "<!-- internal --> CANARY <!-- /internal -->",
    ),
    (
        "indented pair inside a paragraph",
        "A paragraph line\n    <!-- internal -->\n    CANARY\n    <!-- /internal -->",
    ),
    (
        "close marker ends a text line",
        "<!-- internal -->\nCANARY\nlast words <!-- /internal -->",
    ),
    (
        "footnote",
        "A note[^n].\n\n[^n]: see <!-- internal --> CANARY <!-- /internal -->",
    ),
    (
        "block quote line",
        "> quoted <!-- internal --> CANARY <!-- /internal -->",
    ),
];

#[test]
fn class_02_inline_markers_are_malformed() {
    let results = INLINE
        .iter()
        .enumerate()
        .map(|(i, (name, body))| {
            let site = Site::new();
            let secret = canary("C02I", i);
            site.policy(&body.replace("CANARY", &secret));
            let result = refused(&site, "internal-marker-malformed", &[LEAK], &[&secret]);
            (name.to_string(), result)
        })
        .collect();
    all_pass("class 2 (inline markers)", results);
}

#[test]
fn class_02_marker_in_indented_code_is_malformed() {
    let bodies = [
        "Before.\n\n    <!-- internal -->\n    CANARY\n    <!-- /internal -->",
        "Before.\n\n\t<!-- internal -->\n\tCANARY\n\t<!-- /internal -->",
    ];
    let results = bodies
        .iter()
        .enumerate()
        .map(|(i, body)| {
            let site = Site::new();
            let secret = canary("C02C", i);
            site.policy(&body.replace("CANARY", &secret));
            (
                format!("{body:?}"),
                refused(&site, "internal-marker-malformed", &[LEAK], &[&secret]),
            )
        })
        .collect();
    all_pass("class 2 (indented code)", results);
}

#[test]
fn class_02_marker_in_fenced_code_is_shown_as_code() {
    let fences = [("```html", "```"), ("~~~", "~~~"), ("````markdown", "````")];
    let results = fences
        .iter()
        .enumerate()
        .map(|(i, (open, close))| {
            let site = Site::new();
            let shown = format!("CODE_SHOWN_{i}_7f3a");
            site.policy(&format!(
                "{open}\n<!-- internal -->\n{shown}\n<!-- /internal -->\n{close}"
            ));
            let result =
                published(&site, &[], &[&shown, "PUBLIC_KEEP_AFTER"], &[&shown]).map(|_| ());
            (format!("{open} fence"), result)
        })
        .collect();
    all_pass("class 2 (fenced code)", results);
}

#[test]
fn class_02_unbalanced_and_nested_markers_are_refused() {
    let bodies = [
        ("open only", "<!-- internal -->\nCANARY\n"),
        ("close only", "CANARY\n\n<!-- /internal -->"),
        (
            "close before open",
            "<!-- /internal -->\nCANARY\n<!-- internal -->",
        ),
        (
            "nested",
            "<!-- internal -->\nA\n\n<!-- internal -->\nCANARY\n<!-- /internal -->\n\nB\n<!-- /internal -->",
        ),
        (
            "two opens, one close",
            "<!-- internal -->\nA\n\n<!-- internal -->\nCANARY\n<!-- /internal -->",
        ),
        (
            "upper-case open never closed",
            "<!-- INTERNAL -->\nCANARY\n",
        ),
    ];
    let results = bodies
        .iter()
        .enumerate()
        .map(|(i, (name, body))| {
            let site = Site::new();
            let secret = canary("C02U", i);
            site.policy(&body.replace("CANARY", &secret));
            (
                name.to_string(),
                refused(&site, "unclosed-internal-block", &[LEAK], &[&secret]),
            )
        })
        .collect();
    all_pass("class 2 (unbalanced markers)", results);
}

/// Placements and spellings the brief does not pin down: recognised or refused, but the
/// text never published.
#[test]
fn class_02_ambiguous_markers_never_leak() {
    let bodies = [
        (
            "block quote, markers on lines of their own",
            "> <!-- internal -->\n> CANARY\n> <!-- /internal -->",
        ),
        (
            "inside a list item, markers on lines of their own",
            "- item\n\n  <!-- internal -->\n  CANARY\n  <!-- /internal -->",
        ),
        (
            "marker comment over three lines",
            "<!--\ninternal\n-->\nCANARY\n<!--\n/internal\n-->",
        ),
        (
            "markers inside an HTML block",
            "<div>\n<!-- internal -->\nCANARY\n<!-- /internal -->\n</div>",
        ),
        (
            "Cyrillic і (homoglyph)",
            "<!-- \u{456}nternal -->\nCANARY\n<!-- /\u{456}nternal -->",
        ),
        (
            "soft hyphen in the word",
            "<!-- inter\u{ad}nal -->\nCANARY\n<!-- /inter\u{ad}nal -->",
        ),
        (
            "combining accent on the i",
            "<!-- i\u{301}nternal -->\nCANARY\n<!-- /i\u{301}nternal -->",
        ),
        (
            "HTML block of markers in a table's neighbourhood",
            "| a |\n|---|\n| b |\n<!-- internal -->\nCANARY\n<!-- /internal -->",
        ),
        (
            "marker right after a heading line",
            "## Heading\n<!-- internal -->\nCANARY\n<!-- /internal -->",
        ),
        (
            "marker right after a paragraph line",
            "A paragraph.\n<!-- internal -->\nCANARY\n<!-- /internal -->",
        ),
        (
            "a fenced close marker inside the block",
            "<!-- internal -->\n```text\n<!-- /internal -->\n```\nCANARY\n<!-- /internal -->",
        ),
        (
            "link reference defined inside the block, used outside",
            "See [the guide][ref].\n\n<!-- internal -->\n[ref]: https://example.com/CANARY\n<!-- /internal -->",
        ),
        (
            "footnote defined inside the block, cited outside",
            "A claim[^s].\n\n<!-- internal -->\n[^s]: Source CANARY.\n<!-- /internal -->",
        ),
        (
            "block opened in one list item, closed in the next",
            "- one\n  <!-- internal -->\n- CANARY\n  <!-- /internal -->",
        ),
        (
            "block opened in a quote, closed outside it",
            "> <!-- internal -->\n> CANARY\n\n<!-- /internal -->",
        ),
    ];
    let results = bodies
        .iter()
        .enumerate()
        .map(|(i, (name, body))| {
            let site = Site::new();
            let secret = canary("C02A", i);
            site.policy(&body.replace("CANARY", &secret));
            (name.to_string(), never_leaks(&site, &[&secret]))
        })
        .collect();
    all_safe("class 2 (ambiguous markers)", results);
}

// ---------------------------------------------------------------------------------------
// Class 3: line endings

#[test]
fn class_03_cr_and_crlf_line_endings() {
    let block = "<!-- internal -->\nSecret CANARY here.\n\nMore.\n<!-- /internal -->";
    type Convert = fn(&str) -> String;
    let variants: [(&str, Convert); 5] = [
        ("CR only", |s| s.replace('\n', "\r")),
        ("CRLF", |s| s.replace('\n', "\r\n")),
        ("LF front matter, CR body", |s| {
            let (front, body) = s.split_at(s.find("\n# ").unwrap());
            front.to_string() + &body.replace('\n', "\r")
        }),
        ("CR front matter, LF body", |s| {
            let (front, body) = s.split_at(s.find("\n# ").unwrap());
            front.replace('\n', "\r") + body
        }),
        ("CR and CRLF mixed in the block", |s| {
            s.replace("-->\n", "-->\r").replace("here.\n", "here.\r\n")
        }),
    ];
    let results = variants
        .iter()
        .enumerate()
        .map(|(i, (name, convert))| {
            let site = Site::new();
            let secret = canary("C03", i);
            site.write(
                LEAK,
                convert(&policy_source(&block.replace("CANARY", &secret))),
            );
            let result = published(
                &site,
                &[&secret],
                &["PUBLIC_KEEP_BEFORE", "PUBLIC_KEEP_AFTER"],
                &[&secret],
            )
            .map(|_| ());
            (name.to_string(), result)
        })
        .collect();
    all_pass("class 3 (line endings)", results);
}

/// Separators CommonMark does not treat as line endings: whatever trustbook makes of them,
/// the text between the markers is never published.
#[test]
fn class_03_other_line_separators_never_leak() {
    let separators = [
        ("U+2028 LINE SEPARATOR", "\u{2028}"),
        ("U+2029 PARAGRAPH SEPARATOR", "\u{2029}"),
        ("U+0085 NEXT LINE", "\u{85}"),
        ("form feed", "\u{c}"),
        ("vertical tab", "\u{b}"),
    ];
    let results = separators
        .iter()
        .enumerate()
        .map(|(i, (name, sep))| {
            let site = Site::new();
            let secret = canary("C03S", i);
            site.policy(&format!(
                "<!-- internal -->{sep}Secret {secret}.{sep}<!-- /internal -->"
            ));
            (name.to_string(), never_leaks(&site, &[&secret]))
        })
        .collect();
    all_safe("class 3 (other separators)", results);
}

// ---------------------------------------------------------------------------------------
// Class 4: public sources that are not published

fn unpublished_page(status: &str, title: &str, summary: &str, body: &str) -> String {
    format!(
        "---\nid: PAGE-LEAK\ntitle: Page {title}\nstatus: {status}\nvisibility: public\n\
         public_summary: Summary {summary}\n---\n\nBody {body}.\n"
    )
}

fn unpublished_policy(status: &str, title: &str, summary: &str, body: &str) -> String {
    format!(
        "---\nid: POL-LEAK\ntitle: Policy {title}\nversion: \"0.9\"\nstatus: {status}\n\
         owner: Head of AI Governance\nnext_review: 2027-01-15\nvisibility: public\n\
         public_summary: Summary {summary}\n---\n\n# Policy {title}\n\nBody {body}.\n"
    )
}

type Source = fn(&str, &str, &str, &str) -> String;

fn class_04(kind: &str, file: &str, source: Source) {
    let results = ["draft", "in_review", "retired"]
        .iter()
        .enumerate()
        .map(|(i, status)| {
            let site = Site::new();
            let (title, summary, body) = (
                canary(&format!("C04T{kind}"), i),
                canary(&format!("C04S{kind}"), i),
                canary(&format!("C04B{kind}"), i),
            );
            site.write(file, source(status, &title, &summary, &body));
            let result =
                published(&site, &[&title, &summary, &body], &[], &[&body]).and_then(|check| {
                    if has_finding(&check, "warning", "public-not-published", &[file]) {
                        Ok(())
                    } else {
                        Err(format!(
                            "no warning public-not-published at {file} (findings: [{}])",
                            findings_text(&check)
                        ))
                    }
                });
            (format!("{kind} with status {status}"), result)
        })
        .collect();
    all_pass("class 4 (public but not published)", results);
}

#[test]
fn class_04_public_pages_that_are_draft_in_review_or_retired_are_withheld() {
    class_04("page", "content/pages/leak.md", unpublished_page);
}

#[test]
fn class_04_public_policies_that_are_not_approved_are_withheld() {
    class_04("policy", LEAK, unpublished_policy);
}

/// Beyond the brief: a restricted document that is a draft shows not even its title.
#[test]
fn class_04_restricted_drafts_never_leak() {
    let results = ["draft", "in_review", "retired"]
        .iter()
        .enumerate()
        .flat_map(|(i, status)| {
            [
                ("page", "content/pages/leak.md", unpublished_page as Source),
                ("policy", LEAK, unpublished_policy as Source),
            ]
            .map(|(kind, file, source)| {
                let site = Site::new();
                let (title, summary, body) = (
                    canary(&format!("C04RT{kind}"), i),
                    canary(&format!("C04RS{kind}"), i),
                    canary(&format!("C04RB{kind}"), i),
                );
                let text = source(status, &title, &summary, &body)
                    .replace("visibility: public", "visibility: restricted");
                site.write(file, text);
                (
                    format!("restricted {kind} with status {status}"),
                    never_leaks(&site, &[&title, &summary, &body]),
                )
            })
        })
        .collect();
    all_safe("class 4 (restricted drafts)", results);
}

// ---------------------------------------------------------------------------------------
// Class 5: links to internal assets

/// A site whose restricted control ACME-2 names `assets/evidence.pdf` as evidence, and whose
/// other internal assets (ACME-1's model card, SYS-1's impact assessment, `assets/internal/`)
/// all carry `secret`.
fn evidence_site(secret: &str) -> Site {
    let site = Site::new();
    site.write(
        "content/assets/evidence.pdf",
        format!("%PDF-1.4\n\u{0}\u{1}binary {secret} report\n%%EOF\n"),
    );
    site.write(
        "content/controls/acme-2.yaml",
        "id: ACME-2\napplicable: true\n\
         justification: Releases reach the public, so misuse must be tested first.\n\
         status: planned\nowner: Head of Security\ntarget_date: 2027-02-01\n\
         evidence:\n  - title: Red-team report\n    path: assets/evidence.pdf\n    collected_on: 2026-01-10\n\
         visibility: restricted\npublic_summary: Release red-teaming is being introduced.\n",
    );
    site.write(
        "content/assets/model-card.txt",
        format!("Model card {secret}\n"),
    );
    site.write(
        "content/assets/impact-assessment.txt",
        format!("Impact {secret}\n"),
    );
    site.write(
        "content/assets/internal/plan.png",
        [b"\x89PNG\r\n\x1a\n".as_slice(), secret.as_bytes()].concat(),
    );
    site.write(
        "content/assets/internal/deep/er/notes.txt",
        format!("notes {secret}\n"),
    );
    site
}

#[test]
fn class_05_links_to_evidence_files_are_refused() {
    let links = [
        ("plain link", "[report](../assets/evidence.pdf)"),
        ("percent-encoded", "[report](../assets/ev%69dence.pdf)"),
        (
            "every letter percent-encoded",
            "[report](../assets/%65%76%69%64%65%6E%63%65.pdf)",
        ),
        ("image", "![report](../assets/evidence.pdf)"),
        (
            "reference-style",
            "[report][r]\n\n[r]: ../assets/evidence.pdf",
        ),
        ("angle brackets", "[report](<../assets/evidence.pdf>)"),
        (
            "with a title",
            "[report](../assets/evidence.pdf \"Report\")",
        ),
        ("dot segment", "[report](../assets/./evidence.pdf)"),
        (
            "climbing and coming back",
            "[report](../assets/../assets/evidence.pdf)",
        ),
        (
            "raw HTML link",
            "<a href=\"../assets/evidence.pdf\">report</a>",
        ),
        (
            "raw HTML image, inline",
            "See <img src=\"../assets/evidence.pdf\" alt=\"r\"> here.",
        ),
        (
            "another control's evidence (model card)",
            "[card](../assets/model-card.txt)",
        ),
        (
            "a system's impact assessment",
            "[impact](../assets/impact-assessment.txt)",
        ),
    ];
    let mut results: Vec<(String, Result<(), String>)> = links
        .iter()
        .enumerate()
        .map(|(i, (name, link))| {
            let secret = canary("C05E", i);
            let site = evidence_site(&secret);
            site.policy(&format!("Read the {link}\n\nMore."));
            (
                name.to_string(),
                refused(&site, "asset-not-public", &[LEAK], &[&secret]),
            )
        })
        .collect();
    // From a free page, too.
    let secret = canary("C05E", 99);
    let site = evidence_site(&secret);
    site.write(
        "content/pages/about.md",
        "---\nid: PAGE-ABOUT\ntitle: About\nvisibility: public\npublic_summary: About.\n---\n\n\
         The [report](../assets/evidence.pdf).\n",
    );
    results.push((
        "from a page".to_string(),
        refused(
            &site,
            "asset-not-public",
            &["content/pages/about.md"],
            &[&secret],
        ),
    ));
    all_pass("class 5 (evidence)", results);
}

#[test]
fn class_05_links_into_assets_internal_are_refused() {
    let links = [
        ("link", "[plan](../assets/internal/plan.png)"),
        ("image", "![plan](../assets/internal/plan.png)"),
        (
            "raw HTML image",
            "<p><img src=\"../assets/internal/plan.png\" alt=\"plan\"></p>",
        ),
        (
            "percent-encoded folder",
            "[plan](../assets/%69nternal/plan.png)",
        ),
        ("deep file", "[notes](../assets/internal/deep/er/notes.txt)"),
        (
            "dot segments",
            "[notes](../assets/internal/deep/./er/../er/notes.txt)",
        ),
    ];
    let results = links
        .iter()
        .enumerate()
        .map(|(i, (name, link))| {
            let secret = canary("C05I", i);
            let site = evidence_site(&secret);
            site.policy(&format!("See {link}."));
            (
                name.to_string(),
                refused(&site, "asset-not-public", &[LEAK], &[&secret]),
            )
        })
        .collect();
    all_pass("class 5 (assets/internal)", results);
}

/// An asset that only an internal block uses is not copied to the public site.
#[test]
fn class_05_assets_used_only_inside_internal_blocks_stay_internal() {
    let uses = [
        ("image", "![plan](../assets/secret-plan.png)"),
        ("link", "[plan](../assets/secret-plan.png)"),
        (
            "raw HTML image",
            "<img src=\"../assets/secret-plan.png\" alt=\"plan\">",
        ),
    ];
    let results = uses
        .iter()
        .enumerate()
        .map(|(i, (name, usage))| {
            let site = Site::new();
            let secret = canary("C05U", i);
            site.write(
                "content/assets/secret-plan.png",
                [b"\x89PNG\r\n\x1a\n".as_slice(), secret.as_bytes()].concat(),
            );
            site.policy(&format!(
                "<!-- internal -->\n\n{usage}\n\n<!-- /internal -->"
            ));
            let result = published(&site, &[&secret], &["PUBLIC_KEEP_AFTER"], &[]).map(|_| ());
            (name.to_string(), result)
        })
        .collect();
    all_pass("class 5 (assets of internal blocks)", results);
}

/// Other ways to point at an evidence file: refused, or built without copying it.
#[test]
fn class_05_other_references_to_evidence_never_leak() {
    let references = [
        (
            "link inside an internal block",
            "<!-- internal -->\n[report](../assets/evidence.pdf)\n<!-- /internal -->",
        ),
        (
            "srcset",
            "<img src=\"../assets/diagram.png\" srcset=\"../assets/evidence.pdf 2x\" alt=\"x\">",
        ),
        (
            "video poster",
            "<video poster=\"../assets/evidence.pdf\"></video>",
        ),
        (
            "CSS url() in a style attribute",
            "<div style=\"background:url(../assets/evidence.pdf)\">x</div>",
        ),
        (
            "object data",
            "<object data=\"../assets/evidence.pdf\"></object>",
        ),
        (
            "link in a footnote",
            "A claim[^e].\n\n[^e]: See [the report](../assets/evidence.pdf).",
        ),
        (
            "link in a table cell",
            "| a |\n|---|\n| [r](../assets/evidence.pdf) |",
        ),
    ];
    let results = references
        .iter()
        .enumerate()
        .map(|(i, (name, body))| {
            let secret = canary("C05R", i);
            let site = evidence_site(&secret);
            site.policy(body);
            (name.to_string(), never_leaks(&site, &[&secret]))
        })
        .collect();
    all_safe("class 5 (other references)", results);
}

/// Spellings the brief does not pin down: refused with any error, or built without the file.
#[test]
fn class_05_evidence_aliases_never_leak() {
    let cases: [(&str, &str, Option<&str>); 7] = [
        (
            "query string",
            "[report](../assets/evidence.pdf?download=1)",
            None,
        ),
        ("fragment", "[report](../assets/evidence.pdf#page=2)", None),
        ("upper-case name", "[report](../assets/EVIDENCE.pdf)", None),
        ("encoded slash", "[report](../assets%2Fevidence.pdf)", None),
        (
            "evidence named as ./assets/…",
            "[report](../assets/evidence.pdf)",
            Some("./assets/evidence.pdf"),
        ),
        (
            "evidence named as assets//…",
            "[report](../assets/evidence.pdf)",
            Some("assets//evidence.pdf"),
        ),
        (
            "evidence named with a dot segment",
            "[report](../assets/evidence.pdf)",
            Some("assets/internal/../evidence.pdf"),
        ),
    ];
    let results = cases
        .iter()
        .enumerate()
        .map(|(i, (name, link, evidence_path))| {
            let secret = canary("C05A", i);
            let site = evidence_site(&secret);
            if let Some(path) = evidence_path {
                site.edit(
                    "content/controls/acme-2.yaml",
                    "path: assets/evidence.pdf",
                    &format!("path: {path}"),
                );
            }
            site.policy(&format!("Read the {link}\n\nMore."));
            (name.to_string(), never_leaks(&site, &[&secret]))
        })
        .collect();
    all_safe("class 5 (evidence aliases)", results);
}

// ---------------------------------------------------------------------------------------
// Class 6: symbolic links in content/assets/

/// A site whose internal control A.6.2.4 and a file outside `content/` carry `secret`.
fn secret_records_site(secret: &str) -> Site {
    let site = Site::new();
    site.write(
        "content/controls/a-6-2-4.yaml",
        format!(
            "id: A.6.2.4\napplicable: true\njustification: Verified {secret} before each release.\n\
             status: partial\nowner: Head of ML\ntarget_date: 2027-03-01\n"
        ),
    );
    site.write("private/outside.txt", format!("outside {secret}\n"));
    site
}

#[test]
fn class_06_asset_symlinks_leading_out_of_assets_are_refused() {
    type Setup = fn(&Site);
    let cases: Vec<(&str, Setup, &str)> = vec![
        (
            "folder linking to ../controls",
            |s| s.symlink("content/assets/ctl", "../controls"),
            "[c](../assets/ctl/a-6-2-4.yaml)",
        ),
        (
            "image through a folder link",
            |s| s.symlink("content/assets/ctl", "../controls"),
            "![c](../assets/ctl/a-6-2-4.yaml)",
        ),
        (
            "file linking to a control record",
            |s| s.symlink("content/assets/ctl.txt", "../controls/a-6-2-4.yaml"),
            "[c](../assets/ctl.txt)",
        ),
        (
            "file linking outside content/",
            |s| s.symlink("content/assets/outside.txt", "../../private/outside.txt"),
            "[c](../assets/outside.txt)",
        ),
        (
            "absolute link to a file outside the site",
            |s| {
                let target = s.path("private/outside.txt");
                s.symlink("content/assets/abs.txt", target)
            },
            "[c](../assets/abs.txt)",
        ),
        (
            "chain of links",
            |s| {
                s.symlink("content/assets/b", "../controls");
                s.symlink("content/assets/a", "b");
            },
            "[c](../assets/a/a-6-2-4.yaml)",
        ),
        (
            "folder linking to the site's root",
            |s| s.symlink("content/assets/root", "../.."),
            "[c](../assets/root/private/outside.txt)",
        ),
        (
            "raw HTML image through a folder link",
            |s| s.symlink("content/assets/ctl", "../controls"),
            "<img src=\"../assets/ctl/a-6-2-4.yaml\" alt=\"c\">",
        ),
    ];
    let mut results: Vec<(String, Result<(), String>)> = cases
        .into_iter()
        .enumerate()
        .map(|(i, (name, setup, link))| {
            let secret = canary("C06", i);
            let site = secret_records_site(&secret);
            setup(&site);
            site.policy(&format!("See {link}."));
            (
                name.to_string(),
                refused(&site, "unsafe-path", &[LEAK, "content/assets/"], &[&secret]),
            )
        })
        .collect();
    // A file of the machine's own: nothing to mark, so check the file is not there.
    if Path::new("/etc/hostname").is_file() {
        let site = Site::new();
        site.symlink("content/assets/host.txt", "/etc/hostname");
        site.policy("See [host](../assets/host.txt).");
        let mut result = refused(&site, "unsafe-path", &[LEAK, "content/assets/"], &[]);
        if site.path("public/assets/host.txt").exists() {
            result = Err("public/assets/host.txt was written".to_string());
        }
        results.push(("link to /etc/hostname".to_string(), result));
    }
    all_pass("class 6 (asset symlinks)", results);
}

#[test]
fn class_06_odd_asset_symlinks_never_leak() {
    type Setup = fn(&Site);
    let cases: Vec<(&str, Setup, &str)> = vec![
        (
            "alias inside assets/ of an evidence file",
            |s| s.symlink("content/assets/alias.pdf", "evidence.pdf"),
            "[c](../assets/alias.pdf)",
        ),
        (
            "alias inside assets/ of assets/internal/",
            |s| s.symlink("content/assets/open", "internal"),
            "[c](../assets/open/plan.png)",
        ),
        (
            "link to itself",
            |s| s.symlink("content/assets/loop", "loop"),
            "[c](../assets/loop)",
        ),
        (
            "dangling link",
            |s| s.symlink("content/assets/gone.txt", "nowhere.txt"),
            "[c](../assets/gone.txt)",
        ),
    ];
    let results = cases
        .into_iter()
        .enumerate()
        .map(|(i, (name, setup, link))| {
            let secret = canary("C06O", i);
            let site = evidence_site(&secret);
            setup(&site);
            site.policy(&format!("See {link}."));
            (name.to_string(), never_leaks(&site, &[&secret]))
        })
        .collect();
    all_safe("class 6 (odd asset symlinks)", results);
}

// ---------------------------------------------------------------------------------------
// Class 7: symbolic links in a site theme

#[test]
fn class_07_theme_symlinks_leading_out_of_the_theme_are_refused() {
    type Setup = fn(&Site);
    let cases: Vec<(&str, Setup)> = vec![
        ("static folder linking to content/controls", |s| {
            s.symlink("themes/leaky/static/ctl", "../../../content/controls")
        }),
        (
            "static file replacing style.css, linking to a control",
            |s| {
                s.symlink(
                    "themes/leaky/static/style.css",
                    "../../../content/controls/a-6-2-4.yaml",
                )
            },
        ),
        ("new static file linking to a control", |s| {
            s.symlink(
                "themes/leaky/static/notes.txt",
                "../../../content/controls/a-6-2-4.yaml",
            )
        }),
        ("the static folder itself a link", |s| {
            fs::remove_dir_all(s.path("themes/leaky/static")).unwrap();
            s.symlink("themes/leaky/static", "../../content/controls")
        }),
        ("template linking to a control", |s| {
            s.symlink(
                "themes/leaky/templates/public/404.html",
                "../../../../content/controls/a-6-2-4.yaml",
            )
        }),
        ("template folder linking to content/controls", |s| {
            s.symlink("themes/leaky/templates/public", "../../../content/controls")
        }),
        ("absolute link to a file outside the site", |s| {
            let target = s.path("private/outside.txt");
            s.symlink("themes/leaky/static/abs.txt", target)
        }),
        ("static file linking outside the site's folder", |s| {
            s.symlink(
                "themes/leaky/static/out.txt",
                "../../../private/outside.txt",
            )
        }),
    ];
    let mut results: Vec<(String, Result<(), String>)> = cases
        .into_iter()
        .enumerate()
        .map(|(i, (name, setup))| {
            let secret = canary("C07", i);
            let site = secret_records_site(&secret);
            site.edit("content/site.yaml", "theme: default", "theme: leaky");
            fs::create_dir_all(site.path("themes/leaky/static")).unwrap();
            fs::create_dir_all(site.path("themes/leaky/templates/public")).unwrap();
            setup(&site);
            (
                name.to_string(),
                refused(&site, "unsafe-path", &["themes/"], &[&secret]),
            )
        })
        .collect();
    // The default theme's override folder too.
    let secret = canary("C07", 99);
    let site = secret_records_site(&secret);
    site.symlink(
        "themes/default/static/leak.txt",
        "../../../content/controls/a-6-2-4.yaml",
    );
    results.push((
        "override of the default theme".to_string(),
        refused(&site, "unsafe-path", &["themes/"], &[&secret]),
    ));
    all_pass("class 7 (theme symlinks)", results);
}

#[test]
fn class_07_theme_folder_that_is_a_link_never_leaks() {
    let secret = canary("C07F", 0);
    let site = secret_records_site(&secret);
    site.write("private/theme/static/leak.txt", format!("theme {secret}\n"));
    site.edit("content/site.yaml", "theme: default", "theme: leaky");
    site.symlink("themes/leaky", "../private/theme");
    all_safe(
        "class 7 (theme folder link)",
        vec![(
            "themes/leaky → ../private/theme".to_string(),
            never_leaks(&site, &[&secret]),
        )],
    );
}

// ---------------------------------------------------------------------------------------
// Class 8: objectives whose controls are all internal

fn own_catalogue_site(objective: &str, titles: [&str; 2], visibility: &str, name: &str) -> Site {
    let site = Site::new();
    site.edit(
        "content/site.yaml",
        "frameworks: [acme]",
        "frameworks: [acme, xcat]",
    );
    site.write(
        "content/catalogs/xcat.yaml",
        format!(
            "framework: xcat\nname: \"{name}\"\nobjectives:\n  - {{id: X-SECRET, title: \"{objective}\"}}\n\
             controls:\n  - {{id: X-1, objective: X-SECRET, title: \"{}\"}}\n\
             \x20 - {{id: X-2, objective: X-SECRET, title: \"{}\"}}\n",
            titles[0], titles[1]
        ),
    );
    site.write(
        "content/controls/x-1.yaml",
        format!(
            "id: X-1\napplicable: true\njustification: Needed.\nstatus: implemented\n\
             owner: Head of ML\n{visibility}"
        ),
    );
    site.write(
        "content/controls/x-2.yaml",
        format!(
            "id: X-2\napplicable: false\njustification: Not needed.\nstatus: not-applicable\n{visibility}"
        ),
    );
    site
}

#[test]
fn class_08_objective_titles_of_internal_controls_stay_internal() {
    let results = ["", "visibility: internal\n"]
        .iter()
        .enumerate()
        .map(|(i, visibility)| {
            let objective = canary("C08O", i);
            let (one, two) = (canary("C08A", i), canary("C08B", i));
            let site = own_catalogue_site(&objective, [&one, &two], visibility, "X catalogue");
            let result = published(
                &site,
                &[&objective, &one, &two],
                &["Model cards for every model"],
                &[&objective],
            )
            .map(|_| ());
            (format!("visibility {:?}", visibility.trim()), result)
        })
        .collect();
    all_pass("class 8 (objective titles)", results);
}

/// Beyond the brief: a catalogue whose controls are all internal does not name itself.
#[test]
fn class_08_catalogue_name_of_an_all_internal_framework_stays_internal() {
    let name = canary("C08N", 0);
    let site = own_catalogue_site("Secret objective", ["X one", "X two"], "", &name);
    let run = build(site.root(), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_no_canary(&site.path("public"), &name);
    assert_no_canary(&site.path("internal/preview"), &name);
}

// ---------------------------------------------------------------------------------------
// Class 9: CDATA, processing instructions, declarations

#[test]
fn class_09_cdata_processing_instructions_and_declarations_are_removed() {
    let bodies = [
        ("CDATA block", "<![CDATA[CANARY]]>"),
        ("CDATA inline", "Text <![CDATA[CANARY]]> more."),
        ("CDATA over lines", "<![CDATA[\nfirst\nCANARY\n]]>"),
        (
            "CDATA in an HTML block",
            "<div>\n<![CDATA[CANARY]]>\n</div>",
        ),
        ("processing instruction block", "<?php echo 'CANARY'; ?>"),
        (
            "processing instruction inline",
            "Text <?php CANARY ?> more.",
        ),
        (
            "XML declaration",
            "<?xml version=\"1.0\" encoding=\"CANARY\"?>",
        ),
        (
            "processing instruction in an HTML block",
            "<div><?xml CANARY?></div>",
        ),
        ("DOCTYPE block", "<!DOCTYPE CANARY>"),
        ("DOCTYPE inline", "Text <!DOCTYPE CANARY> more."),
        ("element declaration", "<!ELEMENT CANARY ANY>"),
        ("CDATA with spaces", "Text <![CDATA[ CANARY ]]> and on."),
    ];
    let results = bodies
        .iter()
        .enumerate()
        .map(|(i, (name, body))| {
            let site = Site::new();
            let secret = canary("C09", i);
            site.policy(&body.replace("CANARY", &secret));
            // CDATA is text inside SVG and MathML: refused rather than guessed at. The rest
            // are removed by the sanitiser.
            let result = if name.contains("CDATA") {
                refused(
                    &site,
                    "comment-not-hidden",
                    &["content/policies/leak.md"],
                    &[&secret],
                )
            } else {
                published(
                    &site,
                    &[&secret],
                    &["PUBLIC_KEEP_BEFORE", "PUBLIC_KEEP_AFTER"],
                    &[],
                )
                .map(|_| ())
            };
            (name.to_string(), result)
        })
        .collect();
    all_pass("class 9 (CDATA, PI, declarations)", results);
}

/// Comments never reach the public site, in any form (published without them, or refused).
#[test]
fn class_09_comments_in_every_form_never_leak() {
    let bodies = [
        ("inline", "Text <!-- CANARY --> more."),
        ("no spaces", "Text <!--CANARY--> more."),
        ("three dashes", "<!--- CANARY --->"),
        ("dashes inside", "<!-- a -- CANARY -- b -->"),
        ("closed by --!>", "<!-- CANARY --!>\n\nMore text."),
        ("inside an HTML block", "<p>ok <!-- CANARY --> ok</p>"),
        ("over lines in a paragraph", "Text <!--\nCANARY\n--> more."),
        ("never closed", "Text\n\n<!-- CANARY\n\nmore"),
        (
            "comment breakout",
            "<!--<img src=\"--><p>after</p><!-- CANARY -->\">",
        ),
    ];
    let results = bodies
        .iter()
        .enumerate()
        .map(|(i, (name, body))| {
            let site = Site::new();
            let secret = canary("C09C", i);
            site.policy(&body.replace("CANARY", &secret));
            (name.to_string(), never_leaks(&site, &[&secret]))
        })
        .collect();
    all_safe("class 9 (comments)", results);
}

// ---------------------------------------------------------------------------------------
// Class 10: links to anchors inside internal blocks

/// POL-2 (`other.md`) with two headings inside an internal block.
fn anchors_site(heading: &str, id: &str) -> Site {
    let site = Site::new();
    site.write(
        "content/policies/other.md",
        format!(
            "---\nid: POL-2\ntitle: Data procedure\ndoc_type: procedure\nversion: \"1.0\"\n\
             status: approved\nowner: Data Protection Officer\napproved_by: Head of AI Governance\n\
             approved_on: 2026-03-01\nnext_review: 2027-03-01\nvisibility: public\n\
             public_summary: How long we keep data used for AI.\n---\n\n# Data procedure\n\n\
             ## Data retention\n\nTraining data is kept for two years.\n\n<!-- internal -->\n\
             ## {heading}\n\nInternal detail.\n\n## Explicit {{#{id}}}\n\nMore.\n<!-- /internal -->\n"
        ),
    );
    site
}

/// Every `href` in `html` that points at POL-2's page.
fn hrefs_to_other(html: &str) -> Vec<String> {
    attribute_values(html, "href")
        .into_iter()
        .filter(|h| h.contains("other/") || h.contains("other.md"))
        .collect()
}

#[test]
fn class_10_links_to_anchors_inside_internal_blocks() {
    // (name, linking file, its public page, body with HEADING/ID/SELF replaced)
    let cases = [
        (
            "to a heading in another document",
            LEAK,
            "policies/leak",
            "See [it](other.md#HEADING).",
        ),
        (
            "to an explicit id",
            LEAK,
            "policies/leak",
            "See [it](other.md#ID).",
        ),
        (
            "raw HTML link",
            LEAK,
            "policies/leak",
            "See <a href=\"other.md#HEADING\">it</a>.",
        ),
        (
            "from a page",
            "content/pages/about.md",
            "pages/about",
            "See [it](../policies/other.md#HEADING).",
        ),
        (
            "within the same document",
            LEAK,
            "policies/leak",
            "See [it](#SELF).\n\n<!-- internal -->\n## SELF\n\nDetail.\n<!-- /internal -->",
        ),
    ];
    let results = cases
        .iter()
        .enumerate()
        .map(|(i, (name, file, page, body))| {
            let (heading, id, own) = (
                canary("C10H", i),
                canary("C10I", i).to_lowercase(),
                canary("C10S", i),
            );
            let site = anchors_site(&heading, &id);
            let body = body
                .replace("HEADING", &heading.to_lowercase())
                .replace("ID", &id)
                .replace("SELF", &own);
            // `## SELF` took the heading's own spelling; the link its slug.
            let body = body.replace(&format!("#{own}"), &format!("#{}", own.to_lowercase()));
            if *file == LEAK {
                site.policy(&body);
            } else {
                site.write(
                    file,
                    format!(
                        "---\nid: PAGE-ABOUT\ntitle: About\nvisibility: public\n\
                         public_summary: About.\n---\n\n{body}\n"
                    ),
                );
            }
            let result =
                published(&site, &[&heading, &id, &own], &[], &[&heading, &id]).and_then(|check| {
                    if !has_finding(&check, "warning", "link-to-non-public", &[file]) {
                        return Err(format!(
                            "no warning link-to-non-public at {file} (findings: [{}])",
                            findings_text(&check)
                        ));
                    }
                    if body.contains("other") {
                        let html =
                            fs::read_to_string(site.path("public").join(page).join("index.html"))
                                .map_err(|e| format!("public/{page}/index.html: {e}"))?;
                        let hrefs = hrefs_to_other(&html);
                        if hrefs.is_empty() || hrefs.iter().any(|h| h.contains('#')) {
                            return Err(format!(
                                "public/{page}/ should link to POL-2 without a fragment: {hrefs:?}"
                            ));
                        }
                    }
                    Ok(())
                });
            (name.to_string(), result)
        })
        .collect();
    all_pass("class 10 (anchors into internal blocks)", results);
}

// ---------------------------------------------------------------------------------------
// Class 11: links in raw HTML

#[test]
fn class_11_raw_html_links_are_rewritten_like_markdown_links() {
    // (name, raw HTML, where an href of the public page must then lead, from the site's root)
    let cases = [
        (
            "inline link",
            "See <a href=\"other.md\">the procedure</a>.",
            "policies/other/index.html",
        ),
        (
            "inline link with an anchor",
            "See <a href=\"other.md#data-retention\">retention</a>.",
            "policies/other/index.html#data-retention",
        ),
        (
            "block link to a page",
            "<p><a href=\"../pages/about.md\">About</a></p>",
            "pages/about/index.html",
        ),
        (
            "single quotes",
            "See <a href='other.md'>the procedure</a>.",
            "policies/other/index.html",
        ),
        (
            "no quotes, upper case",
            "See <A HREF=other.md>the procedure</A>.",
            "policies/other/index.html",
        ),
        (
            "link to a control record",
            "See <a href=\"../controls/acme-1.yaml\">ACME-1</a>.",
            "controls/acme-1/index.html",
        ),
    ];
    let mut results: Vec<(String, Result<(), String>)> = cases
        .iter()
        .map(|(name, raw, expected)| {
            let site = Site::new();
            site.policy(raw);
            let result = published(&site, &[], &["PUBLIC_KEEP_AFTER"], &[]).and_then(|_| {
                let html =
                    fs::read_to_string(site.path("public/policies/leak/index.html")).unwrap();
                let hrefs = attribute_values(&html, "href");
                let raw_left: Vec<&String> = hrefs
                    .iter()
                    .filter(|h| h.contains(".md") || h.contains(".yaml"))
                    .collect();
                if !raw_left.is_empty() {
                    return Err(format!("source paths left in hrefs: {raw_left:?}"));
                }
                if !hrefs
                    .iter()
                    .any(|h| from_root("policies/leak/", h) == *expected)
                {
                    return Err(format!("no href to {expected:?} among {hrefs:?}"));
                }
                let broken = common::broken_links(&site.path("public"));
                if !broken.is_empty() {
                    return Err(format!("broken links in public/: {broken:?}"));
                }
                Ok(())
            });
            (name.to_string(), result)
        })
        .collect();
    // An image in raw HTML is rewritten and its asset copied.
    let site = Site::new();
    site.edit(
        "content/policies/policy.md",
        "![architecture](../assets/diagram.png)",
        "",
    );
    site.policy("<p><img src=\"../assets/diagram.png\" alt=\"diagram\"></p>");
    let result = published(&site, &[], &[], &[]).and_then(|_| {
        let html = fs::read_to_string(site.path("public/policies/leak/index.html")).unwrap();
        let srcs = attribute_values(&html, "src");
        if !srcs
            .iter()
            .any(|s| from_root("policies/leak/", s) == "assets/diagram.png")
        {
            return Err(format!("img src not rewritten: {srcs:?}"));
        }
        if !site.path("public/assets/diagram.png").is_file() {
            return Err("public/assets/diagram.png not copied".to_string());
        }
        Ok(())
    });
    results.push(("raw HTML image".to_string(), result));
    all_pass("class 11 (raw HTML links rewritten)", results);
}

#[test]
fn class_11_raw_html_links_to_missing_files_are_broken_links() {
    let cases = [
        (
            "inline link",
            "See <a href=\"missing.md\">x</a>.",
            "broken-link",
        ),
        (
            "single quotes",
            "See <a href='missing.md'>x</a>.",
            "broken-link",
        ),
        (
            "upper case, no quotes",
            "See <A HREF=missing.md>x</A>.",
            "broken-link",
        ),
        (
            "block link",
            "<p><a href=\"../pages/missing.md#x\">x</a></p>",
            "broken-link",
        ),
        (
            "image",
            "<img src=\"../assets/missing.png\" alt=\"x\">",
            "broken-link",
        ),
        (
            "missing anchor",
            "See <a href=\"other.md#no-such-anchor\">x</a>.",
            "broken-anchor",
        ),
    ];
    let results = cases
        .iter()
        .map(|(name, raw, code)| {
            let site = Site::new();
            site.policy(raw);
            (name.to_string(), refused(&site, code, &[LEAK], &[]))
        })
        .collect();
    all_pass("class 11 (raw HTML broken links)", results);
}

#[test]
fn class_11_links_to_internal_documents_say_nothing_publicly() {
    let cases = [
        ("raw HTML link", "See <a href=\"FILE.md\">the guide</a>."),
        ("Markdown link", "See [the guide](FILE.md)."),
        (
            "raw HTML block",
            "<p><a href=\"FILE.md#scope\">the guide</a></p>",
        ),
        // A link's title describes where it led: it goes with the link.
        (
            "raw HTML link with a title",
            "See <a title=\"LINKTITLE\" href=\"FILE.md\">the guide</a>.",
        ),
        (
            "Markdown link with a title",
            "See [the guide](FILE.md \"LINKTITLE\").",
        ),
        (
            "Markdown link with a title beside raw HTML",
            "See <b>the</b> [guide](FILE.md 'LINKTITLE') and <a href=\"FILE.md\" title=LINKTITLE>it</a>.",
        ),
    ];
    let results = cases
        .iter()
        .enumerate()
        .map(|(i, (name, body))| {
            let site = Site::new();
            let file = canary("C11F", i).to_lowercase();
            let title = canary("C11T", i);
            let link_title = canary("C11L", i);
            site.write(
                &format!("content/policies/{file}.md"),
                format!(
                    "---\nid: POL-SECRET\ntitle: Guide {title}\nversion: \"1.0\"\nstatus: approved\n\
                     owner: Head of AI Governance\napproved_by: Board\napproved_on: 2026-01-15\n\
                     next_review: 2027-01-15\nvisibility: internal\n---\n\n# Guide\n\n## Scope\n\nText.\n"
                ),
            );
            site.policy(&body.replace("FILE", &file).replace("LINKTITLE", &link_title));
            let result = published(
                &site,
                &[&file, &title, &link_title],
                &["PUBLIC_KEEP_AFTER"],
                // The handbook shows the link, title and all.
                &[&title, if body.contains("LINKTITLE") { &link_title } else { &title }],
            )
                .and_then(|check| {
                    if has_finding(&check, "warning", "link-to-non-public", &[LEAK]) {
                        Ok(())
                    } else {
                        Err(format!(
                            "no warning link-to-non-public (findings: [{}])",
                            findings_text(&check)
                        ))
                    }
                });
            (name.to_string(), result)
        })
        .collect();
    all_pass("class 11 (links to internal documents)", results);
}

// ---------------------------------------------------------------------------------------
// Every class: a refused build over an earlier one leaves it exactly as it was

#[test]
fn class_00_a_refused_build_leaves_the_previous_output_alone() {
    type Setup = fn(&Site, &str);
    let cases: Vec<(&str, &str, &[&str], Setup)> = vec![
        (
            "inline marker",
            "internal-marker-malformed",
            &[LEAK],
            |s, secret| {
                s.policy(&format!(
                    "Text <!-- internal --> {secret} <!-- /internal -->."
                ))
            },
        ),
        (
            "link to evidence",
            "asset-not-public",
            &[LEAK],
            |s, secret| {
                s.write("content/assets/model-card.txt", format!("card {secret}\n"));
                s.policy("The [card](../assets/model-card.txt).");
            },
        ),
        (
            "asset symlink to the controls",
            "unsafe-path",
            &[LEAK, "content/assets/"],
            |s, secret| {
                s.write(
                    "content/controls/a-6-2-4.yaml",
                    format!(
                        "id: A.6.2.4\napplicable: true\njustification: {secret}.\n\
                         status: partial\nowner: Head of ML\ntarget_date: 2027-03-01\n"
                    ),
                );
                s.symlink("content/assets/ctl", "../controls");
                s.policy("See [c](../assets/ctl/a-6-2-4.yaml).");
            },
        ),
        (
            "theme template symlink",
            "unsafe-path",
            &["themes/"],
            |s, secret| {
                s.write("private/secret.txt", format!("secret {secret}\n"));
                s.symlink(
                    "themes/default/templates/public/404.html",
                    "../../../../private/secret.txt",
                );
            },
        ),
    ];
    let results = cases
        .into_iter()
        .enumerate()
        .map(|(i, (name, code, places, setup))| {
            let site = Site::built();
            let secret = canary("C00", i);
            setup(&site, &secret);
            (name.to_string(), refused(&site, code, places, &[&secret]))
        })
        .collect();
    all_pass("refused over an earlier build", results);
}

// ---------------------------------------------------------------------------------------
// The helpers themselves

#[test]
fn the_canary_walker_finds_names_bytes_and_slugs() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("a/canary-name-7f3a")).unwrap();
    fs::write(
        dir.path().join("a/x.bin"),
        b"\x00\xffzz canary_bytes_7f3a zz",
    )
    .unwrap();
    fs::write(dir.path().join("a/y.html"), "id=\"canary-slug-7f3a\"").unwrap();
    assert!(!canary_hits(dir.path(), "CANARY_NAME_7f3a").is_empty());
    assert!(!canary_hits(dir.path(), "CANARY_BYTES_7f3a").is_empty());
    assert!(!canary_hits(dir.path(), "CANARY_SLUG_7f3a").is_empty());
    assert!(canary_hits(dir.path(), "CANARY_ABSENT_7f3a").is_empty());
    assert_eq!(
        from_root("policies/leak/", "../../policies/other/index.html#x"),
        "policies/other/index.html#x"
    );
    assert_eq!(
        attribute_values(
            "<a href='a.md'>x</a><A HREF=b.md>y</A><a\thref=\"c.md\">",
            "href"
        ),
        ["a.md", "b.md", "c.md"]
    );
    let errors = build_errors(&Run {
        code: 1,
        stdout: String::new(),
        stderr: "error[broken-link]: x\n   ┌─ content/policies/policy.md:24:9\n\
                 error[unsafe-path]: themes/t/static/a.css: theme file is a link\n"
            .to_string(),
    });
    assert_eq!(
        errors,
        vec![
            (
                "broken-link".to_string(),
                "content/policies/policy.md".to_string()
            ),
            (
                "unsafe-path".to_string(),
                "themes/t/static/a.css".to_string()
            )
        ]
    );
}
