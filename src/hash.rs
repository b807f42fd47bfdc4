//! The hash maps of a build. Their keys are ids, paths, anchors and URLs read from the
//! site, looked up hundreds of thousands of times per build at N = 10,000; SipHash, the
//! standard library's hasher, was a twentieth of a build's processor time. foldhash is
//! several times faster on such keys, and seeded per process as the standard one is, so
//! no site can be written to make its lookups collide (and nothing may depend on the
//! order of a map, as before).

pub type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;
pub type HashSet<T> = std::collections::HashSet<T, foldhash::fast::RandomState>;
pub use foldhash::{HashMapExt, HashSetExt};

/// A hash of `value` that stays the same for as long as the process runs, and differs
/// between processes: for keys `serve` keeps in memory between saves, which must not be
/// open to collisions a site could be written to make.
pub fn stable_in_process(value: impl std::hash::Hash) -> u64 {
    use std::hash::BuildHasher;
    static STATE: std::sync::LazyLock<foldhash::quality::RandomState> =
        std::sync::LazyLock::new(Default::default);
    STATE.hash_one(value)
}
