//! Stage 4: pages and files for one audience, rendered in memory from that audience's
//! model. Nothing here decides what an audience may see: the model already did.
//!
//! Each page is a job (output path, template, the page's own data, and maybe a Markdown
//! body); jobs render in parallel. Site-wide data is converted for the templates once and
//! shared, so a page costs the same however large the site is.

pub mod cache;
pub mod files;
pub mod highlight;
pub mod markdown;
pub mod theme;

use crate::links::Resolver;
use crate::load::Site;
use crate::load::files::resolve_inside;
use crate::model::internal::InternalModel;
use crate::model::public::PublicModel;
use crate::sources::FileId;
use cache::PageCache;
use highlight::Highlighter;
use markdown::LinkContext;
use minijinja::{Environment, Value, context};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Everything one site consists of: output path (relative, `/`-separated) to bytes.
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

#[derive(Default)]
pub struct SiteFiles {
    pub files: BTreeMap<String, Vec<u8>>,
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
    /// Pages rendered by the previous build, reused when their inputs are the same.
    pub cache: &'a PageCache,
    pub site: &'a Site,
    pub resolver: Resolver<'a>,
}

struct Job<'m> {
    path: String,
    template: &'static str,
    page: Value,
    body: Option<(&'m str, FileId)>,
    /// The title the page shows above its body.
    title: Option<&'m str>,
    /// The way back to the site root, when it is not relative to the page's own path.
    root: Option<String>,
    /// The page's own data, for the page cache; `None` for pages made from the whole
    /// model (the indexes), which are always rendered.
    own_data: Option<Vec<u8>>,
}

impl<'m> Job<'m> {
    /// A page made from the whole model, such as an index.
    fn new(path: impl Into<String>, template: &'static str, page: Value) -> Self {
        Job {
            path: path.into(),
            template,
            page,
            body: None,
            title: None,
            root: None,
            own_data: None,
        }
    }

    /// The page of one record at `url`, which the page cache can reuse.
    fn record<T: serde::Serialize>(url: &str, template: &'static str, item: &T) -> Self {
        Job {
            path: format!("{url}index.html"),
            template,
            page: data(item),
            body: None,
            title: None,
            root: None,
            own_data: serde_json::to_vec(item).ok(),
        }
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
    /// Renders the jobs in parallel into `out`; returns the assets their bodies used.
    fn run(
        &self,
        out: &mut SiteFiles,
        jobs: Vec<Job>,
        shared: &Value,
        context: &cache::Context,
    ) -> Result<Vec<PathBuf>, RenderError> {
        let (urls, audience, preview) = (context.urls, context.audience, context.preview);
        let rendered: Vec<(String, Vec<u8>, Vec<PathBuf>)> = jobs
            .par_iter()
            .map(|job| {
                let key = job
                    .own_data
                    .as_ref()
                    .map(|own| context.key(job.template, &job.path, own, job.body));
                if let Some(hit) = key.and_then(|key| self.cache.get(key)) {
                    return Ok((job.path.clone(), hit.0, hit.1));
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
                    model => shared,
                    page => &job.page,
                    body => body,
                    // Only `../` repeated: safe to print unescaped.
                    root => Value::from_safe_string(root.clone()),
                    audience => audience,
                    preview => preview,
                })?;
                let html = html.into_bytes();
                if let Some(key) = key {
                    self.cache.put(key, html.clone(), assets.clone());
                }
                Ok((job.path.clone(), html, assets))
            })
            .collect::<Result<_, RenderError>>()?;
        let mut assets = Vec::new();
        out.pages += rendered.len();
        for (path, bytes, used) in rendered {
            assets.extend(used);
            out.files.insert(path, bytes);
        }
        Ok(assets)
    }

    /// Copies the asset files that pages of this audience use, and only those.
    fn add_assets(
        &self,
        out: &mut SiteFiles,
        assets: Vec<PathBuf>,
        under: &str,
    ) -> Result<(), RenderError> {
        for asset in assets {
            let full = self.site.content.join(&asset);
            let real = resolve_inside(&full, &self.site.content)
                .map_err(|e| RenderError(format!("{}: {e}", asset.display())))?;
            let bytes = std::fs::read(&real)
                .map_err(|e| RenderError(format!("cannot read {}: {e}", asset.display())))?;
            let path = format!("{under}{}", asset.to_string_lossy().replace('\\', "/"));
            out.files.insert(path, bytes);
        }
        Ok(())
    }

    pub fn public(&self, model: &PublicModel, preview: bool) -> Result<SiteFiles, RenderError> {
        let shared = data(model);
        let mut jobs = vec![
            Job::new("index.html", "public/index.html", Value::UNDEFINED),
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
                ..Job::new("404.html", "public/404.html", Value::UNDEFINED)
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
        );
        let mut out = SiteFiles::default();
        let assets = self.run(&mut out, jobs, &shared, &context)?;
        self.add_assets(&mut out, assets, "")?;
        files::public_files(model, &mut out);
        Ok(out)
    }

    pub fn internal(
        &self,
        model: &InternalModel,
        public_preview: SiteFiles,
    ) -> Result<SiteFiles, RenderError> {
        let shared = data(model);
        let mut jobs = vec![
            Job::new("index.html", "internal/dashboard.html", Value::UNDEFINED),
            Job::new("404.html", "internal/404.html", Value::UNDEFINED),
            Job::new(
                "documents/index.html",
                "internal/documents.html",
                Value::UNDEFINED,
            ),
            Job::new("soa/index.html", "internal/soa.html", Value::UNDEFINED),
            Job::new("gaps/index.html", "internal/gaps.html", Value::UNDEFINED),
            Job::new(
                "roadmap/index.html",
                "internal/roadmap.html",
                Value::UNDEFINED,
            ),
            Job::new("roles/index.html", "internal/roles.html", Value::UNDEFINED),
            Job::new(
                "regulation/index.html",
                "internal/regulation.html",
                Value::UNDEFINED,
            ),
            Job::new(
                "review/index.html",
                "internal/review.html",
                Value::UNDEFINED,
            ),
            Job::new(
                "systems/index.html",
                "internal/systems.html",
                Value::UNDEFINED,
            ),
            Job::new("risks/index.html", "internal/risks.html", Value::UNDEFINED),
            Job::new(
                "calendar/index.html",
                "internal/calendar.html",
                Value::UNDEFINED,
            ),
        ];
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
        let context =
            cache::Context::new(&model.urls, "internal", false, (model.site, model.today));
        let mut out = SiteFiles::default();
        let assets = self.run(&mut out, jobs, &shared, &context)?;
        self.add_assets(&mut out, assets, "")?;
        let evidence = files::evidence_paths(self.site);
        self.add_assets(&mut out, evidence, "files/")?;
        files::internal_files(model, &mut out);
        out.pages += public_preview.pages;
        for (path, bytes) in public_preview.files {
            out.files.insert(format!("preview/{path}"), bytes);
        }
        Ok(out)
    }

    pub fn static_files(&self, theme: &theme::Theme, out: &mut SiteFiles) {
        for (path, bytes) in theme.static_files() {
            out.files.insert(format!("static/{path}"), bytes);
        }
    }
}
