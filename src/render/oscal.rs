//! The Statement of Applicability as OSCAL, for GRC tools that speak it: a system security
//! plan (`oscal/ssp.json`), the profile it imports (`oscal/profile.json`) and the catalogues
//! the profile selects from (`oscal/catalog-<framework>.json`), so that the chain an OSCAL
//! tool resolves is complete inside the handbook.
//!
//! A system security plan, not a component definition: an SoA states, for one organisation's
//! management system, which controls apply, why, and how far each is implemented, which is
//! what an SSP's control implementation records (a component definition describes what a
//! product could offer to others). OSCAL's implementation states are trustbook's five
//! statuses, word for word.
//!
//! Same sources, same bytes: identifiers are name-based (UUID version 5) and the date is
//! the commit's, not the build's.

use crate::hash::HashMap;
use crate::load::date::Date;
use crate::load::oscal::{NAMESPACE, is_token};
use crate::load::records::Catalog;
use crate::load::records::SiteConfig;
use crate::model::internal::{InternalControl, InternalModel, SoaRow};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

/// The OSCAL version the documents follow (and the tests validate against).
pub const OSCAL_VERSION: &str = "1.2.3";

/// What the OSCAL documents are made from: all they can read of the model, and so all
/// their key must cover (a save that changes a risk leaves them as they were).
#[derive(serde::Serialize)]
pub struct OscalSources<'m, 'a> {
    site: &'a SiteConfig,
    today: Date,
    soa: &'m [SoaRow],
    controls: &'m [InternalControl<'a>],
    catalogs: &'m [&'a Catalog],
    committed_at: Option<&'m str>,
}

impl<'m, 'a> OscalSources<'m, 'a> {
    pub fn of(model: &'m InternalModel<'a>) -> Self {
        OscalSources {
            site: model.site,
            today: model.today,
            soa: &model.soa,
            controls: &model.controls,
            catalogs: &model.catalogs,
            committed_at: model.committed_at.as_deref(),
        }
    }
}

/// Every OSCAL file of the handbook that `wanted` asks for (by path under the output
/// folder), with its path: `serve` keeps the others from the last build.
pub fn documents(
    model: &OscalSources,
    mut wanted: impl FnMut(&str) -> bool,
) -> Vec<(String, Vec<u8>)> {
    let export = Export::new(model);
    let mut files = Vec::new();
    let mut imports = Vec::new();
    let mut names: crate::hash::HashSet<String> = crate::hash::HashSet::default();
    for catalog in model.catalogs {
        // Two frameworks can make the same file name (`a b`, `a-b`), and some file
        // systems ignore case: number the later ones rather than overwrite.
        let stem = format!("catalog-{}", file_safe(&catalog.framework));
        let mut file = format!("{stem}.json");
        let mut n = 1;
        while !names.insert(file.to_lowercase()) {
            n += 1;
            file = format!("{stem}-{n}.json");
        }
        let selected: Vec<Value> = (catalog.controls.iter())
            .filter(|c| export.in_soa.contains_key(c.id.as_str()) && is_token(&c.id))
            .map(|c| json!(c.id))
            .collect();
        if selected.is_empty() {
            continue;
        }
        imports.push(json!({"href": file, "include-controls": [{"with-ids": selected}]}));
        if wanted(&path_of(&file)) {
            files.push(self::file(&file, export.catalog(catalog)));
        }
    }
    if wanted(&path_of("profile.json")) {
        let profile = json!({"profile": {
            "uuid": export.uuid("profile"),
            "metadata": export.metadata(format!("Controls of {}'s Statement of Applicability", model.site.organisation), None),
            "imports": imports,
        }});
        files.push(file("profile.json", profile));
    }
    if wanted(&path_of("ssp.json")) {
        files.push(file("ssp.json", Ssp(&export)));
    }
    files
}

/// A document's file: its path and its JSON. Each is written out as soon as it is made,
/// so that only one document's tree is held at a time (the SSP of a large site is tens
/// of MB as a tree, a few as text).
fn file(name: &str, value: impl serde::Serialize) -> (String, Vec<u8>) {
    let mut bytes = serde_json::to_vec_pretty(&value).expect("JSON values serialize");
    bytes.push(b'\n');
    (path_of(name), bytes)
}

fn path_of(name: &str) -> String {
    format!("oscal/{name}")
}

struct Export<'m, 'a> {
    model: &'m OscalSources<'m, 'a>,
    in_soa: HashMap<&'m str, &'m SoaRow>,
    controls: HashMap<&'m str, &'m InternalControl<'a>>,
    last_modified: String,
    version: String,
    /// Each owner's role id: made from the name, numbered when two names make one id.
    roles: BTreeMap<&'m str, String>,
}

impl<'m, 'a> Export<'m, 'a> {
    fn new(model: &'m OscalSources<'m, 'a>) -> Self {
        let mut roles: BTreeMap<&str, String> = BTreeMap::new();
        let mut taken = crate::hash::HashSet::default();
        for owner in model
            .soa
            .iter()
            .map(|r| r.owner.as_str())
            .filter(|o| !o.is_empty())
        {
            if roles.contains_key(owner) {
                continue;
            }
            let base = role_id(owner);
            let (mut id, mut n) = (base.clone(), 1);
            while !taken.insert(id.clone()) {
                n += 1;
                id = format!("{base}-{n}");
            }
            roles.insert(owner, id);
        }
        Export {
            roles,
            model,
            in_soa: model.soa.iter().map(|r| (r.id.as_str(), r)).collect(),
            controls: (model.controls.iter())
                .map(|c| (c.record.id.as_str(), c))
                .collect(),
            last_modified: (model.committed_at.map(str::to_string))
                .unwrap_or_else(|| format!("{}T00:00:00Z", model.today)),
            // The document's version is the day of the sources it was made from.
            version: (model.committed_at)
                .and_then(|at| at.get(..10))
                .map_or_else(|| model.today.to_string(), str::to_string),
        }
    }

    /// A UUID named by what it identifies, within this organisation's documents.
    fn uuid(&self, what: &str) -> String {
        let name = format!("{}\u{0}{what}", self.model.site.organisation);
        uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, name.as_bytes()).to_string()
    }

    fn metadata(&self, title: String, extra: Option<(&str, Value)>) -> Value {
        let mut metadata = json!({
            "title": title,
            "last-modified": self.last_modified,
            "version": self.version,
            "oscal-version": OSCAL_VERSION,
        });
        if let (Some((key, value)), Value::Object(map)) = (extra, &mut metadata) {
            map.insert(key.to_string(), value);
        }
        metadata
    }

    /// A catalogue as OSCAL: objectives as (nested) groups, controls inside them. The
    /// framework name travels as a property, so that importing it gives the same catalogue.
    fn catalog(&self, catalog: &Catalog) -> Value {
        let mut by_objective: BTreeMap<&str, Vec<Value>> = BTreeMap::new();
        let mut loose = Vec::new();
        let objective_ids: Vec<&str> = catalog.objectives.iter().map(|o| o.id.as_str()).collect();
        for control in catalog.controls.iter().filter(|c| is_token(&c.id)) {
            let value = json!({"id": control.id, "title": control.title});
            if objective_ids.contains(&control.objective.as_str()) {
                by_objective
                    .entry(&control.objective)
                    .or_default()
                    .push(value);
            } else {
                loose.push(value);
            }
        }
        let groups = groups_under(catalog, None, &mut by_objective);
        let framework = json!([{"name": "framework", "ns": NAMESPACE, "value": catalog.framework}]);
        let mut body = Map::new();
        body.insert(
            "uuid".into(),
            self.uuid(&format!("catalog\u{0}{}", catalog.framework))
                .into(),
        );
        body.insert(
            "metadata".into(),
            self.metadata(catalog.name.clone(), Some(("props", framework))),
        );
        insert_nonempty(&mut body, "controls", loose);
        insert_nonempty(&mut body, "groups", groups);
        json!({"catalog": body})
    }

    /// The plan without its requirements (`Ssp` writes them one by one into
    /// `control-implementation`, which must then be the only key this leaves out).
    fn ssp_without_requirements(&self) -> Map<String, Value> {
        let site = self.model.site;
        let organisation = &site.organisation;
        let roles: Vec<Value> = (self.roles.iter())
            .map(|(owner, id)| json!({"id": id, "title": owner}))
            .collect();
        let scope = (site.certification.as_ref())
            .and_then(|c| c.scope.clone())
            .unwrap_or_else(|| {
                format!("The AI management system of {organisation}, as its handbook describes it.")
            });
        let description = site.description.clone().unwrap_or_else(|| {
            format!("The AI management system (ISO/IEC 42001) of {organisation}.")
        });
        let title = format!("Statement of Applicability: {organisation}");
        let metadata = if roles.is_empty() {
            self.metadata(title, None)
        } else {
            self.metadata(title, Some(("roles", Value::Array(roles))))
        };
        let plan = json!({
            "uuid": self.uuid("ssp"),
            "metadata": metadata,
            "import-profile": {"href": "profile.json"},
            "system-characteristics": {
                "system-ids": [{"id": self.uuid("system")}],
                "system-name": format!("{organisation} AI management system"),
                "description": description,
                "system-information": {"information-types": [{
                    "uuid": self.uuid("information-type"),
                    "title": "AI governance records",
                    "description": "The policies, AI systems, risks, controls and evidence of the AI management system.",
                }]},
                "status": {"state": "operational"},
                "authorization-boundary": {"description": scope},
            },
            "system-implementation": {"components": [{
                "uuid": self.uuid("component"),
                "type": "this-system",
                "title": format!("{organisation} AI management system"),
                "description": description,
                "status": {"state": "operational"},
            }]},
        });
        match plan {
            Value::Object(plan) => plan,
            _ => unreachable!("made as an object just above"),
        }
    }

    /// One SoA row. A control with no record, or whose justification is still a
    /// placeholder, gets no implementation state: that would be a claim nobody made.
    fn requirement(&self, row: &SoaRow, component: &str) -> Value {
        let mut requirement = Map::new();
        requirement.insert(
            "uuid".into(),
            self.uuid(&format!("requirement\u{0}{}", row.id)).into(),
        );
        requirement.insert("control-id".into(), row.id.clone().into());
        let Some(control) = self.controls.get(row.id.as_str()) else {
            requirement.insert("remarks".into(), "No record: not yet assessed.".into());
            return Value::Object(requirement);
        };
        let record = control.record;
        let mut props = vec![prop(
            "applicable",
            if record.applicable { "yes" } else { "no" },
        )];
        props.extend(
            record
                .last_reviewed
                .map(|d| prop("last-reviewed", &d.to_string())),
        );
        props.extend(
            record
                .next_review
                .map(|d| prop("next-review", &d.to_string())),
        );
        requirement.insert("props".into(), Value::Array(props));
        let links: Vec<Value> = record
            .evidence
            .iter()
            .filter_map(|e| {
                let href = match (&e.path, &e.url) {
                    (Some(path), _) => format!("../files/{}", encode_path(path)),
                    (None, Some(url))
                        if url.starts_with("https://") || url.starts_with("http://") =>
                    {
                        url.clone()
                    }
                    _ => return None,
                };
                let mut text = e.title.clone();
                if let Some(expires) = e.expires_on {
                    let word = if control.expired_evidence.contains(&e.title) {
                        "expired"
                    } else {
                        "expires"
                    };
                    text.push_str(&format!(" ({word} {expires})"));
                }
                Some(json!({"href": href, "rel": "evidence", "text": text}))
            })
            .collect();
        insert_nonempty(&mut requirement, "links", links);
        if !row.owner.is_empty() {
            requirement.insert(
                "responsible-roles".into(),
                json!([{"role-id": self.roles[row.owner.as_str()]}]),
            );
        }
        let mut by_component = Map::new();
        by_component.insert("component-uuid".into(), component.into());
        by_component.insert(
            "uuid".into(),
            self.uuid(&format!("by-component\u{0}{}", row.id)).into(),
        );
        if row.assessed {
            let state = if record.applicable {
                crate::model::internal::serde_plain(&record.status)
            } else {
                "not-applicable".to_string()
            };
            let description = (record.implementation.clone())
                .or_else(|| record.justification.clone())
                .unwrap_or_default();
            by_component.insert("description".into(), description.into());
            by_component.insert(
                "implementation-status".into(),
                json!({"state": state, "remarks": row.justification}),
            );
        } else {
            by_component.insert("description".into(), "Not yet assessed.".into());
        }
        requirement.insert("by-components".into(), json!([by_component]));
        Value::Object(requirement)
    }
}

/// The system security plan, written as it is made: each requirement's tree (a few KB,
/// 5,000 of them at N = 10,000) is made, written and let go, rather than the whole plan
/// held as one tree (tens of MB, held while the handbook's pages render). The bytes are
/// the tree's: keys in its order (sorted), the same values.
struct Ssp<'e, 'm, 'a>(&'e Export<'m, 'a>);

impl serde::Serialize for Ssp<'_, '_, '_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut document = serializer.serialize_map(Some(1))?;
        document.serialize_entry("system-security-plan", &Plan(self.0))?;
        document.end()
    }
}

struct Plan<'e, 'm, 'a>(&'e Export<'m, 'a>);

impl serde::Serialize for Plan<'_, '_, '_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        const KEY: &str = "control-implementation";
        let rest = self.0.ssp_without_requirements();
        let mut plan = serializer.serialize_map(Some(rest.len() + 1))?;
        // In the tree's order: the requirements' key among the others, sorted.
        let (before, after): (Vec<_>, Vec<_>) =
            rest.iter().partition(|(key, _)| key.as_str() < KEY);
        for (key, value) in before {
            plan.serialize_entry(key, value)?;
        }
        plan.serialize_entry(KEY, &ControlImplementation(self.0))?;
        for (key, value) in after {
            plan.serialize_entry(key, value)?;
        }
        plan.end()
    }
}

struct ControlImplementation<'e, 'm, 'a>(&'e Export<'m, 'a>);

impl serde::Serialize for ControlImplementation<'_, '_, '_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let organisation = &self.0.model.site.organisation;
        let mut implementation = serializer.serialize_map(Some(2))?;
        implementation.serialize_entry(
            "description",
            &format!("{organisation}'s Statement of Applicability: for each control, whether it applies, why, and how far it is implemented."),
        )?;
        implementation.serialize_entry("implemented-requirements", &Requirements(self.0))?;
        implementation.end()
    }
}

struct Requirements<'e, 'm, 'a>(&'e Export<'m, 'a>);

impl serde::Serialize for Requirements<'_, '_, '_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let export = self.0;
        let component = export.uuid("component");
        let rows = || (export.model.soa.iter()).filter(|row| is_token(&row.id));
        let mut requirements = serializer.serialize_seq(Some(rows().count()))?;
        for row in rows() {
            requirements.serialize_element(&export.requirement(row, &component))?;
        }
        requirements.end()
    }
}

/// The groups whose parent is `parent`, each with its controls and its own groups.
fn groups_under(
    catalog: &Catalog,
    parent: Option<&str>,
    by_objective: &mut BTreeMap<&str, Vec<Value>>,
) -> Vec<Value> {
    let mut groups = Vec::new();
    for objective in (catalog.objectives.iter()).filter(|o| o.parent.as_deref() == parent) {
        let mut group = Map::new();
        if is_token(&objective.id) {
            group.insert("id".into(), objective.id.clone().into());
        }
        group.insert("title".into(), objective.title.clone().into());
        let controls = by_objective
            .remove(objective.id.as_str())
            .unwrap_or_default();
        insert_nonempty(&mut group, "controls", controls);
        let children = groups_under(catalog, Some(&objective.id), by_objective);
        insert_nonempty(&mut group, "groups", children);
        groups.push(Value::Object(group));
    }
    groups
}

/// OSCAL forbids empty lists: a key is written only when it has items.
fn insert_nonempty(map: &mut Map<String, Value>, key: &str, items: Vec<Value>) {
    if !items.is_empty() {
        map.insert(key.to_string(), Value::Array(items));
    }
}

fn prop(name: &str, value: &str) -> Value {
    json!({"name": name, "ns": NAMESPACE, "value": value})
}

/// An owner's name as an OSCAL role id: `Head of Support` is `owner-head-of-support`.
fn role_id(owner: &str) -> String {
    let mut id = String::from("owner");
    for word in owner
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        id.push('-');
        id.push_str(&word.to_lowercase());
    }
    id
}

/// A path under `files/` as a URL path: each segment percent-encoded, slashes kept.
fn encode_path(path: &str) -> String {
    const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~')
        .remove(b'/');
    percent_encoding::utf8_percent_encode(path, SEGMENT).to_string()
}

fn file_safe(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '-'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_and_role_ids() {
        assert!(is_token("A.6.2.6") && is_token("ac-2.1") && is_token("_x"));
        assert!(!is_token("6.1") && !is_token("") && !is_token("a:b") && !is_token("a b"));
        assert_eq!(
            role_id("Head of Customer Support"),
            "owner-head-of-customer-support"
        );
        assert!(is_token(&role_id("Ünïcode Owner, R&D")));
    }
}
