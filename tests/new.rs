//! `trustbook new KIND`: a stub with the next free id that checks without errors.

mod common;

use common::trustbook;
use std::fs;

#[test]
fn every_kind_of_stub_checks_without_errors_and_takes_the_next_id() {
    let holder = tempfile::tempdir().unwrap();
    let site = holder.path().join("site");
    let root = site.to_str().unwrap();
    assert_eq!(trustbook(&["init", root]).code, 0);
    // init writes every Annex A control: remove one for `new control` to add.
    fs::remove_file(site.join("content/controls/a-6-2-4.yaml")).unwrap();
    let mut written = Vec::new();
    for kind in [
        "policy",
        "control",
        "system",
        "risk",
        "risk",
        "supplier",
        "objective",
        "audit",
        "action",
        "party",
        "assessment",
    ] {
        let run = trustbook(&["new", kind, "--root", root]);
        assert_eq!(run.code, 0, "new {kind}: {}", run.stderr);
        written.push(run.stdout.trim().to_string());
    }
    assert_eq!(
        written,
        [
            "content/policies/pol-001.md",
            "content/controls/a-6-2-4.yaml",
            "content/systems/sys-001.yaml",
            "content/risks/rsk-001.yaml",
            "content/risks/rsk-002.yaml",
            "content/suppliers/sup-001.yaml",
            "content/objectives/obj-001.yaml",
            &format!("content/audits/aud-{}-01.yaml", &common::TODAY[..4]),
            &format!("content/actions/ca-{}-01.yaml", &common::TODAY[..4]),
            "content/parties/pty-001.yaml",
            "content/assessments/aia-001.yaml",
        ]
    );
    let assessment = fs::read_to_string(site.join("content/assessments/aia-001.yaml")).unwrap();
    assert!(assessment.contains("system: SYS-001"), "{assessment}");
    let run = common::check_json(&site);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let codes: Vec<String> = (run.findings().iter())
        .map(|f| f["code"].as_str().unwrap().to_string())
        .filter(|c| c != "placeholder-text")
        .collect();
    // Besides the TODO justifications, the assessment stub assesses nothing until written.
    assert_eq!(
        codes,
        ["no-impact-assessment"],
        "only the TODOs: {}",
        run.stdout
    );
    assert!(
        run.stdout.contains("`AIA-001` is not written"),
        "{}",
        run.stdout
    );
    // Every control has a record now, and every system an assessment: nothing to add.
    for kind in ["control", "assessment"] {
        let run = trustbook(&["new", kind, "--root", root]);
        assert_eq!(run.code, 1, "{}", run.stdout);
        assert!(run.stderr.starts_with("error: every "), "{}", run.stderr);
    }
}

#[test]
fn new_outside_a_site_is_a_usage_error() {
    let holder = tempfile::tempdir().unwrap();
    let run = trustbook(&["new", "risk", "--root", holder.path().to_str().unwrap()]);
    assert_eq!(run.code, 2, "{}", run.stderr);
}

/// On a site whose `ai_data_use` says no model is trained on customer data, a new supplier
/// (assumed to train until its contract says otherwise) is refused by `check`, and its
/// stub says why and what to write.
#[test]
fn a_new_supplier_says_why_a_site_that_trains_on_nothing_refuses_it() {
    let holder = tempfile::tempdir().unwrap();
    let site = holder.path().join("site");
    let root = site.to_str().unwrap();
    assert_eq!(trustbook(&["init", root]).code, 0);
    let config = site.join("content/site.yaml");
    let text = fs::read_to_string(&config).unwrap();
    fs::write(
        &config,
        format!("{text}\nai_data_use:\n  trains_on_customer_data: false\n  locations: [EU]\n"),
    )
    .unwrap();
    let run = trustbook(&["new", "supplier", "--root", root]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let stub = fs::read_to_string(site.join("content/suppliers/sup-001.yaml")).unwrap();
    assert!(
        stub.contains("`check` refuses this record until its\n# contract confirms `false` here."),
        "{stub}"
    );
    let run = common::check_json(&site);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        (run.findings().iter()).any(|f| f["code"] == "data-use-contradiction"),
        "{}",
        run.stdout
    );
    // Confirmed, it checks.
    fs::write(
        site.join("content/suppliers/sup-001.yaml"),
        stub.replace(
            "trains_on_customer_data: true",
            "trains_on_customer_data: false",
        ),
    )
    .unwrap();
    assert_eq!(common::check_json(&site).code, 0);
}
