//! Which files each commit changed, from one pass over the log: every commit's `content/`
//! tree is compared with its parents', descending only into subtrees whose ids differ.
//!
//! The comparison is the expensive part of reading history (a folder of 10,000 policies is
//! a 480 KB tree object, rebuilt from the pack for each commit that touches it), so it runs
//! while the sources load (`history::start_reading`), and what was found is kept in
//! `.trustbook-cache/` keyed by commit id: a later build compares only the commits it has
//! not seen.

use crate::hash::HashMap;
use crate::hash::HashMapExt;
use gix::ObjectId;
use gix::objs::TreeRefIter;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
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
    let time = commit
        .time()
        .map_err(|e| format!("commit {id} has a committer date that cannot be read: {e}"))?;
    // Git allows any number; a page does not: years 1970 to 9999 only.
    if !(0..=253_402_300_799).contains(&time.seconds) {
        return Err(format!(
            "commit {id} has an impossible committer date ({} seconds since 1970)",
            time.seconds
        ));
    }
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

/// Orders commits so that each comes before its parents (Kahn's algorithm), the newest
/// first among those ready: the order `git log --topo-order` gives. Committer dates alone
/// would put a commit made on a machine whose clock ran behind after its own parent.
pub fn children_first(commits: Vec<RawCommit>) -> Vec<RawCommit> {
    let index: HashMap<ObjectId, usize> =
        commits.iter().enumerate().map(|(i, c)| (c.id, i)).collect();
    let mut children = vec![0usize; commits.len()];
    for commit in &commits {
        for parent in &commit.parents {
            if let Some(&p) = index.get(parent) {
                children[p] += 1;
            }
        }
    }
    let mut ready: std::collections::BinaryHeap<(i64, std::cmp::Reverse<usize>)> = (0..commits
        .len())
        .filter(|&i| children[i] == 0)
        .map(|i| (commits[i].committer_seconds, std::cmp::Reverse(i)))
        .collect();
    let mut order = Vec::with_capacity(commits.len());
    while let Some((_, std::cmp::Reverse(i))) = ready.pop() {
        order.push(i);
        for parent in &commits[i].parents {
            if let Some(&p) = index.get(parent) {
                children[p] -= 1;
                if children[p] == 0 {
                    ready.push((commits[p].committer_seconds, std::cmp::Reverse(p)));
                }
            }
        }
    }
    let mut slots: Vec<Option<RawCommit>> = commits.into_iter().map(Some).collect();
    order.into_iter().filter_map(|i| slots[i].take()).collect()
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

const CACHE_FORMAT: u32 = 4;

/// A commit's id (as the cache keys it) and the paths it changed.
type CommitChanges = ([u8; 20], Vec<Changed>);

impl Changes {
    pub fn load(cache: &Path, folder: &str) -> Changes {
        let read = crate::memo::read_checked::<Changes>(cache, CACHE_FORMAT)
            .filter(|changes| changes.folder == folder);
        read.unwrap_or_else(|| Changes {
            folder: folder.to_string(),
            by_commit: HashMap::new(),
        })
    }

    /// Best effort: a cache that cannot be written only makes the next build slower.
    pub fn save(&self, cache: &Path) {
        crate::memo::write_checked(cache, CACHE_FORMAT, self);
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

/// How to spread the comparisons over the cores.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Threads {
    /// Every core: nothing else is running.
    All,
    /// This thread only: the sources are loading and checking beside it, so a second core
    /// is only free part of the time, and competing for it slows loading as much as the
    /// comparisons gain.
    One,
}

/// Fills in the changes of every commit not yet known. `folder` is a path in the commits'
/// trees (`content` or `site/content`).
pub fn compare_commits(
    repo: &gix::ThreadSafeRepository,
    commits: &[RawCommit],
    parents_tree: &HashMap<ObjectId, ObjectId>,
    changes: &mut Changes,
    threads: Threads,
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
    // (a commit's parent tree is the next commit's tree) are decoded once. Newest first: a
    // pack as `pack-objects` writes it for every clone stores the newest version of a tree
    // whole and older ones as deltas of it, so each tree's base was just unpacked (ten
    // times faster than oldest first on 1,500 versions of a 10,000-file folder).
    let compare = |part: &[&RawCommit]| -> Result<Vec<CommitChanges>, String> {
        let repo = repo.to_thread_local();
        let mut trees = Trees::new(&repo);
        part.iter()
            .map(|commit| {
                let paths = changed_in(&mut trees, commit, parents_tree, &folder)?;
                Ok((key(&commit.id), paths))
            })
            .collect()
    };
    let found: Vec<Result<Vec<CommitChanges>, String>> = match threads {
        Threads::One => vec![compare(&todo)],
        Threads::All => {
            let chunk = todo
                .len()
                .div_ceil(rayon::current_num_threads() * 2)
                .max(16);
            todo.par_chunks(chunk).map(compare).collect()
        }
    };
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

/// The id of the tree at `folder` (slash-separated) inside tree `root`.
pub fn subtree(
    repo: &gix::Repository,
    root: ObjectId,
    folder: &str,
) -> Result<Option<ObjectId>, String> {
    Trees::new(repo).subtree(root, folder)
}

/// Tree objects as read from the repository, the last few kept.
struct Trees<'r> {
    repo: &'r gix::Repository,
    cache: HashMap<ObjectId, Rc<Vec<u8>>>,
    /// Buffers of trees dropped from the cache, decoded into again: neither a copy of
    /// each 500 KB object nor a fresh allocation for it.
    spare: Vec<Vec<u8>>,
}

impl<'r> Trees<'r> {
    fn new(repo: &'r gix::Repository) -> Self {
        Trees {
            repo,
            cache: HashMap::new(),
            spare: Vec::new(),
        }
    }

    fn get(&mut self, id: Option<ObjectId>) -> Result<Rc<Vec<u8>>, String> {
        use gix::prelude::FindExt;
        let Some(id) = id else {
            return Ok(Rc::default());
        };
        if let Some(data) = self.cache.get(&id) {
            return Ok(data.clone());
        }
        if self.cache.len() > 32 {
            let dropped = self
                .cache
                .drain()
                .filter_map(|(_, d)| Rc::try_unwrap(d).ok());
            self.spare.extend(dropped);
        }
        let mut buffer = self.spare.pop().unwrap_or_default();
        let kind = self
            .repo
            .objects
            .find(&id, &mut buffer)
            .map_err(|e| e.to_string())?
            .kind;
        if kind != gix::objs::Kind::Tree {
            return Err(format!("object {id} is a {kind}, not a tree"));
        }
        let data = Rc::new(buffer);
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
    ///
    /// Works on the raw tree objects: runs of bytes both share are skipped with one
    /// comparison, so a commit that changed one file in a folder of 10,000 costs a
    /// `memcmp` and a scan for entry boundaries, not 20,000 parsed and compared entries.
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
        let hash_len = self.repo.object_hash().len_in_bytes();
        let (data_a, data_b) = (self.get(a)?, self.get(b)?);
        let (mut left, mut right) = (&data_a[..], &data_b[..]);
        loop {
            // Whatever both still share at the front is skipped in one comparison: each
            // byte is compared once, however far apart the changed entries are.
            let skip = unchanged_entries(left, right, hash_len);
            (left, right) = (&left[skip..], &right[skip..]);
            let (peek_left, peek_right) = (
                RawEntry::parse(left, hash_len),
                RawEntry::parse(right, hash_len),
            );
            let (x, y) = match (peek_left, peek_right) {
                (None, None) => break,
                (Some(x), None) => (Some(x), None),
                (None, Some(y)) => (None, Some(y)),
                (Some(x), Some(y)) => match x.order(&y) {
                    Ordering::Less => (Some(x), None),
                    Ordering::Greater => (None, Some(y)),
                    Ordering::Equal => (Some(x), Some(y)),
                },
            };
            if let Some(x) = x {
                left = &left[x.len..];
            }
            if let Some(y) = y {
                right = &right[y.len..];
            }
            if let (Some(x), Some(y)) = (x, y)
                && x.id == y.id
                && x.is_tree() == y.is_tree()
            {
                continue;
            }
            let Some(entry) = x.or(y) else {
                break;
            };
            let length = prefix.len();
            prefix.extend_from_slice(entry.name);
            if entry.is_tree() {
                prefix.push(b'/');
                let subtree = |e: Option<RawEntry>| {
                    e.filter(RawEntry::is_tree)
                        .and_then(|e| ObjectId::try_from(e.id).ok())
                };
                self.diff(subtree(x), subtree(y), prefix, out)?;
            } else {
                let blob = y.filter(|e| !e.is_tree()).map(|e| {
                    let mut key = [0; 20];
                    let n = e.id.len().min(20);
                    key[..n].copy_from_slice(&e.id[..n]);
                    key
                });
                out.push((String::from_utf8_lossy(prefix).into_owned(), blob));
            }
            prefix.truncate(length);
        }
        Ok(())
    }
}

/// One entry of a raw tree object: `<mode> <name>\0<id>`.
#[derive(Clone, Copy)]
struct RawEntry<'a> {
    mode: &'a [u8],
    name: &'a [u8],
    id: &'a [u8],
    /// Its length in the tree object.
    len: usize,
}

impl<'a> RawEntry<'a> {
    fn parse(data: &'a [u8], hash_len: usize) -> Option<Self> {
        let space = data.iter().position(|&b| b == b' ')?;
        let nul = space + 1 + data[space + 1..].iter().position(|&b| b == 0)?;
        let end = nul + 1 + hash_len;
        Some(RawEntry {
            mode: &data[..space],
            name: &data[space + 1..nul],
            id: data.get(nul + 1..end)?,
            len: end,
        })
    }

    fn is_tree(&self) -> bool {
        self.mode == b"40000"
    }

    /// git's order of tree entries: by name, a tree's name compared as if it ended in `/`.
    fn order(&self, other: &RawEntry) -> Ordering {
        let (x, y) = (self.name, other.name);
        let common = x.len().min(y.len());
        x[..common].cmp(&y[..common]).then_with(|| {
            let next = |entry: &RawEntry| {
                (entry.name.get(common).copied()).unwrap_or(if entry.is_tree() { b'/' } else { 0 })
            };
            next(self).cmp(&next(other))
        })
    }
}

/// The length of the entries two tree objects share at their start.
fn unchanged_entries(a: &[u8], b: &[u8], hash_len: usize) -> usize {
    const CHUNK: usize = 256;
    let mut same = 0;
    while same + CHUNK <= a.len().min(b.len()) && a[same..same + CHUNK] == b[same..same + CHUNK] {
        same += CHUNK;
    }
    same += (a[same..].iter().zip(&b[same..]))
        .take_while(|(x, y)| x == y)
        .count();
    // Back to the start of the entry the first difference is in: entries are walked from
    // the start, by their `\0`, as ids may hold any byte.
    // The first `\0` after an entry's start ends its name (modes and names hold none), so
    // a vectorised search for it steps from entry to entry.
    let mut at = 0;
    while let Some(nul) = memchr::memchr(0, &a[at..same.min(a.len())]) {
        let end = at + nul + 1 + hash_len;
        if end > same {
            break;
        }
        at = end;
    }
    at
}
