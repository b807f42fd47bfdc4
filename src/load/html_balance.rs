//! Whether the raw HTML of an internal block is whole: every element it closes opened in
//! it, and every element it opens closed in it. The handbook draws the block as a box;
//! HTML that closes an element opened before the block would close the box early (what
//! the block hides would then show outside it, as if public), and HTML left open would
//! carry the box, or another element, over the public text after it.

/// Elements that never have content.
const VOID: [&str; 14] = [
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
];

/// Elements whose end tag HTML lets the next element imply.
const OPTIONAL_END: [&str; 15] = [
    "p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody", "tfoot", "option", "optgroup", "rt",
    "rp", "colgroup",
];

/// Where the first tag that breaks the balance is in `html` (the block's raw HTML, its
/// pieces in order), or `Some(html.len())` when an element is left open; `None` when whole.
pub fn first_unbalanced(html: &str) -> Option<usize> {
    let (broken, open) = walk(html, true);
    if broken.is_some() {
        return broken;
    }
    let left_open = open.iter().any(|n| !OPTIONAL_END.contains(&n.as_str()));
    left_open.then_some(html.len())
}

/// Elements inside which the handbook's box (a `div`) cannot stand: a browser moves it out
/// of a table's rows (or drops it from a `select`), away from what it marks.
const NO_BOX_INSIDE: [&str; 8] = [
    "table", "thead", "tbody", "tfoot", "tr", "colgroup", "select", "optgroup",
];

/// Whether, after `html` (the raw HTML before a block, its pieces in order), the element
/// a block would stand in is one that cannot hold the handbook's box.
pub fn box_cannot_stand_after(html: &str) -> bool {
    let (_, open) = walk(html, false);
    open.last()
        .is_some_and(|n| NO_BOX_INSIDE.contains(&n.as_str()))
}

/// The elements open after `html`, outermost first; with `strict`, stops at the first tag
/// that closes what was not open (or closes past an element whose end is not implied),
/// and says where it is. Otherwise such a tag is passed over, as a browser would.
fn walk(html: &str, strict: bool) -> (Option<usize>, Vec<String>) {
    let mut open: Vec<String> = Vec::new();
    let mut at = 0;
    while let Some(found) = html[at..].find('<') {
        let start = at + found;
        let rest = &html[start..];
        if rest.starts_with("<!--") {
            at = rest.find("-->").map_or(html.len(), |end| start + end + 3);
            continue;
        }
        let end = tag_end(rest).map_or(html.len(), |end| start + end + 1);
        let (closing, name) = match rest[1..].strip_prefix('/') {
            Some(after) => (true, tag_name(after)),
            None => (false, tag_name(&rest[1..])),
        };
        at = end.max(start + 1);
        if name.is_empty() {
            continue; // `< 3`, `<!DOCTYPE`: no element
        }
        if !closing {
            // `/>` closes an element only in SVG and MathML: HTML reads `<div/>` as `<div>`.
            let foreign = open.iter().any(|n| n == "svg" || n == "math");
            let self_closing = foreign && html[start..end].trim_end_matches('>').ends_with('/');
            if !self_closing && !VOID.contains(&name.as_str()) {
                open.push(name);
            }
            continue;
        }
        let opened = open.iter().rposition(|n| *n == name);
        // Elements between it and its start must be ones whose end HTML implies.
        let implied = |from: usize| {
            open[from + 1..]
                .iter()
                .all(|n| OPTIONAL_END.contains(&n.as_str()))
        };
        match opened {
            Some(opened) if !strict || implied(opened) => open.truncate(opened),
            _ if strict => return (Some(start), open),
            _ => {}
        }
    }
    (None, open)
}

/// A tag's name, lower case: what follows `<` or `</` up to ASCII whitespace, `/` or `>`,
/// as HTML reads it (`</div\u{a0}>` closes no `div`).
fn tag_name(after_bracket: &str) -> String {
    let name: String = after_bracket
        .chars()
        .take_while(|c| !c.is_ascii_whitespace() && *c != '/' && *c != '>')
        .collect();
    match name.chars().next() {
        Some(c) if c.is_ascii_alphabetic() => name.to_ascii_lowercase(),
        _ => String::new(),
    }
}

/// The offset of the `>` that ends the tag at the start of `tag`, outside quotes.
fn tag_end(tag: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    for (i, c) in tag.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (None, '"' | '\'') => quote = Some(c),
            (None, '>') => return Some(i),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::first_unbalanced;

    #[test]
    fn whole_html_is_balanced() {
        for html in [
            "",
            "<div>x</div>",
            "<p>a<br>b<img src=x>",
            "<table><tr><td>a<td>b</table>",
            "<ul><li>a<li>b</ul>",
            "<span title='a > b'>x</span>",
            "<!-- </div> -->",
            "a < b and 3<4",
            "<svg><path d='x'/></svg>",
            "<math><mi/></math>",
            "<DIV>x</DIV>",
        ] {
            assert_eq!(first_unbalanced(html), None, "{html}");
        }
    }

    #[test]
    fn html_that_closes_what_it_did_not_open_or_leaves_open_is_not() {
        assert_eq!(first_unbalanced("</div>"), Some(0));
        assert_eq!(first_unbalanced("x</li></ul>"), Some(1));
        assert_eq!(first_unbalanced("<div>secret"), Some(11));
        assert_eq!(first_unbalanced("<a href=x>link"), Some(14));
        assert_eq!(first_unbalanced("<details>a"), Some(10));
        assert_eq!(first_unbalanced("<div><span></div>"), Some(11));
        assert_eq!(first_unbalanced("<table><tr><td>x"), Some(16));
        // HTML has no self-closing `div`, `b` or `textarea`: each is left open.
        for html in ["<div/>x", "<b/>x", "<textarea/>x", "<div />x"] {
            assert_eq!(first_unbalanced(html), Some(html.len()), "{html}");
        }
        assert_eq!(first_unbalanced("<div>x</div\u{a0}>"), Some(6));
    }

    #[test]
    fn a_box_cannot_stand_between_a_tables_rows() {
        use super::box_cannot_stand_after;
        assert!(box_cannot_stand_after("<table>\n<tr><td>a</td></tr>\n"));
        assert!(box_cannot_stand_after("<table><tbody>"));
        assert!(
            !box_cannot_stand_after("<table><tr><td>"),
            "inside a cell it can"
        );
        assert!(!box_cannot_stand_after(
            "<table><tr><td>a</td></tr></table>"
        ));
        assert!(!box_cannot_stand_after("<div>"));
    }
}
