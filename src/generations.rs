//! A map kept from one build to the next (file bytes, parses, pages, memos), holding what
//! the last build used and what this one uses: each value is stamped with the last build
//! that used it, and `start` drops the ones the build before did not use.
//!
//! One map, not a previous and a current one: a value found again is looked up under a
//! read lock (the threads of a build do not wait on each other to look) and stamped, not
//! moved from one map to the other with its key copied. At N = 10,000 a save finds some
//! 50,000 values again.

use crate::hash::HashMap;
use std::borrow::Borrow;
use std::hash::Hash;
use std::sync::RwLock;
use std::sync::atomic::{AtomicU64, Ordering};

pub struct Generations<K, V> {
    map: RwLock<HashMap<K, Stamped<V>>>,
    /// The build under way; values loaded from a file count as the build before the first.
    now: AtomicU64,
}

struct Stamped<V> {
    value: V,
    used_by: AtomicU64,
}

impl<K, V> Default for Generations<K, V> {
    fn default() -> Self {
        Generations {
            map: RwLock::default(),
            now: AtomicU64::new(1),
        }
    }
}

impl<K: Hash + Eq, V> Generations<K, V> {
    /// Values made by an earlier run (read from a file), for the first build to use.
    pub fn earlier(values: impl IntoIterator<Item = (K, V)>) -> Self {
        let map = values
            .into_iter()
            .map(|(key, value)| (key, stamped(value, 0)))
            .collect();
        Generations {
            map: RwLock::new(map),
            now: AtomicU64::new(1),
        }
    }

    /// Starts a build: the values the last one used are what this one may find; the
    /// others are returned, for the caller to drop where a build does not wait on it.
    #[must_use = "the values dropped: a large set is best freed on another thread"]
    pub fn start(&self) -> Vec<V> {
        let Ok(mut map) = self.map.write() else {
            return Vec::new();
        };
        let last = self.now.fetch_add(1, Ordering::Relaxed);
        (map.extract_if(|_, stamped| *stamped.used_by.get_mut() != last))
            .map(|(_, stamped)| stamped.value)
            .collect()
    }

    /// What `take` makes of the value at `key`; the value is stamped as used by this
    /// build when `take` gives something.
    pub fn find<Q, R>(&self, key: &Q, take: impl FnOnce(&V) -> Option<R>) -> Option<R>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let map = self.map.read().ok()?;
        let stamped = map.get(key)?;
        let taken = take(&stamped.value)?;
        (stamped.used_by).store(self.now.load(Ordering::Relaxed), Ordering::Relaxed);
        Some(taken)
    }

    /// Adds a value used by this build, replacing any at `key`.
    pub fn insert(&self, key: K, value: V) {
        let now = self.now.load(Ordering::Relaxed);
        if let Ok(mut map) = self.map.write() {
            map.insert(key, stamped(value, now));
        }
    }

    /// Takes the value at `key` out, whoever used it.
    pub fn remove<Q>(&self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let mut map = self.map.write().ok()?;
        map.remove(key).map(|stamped| stamped.value)
    }

    /// What `read` makes of the values this build used, told whether any value is one it
    /// did not use.
    pub fn read_used<R>(&self, read: impl FnOnce(HashMap<&K, &V>, bool) -> R) -> Option<R> {
        let map = self.map.read().ok()?;
        let now = self.now.load(Ordering::Relaxed);
        let used: HashMap<&K, &V> = (map.iter())
            .filter(|(_, stamped)| stamped.used_by.load(Ordering::Relaxed) == now)
            .map(|(key, stamped)| (key, &stamped.value))
            .collect();
        let unused = used.len() < map.len();
        Some(read(used, unused))
    }

    pub fn clear(&self) {
        if let Ok(mut map) = self.map.write() {
            map.clear();
        }
    }
}

fn stamped<V>(value: V, build: u64) -> Stamped<V> {
    Stamped {
        value,
        used_by: AtomicU64::new(build),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(map: &Generations<&'static str, u32>, key: &str) -> Option<u32> {
        map.find(key, |value| Some(*value))
    }

    #[test]
    fn keeps_what_the_last_build_used() {
        let map = Generations::earlier([("loaded", 1), ("loaded unused", 2)]);
        assert_eq!(
            found(&map, "loaded"),
            Some(1),
            "an earlier run's values are found"
        );
        map.insert("made", 3);
        // Looked at, but not taken: not used.
        assert_eq!(map.find("loaded unused", |_| None::<()>), None);
        let (used, unused) = map.read_used(|used, unused| (used.len(), unused)).unwrap();
        assert_eq!((used, unused), (2, true));
        let mut dropped = map.start();
        assert_eq!(dropped, vec![2]);
        assert_eq!(found(&map, "made"), Some(3));
        dropped = map.start();
        assert_eq!(dropped, vec![1], "not used by the build before");
        assert_eq!(found(&map, "loaded"), None);
        assert_eq!(found(&map, "made"), Some(3));
        assert_eq!(map.remove("made"), Some(3));
        assert_eq!(found(&map, "made"), None);
    }
}
