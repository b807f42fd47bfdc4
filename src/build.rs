//! `build`: from a checked site to both output folders, through the models and renderers.

use crate::links::Resolver;
use crate::load::Site;
use crate::load::cache::ParseCache;
use crate::load::date::Date;
use crate::model::{internal, public};
use crate::render::cache::PageCache;
use crate::render::highlight::Highlighter;
use crate::render::theme::Theme;
use crate::render::{RenderError, Renderer, SiteFiles};
use crate::write;
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
}

/// What one build can hand the next: highlighted code and rendered pages. `build` starts
/// with an empty one; `serve` keeps one for as long as it runs.
#[derive(Default)]
pub struct Reuse {
    pub sources: ParseCache,
    pub highlighter: Highlighter,
    pub pages: PageCache,
}

/// Renders the sites of a site that passed `check`.
pub fn render(
    site: &Site,
    today: Date,
    only: Option<Audience>,
    reuse: &Reuse,
) -> Result<Built, RenderError> {
    let config = &site
        .config
        .as_ref()
        .expect("a checked site has a site.yaml")
        .data;
    let theme = Arc::new(Theme::new(&site.root, config.theme.as_deref()).map_err(RenderError)?);
    let renderer = Renderer {
        env: theme.environment(),
        highlighter: &reuse.highlighter,
        cache: &reuse.pages,
        site,
        resolver: Resolver::new(site),
    };
    reuse.pages.start();
    let public_model = public::build(site);
    let wants = |audience| only.is_none_or(|o| o == audience);
    let public = if wants(Audience::Public) {
        let mut files = renderer.public(&public_model, false)?;
        renderer.static_files(&theme, &mut files);
        Some(files)
    } else {
        None
    };
    let internal = if wants(Audience::Internal) {
        let mut preview = renderer.public(&public_model, true)?;
        renderer.static_files(&theme, &mut preview);
        let model = internal::build(site, today);
        let mut files = renderer.internal(&model, preview)?;
        renderer.static_files(&theme, &mut files);
        Some(files)
    } else {
        None
    };
    Ok(Built { public, internal })
}

/// Writes the built sites into `public/` and `internal/`. Both targets are checked before
/// either is written, so a refused folder leaves both as they were.
pub fn write(site: &Site, built: &Built) -> Result<(), String> {
    let targets = [("public", &built.public), ("internal", &built.internal)];
    for (name, files) in &targets {
        if files.is_some() {
            write::may_replace(&site.root.join(name))?;
        }
    }
    for (name, files) in targets {
        if let Some(files) = files {
            write::replace(&site.root.join(name), files)?;
        }
    }
    Ok(())
}
