//! The files beside the pages: `trust.json`, `sitemap.xml`, `feed.xml`, `robots.txt`, the
//! search indexes, `soa.csv` and `gaps.csv`. Each is made from its audience's model only.

use super::cache::Readers;
use super::output::Output;
use crate::html::escape;
use crate::model::StatusCounts;
use crate::model::internal::{InternalModel, serde_plain};
use crate::model::public::PublicRevision;
use crate::model::public::{
    PublicControl, PublicModel, PublicRisk, PublicSystem, RestrictedItem, RestrictedKind, SiteInfo,
};
use serde::Serialize;
use std::sync::Arc;

/// The Content-Security-Policy of every page: nothing from another host, no inline
/// script or style, no plugins, frames, forms or base URL.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; connect-src 'self'; object-src 'none'; frame-src 'none'; base-uri 'none'; form-action 'none'";

/// `_headers` for Netlify and Cloudflare Pages: the pages' policy as a header, where it
/// can also forbid framing (a meta tag cannot), and for the handbook `noindex` on every
/// file, not only on pages.
pub fn host_headers(internal: bool) -> String {
    let mut headers = format!(
        "/*\n  Content-Security-Policy: {CONTENT_SECURITY_POLICY}; frame-ancestors 'none'\n  X-Content-Type-Options: nosniff\n  Referrer-Policy: no-referrer\n"
    );
    if internal {
        headers.push_str("  X-Robots-Tag: noindex, nofollow\n");
    }
    headers
}

/// The version of `trust.json`'s shape; raised when a field changes meaning or goes away.
pub const TRUST_JSON_SCHEMA: &str = "trustbook.trust/1";

#[derive(Serialize)]
struct TrustJson<'a> {
    schema: &'static str,
    site: &'a SiteInfo,
    updated: Option<String>,
    ai_policy: Option<&'a crate::model::public::DocumentRef>,
    documents: Vec<TrustDocument<'a>>,
    control_totals: &'a Option<StatusCounts>,
    controls: &'a [PublicControl],
    systems: &'a [PublicSystem],
    risks: &'a [PublicRisk],
    suppliers: &'a crate::model::public::PublicSuppliers,
    ai_objectives: &'a [crate::model::public::PublicAiObjective],
    restricted: &'a [RestrictedItem],
    /// The commit built from: `{commit, committed_at}`, or null outside git.
    source: &'a Option<crate::model::public::SourceCommit>,
}

#[derive(Serialize)]
struct TrustDocument<'a> {
    url: &'a str,
    title: &'a str,
    doc_type: String,
    version: Option<&'a str>,
    effective_from: Option<String>,
    approved_on: Option<String>,
    next_review: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    review_overdue: bool,
    public_summary: &'a str,
    revisions: &'a [PublicRevision],
    controls: Vec<&'a str>,
    tags: Vec<&'a str>,
    last_changed: Option<String>,
}

#[derive(Serialize)]
struct SearchEntry<'a> {
    title: &'a str,
    url: &'a str,
    kind: &'static str,
    text: std::borrow::Cow<'a, str>,
    /// Where on the page, for items that share one (restricted items, suppliers).
    #[serde(skip_serializing_if = "Option::is_none")]
    anchor: Option<&'a str>,
}

impl<'a> SearchEntry<'a> {
    fn new(title: &'a str, url: &'a str, kind: &'static str, text: &'a str) -> Self {
        SearchEntry {
            title,
            url,
            kind,
            text: text.into(),
            anchor: None,
        }
    }

    /// A hash of everything the entry's JSON is made from.
    fn key(&self) -> u64 {
        let mut hasher = xxhash_rust::xxh3::Xxh3Default::new();
        for part in [self.title, self.url, self.kind, &self.text] {
            hasher.update(&(part.len() as u64).to_le_bytes());
            hasher.update(part.as_bytes());
        }
        if let Some(anchor) = self.anchor {
            hasher.update(anchor.as_bytes());
        } else {
            hasher.update(&[0xff]);
        }
        hasher.digest()
    }

    fn with_text(mut self, more: &str) -> Self {
        if !more.is_empty() {
            self.text = format!("{} {more}", self.text).into();
        }
        self
    }
}

/// A search index of `entries` (the indexes are made from their elements' JSON, some
/// kept by what they are made from: `search_script`).
#[cfg(test)]
fn search_index<'a>(
    entries: impl Iterator<Item = &'a SearchEntry<'a>>,
    readers: Readers,
    memo: Option<&SearchWords>,
) -> Vec<u8> {
    let elements: Vec<Arc<str>> = entries.map(|e| entry_json(e, readers, memo)).collect();
    search_script(&elements)
}

/// A search index from its elements' JSON.
fn search_script(elements: &[Arc<str>]) -> Vec<u8> {
    // A script, not JSON, so that search also works from file:// where fetch() does not.
    // Element by element: a JSON array is its elements' JSON joined by commas, and `</`
    // cannot span two elements, so the bytes are those of the array written at once.
    let size = elements.iter().map(|e| e.len() + 1).sum::<usize>();
    let mut script = Vec::with_capacity(SEARCH_START.len() + size + 3);
    script.extend_from_slice(SEARCH_START);
    for (n, element) in elements.iter().enumerate() {
        if n > 0 {
            script.push(b',');
        }
        script.extend_from_slice(element.as_bytes());
    }
    script.extend_from_slice(b"];\n");
    script
}

/// How a search index starts: a script, not JSON, so that search also works from
/// file:// where fetch() does not.
const SEARCH_START: &[u8] = b"window.TRUSTBOOK_SEARCH = [";

/// One element of a search index's array.
fn entry_json(entry: &SearchEntry, readers: Readers, memo: Option<&SearchWords>) -> Arc<str> {
    let json = || Some(json_of(entry));
    match memo {
        Some(memo) => memo.entries.get((readers, entry.key()), json),
        None => json(),
    }
    .unwrap_or_else(|| "null".into())
}

fn json_of(entry: &SearchEntry) -> Arc<str> {
    match serde_json::to_string(entry) {
        Ok(json) => json.replace("</", "<\\/").into(),
        Err(_) => "null".into(),
    }
}

/// A document's element of a search index, kept by what it is made from (`parts`, and
/// its body as `words_of` knows it): a save does not read, copy or hash the words of the
/// bodies it left alone. `make` makes it when it is not kept.
fn document_json(
    memo: Option<&SearchWords>,
    readers: Readers,
    (parts, reading, body, hash): (&[&str], Reading, &str, u64),
    make: impl Fn() -> Arc<str>,
) -> Arc<str> {
    let Some(memo) = memo else {
        return make();
    };
    let mut hasher = xxhash_rust::xxh3::Xxh3Default::new();
    // Apart from the keys of entries hashed whole (`SearchEntry::key`).
    hasher.update(b"document made from");
    for part in parts {
        hasher.update(&(part.len() as u64).to_le_bytes());
        hasher.update(part.as_bytes());
    }
    hasher.update(&[reading as u8]);
    hasher.update(&(body.len() as u64).to_le_bytes());
    hasher.update(&hash.to_le_bytes());
    let key = (readers, hasher.digest());
    memo.entries.get(key, || Some(make())).unwrap_or_else(make)
}

/// Where each element of a search index's array is (`search_index` wrote it): read as
/// JSON, strings and nesting included. `None` for bytes it did not write.
pub fn search_entries(index: &[u8]) -> Option<Vec<std::ops::Range<usize>>> {
    let mut at = SEARCH_START.len();
    if !index.starts_with(SEARCH_START) {
        return None;
    }
    let mut entries = Vec::new();
    let (mut depth, mut in_string, mut escaped, mut start) = (0usize, false, false, at);
    while at < index.len() {
        let byte = index[at];
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
        } else {
            match byte {
                b'"' => in_string = true,
                b'{' | b'[' => depth += 1,
                b'}' => depth = depth.checked_sub(1)?,
                b']' if depth == 0 => {
                    if at > start {
                        entries.push(start..at);
                    }
                    return (&index[at..] == b"];\n").then_some(entries);
                }
                b']' => depth -= 1,
                b',' if depth == 0 => {
                    entries.push(start..at);
                    start = at + 1;
                }
                _ => {}
            }
        }
        at += 1;
    }
    None
}

/// `index` with its element at `entries[at]` replaced by `json`; `entries` follows.
pub fn splice_search_entry(
    index: &[u8],
    entries: &mut [std::ops::Range<usize>],
    at: usize,
    json: &str,
) -> Vec<u8> {
    let old = entries[at].clone();
    let mut spliced = Vec::with_capacity(index.len() + json.len());
    spliced.extend_from_slice(&index[..old.start]);
    spliced.extend_from_slice(json.as_bytes());
    spliced.extend_from_slice(&index[old.end..]);
    let end = old.start + json.len();
    entries[at] = old.start..end;
    for entry in &mut entries[at + 1..] {
        *entry = entry.start + end - old.end..entry.end + end - old.end;
    }
    spliced
}

/// The public search index: every published item by title and summary, with the words
/// of documents' bodies and systems' descriptions.
fn public_search_index(model: &PublicModel, words: Option<&SearchWords>) -> Vec<u8> {
    // The bodies' words, on every core: at 10,000 pages this is most of the index's cost.
    let mut elements: Vec<Arc<str>> = {
        use rayon::prelude::*;
        (model.documents.par_iter())
            .map(|d| public_document_json(d, words))
            .collect()
    };
    let search: Vec<SearchEntry> = std::iter::empty()
        .chain(
            model
                .controls
                .iter()
                .map(|c| SearchEntry::new(&c.title, &c.url, "control", &c.public_summary)),
        )
        .chain(model.systems.iter().map(|s| {
            SearchEntry::new(&s.name, &s.url, "system", &s.public_summary).with_text(
                &[&s.description, &s.purpose, &s.human_oversight]
                    .map(|t| t.as_str())
                    .join(" "),
            )
        }))
        .chain(
            model
                .risks
                .iter()
                .map(|r| SearchEntry::new(&r.title, &r.url, "risk", &r.public_summary)),
        )
        .chain(
            (model.suppliers.current.iter())
                .chain(&model.suppliers.upcoming)
                .map(|s| SearchEntry {
                    anchor: Some(s.anchor.as_str()),
                    ..SearchEntry::new(&s.name, "suppliers/", "supplier", &s.public_summary)
                }),
        )
        .collect();
    // Items available on request have no page: they are found in the home page's section
    // of their kind.
    let on_request = (model.restricted.iter()).map(|r| SearchEntry {
        anchor: Some(match r.kind {
            RestrictedKind::Document => "documents",
            RestrictedKind::Control => "controls",
            RestrictedKind::System => "systems",
            RestrictedKind::Risk => "risks",
            RestrictedKind::Supplier => "suppliers",
            RestrictedKind::Objective => "objectives",
        }),
        ..SearchEntry::new(&r.title, "", "on request", &r.public_summary)
    });
    let on_request: Vec<SearchEntry> = on_request.collect();
    let rest = search.iter().chain(&on_request);
    elements.extend(rest.map(|e| entry_json(e, Readers::Public, words)));
    search_script(&elements)
}

/// A public document's element of the public search index (the first elements, in the
/// model's order), given the words of its body.
fn public_document_entry<'a>(
    d: &'a crate::model::public::PublicDocument,
    body: &str,
) -> SearchEntry<'a> {
    SearchEntry::new(&d.title, &d.url, "document", &d.public_summary).with_text(body)
}

/// The JSON of `model.documents[at]`'s element of the public search index, the
/// `at`th: for a save that changed that body alone (`serve::body_save`).
pub fn public_search_entry(
    model: &PublicModel,
    at: usize,
    words: Option<&SearchWords>,
) -> Arc<str> {
    public_document_json(&model.documents[at], words)
}

fn public_document_json(
    d: &crate::model::public::PublicDocument,
    words: Option<&SearchWords>,
) -> Arc<str> {
    let (markdown, hash) = (d.body.markdown.as_str(), d.body.hash);
    let parts = [d.title.as_str(), &d.url, &d.public_summary];
    document_json(
        words,
        Readers::Public,
        (&parts, Reading::Parsed, markdown, hash),
        || {
            let body = words_of(words, Reading::Parsed, markdown, hash);
            json_of(&public_document_entry(d, &body))
        },
    )
}

/// What `serve` keeps of the search indexes between saves, so that a save re-reads the
/// body it changed, not all of them: the words of each body, by how it was read and its
/// text (length and hash); and each entry's JSON, by a hash of the entry.
#[derive(Default)]
pub struct SearchWords {
    words: crate::memo::Memo<(Reading, usize, u64), Arc<str>>,
    /// By whose index they are in as well: a public index can only ever be given an
    /// entry made for a public index, whatever two hashes may coincide.
    entries: crate::memo::Memo<(Readers, u64), Arc<str>>,
}

impl SearchWords {
    /// Starts a build: what the last one used is what this one may reuse.
    pub fn start(&self) {
        self.words.start();
        self.entries.start();
    }
}

/// How a body's words were found: `plain_text` or `rough_text`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
pub enum Reading {
    Parsed,
    Rough,
}

/// The words of `body`, whose text `hash` stands for (a hash of the body, or of the one
/// source file the body is cut from).
fn words_of(memo: Option<&SearchWords>, reading: Reading, body: &str, hash: u64) -> Arc<str> {
    let read = || match reading {
        Reading::Parsed => plain_text(body).into(),
        Reading::Rough => rough_text(body).into(),
    };
    let Some(memo) = memo else {
        return read();
    };
    memo.words
        .get((reading, body.len(), hash), || Some(read()))
        .unwrap_or_else(read)
}

/// The words of a Markdown body, for search: text only, at most `BODY_TEXT` bytes (the
/// opening of a long document finds it; the index stays small at 10,000 pages).
fn plain_text(markdown: &str) -> String {
    const BODY_TEXT: usize = 4000;
    use pulldown_cmark::{Event, Parser, TagEnd};
    // What the sanitised page drops, the index drops: the text inside these raw elements.
    const HIDDEN: [&str; 7] = [
        "script", "style", "template", "svg", "math", "textarea", "title",
    ];
    let tag_of = |html: &str| -> Option<(bool, String)> {
        let rest = html.trim_start().strip_prefix('<')?;
        let (closing, rest) = rest.strip_prefix('/').map_or((false, rest), |r| (true, r));
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        HIDDEN
            .contains(&name.to_ascii_lowercase().as_str())
            .then_some((closing, name))
    };
    // The parser reads its whole input before the first event: give it only the opening
    // (to a line's end), enough for `BODY_TEXT` bytes of text.
    let mut cut = markdown.len().min(BODY_TEXT * 3);
    while !markdown.is_char_boundary(cut) {
        cut -= 1;
    }
    let opening = match markdown[..cut].rfind('\n') {
        Some(end) if cut < markdown.len() => &markdown[..end],
        _ => &markdown[..cut],
    };
    let mut hidden = 0usize;
    let mut text = String::new();
    for event in Parser::new_ext(opening, crate::load::outline::options()) {
        match event {
            Event::InlineHtml(html) | Event::Html(html) => {
                if let Some((closing, _)) = tag_of(&html) {
                    hidden = if closing {
                        hidden.saturating_sub(1)
                    } else {
                        hidden + 1
                    };
                }
            }
            Event::Text(_) | Event::Code(_) if hidden > 0 => {}
            Event::Text(t) | Event::Code(t) => text.push_str(&t),
            // Inline marks join what they hold to its neighbours (`**AI** system's`).
            Event::End(
                TagEnd::Emphasis
                | TagEnd::Strong
                | TagEnd::Strikethrough
                | TagEnd::Link
                | TagEnd::Image
                | TagEnd::Superscript
                | TagEnd::Subscript,
            ) => {}
            // Any block ends a word: a table's cells, a list, a quote, a code block.
            Event::SoftBreak | Event::HardBreak | Event::Rule | Event::End(_) => text.push(' '),
            _ => {}
        }
        if text.len() >= BODY_TEXT {
            let mut end = BODY_TEXT;
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            text.truncate(end);
            break;
        }
    }
    distinct_words(&text)
}

/// The words of a handbook body for its search, without parsing it: tags and Markdown's
/// punctuation become spaces. The handbook shows everything, so nothing needs the care the
/// public index takes (`plain_text`), and 10,000 bodies cost a scan instead of a parse.
fn rough_text(markdown: &str) -> String {
    const BODY_TEXT: usize = 4000;
    // Byte by byte: every mark it drops is ASCII, and a character's other bytes are never
    // ASCII, so they are kept or dropped (inside a tag) whole.
    let bytes = markdown.as_bytes();
    let mut text = Vec::with_capacity(BODY_TEXT.min(markdown.len()) + 4);
    let mut in_tag = false;
    for (at, &byte) in bytes.iter().enumerate() {
        match byte {
            b'<' => in_tag = true,
            b'>' if in_tag => in_tag = false,
            _ if in_tag => {}
            b'#' | b'*' | b'_' | b'`' | b'|' | b'[' | b']' | b'(' | b')' | b'>' | b'~' => {
                text.push(b' ')
            }
            _ => text.push(byte),
        }
        // Stops at the end of a character, never inside one.
        let next_continues = bytes.get(at + 1).is_some_and(|next| next & 0xC0 == 0x80);
        if text.len() >= BODY_TEXT && !next_continues {
            break;
        }
    }
    let text = String::from_utf8(text)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    distinct_words(&text)
}

/// Each word once, in order of first use: search matches words anywhere in the text, so a
/// repeated word adds nothing but bytes (a third of a policy's text, and more in a corpus
/// of similar documents).
fn distinct_words(text: &str) -> String {
    // Sized for the words at once: growing it rehashed every word several times.
    let mut seen: crate::hash::HashSet<&str> =
        crate::hash::HashSet::with_capacity_and_hasher(text.len() / 6, Default::default());
    let mut words = String::with_capacity(text.len() / 2);
    // Compared as written: `The` and `the` both stay, which costs a few bytes and saves
    // lower-casing every word of 10,000 pages.
    for word in text.split_whitespace() {
        if seen.insert(word) {
            if !words.is_empty() {
                words.push(' ');
            }
            words.push_str(word);
        }
    }
    words
}

/// When each public page's facts last changed, by URL (`""` is the home page): for the
/// sitemap's `<lastmod>`.
fn last_modified(model: &PublicModel) -> crate::hash::HashMap<&str, crate::load::date::Date> {
    let mut dates = crate::hash::HashMap::default();
    if let Some(updated) = model.updated {
        dates.insert("", updated);
    }
    for d in &model.documents {
        let newest = (d.revisions.iter().map(|r| r.date))
            .chain(d.approved_on)
            .max();
        if let Some(date) = newest {
            dates.insert(d.url.as_str(), date);
        }
    }
    // A system's page shows its newest public impact assessment, dated.
    let system_dates = (model.systems.iter()).map(|s| {
        let assessed = s.impact_assessment.as_ref().map(|a| a.date);
        (s.url.as_str(), s.last_reviewed.max(assessed))
    });
    let reviewed = (model
        .controls
        .iter()
        .map(|c| (c.url.as_str(), c.last_reviewed)))
    .chain(system_dates);
    for (url, date) in reviewed {
        if let Some(date) = date {
            dates.insert(url, date);
        }
    }
    // A page's source changing (from git) is a change of the page too.
    for change in &model.changes {
        let newest = dates.entry(change.url.as_str()).or_insert(change.date);
        *newest = (*newest).max(change.date);
    }
    dates
}

/// The search index's name in both sites.
pub const SEARCH_INDEX: &str = "search-index.js";

/// The key of a search index made from a model (`model_key`: the model's hash and the
/// program's) and the bodies of its documents, which the model's hash leaves out, each
/// by its length and a hash of its text (see `words_of`). `None`: no key, the index is
/// made anew.
fn search_index_key(
    model_key: Option<u64>,
    bodies: impl Iterator<Item = (usize, u64)>,
) -> Option<u64> {
    let mut hasher = xxhash_rust::xxh3::Xxh3Default::new();
    hasher.update(&model_key?.to_le_bytes());
    for (len, hash) in bodies {
        hasher.update(&(len as u64).to_le_bytes());
        hasher.update(&hash.to_le_bytes());
    }
    Some(hasher.digest())
}

/// The key of the file at `path` made from `inputs` (a hash of everything it is made from).
fn file_key(inputs: Option<u64>, path: &str) -> Option<u64> {
    let mut hasher = xxhash_rust::xxh3::Xxh3Default::new();
    hasher.update(&inputs?.to_le_bytes());
    hasher.update(path.as_bytes());
    Some(hasher.digest())
}

/// Whether the output already holds the file at `path` made from `inputs` (and keeps it).
fn kept(out: &dyn Output, path: &str, inputs: Option<u64>) -> bool {
    file_key(inputs, path).is_some_and(|key| out.reuse(path, &|_| Some(key)).is_some())
}

/// Puts the file made by `make` at `path`, unless the output holds the one made from the
/// same inputs: a site-wide file (a search index reads every body, the SoA every control)
/// would otherwise cost each save what the whole site costs.
fn put_kept(
    out: &dyn Output,
    path: &str,
    inputs: Option<u64>,
    make: impl FnOnce() -> Vec<u8>,
) -> Result<(), String> {
    if kept(out, path, inputs) {
        return Ok(());
    }
    let key = file_key(inputs, path);
    let page = key.map(|key| super::output::PageKey {
        key,
        assets: &[],
        reads: &[],
    });
    out.put(path, make(), page)
}

/// The public site's files besides its pages. `model_key` hashes the model and the program
/// (see `search_index_key`).
pub fn public_files(
    model: &PublicModel,
    model_key: Option<u64>,
    words: Option<&SearchWords>,
    out: &dyn Output,
) -> Result<(), String> {
    let trust = TrustJson {
        schema: TRUST_JSON_SCHEMA,
        site: &model.site,
        updated: model.updated.map(|d| d.to_string()),
        ai_policy: model.ai_policy.as_ref(),
        documents: model
            .documents
            .iter()
            .map(|d| TrustDocument {
                url: &d.url,
                title: &d.title,
                // A page has no document type of its own.
                doc_type: if d.is_page {
                    "page".to_string()
                } else {
                    serde_plain(&d.doc_type)
                },
                version: d.version.as_deref(),
                effective_from: d.effective_from.map(|x| x.to_string()),
                approved_on: d.approved_on.map(|x| x.to_string()),
                next_review: d.next_review.map(|x| x.to_string()),
                review_overdue: d.review_overdue,
                public_summary: &d.public_summary,
                revisions: &d.revisions,
                controls: d.controls.iter().map(|c| c.id.as_str()).collect(),
                tags: d.tags.iter().map(|t| &**t).collect(),
                last_changed: d.last_changed.map(|x| x.to_string()),
            })
            .collect(),
        control_totals: &model.control_totals,
        controls: &model.controls,
        systems: &model.systems,
        risks: &model.risks,
        suppliers: &model.suppliers,
        ai_objectives: &model.ai_objectives,
        restricted: &model.restricted,
        source: &model.source,
    };
    let json = serde_json::to_vec_pretty(&trust).unwrap_or_default();
    out.put("trust.json", json, None)?;

    let bodies = (model.documents.iter()).map(|d| (d.body.markdown.as_str().len(), d.body.hash));
    put_kept(
        out,
        SEARCH_INDEX,
        search_index_key(model_key, bodies),
        || public_search_index(model, words),
    )?;

    let base = model
        .site
        .base_url
        .as_deref()
        .map(|b| format!("{}/", b.trim_end_matches('/')));
    let mut robots = String::from("User-agent: *\nAllow: /\n");
    if let Some(base) = &base {
        let lastmod = last_modified(model);
        let mut urls = vec![String::new()];
        urls.extend(model.documents.iter().map(|d| d.url.clone()));
        urls.extend(model.controls.iter().map(|c| c.url.clone()));
        urls.extend(model.systems.iter().map(|s| s.url.clone()));
        urls.extend(model.risks.iter().map(|r| r.url.clone()));
        let suppliers = (model.suppliers.current.iter()).chain(&model.suppliers.upcoming);
        urls.extend(suppliers.map(|_| "suppliers/".to_string()));
        // Suppliers share one page: one address each.
        let mut seen = crate::hash::HashSet::default();
        urls.retain(|u| seen.insert(u.clone()));
        let body: String = urls
            .iter()
            .map(|u| {
                let loc = escape(&format!("{base}{u}"));
                match lastmod.get(u.as_str()) {
                    Some(date) => {
                        format!("  <url><loc>{loc}</loc><lastmod>{date}</lastmod></url>\n")
                    }
                    None => format!("  <url><loc>{loc}</loc></url>\n"),
                }
            })
            .collect();
        let sitemap = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n{body}</urlset>\n"
        );
        out.put("sitemap.xml", sitemap.into_bytes(), None)?;
        robots.push_str(&format!("Sitemap: {base}sitemap.xml\n"));
    }
    out.put("robots.txt", robots.into_bytes(), None)?;
    if let Some(text) = security_txt(model, base.as_deref()) {
        out.put(".well-known/security.txt", text.into_bytes(), None)?;
    }
    out.put("_headers", host_headers(false).into_bytes(), None)?;
    out.put("feed.xml", feed(model, base.as_deref()).into_bytes(), None)?;
    if model.suppliers.any() {
        let feed = supplier_feed(model, base.as_deref());
        out.put("suppliers/feed.xml", feed.into_bytes(), None)?;
    }
    Ok(())
}

/// `/.well-known/security.txt` (RFC 9116), when a security contact is set: where to report
/// a vulnerability, until when that holds, and where the file and the disclosure policy
/// live (only as absolute addresses, which the RFC requires).
fn security_txt(model: &PublicModel, base: Option<&str>) -> Option<String> {
    let contact = model.site.security_contact.as_deref()?;
    let mut text = format!(
        "Contact: {contact}\nExpires: {}T00:00:00Z\n",
        model.security_txt_expires
    );
    // RFC 9116: web addresses are https.
    let base = base.filter(|b| b.to_ascii_lowercase().starts_with("https://"));
    if let Some(base) = base {
        text.push_str(&format!("Canonical: {base}.well-known/security.txt\n"));
    }
    let policy = (model.site.security_policy.as_deref()).and_then(|policy| {
        if crate::links::is_external(policy) {
            Some(policy.to_string())
        } else {
            base.map(|base| format!("{base}{policy}"))
        }
    });
    if let Some(policy) = policy {
        text.push_str(&format!("Policy: {policy}\n"));
    }
    text.push_str(&format!("Preferred-Languages: {}\n", model.site.language));
    // `check` refuses values that would break a line; should one get here, no file is
    // better than a file that says something else.
    let fields_only = text.lines().all(|l| l.contains(": ") && !l.contains('\r'));
    fields_only.then_some(text)
}

/// The suppliers' Atom feed: one entry per change, dated when it was announced (a supplier
/// still to start is news on the day it is announced, not the day it starts), newest first.
fn supplier_feed(model: &PublicModel, base: Option<&str>) -> String {
    // Without a base URL, links are relative to the feed (in `suppliers/`) and ids are
    // URNs: an Atom id must be absolute, and a relative one would differ by reader.
    let (page, feed_id, entry_id) = match base {
        Some(base) => (
            format!("{base}suppliers/"),
            format!("{base}suppliers/feed.xml"),
            format!("{base}suppliers/#"),
        ),
        None => (
            String::new(),
            "urn:trustbook:suppliers".to_string(),
            "urn:trustbook:suppliers:".to_string(),
        ),
    };
    let suppliers = &model.suppliers;
    let mut changes: Vec<&crate::model::public::SupplierChange> =
        (suppliers.upcoming_changes.iter())
            .chain(&suppliers.past_changes)
            .collect();
    changes.sort_by(|a, b| {
        (b.announced.cmp(&a.announced))
            .then_with(|| b.date.cmp(&a.date))
            .then_with(|| a.name.cmp(&b.name))
    });
    // Without a change yet, the feed is as new as the site's newest published fact (a
    // build date would make the same commit's bytes differ from day to day).
    let updated = (changes.first().map(|c| c.announced))
        .or(model.updated)
        .map_or_else(|| "1970-01-01".to_string(), |d| d.to_string());
    let mut xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n  <title>{} suppliers</title>\n  <id>{}</id>\n  <updated>{updated}T00:00:00Z</updated>\n  <link href=\"{}\"/>\n  <link rel=\"self\" href=\"{}\"/>\n",
        escape(&model.site.organisation),
        escape(&feed_id),
        escape(&format!("{page}index.html")),
        escape(&format!("{page}feed.xml")),
    );
    for change in changes {
        let (title, summary) = match change.change {
            "starting" => (
                format!("{} will start on {}", change.name, change.date),
                format!(
                    "{} will start processing data for us on {}.",
                    change.name, change.date
                ),
            ),
            "ending" => (
                format!("{} will stop on {}", change.name, change.date),
                format!(
                    "{} will stop processing data for us on {}.",
                    change.name, change.date
                ),
            ),
            "added" => (
                format!("{} added", change.name),
                format!(
                    "{} started processing data for us on {}.",
                    change.name, change.date
                ),
            ),
            "removed" => (
                format!("{} removed", change.name),
                format!(
                    "{} stopped processing data for us on {}.",
                    change.name, change.date
                ),
            ),
            _ => (
                format!("{} changed", change.name),
                format!(
                    "What we publish about {} changed on {}.",
                    change.name, change.date
                ),
            ),
        };
        let link = format!("{page}index.html#{}", change.anchor);
        xml.push_str(&format!(
            "  <entry>\n    <title>{}</title>\n    <id>{}{}-{}</id>\n    <updated>{}T00:00:00Z</updated>\n    <link href=\"{}\"/>\n    <summary>{}</summary>\n    <author><name>{}</name></author>\n  </entry>\n",
            escape(&title),
            escape(&entry_id),
            escape(&change.anchor),
            escape(&format!("{}-{}", change.change, change.date)),
            change.announced,
            escape(&link),
            escape(&summary),
            escape(&model.site.organisation),
        ));
    }
    xml.push_str("</feed>\n");
    xml
}

/// An Atom feed: one entry per revision of a published document, newest first, then one per
/// day on which a published item's source changed (from git), newest first.
fn feed(model: &PublicModel, base: Option<&str>) -> String {
    let base = base.unwrap_or("");
    let mut entries: Vec<(&PublicRevision, &crate::model::public::PublicDocument)> = model
        .documents
        .iter()
        .flat_map(|d| d.revisions.iter().map(move |r| (r, d)))
        .collect();
    entries.sort_by(|a, b| b.0.date.cmp(&a.0.date).then_with(|| a.1.url.cmp(&b.1.url)));
    let updated = model
        .updated
        .map_or_else(|| "1970-01-01".to_string(), |d| d.to_string());
    let mut xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n  <title>{}</title>\n  <id>{}</id>\n  <updated>{updated}T00:00:00Z</updated>\n  <link href=\"{}\"/>\n",
        escape(&model.site.title),
        escape(&format!("{base}feed.xml")),
        escape(base),
    );
    for (revision, document) in entries {
        let link = format!("{base}{}", document.url);
        xml.push_str(&format!(
            "  <entry>\n    <title>{} {}</title>\n    <id>{}#v{}</id>\n    <updated>{}T00:00:00Z</updated>\n    <link href=\"{}\"/>\n    <summary>{}</summary>\n    <author><name>{}</name></author>\n  </entry>\n",
            escape(&document.title),
            escape(&revision.version),
            escape(&link),
            escape(&revision.version),
            revision.date,
            escape(&link),
            escape(&revision.summary),
            escape(&model.site.organisation),
        ));
    }
    for change in &model.changes {
        let link = format!("{base}{}", change.url);
        // An item's first day on the public site is its publication, not a change.
        let (what, summary) = match change.published {
            true => ("published", "was published on"),
            false => ("changed", "changed on"),
        };
        xml.push_str(&format!(
            "  <entry>\n    <title>{} {what}</title>\n    <id>{}#{what}-{}</id>\n    <updated>{}T00:00:00Z</updated>\n    <link href=\"{}\"/>\n    <summary>{} {summary} {}.</summary>\n    <author><name>{}</name></author>\n  </entry>\n",
            escape(&change.title),
            escape(&link),
            change.date,
            change.date,
            escape(&link),
            escape(&change.title),
            change.date,
            escape(&model.site.organisation),
        ));
    }
    xml.push_str("</feed>\n");
    xml
}

/// A CSV cell, quoted when needed. A cell that a spreadsheet would run as a formula
/// (`=`, `+`, `-`, `@`, or a tab or carriage return before one) gets a leading `'`.
/// A cell a spreadsheet will not run: text starting like a formula gets a leading `'`.
fn defused(text: String) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text
    }
}

/// A CSV table (RFC 4180: CRLF lines, quoted where needed) with a header row.
fn csv_table<const N: usize>(
    columns: [&str; N],
    rows: impl Iterator<Item = [String; N]>,
) -> String {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    // Writing into memory cannot fail; a row that somehow did would be left out.
    let _ = writer.write_record(columns);
    for row in rows {
        let _ = writer.write_record(row.map(defused));
    }
    let bytes = writer.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}

pub const SOA_COLUMNS: [&str; 16] = [
    "id",
    "title",
    "objective",
    "applicable",
    "justification",
    "status",
    "owner",
    "target_date",
    "target_overdue",
    "risks",
    "policies",
    "evidence",
    "evidence_expires",
    "evidence_expired",
    "last_reviewed",
    "next_review",
];

/// The SoA page's columns, one row per control; several values in a cell are joined by
/// `; ` in the same order (evidence, its expiry and whether it has expired line up).
pub fn soa_csv(model: &InternalModel) -> String {
    let date = |d: Option<crate::load::date::Date>| d.map(|d| d.to_string()).unwrap_or_default();
    let yes_no = |b: bool| if b { "yes" } else { "no" }.to_string();
    csv_table(
        SOA_COLUMNS,
        model.soa.iter().map(|row| {
            let evidence = &row.evidence_items;
            [
                row.id.clone(),
                row.title.clone(),
                row.objective.clone(),
                row.applicable.map(yes_no).unwrap_or_default(),
                row.justification.clone(),
                row.status.clone(),
                row.owner.clone(),
                date(row.target_date),
                if row.target_date.is_some() {
                    yes_no(row.target_overdue)
                } else {
                    String::new()
                },
                row.risk_links
                    .iter()
                    .map(|r| r.id.as_str())
                    .collect::<Vec<_>>()
                    .join("; "),
                row.policies.join("; "),
                evidence
                    .iter()
                    .map(|e| e.title.as_str())
                    .collect::<Vec<_>>()
                    .join("; "),
                evidence
                    .iter()
                    .map(|e| date(e.expires_on))
                    .collect::<Vec<_>>()
                    .join("; "),
                evidence
                    .iter()
                    .map(|e| yes_no(e.expired))
                    .collect::<Vec<_>>()
                    .join("; "),
                date(row.last_reviewed),
                date(row.next_review),
            ]
        }),
    )
}

pub const GAP_COLUMNS: [&str; 8] = [
    "id",
    "title",
    "objective",
    "status",
    "owner",
    "target_date",
    "overdue",
    "risks",
];

/// One row per gap: an applicable control that is not implemented.
pub fn gaps_csv(model: &InternalModel) -> String {
    let rows = model.journey.gaps.iter().flat_map(|objective| {
        objective.items.iter().map(move |gap| {
            [
                gap.control.id.clone(),
                gap.control.title.clone(),
                format!("{} {}", objective.objective, objective.title),
                match gap.assessed {
                    true => serde_plain(&gap.status),
                    false => "not-yet-assessed".to_string(),
                },
                gap.owner.clone(),
                gap.target_date.map(|d| d.to_string()).unwrap_or_default(),
                if gap.overdue { "yes" } else { "no" }.to_string(),
                gap.risks
                    .iter()
                    .map(|r| r.id.as_str())
                    .collect::<Vec<_>>()
                    .join("; "),
            ]
        })
    });
    csv_table(GAP_COLUMNS, rows)
}

pub const SUPPLIER_COLUMNS: [&str; 19] = [
    "id",
    "name",
    "service",
    "purpose",
    "kind",
    "state",
    "data_categories",
    "locations",
    "trains_on_customer_data",
    "retention",
    "dpa",
    "since",
    "until",
    "systems",
    "risks",
    "owner",
    "next_review",
    "visibility",
    "published_as",
];

/// The supplier register, one row per supplier, for procurement's and auditors' tools.
pub fn suppliers_csv(model: &InternalModel) -> String {
    let date = |d: Option<crate::load::date::Date>| d.map(|d| d.to_string()).unwrap_or_default();
    let yes_no = |b: bool| if b { "yes" } else { "no" }.to_string();
    csv_table(
        SUPPLIER_COLUMNS,
        model.suppliers.iter().map(|s| {
            let r = s.record;
            [
                r.id.clone(),
                r.name.clone(),
                r.service.clone(),
                r.purpose.clone(),
                serde_plain(&r.kind),
                serde_plain(&s.state),
                r.data_categories.join("; "),
                r.locations.join("; "),
                yes_no(r.trains_on_customer_data),
                r.retention.clone().unwrap_or_default(),
                match &r.dpa {
                    None => String::new(),
                    Some(crate::load::records::Dpa::Signed(signed)) => yes_no(*signed),
                    Some(crate::load::records::Dpa::At(url)) => url.clone(),
                },
                r.since.to_string(),
                date(r.until),
                (s.systems.iter().map(|x| x.id.as_str()))
                    .collect::<Vec<_>>()
                    .join("; "),
                r.risks.join("; "),
                r.owner.clone().unwrap_or_default(),
                date(r.next_review),
                serde_plain(&r.visibility),
                serde_plain(&s.published_as),
            ]
        }),
    )
}

pub const OBJECTIVE_COLUMNS: [&str; 12] = [
    "id",
    "statement",
    "measure",
    "target",
    "current",
    "measured_on",
    "status",
    "owner",
    "due",
    "controls",
    "risks",
    "published_as",
];

pub fn objectives_csv(model: &InternalModel) -> String {
    let date = |d: Option<crate::load::date::Date>| d.map(|d| d.to_string()).unwrap_or_default();
    csv_table(
        OBJECTIVE_COLUMNS,
        model.objectives.iter().map(|o| {
            let r = o.record;
            [
                r.id.clone(),
                r.statement.clone(),
                r.measure.clone().unwrap_or_default(),
                r.target.clone(),
                r.current.clone().unwrap_or_default(),
                date(r.measured_on),
                serde_plain(&r.status),
                r.owner.clone(),
                date(r.due),
                r.controls.join("; "),
                r.risks.join("; "),
                serde_plain(&o.published_as),
            ]
        }),
    )
}

pub const AUDIT_COLUMNS: [&str; 11] = [
    "audit",
    "title",
    "start",
    "end",
    "auditor",
    "status",
    "finding",
    "grade",
    "description",
    "concerns",
    "action",
];

/// One row per finding (an audit without findings has one row of its own), so that a
/// spreadsheet can filter nonconformities and see which have an action.
pub fn audits_csv(model: &InternalModel) -> String {
    let rows = model.audits.iter().flat_map(|a| {
        let r = a.record;
        let audit = [
            r.id.clone(),
            r.title.clone(),
            r.start.to_string(),
            r.end.map(|d| d.to_string()).unwrap_or_default(),
            r.auditor.clone(),
            serde_plain(&r.status),
        ];
        let row = move |finding: [String; 5]| {
            let mut row: [String; 11] = Default::default();
            for (cell, value) in row.iter_mut().zip(audit.iter().chain(&finding)) {
                *cell = value.clone();
            }
            row
        };
        let mut rows: Vec<[String; 11]> = (r.findings.iter())
            .map(|f| {
                row([
                    f.id.clone(),
                    serde_plain(&f.grade),
                    f.description.clone(),
                    f.concerns.join("; "),
                    (a.actions.get(&f.id).into_iter().flatten())
                        .map(|x| x.id.as_str())
                        .collect::<Vec<_>>()
                        .join("; "),
                ])
            })
            .collect();
        if rows.is_empty() {
            rows.push(row(Default::default()));
        }
        rows
    });
    csv_table(AUDIT_COLUMNS, rows)
}

pub const ACTION_COLUMNS: [&str; 14] = [
    "id",
    "title",
    "severity",
    "source",
    "audit",
    "finding",
    "raised_on",
    "owner",
    "root_cause",
    "steps",
    "overdue_steps",
    "effective",
    "closed_on",
    "concerns",
];

pub fn actions_csv(model: &InternalModel) -> String {
    csv_table(
        ACTION_COLUMNS,
        model.actions.iter().map(|a| {
            let r = a.record;
            [
                r.id.clone(),
                r.title.clone(),
                serde_plain(&r.severity),
                serde_plain(&r.source),
                r.audit.clone().unwrap_or_default(),
                r.finding.clone().unwrap_or_default(),
                r.raised_on.to_string(),
                r.owner.clone(),
                r.root_cause.clone().unwrap_or_default(),
                r.steps.len().to_string(),
                a.overdue_steps.to_string(),
                (r.effectiveness_check.as_ref())
                    .map(|c| if c.effective { "yes" } else { "no" }.to_string())
                    .unwrap_or_default(),
                r.closed_on.map(|d| d.to_string()).unwrap_or_default(),
                r.concerns.join("; "),
            ]
        }),
    )
}

pub const PARTY_COLUMNS: [&str; 7] = [
    "id",
    "name",
    "needs",
    "requirements",
    "addressed_by",
    "engagement",
    "owner",
];

pub fn parties_csv(model: &InternalModel) -> String {
    csv_table(
        PARTY_COLUMNS,
        model.parties.iter().map(|p| {
            let r = p.record;
            [
                r.id.clone(),
                r.name.clone(),
                r.needs.join("; "),
                r.requirements.join("; "),
                r.addressed_by.join("; "),
                r.engagement.clone(),
                r.owner.clone(),
            ]
        }),
    )
}

pub const ASSESSMENT_COLUMNS: [&str; 11] = [
    "id",
    "system",
    "date",
    "assessor",
    "affected",
    "harms",
    "highest_harm",
    "mitigations",
    "residual_impact",
    "decision",
    "next_review",
];

pub fn assessments_csv(model: &InternalModel) -> String {
    csv_table(
        ASSESSMENT_COLUMNS,
        model.assessments.iter().map(|a| {
            let r = a.record;
            let highest = (r.harms.iter())
                .map(|h| u16::from(h.severity.0) * u16::from(h.likelihood.0))
                .max();
            [
                r.id.clone(),
                r.system.clone(),
                r.date.to_string(),
                r.assessor.clone(),
                r.affected.join("; "),
                r.harms.len().to_string(),
                highest.map(|h| h.to_string()).unwrap_or_default(),
                r.mitigations.join("; "),
                r.residual_impact.clone(),
                serde_plain(&r.decision),
                r.next_review.map(|d| d.to_string()).unwrap_or_default(),
            ]
        }),
    )
}

/// A CSV table of the handbook, made from the model.
type Table = fn(&InternalModel) -> String;

/// The handbook's files besides its pages. `model_key` hashes the model and the program
/// (see `search_index_key`); `oscal_key`, what OSCAL is made from and the program.
pub fn internal_files(
    model: &InternalModel,
    (model_key, oscal_key): (Option<u64>, Option<u64>),
    words: Option<&SearchWords>,
    out: &dyn Output,
) -> Result<(), String> {
    let tables: [(&str, Table); 8] = [
        ("parties.csv", parties_csv),
        ("assessments.csv", assessments_csv),
        ("soa.csv", soa_csv),
        ("suppliers.csv", suppliers_csv),
        ("objectives.csv", objectives_csv),
        ("audits.csv", audits_csv),
        ("actions.csv", actions_csv),
        ("gaps.csv", gaps_csv),
    ];
    for (path, table) in tables {
        put_kept(out, path, model_key, || table(model).into_bytes())?;
    }
    let oscal = super::oscal::OscalSources::of(model);
    let made = super::oscal::documents(&oscal, |path| !kept(out, path, oscal_key));
    for (path, bytes) in made {
        let key = file_key(oscal_key, &path);
        let page = key.map(|key| super::output::PageKey {
            key,
            assets: &[],
            reads: &[],
        });
        out.put(&path, bytes, page)?;
    }
    out.put("robots.txt", b"User-agent: *\nDisallow: /\n".to_vec(), None)?;
    out.put("_headers", host_headers(true).into_bytes(), None)?;
    let bodies = (model.documents.iter()).map(|d| (d.body.as_str().len(), d.source_hash));
    put_kept(
        out,
        SEARCH_INDEX,
        search_index_key(model_key, bodies),
        || internal_search_index(model, words),
    )
}

/// The handbook's search: every record by id and title, with the words of its text (a
/// document's body, internal parts included), and the handbook's own pages, so that
/// "RSK-008", "RACI" or "management review" find where they are.
fn internal_search_index(model: &InternalModel, words: Option<&SearchWords>) -> Vec<u8> {
    let opt = |t: &Option<String>| t.clone().unwrap_or_default();
    let documents: Vec<Arc<str>> = {
        use rayon::prelude::*;
        (model.documents.par_iter())
            .map(|d| internal_document_json(d, words))
            .collect()
    };
    let mut entries: Vec<Owned> = Vec::new();
    for c in &model.controls {
        let r = c.record;
        let texts = [opt(&r.justification), opt(&r.implementation), opt(&r.owner)];
        entries.push(entry(
            &r.id,
            &c.info.title,
            &c.url,
            "control",
            &texts.each_ref().map(String::as_str),
        ));
    }
    entries.extend(model.systems.iter().map(system_entry));
    entries.extend(model.risks.iter().map(risk_entry));
    for s in &model.suppliers {
        let r = s.record;
        entries.push(entry(
            &r.id,
            &r.name,
            &s.url,
            "supplier",
            &[&r.service, &r.purpose],
        ));
    }
    for o in &model.objectives {
        let r = o.record;
        entries.push(entry(&r.id, &r.statement, &o.url, "objective", &[&r.owner]));
    }
    for a in &model.audits {
        entries.push(entry(&a.record.id, &a.record.title, &a.url, "audit", &[]));
    }
    for a in &model.actions {
        entries.push(entry(&a.record.id, &a.record.title, &a.url, "action", &[]));
    }
    for p in &model.parties {
        let needs = p.record.needs.join(" ");
        entries.push(entry(
            &p.record.id,
            &p.record.name,
            &p.url,
            "party",
            &[&needs],
        ));
    }
    for a in &model.assessments {
        let title = format!("Impact assessment of {}", a.record.system);
        entries.push(entry(
            &a.record.id,
            &title,
            &a.url,
            "assessment",
            &[&a.record.assessor],
        ));
    }
    for (title, url, words) in HANDBOOK_PAGES {
        entries.push(entry("", title, url, "page", &[words]));
    }
    let rest = entries
        .iter()
        .map(|e| entry_json(&e.borrowed(), Readers::Internal, words));
    let elements: Vec<Arc<str>> = documents.into_iter().chain(rest).collect();
    search_script(&elements)
}

fn entry(id: &str, title: &str, url: &str, kind: &'static str, texts: &[&str]) -> Owned {
    Owned {
        title: if id.is_empty() || title.starts_with(id) {
            title.to_string()
        } else {
            format!("{id} {title}")
        },
        url: url.to_string(),
        kind,
        text: texts.join(" "),
    }
}

/// A document's element of the handbook's search index (the first elements, in the
/// model's order).
fn internal_document_entry(
    d: &crate::model::internal::InternalDocument,
    words: Option<&SearchWords>,
) -> Owned {
    let kind = if d.is_page { "page" } else { "document" };
    let summary = d.meta.public_summary.clone().unwrap_or_default();
    let body = words_of(words, Reading::Rough, d.body.as_str(), d.source_hash);
    entry(&d.meta.id, &d.meta.title, &d.url, kind, &[&summary, &body])
}

fn internal_document_json(
    d: &crate::model::internal::InternalDocument,
    words: Option<&SearchWords>,
) -> Arc<str> {
    let kind = if d.is_page { "page" } else { "document" };
    let summary = d.meta.public_summary.as_deref().unwrap_or_default();
    let parts = [d.meta.id.as_str(), &d.meta.title, &d.url, kind, summary];
    let body = (&parts[..], Reading::Rough, d.body.as_str(), d.source_hash);
    document_json(words, Readers::Internal, body, || {
        json_of(&internal_document_entry(d, words).borrowed())
    })
}

/// The JSON of `model.documents[at]`'s element of the handbook's search index, the
/// `at`th: for a save that changed that body alone (`serve::body_save`).
pub fn internal_search_entry(
    model: &InternalModel,
    at: usize,
    words: Option<&SearchWords>,
) -> Arc<str> {
    internal_document_json(&model.documents[at], words)
}

fn system_entry(system: &crate::model::internal::InternalSystem) -> Owned {
    let r = system.record;
    let texts = [r.description.as_str(), &r.purpose, &r.owner];
    entry(&r.id, &r.name, &system.url, "system", &texts)
}

/// The element of the handbook's search index of `system` (as if it were the model's
/// `at`th system), and its place in the index: after the documents and controls.
pub fn internal_system_search_entry(
    model: &InternalModel,
    system: &crate::model::internal::InternalSystem,
    at: usize,
    words: Option<&SearchWords>,
) -> (usize, Arc<str>) {
    let place = model.documents.len() + model.controls.len() + at;
    placed(place, &system_entry(system), words)
}

fn risk_entry(risk: &crate::model::internal::InternalRisk) -> Owned {
    let r = risk.record;
    entry(
        &r.id,
        &r.title,
        &risk.url,
        "risk",
        &[&r.description, &r.owner],
    )
}

/// The element of the handbook's search index of `risk` (as if it were the model's
/// `at`th risk), and its place in the index: after the documents, controls and systems.
pub fn internal_risk_search_entry(
    model: &InternalModel,
    risk: &crate::model::internal::InternalRisk,
    at: usize,
    words: Option<&SearchWords>,
) -> (usize, Arc<str>) {
    let place = model.documents.len() + model.controls.len() + model.systems.len() + at;
    placed(place, &risk_entry(risk), words)
}

/// A record's element of the handbook's search index, with its place there.
fn placed(place: usize, entry: &Owned, words: Option<&SearchWords>) -> (usize, Arc<str>) {
    (
        place,
        entry_json(&entry.borrowed(), Readers::Internal, words),
    )
}

/// An index entry that owns its words (the handbook's titles are made, not borrowed).
struct Owned {
    title: String,
    url: String,
    kind: &'static str,
    text: String,
}

impl Owned {
    fn borrowed(&self) -> SearchEntry<'_> {
        SearchEntry {
            title: &self.title,
            url: &self.url,
            kind: self.kind,
            text: self.text.as_str().into(),
            anchor: None,
        }
    }
}

/// The handbook's own pages, with the words people look for them by.
const HANDBOOK_PAGES: [(&str, &str, &str); 10] = [
    (
        "Clause map",
        "clauses/",
        "ISO/IEC 42001 clauses 4 to 10 evidence",
    ),
    ("Dashboard", "", "overview status totals"),
    (
        "Statement of Applicability",
        "soa/",
        "SoA controls applicability justification 6.1.3",
    ),
    (
        "Risk register",
        "risks/",
        "risks heat map likelihood impact 6.1.2",
    ),
    (
        "Review calendar",
        "calendar/",
        "reviews due overdue evidence expiry",
    ),
    ("Gaps", "gaps/", "controls not implemented"),
    ("Roadmap", "roadmap/", "planned partial target dates"),
    ("Roles", "roles/", "owners responsibilities RACI"),
    ("Regulation map", "regulation/", "EU AI Act mappings"),
    (
        "Management review pack",
        "review/",
        "management review 9.3 changes since the last review",
    ),
];

/// Evidence and impact-assessment files under `content/`, for the internal site.
#[cfg(test)]
mod tests {
    use super::csv_table;

    /// Blocks end words (a table's cells, list items, a quote, code); inline marks do not.
    #[test]
    fn plain_text_keeps_the_words_of_blocks_apart() {
        let markdown = "| Role | Responsible for |\n|---|---|\n| Management team | Approving |\n\n\
                        - first\n- second\n\n> quoted\n\n```\ncode\n```\nAfter **bold**ly\n";
        let text = super::plain_text(markdown);
        let words: Vec<&str> = text.split(' ').collect();
        for word in [
            "Role",
            "Responsible",
            "for",
            "Management",
            "team",
            "Approving",
            "first",
            "second",
            "quoted",
            "code",
            "After",
            "boldly",
        ] {
            assert!(words.contains(&word), "{word}: {text}");
        }
    }

    #[test]
    fn rough_text_keeps_whole_characters_and_drops_marks_and_tags() {
        // The reading as it was written first, character by character.
        fn by_characters(markdown: &str) -> String {
            let mut text = String::new();
            let mut in_tag = false;
            for c in markdown.chars() {
                match c {
                    '<' => in_tag = true,
                    '>' if in_tag => in_tag = false,
                    _ if in_tag => {}
                    '#' | '*' | '_' | '`' | '|' | '[' | ']' | '(' | ')' | '>' | '~' => {
                        text.push(' ')
                    }
                    _ => text.push(c),
                }
                if text.len() >= 4000 {
                    break;
                }
            }
            super::distinct_words(&text)
        }
        let mut samples = vec![
            "# Títle ünïcode <b class=\"é\">bold</b> [link](x.md) `code` ~~gone~~ > quote"
                .to_string(),
            "<span title=\"日本語\">hidden 日本語</span> shown 日本語 and 🎉🎉".to_string(),
            "a < b > c, unclosed <tag".to_string(),
        ];
        // Characters of 2, 3 and 4 bytes across the 4,000-byte cut, at every offset.
        for wide in ["é", "語", "🎉"] {
            for pad in 0..4 {
                let words: String = (0..900).map(|i| format!("w{i} ")).collect();
                let mut text = "x".repeat(pad) + &words;
                text.truncate(3990);
                samples.push(text + &wide.repeat(10) + " tail");
            }
        }
        for sample in &samples {
            assert_eq!(
                super::rough_text(sample),
                by_characters(sample),
                "{sample:?}"
            );
        }
    }

    #[test]
    fn search_entries_are_found_whatever_their_strings_hold_and_spliced_in_place() {
        use super::{Readers, SearchEntry, search_entries, search_index, splice_search_entry};
        let texts = ["a, b], {c}", "say \"}]\" and \\", "</script> ,", ""];
        let entries: Vec<SearchEntry> = (texts.iter())
            .map(|t| SearchEntry::new(t, "u/", "page", t))
            .collect();
        let index = search_index(entries.iter(), Readers::Internal, None);
        let mut found = search_entries(&index).expect("an index it wrote");
        assert_eq!(found.len(), texts.len());
        for (range, text) in found.iter().zip(texts) {
            let entry: serde_json::Value = serde_json::from_slice(&index[range.clone()]).unwrap();
            assert_eq!(entry["title"], text);
        }
        // Replacing the second element gives the index written with it.
        let replaced = SearchEntry::new("new, longer \"title\"", "v/", "page", "x");
        let json = super::entry_json(&replaced, Readers::Internal, None);
        let spliced = splice_search_entry(&index, &mut found, 1, &json);
        let mut expected: Vec<&SearchEntry> = entries.iter().collect();
        expected[1] = &replaced;
        assert_eq!(
            spliced,
            search_index(expected.into_iter(), Readers::Internal, None)
        );
        assert_eq!(search_entries(&spliced), Some(found), "the places follow");
        assert_eq!(
            search_entries(b"window.TRUSTBOOK_SEARCH = [{\"a\":1}"),
            None
        );
        assert_eq!(search_entries(b"[]"), None);
    }

    #[test]
    fn csv_cells_are_quoted_and_defused() {
        let rows = [[
            "plain".to_string(),
            "a, \"b\"".to_string(),
            "=HYPERLINK(1)".to_string(),
        ]];
        assert_eq!(
            csv_table(["x", "y", "z"], rows.into_iter()),
            "x,y,z\r\nplain,\"a, \"\"b\"\"\",'=HYPERLINK(1)\r\n"
        );
    }
}
