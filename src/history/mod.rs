//! Stage 2: provenance from git. When the site is inside a git work tree, the log is read
//! once per build: for every source file, the commits that changed it (date, hash, subject,
//! author), which files differ from the last commit, and whether the clone is shallow. The
//! sources as they stood at an earlier commit are read from here too (`earlier`,
//! `approval`). Outside git, or with `--no-git`, the history is empty and every page
//! simply omits its dates.

pub mod approval;
pub mod earlier;
pub mod public_changes;
mod walk;

use crate::hash::HashMap;
use crate::hash::HashMapExt;
use crate::load::Site;
use crate::load::date::Date;
use crate::memo::Memo;
use gix::ObjectId;
use rayon::prelude::*;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// One commit, as the handbook shows it.
#[derive(Clone, Debug)]
pub struct Commit {
    pub id: String,
    /// A merge of two or more lines of work.
    pub is_merge: bool,
    /// The committer's date, in the committer's own time zone (as `git log` shows it).
    pub date: Date,
    /// Seconds since 1970 (UTC), for ordering and for `trust.json`'s `committed_at`.
    pub seconds: i64,
    pub author: String,
    pub subject: String,
}

impl Commit {
    pub fn short_id(&self) -> &str {
        &self.id[..self.id.len().min(7)]
    }

    /// The day in UTC.
    pub fn utc_date(&self) -> Date {
        chrono::DateTime::from_timestamp(self.seconds, 0)
            .map_or(self.date, |t| Date(t.date_naive()))
    }

    /// `YYYY-MM-DDTHH:MM:SSZ`.
    pub fn committed_at(&self) -> String {
        use chrono::Timelike;
        chrono::DateTime::from_timestamp(self.seconds, 0)
            .map(|t| {
                let day = Date(t.date_naive());
                format!("{day}T{:02}:{:02}:{:02}Z", t.hour(), t.minute(), t.second())
            })
            .unwrap_or_default()
    }
}

/// The repository the history was read from, for reading files at earlier commits.
pub struct Repository {
    repo: gix::ThreadSafeRepository,
    /// Handles kept between reads, so that each keeps its cache of unpacked objects: the
    /// versions of one file are deltas of each other in the pack.
    handles: std::sync::Mutex<Vec<gix::Repository>>,
    /// The site's `content/` folder as a path inside the commits' trees.
    content: String,
    head: ObjectId,
    /// The blob of every file under `content` at HEAD, by path relative to it.
    at_head: HashMap<String, ObjectId>,
    /// The git id of each source text, by its length and xxh3, kept in `text_ids_file`
    /// and, in `serve`, between saves: git's hash (SHA-1 with collision detection) is slow
    /// next to xxh3, and a save changes one text.
    text_ids: Memo<(usize, u64), [u8; 20]>,
    text_ids_file: PathBuf,
}

/// A commit that changed a file (index into `History::commits`), and the file's blob after it.
pub type Version = (usize, Option<[u8; 20]>);

#[derive(Default)]
pub struct History {
    /// Every commit that reaches HEAD, each before its parents (newest first where the
    /// history is a line), HEAD first.
    pub commits: Vec<Commit>,
    /// Site-relative path (`content/…`) → indices into `commits`, newest first, each with
    /// the file's blob after that commit.
    files: HashMap<PathBuf, Vec<Version>>,
    /// The paths each commit deleted, by index into `commits` (for renames).
    deleted: HashMap<usize, Vec<PathBuf>>,
    /// Index into `commits` by commit id.
    by_id: HashMap<String, usize>,
    /// Sources whose text differs from HEAD's (or that HEAD does not have).
    pub uncommitted: BTreeSet<PathBuf>,
    /// A shallow clone: dates older than its first commit are unknown.
    pub shallow: bool,
    pub repository: Option<Repository>,
    /// The approval provenance of each public document, by site-relative path.
    pub approvals: HashMap<PathBuf, approval::Approval>,
    /// The commits that changed what the public site shows of each published source
    /// (newest first), by site-relative path.
    pub public_changes: HashMap<PathBuf, Vec<public_changes::PublicChange>>,
    /// The versions of each public supplier, newest first, following its renames (a
    /// supplier is named by its id), by its working path.
    pub supplier_versions: HashMap<PathBuf, Vec<Version>>,
    /// The versions `publish: approved` publishes, by their source label (`path@commit`):
    /// the working path they are published for.
    pub published_from: HashMap<PathBuf, PathBuf>,
    /// Public documents whose approving commit cannot be known for certain, and why.
    pub uncertain: HashMap<PathBuf, String>,
    /// The sources as they were at the last management review (site.yaml
    /// `review.last_management_review`), with the commit they were read from; or why not.
    pub at_last_review: Option<Result<(Commit, Box<Site>), String>>,
    /// The review date `at_last_review` was read for: `serve` reads it again only when the
    /// date or HEAD changes, not on every save.
    last_review_date: Option<Date>,
    /// Public faces fingerprinted while the sources loaded, for `public_changes::attach`.
    prefetched: Option<public_changes::Prefetched>,
}

impl History {
    pub fn is_empty(&self) -> bool {
        self.commits.is_empty()
    }

    pub fn head(&self) -> Option<&Commit> {
        self.commits.first()
    }

    /// The oldest commit: when the site began to be kept in git.
    pub fn first_commit(&self) -> Option<&Commit> {
        self.commits.last()
    }

    /// The commits that changed a site-relative path, newest first.
    pub fn of(&self, path: &Path) -> impl Iterator<Item = &Commit> {
        (self.files.get(path).into_iter().flatten()).map(|&(i, _)| &self.commits[i])
    }

    /// The commits that changed a path, newest first, with their indices.
    pub fn indexed(&self, path: &Path) -> impl Iterator<Item = (usize, &Commit)> {
        (self.files.get(path).into_iter().flatten()).map(|&(i, _)| (i, &self.commits[i]))
    }

    /// The commits that changed a path, newest first: their indices and the file's blob
    /// after each.
    pub fn versions(&self, path: &Path) -> impl Iterator<Item = (usize, Option<[u8; 20]>)> {
        self.files.get(path).into_iter().flatten().copied()
    }

    /// The commits that changed what the public site shows of a published source, newest
    /// first, each with whether it published the item (rather than changed it).
    pub fn public_changes_of(&self, path: &Path) -> impl Iterator<Item = (&Commit, bool)> {
        (self.public_changes.get(path).into_iter().flatten())
            .map(|change| (&self.commits[change.commit], change.published))
    }

    /// The bytes of a blob.
    pub fn blob(&self, id: &[u8; 20]) -> Option<Vec<u8>> {
        let repository = self.repository.as_ref()?;
        let blob = ObjectId::try_from(&id[..]).ok()?;
        repository.with(|repo| Some(repo.find_object(blob).ok()?.data.clone()))
    }

    /// Every path any commit changed, with its versions as `versions` gives them.
    pub fn paths(&self) -> impl Iterator<Item = (&Path, &[Version])> {
        self.files
            .iter()
            .map(|(path, versions)| (path.as_path(), versions.as_slice()))
    }

    /// Of the files an item left (each a path and the commit that deleted it or wrote
    /// another item over it), the one it was renamed from when `path` was made by commit
    /// `created`: the nearest at or before that commit (indices run children first), of
    /// another path not followed yet.
    pub fn renamed_from<'m>(
        left: impl IntoIterator<Item = &'m (PathBuf, usize)>,
        created: usize,
        path: &Path,
        seen: &crate::hash::HashSet<PathBuf>,
    ) -> Option<(PathBuf, usize)> {
        (left.into_iter())
            .filter(|(p, at)| *at >= created && p != path && !seen.contains(p))
            .min_by_key(|(_, at)| *at)
            .cloned()
    }

    /// Every deletion: the path, and the commit (index into `commits`) that deleted it.
    pub fn deletions(&self) -> impl Iterator<Item = (PathBuf, usize)> + '_ {
        (self.deleted.iter()).flat_map(|(at, paths)| paths.iter().map(|p| (p.clone(), *at)))
    }

    /// The file's blob after commit `index`, if that commit changed it (and did not delete it).
    pub fn blob_after(&self, path: &Path, index: usize) -> Option<[u8; 20]> {
        let (_, blob) = self.files.get(path)?.iter().find(|(i, _)| *i == index)?;
        *blob
    }

    /// The file as commit `id` left it, if that commit changed it.
    pub fn text_at(&self, id: &str, path: &Path) -> Option<Vec<u8>> {
        let repository = self.repository.as_ref()?;
        let index = *self.by_id.get(id)?;
        let (_, blob) = (self.files.get(path)?.iter()).find(|(i, _)| *i == index)?;
        let blob = ObjectId::try_from(&blob.as_ref()?[..]).ok()?;
        repository.with(|repo| Some(repo.find_object(blob).ok()?.data.clone()))
    }

    pub fn last_changed(&self, path: &Path) -> Option<Date> {
        self.of(path).next().map(|c| c.date)
    }

    pub fn created(&self, path: &Path) -> Option<Date> {
        self.of(path).last().map(|c| c.date)
    }

    pub fn is_uncommitted(&self, path: &Path) -> bool {
        self.uncommitted.contains(path)
    }

    /// Whether the source at `path` (site-relative, under `root`) would be uncommitted
    /// with the text `text`: for `serve`, after a save of that file alone. `None` without
    /// a repository.
    pub fn would_be_uncommitted(&self, root: &Path, path: &Path, text: &str) -> Option<bool> {
        let repository = self.repository.as_ref()?;
        Some(repository.differs(path, text, || root.join(path)))
    }
}

/// The repository holding `dir`, as every clone of it has it: replacement objects
/// (`git replace`, local to one repository) are not applied, so the same commit gives the
/// same history, and the same pages, everywhere.
fn discover(dir: &Path) -> Option<gix::Repository> {
    let options = gix::open::Options::default().config_overrides(["core.useReplaceRefs=false"]);
    gix::discover_opts(dir, Default::default(), options).ok()
}

/// The repository holding `content`, its commits (children first) and what each changed.
struct Log {
    repo: gix::ThreadSafeRepository,
    content: String,
    head: ObjectId,
    at_head: HashMap<String, ObjectId>,
    raw: Vec<walk::RawCommit>,
    changes: walk::Changes,
    prefetched: Option<public_changes::Prefetched>,
}

/// `Ok(None)` outside git; a shallow clone or a repository without commits is `Ok(Some)`
/// with no commits (`shallow` tells which).
fn log_of(content_dir: &Path, cache_folder: &Path, threads: walk::Threads) -> LogResult {
    let cache = &cache_folder.join("history.bin");
    let Some(repo) = discover(content_dir) else {
        return Ok(None);
    };
    let Some(workdir) = repo.workdir().map(Path::to_path_buf) else {
        return Ok(None);
    };
    let content = relative_in(&workdir, content_dir)?;
    let Ok(head) = repo.head_id().map(|id| id.detach()) else {
        return Ok(Some((None, false)));
    };
    if repo.is_shallow().unwrap_or(false) {
        return Ok(Some((None, true)));
    }
    // A commit that cannot be read is an error, never a gap: skipping one would make the
    // next look as if it changed every file.
    let ids: Vec<ObjectId> = repo
        .rev_walk([head])
        .all()
        .map_err(|e| format!("cannot walk the git history: {e}"))?
        .map(|info| info.map(|i| i.id))
        .collect::<Result<_, _>>()
        .map_err(|e| format!("cannot walk the git history: {e}"))?;
    let raw = ids
        .iter()
        .map(|id| walk::read_commit(&repo, *id))
        .collect::<Result<Vec<_>, _>>()?;
    let raw = walk::children_first(raw);
    let head_tree = (raw.iter().find(|c| c.id == head))
        .map(|c| c.tree)
        .ok_or("HEAD is not in its own history")?;
    let at_head = blob_ids(&repo, head_tree, &content)?;
    let trees: HashMap<ObjectId, ObjectId> = raw.iter().map(|c| (c.id, c.tree)).collect();
    let mut changes = walk::Changes::load(cache, &content);
    let sync = repo.into_sync();
    let before = changes.by_commit.len();
    walk::compare_commits(&sync, &raw, &trees, &mut changes, threads)?;
    // Drop commits no longer reachable, so the cache does not grow with rewritten history.
    let known: crate::hash::HashSet<[u8; 20]> = raw.iter().map(|c| walk::key(&c.id)).collect();
    if changes.by_commit.len() != before || changes.by_commit.len() != known.len() {
        changes.by_commit.retain(|id, _| known.contains(id));
        changes.save(cache);
    }
    // Started before the sources load: the thread has time for the public faces too.
    let prefetched = (threads == walk::Threads::One).then(|| {
        let faces = cache_folder.join(public_changes::CACHE_FILE);
        public_changes::prefetch(&sync.to_thread_local(), &raw, &changes, &faces)
    });
    Ok(Some((
        Some(Log {
            repo: sync,
            content,
            head,
            at_head,
            raw,
            changes,
            prefetched,
        }),
        false,
    )))
}

/// The log of a site's repository, being read on another thread.
pub struct Reading(std::thread::JoinHandle<LogResult>);

type LogResult = Result<Option<(Option<Log>, bool)>, String>;

/// Starts reading the log of the site at `root` while its sources load: the log needs
/// only the folder, and comparing 2,000 commits' trees would otherwise add a third to a
/// clean build that loading and checking leave a core idle for. `None` when `root` is not a
/// site (nothing is read, nor any cache written, outside one).
pub fn start_reading(root: &Path) -> Option<Reading> {
    let content = root.join("content");
    if !content.join("site.yaml").is_file() {
        return None;
    }
    let cache = root.join(crate::build::CACHE_FOLDER);
    let reading = std::thread::Builder::new()
        .name("git history".into())
        .spawn(move || log_of(&content, &cache, walk::Threads::One))
        .ok()?;
    Some(Reading(reading))
}

impl Reading {
    fn finish(self) -> LogResult {
        (self.0.join()).unwrap_or_else(|_| Err("reading the log failed unexpectedly".into()))
    }
}

/// Reads the history of the site at `root` (whose `content/` folder is `site.content`),
/// or finishes reading it if `started`. `Ok(None)` outside a git work tree.
pub fn read(
    site: &Site,
    cache_folder: &Path,
    started: Option<Reading>,
) -> Result<Option<History>, String> {
    let log = match started {
        Some(reading) => reading.finish()?,
        None => log_of(&site.content, cache_folder, walk::Threads::All)?,
    };
    let Some((log, shallow)) = log else {
        return Ok(None);
    };
    let Some(Log {
        repo: sync,
        content,
        head,
        at_head,
        raw,
        changes,
        prefetched,
    }) = log
    else {
        // A shallow clone, or a repository without a commit yet (everything uncommitted).
        return Ok(Some(History {
            shallow,
            uncommitted: if shallow {
                BTreeSet::new()
            } else {
                site.sources.iter().map(|s| s.path.clone()).collect()
            },
            ..History::default()
        }));
    };
    let mut files: HashMap<PathBuf, Vec<Version>> = HashMap::new();
    for (index, commit) in raw.iter().enumerate() {
        for (path, blob) in changes.of(&commit.id).into_iter().flatten() {
            files
                .entry(Path::new("content").join(path))
                .or_default()
                .push((index, *blob));
        }
    }
    let mut deleted: HashMap<usize, Vec<PathBuf>> = HashMap::new();
    for (path, versions) in &files {
        for (index, _) in versions.iter().filter(|(_, blob)| blob.is_none()) {
            deleted.entry(*index).or_default().push(path.clone());
        }
    }
    let commits: Vec<Commit> = raw.iter().map(to_commit).collect();
    let by_id = (commits.iter().enumerate())
        .map(|(i, c)| (c.id.clone(), i))
        .collect();
    let repository = Repository {
        handles: std::sync::Mutex::new(Vec::new()),
        repo: sync,
        content,
        head,
        at_head,
        text_ids: Memo::load(&cache_folder.join("blob-ids.bin")),
        text_ids_file: cache_folder.join("blob-ids.bin"),
    };
    let uncommitted = uncommitted(site, &repository)?;
    Ok(Some(History {
        commits,
        files,
        deleted,
        by_id,
        uncommitted,
        shallow: false,
        repository: Some(repository),
        approvals: HashMap::new(),
        uncertain: HashMap::new(),
        published_from: HashMap::new(),
        public_changes: HashMap::new(),
        supplier_versions: HashMap::new(),
        at_last_review: None,
        last_review_date: None,
        prefetched,
    }))
}

fn to_commit(raw: &walk::RawCommit) -> Commit {
    let local = raw.committer_seconds + i64::from(raw.committer_offset);
    let date = chrono::DateTime::from_timestamp(local, 0)
        .map(|t| Date(t.date_naive()))
        .unwrap_or(Date(chrono::NaiveDate::MIN));
    Commit {
        id: raw.id.to_string(),
        is_merge: raw.parents.len() > 1,
        date,
        seconds: raw.committer_seconds,
        author: raw.author.clone(),
        subject: raw.subject.clone(),
    }
}

/// `content` as a slash-separated path inside the work tree.
fn relative_in(workdir: &Path, content: &Path) -> Result<String, String> {
    let canonical = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let (workdir, content) = (canonical(workdir), canonical(content));
    let inside = content.strip_prefix(&workdir).map_err(|_| {
        format!(
            "{} is not inside the git work tree {}",
            content.display(),
            workdir.display()
        )
    })?;
    let parts: Vec<String> = inside
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    Ok(parts.join("/"))
}

/// The sources whose text is not HEAD's. Texts were normalised on reading (LF, no BOM), which
/// is what git stores for most repositories; a file that differs in that form is read again
/// as bytes before it is called uncommitted.
fn uncommitted(site: &Site, repository: &Repository) -> Result<BTreeSet<PathBuf>, String> {
    let paths: Vec<(PathBuf, &str)> = site
        .sources
        .iter()
        .map(|s| (s.path.clone(), s.text.as_str()))
        .collect();
    let found = paths
        .par_iter()
        .filter(|(path, text)| repository.differs(path, text, || site.root.join(path)))
        .map(|(path, _)| path.clone())
        .collect();
    let ids = &repository.text_ids;
    ids.save(&repository.text_ids_file);
    ids.start();
    Ok(found)
}

impl Repository {
    /// Whether the source at `path` (site-relative), loaded as `text`, differs from HEAD:
    /// HEAD lacks it, or neither its text nor its bytes on disk (at `on_disk()`: a file
    /// with CRLF line ends or a BOM is committed as it is on disk) are HEAD's blob. A path
    /// outside `content/` is not a source git is asked about.
    fn differs(&self, path: &Path, text: &str, on_disk: impl FnOnce() -> PathBuf) -> bool {
        let kind = self.repo.objects.object_hash();
        let hash = |bytes: &[u8]| gix::objs::compute_hash(kind, gix::objs::Kind::Blob, bytes).ok();
        let Ok(inside) = path.strip_prefix("content") else {
            return false;
        };
        let key = inside.to_string_lossy().replace('\\', "/");
        let Some(committed) = self.at_head.get(&key) else {
            return true;
        };
        let text_key = (text.len(), xxhash_rust::xxh3::xxh3_64(text.as_bytes()));
        let id = (self.text_ids).get(text_key, || {
            hash(text.as_bytes())?.as_slice().try_into().ok()
        });
        if id.and_then(|id| ObjectId::try_from(&id[..]).ok()).as_ref() == Some(committed) {
            return false;
        }
        let bytes = std::fs::read(on_disk()).unwrap_or_default();
        hash(&bytes).as_ref() != Some(committed)
    }
}

/// Every blob under `folder` of a tree, by slash-separated path relative to `folder`.
fn blob_ids(
    repo: &gix::Repository,
    tree: ObjectId,
    folder: &str,
) -> Result<HashMap<String, ObjectId>, String> {
    let mut out = HashMap::new();
    let Some(start) = walk::subtree(repo, tree, folder)? else {
        return Ok(out);
    };
    let mut stack = vec![(start, String::new())];
    while let Some((id, prefix)) = stack.pop() {
        let object = repo.find_object(id).map_err(|e| e.to_string())?;
        for entry in gix::objs::TreeRefIter::from_bytes(&object.data, repo.object_hash()) {
            let entry = entry.map_err(|e| e.to_string())?;
            let path = format!("{prefix}{}", entry.filename);
            if entry.mode.is_tree() {
                stack.push((entry.oid.to_owned(), format!("{path}/")));
            } else if entry.mode.is_blob() {
                out.insert(path, entry.oid.to_owned());
            }
        }
    }
    Ok(out)
}

impl Repository {
    /// Runs `read` with a handle of the repository, taken from the pool (or made) and put
    /// back after.
    fn with<T>(&self, read: impl FnOnce(&gix::Repository) -> T) -> T {
        let pooled = self.handles.lock().ok().and_then(|mut h| h.pop());
        let repo = pooled.unwrap_or_else(|| self.repo.to_thread_local());
        let result = read(&repo);
        if let Ok(mut handles) = self.handles.lock() {
            handles.push(repo);
        }
        result
    }

    /// Every file under `content/` at commit `id`, by site-relative path.
    pub fn content_at(&self, id: &str) -> Result<Vec<(PathBuf, Vec<u8>)>, String> {
        let repo = self.repo.to_thread_local();
        let id = ObjectId::from_hex(id.as_bytes()).map_err(|e| e.to_string())?;
        let tree = repo
            .find_commit(id)
            .and_then(|c| c.tree_id().map(|t| t.detach()))
            .map_err(|e| e.to_string())?;
        let mut out = Vec::new();
        for (path, blob) in blob_ids(&repo, tree, &self.content)? {
            let object = repo.find_object(blob).map_err(|e| e.to_string())?;
            out.push((Path::new("content").join(path), object.data.clone()));
        }
        Ok(out)
    }
}

/// Loads the sources as they were on the date of the last management review.
fn at_last_review(site: &mut Site) {
    let date = (site.config.as_ref()).and_then(|c| c.data.review.last_management_review);
    if site.history.at_last_review.is_some() && site.history.last_review_date == date {
        return;
    }
    site.history.at_last_review = None;
    site.history.last_review_date = date;
    let Some(date) = date else {
        return;
    };
    let history = &site.history;
    let found = match earlier::commit_on_or_before(history, date) {
        None => Err(format!(
            "the git history starts after {date}, so there is no earlier state to compare with"
        )),
        Some(commit) => {
            let cache = site.root.join(crate::build::CACHE_FOLDER);
            earlier::site_at(history, commit, &cache)
                .map(|earlier| (commit.clone(), Box::new(earlier)))
        }
    };
    site.history.at_last_review = Some(found);
}

/// The site's folder relative to its repository's work tree (`""` when the site is the
/// repository, or not in one): what CI tools prefix to `content/…` to name a file.
pub fn site_in_repository(root: &Path) -> String {
    let Some(repo) = discover(&root.join("content")) else {
        return String::new();
    };
    let Some(workdir) = repo.workdir() else {
        return String::new();
    };
    let (Ok(root), Ok(workdir)) = (std::fs::canonicalize(root), std::fs::canonicalize(workdir))
    else {
        return String::new();
    };
    (root.strip_prefix(&workdir).ok())
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .unwrap_or_default()
}

/// The id of the commit HEAD names, if the site is in a repository with one: what `serve`
/// polls to notice a commit.
/// What a build reads from git is known by: the repository holding `root/content`
/// (its folder and where `content/` is in it), its HEAD (`None`: no commit yet) and
/// whether the clone is shallow; and the git folder whose object store a build reads
/// (a linked worktree's is its main repository's), which `write::unchanged` looks at
/// too. `None` outside git.
pub fn repository_state(root: &Path) -> Option<(String, PathBuf)> {
    let repo = discover(&root.join("content"))?;
    let head = repo.head_id().ok().map(|id| id.to_string());
    let workdir = (repo.workdir()).map(|w| std::fs::canonicalize(w).unwrap_or(w.to_path_buf()));
    let content = (workdir.as_ref()).and_then(|w| relative_in(w, &root.join("content")).ok());
    let shallow = repo.is_shallow().unwrap_or(true);
    let state = format!("{workdir:?} {content:?} {head:?} shallow={shallow}");
    Some((state, repo.common_dir().to_path_buf()))
}

pub fn head_of(root: &Path) -> Option<String> {
    let repo = discover(&root.join("content"))?;
    Some(repo.head_id().ok()?.to_string())
}

impl History {
    /// The HEAD this history was read at.
    pub fn head_id(&self) -> Option<String> {
        Some(self.repository.as_ref()?.head.to_string())
    }

    /// Which sources differ from HEAD, again: after a save, without reading the log.
    pub fn recheck_uncommitted(&mut self, site: &Site) -> Result<(), String> {
        if let Some(repository) = &self.repository {
            self.uncommitted = uncommitted(site, repository)?;
        }
        Ok(())
    }
}

/// Reads the history into `site.history`, finishing the reading `start_reading` began
/// (`None`: `--no-git`, nothing is read), with a finding for a history that cannot be
/// trusted: unreadable, or cut short by a shallow clone.
pub fn attach_started(
    site: &mut Site,
    started: Option<Reading>,
    today: Date,
    findings: &mut Vec<crate::finding::Finding>,
) {
    if let Some(reading) = started {
        attach_read(site, today, None, Some(reading), findings);
    }
}

/// Reads the history into `site.history` (unless `use_git` is false). `kept` is a history
/// read before (by `serve`): when HEAD has not moved, only the uncommitted files are
/// looked at again.
pub fn attach_reusing(
    site: &mut Site,
    use_git: bool,
    today: Date,
    kept: Option<History>,
    findings: &mut Vec<crate::finding::Finding>,
) {
    if use_git {
        attach_read(site, today, kept, None, findings);
    }
}

fn attach_read(
    site: &mut Site,
    today: Date,
    kept: Option<History>,
    started: Option<Reading>,
    findings: &mut Vec<crate::finding::Finding>,
) {
    use crate::finding::{Code, Finding};
    if let Some(mut kept) = kept
        && kept.head_id().is_some()
        && kept.head_id() == head_of(&site.root)
        && kept.recheck_uncommitted(site).is_ok()
    {
        site.history = kept;
        site.history.approvals.clear();
        site.history.uncertain.clear();
        site.history.published_from.clear();
        approval::attach(site, findings);
        public_changes::attach(site);
        at_last_review(site);
        return;
    }
    let cache = site.root.join(crate::build::CACHE_FOLDER);
    match read(site, &cache, started) {
        Ok(Some(history)) => {
            if history.shallow {
                findings.push(
                    Finding::new(
                        Code::HistoryShallow,
                        "the git clone is shallow: dates older than its first commit are unknown, so every page would show a wrong date",
                    )
                    .help("fetch the full history (`git fetch --unshallow`, or `fetch-depth: 0` in a CI checkout), or build with `--no-git`"),
                );
                // Wrong dates are worse than none: a shallow history is not used.
                return;
            }
            // Against the clock, not `TRUSTBOOK_TODAY`: a CI run that judges reviews as of a
            // fixed day still has commits made after it.
            let clock = Date(chrono::Utc::now().date_naive()).max(today);
            let future: Vec<String> = (history.commits.iter())
                .filter(|c| c.utc_date() > clock)
                .map(|c| format!("{} ({})", c.short_id(), c.date))
                .collect();
            if !future.is_empty() {
                findings.push(
                    Finding::new(
                        Code::HistoryDateInFuture,
                        format!(
                            "{} dated after today ({clock}): {}; the pages would state changes that have not happened yet, so the history is not used",
                            if future.len() == 1 { "a commit is" } else { "commits are" },
                            future.join(", ")
                        ),
                    )
                    .help("correct the clock of the machine that made them and amend the commits, or build with `--no-git`"),
                );
                return;
            }
            site.history = history;
            approval::attach(site, findings);
            public_changes::attach(site);
            at_last_review(site);
        }
        Ok(None) => {}
        Err(message) => findings.push(
            Finding::new(
                Code::HistoryUnreadable,
                format!("cannot read the git history: {message}"),
            )
            .help("the pages are built without dates; repair the repository, or build with `--no-git`"),
        ),
    }
}
