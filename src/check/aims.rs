//! The AIMS records (objectives, internal audits, corrective actions) hold together: every
//! nonconformity an audit finds has a corrective action, an action names a finding the
//! audit has, a closed action was checked for effectiveness, and open steps are on time.

use super::value_at;
use crate::finding::{At, Code, Finding};
use crate::load::Site;
use crate::load::aims::{ActionSource, Decision};
use crate::load::date::Date;
use crate::load::records::{Lifecycle, Visibility};
use crate::publish;

pub fn check(site: &Site, today: Date, findings: &mut Vec<Finding>) {
    assessments(site, today, findings);
    objectives(site, today, findings);
    audits(site, today, findings);
    actions(site, today, findings);
    implemented_under_major_nonconformity(site, findings);
}

/// A control still called implemented while an open major nonconformity concerns it: the
/// audit found it does not work, and the SoA (and the public page) would say it does.
fn implemented_under_major_nonconformity(site: &Site, findings: &mut Vec<Finding>) {
    use crate::load::aims::Severity;
    use crate::load::records::ControlStatus;
    for action in
        (site.actions.iter()).filter(|a| a.data.is_open() && a.data.severity == Severity::Major)
    {
        for control in &site.controls {
            let data = &control.data;
            if data.status == ControlStatus::Implemented && action.data.concerns.contains(&data.id)
            {
                let i = action
                    .data
                    .concerns
                    .iter()
                    .position(|c| *c == data.id)
                    .unwrap_or(0);
                findings.push(
                    Finding::new(
                        Code::ImplementedUnderNonconformity,
                        format!("`{}` is implemented, but the open major nonconformity `{}` concerns it", data.id, action.data.id),
                    )
                    .at(value_at(control.file, &control.positions, "status"))
                    .note(value_at(action.file, &action.positions, &format!("concerns.{i}")), "the open action names it here")
                    .help("set the status to what holds until the action is closed (`partial`, with a `target_date`), or correct the action's `concerns`"),
                );
            }
        }
    }
}

fn objectives(site: &Site, today: Date, findings: &mut Vec<Finding>) {
    for objective in &site.objectives {
        let data = &objective.data;
        if let Some(measured) = data.measured_on.filter(|d| *d > today) {
            findings.push(
                Finding::new(
                    Code::DateInFuture,
                    format!(
                        "`measured_on` is {measured}, which has not come yet (today is {today})"
                    ),
                )
                .at(value_at(
                    objective.file,
                    &objective.positions,
                    "measured_on",
                ))
                .help("enter the day the current value was measured"),
            );
        }
        // "On track" past the date it was due is no longer a statement of where it stands.
        let open = !matches!(
            data.status,
            crate::load::aims::ObjectiveStatus::Achieved
                | crate::load::aims::ObjectiveStatus::Dropped
        );
        if let Some(due) = data.due.filter(|d| open && *d < today) {
            findings.push(
                Finding::new(
                    Code::TargetOverdue,
                    format!(
                        "objective `{}` is still {} but was due on {due}",
                        data.id,
                        crate::model::internal::serde_plain(&data.status)
                    ),
                )
                .at(value_at(objective.file, &objective.positions, "due"))
                .help("record the outcome (`status: achieved` or `dropped`), or set a new `due` and say why in the management review"),
            );
        }
        if data.measure.as_deref().is_none_or(|m| m.trim().is_empty()) {
            findings.push(
                Finding::new(
                    Code::ObjectiveWithoutMeasure,
                    format!("objective `{}` says what, but not how it is measured", data.id),
                )
                .at(value_at(objective.file, &objective.positions, "target"))
                .help("add `measure:` (what is counted, and from where); ISO/IEC 42001 6.2 asks that objectives be measurable"),
            );
        }
    }
}

fn audits(site: &Site, today: Date, findings: &mut Vec<Finding>) {
    use crate::load::aims::AuditStatus;
    let action_unloaded =
        (site.unloaded_paths.iter()).any(|path| path.starts_with("content/actions"));
    for audit in &site.audits {
        let data = &audit.data;
        let at = |path: &str| value_at(audit.file, &audit.positions, path);
        // A planned audit may lie ahead; one under way or done has started.
        if data.status != AuditStatus::Planned && data.start > today {
            findings.push(
                Finding::new(
                    Code::DateInFuture,
                    format!("the audit is {} but starts on {}, which has not come yet (today is {today})", crate::model::internal::serde_plain(&data.status), data.start),
                )
                .at(at("start"))
                .help("enter the day it started, or set `status: planned`"),
            );
        }
        if let Some(end) = data.end.filter(|end| *end < data.start) {
            findings.push(out_of_order(
                format!(
                    "the audit ends before it starts: {end} is before {}",
                    data.start
                ),
                at("end"),
                at("start"),
                "check both dates; one of them is mistyped",
            ));
        }
        for (i, finding) in data.findings.iter().enumerate() {
            if data.findings[..i].iter().any(|f| f.id == finding.id) {
                findings.push(
                    Finding::new(
                        Code::DuplicateId,
                        format!(
                            "finding `{}` is listed twice in audit `{}`",
                            finding.id, data.id
                        ),
                    )
                    .at(at(&format!("findings.{i}.id")))
                    .help("give each finding of an audit its own id (F1, F2, …)"),
                );
            }
            if !finding.grade.is_nonconformity() {
                continue;
            }
            let answered = (site.actions.iter()).any(|a| {
                a.data.audit.as_deref() == Some(&data.id)
                    && a.data.finding.as_deref() == Some(&finding.id)
            });
            // An action that did not load (its errors are reported) may be the answer.
            if !answered && !action_unloaded {
                findings.push(
                    Finding::new(
                        Code::NonconformityWithoutAction,
                        format!(
                            "nonconformity {} of audit `{}` has no corrective action record",
                            finding.id, data.id
                        ),
                    )
                    .at(at(&format!("findings.{i}.grade")))
                    .help(format!(
                        "add a record in content/actions/ with `source: audit-finding`, `audit: {}` and `finding: {}` (ISO/IEC 42001 10.2)",
                        data.id, finding.id
                    )),
                );
            }
        }
    }
}

fn actions(site: &Site, today: Date, findings: &mut Vec<Finding>) {
    for action in &site.actions {
        let data = &action.data;
        let at = |path: &str| value_at(action.file, &action.positions, path);
        if data.source == ActionSource::AuditFinding {
            for (field, value) in [("audit", &data.audit), ("finding", &data.finding)] {
                if value.is_none() {
                    findings.push(
                        Finding::new(
                            Code::MissingField,
                            format!("an action raised on an audit finding needs `{field}`"),
                        )
                        .at(at("source"))
                        .help("name the audit's id in `audit` and the finding's id (such as F2) in `finding`"),
                    );
                }
            }
        }
        let audit =
            (data.audit.as_ref()).and_then(|id| site.audits.iter().find(|a| &a.data.id == id));
        let answered = (audit.zip(data.finding.as_ref()))
            .and_then(|(a, id)| a.data.findings.iter().find(|f| &f.id == id).map(|f| (a, f)));
        if let Some((audit, finding)) = answered {
            use crate::load::aims::{FindingGrade, Severity};
            let expected = match finding.grade {
                FindingGrade::MajorNonconformity => Some(Severity::Major),
                FindingGrade::MinorNonconformity => Some(Severity::Minor),
                FindingGrade::Conformity | FindingGrade::Observation => None,
            };
            let grade = crate::model::internal::serde_plain(&finding.grade).replace('-', " ");
            let message = match expected {
                None => Some(format!(
                    "finding {} of `{}` is {} {grade}, not a nonconformity: it needs no corrective action",
                    finding.id,
                    audit.data.id,
                    if finding.grade == FindingGrade::Observation {
                        "an"
                    } else {
                        "a"
                    }
                )),
                Some(severity) if severity != data.severity => Some(format!(
                    "`severity` is {}, but finding {} of `{}` is a {grade}",
                    crate::model::internal::serde_plain(&data.severity),
                    finding.id,
                    audit.data.id
                )),
                Some(_) => None,
            };
            if let Some(message) = message {
                findings.push(
                    Finding::new(Code::BadValue, message)
                        .at(at("severity"))
                        .help("an action answering an audit finding has the finding's grade as its severity; to act on an observation, use `source: other`"),
                );
            }
        }
        if let (Some(audit), Some(finding)) = (audit, &data.finding)
            && !audit.data.findings.iter().any(|f| &f.id == finding)
        {
            let known = audit.data.findings.iter().map(|f| f.id.as_str());
            findings.push(
                Finding::new(
                    Code::MissingReference,
                    format!("audit `{}` has no finding `{finding}`", audit.data.id),
                )
                .at(at("finding"))
                .label(crate::finding::did_you_mean(finding, known))
                .help("use the `id` of one of the audit's findings"),
            );
        }
        for (path, what, date) in [
            ("raised_on", "`raised_on`", Some(data.raised_on)),
            ("closed_on", "`closed_on`", data.closed_on),
            (
                "effectiveness_check.date",
                "the effectiveness check",
                data.effectiveness_check.as_ref().map(|c| c.date),
            ),
        ] {
            if let Some(date) = date.filter(|d| *d > today) {
                findings.push(
                    Finding::new(
                        Code::DateInFuture,
                        format!("{what} is {date}, which has not come yet (today is {today})"),
                    )
                    .at(at(path))
                    .help("enter the date it really happened"),
                );
            }
        }
        if let Some(closed) = data.closed_on.filter(|c| *c < data.raised_on) {
            findings.push(out_of_order(
                format!(
                    "the action is closed before it was raised: {closed} is before {}",
                    data.raised_on
                ),
                at("closed_on"),
                at("raised_on"),
                "check both dates; one of them is mistyped",
            ));
        }
        let check = data.effectiveness_check.as_ref();
        if let Some(check) = check.filter(|c| c.date < data.raised_on) {
            findings.push(out_of_order(
                format!(
                    "the effectiveness check is before the action was raised: {} is before {}",
                    check.date, data.raised_on
                ),
                at("effectiveness_check.date"),
                at("raised_on"),
                "check both dates; one of them is mistyped",
            ));
        }
        if let (Some(check), Some(closed)) = (check, data.closed_on)
            && closed < check.date
        {
            findings.push(out_of_order(format!("the action is closed before its effectiveness was checked: {closed} is before {}", check.date), at("closed_on"), at("effectiveness_check.date"), "close the action once the check shows it worked"));
        }
        if let (Some(check), Some(_)) = (check, data.closed_on)
            && !check.effective
        {
            findings.push(
                Finding::new(
                    Code::ClosedNotEffective,
                    format!("action `{}` is closed, but its effectiveness check found it did not work", data.id),
                )
                .at(at("effectiveness_check.effective"))
                .help("reopen it (remove `closed_on`) and add steps, or raise a new action for what remains (ISO/IEC 42001 10.2)"),
            );
        }
        for (i, step) in data.steps.iter().enumerate() {
            if let Some(done) = step.done.filter(|d| *d > today) {
                findings.push(
                    Finding::new(
                        Code::DateInFuture,
                        format!("a step is marked done on {done}, which has not come yet (today is {today})"),
                    )
                    .at(at(&format!("steps.{i}.done")))
                    .help("enter the day it was done, or leave `done` out until it is"),
                );
            }
        }
        if data.closed_on.is_some() && data.effectiveness_check.is_none() {
            findings.push(
                Finding::new(
                    Code::ClosedWithoutEffectivenessCheck,
                    format!("action `{}` is closed without a check that it worked", data.id),
                )
                .at(at("closed_on"))
                .help("add `effectiveness_check: {date, by, result, effective}` (ISO/IEC 42001 10.2 d), or remove `closed_on` until it is checked"),
            );
        }
        if !data.is_open() {
            continue;
        }
        for (i, step) in data.steps.iter().enumerate() {
            if step.done.is_none() && step.due < today {
                findings.push(
                    Finding::new(
                        Code::ActionOverdue,
                        format!(
                            "a step of `{}` was due on {} and is not done ({})",
                            data.id,
                            step.due,
                            super::from_today(today.days_until(step.due))
                        ),
                    )
                    .at(at(&format!("steps.{i}.due")))
                    .help("do it and set `done:`, or agree a new `due` date and say why in the description"),
                );
            }
        }
    }
}

/// The first of an assessment's findings that still holds a placeholder (`trustbook new
/// assessment` writes `TODO: who assessed`): such a record assesses nothing yet.
fn unwritten(data: &crate::load::aims::AssessmentRecord) -> Option<(String, &'static str)> {
    let texts = [("assessor".to_string(), &data.assessor)].into_iter();
    let affected = (data.affected.iter().enumerate()).map(|(i, t)| (format!("affected.{i}"), t));
    let rest = [("residual_impact".to_string(), &data.residual_impact)];
    (texts.chain(affected).chain(rest))
        .find_map(|(field, text)| Some((field, publish::placeholder(text)?)))
}

/// Every AI system in use or being built has an impact assessment (6.1.4): a record in
/// `assessments/` that is written, or the older `impact_assessment` block of the system
/// itself.
fn assessments(site: &Site, today: Date, findings: &mut Vec<Finding>) {
    for system in &site.systems {
        let data = &system.data;
        let records = || (site.assessments.iter()).filter(|a| a.data.system == data.id);
        let assessed =
            data.impact_assessment.is_some() || records().any(|a| unwritten(&a.data).is_none());
        let stub = records().find_map(|a| Some((a, unwritten(&a.data)?)));
        // The older inline block counts for 6.1.4, but the public page shows only a
        // record's date and summary: a public system assessed only inline shows none.
        if let Some(inline) = &data.impact_assessment
            && !records().any(|a| unwritten(&a.data).is_none())
            && publish::of(&data).shown == crate::load::records::Visibility::Public
        {
            let dated = inline
                .date
                .map(|d| format!(", `date: {d}`"))
                .unwrap_or_default();
            findings.push(
                Finding::new(
                    Code::DeprecatedField,
                    format!(
                        "the inline `impact_assessment` of public system `{}` is the older form: the handbook shows it, the public page never does",
                        data.id
                    ),
                )
                .at(crate::finding::At {
                    file: system.file,
                    span: system.positions.key("impact_assessment"),
                })
                .help(format!("to show the assessment on the public page, write it as a record in content/assessments/ with `system: {}`{dated}, `visibility: public` and a `public_summary` (`trustbook new assessment` writes one); `impact_assessment.path` may stay, for the signed file", data.id)),
            );
        }
        if !assessed
            && data.lifecycle != Lifecycle::Retired
            && let Some((stub, (field, word))) = stub
        {
            findings.push(
                Finding::new(
                    Code::NoImpactAssessment,
                    format!(
                        "AI system `{}` has no impact assessment yet: `{}` is not written (its `{field}` still says `{word}`)",
                        data.id, stub.data.id
                    ),
                )
                .at(value_at(stub.file, &stub.positions, &field))
                .help("write what the assessment found; until then the system counts as not assessed (ISO/IEC 42001 6.1.4)"),
            );
        } else if !assessed && data.lifecycle != Lifecycle::Retired {
            findings.push(
                Finding::new(
                    Code::NoImpactAssessment,
                    format!("AI system `{}` has no impact assessment", data.id),
                )
                .at(value_at(system.file, &system.positions, "id"))
                .help(format!("add a record in content/assessments/ with `system: {}` (ISO/IEC 42001 6.1.4): `trustbook new assessment` writes one to fill in", data.id)),
            );
        }
    }
    for assessment in &site.assessments {
        let data = &assessment.data;
        let at = |path: &str| value_at(assessment.file, &assessment.positions, path);
        let system = site.systems.iter().find(|s| s.data.id == data.system);
        if data.decision == Decision::ProceedWithConditions
            && data
                .conditions
                .as_deref()
                .is_none_or(|c| c.trim().is_empty())
        {
            findings.push(
                Finding::new(
                    Code::MissingField,
                    "missing field `conditions`: the decision is to proceed with conditions",
                )
                .at(at("decision"))
                .help("list the conditions under `conditions:`, or change the decision"),
            );
        }
        // The newest assessment of a system in use says it should not be: the page may
        // not go on presenting it as assessed and in use.
        let newest = (site.assessments.iter())
            .filter(|a| a.data.system == data.system)
            .max_by_key(|a| a.data.date)
            .is_some_and(|a| std::ptr::eq(a, assessment));
        if newest
            && data.decision == Decision::DoNotProceed
            && system.is_some_and(|s| s.data.lifecycle == Lifecycle::Production)
        {
            findings.push(
                Finding::new(
                    Code::AssessmentRefusesSystem,
                    format!("the newest impact assessment of `{}` decided not to proceed, but the system is in production", data.system),
                )
                .at(at("decision"))
                .help("retire the system (`lifecycle: retired`), or assess it again once what stood in the way is resolved"),
            );
        }
        if data.visibility != Visibility::Internal
            && system.is_some_and(|s| publish::of(&s.data).shown != Visibility::Public)
        {
            findings.push(
                Finding::new(
                    Code::PublicNotPublished,
                    format!("marked {}, but not published: its system `{}` has no public page", crate::model::internal::serde_plain(&data.visibility), data.system),
                )
                .at(at("visibility"))
                .help("an assessment is shown on its system's public page: publish the system, or mark the assessment `visibility: internal`"),
            );
        }
        if data.date > today {
            findings.push(
                Finding::new(
                    Code::DateInFuture,
                    format!(
                        "the assessment's date is {}, which has not come yet (today is {today})",
                        data.date
                    ),
                )
                .at(value_at(assessment.file, &assessment.positions, "date"))
                .help("enter the day it was done; a date still to come belongs in `next_review`"),
            );
        }
    }
}

/// Two dates of one record in the wrong order: pointed at the one that should be later,
/// with a note at the other.
fn out_of_order(message: String, later: At, earlier: At, help: &str) -> Finding {
    Finding::new(Code::DatesOutOfOrder, message)
        .at(later)
        .note(earlier, "this date comes later")
        .help(help)
}
