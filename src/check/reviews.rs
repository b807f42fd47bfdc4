//! Review dates: overdue, or due within `review.warn_days` (the schedule's rule, in
//! `crate::schedule`).

use super::value_at;
use crate::finding::{Code, Finding};
use crate::load::Site;
use crate::load::date::Date;
use crate::schedule::{DueState, due_state, reviews};

pub fn check(site: &Site, today: Date, warn_days: u32, findings: &mut Vec<Finding>) {
    for review in reviews(site) {
        let (id, due) = (review.id, review.due);
        let days = today.days_until(due);
        // Looked up only for a finding: most reviews are scheduled.
        let at = || value_at(review.file, review.positions, "next_review");
        match due_state(today, due, warn_days) {
            DueState::Overdue => findings.push(
                Finding::new(
                    Code::ReviewOverdue,
                    format!(
                        "`{id}` was due for review on {due}, {}",
                        super::from_today(days)
                    ),
                )
                .at(at())
                .help(match review.has_last_reviewed {
                    true => {
                        "review it, then set `next_review` (and `last_reviewed`) to the new dates"
                    }
                    false => "review it, then set `next_review` to the next review's date",
                }),
            ),
            DueState::DueSoon => findings.push(
                Finding::new(
                    Code::ReviewDueSoon,
                    format!(
                        "`{id}` is due for review on {due}, {}",
                        super::from_today(days)
                    ),
                )
                .at(at())
                .help("plan the review; the window is `review.warn_days` in site.yaml"),
            ),
            DueState::Scheduled => {}
        }
    }
}
