//! What changed since the last management review (ISO/IEC 42001 9.3), for the review pack:
//! the sources as they were at the review date (read from git by the same loader) against
//! the sources now.

use super::risk_level;
use crate::load::Site;
use crate::load::date::Date;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Default, Serialize)]
pub struct SinceReview {
    /// The date of the last management review.
    pub review: Option<Date>,
    /// The commit the earlier state was read from, as `abc1234 (YYYY-MM-DD)`.
    pub compared_with: Option<String>,
    /// Why no comparison could be made, in words.
    pub unavailable: Option<String>,
    pub changes: Vec<Change>,
}

#[derive(Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Change {
    /// `document`, `control`, `risk` or `system`.
    pub kind: &'static str,
    pub id: String,
    pub title: String,
    /// What changed, in words: "version 1.0 → 1.1", "added", "retired".
    pub what: String,
}

fn word<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn describe(parts: Vec<(&str, String, String)>) -> Option<String> {
    let changed: Vec<String> = (parts.into_iter())
        .filter(|(_, before, after)| before != after)
        .map(|(field, before, after)| format!("{field} {before} → {after}"))
        .collect();
    (!changed.is_empty()).then(|| changed.join(", "))
}

/// "added", or, for a record whose source did not load at the review, that it did not.
fn added(earlier: &Site, id: &str) -> String {
    if earlier.unloaded_ids.contains(id) {
        "did not load at the last review: compare by hand".to_string()
    } else {
        "added".to_string()
    }
}

/// The changes from `earlier` to `now` that a management review looks at.
pub fn changes(earlier: &Site, now: &Site) -> Vec<Change> {
    let mut changes = Vec::new();
    let mut push = |kind, id: &str, title: &str, what: String| {
        changes.push(Change {
            kind,
            id: id.to_string(),
            title: title.to_string(),
            what,
        })
    };
    let before: BTreeMap<_, _> = (earlier.documents.iter())
        .map(|d| (d.record.data.id.as_str(), &d.record.data))
        .collect();
    for document in &now.documents {
        let meta = &document.record.data;
        let what = match before.get(meta.id.as_str()) {
            None => Some(added(earlier, &meta.id)),
            Some(old) => describe(vec![
                (
                    "version",
                    old.version.as_deref().unwrap_or("none").to_string(),
                    meta.version.as_deref().unwrap_or("none").to_string(),
                ),
                ("status", word(&old.status), word(&meta.status)),
            ]),
        };
        if let Some(what) = what {
            push("document", &meta.id, &meta.title, what);
        }
    }
    let before: BTreeMap<_, _> = (earlier.controls.iter())
        .map(|c| (c.data.id.as_str(), &c.data))
        .collect();
    for control in &now.controls {
        let data = &control.data;
        let applicable = |a: bool| if a { "applicable" } else { "excluded" }.to_string();
        let what = match before.get(data.id.as_str()) {
            None => Some(added(earlier, &data.id)),
            Some(old) => describe(vec![
                ("status", word(&old.status), word(&data.status)),
                (
                    "applicability",
                    applicable(old.applicable),
                    applicable(data.applicable),
                ),
            ]),
        };
        if let Some(what) = what {
            push("control", &data.id, "", what);
        }
    }
    let before: BTreeMap<_, _> = (earlier.risks.iter())
        .map(|r| (r.data.id.as_str(), &r.data))
        .collect();
    for risk in &now.risks {
        let data = &risk.data;
        let level = |r: &crate::load::records::RiskRecord| {
            risk_level(r.likelihood.0, r.impact.0).to_string()
        };
        let what = match before.get(data.id.as_str()) {
            None => Some(added(earlier, &data.id)),
            Some(old) => describe(vec![("level", level(old), level(data))]),
        };
        if let Some(what) = what {
            push("risk", &data.id, &data.title, what);
        }
    }
    let before: BTreeMap<_, _> = (earlier.systems.iter())
        .map(|s| (s.data.id.as_str(), &s.data))
        .collect();
    for system in &now.systems {
        let data = &system.data;
        let retired = data.lifecycle == crate::load::records::Lifecycle::Retired;
        let what = match before.get(data.id.as_str()) {
            None => Some(added(earlier, &data.id)),
            Some(old) if retired && old.lifecycle != data.lifecycle => Some("retired".to_string()),
            Some(_) => None,
        };
        if let Some(what) = what {
            push("system", &data.id, &data.name, what);
        }
    }
    let now_ids: crate::hash::HashSet<&str> = (now.documents.iter())
        .map(|d| d.record.data.id.as_str())
        .chain(now.controls.iter().map(|c| c.data.id.as_str()))
        .chain(now.risks.iter().map(|r| r.data.id.as_str()))
        .chain(now.systems.iter().map(|s| s.data.id.as_str()))
        .collect();
    let removed = (earlier.documents.iter())
        .map(|d| {
            (
                "document",
                d.record.data.id.as_str(),
                d.record.data.title.as_str(),
            )
        })
        .chain(
            earlier
                .controls
                .iter()
                .map(|c| ("control", c.data.id.as_str(), "")),
        )
        .chain(
            earlier
                .risks
                .iter()
                .map(|r| ("risk", r.data.id.as_str(), r.data.title.as_str())),
        )
        .chain(
            earlier
                .systems
                .iter()
                .map(|s| ("system", s.data.id.as_str(), s.data.name.as_str())),
        );
    for (kind, id, title) in removed {
        if !now_ids.contains(id) {
            push(kind, id, title, "removed".to_string());
        }
    }
    changes.sort();
    changes
}
