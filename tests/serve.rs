//! `trustbook serve` against temp copies of the good fixture: a real server on a free
//! port, spoken to over loopback. Every wait is bounded.

mod common;

use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Server {
    child: Child,
    port: u16,
    site: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_on(site: tempfile::TempDir, port: u16) -> Result<Server, String> {
    start_with(site, port, &[])
}

fn start_with(site: tempfile::TempDir, port: u16, extra: &[&str]) -> Result<Server, String> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_trustbook"))
        .args([
            "serve",
            "--port",
            &port.to_string(),
            "--root",
            site.path().to_str().unwrap(),
        ])
        .args(extra)
        .env("TRUSTBOOK_TODAY", common::TODAY)
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let Some(address) = line.trim().strip_prefix("Serving on http://") else {
        let mut stderr = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        let status = child.wait().unwrap();
        return Err(format!("{status}: {stderr}"));
    };
    let port = address
        .trim_end_matches('/')
        .rsplit(':')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    Ok(Server { child, port, site })
}

fn start() -> Server {
    start_on(common::site(None), 0).unwrap()
}

struct Response {
    status: u16,
    headers: String,
    body: String,
}

/// A raw GET, so that paths reach the server exactly as written.
fn get(port: u16, path: &str) -> Response {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    Response {
        status,
        headers: head.to_lowercase(),
        body: body.to_string(),
    }
}

/// Polls until `test` holds for the page at `path` (at most 10 s).
fn eventually(port: u16, path: &str, test: impl Fn(&Response) -> bool) -> Response {
    let started = Instant::now();
    loop {
        let response = get(port, path);
        if test(&response) || started.elapsed() > Duration::from_secs(10) {
            return response;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn edit(root: &Path, file: &str, from: &str, to: &str) {
    let path = root.join("content").join(file);
    let text = fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{file} has no {from:?}");
    fs::write(&path, text.replace(from, to)).unwrap();
}

#[test]
fn serves_pages_and_files_with_their_types() {
    let server = start();
    let index = get(server.port, "/");
    assert_eq!(index.status, 200);
    assert!(
        index
            .headers
            .contains("content-type: text/html; charset=utf-8")
    );
    assert!(index.body.contains("Governance dashboard"));
    assert!(index.body.contains("<script src=\"/__trustbook/live.js\""));
    for (path, kind) in [
        ("/static/style.css", "text/css"),
        ("/static/search.js", "text/javascript"),
        ("/soa.csv", "text/csv"),
        ("/preview/trust.json", "application/json"),
        ("/preview/index.html", "text/html"),
        ("/__trustbook/live.js", "text/javascript"),
    ] {
        let response = get(server.port, path);
        assert_eq!(response.status, 200, "{path}");
        assert!(
            response.headers.contains(&format!("content-type: {kind}")),
            "{path}: {}",
            response.headers
        );
    }
    let folder = get(server.port, "/policies/policy");
    assert_eq!(folder.status, 301);
    assert!(folder.headers.contains("location: /policies/policy/"));
    let missing = get(server.port, "/no/such/page/");
    assert_eq!(missing.status, 404);
    assert!(missing.body.contains("Page not found"));
}

#[test]
fn nothing_outside_the_site_is_served() {
    let server = start();
    fs::write(server.site.path().join("secret.txt"), "SECRET").unwrap();
    for path in [
        "/../secret.txt",
        "/static/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E%2Fsecret.txt",
        "/static/..%2f..%2fsecret.txt",
        "/static/..%5c..%5csecret.txt",
        "/static\\..\\..\\secret.txt",
        "//secret.txt",
        "/content/site.yaml",
        "/../content/site.yaml",
    ] {
        let response = get(server.port, path);
        assert_eq!(response.status, 404, "{path}");
        assert!(
            !response.body.contains("SECRET") && !response.body.contains("organisation:"),
            "{path}"
        );
    }
}

#[test]
fn an_edit_is_served_and_open_pages_are_told() {
    let server = start();
    let generation: u64 = get(server.port, "/__trustbook/wait?since=999")
        .body
        .trim()
        .parse()
        .unwrap();
    edit(
        server.site.path(),
        "policies/other.md",
        "# Data procedure",
        "# Data procedure, edited",
    );
    let page = eventually(server.port, "/policies/other/", |r| {
        r.body.contains("Data procedure, edited")
    });
    assert!(page.body.contains("Data procedure, edited"));
    let now: u64 = get(
        server.port,
        &format!("/__trustbook/wait?since={generation}"),
    )
    .body
    .trim()
    .parse()
    .unwrap();
    assert!(
        now > generation,
        "the wait endpoint reports the new generation"
    );
}

#[test]
fn polling_sees_edits_too() {
    let server = start_with(common::site(None), 0, &["--poll"]).unwrap();
    edit(
        server.site.path(),
        "policies/other.md",
        "two years",
        "POLLED-EDIT",
    );
    let page = eventually(server.port, "/policies/other/", |r| {
        r.body.contains("POLLED-EDIT")
    });
    assert!(page.body.contains("POLLED-EDIT"));
}

#[test]
fn a_theme_folder_made_after_start_is_watched() {
    let server = start();
    let templates = server.site.path().join("themes/default/templates/internal");
    fs::create_dir_all(&templates).unwrap();
    // The folder's creation is one change; wait for its rebuild, then edit inside it.
    std::thread::sleep(Duration::from_millis(500));
    fs::write(
        templates.join("404.html"),
        "{% extends \"internal/base.html\" %}{% block main %}CUSTOM-MISS{% endblock %}",
    )
    .unwrap();
    let page = eventually(server.port, "/missing/", |r| r.body.contains("CUSTOM-MISS"));
    assert!(page.body.contains("CUSTOM-MISS"));
}

#[test]
fn a_content_folder_replaced_whole_is_watched_anew() {
    let server = start();
    let root = server.site.path();
    // As a checkout or a sync tool may do: the folder goes, a copy takes its place.
    let copy = root.join("content-copy");
    common::copy_tree(&root.join("content"), &copy);
    fs::remove_dir_all(root.join("content")).unwrap();
    fs::rename(&copy, root.join("content")).unwrap();
    // Wait for the rebuild of the replacement, then edit inside it.
    std::thread::sleep(Duration::from_millis(800));
    edit(root, "policies/other.md", "two years", "AFTER-REPLACE");
    let page = eventually(server.port, "/policies/other/", |r| {
        r.body.contains("AFTER-REPLACE")
    });
    assert!(
        page.body.contains("AFTER-REPLACE"),
        "an edit in the new content/ is not served"
    );
}

#[test]
fn a_save_during_the_first_build_is_not_lost() {
    let site = common::site(None);
    let root = site.path().to_path_buf();
    // Many pages make a first build long enough to save during it.
    for n in 0..400 {
        fs::write(
            root.join(format!("content/pages/filler-{n}.md")),
            format!("---\nid: PAGE-F{n}\ntitle: Filler {n}\n---\n\n# Filler {n}\n\nText.\n"),
        )
        .unwrap();
    }
    let saver = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(30));
        edit(&root, "policies/other.md", "two years", "EARLY-SAVE");
    });
    let server = start_on(site, 0).unwrap();
    saver.join().unwrap();
    let page = eventually(server.port, "/policies/other/", |r| {
        r.body.contains("EARLY-SAVE")
    });
    assert!(
        page.body.contains("EARLY-SAVE"),
        "a save made while the first build ran is not served"
    );
}

#[test]
fn a_save_by_rename_is_seen() {
    let server = start();
    let content = server.site.path().join("content/policies");
    let text = fs::read_to_string(content.join("other.md"))
        .unwrap()
        .replace("two years", "RENAMED-SAVE");
    // As vim and IntelliJ do: write a new file, then rename it over the original.
    fs::write(content.join(".other.md.tmp"), text).unwrap();
    fs::rename(content.join(".other.md.tmp"), content.join("other.md")).unwrap();
    let page = eventually(server.port, "/policies/other/", |r| {
        r.body.contains("RENAMED-SAVE")
    });
    assert!(page.body.contains("RENAMED-SAVE"));
}

#[test]
fn new_and_deleted_files_are_seen() {
    let server = start();
    let page = server.site.path().join("content/pages/new.md");
    fs::write(&page, "---\nid: PAGE-NEW\ntitle: A NEW PAGE\n---\nHello\n").unwrap();
    let response = eventually(server.port, "/pages/new/", |r| r.status == 200);
    assert!(response.body.contains("A NEW PAGE"));
    fs::remove_file(&page).unwrap();
    let response = eventually(server.port, "/pages/new/", |r| r.status == 404);
    assert_eq!(response.status, 404);
}

#[test]
fn a_broken_edit_keeps_the_last_good_page_and_shows_the_errors_until_fixed() {
    let server = start();
    let root = server.site.path();
    edit(root, "risks/r-1.yaml", "impact: 2", "impact: 9");
    let page = eventually(server.port, "/policies/policy/", |r| {
        r.body.contains("trustbook-errors")
    });
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("AI Policy"),
        "the last good page is still served"
    );
    assert!(
        page.body.contains("content/risks/r-1.yaml:7:9"),
        "{}",
        page.body
    );
    assert!(page.body.contains("out of range"));
    edit(root, "risks/r-1.yaml", "impact: 9", "impact: 2");
    let page = eventually(server.port, "/policies/policy/", |r| {
        !r.body.contains("trustbook-errors")
    });
    assert!(
        !page.body.contains("trustbook-errors"),
        "recovered after the fix"
    );
}

#[test]
fn a_template_error_is_shown_on_the_terminal_as_well_as_in_the_page() {
    let mut server = start();
    let templates = server.site.path().join("themes/default/templates/internal");
    fs::create_dir_all(&templates).unwrap();
    fs::write(
        templates.join("risk.html"),
        "{% extends \"internal/base.html\" %}{% block main %}{{ page.record.id | nosuchfilter }}{% endblock %}",
    )
    .unwrap();
    let page = eventually(server.port, "/policies/policy/", |r| {
        r.body.contains("trustbook-errors")
    });
    assert!(page.body.contains("nosuchfilter"), "{}", page.body);
    server.child.kill().unwrap();
    let mut stderr = String::new();
    (server.child.stderr.take().unwrap())
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(
        stderr.contains("error: template internal/risk.html") && stderr.contains("nosuchfilter"),
        "the terminal names the template and the error: {stderr}"
    );
}

#[test]
fn a_taken_port_is_a_plain_error() {
    let first = start();
    let second = start_on(common::site(None), first.port);
    let error = second.err().expect("the second server must not start");
    assert!(error.contains("exit status: 1"), "{error}");
    assert!(error.contains("already in use"), "{error}");
    assert!(!error.contains("panicked"));
}

#[test]
fn a_burst_of_requests_is_all_answered() {
    let server = start();
    // A few pages waiting for reloads must not hold up the others.
    let waiters: Vec<_> = (0..8)
        .map(|_| {
            let port = server.port;
            std::thread::spawn(move || get(port, "/__trustbook/wait?since=1").status)
        })
        .collect();
    let requests: Vec<_> = (0..64)
        .map(|i| {
            let port = server.port;
            let path = if i % 2 == 0 { "/" } else { "/static/style.css" };
            std::thread::spawn(move || get(port, path).status)
        })
        .collect();
    for request in requests {
        assert_eq!(request.join().unwrap(), 200);
    }
    edit(
        server.site.path(),
        "policies/other.md",
        "two years",
        "three years",
    );
    for waiter in waiters {
        assert_eq!(waiter.join().unwrap(), 200);
    }
}

/// Sends raw bytes and returns whatever comes back (bounded by a timeout).
fn raw(port: u16, bytes: &[u8]) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let _ = stream.write_all(bytes);
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).into_owned()
}

#[test]
fn malformed_and_oversized_requests_do_not_hurt_the_server() {
    let server = start();
    raw(server.port, b"\x00\x01\x02 garbage\r\n\r\n");
    raw(server.port, b"GET\r\n\r\n");
    raw(
        server.port,
        b"POST / HTTP/1.1\r\nContent-Length: 99999999\r\n\r\nshort",
    );
    let long_path = format!("GET /{} HTTP/1.1\r\nHost: x\r\n\r\n", "a".repeat(1 << 20));
    let answer = raw(server.port, long_path.as_bytes());
    assert!(
        !answer.starts_with("HTTP/1.1 200"),
        "a 1 MiB path is not a page"
    );
    let many_headers: String = (0..10_000).map(|i| format!("X-H{i}: v\r\n")).collect();
    raw(
        server.port,
        format!("GET / HTTP/1.1\r\n{many_headers}\r\n").as_bytes(),
    );
    assert_eq!(
        get(server.port, "/").status,
        200,
        "the server still answers"
    );
}

#[test]
fn a_slow_client_does_not_block_the_others() {
    let server = start();
    // Clients that start a request and never finish it.
    let stalled: Vec<TcpStream> = (0..8)
        .map(|_| {
            let mut stream = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
            stream.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n").unwrap();
            stream
        })
        .collect();
    let started = Instant::now();
    assert_eq!(get(server.port, "/static/style.css").status, 200);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "answered while others stall"
    );
    drop(stalled);
}

#[test]
fn many_connections_at_once_are_all_answered() {
    let server = start();
    let clients: Vec<_> = (0..200)
        .map(|i| {
            let port = server.port;
            std::thread::spawn(move || get(port, if i % 3 == 0 { "/soa.csv" } else { "/" }).status)
        })
        .collect();
    for client in clients {
        assert_eq!(client.join().unwrap(), 200);
    }
}

#[test]
fn requests_during_rebuilds_get_whole_pages() {
    let server = start();
    let port = server.port;
    let reader = std::thread::spawn(move || {
        let until = Instant::now() + Duration::from_secs(3);
        let mut seen = 0;
        while Instant::now() < until {
            let page = get(port, "/policies/other/");
            assert_eq!(page.status, 200);
            assert!(
                page.body.contains("</html>"),
                "a whole page, never half of one"
            );
            seen += 1;
        }
        seen
    });
    for i in 0..10 {
        edit(
            server.site.path(),
            "policies/other.md",
            "# Data procedure",
            &format!("# Data procedure {i}"),
        );
        edit(
            server.site.path(),
            "policies/other.md",
            &format!("# Data procedure {i}"),
            "# Data procedure",
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(reader.join().unwrap() > 10);
}

/// Runs git in `dir`, dated `date`.
fn git(dir: &Path, args: &[&str], date: &str) {
    common::git_at(dir, args, Some(date));
}

#[test]
fn a_save_is_marked_uncommitted_and_a_commit_re_dates_the_pages() {
    let site = common::site(None);
    let root = site.path().to_path_buf();
    fs::write(root.join(".gitignore"), "/.trustbook-cache/\n").unwrap();
    git(&root, &["init", "-q", "-b", "main"], "2026-01-05T10:00:00Z");
    git(&root, &["add", "-A"], "2026-01-05T10:00:00Z");
    git(&root, &["commit", "-qm", "Import"], "2026-01-05T10:00:00Z");
    let server = start_on(site, 0).unwrap();
    let page = "/pages/about/index.html";
    assert!(get(server.port, page).body.contains("Import"));
    edit(&root, "pages/about.md", "Read our", "Please read our");
    let saved = eventually(server.port, page, |r| {
        r.body.contains("uncommitted changes")
    });
    assert!(saved.body.contains("uncommitted changes"), "{}", saved.body);
    // A commit changes no watched file: HEAD is polled.
    git(
        &root,
        &["commit", "-qam", "Retitle the about page"],
        "2026-02-07T10:00:00Z",
    );
    let committed = eventually(server.port, page, |r| {
        r.body.contains("Retitle the about page")
    });
    assert!(committed.body.contains("2026-02-07"), "{}", committed.body);
    assert!(
        !committed.body.contains("uncommitted changes"),
        "{}",
        committed.body
    );
}

/// A change no event reports (here, a write through a second name made while serving,
/// from outside the site) is found when `serve` is idle, by looking at every file read.
#[test]
fn a_change_the_watcher_does_not_report_is_found_when_idle() {
    let site = common::site(None);
    // Old enough to be kept between loads, not read again at each.
    let hour_ago = std::time::SystemTime::now() - Duration::from_secs(3600);
    for folder in ["risks", "policies", "controls"] {
        for entry in fs::read_dir(site.path().join("content").join(folder)).unwrap() {
            let file = fs::File::options().write(true).open(entry.unwrap().path());
            file.unwrap().set_modified(hour_ago).unwrap();
        }
    }
    let server = start_on(site, 0).unwrap();
    let outside = tempfile::tempdir().unwrap();
    let other_name = outside.path().join("r-2.yaml");
    let risk = server.site.path().join("content/risks/r-2.yaml");
    assert!(eventually(server.port, "/risks/r-2/", |r| r.status == 200).status == 200);
    fs::hard_link(&risk, &other_name).unwrap();
    let text = fs::read_to_string(&other_name).unwrap();
    // Written through the other name, which no watched folder holds: is it served?
    let written_unreported = |title: &str| {
        fs::write(&other_name, text.replace("Vendor outage", title)).unwrap();
        let page = eventually(server.port, "/risks/r-2/", |r| r.body.contains(title));
        assert!(page.body.contains(title), "{}", page.body);
    };
    written_unreported("UNREPORTED-TITLE");
    // Later while idle, after the look that followed that build found nothing: looked at
    // again, not only once per build.
    std::thread::sleep(Duration::from_millis(1500));
    written_unreported("SECOND-UNREPORTED");
}
