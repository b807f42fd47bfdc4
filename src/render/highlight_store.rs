//! The highlight cache on disk: an index of (key, length, age) entries, then the blocks'
//! HTML one after the other. A block's age counts the saves since a build last used it; a
//! block unused for `MAX_AGE` saves is dropped, so the file holds what recent builds
//! needed instead of every block ever highlighted. Opening it reads the index only; a block is read when a page needs
//! it, so a build that renders a few pages never loads the whole cache (tens of MB on a
//! large site).

use crate::hash::HashMap;
use crate::hash::HashMapExt;
use std::fs::File;
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

const MAGIC: &[u8; 8] = b"TBHL\x00\x00\x00\x03";
/// Saves a block may go unused before it is dropped.
pub const MAX_AGE: u16 = 30;
const ENTRY_BYTES: u64 = 8 + 4 + 2 + 8;
/// More entries than this means the file is not ours (or is damaged): ignore it.
const MAX_ENTRIES: u64 = 10_000_000;

/// An opened cache file: where each block is, and the file to read it from.
pub struct Store {
    /// Offset, length, age and checksum of each block.
    at: HashMap<u64, (u64, u32, u16, u64)>,
    file: Mutex<File>,
}

fn read_u64(reader: &mut impl Read) -> io::Result<u64> {
    let mut bytes = [0; 8];
    reader.read_exact(&mut bytes)?;
    Ok(u64::from_le_bytes(bytes))
}

fn read_u16(reader: &mut impl Read) -> io::Result<u16> {
    let mut bytes = [0; 2];
    reader.read_exact(&mut bytes)?;
    Ok(u16::from_le_bytes(bytes))
}

fn read_u32(reader: &mut impl Read) -> io::Result<u32> {
    let mut bytes = [0; 4];
    reader.read_exact(&mut bytes)?;
    Ok(u32::from_le_bytes(bytes))
}

impl Store {
    /// The cache at `path`; `None` when it is missing, damaged or of another version.
    pub fn open(path: &Path) -> Option<Store> {
        let mut file = File::open(path).ok()?;
        let size = file.metadata().ok()?.len();
        let mut reader = io::BufReader::new(&mut file);
        let mut magic = [0; 8];
        reader.read_exact(&mut magic).ok()?;
        let count = read_u64(&mut reader).ok()?;
        if &magic != MAGIC || count > MAX_ENTRIES {
            return None;
        }
        let mut offset = 16 + count * ENTRY_BYTES;
        let mut at = HashMap::with_capacity(count as usize);
        for _ in 0..count {
            let key = read_u64(&mut reader).ok()?;
            let len = read_u32(&mut reader).ok()?;
            let age = read_u16(&mut reader).ok()?;
            let sum = read_u64(&mut reader).ok()?;
            at.insert(key, (offset, len, age, sum));
            offset += u64::from(len);
        }
        if offset != size {
            return None;
        }
        drop(reader);
        Some(Store {
            at,
            file: Mutex::new(file),
        })
    }

    pub fn get(&self, key: u64) -> Option<String> {
        let &(offset, len, _, sum) = self.at.get(&key)?;
        let mut file = self.file.lock().ok()?;
        file.seek(SeekFrom::Start(offset)).ok()?;
        let mut bytes = vec![0; len as usize];
        file.read_exact(&mut bytes).ok()?;
        // A block damaged in place is HTML that would go into pages: highlighted anew.
        if xxhash_rust::xxh3::xxh3_64(&bytes) != sum {
            return None;
        }
        String::from_utf8(bytes).ok()
    }

    #[cfg(test)]
    pub fn keys(&self) -> impl Iterator<Item = u64> + '_ {
        self.at.keys().copied()
    }
}

/// Blocks highlighted in this run, in order: in memory, or, for `build` (which saves
/// them), in a spill file beside the cache, so a large site's blocks are not all held in
/// memory at once.
pub struct Fresh {
    /// Key, length and checksum of each block, in order.
    order: Vec<(u64, u32, u64)>,
    at: HashMap<u64, (u64, u32)>,
    len: u64,
    data: Data,
}

enum Data {
    Memory(Vec<u8>),
    /// Created on the first block.
    Pending(PathBuf),
    File(File, PathBuf),
}

impl Fresh {
    pub fn in_memory() -> Fresh {
        Fresh::with(Data::Memory(Vec::new()))
    }

    pub fn spilled_to(path: &Path) -> Fresh {
        Fresh::with(Data::Pending(path.to_path_buf()))
    }

    fn with(data: Data) -> Fresh {
        Fresh {
            order: Vec::new(),
            at: HashMap::new(),
            len: 0,
            data,
        }
    }

    pub fn contains(&self, key: u64) -> bool {
        self.at.contains_key(&key)
    }

    pub fn get(&mut self, key: u64) -> Option<String> {
        let &(offset, len) = self.at.get(&key)?;
        let bytes = match &mut self.data {
            Data::Memory(bytes) => bytes
                .get(offset as usize..(offset + u64::from(len)) as usize)?
                .to_vec(),
            Data::File(file, _) => {
                file.seek(SeekFrom::Start(offset)).ok()?;
                let mut bytes = vec![0; len as usize];
                file.read_exact(&mut bytes).ok()?;
                bytes
            }
            Data::Pending(_) => return None,
        };
        String::from_utf8(bytes).ok()
    }

    pub fn insert(&mut self, key: u64, html: &str) {
        let Ok(len) = u32::try_from(html.len()) else {
            return;
        };
        if self.contains(key) {
            return;
        }
        if let Data::Pending(path) = &self.data {
            let folder = path.parent().unwrap_or(Path::new("."));
            let opened = std::fs::create_dir_all(folder).and_then(|()| {
                File::options()
                    .read(true)
                    .write(true)
                    .create(true)
                    .truncate(true)
                    .open(path)
            });
            self.data = match opened {
                Ok(file) => Data::File(file, path.clone()),
                // No spill file: keep the blocks in memory instead.
                Err(_) => Data::Memory(Vec::new()),
            };
        }
        let written = match &mut self.data {
            Data::Memory(bytes) => {
                bytes.extend_from_slice(html.as_bytes());
                Ok(())
            }
            Data::File(file, _) => file
                .seek(SeekFrom::Start(self.len))
                .and_then(|_| file.write_all(html.as_bytes())),
            Data::Pending(_) => Err(io::Error::other("not opened")),
        };
        if written.is_ok() {
            let sum = xxhash_rust::xxh3::xxh3_64(html.as_bytes());
            self.order.push((key, len, sum));
            self.at.insert(key, (self.len, len));
            self.len += u64::from(len);
        }
    }

    fn copy_to(&mut self, out: &mut impl Write) -> io::Result<()> {
        match &mut self.data {
            Data::Memory(bytes) => out.write_all(bytes),
            Data::File(file, _) => {
                file.seek(SeekFrom::Start(0))?;
                let copied = io::copy(&mut Read::by_ref(file).take(self.len), out)?;
                if copied == self.len {
                    Ok(())
                } else {
                    Err(io::Error::other("the spill file is short"))
                }
            }
            Data::Pending(_) => Ok(()),
        }
    }
}

impl Drop for Fresh {
    fn drop(&mut self) {
        if let Data::File(_, path) = &self.data {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Writes the `fresh` blocks and those of `old` not among them to `path`: old blocks this
/// build `used` start again at age 0, the others age by one and are dropped past
/// `MAX_AGE`. Old blocks are copied one at a time (never all in memory), through a
/// temporary file and a rename, so a reader of the old file, or a crash, never sees half.
pub fn save(
    path: &Path,
    fresh: &mut Fresh,
    old: Option<&Store>,
    used: &crate::hash::HashSet<u64>,
) -> io::Result<()> {
    let kept: Vec<(u64, u32, u16, u64)> = (old.into_iter())
        .flat_map(|store| store.at.iter())
        .filter(|(key, _)| !fresh.contains(**key))
        .map(|(key, &(_, len, age, sum))| {
            let age = if used.contains(key) {
                0
            } else {
                age.saturating_add(1)
            };
            (*key, len, age, sum)
        })
        .filter(|&(_, _, age, _)| age <= MAX_AGE)
        .collect();
    let folder = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(folder)?;
    let temporary = path.with_extension("tmp");
    {
        let mut out = BufWriter::new(File::create(&temporary)?);
        out.write_all(MAGIC)?;
        out.write_all(&((fresh.order.len() + kept.len()) as u64).to_le_bytes())?;
        let fresh_entries = (fresh.order.iter()).map(|&(key, len, sum)| (key, len, 0u16, sum));
        for (key, len, age, sum) in fresh_entries.chain(kept.iter().copied()) {
            out.write_all(&key.to_le_bytes())?;
            out.write_all(&len.to_le_bytes())?;
            out.write_all(&age.to_le_bytes())?;
            out.write_all(&sum.to_le_bytes())?;
        }
        fresh.copy_to(&mut out)?;
        for (key, _, _, _) in &kept {
            let html = old
                .and_then(|store| store.get(*key))
                .ok_or_else(|| io::Error::other("the old cache changed"))?;
            out.write_all(html.as_bytes())?;
        }
        out.flush()?;
    }
    std::fs::rename(&temporary, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_come_back_by_key_and_damage_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cache/highlight.bin");
        let mut first = Fresh::in_memory();
        first.insert(1, "<pre>a</pre>");
        let none = crate::hash::HashSet::default();
        save(&path, &mut first, None, &none).unwrap();
        let spill = dir.path().join("cache/highlight.spill");
        let mut second = Fresh::spilled_to(&spill);
        second.insert(2, "<pre>bé</pre>");
        second.insert(3, "<pre>c</pre>");
        assert_eq!(
            second.get(2).as_deref(),
            Some("<pre>bé</pre>"),
            "read back from the spill file"
        );
        save(&path, &mut second, Store::open(&path).as_ref(), &none).unwrap();
        drop(second);
        assert!(!spill.exists(), "the spill file is removed");
        let store = Store::open(&path).unwrap();
        assert_eq!(store.get(2).as_deref(), Some("<pre>bé</pre>"));
        assert_eq!(
            store.get(1).as_deref(),
            Some("<pre>a</pre>"),
            "old blocks are kept"
        );
        assert_eq!(store.get(3).as_deref(), Some("<pre>c</pre>"));
        assert_eq!(store.get(4), None);
        let mut bytes = std::fs::read(&path).unwrap();
        // One byte of a block's HTML changed in place: that block is not believed.
        let at = (bytes.windows(5).position(|w| w == b"<pre>")).unwrap() + 5;
        bytes[at] ^= 1;
        std::fs::write(&path, &bytes).unwrap();
        let damaged = Store::open(&path).unwrap();
        let believed = (1..=3).filter(|key| damaged.get(*key).is_some()).count();
        assert_eq!(believed, 2, "the damaged block is not returned");
        bytes[at] ^= 1;
        bytes.pop();
        std::fs::write(&path, &bytes).unwrap();
        assert!(Store::open(&path).is_none(), "a truncated file is not used");
        std::fs::write(&path, b"{\"1\": \"json\"}").unwrap();
        assert!(Store::open(&path).is_none());
    }

    #[test]
    fn blocks_no_build_uses_are_dropped_after_max_age_saves() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("highlight.bin");
        let mut first = Fresh::in_memory();
        first.insert(1, "<pre>old</pre>");
        first.insert(2, "<pre>used</pre>");
        let none = crate::hash::HashSet::default();
        save(&path, &mut first, None, &none).unwrap();
        let used = crate::hash::HashSet::from_iter([2]);
        for round in 0..=MAX_AGE + 1 {
            let old = Store::open(&path).unwrap();
            let mut fresh = Fresh::in_memory();
            fresh.insert(100 + u64::from(round), "<pre>new</pre>");
            save(&path, &mut fresh, Some(&old), &used).unwrap();
        }
        let store = Store::open(&path).unwrap();
        assert_eq!(store.get(1), None, "unused for more than MAX_AGE saves");
        assert_eq!(store.get(2).as_deref(), Some("<pre>used</pre>"));
        assert_eq!(
            store.get(100 + u64::from(MAX_AGE)).as_deref(),
            Some("<pre>new</pre>")
        );
        assert_eq!(
            store.get(100),
            None,
            "a block used once and never again goes too"
        );
    }
}
