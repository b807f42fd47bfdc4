//! Ids: unique across all kinds, safe to use in a URL, known to a catalogue when they name
//! a control, and every reference pointing at a record of the right kind.

use super::{AnyRecord, Entry, Index, Kind, id_at};
use crate::finding::{At, Code, Finding, did_you_mean};
use crate::hash::HashMap;
use crate::hash::HashMapExt;
use crate::load::Site;
use crate::load::records::Visibility;
use crate::load::yaml::Positions;

pub fn build_index(records: &[AnyRecord], findings: &mut Vec<Finding>) -> Index {
    let mut by_id: HashMap<String, Entry> = HashMap::new();
    let mut duplicated = crate::hash::HashSet::default();
    for record in records {
        let (kind, id, file, positions, document) = (
            record.kind,
            record.id,
            record.file,
            record.positions,
            record.document,
        );
        let at = At {
            file,
            span: positions.value("id"),
        };
        if let Some(first) = by_id.get(id) {
            duplicated.insert(id.to_string());
            findings.push(
                Finding::new(Code::DuplicateId, format!("duplicate id `{id}`"))
                    .at(at)
                    .label("used again here")
                    .note(first.at.clone(), format!("first used by this {}", first.kind.noun()))
                    .help("ids are unique across all records (policies, pages, controls, systems, risks, suppliers, objectives, audits, actions, parties, assessments): rename one"),
            );
            continue;
        }
        let published = record.visibility == Visibility::Public;
        by_id.insert(
            id.to_string(),
            Entry {
                kind,
                at,
                url: record.url.clone(),
                published,
                on_request: record.visibility == Visibility::Restricted,
                document,
            },
        );
    }
    Index { by_id, duplicated }
}

/// Ids become URLs and file names: keep them to characters that are safe in both.
pub fn check_ids(records: &[AnyRecord], findings: &mut Vec<Finding>) {
    for &AnyRecord {
        id,
        file,
        positions,
        ..
    } in records
    {
        let safe = !id.is_empty()
            && !id.starts_with('.')
            && id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
        if !safe {
            findings.push(
                Finding::new(Code::BadValue, format!("id `{id}` cannot be used in a URL"))
                    .at(At {
                        file,
                        span: positions.value("id"),
                    })
                    .help("use letters, digits, `.`, `-` and `_` only, for example `POL-AI-001`"),
            );
        }
    }
}

/// Every control of every catalogue, by id.
fn catalog_controls(site: &Site) -> HashMap<&str, &str> {
    site.catalogs
        .iter()
        .flat_map(|c| {
            c.catalog
                .controls
                .iter()
                .map(move |k| (k.id.as_str(), c.catalog.framework.as_str()))
        })
        .collect()
}

pub fn check_references(site: &Site, index: &Index, findings: &mut Vec<Finding>) {
    let catalog = catalog_controls(site);
    let mut refs = References {
        site,
        index,
        findings,
    };
    for document in &site.documents {
        let record = &document.record;
        let meta = &record.data;
        refs.check(
            record.file,
            &record.positions,
            "controls",
            &meta.controls,
            &[Kind::Control],
        );
        let any = [
            Kind::Policy,
            Kind::Page,
            Kind::Control,
            Kind::System,
            Kind::Risk,
            Kind::Supplier,
            Kind::Objective,
            Kind::Audit,
            Kind::Action,
            Kind::Party,
            Kind::Assessment,
        ];
        refs.check(
            record.file,
            &record.positions,
            "related",
            &meta.related,
            &any,
        );
    }
    for control in &site.controls {
        let (file, positions, data) = (control.file, &control.positions, &control.data);
        refs.check(
            file,
            positions,
            "policies",
            &data.policies,
            &[Kind::Policy, Kind::Page],
        );
        refs.check(file, positions, "risks", &data.risks, &[Kind::Risk]);
        refs.check(file, positions, "systems", &data.systems, &[Kind::System]);
        if !catalog.contains_key(data.id.as_str()) {
            let suggestion = did_you_mean(&data.id, catalog.keys().copied());
            refs.findings.push(
                Finding::new(Code::UnknownControl, format!("control `{}` is in no catalogue", data.id))
                    .at(id_at(control))
                    .label(suggestion)
                    .help("use an id from ISO/IEC 42001 Annex A (such as `A.6.2.4`), or add the control to a catalogue in content/catalogs/"),
            );
        }
    }
    for system in &site.systems {
        let (file, positions, data) = (system.file, &system.positions, &system.data);
        refs.check(
            file,
            positions,
            "controls",
            &data.controls,
            &[Kind::Control],
        );
        refs.check(file, positions, "risks", &data.risks, &[Kind::Risk]);
        refs.check(
            file,
            positions,
            "suppliers",
            &data.suppliers,
            &[Kind::Supplier],
        );
    }
    for supplier in &site.suppliers {
        let (file, positions, data) = (supplier.file, &supplier.positions, &supplier.data);
        refs.check(file, positions, "risks", &data.risks, &[Kind::Risk]);
    }
    for objective in &site.objectives {
        let (file, positions, data) = (objective.file, &objective.positions, &objective.data);
        refs.check(
            file,
            positions,
            "controls",
            &data.controls,
            &[Kind::Control],
        );
        refs.check(file, positions, "risks", &data.risks, &[Kind::Risk]);
    }
    let concernable = [
        Kind::Control,
        Kind::Policy,
        Kind::Page,
        Kind::System,
        Kind::Risk,
        Kind::Supplier,
        Kind::Objective,
    ];
    for audit in &site.audits {
        let (file, positions) = (audit.file, &audit.positions);
        for (i, finding) in audit.data.findings.iter().enumerate() {
            let field = format!("findings.{i}.concerns");
            refs.check(file, positions, &field, &finding.concerns, &concernable);
        }
    }
    for party in &site.parties {
        let (file, positions, data) = (party.file, &party.positions, &party.data);
        let addressing = [
            Kind::Policy,
            Kind::Page,
            Kind::Control,
            Kind::System,
            Kind::Objective,
        ];
        refs.check(
            file,
            positions,
            "addressed_by",
            &data.addressed_by,
            &addressing,
        );
    }
    for assessment in &site.assessments {
        let (file, positions, data) = (assessment.file, &assessment.positions, &assessment.data);
        refs.check(
            file,
            positions,
            "system",
            std::slice::from_ref(&data.system),
            &[Kind::System],
        );
        refs.check(
            file,
            positions,
            "mitigations",
            &data.mitigations,
            &[Kind::Control, Kind::Risk],
        );
    }
    for action in &site.actions {
        let (file, positions, data) = (action.file, &action.positions, &action.data);
        if let Some(audit) = &data.audit {
            refs.check(
                file,
                positions,
                "audit",
                std::slice::from_ref(audit),
                &[Kind::Audit],
            );
        }
        refs.check(file, positions, "concerns", &data.concerns, &concernable);
    }
    for risk in &site.risks {
        let (file, positions, data) = (risk.file, &risk.positions, &risk.data);
        refs.check(file, positions, "systems", &data.systems, &[Kind::System]);
        refs.check(
            file,
            positions,
            "controls",
            &data.controls,
            &[Kind::Control],
        );
    }
}

struct References<'a> {
    site: &'a Site,
    index: &'a Index,
    findings: &'a mut Vec<Finding>,
}

impl References<'_> {
    fn check(
        &mut self,
        file: usize,
        positions: &Positions,
        field: &str,
        ids: &[String],
        kinds: &[Kind],
    ) {
        for (i, id) in ids.iter().enumerate() {
            // Looked up only for a finding: most references are fine.
            let at = || At {
                file,
                span: positions.item(field, i),
            };
            match self.index.by_id.get(id) {
                Some(entry) if kinds.contains(&entry.kind) => {}
                Some(entry) => self.findings.push(
                    Finding::new(
                        Code::MissingReference,
                        format!(
                            "`{id}` is a {}, but `{field}` takes {}",
                            entry.kind.noun(),
                            nouns(kinds)
                        ),
                    )
                    .at(at())
                    .note(entry.at.clone(), "defined here")
                    .help(format!(
                        "`{field}` takes {}; name one of those, or put `{id}` in a field that takes {}s",
                        nouns(kinds),
                        entry.kind.noun()
                    )),
                ),
                None if self.site.unloaded_ids.contains(id) => {}
                None => {
                    let candidates = self
                        .index
                        .by_id
                        .iter()
                        .filter(|(_, e)| kinds.contains(&e.kind))
                        .map(|(k, _)| k.as_str())
                        // An id the list already has is not what the author meant.
                        .filter(|k| !ids.iter().any(|listed| listed == k));
                    let suggestion = did_you_mean(id, candidates);
                    self.findings.push(
                        Finding::new(
                            Code::MissingReference,
                            format!("no {} has the id `{id}`", one_of(kinds)),
                        )
                        .at(at())
                        .label(suggestion)
                        .help(format!("fix the id, or add the {} it names", one_of(kinds))),
                    );
                }
            }
        }
    }
}

/// Every framework in `site.yaml` must be a catalogue, and each of its controls needs
/// exactly one record: that is what makes the Statement of Applicability complete.
pub fn check_frameworks(site: &Site, findings: &mut Vec<Finding>) {
    let Some(config) = &site.config else {
        return;
    };
    let (file, positions, frameworks) = (config.file, &config.positions, &config.data.frameworks);
    let recorded: crate::hash::HashSet<&str> = site
        .controls
        .iter()
        .map(|c| c.data.id.as_str())
        .chain(site.unloaded_ids.iter().map(String::as_str))
        .collect();
    for (i, framework) in frameworks.iter().enumerate() {
        let at = At {
            file,
            span: positions.item("frameworks", i),
        };
        let Some(catalog) = site
            .catalogs
            .iter()
            .find(|c| &c.catalog.framework == framework)
        else {
            let known = site.catalogs.iter().map(|c| c.catalog.framework.as_str());
            findings.push(
                Finding::new(
                    Code::UnknownFramework,
                    format!("no catalogue is named `{framework}`"),
                )
                .at(at)
                .label(did_you_mean(framework, known))
                .help("use `iso42001`, or the `framework` of a catalogue in content/catalogs/"),
            );
            continue;
        };
        for control in &catalog.catalog.controls {
            if !recorded.contains(control.id.as_str()) {
                findings.push(
                    Finding::new(
                        Code::MissingControlRecord,
                        format!("control {} \"{}\" has no record", control.id, control.title),
                    )
                    .at(at.clone())
                    .help(format!(
                        "add content/controls/{}.yaml with `id: {}`, `applicable`, `justification` and `status` \
                         (a control you exclude still needs a record saying why)",
                        crate::urls::control_slug(&control.id),
                        control.id
                    )),
                );
            }
        }
    }
}

/// A mapping to a framework whose catalogue is loaded names one of its controls: a typo in
/// `ref` would otherwise be a claim of coverage that points at nothing.
pub fn check_mappings(site: &Site, findings: &mut Vec<Finding>) {
    for control in &site.controls {
        for (i, mapping) in control.data.mappings.iter().enumerate() {
            let Some(catalog) =
                (site.catalogs.iter()).find(|c| c.catalog.framework == mapping.framework)
            else {
                continue;
            };
            let reference = mapping.reference.to_string();
            let ids = catalog.catalog.controls.iter().map(|c| c.id.as_str());
            if ids.clone().any(|id| id == reference) {
                continue;
            }
            findings.push(
                Finding::new(
                    Code::MissingReference,
                    format!(
                        "`{reference}` is no control of catalogue `{}`",
                        mapping.framework
                    ),
                )
                .at(At {
                    file: control.file,
                    span: control.positions.value(&format!("mappings.{i}.ref")),
                })
                .label(did_you_mean(&reference, ids))
                .help(format!(
                    "use a control id of `{}` ({}), or map to another framework",
                    mapping.framework, catalog.catalog.name
                )),
            );
        }
    }
}

/// A document, AI system or risk that names an excluded control as one it relies on: the
/// SoA says the control does not apply, the record says it does something.
pub fn check_excluded_controls(site: &Site, findings: &mut Vec<Finding>) {
    let excluded: HashMap<&str, &crate::load::Record<crate::load::records::ControlRecord>> =
        (site.controls.iter())
            .filter(|c| !c.data.applicable)
            .map(|c| (c.data.id.as_str(), c))
            .collect();
    if excluded.is_empty() {
        return;
    }
    let documents = (site.documents.iter()).map(|d| {
        (
            d.record.file,
            &d.record.positions,
            d.record.data.id.as_str(),
            &d.record.data.controls,
        )
    });
    let systems =
        (site.systems.iter()).map(|s| (s.file, &s.positions, s.data.id.as_str(), &s.data.controls));
    let risks =
        (site.risks.iter()).map(|r| (r.file, &r.positions, r.data.id.as_str(), &r.data.controls));
    for (file, positions, id, controls) in documents.chain(systems).chain(risks) {
        for (i, control) in controls.iter().enumerate() {
            let Some(record) = excluded.get(control.as_str()) else {
                continue;
            };
            findings.push(
                Finding::new(
                    Code::ExcludedControlReliedOn,
                    format!("`{id}` relies on control `{control}`, which the SoA excludes"),
                )
                .at(At { file, span: positions.item("controls", i) })
                .note(
                    At { file: record.file, span: record.positions.value("applicable") },
                    "excluded here",
                )
                .help("remove the control from this list, or make it applicable and say how it is met"),
            );
        }
    }
}

/// Control ids the OSCAL export cannot hold (OSCAL ids start with a letter or `_` and
/// have no spaces or colons): the export leaves such a control out, so say so.
pub fn check_oscal_ids(site: &Site, findings: &mut Vec<Finding>) {
    for control in site
        .controls
        .iter()
        .filter(|c| !crate::load::oscal::is_token(&c.data.id))
    {
        findings.push(
            Finding::new(
                Code::NotAnOscalId,
                format!("control id `{}` cannot be an OSCAL id, so the handbook's OSCAL export leaves this control out", control.data.id),
            )
            .at(At { file: control.file, span: control.positions.value("id") })
            .help("start the id with a letter (as `ACME-3`), here and in its catalogue, if OSCAL tools are to see this control"),
        );
    }
}

/// Extra catalogues: each control id once across all catalogues, objectives that exist.
pub fn check_catalogs(site: &Site, findings: &mut Vec<Finding>) {
    let mut seen: HashMap<&str, &str> = HashMap::new();
    for (n, loaded) in site.catalogs.iter().enumerate() {
        let catalog = &loaded.catalog;
        if let Some((file, positions)) = &loaded.source {
            let at = |path: String| At {
                file: *file,
                span: positions.value(&path),
            };
            if site.catalogs[..n]
                .iter()
                .any(|c| c.catalog.framework == catalog.framework)
            {
                findings.push(
                    Finding::new(
                        Code::DuplicateId,
                        format!("another catalogue is already named `{}`", catalog.framework),
                    )
                    .at(at("framework".into()))
                    .help("give this catalogue its own `framework` name"),
                );
            }
            let objectives: Vec<&str> = catalog.objectives.iter().map(|o| o.id.as_str()).collect();
            for (i, objective) in catalog.objectives.iter().enumerate() {
                if objectives[..i].contains(&objective.id.as_str()) {
                    findings.push(
                        Finding::new(
                            Code::DuplicateId,
                            format!(
                                "objective `{}` is listed twice in this catalogue",
                                objective.id
                            ),
                        )
                        .at(at(format!("objectives.{i}.id")))
                        .help("give each objective (each group, in OSCAL) its own id"),
                    );
                }
            }
            let mut own: HashMap<&str, usize> = HashMap::new();
            for (i, control) in catalog.controls.iter().enumerate() {
                if own.insert(control.id.as_str(), i).is_some() {
                    findings.push(
                        Finding::new(
                            Code::DuplicateId,
                            format!("control `{}` is listed twice in this catalogue", control.id),
                        )
                        .at(at(format!("controls.{i}.id")))
                        .help("control ids are unique: rename or remove one of them"),
                    );
                }
                if !objectives.is_empty() && !objectives.contains(&control.objective.as_str()) {
                    findings.push(
                        Finding::new(
                            Code::MissingReference,
                            format!("control `{}` names objective `{}`, which this catalogue does not list", control.id, control.objective),
                        )
                        .at(at(format!("controls.{i}.objective")))
                        .label(did_you_mean(&control.objective, objectives.iter().copied()))
                        .help("add the objective under `objectives`, or fix the id"),
                    );
                }
                if let Some(other) = seen.get(control.id.as_str()) {
                    findings.push(
                        Finding::new(
                            Code::DuplicateId,
                            format!("control `{}` is already in catalogue `{other}`", control.id),
                        )
                        .at(at(format!("controls.{i}.id")))
                        .help("control ids are unique across catalogues: rename this one"),
                    );
                }
            }
        }
        for control in &catalog.controls {
            seen.entry(control.id.as_str())
                .or_insert(catalog.framework.as_str());
        }
    }
}

/// What a field takes, in words: "controls", or "controls or risks", or "records" for
/// fields that take almost anything.
fn nouns(kinds: &[Kind]) -> String {
    match kinds {
        [one] => format!("{}s", one.noun()),
        [a, b] => format!("{}s or {}s", a.noun(), b.noun()),
        _ => "the ids of records".to_string(),
    }
}

/// The record a missing id was meant to be: "control", or "record" when the field takes
/// several kinds.
fn one_of(kinds: &[Kind]) -> &'static str {
    match kinds {
        [one] => one.noun(),
        _ => "record",
    }
}
