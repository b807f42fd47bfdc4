//! The ISO/IEC 42001 journey as pages, computed from the records: gap analysis, a
//! prioritised roadmap, who owns what, the regulation map, and the management review pack.
//! Internal only: nothing here is in the public model.

use super::internal::{
    CalendarEntry, InternalControl, InternalModel, InternalRisk, Ref, RefTo, risk_ref,
};
use crate::hash::HashMap;
use crate::hash::HashMapExt;
use crate::kind::Kind;
use crate::load::Site;
use crate::load::date::Date;
use crate::load::records::ControlStatus;
use chrono::Datelike;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Default, Serialize)]
pub struct Journey {
    pub gaps: Vec<GapObjective>,
    pub gap_count: usize,
    /// Gaps met another way (assessed `alternative`).
    pub gap_alternative: usize,
    /// Gaps not yet assessed: the status their record gives claims nothing.
    pub gap_not_assessed: usize,
    /// Catalogue controls with no record (only those of catalogues not in `frameworks`,
    /// since `check` refuses the others).
    pub unrecorded: Vec<Ref>,
    pub roadmap: Vec<RoadmapItem>,
    pub quarters: Vec<Quarter>,
    pub roles: Vec<Role>,
    pub regulations: Vec<Regulation>,
    pub systems_by_class: Vec<SystemGroup>,
}

#[derive(Clone, Serialize)]
pub struct GapItem {
    pub control: Ref,
    pub status: ControlStatus,
    /// Whether its justification is written (`publish::is_assessed`): if not, `status`
    /// claims nothing, and pages say "not yet assessed".
    pub assessed: bool,
    pub owner: String,
    pub target_date: Option<Date>,
    pub overdue: bool,
    pub risks: Vec<Ref>,
}

#[derive(Serialize)]
pub struct GapObjective {
    pub objective: String,
    pub title: String,
    pub applicable: usize,
    pub implemented: usize,
    pub items: Vec<GapItem>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct RoadmapItem {
    pub control: Ref,
    pub status: ControlStatus,
    /// Whether its justification is written (`publish::is_assessed`): if not, `status`
    /// claims nothing, and pages say "not yet assessed".
    pub assessed: bool,
    pub owner: String,
    pub target_date: Option<Date>,
    pub overdue: bool,
    /// The highest inherent score (likelihood × impact) among the risks that name it.
    pub risk_score: u16,
    pub top_risk: Option<Ref>,
    pub quarter: String,
}

#[derive(Serialize)]
pub struct Quarter {
    pub name: String,
    pub items: Vec<RoadmapItem>,
}

#[derive(Default, Serialize)]
pub struct Role {
    pub name: String,
    pub controls: Vec<Ref>,
    pub documents: Vec<Ref>,
    pub systems: Vec<Ref>,
    pub risks: Vec<Ref>,
    pub suppliers: Vec<Ref>,
    pub objectives: Vec<Ref>,
    pub actions: Vec<Ref>,
    pub parties: Vec<Ref>,
    /// Reviews, targets and evidence expiry of what the role owns, overdue or due soon.
    pub due: Vec<DueItem>,
    pub overdue: usize,
}

#[derive(Clone, Serialize)]
pub struct DueItem {
    pub date: Date,
    pub what: crate::schedule::Due,
    pub item: Ref,
    pub state: crate::schedule::DueState,
}

#[derive(Serialize)]
pub struct Regulation {
    pub framework: String,
    pub references: Vec<RegulationRef>,
}

#[derive(Serialize)]
pub struct RegulationRef {
    pub reference: String,
    /// The reference's title, when its framework's catalogue is loaded (OSCAL or YAML).
    pub title: Option<String>,
    pub controls: Vec<Ref>,
}

#[derive(Serialize)]
pub struct SystemGroup {
    pub risk_class: String,
    pub systems: Vec<(Ref, String)>,
}

/// The roadmap's order: highest inherent risk first; then the earliest target date, with
/// controls that have none after those that do; then by id, so ties are stable.
pub fn roadmap_order(items: &mut [RoadmapItem]) {
    items.sort_by(|a, b| {
        b.risk_score
            .cmp(&a.risk_score)
            .then_with(|| match (a.target_date, b.target_date) {
                (Some(x), Some(y)) => x.cmp(&y),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            })
            .then_with(|| a.control.id.cmp(&b.control.id))
    });
}

fn quarter(date: Option<Date>) -> String {
    match date {
        Some(d) => format!("{} Q{}", d.0.year(), (d.0.month() - 1) / 3 + 1),
        None => "No target date".to_string(),
    }
}

fn control_ref(c: &InternalControl) -> Ref {
    Ref::from(RefTo {
        kind: Kind::Control,
        id: c.record.id.clone(),
        title: c.info.title.clone(),
        url: c.url.clone(),
    })
}

/// The risks linked to a control, in either direction (the risk lists the control, or
/// the control lists the risk), highest score first.
fn risks_of<'m>(control: &InternalControl, risks: &RiskIndex<'m>) -> Vec<&'m InternalRisk<'m>> {
    let id = control.record.id.as_str();
    let listing = risks.by_control.get(id).into_iter().flatten();
    let listed = (control.record.risks.iter()).filter_map(|r| risks.by_id.get(r.as_str()));
    let mut linked: Vec<&InternalRisk> = listing.chain(listed).copied().collect();
    linked.sort_by(|a, b| a.record.id.cmp(&b.record.id));
    linked.dedup_by(|a, b| a.record.id == b.record.id);
    linked.sort_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then_with(|| a.record.id.cmp(&b.record.id))
    });
    linked
}

/// Risks by id, and by the controls they list: looked up per control, not scanned.
struct RiskIndex<'m> {
    by_id: HashMap<&'m str, &'m InternalRisk<'m>>,
    by_control: HashMap<&'m str, Vec<&'m InternalRisk<'m>>>,
}

impl<'m> RiskIndex<'m> {
    fn new(risks: &'m [InternalRisk<'m>]) -> Self {
        let mut by_control: HashMap<&str, Vec<&InternalRisk>> = HashMap::new();
        for risk in risks {
            for control in &risk.record.controls {
                by_control.entry(control.as_str()).or_default().push(risk);
            }
        }
        RiskIndex {
            by_id: risks.iter().map(|r| (r.record.id.as_str(), r)).collect(),
            by_control,
        }
    }
}

pub fn build(model: &InternalModel, site: &Site) -> Journey {
    let today = model.today;
    let mut journey = Journey::default();
    let risk_index = RiskIndex::new(&model.risks);

    // Gap analysis: applicable controls not yet implemented, by objective.
    for control in &model.controls {
        let record = control.record;
        if !record.applicable {
            continue;
        }
        let objective = match journey
            .gaps
            .iter_mut()
            .find(|g| g.objective == control.info.objective)
        {
            Some(objective) => objective,
            None => {
                journey.gaps.push(GapObjective {
                    objective: control.info.objective.clone(),
                    title: control.info.objective_title.clone(),
                    applicable: 0,
                    implemented: 0,
                    items: Vec::new(),
                });
                journey.gaps.last_mut().expect("just pushed")
            }
        };
        objective.applicable += 1;
        let assessed = crate::publish::is_assessed(&record);
        if record.status == ControlStatus::Implemented && assessed {
            objective.implemented += 1;
            continue;
        }
        journey.gap_not_assessed += usize::from(!assessed);
        journey.gap_alternative +=
            usize::from(assessed && record.status == ControlStatus::Alternative);
        let risks = risks_of(control, &risk_index);
        objective.items.push(GapItem {
            control: control_ref(control),
            status: record.status,
            assessed,
            owner: record.owner.clone().unwrap_or_default(),
            target_date: record.target_date,
            overdue: record.target_date.is_some_and(|d| d < today),
            risks: risks.iter().map(|r| risk_ref(r)).collect(),
        });
        if matches!(
            record.status,
            ControlStatus::Planned | ControlStatus::Partial
        ) {
            journey.roadmap.push(RoadmapItem {
                control: control_ref(control),
                status: record.status,
                assessed,
                owner: record.owner.clone().unwrap_or_default(),
                target_date: record.target_date,
                overdue: record.target_date.is_some_and(|d| d < today),
                risk_score: risks.first().map_or(0, |r| r.score),
                top_risk: risks.first().map(|r| risk_ref(r)),
                quarter: quarter(record.target_date),
            });
        }
    }
    journey.gap_count = journey.gaps.iter().map(|g| g.items.len()).sum();
    let recorded: crate::hash::HashSet<&str> = (model.controls.iter())
        .map(|c| c.record.id.as_str())
        .collect();
    // A catalogue that controls only map to (none of its own controls recorded) is a
    // reference, not a framework being adopted: its controls are no gaps.
    let mapped_to: crate::hash::HashSet<&str> = (model.controls.iter())
        .flat_map(|c| c.record.mappings.iter().map(|m| m.framework.as_str()))
        .collect();
    let adopted = |c: &&crate::load::LoadedCatalog| {
        !mapped_to.contains(c.catalog.framework.as_str())
            || (c.catalog.controls.iter()).any(|k| recorded.contains(k.id.as_str()))
    };
    journey.unrecorded = site
        .catalogs
        .iter()
        .filter(adopted)
        .flat_map(|c| c.catalog.controls.iter())
        .filter(|k| !recorded.contains(k.id.as_str()))
        .map(|k| {
            Ref::from(RefTo {
                kind: Kind::Control,
                id: k.id.clone(),
                title: k.title.clone(),
                url: String::new(),
            })
        })
        .collect();

    roadmap_order(&mut journey.roadmap);
    let mut by_quarter: BTreeMap<(bool, String), Vec<RoadmapItem>> = BTreeMap::new();
    for item in &journey.roadmap {
        by_quarter
            .entry((item.target_date.is_none(), item.quarter.clone()))
            .or_default()
            .push(item.clone());
    }
    journey.quarters = by_quarter
        .into_iter()
        .map(|((_, name), items)| Quarter { name, items })
        .collect();

    journey.roles = roles(model);
    journey.regulations = regulations(model, site);
    journey.systems_by_class = systems_by_class(model);
    journey
}

fn roles(model: &InternalModel) -> Vec<Role> {
    let mut roles: BTreeMap<String, Role> = BTreeMap::new();
    let mut role = |name: &Option<String>| -> Option<String> {
        let name = name.as_deref().map(str::trim).filter(|n| !n.is_empty())?;
        roles.entry(name.to_string()).or_insert_with(|| Role {
            name: name.to_string(),
            ..Role::default()
        });
        Some(name.to_string())
    };
    let mut owned: Vec<(String, Ref)> = Vec::new();
    for c in &model.controls {
        if let Some(name) = role(&c.record.owner) {
            owned.push((name, control_ref(c)));
        }
    }
    for d in &model.documents {
        if let Some(name) = role(&d.meta.owner) {
            let kind = if d.is_page { Kind::Page } else { Kind::Policy };
            owned.push((
                name,
                Ref::from(RefTo {
                    kind,
                    id: d.meta.id.clone(),
                    title: d.meta.title.clone(),
                    url: d.url.clone(),
                }),
            ));
        }
    }
    for s in &model.systems {
        if let Some(name) = role(&Some(s.record.owner.clone())) {
            owned.push((
                name,
                Ref::from(RefTo {
                    kind: Kind::System,
                    id: s.record.id.clone(),
                    title: s.record.name.clone(),
                    url: s.url.clone(),
                }),
            ));
        }
    }
    for r in &model.risks {
        if let Some(name) = role(&Some(r.record.owner.clone())) {
            owned.push((name, risk_ref(r)));
        }
    }
    for s in &model.suppliers {
        if let Some(name) = role(&s.record.owner) {
            owned.push((
                name,
                Ref::from(RefTo {
                    kind: Kind::Supplier,
                    id: s.record.id.clone(),
                    title: s.record.name.clone(),
                    url: s.url.clone(),
                }),
            ));
        }
    }
    // Looked up once per owned item: a scan per item was quadratic on large sites.
    // (Ids are unique across kinds: the calendar's items come from one map by id.)
    let mut due_by_item: HashMap<&str, Vec<&CalendarEntry>> = HashMap::new();
    for entry in model
        .calendar
        .iter()
        .filter(|e| e.state != crate::schedule::DueState::Scheduled)
    {
        due_by_item.entry(&entry.item.id).or_default().push(entry);
    }
    for (name, item) in owned {
        let Some(role) = roles.get_mut(&name) else {
            continue;
        };
        let due = due_by_item
            .get(item.id.as_str())
            .map_or(&[][..], Vec::as_slice);
        for entry in due {
            role.overdue += usize::from(entry.state == crate::schedule::DueState::Overdue);
            role.due.push(DueItem {
                date: entry.date,
                what: entry.what,
                item: entry.item.clone(),
                state: entry.state,
            });
        }
        match item.kind {
            Kind::Control => role.controls.push(item),
            Kind::System => role.systems.push(item),
            Kind::Risk => role.risks.push(item),
            Kind::Supplier => role.suppliers.push(item),
            Kind::Objective => role.objectives.push(item),
            // Audits have auditors, not owners: none is listed under a role.
            Kind::Action | Kind::Audit | Kind::Assessment => role.actions.push(item),
            Kind::Party => role.parties.push(item),
            // Held by the organisation, with no owner field: under no role.
            Kind::Certification => {}
            Kind::Policy | Kind::Page => role.documents.push(item),
        }
    }
    let mut roles: Vec<Role> = roles.into_values().collect();
    for role in &mut roles {
        role.due.sort_by_key(|d| d.date);
    }
    roles
}

/// `Art. 9` before `Art. 10`: compare the digits in references as numbers.
fn natural_key(text: &str) -> Vec<(String, u64)> {
    let mut key = Vec::new();
    let mut word = String::new();
    let mut digits = String::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_digit() {
            digits.push(c);
        } else {
            if !digits.is_empty() || !word.is_empty() {
                key.push((std::mem::take(&mut word), digits.parse().unwrap_or(0)));
                digits.clear();
            }
            word.push(c);
        }
    }
    key
}

fn regulations(model: &InternalModel, site: &Site) -> Vec<Regulation> {
    let mut map: BTreeMap<String, BTreeMap<String, Vec<Ref>>> = BTreeMap::new();
    for c in &model.controls {
        for mapping in &c.record.mappings {
            map.entry(mapping.framework.clone())
                .or_default()
                .entry(mapping.reference.to_string())
                .or_default()
                .push(control_ref(c));
        }
    }
    map.into_iter()
        .map(|(framework, references)| {
            let mut references: Vec<RegulationRef> = references
                .into_iter()
                .map(|(reference, controls)| RegulationRef {
                    title: (site.catalogs.iter())
                        .filter(|c| c.catalog.framework == framework)
                        .flat_map(|c| &c.catalog.controls)
                        .find(|k| k.id == reference)
                        .map(|k| k.title.clone()),
                    reference,
                    controls,
                })
                .collect();
            references.sort_by_key(|r| natural_key(&r.reference));
            Regulation {
                framework,
                references,
            }
        })
        .collect()
}

fn systems_by_class(model: &InternalModel) -> Vec<SystemGroup> {
    let order = ["high", "gpai", "limited", "minimal", "not-in-scope"];
    order
        .iter()
        .filter_map(|class| {
            let systems: Vec<(Ref, String)> = model
                .systems
                .iter()
                .filter(|s| super::internal::serde_plain(&s.record.risk_class) == *class)
                .map(|s| {
                    let r = Ref::from(RefTo {
                        kind: Kind::System,
                        id: s.record.id.clone(),
                        title: s.record.name.clone(),
                        url: s.url.clone(),
                    });
                    (r, super::internal::serde_plain(&s.record.role))
                })
                .collect();
            (!systems.is_empty()).then(|| SystemGroup {
                risk_class: class.to_string(),
                systems,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(id: &str, score: u16, date: Option<&str>) -> RoadmapItem {
        RoadmapItem {
            control: Ref::from(RefTo {
                kind: Kind::Control,
                id: id.into(),
                title: String::new(),
                url: String::new(),
            }),
            status: ControlStatus::Planned,
            assessed: true,
            owner: String::new(),
            target_date: date.map(|d| Date::parse(d).unwrap()),
            overdue: false,
            risk_score: score,
            top_risk: None,
            quarter: String::new(),
        }
    }

    #[test]
    fn roadmap_order_is_risk_then_date_then_id() {
        let mut items = vec![
            item("C-no-date", 12, None),
            item("C-late", 12, Some("2027-06-01")),
            item("B-early", 12, Some("2027-01-01")),
            item("A-early", 12, Some("2027-01-01")),
            item("Z-top", 20, None),
            item("Y-none", 0, Some("2026-01-01")),
        ];
        roadmap_order(&mut items);
        let ids: Vec<&str> = items.iter().map(|i| i.control.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "Z-top",
                "A-early",
                "B-early",
                "C-late",
                "C-no-date",
                "Y-none"
            ]
        );
    }

    #[test]
    fn quarters_and_natural_order() {
        assert_eq!(quarter(Some(Date::parse("2027-05-31").unwrap())), "2027 Q2");
        assert_eq!(quarter(None), "No target date");
        let mut refs = vec!["Art. 26(5)", "Art. 10", "Art. 9", "Art. 26"];
        refs.sort_by_key(|r| natural_key(r));
        assert_eq!(refs, ["Art. 9", "Art. 10", "Art. 26", "Art. 26(5)"]);
    }
}
