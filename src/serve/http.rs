//! Answering requests from the snapshot in memory. A URL maps to a key of the built site
//! or to nothing: the file system is never touched, so no path can reach outside the site.

use super::state::{Served, State};
use crate::html::escape;
use std::sync::Arc;
use std::time::Duration;

const LIVE_JS: &str = include_str!("live.js");
const OVERLAY_CSS: &str = include_str!("overlay.css");
/// Long enough to keep requests few, short enough for proxies not to cut the connection.
const WAIT: Duration = Duration::from_secs(25);

#[derive(Debug, PartialEq)]
pub enum Route {
    /// A file of the built site, by its key (`policies/x/index.html`).
    File(String),
    /// A folder asked for without its trailing slash: relative links need the slash.
    Redirect(String),
    LiveScript,
    OverlayStyle,
    /// Wait for a generation other than this one.
    Wait(u64),
    NotFound,
}

/// The path as the file system would name it; `None` when it is not UTF-8 (no file of a
/// site is named so) or has a malformed escape.
fn percent_decode(text: &str) -> Option<String> {
    let malformed = text.match_indices('%').any(|(i, _)| {
        !text
            .get(i + 1..i + 3)
            .is_some_and(|hex| hex.bytes().all(|b| b.is_ascii_hexdigit()))
    });
    if malformed {
        return None;
    }
    percent_encoding::percent_decode_str(text)
        .decode_utf8()
        .ok()
        .map(|text| text.into_owned())
}

/// Where a request URL leads. Anything that could climb out of the site (`..`, encoded
/// or not, backslashes, NUL, a drive or an absolute path inside the path) is not found.
pub fn route(url: &str, files: &super::state::Files) -> Route {
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    match path {
        "/__trustbook/live.js" => return Route::LiveScript,
        "/__trustbook/overlay.css" => return Route::OverlayStyle,
        "/__trustbook/wait" => {
            let since = query
                .split('&')
                .find_map(|p| p.strip_prefix("since="))
                .and_then(|n| n.parse().ok());
            return Route::Wait(since.unwrap_or(0));
        }
        _ => {}
    }
    let Some(decoded) = percent_decode(path) else {
        return Route::NotFound;
    };
    let Some(relative) = decoded.strip_prefix('/') else {
        return Route::NotFound;
    };
    let unsafe_part = |part: &str| part == ".." || part == "." || part.contains(['\\', '\0', ':']);
    if relative.starts_with('/') || relative.split('/').any(unsafe_part) || relative.contains("//")
    {
        return Route::NotFound;
    }
    let key = if relative.is_empty() || relative.ends_with('/') {
        format!("{relative}index.html")
    } else {
        relative.to_string()
    };
    if files.contains_key(&key) {
        Route::File(key)
    } else if files.contains_key(&format!("{key}/index.html")) {
        Route::Redirect(format!("{path}/"))
    } else {
        Route::NotFound
    }
}

pub fn content_type(key: &str) -> &'static str {
    match key.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml",
        "txt" => "text/plain; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "pdf" => "application/pdf",
        "woff2" => "font/woff2",
        _ => "application/octet-stream",
    }
}

/// The live-reload script, and the findings while the last build failed, added to an
/// HTML page. Only `serve` does this; `build` output never has them.
pub fn inject(html: &[u8], served: &Served) -> Vec<u8> {
    let html = String::from_utf8_lossy(html);
    let overlay = match &served.errors {
        Some(errors) => format!(
            "<link rel=\"stylesheet\" href=\"/__trustbook/overlay.css\"><div id=\"trustbook-errors\" role=\"alert\"><p><strong>{}</strong></p><pre>{}</pre></div>",
            match served.files.is_empty() {
                true =>
                    "The site has errors, so nothing is built yet: fix them and save, and the site appears here.",
                false =>
                    "The last change has errors. This page shows the last good build; fix the errors and save to update it.",
            },
            escape(errors)
        ),
        None => String::new(),
    };
    let script = format!(
        "{overlay}<script src=\"/__trustbook/live.js\" data-generation=\"{}\"></script>",
        served.generation
    );
    match html.rfind("</body>") {
        Some(at) => format!("{}{script}{}", &html[..at], &html[at..]).into_bytes(),
        None => format!("{html}{script}").into_bytes(),
    }
}

/// An answer to one request.
pub struct Reply {
    pub status: u16,
    pub content_type: &'static str,
    pub location: Option<String>,
    pub body: Vec<u8>,
}

impl Reply {
    fn new(status: u16, content_type: &'static str, body: Vec<u8>) -> Self {
        Reply {
            status,
            content_type,
            location: None,
            body,
        }
    }
}

/// The page for a miss: the site's own 404 page, or a plain one while there is none.
fn not_found(served: &Served) -> Reply {
    let body = match served.files.get("404.html") {
        Some(page) => inject(page, served),
        None if served.errors.is_some() => inject(
            b"<!DOCTYPE html><title>Build failed</title><body></body>",
            served,
        ),
        None => b"Not found".to_vec(),
    };
    Reply::new(404, "text/html; charset=utf-8", body)
}

pub struct Handler {
    pub state: Arc<State>,
}

impl Handler {
    pub fn new(state: Arc<State>) -> Arc<Self> {
        Arc::new(Handler { state })
    }

    /// The reply to `method url`. A live-reload wait blocks this connection's thread (and
    /// only it) until the site changes or a while has passed.
    pub fn handle(&self, method: &str, url: &str) -> Reply {
        if method != "GET" && method != "HEAD" {
            return Reply::new(
                405,
                "text/plain; charset=utf-8",
                b"Only GET and HEAD".to_vec(),
            );
        }
        let served = self.state.snapshot();
        match route(url, &served.files) {
            Route::File(key) => {
                let bytes = &served.files[&key];
                let body = if key.ends_with(".html") {
                    inject(bytes, &served)
                } else {
                    bytes.to_vec()
                };
                Reply::new(200, content_type(&key), body)
            }
            Route::Redirect(to) => Reply {
                location: Some(to),
                ..Reply::new(301, "text/plain; charset=utf-8", Vec::new())
            },
            Route::LiveScript => Reply::new(200, "text/javascript; charset=utf-8", LIVE_JS.into()),
            Route::OverlayStyle => Reply::new(200, "text/css; charset=utf-8", OVERLAY_CSS.into()),
            Route::Wait(since) => {
                let generation = self.state.wait_for_change(since, WAIT);
                Reply::new(
                    200,
                    "text/plain; charset=utf-8",
                    generation.to_string().into_bytes(),
                )
            }
            Route::NotFound => not_found(&served),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::serve::state::Files;

    fn site() -> Files {
        let mut files = Files::new();
        for key in [
            "index.html",
            "policies/a/index.html",
            "static/style.css",
            "pages/über uns/index.html",
        ] {
            files.insert(key.into(), Default::default());
        }
        files
    }

    #[test]
    fn urls_map_to_site_files() {
        let files = site();
        assert_eq!(route("/", &files), Route::File("index.html".into()));
        assert_eq!(
            route("/policies/a/", &files),
            Route::File("policies/a/index.html".into())
        );
        assert_eq!(
            route("/policies/a/index.html?x=1", &files),
            Route::File("policies/a/index.html".into())
        );
        assert_eq!(
            route("/policies/a", &files),
            Route::Redirect("/policies/a/".into())
        );
        assert_eq!(
            route("/pages/%C3%BCber%20uns/", &files),
            Route::File("pages/über uns/index.html".into())
        );
        assert_eq!(route("/__trustbook/wait?since=7", &files), Route::Wait(7));
    }

    #[test]
    fn nothing_climbs_out_of_the_site() {
        let files = site();
        for url in [
            "/../Cargo.toml",
            "/static/../../etc/passwd",
            "/%2e%2e/etc/passwd",
            "/%2E%2E%2Fetc%2Fpasswd",
            "/static/..%5c..%5cetc",
            "/static\\..\\x",
            "//etc/passwd",
            "/C:/Windows",
            "/%00",
            "/%zz",
            "relative",
        ] {
            assert_eq!(route(url, &files), Route::NotFound, "{url}");
        }
    }

    #[test]
    fn pages_get_the_live_script_and_errors_are_escaped() {
        let served = Served {
            generation: 3,
            files: Arc::new(Files::new()),
            errors: Some("<b>bad</b>".into()),
        };
        let page = String::from_utf8(inject(b"<html><body>x</body></html>", &served)).unwrap();
        assert!(page.contains("data-generation=\"3\"></script></body>"));
        assert!(page.contains("&lt;b&gt;bad&lt;/b&gt;"));
        // No build has succeeded yet: no "last good build" is claimed.
        assert!(page.contains("nothing is built yet"), "{page}");
        assert!(!page.contains("last good build"), "{page}");
        let mut files = Files::new();
        files.insert("index.html".into(), b"good".to_vec().into());
        let served = Served {
            files: Arc::new(files),
            ..served
        };
        let page = String::from_utf8(inject(b"<html><body>x</body></html>", &served)).unwrap();
        assert!(page.contains("shows the last good build"), "{page}");
    }
}
