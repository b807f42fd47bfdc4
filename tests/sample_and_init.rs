//! The sample trust centre in `content/` and `trustbook init`.

mod common;

use common::{build, check_json, files_under, sample_copy, trustbook};
use std::fs;
use trustbook::load::records::Visibility;
use trustbook::model::document_visibility;

#[test]
fn the_sample_checks_with_only_its_deliberate_warnings() {
    let run = check_json(sample_copy().path());
    assert_eq!(run.code, 0, "{}", run.stdout);
    let mut found = run.codes_and_paths();
    found.sort();
    assert_eq!(
        found,
        [
            "evidence-expired content/controls/a-4-4.yaml",
            "no-impact-assessment content/systems/code-assistant.yaml",
            "no-impact-assessment content/systems/meeting-transcription.yaml",
            "public-not-published content/policies/incident-communication.md",
            "review-due-soon content/policies/data-governance.md",
            "review-overdue content/controls/a-4-4.yaml",
        ]
    );
}

#[test]
fn the_sample_covers_what_the_issue_asks() {
    let mut findings = Vec::new();
    let site = trustbook::load::load(sample_copy().path(), &mut findings).unwrap();
    assert!(findings.is_empty());
    assert_eq!(
        site.controls.len(),
        41,
        "38 Annex A controls and 3 of our own"
    );
    assert!((3..=4).contains(&site.systems.len()));
    assert!((8..=12).contains(&site.risks.len()));
    let policies = site
        .documents
        .iter()
        .filter(|d| d.kind == trustbook::load::DocKind::Policy)
        .count();
    assert!((6..=10).contains(&policies));
    let statuses: Vec<String> = site
        .controls
        .iter()
        .map(|c| format!("{:?}", c.data.status))
        .collect();
    for status in [
        "Implemented",
        "Partial",
        "Planned",
        "Alternative",
        "NotApplicable",
    ] {
        assert!(statuses.iter().any(|s| s == status), "no {status} control");
    }
    for visibility in [
        Visibility::Public,
        Visibility::Restricted,
        Visibility::Internal,
    ] {
        assert!(
            site.controls
                .iter()
                .any(|c| c.data.visibility == visibility)
        );
    }
}

#[test]
fn the_sample_public_site_has_every_public_item_and_nothing_internal() {
    let dir = sample_copy();
    let run = build(dir.path(), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let public: String = files_under(&dir.path().join("public"))
        .into_iter()
        .map(|(name, bytes)| format!("{name}\n{}\n", String::from_utf8_lossy(&bytes)))
        .collect();
    // Compare as the pages print text: HTML escaping and JSON quoting undone.
    let public = public
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&amp;", "&");

    let mut findings = Vec::new();
    let site = trustbook::load::load(dir.path(), &mut findings).unwrap();
    let catalogs = trustbook::model::Catalogs::new(&site);
    let expect = |title: String, summary: Option<&String>, visibility: Visibility| match visibility
    {
        Visibility::Internal => assert!(
            !public.contains(&title),
            "internal `{title}` is on the public site"
        ),
        _ => {
            assert!(
                public.contains(&title),
                "`{title}` is missing from the public site"
            );
            assert!(
                public.contains(summary.unwrap().as_str()),
                "the summary of `{title}` is missing"
            );
        }
    };
    for document in &site.documents {
        let meta = &document.record.data;
        expect(
            meta.title.clone(),
            meta.public_summary.as_ref(),
            document_visibility(document),
        );
    }
    for control in &site.controls {
        let id = &control.data.id;
        let title = catalogs.info(id).title;
        if control.data.visibility == Visibility::Internal {
            // A short catalogue title ("Customers") may occur in other text; its id, title
            // and page may not.
            assert!(
                !public.contains(&format!("{id} {title}")),
                "internal control {id} is on the public site"
            );
            assert!(
                !public.contains(&trustbook::urls::control(id)),
                "internal control {id} has a public page"
            );
        } else {
            expect(
                title,
                control.data.public_summary.as_ref(),
                control.data.visibility,
            );
        }
    }
    for system in &site.systems {
        expect(
            system.data.name.clone(),
            system.data.public_summary.as_ref(),
            system.data.visibility,
        );
    }
    for risk in &site.risks {
        expect(
            risk.data.title.clone(),
            risk.data.public_summary.as_ref(),
            risk.data.visibility,
        );
    }
    for internal in [
        "Internal escalation",
        "AIIA/&lt;system&gt;",
        "intranet page",
        "Fine-tuned",
        "Example Speech Co.",
    ] {
        assert!(!public.contains(internal), "`{internal}` reached public/");
    }
    assert!(
        dir.path()
            .join("public/assets/images/aims-overview.svg")
            .is_file(),
        "the public image is copied"
    );
    assert!(
        !dir.path().join("public/assets/evidence").exists(),
        "evidence stays internal"
    );
}

#[test]
fn init_creates_a_site_that_checks_with_only_todo_warnings_and_builds() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("new-site");
    let run = trustbook(&["init", site.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("Next steps"));
    let check = check_json(&site);
    assert_eq!(check.code, 0);
    let findings = check.findings();
    assert_eq!(findings.len(), 41, "{}", check.stdout);
    assert!(findings.iter().all(|f| f["code"] == "placeholder-text"));
    // The example's name and address would be published: told at their lines of
    // site.yaml.
    let in_config: Vec<i64> = (findings.iter())
        .filter(|f| f["path"] == "content/site.yaml")
        .map(|f| f["line"].as_i64().unwrap())
        .collect();
    assert_eq!(in_config, [4, 7, 34], "{}", check.stdout);
    assert!(
        fs::read_to_string(site.join("content/site.yaml"))
            .unwrap()
            .contains("# Where the public asks questions")
    );
    let policy = fs::read_to_string(site.join("content/policies/ai-policy.md")).unwrap();
    for section in [
        "Framework for AI objectives",
        "Commitment to meet applicable requirements",
        "Commitment to continual improvement",
    ] {
        assert!(policy.contains(section));
    }
    assert!(
        site.join("content/systems/example-system.yaml.example")
            .is_file()
    );
    let run = build(&site, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(site.join("internal/soa/index.html").is_file());
}

#[test]
fn init_refuses_a_folder_that_is_not_empty() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("notes.txt"), "mine").unwrap();
    let run = trustbook(&["init", dir.path().to_str().unwrap()]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("is not empty"));
    assert_eq!(
        files_under(dir.path()),
        vec![("notes.txt".to_string(), b"mine".to_vec())]
    );
}
