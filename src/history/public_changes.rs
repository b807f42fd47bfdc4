//! When what the public site shows of an item last changed. A commit that changed only an
//! item's internal fields, internal blocks or comments is not a change of its public page:
//! its date is neither shown as "Last changed" nor announced in the feed, so the public
//! site does not tell when something internal changed.
//!
//! Each version of a published source is reduced to a fingerprint of its public face (the
//! fields the public model copies, and the body without internal blocks and comments); a
//! commit is a public change when its fingerprint differs from the version before it.

use super::{History, Version};
use crate::hash::HashMap;
use crate::hash::HashMapExt;
use crate::load::Site;
use crate::load::records::{ControlRecord, RiskRecord, SupplierRecord, SystemRecord, Visibility};
use crate::publish;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
enum Face {
    Policy,
    Page,
    Control,
    System,
    Risk,
    Supplier,
}

fn hash(value: &impl Serialize) -> Option<u64> {
    let json = serde_json::to_vec(value).ok()?;
    Some(xxhash_rust::xxh3::xxh3_64(&json))
}

/// A body with runs of blank lines made one and trailing spaces dropped: what removing an
/// internal block or a comment leaves behind (the blank lines around it) shows nothing.
fn blank_lines_collapsed(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut blank = true;
    for line in body.lines().map(str::trim_end) {
        if line.is_empty() {
            if !blank {
                out.push('\n');
            }
            blank = true;
        } else {
            out.push_str(line);
            out.push('\n');
            blank = false;
        }
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

/// The fingerprint of what the public site shows of one version of a source.
fn fingerprint(face: Face, bytes: &[u8]) -> Option<Print> {
    Some(fingerprint_marked(face, bytes)?.0)
}

/// One version's public face, and for a document with an approval date, its approval
/// stamp (`approval::stamp`, hashed): under `publish: approved` a version is shown with
/// the text of the version that set its stamp, so versions that did not set it again
/// change nothing public.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
struct Print {
    face: u64,
    stamp: Option<u64>,
    /// Its id, hashed: which item the version is.
    id: u64,
}

impl Print {
    const DELETED: Print = Print {
        face: NOT_SHOWN,
        stamp: None,
        id: 0,
    };
    /// A version that does not load: no build made a public site of it, so it is no
    /// public change, and says nothing of which item the file held.
    const NOT_LOADED: Print = Print {
        face: u64::MAX,
        stamp: None,
        id: u64::MAX,
    };
}

/// The fingerprint of a version the public site would not show as a page (marked
/// internal or restricted, a draft, a text still saying TODO): its edits are no public
/// change, and the version after it that it would show was the item's publication.
const NOT_SHOWN: u64 = 0;

/// The fingerprint of a version, and whether it is marked internal: a document whose
/// `visibility` says so (or does not say, the default). Other faces are not told apart.
fn fingerprint_marked(face: Face, bytes: &[u8]) -> Option<(Print, bool)> {
    let (print, shown, marked, stamp, id) = fingerprint_of(face, bytes)?;
    let print = match shown {
        Visibility::Public => print,
        _ => NOT_SHOWN,
    };
    let document = matches!(face, Face::Policy | Face::Page);
    let print = Print {
        face: print,
        stamp,
        id: xxhash_rust::xxh3::xxh3_64(id.as_bytes()),
    };
    Some((print, document && marked == Visibility::Internal))
}

/// The fingerprint of a version's public face, how the public site would show that
/// version (`publish`'s decision), its visibility as marked, and a document's approval
/// stamp if it has an approval date.
fn fingerprint_of(
    face: Face,
    bytes: &[u8],
) -> Option<(u64, Visibility, Visibility, Option<u64>, String)> {
    match face {
        Face::Policy | Face::Page => {
            let (meta, body) = crate::load::front_matter_of(bytes)?;
            let kind = match face {
                Face::Policy => crate::load::DocKind::Policy,
                _ => crate::load::DocKind::Page,
            };
            let shown = publish::meta_decision(kind, &meta).shown;
            let stamp = super::approval::stamp(&meta);
            let stamp = match stamp.0 {
                Some(_) => Some(hash(&stamp)?),
                None => None,
            };
            // Internal blocks and comments all start with `<!--`: a body without one is
            // public as it is, with no Markdown parse.
            let body = if body.contains("<!--") {
                let outline = crate::load::outline::outline(&body);
                crate::model::strip::public_body(&body, &outline.internal_blocks)
            } else {
                body
            };
            let body = blank_lines_collapsed(&body);
            hash(&(
                &meta.title,
                &meta.doc_type,
                &meta.version,
                &meta.status,
                &meta.visibility,
                &meta.effective_from,
                &meta.approved_on,
                &meta.next_review,
                &meta.public_summary,
                &meta.revisions,
                &meta.controls,
                &meta.tags,
                &meta.nav,
                &meta.order,
                &body,
            ))
            .map(|print| (print, shown, meta.visibility, stamp, meta.id))
        }
        Face::Control => {
            let c: ControlRecord = crate::load::record_of(bytes, ControlRecord::REQUIRED)?;
            hash(&(
                &c.id,
                c.applicable,
                c.status,
                &c.visibility,
                publish::is_assessed(&c),
                &c.public_summary,
                &c.last_reviewed,
                &c.next_review,
            ))
            .map(|print| (print, publish::control(&c).shown, c.visibility, None, c.id))
        }
        Face::System => {
            let s: SystemRecord = crate::load::record_of(bytes, SystemRecord::REQUIRED)?;
            hash(&(
                &s.name,
                &s.description,
                &s.purpose,
                &s.role,
                &s.lifecycle,
                &s.risk_class,
                &s.human_oversight,
                &s.ai_disclosure,
                &s.limitations,
                &s.affected_people,
                &s.last_reviewed,
                &s.next_review,
                &s.public_summary,
                &s.visibility,
                (
                    s.customer_data_used_for_training,
                    &s.data_retention,
                    &s.opt_out,
                ),
                (&s.models, &s.suppliers),
            ))
            .map(|print| (print, publish::of(&s).shown, s.visibility, None, s.id))
        }
        Face::Supplier => {
            let s: SupplierRecord = crate::load::record_of(bytes, SupplierRecord::REQUIRED)?;
            let dpa = s
                .dpa
                .as_ref()
                .map(|d| !matches!(d, crate::load::records::Dpa::Signed(false)));
            hash(&(
                &s.name,
                &s.service,
                &s.purpose,
                s.kind,
                &s.data_categories,
                &s.locations,
                s.trains_on_customer_data,
                &s.retention,
                dpa,
                s.since,
                s.until,
                &s.visibility,
                &s.public_summary,
            ))
            .map(|print| (print, publish::of(&s).shown, s.visibility, None, s.id))
        }
        Face::Risk => {
            let r: RiskRecord = crate::load::record_of(bytes, RiskRecord::REQUIRED)?;
            hash(&(
                &r.title,
                &r.public_summary,
                &r.treatment,
                &r.status,
                &r.visibility,
            ))
            .map(|print| (print, publish::of(&r).shown, r.visibility, None, r.id))
        }
    }
}

/// The commits (indices into `history.commits`, newest first) that changed what the public
/// site shows of the source at `path`, each with whether it published the item (the
/// first version marked public, or the first after versions that were not). A version
/// not marked public is no public change, nor is one that does not load (no site was
/// built from it); one that cannot be read (a partial clone) counts as a change: a date
/// too many is better than a change missed.
fn public_changes(
    history: &History,
    face: Face,
    path: &Path,
    approved_only: bool,
    prints: &PrintsOf,
    moves: &Moves,
) -> (Vec<PublicChange>, Vec<Version>) {
    let mut versions: Vec<Version> = history.versions(path).collect();
    // A file with one version, not renamed from another, was published when it was made.
    // Nothing to read.
    let renamed = |created: usize| moves.oldest.get(&face).is_some_and(|at| *at >= created);
    if versions.len() < 2
        && !versions
            .first()
            .is_some_and(|(created, _)| renamed(*created))
    {
        let published = |(commit, _): &(usize, _)| PublicChange {
            commit: *commit,
            published: true,
        };
        return (versions.iter().map(published).collect(), versions);
    }
    let mut shown: Vec<Option<Print>> = Vec::with_capacity(versions.len());
    let mut item: Option<u64> = None;
    let mut path = path.to_path_buf();
    let mut seen = crate::hash::HashSet::default();
    let named_by_id = matches!(face, Face::Control | Face::Risk | Face::Supplier);
    // The oldest version kept was written over another item's file (no deletion between).
    let mut written_over = false;
    loop {
        for &(_, blob) in &versions[shown.len()..] {
            let print = prints.of(history, face, blob);
            // Another item (another id) had the file before this one: its days are not
            // this item's, nor is the deletion that ended its time there.
            if let (Some(_), Some(print)) = (blob, print.filter(|p| *p != Print::NOT_LOADED)) {
                if item.is_some_and(|id| id != print.id) {
                    versions.truncate(shown.len());
                    written_over = true;
                    while versions.last().is_some_and(|(_, blob)| blob.is_none()) {
                        versions.pop();
                        shown.pop();
                        written_over = false;
                    }
                    break;
                }
                item = Some(print.id);
            }
            shown.push(print);
        }
        // A control, a risk or a supplier is named by its id: a file renamed (a file of
        // the same id deleted or written over by the commit that made this one, or before
        // it; two files swapped) is the same page, and its older versions count.
        let (Some(id), Some(&(created, _)), true) = (item, versions.last(), named_by_id) else {
            break;
        };
        let left = moves.by_id.get(&(face, id)).into_iter().flatten();
        let Some((from, deleted)) = History::renamed_from(left, created, &path, &seen) else {
            break;
        };
        seen.insert(from.clone());
        // The commit that deleted it or wrote another record over it is the day it went
        // (as if deleted), unless it is the rename's own commit.
        versions.extend(
            (history.versions(&from))
                .filter(|(i, _)| *i >= deleted && *i > created)
                .map(|(i, blob)| (i, blob.filter(|_| i != deleted))),
        );
        path = from;
    }
    let followed = versions.clone();
    // Versions that do not load are left out: the versions around them are compared.
    let (versions, shown): (Vec<_>, Vec<_>) = (versions.into_iter().zip(shown))
        .filter(|(_, print)| *print != Some(Print::NOT_LOADED))
        .unzip();
    let document = matches!(face, Face::Policy | Face::Page);
    let faces: Vec<Option<u64>> = if approved_only && document {
        as_approved(&shown, written_over)
    } else {
        shown.iter().map(|p| p.map(|p| p.face)).collect()
    };
    let changes = (0..versions.len())
        .filter_map(|i| {
            let published = match (faces[i], faces.get(i + 1)) {
                (Some(NOT_SHOWN), _) => return None,
                (Some(now), Some(Some(before))) if now == *before => return None,
                (_, Some(Some(NOT_SHOWN)) | None) => true,
                _ => false,
            };
            Some(PublicChange {
                commit: versions[i].0,
                published,
            })
        })
        .collect();
    (changes, followed)
}

/// The fingerprints known from the cache, and those worked out by this build.
struct PrintsOf<'a> {
    known: &'a Prints,
    found: Mutex<Prints>,
}

impl PrintsOf<'_> {
    /// The print of a version, `None` if it cannot be read (a partial clone, a damaged
    /// object). Deleted: nothing was shown, so the day it went is no change, and a file
    /// made again after it is published again.
    fn of(&self, history: &History, face: Face, blob: Option<[u8; 20]>) -> Option<Print> {
        let Some(blob) = blob else {
            return Some(Print::DELETED);
        };
        if let Some(print) = self.known.get(&(blob, face)) {
            return Some(*print);
        }
        let print = fingerprint(face, &history.blob(&blob)?).unwrap_or(Print::NOT_LOADED);
        if let Ok(mut found) = self.found.lock() {
            found.insert((blob, face), print);
        }
        Some(print)
    }
}

/// Controls, risks and suppliers that left a file somewhere in the history: the file was
/// deleted, or another record (another id) was written over it.
#[derive(Default)]
struct Moves {
    /// By face and id: the file it left, and the commit that wrote over or deleted it (an
    /// index into `History::commits`, children first).
    by_id: HashMap<(Face, u64), Vec<(PathBuf, usize)>>,
    /// By face, the oldest such commit: a file made after it was not renamed.
    oldest: HashMap<Face, usize>,
}

fn moves(history: &History, prints: &PrintsOf) -> Moves {
    let mut moves = Moves::default();
    for (path, versions) in history.paths() {
        let within = path.strip_prefix("content").unwrap_or(path);
        let face = face_of(&within.to_string_lossy());
        let Some(face) = face.filter(|f| matches!(f, Face::Control | Face::Risk | Face::Supplier))
        else {
            continue;
        };
        if versions.len() < 2 {
            continue;
        }
        // Newest first: each version with the one it replaced.
        let ids: Vec<Option<u64>> = (versions.iter())
            .map(|(_, blob)| {
                let blob = (*blob)?;
                let print = prints.of(history, face, Some(blob))?;
                (print != Print::NOT_LOADED).then_some(print.id)
            })
            .collect();
        for (k, pair) in ids.windows(2).enumerate() {
            let (now, before) = (pair[0], pair[1]);
            let deleted = versions[k].1.is_none();
            let replaced = |id: &u64| deleted || now.is_some_and(|now| now != *id);
            if let Some(left) = before.filter(replaced) {
                let at = versions[k].0;
                (moves.by_id.entry((face, left)).or_default()).push((path.to_path_buf(), at));
                let oldest = moves.oldest.entry(face).or_insert(at);
                *oldest = at.max(*oldest);
            }
        }
    }
    moves
}

/// What the public site showed of a document after each version (newest first) under
/// `publish: approved`: the face of the version that set its approval stamp (the oldest of
/// the unbroken run of versions with the same stamp), while both that version and this one
/// are shown (`publish::published`: an approved text that was internal stays so, and a
/// working copy made internal withdraws it). A version without an approval date is
/// published as committed; one that cannot be read ends the run.
fn as_approved(prints: &[Option<Print>], written_over: bool) -> Vec<Option<u64>> {
    let mut shown = vec![None; prints.len()];
    // The run of versions with one stamp, oldest first: its stamp and its first face. A
    // document written over another's file did not set the stamp it came with: that run
    // shows nothing (`approval::of` refuses to publish it).
    let mut run: Option<(u64, u64)> = None;
    if written_over
        && let Some(Some(Print {
            stamp: Some(stamp), ..
        })) = prints.last()
    {
        run = Some((*stamp, NOT_SHOWN));
    }
    for (i, print) in prints.iter().enumerate().rev() {
        let Some(print) = print else {
            run = None;
            continue;
        };
        let Some(stamp) = print.stamp else {
            run = None;
            shown[i] = Some(print.face);
            continue;
        };
        let approving = match run {
            Some((same, face)) if same == stamp => face,
            _ => run.insert((stamp, print.face)).1,
        };
        shown[i] = Some(if print.face == NOT_SHOWN {
            NOT_SHOWN
        } else {
            approving
        });
    }
    shown
}

/// A commit that changed what the public site shows of a source.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PublicChange {
    /// Index into `History::commits`.
    pub commit: usize,
    /// Whether it published the item, rather than changed what was public.
    pub published: bool,
}

/// Fingerprints by blob and face, kept in `.trustbook-cache/` between builds: a blob's
/// public face never changes, so a rebuild reads only new versions.
type Prints = HashMap<([u8; 20], Face), Print>;

/// Fingerprints worked out before the sources finished loading: of every version of every
/// source with more than one, published or not (which is published is not known yet).
pub struct Prefetched {
    prints: Prints,
    /// Some were not in the cache: it is written again.
    fresh: bool,
}

/// The face a source has by where it lives in `content/`, as the loader reads it.
fn face_of(path: &str) -> Option<Face> {
    let (folder, _) = path.split_once('/')?;
    let markdown = path.ends_with(".md");
    let yaml = path.ends_with(".yaml") || path.ends_with(".yml");
    match folder {
        "policies" if markdown => Some(Face::Policy),
        "pages" if markdown => Some(Face::Page),
        "controls" if yaml => Some(Face::Control),
        "systems" if yaml => Some(Face::System),
        "risks" if yaml => Some(Face::Risk),
        "suppliers" if yaml => Some(Face::Supplier),
        _ => None,
    }
}

/// Fingerprints every version of the sources that changed more than once, on the thread
/// that read the log, while the sources load: that thread would otherwise be idle, and
/// these reads are most of what working out public changes costs on a clean build.
/// `commits` are the log's, children first. A document whose newest committed version is
/// marked internal is most likely not published: its older versions are left to
/// `public_changes`, which fingerprints what a published source needs and this missed.
pub fn prefetch(
    repo: &gix::Repository,
    commits: &[super::walk::RawCommit],
    changes: &super::walk::Changes,
    cache: &Path,
) -> Prefetched {
    // Each path's versions, newest first.
    let mut versions: HashMap<&str, Vec<[u8; 20]>> = HashMap::new();
    for commit in commits {
        for (path, blob) in changes.of(&commit.id).into_iter().flatten() {
            if let Some(blob) = blob {
                versions.entry(path).or_default().push(*blob);
            }
        }
    }
    let mut prints = load_prints(cache);
    let mut fresh = false;
    for (path, blobs) in versions.into_iter().filter(|(_, b)| b.len() > 1) {
        let Some(face) = face_of(path) else {
            continue;
        };
        for (age, blob) in blobs.into_iter().enumerate() {
            if prints.contains_key(&(blob, face)) {
                continue;
            }
            let Ok(id) = gix::ObjectId::try_from(&blob[..]) else {
                continue;
            };
            let Ok(object) = repo.find_object(id) else {
                continue;
            };
            let Some((print, internal)) = fingerprint_marked(face, &object.data) else {
                continue;
            };
            prints.insert((blob, face), print);
            fresh = true;
            if age == 0 && internal {
                break;
            }
        }
    }
    Prefetched { prints, fresh }
}

const CACHE_FORMAT: u32 = 8;

/// The fingerprints' file in `.trustbook-cache/`.
pub const CACHE_FILE: &str = "public-faces.bin";

fn load_prints(cache: &Path) -> Prints {
    crate::memo::read_checked(cache, CACHE_FORMAT).unwrap_or_default()
}

/// Works out the public changes of every source the public site shows.
pub fn attach(site: &mut Site) {
    let mut items: Vec<(Face, PathBuf)> = Vec::new();
    let path = |file| site.sources.path(file).to_path_buf();
    for document in &site.documents {
        if publish::document(document).shown != crate::load::records::Visibility::Internal {
            let face = match document.kind {
                crate::load::DocKind::Policy => Face::Policy,
                crate::load::DocKind::Page => Face::Page,
            };
            items.push((face, path(document.record.file)));
        }
    }
    for control in &site.controls {
        if publish::control(&control.data).shown != crate::load::records::Visibility::Internal {
            items.push((Face::Control, path(control.file)));
        }
    }
    for system in &site.systems {
        let data = &system.data;
        let decision = publish::of(&data);
        if decision.shown != crate::load::records::Visibility::Internal {
            items.push((Face::System, path(system.file)));
        }
    }
    for risk in &site.risks {
        let data = &risk.data;
        let decision = publish::of(&data);
        if decision.shown != crate::load::records::Visibility::Internal {
            items.push((Face::Risk, path(risk.file)));
        }
    }
    let cache = site.root.join(crate::build::CACHE_FOLDER).join(CACHE_FILE);
    let (known, fresh) = match site.history.prefetched.take() {
        Some(prefetched) => (prefetched.prints, prefetched.fresh),
        None => (load_prints(&cache), false),
    };
    for supplier in &site.suppliers {
        let data = &supplier.data;
        let decision = publish::of(&data);
        if decision.shown != crate::load::records::Visibility::Internal {
            items.push((Face::Supplier, path(supplier.file)));
        }
    }
    let approved_only = (site.config.as_ref())
        .is_some_and(|c| c.data.public.publish == crate::load::records::PublishFrom::Approved);
    let history = &site.history;
    let prints = PrintsOf {
        known: &known,
        found: Mutex::new(Prints::new()),
    };
    let moves = moves(history, &prints);
    let found: Vec<(PathBuf, Vec<PublicChange>, Option<Vec<Version>>)> = items
        .into_par_iter()
        .map(|(face, path)| {
            let (changes, versions) =
                public_changes(history, face, &path, approved_only, &prints, &moves);
            (path, changes, (face == Face::Supplier).then_some(versions))
        })
        .collect();
    site.history.public_changes.clear();
    site.history.supplier_versions.clear();
    for (path, changes, versions) in found {
        if let Some(versions) = versions {
            site.history
                .supplier_versions
                .insert(path.clone(), versions);
        }
        site.history.public_changes.insert(path, changes);
    }
    let new = prints.found.into_inner().unwrap_or_default();
    if fresh || !new.is_empty() {
        // Best effort: without it the next build only reads more.
        let mut all = known;
        all.extend(new);
        crate::memo::write_checked(&cache, CACHE_FORMAT, &all);
    }
}
