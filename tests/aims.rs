//! Objectives, internal audits and corrective actions as an auditor and a customer meet
//! them: the handbook's registers, pages, CSVs, dashboard and review pack; the public page
//! shows an objective's statement, target and status and nothing else of any of them.

mod common;

use common::{build, files_under, site};
use serde_json::Value;
use std::fs;

use common::{read_text as read, write_file as write};

/// Canaries in every field the public may not read.
const INTERNAL_ONLY: [&str; 9] = [
    "CANARY-MEASURE",
    "CANARY-CURRENT",
    "CANARY-OBJECTIVE-OWNER",
    "CANARY-INTERNAL-OBJECTIVE",
    "CANARY-AUDIT-TITLE",
    "CANARY-INDEPENDENCE",
    "CANARY-FINDING",
    "CANARY-ACTION-TITLE",
    "CANARY-ROOT-CAUSE",
];

/// The good site with a public and an internal objective, an audit with a major and a
/// minor nonconformity, a closed action answering the minor one and an open one the major.
fn aims_site() -> tempfile::TempDir {
    let dir = site(None);
    let root = dir.path();
    write(
        root,
        "content/objectives/obj-1.yaml",
        "id: OBJ-1\nstatement: Every AI system has a current impact assessment.\n\
         measure: CANARY-MEASURE share of systems\ntarget: 100% by 2027-03-31\n\
         current: CANARY-CURRENT 50%\nmeasured_on: 2026-11-01\n\
         owner: CANARY-OBJECTIVE-OWNER\nstatus: at-risk\ncontrols: [ACME-1]\n\
         visibility: public\npublic_summary: We assess every AI system.\n",
    );
    write(
        root,
        "content/objectives/obj-2.yaml",
        "id: OBJ-2\nstatement: CANARY-INTERNAL-OBJECTIVE\nmeasure: Count\ntarget: Ten\n\
         owner: Head of Support\nstatus: on-track\n",
    );
    write(
        root,
        "content/audits/aud-1.yaml",
        "id: AUD-1\ntitle: CANARY-AUDIT-TITLE 2026\nstart: 2026-09-14\nend: 2026-09-18\n\
         auditor: Example Audit LLP\nindependence: CANARY-INDEPENDENCE\nstatus: completed\n\
         findings:\n  - id: F1\n    grade: major-nonconformity\n    description: CANARY-FINDING no impact assessment\n    concerns: [SYS-1]\n\
         \x20 - id: F2\n    grade: minor-nonconformity\n    description: Evidence collected late\n    concerns: [ACME-1]\n",
    );
    write(
        root,
        "content/actions/ca-1.yaml",
        "id: CA-1\ntitle: CANARY-ACTION-TITLE assess the chatbot\nsource: audit-finding\n\
         audit: AUD-1\nfinding: F1\nseverity: major\ndescription: No impact assessment.\n\
         raised_on: 2026-09-18\nowner: Head of Support\nroot_cause: CANARY-ROOT-CAUSE\n\
         steps:\n  - {description: Write it, owner: Head of Support, due: 2027-01-15}\n\
         concerns: [SYS-1]\n",
    );
    write(
        root,
        "content/actions/ca-2.yaml",
        "id: CA-2\ntitle: Collect evidence on time\nsource: audit-finding\naudit: AUD-1\n\
         finding: F2\nseverity: minor\ndescription: Evidence late.\nraised_on: 2026-09-18\n\
         owner: Head of Support\nsteps:\n  - {description: Calendar reminders, owner: Head of Support, due: 2026-10-15, done: 2026-10-10}\n\
         effectiveness_check: {date: 2026-11-20, by: Internal audit, result: On time since, effective: true}\n\
         closed_on: 2026-11-21\n",
    );
    dir
}

#[test]
fn nothing_of_audits_actions_or_internal_objectives_reaches_the_public_site() {
    let dir = aims_site();
    let run = build(dir.path(), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("warning["), "{}", run.stderr);
    for (path, bytes) in files_under(&dir.path().join("public")) {
        let text = String::from_utf8_lossy(&bytes);
        for canary in INTERNAL_ONLY {
            assert!(!text.contains(canary), "public/{path} leaks {canary}");
        }
    }
    let internal: String = files_under(&dir.path().join("internal"))
        .into_iter()
        .map(|(_, b)| String::from_utf8_lossy(&b).into_owned())
        .collect();
    for canary in INTERNAL_ONLY {
        assert!(internal.contains(canary), "the handbook lacks {canary}");
    }
    // The public objective: statement, target and status.
    let home = read(&dir.path().join("public/index.html"));
    assert!(
        home.contains("<th scope=\"row\">Every AI system has a current impact assessment.</th><td>100% by 2027-03-31</td>"),
        "{home}"
    );
    let json: Value = serde_json::from_str(&read(&dir.path().join("public/trust.json"))).unwrap();
    assert_eq!(
        json["ai_objectives"],
        serde_json::json!([{
            "statement": "Every AI system has a current impact assessment.",
            "target": "100% by 2027-03-31",
            "status": "at-risk"
        }])
    );
}

/// "On track" past the due date is no longer true: the public page and trust.json say
/// the objective is past due, and `check` warns where the date is written.
#[test]
fn a_public_objective_past_its_due_date_is_shown_as_past_due() {
    let dir = aims_site();
    let path = dir.path().join("content/objectives/obj-1.yaml");
    let text = read(&path).replace("status: at-risk", "status: on-track\ndue: 2026-06-30");
    fs::write(&path, text).unwrap();
    let run = build(dir.path(), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("target-overdue"), "{}", run.stderr);
    assert!(run.stderr.contains("obj-1.yaml:"), "{}", run.stderr);
    let home = read(&dir.path().join("public/index.html"));
    assert!(
        home.contains("<span class=\"status status-past-due\">Past due</span>"),
        "{home}"
    );
    assert!(!home.contains("On track"), "{home}");
    let json: Value = serde_json::from_str(&read(&dir.path().join("public/trust.json"))).unwrap();
    assert_eq!(json["ai_objectives"][0]["status"], "past-due");
    // Achieved past its date is still achieved.
    let text = read(&path).replace("status: on-track", "status: achieved");
    fs::write(&path, text).unwrap();
    assert_eq!(build(dir.path(), &[]).code, 0);
    let json: Value = serde_json::from_str(&read(&dir.path().join("public/trust.json"))).unwrap();
    assert_eq!(json["ai_objectives"][0]["status"], "achieved");
}

#[test]
fn the_registers_csvs_and_dashboard_agree() {
    let dir = aims_site();
    assert_eq!(build(dir.path(), &[]).code, 0);
    let internal = dir.path().join("internal");
    let rows = |name: &str| -> Vec<csv::StringRecord> {
        let text = read(&internal.join(name));
        csv::Reader::from_reader(text.as_bytes())
            .records()
            .map(Result::unwrap)
            .collect()
    };
    let audits = rows("audits.csv");
    assert_eq!(audits.len(), 2, "a row per finding");
    assert_eq!(
        (&audits[0][6], &audits[0][7], &audits[0][10]),
        ("F1", "major-nonconformity", "CA-1")
    );
    assert_eq!((&audits[1][6], &audits[1][10]), ("F2", "CA-2"));
    let actions = rows("actions.csv");
    // Open first.
    assert_eq!((&actions[0][0], &actions[0][12]), ("CA-1", ""));
    assert_eq!(
        (&actions[1][0], &actions[1][11], &actions[1][12]),
        ("CA-2", "yes", "2026-11-21")
    );
    let objectives = rows("objectives.csv");
    assert_eq!(objectives.len(), 2);
    assert_eq!(&objectives[0][11], "public");
    let dashboard = read(&internal.join("index.html"));
    assert!(dashboard.contains("1 open"), "{dashboard}");
    assert!(
        dashboard.contains("1 major nonconformity open."),
        "{dashboard}"
    );
    assert!(dashboard.contains("actions/ca-1/index.html"), "{dashboard}");
    // The audit page links each finding's action; the action links back to the finding.
    let audit = read(&internal.join("audits/aud-1/index.html"));
    assert!(
        audit.contains("href=\"../../actions/ca-1/index.html\">CA-1</a>"),
        "{audit}"
    );
    let action = read(&internal.join("actions/ca-1/index.html"));
    assert!(
        action.contains("href=\"../../audits/aud-1/index.html#f1\""),
        "{action}"
    );
    let calendar = read(&internal.join("calendar/index.html"));
    assert!(
        calendar.contains("2027-01-15"),
        "the open step is in the calendar: {calendar}"
    );
}

#[test]
fn the_review_pack_lists_objectives_findings_and_open_actions() {
    let dir = aims_site();
    assert_eq!(build(dir.path(), &[]).code, 0);
    let pack = read(&dir.path().join("internal/review/index.html"));
    let text = pack.split("<h2>").collect::<Vec<_>>();
    let section = |title: &str| {
        text.iter()
            .find(|s| s.starts_with(title))
            .unwrap_or_else(|| panic!("no section {title}: {pack}"))
            .to_string()
    };
    let objectives = section("AI objectives");
    assert!(
        objectives.contains("OBJ-1") && objectives.contains("At risk"),
        "{objectives}"
    );
    let audits = section("Internal audit results");
    assert!(
        audits.contains("F1, Major nonconformity") && audits.contains("(action CA-1)"),
        "{audits}"
    );
    let actions = section("Nonconformities and corrective actions");
    assert!(actions.contains("1 open, 1 closed."), "{actions}");
    assert!(actions.contains("CA-1 CANARY-ACTION-TITLE"), "{actions}");
    assert!(
        actions.contains("CA-2 (2026-11-21, effective)"),
        "{actions}"
    );
}

#[test]
fn an_action_naming_a_finding_its_audit_lacks_is_an_error() {
    let dir = aims_site();
    let path = dir.path().join("content/actions/ca-1.yaml");
    fs::write(&path, read(&path).replace("finding: F1", "finding: F9")).unwrap();
    let run = common::check_json(dir.path());
    assert_eq!(run.code, 1);
    let codes: Vec<(String, String, i64)> = (run.findings().into_iter())
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_i64().unwrap(),
            )
        })
        .collect();
    assert!(
        codes.contains(&(
            "missing-reference".into(),
            "content/actions/ca-1.yaml".into(),
            5
        )),
        "{}",
        run.stdout
    );
    // And F1 now has no action.
    assert!(
        codes.iter().any(|c| c.0 == "nonconformity-without-action"),
        "{}",
        run.stdout
    );
}

#[test]
fn the_dashboard_counts_major_nonconformities_by_the_audits_grade() {
    let dir = aims_site();
    // The action on the major finding says minor: an error, and the dashboard still
    // counts the finding as an open major nonconformity.
    let action = dir.path().join("content/actions/ca-1.yaml");
    fs::write(
        &action,
        read(&action).replace("severity: major", "severity: minor"),
    )
    .unwrap();
    let run = common::check_json(dir.path());
    let bad: Vec<Value> = (run.findings().into_iter())
        .filter(|f| f["code"] == "bad-value")
        .collect();
    assert_eq!(bad.len(), 1, "{}", run.stdout);
    assert!(
        bad[0]["message"]
            .as_str()
            .unwrap()
            .contains("finding F1 of `AUD-1` is a major nonconformity"),
        "{}",
        bad[0]
    );
    // Without any action on the major finding, the dashboard names the audit's finding.
    fs::remove_file(&action).unwrap();
    let run = build(dir.path(), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let dashboard = read(&dir.path().join("internal/index.html"));
    assert!(
        dashboard.contains("1 major nonconformity open."),
        "{dashboard}"
    );
    assert!(
        dashboard.contains("AUD-1 F1: no corrective action"),
        "{dashboard}"
    );
}

#[test]
fn a_closed_action_that_did_not_work_is_a_warning_and_two_actions_on_a_finding_both_show() {
    let dir = aims_site();
    let closed = dir.path().join("content/actions/ca-2.yaml");
    fs::write(
        &closed,
        read(&closed).replace("effective: true", "effective: false"),
    )
    .unwrap();
    write(
        dir.path(),
        "content/actions/ca-3.yaml",
        "id: CA-3\ntitle: Second action on F1\nsource: audit-finding\naudit: AUD-1\nfinding: F1\n\
         severity: major\ndescription: More to do.\nraised_on: 2026-10-01\nowner: Head of Support\n",
    );
    let run = build(dir.path(), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("warning[closed-not-effective]"),
        "{}",
        run.stderr
    );
    let audit = read(&dir.path().join("internal/audits/aud-1/index.html"));
    assert!(
        audit.contains(">CA-1</a>, <a href=\"../../actions/ca-3/index.html\">CA-3</a>"),
        "{audit}"
    );
    let csv = read(&dir.path().join("internal/audits.csv"));
    assert!(csv.contains(",CA-1; CA-3"), "{csv}");
}

#[test]
fn parties_and_assessments_stay_internal_but_a_public_assessment_summary_is_on_the_system_page() {
    let dir = aims_site();
    let root = dir.path();
    write(
        root,
        "content/parties/pty-1.yaml",
        "id: PTY-1\nname: CANARY-PARTY-NAME customers\nneeds: [CANARY-NEED]\n\
         requirements: [CANARY-REQUIREMENT]\naddressed_by: [POL-1, ACME-1]\n\
         engagement: CANARY-ENGAGEMENT\nowner: CANARY-PARTY-OWNER\nnext_review: 2027-03-01\n",
    );
    write(
        root,
        "content/assessments/aia-1.yaml",
        "id: AIA-1\nsystem: SYS-1\ndate: 2026-10-01\nassessor: CANARY-ASSESSOR\n\
         affected: [CANARY-AFFECTED]\nuses: [CANARY-USE]\nmisuses: [CANARY-MISUSE]\n\
         harms: [{description: CANARY-HARM, severity: 4, likelihood: 2}]\n\
         benefits: [{description: CANARY-BENEFIT, severity: 2, likelihood: 4}]\n\
         mitigations: [ACME-1, R-1]\nresidual_impact: CANARY-RESIDUAL\n\
         decision: proceed-with-conditions\nconditions: CANARY-CONDITIONS\n\
         next_review: 2027-10-01\nvisibility: public\n\
         public_summary: We assessed the chatbot's effect on customers.\n",
    );
    let run = build(root, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let canaries = [
        "CANARY-PARTY-NAME",
        "CANARY-NEED",
        "CANARY-REQUIREMENT",
        "CANARY-ENGAGEMENT",
        "CANARY-PARTY-OWNER",
        "CANARY-ASSESSOR",
        "CANARY-AFFECTED",
        "CANARY-USE",
        "CANARY-MISUSE",
        "CANARY-HARM",
        "CANARY-BENEFIT",
        "CANARY-RESIDUAL",
        "CANARY-CONDITIONS",
    ];
    for (path, bytes) in files_under(&root.join("public")) {
        let text = String::from_utf8_lossy(&bytes);
        for canary in canaries {
            assert!(!text.contains(canary), "public/{path} leaks {canary}");
        }
    }
    let system = read(&root.join("public/systems/chatbot/index.html"));
    assert!(
        system.contains("2026-10-01</time>: We assessed the chatbot&#x27;s effect on customers."),
        "{system}"
    );
    let json: Value = serde_json::from_str(&read(&root.join("public/trust.json"))).unwrap();
    assert_eq!(
        json["systems"][0]["impact_assessment"]["date"],
        "2026-10-01"
    );
    assert!(
        json["systems"][0]["impact_assessment"]
            .get("review_overdue")
            .is_none()
            && !system.contains("Review overdue"),
        "{json}"
    );
    // A dated fact the public page shows: the site's "last updated" and the page's
    // `lastmod` are no older than it.
    assert!(json["updated"].as_str().unwrap() >= "2026-10-01", "{json}");
    let sitemap = read(&root.join("public/sitemap.xml"));
    let entry = &sitemap[sitemap.find("systems/chatbot/").unwrap()..];
    let lastmod = &entry[entry.find("<lastmod>").unwrap() + 9..][..10];
    assert!(lastmod >= "2026-10-01", "{sitemap}");
    // An assessment past its review is not presented as current.
    let assessment = read(&root.join("content/assessments/aia-1.yaml"))
        .replace("next_review: 2027-10-01", "next_review: 2026-11-01");
    write(root, "content/assessments/aia-1.yaml", &assessment);
    let run = build(root, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let system = read(&root.join("public/systems/chatbot/index.html"));
    assert!(system.contains("Review overdue"), "{system}");
    let json: Value = serde_json::from_str(&read(&root.join("public/trust.json"))).unwrap();
    assert_eq!(
        json["systems"][0]["impact_assessment"]["review_overdue"],
        true
    );
    // The handbook: both CSVs, the pages and their links.
    let internal = root.join("internal");
    let parties = read(&internal.join("parties.csv"));
    assert!(
        parties.starts_with("id,name,needs,requirements,addressed_by,engagement,owner\r\n"),
        "{parties}"
    );
    assert!(
        parties.contains("PTY-1,CANARY-PARTY-NAME customers,CANARY-NEED"),
        "{parties}"
    );
    let assessments = read(&internal.join("assessments.csv"));
    let rows: Vec<csv::StringRecord> = csv::Reader::from_reader(assessments.as_bytes())
        .records()
        .map(Result::unwrap)
        .collect();
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (&rows[0][1], &rows[0][6], &rows[0][9]),
        ("SYS-1", "8", "proceed-with-conditions")
    );
    let page = read(&internal.join("assessments/aia-1/index.html"));
    assert!(page.contains("systems/chatbot/index.html"), "{page}");
    let system = read(&internal.join("systems/chatbot/index.html"));
    assert!(
        system.contains("assessments/aia-1/index.html"),
        "referenced by: {system}"
    );
    let pack = read(&internal.join("review/index.html"));
    assert!(pack.contains("PTY-1 CANARY-PARTY-NAME customers"), "{pack}");
    assert!(
        pack.contains("AIA-1, SYS-1, 2026-10-01: Proceed with conditions"),
        "{pack}"
    );
}

#[test]
fn an_empty_title_owner_or_finding_is_reported_where_it_stands() {
    let dir = aims_site();
    let action = dir.path().join("content/actions/ca-2.yaml");
    fs::write(
        &action,
        read(&action).replace("title: Collect evidence on time", "title: \"\""),
    )
    .unwrap();
    let audit = dir.path().join("content/audits/aud-1.yaml");
    fs::write(
        &audit,
        read(&audit).replace("auditor: Example Audit LLP", "auditor: \"  \""),
    )
    .unwrap();
    let run = common::check_json(dir.path());
    assert_eq!(
        run.places("missing-field"),
        [
            ("content/actions/ca-2.yaml".to_string(), 2),
            ("content/audits/aud-1.yaml".to_string(), 5),
        ],
        "{}",
        run.stdout
    );
    assert_eq!(run.code, 1);
}

#[test]
fn an_assessment_that_refuses_a_system_in_production_is_an_error() {
    let dir = aims_site();
    write(
        dir.path(),
        "content/assessments/aia-1.yaml",
        "id: AIA-1\nsystem: SYS-1\ndate: 2026-10-01\nassessor: DPO\naffected: [Customers]\n\
         residual_impact: High\ndecision: do-not-proceed\nvisibility: public\n\
         public_summary: We assessed the chatbot.\n",
    );
    let run = common::check_json(dir.path());
    assert_eq!(run.code, 1, "{}", run.stdout);
    let refused: Vec<Value> = (run.findings().into_iter())
        .filter(|f| f["code"] == "assessment-refuses-system")
        .collect();
    assert_eq!(refused.len(), 1, "{}", run.stdout);
    assert_eq!(refused[0]["line"], 7);
    // Proceeding with conditions needs the conditions.
    write(
        dir.path(),
        "content/assessments/aia-1.yaml",
        "id: AIA-1\nsystem: SYS-1\ndate: 2026-10-01\nassessor: DPO\naffected: [Customers]\n\
         residual_impact: Low\ndecision: proceed-with-conditions\n",
    );
    let run = common::check_json(dir.path());
    assert!(
        run.findings().iter().any(|f| f["code"] == "missing-field"
            && f["message"].as_str().unwrap().contains("conditions")),
        "{}",
        run.stdout
    );
}

/// A broken record is reported once, at its mistake: what it would have answered is not
/// also reported as missing (the fix is the record's, not a new one).
#[test]
fn a_broken_action_or_supplier_is_one_error_not_a_cascade() {
    let dir = aims_site();
    let root = dir.path();
    let action = read(&root.join("content/actions/ca-1.yaml"))
        .replace("raised_on: 2026-09-18", "raised_on: 18/09/2026");
    write(root, "content/actions/ca-1.yaml", &action);
    write(
        root,
        "content/suppliers/model-provider.yaml",
        "id: SUP-1\nname: Example Model Provider Ltd\nservice: Hosted language model API\n\
         purpose: Drafts the chatbot's answers\nkind: ai-model-provider\n\
         trains_on_customer_data: false\nsince: 2025-01-01\n\
         visibility: Public\npublic_summary: Provides the chatbot's language model.\n",
    );
    let run = common::check_json(root);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let codes = run.codes_and_paths();
    for expected in [
        "bad-date content/actions/ca-1.yaml",
        "bad-value content/suppliers/model-provider.yaml",
    ] {
        assert!(codes.iter().any(|c| c == expected), "{expected}: {codes:?}");
    }
    for cascade in ["nonconformity-without-action", "supplier-not-public"] {
        assert!(
            !codes.iter().any(|c| c.starts_with(cascade)),
            "{cascade}: {codes:?}"
        );
    }
}
