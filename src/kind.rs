//! The kinds of record, one vocabulary for the rules, the models and the templates (which
//! read them by their lowercase names: `policy`, `control`, `supplier`, `audit`, …).

use crate::load::DocKind;
use serde::Serialize;

/// In alphabetical order of their names: lists of references sort by kind first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Action,
    Assessment,
    Audit,
    /// A certification or attestation of site.yaml (no record of its own: the dashboard
    /// lists them).
    Certification,
    Control,
    Objective,
    Page,
    Party,
    Policy,
    Risk,
    Supplier,
    System,
}

impl Kind {
    /// The word for it in a sentence.
    pub fn noun(self) -> &'static str {
        match self {
            Kind::Policy => "policy",
            Kind::Page => "page",
            Kind::Control => "control",
            Kind::System => "AI system",
            Kind::Risk => "risk",
            Kind::Supplier => "supplier",
            Kind::Objective => "objective",
            Kind::Audit => "audit",
            Kind::Certification => "certification",
            Kind::Action => "corrective action",
            Kind::Assessment => "impact assessment",
            Kind::Party => "interested party",
        }
    }

    pub fn of_document(kind: DocKind) -> Kind {
        match kind {
            DocKind::Policy => Kind::Policy,
            DocKind::Page => Kind::Page,
        }
    }
}
