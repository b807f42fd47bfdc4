//! Stage 4: pages and files for one audience, rendered in memory from that audience's
//! model. Nothing here decides what an audience may see: the model already did.
//!
//! Each page is a job (output path, template, the page's own data, and maybe a Markdown
//! body); jobs render in parallel. Site-wide data is converted for the templates once and
//! shared, so a page costs the same however large the site is.

pub mod cache;
pub mod files;
pub mod highlight;
mod highlight_store;
pub mod markdown;
pub mod output;
pub mod theme;

use crate::links::Resolver;
use crate::load::Site;
use crate::load::files::resolve_inside;
use crate::model::internal::InternalModel;
use crate::model::public::PublicModel;
use crate::sources::FileId;
use highlight::Highlighter;
use markdown::LinkContext;
use minijinja::{Environment, Value, context};
use output::{Output, PageKey, Prefixed};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::PathBuf;

#[cfg(test)]
mod tests {
    use super::site_path;

    #[test]
    fn site_paths_come_from_base_urls() {
        assert_eq!(site_path("https://trust.example.com/"), "/");
        assert_eq!(site_path("https://trust.example.com"), "/");
        assert_eq!(site_path("https://example.com/trust"), "/trust/");
        assert_eq!(site_path("https://example.com/a/trust/"), "/a/trust/");
    }
}

/// Everything one site consists of, in memory: output path (relative, `/`-separated) to
/// bytes.
#[derive(Default)]
pub struct SiteFiles {
    pub files: BTreeMap<String, output::Bytes>,
    pub pages: usize,
}

/// A template failed: which one, where, and why.
#[derive(Debug)]
pub struct RenderError(pub String);

impl From<minijinja::Error> for RenderError {
    fn from(err: minijinja::Error) -> Self {
        let place = match (err.name(), err.line()) {
            (Some(name), Some(line)) => format!("template {name}, line {line}"),
            (Some(name), None) => format!("template {name}"),
            _ => "a template".to_string(),
        };
        let detail = err
            .detail()
            .map_or_else(|| err.kind().to_string(), str::to_string);
        RenderError(format!("{place}: {detail}"))
    }
}

/// Shared by every page of a build: the template environment and the highlighter.
pub struct Renderer<'a> {
    pub env: Environment<'static>,
    pub highlighter: &'a Highlighter,
    /// Hashed into every page's key: the templates and the program that render it.
    pub fingerprint: u64,
    pub site: &'a Site,
    pub resolver: Resolver<'a>,
}

struct Job<'m> {
    path: String,
    template: &'static str,
    /// The page's own data for the template, converted only when the page is rendered.
    page: Option<Box<dyn Fn() -> Value + Send + Sync + 'm>>,
    body: Option<(&'m str, FileId)>,
    /// The title the page shows above its body.
    title: Option<&'m str>,
    /// The way back to the site root, when it is not relative to the page's own path.
    root: Option<String>,
    /// A hash of what the page is made from besides the site-wide context, for its key:
    /// the record's data, or the whole model for the indexes. `None`: always rendered.
    own_hash: Option<u64>,
}

impl<'m> Job<'m> {
    /// A page made from the whole model, such as an index: give it the model's hash
    /// (`with_model`) so that it is rendered again only when the model changed.
    fn new(path: impl Into<String>, template: &'static str) -> Self {
        Job {
            path: path.into(),
            template,
            page: None,
            body: None,
            title: None,
            root: None,
            own_hash: None,
        }
    }

    /// The page of one record at `url`, which the page cache can reuse.
    fn record<T: serde::Serialize + Sync>(url: &str, template: &'static str, item: &'m T) -> Self {
        Job {
            path: format!("{url}index.html"),
            template,
            page: Some(Box::new(move || data(item))),
            body: None,
            title: None,
            root: None,
            own_hash: cache::hash_of(item),
        }
    }

    fn with_model(mut self, model_hash: Option<u64>) -> Self {
        self.own_hash = model_hash;
        self
    }

    fn with_body(mut self, markdown: &'m str, file: FileId) -> Self {
        self.body = Some((markdown, file));
        self
    }

    fn titled(mut self, title: &'m str) -> Self {
        self.title = Some(title);
        self
    }
}

/// Template data from a model value, converted once.
fn data<T: serde::Serialize>(value: &T) -> Value {
    Value::from(minijinja::value::Serde(value))
}

/// The path part of a base URL, ending in `/`: `https://a.example/trust` → `/trust/`.
fn site_path(base_url: &str) -> String {
    let after_scheme = base_url
        .split_once("://")
        .map_or(base_url, |(_, rest)| rest);
    let path = after_scheme.find('/').map_or("", |i| &after_scheme[i..]);
    format!("{}/", path.trim_end_matches('/'))
}

/// `../../` for `policies/x/index.html`.
fn root_of(path: &str) -> String {
    "../".repeat(path.matches('/').count())
}

impl<'a> Renderer<'a> {
    /// Renders the jobs in parallel into `out`, skipping pages it already holds; returns
    /// the number of pages and the assets their bodies use.
    fn run(
        &self,
        out: &dyn Output,
        jobs: Vec<Job>,
        shared: &(dyn Fn() -> Value + Sync),
        context: &cache::Context,
    ) -> Result<(usize, Vec<PathBuf>), RenderError> {
        // The whole model for the templates, converted once, and only if a page renders.
        let model = std::sync::OnceLock::new();
        let (urls, audience, preview) = (context.urls, context.audience, context.preview);
        let used: Vec<Vec<PathBuf>> = jobs
            .par_iter()
            .map(|job| {
                let key = (job.own_hash)
                    .and_then(|own| context.key(job.template, &job.path, own, job.body));
                if let Some(assets) = key.and_then(|key| out.reuse(&job.path, key)) {
                    return Ok(assets);
                }
                let root = job.root.clone().unwrap_or_else(|| root_of(&job.path));
                let (body, assets) = match job.body {
                    Some((markdown, file)) => {
                        let links = LinkContext {
                            resolver: &self.resolver,
                            urls,
                            file,
                            root: &root,
                            title: job.title,
                            drop_comments: audience != "internal",
                        };
                        let html = markdown::to_html(markdown, &links, self.highlighter);
                        (Value::from_safe_string(html.html), html.assets)
                    }
                    None => (Value::UNDEFINED, Vec::new()),
                };
                let template = self.env.get_template(job.template)?;
                let html = template.render(context! {
                    model => model.get_or_init(shared),
                    page => job.page.as_ref().map_or(Value::UNDEFINED, |page| page()),
                    body => body,
                    // Only `../` repeated: safe to print unescaped.
                    root => Value::from_safe_string(root.clone()),
                    audience => audience,
                    preview => preview,
                })?;
                let page = key.map(|key| PageKey {
                    key,
                    assets: &assets,
                });
                out.put(&job.path, html.into_bytes(), page)
                    .map_err(RenderError)?;
                Ok(assets)
            })
            .collect::<Result<_, RenderError>>()?;
        Ok((used.len(), used.into_iter().flatten().collect()))
    }

    /// Copies the asset files that pages of this audience use, and only those.
    fn add_assets(
        &self,
        out: &dyn Output,
        mut assets: Vec<PathBuf>,
        under: &str,
    ) -> Result<(), RenderError> {
        assets.sort();
        assets.dedup();
        for asset in assets {
            let full = self.site.content.join(&asset);
            let real = resolve_inside(&full, &self.site.content)
                .map_err(|e| RenderError(format!("{}: {e}", asset.display())))?;
            let bytes = std::fs::read(&real)
                .map_err(|e| RenderError(format!("cannot read {}: {e}", asset.display())))?;
            let path = format!("{under}{}", asset.to_string_lossy().replace('\\', "/"));
            out.put(&path, bytes, None).map_err(RenderError)?;
        }
        Ok(())
    }

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
                    .with_body(&document.body, document.file)
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
        let (pages, assets) = self.run(out, jobs, &|| data(model), &context)?;
        self.add_assets(out, assets, "")?;
        files::public_files(model, out).map_err(RenderError)?;
        Ok(pages)
    }

    /// Renders the handbook into `out`, the public preview below `preview/`; returns the
    /// number of pages.
    pub fn internal(
        &self,
        model: &InternalModel,
        public_model: &PublicModel,
        out: &dyn Output,
    ) -> Result<usize, RenderError> {
        let model_hash = cache::hash_of(model);
        let indexes = [
            Job::new("index.html", "internal/dashboard.html"),
            Job::new("404.html", "internal/404.html"),
            Job::new("documents/index.html", "internal/documents.html"),
            Job::new("soa/index.html", "internal/soa.html"),
            Job::new("gaps/index.html", "internal/gaps.html"),
            Job::new("roadmap/index.html", "internal/roadmap.html"),
            Job::new("roles/index.html", "internal/roles.html"),
            Job::new("regulation/index.html", "internal/regulation.html"),
            Job::new("review/index.html", "internal/review.html"),
            Job::new("systems/index.html", "internal/systems.html"),
            Job::new("risks/index.html", "internal/risks.html"),
            Job::new("calendar/index.html", "internal/calendar.html"),
        ];
        let mut jobs: Vec<Job> = (indexes.into_iter())
            .map(|index| index.with_model(model_hash))
            .collect();
        for document in &model.documents {
            jobs.push(
                Job::record(&document.url, "internal/document.html", document)
                    .with_body(document.body, document.file)
                    .titled(&document.meta.title),
            );
        }
        for control in &model.controls {
            let job = Job::record(&control.url, "internal/control.html", control);
            jobs.push(match &control.record.implementation {
                Some(text) => job.with_body(text, control.file),
                None => job,
            });
        }
        jobs.extend(
            model
                .systems
                .iter()
                .map(|system| Job::record(&system.url, "internal/system.html", system)),
        );
        jobs.extend(
            model
                .risks
                .iter()
                .map(|risk| Job::record(&risk.url, "internal/risk.html", risk)),
        );
        let context = cache::Context::new(
            &model.urls,
            "internal",
            false,
            (model.site, model.today),
            self.fingerprint,
        );
        let (pages, assets) = self.run(out, jobs, &|| data(model), &context)?;
        self.add_assets(out, assets, "")?;
        let evidence = crate::publish::internal_record_files(self.site);
        self.add_assets(out, evidence, "files/")?;
        files::internal_files(model, out).map_err(RenderError)?;
        let preview = Prefixed {
            inner: out,
            prefix: "preview/",
        };
        let preview_pages = self.public(public_model, true, &preview)?;
        Ok(pages + preview_pages)
    }

    pub fn static_files(&self, theme: &theme::Theme, out: &dyn Output) -> Result<(), RenderError> {
        for (path, bytes) in theme.static_files() {
            out.put(&format!("static/{path}"), bytes, None)
                .map_err(RenderError)?;
        }
        Ok(())
    }
}
