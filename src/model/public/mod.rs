//! The public model: exactly what the public trust centre may show, copied field by field
//! (`build`). Internal records are not in it at all; restricted ones are reduced to their
//! title and public summary; public documents carry their body with internal blocks and
//! HTML comments already removed, and every link and asset already resolved.
//!
//! These types hold plain values only: no source file, loaded record or position, so the
//! renderer that takes them can reach nothing else (`tests/boundary.rs` holds both files
//! to that).

mod build;
mod kept;

pub use build::{build, public_text};
pub use kept::KeptBodies;

use super::StatusCounts;
use crate::hash::HashMap;
use crate::load::aims::ObjectiveStatus as AiObjectiveStatus;
use crate::load::date::Date;
use crate::load::records::{
    CertificationStatus, ControlStatus, DocType, Lifecycle, RiskClass, RiskStatus, SupplierKind,
    SystemRole, Text, Treatment,
};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Serialize)]
pub struct PublicModel {
    pub site: SiteInfo,
    /// The newest date among the published facts: a build on another day gives the same page.
    pub updated: Option<Date>,
    pub ai_policy: Option<DocumentRef>,
    /// The organisation's role with AI under the EU AI Act, from its public AI systems.
    pub ai_role: Option<String>,
    pub documents: Vec<PublicDocument>,
    pub controls: Vec<PublicControl>,
    pub systems: Vec<PublicSystem>,
    pub risks: Vec<PublicRisk>,
    /// The public suppliers, the notice given before a new one starts, and their changes.
    pub suppliers: PublicSuppliers,
    /// The published AI objectives (ISO/IEC 42001 6.2): statement, target and status only.
    pub ai_objectives: Vec<PublicAiObjective>,
    /// Published documents that asked for a place in the top navigation, in order.
    pub nav: Vec<NavLink>,
    /// Restricted records of every kind: title and summary, "available on request".
    pub restricted: Vec<RestrictedItem>,
    pub objectives: Vec<ObjectiveStatus>,
    /// Counts over every control record, internal ones included (docs/format.md §4: totals name no record).
    pub control_totals: Option<StatusCounts>,
    /// The commit the sources were built from (none outside git).
    pub source: Option<SourceCommit>,
    /// Until when `/.well-known/security.txt` holds: a year after the commit built from
    /// (the build day outside git), so that the same commit gives the same file.
    pub security_txt_expires: Date,
    /// Each day a published item's source changed, newest first: the feed's entries.
    pub changes: Vec<PublicChange>,
    /// Page URL of every published record, by id. Not shown.
    #[serde(skip)]
    pub urls: HashMap<String, String>,
    /// The asset files public pages use, by output path. Not shown.
    #[serde(skip)]
    pub assets: BTreeMap<String, PublicAsset>,
}

#[derive(Serialize)]
pub struct SiteInfo {
    pub title: String,
    pub organisation: String,
    pub description: Option<String>,
    pub language: String,
    pub base_url: Option<String>,
    pub contact_email: String,
    pub concerns_url: Option<String>,
    /// The public and restricted certifications, in the order site.yaml lists them.
    pub certifications: Vec<CertificationInfo>,
    /// The first of `certifications`, for readers of `trust.json` from before the list.
    pub certification: Option<CertificationInfo>,
    /// How customer data meets AI, as the organisation states it.
    pub ai_data_use: Option<PublicAiDataUse>,
    /// Where to report a vulnerability: a `mailto:` or web address.
    pub security_contact: Option<String>,
    /// The vulnerability disclosure policy: a web address, or a published page's URL
    /// from the site root.
    pub security_policy: Option<String>,
}

/// How customer data meets AI, as site.yaml states it (checked against the records).
#[derive(Serialize)]
pub struct PublicAiDataUse {
    pub trains_on_customer_data: bool,
    pub retention: PublicRetention,
    pub locations: Vec<String>,
    pub opt_out: Option<String>,
}

#[derive(Serialize)]
pub struct PublicRetention {
    pub prompts: Option<String>,
    pub outputs: Option<String>,
    pub logs: Option<String>,
}

#[derive(Clone, Serialize)]
pub struct CertificationInfo {
    pub standard: String,
    pub status: CertificationStatus,
    pub certifier: Option<String>,
    pub certificate_id: Option<Text>,
    pub scope: Option<String>,
    pub valid_until: Option<Date>,
    pub issued_on: Option<Date>,
    /// Output path of the certificate file, when it is offered.
    pub certificate_file: Option<String>,
    /// Listed, with the certificate sent on request.
    pub on_request: bool,
}

#[derive(Serialize)]
pub struct NavLink {
    pub title: String,
    pub url: String,
}

#[derive(Serialize)]
pub struct DocumentRef {
    pub title: String,
    pub url: String,
    pub public_summary: String,
}

#[derive(Serialize)]
pub struct PublicDocument {
    pub url: String,
    pub is_page: bool,
    pub title: String,
    pub doc_type: DocType,
    pub version: Option<Text>,
    pub effective_from: Option<Date>,
    pub approved_on: Option<Date>,
    pub next_review: Option<Date>,
    /// `next_review` is before the build day: the page says so rather than show a date
    /// gone by as if it were still ahead.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub review_overdue: bool,
    pub public_summary: String,
    pub revisions: Vec<PublicRevision>,
    /// Only the published controls among those the document implements.
    pub controls: Vec<ControlRef>,
    pub tags: Vec<Text>,
    /// When its source last changed, from git.
    pub last_changed: Option<Date>,
    /// Rendered on its own (as the page's `body`), not part of the template data.
    #[serde(skip)]
    pub body: PublicBody,
}

/// A public document's body, with everything its links need already decided: the public
/// renderer resolves nothing against the sources.
#[derive(Serialize)]
pub struct PublicBody {
    /// Markdown without internal blocks and comments (shared with what `serve` keeps,
    /// and with the source when there was nothing to take out).
    pub markdown: crate::model::BodyText,
    /// `hash_text(&markdown)`, made once: the page's key, its search words and the search
    /// index are kept by it.
    #[serde(skip)]
    pub hash: u64,
    /// Where each relative link destination in `markdown` (percent-decoded) leads, from the
    /// site root; `None`: the link keeps its text and loses its target.
    pub links: std::sync::Arc<BTreeMap<String, Option<String>>>,
    /// The ids of the body's own headings (what `#anchor` may name).
    pub anchors: BTreeSet<String>,
}

/// An asset file a public page uses, copied to `path` in the public site.
#[derive(Serialize)]
pub struct PublicAsset {
    /// Output path, such as `assets/diagram.png`.
    pub path: String,
    /// Where the file really is.
    pub source: std::path::PathBuf,
    /// URLs of the pages that use it.
    pub used_by: BTreeSet<String>,
}

#[derive(Clone, Serialize)]
pub struct ControlRef {
    pub id: String,
    pub title: String,
    pub url: String,
}

#[derive(Clone, Serialize)]
pub struct PublicControl {
    pub url: String,
    pub id: String,
    pub title: String,
    pub objective: String,
    pub objective_title: String,
    pub applicable: bool,
    pub status: ControlStatus,
    /// Implemented, but every piece of its evidence has expired: the page says so beside
    /// the status.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub evidence_out_of_date: bool,
    pub public_summary: String,
    pub last_reviewed: Option<Date>,
    pub next_review: Option<Date>,
    /// `next_review` is before the build day: the page says so rather than show a date
    /// gone by as if it were still ahead.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub review_overdue: bool,
    pub last_changed: Option<Date>,
}

#[derive(Serialize)]
pub struct PublicSystem {
    pub url: String,
    pub name: String,
    pub description: String,
    pub purpose: String,
    pub role: SystemRole,
    pub lifecycle: Lifecycle,
    pub risk_class: RiskClass,
    pub human_oversight: String,
    pub ai_disclosure: Option<String>,
    pub limitations: Option<String>,
    pub affected_people: Option<String>,
    pub last_reviewed: Option<Date>,
    pub next_review: Option<Date>,
    /// `next_review` is before the build day: the page says so rather than show a date
    /// gone by as if it were still ahead.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub review_overdue: bool,
    pub public_summary: String,
    pub last_changed: Option<Date>,
    /// The AI-use card: whether customer data trains a model (`None`: not stated), how
    /// long it is kept, how to opt out, the models by public name, and who provides them.
    pub customer_data_used_for_training: Option<bool>,
    pub data_retention: Option<String>,
    pub opt_out: Option<String>,
    pub models: Vec<String>,
    pub suppliers: Vec<SupplierLink>,
    /// The newest published impact assessment of the system: its date and public summary.
    pub impact_assessment: Option<PublicAssessment>,
}

#[derive(Serialize)]
pub struct PublicAssessment {
    pub date: Date,
    pub summary: String,
    /// Its `next_review` is before the build day: the page does not present it as current.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub review_overdue: bool,
}

/// A supplier as a system's card names it: a supplier the public may not see is "a
/// third-party provider", with no link.
#[derive(Clone, Serialize)]
pub struct SupplierLink {
    pub name: String,
    /// Its row on the suppliers page (`suppliers/index.html#anchor`), when it is public.
    pub anchor: Option<String>,
    /// When it starts, if that is still to come: the card must not present it as current.
    pub starts: Option<Date>,
    /// When it stopped, if that has passed.
    pub ended: Option<Date>,
}

#[derive(Default, Serialize)]
pub struct PublicSuppliers {
    /// Days of notice customers get before a new supplier starts (site.yaml).
    pub notice_days: Option<u32>,
    /// Processing data today, by name.
    pub current: Vec<PublicSupplier>,
    /// Announced: starting after today, by start date.
    pub upcoming: Vec<PublicSupplier>,
    /// No longer processing data, most recently ended first.
    pub ended: Vec<PublicSupplier>,
    /// Announced changes still to come (`starting`, `ending`), soonest first.
    pub upcoming_changes: Vec<SupplierChange>,
    /// Changes that happened (`added`, `removed`, `changed`), newest first.
    pub past_changes: Vec<SupplierChange>,
    /// Over every supplier record, internal ones included (totals name no record): how
    /// many process data today, and how many of those train on customer data. A page
    /// that counted only the published ones would understate both.
    pub total_current: usize,
    pub total_training: usize,
    /// How many public suppliers were announced with less notice than promised.
    pub short_notice: usize,
}

impl PublicSuppliers {
    /// Whether there is anything to show: without a public supplier there is no page.
    pub fn any(&self) -> bool {
        !(self.current.is_empty() && self.upcoming.is_empty() && self.ended.is_empty())
    }
}

#[derive(Clone, Serialize)]
pub struct PublicSupplier {
    /// The anchor of its row on the suppliers page.
    pub anchor: String,
    pub name: String,
    pub service: String,
    pub purpose: String,
    pub kind: SupplierKind,
    pub data_categories: Vec<String>,
    pub locations: Vec<String>,
    pub trains_on_customer_data: bool,
    pub retention: Option<String>,
    /// Whether a data-processing agreement is in place (where it is stays internal).
    pub dpa: Option<bool>,
    pub since: Date,
    pub until: Option<Date>,
    pub public_summary: String,
    pub last_changed: Option<Date>,
    /// Announced with less notice than the page promises (or after it started): the row
    /// says so, so that the promise is not read as kept for it.
    pub short_notice: Option<crate::model::ShortNotice>,
}

/// What happened to a public supplier, or will: `added`, `removed`, `changed`, or
/// (announced) `starting` and `ending`.
#[derive(Clone, Serialize)]
pub struct SupplierChange {
    pub date: Date,
    /// When it was announced: the day its record was first committed, or for a change
    /// read without git history, the change's own date (today for one still to come).
    pub announced: Date,
    pub change: &'static str,
    pub name: String,
    /// The supplier's row on the suppliers page.
    pub anchor: String,
}

#[derive(Serialize)]
pub struct PublicAiObjective {
    pub statement: String,
    pub target: String,
    pub status: PublicObjectiveStatus,
}

/// Where a published objective stands, as the public page may say it: its status as
/// written, or `past-due` when it was due before the build's day and is neither achieved
/// nor dropped (`on-track` past its date is no longer true).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PublicObjectiveStatus {
    OnTrack,
    AtRisk,
    OffTrack,
    Achieved,
    Dropped,
    PastDue,
}

impl PublicObjectiveStatus {
    pub fn of(status: AiObjectiveStatus, due: Option<Date>, today: Date) -> Self {
        match status {
            AiObjectiveStatus::Achieved => Self::Achieved,
            AiObjectiveStatus::Dropped => Self::Dropped,
            _ if due.is_some_and(|due| due < today) => Self::PastDue,
            AiObjectiveStatus::OnTrack => Self::OnTrack,
            AiObjectiveStatus::AtRisk => Self::AtRisk,
            AiObjectiveStatus::OffTrack => Self::OffTrack,
        }
    }
}

#[derive(Serialize)]
pub struct PublicRisk {
    pub url: String,
    pub last_changed: Option<Date>,
    pub title: String,
    pub public_summary: String,
    pub treatment: Treatment,
    pub status: RiskStatus,
}

/// What a restricted item is, as the public page and trust.json name it.
#[derive(Clone, Copy, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RestrictedKind {
    Document,
    Control,
    System,
    Risk,
    Supplier,
    Objective,
}

#[derive(Serialize)]
pub struct RestrictedItem {
    pub kind: RestrictedKind,
    pub title: String,
    pub public_summary: String,
    /// A supplier's: whether it processes data today or is still to start (one that has
    /// ended is not offered).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<crate::model::SupplierState>,
}

#[derive(Serialize)]
pub struct ObjectiveStatus {
    pub id: String,
    pub title: String,
    /// The catalogue's framework: two catalogues may use the same objective id. Not shown.
    #[serde(skip)]
    pub framework: String,
    pub totals: Option<StatusCounts>,
    pub controls: Vec<PublicControl>,
}

/// The commit a build came from: its id and time, nothing of its author or message.
#[derive(Serialize)]
pub struct SourceCommit {
    pub commit: String,
    /// `YYYY-MM-DDTHH:MM:SSZ`.
    pub committed_at: String,
}

/// A day on which a published item's source changed.
#[derive(Serialize)]
pub struct PublicChange {
    pub date: Date,
    pub title: String,
    pub url: String,
    /// Whether the item was published that day (rather than changed).
    pub published: bool,
}

/// One entry of a document's revision history.
#[derive(Clone, Serialize)]
pub struct PublicRevision {
    pub version: Text,
    pub date: Date,
    pub summary: String,
}
