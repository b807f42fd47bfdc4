//! Approval provenance: the commit that last set a document's `approved_on` or `version`
//! (following renames), and the commits that changed the file after it without setting them again.
//! Where that commit cannot be known for certain, the answer is an error, never a guess.

use super::{Commit, History};
use crate::finding::{At, Code, Finding};
use crate::hash::HashMap;
use crate::hash::HashMapExt;
use crate::load::Site;
use crate::load::date::Date;
use crate::load::records::{DocumentMeta, PublishFrom, Text, Visibility};
use rayon::prelude::*;
use std::path::{Path, PathBuf};

pub struct Approval {
    /// The commit that last set `approved_on` or `version`.
    pub approving: Commit,
    /// Where the document was then (it may have been renamed since).
    pub path: PathBuf,
    /// Commits after it that changed the file, newest first.
    pub later: Vec<Commit>,
}

/// The approvals of the public documents (by index into `site.documents`), read from git.
/// Under `public.publish: approved`, each public document whose text is not its approving
/// commit's gets that text loaded as `site.approved_versions`; the findings say what could
/// not be loaded.
pub fn attach(site: &mut Site, findings: &mut Vec<Finding>) {
    // Restricted documents too: their title and summary are public.
    let public: Vec<usize> = (site.documents.iter().enumerate())
        .filter(|(_, d)| crate::publish::document(d).shown != Visibility::Internal)
        .map(|(i, _)| i)
        .collect();
    let moved = moves(&site.history);
    let memo_file = site
        .root
        .join(crate::build::CACHE_FOLDER)
        .join("approval-stamps-2.bin");
    let stamps = Stamps::load(&memo_file);
    let found: Vec<(usize, Result<Option<Approval>, String>)> = public
        .par_iter()
        .map(|&i| {
            let record = &site.documents[i].record;
            let path = site.sources.path(record.file);
            let approval = of(
                &site.history,
                path,
                &record.data.id,
                stamp(&record.data),
                &moved,
                &stamps,
            );
            (i, approval)
        })
        .collect();
    stamps.save(&memo_file);
    let approved_only = site
        .config
        .as_ref()
        .is_some_and(|c| c.data.public.publish == PublishFrom::Approved);
    for (i, approval) in found {
        let file = site.documents[i].record.file;
        let path = site.sources.path(file).to_path_buf();
        let approval = match approval {
            Ok(approval) => approval,
            Err(why) => {
                site.history.uncertain.insert(path, why);
                continue;
            }
        };
        // The committed text to publish under `publish: approved`: an approved document's
        // approving commit; a page outside approval (no `approved_on`), its last commit.
        let is_page = site.documents[i].kind == crate::load::DocKind::Page
            && site.documents[i].record.data.approved_on.is_none();
        let source = match &approval {
            Some(approval) => Some((approval.approving.clone(), approval.path.clone())),
            None if is_page && approved_only => match last_commit(&site.history, &path) {
                Some(last) => Some((last, path.clone())),
                None => {
                    site.history.uncertain.insert(
                        path,
                        "it has never been committed, and only committed text is published".into(),
                    );
                    continue;
                }
            },
            None => None,
        };
        if approved_only && let Some((approving, from)) = &source {
            let Some(bytes) = site.history.text_at(&approving.id, from) else {
                site.history.uncertain.insert(
                    path,
                    format!(
                        "the text of its approving commit {} cannot be read from the repository",
                        approving.short_id()
                    ),
                );
                continue;
            };
            let Ok(text) = String::from_utf8(crate::load::files::normalised(bytes)) else {
                site.history.uncertain.insert(
                    path,
                    format!(
                        "the text of its approving commit {} is not UTF-8",
                        approving.short_id()
                    ),
                );
                continue;
            };
            if *text != *site.sources.get(file).text {
                let label = PathBuf::from(format!("{}@{}", path.display(), approving.short_id()));
                let (kind, stem) = (
                    site.documents[i].kind,
                    site.documents[i].record.stem.clone(),
                );
                site.history
                    .published_from
                    .insert(label.clone(), path.clone());
                match crate::load::earlier_document(site, kind, stem, label, text) {
                    Some((earlier, problems)) => {
                        findings.extend(problems);
                        site.approved_versions.insert(i, earlier);
                    }
                    None => findings.push(
                        Finding::new(
                            Code::NotCommitted,
                            format!(
                                "the approved text of this document (commit {}) does not load, so it cannot be published",
                                approving.short_id()
                            ),
                        )
                        .at(At { file, span: 0..0 })
                        .help("approve the current text: commit it with a new `approved_on`"),
                    ),
                }
            }
        }
        if let Some(approval) = approval {
            site.history.approvals.insert(path, approval);
        }
    }
}

/// What approves a text: the fields an approver sets. Not `status`: a text edited while
/// in review and set back to approved has not been approved again until its approval date
/// or version says so (the public page would state an approval date older than the text).
pub type Stamp = (Option<Date>, Option<Text>);

pub fn stamp(meta: &DocumentMeta) -> Stamp {
    (meta.approved_on, meta.version.clone())
}

/// The stamps of earlier versions by blob id, with the id of the document they stamp,
/// kept between builds: reading a version means unpacking it from git and parsing its
/// front matter, and a blob's stamp never changes. Stored as plain strings (`Text` reads
/// YAML's numbers, which bincode cannot).
type Stamps = crate::memo::Memo<[u8; 20], (Option<Date>, Option<String>, String)>;

/// The stamp of a document as commit `commit` left it at `path` (whose blob is `blob`),
/// and the document's id: another document written over the file with the same stamp
/// did not inherit the approval.
fn stamp_at(
    history: &History,
    stamps: &Stamps,
    (commit, path, blob): &(&Commit, PathBuf, [u8; 20]),
) -> Result<(Stamp, String), String> {
    let remembered = stamps.get(*blob, || {
        let meta = version_at(history, commit, path).ok()?;
        let (approved_on, version) = stamp(&meta);
        Some((approved_on, version.map(|v| v.0), meta.id))
    });
    match remembered {
        Some((approved_on, version, id)) => Ok(((approved_on, version.map(Text)), id)),
        // Not remembered, because it cannot be read: say why.
        None => version_at(history, commit, path).map(|meta| (stamp(&meta), meta.id)),
    }
}

fn last_commit(history: &History, path: &Path) -> Option<Commit> {
    history.of(path).next().cloned()
}

/// The document as commit `commit` left it at `path`.
fn version_at(history: &History, commit: &Commit, path: &Path) -> Result<DocumentMeta, String> {
    let bytes = history.text_at(&commit.id, path).ok_or_else(|| {
        format!(
            "the file as commit {} has it cannot be read from the repository (a partial or damaged clone?)",
            commit.short_id()
        )
    })?;
    crate::load::document_meta(&bytes).ok_or_else(|| {
        format!(
            "the file as commit {} has it does not load, so whether that commit approved it is not known",
            commit.short_id()
        )
    })
}

/// The versions of a document, newest first, across renames: where its path was created
/// by a commit that deleted (or after one that deleted) a document with the same id, the
/// older path's versions follow. Each is the commit, the path it had then and its blob.
fn versions<'h>(
    history: &'h History,
    path: &Path,
    id: &str,
    moved: &Moves,
) -> Vec<(&'h Commit, PathBuf, [u8; 20])> {
    let mut out = Vec::new();
    let mut path = path.to_path_buf();
    let mut older_than: Option<usize> = None;
    // Each rename is followed once: a cycle of renames cannot loop.
    let mut seen = crate::hash::HashSet::default();
    loop {
        let list: Vec<(usize, &Commit, [u8; 20])> = history
            .indexed(&path)
            .filter(|(i, _)| older_than.is_none_or(|limit| *i > limit))
            .filter_map(|(i, c)| Some((i, c, history.blob_after(&path, i)?)))
            .collect();
        let Some(&(created, _, _)) = list.last() else {
            break;
        };
        out.extend(list.iter().map(|(_, c, blob)| (*c, path.clone(), *blob)));
        let left = moved.get(id).into_iter().flatten();
        let Some((from, deleted_at)) = History::renamed_from(left, created, &path, &seen) else {
            break;
        };
        seen.insert(from.clone());
        path = from;
        older_than = Some(deleted_at);
    }
    out
}

/// Whether the file at `path` held something just before `commit` changed it (rather than
/// being made anew, or again after a deletion).
fn written_over(history: &History, commit: &Commit, path: &Path) -> bool {
    let Some((index, _)) = history.indexed(path).find(|(_, c)| c.id == commit.id) else {
        return false;
    };
    (history.versions(path))
        .find(|(i, _)| *i > index)
        .is_some_and(|(_, blob)| blob.is_some())
}

/// Documents deleted somewhere in the history, by id: where they were, and the commit that
/// deleted them.
pub type Moves = HashMap<String, Vec<(PathBuf, usize)>>;

fn moves(history: &History) -> Moves {
    let mut moved: Moves = HashMap::new();
    for (path, at) in history.deletions() {
        let before = history.indexed(&path).find(|(i, _)| *i > at);
        let meta = before
            .and_then(|(_, commit)| history.text_at(&commit.id, &path))
            .and_then(|bytes| crate::load::document_meta(&bytes));
        if let Some(meta) = meta {
            moved.entry(meta.id).or_default().push((path, at));
        }
    }
    moved
}

/// The approval provenance of a document: `Ok(None)` when no commit has it approved,
/// `Err` when which commit approved it cannot be known for certain (a version that cannot
/// be read or does not load, or a merge since the approval): then nothing is published on
/// its strength.
pub fn of(
    history: &History,
    path: &Path,
    id: &str,
    working: Stamp,
    moved: &Moves,
    stamps: &Stamps,
) -> Result<Option<Approval>, String> {
    let versions = versions(history, path, id, moved);
    let Some(first) = versions.first() else {
        return Ok(None);
    };
    // A file as committed is the working one: its stamp is known without reading it.
    let newest = if history.is_uncommitted(path) {
        stamp_at(history, stamps, first)?
    } else {
        (working, id.to_string())
    };
    if newest.0.0.is_none() {
        return Ok(None);
    }
    let mut approving = 0;
    for (i, version) in versions.iter().enumerate().skip(1) {
        if stamp_at(history, stamps, version)? != newest {
            break;
        }
        approving = i;
    }
    // The approving version was written over another document's file (another id, with no
    // deletion between: a swap, or a file rewritten as another document). Where its stamp
    // was set is then somewhere else: not known, so nothing is published on its strength.
    if let (Some(older), (commit, path, _)) = (versions.get(approving + 1), &versions[approving])
        && older.1 == *path
        && written_over(history, commit, path)
    {
        let (_, older_id) = stamp_at(history, stamps, older)?;
        if older_id != newest.1 {
            return Err(format!(
                "commit {} wrote it over the file of another document (`{older_id}`), so where it was approved is not known",
                commit.short_id()
            ));
        }
    }
    if let Some((merge, _, _)) = versions[..=approving].iter().find(|(c, _, _)| c.is_merge) {
        return Err(format!(
            "merge {} combined changes to it from two lines of work since it was approved, so which text was approved is not known",
            merge.short_id()
        ));
    }
    Ok(Some(Approval {
        approving: versions[approving].0.clone(),
        path: versions[approving].1.clone(),
        later: versions[..approving]
            .iter()
            .map(|(c, _, _)| (*c).clone())
            .collect(),
    }))
}
