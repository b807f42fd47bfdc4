//! The public model: exactly what SPEC §5 lets the public trust centre show, copied field by
//! field. Internal records are not in it at all; restricted ones are reduced to their title
//! and public summary; public documents carry their body with internal blocks and HTML
//! comments already removed.

use super::{Catalogs, StatusCounts, body, document_visibility, strip};
use crate::links::{Resolved, Resolver, Target, is_external, percent_decode};
use crate::load::Site;
use crate::load::date::Date;
use crate::load::files::inside_content;
use crate::load::outline::{Outline, outline};
use crate::load::records::{
    CertificationStatus, ControlStatus, DocType, Lifecycle, Revision, RiskClass, RiskStatus,
    SystemRole, Text, Treatment, Visibility,
};
use crate::publish;
use crate::urls;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

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
    /// Published documents that asked for a place in the top navigation, in order.
    pub nav: Vec<NavLink>,
    /// Restricted records of every kind: title and summary, "available on request".
    pub restricted: Vec<RestrictedItem>,
    pub objectives: Vec<ObjectiveStatus>,
    /// Counts over every control record, internal ones included (SPEC §5 allows totals).
    pub control_totals: Option<StatusCounts>,
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
    pub certification: Option<CertificationInfo>,
}

#[derive(Serialize)]
pub struct CertificationInfo {
    pub standard: String,
    pub status: CertificationStatus,
    pub certifier: Option<String>,
    pub certificate_id: Option<Text>,
    pub scope: Option<String>,
    pub valid_until: Option<Date>,
    /// Output path of the certificate file, when it is offered.
    pub certificate_file: Option<String>,
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
    pub public_summary: String,
    pub revisions: Vec<Revision>,
    /// Only the published controls among those the document implements.
    pub controls: Vec<ControlRef>,
    pub tags: Vec<Text>,
    /// Rendered on its own (as the page's `body`), not part of the template data.
    #[serde(skip)]
    pub body: PublicBody,
}

/// A public document's body, with everything its links need already decided: the public
/// renderer resolves nothing against the sources.
#[derive(Serialize)]
pub struct PublicBody {
    /// Markdown without internal blocks and comments.
    pub markdown: String,
    /// Where each relative link destination in `markdown` (percent-decoded) leads, from the
    /// site root; `None`: the link keeps its text and loses its target.
    pub links: BTreeMap<String, Option<String>>,
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
    pub public_summary: String,
    pub last_reviewed: Option<Date>,
    pub next_review: Option<Date>,
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
    pub public_summary: String,
}

#[derive(Serialize)]
pub struct PublicRisk {
    pub url: String,
    pub title: String,
    pub public_summary: String,
    pub treatment: Treatment,
    pub status: RiskStatus,
}

#[derive(Serialize)]
pub struct RestrictedItem {
    /// `document`, `control`, `system` or `risk`.
    pub kind: &'static str,
    pub title: String,
    pub public_summary: String,
}

#[derive(Serialize)]
pub struct ObjectiveStatus {
    pub id: String,
    pub title: String,
    /// The catalogue's framework: two catalogues may use the same objective id. Not shown.
    #[serde(skip)]
    pub framework: String,
    /// Whether the title is a published standard's (the built-in catalogue). Not shown.
    #[serde(skip)]
    pub builtin: bool,
    pub totals: Option<StatusCounts>,
    pub controls: Vec<PublicControl>,
}

/// One sentence on whether the organisation provides or deploys AI systems, from its
/// public systems only.
fn ai_role(organisation: &str, systems: &[PublicSystem]) -> Option<String> {
    let provides = systems.iter().any(|s| {
        matches!(
            s.role,
            SystemRole::Provider | SystemRole::ProviderAndDeployer
        )
    });
    let deploys = systems.iter().any(|s| {
        matches!(
            s.role,
            SystemRole::Deployer | SystemRole::ProviderAndDeployer
        )
    });
    let role = match (provides, deploys) {
        (true, true) => "both a provider and a deployer",
        (true, false) => "a provider",
        (false, true) => "a deployer",
        (false, false) => return None,
    };
    Some(format!(
        "Under the EU AI Act, {organisation} is {role} of the AI systems listed here."
    ))
}

fn summary(text: &Option<String>) -> String {
    text.clone().unwrap_or_default()
}

pub fn build(site: &Site) -> PublicModel {
    let config = &site
        .config
        .as_ref()
        .expect("a checked site has a site.yaml")
        .data;
    let catalogs = Catalogs::new(site);
    let mut restricted = Vec::new();
    let mut urls_by_id = HashMap::new();
    let mut dates: BTreeSet<Date> = BTreeSet::new();

    let mut controls: Vec<PublicControl> = Vec::new();
    let mut sorted: Vec<_> = site.controls.iter().collect();
    sorted.sort_by_key(|c| catalogs.order(&c.data.id));
    for record in &sorted {
        let data = &record.data;
        let info = catalogs.info(&data.id);
        match publish::control(data).shown {
            Visibility::Public => {
                let url = urls::control(&data.id);
                urls_by_id.insert(data.id.clone(), url.clone());
                dates.extend(data.last_reviewed);
                controls.push(PublicControl {
                    url,
                    id: data.id.clone(),
                    title: info.title,
                    objective: info.objective,
                    objective_title: info.objective_title,
                    applicable: data.applicable,
                    status: data.status,
                    public_summary: summary(&data.public_summary),
                    last_reviewed: data.last_reviewed,
                    next_review: data.next_review,
                });
            }
            Visibility::Restricted => restricted.push(RestrictedItem {
                kind: "control",
                title: info.title,
                public_summary: summary(&data.public_summary),
            }),
            Visibility::Internal => {}
        }
    }

    let mut systems = Vec::new();
    for record in &site.systems {
        let data = &record.data;
        match publish::record(data.visibility, data.public_summary.as_deref()).shown {
            Visibility::Public => {
                let url = urls::system(&record.stem);
                urls_by_id.insert(data.id.clone(), url.clone());
                dates.extend(data.last_reviewed);
                systems.push(PublicSystem {
                    url,
                    name: data.name.clone(),
                    description: data.description.clone(),
                    purpose: data.purpose.clone(),
                    role: data.role,
                    lifecycle: data.lifecycle,
                    risk_class: data.risk_class,
                    human_oversight: data.human_oversight.clone(),
                    ai_disclosure: data.ai_disclosure.clone(),
                    limitations: data.limitations.clone(),
                    affected_people: data.affected_people.clone(),
                    last_reviewed: data.last_reviewed,
                    next_review: data.next_review,
                    public_summary: summary(&data.public_summary),
                });
            }
            Visibility::Restricted => restricted.push(RestrictedItem {
                kind: "system",
                title: data.name.clone(),
                public_summary: summary(&data.public_summary),
            }),
            Visibility::Internal => {}
        }
    }

    let mut risks = Vec::new();
    for record in &site.risks {
        let data = &record.data;
        match publish::record(data.visibility, data.public_summary.as_deref()).shown {
            Visibility::Public => {
                let url = urls::risk(&data.id);
                urls_by_id.insert(data.id.clone(), url.clone());
                risks.push(PublicRisk {
                    url,
                    title: data.title.clone(),
                    public_summary: summary(&data.public_summary),
                    treatment: data.treatment,
                    status: data.status,
                });
            }
            Visibility::Restricted => restricted.push(RestrictedItem {
                kind: "risk",
                title: data.title.clone(),
                public_summary: summary(&data.public_summary),
            }),
            Visibility::Internal => {}
        }
    }

    // Documents last: their control lists and links need the published set.
    let mut published_docs = Vec::new();
    for document in &site.documents {
        let meta = &document.record.data;
        match document_visibility(document) {
            Visibility::Public => {
                let url = urls::document(document.kind, &document.record.stem);
                urls_by_id.insert(meta.id.clone(), url.clone());
                published_docs.push((document, url));
            }
            Visibility::Restricted => restricted.push(RestrictedItem {
                kind: "document",
                title: meta.title.clone(),
                public_summary: summary(&meta.public_summary),
            }),
            Visibility::Internal => {}
        }
    }
    // Bodies first: a link's anchor must name a heading of the *public* text it leads to.
    let bodies: Vec<(String, Outline)> = published_docs
        .iter()
        .map(|(document, _)| {
            let markdown =
                strip::public_body(body(site, document), &document.outline.internal_blocks);
            let outline = outline(&markdown);
            (markdown, outline)
        })
        .collect();
    let anchors_by_id: HashMap<&str, HashSet<String>> = published_docs
        .iter()
        .zip(&bodies)
        .map(|((d, _), (_, o))| (d.record.data.id.as_str(), o.anchors.clone()))
        .collect();
    let mut assets = BTreeMap::new();
    let linking = Linking {
        resolver: Resolver::new(site),
        assets: publish::Assets::new(site),
        urls: &urls_by_id,
        anchors: &anchors_by_id,
    };
    let mut nav: Vec<(Option<i64>, NavLink)> = published_docs
        .iter()
        .filter(|(d, _)| d.record.data.nav)
        .map(|(d, url)| {
            let link = NavLink {
                title: d.record.data.title.clone(),
                url: url.clone(),
            };
            (d.record.data.order, link)
        })
        .collect();
    nav.sort_by(|(a, x), (b, y)| {
        (a.unwrap_or(i64::MAX), &x.title).cmp(&(b.unwrap_or(i64::MAX), &y.title))
    });
    let documents: Vec<PublicDocument> = published_docs
        .into_iter()
        .zip(bodies)
        .map(|((document, url), (markdown, outline))| {
            let links = linking.links(document.record.file, &outline, &url, &mut assets);
            let meta = &document.record.data;
            dates.extend(meta.approved_on);
            dates.extend(meta.revisions.iter().map(|r| r.date));
            PublicDocument {
                url,
                is_page: document.kind == crate::load::DocKind::Page,
                title: meta.title.clone(),
                doc_type: meta.doc_type,
                version: meta.version.clone(),
                effective_from: meta.effective_from,
                approved_on: meta.approved_on,
                next_review: meta.next_review,
                public_summary: summary(&meta.public_summary),
                revisions: meta.revisions.clone(),
                controls: meta
                    .controls
                    .iter()
                    .filter_map(|id| {
                        let url = urls_by_id.get(id)?;
                        Some(ControlRef {
                            id: id.clone(),
                            title: catalogs.info(id).title,
                            url: url.clone(),
                        })
                    })
                    .collect(),
                tags: meta.tags.clone(),
                body: PublicBody {
                    markdown,
                    links,
                    anchors: outline.anchors.into_iter().collect(),
                },
            }
        })
        .collect();

    let ai_policy = site
        .documents
        .iter()
        .filter(|d| document_visibility(d) == Visibility::Public)
        .find(|d| {
            let meta = &d.record.data;
            meta.clauses.iter().any(|c| &**c == "5.2")
                || meta.title.to_lowercase().contains("ai policy")
        })
        .map(|d| DocumentRef {
            title: d.record.data.title.clone(),
            url: urls_by_id[&d.record.data.id].clone(),
            public_summary: summary(&d.record.data.public_summary),
        });

    let show_totals = config.public.show_control_totals;
    let mut objectives: Vec<ObjectiveStatus> = Vec::new();
    let mut totals = StatusCounts::default();
    let public_by_id: HashMap<&str, &PublicControl> =
        controls.iter().map(|c| (c.id.as_str(), c)).collect();
    for record in &sorted {
        let info = catalogs.info(&record.data.id);
        totals.add(&record.data);
        let objective = match (objectives.iter_mut())
            .find(|o| o.id == info.objective && o.framework == info.framework)
        {
            Some(objective) => objective,
            None => {
                objectives.push(ObjectiveStatus {
                    id: info.objective.clone(),
                    title: info.objective_title.clone(),
                    framework: info.framework.clone(),
                    builtin: info.builtin,
                    totals: show_totals.then(StatusCounts::default),
                    controls: Vec::new(),
                });
                objectives.last_mut().expect("just pushed")
            }
        };
        if let Some(t) = objective.totals.as_mut() {
            t.add(&record.data);
        }
        if let Some(control) = public_by_id.get(record.data.id.as_str()) {
            objective.controls.push((*control).clone());
        }
    }
    // An objective with no public control is shown only for its totals, and only when its
    // title is a published standard's: the title of a site's own objective may itself be
    // internal. (The site-wide totals still count its controls.)
    objectives.retain(|o| {
        let has_totals = o.totals.as_ref().is_some_and(StatusCounts::any_assessed);
        !o.controls.is_empty() || (has_totals && o.builtin)
    });

    // A certificate's number, validity and file are facts only of a certificate held: with
    // any other status they would read as one.
    let certification = config.certification.as_ref().map(|c| {
        let held = c.status == CertificationStatus::Certified;
        CertificationInfo {
            standard: c.standard.clone(),
            status: c.status,
            certifier: c.certifier.clone(),
            certificate_id: c.certificate_id.clone().filter(|_| held),
            scope: c.scope.clone(),
            valid_until: c.valid_until.filter(|_| held),
            certificate_file: (c.certificate_file.as_deref())
                .filter(|_| held)
                .and_then(|file| {
                    let path = inside_content(file)?;
                    linking.public_asset(path, "", &mut assets)
                }),
        }
    });

    PublicModel {
        site: SiteInfo {
            title: config.title.clone(),
            organisation: config.organisation.clone(),
            description: config.description.clone(),
            language: config.language.clone(),
            base_url: config.base_url.clone(),
            contact_email: config.contact.email.clone(),
            concerns_url: config.contact.concerns_url.clone(),
            certification,
        },
        updated: dates.last().copied(),
        ai_policy,
        ai_role: ai_role(&config.organisation, &systems),
        documents,
        controls,
        systems,
        risks,
        nav: nav.into_iter().map(|(_, link)| link).collect(),
        restricted,
        objectives,
        // Right after `init` nothing is assessed: then the page claims nothing about controls.
        control_totals: (show_totals && totals.any_assessed()).then_some(totals),
        urls: urls_by_id,
        assets,
    }
}

/// `url#anchor`, or `url` when there is no anchor.
fn with_anchor(url: &str, anchor: &str) -> String {
    if anchor.is_empty() {
        url.to_string()
    } else {
        format!("{url}#{anchor}")
    }
}

/// What the links of public bodies resolve against.
struct Linking<'a> {
    resolver: Resolver<'a>,
    assets: publish::Assets,
    /// Page URL of every published record, by id.
    urls: &'a HashMap<String, String>,
    /// Heading ids of each published document's public text.
    anchors: &'a HashMap<&'a str, HashSet<String>>,
}

impl Linking<'_> {
    /// Where each relative link of a public body leads (see `PublicBody::links`); the
    /// public assets it uses are added to `assets`.
    fn links(
        &self,
        file: crate::sources::FileId,
        outline: &Outline,
        page: &str,
        assets: &mut BTreeMap<String, PublicAsset>,
    ) -> BTreeMap<String, Option<String>> {
        let mut links = BTreeMap::new();
        for link in &outline.links {
            let key = percent_decode(&link.dest);
            if links.contains_key(&key) || is_external(&link.dest) {
                continue;
            }
            let target = match self.resolver.resolve(file, &link.dest) {
                Ok(Some(resolved)) => self.target(resolved, page, assets),
                _ => None,
            };
            links.insert(key, target);
        }
        links
    }

    fn target(
        &self,
        resolved: Resolved,
        page: &str,
        assets: &mut BTreeMap<String, PublicAsset>,
    ) -> Option<String> {
        match resolved.target {
            Target::Record(id) => {
                let url = self.urls.get(id)?;
                // An anchor the public text of the target does not have (a heading inside
                // an internal block, or a record page's) is dropped, not printed.
                let public_anchor = self
                    .anchors
                    .get(id)
                    .is_some_and(|anchors| anchors.contains(&resolved.anchor));
                Some(if public_anchor {
                    format!("{url}index.html#{}", resolved.anchor)
                } else {
                    format!("{url}index.html")
                })
            }
            Target::Asset(path) => self.public_asset(path, page, assets),
            Target::Home => Some(with_anchor("index.html", &resolved.anchor)),
            Target::Unloaded => None,
        }
    }

    /// The output path of an asset (`path` under `content/`) the public `page` uses, when
    /// it is public; added to `assets`.
    fn public_asset(
        &self,
        path: std::path::PathBuf,
        page: &str,
        assets: &mut BTreeMap<String, PublicAsset>,
    ) -> Option<String> {
        let source = self.assets.public_file(&path).ok()?;
        let output = path.to_string_lossy().replace('\\', "/");
        assets
            .entry(output.clone())
            .or_insert_with(|| PublicAsset {
                path: output.clone(),
                source,
                used_by: BTreeSet::new(),
            })
            .used_by
            .insert(page.to_string());
        Some(output)
    }
}
