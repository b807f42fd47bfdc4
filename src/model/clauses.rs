//! The clause map: ISO/IEC 42001's clauses 4.1 to 10.2 (numbers and short names only, as
//! with Annex A), each with the handbook pages and records that evidence it, so that an
//! auditor sampling a clause reaches its evidence in a click. A clause with nothing is a gap.

use super::internal::InternalModel;
use serde::Serialize;

/// The requirement clauses, by number and short name.
const CLAUSES: [(&str, &str); 27] = [
    ("4.1", "Understanding the organization and its context"),
    (
        "4.2",
        "Understanding the needs and expectations of interested parties",
    ),
    ("4.3", "Determining the scope of the AI management system"),
    ("4.4", "AI management system"),
    ("5.1", "Leadership and commitment"),
    ("5.2", "AI policy"),
    ("5.3", "Roles, responsibilities and authorities"),
    (
        "6.1.1",
        "Actions to address risks and opportunities: general",
    ),
    ("6.1.2", "AI risk assessment"),
    ("6.1.3", "AI risk treatment"),
    ("6.1.4", "AI system impact assessment"),
    ("6.2", "AI objectives and planning to achieve them"),
    ("6.3", "Planning of changes"),
    ("7.1", "Resources"),
    ("7.2", "Competence"),
    ("7.3", "Awareness"),
    ("7.4", "Communication"),
    ("7.5", "Documented information"),
    ("8.1", "Operational planning and control"),
    ("8.2", "AI risk assessment"),
    ("8.3", "AI risk treatment"),
    ("8.4", "AI system impact assessment"),
    ("9.1", "Monitoring, measurement, analysis and evaluation"),
    ("9.2", "Internal audit"),
    ("9.3", "Management review"),
    ("10.1", "Continual improvement"),
    ("10.2", "Nonconformity and corrective action"),
];

#[derive(Serialize)]
pub struct ClauseRow {
    pub id: &'static str,
    pub title: &'static str,
    pub evidence: Vec<ClauseEvidence>,
}

#[derive(Serialize)]
pub struct ClauseEvidence {
    pub title: String,
    /// From the handbook's root, to a folder (`soa/`).
    pub url: String,
    /// What it is: "document", "register", "page".
    pub kind: &'static str,
}

/// Every clause with its evidence: documents naming it (or a clause above it) in their
/// `clauses:`, and the handbook's registers that answer it when they hold anything.
pub fn clause_map(model: &InternalModel) -> Vec<ClauseRow> {
    let page = |title: &str, url: &str| ClauseEvidence {
        title: title.to_string(),
        url: url.to_string(),
        kind: "register",
    };
    CLAUSES
        .iter()
        .map(|&(id, title)| {
            let mut evidence: Vec<ClauseEvidence> = (model.documents.iter())
                .filter(|d| {
                    (d.meta.clauses.iter())
                        .any(|c| id == &**c || id.starts_with(&format!("{}.", &**c)))
                })
                .map(|d| ClauseEvidence {
                    // A draft is evidence of intent, not of a requirement met: say so.
                    title: match d.meta.status {
                        Some(status)
                            if !matches!(status, crate::load::records::DocStatus::Approved) =>
                        {
                            format!(
                                "{} {} ({})",
                                d.meta.id,
                                d.meta.title,
                                crate::model::internal::serde_plain(&status)
                            )
                        }
                        _ => format!("{} {}", d.meta.id, d.meta.title),
                    },
                    url: d.url.clone(),
                    kind: "document",
                })
                .collect();
            let has = |present: bool, title: &str, url: &str| present.then(|| page(title, url));
            let registers = match id {
                "4.2" => vec![has(
                    !model.parties.is_empty(),
                    "Interested parties",
                    "parties/",
                )],
                "5.3" => vec![has(!model.journey.roles.is_empty(), "Roles", "roles/")],
                "6.1.2" | "8.2" => vec![has(!model.risks.is_empty(), "Risk register", "risks/")],
                "6.1.3" => vec![
                    has(!model.soa.is_empty(), "Statement of Applicability", "soa/"),
                    has(
                        !model.risks.is_empty(),
                        "Risk register (treatment)",
                        "risks/",
                    ),
                ],
                "8.3" => vec![
                    has(
                        !model.risks.is_empty(),
                        "Risk register (treatment)",
                        "risks/",
                    ),
                    has(
                        !model.journey.roadmap.is_empty(),
                        "Implementation roadmap",
                        "roadmap/",
                    ),
                ],
                "6.1.4" | "8.4" => {
                    vec![has(
                        !model.assessments.is_empty(),
                        "Impact assessments",
                        "assessments/",
                    )]
                }
                "6.2" => vec![has(
                    !model.objectives.is_empty(),
                    "AI objectives",
                    "objectives/",
                )],
                "7.5" => vec![has(!model.documents.is_empty(), "Documents", "documents/")],
                "9.1" => vec![has(
                    !model.objectives.is_empty(),
                    "AI objectives (measures)",
                    "objectives/",
                )],
                "9.2" => vec![has(!model.audits.is_empty(), "Internal audits", "audits/")],
                // The pack is made for every site; a review held is what evidences 9.3.
                "9.3" => vec![model.site.review.last_management_review.map(|date| {
                    page(
                        &format!("Management review pack (last review {date})"),
                        "review/",
                    )
                })],
                "10.1" | "10.2" => {
                    vec![has(
                        !model.actions.is_empty(),
                        "Nonconformities and corrective actions",
                        "actions/",
                    )]
                }
                _ => Vec::new(),
            };
            evidence.extend(registers.into_iter().flatten());
            ClauseRow {
                id,
                title,
                evidence,
            }
        })
        .collect()
}
