//! Suppliers and the AI-use card, as a customer and an auditor meet them: what the public
//! suppliers page, its feed, the system pages and `trust.json` say (and never say), and
//! what the handbook's register and `suppliers.csv` hold.

mod common;

use common::{build, copy_tree, files_under, site};
use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Canaries in every field the public may not read: none may reach `public/`.
const INTERNAL_ONLY: [&str; 8] = [
    "CANARY-OWNER",
    "CANARY-NOTES",
    "canary-dpa.example",
    "CANARY-EVIDENCE",
    "CANARY-HIDDEN-NAME",
    "CANARY-HIDDEN-SERVICE",
    "CANARY-RESTRICTED-SERVICE",
    "CANARY-OLD-FREE-TEXT",
];

use common::{read_text as read, write_file as write};

/// The good site with a public supplier (internal fields full of canaries), an internal
/// one and a restricted one; the public chatbot names all three.
fn supplier_site() -> tempfile::TempDir {
    let dir = site(None);
    let root = dir.path();
    write(
        root,
        "content/suppliers/model-provider.yaml",
        "id: SUP-1\nname: Example Model Provider Ltd\nservice: Hosted language model API\n\
         purpose: Drafts the chatbot's answers\nkind: ai-model-provider\n\
         data_categories: [Customer questions]\nlocations: [EU, US]\n\
         trains_on_customer_data: false\nretention: Deleted after 30 days\n\
         dpa: https://canary-dpa.example/signed.pdf\nsince: 2025-01-01\n\
         visibility: public\npublic_summary: Provides the chatbot's language model.\n\
         owner: CANARY-OWNER of procurement\nnext_review: 2027-01-15\nrisks: [R-1]\n\
         notes: CANARY-NOTES renegotiate in spring\nevidence:\n  - title: CANARY-EVIDENCE audit report\n    url: https://evidence.example/report\n",
    );
    write(
        root,
        "content/suppliers/hidden.yaml",
        "id: SUP-2\nname: CANARY-HIDDEN-NAME GmbH\nservice: CANARY-HIDDEN-SERVICE\n\
         purpose: Logs\nkind: tooling\ntrains_on_customer_data: false\nsince: 2025-01-01\n",
    );
    write(
        root,
        "content/suppliers/restricted.yaml",
        "id: SUP-3\nname: Example Restricted Partner\nservice: CANARY-RESTRICTED-SERVICE\n\
         purpose: Backups\nkind: hosting\ntrains_on_customer_data: false\nsince: 2025-01-01\n\
         visibility: restricted\npublic_summary: A backup provider, named on request.\n",
    );
    let system = read(&root.join("content/systems/chatbot.yaml")).replace(
        "suppliers: [SUP-1]",
        "suppliers: [SUP-1, SUP-2, SUP-3]\nsupplier: CANARY-OLD-FREE-TEXT",
    );
    write(root, "content/systems/chatbot.yaml", &system);
    dir
}

#[test]
fn no_internal_supplier_field_reaches_the_public_site() {
    let dir = supplier_site();
    let run = build(dir.path(), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("warning[supplier-not-public]")
            && run.stderr.contains("warning[deprecated-field]"),
        "{}",
        run.stderr
    );
    for (path, bytes) in files_under(&dir.path().join("public")) {
        let text = String::from_utf8_lossy(&bytes);
        for canary in INTERNAL_ONLY {
            assert!(!text.contains(canary), "public/{path} leaks {canary}");
        }
    }
    // The handbook has all of it.
    let internal: String = files_under(&dir.path().join("internal"))
        .into_iter()
        .map(|(_, b)| String::from_utf8_lossy(&b).into_owned())
        .collect();
    for canary in INTERNAL_ONLY {
        assert!(internal.contains(canary), "the handbook lacks {canary}");
    }
}

#[test]
fn the_system_card_names_public_suppliers_and_hides_the_rest() {
    let dir = supplier_site();
    assert_eq!(build(dir.path(), &[]).code, 0);
    let page = read(&dir.path().join("public/systems/chatbot/index.html"));
    assert!(
        page.contains(
            "href=\"../../suppliers/index.html#supplier-sup-1\">Example Model Provider Ltd</a>"
        ),
        "{page}"
    );
    assert!(page.contains("a third-party provider"), "{page}");
    assert!(page.contains("Example Restricted Partner"), "{page}");
    assert!(
        page.contains("Customer data used to train models</dt><dd>No"),
        "{page}"
    );
    assert!(
        page.contains("Conversations are kept for 90 days."),
        "{page}"
    );
    assert!(
        page.contains("Ask an agent instead of the chatbot."),
        "{page}"
    );
    assert!(page.contains("Example LLM"), "{page}");
    let suppliers = read(&dir.path().join("public/suppliers/index.html"));
    assert!(suppliers.contains("id=\"supplier-sup-1\""), "{suppliers}");
    assert!(
        !suppliers.contains("id=\"supplier-sup-3\""),
        "restricted is not a row"
    );
    let json: Value = serde_json::from_str(&read(&dir.path().join("public/trust.json"))).unwrap();
    let current = json["suppliers"]["current"].as_array().unwrap();
    assert_eq!(current.len(), 1, "{}", json["suppliers"]);
    assert_eq!(current[0]["name"], "Example Model Provider Ltd");
    assert_eq!(current[0]["dpa"], true, "only whether a DPA exists");
    assert_eq!(current[0]["trains_on_customer_data"], false);
    let restricted: Vec<&str> = (json["restricted"].as_array().unwrap().iter())
        .filter(|r| r["kind"] == "supplier")
        .map(|r| r["title"].as_str().unwrap())
        .collect();
    assert_eq!(restricted, ["Example Restricted Partner"]);
}

#[test]
fn the_register_and_csv_hold_every_supplier() {
    let dir = supplier_site();
    assert_eq!(build(dir.path(), &[]).code, 0);
    let csv = read(&dir.path().join("internal/suppliers.csv"));
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 3, "{csv}");
    let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let sup1 = rows.iter().find(|r| &r[0] == "SUP-1").unwrap();
    assert_eq!(
        &sup1[column("dpa")],
        "https://canary-dpa.example/signed.pdf"
    );
    assert_eq!(&sup1[column("systems")], "SYS-1");
    assert_eq!(&sup1[column("published_as")], "public");
    let page = read(&dir.path().join("internal/suppliers/sup-1/index.html"));
    assert!(page.contains("CANARY-NOTES"), "{page}");
    assert!(
        page.contains("systems/chatbot/index.html"),
        "used by: {page}"
    );
    let register = read(&dir.path().join("internal/suppliers/index.html"));
    assert!(
        register.contains("suppliers/sup-2/index.html"),
        "{register}"
    );
    let system = read(&dir.path().join("internal/systems/chatbot/index.html"));
    assert!(system.contains("suppliers/sup-1/index.html"), "{system}");
}

/// Builds `root` as of `today`.
fn build_on(root: &Path, today: &str) -> (i32, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_trustbook"))
        .args(["build", "--root", root.to_str().unwrap()])
        .env("TRUSTBOOK_TODAY", today)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// The good site with a second supplier announced to start on 2027-01-15 and the first
/// leaving on 2027-02-01.
fn changing_site() -> tempfile::TempDir {
    let dir = site(None);
    let root = dir.path();
    write(
        root,
        "content/suppliers/standby.yaml",
        "id: SUP-2\nname: Example Standby Cloud AB\nservice: Standby hosting\n\
         purpose: Keeps the chatbot running if the main region fails\nkind: hosting\n\
         locations: [SE]\ntrains_on_customer_data: false\nsince: 2027-01-15\n\
         visibility: public\npublic_summary: Standby hosting in Sweden.\n",
    );
    let first = read(&root.join("content/suppliers/model-provider.yaml"))
        .replace("since: 2025-01-01", "since: 2025-01-01\nuntil: 2027-02-01");
    write(root, "content/suppliers/model-provider.yaml", &first);
    let config = read(&root.join("content/site.yaml")) + "suppliers:\n  notice_days: 30\n";
    write(root, "content/site.yaml", &config);
    let system = read(&root.join("content/systems/chatbot.yaml"))
        .replace("suppliers: [SUP-1]", "suppliers: [SUP-1, SUP-2]");
    write(root, "content/systems/chatbot.yaml", &system);
    dir
}

#[test]
fn an_announced_supplier_is_upcoming_before_its_date_and_current_after() {
    let dir = changing_site();
    let (code, stderr) = build_on(dir.path(), "2026-11-27");
    assert_eq!(code, 0, "{stderr}");
    let json: Value = serde_json::from_str(&read(&dir.path().join("public/trust.json"))).unwrap();
    let names = |list: &str| -> Vec<String> {
        (json["suppliers"][list].as_array().unwrap().iter())
            .map(|s| s["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(names("upcoming"), ["Example Standby Cloud AB"]);
    assert_eq!(names("current"), ["Example Model Provider Ltd"]);
    let page = read(&dir.path().join("public/suppliers/index.html"));
    let upcoming = &page[page.find("id=\"upcoming\"").expect("an upcoming section")..];
    assert!(
        upcoming.contains("2027-01-15</time>: <a href=\"#supplier-sup-2\">Example Standby Cloud AB</a> starts processing data"),
        "{page}"
    );
    assert!(
        upcoming.contains("2027-02-01</time>: <a href=\"#supplier-sup-1\">Example Model Provider Ltd</a> stops processing data"),
        "{page}"
    );
    let home = read(&dir.path().join("public/index.html"));
    assert!(home.contains("2 changes announced"), "{home}");
    // Nor does the home page's card of the system.
    assert!(
        home.contains("Example Standby Cloud AB (from 2027-01-15)"),
        "{home}"
    );
    // The system card does not present the announced host as current.
    let card = read(&dir.path().join("public/systems/chatbot/index.html"));
    assert!(
        card.contains("Example Standby Cloud AB</a> (from 2027-01-15)"),
        "{card}"
    );
    assert!(
        !card.contains("Example Model Provider Ltd</a> (until"),
        "{card}"
    );

    // After both dates: the standby host is current, the first supplier has left.
    let (code, stderr) = build_on(dir.path(), "2027-03-01");
    assert_eq!(code, 0, "{stderr}");
    let json: Value = serde_json::from_str(&read(&dir.path().join("public/trust.json"))).unwrap();
    let list = |name: &str| json["suppliers"][name].as_array().unwrap().len();
    assert_eq!(
        (list("upcoming"), list("current"), list("ended")),
        (0, 1, 1)
    );
    assert_eq!(
        json["suppliers"]["current"][0]["name"],
        "Example Standby Cloud AB"
    );
    let page = read(&dir.path().join("public/suppliers/index.html"));
    assert!(
        !page.contains("id=\"upcoming\""),
        "nothing is upcoming: {page}"
    );
    let card = read(&dir.path().join("public/systems/chatbot/index.html"));
    assert!(
        card.contains("Example Model Provider Ltd</a> (until 2027-02-01)"),
        "{card}"
    );
    assert!(!card.contains("(from "), "{card}");
    let home = read(&dir.path().join("public/index.html"));
    assert!(
        home.contains("Example Model Provider Ltd (until 2027-02-01)") && !home.contains("(from "),
        "{home}"
    );
    assert!(
        page.contains("2027-02-01</time>: <a href=\"#supplier-sup-1\">Example Model Provider Ltd</a> stopped processing data"),
        "{page}"
    );
}

#[test]
fn the_suppliers_feed_is_atom_with_an_entry_per_change() {
    let dir = changing_site();
    let (code, stderr) = build_on(dir.path(), "2026-11-27");
    assert_eq!(code, 0, "{stderr}");
    let xml = read(&dir.path().join("public/suppliers/feed.xml"));
    let feed: atom_syndication::Feed = xml.parse().expect("suppliers/feed.xml is Atom");
    let titles: Vec<&str> = feed.entries().iter().map(|e| e.title().as_str()).collect();
    // Announced today (no git history): the two changes to come first (the later change
    // first, as a feed is newest first), then the past.
    assert_eq!(
        titles,
        [
            "Example Model Provider Ltd will stop on 2027-02-01",
            "Example Standby Cloud AB will start on 2027-01-15",
            "Example Model Provider Ltd added",
        ],
        "{xml}"
    );
    let ids: std::collections::HashSet<&str> = feed.entries().iter().map(|e| e.id()).collect();
    assert_eq!(ids.len(), 3, "entry ids are unique");
    for entry in feed.entries() {
        assert!(
            entry.links()[0]
                .href()
                .starts_with("https://trust.example.com/suppliers/index.html#supplier-sup-")
        );
    }
    assert_eq!(feed.updated().to_rfc3339(), "2026-11-27T00:00:00+00:00");
    // The pages say where to subscribe.
    let page = read(&dir.path().join("public/suppliers/index.html"));
    assert!(page.contains("href=\"../suppliers/feed.xml\""), "{page}");
    assert!(page.contains("at least 30 days before"), "{page}");
}

#[test]
fn a_site_without_public_suppliers_has_no_suppliers_page() {
    let dir = site(None);
    fs::remove_dir_all(dir.path().join("content/suppliers")).unwrap();
    let system =
        read(&dir.path().join("content/systems/chatbot.yaml")).replace("suppliers: [SUP-1]\n", "");
    write(dir.path(), "content/systems/chatbot.yaml", &system);
    let run = build(dir.path(), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!dir.path().join("public/suppliers").exists());
    let home = read(&dir.path().join("public/index.html"));
    assert!(
        !home.contains("suppliers/index.html"),
        "no link to a missing page"
    );
    // The handbook's register still says how to add one.
    let register = read(&dir.path().join("internal/suppliers/index.html"));
    assert!(register.contains("No suppliers are recorded"), "{register}");
}

fn git(dir: &Path, args: &[&str], date: &str) {
    let status = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_DATE", format!("{date}T10:00:00Z"))
        .env("GIT_COMMITTER_DATE", format!("{date}T10:00:00Z"))
        .env("GIT_AUTHOR_NAME", "Tester")
        .env("GIT_AUTHOR_EMAIL", "tester@example.com")
        .env("GIT_COMMITTER_NAME", "Tester")
        .env("GIT_COMMITTER_EMAIL", "tester@example.com")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .status()
        .unwrap();
    assert!(status.success(), "git {args:?}");
}

/// The good site in a folder of a temporary one (the repository's root is the site's),
/// with `extra` written over it, committed on `date`; with `notice_days: 30` if `notice`.
fn committed_site(
    notice: bool,
    extra: &[(&str, &str)],
    date: &str,
) -> (tempfile::TempDir, PathBuf) {
    let holder = tempfile::tempdir().unwrap();
    let root = holder.path().join("site");
    fs::create_dir_all(&root).unwrap();
    copy_tree(&common::fixtures().join("good"), &root);
    if notice {
        let config = read(&root.join("content/site.yaml")) + "suppliers:\n  notice_days: 30\n";
        write(&root, "content/site.yaml", &config);
    }
    for (path, text) in extra {
        write(&root, path, text);
    }
    git(&root, &["init", "-q", "-b", "main"], date);
    git(&root, &["add", "-A"], date);
    git(&root, &["commit", "-q", "-m", "Site"], date);
    (holder, root)
}

/// Commits on `committed_on` a public supplier, Example Late Host, starting on `since`.
fn announce_late_host(root: &Path, since: &str, committed_on: &str) {
    write(
        root,
        "content/suppliers/late.yaml",
        &format!(
            "id: SUP-2\nname: Example Late Host\nservice: Hosting\npurpose: Capacity\n\
             kind: hosting\ntrains_on_customer_data: false\nsince: {since}\n\
             visibility: public\npublic_summary: Extra capacity.\n"
        ),
    );
    git(root, &["add", "-A"], committed_on);
    git(
        root,
        &["commit", "-q", "-m", "Announce a host"],
        committed_on,
    );
}

#[test]
fn a_supplier_announced_later_than_the_promised_notice_is_a_warning() {
    let (_holder, root) = committed_site(true, &[], "2026-11-01");
    // Announced on 2026-11-20 to start on 2026-12-01: 11 days' notice, 30 promised.
    announce_late_host(&root, "2026-12-01", "2026-11-20");
    let run = common::check_json(&root);
    let notice = (run.findings().iter())
        .filter(|f| f["code"] == "short-notice")
        .count();
    assert_eq!(notice, 1, "{}", run.stdout);
    let finding = run
        .findings()
        .into_iter()
        .find(|f| f["code"] == "short-notice")
        .unwrap();
    assert_eq!(finding["path"], "content/suppliers/late.yaml");
    assert_eq!(finding["line"], 7);
    assert!(
        finding["message"]
            .as_str()
            .unwrap()
            .contains("11 days before it starts"),
        "{finding}"
    );
    // The feed dates the announcement by its commit, not the build.
    let run = build(&root, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let xml = read(&root.join("public/suppliers/feed.xml"));
    let feed: atom_syndication::Feed = xml.parse().unwrap();
    let late = (feed.entries().iter())
        .find(|e| e.title().as_str().starts_with("Example Late Host"))
        .unwrap();
    assert_eq!(late.updated().to_rfc3339(), "2026-11-20T00:00:00+00:00");
    // The page promises 30 days: it does not let the promise be read as kept for this one.
    let page = read(&root.join("public/suppliers/index.html"));
    assert!(
        page.contains("One supplier below was announced with less notice")
            && page.contains("Announced 2026-11-20, 11 days before its start, not 30"),
        "{page}"
    );
    // Announced with enough notice: no warning.
    let early = read(&root.join("content/suppliers/late.yaml")).replace("2026-12-01", "2026-12-21");
    write(&root, "content/suppliers/late.yaml", &early);
    git(&root, &["commit", "-q", "-am", "Later start"], "2026-11-21");
    let run = common::check_json(&root);
    assert!(
        !run.findings().iter().any(|f| f["code"] == "short-notice"),
        "{}",
        run.stdout
    );
    let run = build(&root, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let page = read(&root.join("public/suppliers/index.html"));
    assert!(
        page.contains("at least 30 days before") && !page.contains("less notice"),
        "{page}"
    );
}

/// Each supplier change is dated by the day customers could first read it: a supplier in
/// use before the site began was announced when its record was first committed (not on
/// its `since`, before the repository existed); its end, when `until` was committed; a
/// later change of its public text, on that day, and only that once.
#[test]
fn the_supplier_feed_dates_each_change_by_the_commit_that_published_it() {
    let (_holder, root) = committed_site(false, &[], "2026-11-01");
    let supplier = root.join("content/suppliers/model-provider.yaml");
    let ending =
        read(&supplier).replace("since: 2025-01-01", "since: 2025-01-01\nuntil: 2027-02-01");
    write(&root, "content/suppliers/model-provider.yaml", &ending);
    git(
        &root,
        &["commit", "-q", "-am", "Announce the end"],
        "2026-11-10",
    );
    let changed = read(&supplier).replace("after 30 days", "after 14 days");
    write(&root, "content/suppliers/model-provider.yaml", &changed);
    git(
        &root,
        &["commit", "-q", "-am", "Shorter retention"],
        "2026-11-15",
    );
    let run = build(&root, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let xml = read(&root.join("public/suppliers/feed.xml"));
    let feed: atom_syndication::Feed = xml.parse().unwrap();
    let mut entries: Vec<(String, String)> = (feed.entries().iter())
        .map(|e| {
            (
                e.title().as_str().to_string(),
                e.updated().date_naive().to_string(),
            )
        })
        .collect();
    entries.sort();
    assert_eq!(
        entries,
        [
            (
                "Example Model Provider Ltd added".to_string(),
                "2026-11-01".to_string()
            ),
            (
                "Example Model Provider Ltd changed".to_string(),
                "2026-11-15".to_string()
            ),
            (
                "Example Model Provider Ltd will stop on 2027-02-01".to_string(),
                "2026-11-10".to_string()
            ),
        ],
        "{xml}"
    );
    let trust: serde_json::Value =
        serde_json::from_str(&read(&root.join("public/trust.json"))).unwrap();
    let upcoming = &trust["suppliers"]["upcoming_changes"][0];
    assert_eq!(upcoming["announced"], "2026-11-10", "{upcoming}");
}

/// An end written while the supplier was marked internal was not announced that day: it
/// was announced when the supplier was shown again, with it.
#[test]
fn an_end_written_while_internal_is_announced_when_shown() {
    let (_holder, root) = committed_site(false, &[], "2026-10-01");
    let path = "content/suppliers/model-provider.yaml";
    let public = read(&root.join(path));
    let internal = public.replace("visibility: public", "visibility: internal");
    write(&root, path, &internal);
    git(&root, &["commit", "-q", "-am", "Hide"], "2026-10-10");
    let ending = "since: 2025-01-01\nuntil: 2027-02-01";
    write(&root, path, &internal.replace("since: 2025-01-01", ending));
    git(&root, &["commit", "-q", "-am", "End, hidden"], "2026-10-15");
    write(&root, path, &public.replace("since: 2025-01-01", ending));
    git(&root, &["commit", "-q", "-am", "Show"], "2026-11-01");
    let run = build(&root, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let trust: serde_json::Value =
        serde_json::from_str(&read(&root.join("public/trust.json"))).unwrap();
    let upcoming = &trust["suppliers"]["upcoming_changes"][0];
    assert_eq!(upcoming["announced"], "2026-11-01", "{upcoming}");
    let xml = read(&root.join("public/suppliers/feed.xml"));
    assert!(!xml.contains("2026-10-15"), "{xml}");
}

/// A supplier is named by its id: its file renamed after its end was announced, the end
/// keeps the day it was announced.
#[test]
fn a_supplier_renamed_after_its_end_was_announced_keeps_that_day() {
    let (_holder, root) = committed_site(false, &[], "2026-11-01");
    let path = "content/suppliers/model-provider.yaml";
    let ending = "since: 2025-01-01\nuntil: 2027-02-01";
    write(
        &root,
        path,
        &read(&root.join(path)).replace("since: 2025-01-01", ending),
    );
    git(
        &root,
        &["commit", "-q", "-am", "Announce the end"],
        "2026-11-10",
    );
    git(
        &root,
        &["mv", path, "content/suppliers/provider.yaml"],
        "2026-11-20",
    );
    git(&root, &["commit", "-q", "-m", "Rename"], "2026-11-20");
    let run = build(&root, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let trust: serde_json::Value =
        serde_json::from_str(&read(&root.join("public/trust.json"))).unwrap();
    let upcoming = &trust["suppliers"]["upcoming_changes"][0];
    assert_eq!(upcoming["change"], "ending", "{upcoming}");
    assert_eq!(upcoming["announced"], "2026-11-10", "{upcoming}");
    let xml = read(&root.join("public/suppliers/feed.xml"));
    assert!(!xml.contains("2026-11-20"), "{xml}");
}

/// A supplier first committed as internal is announced when it is made public: that day
/// dates its feed entry and counts for the promised notice.
#[test]
fn a_supplier_made_public_later_is_announced_the_day_it_was_made_public() {
    let record = "id: SUP-2\nname: Example Quiet Host\nservice: Hosting\npurpose: Capacity\n\
                  kind: hosting\ntrains_on_customer_data: false\nsince: 2026-12-10\n\
                  visibility: internal\npublic_summary: Extra capacity.\n";
    let (_holder, root) = committed_site(
        true,
        &[("content/suppliers/quiet.yaml", record)],
        "2026-10-01",
    );
    write(
        &root,
        "content/suppliers/quiet.yaml",
        &record.replace("visibility: internal", "visibility: public"),
    );
    git(&root, &["commit", "-q", "-am", "Announce"], "2026-11-20");
    let run = common::check_json(&root);
    let notice: Vec<String> = (run.findings().iter())
        .filter(|f| f["code"] == "short-notice")
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(notice.len(), 1, "{}", run.stdout);
    assert!(
        notice[0].contains("announced on 2026-11-20, 20 days"),
        "{notice:?}"
    );
    assert_eq!(build(&root, &[]).code, 0);
    let xml = read(&root.join("public/suppliers/feed.xml"));
    let feed: atom_syndication::Feed = xml.parse().unwrap();
    let quiet: Vec<(String, String)> = (feed.entries().iter())
        .filter(|e| e.title().as_str().starts_with("Example Quiet Host"))
        .map(|e| {
            (
                e.title().as_str().to_string(),
                e.updated().date_naive().to_string(),
            )
        })
        .collect();
    assert_eq!(
        quiet,
        [(
            "Example Quiet Host will start on 2026-12-10".to_string(),
            "2026-11-20".to_string()
        )],
        "{xml}"
    );
}

/// A supplier's file renamed after its announcement is the same supplier: it was announced
/// on the day it first was, so the rename neither breaks the promised notice nor dates
/// its feed entry.
#[test]
fn a_renamed_supplier_keeps_the_day_it_was_announced() {
    let (_holder, root) = committed_site(true, &[], "2026-10-01");
    // 31 days' notice: the promise holds.
    announce_late_host(&root, "2026-12-21", "2026-11-20");
    git(
        &root,
        &[
            "mv",
            "content/suppliers/late.yaml",
            "content/suppliers/hosting.yaml",
        ],
        "2026-12-01",
    );
    git(&root, &["commit", "-q", "-m", "Rename"], "2026-12-01");
    let run = common::check_json(&root);
    assert!(run.places("short-notice").is_empty(), "{}", run.stdout);
    assert_eq!(build(&root, &[]).code, 0);
    let xml = read(&root.join("public/suppliers/feed.xml"));
    let feed: atom_syndication::Feed = xml.parse().unwrap();
    let dates: Vec<String> = (feed.entries().iter())
        .filter(|e| e.title().as_str().starts_with("Example Late Host"))
        .map(|e| e.updated().date_naive().to_string())
        .collect();
    assert_eq!(dates, ["2026-11-20"], "{xml}");
}

/// Two suppliers' files swapped, or one renamed while a new supplier takes its old name:
/// each supplier keeps the day it was announced.
#[test]
fn suppliers_whose_files_are_swapped_keep_their_days() {
    let (_holder, root) = committed_site(true, &[], "2026-10-01");
    announce_late_host(&root, "2026-12-21", "2026-11-20");
    let suppliers = root.join("content/suppliers");
    let files: Vec<PathBuf> = (fs::read_dir(&suppliers).unwrap())
        .map(|e| e.unwrap().path())
        .collect();
    let other = files
        .iter()
        .find(|p| !p.ends_with("late.yaml"))
        .expect("another supplier")
        .clone();
    let late = suppliers.join("late.yaml");
    let (late_text, other_text) = (read(&late), read(&other));
    fs::write(&late, &other_text).unwrap();
    fs::write(&other, &late_text).unwrap();
    git(&root, &["commit", "-q", "-am", "Swap"], "2026-12-01");
    let run = common::check_json(&root);
    assert!(run.places("short-notice").is_empty(), "{}", run.stdout);
    assert_eq!(build(&root, &[]).code, 0);
    let xml = read(&root.join("public/suppliers/feed.xml"));
    assert!(!xml.contains("2026-12-01"), "{xml}");
    let page = read(&root.join("public/suppliers/index.html"));
    assert!(!page.contains("less notice"), "{page}");
}

/// A supplier that started the day the site began was already there: the site could not
/// have announced it earlier, so it broke no promise.
#[test]
fn a_supplier_in_use_the_day_the_site_began_gave_no_short_notice() {
    let record = "id: SUP-2\nname: Example Day-One Host\nservice: Hosting\npurpose: Capacity\n\
                  kind: hosting\ntrains_on_customer_data: false\nsince: 2026-10-01\n\
                  visibility: public\npublic_summary: Extra capacity.\n";
    let (_holder, root) = committed_site(
        true,
        &[("content/suppliers/day-one.yaml", record)],
        "2026-10-01",
    );
    let run = common::check_json(&root);
    assert!(run.places("short-notice").is_empty(), "{}", run.stdout);
}

/// A supplier that started after the site began, but was first published only after it
/// started, gave no notice at all: warned, like a short notice.
#[test]
fn a_supplier_announced_after_it_started_is_a_warning() {
    let (_holder, root) = committed_site(true, &[], "2026-10-01");
    announce_late_host(&root, "2026-11-10", "2026-11-20");
    let run = common::check_json(&root);
    let notice: Vec<(String, i64)> = run.places("short-notice");
    assert_eq!(
        notice,
        [("content/suppliers/late.yaml".to_string(), 7)],
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("announced only on 2026-11-20, 10 days later"),
        "{}",
        run.stdout
    );
    let run = build(&root, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let page = read(&root.join("public/suppliers/index.html"));
    assert!(
        page.contains("Announced 2026-11-20, after it started"),
        "{page}"
    );
    let trust = read(&root.join("public/trust.json"));
    assert!(trust.contains("\"short_notice\""), "{trust}");
}

#[test]
fn a_dpa_is_true_false_or_an_address_never_other_text() {
    for (written, refused) in [
        ("no", true),
        ("\"N/A\"", true),
        ("javascript:alert(1)", true),
        ("\"\"", true),
        ("false", false),
        ("https://legal.example/dpa", false),
    ] {
        let dir = site(None);
        let path = dir.path().join("content/suppliers/model-provider.yaml");
        let text = read(&path).replace("dpa: true", &format!("dpa: {written}"));
        fs::write(&path, text).unwrap();
        let run = common::check_json(dir.path());
        let bad: Vec<Value> = (run.findings().into_iter())
            .filter(|f| {
                f["code"] == "bad-value" && f["path"] == "content/suppliers/model-provider.yaml"
            })
            .collect();
        assert_eq!(!bad.is_empty(), refused, "dpa: {written}\n{}", run.stdout);
        if refused {
            assert_eq!(bad[0]["line"], 10, "{}", bad[0]);
            assert_eq!(run.code, 1);
        }
    }
}

#[test]
fn the_home_page_counts_every_current_supplier_without_naming_the_hidden_ones() {
    let dir = supplier_site();
    // The internal supplier trains on customer data: the page may not say none does.
    let hidden = dir.path().join("content/suppliers/hidden.yaml");
    let text = read(&hidden).replace(
        "trains_on_customer_data: false",
        "trains_on_customer_data: true",
    );
    fs::write(&hidden, text).unwrap();
    // The chatbot names it while saying it does not train: make it say nothing instead.
    let system = dir.path().join("content/systems/chatbot.yaml");
    let text = read(&system).replace("customer_data_used_for_training: false\n", "");
    fs::write(&system, text).unwrap();
    let run = build(dir.path(), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let home = read(&dir.path().join("public/index.html"));
    assert!(
        home.contains("3 companies process data for us today (2 listed here by name); 1 of them trains models on customer data."),
        "{home}"
    );
    assert!(!home.contains("CANARY-HIDDEN-NAME"));
    // The restricted one, named on the home page, is named on the suppliers page too, with
    // a request that says what is asked for.
    let page = read(&dir.path().join("public/suppliers/index.html"));
    assert!(
        page.contains(
            "The details of 1 more supplier processing data today are available on request:"
        ),
        "{page}"
    );
    assert!(page.contains("Example Restricted Partner"), "{page}");
    assert!(
        page.contains(
            "subject=Request%3A%20supplier%20details%2C%20Example%20Restricted%20Partner"
        ),
        "{page}"
    );
    assert!(
        home.contains(
            "subject=Request%3A%20supplier%20details%2C%20Example%20Restricted%20Partner"
        ),
        "{home}"
    );
    let json: Value = serde_json::from_str(&read(&dir.path().join("public/trust.json"))).unwrap();
    assert_eq!(json["suppliers"]["total_current"], 3);
    assert_eq!(json["suppliers"]["total_training"], 1);
}

/// A restricted supplier is offered for what it is: one still to start among the
/// upcoming changes, and one that has ended nowhere, not as processing data today.
#[test]
fn a_restricted_supplier_is_offered_as_current_only_while_it_is() {
    let dir = supplier_site();
    let root = dir.path();
    let restricted = |id: &str, name: &str, dates: &str| {
        format!(
            "id: {id}\nname: {name}\nservice: Storage\npurpose: Backups\nkind: hosting\n\
             trains_on_customer_data: false\n{dates}\nvisibility: restricted\n\
             public_summary: A storage provider.\n"
        )
    };
    let ended = restricted(
        "SUP-8",
        "Example Former Host",
        "since: 2024-01-01\nuntil: 2025-06-30",
    );
    write(root, "content/suppliers/former.yaml", &ended);
    let upcoming = restricted("SUP-9", "Example Future Host", "since: 2027-02-01");
    write(root, "content/suppliers/future.yaml", &upcoming);
    let run = build(root, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let public = files_under(&root.join("public"));
    for (name, bytes) in &public {
        let text = String::from_utf8_lossy(bytes);
        assert!(
            !text.contains("Example Former Host"),
            "an ended supplier in {name}"
        );
    }
    let page = read(&root.join("public/suppliers/index.html"));
    let current = page.split("<section id=\"current\"").nth(1).unwrap();
    let current = current.split("</section>").next().unwrap();
    assert!(current.contains("Example Restricted Partner"), "{current}");
    assert!(!current.contains("Example Future Host"), "{current}");
    let upcoming = page
        .split("<section id=\"upcoming\"")
        .nth(1)
        .expect("an upcoming section");
    let upcoming = upcoming.split("</section>").next().unwrap();
    assert!(upcoming.contains("Example Future Host"), "{upcoming}");
    let home = read(&root.join("public/index.html"));
    let row = home.split("Example Future Host").nth(1).unwrap();
    assert!(
        row.starts_with(" <span class=\"muted\">Not yet processing data</span>"),
        "{row}"
    );
}

#[test]
fn without_a_base_url_the_suppliers_feed_links_relative_to_itself() {
    let dir = changing_site();
    let config = dir.path().join("content/site.yaml");
    let text = read(&config).replace("base_url: \"https://trust.example.com/\"\n", "");
    fs::write(&config, text).unwrap();
    let (code, stderr) = build_on(dir.path(), "2026-11-27");
    assert_eq!(code, 0, "{stderr}");
    let xml = read(&dir.path().join("public/suppliers/feed.xml"));
    let feed: atom_syndication::Feed = xml.parse().unwrap();
    assert_eq!(feed.id(), "urn:trustbook:suppliers");
    for entry in feed.entries() {
        assert!(
            entry
                .id()
                .starts_with("urn:trustbook:suppliers:supplier-sup-"),
            "{xml}"
        );
        // Resolved against the feed's own address (`…/suppliers/feed.xml`).
        assert!(
            entry.links()[0]
                .href()
                .starts_with("index.html#supplier-sup-"),
            "{xml}"
        );
    }
}

/// A placeholder in what a public card shows, a list's item included, keeps the record
/// off the public site until it is written, as a placeholder summary does.
#[test]
fn placeholders_in_the_ai_use_card_and_supplier_lists_keep_them_unpublished() {
    let dir = site(None);
    let system = dir.path().join("content/systems/chatbot.yaml");
    let text = read(&system)
        .replace("models: [Example LLM]", "models: [TODO]")
        .replace(
            "opt_out: Ask an agent instead of the chatbot.",
            "opt_out: TBD",
        );
    fs::write(&system, text).unwrap();
    let supplier = dir.path().join("content/suppliers/model-provider.yaml");
    let text = read(&supplier).replace("locations: [EU]", "locations: [TBD]");
    fs::write(&supplier, text).unwrap();
    let run = common::check_json(dir.path());
    assert_eq!(
        run.places("public-not-published"),
        [
            ("content/suppliers/model-provider.yaml".to_string(), 7),
            ("content/systems/chatbot.yaml".to_string(), 17),
        ],
        "{}",
        run.stdout
    );
    assert_eq!(build(dir.path(), &[]).code, 0);
    let public = dir.path().join("public");
    for (path, bytes) in common::files_under(&public) {
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("TBD") && !text.contains("TODO"), "{path}");
    }
}
