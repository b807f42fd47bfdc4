//! Sites built to break a static site generator: odd file names, extreme nesting, huge and
//! pathological code blocks, and a very large number of records. Each must end in a clean
//! result or a clean error, never a panic or a hang.

mod common;

use common::{build, check_json, site};
use std::fs;

#[test]
fn odd_file_names_build_and_link() {
    let dir = site(None);
    let content = dir.path().join("content");
    for name in ["a..b.md", "with space.md", "ünïcødé.md"] {
        let id = format!("P-{}", name.len());
        fs::write(
            content.join("pages").join(name),
            format!("---\nid: {id}\ntitle: Odd {name}\n---\nBody of {name}.\n"),
        )
        .unwrap();
    }
    let run = build(dir.path(), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for stem in ["a..b", "with space", "ünïcødé"] {
        let page = dir
            .path()
            .join("internal/pages")
            .join(stem)
            .join("index.html");
        assert!(page.is_file(), "{stem}");
    }
    assert_eq!(
        common::broken_links(&dir.path().join("internal")),
        Vec::<String>::new()
    );
}

#[test]
fn ten_thousand_levels_of_nesting_build() {
    let dir = site(None);
    let list: String = (0..10_000)
        .map(|depth| format!("{}- level {depth}\n", "  ".repeat(depth.min(400))))
        .collect();
    let quotes = ">".repeat(10_000) + " deep\n";
    fs::write(
        dir.path().join("content/pages/deep.md"),
        format!("---\nid: P-DEEP\ntitle: Deep\n---\n{list}\n\n{quotes}"),
    )
    .unwrap();
    let run = build(dir.path(), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(dir.path().join("internal/pages/deep/index.html").is_file());
}

#[test]
fn pathological_code_blocks_are_shown_plain_not_hung_on() {
    let dir = site(None);
    let long_line = "x".repeat(100_000);
    let huge: String = (0..40_000)
        .map(|i| format!("let v{i} = \"{i}\";\n"))
        .collect();
    let nested = "(".repeat(50_000);
    fs::write(
        dir.path().join("content/pages/code.md"),
        format!("---\nid: P-CODE\ntitle: Code\n---\n```rust\n{long_line}\n```\n\n```rust\n{huge}```\n\n```js\n{nested}\n```\n"),
    )
    .unwrap();
    let run = build(dir.path(), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let page = fs::read_to_string(dir.path().join("internal/pages/code/index.html")).unwrap();
    assert!(page.contains(&long_line), "the long line is shown, plain");
    assert!(page.contains("let v39999"), "the huge block is shown whole");
}

#[test]
fn a_hundred_thousand_records_check() {
    let dir = site(None);
    let risks = dir.path().join("content/risks");
    for i in 0..100_000 {
        fs::write(
            risks.join(format!("bulk-{i}.yaml")),
            format!("id: BULK-{i}\ntitle: Bulk risk {i}\ndescription: Generated.\nowner: Head of Risk\nlikelihood: 1\nimpact: 1\ntreatment: avoid\nstatus: open\n"),
        )
        .unwrap();
    }
    // One duplicate among them must still be found, at its place.
    fs::write(
        risks.join("bulk-dup.yaml"),
        "id: BULK-99999\ntitle: Duplicate\ndescription: Generated.\nowner: Head of Risk\nlikelihood: 1\nimpact: 1\ntreatment: avoid\nstatus: open\n",
    )
    .unwrap();
    let run = check_json(dir.path());
    assert_eq!(run.code, 1, "{}", run.stderr);
    let findings = run.findings();
    assert_eq!(findings.len(), 1, "{}", run.stdout);
    assert_eq!(findings[0]["code"], "duplicate-id");
}
