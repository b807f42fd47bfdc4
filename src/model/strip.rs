//! Removing what the public may not read from a Markdown body, at the source: internal
//! blocks and HTML comments. The public model holds only the result, so no later stage can
//! print what was removed.

use crate::load::outline::options;
use pulldown_cmark::{Event, Parser, Tag, TagEnd};
use std::ops::Range;

/// The byte ranges of every HTML comment that Markdown treats as HTML (not those shown as
/// text in code), including one that spans several lines of an HTML block.
pub fn comment_ranges(body: &str) -> Vec<Range<usize>> {
    // Every comment starts with `<!--`: a body without one needs no Markdown parse.
    if !body.contains("<!--") {
        return Vec::new();
    }
    let mut ranges = Vec::new();
    let mut open: Option<usize> = None;
    for (event, range) in Parser::new_ext(body, options()).into_offset_iter() {
        if !matches!(event, Event::Html(_) | Event::InlineHtml(_)) {
            continue;
        }
        let mut at = range.start;
        while at < range.end {
            let rest = &body[at..range.end];
            match open {
                None => match rest.find("<!--") {
                    Some(i) => {
                        open = Some(at + i);
                        at += i + 4;
                    }
                    None => break,
                },
                Some(start) => match rest.find("-->") {
                    Some(i) => {
                        ranges.push(start..at + i + 3);
                        open = None;
                        at += i + 3;
                    }
                    None => break,
                },
            }
        }
    }
    // A comment never closed hides the rest of the document in a browser: remove it all.
    if let Some(start) = open {
        ranges.push(start..body.len());
    }
    ranges
}

/// `body` without the given ranges (which may overlap).
pub fn without(body: &str, mut ranges: Vec<Range<usize>>) -> String {
    ranges.sort_by_key(|r| r.start);
    let mut out = String::with_capacity(body.len());
    let mut at = 0;
    for range in ranges {
        if range.start > at {
            out.push_str(&body[at..range.start]);
        }
        at = at.max(range.end);
    }
    out.push_str(&body[at.min(body.len())..]);
    out
}

/// The public text of a body: internal blocks (closed ones; `check` refuses unclosed ones)
/// and every HTML comment removed.
pub fn public_body(body: &str, internal_blocks: &[Range<usize>]) -> String {
    // A block goes with the indent (or quote marks) of its opening line: left behind, they
    // would run into the next line (`- one` then `  - two`, a list nested in the item
    // above; `> ` then `>`, a quote nested in the quote).
    let widened = (internal_blocks.iter())
        .map(|block| {
            let line_start = body[..block.start].rfind('\n').map_or(0, |i| i + 1);
            let indent = &body[line_start..block.start];
            match indent.chars().all(|c| matches!(c, ' ' | '\t' | '>')) {
                true => line_start..block.end,
                false => block.clone(),
            }
        })
        .collect();
    let without_blocks = without(body, widened);
    let comments = comment_ranges(&without_blocks);
    without(&without_blocks, comments)
}

/// Where removing the internal blocks of `body` lays the public text out differently from
/// the handbook's: the offset in `body` of the first internal block whose removal changed
/// the paragraphs, headings, lists or rules around it. Removed without a blank line around
/// it, a block can join its neighbours: `Retention` above a marker and `---` below it
/// become a heading, two paragraphs become one. The words would be the same; the page
/// would not say the same thing in the same shape.
/// Comments are removed from both sides before they are compared: what an internal block
/// does is judged apart from what removing a comment does inside raw HTML.
pub fn layout_change(body: &str, internal_blocks: &[Range<usize>]) -> Option<LayoutChange> {
    if internal_blocks.is_empty() {
        return None;
    }
    // The markers are comments too, and go with their blocks.
    let inside =
        |c: &Range<usize>| (internal_blocks.iter()).any(|b| b.start <= c.start && c.end <= b.end);
    let comments: Vec<Range<usize>> = (comment_ranges(body).into_iter())
        .filter(|c| !inside(c))
        .collect();
    let handbook_text = without(body, comments.clone());
    // Where an offset of `body` is in the text without comments.
    let kept = |at: usize| {
        let gone: usize = (comments.iter())
            .filter(|c| c.start < at)
            .map(|c| c.end.min(at) - c.start)
            .sum();
        at - gone
    };
    let blocks: Vec<Range<usize>> = (internal_blocks.iter())
        .map(|b| kept(b.start)..kept(b.end))
        .collect();
    let handbook: Vec<(Shape, usize)> = joined(
        shapes(&handbook_text)
            .filter(|(shape, at)| !is_removed(shape, &handbook_text, at, &blocks))
            .map(|(shape, at)| (shape, at.start)),
    );
    if let Some(named) = note_defined_in_and_out(&handbook_text, &blocks) {
        return Some(LayoutChange {
            at: internal_blocks[named].start,
            definition: true,
        });
    }
    let public = public_body(body, internal_blocks);
    let published: Vec<Shape> = joined(shapes(&public).map(|(shape, at)| (shape, at.start)))
        .into_iter()
        .map(|(shape, _)| shape)
        .collect();
    let differs = (handbook.iter().map(|(shape, _)| shape))
        .zip(&published)
        .position(|(a, b)| a != b)
        .or_else(|| {
            (handbook.len() != published.len()).then(|| handbook.len().min(published.len()))
        })?;
    // Named by the block nearest after the last shape both agree on (the one that joined
    // what was before it to what follows), else the last block.
    let before = handbook[..differs].last().map_or(0, |(_, at)| *at);
    let named = (blocks.iter().position(|b| b.start >= before)).unwrap_or(blocks.len() - 1);
    let is_reference = |shape: Option<&Shape>| matches!(shape, Some(Shape::Note | Shape::Link(_)));
    Some(LayoutChange {
        at: internal_blocks[named].start,
        definition: is_reference(handbook.get(differs).map(|(shape, _)| shape))
            || is_reference(published.get(differs)),
    })
}

/// The block (by index into `blocks`) that defines a footnote also defined outside every
/// block: the handbook's reference shows the first definition, the public page the other.
fn note_defined_in_and_out(text: &str, blocks: &[Range<usize>]) -> Option<usize> {
    let mut inside: Vec<(crate::load::outline::NoteLabel, usize)> = Vec::new();
    let mut outside = crate::hash::HashSet::default();
    for (event, at) in Parser::new_ext(text, options()).into_offset_iter() {
        if let Event::Start(Tag::FootnoteDefinition(label)) = event {
            let label = crate::load::outline::NoteLabel::new(label.to_string());
            match blocks
                .iter()
                .position(|b| b.start <= at.start && at.start < b.end)
            {
                Some(block) => inside.push((label, block)),
                None => {
                    outside.insert(label);
                }
            }
        }
    }
    (inside.into_iter()).find_map(|(label, block)| outside.contains(&label).then_some(block))
}

/// Where removing an internal block changes the public page's layout, and how.
#[derive(Debug, PartialEq, Eq)]
pub struct LayoutChange {
    /// The block's offset in the body.
    pub at: usize,
    /// A link, image or footnote outside the block is defined inside it: the public page
    /// would show its brackets as text. Otherwise the text around the block is joined.
    pub definition: bool,
}

/// A block's start or end, as a reader sees the page's layout: paragraphs, headings
/// (with their level), lists (ordered or not), items, quotes, code, tables, HTML blocks
/// and rules; line breaks (a tight list item's lines joined show only as one more); and
/// links, images and footnote references (one whose definition was removed shows as its
/// brackets). Text and its formatting are left out.
#[derive(PartialEq, Eq, Debug)]
enum Shape {
    Start(TagEnd),
    End(TagEnd),
    Rule,
    Break,
    Note,
    /// A link or image, with where it leads: a definition inside a block can shadow a
    /// later one of the same name (`[x]: …` defined twice, the first wins).
    Link(String),
}

fn is_shown(tag: &TagEnd) -> bool {
    !matches!(
        tag,
        TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Superscript
            | TagEnd::Subscript
    )
}

fn shapes(text: &str) -> impl Iterator<Item = (Shape, Range<usize>)> + '_ {
    Parser::new_ext(text, options())
        .into_offset_iter()
        .filter_map(|(event, at)| match event {
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => {
                Some((Shape::Link(dest_url.to_string()), at))
            }
            Event::Start(tag) => Some(tag.to_end())
                .filter(is_shown)
                .map(|t| (Shape::Start(t), at)),
            Event::End(tag) => Some(tag).filter(is_shown).map(|t| (Shape::End(t), at)),
            Event::Rule => Some((Shape::Rule, at)),
            Event::SoftBreak | Event::HardBreak => Some((Shape::Break, at)),
            Event::FootnoteReference(_) => Some((Shape::Note, at)),
            _ => None,
        })
}

/// Whether a shape of `text` at `at` is of what was removed: inside `removed` but for
/// whitespace (a block's range runs to its line's end); a line break by where it is, as it
/// is whitespace itself.
fn is_removed(shape: &Shape, text: &str, at: &Range<usize>, removed: &[Range<usize>]) -> bool {
    match shape {
        Shape::Break => removed
            .iter()
            .any(|r| r.start <= at.start && at.start < r.end),
        _ => only_removed(text, at, removed),
    }
}

/// `shapes` with HTML blocks that follow one another as one: a comment's line left blank
/// splits an HTML block in two, which the browser reads as it read the one.
fn joined(shapes: impl Iterator<Item = (Shape, usize)>) -> Vec<(Shape, usize)> {
    let mut out: Vec<(Shape, usize)> = Vec::new();
    for (shape, at) in shapes {
        let html_again = shape == Shape::Start(TagEnd::HtmlBlock)
            && matches!(out.last(), Some((Shape::End(TagEnd::HtmlBlock), _)));
        if html_again {
            out.pop();
        } else {
            out.push((shape, at));
        }
    }
    out
}

/// Whether every byte of `text[at]` but whitespace lies in one of `removed` (sorted).
fn only_removed(text: &str, at: &Range<usize>, removed: &[Range<usize>]) -> bool {
    let mut from = at.start;
    for range in removed
        .iter()
        .filter(|r| r.end > at.start && r.start < at.end)
    {
        if !text[from..range.start.max(from)].trim().is_empty() {
            return false;
        }
        from = from.max(range.end);
    }
    from >= at.end || text[from..at.end].trim().is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::outline::outline;

    fn public(body: &str) -> String {
        public_body(body, &outline(body).internal_blocks)
    }

    #[test]
    fn internal_blocks_and_comments_are_removed() {
        let body = "A\n\n<!-- internal -->\nSECRET\n<!-- /internal -->\n\nB <!-- hidden --> C\n\n<!--\nmulti\nline\n-->\n\nD\n";
        let text = public(body);
        for gone in ["SECRET", "hidden", "multi", "internal", "<!--"] {
            assert!(!text.contains(gone), "{gone} left in {text:?}");
        }
        for kept in ["A", "B", "C", "D"] {
            assert!(text.contains(kept));
        }
    }

    #[test]
    fn comments_inside_html_blocks_are_removed() {
        let text = public("<div>\nok <!-- x1 --> <!-- x2\nstill\n--> fine\n</div>\n");
        assert!(!text.contains("x1") && !text.contains("x2") && !text.contains("still"));
        assert!(text.contains("ok") && text.contains("fine"));
    }

    #[test]
    fn code_that_shows_a_comment_is_text_and_kept() {
        let text = public("```html\n<!-- shown as code -->\n```\n");
        assert!(text.contains("shown as code"));
    }

    fn layout_change_at(body: &str) -> Option<usize> {
        layout_change(body, &outline(body).internal_blocks).map(|change| change.at)
    }

    #[test]
    fn a_block_removed_between_a_line_and_a_rule_would_make_a_heading() {
        let body = "Retention\n<!-- internal -->\nSECRET\n<!-- /internal -->\n-----\n";
        assert!(
            public(body).contains("Retention\n-----"),
            "a setext heading"
        );
        assert_eq!(layout_change_at(body), body.find("<!-- internal"));
        let apart = "Retention\n\n<!-- internal -->\nSECRET\n<!-- /internal -->\n\n-----\n";
        assert_eq!(layout_change_at(apart), None);
    }

    #[test]
    fn a_block_removed_between_two_paragraphs_would_join_them() {
        let body = "We keep logs.\n<!-- internal -->\nFor 30 days.\n<!-- /internal -->\nThey are encrypted.\n";
        assert_eq!(layout_change_at(body), body.find("<!-- internal"));
        let comment = "We keep logs.\n<!-- note -->\nThey are encrypted.\n";
        assert_eq!(
            layout_change_at(comment),
            None,
            "the comment's line stays, blank"
        );
    }

    #[test]
    fn a_tight_items_lines_joined_or_a_link_left_undefined_change_the_layout() {
        for body in [
            "- one\n  <!-- internal -->\n  SECRET\n  <!-- /internal -->\n  continuation\n- two\n",
            "See [the site][x].\n\n<!-- internal -->\n[x]: https://example.com/\n<!-- /internal -->\n",
            "Text[^s].\n\n<!-- internal -->\n[^s]: Secret note.\n<!-- /internal -->\n",
            "See [x].\n\n<!-- internal -->\n\n[x]: https://secret.example/\n\n<!-- /internal -->\n\n[x]: https://example.com/\n",
            "Text[^a].\n\n<!-- internal -->\n\n[^A]: Secret note.\n\n<!-- /internal -->\n\n[^a]: Public note.\n",
        ] {
            assert_eq!(
                layout_change_at(body),
                body.find("<!-- internal"),
                "{body:?}"
            );
            let change = layout_change(body, &outline(body).internal_blocks).unwrap();
            assert_eq!(change.definition, !body.starts_with('-'), "{body:?}");
        }
    }

    #[test]
    fn comments_are_not_judged_but_do_not_hide_a_block_after_them() {
        let comment = "<!-- note --><span>x</span>\n\n<div>\n<!-- x -->\n*raw*\n</div>\n";
        assert_eq!(
            layout_change_at(comment),
            None,
            "comments are the sanitiser's"
        );
        let both =
            format!("{comment}\nA line\n<!-- internal -->\nSECRET\n<!-- /internal -->\n---\n");
        assert_eq!(layout_change_at(&both), both.find("<!-- internal"));
    }

    #[test]
    fn blocks_inside_tight_lists_and_quotes_keep_their_layout() {
        for body in [
            "- one\n  <!-- internal -->\n  SECRET\n  <!-- /internal -->\n- two\n",
            "- one\n\n  <!-- internal -->\n  SECRET\n  <!-- /internal -->\n\n- two\n",
            "> one\n>\n> <!-- internal -->\n> SECRET\n> <!-- /internal -->\n>\n> two\n",
            "A\n\n<!-- internal -->\n## Secret\n\n- x\n<!-- /internal -->\n\nB\n",
            "A <!-- inline --> B\n\n<div>\n<!-- x -->\n</div>\n",
            "No comment at all.\n",
            "<!-- internal -->\nSECRET\n<!-- /internal -->\nFirst line.\n",
            "- one\n  <!-- internal -->\n  SECRET\n  <!-- /internal -->\n\n  after\n- two\n",
            "A [link][r] and[^n].\n\n<!-- internal -->\n[s]: https://secret.example/\n<!-- /internal -->\n\n[r]: https://example.com/\n[^n]: Note.\n",
        ] {
            assert_eq!(
                layout_change_at(body),
                None,
                "{body:?} -> {:?}",
                public(body)
            );
        }
    }

    #[test]
    fn an_unclosed_comment_removes_the_rest() {
        assert_eq!(public("A\n\n<!-- never closed\n\nB\n").trim(), "A");
    }
}
