//! The `trustbook` command: parses the command line and runs one pipeline per command.

use clap::Parser;
use codespan_reporting::term::termcolor::{self, ColorChoice};
use std::io::IsTerminal;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;
use trustbook::cli::{BuildArgs, CheckArgs, Cli, Command, Format, InitArgs, ServeArgs};
use trustbook::finding::Severity;
use trustbook::load::Site;

use trustbook::write::unchanged;
use trustbook::{build, check, history, init, load, report, serve};

/// The system allocator spends a fifth of a large build in malloc and free (many small
/// strings across threads); mimalloc halves that.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Exit status for usage errors and sites that cannot be read at all.
const EXIT_USAGE: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check(args) => run_check(&args),
        Command::Build(args) => run_build(&args),
        Command::Init(args) => run_init(&args),
        Command::Serve(args) => run_serve(&args),
        Command::New(args) => run_new(&args),
        Command::Schema(args) => match trustbook::init::write_schemas(&args.out) {
            Ok(paths) => {
                for path in paths {
                    println!("{}", path.display());
                }
                ExitCode::SUCCESS
            }
            Err(message) => {
                eprintln!("error: {message}");
                ExitCode::from(1)
            }
        },
    }
}

fn run_serve(args: &ServeArgs) -> ExitCode {
    serve::allocator::keep_freed_memory(serve::allocator::KEPT_BETWEEN_SAVES);
    // As in `build`: the program's identity is read while the first build loads.
    std::thread::spawn(trustbook::render::program::identity);
    let options = serve::Options {
        root: args.site.root.clone(),
        bind: args.bind,
        port: args.port,
        poll: args.poll,
        use_git: !args.site.no_git,
        color: color_choice(),
    };
    match serve::run(options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(1)
        }
    }
}

fn run_new(args: &trustbook::cli::NewArgs) -> ExitCode {
    let today = match load::date::today() {
        Ok(today) => today,
        Err(message) => return fail_usage(&message),
    };
    // Findings do not matter here: only the ids in use do.
    let site = match load::load(&args.root, &mut Vec::new()) {
        Ok(site) => site,
        Err(load::NotASite(message)) => return fail_usage(&message),
    };
    let written = trustbook::init::new::stub(&site, args.kind, today).and_then(|(path, text)| {
        let full = args.root.join(&path);
        if full.exists() {
            return Err(format!("{} exists already", path.display()));
        }
        if let Some(folder) = full.parent() {
            std::fs::create_dir_all(folder)
                .map_err(|e| format!("cannot create {}: {e}", folder.display()))?;
        }
        std::fs::write(&full, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        Ok(path)
    });
    match written {
        Ok(path) => {
            println!("{}", path.display().to_string().replace('\\', "/"));
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(1)
        }
    }
}

fn run_init(args: &InitArgs) -> ExitCode {
    let today = match load::date::today() {
        Ok(today) => today,
        Err(message) => return fail_usage(&message),
    };
    match init::create(&args.dir, today) {
        Ok(count) => {
            let dir = args.dir.display();
            println!("Created a trustbook site in {dir} ({count} files).\n\nNext steps:");
            // No `cd .` when the site is where the user already is.
            let here = args.dir.as_os_str().is_empty() || args.dir == std::path::Path::new(".");
            let steps = [
                (!here).then(|| format!("cd {dir}")),
                Some("git init && git add -A && git commit -m \"Trust centre sources\"\n     \
                      (the pages' dates, the history and approvals are read from git)".into()),
                Some("Edit content/site.yaml: your organisation, contact email and certification.".into()),
                Some("For each control in content/controls/, replace the TODO with why it is included\n     \
                      (or exclude it, saying why), and set its real status and owner.".into()),
                Some("Complete content/policies/ai-policy.md; add your AI systems, risks, suppliers,\n     \
                      objectives, audits and corrective actions (each folder under content/ has a\n     \
                      .example file that shows the fields).".into()),
                Some("trustbook check   lists what is left (38 TODO justifications to start with)".into()),
                Some("trustbook build   writes public/ (for any static host) and internal/ (staff only)".into()),
            ];
            for (n, step) in steps.into_iter().flatten().enumerate() {
                println!("  {}. {step}", n + 1);
            }
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(1)
        }
    }
}

fn fail_usage(message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(EXIT_USAGE)
}

/// A site loaded and checked, with its findings printed. `Err` is the exit status to stop
/// with: usage errors, or findings that include errors.
struct Checked {
    site: Site,
    today: load::date::Date,
    /// What was printed on standard error (text format only).
    printed: Vec<u8>,
}

fn load_and_check(
    root: &Path,
    use_git: bool,
    strict: bool,
    quiet: bool,
    format: Format,
    verb: &str,
    stages: &mut Stages,
) -> Result<Checked, ExitCode> {
    let today = load::date::today().map_err(|message| fail_usage(&message))?;
    let reading = if use_git {
        history::start_reading(root)
    } else {
        None
    };
    let mut findings = Vec::new();
    let mut site =
        load::load(root, &mut findings).map_err(|load::NotASite(message)| fail_usage(&message))?;
    stages.done("load");
    check::run(&site, today, &mut findings);
    stages.done("check");
    history::attach_started(&mut site, reading, today, &mut findings);
    check::run_provenance(&site, today, &mut findings);
    stages.done("history");
    if strict {
        for finding in &mut findings {
            finding.severity = Severity::Error;
        }
    }
    report::sort(&mut findings, &site.sources);
    // Standard error's text is gathered, then written in one go (and kept by `build`
    // for a build that finds nothing changed).
    let mut text = if color_choice() == ColorChoice::Never {
        termcolor::Buffer::no_color()
    } else {
        termcolor::Buffer::ansi()
    };
    let shown: Vec<_> = findings
        .iter()
        .filter(|f| !quiet || f.severity == Severity::Error)
        .cloned()
        .collect();
    let printed = match format {
        Format::Json => report::print_json(&shown, &site.sources, &mut std::io::stdout().lock()),
        Format::Github => report::machine::print_github(
            &shown,
            &site.sources,
            &history::site_in_repository(&site.root),
            &mut std::io::stdout().lock(),
        ),
        Format::Sarif => report::machine::print_sarif(
            &shown,
            &site.sources,
            &history::site_in_repository(&site.root),
            &mut std::io::stdout().lock(),
        ),
        Format::Text => report::print_text(&shown, &site.sources, &mut text),
    };
    if format == Format::Text && shown.len() > report::SUMMARY_AFTER {
        let _ = write!(text, "{}", report::summary(&shown));
    }
    if let Err(e) = printed {
        let _ = writeln!(text, "error: cannot print the findings: {e}");
    }
    let errors = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    let warnings = findings.len() - errors;
    let files = site.sources.site_files();
    if errors > 0 {
        let _ = writeln!(
            text,
            "{verb} failed: {} in {files} source files",
            counted(errors, warnings)
        );
        print_stderr(text.as_slice());
        return Err(ExitCode::from(1));
    }
    let _ = writeln!(
        text,
        "check passed: {} in {files} source files",
        counted(errors, warnings)
    );
    print_stderr(text.as_slice());
    Ok(Checked {
        site,
        today,
        // Kept until the build is recorded: without the slack of its growth (MBs of
        // warnings on a large site).
        printed: {
            let mut printed = text.into_inner();
            printed.shrink_to_fit();
            printed
        },
    })
}

fn run_check(args: &CheckArgs) -> ExitCode {
    let mut stages = Stages::new(false);
    match load_and_check(
        &args.site.root,
        !args.site.no_git,
        args.strict,
        args.quiet,
        args.format,
        "check",
        &mut stages,
    ) {
        Ok(_) => ExitCode::SUCCESS,
        Err(code) => code,
    }
}

fn run_build(args: &BuildArgs) -> ExitCode {
    let started = Instant::now();
    let started_at = std::time::SystemTime::now();
    let root = &args.site.root;
    // Anything that changes what is built or printed, besides the sources.
    let options = format!(
        "only={:?} strict={} quiet={} color={:?}",
        args.only,
        args.strict,
        args.quiet,
        color_choice()
    );
    let inputs = load::date::today().ok().and_then(|today| {
        unchanged::Inputs::now(root, options, today.to_string(), !args.site.no_git)
    });
    if let Some(last) = inputs.as_ref().and_then(|i| unchanged::unchanged(root, i)) {
        print_stderr(&last.printed);
        eprintln!(
            "built {} in {} ms: nothing changed since the last build, so nothing was written",
            last.summary,
            started.elapsed().as_millis()
        );
        eprint!("{}", last.after);
        return ExitCode::SUCCESS;
    }
    unchanged::forget(root);
    // The program's identity (a hash of its 17 MB executable) keys every page: read while
    // the sources load, not alone before the first page renders.
    std::thread::spawn(trustbook::render::program::identity);
    let mut stages = Stages::new(args.timings);
    let mut checked = match load_and_check(
        &args.site.root,
        !args.site.no_git,
        args.strict,
        args.quiet,
        Format::Text,
        "build",
        &mut stages,
    ) {
        Ok(checked) => checked,
        Err(code) => {
            eprintln!("nothing was written");
            return code;
        }
    };
    checked.site.drop_check_data();
    // Highlighted code is kept between builds: a rebuild re-highlights only changed blocks.
    let cache = checked
        .site
        .root
        .join(build::CACHE_FOLDER)
        .join("highlight.bin");
    let reuse = build::Reuse {
        highlighter: trustbook::render::highlight::Highlighter::load(&cache),
        ..build::Reuse::default()
    };
    let (built, verified) = std::thread::scope(|scope| {
        // The sources are looked at again for the record while the pages render, not
        // after them (see `Inputs::verify`).
        let file_hashes = &checked.site.file_hashes;
        let verifying =
            inputs.map(|inputs| scope.spawn(move || inputs.verify(root, started_at, file_hashes)));
        let built = build::build(&checked.site, checked.today, args.only, &reuse);
        let verified = verifying.and_then(|thread| thread.join().ok().flatten());
        (built, verified)
    });
    let written = match built {
        Ok(written) => written,
        Err(message) => {
            eprintln!("error: {message}\nnothing was written");
            return ExitCode::from(1);
        }
    };
    stages.done("render and write");
    std::thread::scope(|scope| {
        // Saved beside the record's look at the outputs: both are the build's tail.
        scope.spawn(|| reuse.highlighter.save(&cache));
        finish_build(root, &written, &mut checked, (started, verified));
    });
    reuse.highlighter.end_with_process();
    // The process ends here: its memory goes back whole, without freeing the site's
    // hundreds of thousands of parts one by one.
    std::mem::forget(checked);
    ExitCode::SUCCESS
}

/// Prints what `build` wrote, and records the build for the next (see `unchanged`).
fn finish_build(
    root: &Path,
    written: &[build::Written],
    checked: &mut Checked,
    (started, verified): (Instant, Option<unchanged::Verified>),
) {
    let summary: Vec<String> = written
        .iter()
        .map(|w| format!("{}/ ({} pages, {} files)", w.folder, w.pages, w.files))
        .collect();
    let summary = summary.join(" and ");
    eprintln!("built {summary} in {} ms", started.elapsed().as_millis());
    let uncommitted = checked.site.history.uncommitted.len();
    let after = if uncommitted > 0 {
        format!(
            "{uncommitted} source file{} with uncommitted changes (marked in the handbook)\n",
            if uncommitted == 1 { "" } else { "s" }
        )
    } else {
        String::new()
    };
    eprint!("{after}");
    if let Some(verified) = verified {
        let folders: Vec<&str> = written.iter().map(|w| w.folder).collect();
        let printed = std::mem::take(&mut checked.printed);
        unchanged::record(root, verified, &folders, (printed, summary, after));
    }
}

/// `--timings`: how long each stage of one command took, printed as it ends.
struct Stages {
    last: Option<Instant>,
}

impl Stages {
    fn new(enabled: bool) -> Self {
        Stages {
            last: enabled.then(Instant::now),
        }
    }

    fn done(&mut self, stage: &str) {
        if let Some(last) = &mut self.last {
            eprintln!("{stage:>8}: {} ms", last.elapsed().as_millis());
            *last = Instant::now();
        }
    }
}

fn counted(errors: usize, warnings: usize) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    format!(
        "{}, {}",
        plural(errors, "error"),
        plural(warnings, "warning")
    )
}

fn print_stderr(bytes: &[u8]) {
    let mut stderr = std::io::stderr().lock();
    let _ = stderr.write_all(bytes);
    let _ = stderr.flush();
}

fn color_choice() -> ColorChoice {
    if std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none() {
        ColorChoice::Auto
    } else {
        ColorChoice::Never
    }
}
