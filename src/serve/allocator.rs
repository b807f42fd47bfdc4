//! `serve` keeps the memory one save freed for the next. mimalloc hands freed pages back
//! to the system 10 ms after they are freed, so every save asked for them again and the
//! kernel zeroed them anew: at N = 10,000 that was a fifth of a record's save. Kept for a
//! minute, a writer's next save finds them; an idle server gives them back.

use libmimalloc_sys::{mi_option_get, mi_option_set, mi_option_t};
use std::os::raw::c_long;
use std::time::Duration;

/// `mi_option_purge_delay` in mimalloc v2's `mimalloc.h` (the `-sys` crate names no
/// constant for it).
const PURGE_DELAY: mi_option_t = 15;
/// Its default there: what option 15 holds when it is the purge delay and no one set it.
const DEFAULT_PURGE_DELAY_MS: c_long = 10;

/// How long freed memory stays with the process: longer than a writer's pause between saves.
pub const KEPT_BETWEEN_SAVES: Duration = Duration::from_secs(60);

/// Keeps freed memory for `kept`, unless `MIMALLOC_PURGE_DELAY` (or its older name) chose
/// a delay, or option 15 does not hold what the purge delay holds in mimalloc v2.
/// Call it before any other thread starts.
pub fn keep_freed_memory(kept: Duration) {
    let millis = c_long::try_from(kept.as_millis()).unwrap_or(c_long::MAX);
    let chosen = ["MIMALLOC_PURGE_DELAY", "MIMALLOC_RESET_DELAY"]
        .iter()
        .any(|name| std::env::var_os(name).is_some());
    // SAFETY: options are plain values mimalloc reads when it purges; they are not thread
    // safe to change, so this runs while the process has one thread (`main`, before
    // `serve` starts its own).
    unsafe {
        if !chosen && mi_option_get(PURGE_DELAY) == DEFAULT_PURGE_DELAY_MS {
            mi_option_set(PURGE_DELAY, millis);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn option_15_is_the_purge_delay_mimalloc_reads() {
        // The variable mimalloc reads for its purge delay sets option 15: the constant is
        // the option this module means (tests run in their own process, with threads,
        // so this reads only).
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
            // SAFETY: reading an option races only with setting it, which no test does.
            assert_eq!(
                unsafe { mi_option_get(PURGE_DELAY) },
                DEFAULT_PURGE_DELAY_MS
            );
        }
    }
}
