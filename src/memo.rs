//! Facts worked out from bytes, kept by a key of those bytes between builds (in a file of
//! `.trustbook-cache/`) and between the saves `serve` answers (in memory): a fact that
//! depends only on the bytes it is keyed by is worked out once. A memo keeps what its last
//! build used and drops the rest, so it holds one generation, not every fact ever known.

use crate::generations::Generations;
use crate::hash::HashMap;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::hash::Hash;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

pub struct Memo<K, V> {
    values: Generations<K, V>,
    /// The current generation differs from what was loaded or last saved.
    changed: AtomicBool,
}

impl<K, V> Default for Memo<K, V> {
    fn default() -> Self {
        Memo {
            values: Generations::default(),
            changed: AtomicBool::new(false),
        }
    }
}

/// Bumped when what a memo file holds changes meaning: an old file is then not read.
/// 2: dates as the day's number (`Date`'s binary form), not text.
const FORMAT: u32 = 2;

/// Reads a cache file written by `write_checked` with the same `format`. `None` when it is
/// missing, of another format, or damaged: its checksum (xxh3 of the payload) catches a
/// damaged value that would still decode, such as one changed date in an approval stamp.
/// (Not a seal: whoever can write the cache can write the sources.)
pub fn read_checked<T: DeserializeOwned>(file: &Path, format: u32) -> Option<T> {
    let bytes = std::fs::read(file).ok()?;
    let (stored_format, checksum, payload) = envelope(&bytes)?;
    if stored_format != format || checksum != xxhash_rust::xxh3::xxh3_64(payload) {
        return None;
    }
    bincode::deserialize(payload).ok()
}

/// The envelope of a cache file: bincode's form of `(u32, u64, Vec<u8>)` (the format, the
/// checksum, the payload's length and bytes, little-endian), read and written here as
/// bytes: bincode goes through a `Vec<u8>` one byte at a time (tens of milliseconds for
/// the record of a large site's build, which holds what it printed).
const ENVELOPE: usize = 4 + 8 + 8;

fn envelope(bytes: &[u8]) -> Option<(u32, u64, &[u8])> {
    let format = u32::from_le_bytes(bytes.get(0..4)?.try_into().ok()?);
    let checksum = u64::from_le_bytes(bytes.get(4..12)?.try_into().ok()?);
    let len = u64::from_le_bytes(bytes.get(12..ENVELOPE)?.try_into().ok()?);
    let end = ENVELOPE.checked_add(usize::try_from(len).ok()?)?;
    Some((format, checksum, bytes.get(ENVELOPE..end)?))
}

fn enveloped(format: u32, payload: &[u8]) -> Vec<u8> {
    let checksum = xxhash_rust::xxh3::xxh3_64(payload);
    let mut bytes = Vec::with_capacity(ENVELOPE + payload.len());
    bytes.extend_from_slice(&format.to_le_bytes());
    bytes.extend_from_slice(&checksum.to_le_bytes());
    bytes.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    bytes.extend_from_slice(payload);
    bytes
}

/// Serde's form for a `Vec<u8>` field that may be large: bytes at once rather than a
/// sequence of numbers (the same bincode bytes, made and read in one copy).
pub mod as_bytes {
    use serde::{Deserializer, Serializer, de};

    pub fn serialize<S: Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(bytes)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<u8>, D::Error> {
        struct Bytes;
        impl<'de> de::Visitor<'de> for Bytes {
            type Value = Vec<u8>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("bytes")
            }
            fn visit_bytes<E: de::Error>(self, bytes: &[u8]) -> Result<Vec<u8>, E> {
                Ok(bytes.to_vec())
            }
            fn visit_byte_buf<E: de::Error>(self, bytes: Vec<u8>) -> Result<Vec<u8>, E> {
                Ok(bytes)
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<u8>, A::Error> {
                let mut bytes = Vec::with_capacity(seq.size_hint().unwrap_or(0));
                while let Some(byte) = seq.next_element()? {
                    bytes.push(byte);
                }
                Ok(bytes)
            }
        }
        deserializer.deserialize_byte_buf(Bytes)
    }
}

/// Writes `value` for `read_checked`. Best effort: a cache that cannot be written only
/// makes the next build work more.
pub fn write_checked<T: Serialize + ?Sized>(file: &Path, format: u32, value: &T) {
    let Ok(payload) = bincode::serialize(value) else {
        return;
    };
    let _ = std::fs::create_dir_all(file.parent().unwrap_or(Path::new(".")));
    let _ = std::fs::write(file, enveloped(format, &payload));
}

impl<K, V> Memo<K, V>
where
    K: Hash + Eq + Clone + Serialize + DeserializeOwned,
    V: Clone + Serialize + DeserializeOwned,
{
    /// The memo kept in `file`; empty when it is missing or unreadable.
    pub fn load(file: &Path) -> Memo<K, V> {
        let earlier: HashMap<K, V> = read_checked(file, FORMAT).unwrap_or_default();
        Memo {
            values: Generations::earlier(earlier),
            ..Memo::default()
        }
    }

    /// Writes what this generation used to `file`, when it differs from what the file
    /// holds. Best effort: without the file the next build only works more.
    pub fn save(&self, file: &Path) {
        self.values.read_used(|used, unused| {
            // Entries loaded but not used are dropped: the file then changes too.
            if self.changed.swap(false, Ordering::Relaxed) || unused {
                write_checked(file, FORMAT, &used);
            }
        });
    }
}

/// Kept in memory only, a memo needs nothing of its values but that they can be cloned.
impl<K: Hash + Eq + Clone, V: Clone> Memo<K, V> {
    /// Starts a generation (`serve`, before each build): what the last one used is what
    /// this one may reuse. (`save` compares the next generation with it, so a memo saved
    /// and then started holds what its file holds.)
    /// What the last generation did not use is dropped on another thread: a model's
    /// worth of template values takes tens of milliseconds to free, and a save waits.
    pub fn start(&self)
    where
        V: Send + 'static,
    {
        let unused = self.values.start();
        if !unused.is_empty() {
            std::thread::spawn(move || drop(unused));
        }
    }

    /// The value for `key`: remembered, or worked out by `work` (and remembered unless it
    /// gives `None`: what could not be worked out is tried again next time).
    pub fn get(&self, key: K, work: impl FnOnce() -> Option<V>) -> Option<V> {
        if let Some(known) = self.values.find(&key, |value| Some(value.clone())) {
            return Some(known);
        }
        let value = work()?;
        self.changed.store(true, Ordering::Relaxed);
        self.values.insert(key, value.clone());
        Some(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_keep_bincodes_form_so_earlier_caches_still_read() {
        #[derive(Serialize, serde::Deserialize, PartialEq, Debug)]
        struct Raw {
            #[serde(with = "as_bytes")]
            printed: Vec<u8>,
            after: String,
        }
        #[derive(Serialize, serde::Deserialize, PartialEq, Debug)]
        struct Plain {
            printed: Vec<u8>,
            after: String,
        }
        let printed: Vec<u8> = (0..=255).cycle().take(70_000).collect();
        let raw = Raw {
            printed: printed.clone(),
            after: "é".into(),
        };
        let plain = Plain {
            printed,
            after: "é".into(),
        };
        let folder = tempfile::tempdir().unwrap();
        let file = folder.path().join("r.bin");
        write_checked(&file, 7, &raw);
        // As bincode made the whole file before: (format, checksum, payload).
        let payload = bincode::serialize(&plain).unwrap();
        let checksum = xxhash_rust::xxh3::xxh3_64(&payload);
        let before = bincode::serialize(&(7u32, checksum, payload)).unwrap();
        assert_eq!(std::fs::read(&file).unwrap(), before);
        std::fs::write(&file, &before).unwrap();
        assert_eq!(read_checked::<Raw>(&file, 7), Some(raw));
        assert_eq!(read_checked::<Plain>(&file, 7), Some(plain));
        assert_eq!(read_checked::<Plain>(&file, 8), None, "another format");
        // Cut short, or a byte changed: not read.
        std::fs::write(&file, &before[..before.len() - 1]).unwrap();
        assert_eq!(read_checked::<Plain>(&file, 7), None);
        let mut changed = before.clone();
        changed[100] ^= 1;
        std::fs::write(&file, &changed).unwrap();
        assert_eq!(read_checked::<Plain>(&file, 7), None);
        std::fs::write(&file, &before[..10]).unwrap();
        assert_eq!(read_checked::<Plain>(&file, 7), None);
    }

    #[test]
    fn remembers_between_loads_and_keeps_one_generation() {
        let folder = tempfile::tempdir().unwrap();
        let file = folder.path().join("m.bin");
        let memo: Memo<u32, String> = Memo::load(&file);
        assert_eq!(memo.get(1, || Some("one".into())).as_deref(), Some("one"));
        assert_eq!(memo.get(2, || Some("two".into())).as_deref(), Some("two"));
        assert_eq!(memo.get(2, || panic!("known")).as_deref(), Some("two"));
        assert_eq!(memo.get(3, || None), None);
        memo.save(&file);
        let memo: Memo<u32, String> = Memo::load(&file);
        assert_eq!(memo.get(1, || panic!("remembered")).as_deref(), Some("one"));
        memo.save(&file);
        let memo: Memo<u32, String> = Memo::load(&file);
        assert_eq!(memo.get(1, || panic!("remembered")).as_deref(), Some("one"));
        assert_eq!(
            memo.get(2, || Some("again".into())).as_deref(),
            Some("again")
        );
        // In memory, across generations, as `serve` uses it.
        memo.start();
        assert_eq!(memo.get(2, || panic!("kept")).as_deref(), Some("again"));
        memo.start();
        assert_eq!(memo.get(1, || Some("anew".into())).as_deref(), Some("anew"));
    }

    #[test]
    fn a_value_damaged_in_place_is_not_believed() {
        let folder = tempfile::tempdir().unwrap();
        let file = folder.path().join("m.bin");
        let memo: Memo<u32, String> = Memo::load(&file);
        memo.get(7, || Some("approved 2026-03-02".into()));
        memo.save(&file);
        let mut bytes = std::fs::read(&file).unwrap();
        let at = (bytes.windows(10).position(|w| w == b"2026-03-02")).unwrap();
        bytes[at + 9] = b'1';
        std::fs::write(&file, bytes).unwrap();
        let memo: Memo<u32, String> = Memo::load(&file);
        let worked = std::cell::Cell::new(false);
        memo.get(7, || {
            worked.set(true);
            Some("approved 2026-03-02".into())
        });
        assert!(worked.get(), "a damaged value was taken as known");
    }

    #[test]
    fn a_damaged_file_is_an_empty_memo() {
        let folder = tempfile::tempdir().unwrap();
        let file = folder.path().join("m.bin");
        std::fs::write(&file, b"\x01\0\0\0\xff\xff\xff\xff\xff\xff\xff\x7fgarbage").unwrap();
        let memo: Memo<u32, String> = Memo::load(&file);
        assert_eq!(memo.get(1, || Some("one".into())).as_deref(), Some("one"));
    }
}
