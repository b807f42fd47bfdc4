//! Markdown to HTML for one audience, in named passes over pulldown-cmark's events:
//! heading ids (the same anchors `check` validated), links rewritten to page URLs (or
//! unlinked when the target is not on this site), code blocks highlighted, HTML comments
//! dropped, and internal blocks marked (internal site) — the public model has none left.

use super::highlight::Highlighter;
use crate::links::{Resolver, Target};
use crate::load::markers::{Marker, block_marker};
use crate::load::outline::{options, slugify, unique_anchor};
use crate::sources::FileId;
use pulldown_cmark::{CodeBlockKind, CowStr, Event, Parser, Tag, TagEnd};
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

/// What links resolve against, for one page of one site.
pub struct LinkContext<'a> {
    pub resolver: &'a Resolver<'a>,
    /// Page URL of every record published on this site, by id.
    pub urls: &'a HashMap<String, String>,
    /// The source file the Markdown came from: relative links start there.
    pub file: FileId,
    /// From this page to the site root: `../../` for `policies/x/index.html`.
    pub root: &'a str,
    /// The page's title, shown by the page itself.
    pub title: Option<&'a str>,
    /// Drop HTML comments (public site). The public model has none left; this is a second
    /// guard. The internal site keeps them, as the sources have them.
    pub drop_comments: bool,
}

pub struct Html {
    pub html: String,
    /// Asset files (paths under `content/`) this page links to or shows.
    pub assets: Vec<PathBuf>,
}

const INTERNAL_BLOCK_START: &str = "<div class=\"internal-block\" role=\"note\"><p class=\"internal-label\">Internal: not on the public site</p>\n";

pub fn to_html(markdown: &str, links: &LinkContext, highlighter: &Highlighter) -> Html {
    let mut out = Html {
        html: String::with_capacity(markdown.len() * 3 / 2),
        assets: Vec::new(),
    };
    let mut events: Vec<Event> = Vec::new();
    let mut anchors = HashSet::new();
    let mut heading: Option<(Option<String>, Vec<Event>)> = None;
    let mut code: Option<(String, String)> = None;
    // Whether each open link was kept, so its end matches its start.
    let mut open_links: Vec<bool> = Vec::new();
    let mut open_images: Vec<bool> = Vec::new();
    let mut in_comment = false;

    for event in Parser::new_ext(markdown, options()) {
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
        let event = match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(lang) => lang.to_string(),
                    CodeBlockKind::Indented => String::new(),
                };
                code = Some((lang, String::new()));
                continue;
            }
            // Pass: links and images point at pages and assets of this site.
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => match rewrite(&dest_url, links, &mut out) {
                Some(dest_url) => {
                    open_links.push(true);
                    Event::Start(Tag::Link {
                        link_type,
                        dest_url,
                        title,
                        id,
                    })
                }
                None => {
                    open_links.push(false);
                    continue;
                }
            },
            Event::End(TagEnd::Link) => {
                if open_links.pop() == Some(false) {
                    continue;
                }
                Event::End(TagEnd::Link)
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => match rewrite(&dest_url, links, &mut out) {
                Some(dest_url) => {
                    open_images.push(true);
                    Event::Start(Tag::Image {
                        link_type,
                        dest_url,
                        title,
                        id,
                    })
                }
                // Not on this site: show the alt text, and not the source path.
                None => {
                    open_images.push(false);
                    continue;
                }
            },
            Event::End(TagEnd::Image) => {
                if open_images.pop() == Some(false) {
                    continue;
                }
                Event::End(TagEnd::Image)
            }
            // Pass: raw HTML without comments; internal-block markers become a marked box.
            Event::Html(html) | Event::InlineHtml(html) => match block_marker(&html) {
                Some(Marker::Open) => Event::Html(INTERNAL_BLOCK_START.into()),
                Some(Marker::Close) => Event::Html("</div>\n".into()),
                _ if !links.drop_comments => Event::Html(safe_html(html.to_string()).into()),
                _ => {
                    let kept = without_comments(&html, &mut in_comment);
                    if kept.trim().is_empty() {
                        continue;
                    }
                    Event::Html(safe_html(kept).into())
                }
            },
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
                let anchor = escape_attr(&unique_anchor(
                    custom.unwrap_or_else(|| slugify(&text)),
                    &mut anchors,
                ));
                // A body that opens by repeating the page title as `# Title` would show it
                // twice under the page's own heading: keep only its anchor.
                let repeats_title = events.is_empty()
                    && level == pulldown_cmark::HeadingLevel::H1
                    && links
                        .title
                        .is_some_and(|t| t.trim().eq_ignore_ascii_case(text.trim()));
                if repeats_title {
                    events.push(Event::Html(
                        format!("<span id=\"{anchor}\"></span>\n").into(),
                    ));
                    continue;
                }
                events.push(Event::Html(format!("<{level} id=\"{anchor}\">").into()));
                events.extend(buffer);
                events.push(Event::Html(
                    format!(" <a class=\"anchor\" href=\"#{anchor}\" aria-label=\"Link to this section\">#</a></{level}>\n").into(),
                ));
            }
            event => match heading.as_mut() {
                Some((_, buffer)) => buffer.push(event),
                None => events.push(event),
            },
        }
    }
    pulldown_cmark::html::push_html(&mut out.html, events.into_iter());
    out
}

fn escape_attr(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The link's new destination on this site, or `None` to drop the link and keep its text.
fn rewrite<'a>(dest: &str, links: &LinkContext, out: &mut Html) -> Option<CowStr<'a>> {
    if dest.starts_with('#') {
        return Some(dest.to_string().into());
    }
    let resolved = match links.resolver.resolve(links.file, dest) {
        Ok(Some(resolved)) => resolved,
        Ok(None) => return Some(dest.to_string().into()),
        Err(_) => return None,
    };
    let fragment = if resolved.anchor.is_empty() {
        String::new()
    } else {
        format!("#{}", resolved.anchor)
    };
    match resolved.target {
        Target::Record(id) => {
            let url = links.urls.get(id)?;
            Some(format!("{}{url}index.html{fragment}", links.root).into())
        }
        Target::Asset(path) => {
            let url = path.to_string_lossy().replace('\\', "/");
            out.assets.push(path);
            Some(format!("{}{url}", links.root).into())
        }
        Target::Unloaded => None,
    }
}

/// `html` without HTML comments; `in_comment` carries an open comment to the next event.
fn without_comments(html: &str, in_comment: &mut bool) -> String {
    let mut kept = String::new();
    let mut rest = html;
    loop {
        if *in_comment {
            match rest.find("-->") {
                Some(i) => {
                    rest = &rest[i + 3..];
                    *in_comment = false;
                }
                None => return kept,
            }
        } else {
            match rest.find("<!--") {
                Some(i) => {
                    kept.push_str(&rest[..i]);
                    rest = &rest[i + 4..];
                    *in_comment = true;
                }
                None => {
                    kept.push_str(rest);
                    return kept;
                }
            }
        }
    }
}

/// Raw HTML is the authors' to use, but no page may carry an inline script: such HTML is
/// shown as text instead.
fn safe_html(html: String) -> String {
    let lower = html.to_ascii_lowercase();
    let scripted =
        lower.contains("<script") || lower.contains("javascript:") || has_event_handler(&lower);
    if scripted { escape_attr(&html) } else { html }
}

/// An attribute such as ` onclick=` or ` onload =`.
fn has_event_handler(lower: &str) -> bool {
    lower.match_indices(" on").any(|(i, _)| {
        let rest = &lower[i + 3..];
        let name_len = rest.chars().take_while(char::is_ascii_alphabetic).count();
        name_len > 0 && rest[name_len..].trim_start().starts_with('=')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_are_dropped_across_events() {
        let mut open = false;
        assert_eq!(without_comments("a <!-- b", &mut open), "a ");
        assert!(open);
        assert_eq!(without_comments("c --> d", &mut open), " d");
        assert!(!open);
    }

    #[test]
    fn scripts_in_raw_html_are_shown_as_text() {
        assert_eq!(safe_html("<b>ok</b>".into()), "<b>ok</b>");
        assert!(safe_html("<script>x()</script>".into()).starts_with("&lt;script"));
        assert!(safe_html("<img src=x onerror =alert(1)>".into()).starts_with("&lt;img"));
        assert_eq!(safe_html("<p class=\"one\">".into()), "<p class=\"one\">");
    }
}
