//! Where rendered files go. Pages are handed over as they are rendered, so a site is never
//! held whole in memory on its way to disk: `build` writes into the output folder's
//! previous generation (`write::Generation`), `serve` and tests collect into `Memory`.

use super::cache::PageCache;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// A file's bytes in memory, shared (not copied) between a build and the next.
pub type Bytes = Arc<Vec<u8>>;

/// A rendered page's key (a hash of everything it is made from), the assets it uses, and
/// the model fields it read (their hashes are in the key).
pub struct PageKey<'a> {
    pub key: u64,
    pub assets: &'a [PathBuf],
    pub reads: &'a [String],
}

/// The model fields a page read when it was rendered.
pub type Reads = Arc<[String]>;

/// The key a page would have now, given the model fields it read when last rendered.
pub type KeyNow<'k> = &'k dyn Fn(&[String]) -> Option<u64>;

pub trait Output: Sync {
    /// The assets of the page at `path` when the page in place is the one `key_now` names
    /// (given what that page read), so it need not be rendered again; `None` when it must
    /// be rendered. One lookup per page: this runs for every page of every build.
    fn reuse(&self, path: &str, key_now: KeyNow) -> Option<Vec<PathBuf>>;

    /// Whether the lists of fields `reuse` hands `key_now` are shared (one per distinct
    /// list) and live as long as the output: then a list's hash may be kept by its
    /// address for one render.
    fn shares_reads(&self) -> bool {
        false
    }

    /// Adds one file; pages come with their key so that a later build can reuse them.
    fn put(&self, path: &str, bytes: Vec<u8>, page: Option<PageKey>) -> Result<(), String>;
}

/// A site collected in memory, reusing pages from a `PageCache` that outlives it.
pub struct Memory<'a> {
    /// In the order handed over; sorted (the last of a path kept) once complete: one
    /// push per file while the rendering threads run, not a tree insertion each.
    files: Mutex<Vec<(String, Bytes)>>,
    cache: Option<&'a PageCache>,
}

impl<'a> Memory<'a> {
    pub fn new(cache: Option<&'a PageCache>) -> Self {
        Memory {
            files: Mutex::default(),
            cache,
        }
    }

    pub fn into_files(self) -> BTreeMap<String, Bytes> {
        let files = self.files.into_inner().unwrap_or_else(|e| e.into_inner());
        files.into_iter().collect()
    }

    fn insert(&self, path: &str, bytes: Bytes) {
        let path = path.to_string();
        let mut files = self.files.lock().unwrap_or_else(|e| e.into_inner());
        files.push((path, bytes));
    }
}

impl Output for Memory<'_> {
    fn reuse(&self, path: &str, key_now: KeyNow) -> Option<Vec<PathBuf>> {
        let (html, assets) = self.cache?.get(path, key_now)?;
        self.insert(path, html);
        Some(assets)
    }

    fn shares_reads(&self) -> bool {
        // `PageCache` interns its lists and lets go of none before `clear`.
        self.cache.is_some()
    }

    fn put(&self, path: &str, bytes: Vec<u8>, page: Option<PageKey>) -> Result<(), String> {
        let bytes = Arc::new(bytes);
        if let (Some(cache), Some(page)) = (self.cache, page) {
            cache.put(path, page, Arc::clone(&bytes));
        }
        self.insert(path, bytes);
        Ok(())
    }
}

/// Another output, remembering the path of every file that ends up in it, whether written
/// or kept from the last build: what the publication report lists.
pub struct Recording<'a> {
    pub inner: &'a dyn Output,
    paths: Mutex<std::collections::BTreeSet<String>>,
}

impl<'a> Recording<'a> {
    pub fn new(inner: &'a dyn Output) -> Self {
        Recording {
            inner,
            paths: Mutex::default(),
        }
    }

    pub fn into_paths(self) -> std::collections::BTreeSet<String> {
        self.paths.into_inner().unwrap_or_else(|e| e.into_inner())
    }

    fn record(&self, path: &str) {
        let mut paths = self.paths.lock().unwrap_or_else(|e| e.into_inner());
        paths.insert(path.to_string());
    }
}

impl Output for Recording<'_> {
    fn reuse(&self, path: &str, key_now: KeyNow) -> Option<Vec<PathBuf>> {
        let kept = self.inner.reuse(path, key_now)?;
        self.record(path);
        Some(kept)
    }

    fn shares_reads(&self) -> bool {
        self.inner.shares_reads()
    }

    fn put(&self, path: &str, bytes: Vec<u8>, page: Option<PageKey>) -> Result<(), String> {
        self.inner.put(path, bytes, page)?;
        self.record(path);
        Ok(())
    }
}

/// Another output, below a folder of it (the public preview inside the handbook).
pub struct Prefixed<'a> {
    pub inner: &'a dyn Output,
    pub prefix: &'static str,
}

impl Output for Prefixed<'_> {
    fn reuse(&self, path: &str, key_now: KeyNow) -> Option<Vec<PathBuf>> {
        self.inner.reuse(&format!("{}{path}", self.prefix), key_now)
    }

    fn shares_reads(&self) -> bool {
        self.inner.shares_reads()
    }

    fn put(&self, path: &str, bytes: Vec<u8>, page: Option<PageKey>) -> Result<(), String> {
        self.inner
            .put(&format!("{}{path}", self.prefix), bytes, page)
    }
}
