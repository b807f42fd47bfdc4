//! Facts worked out from git objects, kept in `.trustbook-cache/` between builds: they
//! depend only on the bytes they are keyed by, so a rebuild works out only new ones.
//! A memo keeps what its build used and drops the rest, so it holds one generation.

use serde::Serialize;
use serde::de::DeserializeOwned;
use std::collections::HashMap;
use std::hash::Hash;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

pub struct Memo<K, V> {
    file: PathBuf,
    previous: HashMap<K, V>,
    current: Mutex<HashMap<K, V>>,
    /// Something was worked out that the file did not have.
    learned: std::sync::atomic::AtomicBool,
}

/// Bumped when what a memo holds changes meaning: an old file is then not read.
const FORMAT: u32 = 1;

impl<K, V> Memo<K, V>
where
    K: Hash + Eq + Clone + Serialize + DeserializeOwned,
    V: Clone + Serialize + DeserializeOwned,
{
    /// The memo kept in `cache_folder/name`; empty when it is missing or unreadable.
    pub fn load(cache_folder: &Path, name: &str) -> Memo<K, V> {
        let file = cache_folder.join(name);
        let previous = std::fs::read(&file)
            .ok()
            .and_then(|bytes| bincode::deserialize::<(u32, HashMap<K, V>)>(&bytes).ok())
            .filter(|(format, _)| *format == FORMAT)
            .map(|(_, map)| map)
            .unwrap_or_default();
        Memo {
            file,
            previous,
            current: Mutex::new(HashMap::new()),
            learned: false.into(),
        }
    }

    /// The value for `key`: remembered, or worked out by `work` (and remembered unless it
    /// gives `None`: what could not be worked out is tried again next time).
    pub fn get(&self, key: K, work: impl FnOnce() -> Option<V>) -> Option<V> {
        let value = match self.previous.get(&key) {
            Some(value) => value.clone(),
            None => {
                let value = work()?;
                self.learned
                    .store(true, std::sync::atomic::Ordering::Relaxed);
                value
            }
        };
        if let Ok(mut current) = self.current.lock() {
            current.insert(key, value.clone());
        }
        Some(value)
    }

    /// Writes what this build used, when it differs from the file. Best effort: without
    /// the file the next build only works more.
    pub fn save(self) {
        let current = self.current.into_inner().unwrap_or_default();
        let learned = self.learned.into_inner();
        if !learned && current.len() == self.previous.len() {
            return;
        }
        if let Ok(bytes) = bincode::serialize(&(FORMAT, &current)) {
            let _ = std::fs::create_dir_all(self.file.parent().unwrap_or(Path::new(".")));
            let _ = std::fs::write(&self.file, bytes);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_between_loads_and_keeps_one_generation() {
        let folder = tempfile::tempdir().unwrap();
        let memo: Memo<u32, String> = Memo::load(folder.path(), "m.bin");
        assert_eq!(memo.get(1, || Some("one".into())).as_deref(), Some("one"));
        assert_eq!(memo.get(2, || Some("two".into())).as_deref(), Some("two"));
        assert_eq!(memo.get(3, || None), None);
        memo.save();
        let memo: Memo<u32, String> = Memo::load(folder.path(), "m.bin");
        assert_eq!(memo.get(1, || panic!("remembered")).as_deref(), Some("one"));
        memo.save();
        let memo: Memo<u32, String> = Memo::load(folder.path(), "m.bin");
        assert_eq!(memo.get(1, || panic!("remembered")).as_deref(), Some("one"));
        assert_eq!(
            memo.get(2, || Some("again".into())).as_deref(),
            Some("again")
        );
    }
}
