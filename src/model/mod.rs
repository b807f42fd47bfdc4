//! Stage 3: one model per audience, built from a checked site.
//!
//! The public model is built by copying only what docs/format.md §4 lets the public see; nothing is
//! hidden later by a template. The internal model holds everything, with what staff need
//! computed once: backlinks, the Statement of Applicability, the heat map, the calendar.

pub mod clauses;
pub mod internal;
pub mod journey;
pub mod linked;
pub mod parsed;
pub mod public;
pub mod since_review;
pub mod strip;

use crate::hash::HashMap;
use crate::load::records::{CatalogControl, ControlRecord, ControlStatus, Visibility};
use crate::load::{Document, LoadedCatalog, Site};
use serde::Serialize;

/// What `serve` keeps of the models' parts between saves (`build::Reuse`), each by what
/// it is made from; `build` makes every part once anyway.
#[derive(Default)]
pub struct Kept {
    pub linked: linked::LinkedRecords,
    pub public_bodies: public::KeptBodies,
}

impl Kept {
    /// Starts a build: what the build before did not use is dropped.
    pub fn start(&self) {
        self.linked.start();
        self.public_bodies.start();
    }
}

/// Title and objective of a control, from its catalogue.
#[derive(Clone, Debug, Serialize)]
pub struct ControlInfo {
    pub title: String,
    pub objective: String,
    pub objective_title: String,
    pub framework: String,
    /// Whether the catalogue is built in (a published standard's titles), not the site's own.
    pub builtin: bool,
}

pub struct Catalogs<'a> {
    /// Each control with its catalogue and its place in catalogue order.
    controls: HashMap<&'a str, (&'a CatalogControl, &'a LoadedCatalog, (usize, usize))>,
}

impl<'a> Catalogs<'a> {
    pub fn new(site: &'a Site) -> Self {
        let controls = site
            .catalogs
            .iter()
            .enumerate()
            .flat_map(|(n, loaded)| {
                loaded
                    .catalog
                    .controls
                    .iter()
                    .enumerate()
                    .map(move |(i, k)| (k.id.as_str(), (k, loaded, (n, i))))
            })
            .collect();
        Catalogs { controls }
    }

    pub fn info(&self, id: &str) -> ControlInfo {
        match self.controls.get(id) {
            Some((control, loaded, _)) => ControlInfo {
                title: control.title.clone(),
                objective: control.objective.clone(),
                objective_title: loaded
                    .catalog
                    .objectives
                    .iter()
                    .find(|o| o.id == control.objective)
                    .map_or_else(String::new, |o| o.title.clone()),
                framework: loaded.catalog.framework.clone(),
                builtin: loaded.source.is_none(),
            },
            // `check` refuses unknown controls; this keeps the model total anyway.
            None => ControlInfo {
                title: id.to_string(),
                objective: String::new(),
                objective_title: String::new(),
                framework: String::new(),
                builtin: false,
            },
        }
    }

    /// A control's title alone (`info`'s, without copying the rest).
    pub fn title(&self, id: &str) -> String {
        match self.controls.get(id) {
            Some((control, ..)) => control.title.clone(),
            None => id.to_string(),
        }
    }

    /// The position of a control in its catalogue, for ordering as the standard does.
    pub fn order(&self, id: &str) -> (usize, usize) {
        self.controls
            .get(id)
            .map_or((usize::MAX, usize::MAX), |entry| entry.2)
    }
}

/// Counts of controls by status.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct StatusCounts {
    pub implemented: usize,
    pub partial: usize,
    pub planned: usize,
    pub alternative: usize,
    pub not_applicable: usize,
    /// Controls whose justification is still a placeholder: their status claims nothing.
    pub not_assessed: usize,
    /// On the public site: controls it does not show, counted without their status (a
    /// count of their statuses, or a choice to leave one out, would tell them).
    pub not_published: usize,
    pub total: usize,
}

impl StatusCounts {
    /// Counts a control by its status, or as not yet assessed (see `publish::is_assessed`).
    pub fn add(&mut self, control: &ControlRecord) {
        self.total += 1;
        if !crate::publish::is_assessed(control) {
            self.not_assessed += 1;
            return;
        }
        *match control.status {
            ControlStatus::Implemented => &mut self.implemented,
            ControlStatus::Partial => &mut self.partial,
            ControlStatus::Planned => &mut self.planned,
            ControlStatus::Alternative => &mut self.alternative,
            ControlStatus::NotApplicable => &mut self.not_applicable,
        } += 1;
    }

    /// Counts a control the public site does not show: it is there, its status is not said.
    pub fn add_not_published(&mut self) {
        self.total += 1;
        self.not_published += 1;
    }

    /// Whether any counted control has been assessed: if none has, there is nothing to claim.
    pub fn any_assessed(&self) -> bool {
        self.not_assessed < self.total
    }
}

/// A risk's level from its score (likelihood × impact): 1–4 low, 5–9 medium, 10–16 high,
/// 20–25 critical.
pub fn risk_level(likelihood: u8, impact: u8) -> &'static str {
    match u16::from(likelihood) * u16::from(impact) {
        0..=4 => "low",
        5..=9 => "medium",
        10..=16 => "high",
        _ => "critical",
    }
}

/// How the public site treats a document (the decision is `publish`'s).
pub fn document_visibility(document: &Document) -> Visibility {
    crate::publish::document(document).shown
}

/// The Markdown body of a document as written.
pub fn body<'a>(site: &'a Site, document: &Document) -> &'a str {
    let text = &site.sources.get(document.record.file).text;
    text.get(document.body_start..).unwrap_or("")
}

/// A document's body as the handbook's model holds it: the source's text and where the
/// body starts, shared rather than borrowed, so that `serve` can give a kept model a
/// saved body (`serve::body_save`) without building the model again.
#[derive(Clone)]
pub struct BodyText {
    text: std::sync::Arc<String>,
    start: usize,
}

impl BodyText {
    pub fn new(text: std::sync::Arc<String>, start: usize) -> Self {
        BodyText { text, start }
    }

    pub fn of(site: &Site, document: &Document) -> Self {
        let text = &site.sources.get(document.record.file).text;
        BodyText::new(std::sync::Arc::clone(text), document.body_start)
    }

    /// A text of its own (a body with its internal blocks taken out).
    pub fn owned(text: String) -> Self {
        BodyText::new(std::sync::Arc::new(text), 0)
    }

    pub fn as_str(&self) -> &str {
        self.text.get(self.start..).unwrap_or("")
    }
}

impl serde::Serialize for BodyText {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::risk_level;

    #[test]
    fn risk_levels_follow_the_score() {
        assert_eq!(risk_level(1, 4), "low");
        assert_eq!(risk_level(3, 3), "medium");
        assert_eq!(risk_level(4, 4), "high");
        assert_eq!(risk_level(5, 4), "critical");
    }
}

/// The day a public supplier was announced: the day the public site last published it
/// (`history::public_changes`: one committed as internal and made public later was
/// announced when it was made public; a renamed file keeps its day). Not yet committed
/// as public, it is announced today at the earliest; `None` without history.
pub fn supplier_announced(
    site: &crate::load::Site,
    path: &std::path::Path,
    today: crate::load::date::Date,
) -> Option<crate::load::date::Date> {
    if site.history.is_empty() {
        return None;
    }
    let published = (site.history.public_changes_of(path)).find(|(_, published)| *published);
    Some(published.map_or(today, |(commit, _)| commit.utc_date()))
}

/// How a public supplier was announced, when it broke the notice `site.yaml` promises:
/// fewer days than promised before it started, or after it started (`days_before` zero
/// or less) when it started after the day of the site's first commit (one in use by
/// then was already there: the site could not announce it earlier). `None` when the promise held, or there is no promise or no history.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct ShortNotice {
    pub announced: crate::load::date::Date,
    pub days_before: i64,
}

/// `announced`: `supplier_announced`'s day (the walk through history is made once).
pub fn supplier_short_notice(
    site: &crate::load::Site,
    supplier: &crate::load::records::SupplierRecord,
    announced: crate::load::date::Date,
    notice_days: Option<u32>,
) -> Option<ShortNotice> {
    let notice = i64::from(notice_days?);
    let days_before = announced.days_until(supplier.since);
    let site_began = site.history.first_commit().map(|c| c.utc_date());
    let already_there = site_began.is_none_or(|began| supplier.since <= began);
    let short = match days_before <= 0 {
        true => !already_there,
        false => days_before < notice,
    };
    short.then_some(ShortNotice {
        announced,
        days_before,
    })
}

/// The oldest commit of the newest run of commits in which the supplier record at `path`
/// met `holds`: the day customers could first read what it says now. `None` when the last
/// commit did not (or there is no history). A supplier is named by its id: its versions
/// before a rename count (`history::public_changes`).
pub fn supplier_published_since(
    site: &crate::load::Site,
    path: &std::path::Path,
    holds: impl Fn(&crate::load::records::SupplierRecord) -> bool,
) -> Option<crate::load::date::Date> {
    use crate::load::records::SupplierRecord;
    let history = &site.history;
    let versions: Vec<crate::history::Version> = match history.supplier_versions.get(path) {
        Some(followed) => followed.clone(),
        None => history.versions(path).collect(),
    };
    let mut since = None;
    for (commit, blob) in versions {
        let record = (blob.and_then(|blob| history.blob(&blob))).and_then(|bytes| {
            crate::load::record_of::<SupplierRecord>(&bytes, SupplierRecord::REQUIRED)
        });
        if !record.is_some_and(|record| holds(&record)) {
            break;
        }
        since = Some(history.commits[commit].utc_date());
    }
    since
}

/// Whether a supplier processes data today.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SupplierState {
    Upcoming,
    Current,
    Ended,
}

impl SupplierState {
    pub fn of(
        record: &crate::load::records::SupplierRecord,
        today: crate::load::date::Date,
    ) -> SupplierState {
        if record.since > today {
            SupplierState::Upcoming
        } else if record.until.is_some_and(|until| until <= today) {
            SupplierState::Ended
        } else {
            SupplierState::Current
        }
    }
}
