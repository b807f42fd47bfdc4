//! Finding and reading source files safely: nothing outside `content/` is read, no file is
//! too large to handle, text that is not UTF-8 is reported where it goes wrong, and line
//! endings and byte-order marks are normalised once, here.

use crate::finding::{At, Code, Finding};
use crate::sources::{FileId, Sources};
use std::fs;
use std::path::{Component, Path, PathBuf};

/// Larger than any real policy or record; keeps a stray data dump from stalling a build.
pub const MAX_SOURCE_BYTES: u64 = 8 * 1024 * 1024;

/// A source file found in a content folder.
#[derive(Clone)]
pub struct Found {
    /// The path as findings show it, relative to the site root.
    pub shown: PathBuf,
    pub real: PathBuf,
}

/// Files directly in `content/<folder>` whose extension is one of `extensions`, sorted by
/// name. Editor temp files and hidden files are skipped. Also whether the listing is
/// plain: neither the folder nor any entry in it is a symbolic link.
pub fn list(
    root: &Path,
    content: &Path,
    folder: &str,
    extensions: &[&str],
    findings: &mut Vec<Finding>,
) -> (Vec<Found>, bool) {
    let dir = content.join(folder);
    let shown_dir = dir.strip_prefix(root).unwrap_or(&dir).to_path_buf();
    let Ok(meta) = fs::symlink_metadata(&dir) else {
        return (Vec::new(), true);
    };
    let (found, no_links) = list_inside(root, content, &dir, &shown_dir, extensions, findings);
    (found, no_links && meta.is_dir())
}

fn list_inside(
    root: &Path,
    content: &Path,
    dir: &Path,
    shown_dir: &Path,
    extensions: &[&str],
    findings: &mut Vec<Finding>,
) -> (Vec<Found>, bool) {
    // The folder itself may be a link: it must stay inside content/ like any file.
    if let Err(reason) = resolve_inside(dir, content) {
        findings.push(
            Finding::new(Code::UnsafePath, reason)
                .in_file(shown_dir)
                .help("replace the link by the folder itself, inside content/"),
        );
        return (Vec::new(), false);
    }
    let Ok(entries) = fs::read_dir(dir) else {
        return (Vec::new(), false);
    };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
    entries.sort_by_key(|e| e.file_name());
    let no_links = !(entries.iter()).any(|e| e.file_type().is_ok_and(|t| t.is_symlink()));
    // Records are read from the folder itself: one in a subfolder would be lost without a
    // word, and the published list would quietly be incomplete.
    for entry in &entries {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let hidden = name.starts_with('.') || name.starts_with('#') || name.ends_with('~');
        if !hidden && entry.file_type().is_ok_and(|t| t.is_dir()) {
            let shown = shown_dir.join(&*name);
            findings.push(
                Finding::new(
                    Code::FolderNotRead,
                    format!(
                        "this folder is not read: sources are read only directly in {}/",
                        shown_dir.display()
                    ),
                )
                .in_file(shown)
                .help(format!(
                    "move its files up into {}/ (file names are free; the `id` inside counts)",
                    shown_dir.display()
                )),
            );
        }
    }
    let found = entries
        .into_iter()
        .filter(|entry| is_source(&entry.path(), extensions))
        .filter_map(|entry| {
            let path = entry.path();
            let shown = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
            // Only links need resolving; a plain file in a checked folder is inside.
            // (The entry's type comes with the listing: no look-up per file.)
            let kind = entry.file_type().ok()?;
            if !kind.is_symlink() {
                return kind.is_file().then_some(Found { shown, real: path });
            }
            match resolve_inside(&path, content) {
                Ok(real) if real.is_file() => Some(Found { shown, real }),
                Ok(_) => None,
                Err(reason) => {
                    findings.push(
                        Finding::new(Code::UnsafePath, reason)
                            .in_file(shown)
                            .help("replace the link by the file itself, inside content/"),
                    );
                    None
                }
            }
        })
        .collect();
    (found, no_links)
}

fn is_source(path: &Path, extensions: &[&str]) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let temp = name.starts_with('.') || name.starts_with('#') || name.ends_with('~');
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    !temp && extensions.contains(&extension)
}

/// Where `path` really is, if that is inside `content`. Symbolic links are followed only
/// when they stay inside; loops and dangling links are refused.
pub fn resolve_inside(path: &Path, content: &Path) -> Result<PathBuf, String> {
    let real = fs::canonicalize(path)
        .map_err(|e| format!("cannot follow this path: {}", plain_io_error(&e)))?;
    let content = fs::canonicalize(content).unwrap_or_else(|_| content.to_path_buf());
    if real.starts_with(&content) {
        Ok(real)
    } else {
        Err("this path leads outside content/".to_string())
    }
}

/// Reads a found file into `sources`, or says why it cannot be read.
/// A source file's bytes, or the finding that says why they cannot be had. Safe to call
/// from several threads at once (loading reads files in parallel).
pub fn read_bytes(found: &Found) -> Result<Vec<u8>, Box<Finding>> {
    let unreadable = |message: String| {
        Box::new(Finding::new(Code::UnreadableFile, message).in_file(found.shown.clone()))
    };
    let cannot_read =
        |e: std::io::Error| unreadable(format!("cannot read: {}", plain_io_error(&e)));
    // One open, then the size from the open file: no second lookup of the path.
    let mut file = fs::File::open(&found.real).map_err(cannot_read)?;
    let size = file.metadata().map_err(cannot_read)?.len();
    if size > MAX_SOURCE_BYTES {
        let finding = unreadable(format!(
            "file is {:.1} MiB, more than the {} MiB a source file may have",
            size as f64 / 1048576.0,
            MAX_SOURCE_BYTES / 1048576
        ));
        return Err(Box::new(finding.help(
            "split it, or move data files to content/assets/ and link to them",
        )));
    }
    let mut bytes = Vec::with_capacity(size as usize + 1);
    std::io::Read::read_to_end(&mut file, &mut bytes).map_err(cannot_read)?;
    Ok(bytes)
}

/// A source's bytes as every later stage sees them: without byte-order marks, and with
/// every line ending (CRLF, or CR alone as old Mac files have) made `\n`. Done once, here,
/// so that no rule that reads lines (internal markers above all) meets a line ending it
/// does not know.
pub fn normalised(mut bytes: Vec<u8>) -> Vec<u8> {
    if !normalising_changes(&bytes) {
        return bytes;
    }
    let mut start = 0;
    while bytes[start..].starts_with(BOM) {
        start += BOM.len();
    }
    let mut out = Vec::with_capacity(bytes.len() - start);
    let mut rest = bytes.drain(start..).peekable();
    while let Some(byte) = rest.next() {
        if byte == b'\r' {
            rest.next_if_eq(&b'\n');
            out.push(b'\n');
        } else {
            out.push(byte);
        }
    }
    out
}

const BOM: &[u8] = "\u{feff}".as_bytes();

/// Whether `normalised` changes `bytes` (most files it leaves as they are).
pub fn normalising_changes(bytes: &[u8]) -> bool {
    bytes.starts_with(BOM) || bytes.contains(&b'\r')
}

/// Adds a file read by `read_bytes` to `sources`, or says why it cannot be.
pub fn add(
    found: &Found,
    read: Result<super::reads::Read, Box<Finding>>,
    sources: &mut Sources,
    findings: &mut Vec<Finding>,
) -> Option<FileId> {
    let (text, hash) = match read {
        Ok(read) => (read.text, read.hash),
        Err(finding) => {
            findings.push(*finding);
            return None;
        }
    };
    match text {
        Ok(text) => Some(sources.add_hashed(found.shown.clone(), text, hash)),
        Err(bytes) => {
            // Keep the file (with replacement characters) so the finding can show the line.
            let bad = std::str::from_utf8(&bytes)
                .err()
                .map_or(0, |e| e.valid_up_to());
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let file = sources.add(found.shown.clone(), text);
            findings.push(
                Finding::new(Code::UnreadableFile, "this file is not valid UTF-8 text")
                    .at(At {
                        file,
                        span: bad..bad + char::REPLACEMENT_CHARACTER.len_utf8(),
                    })
                    .help("save the file as UTF-8"),
            );
            None
        }
    }
}

/// `path` taken relative to `content/`, without leaving it: `None` if it is absolute or
/// climbs out with `..`.
pub fn inside_content(path: &str) -> Option<PathBuf> {
    let mut normal = PathBuf::new();
    for component in Path::new(path).components() {
        match component {
            Component::Normal(part) => normal.push(part),
            Component::CurDir => {}
            Component::ParentDir => {
                if !normal.pop() {
                    return None;
                }
            }
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(normal)
}

fn plain_io_error(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "the file or its target does not exist".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::{inside_content, normalised};

    #[test]
    fn line_endings_and_byte_order_marks_are_normalised_once() {
        let cases: [(&[u8], &[u8]); 5] = [
            (b"a\r\nb\r\n", b"a\nb\n"),
            (b"a\rb\r\rc", b"a\nb\n\nc"),
            (b"\xef\xbb\xbf\xef\xbb\xbfa\r", b"a\n"),
            (b"plain\n", b"plain\n"),
            (b"\r\n\r", b"\n\n"),
        ];
        for (input, expected) in cases {
            assert_eq!(normalised(input.to_vec()), expected, "{input:?}");
        }
    }

    #[test]
    fn paths_may_not_leave_content() {
        assert_eq!(
            inside_content("assets/a.pdf").unwrap().to_str(),
            Some("assets/a.pdf")
        );
        assert_eq!(
            inside_content("assets/../x/./a.pdf").unwrap().to_str(),
            Some("x/a.pdf")
        );
        assert!(inside_content("../secrets.txt").is_none());
        assert!(inside_content("assets/../../x").is_none());
        assert!(inside_content("/etc/passwd").is_none());
    }
}
