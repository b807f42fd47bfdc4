//! The review schedule, one rule for `check` and the handbook: which dates are reviews
//! still owed (retired documents and systems and closed risks are no longer reviewed), and
//! whether a date is overdue, due soon (within `review.warn_days`) or just scheduled.

use crate::load::aims::ObjectiveStatus;
use crate::load::date::Date;
use crate::load::records::{DocStatus, Lifecycle, RiskStatus};
use crate::load::yaml::Positions;
use crate::load::{Record, Site};
use crate::sources::FileId;
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DueState {
    Overdue,
    DueSoon,
    Scheduled,
}

/// What falls due on a date of the calendar.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Due {
    #[serde(rename = "review")]
    Review,
    #[serde(rename = "target")]
    Target,
    #[serde(rename = "evidence expiry")]
    EvidenceExpiry,
    #[serde(rename = "corrective action step")]
    ActionStep,
    #[serde(rename = "certificate expiry")]
    CertificateExpiry,
}

/// Where `due` stands on `today`.
pub fn due_state(today: Date, due: Date, warn_days: u32) -> DueState {
    let days = today.days_until(due);
    if days < 0 {
        DueState::Overdue
    } else if days <= i64::from(warn_days) {
        DueState::DueSoon
    } else {
        DueState::Scheduled
    }
}

/// A `next_review` still owed.
pub struct Review<'a> {
    pub id: &'a str,
    pub file: FileId,
    pub positions: &'a Positions,
    pub due: Date,
    /// Whether the record has a `last_reviewed` field (controls and systems do).
    pub has_last_reviewed: bool,
}

/// Every review still owed, documents first, then controls, systems, risks and suppliers.
pub fn reviews<'a>(site: &'a Site) -> impl Iterator<Item = Review<'a>> {
    fn review<'a, T>(record: &'a Record<T>, id: &'a str, due: Option<Date>) -> Option<Review<'a>> {
        Some(Review {
            id,
            file: record.file,
            positions: &record.positions,
            due: due?,
            has_last_reviewed: false,
        })
    }
    let with_last_reviewed = |review: Review<'a>| Review {
        has_last_reviewed: true,
        ..review
    };
    let documents = (site.documents.iter())
        .filter(|d| d.record.data.status != Some(DocStatus::Retired))
        .filter_map(|d| review(&d.record, &d.record.data.id, d.record.data.next_review));
    let controls = (site.controls.iter())
        .filter_map(|c| review(c, &c.data.id, c.data.next_review))
        .map(with_last_reviewed);
    let systems = (site.systems.iter())
        .filter(|s| s.data.lifecycle != Lifecycle::Retired)
        .filter_map(|s| review(s, &s.data.id, s.data.next_review))
        .map(with_last_reviewed);
    let risks = (site.risks.iter())
        .filter(|r| r.data.status != RiskStatus::Closed)
        .filter_map(|r| review(r, &r.data.id, r.data.next_review));
    // A supplier's review falling after it stopped processing is owed to no one.
    let suppliers = (site.suppliers.iter())
        .filter(|s| {
            (s.data.until).is_none_or(|until| s.data.next_review.is_none_or(|due| due <= until))
        })
        .filter_map(|s| review(s, &s.data.id, s.data.next_review));
    let objectives = (site.objectives.iter())
        .filter(|o| {
            !matches!(
                o.data.status,
                ObjectiveStatus::Achieved | ObjectiveStatus::Dropped
            )
        })
        .filter_map(|o| review(o, &o.data.id, o.data.next_review));
    let parties = (site.parties.iter()).filter_map(|p| review(p, &p.data.id, p.data.next_review));
    // A retired system's assessment is no longer reviewed.
    let retired = |id: &str| {
        (site.systems.iter()).any(|s| s.data.id == id && s.data.lifecycle == Lifecycle::Retired)
    };
    let assessments = (site.assessments.iter())
        .filter(move |a| !retired(&a.data.system))
        .filter_map(|a| review(a, &a.data.id, a.data.next_review));
    (documents.chain(controls).chain(systems))
        .chain(risks)
        .chain(suppliers)
        .chain(objectives)
        .chain(parties)
        .chain(assessments)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_follow_the_window() {
        let today = Date::parse("2026-11-27").unwrap();
        let on = |d: &str| due_state(today, Date::parse(d).unwrap(), 30);
        assert_eq!(on("2026-11-26"), DueState::Overdue);
        assert_eq!(on("2026-11-27"), DueState::DueSoon);
        assert_eq!(on("2026-12-27"), DueState::DueSoon);
        assert_eq!(on("2026-12-28"), DueState::Scheduled);
    }
}
