//! Rules between the fields of one record: what a status or visibility makes required,
//! and the SoA's `applicable`/`status` agreement.

use super::value_at;
use crate::finding::{At, Code, Finding};
use crate::load::records::{ControlRecord, ControlStatus, DocStatus, Treatment, Visibility};
use crate::load::yaml::Positions;
use crate::load::{DocKind, Site};
use crate::publish::placeholder;

/// One record being checked: where it is, so that findings can point into it.
struct Here<'a> {
    file: usize,
    positions: &'a Positions,
    findings: &'a mut Vec<Finding>,
}

impl Here<'_> {
    fn at(&self, path: &str) -> At {
        value_at(self.file, self.positions, path)
    }

    /// `field` is required because of `because` (a path whose value is shown).
    fn require(&mut self, present: bool, field: &str, because: &str, reason: &str) {
        if present {
            return;
        }
        // A value that was written but could not be read (a bad date) is already reported
        // where it stands: it is not also missing.
        let reported = super::reported_at(self.findings, self.file, self.positions, field);
        // A misspelt key (`ownr`) is already reported with the right name as its suggestion.
        let suggested = format!("`{field}`");
        let misspelt = self.findings.iter().any(|f| {
            f.code == Code::UnknownField
                && f.at.as_ref().is_some_and(|at| at.file == self.file)
                && f.label.as_deref().is_some_and(|l| l.contains(&suggested))
        });
        if !reported && !misspelt {
            let at = self.at(because);
            self.findings.push(
                Finding::new(
                    Code::MissingField,
                    format!("missing field `{field}`: {reason}"),
                )
                .at(at)
                .help(format!("add a line `{field}: …`")),
            );
        }
    }

    /// `applicable: false` if and only if `status: not-applicable`.
    fn applicability(&mut self, data: &ControlRecord) {
        let not_applicable = data.status == ControlStatus::NotApplicable;
        if data.applicable == not_applicable {
            let at = self.at("status");
            let (message, help) = if data.applicable {
                (
                    "an applicable control cannot have `status: not-applicable`",
                    "set `applicable: false` to exclude it, or give its real status",
                )
            } else {
                (
                    "an excluded control (`applicable: false`) must have `status: not-applicable`",
                    "set `status: not-applicable`, or `applicable: true` if it is included",
                )
            };
            self.findings.push(
                Finding::new(Code::ApplicabilityMismatch, message)
                    .at(at)
                    .note(self.at("applicable"), "applicability set here")
                    .help(help),
            );
        }
    }

    /// A justification is required either way (6.1.3), and a placeholder is no answer yet.
    fn justification(&mut self, data: &ControlRecord) {
        match data.justification.as_deref() {
            Some(text) if !text.trim().is_empty() => {
                if let Some(word) = placeholder(text) {
                    let at = self.at("justification");
                    let consequence = if data.visibility == Visibility::Internal {
                        "the control counts as not yet assessed"
                    } else {
                        "the control counts as not yet assessed, and is not published until it is"
                    };
                    let message = format!("the justification still says `{word}`: {consequence}");
                    let help = "write why the control is included or excluded: auditors read this in the SoA";
                    let finding = Finding::new(Code::PlaceholderText, message).at(at);
                    self.findings.push(finding.help(help));
                }
            }
            _ => {
                let at = self.at("id");
                let message = format!("control `{}` has no justification", data.id);
                let help = "add `justification:` saying why the control is included or excluded (ISO/IEC 42001 6.1.3 asks for both)";
                let finding = Finding::new(Code::MissingJustification, message).at(at);
                self.findings.push(finding.help(help));
            }
        }
    }

    fn public_summary(&mut self, visibility: Visibility, summary: Option<&str>) {
        if visibility != Visibility::Internal && is_blank(summary) {
            let at = self.at("visibility");
            self.findings.push(
                Finding::new(
                    Code::MissingPublicSummary,
                    "a public or restricted record needs a `public_summary`",
                )
                .at(at)
                .help("add `public_summary:` with the plain text the trust centre may show, or make it `visibility: internal`"),
            );
        }
    }
}

fn is_blank(text: Option<&str>) -> bool {
    text.is_none_or(|t| t.trim().is_empty())
}

pub fn check(site: &Site, findings: &mut Vec<Finding>) {
    documents(site, findings);
    controls(site, findings);
    systems_and_risks(site, findings);
}

fn documents(site: &Site, findings: &mut Vec<Finding>) {
    for document in &site.documents {
        let record = &document.record;
        let meta = &record.data;
        let mut here = Here {
            file: record.file,
            positions: &record.positions,
            findings,
        };
        here.public_summary(meta.visibility, meta.public_summary.as_deref());
        if document.kind == DocKind::Page {
            continue;
        }
        let reason = "every policy has one";
        here.require(meta.version.is_some(), "version", "id", reason);
        here.require(meta.status.is_some(), "status", "id", reason);
        here.require(!is_blank(meta.owner.as_deref()), "owner", "id", reason);
        here.require(meta.next_review.is_some(), "next_review", "id", reason);
        if meta.status == Some(DocStatus::Approved) {
            let reason = "an approved policy says who approved it and when";
            here.require(
                !is_blank(meta.approved_by.as_deref()),
                "approved_by",
                "status",
                reason,
            );
            here.require(meta.approved_on.is_some(), "approved_on", "status", reason);
        }
    }
}

fn controls(site: &Site, findings: &mut Vec<Finding>) {
    for control in &site.controls {
        let data = &control.data;
        let mut here = Here {
            file: control.file,
            positions: &control.positions,
            findings,
        };
        here.public_summary(data.visibility, data.public_summary.as_deref());
        here.applicability(data);
        here.justification(data);
        if data.applicable {
            here.require(
                !is_blank(data.owner.as_deref()),
                "owner",
                "applicable",
                "an applicable control has an owner",
            );
        }
        if matches!(data.status, ControlStatus::Planned | ControlStatus::Partial) {
            here.require(
                data.target_date.is_some(),
                "target_date",
                "status",
                "a planned or partial control has a target date",
            );
        }
        for (i, evidence) in data.evidence.iter().enumerate() {
            here.require(
                evidence.path.is_some() || evidence.url.is_some(),
                "path` or `url",
                &format!("evidence.{i}"),
                "evidence points at a file or an address",
            );
        }
    }
}

fn systems_and_risks(site: &Site, findings: &mut Vec<Finding>) {
    for system in &site.systems {
        let mut here = Here {
            file: system.file,
            positions: &system.positions,
            findings,
        };
        here.public_summary(
            system.data.visibility,
            system.data.public_summary.as_deref(),
        );
    }

    for supplier in &site.suppliers {
        let data = &supplier.data;
        let mut here = Here {
            file: supplier.file,
            positions: &supplier.positions,
            findings,
        };
        here.public_summary(data.visibility, data.public_summary.as_deref());
        for (field, text) in [
            ("name", &data.name),
            ("service", &data.service),
            ("purpose", &data.purpose),
        ] {
            here.require(
                !text.trim().is_empty(),
                field,
                field,
                "a supplier says who it is and what it does",
            );
        }
    }
    for objective in &site.objectives {
        let data = &objective.data;
        let mut here = Here {
            file: objective.file,
            positions: &objective.positions,
            findings,
        };
        here.public_summary(data.visibility, data.public_summary.as_deref());
    }
    aims_texts(site, findings);

    for risk in &site.risks {
        let data = &risk.data;
        let mut here = Here {
            file: risk.file,
            positions: &risk.positions,
            findings,
        };
        here.public_summary(data.visibility, data.public_summary.as_deref());
        match data.treatment {
            Treatment::Accept => {
                let reason = "an accepted risk says who accepted it and when";
                here.require(
                    !is_blank(data.accepted_by.as_deref()),
                    "accepted_by",
                    "treatment",
                    reason,
                );
                here.require(
                    data.accepted_on.is_some(),
                    "accepted_on",
                    "treatment",
                    reason,
                );
            }
            Treatment::Mitigate => {
                let reason = "a mitigated risk names the controls that mitigate it";
                here.require(!data.controls.is_empty(), "controls", "treatment", reason);
            }
            Treatment::Avoid | Treatment::Transfer => {}
        }
    }
}

/// The text fields of the AIMS records that say who and what: written but empty, they
/// would show as a blank in the register and the review pack.
fn aims_texts(site: &Site, findings: &mut Vec<Finding>) {
    fn blank_fields(
        file: usize,
        positions: &crate::load::yaml::Positions,
        texts: &[(&str, &str)],
        findings: &mut Vec<Finding>,
    ) {
        let mut here = Here {
            file,
            positions,
            findings,
        };
        for (field, text) in texts {
            here.require(!text.trim().is_empty(), field, field, "it may not be empty");
        }
    }
    for r in &site.objectives {
        let d = &r.data;
        let texts = [
            ("statement", d.statement.as_str()),
            ("target", &d.target),
            ("owner", &d.owner),
        ];
        blank_fields(r.file, &r.positions, &texts, findings);
    }
    for r in &site.audits {
        let d = &r.data;
        let mut texts = vec![
            ("title", d.title.as_str()),
            ("auditor", &d.auditor),
            ("independence", &d.independence),
        ];
        for f in &d.findings {
            texts.push(("findings", f.id.as_str()));
            texts.push(("findings", f.description.as_str()));
        }
        blank_fields(r.file, &r.positions, &texts, findings);
    }
    for r in &site.actions {
        let d = &r.data;
        let texts = [
            ("title", d.title.as_str()),
            ("description", &d.description),
            ("owner", &d.owner),
        ];
        blank_fields(r.file, &r.positions, &texts, findings);
    }
    for r in &site.parties {
        let d = &r.data;
        let texts = [
            ("name", d.name.as_str()),
            ("engagement", &d.engagement),
            ("owner", &d.owner),
        ];
        blank_fields(r.file, &r.positions, &texts, findings);
    }
    for r in &site.assessments {
        let d = &r.data;
        let texts = [
            ("assessor", d.assessor.as_str()),
            ("residual_impact", &d.residual_impact),
        ];
        blank_fields(r.file, &r.positions, &texts, findings);
    }
}

#[cfg(test)]
mod tests {
    use crate::publish::placeholder;

    #[test]
    fn placeholders_are_read_as_a_person_reads_them() {
        for text in [
            "TODO: write this",
            "owner (TBD)",
            "todo ask legal",
            "T.B.D.",
            "Tbd.",
            "fixme",
            "xxx",
            "\u{ff34}\u{ff2f}\u{ff24}\u{ff2f}", // fullwidth
            "TO\u{200b}DO",
            "T\u{ad}ODO",
            "\u{422}ODO", // Cyrillic capital Te
            "T-B-D",
            "T.O.D.O.",
            "to be determined",
            "to  be\tdetermined",
            "to-be-determined",
            "TODO_write",
            "TODO-1234",
        ] {
            assert!(placeholder(text).is_some(), "{text:?}");
        }
        for text in [
            "Our todo lists and TBDs are tracked elsewhere.",
            "Model outputs are reviewed weekly.",
            "Tools and data.",
            "Sizes S to XXXL.",
            "Toronto dock",
        ] {
            assert_eq!(placeholder(text), None, "{text:?}");
        }
    }
}
