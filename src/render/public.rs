//! The public trust centre's pages, from the public model and nothing else: this module
//! cannot name a source, a loaded record or the internal model (a test in
//! `tests/boundary.rs` holds it to that), so no template or link here can reach what the
//! model left out. Links and assets were resolved when the model was built.

use super::highlight::Highlighter;
use super::markdown::{self, Links};
use super::output::Output;
use super::{Body, Hashed, Job, RenderError, Renderer, cache, files, site_path};
use crate::model::public::{PublicBody, PublicDocument, PublicModel};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// A public body's links: only what the public model decided. A relative URL it did not
/// decide loses its target.
struct PublicLinks<'a> {
    body: &'a PublicBody,
    root: &'a str,
}

impl Links for PublicLinks<'_> {
    fn target(&self, url: &str) -> Option<String> {
        if crate::links::is_external(url) {
            return Some(url.to_string());
        }
        let key = crate::links::percent_decode(url);
        if let Some(decided) = self.body.links.get(&key) {
            return decided.as_ref().map(|to| format!("{}{to}", self.root));
        }
        // The body's own heading anchors (the sanitiser also sees those the renderer adds).
        let anchor = key.strip_prefix('#')?;
        self.body.anchors.contains(anchor).then(|| url.to_string())
    }
}

impl Body for &PublicBody {
    fn hash(&self) -> Option<u64> {
        // The markdown by its hash: every field, named so that a new one is not forgotten.
        let PublicBody {
            markdown: _,
            hash,
            links,
            anchors,
        } = self;
        cache::hash_of(&(hash, links, anchors))
    }

    fn html(
        &self,
        root: &str,
        title: Option<&str>,
        highlighter: &Highlighter,
    ) -> (String, Vec<PathBuf>) {
        let links = PublicLinks { body: self, root };
        let html = markdown::to_html(self.markdown.as_str(), &links, title, false, highlighter);
        (html, Vec::new())
    }
}

/// What one public render made.
pub struct PublicRun {
    pub pages: usize,
    /// Why each record page and asset is public, by output path.
    pub reasons: BTreeMap<String, String>,
}

/// Why a file of the public site is there, for the publication report: the reasons of
/// the run for pages and assets, and the purpose of each file made for every site.
pub fn reason(path: &str, reasons: &BTreeMap<String, String>) -> String {
    if let Some(reason) = reasons.get(path) {
        return reason.clone();
    }
    let purpose = match path {
        "index.html" => "The transparency page: the public facts of the model",
        "404.html" => "The page a host shows for a missing address",
        "trust.json" => "The public facts, machine-readable",
        "search-index.js" => "Search over the public pages' titles, summaries and text",
        "sitemap.xml" => "Addresses of the public pages, for search engines",
        "robots.txt" => "Tells search engines they may index the site",
        "_headers" => {
            "Response headers for Netlify and Cloudflare Pages (the pages' security policy)"
        }
        "feed.xml" => "Atom feed of revisions of public documents",
        "suppliers/index.html" => "The public suppliers and their changes",
        "suppliers/feed.xml" => "Atom feed of changes to the public suppliers",
        ".well-known/security.txt" => {
            "Where to report a vulnerability (RFC 9116), from site.yaml's contact.security"
        }
        crate::write::MARKER => "Marks the folder as trustbook's output (written by build)",
        _ if path.starts_with("static/") => "Theme file (style, script or icon)",
        _ => "Made from the public model",
    };
    purpose.to_string()
}

/// Why each record page and asset is public.
fn page_reasons(model: &PublicModel) -> BTreeMap<String, String> {
    let page = |url: &str| format!("{url}index.html");
    let mut reasons = BTreeMap::new();
    for d in &model.documents {
        let why = if d.is_page {
            format!("Page “{}”: marked public", d.title)
        } else {
            format!("Document “{}”: marked public and approved", d.title)
        };
        reasons.insert(page(&d.url), why);
    }
    for c in &model.controls {
        let why = format!("Control {} “{}”: marked public", c.id, c.title);
        reasons.insert(page(&c.url), why);
    }
    for s in &model.systems {
        reasons.insert(
            page(&s.url),
            format!("AI system “{}”: marked public", s.name),
        );
    }
    for r in &model.risks {
        reasons.insert(page(&r.url), format!("Risk “{}”: marked public", r.title));
    }
    for asset in model.assets.values() {
        let users: Vec<_> = asset.used_by.iter().map(|u| page(u)).collect();
        let why = format!("Asset used by public page {}", users.join(", "));
        reasons.insert(asset.path.clone(), why);
    }
    reasons
}

/// What the public layout (`public/base.html`: navigation and footer) prints on every
/// page, and so what every page's key must cover: a new title in the navigation is a
/// change of every page.
fn layout(model: &PublicModel) -> impl serde::Serialize + '_ {
    (
        (&model.site, &model.updated, &model.nav),
        model.ai_policy.as_ref().map(|policy| &policy.url),
        model.suppliers.any(),
        !model.risks.is_empty(),
    )
}

impl Renderer<'_> {
    /// Renders the public site (or its preview inside the handbook) into `out`.
    pub fn public(
        &self,
        model: &PublicModel,
        preview: bool,
        out: &dyn Output,
    ) -> Result<PublicRun, RenderError> {
        let readers = readers(preview);
        super::hashed_fields!(model, known: documents, controls, systems, risks);
        let shared = self.shared_model(model, readers, &self.hashes.public, known);
        let model_hash = || match self.hashes.public.get() {
            Some(hash) => *hash,
            None => shared(false).hash,
        };
        let mut jobs = vec![
            Job::new("index.html", "public/index.html").of_model(),
            Job {
                // A host serves the 404 page at any missing address, so relative links
                // would break; with a base_url, link from the site's own path instead.
                // (The preview inside the handbook stays relative.)
                root: model
                    .site
                    .base_url
                    .as_deref()
                    .filter(|_| !preview)
                    .map(site_path),
                ..Job::new("404.html", "public/404.html").of_model()
            },
        ];
        let hashed_documents = model.documents.iter().zip(&documents.hashes);
        jobs.extend(
            hashed_documents.map(|(document, own)| document_job(document).with_own_hash(*own)),
        );
        jobs.extend(controls.jobs("public/control.html", |c| &c.url));
        jobs.extend(systems.jobs("public/system.html", |s| &s.url));
        jobs.extend(risks.jobs("public/risk.html", |r| &r.url));
        if model.suppliers.any() {
            jobs.push(Job::new("suppliers/index.html", "public/suppliers.html").of_model());
        }
        let context = context(model, preview, self.fingerprint);
        let (pages, _) = self.run(out, jobs, &shared, &context)?;
        for asset in model.assets.values() {
            let bytes = std::fs::read(&asset.source)
                .map_err(|e| RenderError(format!("cannot read {}: {e}", asset.path)))?;
            out.put(&asset.path, bytes, None).map_err(RenderError)?;
        }
        // The files besides the pages are made from the model and the program, as the
        // indexes are: keyed alike.
        let files_key = model_hash().and_then(|h| context.key("files", "", h, 0));
        files::public_files(model, files_key, self.search_words, out).map_err(RenderError)?;
        Ok(PublicRun {
            pages,
            reasons: page_reasons(model),
        })
    }

    /// The preview's page of `model.documents[at]` alone, as `public` renders it into the
    /// handbook: for a save that changed that document's body and nothing else.
    pub fn preview_document(
        &self,
        model: &PublicModel,
        at: usize,
        out: &dyn Output,
    ) -> Result<(), RenderError> {
        let shared = self.shared_model(model, readers(true), &self.hashes.public, Vec::new());
        let job = document_job(&model.documents[at]);
        let context = context(model, true, self.fingerprint);
        self.run(out, vec![job], &shared, &context)?;
        Ok(())
    }
}

/// What every page of the public site (or of the preview) shares.
fn context(model: &PublicModel, preview: bool, fingerprint: u64) -> cache::Context<'_> {
    cache::Context::new(
        &model.urls,
        readers(preview),
        preview,
        layout(model),
        fingerprint,
    )
}

fn readers(preview: bool) -> cache::Readers {
    match preview {
        true => cache::Readers::Preview,
        false => cache::Readers::Public,
    }
}

/// A document's public page.
fn document_job(document: &PublicDocument) -> Job<'_> {
    Job::record(&document.url, "public/document.html", document)
        .with_body(&document.body)
        .titled(&document.title)
}
