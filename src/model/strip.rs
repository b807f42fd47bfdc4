//! Removing what the public may not read from a Markdown body, at the source: internal
//! blocks and HTML comments. The public model holds only the result, so no later stage can
//! print what was removed.

use crate::load::outline::options;
use pulldown_cmark::{Event, Parser};
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
    let without_blocks = without(body, internal_blocks.to_vec());
    let comments = comment_ranges(&without_blocks);
    without(&without_blocks, comments)
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

    #[test]
    fn an_unclosed_comment_removes_the_rest() {
        assert_eq!(public("A\n\n<!-- never closed\n\nB\n").trim(), "A");
    }
}
