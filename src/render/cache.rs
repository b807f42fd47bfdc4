//! Pages rendered by the previous build, reused when nothing they are made from changed.
//! `serve` keeps one across rebuilds, so a save re-renders the pages it touches, not the
//! whole site.
//!
//! A record page is made from: the templates and the program, its own data, its Markdown
//! body, the page URLs that links resolve to, and the site-wide facts the layout prints.
//! Those are hashed into its key. `build` keeps the keys beside its output (see
//! `write::Generation`), so the hash must be stable between runs: xxh3, not std's
//! `DefaultHasher`, whose algorithm may change between Rust releases.

use super::output::{Bytes, PageKey, Reads};
use serde::Serialize;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use xxhash_rust::xxh3::Xxh3Default;

/// Rendered bytes and the assets the page's body used.
type Entry = (Bytes, Vec<PathBuf>);

/// One build's pages by key, and what each page (by path) read of its model.
#[derive(Default)]
struct Pages {
    by_key: HashMap<u64, Entry>,
    reads: HashMap<String, Reads>,
}

/// Holds the pages of the last build: `start` makes them the ones a new build may reuse,
/// and what that build does not reuse is then dropped.
#[derive(Default)]
pub struct PageCache {
    previous: Mutex<Pages>,
    current: Mutex<Pages>,
}

impl PageCache {
    pub fn start(&self) {
        if let (Ok(mut previous), Ok(mut current)) = (self.previous.lock(), self.current.lock()) {
            *previous = std::mem::take(&mut *current);
        }
    }

    /// The page at `path` made from `key`, carried into this build with what it read.
    pub fn get(&self, path: &str, key: u64) -> Option<Entry> {
        let (entry, reads) = {
            let mut previous = self.previous.lock().ok()?;
            let entry = previous.by_key.remove(&key)?;
            (entry, previous.reads.get(path).cloned())
        };
        if let Ok(mut current) = self.current.lock() {
            current
                .by_key
                .insert(key, (Arc::clone(&entry.0), entry.1.clone()));
            if let Some(reads) = reads {
                current.reads.insert(path.to_string(), reads);
            }
        }
        Some(entry)
    }

    /// What the page at `path` read when the last build made it.
    pub fn reads(&self, path: &str) -> Option<Reads> {
        self.previous.lock().ok()?.reads.get(path).cloned()
    }

    pub fn put(&self, path: &str, page: PageKey, html: Bytes) {
        if let Ok(mut current) = self.current.lock() {
            current
                .by_key
                .insert(page.key, (html, page.assets.to_vec()));
            current.reads.insert(path.to_string(), page.reads.into());
        }
    }

    pub fn clear(&self) {
        for pages in [&self.previous, &self.current] {
            if let Ok(mut pages) = pages.lock() {
                *pages = Pages::default();
            }
        }
    }
}

/// A hash of a value as the templates see it (its serialization), without holding the
/// serialized bytes. A binary form: JSON's escaping and number formatting made the keys
/// cost as much as the pages they save rendering.
/// `None` when the value cannot be serialized: the page then has no key and is always
/// rendered.
pub fn hash_of(value: &impl Serialize) -> Option<u64> {
    // bincode writes each field on its own, a few bytes at a time: gathered into a
    // buffer before the hasher sees them, a large model hashes about twice as fast.
    struct Hashing {
        hasher: Xxh3Default,
        buffer: [u8; 4096],
        len: usize,
    }
    impl std::io::Write for Hashing {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            if self.len + bytes.len() > self.buffer.len() {
                self.hasher.update(&self.buffer[..self.len]);
                self.len = 0;
            }
            if bytes.len() > self.buffer.len() {
                self.hasher.update(bytes);
            } else {
                self.buffer[self.len..self.len + bytes.len()].copy_from_slice(bytes);
                self.len += bytes.len();
            }
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut hashing = Hashing {
        hasher: Xxh3Default::new(),
        buffer: [0; 4096],
        len: 0,
    };
    bincode::serialize_into(&mut hashing, value).ok()?;
    hashing.hasher.update(&hashing.buffer[..hashing.len]);
    Some(hashing.hasher.digest())
}

/// Who a rendered site is for; the templates read it as `public`, `preview` or `internal`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Readers {
    Public,
    /// The public site as shown inside the handbook.
    Preview,
    Internal,
}

/// What every page of one site run shares, hashed once.
pub struct Context<'a> {
    pub urls: &'a HashMap<String, String>,
    pub audience: Readers,
    pub preview: bool,
    /// `None` when the layout data cannot be hashed: then no page of the run has a key.
    shared: Option<u64>,
}

impl<'a> Context<'a> {
    /// `layout` is the site-wide data the layout templates print (site settings, dates);
    /// `fingerprint` stands for the templates and the program.
    pub fn new(
        urls: &'a HashMap<String, String>,
        audience: Readers,
        preview: bool,
        layout: impl Serialize,
        fingerprint: u64,
    ) -> Self {
        let mut hasher = Xxh3Default::new();
        fingerprint.hash(&mut hasher);
        let mut sorted: Vec<_> = urls.iter().collect();
        sorted.sort();
        sorted.hash(&mut hasher);
        audience.hash(&mut hasher);
        preview.hash(&mut hasher);
        let shared = hash_of(&layout).map(|layout| {
            layout.hash(&mut hasher);
            hasher.finish()
        });
        Context {
            urls,
            audience,
            preview,
            shared,
        }
    }

    pub fn key(&self, template: &str, path: &str, own_hash: u64, body_hash: u64) -> Option<u64> {
        let mut hasher = Xxh3Default::new();
        self.shared?.hash(&mut hasher);
        template.hash(&mut hasher);
        path.hash(&mut hasher);
        own_hash.hash(&mut hasher);
        body_hash.hash(&mut hasher);
        Some(hasher.finish())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Gathered or not, the hash is that of the value's bytes: small values, values
    /// across the buffer's edge, and fields larger than the buffer.
    #[test]
    fn a_hash_is_that_of_the_serialized_bytes() {
        let values: Vec<(Vec<String>, u32)> = vec![
            (vec![], 0),
            (vec!["a".into()], 7),
            ((0..1000).map(|i| "x".repeat(i % 50)).collect(), 1),
            (
                vec!["y".repeat(4095), "z".repeat(4096), "w".repeat(10_000)],
                2,
            ),
        ];
        for value in values {
            let bytes = bincode::serialize(&value).unwrap();
            assert_eq!(
                hash_of(&value),
                Some(xxhash_rust::xxh3::xxh3_64(&bytes)),
                "{} bytes",
                bytes.len()
            );
        }
    }
}
