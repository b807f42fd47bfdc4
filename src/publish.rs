//! The one place that decides what the public may see, and why: for every kind of record,
//! and for every asset file. `check` reports the decisions that would surprise an author
//! (a source marked public that will not be published; a public page using an internal
//! asset), `model` obeys them, and the handbook prints them as the publication report.
//!
//! Deny by default: a record is public only when it is marked so *and* ready: a policy
//! approved, a page not draft, in review or retired, a control assessed (its justification
//! written), a public summary that is not a placeholder, and no placeholder in any text
//! its public page would print. An asset is public only when it
//! lies under `content/assets/` (symbolic links included: where they lead counts), outside
//! `assets/internal/`, is not named (nor its folder) as evidence or an impact assessment,
//! is no hard link to such a file, and is nothing a browser would run.

use crate::hash::{HashMap, HashSet};
use crate::hash::{HashMapExt, HashSetExt};
use crate::load::files::inside_content;
use crate::load::records::{ControlRecord, DocStatus, Visibility};
use crate::load::{DocKind, Document, Site};
use std::fs;
use std::path::{Path, PathBuf};

/// How the public site shows a source, and why a source its author marked public or
/// restricted is shown less than that.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    pub shown: Visibility,
    pub withheld: Option<&'static str>,
    /// The field that is why, when it is not the public summary or the status.
    pub field: Option<&'static str>,
}

impl Decision {
    fn as_marked(visibility: Visibility) -> Self {
        Decision {
            shown: visibility,
            withheld: None,
            field: None,
        }
    }

    fn withheld(why: &'static str) -> Self {
        Decision {
            shown: Visibility::Internal,
            withheld: Some(why),
            field: None,
        }
    }
}

/// A record the public site may show: how it is marked, its public summary, and the texts
/// its page prints as written, public or (by name, "on request") restricted.
pub trait Shown {
    fn visibility(&self) -> Visibility;
    fn public_summary(&self) -> Option<&str>;
    /// The texts the public site prints when the record is `shown` so, by field.
    fn shown_texts(&self, shown: Visibility) -> Vec<(&'static str, &str)>;
}

const UNWRITTEN: &str =
    "a text it shows still says TODO (or TBD): the public page would print it as written";

/// A record's decision: shown as marked once its public summary is written, and every
/// text it would show: an AI system whose purpose says `TODO: why it is used` is not a
/// statement anyone has made yet, any more than a control's placeholder justification.
pub fn of<S: Shown + ?Sized>(shown: &S) -> Decision {
    let decision = record(shown.visibility(), shown.public_summary());
    if decision.shown == Visibility::Internal {
        return decision;
    }
    let texts = shown.shown_texts(decision.shown);
    unless_unwritten(decision, texts)
}

/// Why a source is withheld whose shown text holds a comment or a marker: `check` makes
/// it an error (`comment-not-hidden`), as in a body.
pub const COMMENT_IN_FIELD: &str = "a text it shows holds `<!--`: a field is printed as written, so a comment or internal marker in it would be shown, not hidden";

/// Whether a field's text holds what reads as a comment or an internal marker.
pub fn holds_comment(text: &str) -> bool {
    // Not `-->` alone: in a field it is an arrow (`draft --> review`), printed as such.
    // Every public text of every record is asked on each build: ASCII, the common case,
    // needs no normalising (its look-alikes are `!-` and `<!` themselves).
    if text.is_ascii() {
        return text.contains("!-") || text.contains("<!");
    }
    let bang_dash = || {
        (text.chars().zip(text.chars().skip(1)))
            .any(|(c, d)| crate::load::markers::is_bang(c) && crate::load::markers::is_dash(d))
    };
    text.contains("<!--") || bang_dash() || {
        let read = crate::load::markers::normalise(text);
        read.contains("!--") || read.contains("<!")
    }
}

/// `decision`, or held back for the first of `texts` that holds a comment, else for the
/// first that is still a placeholder.
fn unless_unwritten(decision: Decision, texts: Vec<(&'static str, &str)>) -> Decision {
    if let Some((field, _)) = texts.iter().find(|(_, text)| holds_comment(text)) {
        return Decision {
            field: Some(field),
            ..Decision::withheld(COMMENT_IN_FIELD)
        };
    }
    match texts
        .into_iter()
        .find(|(_, text)| placeholder(text).is_some())
    {
        Some((field, _)) => Decision {
            field: Some(field),
            ..Decision::withheld(UNWRITTEN)
        },
        None => decision,
    }
}

/// The two methods every record kind answers from its own `visibility` and
/// `public_summary` fields.
macro_rules! marked {
    () => {
        fn visibility(&self) -> Visibility {
            self.visibility
        }
        fn public_summary(&self) -> Option<&str> {
            self.public_summary.as_deref()
        }
    };
}

/// Records are shared (`Arc`) and borrowed as often as owned: either decides as the record.
impl<P: std::ops::Deref<Target: Shown>> Shown for P {
    fn visibility(&self) -> Visibility {
        (**self).visibility()
    }
    fn public_summary(&self) -> Option<&str> {
        (**self).public_summary()
    }
    fn shown_texts(&self, shown: Visibility) -> Vec<(&'static str, &str)> {
        (**self).shown_texts(shown)
    }
}

impl Shown for crate::load::records::SystemRecord {
    marked!();
    fn shown_texts(&self, shown: Visibility) -> Vec<(&'static str, &str)> {
        let mut texts = vec![("name", self.name.as_str())];
        if shown == Visibility::Public {
            texts.extend([
                ("description", self.description.as_str()),
                ("purpose", self.purpose.as_str()),
                ("human_oversight", self.human_oversight.as_str()),
            ]);
            let optional = [
                ("ai_disclosure", &self.ai_disclosure),
                ("limitations", &self.limitations),
                ("affected_people", &self.affected_people),
                ("data_retention", &self.data_retention),
                ("opt_out", &self.opt_out),
            ];
            texts.extend((optional.into_iter()).filter_map(|(f, t)| Some((f, t.as_deref()?))));
            texts.extend(self.models.iter().map(|m| ("models", m.as_str())));
        }
        texts
    }
}

impl Shown for crate::load::records::RiskRecord {
    marked!();
    fn shown_texts(&self, _: Visibility) -> Vec<(&'static str, &str)> {
        vec![("title", self.title.as_str())]
    }
}

impl Shown for crate::load::records::SupplierRecord {
    marked!();
    fn shown_texts(&self, shown: Visibility) -> Vec<(&'static str, &str)> {
        let mut texts = vec![("name", self.name.as_str())];
        if shown == Visibility::Public {
            texts.extend([
                ("service", self.service.as_str()),
                ("purpose", self.purpose.as_str()),
            ]);
            texts.extend(self.retention.as_deref().map(|r| ("retention", r)));
            texts.extend(
                self.data_categories
                    .iter()
                    .map(|c| ("data_categories", c.as_str())),
            );
            texts.extend(self.locations.iter().map(|l| ("locations", l.as_str())));
        }
        texts
    }
}

impl Shown for crate::load::aims::ObjectiveRecord {
    marked!();
    fn shown_texts(&self, shown: Visibility) -> Vec<(&'static str, &str)> {
        let mut texts = vec![("statement", self.statement.as_str())];
        if shown == Visibility::Public {
            texts.push(("target", self.target.as_str()));
        }
        texts
    }
}

impl Shown for crate::load::aims::AssessmentRecord {
    marked!();
    /// A public assessment shows its decision and date beside its summary: nothing free.
    fn shown_texts(&self, _: Visibility) -> Vec<(&'static str, &str)> {
        Vec::new()
    }
}

/// A document's decision. Policies must be approved; pages have no status to give, but one
/// that says draft, in review or retired is not published either.
pub fn document_decision(
    kind: DocKind,
    visibility: Visibility,
    status: Option<DocStatus>,
) -> Decision {
    let unpublishable = match (kind, status) {
        (_, Some(DocStatus::Approved)) | (DocKind::Page, None) => None,
        (DocKind::Policy, None) => Some("it has no status (only approved policies are published)"),
        (_, Some(DocStatus::Draft)) => Some("it is a draft (status: draft)"),
        (_, Some(DocStatus::InReview)) => Some("it is still in review (status: in_review)"),
        (_, Some(DocStatus::Retired)) => Some("it is retired (status: retired)"),
    };
    match (visibility, unpublishable) {
        (Visibility::Internal, _) | (_, None) => Decision::as_marked(visibility),
        (_, Some(why)) => Decision::withheld(why),
    }
}

pub fn document(document: &Document) -> Decision {
    (document.decision.get_or_init(|| decide(document))).clone()
}

fn decide(document: &Document) -> Decision {
    meta_decision(document.kind, &document.record.data)
}

/// How the public site shows a document of `kind` with front matter `meta` (its body
/// decides nothing: a placeholder in it is `check`'s error, a build's refusal).
pub fn meta_decision(kind: DocKind, meta: &crate::load::records::DocumentMeta) -> Decision {
    let decision = document_decision(kind, meta.visibility, meta.status);
    let decision = with_summary(decision, meta.public_summary.as_deref());
    if decision.shown == Visibility::Internal {
        return decision;
    }
    // "Approved" is a claim that someone approved it: not while the approver is unwritten.
    let approver_unwritten =
        (meta.approved_by.as_deref()).is_some_and(|by| placeholder(by).is_some());
    if meta.status == Some(DocStatus::Approved) && approver_unwritten {
        return Decision {
            field: Some("approved_by"),
            ..Decision::withheld(
                "its approved_by still says TODO (or TBD): who approved it is not written",
            )
        };
    }
    // What its page, the site's lists, trust.json and the feed print as written.
    let mut texts: Vec<(&'static str, &str)> = vec![("title", meta.title.as_str())];
    // Restricted, it is listed by its title and summary alone.
    if decision.shown == Visibility::Public {
        texts.extend(meta.version.as_deref().map(|v| ("version", v)));
        texts.extend(meta.tags.iter().map(|t| ("tags", &**t)));
        texts.extend(
            meta.revisions
                .iter()
                .map(|r| ("revisions", r.summary.as_str())),
        );
        texts.extend(meta.revisions.iter().map(|r| ("revisions", &*r.version)));
    }
    unless_unwritten(decision, texts)
}

/// The version of `site.documents[index]` the public site shows, and its decision: under
/// `publish: approved`, the text of its approving commit, shown no more than both it and
/// the working copy allow (a working copy made internal withdraws it; an approved version
/// that was restricted, or that still says TODO, stays so). The handbook and `check` say
/// what this says.
pub fn published(site: &Site, index: usize) -> (&Document, Decision) {
    let working = &site.documents[index];
    let exposure = |v: Visibility| match v {
        Visibility::Internal => 0,
        Visibility::Restricted => 1,
        Visibility::Public => 2,
    };
    match site.approved_versions.get(&index) {
        None => (working, document(working)),
        Some(approved) => {
            let (a, w) = (document(approved), document(working));
            let shown = if exposure(a.shown) < exposure(w.shown) {
                a
            } else {
                w
            };
            (approved, shown)
        }
    }
}

/// Systems and risks are shown as marked, once their public summary is written.
pub fn record(visibility: Visibility, public_summary: Option<&str>) -> Decision {
    with_summary(Decision::as_marked(visibility), public_summary)
}

/// A public summary that still says TODO is not a sentence to publish: the record waits.
fn with_summary(decision: Decision, public_summary: Option<&str>) -> Decision {
    if decision.shown != Visibility::Internal && public_summary.is_some_and(holds_comment) {
        return Decision {
            field: Some("public_summary"),
            ..Decision::withheld(COMMENT_IN_FIELD)
        };
    }
    let unwritten = public_summary.is_some_and(|s| placeholder(s).is_some());
    if decision.shown == Visibility::Internal || !unwritten {
        return decision;
    }
    Decision::withheld("its public_summary still says TODO (or TBD)")
}

/// A control is shown as marked once it is assessed: a status next to a placeholder
/// justification is not a claim anyone has made yet.
pub fn control(control: &ControlRecord) -> Decision {
    match (control.visibility, is_assessed(control)) {
        (Visibility::Internal, _) | (_, true) => {
            record(control.visibility, control.public_summary.as_deref())
        }
        (_, false) => {
            Decision::withheld("its justification is still a placeholder (not yet assessed)")
        }
    }
}

/// Whether a control has been assessed: its justification is written, not a placeholder
/// such as the `TODO` that `init` leaves. Until then its status is counted nowhere as
/// implemented, planned or anything else.
pub fn is_assessed(control: &ControlRecord) -> bool {
    control
        .justification
        .as_deref()
        .is_some_and(|text| !text.trim().is_empty() && placeholder(text).is_none())
}

/// `TODO`, `TBD` and friends: text not written yet. Read as a person reads it (NFKC,
/// look-alike letters, invisible characters, dots and dashes inside the word dropped, so
/// `T.B.D.`, `ＴＯＤＯ` and a Cyrillic `Т` count): in capitals anywhere, in any case when the
/// text starts with it (`todo: ask legal`), and `to be determined`. A false alarm asks the
/// author for one sentence; a miss publishes an unwritten claim.
pub fn placeholder(text: &str) -> Option<&'static str> {
    // Verdicts kept per thread by the text's length and hash: `serve` asks again about
    // every text of the site on each save, and `check` and the models ask about the same
    // texts in one build. A 64-bit collision between two texts of one length is not a
    // practical worry.
    thread_local! {
        static JUDGED: std::cell::RefCell<HashMap<(usize, u64), Option<&'static str>>> =
            std::cell::RefCell::new(HashMap::new());
    }
    let key = (text.len(), xxhash_rust::xxh3::xxh3_64(text.as_bytes()));
    if let Some(verdict) = JUDGED.with(|judged| judged.borrow().get(&key).copied()) {
        return verdict;
    }
    let verdict = placeholder_in(text);
    JUDGED.with(|judged| {
        let mut judged = judged.borrow_mut();
        if judged.len() > 200_000 {
            judged.clear();
        }
        judged.insert(key, verdict);
    });
    verdict
}

fn placeholder_in(text: &str) -> Option<&'static str> {
    use unicode_normalization::UnicodeNormalization;
    const WORDS: [&str; 4] = ["TODO", "TBD", "FIXME", "XXX"];
    let kept = |c: &char| !crate::load::markers::is_invisible(*c) && !matches!(c, '.' | '-' | '_');
    // ASCII is its own NFKC form: most text skips the normalisation.
    let read: String = if text.is_ascii() {
        text.chars().filter(kept).collect()
    } else {
        text.nfkc().filter(kept).collect()
    };
    // Compared on confusable skeletons of the capitals, so look-alike letters count.
    let key = |word: &str| -> String {
        unicode_security::confusable_detection::skeleton(&word.to_uppercase()).collect()
    };
    // The words' own skeletons, made once: this runs on every line of every public body.
    static PLACEHOLDERS: std::sync::LazyLock<Vec<(String, &'static str)>> =
        std::sync::LazyLock::new(|| {
            let key = |word: &str| -> String {
                unicode_security::confusable_detection::skeleton(&word.to_uppercase()).collect()
            };
            WORDS.iter().map(|w| (key(w), *w)).collect()
        });
    let placeholders = &*PLACEHOLDERS;
    // What each word was found to be, kept per thread: the same few thousand words recur
    // across a site's texts, and a skeleton costs a table lookup per letter.
    thread_local! {
        static SEEN: std::cell::RefCell<HashMap<String, Option<&'static str>>> =
            std::cell::RefCell::new(HashMap::new());
    }
    let named = |word: &str| {
        // A look-alike can stand for two letters at most (`rn` for `m`): a word over twice
        // the longest placeholder's length is none of them, and needs no skeleton.
        if word.chars().count() > 10 {
            return None;
        }
        let known = SEEN.with(|seen| seen.borrow().get(word).copied());
        if let Some(found) = known {
            return found;
        }
        let skeleton = key(word);
        let found = (placeholders.iter())
            .find(|(k, _)| *k == skeleton)
            .map(|(_, w)| *w);
        SEEN.with(|seen| {
            let mut seen = seen.borrow_mut();
            if seen.len() > 100_000 {
                seen.clear();
            }
            seen.insert(word.to_string(), found);
        });
        found
    };
    let words: Vec<&str> = (read.split(|c: char| !c.is_alphanumeric()))
        .filter(|w| !w.is_empty())
        .collect();
    let capital = (words.iter())
        .filter(|w| w.chars().all(|c| !c.is_lowercase()))
        .find_map(|w| named(w));
    // In capitals and run into more (`TODO_write`, `TODO-1234` once the dash and the
    // underscore are dropped), but not into more capitals (`XXXL`) nor made a plural
    // (`TBDs` names them, it is not one).
    let prefixed = || {
        words.iter().find_map(|w| {
            WORDS.iter().copied().find(|p| {
                w.strip_prefix(p).is_some_and(|rest| {
                    !rest.is_empty() && rest != "s" && !rest.starts_with(char::is_uppercase)
                })
            })
        })
    };
    let first = words.first().and_then(|w| named(w));
    // Spelt out, however spaced or hyphenated (the hyphens are dropped above).
    let compact: String = (read.chars())
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect();
    let spelt = compact.contains("tobedetermined").then_some("TBD");
    capital.or_else(prefixed).or(first).or(spelt)
}

/// Why an asset may not be published, or where it really is.
#[derive(Debug, PartialEq, Eq)]
pub enum AssetRefusal {
    /// A symbolic link (or `..`) leading out of `content/assets/`.
    Escapes(String),
    /// Internal material: the reason names what made it so.
    Internal(String),
    /// A file a browser would run as a page or script on the site's own address (HTML,
    /// JavaScript, or SVG with scripting features): the pages' Content-Security-Policy does
    /// not cover a file opened directly.
    Active(String),
}

/// The audience of asset files, from what the records say about them.
pub struct Assets {
    content: PathBuf,
    /// `content/assets/`, symbolic links resolved.
    assets_root: Option<PathBuf>,
    internal_root: Option<PathBuf>,
    /// Files (or folders) records name as evidence or impact assessment, both as written
    /// (under `content/`) and where they really are.
    named_internal: HashSet<PathBuf>,
    /// Device and inode of every internal file: a hard link to one is the same file.
    internal_inodes: HashSet<(u64, u64)>,
}

impl Assets {
    pub fn new(site: &Site) -> Self {
        let canonical = |p: PathBuf| fs::canonicalize(p).ok();
        let mut named_internal = HashSet::new();
        let mut internal_inodes = HashSet::new();
        let internal_folder = site.content.join("assets").join("internal");
        for path in internal_record_files(site)
            .into_iter()
            .map(|relative| site.content.join(relative))
            .chain(std::iter::once(internal_folder.clone()))
        {
            if let Some(real) = canonical(path.clone()) {
                collect_inodes(&real, &mut internal_inodes);
                named_internal.insert(real);
            }
            named_internal.insert(path);
        }
        named_internal.remove(&internal_folder);
        Assets {
            content: site.content.clone(),
            assets_root: canonical(site.content.join("assets")),
            internal_root: canonical(internal_folder),
            named_internal,
            internal_inodes,
        }
    }

    /// The real path of a public asset (`relative` is under `content/`), or why it is not
    /// one. Reads only file metadata.
    pub fn public_file(&self, relative: &Path) -> Result<PathBuf, AssetRefusal> {
        let written = self.content.join(relative);
        let real = self.inside_assets(relative)?;
        let under_assets =
            (self.assets_root.as_ref()).and_then(|root| real.strip_prefix(root).ok());
        if relative.starts_with("assets/internal")
            || (relative.strip_prefix("assets").ok()).is_some_and(first_is_internal)
            || under_assets.is_some_and(first_is_internal)
            || self
                .internal_root
                .as_ref()
                .is_some_and(|r| real.starts_with(r))
        {
            return Err(AssetRefusal::Internal(
                "it is under content/assets/internal/".into(),
            ));
        }
        // A folder named as evidence makes everything in it evidence.
        let named = |path: &Path| path.ancestors().any(|a| self.named_internal.contains(a));
        if named(&real) || named(&written) {
            return Err(AssetRefusal::Internal(
                "a record names it (or its folder) as evidence, an impact assessment, an audit report or a certificate that is not public".into(),
            ));
        }
        if self.is_internal_file(&real) {
            return Err(AssetRefusal::Internal(
                "it is a hard link to an internal file (evidence or under assets/internal/)".into(),
            ));
        }
        if let Some(why) = active_content(&real) {
            return Err(AssetRefusal::Active(why));
        }
        Ok(real)
    }

    /// Whether `path` is the same file (device and inode) as an internal one.
    pub fn is_internal_file(&self, path: &Path) -> bool {
        inode(path).is_some_and(|id| self.internal_inodes.contains(&id))
    }

    /// Where the asset really is, when that is inside `content/assets/`.
    pub fn inside_assets(&self, relative: &Path) -> Result<PathBuf, AssetRefusal> {
        let escapes = |why: &str| AssetRefusal::Escapes(why.to_string());
        let relative = inside_content(&relative.to_string_lossy())
            .ok_or_else(|| escapes("it leads outside content/"))?;
        let real = fs::canonicalize(self.content.join(&relative))
            .map_err(|_| escapes("it cannot be followed (a dangling or looping link?)"))?;
        match &self.assets_root {
            Some(root) if relative.starts_with("assets") && real.starts_with(root) => Ok(real),
            _ => Err(escapes(
                "it is a symbolic link that leads outside content/assets/",
            )),
        }
    }
}

/// Whether the first folder of `path` is `internal` in any case: on a disk that ignores
/// case (macOS, Windows) `assets/Internal/` is `assets/internal/`, and on any disk its
/// author meant it so.
fn first_is_internal(path: &Path) -> bool {
    let mut components = path.components();
    let first = components.next();
    components.next().is_some()
        && first.is_some_and(|c| {
            crate::load::markers::name_reads_as(&c.as_os_str().to_string_lossy(), "internal")
        })
}

/// The kinds of file an asset may be: images, documents, data and media that no browser
/// runs. Anything else is refused, not judged: hosts serve `.atom`, `.rss`, `.mml`, `.php`
/// and many more as pages or XML a browser would run script in, on the site's address
/// (and `.gz`: a host may serve `x.svg.gz` as an SVG).
const ASSET_KINDS: [&str; 51] = [
    "png", "jpg", "jpeg", "gif", "webp", "avif", "ico", "bmp", "tif", "tiff", "svg", "pdf", "txt",
    "md", "csv", "tsv", "json", "yaml", "yml", "docx", "xlsx", "pptx", "doc", "xls", "ppt", "odt",
    "ods", "odp", "rtf", "epub", "zip", "7z", "mp3", "m4a", "mp4", "mov", "webm", "ogg", "wav",
    "vtt", "srt", "woff", "woff2", "ttf", "otf", "asc", "sig", "pem", "crt", "cer", "pub",
];

/// Why a browser could run the file as script on the site's address, if it could. SVG is
/// allowed only without any scripting feature (judged conservatively: a false alarm asks
/// for a PNG, a miss would be script on the trust centre's origin).
fn active_content(path: &Path) -> Option<String> {
    let extension = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if !ASSET_KINDS.contains(&extension.as_str()) {
        let named = match extension.as_str() {
            "" => "a file without an extension".to_string(),
            other => format!("a .{other} file"),
        };
        return Some(format!(
            "{named} is not a kind of asset trustbook publishes: a host may serve it as a page, script or XML that runs on the site (assets may be {})",
            ASSET_KINDS.join(", ")
        ));
    }
    if extension != "svg" {
        return None;
    }
    let Ok(text) = fs::read(path) else {
        return Some("the SVG cannot be read to judge it".into());
    };
    // Judged as UTF-8 text: one in UTF-16, or declaring another encoding (ISO-2022-JP's
    // escapes split a tag name), hides its tags from the scan.
    let declared = String::from_utf8_lossy(&text[..text.len().min(200)]).to_ascii_lowercase();
    let other_encoding = declared.contains("encoding=")
        && !(declared.contains("encoding=\"utf-8\"") || declared.contains("encoding='utf-8'"));
    if std::str::from_utf8(&text).is_err()
        || text.contains(&0)
        || text.contains(&0x1b)
        || other_encoding
    {
        return Some("an SVG not written in UTF-8 cannot be judged free of script; save it as UTF-8, or export it as PNG".into());
    }
    let lower = String::from_utf8_lossy(&text).to_ascii_lowercase();
    let handler = lower.match_indices("on").any(|(i, _)| {
        let before = lower[..i].chars().next_back();
        let rest = &lower[i + 2..];
        let name = rest.chars().take_while(char::is_ascii_alphabetic).count();
        before.is_some_and(|c| c.is_whitespace() || c == '/' || c == '"' || c == '\'')
            && name > 0
            && rest[name..].trim_start().starts_with('=')
    });
    const FEATURES: [&str; 9] = [
        "script",
        "foreignobject",
        "<set",
        "<animate",
        "<handler",
        "&#",
        "data:",
        "<!entity",
        "xml-stylesheet",
    ];
    let feature = FEATURES.iter().find(|f| lower.contains(*f));
    let external = lower.contains("href=\"http") || lower.contains("href='http");
    let found = match (feature, handler) {
        (Some(feature), _) => format!("`{feature}`"),
        (None, true) => "an event handler (`on…=`)".to_string(),
        (None, false) => "a link to another host (`href=\"http…`)".to_string(),
    };
    if handler || feature.is_some() || external {
        Some(format!(
            "an SVG with a scripting feature ({found}; judged are script, event handlers, animation, embedded or external references) could run script on the site; export it without them, or as PNG"
        ))
    } else {
        None
    }
}

#[cfg(unix)]
fn inode(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    let meta = fs::metadata(path).ok()?;
    meta.is_file().then(|| (meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
fn inode(_: &Path) -> Option<(u64, u64)> {
    None
}

/// The inodes of `path` and, for a folder, of every file below it (links not followed).
fn collect_inodes(path: &Path, into: &mut HashSet<(u64, u64)>) {
    if let Some(id) = inode(path) {
        into.insert(id);
    } else if let Ok(entries) = fs::read_dir(path) {
        for entry in entries.filter_map(Result::ok) {
            if entry.file_type().is_ok_and(|t| !t.is_symlink()) {
                collect_inodes(&entry.path(), into);
            }
        }
    }
}

/// Files (under `content/`) that records name as evidence or impact assessment.
pub fn internal_record_files(site: &Site) -> Vec<PathBuf> {
    let evidence = site
        .controls
        .iter()
        .flat_map(|c| c.data.evidence.iter().filter_map(|e| e.path.as_deref()));
    let assessments = site
        .systems
        .iter()
        .filter_map(|s| s.data.impact_assessment.as_ref()?.path.as_deref());
    let suppliers = (site.suppliers.iter())
        .flat_map(|s| s.data.evidence.iter().filter_map(|e| e.path.as_deref()));
    let reports = (site.audits.iter()).filter_map(|a| a.data.report.as_deref());
    // A certificate kept restricted (sent on request) or internal is not a public file
    // because a public page links to it.
    let certificates = (site.config.iter())
        .flat_map(|c| c.data.all_certifications().map(|(_, cert)| cert))
        .filter(|cert| cert.visibility != Visibility::Public)
        .filter_map(|cert| cert.certificate_file.as_deref());
    evidence
        .chain(suppliers)
        .chain(reports)
        .chain(certificates)
        .chain(assessments)
        .filter_map(inside_content)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_approved_policies_and_finished_pages_are_public() {
        use DocStatus::*;
        let cases = [
            (DocKind::Policy, Some(Approved), Visibility::Public, None),
            (
                DocKind::Policy,
                Some(Draft),
                Visibility::Internal,
                Some("draft"),
            ),
            (
                DocKind::Policy,
                Some(InReview),
                Visibility::Internal,
                Some("review"),
            ),
            (
                DocKind::Policy,
                None,
                Visibility::Internal,
                Some("no status"),
            ),
            (DocKind::Page, None, Visibility::Public, None),
            (DocKind::Page, Some(Approved), Visibility::Public, None),
            (
                DocKind::Page,
                Some(Draft),
                Visibility::Internal,
                Some("draft"),
            ),
            (
                DocKind::Page,
                Some(Retired),
                Visibility::Internal,
                Some("retired"),
            ),
        ];
        for (kind, status, shown, why) in cases {
            let decision = document_decision(kind, Visibility::Public, status);
            assert_eq!(decision.shown, shown, "{kind:?} {status:?}");
            match why {
                Some(word) => assert!(decision.withheld.unwrap().contains(word)),
                None => assert_eq!(decision.withheld, None),
            }
        }
        let restricted = document_decision(DocKind::Page, Visibility::Restricted, Some(Draft));
        assert_eq!(restricted.shown, Visibility::Internal);
        let internal = document_decision(DocKind::Policy, Visibility::Internal, Some(Draft));
        assert_eq!(internal.withheld, None, "nothing to warn about");
    }
}
