//! What `serve` does with each batch of changed paths: a save that changed one document's
//! body alone is answered from what the last build kept (`body_save`); anything else is
//! built in full. Apart from the watcher and the HTTP server, so that tests can hold its
//! answers to a fresh build.

use super::body_save::{self, Kept};
use super::state::Files;
use crate::finding::{Finding, Severity};
use crate::sources::Sources;
use crate::{build, history, load, report};
use codespan_reporting::term::termcolor::{ColorChoice, NoColor};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

/// More warnings than this are reported as a count on each rebuild.
const MAX_WARNINGS_SHOWN: usize = 10;

/// What one build or save made.
pub struct Outcome {
    /// The handbook's files, when it built; `None` keeps serving the last good files.
    pub files: Option<Arc<Files>>,
    /// The errors that stopped it, as plain text for the page.
    pub errors: Option<String>,
    /// Whether it was answered from what the last build kept: only the pages of a changed
    /// body (`body_save`) or of a record's page-local fields (`record_save`) made again.
    pub from_kept: bool,
}

/// One `serve` run's builds, and what each keeps for the next.
pub struct Session {
    root: PathBuf,
    color: ColorChoice,
    use_git: bool,
    /// Kept across rebuilds: a save re-renders the pages it touches and re-highlights
    /// only the code blocks it changed.
    reuse: build::Reuse,
    /// `None`: no history read yet (or git is not used); an empty one is read in full at
    /// the next build.
    history: Option<history::History>,
    /// The last build's history, being taken from its kept site while the next build
    /// loads (freeing that site's models is not done while a save waits).
    history_coming: Option<std::thread::JoinHandle<Option<history::History>>>,
    kept: Option<Kept>,
    /// Whether a build has succeeded: until then there is no last good build to serve.
    built: bool,
}

impl Session {
    /// A session told of every change under `content/` (`changed`): a load lists and
    /// looks at only what changed (`load::watched`).
    pub fn new(root: &Path, use_git: bool, color: ColorChoice) -> Session {
        let reuse = build::Reuse::serving();
        reuse.sources.watched.start();
        Session {
            root: root.to_path_buf(),
            color,
            use_git,
            reuse,
            history: None,
            history_coming: None,
            kept: None,
            built: false,
        }
    }

    /// Builds the site in full.
    pub fn build(&mut self) -> Outcome {
        if let Some(old) = self.kept.take() {
            let use_git = self.use_git;
            // Freeing the models and every record of a large site takes a while: not
            // before the page is served. Its history is read again only where HEAD or a
            // file changed; the build takes it once it has loaded.
            self.history_coming = Some(std::thread::spawn(move || {
                let mut site = old.into_site();
                let history = (use_git && !site.history.is_empty())
                    .then(|| std::mem::take(&mut site.history));
                // Handed back first: the site is freed after.
                std::thread::spawn(move || drop(site));
                history
            }));
        }
        let started = Instant::now();
        let result = self.build_once();
        self.take_coming_history();
        if self.use_git && self.history.is_none() {
            self.history = Some(history::History::default());
        }
        match result {
            Ok((files, pages)) => {
                let ms = started.elapsed().as_millis();
                let again = if self.built { "rebuilt" } else { "built" };
                eprintln!("{again} {pages} pages in {ms} ms");
                self.built = true;
                Outcome {
                    files: Some(files),
                    errors: None,
                    from_kept: false,
                }
            }
            Err(errors) => {
                match self.built {
                    true => eprintln!(
                        "build failed: still serving the last good build, with the errors shown in the page"
                    ),
                    false => eprintln!(
                        "build failed: the errors are shown in the page until a save fixes them"
                    ),
                }
                Outcome {
                    files: None,
                    errors: Some(errors),
                    from_kept: false,
                }
            }
        }
    }

    /// Answers a batch of changed paths (relative to the root).
    pub fn changed(&mut self, batch: &[PathBuf]) -> Outcome {
        // Also when a body's save is answered without a load: the next load reads it.
        self.reuse.sources.watched.reported(batch);
        if let Some(outcome) = self.save_body(batch) {
            return outcome;
        }
        if batch.iter().any(|path| path.starts_with("themes")) {
            // A template may be used by any page: render them all again.
            self.reuse.pages.clear();
            self.reuse.public_pages.clear();
        }
        self.build()
    }

    /// A save that changed one document's body alone, from what the last build kept.
    fn save_body(&mut self, batch: &[PathBuf]) -> Option<Outcome> {
        let started = Instant::now();
        let served = self.kept.as_mut()?.save(&self.root, batch, &self.reuse)?;
        let mut findings = served.findings;
        report::sort(&mut findings, &served.sources);
        // A save with a new error is built in full: here are warnings only.
        let _ = show(&findings, &served.sources, self.color);
        eprintln!(
            "rebuilt the pages of {} in {} ms ({})",
            served.path.display(),
            started.elapsed().as_millis(),
            served.what,
        );
        Some(Outcome {
            files: Some(served.files),
            errors: None,
            from_kept: true,
        })
    }

    /// Every finding of the site as the last good build or save left it, as `check`
    /// prints them without colour; `None` when no build is kept. For tests, which hold a
    /// save answered from what was kept to what `check` finds.
    pub fn kept_findings(&self) -> Option<String> {
        let kept = self.kept.as_ref()?;
        let sources = kept.sources();
        let mut findings = kept.findings.clone();
        report::sort(&mut findings, &sources);
        let mut text = NoColor::new(Vec::new());
        report::print_text(&findings, &sources, &mut text).ok()?;
        Some(String::from_utf8_lossy(&text.into_inner()).into_owned())
    }

    /// Changed files the watcher did not report since the last load (a second name made
    /// for a file, a write through a memory map), found by looking at each: for `serve`
    /// to ask when idle, and build as a batch. Relative to the root.
    pub fn unreported_changes(&self) -> Vec<PathBuf> {
        let sources = &self.reuse.sources;
        let changed = (sources.reads.changed_since_read().into_iter())
            .filter_map(|real| Some(real.strip_prefix(&self.root).ok()?.to_path_buf()))
            .collect();
        sources.watched.unreported(changed)
    }

    /// The history being taken from the last build's site, once it is.
    fn take_coming_history(&mut self) {
        if let Some(coming) = self.history_coming.take()
            && let Ok(Some(history)) = coming.join()
        {
            self.history = Some(history);
        }
    }

    /// A build in memory: the files and the number of pages, or the findings that
    /// stopped it.
    fn build_once(&mut self) -> Result<(Arc<Files>, usize), String> {
        let today = load::date::today().map_err(printed)?;
        let read_from = body_save::read_from(&self.root, self.use_git);
        let mut findings = Vec::new();
        let mut site = load::load_cached(&self.root, &mut findings, &self.reuse.sources)
            .map_err(|load::NotASite(m)| printed(m))?;
        // The log is read once, and again only when HEAD moves; a save re-checks which
        // files differ from it.
        self.take_coming_history();
        history::attach_reusing(
            &mut site,
            self.use_git,
            today,
            self.history.take().filter(|h| !h.is_empty()),
            &mut findings,
        );
        let keepable = body_save::keepable(&site);
        // Kept, the site keeps its history until the next full build takes it back.
        let mut checked = None;
        let made = body_save::Cell::try_new_or_recover(site, |site| {
            let (models, findings, rules) =
                build::checked_models(site, &self.reuse, today, findings);
            checked = Some((findings, rules));
            models.map(body_save::Derived::new)
        });
        let Some((mut findings, rules)) = checked else {
            return Err("the site was not checked".into());
        };
        let cell = match made {
            Ok(cell) => cell,
            Err((site, error)) => {
                report::sort(&mut findings, &site.sources);
                show(&findings, &site.sources, self.color)?;
                return Err(printed(error.0));
            }
        };
        let site = cell.borrow_owner();
        report::sort(&mut findings, &site.sources);
        show(&findings, &site.sources, self.color)?;
        let only = Some(build::Audience::Internal);
        let built = build::render_models(site, cell.borrow_dependent().models(), only, &self.reuse)
            .map_err(|e| printed(e.0))?;
        let internal = built.internal.unwrap_or_default();
        let files = Arc::new(internal.files);
        if let (true, Some(read_from)) = (keepable, read_from) {
            let (kept, when) = (Arc::clone(&files), (today, read_from));
            self.kept = Some(Kept::new(cell, rules, findings, when, &built.hashes, kept));
        } else {
            let mut site = cell.into_owner();
            if self.use_git {
                self.history = Some(std::mem::take(&mut site.history));
            }
            // Freeing every record of a large site takes a while: not before the page
            // is served.
            std::thread::spawn(move || drop(site));
        }
        Ok((files, internal.pages))
    }
}

/// An error that is no finding (a template's, a site that cannot be read), shown on the
/// terminal as `build` shows it, and returned for the page.
fn printed(message: String) -> String {
    eprintln!("error: {message}");
    message
}

/// Shows findings on the terminal in colour (many warnings as a count: they would bury
/// each save's news); with errors, returns them as plain text for the page.
fn show(findings: &[Finding], sources: &Sources, color: ColorChoice) -> Result<(), String> {
    let warnings = findings
        .iter()
        .filter(|f| f.severity == Severity::Warning)
        .count();
    let mut shown = findings.to_vec();
    if warnings > MAX_WARNINGS_SHOWN {
        shown.retain(|f| f.severity == Severity::Error);
        eprintln!("{warnings} warnings: `trustbook check` lists them");
    }
    let _ = report::print_to_stderr(&shown, sources, color);
    if shown.iter().any(|f| f.severity == Severity::Error) {
        let errors: Vec<_> = shown
            .into_iter()
            .filter(|f| f.severity == Severity::Error)
            .collect();
        let mut text = NoColor::new(Vec::new());
        let _ = report::print_text(&errors, sources, &mut text);
        return Err(String::from_utf8_lossy(&text.into_inner()).into_owned());
    }
    Ok(())
}
