//! A save that changes only what a record's own handbook page shows of it (a risk's
//! description, rewritten while the register is being written), answered without
//! building the site again, as `body_save` answers a changed body.
//!
//! Such a field is shown on the record's handbook page and in its element of the
//! handbook's search index, and nowhere else: no rule of `check` reads it, no other page
//! prints it, the public site does not show it (`PAGE_LOCAL`, each field held to that by
//! `tests/incremental.rs`). A save whose record, parsed again, differs from the one kept
//! in those fields alone, and whose other keys and values are written as they were (their
//! spacing and comments aside), makes that page and that element again; the findings of
//! the file move with the text (before or after the edit, or with the key or value they
//! are on). Anything else is built in full. Only with the built-in templates: a site's
//! own theme may print any field anywhere.

use super::body_save::{Kept, SavedRecord, Served, read, same_finding, splice};
use crate::build::{self, Reuse};
use crate::finding::{Finding, Severity};
use crate::kind::Kind;
use crate::load::records::{RiskRecord, SystemRecord, Visibility};
use crate::load::yaml::Positions;
use crate::load::{Record, Site};
use crate::model::internal::InternalModel;
use crate::model::parsed::Parsed;
use crate::publish::Shown;
use crate::render::files::SearchWords;
use crate::render::output::{Bytes, Memory};
use crate::render::{ModelHashes, Renderer, files as site_files};
use crate::sources::{FileId, hash_text};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The fields of each kind of record that only its own handbook page and its element of
/// the handbook's search index show (with the built-in templates), and that no rule
/// reads. `tests/incremental.rs` changes each and compares the whole output and every
/// finding with the build before.
pub const PAGE_LOCAL: &[(Kind, &str)] = &[
    (Kind::Risk, "description"),
    // An AI system's, while the public site does not show it (`LocalRecord::WHILE_INTERNAL`).
    (Kind::System, "description"),
    (Kind::System, "purpose"),
    (Kind::System, "human_oversight"),
    (Kind::System, "ai_disclosure"),
    (Kind::System, "limitations"),
    (Kind::System, "affected_people"),
    (Kind::System, "model"),
    (Kind::System, "data"),
    (Kind::System, "data_retention"),
    (Kind::System, "opt_out"),
];

/// Whether the page-local fields of records of `kind` are so only while the record is
/// marked internal.
pub fn while_internal(kind: Kind) -> bool {
    match kind {
        Kind::Risk => RiskRecord::WHILE_INTERNAL,
        Kind::System => SystemRecord::WHILE_INTERNAL,
        _ => true,
    }
}

/// The page-local fields of records of `kind`.
fn page_local(kind: Kind) -> Vec<&'static str> {
    (PAGE_LOCAL.iter())
        .filter(|(of, _)| *of == kind)
        .map(|(_, field)| *field)
        .collect()
}

/// A record's fields as JSON, but for `left_out`.
fn fields_but(record: &impl serde::Serialize, left_out: &[&str]) -> Option<serde_json::Value> {
    let mut value = serde_json::to_value(record).ok()?;
    let fields = value.as_object_mut()?;
    for field in left_out {
        fields.remove(*field);
    }
    Some(value)
}

/// Where two versions of a text differ: the one span of the old text that the edit
/// replaced (all before it and after it is the same), and by how much the text grew.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Edit {
    start: usize,
    old_end: usize,
    grown: isize,
}

impl Edit {
    pub fn between(old: &str, new: &str) -> Edit {
        let (old, new) = (old.as_bytes(), new.as_bytes());
        let start = old.iter().zip(new).take_while(|(a, b)| a == b).count();
        let most = old.len().min(new.len()) - start;
        let same_end = (old.iter().rev().zip(new.iter().rev()))
            .take(most)
            .take_while(|(a, b)| a == b)
            .count();
        Edit {
            start,
            old_end: old.len() - same_end,
            grown: new.len() as isize - old.len() as isize,
        }
    }

    /// Where the old text's `span` is in the new one: as it was when it ends before the
    /// edit, moved when it starts after it, grown when it holds it; `None` when it holds
    /// part of it.
    pub fn moved(&self, span: &Range<usize>) -> Option<Range<usize>> {
        let by = |at: usize| at.checked_add_signed(self.grown);
        if span.end <= self.start {
            Some(span.clone())
        } else if span.start >= self.old_end {
            Some(by(span.start)?..by(span.end)?)
        } else if span.start <= self.start && span.end >= self.old_end {
            Some(span.start..by(span.end)?)
        } else {
            None
        }
    }

    /// Where a finding's span is in the new text, when the edit did not touch it.
    fn moved_apart(&self, span: &Range<usize>) -> Option<Range<usize>> {
        let untouched = span.end <= self.start || span.start >= self.old_end;
        untouched.then(|| self.moved(span)).flatten()
    }
}

/// A kind of record whose page-local fields a save may change alone.
pub(super) trait LocalRecord:
    serde::de::DeserializeOwned + serde::Serialize + Shown + Send + Sync + Sized + 'static
{
    const KIND: Kind;
    /// Whether its page-local fields are so only while the record is marked internal (a
    /// public AI system's description is on the trust centre, and a placeholder in it
    /// withholds the system).
    const WHILE_INTERNAL: bool;
    const REQUIRED: &'static [&'static str];
    /// What alone changed, for the terminal.
    const SAID: &'static str;
    fn records(site: &Site) -> &[Record<Self>];
    /// Renders its handbook page into `out`, given the record saved (`record`), and
    /// returns its element of the handbook's search index and that element's place.
    fn render(
        renderer: &Renderer,
        model: &InternalModel,
        record: Parsed<'_, Self>,
        words: Option<&SearchWords>,
        out: &Memory,
    ) -> Option<(usize, Arc<str>)>;
}

impl LocalRecord for RiskRecord {
    const KIND: Kind = Kind::Risk;
    const WHILE_INTERNAL: bool = false;
    const REQUIRED: &'static [&'static str] = RiskRecord::REQUIRED;
    const SAID: &'static str = "its description alone changed";
    fn records(site: &Site) -> &[Record<Self>] {
        &site.risks
    }
    fn render(
        renderer: &Renderer,
        model: &InternalModel,
        record: Parsed<'_, Self>,
        words: Option<&SearchWords>,
        out: &Memory,
    ) -> Option<(usize, Arc<str>)> {
        let at = model.risks.iter().position(|r| r.record.id == record.id)?;
        let risk = model.risks[at].with_record(record);
        let page = (risk.url.as_str(), "internal/risk.html");
        renderer.internal_record(model, page, &risk, out).ok()?;
        Some(site_files::internal_risk_search_entry(
            model, &risk, at, words,
        ))
    }
}

impl LocalRecord for SystemRecord {
    const KIND: Kind = Kind::System;
    const WHILE_INTERNAL: bool = true;
    const REQUIRED: &'static [&'static str] = SystemRecord::REQUIRED;
    const SAID: &'static str = "only fields its handbook page alone shows changed";
    fn records(site: &Site) -> &[Record<Self>] {
        &site.systems
    }
    fn render(
        renderer: &Renderer,
        model: &InternalModel,
        record: Parsed<'_, Self>,
        words: Option<&SearchWords>,
        out: &Memory,
    ) -> Option<(usize, Arc<str>)> {
        let at = model
            .systems
            .iter()
            .position(|s| s.record.id == record.id)?;
        let system = model.systems[at].with_record(record);
        let page = (system.url.as_str(), "internal/system.html");
        renderer.internal_record(model, page, &system, out).ok()?;
        Some(site_files::internal_system_search_entry(
            model, &system, at, words,
        ))
    }
}

/// A saved record, checked to change nothing but its page-local fields.
struct RecordSave<T> {
    file: FileId,
    hash: u64,
    record: Arc<T>,
    text: Arc<String>,
    positions: Positions,
    findings: Vec<Finding>,
}

impl Kept {
    /// Answers a save of the file (`path`, relative to `root`) of the `at`th record of
    /// its kind if it changed only its page-local fields.
    pub(super) fn record_save<T: LocalRecord>(
        &mut self,
        root: &Path,
        (at, path): (usize, PathBuf),
        reuse: &Reuse,
    ) -> Option<Served> {
        let text = Arc::new(read(root, &path)?);
        if !self.same_in_git(root, &path, &text) {
            return None;
        }
        let save = self.local_save::<T>(at, text)?;
        let files = self.render_record(&save, reuse)?;
        let files_now = Arc::make_mut(&mut self.files);
        for (path, bytes) in files {
            files_now.insert(path, bytes);
        }
        let findings = save.findings;
        let saved = SavedRecord {
            text: save.text,
            hash: save.hash,
            record: save.record,
            positions: save.positions,
        };
        self.saved_records.insert(save.file, saved);
        self.findings = findings.clone();
        Some(Served {
            files: self.files.clone(),
            sources: self.sources(),
            findings,
            path,
            what: T::SAID,
        })
    }

    /// Whether `text`, saved to the file of the `at`th record of its kind, changes its
    /// page-local fields alone, and the findings of the site if so.
    fn local_save<T: LocalRecord>(&self, at: usize, text: Arc<String>) -> Option<RecordSave<T>> {
        let site = self.cell.borrow_owner();
        let kept = &T::records(site)[at];
        let file = kept.file;
        let (old_text, old, old_positions) = match self.saved_records.get(&file) {
            Some(saved) => (
                saved.text.clone(),
                Arc::clone(&saved.record).downcast::<T>().ok()?,
                &saved.positions,
            ),
            None => (
                site.sources.get(file).text.clone(),
                kept.data.clone(),
                &kept.positions,
            ),
        };
        let (new, positions, found) = crate::load::parse_one::<T>(&text, T::REQUIRED, file);
        let new = new?;
        if found.iter().any(|f| f.severity == Severity::Error) {
            return None;
        }
        // Marked internal: then whether it is published reads none of its texts (a record
        // marked public but withheld is withheld for what its texts say).
        let internal = |record: &T| record.visibility() == Visibility::Internal;
        if T::WHILE_INTERNAL && !(internal(&old) && internal(&new)) {
            return None;
        }
        // The same record but for its page-local fields, each else written as it was.
        let local = page_local(T::KIND);
        if fields_but(&*new, &local)? != fields_but(&*old, &local)? {
            return None;
        }
        if !old_positions.same_but(&old_text, &positions, &text, &local) {
            return None;
        }
        let edit = Edit::between(&old_text, &text);
        // What loading the file found before and now; every other finding in it moved
        // as its text moved, or the save is built in full.
        let (_, _, found_before) = crate::load::parse_one::<T>(&old_text, T::REQUIRED, file);
        let mut findings = self.findings.clone();
        for finding in &found_before {
            let kept = findings.iter().position(|f| same_finding(f, finding))?;
            findings.remove(kept);
        }
        for finding in &mut findings {
            let places = (finding.at.iter_mut()).chain(finding.notes.iter_mut().map(|(at, _)| at));
            for at in places.filter(|at| at.file == file) {
                // Before or after the edit, or on a key or value written as it was.
                at.span = (edit.moved_apart(&at.span))
                    .or_else(|| old_positions.counterpart(&at.span, &positions, &local))?;
            }
        }
        findings.extend(found);
        Some(RecordSave {
            file,
            hash: hash_text(&text),
            record: new,
            text,
            positions,
            findings,
        })
    }

    /// The record's handbook page and the handbook's search index with its new element.
    fn render_record<T: LocalRecord>(
        &mut self,
        save: &RecordSave<T>,
        reuse: &Reuse,
    ) -> Option<Vec<(String, Bytes)>> {
        let site = self.cell.borrow_owner();
        let internal = self.cell.borrow_dependent().models().internal.as_ref()?;
        let theme = build::theme(site).ok()?;
        let hashes = ModelHashes::default();
        let _ = hashes.internal.set(self.hashes.0);
        let _ = hashes.public.set(self.hashes.1);
        let renderer = build::renderer(&theme, reuse, &hashes);
        let memory = Memory::new(None);
        let words = reuse.search_words.as_ref();
        let record = Parsed::new(&*save.record, save.hash);
        let (element, entry) = T::render(&renderer, internal, record, words, &memory)?;
        let mut made = vec![splice(
            &self.files,
            &mut self.search[0],
            "",
            element,
            &entry,
        )?];
        made.extend(memory.into_files());
        Some(made)
    }
}

#[cfg(test)]
mod tests {
    use super::Edit;

    #[test]
    fn an_edit_moves_what_follows_it_and_grows_what_holds_it() {
        let old = "id: R-1\ndescription: Wrong answers\nowner: Ana\n";
        let new = "id: R-1\ndescription: Wrong and late answers\nowner: Ana\n";
        let edit = Edit::between(old, new);
        let owner = old.find("Ana").unwrap();
        assert_eq!(edit.moved(&(0..7)), Some(0..7), "before it: as it was");
        let moved = edit.moved(&(owner..owner + 3)).unwrap();
        assert_eq!(&new[moved], "Ana", "after it: moved");
        let value = old.find("Wrong").unwrap()..old.find("\nowner").unwrap();
        let grown = edit.moved(&value).unwrap();
        assert_eq!(&new[grown], "Wrong and late answers", "holding it: grown");
        let replaced = Edit::between("abcdef", "abXYef");
        assert_eq!(replaced.moved(&(0..3)), None, "holding part of it: unknown");
        assert_eq!(replaced.moved(&(1..5)), Some(1..5), "holding all of it");
        assert_eq!(
            edit.moved_apart(&value),
            None,
            "a finding on it is not moved"
        );
    }

    #[test]
    fn an_edit_that_shortens_or_repeats_is_one_span() {
        let edit = Edit::between("aXXXb", "ab");
        assert_eq!(edit.moved(&(4..5)), Some(1..2));
        let edit = Edit::between("abab", "ababab");
        assert_eq!(edit.moved(&(0..4)), Some(0..4), "added after it");
        assert_eq!(
            edit.moved(&(0..5)),
            Some(0..7),
            "holding where it was added"
        );
        assert_eq!(Edit::between("same", "same").moved(&(0..4)), Some(0..4));
    }
}
