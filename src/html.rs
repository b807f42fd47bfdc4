//! Every byte of HTML a Markdown body produces goes through one allow-list sanitiser
//! (ammonia) before it reaches a page, on both sites: raw HTML included, so no script,
//! event handler, `javascript:` URL, `srcdoc`, frame or object survives, however it is
//! spelt. A parser decides what is a tag, not a pattern: tab-separated attributes and
//! entity-encoded URLs are read as a browser reads them.
//!
//! The same pass rewrites every relative `href` and `src`, Markdown's and raw HTML's
//! alike, so a link is checked and rewritten by one rule whichever way it was written.

use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};

/// URL schemes a page may link to; anything else (`javascript:`, `data:`, `vbscript:`,
/// `file:`) loses its attribute.
const SCHEMES: [&str; 4] = ["http", "https", "mailto", "tel"];

/// What the pages may use beyond ammonia's default tags and attributes: the classes and
/// ids of highlighted code, heading anchors, footnotes and the internal-block box; task
/// list checkboxes; table alignment.
/// The ids of a body's own headings, which raw HTML may not take, and the token they
/// carry through the sanitiser (`id="{token}{id}"`) to be told from raw HTML's: random
/// for each body, so no source can write it.
pub struct OwnIds {
    pub token: String,
    pub ids: HashSet<String>,
}

impl OwnIds {
    /// The token that marks a link's or image's `title` until its address is decided.
    fn title_token(&self) -> String {
        format!("{}title-", self.token)
    }

    pub fn new(ids: HashSet<String>) -> OwnIds {
        use std::hash::{BuildHasher, Hasher};
        let random = std::collections::hash_map::RandomState::new()
            .build_hasher()
            .finish();
        OwnIds {
            token: format!("trustbook-{random:016x}-"),
            ids,
        }
    }
}

/// An id of raw HTML is dropped when it is empty or has a space, is one of the layout's
/// or a heading's (`own`), or was met before in the body: no page has an id twice, and a
/// link to a heading lands on it. (A builder cleans one body.)
/// `elsewhere`, when given, is told each `src` dropped because it would load from another
/// host, which is then replaced by a token (`elsewhere_token`) rather than dropped.
fn builder<'a>(
    keep_comments: bool,
    own: &OwnIds,
    elsewhere: Option<Arc<Mutex<Vec<String>>>>,
) -> ammonia::Builder<'a> {
    let seen: Arc<Mutex<HashSet<String>>> = Default::default();
    let (token, own_ids) = (own.token.clone(), own.ids.clone());
    let title_token = own.title_token();
    let mut schemes = HashSet::from(SCHEMES);
    if elsewhere.is_some() {
        // Read, not published: a `data:` image is let through to be told of (pages drop
        // it, as they drop a Markdown image's).
        schemes.insert("data");
    }
    let mut builder = ammonia::Builder::default();
    builder
        .strip_comments(!keep_comments)
        .url_schemes(schemes)
        .add_generic_attributes(["id", "class", "role", "aria-label", "aria-hidden"])
        // A quotation's source is read by no one and checked by no link rule: it could
        // name an internal file on the public page.
        .rm_tag_attributes("blockquote", ["cite"])
        .rm_tag_attributes("q", ["cite"])
        .rm_tag_attributes("del", ["cite"])
        .rm_tag_attributes("ins", ["cite"])
        .add_tags(["input"])
        .add_tag_attributes("input", ["checked", "disabled"])
        .set_tag_attribute_value("input", "type", "checkbox")
        .add_tag_attributes("th", ["style"])
        .add_tag_attributes("td", ["style"])
        .filter_style_properties(HashSet::from(["text-align"]))
        // Only our own links: rel is added where a page needs it, not to every anchor.
        .link_rel(None)
        .attribute_filter(move |element, attribute, value| match attribute {
            // Marked, to be dropped after the URLs are decided if the link or image lost
            // its address (`settle_titles`).
            "title" if matches!(element, "a" | "img") => {
                Some(format!("{title_token}{value}").into())
            }
            "src" if loads_from_elsewhere(value) => {
                // Told with a token in its place: ammonia filters the attributes of tags
                // it then removes (`<video src>`), and only a kept tag's source counts.
                let mut dropped = elsewhere.as_ref()?.lock().ok()?;
                dropped.push(value.to_string());
                Some(elsewhere_token(dropped.len() - 1).into())
            }
            "id" => {
                if let Some(heading) = value.strip_prefix(&token) {
                    return Some(heading.to_string().into());
                }
                let allowed = !value.is_empty()
                    && !value.contains(|c: char| c.is_ascii_whitespace())
                    && !crate::load::outline::LAYOUT_IDS.contains(&value)
                    && !own_ids.contains(value);
                let first = allowed
                    && seen
                        .lock()
                        .is_ok_and(|mut seen| seen.insert(value.to_string()));
                first.then(|| value.into())
            }
            _ => Some(value.into()),
        });
    builder
}

/// Whether an absolute address (`https://…`, `//host/…`) may be a link: what a browser
/// would read as its scheme (it ignores tabs, newlines and leading spaces) is allowed.
pub fn is_allowed_address(url: &str) -> bool {
    let read: String = url
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect::<String>()
        .trim_start_matches(|c: char| c <= ' ')
        .to_ascii_lowercase();
    if read.starts_with("//") {
        return true;
    }
    match read.split_once(':') {
        // A web address names its host: `https:javascript:…` or `https:\\x` is no link.
        Some(("http" | "https", rest)) => rest.starts_with("//"),
        Some((scheme, _)) => SCHEMES.contains(&scheme),
        None => false,
    }
}

/// Absolute, with a scheme pages may use: ammonia then neither rewrites it as a relative
/// URL nor drops it.
fn elsewhere_token(n: usize) -> String {
    format!("https://trustbook-elsewhere-{n}.invalid/")
}

/// Whether a `src` would load from another host: pages load nothing from elsewhere.
fn loads_from_elsewhere(url: &str) -> bool {
    let read = url.trim_start().to_ascii_lowercase();
    read.starts_with("//") || read.split_once(':').is_some_and(|(s, _)| !s.contains('/'))
}

/// Text made safe inside an HTML attribute or element.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// `html` made safe. `link` maps each relative URL (as written, percent escapes intact) to
/// where it leads on this site, or `None` to drop the attribute (a link keeps its text).
/// Comments are kept only for the handbook.
pub fn clean(
    html: &str,
    keep_comments: bool,
    link: &(dyn Fn(&str) -> Option<String> + Sync),
    own: &OwnIds,
) -> String {
    clean_telling(html, keep_comments, link, own, None)
}

/// `clean`, telling `elsewhere` of each `src` it drops as loading from another host.
fn clean_telling(
    html: &str,
    keep_comments: bool,
    link: &(dyn Fn(&str) -> Option<String> + Sync),
    own: &OwnIds,
    elsewhere: Option<Arc<Mutex<Vec<String>>>>,
) -> String {
    let mut builder = builder(keep_comments, own, elsewhere);
    builder.url_relative(ammonia::UrlRelative::Custom(Box::new(Evaluate(link))));
    let mut clean = settle_titles(builder.clean(html).to_string(), &own.title_token());
    // Table alignment as classes: the Content-Security-Policy allows no inline styles.
    if clean.contains(" style=\"text-align:") {
        for side in ["left", "center", "right"] {
            clean = clean.replace(
                &format!(" style=\"text-align:{side}\""),
                &format!(" class=\"align-{side}\""),
            );
        }
    }
    clean
}

/// A link's or image's `title` (marked with `token`) kept only where its address is: the
/// page shows the text of a link it dropped (to an unpublished page, say) and nothing
/// that described where it led, as a Markdown link's title goes with its tag.
fn settle_titles(html: String, token: &str) -> String {
    let marker = format!(" title=\"{token}");
    if !html.contains(&marker) {
        return html;
    }
    let mut settled = String::with_capacity(html.len());
    let mut rest = html.as_str();
    while let Some(at) = rest.find(&marker) {
        let value_start = at + marker.len();
        // The serializer escapes `"` in a value, so the next one closes it; `<` and `>`
        // it does not, so a value holding them only narrows the tag looked at, which
        // drops a title rather than keeping one.
        let value_end = rest[value_start..]
            .find('"')
            .map_or(rest.len(), |end| value_start + end);
        let tag_start = rest[..at].rfind('<').unwrap_or(0);
        let tag_end = rest[value_end..]
            .find('>')
            .map_or(rest.len(), |end| value_end + end);
        let tag = &rest[tag_start..tag_end];
        let has_address = tag.contains(" href=\"") || tag.contains(" src=\"");
        settled.push_str(&rest[..at]);
        if has_address {
            settled.push_str(" title=\"");
            settled.push_str(&rest[value_start..(value_end + 1).min(rest.len())]);
        }
        rest = &rest[(value_end + 1).min(rest.len())..];
    }
    settled.push_str(rest);
    settled
}

struct Evaluate<'a>(&'a (dyn Fn(&str) -> Option<String> + Sync));

impl<'a> ammonia::UrlRelativeEvaluate<'a> for Evaluate<'a> {
    fn evaluate<'url>(&self, url: &'url str) -> Option<Cow<'url, str>> {
        (self.0)(url).map(Cow::Owned)
    }
}

/// The URLs a piece of raw HTML names that `check` reads.
#[derive(Debug, Default, PartialEq)]
pub struct RawUrls {
    /// The relative URLs `clean` keeps: what a checker must resolve so that `check` and
    /// the pages agree.
    pub relative: Vec<String>,
    /// The `src` of kept tags that `clean` drops because they would load from another
    /// host (`<img src="https://…">`): the page shows the tag without it, which its
    /// author should be told.
    pub elsewhere: Vec<String>,
}

/// The URLs of a piece of raw HTML (`RawUrls`). ammonia hands `link` the URLs of tags it
/// then removes (`<script src>`, `<video poster>`): each is given a token, and only those
/// whose token is in the cleaned HTML count, so that no file is published for a tag no
/// page shows.
pub fn raw_urls(html: &str) -> RawUrls {
    let token = |n: usize| format!("trustbook-url-{n}-kept");
    let found = Mutex::new(Vec::new());
    let record = |url: &str| {
        let mut found = found.lock().ok()?;
        found.push(url.to_string());
        Some(token(found.len() - 1))
    };
    let elsewhere = Arc::new(Mutex::new(Vec::new()));
    let own = OwnIds::new(HashSet::new());
    let cleaned = clean_telling(html, false, &record, &own, Some(elsewhere.clone()));
    let found = found.into_inner().unwrap_or_default();
    let relative = (found.into_iter().enumerate())
        .filter(|(n, _)| cleaned.contains(&token(*n)))
        .map(|(_, url)| url)
        .collect();
    let elsewhere = (elsewhere.lock().map(|e| e.clone()).unwrap_or_default())
        .into_iter()
        .enumerate()
        .filter(|(n, _)| cleaned.contains(&elsewhere_token(*n)))
        .map(|(_, url)| url)
        .collect();
    RawUrls {
        relative,
        elsewhere,
    }
}

/// The ids `html` keeps through the sanitiser, read from the tags of the cleaned HTML (an
/// attribute's value has its quotes escaped, so a tag ends at the first `>` outside one).
pub fn kept_ids(html: &str) -> Vec<String> {
    let cleaned = clean(html, false, &|_| None, &OwnIds::new(HashSet::new()));
    let mut ids = Vec::new();
    let mut rest = cleaned.as_str();
    while let Some(open) = rest.find('<') {
        let tag_and_after = &rest[open..];
        let mut quoted = false;
        let end = tag_and_after
            .char_indices()
            .find(|&(_, c)| {
                if c == '"' {
                    quoted = !quoted;
                }
                c == '>' && !quoted
            })
            .map_or(tag_and_after.len(), |(i, _)| i);
        let tag = &tag_and_after[..end];
        if let Some(at) = tag.find(" id=\"") {
            let value = &tag[at + 5..];
            let value = &value[..value.find('"').unwrap_or(value.len())];
            // Escaped characters would need unescaping to match a link's fragment: rare,
            // and left out (a link to one is reported, not trusted).
            if !value.contains('&') {
                ids.push(value.to_string());
            }
        }
        rest = &tag_and_after[end..];
    }
    ids
}

#[cfg(test)]
mod tests {
    use super::*;

    fn none() -> OwnIds {
        OwnIds::new(HashSet::new())
    }

    fn public(html: &str) -> String {
        clean(
            html,
            false,
            &|url| Some(format!("REWRITTEN/{url}")),
            &OwnIds::new(HashSet::new()),
        )
    }

    /// Raw HTML cannot give a page an id twice, an empty one or one with a space, nor
    /// take a layout's id or a heading's, even before the heading: the attribute is
    /// dropped (the element stays); a heading's own id passes with its token.
    #[test]
    fn raw_html_ids_never_repeat_nor_take_a_headings() {
        let own = OwnIds::new(HashSet::from(["notes".to_string()]));
        let html = format!(
            "<a id=\"notes\"></a><h2 id=\"{}notes\">Notes</h2><span id=\"x\">a</span>\
             <span id=\"x\">b</span><div id=\"main\">c</div><p id=\"search-input\">d</p>\
             <i id=\"\">e</i><i id=\" \">f</i><i id=\"a b\">g</i><b id=\"own\">h</b>",
            own.token
        );
        let out = clean(&html, false, &|u| Some(u.to_string()), &own);
        assert!(out.contains("<h2 id=\"notes\">Notes</h2>"), "{out}");
        assert!(
            out.starts_with("<a></a>"),
            "the raw anchor loses the heading's id: {out}"
        );
        assert_eq!(out.matches("id=\"x\"").count(), 1, "{out}");
        for gone in [
            "id=\"main\"",
            "id=\"search-input\"",
            "id=\"\"",
            "id=\" \"",
            "id=\"a b\"",
        ] {
            assert!(!out.contains(gone), "{gone} in {out}");
        }
        assert!(!out.contains(&own.token), "{out}");
        assert!(
            out.contains("<b id=\"own\">h</b>") && out.contains("<div>c</div>"),
            "{out}"
        );
    }

    #[test]
    fn scripts_handlers_and_bad_urls_do_not_survive() {
        for attack in [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "<img src=x\tonerror=alert(1)>",
            "<img src=x\nonerror\n=\nalert(1)>",
            "<a href=\"&#106;avascript:alert(1)\">x</a>",
            "<a href=\"java\tscript:alert(1)\">x</a>",
            "<a href=\"JaVaScRiPt:alert(1)\">x</a>",
            "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
            "<svg onload=alert(1)>",
            "<object data=x></object><embed src=x>",
            "<base href=\"https://evil.example/\">",
            "<meta http-equiv=\"refresh\" content=\"0;url=https://evil.example\">",
            "<form action=\"javascript:alert(1)\"><button>x</button></form>",
            "<a href=\"data:text/html;base64,PHNjcmlwdD4=\">x</a>",
            "<scr<script>ipt>alert(1)</script>",
            "<style>body{background:url(javascript:alert(1))}</style>",
            "<div style=\"background:url(javascript:alert(1))\">x</div>",
        ] {
            let out = public(attack).to_lowercase();
            for bad in [
                "<script",
                "onerror",
                "onload",
                "javascript:",
                "srcdoc",
                "<iframe",
                "<object",
                "<embed",
                "<base",
                "<meta",
                "data:text",
                "<style",
                "background",
            ] {
                assert!(!out.contains(bad), "{attack} -> {out}");
            }
        }
    }

    /// A dropped link's title described where it led: it goes with the address, however
    /// the attributes are ordered or their values spelt; a kept link keeps its title.
    #[test]
    fn a_dropped_link_loses_its_title() {
        let internal = |url: &str| (!url.contains("secret")).then(|| format!("R/{url}"));
        let own = none();
        for (html, kept) in [
            (
                "<a href=\"secret.md\" title=\"Leeds closure\">our plans</a>",
                false,
            ),
            (
                "<a title='Leeds closure' href=secret.md>our plans</a>",
                false,
            ),
            (
                "<a\ttitle=\"Leeds closure\"\nhref=\"secret.md\">x</a>",
                false,
            ),
            (
                "<a href=\"javascript:alert(1)\" title=\"Leeds closure\">x</a>",
                false,
            ),
            ("<a title=\"Leeds closure\">x</a>", false),
            (
                "<a class=\"a>b\" title=\"Leeds closure\" href=\"secret.md\">x</a>",
                false,
            ),
            (
                "<a title=\"x&quot; href=&quot;y Leeds closure\" href=\"secret.md\">x</a>",
                false,
            ),
            (
                "<img src=\"secret.png\" title=\"Leeds closure\" alt=\"a\">",
                false,
            ),
            ("<a href=\"public.md\" title=\"Leeds closure\">x</a>", true),
            ("<img title=\"Leeds closure\" src=\"public.png\">", true),
            ("<abbr title=\"Leeds closure\">LC</abbr>", true),
            // No attribute but `href` and `src` names another page or file.
            (
                "<blockquote cite=\"secret/Leeds closure\">q</blockquote>",
                false,
            ),
            ("<q cite=\"../secret/Leeds closure.md\">q</q>", false),
            (
                "<del cite=\"Leeds closure\">d</del><ins cite=\"Leeds closure\">i</ins>",
                false,
            ),
        ] {
            let out = clean(html, false, &internal, &own);
            assert_eq!(out.contains("Leeds closure"), kept, "{html} -> {out}");
            assert!(!out.contains(&own.token), "{html} -> {out}");
        }
        let both = clean(
            "<a href=\"secret.md\" title=\"one\">a</a><a href=\"ok.md\" title=\"two\">b</a>",
            false,
            &internal,
            &own,
        );
        assert_eq!(both, "<a>a</a><a href=\"R/ok.md\" title=\"two\">b</a>");
    }

    #[test]
    fn comments_cdata_and_declarations_leave_the_public_site() {
        let out = public("a<!-- secret --><![CDATA[secret]]><?php secret ?><!DOCTYPE secret>b");
        assert!(!out.contains("secret"), "{out}");
        let kept = clean("a<!-- note -->b", true, &|u| Some(u.to_string()), &none());
        assert!(kept.contains("<!-- note -->"));
    }

    #[test]
    fn relative_links_are_rewritten_and_others_kept() {
        let out = public(
            "<a href=\"other.md\">o</a> <img src=\"../assets/a.png\" alt=\"a\"> <a href=\"https://example.com/\">e</a>",
        );
        assert!(out.contains("href=\"REWRITTEN/other.md\""), "{out}");
        assert!(out.contains("src=\"REWRITTEN/../assets/a.png\""), "{out}");
        assert!(out.contains("href=\"https://example.com/\""), "{out}");
        let dropped = clean("<a href=\"x.md\">text</a>", false, &|_| None, &none());
        assert_eq!(dropped, "<a>text</a>");
        assert_eq!(
            raw_urls("<p><a\thref='a.md#x'>a</a><img src=b.png></p>").relative,
            ["a.md#x", "b.png"]
        );
        // The URLs of tags the sanitiser removes lead nowhere: no page shows them.
        let removed = "<script src=s.png></script><video poster=v.png></video><object data=o.png></object><iframe src=i.png></iframe><img src=kept.png>";
        assert_eq!(raw_urls(removed).relative, ["kept.png"]);
    }

    #[test]
    fn sources_on_other_hosts_are_dropped_and_told() {
        let html = "<img src=\"https://t.example/p.gif\" alt=\"x\"><IMG\tSRC=//cdn.example/a.png><img src=\"data:image/png;base64,AA\"><a href=\"https://example.com/\">e</a><img src=ok.png><script src=\"https://s.example/x.js\"></script><video src=\"https://v.example/a.mp4\"></video>";
        let urls = raw_urls(html);
        assert_eq!(
            urls.elsewhere,
            [
                "https://t.example/p.gif",
                "//cdn.example/a.png",
                "data:image/png;base64,AA"
            ]
        );
        assert_eq!(urls.relative, ["ok.png"]);
        let out = public(html);
        assert!(!out.contains("example/"), "{out}");
        assert!(out.contains("<img alt=\"x\">"), "{out}");
    }

    #[test]
    fn what_markdown_makes_is_kept() {
        let html = "<h2 id=\"a\">A <a class=\"anchor\" href=\"#a\" aria-label=\"Link\">#</a></h2>\n<table><thead><tr><th style=\"text-align: right\">n</th></tr></thead></table>\n<ul><li><input disabled=\"\" type=\"checkbox\" checked=\"\"> done</li></ul>\n<pre class=\"code\"><code><span class=\"k\">fn</span></code></pre>";
        let out = clean(html, false, &|u| Some(u.to_string()), &none());
        for kept in [
            "id=\"a\"",
            "class=\"anchor\"",
            "href=\"#a\"",
            "<th class=\"align-right\">",
            "type=\"checkbox\"",
            "<span class=\"k\">",
        ] {
            assert!(out.contains(kept), "{kept} missing from {out}");
        }
    }
}
