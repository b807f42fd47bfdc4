//! Internal-block markers as a person reads them, not as a byte string.
//!
//! A marker that an author mistypes must never turn into an ordinary comment around text
//! that then gets published. So a comment's text is normalised the way a reader's eye does
//! it (Unicode NFKC, invisible characters removed, whitespace collapsed, case folded)
//! before it is compared with `internal` and `/internal`; and a comment that still
//! *mentions* internal (even spelt with look-alike letters, per Unicode's confusables) but
//! is not exactly a marker is reported, never guessed at.
//!
//! Where a marker may stand is decided by the Markdown structure (see `outline`): only an
//! HTML block holding the marker comment alone is a marker. Inline markers (mid-sentence,
//! in a table cell, heading or link) are refused, because removing part of a paragraph
//! cannot be shown faithfully on both sites.

use std::ops::Range;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;
use unicode_security::confusable_detection::skeleton;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Marker {
    Open,
    Close,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommentKind {
    Marker(Marker),
    /// Mentions `internal` but is no marker: an error wherever it stands.
    MentionsInternal,
    Plain,
}

/// Characters that show as nothing (zero-width spaces and joiners, soft hyphen, word
/// joiner, byte-order mark, direction marks): an author cannot see them, so neither do we.
pub fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00ad}' | '\u{034f}' | '\u{061c}' | '\u{115f}' | '\u{1160}' | '\u{17b4}' | '\u{17b5}'
        | '\u{180b}'..='\u{180f}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}'
        | '\u{2060}'..='\u{206f}' | '\u{3164}' | '\u{fe00}'..='\u{fe0f}' | '\u{feff}'
        | '\u{ffa0}' | '\u{fff0}'..='\u{fff8}')
}

/// Whether `c` shows as a space: Unicode's white space, and the Braille pattern blank,
/// which is none to Unicode.
fn is_blank(c: char) -> bool {
    c.is_whitespace() || c == '\u{2800}'
}

/// The comment's text as a reader sees it: NFKC, invisible characters removed, runs of
/// whitespace made one space, trimmed, lower case.
pub fn normalise(text: &str) -> String {
    let visible: String = (text.nfkc().filter(|c| !is_invisible(*c)))
        .map(|c| if is_blank(c) { ' ' } else { c })
        .collect();
    visible
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// What the text between `<!--` and `-->` is.
pub fn classify(inner: &str) -> CommentKind {
    match normalise(inner).as_str() {
        "internal" => return CommentKind::Marker(Marker::Open),
        "/internal" => return CommentKind::Marker(Marker::Close),
        _ => {}
    }
    // A browser does not decode character references in a comment, but a reader of the
    // source does: `&#105;nternal` is `internal` to its author, and no marker to HTML.
    let decoded = decode_references(inner);
    let inner = decoded.as_str();
    let text = normalise(inner);
    // Compared on confusable skeletons, without spaces, as written and in lower case, so
    // that `in ternal`, `ІNTERNAL` (Cyrillic І) and `internaI` (capital I) all count.
    // Accents are dropped too (`ínternal` with a combining mark still reads as internal).
    let squash = |text: &str| -> String {
        let text: String = text
            .nfkd()
            .filter(|c| !is_blank(*c) && !is_combining_mark(*c))
            .collect();
        skeleton(&text).collect()
    };
    let as_written: String = inner.nfkc().filter(|c| !is_invisible(*c)).collect();
    let needles = [squash("internal"), squash("INTERNAL")];
    let mentions = [squash(&text), squash(&as_written)]
        .iter()
        .any(|hay| needles.iter().any(|needle| hay.contains(needle.as_str())));
    // Looser still, for what the confusables leave apart: small capitals (`ɪɴᴛᴇʀɴᴀʟ`),
    // and `l`, `1` or `|` for `i` (`lnternal`), which a reader's eye passes over.
    let loose = |text: &str| -> String { squash(text).chars().map(loose_letter).collect() };
    let mentions = mentions || loose(&as_written).contains(&loose("internal"));
    // Letters alone, for a word broken by a hyphen and a space (`inter- nal`).
    let mentions = mentions || letters(&as_written).contains(&letters("internal"));
    // A marker mistyped alike at both ends (`interanl`, `intenral`, copied) would be two
    // plain comments around text that is then published: a lone word that near is one.
    let word = text.trim_start_matches('/').trim();
    let typo = !word.contains(' ')
        && (5..=10).contains(&word.chars().count())
        && strsim::damerau_levenshtein(word, "internal") <= 2;
    let mentions = mentions || typo;
    if mentions {
        CommentKind::MentionsInternal
    } else {
        CommentKind::Plain
    }
}

/// Whether a comment's text is what its author may have taken for a marker that hides
/// text (`<!-- private -->`, `<!-- END CONFIDENTIAL -->`, `<!-- do not publish -->`,
/// `<!-- hidden: true -->`): only `internal` hides anything, so what follows such a
/// comment is published. Its words are read with or without edge words before or after
/// them (start, end, begin…) or a slash, and a word one letter off a long hiding word
/// counts.
pub fn reads_as_other_marker(inner: &str) -> bool {
    const HIDING: [&str; 55] = [
        "private",
        "privately",
        "confidential",
        "secret",
        "secrets",
        "hidden",
        "hide",
        "restricted",
        "sensitive",
        "classified",
        "proprietary",
        "embargo",
        "embargoed",
        "redact",
        "redacted",
        "exclude",
        "excluded",
        "omit",
        "omitted",
        "noexport",
        "unpublished",
        "nopublish",
        "nopublication",
        "staffonly",
        "teamonly",
        "employeesonly",
        "notpublic",
        "notyetpublic",
        "donotpublish",
        "dontpublish",
        "notforpublication",
        "nottobepublished",
        "publishfalse",
        "publicfalse",
        "publicno",
        "hiddentrue",
        "vertraulich",
        "geheim",
        "confidentiel",
        "privado",
        "prive",
        "sekret",
        "notpublished",
        "donotshare",
        "forstaff",
        "staff",
        "onlyforstaff",
        "notforexternal",
        "nda",
        "undernda",
        "needtoknow",
        "excludefrompublic",
        "omitfrompublic",
        "removebeforepublishing",
        "excludefrompublicsite",
    ];
    // Words that name the part, not what to do with it: `private notes`, `secret section`.
    const PART: [&str; 6] = ["notes", "note", "section", "part", "block", "text"];
    const EDGES: [&str; 9] = [
        "start", "begin", "end", "stop", "open", "close", "here", "until", "below",
    ];
    let text = normalise(&decode_references(inner));
    let words: Vec<String> = (text
        .split(|c: char| c.is_whitespace() || c == '/' || c == '-' || c == '_'))
    .map(letters)
    .filter(|w| !w.is_empty())
    .collect();
    // A sentence is a note, not a marker.
    if words.is_empty() || words.len() > 7 {
        return false;
    }
    static EDGES_READ: std::sync::LazyLock<Vec<String>> =
        std::sync::LazyLock::new(|| EDGES.iter().chain(&PART).map(|w| letters(w)).collect());
    let kept: String = (words.iter())
        .filter(|w| !EDGES_READ.contains(w))
        .map(String::as_str)
        .collect();
    static READ: std::sync::LazyLock<Vec<String>> =
        std::sync::LazyLock::new(|| HIDING.iter().map(|w| letters(w)).collect());
    READ.iter().any(|word| {
        *word == kept
            || (word.chars().count() >= 7 && strsim::damerau_levenshtein(word, &kept) <= 1)
    })
}

/// `text` with its HTML character references as a reader of the source reads them:
/// numeric ones as their characters, a named one as what it names when that is
/// punctuation a marker is made of, else as the letter it starts with (`&iacute;` as `i`,
/// `&iota;` as `i`).
pub fn decode_references(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        // A reference's name is short: no search to the end of a long text for its `;`.
        let name_end = (rest[1..].char_indices().take(34))
            .find(|(_, c)| *c == ';')
            .map(|(i, _)| i + 1);
        let decoded = name_end.and_then(|end| reference(&rest[1..end]).map(|c| (c, end + 1)));
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The character a reference's name (between `&` and `;`) reads as.
fn reference(name: &str) -> Option<char> {
    if let Some(number) = name.strip_prefix('#') {
        let value = match number.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => number.parse().ok()?,
        };
        return char::from_u32(value);
    }
    if name.is_empty() || name.len() > 32 || !name.chars().all(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    Some(match name.to_ascii_lowercase().as_str() {
        "lt" => '<',
        "gt" => '>',
        "excl" => '!',
        "sol" => '/',
        "amp" => '&',
        "nbsp" => ' ',
        "hyphen" | "dash" | "ndash" | "mdash" | "minus" | "horbar" => '-',
        _ => name.chars().next()?,
    })
}

/// Whether `c` passes for the `!` of `<!--`.
pub fn is_bang(c: char) -> bool {
    matches!(
        c,
        '!' | '！' | 'ǃ' | 'ꜝ' | 'ⵑ' | '¡' | '❗' | '❕' | '︕' | '﹗'
    )
}

/// Whether `c` passes for `<`: itself, and what reads as it (`‹`, `＜`, `〈`, `˂`).
pub fn is_less_than(c: char) -> bool {
    c == '<'
        || matches!(
            c,
            '\u{2039}'
                | '\u{ff1c}'
                | '\u{2329}'
                | '\u{3008}'
                | '\u{27e8}'
                | '\u{02c2}'
                | '\u{1438}'
                | '\u{144f}'
                | '\u{276e}'
                | '\u{276c}'
                | '\u{2991}'
                | '\u{29fc}'
                | '\u{fe64}'
                | '\u{16b2}'
        )
        || (!c.is_ascii() && skeleton(c.encode_utf8(&mut [0; 4])).eq("<".chars()))
}

/// Whether `c` passes for a dash: `-` and what Unicode's confusables make of it, the
/// dash punctuation, box-drawing lines, and the long marks of other scripts.
pub fn is_dash(c: char) -> bool {
    matches!(c,
        '-' | '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{fe58}' | '\u{fe63}' | '\u{ff0d}'
        | '\u{02d7}' | '\u{2043}' | '\u{2e3a}' | '\u{2e3b}' | '\u{1806}' | '\u{2500}'..='\u{257f}'
        | '\u{23af}' | '\u{2796}' | '\u{30fc}' | '\u{4e00}' | '\u{3161}' | '\u{1173}' | '\u{00af}'
        | '\u{02c9}' | '\u{06d4}' | '\u{2cba}' | '\u{0336}' | '\u{2e17}' | '\u{2e1a}' | '\u{301c}'
        | '\u{3030}' | '\u{30a0}' | '\u{fe31}' | '\u{fe32}')
        || (!c.is_ascii() && skeleton(c.encode_utf8(&mut [0; 4])).eq("-".chars()))
}

/// The letters and digits of `text` as `classify`'s loosest reading sees them, nothing
/// else: what is left of a word a reader puts back together.
pub fn letters(text: &str) -> String {
    let text: String = (text.nfkd())
        .filter(|c| !is_invisible(*c) && !is_combining_mark(*c))
        .collect();
    let text: String = skeleton(&text).collect();
    (text.chars().map(loose_letter))
        .filter(|c| c.is_alphanumeric())
        .collect()
}

/// Whether a file or folder name reads as `word` (`İnternal`, `ｉｎｔｅｒｎａｌ`, `internal.`,
/// `ınternal`, with a zero-width space): the name its author meant.
pub fn name_reads_as(name: &str, word: &str) -> bool {
    letters(name) == letters(word)
}

/// A letter as `classify`'s loosest reading sees it: small capitals as their letters, in
/// lower case, and the strokes that pass for an `i` (`l`, `1`, `|`, dotless `ı`) as `i`.
fn loose_letter(c: char) -> char {
    const SMALL_CAPITALS: [(char, char); 24] = [
        ('ᴀ', 'a'),
        ('ʙ', 'b'),
        ('ᴄ', 'c'),
        ('ᴅ', 'd'),
        ('ᴇ', 'e'),
        ('ꜰ', 'f'),
        ('ɢ', 'g'),
        ('ʜ', 'h'),
        ('ɪ', 'i'),
        ('ᴊ', 'j'),
        ('ᴋ', 'k'),
        ('ʟ', 'l'),
        ('ᴍ', 'm'),
        ('ɴ', 'n'),
        ('ᴏ', 'o'),
        ('ᴘ', 'p'),
        ('ʀ', 'r'),
        ('ꜱ', 's'),
        ('ᴛ', 't'),
        ('ᴜ', 'u'),
        ('ᴠ', 'v'),
        ('ᴡ', 'w'),
        ('ʏ', 'y'),
        ('ᴢ', 'z'),
    ];
    let c = (SMALL_CAPITALS.iter())
        .find(|(small, _)| *small == c)
        .map_or(c, |(_, letter)| *letter);
    match c.to_lowercase().next().unwrap_or(c) {
        'l' | '1' | '|' | 'ı' | 'ɩ' | 'ǀ' => 'i',
        other => other,
    }
}

/// The comments in a piece of HTML: the byte range of each (from `<!--` to the end of
/// `-->`, or to the end of `html` when never closed) and its text.
pub fn comments(html: &str) -> Vec<(Range<usize>, &str)> {
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(i) = html[at..].find("<!--") {
        let start = at + i;
        let inner_start = start + 4;
        // `<!-->` and `<!--->` are complete (empty) comments in HTML.
        let (inner_end, end) = if html[inner_start..].starts_with('>') {
            (inner_start, inner_start + 1)
        } else if html[inner_start..].starts_with("->") {
            (inner_start, inner_start + 2)
        } else {
            match html[inner_start..].find("-->") {
                Some(j) => (inner_start + j, inner_start + j + 3),
                None => (html.len(), html.len()),
            }
        };
        found.push((start..end, &html[inner_start..inner_end]));
        at = end;
    }
    found
}

/// The marker that `html` (an HTML block's whole text) is, when it is nothing else.
pub fn block_marker(html: &str) -> Option<Marker> {
    let trimmed = html.trim();
    match comments(trimmed).as_slice() {
        [(range, inner)] if *range == (0..trimmed.len()) => match classify(inner) {
            CommentKind::Marker(marker) => Some(marker),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_read_as_their_characters() {
        assert_eq!(decode_references("&#105;nternal"), "internal");
        assert_eq!(
            decode_references("&#X69;nternal &amp; &lt;"),
            "internal & <"
        );
        assert_eq!(decode_references("&iacute;nt&mdash;"), "int-");
        // Not references: left as written, without looking far for a `;`.
        assert_eq!(decode_references("a & b; &#xZZ; &;"), "a & b; &#xZZ; &;");
        let long = format!("&{};", "a".repeat(40));
        assert_eq!(decode_references(&long), long);
        assert_eq!(classify(" &#105;nternal "), CommentKind::MentionsInternal);
        assert_eq!(classify(" caf&eacute; "), CommentKind::Plain);
    }

    #[test]
    fn look_alikes_of_less_than_and_bang() {
        for c in ['<', '‹', '＜', '〈', '˂', '⟨'] {
            assert!(is_less_than(c), "{c}");
        }
        for c in ['(', '«', 'c', '≤'] {
            assert!(!is_less_than(c), "{c}");
        }
        assert!(is_bang('ǃ') && is_bang('!') && !is_bang('|'));
    }

    #[test]
    fn markers_are_read_as_a_person_reads_them() {
        for open in [
            "<!-- internal -->",
            "<!--internal-->",
            "<!-- INTERNAL -->",
            "<!-- Internal -->",
            "<!--   internal\t-->",
            "<!--\u{a0}internal\u{a0}-->",
            "<!-- inter\u{200b}nal -->",
            "<!-- \u{ff49}nternal -->", // fullwidth i: NFKC
            "<!-- internal-->\n",
        ] {
            assert_eq!(block_marker(open), Some(Marker::Open), "{open:?}");
        }
        for close in [
            "<!-- /internal -->",
            "<!--/INTERNAL-->",
            "<!-- /Internal\u{2060} -->",
        ] {
            assert_eq!(block_marker(close), Some(Marker::Close), "{close:?}");
        }
    }

    #[test]
    fn near_misses_are_mentions_not_plain_comments() {
        for text in [
            " internal: start ",
            " / internal ",
            " in ternal ",
            " begin internal ",
            " \u{406}NTERNAL ", // Cyrillic capital I
            " internaI ",       // capital I for l
            " internal only ",
            " end-internal ",
            " i\u{301}nternal ", // combining acute accent
            " \u{26a}\u{274}\u{1d1b}\u{1d07}\u{280}\u{274}\u{1d00}\u{29f} ", // small capitals
            " /\u{26a}\u{274}\u{1d1b}\u{1d07}\u{280}\u{274}\u{1d00}\u{29f} ",
            " lnternal ",
            " 1nternal ",
            " |NTERNAL ",
            " inter\u{2800}nal ", // Braille pattern blank
            " interanl ",
            " /intenral ",
            " internl ",
            " intern ",
            " inter- nal ",
            " inter-\nnal ",
        ] {
            assert_eq!(classify(text), CommentKind::MentionsInternal, "{text:?}");
        }
        for text in [
            " international ",
            " a note ",
            " TODO: ask legal ",
            " an eternal ",
            " lantern all ",
        ] {
            assert_eq!(classify(text), CommentKind::Plain, "{text:?}");
        }
    }

    #[test]
    fn a_marker_with_anything_else_beside_it_is_no_block_marker() {
        for html in [
            "<!-- internal --> secret",
            "x <!-- internal -->",
            "<!-- internal --><!-- /internal -->",
            "<div><!-- internal --></div>",
        ] {
            assert_eq!(block_marker(html), None, "{html:?}");
        }
    }

    #[test]
    fn comments_are_found_even_when_empty_or_unclosed() {
        let html = "a<!---->b<!-->c<!-- x -->d<!-- open";
        let inner: Vec<_> = comments(html).into_iter().map(|(_, t)| t).collect();
        assert_eq!(inner, ["", "", " x ", " open"]);
    }
}
