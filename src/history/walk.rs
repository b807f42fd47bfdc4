//! Which files each commit changed, from one pass over the log: every commit's `content/`
//! tree is compared with its parents', descending only into subtrees whose ids differ.
//!
//! The comparison is the expensive part of reading history (a folder of 10,000 policies is
//! a 480 KB tree object, rebuilt from the pack for each commit that touches it), so the
//! commits are split across threads, and what was found is kept in `.trustbook-cache/`
//! keyed by commit id: a later build compares only the commits it has not seen.

use gix::ObjectId;
use gix::objs::TreeRefIter;
use gix::objs::tree::EntryRef;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::collections::HashMap;
use std::path::Path;
use std::rc::Rc;

/// What one commit is, as read from the object database.
pub struct RawCommit {
    pub id: ObjectId,
    pub parents: Vec<ObjectId>,
    pub tree: ObjectId,
    pub committer_seconds: i64,
    pub committer_offset: i32,
    pub author: String,
    pub subject: String,
}

pub fn read_commit(repo: &gix::Repository, id: ObjectId) -> Result<RawCommit, String> {
    let object = repo.find_object(id).map_err(|e| e.to_string())?;
    let commit = gix::objs::CommitRef::from_bytes(&object.data, repo.object_hash())
        .map_err(|e| format!("commit {id} cannot be read: {e}"))?;
    let time = commit.time().map_err(|e| e.to_string())?;
    let author = commit
        .author()
        .map_or_else(|_| String::new(), |a| a.name.to_string());
    let subject = commit.message().summary().to_string();
    Ok(RawCommit {
        id,
        parents: commit.parents().collect(),
        tree: commit.tree(),
        committer_seconds: time.seconds,
        committer_offset: time.offset,
        author,
        subject,
    })
}

/// Paths under the watched folder (relative to it) changed by each commit, by commit id.
#[derive(Default, Serialize, Deserialize)]
pub struct Changes {
    /// The watched folder, relative to the work tree: a cache for another folder is not used.
    pub folder: String,
    pub by_commit: HashMap<[u8; 20], Vec<Changed>>,
}

/// A path a commit changed, and the blob it has there after the commit (none: deleted).
pub type Changed = (String, Option<[u8; 20]>);

const CACHE_FORMAT: u32 = 2;

/// A commit's id (as the cache keys it) and the paths it changed.
type CommitChanges = ([u8; 20], Vec<Changed>);

impl Changes {
    pub fn load(cache: &Path, folder: &str) -> Changes {
        let read = std::fs::read(cache).ok().and_then(|bytes| {
            let (format, changes): (u32, Changes) = bincode::deserialize(&bytes).ok()?;
            (format == CACHE_FORMAT && changes.folder == folder).then_some(changes)
        });
        read.unwrap_or_else(|| Changes {
            folder: folder.to_string(),
            by_commit: HashMap::new(),
        })
    }

    /// Best effort: a cache that cannot be written only makes the next build slower.
    pub fn save(&self, cache: &Path) {
        if let Ok(bytes) = bincode::serialize(&(CACHE_FORMAT, self)) {
            let _ = std::fs::create_dir_all(cache.parent().unwrap_or(Path::new(".")));
            let _ = std::fs::write(cache, bytes);
        }
    }
}

pub fn key(id: &ObjectId) -> [u8; 20] {
    let mut key = [0; 20];
    let bytes = id.as_bytes();
    key[..bytes.len().min(20)].copy_from_slice(&bytes[..bytes.len().min(20)]);
    key
}

impl Changes {
    pub fn of(&self, id: &ObjectId) -> Option<&Vec<Changed>> {
        self.by_commit.get(&key(id))
    }
}

/// Fills in the changes of every commit not yet known. `folder` is a path in the commits'
/// trees (`content` or `site/content`).
pub fn compare_commits(
    repo: &gix::ThreadSafeRepository,
    commits: &[RawCommit],
    parents_tree: &HashMap<ObjectId, ObjectId>,
    changes: &mut Changes,
) -> Result<(), String> {
    let folder = changes.folder.clone();
    let todo: Vec<&RawCommit> = commits
        .iter()
        .filter(|c| changes.of(&c.id).is_none())
        .collect();
    if todo.is_empty() {
        return Ok(());
    }
    // A few chunks per thread: each chunk keeps its own tree cache, so consecutive commits
    // (a commit's parent tree is the next commit's tree) are decoded once.
    let chunk = todo
        .len()
        .div_ceil(rayon::current_num_threads() * 2)
        .max(16);
    let found: Vec<Result<Vec<CommitChanges>, String>> = todo
        .par_chunks(chunk)
        .map(|part| {
            let repo = repo.to_thread_local();
            let mut trees = Trees::new(&repo);
            part.iter()
                .map(|commit| {
                    let paths = changed_in(&mut trees, commit, parents_tree, &folder)?;
                    Ok((key(&commit.id), paths))
                })
                .collect()
        })
        .collect();
    for part in found {
        changes.by_commit.extend(part?);
    }
    Ok(())
}

fn changed_in(
    trees: &mut Trees,
    commit: &RawCommit,
    parents_tree: &HashMap<ObjectId, ObjectId>,
    folder: &str,
) -> Result<Vec<Changed>, String> {
    let here = trees.subtree(commit.tree, folder)?;
    // A parent outside a shallow clone is unknown: compare with nothing, as git does.
    let parents: Vec<Option<ObjectId>> = commit
        .parents
        .iter()
        .map(|p| match parents_tree.get(p) {
            Some(tree) => trees.subtree(*tree, folder),
            None => Ok(None),
        })
        .collect::<Result<_, _>>()?;
    if parents.is_empty() {
        let mut out = Vec::new();
        trees.diff(None, here, &mut Vec::new(), &mut out)?;
        return Ok(out);
    }
    // A merge changed a file only where it differs from every parent (git log's rule), so
    // a branch's edits are the branch's commits', not the merge's.
    if parents.contains(&here) {
        return Ok(Vec::new());
    }
    let mut common: Option<Vec<Changed>> = None;
    for parent in parents {
        let mut out = Vec::new();
        trees.diff(parent, here, &mut Vec::new(), &mut out)?;
        common = Some(match common {
            None => out,
            Some(before) => before.into_iter().filter(|p| out.contains(p)).collect(),
        });
    }
    Ok(common.unwrap_or_default())
}

/// Tree objects as read from the repository, the last few kept.
struct Trees<'r> {
    repo: &'r gix::Repository,
    cache: HashMap<ObjectId, Rc<Vec<u8>>>,
}

impl<'r> Trees<'r> {
    fn new(repo: &'r gix::Repository) -> Self {
        Trees {
            repo,
            cache: HashMap::new(),
        }
    }

    fn get(&mut self, id: Option<ObjectId>) -> Result<Rc<Vec<u8>>, String> {
        let Some(id) = id else {
            return Ok(Rc::default());
        };
        if let Some(data) = self.cache.get(&id) {
            return Ok(data.clone());
        }
        if self.cache.len() > 32 {
            self.cache.clear();
        }
        let object = self.repo.find_object(id).map_err(|e| e.to_string())?;
        let data = Rc::new(object.data.clone());
        self.cache.insert(id, data.clone());
        Ok(data)
    }

    /// The id of the tree at `folder` (slash-separated) inside tree `root`.
    fn subtree(&mut self, root: ObjectId, folder: &str) -> Result<Option<ObjectId>, String> {
        let mut at = root;
        for name in folder.split('/').filter(|n| !n.is_empty()) {
            let data = self.get(Some(at))?;
            let found = TreeRefIter::from_bytes(&data, self.repo.object_hash())
                .filter_map(Result::ok)
                .find(|e| e.mode.is_tree() && e.filename == name.as_bytes());
            match found {
                Some(entry) => at = entry.oid.to_owned(),
                None => return Ok(None),
            }
        }
        Ok(Some(at))
    }

    /// Appends the paths of the files that differ between trees `a` and `b`.
    fn diff(
        &mut self,
        a: Option<ObjectId>,
        b: Option<ObjectId>,
        prefix: &mut Vec<u8>,
        out: &mut Vec<Changed>,
    ) -> Result<(), String> {
        if a == b {
            return Ok(());
        }
        let kind = self.repo.object_hash();
        let (data_a, data_b) = (self.get(a)?, self.get(b)?);
        let mut left = TreeRefIter::from_bytes(&data_a, kind)
            .filter_map(Result::ok)
            .peekable();
        let mut right = TreeRefIter::from_bytes(&data_b, kind)
            .filter_map(Result::ok)
            .peekable();
        loop {
            let (x, y) = match (left.peek(), right.peek()) {
                (None, None) => break,
                (Some(_), None) => (left.next(), None),
                (None, Some(_)) => (None, right.next()),
                (Some(x), Some(y)) => match tree_order(x, y) {
                    Ordering::Less => (left.next(), None),
                    Ordering::Greater => (None, right.next()),
                    Ordering::Equal => (left.next(), right.next()),
                },
            };
            if let (Some(x), Some(y)) = (&x, &y)
                && x.oid == y.oid
            {
                continue;
            }
            let Some(entry) = x.as_ref().or(y.as_ref()) else {
                break;
            };
            let length = prefix.len();
            prefix.extend_from_slice(entry.filename);
            if entry.mode.is_tree() {
                prefix.push(b'/');
                let subtree = |e: &Option<EntryRef>| {
                    e.as_ref()
                        .filter(|e| e.mode.is_tree())
                        .map(|e| e.oid.to_owned())
                };
                self.diff(subtree(&x), subtree(&y), prefix, out)?;
            } else {
                let blob = y.as_ref().filter(|e| !e.mode.is_tree());
                out.push((
                    String::from_utf8_lossy(prefix).into_owned(),
                    blob.map(|e| key(&e.oid.to_owned())),
                ));
            }
            prefix.truncate(length);
        }
        Ok(())
    }
}

/// git's order of tree entries: by name, a tree's name compared as if it ended in `/`.
fn tree_order(a: &EntryRef, b: &EntryRef) -> Ordering {
    let (x, y): (&[u8], &[u8]) = (a.filename, b.filename);
    let common = x.len().min(y.len());
    x[..common].cmp(&y[..common]).then_with(|| {
        let next = |name: &[u8], entry: &EntryRef| {
            name.get(common)
                .copied()
                .unwrap_or(if entry.mode.is_tree() { b'/' } else { 0 })
        };
        next(x, a).cmp(&next(y, b))
    })
}
