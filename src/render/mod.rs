//! Stage 4: pages and files for one audience, from that audience's model only
//! (`public.rs` from the public model, `internal.rs` the handbook). Nothing here decides
//! what an audience may see: the model already did.
//!
//! Each page is a job (output path, template, the page's own data, and maybe a Markdown
//! body); jobs render in parallel and each page goes to an `Output` as soon as it is made
//! (or is kept from the last build when its key matches). Site-wide data is converted for
//! the templates once and shared, so a page costs the same however large the site is.

pub mod cache;
pub mod files;
pub mod highlight;
mod highlight_lines;
mod highlight_store;
mod internal;
pub use internal::body_assets;
pub mod markdown;
pub mod oscal;
pub mod output;
pub mod program;
mod public;
mod template_model;
pub mod theme;

use highlight::Highlighter;
use minijinja::{Environment, Value, context};
use output::{Output, PageKey};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
pub use template_model::FieldData;
use template_model::{KnownHashes, TemplateModel};

#[cfg(test)]
mod tests {
    use super::site_path;

    /// A field hashed record by record changes with any record, their order or their
    /// number, as the field's own serialization would.
    #[test]
    fn a_field_hashed_by_record_changes_with_any_of_them() {
        let hash = |items: &[&str]| super::Hashed::new("risks", items).field_hash();
        let base = hash(&["a", "b"]);
        assert_eq!(base.0, "risks");
        assert!(base.1.is_some());
        assert_eq!(base, hash(&["a", "b"]));
        for other in [&["a", "c"][..], &["b", "a"], &["a"], &["a", "b", ""], &[]] {
            assert_ne!(base, hash(other), "{other:?}");
        }
        assert_ne!(hash(&[]), hash(&[""]));
    }

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

/// Shared by every page of a build: the template environment and the highlighter. It
/// knows no sources: each audience's module hands it that audience's model.
pub struct Renderer<'a> {
    pub env: Environment<'static>,
    pub highlighter: &'a Highlighter,
    /// The words of bodies for the search indexes, when kept between builds (`serve`).
    pub search_words: Option<&'a files::SearchWords>,
    /// Hashed into every page's key: the templates and the program that render it.
    pub fingerprint: u64,
    /// Each model as the templates read it, by audience and the model's hash: converted
    /// once per build, and kept by `serve` while a save leaves the model as it was (an
    /// edited body).
    pub template_data: &'a TemplateData,
    /// The models' fields as converted, kept by `serve` while each is unchanged.
    pub field_data: &'a FieldData,
    /// Each model's hash, made once per build by whichever page first needs it.
    pub hashes: &'a ModelHashes,
}

/// The hashes of the models a build renders (`None` inside: a model that cannot be
/// hashed, whose pages are always rendered). `serve` keeps them with the models.
#[derive(Default)]
pub struct ModelHashes {
    pub internal: std::sync::OnceLock<Option<u64>>,
    /// The public site and the preview render one public model.
    pub public: std::sync::OnceLock<Option<u64>>,
}

/// Converting a model for the templates costs about 10 ms per 1,000 records: a build
/// renders the handbook and its publication report from one conversion, and a `serve`
/// save that leaves the model unchanged does none.
/// Kept by whose model it is as well as by hash (`of_model`): a public run can only ever
/// be given a model converted for a public run, whatever two hashes may coincide.
pub type TemplateData = crate::memo::Memo<(cache::Readers, u64), Arc<TemplateModel>>;

/// Whose model a site run renders: the public site and its preview render one.
fn of_model(readers: cache::Readers) -> cache::Readers {
    match readers {
        cache::Readers::Preview => cache::Readers::Public,
        readers => readers,
    }
}

/// A page's Markdown body, with what its links resolve against.
trait Body: Send + Sync {
    /// A hash of everything the body's HTML is made from besides the site-wide context.
    fn hash(&self) -> Option<u64>;
    /// The body's HTML for a page at `root`, and the asset files (under `content/`) it
    /// uses that the audience's module must copy.
    fn html(
        &self,
        root: &str,
        title: Option<&str>,
        highlighter: &Highlighter,
    ) -> (String, Vec<PathBuf>);
}

struct Job<'m> {
    path: String,
    template: &'static str,
    /// The page's own data for the template, converted only when the page is rendered.
    page: Option<Box<dyn Fn() -> Value + Send + Sync + 'm>>,
    body: Option<Box<dyn Body + 'm>>,
    /// The title the page shows above its body.
    title: Option<&'m str>,
    /// The way back to the site root, when it is not relative to the page's own path.
    root: Option<String>,
    /// A hash of what the page is made from besides the site-wide context and the
    /// model fields it reads (which its key also covers): the record's data, or nothing
    /// for the indexes (`of_model`). `None`: always rendered.
    /// Made when the page is considered, on the rendering threads: hashing every record
    /// costs as much as rendering the few pages a save changes.
    own_hash: Box<dyn Fn() -> Option<u64> + Send + Sync + 'm>,
}

/// A model for the templates, made once per run by whichever page first needs it: hashed
/// for the pages' keys, and converted (`true`) once a page is rendered.
type SharedModel<'m> = &'m (dyn Fn(bool) -> Arc<TemplateModel> + Sync);

impl<'m> Job<'m> {
    /// A page of its own data (`page`), always rendered; `of_model` for an index.
    fn new(path: impl Into<String>, template: &'static str) -> Self {
        Job {
            path: path.into(),
            template,
            page: None,
            body: None,
            title: None,
            root: None,
            own_hash: Box::new(|| None),
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
            own_hash: Box::new(move || cache::hash_of(item)),
        }
    }

    /// Keyed by `own`, the hash of the page's record made already (`Hashed`).
    fn with_own_hash(mut self, own: Option<u64>) -> Self {
        self.own_hash = Box::new(move || own);
        self
    }

    /// A page made from the model alone (an index): the fields it reads key it.
    fn of_model(mut self) -> Self {
        self.own_hash = Box::new(|| Some(0));
        self
    }

    fn with_body(mut self, body: impl Body + 'm) -> Self {
        self.body = Some(Box::new(body));
        self
    }

    fn titled(mut self, title: &'m str) -> Self {
        self.title = Some(title);
        self
    }
}

/// The records of one model field (`documents`, `risks`, …) and each one's hash, made
/// once per run: the key of the record's page, and, combined, the hash of the field, so
/// a save serializes each record once to hash it, not once for its page and again for
/// the field.
struct Hashed<'m, T> {
    field: &'static str,
    items: &'m [T],
    hashes: Vec<Option<u64>>,
}

impl<'m, T: serde::Serialize + Sync> Hashed<'m, T> {
    /// `items` must be the model's field `field`, whole: its hash is made from these.
    fn new(field: &'static str, items: &'m [T]) -> Self {
        let hashes = items.par_iter().map(cache::hash_of).collect();
        Hashed {
            field,
            items,
            hashes,
        }
    }

    /// The pages of the records, each at its `url`, keyed by the hashes made.
    fn jobs(
        &'m self,
        template: &'static str,
        url: impl Fn(&T) -> &str + 'm,
    ) -> impl Iterator<Item = Job<'m>> + 'm {
        (self.items.iter().zip(&self.hashes))
            .map(move |(item, own)| Job::record(url(item), template, item).with_own_hash(*own))
    }

    /// The field's hash: its length and its records' hashes, in order.
    fn field_hash(&self) -> (&'static str, Option<u64>) {
        let whole = || {
            let mut hasher = xxhash_rust::xxh3::Xxh3Default::new();
            hasher.update(&(self.items.len() as u64).to_le_bytes());
            for hash in &self.hashes {
                hasher.update(&(*hash)?.to_le_bytes());
            }
            Some(hasher.digest())
        };
        (self.field, whole())
    }
}

/// Makes each named field of `model` a `Hashed` of the same name, and `known` their
/// hashes (for `Renderer::shared_model`): a field is named once, so its name and its
/// hash cannot disagree.
macro_rules! hashed_fields {
    ($model:ident, $known:ident: $($field:ident),+ $(,)?) => {
        $(let $field = Hashed::new(stringify!($field), &$model.$field);)+
        let $known = vec![$($field.field_hash()),+];
    };
}
use hashed_fields;

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
    /// The model for the templates of `readers`: kept whole while its hash (`hash`, set
    /// here when not known yet) is unchanged, or hashed field by field (and converted
    /// by `converted` when a page needs it).
    fn template_model(
        &self,
        model: &(impl serde::Serialize + Sync),
        readers: cache::Readers,
        (hash, known): (&OnceLock<Option<u64>>, &KnownHashes),
    ) -> Arc<TemplateModel> {
        let readers = of_model(readers);
        if let Some(Some(known)) = hash.get()
            && let Some(kept) = self.template_data.get((readers, *known), || None)
        {
            return kept;
        }
        let made = Arc::new(TemplateModel::new(model, known));
        match *hash.get_or_init(|| made.hash) {
            Some(hash) => (self.template_data)
                .get((readers, hash), || Some(Arc::clone(&made)))
                .unwrap_or(made),
            None => made,
        }
    }

    /// A run's model for the templates (`SharedModel`): made once, by whichever page first
    /// needs it, and converted once a page renders.
    /// `known`: the hashes of fields made already (`Hashed::field_hash`), by name.
    fn shared_model<'s, M: serde::Serialize + Sync>(
        &'s self,
        model: &'s M,
        readers: cache::Readers,
        hash: &'s OnceLock<Option<u64>>,
        known: Vec<(&'static str, Option<u64>)>,
    ) -> impl Fn(bool) -> Arc<TemplateModel> + Sync + 's {
        let made = OnceLock::new();
        move |converted| {
            let made = made.get_or_init(|| self.template_model(model, readers, (hash, &known)));
            let made = Arc::clone(made);
            if converted {
                made.convert(model, of_model(readers), self.field_data);
            }
            made
        }
    }

    /// Renders the jobs in parallel into `out`, skipping pages it already holds; returns
    /// the number of pages and the assets their bodies use. `shared` is the model for the
    /// templates.
    /// A page is keyed by the model fields it read when last rendered (the same inputs
    /// read the same fields), with their hashes: an index that did not read what a save
    /// changed is kept, and a theme's page that reads more than its record is not.
    fn run(
        &self,
        out: &dyn Output,
        jobs: Vec<Job>,
        shared: SharedModel,
        context: &cache::Context,
    ) -> Result<(usize, Vec<PathBuf>), RenderError> {
        let (audience, preview) = (context.audience, context.preview);
        let key_of = |job: &Job, own: Option<u64>, body: Option<u64>, fields: Option<u64>| {
            let mixed = own
                .zip(fields)
                .map(|(own, fields)| cache::mixed(own, fields));
            mixed
                .zip(body)
                .and_then(|(own, body)| context.key(job.template, &job.path, own, body))
        };
        // The hash of each list of fields pages read, by the list's address, for this run:
        // most pages of a kind read the same fields, so 30,000 pages need a few dozen.
        let shares_reads = out.shares_reads();
        let fields_by_list: std::sync::RwLock<crate::hash::HashMap<(usize, usize), Option<u64>>> =
            Default::default();
        let fields_hash = |reads: &[String]| -> Option<u64> {
            if !shares_reads {
                return shared(false).hash_of_fields(reads);
            }
            let list = (reads.as_ptr() as usize, reads.len());
            if let Some(hash) = fields_by_list
                .read()
                .ok()
                .and_then(|m| m.get(&list).copied())
            {
                return hash;
            }
            let hash = shared(false).hash_of_fields(reads);
            if let Ok(mut known) = fields_by_list.write() {
                known.insert(list, hash);
            }
            hash
        };
        let used: Vec<Vec<PathBuf>> = jobs
            .par_iter()
            .map(|job| {
                let body_hash = match &job.body {
                    Some(body) => body.hash(),
                    None => Some(0),
                };
                let own = (job.own_hash)();
                let key_now = |reads: &[String]| key_of(job, own, body_hash, fields_hash(reads));
                let keyed = own.is_some() && body_hash.is_some();
                if let Some(assets) = keyed.then(|| out.reuse(&job.path, &key_now)).flatten() {
                    return Ok(assets);
                }
                let root = job.root.clone().unwrap_or_else(|| root_of(&job.path));
                let (body, assets) = match &job.body {
                    Some(body) => {
                        let (html, assets) = body.html(&root, job.title, self.highlighter);
                        (Value::from_safe_string(html), assets)
                    }
                    None => (Value::UNDEFINED, Vec::new()),
                };
                let template = self.env.get_template(job.template)?;
                let model = shared(true);
                let (view, read) = model.view();
                let html = template.render(context! {
                    model => view,
                    page => job.page.as_ref().map_or(Value::UNDEFINED, |page| page()),
                    body => body,
                    // Only `../` repeated: safe to print unescaped.
                    root => Value::from_safe_string(root.clone()),
                    audience => data(&audience),
                    preview => preview,
                    // The page's own path, for the navigation to mark where the reader is.
                    path => job.path.as_str(),
                })?;
                let reads = model.names(&read);
                let key = key_of(job, own, body_hash, model.hash_of_fields(&reads));
                let page = key.map(|key| PageKey {
                    key,
                    assets: &assets,
                    reads: &reads,
                });
                out.put(&job.path, html.into_bytes(), page)
                    .map_err(RenderError)?;
                Ok(assets)
            })
            .collect::<Result<_, RenderError>>()?;
        Ok((used.len(), used.into_iter().flatten().collect()))
    }

    pub fn static_files(&self, theme: &theme::Theme, out: &dyn Output) -> Result<(), RenderError> {
        for (path, bytes) in theme.static_files() {
            out.put(&format!("static/{path}"), bytes, None)
                .map_err(RenderError)?;
        }
        Ok(())
    }
}
