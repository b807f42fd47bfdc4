//! Approval provenance: the commit that last set a document's `approved_on`, `version` or
//! `status`, and the commits that changed the file after it without setting them again.
//! Where that commit cannot be known for certain, the answer is an error, never a guess.

use super::{Commit, History};
use crate::finding::{At, Code, Finding};
use crate::load::Site;
use crate::load::date::Date;
use crate::load::records::{DocStatus, DocumentMeta, PublishFrom, Text, Visibility};
use rayon::prelude::*;
use std::path::{Path, PathBuf};

pub struct Approval {
    /// The commit that last set `approved_on` or `version`.
    pub approving: Commit,
    /// Commits after it that changed the file, newest first.
    pub later: Vec<Commit>,
}

/// The approvals of the public documents (by index into `site.documents`), read from git.
/// Under `public.publish: approved`, each public document whose text is not its approving
/// commit's gets that text loaded as `site.approved_versions`; the findings say what could
/// not be loaded.
pub fn attach(site: &mut Site, findings: &mut Vec<Finding>) {
    let public: Vec<usize> = (site.documents.iter().enumerate())
        .filter(|(_, d)| crate::publish::document(d).shown == Visibility::Public)
        .map(|(i, _)| i)
        .collect();
    let found: Vec<(usize, Result<Option<Approval>, String>)> = public
        .par_iter()
        .map(|&i| {
            let record = &site.documents[i].record;
            let path = site.sources.path(record.file);
            (i, of(&site.history, path, stamp(&record.data)))
        })
        .collect();
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
        if approved_only && let Some(approval) = &approval {
            let Some(bytes) = site.history.text_at(&approval.approving.id, &path) else {
                site.history.uncertain.insert(
                    path,
                    format!(
                        "the text of its approving commit {} cannot be read from the repository",
                        approval.approving.short_id()
                    ),
                );
                continue;
            };
            let Ok(text) = String::from_utf8(crate::load::files::normalised(bytes)) else {
                site.history.uncertain.insert(
                    path,
                    format!(
                        "the text of its approving commit {} is not UTF-8",
                        approval.approving.short_id()
                    ),
                );
                continue;
            };
            if text != site.sources.get(file).text {
                let label = PathBuf::from(format!(
                    "{}@{}",
                    path.display(),
                    approval.approving.short_id()
                ));
                let (kind, stem) = (
                    site.documents[i].kind,
                    site.documents[i].record.stem.clone(),
                );
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
                                approval.approving.short_id()
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

/// What approves a text: the fields an approver sets.
pub type Stamp = (Option<Date>, Option<Text>, Option<DocStatus>);

pub fn stamp(meta: &DocumentMeta) -> Stamp {
    (meta.approved_on, meta.version.clone(), meta.status)
}

/// The document as commit `commit` left it.
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

/// The approval provenance of a document: `Ok(None)` when no commit has it approved,
/// `Err` when which commit approved it cannot be known for certain (a version that cannot
/// be read, a merge or a rename since the approval): then nothing is published on its
/// strength.
pub fn of(history: &History, path: &Path, working: Stamp) -> Result<Option<Approval>, String> {
    let commits: Vec<&Commit> = history.of(path).collect();
    let Some(first) = commits.first() else {
        return Ok(None);
    };
    // A file as committed is the working one: its stamp is known without reading it.
    let newest = if history.is_uncommitted(path) {
        stamp(&version_at(history, first, path)?)
    } else {
        working
    };
    if newest.0.is_none() {
        return Ok(None);
    }
    let mut approving = 0;
    for (i, commit) in commits.iter().enumerate().skip(1) {
        if stamp(&version_at(history, commit, path)?) != newest {
            break;
        }
        approving = i;
    }
    if let Some(merge) = commits[..=approving].iter().find(|c| c.is_merge) {
        return Err(format!(
            "merge {} combined changes to it from two lines of work since it was approved, so which text was approved is not known",
            merge.short_id()
        ));
    }
    if approving + 1 == commits.len()
        && let Some(from) = history.renamed_into(path, commits[approving])
    {
        return Err(format!(
            "commit {} renamed it from {} and changed it, without approving it again",
            commits[approving].short_id(),
            from.display()
        ));
    }
    Ok(Some(Approval {
        approving: commits[approving].clone(),
        later: commits[..approving].iter().map(|c| (*c).clone()).collect(),
    }))
}
