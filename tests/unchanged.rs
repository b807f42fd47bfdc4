//! A build that finds its inputs and its output as the last build left them writes
//! nothing and prints what that build printed; any change, to a source, an output file,
//! the options or the day, and it builds in full.

mod common;

use common::{TODAY, build, files_under, git, site, trustbook};
use std::fs;
use std::path::Path;
use std::time::Duration;

const UNCHANGED: &str = "nothing changed since the last build, so nothing was written";

/// What a build printed before its last lines, which differ in their times.
fn findings_printed(stderr: &str) -> &str {
    stderr.split("built ").next().unwrap()
}

/// Sources changed within two seconds of a build are not trusted to show a later change
/// in their times: wait that out, as a writer's next build usually has.
fn age(_root: &Path) {
    std::thread::sleep(Duration::from_millis(2100));
}

#[test]
fn a_build_that_changes_nothing_writes_nothing_and_any_change_builds_in_full() {
    let dir = site(None);
    let root = dir.path();
    let policy = root.join("content/policies/policy.md");
    let mut text = fs::read_to_string(&policy).unwrap();
    text.push_str("\n```rust\nfn main() {}\n```\n");
    fs::write(&policy, text).unwrap();
    age(root);
    let first = build(root, &[]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert!(!first.stderr.contains(UNCHANGED));
    let cache = root.join(".trustbook-cache");
    assert!(
        cache.join("highlight.bin").is_file(),
        "the fixture has code"
    );
    assert!(
        !cache.join("highlight.spill").exists(),
        "a build leaves no spill file behind"
    );
    let page = root.join("public/policies/policy/index.html");
    let written = fs::metadata(&page).unwrap().modified().unwrap();
    let outputs = files_under(&root.join("public"));

    let again = build(root, &[]);
    assert_eq!(again.code, 0);
    assert!(again.stderr.contains(UNCHANGED), "{}", again.stderr);
    assert_eq!(
        findings_printed(&again.stderr),
        findings_printed(&first.stderr),
        "the same findings, printed the same way"
    );
    assert!(
        findings_printed(&first.stderr).contains("warning"),
        "the fixture has warnings to show"
    );
    assert_eq!(fs::metadata(&page).unwrap().modified().unwrap(), written);
    assert_eq!(files_under(&root.join("public")), outputs);

    // An output page changed by hand is written again.
    fs::write(&page, "defaced").unwrap();
    let mended = build(root, &[]);
    assert!(!mended.stderr.contains(UNCHANGED), "{}", mended.stderr);
    assert_eq!(files_under(&root.join("public")), outputs);
    assert!(build(root, &[]).stderr.contains(UNCHANGED));

    // A file put into the output by hand is not left there.
    let stray = root.join("public/policies/notes.txt");
    fs::write(&stray, "not for the public").unwrap();
    assert!(!build(root, &[]).stderr.contains(UNCHANGED));
    assert_eq!(build(root, &[]).code, 0);
    assert!(!stray.exists());

    // Other options, or another day, build in full.
    assert!(build(root, &[]).stderr.contains(UNCHANGED));
    assert!(
        !build(root, &["--only", "public"])
            .stderr
            .contains(UNCHANGED)
    );
    assert!(!build(root, &[]).stderr.contains(UNCHANGED));
    assert!(build(root, &[]).stderr.contains(UNCHANGED));
    let other_day = std::process::Command::new(env!("CARGO_BIN_EXE_trustbook"))
        .args(["build", "--root", root.to_str().unwrap()])
        .env("TRUSTBOOK_TODAY", "2027-06-01")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&other_day.stderr).contains(UNCHANGED));
    assert!(
        !build(root, &[]).stderr.contains(UNCHANGED),
        "back to {TODAY}"
    );

    // A source edited: built in full, and again in full while the edit is recent.
    let policy = root.join("content/policies/policy.md");
    let text = fs::read_to_string(&policy).unwrap();
    fs::write(
        &policy,
        text.replacen("# AI Policy", "# AI Policy\n\nEDITED-TEXT", 1),
    )
    .unwrap();
    let edited = build(root, &[]);
    assert!(!edited.stderr.contains(UNCHANGED));
    assert!(fs::read_to_string(&page).unwrap().contains("EDITED-TEXT"));
    assert!(
        !build(root, &[]).stderr.contains(UNCHANGED),
        "too recent to be sure of"
    );
    age(root);
    assert!(!build(root, &[]).stderr.contains(UNCHANGED), "recorded now");
    assert!(build(root, &[]).stderr.contains(UNCHANGED));

    // A failed build forgets: the next good one is built in full.
    fs::write(&policy, "---\ntitle: [unclosed\n---\n").unwrap();
    assert_eq!(build(root, &[]).code, 1);
    fs::write(&policy, &text).unwrap();
    age(root);
    assert!(!build(root, &[]).stderr.contains(UNCHANGED));
}

#[test]
fn a_site_with_a_symbolic_link_among_its_sources_is_always_built_in_full() {
    let dir = site(None);
    let root = dir.path();
    #[cfg(unix)]
    std::os::unix::fs::symlink(
        root.join("content/assets/diagram.png"),
        root.join("content/assets/linked.png"),
    )
    .unwrap();
    age(root);
    for _ in 0..3 {
        let run = trustbook(&["build", "--root", root.to_str().unwrap()]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(!run.stderr.contains(UNCHANGED));
    }
}

/// What git says of a site depends on more than HEAD: the repository it is in, where it
/// is in it, and which objects the repository holds.
#[test]
fn a_new_repository_a_moved_site_or_a_changed_object_store_builds_in_full() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    common::copy_tree(&common::fixtures().join("good"), &repo.join("a"));
    age(repo);
    let site_a = repo.join("a");
    assert!(!build(&site_a, &[]).stderr.contains(UNCHANGED));
    assert!(build(&site_a, &[]).stderr.contains(UNCHANGED));

    // A repository made around a site that had none: every source is now uncommitted.
    git(repo, &["init", "-q"]);
    fs::write(
        repo.join(".gitignore"),
        "a/public/\na/internal/\n*.trustbook-*\n.trustbook-cache/\n",
    )
    .unwrap();
    let in_new_repository = build(&site_a, &[]);
    assert!(
        !in_new_repository.stderr.contains(UNCHANGED),
        "{}",
        in_new_repository.stderr
    );
    git(repo, &["add", "-A"]);
    git(repo, &["commit", "-q", "-m", "First"]);
    age(repo);
    assert!(!build(&site_a, &[]).stderr.contains(UNCHANGED), "a commit");
    assert!(build(&site_a, &[]).stderr.contains(UNCHANGED));

    // An object added to the store, HEAD as it was.
    fs::write(repo.join("loose.txt"), "a new object\n").unwrap();
    git(repo, &["hash-object", "-w", "loose.txt"]);
    assert!(
        !build(&site_a, &[]).stderr.contains(UNCHANGED),
        "the object store changed"
    );

    // The site moved inside the repository, uncommitted: its files are new to git.
    age(repo);
    assert!(!build(&site_a, &[]).stderr.contains(UNCHANGED));
    assert!(build(&site_a, &[]).stderr.contains(UNCHANGED));
    fs::rename(&site_a, repo.join("b")).unwrap();
    let moved = build(&repo.join("b"), &[]);
    assert!(!moved.stderr.contains(UNCHANGED), "{}", moved.stderr);
}

/// A linked worktree reads its main repository's object store; a clone made with
/// `--shared` borrows another's, whose changes cannot be seen from it: never recorded.
#[test]
fn a_worktree_is_known_by_its_main_object_store_and_a_borrowing_clone_is_built_in_full() {
    let dir = tempfile::tempdir().unwrap();
    let main = dir.path().join("main");
    common::copy_tree(&common::fixtures().join("good"), &main);
    fs::write(
        main.join(".gitignore"),
        "public/\ninternal/\n.*trustbook*\n",
    )
    .unwrap();
    git(&main, &["init", "-q"]);
    git(&main, &["add", "-A"]);
    git(&main, &["commit", "-q", "-m", "First"]);
    let worktree = dir.path().join("worktree");
    git(
        &main,
        &["worktree", "add", "-q", worktree.to_str().unwrap()],
    );
    let shared = dir.path().join("shared");
    git(dir.path(), &["clone", "-q", "--shared", "main", "shared"]);
    age(dir.path());

    assert!(!build(&worktree, &[]).stderr.contains(UNCHANGED));
    assert!(build(&worktree, &[]).stderr.contains(UNCHANGED));
    fs::write(main.join("loose.txt"), "a new object\n").unwrap();
    git(&main, &["hash-object", "-w", "loose.txt"]);
    let after = build(&worktree, &[]);
    assert!(!after.stderr.contains(UNCHANGED), "the main store changed");

    for _ in 0..2 {
        assert!(
            !build(&shared, &[]).stderr.contains(UNCHANGED),
            "borrowed objects"
        );
    }
}

/// A source with a byte-order mark and Windows line endings is read as text without
/// them; the record keeps the hash of the file's own bytes, so the next build still
/// finds it unchanged (and a changed byte is still a change).
#[test]
fn a_source_with_windows_line_endings_is_known_unchanged_by_its_own_bytes() {
    let dir = site(None);
    let root = dir.path();
    let policy = root.join("content/policies/policy.md");
    let text = fs::read_to_string(&policy).unwrap();
    let windows = format!("\u{feff}{}", text.replace('\n', "\r\n"));
    fs::write(&policy, &windows).unwrap();
    age(root);
    let first = build(root, &[]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert!(!first.stderr.contains(UNCHANGED));
    assert!(build(root, &[]).stderr.contains(UNCHANGED));

    fs::write(&policy, windows.replacen("AI Policy", "AI P0licy", 1)).unwrap();
    age(root);
    assert!(!build(root, &[]).stderr.contains(UNCHANGED));
    assert!(build(root, &[]).stderr.contains(UNCHANGED));
}
