//! Links between sources: a relative link names another source file (and maybe a heading
//! in it) or an asset; both must exist. On the public site a link to something unpublished
//! would lose its target, so that is a warning. Also: internal-block markers, and two
//! sources that would be written to the same URL.

use super::{AnyRecord, Index, Kind, each_record, effective_visibility};
use crate::finding::{At, Code, Finding};
use crate::links::{Resolver, Target};
use crate::load::outline::{Link, MarkerError};
use crate::load::records::Visibility;
use crate::load::{Document, Site};
use std::collections::HashMap;

pub fn check(site: &Site, index: &Index, findings: &mut Vec<Finding>) {
    let resolver = Resolver::new(site);
    for document in &site.documents {
        marker_errors(document, findings);
        let meta = &document.record.data;
        let kind = match document.kind {
            crate::load::DocKind::Policy => Kind::Policy,
            crate::load::DocKind::Page => Kind::Page,
        };
        let public = effective_visibility(meta.visibility, meta.status, kind) == Visibility::Public;
        for link in &document.outline.links {
            check_link(site, index, &resolver, document, link, public, findings);
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

fn check_link(
    site: &Site,
    index: &Index,
    resolver: &Resolver,
    document: &Document,
    link: &Link,
    public: bool,
    findings: &mut Vec<Finding>,
) {
    let at = At {
        file: document.record.file,
        span: link.span.start + document.body_start..link.span.end + document.body_start,
    };
    let resolved = match resolver.resolve(document.record.file, &link.dest) {
        Ok(Some(resolved)) => resolved,
        Ok(None) => return,
        Err(message) => {
            findings.push(
                Finding::new(Code::BrokenLink, format!("broken link: {message}"))
                    .at(at)
                    .help("links are relative to this file, for example `../policies/data.md#retention`"),
            );
            return;
        }
    };
    let anchor = resolved.anchor.as_str();
    let Target::Record(id) = resolved.target else {
        return;
    };
    let Some(entry) = index.by_id.get(id) else {
        return;
    };
    if !anchor.is_empty() {
        let anchors = entry.document.map(|i| &site.documents[i].outline.anchors);
        if !anchors.is_some_and(|a| a.contains(anchor)) {
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
    for AnyRecord {
        kind,
        id,
        file,
        positions,
        url,
        ..
    } in each_record(site)
    {
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
