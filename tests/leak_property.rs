//! The leak guarantee as a property: for random sites (every kind of record, every
//! visibility and status, internal blocks in every spelling a reader accepts, every line
//! ending, comments, links, anchors into internal blocks, raw HTML, images and evidence
//! files), nothing internal reaches the public site and everything public does. Each
//! internal datum carries a unique `CANARY` token, each public one a `PUBLIC` token. Sites
//! with a hostile construct (an inline or near-miss marker, evidence on a public page) must
//! be refused by `check` instead. A failure shrinks to a minimal site.

use proptest::prelude::*;
use std::fmt::Write as _;
use std::fs;
use std::path::Path;
use trustbook::build::{Audience, Reuse, render};
use trustbook::finding::Severity;
use trustbook::load::date::Date;

#[derive(Clone, Debug)]
struct Doc {
    page: bool,
    visibility: usize,
    status: usize,
    internal_block: bool,
    comment: bool,
    link_to: Option<usize>,
    image: bool,
    /// Index into `MARKER_SPELLINGS` for the internal block.
    spelling: usize,
    /// LF, CRLF or CR.
    line_ending: usize,
    /// Index into `HOSTILE`: a construct `check` must refuse.
    hostile: Option<usize>,
    raw_html: bool,
    /// A link to a heading inside another document's internal block.
    anchor_to: Option<usize>,
    /// A link to the evidence file of a control.
    evidence_link: bool,
}

/// Well-formed markers as authors type them: each must work.
const MARKER_SPELLINGS: [(&str, &str); 5] = [
    ("<!-- internal -->", "<!-- /internal -->"),
    ("<!--INTERNAL-->", "<!--/INTERNAL-->"),
    ("<!-- Internal -->", "<!-- /Internal -->"),
    ("<!--\u{a0}internal\u{a0}-->", "<!-- /internal\u{a0}-->"),
    ("<!-- inter\u{200b}nal -->", "<!-- /inter\u{200b}nal -->"),
];

/// Constructs that must be refused (`{}` is the canary).
const HOSTILE: [&str; 6] = [
    "Inline <!-- internal --> {} <!-- /internal --> end.",
    "<!-- internal: start -->\n\n{}\n\n<!-- end internal -->",
    "| a |\n|---|\n| <!-- internal -->{}<!-- /internal --> |",
    "<!-- \u{456}nternal -->\n\n{}\n\n<!-- /\u{456}nternal -->",
    "<div>\n<!-- internal -->\n{}\n<!-- /internal -->\n</div>",
    "    <!-- internal -->\n    {}\n    <!-- /internal -->",
];

#[derive(Clone, Debug)]
struct Control {
    visibility: usize,
    status: usize,
}

#[derive(Clone, Debug)]
struct Spec {
    docs: Vec<Doc>,
    controls: Vec<Control>,
    systems: Vec<usize>,
    risks: Vec<usize>,
}

const VISIBILITIES: [&str; 3] = ["public", "restricted", "internal"];
const DOC_STATUSES: [&str; 4] = ["draft", "in_review", "approved", "retired"];
const CONTROL_STATUSES: [&str; 5] = [
    "implemented",
    "partial",
    "planned",
    "alternative",
    "not-applicable",
];

fn spec() -> impl Strategy<Value = Spec> {
    let doc = (
        (
            any::<bool>(),
            0..3usize,
            0..4usize,
            any::<bool>(),
            any::<bool>(),
            proptest::option::of(0..6usize),
            any::<bool>(),
        ),
        (
            0..MARKER_SPELLINGS.len(),
            0..3usize,
            // Mostly well-formed sites, so that the leak property is exercised.
            prop_oneof![4 => Just(None), 1 => (0..HOSTILE.len()).prop_map(Some)],
            any::<bool>(),
            proptest::option::of(0..6usize),
            prop::bool::weighted(0.2),
        ),
    )
        .prop_map(
            |(
                (page, visibility, status, internal_block, comment, link_to, image),
                (spelling, line_ending, hostile, raw_html, anchor_to, evidence_link),
            )| Doc {
                page,
                visibility,
                status,
                internal_block,
                comment,
                link_to,
                image,
                spelling,
                line_ending,
                hostile,
                raw_html,
                anchor_to,
                evidence_link,
            },
        );
    let control =
        (0..3usize, 0..5usize).prop_map(|(visibility, status)| Control { visibility, status });
    (
        prop::collection::vec(doc, 1..6),
        prop::collection::vec(control, 1..5),
        prop::collection::vec(0..3usize, 0..3),
        prop::collection::vec(0..3usize, 0..3),
    )
        .prop_map(|(docs, controls, systems, risks)| Spec {
            docs,
            controls,
            systems,
            risks,
        })
}

/// Hands out tokens and remembers which must (public) and must not (canary) be shown.
#[derive(Default)]
struct Tokens {
    next: usize,
    public: Vec<String>,
}

impl Tokens {
    fn canary(&mut self) -> String {
        self.next += 1;
        format!("CANARY{}X", self.next)
    }
    fn public(&mut self) -> String {
        self.next += 1;
        let token = format!("PUBLIC{}X", self.next);
        self.public.push(token.clone());
        token
    }
    /// A public token when `shown`, else a canary.
    fn either(&mut self, shown: bool) -> String {
        if shown { self.public() } else { self.canary() }
    }
}

fn write(root: &Path, path: &str, text: &str) {
    let path = root.join("content").join(path);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

/// What a generated site must give.
struct Expected {
    /// Tokens the public site must show.
    public: Vec<String>,
    /// Whether `check` must refuse the site.
    refused: bool,
}

/// Writes the site; returns what it must give.
fn write_site(root: &Path, spec: &Spec) -> Expected {
    let mut refused = false;
    let mut t = Tokens::default();
    write(
        root,
        "site.yaml",
        &format!(
            "title: Site\norganisation: Org\nrepository: https://git.example.com/{}\nframeworks: [prop]\ncontact:\n  email: a@example.com\n",
            t.canary()
        ),
    );
    let mut catalog = String::from(
        "framework: prop\nname: Prop\nobjectives:\n  - {id: PO, title: Objective}\ncontrols:\n",
    );
    for (i, control) in spec.controls.iter().enumerate() {
        let shown = control.visibility < 2;
        let id = if control.visibility == 0 {
            format!("PUBID{i}")
        } else {
            t.canary()
        };
        let title = t.either(shown);
        let _ = writeln!(catalog, "  - {{id: {id}, objective: PO, title: {title}}}");
        let status = CONTROL_STATUSES[control.status];
        let mut record = format!(
            "id: {id}\napplicable: {}\njustification: {}\nstatus: {status}\nowner: {}\nimplementation: {}\n",
            status != "not-applicable",
            t.canary(),
            t.canary(),
            t.canary()
        );
        if matches!(status, "partial" | "planned") {
            record.push_str("target_date: 2030-01-01\n");
        }
        if i == 0 {
            // Evidence is internal whatever the control's visibility: a public page that
            // links to it must be refused.
            let _ = write!(
                record,
                "evidence:\n  - {{title: Report, path: assets/evidence-{}.txt}}\n",
                t.canary()
            );
        }
        let _ = write!(
            record,
            "visibility: {}\npublic_summary: {}\n",
            VISIBILITIES[control.visibility],
            t.either(shown)
        );
        write(root, &format!("controls/c{i}.yaml"), &record);
    }
    write(root, "catalogs/prop.yaml", &catalog);
    let evidence = fs::read_to_string(root.join("content/controls/c0.yaml"))
        .unwrap()
        .split("path: ")
        .nth(1)
        .map(|rest| rest.split('}').next().unwrap().trim().to_string())
        .unwrap();
    write(root, &evidence, &format!("evidence {}", t.canary()));

    for (i, visibility) in spec.systems.iter().enumerate() {
        let public = *visibility == 0;
        let shown = *visibility < 2;
        write(
            root,
            &format!("systems/s{i}.yaml"),
            &format!(
                "id: {}\nname: {}\ndescription: {}\nrole: deployer\npurpose: {}\nlifecycle: production\nrisk_class: minimal\nhuman_oversight: {}\nmodel: {}\ndata: {}\nsupplier: {}\nowner: {}\nvisibility: {}\npublic_summary: {}\n",
                t.canary(),
                t.either(shown),
                t.either(public),
                t.either(public),
                t.either(public),
                t.canary(),
                t.canary(),
                t.canary(),
                t.canary(),
                VISIBILITIES[*visibility],
                t.either(shown)
            ),
        );
    }
    for (i, visibility) in spec.risks.iter().enumerate() {
        let shown = *visibility < 2;
        write(
            root,
            &format!("risks/r{i}.yaml"),
            &format!(
                "id: R{i}\ntitle: {}\ndescription: {}\nowner: {}\nlikelihood: 2\nimpact: 3\ntreatment: avoid\nstatus: open\nvisibility: {}\npublic_summary: {}\n",
                t.either(shown),
                t.canary(),
                t.canary(),
                VISIBILITIES[*visibility],
                t.either(shown)
            ),
        );
    }

    for (i, doc) in spec.docs.iter().enumerate() {
        let status = DOC_STATUSES[doc.status];
        // Only approved policies can be published; pages by their visibility alone.
        let effective = if doc.page || status == "approved" {
            doc.visibility
        } else {
            2
        };
        let (public, shown) = (effective == 0, effective < 2);
        let folder = if doc.page { "pages" } else { "policies" };
        let mut front = format!(
            "id: D{i}\ntitle: {}\nvisibility: {}\npublic_summary: {}\n",
            t.either(shown),
            VISIBILITIES[doc.visibility],
            t.either(shown)
        );
        if !doc.page {
            let _ = write!(
                front,
                "version: \"{}\"\nstatus: {status}\nowner: {}\nnext_review: 2030-01-01\n",
                if public { t.public() } else { t.canary() },
                t.canary()
            );
            if status == "approved" {
                let _ = write!(
                    front,
                    "approved_by: {}\napproved_on: 2026-01-01\n",
                    t.canary()
                );
            }
        }
        let mut body = format!("Text {}.\n\n", t.either(public));
        if doc.internal_block {
            let (open, close) = MARKER_SPELLINGS[doc.spelling];
            let _ = write!(
                body,
                "{open}\n\n## Plan CANARYH{i}X\n\nInternal {}.\n\n{close}\n\n",
                t.canary()
            );
        }
        if let Some(hostile) = doc.hostile {
            let _ = write!(body, "{}\n\n", HOSTILE[hostile].replace("{}", &t.canary()));
            refused = true;
        }
        if doc.raw_html {
            let _ = write!(
                body,
                "<p>Raw <a href=\"d{i}.md\">self</a> <img src=\"https://example.com/x.png\" alt=\"x\" onerror=\"alert('{}')\"> <a href=\"&#106;avascript:alert('{}')\">js</a></p>\n\n<div>\n<!-- {} -->\n</div>\n\n",
                t.canary(),
                t.canary(),
                t.canary()
            );
        }
        if let Some(target) = doc
            .anchor_to
            .filter(|t| *t < spec.docs.len() && spec.docs[*t].internal_block)
        {
            let target_folder = if spec.docs[target].page {
                "pages"
            } else {
                "policies"
            };
            let _ = write!(
                body,
                "See [the plan](../{target_folder}/d{target}.md#plan-canaryh{target}x).\n\n"
            );
        }
        if doc.evidence_link {
            let _ = write!(body, "See [the report](../{evidence}).\n\n");
            refused |= public;
        }
        if doc.comment {
            let _ = write!(body, "Before <!-- {} --> after.\n\n", t.canary());
        }
        if let Some(target) = doc.link_to.filter(|t| *t < spec.docs.len()) {
            let target_folder = if spec.docs[target].page {
                "pages"
            } else {
                "policies"
            };
            let _ = write!(
                body,
                "See [the other]( ../{target_folder}/d{target}.md).\n\n"
            );
        }
        if doc.image {
            // An asset used only by this page: public only if the page is.
            let name = if public { t.public() } else { t.canary() };
            fs::create_dir_all(root.join("content/assets")).unwrap();
            fs::write(
                root.join(format!("content/assets/{name}.png")),
                name.as_bytes(),
            )
            .unwrap();
            let _ = writeln!(body, "![figure](../assets/{name}.png)");
        }
        let text = format!("---\n{front}---\n\n{body}");
        let text = match doc.line_ending {
            0 => text,
            1 => text.replace('\n', "\r\n"),
            _ => text.replace('\n', "\r"),
        };
        write(root, &format!("{folder}/d{i}.md"), &text);
    }
    Expected {
        public: t.public,
        refused,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn nothing_internal_is_published_and_everything_public_is(spec in spec()) {
        let dir = tempfile::tempdir().unwrap();
        let expected = write_site(dir.path(), &spec);
        let mut findings = Vec::new();
        let site = trustbook::load::load(dir.path(), &mut findings).unwrap();
        let today = Date::parse("2026-11-27").unwrap();
        trustbook::check::run(&site, today, &mut findings);
        let errors: Vec<_> = findings.iter().filter(|f| f.severity == Severity::Error).map(|f| &f.message).collect();
        if expected.refused {
            // `build` writes nothing when `check` has errors.
            prop_assert!(!errors.is_empty(), "a hostile site was not refused");
            return Ok(());
        }
        prop_assert!(errors.is_empty(), "the generated site has errors: {errors:?}");
        let built = render(&site, today, Some(Audience::Public), &Reuse::default()).unwrap();
        let public = built.public.unwrap();
        let mut all = String::new();
        for (name, bytes) in &public.files {
            let text = String::from_utf8_lossy(bytes);
            prop_assert!(!name.to_uppercase().contains("CANARY"), "file name {name}");
            let upper = text.to_uppercase();
            prop_assert!(!upper.contains("CANARY"), "{name} holds {}", &upper[upper.find("CANARY").unwrap()..][..12]);
            all.push_str(name);
            all.push_str(&text);
        }
        for token in expected.public {
            prop_assert!(all.contains(&token), "{token} is missing from the public site");
        }
    }
}
