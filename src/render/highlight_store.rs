//! The highlight cache on disk: an index of (key, length) pairs, then the blocks' HTML one
//! after the other. Opening it reads the index only; a block is read when a page needs
//! it, so a build that renders a few pages never loads the whole cache (tens of MB on a
//! large site).

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::Mutex;

const MAGIC: &[u8; 8] = b"TBHL\x00\x00\x00\x01";
/// More entries than this means the file is not ours (or is damaged): ignore it.
const MAX_ENTRIES: u64 = 10_000_000;

/// An opened cache file: where each block is, and the file to read it from.
pub struct Store {
    at: HashMap<u64, (u64, u32)>,
    file: Mutex<File>,
}

fn read_u64(reader: &mut impl Read) -> io::Result<u64> {
    let mut bytes = [0; 8];
    reader.read_exact(&mut bytes)?;
    Ok(u64::from_le_bytes(bytes))
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
        let mut offset = 16 + count * 12;
        let mut at = HashMap::with_capacity(count as usize);
        for _ in 0..count {
            let key = read_u64(&mut reader).ok()?;
            let len = read_u32(&mut reader).ok()?;
            at.insert(key, (offset, len));
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
        let &(offset, len) = self.at.get(&key)?;
        let mut file = self.file.lock().ok()?;
        file.seek(SeekFrom::Start(offset)).ok()?;
        let mut bytes = vec![0; len as usize];
        file.read_exact(&mut bytes).ok()?;
        String::from_utf8(bytes).ok()
    }

    #[cfg(test)]
    pub fn keys(&self) -> impl Iterator<Item = u64> + '_ {
        self.at.keys().copied()
    }
}

/// Writes the `fresh` blocks and those of `old` not among them to `path`, copying old
/// blocks one at a time (never all in memory), through a temporary file and a rename, so
/// a reader of the old file, or a crash, never sees half of it.
pub fn save(path: &Path, fresh: &HashMap<u64, String>, old: Option<&Store>) -> io::Result<()> {
    let kept: Vec<(u64, u32)> = (old.into_iter())
        .flat_map(|store| store.at.iter())
        .filter(|(key, _)| !fresh.contains_key(key))
        .map(|(key, &(_, len))| (*key, len))
        .collect();
    let fresh: Vec<(u64, &str)> = (fresh.iter())
        .filter(|(_, html)| u32::try_from(html.len()).is_ok())
        .map(|(key, html)| (*key, html.as_str()))
        .collect();
    let folder = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(folder)?;
    let temporary = path.with_extension("tmp");
    {
        let mut out = BufWriter::new(File::create(&temporary)?);
        out.write_all(MAGIC)?;
        out.write_all(&((fresh.len() + kept.len()) as u64).to_le_bytes())?;
        let lengths =
            (fresh.iter().map(|(key, html)| (*key, html.len() as u32))).chain(kept.iter().copied());
        for (key, len) in lengths {
            out.write_all(&key.to_le_bytes())?;
            out.write_all(&len.to_le_bytes())?;
        }
        for (_, html) in &fresh {
            out.write_all(html.as_bytes())?;
        }
        for (key, _) in &kept {
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
        let first = HashMap::from([(1, "<pre>a</pre>".to_string())]);
        save(&path, &first, None).unwrap();
        let second = HashMap::from([(2, "<pre>bé</pre>".to_string())]);
        save(&path, &second, Store::open(&path).as_ref()).unwrap();
        let store = Store::open(&path).unwrap();
        assert_eq!(store.get(2).as_deref(), Some("<pre>bé</pre>"));
        assert_eq!(
            store.get(1).as_deref(),
            Some("<pre>a</pre>"),
            "old blocks are kept"
        );
        assert_eq!(store.get(3), None);
        let mut bytes = std::fs::read(&path).unwrap();
        bytes.pop();
        std::fs::write(&path, &bytes).unwrap();
        assert!(Store::open(&path).is_none(), "a truncated file is not used");
        std::fs::write(&path, b"{\"1\": \"json\"}").unwrap();
        assert!(Store::open(&path).is_none());
    }
}
