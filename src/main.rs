//! The `trustbook` command: parses the command line and runs one pipeline per command.

use clap::Parser;
use codespan_reporting::term::termcolor::{ColorChoice, StandardStream};
use std::io::IsTerminal;
use std::process::ExitCode;
use trustbook::cli::{CheckArgs, Cli, Command, Format};
use trustbook::finding::{Finding, Severity};
use trustbook::{check, load, report, sources};

/// Exit status for usage errors and sites that cannot be read at all.
const EXIT_USAGE: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check(args) => run_check(&args),
    }
}

fn fail_usage(message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(EXIT_USAGE)
}

fn run_check(args: &CheckArgs) -> ExitCode {
    let today = match load::date::today() {
        Ok(today) => today,
        Err(message) => return fail_usage(&message),
    };
    let mut findings = Vec::new();
    let site = match load::load(&args.site.root, &mut findings) {
        Ok(site) => site,
        Err(load::NotASite(message)) => return fail_usage(&message),
    };
    check::run(&site, today, &mut findings);
    if args.strict {
        for finding in &mut findings {
            finding.severity = Severity::Error;
        }
    }
    sort(&mut findings, &site.sources);
    let printed = match args.format {
        Format::Json => report::print_json(&findings, &site.sources, &mut std::io::stdout().lock()),
        Format::Text => {
            let stderr = StandardStream::stderr(color_choice());
            report::print_text(&findings, &site.sources, &mut stderr.lock())
        }
    };
    if let Err(e) = printed {
        eprintln!("error: cannot print the findings: {e}");
    }
    let errors = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    let warnings = findings.len() - errors;
    eprintln!(
        "{}: {} in {} source files",
        if errors > 0 {
            "check failed"
        } else {
            "check passed"
        },
        counted(errors, warnings),
        site.sources.len()
    );
    ExitCode::from(u8::from(errors > 0))
}

fn counted(errors: usize, warnings: usize) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    format!(
        "{}, {}",
        plural(errors, "error"),
        plural(warnings, "warning")
    )
}

/// In file order, then by position, so output reads top to bottom and is stable.
fn sort(findings: &mut [Finding], sources: &sources::Sources) {
    findings.sort_by(|a, b| {
        let key = |f: &Finding| {
            let path = match (&f.at, &f.path) {
                (Some(at), _) => sources.path(at.file).to_path_buf(),
                (None, Some(path)) => path.clone(),
                (None, None) => Default::default(),
            };
            (path, f.at.as_ref().map_or(0, |at| at.span.start))
        };
        key(a).cmp(&key(b))
    });
}

fn color_choice() -> ColorChoice {
    if std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none() {
        ColorChoice::Auto
    } else {
        ColorChoice::Never
    }
}
