//! `serve`: the internal handbook (with the public preview under `preview/`) built in
//! memory, served on loopback, rebuilt on every save, and reloaded in open pages.
//!
//! Three pieces, no global state: the watcher sends batches of changed paths; the rebuild
//! loop (this thread) builds and publishes to the shared `State`; HTTP workers answer from
//! whatever snapshot is current. A build with errors never replaces a good one.

mod http;
mod server;
mod state;
mod watch;

use crate::finding::Severity;
use crate::{build, history, load, report};
use codespan_reporting::term::termcolor::{ColorChoice, NoColor};
use state::{Files, State};
use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc;
use std::time::Instant;

pub struct Options {
    pub root: PathBuf,
    pub bind: IpAddr,
    pub port: u16,
    pub poll: bool,
    pub use_git: bool,
    pub color: ColorChoice,
}

/// More warnings than this are reported as a count on each rebuild.
const MAX_WARNINGS_SHOWN: usize = 10;

/// A build in memory: the files, or the findings that stopped it.
fn build_once(
    root: &Path,
    color: ColorChoice,
    reuse: &build::Reuse,
    history: &mut Option<history::History>,
) -> Result<(Files, usize), String> {
    let today = load::date::today()?;
    let mut findings = Vec::new();
    let mut site =
        load::load_cached(root, &mut findings, &reuse.sources).map_err(|load::NotASite(m)| m)?;
    // The log is read once, and again only when HEAD moves; a save re-checks which files
    // differ from it.
    history::attach_reusing(
        &mut site,
        history.is_some(),
        today,
        history.take().filter(|h| !h.is_empty()),
        &mut findings,
    );
    let (models, mut findings) = build::checked_models(&site, today, findings);
    report::sort(&mut findings, &site.sources);
    // The terminal gets the findings in colour (many warnings as a count: they would bury
    // each save's news); the page gets the errors as plain text.
    let warnings = findings
        .iter()
        .filter(|f| f.severity == Severity::Warning)
        .count();
    if warnings > MAX_WARNINGS_SHOWN {
        findings.retain(|f| f.severity == Severity::Error);
        eprintln!("{warnings} warnings: `trustbook check` lists them");
    }
    let _ = report::print_to_stderr(&findings, &site.sources, color);
    if findings.iter().any(|f| f.severity == Severity::Error) {
        let errors: Vec<_> = findings
            .into_iter()
            .filter(|f| f.severity == Severity::Error)
            .collect();
        let mut text = NoColor::new(Vec::new());
        let _ = report::print_text(&errors, &site.sources, &mut text);
        return Err(String::from_utf8_lossy(&text.into_inner()).into_owned());
    }
    let only = Some(build::Audience::Internal);
    let built =
        build::render_models(&site, models.map_err(|e| e.0)?, only, reuse).map_err(|e| e.0)?;
    *history = Some(std::mem::take(&mut site.history));
    // Freeing every record of a large site takes a while: not before the page is served.
    std::thread::spawn(move || drop(site));
    let internal = built.internal.unwrap_or_default();
    Ok((internal.files, internal.pages))
}

fn rebuild(
    root: &Path,
    state: &State,
    color: ColorChoice,
    reuse: &build::Reuse,
    history: &mut Option<history::History>,
) {
    let started = Instant::now();
    let use_git = history.is_some();
    let result = build_once(root, color, reuse, history);
    if use_git && history.is_none() {
        *history = Some(history::History::default());
    }
    match result {
        Ok((files, pages)) => {
            state.publish(Some(files), None);
            eprintln!(
                "rebuilt {pages} pages in {} ms",
                started.elapsed().as_millis()
            );
        }
        Err(errors) => {
            state.publish(None, Some(errors));
            eprintln!(
                "build failed: still serving the last good build, with the errors shown in the page"
            );
        }
    }
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
    // Kept across rebuilds: a save re-renders the pages it touches and re-highlights only
    // the code blocks it changed.
    let reuse = build::Reuse::serving();
    // `None`: git is not used. An empty history is read in full at the next build.
    let mut history = options.use_git.then(history::History::default);

    // Watching starts before the first build: a save made while it runs is the first
    // batch, not lost until the next save.
    let (sender, changes) = mpsc::channel();
    if options.use_git {
        watch::on_commit(&root, sender.clone());
    }
    let mut watcher = watch::start(&root, options.poll, sender)?;
    rebuild(&root, &state, options.color, &reuse, &mut history);

    let handler = http::Handler::new(Arc::clone(&state));
    std::thread::spawn(move || server::run(listener, handler));
    println!("Serving on http://{bound}/");
    let _ = std::io::stdout().flush();

    for batch in changes {
        for folder in ["content", "themes"] {
            // The folder itself made after start, replaced or moved away (`rm -rf content`
            // and a fresh copy): watch inside the one there now.
            if batch.iter().any(|path| path == Path::new(folder)) {
                watch::rewatch(&mut watcher, &root.join(folder));
            }
        }
        let mut shown: Vec<String> = batch
            .iter()
            .take(3)
            .map(|p| p.display().to_string())
            .collect();
        if batch.len() > 3 {
            shown.push(format!("and {} more", batch.len() - 3));
        }
        eprintln!("changed: {}", shown.join(", "));
        if batch.iter().any(|path| path.starts_with("themes")) {
            // A template may be used by any page: render them all again.
            reuse.pages.clear();
        }
        rebuild(&root, &state, options.color, &reuse, &mut history);
    }
    Ok(())
}
