//! What `serve` does after a save, without the watcher and the HTTP server: for profiling.
//!
//!     cargo run --release --example rebuild -- SITE [EDITS] [--without CACHE]...
//!
//! Builds SITE in memory as `serve` does, then EDITS times (default 20) changes the first
//! heading of `content/policies/policy-7.md` (as `scripts/bench.py` does) and rebuilds,
//! printing the median and fastest rebuild. `--without parses|pages|highlight` starts
//! that cache afresh before every rebuild, to measure what it saves (`parses` includes the
//! kept file bytes). Under `valgrind --tool=callgrind` the counts
//! are repeatable, unlike times on a shared machine.

use std::path::Path;
use std::time::Instant;
use trustbook::build::{Audience, Reuse, render};
use trustbook::load::cache::ParseCache;
use trustbook::{check, load};

fn rebuild(root: &Path, reuse: &Reuse) {
    let today = load::date::today().expect("a valid TRUSTBOOK_TODAY");
    let mut findings = Vec::new();
    let site = load::load_cached(root, &mut findings, &reuse.sources).expect("a site");
    check::run(&site, today, &mut findings);
    render(&site, today, Some(Audience::Internal), reuse).expect("renders");
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let without: Vec<&str> = (args.windows(2))
        .filter(|pair| pair[0] == "--without")
        .map(|pair| pair[1].as_str())
        .collect();
    let plain: Vec<&String> = (args.iter().enumerate())
        .filter(|(i, a)| !a.starts_with("--") && (*i == 0 || args[i - 1] != "--without"))
        .map(|(_, a)| a)
        .collect();
    let root = plain
        .first()
        .expect("usage: rebuild SITE [EDITS] [--without CACHE]");
    let edits: usize = plain.get(1).map_or(20, |n| n.parse().expect("a number"));
    let root = Path::new(root.as_str());
    let policy = root.join("content/policies/policy-7.md");
    let original = std::fs::read_to_string(&policy).expect("policy-7.md");
    let mut reuse = Reuse {
        sources: ParseCache::keeping_files(),
        ..Reuse::default()
    };
    rebuild(root, &reuse);
    let mut times = Vec::new();
    for edit in 0..edits {
        let text = original.replacen("# Policy 7", &format!("# Policy 7 edit {edit}"), 1);
        std::fs::write(&policy, text).expect("writable");
        for cache in &without {
            match *cache {
                "parses" => reuse.sources = ParseCache::keeping_files(),
                "pages" => reuse.pages = Default::default(),
                "highlight" => reuse.highlighter = Default::default(),
                other => panic!("no cache named {other}: parses, pages or highlight"),
            }
        }
        let started = Instant::now();
        rebuild(root, &reuse);
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    std::fs::write(&policy, original).expect("writable");
    times.sort_by(f64::total_cmp);
    if !times.is_empty() {
        println!(
            "{edits} rebuilds: median {:.1} ms, fastest {:.1} ms",
            times[times.len() / 2],
            times[0]
        );
    }
}
