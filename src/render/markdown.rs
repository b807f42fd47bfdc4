//! Markdown to HTML for one audience, in named passes over pulldown-cmark's events:
//! heading ids (the same anchors `check` validated), code blocks highlighted, and internal
//! blocks marked (internal site; the public model has none left). Then the whole page
//! body goes through the sanitiser (`crate::html`), which also rewrites every relative
//! link, Markdown's and raw HTML's alike, through the page's `Links`.

use super::highlight::Highlighter;
use crate::hash::HashMap;
use crate::links::{Resolver, Target};
use crate::load::markers::{Marker, block_marker};
use crate::load::outline::{heading_ids, options, slugify};
use crate::sources::FileId;
use pulldown_cmark::{CodeBlockKind, CowStr, Event, Parser, Tag, TagEnd};
use std::path::PathBuf;
use std::sync::Mutex;

/// Where the links of one page lead.
pub trait Links: Sync {
    /// Where a relative URL written in the body (percent escapes intact) leads from this
    /// page, or `None` to drop it (a link keeps its text).
    fn target(&self, url: &str) -> Option<String>;
}

/// The handbook's links, resolved against the sources: every record's page, and assets
/// (collected, so that the build copies them).
pub struct SourceLinks<'a> {
    pub resolver: &'a Resolver<'a>,
    /// Page URL of every record published on this site, by id.
    pub urls: &'a HashMap<String, String>,
    /// The source file the Markdown came from: relative links start there.
    pub file: FileId,
    /// From this page to the site root: `../../` for `policies/x/index.html`.
    pub root: &'a str,
    pub assets: Mutex<Vec<PathBuf>>,
}

impl Links for SourceLinks<'_> {
    fn target(&self, dest: &str) -> Option<String> {
        if dest.starts_with('#') {
            return Some(dest.to_string());
        }
        let resolved = match self.resolver.resolve(self.file, dest) {
            Ok(Some(resolved)) => resolved,
            Ok(None) => return Some(dest.to_string()),
            Err(_) => return None,
        };
        let fragment = if resolved.anchor.is_empty() {
            String::new()
        } else {
            format!("#{}", resolved.anchor)
        };
        match resolved.target {
            Target::Record(id) => {
                let url = self.urls.get(id)?;
                Some(format!("{}{url}index.html{fragment}", self.root))
            }
            Target::Asset(path) => {
                let url = path.to_string_lossy().replace('\\', "/");
                self.assets.lock().ok()?.push(path);
                Some(format!("{}{url}", self.root))
            }
            Target::Home => Some(format!("{}index.html{fragment}", self.root)),
            Target::Unloaded => None,
        }
    }
}

const INTERNAL_BLOCK_START: &str = "<div class=\"internal-block\" role=\"note\"><p class=\"internal-label\">Internal: not on the public site</p>\n";

/// The body's HTML. `title` is the page's own title, shown above the body; comments are
/// kept for the handbook only.
pub fn to_html(
    markdown: &str,
    links: &dyn Links,
    title: Option<&str>,
    keep_comments: bool,
    highlighter: &Highlighter,
) -> String {
    let mut events: Vec<Event> = Vec::new();
    let parsed: Vec<Event> = Parser::new_ext(markdown, options()).collect();
    // The headings' ids, made as the outline makes them (`check` reads those).
    let ids = heading_ids(&heading_slugs(&parsed));
    let mut heading: Option<(Option<String>, Vec<Event>)> = None;
    let mut code: Option<(String, String)> = None;
    // The page prints its title as its one `<h1>`: a body with headings of its own at that
    // level (other than one repeating the title) has every heading moved one level down.
    let demote = title.is_some() && has_own_h1(&parsed, title);
    // Without raw HTML, the parser's own output is safe once its links are: they are
    // decided here, by the same rule the sanitiser applies, and the sanitiser (the costly
    // part of a page) is needed only for bodies with raw HTML.
    let raw_html = parsed.iter().any(|e| match e {
        Event::Html(html) => block_marker(html).is_none(),
        Event::InlineHtml(_) => true,
        _ => false,
    });
    // The footnotes' ids, apart from the headings' and the layout's.
    let notes = parsed.iter().filter_map(|event| match event {
        Event::FootnoteReference(label) => Some((label.as_ref(), false)),
        Event::Start(Tag::FootnoteDefinition(label)) => Some((label.as_ref(), true)),
        _ => None,
    });
    let note_ids = crate::load::outline::note_ids(notes, &ids);
    // What the sanitiser needs, for a body that goes through it: the headings' and notes'
    // ids (raw HTML may not take them) and the notes' same-page links (`[^name]: …`),
    // which carry the token through it as the ids do.
    let sanitising = raw_html.then(|| {
        let own_ids = ids.iter().chain(&note_ids).cloned().collect();
        let own = crate::html::OwnIds::new(own_ids);
        let notes: HashMap<String, String> = (note_ids.iter())
            .map(|id| (format!("#{}{id}", own.token), format!("#{id}")))
            .collect();
        (own, notes)
    });
    // Each note's id in turn, as the HTML writer is given it (in the place of its label):
    // with the token, through the sanitiser.
    let mut note_ids_in_order = note_ids.iter();
    let mut note_id = || -> CowStr {
        let id = note_ids_in_order.next().cloned().unwrap_or_default();
        match &sanitising {
            Some((own, _)) => format!("{}{id}", own.token).into(),
            None => id.into(),
        }
    };
    let mut ids = ids.into_iter();
    // Whether each open link or image was kept, so that its end matches its start.
    let mut kept: Vec<bool> = Vec::new();

    for event in parsed {
        // Pass: code blocks, highlighted whole.
        if let Some((lang, text)) = code.as_mut() {
            match event {
                Event::Text(t) => text.push_str(&t),
                Event::End(TagEnd::CodeBlock) => {
                    events.push(Event::Html(highlighter.block(lang, text).into()));
                    code = None;
                }
                _ => {}
            }
            continue;
        }
        // Pass (bodies without raw HTML): links and images point where `links` says.
        let event = if raw_html {
            event
        } else {
            match link_pass(event, links, &mut kept) {
                Some(event) => event,
                None => continue,
            }
        };
        let event = match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(lang) => lang.to_string(),
                    CodeBlockKind::Indented => String::new(),
                };
                code = Some((lang, String::new()));
                continue;
            }
            // Pass: internal-block markers become a marked box (the sanitiser sees to the
            // rest of the raw HTML).
            Event::Html(html) => match block_marker(&html) {
                Some(Marker::Open) => Event::Html(INTERNAL_BLOCK_START.into()),
                Some(Marker::Close) => Event::Html("</div>\n".into()),
                None => Event::Html(html),
            },
            Event::FootnoteReference(_) => Event::FootnoteReference(note_id()),
            Event::Start(Tag::FootnoteDefinition(_)) => {
                Event::Start(Tag::FootnoteDefinition(note_id()))
            }
            other => other,
        };
        // Pass: heading ids, from the heading's text once it is complete (as `check` did).
        match event {
            Event::Start(Tag::Heading { id, .. }) if heading.is_none() => {
                heading = Some((id.map(|id| id.to_string()), Vec::new()));
            }
            Event::End(TagEnd::Heading(level)) if heading.is_some() => {
                let (custom, buffer) = heading.take().unwrap_or_default();
                let text: String = buffer
                    .iter()
                    .filter_map(|e| match e {
                        Event::Text(t) | Event::Code(t) => Some(t.as_ref()),
                        _ => None,
                    })
                    .collect();
                let anchor = crate::html::escape(&ids.next().unwrap_or_else(|| {
                    // Not met by the first look (cannot happen): still an id of its own.
                    let slug = custom.unwrap_or_else(|| slugify(&text));
                    format!("{slug}-unnumbered")
                }));
                // Through the sanitiser, the heading's id carries the token that tells it
                // from raw HTML's.
                let id = match &sanitising {
                    Some((own, _)) => format!("{}{anchor}", own.token),
                    None => anchor.clone(),
                };
                // A body that opens by repeating the page title as `# Title` would show it
                // twice under the page's own heading: keep only its anchor.
                let repeats_title = events.is_empty()
                    && level == pulldown_cmark::HeadingLevel::H1
                    && title.is_some_and(|t| t.trim().eq_ignore_ascii_case(text.trim()));
                if repeats_title {
                    events.push(Event::Html(format!("<span id=\"{id}\"></span>\n").into()));
                    continue;
                }
                let level = if demote {
                    (level as usize + 1).min(6)
                } else {
                    level as usize
                };
                events.push(Event::Html(format!("<h{level} id=\"{id}\">").into()));
                events.extend(buffer);
                events.push(Event::Html(
                    format!(" <a class=\"anchor\" href=\"#{anchor}\" aria-label=\"Link to this section\">#</a></h{level}>\n").into(),
                ));
            }
            event => match heading.as_mut() {
                Some((_, buffer)) => buffer.push(event),
                None => events.push(event),
            },
        }
    }
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    match sanitising {
        Some((own, notes)) => {
            // A footnote's reference links to its note on the same page: the sanitiser's
            // link rule knows headings, not notes, and would drop it.
            let link = |url: &str| match notes.get(url) {
                Some(note) => Some(note.clone()),
                None => links.target(url),
            };
            crate::html::clean(&html, keep_comments, &link, &own)
        }
        None => html,
    }
}

/// Each heading's slug (its `{#id}`, or its text's) and whether it is inside an internal
/// block, in order: what `heading_ids` numbers.
fn heading_slugs(parsed: &[Event]) -> Vec<(String, bool)> {
    let mut found = Vec::new();
    let mut in_block = false;
    let mut heading: Option<(Option<String>, String)> = None;
    for event in parsed {
        match event {
            Event::Html(html) => match block_marker(html) {
                Some(Marker::Open) => in_block = true,
                Some(Marker::Close) => in_block = false,
                None => {}
            },
            Event::Start(Tag::Heading { id, .. }) if heading.is_none() => {
                heading = Some((id.as_ref().map(|id| id.to_string()), String::new()));
            }
            Event::Text(text) | Event::Code(text) => {
                if let Some((_, heading_text)) = heading.as_mut() {
                    heading_text.push_str(text);
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((custom, text)) = heading.take() {
                    found.push((custom.unwrap_or_else(|| slugify(&text)), in_block));
                }
            }
            _ => {}
        }
    }
    found
}

/// A link or image of a body without raw HTML, pointed where `links` says; `None` drops
/// the tag (a link keeps its text, an image its alt text). Other events pass unchanged.
fn link_pass<'e>(event: Event<'e>, links: &dyn Links, kept: &mut Vec<bool>) -> Option<Event<'e>> {
    let image = matches!(event, Event::Start(Tag::Image { .. }));
    let (dest, rebuild): (CowStr<'e>, Box<dyn FnOnce(CowStr<'e>) -> Event<'e>>) = match event {
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => (
            dest_url,
            Box::new(move |dest_url| {
                Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                })
            }),
        ),
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) => (
            dest_url,
            Box::new(move |dest_url| {
                Event::Start(Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                })
            }),
        ),
        Event::End(end @ (TagEnd::Link | TagEnd::Image)) => {
            return (kept.pop() != Some(false)).then_some(Event::End(end));
        }
        other => return Some(other),
    };
    let target = if image {
        image_target(&dest, links)
    } else {
        target(&dest, links)
    };
    kept.push(target.is_some());
    target.map(|dest| rebuild(dest.into()))
}

/// Where a Markdown link leads: a web, mail or phone address as written, a relative one
/// where `links` says; anything else (`javascript:`, `data:`) nowhere. The sanitiser
/// applies the same rule to raw HTML.
fn target(dest: &str, links: &dyn Links) -> Option<String> {
    target_of(dest, links, false)
}

/// An image's source: on this site only (pages load nothing from another host).
fn image_target(dest: &str, links: &dyn Links) -> Option<String> {
    target_of(dest, links, true)
}

fn target_of(dest: &str, links: &dyn Links, image: bool) -> Option<String> {
    if image && (crate::links::is_external(dest) || dest.starts_with("//")) {
        return None;
    }
    if crate::links::is_external(dest) || dest.starts_with("//") {
        return crate::html::is_allowed_address(dest).then(|| dest.to_string());
    }
    links.target(dest)
}

/// Whether the body has a level-1 heading besides one that opens it by repeating `title`.
fn has_own_h1(events: &[Event], title: Option<&str>) -> bool {
    let mut seen_content = false;
    let mut in_h1: Option<(bool, String)> = None;
    for event in events {
        match event {
            Event::Start(Tag::Heading {
                level: pulldown_cmark::HeadingLevel::H1,
                ..
            }) => in_h1 = Some((!seen_content, String::new())),
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, text)) = in_h1.as_mut() {
                    text.push_str(t);
                }
            }
            Event::End(TagEnd::Heading(pulldown_cmark::HeadingLevel::H1)) => {
                if let Some((first, text)) = in_h1.take() {
                    let repeats =
                        first && title.is_some_and(|t| t.trim().eq_ignore_ascii_case(text.trim()));
                    if !repeats {
                        return true;
                    }
                }
            }
            _ => {}
        }
        seen_content = true;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::HashSet;

    struct Keep;
    impl Links for Keep {
        fn target(&self, url: &str) -> Option<String> {
            Some(format!("TO/{url}"))
        }
    }

    fn html(markdown: &str, keep_comments: bool) -> String {
        to_html(
            markdown,
            &Keep,
            None,
            keep_comments,
            &Highlighter::default(),
        )
    }

    /// The page's ids and the outline's anchors (which `check` reads) agree, and none is
    /// the layout's or empty.
    #[test]
    fn heading_ids_are_the_outlines_anchors() {
        let body = "## Main\n## !!!\n## Search input\n";
        let out = html(body, false);
        for id in ["main-1", "section", "search-input-1"] {
            assert!(out.contains(&format!("id=\"{id}\"")), "{id} not in {out}");
            assert!(crate::load::outline::outline(body).anchors.contains(id));
        }
        assert!(
            !out.contains("id=\"main\"") && !out.contains("id=\"\""),
            "{out}"
        );
    }

    /// The handbook's page gives a public heading the id the public page gives it, with
    /// or without raw HTML in the body.
    #[test]
    fn a_public_heading_has_one_id_on_both_sites() {
        let body = "<!-- internal -->\n\n## Notes\n\n<!-- /internal -->\n\n## Notes\n";
        for extra in ["", "\n<b>raw</b>\n"] {
            let internal = html(&format!("{body}{extra}"), true);
            let internal_at = internal.find("id=\"notes-1\"").expect(&internal);
            let public_at = internal.find("id=\"notes\"").expect(&internal);
            assert!(
                internal_at < public_at,
                "the internal heading is notes-1: {internal}"
            );
            let public = html(&format!("## Notes\n{extra}"), false);
            assert!(public.contains("id=\"notes\""), "{public}");
        }
    }

    /// A footnote's reference keeps its link to the note when the body has raw HTML (the
    /// sanitiser's link rule would drop a fragment it does not know).
    #[test]
    fn footnotes_keep_their_links_beside_raw_html() {
        struct NoLinks;
        impl Links for NoLinks {
            fn target(&self, _: &str) -> Option<String> {
                None
            }
        }
        for body in [
            "Text[^1].\n\n[^1]: Note.\n",
            "<b>x</b>\n\nText[^1].\n\n[^1]: Note.\n",
        ] {
            let out = to_html(body, &NoLinks, None, false, &Highlighter::default());
            assert!(out.contains("<a href=\"#note-1\">1</a>"), "{out}");
            assert!(out.contains("id=\"note-1\""), "{out}");
            assert!(!out.contains("trustbook-"), "no token left: {out}");
        }
        let out = to_html(
            "<b>x</b> [a](#1)\n",
            &NoLinks,
            None,
            false,
            &Highlighter::default(),
        );
        assert!(!out.contains("href"), "no note, no link: {out}");
    }

    /// The values of ` {name}="…"` in `html`.
    fn attribute_values(html: &str, name: &str) -> Vec<String> {
        let open = format!(" {name}=\"");
        html.match_indices(&open)
            .map(|(at, _)| {
                let rest = &html[at + open.len()..];
                rest[..rest.find('"').unwrap()].to_string()
            })
            .collect()
    }

    /// A note's id is not the layout's, a heading's, another note's or one with a space,
    /// with or without raw HTML, and its reference links to it.
    #[test]
    fn footnote_ids_are_apart_from_the_layouts_and_the_headings() {
        let body = "## Up\n\n## Note main\n\nA[^main] B[^up] C[^a b] D[^note-main].\n\n[^main]: M.\n[^up]: U.\n[^a b]: S.\n[^note-main]: N.\n";
        for extra in ["", "\n<b>raw</b>\n"] {
            let out = html(&format!("{body}{extra}"), false);
            let ids = attribute_values(&out, "id");
            let unique: HashSet<&String> = ids.iter().collect();
            assert_eq!(unique.len(), ids.len(), "an id twice: {ids:?}");
            for id in &ids {
                assert!(!id.contains(' ') && !id.is_empty() && id != "main", "{id}");
            }
            for href in attribute_values(&out, "href") {
                let href = href.trim_start_matches("TO/");
                let target = href
                    .strip_prefix('#')
                    .unwrap_or_else(|| panic!("{href} in {out}"));
                assert!(
                    ids.iter().any(|id| id == target),
                    "{href} leads nowhere: {out}"
                );
            }
            assert!(
                out.contains("id=\"note-main-1\"") && out.contains("id=\"up\""),
                "{out}"
            );
        }
        // Labels as Markdown matches them (case folded), and a label defined twice.
        let folded = "A[^A] B[^SS] C[^ss] D[^d].\n\n[^a]: a\n[^ß]: sharp\n[^d]: one\n[^d]: two\n";
        for extra in ["", "\n<b>raw</b>\n"] {
            let out = html(&format!("{folded}{extra}"), false);
            let ids = attribute_values(&out, "id");
            let unique: HashSet<&String> = ids.iter().collect();
            assert_eq!(unique.len(), ids.len(), "an id twice: {ids:?}");
            for href in attribute_values(&out, "href") {
                let target = href.strip_prefix('#').unwrap();
                assert!(
                    ids.iter().any(|id| id == target),
                    "{href} leads nowhere: {out}"
                );
            }
        }
    }

    #[test]
    fn markdown_and_raw_html_links_go_through_one_rule() {
        let out = html("[a](a.md) <a href=\"b.md\">b</a> ![i](i.png)\n", false);
        for rewritten in ["href=\"TO/a.md\"", "href=\"TO/b.md\"", "src=\"TO/i.png\""] {
            assert!(out.contains(rewritten), "{rewritten} not in {out}");
        }
    }

    #[test]
    fn scripts_and_comments_do_not_reach_the_public_site() {
        let out = html(
            "x <img src=x onerror=alert(1)> <!-- note -->\n\n<script>alert(2)</script>\n",
            false,
        );
        assert!(
            !out.contains("onerror") && !out.contains("<script") && !out.contains("note"),
            "{out}"
        );
        assert!(html("x <!-- note -->\n", true).contains("<!-- note -->"));
    }

    #[test]
    fn links_are_decided_the_same_with_or_without_raw_html() {
        for raw in ["", "\n\n<span>raw</span>\n"] {
            let out = html(
                &format!(
                    "[a](a.md) [j](javascript:alert(1)) [w](https://example.com/) ![i](i.png){raw}"
                ),
                false,
            );
            assert!(out.contains("href=\"TO/a.md\""), "{out}");
            assert!(out.contains("src=\"TO/i.png\""), "{out}");
            assert!(out.contains("href=\"https://example.com/\""), "{out}");
            assert!(!out.contains("javascript"), "{out}");
        }
        for raw in ["", "\n\n<span>raw</span>\n"] {
            let out = html(
                &format!(
                    "![far](https://elsewhere.example/i.png) [odd](https:javascript:alert(1)){raw}"
                ),
                false,
            );
            assert!(!out.contains("elsewhere.example"), "{out}");
            assert!(!out.contains("javascript"), "{out}");
        }
        assert!(crate::html::is_allowed_address("HTTPS://example.com"));
        assert!(!crate::html::is_allowed_address(" java\tscript:alert(1)"));
        assert!(!crate::html::is_allowed_address("data:text/html,x"));
    }

    #[test]
    fn a_page_has_one_h1() {
        let titled = |md: &str| to_html(md, &Keep, Some("Policy"), false, &Highlighter::default());
        let repeated = titled("# Policy\n\n## Scope\n");
        assert!(
            !repeated.contains("<h1") && repeated.contains("<h2 id=\"scope\""),
            "{repeated}"
        );
        let other = titled("# Something else\n\n## Scope\n");
        assert!(!other.contains("<h1"), "{other}");
        assert!(
            other.contains("<h2 id=\"something-else\"") && other.contains("<h3 id=\"scope\""),
            "{other}"
        );
    }

    #[test]
    fn markers_become_a_box_in_the_handbook() {
        let out = html("<!-- INTERNAL -->\n\nsecret\n\n<!-- /internal -->\n", true);
        assert!(out.contains("class=\"internal-block\""), "{out}");
    }
}
