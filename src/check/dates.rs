//! Dates are read as facts: one that has not happened yet cannot say when something was
//! done, and dates of one record must follow each other. A planned control past its target
//! date is a warning (the plan no longer holds).

use super::value_at;
use crate::finding::{At, Code, Finding};
use crate::load::date::Date;
use crate::load::records::{ControlStatus, DocStatus};
use crate::load::yaml::Positions;
use crate::load::{Record, Site};

struct Dates<'a> {
    today: Date,
    file: usize,
    positions: &'a Positions,
    findings: &'a mut Vec<Finding>,
}

impl<'a> Dates<'a> {
    fn of<T>(record: &'a Record<T>, today: Date, findings: &'a mut Vec<Finding>) -> Self {
        Dates {
            today,
            file: record.file,
            positions: &record.positions,
            findings,
        }
    }

    fn at(&self, path: &str) -> At {
        value_at(self.file, self.positions, path)
    }

    /// `date` (at `path`) says when something happened: it cannot be after today.
    fn past(&mut self, path: &str, what: &str, date: Option<Date>) {
        let Some(date) = date.filter(|d| *d > self.today) else {
            return;
        };
        let at = self.at(path);
        self.findings.push(
            Finding::new(
                Code::DateInFuture,
                format!("{what} is {date}, which has not come yet (today is {})", self.today),
            )
            .at(at)
            .help("enter the date it really happened; a date still to come belongs in `next_review` or `target_date`"),
        );
    }

    /// The last review happened, and the next comes after it.
    fn reviews(&mut self, last: Option<Date>, next: Option<Date>) {
        self.past("last_reviewed", "`last_reviewed`", last);
        self.ordered(
            ("last_reviewed", last),
            ("next_review", next),
            "the next review is before the last one",
        );
    }

    /// `earlier` (at `path`) must not come after `later` (at `later_path`).
    fn ordered(&mut self, earlier: (&str, Option<Date>), later: (&str, Option<Date>), why: &str) {
        let (Some(first), Some(second)) = (earlier.1, later.1) else {
            return;
        };
        if first <= second {
            return;
        }
        let (at, note) = (self.at(later.0), self.at(earlier.0));
        self.findings.push(
            Finding::new(
                Code::DatesOutOfOrder,
                format!("{why}: {second} is before {first}"),
            )
            .at(at)
            .note(note, "this date comes later")
            .help("check both dates; one of them is mistyped"),
        );
    }
}

pub fn check(site: &Site, today: Date, findings: &mut Vec<Finding>) {
    if let Some(config) = &site.config {
        let review = config.data.review.last_management_review;
        Dates::of(config, today, findings).past(
            "review.last_management_review",
            "the last management review",
            review,
        );
    }
    documents(site, today, findings);
    controls(site, today, findings);
    suppliers(site, today, findings);
    systems_and_risks(site, today, findings);
}

fn documents(site: &Site, today: Date, findings: &mut Vec<Finding>) {
    for document in &site.documents {
        let meta = &document.record.data;
        let mut dates = Dates::of(&document.record, today, findings);
        dates.past("approved_on", "`approved_on`", meta.approved_on);
        for (i, revision) in meta.revisions.iter().enumerate() {
            let path = format!("revisions.{i}.date");
            dates.past(
                &path,
                &format!("the date of revision {}", revision.version),
                Some(revision.date),
            );
        }
        if meta.status == Some(DocStatus::Approved) {
            let newest = meta
                .revisions
                .iter()
                .enumerate()
                .max_by_key(|(i, r)| (r.date, *i));
            if let Some((i, revision)) = newest {
                dates.ordered(
                    (&format!("revisions.{i}.date"), Some(revision.date)),
                    ("approved_on", meta.approved_on),
                    "the document was approved before its newest revision was written",
                );
            }
        }
    }
}

fn controls(site: &Site, today: Date, findings: &mut Vec<Finding>) {
    for control in &site.controls {
        let data = &control.data;
        let mut dates = Dates::of(control, today, findings);
        dates.reviews(data.last_reviewed, data.next_review);
        for (i, evidence) in data.evidence.iter().enumerate() {
            let collected = format!("evidence.{i}.collected_on");
            let what = format!("evidence \"{}\" was collected on", evidence.title);
            dates.past(&collected, &what, evidence.collected_on);
            dates.ordered(
                (&collected, evidence.collected_on),
                (&format!("evidence.{i}.expires_on"), evidence.expires_on),
                &format!(
                    "evidence \"{}\" expires before it was collected",
                    evidence.title
                ),
            );
        }
        let planned = matches!(data.status, ControlStatus::Planned | ControlStatus::Partial);
        if let Some(target) = data.target_date.filter(|d| planned && *d < today) {
            let at = value_at(control.file, &control.positions, "target_date");
            findings.push(
                Finding::new(
                    Code::TargetOverdue,
                    format!(
                        "`{}` is still {} but its target date {target} has passed",
                        data.id,
                        if data.status == ControlStatus::Planned { "planned" } else { "partly implemented" }
                    ),
                )
                .at(at)
                .help("update the status, or set a new `target_date` with the reason in the implementation notes"),
            );
        }
    }
}

fn systems_and_risks(site: &Site, today: Date, findings: &mut Vec<Finding>) {
    for system in &site.systems {
        let data = &system.data;
        let mut dates = Dates::of(system, today, findings);
        dates.reviews(data.last_reviewed, data.next_review);
        let assessed = data.impact_assessment.as_ref().and_then(|a| a.date);
        dates.past(
            "impact_assessment.date",
            "the impact assessment's date",
            assessed,
        );
    }
    for risk in &site.risks {
        let mut dates = Dates::of(risk, today, findings);
        dates.past("accepted_on", "`accepted_on`", risk.data.accepted_on);
    }
}

fn suppliers(site: &Site, today: Date, findings: &mut Vec<Finding>) {
    for supplier in &site.suppliers {
        let data = &supplier.data;
        let mut dates = Dates::of(supplier, today, findings);
        dates.ordered(
            ("since", Some(data.since)),
            ("until", data.until),
            "the supplier stops before it starts",
        );
        for (i, evidence) in data.evidence.iter().enumerate() {
            let collected = format!("evidence.{i}.collected_on");
            let what = format!("evidence \"{}\" was collected on", evidence.title);
            dates.past(&collected, &what, evidence.collected_on);
        }
    }
}
