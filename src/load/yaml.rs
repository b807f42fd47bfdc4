//! Every use of YAML in trustbook goes through this module (serde_yaml 0.9 is unmaintained
//! upstream; keeping it here keeps a replacement to one file).
//!
//! serde_yaml gives typed values and guards against alias bombs and deep nesting, but a
//! value that parsed fine carries no position. Rules on values still need `path:line:col`,
//! so beside the typed parse we walk saphyr's event stream once and index the position of
//! every key and value by its path (`evidence.0.path`).

use crate::finding::{At, Code, Finding, did_you_mean};
use crate::hash::HashMap;
use crate::sources::{FileId, LineIndex};
use saphyr_parser::{Event, Parser};
use serde::de::DeserializeOwned;
use serde_yaml::Value;
use std::ops::Range;

/// Where each key and value of one YAML document is, by dotted path (`""` is the root).
#[derive(Clone, Default, Debug)]
pub struct Positions {
    // Shared: `serve` keeps each parse for the next load, which copies the record, and
    // every field has a position.
    values: std::sync::Arc<HashMap<String, Range<usize>>>,
    keys: std::sync::Arc<HashMap<String, Range<usize>>>,
}

impl Positions {
    /// The span of the value at exactly `path`, if it has one.
    pub fn exact(&self, path: &str) -> Option<Range<usize>> {
        self.values.get(path).cloned()
    }

    /// The span of the value at `path`, or of its nearest ancestor that has one.
    pub fn value(&self, path: &str) -> Range<usize> {
        let mut path = path;
        loop {
            if let Some(span) = self.values.get(path) {
                return span.clone();
            }
            match path.rfind('.') {
                Some(dot) => path = &path[..dot],
                None if !path.is_empty() => path = "",
                None => return 0..0,
            }
        }
    }

    /// The span of the key at `path`, falling back to the value's.
    pub fn key(&self, path: &str) -> Range<usize> {
        self.keys
            .get(path)
            .cloned()
            .unwrap_or_else(|| self.value(path))
    }

    /// These positions under other names: each `(new, old)` pair gives `new` the spans of
    /// `old` (or of its nearest ancestor). For a file read through a translation (OSCAL).
    pub fn renamed(&self, pairs: &[(String, String)]) -> Positions {
        let mut renamed = Positions::default();
        for (new, old) in pairs {
            std::sync::Arc::make_mut(&mut renamed.values).insert(new.clone(), self.value(old));
            std::sync::Arc::make_mut(&mut renamed.keys).insert(new.clone(), self.key(old));
        }
        renamed
    }

    /// Whether `other` (positions in `other_text`) holds the same paths as these
    /// (positions in `text`), each key and value written the same, but for the values at
    /// `except` and the whole document's: the same document with those top-level values
    /// edited (and its comments and spacing, maybe).
    pub fn same_but(
        &self,
        text: &str,
        other: &Positions,
        other_text: &str,
        except: &[&str],
    ) -> bool {
        let same = |here: &HashMap<String, Range<usize>>,
                    there: &HashMap<String, Range<usize>>,
                    except: &[&str]| {
            here.len() == there.len()
                && here.iter().all(|(path, span)| {
                    path.is_empty()
                        || except.contains(&path.as_str())
                        || there.get(path).is_some_and(|to| {
                            text.get(span.clone()).is_some()
                                && text.get(span.clone()) == other_text.get(to.clone())
                        })
                })
        };
        same(&self.values, &other.values, except) && same(&self.keys, &other.keys, &[])
    }

    /// Where `other` has what is at `span` here: a key, a value or the whole document
    /// exactly, or a part of a value (of a path that is not `except`) as far into the
    /// same value there. For the same document edited as `same_but` allows.
    pub fn counterpart(
        &self,
        span: &Range<usize>,
        other: &Positions,
        except: &[&str],
    ) -> Option<Range<usize>> {
        fn exact(
            span: &Range<usize>,
            here: &HashMap<String, Range<usize>>,
            there: &HashMap<String, Range<usize>>,
        ) -> Option<Range<usize>> {
            (here.iter()).find_map(|(path, at)| (at == span).then(|| there.get(path).cloned())?)
        }
        let found = exact(span, &self.values, &other.values);
        if let Some(found) = found.or_else(|| exact(span, &self.keys, &other.keys)) {
            return Some(found);
        }
        // The innermost value holding it: written the same there, so as far into it.
        let (path, at) = (self.values.iter())
            .filter(|(path, at)| {
                !path.is_empty()
                    && !except.contains(&path.as_str())
                    && at.start <= span.start
                    && span.end <= at.end
            })
            .min_by_key(|(_, at)| at.len())?;
        let to = other.values.get(path)?;
        let start = to.start + (span.start - at.start);
        Some(start..start + span.len())
    }

    /// The span of item `index` of the list at `path`.
    pub fn item(&self, path: &str, index: usize) -> Range<usize> {
        self.value(&format!("{path}.{index}"))
    }
}

/// A parsed record: the typed value when it deserialized, the positions in any case.
#[derive(Clone)]
pub struct Parsed<T> {
    pub data: Option<T>,
    pub positions: Positions,
    /// The `id` field as written, kept even when the record failed to deserialize so that
    /// one bad field does not also cause "missing record" findings elsewhere.
    pub raw_id: Option<String>,
}

/// Where the YAML text sits: a whole file, or a front matter inside one.
pub struct Origin<'a> {
    pub file: FileId,
    /// Byte offset of `text` inside the file.
    pub base: usize,
    pub text: &'a str,
}

impl Origin<'_> {
    /// A place given by an absolute span (as `Positions` hold them).
    fn at(&self, span: Range<usize>) -> At {
        At {
            file: self.file,
            span,
        }
    }

    /// A place given by a span relative to `text`.
    fn at_relative(&self, span: Range<usize>) -> At {
        self.at(span.start + self.base..span.end + self.base)
    }
}

/// Parses one record, reporting every problem it can find rather than only the first:
/// all missing required fields, then each unknown field or bad value in turn (each bad
/// entry is dropped and deserialization retried, so one typo does not hide the next).
pub fn parse<T: DeserializeOwned>(
    origin: &Origin,
    required: &[&str],
    findings: &mut Vec<Finding>,
) -> Parsed<T> {
    let failed = |positions| Parsed {
        data: None,
        positions,
        raw_id: None,
    };
    let lines = LineIndex::new(origin.text);
    // saphyr first: it stops at deep nesting at once, where libyaml (inside serde_yaml)
    // takes seconds to scan a line of 100,000 `[` before giving up.
    let positions = match index_positions(origin.text, &lines, origin.base) {
        Ok(positions) => positions,
        Err((offset, message)) => {
            findings.push(syntax_finding(origin, offset, &message));
            return Parsed {
                data: None,
                positions: Positions::default(),
                raw_id: id_by_line(origin.text),
            };
        }
    };
    let value: Value = match serde_yaml::from_str(origin.text) {
        Ok(value) => value,
        Err(err) => {
            let offset = err.location().map_or(0, |l| {
                lines.offset_of(origin.text, l.line(), l.column().saturating_sub(1))
            });
            let message = err.to_string();
            // The parser places a repeated key at its mapping's start: shown there, the
            // author cannot see which line to remove.
            let offset = repeated_key(origin.text, offset, &message).unwrap_or(offset);
            findings.push(syntax_finding(origin, offset, &message));
            return Parsed {
                data: None,
                positions,
                raw_id: id_by_line(origin.text),
            };
        }
    };
    let root = positions.value("");
    let mapping = match &value {
        Value::Mapping(mapping) => mapping,
        Value::Null => {
            findings.push(
                Finding::new(Code::MissingField, "this file has no fields")
                    .at(origin.at(root))
                    .help(format!(
                        "write the record's fields, starting with `{}: …`",
                        required[0]
                    )),
            );
            return failed(positions);
        }
        other => {
            findings.push(
                Finding::new(
                    Code::BadValue,
                    format!("expected `field: value` lines, found {}", kind_of(other)),
                )
                .at(origin.at(root)),
            );
            return failed(positions);
        }
    };
    let raw_id = mapping.get("id").and_then(scalar_text);
    let missing: Vec<&str> = required
        .iter()
        .copied()
        .filter(|field| mapping.get(*field).is_none_or(Value::is_null))
        .collect();
    let first_missing = findings.len();
    for field in &missing {
        findings.push(
            Finding::new(
                Code::MissingField,
                format!("missing required field `{field}`"),
            )
            .at(origin.at_relative(first_line(
                origin.text,
                root.start.saturating_sub(origin.base),
            )))
            .help(format!("add a line `{field}: …`")),
        );
    }

    let parsed = deserialize_leniently(origin, value, positions, raw_id, &missing, findings);
    // A required field written with a typo is one mistake: the unknown field's "did you
    // mean" says it, and "missing" at the record's first line would send the reader
    // looking for a line to add.
    let meant: Vec<String> = (findings[first_missing..].iter())
        .filter(|f| f.code == Code::UnknownField)
        .filter_map(|f| {
            f.label
                .as_deref()?
                .strip_prefix("did you mean `")?
                .strip_suffix("`?")
                .map(String::from)
        })
        .collect();
    let mut index = 0;
    findings.retain(|f| {
        let said_twice = index >= first_missing
            && f.code == Code::MissingField
            && meant
                .iter()
                .any(|field| f.message == format!("missing required field `{field}`"));
        index += 1;
        !said_twice
    });
    parsed
}

/// Deserializes `value`, reporting each bad entry and removing it to find the next (each
/// round either succeeds or removes one entry, so this ends): one run reports every bad
/// value of a file, not just the first.
fn deserialize_leniently<T: DeserializeOwned>(
    origin: &Origin,
    mut value: Value,
    positions: Positions,
    raw_id: Option<String>,
    missing: &[&str],
    findings: &mut Vec<Finding>,
) -> Parsed<T> {
    let mut removed: Vec<String> = Vec::new();
    loop {
        match serde_path_to_error::deserialize::<_, T>(value.clone()) {
            Ok(data) => {
                let data = missing.is_empty().then_some(data);
                return Parsed {
                    data,
                    positions,
                    raw_id,
                };
            }
            Err(err) => {
                let path = dotted(err.path());
                let message = err.inner().to_string();
                // Already reported above, all at once.
                let missing_top_level = path.is_empty() && message.starts_with("missing field");
                let null_required = missing.contains(&path.as_str());
                // A field removed for a bad value is then "missing": reported once already.
                let removed_before = backticked(&message).first().is_some_and(|field| {
                    let full = if path.is_empty() {
                        field.clone()
                    } else {
                        format!("{path}.{field}")
                    };
                    message.starts_with("missing field") && removed.contains(&full)
                });
                if !missing_top_level && !null_required && !removed_before {
                    findings.push(value_finding(origin, &positions, &path, &message));
                }
                removed.push(path.clone());
                if !remove_at(&mut value, &path) {
                    return Parsed {
                        data: None,
                        positions,
                        raw_id,
                    };
                }
            }
        }
    }
}

fn syntax_finding(origin: &Origin, offset: usize, message: &str) -> Finding {
    // serde_yaml appends " at line L column C"; the location is shown by the report.
    let message = message.split(" at line ").next().unwrap_or(message);
    if message.contains("found a tab")
        || message.contains("tabs disallowed")
        || message.contains("found character that cannot start any token")
    {
        // Point at the tab itself: libyaml reports the token before it.
        if let Some(tab) = tab_near(origin.text, offset) {
            let line = origin.text[..tab].matches('\n').count() + 1;
            return Finding::new(
                Code::YamlSyntax,
                "YAML does not allow tabs for indentation: use spaces",
            )
            .at(origin.at_relative(tab..tab + 1))
            .label("a tab")
            .help(format!(
                "replace the tab on line {line} with spaces (most editors can show tabs and convert them)"
            ));
        }
    }
    // `key:<tab>value`: the parser says only that `:` wants white space.
    if message.contains("must be followed by a valid YAML whitespace") {
        let before = offset.min(origin.text.len()).saturating_sub(1);
        if origin
            .text
            .get(before..)
            .is_some_and(|rest| rest.starts_with('\t'))
        {
            let line = origin.text[..before].matches('\n').count() + 1;
            return Finding::new(
                Code::YamlSyntax,
                "a tab after `:`: YAML wants a space between a field and its value",
            )
            .at(origin.at_relative(before..before + 1))
            .label("a tab")
            .help(format!("replace the tab on line {line} with a space"));
        }
    }
    if message.contains("mapping values are not allowed") {
        let line_start = (origin.text.get(..offset.min(origin.text.len())))
            .unwrap_or("")
            .rfind('\n')
            .map_or(0, |i| i + 1);
        let line = origin.text[line_start..].lines().next().unwrap_or("");
        if let Some((key, value)) = line.split_once(": ")
            && !key.trim().is_empty()
            && !value.trim().is_empty()
        {
            let quoted = value.trim().replace('\\', "\\\\").replace('"', "\\\"");
            let span = offset..(offset + 1).min(origin.text.len()).max(offset);
            return Finding::new(
                Code::YamlSyntax,
                "invalid YAML: a value holds `: `, which YAML reads as the start of another field",
            )
            .at(origin.at_relative(span))
            .label("this `:`")
            .help(format!(
                "put the value in double quotes: `{key}: \"{quoted}\"`"
            ));
        }
    }
    // serde_yaml cannot hold a whole number past 128 bits: its words name Rust's types.
    if message.contains("as u128") || message.contains("as i128") {
        let line_start = (origin.text.get(..offset.min(origin.text.len())))
            .unwrap_or("")
            .rfind('\n')
            .map_or(0, |i| i + 1);
        let line = origin.text[line_start..].lines().next().unwrap_or("");
        let (key, value) = line.split_once(':').unwrap_or(("", line));
        let key = key.trim().trim_start_matches(['-', ' ']);
        return Finding::new(
            Code::BadValue,
            format!("`{key}` holds a number too large to read: {}", value.trim()),
        )
        .at(origin.at_relative(offset..offset.max(line_start + line.len())))
        .help(format!("write the number this field takes (see the README), or put text in quotes: `{key}: \"{}\"`", value.trim()));
    }
    let (code, help) = if message.contains("recursion limit") {
        (
            Code::YamlSyntax,
            "nesting is too deep: records are a few levels deep at most",
        )
    } else if message.contains("repetition limit") {
        (
            Code::YamlSyntax,
            "aliases expand too far: write the values out instead of `*alias`",
        )
    } else if message.contains("more than one document") {
        (
            Code::YamlSyntax,
            "a record is one YAML document: remove the `...` or `---` line inside it (front matter ends with `---`)",
        )
    } else if message.contains("duplicate entry") {
        (
            Code::YamlSyntax,
            "each field may appear once: remove one of them",
        )
    } else {
        (
            Code::YamlSyntax,
            "check the indentation, quotes and `:` on this line",
        )
    };
    let span = offset..(offset + 1).min(origin.text.len()).max(offset);
    Finding::new(code, format!("invalid YAML: {message}"))
        .at(origin.at_relative(span))
        .help(help)
}

/// Where a key that `message` says is repeated is written the second time, in the block
/// mapping that starts at `offset` (the parser's place for the error): the first line
/// after it, at the mapping's indentation, that writes the key again.
fn repeated_key(text: &str, offset: usize, message: &str) -> Option<usize> {
    let key = message.split_once("duplicate entry with key \"")?.1;
    let key = &key[..key.find('"')?];
    let line_start = text[..offset.min(text.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let indent = offset - line_start;
    let mut at = line_start;
    let mut seen = 0;
    for line in text[line_start..].split_inclusive('\n') {
        let written = line.trim_end();
        let depth = written.len() - written.trim_start().len();
        let rest = written.trim_start();
        let names = [
            format!("{key}:"),
            format!("\"{key}\":"),
            format!("'{key}':"),
        ];
        let is_key = depth == indent
            && names.iter().any(|n| rest.starts_with(n.as_str()))
            && !written.trim_start().starts_with('#');
        if is_key {
            seen += 1;
            if seen == 2 {
                return Some(at + depth);
            }
        }
        // A line less indented than the mapping ends it.
        if at > line_start && !written.trim().is_empty() && depth < indent {
            return None;
        }
        at += line.len();
    }
    None
}

/// The first tab in the indentation of the line at `offset` or of the lines after it.
fn tab_near(text: &str, offset: usize) -> Option<usize> {
    let line_start = text[..offset.min(text.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let mut at = line_start;
    for line in text[line_start..].split_inclusive('\n').take(3) {
        let indent = line.len() - line.trim_start_matches([' ', '\t']).len();
        if let Some(i) = line[..indent].find('\t') {
            return Some(at + i);
        }
        at += line.len();
    }
    None
}

fn value_finding(origin: &Origin, positions: &Positions, path: &str, message: &str) -> Finding {
    let quoted = backticked(message);
    let field = if path.is_empty() { "record" } else { path };
    if let Some(unknown) = message.strip_prefix("unknown field ").and(quoted.first()) {
        let known: Vec<&str> = quoted[1..].iter().map(String::as_str).collect();
        let suggestion = did_you_mean(unknown, known.iter().copied());
        let help = if known.is_empty() {
            "this entry takes no fields".to_string()
        } else {
            format!("{suggestion} known fields: {}", known.join(", "))
        };
        return Finding::new(Code::UnknownField, format!("unknown field `{unknown}`"))
            .at(origin.at(positions.key(path)))
            .label(suggestion)
            .help(help.trim().to_string());
    }
    if let Some(bad) = message.strip_prefix("unknown variant ").and(quoted.first()) {
        let allowed: Vec<&str> = quoted[1..].iter().map(String::as_str).collect();
        let suggestion = did_you_mean(bad, allowed.iter().copied());
        return Finding::new(
            Code::BadValue,
            format!("`{bad}` is not a valid value for `{}`", last_segment(field)),
        )
        .at(origin.at(positions.value(path)))
        .label(suggestion)
        .help(format!("use one of: {}", allowed.join(", ")));
    }
    if let Some(missing) = message.strip_prefix("missing field ").and(quoted.first()) {
        return Finding::new(
            Code::MissingField,
            format!("missing required field `{missing}` in `{field}`"),
        )
        .at(origin.at(positions.value(path)))
        .help(format!("add `{missing}: …` to this entry"));
    }
    if let Some(detail) = message.strip_prefix(crate::load::date::DATE_ERROR) {
        return Finding::new(
            Code::BadDate,
            format!("`{field}` is not a valid date: {detail}"),
        )
        .at(origin.at(positions.value(path)))
        .help(match (detail.contains(" days"), detail.split('`').nth(1)) {
            (true, Some(written)) => match crate::load::date::Date::month_end(written) {
                Some(end) => format!("the month's last day is {end}"),
                None => "write dates as YYYY-MM-DD, for example 2027-03-31".to_string(),
            },
            _ => "write dates as YYYY-MM-DD, for example 2027-03-31".to_string(),
        });
    }
    let detail = match message.strip_prefix("invalid type: ") {
        Some(detail) => {
            // A number as written (`1e41`), not as the reader printed it back.
            let span = positions.value(path);
            let written = (span.start.checked_sub(origin.base))
                .and_then(|start| origin.text.get(start..start + span.len()));
            in_words(detail, last_segment(field), written)
        }
        None => message.to_string(),
    };
    let finding = Finding::new(Code::BadValue, format!("bad value for `{field}`: {detail}"))
        .at(origin.at(positions.value(path)));
    if detail.starts_with("expected a list") {
        finding.help("write a list in square brackets, even of one item: `[A.6.2.6]`")
    } else if let Some(found) = (detail.strip_prefix("expected text, found the number "))
        .or_else(|| detail.strip_prefix("expected text, found "))
        .filter(|found| matches!(*found, "true" | "false") || found.parse::<f64>().is_ok())
    {
        // YAML reads `id: 12` or `name: yes`-like values as numbers and booleans.
        let name = last_segment(field);
        finding.help(format!(
            "YAML reads it as a number or true/false: put it in quotes, `{name}: \"{found}\"`"
        ))
    } else if detail.starts_with("expected a date") {
        let name = last_segment(field);
        finding.help(format!("write the day, as `{name}: 2027-03-31`"))
    } else {
        finding
    }
}

/// serde's "string \"x\", expected a sequence" in words a compliance lead reads; a number
/// is given as `written` in the source, when that is a number.
fn in_words(detail: &str, field: &str, written: Option<&str>) -> String {
    let (found, expected) = detail.split_once(", expected ").unwrap_or((detail, ""));
    let found = if let Some(text) = found.strip_prefix("string ") {
        format!("found the text {text}")
    } else if let Some(rest) = found
        .strip_prefix("integer ")
        .or_else(|| found.strip_prefix("floating point "))
    {
        let as_read = rest.trim_matches('`');
        let number = written
            .map(str::trim)
            .filter(|w| !w.is_empty() && w.parse::<f64>().is_ok())
            .unwrap_or(as_read);
        format!("found the number {number}")
    } else if let Some(rest) = found.strip_prefix("boolean ") {
        format!("found {}", rest.trim_matches('`'))
    } else {
        match found {
            "sequence" => "found a list".to_string(),
            "map" => "found a mapping (`key: value` lines)".to_string(),
            "unit value" => "found nothing".to_string(),
            other => format!("found {other}"),
        }
    };
    const ID_LISTS: [&str; 5] = ["controls", "policies", "risks", "systems", "related"];
    let expected = match expected {
        "a sequence" if ID_LISTS.contains(&field) => {
            "expected a list of ids such as [A.6.2.6, POL-AI-001]".to_string()
        }
        "a sequence" => "expected a list such as [first, second]".to_string(),
        "i64" | "u64" | "i32" | "u32" | "u16" | "u8" | "usize" => {
            "expected a whole number".to_string()
        }
        "a boolean" => "expected true or false".to_string(),
        "a string" | "text" => "expected text".to_string(),
        "" => String::new(),
        other if other.starts_with("struct ") || other == "a map" => {
            "expected `field: value` lines".to_string()
        }
        // serde's name for an enum (`a Value::Tagged enum`, `enum Visibility`) means
        // nothing to a writer of YAML.
        other if other.contains("enum") => "expected one of the words this field takes".to_string(),
        other => format!("expected {other}"),
    };
    if expected.is_empty() {
        found
    } else {
        format!("{expected}, {found}")
    }
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Sequence(_) => "a list",
        Value::Mapping(_) => "a mapping",
        Value::Tagged(_) => "a tagged value",
        _ => "a single value",
    }
}

fn first_line(text: &str, start: usize) -> Range<usize> {
    let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    start..end
}

fn last_segment(path: &str) -> &str {
    path.rsplit('.')
        .find(|s| s.parse::<usize>().is_err())
        .unwrap_or(path)
}

fn backticked(message: &str) -> Vec<String> {
    message
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

/// The value of a top-level `id:` line, read without parsing: for text that is not valid
/// YAML, so that its id still counts as defined and references to it are not reported too.
pub fn id_by_line(text: &str) -> Option<String> {
    text.lines()
        .find_map(|line| line.strip_prefix("id:"))
        .map(|value| {
            value
                .split(" #")
                .next()
                .unwrap_or("")
                .trim()
                .trim_matches(['"', '\''])
                .to_string()
        })
        .filter(|id| !id.is_empty())
}

/// A scalar as the text a user would call it (`2.1`, `true`, `POL-1`).
pub fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn dotted(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    path.iter()
        .filter_map(|segment| match segment {
            Segment::Seq { index } => Some(index.to_string()),
            Segment::Map { key } => Some(key.clone()),
            Segment::Enum { variant } => Some(variant.clone()),
            Segment::Unknown => None,
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// Removes the entry at a dotted path. False when there is nothing there to remove.
fn remove_at(value: &mut Value, path: &str) -> bool {
    let Some((parent_path, last)) = split_last(path) else {
        return false;
    };
    let mut parent = value;
    for segment in parent_path.split('.').filter(|s| !s.is_empty()) {
        let next = match parent {
            Value::Mapping(m) => m.get_mut(segment),
            Value::Sequence(s) => segment.parse::<usize>().ok().and_then(|i| s.get_mut(i)),
            _ => None,
        };
        match next {
            Some(next) => parent = next,
            None => return false,
        }
    }
    match parent {
        Value::Mapping(m) => m.remove(last).is_some(),
        Value::Sequence(s) => match last.parse::<usize>() {
            Ok(i) if i < s.len() => {
                s.remove(i);
                true
            }
            _ => false,
        },
        _ => false,
    }
}

fn split_last(path: &str) -> Option<(&str, &str)> {
    if path.is_empty() {
        return None;
    }
    Some(path.rsplit_once('.').unwrap_or(("", path)))
}

/// Records are a few levels deep; anything far deeper is a mistake or an attack, and its
/// paths would grow with the square of the depth.
const MAX_DEPTH: usize = 64;

enum Frame {
    Map { path: String, key: Option<String> },
    Seq { path: String, next: usize },
}

fn join(parent: &str, child: &str) -> String {
    if parent.is_empty() {
        child.to_string()
    } else {
        format!("{parent}.{child}")
    }
}

/// One pass over saphyr's events, with an explicit stack (no recursion on deep input).
/// Aliases are single events here, so an alias bomb costs nothing.
fn index_positions(
    text: &str,
    lines: &LineIndex,
    base: usize,
) -> Result<Positions, (usize, String)> {
    let mut positions = Positions::default();
    let mut stack: Vec<Frame> = Vec::new();
    let mut parser = Parser::new_from_str(text);
    let offset = |m: &saphyr_parser::Marker| base + lines.offset_of(text, m.line(), m.col());
    while let Some(next) = parser.next_event() {
        let (event, span) = next.map_err(|e| {
            let mark = e.marker();
            (
                lines.offset_of(text, mark.line(), mark.col()),
                e.info().to_string(),
            )
        })?;
        let start = offset(&span.start);
        let end = offset(&span.end).max(start);
        let node_path = match &event {
            Event::Scalar(..)
            | Event::SequenceStart(..)
            | Event::MappingStart(..)
            | Event::Alias(_) => {
                match stack.last_mut() {
                    Some(Frame::Map { path, key }) => match key.take() {
                        None => {
                            // This node is a key; remember it for the value that follows.
                            let name = match &event {
                                Event::Scalar(name, ..) => name.to_string(),
                                _ => "?".to_string(),
                            };
                            std::sync::Arc::make_mut(&mut positions.keys)
                                .insert(join(path, &name), start..end);
                            *key = Some(name);
                            if matches!(event, Event::Scalar(..) | Event::Alias(_)) {
                                continue;
                            }
                            join(path, "?")
                        }
                        Some(name) => join(path, &name),
                    },
                    Some(Frame::Seq { path, next }) => {
                        *next += 1;
                        join(path, &(*next - 1).to_string())
                    }
                    None => String::new(),
                }
            }
            Event::SequenceEnd | Event::MappingEnd => {
                stack.pop();
                continue;
            }
            _ => continue,
        };
        let value_span = match event {
            Event::Scalar(..) => start..end,
            _ => start..(start + 1).min(base + text.len()),
        };
        std::sync::Arc::make_mut(&mut positions.values)
            .entry(node_path.clone())
            .or_insert(value_span);
        if stack.len() >= MAX_DEPTH {
            return Err((start - base, "recursion limit exceeded".to_string()));
        }
        match event {
            Event::SequenceStart(..) => stack.push(Frame::Seq {
                path: node_path,
                next: 0,
            }),
            Event::MappingStart(..) => stack.push(Frame::Map {
                path: node_path,
                key: None,
            }),
            _ => {}
        }
    }
    Ok(positions)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_repeated_key_is_shown_where_it_is_written_again() {
        let text = "id: R-1\nowner: A\nnotes:\n  owner: nested\nimpact: 3\nowner: B\n";
        let message = "duplicate entry with key \"owner\" at line 1 column 1";
        assert_eq!(super::repeated_key(text, 0, message), text.find("owner: B"));
        // In a nested mapping, at its own indentation.
        let text = "id: R-1\nnotes:\n  a: 1\n  a: 2\nb: 3\n";
        let at = text.find("  a: 1").unwrap() + 2;
        let message = "duplicate entry with key \"a\"";
        assert_eq!(
            super::repeated_key(text, at, message),
            Some(text.find("  a: 2").unwrap() + 2)
        );
        assert_eq!(super::repeated_key(text, 0, "something else"), None);
    }

    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)] // only deserialized
    struct Item {
        title: String,
    }

    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)] // only deserialized
    struct Record {
        id: String,
        owner: String,
        score: Option<u8>,
        items: Option<Vec<Item>>,
    }

    fn run(text: &str) -> (Parsed<Record>, Vec<Finding>) {
        let mut findings = Vec::new();
        let origin = Origin {
            file: 0,
            base: 0,
            text,
        };
        let parsed = parse::<Record>(&origin, &["id", "owner"], &mut findings);
        (parsed, findings)
    }

    fn at<'a>(text: &'a str, finding: &Finding) -> &'a str {
        &text[finding.at.as_ref().unwrap().span.clone()]
    }

    /// A number past what YAML's reader holds is a bad value, told in words, not Rust's.
    #[test]
    fn a_number_too_large_is_a_bad_value() {
        for text in [
            "id: X\nowner: A\nscore: 99999999999999999999\n",
            "id: X\nowner: A\nitems:\n  - title: 99999999999999999999\n",
        ] {
            let (_, findings) = run(text);
            assert_eq!(findings.len(), 1, "{findings:?}");
            let finding = &findings[0];
            assert_eq!(finding.code, Code::BadValue, "{finding:?}");
            assert!(finding.message.contains("too large"), "{finding:?}");
            assert!(!finding.message.contains("u128"), "{finding:?}");
            assert!(at(text, finding).starts_with("9999"), "{finding:?}");
        }
    }

    /// A number is quoted as written (`1e41`), not as the reader printed it back.
    #[test]
    fn a_number_of_the_wrong_kind_is_quoted_as_written() {
        for (written, told) in [("1e41", "1e41"), ("2.5", "2.5"), ("1.0e2", "1.0e2")] {
            let text = format!("id: X\nowner: A\nscore: {written}\n");
            let (_, findings) = run(&text);
            assert_eq!(findings.len(), 1, "{written}: {findings:?}");
            let message = &findings[0].message;
            assert!(
                message.ends_with(&format!("found the number {told}")),
                "{message}"
            );
        }
    }

    #[test]
    fn positions_follow_paths_through_maps_and_lists() {
        let text = "id: X\nitems:\n  - title: a\n  - title: \"é b\"\ntags: [p, q]\n";
        let lines = LineIndex::new(text);
        let positions = index_positions(text, &lines, 0).unwrap();
        assert_eq!(&text[positions.value("id")], "X");
        assert_eq!(&text[positions.value("items.1.title")], "\"é b\"");
        assert_eq!(&text[positions.item("tags", 1)], "q");
        assert_eq!(&text[positions.key("items")], "items");
        // An unknown path falls back to its nearest ancestor.
        assert_eq!(&text[positions.value("items.1.nope")][..1], "t");
    }

    #[test]
    fn reports_every_problem_not_just_the_first() {
        let text = "id: X\ntitel: a\nscore: 300\nitems:\n  - title: a\n    extra: 1\n";
        let (parsed, mut findings) = run(text);
        findings.sort_by_key(|f| f.at.as_ref().unwrap().span.start);
        let codes: Vec<_> = findings.iter().map(|f| f.code).collect();
        assert_eq!(
            codes,
            [
                Code::MissingField,
                Code::UnknownField,
                Code::BadValue,
                Code::UnknownField
            ]
        );
        assert_eq!(at(text, &findings[1]), "titel");
        assert_eq!(at(text, &findings[2]), "300");
        assert_eq!(at(text, &findings[3]), "extra");
        assert!(parsed.data.is_none());
        assert_eq!(parsed.raw_id.as_deref(), Some("X"));
    }

    #[test]
    fn unknown_field_suggests_the_nearest() {
        let (_, findings) = run("id: X\nowner: o\nscroe: 3\n");
        assert_eq!(findings.len(), 1);
        assert!(
            findings[0]
                .help
                .as_ref()
                .unwrap()
                .contains("did you mean `score`?")
        );
    }

    #[test]
    fn syntax_errors_and_bombs_are_findings() {
        let (_, findings) = run("id: [1\n");
        assert_eq!(findings[0].code, Code::YamlSyntax);
        let mut bomb = String::from("a: &a [x,x,x,x,x,x,x,x,x,x]\n");
        for (prev, name) in ["a", "b", "c", "d", "e", "f", "g", "h"]
            .iter()
            .zip("bcdefghi".chars())
        {
            bomb.push_str(&format!(
                "{name}: &{name} [{}]\n",
                vec![format!("*{prev}"); 10].join(",")
            ));
        }
        let (_, findings) = run(&bomb);
        assert_eq!(findings[0].code, Code::YamlSyntax);
        let deep = format!("id: {}", "[".repeat(100_000));
        let (_, findings) = run(&deep);
        assert_eq!(findings[0].code, Code::YamlSyntax);
        let deep_block: String = (0..1_000)
            .map(|depth| format!("{}- a:\n", "  ".repeat(depth)))
            .collect();
        let (_, findings) = run(&deep_block);
        assert_eq!(findings[0].code, Code::YamlSyntax);
    }

    #[test]
    fn ids_are_found_in_broken_yaml() {
        assert_eq!(
            id_by_line("title: x\nid: \"A.2.2\" # note\n bad: [\n").as_deref(),
            Some("A.2.2")
        );
        assert_eq!(id_by_line("  id: nested\n"), None);
    }

    #[test]
    fn empty_and_non_mapping_documents_are_findings() {
        assert_eq!(run("").1[0].code, Code::MissingField);
        assert_eq!(run("- a\n").1[0].code, Code::BadValue);
    }
}
