//! Review dates: overdue, or due within `review.warn_days`. Retired documents and systems
//! and closed risks are no longer reviewed.

use super::value_at;
use crate::finding::{Code, Finding};
use crate::load::Site;
use crate::load::date::Date;
use crate::load::records::{DocStatus, Lifecycle, RiskStatus};
use crate::load::yaml::Positions;

pub fn check(site: &Site, today: Date, warn_days: u32, findings: &mut Vec<Finding>) {
    let mut review = |file: usize, positions: &Positions, id: &str, due: Option<Date>| {
        let Some(due) = due else { return };
        let days = today.days_until(due);
        let at = value_at(file, positions, "next_review");
        if days < 0 {
            findings.push(
                Finding::new(
                    Code::ReviewOverdue,
                    format!("`{id}` was due for review on {due}, {} days ago", -days),
                )
                .at(at)
                .help("review it, then set `next_review` (and `last_reviewed`) to the new dates"),
            );
        } else if days <= i64::from(warn_days) {
            findings.push(
                Finding::new(
                    Code::ReviewDueSoon,
                    format!("`{id}` is due for review on {due}, in {days} days"),
                )
                .at(at)
                .help("plan the review; the window is `review.warn_days` in site.yaml"),
            );
        }
    };
    for document in &site.documents {
        let meta = &document.record.data;
        if meta.status != Some(DocStatus::Retired) {
            review(
                document.record.file,
                &document.record.positions,
                &meta.id,
                meta.next_review,
            );
        }
    }
    for control in &site.controls {
        review(
            control.file,
            &control.positions,
            &control.data.id,
            control.data.next_review,
        );
    }
    for system in &site.systems {
        if system.data.lifecycle != Lifecycle::Retired {
            review(
                system.file,
                &system.positions,
                &system.data.id,
                system.data.next_review,
            );
        }
    }
    for risk in &site.risks {
        if risk.data.status != RiskStatus::Closed {
            review(
                risk.file,
                &risk.positions,
                &risk.data.id,
                risk.data.next_review,
            );
        }
    }
}
