//! Text read as a reader reads it, word by word: what `hidden-since-approval` compares, so
//! that a paragraph re-wrapped, re-marked-up or re-spelt with character references is
//! still the same words.

use crate::load::markers::{decode_references, is_invisible};
use std::ops::Range;
use unicode_normalization::UnicodeNormalization;

/// A word, lower case and in compatibility form, and where it is in the text read.
pub struct Word {
    pub text: String,
    pub at: Range<usize>,
}

/// The words of `text`. Markdown and HTML punctuation, white space and the references
/// `&amp;`, `&lt;`, `&gt;`, `&quot;` and `&nbsp;` separate words; invisible characters and
/// apostrophes inside a word do not (`secret’s` is `secrets`); other references read as
/// their characters (`&#68;` as `d`).
pub fn words(text: &str) -> Vec<Word> {
    let mut found = Vec::new();
    let mut word = String::new();
    let mut start = 0;
    let mut at = 0;
    let mut end = |word: &mut String, start: usize, at: usize| {
        if !word.is_empty() {
            found.push(Word {
                text: std::mem::take(word),
                at: start..at,
            });
        }
    };
    while at < text.len() {
        let rest = &text[at..];
        let c = rest.chars().next().unwrap_or(' ');
        let (read, width) = match c {
            '&' => reference(rest).unwrap_or((Some(' '), 1)),
            c => (Some(c), c.len_utf8()),
        };
        match read {
            // Shows as nothing: the word goes on.
            None => {}
            Some(c) if is_invisible(c) => {}
            Some('\'' | '\u{2019}' | '\u{02bc}') if !word.is_empty() => {}
            Some(c) if c.is_alphanumeric() => {
                if word.is_empty() {
                    start = at;
                }
                word.extend(std::iter::once(c).nfkc().flat_map(char::to_lowercase));
            }
            Some(_) => end(&mut word, start, at),
        }
        at += width;
    }
    end(&mut word, start, at);
    found
}

/// A character reference at the start of `text`: what it reads as (None: nothing, as a
/// soft hyphen) and its length.
fn reference(text: &str) -> Option<(Option<char>, usize)> {
    // Within a few characters (not bytes: a cut inside a character would panic).
    let end = (text.char_indices().take(12)).find_map(|(i, c)| (c == ';').then_some(i))?;
    let name = &text[1..end];
    let read = match name.to_ascii_lowercase().as_str() {
        "amp" | "lt" | "gt" | "quot" | "nbsp" | "apos" => Some(' '),
        "shy" | "zwsp" | "zwj" | "zwnj" => None,
        _ => {
            let decoded = decode_references(&text[..=end]);
            let mut chars = decoded.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => Some(c),
                _ => return None,
            }
        }
    };
    Some((read, end + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Vec<String> {
        words(text).into_iter().map(|w| w.text).collect()
    }

    #[test]
    fn words_are_read_as_a_reader_reads_them() {
        assert_eq!(
            texts("Secret *para* ZQXJ here."),
            ["secret", "para", "zqxj", "here"]
        );
        assert_eq!(texts("T&#x42;D and TB&shy;D"), ["tbd", "and", "tbd"]);
        assert_eq!(texts("Secret&amp;ZQXJ"), ["secret", "zqxj"]);
        assert_eq!(
            texts("Secret’s [para](https://e.com)"),
            ["secrets", "para", "https", "e", "com"]
        );
        assert_eq!(texts("ＡＢＣ"), ["abc"]);
        // A reference cut short, or one of letters that are not ASCII, is no panic.
        assert_eq!(texts("&éééééééé;x &"), ["éééééééé", "x"]);
        let at: Vec<_> = words("a &#68;b").into_iter().map(|w| w.at).collect();
        assert_eq!(at, [0..1, 2..8]);
    }
}
