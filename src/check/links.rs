//! Links between sources: a relative link names another source file (and maybe a heading
//! in it) or an asset; both must exist. On the public site a link to something unpublished
//! would lose its target, so that is a warning. Also: internal-block markers, and two
//! sources that would be written to the same URL.

use super::{AnyRecord, Index};
use crate::finding::{At, Code, Finding};
use crate::generations::Generations;
use crate::hash::HashMap;
use crate::hash::HashMapExt;
use crate::links::{Resolver, Target};
use crate::load::each_record_file;
use crate::load::outline::{Link, MarkerError, Outline};
use crate::load::records::Visibility;
use crate::load::{Document, Site};
use crate::publish::{self, AssetRefusal};
use rayon::prelude::*;
use std::sync::Arc;

/// Each document's findings of this rule, kept by `serve` between saves. A save that
/// changes no record's id, file, kind or publication and no document's headings leaves
/// every document's links leading where they led: at N = 10,000 that is 45,000 links not
/// resolved and looked up again. Kept only for documents whose links all lead to records,
/// the home page or another site: a link to an asset or to no file asks the file system,
/// which the key does not cover, so such a document is checked on every save.
#[derive(Default)]
pub struct LinkFindings(Generations<LinkKey, Arc<[Finding]>>);

/// What one document's findings are made from: the links' environment (`environment`),
/// its file's text (hashed), where its body starts, and its file's path (hashed), which
/// its links are relative to.
type LinkKey = (u64, u64, usize, u64);

impl LinkFindings {
    pub fn start(&self) {
        drop(self.0.start());
    }
}

pub fn check(
    (site, kept): (&Site, Option<&LinkFindings>),
    index: &Index,
    assets: &publish::Assets,
    findings: &mut Vec<Finding>,
) {
    let outline_of = |i: usize| &*site.documents[i].outline;
    let context = Context {
        site,
        index,
        resolver: Resolving::WhenAsked(std::sync::OnceLock::new()),
        assets,
        outline_of: &outline_of,
    };
    let environment = kept.map(|_| environment(site, index));
    // Each document on its own, side by side; their findings in the documents' order.
    let found: Vec<Vec<Finding>> = (site.documents.par_iter())
        .map(|document| {
            let file = document.record.file;
            let key = environment.map(|environment| {
                let path = site.sources.path(file).as_os_str().as_encoded_bytes();
                let text_hash = site.sources.get(file).hash();
                let path_hash = xxhash_rust::xxh3::xxh3_64(path);
                (environment, text_hash, document.body_start, path_hash)
            });
            let known = (kept.zip(key.as_ref()))
                .and_then(|(kept, key)| kept.0.find(key, |found| Some(Arc::clone(found))));
            if let Some(known) = known {
                return crate::load::cache::for_file(&known, file).collect();
            }
            let mut findings = Vec::new();
            let from_index_alone = document_links(&context, document, true, &mut findings);
            let keep = (from_index_alone)
                .then(|| crate::load::cache::for_cache(&findings, file))
                .flatten();
            if let (Some(kept), Some(key), Some(keep)) = (kept, key, keep) {
                kept.0.insert(key, keep);
            }
            findings
        })
        .collect();
    findings.extend(found.into_iter().flatten());
    // A control's implementation is Markdown too: the handbook renders it with its links
    // resolved as a body's are, from the control's file. (The public site never shows it.)
    let implementations: Vec<Vec<Finding>> = (site.controls.par_iter())
        .filter_map(|control| Some((control, control.data.implementation.as_deref()?)))
        .map(|(control, text)| {
            let mut findings = Vec::new();
            let field = control.positions.value("implementation");
            let file_text = site.sources.get(control.file).text.as_str();
            for link in &crate::load::outline::outline(text).links {
                let place = Place::Field(written_once(
                    file_text,
                    field.clone(),
                    &text[link.span.clone()],
                ));
                let written = Written {
                    file: control.file,
                    place,
                };
                check_link(&context, &written, link, false, &mut findings);
            }
            findings
        })
        .collect();
    findings.extend(implementations.into_iter().flatten());
}

/// The findings of this rule on one document's markers and links (and, with `withheld`,
/// on its being marked public but not published); whether every link was answered from
/// the index alone (none to an asset or to no file).
fn document_links(
    context: &Context,
    document: &Document,
    withheld_too: bool,
    findings: &mut Vec<Finding>,
) -> bool {
    marker_errors(document, findings);
    // What the public site shows: under `publish: approved`, what the approved text
    // allows.
    let decision = publish::document(document);
    if let (true, Some(why)) = (withheld_too, decision.withheld) {
        withheld(document, (why, decision.field, false), findings);
    }
    let public = decision.shown == Visibility::Public;
    let written = Written::body(document);
    let mut from_index_alone = true;
    for link in &document.outline.links {
        from_index_alone &= check_link(context, &written, link, public, findings);
    }
    from_index_alone
}

/// A hash of everything a link is checked against besides its own document: each
/// record's id, kind, publication and file, each document's headings and other anchors
/// (and which are inside internal blocks), the ids used twice, and the sources that did
/// not load. Sums of each item's hash: the same whatever order the maps hold them in.
fn environment(site: &Site, index: &Index) -> u64 {
    use crate::hash::stable_in_process as hash;
    fn sum(hashes: impl Iterator<Item = u64>) -> u64 {
        hashes.fold(0, u64::wrapping_add)
    }
    // In turn, not side by side: under a millisecond at N = 10,000.
    let entries = sum(index.by_id.iter().map(|(id, entry)| {
        let anchors = (entry.document).map(|at| site.documents[at].outline.anchors_fingerprint());
        hash((id, entry.kind, entry.published, entry.on_request, anchors))
    }));
    let path = |file| site.sources.path(file).as_os_str();
    let files = sum(each_record_file(site).map(|(id, file)| hash((id, path(file)))));
    let duplicated = sum(index.duplicated.iter().map(hash));
    let unloaded = sum(site.unloaded_paths.iter().map(|p| hash(p.as_os_str())));
    let counts = (
        index.by_id.len(),
        index.duplicated.len(),
        site.unloaded_paths.len(),
    );
    hash((entries, files, duplicated, unloaded, counts))
}

/// Where `link` (as written in a field's text) is inside the field's value at `field`:
/// found once, as written (a literal block keeps a line's text as is); else the field.
fn written_once(file: &str, field: std::ops::Range<usize>, link: &str) -> std::ops::Range<usize> {
    let Some(value) = file.get(field.clone()) else {
        return field;
    };
    let mut found = value.match_indices(link).map(|(at, _)| at);
    match (found.next(), found.next()) {
        (Some(at), None) if !link.is_empty() => field.start + at..field.start + at + link.len(),
        _ => field,
    }
}

/// Where a link was written: the file its destination is relative to, and where in that
/// file the link is (a body is a slice of its file; a field's text, read from YAML that
/// may quote or fold it, is pointed at whole).
struct Written {
    file: crate::sources::FileId,
    place: Place,
}

enum Place {
    /// A body, from this byte of its file.
    Body(usize),
    /// A field's value, at this span.
    Field(std::ops::Range<usize>),
}

impl Written {
    fn body(document: &Document) -> Written {
        Written {
            file: document.record.file,
            place: Place::Body(document.body_start),
        }
    }

    /// Where the link at `span` (in the text it was written in) is in the file.
    fn at(&self, span: &std::ops::Range<usize>) -> At {
        let span = match &self.place {
            Place::Body(start) => span.start + start..span.end + start,
            Place::Field(field) => field.clone(),
        };
        At {
            file: self.file,
            span,
        }
    }
}

/// The rules on one document's body (its markers and links), as `check` applies them;
/// not whether it is withheld (`serve` answers a save that changes what the public site
/// shows of a document with a full build). `outline_of` gives the outline of each document by index, for anchors: `serve` asks
/// this of a saved body it has not put into `site`.
pub fn body<'a>(
    (site, resolver): (&'a Site, &'a Resolver<'a>),
    index: &'a Index,
    assets: &'a publish::Assets,
    document: &Document,
    outline_of: &'a (dyn Fn(usize) -> &'a Outline + Sync),
    findings: &mut Vec<Finding>,
) {
    let context = Context {
        site,
        index,
        resolver: Resolving::Given(resolver),
        assets,
        outline_of,
    };
    document_links(&context, document, false, findings);
}

struct Context<'a> {
    site: &'a Site,
    index: &'a Index,
    resolver: Resolving<'a>,
    assets: &'a publish::Assets,
    outline_of: &'a (dyn Fn(usize) -> &'a Outline + Sync),
}

/// What resolves links: made at the first link that needs it, since a save whose links
/// all lead where they led (`LinkFindings`) resolves none.
enum Resolving<'a> {
    Given(&'a Resolver<'a>),
    WhenAsked(std::sync::OnceLock<Resolver<'a>>),
}

impl<'a> Context<'a> {
    fn resolver(&self) -> &Resolver<'a> {
        match &self.resolver {
            Resolving::Given(resolver) => resolver,
            Resolving::WhenAsked(made) => made.get_or_init(|| Resolver::new(self.site)),
        }
    }
}

/// A document its author marked public (or restricted) that the public site will not show.
pub fn withheld(
    document: &Document,
    (why, field, approved): (&str, Option<&str>, bool),
    findings: &mut Vec<Finding>,
) {
    let why = match approved {
        true => format!("in the approved text it publishes, {why}"),
        false => why.to_string(),
    };
    let meta = &document.record.data;
    let marked = match meta.visibility {
        Visibility::Restricted => "restricted",
        _ => "public",
    };
    let (field, help) = match field {
        Some("approved_by") => (
            "approved_by",
            "write who approved it (a person or a body, as the approval record names them), or set `status: in_review` until it is approved",
        ),
        Some(field) => (
            field,
            "write the text the public may read, or mark it `visibility: internal` until it is",
        ),
        None => (
            "visibility",
            "approve it (`status: approved` with `approved_by` and `approved_on`), or mark it `visibility: internal` until it is",
        ),
    };
    let at = At {
        file: document.record.file,
        span: document.record.positions.value(field),
    };
    let (code, help) = withheld_code(&why, help);
    findings.push(
        Finding::new(
            code,
            format!("marked `visibility: {marked}`, but not published: {why}"),
        )
        .at(at)
        .help(help),
    );
}

fn marker_errors(document: &Document, findings: &mut Vec<Finding>) {
    for error in &document.outline.marker_errors {
        let (code, span, message, help) = match error {
            MarkerError::Unclosed(span) => (
                Code::UnclosedInternalBlock,
                span,
                "internal block is never closed",
                "add a line `<!-- /internal -->` where the internal part ends",
            ),
            MarkerError::UnexpectedClose(span) => (
                Code::UnclosedInternalBlock,
                span,
                "`<!-- /internal -->` closes no internal block",
                "remove it, or add `<!-- internal -->` where the internal part starts",
            ),
            MarkerError::Nested(span) => (
                Code::UnclosedInternalBlock,
                span,
                "internal block opened inside another",
                "close the first block with `<!-- /internal -->` before opening another",
            ),
            MarkerError::NotHidden(span) => (
                Code::CommentNotHidden,
                span,
                "this would be shown as text: Markdown (or, for `<![CDATA[` in SVG and MathML, the browser) does not read it as a comment",
                "a comment inside a paragraph may not contain a blank line, and must end with `-->`; `<![CDATA[` has no place in a page; to hide text from the public site, put it in an internal block",
            ),
            MarkerError::CommentBroken(span, why) => (
                Code::CommentNotHidden,
                span,
                *why,
                "remove the inner `<!--` or the stray `-->` so that each comment ends where you meant; write an arrow as `→`, in backticks, or in raw HTML as `--&gt;`; to hide text from the public site, put it in an internal block",
            ),
            MarkerError::Malformed(span, why) if *why == crate::load::outline::OTHER_MARKER => (
                Code::InternalMarkerMalformed,
                span,
                *why,
                "to hide the text from the public site, put `<!-- internal -->` on a line of its own before it and `<!-- /internal -->` after it, with a blank line around each; to keep a note in the source only, reword the comment",
            ),
            MarkerError::Malformed(span, why) => (
                Code::InternalMarkerMalformed,
                span,
                *why,
                "write `<!-- internal -->` and `<!-- /internal -->` each on a line of its own, with a blank line before and after, around whole paragraphs; a comment that is not a marker must not say `internal`",
            ),
        };
        let at = At {
            file: document.record.file,
            span: span.start + document.body_start..span.end + document.body_start,
        };
        findings.push(Finding::new(code, message).at(at).help(help));
    }
}

/// Returns whether the link was answered from the index alone (it leads to no asset and
/// to no missing file, which ask the file system).
fn check_link(
    context: &Context,
    written: &Written,
    link: &Link,
    public: bool,
    findings: &mut Vec<Finding>,
) -> bool {
    let Context {
        site,
        index,
        assets,
        outline_of,
        ..
    } = context;
    let resolver = context.resolver();
    let at = written.at(&link.span);
    let external = crate::links::is_external(&link.dest) || link.dest.starts_with("//");
    if link.image && external {
        // Pages load nothing from another host: the page would show the alt text only.
        findings.push(
            Finding::new(
                Code::LinkToNonPublic,
                "this image is on another host: pages load nothing from elsewhere, so only its alt text is shown",
            )
            .at(at)
            .help("copy the image into content/assets/ and link to it there"),
        );
        return true;
    }
    let resolved = match resolver.resolve(written.file, &link.dest) {
        Ok(Some(resolved)) => resolved,
        Ok(None) => return true,
        Err(message) => {
            let help = match nearest_file(site, written.file, &link.dest) {
                Some(near) => {
                    let anchor = link.dest.split_once('#').map_or("", |(_, a)| a);
                    // The anchor as the suggested file has it, or its nearest heading.
                    let anchors = match resolver.resolve(written.file, &near) {
                        Ok(Some(r)) => match r.target {
                            Target::Record(id) => (index.by_id.get(id))
                                .and_then(|e| e.document)
                                .map(|i| &outline_of(i).anchors),
                            _ => None,
                        },
                        _ => None,
                    };
                    let anchor = match anchors {
                        _ if anchor.is_empty() => None,
                        Some(anchors) if anchors.contains(anchor) => Some(anchor),
                        Some(anchors) => {
                            crate::finding::nearest(anchor, anchors.iter().map(String::as_str))
                        }
                        None => Some(anchor),
                    };
                    match anchor {
                        Some(anchor) => format!("did you mean `{near}#{anchor}`?"),
                        None => format!("did you mean `{near}`?"),
                    }
                }
                None => {
                    "links are relative to this file, for example `../policies/data.md#retention`"
                        .to_string()
                }
            };
            findings.push(
                Finding::new(Code::BrokenLink, format!("broken link: {message}"))
                    .at(at)
                    .help(help),
            );
            return false;
        }
    };
    let anchor = resolved.anchor.as_str();
    let id = match resolved.target {
        Target::Record(id) => id,
        Target::Asset(path) => {
            let shown_publicly = public && !link.in_internal_block;
            asset_link(assets, &path, shown_publicly, at, findings);
            return false;
        }
        Target::Unloaded | Target::Home => return true,
    };
    let duplicated = |id| !index.duplicated.is_empty() && index.duplicated.contains(id);
    let Some(entry) = index.by_id.get(id).filter(|_| !duplicated(id)) else {
        return true;
    };
    // Every page has the layout's ids (`#main`, where "Skip to content" goes).
    let layout_id = crate::load::outline::LAYOUT_IDS.contains(&anchor);
    if !anchor.is_empty() && !layout_id {
        let anchors = entry.document.map(|i| &outline_of(i).anchors);
        if !anchors.is_some_and(|a| a.contains(anchor)) {
            let help = match anchors {
                Some(anchors) if !anchors.is_empty() => {
                    let mut known: Vec<_> = anchors.iter().map(String::as_str).collect();
                    known.sort();
                    // A typo's likely meaning first: a long policy has dozens of headings.
                    match crate::finding::nearest(anchor, known.iter().copied()) {
                        Some(near) => format!(
                            "did you mean `#{near}`? headings there: {}",
                            known.join(", ")
                        ),
                        None => format!("headings there: {}", known.join(", ")),
                    }
                }
                Some(_) => "that document has no headings".to_string(),
                None => format!(
                    "a {} page has no headings to link to: drop `#{anchor}`",
                    entry.kind.noun()
                ),
            };
            findings.push(
                Finding::new(
                    Code::BrokenAnchor,
                    format!("broken anchor: `#{anchor}` is no heading of `{id}`"),
                )
                .at(at)
                .help(help),
            );
            return true;
        }
    }
    let anchor_is_internal =
        || (entry.document).is_some_and(|i| outline_of(i).internal_anchors.contains(anchor));
    if public && !link.in_internal_block && entry.published && anchor_is_internal() {
        findings.push(
            Finding::new(
                Code::LinkToNonPublic,
                format!("this public page links to `#{anchor}`, a place (heading or element) inside an internal block of `{id}`: the public site links to `{id}` without it"),
            )
            .at(at.clone())
            .help("link to a public heading or element, or put the link in an internal block"),
        );
    }
    if public && !link.in_internal_block && !entry.published {
        findings.push(
            Finding::new(
                Code::LinkToNonPublic,
                if entry.on_request {
                    format!("this public page links to `{id}`, which has no public page (it is listed as available on request): the public site shows the text without the link")
                } else {
                    format!("this public page links to `{id}`, which is not published: the public site shows the text without the link")
                },
            )
            .at(at)
            .help("publish the target, put the link in an internal block, or remove it"),
        );
    }
    true
}

/// The existing file whose name is nearest to a link's missing target, in the folder the
/// link leads to, written as the link should be (without its anchor).
fn nearest_file(site: &Site, file: crate::sources::FileId, dest: &str) -> Option<String> {
    let path = dest.split_once('#').map_or(dest, |(path, _)| path);
    let (folder, name) = path.rsplit_once('/').unwrap_or(("", path));
    let source = site.sources.path(file);
    let here = source.parent()?.strip_prefix("content").ok()?;
    let relative = crate::load::files::inside_content(&here.join(folder).to_string_lossy())?;
    let names: Vec<String> = std::fs::read_dir(site.content.join(relative))
        .ok()?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .collect();
    // The file itself, when it exists but is no source: naming it back helps no one.
    let near = crate::finding::nearest(name, names.iter().map(String::as_str))
        .filter(|near| *near != name)?;
    let prefix = if folder.is_empty() {
        String::new()
    } else {
        format!("{folder}/")
    };
    Some(format!("{prefix}{near}"))
}

/// An asset must really be under `content/assets/`; one a public page shows must be public.
fn asset_link(
    assets: &publish::Assets,
    path: &std::path::Path,
    shown_publicly: bool,
    at: At,
    findings: &mut Vec<Finding>,
) {
    let refusal = if shown_publicly {
        assets.public_file(path).err()
    } else {
        assets.inside_assets(path).err()
    };
    let shown = path.display();
    match refusal {
        None => {}
        Some(AssetRefusal::Escapes(why)) => findings.push(
            Finding::new(Code::UnsafePath, format!("asset `{shown}` is not used: {why}"))
                .at(at)
                .help("copy the file into content/assets/ instead of linking to it"),
        ),
        Some(AssetRefusal::Active(why)) => findings.push(
            Finding::new(
                Code::UnsafeAsset,
                format!("this public page uses `{shown}`, which is not published: {why}"),
            )
            .at(at)
            .help("publish documents as PDF and images as PNG, JPEG or a plain SVG"),
        ),
        Some(AssetRefusal::Internal(why)) => findings.push(
            Finding::new(
                Code::AssetNotPublic,
                format!("this public page uses `{shown}`, which is internal: {why}"),
            )
            .at(at)
            .help("remove the link, move it into an internal block, or publish a separate public copy of the file"),
        ),
    }
}

/// Two records that would be written to the same page. Compared without case, because
/// macOS, Windows and some static hosts do not tell `a/` from `A/`.
pub fn check_url_collisions(records: &[AnyRecord], findings: &mut Vec<Finding>) {
    let mut seen: HashMap<String, (&AnyRecord, &str)> = HashMap::new();
    // Where a record's id is, found only for the findings (one look-up per record).
    let at = |record: &AnyRecord| At {
        file: record.file,
        span: record.positions.value("id"),
    };
    for record in records {
        let lowered = record.url.to_lowercase();
        let (kind, id, url) = (record.kind, record.id, &record.url);
        match seen.get(&lowered) {
            // The same id twice is already a duplicate-id error.
            Some((_, first_id)) if *first_id == id => {}
            Some((first, _)) => findings.push(
                Finding::new(
                    Code::UrlCollision,
                    format!(
                        "this {} would be written to `{url}`, like another source",
                        kind.noun()
                    ),
                )
                .at(at(record))
                .note(at(first), format!("already written to `{}`", first.url))
                .help("rename the file or the id so that each gets its own page"),
            ),
            None => {
                seen.insert(lowered, (record, id));
            }
        }
    }
}

/// A source withheld for a comment in a field it shows is an error, as a comment a body
/// would show is: its author meant something hidden. Any other reason is a warning.
pub fn withheld_code(why: &str, help: &'static str) -> (Code, &'static str) {
    match why.ends_with(crate::publish::COMMENT_IN_FIELD) {
        true => (
            Code::CommentNotHidden,
            "a field is plain text: remove the comment or marker from it (an internal note belongs in an internal field or an internal block of the body)",
        ),
        false => (Code::PublicNotPublished, help),
    }
}
