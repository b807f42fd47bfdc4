//! Builds that reuse the previous output (pages known by key, files compared) must give
//! exactly what a clean build gives, whatever changed in between.

mod common;

use common::{TODAY, build, copy_tree, files_under, git, site};
use std::fs;
use std::path::Path;
use std::process::Command;

/// Both output folders, without the marker (whose generation token differs by design).
fn outputs(root: &Path) -> Vec<(String, Vec<u8>)> {
    let mut all = Vec::new();
    for folder in ["public", "internal"] {
        for (path, bytes) in files_under(&root.join(folder)) {
            if path != ".trustbook-output" {
                all.push((format!("{folder}/{path}"), bytes));
            }
        }
    }
    all
}

fn build_on(root: &Path, today: &str) {
    let output = Command::new(env!("CARGO_BIN_EXE_trustbook"))
        .args(["build", "--root", root.to_str().unwrap()])
        .env("TRUSTBOOK_TODAY", today)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Builds `root` again (reusing its output), and a copy of its sources from nothing; the
/// two must be byte for byte the same.
fn assert_same_as_clean(root: &Path, today: &str, step: &str) {
    build_on(root, today);
    let clean = tempfile::tempdir().unwrap();
    for folder in ["content", "themes"] {
        if root.join(folder).is_dir() {
            fs::create_dir_all(clean.path().join(folder)).unwrap();
            copy_tree(&root.join(folder), &clean.path().join(folder));
        }
    }
    build_on(clean.path(), today);
    let (reused, fresh) = (outputs(root), outputs(clean.path()));
    let names = |files: &[(String, Vec<u8>)]| files.iter().map(|f| f.0.clone()).collect::<Vec<_>>();
    assert_eq!(names(&reused), names(&fresh), "{step}: the same files");
    for ((path, a), (_, b)) in reused.iter().zip(&fresh) {
        assert!(a == b, "{step}: {path} differs from a clean build");
    }
}

fn edit(root: &Path, file: &str, from: &str, to: &str) {
    let path = root.join("content").join(file);
    let text = fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{file} has {from:?}");
    fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

/// Deletes the fixture's AI system and every reference to it.
fn remove_chatbot(root: &Path) {
    fs::remove_file(root.join("content/systems/chatbot.yaml")).unwrap();
    fs::remove_file(root.join("content/assessments/aia-1.yaml")).unwrap();
    edit(
        root,
        "policies/policy.md",
        "related: [POL-2, SYS-1]",
        "related: [POL-2]",
    );
    for file in ["controls/acme-1.yaml", "risks/r-1.yaml"] {
        edit(root, file, "systems: [SYS-1]\n", "");
    }
}

#[test]
fn every_rebuild_equals_a_clean_build() {
    let dir = site(None);
    let root = dir.path();
    // Two builds first: from the third on, each build updates a generation with keys.
    build_on(root, TODAY);
    assert_same_as_clean(root, TODAY, "unchanged");
    assert_same_as_clean(root, TODAY, "unchanged again");

    edit(
        root,
        "policies/other.md",
        "kept for two years",
        "kept for NEWTEXT years",
    );
    assert_same_as_clean(root, TODAY, "a body edit");
    let page = fs::read_to_string(root.join("public/policies/other/index.html")).unwrap();
    assert!(page.contains("NEWTEXT"));
    // The search indexes are kept while nothing they are made from changes: a body is.
    for index in ["public/search-index.js", "internal/search-index.js"] {
        let words = fs::read_to_string(root.join(index)).unwrap();
        assert!(words.contains("NEWTEXT"), "{index} lacks the edited word");
    }
    assert_same_as_clean(root, TODAY, "a body edit, one build later");

    // A title shows on other pages (links, lists, backlinks).
    edit(
        root,
        "policies/other.md",
        "title: Data procedure",
        "title: Data RETITLED",
    );
    assert_same_as_clean(root, TODAY, "a title edit");
    assert_same_as_clean(root, TODAY, "a title edit, one build later");

    // The navigation is on every public page: a page joining it, and its title, change
    // them all.
    edit(
        root,
        "pages/about.md",
        "title: About\n",
        "title: About\nnav: true\n",
    );
    assert_same_as_clean(root, TODAY, "a page added to the navigation");
    let control = fs::read_to_string(root.join("public/controls/acme-1/index.html")).unwrap();
    assert!(
        control.contains(">About</a>"),
        "the navigation lacks the page"
    );
    edit(
        root,
        "pages/about.md",
        "title: About\n",
        "title: About NAVTITLE\n",
    );
    assert_same_as_clean(root, TODAY, "a navigation title edit");
    let control = fs::read_to_string(root.join("public/controls/acme-1/index.html")).unwrap();
    assert!(
        control.contains("About NAVTITLE"),
        "a stale navigation title"
    );

    // A body's link to a file leads to the record the file holds: two controls swap
    // files, and the handbook page linking to one of them follows.
    let controls = root.join("content/controls");
    let first = fs::read_to_string(controls.join("acme-1.yaml")).unwrap();
    let second = fs::read_to_string(controls.join("acme-2.yaml")).unwrap();
    fs::write(controls.join("acme-1.yaml"), &second).unwrap();
    fs::write(controls.join("acme-2.yaml"), &first).unwrap();
    assert_same_as_clean(root, TODAY, "two records in each other's files");
    fs::write(controls.join("acme-1.yaml"), first).unwrap();
    fs::write(controls.join("acme-2.yaml"), second).unwrap();
    assert_same_as_clean(root, TODAY, "and back");

    remove_chatbot(root);
    assert_same_as_clean(root, TODAY, "a record removed");

    // Review dates are judged by today's date, so the day matters.
    assert_same_as_clean(root, "2027-06-01", "another day");

    let templates = root.join("themes/default/templates/public");
    fs::create_dir_all(&templates).unwrap();
    fs::write(
        templates.join("document.html"),
        "{% extends \"public/base.html\" %}{% block main %}OVERRIDE {{ page.title }}{% endblock %}",
    )
    .unwrap();
    assert_same_as_clean(root, TODAY, "a template override");
    let page = fs::read_to_string(root.join("public/policies/other/index.html")).unwrap();
    assert!(page.contains("OVERRIDE Data RETITLED"));
}

#[test]
fn a_page_changed_by_hand_in_the_output_is_written_again() {
    let dir = site(None);
    let root = dir.path();
    for _ in 0..2 {
        assert_eq!(build(root, &[]).code, 0);
    }
    let page = root.join("public/policies/other/index.html");
    let good = fs::read(&page).unwrap();
    fs::write(&page, "tampered").unwrap();
    // The tampered folder is the one the build after next updates.
    for _ in 0..2 {
        assert_eq!(build(root, &[]).code, 0);
    }
    assert_eq!(fs::read(&page).unwrap(), good);
}

#[test]
fn a_build_that_fails_while_rendering_leaves_nothing_trusted_behind() {
    let dir = site(None);
    let root = dir.path();
    for _ in 0..2 {
        assert_eq!(build(root, &[]).code, 0);
    }
    let templates = root.join("themes/default/templates/public");
    fs::create_dir_all(&templates).unwrap();
    fs::write(templates.join("control.html"), "{% if %}").unwrap();
    let run = build(root, &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    fs::remove_file(templates.join("control.html")).unwrap();
    assert_same_as_clean(root, TODAY, "after a failed build");
    assert_same_as_clean(root, TODAY, "after a failed build, one build later");
}

#[test]
fn a_file_put_into_the_output_by_hand_is_gone_within_two_builds() {
    let dir = site(None);
    let root = dir.path();
    for _ in 0..2 {
        assert_eq!(build(root, &[]).code, 0);
    }
    let stray = root.join("public/policies/notes.txt");
    fs::write(&stray, "not for the public").unwrap();
    for _ in 0..2 {
        assert_eq!(build(root, &[]).code, 0);
    }
    assert!(!stray.exists());
    assert!(
        !root
            .join(".public.trustbook-previous/policies/notes.txt")
            .exists()
    );
}

#[test]
fn the_build_after_a_first_one_reuses_its_pages_without_touching_the_live_site() {
    let dir = site(None);
    let root = dir.path();
    assert_eq!(build(root, &[]).code, 0);
    // A record page and an index page of each site, none of which shows the edited text.
    let unchanged = [
        "public/policies/policy/index.html",
        "internal/policies/policy/index.html",
        "internal/soa/index.html",
        "internal/preview/policies/policy/index.html",
    ];
    let modified = |page: &str| fs::metadata(root.join(page)).unwrap().modified().unwrap();
    let written: Vec<_> = unchanged.iter().map(|page| modified(page)).collect();
    std::thread::sleep(std::time::Duration::from_millis(20));
    edit(
        root,
        "policies/other.md",
        "kept for two years",
        "kept for NEWTEXT years",
    );
    assert_eq!(build(root, &[]).code, 0);
    for (page, before) in unchanged.iter().zip(written) {
        assert_eq!(modified(page), before, "{page} is not written again");
    }
    let page = "policies/other/index.html";
    let new = fs::read_to_string(root.join("public").join(page)).unwrap();
    let old = fs::read_to_string(root.join(".public.trustbook-previous").join(page)).unwrap();
    assert!(new.contains("NEWTEXT"));
    assert!(
        !old.contains("NEWTEXT"),
        "the generation that was live during the build kept its own bytes"
    );
    assert_same_as_clean(root, TODAY, "the third build");
}

/// Reuse is by key, size and time, without reading or rendering the page: a page changed
/// in place with its size and time kept is therefore left as it is. (That is the price of
/// not reading 25,000 files per build; a change of size or time is caught, see above.)
#[test]
fn unchanged_pages_are_reused_by_key_not_rendered_again() {
    let dir = site(None);
    let root = dir.path();
    assert_eq!(build(root, &[]).code, 0);
    let pages = [
        "public/policies/policy/index.html",
        "public/index.html",
        "internal/policies/policy/index.html",
        "internal/soa/index.html",
        "internal/preview/index.html",
    ];
    for page in pages {
        let path = root.join(page);
        let (bytes, time) = (
            fs::read(&path).unwrap(),
            fs::metadata(&path).unwrap().modified().unwrap(),
        );
        let marked = [b"REUSED".as_slice(), &bytes[6..]].concat();
        let mut file = fs::File::options().write(true).open(&path).unwrap();
        std::io::Write::write_all(&mut file, &marked).unwrap();
        file.set_modified(time).unwrap();
    }
    edit(
        root,
        "policies/other.md",
        "kept for two years",
        "kept for NEWTEXT years",
    );
    assert_eq!(build(root, &[]).code, 0);
    for page in pages {
        let bytes = fs::read(root.join(page)).unwrap();
        assert!(bytes.starts_with(b"REUSED"), "{page} was rendered again");
    }
}

/// What `serve` holds after each save (the handbook with its public preview, built in
/// memory with every cache kept between builds), against a build from nothing.
fn served_equals_fresh(root: &Path, reuse: &trustbook::build::Reuse, step: &str) -> bool {
    use trustbook::build::{Audience, Reuse, render_models};
    use trustbook::load;
    let today = load::date::Date::parse(TODAY).unwrap();
    // What `check` found (as `serve` runs it, keeping the links rule's findings between
    // saves), and the handbook when nothing is an error.
    let built = |reuse: &Reuse| {
        let mut findings = Vec::new();
        let site = load::load_cached(root, &mut findings, &reuse.sources).unwrap();
        let (models, mut findings, _) =
            trustbook::build::checked_models(&site, reuse, today, findings);
        let failed = findings
            .iter()
            .any(|f| f.severity == trustbook::finding::Severity::Error);
        // As `serve` shows them: sorted, each with its path and place.
        trustbook::report::sort(&mut findings, &site.sources);
        let mut shown = Vec::new();
        trustbook::report::print_json(&findings, &site.sources, &mut shown).unwrap();
        // Rendered from those models, as `serve` does: they are made of the parts it keeps.
        let files = (!failed).then(|| {
            let models = models.unwrap();
            let only = Some(Audience::Internal);
            let built = render_models(&site, &models, only, reuse).unwrap();
            built.internal.unwrap().files
        });
        (shown, files)
    };
    let (served_findings, served) = built(reuse);
    let (fresh_findings, fresh) = built(&Reuse::default());
    assert!(
        served_findings == fresh_findings,
        "{step}: the same findings\nserved: {}\nfresh: {}",
        String::from_utf8_lossy(&served_findings),
        String::from_utf8_lossy(&fresh_findings)
    );
    let Some(served) = served else {
        return false;
    };
    let fresh = fresh.expect("the same sources pass");
    let names =
        |files: &std::collections::BTreeMap<String, _>| files.keys().cloned().collect::<Vec<_>>();
    assert_eq!(names(&served), names(&fresh), "{step}: the same files");
    for (path, bytes) in &served {
        assert!(
            bytes == &fresh[path],
            "{step}: {path} differs from a fresh build"
        );
    }
    true
}

/// `serve` keeps each document's findings of the links rule between saves: a heading
/// added or removed elsewhere, a target withdrawn from the public site, or a target
/// moved away changes what a link finds, and its findings must follow.
#[test]
fn findings_on_links_follow_what_the_links_lead_to() {
    let dir = site(None);
    let root = dir.path();
    let reuse = trustbook::build::Reuse::serving();
    let about = root.join("content/pages/about.md");
    let original = fs::read_to_string(&about).unwrap();
    let link = "# Data procedure\n\nSee [the team](../pages/about.md#our-team).\n";
    edit(root, "policies/other.md", "# Data procedure\n", link);
    assert!(!served_equals_fresh(
        root,
        &reuse,
        "a link to a missing heading"
    ));
    fs::write(&about, format!("{original}\n## Our team\n\nWho we are.\n")).unwrap();
    assert!(served_equals_fresh(root, &reuse, "the heading written"));
    let withdrawn = fs::read_to_string(&about).unwrap().replacen(
        "visibility: public",
        "visibility: internal",
        1,
    );
    fs::write(&about, withdrawn).unwrap();
    assert!(served_equals_fresh(
        root,
        &reuse,
        "the linked page made internal"
    ));
    fs::write(&about, &original).unwrap();
    assert!(!served_equals_fresh(root, &reuse, "the heading gone again"));
    fs::rename(&about, root.join("content/pages/moved.md")).unwrap();
    assert!(!served_equals_fresh(root, &reuse, "the linked page moved"));
    fs::rename(root.join("content/pages/moved.md"), &about).unwrap();
    fs::write(
        &about,
        format!("{original}\n<h2 id=\"our-team\">Team</h2>\n"),
    )
    .unwrap();
    assert!(served_equals_fresh(root, &reuse, "an element with the id"));
}

#[test]
fn what_serve_holds_after_every_save_equals_a_fresh_build() {
    let dir = site(None);
    let root = dir.path();
    let reuse = trustbook::build::Reuse::serving();
    assert!(served_equals_fresh(root, &reuse, "first"));
    edit(
        root,
        "policies/other.md",
        "kept for two years",
        "kept for SAVEDWORD years",
    );
    assert!(served_equals_fresh(root, &reuse, "a body edit"));
    edit(
        root,
        "policies/other.md",
        "title: Data procedure",
        "title: Data RETITLED",
    );
    assert!(served_equals_fresh(root, &reuse, "a title edit"));
    edit(
        root,
        "pages/about.md",
        "title: About\n",
        "title: About\nnav: true\n",
    );
    assert!(served_equals_fresh(
        root,
        &reuse,
        "a page added to the navigation"
    ));
    edit(
        root,
        "pages/about.md",
        "title: About\n",
        "title: About NAVTITLE\n",
    );
    assert!(served_equals_fresh(root, &reuse, "a navigation title edit"));
    // A broken save is not served; the one that mends it is, and matches.
    edit(
        root,
        "policies/other.md",
        "title: Data RETITLED",
        "title: [unclosed",
    );
    assert!(!served_equals_fresh(root, &reuse, "a broken save"));
    edit(
        root,
        "policies/other.md",
        "title: [unclosed",
        "title: Data again",
    );
    assert!(served_equals_fresh(root, &reuse, "mended"));
    // The same length, other words.
    edit(
        root,
        "policies/other.md",
        "kept for SAVEDWORD years",
        "kept for SAVEDTEXT years",
    );
    assert!(served_equals_fresh(
        root,
        &reuse,
        "an edit of the same length"
    ));
    // Back to text served before: the words kept for it are the right ones.
    edit(
        root,
        "policies/other.md",
        "kept for SAVEDTEXT years",
        "kept for two years",
    );
    assert!(served_equals_fresh(root, &reuse, "an edit undone"));
    // What a public body links to changes while its own text does not (a body without
    // assets: `serve` keeps where its links lead).
    let other = root.join("content/policies/other.md");
    let text = fs::read_to_string(&other).unwrap();
    fs::write(
        &other,
        format!("{text}\nSee [the control](../controls/acme-1.yaml).\n"),
    )
    .unwrap();
    assert!(served_equals_fresh(root, &reuse, "a link to a control"));
    let controls = root.join("content/controls");
    edit(
        root,
        "controls/acme-1.yaml",
        "visibility: public",
        "visibility: internal",
    );
    assert!(served_equals_fresh(
        root,
        &reuse,
        "a linked control withdrawn"
    ));
    edit(
        root,
        "controls/acme-1.yaml",
        "visibility: internal",
        "visibility: public",
    );
    edit(
        root,
        "controls/acme-2.yaml",
        "visibility: restricted",
        "visibility: public",
    );
    assert!(served_equals_fresh(root, &reuse, "both controls public"));
    // The same records, the same pages, in each other's files.
    let first = fs::read_to_string(controls.join("acme-1.yaml")).unwrap();
    let second = fs::read_to_string(controls.join("acme-2.yaml")).unwrap();
    fs::write(controls.join("acme-1.yaml"), &second).unwrap();
    fs::write(controls.join("acme-2.yaml"), &first).unwrap();
    assert!(served_equals_fresh(
        root,
        &reuse,
        "the linked file holds another control"
    ));
    fs::write(controls.join("acme-1.yaml"), &first).unwrap();
    fs::write(controls.join("acme-2.yaml"), second).unwrap();
    assert!(served_equals_fresh(root, &reuse, "and back"));
    remove_chatbot(root);
    assert!(served_equals_fresh(root, &reuse, "a record removed"));
}

/// A small, seeded random source: the same sequence on every run, so a failure repeats.
struct Xorshift(u64);

impl Xorshift {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

/// The sources of a site, relative to `content/`, sorted: what a random save may touch.
fn source_files(root: &Path) -> Vec<String> {
    let mut files: Vec<String> = files_under(&root.join("content"))
        .into_iter()
        .map(|(path, _)| path)
        .filter(|p| (p.ends_with(".md") || p.ends_with(".yaml")) && p != "site.yaml")
        .filter(|p| !p.starts_with("catalogs/"))
        .collect();
    files.sort();
    files
}

/// Puts back the file a broken save left (as a writer mends it before the next save),
/// saying so.
fn mend(broken: &mut Option<(std::path::PathBuf, String)>) -> &'static str {
    match broken.take() {
        Some((path, text)) => {
            fs::write(&path, text).unwrap();
            "mended, then "
        }
        None => "",
    }
}

/// One random save to the site at `root` (the `n`th): an edit of a body, a heading, a
/// link, a title, a visibility or a catalogue; a new document, one renamed or removed; a
/// file put back as it was; or a broken save, which the next save mends (as a writer
/// does) before making its own change. Returns what it did, for the failure message.
fn random_save(
    root: &Path,
    random: &mut Xorshift,
    n: usize,
    broken: &mut Option<(std::path::PathBuf, String)>,
) -> String {
    let mended = mend(broken);
    format!("{mended}{}", random_change(root, random, n, broken))
}

fn random_change(
    root: &Path,
    random: &mut Xorshift,
    n: usize,
    broken: &mut Option<(std::path::PathBuf, String)>,
) -> String {
    let content = root.join("content");
    let files = source_files(root);
    let file = files[random.below(files.len())].clone();
    let path = content.join(&file);
    let text = fs::read_to_string(&path).unwrap();
    let first_line = |key: &str| text.lines().find(|l| l.starts_with(key)).map(str::to_owned);
    let markdown = file.ends_with(".md");
    match random.below(11) {
        0 if markdown => {
            fs::write(&path, format!("{text}\nRANDWORD{n} appended.\n")).unwrap();
            format!("a body edit of {file}")
        }
        1 if markdown => {
            fs::write(&path, format!("{text}\n## Section {n}\n\nMore text.\n")).unwrap();
            format!("a heading added to {file}")
        }
        2 if markdown => {
            let link = "\nSee [the procedure](../policies/other.md#data-retention).\n";
            fs::write(&path, format!("{text}{link}")).unwrap();
            format!("a link added to {file}")
        }
        3 => {
            let flipped = if text.contains("visibility: public") {
                text.replacen("visibility: public", "visibility: internal", 1)
            } else {
                text.replacen("visibility: internal", "visibility: public", 1)
            };
            fs::write(&path, flipped).unwrap();
            format!("the visibility of {file} flipped")
        }
        4 => match first_line("title: ") {
            Some(line) => {
                fs::write(&path, text.replacen(&line, &format!("{line} T{n}"), 1)).unwrap();
                format!("{file} retitled")
            }
            None => format!("nothing (no title in {file})"),
        },
        5 => {
            let visibility = ["public", "internal"][random.below(2)];
            let new = format!(
                "---\nid: POL-N{n}\ntitle: New policy {n}\ndoc_type: policy\nversion: \"1.0\"\n\
                 status: approved\nowner: Data Protection Officer\napproved_by: Head of AI Governance\n\
                 approved_on: 2026-03-01\nnext_review: 2027-03-01\nvisibility: {visibility}\n\
                 public_summary: Policy number {n}.\n---\n\n# New policy {n}\n\n\
                 Read [the procedure](other.md).\n"
            );
            fs::write(content.join(format!("policies/new-{n}.md")), new).unwrap();
            format!("policies/new-{n}.md added ({visibility})")
        }
        6 if file.contains("/new-") => {
            let to = format!("pages/moved-{n}.md");
            fs::rename(&path, content.join(&to)).unwrap();
            format!("{file} renamed to {to}")
        }
        7 if file.contains("/new-") || file.contains("/moved-") => {
            fs::remove_file(&path).unwrap();
            format!("{file} removed")
        }
        8 => {
            let catalog = content.join("catalogs/acme.yaml");
            let text = fs::read_to_string(&catalog).unwrap();
            // A control's title shows in the SoA; the catalogue's name only in OSCAL.
            let (line, what) = [
                (
                    "  - {id: ACME-2, objective: ACME, title: \"",
                    "a control retitled",
                ),
                ("name: \"", "renamed"),
                ("  - {id: ACME, title: \"", "an objective retitled"),
            ][random.below(3)];
            let edited = text.replacen(line, &format!("{line}{n} "), 1);
            fs::write(&catalog, edited).unwrap();
            format!("a catalogue: {what}")
        }
        9 => {
            let original = fixtures_file(&file);
            match original {
                Some(bytes) => fs::write(&path, bytes).unwrap(),
                None => fs::remove_file(&path).unwrap(),
            }
            format!("{file} put back as it was")
        }
        10 => {
            fs::write(&path, "---\ntitle: [unclosed\n---\nbroken\n").unwrap();
            *broken = Some((path.clone(), text));
            format!("a broken save of {file}")
        }
        _ => {
            fs::write(&path, format!("{text}\n")).unwrap();
            format!("a blank line added to {file}")
        }
    }
}

/// The file at `path` (under `content/`) as the fixture site has it, if it has it.
fn fixtures_file(path: &str) -> Option<Vec<u8>> {
    fs::read(common::fixtures().join("good/content").join(path)).ok()
}

/// The issue's correctness bar for `serve`: after any sequence of saves, what it serves is
/// a fresh build, byte for byte. Seeded sequences of random saves (set
/// `TRUSTBOOK_SAVE_SEQUENCES` to run more); broken saves are put back by a later save
/// (they are not served, and a build that fails is not compared).
#[test]
fn random_sequences_of_saves_serve_what_a_fresh_build_makes() {
    let sequences: u64 = std::env::var("TRUSTBOOK_SAVE_SEQUENCES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(3);
    let mut served = 0;
    let mut saves = 0;
    for seed in 1..=sequences {
        let dir = site(None);
        let root = dir.path();
        let reuse = trustbook::build::Reuse::serving();
        assert!(served_equals_fresh(root, &reuse, "first"));
        let mut random = Xorshift(0x9E37_79B9_7F4A_7C15 ^ seed);
        let mut done = Vec::new();
        let mut broken = None;
        for n in 0..30 {
            done.push(random_save(root, &mut random, n, &mut broken));
            let step = format!("sequence {seed}, after: {}", done.join("; "));
            saves += 1;
            if served_equals_fresh(root, &reuse, &step) {
                served += 1;
            }
        }
    }
    // Most saves must build, or the comparison above tested little.
    assert!(served * 2 > saves, "only {served} of {saves} saves built");
}

/// Every file under `content/` and `themes/` with its bytes: two of these differ where a
/// watcher would report a change.
fn snapshot(root: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut all = std::collections::BTreeMap::new();
    for folder in ["content", "themes"]
        .into_iter()
        .filter(|f| root.join(f).is_dir())
    {
        for (path, bytes) in files_under(&root.join(folder)) {
            all.insert(format!("{folder}/{path}"), bytes);
        }
    }
    all
}

/// Dates every file under `content/` an hour back, as if written long ago.
fn age_sources(root: &Path) {
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    fn each_file(folder: &Path, to: std::time::SystemTime) {
        for entry in fs::read_dir(folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                each_file(&path, to);
            } else {
                let file = fs::File::options().write(true).open(&path).unwrap();
                file.set_modified(to).unwrap();
            }
        }
    }
    each_file(&root.join("content"), hour_ago);
}

/// The paths that differ between two snapshots, as the watcher sends them.
fn batch_between(
    before: &std::collections::BTreeMap<String, Vec<u8>>,
    after: &std::collections::BTreeMap<String, Vec<u8>>,
) -> Vec<std::path::PathBuf> {
    let keys: std::collections::BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    keys.into_iter()
        .filter(|k| before.get(*k) != after.get(*k))
        .map(std::path::PathBuf::from)
        .collect()
}

/// A random save to one Markdown body (the saves `serve` answers without a full build,
/// and some it must not): words, headings (some linked to), internal blocks, comments,
/// placeholders, code, a marker left open; now and then any other save.
fn random_body_save(
    root: &Path,
    random: &mut Xorshift,
    n: usize,
    broken: &mut Option<(std::path::PathBuf, String)>,
) -> String {
    if random.below(5) == 0 {
        return random_save(root, random, n, broken);
    }
    let mended = mend(broken);
    let documents: Vec<String> = source_files(root)
        .into_iter()
        .filter(|f| f.ends_with(".md"))
        .collect();
    let file = documents[random.below(documents.len())].clone();
    let path = root.join("content").join(&file);
    let text = fs::read_to_string(&path).unwrap();
    let heading = text.lines().find(|l| l.starts_with('#')).map(str::to_owned);
    // A renamed heading may break a link to it: the next save puts it back, as the
    // writer would.
    let kind = random.below(10);
    if matches!(kind, 2 | 3 | 7) {
        *broken = Some((path.clone(), text.clone()));
    }
    let (changed, what) = match kind {
        0 => (format!("{text}\nWord{n} appended.\n"), "a line appended"),
        1 => (
            text.replacen(" the ", &format!(" the {n} "), 1),
            "a word inserted",
        ),
        2 => match &heading {
            Some(line) => (
                text.replacen(line, &format!("{line} {n}"), 1),
                "its first heading renamed",
            ),
            None => (text.clone(), "nothing (no heading)"),
        },
        3 => (
            text.replacen("## Data retention", &format!("## Data retention {n}"), 1),
            "a heading another document links to renamed",
        ),
        4 => (
            format!("{text}\n<!-- internal -->\n\nSECRET-CANARY {n}.\n\n<!-- /internal -->\n"),
            "an internal block added",
        ),
        5 => (
            format!("{text}\n<!-- a comment {n} -->\n\nTODO: say more {n}\n"),
            "a comment and a placeholder added",
        ),
        6 => (
            format!("{text}\n```rust\nfn f{n}() {{}}\n```\n"),
            "code added",
        ),
        7 => (
            format!("{text}\n<!-- internal -->\n\nnever closed {n}\n"),
            "an internal block left open",
        ),
        8 => (
            format!("{text}\n<video poster=\"../assets/chart.png\"></video>\n"),
            "an asset named in raw HTML only",
        ),
        _ => (text.replacen("\n\n", "\n\n\n", 1), "a blank line added"),
    };
    fs::write(&path, changed).unwrap();
    format!("{mended}{what} in {file}")
}

/// The handbook a fresh build of `root` makes (with what git says when `use_git`), or
/// `None` when the site fails `check`.
fn fresh_handbook(
    root: &Path,
    use_git: bool,
) -> Option<std::collections::BTreeMap<String, trustbook::render::output::Bytes>> {
    fresh_handbook_and_findings(root, use_git).0
}

/// `fresh_handbook`, and every finding as `check` prints them without colour.
#[allow(clippy::type_complexity)] // a pair, named where it is used
fn fresh_handbook_and_findings(
    root: &Path,
    use_git: bool,
) -> (
    Option<std::collections::BTreeMap<String, trustbook::render::output::Bytes>>,
    String,
) {
    use trustbook::build::{Audience, Reuse, render};
    use trustbook::{check, history, load};
    let today = load::date::today().unwrap();
    let mut findings = Vec::new();
    let mut site = load::load_cached(root, &mut findings, &Default::default()).unwrap();
    history::attach_reusing(&mut site, use_git, today, None, &mut findings);
    check::run(&site, today, &mut findings);
    check::run_provenance(&site, today, &mut findings);
    let failed = (findings.iter()).any(|f| f.severity == trustbook::finding::Severity::Error);
    trustbook::report::sort(&mut findings, &site.sources);
    let mut text = codespan_reporting::term::termcolor::NoColor::new(Vec::new());
    trustbook::report::print_text(&findings, &site.sources, &mut text).unwrap();
    let files = (!failed).then(|| {
        let built = render(&site, today, Some(Audience::Internal), &Reuse::default());
        built.unwrap().internal.unwrap().files
    });
    (
        files,
        String::from_utf8_lossy(&text.into_inner()).into_owned(),
    )
}

/// Makes one random save (the `n`th) to the site at the path, saying what it did; a save
/// it leaves broken is recorded for the next to mend.
type RandomSave =
    fn(&Path, &mut Xorshift, usize, &mut Option<(std::path::PathBuf, String)>) -> String;

/// Seeded random sequences of saves, mostly of one body, answered by `serve`'s loop (from
/// what it kept, or by a full build), each answer compared with a fresh build, byte for
/// byte. In git, some saves are commits. Returns how many saves built, and how many of
/// those were answered from what was kept.
fn serve_random_body_saves(use_git: bool, sequences: u64) -> (usize, usize, usize) {
    serve_random_saves(use_git, sequences, |_| {}, random_body_save)
}

/// The same with saves `random_save` makes, to the fixture site as `prepare` leaves it.
fn serve_random_saves(
    use_git: bool,
    sequences: u64,
    prepare: fn(&Path),
    random_save: RandomSave,
) -> (usize, usize, usize) {
    let (mut saves, mut from_kept, mut built) = (0, 0, 0);
    for seed in 1..=sequences {
        let dir = site(None);
        let root = dir.path();
        // An asset no page uses yet, for a body to name.
        let assets = root.join("content/assets");
        fs::copy(assets.join("diagram.png"), assets.join("chart.png")).unwrap();
        prepare(root);
        if use_git {
            fs::write(root.join(".gitignore"), ".trustbook-cache/\n").unwrap();
            git(root, &["init", "-q"]);
            git(root, &["add", "-A"]);
            git(root, &["commit", "-q", "-m", "First"]);
        }
        let color = codespan_reporting::term::termcolor::ColorChoice::Never;
        let mut session = trustbook::serve::session::Session::new(root, use_git, color);
        assert!(session.build().files.is_some(), "the fixture builds");
        let mut random = Xorshift(0x2545_F491_4F6C_DD1D ^ seed ^ u64::from(use_git));
        let (mut done, mut broken) = (Vec::new(), None);
        for n in 0..40 {
            let before = snapshot(root);
            let batch = if use_git && broken.is_none() && random.below(8) == 0 {
                git(root, &["add", "-A"]);
                git(
                    root,
                    &["commit", "-q", "--allow-empty", "-m", &format!("Save {n}")],
                );
                done.push("a commit".to_string());
                // What `serve`'s poll of HEAD sends.
                vec![std::path::PathBuf::from(".git/HEAD")]
            } else {
                if use_git && broken.is_none() && random.below(12) == 0 {
                    // A commit whose HEAD the poll has not yet reported, then a save.
                    git(root, &["add", "-A"]);
                    git(
                        root,
                        &["commit", "-q", "--allow-empty", "-m", &format!("Quiet {n}")],
                    );
                    done.push("a commit not yet seen".to_string());
                }
                done.push(random_save(root, &mut random, n, &mut broken));
                batch_between(&before, &snapshot(root))
            };
            let step = format!("git {use_git}, sequence {seed}, after: {}", done.join("; "));
            saves += 1;
            // Old enough to be kept between loads: `serve` then takes every file not
            // reported as it was (a file written in the last seconds is always read).
            age_sources(root);
            let outcome = session.changed(&batch);
            let (expected, findings) = fresh_handbook_and_findings(root, use_git);
            if let Some(kept) = session.kept_findings() {
                assert_eq!(kept, findings, "{step}: the findings `check` reports");
            }
            let Some(files) = outcome.files else {
                assert!(
                    expected.is_none(),
                    "{step}: serve failed where a build passes"
                );
                continue;
            };
            let expected = expected.unwrap_or_else(|| panic!("{step}: serve built a failing site"));
            built += 1;
            from_kept += usize::from(outcome.from_kept);
            let names =
                |f: &std::collections::BTreeMap<String, _>| f.keys().cloned().collect::<Vec<_>>();
            assert_eq!(names(&files), names(&expected), "{step}: the same files");
            for (path, bytes) in files.iter() {
                // What an internal block says never reaches the public preview.
                let text = String::from_utf8_lossy(bytes);
                assert!(
                    !(path.starts_with("preview/") && text.contains("SECRET-CANARY")),
                    "{step}: {path} shows internal text"
                );
                assert!(
                    bytes == &expected[path],
                    "{step}: {path} differs from a fresh build (from what was kept: {})",
                    outcome.from_kept
                );
            }
        }
    }
    (saves, built, from_kept)
}

fn save_sequences() -> u64 {
    std::env::var("TRUSTBOOK_SAVE_SEQUENCES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(3)
}

/// What `serve` answers to each save (from what it kept, or by a full build) is what a
/// fresh build makes, byte for byte, after seeded random sequences of saves that are
/// mostly edits of a body. `TRUSTBOOK_SAVE_SEQUENCES` runs more.
#[test]
fn serve_answers_saves_of_a_body_as_a_fresh_build_would() {
    let (saves, built, from_kept) = serve_random_body_saves(false, save_sequences());
    eprintln!("{saves} saves: {built} built, {from_kept} of them from what was kept");
    // Most saves must build, and many of them from what was kept, or this tested little.
    assert!(built * 2 > saves, "only {built} of {saves} saves built");
    assert!(
        from_kept * 4 > saves,
        "only {from_kept} of {saves} saves answered from what was kept"
    );
}

/// The same in a git repository, where some saves are commits: a body save is answered
/// from what was kept only when git says of its file what it said (committed or not).
#[test]
fn serve_answers_saves_of_a_body_in_git_as_a_fresh_build_would() {
    let (saves, built, from_kept) = serve_random_body_saves(true, save_sequences());
    eprintln!("{saves} saves in git: {built} built, {from_kept} of them from what was kept");
    assert!(built * 2 > saves, "only {built} of {saves} saves built");
    assert!(
        from_kept * 10 > saves,
        "only {from_kept} of {saves} saves answered from what was kept"
    );
}

/// A random save to one risk or AI system (the saves `serve` answers from what it kept
/// when only the record's page-local fields changed, and some it must not): one such
/// field rewritten, grown to several lines, emptied, quoted, made to look like a
/// placeholder, a comment or a link; a comment added; its title, its score or review date
/// or its visibility changed; a field removed; now and then any other save.
fn random_record_save(
    root: &Path,
    random: &mut Xorshift,
    n: usize,
    broken: &mut Option<(std::path::PathBuf, String)>,
) -> String {
    if random.below(6) == 0 {
        return random_save(root, random, n, broken);
    }
    let mended = mend(broken);
    let file = ["risks/r-1.yaml", "risks/r-2.yaml", "systems/chatbot.yaml"][random.below(3)];
    let system = file.starts_with("systems/");
    let field = match system {
        true => [
            "description",
            "purpose",
            "human_oversight",
            "limitations",
            "opt_out",
        ][random.below(5)],
        false => "description",
    };
    let path = root.join("content").join(file);
    let text = fs::read_to_string(&path).unwrap();
    // The field's lines (a block of several is made one line again).
    let start = 1 + text.find(&format!("\n{field}:")).expect("the field");
    let end = (text[start..].match_indices('\n'))
        .map(|(at, _)| start + at)
        .find(|&at| !text[at + 1..].starts_with(' '))
        .unwrap_or(text.len());
    let with = |value: String| {
        let value = value.replacen("description:", &format!("{field}:"), 1);
        format!("{}{value}{}", &text[..start], &text[end..])
    };
    let (title, score) = match system {
        true => ("name: ", "last_reviewed: "),
        false => ("title: ", "likelihood: "),
    };
    let kind = random.below(15);
    if kind == 11 {
        *broken = Some((path.clone(), text.clone()));
    }
    let (changed, what) = match kind {
        0 => (
            with(format!("description: The answers are wrong {n} times.")),
            "rewritten",
        ),
        1 => (
            with(format!(
                "description: |\n  First line {n}.\n  Second line.\n  Third."
            )),
            "grown to a block of lines",
        ),
        2 => (with("description: \"\"".into()), "emptied"),
        3 => (
            with(format!(
                "description: \"Quoted \\\"{n}\\\" — Überprüfung ✓\""
            )),
            "quoted, with escapes and other scripts",
        ),
        4 => (
            with(format!("description: TODO say more {n}")),
            "made a placeholder",
        ),
        5 => (
            with(format!(
                "description: \"<!-- internal --> SECRET-CANARY {n}\""
            )),
            "made a comment and a marker",
        ),
        6 => (
            with(format!(
                "description: See [the policy](../policies/other.md) and R-{n}."
            )),
            "made a link",
        ),
        7 => (
            text.replacen("\nowner:", &format!("\n# reviewed {n}\nowner:"), 1),
            "a comment added",
        ),
        8 => (
            text.replacen(title, &format!("{title}T{n} "), 1),
            "its title changed",
        ),
        9 => {
            let line = text.lines().find(|l| l.starts_with(score)).unwrap();
            let value = match system {
                true => format!("{score}2026-0{}-01", 1 + n % 9),
                false => format!("{score}{}", 1 + n % 5),
            };
            (
                text.replacen(line, &value, 1),
                "its score or review date changed",
            )
        }
        10 => {
            let flipped = if text.contains("visibility: public") {
                text.replacen("visibility: public", "visibility: internal", 1)
            } else if text.contains("visibility: internal") {
                text.replacen("visibility: internal", "visibility: public", 1)
            } else {
                format!("{text}visibility: public\npublic_summary: A summary {n}.\n")
            };
            (flipped, "its visibility changed")
        }
        11 => (with(String::new()), "removed"),
        12 => (
            with(format!("description: Short {n}.")).replacen("\nowner:", "\nowner: ", 1),
            "shortened, and the space after owner changed",
        ),
        13 => (
            text.replacen(&format!("\n{field}: "), &format!("\n{field}:   "), 1),
            "the space before it widened",
        ),
        _ => {
            // Two fields apart at once (a system's), or one and a comment at the top.
            let both = with(format!("description: Both {n}."));
            let both = match system {
                true => both.replacen("\nopt_out: ", &format!("\nopt_out: Also {n}. "), 1),
                false => format!("# note {n}\n{both}"),
            };
            (both, "changed with another field or a comment")
        }
    };
    fs::write(&path, changed).unwrap();
    format!("{mended}{file}: {field} {what}")
}

/// What `serve` answers to each save of a risk or an AI system (from what it kept, when
/// only its page-local fields changed, or by a full build) is what a fresh build makes,
/// byte for byte, after seeded random sequences of such saves, some of them in git.
#[test]
fn serve_answers_saves_of_a_record_as_a_fresh_build_would() {
    for use_git in [false, true] {
        // A warning after a risk's description, which a save that changes its length
        // moves; one between two of a system's fields a save may change together.
        let overdue = |root: &Path| {
            let path = root.join("content/risks/r-2.yaml");
            let text = fs::read_to_string(&path).unwrap();
            fs::write(&path, format!("{text}next_review: 2020-01-01\n")).unwrap();
            let path = root.join("content/systems/chatbot.yaml");
            let text = fs::read_to_string(&path).unwrap();
            let deprecated = "data: Order history\nsupplier: Example LLM Co\n";
            fs::write(&path, text.replacen("data: Order history\n", deprecated, 1)).unwrap();
        };
        let (saves, built, from_kept) =
            serve_random_saves(use_git, save_sequences(), overdue, random_record_save);
        eprintln!("git {use_git}: {saves} saves: {built} built, {from_kept} from what was kept");
        assert!(built * 2 > saves, "only {built} of {saves} saves built");
        // In git, the first save after a commit builds in full (the file becomes
        // uncommitted), as does a save that puts back the committed text.
        let share = if use_git { 20 } else { 5 };
        assert!(
            from_kept * share > saves,
            "only {from_kept} of {saves} saves answered from what was kept"
        );
    }
}

/// Each page-local field (`record_save::PAGE_LOCAL`: what `serve` may make again from
/// its record's page alone) is that: given any text, it changes no finding, no file of
/// the public site, and no file of the handbook but its record's page, where the text
/// shows, and the search index; for a record published or not, or unpublished only for
/// the kinds whose fields are page-local only then (`while_internal`).
#[test]
fn a_page_local_field_shows_on_its_own_page_and_nowhere_else() {
    use trustbook::build::{Reuse, render};
    use trustbook::kind::Kind;
    use trustbook::{check, history, load};
    let today = load::date::today().unwrap();
    let built = |root: &Path| {
        let mut findings = Vec::new();
        let mut site = load::load_cached(root, &mut findings, &Default::default()).unwrap();
        history::attach_reusing(&mut site, false, today, None, &mut findings);
        check::run(&site, today, &mut findings);
        let said = |f: &trustbook::finding::Finding| {
            let line = (f.at.as_ref())
                .filter(|at| at.file < site.sources.len())
                .map(|at| site.sources.get(at.file).line_col(at.span.start).0);
            format!(
                "{:?} {} {line:?} {:?} {:?}",
                f.code, f.message, f.label, f.help
            )
        };
        let mut said: Vec<String> = findings.iter().map(said).collect();
        said.sort();
        let built = render(&site, today, None, &Reuse::default()).unwrap();
        let files = |files: Option<trustbook::render::SiteFiles>| files.unwrap().files;
        (said, files(built.public), files(built.internal))
    };
    let values = [
        "CANARY-1 plain words",
        "TODO CANARY-2",
        "<!-- internal --> CANARY-3 <!-- /internal -->",
        "CANARY-4 [a link](../policies/ai-policy.md) <script>x</script> &amp;",
        "",
    ];
    use trustbook::serve::record_save::{PAGE_LOCAL, while_internal};
    for (&(kind, field), published) in (PAGE_LOCAL.iter())
        .flat_map(|local| [(local, false), (local, true)])
        .filter(|(local, published)| !(*published && while_internal(local.0)))
    {
        let (file, page) = match kind {
            Kind::Risk => ("risks/r-1.yaml", "risks/r-1/index.html"),
            Kind::System => ("systems/chatbot.yaml", "systems/chatbot/index.html"),
            other => panic!("a page-local field of a {other:?}: name its record here"),
        };
        let dir = site(None);
        let root = dir.path();
        let path = root.join("content").join(file);
        let text = fs::read_to_string(&path).unwrap();
        let mut text: String = (text.lines())
            .filter(|l| !l.starts_with("visibility:") && !l.starts_with("public_summary:"))
            .map(|l| format!("{l}\n"))
            .collect();
        text.push_str(match published {
            true => "visibility: public\npublic_summary: In short.\n",
            false => "visibility: internal\n",
        });
        fs::write(&path, &text).unwrap();
        let (findings, public, internal) = built(root);
        let line = (text.lines())
            .find(|l| l.starts_with(&format!("{field}: ")))
            .unwrap_or_else(|| panic!("{file} has a `{field}` to write"));
        for value in values {
            // A value of one line: the lines of the findings stay where they were.
            let json = serde_json::to_string(value).unwrap();
            fs::write(&path, text.replacen(line, &format!("{field}: {json}"), 1)).unwrap();
            let step = format!("{kind:?} {field} written {json} (published: {published})");
            let (findings_now, public_now, internal_now) = built(root);
            assert_eq!(findings_now, findings, "{step}: the same findings");
            assert!(public_now == public, "{step}: the same public site");
            assert_eq!(
                internal_now.keys().collect::<Vec<_>>(),
                internal.keys().collect::<Vec<_>>(),
                "{step}: the same handbook files"
            );
            let search = "search-index.js";
            for (path, bytes) in &internal_now {
                let local = path == page || path == search;
                assert!(local || bytes == &internal[path], "{step}: {path} changed");
            }
            // Shown on its page (the search index may hold it or not).
            if let Some(canary) = value.split(' ').find(|w| w.starts_with("CANARY")) {
                let text = String::from_utf8_lossy(&internal_now[page]);
                assert!(text.contains(canary), "{step}: not on its page");
            }
        }
    }
}

/// A site's own theme may print a risk's description anywhere (here, each risk's page
/// prints every risk's): `serve` makes the whole handbook again when one changes, as it
/// does for any save under a theme of the site's own; with the built-in templates, copied
/// into the site or not, it makes that risk's page alone.
#[test]
fn a_risk_description_shown_by_a_site_theme_elsewhere_is_built_in_full() {
    let dir = site(None);
    let root = dir.path();
    let color = codespan_reporting::term::termcolor::ColorChoice::Never;
    let description = "description: The chatbot gives wrong order information.";
    let save = |session: &mut trustbook::serve::session::Session, n: usize| {
        let path = root.join("content/risks/r-1.yaml");
        let text = fs::read_to_string(&path).unwrap();
        let line = text
            .lines()
            .find(|l| l.starts_with("description:"))
            .unwrap();
        fs::write(
            &path,
            text.replacen(line, &format!("{description} Save {n}."), 1),
        )
        .unwrap();
        age_sources(root);
        let outcome = session.changed(&[std::path::PathBuf::from("content/risks/r-1.yaml")]);
        let files = outcome.files.expect("it builds");
        let expected = fresh_handbook(root, false).unwrap();
        assert!(*files == expected, "save {n}: what a fresh build makes");
        (outcome.from_kept, files)
    };
    // The built-in templates, copied into the site: a risk's page alone.
    let builtin = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/templates");
    let templates = root.join("themes/default/templates");
    fs::create_dir_all(&templates).unwrap();
    copy_tree(&builtin, &templates);
    let mut session = trustbook::serve::session::Session::new(root, false, color);
    assert!(session.build().files.is_some());
    let (from_kept, _) = save(&mut session, 1);
    assert!(from_kept, "the built-in templates: from what was kept");
    // The site's own risk page, which prints every risk's description.
    fs::write(
        templates.join("internal/risk.html"),
        "{% extends \"internal/base.html\" %}{% block main %}ALL RISKS: \
         {% for r in model.risks %}{{ r.record.description }}; {% endfor %}{% endblock %}",
    )
    .unwrap();
    let mut session = trustbook::serve::session::Session::new(root, false, color);
    assert!(session.build().files.is_some());
    let (from_kept, files) = save(&mut session, 2);
    assert!(!from_kept, "a theme of the site's own: built in full");
    let other = String::from_utf8_lossy(&files["risks/r-2/index.html"]).into_owned();
    assert!(other.contains("Save 2."), "{other}");
}

/// A theme's record page may print more than its record: here each risk page lists
/// every risk's title. Retitling one risk must reach the other's page, in `build` (which
/// reuses pages from its output) and in `serve` (from memory), because pages are keyed
/// by the model fields they read, not only by their own record.
#[test]
fn a_page_reading_more_than_its_record_follows_what_it_read() {
    let dir = site(None);
    let root = dir.path();
    let templates = root.join("themes/default/templates/internal");
    fs::create_dir_all(&templates).unwrap();
    fs::write(
        templates.join("risk.html"),
        "{% extends \"internal/base.html\" %}{% block main %}ALL RISKS: \
         {% for r in model.risks %}{{ r.record.title }}; {% endfor %}{% endblock %}",
    )
    .unwrap();
    build_on(root, TODAY);
    let reuse = trustbook::build::Reuse::serving();
    assert!(served_equals_fresh(root, &reuse, "first"));
    edit(
        root,
        "risks/r-2.yaml",
        "title: Vendor outage",
        "title: Vendor gone",
    );
    assert_same_as_clean(root, TODAY, "another risk retitled");
    let page = fs::read_to_string(root.join("internal/risks/r-1/index.html")).unwrap();
    assert!(page.contains("Vendor gone; "), "{page}");
    assert!(served_equals_fresh(root, &reuse, "another risk retitled"));
}

/// A heading that only a control's implementation links to, renamed in a save of the
/// body alone: `serve` must not answer from what it kept (the link is now broken, and a
/// fresh `check` refuses the site), but build in full and show the error.
#[test]
fn serve_sees_a_heading_a_control_links_to_renamed() {
    let dir = site(None);
    let root = dir.path();
    edit(
        root,
        "controls/acme-2.yaml",
        "  Red-team exercises are being scheduled with an external firm.",
        "  Red-team exercises follow [the plan](../policies/policy.md#testing).",
    );
    edit(
        root,
        "policies/policy.md",
        "## Scope {#scope}",
        "## Testing {#testing}\n\nBy an outside firm.\n\n## Scope {#scope}",
    );
    let color = codespan_reporting::term::termcolor::ColorChoice::Never;
    let mut session = trustbook::serve::session::Session::new(root, false, color);
    assert!(session.build().files.is_some(), "the fixture builds");
    let before = snapshot(root);
    edit(
        root,
        "policies/policy.md",
        "## Testing {#testing}",
        "## Trials {#trials}",
    );
    let outcome = session.changed(&batch_between(&before, &snapshot(root)));
    assert!(!outcome.from_kept, "answered from what was kept");
    let errors = outcome.errors.expect("the broken anchor is an error");
    assert!(errors.contains("broken-anchor"), "{errors}");
    assert!(errors.contains("acme-2.yaml"), "{errors}");
}

/// `serve --poll` reports the folder of a saved file beside the file (an editor replaced
/// it, and the folder's time changed): still a save of one body, answered from what was
/// kept. A folder made or moved in beside a save is not: its files are not reported one
/// by one, so the site is built in full (here, to warn that a subfolder is not read).
#[test]
fn a_save_reported_with_its_folder_is_still_a_save_of_one_body() {
    let dir = site(None);
    let root = dir.path();
    let color = codespan_reporting::term::termcolor::ColorChoice::Never;
    let mut session = trustbook::serve::session::Session::new(root, false, color);
    assert!(session.build().files.is_some(), "the fixture builds");
    let compare = |files: &std::collections::BTreeMap<String, _>, step: &str| {
        let expected = fresh_handbook(root, false).expect("the site builds");
        let names =
            |f: &std::collections::BTreeMap<String, _>| f.keys().cloned().collect::<Vec<_>>();
        assert_eq!(names(files), names(&expected), "{step}: the same files");
        for (path, bytes) in files {
            assert!(
                bytes == &expected[path],
                "{step}: {path} differs from a fresh build"
            );
        }
    };
    let folder = std::path::PathBuf::from("content/policies");
    let saved = std::path::PathBuf::from("content/policies/other.md");
    edit(
        root,
        "policies/other.md",
        "kept for two years",
        "kept for FOLDERWORD years",
    );
    let outcome = session.changed(&[folder.clone(), saved.clone()]);
    assert!(
        outcome.from_kept,
        "a body's save with its folder built in full"
    );
    compare(&outcome.files.unwrap(), "a body's save with its folder");

    let moved_in = root.join("content/policies/moved-in");
    fs::create_dir(&moved_in).unwrap();
    let other = fs::read_to_string(root.join("content/policies/other.md")).unwrap();
    let copy = other.replacen("id: POL-2", "id: POL-MOVED", 1).replacen(
        "title: Data procedure",
        "title: Moved in",
        1,
    );
    fs::write(moved_in.join("moved.md"), copy).unwrap();
    edit(root, "policies/other.md", "FOLDERWORD", "AGAINWORD");
    let outcome = session.changed(&[folder.join("moved-in"), saved]);
    assert!(
        !outcome.from_kept,
        "a folder moved in was answered from what was kept"
    );
    let files = outcome.files.expect("the site builds");
    compare(&files, "a folder moved in beside a body's save");

    // Gone beside a save: an editor's temporary file is nothing the site knew of; a
    // folder a warning is about, or an asset a page uses, is.
    let saved = std::path::PathBuf::from("content/policies/other.md");
    let temporary = folder.join("sedX4f2Qa");
    edit(root, "policies/other.md", "AGAINWORD", "TEMPWORD");
    let outcome = session.changed(&[saved.clone(), temporary]);
    assert!(
        outcome.from_kept,
        "a save with its editor's temporary file built in full"
    );
    compare(
        &outcome.files.unwrap(),
        "a save with its editor's temporary file",
    );
    // Events lost (the watcher's queue overflowed): the batch names both watched
    // folders, and a change nobody reported is built too.
    edit(
        root,
        "risks/r-1.yaml",
        "Wrong answers",
        "Unreported answers",
    );
    edit(root, "policies/other.md", "TEMPWORD", "LOSTWORD");
    let lost = [
        std::path::PathBuf::from("content"),
        saved.clone(),
        std::path::PathBuf::from("themes"),
    ];
    let outcome = session.changed(&lost);
    assert!(
        !outcome.from_kept,
        "a save among lost events was answered from what was kept"
    );
    compare(&outcome.files.unwrap(), "a save among lost events");
    fs::remove_dir_all(&moved_in).unwrap();
    edit(root, "policies/other.md", "LOSTWORD", "RMDIRWORD");
    let outcome = session.changed(&[saved.clone(), folder.join("moved-in")]);
    assert!(
        !outcome.from_kept,
        "a folder a warning named was removed, but kept"
    );
    compare(
        &outcome.files.unwrap(),
        "a folder removed beside a body's save",
    );
    fs::remove_file(root.join("content/assets/diagram.png")).unwrap();
    edit(root, "policies/other.md", "RMDIRWORD", "ASSETWORD");
    let asset = std::path::PathBuf::from("content/assets/diagram.png");
    let outcome = session.changed(&[saved, asset]);
    assert!(
        !outcome.from_kept,
        "an asset a page uses was removed, but kept"
    );
    let errors = outcome
        .errors
        .expect("the link to the removed asset is broken");
    assert!(errors.contains("diagram.png"), "{errors}");
}

/// Built in memory twice with the same caches (as tests and `serve` do), both sites keep
/// every unchanged page, the very bytes: the public site and the handbook both have an
/// `index.html`, and neither's cached page may push out the other's.
#[test]
fn both_sites_in_memory_keep_their_own_pages() {
    use trustbook::build::{Reuse, render};
    use trustbook::load;
    let dir = site(None);
    let root = dir.path();
    let today = load::date::Date::parse(TODAY).unwrap();
    let reuse = Reuse::serving();
    let built = || {
        let mut findings = Vec::new();
        let site = load::load_cached(root, &mut findings, &reuse.sources).unwrap();
        render(&site, today, None, &reuse).unwrap()
    };
    let (first, second) = (built(), built());
    let kept = |a: &Option<trustbook::render::SiteFiles>,
                b: &Option<trustbook::render::SiteFiles>| {
        let (a, b) = (&a.as_ref().unwrap().files, &b.as_ref().unwrap().files);
        a.iter()
            .filter(|(path, _)| path.ends_with(".html"))
            .filter(|(path, bytes)| !std::sync::Arc::ptr_eq(bytes, &b[*path]))
            .map(|(path, _)| path.clone())
            .collect::<Vec<_>>()
    };
    let not_kept = kept(&first.public, &second.public);
    assert!(
        not_kept.is_empty(),
        "public pages rendered again: {not_kept:?}"
    );
    let not_kept = kept(&first.internal, &second.internal);
    // The publication report is made from this build's record of the preview: always.
    assert_eq!(
        not_kept,
        ["published/index.html"],
        "handbook pages rendered again"
    );
}

/// `serve` takes a file the watcher did not report as it was last read, but not in a
/// folder that was itself reported (replaced whole: its files need not each be reported),
/// nor a file with another name (a hard link, through which it can change unreported).
#[test]
fn serve_reads_again_a_folder_replaced_whole_and_a_file_with_another_name() {
    let dir = site(None);
    let root = dir.path();
    let outside = tempfile::tempdir().unwrap();
    let other_name = outside.path().join("r-2.yaml");
    fs::hard_link(root.join("content/risks/r-2.yaml"), &other_name).unwrap();
    age_sources(root);
    let color = codespan_reporting::term::termcolor::ColorChoice::Never;
    let mut session = trustbook::serve::session::Session::new(root, false, color);
    assert!(session.build().files.is_some(), "the fixture builds");
    let compare = |outcome: trustbook::serve::session::Outcome, step: &str| {
        let files = outcome
            .files
            .unwrap_or_else(|| panic!("{step}: serve built"));
        let expected = fresh_handbook(root, false).expect("the site builds");
        assert_eq!(
            files.keys().collect::<Vec<_>>(),
            expected.keys().collect::<Vec<_>>(),
            "{step}: the same files"
        );
        for (path, bytes) in files.iter() {
            assert!(
                bytes == &expected[path],
                "{step}: {path} differs from a fresh build"
            );
        }
    };

    // The folder replaced by a copy with one risk retitled: the watcher reports the
    // folder, not each file in it.
    let risks = root.join("content/risks");
    let copy = outside.path().join("risks");
    fs::create_dir(&copy).unwrap();
    for entry in fs::read_dir(&risks).unwrap() {
        let path = entry.unwrap().path();
        fs::copy(&path, copy.join(path.file_name().unwrap())).unwrap();
    }
    let r1 = fs::read_to_string(copy.join("r-1.yaml")).unwrap();
    fs::write(
        copy.join("r-1.yaml"),
        r1.replace("Wrong answers", "Swapped answers"),
    )
    .unwrap();
    fs::rename(&risks, outside.path().join("risks-old")).unwrap();
    fs::rename(&copy, &risks).unwrap();
    age_sources(root);
    let outcome = session.changed(&[std::path::PathBuf::from("content/risks")]);
    compare(outcome, "the risks folder replaced whole");

    // Written through its other name (outside the site, unwatched), then another save.
    fs::remove_file(&other_name).unwrap();
    fs::hard_link(risks.join("r-2.yaml"), &other_name).unwrap();
    let outcome = session.changed(&[std::path::PathBuf::from("content/risks/r-2.yaml")]);
    compare(outcome, "a second name made");
    let r2 = fs::read_to_string(&other_name).unwrap();
    fs::write(&other_name, r2.replace("Vendor outage", "Vendor renamed")).unwrap();
    age_sources(root);
    edit(root, "risks/r-1.yaml", "Swapped answers", "Swapped again");
    age_sources(root);
    let outcome = session.changed(&[std::path::PathBuf::from("content/risks/r-1.yaml")]);
    compare(outcome, "a risk written through its other name");

    // A second name made while serving, and a write through it: no event reports
    // either, but `serve` looks at every file when idle.
    // Dating the files back (above) changed their metadata unreported: `serve` sees it.
    let aged = session.unreported_changes();
    assert!(!aged.is_empty(), "files dated back");
    compare(session.changed(&aged), "files dated back");
    assert!(
        session.unreported_changes().is_empty(),
        "nothing changed since"
    );
    let r1_other = outside.path().join("r-1.yaml");
    fs::hard_link(risks.join("r-1.yaml"), &r1_other).unwrap();
    let r1 = fs::read_to_string(&r1_other).unwrap();
    fs::write(&r1_other, r1.replace("Swapped again", "Linked answers")).unwrap();
    let unreported = session.unreported_changes();
    assert_eq!(
        unreported,
        [std::path::PathBuf::from("content/risks/r-1.yaml")]
    );
    compare(
        session.changed(&unreported),
        "a risk written through a name made later",
    );
    assert!(session.unreported_changes().is_empty(), "read again");
}

/// Each document's linked ids, as `serve` keeps them and as resolved afresh.
fn linked_records(
    root: &Path,
    kept: &trustbook::model::linked::LinkedRecords,
) -> (Vec<Vec<String>>, Vec<Vec<String>>) {
    use trustbook::model::linked::{each_document, records_by_path};
    let site = trustbook::load::load(root, &mut Vec::new()).unwrap();
    let records = records_by_path(&site);
    let ids = |each: Vec<std::sync::Arc<[Box<str>]>>| -> Vec<Vec<String>> {
        (each.iter())
            .map(|ids| ids.iter().map(|id| id.to_string()).collect())
            .collect()
    };
    kept.start();
    (
        ids(each_document(&site, Some(kept), records)),
        ids(each_document(&site, None, records)),
    )
}

/// The records a body links to, kept between saves, follow a record that moves to
/// another file while the body's text stays as it was.
#[test]
fn kept_links_follow_a_record_that_moves() {
    let dir = site(None);
    let kept = trustbook::model::linked::LinkedRecords::default();
    let (first, fresh) = linked_records(dir.path(), &kept);
    assert_eq!(first, fresh);
    assert!(first.iter().flatten().any(|id| id == "ACME-1"), "{first:?}");
    assert_eq!(linked_records(dir.path(), &kept).0, first, "kept");

    let controls = dir.path().join("content/controls");
    let acme_1 = fs::read_to_string(controls.join("acme-1.yaml")).unwrap();
    let acme_2 = fs::read_to_string(controls.join("acme-2.yaml")).unwrap();
    fs::write(controls.join("acme-1.yaml"), &acme_2).unwrap();
    fs::write(controls.join("acme-2.yaml"), &acme_1).unwrap();
    let (moved, fresh) = linked_records(dir.path(), &kept);
    assert_eq!(moved, fresh);
    assert!(moved.iter().flatten().any(|id| id == "ACME-2"), "{moved:?}");
    assert!(
        !moved.iter().flatten().any(|id| id == "ACME-1"),
        "{moved:?}"
    );
}
