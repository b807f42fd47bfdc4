//! The whole of what `check` says about a site with a dozen usual mistakes, as a reviewed
//! snapshot (`tests/snapshots/`): wording, places, order and the summary are read as one
//! text, the way a user meets them. A change to any message shows up here for review
//! (`cargo insta review`, or delete the snapshot and run the test to see the new text).

mod common;

use common::{fixtures, trustbook};

#[test]
fn check_on_a_site_with_a_dozen_mistakes() {
    let root = fixtures().join("mistakes");
    let run = trustbook(&["check", "--root", root.to_str().unwrap()]);
    assert_eq!(run.code, 1);
    insta::assert_snapshot!(run.stderr);
}

#[test]
fn check_quiet_prints_errors_only() {
    let root = fixtures().join("mistakes");
    let run = trustbook(&["check", "--quiet", "--root", root.to_str().unwrap()]);
    assert_eq!(run.code, 1);
    assert!(!run.stderr.contains("warning["), "{}", run.stderr);
    assert!(
        run.stderr.contains("11 errors, 4 warnings"),
        "{}",
        run.stderr
    );
}
