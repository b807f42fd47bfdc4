//! The public page is read as a statement of fact: these tests build sites the way a new
//! user writes them and check that each public sentence is true on the build day.

mod common;

use common::{build, check_json, edit, site, trustbook};
use std::fs;
use std::path::Path;

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap()
}

/// Replaces the top-level line `field: …` of a record.
fn set_field(path: &Path, field: &str, value: &str) {
    let text = read(path);
    let prefix = format!("{field}:");
    let line = text
        .lines()
        .find(|l| l.starts_with(&prefix))
        .unwrap()
        .to_string();
    edit(path, &line, &format!("{field}: {value}"));
}

#[test]
fn right_after_init_the_public_page_claims_nothing_about_controls() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    let run = trustbook(&["init", root.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = build(&root, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let page = read(&root.join("public/index.html"));
    let controls = page
        .split("<section id=\"controls\"")
        .nth(1)
        .and_then(|rest| rest.split("</section>").next())
        .expect("a control section");
    for claim in [
        "implemented",
        "planned",
        "controls recorded",
        "partly",
        "A.",
        "<details",
    ] {
        assert!(
            !controls.contains(claim),
            "the public page claims `{claim}`: {controls}"
        );
    }
    assert!(controls.contains("No control status is published yet."));
    let trust = read(&root.join("public/trust.json"));
    assert!(trust.contains("\"control_totals\": null"), "{trust}");
    let dashboard = read(&root.join("internal/index.html"));
    assert!(
        dashboard.contains(">0%<"),
        "no completeness while every justification says TODO"
    );
    let soa = read(&root.join("internal/soa/index.html"));
    assert!(soa.contains("Not yet assessed"));
}

#[test]
fn an_unassessed_public_control_is_not_published_and_the_warning_says_so() {
    let dir = site(None);
    let control = dir.path().join("content/controls/a-6-2-4.yaml");
    fs::write(
        &control,
        "id: A.6.2.4\napplicable: true\njustification: \"TODO: why\"\nstatus: implemented\nowner: Head of ML\nvisibility: public\npublic_summary: Verified before release.\n",
    )
    .unwrap();
    let run = check_json(dir.path());
    let warning = run
        .findings()
        .into_iter()
        .find(|f| f["code"] == "placeholder-text")
        .expect("a placeholder-text warning");
    assert!(
        warning["message"]
            .as_str()
            .unwrap()
            .contains("not published until it is")
    );
    assert_eq!(build(dir.path(), &[]).code, 0);
    assert!(!dir.path().join("public/controls/a-6-2-4").exists());
    let trust = read(&dir.path().join("public/trust.json"));
    // Counted, its status not claimed: among the controls whose status is not published.
    assert!(trust.contains("\"not_assessed\": 0"), "{trust}");
    assert!(trust.contains("\"not_published\": 3"), "{trust}");
}

#[test]
fn versions_keep_the_text_the_author_typed() {
    let dir = site(None);
    let policy = dir.path().join("content/policies/policy.md");
    edit(&policy, "version: 2.1\n", "version: 2.10\n");
    edit(&policy, "{version: 2.1, date", "{version: 2.10, date");
    let run = build(dir.path(), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let trust = read(&dir.path().join("public/trust.json"));
    assert!(trust.contains("\"version\": \"2.10\""), "{trust}");
    assert!(!trust.contains("\"version\": \"2.1\""), "{trust}");
    let page = read(&dir.path().join("public/policies/policy/index.html"));
    assert!(page.contains("2.10"));
}

#[test]
fn a_certificate_is_shown_with_scope_number_issuer_validity_and_file() {
    let dir = site(None);
    fs::write(
        dir.path().join("content/assets/certificate.pdf"),
        b"%PDF cert",
    )
    .unwrap();
    let config = dir.path().join("content/site.yaml");
    edit(
        &config,
        "  valid_until: 2028-05-01\n",
        "  valid_until: 2028-05-01\n  certificate_file: assets/certificate.pdf\n",
    );
    let run = build(dir.path(), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let page = read(&dir.path().join("public/index.html"));
    for fact in [
        "Example Cert Body",
        "AIMS-0001",
        "2028-05-01",
        "Design, development",
        "assets/certificate.pdf",
    ] {
        assert!(page.contains(fact), "{fact} missing from the certification");
    }
    assert!(dir.path().join("public/assets/certificate.pdf").is_file());
}

#[test]
fn a_certificate_file_that_is_internal_is_refused() {
    let dir = site(None);
    let config = dir.path().join("content/site.yaml");
    edit(
        &config,
        "  valid_until: 2028-05-01\n",
        "  valid_until: 2028-05-01\n  certificate_file: assets/impact-assessment.txt\n",
    );
    let run = check_json(dir.path());
    assert_eq!(run.code, 1);
    let codes: Vec<_> = run.findings().iter().map(|f| f["code"].clone()).collect();
    assert_eq!(codes, ["asset-not-public"]);
}

#[test]
fn a_certified_status_without_its_facts_is_refused() {
    let dir = site(None);
    let config = dir.path().join("content/site.yaml");
    let text = read(&config);
    let without: String = text
        .lines()
        .filter(|l| !l.starts_with("  scope:") && !l.starts_with("  certificate_id:"))
        .map(|l| format!("{l}\n"))
        .collect();
    fs::write(&config, without).unwrap();
    let run = check_json(dir.path());
    assert_eq!(run.code, 1);
    let messages: Vec<String> = run
        .findings()
        .iter()
        .map(|f| format!("{} {}", f["code"], f["message"]))
        .collect();
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(messages.iter().all(|m| m.contains("missing-field")));
    assert!(messages.iter().any(|m| m.contains("`scope` of the")));
    assert!(
        messages
            .iter()
            .any(|m| m.contains("`certificate_id` of the"))
    );
}

#[test]
fn a_certificate_not_held_shows_no_number_validity_or_file() {
    let dir = site(None);
    fs::write(
        dir.path().join("content/assets/certificate.pdf"),
        b"%PDF cert",
    )
    .unwrap();
    let config = dir.path().join("content/site.yaml");
    edit(&config, "  status: certified\n", "  status: in_progress\n");
    edit(
        &config,
        "  valid_until: 2028-05-01\n",
        "  valid_until: 2028-05-01\n  certificate_file: assets/certificate.pdf\n",
    );
    let run = build(dir.path(), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let page = read(&dir.path().join("public/index.html"));
    for claim in ["AIMS-0001", "valid until", "certificate.pdf"] {
        assert!(
            !page.contains(claim),
            "a certificate in progress shows `{claim}`"
        );
    }
    assert!(!dir.path().join("public/assets/certificate.pdf").exists());
    let trust = read(&dir.path().join("public/trust.json"));
    assert!(trust.contains("\"certificate_id\": null"), "{trust}");
}

#[test]
fn pages_are_not_called_policies() {
    let dir = site(None);
    assert_eq!(build(dir.path(), &[]).code, 0);
    let trust = read(&dir.path().join("public/trust.json"));
    let about = trust.split("\"url\": \"pages/about/\"").nth(1).unwrap();
    assert!(
        about
            .split('}')
            .next()
            .unwrap()
            .contains("\"doc_type\": \"page\""),
        "{trust}"
    );
    let page = read(&dir.path().join("public/pages/about/index.html"));
    assert!(!page.contains(">Policy<"), "{page}");
}

#[test]
fn a_public_summary_that_says_todo_is_not_published() {
    let dir = site(None);
    let system = dir.path().join("content/systems/chatbot.yaml");
    set_field(
        &system,
        "public_summary",
        "\"TODO: write something customer-friendly\"",
    );
    let run = check_json(dir.path());
    assert_eq!(run.code, 0, "{}", run.stdout);
    let warning = run
        .findings()
        .into_iter()
        .find(|f| f["code"] == "public-not-published")
        .expect("a public-not-published warning");
    assert!(warning["message"].as_str().unwrap().contains("TODO"));
    assert_eq!(build(dir.path(), &[]).code, 0);
    for (path, bytes) in common::files_under(&dir.path().join("public")) {
        assert!(
            !String::from_utf8_lossy(&bytes).contains("customer-friendly"),
            "{path}"
        );
    }
}

/// A public record whose page would print a placeholder (`TODO: why it is used`, as the
/// stub `trustbook new system` writes) is not published until the text is written.
#[test]
fn a_public_record_whose_shown_text_says_todo_is_not_published() {
    let dir = site(None);
    let system = dir.path().join("content/systems/chatbot.yaml");
    set_field(&system, "purpose", "\"TBD after the pilot\"");
    let run = check_json(dir.path());
    assert_eq!(run.code, 0, "{}", run.stdout);
    let warning = run
        .findings()
        .into_iter()
        .find(|f| f["code"] == "public-not-published")
        .expect("a public-not-published warning");
    assert!(warning["message"].as_str().unwrap().contains("TODO"));
    assert_eq!(warning["path"], "content/systems/chatbot.yaml");
    let purpose_line = read(&system)
        .lines()
        .position(|l| l.starts_with("purpose:"))
        .unwrap();
    assert_eq!(
        warning["line"],
        purpose_line as i64 + 1,
        "it points at the field"
    );
    assert_eq!(build(dir.path(), &[]).code, 0);
    for (path, bytes) in common::files_under(&dir.path().join("public")) {
        assert!(
            !String::from_utf8_lossy(&bytes).contains("after the pilot"),
            "{path}"
        );
    }
}

#[test]
fn an_image_from_another_host_is_warned_about_not_dropped_in_silence() {
    let dir = site(None);
    let about = dir.path().join("content/pages/about.md");
    let text = read(&about);
    fs::write(
        &about,
        format!("{text}\n![Team photo](https://cdn.example.com/team.jpg)\n"),
    )
    .unwrap();
    let run = check_json(dir.path());
    let warning = run
        .findings()
        .into_iter()
        .find(|f| f["code"] == "link-to-non-public")
        .expect("a warning about the image");
    assert!(
        warning["message"]
            .as_str()
            .unwrap()
            .contains("another host")
    );
    assert_eq!(build(dir.path(), &[]).code, 0);
    let page = read(&dir.path().join("public/pages/about/index.html"));
    assert!(
        !page.contains("cdn.example.com"),
        "nothing is loaded from elsewhere"
    );
}

/// Raw HTML's images from another host are dropped by the sanitiser as Markdown's are:
/// `check` says so for each, at its line, and only for tags a page keeps (a `<video>`
/// is removed whole, its source with it).
#[test]
fn an_image_from_another_host_in_raw_html_is_warned_about_too() {
    let dir = site(None);
    let about = dir.path().join("content/pages/about.md");
    let text = read(&about);
    let body = "\n<img src=\"https://tracker.example.com/pixel.gif\" alt=\"Pixel\">\n\n\
        Inline <IMG\tSRC=//cdn.example.net/a.png> and <img src=\"ok-not-here.png\"> text.\n\n\
        <video src=\"https://video.example.org/a.mp4\"></video>\n";
    fs::write(&about, format!("{text}{body}")).unwrap();
    let saved = read(&about);
    let line_of = |needle: &str| saved.lines().position(|l| l.contains(needle)).unwrap() as i64 + 1;
    let run = check_json(dir.path());
    let elsewhere: Vec<_> = (run.findings().into_iter())
        .filter(|f| f["code"] == "link-to-non-public" && f["path"] == "content/pages/about.md")
        .collect();
    let at: Vec<(i64, i64)> = (elsewhere.iter())
        .map(|f| (f["line"].as_i64().unwrap(), f["column"].as_i64().unwrap()))
        .collect();
    let inline = line_of("Inline <IMG");
    assert_eq!(
        at,
        [(line_of("tracker.example.com"), 1), (inline, 8)],
        "{elsewhere:?}"
    );
    assert!(
        elsewhere
            .iter()
            .all(|f| f["message"].as_str().unwrap().contains("another host"))
    );
    // The local image that is not there is still a broken link, at its own tag.
    let broken = (run.findings().into_iter())
        .find(|f| f["code"] == "broken-link")
        .expect("the missing local image");
    assert_eq!(broken["line"], inline);
    fs::write(
        &about,
        format!(
            "{text}{}",
            body.replace("<img src=\"ok-not-here.png\"> ", "")
        ),
    )
    .unwrap();
    assert_eq!(build(dir.path(), &[]).code, 0);
    for (path, bytes) in common::files_under(&dir.path().join("public")) {
        let page = String::from_utf8_lossy(&bytes);
        for host in [
            "tracker.example.com",
            "cdn.example.net",
            "video.example.org",
            "trustbook-elsewhere",
        ] {
            assert!(!page.contains(host), "{path} names {host}");
        }
    }
    let page = read(&dir.path().join("public/pages/about/index.html"));
    assert!(
        page.contains("<img alt=\"Pixel\">"),
        "the tag stays, its source gone"
    );
}

/// A public policy's page, the site's lists, trust.json and the feed print its version,
/// tags and revision notes as written: one that still says TODO holds the policy back.
#[test]
fn a_public_policy_whose_revision_note_says_todo_is_not_published() {
    let dir = site(None);
    let policy = dir.path().join("content/policies/policy.md");
    edit(
        &policy,
        "summary: Adds supplier models",
        "summary: \"TODO: say what changed\"",
    );
    let run = check_json(dir.path());
    assert_eq!(run.code, 0, "{}", run.stdout);
    let warning = (run.findings().into_iter())
        .find(|f| f["code"] == "public-not-published" && f["path"] == "content/policies/policy.md")
        .unwrap_or_else(|| panic!("a public-not-published warning: {}", run.stdout));
    assert!(warning["message"].as_str().unwrap().contains("TODO"));
    assert_eq!(build(dir.path(), &[]).code, 0);
    for (path, bytes) in common::files_under(&dir.path().join("public")) {
        assert!(
            !String::from_utf8_lossy(&bytes).contains("say what changed"),
            "{path}"
        );
    }
}

/// "Approved" is a claim that someone approved it: a policy whose `approved_by` is still a
/// placeholder is held back, and the warning names the field.
#[test]
fn a_policy_whose_approver_says_todo_is_not_presented_as_approved() {
    for approver in ["TODO", "TBD", "\"tbd - ask legal\""] {
        let dir = site(None);
        let policy = dir.path().join("content/policies/policy.md");
        set_field(&policy, "approved_by", approver);
        let run = check_json(dir.path());
        assert_eq!(run.code, 0, "{}", run.stdout);
        let warning = (run.findings().into_iter())
            .find(|f| {
                f["code"] == "public-not-published" && f["path"] == "content/policies/policy.md"
            })
            .unwrap_or_else(|| panic!("{approver}: no public-not-published: {}", run.stdout));
        assert!(
            warning["message"].as_str().unwrap().contains("approved_by"),
            "{warning}"
        );
        assert_eq!(build(dir.path(), &[]).code, 0);
        assert!(
            !dir.path().join("public/policies/policy").exists(),
            "{approver}"
        );
    }
}

/// A public body's placeholder is warned about wherever it stands in a line, in capitals
/// (a word written as a placeholder), not only at the start; a code span naming the word,
/// and an ordinary word that contains it, are not.
#[test]
fn a_placeholder_in_the_middle_of_a_public_body_line_is_warned_about() {
    let warned_line = |line: &str| -> Option<i64> {
        let dir = site(None);
        let policy = dir.path().join("content/policies/policy.md");
        fs::write(&policy, format!("{}\n{line}\n", read(&policy))).unwrap();
        let last = read(&policy).lines().count() as i64;
        let run = check_json(dir.path());
        let places = run.places("placeholder-text");
        places
            .iter()
            .find(|(path, _)| path == "content/policies/policy.md")
            .map(|(_, at)| {
                assert_eq!(*at, last, "{line:?}");
                *at
            })
    };
    for line in [
        "Retention is TBD until legal signs off.",
        "The owner is XXX, see the RACI.",
        "Send reports to FIXME@example.com.",
        "Reviewed by the board (T\u{200b}BD).",
    ] {
        assert!(warned_line(line).is_some(), "{line:?} is not warned about");
    }
    for line in [
        "Write `TODO` where a fact is missing.",
        "Sizes from S to XXXL are stocked.",
        "We do not use TBDX or SMTP relays.",
        "<!-- TODO: add diagram -->",
        "Text <!-- FIXME --> here.",
        "<!--\nTBD: ask legal\n-->",
    ] {
        assert!(warned_line(line).is_none(), "{line:?} is warned about");
    }
}

/// A review date gone by is not shown as if still ahead, and an implemented control whose
/// evidence has all expired says so beside its status: on its page, on the home page and
/// in trust.json. Before those days, nothing is marked.
#[test]
fn an_overdue_review_and_expired_evidence_are_marked_on_the_public_pages() {
    let dir = site(None);
    let root = dir.path();
    let control = root.join("content/controls/acme-1.yaml");
    let system = root.join("content/systems/chatbot.yaml");
    let policy = root.join("content/policies/policy.md");
    let marks = |root: &Path| {
        assert_eq!(build(root, &[]).code, 0);
        let public = root.join("public");
        let page = |path: &str| read(&public.join(path));
        let trust: serde_json::Value = serde_json::from_str(&page("trust.json")).unwrap();
        let control_entry = (trust["controls"].as_array().unwrap().iter())
            .find(|c| c["id"] == "ACME-1")
            .unwrap()
            .clone();
        (
            [
                page("controls/acme-1/index.html").contains("Overdue"),
                page("systems/chatbot/index.html").contains("Overdue"),
                page("policies/policy/index.html").contains("Overdue"),
            ],
            [
                page("controls/acme-1/index.html").contains("Evidence out of date"),
                page("index.html").contains("Evidence out of date"),
            ],
            control_entry,
        )
    };
    let (overdue, out_of_date, entry) = marks(root);
    assert_eq!(overdue, [false; 3]);
    assert_eq!(out_of_date, [false; 2]);
    assert!(entry.get("review_overdue").is_none() && entry.get("evidence_out_of_date").is_none());
    set_field(&control, "next_review", "2026-11-01");
    set_field(&system, "next_review", "2026-11-26");
    set_field(&policy, "next_review", "2026-10-01");
    edit(
        &control,
        "    expires_on: 2027-01-10\n",
        "    expires_on: 2026-11-20\n",
    );
    edit(
        &control,
        "    url: https://example.com/model-card\n",
        "    url: https://example.com/model-card\n    expires_on: 2026-11-26\n",
    );
    let (overdue, out_of_date, entry) = marks(root);
    assert_eq!(overdue, [true; 3]);
    assert_eq!(out_of_date, [true; 2]);
    assert_eq!(entry["review_overdue"], true);
    assert_eq!(entry["evidence_out_of_date"], true);
    let trust: serde_json::Value =
        serde_json::from_str(&read(&root.join("public/trust.json"))).unwrap();
    let document = (trust["documents"].as_array().unwrap().iter())
        .find(|d| d["url"] == "policies/policy/")
        .unwrap();
    assert_eq!(document["review_overdue"], true);
}

/// site.yaml's texts are on every public page: a placeholder there is warned about, where
/// it stands (the site itself cannot be held back for it).
#[test]
fn a_placeholder_in_site_yaml_text_is_warned_where_it_stands() {
    let dir = site(None);
    let config = dir.path().join("content/site.yaml");
    edit(
        &config,
        "organisation: \"Example AI Ltd\"\n",
        "organisation: \"Example AI Ltd\"\ndescription: \"TBD: one line on what we do\"\n",
    );
    let run = check_json(dir.path());
    assert_eq!(
        run.places("placeholder-text"),
        [("content/site.yaml".to_string(), 3)],
        "{}",
        run.stdout
    );
}

/// "Our AI policy" on the home page and `ai_policy` in trust.json are an approved policy's:
/// a page (public without approval) titled "AI Policy", or saying it meets clause 5.2,
/// never takes the place, whichever comes first.
#[test]
fn only_an_approved_policy_is_presented_as_the_ai_policy() {
    let dir = site(None);
    let page = "---\nid: PAGE-AAA\ntitle: AI Policy\nclauses: [\"5.2\"]\nvisibility: public\npublic_summary: Our FAQ.\n---\n\nQuestions.\n";
    fs::write(dir.path().join("content/pages/aaa-faq.md"), page).unwrap();
    assert_eq!(build(dir.path(), &[]).code, 0);
    let trust: serde_json::Value =
        serde_json::from_str(&read(&dir.path().join("public/trust.json"))).unwrap();
    let url = trust["ai_policy"]["url"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(url.contains("policies/policy"), "{}", trust["ai_policy"]);
    // With the policy made internal, no document is the AI policy: the page is not.
    edit(
        &dir.path().join("content/policies/policy.md"),
        "visibility: public",
        "visibility: internal",
    );
    assert_eq!(build(dir.path(), &[]).code, 0);
    let trust: serde_json::Value =
        serde_json::from_str(&read(&dir.path().join("public/trust.json"))).unwrap();
    assert!(trust["ai_policy"].is_null(), "{}", trust["ai_policy"]);
    let home = read(&dir.path().join("public/index.html"));
    assert!(
        !home.contains("pages/aaa-faq/\">Read"),
        "the page is not offered as the policy"
    );
}
