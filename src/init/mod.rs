//! `init`: a new site that checks with warnings but no errors. Every Annex A control is
//! stubbed as `planned` with a TODO justification, so `check` lists exactly what is left.

pub mod new;

use crate::load::builtin_catalog;
use crate::load::date::Date;
use std::fs;
use std::path::{Path, PathBuf};

const SITE_YAML: &str = include_str!("site.yaml");
const AI_POLICY: &str = include_str!("ai-policy.md");
const EXAMPLE_SYSTEM: &str = include_str!("example-system.yaml");
const EXAMPLE_RISK: &str = include_str!("example-risk.yaml");
const EXAMPLE_SUPPLIER: &str = include_str!("example-supplier.yaml");
const EXAMPLE_OBJECTIVE: &str = include_str!("example-objective.yaml");
const EXAMPLE_AUDIT: &str = include_str!("example-audit.yaml");
const EXAMPLE_ACTION: &str = include_str!("example-action.yaml");
const EXAMPLE_PARTY: &str = include_str!("example-party.yaml");
const EXAMPLE_ASSESSMENT: &str = include_str!("example-assessment.yaml");
const README: &str = include_str!("README.md");
const TRUST_CENTRE_WORKFLOW: &str = include_str!("workflows/trust-centre.yml");
const HANDBOOK_WORKFLOW: &str = include_str!("workflows/handbook.yml");

/// The files of a new site, as (path under the site folder, text).
pub fn files(today: Date) -> Vec<(PathBuf, String)> {
    let in_a_year = Date(today.0 + chrono::Duration::days(365));
    let mut files = vec![
        (PathBuf::from("content/site.yaml"), SITE_YAML.to_string()),
        (
            PathBuf::from("content/policies/ai-policy.md"),
            AI_POLICY.replace("{next_review}", &in_a_year.to_string()),
        ),
        (
            PathBuf::from("content/systems/example-system.yaml.example"),
            EXAMPLE_SYSTEM.to_string(),
        ),
        (
            PathBuf::from("content/risks/example-risk.yaml.example"),
            EXAMPLE_RISK.to_string(),
        ),
        (
            PathBuf::from("content/suppliers/example-supplier.yaml.example"),
            EXAMPLE_SUPPLIER.to_string(),
        ),
        (
            PathBuf::from("content/objectives/example-objective.yaml.example"),
            EXAMPLE_OBJECTIVE.to_string(),
        ),
        (
            PathBuf::from("content/audits/example-audit.yaml.example"),
            EXAMPLE_AUDIT.to_string(),
        ),
        (
            PathBuf::from("content/actions/example-action.yaml.example"),
            EXAMPLE_ACTION.to_string(),
        ),
        (
            PathBuf::from("content/parties/example-party.yaml.example"),
            EXAMPLE_PARTY.to_string(),
        ),
        (
            PathBuf::from("content/assessments/example-assessment.yaml.example"),
            EXAMPLE_ASSESSMENT.to_string(),
        ),
        (PathBuf::from("content/assets/.gitkeep"), String::new()),
        (PathBuf::from("README.md"), README.to_string()),
        (
            PathBuf::from(".github/workflows/trust-centre.yml"),
            TRUST_CENTRE_WORKFLOW.to_string(),
        ),
        (
            PathBuf::from(".github/workflows/handbook.yml"),
            HANDBOOK_WORKFLOW.to_string(),
        ),
        (
            PathBuf::from(".gitignore"),
            "/public/\n/internal/\n/.public.trustbook-*/\n/.internal.trustbook-*/\n/.trustbook-cache/\n"
                .to_string(),
        ),
    ];
    for (name, json) in schema_files() {
        files.push((PathBuf::from("schemas").join(name), json));
    }
    files.push((PathBuf::from(".vscode/settings.json"), vscode_settings()));
    for control in builtin_catalog().catalog.controls {
        let record = format!(
            "# {id} {title}\n\
             id: {id}\n\
             applicable: true\n\
             justification: \"TODO: why this control is included, or set applicable: false and status: not-applicable and say why it is excluded\"\n\
             status: planned\n\
             owner: Head of AI Governance\n\
             target_date: {in_a_year}\n",
            id = control.id,
            title = control.title,
        );
        let name = format!(
            "content/controls/{}.yaml",
            crate::urls::control_slug(&control.id)
        );
        files.push((PathBuf::from(name), record));
    }
    files
}

/// The schemas as files: `<kind>.schema.json`, pretty-printed.
pub fn schema_files() -> Vec<(String, String)> {
    (crate::load::schema::schemas().into_iter())
        .map(|(kind, _, schema)| {
            let json = serde_json::to_string_pretty(&schema).unwrap_or_default();
            (format!("{kind}.schema.json"), json + "\n")
        })
        .collect()
}

/// Writes every schema into `dir`; returns the paths written.
pub fn write_schemas(dir: &Path) -> Result<Vec<PathBuf>, String> {
    // One file per kind: `--out trust.schema.json` would make a folder of that name.
    let file_like = dir
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    if dir.is_file() || (file_like && !dir.is_dir()) {
        return Err(format!(
            "{} is a file name: `schema` writes one file per kind of record into a folder; give a folder, such as `--out schemas`",
            dir.display()
        ));
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let mut written = Vec::new();
    for (name, json) in schema_files() {
        let path = dir.join(name);
        std::fs::write(&path, json).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}

/// VS Code's (and any yaml-language-server editor's) map from schema to source files.
fn vscode_settings() -> String {
    let mut map = serde_json::Map::new();
    for (kind, files, _) in crate::load::schema::schemas() {
        if kind == "document" {
            continue; // Markdown front matter is not YAML to the YAML server.
        }
        // `.yml` is read as `.yaml` is.
        let globs: Vec<serde_json::Value> = (files.split(", "))
            .flat_map(|glob| {
                let yml = (glob.strip_suffix(".yaml")).map(|stem| format!("content/{stem}.yml"));
                std::iter::once(format!("content/{glob}")).chain(yml)
            })
            .map(serde_json::Value::from)
            .collect();
        map.insert(
            format!("schemas/{kind}.schema.json"),
            serde_json::Value::Array(globs),
        );
    }
    let settings = serde_json::json!({ "yaml.schemas": map });
    serde_json::to_string_pretty(&settings).unwrap_or_default() + "\n"
}

/// Creates a new site in `dir`, which must be absent or empty. Nothing is written when
/// it is not.
pub fn create(dir: &Path, today: Date) -> Result<usize, String> {
    if let Ok(mut entries) = fs::read_dir(dir) {
        if entries.next().is_some() {
            return Err(format!(
                "{} is not empty; trustbook init only creates a site in a new or empty folder",
                dir.display()
            ));
        }
    } else if dir.exists() {
        return Err(format!("{} exists and is not a folder", dir.display()));
    }
    let files = files(today);
    for (path, text) in &files {
        let target = dir.join(path);
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        fs::write(&target, text).map_err(|e| format!("cannot write {}: {e}", target.display()))?;
    }
    Ok(files.len())
}
