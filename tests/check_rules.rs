//! One fixture site per rule of docs/format.md §5: the good site with the files of
//! `tests/fixtures/rules/<rule>/content/` laid over it. Each fixture's `EXPECT` file gives
//! the exit status, then one line per finding: severity, code, `path:line`, and a word
//! that the message or its help must contain. The findings must be exactly those.

mod common;

use common::{check_json, fixtures, site};
use std::fs;

fn expect(rule: &str) {
    let expect = fs::read_to_string(fixtures().join("rules").join(rule).join("EXPECT")).unwrap();
    let mut lines = expect.lines();
    let exit: i32 = lines
        .next()
        .unwrap()
        .strip_prefix("exit ")
        .unwrap()
        .parse()
        .unwrap();
    let dir = site(Some(rule));
    let run = check_json(dir.path());
    let findings = run.findings();
    let mut expected: Vec<_> = lines.collect();
    for finding in &findings {
        let (severity, code) = (
            finding["severity"].as_str().unwrap(),
            finding["code"].as_str().unwrap(),
        );
        let place = format!(
            "{}:{}",
            finding["path"].as_str().unwrap_or("?"),
            finding["line"]
        );
        let text = format!("{} {}", finding["message"], finding["help"]);
        let matched = expected.iter().position(|line| {
            let parts: Vec<&str> = line.splitn(4, ' ').collect();
            parts[..3] == [severity, code, place.as_str()] && text.contains(parts[3])
        });
        match matched {
            Some(i) => {
                expected.remove(i);
            }
            None => panic!(
                "{rule}: unexpected finding {finding}\nall findings:\n{}",
                run.stdout
            ),
        }
    }
    assert!(
        expected.is_empty(),
        "{rule}: expected findings not reported: {expected:?}\ngot:\n{}",
        run.stdout
    );
    assert_eq!(run.code, exit, "{rule}: exit status\n{}", run.stderr);
}

macro_rules! rules {
    ($($name:ident => $dir:literal,)*) => {
        $(#[test] fn $name() { expect($dir); })*

        #[test]
        fn every_fixture_has_a_test() {
            let mut dirs: Vec<String> = fs::read_dir(fixtures().join("rules"))
                .unwrap()
                .map(|e| e.unwrap().file_name().into_string().unwrap())
                .collect();
            dirs.sort();
            let mut named = vec![$($dir.to_string()),*];
            named.sort();
            assert_eq!(dirs, named);
        }
    };
}

rules! {
    yaml_syntax => "yaml-syntax",
    front_matter => "front-matter",
    unknown_field => "unknown-field",
    missing_field => "missing-field",
    bad_value => "bad-value",
    bad_date => "bad-date",
    duplicate_id => "duplicate-id",
    missing_reference => "missing-reference",
    unknown_control => "unknown-control",
    unknown_framework => "unknown-framework",
    missing_control_record => "missing-control-record",
    applicability_mismatch => "applicability-mismatch",
    missing_justification => "missing-justification",
    missing_public_summary => "missing-public-summary",
    broken_link => "broken-link",
    broken_anchor => "broken-anchor",
    unclosed_internal_block => "unclosed-internal-block",
    public_layout_differs => "public-layout-differs",
    url_collision => "url-collision",
    evidence_missing => "evidence-missing",
    path_outside_content => "path-outside-content",
    review_overdue => "review-overdue",
    review_due_soon => "review-due-soon",
    evidence_expired => "evidence-expired",
    link_to_non_public => "link-to-non-public",
    placeholder_text => "placeholder-text",
    internal_marker_malformed => "internal-marker-malformed",
    public_not_published => "public-not-published",
    asset_not_public => "asset-not-public",
    certification_expired => "certification-expired",
    certification_expiring => "certification-expiring",
    version_mismatch => "version-mismatch",
    evidence_expiring => "evidence-expiring",
    date_in_future => "date-in-future",
    dates_out_of_order => "dates-out-of-order",
    target_overdue => "target-overdue",
    deprecated_field => "deprecated-field",
    supplier_not_public => "supplier-not-public",
    data_use_contradiction => "data-use-contradiction",
    nonconformity_without_action => "nonconformity-without-action",
    objective_without_measure => "objective-without-measure",
    action_overdue => "action-overdue",
    closed_without_effectiveness_check => "closed-without-effectiveness-check",
    folder_not_read => "folder-not-read",
    no_impact_assessment => "no-impact-assessment",
    closed_not_effective => "closed-not-effective",
    not_an_oscal_id => "not-an-oscal-id",
    no_current_evidence => "no-current-evidence",
    excluded_control_relied_on => "excluded-control-relied-on",
    implemented_under_nonconformity => "implemented-under-nonconformity",
}
