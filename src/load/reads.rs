//! Source bytes kept between loads by `serve`, so a save re-reads the files that changed
//! (a `stat` each) instead of every file of the site.
//!
//! A file is taken as unchanged when its size, modification and change times (and, on
//! Unix, its inode) are as they were. File times can be coarse, so a file written within
//! `RACY` of being read is read again every time, as git does for its index: a second
//! write in the same tick can never be missed.

use super::files::{self, Found};
use crate::finding::Finding;
use crate::generations::Generations;
use std::ffi::OsString;
use std::fs::Metadata;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

const RACY: Duration = Duration::from_secs(2);

#[derive(Clone, Copy, PartialEq, Eq)]
struct Stamp {
    len: u64,
    modified: Option<SystemTime>,
    #[cfg(unix)]
    changed: (i64, i64),
    #[cfg(unix)]
    inode: u64,
    /// Its number of names (hard links): a file with another name may change under it,
    /// which a watcher reports under that name only.
    #[cfg(unix)]
    names: u64,
}

impl Stamp {
    fn of(meta: &Metadata) -> Stamp {
        #[cfg(unix)]
        use std::os::unix::fs::MetadataExt;
        Stamp {
            len: meta.len(),
            modified: meta.modified().ok(),
            #[cfg(unix)]
            changed: (meta.ctime(), meta.ctime_nsec()),
            #[cfg(unix)]
            inode: meta.ino(),
            #[cfg(unix)]
            names: meta.nlink(),
        }
    }

    /// Whether it has one name only (elsewhere: always).
    fn has_one_name(&self) -> bool {
        #[cfg(unix)]
        return self.names <= 1;
        #[cfg(not(unix))]
        return true;
    }

    /// Whether a read at `read_at` could have missed a later write in the same tick.
    fn is_racy(&self, read_at: SystemTime) -> bool {
        self.modified
            .and_then(|modified| read_at.duration_since(modified).ok())
            .is_none_or(|age| age < RACY)
    }
}

struct Kept {
    stamp: Stamp,
    read: Read,
    /// Written within `RACY` of its read: never reused, only kept for its stamp, so that
    /// `changed_since_read` still looks at it.
    racy: bool,
}

impl Kept {
    /// The bytes as read, unless the file may have changed since in the same tick.
    fn reusable(&self) -> Option<Read> {
        (!self.racy).then(|| self.read.clone())
    }
}

/// A source as read: normalised (`files::normalised`), as text when it is UTF-8 (shared,
/// not copied, by every load that finds the file unchanged) or else as bytes; and the xxh3
/// hash of those bytes.
#[derive(Clone)]
pub struct Read {
    pub text: Result<Arc<String>, Vec<u8>>,
    pub hash: u64,
    /// The xxh3 hash of the file's bytes before normalising (`hash` for most files):
    /// what a build records of the files it was made from.
    pub file_hash: u64,
}

impl Read {
    fn of(found: &Found) -> Result<Read, Box<Finding>> {
        let bytes = files::read_bytes(found)?;
        let file_hash = xxhash_rust::xxh3::xxh3_64(&bytes);
        let changes = files::normalising_changes(&bytes);
        let bytes = files::normalised(bytes);
        let hash = match changes {
            true => xxhash_rust::xxh3::xxh3_64(&bytes),
            false => file_hash,
        };
        let text = String::from_utf8(bytes)
            .map(Arc::new)
            .map_err(|e| e.into_bytes());
        Ok(Read {
            text,
            hash,
            file_hash,
        })
    }

    /// The bytes read, whichever way they are held.
    pub fn bytes(&self) -> &[u8] {
        match &self.text {
            Ok(text) => text.as_bytes(),
            Err(bytes) => bytes,
        }
    }
}

/// The bytes of the previous load's sources by real path (one generation, like the
/// parse cache). Off unless made with `keeping()`: `build` reads every file once anyway.
#[derive(Default)]
pub struct Reads {
    keeping: bool,
    // By the path's bytes: hashing a `Path` reads it component by component.
    kept: Generations<OsString, Kept>,
}

impl Reads {
    pub fn keeping() -> Reads {
        Reads {
            keeping: true,
            ..Reads::default()
        }
    }

    /// Starts a load: the files the last one did not use are forgotten.
    pub fn start(&self) {
        drop(self.kept.start());
    }

    /// The file's bytes as last read, without asking the file system whether it changed
    /// (`watched::Unchanged` says it did not); read now if none are kept, or if the file
    /// has another name (a hard link), through which it may have changed unreported.
    pub fn read_unchanged(&self, found: &Found) -> Result<Read, Box<Finding>> {
        let one_name = |kept: &Kept| kept.stamp.has_one_name().then(|| kept.reusable())?;
        let kept = (self.keeping)
            .then(|| (self.kept).find(found.real.as_os_str(), one_name))
            .flatten();
        match kept {
            Some(read) => Ok(read),
            None => self.read(found),
        }
    }

    /// The real paths of the files the last load used whose metadata is no longer what
    /// it was when they were read (or that are gone): `serve` looks, when idle, for
    /// changes its watcher did not report (a second name made for a file, a write
    /// through a memory map).
    pub fn changed_since_read(&self) -> Vec<std::path::PathBuf> {
        let changed = |used: crate::hash::HashMap<&OsString, &Kept>, _| {
            (used.into_iter())
                .filter(|(real, kept)| {
                    let now = std::fs::metadata(real).ok().map(|m| Stamp::of(&m));
                    now != Some(kept.stamp)
                })
                .map(|(real, _)| std::path::PathBuf::from(real))
                .collect()
        };
        self.kept.read_used(changed).unwrap_or_default()
    }

    /// The file's bytes, normalised and hashed: kept ones when it is unchanged, else read now.
    pub fn read(&self, found: &Found) -> Result<Read, Box<Finding>> {
        if !self.keeping {
            return Read::of(found);
        }
        let stamp = std::fs::metadata(&found.real).ok().map(|m| Stamp::of(&m));
        let unchanged = stamp.and_then(|stamp| {
            (self.kept).find(found.real.as_os_str(), |kept| {
                (kept.stamp == stamp).then(|| kept.reusable())?
            })
        });
        if let Some(read) = unchanged {
            return Ok(read);
        }
        let read_at = SystemTime::now();
        let read = Read::of(found)?;
        // A file written within `RACY` of this read is read again next time.
        if let Some(stamp) = stamp {
            let kept = Kept {
                stamp,
                read: read.clone(),
                racy: stamp.is_racy(read_at),
            };
            (self.kept).insert(found.real.clone().into_os_string(), kept);
        }
        Ok(read)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn changed_and_freshly_written_files_are_read_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.md");
        let found = Found {
            shown: "a.md".into(),
            real: path.clone(),
        };
        let reads = Reads::keeping();
        fs::write(&path, "one").unwrap();
        reads.start();
        assert_eq!(reads.read(&found).unwrap().bytes(), b"one");
        // Same size, written at once after the read: racy, so never taken from memory.
        fs::write(&path, "two").unwrap();
        reads.start();
        assert_eq!(reads.read(&found).unwrap().bytes(), b"two");

        // An old file is kept; a change of size or times is seen.
        let old = SystemTime::now() - Duration::from_secs(60);
        fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(old)
            .unwrap();
        reads.start();
        assert_eq!(reads.read(&found).unwrap().bytes(), b"two");
        assert!(
            reads
                .kept
                .find(path.as_os_str(), |k| k.reusable())
                .is_some(),
            "kept"
        );
        fs::write(&path, "three").unwrap();
        reads.start();
        assert_eq!(reads.read(&found).unwrap().bytes(), b"three");
        // Fresh, so never reused, but still looked at for a change no watcher reports.
        assert!(reads.changed_since_read().is_empty());
        fs::write(&path, "four!").unwrap();
        assert_eq!(reads.changed_since_read(), vec![path.clone()]);
    }
}
