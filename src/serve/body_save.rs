//! A save that changes the body of one Markdown document and nothing else, answered
//! without building the site again: most saves while writing a policy are such saves.
//!
//! A good build keeps the site as loaded, its models (which borrow it), what `check` found
//! and the files served. A save whose front matter is unchanged, whose links lead where
//! they led, whose HTML names the same files, and whose changed headings no link names
//! changes only that document's pages, its findings of the rules that read a body, and the
//! search indexes. Those are made again from the kept models, given the saved body; the
//! rest is served as it was.
//! Anything else (another file, a theme, a changed link, a file git would now see as
//! committed when it was not, or the reverse, a new error) is answered by a full build.
//! `tests/incremental.rs` holds the two to the same bytes after random sequences of saves.

use super::state::Files;
use crate::build::{self, Models, Reuse};
use crate::check::BodyRules;
use crate::finding::{Finding, Severity};
use crate::hash::HashMapExt;
use crate::hash::{HashMap, HashSet};
use crate::kind::Kind;
use crate::links::{Resolver, Target, percent_decode};
use crate::load::date::Date;
use crate::load::outline::{Outline, outline};
use crate::load::records::{RiskRecord, SystemRecord};
use crate::load::yaml::Positions;
use crate::load::{Document, Record, Site, files, front_matter};
use crate::model::BodyText;
use crate::render::output::{Bytes, Memory, Prefixed};
use crate::render::{ModelHashes, body_assets, files as site_files};
use crate::sources::{FileId, Sources, hash_text};
use crate::write::unchanged::GitState;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

self_cell::self_cell!(
    /// A loaded site and what is built from it.
    pub struct Cell {
        owner: Site,
        #[covariant]
        dependent: Derived,
    }
);

/// What is built from a kept site: its models, and (once a save needs it) what resolves
/// its links.
pub struct Derived<'a> {
    models: Models<'a>,
    resolver: Option<Resolver<'a>>,
}

impl<'a> Derived<'a> {
    pub fn new(models: Models<'a>) -> Self {
        Derived {
            models,
            resolver: None,
        }
    }

    pub fn models(&self) -> &Models<'a> {
        &self.models
    }
}

/// What a good build leaves for the saves after it.
pub struct Kept {
    pub(super) cell: Cell,
    rules: BodyRules,
    /// Every finding of the site as it is now (warnings only: it built).
    pub findings: Vec<Finding>,
    today: Date,
    /// What git was read from, and the clock's day (which judges commit dates), as the
    /// build began: a save made after either changed is built in full.
    read_from: (Option<GitState>, chrono::NaiveDate),
    pub(super) hashes: (Option<u64>, Option<u64>),
    pub(super) files: Arc<Files>,
    /// Where each element of the two search indexes is (the handbook's, the preview's),
    /// found at the first save that needs it.
    pub(super) search: [Option<Vec<Range<usize>>>; 2],
    /// Documents by their source's path.
    documents: HashMap<PathBuf, usize>,
    /// Records of the kinds whose page-local fields a save may change alone, by their
    /// source's path: their kind and their index in its list (with the built-in
    /// templates, `record_save`).
    records: HashMap<PathBuf, (Kind, usize)>,
    /// Records saved since the build, by file: the site still holds them as loaded.
    pub(super) saved_records: HashMap<FileId, SavedRecord>,
    /// Bodies saved since the build, by index into `site.documents`: the site still
    /// holds the text it was loaded with.
    saved: HashMap<usize, Saved>,
}

struct Saved {
    text: Arc<String>,
    hash: u64,
    outline: Arc<Outline>,
}

/// A record as saved since the build.
pub(super) struct SavedRecord {
    pub text: Arc<String>,
    pub hash: u64,
    /// Of its kind (`record_save::LocalRecord`).
    pub record: Arc<dyn std::any::Any + Send + Sync>,
    pub positions: Positions,
}

/// The one source a save changed, by index into its list of the site, with its path.
enum Changed {
    Document(usize, PathBuf),
    Record(Kind, usize, PathBuf),
}

/// What a save served.
pub struct Served {
    pub files: Arc<Files>,
    pub findings: Vec<Finding>,
    /// The findings' sources, as saved.
    pub sources: Sources,
    pub path: PathBuf,
    /// What alone changed in it, in words (`its body alone changed`).
    pub what: &'static str,
}

/// A saved body, checked to change nothing but what `Kept::apply` makes again.
struct BodySave {
    at: usize,
    /// The document's place in the public model, when it is public.
    public_at: Option<usize>,
    text: Arc<String>,
    hash: u64,
    outline: Arc<Outline>,
    /// The public text and its outline, when public.
    public_text: Option<(crate::model::BodyText, Arc<Outline>)>,
    findings: Vec<Finding>,
}

/// What git is read from (with git: `None` when it cannot be known), and the clock's day.
pub fn read_from(root: &Path, use_git: bool) -> Option<(Option<GitState>, chrono::NaiveDate)> {
    let git = match use_git {
        true => Some(GitState::now(root)?),
        false => None,
    };
    Some((git, chrono::Utc::now().date_naive()))
}

/// Whether a site may be kept. Not when it publishes documents as approved (`publish:
/// approved`): whether a document's approved text or its file is published depends on
/// the file's text, which a save changes.
pub fn keepable(site: &Site) -> bool {
    let approved_only = (site.config.as_ref())
        .is_some_and(|c| c.data.public.publish == crate::load::records::PublishFrom::Approved);
    site.approved_versions.is_empty() && !approved_only
}

impl Kept {
    pub fn new(
        cell: Cell,
        rules: BodyRules,
        findings: Vec<Finding>,
        (today, read_from): (Date, (Option<GitState>, chrono::NaiveDate)),
        hashes: &ModelHashes,
        files: Arc<Files>,
    ) -> Kept {
        let site = cell.borrow_owner();
        let documents = (site.documents.iter().enumerate())
            .map(|(i, d)| (site.sources.path(d.record.file).to_path_buf(), i))
            .collect();
        let built_in = build::theme(site).is_ok_and(|theme| theme.templates_built_in());
        let path = |file| site.sources.path(file).to_path_buf();
        let risks = (site.risks.iter().enumerate()).map(|(i, r)| (path(r.file), (Kind::Risk, i)));
        let systems =
            (site.systems.iter().enumerate()).map(|(i, s)| (path(s.file), (Kind::System, i)));
        let records = match built_in {
            true => risks.chain(systems).collect(),
            false => HashMap::new(),
        };
        let hash = |lock: &std::sync::OnceLock<Option<u64>>| lock.get().copied().flatten();
        Kept {
            rules,
            findings,
            today,
            read_from,
            hashes: (hash(&hashes.internal), hash(&hashes.public)),
            files,
            search: [None, None],
            documents,
            records,
            saved: HashMap::new(),
            saved_records: HashMap::new(),
            cell,
        }
    }

    /// The kept site, its models dropped: for the full build that replaces it, which
    /// reuses its history.
    pub fn into_site(self) -> Site {
        self.cell.into_owner()
    }

    /// Answers a save (the batch of paths, relative to `root`, that changed) if it
    /// changed one document's body and nothing else, or one record's page-local fields
    /// (`record_save`); `None`: build the site again.
    pub fn save(&mut self, root: &Path, batch: &[PathBuf], reuse: &Reuse) -> Option<Served> {
        if crate::load::date::today().ok()? != self.today || self.hashes.0.is_none() {
            return None;
        }
        if read_from(root, self.read_from.0.is_some())? != self.read_from {
            return None;
        }
        let (at, path) = match self.the_source(root, batch)? {
            Changed::Document(at, path) => (at, path),
            Changed::Record(Kind::Risk, at, path) => {
                return self.record_save::<RiskRecord>(root, (at, path), reuse);
            }
            Changed::Record(Kind::System, at, path) => {
                return self.record_save::<SystemRecord>(root, (at, path), reuse);
            }
            Changed::Record(..) => return None,
        };
        let text = Arc::new(read(root, &path)?);
        if !self.same_in_git(root, &path, &text) {
            return None;
        }
        self.cell.with_dependent_mut(|site, derived| {
            derived.resolver.get_or_insert_with(|| Resolver::new(site));
        });
        let save = self.body_save(at, text, reuse)?;
        let findings = self.apply(save, reuse)?;
        Some(Served {
            files: self.files.clone(),
            sources: self.sources(),
            findings,
            path,
            what: "its body alone changed",
        })
    }

    /// Whether git says of the file at `path`, saved as `text`, what it said (committed
    /// or not): the pages of every record show it, and approvals follow from it. (HEAD
    /// and the object store are as they were: `read_from`.)
    pub(super) fn same_in_git(&self, root: &Path, path: &Path, text: &str) -> bool {
        let history = &self.cell.borrow_owner().history;
        history.is_empty()
            || history.would_be_uncommitted(root, path, text) == Some(history.is_uncommitted(path))
    }

    /// Whether `text`, saved to `site.documents[at]`, changes its body alone, and the
    /// findings of the site if so.
    fn body_save(&self, at: usize, text: Arc<String>, reuse: &Reuse) -> Option<BodySave> {
        let site = self.cell.borrow_owner();
        let Derived { models, resolver } = self.cell.borrow_dependent();
        let resolver = resolver.as_ref()?;
        let document = &site.documents[at];
        let hash = hash_text(&text);
        let (old_text, old_hash, old_outline) = match self.saved.get(&at) {
            Some(saved) => (saved.text.clone(), saved.hash, saved.outline.clone()),
            None => {
                let source = site.sources.get(document.record.file);
                (source.text.clone(), source.hash(), document.outline.clone())
            }
        };
        let start = document.body_start;
        let same_front_matter = text.get(..start) == old_text.get(..start)
            && front_matter::split(&text).is_ok_and(|split| split.body_start == start);
        if !same_front_matter {
            return None;
        }
        let outline = Arc::new(outline(&text[start..]));
        if !same_links(&old_outline, &outline) {
            return None;
        }
        let internal = models.internal.as_ref()?;
        let url = &(internal.documents.get(at))
            .filter(|d| d.file == document.record.file)?
            .url;
        let public_at = models.public.documents.iter().position(|d| &d.url == url);
        if shown_public(document) != public_at.is_some() {
            return None;
        }
        // The handbook copies the files a body's HTML names (raw HTML too), which the
        // outline's links do not all show.
        let urls = (resolver, &internal.urls);
        let file = document.record.file;
        let assets = |body: &str| body_assets(body, file, urls, &reuse.highlighter);
        if assets(&old_text[start..]) != assets(&text[start..]) {
            return None;
        }
        let public_text =
            public_at.map(|_| crate::model::public::public_text(&text, start, &outline));
        let mut changed_anchors = changed(&old_outline.anchors, &outline.anchors);
        changed_anchors.extend(changed(
            &old_outline.internal_anchors,
            &outline.internal_anchors,
        ));
        if let (Some(k), Some((_, public_outline))) = (public_at, &public_text) {
            let body = &models.public.documents[k].body;
            // The public links are decided as they were only if they are the same links.
            let keys: HashSet<String> = (public_outline.links.iter())
                .filter(|l| !crate::links::is_external(&l.dest))
                .map(|l| percent_decode(&l.dest))
                .collect();
            if keys.len() != body.links.len() || !body.links.keys().all(|k| keys.contains(k)) {
                return None;
            }
            let kept: HashSet<String> = body.anchors.iter().cloned().collect();
            changed_anchors.extend(changed(&kept, &public_outline.anchors));
        }
        // Each document's outline as it is now, this one's as saved.
        let outline_now = |i: usize| -> &Outline {
            if i == at {
                &outline
            } else {
                (self.saved.get(&i)).map_or(&site.documents[i].outline, |s| &s.outline)
            }
        };
        // A link elsewhere (or here) to a heading that came or went: its finding and its
        // public target change too.
        let id = document.record.data.id.as_str();
        if links_name(id, &changed_anchors, (site, resolver), &outline_now) {
            return None;
        }
        // The findings of the rules that read this body, before and after.
        let before = {
            let old = as_document(document, old_outline.clone());
            let outline_then = |i: usize| -> &Outline {
                if i == at {
                    &old_outline
                } else {
                    outline_now(i)
                }
            };
            let old_text = (old_text.as_str(), old_hash);
            (self.rules).findings((site, resolver), &old, old_text, &outline_then)
        };
        let after = {
            let new = as_document(document, outline.clone());
            (self.rules).findings((site, resolver), &new, (&text, hash), &outline_now)
        };
        if after.iter().any(|f| f.severity == Severity::Error) {
            return None;
        }
        let mut findings = self.findings.clone();
        for finding in &before {
            let found = findings.iter().position(|f| same_finding(f, finding))?;
            findings.remove(found);
        }
        findings.extend(after);
        Some(BodySave {
            at,
            public_at,
            text,
            hash,
            outline,
            public_text,
            findings,
        })
    }

    /// Gives the models the saved body, and makes again what it changes: its handbook
    /// page, its preview page (when public) and its elements of the search indexes.
    /// Returns the site's findings.
    fn apply(&mut self, save: BodySave, reuse: &Reuse) -> Option<Vec<Finding>> {
        let (at, public_at, hash) = (save.at, save.public_at, save.hash);
        let start = self.cell.borrow_owner().documents[at].body_start;
        let body = BodyText::new(save.text.clone(), start);
        self.cell.with_dependent_mut(|_, derived| {
            if let Some(internal) = derived.models.internal.as_mut() {
                internal.documents[at].body = body;
                internal.documents[at].source_hash = hash;
            }
            if let (Some(k), Some((markdown, public_outline))) = (public_at, save.public_text) {
                let public_body = &mut derived.models.public.documents[k].body;
                public_body.hash = hash_text(markdown.as_str());
                public_body.markdown = markdown;
                public_body.anchors = public_outline.anchors.iter().cloned().collect();
            }
        });
        let made = self.render(at, public_at, reuse)?;
        let files = Arc::make_mut(&mut self.files);
        for (path, bytes) in made {
            files.insert(path, bytes);
        }
        let saved = Saved {
            text: save.text,
            hash,
            outline: save.outline,
        };
        self.saved.insert(at, saved);
        self.findings = save.findings.clone();
        Some(save.findings)
    }

    /// The document's pages and the search indexes with its new elements.
    fn render(
        &mut self,
        at: usize,
        public_at: Option<usize>,
        reuse: &Reuse,
    ) -> Option<Vec<(String, Bytes)>> {
        let site = self.cell.borrow_owner();
        let Derived { models, resolver } = self.cell.borrow_dependent();
        let (internal, resolver) = (models.internal.as_ref()?, resolver.as_ref()?);
        let theme = build::theme(site).ok()?;
        let hashes = ModelHashes::default();
        let _ = hashes.internal.set(self.hashes.0);
        let _ = hashes.public.set(self.hashes.1);
        let renderer = build::renderer(&theme, reuse, &hashes);
        // No memo starts a generation here: one save uses a few of the entries the next
        // build will want.
        let words = reuse.search_words.as_ref();
        let memory = Memory::new(None);
        renderer
            .internal_document(internal, at, resolver, &memory)
            .ok()?;
        let mut made = Vec::new();
        let entry = site_files::internal_search_entry(internal, at, words);
        made.push(splice(&self.files, &mut self.search[0], "", at, &entry)?);
        if let Some(k) = public_at {
            let preview = Prefixed {
                inner: &memory,
                prefix: "preview/",
            };
            renderer
                .preview_document(&models.public, k, &preview)
                .ok()?;
            let entry = site_files::public_search_entry(&models.public, k, words);
            made.push(splice(
                &self.files,
                &mut self.search[1],
                "preview/",
                k,
                &entry,
            )?);
        }
        made.extend(memory.into_files());
        Some(made)
    }

    /// The one document or record a batch changed; `None` if it changed anything else. A
    /// path that is gone and never was a source (nor a folder of one) is an editor's
    /// temporary file.
    fn the_source(&self, root: &Path, batch: &[PathBuf]) -> Option<Changed> {
        let known = |path: &PathBuf| -> Option<Changed> {
            match (self.documents.get(path), self.records.get(path)) {
                (Some(&at), _) => Some(Changed::Document(at, path.clone())),
                (_, Some(&(kind, at))) => Some(Changed::Record(kind, at, path.clone())),
                _ => None,
            }
        };
        let mut saved: Option<&PathBuf> = None;
        for path in batch.iter().filter(|path| known(path).is_some()) {
            if saved.is_some_and(|other| other != path) {
                return None;
            }
            saved = Some(path);
        }
        let found = known(saved?)?;
        let saved = saved?;
        for path in batch.iter().filter(|path| known(path).is_none()) {
            // `serve --poll` reports the folder of a file an editor replaced beside the
            // file: its listing is as it was, or the poller would report the file added
            // or removed too. Any other folder (one made or moved in, whose files are not
            // reported one by one) builds in full.
            let meta = root.join(path).symlink_metadata();
            if meta.as_ref().is_ok_and(|m| m.is_dir()) && saved.starts_with(path) {
                continue;
            }
            // Else only a file gone from the saved file's folder that the build did not
            // know of (an editor's or `sed -i`'s temporary file) leaves the site as it was.
            if meta.is_ok() || saved.parent() != path.parent() || self.knew_of(path) {
                return None;
            }
        }
        Some(found)
    }

    /// Whether the kept build read, named or reported anything at or under `path`: a
    /// source, one that did not load, a file a record names (evidence, a report), or a
    /// folder a finding is about (a subfolder that is not read).
    fn knew_of(&self, path: &Path) -> bool {
        let site = self.cell.borrow_owner();
        let content = Path::new("content");
        (site.sources.iter()).any(|s| s.path.starts_with(path))
            || (site.unloaded_paths.iter()).any(|p| p.starts_with(path))
            || (crate::publish::internal_record_files(site).iter())
                .any(|file| content.join(file).starts_with(path))
            || (self.findings.iter()).any(|f| f.path.as_ref().is_some_and(|p| p.starts_with(path)))
    }

    /// The sources as they are now, for showing findings: the kept ones with the saved
    /// bodies and records.
    pub fn sources(&self) -> Sources {
        let site = self.cell.borrow_owner();
        let mut saved: HashMap<FileId, (&Arc<String>, u64)> = (self.saved.iter())
            .map(|(&at, saved)| (site.documents[at].record.file, (&saved.text, saved.hash)))
            .collect();
        saved.extend((self.saved_records.iter()).map(|(&file, s)| (file, (&s.text, s.hash))));
        let mut sources = Sources::default();
        for (file, source) in site.sources.iter().enumerate() {
            match saved.get(&file) {
                Some((text, hash)) => {
                    sources.add_hashed(source.path.clone(), Arc::clone(text), *hash)
                }
                None => sources.add_hashed(source.path.clone(), source.text.clone(), source.hash()),
            };
        }
        sources
    }
}

/// The search index under `folder` in `files`, with its `at`th element made `entry`;
/// `entries` is where its elements are (found now if not known).
pub(super) fn splice(
    files: &Files,
    entries: &mut Option<Vec<Range<usize>>>,
    folder: &str,
    at: usize,
    entry: &str,
) -> Option<(String, Bytes)> {
    let path = format!("{folder}{}", site_files::SEARCH_INDEX);
    let index = files.get(&path)?;
    if entries.is_none() {
        *entries = site_files::search_entries(index);
    }
    let entries = entries.as_mut()?;
    if at >= entries.len() {
        return None;
    }
    let spliced = site_files::splice_search_entry(index, entries, at, entry);
    Some((path, Arc::new(spliced)))
}

/// Whether a link of any document (by `outline_of`, by index) or of a control's
/// implementation names one of `anchors` of the record `id`.
fn links_name<'a>(
    id: &str,
    anchors: &HashSet<String>,
    (site, resolver): (&Site, &Resolver),
    outline_of: &dyn Fn(usize) -> &'a Outline,
) -> bool {
    if anchors.is_empty() {
        return false;
    }
    // Resolving is the cost: only links whose anchor is one of them are resolved.
    let names_one = |dest: &str| {
        dest.split_once('#')
            .is_some_and(|(_, anchor)| anchors.contains(&percent_decode(anchor)))
    };
    let names_it = |file, dest: &str| {
        names_one(dest)
            && resolver.resolve(file, dest).is_ok_and(|resolved| {
                resolved
                    .is_some_and(|r| r.target == Target::Record(id) && anchors.contains(&r.anchor))
            })
    };
    let from_bodies = (site.documents.iter().enumerate()).any(|(i, document)| {
        (outline_of(i).links.iter()).any(|link| names_it(document.record.file, &link.dest))
    });
    // Controls' implementations are Markdown whose links `check` reads too.
    from_bodies
        || (site.controls.iter()).any(|control| {
            let Some(text) = control.data.implementation.as_deref() else {
                return false;
            };
            (outline(text).links.iter()).any(|link| names_it(control.file, &link.dest))
        })
}

/// The file at `path` as `load` reads a source; `None` when `load` would refuse it or
/// when it is not a plain file (a link, or a file with another name too: a save through
/// the other name would raise no event here).
pub(super) fn read(root: &Path, path: &Path) -> Option<String> {
    let real = root.join(path);
    let metadata = real.symlink_metadata().ok()?;
    if !metadata.file_type().is_file() {
        return None;
    }
    #[cfg(unix)]
    if std::os::unix::fs::MetadataExt::nlink(&metadata) != 1 {
        return None;
    }
    let found = files::Found {
        shown: path.to_path_buf(),
        real,
    };
    let bytes = files::normalised(files::read_bytes(&found).ok()?);
    String::from_utf8(bytes).ok()
}

/// The same links, in the same order, wherever they now are in the text.
fn same_links(old: &Outline, new: &Outline) -> bool {
    let link = |l: &crate::load::outline::Link| (l.dest.clone(), l.in_internal_block, l.image);
    old.links.len() == new.links.len() && old.links.iter().map(link).eq(new.links.iter().map(link))
}

/// What is in one set and not the other.
fn changed(old: &HashSet<String>, new: &HashSet<String>) -> HashSet<String> {
    old.symmetric_difference(new).cloned().collect()
}

fn shown_public(document: &Document) -> bool {
    crate::publish::document(document).shown == crate::load::records::Visibility::Public
}

/// `document` with another outline, for the rules on its body.
fn as_document(document: &Document, outline: Arc<Outline>) -> Document {
    let record = &document.record;
    Document {
        kind: document.kind,
        body_start: document.body_start,
        outline,
        decision: Default::default(),
        record: Record {
            file: record.file,
            stem: record.stem.clone(),
            data: record.data.clone(),
            positions: record.positions.clone(),
        },
    }
}

pub(super) fn same_finding(a: &Finding, b: &Finding) -> bool {
    a.severity == b.severity
        && a.code == b.code
        && a.message == b.message
        && a.at == b.at
        && a.path == b.path
        && a.label == b.label
        && a.help == b.help
        && a.notes == b.notes
}
