//! Parsed sources kept between loads, by kind and exact text. `serve` keeps one, so a save
//! parses the file that changed, not the whole site. Entries not used by a load are
//! dropped at the next, so the cache holds one generation.

use super::reads::Reads;
use crate::finding::Finding;
use crate::generations::Generations;
use crate::sources::FileId;
use std::any::Any;
use std::sync::Arc;

/// The file id findings carry while cached; replaced by the real id when used.
pub const CACHED_FILE: FileId = usize::MAX - 1;

/// Kind, length and a hash of the text: hashing once beats keeping and comparing whole
/// texts; a 64-bit collision between two versions of one file is not a practical worry.
type Key = (&'static str, usize, u64);
type Value = Arc<dyn Any + Send + Sync>;

#[derive(Default)]
pub struct ParseCache {
    parses: Generations<Key, Value>,
    /// The sources' bytes, when kept between loads (`serve`).
    pub reads: Reads,
    /// What the watcher reported since the last load, and the folders' listings then.
    pub watched: super::watched::Watched,
    /// Whether parses are kept for the next load (`serve`), or handed over (`build`).
    keeping: bool,
}

impl ParseCache {
    /// A cache that also keeps the sources' bytes, so that a load reads only the files
    /// that changed.
    pub fn keeping_files() -> ParseCache {
        ParseCache {
            reads: Reads::keeping(),
            keeping: true,
            ..ParseCache::default()
        }
    }

    /// Starts a load: what the last load did not use is forgotten.
    pub fn start(&self) {
        let unused = self.parses.start();
        // Many parses take a while to free: not while a save waits.
        if !unused.is_empty() {
            std::thread::spawn(move || drop(unused));
        }
        self.reads.start();
    }

    /// The parse of `text` (whose `hash_text` is `hash`) as `kind`, from the cache or made now.
    pub fn get_or_parse<V: Any + Send + Sync>(
        &self,
        kind: &'static str,
        (text, hash): (&str, u64),
        parse: impl FnOnce() -> V,
    ) -> Arc<V> {
        self.lookup((kind, text.len(), hash), parse, true)
    }

    /// The parse for the load to keep: when this cache keeps nothing for a next load
    /// (`build`, `check`), it is taken out of the cache, so the load can move it rather
    /// than copy it (see `owned`).
    pub fn take_or_parse<V: Any + Send + Sync>(
        &self,
        kind: &'static str,
        (text, hash): (&str, u64),
        parse: impl FnOnce() -> V,
    ) -> Arc<V> {
        self.lookup((kind, text.len(), hash), parse, self.keeping)
    }

    fn lookup<V: Any + Send + Sync>(
        &self,
        key: Key,
        parse: impl FnOnce() -> V,
        keep: bool,
    ) -> Arc<V> {
        // Parsed already in this load (by the parallel pass), or by an earlier one.
        let hit = match keep {
            true => (self.parses).find(&key, |value| value.is::<V>().then(|| Arc::clone(value))),
            false => self.parses.remove(&key),
        };
        let value: Value = match hit.filter(|v| v.is::<V>()) {
            Some(value) => value,
            None => {
                let value: Value = Arc::new(parse());
                if keep {
                    self.parses.insert(key, Arc::clone(&value));
                }
                value
            }
        };
        value
            .downcast::<V>()
            .expect("checked with is::<V>() or just made")
    }
}

/// The value of a parse, moved out when nothing else holds it, else copied.
pub fn owned<V: Clone>(parse: Arc<V>) -> V {
    Arc::try_unwrap(parse).unwrap_or_else(|shared| (*shared).clone())
}

/// Findings about one file, to keep between loads: each place in `file` is stored as
/// `CACHED_FILE` (a file's id may differ at the next load); `for_file` undoes it. `None`
/// (not kept) when a finding is about another file too.
pub fn for_cache(findings: &[Finding], file: FileId) -> Option<Arc<[Finding]>> {
    let mut kept = findings.to_vec();
    for finding in &mut kept {
        let places = (finding.at.iter_mut()).chain(finding.notes.iter_mut().map(|(at, _)| at));
        for at in places {
            if at.file != file {
                return None;
            }
            at.file = CACHED_FILE;
        }
    }
    Some(kept.into())
}

/// Cached findings, pointed at the file they are now about.
pub fn for_file(findings: &[Finding], file: FileId) -> impl Iterator<Item = Finding> + '_ {
    findings.iter().cloned().map(move |mut finding| {
        let places = finding
            .at
            .iter_mut()
            .chain(finding.notes.iter_mut().map(|(at, _)| at));
        for at in places.filter(|at| at.file == CACHED_FILE) {
            at.file = file;
        }
        finding
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn findings_kept_for_a_file_come_back_about_its_next_id() {
        use crate::finding::{At, Code};
        let at = |file| At { file, span: 3..5 };
        let found = Finding::new(Code::BrokenLink, "broken")
            .at(at(7))
            .note(at(7), "here");
        let kept = for_cache(std::slice::from_ref(&found), 7).expect("about its own file");
        let back: Vec<Finding> = for_file(&kept, 9).collect();
        assert_eq!(back[0].at, Some(at(9)));
        assert_eq!(back[0].notes[0].0, at(9));
        let elsewhere = found.note(at(8), "another file");
        assert!(
            for_cache(&[elsewhere], 7).is_none(),
            "about another file too"
        );
    }

    #[test]
    fn reuses_a_parse_for_the_same_text_and_forgets_unused_ones() {
        let cache = ParseCache::default();
        let parses = std::cell::Cell::new(0);
        let parse = || {
            parses.set(parses.get() + 1);
            42u32
        };
        let [a, b] = ["a", "b"].map(|text| (text, crate::sources::hash_text(text)));
        cache.start();
        cache.get_or_parse("k", a, parse);
        cache.start();
        assert_eq!(*cache.get_or_parse("k", a, parse), 42);
        assert_eq!(parses.get(), 1, "same text: parsed once");
        cache.get_or_parse("k", b, parse);
        assert_eq!(parses.get(), 2);
        cache.start();
        cache.start();
        cache.get_or_parse("k", a, parse);
        assert_eq!(parses.get(), 3, "an entry unused by one load is gone");
    }
}
