//! Printing findings: for people (source excerpts with `path:line:col`) or as JSON lines
//! for tools.

use crate::finding::{Finding, Severity};
use crate::sources::Sources;
use codespan_reporting::diagnostic::{Diagnostic, Label};
use codespan_reporting::term;
use codespan_reporting::term::termcolor::{self, BufferedStandardStream, ColorChoice, WriteColor};
use serde::Serialize;
use std::io::{self, Write};
use std::ops::Range;

mod excerpt;
pub mod machine;

/// Clamps a span to the text and to character boundaries, so that rendering never panics.
fn safe_span(text: &str, span: &Range<usize>) -> Range<usize> {
    let fix = |mut i: usize| {
        i = i.min(text.len());
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let start = fix(span.start);
    start..fix(span.end).max(start)
}

/// A finding as codespan shows it, from the excerpts it returns with it.
fn to_diagnostic<'s>(
    finding: &Finding,
    sources: &'s Sources,
) -> (Diagnostic<usize>, excerpt::Excerpts<'s>) {
    let mut diagnostic = match finding.severity {
        Severity::Error => Diagnostic::error(),
        Severity::Warning => Diagnostic::warning(),
    }
    .with_code(finding.code.as_str())
    .with_message(match &finding.path {
        Some(path) if finding.at.is_none() => format!("{}: {}", path.display(), finding.message),
        _ => finding.message.clone(),
    });
    let places = (finding.at.iter())
        .chain(finding.notes.iter().map(|(at, _)| at))
        .map(|at| (at.file, safe_span(&sources.get(at.file).text, &at.span)));
    let spans: Vec<_> = places.collect();
    let (excerpts, placed) = excerpt::Excerpts::new(sources, &spans);
    let mut placed = placed.into_iter();
    let mut labels = Vec::new();
    if finding.at.is_some()
        && let Some((file, span)) = placed.next()
    {
        labels.push(
            Label::primary(file, span).with_message(finding.label.clone().unwrap_or_default()),
        );
    }
    for ((file, span), (_, note)) in placed.zip(&finding.notes) {
        labels.push(Label::secondary(file, span).with_message(note));
    }
    diagnostic = diagnostic.with_labels(labels);
    if let Some(help) = &finding.help {
        diagnostic = diagnostic.with_notes(vec![format!("help: {help}")]);
    }
    (diagnostic, excerpts)
}

/// In file order, then by position, so output reads top to bottom and is stable.
pub fn sort(findings: &mut [Finding], sources: &Sources) {
    findings.sort_by(|a, b| {
        let key = |f: &Finding| {
            let path = match (&f.at, &f.path) {
                (Some(at), _) => sources.path(at.file).to_path_buf(),
                (None, Some(path)) => path.clone(),
                (None, None) => Default::default(),
            };
            (path, f.at.as_ref().map_or(0, |at| at.span.start))
        };
        key(a).cmp(&key(b))
    });
}

/// Findings for people, on standard error, written in one go (codespan writes a character
/// at a time: unbuffered, a thousand findings cost a second of system calls).
pub fn print_to_stderr(
    findings: &[Finding],
    sources: &Sources,
    color: ColorChoice,
) -> io::Result<()> {
    let mut stderr = BufferedStandardStream::stderr(color);
    print_text(findings, sources, &mut stderr)?;
    stderr.flush()
}

pub fn print_text(
    findings: &[Finding],
    sources: &Sources,
    out: &mut dyn WriteColor,
) -> io::Result<()> {
    use rayon::prelude::*;
    let config = term::Config::default();
    // Formatted side by side in chunks (thousands of warnings on a large site), then
    // written in their order.
    let color = out.supports_color();
    let chunks: Vec<io::Result<termcolor::Buffer>> = findings
        .par_chunks(64)
        .map(|chunk| {
            let mut buffer = match color {
                true => termcolor::Buffer::ansi(),
                false => termcolor::Buffer::no_color(),
            };
            for finding in chunk {
                let (diagnostic, excerpts) = to_diagnostic(finding, sources);
                term::emit_to_write_style(&mut buffer, &config, &excerpts, &diagnostic)
                    .map_err(io::Error::other)?;
            }
            Ok(buffer)
        })
        .collect();
    for chunk in chunks {
        out.write_all(chunk?.as_slice())?;
    }
    Ok(())
}

/// More findings than this get a table of counts by code after them.
pub const SUMMARY_AFTER: usize = 10;

/// Counts by code, errors first, most frequent first: what to fix in bulk.
pub fn summary(findings: &[Finding]) -> String {
    let mut counts: Vec<(Severity, &'static str, usize)> = Vec::new();
    for finding in findings {
        let code = finding.code.as_str();
        match counts
            .iter_mut()
            .find(|(s, c, _)| *s == finding.severity && *c == code)
        {
            Some(entry) => entry.2 += 1,
            None => counts.push((finding.severity, code, 1)),
        }
    }
    counts.sort_by(|a, b| a.0.cmp(&b.0).then(b.2.cmp(&a.2)).then(a.1.cmp(b.1)));
    let width = counts.iter().map(|c| c.1.len()).max().unwrap_or(4).max(4);
    let mut out = format!("\n{:<width$}  {:>5}  severity\n", "code", "count");
    for (severity, code, count) in counts {
        let severity = match severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        out.push_str(&format!("{code:<width$}  {count:>5}  {severity}\n"));
    }
    out.push('\n');
    out
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    severity: &'static str,
    code: &'static str,
    message: &'a str,
    path: Option<String>,
    line: Option<usize>,
    column: Option<usize>,
    /// What is written under the source line: a "did you mean" suggestion, for one.
    #[serde(skip_serializing_if = "Option::is_none")]
    label: Option<&'a str>,
    /// Other places the finding names (the first definition of a duplicate, say).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related: Vec<JsonPlace<'a>>,
    help: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonPlace<'a> {
    path: String,
    line: usize,
    column: usize,
    note: &'a str,
}

/// The finding's other places as `path:line:col: note` lines, for formats with one text.
pub fn related_lines(finding: &Finding, sources: &Sources, prefix: &str) -> Vec<String> {
    (finding.notes.iter())
        .map(|(at, note)| {
            let file = sources.get(at.file);
            let (line, column) = file.line_col(at.span.start);
            let path = file.path.display().to_string().replace('\\', "/");
            let path = match prefix.is_empty() {
                true => path,
                false => format!("{}/{path}", prefix.trim_end_matches('/')),
            };
            format!("{path}:{line}:{column}: {note}")
        })
        .collect()
}

/// One JSON object per line, per finding.
pub fn print_json(findings: &[Finding], sources: &Sources, out: &mut dyn Write) -> io::Result<()> {
    let mut out = io::BufWriter::new(out);
    for finding in findings {
        let (path, line, column) = match (&finding.at, &finding.path) {
            (Some(at), _) => {
                let file = sources.get(at.file);
                let (line, column) = file.line_col(at.span.start);
                (
                    Some(file.path.display().to_string()),
                    Some(line),
                    Some(column),
                )
            }
            (None, Some(path)) => (Some(path.display().to_string()), None, None),
            (None, None) => (None, None, None),
        };
        let json = JsonFinding {
            severity: match finding.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            },
            code: finding.code.as_str(),
            message: &finding.message,
            path: path.map(|p| p.replace('\\', "/")),
            line,
            column,
            label: finding.label.as_deref().filter(|l| !l.is_empty()),
            related: (finding.notes.iter())
                .map(|(at, note)| {
                    let file = sources.get(at.file);
                    let (line, column) = file.line_col(at.span.start);
                    JsonPlace {
                        path: file.path.display().to_string().replace('\\', "/"),
                        line,
                        column,
                        note,
                    }
                })
                .collect(),
            help: finding.help.as_deref(),
        };
        serde_json::to_writer(&mut out, &json)?;
        writeln!(out)?;
    }
    out.flush()
}
