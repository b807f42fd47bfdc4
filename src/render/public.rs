//! The public trust centre's pages, from the public model and nothing else: this module
//! cannot name a source, a loaded record or the internal model (a test in
//! `tests/boundary.rs` holds it to that), so no template or link here can reach what the
//! model left out. Links and assets were resolved when the model was built.

use super::highlight::Highlighter;
use super::markdown::{self, Links};
use super::output::Output;
use super::{Body, Job, RenderError, Renderer, cache, data, files, site_path};
use crate::model::public::{PublicBody, PublicModel};
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
        cache::hash_of(self)
    }

    fn html(
        &self,
        root: &str,
        title: Option<&str>,
        highlighter: &Highlighter,
    ) -> (String, Vec<PathBuf>) {
        let links = PublicLinks { body: self, root };
        let html = markdown::to_html(&self.markdown, &links, title, false, highlighter);
        (html, Vec::new())
    }
}

impl Renderer<'_> {
    /// Renders the public site (or its preview inside the handbook) into `out`; returns the
    /// number of pages.
    pub fn public(
        &self,
        model: &PublicModel,
        preview: bool,
        out: &dyn Output,
    ) -> Result<usize, RenderError> {
        let model_hash = cache::hash_of(model);
        let mut jobs = vec![
            Job::new("index.html", "public/index.html").with_model(model_hash),
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
                ..Job::new("404.html", "public/404.html").with_model(model_hash)
            },
        ];
        for document in &model.documents {
            jobs.push(
                Job::record(&document.url, "public/document.html", document)
                    .with_body(&document.body)
                    .titled(&document.title),
            );
        }
        jobs.extend(
            model
                .controls
                .iter()
                .map(|control| Job::record(&control.url, "public/control.html", control)),
        );
        jobs.extend(
            model
                .systems
                .iter()
                .map(|system| Job::record(&system.url, "public/system.html", system)),
        );
        jobs.extend(
            model
                .risks
                .iter()
                .map(|risk| Job::record(&risk.url, "public/risk.html", risk)),
        );
        let audience = if preview { "preview" } else { "public" };
        let context = cache::Context::new(
            &model.urls,
            audience,
            preview,
            (&model.site, &model.updated),
            self.fingerprint,
        );
        let (pages, _) = self.run(out, jobs, &|| data(model), &context)?;
        for asset in model.assets.values() {
            let bytes = std::fs::read(&asset.source)
                .map_err(|e| RenderError(format!("cannot read {}: {e}", asset.path)))?;
            out.put(&asset.path, bytes, None).map_err(RenderError)?;
        }
        files::public_files(model, out).map_err(RenderError)?;
        Ok(pages)
    }
}
