//! The internal handbook's pages, from the internal model; Markdown links resolve against
//! the sources, since staff see every record. The public preview inside it is rendered by
//! `public`, from the public model, exactly as the public site is.

use super::highlight::Highlighter;
use super::markdown::{self, SourceLinks};
use super::output::{Output, Prefixed, Recording};
use super::theme::Theme;
use super::{Body, Hashed, Job, RenderError, Renderer, cache, data, files, public};
use crate::hash::HashMap;
use crate::links::Resolver;
use crate::load::Site;
use crate::load::files::resolve_inside;
use crate::model::internal::{InternalDocument, InternalModel};
use crate::model::public::PublicModel;
use crate::sources::FileId;
use std::hash::{Hash, Hasher};
use std::path::PathBuf;
use std::sync::Mutex;

/// A file of the public site, and why it is there.
#[derive(serde::Serialize)]
struct Published {
    path: String,
    why: String,
}

/// A body as written in its source file.
struct SourceBody<'a> {
    markdown: &'a str,
    file: FileId,
    /// The source file's hash: `markdown` is made from the file alone.
    source_hash: u64,
    resolver: &'a Resolver<'a>,
    urls: &'a HashMap<String, String>,
}

impl Body for SourceBody<'_> {
    fn hash(&self) -> Option<u64> {
        let mut hasher = xxhash_rust::xxh3::Xxh3Default::new();
        (self.source_hash, self.markdown.len(), self.file).hash(&mut hasher);
        Some(hasher.finish())
    }

    fn html(
        &self,
        root: &str,
        title: Option<&str>,
        highlighter: &Highlighter,
    ) -> (String, Vec<PathBuf>) {
        let links = SourceLinks {
            resolver: self.resolver,
            urls: self.urls,
            file: self.file,
            root,
            assets: Mutex::new(Vec::new()),
        };
        let html = markdown::to_html(self.markdown, &links, title, true, highlighter);
        (html, links.assets.into_inner().unwrap_or_default())
    }
}

/// Copies the asset files (paths under `content/`) that handbook pages use, and only those.
fn copy_assets(
    site: &Site,
    out: &dyn Output,
    mut assets: Vec<PathBuf>,
    under: &str,
) -> Result<(), RenderError> {
    assets.sort();
    assets.dedup();
    for asset in assets {
        let full = site.content.join(&asset);
        let real = resolve_inside(&full, &site.content)
            .map_err(|e| RenderError(format!("{}: {e}", asset.display())))?;
        let bytes = std::fs::read(&real)
            .map_err(|e| RenderError(format!("cannot read {}: {e}", asset.display())))?;
        let path = format!("{under}{}", asset.to_string_lossy().replace('\\', "/"));
        out.put(&path, bytes, None).map_err(RenderError)?;
    }
    Ok(())
}

impl Renderer<'_> {
    /// Renders the handbook into `out`, the public preview below `preview/`; returns the
    /// number of pages.
    pub fn internal<'m>(
        &self,
        model: &'m InternalModel,
        public_model: &PublicModel,
        site: &Site,
        theme: &Theme,
        out: &dyn Output,
    ) -> Result<usize, RenderError> {
        // The resolver is made beside the records' hashes (it reads the site alone).
        let (resolver, hashed) = rayon::join(
            || Resolver::new(site),
            || {
                super::hashed_fields!(model, known: documents, controls, systems, risks,
                    suppliers, objectives, audits, actions, parties, assessments);
                (
                    (documents, controls, systems, risks, suppliers),
                    (objectives, audits, actions, parties, assessments),
                    known,
                )
            },
        );
        let (
            (documents, controls, systems, risks, suppliers),
            (objectives, audits, actions, parties, assessments),
            known,
        ) = hashed;
        let body = |markdown: &'m str, file: FileId| SourceBody {
            markdown,
            file,
            source_hash: site.sources.get(file).hash(),
            resolver: &resolver,
            urls: &model.urls,
        };
        let readers = cache::Readers::Internal;
        let shared = self.shared_model(model, readers, &self.hashes.internal, known);
        let model_hash = || match self.hashes.internal.get() {
            Some(hash) => *hash,
            None => shared(false).hash,
        };
        let indexes = [
            Job::new("index.html", "internal/dashboard.html"),
            Job::new("404.html", "internal/404.html"),
            Job::new("documents/index.html", "internal/documents.html"),
            Job::new("soa/index.html", "internal/soa.html"),
            Job::new("gaps/index.html", "internal/gaps.html"),
            Job::new("roadmap/index.html", "internal/roadmap.html"),
            Job::new("roles/index.html", "internal/roles.html"),
            Job::new("clauses/index.html", "internal/clauses.html"),
            Job::new("regulation/index.html", "internal/regulation.html"),
            Job::new("review/index.html", "internal/review.html"),
            Job::new("systems/index.html", "internal/systems.html"),
            Job::new("suppliers/index.html", "internal/suppliers.html"),
            Job::new("objectives/index.html", "internal/objectives.html"),
            Job::new("audits/index.html", "internal/audits.html"),
            Job::new("actions/index.html", "internal/actions.html"),
            Job::new("parties/index.html", "internal/parties.html"),
            Job::new("assessments/index.html", "internal/assessments.html"),
            Job::new("risks/index.html", "internal/risks.html"),
            Job::new("calendar/index.html", "internal/calendar.html"),
        ];
        let mut jobs: Vec<Job> = (indexes.into_iter())
            .map(|index| index.of_model())
            .collect();
        for (document, own) in model.documents.iter().zip(&documents.hashes) {
            jobs.push(document_job(document, &resolver, &model.urls).with_own_hash(*own));
        }
        for (control, own) in model.controls.iter().zip(&controls.hashes) {
            let job = Job::record(&control.url, "internal/control.html", control);
            let job = job.with_own_hash(*own);
            jobs.push(match &control.record.implementation {
                Some(text) => job.with_body(body(text, control.file)),
                None => job,
            });
        }
        jobs.extend(systems.jobs("internal/system.html", |s| &s.url));
        jobs.extend(risks.jobs("internal/risk.html", |r| &r.url));
        jobs.extend(suppliers.jobs("internal/supplier.html", |s| &s.url));
        jobs.extend(objectives.jobs("internal/objective.html", |o| &o.url));
        jobs.extend(audits.jobs("internal/audit.html", |a| &a.url));
        jobs.extend(actions.jobs("internal/action.html", |a| &a.url));
        jobs.extend(parties.jobs("internal/party.html", |p| &p.url));
        jobs.extend(assessments.jobs("internal/assessment.html", |a| &a.url));
        let context = context(model, self.fingerprint);
        // The pages, the exports and the preview write apart (no path in two of them):
        // side by side, the exports' long serial steps (the search index) overlap the
        // pages' parallel ones.
        let pages = || -> Result<usize, RenderError> {
            let (pages, assets) = self.run(out, jobs, &shared, &context)?;
            copy_assets(site, out, assets, "")?;
            let evidence = crate::publish::internal_record_files(site);
            copy_assets(site, out, evidence, "files/")?;
            Ok(pages)
        };
        let exports = || {
            let files_key = model_hash().and_then(|h| context.key("files", "", h, 0));
            // OSCAL reads less than the whole model: keyed by what it reads.
            let oscal = crate::render::oscal::OscalSources::of(model);
            let oscal_key = cache::hash_of(&oscal).and_then(|h| context.key("oscal", "", h, 0));
            let keys = (files_key, oscal_key);
            files::internal_files(model, keys, self.search_words, out).map_err(RenderError)
        };
        // The preview is the public site as it is built: recorded, it is also the list of
        // what `public/` holds, for the publication report, made as soon as it is known.
        let preview_and_report = || -> Result<usize, RenderError> {
            let preview = Prefixed {
                inner: out,
                prefix: "preview/",
            };
            let recording = Recording::new(&preview);
            let run = self.public(public_model, true, &recording)?;
            self.static_files(theme, &recording)?;
            let mut paths = recording.into_paths();
            paths.insert(crate::write::MARKER.to_string());
            let report: Vec<Published> = paths
                .into_iter()
                .map(|path| Published {
                    why: public::reason(&path, &run.reasons),
                    path,
                })
                .collect();
            let job = Job::new("published/index.html", "internal/published.html");
            let report_job = Job {
                page: Some(Box::new(move || data(&report))),
                ..job
            };
            let (report_pages, _) = self.run(out, vec![report_job], &shared, &context)?;
            Ok(run.pages + report_pages)
        };
        let ((pages, exported), preview_pages) =
            rayon::join(|| rayon::join(pages, exports), preview_and_report);
        exported?;
        Ok(pages? + preview_pages?)
    }

    /// The handbook page of `model.documents[at]` alone, as `internal` renders it: for a
    /// save that changed that document's body and nothing else (`serve::body_save`).
    pub fn internal_document(
        &self,
        model: &InternalModel,
        at: usize,
        resolver: &Resolver,
        out: &dyn Output,
    ) -> Result<(), RenderError> {
        let readers = cache::Readers::Internal;
        let shared = self.shared_model(model, readers, &self.hashes.internal, Vec::new());
        let job = document_job(&model.documents[at], resolver, &model.urls);
        let context = context(model, self.fingerprint);
        self.run(out, vec![job], &shared, &context)?;
        Ok(())
    }
}

impl Renderer<'_> {
    /// One record's handbook page alone, as `internal` renders it (`template` at `url`,
    /// of `item`): for a save that changed only what that page shows
    /// (`serve::record_save`).
    pub fn internal_record<T: serde::Serialize + Sync>(
        &self,
        model: &InternalModel,
        (url, template): (&str, &'static str),
        item: &T,
        out: &dyn Output,
    ) -> Result<(), RenderError> {
        let readers = cache::Readers::Internal;
        let shared = self.shared_model(model, readers, &self.hashes.internal, Vec::new());
        let job = Job::record(url, template, item);
        let context = context(model, self.fingerprint);
        self.run(out, vec![job], &shared, &context)?;
        Ok(())
    }
}

/// The asset files (under `content/`) a handbook page copies for its body, sorted: a
/// body's links, images and the URLs in its raw HTML that lead to files.
pub fn body_assets(
    markdown: &str,
    file: FileId,
    (resolver, urls): (&Resolver, &HashMap<String, String>),
    highlighter: &Highlighter,
) -> Vec<PathBuf> {
    let body = SourceBody {
        markdown,
        file,
        source_hash: 0,
        resolver,
        urls,
    };
    let (_, mut assets) = body.html("", None, highlighter);
    assets.sort();
    assets.dedup();
    assets
}

/// What every handbook page shares.
fn context<'m>(model: &'m InternalModel, fingerprint: u64) -> cache::Context<'m> {
    cache::Context::new(
        &model.urls,
        cache::Readers::Internal,
        false,
        (model.site, model.today, model.records_by_path),
        fingerprint,
    )
}

/// A document's handbook page.
fn document_job<'m>(
    document: &'m InternalDocument,
    resolver: &'m Resolver,
    urls: &'m HashMap<String, String>,
) -> Job<'m> {
    let body = SourceBody {
        markdown: document.body.as_str(),
        file: document.file,
        source_hash: document.source_hash,
        resolver,
        urls,
    };
    Job::record(&document.url, "internal/document.html", document)
        .with_body(body)
        .titled(&document.meta.title)
}
