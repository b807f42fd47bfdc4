//! The JSON Schemas `trustbook schema` writes (and `init` puts beside the sources) agree
//! with what `check` reads: every record of the sample and the good fixture validates
//! against its kind's schema, with a real validator, and an unknown field does not.

mod common;

use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};

fn schemas() -> (tempfile::TempDir, Vec<(String, Value)>) {
    let dir = tempfile::tempdir().unwrap();
    let run = common::trustbook(&["schema", "--out", dir.path().to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let schemas = (run.stdout.lines())
        .map(|path| {
            let name = Path::new(path).file_name().unwrap().to_string_lossy();
            let kind = name.trim_end_matches(".schema.json").to_string();
            let schema: Value = serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap();
            (kind, schema)
        })
        .collect();
    (dir, schemas)
}

/// The kind of a source by where it is under `content/`.
fn kind_of(relative: &Path) -> Option<&'static str> {
    let folder = relative.components().next()?.as_os_str().to_str()?;
    Some(match folder {
        "site.yaml" => "site",
        "policies" | "pages" => "document",
        "controls" => "control",
        "systems" => "system",
        "risks" => "risk",
        "suppliers" => "supplier",
        "objectives" => "objective",
        "audits" => "audit",
        "actions" => "action",
        "parties" => "party",
        "assessments" => "assessment",
        "catalogs" => "catalog",
        _ => return None,
    })
}

/// A source's data as JSON: the YAML file, or a Markdown file's front matter.
fn data_of(path: &Path) -> Value {
    let text = fs::read_to_string(path).unwrap();
    let yaml = if path.extension().is_some_and(|e| e == "md") {
        let rest = text.strip_prefix("---\n").expect("front matter");
        rest[..rest.find("\n---").expect("closed front matter")].to_string()
    } else {
        text
    };
    serde_yaml::from_str(&yaml).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn sources(content: &Path) -> Vec<PathBuf> {
    let mut found = vec![content.join("site.yaml")];
    for entry in fs::read_dir(content).unwrap().filter_map(Result::ok) {
        if entry.path().is_dir() && kind_of(Path::new(&entry.file_name())).is_some() {
            for file in fs::read_dir(entry.path()).unwrap().filter_map(Result::ok) {
                let path = file.path();
                let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
                if ["yaml", "yml", "md"].contains(&ext) {
                    found.push(path);
                }
            }
        }
    }
    found.sort();
    found
}

#[test]
fn every_sample_and_fixture_record_validates_against_its_schema() {
    let (_dir, schemas) = schemas();
    assert_eq!(schemas.len(), 12, "a schema per kind and site.yaml");
    let validators: Vec<(String, jsonschema::Validator)> = (schemas.iter())
        .map(|(kind, schema)| (kind.clone(), jsonschema::validator_for(schema).unwrap()))
        .collect();
    let validator = |kind: &str| &validators.iter().find(|(k, _)| k == kind).unwrap().1;
    let mut checked = 0;
    for content in [
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("content"),
        common::fixtures().join("good/content"),
    ] {
        for path in sources(&content) {
            let relative = path.strip_prefix(&content).unwrap();
            let Some(kind) = kind_of(relative) else {
                continue;
            };
            let data = data_of(&path);
            let errors: Vec<String> = validator(kind)
                .iter_errors(&data)
                .map(|e| e.to_string())
                .collect();
            assert!(errors.is_empty(), "{}: {errors:#?}", path.display());
            checked += 1;
        }
    }
    assert!(checked > 80, "{checked} sources");
}

#[test]
fn a_record_with_an_unknown_field_or_a_bad_value_fails_its_schema() {
    let (_dir, schemas) = schemas();
    let schema = &schemas.iter().find(|(k, _)| k == "risk").unwrap().1;
    let validator = jsonschema::validator_for(schema).unwrap();
    let good = data_of(&common::fixtures().join("good/content/risks/r-1.yaml"));
    assert!(validator.is_valid(&good));
    let mut unknown = good.clone();
    unknown["ownr"] = Value::from("Head of ML");
    assert!(!validator.is_valid(&unknown), "unknown fields are refused");
    let mut bad = good.clone();
    bad["likelihood"] = Value::from(6);
    assert!(!validator.is_valid(&bad), "a score above 5");
    let mut missing = good;
    missing.as_object_mut().unwrap().remove("owner");
    assert!(!validator.is_valid(&missing), "a required field");
}

/// `check` refuses a control without a justification (ISO/IEC 42001 6.1.3 asks why each is
/// included or excluded), so an editor says so too.
#[test]
fn a_control_without_a_justification_fails_its_schema() {
    let (_dir, schemas) = schemas();
    let schema = &schemas.iter().find(|(k, _)| k == "control").unwrap().1;
    let validator = jsonschema::validator_for(schema).unwrap();
    let good = data_of(&common::fixtures().join("good/content/controls/a-6-2-4.yaml"));
    assert!(validator.is_valid(&good), "{good}");
    let mut missing = good;
    missing.as_object_mut().unwrap().remove("justification");
    assert!(
        !validator.is_valid(&missing),
        "a control without a justification"
    );
}

#[test]
fn init_sets_up_editors_with_the_schemas() {
    let holder = tempfile::tempdir().unwrap();
    let site = holder.path().join("site");
    assert_eq!(common::trustbook(&["init", site.to_str().unwrap()]).code, 0);
    let settings: Value =
        serde_json::from_str(&fs::read_to_string(site.join(".vscode/settings.json")).unwrap())
            .unwrap();
    let map = settings["yaml.schemas"].as_object().unwrap();
    assert_eq!(
        map["schemas/risk.schema.json"],
        serde_json::json!(["content/risks/*.yaml", "content/risks/*.yml"]),
        "`.yml` is read as `.yaml` is"
    );
    for schema in map.keys() {
        assert!(site.join(schema).is_file(), "{schema} is written");
    }
}

/// `--out` names a folder: a file name is refused with what to give instead, and nothing
/// is made.
#[test]
fn schema_out_a_file_name_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("trust.schema.json");
    let run = common::trustbook(&["schema", "--out", file.to_str().unwrap()]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stderr.contains("is a file name") && run.stderr.contains("--out schemas"),
        "{}",
        run.stderr
    );
    assert!(!file.exists());
    let existing = dir.path().join("notes.txt");
    fs::write(&existing, "x").unwrap();
    let run = common::trustbook(&["schema", "--out", existing.to_str().unwrap()]);
    assert_eq!(run.code, 1);
    assert_eq!(fs::read_to_string(&existing).unwrap(), "x");
}
