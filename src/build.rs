//! `build`: from a checked site to both output folders, through the models and renderers.

use crate::load::Site;
use crate::load::cache::ParseCache;
use crate::load::date::Date;
use crate::load::records::SiteConfig;
use crate::model::{internal, public};
use crate::render::cache::PageCache;
use crate::render::highlight::Highlighter;
use crate::render::output::{Memory, Output};
use crate::render::theme::Theme;
use crate::render::{ModelHashes, RenderError, Renderer, SiteFiles};
use crate::write;
use rayon::prelude::*;
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Audience {
    Public,
    Internal,
}

/// Both sites in memory (or the one asked for).
pub struct Built {
    pub public: Option<SiteFiles>,
    pub internal: Option<SiteFiles>,
    /// The hashes of the models rendered, as the pages' keys used them.
    pub hashes: ModelHashes,
}

/// What one build can hand the next: highlighted code and rendered pages. `build` starts
/// with an empty one; `serve` keeps one for as long as it runs.
#[derive(Default)]
pub struct Reuse {
    pub sources: ParseCache,
    pub highlighter: Highlighter,
    /// The handbook's pages, by path.
    pub pages: PageCache,
    /// The public site's, apart: a path names a page of one site.
    pub public_pages: PageCache,
    /// Words of bodies for search: `serve` keeps them (a save reads one body, not all);
    /// `build` does not (it would hold every body's words until the end for nothing).
    pub search_words: Option<crate::render::files::SearchWords>,
    pub template_data: crate::render::TemplateData,
    pub field_data: crate::render::FieldData,
    /// The links rule's findings of each document: `serve` keeps them (a save that moves
    /// no record and no heading checks no link again); `build` runs `check` once.
    pub link_findings: Option<crate::check::LinkFindings>,
    /// Parts of the models (public bodies, the records each body links to): kept by
    /// `serve` alike.
    pub model_parts: Option<crate::model::Kept>,
}

impl Reuse {
    /// What `serve` keeps between saves: besides what `build` keeps, the sources' bytes
    /// and parses, and the search indexes' words.
    pub fn serving() -> Reuse {
        Reuse {
            sources: ParseCache::keeping_files(),
            search_words: Some(Default::default()),
            link_findings: Some(Default::default()),
            model_parts: Some(Default::default()),
            ..Reuse::default()
        }
    }
}

/// The models of a site: the public one always (the handbook previews it), the internal
/// one when the handbook is wanted.
pub struct Models<'a> {
    pub public: public::PublicModel,
    pub internal: Option<internal::InternalModel<'a>>,
}

/// Builds the models of `site`, the two side by side (neither depends on the other).
/// They read the site only, not `check`'s verdict, so `serve` builds them while `check`
/// runs; it renders them only if the site passed.
/// `kept`: the models' parts `serve` keeps between saves.
pub fn models<'a>(
    site: &'a Site,
    today: Date,
    only: Option<Audience>,
    kept: Option<&crate::model::Kept>,
) -> Result<Models<'a>, RenderError> {
    let config = config_of(site)?;
    let internal_wanted = only != Some(Audience::Public);
    let (public, internal) = rayon::join(
        || public::build(site, config, today, kept.map(|k| &k.public_bodies)),
        || {
            let linked = kept.map(|k| &k.linked);
            internal_wanted.then(|| internal::build(site, config, today, linked))
        },
    );
    Ok(Models { public, internal })
}

/// What `serve` does with a loaded site (its history attached): runs `check` (adding to
/// `findings`) and builds the handbook's models at the same time, on the two cores a
/// laptop has at least. The models are for rendering only if no finding is an error.
/// A model built from a site that fails `check` is thrown away; should building one
/// panic on such a site, the findings still say what is wrong.
/// Also returns what `check` found that the rules on one body need again (`serve` keeps
/// it for a save that changes a body alone).
pub fn checked_models<'a>(
    site: &'a Site,
    kept: &Reuse,
    today: Date,
    mut findings: Vec<crate::finding::Finding>,
) -> (
    Result<Models<'a>, RenderError>,
    Vec<crate::finding::Finding>,
    crate::check::BodyRules,
) {
    let parts = kept.model_parts.as_ref();
    if let Some(parts) = parts {
        parts.start();
    }
    let loaded = config_of(site);
    let config = loaded.as_ref().ok().copied();
    // The handbook's model is the longer (about two thirds of the models' time at 10,000
    // pages), and its steps wait on each other: it starts at once on one core, `check`
    // and then the public model take the other.
    let (internal, (public, body_rules)) = rayon::join(
        || {
            let linked = parts.map(|k| &k.linked);
            config.map(|config| guarded(|| internal::build(site, config, today, linked)))
        },
        || {
            let links = kept.link_findings.as_ref();
            if let Some(links) = links {
                links.start();
            }
            let body_rules = crate::check::run_keeping((site, links), today, &mut findings);
            crate::check::run_provenance(site, today, &mut findings);
            let bodies = parts.map(|k| &k.public_bodies);
            let public =
                config.map(|config| guarded(|| public::build(site, config, today, bodies)));
            (public, body_rules)
        },
    );
    let failed = (findings.iter()).any(|f| f.severity == crate::finding::Severity::Error);
    let models = match (loaded, internal, public) {
        (Err(error), ..) => Err(error),
        (_, Some(Ok(internal)), Some(Ok(public))) => Ok(Models {
            public,
            internal: Some(internal),
        }),
        (_, Some(Err(panic)), _) | (_, _, Some(Err(panic))) if !failed => {
            std::panic::resume_unwind(panic)
        }
        _ => Err(RenderError("the site failed `check`".into())),
    };
    (models, findings, body_rules)
}

/// The site's settings. `check` refuses a site whose site.yaml did not load, so the
/// error is only a guard.
fn config_of(site: &Site) -> Result<&SiteConfig, RenderError> {
    let config = site.config.as_ref().ok_or_else(|| {
        RenderError("content/site.yaml did not load: run `trustbook check`".into())
    })?;
    Ok(&config.data)
}

/// Builds a model, catching a panic (`checked_models` says why).
fn guarded<M>(model: impl FnOnce() -> M) -> std::thread::Result<M> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(model))
}

/// Renders the sites of a site that passed `check` into memory (for `serve` and tests).
pub fn render(
    site: &Site,
    today: Date,
    only: Option<Audience>,
    reuse: &Reuse,
) -> Result<Built, RenderError> {
    render_models(site, &models(site, today, only, None)?, only, reuse)
}

/// Renders models made by `models` (with the same `only`) into memory.
pub fn render_models(
    site: &Site,
    models: &Models,
    only: Option<Audience>,
    reuse: &Reuse,
) -> Result<Built, RenderError> {
    let wants = |audience| only.is_none_or(|o| o == audience);
    let public = wants(Audience::Public).then(|| Memory::new(Some(&reuse.public_pages)));
    let internal = wants(Audience::Internal).then(|| Memory::new(Some(&reuse.pages)));
    reuse.pages.start();
    reuse.public_pages.start();
    reuse.template_data.start();
    reuse.field_data.start();
    if let Some(words) = &reuse.search_words {
        words.start();
    }
    let hashes = ModelHashes::default();
    let pages = render_into(
        site,
        models,
        (reuse, &hashes),
        public.as_ref().map(|m| m as &dyn Output),
        internal.as_ref().map(|m| m as &dyn Output),
    )?;
    let collected = |memory: Option<Memory>, pages| {
        memory.map(|memory| SiteFiles {
            files: memory.into_files(),
            pages,
        })
    };
    Ok(Built {
        public: collected(public, pages.0),
        internal: collected(internal, pages.1),
        hashes,
    })
}

/// Pages and files written into one output folder.
pub struct Written {
    pub folder: &'static str,
    pub pages: usize,
    pub files: usize,
}

/// Renders the sites of a site that passed `check` straight into `public/` and
/// `internal/` (or the one asked for). Both targets are checked before either is touched,
/// so a refused folder leaves both as they were; a failed render leaves both as they were.
pub fn build(
    site: &Site,
    today: Date,
    only: Option<Audience>,
    reuse: &Reuse,
) -> Result<Vec<Written>, String> {
    let wants = |audience| only.is_none_or(|o| o == audience);
    let folders: Vec<&'static str> = [
        (Audience::Public, "public"),
        (Audience::Internal, "internal"),
    ]
    .into_iter()
    .filter(|(audience, _)| wants(*audience))
    .map(|(_, name)| name)
    .collect();
    for name in &folders {
        write::may_replace(&site.root.join(name))?;
    }
    let cache = site.root.join(CACHE_FOLDER);
    let mut generations = Vec::new();
    for name in &folders {
        generations.push(write::Generation::open(
            &site.root.join(name),
            Some(&cache),
        )?);
    }
    let output = |name| {
        let at = folders.iter().position(|f| *f == name)?;
        Some(&generations[at] as &dyn Output)
    };
    let models = models(site, today, only, None).map_err(|e| e.0)?;
    let hashes = ModelHashes::default();
    let (public, internal) = (output("public"), output("internal"));
    let pages = render_into(site, &models, (reuse, &hashes), public, internal).map_err(|e| e.0)?;
    // Each folder's stray files removed and its manifest written, side by side; then
    // both put in place, or neither.
    let complete: Vec<write::Complete> = generations
        .into_par_iter()
        .map(write::Generation::complete)
        .collect::<Result<_, String>>()?;
    let files = write::put_in_place(complete)?;
    let written = (folders.into_iter().zip(files))
        .map(|(name, files)| Written {
            folder: name,
            pages: if name == "public" { pages.0 } else { pages.1 },
            files,
        })
        .collect();
    Ok(written)
}

/// Caches kept between builds, beside `content/`; safe to delete.
pub const CACHE_FOLDER: &str = ".trustbook-cache";

/// Renders into the outputs given; returns the number of pages of each.
fn render_into(
    site: &Site,
    models: &Models,
    (reuse, hashes): (&Reuse, &ModelHashes),
    public: Option<&dyn Output>,
    internal: Option<&dyn Output>,
) -> Result<(usize, usize), RenderError> {
    let theme = theme(site)?;
    let renderer = renderer(&theme, reuse, hashes);
    let Models {
        public: public_model,
        internal: internal_model,
    } = models;
    // The two sites side by side: each has serial steps the other's pages can fill.
    let public_site = || -> Result<usize, RenderError> {
        let Some(out) = public else { return Ok(0) };
        let pages = renderer.public(public_model, false, out)?.pages;
        renderer.static_files(&theme, out)?;
        Ok(pages)
    };
    let internal_site = || -> Result<usize, RenderError> {
        let (Some(out), Some(model)) = (internal, internal_model) else {
            return Ok(0);
        };
        let pages = renderer.internal(model, public_model, site, &theme, out)?;
        renderer.static_files(&theme, out)?;
        Ok(pages)
    };
    let (public_pages, internal_pages) = rayon::join(public_site, internal_site);
    Ok((public_pages?, internal_pages?))
}

/// The theme `site.yaml` names.
pub fn theme(site: &Site) -> Result<Arc<Theme>, RenderError> {
    let config = &site
        .config
        .as_ref()
        .ok_or_else(|| RenderError("content/site.yaml did not load: run `trustbook check`".into()))?
        .data;
    let theme =
        Theme::new(&site.root, config.theme.as_deref()).map_err(|e| RenderError(e.to_string()))?;
    Ok(Arc::new(theme))
}

/// The renderer of a build with `theme`, using and adding to what `reuse` keeps.
pub fn renderer<'a>(theme: &Arc<Theme>, reuse: &'a Reuse, hashes: &'a ModelHashes) -> Renderer<'a> {
    Renderer {
        env: theme.environment(),
        highlighter: &reuse.highlighter,
        search_words: reuse.search_words.as_ref(),
        fingerprint: theme.fingerprint(),
        template_data: &reuse.template_data,
        field_data: &reuse.field_data,
        hashes,
    }
}
