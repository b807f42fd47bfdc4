//! Approval provenance: the commit that last set a document's `approved_on` or `version`,
//! and the commits that changed the file after it without setting them again.

use super::{Commit, History};
use crate::finding::{At, Code, Finding};
use crate::load::Site;
use crate::load::date::Date;
use crate::load::records::{PublishFrom, Text, Visibility};
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
    let found: Vec<(usize, Option<Approval>)> = public
        .par_iter()
        .map(|&i| {
            let record = &site.documents[i].record;
            let path = site.sources.path(record.file);
            let stamp = (record.data.approved_on, record.data.version.clone());
            (i, of(&site.history, path, stamp))
        })
        .collect();
    let approved_only = site
        .config
        .as_ref()
        .is_some_and(|c| c.data.public.publish == PublishFrom::Approved);
    for (i, approval) in found {
        let file = site.documents[i].record.file;
        let path = site.sources.path(file).to_path_buf();
        if approved_only
            && let Some(approval) = &approval
            && let Some(bytes) = site.history.text_at(&approval.approving.id, &path)
        {
            let text = String::from_utf8(crate::load::files::normalised(bytes)).ok();
            let current = &site.sources.get(file).text;
            if let Some(text) = text.filter(|t| t != current) {
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
pub type Stamp = (Option<Date>, Option<Text>);

fn stamp_at(history: &History, commit: &Commit, path: &Path) -> Option<Stamp> {
    let bytes = history.text_at(&commit.id, path)?;
    let meta = crate::load::document_meta(&bytes)?;
    Some((meta.approved_on, meta.version))
}

/// The approval provenance of a document, `None` when no commit has it approved.
/// Reads the file only at the newest commits that carry the same approval.
pub fn of(history: &History, path: &Path, working: Stamp) -> Option<Approval> {
    let commits: Vec<&Commit> = history.of(path).collect();
    // A file as committed is the working one: its stamp is known without reading it.
    let newest = if history.is_uncommitted(path) {
        stamp_at(history, commits.first()?, path)?
    } else {
        commits.first()?;
        working
    };
    newest.0?;
    let mut approving = 0;
    for (i, commit) in commits.iter().enumerate().skip(1) {
        if stamp_at(history, commit, path).as_ref() != Some(&newest) {
            break;
        }
        approving = i;
    }
    Some(Approval {
        approving: commits[approving].clone(),
        later: commits[..approving].iter().map(|c| (*c).clone()).collect(),
    })
}
