//! What an adversarial tester found after the leak classes were closed, each kept as a
//! regression test: a site that must be refused by `check` and `build` alike, with the
//! canary nowhere in `public/`.

mod common;

use common::{build, check_json, files_under, site};
use std::fs;
use std::path::Path;

const CANARY: &str = "ZQXJ";

fn write(root: &Path, path: &str, text: &str) {
    let path = root.join("content").join(path);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

/// A public page with `body`, at `pages/probe.md`.
fn public_page(root: &Path, body: &str) {
    write(
        root,
        "pages/probe.md",
        &format!(
            "---\nid: PAGE-PROBE\ntitle: Probe\nvisibility: public\npublic_summary: A probe.\n---\n\n{body}\n"
        ),
    );
}

fn refused(root: &Path, code: &str) {
    let check = check_json(root);
    let codes: Vec<String> = check
        .findings()
        .iter()
        .filter(|f| f["severity"] == "error")
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(check.code, 1, "check accepted it: {}", check.stdout);
    assert!(codes.iter().any(|c| c == code), "{code} not in {codes:?}");
    let built = build(root, &[]);
    assert_eq!(
        built.code, 1,
        "build disagrees with check: {}",
        built.stderr
    );
    assert_no_canary(root);
}

/// A new site with a public page of `body`, refused with `code`.
fn page_refused(body: &str, code: &str) {
    let dir = site(None);
    public_page(dir.path(), body);
    refused(dir.path(), code);
}

fn assert_no_canary(root: &Path) {
    let public = root.join("public");
    if public.exists() {
        for (path, bytes) in files_under(&public) {
            let text = String::from_utf8_lossy(&bytes).to_uppercase();
            assert!(!path.to_uppercase().contains(CANARY), "{path}");
            assert!(!text.contains(CANARY), "{path} holds the canary");
        }
    }
}

#[test]
fn two_own_catalogues_sharing_an_objective_id_keep_their_titles_apart() {
    let dir = site(None);
    let root = dir.path();
    for (framework, id, title, visibility) in [
        ("aaa", "AAA-1", "ZQXJ secret objective", "internal"),
        ("bbb", "BBB-1", "Public objective", "public"),
    ] {
        write(
            root,
            &format!("catalogs/{framework}.yaml"),
            &format!(
                "framework: {framework}\nname: {framework}\nobjectives:\n  - {{id: X, title: \"{title}\"}}\ncontrols:\n  - {{id: {id}, objective: X, title: Control {id}}}\n"
            ),
        );
        write(
            root,
            &format!("controls/{}.yaml", id.to_lowercase()),
            &format!(
                "id: {id}\napplicable: true\njustification: Needed.\nstatus: implemented\nowner: Head of ML\nvisibility: {visibility}\npublic_summary: Done.\n"
            ),
        );
    }
    let run = build(root, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_no_canary(root);
    let page = fs::read_to_string(root.join("public/index.html")).unwrap();
    assert!(page.contains("Public objective"));
}

#[test]
fn a_folder_named_as_evidence_makes_its_files_internal() {
    let dir = site(None);
    let root = dir.path();
    write(root, "assets/secret/minutes.txt", "ZQXJ minutes");
    let control = root.join("content/controls/a-6-2-4.yaml");
    let text = fs::read_to_string(&control).unwrap();
    fs::write(
        &control,
        format!("{text}evidence:\n  - {{title: Minutes, path: assets/secret}}\n"),
    )
    .unwrap();
    public_page(root, "See [m](../assets/secret/minutes.txt).");
    refused(root, "asset-not-public");
    let check = check_json(root);
    assert!(
        check.stdout.contains("is a folder, not a file"),
        "{}",
        check.stdout
    );
}

#[test]
fn evidence_given_as_a_relative_url_is_refused() {
    let dir = site(None);
    let root = dir.path();
    write(root, "assets/ev2.txt", "ZQXJ evidence");
    let control = root.join("content/controls/a-6-2-4.yaml");
    let text = fs::read_to_string(&control).unwrap();
    fs::write(
        &control,
        format!("{text}evidence:\n  - {{title: Report, url: assets/ev2.txt}}\n"),
    )
    .unwrap();
    refused(root, "bad-value");
}

#[test]
fn a_comment_markdown_shows_as_text_is_refused() {
    page_refused(
        "We review yearly. <!-- internal: board wants quarterly\n\nZQXJ costs\n\n-->",
        "comment-not-hidden",
    );
}

#[test]
fn an_abrupt_comment_cannot_open_an_internal_block() {
    page_refused(
        "<!--> internal -->\n\nZQXJ plan\n\n<!--> /internal -->",
        "internal-marker-malformed",
    );
}

#[cfg(unix)]
#[test]
fn hard_links_to_internal_files_are_internal() {
    let dir = site(None);
    let root = dir.path();
    write(root, "assets/internal/minutes.txt", "ZQXJ minutes");
    fs::hard_link(
        root.join("content/assets/internal/minutes.txt"),
        root.join("content/assets/minutes.txt"),
    )
    .unwrap();
    public_page(root, "See [m](../assets/minutes.txt).");
    refused(root, "asset-not-public");

    let dir = site(None);
    let root = dir.path();
    write(root, "assets/internal/minutes.txt", "ZQXJ minutes");
    let theme = root.join("themes/t/static");
    fs::create_dir_all(&theme).unwrap();
    fs::hard_link(
        root.join("content/assets/internal/minutes.txt"),
        theme.join("x.txt"),
    )
    .unwrap();
    let config = root.join("content/site.yaml");
    let text = fs::read_to_string(&config).unwrap();
    fs::write(&config, text.replace("theme: default", "theme: t")).unwrap();
    refused(root, "unsafe-path");
}

#[cfg(unix)]
#[test]
fn a_themes_folder_linking_elsewhere_is_refused() {
    let dir = site(None);
    let root = dir.path();
    write(root, "assets/internal/t/static/x.txt", "ZQXJ minutes");
    std::os::unix::fs::symlink("content/assets/internal", root.join("themes")).unwrap();
    let config = root.join("content/site.yaml");
    let text = fs::read_to_string(&config).unwrap();
    fs::write(&config, text.replace("theme: default", "theme: t")).unwrap();
    refused(root, "unsafe-path");
}

#[test]
fn assets_that_run_script_are_not_published() {
    for (name, bytes) in [
        (
            "a.svg",
            "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>ZQXJ()</script></svg>",
        ),
        (
            "b.svg",
            "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"ZQXJ()\"/>",
        ),
        (
            "c.svg",
            "<svg><a href=\"javascript:ZQXJ()\"><text>x</text></a></svg>",
        ),
        ("d.html", "<p>ZQXJ</p>"),
        ("e.js", "ZQXJ()"),
        // Not judged by their text: refused as kinds no asset needs to be.
        (
            "f.atom",
            "<feed xmlns=\"http://www.w3.org/2005/Atom\"><script xmlns=\"http://www.w3.org/1999/xhtml\">ZQXJ()</script></feed>",
        ),
        (
            "g.rss",
            "<rss><script xmlns=\"http://www.w3.org/1999/xhtml\">ZQXJ()</script></rss>",
        ),
        ("h.mml", "<math><script>ZQXJ()</script></math>"),
        ("i.php", "<?php ZQXJ(); ?>"),
        ("j.svgz", "ZQXJ"),
        ("k.svg.gz", "ZQXJ"),
        ("noextension", "<p>ZQXJ</p>"),
    ] {
        let dir = site(None);
        write(dir.path(), &format!("assets/{name}"), bytes);
        public_page(
            dir.path(),
            &format!("![x](../assets/{name}) [x](../assets/{name})"),
        );
        refused(dir.path(), "unsafe-asset");
    }
    let dir = site(None);
    write(
        dir.path(),
        "assets/plain.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"><rect width=\"1\" height=\"1\"/></svg>",
    );
    public_page(dir.path(), "![x](../assets/plain.svg)");
    assert_eq!(build(dir.path(), &[]).code, 0);
    assert!(dir.path().join("public/assets/plain.svg").is_file());
}

#[test]
fn site_addresses_must_be_web_addresses() {
    for (from, to) in [
        (
            "  concerns_url: \"https://example.com/report\"",
            "  concerns_url: \"JaVaScRiPt:ZQXJ()\"",
        ),
        (
            "base_url: \"https://trust.example.com/\"",
            "base_url: \"data:text/html,ZQXJ\"",
        ),
    ] {
        let dir = site(None);
        let config = dir.path().join("content/site.yaml");
        let text = fs::read_to_string(&config).unwrap();
        assert!(text.contains(from));
        fs::write(&config, text.replacen(from, to, 1)).unwrap();
        refused(dir.path(), "bad-value");
    }
}

#[test]
fn a_yaml_document_end_does_not_close_front_matter() {
    let dir = site(None);
    write(
        dir.path(),
        "pages/probe.md",
        "---\nid: PAGE-PROBE\ntitle: Probe\nvisibility: public\npublic_summary: A probe.\n...\nvisibility: internal\n---\n\nZQXJ\n",
    );
    refused(dir.path(), "yaml-syntax");
}

#[test]
fn placeholders_in_any_spelling_are_withheld() {
    for justification in [
        "todo ZQXJ",
        "T.B.D.",
        "\u{422}ODO",
        "TO\u{200b}DO",
        "to be determined",
    ] {
        let dir = site(None);
        let control = dir.path().join("content/controls/acme-1.yaml");
        let text = fs::read_to_string(&control).unwrap();
        let line = text
            .lines()
            .find(|l| l.starts_with("justification:"))
            .unwrap();
        let text = text
            .replace(line, &format!("justification: \"{justification}\""))
            .replace(
                "public_summary: Every model has a model card.",
                "public_summary: ZQXJ summary.",
            );
        fs::write(&control, text).unwrap();
        let run = build(dir.path(), &[]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(
            run.stderr.contains("placeholder-text"),
            "{justification:?}: {}",
            run.stderr
        );
        assert_no_canary(dir.path());
    }
}

#[cfg(unix)]
#[test]
fn a_stray_file_the_build_cannot_name_does_not_survive_the_next_build() {
    use std::os::unix::ffi::OsStrExt;
    let dir = site(None);
    assert_eq!(build(dir.path(), &[]).code, 0);
    let stray = dir
        .path()
        .join("public")
        .join(std::ffi::OsStr::from_bytes(b"bad\xffname"));
    fs::write(&stray, "ZQXJ").unwrap();
    fs::create_dir(dir.path().join("public/emptydir")).unwrap();
    assert_eq!(build(dir.path(), &[]).code, 0);
    assert!(!stray.exists(), "a stray with a non-UTF-8 name is removed");
    assert!(
        !dir.path().join("public/emptydir").exists(),
        "a stray empty folder is removed"
    );
    assert_no_canary(dir.path());
}

/// The line (1-based) of the first finding with `code`.
fn line_of(root: &Path, code: &str) -> Option<i64> {
    let check = check_json(root);
    let found = check.findings().into_iter().find(|f| f["code"] == code)?;
    found["line"].as_i64()
}

#[test]
fn an_internal_block_between_a_line_and_a_rule_is_refused_not_made_a_heading() {
    let dir = site(None);
    let root = dir.path();
    public_page(
        root,
        "Retention\n<!-- internal -->\nZQXJ thirty days\n<!-- /internal -->\n-----\n\nEnd.",
    );
    refused(root, "public-layout-differs");
    // The front matter is 6 lines and a blank line: the marker is on line 9.
    assert_eq!(line_of(root, "public-layout-differs"), Some(9));
}

#[test]
fn an_internal_block_between_two_paragraphs_is_refused_not_joined() {
    page_refused(
        "We keep logs.\n<!-- internal -->\nZQXJ for thirty days.\n<!-- /internal -->\nThey are encrypted.",
        "public-layout-differs",
    );
}

#[test]
fn internal_blocks_in_list_items_and_quotes_leave_the_same_layout_in_public() {
    let dir = site(None);
    let root = dir.path();
    public_page(
        root,
        "- one\n  <!-- internal -->\n  ZQXJ item\n  <!-- /internal -->\n- two\n\n> quoted\n>\n> <!-- internal -->\n> ZQXJ quote\n> <!-- /internal -->\n>\n> after\n\nRetention\n\n<!-- internal -->\nZQXJ\n<!-- /internal -->\n\n-----",
    );
    let built = build(root, &[]);
    assert_eq!(built.code, 0, "{}", built.stderr);
    assert_no_canary(root);
    let page = fs::read_to_string(root.join("public/pages/probe/index.html")).unwrap();
    let body = &page[page.find("<li>one").expect("the list")..];
    let list = &body[..body.find("</ul>").unwrap()];
    assert!(
        list.contains("<li>two"),
        "two is the list's second item: {list}"
    );
    assert_eq!(
        list.matches("<ul").count(),
        0,
        "no list nested in one: {list}"
    );
    let quote = &page[page.find("<blockquote>").unwrap() + "<blockquote>".len()..];
    let quote = &quote[..quote.find("</blockquote>").unwrap()];
    assert!(quote.contains("<p>after</p>"), "{quote}");
    assert!(
        !quote.contains("<blockquote"),
        "no quote nested in one: {quote}"
    );
    assert!(
        !page.contains("<h2 id=\"retention\""),
        "no heading made of a paragraph"
    );
    assert!(page.contains("<hr"));
}

#[test]
fn a_block_that_closes_in_another_list_item_or_quote_is_refused() {
    for body in [
        "- one\n  <!-- internal -->\n\nPara ZQXJ top.\n\n- two\n  <!-- /internal -->\n\nAfter.",
        "- one\n  <!-- internal -->\n- secret ZQXJ\n  <!-- /internal -->\n- two",
        "> one\n> <!-- internal -->\n> ZQXJ\n\n> two ZQXJ\n> <!-- /internal -->",
    ] {
        let dir = site(None);
        public_page(dir.path(), body);
        refused(dir.path(), "internal-marker-malformed");
    }
}

#[test]
fn a_tight_items_text_run_into_by_a_removed_block_or_an_undefined_link_is_refused() {
    for body in [
        "- one\n  <!-- internal -->\n  ZQXJ\n  <!-- /internal -->\n  continuation\n- two",
        "See [the site][x].\n\n<!-- internal -->\nZQXJ\n\n[x]: https://example.com/\n<!-- /internal -->",
    ] {
        let dir = site(None);
        public_page(dir.path(), body);
        refused(dir.path(), "public-layout-differs");
    }
}

#[test]
fn raw_html_in_an_internal_block_that_is_not_whole_is_refused() {
    for body in [
        "Para one.\n\n<!-- internal -->\n\n</div>\n\nSecret ZQXJ outside box?\n\n<!-- /internal -->\n\nPublic after.",
        "Para one.\n\n<!-- internal -->\n\n<div>\nSecret ZQXJ.\n\n<!-- /internal -->\n\nPublic para two.\n\n</div>\n\nPublic para three.",
        "<details>\n\n<!-- internal -->\n\nSecret ZQXJ.\n\n</details>\n\n<!-- /internal -->\n\nPublic.",
        "Para one.\n\n<!-- internal -->\n\nSee <a href=\"https://example.com/\">the ZQXJ source\n\n<!-- /internal -->\n\nPublic.",
        "- item\n\n  <!-- internal -->\n\n  </li></ul>\n\n  Secret ZQXJ.\n\n  <!-- /internal -->\n\n- item two",
    ] {
        let dir = site(None);
        public_page(dir.path(), body);
        refused(dir.path(), "internal-marker-malformed");
    }
    // Whole HTML in a block is fine, and stays in the handbook's box.
    let dir = site(None);
    let root = dir.path();
    public_page(
        root,
        "Para one.\n\n<!-- internal -->\n\n<div class=\"x\"><p>Secret ZQXJ.</p></div>\n\n<!-- /internal -->\n\nPublic after.",
    );
    assert_eq!(build(root, &[]).code, 0);
    assert_no_canary(root);
    let page = fs::read_to_string(root.join("internal/pages/probe/index.html")).unwrap();
    let boxed = &page[page.find("class=\"internal-block\"").unwrap()..];
    let boxed = &boxed[..boxed.find("Public after").unwrap()];
    assert!(boxed.contains("Secret ZQXJ"), "{boxed}");
}

#[test]
fn a_definition_in_a_block_that_shadows_a_public_one_is_refused() {
    for body in [
        "See [x].\n\n<!-- internal -->\n\n[x]: https://zqxj.example.com/\n\n<!-- /internal -->\n\n[x]: https://example.com/public",
        "Text[^a].\n\n<!-- internal -->\n\n[^a]: ZQXJ note.\n\n<!-- /internal -->\n\n[^a]: public note.",
    ] {
        let dir = site(None);
        public_page(dir.path(), body);
        refused(dir.path(), "public-layout-differs");
    }
}

#[test]
fn an_internal_block_that_html_would_carry_out_of_its_box_is_refused() {
    for body in [
        // HTML has no self-closing div: it stays open over the public text below.
        "Above.\n\n<!-- internal -->\n\n<div/>ZQXJ\n\n<!-- /internal -->\n\nBelow.",
        "Above.\n\n<!-- internal -->\n\n<textarea/>ZQXJ\n\n<!-- /internal -->\n\nBelow.",
        // A browser moves a box out of a table's rows, away from the row it hides.
        "<table>\n<tr><td>Public row</td></tr>\n\n<!-- internal -->\n\n<tr><td>ZQXJ secret row</td></tr>\n\n<!-- /internal -->\n\n<tr><td>Public row two</td></tr>\n</table>",
    ] {
        let dir = site(None);
        public_page(dir.path(), body);
        refused(dir.path(), "internal-marker-malformed");
    }
}

/// HTML comments do not nest: the first `-->` ends one, and what follows is text.
#[test]
fn a_comment_inside_a_comment_and_a_stray_closer_are_refused() {
    for body in [
        "Public text.\n\n<!--\nOld draft.\n<!-- TODO: reword -->\nSecret ZQXJ\n-->",
        "Text <!-- x <!-- y --> ZQXJ --> end.",
        "<!-- a --> ZQXJ -->",
    ] {
        let dir = site(None);
        public_page(dir.path(), body);
        refused(dir.path(), "comment-not-hidden");
    }
    // An arrow in code is code; a comment and a closer in code are too.
    let dir = site(None);
    public_page(
        dir.path(),
        "Data flows `a --> b`; a comment is written `<!-- like this -->`.\n\n```\n<!-- a <!-- b --> c -->\n```\n\n<!-- a note -->",
    );
    assert_eq!(check_json(dir.path()).code, 0);
}

/// A marker pair spelt with letters that only look like `internal`, or with a look-alike
/// of `<`, hides nothing: it is refused, never published around.
#[test]
fn look_alike_marker_pairs_are_refused() {
    for (opener, closer, code) in [
        ("ɪɴᴛᴇʀɴᴀʟ", "/ɪɴᴛᴇʀɴᴀʟ", "internal-marker-malformed"),
        ("lnternal", "/lnternal", "internal-marker-malformed"),
        ("1nternal", "/1nternal", "internal-marker-malformed"),
        (
            "inter\u{2800}nal",
            "/inter\u{2800}nal",
            "internal-marker-malformed",
        ),
    ] {
        let dir = site(None);
        public_page(
            dir.path(),
            &format!("Public.\n\n<!-- {opener} -->\n\nSecret ZQXJ\n\n<!-- {closer} -->\n"),
        );
        refused(dir.path(), code);
    }
    for (open, close) in [("‹!--", "-->"), ("<!—", "—>"), ("＜!--", "--＞")] {
        page_refused(
            &format!(
                "Public.\n\n{open} internal {close}\n\nSecret ZQXJ\n\n{open} /internal {close}\n"
            ),
            "internal-marker-malformed",
        );
    }
}

/// A field is printed as written: a comment or marker in a public text would be shown.
#[test]
fn a_comment_in_a_public_field_is_refused() {
    let dir = site(None);
    write(
        dir.path(),
        "pages/probe.md",
        "---\nid: PAGE-PROBE\ntitle: Probe\nvisibility: public\npublic_summary: |\n  Our approach.\n  <!-- internal -->\n  ZQXJ\n  <!-- /internal -->\n---\n\nBody.\n",
    );
    refused(dir.path(), "comment-not-hidden");
    let check = check_json(dir.path());
    let at = (check.findings().into_iter())
        .find(|f| f["code"] == "comment-not-hidden")
        .unwrap();
    assert_eq!(at["line"], 6, "at the field: {at}");
    let dir = site(None);
    common::edit(
        &dir.path().join("content/systems/chatbot.yaml"),
        "public_summary: A chatbot for order questions.",
        "public_summary: \"A chatbot. <!-- ZQXJ -->\"",
    );
    refused(dir.path(), "comment-not-hidden");
    let dir = site(None);
    write(
        dir.path(),
        "pages/probe.md",
        "---\nid: PAGE-PROBE\ntitle: Probe\nvisibility: public\npublic_summary: A probe.\ntags: [ok, \"x <!-- ZQXJ -->\"]\n---\n\nBody.\n",
    );
    refused(dir.path(), "comment-not-hidden");
}

/// `assets/Internal/` is `assets/internal/` on a disk that ignores case, and on any disk
/// what its author meant.
#[test]
fn the_internal_assets_folder_in_any_case_is_internal() {
    for folder in ["Internal", "INTERNAL", "iNtErNaL"] {
        let dir = site(None);
        write(dir.path(), &format!("assets/{folder}/ZQXJ.png"), "png");
        public_page(dir.path(), &format!("![x](../assets/{folder}/ZQXJ.png)"));
        refused(dir.path(), "asset-not-public");
    }
}

/// A fence that never closes makes every later marker code: what they were to hide is
/// shown as code. A closed fence holding a marker is only code, and fine.
#[test]
fn markers_swallowed_by_a_code_fence_that_never_closes_are_refused() {
    for fence in ["````\ncode\n```", "```\ncode\n    ```", "~~~\ncode"] {
        page_refused(
            &format!(
                "Public.\n\n{fence}\n\n<!-- internal -->\n\nSecret ZQXJ\n\n<!-- /internal -->\n"
            ),
            "internal-marker-malformed",
        );
    }
    let dir = site(None);
    public_page(
        dir.path(),
        "Write a marker so:\n\n````markdown\n<!-- internal -->\n\nNot shown publicly.\n\n<!-- /internal -->\n````\n\n> ```\n> <!-- internal -->\n> ```\n\n- item\n\n  ```\n  <!-- /internal -->\n  ```\n",
    );
    let check = check_json(dir.path());
    assert_eq!(check.code, 0, "{}", check.stdout);
}

/// The second round of an adversarial tester: look-alike dashes beyond the dash list,
/// markers mistyped alike at both ends, a fence closed later than its author meant, an
/// SVG in UTF-16, and comments in site.yaml's public texts.
#[test]
fn second_round_spellings_are_refused() {
    for (open, close) in [
        ("‹!˗˗", "˗˗>"),
        ("‹!⸺", "⸺>"),
        ("‹!──", "──>"),
        ("‹!ーー", "ーー>"),
        ("‹!¯¯", "¯¯>"),
    ] {
        page_refused(
            &format!(
                "Public.\n\n{open} internal {close}\n\nSecret ZQXJ\n\n{open} /internal {close}\n"
            ),
            "internal-marker-malformed",
        );
    }
    for typo in ["interanl", "intenral", "internl", "intern"] {
        page_refused(
            &format!("Public.\n\n<!-- {typo} -->\n\nSecret ZQXJ\n\n<!-- /{typo} -->\n"),
            "internal-marker-malformed",
        );
    }
    for (fence, closer) in [("```", "```end"), ("```", "    ```"), ("````", "```")] {
        page_refused(
            &format!(
                "Public.\n\n{fence}\ncode\n{closer}\n\n<!-- internal -->\n\nSecret ZQXJ\n\n<!-- /internal -->\n\n{fence}\n"
            ),
            "internal-marker-malformed",
        );
    }
    let dir = site(None);
    let mut svg = vec![0xff, 0xfe];
    for unit in
        "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>ZQXJ()</script></svg>".encode_utf16()
    {
        svg.extend(unit.to_le_bytes());
    }
    let path = dir.path().join("content/assets/u16.svg");
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(&path, svg).unwrap();
    public_page(dir.path(), "![x](../assets/u16.svg)");
    refused(dir.path(), "unsafe-asset");
    let dir = site(None);
    let config = dir.path().join("content/site.yaml");
    let text = fs::read_to_string(&config).unwrap();
    let text = match text.lines().any(|l| l.starts_with("description:")) {
        true => text
            .lines()
            .map(|l| match l.starts_with("description:") {
                true => "description: \"How we govern AI. <!-- ZQXJ -->\"".to_string(),
                false => l.to_string(),
            })
            .collect::<Vec<_>>()
            .join("\n"),
        false => format!("{text}\ndescription: \"How we govern AI. <!-- ZQXJ -->\"\n"),
    };
    fs::write(&config, text).unwrap();
    refused(dir.path(), "comment-not-hidden");
}

/// What the rules on comments must not refuse: arrows in prose, tables, raw HTML and
/// fields; comments and arrows in code; closed fences of any kind.
#[test]
fn arrows_and_code_are_not_taken_for_broken_comments() {
    let dir = site(None);
    public_page(
        dir.path(),
        "The flow is request --> model --> reviewer.\n\n| Step | Next |\n|---|---|\n| Draft --> Review | x |\n\n<p>A --> B</p>\n\nHello!-- and Wow! -- fine.\n\n~~~~\n<!-- a <!-- b --> c -->\n~~~~\n\n> ```\n> x --> y\n> ```\n\n<!-- a note -->\n\nLater, an arrow --> after a blank line.\n",
    );
    common::edit(
        &dir.path().join("content/systems/chatbot.yaml"),
        "public_summary: A chatbot for order questions.",
        "public_summary: \"Workflow: draft --> review --> approve.\"",
    );
    let check = check_json(dir.path());
    assert_eq!(check.code, 0, "{}", check.stdout);
    assert_eq!(build(dir.path(), &[]).code, 0);
}

/// The third round: a look-alike `!`, a marker broken by a hyphen and a space, a plain
/// comment after a fence closed later than meant, the internal folder spelt as a reader
/// reads it, an SVG declaring another encoding, a look-alike `!` in a field.
#[test]
fn third_round_spellings_are_refused() {
    for (open, close) in [
        ("‹ǃ-- internal -->", "‹ǃ-- /internal -->"),
        ("‹ꜝ-- internal -->", "‹ꜝ-- /internal -->"),
        ("‹¡-- internal -->", "‹¡-- /internal -->"),
        ("‹！-- internal -->", "‹！-- /internal -->"),
    ] {
        page_refused(
            &format!("Public.\n\n{open}\n\nSecret ZQXJ\n\n{close}\n"),
            "internal-marker-malformed",
        );
    }
    page_refused(
        "Public.\n\n<!-- inter- nal -->\n\nSecret ZQXJ\n\n<!-- /inter- nal -->\n",
        "internal-marker-malformed",
    );
    page_refused(
        "Public.\n\n```\ncode\n``` end\n<!-- ZQXJ secret -->\n\n```\n",
        "comment-not-hidden",
    );
    for folder in [
        "İnternal",
        "internal.",
        "ｉｎｔｅｒｎａｌ",
        "ınternal",
        "internal\u{200b}",
    ] {
        let dir = site(None);
        write(dir.path(), &format!("assets/{folder}/ZQXJ.txt"), "secret");
        public_page(dir.path(), &format!("[x](../assets/{folder}/ZQXJ.txt)"));
        refused(dir.path(), "asset-not-public");
    }
    let dir = site(None);
    write(
        dir.path(),
        "assets/x.svg",
        "<?xml version=\"1.0\" encoding=\"ISO-2022-JP\"?><svg xmlns=\"http://www.w3.org/2000/svg\"><scr\u{1b}(Bipt>ZQXJ()</scr\u{1b}(Bipt></svg>",
    );
    public_page(dir.path(), "![x](../assets/x.svg)");
    refused(dir.path(), "unsafe-asset");
    let dir = site(None);
    common::edit(
        &dir.path().join("content/systems/chatbot.yaml"),
        "public_summary: A chatbot for order questions.",
        "public_summary: \"A chatbot ‹ǃ-- ZQXJ -->\"",
    );
    refused(dir.path(), "comment-not-hidden");
}

/// Comments spelt so that HTML does not read them as comments (a look-alike `<`, `!` or
/// dashes, or `&lt;`), which are shown as text on both sites, and markers spelt with
/// character references, which HTML does not decode in a comment.
#[test]
fn comments_that_html_reads_as_text_are_refused() {
    for comment in [
        "＜!-- ZQXJ secret -->",
        "‹!-- ZQXJ secret -->",
        "<!—ZQXJ secret—>",
        "<ǃ-- ZQXJ secret -->",
        "<ꜝ-- ZQXJ secret -->",
        "&lt;!-- ZQXJ secret --&gt;",
        "Text, then &#60;!-- ZQXJ secret --> in a sentence.",
    ] {
        page_refused(&format!("Public.\n\n{comment}\n"), "comment-not-hidden");
    }
    page_refused(
        "| a | ‹ǃ-- internal --> |\n\nSecret ZQXJ\n\n| a | ‹ǃ-- /internal --> |\n",
        "internal-marker-malformed",
    );
    for marker in [
        "&#105;nternal",
        "&#x69;nternal",
        "&iacute;nternal",
        "INT&Eacute;RNAL",
    ] {
        page_refused(
            &format!("Public.\n\n<!-- {marker} -->\n\nSecret ZQXJ\n\n<!-- /{marker} -->\n"),
            "internal-marker-malformed",
        );
    }
}

/// What reads as those but is prose or code: an exclamation before dashes, `<!--` in
/// code, a comparison, an entity in a plain comment.
#[test]
fn exclamations_and_comparisons_are_not_taken_for_comments() {
    let dir = site(None);
    public_page(
        dir.path(),
        "Hello!-- and Wow! -- fine. If a < b, then b > a.\n\nWrite `<!-- note -->` or `&lt;!-- x --&gt;` in code.\n\n<!-- caf&eacute; note -->\n\n    ＜!-- in indented code -->\n\n| Record | Public | Handbook |\n|---|---|---|\n| Risk register | — | internal |\n",
    );
    let check = check_json(dir.path());
    assert_eq!(check.code, 0, "{}", check.stdout);
    assert_eq!(build(dir.path(), &[]).code, 0);
}

/// A footnote defined in public text but cited only inside an internal block, inside a
/// comment, or nowhere: the public page would show the note alone (found by an
/// adversarial tester: the definition was published with `check` and `build` at 0).
#[test]
fn a_footnote_cited_only_where_the_public_page_does_not_show_is_refused() {
    for body in [
        "Public.\n\n<!-- internal -->\n\nWe are buying a company[^deal].\n\n<!-- /internal -->\n\nMore.\n\n[^deal]: Foo Corp, price ZQXJ million.\n",
        "Public.<!-- We pay Foo[^fee]. -->\n\n[^fee]: ZQXJ a year.\n",
        "Public.\n\n> [^q]: ZQXJ in a quote.\n",
        "Public.\n\n[^orphan]: ZQXJ cited nowhere.\n",
    ] {
        page_refused(body, "public-layout-differs");
    }
    // Cited in public text too (in another case of its label), it is the public's note.
    let dir = site(None);
    public_page(
        dir.path(),
        "Public[^Both].\n\n<!-- internal -->\n\nAlso here[^both].\n\n<!-- /internal -->\n\n[^both]: A public note.\n\n<!-- internal -->\n\nInside[^in].\n\n[^in]: An internal note.\n\n<!-- /internal -->\n",
    );
    let check = check_json(dir.path());
    assert_eq!(check.code, 0, "{}", check.stdout);
}

/// Only `internal` hides text. A comment an author may take for another marker
/// (`<!-- private -->`, `<!-- /confidential -->`, `<!-- do not publish -->`) would leave
/// the text after it published: it is refused, however it is spelt.
#[test]
fn comments_that_read_as_other_hiding_markers_are_refused() {
    for (open, close) in [
        ("<!-- private -->", "<!-- /private -->"),
        ("<!-- CONFIDENTIAL -->", "<!-- /CONFIDENTIAL -->"),
        ("<!-- secret -->", "<!-- end secret -->"),
        ("<!-- hidden-start -->", "<!-- hidden-end -->"),
        ("<!-- do not publish -->", "<!-- /do not publish -->"),
        ("<!-- Staff only -->", "<!-- / staff only -->"),
        ("<!-- pr&#105;vate -->", "<!-- /private -->"),
        ("<!-- BEGIN PRIVATE -->", "<!-- END PRIVATE -->"),
        ("<!-- start secret -->", "<!-- end secret -->"),
        ("<!-- don’t publish -->", "<!-- publish -->"),
        ("<!-- hide -->", "<!-- /hide -->"),
        ("<!-- redacted -->", "<!-- /redacted -->"),
        ("<!-- confidental -->", "<!-- /confidental -->"),
        ("<!-- hidden: true -->", "<!-- hidden: false -->"),
        ("<!-- not for publication -->", "<!-- end -->"),
    ] {
        page_refused(
            &format!("Public words.\n\n{open}\n\nZQXJ salary bands.\n\n{close}\n"),
            "internal-marker-malformed",
        );
        page_refused(
            &format!("Public words, {open}ZQXJ salary bands{close} and more."),
            "internal-marker-malformed",
        );
    }
}

/// Ordinary comments that merely use such words in a sentence, or other tools' markers,
/// are plain comments.
#[test]
fn comments_that_mention_such_words_in_a_sentence_are_plain() {
    let dir = site(None);
    public_page(
        dir.path(),
        "Words.\n\n<!-- keep the private key section short -->\n\n<!-- toc -->\n\nMore.\n\n<!-- tocstop -->\n\n<!-- omit in toc -->\n\n<!-- Private cloud hosting is described below -->\n\n<!-- markdownlint-disable MD013 -->\n\n<!-- prettier-ignore -->\n\n<!-- draft -->\n",
    );
    let run = build(dir.path(), &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}

/// `public/`'s files, but the marker that names the build's manifest.
fn public_files(root: &Path) -> Vec<(String, Vec<u8>)> {
    let run = build(root, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut files = files_under(&root.join("public"));
    files.retain(|(path, _)| !path.ends_with(".trustbook-output"));
    files
}

/// No count tells the status of a control the public site does not show, nor whether it
/// was assessed: the public site is the same byte for byte whatever those are. (Counts
/// of them had told them whenever they shared one status, and leaving such a count out
/// told it too.)
#[test]
fn the_public_site_is_the_same_whatever_the_status_of_a_control_it_does_not_show() {
    let dir = site(None);
    let root = dir.path();
    let controls = root.join("content/controls");
    // ACME-1 is public; A.6.2.4 and ACME-3 internal, ACME-2 restricted (offered on request).
    let hidden = ["a-6-2-4.yaml", "acme-2.yaml", "acme-3.yaml"];
    let original: Vec<String> = (hidden.iter())
        .map(|f| fs::read_to_string(controls.join(f)).unwrap())
        .collect();
    let set = |statuses: [(&str, &str, &str); 3]| {
        for ((file, text), (status, applicable, justification)) in
            hidden.iter().zip(&original).zip(statuses)
        {
            let text: String = (text.lines())
                .map(|line| match line.split_once(':') {
                    Some(("status", _)) => format!("status: {status}"),
                    Some(("applicable", _)) => format!("applicable: {applicable}"),
                    Some(("justification", _)) => format!("justification: {justification}"),
                    _ => line.to_string(),
                })
                .collect::<Vec<_>>()
                .join("\n");
            // What an applicable control with any status needs.
            let needs = ["owner: Head of ML", "target_date: 2027-06-01"];
            let more: String = (needs.iter())
                .filter(|line| !text.contains(&line[..line.find(':').unwrap()]))
                .map(|line| format!("\n{line}"))
                .collect();
            fs::write(controls.join(file), text + &more + "\n").unwrap();
        }
    };
    set([
        ("partial", "true", "Needed."),
        ("planned", "true", "Needed."),
        ("not-applicable", "false", "Not used."),
    ]);
    let first = public_files(root);
    let index = String::from_utf8_lossy(&first.iter().find(|(p, _)| p == "index.html").unwrap().1)
        .to_string();
    assert!(
        index.contains("whose status is not published here"),
        "{index}"
    );
    assert!(
        index.contains("Red-team before release"),
        "the restricted control is offered"
    );
    for statuses in [
        // All one status.
        [
            ("implemented", "true", "Needed."),
            ("implemented", "true", "Needed."),
            ("implemented", "true", "Needed."),
        ],
        // Not yet assessed, beside the offered one.
        [
            ("planned", "true", "TODO"),
            ("implemented", "true", "Needed."),
            ("planned", "true", "TBD"),
        ],
        [
            ("alternative", "true", "Other means."),
            ("partial", "true", "Needed."),
            ("implemented", "true", "TODO"),
        ],
    ] {
        set(statuses);
        let again = public_files(root);
        let differ: Vec<&String> = (first.iter().zip(&again))
            .filter(|(a, b)| a != b)
            .map(|(a, _)| &a.0)
            .collect();
        assert_eq!(first.len(), again.len(), "{statuses:?}");
        assert!(differ.is_empty(), "{statuses:?} changed {differ:?}");
    }
}
