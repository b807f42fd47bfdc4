//! What `serve`'s watcher reported since the last load, so that a load lists again only
//! the folders where a file came or went, and looks again only at the files reported:
//! at N = 10,000 a save otherwise lists 10,000 names and asks the file system about
//! each file (a quarter of a save's loading).
//!
//! Trusted only as far as the watcher sees: a folder that is a link, or holds one, is
//! listed and looked at on every load (a change to a link's target is reported under the
//! target's path); a batch naming `content/` itself (the watcher lost events, or the
//! folder was replaced) trusts nothing; a load that stops early forgets what it knew.

use super::files::Found;
use crate::finding::Finding;
use crate::hash::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

#[derive(Default)]
pub struct Watched {
    /// A watcher reports every change under `content/` (`serve`); off, every load lists
    /// every folder and looks at every file.
    on: AtomicBool,
    /// Paths (relative to the root) reported since the last complete load; `None` when
    /// that is not known (no load yet, or the last one stopped early).
    since_load: Mutex<Option<Vec<PathBuf>>>,
    /// Each folder's listing at the last load.
    listings: Mutex<HashMap<&'static str, Listing>>,
}

#[derive(Clone)]
pub struct Listing {
    pub found: std::sync::Arc<[Found]>,
    pub findings: Vec<Finding>,
    /// Neither the folder nor any entry in it is a symbolic link.
    pub plain: bool,
}

/// What one load may take as unchanged.
pub struct Unchanged<'a> {
    watched: &'a Watched,
    reported: crate::hash::HashSet<PathBuf>,
}

impl Watched {
    /// From now on, the caller reports every change (`reported`) before each load.
    pub fn start(&self) {
        self.on.store(true, Ordering::Relaxed);
    }

    /// Paths a watcher reported changed (relative to the site's root).
    pub fn reported(&self, paths: &[PathBuf]) {
        let mut since = self.since_load.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(since) = since.as_mut() {
            since.extend(paths.iter().cloned());
        }
    }

    /// What the load beginning now may take as unchanged; `None`: nothing. Until the
    /// load calls `complete`, a next load trusts nothing.
    pub fn begin(&self, root: &Path) -> Option<Unchanged<'_>> {
        let since = (self.since_load.lock().unwrap_or_else(|e| e.into_inner())).take();
        if !self.on.load(Ordering::Relaxed) {
            return None;
        }
        let reported: crate::hash::HashSet<PathBuf> = since?.into_iter().collect();
        let content = Path::new("content");
        // `content/` named (lost events, a folder replaced), or itself a link: the
        // watcher's paths may not be the files'.
        let content_is_plain = (root.join(content).symlink_metadata()).is_ok_and(|m| m.is_dir());
        if !content_is_plain || reported.iter().any(|p| content.starts_with(p)) {
            return None;
        }
        Some(Unchanged {
            watched: self,
            reported,
        })
    }

    /// The load that began is complete: the changes reported from now on are what the
    /// next may not take as unchanged.
    pub fn complete(&self) {
        if self.on.load(Ordering::Relaxed) {
            *self.since_load.lock().unwrap_or_else(|e| e.into_inner()) = Some(Vec::new());
        }
    }

    /// Of `paths` (relative to the root), those not reported since the last load.
    pub fn unreported(&self, paths: Vec<PathBuf>) -> Vec<PathBuf> {
        let since = self.since_load.lock().unwrap_or_else(|e| e.into_inner());
        let reported = |path: &PathBuf| since.as_ref().is_none_or(|since| since.contains(path));
        paths.into_iter().filter(|p| !reported(p)).collect()
    }

    /// Keeps the listing of `folder` made by this load.
    pub fn listed(&self, folder: &'static str, listing: &Listing) {
        if self.on.load(Ordering::Relaxed) {
            let mut listings = self.listings.lock().unwrap_or_else(|e| e.into_inner());
            listings.insert(folder, listing.clone());
        }
    }
}

impl Unchanged<'_> {
    /// The last listing of `content/<folder>`, when no file came or went in it since:
    /// every path reported in it is a file it listed, and is still a file.
    pub fn listing(&self, root: &Path, folder: &'static str) -> Option<Listing> {
        let listings = self
            .watched
            .listings
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let listing = listings.get(folder).filter(|l| l.plain)?;
        let dir = Path::new("content").join(folder);
        for path in &self.reported {
            if dir.starts_with(path) {
                return None;
            }
            if path.parent() != Some(&dir) {
                // Deeper: a subfolder's file, which no load reads (a subfolder that came
                // or went is reported itself, in this folder).
                continue;
            }
            let listed = listing.found.iter().any(|f| &f.shown == path);
            let still_a_file = (root.join(path).symlink_metadata()).is_ok_and(|m| m.is_file());
            if !listed || !still_a_file {
                return None;
            }
        }
        Some(listing.clone())
    }

    /// Whether the files of `content/<folder>` (listed `plain` or not) may be taken as
    /// they were last read, each unless reported (`file`): not when the folder or one
    /// above it was reported (made, replaced, moved in: its files need not be reported
    /// one by one), nor when it is or holds a link.
    pub fn files_in(&self, folder: &str, plain: bool) -> bool {
        let dir = Path::new("content").join(folder);
        plain && !self.reported.iter().any(|p| dir.starts_with(p))
    }

    /// Whether `found`, in a folder whose files may be taken as last read, was not
    /// reported.
    pub fn file(&self, found: &Found) -> bool {
        !self.reported.contains(&found.shown)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(shown: &str) -> Found {
        Found {
            shown: PathBuf::from(shown),
            real: PathBuf::from("/site").join(shown),
        }
    }

    #[test]
    fn a_listing_is_kept_while_no_file_comes_or_goes() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("content/risks")).unwrap();
        std::fs::write(root.join("content/risks/a.yaml"), "id: R-1").unwrap();
        let watched = Watched::default();
        let listing = Listing {
            found: vec![found("content/risks/a.yaml")].into(),
            findings: Vec::new(),
            plain: true,
        };
        assert!(watched.begin(root).is_none(), "not watching");
        watched.start();
        assert!(watched.begin(root).is_none(), "no load complete yet");
        watched.listed("risks", &listing);
        watched.complete();

        let saved = [PathBuf::from("content/risks/a.yaml")];
        watched.reported(&saved);
        let unchanged = watched.begin(root).expect("a save since a complete load");
        assert!(unchanged.listing(root, "risks").is_some(), "a file saved");
        assert!(unchanged.files_in("risks", true));
        assert!(!unchanged.files_in("risks", false), "a folder with a link");
        assert!(!unchanged.file(&listing.found[0]), "it is read again");
        assert!(unchanged.file(&found("content/risks/b.yaml")));
        assert!(watched.begin(root).is_none(), "the load did not complete");

        for (reported, why) in [
            ("content/risks/new.yaml", "a file that came"),
            ("content/risks", "the folder itself"),
        ] {
            watched.complete();
            watched.reported(&[PathBuf::from(reported)]);
            let unchanged = watched.begin(root).unwrap();
            assert!(unchanged.listing(root, "risks").is_none(), "{why}");
            let folder_named = reported == "content/risks";
            assert_eq!(unchanged.files_in("risks", true), !folder_named, "{why}");
            assert!(unchanged.files_in("systems", true), "{why}: another folder");
        }
        watched.complete();
        std::fs::remove_file(root.join("content/risks/a.yaml")).unwrap();
        watched.reported(&saved);
        let unchanged = watched.begin(root).unwrap();
        assert!(unchanged.listing(root, "risks").is_none(), "a file gone");

        watched.complete();
        watched.reported(&[PathBuf::from("content"), saved[0].clone()]);
        assert!(
            watched.begin(root).is_none(),
            "events lost: nothing trusted"
        );

        watched.listed(
            "risks",
            &Listing {
                plain: false,
                ..listing
            },
        );
        watched.complete();
        let unchanged = watched.begin(root).unwrap();
        assert!(
            unchanged.listing(root, "risks").is_none(),
            "a folder with a link"
        );
    }
}
