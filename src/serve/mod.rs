//! `serve`: the internal handbook (with the public preview under `preview/`) built in
//! memory, served on loopback, rebuilt on every save, and reloaded in open pages.
//!
//! Three pieces, no global state: the watcher sends batches of changed paths; the rebuild
//! loop (this thread) builds and publishes to the shared `State`; HTTP workers answer from
//! whatever snapshot is current. A build with errors never replaces a good one.

pub mod allocator;
mod body_save;
mod http;
pub mod record_save;
mod server;
pub mod session;
mod state;
mod watch;

use codespan_reporting::term::termcolor::ColorChoice;
use session::{Outcome, Session};
use state::State;
use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc;

/// How long `serve` waits after a build, with no change reported, before it looks for
/// changes the watcher missed; and how often it looks again while idle (each look is a
/// `stat` per file read: about 25 ms of processor time at 10,000 pages).
const LOOK_WHEN_IDLE_FOR: std::time::Duration = std::time::Duration::from_millis(500);
const LOOK_AGAIN_EVERY: std::time::Duration = std::time::Duration::from_secs(2);

pub struct Options {
    pub root: PathBuf,
    pub bind: IpAddr,
    pub port: u16,
    pub poll: bool,
    pub use_git: bool,
    pub color: ColorChoice,
}

/// Serves what a build or save made: its files, or its errors over the last good files.
fn publish(state: &State, outcome: Outcome) {
    state.publish(outcome.files, outcome.errors);
}

pub fn run(options: Options) -> Result<(), String> {
    let root = options
        .root
        .canonicalize()
        .map_err(|e| format!("{}: {e}", options.root.display()))?;
    if !root.join("content/site.yaml").is_file() {
        return Err(crate::load::not_a_site(&root));
    }
    // Bind first: a taken port is reported before any work, and never after "Serving on".
    let address = SocketAddr::new(options.bind, options.port);
    let listener = std::net::TcpListener::bind(address).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AddrInUse {
            format!(
                "port {} on {} is already in use: stop the other server, or choose another port with --port",
                options.port, options.bind
            )
        } else {
            format!("cannot listen on {address}: {e}")
        }
    })?;
    let bound = listener
        .local_addr()
        .map_err(|e| format!("cannot read the address listened on: {e}"))?;
    if !options.bind.is_loopback() {
        eprintln!(
            "warning: serving on {}, which other machines can reach; the internal handbook is for staff only",
            options.bind
        );
    }

    let state = Arc::new(State::new());
    let mut session = Session::new(&root, options.use_git, options.color);

    // Watching starts before the first build: a save made while it runs is the first
    // batch, not lost until the next save.
    let (sender, changes) = mpsc::channel();
    if options.use_git {
        watch::on_commit(&root, sender.clone());
    }
    let mut watcher = watch::start(&root, options.poll, sender)?;
    publish(&state, session.build());

    let handler = http::Handler::new(Arc::clone(&state));
    std::thread::spawn(move || server::run(listener, handler));
    println!("Serving on http://{bound}/");
    let _ = std::io::stdout().flush();

    // While idle, every file read is looked at now and then for a change the watcher did
    // not report (a write through a hard link or a memory map raises no event).
    let mut looked = false;
    loop {
        let wait = if looked {
            LOOK_AGAIN_EVERY
        } else {
            LOOK_WHEN_IDLE_FOR
        };
        let batch = match changes.recv_timeout(wait) {
            Ok(batch) => batch,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                looked = true;
                let unreported = session.unreported_changes();
                if unreported.is_empty() {
                    continue;
                }
                unreported
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        };
        looked = false;
        for folder in ["content", "themes"] {
            // The folder itself made after start, replaced or moved away (`rm -rf content`
            // and a fresh copy): watch inside the one there now.
            if batch.iter().any(|path| path == Path::new(folder)) {
                watch::rewatch(&mut watcher, &root.join(folder));
            }
        }
        eprintln!("{}", what_changed(&batch));
        publish(&state, session.changed(&batch));
    }
    Ok(())
}

/// The line `serve` prints for a batch of changes: the first few paths, or the commit
/// that `watch::on_commit` reports as `.git/HEAD`.
fn what_changed(batch: &[PathBuf]) -> String {
    let commit = Path::new(watch::HEAD_MOVED);
    let (heads, files): (Vec<&PathBuf>, Vec<&PathBuf>) = batch.iter().partition(|p| *p == commit);
    let mut shown: Vec<String> = (files.iter().take(3))
        .map(|p| p.display().to_string())
        .collect();
    if files.len() > 3 {
        shown.push(format!("and {} more", files.len() - 3));
    }
    let changed = format!("changed: {}", shown.join(", "));
    match (heads.is_empty(), files.is_empty()) {
        (true, _) => changed,
        (false, true) => "new commit: reading the history again".to_string(),
        (false, false) => format!("new commit: reading the history again; {changed}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_commit_is_said_as_one_and_a_long_batch_is_cut_short() {
        let paths = |names: &[&str]| names.iter().map(PathBuf::from).collect::<Vec<_>>();
        assert_eq!(
            what_changed(&paths(&[".git/HEAD"])),
            "new commit: reading the history again"
        );
        assert_eq!(
            what_changed(&paths(&["content/policies/a.md", ".git/HEAD"])),
            "new commit: reading the history again; changed: content/policies/a.md"
        );
        assert_eq!(
            what_changed(&paths(&[
                "content/a.md",
                "content/b.md",
                "content/c.md",
                "content/d.md",
                "content/e.md"
            ])),
            "changed: content/a.md, content/b.md, content/c.md, and 2 more"
        );
    }
}
