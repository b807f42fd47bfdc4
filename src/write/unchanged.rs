//! A build whose inputs are as the last build found them, and whose output folders are as
//! it left them, would write exactly what they hold: `build` then writes nothing and
//! prints what the last build printed.
//!
//! Inputs are every entry under `content/` and `themes/` (folders by their metadata,
//! files by their metadata and a hash of their bytes: a write through a shared memory
//! map can leave a file's times as they were), the program, the options, the day, and
//! what git is read from (the repository, where the site is in it, HEAD, and its object
//! store's folders). Outputs are every entry under the folders written, by metadata.
//! Certainty or nothing: a symbolic link among the inputs (its target could change
//! unseen), an input changed within two seconds of the build (a later change in the same
//! clock tick could keep its times), a file system that keeps times to the second, an
//! input that cannot be read, or a system without status-change times, and the build
//! runs in full.

use crate::hash::HashMap;
use crate::hash::HashMapExt;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// Bumped when what the record holds changes meaning.
const FORMAT: u32 = 3;

/// Changes this close before a build (in nanoseconds) are not trusted to show in times.
const RACY_NANOS: i128 = 2_000_000_000;

/// What a change to a file or folder alters.
#[derive(Serialize, Deserialize, PartialEq, Eq, Clone, Copy, Debug)]
struct Stamp {
    modified: i128,
    changed: i128,
    size: u64,
    inode: u64,
    device: u64,
    folder: bool,
    /// xxh3 of a file's bytes, for inputs.
    content: Option<u64>,
}

impl Stamp {
    #[cfg(unix)]
    fn of(metadata: &std::fs::Metadata) -> Option<Stamp> {
        use std::os::unix::fs::MetadataExt;
        let nanos = |s: i64, ns: i64| i128::from(s) * 1_000_000_000 + i128::from(ns);
        Some(Stamp {
            modified: nanos(metadata.mtime(), metadata.mtime_nsec()),
            changed: nanos(metadata.ctime(), metadata.ctime_nsec()),
            size: metadata.size(),
            inode: metadata.ino(),
            device: metadata.dev(),
            folder: metadata.is_dir(),
            content: None,
        })
    }

    /// Without status-change times a change could keep every time shown: never certain.
    #[cfg(not(unix))]
    fn of(_: &std::fs::Metadata) -> Option<Stamp> {
        None
    }
}

type Entries = Vec<(String, Stamp)>;

/// Whether `entries` hashes files' bytes: `None`, no; `Some(known)`, yes, taking the
/// hashes in `known` (by path under the site's folder: the files a build read) as they are.
type Hashed<'a> = Option<&'a HashMap<PathBuf, u64>>;

/// Every entry below (and including) `folder`, by path relative to `root`, sorted; with
/// `hashed`, each file's bytes hashed too. `None` if one cannot be read or is a symbolic
/// link. A missing folder is no entries.
fn entries(root: &Path, folder: &str, hashed: Hashed) -> Option<Entries> {
    let top = root.join(folder);
    let metadata = match top.symlink_metadata() {
        Ok(metadata) => metadata,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Some(Vec::new()),
        Err(_) => return None,
    };
    let mut found = walk(&top, folder.to_string(), &metadata, hashed)?;
    found.sort_by(|a, b| a.0.cmp(&b.0));
    Some(found)
}

/// `entries` of one entry and everything below it, folders read on every core: the
/// time is the system's, a call per entry.
fn walk(
    path: &Path,
    shown: String,
    metadata: &std::fs::Metadata,
    hashed: Hashed,
) -> Option<Entries> {
    if metadata.file_type().is_symlink() {
        return None;
    }
    let mut stamp = Stamp::of(metadata)?;
    if !metadata.is_dir() {
        if let Some(known) = hashed {
            if let Some(&hash) = known.get(Path::new(&shown)) {
                stamp.content = Some(hash);
                return Some(vec![(shown, stamp)]);
            }
            // The size is known: no second look at the file to size the buffer.
            let mut bytes = Vec::with_capacity(stamp.size as usize);
            std::io::Read::read_to_end(&mut std::fs::File::open(path).ok()?, &mut bytes).ok()?;
            stamp.content = Some(xxhash_rust::xxh3::xxh3_64(&bytes));
        }
        return Some(vec![(shown, stamp)]);
    }
    let children: Vec<std::fs::DirEntry> = std::fs::read_dir(path)
        .ok()?
        .collect::<Result<_, _>>()
        .ok()?;
    let below: Vec<Entries> = children
        .par_iter()
        .map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            let metadata = entry.metadata().ok()?;
            walk(&entry.path(), format!("{shown}/{name}"), &metadata, hashed)
        })
        .collect::<Option<_>>()?;
    let mut found = vec![(shown, stamp)];
    found.extend(below.into_iter().flatten());
    Some(found)
}

/// Every entry under `content/` and `themes/`.
fn sources(root: &Path, hashed: Hashed) -> Option<Entries> {
    let (sources, themes) = rayon::join(
        || entries(root, "content", hashed),
        || entries(root, "themes", hashed),
    );
    let mut sources = sources?;
    sources.extend(themes?);
    Some(sources)
}

/// The folders of a git object store whose times change when an object is added or
/// removed (a fetch into a partial clone, a pack, a pruned object), and the files that
/// change which objects a read finds (grafts, shallow, the configuration). `None` for a
/// store that borrows objects from another (`objects/info/alternates`), whose changes
/// are not seen here.
fn store_entries(git_dir: &Path) -> Option<Entries> {
    let alternates = git_dir.join("objects/info/alternates");
    if std::fs::read(&alternates)
        .map_or(alternates.exists(), |bytes| !bytes.trim_ascii().is_empty())
    {
        return None;
    }
    let mut names: Vec<String> = [
        "config",
        "shallow",
        "objects",
        "objects/pack",
        "objects/info",
        "objects/info/alternates",
        "info/grafts",
    ]
    .map(str::to_string)
    .to_vec();
    names.extend((0..=255u8).map(|n| format!("objects/{n:02x}")));
    let mut found = Vec::new();
    for name in names {
        match git_dir.join(&name).symlink_metadata() {
            Ok(metadata) => found.push((name, Stamp::of(&metadata)?)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(_) => return None,
        }
    }
    Some(found)
}

/// What git is read from: the repository (see `history::repository_state`) and its
/// object store's folders; `None` inside: outside git.
#[derive(Serialize, Deserialize, PartialEq, Debug)]
pub struct GitState(Option<(String, Entries)>);

impl GitState {
    /// As it is now for the site at `root`; `None` when it cannot be known for certain.
    pub fn now(root: &Path) -> Option<GitState> {
        Some(GitState(match crate::history::repository_state(root) {
            Some((state, git_dir)) => Some((state, store_entries(&git_dir)?)),
            None => None,
        }))
    }

    fn entries(&self) -> impl Iterator<Item = &(String, Stamp)> {
        self.0.iter().flat_map(|(_, entries)| entries)
    }
}

/// Everything a build is made from, as it is now.
#[derive(Serialize, Deserialize, PartialEq, Debug)]
pub struct Inputs {
    program: (String, Option<Stamp>),
    /// The options and anything else that changes what is built or printed.
    options: String,
    today: String,
    /// The clock's day: commits dated after it are refused.
    clock: String,
    /// The site's folder: where it is decides what git says of it.
    root: PathBuf,
    /// `None` with `--no-git`.
    git: Option<GitState>,
    sources: Entries,
}

impl Inputs {
    /// The inputs of a build of the site at `root` with `options` (anything that changes
    /// what it builds or prints), as they are now; `None` when they cannot be known for
    /// certain.
    pub fn now(root: &Path, options: String, today: String, use_git: bool) -> Option<Inputs> {
        let program = std::env::current_exe().ok()?;
        let program_stamp = Stamp::of(&program.metadata().ok()?);
        let sources = sources(root, None);
        let clock = chrono::Utc::now().date_naive().to_string();
        let git = match use_git {
            true => Some(GitState::now(root)?),
            false => None,
        };
        Some(Inputs {
            program: (env!("CARGO_PKG_VERSION").to_string(), program_stamp),
            options,
            today,
            clock,
            root: std::fs::canonicalize(root).ok()?,
            git,
            sources: sources?,
        })
    }

    /// A hash of each source's bytes, in the order of `sources`, read now; `None` if a
    /// source's metadata changed since `self` was made (a change during the build).
    /// Read only when its metadata gave no answer: a build after an edit reads each file
    /// once, not twice.
    /// The bytes of a file in `known` are not read again: its hash there is taken.
    fn contents(&self, root: &Path, known: &HashMap<PathBuf, u64>) -> Option<Vec<Option<u64>>> {
        let hashed = sources(root, Some(known))?;
        let same_metadata = hashed.len() == self.sources.len()
            && (hashed.iter().zip(&self.sources)).all(|((a, s), (b, t))| {
                a == b
                    && Stamp {
                        content: None,
                        ..*s
                    } == *t
            });
        same_metadata.then(|| hashed.iter().map(|(_, s)| s.content).collect())
    }

    /// Whether an input changed so shortly before `started` that a change made in the
    /// same clock tick as our look could have left its times as they were.
    fn racy(&self, started: SystemTime) -> bool {
        let Ok(since_epoch) = started.duration_since(UNIX_EPOCH) else {
            return true;
        };
        let started = since_epoch.as_nanos() as i128;
        let git = self.git.iter().flat_map(GitState::entries);
        (self.sources.iter().chain(git))
            .any(|(_, s)| s.modified.max(s.changed) > started - RACY_NANOS)
    }
}

/// What the last build was made from, what it wrote, and what it printed.
#[derive(Serialize, Deserialize)]
pub struct Record {
    /// The inputs by their metadata ...
    inputs: Inputs,
    /// ... and a hash of each source's bytes (a write through a memory map can leave
    /// its file's times as they were).
    contents: Vec<Option<u64>>,
    /// The folders written (`public`, `internal`) and every entry under them.
    outputs: Vec<(String, Entries)>,
    /// What it printed before its last line (the findings and the check's verdict).
    #[serde(with = "crate::memo::as_bytes")]
    pub printed: Vec<u8>,
    /// Its last line's list of folders written (`public/ (3 pages, 9 files) and …`).
    pub summary: String,
    /// What it printed after its last line.
    pub after: String,
}

fn record_file(root: &Path) -> PathBuf {
    root.join(crate::build::CACHE_FOLDER).join("unchanged.bin")
}

/// The last build's record, if its inputs are `inputs` and its output folders are as it
/// left them.
pub fn unchanged(root: &Path, inputs: &Inputs) -> Option<Record> {
    let record: Record = crate::memo::read_checked(&record_file(root), FORMAT)?;
    if record.inputs != *inputs || inputs.contents(root, &HashMap::new())? != record.contents {
        return None;
    }
    let same = |(folder, written): &(String, Entries)| {
        entries(root, folder, None).is_some_and(|now| now == *written)
    };
    record.outputs.par_iter().all(same).then_some(record)
}

/// A build's inputs, each source's bytes hashed and its metadata found as the first look
/// saw it: what a record says the build was made from.
pub struct Verified {
    inputs: Inputs,
    contents: Vec<Option<u64>>,
}

impl Inputs {
    /// `self`, certain: `None` when an input changed too recently to be certain of, or
    /// has changed since `self` was made (then the next build runs in full). `read` holds
    /// the hashes of the files the build read (`Site::file_hashes`): those files are not
    /// read again.
    ///
    /// It may run while the pages render: the record keeps `self`, the first look, so a
    /// source changed after this look still differs from it at the next build.
    pub fn verify(
        self,
        root: &Path,
        started: SystemTime,
        read: &HashMap<PathBuf, u64>,
    ) -> Option<Verified> {
        if self.racy(started) {
            return None;
        }
        let contents = self.contents(root, read)?;
        Some(Verified {
            inputs: self,
            contents,
        })
    }
}

/// Records a build made from `verified` that wrote `folders`, unless the file system
/// keeps times to the second (then the next build runs in full).
pub fn record(
    root: &Path,
    verified: Verified,
    folders: &[&str],
    (printed, summary, after): (Vec<u8>, String, String),
) {
    forget(root);
    let outputs: Option<Vec<(String, Entries)>> = (folders.par_iter())
        .map(|folder| Some((folder.to_string(), entries(root, folder, None)?)))
        .collect();
    let Some(outputs) = outputs else {
        return;
    };
    // Written just now, an output file changed by hand within the same second would
    // keep its times where they are kept to the second.
    let whole_seconds =
        |entries: &Entries| (entries.iter()).all(|(_, s)| s.modified % 1_000_000_000 == 0);
    if outputs.iter().any(|(_, written)| whole_seconds(written)) {
        return;
    }
    let record = Record {
        inputs: verified.inputs,
        contents: verified.contents,
        outputs,
        printed,
        summary,
        after,
    };
    crate::memo::write_checked(&record_file(root), FORMAT, &record);
}

/// Forgets the last build: the next one runs in full.
pub fn forget(root: &Path) {
    let _ = std::fs::remove_file(record_file(root));
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn inputs_are_verified_only_as_the_first_look_saw_them() {
        let site = tempfile::tempdir().expect("a temporary folder");
        let policy = site.path().join("content/policy.md");
        std::fs::create_dir_all(policy.parent().expect("a folder")).expect("content/");
        std::fs::write(&policy, "# Policy\n").expect("written");
        let look = || Inputs::now(site.path(), String::new(), "2026-11-27".into(), false);
        // Long after the sources changed: not too recent to be certain of.
        let later = SystemTime::now() + Duration::from_secs(10);
        let read = HashMap::new();
        let verified = look().expect("inputs").verify(site.path(), later, &read);
        assert_eq!(
            verified.expect("unchanged since the look").contents,
            vec![None, Some(xxhash_rust::xxh3::xxh3_64(b"# Policy\n"))],
            "content/ itself (a folder), then the policy's bytes"
        );

        // Changed after the first look, as by a save while the pages render.
        let first = look().expect("inputs");
        std::fs::write(&policy, "# Policy, edited\n").expect("written");
        assert!(first.verify(site.path(), later, &read).is_none());

        // Changed just before the build started: its times may not show a later change.
        let now = SystemTime::now();
        assert!(
            look()
                .expect("inputs")
                .verify(site.path(), now, &read)
                .is_none()
        );
    }
}
