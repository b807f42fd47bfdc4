//! The records of the rest of the AI management system (ISO/IEC 42001 clauses 6.2, 9.2 and
//! 10.2): objectives, internal audits, and nonconformities with their corrective actions.
//! Same conventions as the other records: an `id`, unknown fields refused, visibility
//! internal unless said otherwise (only objectives may be published).

use super::date::Date;
use super::records::Visibility;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ObjectiveStatus {
    OnTrack,
    AtRisk,
    OffTrack,
    Achieved,
    Dropped,
}

/// An AI objective (6.2): what is to be achieved, how it is measured, and where it stands.
#[derive(Clone, Debug, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ObjectiveRecord {
    pub id: String,
    /// The objective, as a sentence.
    pub statement: String,
    /// How progress is measured.
    pub measure: Option<String>,
    pub target: String,
    /// The latest measured value, and when it was measured.
    pub current: Option<String>,
    pub measured_on: Option<Date>,
    pub owner: String,
    pub due: Option<Date>,
    pub status: ObjectiveStatus,
    #[serde(default)]
    pub controls: Vec<String>,
    #[serde(default)]
    pub risks: Vec<String>,
    pub next_review: Option<Date>,
    #[serde(default)]
    pub visibility: Visibility,
    pub public_summary: Option<String>,
}

impl ObjectiveRecord {
    pub const REQUIRED: &[&str] = &["id", "statement", "target", "owner", "status"];
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum AuditStatus {
    Planned,
    InProgress,
    Completed,
}

/// What an audit found about one thing it looked at.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum FindingGrade {
    Conformity,
    Observation,
    MinorNonconformity,
    MajorNonconformity,
}

impl FindingGrade {
    pub fn is_nonconformity(self) -> bool {
        matches!(
            self,
            FindingGrade::MinorNonconformity | FindingGrade::MajorNonconformity
        )
    }
}

#[derive(Clone, Debug, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AuditFinding {
    /// Unique within the audit (`F1`); a corrective action names it with the audit's id.
    pub id: String,
    pub grade: FindingGrade,
    pub description: String,
    /// Ids of the records it concerns (controls, documents, systems, risks, suppliers).
    #[serde(default)]
    pub concerns: Vec<String>,
    /// The clauses it concerns (`9.2`, `A.6.2.4`), as text.
    #[serde(default)]
    pub clauses: Vec<super::records::Text>,
}

/// An internal audit (9.2): its scope, who audited and how independently, what was found.
#[derive(Clone, Debug, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AuditRecord {
    pub id: String,
    pub title: String,
    /// The clauses and Annex A controls in scope, as text (`4`–`10`, `A.6`).
    #[serde(default)]
    pub scope: Vec<super::records::Text>,
    pub start: Date,
    pub end: Option<Date>,
    pub auditor: String,
    /// Why the auditor is independent of what was audited.
    pub independence: String,
    pub status: AuditStatus,
    #[serde(default)]
    pub findings: Vec<AuditFinding>,
    pub summary: Option<String>,
    /// Where the report is (a path under `content/`, internal).
    pub report: Option<String>,
}

impl AuditRecord {
    pub const REQUIRED: &[&str] = &["id", "title", "start", "auditor", "independence", "status"];
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ActionSource {
    AuditFinding,
    Incident,
    ManagementReview,
    Complaint,
    Other,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Minor,
    Major,
}

/// One step of a corrective action, with who does it by when.
#[derive(Clone, Debug, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionStep {
    pub description: String,
    pub owner: String,
    pub due: Date,
    /// When it was done.
    pub done: Option<Date>,
}

/// Whether the corrective action worked (10.2 d), checked after it was taken.
#[derive(Clone, Debug, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EffectivenessCheck {
    pub date: Date,
    pub by: String,
    pub result: String,
    pub effective: bool,
}

/// A nonconformity and its corrective action (10.2), through to closure.
#[derive(Clone, Debug, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionRecord {
    pub id: String,
    pub title: String,
    pub source: ActionSource,
    /// For an audit finding: the audit's id and the finding's.
    pub audit: Option<String>,
    pub finding: Option<String>,
    pub severity: Severity,
    pub description: String,
    pub raised_on: Date,
    pub owner: String,
    pub root_cause: Option<String>,
    #[serde(default)]
    pub steps: Vec<ActionStep>,
    pub effectiveness_check: Option<EffectivenessCheck>,
    pub closed_on: Option<Date>,
    /// Ids of the records it concerns.
    #[serde(default)]
    pub concerns: Vec<String>,
}

impl ActionRecord {
    pub const REQUIRED: &[&str] = &[
        "id",
        "title",
        "source",
        "severity",
        "description",
        "raised_on",
        "owner",
    ];

    pub fn is_open(&self) -> bool {
        self.closed_on.is_none()
    }
}

/// An interested party (4.2): who they are, what they need and expect (and which of that
/// is a requirement), how the organisation meets it and how it engages them.
#[derive(Clone, Debug, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PartyRecord {
    pub id: String,
    pub name: String,
    pub needs: Vec<String>,
    /// Which needs are requirements (legal, contractual).
    #[serde(default)]
    pub requirements: Vec<String>,
    /// Ids of the records that address them (documents, controls, systems, objectives).
    #[serde(default)]
    pub addressed_by: Vec<String>,
    pub engagement: String,
    pub owner: String,
    pub next_review: Option<Date>,
}

impl PartyRecord {
    pub const REQUIRED: &[&str] = &["id", "name", "needs", "engagement", "owner"];
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Decision {
    Proceed,
    ProceedWithConditions,
    DoNotProceed,
}

/// A potential harm or benefit, with how severe and how likely it is (1–5 each).
#[derive(Clone, Debug, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Impact {
    pub description: String,
    pub severity: super::records::Score,
    pub likelihood: super::records::Score,
}

/// An AI system impact assessment (6.1.4, structured after ISO/IEC 42005).
#[derive(Clone, Debug, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AssessmentRecord {
    pub id: String,
    pub system: String,
    pub date: Date,
    pub assessor: String,
    pub affected: Vec<String>,
    #[serde(default)]
    pub uses: Vec<String>,
    #[serde(default)]
    pub misuses: Vec<String>,
    #[serde(default)]
    pub harms: Vec<Impact>,
    #[serde(default)]
    pub benefits: Vec<Impact>,
    /// Ids of the controls and risks that mitigate the harms.
    #[serde(default)]
    pub mitigations: Vec<String>,
    pub residual_impact: String,
    pub decision: Decision,
    pub conditions: Option<String>,
    pub next_review: Option<Date>,
    #[serde(default)]
    pub visibility: Visibility,
    pub public_summary: Option<String>,
}

impl AssessmentRecord {
    pub const REQUIRED: &[&str] = &[
        "id",
        "system",
        "date",
        "assessor",
        "affected",
        "residual_impact",
        "decision",
    ];
}
