//! Links between sources: a relative link names another source file (and maybe a heading
//! in it) or an asset; both must exist. On the public site a link to something unpublished
//! would lose its target, so that is a warning. Also: internal-block markers, and two
//! sources that would be written to the same URL.

use super::{Index, Kind, each_record, effective_visibility, url_of};
use crate::check::evidence::inside_content;
use crate::finding::{At, Code, Finding};
use crate::load::outline::{Link, MarkerError};
use crate::load::records::Visibility;
use crate::load::{Document, Site};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// What a link's destination turned out to be.
enum Target<'a> {
    Source(&'a str),
    /// A source that failed to load: already reported.
    Unloaded,
    Asset,
}

fn is_external(dest: &str) -> bool {
    let scheme = dest.split_once(':').map(|(s, _)| s);
    dest.starts_with("//")
        || scheme.is_some_and(|s| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        })
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
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
    String::from_utf8_lossy(&out).into_owned()
}

/// Source files by their path under `content/`, to the id of the record they hold.
fn sources_by_path(site: &Site) -> HashMap<PathBuf, &str> {
    each_record(site)
        .filter_map(|(_, id, file, _, _)| {
            let path = site.sources.path(file).strip_prefix("content").ok()?;
            Some((path.to_path_buf(), id))
        })
        .collect()
}

pub fn check(site: &Site, index: &Index, findings: &mut Vec<Finding>) {
    let by_path = sources_by_path(site);
    for document in &site.documents {
        marker_errors(document, findings);
        let meta = &document.record.data;
        let kind = match document.kind {
            crate::load::DocKind::Policy => Kind::Policy,
            crate::load::DocKind::Page => Kind::Page,
        };
        let public = effective_visibility(meta.visibility, meta.status, kind) == Visibility::Public;
        for link in &document.outline.links {
            check_link(site, index, &by_path, document, link, public, findings);
        }
    }
}

fn marker_errors(document: &Document, findings: &mut Vec<Finding>) {
    for error in &document.outline.marker_errors {
        let (span, message, help) = match error {
            MarkerError::Unclosed(span) => (
                span,
                "internal block is never closed",
                "add a line `<!-- /internal -->` where the internal part ends",
            ),
            MarkerError::UnexpectedClose(span) => (
                span,
                "`<!-- /internal -->` closes no internal block",
                "remove it, or add `<!-- internal -->` where the internal part starts",
            ),
            MarkerError::Nested(span) => (
                span,
                "internal block opened inside another",
                "close the first block with `<!-- /internal -->` before opening another",
            ),
        };
        let at = At {
            file: document.record.file,
            span: span.start + document.body_start..span.end + document.body_start,
        };
        findings.push(
            Finding::new(Code::UnclosedInternalBlock, message)
                .at(at)
                .help(help),
        );
    }
}

fn resolve<'a>(
    site: &Site,
    by_path: &HashMap<PathBuf, &'a str>,
    document: &Document,
    path: &str,
) -> Result<Target<'a>, String> {
    let source = site.sources.path(document.record.file);
    let folder = source
        .parent()
        .and_then(|p| p.strip_prefix("content").ok())
        .unwrap_or(Path::new(""));
    let joined = folder.join(percent_decode(path));
    let relative = inside_content(&joined.to_string_lossy())
        .ok_or_else(|| format!("`{path}` leads outside content/"))?;
    if let Some(id) = by_path.get(&relative) {
        return Ok(Target::Source(id));
    }
    if site
        .unloaded_paths
        .contains(&Path::new("content").join(&relative))
    {
        return Ok(Target::Unloaded);
    }
    let full = site.content.join(&relative);
    if relative.starts_with("assets") && full.is_file() {
        return Ok(Target::Asset);
    }
    if full.exists() {
        return Err(format!(
            "`{path}` is not a policy, page, record or asset (assets live in content/assets/)"
        ));
    }
    Err(format!("`{path}` does not exist"))
}

fn check_link(
    site: &Site,
    index: &Index,
    by_path: &HashMap<PathBuf, &str>,
    document: &Document,
    link: &Link,
    public: bool,
    findings: &mut Vec<Finding>,
) {
    if is_external(&link.dest) {
        return;
    }
    let at = At {
        file: document.record.file,
        span: link.span.start + document.body_start..link.span.end + document.body_start,
    };
    let (path, anchor) = link.dest.split_once('#').unwrap_or((&link.dest, ""));
    let target = if path.is_empty() {
        Target::Source(&document.record.data.id)
    } else {
        match resolve(site, by_path, document, path) {
            Ok(target) => target,
            Err(message) => {
                findings.push(
                    Finding::new(Code::BrokenLink, format!("broken link: {message}"))
                        .at(at)
                        .help("links are relative to this file, for example `../policies/data.md#retention`"),
                );
                return;
            }
        }
    };
    let Target::Source(id) = target else { return };
    let Some(entry) = index.by_id.get(id) else {
        return;
    };
    if !anchor.is_empty() {
        let anchors = entry.document.map(|i| &site.documents[i].outline.anchors);
        if !anchors.is_some_and(|a| a.contains(&percent_decode(anchor))) {
            let help = match anchors {
                Some(anchors) if !anchors.is_empty() => {
                    let mut known: Vec<_> = anchors.iter().map(String::as_str).collect();
                    known.sort();
                    format!("headings there: {}", known.join(", "))
                }
                Some(_) => "that document has no headings".to_string(),
                None => format!(
                    "a {} page has no headings to link to: drop `#{anchor}`",
                    entry.kind.noun()
                ),
            };
            findings.push(
                Finding::new(
                    Code::BrokenAnchor,
                    format!("broken anchor: `#{anchor}` is no heading of `{id}`"),
                )
                .at(at)
                .help(help),
            );
            return;
        }
    }
    if public && !link.in_internal_block && !entry.published {
        findings.push(
            Finding::new(
                Code::LinkToNonPublic,
                format!("this public page links to `{id}`, which is not published: the public site shows the text without the link"),
            )
            .at(at)
            .help("publish the target, put the link in an internal block, or remove it"),
        );
    }
}

/// Two records that would be written to the same page. Compared without case, because
/// macOS, Windows and some static hosts do not tell `a/` from `A/`.
pub fn check_url_collisions(site: &Site, findings: &mut Vec<Finding>) {
    let mut seen: HashMap<String, (At, String, &str)> = HashMap::new();
    for (kind, id, file, positions, document) in each_record(site) {
        let url = url_of(site, kind, id, document, file);
        let at = At {
            file,
            span: positions.value("id"),
        };
        match seen.get(&url.to_lowercase()) {
            // The same id twice is already a duplicate-id error.
            Some((_, _, first_id)) if *first_id == id => {}
            Some((first, first_url, _)) => findings.push(
                Finding::new(
                    Code::UrlCollision,
                    format!(
                        "this {} would be written to `{url}`, like another source",
                        kind.noun()
                    ),
                )
                .at(at)
                .note(first.clone(), format!("already written to `{first_url}`"))
                .help("rename the file or the id so that each gets its own page"),
            ),
            None => {
                seen.insert(url.to_lowercase(), (at, url, id));
            }
        }
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
