//! Code blocks highlighted at build time into CSS classes (`hl-keyword`, `hl-string`, …), so
//! a theme styles them and no script runs in the reader's browser.
//!
//! The syntax set loads on first use (a site without code never pays for it), and each
//! distinct block is highlighted once per process: both sites share the work.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

/// Past these, a block is shown plain: grammars can be slow on pathological input, and a
/// build must never hang on one code block.
const MAX_HIGHLIGHT_BYTES: usize = 128 * 1024;
const MAX_LINE_BYTES: usize = 4 * 1024;

#[derive(Default)]
pub struct Highlighter {
    syntaxes: OnceLock<SyntaxSet>,
    cache: Mutex<HashMap<(String, String), String>>,
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

impl Highlighter {
    /// A `<pre>` block for `code`, highlighted when `lang` is known and the code is sane.
    pub fn block(&self, lang: &str, code: &str) -> String {
        let lang = lang.split([' ', ',', '{']).next().unwrap_or("").trim();
        let key = (lang.to_string(), code.to_string());
        if let Some(html) = self.cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
            return html;
        }
        let inner = self.highlight(lang, code).unwrap_or_else(|| escape(code));
        let class = if lang.is_empty() {
            String::new()
        } else {
            format!(" data-lang=\"{}\"", escape(lang))
        };
        let html = format!("<pre class=\"code\"{class}><code>{inner}</code></pre>\n");
        if let Ok(mut cache) = self.cache.lock() {
            cache.insert(key, html.clone());
        }
        html
    }

    fn highlight(&self, lang: &str, code: &str) -> Option<String> {
        let too_big =
            code.len() > MAX_HIGHLIGHT_BYTES || code.lines().any(|l| l.len() > MAX_LINE_BYTES);
        if lang.is_empty() || too_big {
            return None;
        }
        let syntaxes = self.syntaxes.get_or_init(SyntaxSet::load_defaults_newlines);
        let syntax = syntaxes.find_syntax_by_token(lang)?;
        let mut generator = ClassedHTMLGenerator::new_with_class_style(
            syntax,
            syntaxes,
            ClassStyle::SpacedPrefixed { prefix: "hl-" },
        );
        for line in LinesWithEndings::from(code) {
            generator
                .parse_html_for_line_which_includes_newline(line)
                .ok()?;
        }
        Some(generator.finalize())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_languages_get_classes_and_others_are_escaped() {
        let highlighter = Highlighter::default();
        let rust = highlighter.block("rust", "fn main() {}\n");
        assert!(
            rust.contains("hl-keyword") || rust.contains("hl-storage"),
            "{rust}"
        );
        let plain = highlighter.block("no-such-language", "<b>&</b>\n");
        assert!(plain.contains("&lt;b&gt;&amp;&lt;/b&gt;"));
        assert!(!plain.contains("hl-"));
    }

    #[test]
    fn huge_lines_are_shown_plain() {
        let line = "x".repeat(MAX_LINE_BYTES + 1);
        assert!(!Highlighter::default().block("rust", &line).contains("hl-"));
    }
}
