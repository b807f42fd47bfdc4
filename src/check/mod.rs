//! Stage 2: every rule of docs/format.md §5 that spans a field, a record or the whole site.
//!
//! Each rule is a function over the loaded site that appends findings; they share one
//! index of ids. A record that failed to load is left out of the index but its id is
//! known, so a reference to it is not reported twice.

mod aims;
mod certification;
mod data_use;
mod dates;
pub mod evidence;
mod fields;
mod ids;
mod links;
pub use links::LinkFindings;
mod provenance;
mod reviews;
mod suppliers;
mod versions;
mod words;

use crate::finding::{At, Code, Finding};
use crate::hash::HashMap;
use crate::hash::HashMapExt;
use crate::load::date::Date;
use crate::load::outline::Outline;
use crate::load::records::SiteConfig;
use crate::load::records::Visibility;
use crate::load::yaml::Positions;
use crate::load::{Document, Record, Site};
use crate::publish;
use crate::urls;
use std::ops::Range;

pub use crate::kind::Kind;

/// What the rules need to know of any record by its id.
pub struct Entry {
    pub kind: Kind,
    pub at: At,
    pub url: String,
    /// Whether the public site has a page for it.
    pub published: bool,
    /// Whether the public site lists it as available on request (restricted).
    pub on_request: bool,
    /// For documents: index into `site.documents`.
    pub document: Option<usize>,
}

pub struct Index {
    pub by_id: HashMap<String, Entry>,
    /// Ids used twice (already reported): what a link to them means is unknown.
    pub duplicated: crate::hash::HashSet<String>,
}

fn id_at<T>(record: &Record<T>) -> At {
    At {
        file: record.file,
        span: record.positions.value("id"),
    }
}

/// Whether the value written at `path` already has a finding (a bad date, a bad value):
/// then it is not also reported as missing.
pub fn reported_at(findings: &[Finding], file: usize, positions: &Positions, path: &str) -> bool {
    positions.exact(path).is_some_and(|span| {
        findings.iter().any(|f| {
            f.at.as_ref()
                .is_some_and(|at| at.file == file && at.span == span)
        })
    })
}

/// A place inside a record, by the path of its value.
pub fn value_at(file: usize, positions: &Positions, path: &str) -> At {
    At {
        file,
        span: positions.value(path),
    }
}

pub fn run(site: &Site, today: Date, findings: &mut Vec<Finding>) {
    run_keeping((site, None), today, findings);
}

/// What the rules on a document's body need of the whole site, from a run of `check`:
/// `serve` keeps it, so that a save that changes a body alone re-checks that body alone.
pub struct BodyRules {
    index: Index,
    assets: publish::Assets,
}

impl BodyRules {
    /// The findings of every rule that reads the body of `document` (of `site`, whose
    /// links `resolver` resolves), whose source text is `text` (hashed as `hash`), and
    /// whose outline, like any document's, `outline_of` gives by index into
    /// `site.documents`. Any other rule's findings depend on no body.
    pub fn findings<'a>(
        &'a self,
        site: (&'a Site, &'a crate::links::Resolver<'a>),
        document: &Document,
        (text, hash): (&str, u64),
        outline_of: &'a (dyn Fn(usize) -> &'a Outline + Sync),
    ) -> Vec<Finding> {
        let mut findings = Vec::new();
        links::body(
            site,
            &self.index,
            &self.assets,
            document,
            outline_of,
            &mut findings,
        );
        if publish::document(document).shown == Visibility::Public {
            document_placeholders(document, (text, hash), &mut findings);
            document_layout(document, text, &mut findings);
        }
        findings
    }
}

/// `run`, keeping what `BodyRules` needs; with `links`, the links rule's findings of
/// each document are kept there for the next run (and taken from it).
pub fn run_keeping(
    (site, links): (&Site, Option<&LinkFindings>),
    today: Date,
    findings: &mut Vec<Finding>,
) -> BodyRules {
    // Each record's kind, id, URL and what the public site shows of it: three rules read
    // them all, and a document's decision reads its text for placeholders.
    let records_owned: Vec<AnyRecord> = each_record(site).collect();
    let records = &records_owned;
    let index_owned = ids::build_index(records, findings);
    // Reads metadata of evidence and internal assets: once per run, shared by the rules.
    let assets_owned = publish::Assets::new(site);
    let (index, assets) = (&index_owned, &assets_owned);
    let mut rules: Vec<Rule> = vec![
        Rule::alone(move |f| ids::check_ids(records, f)),
        Rule::alone(move |f| ids::check_references(site, index, f)),
        Rule::alone(move |f| ids::check_frameworks(site, f)),
        Rule::alone(move |f| ids::check_catalogs(site, f)),
        Rule::alone(move |f| ids::check_oscal_ids(site, f)),
        Rule::alone(move |f| ids::check_mappings(site, f)),
        Rule::alone(move |f| ids::check_excluded_controls(site, f)),
        // Reads what was found before it: a value already reported is not also missing.
        Rule::after_those_before(move |f| fields::check(site, f)),
        Rule::alone(move |f| versions::check(site, f)),
        Rule::alone(move |f| links::check((site, links), index, assets, f)),
        Rule::alone(move |f| links::check_url_collisions(records, f)),
        Rule::alone(move |f| evidence::check(site, today, f)),
        Rule::alone(move |f| dates::check(site, today, f)),
        Rule::alone(move |f| suppliers::check(site, f)),
        Rule::alone(move |f| aims::check(site, today, f)),
    ];
    if let Some(config) = &site.config {
        rules.extend([
            Rule::alone(move |f| reviews::check(site, today, config.data.review.warn_days, f)),
            Rule::alone(move |f| theme(site, config, assets, f)),
            Rule::alone(move |f| withheld_records(site, f)),
            Rule::alone(move |f| public_body_placeholders(site, f)),
            Rule::alone(move |f| site_addresses(config, f)),
            Rule::alone(move |f| site_placeholders(config, f)),
            // Reads what was found before it, as `fields::check` does.
            Rule::after_those_before(move |f| certification::check(site, config, assets, today, f)),
            Rule::alone(move |f| data_use::check(site, config, today, f)),
        ]);
    }
    run_rules(&rules, findings);
    drop(rules);
    drop(records_owned);
    BodyRules {
        index: index_owned,
        assets: assets_owned,
    }
}

/// A rule's work: it appends what it finds.
type Apply<'a> = Box<dyn Fn(&mut Vec<Finding>) + Sync + 'a>;

/// One rule of `check`.
struct Rule<'a> {
    apply: Apply<'a>,
    /// Whether it reads the findings of the rules before it (and of `load`), so that a
    /// value already reported is not reported again.
    reads_earlier: bool,
}

impl<'a> Rule<'a> {
    fn alone(apply: impl Fn(&mut Vec<Finding>) + Sync + 'a) -> Self {
        Rule {
            apply: Box::new(apply),
            reads_earlier: false,
        }
    }

    fn after_those_before(apply: impl Fn(&mut Vec<Finding>) + Sync + 'a) -> Self {
        Rule {
            apply: Box::new(apply),
            reads_earlier: true,
        }
    }
}

/// Runs `rules` side by side, then puts their findings in the order the rules are listed
/// (running there those that read the findings before them): the same findings, in the
/// same order, as running them one after the other.
fn run_rules(rules: &[Rule], findings: &mut Vec<Finding>) {
    use rayon::prelude::*;
    let found: Vec<Option<Vec<Finding>>> = rules
        .par_iter()
        .map(|rule| {
            (!rule.reads_earlier).then(|| {
                let mut own = Vec::new();
                (rule.apply)(&mut own);
                own
            })
        })
        .collect();
    for (rule, found) in rules.iter().zip(found) {
        match found {
            Some(own) => findings.extend(own),
            None => (rule.apply)(findings),
        }
    }
}

/// The rules on provenance from git: run once the history is attached (`history::attach_started`).
pub fn run_provenance(site: &Site, today: Date, findings: &mut Vec<Finding>) {
    if let Some(config) = &site.config {
        provenance::check(site, config, today, findings);
    }
    approved_text_placeholders(site, findings);
}

/// Controls, systems and risks marked public or restricted that will not be shown, and
/// why (a control's placeholder justification has its own warning).
fn withheld_records(site: &Site, findings: &mut Vec<Finding>) {
    let controls = (site.controls.iter())
        .filter(|c| publish::is_assessed(&c.data))
        .map(|c| (c.file, &c.positions, publish::control(&c.data)));
    let systems = (site.systems.iter()).map(|r| (r.file, &r.positions, publish::of(&r.data)));
    let risks = (site.risks.iter()).map(|r| (r.file, &r.positions, publish::of(&r.data)));
    let suppliers = (site.suppliers.iter()).map(|r| (r.file, &r.positions, publish::of(&r.data)));
    let objectives = (site.objectives.iter()).map(|r| (r.file, &r.positions, publish::of(&r.data)));
    let assessments =
        (site.assessments.iter()).map(|r| (r.file, &r.positions, publish::of(&r.data)));
    let records = controls.chain(systems).chain(risks).chain(suppliers);
    for (file, positions, decision) in records.chain(objectives).chain(assessments) {
        if let Some(why) = decision.withheld {
            let (field, help) = match decision.field {
                Some(field) => (
                    field,
                    "write the text the public may read, or mark the record `visibility: internal` until it is",
                ),
                None => (
                    "public_summary",
                    "write the sentence the public may read, or mark it `visibility: internal` until it is",
                ),
            };
            let (code, help) = links::withheld_code(why, help);
            findings.push(
                Finding::new(
                    code,
                    format!("marked public or restricted, but not published: {why}"),
                )
                .at(value_at(file, positions, field))
                .help(help),
            );
        }
    }
}

/// A public document's body that still holds a placeholder line (`TODO: say who sets the
/// objectives`, as the starter policy `init` writes has) would publish the instruction as
/// the policy. Lines inside code fences and internal blocks are not published as text.
fn public_body_placeholders(site: &Site, findings: &mut Vec<Finding>) {
    use rayon::prelude::*;
    let found: Vec<Vec<Finding>> = (site.documents.par_iter())
        .filter(|d| publish::document(d).shown == Visibility::Public)
        .map(|document| {
            let source = site.sources.get(document.record.file);
            let mut findings = Vec::new();
            document_placeholders(document, (&source.text, source.hash()), &mut findings);
            document_layout(document, &source.text, &mut findings);
            findings
        })
        .collect();
    findings.extend(found.into_iter().flatten());
}

/// Under `publish: approved`, the approved text is what is shown: its placeholders are
/// reported where it is (`path@commit`), though the working copy has mended them.
fn approved_text_placeholders(site: &Site, findings: &mut Vec<Finding>) {
    for (&index, approved) in &site.approved_versions {
        if publish::published(site, index).1.shown == Visibility::Public {
            let source = site.sources.get(approved.record.file);
            document_placeholders(approved, (&source.text, source.hash()), findings);
        }
    }
}

/// A public document whose internal block (or comment) has no blank line between it and
/// the text around it: removed for the public site, it would leave that text joined (a
/// line above a marker and `---` below it become a heading; two paragraphs, one), so the
/// public page would not be laid out as the handbook shows it.
fn document_layout(document: &Document, text: &str, findings: &mut Vec<Finding>) {
    let Some(body) = text.get(document.body_start..) else {
        return;
    };
    // The outline's offsets are the body's.
    for note in &document.outline.notes_cited_only_inside {
        let line_end = body[note.start..]
            .find('\n')
            .map_or(body.len(), |i| note.start + i);
        findings.push(
            Finding::new(
                Code::PublicLayoutDiffers,
                "this footnote is cited only inside an internal block or a comment (or nowhere), but defined outside: the public page would show its text alone",
            )
            .at(At {
                file: document.record.file,
                span: document.body_start + note.start..document.body_start + line_end,
            })
            .help("move the definition (`[^name]: …`) into the internal block that cites it, or cite the note in public text; delete a note cited nowhere"),
        );
    }
    let blocks = &document.outline.internal_blocks;
    if blocks.is_empty() {
        return;
    }
    if let Some(change) = crate::model::strip::layout_change(body, blocks) {
        let at = change.at;
        let start = document.body_start + at;
        let end = start + body[at..].find('\n').unwrap_or(body.len() - at);
        let (message, help) = match change.definition {
            true => (
                "a link or footnote outside this internal block is defined inside it: the public page, without the block, would show its brackets as text",
                "move the definition (`[name]: …` or `[^name]: …`) out of the internal block, or the link into it",
            ),
            false => (
                "removing this internal block for the public site joins the text around it, so the public page would be laid out differently from the handbook",
                "leave a blank line before and after the block; a block between two parts of one list, or between two code blocks, cannot go without joining them: hide the whole list, or end it before the block",
            ),
        };
        findings.push(
            Finding::new(Code::PublicLayoutDiffers, message.to_string())
                .at(At {
                    file: document.record.file,
                    span: start..end,
                })
                .help(help),
        );
    }
}

/// `public_body_placeholders` for one document whose source text is `text` (hashed as
/// `hash`).
fn document_placeholders(
    document: &Document,
    (text, hash): (&str, u64),
    findings: &mut Vec<Finding>,
) {
    // Kept per thread by the source's hash and where its body starts: `serve` asks about
    // every public body on each save, line by line.
    thread_local! {
        static FOUND: std::cell::RefCell<HashMap<(u64, usize), Placeholders>> =
            std::cell::RefCell::new(HashMap::new());
    }
    {
        let key = (hash, document.body_start);
        let known = FOUND.with(|found| found.borrow().get(&key).cloned());
        let placeholders = known.unwrap_or_else(|| {
            let placeholders = body_placeholders(text, document.body_start);
            FOUND.with(|found| {
                let mut found = found.borrow_mut();
                if found.len() > 100_000 {
                    found.clear();
                }
                found.insert(key, placeholders.clone());
            });
            placeholders
        });
        for (span, word) in placeholders {
            findings.push(
                Finding::new(
                    Code::PlaceholderText,
                    format!("this public document still says `{word}` here, and the public site shows it as written"),
                )
                .at(At { file: document.record.file, span })
                .help("write the text the public may read (the starter policy's TODO lines say what each section needs), or keep the document internal until it is"),
            );
        }
    }
}

/// Where placeholders are in a text, and which.
type Placeholders = Vec<(Range<usize>, &'static str)>;

/// The lines of a body (the text from `body_start`) that start with a placeholder, outside
/// code fences and internal blocks, with the placeholder found.
fn body_placeholders(text: &str, body_start: usize) -> Placeholders {
    let Some(body) = text.get(body_start..) else {
        return Vec::new();
    };
    let mut placeholders = Vec::new();
    let (mut fenced, mut internal) = (false, 0usize);
    let mut offset = body_start;
    let mut in_comment = false;
    for line in body.split_inclusive('\n') {
        // A comment is never shown: what it says is no placeholder on the page.
        let uncommented = outside_comments(line, &mut in_comment);
        let line = uncommented.as_str();
        let trimmed = line.trim();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            fenced = !fenced;
        } else if !fenced && trimmed.starts_with("<!--") && trimmed.contains("/internal") {
            internal = internal.saturating_sub(1);
        } else if !fenced && trimmed.starts_with("<!--") && trimmed.contains("internal") {
            internal += 1;
        } else if !fenced && internal == 0 && !trimmed.is_empty() {
            let start = offset + (line.len() - line.trim_start().len());
            // `TODO` in backticks names the word; it is not one.
            let prose = match trimmed.contains('`') {
                true => std::borrow::Cow::Owned(outside_code_spans(trimmed)),
                false => std::borrow::Cow::Borrowed(trimmed),
            };
            let head: String = prose.trim_start().chars().take(12).collect();
            let found = publish::placeholder(&head).or_else(|| {
                // In capitals anywhere (`see TBD`): read whole only when the line has two
                // capitals in a row, as such a word needs.
                may_hold_capital_word(&prose)
                    .then(|| publish::placeholder(&prose))
                    .flatten()
            });
            if let Some(word) = found {
                placeholders.push((start..start + trimmed.len(), word));
            }
        }
        offset += line.len();
    }
    placeholders
}

/// `line` with what comments hold (and their delimiters) replaced by spaces, so that
/// offsets stay; `in_comment` carries a comment open at the end of a line to the next.
/// Markers are kept, as the caller reads them.
fn outside_comments(line: &str, in_comment: &mut bool) -> String {
    if !*in_comment && !line.contains("<!--") {
        return line.to_string();
    }
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while !rest.is_empty() {
        let (shown, hidden_from) = match *in_comment {
            true => ("", 0),
            false => match rest.find("<!--") {
                Some(open) => (&rest[..open], open),
                None => (rest, rest.len()),
            },
        };
        out.push_str(shown);
        rest = &rest[hidden_from..];
        if rest.is_empty() {
            break;
        }
        let (comment, after) = match rest.find("-->") {
            Some(close) => (&rest[..close + 3], &rest[close + 3..]),
            None => (rest, ""),
        };
        *in_comment = !comment.ends_with("-->");
        let inner = comment.trim_start_matches("<!--").trim_end_matches("-->");
        match crate::load::markers::classify(inner) {
            crate::load::markers::CommentKind::Marker(_) => out.push_str(comment),
            _ => {
                for c in comment.chars() {
                    match c {
                        '\n' => out.push('\n'),
                        c => out.extend(std::iter::repeat_n(' ', c.len_utf8())),
                    }
                }
            }
        }
        rest = after;
    }
    out
}

/// A day `days` from today, in words: "today", "tomorrow", "in 3 days", "yesterday", "3 days ago".
fn from_today(days: i64) -> String {
    match days {
        0 => "today".to_string(),
        1 => "tomorrow".to_string(),
        -1 => "yesterday".to_string(),
        d if d > 0 => format!("in {d} days"),
        d => format!("{} days ago", -d),
    }
}

/// Whether `line` has two capitals (or non-ASCII letters, which may be look-alikes) in a row.
fn may_hold_capital_word(line: &str) -> bool {
    let capital = |c: char| c.is_uppercase() || !c.is_ascii();
    let chars: Vec<char> = line.chars().collect();
    chars
        .windows(2)
        .any(|pair| capital(pair[0]) && capital(pair[1]))
}

/// `line` without its code spans.
fn outside_code_spans(line: &str) -> String {
    line.split('`').step_by(2).collect::<Vec<_>>().join(" ")
}

/// Placeholders in site.yaml's texts that the public site prints as written (its title on
/// every page, the home page's description, the AI data-use card): the site cannot be
/// held back for them, so they are warned about.
fn site_placeholders(config: &Record<SiteConfig>, findings: &mut Vec<Finding>) {
    let data = &config.data;
    let mut texts: Vec<(String, &str)> = vec![
        ("title".into(), data.title.as_str()),
        ("organisation".into(), data.organisation.as_str()),
    ];
    texts.extend(
        data.description
            .as_deref()
            .map(|d| ("description".into(), d)),
    );
    if let Some(use_) = &data.ai_data_use {
        let retention = &use_.retention;
        for (field, text) in [
            ("prompts", &retention.prompts),
            ("outputs", &retention.outputs),
            ("logs", &retention.logs),
        ] {
            texts.extend(
                text.as_deref()
                    .map(|t| (format!("ai_data_use.retention.{field}"), t)),
            );
        }
        for (i, location) in use_.locations.iter().enumerate() {
            texts.push((format!("ai_data_use.locations.{i}"), location.as_str()));
        }
        texts.extend(
            use_.opt_out
                .as_deref()
                .map(|t| ("ai_data_use.opt_out".into(), t)),
        );
    }
    // Certifications print their standard, certifier, number and scope as written (their
    // placeholders are `certification::check`'s).
    let mut shown_as_written: Vec<(String, &str)> = Vec::new();
    for (path, certification) in data.all_certifications() {
        let fields = [
            ("standard", Some(certification.standard.as_str())),
            ("certifier", certification.certifier.as_deref()),
            ("certificate_id", certification.certificate_id.as_deref()),
            ("scope", certification.scope.as_deref()),
        ];
        for (field, text) in fields {
            shown_as_written.extend(text.map(|t| (format!("{path}.{field}"), t)));
        }
    }
    let placeholders_too = texts.len();
    for (n, (field, text)) in texts.into_iter().chain(shown_as_written).enumerate() {
        if publish::holds_comment(text) {
            findings.push(
                Finding::new(
                    Code::CommentNotHidden,
                    format!("`{field}` holds `<!--`: the public site prints a field as written, so the comment or marker would be shown, not hidden"),
                )
                .at(value_at(config.file, &config.positions, &field))
                .help("a field is plain text: remove the comment or marker from it"),
            );
        }
        if let Some(word) = (n < placeholders_too)
            .then(|| publish::placeholder(text))
            .flatten()
        {
            findings.push(
                Finding::new(
                    Code::PlaceholderText,
                    format!(
                        "`{field}` still says `{word}`, and the public site shows it as written"
                    ),
                )
                .at(value_at(config.file, &config.positions, &field))
                .help("write the text the public may read"),
            );
        }
    }
}

/// Addresses from site.yaml that pages link to must be web (or mail) addresses: a
/// `javascript:` or `data:` address would run or show anything.
fn site_addresses(config: &Record<SiteConfig>, findings: &mut Vec<Finding>) {
    let data = &config.data;
    let fields = [
        ("base_url", data.base_url.as_deref(), false),
        ("repository", data.repository.as_deref(), false),
        (
            "contact.concerns_url",
            data.contact.concerns_url.as_deref(),
            true,
        ),
    ];
    for (field, value, mail) in fields {
        let Some(value) = value else { continue };
        let lower = value.trim().to_ascii_lowercase();
        let web = lower.starts_with("https://") || lower.starts_with("http://");
        if !(web || (mail && lower.starts_with("mailto:"))) {
            findings.push(
                Finding::new(
                    Code::BadValue,
                    format!("`{field}` must be a web address (https://…), not `{value}`"),
                )
                .at(value_at(config.file, &config.positions, field))
                .help(if mail {
                    "give the address of your reporting form (https://…) or a mailto: address"
                } else {
                    "give the full address, for example https://trust.example.com/"
                }),
            );
        }
    }
}

/// The theme `build` will use must exist and keep its links inside itself: `check` finds
/// what `build` would fail on.
fn theme(
    site: &Site,
    config: &Record<SiteConfig>,
    assets: &publish::Assets,
    findings: &mut Vec<Finding>,
) {
    use crate::render::theme::{Theme, ThemeError};
    match Theme::new(&site.root, config.data.theme.as_deref()) {
        Ok(theme) => {
            let theme = std::sync::Arc::new(theme);
            let folder = config.data.theme.as_deref().unwrap_or("default");
            for (path, error) in theme.template_errors() {
                findings.push(
                    Finding::new(Code::TemplateError, format!("template error: {error}"))
                        .in_file(format!("themes/{folder}/{path}"))
                        .help("fix the template (minijinja, Jinja2 syntax), or delete it to use the built-in one"),
                );
            }
            for file in theme.own_files() {
                if assets.is_internal_file(&file) {
                    let shown = file.strip_prefix(&site.root).unwrap_or(&file).to_path_buf();
                    findings.push(
                        Finding::new(
                            Code::UnsafePath,
                            "theme file is a hard link to an internal file (evidence or under content/assets/internal/)",
                        )
                        .in_file(shown)
                        .help("copy what the theme needs instead of linking to internal files"),
                    );
                }
            }
        }
        Err(ThemeError::Missing(message)) => {
            findings.push(Finding::new(Code::BadValue, message).at(value_at(
                config.file,
                &config.positions,
                "theme",
            )))
        }
        Err(ThemeError::UnsafeLink(path, why)) => {
            let shown = path.strip_prefix(&site.root).unwrap_or(&path).to_path_buf();
            findings.push(
                Finding::new(Code::UnsafePath, format!("theme file {why}"))
                    .in_file(shown)
                    .help("copy the file into the theme folder instead of linking to it"),
            );
        }
    }
}

/// What the rules need of any record, whatever its kind.
pub struct AnyRecord<'a> {
    pub kind: Kind,
    pub id: &'a str,
    pub file: usize,
    pub positions: &'a Positions,
    /// For documents: index into `site.documents`.
    pub document: Option<usize>,
    /// Where the public site shows it (`publish`'s decision).
    pub visibility: Visibility,
    /// The page it is published at.
    pub url: String,
}

/// Every record of the site, documents first.
pub fn each_record(site: &Site) -> impl Iterator<Item = AnyRecord<'_>> {
    let documents = site.documents.iter().enumerate().map(|(i, d)| {
        let kind = Kind::of_document(d.kind);
        let meta = &d.record.data;
        AnyRecord {
            kind,
            id: &meta.id,
            file: d.record.file,
            positions: &d.record.positions,
            document: Some(i),
            visibility: crate::publish::document(d).shown,
            url: urls::document(d.kind, &d.record.stem),
        }
    });
    fn plain<'a, T>(
        kind: Kind,
        record: &'a Record<T>,
        id: &'a str,
        visibility: Visibility,
    ) -> AnyRecord<'a> {
        AnyRecord {
            kind,
            id,
            file: record.file,
            positions: &record.positions,
            document: None,
            visibility,
            url: match kind {
                Kind::System => urls::system(&record.stem),
                Kind::Risk => urls::risk(id),
                Kind::Supplier => urls::supplier(id),
                Kind::Objective => urls::objective(id),
                Kind::Audit => urls::audit(id),
                Kind::Action => urls::action(id),
                Kind::Party => urls::party(id),
                Kind::Assessment => urls::assessment(id),
                _ => urls::control(id),
            },
        }
    }
    let controls = site.controls.iter().map(|r| {
        plain(
            Kind::Control,
            r,
            &r.data.id,
            publish::control(&r.data).shown,
        )
    });
    let systems = site
        .systems
        .iter()
        .map(|r| plain(Kind::System, r, &r.data.id, publish::of(&r.data).shown));
    let risks = site
        .risks
        .iter()
        .map(|r| plain(Kind::Risk, r, &r.data.id, publish::of(&r.data).shown));
    let suppliers = site
        .suppliers
        .iter()
        .map(|r| plain(Kind::Supplier, r, &r.data.id, publish::of(&r.data).shown));
    let objectives = site
        .objectives
        .iter()
        .map(|r| plain(Kind::Objective, r, &r.data.id, publish::of(&r.data).shown));
    // Audits and corrective actions are never published.
    let audits =
        (site.audits.iter()).map(|r| plain(Kind::Audit, r, &r.data.id, Visibility::Internal));
    let actions =
        (site.actions.iter()).map(|r| plain(Kind::Action, r, &r.data.id, Visibility::Internal));
    let parties =
        (site.parties.iter()).map(|r| plain(Kind::Party, r, &r.data.id, Visibility::Internal));
    let assessments = site
        .assessments
        .iter()
        .map(|r| plain(Kind::Assessment, r, &r.data.id, publish::of(&r.data).shown));
    (documents.chain(controls).chain(systems))
        .chain(risks)
        .chain(suppliers)
        .chain(objectives)
        .chain(audits)
        .chain(actions)
        .chain(parties)
        .chain(assessments)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_from_today_read_as_words() {
        let read: Vec<String> = [-3, -1, 0, 1, 3].map(from_today).into();
        assert_eq!(
            read,
            ["3 days ago", "yesterday", "today", "tomorrow", "in 3 days"]
        );
    }

    /// Side by side, the rules find what they find one after the other, in that order,
    /// and a rule that reads earlier findings sees those of every rule before it.
    #[test]
    fn rules_side_by_side_find_what_they_find_in_order() {
        let named = |name: &str| Finding::new(Code::MissingField, name.to_string());
        let rules = [
            Rule::alone(|f| f.push(named("first"))),
            Rule::alone(|f| {
                // The slowest rule, listed early: its findings still come second.
                std::thread::sleep(std::time::Duration::from_millis(50));
                f.extend([named("second"), named("third")]);
            }),
            Rule::after_those_before(|f| {
                let seen: Vec<String> = f.iter().map(|f| f.message.clone()).collect();
                f.push(named(&format!("saw {}", seen.join(" "))));
            }),
            Rule::alone(|f| f.push(named("last"))),
        ];
        let mut findings = vec![named("loaded")];
        run_rules(&rules, &mut findings);
        let messages: Vec<&str> = findings.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "loaded",
                "first",
                "second",
                "third",
                "saw loaded first second third",
                "last"
            ]
        );
    }
}
