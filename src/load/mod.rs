//! Stage 1: read a site's sources into typed records, reporting what cannot be read.
//!
//! Nothing here judges one record against another; that is `check`'s job. Loading only
//! needs each file on its own: is it readable, is it valid YAML, does it have the fields of
//! its kind with values of the right type.

pub mod aims;
pub mod cache;
pub mod date;
pub mod files;
pub mod front_matter;
mod html_balance;
pub mod markers;
pub mod oscal;
pub mod outline;
mod reads;
pub mod records;
pub mod schema;
pub mod watched;
pub mod yaml;

use crate::finding::{At, Code, Finding};
use crate::hash::HashSet;
use crate::hash::HashSetExt;
use crate::sources::{FileId, Sources};
use cache::{CACHED_FILE, ParseCache};
use outline::Outline;
use rayon::prelude::*;
use records::{
    Catalog, ControlRecord, DocumentMeta, RiskRecord, SiteConfig, SupplierRecord, SystemRecord,
    Text,
};
use serde::de::DeserializeOwned;
use std::path::{Path, PathBuf};
use yaml::{Origin, Positions};

const BUILTIN_CATALOG: &str = include_str!("iso42001-annex-a.yaml");

/// One record of any kind, with where it came from.
pub struct Record<T> {
    pub file: FileId,
    /// The file name without its extension: the URL of policies, pages and systems.
    pub stem: String,
    /// Shared with the parse that `serve` keeps for the next load: not copied on a save.
    pub data: std::sync::Arc<T>,
    pub positions: Positions,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocKind {
    Policy,
    Page,
}

impl DocKind {
    pub fn folder(self) -> &'static str {
        match self {
            DocKind::Policy => "policies",
            DocKind::Page => "pages",
        }
    }
}

/// A Markdown source: front matter, body and what the checks need of the body.
pub struct Document {
    pub kind: DocKind,
    pub record: Record<DocumentMeta>,
    /// Byte offset of the body in the file.
    pub body_start: usize,
    pub outline: std::sync::Arc<Outline>,
    /// How the public site shows it (`publish::document`), decided once: `check`, both
    /// models and the history ask, for every document on every build.
    pub decision: std::sync::OnceLock<crate::publish::Decision>,
}

pub struct LoadedCatalog {
    pub catalog: Catalog,
    /// None for the built-in catalogue.
    pub source: Option<(FileId, Positions)>,
}

pub struct Site {
    pub root: PathBuf,
    pub content: PathBuf,
    pub sources: Sources,
    pub config: Option<Record<SiteConfig>>,
    pub documents: Vec<Document>,
    pub controls: Vec<Record<ControlRecord>>,
    pub systems: Vec<Record<SystemRecord>>,
    pub risks: Vec<Record<RiskRecord>>,
    pub suppliers: Vec<Record<SupplierRecord>>,
    pub objectives: Vec<Record<aims::ObjectiveRecord>>,
    pub audits: Vec<Record<aims::AuditRecord>>,
    pub actions: Vec<Record<aims::ActionRecord>>,
    pub parties: Vec<Record<aims::PartyRecord>>,
    pub assessments: Vec<Record<aims::AssessmentRecord>>,
    pub catalogs: Vec<LoadedCatalog>,
    /// Ids of records that failed to load, so that references to them are not also reported.
    pub unloaded_ids: HashSet<String>,
    /// Sources that failed to load (as findings name them), so links to them are not
    /// reported as broken too.
    pub unloaded_paths: HashSet<PathBuf>,
    /// Provenance from git; empty outside git or with `--no-git`.
    pub history: crate::history::History,
    /// Under `public.publish: approved`: the approved text of each public document whose
    /// file has changed since its approving commit, by index into `documents`.
    pub approved_versions: crate::hash::HashMap<usize, Document>,
    /// The hash of each source file's bytes as read (xxh3), by its path under `root`: a
    /// build records them as what it was made from, without reading every file again.
    pub file_hashes: crate::hash::HashMap<PathBuf, u64>,
}

impl Site {
    /// Drops what only `check` and its report need (the record files' text and every
    /// field position), for `build` to render with less memory: the pages use the
    /// documents' text and the records' values, nothing else.
    pub fn drop_check_data(&mut self) {
        let mut records: Vec<FileId> = Vec::new();
        let mut clear = |record_file: FileId, positions: &mut yaml::Positions| {
            records.push(record_file);
            *positions = yaml::Positions::default();
        };
        if let Some(config) = &mut self.config {
            clear(config.file, &mut config.positions);
        }
        for r in &mut self.controls {
            clear(r.file, &mut r.positions);
        }
        for r in &mut self.systems {
            clear(r.file, &mut r.positions);
        }
        for r in &mut self.risks {
            clear(r.file, &mut r.positions);
        }
        for r in &mut self.suppliers {
            clear(r.file, &mut r.positions);
        }
        for r in &mut self.objectives {
            clear(r.file, &mut r.positions);
        }
        for r in &mut self.audits {
            clear(r.file, &mut r.positions);
        }
        for r in &mut self.actions {
            clear(r.file, &mut r.positions);
        }
        for r in &mut self.parties {
            clear(r.file, &mut r.positions);
        }
        for r in &mut self.assessments {
            clear(r.file, &mut r.positions);
        }
        for catalog in &mut self.catalogs {
            if let Some((file, positions)) = &mut catalog.source {
                clear(*file, positions);
            }
        }
        for document in &mut self.documents {
            document.record.positions = yaml::Positions::default();
        }
        for file in records {
            self.sources.release_text(file);
        }
    }
}

/// Why a folder cannot be treated as a site at all (exit status 2).
#[derive(Debug)]
pub struct NotASite(pub String);

pub fn load(root: &Path, findings: &mut Vec<Finding>) -> Result<Site, NotASite> {
    load_cached(root, findings, &ParseCache::default())
}

/// `load`, reusing the parses in `cache` for files whose text has not changed.
/// Adds one read source to the site as its kind of record (a source that fails to load
/// leaves its findings and its id, so that references to it are not reported again).
fn add_source(
    source: Source,
    found: &files::Found,
    file: FileId,
    site: &mut Site,
    findings: &mut Vec<Finding>,
    cache: &ParseCache,
) {
    match source {
        Source::Config => {
            site.config = load_record(found, file, SiteConfig::REQUIRED, site, findings, cache);
        }
        Source::Document(kind) => {
            if let Some(document) = load_document(found, file, kind, site, findings, cache) {
                site.documents.push(document);
            }
        }
        Source::Control => {
            let required = ControlRecord::REQUIRED;
            if let Some(record) = load_record(found, file, required, site, findings, cache) {
                site.controls.push(record);
            }
        }
        Source::System => {
            let required = SystemRecord::REQUIRED;
            if let Some(record) = load_record(found, file, required, site, findings, cache) {
                site.systems.push(record);
            }
        }
        Source::Risk => {
            let required = RiskRecord::REQUIRED;
            if let Some(record) = load_record(found, file, required, site, findings, cache) {
                site.risks.push(record);
            }
        }
        Source::Supplier => {
            let required = SupplierRecord::REQUIRED;
            if let Some(record) = load_record(found, file, required, site, findings, cache) {
                site.suppliers.push(record);
            }
        }
        Source::Objective => {
            let required = aims::ObjectiveRecord::REQUIRED;
            if let Some(record) = load_record(found, file, required, site, findings, cache) {
                site.objectives.push(record);
            }
        }
        Source::Audit => {
            let required = aims::AuditRecord::REQUIRED;
            if let Some(record) = load_record(found, file, required, site, findings, cache) {
                site.audits.push(record);
            }
        }
        Source::Action => {
            let required = aims::ActionRecord::REQUIRED;
            if let Some(record) = load_record(found, file, required, site, findings, cache) {
                site.actions.push(record);
            }
        }
        Source::Party => {
            let required = aims::PartyRecord::REQUIRED;
            if let Some(record) = load_record(found, file, required, site, findings, cache) {
                site.parties.push(record);
            }
        }
        Source::Assessment => {
            let required = aims::AssessmentRecord::REQUIRED;
            if let Some(record) = load_record(found, file, required, site, findings, cache) {
                site.assessments.push(record);
            }
        }
        Source::Catalog if oscal::is_oscal(&site.sources.get(file).text) => {
            let required = oscal::OscalFile::REQUIRED;
            let loaded =
                load_record::<oscal::OscalFile>(found, file, required, site, findings, cache);
            if let Some(record) = loaded {
                let (catalog, positions) =
                    oscal::catalog_of(&record.data, &record.stem, &record.positions);
                site.catalogs.push(LoadedCatalog {
                    catalog,
                    source: Some((record.file, positions)),
                });
            }
        }
        Source::Catalog => {
            let loaded =
                load_record::<Catalog>(found, file, Catalog::REQUIRED, site, findings, cache);
            if let Some(record) = loaded {
                site.catalogs.push(LoadedCatalog {
                    catalog: std::sync::Arc::unwrap_or_clone(record.data),
                    source: Some((record.file, record.positions)),
                });
            }
        }
    }
}

/// Why `root` is no site, and where the site probably is: people run trustbook from inside
/// `content/`, or from a folder below it.
pub fn not_a_site(root: &Path) -> String {
    let shown = root.display();
    let real = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let below = real
        .ancestors()
        .take(4)
        .enumerate()
        .skip(1)
        .find(|(_, folder)| folder.join("content/site.yaml").is_file());
    let help = match below {
        Some((levels, _)) => format!(
            "this folder is inside a site: its root is {} up (the folder holding content/); run `trustbook` there, or pass `--root {}`",
            if levels == 1 { "one level".to_string() } else { format!("{levels} levels") },
            vec![".."; levels].join("/")
        ),
        None => "run trustbook in the site's folder (the one holding content/site.yaml), name it with --root DIR, or start one with `trustbook init`".to_string(),
    };
    format!("{shown} is not a trustbook site: there is no content/site.yaml in it\n  help: {help}")
}

pub fn load_cached(
    root: &Path,
    findings: &mut Vec<Finding>,
    cache: &ParseCache,
) -> Result<Site, NotASite> {
    cache.start();
    let content = root.join("content");
    let config_path = content.join("site.yaml");
    if !root.is_dir() {
        return Err(NotASite(format!("{} is not a folder", root.display())));
    }
    if !config_path.is_file() {
        return Err(NotASite(not_a_site(root)));
    }
    let mut site = Site {
        root: root.to_path_buf(),
        content: content.clone(),
        sources: Sources::default(),
        config: None,
        documents: Vec::new(),
        controls: Vec::new(),
        systems: Vec::new(),
        risks: Vec::new(),
        suppliers: Vec::new(),
        objectives: Vec::new(),
        audits: Vec::new(),
        actions: Vec::new(),
        parties: Vec::new(),
        assessments: Vec::new(),
        catalogs: vec![builtin_catalog()],
        unloaded_ids: HashSet::new(),
        unloaded_paths: HashSet::new(),
        history: crate::history::History::default(),
        approved_versions: crate::hash::HashMap::default(),
        file_hashes: crate::hash::HashMap::default(),
    };
    let real = files::resolve_inside(&config_path, &content)
        .map_err(|reason| NotASite(format!("content/site.yaml: {reason}")))?;
    let config = files::Found {
        shown: PathBuf::from("content/site.yaml"),
        real,
    };

    // Find every source first, then read and parse them all in parallel (parses land in
    // the cache), then assemble the site in order, so file ids and output are stable.
    let yaml = &["yaml", "yml"];
    // What `serve`'s watcher says is as the last load left it.
    let unchanged = cache.watched.begin(root);
    // Each folder's listing, shared with what `serve` keeps for the next load.
    let mut listed: Vec<(Source, std::sync::Arc<[files::Found]>, bool)> =
        vec![(Source::Config, std::sync::Arc::from([config]), false)];
    for (source, folder, extensions) in [
        (Source::Document(DocKind::Policy), "policies", &["md"][..]),
        (Source::Document(DocKind::Page), "pages", &["md"][..]),
        (Source::Control, "controls", yaml),
        (Source::System, "systems", yaml),
        (Source::Risk, "risks", yaml),
        (Source::Supplier, "suppliers", yaml),
        (Source::Objective, "objectives", yaml),
        (Source::Audit, "audits", yaml),
        (Source::Action, "actions", yaml),
        (Source::Party, "parties", yaml),
        (Source::Assessment, "assessments", yaml),
        (Source::Catalog, "catalogs", &["yaml", "yml", "json"][..]),
    ] {
        let kept = unchanged.as_ref().and_then(|u| u.listing(root, folder));
        let listing = kept.unwrap_or_else(|| {
            let mut findings = Vec::new();
            let (found, plain) = files::list(root, &content, folder, extensions, &mut findings);
            let listing = watched::Listing {
                found: found.into(),
                findings,
                plain,
            };
            cache.watched.listed(folder, &listing);
            listing
        });
        findings.extend(listing.findings);
        let files_unchanged =
            (unchanged.as_ref()).is_some_and(|u| u.files_in(folder, listing.plain));
        listed.push((source, listing.found, files_unchanged));
    }
    let jobs: Vec<(Source, &files::Found, bool)> = listed
        .iter()
        .flat_map(|(source, found, files_unchanged)| {
            found.iter().map(|found| {
                let unchanged =
                    *files_unchanged && unchanged.as_ref().is_some_and(|u| u.file(found));
                (*source, found, unchanged)
            })
        })
        .collect();
    let read: Vec<Result<reads::Read, Box<Finding>>> = jobs
        .par_iter()
        .map(|(source, found, unchanged)| {
            let read = match unchanged {
                true => cache.reads.read_unchanged(found)?,
                false => cache.reads.read(found)?,
            };
            if let Ok(text) = &read.text {
                source.parse((text, read.hash), cache);
            }
            Ok(read)
        })
        .collect();

    for ((source, found, _), read) in jobs.iter().zip(read) {
        if let Ok(read) = &read {
            site.file_hashes.insert(found.shown.clone(), read.file_hash);
        }
        if let Some(file) = files::add(found, read, &mut site.sources, findings) {
            add_source(*source, found, file, &mut site, findings, cache);
        }
    }
    drop(unchanged);
    cache.watched.complete();
    Ok(site)
}

/// What a source file holds, by the folder it is in.
#[derive(Clone, Copy)]
enum Source {
    Config,
    Document(DocKind),
    Control,
    System,
    Risk,
    Supplier,
    Objective,
    Audit,
    Action,
    Party,
    Assessment,
    Catalog,
}

impl Source {
    /// Parses `text` into the cache (a no-op when it is there already).
    fn parse(self, text: (&str, u64), cache: &ParseCache) {
        match self {
            Source::Config => drop(parse_record::<SiteConfig>(
                text,
                SiteConfig::REQUIRED,
                cache,
            )),
            Source::Document(_) => {
                drop(cache.get_or_parse("document", text, || parse_document(text.0)))
            }
            Source::Control => drop(parse_record::<ControlRecord>(
                text,
                ControlRecord::REQUIRED,
                cache,
            )),
            Source::System => drop(parse_record::<SystemRecord>(
                text,
                SystemRecord::REQUIRED,
                cache,
            )),
            Source::Risk => drop(parse_record::<RiskRecord>(
                text,
                RiskRecord::REQUIRED,
                cache,
            )),
            Source::Supplier => drop(parse_record::<SupplierRecord>(
                text,
                SupplierRecord::REQUIRED,
                cache,
            )),
            Source::Objective => drop(parse_record::<aims::ObjectiveRecord>(
                text,
                aims::ObjectiveRecord::REQUIRED,
                cache,
            )),
            Source::Audit => drop(parse_record::<aims::AuditRecord>(
                text,
                aims::AuditRecord::REQUIRED,
                cache,
            )),
            Source::Action => drop(parse_record::<aims::ActionRecord>(
                text,
                aims::ActionRecord::REQUIRED,
                cache,
            )),
            Source::Party => drop(parse_record::<aims::PartyRecord>(
                text,
                aims::PartyRecord::REQUIRED,
                cache,
            )),
            Source::Assessment => drop(parse_record::<aims::AssessmentRecord>(
                text,
                aims::AssessmentRecord::REQUIRED,
                cache,
            )),
            Source::Catalog if oscal::is_oscal(text.0) => drop(parse_record::<oscal::OscalFile>(
                text,
                oscal::OscalFile::REQUIRED,
                cache,
            )),
            Source::Catalog => drop(parse_record::<Catalog>(text, Catalog::REQUIRED, cache)),
        }
    }
}

/// The parse of one record's text, with its findings (about `CACHED_FILE`), from the cache.
#[allow(clippy::type_complexity)] // a pair, named where it is used
fn parse_record<T: DeserializeOwned + Clone + Send + Sync + 'static>(
    text: (&str, u64),
    required: &[&str],
    cache: &ParseCache,
) -> std::sync::Arc<(yaml::Parsed<std::sync::Arc<T>>, Vec<Finding>)> {
    cache.get_or_parse(std::any::type_name::<T>(), text, || {
        parse_record_now(text.0, required)
    })
}

fn parse_record_now<T: DeserializeOwned>(
    text: &str,
    required: &[&str],
) -> (yaml::Parsed<std::sync::Arc<T>>, Vec<Finding>) {
    let mut found = Vec::new();
    let parsed = parse_yaml_record(text, required, &mut found);
    (shared(parsed), found)
}

fn parse_yaml_record<T: DeserializeOwned>(
    text: &str,
    required: &[&str],
    found: &mut Vec<Finding>,
) -> yaml::Parsed<T> {
    let origin = Origin {
        file: CACHED_FILE,
        base: 0,
        text,
    };
    yaml::parse::<T>(&origin, required, found)
}

/// One record's text parsed as `load` parses a source of its kind, as the source `file`:
/// its value when it deserialized, its positions and its findings.
pub fn parse_one<T: DeserializeOwned>(
    text: &str,
    required: &[&str],
    file: FileId,
) -> (Option<std::sync::Arc<T>>, Positions, Vec<Finding>) {
    let (parsed, found) = parse_record_now::<T>(text, required);
    let found = cache::for_file(&found, file).collect();
    (parsed.data, parsed.positions, found)
}

/// A parse whose value is shared (`Record::data`).
fn shared<T>(parsed: yaml::Parsed<T>) -> yaml::Parsed<std::sync::Arc<T>> {
    yaml::Parsed {
        data: parsed.data.map(std::sync::Arc::new),
        positions: parsed.positions,
        raw_id: parsed.raw_id,
    }
}

/// Every record's id with the file it came from.
pub fn each_record_file(site: &Site) -> impl Iterator<Item = (&str, FileId)> {
    let documents = site
        .documents
        .iter()
        .map(|d| &d.record)
        .map(|r| (r.data.id.as_str(), r.file));
    let controls = site.controls.iter().map(|r| (r.data.id.as_str(), r.file));
    let systems = site.systems.iter().map(|r| (r.data.id.as_str(), r.file));
    let risks = site.risks.iter().map(|r| (r.data.id.as_str(), r.file));
    let suppliers = site.suppliers.iter().map(|r| (r.data.id.as_str(), r.file));
    let objectives = site.objectives.iter().map(|r| (r.data.id.as_str(), r.file));
    let audits = site.audits.iter().map(|r| (r.data.id.as_str(), r.file));
    let actions = site.actions.iter().map(|r| (r.data.id.as_str(), r.file));
    let parties = site.parties.iter().map(|r| (r.data.id.as_str(), r.file));
    let assessments = site
        .assessments
        .iter()
        .map(|r| (r.data.id.as_str(), r.file));
    (documents.chain(controls).chain(systems))
        .chain(risks)
        .chain(suppliers)
        .chain(objectives)
        .chain(audits)
        .chain(actions)
        .chain(parties)
        .chain(assessments)
}

/// The built-in ISO/IEC 42001 Annex A catalogue: parsed once per process (`serve` loads
/// the site on every save).
pub fn builtin_catalog() -> LoadedCatalog {
    static PARSED: std::sync::OnceLock<Catalog> = std::sync::OnceLock::new();
    let catalog = PARSED.get_or_init(|| {
        let mut findings = Vec::new();
        let origin = Origin {
            file: usize::MAX,
            base: 0,
            text: BUILTIN_CATALOG,
        };
        let parsed = yaml::parse::<Catalog>(&origin, Catalog::REQUIRED, &mut findings);
        (parsed.data).expect("the built-in catalogue is valid (tested)")
    });
    LoadedCatalog {
        catalog: catalog.clone(),
        source: None,
    }
}

fn stem(found: &files::Found) -> String {
    found
        .shown
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn load_record<T: DeserializeOwned + Clone + Send + Sync + 'static>(
    found: &files::Found,
    file: FileId,
    required: &[&str],
    site: &mut Site,
    findings: &mut Vec<Finding>,
    cache: &ParseCache,
) -> Option<Record<T>> {
    let source = site.sources.get(file);
    let text = (source.text.as_str(), source.hash());
    let (parsed, cached_findings) =
        cache::owned(cache.take_or_parse(std::any::type_name::<T>(), text, || {
            parse_record_now(text.0, required)
        }));
    findings.extend(cache::for_file(&cached_findings, file));
    let Some(data) = parsed.data else {
        site.unloaded_ids.extend(parsed.raw_id);
        site.unloaded_paths.insert(found.shown.clone());
        return None;
    };
    Some(Record {
        file,
        stem: stem(found),
        data,
        positions: parsed.positions,
    })
}

/// A Markdown source as parsed, before it knows its file id.
#[derive(Clone)]
struct ParsedDocument {
    /// The front matter's parse, the body's offset and outline; `None` when the front
    /// matter could not be split off.
    parts: Option<(
        yaml::Parsed<std::sync::Arc<DocumentMeta>>,
        usize,
        std::sync::Arc<Outline>,
    )>,
    /// The `id:` line, for a document whose front matter did not parse.
    id_line: Option<String>,
    findings: Vec<Finding>,
}

/// `version: 1.10` is a number to YAML (1.1), but the author means the text they typed:
/// versions keep their source text, quoted or not.
fn versions_as_written(text: &str, positions: &yaml::Positions, meta: &mut DocumentMeta) {
    let as_written = |path: &str| -> Option<Text> {
        let raw = text.get(positions.exact(path)?)?.trim();
        let plain = !raw.is_empty() && !raw.starts_with(['"', '\'', '|', '>', '&', '*', '!']);
        plain.then(|| Text(raw.to_string()))
    };
    if let (Some(_), Some(version)) = (&meta.version, as_written("version")) {
        meta.version = Some(version);
    }
    for (i, revision) in meta.revisions.iter_mut().enumerate() {
        if let Some(version) = as_written(&format!("revisions.{i}.version")) {
            revision.version = version;
        }
    }
}

fn parse_document(text: &str) -> ParsedDocument {
    let mut findings = Vec::new();
    let id_line = yaml::id_by_line(text);
    let split = match front_matter::split(text) {
        Ok(split) => split,
        Err(err) => {
            findings.push(
                Finding::new(Code::FrontMatter, err.message)
                    .at(At {
                        file: CACHED_FILE,
                        span: err.span,
                    })
                    .help(err.help),
            );
            return ParsedDocument {
                parts: None,
                id_line,
                findings,
            };
        }
    };
    let origin = Origin {
        file: CACHED_FILE,
        base: split.yaml_start,
        text: split.yaml,
    };
    let mut parsed = yaml::parse::<DocumentMeta>(&origin, DocumentMeta::REQUIRED, &mut findings);
    if let Some(meta) = parsed.data.as_mut() {
        versions_as_written(text, &parsed.positions, meta);
    }
    let outline = outline::outline(split.body);
    ParsedDocument {
        parts: Some((shared(parsed), split.body_start, outline.into())),
        id_line,
        findings,
    }
}

/// A document as an earlier commit had it (`publish: approved`), added to the site's sources
/// under `label` so that findings can point into it. `None` when it does not load.
pub fn earlier_document(
    site: &mut Site,
    kind: DocKind,
    stem: String,
    label: PathBuf,
    text: String,
) -> Option<(Document, Vec<Finding>)> {
    let parsed = parse_document(&text);
    let file = site.sources.add_earlier_version(label, text);
    let findings: Vec<Finding> = cache::for_file(&parsed.findings, file).collect();
    let (
        yaml::Parsed {
            data, positions, ..
        },
        body_start,
        outline,
    ) = parsed.parts?;
    let document = Document {
        kind,
        body_start,
        outline,
        decision: Default::default(),
        record: Record {
            file,
            stem,
            data: data?,
            positions,
        },
    };
    Some((document, findings))
}

/// A YAML record given as bytes (a file as an earlier commit had it), read as `load` reads
/// it; `None` when it does not load.
pub fn record_of<T: DeserializeOwned>(bytes: &[u8], required: &[&str]) -> Option<T> {
    let bytes = files::normalised(bytes.to_vec());
    let text = std::str::from_utf8(&bytes).ok()?;
    parse_yaml_record::<T>(text, required, &mut Vec::new()).data
}

/// The front matter of a Markdown source given as bytes (a file as an earlier commit had
/// it), read as `load` reads it; `None` when it does not load.
pub fn document_meta(bytes: &[u8]) -> Option<DocumentMeta> {
    Some(front_matter_of(bytes)?.0)
}

/// The front matter and body of a Markdown source given as bytes, without the body's
/// outline (which needs a Markdown parse).
pub fn front_matter_of(bytes: &[u8]) -> Option<(DocumentMeta, String)> {
    let bytes = files::normalised(bytes.to_vec());
    let text = std::str::from_utf8(&bytes).ok()?;
    let split = front_matter::split(text).ok()?;
    let origin = Origin {
        file: CACHED_FILE,
        base: split.yaml_start,
        text: split.yaml,
    };
    let mut ignored = Vec::new();
    let mut parsed = yaml::parse::<DocumentMeta>(&origin, DocumentMeta::REQUIRED, &mut ignored);
    let mut meta = parsed.data.take()?;
    versions_as_written(text, &parsed.positions, &mut meta);
    Some((meta, split.body.to_string()))
}

fn load_document(
    found: &files::Found,
    file: FileId,
    kind: DocKind,
    site: &mut Site,
    findings: &mut Vec<Finding>,
    cache: &ParseCache,
) -> Option<Document> {
    let source = site.sources.get(file);
    let text = (source.text.as_str(), source.hash());
    let parsed = cache::owned(cache.take_or_parse("document", text, || parse_document(text.0)));
    findings.extend(cache::for_file(&parsed.findings, file));
    let (meta, positions, body_start, outline) = match parsed.parts {
        Some((
            yaml::Parsed {
                data: Some(data),
                positions,
                ..
            },
            body_start,
            outline,
        )) => (data, positions, body_start, outline),
        parts => {
            let raw_id = parts.and_then(|(meta, ..)| meta.raw_id);
            site.unloaded_ids.extend(raw_id.or(parsed.id_line));
            site.unloaded_paths.insert(found.shown.clone());
            return None;
        }
    };
    Some(Document {
        kind,
        body_start,
        outline,
        decision: Default::default(),
        record: Record {
            file,
            stem: stem(found),
            data: meta,
            positions,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_catalogue_has_the_38_annex_a_controls() {
        let catalog = builtin_catalog().catalog;
        assert_eq!(catalog.framework, "iso42001");
        assert_eq!(catalog.controls.len(), 38);
        assert_eq!(catalog.objectives.len(), 11);
    }
}
