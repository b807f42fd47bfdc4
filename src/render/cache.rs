//! Pages rendered by the previous build, reused when nothing they are made from changed.
//! `serve` keeps one across rebuilds, so a save re-renders the pages it touches, not the
//! whole site.
//!
//! A record page is made from: the templates and the program, its own data, its Markdown
//! body, the page URLs that links resolve to, and the site-wide facts the layout prints.
//! Those are hashed into its key. `build` keeps the keys beside its output (see
//! `write::Generation`), so the hash must be stable between runs: xxh3, not std's
//! `DefaultHasher`, whose algorithm may change between Rust releases.

use super::output::{Bytes, KeyNow, PageKey, Reads};
use crate::generations::Generations;
use crate::hash::HashMap;
use serde::Serialize;
use std::hash::{Hash, Hasher};
use std::path::PathBuf;
use std::sync::Arc;
use xxhash_rust::xxh3::Xxh3Default;

/// Rendered bytes and the assets the page's body used.
type Entry = (Bytes, Vec<PathBuf>);

/// A page as a build left it: its key, bytes, assets and what it read of its model.
struct Page {
    key: u64,
    html: Bytes,
    assets: Vec<PathBuf>,
    reads: Reads,
}

/// Holds the pages of the last build by path: `start` begins a new build, which may reuse
/// them, and what the build before it did not use is then dropped.
#[derive(Default)]
pub struct PageCache {
    pages: Generations<String, Page>,
    /// Each list of fields read, once: most pages of a kind read the same fields, and a
    /// page's key is checked against its list at every save (shared, the names stay in
    /// the processor's cache; 30,000 copies did not).
    reads_lists: std::sync::Mutex<crate::hash::HashSet<Reads>>,
}

impl PageCache {
    pub fn start(&self) {
        let unused = self.pages.start();
        // A large site's pages take a while to free: not while a save waits.
        if !unused.is_empty() {
            std::thread::spawn(move || drop(unused));
        }
    }

    /// The page at `path` if it is the one `key_now` names, carried into this build.
    pub fn get(&self, path: &str, key_now: KeyNow) -> Option<Entry> {
        self.pages.find(path, |page| {
            (key_now(&page.reads) == Some(page.key))
                .then(|| (Arc::clone(&page.html), page.assets.clone()))
        })
    }

    pub fn put(&self, path: &str, page: PageKey, html: Bytes) {
        let reads = {
            let mut lists = (self.reads_lists.lock()).unwrap_or_else(|e| e.into_inner());
            match lists.get(page.reads) {
                Some(list) => Arc::clone(list),
                None => {
                    let list: Reads = page.reads.into();
                    lists.insert(Arc::clone(&list));
                    list
                }
            }
        };
        let page = Page {
            key: page.key,
            html,
            assets: page.assets.to_vec(),
            reads,
        };
        self.pages.insert(path.to_string(), page);
    }

    pub fn clear(&self) {
        self.pages.clear();
        (self.reads_lists.lock().unwrap_or_else(|e| e.into_inner())).clear();
    }
}

/// A hash of a value as the templates see it (its serialization), without holding the
/// serialized bytes. A binary form: JSON's escaping and number formatting made the keys
/// cost as much as the pages they save rendering.
/// `None` when the value cannot be serialized: the page then has no key and is always
/// rendered.
pub fn hash_of(value: &impl Serialize) -> Option<u64> {
    // bincode writes each field on its own, a few bytes at a time: gathered into a buffer
    // (one per thread, reused: a page's record is hashed at every save) before the hasher
    // sees them. Most values fit: one call of the one-shot hash, which gives what the
    // streaming one would.
    const FLUSH_AT: usize = 64 * 1024;
    struct Hashing<'b> {
        hasher: Option<Box<Xxh3Default>>,
        buffer: &'b mut Vec<u8>,
    }
    impl std::io::Write for Hashing<'_> {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            if self.buffer.len() + bytes.len() > FLUSH_AT {
                let hasher = self.hasher.get_or_insert_with(Default::default);
                hasher.update(self.buffer);
                self.buffer.clear();
            }
            if bytes.len() > FLUSH_AT {
                let hasher = self.hasher.get_or_insert_with(Default::default);
                hasher.update(bytes);
            } else {
                self.buffer.extend_from_slice(bytes);
            }
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    thread_local! {
        static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    let hash = |buffer: &mut Vec<u8>| {
        buffer.clear();
        let mut hashing = Hashing {
            hasher: None,
            buffer,
        };
        bincode::serialize_into(&mut hashing, value).ok()?;
        Some(match hashing.hasher {
            Some(mut hasher) => {
                hasher.update(hashing.buffer);
                hasher.digest()
            }
            None => xxhash_rust::xxh3::xxh3_64(hashing.buffer),
        })
    };
    // A value whose serialization hashes another (none does now) gets a buffer of its own.
    BUFFER.with(|buffer| match buffer.try_borrow_mut() {
        Ok(mut buffer) => hash(&mut buffer),
        Err(_) => hash(&mut Vec::new()),
    })
}

/// A hash of two hashes (no allocation: this runs several times per page).
pub fn mixed(first: u64, second: u64) -> u64 {
    let mut both = [0u8; 16];
    both[..8].copy_from_slice(&first.to_le_bytes());
    both[8..].copy_from_slice(&second.to_le_bytes());
    xxhash_rust::xxh3::xxh3_64(&both)
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
        // A sum of each entry's hash: the same in any order, without sorting 10,000 URLs
        // for each site a save renders.
        let entries = (urls.iter())
            .map(|(id, url)| {
                use xxhash_rust::xxh3::{xxh3_64, xxh3_64_with_seed};
                xxh3_64_with_seed(url.as_bytes(), xxh3_64(id.as_bytes()))
            })
            .fold(0u64, u64::wrapping_add);
        (urls.len(), entries).hash(&mut hasher);
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
        use xxhash_rust::xxh3::{xxh3_64, xxh3_64_with_seed};
        // One-shot hashes of a few bytes each: this runs for every page of every build.
        let mut parts = [0u8; 32];
        let fixed = [
            self.shared?,
            xxh3_64(template.as_bytes()),
            own_hash,
            body_hash,
        ];
        for (at, part) in fixed.iter().enumerate() {
            parts[at * 8..at * 8 + 8].copy_from_slice(&part.to_le_bytes());
        }
        Some(xxh3_64_with_seed(path.as_bytes(), xxh3_64(&parts)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Gathered in a buffer or streamed past it, a value hashes as its whole binary form.
    #[test]
    fn a_hash_is_of_the_whole_binary_form_whatever_its_size() {
        for size in [0, 10, 64 * 1024 - 20, 64 * 1024 + 5, 300_000] {
            let value: (String, Vec<u32>) = ("x".repeat(size % 977), (0..size as u32).collect());
            let bytes = bincode::serialize(&value).unwrap();
            let expected = xxhash_rust::xxh3::xxh3_64(&bytes);
            assert_eq!(hash_of(&value), Some(expected), "{size}");
        }
    }

    /// A page kept is one the last build used (rendered or reused): the pages of a build
    /// before that, unused since, are dropped, so the cache holds one site, not every page
    /// ever rendered.
    #[test]
    fn keeps_the_pages_the_last_build_used() {
        let cache = PageCache::default();
        let page = |key| PageKey {
            key,
            assets: &[],
            reads: &[],
        };
        let html = |text: &str| Arc::new(text.as_bytes().to_vec());
        let same = |key: u64| move |_: &[String]| Some(key);
        cache.start();
        cache.put("a.html", page(1), html("a"));
        cache.put("b.html", page(2), html("b"));
        cache.start();
        assert_eq!(*cache.get("a.html", &same(1)).unwrap().0, b"a");
        assert!(cache.get("b.html", &same(3)).is_none(), "another key");
        cache.start();
        assert!(
            cache.get("b.html", &same(2)).is_none(),
            "unused by the last build"
        );
        assert_eq!(*cache.get("a.html", &same(1)).unwrap().0, b"a");
        cache.put("b.html", page(4), html("b4"));
        cache.start();
        assert_eq!(*cache.get("b.html", &same(4)).unwrap().0, b"b4");
        assert_eq!(*cache.get("a.html", &same(1)).unwrap().0, b"a");
        cache.clear();
        assert!(cache.get("a.html", &same(1)).is_none());
    }

    /// Pages' keys follow every record's URL (links resolve to them), whatever order the
    /// map holds them in.
    #[test]
    fn keys_follow_the_urls_not_their_order() {
        let key = |pairs: &[(&str, &str)]| {
            let urls: HashMap<String, String> = (pairs.iter())
                .map(|(id, url)| (id.to_string(), url.to_string()))
                .collect();
            let context = Context::new(&urls, Readers::Internal, false, "layout", 1);
            context.key("t.html", "p/index.html", 2, 3)
        };
        let site = [("R-1", "risks/r-1/"), ("R-2", "risks/r-2/")];
        let reversed = [site[1], site[0]];
        assert_eq!(key(&site), key(&reversed));
        let swapped = [("R-1", "risks/r-2/"), ("R-2", "risks/r-1/")];
        let moved = [("R-1", "risks/r-1/"), ("R-2", "risks/two/")];
        let (fewer, split) = ([site[0]], [("R-1r", "isks/r-1/"), site[1]]);
        for other in [&swapped[..], &moved, &fewer, &split] {
            assert_ne!(key(&site), key(other), "{other:?}");
        }
    }

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
