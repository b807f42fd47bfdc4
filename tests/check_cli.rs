//! `trustbook check` as a user meets it: clean sites, exit statuses, both output formats,
//! and inputs built to break a parser.

mod common;

use common::{check_json, check_text, fixtures, site, trustbook};
use std::fs;
use std::path::Path;

fn codes(run: &common::Run) -> Vec<String> {
    run.findings()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_site_written_to_the_spec_checks_clean() {
    let dir = site(None);
    let run = check_json(dir.path());
    assert_eq!(run.stdout, "", "no findings expected");
    assert_eq!(run.code, 0);
    assert!(
        run.stderr
            .contains("check passed: 0 errors, 0 warnings in 15 source files"),
        "{}",
        run.stderr
    );
}

#[test]
fn the_sample_site_checks_without_errors() {
    let run = check_json(Path::new(env!("CARGO_MANIFEST_DIR")));
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(
        run.findings().iter().all(|f| f["severity"] == "warning"),
        "{}",
        run.stdout
    );
}

#[test]
fn every_annex_a_control_needs_a_record() {
    let run = check_json(&fixtures().join("spec-example"));
    assert_eq!(run.code, 1);
    let findings = run.findings();
    assert_eq!(findings.len(), 38, "{}", run.stdout);
    assert!(
        findings
            .iter()
            .all(|f| f["code"] == "missing-control-record" && f["line"] == 7)
    );
    assert!(
        run.stdout.contains(
            "control A.6.2.4 \\\"AI system verification and validation\\\" has no record"
        )
    );
}

#[test]
fn text_output_points_at_the_source_line() {
    let dir = site(Some("bad-value"));
    let run = check_text(dir.path());
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("error[bad-value]: `medium` is not a valid value for `risk_class`"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("content/systems/chatbot.yaml:7:13"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("risk_class: medium"),
        "the source line is shown"
    );
    assert!(
        run.stderr
            .contains("use one of: high, limited, minimal, gpai, not-in-scope")
    );
    assert!(run.stderr.contains("check failed: 1 error, 0 warnings"));
}

#[test]
fn several_findings_are_reported_in_one_run() {
    let dir = site(Some("bad-value"));
    copy_overlay("unknown-field", dir.path());
    copy_overlay("broken-link", dir.path());
    let mut found = codes(&check_json(dir.path()));
    found.sort();
    // The broken-link overlay breaks two of a body's links and a control
    // implementation's.
    let expected = [
        "bad-value",
        "broken-link",
        "broken-link",
        "broken-link",
        "unknown-field",
    ];
    assert_eq!(found, expected);
}

fn copy_overlay(rule: &str, root: &Path) {
    common::copy_tree(
        &fixtures().join("rules").join(rule).join("content"),
        &root.join("content"),
    );
}

#[test]
fn strict_turns_warnings_into_errors() {
    let dir = site(Some("review-overdue"));
    let root = dir.path().to_str().unwrap();
    assert_eq!(trustbook(&["check", "--root", root]).code, 0);
    let strict = trustbook(&["check", "--strict", "--format", "json", "--root", root]);
    assert_eq!(strict.code, 1);
    assert_eq!(strict.findings()[0]["severity"], "error");
}

#[test]
fn a_folder_that_is_not_a_site_exits_2() {
    let empty = tempfile::tempdir().unwrap();
    let run = check_text(empty.path());
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("there is no content/site.yaml"),
        "{}",
        run.stderr
    );
    let missing = empty.path().join("nowhere");
    let run = check_text(&missing);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("is not a folder"));
}

#[test]
fn bad_usage_exits_2() {
    assert_eq!(trustbook(&["check", "--format", "xml"]).code, 2);
    assert_eq!(trustbook(&["check", "--no-such-flag"]).code, 2);
    assert_eq!(trustbook(&["frobnicate"]).code, 2);
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_trustbook"))
        .args(["check", "--root", fixtures().join("good").to_str().unwrap()])
        .env("TRUSTBOOK_TODAY", "27/11/2026")
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("TRUSTBOOK_TODAY"));
}

#[test]
fn help_describes_every_option() {
    let run = trustbook(&["check", "--help"]);
    assert_eq!(run.code, 0);
    for word in ["--strict", "--format", "--root", "Exit status"] {
        assert!(run.stdout.contains(word), "--help lacks {word}");
    }
}

/// Writes `bytes` into the good site at `path` and returns the findings' codes and exit.
fn check_with(path: &str, bytes: &[u8]) -> (Vec<String>, i32, common::Run) {
    let dir = site(None);
    fs::write(dir.path().join("content").join(path), bytes).unwrap();
    let run = check_json(dir.path());
    (codes(&run), run.code, run)
}

#[test]
fn invalid_utf8_is_reported_at_its_line() {
    let (found, code, run) = check_with("risks/r-2.yaml", b"id: R-2\ntitle: caf\xe9\n");
    assert_eq!((found, code), (vec!["unreadable-file".to_string()], 1));
    assert_eq!(run.findings()[0]["line"], 2);
}

#[test]
fn an_empty_record_is_reported() {
    let (found, code, _) = check_with("risks/r-3.yaml", b"");
    assert_eq!((found, code), (vec!["missing-field".to_string()], 1));
}

#[test]
fn an_empty_policy_is_reported() {
    let (found, code, _) = check_with("policies/empty.md", b"");
    assert_eq!((found, code), (vec!["front-matter".to_string()], 1));
}

#[test]
fn a_huge_file_is_refused_not_read() {
    let big = "x".repeat(50 * 1024 * 1024);
    let (found, code, run) = check_with("policies/big.md", big.as_bytes());
    assert_eq!((found, code), (vec!["unreadable-file".to_string()], 1));
    assert!(run.stdout.contains("more than the 8 MiB"));
}

/// Two mistakes the YAML parser words for its own authors: a tab after `:`, and a value
/// holding `: `. Each is named at its place, with the line as it should be written.
#[test]
fn a_tab_after_a_colon_and_an_unquoted_colon_say_what_to_write() {
    let control = "controls/acme-1.yaml";
    let (found, code, run) = check_with(
        control,
        b"id: ACME-1\napplicable: true\njustification: Needed\nstatus:\timplemented\n",
    );
    assert_eq!((found, code), (vec!["yaml-syntax".to_string()], 1));
    let finding = &run.findings()[0];
    assert_eq!(
        (&finding["line"], &finding["column"]),
        (&4.into(), &8.into())
    );
    assert!(
        finding["message"]
            .as_str()
            .unwrap()
            .contains("a tab after `:`"),
        "{finding}"
    );
    assert_eq!(finding["help"], "replace the tab on line 4 with a space");
    let (found, _, run) = check_with(
        control,
        b"id: ACME-1\napplicable: true\njustification: Needed: really \"needed\"\nstatus: implemented\n",
    );
    assert_eq!(found, ["yaml-syntax"]);
    let finding = &run.findings()[0];
    assert_eq!(
        (&finding["line"], &finding["column"]),
        (&3.into(), &22.into())
    );
    assert_eq!(
        finding["help"],
        "put the value in double quotes: `justification: \"Needed: really \\\"needed\\\"\"`"
    );
}

/// A required field written with a typo is one finding, at the typo, with the field it
/// meant; a required field simply left out is still missing.
#[test]
fn a_misspelt_required_field_is_reported_once_at_the_typo() {
    let control = "controls/acme-1.yaml";
    let (found, code, run) = check_with(
        control,
        b"id: ACME-1\napplicable: true\njustification: Needed\nstatuss: implemented\n",
    );
    assert_eq!(
        (found, code),
        (vec!["unknown-field".to_string()], 1),
        "{}",
        run.stdout
    );
    assert_eq!(run.findings()[0]["label"], "did you mean `status`?");
    assert_eq!(run.findings()[0]["line"], 4);
    let (found, _, _) = check_with(
        control,
        b"id: ACME-1\napplicable: true\njustification: Needed\n",
    );
    assert_eq!(found, ["missing-field"]);
}

/// An overdue review's help names `last_reviewed` only for the kinds that have it.
#[test]
fn an_overdue_review_suggests_only_fields_the_record_has() {
    let dir = site(None);
    let content = dir.path().join("content");
    for file in ["controls/acme-1.yaml", "suppliers/model-provider.yaml"] {
        let text = fs::read_to_string(content.join(file)).unwrap();
        let line = text
            .lines()
            .find(|l| l.starts_with("next_review:"))
            .unwrap()
            .to_string();
        fs::write(
            content.join(file),
            text.replace(&line, "next_review: 2026-01-05"),
        )
        .unwrap();
    }
    let run = check_json(dir.path());
    let help = |path: &str| -> String {
        (run.findings().into_iter())
            .find(|f| f["code"] == "review-overdue" && f["path"] == path)
            .unwrap_or_else(|| panic!("no review-overdue in {path}: {}", run.stdout))["help"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert!(help("content/controls/acme-1.yaml").contains("last_reviewed"));
    assert!(!help("content/suppliers/model-provider.yaml").contains("last_reviewed"));
}

#[test]
fn an_alias_bomb_is_refused() {
    let mut bomb = String::from("id: R-3\na: &a [x,x,x,x,x,x,x,x,x,x]\n");
    let names: Vec<char> = "abcdefghij".chars().collect();
    for pair in names.windows(2) {
        let items = vec![format!("*{}", pair[0]); 10].join(",");
        bomb.push_str(&format!("{}: &{} [{items}]\n", pair[1], pair[1]));
    }
    let (found, code, run) = check_with("risks/r-3.yaml", bomb.as_bytes());
    assert_eq!(
        (found, code),
        (vec!["yaml-syntax".to_string()], 1),
        "{}",
        run.stdout
    );
}

#[test]
fn very_deep_nesting_is_refused() {
    let deep = format!("id: R-3\ntitle: {}\n", "[".repeat(100_000));
    let (found, code, _) = check_with("risks/r-3.yaml", deep.as_bytes());
    assert_eq!((found, code), (vec!["yaml-syntax".to_string()], 1));
    let list: String = (0..10_000).map(|_| "- ").collect::<String>() + "x\n";
    let (found, _, _) = check_with("risks/r-4.yaml", list.as_bytes());
    assert_eq!(found, ["yaml-syntax"]);
}

#[test]
fn a_deeply_nested_markdown_list_is_fine() {
    let body: String = (0..10_000).map(|_| "> ").collect::<String>() + "deep\n";
    let policy = format!("---\nid: P-DEEP\ntitle: Deep\n---\n{body}");
    let (found, code, _) = check_with("pages/deep.md", policy.as_bytes());
    assert_eq!((found, code), (vec![], 0));
}

#[cfg(unix)]
#[test]
fn symlinks_out_of_content_and_loops_are_refused() {
    let dir = site(None);
    let content = dir.path().join("content");
    std::os::unix::fs::symlink("/etc/hostname", content.join("risks/outside.yaml")).unwrap();
    std::os::unix::fs::symlink("loop.yaml", content.join("risks/loop.yaml")).unwrap();
    // A link that stays inside content/ is followed.
    std::os::unix::fs::symlink("../policies/other.md", content.join("pages/alias.md")).unwrap();
    let run = check_json(dir.path());
    let found = codes(&run);
    assert_eq!(
        found.iter().filter(|c| *c == "unsafe-path").count(),
        2,
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("leads outside content/"));
    assert!(
        found.contains(&"duplicate-id".to_string()),
        "the followed link was loaded"
    );
}

#[test]
fn links_and_evidence_may_not_climb_out_of_content() {
    let dir = site(None);
    let content = dir.path().join("content");
    fs::write(dir.path().join("secret.md"), "secret").unwrap();
    let policy = fs::read_to_string(content.join("policies/other.md")).unwrap();
    fs::write(
        content.join("policies/other.md"),
        policy + "\n[s](../../secret.md)\n",
    )
    .unwrap();
    let run = check_json(dir.path());
    assert_eq!(codes(&run), ["broken-link"]);
    assert!(run.stdout.contains("leads outside content/"));
}

#[test]
fn file_names_with_spaces_and_unicode_load() {
    let dir = site(None);
    let content = dir.path().join("content");
    fs::write(
        content.join("pages/über uns.md"),
        "---\nid: P-UBER\ntitle: Über uns\nvisibility: public\npublic_summary: Wir.\n---\nHi\n",
    )
    .unwrap();
    let about = fs::read_to_string(content.join("pages/about.md")).unwrap();
    fs::write(
        content.join("pages/about.md"),
        about + "\n[u](%C3%BCber%20uns.md)\n",
    )
    .unwrap();
    let run = check_json(dir.path());
    assert_eq!(run.stdout, "");
    assert_eq!(run.code, 0);
}

/// A mistyped link's help names the file meant, with the heading meant (the nearest
/// one there when the anchor is mistyped too), or none when none is near.
#[test]
fn a_broken_links_suggestion_names_a_heading_that_exists() {
    let dir = site(None);
    let about = dir.path().join("content/pages/about.md");
    let text = fs::read_to_string(&about).unwrap();
    for (written, suggested) in [
        ("../policies/polcy.md#scoep", "../policies/policy.md#scope"),
        ("../policies/polcy.md#scope", "../policies/policy.md#scope"),
        ("../policies/polcy.md#zzzzzzzzzz", "../policies/policy.md`"),
        ("../policies/polcy.md", "../policies/policy.md`"),
    ] {
        fs::write(&about, format!("{text}\n[the policy]({written})\n")).unwrap();
        let run = check_json(dir.path());
        assert_eq!(codes(&run), ["broken-link"], "{}", run.stdout);
        let help = run.findings()[0]["help"].as_str().unwrap().to_string();
        assert!(
            help.contains(&format!("did you mean `{suggested}")),
            "{written}: {help}"
        );
    }
}
