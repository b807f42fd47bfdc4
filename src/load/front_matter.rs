//! Splits a Markdown source into its YAML front matter and its body.

use std::ops::Range;

#[derive(Debug)]
pub struct Split<'a> {
    pub yaml: &'a str,
    /// Byte offset of `yaml` in the file.
    pub yaml_start: usize,
    pub body: &'a str,
    /// Byte offset of `body` in the file.
    pub body_start: usize,
}

#[derive(Debug, PartialEq)]
pub struct SplitError {
    pub span: Range<usize>,
    pub message: &'static str,
    pub help: &'static str,
}

/// Lines with their byte offsets, without the line ending (`\n` or `\r\n`).
fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split_inclusive('\n').scan(0, |offset, line| {
        let start = *offset;
        *offset += line.len();
        Some((start, line.trim_end_matches(['\n', '\r'])))
    })
}

pub fn split(text: &str) -> Result<Split<'_>, SplitError> {
    let mut lines = lines(text);
    let first = lines.next();
    if first.is_none_or(|(_, line)| line.trim_end() != "---") {
        let end = text.find('\n').unwrap_or(text.len());
        return Err(SplitError {
            span: 0..end,
            message: "missing front matter",
            help: "start the file with a line `---`, then `id:` and `title:`, then another `---`",
        });
    }
    let yaml_start = text.find('\n').map_or(text.len(), |i| i + 1);
    for (start, line) in lines {
        if line.trim_end() == "---" {
            let body_start = (start + line.len()..text.len())
                .find(|&i| text.as_bytes()[i] == b'\n')
                .map_or(text.len(), |i| i + 1);
            return Ok(Split {
                yaml: &text[yaml_start..start],
                yaml_start,
                body: &text[body_start..],
                body_start,
            });
        }
    }
    Err(SplitError {
        span: 0..3,
        message: "front matter never closes",
        help: "add a line `---` after the last front-matter field",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_front_matter_from_body() {
        let text = "---\nid: P\n---\n# Body\n";
        let split = split(text).unwrap();
        assert_eq!(split.yaml, "id: P\n");
        assert_eq!(split.yaml_start, 4);
        assert_eq!(split.body, "# Body\n");
        assert_eq!(&text[split.body_start..], "# Body\n");
    }

    #[test]
    fn handles_crlf_and_no_body() {
        let split = split("---\r\nid: P\r\n---").unwrap();
        assert_eq!(split.yaml, "id: P\r\n");
        assert_eq!(split.body, "");
    }

    #[test]
    fn a_thematic_break_inside_the_body_is_body() {
        let split = split("---\nid: P\n---\na\n\n---\nb\n").unwrap();
        assert_eq!(split.body, "a\n\n---\nb\n");
    }

    #[test]
    fn missing_and_unclosed_front_matter_are_errors() {
        assert_eq!(
            split("# Title\n").unwrap_err().message,
            "missing front matter"
        );
        assert_eq!(split("").unwrap_err().message, "missing front matter");
        assert_eq!(
            split("---\nid: P\n# never closed\n").unwrap_err().message,
            "front matter never closes"
        );
    }
}
