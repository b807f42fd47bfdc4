//! What the checks need from a Markdown body, read in one pass: heading anchors, links, and
//! internal blocks (`<!-- internal -->` … `<!-- /internal -->`).

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use std::collections::HashSet;
use std::ops::Range;

pub const INTERNAL_OPEN: &str = "<!-- internal -->";
pub const INTERNAL_CLOSE: &str = "<!-- /internal -->";

/// The Markdown dialect of every document: GFM tables, footnotes, strikethrough, task lists,
/// and `{#id}` heading attributes.
pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
}

#[derive(Clone, Debug, Default)]
pub struct Outline {
    /// Anchor ids of the headings, unique within the document.
    pub anchors: HashSet<String>,
    pub links: Vec<Link>,
    /// Closed internal blocks, from the opening marker to the end of the closing one.
    pub internal_blocks: Vec<Range<usize>>,
    pub marker_errors: Vec<MarkerError>,
}

#[derive(Clone, Debug)]
pub struct Link {
    pub dest: String,
    /// Byte span of the whole link, relative to the body.
    pub span: Range<usize>,
    pub in_internal_block: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub enum MarkerError {
    Unclosed(Range<usize>),
    UnexpectedClose(Range<usize>),
    Nested(Range<usize>),
}

/// GitHub's heading anchors: lower case, spaces to dashes, punctuation dropped.
///
/// ```
/// assert_eq!(trustbook::load::outline::slugify("Data retention (EU)"), "data-retention-eu");
/// ```
pub fn slugify(text: &str) -> String {
    text.trim()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            '-' | '_' => Some(c),
            c if c.is_alphanumeric() => Some(c),
            _ => None,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// Makes `slug` unique among `taken` the way GitHub does: `a`, `a-1`, `a-2`.
pub fn unique_anchor(slug: String, taken: &mut HashSet<String>) -> String {
    let mut candidate = slug.clone();
    let mut n = 0;
    while !taken.insert(candidate.clone()) {
        n += 1;
        candidate = format!("{slug}-{n}");
    }
    candidate
}

pub fn outline(body: &str) -> Outline {
    let mut outline = Outline::default();
    let mut heading: Option<(String, Option<String>)> = None;
    let mut open_block: Option<usize> = None;
    for (event, range) in Parser::new_ext(body, options()).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { id, .. }) => {
                heading = Some((String::new(), id.map(|id| id.to_string())));
            }
            Event::Text(text) | Event::Code(text) => {
                if let Some((title, _)) = heading.as_mut() {
                    title.push_str(&text);
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((title, id)) = heading.take() {
                    let slug = id.unwrap_or_else(|| slugify(&title));
                    unique_anchor(slug, &mut outline.anchors);
                }
            }
            Event::Start(Tag::Link { ref dest_url, .. })
            | Event::Start(Tag::Image { ref dest_url, .. }) => {
                outline.links.push(Link {
                    dest: dest_url.to_string(),
                    span: range,
                    in_internal_block: open_block.is_some(),
                });
            }
            Event::Html(html) => match html.trim() {
                INTERNAL_OPEN => {
                    if open_block.is_some() {
                        outline.marker_errors.push(MarkerError::Nested(range));
                    } else {
                        open_block = Some(range.start);
                    }
                }
                INTERNAL_CLOSE => match open_block.take() {
                    Some(start) => outline.internal_blocks.push(start..range.end),
                    None => outline
                        .marker_errors
                        .push(MarkerError::UnexpectedClose(range)),
                },
                _ => {}
            },
            _ => {}
        }
    }
    if let Some(start) = open_block {
        let end = body[start..].find('\n').map_or(body.len(), |i| start + i);
        outline
            .marker_errors
            .push(MarkerError::Unclosed(start..end));
    }
    outline
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_are_github_style_and_unique() {
        let outline = outline("# Data Retention!\n## Data Retention\n### Custom {#kept}\n");
        let mut anchors: Vec<_> = outline.anchors.into_iter().collect();
        anchors.sort();
        assert_eq!(anchors, ["data-retention", "data-retention-1", "kept"]);
        assert_eq!(slugify("  Über `code` & more "), "über-code--more");
    }

    #[test]
    fn links_know_whether_they_are_internal() {
        let body = "[a](a.md)\n\n<!-- internal -->\n[b](b.md#x)\n<!-- /internal -->\n![i](../assets/i.png)\n";
        let outline = outline(body);
        let links: Vec<_> = outline
            .links
            .iter()
            .map(|l| (l.dest.as_str(), l.in_internal_block))
            .collect();
        assert_eq!(
            links,
            [
                ("a.md", false),
                ("b.md#x", true),
                ("../assets/i.png", false)
            ]
        );
        assert_eq!(&body[outline.links[1].span.clone()], "[b](b.md#x)");
        assert_eq!(outline.internal_blocks.len(), 1);
    }

    #[test]
    fn markers_in_code_blocks_are_text() {
        let outline = outline("```\n<!-- internal -->\n```\n");
        assert!(outline.marker_errors.is_empty());
        assert!(outline.internal_blocks.is_empty());
    }

    #[test]
    fn unclosed_stray_and_nested_markers_are_reported() {
        let body = "<!-- /internal -->\n\n<!-- internal -->\n\n<!-- internal -->\n";
        let errors = outline(body).marker_errors;
        assert!(matches!(errors[0], MarkerError::UnexpectedClose(_)));
        assert!(matches!(errors[1], MarkerError::Nested(_)));
        assert!(matches!(errors[2], MarkerError::Unclosed(_)));
    }
}
