//! Builds the public model from a checked site, obeying `publish`'s decisions: the one
//! place that reads loaded records on the public side.

use super::*;
use crate::links::{Resolved, Resolver, Target, is_external, percent_decode};
use crate::load::Site;
use crate::load::files::inside_content;
use crate::load::outline::{Outline, outline};
use crate::load::records::Visibility;
use crate::model::{Catalogs, body, document_visibility, strip};
use crate::publish;
use crate::urls;
use std::collections::HashSet;

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
                revisions: (meta.revisions.iter())
                    .map(|r| PublicRevision {
                        version: r.version.clone(),
                        date: r.date,
                        summary: r.summary.clone(),
                    })
                    .collect(),
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
