//! Findings for the tools CI runs them in: GitHub workflow commands (annotations on the
//! changed lines of a pull request) and SARIF 2.1.0 (code-scanning dashboards).

use crate::finding::{Finding, Severity};
use crate::sources::Sources;
use serde_json::json;
use std::io::{self, Write};

/// Where a finding points, as the repository names it: `prefix` is the site's folder in
/// its repository (`""` when the site is the repository), so that a pull request's
/// annotations land on its files.
struct Place {
    path: Option<String>,
    line: Option<usize>,
    column: Option<usize>,
}

fn place_of(finding: &Finding, sources: &Sources, prefix: &str) -> Place {
    let join = |path: &std::path::Path| {
        let path = path.display().to_string().replace('\\', "/");
        if prefix.is_empty() {
            path
        } else {
            format!("{}/{path}", prefix.trim_end_matches('/'))
        }
    };
    match (&finding.at, &finding.path) {
        (Some(at), _) => {
            let file = sources.get(at.file);
            let (line, column) = file.line_col(at.span.start);
            Place {
                path: Some(join(&file.path)),
                line: Some(line),
                column: Some(column),
            }
        }
        (None, Some(path)) => Place {
            path: Some(join(path)),
            line: None,
            column: None,
        },
        (None, None) => Place {
            path: None,
            line: None,
            column: None,
        },
    }
}

/// The text of a finding: its message, its label (a "did you mean"), its other places
/// and its help, each on a line of its own.
fn text_of(finding: &Finding, sources: &Sources, prefix: &str) -> String {
    let mut lines = vec![finding.message.clone()];
    // A label the help already says once is not said twice.
    let said_in_help =
        |label: &String| (finding.help.as_deref()).is_some_and(|h| h.contains(label.as_str()));
    lines.extend((finding.label.clone()).filter(|l| !l.is_empty() && !said_in_help(l)));
    lines.extend(super::related_lines(finding, sources, prefix));
    lines.extend(finding.help.clone());
    lines.join("\n")
}

/// A workflow command's data: `%`, CR and LF escaped (GitHub's `escapeData`).
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A workflow command's property value: also `:` and `,` (GitHub's `escapeProperty`).
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// One `::error file=…,line=…,col=…,title=code::message` line per finding.
pub fn print_github(
    findings: &[Finding],
    sources: &Sources,
    prefix: &str,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut out = io::BufWriter::new(out);
    for finding in findings {
        let command = match finding.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let place = place_of(finding, sources, prefix);
        let mut properties = Vec::new();
        if let Some(path) = &place.path {
            properties.push(format!("file={}", escape_property(path)));
        }
        if let Some(line) = place.line {
            properties.push(format!("line={line}"));
        }
        if let Some(column) = place.column {
            properties.push(format!("col={column}"));
        }
        properties.push(format!("title={}", escape_property(finding.code.as_str())));
        writeln!(
            out,
            "::{command} {}::{}",
            properties.join(","),
            escape_data(&text_of(finding, sources, prefix))
        )?;
    }
    out.flush()
}

/// A relative path as a URI reference: each segment percent-encoded, so that `%`, `#`,
/// `?`, `:` or a space in a name is not read as URI syntax.
fn uri_of(path: &str) -> String {
    use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
    const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    (path.split('/'))
        .map(|segment| utf8_percent_encode(segment, SEGMENT).to_string())
        .collect::<Vec<_>>()
        .join("/")
}

/// The findings as one SARIF 2.1.0 log: a rule per finding code, a result per finding.
pub fn print_sarif(
    findings: &[Finding],
    sources: &Sources,
    prefix: &str,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut codes: Vec<&str> = findings.iter().map(|f| f.code.as_str()).collect();
    codes.sort_unstable();
    codes.dedup();
    let rules: Vec<serde_json::Value> = codes
        .iter()
        .map(|code| {
            json!({
                "id": code,
                "name": code,
                "shortDescription": {"text": code},
            })
        })
        .collect();
    let results: Vec<serde_json::Value> = findings
        .iter()
        .map(|finding| {
            let place = place_of(finding, sources, prefix);
            let level = match finding.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            let code = finding.code.as_str();
            let mut result = json!({
                "ruleId": code,
                "ruleIndex": codes.iter().position(|c| *c == code).unwrap_or(0),
                "level": level,
                "message": {"text": text_of(finding, sources, prefix)},
            });
            if let Some(path) = place.path {
                let mut location = json!({"artifactLocation": {"uri": uri_of(&path)}});
                if let (Some(line), Some(column)) = (place.line, place.column) {
                    location["region"] = json!({"startLine": line, "startColumn": column});
                }
                result["locations"] = json!([{"physicalLocation": location}]);
            }
            result
        })
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "trustbook",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sarif_paths_are_uri_references() {
        assert_eq!(
            uri_of("a:b/content/pages/p%41 #x?.md"),
            "a%3Ab/content/pages/p%2541%20%23x%3F.md"
        );
        assert_eq!(
            uri_of("content/controls/a-6-2-4.yaml"),
            "content/controls/a-6-2-4.yaml"
        );
    }

    #[test]
    fn workflow_command_values_are_escaped_as_github_does() {
        assert_eq!(escape_data("50% done\r\nnext"), "50%25 done%0D%0Anext");
        assert_eq!(escape_property("a:b,c%"), "a%3Ab%2Cc%25");
    }
}
