//! The text of every file a site was loaded from, so that a finding can point into it.

use std::ops::Range;
use std::path::{Path, PathBuf};

pub type FileId = usize;

/// Converts between byte offsets and line/column positions of one text.
pub struct LineIndex {
    line_starts: Vec<usize>,
    /// Every character is one byte: a column is a byte count, found without walking the
    /// line (the parser asks for every value's position; on a line of 30,000 list items
    /// walking made reading quadratic).
    ascii: bool,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        LineIndex {
            line_starts,
            ascii: text.is_ascii(),
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = offset.min(text.len());
        let line = self.line_starts.partition_point(|&start| start <= offset) - 1;
        let start = self.line_starts[line];
        let column = text.get(start..offset).map_or(0, |s| s.chars().count());
        (line + 1, column + 1)
    }

    /// Byte offset of a 1-based line and 0-based character column, clamped to the text.
    pub fn offset_of(&self, text: &str, line: usize, column_chars: usize) -> usize {
        let Some(&start) = self.line_starts.get(line.saturating_sub(1)) else {
            return text.len();
        };
        if self.ascii {
            // The line ends before the next one starts (at its `\n`), or with the text.
            let end = (self.line_starts.get(line)).map_or(text.len(), |next| next - 1);
            return (start + column_chars).min(end);
        }
        text[start..]
            .char_indices()
            .take_while(|&(_, c)| c != '\n')
            .nth(column_chars)
            .map_or_else(|| line_end(text, start), |(i, _)| start + i)
    }

    /// The span of the whole line holding `offset`, without its newline.
    pub fn line_span(&self, text: &str, offset: usize) -> Range<usize> {
        let (line, _) = self.line_col(text, offset);
        let start = self.line_starts[line - 1];
        start..line_end(text, start)
    }
}

fn line_end(text: &str, start: usize) -> usize {
    text[start..].find('\n').map_or(text.len(), |i| start + i)
}

/// One loaded source file. `path` is relative to the site root (`content/…`), which is how
/// findings name it: short, and the same on every machine.
pub struct SourceFile {
    pub path: PathBuf,
    /// Shared with what `serve` keeps between loads: an unchanged file is not copied.
    pub text: std::sync::Arc<String>,
    /// Made on first use: most files never need a line number.
    lines: std::sync::OnceLock<LineIndex>,
    /// `hash_text` of `text`, made once: what is derived from a file is kept by it, and
    /// hashing every text at each stage cost more than the work it saved.
    hash: std::sync::OnceLock<u64>,
}

/// The hash that keys what is derived from a text (xxh3, stable between runs).
pub fn hash_text(text: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(text.as_bytes())
}

impl SourceFile {
    fn new(path: PathBuf, text: std::sync::Arc<String>) -> Self {
        SourceFile {
            path,
            text,
            lines: std::sync::OnceLock::new(),
            hash: std::sync::OnceLock::new(),
        }
    }

    /// `hash_text(&self.text)` (of the text as loaded, also once it is released).
    pub fn hash(&self) -> u64 {
        *self.hash.get_or_init(|| hash_text(&self.text))
    }

    fn lines(&self) -> &LineIndex {
        self.lines.get_or_init(|| LineIndex::new(&self.text))
    }

    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        self.lines().line_col(&self.text, offset)
    }

    pub fn offset_of(&self, line: usize, column_chars: usize) -> usize {
        self.lines().offset_of(&self.text, line, column_chars)
    }

    pub fn line_span(&self, offset: usize) -> Range<usize> {
        self.lines().line_span(&self.text, offset)
    }
}

#[derive(Default)]
pub struct Sources {
    files: Vec<SourceFile>,
    /// How many are earlier versions from git (`path@commit`), not files of the site.
    earlier_versions: usize,
}

impl Sources {
    /// An earlier version of a file, read from git, that findings can point into.
    pub fn add_earlier_version(&mut self, label: PathBuf, text: String) -> FileId {
        self.earlier_versions += 1;
        self.add(label, text)
    }

    /// How many files of the site were read (earlier versions from git not counted).
    pub fn site_files(&self) -> usize {
        self.files.len() - self.earlier_versions
    }

    pub fn add(&mut self, path: PathBuf, text: String) -> FileId {
        self.files.push(SourceFile::new(path, text.into()));
        self.files.len() - 1
    }

    /// `add`, for a text whose `hash_text` is known already.
    pub fn add_hashed(&mut self, path: PathBuf, text: std::sync::Arc<String>, hash: u64) -> FileId {
        let file = SourceFile::new(path, text);
        debug_assert_eq!(hash, hash_text(&file.text));
        let _ = file.hash.set(hash);
        self.files.push(file);
        self.files.len() - 1
    }

    /// Frees a file's text once nothing will show it again. Its path stays, and so does
    /// its text's hash: a record is known by it (`model::parsed`).
    pub fn release_text(&mut self, id: FileId) {
        if let Some(file) = self.files.get_mut(id) {
            file.hash();
            file.text = Default::default();
            file.lines = std::sync::OnceLock::new();
        }
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id]
    }

    pub fn path(&self, id: FileId) -> &Path {
        &self.files[id].path
    }

    pub fn iter(&self) -> impl Iterator<Item = &SourceFile> {
        self.files.iter()
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The byte offset of a line and column by walking the line: what the ASCII shortcut
    /// must agree with.
    fn walked(text: &str, line: usize, column: usize) -> usize {
        let start: usize = text
            .split_inclusive('\n')
            .take(line - 1)
            .map(str::len)
            .sum();
        let rest = &text[start.min(text.len())..];
        let end = start + rest.find('\n').unwrap_or(rest.len());
        (start + column).min(end)
    }

    #[test]
    fn ascii_columns_are_found_without_walking_and_agree() {
        let text = "id: A\nlist: [a, b, c]\n\nlast line";
        let index = LineIndex::new(text);
        for line in 1..=4 {
            for column in 0..20 {
                assert_eq!(
                    index.offset_of(text, line, column),
                    walked(text, line, column),
                    "{line}:{column}"
                );
            }
        }
        assert_eq!(index.offset_of(text, 9, 0), text.len());
    }

    #[test]
    fn line_and_column_count_characters_not_bytes() {
        let file = SourceFile::new("x".into(), std::sync::Arc::new("ab\néé: x\n".into()));
        let x = file.text.find('x').unwrap();
        assert_eq!(file.line_col(x), (2, 5));
        assert_eq!(file.offset_of(2, 4), x);
        assert_eq!(file.line_col(0), (1, 1));
        assert_eq!(file.line_span(x), 3..10);
    }

    #[test]
    fn offsets_past_the_end_are_clamped() {
        let file = SourceFile::new("x".into(), std::sync::Arc::new("a".into()));
        assert_eq!(file.offset_of(9, 0), 1);
        assert_eq!(file.line_col(99), (1, 2));
    }
}
