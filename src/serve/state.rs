//! What the server serves: the last good build, and the findings of the last failed one.
//! The rebuild side publishes; HTTP handlers take a snapshot (an `Arc`, no copying) and
//! live-reload waiters sleep until the generation changes.

use std::collections::BTreeMap;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

pub type Files = BTreeMap<String, crate::render::output::Bytes>;

pub struct Served {
    /// Bumped by every rebuild, good or bad: open pages reload when it changes.
    pub generation: u64,
    pub files: Arc<Files>,
    /// Findings of the last build, when it failed (plain text, shown in the page).
    pub errors: Option<String>,
}

pub struct State {
    current: Mutex<Arc<Served>>,
    changed: Condvar,
}

impl State {
    pub fn new() -> Self {
        State {
            current: Mutex::new(Arc::new(Served {
                generation: 0,
                files: Arc::new(Files::new()),
                errors: None,
            })),
            changed: Condvar::new(),
        }
    }

    pub fn snapshot(&self) -> Arc<Served> {
        Arc::clone(&self.current.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// A good build replaces the files; a failed one (`files` None) keeps serving the last
    /// good files with its findings shown over them.
    pub fn publish(&self, files: Option<Arc<Files>>, errors: Option<String>) -> u64 {
        let mut current = self.current.lock().unwrap_or_else(|e| e.into_inner());
        let files = files.unwrap_or_else(|| Arc::clone(&current.files));
        let generation = current.generation + 1;
        *current = Arc::new(Served {
            generation,
            files,
            errors,
        });
        self.changed.notify_all();
        generation
    }

    /// The generation once it differs from `since`, or after `timeout`.
    pub fn wait_for_change(&self, since: u64, timeout: Duration) -> u64 {
        let current = self.current.lock().unwrap_or_else(|e| e.into_inner());
        let (current, _) = self
            .changed
            .wait_timeout_while(current, timeout, |c| c.generation == since)
            .unwrap_or_else(|e| e.into_inner());
        current.generation
    }
}

impl Default for State {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_build_keeps_the_last_good_files() {
        let state = State::new();
        let mut files = Files::new();
        files.insert("index.html".into(), b"good".to_vec().into());
        state.publish(Some(Arc::new(files)), None);
        let generation = state.publish(None, Some("error".into()));
        let served = state.snapshot();
        assert_eq!(served.generation, generation);
        assert_eq!(served.files["index.html"].as_slice(), b"good");
        assert_eq!(served.errors.as_deref(), Some("error"));
    }

    #[test]
    fn waiters_wake_on_a_new_generation() {
        let state = Arc::new(State::new());
        let waiter = {
            let state = Arc::clone(&state);
            std::thread::spawn(move || state.wait_for_change(0, Duration::from_secs(10)))
        };
        std::thread::sleep(Duration::from_millis(20));
        state.publish(None, None);
        assert_eq!(waiter.join().unwrap(), 1);
        assert_eq!(
            state.wait_for_change(1, Duration::from_millis(10)),
            1,
            "times out unchanged"
        );
    }
}
