//! The machine-readable outputs read by the parsers their consumers use: `feed.xml` by an
//! Atom parser, `sitemap.xml` by an XML parser against the sitemap protocol's rules.

mod common;

use common::{build, copy_tree};
use std::fs;
use std::path::Path;

fn built_sample() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("content"),
        &dir.path().join("content"),
    );
    let run = build(dir.path(), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    dir
}

#[test]
fn the_feed_is_valid_atom_with_an_entry_per_revision() {
    let dir = built_sample();
    let xml = fs::read_to_string(dir.path().join("public/feed.xml")).unwrap();
    let feed: atom_syndication::Feed = xml.parse().expect("feed.xml is Atom");
    assert!(!feed.title().as_str().is_empty());
    assert!(!feed.id().is_empty());
    assert!(!feed.entries().is_empty());
    let base = "https://trust.lumenfield.example/";
    for entry in feed.entries() {
        assert!(!entry.title().as_str().is_empty());
        assert!(!entry.id().is_empty(), "every entry has an id");
        let link = entry
            .links()
            .first()
            .expect("every entry links to its page");
        assert!(link.href().starts_with(base), "{}", link.href());
    }
    // No internal document appears: the draft procedure has a revision of its own.
    assert!(!xml.contains("incident-communication"), "{xml}");
}

#[test]
fn the_sitemap_follows_the_protocol() {
    let dir = built_sample();
    let xml = fs::read_to_string(dir.path().join("public/sitemap.xml")).unwrap();
    let doc = roxmltree::Document::parse(&xml).expect("sitemap.xml is XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "urlset");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://www.sitemaps.org/schemas/sitemap/0.9")
    );
    let urls: Vec<_> = root.children().filter(|n| n.is_element()).collect();
    assert!(!urls.is_empty() && urls.len() <= 50_000);
    let public = dir.path().join("public");
    for url in urls {
        assert_eq!(url.tag_name().name(), "url");
        let text = |name: &str| {
            url.children()
                .find(|c| c.tag_name().name() == name)
                .and_then(|c| c.text())
        };
        let loc = text("loc").expect("every url has a loc");
        let path = loc
            .strip_prefix("https://trust.lumenfield.example/")
            .expect("absolute, on the site's own address");
        assert!(
            public.join(path).join("index.html").is_file(),
            "{loc} is no page of public/"
        );
        if let Some(lastmod) = text("lastmod") {
            let parts: Vec<&str> = lastmod.split('-').collect();
            assert!(
                parts.len() == 3 && parts.iter().all(|p| p.chars().all(|c| c.is_ascii_digit())),
                "lastmod {lastmod} is a W3C date"
            );
        }
    }
}

/// No page of either site names an id twice or has an empty one, even where a body's
/// headings are named like the layout's own ids (`main`, the skip link's target) or have
/// no letters at all; the sample site's pages are all checked.
#[test]
fn no_page_has_an_id_twice_or_an_empty_id() {
    let dir = common::sample_copy();
    let policy = dir.path().join("content/policies/ai-policy.md");
    let mut text = fs::read_to_string(&policy).unwrap();
    text.push_str("\n<a id=\"main-1\"></a>\n\n## Main\n\nSee [the heading](#main-1).\n\n## !!!\n\n## Search input\n");
    // Raw HTML naming the layout's ids, a heading's, and none.
    text.push_str("\n<p id=\"main\">raw</p>\n\n<p id=\"section\">x</p> <i id=\"\">y</i>\n");
    fs::write(&policy, text).unwrap();
    let run = build(dir.path(), &["--no-git", "--quiet"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut pages = 0;
    for site in ["public", "internal"] {
        for (page, bytes) in common::files_under(&dir.path().join(site)) {
            if !page.ends_with(".html") {
                continue;
            }
            pages += 1;
            let html = String::from_utf8(bytes).unwrap();
            let mut seen = std::collections::HashSet::new();
            for id in common::attribute_values(&html, "id") {
                assert!(!id.is_empty(), "{site}/{page}: an empty id");
                assert!(seen.insert(id.clone()), "{site}/{page}: id {id:?} twice");
            }
        }
    }
    assert!(pages > 50, "the sample's pages were read ({pages})");
    let page = fs::read_to_string(dir.path().join("public/policies/ai-policy/index.html")).unwrap();
    for id in ["main", "main-1", "section", "search-input-1"] {
        assert!(
            page.contains(&format!(" id=\"{id}\"")),
            "{id} not on the page"
        );
    }
    assert!(
        (common::attribute_values(&page, "href").iter()).any(|href| href.ends_with("#main-1")),
        "the link to the heading is kept"
    );
    assert!(
        ["<h2 id=\"main-1\">", "<h3 id=\"main-1\">"]
            .iter()
            .any(|h| page.contains(h)),
        "the heading, not the raw anchor before it, has its id"
    );
}

/// A heading in an internal block does not shift the ids of the public headings after
/// it: a public heading has one id on both sites, so a link to it lands on it on
/// either, and `check` judges links by the ids the pages have.
#[test]
fn a_public_heading_keeps_its_id_past_an_internal_heading_of_the_same_name() {
    let dir = common::sample_copy();
    let policy = dir.path().join("content/policies/responsible-use.md");
    let mut text = fs::read_to_string(&policy).unwrap();
    text.push_str(
        "\n<!-- internal -->\n\n## Notes\n\nStaff only.\n\n<!-- /internal -->\n\n## Notes\n\nFor everyone.\n",
    );
    fs::write(&policy, text).unwrap();
    let linking = dir.path().join("content/policies/ai-policy.md");
    let mut text = fs::read_to_string(&linking).unwrap();
    text.push_str("\nSee [the notes](responsible-use.md#notes) and [the staff notes](responsible-use.md#notes-1).\n");
    fs::write(&linking, text).unwrap();
    let run = build(dir.path(), &["--no-git"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // The staff notes' anchor is internal: check says so; the public notes' is not.
    let warned = |anchor: &str| {
        (run.stderr.lines())
            .any(|l| l.contains("link-to-non-public") && l.contains(&format!("`{anchor}`")))
    };
    assert!(warned("#notes-1"), "{}", run.stderr);
    assert!(!warned("#notes"), "{}", run.stderr);
    let read = |path: &str| fs::read_to_string(dir.path().join(path)).unwrap();
    let public_target = read("public/policies/responsible-use/index.html");
    let internal_target = read("internal/policies/responsible-use/index.html");
    let for_everyone = |page: &str| {
        let at = page.find("For everyone.").unwrap();
        let id_at = page[..at].rfind(" id=\"").unwrap();
        page[id_at + 5..].split('"').next().unwrap().to_string()
    };
    assert_eq!(for_everyone(&public_target), "notes");
    assert_eq!(
        for_everyone(&internal_target),
        "notes",
        "the same id in the handbook"
    );
    assert!(!public_target.contains("Staff only"));
    let public_source = read("public/policies/ai-policy/index.html");
    let hrefs = common::attribute_values(&public_source, "href");
    assert!(
        hrefs
            .iter()
            .any(|h| h.ends_with("responsible-use/index.html#notes")),
        "{hrefs:?}"
    );
    assert!(
        !hrefs.iter().any(|h| h.ends_with("#notes-1")),
        "no public link to the staff notes' anchor: {hrefs:?}"
    );
}
