//! A document's `version` and its `revisions` tell one story: the newest revision is the
//! version the document says it is. Otherwise the public page would show a version and a
//! revision history that contradict each other.

use super::value_at;
use crate::finding::{Code, Finding};
use crate::load::Site;

pub fn check(site: &Site, findings: &mut Vec<Finding>) {
    for document in &site.documents {
        let meta = &document.record.data;
        let (Some(version), Some((index, newest))) = (
            &meta.version,
            // The newest by date; of two on the same day, the later in the list.
            meta.revisions
                .iter()
                .enumerate()
                .max_by_key(|(i, r)| (r.date, *i)),
        ) else {
            continue;
        };
        if **version != *newest.version {
            let at = value_at(
                document.record.file,
                &document.record.positions,
                &format!("revisions.{index}.version"),
            );
            findings.push(
                Finding::new(
                    Code::VersionMismatch,
                    format!(
                        "the newest revision ({}, {}) is version {}, but the document says `version: {version}`",
                        newest.date, newest.summary, newest.version
                    ),
                )
                .at(at)
                .note(
                    value_at(document.record.file, &document.record.positions, "version"),
                    "the document's version",
                )
                .help("make `version` the newest revision's version (a new version starts as a draft until it is approved), or fix the revision"),
            );
        }
    }
}
