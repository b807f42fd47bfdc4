//! Which program is rendering, for the keys of what it renders. The version alone would
//! let a build from another commit of the same version (`cargo install --git … --rev …`)
//! reuse pages and highlighted code that this program would make differently: a fix to
//! the sanitiser would not reach a page until its source changed.

use std::sync::OnceLock;

/// A hash of the running executable's bytes (and the version), read once per process.
/// When the executable cannot be read, a value of this run alone: nothing made by another
/// run is reused.
pub fn identity() -> u64 {
    static IDENTITY: OnceLock<u64> = OnceLock::new();
    *IDENTITY.get_or_init(|| {
        let bytes = std::env::current_exe().and_then(std::fs::read);
        let mut hasher = xxhash_rust::xxh3::Xxh3Default::new();
        hasher.update(env!("CARGO_PKG_VERSION").as_bytes());
        match bytes {
            Ok(bytes) => hasher.update(&bytes),
            Err(_) => {
                use std::hash::{BuildHasher, Hasher};
                let random = std::collections::hash_map::RandomState::new().build_hasher();
                hasher.update(&random.finish().to_le_bytes());
            }
        }
        hasher.digest()
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_identity_is_read_once_and_kept() {
        assert_eq!(super::identity(), super::identity());
    }
}
