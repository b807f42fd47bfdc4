//! The sources as they were at an earlier date, loaded by the same loader: the commit
//! that was HEAD's ancestor at the end of that day is written out under
//! `.trustbook-cache/earlier/<commit>/content/` (kept: the same commit is written once).

use super::{Commit, History};
use crate::load::date::Date;
use crate::load::{self, Site};
use std::path::Path;

/// The newest commit made on or before `date`.
pub fn commit_on_or_before(history: &History, date: Date) -> Option<&Commit> {
    history.commits.iter().find(|c| c.date <= date)
}

/// The site as commit `commit` had it, or why it cannot be had.
pub fn site_at(history: &History, commit: &Commit, cache_folder: &Path) -> Result<Site, String> {
    let repository = history
        .repository
        .as_ref()
        .ok_or("the site is not in a git repository")?;
    let root = cache_folder.join("earlier").join(&commit.id);
    let done = root.join(".complete");
    if !done.exists() {
        let _ = std::fs::remove_dir_all(&root);
        for (path, bytes) in repository.content_at(&commit.id)? {
            // Only plain relative names reach here (git trees hold no `..`), but a path is
            // written only when it stays inside the folder.
            let safe = path
                .components()
                .all(|c| matches!(c, std::path::Component::Normal(_)));
            if !safe {
                continue;
            }
            let target = root.join(&path);
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
            }
            std::fs::write(&target, bytes).map_err(|e| e.to_string())?;
        }
        std::fs::create_dir_all(&root).map_err(|e| e.to_string())?;
        std::fs::write(&done, b"").map_err(|e| e.to_string())?;
    }
    let mut ignored = Vec::new();
    load::load(&root, &mut ignored).map_err(|load::NotASite(message)| message)
}
