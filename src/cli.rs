//! The command line (docs/format.md §7).

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "trustbook",
    version,
    about = "Compile AI-governance sources (ISO/IEC 42001) into a public trust centre and an internal handbook",
    after_help = "Exit status: 0 no errors (warnings allowed), 1 errors found, 2 bad usage or unreadable site."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Create a new site: site.yaml, every ISO/IEC 42001 Annex A control stubbed, and a
    /// starter AI policy
    #[command(
        after_help = "DIR must be new or empty. Exit status: 0 created, 1 folder not empty or not writable, 2 bad usage."
    )]
    Init(InitArgs),
    /// Check every source against the rules, without writing any output
    #[command(
        after_help = "Exit status: 0 no errors (warnings allowed), 1 errors found, 2 bad usage or unreadable site.\n\
                            Set TRUSTBOOK_TODAY=YYYY-MM-DD to judge review and expiry dates as of another day."
    )]
    Check(CheckArgs),
    /// Check the site, then write the public trust centre (public/) and the internal
    /// handbook (internal/)
    #[command(
        after_help = "Nothing is written when any error remains. public/ and internal/ are replaced whole, and only \
                            when absent, empty or written by trustbook before. A build that finds the sources, \
                            the options and its output as the last build left them writes nothing.\n\
                            Exit status: 0 built, 1 errors found or output refused, 2 bad usage or unreadable site."
    )]
    Build(BuildArgs),
    /// Serve the internal handbook and the public preview, rebuilding and reloading on every save
    #[command(
        after_help = "Binds 127.0.0.1 unless --bind says otherwise: the internal handbook is for staff only.\n\
                            While a change leaves errors, the last good build is served with the errors shown in the page.\n\
                            Exit status: 1 when the port is taken or the site cannot be watched, 2 bad usage."
    )]
    Serve(ServeArgs),
    /// Write a new record with the next free id (a stub to complete) and print its path
    #[command(
        after_help = "The record is internal, with TODOs where the facts go; `trustbook check` lists them.\n\
                            A control is the first of site.yaml's frameworks without a record; an impact assessment\n\
                            is of the first AI system without one. Nothing is overwritten.\n\
                            Exit status: 0 written, 1 nothing to write or the file exists, 2 bad usage or unreadable site."
    )]
    New(NewArgs),
    /// Write the JSON Schema of site.yaml and of every kind of record, for editors
    #[command(
        after_help = "Writes one <kind>.schema.json per kind into DIR and prints their paths. `init` writes them\n\
                            into schemas/ with a .vscode/settings.json that maps them to content/ (README: Editors).\n\
                            Exit status: 0 written, 1 DIR cannot be written."
    )]
    Schema(SchemaArgs),
}

#[derive(clap::Args)]
pub struct SchemaArgs {
    /// Where to write the schemas
    #[arg(long, value_name = "DIR", default_value = "schemas")]
    pub out: PathBuf,
}

#[derive(clap::Args)]
pub struct NewArgs {
    /// What to add
    #[arg(value_enum)]
    pub kind: crate::init::new::NewKind,
    /// The site's folder (the one holding content/); default: the current folder
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub root: PathBuf,
}

#[derive(clap::Args)]
pub struct ServeArgs {
    /// Port to listen on; 0 takes any free port
    #[arg(long, default_value_t = 1111)]
    pub port: u16,
    /// Address to listen on
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,
    /// Poll for changes instead of using the system's file events (for network and
    /// container file systems where events are missed)
    #[arg(long)]
    pub poll: bool,
    #[command(flatten)]
    pub site: SiteArgs,
}

#[derive(clap::Args)]
pub struct InitArgs {
    /// Folder to create the site in (default: the current folder)
    #[arg(value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,
}

#[derive(clap::Args)]
pub struct BuildArgs {
    /// Build only one of the two sites
    #[arg(long, value_enum)]
    pub only: Option<crate::build::Audience>,
    /// Treat warnings as errors
    #[arg(long)]
    pub strict: bool,
    /// Print how long each stage took (load, check, render and write)
    #[arg(long)]
    pub timings: bool,
    /// Print errors only (warnings are still counted)
    #[arg(long, short)]
    pub quiet: bool,
    #[command(flatten)]
    pub site: SiteArgs,
}

#[derive(clap::Args)]
pub struct CheckArgs {
    /// Treat warnings as errors
    #[arg(long)]
    pub strict: bool,
    /// How to print findings: text for people; json (one object per line), github (workflow
    /// annotations) or sarif (SARIF 2.1.0) for tools, on stdout
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Print errors only (warnings are still counted)
    #[arg(long, short)]
    pub quiet: bool,
    #[command(flatten)]
    pub site: SiteArgs,
}

#[derive(clap::Args)]
pub struct SiteArgs {
    /// The site's folder (the one holding content/); default: the current folder
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub root: PathBuf,
    /// Ignore git: no dates, history or approval provenance (as outside a repository)
    #[arg(long)]
    pub no_git: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
    Github,
    Sarif,
}
