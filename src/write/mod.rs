//! Stage 5: output folders written whole or not at all.
//!
//! A site is written into a folder beside its target, then swapped in by rename, so a
//! reader (or a failed build) never sees half a site. That folder is the previous
//! generation, updated in place: pages it already holds (known by their keys) are not even
//! rendered, and only files whose bytes changed are written. A target is
//! replaced only when it is absent, empty, or carries trustbook's marker file: `build`
//! never deletes anything else.

mod generation;
pub mod unchanged;

pub use generation::{Complete, Generation, put_in_place};

use std::collections::BTreeSet;
use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};

/// Marks a folder as trustbook's output, safe to replace.
pub const MARKER: &str = ".trustbook-output";

/// Whether `target` may be replaced. `Err` says why not, for the user.
pub fn may_replace(target: &Path) -> Result<(), String> {
    let shown = target.display();
    let meta = match fs::symlink_metadata(target) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(format!("cannot look at {shown}: {e}")),
    };
    if !meta.is_dir() {
        return Err(format!(
            "{shown} exists and is not a folder; move it away, then build again"
        ));
    }
    if target.join(MARKER).is_file() {
        return Ok(());
    }
    let mut entries = fs::read_dir(target).map_err(|e| format!("cannot read {shown}: {e}"))?;
    if entries.next().is_none() {
        return Ok(());
    }
    Err(format!(
        "{shown} holds files that trustbook did not write; it will not replace them. Move the folder away (or empty it), then build again"
    ))
}

/// A relative output path that stays inside its folder.
fn is_contained(path: &str) -> bool {
    let path = Path::new(path);
    !path.as_os_str().is_empty() && path.components().all(|c| matches!(c, Component::Normal(_)))
}

/// Every file below `folder`, as paths relative to it with `/`. A name that is not UTF-8
/// is removed at once: trustbook never writes one, so it is a stray that could not be
/// listed (or reported) otherwise.
fn existing_files(folder: &Path) -> io::Result<BTreeSet<String>> {
    let mut found = BTreeSet::new();
    let mut stack = vec![folder.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir)? {
            let entry = entry?;
            let path = entry.path();
            let kind = entry.file_type()?;
            if entry.file_name().to_str().is_none() {
                if kind.is_dir() {
                    fs::remove_dir_all(&path)?;
                } else {
                    fs::remove_file(&path)?;
                }
            } else if kind.is_dir() {
                stack.push(path);
            } else if let Ok(relative) = path.strip_prefix(folder) {
                found.insert(relative.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    Ok(found)
}

/// Removes every empty folder below `folder` (a build never writes one, so any is a stray).
fn remove_empty_folders(folder: &Path) -> io::Result<bool> {
    let mut empty = true;
    for entry in fs::read_dir(folder)? {
        let entry = entry?;
        if entry.file_type()?.is_dir() && remove_empty_folders(&entry.path())? {
            fs::remove_dir(entry.path())?;
        } else {
            empty = false;
        }
    }
    Ok(empty)
}

/// Drops `path` below `folder`, and the folders its removal emptied (a build never writes
/// empty folders).
fn remove_with_empty_parents(folder: &Path, path: &str) -> io::Result<()> {
    fs::remove_file(folder.join(path))?;
    let mut dir = folder.join(path).parent().map(Path::to_path_buf);
    while let Some(current) = dir.filter(|d| d != folder) {
        if fs::remove_dir(&current).is_err() {
            break;
        }
        dir = current.parent().map(Path::to_path_buf);
    }
    Ok(())
}

fn sibling(target: &Path, suffix: &str) -> PathBuf {
    let name = target
        .file_name()
        .map_or_else(|| "site".into(), |n| n.to_string_lossy().into_owned());
    target.with_file_name(format!(".{name}.{suffix}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::SiteFiles;
    use crate::render::output::Output;

    /// A whole generation written from a site in memory, without page keys.
    fn replace(target: &Path, site: &SiteFiles) -> Result<(), String> {
        let generation = Generation::open(target, None)?;
        for (path, bytes) in &site.files {
            generation.put(path, bytes.to_vec(), None)?;
        }
        generation.finish().map(|_| ())
    }

    fn one_file(name: &str) -> SiteFiles {
        let mut site = SiteFiles::default();
        site.files.insert(name.into(), b"x".to_vec().into());
        site
    }

    /// A generation of `site` for `target`, completed but not in place.
    fn completed(target: &Path, site: &SiteFiles) -> Complete {
        let generation = Generation::open(target, None).unwrap();
        for (path, bytes) in &site.files {
            generation.put(path, bytes.to_vec(), None).unwrap();
        }
        generation.complete().unwrap()
    }

    /// Two folders go in place together or not at all: when the second cannot, the first
    /// is put back as it was, whether or not it existed before.
    #[test]
    fn folders_are_put_in_place_all_or_none() {
        for first_existed in [true, false] {
            let dir = tempfile::tempdir().unwrap();
            let (public, internal) = (dir.path().join("public"), dir.path().join("internal"));
            if first_existed {
                replace(&public, &one_file("old-public.html")).unwrap();
            }
            replace(&internal, &one_file("old-internal.html")).unwrap();
            let complete = vec![
                completed(&public, &one_file("new-public.html")),
                completed(&internal, &one_file("new-internal.html")),
            ];
            // Made after `open` cleared it: a folder in the way of moving `internal` aside.
            let in_the_way = sibling(&internal, "trustbook-swap");
            fs::create_dir_all(in_the_way.join("full")).unwrap();
            let refused = put_in_place(complete).unwrap_err();
            assert!(refused.contains("internal"), "{refused}");
            assert_eq!(public.join("old-public.html").exists(), first_existed);
            assert_eq!(public.exists(), first_existed, "no new public/ alone");
            assert!(!public.join("new-public.html").exists());
            assert!(internal.join("old-internal.html").exists());
            fs::remove_dir_all(&in_the_way).unwrap();
            replace(&public, &one_file("next.html")).unwrap();
            assert!(
                public.join("next.html").exists(),
                "the next build goes ahead"
            );
        }
    }

    #[test]
    fn replaces_its_own_output_and_refuses_foreign_folders() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        replace(&target, &one_file("a.html")).unwrap();
        replace(&target, &one_file("b.html")).unwrap();
        assert!(
            !target.join("a.html").exists(),
            "the old generation is gone"
        );
        assert!(target.join("b.html").exists());
        let foreign = dir.path().join("mine");
        fs::create_dir(&foreign).unwrap();
        fs::write(foreign.join("keep.txt"), "keep").unwrap();
        assert!(
            replace(&foreign, &one_file("c.html"))
                .unwrap_err()
                .contains("did not write")
        );
        assert_eq!(
            fs::read_to_string(foreign.join("keep.txt")).unwrap(),
            "keep"
        );
    }

    #[test]
    fn unchanged_files_are_not_rewritten_and_leftovers_go() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        let mut site = one_file("same.html");
        site.files
            .insert("old/gone.html".into(), b"x".to_vec().into());
        replace(&target, &site).unwrap();
        replace(&target, &site).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        let before = std::time::SystemTime::now();
        let mut next = one_file("same.html");
        next.files.insert("new.html".into(), b"y".to_vec().into());
        replace(&target, &next).unwrap();
        let modified = fs::metadata(target.join("same.html"))
            .unwrap()
            .modified()
            .unwrap();
        assert!(modified < before, "an unchanged file is not written again");
        assert!(target.join("new.html").is_file());
        assert!(!target.join("old").exists(), "emptied folders are removed");
    }

    #[test]
    fn output_paths_cannot_escape() {
        assert!(is_contained("a/b.html"));
        assert!(!is_contained("../x"));
        assert!(!is_contained("/etc/x"));
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        assert!(replace(&target, &one_file("../escape.html")).is_err());
        assert!(!dir.path().join("escape.html").exists());
        assert!(!target.exists(), "a failed write never reaches the target");
    }
}
