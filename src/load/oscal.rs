//! OSCAL catalogues (NIST's Open Security Controls Assessment Language, JSON or YAML) read
//! as trustbook catalogues: groups become objectives, controls and their enhancements
//! become control ids and titles. Only ids and titles are read; prose stays in the file.

use super::records::{Catalog, CatalogControl, Objective};
use super::yaml::Positions;
use serde::Deserialize;

/// The namespace of the properties trustbook writes into the OSCAL it exports, so that a
/// catalogue it wrote reads back under the same framework name.
pub const NAMESPACE: &str = "urn:trustbook:oscal";

/// An OSCAL document with a catalogue at its root. OSCAL has many more fields; the ones
/// not named here are not read (and not errors: they are OSCAL's, not typos).
#[derive(Clone, Debug, Deserialize)]
pub struct OscalFile {
    pub catalog: OscalCatalog,
}

impl OscalFile {
    pub const REQUIRED: &[&str] = &["catalog"];
}

#[derive(Clone, Debug, Deserialize)]
pub struct OscalCatalog {
    metadata: Metadata,
    #[serde(default)]
    groups: Vec<Group>,
    #[serde(default)]
    controls: Vec<Control>,
}

#[derive(Clone, Debug, Deserialize)]
struct Metadata {
    title: String,
    #[serde(default)]
    props: Vec<Property>,
}

#[derive(Clone, Debug, Deserialize)]
struct Property {
    name: String,
    value: String,
    ns: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
struct Group {
    id: Option<String>,
    title: String,
    #[serde(default)]
    groups: Vec<Group>,
    #[serde(default)]
    controls: Vec<Control>,
}

#[derive(Clone, Debug, Deserialize)]
struct Control {
    id: String,
    title: String,
    #[serde(default)]
    props: Vec<Property>,
    #[serde(default)]
    controls: Vec<Control>,
}

/// Whether a catalogue file is OSCAL rather than trustbook's own form: JSON, or YAML with
/// OSCAL's `catalog:` root (trustbook's form has no such field).
pub fn is_oscal(text: &str) -> bool {
    let first = text
        .lines()
        .map(str::trim_start)
        .find(|line| !line.is_empty() && !line.starts_with('#'));
    first.is_some_and(|line| line.starts_with('{'))
        || text
            .lines()
            .any(|line| line.starts_with("catalog:") || line.starts_with("\"catalog\":"))
}

/// The catalogue an OSCAL file describes, with positions renamed to the paths of
/// trustbook's form (`controls.3.id`), so that `check` points into the OSCAL file.
///
/// The framework name is the one trustbook wrote when it exported the catalogue, or else
/// the file's name (`nist-800-53.json` is `nist-800-53`). Withdrawn controls are left out:
/// nobody can implement them. Controls outside any group get an objective named after the
/// framework.
pub fn catalog_of(file: &OscalFile, stem: &str, positions: &Positions) -> (Catalog, Positions) {
    let oscal = &file.catalog;
    let framework = (oscal.metadata.props.iter())
        .find(|p| p.name == "framework" && p.ns.as_deref() == Some(NAMESPACE))
        .map_or_else(|| stem.to_string(), |p| p.value.clone());
    let mut into = Reading {
        catalog: Catalog {
            framework: framework.clone(),
            name: oscal.metadata.title.clone(),
            objectives: Vec::new(),
            controls: Vec::new(),
        },
        renamed: vec![
            (String::new(), String::new()),
            ("framework".into(), "catalog.metadata.title".into()),
        ],
    };
    into.groups(&oscal.groups, "catalog", None);
    if oscal.controls.iter().any(|c| !is_withdrawn(c)) {
        // Named after the framework, unless a group already has that name.
        let taken = |id: &str| into.catalog.objectives.iter().any(|o| o.id == id);
        let mut id = framework.clone();
        if taken(&id) {
            id = format!("{framework}-ungrouped");
        }
        into.catalog.objectives.push(Objective {
            id: id.clone(),
            title: oscal.metadata.title.clone(),
            parent: None,
        });
        into.controls(&oscal.controls, "catalog", (&id, "catalog.metadata.title"));
    }
    let renamed = positions.renamed(&into.renamed);
    (into.catalog, renamed)
}

struct Reading {
    catalog: Catalog,
    /// (trustbook's path, the OSCAL file's path) for every field `check` may point at.
    renamed: Vec<(String, String)>,
}

impl Reading {
    fn groups(&mut self, groups: &[Group], parent_path: &str, parent: Option<&str>) {
        for (i, group) in groups.iter().enumerate() {
            let path = format!("{parent_path}.groups.{i}");
            // OSCAL lets a group go without an id; its title then stands in for one.
            let id = group.id.clone().unwrap_or_else(|| group.title.clone());
            self.catalog.objectives.push(Objective {
                id: id.clone(),
                title: group.title.clone(),
                parent: parent.map(str::to_string),
            });
            let id_path = format!("{path}.{}", if group.id.is_some() { "id" } else { "title" });
            let n = self.catalog.objectives.len() - 1;
            self.renamed
                .push((format!("objectives.{n}.id"), id_path.clone()));
            self.controls(&group.controls, &path, (&id, &id_path));
            self.groups(&group.groups, &path, Some(&id));
        }
    }

    fn controls(&mut self, controls: &[Control], parent_path: &str, objective: (&str, &str)) {
        for (i, control) in controls.iter().enumerate() {
            if is_withdrawn(control) {
                continue;
            }
            let path = format!("{parent_path}.controls.{i}");
            let n = self.catalog.controls.len();
            self.catalog.controls.push(CatalogControl {
                id: control.id.clone(),
                objective: objective.0.to_string(),
                title: control.title.clone(),
            });
            self.renamed
                .push((format!("controls.{n}.id"), format!("{path}.id")));
            self.renamed
                .push((format!("controls.{n}.objective"), objective.1.to_string()));
            // Enhancements (NIST's `ac-2.1`) are controls of their own, in the same group.
            self.controls(&control.controls, &path, objective);
        }
    }
}

/// Whether `id` is an OSCAL token (an XML name without colons), as control ids must be.
pub fn is_token(id: &str) -> bool {
    let mut chars = id.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

fn is_withdrawn(control: &Control) -> bool {
    (control.props.iter()).any(|p| p.name == "status" && p.value == "withdrawn")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::yaml::{Origin, parse};

    fn read(text: &str) -> (Catalog, Positions) {
        let origin = Origin {
            file: 0,
            base: 0,
            text,
        };
        let mut findings = Vec::new();
        let parsed = parse::<OscalFile>(&origin, OscalFile::REQUIRED, &mut findings);
        assert!(findings.is_empty(), "{findings:?}");
        catalog_of(&parsed.data.unwrap(), "nist", &parsed.positions)
    }

    #[test]
    fn groups_become_objectives_and_enhancements_controls() {
        let text = r#"{"catalog": {"uuid": "x", "metadata": {"title": "Excerpt"},
          "groups": [{"id": "ac", "title": "Access Control", "controls": [
            {"id": "ac-1", "title": "Policy and Procedures"},
            {"id": "ac-2", "title": "Account Management", "controls": [
              {"id": "ac-2.1", "title": "Automated System Account Management"}]},
            {"id": "ac-13", "title": "Supervision and Review", "props": [
              {"name": "status", "value": "withdrawn"}]}]}]}}"#;
        assert!(is_oscal(text));
        let (catalog, positions) = read(text);
        assert_eq!(catalog.framework, "nist");
        assert_eq!(catalog.name, "Excerpt");
        let ids: Vec<_> = catalog.controls.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["ac-1", "ac-2", "ac-2.1"]);
        assert!(catalog.controls.iter().all(|c| c.objective == "ac"));
        assert_eq!(catalog.objectives[0].title, "Access Control");
        let span = positions.value("controls.2.id");
        assert_eq!(&text[span], "\"ac-2.1\"");
    }

    #[test]
    fn exported_framework_name_wins_over_the_file_name() {
        let text = "catalog:\n  uuid: x\n  metadata:\n    title: Own\n    props:\n      - {name: framework, ns: \"urn:trustbook:oscal\", value: acme}\n  controls:\n    - {id: ACME-1, title: One}\n";
        assert!(is_oscal(text));
        let (catalog, _) = read(text);
        assert_eq!(catalog.framework, "acme");
        assert_eq!(catalog.controls[0].objective, "acme");
        assert_eq!(catalog.objectives[0].id, "acme");
    }

    #[test]
    fn trustbook_catalogues_are_not_oscal() {
        assert!(!is_oscal(
            "# own\nframework: acme\nname: Acme\ncontrols: []\n"
        ));
    }
}
