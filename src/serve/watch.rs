//! Watching the sources. Editors save in odd ways (write a temp file, then rename it over
//! the original), so whole folders are watched, events are debounced, and the paths that
//! matter are picked by one pure function, tested below.

use notify::{Event, EventKind, PollWatcher, RecommendedWatcher, RecursiveMode, Watcher as _};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::Duration;

/// Quiet time that ends a batch: an editor's write-then-rename comes within a millisecond
/// or two, so this gathers it into one rebuild while adding little to edit-to-served time
/// (changes that arrive during a rebuild are batched into the next).
const DEBOUNCE: Duration = Duration::from_millis(15);

/// Whether a change at `path` (relative to the site root) can change the sites.
pub fn is_relevant(path: &Path) -> bool {
    let mut parts = path.components().map(|c| c.as_os_str().to_string_lossy());
    let top = parts.next().unwrap_or_default();
    if top != "content" && top != "themes" {
        // public/, internal/, .git/, target/ and anything else at the root.
        return false;
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    if is_editor_temp_file(&name) {
        return false;
    }
    // The loader skips hidden names in `content/` (an editor's `.obsidian/` folder, a
    // `.goutputstream-…` file): nothing there is read. Assets are copied by the name a
    // page links to, whatever it is.
    let second = parts.next().unwrap_or_default();
    let hidden = |part: &str| part.starts_with('.') || part.starts_with('#') || part.ends_with('~');
    let hidden_source = top == "content"
        && second != "assets"
        && std::iter::once(second)
            .chain(parts)
            .any(|part| hidden(&part));
    !hidden_source
}

/// Files editors write beside the one being saved. A name without an extension is not
/// one of them (it may be a real file, like `CNAME`).
fn is_editor_temp_file(name: &str) -> bool {
    name.starts_with(".#")                          // Emacs lock files
        || (name.starts_with('#') && name.ends_with('#')) // Emacs auto-saves
        || name.ends_with('~')                       // Emacs, gedit backups
        || name == "4913"                            // vim's write test
        || [".swp", ".swx", ".swo", ".tmp", ".crdownload"].iter().any(|e| name.ends_with(e))
        || (name.starts_with('.') && name.contains(".sw")) // vim swap variants
        || name.contains("___jb_") // JetBrains safe-write
}

/// Keeps the watcher alive; dropping it stops watching.
pub type Watcher = Box<dyn notify::Watcher + Send>;

/// Whether an event can mean changed content. Reading a file (as every build does) raises
/// access events; counting them would rebuild for ever.
fn is_change(kind: &EventKind) -> bool {
    !matches!(kind, EventKind::Access(_))
}

/// Watches `content/` and `themes/` (and the root, so that a `themes/` folder created later
/// is seen), sending the relevant changed paths, relative to `root`, in debounced batches.
pub fn start(root: &Path, poll: bool, batches: Sender<Vec<PathBuf>>) -> Result<Watcher, String> {
    let (events, raw) = mpsc::channel::<notify::Result<Event>>();
    let mut watcher: Watcher = if poll {
        // notify's poller compares modification times in whole seconds, so two saves in one
        // second would look like one: compare contents as well.
        let config = notify::Config::default()
            .with_poll_interval(Duration::from_millis(300))
            .with_compare_contents(true);
        Box::new(
            PollWatcher::new(events, config)
                .map_err(|e| format!("cannot start polling the site's folders: {e}"))?,
        )
    } else {
        Box::new(
            RecommendedWatcher::new(events, notify::Config::default())
                .map_err(|e| format!("cannot watch the site's folders: {e} (try --poll)"))?,
        )
    };
    for folder in ["content", "themes"] {
        let path = root.join(folder);
        if path.is_dir() {
            watcher
                .watch(&path, RecursiveMode::Recursive)
                .map_err(|e| format!("cannot watch {}: {e}", path.display()))?;
        }
    }
    watcher
        .watch(root, RecursiveMode::NonRecursive)
        .map_err(|e| format!("cannot watch {}: {e}", root.display()))?;
    let root = root.to_path_buf();
    std::thread::spawn(move || debounce(&root, &raw, &batches));
    Ok(watcher)
}

/// How often `serve` looks whether HEAD moved (a commit, a checkout, a pull).
const HEAD_POLL: Duration = Duration::from_secs(1);

/// The path a batch names when HEAD moved. Not a file read: it makes `serve` read the
/// history again.
pub const HEAD_MOVED: &str = ".git/HEAD";

/// Sends a batch naming `.git/HEAD` whenever the commit HEAD names changes: the history is
/// read again on commits, never on saves. Polled rather than watched because the git
/// folder may be anywhere above the site, and a ref update is a rename in `.git/refs/`.
pub fn on_commit(root: &Path, batches: Sender<Vec<PathBuf>>) {
    let root = root.to_path_buf();
    std::thread::spawn(move || {
        let mut last = crate::history::head_of(&root);
        loop {
            std::thread::sleep(HEAD_POLL);
            let now = crate::history::head_of(&root);
            if now != last {
                last = now;
                if batches.send(vec![PathBuf::from(HEAD_MOVED)]).is_err() {
                    return;
                }
            }
        }
    });
}

/// Watches `folder` anew, with everything below it, when it is there: for a folder made,
/// replaced or moved since it was watched.
pub fn rewatch(watcher: &mut Watcher, folder: &Path) {
    let _ = watcher.unwatch(folder);
    if folder.is_dir() {
        let _ = watcher.watch(folder, RecursiveMode::Recursive);
    }
}

/// What a batch names when events were lost (the kernel's queue overflowed, or the
/// watcher failed): both watched folders, so that they are watched anew, every page is
/// rendered again and no save is taken for a save of one body.
fn everything() -> [PathBuf; 2] {
    [PathBuf::from("content"), PathBuf::from("themes")]
}

/// Gathers events until none has come for `DEBOUNCE`, then sends the relevant paths once
/// (each path once, however many events it had).
fn debounce(root: &Path, raw: &Receiver<notify::Result<Event>>, batches: &Sender<Vec<PathBuf>>) {
    let mut pending: BTreeSet<PathBuf> = BTreeSet::new();
    loop {
        let event = if pending.is_empty() {
            raw.recv().map_err(|_| RecvTimeoutError::Disconnected)
        } else {
            raw.recv_timeout(DEBOUNCE)
        };
        match event {
            Ok(Ok(event)) if event.need_rescan() => pending.extend(everything()),
            // An error may hide changes (a watch not added, events dropped): the same.
            Ok(Err(_)) => pending.extend(everything()),
            Ok(Ok(event)) if is_change(&event.kind) => {
                let relevant = event
                    .paths
                    .iter()
                    .filter_map(|path| path.strip_prefix(root).ok())
                    .filter(|path| is_relevant(path))
                    .map(Path::to_path_buf);
                pending.extend(relevant);
            }
            Ok(_) => {}
            Err(RecvTimeoutError::Timeout) => {
                let batch = std::mem::take(&mut pending).into_iter().collect();
                if batches.send(batch).is_err() {
                    return;
                }
            }
            Err(RecvTimeoutError::Disconnected) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The batches `debounce` sends for `events`, the sender dropped after them.
    fn batches_of(events: Vec<notify::Result<Event>>) -> Vec<Vec<PathBuf>> {
        let root = Path::new("/site");
        let (raw_sender, raw) = mpsc::channel();
        let (sender, batches) = mpsc::channel();
        for event in events {
            raw_sender.send(event).unwrap();
        }
        let worker = std::thread::spawn(move || debounce(root, &raw, &sender));
        let first = batches.recv_timeout(Duration::from_secs(5)).unwrap();
        drop(raw_sender);
        worker.join().unwrap();
        std::iter::once(first).chain(batches.try_iter()).collect()
    }

    #[test]
    fn lost_events_name_every_watched_folder() {
        let saved = Event::new(EventKind::Modify(notify::event::ModifyKind::Any))
            .add_path(PathBuf::from("/site/content/policies/a.md"));
        let overflow = Event::new(EventKind::Other).set_flag(notify::event::Flag::Rescan);
        let batches = batches_of(vec![Ok(saved.clone()), Ok(overflow)]);
        let expected: Vec<PathBuf> = ["content", "content/policies/a.md", "themes"]
            .iter()
            .map(PathBuf::from)
            .collect();
        assert_eq!(batches, vec![expected.clone()], "a queue overflow");
        let failed = notify::Error::generic("no more watches");
        assert_eq!(
            batches_of(vec![Ok(saved.clone()), Err(failed)]),
            vec![expected],
            "a watcher's error"
        );
        let batches = batches_of(vec![Ok(saved)]);
        assert_eq!(batches, vec![vec![PathBuf::from("content/policies/a.md")]]);
    }

    #[test]
    fn sources_and_themes_count_outputs_and_temp_files_do_not() {
        for path in [
            "content/site.yaml",
            "content/policies/a.md",
            "themes/default/static/CNAME",
            "content/assets/logo",
            "content/assets/.well-known/key.txt",
            "themes/default/static/.nojekyll",
        ] {
            assert!(is_relevant(Path::new(path)), "{path}");
        }
        for path in [
            "public/index.html",
            "internal/soa.csv",
            ".git/index",
            "target/debug/x",
            "content/policies/.a.md.swp",
            "content/policies/a.md~",
            "content/policies/#a.md#",
            "content/policies/.#a.md",
            "content/policies/4913",
            "content/policies/a.md___jb_tmp___",
            "content/policies/.goutputstream-ABC123",
            "content/.obsidian/workspace.json",
            "content/#notes/a.md",
        ] {
            assert!(!is_relevant(Path::new(path)), "{path}");
        }
    }
}
