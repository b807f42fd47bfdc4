//! The lines a finding shows, cut to a window around its labels when a line is long.
//!
//! A Markdown paragraph is often one line of hundreds of characters: shown whole, a
//! finding at its end was a screenful of text, hundreds of spaces and the carets (1 KB a
//! warning; 10 MB for the 8,900 warnings of the benchmark's corpus). Each finding is
//! printed from an excerpt of its files: the lines its labels touch, a long one cut to
//! its labels and some context, marked `…` where cut. `path:line:col` and the line
//! numbers stay those of the source.

use crate::sources::{FileId, SourceFile, Sources};
use codespan_reporting::files::{self, Files};
use std::ops::Range;

/// A line longer than this (in characters) is cut around its labels.
const LONG_LINE: usize = 120;
/// Characters kept on each side of the labels of a cut line.
const CONTEXT: usize = 40;
const CUT: &str = "…";

/// One source line as an excerpt shows it.
struct Line {
    /// Its index in the source (0-based).
    index: usize,
    /// Where it is in the excerpt's text, its newline included.
    range: Range<usize>,
    /// Where the source's line starts, and where the part kept of it starts.
    start: usize,
    kept_from: usize,
    /// Bytes of the `…` before the part kept.
    cut_before: usize,
}

/// The lines of one source file that a finding's labels touch.
struct Excerpt<'s> {
    file: FileId,
    source: &'s SourceFile,
    text: String,
    lines: Vec<Line>,
}

/// The excerpts one finding is printed from: `Files` for codespan, whose file ids index
/// `excerpts`.
pub struct Excerpts<'s> {
    sources: &'s Sources,
    excerpts: Vec<Excerpt<'s>>,
}

impl<'s> Excerpts<'s> {
    /// Excerpts for labels at `spans` (file and span in it, each within its text and on
    /// character boundaries); returns, for each span, its excerpt's id and its span there.
    pub fn new(
        sources: &'s Sources,
        spans: &[(FileId, Range<usize>)],
    ) -> (Excerpts<'s>, Vec<(usize, Range<usize>)>) {
        let mut files: Vec<FileId> = spans.iter().map(|(file, _)| *file).collect();
        files.sort_unstable();
        files.dedup();
        let excerpts: Vec<Excerpt> = (files.iter())
            .map(|&file| {
                let in_file: Vec<&Range<usize>> = (spans.iter())
                    .filter(|(f, _)| *f == file)
                    .map(|(_, span)| span)
                    .collect();
                Excerpt::new(sources, file, &in_file)
            })
            .collect();
        let placed = (spans.iter())
            .map(|(file, span)| {
                let id = files.binary_search(file).unwrap_or_default();
                let excerpt = &excerpts[id];
                (id, excerpt.place(span.start)..excerpt.place(span.end))
            })
            .collect();
        (Excerpts { sources, excerpts }, placed)
    }
}

impl<'s> Excerpt<'s> {
    fn new(sources: &'s Sources, file: FileId, spans: &[&Range<usize>]) -> Excerpt<'s> {
        let source = sources.get(file);
        let line_of = |at: usize| source.line_col(at).0 - 1;
        // Each line a label touches; a label over several lines keeps them all whole.
        let mut touched: Vec<(usize, Option<Range<usize>>)> = Vec::new();
        for span in spans {
            let (first, last) = (line_of(span.start), line_of(span.end));
            if first == last {
                touched.push((first, Some((*span).clone())));
            } else {
                touched.extend((first..=last).map(|line| (line, None)));
            }
        }
        touched.sort_by_key(|(line, _)| *line);
        let mut excerpt = Excerpt {
            file,
            source,
            text: String::new(),
            lines: Vec::new(),
        };
        let mut shown: Vec<usize> = touched.iter().map(|(line, _)| *line).collect();
        shown.dedup();
        // codespan shows the one line between two it shows (rather than a break): it
        // must be in the excerpt too.
        let between: Vec<usize> = (shown.windows(2))
            .filter(|pair| pair[1] - pair[0] == 2)
            .map(|pair| pair[0] + 1)
            .collect();
        shown.extend(between);
        shown.sort_unstable();
        for index in shown {
            let labels: Option<Vec<&Range<usize>>> = (touched.iter())
                .filter(|(line, _)| *line == index)
                .map(|(_, span)| span.as_ref())
                .collect();
            excerpt.push_line(index, labels);
        }
        excerpt
    }

    /// Adds source line `index`, cut around `labels` when it is long (`None`: a label
    /// goes on to another line, and the line is kept whole).
    fn push_line(&mut self, index: usize, labels: Option<Vec<&Range<usize>>>) {
        let source = self.source;
        let text = source.text.as_str();
        let Range { start, end } = source.line_span(source.offset_of(index + 1, 0));
        let line = &text[start..end];
        let (mut kept, mut cut_before, mut cut_after) = (start..end, false, false);
        if let Some(labels) = labels.filter(|_| line.chars().count() > LONG_LINE) {
            // A line without labels (between two shown) is shown from its start.
            let from = labels.iter().map(|l| l.start).min().unwrap_or(start);
            let to = labels.iter().map(|l| l.end).max().unwrap_or(start);
            let before = text[start..from].char_indices().rev().nth(CONTEXT - 1);
            let after = text[to..end].char_indices().nth(CONTEXT);
            if let Some((at, _)) = before.filter(|&(at, _)| at > 0) {
                kept.start = start + at;
                cut_before = true;
            }
            if let Some((at, _)) = after {
                kept.end = to + at;
                cut_after = true;
            }
        }
        let begin = self.text.len();
        if cut_before {
            self.text.push_str(CUT);
        }
        self.text.push_str(&text[kept.clone()]);
        if cut_after {
            self.text.push_str(CUT);
        }
        self.text.push('\n');
        self.lines.push(Line {
            index,
            range: begin..self.text.len(),
            start,
            kept_from: kept.start,
            cut_before: if cut_before { CUT.len() } else { 0 },
        });
    }

    /// Where source offset `at` (on a line of the excerpt) is in the excerpt's text.
    fn place(&self, at: usize) -> usize {
        let index = self.source.line_col(at).0 - 1;
        let Some(line) = self.lines.iter().find(|l| l.index == index) else {
            return 0;
        };
        let offset = line.range.start + line.cut_before + at.saturating_sub(line.kept_from);
        // Past the part kept (only a label's own end can be): at the line's end.
        offset.min(line.range.end - 1)
    }

    fn line(&self, index: usize) -> Result<&Line, files::Error> {
        (self.lines.iter().find(|l| l.index == index)).ok_or(files::Error::LineTooLarge {
            given: index,
            max: self.lines.last().map_or(0, |l| l.index),
        })
    }
}

impl<'e> Files<'e> for Excerpts<'_> {
    type FileId = usize;
    type Name = String;
    type Source = &'e str;

    fn name(&'e self, id: usize) -> Result<String, files::Error> {
        let excerpt = self.excerpts.get(id).ok_or(files::Error::FileMissing)?;
        Ok(self.sources.path(excerpt.file).display().to_string())
    }

    fn source(&'e self, id: usize) -> Result<&'e str, files::Error> {
        let excerpt = self.excerpts.get(id).ok_or(files::Error::FileMissing)?;
        Ok(&excerpt.text)
    }

    /// The source's line index of an offset in the excerpt.
    fn line_index(&'e self, id: usize, byte_index: usize) -> Result<usize, files::Error> {
        let excerpt = self.excerpts.get(id).ok_or(files::Error::FileMissing)?;
        let line = (excerpt.lines.iter())
            .find(|l| byte_index < l.range.end)
            .or(excerpt.lines.last())
            .ok_or(files::Error::FileMissing)?;
        Ok(line.index)
    }

    fn line_range(&'e self, id: usize, line_index: usize) -> Result<Range<usize>, files::Error> {
        let excerpt = self.excerpts.get(id).ok_or(files::Error::FileMissing)?;
        Ok(excerpt.line(line_index)?.range.clone())
    }

    /// The column in the source (characters from the line's start, from 1), not in the
    /// excerpt: `path:line:col` names the source.
    fn column_number(
        &'e self,
        id: usize,
        line_index: usize,
        byte_index: usize,
    ) -> Result<usize, files::Error> {
        let excerpt = self.excerpts.get(id).ok_or(files::Error::FileMissing)?;
        let line = excerpt.line(line_index)?;
        let into_kept = byte_index.saturating_sub(line.range.start + line.cut_before);
        let text = excerpt.source.text.as_str();
        let at = (line.kept_from + into_kept).min(text.len());
        let before = text.get(line.start..at).unwrap_or_default();
        Ok(before.chars().count() + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{At, Code, Finding};
    use codespan_reporting::diagnostic::{Diagnostic, Label};
    use codespan_reporting::term::{self, termcolor::Buffer};
    use proptest::prelude::*;

    fn printed(findings: &[Finding], sources: &Sources) -> String {
        let mut out = Buffer::no_color();
        super::super::print_text(findings, sources, &mut out).expect("printed");
        String::from_utf8(out.into_inner()).expect("UTF-8")
    }

    /// The whole files, as findings were printed before excerpts.
    struct Whole<'a>(&'a Sources);

    impl<'a> Files<'a> for Whole<'a> {
        type FileId = usize;
        type Name = String;
        type Source = &'a str;
        fn name(&'a self, id: usize) -> Result<String, files::Error> {
            Ok(self.0.path(id).display().to_string())
        }
        fn source(&'a self, id: usize) -> Result<&'a str, files::Error> {
            Ok(&self.0.get(id).text)
        }
        fn line_index(&'a self, id: usize, at: usize) -> Result<usize, files::Error> {
            Ok(self.0.get(id).line_col(at).0 - 1)
        }
        fn line_range(&'a self, id: usize, line: usize) -> Result<Range<usize>, files::Error> {
            let file = self.0.get(id);
            let span = file.line_span(file.offset_of(line + 1, 0));
            Ok(span.start..(span.end + 1).min(file.text.len()))
        }
    }

    fn printed_whole(finding: &Finding, sources: &Sources) -> String {
        let mut labels = Vec::new();
        if let Some(at) = &finding.at {
            labels.push(Label::primary(at.file, at.span.clone()).with_message(""));
        }
        for (at, note) in &finding.notes {
            labels.push(Label::secondary(at.file, at.span.clone()).with_message(note));
        }
        let diagnostic = match finding.severity {
            crate::finding::Severity::Error => Diagnostic::error(),
            crate::finding::Severity::Warning => Diagnostic::warning(),
        }
        .with_code(finding.code.as_str())
        .with_message(finding.message.clone())
        .with_labels(labels);
        let mut out = Buffer::no_color();
        let config = term::Config::default();
        term::emit_to_write_style(&mut out, &config, &Whole(sources), &diagnostic)
            .expect("printed");
        String::from_utf8(out.into_inner()).expect("UTF-8")
    }

    #[test]
    fn a_long_line_is_cut_around_its_label_and_named_by_its_source_column() {
        let mut sources = Sources::default();
        let paragraph = format!(
            "# Policy\n\n{}See [the plan](plan.md) now.\n",
            "word ".repeat(120)
        );
        let start = paragraph.find("[the plan]").expect("the link");
        let file = sources.add("content/policies/ai.md".into(), paragraph.clone());
        let finding = Finding::new(Code::BrokenLink, "no such file").at(At {
            file,
            span: start..start + "[the plan](plan.md)".len(),
        });
        let text = printed(&[finding], &sources);
        // 600 characters of words and `See ` before the link.
        assert!(text.contains("content/policies/ai.md:3:605"), "{text}");
        let shown = (text.lines())
            .find(|l| l.starts_with("3 │"))
            .expect("the line");
        assert!(shown.starts_with("3 │ … word word"), "{shown}");
        assert!(shown.ends_with("[the plan](plan.md) now."), "{shown}");
        assert!(shown.chars().count() < 100, "{shown}");
        let carets = (text.lines())
            .find(|l| l.contains('^'))
            .expect("the carets");
        let column = |line: &str, c: char| line.chars().position(|x| x == c);
        assert_eq!(
            column(carets, '^'),
            column(shown, '['),
            "the carets under the link"
        );
    }

    fn text_strategy() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just("word ".to_string()),
            Just("é".to_string()),
            Just("日本".to_string()),
            Just("\n".to_string()),
            Just("\r\n".to_string()),
            Just("a".repeat(130)),
            Just("\t".to_string()),
        ];
        prop::collection::vec(piece, 0..40).prop_map(|p| p.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]
        #[test]
        fn any_labels_print_without_panic_at_their_source_location_and_short_lines_whole(
            texts in prop::collection::vec(text_strategy(), 1..3),
            labels in prop::collection::vec((0usize..3, 0usize..6000, 0usize..400), 1..4),
        ) {
            let mut sources = Sources::default();
            for (n, text) in texts.iter().enumerate() {
                sources.add(format!("content/f{n}.md").into(), text.clone());
            }
            let places: Vec<At> = (labels.iter())
                .map(|&(file, start, len)| {
                    let file = file % texts.len();
                    let text = &texts[file];
                    let span = super::super::safe_span(text, &(start..start + len));
                    At { file, span }
                })
                .collect();
            let mut finding = Finding::new(Code::BrokenLink, "m").at(places[0].clone());
            for at in &places[1..] {
                finding = finding.note(at.clone(), "n");
            }
            let text = printed(std::slice::from_ref(&finding), &sources);
            let (line, column) = sources.get(places[0].file).line_col(places[0].span.start);
            let header = format!("content/f{}.md:{line}:{column}", places[0].file);
            prop_assert!(text.contains(&header), "{} in {}", header, text);
            let long = (places.iter()).any(|at| {
                let file = sources.get(at.file);
                let lines = file.line_col(at.span.start).0..=file.line_col(at.span.end).0;
                lines.into_iter().any(|n| {
                    let start = file.offset_of(n, 0);
                    file.text[start..file.line_span(start).end].chars().count() > LONG_LINE
                })
            });
            if !long {
                prop_assert_eq!(text, printed_whole(&finding, &sources));
            }
        }
    }
}
