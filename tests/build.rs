//! `trustbook build`: what reaches each site, link integrity, and output folder safety.

mod common;

use common::{broken_links, build, files_under, fixture_copy, site};
use std::fs;
use std::path::Path;

fn text_of(files: &[(String, Vec<u8>)]) -> String {
    files
        .iter()
        .map(|(name, bytes)| format!("{name}\n{}\n", String::from_utf8_lossy(bytes)))
        .collect()
}

/// Every `CANARY-…` token written in the fixture's sources.
fn canaries(content: &Path) -> Vec<String> {
    let mut found: Vec<String> = files_under(content)
        .iter()
        .flat_map(|(_, bytes)| {
            let text = String::from_utf8_lossy(bytes).into_owned();
            text.match_indices("CANARY-")
                .map(|(i, _)| {
                    text[i..]
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                        .collect::<String>()
                })
                .collect::<Vec<_>>()
        })
        .collect();
    found.sort();
    found.dedup();
    found
}

#[test]
fn nothing_internal_reaches_the_public_site() {
    let dir = fixture_copy("leaky");
    let run = build(dir.path(), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let public = files_under(&dir.path().join("public"));
    let public_text = text_of(&public);
    let leaked: Vec<&str> = public_text
        .lines()
        // No canary, and no path of an unpublished source (an image of one shows its alt text).
        .filter(|l| l.to_lowercase().contains("canary") || l.contains("internal.md"))
        .collect();
    assert!(
        leaked.is_empty(),
        "internal data in public/:\n{}",
        leaked.join("\n")
    );

    // The public site is not empty: every public fact is there.
    for expected in [
        "PUBLIC-POLICY-TITLE",
        "PUBLIC-POLICY-SUMMARY",
        "PUBLIC-POLICY-BODY",
        "PUBLIC-LINK-TEXT",
        "PUBLIC-HTML-BLOCK",
        "PUBLIC-CODE",
        "PUBLIC-REVISION-SUMMARY",
        "PUBLIC-TAG",
        "PUBLIC-PAGE-TITLE",
        "PUBLIC-PAGE-BODY",
        "PUBLIC-CONTROL-TITLE",
        "PUBLIC-CONTROL-SUMMARY",
        "PUBLIC-SYSTEM-NAME",
        "PUBLIC-SYSTEM-DESCRIPTION",
        "PUBLIC-SYSTEM-PURPOSE",
        "PUBLIC-SYSTEM-OVERSIGHT",
        "PUBLIC-SYSTEM-DISCLOSURE",
        "PUBLIC-SYSTEM-LIMITATIONS",
        "PUBLIC-SYSTEM-AFFECTED",
        "PUBLIC-SYSTEM-SUMMARY",
        "PUBLIC-RISK-TITLE",
        "PUBLIC-RISK-SUMMARY",
        "RESTRICTED-DOC-TITLE",
        "RESTRICTED-DOC-SUMMARY",
        "RESTRICTED-CONTROL-TITLE",
        "RESTRICTED-CONTROL-SUMMARY",
        "RESTRICTED-SYSTEM-NAME",
        "RESTRICTED-SYSTEM-SUMMARY",
        "PUBLIC-DIAGRAM",
        "PUBLIC-ALT-TEXT",
    ] {
        assert!(
            public_text.contains(expected),
            "{expected} is missing from public/"
        );
    }
    let names: Vec<&str> = public.iter().map(|(n, _)| n.as_str()).collect();
    for file in [
        "index.html",
        "trust.json",
        "sitemap.xml",
        "feed.xml",
        "robots.txt",
        "404.html",
        "search-index.js",
        "assets/public-diagram.png",
    ] {
        assert!(names.contains(&file), "public/{file} is missing");
    }
    let trust = fs::read_to_string(dir.path().join("public/trust.json")).unwrap();
    for expected in [
        "PUBLIC-SYSTEM-NAME",
        "PUBLIC-CONTROL-SUMMARY",
        "RESTRICTED-DOC-TITLE",
        "PUBLIC-REVISION-SUMMARY",
    ] {
        assert!(trust.contains(expected), "trust.json lacks {expected}");
    }

    // The internal site has everything.
    let internal_text = text_of(&files_under(&dir.path().join("internal")));
    let all = canaries(&dir.path().join("content"));
    assert!(all.len() > 40, "the fixture has its canaries: {all:?}");
    let missing: Vec<&String> = all
        .iter()
        .filter(|c| !internal_text.contains(c.as_str()))
        .collect();
    assert!(missing.is_empty(), "missing from internal/: {missing:?}");
}

#[test]
fn restricted_items_are_offered_on_request() {
    let dir = fixture_copy("leaky");
    build(dir.path(), &[]);
    let index = fs::read_to_string(dir.path().join("public/index.html")).unwrap();
    let at = index.find("RESTRICTED-DOC-TITLE").unwrap();
    let item = &index[at..at + 600];
    assert!(item.contains("Available on request"), "{item}");
    assert!(item.contains("mailto:ai@example.com?subject="), "{item}");
}

/// A record available on request is offered in the home page's section of its kind (a
/// system among the AI systems, a risk among the risks), not under Documents, and the
/// public search leads there.
#[test]
fn restricted_records_are_offered_in_their_own_section() {
    let dir = common::sample_copy();
    let objective = dir.path().join("content/objectives/obj-002.yaml");
    let text = fs::read_to_string(&objective).unwrap();
    fs::write(
        &objective,
        text.replace("visibility: public", "visibility: restricted"),
    )
    .unwrap();
    let run = build(dir.path(), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let index = fs::read_to_string(dir.path().join("public/index.html")).unwrap();
    let section = |id: &str| {
        let start = index
            .find(&format!("<section id=\"{id}\""))
            .unwrap_or_else(|| panic!("no section {id}"));
        let end = start + index[start..].find("</section>").unwrap();
        &index[start..end]
    };
    let search = fs::read_to_string(dir.path().join("public/search-index.js")).unwrap();
    for (id, title) in [
        ("systems", "Engineering code assistant"),
        ("suppliers", "Example Code AI Inc."),
        ("risks", "Supplier changes its model without notice"),
        ("controls", "Communication of incidents"),
        ("objectives", "Support Assistant drafts are accurate"),
        ("documents", "Third-party and supplier AI policy"),
    ] {
        let here = section(id);
        let at = (here.find(title)).unwrap_or_else(|| panic!("{title} is not in #{id}: {here}"));
        assert!(
            here[at..]
                .split("</li>")
                .next()
                .unwrap()
                .contains("Available on request"),
            "{title}"
        );
        let entry = search.split("},{").find(|e| e.contains(title)).unwrap();
        assert!(entry.contains(&format!("\"anchor\":\"{id}\"")), "{entry}");
        if id != "documents" {
            assert!(
                !section("documents").contains(title),
                "{title} under Documents"
            );
        }
    }
}

#[test]
fn every_relative_link_resolves_in_both_sites() {
    for dir in [site(None), fixture_copy("leaky")] {
        let run = build(dir.path(), &[]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        for tree in ["public", "internal"] {
            let broken = broken_links(&dir.path().join(tree));
            assert!(broken.is_empty(), "{tree}: {broken:#?}");
        }
    }
}

#[test]
fn the_sample_site_builds_and_links_resolve() {
    let dir = common::sample_copy();
    let run = build(dir.path(), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("built public/ ("), "{}", run.stderr);
    for tree in ["public", "internal"] {
        assert_eq!(broken_links(&dir.path().join(tree)), Vec::<String>::new());
        let policy =
            fs::read_to_string(dir.path().join(tree).join("policies/ai-policy/index.html"))
                .unwrap();
        assert_eq!(
            policy.matches("<h1").count(),
            1,
            "the body's `# AI Policy` is not shown twice"
        );
        assert!(policy.contains("id=\"ai-policy\""), "its anchor stays");
    }
}

#[test]
fn pages_load_nothing_from_elsewhere_and_have_no_inline_script() {
    let dir = fixture_copy("leaky");
    build(dir.path(), &[]);
    for tree in ["public", "internal"] {
        for (name, bytes) in files_under(&dir.path().join(tree)) {
            if !name.ends_with(".html") {
                continue;
            }
            let html = String::from_utf8(bytes).unwrap();
            assert!(
                !html.contains("<script>") && !html.contains("<script type"),
                "{tree}/{name} has an inline script"
            );
            for src in common::attribute_values(&html, "src") {
                assert!(!src.contains("//"), "{tree}/{name} loads {src}");
            }
            for tag in html.split("<link ").skip(1) {
                // The <link> tag only: links in the page's text may lead anywhere.
                let tag = tag.split('>').next().unwrap_or("");
                let href = common::attribute_values(&format!(" {tag}>"), "href");
                assert!(
                    href.iter().all(|h| !h.contains("//")),
                    "{tree}/{name} loads {href:?}"
                );
            }
            if tree == "internal" {
                assert!(
                    html.contains("<meta name=\"robots\" content=\"noindex, nofollow\">"),
                    "{name} lacks noindex"
                );
            }
        }
    }
    let robots = fs::read_to_string(dir.path().join("internal/robots.txt")).unwrap();
    assert!(robots.contains("Disallow: /"));
}

#[test]
fn the_soa_csv_has_a_row_per_control() {
    let dir = site(None);
    build(dir.path(), &["--only", "internal"]);
    let csv = fs::read_to_string(dir.path().join("internal/soa.csv")).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "id,title,objective,applicable,justification,status,owner,target_date,target_overdue,risks,policies,evidence,evidence_expires,evidence_expired,last_reviewed,next_review"
    );
    // acme's three controls, then A.6.2.4, which has a record though iso42001 is not listed.
    assert_eq!(lines.len(), 1 + 4, "{csv}");
    assert!(
        lines[1].starts_with("ACME-1,Model cards for every model,Own controls,yes,"),
        "{csv}"
    );
    assert!(
        lines[2]
            .contains(",\"Releases reach the public, so misuse must be tested first.\",planned,")
    );
    assert!(lines[3].contains(",no,We run no models on customer devices.,not-applicable,"));
    assert!(lines[4].starts_with("A.6.2.4,"));
    // The row carries what an auditor samples: linked risks and policies, each evidence
    // item with its expiry, whether it has expired.
    assert!(
        lines[1].contains(
            ",R-1,POL-1,Model card of the chat model; Public model card page,2027-01-10; ,no; no,"
        ),
        "{csv}"
    );
    assert!(
        lines[4].contains(",2027-03-01,no,"),
        "a partial control's target date: {csv}"
    );
    // A.6.2.4's record names no policy, but POL-1 says it implements it (`controls:`):
    // the row lists it, as the SoA page does.
    assert!(lines[4].contains(",2027-03-01,no,,POL-1,"), "{csv}");
    let page = fs::read_to_string(dir.path().join("internal/soa/index.html")).unwrap();
    let row = &page[page.find("A.6.2.4").unwrap()..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(row.contains("POL-1") || row.contains("AI Policy"), "{row}");
}

#[test]
fn only_builds_one_site() {
    let dir = site(None);
    let run = build(dir.path(), &["--only", "public"]);
    assert_eq!(run.code, 0);
    assert!(dir.path().join("public/index.html").is_file());
    assert!(!dir.path().join("internal").exists());
}

#[test]
fn a_failed_build_leaves_the_previous_output_as_it_was() {
    let dir = site(None);
    assert_eq!(build(dir.path(), &[]).code, 0);
    let before_public = files_under(&dir.path().join("public"));
    let before_internal = files_under(&dir.path().join("internal"));
    common::copy_tree(
        &common::fixtures().join("rules/broken-link/content"),
        &dir.path().join("content"),
    );
    let run = build(dir.path(), &[]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("nothing was written"), "{}", run.stderr);
    assert!(files_under(&dir.path().join("public")) == before_public);
    assert!(files_under(&dir.path().join("internal")) == before_internal);
}

#[test]
fn a_folder_trustbook_did_not_write_is_refused_and_left_alone() {
    let dir = site(None);
    fs::create_dir(dir.path().join("public")).unwrap();
    fs::write(dir.path().join("public/my-notes.txt"), "mine").unwrap();
    let run = build(dir.path(), &[]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("trustbook did not write"),
        "{}",
        run.stderr
    );
    assert_eq!(
        files_under(&dir.path().join("public")),
        vec![("my-notes.txt".to_string(), b"mine".to_vec())]
    );
    assert!(
        !dir.path().join("internal").exists(),
        "nothing is written when one folder is refused"
    );
}

#[test]
fn a_rebuild_replaces_the_previous_generation() {
    let dir = site(None);
    build(dir.path(), &[]);
    fs::remove_file(dir.path().join("content/systems/chatbot.yaml")).unwrap();
    fs::remove_file(dir.path().join("content/assessments/aia-1.yaml")).unwrap();
    let policy = dir.path().join("content/policies/policy.md");
    let text = fs::read_to_string(&policy)
        .unwrap()
        .replace("related: [POL-2, SYS-1]", "related: [POL-2]");
    fs::write(&policy, text).unwrap();
    for file in ["controls/acme-1.yaml", "risks/r-1.yaml"] {
        let path = dir.path().join("content").join(file);
        let text = fs::read_to_string(&path)
            .unwrap()
            .replace("systems: [SYS-1]\n", "");
        fs::write(&path, text).unwrap();
    }
    let run = build(dir.path(), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!dir.path().join("public/systems/chatbot").exists());
    assert!(!dir.path().join("internal/systems/chatbot").exists());
}

#[test]
fn a_site_theme_overrides_one_template() {
    let dir = site(None);
    let templates = dir.path().join("themes/default/templates/public");
    fs::create_dir_all(&templates).unwrap();
    fs::write(
        templates.join("risk.html"),
        "{% extends \"public/base.html\" %}{% block main %}CUSTOM-RISK {{ page.title }}{% endblock %}",
    )
    .unwrap();
    // Make a risk public so the template is used.
    let risk = dir.path().join("content/risks/r-1.yaml");
    fs::write(
        &risk,
        fs::read_to_string(&risk).unwrap()
            + "visibility: public\npublic_summary: We watch answers.\n",
    )
    .unwrap();
    let run = build(dir.path(), &["--only", "public"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let page = fs::read_to_string(dir.path().join("public/risks/r-1/index.html")).unwrap();
    assert!(page.contains("CUSTOM-RISK Wrong answers"));
    let index = fs::read_to_string(dir.path().join("public/index.html")).unwrap();
    assert!(
        index.contains("Raise a concern"),
        "other templates stay built-in"
    );
}

#[test]
fn a_template_error_names_the_template_and_line() {
    let dir = site(None);
    let templates = dir.path().join("themes/default/templates/public");
    fs::create_dir_all(&templates).unwrap();
    fs::write(templates.join("404.html"), "line one\n{% if %}\n").unwrap();
    let run = build(dir.path(), &[]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("themes/default/templates/public/404.html")
            && run.stderr.contains("line 2"),
        "{}",
        run.stderr
    );
    assert!(!dir.path().join("public").exists());
    // `check` finds it first, with a code.
    let check = common::check_json(dir.path());
    assert_eq!(check.code, 1);
    assert_eq!(check.findings()[0]["code"], "template-error");
}

#[test]
fn timings_name_each_stage() {
    let dir = site(None);
    let run = build(dir.path(), &["--timings"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for stage in ["load: ", "check: ", "render and write: "] {
        assert!(
            run.stderr
                .lines()
                .any(|l| l.trim_start().starts_with(stage) && l.ends_with(" ms")),
            "{stage} in {}",
            run.stderr
        );
    }
    let quiet = build(dir.path(), &[]);
    assert!(!quiet.stderr.contains("render and write: "));
}

/// The page keys of every manifest `build` kept for `public/`, by page path.
fn public_page_keys(root: &Path) -> Vec<serde_json::Value> {
    let pages = root.join(".trustbook-cache/pages");
    let mut found = Vec::new();
    for entry in fs::read_dir(&pages).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("public-") && name.ends_with(".json") {
            let manifest: serde_json::Value =
                serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
            found.push(manifest["pages"]["index.html"]["key"].clone());
        }
    }
    found
}

/// Another build of trustbook, with the same version (installed from another commit),
/// renders every page itself: a page it would make differently (a sanitiser fixed, say)
/// is never taken from what the other build left.
#[test]
fn another_build_of_the_program_reuses_no_page() {
    let dir = site(None);
    let root = dir.path();
    assert_eq!(build(root, &["--no-git"]).code, 0);
    let programs = tempfile::tempdir().unwrap();
    let other = programs.path().join("trustbook");
    let mut bytes = fs::read(env!("CARGO_BIN_EXE_trustbook")).unwrap();
    bytes.extend_from_slice(b"another build of the same version");
    fs::write(&other, bytes).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&other, fs::Permissions::from_mode(0o755)).unwrap();
    }
    let args = ["build", "--no-git", "--root", root.to_str().unwrap()];
    let run = common::trustbook_at(&other, &args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let keys = public_page_keys(root);
    assert_eq!(keys.len(), 2, "one manifest per generation: {keys:?}");
    assert!(keys.iter().all(|k| k.is_u64()), "{keys:?}");
    assert_ne!(keys[0], keys[1], "the home page's key names the program");
}

/// An element of raw HTML with an id is a place a link may lead to, checked like a
/// heading: found, followed on both sites, and internal inside an internal block.
#[test]
fn a_link_may_lead_to_an_id_that_raw_html_gives() {
    let dir = site(None);
    let root = dir.path();
    let page = |name: &str, body: &str| {
        fs::write(
            root.join(format!("content/pages/{name}.md")),
            format!("---\nid: PAGE-{}\ntitle: {name}\nvisibility: public\npublic_summary: A page.\n---\n\n{body}\n", name.to_uppercase()),
        )
        .unwrap();
    };
    page(
        "terms",
        "<span id=\"terms-of-use\"></span>\n\nThe terms.\n\n<!-- internal -->\n\n<p id=\"draft-terms\">Draft.</p>\n\n<!-- /internal -->",
    );
    page(
        "links",
        "See [the terms](terms.md#terms-of-use) and [the draft](terms.md#draft-terms).",
    );
    let check = common::check_json(root);
    let codes: Vec<(String, String)> = (check.findings().iter())
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["message"].to_string(),
            )
        })
        .collect();
    assert!(
        !codes.iter().any(|(code, _)| code == "broken-anchor"),
        "{codes:?}"
    );
    assert!(
        codes
            .iter()
            .any(|(code, message)| code == "link-to-non-public" && message.contains("draft-terms")),
        "a public link to an id inside an internal block: {codes:?}"
    );
    assert_eq!(build(root, &[]).code, 0);
    let links = fs::read_to_string(root.join("public/pages/links/index.html")).unwrap();
    assert!(links.contains("terms/index.html#terms-of-use\""), "{links}");
    assert!(!links.contains("#draft-terms"), "{links}");
    let terms = fs::read_to_string(root.join("public/pages/terms/index.html")).unwrap();
    assert!(terms.contains("id=\"terms-of-use\"") && !terms.contains("draft-terms"));
    let handbook = fs::read_to_string(root.join("internal/pages/links/index.html")).unwrap();
    assert!(handbook.contains("#draft-terms\""), "{handbook}");
}

/// Every page has the layout's ids: a link to `#main` is no broken anchor.
#[test]
fn a_link_to_the_layouts_ids_is_not_broken() {
    let dir = site(None);
    let root = dir.path();
    fs::write(
        root.join("content/pages/skip.md"),
        "---\nid: PAGE-SKIP\ntitle: Skip\nvisibility: public\npublic_summary: A page.\n---\n\n[Skip](#main), [search](#search-input), [policy](../policies/policy.md#main).\n",
    )
    .unwrap();
    let check = common::check_json(root);
    assert!(
        !check
            .findings()
            .iter()
            .any(|f| f["code"] == "broken-anchor"),
        "{}",
        check.stdout
    );
}
