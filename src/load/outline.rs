//! What the checks need from a Markdown body, read in one pass: heading anchors, links, and
//! internal blocks (`<!-- internal -->` … `<!-- /internal -->`, recognised by `markers`).
//! Markers are found on the Markdown event stream, so a marker is what the parser sees as
//! an HTML block of its own, and anything marker-like anywhere else is an error.

use super::markers::{self, CommentKind, Marker};
use crate::hash::HashMapExt;
use crate::hash::{HashMap, HashSet};
use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};
use std::ops::Range;

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
    /// Those of `anchors` whose heading is inside an internal block: never public.
    pub internal_anchors: HashSet<String>,
    pub links: Vec<Link>,
    /// Closed internal blocks, from the opening marker to the end of the closing one.
    pub internal_blocks: Vec<Range<usize>>,
    pub marker_errors: Vec<MarkerError>,
    /// Footnote definitions outside every internal block whose note is cited nowhere
    /// outside one (only inside a block, in a comment, or not at all): the public page
    /// would show the note alone.
    pub notes_cited_only_inside: Vec<Range<usize>>,
    /// `anchors_fingerprint`, made on first need (an outline is complete once made).
    anchors_print: std::sync::OnceLock<u64>,
}

impl Outline {
    /// A hash of the anchors and of which are internal, the same whatever order the sets
    /// hold them in; seeded once per process (it keys what `serve` keeps in memory).
    /// Outlines are shared between loads of the same text, so a save makes it for the
    /// documents it changed.
    pub fn anchors_fingerprint(&self) -> u64 {
        *self.anchors_print.get_or_init(|| {
            let sum = |set: &HashSet<String>, tag: &str| {
                (set.iter()).fold(0u64, |sum, a| {
                    sum.wrapping_add(crate::hash::stable_in_process((tag, a)))
                })
            };
            let counts = (self.anchors.len(), self.internal_anchors.len());
            let sums = (
                sum(&self.anchors, "anchor"),
                sum(&self.internal_anchors, "internal"),
            );
            crate::hash::stable_in_process((counts, sums))
        })
    }
}

#[derive(Clone, Debug)]
pub struct Link {
    pub dest: String,
    /// Byte span of the whole link, relative to the body.
    pub span: Range<usize>,
    pub in_internal_block: bool,
    /// A Markdown image (its destination is loaded, not followed).
    pub image: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub enum MarkerError {
    Unclosed(Range<usize>),
    UnexpectedClose(Range<usize>),
    Nested(Range<usize>),
    /// A comment that is, or mentions, a marker where no marker may stand; and why.
    Malformed(Range<usize>, &'static str),
    /// `<!--` that Markdown shows as text: not a comment to it.
    NotHidden(Range<usize>),
    /// A comment that does not end where its author meant: one inside another (HTML ends
    /// both at the first `-->`), or a `-->` that ends none; and why.
    CommentBroken(Range<usize>, &'static str),
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

/// Ids that the built-in layout gives elements of every page: the content that the
/// "Skip to content" link jumps to, and the search box. A heading never takes them (a
/// heading "Main" is `main-1`), so a page has no id twice.
pub const LAYOUT_IDS: [&str; 2] = ["main", "search-input"];

/// The ids a body's headings may not take: `heading_ids` starts from these.
pub fn ids_taken_by_layout() -> HashSet<String> {
    LAYOUT_IDS.iter().map(|id| id.to_string()).collect()
}

/// Makes `slug` unique among `taken` the way GitHub does: `a`, `a-1`, `a-2`. A heading
/// with no letters or digits (`## !!!`) is `section`: an id may not be empty. `next`
/// holds, for each slug, the first number not yet tried: every one below it is taken
/// (the set only grows), so a page of thousands of equal headings is not numbered in
/// quadratic time.
/// A footnote's label as Markdown matches it: `[^A]` is the note `[^a]: …` defines, and
/// `[^SS]` that of `[^ß]` (Unicode case folding, as the parser does).
pub type NoteLabel = unicase::UniCase<String>;

/// The id of each footnote reference and definition, given in order with whether each is
/// a definition: `note-` and the label's slug, numbered past the layout's ids, `headings`
/// and each other (`[^main]` must not take the id of the page's `<main>`, nor `[^up]` that
/// of `## Up`, and `[^a b]` gets no space). References go to their label's first
/// definition; a label defined again gets an id of its own, so no id is on a page twice.
pub fn note_ids<'l>(
    notes: impl IntoIterator<Item = (&'l str, bool)>,
    headings: &[String],
) -> Vec<String> {
    let mut taken = ids_taken_by_layout();
    taken.extend(headings.iter().cloned());
    let mut next = HashMap::new();
    let mut by_label: HashMap<NoteLabel, (String, bool)> = HashMap::new();
    let mut ids = Vec::new();
    for (label, definition) in notes {
        let mut fresh = || {
            let slug = format!("note-{}", slugify(label));
            unique_anchor(
                slug.trim_end_matches('-').to_string(),
                &mut taken,
                &mut next,
            )
        };
        let id = match by_label.get_mut(&NoteLabel::new(label.to_string())) {
            Some((_, defined)) if definition && *defined => fresh(),
            Some((id, defined)) => {
                *defined |= definition;
                id.clone()
            }
            None => {
                let id = fresh();
                by_label.insert(NoteLabel::new(label.to_string()), (id.clone(), definition));
                id
            }
        };
        ids.push(id);
    }
    ids
}

fn unique_anchor(
    slug: String,
    taken: &mut HashSet<String>,
    next: &mut HashMap<String, usize>,
) -> String {
    let slug = if slug.is_empty() {
        "section".to_string()
    } else {
        slug
    };
    let n = next.entry(slug.clone()).or_insert(0);
    loop {
        let candidate = match *n {
            0 => slug.clone(),
            n => format!("{slug}-{n}"),
        };
        *n += 1;
        if taken.insert(candidate.clone()) {
            return candidate;
        }
    }
}

const INLINE: &str =
    "an internal marker must stand on a line of its own, not inside a line of text";
const IN_INDENTED_CODE: &str =
    "an internal marker in an indented code block is shown as code to everyone";
const IN_UNCLOSED_FENCE: &str = "an internal marker after a code fence that is not closed where it seems to be is code, shown to everyone with what it was to hide: close the fence with a line of as many backticks (or tildes) as opened it, nothing after them, indented less than four spaces";
const NOT_ALONE: &str =
    "an internal marker must stand alone on its line, with nothing else in the same HTML block";

pub fn outline(body: &str) -> Outline {
    let mut outline = Outline::default();
    let mut heading: Option<(String, Option<String>)> = None;
    let mut open_block: Option<(usize, usize)> = None;
    // The list item, quote or other container the parser is in, each told apart by the
    // number of its start (0 outside all): a block must close in the one it opened in,
    // not merely at the same depth in the next item.
    let mut containers: Vec<usize> = Vec::new();
    let mut starts = 0usize;
    let mut html_block: Option<Range<usize>> = None;
    let mut indented_code: Option<Range<usize>> = None;
    // Headings of the open block: internal once it closes (an unclosed block is an error
    // of its own, not a reason to call every later heading internal).
    let mut anchors_in_block: Vec<usize> = Vec::new();
    // Each heading's slug, and whether it is inside an internal block; ids at the end.
    let mut headings: Vec<(String, bool)> = Vec::new();
    let mut internal_headings: Vec<usize> = Vec::new();
    // The ids raw HTML keeps through the sanitiser, and whether each is in a block.
    let mut raw_ids: Vec<(String, bool)> = Vec::new();
    // Footnote references and definitions in order (label, a definition, in a block):
    // their ids are numbered past the headings', as the page numbers them.
    let mut notes: Vec<(String, bool, bool)> = Vec::new();
    let mut cited_outside: HashSet<NoteLabel> = HashSet::default();
    let mut defined_outside: Vec<(NoteLabel, Range<usize>)> = Vec::new();
    // The raw HTML inside the open block, piece by piece: it must be whole by itself.
    let mut html_in_block: Vec<Range<usize>> = Vec::new();
    // How many images the parser is inside: their alt text is an attribute, so raw HTML
    // there makes no element (and gives no id).
    let mut in_image = 0usize;
    // The raw HTML outside blocks so far: what a block opening now would stand in.
    let mut html_outside = String::new();
    // Where Markdown saw code (shown as text, comments included) and HTML (comments hidden).
    let mut code_ranges: Vec<Range<usize>> = Vec::new();
    let mut html_ranges: Vec<Range<usize>> = Vec::new();
    for (event, range) in Parser::new_ext(body, options()).into_offset_iter() {
        match &event {
            Event::Start(Tag::CodeBlock(_)) | Event::Code(_) => code_ranges.push(range.clone()),
            Event::Html(_) | Event::InlineHtml(_) => html_ranges.push(range.clone()),
            _ => {}
        }
        match &event {
            Event::Start(Tag::HtmlBlock) => {
                html_block = Some(range.clone());
                continue;
            }
            Event::End(TagEnd::HtmlBlock) => {
                if let Some(block) = html_block.take() {
                    let at = block.start.min(range.start)..block.end.max(range.end);
                    raw_html_links(body, at.clone(), open_block.is_some(), &mut outline);
                    raw_html_ids(&body[at.clone()], open_block.is_some(), &mut raw_ids);
                    let was_open = open_block.is_some();
                    let opened_at = open_block.map(|(start, _)| start);
                    let container = containers.last().copied().unwrap_or(0);
                    block_html(body, at.clone(), container, &mut open_block, &mut outline);
                    match (was_open, open_block.is_some()) {
                        (true, true) => html_in_block.push(at),
                        (true, false) => {
                            internal_headings.append(&mut anchors_in_block);
                            let pieces = std::mem::take(&mut html_in_block);
                            let opened_at = opened_at.unwrap_or(at.start);
                            unbalanced_html(body, &pieces, opened_at, &mut outline);
                        }
                        (false, true) => {
                            html_in_block.clear();
                            if super::html_balance::box_cannot_stand_after(&html_outside) {
                                outline.marker_errors.push(MarkerError::Malformed(
                                    at,
                                    "an internal block between a raw HTML table's rows (or in a `select`) cannot be shown as the handbook's box: a browser moves the box out of the table, away from the rows it hides; hide the whole table, or put the block inside one cell",
                                ));
                            }
                        }
                        (false, false) => html_outside.push_str(&body[at]),
                    }
                }
                continue;
            }
            Event::Start(Tag::CodeBlock(CodeBlockKind::Indented)) => {
                indented_code = Some(range.clone());
            }
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(_))) => {
                // A fence never closed runs to the end of its container, and one whose
                // author meant to close it with a line Markdown does not take for a
                // closing fence (text after it, or too short, or indented four spaces)
                // runs on to a later fence: markers after either become code, and what
                // they were to hide is shown.
                let block = &body[range.clone()];
                let swallowed = match fence_closed(block) {
                    false => block.find('\n').map(|first| range.start + first..range.end),
                    true => meant_as_closing(block).map(|at| range.start + at..range.end),
                };
                if let Some(after) = swallowed {
                    mentions(body, after.clone(), IN_UNCLOSED_FENCE, &mut outline);
                    // A plain comment there is shown as code too.
                    for (comment, inner) in markers::comments(&body[after.clone()]) {
                        if markers::classify(inner) == CommentKind::Plain {
                            let span = after.start + comment.start..after.start + comment.end;
                            outline.marker_errors.push(MarkerError::CommentBroken(
                                span,
                                "this comment comes after a code fence that is not closed where it seems to be: it is code, shown to everyone",
                            ));
                        }
                    }
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some(code) = indented_code.take() {
                    // Four spaces too many turn a marker into code shown to everyone.
                    mentions(body, code, IN_INDENTED_CODE, &mut outline);
                }
            }
            _ => {}
        }
        match event {
            Event::Start(_) => {
                starts += 1;
                containers.push(starts);
            }
            Event::End(_) => {
                containers.pop();
            }
            _ => {}
        }
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
                    if open_block.is_some() {
                        anchors_in_block.push(headings.len());
                    }
                    headings.push((slug, open_block.is_some()));
                }
            }
            Event::End(TagEnd::Image) => in_image = in_image.saturating_sub(1),
            Event::Start(Tag::Link { ref dest_url, .. })
            | Event::Start(Tag::Image { ref dest_url, .. }) => {
                in_image += usize::from(matches!(event, Event::Start(Tag::Image { .. })));
                outline.links.push(Link {
                    dest: dest_url.to_string(),
                    span: range.clone(),
                    in_internal_block: open_block.is_some(),
                    image: matches!(event, Event::Start(Tag::Image { .. })),
                });
            }
            Event::FootnoteReference(label) => {
                notes.push((label.to_string(), false, open_block.is_some()));
                if open_block.is_none() {
                    cited_outside.insert(NoteLabel::new(label.to_string()));
                }
            }
            Event::Start(Tag::FootnoteDefinition(label)) => {
                notes.push((label.to_string(), true, open_block.is_some()));
                if open_block.is_none() {
                    defined_outside.push((NoteLabel::new(label.to_string()), range.clone()));
                }
            }
            Event::InlineHtml(_) => {
                raw_html_links(body, range.clone(), open_block.is_some(), &mut outline);
                if in_image == 0 {
                    raw_html_ids(&body[range.clone()], open_block.is_some(), &mut raw_ids);
                }
                match open_block.is_some() {
                    true => html_in_block.push(range.clone()),
                    false => html_outside.push_str(&body[range.clone()]),
                }
                mentions(body, range.clone(), INLINE, &mut outline);
            }
            _ => {}
        }
    }
    if let Some((start, _)) = open_block {
        let end = body[start..].find('\n').map_or(body.len(), |i| start + i);
        outline
            .marker_errors
            .push(MarkerError::Unclosed(start..end));
    }
    outline.notes_cited_only_inside = (defined_outside.into_iter())
        .filter(|(label, _)| !cited_outside.contains(label))
        .map(|(_, range)| range)
        .collect();
    let ids = heading_ids(&headings);
    let note_ids = note_ids(notes.iter().map(|(l, d, _)| (l.as_str(), *d)), &ids);
    // A note's definition is a place a link may lead to.
    let note_anchors: Vec<(String, bool)> = (notes.iter().zip(note_ids))
        .filter(|((_, definition, _), _)| *definition)
        .map(|((_, _, in_block), id)| (id, *in_block))
        .collect();
    outline.internal_anchors = internal_headings.iter().map(|&i| ids[i].clone()).collect();
    outline.anchors = ids.into_iter().collect();
    // An element of raw HTML with an id, and a footnote's note, are places a link may
    // lead to, like a heading; public ones first, so that an id also outside a block is
    // not called internal.
    raw_ids.extend(note_anchors);
    raw_ids.sort_by_key(|(_, in_block)| *in_block);
    for (id, in_block) in raw_ids {
        if in_block && !outline.anchors.contains(&id) {
            outline.internal_anchors.insert(id.clone());
        }
        outline.anchors.insert(id);
    }
    comments_as_written(body, &code_ranges, &html_ranges, &mut outline);
    broken_comments(body, &code_ranges, &mut outline);
    marker_look_alikes(body, &code_ranges, &mut outline);
    outline
}

/// The ids of a body's headings, in order, from each one's slug and whether it is inside
/// an internal block. The others are numbered first, as the public page (which has no
/// internal blocks) numbers them, so that a public heading has one id on both sites and
/// a link to it lands on it on either; the internal ones come after them (a heading
/// `Notes` in an internal block above a public `Notes` is `notes-1`).
pub fn heading_ids(headings: &[(String, bool)]) -> Vec<String> {
    let mut taken = ids_taken_by_layout();
    let mut next = HashMap::new();
    let mut ids = vec![String::new(); headings.len()];
    for internal in [false, true] {
        for (id, (slug, in_block)) in ids.iter_mut().zip(headings) {
            if *in_block == internal {
                *id = unique_anchor(slug.clone(), &mut taken, &mut next);
            }
        }
    }
    ids
}

/// Text that reads as an internal marker but is no comment to HTML, its `<` or its dashes
/// being look-alikes (`‹!-- internal -->`, `<!—internal—>`): it is shown as text, and so
/// is what the author meant it to hide. An error, like any other near-miss of a marker.
fn marker_look_alikes(body: &str, code: &[Range<usize>], outline: &mut Outline) {
    // After a `!`, anything that may pass for a dash: `markers::is_dash`, and any symbol
    // but the punctuation prose puts there (a list of dashes always misses some).
    let dash = |c: char| {
        markers::is_dash(c)
            || !c.is_alphanumeric()
                && !c.is_whitespace()
                && !matches!(
                    c,
                    '.' | ','
                        | ';'
                        | ':'
                        | '?'
                        | '!'
                        | '('
                        | ')'
                        | '['
                        | ']'
                        | '"'
                        | '\''
                        | '*'
                        | '_'
                        | '`'
                        | '/'
                        | '<'
                        | '>'
                )
    };
    // A line of symbols around `internal` or `/internal` alone, with two dashes or more
    // (`‹ǃ-- internal -->`, `‹ꜝ-- internal -->`, `-- internal --`): a marker to its
    // author, whatever stands for its `<` and `!`. A real comment is judged as one.
    if body.contains("nternal") || !body.is_ascii() {
        let mut at = 0;
        for line in body.split_inclusive('\n') {
            let start = at;
            at += line.len();
            let written = line.trim_end();
            let dashes = written.chars().filter(|c| markers::is_dash(*c)).count();
            if dashes < 2 || written.contains("<!--") || code.iter().any(|r| r.contains(&start)) {
                continue;
            }
            // A table row is read cell by cell: `| — | internal | — |` says a visibility.
            let cells: Vec<&str> = match written.trim_start().starts_with('|') {
                true => written.split('|').collect(),
                false => vec![written],
            };
            let reads_as_marker = |cell: &str| {
                let dashes = cell.chars().filter(|c| markers::is_dash(*c)).count();
                let words: Vec<&str> = (cell.split(|c: char| !c.is_alphanumeric() && c != '/'))
                    // A lone mark that counts as a letter (`ꜝ` for `!`) is no word.
                    .filter(|w| w.chars().filter(|c| c.is_alphanumeric()).count() > 1)
                    .collect();
                dashes >= 2
                    && matches!(words.as_slice(), [word] if markers::classify(word) != CommentKind::Plain)
            };
            if cells.into_iter().any(reads_as_marker) {
                outline.marker_errors.push(MarkerError::Malformed(
                    start..start + written.len(),
                    "this line reads as an internal marker, but it is no comment: it is shown as text, and so is what it was to hide",
                ));
            }
        }
    }
    // Found by searching (memchr) rather than walking every character of every body.
    // Other marks that pass for `!` are looked for only in a text that is not ASCII.
    let other_bangs = (!body.is_ascii())
        .then(|| (body.char_indices()).filter(|(_, c)| *c != '!' && markers::is_bang(*c)));
    let bangs =
        (body.match_indices('!').map(|(at, _)| (at, '!'))).chain(other_bangs.into_iter().flatten());
    for (at, c) in bangs {
        let before = body[..at].chars().next_back();
        let after: Vec<char> = body[at + c.len_utf8()..].chars().take(2).collect();
        let real = c == '!' && before == Some('<') && after == ['-', '-'];
        let opens = after.first().is_some_and(|c| dash(*c));
        if real || !opens || code.iter().any(|r| r.contains(&at)) {
            continue;
        }
        // What stands for the `<`: a look-alike, or a character reference (`&lt;`).
        let opener = match before {
            Some(b) if markers::is_less_than(b) => Some(at - b.len_utf8()),
            _ => LESS_THAN_REFERENCES.iter().find_map(|r| {
                let from = at.checked_sub(r.len())?;
                (body.get(from..at)?.eq_ignore_ascii_case(r)).then_some(from)
            }),
        };
        let start = opener.unwrap_or_else(|| before.map_or(at, |b| at - b.len_utf8()));
        let line_end = body[at..].find('\n').map_or(body.len(), |i| at + i);
        let line = &body[at + c.len_utf8()..line_end];
        let meant = line.trim_start_matches(dash);
        let meant = (meant.trim_end()).trim_end_matches(|c: char| {
            c == '>' || c == '\u{203a}' || c == '\u{ff1e}' || c == '\u{02c3}' || c == '\u{1433}'
        });
        let meant = meant.trim_end_matches(dash);
        let meant = meant.strip_suffix("&gt;").unwrap_or(meant);
        let meant = meant.trim_end_matches(dash);
        if markers::classify(meant) != CommentKind::Plain {
            outline.marker_errors.push(MarkerError::Malformed(
                start..line_end,
                "this reads as an internal marker, but it is no comment (a look-alike of `<` or of its dashes): it is shown as text, and so is what it was to hide",
            ));
        } else if opener.is_some() {
            // `＜!-- note -->`, `<!—note—>`, `<ǃ-- note -->`: a comment to its author, text
            // to HTML, shown on both sites.
            outline.marker_errors.push(MarkerError::CommentBroken(
                start..line_end,
                "this reads as a comment, but it is none (a look-alike of `<`, `!` or of its dashes, or `&lt;`): it is shown as text on both sites, and so is what it was to hide",
            ));
        }
    }
}

/// How `<` is written as a character reference, in lower case.
const LESS_THAN_REFERENCES: [&str; 4] = ["&lt;", "&#60;", "&#x3c;", "&#060;"];

/// Comments that end before their author meant them to. HTML comments do not nest: in
/// `<!-- draft <!-- note --> secret -->` the first `-->` ends the comment, and `secret -->`
/// is shown as text, on both sites. So a comment holding `<!--`, and a `-->` outside code
/// that follows a comment in the same block, are errors (in an internal block too, where
/// the handbook would show the text as the public site would elsewhere). A `-->` anywhere
/// else is an arrow.
fn broken_comments(body: &str, code: &[Range<usize>], outline: &mut Outline) {
    if !body.contains("-->") {
        return;
    }
    let in_code = |at: usize| code.iter().any(|r| r.contains(&at));
    let has_blank_line = |text: &str| text.split('\n').skip(1).any(|l| l.trim().is_empty());
    let mut at = 0;
    let mut last_end: Option<usize> = None;
    loop {
        let (open, close) = (body[at..].find("<!--"), body[at..].find("-->"));
        let next = match (open, close) {
            (Some(o), Some(c)) => at + o.min(c),
            (Some(o), None) => at + o,
            (None, Some(c)) => at + c,
            (None, None) => break,
        };
        if body[next..].starts_with("-->") {
            // After a comment in the same block (no blank line between), it is where that
            // comment was meant to end; elsewhere it is an arrow (`draft --> review`).
            let after_comment = last_end.is_some_and(|end| !has_blank_line(&body[end..next]));
            if !in_code(next) && after_comment {
                outline.marker_errors.push(MarkerError::CommentBroken(
                    next..next + 3,
                    "`-->` here ends no comment: the comment before it ended at its first `-->`, so the text between is shown to everyone (comments do not nest)",
                ));
            }
            at = next + 3;
            continue;
        }
        if in_code(next) {
            at = next + 4;
            continue;
        }
        // Where HTML ends the comment: `<!-->` and `<!--->` at once, else the first `-->`.
        let inner = next + 4;
        let end = if body[inner..].starts_with('>') {
            inner + 1
        } else if body[inner..].starts_with("->") {
            inner + 2
        } else {
            match body[inner..].find("-->") {
                Some(j) => inner + j + 3,
                None => break,
            }
        };
        if let Some(j) = body[inner..end].find("<!--") {
            let nested = inner + j;
            outline.marker_errors.push(MarkerError::CommentBroken(
                nested..nested + 4,
                "a comment inside a comment: HTML ends both at the first `-->`, so the text after it is shown to everyone",
            ));
        }
        last_end = Some(end);
        at = end;
    }
}

/// Every `<!--` of the source outside code, read as its author meant it (up to the next
/// `-->`), whatever Markdown made of it: one Markdown does not take for a comment (it spans
/// a blank line in a paragraph, or is never closed) would show its text to everyone, and
/// one that opens with `<!-->` ends at once in a browser, leaving the rest as text.
fn comments_as_written(
    body: &str,
    code: &[Range<usize>],
    html: &[Range<usize>],
    outline: &mut Outline,
) {
    if !body.contains("<!") {
        return;
    }
    let inside = |ranges: &[Range<usize>], at: usize| ranges.iter().any(|r| r.contains(&at));
    let reported: Vec<usize> = outline
        .marker_errors
        .iter()
        .map(|e| match e {
            MarkerError::Unclosed(r)
            | MarkerError::UnexpectedClose(r)
            | MarkerError::Nested(r)
            | MarkerError::Malformed(r, _)
            | MarkerError::CommentBroken(r, _)
            | MarkerError::NotHidden(r) => r.start,
        })
        .collect();
    for range in html {
        let lower = body[range.clone()].to_ascii_lowercase();
        if let Some(i) = lower.find("<![cdata[") {
            let start = range.start + i;
            if !outline.internal_blocks.iter().any(|b| b.contains(&start)) {
                outline
                    .marker_errors
                    .push(MarkerError::NotHidden(start..start + 9));
            }
        }
    }
    let mut at = 0;
    while let Some(i) = body[at..].find("<!--") {
        let start = at + i;
        let end = body[start + 4..]
            .find("-->")
            .map_or(body.len(), |j| start + 4 + j + 3);
        at = start + 4;
        if inside(code, start) || reported.contains(&start) {
            continue;
        }
        let meant = &body[start + 4..end.saturating_sub(3).max(start + 4)];
        let abrupt = meant.starts_with('>') || meant.starts_with("->");
        // Inside an internal block, nothing reaches the public site anyway.
        if outline.internal_blocks.iter().any(|b| b.contains(&start)) {
            continue;
        }
        let kind = markers::classify(meant.trim_start_matches(['>', '-']));
        let span = start..end;
        if !inside(html, start) {
            outline.marker_errors.push(MarkerError::NotHidden(span));
        } else if abrupt && kind != CommentKind::Plain {
            outline.marker_errors.push(MarkerError::Malformed(
                span,
                "`<!-->` ends the comment at once: what follows is shown as text",
            ));
        }
    }
}

/// The `href` and `src` of raw HTML, read by the sanitiser's own parser: checked and
/// rewritten like Markdown links. A `src` on another host, which the sanitiser drops, is
/// kept as an image link, so that `check` says so as it does for a Markdown image.
fn raw_html_links(body: &str, at: Range<usize>, in_internal_block: bool, outline: &mut Outline) {
    let html = &body[at.clone()];
    let lower = html.to_ascii_lowercase();
    if !(lower.contains("href") || lower.contains("src")) {
        return;
    }
    let urls = crate::html::raw_urls(html);
    // Shown at the HTML, not at the blank line a block ends with.
    let at = at.start..at.start + html.trim_end().len();
    let links = (urls.relative.into_iter().map(|dest| (dest, false)))
        .chain(urls.elsewhere.into_iter().map(|dest| (dest, true)));
    for (dest, image) in links {
        outline.links.push(Link {
            dest,
            span: at.clone(),
            in_internal_block,
            image,
        });
    }
}

/// An internal block whose raw HTML (`pieces`, in order) closes an element it did not
/// open, or leaves one open: its box in the handbook would not hold what it hides.
fn unbalanced_html(body: &str, pieces: &[Range<usize>], opened_at: usize, outline: &mut Outline) {
    let mut html = String::new();
    let mut starts = Vec::new();
    for piece in pieces {
        starts.push((html.len(), piece.clone()));
        html.push_str(&body[piece.clone()]);
        html.push('\n');
    }
    let Some(at) = super::html_balance::first_unbalanced(&html) else {
        return;
    };
    let span = match starts.iter().rev().find(|(start, _)| *start <= at) {
        Some((_, piece)) if at < html.len() => piece.clone(),
        _ => {
            opened_at
                ..body[opened_at..]
                    .find('\n')
                    .map_or(body.len(), |i| opened_at + i)
        }
    };
    outline.marker_errors.push(MarkerError::Malformed(
        span,
        "raw HTML in an internal block must close what it opens, and only that: an element closed here that opened outside the block, or left open, would carry the handbook's box, or hidden text, across the text around it",
    ));
}

/// The ids of raw HTML that the sanitiser keeps (on an element it allows; not empty, no
/// space, not the layout's), with whether they are inside an internal block.
fn raw_html_ids(html: &str, in_internal_block: bool, found: &mut Vec<(String, bool)>) {
    if !html.to_ascii_lowercase().contains("id") {
        return;
    }
    found.extend(
        crate::html::kept_ids(html)
            .into_iter()
            .map(|id| (id, in_internal_block)),
    );
}

/// An HTML block: a marker when it is one marker comment alone; otherwise every comment in
/// it that mentions internal is an error.
fn block_html(
    body: &str,
    at: Range<usize>,
    container: usize,
    open_block: &mut Option<(usize, usize)>,
    outline: &mut Outline,
) {
    let Some(marker) = markers::block_marker(&body[at.clone()]) else {
        mentions(body, at, NOT_ALONE, outline);
        return;
    };
    match (marker, *open_block) {
        (Marker::Open, Some(_)) => outline.marker_errors.push(MarkerError::Nested(at)),
        (Marker::Open, None) => *open_block = Some((at.start, container)),
        (Marker::Close, None) => outline
            .marker_errors
            .push(MarkerError::UnexpectedClose(at)),
        (Marker::Close, Some((start, opened_in))) if opened_in == container => {
            *open_block = None;
            outline.internal_blocks.push(start..at.end);
        }
        (Marker::Close, Some(_)) => outline.marker_errors.push(MarkerError::Malformed(
            at,
            "closes an internal block that was opened elsewhere (in another list item or quote, or in or out of one)",
        )),
    }
}

/// Reports every comment in `body[at]` that is or mentions a marker where none may stand;
/// `misplaced` says why a well-spelt marker cannot stand there.
/// Where, inside a closed fenced code block's source (`block`), a line starts that looks
/// like a closing fence (three or more of the opening's backticks or tildes) but is not
/// the block's last line.
fn meant_as_closing(block: &str) -> Option<usize> {
    let mark = block.trim_start_matches([' ', '>']).chars().next()?;
    let fence: String = std::iter::repeat_n(mark, 3).collect();
    let lines: Vec<&str> = block.split_inclusive('\n').collect();
    let mut at = lines.first()?.len();
    for line in lines.iter().take(lines.len().saturating_sub(1)).skip(1) {
        let written = line.trim_start_matches(|c: char| c == '>' || c.is_whitespace());
        if written.starts_with(&fence) {
            return Some(at);
        }
        at += line.len();
    }
    None
}

/// Whether a fenced code block's source (`block`, from its opening fence, as the parser
/// ranged it) ends with a fence that closes it: as many backticks or tildes as opened it,
/// or more, with nothing after them. One never closed runs to the end of its container.
fn fence_closed(block: &str) -> bool {
    let mut lines = block.lines();
    let Some(opening) = lines.next() else {
        return false;
    };
    let opening = opening.trim_start_matches([' ', '>']).trim_start();
    let Some(mark) = opening.chars().next().filter(|c| matches!(c, '`' | '~')) else {
        return false;
    };
    let length = opening.chars().take_while(|c| *c == mark).count();
    let Some(last) = lines.rfind(|l| !l.trim().is_empty()) else {
        return false;
    };
    // Its container's prefix (a quote's `>`, a list item's indent) is no part of it. A
    // fence indented too far to close it ends the block only when nothing follows it to
    // be swallowed, so the last line is enough to judge.
    let closing = (last.trim_start_matches(|c: char| c == '>' || c.is_whitespace())).trim_end();
    closing.chars().all(|c| c == mark) && closing.chars().count() >= length
}

fn mentions(body: &str, at: Range<usize>, misplaced: &'static str, outline: &mut Outline) {
    let text = &body[at.clone()];
    if !text.contains("<!--") {
        return;
    }
    for (range, inner) in markers::comments(text) {
        let span = at.start + range.start..at.start + range.end;
        match markers::classify(inner) {
            CommentKind::Marker(_) => outline
                .marker_errors
                .push(MarkerError::Malformed(span, misplaced)),
            CommentKind::MentionsInternal => outline.marker_errors.push(MarkerError::Malformed(
                span,
                "this comment mentions `internal` but is not an internal marker",
            )),
            // In code, a comment is shown as code: reported as such elsewhere.
            CommentKind::Plain
                if misplaced != IN_UNCLOSED_FENCE
                    && misplaced != IN_INDENTED_CODE
                    && markers::reads_as_other_marker(inner) =>
            {
                outline
                    .marker_errors
                    .push(MarkerError::Malformed(span, OTHER_MARKER))
            }
            CommentKind::Plain => {}
        }
    }
}

pub const OTHER_MARKER: &str = "this comment reads as a marker that hides text, but only `<!-- internal -->` and `<!-- /internal -->` hide anything: what follows it is published";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn footnotes_are_anchors_by_the_ids_the_page_gives_them() {
        let body = "## Note a\n\nText[^a] and[^A].\n\n[^a]: The note.\n\n<!-- internal -->\n\n[^s]: Secret.\n\n<!-- /internal -->\n";
        let o = outline(body);
        assert!(
            o.anchors.contains("note-a") && o.anchors.contains("note-a-1"),
            "{:?}",
            o.anchors
        );
        assert!(!o.internal_anchors.contains("note-a-1"));
        assert!(
            o.internal_anchors.contains("note-s"),
            "{:?}",
            o.internal_anchors
        );
    }

    #[test]
    fn raw_html_ids_the_sanitiser_keeps_are_anchors() {
        let body = "<span id=\"terms\"></span>\n\nText <a id=\"inline\">x</a>.\n\n<script id=\"s\"></script>\n\n<p>say id=\"fake\" and <b title='a id=\"t\"'>b</b></p>\n\n<div id=\"main\">m</div>\n\n<!-- internal -->\n\n<i id=\"secret\">s</i>\n\n<!-- /internal -->\n\n<!-- <b id=\"commented\">c</b> -->\n";
        let o = outline(body);
        for id in ["terms", "inline", "secret"] {
            assert!(o.anchors.contains(id), "{id}: {:?}", o.anchors);
        }
        let alt = outline("![<span id=\"alt\">x</span>](i.png)\n");
        assert!(!alt.anchors.contains("alt"), "alt text is no element");
        for id in ["s", "fake", "t", "main", "commented"] {
            assert!(!o.anchors.contains(id), "{id}: {:?}", o.anchors);
        }
        assert_eq!(
            o.internal_anchors,
            HashSet::from_iter(["secret".to_string()])
        );
    }

    #[test]
    fn anchors_are_github_style_and_unique() {
        let outline = outline("# Data Retention!\n## Data Retention\n### Custom {#kept}\n");
        let mut anchors: Vec<_> = outline.anchors.into_iter().collect();
        anchors.sort();
        assert_eq!(anchors, ["data-retention", "data-retention-1", "kept"]);
        assert_eq!(slugify("  Über `code` & more "), "über-code--more");
    }

    /// A public heading has the id the public page gives it: headings in internal blocks
    /// are numbered after the others.
    #[test]
    fn public_headings_are_numbered_as_the_public_page_numbers_them() {
        let body = "<!-- internal -->\n\n## Notes\n\n<!-- /internal -->\n\n## Notes\n\n## Notes\n";
        let outline = outline(body);
        let mut anchors: Vec<_> = outline.anchors.into_iter().collect();
        anchors.sort();
        assert_eq!(anchors, ["notes", "notes-1", "notes-2"]);
        let internal: Vec<_> = outline.internal_anchors.into_iter().collect();
        assert_eq!(internal, ["notes-2"]);
    }

    /// Numbering goes on past ids taken by other headings, explicit or numbered, and a
    /// page of thousands of equal headings is numbered in one pass.
    #[test]
    fn equal_headings_are_numbered_past_every_taken_id() {
        let headings = |slugs: &[&str]| -> Vec<(String, bool)> {
            slugs.iter().map(|s| (s.to_string(), false)).collect()
        };
        assert_eq!(
            heading_ids(&headings(&["a", "a-1", "a", "a", "a-2", "main", "main"])),
            ["a", "a-1", "a-2", "a-3", "a-2-1", "main-1", "main-2"]
        );
        let many = heading_ids(&vec![("a".to_string(), false); 5000]);
        assert_eq!(many[4999], "a-4999");
        assert_eq!(many.iter().collect::<HashSet<_>>().len(), 5000);
    }

    #[test]
    fn headings_never_take_the_layouts_ids_nor_an_empty_one() {
        let outline = outline(
            "## Main
## Search input
## !!!
## ???
## Main {#main}
",
        );
        let mut anchors: Vec<_> = outline.anchors.into_iter().collect();
        anchors.sort();
        assert_eq!(
            anchors,
            ["main-1", "main-2", "search-input-1", "section", "section-1"]
        );
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

    fn malformed(body: &str) -> usize {
        outline(body)
            .marker_errors
            .iter()
            .filter(|e| matches!(e, MarkerError::Malformed(..)))
            .count()
    }

    #[test]
    fn markers_anywhere_but_alone_on_a_line_are_refused() {
        for body in [
            "Text <!-- internal --> secret <!-- /internal --> more\n",
            "| a | b |\n|---|---|\n| <!-- internal --> x <!-- /internal --> | y |\n",
            "# Title <!-- internal -->x<!-- /internal -->\n",
            "- item <!-- internal -->x<!-- /internal -->\n",
            "[link <!-- internal -->x<!-- /internal -->](a.md)\n",
            "<!-- internal --> secret\n\nx\n\n<!-- /internal --> more\n",
            "<div>\n<!-- internal -->\nsecret\n<!-- /internal -->\n</div>\n",
            "    <!-- internal -->\n    secret\n    <!-- /internal -->\n",
        ] {
            assert!(malformed(body) >= 2, "{body:?}: {:?}", outline(body));
            assert!(outline(body).internal_blocks.is_empty(), "{body:?}");
        }
    }

    #[test]
    fn near_miss_comments_are_refused_and_fenced_code_is_text() {
        assert_eq!(
            malformed("<!-- internal: start -->\nx\n<!-- end internal -->\n"),
            2
        );
        assert_eq!(malformed("```\n<!-- internal -->\n```\n"), 0);
        assert_eq!(malformed("`<!-- internal -->`\n"), 0);
    }

    #[test]
    fn blocks_close_at_the_level_they_opened() {
        let body = "- a\n\n  <!-- internal -->\n\n  secret\n\n<!-- /internal -->\n";
        assert_eq!(malformed(body), 1);
        let nested = "- a\n\n  <!-- internal -->\n\n  secret\n\n  <!-- /internal -->\n";
        assert_eq!(outline(nested).internal_blocks.len(), 1);
        assert!(outline(nested).marker_errors.is_empty());
    }

    #[test]
    fn headings_inside_internal_blocks_are_known() {
        let o = outline("# Open\n\n<!-- internal -->\n\n## Secret plan\n\n<!-- /internal -->\n");
        assert!(o.anchors.contains("secret-plan"));
        assert!(o.internal_anchors.contains("secret-plan"));
        assert!(!o.internal_anchors.contains("open"));
    }

    #[test]
    fn comments_markdown_shows_as_text_are_refused() {
        let not_hidden = |body: &str| {
            outline(body)
                .marker_errors
                .iter()
                .filter(|e| matches!(e, MarkerError::NotHidden(_)))
                .count()
        };
        assert_eq!(not_hidden("Yearly. <!-- note\n\nsecret\n\n-->\n"), 1);
        assert_eq!(
            not_hidden("Yearly. <!-- never closed\n"),
            1,
            "shown as text"
        );
        assert_eq!(not_hidden("Yearly. <!-- fine -->\n"), 0);
        assert_eq!(not_hidden("`<!-- code`\n"), 0);
        assert_eq!(
            not_hidden("<!-- internal -->\n\n<!-- a\n\nb -->\n\n<!-- /internal -->\n"),
            0
        );
    }

    #[test]
    fn an_abrupt_comment_cannot_open_a_block() {
        assert_eq!(
            malformed("<!--> internal -->\n\nsecret\n\n<!--> /internal -->\n"),
            2
        );
        assert_eq!(malformed("x <!--> internal --> y\n"), 1);
        assert_eq!(malformed("x <!--> y\n"), 0);
    }
}
