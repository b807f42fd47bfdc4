//! A finding: one thing `check` has to say about a site, with where it is and what to do.

use crate::sources::FileId;
use std::ops::Range;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// Stable finding codes. Users filter on them in CI and search for them in the README, so a
/// code never changes meaning once released.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Code {
    UnreadableFile,
    UnsafePath,
    YamlSyntax,
    FrontMatter,
    UnknownField,
    MissingField,
    BadValue,
    BadDate,
    DuplicateId,
    MissingReference,
    UnknownControl,
    UnknownFramework,
    MissingControlRecord,
    ApplicabilityMismatch,
    MissingJustification,
    MissingPublicSummary,
    BrokenLink,
    BrokenAnchor,
    UnclosedInternalBlock,
    UrlCollision,
    EvidenceMissing,
    PathOutsideContent,
    ReviewOverdue,
    ReviewDueSoon,
    EvidenceExpired,
    LinkToNonPublic,
    PlaceholderText,
    InternalMarkerMalformed,
    PublicNotPublished,
    AssetNotPublic,
    CertificationExpired,
    CertificationExpiring,
    VersionMismatch,
    CommentNotHidden,
    UnsafeAsset,
    EvidenceExpiring,
    TemplateError,
    DateInFuture,
    DatesOutOfOrder,
    TargetOverdue,
    ChangedAfterApproval,
    HistoryShallow,
    HistoryUnreadable,
    NotCommitted,
    HistoryDateInFuture,
    DeprecatedField,
    SupplierNotPublic,
    DataUseContradiction,
    ShortNotice,
    NonconformityWithoutAction,
    ObjectiveWithoutMeasure,
    ActionOverdue,
    ClosedWithoutEffectivenessCheck,
    FolderNotRead,
    NoImpactAssessment,
    ClosedNotEffective,
    AssessmentRefusesSystem,
    NotAnOscalId,
    NoCurrentEvidence,
    ExcludedControlReliedOn,
    ImplementedUnderNonconformity,
    PublicLayoutDiffers,
    HiddenSinceApproval,
}

impl Code {
    pub fn as_str(self) -> &'static str {
        use Code::*;
        match self {
            UnreadableFile => "unreadable-file",
            UnsafePath => "unsafe-path",
            YamlSyntax => "yaml-syntax",
            FrontMatter => "front-matter",
            UnknownField => "unknown-field",
            MissingField => "missing-field",
            BadValue => "bad-value",
            BadDate => "bad-date",
            DuplicateId => "duplicate-id",
            MissingReference => "missing-reference",
            UnknownControl => "unknown-control",
            UnknownFramework => "unknown-framework",
            MissingControlRecord => "missing-control-record",
            ApplicabilityMismatch => "applicability-mismatch",
            MissingJustification => "missing-justification",
            MissingPublicSummary => "missing-public-summary",
            BrokenLink => "broken-link",
            BrokenAnchor => "broken-anchor",
            UnclosedInternalBlock => "unclosed-internal-block",
            UrlCollision => "url-collision",
            EvidenceMissing => "evidence-missing",
            PathOutsideContent => "path-outside-content",
            ReviewOverdue => "review-overdue",
            ReviewDueSoon => "review-due-soon",
            EvidenceExpired => "evidence-expired",
            LinkToNonPublic => "link-to-non-public",
            PlaceholderText => "placeholder-text",
            InternalMarkerMalformed => "internal-marker-malformed",
            PublicNotPublished => "public-not-published",
            AssetNotPublic => "asset-not-public",
            CertificationExpired => "certification-expired",
            CertificationExpiring => "certification-expiring",
            VersionMismatch => "version-mismatch",
            CommentNotHidden => "comment-not-hidden",
            UnsafeAsset => "unsafe-asset",
            EvidenceExpiring => "evidence-expiring",
            TemplateError => "template-error",
            DateInFuture => "date-in-future",
            DatesOutOfOrder => "dates-out-of-order",
            TargetOverdue => "target-overdue",
            ChangedAfterApproval => "changed-after-approval",
            HistoryShallow => "history-shallow",
            HistoryUnreadable => "history-unreadable",
            NotCommitted => "not-committed",
            HistoryDateInFuture => "history-date-in-future",
            DeprecatedField => "deprecated-field",
            SupplierNotPublic => "supplier-not-public",
            DataUseContradiction => "data-use-contradiction",
            ShortNotice => "short-notice",
            NonconformityWithoutAction => "nonconformity-without-action",
            ObjectiveWithoutMeasure => "objective-without-measure",
            ActionOverdue => "action-overdue",
            ClosedWithoutEffectivenessCheck => "closed-without-effectiveness-check",
            FolderNotRead => "folder-not-read",
            NoImpactAssessment => "no-impact-assessment",
            ClosedNotEffective => "closed-not-effective",
            AssessmentRefusesSystem => "assessment-refuses-system",
            NotAnOscalId => "not-an-oscal-id",
            NoCurrentEvidence => "no-current-evidence",
            ExcludedControlReliedOn => "excluded-control-relied-on",
            ImplementedUnderNonconformity => "implemented-under-nonconformity",
            PublicLayoutDiffers => "public-layout-differs",
            HiddenSinceApproval => "hidden-since-approval",
        }
    }

    pub fn severity(self) -> Severity {
        use Code::*;
        match self {
            ReviewOverdue
            | ReviewDueSoon
            | EvidenceExpired
            | LinkToNonPublic
            | PlaceholderText
            | PublicNotPublished
            | CertificationExpiring
            | EvidenceExpiring
            | TargetOverdue
            | ChangedAfterApproval
            | HistoryShallow
            | HistoryUnreadable
            | HistoryDateInFuture
            | DeprecatedField
            | SupplierNotPublic
            | ShortNotice
            | NonconformityWithoutAction
            | ObjectiveWithoutMeasure
            | ActionOverdue
            | FolderNotRead
            | NoImpactAssessment
            | ClosedNotEffective
            | NotAnOscalId
            | NoCurrentEvidence
            | ExcludedControlReliedOn
            | ImplementedUnderNonconformity => Severity::Warning,
            _ => Severity::Error,
        }
    }
}

/// A place in a source file: a byte range of its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct At {
    pub file: FileId,
    pub span: Range<usize>,
}

#[derive(Clone, Debug)]
pub struct Finding {
    pub severity: Severity,
    pub code: Code,
    pub message: String,
    pub at: Option<At>,
    /// The file, for findings about a file whose text could not be loaded.
    pub path: Option<std::path::PathBuf>,
    /// Short text shown under the offending source.
    pub label: Option<String>,
    /// What to do about it.
    pub help: Option<String>,
    /// Other places that explain this one, such as the first of two duplicate ids.
    pub notes: Vec<(At, String)>,
}

impl Finding {
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Finding {
            severity: code.severity(),
            code,
            message: message.into(),
            at: None,
            path: None,
            label: None,
            help: None,
            notes: Vec::new(),
        }
    }

    pub fn at(mut self, at: At) -> Self {
        self.at = Some(at);
        self
    }

    pub fn in_file(mut self, path: impl Into<std::path::PathBuf>) -> Self {
        self.path = Some(path.into());
        self
    }

    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn note(mut self, at: At, text: impl Into<String>) -> Self {
        self.notes.push((at, text.into()));
        self
    }
}

/// The candidate closest to `word`, if it is close enough to be a likely typo.
pub fn nearest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    // Case counts as no difference (`SR-6` for `sr-6`), then a typo's edits do.
    let lower = word.to_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(&lower, &c.to_lowercase()), c))
        .filter(|&(distance, c)| distance <= (c.len().max(word.len()) / 3).max(1))
        // Ties go to the first in order, not in whichever order a map lists them: the
        // same site gets the same suggestion on every run.
        .min()
        .map(|(_, c)| c)
}

/// " Did you mean `x`?" or nothing.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    nearest(word, candidates)
        .map(|c| format!("did you mean `{c}`?"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_finds_typos_but_not_strangers() {
        let fields = ["title", "owner", "status", "visibility"];
        assert_eq!(nearest("titel", fields), Some("title"));
        // A tie goes to the first by name, whatever order the candidates come in.
        assert_eq!(nearest("POL-2", ["POL-3", "POL-1"]), Some("POL-1"));
        assert_eq!(nearest("POL-2", ["POL-1", "POL-3"]), Some("POL-1"));
        assert_eq!(nearest("visibilty", fields), Some("visibility"));
        assert_eq!(nearest("colour", fields), None);
        assert_eq!(nearest("SR-6", ["sr-6", "sr-5"]), Some("sr-6"));
    }
}
