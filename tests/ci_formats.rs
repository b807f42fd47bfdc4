//! `check --format github` and `--format sarif`, as CI consumes them: GitHub's workflow
//! command syntax (golden file and grammar), and SARIF validated against the official
//! SARIF 2.1.0 JSON schema by a real validator.

mod common;

use common::{copy_tree, fixture_copy, fixtures, trustbook};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn check(root: &Path, format: &str) -> common::Run {
    trustbook(&[
        "check",
        "--format",
        format,
        "--root",
        root.to_str().unwrap(),
    ])
}

#[test]
fn github_annotations_of_a_site_with_a_dozen_mistakes() {
    let dir = fixture_copy("mistakes");
    let run = check(dir.path(), "github");
    assert_eq!(run.code, 1, "{}", run.stderr);
    insta::assert_snapshot!(run.stdout);
}

/// GitHub's documented form: `::error file={name},line={line},col={col},title={title}::{message}`,
/// with `%`, CR, LF (and in properties `:` and `,`) percent-escaped.
#[test]
fn every_annotation_follows_the_workflow_command_grammar() {
    let dir = fixture_copy("mistakes");
    let run = check(dir.path(), "github");
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(lines.len() >= 10, "{}", run.stdout);
    for line in lines {
        let (command, rest) = line
            .strip_prefix("::")
            .and_then(|l| l.split_once(' '))
            .unwrap_or_else(|| panic!("not a workflow command: {line}"));
        assert!(command == "error" || command == "warning", "{line}");
        let (properties, message) = rest.split_once("::").expect("properties::message");
        assert!(!message.is_empty() && !message.contains('\n') && !message.contains('\r'));
        let names: Vec<&str> = properties
            .split(',')
            .map(|p| {
                let (name, value) = p.split_once('=').expect("name=value");
                assert!(!value.contains(':'), "an unescaped `:` in {line}");
                name
            })
            .collect();
        assert!(
            names == ["file", "line", "col", "title"] || names == ["file", "title"],
            "{line}"
        );
    }
}

#[test]
fn annotations_name_files_from_the_repository_root() {
    let holder = tempfile::tempdir().unwrap();
    let site = holder.path().join("trust");
    std::fs::create_dir_all(&site).unwrap();
    copy_tree(&fixtures().join("mistakes"), &site);
    let git = |args: &[&str]| {
        let status = Command::new("git")
            .args(args)
            .current_dir(holder.path())
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .status()
            .unwrap();
        assert!(status.success());
    };
    git(&["init", "-q"]);
    let run = check(&site, "github");
    assert!(
        run.stdout
            .starts_with("::error file=trust/content/controls/a-6-2-4.yaml,line=1,col=5,"),
        "{}",
        run.stdout
    );
}

/// The official schema, as the `serde-sarif` crate ships it (a dev-dependency, so the
/// registry holds it).
fn sarif_schema() -> Value {
    let metadata = Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let metadata: Value = serde_json::from_slice(&metadata.stdout).unwrap();
    let manifest = (metadata["packages"].as_array().unwrap().iter())
        .find(|p| p["name"] == "serde-sarif")
        .and_then(|p| p["manifest_path"].as_str())
        .expect("serde-sarif is a dev-dependency");
    let schema = PathBuf::from(manifest).with_file_name("src/schema.json");
    serde_json::from_str(&std::fs::read_to_string(schema).unwrap()).unwrap()
}

#[test]
fn sarif_output_is_valid_sarif_2_1_0() {
    let schema = sarif_schema();
    assert_eq!(
        schema["title"],
        "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    );
    let validator = jsonschema::validator_for(&schema).unwrap();
    let dir = fixture_copy("mistakes");
    let run = check(dir.path(), "sarif");
    assert_eq!(run.code, 1, "{}", run.stderr);
    let log: Value = serde_json::from_str(&run.stdout).unwrap();
    let errors: Vec<String> = validator.iter_errors(&log).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 15, "every finding is a result");
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    for result in results {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
    }
    let first = &results[0]["locations"][0]["physicalLocation"];
    assert_eq!(
        first["artifactLocation"]["uri"],
        "content/controls/a-6-2-4.yaml"
    );
    assert_eq!(first["region"]["startLine"], 1);
    // A log that breaks the schema is refused: the validator is really checking.
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["level"] = Value::from("fatal");
    assert!(!validator.is_valid(&broken));
    // A clean site is an empty run, still valid.
    let clean = common::site(None);
    let run = check(clean.path(), "sarif");
    assert_eq!(run.code, 0);
    let log: Value = serde_json::from_str(&run.stdout).unwrap();
    assert!(validator.is_valid(&log));
    assert_eq!(log["runs"][0]["results"], Value::Array(Vec::new()));
}

/// The policy in `_headers` is the one in every page's meta tag, plus what only a header
/// can say; the handbook's also says noindex for every file.
#[test]
fn the_hosts_headers_files_carry_the_pages_policy() {
    let dir = common::site(None);
    let run = common::build(dir.path(), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let page = std::fs::read_to_string(dir.path().join("public/index.html")).unwrap();
    let meta = page
        .split("<meta http-equiv=\"Content-Security-Policy\" content=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a CSP meta tag");
    assert!(meta.contains("default-src 'self'") && meta.contains("object-src 'none'"));
    for (site, noindex) in [("public", false), ("internal", true)] {
        let headers = std::fs::read_to_string(dir.path().join(site).join("_headers")).unwrap();
        assert!(
            headers.contains(&format!(
                "  Content-Security-Policy: {meta}; frame-ancestors 'none'\n"
            )),
            "{site}/_headers: {headers}"
        );
        assert!(headers.starts_with("/*\n"), "{headers}");
        assert_eq!(
            headers.contains("X-Robots-Tag: noindex"),
            noindex,
            "{headers}"
        );
    }
    // Every internal page has the same policy as the public ones.
    let handbook = std::fs::read_to_string(dir.path().join("internal/index.html")).unwrap();
    assert!(
        handbook.contains(&format!("content=\"{meta}\"")),
        "{handbook}"
    );
}

/// JSON carries what the terminal shows under the source line: a finding's label (a
/// "did you mean") and its other places (the first use of a duplicate id).
#[test]
fn json_findings_carry_their_suggestion_and_other_places() {
    let dir = fixture_copy("mistakes");
    let run = check(dir.path(), "json");
    let findings: Vec<Value> = (run.stdout.lines())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let unknown = (findings.iter())
        .find(|f| f["code"] == "unknown-field")
        .unwrap();
    assert_eq!(unknown["label"], "did you mean `owner`?", "{unknown}");
    let duplicate = (findings.iter())
        .find(|f| f["code"] == "duplicate-id")
        .unwrap();
    assert_eq!(
        duplicate["related"],
        serde_json::json!([{"path": "content/pages/about-copy.md", "line": 2, "column": 5,
                            "note": "first used by this page"}]),
        "{duplicate}"
    );
    assert!(
        (findings.iter()).all(|f| f
            .get("related")
            .is_none_or(|r| r.as_array().is_some_and(|a| !a.is_empty()))),
        "an empty `related` is left out"
    );
}
