//! The public trust centre as a buyer reads it: every certificate with its scope and
//! validity, a statement of how customer data meets AI that the records cannot contradict,
//! a security contact in `/.well-known/security.txt` (RFC 9116), and a search index that
//! holds the public text and nothing else.

mod common;

use common::{build, check_json, edit, read_text, site, write_file};
use serde_json::Value;
use std::path::Path;

/// The good fixture's single `certification:` block replaced by `certifications:`.
fn with_certifications(root: &Path, list: &str) {
    let config = root.join("content/site.yaml");
    let text = read_text(&config);
    let start = (text
        .find("certification:\n")
        .or_else(|| text.find("certifications:\n")))
    .unwrap();
    let end = start + text[start..].find("public:").unwrap();
    let replaced = format!("{}certifications:\n{list}{}", &text[..start], &text[end..]);
    std::fs::write(&config, replaced).unwrap();
}

/// The certificate files `THREE` names: a public one, and a restricted report.
fn certificate_files(root: &Path) {
    write_file(root, "content/assets/iso42001.pdf", "%PDF certificate");
    write_file(
        root,
        "content/assets/internal/soc2-report.pdf",
        "%PDF report",
    );
}

const THREE: &str = r#"  - standard: "ISO/IEC 42001:2023"
    status: certified
    certifier: "Example Cert Body"
    certificate_id: "AIMS-0001"
    scope: "The support assistant."
    issued_on: 2025-05-02
    valid_until: 2028-05-01
    certificate_file: assets/iso42001.pdf
  - standard: "SOC 2 Type II"
    status: certified
    certifier: "Example Assurance"
    certificate_id: "2025-26 report"
    scope: "The platform's security and availability."
    valid_until: 2027-09-30
    certificate_file: assets/internal/soc2-report.pdf
    visibility: restricted
  - standard: "ISO/IEC 27701:2019"
    status: planned
    scope: "Privacy information management (planned for 2027)."
    visibility: internal
"#;

#[test]
fn every_certificate_is_listed_with_scope_and_validity_and_a_restricted_one_on_request() {
    let dir = site(None);
    let root = dir.path();
    certificate_files(root);
    with_certifications(root, THREE);
    let run = build(root, &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let page = read_text(&root.join("public/index.html")).replace("&#x2f;", "/");
    for fact in [
        "ISO/IEC 42001:2023",
        "The support assistant.",
        "from 2025-05-02 until 2028-05-01",
        "SOC 2 Type II",
        "until 2027-09-30",
        "Available on request",
    ] {
        assert!(page.contains(fact), "{fact} missing from the page");
    }
    assert!(
        !page.contains("27701"),
        "an internal certification is shown"
    );
    assert!(root.join("public/assets/iso42001.pdf").is_file());
    assert!(
        !root.join("public/assets/internal/soc2-report.pdf").exists(),
        "a restricted report is published"
    );
    let trust: Value = serde_json::from_str(&read_text(&root.join("public/trust.json"))).unwrap();
    let listed: Vec<&str> = (trust["site"]["certifications"].as_array().unwrap().iter())
        .map(|c| c["standard"].as_str().unwrap())
        .collect();
    assert_eq!(listed, ["ISO/IEC 42001:2023", "SOC 2 Type II"]);
    assert_eq!(trust["site"]["certifications"][1]["on_request"], true);
    assert_eq!(
        trust["site"]["certifications"][1]["certificate_id"],
        Value::Null,
        "a restricted certificate's number is sent on request"
    );
    assert!(
        !page.contains("2025-26 report"),
        "a restricted certificate's number is shown"
    );
    assert_eq!(
        trust["site"]["certifications"][1]["certificate_file"],
        Value::Null
    );
    assert_eq!(
        trust["site"]["certification"]["standard"], "ISO/IEC 42001:2023",
        "the earlier field stays"
    );
}

/// A restricted (sent on request) or internal certificate is not made a public file by a
/// public page that links to it, wherever under `assets/` it is kept.
#[test]
fn a_public_page_linking_a_certificate_that_is_not_public_is_refused() {
    for visibility in ["restricted", "internal"] {
        let dir = site(None);
        let root = dir.path();
        certificate_files(root);
        write_file(root, "content/assets/soc2-report.pdf", "%PDF report ZQXJ");
        let three = THREE
            .replace("assets/internal/soc2-report.pdf", "assets/soc2-report.pdf")
            .replace(
                "visibility: restricted",
                &format!("visibility: {visibility}"),
            );
        with_certifications(root, &three);
        let page = root.join("content/pages/about.md");
        let text = read_text(&page);
        std::fs::write(
            &page,
            format!("{text}\nOur [SOC 2 report](../assets/soc2-report.pdf).\n"),
        )
        .unwrap();
        let run = check_json(root);
        let refused = run.places("asset-not-public");
        assert_eq!(refused.len(), 1, "{visibility}: {}", run.stdout);
        assert_eq!(refused[0].0, "content/pages/about.md", "{visibility}");
        assert_eq!(run.code, 1, "{visibility}");
        assert_eq!(build(root, &[]).code, 1, "{visibility}");
        assert!(
            !root.join("public/assets/soc2-report.pdf").exists(),
            "{visibility}"
        );
    }
}

#[test]
fn the_lifecycle_rules_apply_to_each_certificate() {
    let dir = site(None);
    let root = dir.path();
    certificate_files(root);
    let expired = THREE.replace("valid_until: 2027-09-30", "valid_until: 2026-09-30");
    let twice = expired.replace("ISO/IEC 27701:2019", "ISO/IEC 42001:2023");
    with_certifications(root, &twice);
    let run = check_json(root);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let line_of = |needle: &str| {
        let text = read_text(&root.join("content/site.yaml"));
        text.lines().position(|l| l.contains(needle)).unwrap() as i64 + 1
    };
    assert_eq!(
        run.places("certification-expired"),
        [("content/site.yaml".to_string(), line_of("2026-09-30"))]
    );
    let duplicate = run.places("duplicate-id");
    assert_eq!(duplicate.len(), 1, "{}", run.stdout);
    // A public certificate file must be public; a restricted one need not be.
    let public_file = twice.replace(
        "certificate_file: assets/iso42001.pdf",
        "certificate_file: assets/internal/soc2-report.pdf",
    );
    with_certifications(
        root,
        &public_file.replace("2026-09-30", "2027-09-30").replace(
            "ISO/IEC 42001:2023\"\n    status: planned",
            "ISO/IEC 27701:2019\"\n    status: planned",
        ),
    );
    let run = check_json(root);
    assert_eq!(run.places("asset-not-public").len(), 1, "{}", run.stdout);
}

#[test]
fn the_data_use_statement_cannot_contradict_the_records() {
    let dir = site(None);
    let root = dir.path();
    let config = root.join("content/site.yaml");
    let statement = "ai_data_use:\n  trains_on_customer_data: false\n  retention: {prompts: \"30 days\", logs: \"90 days\"}\n  locations: [EU]\n  opt_out: \"Write to us.\"\n";
    edit(&config, "public:\n", &format!("{statement}public:\n"));
    let run = build(root, &["--quiet"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let page = read_text(&root.join("public/index.html"));
    assert!(
        page.contains("No: no model, ours or a supplier"),
        "the statement is not on the page"
    );
    let trust: Value = serde_json::from_str(&read_text(&root.join("public/trust.json"))).unwrap();
    assert_eq!(trust["site"]["ai_data_use"]["retention"]["logs"], "90 days");

    // A system that trains on customer data, and a supplier outside the listed locations.
    let system = root.join("content/systems/chatbot.yaml");
    edit(
        &system,
        "customer_data_used_for_training: false",
        "customer_data_used_for_training: true",
    );
    let supplier = std::fs::read_dir(root.join("content/suppliers"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    edit(&supplier, "locations: [EU]", "locations: [DE, US]");
    let run = check_json(root);
    assert_eq!(run.code, 1);
    let places = run.places("data-use-contradiction");
    assert_eq!(places.len(), 2, "{}", run.stdout);
    assert!(
        places.iter().any(|(p, _)| p == "content/site.yaml"),
        "{places:?}"
    );
    assert!(
        places
            .iter()
            .any(|(p, _)| p.starts_with("content/suppliers/")),
        "{places:?}"
    );
    let messages: Vec<String> = (run.findings().iter())
        .map(|f| f["message"].as_str().unwrap_or("").to_string())
        .collect();
    assert!(
        messages.iter().any(|m| m.contains("`US`")),
        "DE is in the EU; US is the one named: {messages:?}"
    );
}

#[test]
fn security_txt_has_rfc_9116s_fields_and_only_when_a_contact_is_set() {
    let dir = site(None);
    let root = dir.path();
    let run = build(root, &["--quiet"]);
    assert_eq!(run.code, 0);
    assert!(
        !root.join("public/.well-known/security.txt").exists(),
        "no contact, no file"
    );

    let config = root.join("content/site.yaml");
    edit(
        &config,
        "contact:\n",
        "contact:\n  security: security@example.com\n  security_policy: POL-1\n",
    );
    let run = build(root, &["--quiet"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let text = read_text(&root.join("public/.well-known/security.txt"));
    let field = |name: &str| -> Vec<String> {
        (text.lines())
            .filter_map(|l| l.strip_prefix(&format!("{name}: ")))
            .map(str::to_string)
            .collect()
    };
    // RFC 9116: Contact at least once (a URI), Expires exactly once (in the future, less
    // than a year is recommended), every line a field.
    assert_eq!(field("Contact"), ["mailto:security@example.com"]);
    assert_eq!(
        field("Expires"),
        ["2027-11-27T00:00:00Z"],
        "a year after the build day outside git"
    );
    assert_eq!(
        field("Canonical"),
        ["https://trust.example.com/.well-known/security.txt"]
    );
    assert_eq!(
        field("Policy"),
        ["https://trust.example.com/policies/policy/index.html"]
    );
    assert!(text.lines().all(|l| l.contains(": ")), "{text}");
    let page = read_text(&root.join("public/index.html"));
    assert!(page.contains("security@example.com") && page.contains(".well-known/security.txt"));

    // What cannot take a report, or a policy the public cannot read, is an error.
    edit(&config, "security: security@example.com", "security: TODO");
    edit(&config, "security_policy: POL-1", "security_policy: POL-3");
    let run = check_json(root);
    assert_eq!(run.code, 1);
    assert_eq!(run.places("bad-value").len(), 1, "{}", run.stdout);
    assert_eq!(run.places("link-to-non-public").len(), 1, "{}", run.stdout);
}

#[test]
fn the_public_search_index_holds_body_text_but_never_an_internal_block() {
    let dir = site(None);
    let root = dir.path();
    let policy = root.join("content/policies/policy.md");
    edit(
        &policy,
        "Ask the [draft](draft.md) owner before quoting.",
        "Ask the [draft](draft.md) owner before quoting. QUIETWORD",
    );
    edit(
        &policy,
        "All AI systems, see",
        "All AI systems, LOUDWORD, see",
    );
    let run = build(root, &["--quiet"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let index = read_text(&root.join("public/search-index.js"));
    assert!(index.contains("LOUDWORD"), "public body text is searchable");
    assert!(
        !index.contains("QUIETWORD"),
        "internal text reached the public search index"
    );
    let internal = read_text(&root.join("internal/search-index.js"));
    assert!(
        internal.contains("QUIETWORD") && internal.contains("R-1"),
        "the handbook finds ids and all text"
    );
}

#[test]
fn security_contacts_that_would_break_or_bend_security_txt_are_refused() {
    let dir = site(None);
    let root = dir.path();
    let config = root.join("content/site.yaml");
    // An https address may hold an `@`: it stays a web address.
    edit(
        &config,
        "contact:\n",
        "contact:\n  security: \"https://example.com/report?to=security@example.com\"\n",
    );
    let run = build(root, &["--quiet"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let text = read_text(&root.join("public/.well-known/security.txt"));
    assert!(
        text.starts_with("Contact: https://example.com/report?to=security@example.com\n"),
        "{text}"
    );

    for (bad, field) in [
        (
            "\"https://example.com/\\nContact: mailto:evil@evil.example\"",
            "security",
        ),
        ("\"https:///path\"", "security"),
        ("\"sec urity@example.com\"", "security"),
        ("\"http://example.com/vdp\"", "security_policy"),
        (
            "\"https://example.com/\\nContact: mailto:evil@evil.example\"",
            "security_policy",
        ),
    ] {
        let text = read_text(&config);
        let mut lines: Vec<String> = text
            .lines()
            .filter(|l| !l.starts_with("  security"))
            .map(str::to_string)
            .collect();
        let at = lines.iter().position(|l| l == "contact:").unwrap();
        lines.insert(at + 1, format!("  {field}: {bad}"));
        std::fs::write(&config, lines.join("\n") + "\n").unwrap();
        let run = check_json(root);
        assert_eq!(run.code, 1, "{bad} was accepted: {}", run.stdout);
        assert_eq!(run.places("bad-value").len(), 1, "{bad}: {}", run.stdout);
    }
    let text = read_text(&config).replace(
        "language: en",
        "language: \"en\\nContact: mailto:evil@evil.example\"",
    );
    std::fs::write(&config, text).unwrap();
    assert!(
        check_json(root).findings().iter().any(
            |f| f["code"] == "bad-value" && f["message"].as_str().unwrap().contains("language")
        )
    );
}

#[test]
fn a_certificate_claim_needs_real_values_and_dates_in_order() {
    let dir = site(None);
    let root = dir.path();
    write_file(root, "content/assets/iso42001.pdf", "%PDF certificate");
    std::fs::create_dir_all(root.join("content/assets/folder")).unwrap();
    let list = "  - standard: \"ISO/IEC 42001:2023\"\n    status: certified\n    certifier: \"\"\n    certificate_id: \" \"\n    scope: \"TODO\"\n    issued_on: 2027-06-01\n    valid_until: 2027-01-01\n    certificate_file: assets/folder\n  - standard: \"ISO/IEC\u{a0}42001:2023\"\n    status: planned\n";
    with_certifications(root, list);
    let run = check_json(root);
    assert_eq!(run.code, 1);
    let codes: Vec<String> = run
        .findings()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect();
    for code in [
        "missing-field",
        "placeholder-text",
        "dates-out-of-order",
        "date-in-future",
        "evidence-missing",
        "duplicate-id",
    ] {
        assert!(codes.iter().any(|c| c == code), "no {code}: {}", run.stdout);
    }
    assert_eq!(
        codes.iter().filter(|c| *c == "missing-field").count(),
        2,
        "certifier and certificate_id: {}",
        run.stdout
    );
}

/// The home page's table of contents names each of its sections, and only those.
#[test]
fn the_contents_list_every_section_of_the_home_page() {
    let dir = common::built_sample();
    let page = common::read_text(&dir.path().join("public/index.html"));
    let toc = (page.split("<nav class=\"toc\"").nth(1))
        .and_then(|rest| rest.split("</nav>").next())
        .expect("a table of contents");
    let mut listed: Vec<&str> = (toc.split("href=\"#").skip(1))
        .map(|rest| rest.split('"').next().unwrap())
        .collect();
    let mut sections: Vec<&str> = (page.split("<section id=\"").skip(1))
        .map(|rest| rest.split('"').next().unwrap())
        .collect();
    listed.sort();
    sections.sort();
    assert_eq!(listed, sections);
}
