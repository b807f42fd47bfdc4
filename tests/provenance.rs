//! Provenance from git: sites in real git repositories, committed with fixed authors and
//! dates, built by the binary. Dates on public and internal pages, the feed, the sitemap and
//! `trust.json`; no commit metadata on the public site; `changed-after-approval`;
//! `publish: approved`; shallow clones; sites outside git or built with `--no-git`; and the
//! same commit giving the same public site.

mod common;

use common::{TODAY, copy_tree, edit, files_under, fixtures};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;
use std::process::Command;
use tempfile::TempDir;

// ---------------------------------------------------------------------------------------
// Running git and trustbook hermetically
// ---------------------------------------------------------------------------------------

/// The one committer of every fixture commit: a name that must never reach `public/`.
const COMMITTER: &str = "Quimby Mergebot";
const COMMITTER_EMAIL: &str = "quimby.mergebot@committer.example.org";

/// A `git` command that reads no user or system configuration and no variables of an
/// enclosing repository (such as a hook's `GIT_DIR`).
fn git_command(dir: &Path) -> Command {
    let mut command = Command::new("git");
    command
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_TERMINAL_PROMPT", "0");
    for name in [
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_INDEX_FILE",
        "GIT_OBJECT_DIRECTORY",
        "GIT_ALTERNATE_OBJECT_DIRECTORIES",
        "GIT_CEILING_DIRECTORIES",
        "GIT_AUTHOR_NAME",
        "GIT_AUTHOR_EMAIL",
        "GIT_AUTHOR_DATE",
        "GIT_COMMITTER_NAME",
        "GIT_COMMITTER_EMAIL",
        "GIT_COMMITTER_DATE",
    ] {
        command.env_remove(name);
    }
    command
}

/// Runs git in `dir`, asserting success; its standard output, trimmed.
fn git(dir: &Path, args: &[&str]) -> String {
    let output = git_command(dir).args(args).output().expect("git runs");
    assert!(
        output.status.success(),
        "git {args:?} failed in {}:\n{}",
        dir.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

/// Makes `dir` a git work tree with the built folders and the cache ignored.
fn init_repo(dir: &Path) {
    git(dir, &["init", "-q", "-b", "main"]);
    git(dir, &["config", "user.name", "Fixture Setup"]);
    git(dir, &["config", "user.email", "setup@example.org"]);
    git(dir, &["config", "commit.gpgsign", "false"]);
    fs::write(
        dir.join(".gitignore"),
        "/public/\n/internal/\n/.trustbook-cache/\n/site/public/\n/site/internal/\n/site/.trustbook-cache/\n",
    )
    .unwrap();
}

/// One commit made by a fixture.
#[derive(Clone, Debug)]
struct Made {
    id: String,
    subject: String,
    author: String,
    email: String,
}

impl Made {
    fn short(&self) -> &str {
        &self.id[..7]
    }
}

fn email_of(author: &str) -> String {
    format!(
        "{}@authors.example.org",
        author.to_lowercase().replace(' ', ".")
    )
}

/// Commits everything in the work tree at `dir` (`git add -A`) as `author`, with author and
/// committer date `date` (ISO 8601 with its offset, e.g. `2026-01-05T10:00:00Z`).
fn commit(dir: &Path, message: &str, date: &str, author: &str) -> Made {
    git(dir, &["add", "-A"]);
    let email = email_of(author);
    let output = git_command(dir)
        .args(["commit", "-q", "--allow-empty", "-m", message])
        .env("GIT_AUTHOR_NAME", author)
        .env("GIT_AUTHOR_EMAIL", &email)
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_NAME", COMMITTER)
        .env("GIT_COMMITTER_EMAIL", COMMITTER_EMAIL)
        .env("GIT_COMMITTER_DATE", date)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "git commit failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Made {
        id: git(dir, &["rev-parse", "HEAD"]),
        subject: message.to_string(),
        author: author.to_string(),
        email,
    }
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn findings(&self) -> Vec<Value> {
        self.stdout
            .lines()
            .map(|line| serde_json::from_str(line).expect("each line is a JSON object"))
            .collect()
    }

    fn codes(&self) -> Vec<String> {
        self.findings()
            .iter()
            .map(|f| f["code"].as_str().unwrap().to_string())
            .collect()
    }
}

fn trustbook(args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_trustbook"))
        .args(args)
        .env("TRUSTBOOK_TODAY", TODAY)
        .env("NO_COLOR", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE")
        .output()
        .unwrap();
    let run = Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    assert!(
        !run.stderr.contains("panicked"),
        "trustbook panicked:\n{}",
        run.stderr
    );
    run
}

fn build(root: &Path, extra: &[&str]) -> Run {
    let mut args = vec!["build", "--root", root.to_str().unwrap()];
    args.extend_from_slice(extra);
    trustbook(&args)
}

fn build_ok(root: &Path, extra: &[&str]) -> Run {
    let run = build(root, extra);
    assert_eq!(run.code, 0, "build failed:\n{}{}", run.stdout, run.stderr);
    run
}

fn check_json(root: &Path, extra: &[&str]) -> Run {
    let mut args = vec![
        "check",
        "--format",
        "json",
        "--root",
        root.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    trustbook(&args)
}

// ---------------------------------------------------------------------------------------
// Files
// ---------------------------------------------------------------------------------------

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn append(path: &Path, more: &str) {
    let mut text = read(path);
    text.push_str(more);
    fs::write(path, text).unwrap();
}

/// HTML text with the entities the templates write decoded.
fn unescape(html: &str) -> String {
    html.replace("&#x2f;", "/")
        .replace("&#x2F;", "/")
        .replace("&#47;", "/")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The text of the first `<section class="NAME">…</section>` of a page.
fn section<'a>(page: &'a str, name: &str) -> Option<&'a str> {
    let start = page.find(&format!("<section class=\"{name}\""))?;
    let rest = &page[start..];
    let end = rest.find("</section>")?;
    Some(&rest[..end])
}

fn last_changed_html(date: &str) -> String {
    format!("Last changed <time datetime=\"{date}\">{date}</time>")
}

/// A temp copy of `tests/fixtures/good` (its site at the temp folder's root), with the risk
/// R-1 made public so that a risk page is published too.
fn good_site() -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixtures().join("good"), dir.path());
    append(
        &dir.path().join("content/risks/r-1.yaml"),
        "visibility: public\npublic_summary: Agents check answers before they are sent.\n",
    );
    dir
}

/// Asserts that `dir` is not inside any git work tree (so that "outside git" tests mean it).
fn assert_outside_git(dir: &Path) {
    let output = git_command(dir)
        .args(["rev-parse", "--is-inside-work-tree"])
        .output()
        .unwrap();
    assert!(
        !output.status.success(),
        "{} is inside a git work tree; this test needs a folder outside git",
        dir.display()
    );
}

/// Every file of `dir`, the build's generation marker included: its token comes from what
/// the pages are, not from where or when they were written.
fn output_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let files = files_under(dir);
    assert!(
        files.iter().any(|(path, bytes)| path == ".trustbook-output"
            && String::from_utf8_lossy(bytes).contains("generation: ")),
        "{} has no generation marker with a token",
        dir.display()
    );
    files
}

fn assert_same_files(a: &Path, b: &Path) {
    let (left, right) = (output_files(a), output_files(b));
    let names = |files: &[(String, Vec<u8>)]| files.iter().map(|f| f.0.clone()).collect::<Vec<_>>();
    assert_eq!(
        names(&left),
        names(&right),
        "{} and {} hold different files",
        a.display(),
        b.display()
    );
    for ((name, x), (_, y)) in left.iter().zip(&right) {
        assert!(
            x == y,
            "{name} differs between {} and {}:\n--- first\n{}\n--- second\n{}",
            a.display(),
            b.display(),
            String::from_utf8_lossy(x),
            String::from_utf8_lossy(y)
        );
    }
}

// ---------------------------------------------------------------------------------------
// The dated repository most tests use
// ---------------------------------------------------------------------------------------

/// The good site in a repository of six commits:
///
/// | # | committer date              | local date | files                          |
/// |---|-----------------------------|------------|--------------------------------|
/// | 1 | 2026-01-05T10:00:00Z        | 2026-01-05 | everything                     |
/// | 2 | 2026-03-10T09:00:00Z        | 2026-03-10 | policies/policy.md             |
/// | 3 | 2026-03-10T17:00:00Z        | 2026-03-10 | policies/policy.md             |
/// | 4 | 2026-09-15T12:00:00Z        | 2026-09-15 | controls/acme-1.yaml           |
/// | 5 | 2026-10-01T23:30:00-05:00   | 2026-10-01 | pages/about.md, risks/r-1.yaml |
/// | 6 | 2026-10-20T01:30:00+02:00   | 2026-10-20 | policies/draft.md (internal)   |
///
/// Commits 5 and 6 fall on another day in UTC (10-02 and 10-19): the date shown is the
/// committer's own.
struct Dated {
    dir: TempDir,
    commits: Vec<Made>,
}

impl Dated {
    fn root(&self) -> &Path {
        self.dir.path()
    }
    fn head(&self) -> &Made {
        self.commits.last().unwrap()
    }
}

fn dated_repo() -> Dated {
    let dir = good_site();
    let root = dir.path();
    init_repo(root);
    let mut commits = Vec::new();
    commits.push(commit(
        root,
        "Import the site marmot-c1",
        "2026-01-05T10:00:00Z",
        "Ada Quillfeather",
    ));
    append(
        &root.join("content/policies/policy.md"),
        "\nSupplier models are assessed before use.\n",
    );
    commits.push(commit(
        root,
        "Clarify supplier wording heron-c2",
        "2026-03-10T09:00:00Z",
        "Bruno Vantongeren",
    ));
    edit(
        &root.join("content/policies/policy.md"),
        "assessed before use.",
        "assessed before any use.",
    );
    commits.push(commit(
        root,
        "Fix supplier typo ibex-c3",
        "2026-03-10T17:00:00Z",
        "Bruno Vantongeren",
    ));
    edit(
        &root.join("content/controls/acme-1.yaml"),
        "justification: Every model we ship needs documentation users can read.",
        "justification: Every model we ship needs documentation that users can read.",
    );
    commits.push(commit(
        root,
        "Record model card review jackal-c4",
        "2026-09-15T12:00:00Z",
        "Chen Oyelaran",
    ));
    edit(
        &root.join("content/pages/about.md"),
        "Read our",
        "Please read our",
    );
    edit(
        &root.join("content/risks/r-1.yaml"),
        "likelihood: 3",
        "likelihood: 4",
    );
    commits.push(commit(
        root,
        "Late about and risk update kestrel-c5",
        "2026-10-01T23:30:00-05:00",
        "Dana Nachtigall",
    ));
    edit(
        &root.join("content/policies/draft.md"),
        "Work in progress.",
        "Work in progress, second pass.",
    );
    commits.push(commit(
        root,
        "Draft incident text lemur-c6",
        "2026-10-20T01:30:00+02:00",
        "Eve Drafterson",
    ));
    Dated { dir, commits }
}

/// Public page → (expected last-changed date, indices of the commits that changed it).
/// Each published page of `dated_repo`: the day what it shows last changed, and the
/// commits that changed its source. The control's commit 3 (its justification) and the
/// risk's commit 4 (its likelihood) changed internal fields only: their days are in the
/// handbook's history, not on the public page or in the feed.
fn dated_pages() -> Vec<(&'static str, &'static str, Vec<usize>)> {
    vec![
        ("policies/policy", "2026-03-10", vec![0, 1, 2]),
        ("policies/other", "2026-01-05", vec![0]),
        ("pages/about", "2026-10-02", vec![0, 4]),
        ("controls/acme-1", "2026-01-05", vec![0, 3]),
        ("systems/chatbot", "2026-01-05", vec![0]),
        ("risks/r-1", "2026-01-05", vec![0, 4]),
    ]
}

/// The commits of `dated_repo` that changed only internal fields of a published source.
const INTERNAL_ONLY: [(&str, usize); 2] = [("controls/acme-1", 3), ("risks/r-1", 4)];

/// The date each commit of `dated_repo` shows (the committer's own time zone).
/// The same days in UTC, as public pages and the feed give them.
const PUBLIC_DAYS: [&str; 6] = [
    "2026-01-05",
    "2026-03-10",
    "2026-03-10",
    "2026-09-15",
    "2026-10-02",
    "2026-10-19",
];
const DATED_DAYS: [&str; 6] = [
    "2026-01-05",
    "2026-03-10",
    "2026-03-10",
    "2026-09-15",
    "2026-10-01",
    "2026-10-20",
];

// ---------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------

#[test]
fn public_pages_show_the_date_of_the_last_commit_that_changed_their_source() {
    let repo = dated_repo();
    build_ok(repo.root(), &[]);
    let public = repo.root().join("public");
    for (page, date, _) in dated_pages() {
        let html = read(&public.join(page).join("index.html"));
        assert!(
            html.contains(&last_changed_html(date)),
            "public/{page} should say it last changed on {date}:\n{}",
            html.lines()
                .filter(|l| l.contains("Last changed"))
                .collect::<Vec<_>>()
                .join("\n")
        );
        assert_eq!(
            html.matches("Last changed").count(),
            1,
            "public/{page} shows one last-changed date"
        );
    }
    // The late-evening commit (2026-10-01 in its own zone) is 2026-10-02 in UTC: public
    // dates are UTC, as trust.json's committed_at; the handbook keeps the committer's.
    let about = read(&public.join("pages/about/index.html"));
    assert!(
        !about.contains("2026-10-01"),
        "the committer's local date shown on the public about page"
    );
    // The internal draft's commit appears nowhere on the public site.
    for (name, bytes) in files_under(&public) {
        let text = String::from_utf8_lossy(&bytes);
        // (trust.json's source.committed_at is that commit's time in UTC, 2026-10-19.)
        assert!(
            !text.contains("2026-10-20") && (name == "trust.json" || !text.contains("2026-10-19")),
            "public/{name} shows the date of a commit that changed only an internal draft"
        );
    }
}

#[test]
fn internal_pages_list_every_commit_of_their_source_linked_to_the_repository() {
    let repo = dated_repo();
    build_ok(repo.root(), &[]);
    let internal = repo.root().join("internal");
    let mut pages = dated_pages();
    pages.push(("policies/draft", "2026-10-20", vec![0, 5]));
    for (page, _, changed) in pages {
        let html = read(&internal.join(page).join("index.html"));
        let history = unescape(
            section(&html, "history")
                .unwrap_or_else(|| panic!("internal/{page} has no history section")),
        );
        for (index, made) in repo.commits.iter().enumerate() {
            let link = format!(
                "href=\"https://git.example.com/gov/trust/commit/{}\"",
                made.id
            );
            if changed.contains(&index) {
                for fact in [
                    made.short(),
                    made.subject.as_str(),
                    made.author.as_str(),
                    link.as_str(),
                    &format!("<time datetime=\"{0}\">{0}</time>", DATED_DAYS[index]),
                ] {
                    assert!(
                        history.contains(fact),
                        "internal/{page}: commit {index} lacks {fact:?} in\n{history}"
                    );
                }
            } else {
                assert!(
                    !history.contains(&made.subject) && !history.contains(made.short()),
                    "internal/{page} lists commit {index} ({}), which did not change it:\n{history}",
                    made.subject
                );
            }
        }
        // Newest first: the commits appear in the order of their dates, latest at the top.
        let positions: Vec<usize> = changed
            .iter()
            .map(|&i| history.find(&repo.commits[i].subject).unwrap())
            .collect();
        assert!(
            positions.windows(2).all(|w| w[0] > w[1]),
            "internal/{page} does not list its commits newest first:\n{history}"
        );
        assert!(
            !html.contains("uncommitted changes"),
            "internal/{page} is committed as it is"
        );
    }
}

#[test]
fn without_a_repository_address_the_hashes_are_not_links() {
    let dir = good_site();
    let root = dir.path();
    edit(
        &root.join("content/site.yaml"),
        "repository: \"https://git.example.com/gov/trust\"\n",
        "",
    );
    init_repo(root);
    let made = commit(
        root,
        "Import nolink-c1",
        "2026-02-02T08:00:00Z",
        "Fay Linkless",
    );
    build_ok(root, &[]);
    let html = read(&root.join("internal/policies/policy/index.html"));
    let history = unescape(section(&html, "history").expect("a history section"));
    assert!(
        history.contains(&format!("<code>{}</code>", made.short())),
        "{history}"
    );
    assert!(history.contains("Import nolink-c1") && history.contains("Fay Linkless"));
    assert!(
        !history.contains("<a "),
        "a hash linked without a repository: {history}"
    );
    assert!(!history.contains(&made.id), "{history}");
}

#[test]
fn no_author_subject_or_hash_reaches_the_public_site_but_trust_json_names_head() {
    let repo = dated_repo();
    build_ok(repo.root(), &[]);
    let public = repo.root().join("public");
    let mut secrets: Vec<String> = vec![COMMITTER.into(), COMMITTER_EMAIL.into()];
    for made in &repo.commits {
        secrets.extend([
            made.id.clone(),
            made.short().to_string(),
            made.subject.clone(),
            made.author.clone(),
            made.email.clone(),
        ]);
        // The distinctive word of each subject and the author's surname alone.
        secrets.push(made.subject.rsplit(' ').next().unwrap().to_string());
        secrets.push(made.author.rsplit(' ').next().unwrap().to_string());
    }
    let files = files_under(&public);
    assert!(files.iter().any(|(n, _)| n == "trust.json"));
    for (name, bytes) in &files {
        let text = String::from_utf8_lossy(bytes);
        if name == "trust.json" {
            continue;
        }
        for secret in &secrets {
            assert!(
                !text.contains(secret.as_str()),
                "public/{name} contains commit metadata {secret:?}"
            );
        }
    }
    // trust.json: HEAD's full hash once, as source.commit, and nothing else of any commit.
    let text = read(&public.join("trust.json"));
    let head = repo.head();
    assert_eq!(text.matches(head.id.as_str()).count(), 1, "{text}");
    let mut json: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["source"]["commit"], Value::String(head.id.clone()));
    json.as_object_mut().unwrap().remove("source");
    let rest = serde_json::to_string(&json).unwrap();
    for secret in &secrets {
        assert!(
            !rest.contains(secret.as_str()),
            "trust.json contains commit metadata {secret:?} outside source.commit"
        );
    }
}

#[test]
fn trust_json_has_the_source_commit_and_every_last_changed_date() {
    let repo = dated_repo();
    build_ok(repo.root(), &[]);
    let json: Value = serde_json::from_str(&read(&repo.root().join("public/trust.json"))).unwrap();
    let head = repo.head();
    assert_eq!(
        json["source"],
        serde_json::json!({"commit": head.id, "committed_at": "2026-10-19T23:30:00Z"}),
        "source is HEAD, its time in UTC"
    );
    let expected: BTreeMap<String, &str> = dated_pages()
        .into_iter()
        .map(|(page, date, _)| (format!("{page}/"), date))
        .collect();
    let mut seen = BTreeMap::new();
    for list in ["documents", "controls", "systems", "risks"] {
        let items = json[list]
            .as_array()
            .unwrap_or_else(|| panic!("trust.json has no {list} array"));
        assert!(!items.is_empty(), "trust.json {list} is empty");
        for item in items {
            let url = item["url"].as_str().unwrap().to_string();
            let date = item["last_changed"]
                .as_str()
                .unwrap_or_else(|| panic!("{list} {url} has no last_changed: {item}"));
            seen.insert(url, date.to_string());
        }
    }
    let seen: BTreeMap<String, &str> = seen.iter().map(|(k, v)| (k.clone(), v.as_str())).collect();
    assert_eq!(seen, expected);
}

/// Each published item's first day on the public site is its publication ("published"),
/// each later day its public face changed a change ("changed").
#[test]
fn the_feed_has_one_entry_per_day_a_published_item_changed() {
    let repo = dated_repo();
    build_ok(repo.root(), &[]);
    let xml = read(&repo.root().join("public/feed.xml"));
    let feed: atom_syndication::Feed = xml.parse().expect("feed.xml is Atom");
    let base = "https://trust.example.com/";
    let titles: BTreeMap<&str, &str> = [
        ("policies/policy", "AI Policy"),
        ("policies/other", "Data procedure"),
        ("pages/about", "About"),
        ("controls/acme-1", "ACME-1 Model cards for every model"),
        ("systems/chatbot", "Helpdesk chatbot"),
        ("risks/r-1", "Wrong answers"),
    ]
    .into_iter()
    .collect();
    let mut expected = BTreeSet::new();
    for (page, _, changed) in dated_pages() {
        let days: BTreeSet<&str> = (changed.iter())
            .filter(|&&i| !INTERNAL_ONLY.contains(&(page, i)))
            .map(|&i| PUBLIC_DAYS[i])
            .collect();
        for day in days {
            // Every item was made, public, by the first commit.
            let what = match day == PUBLIC_DAYS[0] {
                true => "published",
                false => "changed",
            };
            expected.insert((
                format!("{base}{page}/#{what}-{day}"),
                format!("{} {what}", titles[page]),
                format!("{day}T00:00:00+00:00"),
                format!("{base}{page}/"),
            ));
        }
    }
    let actual: BTreeSet<(String, String, String, String)> = feed
        .entries()
        .iter()
        .filter(|e| e.id().contains("#changed-") || e.id().contains("#published-"))
        .map(|e| {
            (
                e.id().to_string(),
                e.title().as_str().to_string(),
                e.updated().to_rfc3339(),
                e.links()
                    .first()
                    .map(|l| l.href().to_string())
                    .unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(actual, expected);
    // Two commits on 2026-03-10 changed the policy: one entry for the day.
    assert_eq!(
        feed.entries()
            .iter()
            .filter(|e| e.id().ends_with("policies/policy/#changed-2026-03-10"))
            .count(),
        1
    );
    // The raw text says `T00:00:00Z`, as the format asks.
    assert!(
        xml.contains("<updated>2026-10-02T00:00:00Z</updated>"),
        "{xml}"
    );
    assert!(
        !xml.contains("policies/draft"),
        "an internal draft in the feed"
    );
}

/// An item written and edited while marked internal, then published: the feed and the
/// page date it from its publication, and no day it was internal shows.
#[test]
fn an_item_published_after_internal_edits_is_dated_from_its_publication() {
    let dir = good_site();
    let root = dir.path();
    let system = root.join("content/systems/chatbot.yaml");
    edit(&system, "visibility: public", "visibility: internal");
    init_repo(root);
    commit(root, "Import", "2026-01-05T10:00:00Z", "Ada Quillfeather");
    edit(
        &system,
        "Does not handle refunds.",
        "Does not handle refunds or returns.",
    );
    commit(root, "Draft", "2026-02-10T10:00:00Z", "Ada Quillfeather");
    edit(&system, "visibility: internal", "visibility: public");
    commit(
        root,
        "Publish the chatbot",
        "2026-04-20T10:00:00Z",
        "Ada Quillfeather",
    );
    edit(&system, "Customer support", "Customer support by chat");
    commit(root, "Say how", "2026-06-01T10:00:00Z", "Ada Quillfeather");
    build_ok(root, &[]);
    let xml = read(&root.join("public/feed.xml"));
    let feed: atom_syndication::Feed = xml.parse().expect("feed.xml is Atom");
    let entries: Vec<(String, String)> = (feed.entries().iter())
        .filter(|e| e.id().contains("systems/chatbot/#"))
        .map(|e| {
            (
                e.title().as_str().to_string(),
                e.summary()
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        entries,
        [
            (
                "Helpdesk chatbot published".to_string(),
                "Helpdesk chatbot was published on 2026-04-20.".to_string()
            ),
            (
                "Helpdesk chatbot changed".to_string(),
                "Helpdesk chatbot changed on 2026-06-01.".to_string()
            ),
        ]
        .into_iter()
        .rev()
        .collect::<Vec<_>>(),
        "{xml}"
    );
    // The page dates its last change, not a day it was internal.
    let page = read(&root.join("public/systems/chatbot/index.html"));
    assert!(page.contains("2026-06-01"), "{page}");
    assert!(!page.contains("2026-02-10"), "{page}");
}

/// The feed of the site built at `root`, and the kinds and days of the entries of the page
/// at `page` (`published-2026-04-01`, `changed-…`), sorted.
fn feed_entries(root: &Path, page: &str) -> (String, Vec<String>) {
    let xml = read(&root.join("public/feed.xml"));
    let feed: atom_syndication::Feed = xml.parse().expect("feed.xml is Atom");
    let mut entries: Vec<String> = (feed.entries().iter())
        .filter(|e| e.id().contains(&format!("{page}#")))
        .map(|e| e.id().rsplit('#').next().unwrap().to_string())
        .collect();
    entries.sort();
    (xml, entries)
}

/// A public item deleted and made again: the day it went is no change (nothing was shown
/// then), and the day it came back is a publication.
#[test]
fn an_item_deleted_and_made_again_is_published_again_not_changed_when_deleted() {
    let dir = good_site();
    let root = dir.path();
    let system = root.join("content/systems/chatbot.yaml");
    let text = read(&system);
    init_repo(root);
    commit(root, "Import", "2026-01-05T10:00:00Z", "Ada Quillfeather");
    fs::remove_file(&system).unwrap();
    commit(
        root,
        "Drop the chatbot",
        "2026-03-01T10:00:00Z",
        "Ada Quillfeather",
    );
    fs::write(&system, &text).unwrap();
    commit(
        root,
        "Bring it back",
        "2026-04-01T10:00:00Z",
        "Ada Quillfeather",
    );
    edit(&system, "Customer support", "Customer support by chat");
    commit(root, "Say how", "2026-05-01T10:00:00Z", "Ada Quillfeather");
    build_ok(root, &[]);
    let (xml, entries) = feed_entries(root, "systems/chatbot/");
    assert_eq!(
        entries,
        [
            "changed-2026-05-01",
            "published-2026-01-05",
            "published-2026-04-01"
        ],
        "{xml}"
    );
}

/// A document marked public while still a draft, then in review, is not on the public
/// site: the day it is approved is its publication, and its draft days show nowhere.
#[test]
fn a_public_draft_is_published_the_day_it_is_approved() {
    let dir = good_site();
    let root = dir.path();
    let draft = root.join("content/policies/draft.md");
    edit(&draft, "visibility: internal", "visibility: public");
    init_repo(root);
    commit(root, "Import", "2026-03-02T10:00:00Z", "Ada Quillfeather");
    append(&draft, "\nMore draft text.\n");
    commit(root, "Draft", "2026-03-20T10:00:00Z", "Ada Quillfeather");
    edit(&draft, "status: draft", "status: in_review");
    commit(root, "Review", "2026-04-01T10:00:00Z", "Ada Quillfeather");
    edit(
        &draft,
        "status: in_review",
        "status: approved\napproved_by: Board\napproved_on: 2026-04-15",
    );
    commit(root, "Approve", "2026-04-15T10:00:00Z", "Ada Quillfeather");
    build_ok(root, &[]);
    let (xml, entries) = feed_entries(root, "policies/draft/");
    assert_eq!(entries, ["published-2026-04-15"], "{xml}");
    let home = read(&root.join("public/index.html"));
    for day in ["2026-03-20", "2026-04-01"] {
        assert!(!home.contains(day), "the draft's {day} on the home page");
    }
}

/// Under `publish: approved` the public site shows a policy as its approving commit left
/// it: edits not approved again are no public change (neither announced nor dated), the
/// day of the next approval is; and an approval made while the policy was internal
/// publishes nothing until the policy is approved again as public.
#[test]
fn under_publish_approved_only_an_approval_changes_the_public_page() {
    let dir = approved_only_site();
    let root = dir.path();
    let policy = root.join("content/policies/policy.md");
    edit(&policy, "visibility: public", "visibility: internal");
    init_repo(root);
    commit(root, "Approve", "2026-01-20T10:00:00Z", "Gus Approver");
    edit(&policy, "visibility: internal", "visibility: public");
    commit(root, "Mark public", "2026-02-03T10:00:00Z", "Hana Tinkerer");
    append(&policy, "\nAn edit awaiting approval.\n");
    commit(
        root,
        "Unapproved edit",
        "2026-02-10T10:00:00Z",
        "Hana Tinkerer",
    );
    edit(
        &policy,
        "approved_on: 2026-01-15",
        "approved_on: 2026-03-05",
    );
    commit(
        root,
        "Approve again",
        "2026-03-05T10:00:00Z",
        "Gus Approver",
    );
    append(&policy, "\nAnother edit awaiting approval.\n");
    commit(root, "Edit again", "2026-04-01T10:00:00Z", "Hana Tinkerer");
    build_ok(root, &[]);
    let dated = |root: &Path| {
        let (xml, entries) = feed_entries(root, "policies/policy/");
        let days: Vec<String> = (entries.into_iter())
            .filter(|e| e.starts_with("published-") || e.starts_with("changed-"))
            .collect();
        let json: Value = serde_json::from_str(&read(&root.join("public/trust.json"))).unwrap();
        let entry = (json["documents"].as_array().unwrap().iter())
            .find(|d| d["url"] == "policies/policy/")
            .cloned()
            .unwrap_or_default();
        (xml, days, entry["last_changed"].clone())
    };
    let (xml, days, last_changed) = dated(root);
    assert_eq!(days, ["published-2026-03-05"], "{xml}");
    assert_eq!(last_changed, "2026-03-05");
    let page = read(&root.join("public/policies/policy/index.html"));
    assert!(page.contains(&last_changed_html("2026-03-05")), "{page}");
    assert!(!page.contains("Another edit"), "unapproved text published");
    for day in ["2026-01-20", "2026-02-03", "2026-02-10", "2026-04-01"] {
        assert!(!page.contains(day), "{day} on the policy's page");
    }
    // Approved again, as it now stands: a change, dated by that approval.
    edit(
        &policy,
        "approved_on: 2026-03-05",
        "approved_on: 2026-05-02",
    );
    commit(
        root,
        "Approve the edit",
        "2026-05-02T10:00:00Z",
        "Gus Approver",
    );
    build_ok(root, &[]);
    let (xml, days, last_changed) = dated(root);
    assert_eq!(
        days,
        ["changed-2026-05-02", "published-2026-03-05"],
        "{xml}"
    );
    assert_eq!(last_changed, "2026-05-02");
    let page = read(&root.join("public/policies/policy/index.html"));
    assert!(
        page.contains("Another edit"),
        "the approved text is published"
    );
}

/// A risk's page is named by its id: renaming its file moves no date and publishes nothing
/// again, and its days before the rename stay its own.
#[test]
fn a_renamed_record_keeps_its_days_and_is_not_published_again() {
    let dir = good_site();
    let root = dir.path();
    init_repo(root);
    commit(root, "Import", "2026-01-05T10:00:00Z", "Ada Quillfeather");
    let risk = root.join("content/risks/r-1.yaml");
    edit(&risk, "Agents check answers", "Agents check every answer");
    commit(
        root,
        "Say every",
        "2026-02-10T10:00:00Z",
        "Ada Quillfeather",
    );
    git(
        root,
        &[
            "mv",
            "content/risks/r-1.yaml",
            "content/risks/wrong-answers.yaml",
        ],
    );
    commit(root, "Rename", "2026-03-01T10:00:00Z", "Ada Quillfeather");
    build_ok(root, &[]);
    let (xml, entries) = feed_entries(root, "risks/r-1/");
    assert_eq!(
        entries,
        ["changed-2026-02-10", "published-2026-01-05"],
        "{xml}"
    );
    let page = read(&root.join("public/risks/r-1/index.html"));
    assert!(page.contains(&last_changed_html("2026-02-10")), "{page}");
    // Deleted, then made again under its new name a month later: published again.
    let renamed = root.join("content/risks/wrong-answers.yaml");
    let text = read(&renamed);
    fs::remove_file(&renamed).unwrap();
    commit(root, "Drop", "2026-04-01T10:00:00Z", "Ada Quillfeather");
    fs::write(root.join("content/risks/r-one.yaml"), &text).unwrap();
    commit(root, "Back", "2026-05-01T10:00:00Z", "Ada Quillfeather");
    build_ok(root, &[]);
    let (xml, entries) = feed_entries(root, "risks/r-1/");
    assert_eq!(
        entries,
        [
            "changed-2026-02-10",
            "published-2026-01-05",
            "published-2026-05-01"
        ],
        "{xml}"
    );
}

/// A risk moved into a file name another risk left earlier keeps its days; a version of
/// it that does not load (no site was built from it) is no public change, nor is the
/// commit that mends it.
#[test]
fn a_record_moved_into_a_name_another_left_keeps_its_days() {
    let dir = good_site();
    let root = dir.path();
    let risks = root.join("content/risks");
    let text = read(&risks.join("r-1.yaml"));
    let other = text
        .replace("id: R-1", "id: R-2")
        .replace("title: Wrong answers", "title: Slow answers");
    fs::write(risks.join("r-2.yaml"), &other).unwrap();
    init_repo(root);
    commit(root, "Import", "2026-01-05T10:00:00Z", "Ada Quillfeather");
    git(
        root,
        &["mv", "content/risks/r-2.yaml", "content/risks/r-3.yaml"],
    );
    commit(root, "Move R-2", "2026-02-01T10:00:00Z", "Ada Quillfeather");
    git(
        root,
        &["mv", "content/risks/r-1.yaml", "content/risks/r-2.yaml"],
    );
    commit(root, "Move R-1", "2026-03-01T10:00:00Z", "Ada Quillfeather");
    fs::write(risks.join("r-2.yaml"), "id: R-1\ntitle: [unclosed\n").unwrap();
    commit(root, "Break", "2026-04-01T10:00:00Z", "Ada Quillfeather");
    fs::write(risks.join("r-2.yaml"), &text).unwrap();
    commit(root, "Mend", "2026-05-01T10:00:00Z", "Ada Quillfeather");
    build_ok(root, &[]);
    for (page, title) in [
        ("risks/r-1/", "Wrong answers"),
        ("risks/r-2/", "Slow answers"),
    ] {
        let (xml, entries) = feed_entries(root, page);
        assert_eq!(entries, ["published-2026-01-05"], "{title}: {xml}");
        let html = read(&root.join("public").join(page).join("index.html"));
        assert!(html.contains(&last_changed_html("2026-01-05")), "{html}");
    }
}

/// A page deleted, and another page (another id) written under its file name later: the
/// new page is published that day, and the old page's days are not its own.
#[test]
fn a_page_written_where_another_was_deleted_has_only_its_own_days() {
    let dir = good_site();
    let root = dir.path();
    let about = root.join("content/pages/about.md");
    init_repo(root);
    commit(root, "Import", "2026-01-05T10:00:00Z", "Ada Quillfeather");
    append(&about, "\nMore about us.\n");
    commit(root, "More", "2026-02-10T10:00:00Z", "Ada Quillfeather");
    let text = read(&about);
    fs::remove_file(&about).unwrap();
    commit(root, "Drop", "2026-03-01T10:00:00Z", "Ada Quillfeather");
    fs::write(&about, text.replacen("id: PAGE-ABOUT", "id: PAGE-US", 1)).unwrap();
    commit(
        root,
        "A new page",
        "2026-04-01T10:00:00Z",
        "Ada Quillfeather",
    );
    build_ok(root, &[]);
    let (xml, entries) = feed_entries(root, "pages/about/");
    assert_eq!(entries, ["published-2026-04-01"], "{xml}");
    let page = read(&root.join("public/pages/about/index.html"));
    for day in ["2026-01-05", "2026-02-10"] {
        assert!(!page.contains(day), "{day} on the new page");
    }
}

/// Under `publish: approved`, another document written over an approved one's file with
/// the same `version` and `approved_on` did not inherit its approval: the approving commit
/// is the one that wrote it, and the old document's text is no longer published.
#[test]
fn under_publish_approved_a_document_written_over_another_is_not_approved_by_it() {
    let dir = approved_only_site();
    let root = dir.path();
    init_repo(root);
    commit(root, "Import", "2026-01-20T10:00:00Z", "Gus Approver");
    let policy = root.join("content/policies/policy.md");
    let old = read(&policy);
    let (front, _) = old.split_once("\n---\n").unwrap();
    let front = front
        .replace("id: POL-1", "id: POL-9")
        .replace("title: AI Policy", "title: Replacement policy");
    fs::write(
        &policy,
        format!(
            "{front}\n---\n\n# Replacement policy\n\n## Scope {{#scope}}\n\nReplacement body.\n"
        ),
    )
    .unwrap();
    edit(
        &root.join("content/controls/acme-1.yaml"),
        "policies: [POL-1]",
        "policies: [POL-9]",
    );
    commit(root, "Replace", "2026-02-01T10:00:00Z", "Hana Tinkerer");
    // Its stamp was copied, not given: where it was approved is not known.
    assert_refused(root, "wrote it over the file of another document (`POL-1`)");
    // Approved as it stands: published from that commit.
    edit(
        &policy,
        "approved_on: 2026-01-15",
        "approved_on: 2026-02-03",
    );
    commit(root, "Approve", "2026-02-03T10:00:00Z", "Gus Approver");
    build_ok(root, &[]);
    let page = read(&root.join("public/policies/policy/index.html"));
    assert!(page.contains("Replacement body."), "{page}");
    assert!(
        !page.contains("All AI systems, see"),
        "the old document's text: {page}"
    );
    let (xml, entries) = feed_entries(root, "policies/policy/");
    assert!(
        entries.contains(&"published-2026-02-03".to_string()),
        "{xml}"
    );
    assert!(!entries.iter().any(|e| e.ends_with("2026-01-20")), "{xml}");
}

/// Under `publish: approved`, a policy renamed with an edit not yet approved: its new
/// address is published the day it moved there, with the approved text.
#[test]
fn under_publish_approved_a_renamed_policy_is_published_at_its_new_address_that_day() {
    let dir = approved_only_site();
    let root = dir.path();
    init_repo(root);
    commit(root, "Import", "2026-02-01T10:00:00Z", "Gus Approver");
    git(
        root,
        &[
            "mv",
            "content/policies/policy.md",
            "content/policies/charter.md",
        ],
    );
    append(
        &root.join("content/policies/charter.md"),
        "\nAn edit awaiting approval.\n",
    );
    edit(
        &root.join("content/pages/about.md"),
        "../policies/policy.md#scope",
        "../policies/charter.md#scope",
    );
    commit(root, "Rename", "2026-03-01T10:00:00Z", "Hana Tinkerer");
    build_ok(root, &[]);
    let page = read(&root.join("public/policies/charter/index.html"));
    assert!(!page.contains("An edit awaiting approval"), "{page}");
    assert!(page.contains(&last_changed_html("2026-03-01")), "{page}");
    let (xml, entries) = feed_entries(root, "policies/charter/");
    let days: Vec<&String> = (entries.iter())
        .filter(|e| e.starts_with("published-") || e.starts_with("changed-"))
        .collect();
    assert_eq!(days, ["published-2026-03-01"], "{xml}");
}

/// Under `publish: approved`, two documents' files swapped: a document approved only while
/// internal, made public in the swap, is not published on that approval.
#[test]
fn under_publish_approved_a_swap_publishes_no_document_approved_while_internal() {
    let dir = approved_only_site();
    let root = dir.path();
    let policies = root.join("content/policies");
    let secret = read(&policies.join("other.md"))
        .replace("id: POL-2", "id: POL-7")
        .replace("visibility: public", "visibility: internal")
        .replace(
            "Training data is kept for two years.",
            "CANARY approved while internal.",
        );
    fs::write(policies.join("secret.md"), &secret).unwrap();
    init_repo(root);
    commit(root, "Import", "2026-01-20T10:00:00Z", "Gus Approver");
    let other = read(&policies.join("other.md"));
    let shown = secret.replace("visibility: internal", "visibility: public");
    fs::write(policies.join("other.md"), shown).unwrap();
    fs::write(policies.join("secret.md"), &other).unwrap();
    commit(root, "Swap", "2026-02-01T10:00:00Z", "Hana Tinkerer");
    let run = build(root, &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("wrote it over the file of another document"),
        "{}",
        run.stderr
    );
    assert!(!root.join("public").exists(), "nothing is written");
}

#[test]
fn the_feed_is_updated_no_earlier_than_its_newest_entry() {
    let repo = dated_repo();
    build_ok(repo.root(), &[]);
    let xml = read(&repo.root().join("public/feed.xml"));
    let feed: atom_syndication::Feed = xml.parse().expect("feed.xml is Atom");
    let newest = feed.entries().iter().map(|e| *e.updated()).max().unwrap();
    assert!(
        *feed.updated() >= newest,
        "the feed says it was updated {} but has an entry updated {}",
        feed.updated(),
        newest
    );
}

#[test]
fn sitemap_lastmod_is_no_earlier_than_the_last_change() {
    let repo = dated_repo();
    build_ok(repo.root(), &[]);
    let xml = read(&repo.root().join("public/sitemap.xml"));
    let doc = roxmltree::Document::parse(&xml).expect("sitemap.xml is XML");
    let mut lastmod = BTreeMap::new();
    for url in doc.root_element().children().filter(|n| n.is_element()) {
        let text = |name: &str| {
            url.children()
                .find(|c| c.tag_name().name() == name)
                .and_then(|c| c.text())
                .map(str::to_string)
        };
        lastmod.insert(text("loc").unwrap(), text("lastmod"));
    }
    for (page, date, _) in dated_pages() {
        let loc = format!("https://trust.example.com/{page}/");
        let Some(Some(modified)) = lastmod.get(&loc) else {
            panic!("sitemap has no lastmod for {loc}:\n{xml}");
        };
        assert!(
            modified.get(..10).unwrap_or("") >= date,
            "{loc}: lastmod {modified} is before its last change {date}"
        );
    }
}

#[test]
fn a_policy_changed_after_approval_is_warned_about_until_it_is_approved_again() {
    let dir = good_site();
    let root = dir.path();
    init_repo(root);
    let approving = commit(
        root,
        "Import approved policies",
        "2026-01-20T10:00:00Z",
        "Gus Approver",
    );
    edit(
        &root.join("content/policies/policy.md"),
        "All AI systems, see",
        "All AI systems and services, see",
    );
    let first = commit(
        root,
        "Widen scope otter-a1",
        "2026-02-10T10:00:00Z",
        "Hana Tinkerer",
    );
    append(
        &root.join("content/policies/policy.md"),
        "\nStaff are trained yearly.\n",
    );
    let second = commit(
        root,
        "Add training line puffin-a2",
        "2026-02-11T10:00:00Z",
        "Hana Tinkerer",
    );
    // A later commit that does not touch the policy is not named.
    edit(
        &root.join("content/controls/acme-1.yaml"),
        "Every model has a model card.",
        "Every model we ship has a model card.",
    );
    let unrelated = commit(
        root,
        "Unrelated control edit quail-a3",
        "2026-02-12T10:00:00Z",
        "Ivo Bystander",
    );

    let run = check_json(root, &[]);
    assert_eq!(run.code, 0, "a warning, not an error: {}", run.stdout);
    let warnings: Vec<Value> = run
        .findings()
        .into_iter()
        .filter(|f| f["code"] == "changed-after-approval")
        .collect();
    assert_eq!(warnings.len(), 1, "{}", run.stdout);
    let warning = &warnings[0];
    assert_eq!(warning["severity"], "warning");
    assert_eq!(warning["path"], "content/policies/policy.md");
    let message = warning["message"].as_str().unwrap();
    for fact in [
        first.short(),
        &first.subject,
        second.short(),
        &second.subject,
    ] {
        assert!(
            message.contains(fact),
            "the message lacks {fact:?}: {message}"
        );
    }
    assert!(!message.contains(unrelated.short()), "{message}");
    assert!(!message.contains(&unrelated.subject), "{message}");
    assert!(
        !message.contains(&approving.subject),
        "only the later commits are listed with their subjects: {message}"
    );
    assert_eq!(run.codes(), ["changed-after-approval"], "{}", run.stdout);

    let strict = check_json(root, &["--strict"]);
    assert_eq!(
        strict.code, 1,
        "--strict fails on the warning: {}",
        strict.stdout
    );

    build_ok(root, &[]);
    let internal = read(&root.join("internal/policies/policy/index.html"));
    let approval = section(&internal, "approval").expect("an approval section");
    assert!(approval.contains(approving.short()), "{approval}");
    assert!(approval.contains("changed-after-approval"), "{approval}");
    assert!(approval.contains(first.short()) && approval.contains(second.short()));

    // Re-approval: a new commit that sets `approved_on`.
    edit(
        &root.join("content/policies/policy.md"),
        "approved_on: 2026-01-15",
        "approved_on: 2026-01-25",
    );
    commit(
        root,
        "Board re-approves the AI policy",
        "2026-02-20T10:00:00Z",
        "Gus Approver",
    );
    let run = check_json(root, &[]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(
        !run.codes().iter().any(|c| c == "changed-after-approval"),
        "still warned after re-approval: {}",
        run.stdout
    );
    assert_eq!(check_json(root, &["--strict"]).code, 0);
    build_ok(root, &[]);
    let internal = read(&root.join("internal/policies/policy/index.html"));
    assert!(
        !internal.contains("class=\"changed-after-approval\""),
        "the handbook still says changed after approval"
    );
}

/// What `.trustbook-cache/` remembers of git (which files changed in each commit, the blob
/// of each text, each version's approval stamp and public face) only saves work: garbage
/// in every cache file, or caches left by another state of the repository, change nothing
/// the build writes or warns about.
#[test]
fn damaged_or_stale_history_caches_change_nothing() {
    let dir = good_site();
    let root = dir.path();
    init_repo(root);
    commit(root, "Import", "2026-01-20T10:00:00Z", "Gus Approver");
    append(
        &root.join("content/policies/policy.md"),
        "\nStaff are trained yearly.\n",
    );
    commit(
        root,
        "Add training",
        "2026-02-11T10:00:00Z",
        "Hana Tinkerer",
    );
    append(&root.join("content/controls/acme-1.yaml"), "# reviewed\n");
    let first = build_ok(root, &[]);
    assert!(
        first.stderr.contains("changed-after-approval"),
        "{}",
        first.stderr
    );
    let expected = tempfile::tempdir().unwrap();
    for folder in ["public", "internal"] {
        fs::create_dir_all(expected.path().join(folder)).unwrap();
        copy_tree(&root.join(folder), &expected.path().join(folder));
    }
    let cache = root.join(".trustbook-cache");
    let remembered: Vec<_> = fs::read_dir(&cache)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && p.file_name().is_some_and(|n| n != "highlight.bin"))
        .collect();
    for name in [
        "history.bin",
        "blob-ids.bin",
        "approval-stamps-2.bin",
        "public-faces.bin",
    ] {
        assert!(
            remembered.iter().any(|p| p.ends_with(name)),
            "{name} was not written: {remembered:?}"
        );
    }
    // Stale: the caches of an earlier state (the edit committed, the commit then undone).
    let stale = tempfile::tempdir().unwrap();
    commit(
        root,
        "Note the review",
        "2026-02-12T10:00:00Z",
        "Ivo Bystander",
    );
    build_ok(root, &[]);
    for file in &remembered {
        fs::copy(file, stale.path().join(file.file_name().unwrap())).unwrap();
    }
    git(root, &["reset", "-q", "HEAD~1"]);
    for (label, damage) in [("garbage", None), ("stale", Some(stale.path()))] {
        for file in &remembered {
            match damage {
                None => fs::write(
                    file,
                    b"\x03\0\0\0\xff\xff\xff\xff\xff\xff\xff\x7fnot a cache",
                )
                .unwrap(),
                Some(from) => {
                    fs::copy(from.join(file.file_name().unwrap()), file).unwrap();
                }
            }
        }
        let again = build_ok(root, &[]);
        assert_eq!(
            again
                .stderr
                .lines()
                .filter(|l| l.contains("changed-after-approval"))
                .count(),
            first
                .stderr
                .lines()
                .filter(|l| l.contains("changed-after-approval"))
                .count(),
            "{label}: {}",
            again.stderr
        );
        assert!(
            again
                .stderr
                .contains("1 source file with uncommitted changes"),
            "{label}: {}",
            again.stderr
        );
        for folder in ["public", "internal"] {
            assert_same_files(&expected.path().join(folder), &root.join(folder));
        }
    }
}

#[test]
fn a_new_version_in_a_later_commit_is_an_approval_too() {
    let dir = good_site();
    let root = dir.path();
    init_repo(root);
    commit(root, "Import", "2026-01-20T10:00:00Z", "Gus Approver");
    append(&root.join("content/policies/policy.md"), "\nA new rule.\n");
    commit(
        root,
        "Add a rule robin-v1",
        "2026-02-10T10:00:00Z",
        "Hana Tinkerer",
    );
    assert!(
        check_json(root, &[])
            .codes()
            .contains(&"changed-after-approval".to_string())
    );
    let policy = root.join("content/policies/policy.md");
    edit(&policy, "version: 2.1\n", "version: \"2.2\"\n");
    edit(
        &policy,
        "  - {version: 2.1, date: 2026-01-15, summary: Adds supplier models}\n",
        "  - {version: 2.1, date: 2026-01-15, summary: Adds supplier models}\n  - {version: \"2.2\", date: 2026-01-15, summary: Adds a rule}\n",
    );
    commit(root, "Version 2.2", "2026-02-15T10:00:00Z", "Gus Approver");
    let run = check_json(root, &[]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(run.codes().is_empty(), "{}", run.stdout);
}

/// The good site with `public.publish: approved`.
fn approved_only_site() -> TempDir {
    let dir = good_site();
    edit(
        &dir.path().join("content/site.yaml"),
        "  show_control_totals: true\n",
        "  show_control_totals: true\n  publish: approved\n",
    );
    dir
}

#[test]
fn publish_approved_serves_the_approved_text_and_the_handbook_the_difference() {
    let dir = approved_only_site();
    let root = dir.path();
    init_repo(root);
    let approving = commit(
        root,
        "Import approved",
        "2026-01-20T10:00:00Z",
        "Gus Approver",
    );
    let policy = root.join("content/policies/policy.md");
    edit(
        &policy,
        "All AI systems, see [above](#ai-policy).",
        "All AI systems and zebra models, see [above](#ai-policy).",
    );
    append(&policy, "\nUnapproved narwhal sentence.\n");
    let later = commit(
        root,
        "Unapproved edits",
        "2026-02-10T10:00:00Z",
        "Hana Tinkerer",
    );
    // And a change in the working copy, not committed at all.
    append(&policy, "\nWorking copy wombat sentence.\n");

    build_ok(root, &[]);
    // The approved version read from git is no file of the site: the count is the site's.
    let files = (files_under(&root.join("content")).into_iter())
        .filter(|(name, _)| name.ends_with(".md") || name.ends_with(".yaml"))
        .count();
    let run = trustbook(&["check", "--root", root.to_str().unwrap()]);
    assert!(
        run.stderr.contains(&format!(" in {files} source files")),
        "{files} files: {}",
        run.stderr
    );
    let public = root.join("public");
    let page = read(&public.join("policies/policy/index.html"));
    assert!(
        page.contains("All AI systems, see"),
        "the approved sentence is published"
    );
    for (name, bytes) in files_under(&public) {
        let text = String::from_utf8_lossy(&bytes);
        for unapproved in ["zebra", "narwhal", "wombat"] {
            assert!(
                !text.contains(unapproved),
                "public/{name} has the unapproved text `{unapproved}`"
            );
        }
        for secret in [&approving.id, &later.id] {
            if name != "trust.json" {
                assert!(!text.contains(&secret[..7]), "public/{name} names a commit");
            }
        }
    }
    let internal = read(&root.join("internal/policies/policy/index.html"));
    for sentence in [
        "All AI systems and zebra models, see",
        "Unapproved narwhal sentence.",
        "Working copy wombat sentence.",
    ] {
        assert!(
            internal.contains(sentence),
            "the handbook lacks {sentence:?}"
        );
    }
    let approval = section(&internal, "approval").expect("an approval section");
    assert!(approval.contains(approving.short()), "{approval}");
    let inserted: Vec<&str> = approval
        .split("<ins>")
        .skip(1)
        .filter_map(|s| s.split("</ins>").next())
        .collect();
    let deleted: Vec<&str> = approval
        .split("<del>")
        .skip(1)
        .filter_map(|s| s.split("</del>").next())
        .collect();
    for sentence in [
        "zebra models",
        "Unapproved narwhal sentence.",
        "Working copy wombat sentence.",
    ] {
        assert!(
            inserted.iter().any(|i| i.contains(sentence)),
            "no <ins> with {sentence:?}: {inserted:?}"
        );
    }
    assert!(
        deleted.iter().any(|d| d.contains("All AI systems, see")),
        "no <del> with the approved line: {deleted:?}"
    );
    assert!(!deleted.iter().any(|d| d.contains("zebra")), "{deleted:?}");
    // The public site dates the text it shows: the approving commit's, not the later one's.
    assert!(
        page.contains(&last_changed_html("2026-01-20")),
        "the public page dates text it does not show"
    );
    let feed = read(&public.join("feed.xml"));
    assert!(
        !feed.contains("#changed-2026-02-10"),
        "the feed announces an unpublished change"
    );
    let json: Value = serde_json::from_str(&read(&public.join("trust.json"))).unwrap();
    let policy_entry = json["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["url"] == "policies/policy/")
        .unwrap();
    assert_eq!(policy_entry["last_changed"], "2026-01-20");
}

/// Under `publish: approved`, text the working copy hides (in an internal block or a
/// comment) that the approved text shows would stay public until the next approval: the
/// build is refused, at the hidden line, until it is approved again or withdrawn.
#[test]
fn publish_approved_refuses_text_hidden_since_its_approval() {
    let policy_after = |hide: &str| {
        let dir = approved_only_site();
        let root = dir.path();
        let policy = root.join("content/policies/policy.md");
        append(
            &policy,
            "\nOur model vendor is Quokka Labs,\nunder contract until 2027.\n",
        );
        init_repo(root);
        commit(root, "Approved", "2026-01-20T10:00:00Z", "Gus Approver");
        let text = read(&policy).replace(
            "Our model vendor is Quokka Labs,\nunder contract until 2027.\n",
            hide,
        );
        std::fs::write(&policy, text).unwrap();
        let run = check_json(root, &[]);
        let hidden: Vec<Value> = (run.findings().into_iter())
            .filter(|f| f["code"] == "hidden-since-approval")
            .collect();
        assert_eq!(hidden.len(), 1, "{hide:?}: {}", run.stdout);
        assert_eq!(build(root, &[]).code, 1, "{hide:?}");
        assert_eq!(hidden[0]["path"], "content/policies/policy.md");
        assert!(!root.join("public/policies/policy").exists(), "{hide:?}");
        // Marked internal (the document) until approved, the build goes through.
        edit(&policy, "visibility: public\n", "visibility: internal\n");
        build_ok(root, &[]);
        let published = files_under(&root.join("public"));
        assert!(
            !published
                .iter()
                .any(|(_, bytes)| String::from_utf8_lossy(bytes).contains("Quokka")),
            "{hide:?}"
        );
        let expected = (read(&policy).lines())
            .position(|l| l.contains("Our model vendor is"))
            .map(|i| i + 1);
        assert_eq!(
            hidden[0]["line"].as_u64().map(|l| l as usize),
            expected,
            "{hide:?}"
        );
    };
    for hide in [
        "<!-- internal -->\nOur model vendor is Quokka Labs,\nunder contract until 2027.\n<!-- /internal -->\n",
        "<!-- internal -->\nOur model vendor is Quokka Labs, under contract until 2027.\n<!-- /internal -->\n",
        "<!--\nOur model vendor is Quokka Labs,\nunder contract until 2027.\n-->\n",
        "Our model vendor is <!-- Quokka Labs, -->\nunder contract until 2027.\n",
        // Reworded, re-marked-up or re-spelt while hidden, it is still the approved text.
        "<!-- internal -->\nOur model vendor is *Quokka* Labs, under contract to 2028. New words.\n<!-- /internal -->\n",
        "<!--\nOur model vendor is Quokka&#32;Labs\n-->\n",
        "<!-- internal -->\n- Our model vendor is [Quokka Labs](https://quokka.example),\n- under contract until 2027.\n<!-- /internal -->\n",
    ] {
        policy_after(hide);
    }
}

/// The approved text is what is published: a placeholder in it is warned about where it
/// stands (`path@commit`), though the working copy has mended it.
#[test]
fn publish_approved_warns_of_a_placeholder_in_the_approved_text() {
    let dir = approved_only_site();
    let root = dir.path();
    let policy = root.join("content/policies/policy.md");
    append(&policy, "\nCoverage: TBD for now.\n");
    init_repo(root);
    let approving = commit(root, "Approved", "2026-01-20T10:00:00Z", "Gus Approver");
    edit(&policy, "Coverage: TBD for now.", "Coverage: every system.");
    let run = check_json(root, &[]);
    let placeholders: Vec<Value> = (run.findings().into_iter())
        .filter(|f| f["code"] == "placeholder-text")
        .collect();
    assert_eq!(placeholders.len(), 1, "{}", run.stdout);
    assert_eq!(
        placeholders[0]["path"],
        format!("content/policies/policy.md@{}", approving.short()),
    );
}

/// Text hidden in both the approved text and the working copy, or shown in both, is no
/// reason to refuse: only what the approval shows and the working copy hides is.
#[test]
fn publish_approved_builds_text_hidden_or_shown_in_both() {
    let dir = approved_only_site();
    let root = dir.path();
    let policy = root.join("content/policies/policy.md");
    append(
        &policy,
        "\nOur model vendor is Quokka Labs.\n\n<!-- internal -->\nOur model vendor is Quokka Labs.\n\nKestrel notes.\n<!-- /internal -->\n",
    );
    init_repo(root);
    commit(root, "Approved", "2026-01-20T10:00:00Z", "Gus Approver");
    append(
        &policy,
        "\n<!-- internal -->\nKestrel notes, and more.\n<!-- /internal -->\n\n<!-- Our -->\nA brand new public line.\n\n<!-- internal -->\nA brand new internal note on the model vendor.\n<!-- /internal -->\n",
    );
    let run = check_json(root, &[]);
    assert!(
        !run.codes().iter().any(|c| c == "hidden-since-approval"),
        "{}",
        run.stdout
    );
    build_ok(root, &[]);
}

#[test]
fn publish_approved_with_no_git_is_an_error() {
    let dir = approved_only_site();
    let root = dir.path();
    init_repo(root);
    commit(
        root,
        "Import approved",
        "2026-01-20T10:00:00Z",
        "Gus Approver",
    );
    // With the history, the site is fine.
    let run = check_json(root, &[]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(run.codes().is_empty(), "{}", run.stdout);
    let run = check_json(root, &["--no-git"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let errors: Vec<Value> = run
        .findings()
        .into_iter()
        .filter(|f| f["severity"] == "error")
        .collect();
    assert_eq!(errors.len(), 1, "{}", run.stdout);
    assert_eq!(errors[0]["code"], "not-committed");
    assert_eq!(errors[0]["path"], "content/site.yaml");
    let run = build(root, &["--no-git"]);
    assert_eq!(run.code, 1, "build --no-git must refuse: {}", run.stderr);
    assert!(
        !root.join("public/index.html").exists(),
        "a public site was written"
    );
}

#[test]
fn publish_approved_outside_git_is_an_error() {
    let dir = approved_only_site();
    assert_outside_git(dir.path());
    let run = check_json(dir.path(), &[]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.codes().contains(&"not-committed".to_string()),
        "{}",
        run.stdout
    );
}

#[test]
fn publish_approved_refuses_a_public_policy_never_committed() {
    let dir = approved_only_site();
    let root = dir.path();
    init_repo(root);
    commit(
        root,
        "Import approved",
        "2026-01-20T10:00:00Z",
        "Gus Approver",
    );
    fs::write(
        root.join("content/policies/new.md"),
        "---\nid: POL-NEW\ntitle: Fresh policy\nversion: \"1.0\"\nstatus: approved\nowner: Head of AI Governance\napproved_by: Board\napproved_on: 2026-02-01\nnext_review: 2027-02-01\nvisibility: public\npublic_summary: A fresh one.\n---\n\n# Fresh policy\n\nNever committed capybara text.\n",
    )
    .unwrap();
    let run = check_json(root, &[]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let errors: Vec<Value> = run
        .findings()
        .into_iter()
        .filter(|f| f["severity"] == "error")
        .collect();
    assert_eq!(errors.len(), 1, "{}", run.stdout);
    assert_eq!(errors[0]["code"], "not-committed");
    assert_eq!(errors[0]["path"], "content/policies/new.md");
    // The same file under the default publishing is fine.
    edit(&root.join("content/site.yaml"), "  publish: approved\n", "");
    let run = check_json(root, &[]);
    assert_eq!(run.code, 0, "{}", run.stdout);
}

#[test]
fn a_shallow_clone_warns_and_shows_no_dates() {
    let origin = dated_repo();
    let holder = tempfile::tempdir().unwrap();
    let clone = holder.path().join("clone");
    let url = format!("file://{}", origin.root().display());
    git(
        holder.path(),
        &["clone", "-q", "--depth", "1", &url, clone.to_str().unwrap()],
    );
    assert_eq!(
        git(&clone, &["rev-parse", "--is-shallow-repository"]),
        "true"
    );

    let run = check_json(&clone, &[]);
    assert_eq!(run.code, 0, "a warning, not an error: {}", run.stdout);
    let shallow: Vec<Value> = run
        .findings()
        .into_iter()
        .filter(|f| f["code"] == "history-shallow")
        .collect();
    assert_eq!(shallow.len(), 1, "{}", run.stdout);
    assert_eq!(shallow[0]["severity"], "warning");
    assert_eq!(check_json(&clone, &["--strict"]).code, 1);

    build_ok(&clone, &[]);
    for (name, bytes) in files_under(&clone.join("public")) {
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("Last changed"), "public/{name} shows a date");
        assert!(
            !text.contains("#changed-"),
            "public/{name} has a change entry"
        );
        assert!(
            !text.contains("2026-10-20") && (name == "trust.json" || !text.contains("2026-10-19")),
            "public/{name} shows the shallow commit's date"
        );
    }
    let json: Value = serde_json::from_str(&read(&clone.join("public/trust.json"))).unwrap();
    for list in ["documents", "controls", "systems", "risks"] {
        for item in json[list].as_array().unwrap() {
            assert!(
                item["last_changed"].is_null(),
                "{list} {} has a last_changed from a shallow clone",
                item["url"]
            );
        }
    }
    for (name, bytes) in files_under(&clone.join("internal")) {
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains("<section class=\"history\""),
            "internal/{name} shows a history from a shallow clone"
        );
    }
}

#[test]
fn outside_git_there_are_no_dates_and_no_source() {
    let dir = good_site();
    let root = dir.path();
    assert_outside_git(root);
    let run = check_json(root, &[]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(run.codes().is_empty(), "{}", run.stdout);
    build_ok(root, &[]);
    for (name, bytes) in files_under(&root.join("public")) {
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("Last changed"), "public/{name} shows a date");
        assert!(
            !text.contains("#changed-"),
            "public/{name} has a change entry"
        );
    }
    let json: Value = serde_json::from_str(&read(&root.join("public/trust.json"))).unwrap();
    assert!(
        json.as_object().unwrap().contains_key("source") && json["source"].is_null(),
        "trust.json source is null outside git: {}",
        json["source"]
    );
    for list in ["documents", "controls", "systems", "risks"] {
        for item in json[list].as_array().unwrap() {
            assert!(item["last_changed"].is_null(), "{list}: {item}");
        }
    }
    for (name, bytes) in files_under(&root.join("internal")) {
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains("<section class=\"history\""),
            "internal/{name}"
        );
        assert!(!text.contains("uncommitted changes"), "internal/{name}");
    }
}

#[test]
fn no_git_inside_a_repository_builds_what_a_site_outside_git_builds() {
    let repo = dated_repo();
    let plain = good_site();
    // The plain copy needs the repository's final texts.
    copy_tree(&repo.root().join("content"), &plain.path().join("content"));
    assert_outside_git(plain.path());
    let run = check_json(repo.root(), &["--no-git"]);
    assert!(
        !run.codes()
            .iter()
            .any(|c| c.starts_with("history-") || c == "changed-after-approval"),
        "--no-git still reads the history: {}",
        run.stdout
    );
    build_ok(repo.root(), &["--no-git"]);
    build_ok(plain.path(), &[]);
    assert_same_files(&repo.root().join("public"), &plain.path().join("public"));
    assert_same_files(
        &repo.root().join("internal"),
        &plain.path().join("internal"),
    );
    let json: Value = serde_json::from_str(&read(&repo.root().join("public/trust.json"))).unwrap();
    assert!(json["source"].is_null(), "{}", json["source"]);
}

#[test]
fn no_git_is_an_option_of_check_build_and_serve() {
    for command in ["check", "build", "serve"] {
        let run = trustbook(&[command, "--help"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(
            run.stdout.contains("--no-git"),
            "`trustbook {command} --help` has no --no-git:\n{}",
            run.stdout
        );
    }
}

#[test]
fn sources_that_differ_from_head_say_uncommitted_changes_in_the_handbook() {
    let repo = dated_repo();
    let root = repo.root();
    append(
        &root.join("content/policies/other.md"),
        "\nA sentence not yet committed.\n",
    );
    fs::write(
        root.join("content/pages/contact.md"),
        "---\nid: PAGE-CONTACT\ntitle: Contact\n---\n\nWrite to us.\n",
    )
    .unwrap();
    build_ok(root, &[]);
    let internal = root.join("internal");
    for page in ["policies/other", "pages/contact"] {
        let html = read(&internal.join(page).join("index.html"));
        assert!(
            html.contains("uncommitted changes"),
            "internal/{page} does not say it has uncommitted changes"
        );
    }
    for page in [
        "policies/policy",
        "controls/acme-1",
        "systems/chatbot",
        "pages/about",
    ] {
        let html = read(&internal.join(page).join("index.html"));
        assert!(
            !html.contains("uncommitted changes"),
            "internal/{page} is committed but says uncommitted changes"
        );
    }
    for (name, bytes) in files_under(&root.join("public")) {
        assert!(
            !String::from_utf8_lossy(&bytes).contains("uncommitted changes"),
            "public/{name} mentions uncommitted changes"
        );
    }
    // Put back as HEAD has it: no longer uncommitted (a second build, reusing the cache).
    git(root, &["checkout", "--", "content/policies/other.md"]);
    build_ok(root, &[]);
    let html = read(&internal.join("policies/other/index.html"));
    assert!(
        !html.contains("uncommitted changes"),
        "restored file still uncommitted"
    );
    let html = read(&internal.join("pages/contact/index.html"));
    assert!(
        html.contains("uncommitted changes"),
        "untracked file no longer uncommitted"
    );
}

#[test]
fn a_new_commit_moves_the_dates_on_the_next_build() {
    let repo = dated_repo();
    let root = repo.root();
    build_ok(root, &[]);
    edit(
        &root.join("content/systems/chatbot.yaml"),
        "Does not handle refunds.",
        "Does not handle refunds or returns.",
    );
    let made = commit(
        root,
        "Chatbot limits mole-n1",
        "2026-11-02T09:00:00Z",
        "Jo Later",
    );
    build_ok(root, &[]);
    let page = read(&root.join("public/systems/chatbot/index.html"));
    assert!(
        page.contains(&last_changed_html("2026-11-02")),
        "stale date after a new commit"
    );
    let json: Value = serde_json::from_str(&read(&root.join("public/trust.json"))).unwrap();
    assert_eq!(json["source"]["commit"], Value::String(made.id.clone()));
    assert_eq!(json["source"]["committed_at"], "2026-11-02T09:00:00Z");
    let internal = read(&root.join("internal/systems/chatbot/index.html"));
    assert!(internal.contains(made.short()) && internal.contains(&made.subject));
}

#[test]
fn a_site_in_a_subfolder_of_the_repository_has_its_dates() {
    let holder = tempfile::tempdir().unwrap();
    let repo = holder.path();
    let site = repo.join("site");
    fs::create_dir_all(&site).unwrap();
    copy_tree(&fixtures().join("good"), &site);
    fs::write(repo.join("README.md"), "The governance repository.\n").unwrap();
    init_repo(repo);
    commit(repo, "Import", "2026-01-05T10:00:00Z", "Ada Quillfeather");
    edit(
        &site.join("content/policies/other.md"),
        "kept for two years.",
        "kept for at most two years.",
    );
    commit(
        repo,
        "Shorter retention",
        "2026-04-04T10:00:00Z",
        "Ada Quillfeather",
    );
    // A commit outside the site changes none of its dates.
    fs::write(repo.join("README.md"), "The governance repository, v2.\n").unwrap();
    let readme = commit(
        repo,
        "Readme only",
        "2026-05-05T10:00:00Z",
        "Ada Quillfeather",
    );
    build_ok(&site, &[]);
    let other = read(&site.join("public/policies/other/index.html"));
    assert!(
        other.contains(&last_changed_html("2026-04-04")),
        "other.md's date"
    );
    let policy = read(&site.join("public/policies/policy/index.html"));
    assert!(
        policy.contains(&last_changed_html("2026-01-05")),
        "policy.md's date"
    );
    for (name, bytes) in files_under(&site.join("public")) {
        if name == "trust.json" {
            continue;
        }
        assert!(
            !String::from_utf8_lossy(&bytes).contains("2026-05-05"),
            "public/{name} has the date of a commit outside the site"
        );
    }
    // trust.json names HEAD, whatever it changed; the documents keep their own dates.
    let json: Value = serde_json::from_str(&read(&site.join("public/trust.json"))).unwrap();
    assert_eq!(json["source"]["commit"], Value::String(readme.id.clone()));
    assert_eq!(json["source"]["committed_at"], "2026-05-05T10:00:00Z");
    for item in json["documents"].as_array().unwrap() {
        assert_ne!(item["last_changed"], "2026-05-05", "{item}");
    }
}

#[test]
fn the_same_commit_builds_byte_identical_public_sites_in_separate_clones() {
    let origin = dated_repo();
    let holder = tempfile::tempdir().unwrap();
    let url = format!("file://{}", origin.root().display());
    let first = holder.path().join("first");
    let second = holder.path().join("second-clone");
    git(
        holder.path(),
        &["clone", "-q", &url, first.to_str().unwrap()],
    );
    // The second clone is made later, so its files have other times.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    git(
        holder.path(),
        &["clone", "-q", &url, second.to_str().unwrap()],
    );
    assert_eq!(git(&first, &["rev-parse", "HEAD"]), origin.head().id);
    assert_eq!(git(&second, &["rev-parse", "HEAD"]), origin.head().id);
    build_ok(&first, &[]);
    build_ok(&second, &[]);
    build_ok(origin.root(), &[]);
    let page = read(&first.join("public/policies/policy/index.html"));
    assert!(
        page.contains(&last_changed_html("2026-03-10")),
        "the clone is built with its history"
    );
    assert_same_files(&first.join("public"), &second.join("public"));
    assert_same_files(&first.join("public"), &origin.root().join("public"));
    // Building again in the same clone changes nothing either.
    build_ok(&first, &[]);
    assert_same_files(&first.join("public"), &second.join("public"));
}

#[test]
fn a_merge_commit_does_not_date_the_files_it_brings_in() {
    let dir = good_site();
    let root = dir.path();
    init_repo(root);
    commit(root, "Import", "2026-01-05T10:00:00Z", "Ada Quillfeather");
    git(root, &["checkout", "-q", "-b", "feature"]);
    edit(
        &root.join("content/policies/other.md"),
        "kept for two years.",
        "kept for three years.",
    );
    let feature = commit(
        root,
        "Feature edit",
        "2026-02-01T10:00:00Z",
        "Bruno Vantongeren",
    );
    git(root, &["checkout", "-q", "main"]);
    edit(
        &root.join("content/systems/chatbot.yaml"),
        "Does not handle refunds.",
        "Does not handle refunds or returns.",
    );
    commit(root, "Main edit", "2026-03-01T10:00:00Z", "Chen Oyelaran");
    let output = git_command(root)
        .args(["merge", "-q", "--no-ff", "-m", "Merge feature", "feature"])
        .env("GIT_AUTHOR_NAME", "Dana Nachtigall")
        .env("GIT_AUTHOR_EMAIL", "dana@authors.example.org")
        .env("GIT_AUTHOR_DATE", "2026-04-01T10:00:00Z")
        .env("GIT_COMMITTER_NAME", COMMITTER)
        .env("GIT_COMMITTER_EMAIL", COMMITTER_EMAIL)
        .env("GIT_COMMITTER_DATE", "2026-04-01T10:00:00Z")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    build_ok(root, &[]);
    // As `git log -- FILE` has it: the merge changed neither file relative to the history
    // that brought the change.
    let other = read(&root.join("public/policies/other/index.html"));
    assert!(
        other.contains(&last_changed_html("2026-02-01")),
        "other.md dated by the merge"
    );
    let chatbot = read(&root.join("public/systems/chatbot/index.html"));
    assert!(
        chatbot.contains(&last_changed_html("2026-03-01")),
        "chatbot dated by the merge"
    );
    let internal = read(&root.join("internal/policies/other/index.html"));
    let history = section(&internal, "history").expect("a history section");
    assert!(history.contains(feature.short()), "{history}");
    assert!(!history.contains("Merge feature"), "{history}");
    let feed = read(&root.join("public/feed.xml"));
    assert!(
        !feed.contains("#changed-2026-04-01"),
        "a feed entry for the merge"
    );
}

#[test]
fn rewritten_history_is_read_afresh_after_a_cached_build() {
    let dir = good_site();
    let root = dir.path();
    init_repo(root);
    let import = commit(root, "Import", "2026-01-05T10:00:00Z", "Ada Quillfeather");
    edit(
        &root.join("content/policies/other.md"),
        "kept for two years.",
        "kept for three years.",
    );
    let dropped = commit(
        root,
        "Dropped edit",
        "2026-02-01T10:00:00Z",
        "Bruno Vantongeren",
    );
    build_ok(root, &[]);
    let other = read(&root.join("public/policies/other/index.html"));
    assert!(other.contains(&last_changed_html("2026-02-01")));
    // The commit is thrown away and another made in its place.
    git(root, &["reset", "-q", "--hard", &import.id]);
    edit(
        &root.join("content/systems/chatbot.yaml"),
        "Customer support",
        "Customer care",
    );
    let kept = commit(root, "Kept edit", "2026-05-01T10:00:00Z", "Chen Oyelaran");
    build_ok(root, &[]);
    let other = read(&root.join("public/policies/other/index.html"));
    assert!(
        other.contains(&last_changed_html("2026-01-05")),
        "a commit no longer in the history still dates other.md"
    );
    let chatbot = read(&root.join("public/systems/chatbot/index.html"));
    assert!(chatbot.contains(&last_changed_html("2026-05-01")));
    let internal = read(&root.join("internal/policies/other/index.html"));
    assert!(
        !internal.contains(dropped.short()),
        "the dropped commit is still listed"
    );
    let json: Value = serde_json::from_str(&read(&root.join("public/trust.json"))).unwrap();
    assert_eq!(json["source"]["commit"], Value::String(kept.id.clone()));
}

// Regressions from an adversarial review: where the approving commit cannot be known for
// certain, `publish: approved` refuses to build rather than publish a guess.

/// An approved-only site whose policy was approved, then edited with `CANARY` unapproved.
fn approved_then_edited() -> (TempDir, Made, Made) {
    let dir = approved_only_site();
    let root = dir.path();
    init_repo(root);
    let approving = commit(root, "Approve", "2026-01-20T10:00:00Z", "Gus Approver");
    append(
        &root.join("content/policies/policy.md"),
        "\nCANARY sentence.\n",
    );
    let edit = commit(
        root,
        "Unapproved edit",
        "2026-02-10T10:00:00Z",
        "Hana Tinkerer",
    );
    (dir, approving, edit)
}

fn assert_refused(root: &Path, why: &str) {
    let run = build(root, &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("error[not-committed]"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains(why), "{}", run.stderr);
    assert!(!root.join("public").exists(), "nothing is written");
}

#[test]
fn a_blob_missing_from_the_clone_refuses_instead_of_publishing_newer_text() {
    let (dir, _, _) = approved_then_edited();
    let source = dir.path();
    git(source, &["config", "uploadpack.allowFilter", "true"]);
    let clone = tempfile::tempdir().unwrap();
    let url = format!("file://{}", source.display());
    git(
        clone.path(),
        &[
            "clone",
            "-q",
            "--filter=blob:none",
            "--no-local",
            &url,
            "site",
        ],
    );
    assert_refused(
        &clone.path().join("site"),
        "cannot be read from the repository",
    );
}

#[test]
fn a_merge_after_the_approval_refuses() {
    let dir = approved_only_site();
    let root = dir.path();
    init_repo(root);
    commit(root, "Base", "2026-01-05T10:00:00Z", "Gus Approver");
    git(root, &["checkout", "-q", "-b", "feature"]);
    edit(
        &root.join("content/policies/policy.md"),
        "approved_on: 2026-01-15",
        "approved_on: 2026-02-01",
    );
    commit(
        root,
        "Approve again",
        "2026-02-01T10:00:00Z",
        "Gus Approver",
    );
    git(root, &["checkout", "-q", "main"]);
    append(
        &root.join("content/policies/policy.md"),
        "\nCANARY sentence.\n",
    );
    commit(
        root,
        "Edit on main",
        "2026-02-10T10:00:00Z",
        "Hana Tinkerer",
    );
    let merged = git_command(root)
        .args(["merge", "-q", "--no-ff", "-m", "Merge", "feature"])
        .env("GIT_AUTHOR_DATE", "2026-02-12T10:00:00Z")
        .env("GIT_COMMITTER_DATE", "2026-02-12T10:00:00Z")
        .output()
        .unwrap();
    assert!(
        merged.status.success(),
        "{}",
        String::from_utf8_lossy(&merged.stderr)
    );
    assert!(read(&root.join("content/policies/policy.md")).contains("CANARY"));
    assert_refused(root, "merge");
}

#[test]
fn a_commit_dated_before_its_parent_is_still_after_it() {
    let dir = approved_only_site();
    let root = dir.path();
    init_repo(root);
    commit(root, "Approve", "2026-03-20T10:00:00Z", "Gus Approver");
    append(
        &root.join("content/policies/policy.md"),
        "\nCANARY sentence.\n",
    );
    // A machine whose clock ran ten days behind.
    let head = commit(
        root,
        "Edit, clock behind",
        "2026-03-10T10:00:00Z",
        "Hana Tinkerer",
    );
    let run = build_ok(root, &[]);
    assert!(
        run.stderr.contains("changed-after-approval"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains(head.short()), "{}", run.stderr);
    for (name, bytes) in files_under(&root.join("public")) {
        assert!(
            !String::from_utf8_lossy(&bytes).contains("CANARY"),
            "public/{name}"
        );
    }
    let trust: serde_json::Value =
        serde_json::from_str(&read(&root.join("public/trust.json"))).unwrap();
    assert_eq!(
        trust["source"]["commit"],
        serde_json::Value::String(head.id)
    );
}

/// Renames `policy.md` to `renamed.md`, and the links to it.
fn rename_policy(root: &Path) {
    fs::rename(
        root.join("content/policies/policy.md"),
        root.join("content/policies/renamed.md"),
    )
    .unwrap();
    for linking in LINKS_TO_POLICY {
        edit(&root.join(linking), "policy.md", "renamed.md");
    }
}

fn assert_no_canary(root: &Path) {
    for (name, bytes) in files_under(&root.join("public")) {
        assert!(
            !String::from_utf8_lossy(&bytes).contains("CANARY"),
            "public/{name} has text no commit approved"
        );
    }
}

#[test]
fn a_rename_that_also_edits_publishes_the_text_approved_before_it() {
    let dir = approved_only_site();
    let root = dir.path();
    init_repo(root);
    let approving = commit(root, "Approve", "2026-01-20T10:00:00Z", "Gus Approver");
    rename_policy(root);
    append(
        &root.join("content/policies/renamed.md"),
        "\nCANARY sentence.\n",
    );
    commit(
        root,
        "Rename and edit",
        "2026-02-10T10:00:00Z",
        "Hana Tinkerer",
    );
    let run = build_ok(root, &[]);
    assert!(
        run.stderr.contains("changed-after-approval"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains(approving.short()), "{}", run.stderr);
    assert!(read(&root.join("public/policies/renamed/index.html")).contains("AI Policy"));
    assert_no_canary(root);
}

#[test]
fn a_rename_after_an_unapproved_edit_does_not_approve_it() {
    let dir = approved_only_site();
    let root = dir.path();
    init_repo(root);
    commit(root, "Approve", "2026-01-20T10:00:00Z", "Gus Approver");
    append(
        &root.join("content/policies/policy.md"),
        "\nCANARY sentence.\n",
    );
    commit(
        root,
        "Unapproved edit",
        "2026-02-01T10:00:00Z",
        "Hana Tinkerer",
    );
    rename_policy(root);
    commit(root, "Rename only", "2026-02-10T10:00:00Z", "Hana Tinkerer");
    let run = build_ok(root, &[]);
    assert!(
        run.stderr.contains("changed-after-approval"),
        "{}",
        run.stderr
    );
    assert_no_canary(root);
}

#[test]
fn a_status_round_trip_is_not_an_approval() {
    let dir = approved_only_site();
    let root = dir.path();
    init_repo(root);
    commit(root, "Approve", "2026-01-20T10:00:00Z", "Gus Approver");
    let policy = root.join("content/policies/policy.md");
    edit(&policy, "status: approved", "status: in_review");
    append(&policy, "\nCANARY sentence.\n");
    commit(
        root,
        "Edit in review",
        "2026-02-01T10:00:00Z",
        "Hana Tinkerer",
    );
    edit(&policy, "status: in_review", "status: approved");
    commit(
        root,
        "Back to approved",
        "2026-02-10T10:00:00Z",
        "Hana Tinkerer",
    );
    let run = build_ok(root, &[]);
    assert!(
        run.stderr.contains("changed-after-approval"),
        "{}",
        run.stderr
    );
    assert_no_canary(root);
}

#[test]
fn a_rename_alone_keeps_the_approval() {
    let dir = approved_only_site();
    let root = dir.path();
    init_repo(root);
    commit(root, "Approve", "2026-01-20T10:00:00Z", "Gus Approver");
    fs::rename(
        root.join("content/policies/policy.md"),
        root.join("content/policies/renamed.md"),
    )
    .unwrap();
    for linking in LINKS_TO_POLICY {
        edit(&root.join(linking), "policy.md", "renamed.md");
    }
    commit(root, "Rename", "2026-02-10T10:00:00Z", "Hana Tinkerer");
    let run = build(root, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn an_approving_version_that_does_not_load_refuses() {
    let dir = approved_only_site();
    let root = dir.path();
    init_repo(root);
    let policy = root.join("content/policies/policy.md");
    commit(root, "Approve", "2026-01-20T10:00:00Z", "Gus Approver");
    edit(
        &policy,
        "approved_on: 2026-01-15",
        "approved_on: 2026-02-01\nowner: [Broken",
    );
    commit(
        root,
        "Approve again, with a typo",
        "2026-02-01T10:00:00Z",
        "Gus Approver",
    );
    edit(&policy, "\nowner: [Broken", "");
    append(&policy, "\nCANARY sentence.\n");
    commit(
        root,
        "Fix the typo, and more",
        "2026-02-10T10:00:00Z",
        "Hana Tinkerer",
    );
    assert_refused(root, "does not load");
}

#[test]
fn a_commit_dated_in_the_future_is_not_stated_as_a_change() {
    let dir = good_site();
    let root = dir.path();
    init_repo(root);
    commit(root, "Import", "2026-01-20T10:00:00Z", "Gus Approver");
    append(&root.join("content/policies/policy.md"), "\nMore.\n");
    commit(
        root,
        "From the future",
        "2027-05-01T10:00:00Z",
        "Hana Tinkerer",
    );
    let run = build_ok(root, &[]);
    assert!(
        run.stderr.contains("warning[history-date-in-future]"),
        "{}",
        run.stderr
    );
    for (name, bytes) in files_under(&root.join("public")) {
        assert!(
            !String::from_utf8_lossy(&bytes).contains("2027-05-01"),
            "public/{name}"
        );
    }
}

/// The sources of the good fixture that link to `policies/policy.md`.
const LINKS_TO_POLICY: [&str; 1] = ["content/pages/about.md"];

#[test]
fn under_publish_approved_a_page_is_published_as_last_committed() {
    let dir = approved_only_site();
    let root = dir.path();
    init_repo(root);
    commit(root, "Import", "2026-01-20T10:00:00Z", "Gus Approver");
    append(
        &root.join("content/pages/about.md"),
        "\nCANARY in progress.\n",
    );
    build_ok(root, &[]);
    assert_no_canary(root);
    assert!(read(&root.join("internal/pages/about/index.html")).contains("CANARY in progress."));
    fs::write(
        root.join("content/pages/new.md"),
        "---\nid: PAGE-NEW\ntitle: New\nvisibility: public\npublic_summary: New page.\n---\n\nCANARY new.\n",
    )
    .unwrap();
    fs::remove_dir_all(root.join("public")).unwrap();
    assert_refused(root, "never been committed");
}

#[test]
fn under_publish_approved_the_home_page_and_trust_json_show_the_approved_summary() {
    let (dir, _, _) = approved_then_edited();
    let root = dir.path();
    let policy = root.join("content/policies/policy.md");
    edit(&policy, "How we build and use AI.", "CANARY summary.");
    commit(
        root,
        "Unapproved summary",
        "2026-02-20T10:00:00Z",
        "Hana Tinkerer",
    );
    edit(&policy, "title: AI Policy", "title: AI Policy CANARY");
    // A restricted document: its title and summary are public too.
    let other = root.join("content/policies/other.md");
    edit(&other, "visibility: public", "visibility: restricted");
    commit(
        root,
        "Restrict the procedure",
        "2026-02-21T10:00:00Z",
        "Gus Approver",
    );
    edit(
        &other,
        "title: Data procedure",
        "title: Data procedure CANARY",
    );
    build_ok(root, &[]);
    assert_no_canary(root);
    let trust: serde_json::Value =
        serde_json::from_str(&read(&root.join("public/trust.json"))).unwrap();
    assert_eq!(
        trust["ai_policy"]["public_summary"],
        "How we build and use AI."
    );
}

#[test]
fn adding_an_internal_block_or_a_comment_is_not_a_public_change() {
    let dir = good_site();
    let root = dir.path();
    init_repo(root);
    commit(root, "Import", "2026-01-20T10:00:00Z", "Gus Approver");
    append(
        &root.join("content/policies/policy.md"),
        "\n<!-- internal -->\n\nStaff only.\n\n<!-- /internal -->\n\n<!-- a note -->\n",
    );
    commit(
        root,
        "Internal notes",
        "2026-02-20T10:00:00Z",
        "Hana Tinkerer",
    );
    build_ok(root, &[]);
    let page = read(&root.join("public/policies/policy/index.html"));
    assert!(page.contains(&last_changed_html("2026-01-20")), "{page}");
    assert!(!read(&root.join("public/feed.xml")).contains("2026-02-20"));
}

#[test]
fn under_publish_approved_an_uncommitted_page_edit_keeps_the_committed_date() {
    let dir = approved_only_site();
    let root = dir.path();
    init_repo(root);
    commit(root, "Import", "2026-01-20T10:00:00Z", "Gus Approver");
    append(
        &root.join("content/pages/about.md"),
        "\nCANARY in progress.\n",
    );
    build_ok(root, &[]);
    let page = read(&root.join("public/pages/about/index.html"));
    assert!(page.contains(&last_changed_html("2026-01-20")), "{page}");
    assert_no_canary(root);
}

/// A site brought into git after its SoA was approved: every control record is newer
/// than the approval in git, which is said as what it is, not as a change.
#[test]
fn an_soa_approved_before_the_repository_began_says_so() {
    let dir = good_site();
    let root = dir.path();
    edit(
        &root.join("content/site.yaml"),
        "public:\n",
        "soa:\n  version: \"1\"\n  approved_by: Board\n  approved_on: 2025-06-01\npublic:\n",
    );
    init_repo(root);
    commit(root, "Import", "2026-01-20T10:00:00Z", "Ivy Importer");
    let run = check_json(root, &[]);
    let warnings: Vec<Value> = (run.findings().into_iter())
        .filter(|f| f["code"] == "changed-after-approval")
        .collect();
    assert_eq!(warnings.len(), 1, "{}", run.stdout);
    let message = warnings[0]["message"].as_str().unwrap();
    assert!(
        message.contains("before this repository's first commit (2026-01-20)")
            && message.contains("cannot tell")
            && !message.contains("changed after"),
        "{message}"
    );
    // A record changed in a later commit is a change after the approval.
    edit(
        &root.join("content/controls/acme-1.yaml"),
        "Every model has a model card.",
        "Every model we ship has a model card.",
    );
    commit(
        root,
        "Narrow ACME-1",
        "2026-02-03T10:00:00Z",
        "Hana Tinkerer",
    );
    let run = check_json(root, &[]);
    let message = (run.findings().into_iter())
        .find(|f| f["code"] == "changed-after-approval")
        .map(|f| f["message"].as_str().unwrap().to_string())
        .unwrap();
    assert!(
        message.contains("changed after (the last on 2026-02-03)"),
        "{message}"
    );
}

#[test]
fn an_soa_whose_controls_changed_after_its_approval_is_warned_about_until_approved_again() {
    let dir = good_site();
    let root = dir.path();
    let config = root.join("content/site.yaml");
    edit(
        &config,
        "public:\n",
        "soa:\n  version: \"2\"\n  approved_by: Board\n  approved_on: 2026-01-20\npublic:\n",
    );
    init_repo(root);
    commit(
        root,
        "SoA version 2",
        "2026-01-20T10:00:00Z",
        "Gus Approver",
    );
    let run = check_json(root, &[]);
    assert!(
        !run.codes().iter().any(|c| c == "changed-after-approval"),
        "{}",
        run.stdout
    );

    edit(
        &root.join("content/controls/acme-1.yaml"),
        "Every model has a model card.",
        "Every model we ship has a model card.",
    );
    commit(
        root,
        "Narrow ACME-1",
        "2026-02-03T10:00:00Z",
        "Hana Tinkerer",
    );
    let run = check_json(root, &[]);
    let warnings: Vec<Value> = (run.findings().into_iter())
        .filter(|f| f["code"] == "changed-after-approval")
        .collect();
    assert_eq!(warnings.len(), 1, "{}", run.stdout);
    let message = warnings[0]["message"].as_str().unwrap();
    assert!(
        message.contains("version 2")
            && message.contains("ACME-1")
            && message.contains("2026-02-03"),
        "{message}"
    );
    assert_eq!(warnings[0]["path"], "content/site.yaml");
    build_ok(root, &[]);
    let soa = read(&root.join("internal/soa/index.html"));
    assert!(
        soa.contains("1 changed since the approval"),
        "the page says so too"
    );

    edit(
        &config,
        "approved_on: 2026-01-20",
        "approved_on: 2026-02-04",
    );
    commit(
        root,
        "SoA version 3",
        "2026-02-04T10:00:00Z",
        "Gus Approver",
    );
    let run = check_json(root, &[]);
    assert!(
        !run.codes().iter().any(|c| c == "changed-after-approval"),
        "{}",
        run.stdout
    );
}

/// Under `publish: approved`, an approved text whose title still said TODO is not
/// published, and `check` and the handbook say so, though the working copy is mended.
#[test]
fn publish_approved_withholds_an_approved_text_with_a_placeholder_and_says_so() {
    let dir = approved_only_site();
    let root = dir.path();
    let policy = root.join("content/policies/policy.md");
    edit(&policy, "title: AI Policy\n", "title: AI Policy TODO\n");
    init_repo(root);
    commit(
        root,
        "Import approved",
        "2026-01-20T10:00:00Z",
        "Gus Approver",
    );
    edit(&policy, "title: AI Policy TODO\n", "title: AI Policy\n");
    let check = check_json(root, &[]);
    let withheld: Vec<String> = (check.findings().iter())
        .filter(|f| {
            f["code"] == "public-not-published" && f["path"] == "content/policies/policy.md"
        })
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect();
    assert!(
        withheld
            .iter()
            .any(|m| m.contains("approved text") && m.contains("TODO")),
        "{}",
        check.stdout
    );
    build_ok(root, &[]);
    assert!(!root.join("public/policies/policy").exists());
    let internal = read(&root.join("internal/policies/policy/index.html"));
    assert!(
        !internal.contains("Published on the trust centre"),
        "the handbook says what the public site shows"
    );
}

/// A day that changed many things lists them as a reader looks for them: documents, then
/// systems, risks and controls; the home page's few latest changes show the policy first.
#[test]
fn the_latest_changes_of_a_day_list_documents_before_controls() {
    let dir = good_site();
    init_repo(dir.path());
    commit(dir.path(), "Everything", "2026-10-01T10:00:00Z", "Ada");
    build_ok(dir.path(), &[]);
    let home = read(&dir.path().join("public/index.html"));
    let changes = &home[home.find("id=\"changes\"").expect("a changes section")..];
    let changes = &changes[..changes.find("</section>").unwrap()];
    let first = |prefix: &str| changes.find(&format!("href=\"{prefix}"));
    // Five shown: the policies, the page, the system and the risk before any control.
    let policy = first("policies/").expect("a policy among the latest changes");
    assert!(
        first("systems/").is_some_and(|system| policy < system),
        "{changes}"
    );
    assert!(
        first("controls/").is_none_or(|control| first("risks/").unwrap() < control),
        "{changes}"
    );
}
