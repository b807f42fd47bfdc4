//! Builds the public model from a checked site, obeying `publish`'s decisions: the one
//! place that reads loaded records on the public side.

use super::kept::{KeptBodies, PublicText};
use super::*;
use crate::hash::HashMapExt;
use crate::hash::HashSet;
use crate::links::{Resolved, Resolver, Target, is_external, percent_decode};
use crate::load::files::inside_content;
use crate::load::outline::{Outline, outline};
use crate::load::records::{SiteConfig, Visibility};
use crate::load::{Document, Site};
use crate::model::{Catalogs, strip};
use crate::publish;
use crate::urls;
use rayon::prelude::*;
use std::sync::Arc;

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
    let every = systems
        .iter()
        .all(|s| s.role == SystemRole::ProviderAndDeployer);
    let role = match (provides, deploys) {
        (true, true) if every => "both a provider and a deployer of the AI systems listed here",
        // Said of each system would be untrue of some: say it is mixed, and where to look.
        (true, true) => {
            "a provider of some of the AI systems listed here and a deployer of others (each system says which)"
        }
        (true, false) => "a provider of the AI systems listed here",
        (false, true) => "a deployer of the AI systems listed here",
        (false, false) => return None,
    };
    Some(format!("Under the EU AI Act, {organisation} is {role}."))
}

fn summary(text: &Option<String>) -> String {
    text.clone().unwrap_or_default()
}

/// A year after the commit built (the same file for the same commit), but never a day
/// already past: a site rebuilt from a commit over a year old would say its contact had
/// expired.
fn security_txt_expires(built_on: Date, today: Date) -> Date {
    let year_after = |day: Date| Date(day.0 + chrono::Duration::days(365));
    match year_after(built_on) > today {
        true => year_after(built_on),
        false => year_after(today),
    }
}

/// The public model of a checked site, step by step: records first (documents need the
/// published set for their links), then what the home page sums up.
/// The public text of a body whose outline is `outline` (without internal blocks and
/// comments), and the public text's outline.
pub fn public_text(
    source: &std::sync::Arc<String>,
    body_start: usize,
    loaded: &std::sync::Arc<Outline>,
) -> (crate::model::BodyText, std::sync::Arc<Outline>) {
    let shared = crate::model::BodyText::new(std::sync::Arc::clone(source), body_start);
    // Most bodies have nothing to strip (no internal block, no comment): their public
    // text is the source's (shared, not copied: a third of a large site's text), and
    // their outline the one loaded with it.
    let body = shared.as_str();
    if loaded.internal_blocks.is_empty() && !body.contains("<!--") {
        return (shared, loaded.clone());
    }
    let markdown = strip::public_body(body, &loaded.internal_blocks);
    let public_outline = outline(&markdown).into();
    (crate::model::BodyText::owned(markdown), public_outline)
}

/// `kept`: what `serve` keeps between saves.
pub fn build(
    site: &Site,
    config: &SiteConfig,
    today: Date,
    kept: Option<&KeptBodies>,
) -> PublicModel {
    let mut model = Builder {
        site,
        kept,
        assets: publish::Assets::new(site),
        catalogs: Catalogs::new(site),
        restricted: Vec::new(),
        urls: HashMap::new(),
        dates: BTreeSet::new(),
        changes: Vec::new(),
        today,
    };
    let controls = model.controls();
    let suppliers = model.suppliers(config, today);
    let ai_objectives = model.ai_objectives();
    let systems = model.systems();
    let risks = model.risks();
    let published = model.published_documents();
    let mut assets = BTreeMap::new();
    let (documents, nav) = model.documents(published, &mut assets);
    let ai_policy = model.ai_policy();
    let (objectives, totals) = model.objectives(&controls, config.public.show_control_totals);
    let certifications = model.certifications(config, &mut assets);
    let security_policy = (config.contact.security_policy.as_ref()).and_then(|policy| {
        if is_external(policy) {
            return Some(policy.clone());
        }
        (model.urls.get(policy)).map(|url| format!("{url}index.html"))
    });
    let security_contact = config.contact.security.as_ref().map(|contact| {
        let contact = contact.trim();
        let lower = contact.to_ascii_lowercase();
        if !lower.starts_with("https://") && !lower.starts_with("mailto:") {
            format!("mailto:{contact}")
        } else {
            contact.to_string()
        }
    });
    let head = site.history.head();
    let built_on = head.map_or(today, |head| head.utc_date());
    let changes = model.changes_newest_first();
    PublicModel {
        site: SiteInfo {
            title: config.title.clone(),
            organisation: config.organisation.clone(),
            description: config.description.clone(),
            language: config.language.clone(),
            base_url: config.base_url.clone(),
            contact_email: config.contact.email.clone(),
            concerns_url: config.contact.concerns_url.clone(),
            certification: certifications.first().cloned(),
            certifications,
            ai_data_use: config.ai_data_use.as_ref().map(|d| PublicAiDataUse {
                trains_on_customer_data: d.trains_on_customer_data,
                retention: PublicRetention {
                    prompts: d.retention.prompts.clone(),
                    outputs: d.retention.outputs.clone(),
                    logs: d.retention.logs.clone(),
                },
                locations: d.locations.clone(),
                opt_out: d.opt_out.clone(),
            }),
            security_contact,
            security_policy,
        },
        updated: model.dates.last().copied(),
        ai_policy,
        ai_role: ai_role(&config.organisation, &systems),
        documents,
        controls,
        systems,
        risks,
        suppliers,
        ai_objectives,
        nav,
        restricted: model.restricted,
        objectives,
        control_totals: totals,
        source: head.map(|head| SourceCommit {
            commit: head.id.clone(),
            committed_at: head.committed_at(),
        }),
        security_txt_expires: security_txt_expires(built_on, today),
        changes,
        urls: model.urls,
        assets,
    }
}

fn changed(
    site: &Site,
    dates: &mut BTreeSet<Date>,
    changes: &mut Vec<PublicChange>,
    file: crate::sources::FileId,
    title: &str,
    url: &str,
) -> Option<Date> {
    let mut path = site.sources.path(file);
    // A version `publish: approved` publishes is dated by its working file's public changes,
    // which already count its approvals alone (`history::public_changes`): a renamed
    // document is published at its new address the day it moved there.
    if let Some(working) = site.history.published_from.get(path) {
        path = working;
    }
    let mut days: Vec<(Date, bool)> = (site.history.public_changes_of(path))
        // In UTC, as `trust.json`'s `committed_at`: never a day ahead of the reader's clock.
        .map(|(c, published)| (c.utc_date(), published))
        .collect();
    // Newest first; a day it was published says so, whatever else changed that day.
    days.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)));
    days.dedup_by_key(|(date, _)| *date);
    for &(date, published) in &days {
        changes.push(PublicChange {
            date,
            title: title.to_string(),
            url: url.to_string(),
            published,
        });
    }
    let last = days.first().map(|(date, _)| *date);
    dates.extend(last);
    last
}

/// The version of a document the public site shows, and how (`publish::published`).
fn as_published(site: &Site, index: usize) -> (&Document, Visibility) {
    let (document, decision) = publish::published(site, index);
    (document, decision.shown)
}

/// What the steps share: the restricted list, the URL of each published record, and the
/// dates of the published facts (the newest is the page's "last updated").
struct Builder<'a> {
    site: &'a Site,
    kept: Option<&'a KeptBodies>,
    /// The audience of asset files (read once).
    assets: publish::Assets,
    catalogs: Catalogs<'a>,
    restricted: Vec<RestrictedItem>,
    urls: HashMap<String, String>,
    dates: BTreeSet<Date>,
    changes: Vec<PublicChange>,
    /// The day the build judges what is current by (suppliers starting or stopping).
    today: Date,
}

impl<'a> Builder<'a> {
    /// Records a published record's URL; returns it.
    fn publish(&mut self, id: &str, url: String) -> String {
        self.urls.insert(id.to_string(), url.clone());
        url
    }

    fn restrict(&mut self, kind: RestrictedKind, title: String, public_summary: &Option<String>) {
        self.restricted.push(RestrictedItem {
            kind,
            title,
            public_summary: summary(public_summary),
            state: None,
        });
    }

    /// When a published item's source last changed (from git; the date only), recording
    /// each day it changed for the feed.
    fn changed(&mut self, file: crate::sources::FileId, title: &str, url: &str) -> Option<Date> {
        changed(
            self.site,
            &mut self.dates,
            &mut self.changes,
            file,
            title,
            url,
        )
    }

    fn changes_newest_first(&mut self) -> Vec<PublicChange> {
        let mut changes = std::mem::take(&mut self.changes);
        // Within a day, what a reader looks for first: a day that changed forty controls
        // and the AI policy shows the policy among the home page's few latest changes.
        let rank = |url: &str| {
            const ORDER: [&str; 5] = ["policies/", "pages/", "systems/", "risks/", "controls/"];
            ORDER.iter().position(|p| url.starts_with(p)).unwrap_or(4)
        };
        changes.sort_by(|a, b| {
            (b.date.cmp(&a.date))
                .then_with(|| rank(&a.url).cmp(&rank(&b.url)))
                .then_with(|| a.url.cmp(&b.url))
        });
        changes.dedup_by(|a, b| a.date == b.date && a.url == b.url);
        changes
    }

    /// Controls in catalogue order.
    fn sorted_controls(&self) -> Vec<&'a crate::load::Record<crate::load::records::ControlRecord>> {
        let mut sorted: Vec<_> = self.site.controls.iter().collect();
        sorted.sort_by_cached_key(|c| self.catalogs.order(&c.data.id));
        sorted
    }

    fn controls(&mut self) -> Vec<PublicControl> {
        let mut controls = Vec::new();
        for record in self.sorted_controls() {
            let data = &record.data;
            let info = self.catalogs.info(&data.id);
            match publish::control(data).shown {
                Visibility::Public => {
                    let url = self.publish(&data.id, urls::control(&data.id));
                    self.dates.extend(data.last_reviewed);
                    // Named with its id in the list of changes, where a control's title
                    // ("AI policy") reads as a document's.
                    let named = format!("{} {}", data.id, info.title);
                    let last_changed = self.changed(record.file, &named, &url);
                    controls.push(PublicControl {
                        url,
                        id: data.id.clone(),
                        title: info.title,
                        objective: info.objective,
                        objective_title: info.objective_title,
                        applicable: data.applicable,
                        status: data.status,
                        evidence_out_of_date: data.implemented_on_expired_evidence(self.today),
                        public_summary: summary(&data.public_summary),
                        last_reviewed: data.last_reviewed,
                        next_review: data.next_review,
                        review_overdue: data.next_review.is_some_and(|due| due < self.today),
                        last_changed,
                    });
                }
                Visibility::Restricted => {
                    self.restrict(RestrictedKind::Control, info.title, &data.public_summary)
                }
                Visibility::Internal => {}
            }
        }
        controls
    }

    fn systems(&mut self) -> Vec<PublicSystem> {
        let mut systems = Vec::new();
        for record in &self.site.systems {
            let data = &record.data;
            match publish::of(&data).shown {
                Visibility::Public => {
                    let url = self.publish(&data.id, urls::system(&record.stem));
                    self.dates.extend(data.last_reviewed);
                    // The card shows its newest public impact assessment: a fact with a date.
                    let impact_assessment = self.public_assessment(&data.id);
                    self.dates
                        .extend(impact_assessment.as_ref().map(|a| a.date));
                    let last_changed = self.changed(record.file, &data.name, &url);
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
                        review_overdue: data.next_review.is_some_and(|due| due < self.today),
                        public_summary: summary(&data.public_summary),
                        last_changed,
                        customer_data_used_for_training: data.customer_data_used_for_training,
                        data_retention: data.data_retention.clone(),
                        opt_out: data.opt_out.clone(),
                        models: data.models.clone(),
                        suppliers: self.supplier_links(&data.suppliers, self.today),
                        impact_assessment,
                    });
                }
                Visibility::Restricted => self.restrict(
                    RestrictedKind::System,
                    data.name.clone(),
                    &data.public_summary,
                ),
                Visibility::Internal => {}
            }
        }
        systems
    }

    /// How a system's card names its suppliers: by name where the public may see them
    /// (a link for public ones), otherwise as "a third-party provider".
    fn supplier_links(&self, ids: &[String], today: Date) -> Vec<SupplierLink> {
        let mut links: Vec<SupplierLink> = Vec::new();
        for id in ids {
            let Some(supplier) = self.site.suppliers.iter().find(|s| &s.data.id == id) else {
                continue;
            };
            let data = &supplier.data;
            let (name, anchor) = match publish::of(&data).shown {
                Visibility::Public => (data.name.clone(), Some(urls::supplier_anchor(&data.id))),
                Visibility::Restricted => (data.name.clone(), None),
                Visibility::Internal => ("a third-party provider".to_string(), None),
            };
            let link = SupplierLink {
                name,
                anchor,
                starts: Some(data.since).filter(|since| *since > today),
                ended: data.until.filter(|until| *until <= today),
            };
            // Two hidden suppliers are one phrase, not two identical lines.
            if !links
                .iter()
                .any(|l| l.name == link.name && l.anchor == link.anchor)
            {
                links.push(link);
            }
        }
        links
    }

    /// The newest public impact assessment of system `id`, by date.
    fn public_assessment(&self, id: &str) -> Option<PublicAssessment> {
        (self.site.assessments.iter())
            .map(|a| &a.data)
            .filter(|a| a.system == id)
            .filter(|a| publish::of(&a).shown == Visibility::Public)
            .max_by_key(|a| a.date)
            .map(|a| PublicAssessment {
                date: a.date,
                summary: summary(&a.public_summary),
                review_overdue: a.next_review.is_some_and(|due| due < self.today),
            })
    }

    /// The public suppliers by whether they process data today, and every dated change.
    fn suppliers(&mut self, config: &SiteConfig, today: Date) -> PublicSuppliers {
        let mut out = PublicSuppliers {
            notice_days: config.suppliers.notice_days,
            ..PublicSuppliers::default()
        };
        for record in &self.site.suppliers {
            let data = &record.data;
            if crate::model::SupplierState::of(data, today) == crate::model::SupplierState::Current
            {
                out.total_current += 1;
                out.total_training += usize::from(data.trains_on_customer_data);
            }
            match publish::of(&data).shown {
                Visibility::Public => {}
                Visibility::Restricted => {
                    // Offered while it processes data or is to start; an ended one is
                    // no one's supplier to ask about.
                    let state = crate::model::SupplierState::of(data, today);
                    if state != crate::model::SupplierState::Ended {
                        self.restrict(
                            RestrictedKind::Supplier,
                            data.name.clone(),
                            &data.public_summary,
                        );
                        if let Some(item) = self.restricted.last_mut() {
                            item.state = Some(state);
                        }
                    }
                    continue;
                }
                Visibility::Internal => continue,
            }
            // Links to a supplier lead to the suppliers page, where it is a row.
            self.publish(&data.id, "suppliers/".to_string());
            let anchor = crate::urls::supplier_anchor(&data.id);
            let path = self.site.sources.path(record.file).to_path_buf();
            // Git's days of public change, oldest last: those after the announcement
            // changed what customers read.
            let mut days: Vec<Date> = (self.site.history.public_changes_of(&path))
                .map(|(c, _)| c.utc_date())
                .collect();
            days.dedup();
            let last_changed = days.first().copied();
            let announced = crate::model::supplier_announced(self.site, &path, today);
            let supplier = PublicSupplier {
                anchor: anchor.clone(),
                name: data.name.clone(),
                service: data.service.clone(),
                purpose: data.purpose.clone(),
                kind: data.kind,
                data_categories: data.data_categories.clone(),
                locations: data.locations.clone(),
                trains_on_customer_data: data.trains_on_customer_data,
                retention: data.retention.clone(),
                dpa: data.dpa.as_ref().map(|dpa| match dpa {
                    crate::load::records::Dpa::Signed(signed) => *signed,
                    crate::load::records::Dpa::At(_) => true,
                }),
                since: data.since,
                until: data.until,
                public_summary: summary(&data.public_summary),
                last_changed,
                short_notice: announced.and_then(|announced| {
                    let notice = config.suppliers.notice_days;
                    crate::model::supplier_short_notice(self.site, data, announced, notice)
                }),
            };
            out.short_notice += usize::from(supplier.short_notice.is_some());
            // The start was announced when the record was first committed as public
            // (after the start, for a supplier in use before the site began: a late
            // announcement is still the day customers could first read it); the end, when
            // its `until` was; a change, on its day. Without history, a change to come is announced today at
            // the latest, and one that happened, on its day.
            let start_announced = announced.unwrap_or(data.since.min(today));
            let end_announced = |until: Date| {
                // Shown with that end: an end written while the record was internal was
                // announced when the record was shown again.
                crate::model::supplier_published_since(self.site, &path, |record| {
                    record.until == Some(until) && publish::of(record).shown == Visibility::Public
                })
                .unwrap_or(until.min(today))
            };
            let ending = data.until.map(|until| (until, end_announced(until)));
            let mut change = |date: Date, change: &'static str, announced: Date| {
                let to_come = matches!(change, "starting" | "ending");
                let list = if to_come {
                    &mut out.upcoming_changes
                } else {
                    &mut out.past_changes
                };
                list.push(SupplierChange {
                    date,
                    announced,
                    change,
                    name: data.name.clone(),
                    anchor: anchor.clone(),
                });
            };
            if data.since > today {
                change(data.since, "starting", start_announced);
            } else {
                change(data.since, "added", start_announced);
                self.dates.insert(data.since);
            }
            if let Some((until, announced)) = ending {
                if until > today {
                    change(until, "ending", announced);
                } else {
                    change(until, "removed", announced);
                    self.dates.insert(until);
                }
            }
            // A change of what customers read, after the announcement and not on the day
            // the supplier started or stopped, or its end was announced (that change says
            // it already).
            let end_announced_on = ending.map(|(_, announced)| announced);
            for day in days.iter().rev().filter(|day| **day > start_announced) {
                if *day != data.since && Some(*day) != data.until && Some(*day) != end_announced_on
                {
                    change(*day, "changed", *day);
                }
            }
            self.dates.extend(last_changed);
            match crate::model::SupplierState::of(data, today) {
                crate::model::SupplierState::Upcoming => out.upcoming.push(supplier),
                crate::model::SupplierState::Current => out.current.push(supplier),
                crate::model::SupplierState::Ended => out.ended.push(supplier),
            }
        }
        out.current.sort_by(|a, b| a.name.cmp(&b.name));
        out.upcoming
            .sort_by(|a, b| a.since.cmp(&b.since).then_with(|| a.name.cmp(&b.name)));
        out.ended
            .sort_by(|a, b| b.until.cmp(&a.until).then_with(|| a.name.cmp(&b.name)));
        let order = |a: &SupplierChange, b: &SupplierChange| {
            (a.name.cmp(&b.name)).then_with(|| a.change.cmp(b.change))
        };
        (out.upcoming_changes).sort_by(|a, b| a.date.cmp(&b.date).then_with(|| order(a, b)));
        (out.past_changes).sort_by(|a, b| b.date.cmp(&a.date).then_with(|| order(a, b)));
        out
    }

    /// Published objectives: statement, target and status (as written, or past due),
    /// nothing of how they are measured or who owns them.
    fn ai_objectives(&mut self) -> Vec<PublicAiObjective> {
        let mut objectives = Vec::new();
        for record in &self.site.objectives {
            let data = &record.data;
            match publish::of(&data).shown {
                Visibility::Public => objectives.push(PublicAiObjective {
                    statement: data.statement.clone(),
                    target: data.target.clone(),
                    status: PublicObjectiveStatus::of(data.status, data.due, self.today),
                }),
                Visibility::Restricted => self.restrict(
                    RestrictedKind::Objective,
                    data.statement.clone(),
                    &data.public_summary,
                ),
                Visibility::Internal => {}
            }
        }
        objectives
    }

    fn risks(&mut self) -> Vec<PublicRisk> {
        let mut risks = Vec::new();
        for record in &self.site.risks {
            let data = &record.data;
            match publish::of(&data).shown {
                Visibility::Public => {
                    let url = self.publish(&data.id, urls::risk(&data.id));
                    let last_changed = self.changed(record.file, &data.title, &url);
                    risks.push(PublicRisk {
                        url,
                        last_changed,
                        title: data.title.clone(),
                        public_summary: summary(&data.public_summary),
                        treatment: data.treatment,
                        status: data.status,
                    });
                }
                Visibility::Restricted => self.restrict(
                    RestrictedKind::Risk,
                    data.title.clone(),
                    &data.public_summary,
                ),
                Visibility::Internal => {}
            }
        }
        risks
    }

    /// The public documents with their URLs; restricted ones listed.
    fn published_documents(&mut self) -> Vec<(&'a Document, String)> {
        let mut published = Vec::new();
        for index in 0..self.site.documents.len() {
            let (document, shown) = as_published(self.site, index);
            let meta = &document.record.data;
            match shown {
                Visibility::Public => {
                    let url = urls::document(document.kind, &document.record.stem);
                    published.push((document, self.publish(&meta.id, url)));
                }
                Visibility::Restricted => self.restrict(
                    RestrictedKind::Document,
                    meta.title.clone(),
                    &meta.public_summary,
                ),
                Visibility::Internal => {}
            }
        }
        published
    }

    /// A hash of what a public body's links are resolved against besides its own text:
    /// which record each path holds, the page URL of each published record, and each
    /// published document's text (its public headings are what an anchor may name).
    fn links_environment(&self, published: &[(&Document, String)]) -> u64 {
        use crate::hash::stable_in_process as hash;
        let sum = |hashes: &mut dyn Iterator<Item = u64>| hashes.fold(0, u64::wrapping_add);
        let urls = sum(&mut self.urls.iter().map(|(id, url)| hash((id, url))));
        let texts = sum(&mut published.iter().map(|(document, _)| {
            let text = self.site.sources.get(document.record.file).hash();
            hash((&document.record.data.id, text))
        }));
        let records = crate::model::linked::records_by_path(self.site);
        hash((records, urls, texts))
    }

    /// Each public document with its public body, links and assets resolved; and the
    /// navigation links the documents ask for.
    fn documents(
        &mut self,
        published: Vec<(&Document, String)>,
        assets: &mut BTreeMap<String, PublicAsset>,
    ) -> (Vec<PublicDocument>, Vec<NavLink>) {
        // Bodies first: a link's anchor must name a heading of the *public* text it leads to.
        let site = self.site;
        let bodies: Vec<PublicText> = (published.par_iter())
            .map(|(document, _)| {
                let make = || {
                    let source = &site.sources.get(document.record.file).text;
                    let (markdown, outline) =
                        public_text(source, document.body_start, &document.outline);
                    let hash = crate::sources::hash_text(markdown.as_str());
                    PublicText {
                        markdown,
                        hash,
                        outline,
                    }
                };
                match self.kept {
                    Some(kept) => kept.text(site.sources.get(document.record.file).hash(), make),
                    None => make(),
                }
            })
            .collect();
        let anchors: HashMap<&str, &HashSet<String>> = (published.iter().zip(&bodies))
            .map(|((d, _), text)| (d.record.data.id.as_str(), &text.outline.anchors))
            .collect();
        let environment = self.kept.map(|_| self.links_environment(&published));
        let linking = Linking {
            resolver: std::sync::OnceLock::new(),
            site,
            assets: &self.assets,
            urls: &self.urls,
            anchors: &anchors,
        };
        let nav = nav_links(&published);
        // Each body's links resolved side by side, with the assets it uses; the assets
        // are then gathered in order.
        type Linked = (
            Arc<BTreeMap<String, Option<String>>>,
            BTreeMap<String, PublicAsset>,
        );
        let linked: Vec<Linked> = (published.par_iter().zip(&bodies))
            .map(|((document, url), text)| {
                let file = document.record.file;
                let key = environment.map(|environment| {
                    let path = site.sources.path(file).as_os_str().as_encoded_bytes();
                    let source_hash = site.sources.get(file).hash();
                    (environment, source_hash, xxhash_rust::xxh3::xxh3_64(path))
                });
                let known = (self.kept.zip(key.as_ref())).and_then(|(kept, key)| kept.links(key));
                if let Some(links) = known {
                    return (links, BTreeMap::new());
                }
                let mut used = BTreeMap::new();
                let (links, from_index_alone) = linking.links(file, &text.outline, url, &mut used);
                let links = Arc::new(links);
                if let (Some(kept), Some(key), true) = (self.kept, key, from_index_alone) {
                    kept.keep_links(key, Arc::clone(&links));
                }
                (links, used)
            })
            .collect();
        let mut documents = Vec::new();
        let each = published.into_iter().zip(bodies).zip(linked);
        for (((document, url), text), (links, used)) in each {
            for (
                at,
                PublicAsset {
                    path,
                    source,
                    used_by,
                },
            ) in used
            {
                let gathered = assets.entry(at).or_insert_with(|| PublicAsset {
                    path,
                    source,
                    used_by: BTreeSet::new(),
                });
                gathered.used_by.extend(used_by);
            }
            let meta = &document.record.data;
            self.dates.extend(meta.approved_on);
            self.dates.extend(meta.revisions.iter().map(|r| r.date));
            let last_changed = changed(
                self.site,
                &mut self.dates,
                &mut self.changes,
                document.record.file,
                &meta.title,
                &url,
            );
            documents.push(PublicDocument {
                last_changed,
                url,
                is_page: document.kind == crate::load::DocKind::Page,
                title: meta.title.clone(),
                doc_type: meta.doc_type,
                version: meta.version.clone(),
                effective_from: meta.effective_from,
                approved_on: meta.approved_on,
                next_review: meta.next_review,
                review_overdue: meta.next_review.is_some_and(|due| due < self.today),
                public_summary: summary(&meta.public_summary),
                revisions: (meta.revisions.iter())
                    .map(|r| PublicRevision {
                        version: r.version.clone(),
                        date: r.date,
                        summary: r.summary.clone(),
                    })
                    .collect(),
                controls: (meta.controls.iter())
                    .filter_map(|id| {
                        Some(ControlRef {
                            id: id.clone(),
                            title: self.catalogs.title(id),
                            url: self.urls.get(id)?.clone(),
                        })
                    })
                    .collect(),
                tags: meta.tags.clone(),
                body: PublicBody {
                    hash: text.hash,
                    markdown: text.markdown,
                    links,
                    anchors: text.outline.anchors.iter().cloned().collect(),
                },
            });
        }
        (documents, nav)
    }

    /// The public document that states the AI policy (clause 5.2), if one is published.
    fn ai_policy(&self) -> Option<DocumentRef> {
        // A policy only (`doc_type: policy`), which is public once approved: a page
        // (public without approval) titled "AI Policy", or an approved plan titled "Notes
        // on our AI policy", is not the organisation's approved AI policy. The one that
        // says it meets clause 5.2 first; else one titled so.
        let policies: Vec<&Document> = (0..self.site.documents.len())
            .map(|index| as_published(self.site, index))
            .filter(|(d, shown)| {
                *shown == Visibility::Public
                    && d.kind == crate::load::DocKind::Policy
                    && d.record.data.doc_type == crate::load::records::DocType::Policy
            })
            .map(|(document, _)| document)
            .collect();
        let states = |d: &Document| d.record.data.clauses.iter().any(|c| &**c == "5.2");
        let titled = |d: &Document| d.record.data.title.to_lowercase().contains("ai policy");
        let document = (policies.iter().find(|d| states(d)))
            .or_else(|| policies.iter().find(|d| titled(d)))?;
        let meta = &document.record.data;
        Some(DocumentRef {
            title: meta.title.clone(),
            url: self.urls.get(&meta.id)?.clone(),
            public_summary: summary(&meta.public_summary),
        })
    }

    /// Control status by objective, and the totals over every control record: each public
    /// control by its status, any other only as not published. Neither a status the site
    /// does not show nor whether it was assessed is in any count: less the statuses shown
    /// beside it, a count of them would tell them when they share one, and leaving such a
    /// count out would tell it too.
    fn objectives(
        &self,
        controls: &[PublicControl],
        show_totals: bool,
    ) -> (Vec<ObjectiveStatus>, Option<StatusCounts>) {
        let mut objectives: Vec<ObjectiveStatus> = Vec::new();
        let mut totals = StatusCounts::default();
        let public_by_id: HashMap<&str, &PublicControl> =
            controls.iter().map(|c| (c.id.as_str(), c)).collect();
        for record in self.sorted_controls() {
            let info = self.catalogs.info(&record.data.id);
            let public = public_by_id.get(record.data.id.as_str());
            let count = |counts: &mut StatusCounts| match public {
                Some(_) => counts.add(&record.data),
                None => counts.add_not_published(),
            };
            count(&mut totals);
            // Two catalogues may use the same objective id: keep them apart.
            let at = (objectives.iter())
                .position(|o| o.id == info.objective && o.framework == info.framework);
            let objective = match at {
                Some(at) => &mut objectives[at],
                None => {
                    objectives.push(ObjectiveStatus {
                        id: info.objective.clone(),
                        title: info.objective_title.clone(),
                        framework: info.framework.clone(),
                        totals: show_totals.then(StatusCounts::default),
                        controls: Vec::new(),
                    });
                    objectives.last_mut().expect("just pushed")
                }
            };
            if let Some(t) = objective.totals.as_mut() {
                count(t);
            }
            if let Some(control) = public {
                objective.controls.push((*control).clone());
            }
        }
        // An objective is shown for its public controls: its title may be a site's own,
        // itself internal, and a count of controls none of which is shown says nothing.
        objectives.retain(|o| !o.controls.is_empty());
        // Right after `init` no control is public: then the page claims nothing about
        // controls.
        let any_shown = totals.total > totals.not_published;
        let totals = (show_totals && any_shown).then_some(totals);
        (objectives, totals)
    }

    /// A certificate's number, validity and file are facts only of a certificate held:
    /// with any other status they would read as one.
    fn certifications(
        &self,
        config: &SiteConfig,
        assets: &mut BTreeMap<String, PublicAsset>,
    ) -> Vec<CertificationInfo> {
        (config.all_certifications())
            .filter_map(|(_, c)| self.certification(c, assets))
            .collect()
    }

    fn certification(
        &self,
        c: &crate::load::records::Certification,
        assets: &mut BTreeMap<String, PublicAsset>,
    ) -> Option<CertificationInfo> {
        let on_request = match c.visibility {
            Visibility::Internal => return None,
            Visibility::Restricted => true,
            Visibility::Public => false,
        };
        let held = c.status.held();
        let file = (c.certificate_file.as_deref())
            .filter(|_| held && !on_request)
            .and_then(inside_content)
            .and_then(|path| {
                let source = self.assets.public_file(&path).ok()?;
                Some(add_asset(assets, path, source, ""))
            });
        Some(CertificationInfo {
            standard: c.standard.clone(),
            status: c.status,
            certifier: c.certifier.clone(),
            // Restricted: the certificate, its number as its file, is sent on request.
            certificate_id: c.certificate_id.clone().filter(|_| held && !on_request),
            scope: c.scope.clone(),
            valid_until: c.valid_until.filter(|_| held),
            issued_on: c.issued_on.filter(|_| held),
            certificate_file: file,
            on_request,
        })
    }
}

/// The documents that asked for a place in the navigation (`nav: true`), by `order`, then
/// by title.
fn nav_links(published: &[(&Document, String)]) -> Vec<NavLink> {
    let mut nav: Vec<(i64, NavLink)> = (published.iter())
        .filter(|(d, _)| d.record.data.nav)
        .map(|(d, url)| {
            let meta = &d.record.data;
            let link = NavLink {
                title: meta.title.clone(),
                url: url.clone(),
            };
            (meta.order.unwrap_or(i64::MAX), link)
        })
        .collect();
    nav.sort_by(|(a, x), (b, y)| (a, &x.title).cmp(&(b, &y.title)));
    nav.into_iter().map(|(_, link)| link).collect()
}

/// Adds an asset (`path` under `content/`, really at `source`) used by the public `page`;
/// returns its output path.
fn add_asset(
    assets: &mut BTreeMap<String, PublicAsset>,
    path: std::path::PathBuf,
    source: std::path::PathBuf,
    page: &str,
) -> String {
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
    output
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
    /// Made at the first link resolved: a save may resolve none.
    resolver: std::sync::OnceLock<Resolver<'a>>,
    site: &'a Site,
    assets: &'a publish::Assets,
    /// Page URL of every published record, by id.
    urls: &'a HashMap<String, String>,
    /// Heading ids of each published document's public text.
    anchors: &'a HashMap<&'a str, &'a HashSet<String>>,
}

impl Linking<'_> {
    /// Where each relative link of a public body leads (see `PublicBody::links`); the
    /// public assets it uses are added to `assets`. Also whether every link was answered
    /// without the file system: none to an asset, to a file that did not load or to none.
    fn links(
        &self,
        file: crate::sources::FileId,
        outline: &Outline,
        page: &str,
        assets: &mut BTreeMap<String, PublicAsset>,
    ) -> (BTreeMap<String, Option<String>>, bool) {
        let resolver = self.resolver.get_or_init(|| Resolver::new(self.site));
        let mut links = BTreeMap::new();
        let mut from_index_alone = true;
        for link in &outline.links {
            let key = percent_decode(&link.dest);
            if links.contains_key(&key) || is_external(&link.dest) {
                continue;
            }
            let target = match resolver.resolve(file, &link.dest) {
                Ok(Some(resolved)) => {
                    let to_record = matches!(resolved.target, Target::Record(_) | Target::Home);
                    from_index_alone &= to_record;
                    self.target(resolved, page, assets)
                }
                _ => {
                    from_index_alone = false;
                    None
                }
            };
            links.insert(key, target);
        }
        (links, from_index_alone)
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
        Some(add_asset(assets, path, source, page))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// The public model of the good fixture site.
    fn model() -> PublicModel {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/good");
        let mut findings = Vec::new();
        let site = crate::load::load(&root, &mut findings).unwrap();
        let config = site.config.as_ref().unwrap().data.clone();
        build(&site, &config, Date::parse("2026-11-27").unwrap(), None)
    }

    #[test]
    fn only_public_records_get_pages_and_restricted_ones_a_title() {
        let model = model();
        let mut ids: Vec<&str> = model.urls.keys().map(String::as_str).collect();
        ids.sort();
        assert_eq!(
            ids,
            ["ACME-1", "PAGE-ABOUT", "POL-1", "POL-2", "SUP-1", "SYS-1"]
        );
        let restricted: Vec<&str> = model.restricted.iter().map(|r| r.title.as_str()).collect();
        assert_eq!(restricted.len(), 1, "{restricted:?}");
        assert!(matches!(model.restricted[0].kind, RestrictedKind::Control));
    }

    #[test]
    fn links_and_assets_are_decided_when_the_model_is_built() {
        let model = model();
        let policy = model
            .documents
            .iter()
            .find(|d| d.title == "AI Policy")
            .unwrap();
        let links = &policy.body.links;
        assert_eq!(
            links["other.md#data-retention"].as_deref(),
            Some("policies/other/index.html#data-retention")
        );
        assert_eq!(
            links["../assets/diagram.png"].as_deref(),
            Some("assets/diagram.png")
        );
        assert!(
            !links.contains_key("draft.md"),
            "a link inside an internal block is gone"
        );
        assert!(
            !policy.body.markdown.as_str().contains("Ask the"),
            "the internal block is gone"
        );
        let asset = &model.assets["assets/diagram.png"];
        assert!(asset.used_by.contains("policies/policy/"));
    }

    /// Bodies are linked side by side: an asset two public pages use lists both.
    #[test]
    fn an_asset_lists_every_public_page_that_uses_it() {
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/good");
        let dir = tempfile::tempdir().unwrap();
        fn copy(from: &Path, to: &Path) {
            std::fs::create_dir_all(to).unwrap();
            for entry in std::fs::read_dir(from).unwrap() {
                let path = entry.unwrap().path();
                let target = to.join(path.file_name().unwrap());
                match path.is_dir() {
                    true => copy(&path, &target),
                    false => drop(std::fs::copy(&path, &target).unwrap()),
                }
            }
        }
        copy(&fixture, dir.path());
        let other = dir.path().join("content/policies/other.md");
        let text = std::fs::read_to_string(&other).unwrap();
        std::fs::write(&other, text + "\n![again](../assets/diagram.png)\n").unwrap();
        let site = crate::load::load(dir.path(), &mut Vec::new()).unwrap();
        let config = site.config.as_ref().unwrap().data.clone();
        let model = build(&site, &config, Date::parse("2026-11-27").unwrap(), None);
        let used_by: Vec<&str> = (model.assets["assets/diagram.png"].used_by.iter())
            .map(String::as_str)
            .collect();
        assert_eq!(used_by, ["policies/other/", "policies/policy/"]);
    }

    #[test]
    fn totals_count_every_control_and_the_role_follows_the_public_systems() {
        let model = model();
        let totals = model.control_totals.as_ref().unwrap();
        assert_eq!(
            totals.total, 4,
            "internal controls are counted, never named"
        );
        assert!(
            model
                .ai_role
                .as_deref()
                .unwrap()
                .starts_with("Under the EU AI Act")
        );
    }
}
