//! What `serve` does after a save, without the watcher and the HTTP server: for profiling.
//!
//!     cargo run --release --example rebuild -- SITE [EDITS] [--without CACHE]...
//!
//! Builds SITE in memory as `serve` does, then EDITS times (default 20) changes the first
//! heading of `content/policies/policy-7.md` (as `scripts/bench.py` does) and rebuilds,
//! printing the median and fastest rebuild, and the median of each stage.
//! `--pause MS` waits that long before each save, as a writer does between saves.
//! `--risk` edits `content/risks/risk-7.yaml`'s description instead (a record's save,
//! which `--session` answers from what was kept); `--risk --title` edits its title (a
//! record's save that other pages show, built in full).
//! `--session` answers each save with `serve`'s own `Session` (a body's save then takes
//! the body-alone path, and the last build's site is freed on another thread while the
//! save builds, as `serve` does); the stages are then not timed apart.
//! `--without parses|pages|highlight|words` starts
//! that cache afresh before every rebuild, to measure what it saves (`parses` includes the
//! kept file bytes; `words`, the search indexes' words and entries). Under `valgrind --tool=callgrind` the counts
//! are repeatable, unlike times on a shared machine.

use std::path::Path;
use std::time::Instant;
use trustbook::build::{Audience, Reuse, checked_models, render_models};
use trustbook::load;
use trustbook::load::cache::ParseCache;

// The allocator the binary uses (`src/main.rs`): what `serve` does, it measures as it runs.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Milliseconds spent loading, checking (with the models built meanwhile, as `serve`
/// does) and rendering.
fn rebuild(root: &Path, reuse: &Reuse) -> ([f64; 3], load::Site) {
    let today = load::date::today().expect("a valid TRUSTBOOK_TODAY");
    let mut findings = Vec::new();
    let mut stages = [0.0; 3];
    let mut clock = Instant::now();
    let mut lap = |stage: usize| {
        stages[stage] = clock.elapsed().as_secs_f64() * 1000.0;
        clock = Instant::now();
    };
    let site = load::load_cached(root, &mut findings, &reuse.sources).expect("a site");
    lap(0);
    let (models, ..) = checked_models(&site, reuse, today, findings);
    lap(1);
    let models = models.expect("models");
    render_models(&site, &models, Some(Audience::Internal), reuse).expect("renders");
    lap(2);
    // As `serve` does: the models and the site are freed after the save is served (here,
    // once timed).
    drop(models);
    (stages, site)
}

/// The processor time this process has used, in milliseconds (Linux; 0 elsewhere): on a
/// shared machine it varies less than the time a save takes.
fn processor_ms() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The fields after the command's closing parenthesis; utime and stime are 14 and 15.
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let ticks: f64 = (after.split_whitespace().skip(11).take(2))
        .filter_map(|t| t.parse::<f64>().ok())
        .sum();
    ticks * 10.0
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let without: Vec<&str> = (args.windows(2))
        .filter(|pair| pair[0] == "--without")
        .map(|pair| pair[1].as_str())
        .collect();
    let plain: Vec<&String> = (args.iter().enumerate())
        .filter(|(i, a)| {
            !a.starts_with("--")
                && (*i == 0 || !["--without", "--pause"].contains(&args[i - 1].as_str()))
        })
        .map(|(_, a)| a)
        .collect();
    let root = plain
        .first()
        .expect("usage: rebuild SITE [EDITS] [--without CACHE]");
    let edits: usize = plain.get(1).map_or(20, |n| n.parse().expect("a number"));
    let root = Path::new(root.as_str());
    let risk = args.iter().any(|a| a == "--risk");
    let pause = (args.windows(2))
        .find(|pair| pair[0] == "--pause")
        .map_or(0, |pair| pair[1].parse().expect("milliseconds"));
    let pause = std::time::Duration::from_millis(pause);
    let (policy, from) = match risk {
        true if args.iter().any(|a| a == "--title") => {
            (root.join("content/risks/risk-7.yaml"), "title: ")
        }
        true => (root.join("content/risks/risk-7.yaml"), "description: "),
        false => (root.join("content/policies/policy-7.md"), "# Policy 7"),
    };
    let original = std::fs::read_to_string(&policy).expect("the edited file");
    // As `serve` does.
    trustbook::serve::allocator::keep_freed_memory(trustbook::serve::allocator::KEPT_BETWEEN_SAVES);
    if args.iter().any(|a| a == "--session") {
        let relative = policy
            .strip_prefix(root)
            .expect("under the site")
            .to_path_buf();
        let edit = |n: usize| {
            let text = original.replacen(from, &format!("{from}edit {n} "), 1);
            std::fs::write(&policy, text).expect("writable");
        };
        let times = with_session(root, &relative, edits, pause, edit);
        std::fs::write(&policy, &original).expect("writable");
        print_times(edits, times);
        return;
    }
    let mut reuse = Reuse::serving();
    // As `serve`'s watcher does, each save is reported before the load.
    reuse.sources.watched.start();
    rebuild(root, &reuse);
    let mut times = Vec::new();
    let mut processor_times = Vec::new();
    let mut stages: [Vec<f64>; 3] = Default::default();
    for edit in 0..edits {
        let text = original.replacen(from, &format!("{from}edit {edit} "), 1);
        std::fs::write(&policy, text).expect("writable");
        let saved = policy
            .strip_prefix(root)
            .expect("under the site")
            .to_path_buf();
        reuse.sources.watched.reported(&[saved]);
        for cache in &without {
            match *cache {
                "parses" => reuse.sources = ParseCache::keeping_files(),
                "pages" => {
                    reuse.pages = Default::default();
                    reuse.public_pages = Default::default();
                }
                "highlight" => reuse.highlighter = Default::default(),
                "words" => reuse.search_words = None,
                other => panic!("no cache named {other}: parses, pages, highlight or words"),
            }
        }
        // A writer pauses between saves: what the allocator does meanwhile counts.
        std::thread::sleep(pause);
        let processor = processor_ms();
        let (laps, site) = rebuild(root, &reuse);
        // Up to the files made: the models are freed after (`serve` frees them later).
        times.push(laps.iter().sum());
        processor_times.push(processor_ms() - processor);
        drop(site);
        for (all, lap) in stages.iter_mut().zip(laps) {
            all.push(lap);
        }
    }
    std::fs::write(&policy, original).expect("writable");
    if !times.is_empty() {
        print_times(edits, times);
        let median = |all: &mut Vec<f64>| {
            all.sort_by(f64::total_cmp);
            all[all.len() / 2]
        };
        let [load, check, render] = &mut stages;
        println!(
            "processor time per rebuild: median {:.0} ms (all threads; 10 ms ticks)",
            median(&mut processor_times)
        );
        println!(
            "median stages: load {:.1} ms, check and models {:.1} ms, render {:.1} ms",
            median(load),
            median(check),
            median(render)
        );
    }
}

/// Milliseconds from each save to its files, answered by `serve`'s `Session` (no watcher:
/// each save is reported as the watcher reports it, the debounce left out).
fn with_session(
    root: &Path,
    saved: &Path,
    edits: usize,
    pause: std::time::Duration,
    edit: impl Fn(usize),
) -> Vec<f64> {
    use trustbook::serve::session::Session;
    let color = codespan_reporting::term::termcolor::ColorChoice::Never;
    let mut session = Session::new(root, false, color);
    assert!(session.build().files.is_some(), "the site builds");
    (0..edits)
        .map(|n| {
            edit(n);
            std::thread::sleep(pause);
            let started = Instant::now();
            let outcome = session.changed(&[saved.to_path_buf()]);
            assert!(outcome.files.is_some(), "the save builds");
            started.elapsed().as_secs_f64() * 1000.0
        })
        .collect()
}

fn print_times(edits: usize, mut times: Vec<f64>) {
    times.sort_by(f64::total_cmp);
    if times.is_empty() {
        return;
    }
    println!(
        "{edits} rebuilds: median {:.1} ms, fastest {:.1} ms",
        times[times.len() / 2],
        times[0]
    );
}
