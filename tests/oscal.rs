//! OSCAL in and out: the handbook's Statement of Applicability as a system security plan
//! (with its profile and catalogues) that NIST's official schema accepts, OSCAL catalogues
//! read from `content/catalogs/` next to Annex A, and a catalogue that survives the trip
//! out and back in unchanged.

mod common;

use common::{build, check_json, read_text, write_file};
use serde_json::Value;
use std::fs;
use std::path::Path;

fn oscal_validator() -> jsonschema::Validator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oscal/oscal_complete_schema.json");
    let schema: Value = serde_json::from_str(&read_text(&path)).unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

fn schema_errors(validator: &jsonschema::Validator, document: &Value) -> Vec<String> {
    (validator.iter_errors(document))
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

/// Every file valid against the official OSCAL schema, each error named with its file.
fn assert_valid_oscal(files: &[(String, Value)]) {
    let validator = oscal_validator();
    for (name, document) in files {
        let errors = schema_errors(&validator, document);
        assert!(errors.is_empty(), "{name}: {errors:#?}");
    }
}

fn json_of(path: &Path) -> Value {
    serde_json::from_str(&read_text(path)).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every OSCAL file a built handbook holds, by file name.
fn exported(root: &Path) -> Vec<(String, Value)> {
    let mut files: Vec<(String, Value)> = fs::read_dir(root.join("internal/oscal"))
        .unwrap()
        .map(|entry| {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, json_of(&path))
        })
        .collect();
    files.sort_by(|a, b| a.0.cmp(&b.0));
    files
}

fn requirements(ssp: &Value) -> &Vec<Value> {
    ssp["system-security-plan"]["control-implementation"]["implemented-requirements"]
        .as_array()
        .unwrap()
}

#[test]
fn the_samples_soa_is_an_oscal_plan_the_official_schema_accepts() {
    let dir = common::built_sample();
    let files = exported(dir.path());
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert!(
        names.contains(&"ssp.json") && names.contains(&"profile.json"),
        "{names:?}"
    );
    assert!(names.contains(&"catalog-iso42001.json"), "{names:?}");
    assert!(
        !dir.path().join("public/oscal").exists(),
        "the SoA's OSCAL is the handbook's only"
    );
    assert_valid_oscal(&files);
    // Same sources, same bytes: each file is written as its JSON tree prints, keys
    // sorted (the plan is written as it is made, not from one tree).
    for (name, value) in &files {
        let written = fs::read(dir.path().join("internal/oscal").join(name)).unwrap();
        let mut printed = serde_json::to_vec_pretty(value).unwrap();
        printed.push(b'\n');
        assert!(written == printed, "{name} is not its tree as printed");
    }

    // One requirement per SoA row, with the row's status as OSCAL's implementation state.
    let ssp = &files.iter().find(|(n, _)| n == "ssp.json").unwrap().1;
    let csv = read_text(&dir.path().join("internal/soa.csv"));
    let mut rows = csv::Reader::from_reader(csv.as_bytes());
    let header = rows.headers().unwrap().clone();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = rows.records().map(Result::unwrap).collect();
    assert_eq!(requirements(ssp).len(), rows.len());
    for (row, requirement) in rows.iter().zip(requirements(ssp)) {
        assert_eq!(requirement["control-id"], row[column("id")]);
        let state = &requirement["by-components"][0]["implementation-status"]["state"];
        match &row[column("status")] {
            "not yet assessed" | "no record" => assert!(state.is_null(), "{requirement}"),
            status if &row[column("applicable")] == "no" => {
                assert_eq!(state, "not-applicable", "{status}")
            }
            status => assert_eq!(state, status),
        }
    }
    // Evidence links lead to the files the handbook holds.
    let mut links = 0;
    for link in requirements(ssp)
        .iter()
        .flat_map(|r| r["links"].as_array().into_iter().flatten())
    {
        let href = link["href"].as_str().unwrap();
        if let Some(file) = href.strip_prefix("../") {
            let decoded = percent_decode(file);
            assert!(
                dir.path().join("internal").join(&decoded).is_file(),
                "{href}"
            );
            links += 1;
        }
    }
    assert!(links > 5, "{links} evidence links");
    // The profile selects exactly the SoA's controls from the exported catalogues.
    let profile = &files.iter().find(|(n, _)| n == "profile.json").unwrap().1;
    let selected: usize = (profile["profile"]["imports"].as_array().unwrap().iter())
        .map(|i| {
            i["include-controls"][0]["with-ids"]
                .as_array()
                .unwrap()
                .len()
        })
        .sum();
    assert_eq!(selected, rows.len());
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            out.push(u8::from_str_radix(&text[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

#[test]
fn an_exported_catalogue_reads_back_as_the_same_catalogue() {
    let site = common::site(None);
    let root = site.path();
    let first = build(root, &["--quiet"]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let before = exported(root);
    let acme = read_text(&root.join("internal/oscal/catalog-acme.json"));

    // The YAML catalogue replaced by the OSCAL one the handbook wrote.
    fs::remove_file(root.join("content/catalogs/acme.yaml")).unwrap();
    write_file(root, "content/catalogs/exported.json", &acme);
    let second = build(root, &["--quiet"]);
    assert_eq!(second.code, 0, "{}", second.stderr);
    let after = exported(root);
    assert_eq!(before, after, "same catalogue, same ids, same plan");
    let ids = |files: &[(String, Value)]| -> Vec<Value> {
        let catalog = &files
            .iter()
            .find(|(n, _)| n == "catalog-acme.json")
            .unwrap()
            .1;
        (catalog["catalog"]["groups"].as_array().unwrap().iter())
            .flat_map(|g| {
                g["controls"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| c["id"].clone())
            })
            .collect()
    };
    assert_eq!(ids(&after), ["ACME-1", "ACME-2", "ACME-3"]);
}

const NIST_EXCERPT: &str = r#"{
  "catalog": {
    "uuid": "1b2c3d4e-0000-4000-8000-000000000001",
    "metadata": {
      "title": "Excerpt of a control catalogue",
      "last-modified": "2026-01-01T00:00:00Z",
      "version": "1",
      "oscal-version": "1.2.3"
    },
    "groups": [
      {
        "id": "ac",
        "title": "Access Control",
        "controls": [
          {"id": "ac-1", "title": "Policy and Procedures"},
          {
            "id": "ac-2",
            "title": "Account Management",
            "controls": [{"id": "ac-2.1", "title": "Automated System Account Management"}]
          },
          {"id": "ac-13", "title": "Supervision and Review", "props": [{"name": "status", "value": "withdrawn"}]}
        ]
      }
    ]
  }
}
"#;

#[test]
fn an_oscal_catalogue_loads_next_to_annex_a() {
    let validator = oscal_validator();
    let excerpt: Value = serde_json::from_str(NIST_EXCERPT).unwrap();
    assert!(validator.is_valid(&excerpt), "the fixture is real OSCAL");

    let site = common::site(None);
    let root = site.path();
    write_file(root, "content/catalogs/nist.json", NIST_EXCERPT);
    let config = read_text(&root.join("content/site.yaml"));
    write_file(
        root,
        "content/site.yaml",
        &config.replace("frameworks: [acme]", "frameworks: [acme, nist]"),
    );
    write_file(
        root,
        "content/controls/ac-1.yaml",
        "id: ac-1\napplicable: true\njustification: \"Access to the models is granted by role.\"\nstatus: implemented\nowner: Head of Platform\n",
    );
    let run = check_json(root);
    let missing: Vec<String> = (run.findings().into_iter())
        .filter(|f| f["code"] == "missing-control-record")
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        missing,
        [
            "control ac-2 \"Account Management\" has no record",
            "control ac-2.1 \"Automated System Account Management\" has no record",
        ],
        "the withdrawn control needs none"
    );

    // YAML works too, and the control's page takes its title from the catalogue.
    fs::remove_file(root.join("content/catalogs/nist.json")).unwrap();
    let yaml = serde_yaml::to_string(&excerpt).unwrap();
    write_file(root, "content/catalogs/nist.yaml", &yaml);
    for id in ["ac-2", "ac-2.1"] {
        write_file(
            root,
            &format!("content/controls/{id}.yaml"),
            &format!(
                "id: {id}\napplicable: false\njustification: \"No accounts of our own.\"\nstatus: not-applicable\n"
            ),
        );
    }
    let run = build(root, &["--quiet"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let page = read_text(&root.join("internal/controls/ac-1/index.html"));
    assert!(
        page.contains("Policy and Procedures"),
        "title from the catalogue"
    );
    assert_valid_oscal(&exported(root));
}

#[test]
fn mistakes_in_an_oscal_catalogue_point_into_it() {
    let site = common::site(None);
    let root = site.path();
    // ACME-1 is the YAML catalogue's already; the second control has no title.
    let text = NIST_EXCERPT.replace(
        r#"{"id": "ac-1", "title": "Policy and Procedures"}"#,
        r#"{"id": "ACME-1", "title": "Policy and Procedures"}"#,
    );
    write_file(root, "content/catalogs/nist.json", &text);
    let run = check_json(root);
    assert_eq!(
        run.places("duplicate-id"),
        [("content/catalogs/nist.json".to_string(), 15)]
    );

    let text = NIST_EXCERPT.replace(r#""title": "Account Management","#, "");
    write_file(root, "content/catalogs/nist.json", &text);
    let run = check_json(root);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let finding = &run.findings()[0];
    assert_eq!(finding["path"], "content/catalogs/nist.json", "{finding}");
    assert!(
        finding["message"].as_str().unwrap().contains("title"),
        "{finding}"
    );
    assert!(finding["line"].as_i64().unwrap() >= 15, "{finding}");

    write_file(
        root,
        "content/catalogs/nist.json",
        "{\"catalog\": {\"uuid\": \"x\",,}}\n",
    );
    let run = check_json(root);
    assert_eq!(run.code, 1);
    assert_eq!(run.findings()[0]["path"], "content/catalogs/nist.json");
    assert_eq!(run.findings()[0]["line"], 1);
}

#[test]
fn a_control_id_oscal_cannot_hold_is_left_out_of_the_export_not_made_invalid() {
    let site = common::site(None);
    let root = site.path();
    let catalog = read_text(&root.join("content/catalogs/acme.yaml"));
    assert!(catalog.contains("ACME-3"), "{catalog}");
    write_file(
        root,
        "content/catalogs/acme.yaml",
        &catalog.replace("ACME-3", "3-ACME"),
    );
    let control = read_text(&root.join("content/controls/acme-3.yaml"));
    write_file(
        root,
        "content/controls/acme-3.yaml",
        &control.replace("ACME-3", "3-ACME"),
    );
    let run = build(root, &["--quiet"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let files = exported(root);
    assert_valid_oscal(&files);
    for (name, document) in &files {
        assert!(!document.to_string().contains("3-ACME"), "{name}");
    }
}

#[test]
fn duplicate_ids_in_one_catalogue_colliding_file_names_and_owners_stay_apart() {
    let site = common::site(None);
    let root = site.path();
    // One catalogue listing a control twice: an error, not an invalid export.
    let twice = NIST_EXCERPT.replace(
        r#"{"id": "ac-1", "title": "Policy and Procedures"},"#,
        r#"{"id": "ac-1", "title": "Policy and Procedures"}, {"id": "ac-1", "title": "Again"},"#,
    );
    write_file(root, "content/catalogs/nist.json", &twice);
    let run = check_json(root);
    assert_eq!(run.places("duplicate-id").len(), 1, "{}", run.stdout);
    std::fs::remove_file(root.join("content/catalogs/nist.json")).unwrap();

    // Frameworks whose file names would be the same, and owners whose role ids would be.
    write_file(
        root,
        "content/catalogs/x.yaml",
        "framework: \"a b\"\nname: One\ncontrols:\n  - {id: AB-1, objective: O, title: One}\nobjectives:\n  - {id: O, title: O}\n",
    );
    write_file(
        root,
        "content/catalogs/y.yaml",
        "framework: a-b\nname: Two\ncontrols:\n  - {id: AB-2, objective: O2, title: Two}\nobjectives:\n  - {id: O2, title: O2}\n",
    );
    let config = read_text(&root.join("content/site.yaml"));
    write_file(
        root,
        "content/site.yaml",
        &config.replace("frameworks: [acme]", "frameworks: [acme, \"a b\", a-b]"),
    );
    write_file(
        root,
        "content/controls/ab-1.yaml",
        "id: AB-1\napplicable: true\njustification: \"One.\"\nstatus: implemented\nowner: \"Head of AI: X\"\n",
    );
    write_file(
        root,
        "content/controls/ab-2.yaml",
        "id: AB-2\napplicable: true\njustification: \"Two.\"\nstatus: implemented\nowner: \"Head of AI X\"\n",
    );
    let run = build(root, &["--quiet"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let files = exported(root);
    let catalogs: Vec<&str> = files
        .iter()
        .map(|(n, _)| n.as_str())
        .filter(|n| n.starts_with("catalog-a-b"))
        .collect();
    assert_eq!(catalogs, ["catalog-a-b-2.json", "catalog-a-b.json"]);
    let ssp = &files.iter().find(|(n, _)| n == "ssp.json").unwrap().1;
    let roles = ssp["system-security-plan"]["metadata"]["roles"]
        .as_array()
        .unwrap();
    let ids: std::collections::HashSet<&str> =
        roles.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), roles.len(), "role ids are unique: {roles:?}");
    assert_valid_oscal(&files);
}

#[test]
fn a_group_named_like_the_framework_keeps_its_controls() {
    let site = common::site(None);
    let root = site.path();
    let text = r#"{"catalog": {"uuid": "1b2c3d4e-0000-4000-8000-000000000002", "metadata": {"title": "T", "last-modified": "2026-01-01T00:00:00Z", "version": "1", "oscal-version": "1.2.3"},
      "controls": [{"id": "loose-1", "title": "Loose"}],
      "groups": [{"id": "ac", "title": "Group AC", "controls": [{"id": "ac-1", "title": "In the group"}]}]}}"#;
    write_file(root, "content/catalogs/ac.json", text);
    write_file(
        root,
        "content/controls/ac-1.yaml",
        "id: ac-1\napplicable: true\njustification: \"Yes.\"\nstatus: implemented\nowner: Head of IT\n",
    );
    let run = build(root, &["--quiet"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let page = read_text(&root.join("internal/controls/ac-1/index.html"));
    assert!(page.contains("Group AC"), "ac-1 stays in its group");
}
