//! One output folder's next generation, written while the pages render.
//!
//! The folder written is the generation before the current one, kept beside the target.
//! Its manifest (in `.trustbook-cache/pages/`, named by a token in the folder's marker)
//! records each page's key, size and modification time: a page whose key is unchanged and
//! whose file is as it was written is left alone, unrendered. Before anything changes, the
//! marker loses its token, so an interrupted build leaves a folder whose files are
//! compared byte for byte next time, never trusted by key. The build after a first one
//! has no earlier generation: it starts from hard links to the current one (`seed`).

use super::{
    MARKER, existing_files, is_contained, may_replace, remove_empty_folders,
    remove_with_empty_parents, sibling,
};
use crate::hash::HashMap;
use crate::render::output::{Output, PageKey};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::thread::JoinHandle;
use std::time::{SystemTime, UNIX_EPOCH};

const MARKER_TEXT: &str = "Written by trustbook; `trustbook build` replaces this folder.\n";
const TOKEN_PREFIX: &str = "generation: ";

#[derive(Clone, Serialize, Deserialize)]
struct Recorded {
    key: u64,
    len: u64,
    modified: u64,
    assets: Vec<PathBuf>,
    /// The model fields the page read (`None` in a manifest from before they were kept).
    #[serde(default)]
    reads: Option<Vec<String>>,
}

/// What one generation's pages were made from.
#[derive(Default, Serialize, Deserialize)]
struct Manifest {
    /// Sorted, so that the same pages give the same bytes (and the same token).
    pages: std::collections::BTreeMap<String, Recorded>,
}

pub struct Generation {
    target: PathBuf,
    folder: PathBuf,
    /// Where manifests are kept; `None` keeps none (every file is compared by bytes).
    manifests: Option<PathBuf>,
    previous: Manifest,
    /// The files the folder holds before this build, listed while the pages render.
    walk: Option<JoinHandle<io::Result<BTreeSet<String>>>>,
    /// Every path of this generation; pages with what the next build needs to reuse them.
    written: Mutex<HashMap<String, Option<Recorded>>>,
    /// Made for this build: it held nothing before.
    fresh: bool,
}

fn nanos(time: io::Result<SystemTime>) -> u64 {
    time.ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos() as u64)
}

fn token_of(folder: &Path) -> Option<String> {
    let marker = fs::read_to_string(folder.join(MARKER)).ok()?;
    let token = marker.lines().find_map(|l| l.strip_prefix(TOKEN_PREFIX))?;
    // Only a plain token may name a file.
    token
        .chars()
        .all(|c| c.is_ascii_hexdigit())
        .then(|| token.to_string())
}

/// The manifest of `folder` holding the pages its marker's `token` names. The token comes
/// from what the pages are, so the same sources give the same marker in every clone; two
/// folders can then hold the same pages (the site and the generation before it, after a
/// build that changed nothing) with files of different ages, so each folder has its own
/// manifest, told apart by the folder's inode, which follows it through the swap.
fn manifest_path(manifests: &Path, name: &str, token: &str, folder: &Path) -> Option<PathBuf> {
    #[cfg(unix)]
    let tag = std::os::unix::fs::MetadataExt::ino(&fs::metadata(folder).ok()?);
    #[cfg(not(unix))]
    let tag = fs::metadata(folder).map(|_| 0u64).ok()?;
    Some(manifests.join(format!("{name}-{token}-{tag:x}.json")))
}

fn manifest_of(manifests: &Path, name: &str, folder: &Path) -> Option<PathBuf> {
    manifest_path(manifests, name, &token_of(folder)?, folder)
}

/// Whether a file's data is shared with another name (a hard link made by `seed`): it is
/// then replaced, never written in place, or the live site would change with it.
fn is_shared(meta: &fs::Metadata) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        meta.nlink() > 1
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        true
    }
}

/// `bytes` at `path`, written only when different; returns the file's metadata. In a
/// folder made for this build (`fresh`) there is nothing to compare with: no look first.
fn write_if_changed(path: &Path, bytes: &[u8], fresh: bool) -> io::Result<fs::Metadata> {
    if let Some(meta) = (!fresh).then(|| fs::symlink_metadata(path).ok()).flatten() {
        let same = meta.len() == bytes.len() as u64 && fs::read(path).is_ok_and(|old| old == bytes);
        if same {
            return Ok(meta);
        }
        if is_shared(&meta) {
            fs::remove_file(path)?;
        }
    }
    let mut file = match File::create(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent)?;
            }
            File::create(path)?
        }
        other => other?,
    };
    file.write_all(bytes)?;
    file.metadata()
}

/// Makes `folder` hold `target`'s files as hard links (no data copied, the marker
/// excepted), so that the build after a first one updates a generation rather than
/// rendering every page again. Fails on file systems without links; the caller then
/// starts from an empty folder.
fn seed(target: &Path, folder: &Path) -> io::Result<()> {
    fs::create_dir(folder)?;
    let mut stack = vec![PathBuf::new()];
    while let Some(relative) = stack.pop() {
        for entry in fs::read_dir(target.join(&relative))? {
            let entry = entry?;
            let path = relative.join(entry.file_name());
            let kind = entry.file_type()?;
            if kind.is_dir() {
                fs::create_dir(folder.join(&path))?;
                stack.push(path);
            } else if kind.is_file() && path != Path::new(MARKER) {
                fs::hard_link(target.join(&path), folder.join(&path))?;
            }
        }
    }
    Ok(())
}

fn read_manifest(manifests: &Path, name: &str, folder: &Path) -> Option<Manifest> {
    let bytes = fs::read(manifest_of(manifests, name, folder)?).ok()?;
    serde_json::from_slice(&bytes).ok()
}

impl Generation {
    /// Prepares the next generation of `target`. `cache` is the site's cache folder.
    pub fn open(target: &Path, cache: Option<&Path>) -> Result<Generation, String> {
        may_replace(target)?;
        let folder = sibling(target, "trustbook-previous");
        let swap = sibling(target, "trustbook-swap");
        for stale in [&folder, &swap] {
            // Only ever written by trustbook (by name); one without the marker was interrupted.
            if stale.exists() && (stale == &swap || !stale.join(MARKER).is_file()) {
                fs::remove_dir_all(stale)
                    .map_err(|e| format!("cannot remove {}: {e}", stale.display()))?;
            }
        }
        let manifests = cache.map(|c| c.join("pages"));
        let name = name_of(target);
        let manifest_of = |folder: &Path| read_manifest(manifests.as_ref()?, &name, folder);
        let mut previous = manifest_of(&folder);
        if !folder.exists()
            && let Some(current) = manifest_of(target)
        {
            // The build after a first one: start from the current site's pages.
            match seed(target, &folder) {
                Ok(()) => previous = Some(current),
                Err(_) => {
                    let _ = fs::remove_dir_all(&folder);
                }
            }
        }
        let cannot = |e: io::Error| format!("cannot write {}: {e}", folder.display());
        let fresh = !folder.exists();
        fs::create_dir_all(&folder).map_err(cannot)?;
        // From here the folder's files change: its marker must no longer vouch for them.
        fs::write(folder.join(MARKER), MARKER_TEXT).map_err(cannot)?;
        // Every file is listed (not only the manifest's), so that a file put in an output
        // folder by anything else is gone within two builds. The walk waits on the disk,
        // not the processor, so it runs beside the rendering.
        let walk = {
            let folder = folder.clone();
            std::thread::spawn(move || existing_files(&folder))
        };
        Ok(Generation {
            target: target.to_path_buf(),
            folder,
            manifests,
            previous: previous.unwrap_or_default(),
            walk: Some(walk),
            written: Mutex::default(),
            fresh,
        })
    }

    fn record(&self, path: &str, recorded: Option<Recorded>) {
        let mut written = self.written.lock().unwrap_or_else(|e| e.into_inner());
        written.insert(path.to_string(), recorded);
    }

    /// Removes what this generation did not write, records its manifest, and swaps it in
    /// as the target. Returns the number of files.
    pub fn finish(self) -> Result<usize, String> {
        Ok(put_in_place(vec![self.complete()?])?[0])
    }

    /// Removes what this generation did not write and records its manifest: all but
    /// putting it in place (`Complete::put_in_place`), so that several can be completed
    /// side by side and put in place only if all of them were.
    pub fn complete(mut self) -> Result<Complete, String> {
        let cannot = |e: io::Error| format!("cannot write {}: {e}", self.target.display());
        let written = std::mem::take(&mut *self.written.lock().unwrap_or_else(|e| e.into_inner()));
        let held = match self.walk.take().map(JoinHandle::join) {
            Some(Ok(listed)) => listed.map_err(cannot)?,
            _ => existing_files(&self.folder).map_err(cannot)?,
        };
        for path in held {
            if path != MARKER && !written.contains_key(&path) {
                match remove_with_empty_parents(&self.folder, &path) {
                    Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(cannot(e)),
                    _ => {}
                }
            }
        }
        // A folder made for this build holds only the folders made for its files: none is
        // empty, and walking 20,000 of them to find so was a clean build's waste.
        if !self.fresh {
            remove_empty_folders(&self.folder).map_err(cannot)?;
        }
        let name = name_of(&self.target);
        let mut marker = MARKER_TEXT.to_string();
        if let Some(manifests) = &self.manifests {
            let pages = Manifest {
                pages: (written.iter())
                    .filter_map(|(path, page)| Some((path.clone(), page.clone()?)))
                    .collect(),
            };
            // Named by what the pages are, not when their files were written: the same
            // sources give the same marker, so the same commit gives the same bytes in
            // every file of the folder.
            let made_of: std::collections::BTreeMap<&String, (u64, u64, &Vec<PathBuf>)> =
                (pages.pages.iter())
                    .map(|(path, r)| (path, (r.key, r.len, &r.assets)))
                    .collect();
            let made_of = serde_json::to_vec(&made_of).unwrap_or_default();
            let token = format!("{:016x}", xxhash_rust::xxh3::xxh3_64(&made_of));
            let json = serde_json::to_vec(&pages).unwrap_or_default();
            // Without its manifest a generation is only slower to update, so a cache that
            // cannot be written is no reason to fail the build.
            let saved = fs::create_dir_all(manifests).and_then(|()| {
                let path = manifest_path(manifests, &name, &token, &self.folder)
                    .ok_or_else(|| io::Error::other("the folder is gone"))?;
                fs::write(path, &json)
            });
            if saved.is_ok() {
                marker.push_str(&format!("{TOKEN_PREFIX}{token}\n"));
            }
        }
        fs::write(self.folder.join(MARKER), marker).map_err(cannot)?;
        Ok(Complete {
            generation: self,
            files: written.len(),
        })
    }

    /// Puts the finished folder in place by renames, so `target` is always a whole site;
    /// the generation it replaces becomes the folder the next build updates.
    /// Returns whether there was a target to replace.
    fn swap(&self) -> Result<bool, String> {
        let target = &self.target;
        let swap = sibling(target, "trustbook-swap");
        let had_target = target.exists();
        if had_target {
            fs::rename(target, &swap)
                .map_err(|e| format!("cannot move the old {} aside: {e}", target.display()))?;
        }
        if let Err(e) = fs::rename(&self.folder, target) {
            if had_target {
                let _ = fs::rename(&swap, target);
            }
            return Err(format!(
                "cannot put the new {} in place: {e}",
                target.display()
            ));
        }
        if had_target {
            let _ = fs::rename(&swap, &self.folder);
        }
        Ok(had_target)
    }

    /// Undoes `swap` (which returned `had_target`): the target as it was before.
    fn swap_back(&self, had_target: bool) -> io::Result<()> {
        let target = &self.target;
        let swap = sibling(target, "trustbook-swap");
        if !had_target {
            return fs::rename(target, &self.folder);
        }
        if self.folder.exists() {
            // The old target is the generation folder now: swap the two again.
            fs::rename(target, &swap)?;
            fs::rename(&self.folder, target)?;
            return fs::rename(&swap, &self.folder);
        }
        // The old target never left the swap folder.
        fs::rename(target, &self.folder)?;
        fs::rename(&swap, target)
    }
}

/// A generation whose folder holds the whole site, not yet in place.
pub struct Complete {
    generation: Generation,
    files: usize,
}

/// Puts completed generations in place, in order, each as its target; returns their
/// numbers of files. All or none: if one cannot be put in place, those put before it are
/// put back, so that `public/` and `internal/` are never from two different builds.
pub fn put_in_place(complete: Vec<Complete>) -> Result<Vec<usize>, String> {
    let mut placed: Vec<(Complete, bool)> = Vec::new();
    for next in complete {
        match next.generation.swap() {
            Ok(had_target) => placed.push((next, had_target)),
            Err(message) => {
                let mut message = message;
                for (done, had_target) in placed.iter().rev() {
                    if let Err(e) = done.generation.swap_back(*had_target) {
                        let target = done.generation.target.display();
                        message.push_str(&format!(
                            "; and the new {target} could not be taken back out ({e}): build again"
                        ));
                    }
                }
                return Err(message);
            }
        }
    }
    Ok(placed
        .into_iter()
        .map(|(done, _)| {
            let generation = &done.generation;
            if let Some(manifests) = &generation.manifests {
                let name = name_of(&generation.target);
                prune(manifests, &name, &[&generation.target, &generation.folder]);
            }
            done.files
        })
        .collect())
}

fn name_of(target: &Path) -> String {
    target
        .file_name()
        .map_or_else(|| "site".into(), |n| n.to_string_lossy().into_owned())
}

/// Deletes the manifests of `name` that neither of its two folders names any more.
fn prune(manifests: &Path, name: &str, folders: &[&Path]) {
    let keep: Vec<PathBuf> = (folders.iter())
        .filter_map(|folder| manifest_of(manifests, name, folder))
        .collect();
    let Ok(entries) = fs::read_dir(manifests) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        let ours = (path.file_name().and_then(|n| n.to_str()))
            .and_then(|n| n.strip_prefix(name)?.strip_prefix('-'))
            .is_some_and(|rest| {
                rest.trim_end_matches(".json")
                    .chars()
                    .all(|c| c.is_ascii_hexdigit() || c == '-')
            });
        if ours && !keep.contains(&path) {
            let _ = fs::remove_file(path);
        }
    }
}

impl Output for Generation {
    fn reuse(&self, path: &str, key_now: crate::render::output::KeyNow) -> Option<Vec<PathBuf>> {
        let recorded = self.previous.pages.get(path)?;
        if key_now(recorded.reads.as_deref()?) != Some(recorded.key) {
            return None;
        }
        // A file changed by hand since it was written is rendered again.
        let meta = fs::metadata(self.folder.join(path)).ok()?;
        if meta.len() != recorded.len || nanos(meta.modified()) != recorded.modified {
            return None;
        }
        self.record(path, Some(recorded.clone()));
        Some(recorded.assets.clone())
    }

    fn put(&self, path: &str, bytes: Vec<u8>, page: Option<PageKey>) -> Result<(), String> {
        if !is_contained(path) {
            return Err(format!(
                "refusing to write outside the output folder: {path}"
            ));
        }
        let meta = write_if_changed(&self.folder.join(path), &bytes, self.fresh)
            .map_err(|e| format!("cannot write {}: {e}", self.folder.join(path).display()))?;
        let recorded = page.map(|page| Recorded {
            key: page.key,
            len: meta.len(),
            modified: nanos(meta.modified()),
            assets: page.assets.to_vec(),
            reads: Some(page.reads.to_vec()),
        });
        self.record(path, recorded);
        Ok(())
    }
}
