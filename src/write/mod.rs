//! Stage 5: output folders written whole or not at all.
//!
//! A site is written into a fresh folder beside its target, then swapped in by rename, so a
//! reader (or a failed build) never sees half a site. A folder is replaced only when it is
//! absent, empty, or carries trustbook's marker file: `build` never deletes anything else.

use crate::render::SiteFiles;
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

fn write_tree(folder: &Path, site: &SiteFiles) -> io::Result<()> {
    fs::create_dir_all(folder)?;
    for (path, bytes) in &site.files {
        if !is_contained(path) {
            return Err(io::Error::other(format!(
                "refusing to write outside the output folder: {path}"
            )));
        }
        let target = folder.join(path);
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent)?;
        }
        fs::write(target, bytes)?;
    }
    fs::write(
        folder.join(MARKER),
        "Written by trustbook; `trustbook build` replaces this folder.\n",
    )
}

fn sibling(target: &Path, suffix: &str) -> PathBuf {
    let name = target
        .file_name()
        .map_or_else(|| "site".into(), |n| n.to_string_lossy().into_owned());
    target.with_file_name(format!(".{name}.{suffix}"))
}

/// Writes `site` into a new folder, then swaps it for `target`.
pub fn replace(target: &Path, site: &SiteFiles) -> Result<(), String> {
    may_replace(target)?;
    let fresh = sibling(target, "trustbook-new");
    let old = sibling(target, "trustbook-old");
    for leftover in [&fresh, &old] {
        // Left by an interrupted build: ours by name, and only ever holding our output.
        if leftover.exists() {
            fs::remove_dir_all(leftover)
                .map_err(|e| format!("cannot remove {}: {e}", leftover.display()))?;
        }
    }
    if let Err(e) = write_tree(&fresh, site) {
        let _ = fs::remove_dir_all(&fresh);
        return Err(format!("cannot write {}: {e}", target.display()));
    }
    let had_old = target.exists();
    if had_old {
        fs::rename(target, &old)
            .map_err(|e| format!("cannot move the old {} aside: {e}", target.display()))?;
    }
    if let Err(e) = fs::rename(&fresh, target) {
        if had_old {
            let _ = fs::rename(&old, target);
        }
        let _ = fs::remove_dir_all(&fresh);
        return Err(format!(
            "cannot put the new {} in place: {e}",
            target.display()
        ));
    }
    if had_old {
        let _ = fs::remove_dir_all(&old);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one_file(name: &str) -> SiteFiles {
        let mut site = SiteFiles::default();
        site.files.insert(name.into(), b"x".to_vec());
        site
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
    fn output_paths_cannot_escape() {
        assert!(is_contained("a/b.html"));
        assert!(!is_contained("../x"));
        assert!(!is_contained("/etc/x"));
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        assert!(replace(&target, &one_file("../escape.html")).is_err());
        assert!(!dir.path().join("escape.html").exists());
        assert!(!target.exists(), "nothing is left after a failed write");
    }
}
