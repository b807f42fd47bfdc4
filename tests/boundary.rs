//! The publication boundary, held by tests rather than by care:
//! - the public renderer can name nothing but the public model (no source, loaded record,
//!   resolver or internal model), so no template or link of the public site can reach what
//!   the model left out;
//! - the publication report in the handbook lists exactly the files of `public/`, so an
//!   auditor reads on one page what is public and why.

mod common;

use common::{build, copy_tree, files_under, fixtures};
use std::fs;
use std::path::Path;

/// Names the public renderer must not use: each would let it read past the public model.
const FORBIDDEN_IN_PUBLIC_RENDERER: [&str; 11] = [
    "crate::load",
    "crate::history",
    "gix",
    "crate::sources",
    "crate::check",
    "crate::publish",
    "model::internal",
    "Resolver",
    "FileId",
    "Site",
    "std::fs::read_dir",
];

/// A source file of this crate without its comments: the module doc may explain what the
/// module does not use; the code may not use it.
fn code_of(path: &str) -> String {
    let source = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap();
    source
        .lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_public_renderer_names_only_the_public_model() {
    let code = code_of("src/render/public.rs");
    for name in FORBIDDEN_IN_PUBLIC_RENDERER {
        assert!(
            !code.contains(name),
            "src/render/public.rs names `{name}`: the public renderer may use the public model only"
        );
    }
    assert!(
        code.contains("crate::model::public"),
        "the test reads the right file"
    );
}

/// Names the public model's types must not hold: each would carry raw sources or loaded
/// records (with their internal fields) into the public renderer.
const FORBIDDEN_IN_PUBLIC_TYPES: [&str; 19] = [
    "crate::history",
    "history::Commit",
    "ControlRecord",
    "SystemRecord",
    "RiskRecord",
    "DocumentMeta",
    "SiteConfig",
    "Evidence",
    "ImpactAssessment",
    "crate::load::Site",
    "crate::load::{",
    "crate::sources",
    "crate::links",
    "FileId",
    "Positions",
    "Record<",
    "Outline",
    "Resolver",
    "model::internal",
];

#[test]
fn the_public_model_holds_plain_values_only() {
    let code = code_of("src/model/public/mod.rs");
    for name in FORBIDDEN_IN_PUBLIC_TYPES {
        assert!(
            !code.contains(name),
            "src/model/public/mod.rs names `{name}`: the public model holds plain values only"
        );
    }
    // From `load`, only leaf values (dates, text, the enums of record fields) may be named.
    // (`ObjectiveStatus` is such an enum; its module holds whole records too, so it is
    // allowed by name.)
    for line in code.lines().filter(|l| l.contains("crate::load::")) {
        assert!(
            line.contains("crate::load::date::Date")
                || line.contains("crate::load::records::{")
                || line.contains("crate::load::aims::ObjectiveStatus as"),
            "unexpected import in the public model: {line}"
        );
    }
    assert!(
        code.contains("pub struct PublicModel"),
        "the test reads the right file"
    );
}

/// The paths the publication report lists.
fn reported(internal: &Path) -> Vec<String> {
    let html = fs::read_to_string(internal.join("published/index.html")).unwrap();
    let mut paths: Vec<String> = html
        .split("<tr><td><code>")
        .skip(1)
        .map(|row| row.split("</code>").next().unwrap().replace("&#x2f;", "/"))
        .collect();
    paths.sort();
    paths
}

fn assert_report_is_public(content: &Path) {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(content, &dir.path().join("content"));
    let run = build(dir.path(), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let public: Vec<String> = files_under(&dir.path().join("public"))
        .into_iter()
        .map(|(path, _)| path)
        .collect();
    assert!(public.len() > 10, "a real site: {public:?}");
    assert_eq!(reported(&dir.path().join("internal")), public);
    let html = fs::read_to_string(dir.path().join("internal/published/index.html")).unwrap();
    assert!(
        !html.contains("Made from the public model"),
        "every file has its own reason"
    );
}

#[test]
fn the_publication_report_lists_exactly_the_public_files_of_the_sample() {
    assert_report_is_public(&Path::new(env!("CARGO_MANIFEST_DIR")).join("content"));
}

#[test]
fn the_publication_report_lists_exactly_the_public_files_of_the_fixtures() {
    assert_report_is_public(&fixtures().join("good/content"));
    assert_report_is_public(&fixtures().join("leaky/content"));
}
