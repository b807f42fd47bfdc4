//! The typed shape of every source record (docs/format.md §2–3). Unknown fields are refused; closed sets
//! are enums; dates are real dates. Rules that span fields or records live in `check/`.

use crate::load::date::Date;
use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;

/// Text that YAML may have read as a number or boolean (`version: 2.1`, `clauses: [5.2]`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Text(pub String);

impl std::ops::Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Text;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("text")
            }
            fn visit_str<E>(self, v: &str) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_bool<E>(self, v: bool) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// A likelihood or impact score, 1 to 5.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Score(pub u8);

impl<'de> Deserialize<'de> for Score {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Score;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a whole number from 1 to 5")
            }
            fn visit_i64<E: serde::de::Error>(self, n: i64) -> Result<Score, E> {
                match u8::try_from(n) {
                    Ok(n @ 1..=5) => Ok(Score(n)),
                    _ => Err(E::custom(format!(
                        "{n} is out of range: scores are whole numbers from 1 to 5"
                    ))),
                }
            }
            fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<Score, E> {
                self.visit_i64(i64::try_from(n).unwrap_or(i64::MAX))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    Public,
    Restricted,
    #[default]
    Internal,
}

#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum DocType {
    #[default]
    Policy,
    Procedure,
    Standard,
    Statement,
    Plan,
    Record,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DocStatus {
    Draft,
    InReview,
    Approved,
    Retired,
}

#[derive(Clone, Debug, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Revision {
    pub version: Text,
    pub date: Date,
    pub summary: String,
}

/// Front matter of a policy (`policies/*.md`) or a free page (`pages/*.md`).
#[derive(Clone, Debug, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DocumentMeta {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub doc_type: DocType,
    pub version: Option<Text>,
    pub status: Option<DocStatus>,
    pub owner: Option<String>,
    pub approved_by: Option<String>,
    pub approved_on: Option<Date>,
    pub effective_from: Option<Date>,
    pub next_review: Option<Date>,
    #[serde(default)]
    pub controls: Vec<String>,
    #[serde(default)]
    pub clauses: Vec<Text>,
    #[serde(default)]
    pub related: Vec<String>,
    #[serde(default)]
    pub revisions: Vec<Revision>,
    #[serde(default)]
    pub tags: Vec<Text>,
    #[serde(default)]
    pub visibility: Visibility,
    pub public_summary: Option<String>,
    /// A place in the public site's top navigation (pages such as About or FAQ).
    #[serde(default)]
    pub nav: bool,
    /// Where in the navigation: lower first, then by title.
    pub order: Option<i64>,
}

impl DocumentMeta {
    pub const REQUIRED: &[&str] = &["id", "title"];
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ControlStatus {
    Implemented,
    Partial,
    Planned,
    Alternative,
    NotApplicable,
}

#[derive(Clone, Debug, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Evidence {
    pub title: String,
    pub path: Option<String>,
    pub url: Option<String>,
    pub collected_on: Option<Date>,
    pub expires_on: Option<Date>,
}

#[derive(Clone, Debug, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    pub framework: String,
    #[serde(rename = "ref")]
    pub reference: Text,
}

#[derive(Clone, Debug, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ControlRecord {
    pub id: String,
    pub applicable: bool,
    /// Loaded when absent, so that `check` says where it is missing; required all the same.
    #[schemars(required)]
    pub justification: Option<String>,
    pub status: ControlStatus,
    pub owner: Option<String>,
    pub implementation: Option<String>,
    #[serde(default)]
    pub policies: Vec<String>,
    #[serde(default)]
    pub risks: Vec<String>,
    #[serde(default)]
    pub systems: Vec<String>,
    #[serde(default)]
    pub evidence: Vec<Evidence>,
    pub last_reviewed: Option<Date>,
    pub next_review: Option<Date>,
    pub target_date: Option<Date>,
    #[serde(default)]
    pub mappings: Vec<Mapping>,
    #[serde(default)]
    pub visibility: Visibility,
    pub public_summary: Option<String>,
}

impl ControlRecord {
    pub const REQUIRED: &[&str] = &["id", "applicable", "status"];

    /// An implemented control whose evidence has all expired by `today` claims what
    /// nothing current shows.
    pub fn implemented_on_expired_evidence(&self, today: crate::load::date::Date) -> bool {
        self.status == ControlStatus::Implemented
            && !self.evidence.is_empty()
            && (self.evidence.iter()).all(|e| e.expires_on.is_some_and(|d| d < today))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum SystemRole {
    Provider,
    Deployer,
    ProviderAndDeployer,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Lifecycle {
    Design,
    Development,
    Production,
    Retired,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RiskClass {
    High,
    Limited,
    Minimal,
    Gpai,
    NotInScope,
}

#[derive(Clone, Debug, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ImpactAssessment {
    pub date: Option<Date>,
    pub summary: Option<String>,
    pub path: Option<String>,
}

#[derive(Clone, Debug, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SystemRecord {
    pub id: String,
    pub name: String,
    pub description: String,
    pub role: SystemRole,
    pub purpose: String,
    pub lifecycle: Lifecycle,
    pub risk_class: RiskClass,
    pub human_oversight: String,
    pub ai_disclosure: Option<String>,
    pub limitations: Option<String>,
    pub affected_people: Option<String>,
    pub model: Option<String>,
    pub data: Option<String>,
    /// Deprecated free text: `suppliers` names supplier records (loaded, with a warning).
    pub supplier: Option<String>,
    /// Ids of the supplier records this system relies on.
    #[serde(default)]
    pub suppliers: Vec<String>,
    /// The AI-use card: whether customer data trains a model, how long it is kept, how a
    /// customer opts out, and the models used, by public name.
    pub customer_data_used_for_training: Option<bool>,
    pub data_retention: Option<String>,
    pub opt_out: Option<String>,
    #[serde(default)]
    pub models: Vec<String>,
    pub owner: String,
    pub impact_assessment: Option<ImpactAssessment>,
    #[serde(default)]
    pub controls: Vec<String>,
    #[serde(default)]
    pub risks: Vec<String>,
    pub last_reviewed: Option<Date>,
    pub next_review: Option<Date>,
    #[serde(default)]
    pub visibility: Visibility,
    pub public_summary: Option<String>,
}

impl SystemRecord {
    pub const REQUIRED: &[&str] = &[
        "id",
        "name",
        "description",
        "role",
        "purpose",
        "lifecycle",
        "risk_class",
        "human_oversight",
        "owner",
    ];
}

/// What a supplier does for the organisation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum SupplierKind {
    AiModelProvider,
    Hosting,
    DataProcessor,
    Tooling,
}

/// A data-processing agreement: signed or not, or where it is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Dpa {
    Signed(bool),
    At(String),
}

impl<'de> Deserialize<'de> for Dpa {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Dpa;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("`true`, `false` or the URL of the agreement")
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Dpa, E> {
                Ok(Dpa::Signed(v))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Dpa, E> {
                Ok(Dpa::At(v.to_string()))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// A supplier or sub-processor: who else touches the organisation's (and its customers')
/// data, and for which AI systems.
#[derive(Clone, Debug, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SupplierRecord {
    pub id: String,
    /// The legal name.
    pub name: String,
    /// What is used.
    pub service: String,
    pub purpose: String,
    pub kind: SupplierKind,
    #[serde(default)]
    pub data_categories: Vec<String>,
    /// Country or region codes.
    #[serde(default)]
    pub locations: Vec<String>,
    pub trains_on_customer_data: bool,
    pub retention: Option<String>,
    pub dpa: Option<Dpa>,
    /// When it started processing (in the future: an announced change).
    pub since: Date,
    /// When it stopped processing (in the future: an announced removal).
    pub until: Option<Date>,
    #[serde(default)]
    pub visibility: Visibility,
    pub public_summary: Option<String>,
    pub owner: Option<String>,
    pub next_review: Option<Date>,
    #[serde(default)]
    pub risks: Vec<String>,
    #[serde(default)]
    pub evidence: Vec<Evidence>,
    pub notes: Option<String>,
}

impl SupplierRecord {
    pub const REQUIRED: &[&str] = &[
        "id",
        "name",
        "service",
        "purpose",
        "kind",
        "trains_on_customer_data",
        "since",
    ];
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SupplierOptions {
    /// Days of notice customers get before a new supplier starts processing.
    pub notice_days: Option<u32>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Treatment {
    Mitigate,
    Accept,
    Avoid,
    Transfer,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum RiskStatus {
    Open,
    Treated,
    Closed,
}

#[derive(Clone, Debug, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RiskRecord {
    pub id: String,
    pub title: String,
    pub description: String,
    pub owner: String,
    #[serde(default)]
    pub systems: Vec<String>,
    pub likelihood: Score,
    pub impact: Score,
    pub treatment: Treatment,
    #[serde(default)]
    pub controls: Vec<String>,
    pub residual_likelihood: Option<Score>,
    pub residual_impact: Option<Score>,
    pub accepted_by: Option<String>,
    pub accepted_on: Option<Date>,
    pub status: RiskStatus,
    pub next_review: Option<Date>,
    #[serde(default)]
    pub visibility: Visibility,
    pub public_summary: Option<String>,
}

impl RiskRecord {
    pub const REQUIRED: &[&str] = &[
        "id",
        "title",
        "description",
        "owner",
        "likelihood",
        "impact",
        "treatment",
        "status",
    ];
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CertificationStatus {
    Certified,
    /// An attestation report held (SOC 2 Type II, ISAE 3000): the same facts as a
    /// certificate, but not called one.
    Attested,
    InProgress,
    Planned,
    None,
}

#[derive(Clone, Debug, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Certification {
    pub standard: String,
    pub status: CertificationStatus,
    pub certifier: Option<String>,
    pub certificate_id: Option<Text>,
    /// What the certificate covers, in one sentence, as the certificate says.
    pub scope: Option<String>,
    pub valid_until: Option<Date>,
    /// When the current certificate was issued.
    pub issued_on: Option<Date>,
    /// The certificate itself, an asset path under `content/` (public unless the
    /// certification is restricted).
    pub certificate_file: Option<String>,
    /// `public` (the default: a certification is listed to be seen), `restricted` (listed,
    /// the certificate on request) or `internal` (the handbook only).
    #[serde(default = "public_visibility")]
    pub visibility: Visibility,
}

fn public_visibility() -> Visibility {
    Visibility::Public
}

/// The Statement of Applicability's document control: which version, approved by whom
/// and when (ISO/IEC 42001 6.1.3 asks for the SoA as documented information).
#[derive(Clone, Debug, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SoaControl {
    pub version: Text,
    pub approved_by: String,
    pub approved_on: Date,
}

/// How customer data meets AI, across the organisation: the first thing a buyer asks.
#[derive(Clone, Debug, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AiDataUse {
    /// Whether any model is trained on customer data (the organisation's or a supplier's).
    pub trains_on_customer_data: bool,
    #[serde(default)]
    pub retention: Retention,
    /// Where customer data is processed by AI systems and their suppliers.
    #[serde(default)]
    pub locations: Vec<String>,
    /// How a customer opts out, in one sentence.
    pub opt_out: Option<String>,
}

/// How long each kind of data is kept, in words ("30 days, then deleted").
#[derive(Clone, Debug, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Retention {
    pub prompts: Option<String>,
    pub outputs: Option<String>,
    pub logs: Option<String>,
}

#[derive(Clone, Debug, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    pub email: String,
    pub concerns_url: Option<String>,
    /// Where to report a vulnerability: an email address or a web address. Published in
    /// `/.well-known/security.txt`.
    pub security: Option<String>,
    /// The vulnerability disclosure policy: a web address, or the id of a public document.
    pub security_policy: Option<String>,
}

#[derive(Clone, Debug, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PublicOptions {
    #[serde(default = "yes")]
    pub show_control_totals: bool,
    /// Which text of a public document is published: the file as it is, or as it stood at
    /// the commit that approved it.
    #[serde(default)]
    pub publish: PublishFrom,
}

#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum PublishFrom {
    #[default]
    WorkingTree,
    Approved,
}

impl Default for PublicOptions {
    fn default() -> Self {
        PublicOptions {
            show_control_totals: true,
            publish: PublishFrom::default(),
        }
    }
}

fn yes() -> bool {
    true
}

#[derive(Clone, Debug, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewOptions {
    #[serde(default = "default_warn_days")]
    pub warn_days: u32,
    /// The date of the last management review (ISO/IEC 42001 9.3): the review pack lists
    /// what changed since.
    pub last_management_review: Option<Date>,
}

impl Default for ReviewOptions {
    fn default() -> Self {
        ReviewOptions {
            warn_days: default_warn_days(),
            last_management_review: None,
        }
    }
}

fn default_warn_days() -> u32 {
    30
}

#[derive(Clone, Debug, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    pub title: String,
    pub organisation: String,
    /// The sentence under the title on the public page.
    pub description: Option<String>,
    pub base_url: Option<String>,
    #[serde(default = "default_language")]
    pub language: String,
    pub theme: Option<String>,
    pub repository: Option<String>,
    #[serde(default)]
    pub frameworks: Vec<String>,
    pub contact: Contact,
    /// One certification (the earlier form; read as a one-element `certifications`).
    pub certification: Option<Certification>,
    /// Every certificate and attestation held, applied for or planned.
    #[serde(default)]
    pub certifications: Vec<Certification>,
    pub ai_data_use: Option<AiDataUse>,
    /// The Statement of Applicability as a controlled document.
    pub soa: Option<SoaControl>,
    #[serde(default)]
    pub public: PublicOptions,
    #[serde(default)]
    pub review: ReviewOptions,
    #[serde(default)]
    pub suppliers: SupplierOptions,
}

impl CertificationStatus {
    /// Whether a certificate or report is held, so that its number and validity are facts.
    pub fn held(self) -> bool {
        matches!(
            self,
            CertificationStatus::Certified | CertificationStatus::Attested
        )
    }
}

impl SiteConfig {
    pub const REQUIRED: &[&str] = &["title", "organisation", "contact"];

    /// Every certification with the path of its entry (`certification` or
    /// `certifications.2`), the single block first.
    pub fn all_certifications(&self) -> impl Iterator<Item = (String, &Certification)> {
        let single = (self.certification.iter()).map(|c| ("certification".to_string(), c));
        let listed = (self.certifications.iter().enumerate())
            .map(|(i, c)| (format!("certifications.{i}"), c));
        single.chain(listed)
    }
}

fn default_language() -> String {
    "en".to_string()
}

#[derive(Clone, Debug, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Objective {
    pub id: String,
    pub title: String,
    pub parent: Option<String>,
}

#[derive(Clone, Debug, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CatalogControl {
    pub id: String,
    pub objective: String,
    pub title: String,
}

/// A catalogue of controls: the built-in ISO/IEC 42001 Annex A, or one in `catalogs/`.
#[derive(Clone, Debug, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    pub framework: String,
    pub name: String,
    #[serde(default)]
    pub objectives: Vec<Objective>,
    pub controls: Vec<CatalogControl>,
}

impl Catalog {
    pub const REQUIRED: &[&str] = &["framework", "name", "controls"];
}
