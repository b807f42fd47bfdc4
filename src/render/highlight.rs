//! Code blocks highlighted at build time into CSS classes (`hl-keyword`, `hl-string`, …), so
//! a theme styles them and no script runs in the reader's browser.
//!
//! The syntax set loads on first use (a site without code never pays for it), and each
//! distinct block is highlighted once: both sites share the work, `serve` keeps the cache
//! for as long as it runs, and `build` keeps it on disk between builds (`load`, `save`).
//! The file is read only when a page is rendered at all: a rebuild that reuses every page
//! never opens it.

use super::highlight_lines;
use super::highlight_store::{self, Fresh, Store};
use crate::html::escape;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use syntect::html::ClassStyle;
use syntect::parsing::SyntaxSet;
use xxhash_rust::xxh3::Xxh3Default;

/// Past these, a block is shown plain: grammars can be slow on pathological input, and a
/// build must never hang on one code block.
const MAX_HIGHLIGHT_BYTES: usize = 128 * 1024;
const MAX_LINE_BYTES: usize = 4 * 1024;

/// Blocks highlighted by an earlier build (read from `saved` on first need), and the ones
/// this build used.
pub struct Highlighter {
    syntaxes: OnceLock<SyntaxSet>,
    saved: Option<PathBuf>,
    earlier: OnceLock<Option<Store>>,
    /// Blocks highlighted by this highlighter (not those found in `earlier`).
    fresh: Mutex<Fresh>,
    /// Whether any block was highlighted now rather than found: only then is the file
    /// written again.
    highlighted: std::sync::atomic::AtomicBool,
    /// Blocks found in `earlier` that this build used: they stay young in the file.
    used: Mutex<crate::hash::HashSet<u64>>,
}

impl Default for Highlighter {
    /// A highlighter that keeps its blocks in memory only (`serve`, tests).
    fn default() -> Self {
        Highlighter {
            syntaxes: OnceLock::new(),
            saved: None,
            earlier: OnceLock::new(),
            fresh: Mutex::new(Fresh::in_memory()),
            highlighted: std::sync::atomic::AtomicBool::new(false),
            used: Mutex::default(),
        }
    }
}

/// A block's cache key: its language and code, and the program that highlights it.
/// (Stable between runs: std's `DefaultHasher` may change between Rust releases.)
fn key(lang: &str, code: &str) -> u64 {
    let mut hasher = Xxh3Default::new();
    (super::program::identity(), lang, code).hash(&mut hasher);
    hasher.finish()
}

impl Highlighter {
    /// A `<pre>` block for `code`, highlighted when `lang` is known and the code is sane.
    pub fn block(&self, lang: &str, code: &str) -> String {
        let lang = lang.split([' ', ',', '{']).next().unwrap_or("").trim();
        let key = key(lang, code);
        let known = self.fresh.lock().ok().and_then(|mut fresh| fresh.get(key));
        if let Some(html) = known {
            return html;
        }
        if let Some(html) = self.earlier().and_then(|store| store.get(key)) {
            if let Ok(mut used) = self.used.lock() {
                used.insert(key);
            }
            return html;
        }
        self.highlighted
            .store(true, std::sync::atomic::Ordering::Relaxed);
        let inner = self.highlight(lang, code).unwrap_or_else(|| escape(code));
        let class = if lang.is_empty() {
            String::new()
        } else {
            format!(" data-lang=\"{}\"", escape(lang))
        };
        let html = format!("<pre class=\"code\"{class}><code>{inner}</code></pre>\n");
        if let Ok(mut fresh) = self.fresh.lock() {
            fresh.insert(key, &html);
        }
        html
    }

    /// A highlighter that starts with the blocks saved at `path` (none if it is missing
    /// or unreadable: the cache is only ever a shortcut).
    pub fn load(path: &Path) -> Highlighter {
        Highlighter {
            saved: Some(path.to_path_buf()),
            fresh: Mutex::new(Fresh::spilled_to(&path.with_extension("spill"))),
            ..Highlighter::default()
        }
    }

    /// Ends the highlighter of a process about to exit: its spill file is removed; the
    /// grammars (thousands of compiled expressions, 20 ms to free one by one) go back
    /// with the process.
    pub fn end_with_process(self) {
        let Highlighter {
            syntaxes, fresh, ..
        } = self;
        drop(fresh);
        std::mem::forget(syntaxes);
    }

    fn earlier(&self) -> Option<&Store> {
        self.earlier
            .get_or_init(|| Store::open(self.saved.as_ref()?))
            .as_ref()
    }

    /// Saves the blocks known now, for the next build, when this build highlighted any.
    /// Blocks of pages that were not rendered are kept too (the next build may need
    /// them), until they go unused for `MAX_AGE` saves: the file does not grow without
    /// bound. Failing to save only costs the next build some time: errors are ignored.
    pub fn save(&self, path: &Path) {
        if !self.highlighted.load(std::sync::atomic::Ordering::Relaxed) {
            return;
        }
        let Ok(mut fresh) = self.fresh.lock() else {
            return;
        };
        let used = self.used.lock().map(|u| u.clone()).unwrap_or_default();
        let _ = highlight_store::save(path, &mut fresh, self.earlier(), &used);
    }

    fn highlight(&self, lang: &str, code: &str) -> Option<String> {
        let too_big =
            code.len() > MAX_HIGHLIGHT_BYTES || code.lines().any(|l| l.len() > MAX_LINE_BYTES);
        if lang.is_empty() || too_big {
            return None;
        }
        let syntaxes = self.syntaxes.get_or_init(SyntaxSet::load_defaults_newlines);
        let syntax = syntaxes.find_syntax_by_token(lang)?;
        let style = ClassStyle::SpacedPrefixed { prefix: "hl-" };
        highlight_lines::html(code, syntax, syntaxes, style)
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
    fn the_cache_survives_a_save_and_load() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cache/highlight.bin");
        let first = Highlighter::default();
        let html = first.block("rust", "fn main() {}\n");
        first.save(&path);
        let second = Highlighter::load(&path);
        assert_eq!(second.earlier().unwrap().keys().count(), 1);
        assert_eq!(second.block("rust", "fn main() {}\n"), html);
        assert!(
            second.syntaxes.get().is_none(),
            "served from the cache, no grammar loaded"
        );
        second.save(&path);
        let third = Highlighter::load(&path);
        third.block("python", "x = 1\n");
        third.save(&path);
        assert_eq!(
            Highlighter::load(&path).earlier().unwrap().keys().count(),
            2,
            "blocks of pages not rendered this time are kept"
        );
    }

    #[test]
    fn huge_lines_are_shown_plain() {
        let line = "x".repeat(MAX_LINE_BYTES + 1);
        assert!(!Highlighter::default().block("rust", &line).contains("hl-"));
    }
}
