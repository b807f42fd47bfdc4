//! The internal model: every record in full, plus what staff and auditors read across
//! records: backlinks, the Statement of Applicability, the risk heat maps, the review
//! calendar and the dashboard figures.

use super::parsed::Parsed;
use super::{Catalogs, ControlInfo, StatusCounts, SupplierState, risk_level};
use crate::hash::HashMap;
use crate::hash::HashMapExt;
use crate::kind::Kind;

use crate::load::aims::{
    ActionRecord, AssessmentRecord, AuditRecord, ObjectiveRecord, ObjectiveStatus, PartyRecord,
};
use crate::load::date::Date;
use crate::load::records::{
    ControlRecord, DocStatus, DocumentMeta, RiskRecord, SiteConfig, SupplierRecord, SystemRecord,
    Visibility,
};
use crate::load::{DocKind, Site};
use crate::publish;
use crate::schedule::{Due, DueState, due_state, reviews};
use crate::urls;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Serialize)]
pub struct InternalModel<'a> {
    pub site: &'a SiteConfig,
    pub today: Date,
    pub documents: Vec<InternalDocument<'a>>,
    pub controls: Vec<InternalControl<'a>>,
    pub systems: Vec<InternalSystem<'a>>,
    pub risks: Vec<InternalRisk<'a>>,
    pub suppliers: Vec<InternalSupplier<'a>>,
    pub objectives: Vec<InternalAims<'a, ObjectiveRecord>>,
    pub audits: Vec<InternalAims<'a, AuditRecord>>,
    pub actions: Vec<InternalAction<'a>>,
    pub parties: Vec<InternalAims<'a, PartyRecord>>,
    pub assessments: Vec<InternalAims<'a, AssessmentRecord>>,
    pub soa: Vec<SoaRow>,
    pub soa_info: SoaInfo,
    pub heat_map: HeatMaps,
    pub calendar: Vec<CalendarEntry>,
    pub dashboard: Dashboard,
    pub journey: super::journey::Journey,
    /// ISO/IEC 42001's clauses, each with its evidence in the handbook.
    pub clauses: Vec<super::clauses::ClauseRow>,
    /// What changed since the last management review (from git).
    pub since_review: super::since_review::SinceReview,
    /// Page URL of every record, by id: for rewriting links, and for templates to make
    /// every id they show a link (the `ids` macro).
    #[serde(serialize_with = "sorted")]
    pub urls: HashMap<String, String>,
    /// The catalogues the SoA's controls come from, for the OSCAL export. Not shown.
    #[serde(skip)]
    pub catalogs: Vec<&'a crate::load::records::Catalog>,
    /// When the commit built from was made (`YYYY-MM-DDTHH:MM:SSZ`); none outside git.
    #[serde(skip)]
    pub committed_at: Option<String>,
    /// A hash of which record each source path holds: a body's relative link leads to
    /// the record its path holds, so every page with a body is keyed by it too.
    #[serde(skip)]
    pub records_by_path: u64,
}

/// A map serialized in key order: the model's hash keys the page cache and the output's
/// generation token, which must not change with a hash map's random order.
fn sorted<V: Serialize, S: serde::Serializer>(
    map: &HashMap<String, V>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    map.iter().collect::<BTreeMap<_, _>>().serialize(serializer)
}

/// A link to a record, as lists and backlinks show it. Shared, not copied: a record is
/// named by thousands of others, and copying its three strings for each was most of what
/// the backlinks cost.
#[derive(Clone, Debug)]
pub struct Ref(std::sync::Arc<Shared>);

#[derive(Debug)]
struct Shared {
    to: RefTo,
    /// The reference as the templates read it, made once: the 52,000 backlinks of a large
    /// site then hold one value per record (kept where it is at the build's peak of
    /// memory), not one map each.
    for_templates: std::sync::OnceLock<minijinja::Value>,
}

#[derive(Debug, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct RefTo {
    pub kind: Kind,
    pub id: String,
    pub title: String,
    pub url: String,
}

/// A risk's reference, as the heat map, the dashboard and the journey list it.
pub fn risk_ref(r: &InternalRisk) -> Ref {
    Ref::from(RefTo {
        kind: Kind::Risk,
        id: r.record.id.clone(),
        title: r.record.title.clone(),
        url: r.url.clone(),
    })
}

impl From<RefTo> for Ref {
    fn from(to: RefTo) -> Ref {
        let for_templates = std::sync::OnceLock::new();
        Ref(std::sync::Arc::new(Shared { to, for_templates }))
    }
}

impl std::ops::Deref for Ref {
    type Target = RefTo;
    fn deref(&self) -> &RefTo {
        &self.0.to
    }
}

impl PartialEq for Ref {
    fn eq(&self, other: &Ref) -> bool {
        self.0.to == other.0.to
    }
}

impl Eq for Ref {}

impl PartialOrd for Ref {
    fn partial_cmp(&self, other: &Ref) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Ref {
    fn cmp(&self, other: &Ref) -> std::cmp::Ordering {
        self.0.to.cmp(&other.0.to)
    }
}

impl Serialize for Ref {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // Made into a template value, every mention shares one value: minijinja keeps a
        // value's identity through its own serializer.
        if minijinja::value::serializing_for_value() {
            let value = (self.0.for_templates)
                .get_or_init(|| minijinja::Value::from(minijinja::value::Serde(&self.0.to)));
            return value.serialize(serializer);
        }
        self.0.to.serialize(serializer)
    }
}

#[derive(Serialize)]
pub struct InternalDocument<'a> {
    #[serde(skip)]
    pub file: crate::sources::FileId,
    pub url: String,
    pub is_page: bool,
    pub meta: Parsed<'a, DocumentMeta>,
    /// Rendered on its own (as the page's `body`), not part of the template data.
    #[serde(skip)]
    pub body: super::BodyText,
    /// The hash of the source file (`SourceFile::hash`): `body` is part of it, so what is
    /// made from the body is kept by it, without hashing the body again.
    #[serde(skip)]
    pub source_hash: u64,
    /// How the public site shows it: `public`, `restricted` or `internal`.
    pub published_as: Visibility,
    pub source: String,
    pub edit_url: Option<String>,
    /// From git: the commits that changed the source, and whether it has uncommitted edits.
    pub history: SourceHistory,
    pub referenced_by: Vec<Ref>,
}

#[derive(Serialize)]
pub struct InternalControl<'a> {
    #[serde(skip)]
    pub file: crate::sources::FileId,
    pub url: String,
    pub record: Parsed<'a, ControlRecord>,
    pub info: ControlInfo,
    pub source: String,
    pub edit_url: Option<String>,
    /// From git: the commits that changed the source, and whether it has uncommitted edits.
    pub history: SourceHistory,
    pub referenced_by: Vec<Ref>,
    pub expired_evidence: Vec<String>,
}

#[derive(Serialize)]
pub struct InternalSystem<'a> {
    pub url: String,
    pub record: Parsed<'a, SystemRecord>,
    /// The suppliers it names, as links.
    pub suppliers: Vec<Ref>,
    pub source: String,
    pub edit_url: Option<String>,
    /// From git: the commits that changed the source, and whether it has uncommitted edits.
    pub history: SourceHistory,
    pub referenced_by: Vec<Ref>,
}

impl InternalSystem<'_> {
    /// This system's page with `record` in place of its own: for a save that changed
    /// only what that page shows (`serve::record_save`).
    pub fn with_record<'b>(&self, record: Parsed<'b, SystemRecord>) -> InternalSystem<'b> {
        InternalSystem {
            url: self.url.clone(),
            record,
            suppliers: self.suppliers.clone(),
            source: self.source.clone(),
            edit_url: self.edit_url.clone(),
            history: self.history.clone(),
            referenced_by: self.referenced_by.clone(),
        }
    }
}

#[derive(Serialize)]
pub struct InternalRisk<'a> {
    pub url: String,
    pub record: Parsed<'a, RiskRecord>,
    pub score: u16,
    pub level: &'static str,
    pub residual_score: Option<u16>,
    pub residual_level: Option<&'static str>,
    pub source: String,
    pub edit_url: Option<String>,
    /// From git: the commits that changed the source, and whether it has uncommitted edits.
    pub history: SourceHistory,
    pub referenced_by: Vec<Ref>,
}

impl InternalRisk<'_> {
    /// This risk's page with `record` in place of its own: for a save that changed only
    /// what that page shows (`serve::record_save`).
    pub fn with_record<'b>(&self, record: Parsed<'b, RiskRecord>) -> InternalRisk<'b> {
        InternalRisk {
            url: self.url.clone(),
            record,
            score: self.score,
            level: self.level,
            residual_score: self.residual_score,
            residual_level: self.residual_level,
            source: self.source.clone(),
            edit_url: self.edit_url.clone(),
            history: self.history.clone(),
            referenced_by: self.referenced_by.clone(),
        }
    }
}

#[derive(Serialize)]
pub struct InternalSupplier<'a> {
    pub url: String,
    pub record: Parsed<'a, SupplierRecord>,
    /// How the public site shows it: `public`, `restricted` or `internal`.
    pub published_as: Visibility,
    /// `current`, `upcoming` (its `since` is after today) or `ended` (its `until` has passed).
    pub state: SupplierState,
    /// The systems that name it.
    pub systems: Vec<Ref>,
    pub source: String,
    pub edit_url: Option<String>,
    pub history: SourceHistory,
    pub referenced_by: Vec<Ref>,
    pub expired_evidence: Vec<String>,
}

/// An objective's or an audit's page: the record, and what every record page shows.
#[derive(Serialize)]
pub struct InternalAims<'a, T> {
    pub url: String,
    pub record: Parsed<'a, T>,
    /// How the public site shows it (objectives only may be public).
    pub published_as: Visibility,
    /// For an audit: the corrective actions raised on each finding, by finding id.
    pub actions: BTreeMap<String, Vec<Ref>>,
    /// Every id the record names, as links (controls, risks, what findings concern).
    #[serde(serialize_with = "sorted")]
    pub links: HashMap<String, Ref>,
    pub source: String,
    pub edit_url: Option<String>,
    pub history: SourceHistory,
    pub referenced_by: Vec<Ref>,
}

#[derive(Serialize)]
pub struct InternalAction<'a> {
    pub url: String,
    pub record: Parsed<'a, ActionRecord>,
    /// Steps past their due date and not done.
    pub overdue_steps: usize,
    /// The audit it answers, as a link.
    pub audit: Option<Ref>,
    #[serde(serialize_with = "sorted")]
    pub links: HashMap<String, Ref>,
    pub source: String,
    pub edit_url: Option<String>,
    pub history: SourceHistory,
    pub referenced_by: Vec<Ref>,
}

/// One row of the Statement of Applicability; the columns of `soa.csv`.
#[derive(Serialize)]
pub struct SoaRow {
    pub id: String,
    pub title: String,
    pub objective: String,
    pub applicable: Option<bool>,
    pub justification: String,
    pub status: String,
    pub owner: String,
    pub policies: Vec<String>,
    pub evidence: Vec<String>,
    pub last_reviewed: Option<Date>,
    pub next_review: Option<Date>,
    pub url: Option<String>,
    /// Whether the record's justification is written (see `publish::is_assessed`).
    pub assessed: bool,
    /// While planned or partly implemented: when it is to be done, and whether that passed.
    pub target_date: Option<Date>,
    pub target_overdue: bool,
    pub review_overdue: bool,
    /// The linked risks and policies, as links.
    pub risk_links: Vec<Ref>,
    pub policy_links: Vec<Ref>,
    pub evidence_items: Vec<SoaEvidence>,
}

#[derive(Serialize)]
pub struct SoaEvidence {
    pub title: String,
    /// From the site root: `files/…` or a web address.
    pub href: Option<String>,
    pub expires_on: Option<Date>,
    pub expired: bool,
}

/// The SoA's document control: from site.yaml, and when its controls last changed in git.
#[derive(Serialize)]
pub struct SoaInfo {
    pub version: Option<String>,
    pub approved_by: Option<String>,
    pub approved_on: Option<Date>,
    pub last_changed: Option<Date>,
    /// Control records changed after the approval (from git).
    pub changed_since_approval: usize,
}

/// Risk counts by likelihood (rows, 5 down to 1) and impact (columns, 1 to 5).
#[derive(Serialize)]
pub struct HeatMaps {
    pub inherent: Vec<Vec<HeatCell>>,
    pub residual: Vec<Vec<HeatCell>>,
}

#[derive(Clone, Serialize)]
pub struct HeatCell {
    pub likelihood: u8,
    pub impact: u8,
    pub level: &'static str,
    pub risks: Vec<Ref>,
}

#[derive(Serialize)]
pub struct CalendarEntry {
    pub date: Date,
    pub what: Due,
    pub item: Ref,
    /// Which evidence expires, or which step of a corrective action is due.
    pub detail: Option<String>,
    /// `overdue`, `due-soon` or `scheduled`.
    pub state: DueState,
    pub days: i64,
}

/// What is overdue and due soon, by kind: counted from the calendar by one function, so
/// that the dashboard, the calendar and the review pack give the same numbers.
#[derive(Default, Serialize)]
pub struct DueCounts {
    pub overdue: usize,
    pub due_soon: usize,
    pub reviews_overdue: usize,
    pub reviews_due_soon: usize,
    pub targets_overdue: usize,
    /// Of `targets_overdue`, the controls' (the roadmap's overdue items).
    pub control_targets_overdue: usize,
    pub evidence_expired: usize,
    pub steps_overdue: usize,
    /// Certificates and attestations that expire within the warning days (an expired
    /// one fails `check`).
    pub certificates_expiring: usize,
}

pub fn due_counts(calendar: &[CalendarEntry]) -> DueCounts {
    let mut counts = DueCounts::default();
    for entry in calendar {
        match entry.state {
            DueState::Overdue => {
                counts.overdue += 1;
                match entry.what {
                    Due::Review => counts.reviews_overdue += 1,
                    Due::Target => {
                        counts.targets_overdue += 1;
                        counts.control_targets_overdue +=
                            usize::from(entry.item.kind == Kind::Control);
                    }
                    Due::EvidenceExpiry => counts.evidence_expired += 1,
                    Due::ActionStep => counts.steps_overdue += 1,
                    Due::CertificateExpiry => {}
                }
            }
            DueState::DueSoon => {
                counts.due_soon += 1;
                counts.reviews_due_soon += usize::from(entry.what == Due::Review);
                counts.certificates_expiring += usize::from(entry.what == Due::CertificateExpiry);
            }
            DueState::Scheduled => {}
        }
    }
    counts
}

#[derive(Default, Serialize)]
pub struct Dashboard {
    pub soa_required: usize,
    pub soa_recorded: usize,
    pub soa_assessed: usize,
    pub soa_percent: usize,
    pub control_status: StatusCounts,
    /// The same counts for each catalogue: Annex A first, then the site's own.
    pub control_status_by_catalogue: Vec<CatalogueCounts>,
    /// Reviews overdue and due soon (the card's figure), and everything the calendar counts.
    pub overdue: usize,
    pub due_soon: usize,
    pub due: DueCounts,
    pub expired_evidence: Vec<CalendarEntryRef>,
    pub risks_by_level: BTreeMap<&'static str, usize>,
    pub top_risks: Vec<Ref>,
    pub documents_by_status: BTreeMap<&'static str, usize>,
    /// Corrective actions still open, and those of them that answer a major nonconformity.
    pub open_actions: usize,
    pub open_major: Vec<Ref>,
    /// Open actions with a step past its due date.
    pub overdue_actions: usize,
}

#[derive(Serialize)]
pub struct CatalogueCounts {
    pub name: String,
    pub builtin: bool,
    pub counts: StatusCounts,
}

#[derive(Serialize)]
pub struct CalendarEntryRef {
    pub title: String,
    pub item: Ref,
    pub date: Date,
}

/// The commits a record page lists, newest first; `git log` has the rest.
const MAX_HISTORY_SHOWN: usize = 100;

/// A source file's history, as its handbook page shows it.
#[derive(Clone, Default, Serialize)]
pub struct SourceHistory {
    pub uncommitted: bool,
    pub created: Option<Date>,
    pub last_changed: Option<Date>,
    pub commits: Vec<HistoryEntry>,
    /// Commits older than those listed (the list stops at `MAX_HISTORY_SHOWN`).
    pub earlier_commits: usize,
    /// For a public approved document: the commit that approved it and what changed since.
    pub approval: Option<ApprovalInfo>,
}

#[derive(Clone, Serialize)]
pub struct HistoryEntry {
    pub date: Date,
    pub id: String,
    pub short_id: String,
    pub subject: String,
    pub author: String,
    /// The commit in the repository's web view, when site.yaml names the repository.
    pub url: Option<String>,
}

#[derive(Clone, Serialize)]
pub struct ApprovalInfo {
    pub approving: HistoryEntry,
    /// Commits that changed the file after it was approved without approving it again.
    pub changed_after: Vec<HistoryEntry>,
    /// Under `public.publish: approved`, when the public site shows the approved text
    /// rather than this one: the line differences, approved text first.
    pub published_diff: Option<Vec<DiffLine>>,
}

#[derive(Clone, Serialize)]
pub struct DiffLine {
    /// `"same"`, `"removed"` (only in the published, approved text) or `"added"` (only in
    /// the working text).
    pub change: &'static str,
    pub text: String,
}

fn entry(config: &SiteConfig, commit: &crate::history::Commit) -> HistoryEntry {
    HistoryEntry {
        date: commit.date,
        id: commit.id.clone(),
        short_id: commit.short_id().to_string(),
        subject: commit.subject.clone(),
        author: commit.author.clone(),
        url: config
            .repository
            .as_deref()
            .map(|r| commit_url(r, &commit.id)),
    }
}

/// The web page of a commit, from the repository's browse address as site.yaml gives it:
/// GitHub's `…/blob/main`, GitLab's `…/-/tree/main`, Gitea's `…/src/branch/main` all lead
/// to the repository, then `commit/ID` (`-/commit/ID` on GitLab).
pub fn commit_url(repository: &str, id: &str) -> String {
    let repository = repository.trim_end_matches('/');
    if let Some((base, _)) = repository.split_once("/-/") {
        return format!("{base}/-/commit/{id}");
    }
    let base = ["/src/", "/blob/", "/tree/"]
        .iter()
        .filter_map(|marker| repository.find(marker))
        .min()
        .map_or(repository, |at| &repository[..at]);
    format!("{base}/commit/{id}")
}

fn since_review(site: &Site, config: &SiteConfig) -> super::since_review::SinceReview {
    use super::since_review::{SinceReview, changes};
    let review = config.review.last_management_review;
    let mut since = SinceReview {
        review,
        ..SinceReview::default()
    };
    if review.is_none() {
        return since;
    }
    match &site.history.at_last_review {
        None => {
            since.unavailable =
                Some("the site is not in a git repository (or was built with --no-git)".to_string())
        }
        Some(Err(why)) => since.unavailable = Some(why.clone()),
        Some(Ok((commit, earlier))) => {
            since.compared_with = Some(format!("{} ({})", commit.short_id(), commit.date));
            since.changes = changes(earlier, site);
        }
    }
    since
}

/// Line differences from the published text to the working one.
fn line_diff(published: &str, working: &str) -> Vec<DiffLine> {
    similar::TextDiff::from_lines(published, working)
        .iter_all_changes()
        .map(|change| DiffLine {
            change: match change.tag() {
                similar::ChangeTag::Equal => "same",
                similar::ChangeTag::Delete => "removed",
                similar::ChangeTag::Insert => "added",
            },
            text: change.value().trim_end_matches('\n').to_string(),
        })
        .collect()
}

fn edit_url(config: &SiteConfig, source: &str) -> Option<String> {
    let repository = config.repository.as_ref()?;
    Some(format!("{}/{}", repository.trim_end_matches('/'), source))
}

fn status_word(status: Option<DocStatus>) -> &'static str {
    match status {
        Some(DocStatus::Draft) => "draft",
        Some(DocStatus::InReview) => "in_review",
        Some(DocStatus::Approved) => "approved",
        Some(DocStatus::Retired) => "retired",
        None => "page",
    }
}

/// The handbook's model of a checked site, step by step: every record as a reference,
/// the backlinks between them, each kind's pages, then what is computed over them.
/// `kept`: what `serve` keeps between saves.
pub fn build<'a>(
    site: &'a Site,
    config: &'a SiteConfig,
    today: Date,
    kept: Option<&super::linked::LinkedRecords>,
) -> InternalModel<'a> {
    // Steps that need not wait for each other run side by side: `check` and the public
    // model share the two cores with this model, and work stealing evens them out.
    let catalogs = Catalogs::new(site);
    let records_by_path = super::linked::records_by_path(site);
    let (refs, linked) = rayon::join(
        || refs(site, &catalogs),
        || super::linked::each_document(site, kept, records_by_path),
    );
    let backlinks = backlinks(site, &refs, linked);
    let pages = Pages {
        site,
        config,
        backlinks,
    };
    let ((documents, controls), (systems, risks, suppliers, objectives)) = rayon::join(
        || (pages.documents(&refs), pages.controls(&catalogs, today)),
        || {
            let systems = pages.systems(&refs);
            let risks = pages.risks();
            let suppliers = pages.suppliers(&refs, today);
            (systems, risks, suppliers, pages.objectives(&refs))
        },
    );
    let audits = pages.audits(&refs);
    let actions = pages.actions(&refs, today);
    let parties = pages.parties(&refs);
    let assessments = pages.assessments(&refs);
    let (soa, calendar) = rayon::join(
        || soa_rows(site, config, &catalogs, &controls, &refs, today),
        || calendar(site, config, today, &refs),
    );
    let soa_info = soa_info(config, &controls);
    let heat_map = heat_maps(&risks);
    let urls = refs
        .iter()
        .map(|(id, r)| (id.to_string(), r.url.clone()))
        .collect();
    let in_soa: crate::hash::HashSet<&str> = soa.iter().map(|r| r.id.as_str()).collect();
    let soa_catalogs = (site.catalogs.iter().map(|c| &c.catalog))
        .filter(|c| c.controls.iter().any(|k| in_soa.contains(k.id.as_str())))
        .collect();
    let mut model = InternalModel {
        site: config,
        today,
        documents,
        controls,
        systems,
        risks,
        suppliers,
        objectives,
        audits,
        actions,
        parties,
        assessments,
        soa,
        soa_info,
        heat_map,
        calendar,
        dashboard: Dashboard::default(),
        journey: Default::default(),
        clauses: Vec::new(),
        since_review: Default::default(),
        urls,
        catalogs: soa_catalogs,
        committed_at: site.history.head().map(|head| head.committed_at()),
        records_by_path,
    };
    let (dashboard, journey) = rayon::join(
        || dashboard(&model, site),
        || super::journey::build(&model, site),
    );
    (model.dashboard, model.journey) = (dashboard, journey);
    // Reads the journey.
    model.clauses = super::clauses::clause_map(&model);
    model.since_review = since_review(site, config);
    model
}

/// Every record as a reference (kind, id, title, page), by id.
fn refs<'a>(site: &'a Site, catalogs: &Catalogs) -> HashMap<&'a str, Ref> {
    let documents = site.documents.iter().map(|d| {
        let meta = &d.record.data;
        let kind = Kind::of_document(d.kind);
        let url = urls::document(d.kind, &d.record.stem);
        (kind, &meta.id, meta.title.clone(), url)
    });
    let controls = site.controls.iter().map(|c| {
        let id = &c.data.id;
        (Kind::Control, id, catalogs.title(id), urls::control(id))
    });
    let systems = site.systems.iter().map(|s| {
        let data = &s.data;
        (
            Kind::System,
            &data.id,
            data.name.clone(),
            urls::system(&s.stem),
        )
    });
    let risks = site.risks.iter().map(|r| {
        let data = &r.data;
        (
            Kind::Risk,
            &data.id,
            data.title.clone(),
            urls::risk(&data.id),
        )
    });
    let suppliers = site.suppliers.iter().map(|r| {
        let data = &r.data;
        (
            Kind::Supplier,
            &data.id,
            data.name.clone(),
            urls::supplier(&data.id),
        )
    });
    let objectives = site.objectives.iter().map(|r| {
        let data = &r.data;
        (
            Kind::Objective,
            &data.id,
            data.statement.clone(),
            urls::objective(&data.id),
        )
    });
    let audits = site.audits.iter().map(|r| {
        let data = &r.data;
        (
            Kind::Audit,
            &data.id,
            data.title.clone(),
            urls::audit(&data.id),
        )
    });
    let actions = site.actions.iter().map(|r| {
        let data = &r.data;
        (
            Kind::Action,
            &data.id,
            data.title.clone(),
            urls::action(&data.id),
        )
    });
    let parties = site.parties.iter().map(|r| {
        let data = &r.data;
        (
            Kind::Party,
            &data.id,
            data.name.clone(),
            urls::party(&data.id),
        )
    });
    // Each assessment names its system by id: one map, not a search of the systems each.
    let system_names: HashMap<&str, &str> = (site.systems.iter())
        .rev()
        .map(|s| (s.data.id.as_str(), s.data.name.as_str()))
        .collect();
    let assessments = site.assessments.iter().map(|r| {
        let data = &r.data;
        let system =
            (system_names.get(data.system.as_str()).copied()).unwrap_or(data.system.as_str());
        let title = format!("Impact assessment of {system}, {}", data.date);
        (
            Kind::Assessment,
            &data.id,
            title,
            urls::assessment(&data.id),
        )
    });
    documents
        .chain(controls)
        .chain(systems)
        .chain(risks)
        .chain(suppliers)
        .chain(objectives)
        .chain(audits)
        .chain(actions)
        .chain(parties)
        .chain(assessments)
        .map(|(kind, id, title, url)| {
            let to = RefTo {
                kind,
                id: id.clone(),
                title,
                url,
            };
            (id.as_str(), Ref::from(to))
        })
        .collect()
}

/// Who refers to each record: every field that names another record, and every Markdown
/// link; each list sorted.
/// `linked`: the records each document's body links to, in order.
fn backlinks<'a>(
    site: &'a Site,
    refs: &HashMap<&'a str, Ref>,
    linked: Vec<std::sync::Arc<[Box<str>]>>,
) -> HashMap<&'a str, Vec<Ref>> {
    // Each record's list by its place among the references: one lookup per link, where a
    // map of lists took two (at 50,000 links, most of their cost is waiting on memory).
    let ids: Vec<&'a str> = refs.keys().copied().collect();
    let mut places: HashMap<&str, usize> = HashMap::with_capacity(ids.len());
    places.extend(ids.iter().enumerate().map(|(at, id)| (*id, at)));
    let mut lists: Vec<Vec<Ref>> = vec![Vec::new(); ids.len()];
    let mut link = |from: &str, to: &mut dyn Iterator<Item = &str>| {
        let Some(source) = refs.get(from) else { return };
        for at in to.filter_map(|target| places.get(target)) {
            // Made unique at the end: a search of the list for each link made a record
            // named by thousands of others cost their square.
            lists[*at].push(source.clone());
        }
    };
    let ids_of = |list: &'a [String]| list.iter().map(String::as_str);
    for (document, linked) in site.documents.iter().zip(linked) {
        let meta = &document.record.data;
        link(&meta.id, &mut ids_of(&meta.controls));
        link(&meta.id, &mut ids_of(&meta.related));
        link(&meta.id, &mut linked.iter().map(|id| &**id));
    }
    for control in &site.controls {
        let data = &control.data;
        link(&data.id, &mut ids_of(&data.policies));
        link(&data.id, &mut ids_of(&data.risks));
        link(&data.id, &mut ids_of(&data.systems));
    }
    for system in &site.systems {
        link(&system.data.id, &mut ids_of(&system.data.controls));
        link(&system.data.id, &mut ids_of(&system.data.risks));
        link(&system.data.id, &mut ids_of(&system.data.suppliers));
    }
    for supplier in &site.suppliers {
        link(&supplier.data.id, &mut ids_of(&supplier.data.risks));
    }
    for objective in &site.objectives {
        link(&objective.data.id, &mut ids_of(&objective.data.controls));
        link(&objective.data.id, &mut ids_of(&objective.data.risks));
    }
    for audit in &site.audits {
        for finding in &audit.data.findings {
            link(&audit.data.id, &mut ids_of(&finding.concerns));
        }
    }
    for action in &site.actions {
        link(&action.data.id, &mut ids_of(&action.data.concerns));
        link(&action.data.id, &mut ids_of(action.data.audit.as_slice()));
    }
    for party in &site.parties {
        link(&party.data.id, &mut ids_of(&party.data.addressed_by));
    }
    for assessment in &site.assessments {
        let data = &assessment.data;
        link(&data.id, &mut ids_of(std::slice::from_ref(&data.system)));
        link(&data.id, &mut ids_of(&data.mitigations));
    }
    for risk in &site.risks {
        link(&risk.data.id, &mut ids_of(&risk.data.systems));
        link(&risk.data.id, &mut ids_of(&risk.data.controls));
    }
    (ids.into_iter().zip(lists))
        .filter(|(_, list)| !list.is_empty())
        .map(|(id, mut list)| {
            // Equal references are alike in every field: their order cannot show.
            list.sort_unstable();
            list.dedup();
            (id, list)
        })
        .collect()
}

/// What every record page of the handbook shows besides its record: its source file, an
/// "edit source" link, and who refers to it.
struct Pages<'a> {
    site: &'a Site,
    config: &'a SiteConfig,
    backlinks: HashMap<&'a str, Vec<Ref>>,
}

impl<'a> Pages<'a> {
    /// A record of the file `file`, for a page's key to know by its text's hash.
    fn parsed<T>(&self, record: &'a T, file: crate::sources::FileId) -> Parsed<'a, T> {
        Parsed::new(record, self.site.sources.get(file).hash())
    }

    fn source_of(&self, file: usize) -> String {
        (self.site.sources.path(file).display().to_string()).replace('\\', "/")
    }

    fn history(&self, file: usize) -> SourceHistory {
        let history = &self.site.history;
        let path = self.site.sources.path(file);
        SourceHistory {
            uncommitted: history.is_uncommitted(path),
            created: history.created(path),
            last_changed: history.last_changed(path),
            commits: (history.of(path).take(MAX_HISTORY_SHOWN))
                .map(|c| entry(self.config, c))
                .collect(),
            earlier_commits: history.of(path).count().saturating_sub(MAX_HISTORY_SHOWN),
            approval: None,
        }
    }

    /// A document's history, with its approval and, under `publish: approved`, how the
    /// published text differs from this one.
    fn document_history(&self, index: usize, document: &crate::load::Document) -> SourceHistory {
        let mut history = self.history(document.record.file);
        let path = self.site.sources.path(document.record.file);
        if let Some(approval) = self.site.history.approvals.get(path) {
            let published_diff = self.site.approved_versions.get(&index).map(|approved| {
                let published = &self.site.sources.get(approved.record.file).text;
                let working = &self.site.sources.get(document.record.file).text;
                line_diff(published, working)
            });
            history.approval = Some(ApprovalInfo {
                approving: entry(self.config, &approval.approving),
                changed_after: (approval.later.iter())
                    .map(|c| entry(self.config, c))
                    .collect(),
                published_diff,
            });
        }
        history
    }

    fn referenced_by(&self, id: &str) -> Vec<Ref> {
        self.backlinks.get(id).cloned().unwrap_or_default()
    }

    fn documents(&self, refs: &HashMap<&'a str, Ref>) -> Vec<InternalDocument<'a>> {
        let site = self.site;
        (site.documents.par_iter().enumerate())
            .map(|(index, document)| {
                let source = self.source_of(document.record.file);
                InternalDocument {
                    file: document.record.file,
                    url: refs[document.record.data.id.as_str()].url.clone(),
                    is_page: document.kind == DocKind::Page,
                    meta: self.parsed(&document.record.data, document.record.file),
                    body: super::BodyText::of(site, document),
                    source_hash: site.sources.get(document.record.file).hash(),
                    published_as: crate::publish::published(site, index).1.shown,
                    edit_url: edit_url(self.config, &source),
                    history: self.document_history(index, document),
                    source,
                    referenced_by: self.referenced_by(&document.record.data.id),
                }
            })
            .collect()
    }

    fn controls(&self, catalogs: &Catalogs, today: Date) -> Vec<InternalControl<'a>> {
        let mut controls: Vec<InternalControl> = (self.site.controls.par_iter())
            .map(|control| {
                let data = &control.data;
                let source = self.source_of(control.file);
                InternalControl {
                    file: control.file,
                    url: urls::control(&data.id),
                    record: self.parsed(data, control.file),
                    info: catalogs.info(&data.id),
                    edit_url: edit_url(self.config, &source),
                    history: self.history(control.file),
                    source,
                    referenced_by: self.referenced_by(&data.id),
                    expired_evidence: (data.evidence.iter())
                        .filter(|e| e.expires_on.is_some_and(|d| d < today))
                        .map(|e| e.title.clone())
                        .collect(),
                }
            })
            .collect();
        controls.sort_by_cached_key(|c| catalogs.order(&c.record.id));
        controls
    }

    fn systems(&self, refs: &HashMap<&'a str, Ref>) -> Vec<InternalSystem<'a>> {
        (self.site.systems.par_iter())
            .map(|system| {
                let source = self.source_of(system.file);
                InternalSystem {
                    url: urls::system(&system.stem),
                    record: self.parsed(&system.data, system.file),
                    suppliers: (system.data.suppliers.iter())
                        .filter_map(|id| refs.get(id.as_str()).cloned())
                        .collect(),
                    edit_url: edit_url(self.config, &source),
                    history: self.history(system.file),
                    source,
                    referenced_by: self.referenced_by(&system.data.id),
                }
            })
            .collect()
    }

    /// In order of name.
    fn suppliers(&self, refs: &HashMap<&'a str, Ref>, today: Date) -> Vec<InternalSupplier<'a>> {
        let mut suppliers: Vec<InternalSupplier> = (self.site.suppliers.par_iter())
            .map(|supplier| {
                let data = &supplier.data;
                let source = self.source_of(supplier.file);
                let systems = (self.site.systems.iter())
                    .filter(|s| s.data.suppliers.contains(&data.id))
                    .filter_map(|s| refs.get(s.data.id.as_str()).cloned())
                    .collect();
                InternalSupplier {
                    url: urls::supplier(&data.id),
                    record: self.parsed(data, supplier.file),
                    published_as: publish::of(&data).shown,
                    state: SupplierState::of(data, today),
                    systems,
                    edit_url: edit_url(self.config, &source),
                    history: self.history(supplier.file),
                    source,
                    referenced_by: self.referenced_by(&data.id),
                    expired_evidence: (data.evidence.iter())
                        .filter(|e| e.expires_on.is_some_and(|d| d < today))
                        .map(|e| e.title.clone())
                        .collect(),
                }
            })
            .collect();
        suppliers.sort_by(|a, b| a.record.name.cmp(&b.record.name));
        suppliers
    }

    /// The references among `ids`, by id, for the template to link.
    fn links<'i>(
        refs: &HashMap<&'a str, Ref>,
        ids: impl Iterator<Item = &'i String>,
    ) -> HashMap<String, Ref> {
        ids.filter_map(|id| Some((id.clone(), refs.get(id.as_str())?.clone())))
            .collect()
    }

    fn objectives(&self, refs: &HashMap<&'a str, Ref>) -> Vec<InternalAims<'a, ObjectiveRecord>> {
        (self.site.objectives.par_iter())
            .map(|objective| {
                let data = &*objective.data;
                let source = self.source_of(objective.file);
                InternalAims {
                    url: urls::objective(&data.id),
                    record: self.parsed(data, objective.file),
                    published_as: publish::of(&data).shown,
                    actions: BTreeMap::new(),
                    links: Self::links(refs, data.controls.iter().chain(&data.risks)),
                    edit_url: edit_url(self.config, &source),
                    history: self.history(objective.file),
                    source,
                    referenced_by: self.referenced_by(&data.id),
                }
            })
            .collect()
    }

    /// A page of a kind whose records only link to others (parties, assessments).
    fn plain_pages<T: Sync + Send>(
        &self,
        records: &'a [crate::load::Record<T>],
        refs: &HashMap<&'a str, Ref>,
        page: impl Fn(&'a T) -> (&'a str, String, Visibility, Vec<&'a String>) + Sync + Send,
    ) -> Vec<InternalAims<'a, T>> {
        (records.par_iter())
            .map(|record| {
                let (id, url, published_as, linked) = page(&*record.data);
                let source = self.source_of(record.file);
                InternalAims {
                    referenced_by: self.referenced_by(id),
                    url,
                    record: self.parsed(&*record.data, record.file),
                    published_as,
                    actions: BTreeMap::new(),
                    links: Self::links(refs, linked.into_iter()),
                    edit_url: edit_url(self.config, &source),
                    history: self.history(record.file),
                    source,
                }
            })
            .collect()
    }

    fn parties(&self, refs: &HashMap<&'a str, Ref>) -> Vec<InternalAims<'a, PartyRecord>> {
        self.plain_pages(&self.site.parties, refs, |data| {
            (
                &data.id,
                urls::party(&data.id),
                Visibility::Internal,
                data.addressed_by.iter().collect(),
            )
        })
    }

    fn assessments(&self, refs: &HashMap<&'a str, Ref>) -> Vec<InternalAims<'a, AssessmentRecord>> {
        self.plain_pages(&self.site.assessments, refs, |data| {
            (
                &data.id,
                urls::assessment(&data.id),
                publish::of(&data).shown,
                std::iter::once(&data.system)
                    .chain(&data.mitigations)
                    .collect(),
            )
        })
    }

    /// Newest first.
    fn audits(&self, refs: &HashMap<&'a str, Ref>) -> Vec<InternalAims<'a, AuditRecord>> {
        let mut audits: Vec<InternalAims<AuditRecord>> = (self.site.audits.par_iter())
            .map(|audit| {
                let data = &*audit.data;
                let source = self.source_of(audit.file);
                let mut actions: BTreeMap<String, Vec<Ref>> = BTreeMap::new();
                for action in &self.site.actions {
                    let answers = (action.data.audit.as_deref() == Some(&data.id))
                        .then_some(action.data.finding.as_ref())
                        .flatten();
                    if let (Some(finding), Some(link)) =
                        (answers, refs.get(action.data.id.as_str()))
                    {
                        actions
                            .entry(finding.clone())
                            .or_default()
                            .push(link.clone());
                    }
                }
                InternalAims {
                    url: urls::audit(&data.id),
                    record: self.parsed(data, audit.file),
                    published_as: Visibility::Internal,
                    actions,
                    links: Self::links(refs, data.findings.iter().flat_map(|f| &f.concerns)),
                    edit_url: edit_url(self.config, &source),
                    history: self.history(audit.file),
                    source,
                    referenced_by: self.referenced_by(&data.id),
                }
            })
            .collect();
        audits.sort_by_key(|a| std::cmp::Reverse(a.record.start));
        audits
    }

    /// Open ones first, major before minor, then the oldest raised first.
    fn actions(&self, refs: &HashMap<&'a str, Ref>, today: Date) -> Vec<InternalAction<'a>> {
        let mut actions: Vec<InternalAction> = (self.site.actions.par_iter())
            .map(|action| {
                let data = &action.data;
                let source = self.source_of(action.file);
                InternalAction {
                    url: urls::action(&data.id),
                    record: self.parsed(data, action.file),
                    overdue_steps: if data.is_open() {
                        (data.steps.iter())
                            .filter(|s| s.done.is_none() && s.due < today)
                            .count()
                    } else {
                        0
                    },
                    audit: data
                        .audit
                        .as_ref()
                        .and_then(|id| refs.get(id.as_str()).cloned()),
                    links: Self::links(refs, data.concerns.iter()),
                    edit_url: edit_url(self.config, &source),
                    history: self.history(action.file),
                    source,
                    referenced_by: self.referenced_by(&data.id),
                }
            })
            .collect();
        actions.sort_by(|a, b| {
            let key = |x: &InternalAction| {
                (
                    !x.record.is_open(),
                    x.record.severity != crate::load::aims::Severity::Major,
                    x.record.raised_on,
                )
            };
            key(a)
                .cmp(&key(b))
                .then_with(|| a.record.id.cmp(&b.record.id))
        });
        actions
    }

    /// Highest score first.
    fn risks(&self) -> Vec<InternalRisk<'a>> {
        let mut risks: Vec<InternalRisk> = (self.site.risks.par_iter())
            .map(|risk| {
                let data = &risk.data;
                let residual = data.residual_likelihood.zip(data.residual_impact);
                let source = self.source_of(risk.file);
                InternalRisk {
                    url: urls::risk(&data.id),
                    record: self.parsed(data, risk.file),
                    score: u16::from(data.likelihood.0) * u16::from(data.impact.0),
                    level: risk_level(data.likelihood.0, data.impact.0),
                    residual_score: residual.map(|(l, i)| u16::from(l.0) * u16::from(i.0)),
                    residual_level: residual.map(|(l, i)| risk_level(l.0, i.0)),
                    edit_url: edit_url(self.config, &source),
                    history: self.history(risk.file),
                    source,
                    referenced_by: self.referenced_by(&data.id),
                }
            })
            .collect();
        risks.sort_by(|a, b| {
            (b.score)
                .cmp(&a.score)
                .then_with(|| a.record.id.cmp(&b.record.id))
        });
        risks
    }
}

/// Every control of the frameworks in `site.yaml`, then any other control with a record.
/// The SoA's version and approval, and how many control records changed after it.
fn soa_info(config: &SiteConfig, controls: &[InternalControl]) -> SoaInfo {
    let control = config.soa.as_ref();
    let approved_on = control.map(|c| c.approved_on);
    let last_changed = controls.iter().filter_map(|c| c.history.last_changed).max();
    SoaInfo {
        version: control.map(|c| c.version.to_string()),
        approved_by: control.map(|c| c.approved_by.clone()),
        approved_on,
        last_changed,
        changed_since_approval: approved_on.map_or(0, |approved| {
            (controls.iter())
                .filter(|c| c.history.last_changed.is_some_and(|d| d > approved))
                .count()
        }),
    }
}

fn soa_rows(
    site: &Site,
    config: &SiteConfig,
    catalogs: &Catalogs,
    controls: &[InternalControl],
    refs: &HashMap<&str, Ref>,
    today: Date,
) -> Vec<SoaRow> {
    let links = |ids: &[String]| -> Vec<Ref> {
        ids.iter()
            .filter_map(|id| refs.get(id.as_str()).cloned())
            .collect()
    };
    let mut ids: Vec<String> = site
        .catalogs
        .iter()
        .filter(|c| config.frameworks.contains(&c.catalog.framework))
        .flat_map(|c| c.catalog.controls.iter().map(|k| k.id.clone()))
        .collect();
    let required: crate::hash::HashSet<String> = ids.iter().cloned().collect();
    for control in controls {
        if !required.contains(&control.record.id) {
            ids.push(control.record.id.clone());
        }
    }
    // The frameworks' controls first, in catalogue order; then other recorded controls.
    ids.sort_by_cached_key(|id| (!required.contains(id), catalogs.order(id)));
    let by_id: HashMap<&str, &InternalControl> =
        controls.iter().map(|c| (c.record.id.as_str(), c)).collect();
    // A control's documents are those it names and those that say they implement it
    // (their `controls:`), as an auditor reads either side.
    let mut implemented_by: HashMap<&str, Vec<String>> = HashMap::new();
    for document in &site.documents {
        let meta = &document.record.data;
        for control in &meta.controls {
            implemented_by
                .entry(control.as_str())
                .or_default()
                .push(meta.id.clone());
        }
    }
    let documents_of = |id: &str, named: &[String]| -> Vec<String> {
        let mut all = named.to_vec();
        for document in implemented_by.get(id).into_iter().flatten() {
            if !all.contains(document) {
                all.push(document.clone());
            }
        }
        all
    };
    ids.into_iter()
        .map(|id| {
            let info = catalogs.info(&id);
            match by_id.get(id.as_str()) {
                Some(control) => {
                    let r = control.record.get();
                    let policies = documents_of(&id, &r.policies);
                    SoaRow {
                        id,
                        title: info.title,
                        objective: info.objective_title,
                        applicable: Some(r.applicable),
                        justification: r.justification.clone().unwrap_or_default(),
                        // A status beside a placeholder justification is no claim yet.
                        status: if crate::publish::is_assessed(r) {
                            serde_plain(&r.status)
                        } else {
                            "not yet assessed".to_string()
                        },
                        owner: r.owner.clone().unwrap_or_default(),
                        policy_links: links(&policies),
                        policies,
                        evidence: r.evidence.iter().map(|e| e.title.clone()).collect(),
                        last_reviewed: r.last_reviewed,
                        next_review: r.next_review,
                        url: Some(control.url.clone()),
                        assessed: crate::publish::is_assessed(r),
                        target_date: r.target_date.filter(|_| {
                            matches!(
                                r.status,
                                crate::load::records::ControlStatus::Planned
                                    | crate::load::records::ControlStatus::Partial
                            )
                        }),
                        target_overdue: r.target_date.is_some_and(|d| d < today)
                            && matches!(
                                r.status,
                                crate::load::records::ControlStatus::Planned
                                    | crate::load::records::ControlStatus::Partial
                            ),
                        review_overdue: r.next_review.is_some_and(|d| d < today),
                        // Both ways: the risks it names, and the risks that name it (its
                        // backlinks).
                        risk_links: {
                            let mut risks = links(&r.risks);
                            for other in
                                (control.referenced_by.iter()).filter(|b| b.kind == Kind::Risk)
                            {
                                if !risks.iter().any(|k| k.id == other.id) {
                                    risks.push(other.clone());
                                }
                            }
                            risks
                        },
                        evidence_items: (r.evidence.iter())
                            .map(|e| SoaEvidence {
                                title: e.title.clone(),
                                href: (e.path.as_ref().map(|p| format!("files/{p}"))).or_else(
                                    || {
                                        e.url
                                            .clone()
                                            .filter(|u| crate::check::evidence::is_web_address(u))
                                    },
                                ),
                                expires_on: e.expires_on,
                                expired: e.expires_on.is_some_and(|d| d < today),
                            })
                            .collect(),
                    }
                }
                None => SoaRow {
                    id,
                    title: info.title,
                    objective: info.objective_title,
                    applicable: None,
                    justification: String::new(),
                    status: "no record".to_string(),
                    owner: String::new(),
                    policies: Vec::new(),
                    evidence: Vec::new(),
                    last_reviewed: None,
                    next_review: None,
                    url: None,
                    assessed: false,
                    target_date: None,
                    target_overdue: false,
                    review_overdue: false,
                    risk_links: Vec::new(),
                    policy_links: Vec::new(),
                    evidence_items: Vec::new(),
                },
            }
        })
        .collect()
}

/// An enum's name as written in the sources (`not-applicable`).
pub fn serde_plain<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn heat_maps(risks: &[InternalRisk]) -> HeatMaps {
    let grid = |pick: &dyn Fn(&InternalRisk) -> Option<(u8, u8)>| {
        (1..=5u8)
            .rev()
            .map(|likelihood| {
                (1..=5u8)
                    .map(|impact| HeatCell {
                        likelihood,
                        impact,
                        level: risk_level(likelihood, impact),
                        risks: risks
                            .iter()
                            .filter(|r| pick(r) == Some((likelihood, impact)))
                            .map(|r| risk_ref(r))
                            .collect(),
                    })
                    .collect()
            })
            .collect()
    };
    HeatMaps {
        inherent: grid(&|r| Some((r.record.likelihood.0, r.record.impact.0))),
        residual: grid(&|r| {
            r.record
                .residual_likelihood
                .zip(r.record.residual_impact)
                .map(|(l, i)| (l.0, i.0))
        }),
    }
}

fn calendar(
    site: &Site,
    config: &SiteConfig,
    today: Date,
    refs: &HashMap<&str, Ref>,
) -> Vec<CalendarEntry> {
    let warn_days = config.review.warn_days;
    let mut entries = Vec::new();
    // A certificate held expires: its renewal is planned from the calendar, and the
    // dashboard (the item's page) lists every certification.
    for (_, cert) in config.all_certifications() {
        use crate::load::records::CertificationStatus;
        let held = matches!(
            cert.status,
            CertificationStatus::Certified | CertificationStatus::Attested
        );
        if let (true, Some(until)) = (held, cert.valid_until) {
            entries.push(CalendarEntry {
                date: until,
                what: Due::CertificateExpiry,
                item: Ref::from(RefTo {
                    kind: Kind::Certification,
                    id: cert.standard.trim().to_string(),
                    title: cert.certifier.clone().unwrap_or_default(),
                    url: String::new(),
                }),
                detail: None,
                state: due_state(today, until, warn_days),
                days: today.days_until(until),
            });
        }
    }
    let mut add = |date: Option<Date>, what: Due, id: &str, detail: Option<&String>| {
        let (Some(date), Some(item)) = (date, refs.get(id)) else {
            return;
        };
        entries.push(CalendarEntry {
            date,
            what,
            item: item.clone(),
            detail: detail.cloned(),
            state: due_state(today, date, warn_days),
            days: today.days_until(date),
        });
    };
    for review in reviews(site) {
        add(Some(review.due), Due::Review, review.id, None);
    }
    for control in &site.controls {
        let data = &control.data;
        // A target date is a promise only while the control is still being implemented.
        let open = matches!(
            data.status,
            crate::load::records::ControlStatus::Planned
                | crate::load::records::ControlStatus::Partial
        );
        add(
            data.target_date.filter(|_| open && data.applicable),
            Due::Target,
            &data.id,
            None,
        );
        for evidence in &data.evidence {
            add(
                evidence.expires_on,
                Due::EvidenceExpiry,
                &data.id,
                Some(&evidence.title),
            );
        }
    }
    for supplier in &site.suppliers {
        for evidence in &supplier.data.evidence {
            let title = Some(&evidence.title);
            add(
                evidence.expires_on,
                Due::EvidenceExpiry,
                &supplier.data.id,
                title,
            );
        }
    }
    for objective in &site.objectives {
        let data = &objective.data;
        let open = !matches!(
            data.status,
            ObjectiveStatus::Achieved | ObjectiveStatus::Dropped
        );
        if open {
            add(data.due, Due::Target, &data.id, None);
        }
    }
    for action in site.actions.iter().filter(|a| a.data.is_open()) {
        for step in action.data.steps.iter().filter(|s| s.done.is_none()) {
            add(
                Some(step.due),
                Due::ActionStep,
                &action.data.id,
                Some(&step.description),
            );
        }
    }
    entries.sort_by(|a, b| a.date.cmp(&b.date).then_with(|| a.item.id.cmp(&b.item.id)));
    entries
}

/// The major nonconformities not yet closed: by the audit's grade (a major finding whose
/// actions are not all closed, or that has none), and open major actions raised on
/// anything else. One rule, so the dashboard and the review pack agree.
fn open_major(model: &InternalModel) -> Vec<Ref> {
    use crate::load::aims::{ActionSource, FindingGrade, Severity};
    let action_ref = |a: &InternalAction| {
        Ref::from(RefTo {
            kind: Kind::Action,
            id: a.record.id.clone(),
            title: a.record.title.clone(),
            url: a.url.clone(),
        })
    };
    let mut open = Vec::new();
    for audit in &model.audits {
        for finding in
            (audit.record.findings.iter()).filter(|f| f.grade == FindingGrade::MajorNonconformity)
        {
            let answers: Vec<&InternalAction> = (model.actions.iter())
                .filter(|a| {
                    a.record.audit.as_deref() == Some(&audit.record.id)
                        && a.record.finding.as_deref() == Some(&finding.id)
                })
                .collect();
            match answers.iter().find(|a| a.record.is_open()) {
                Some(action) => open.push(action_ref(action)),
                None if answers.is_empty() => open.push(Ref::from(RefTo {
                    kind: Kind::Audit,
                    id: audit.record.id.clone(),
                    title: format!("{} {}: no corrective action", audit.record.id, finding.id),
                    url: audit.url.clone(),
                })),
                None => {}
            }
        }
    }
    for action in model.actions.iter().filter(|a| {
        a.record.is_open()
            && a.record.severity == Severity::Major
            && a.record.source != ActionSource::AuditFinding
    }) {
        open.push(action_ref(action));
    }
    open
}

fn dashboard(model: &InternalModel, site: &Site) -> Dashboard {
    let (soa, controls, risks, calendar) =
        (&model.soa, &model.controls, &model.risks, &model.calendar);
    let config = model.site;
    let framework_ids: crate::hash::HashSet<&str> = (site.catalogs.iter())
        .filter(|c| config.frameworks.contains(&c.catalog.framework))
        .flat_map(|c| c.catalog.controls.iter().map(|k| k.id.as_str()))
        .collect();
    let required: Vec<&SoaRow> = soa
        .iter()
        .filter(|row| framework_ids.contains(row.id.as_str()))
        .collect();
    let recorded = required.iter().filter(|row| row.url.is_some()).count();
    let assessed = required.iter().filter(|row| row.assessed).count();
    let mut control_status = StatusCounts::default();
    // Annex A and the site's own catalogues apart: an auditor reads Annex A's figures.
    let mut by_catalogue: Vec<CatalogueCounts> = Vec::new();
    for control in controls {
        control_status.add(control.record.get());
        let name = (site.catalogs.iter())
            .find(|c| c.catalog.framework == control.info.framework)
            .map_or_else(
                || "Controls in no catalogue".to_string(),
                |c| c.catalog.name.clone(),
            );
        let entry = match by_catalogue.iter_mut().position(|c| c.name == name) {
            Some(i) => &mut by_catalogue[i],
            None => {
                by_catalogue.push(CatalogueCounts {
                    name,
                    builtin: control.info.builtin,
                    counts: StatusCounts::default(),
                });
                by_catalogue.last_mut().expect("just pushed")
            }
        };
        entry.counts.add(control.record.get());
    }
    // The built-in catalogue (Annex A) first.
    by_catalogue.sort_by_key(|c| !c.builtin);
    let mut risks_by_level = BTreeMap::new();
    for risk in risks {
        *risks_by_level.entry(risk.level).or_insert(0) += 1;
    }
    let mut documents_by_status = BTreeMap::new();
    for document in &model.documents {
        *documents_by_status
            .entry(status_word(document.meta.status))
            .or_insert(0) += 1;
    }
    // From the calendar, as its count is: controls' and suppliers' evidence alike.
    let expired_evidence = (calendar.iter())
        .filter(|e| e.what == Due::EvidenceExpiry && e.state == DueState::Overdue)
        .map(|e| CalendarEntryRef {
            title: e.detail.clone().unwrap_or_default(),
            item: e.item.clone(),
            date: e.date,
        })
        .collect();
    let review_states = |state: DueState| {
        calendar
            .iter()
            .filter(|e| e.state == state && e.what == Due::Review)
            .count()
    };
    Dashboard {
        soa_required: required.len(),
        soa_recorded: recorded,
        soa_assessed: assessed,
        // Complete means assessed: a record that still says TODO is not an answer.
        soa_percent: if required.is_empty() {
            100
        } else {
            assessed * 100 / required.len()
        },
        control_status,
        control_status_by_catalogue: by_catalogue,
        overdue: review_states(DueState::Overdue),
        due_soon: review_states(DueState::DueSoon),
        due: due_counts(calendar),
        expired_evidence,
        risks_by_level,
        top_risks: risks.iter().take(5).map(risk_ref).collect(),
        documents_by_status,
        open_actions: model.actions.iter().filter(|a| a.record.is_open()).count(),
        open_major: open_major(model),
        overdue_actions: model.actions.iter().filter(|a| a.overdue_steps > 0).count(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn with_model(check: impl FnOnce(&InternalModel)) {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/good");
        let mut findings = Vec::new();
        let site = crate::load::load(&root, &mut findings).unwrap();
        let config = site.config.as_ref().unwrap().data.clone();
        let today = Date::parse("2026-11-27").unwrap();
        check(&build(&site, &config, today, None));
    }

    #[test]
    fn backlinks_come_from_fields_and_markdown_links() {
        with_model(|model| {
            let control = model
                .controls
                .iter()
                .find(|c| c.record.id == "ACME-1")
                .unwrap();
            let from: Vec<(Kind, &str)> = (control.referenced_by.iter())
                .map(|r| (r.kind, r.id.as_str()))
                .collect();
            // POL-1 names it in `controls` and links to its file; R-1 names it too.
            assert!(from.contains(&(Kind::Policy, "POL-1")), "{from:?}");
            assert!(from.contains(&(Kind::Risk, "R-1")), "{from:?}");
            let mut sorted = from.clone();
            sorted.sort();
            assert_eq!(from, sorted, "backlinks are sorted");
        });
    }

    #[test]
    fn every_record_is_in_the_handbook_and_risks_come_highest_first() {
        with_model(|model| {
            assert_eq!(model.documents.len(), 4);
            assert_eq!(model.controls.len(), 4);
            let scores: Vec<u16> = model.risks.iter().map(|r| r.score).collect();
            let mut sorted = scores.clone();
            sorted.sort_by(|a, b| b.cmp(a));
            assert_eq!(scores, sorted);
            assert!(
                model.urls.contains_key("POL-3"),
                "drafts have handbook pages"
            );
        });
    }
}
