//! Raw HTML from the OWASP XSS filter evasion cheat sheet, in a public approved policy, as
//! blocks and inline: after `build`, no page of either site carries an event handler, a
//! script other than the theme's own files, a `javascript:`/`vbscript:`/`data:text/html`
//! URL (entities decoded first), `srcdoc`, a frame, an object, an embed, a `<base>` or a
//! meta refresh; and every public page carries a Content-Security-Policy.
//!
//! The URLs the payloads load are all either this site's own diagram or another host, so a
//! sanitised page links only to files that exist.

mod common;

use common::{build, files_under};
use std::fs;
use std::path::Path;

/// A image that exists, for payloads that need `src` to load (or fail) harmlessly.
const IMG: &str = "../assets/diagram.png";

/// Payloads as blocks of raw HTML, each on lines of its own.
fn block_payloads() -> Vec<String> {
    let payloads = [
        "<script>alert('XSS1')</script>",
        "<SCRIPT SRC=https://xss.example/xss.js></SCRIPT>",
        "<ScRiPt>alert('XSS3')</sCrIpT>",
        "<scr<script>ipt>alert('XSS4')</scr</script>ipt>",
        "<<SCRIPT>alert(\"XSS5\");//\\<</SCRIPT>",
        "<SCRIPT/XSS SRC=\"https://xss.example/xss.js\"></SCRIPT>",
        "<SCRIPT SRC=//xss.example/.j></SCRIPT>",
        "<IMG SRC=\"javascript:alert('XSS8');\">",
        "<IMG SRC=JaVaScRiPt:alert('XSS9')>",
        "<IMG SRC=`javascript:alert(\"XSS10\")`>",
        "<img src=\"IMG\" onerror=\"alert('XSS11')\">",
        "<img src=\"IMG\"\tonerror=alert('XSS12')>",
        "<img src=\"IMG\"\nonerror=alert('XSS13')>",
        "<img/src=\"IMG\"/onerror=alert('XSS14')>",
        "<IMG SRC=\"IMG\" ONERROR=\"alert('XSS15')\">",
        "<img src=\"IMG\" onerror=\"&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058alert(16)\">",
        "<IMG \"\"\"><SCRIPT>alert(\"XSS17\")</SCRIPT>\">",
        "<a href=\"&#106;avascript:alert('XSS18')\">entity</a>",
        "<a href=\"&#x6A;avascript:alert('XSS19')\">hex entity</a>",
        "<a href=\"&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058&#0000097&#0000108&#0000101&#0000114&#0000116&#0000040&#0000039&#0000088&#0000083&#0000083&#0000039&#0000041\">padded entities</a>",
        "<a href=\"&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A&#x61&#x6C&#x65&#x72&#x74&#x28&#x27&#x58&#x53&#x53&#x27&#x29\">hex without semicolons</a>",
        "<a href=\"java\tscript:alert('XSS22')\">tab</a>",
        "<a href=\"java\nscript:alert('XSS23')\">newline</a>",
        "<a href=\"java&#x09;script:alert('XSS24')\">encoded tab</a>",
        "<a href=\"java&#x0A;script:alert('XSS25')\">encoded newline</a>",
        "<a href=\"java&#x0D;script:alert('XSS26')\">encoded CR</a>",
        "<a href=\" &#14;  javascript:alert('XSS27')\">leading control</a>",
        "<a href=\"javascript&colon;alert('XSS28')\">named colon</a>",
        "<a href=\"jav&Tab;ascript:alert('XSS29')\">named tab</a>",
        "<a href=\"&#1;javascript:alert('XSS30')\">leading SOH</a>",
        "<a href=\"vbscript:msgbox('XSS31')\">vbscript</a>",
        "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">data</a>",
        "<a href=\"DATA:TEXT/HTML,<script>alert(33)</script>\">data upper</a>",
        "<a onmouseover=\"alert(document.cookie)\">xxs link</a>",
        "<iframe srcdoc=\"<script>alert('XSS35')</script>\"></iframe>",
        "<iframe src=\"javascript:alert('XSS36')\"></iframe>",
        "<iframe src=https://xss.example/scriptlet.html <",
        "<svg onload=alert('XSS38')>",
        "<svg/onload=alert('XSS39')>",
        "<svg><script>alert(40)</script></svg>",
        "<svg><a xlink:href=\"javascript:alert(41)\"><text x=\"20\" y=\"20\">XSS</text></a></svg>",
        "<svg><animate onbegin=alert(42) attributeName=x dur=1s>",
        "<svg><a><set attributeName=\"href\" to=\"javascript:alert(43)\"/><text y=\"20\">x</text></a></svg>",
        "<object data=\"javascript:alert('XSS44')\"></object>",
        "<object type=\"text/x-scriptlet\" data=\"https://xss.example/scriptlet.html\"></object>",
        "<embed src=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgnWFNTJyk8L3NjcmlwdD4=\">",
        "<embed src=\"javascript:alert(47)\">",
        "<applet code=\"xss.class\"></applet>",
        "<math href=\"javascript:alert(49)\">CLICKME</math>",
        "<math><maction actiontype=\"statusline#http://example.com\" xlink:href=\"javascript:alert(50)\">CLICKME</maction></math>",
        "<math><mtext><table><mglyph><style><img src=\"IMG\" onerror=alert(51)>",
        "<style>@import'javascript:alert(\"XSS52\")';</style>",
        "<style>body{background:url(\"javascript:alert('XSS53')\")}</style>",
        "<div style=\"background-image: url(javascript:alert('XSS54'))\">styled</div>",
        "<div style=\"width: expression(alert('XSS55'));\">expression</div>",
        "<DIV STYLE=\"background-image:\\0075\\0072\\006C\\0028'\\006a\\0061\\0076\\0061\\0073\\0063\\0072\\0069\\0070\\0074\\003a\\0061\\006c\\0065\\0072\\0074\\0028.1027\\0058.1053\\0053\\0027\\0029'\\0029\">css escapes</DIV>",
        "<base href=\"javascript:alert('XSS57');//\">",
        "<base href=\"https://xss.example/\">",
        "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert('XSS59');\">",
        "<META HTTP-EQUIV=\"refresh\" CONTENT=\"0;url=data:text/html;base64,PHNjcmlwdD5hbGVydCgnWFNTJyk8L3NjcmlwdD4K\">",
        "<meta http-equiv=\"Content-Security-Policy\" content=\"script-src 'unsafe-inline'\">",
        "<form action=\"javascript:alert('XSS62')\"><button>go</button></form>",
        "<form><button formaction=\"javascript:alert(63)\">go</button></form>",
        "<INPUT TYPE=\"IMAGE\" SRC=\"javascript:alert('XSS64');\">",
        "<input onfocus=alert(65) autofocus>",
        "<details open ontoggle=alert(66)><summary>x</summary></details>",
        "<video><source onerror=\"alert(67)\"></video>",
        "<audio src=\"IMG\" onerror=alert(68)>",
        "<body onload=alert('XSS69')>",
        "<BODY ONLOAD!#$%&()*~+-_.,:;?@[/|\\]^`=alert(\"XSS70\")>",
        "<TABLE BACKGROUND=\"javascript:alert('XSS71')\"><TR><TD BACKGROUND=\"javascript:alert('XSS71b')\">cell</TD></TR></TABLE>",
        "<isindex type=image src=\"IMG\" onerror=alert(72)>",
        "<frameset onload=alert(73)>",
        "<link rel=\"stylesheet\" href=\"javascript:alert('XSS74');\">",
        "<LINK REL=\"stylesheet\" HREF=\"https://xss.example/xss.css\">",
        "<xss onafterscriptexecute=alert(76)>custom</xss>",
        "<noscript><p title=\"</noscript><img src=IMG onerror=alert(77)>\"></noscript>",
        "<template><script>alert(78)</script></template>",
        "<p title=\"x\" onclick=\"alert(79)\">paragraph</p>",
        "<a href=\"https://example.com/\" target=\"_blank\" onclick=\"alert(80)\">external</a>",
        "<object data=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\"></object>",
        "<img src=\"IMG\" srcset=\"javascript:alert(82) 1x\">",
        "<a href=\"javas&#99;ript:alert(83)\">mid entity</a>",
        "<!--<img src=\"--><img src=IMG onerror=alert(85)//\">",
        "<div><img src=\"IMG\" onerror=alert(86)></div>",
        "<img src=\"IMG\" onerror=alert(87)//",
    ];
    payloads.iter().map(|p| p.replace("IMG", IMG)).collect()
}

/// Payloads inside paragraphs, among text.
fn inline_payloads() -> Vec<String> {
    let payloads = [
        "Text <img src=\"IMG\" onerror=\"alert('I1')\"> more.",
        "Text <a href=\"&#106;avascript:alert('I2')\">link</a> more.",
        "Text <a href=\"java\tscript:alert('I3')\">link</a> more.",
        "Text <span onmouseover=alert('I4')>hover</span> more.",
        "Text <svg onload=alert('I5')></svg> more.",
        "Text <iframe srcdoc=\"<script>alert('I6')</script>\"></iframe> more.",
        "Text <script>alert('I7')</script> more.",
        "Text <ScRiPt>alert('I8')</ScRiPt> more.",
        "Text <object data=\"javascript:alert('I9')\"></object> more.",
        "Text <embed src=\"javascript:alert('I10')\"> more.",
        "Text <base href=\"javascript:alert('I11')//\"> more.",
        "Text <a href=\"JaVaScRiPt:alert('I12')\">link</a> more.",
        "Text <img\nsrc=\"IMG\"\nonerror=alert('I13')> more.",
        "Text <img src=\"IMG\" onerror=alert('I14')",
        "Text <a href=\"data:text/html,<script>alert('I15')</script>\">x</a> more.",
        "Text <math><mi xlink:href=\"javascript:alert('I16')\">m</mi></math> more.",
        "Text <form action=\"javascript:alert('I17')\"><input type=submit></form> more.",
        "Text <style>p{color:red}</style> more.",
        "Text <meta http-equiv=\"refresh\" content=\"0;url=https://xss.example/\"> more.",
    ];
    payloads.iter().map(|p| p.replace("IMG", IMG)).collect()
}

/// Markdown links and images with script URLs.
const MARKDOWN_PAYLOADS: &[&str] = &[
    "[md1](javascript:alert('M1'))",
    "[md2](JaVaScRiPt:alert('M2'))",
    "[md3](&#106;avascript:alert('M3'))",
    "![md5](javascript:alert('M5'))",
    "<javascript:alert('M6')>",
    "[md7](vbscript:msgbox('M7'))",
    "[md8](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[md9][r9]\n\n[r9]: javascript:alert('M9')",
    "[md10](<javascript:alert('M10')>)",
    "[md11](  javascript:alert('M11'))",
];

fn policy(title: &str, summary: &str, body: &str) -> String {
    format!(
        "---\nid: POL-XSS\ntitle: {title}\nversion: \"1.0\"\nstatus: approved\n\
         owner: Head of AI Governance\napproved_by: Board\napproved_on: 2026-01-15\n\
         next_review: 2027-01-15\nvisibility: public\npublic_summary: {summary}\n---\n\n\
         # XSS probe\n\nXSS_PAGE_START stays.\n\n{body}\n\nXSS_PAGE_END stays.\n"
    )
}

/// A site with `body` in a public policy, built; panics with the findings if the build fails.
fn built(title: &str, summary: &str, body: &str) -> tempfile::TempDir {
    let dir = common::site(None);
    fs::write(
        dir.path().join("content/policies/xss.md"),
        policy(title, summary, body),
    )
    .unwrap();
    let run = build(dir.path(), &[]);
    assert_eq!(
        run.code, 0,
        "the XSS site must build (its payloads link only to files that exist):\n{}",
        run.stderr
    );
    let page = fs::read_to_string(dir.path().join("public/policies/xss/index.html")).unwrap();
    assert!(
        page.contains("XSS_PAGE_START"),
        "the page is published: {page}"
    );
    dir
}

// ---------------------------------------------------------------------------------------
// A small HTML tokenizer, enough to see tags and attributes as a browser would

#[derive(Debug)]
struct Tag {
    name: String,
    attrs: Vec<(String, String)>,
    /// Byte offset of `<` in the page.
    at: usize,
    /// The text up to the closing tag, for raw-text elements (`script`, `style`, …).
    raw_text: Option<String>,
}

impl Tag {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Start tags of `html`, with attribute names lower-cased and values entity-decoded.
/// Comments, `<!…>` and `<?…>` are skipped; the content of `script`, `style`, `textarea`,
/// `title` and `xmp` is text, as in a browser.
fn start_tags(html: &str) -> Vec<Tag> {
    let bytes = html.as_bytes();
    let mut tags = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'<' {
            i += 1;
            continue;
        }
        if html[i..].starts_with("<!--") {
            i = html[i + 4..]
                .find("-->")
                .map_or(bytes.len(), |e| i + 4 + e + 3);
            continue;
        }
        let next = bytes.get(i + 1).copied().unwrap_or(b' ');
        if next == b'!' || next == b'?' || (next == b'/' && i + 2 < bytes.len()) {
            // Declarations, processing instructions (bogus comments) and end tags.
            i = html[i..].find('>').map_or(bytes.len(), |e| i + e + 1);
            continue;
        }
        if !next.is_ascii_alphabetic() {
            i += 1;
            continue;
        }
        let at = i;
        let mut j = i + 1;
        while j < bytes.len()
            && !matches!(
                bytes[j],
                b'\t' | b'\n' | b'\x0c' | b'\r' | b' ' | b'/' | b'>'
            )
        {
            j += 1;
        }
        let name = html[i + 1..j].to_ascii_lowercase();
        let mut attrs = Vec::new();
        loop {
            while j < bytes.len()
                && matches!(bytes[j], b'\t' | b'\n' | b'\x0c' | b'\r' | b' ' | b'/')
            {
                j += 1;
            }
            if j >= bytes.len() || bytes[j] == b'>' {
                j += 1;
                break;
            }
            let start = j;
            j += 1; // a name may start with `=`
            while j < bytes.len()
                && !matches!(
                    bytes[j],
                    b'\t' | b'\n' | b'\x0c' | b'\r' | b' ' | b'/' | b'>' | b'='
                )
            {
                j += 1;
            }
            let attr = html[start..j].to_ascii_lowercase();
            while j < bytes.len() && matches!(bytes[j], b'\t' | b'\n' | b'\x0c' | b'\r' | b' ') {
                j += 1;
            }
            let mut value = String::new();
            if j < bytes.len() && bytes[j] == b'=' {
                j += 1;
                while j < bytes.len() && matches!(bytes[j], b'\t' | b'\n' | b'\x0c' | b'\r' | b' ')
                {
                    j += 1;
                }
                if j < bytes.len() && (bytes[j] == b'"' || bytes[j] == b'\'') {
                    let quote = bytes[j];
                    let end = bytes[j + 1..]
                        .iter()
                        .position(|&b| b == quote)
                        .map_or(bytes.len(), |e| j + 1 + e);
                    value = html[j + 1..end].to_string();
                    j = (end + 1).min(bytes.len());
                } else {
                    let start = j;
                    while j < bytes.len()
                        && !matches!(bytes[j], b'\t' | b'\n' | b'\x0c' | b'\r' | b' ' | b'>')
                    {
                        j += 1;
                    }
                    value = html[start..j].to_string();
                }
            }
            attrs.push((attr, decode_entities(&value)));
        }
        let mut raw_text = None;
        if ["script", "style", "textarea", "title", "xmp"].contains(&name.as_str()) {
            let close = format!("</{name}");
            let end = html[j.min(bytes.len())..]
                .to_ascii_lowercase()
                .find(&close)
                .map_or(bytes.len(), |e| j + e);
            raw_text = Some(html[j.min(end)..end].to_string());
            j = end;
        }
        tags.push(Tag {
            name,
            attrs,
            at,
            raw_text,
        });
        i = j.max(i + 1);
    }
    tags
}

/// Character references decoded as a browser does in an attribute: decimal and hex, with or
/// without `;` and leading zeros, and the named ones that matter for URLs.
fn decode_entities(text: &str) -> String {
    const NAMED: &[(&str, char)] = &[
        ("colon", ':'),
        ("tab", '\t'),
        ("newline", '\n'),
        ("lpar", '('),
        ("rpar", ')'),
        ("sol", '/'),
        ("period", '.'),
        ("amp", '&'),
        ("lt", '<'),
        ("gt", '>'),
        ("quot", '"'),
        ("apos", '\''),
        ("num", '#'),
        ("nbsp", '\u{a0}'),
    ];
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let after = &rest[1..];
        if let Some(num) = after.strip_prefix('#') {
            let (hex, digits) = match num.strip_prefix(['x', 'X']) {
                Some(h) => (true, h),
                None => (false, num),
            };
            let len = digits
                .bytes()
                .take_while(|b| {
                    if hex {
                        b.is_ascii_hexdigit()
                    } else {
                        b.is_ascii_digit()
                    }
                })
                .count();
            if len > 0 {
                let value = u32::from_str_radix(&digits[..len], if hex { 16 } else { 10 })
                    .ok()
                    .and_then(char::from_u32)
                    .unwrap_or('\u{fffd}');
                out.push(value);
                let consumed = 1 + 1 + usize::from(hex) + len;
                rest = &rest[consumed..];
                if let Some(r) = rest.strip_prefix(';') {
                    rest = r;
                }
                continue;
            }
        } else {
            let lower = after.to_ascii_lowercase();
            if let Some((name, ch)) = NAMED.iter().find(|(n, _)| lower.starts_with(n)) {
                out.push(*ch);
                rest = &rest[1 + name.len()..];
                if let Some(r) = rest.strip_prefix(';') {
                    rest = r;
                }
                continue;
            }
        }
        out.push('&');
        rest = &rest[1..];
    }
    out.push_str(rest);
    out
}

/// CSS escapes (`\6a`, `\0075 `, `\:`) decoded.
fn decode_css(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let mut hex = String::new();
        while hex.len() < 6 && chars.peek().is_some_and(|c| c.is_ascii_hexdigit()) {
            hex.push(chars.next().unwrap());
        }
        if hex.is_empty() {
            if let Some(next) = chars.next() {
                out.push(next);
            }
        } else {
            if chars.peek().is_some_and(|c| c.is_whitespace()) {
                chars.next();
            }
            out.push(
                u32::from_str_radix(&hex, 16)
                    .ok()
                    .and_then(char::from_u32)
                    .unwrap_or('\u{fffd}'),
            );
        }
    }
    out
}

/// A URL as a browser reads it: tabs and newlines removed anywhere, leading and trailing
/// controls and spaces trimmed, lower-cased.
fn url_as_read(value: &str) -> String {
    value
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect::<String>()
        .trim_matches(|c: char| c <= ' ')
        .to_ascii_lowercase()
}

const URL_ATTRIBUTES: &[&str] = &[
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "data",
    "poster",
    "background",
    "codebase",
    "cite",
    "longdesc",
    "usemap",
    "dynsrc",
    "lowsrc",
    "ping",
    "manifest",
    "icon",
    "to",
    "from",
    "values",
    "by",
];

const SCRIPT_SCHEMES: &[&str] = &["javascript:", "vbscript:", "livescript:", "data:text/html"];

const FORBIDDEN_ELEMENTS: &[&str] = &[
    "iframe", "frame", "frameset", "object", "embed", "applet", "base", "style", "isindex",
];

/// Every way `html` could run script, as `tag: reason` lines.
fn script_hazards(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for tag in start_tags(html) {
        let at = tag.at;
        let show = || {
            let end = html[at..]
                .char_indices()
                .nth(120)
                .map_or(html.len(), |(e, _)| at + e);
            html[at..end].replace('\n', "⏎")
        };
        if tag.name == "script" {
            let src = tag.attr("src").unwrap_or("");
            // Relative, or from the root (the public 404 page), never from another host.
            let ours = !src.contains(':')
                && !src.starts_with("//")
                && (src.ends_with("search-index.js")
                    || src
                        .rsplit_once("static/")
                        .is_some_and(|(_, file)| file.ends_with(".js") && !file.contains('/')));
            let names: Vec<&str> = tag.attrs.iter().map(|(n, _)| n.as_str()).collect();
            let plain = names.iter().all(|n| ["src", "defer"].contains(n));
            if !ours || !plain || !tag.raw_text.as_deref().unwrap_or("").trim().is_empty() {
                found.push(format!("a script that is not the theme's own: {}", show()));
            }
        }
        if FORBIDDEN_ELEMENTS.contains(&tag.name.as_str()) {
            found.push(format!("<{}>: {}", tag.name, show()));
        }
        if tag.name == "meta"
            && tag
                .attr("http-equiv")
                .is_some_and(|v| v.trim().eq_ignore_ascii_case("refresh"))
        {
            found.push(format!("meta refresh: {}", show()));
        }
        for (name, value) in &tag.attrs {
            if name.starts_with("on") {
                found.push(format!("event handler `{name}`: {}", show()));
            }
            if name == "srcdoc" {
                found.push(format!("srcdoc: {}", show()));
            }
            let mut urls = Vec::new();
            if URL_ATTRIBUTES.contains(&name.as_str()) {
                urls.push(url_as_read(value));
            }
            if name == "srcset" {
                urls.extend(value.split(',').map(|c| url_as_read(c.trim())));
            }
            for url in urls {
                if let Some(scheme) = SCRIPT_SCHEMES.iter().find(|s| url.starts_with(*s)) {
                    found.push(format!("{scheme} URL in `{name}`: {}", show()));
                }
            }
            if name == "style" {
                let css: String = decode_css(value)
                    .to_ascii_lowercase()
                    .chars()
                    .filter(|c| !c.is_whitespace())
                    .collect();
                for bad in [
                    "javascript:",
                    "vbscript:",
                    "expression(",
                    "-moz-binding",
                    "behavior:",
                ] {
                    if css.contains(bad) {
                        found.push(format!("`{bad}` in a style attribute: {}", show()));
                    }
                }
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

/// Every HTML page of both sites, as (path under the site, text).
fn pages(site: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for tree in ["public", "internal"] {
        for (name, bytes) in files_under(&site.join(tree)) {
            if name.ends_with(".html") {
                out.push((
                    format!("{tree}/{name}"),
                    String::from_utf8_lossy(&bytes).into_owned(),
                ));
            }
        }
    }
    out
}

fn assert_no_script(site: &Path) {
    let mut all = Vec::new();
    let pages = pages(site);
    assert!(pages.len() > 20, "both sites were built");
    for (name, html) in &pages {
        for hazard in script_hazards(html) {
            all.push(format!("{name}: {hazard}"));
        }
    }
    assert!(
        all.is_empty(),
        "{} script hazards survived:\n{}",
        all.len(),
        all.join("\n")
    );
}

// ---------------------------------------------------------------------------------------
// The tests

#[test]
fn xss_block_payloads_are_sanitised_on_both_sites() {
    let body = block_payloads().join("\n\n");
    let dir = built("XSS blocks", "Payloads as blocks.", &body);
    assert_no_script(dir.path());
    let page = fs::read_to_string(dir.path().join("public/policies/xss/index.html")).unwrap();
    assert!(page.contains("XSS_PAGE_END"), "the page is whole");
    for text in ["entity", "paragraph", "styled", "external", "CLICKME"] {
        assert!(page.contains(text), "the harmless text `{text}` is kept");
    }
}

#[test]
fn xss_inline_payloads_are_sanitised_on_both_sites() {
    let body = inline_payloads().join("\n\n");
    let dir = built("XSS inline", "Payloads inline.", &body);
    assert_no_script(dir.path());
}

#[test]
fn xss_payloads_packed_into_one_paragraph_are_sanitised() {
    let body = inline_payloads()
        .iter()
        .map(|p| p.trim_start_matches("Text ").trim_end_matches(" more."))
        .collect::<Vec<_>>()
        .join(" and ");
    let dir = built(
        "XSS packed",
        "Payloads packed.",
        &format!("Start {body} end."),
    );
    assert_no_script(dir.path());
}

#[test]
fn xss_script_urls_in_markdown_links_are_not_links() {
    let body = MARKDOWN_PAYLOADS.join("\n\n");
    let dir = built("XSS links", "Payloads as Markdown links.", &body);
    assert_no_script(dir.path());
}

/// Destinations that are relative paths to trustbook but script URLs to a browser once an
/// entity is decoded: refused (a broken link), or built without a script URL.
#[test]
fn xss_payloads_that_read_as_relative_links_are_refused_or_inert() {
    let bodies = [
        "[md4](java&#x09;script:alert('M4'))",
        "<a href=\"&#x26;#x6A;avascript:alert(84)\">double-encoded</a>",
        "<a href=\"&amp;#106;avascript:alert(85)\">double-encoded, named</a>",
        "<img src=\"IMG\" onerror=alert(86) srcset=\"&#106;avascript:alert(86) 2x\">",
    ];
    for body in bodies {
        let dir = common::site(None);
        fs::write(
            dir.path().join("content/policies/xss.md"),
            policy("XSS relative", "Relative.", &body.replace("IMG", IMG)),
        )
        .unwrap();
        let run = build(dir.path(), &[]);
        match run.code {
            1 => assert!(run.stderr.contains("error["), "{body}: {}", run.stderr),
            0 => assert_no_script(dir.path()),
            other => panic!("{body}: build exited {other}: {}", run.stderr),
        }
    }
}

#[test]
fn xss_in_titles_and_summaries_is_escaped() {
    let dir = built(
        "\"XSS <img src=x onerror=alert('T1')> <script>alert('T2')</script>\"",
        "\"<svg onload=alert('S1')> <a href=javascript:alert('S2')>s</a>\"",
        "Plain body.",
    );
    assert_no_script(dir.path());
    // The feed and the search index hold the title as text, never as markup.
    let feed = fs::read_to_string(dir.path().join("public/feed.xml")).unwrap();
    assert!(!feed.contains("<script>"), "feed.xml: {feed}");
    assert!(!feed.contains("<img src=x"), "feed.xml: {feed}");
}

#[test]
fn every_public_page_carries_a_content_security_policy() {
    let mut body = block_payloads()[..8].join("\n\n");
    body.push_str(
        "\n\n<meta http-equiv=\"Content-Security-Policy\" content=\"script-src 'unsafe-inline'\">",
    );
    let dir = built("CSP probe", "A page for the CSP.", &body);
    let mut problems = Vec::new();
    let public = dir.path().join("public");
    let mut count = 0;
    for (name, bytes) in files_under(&public) {
        if !name.ends_with(".html") {
            continue;
        }
        count += 1;
        let html = String::from_utf8_lossy(&bytes).into_owned();
        let head_end = html
            .to_ascii_lowercase()
            .find("</head>")
            .unwrap_or(html.len());
        let tags = start_tags(&html);
        let csp: Vec<&Tag> = tags
            .iter()
            .filter(|t| {
                t.name == "meta"
                    && t.attr("http-equiv")
                        .is_some_and(|v| v.eq_ignore_ascii_case("content-security-policy"))
            })
            .collect();
        let Some(meta) = csp.first() else {
            problems.push(format!("{name}: no Content-Security-Policy meta"));
            continue;
        };
        if csp.len() > 1 {
            problems.push(format!(
                "{name}: {} CSP metas (one from the body?)",
                csp.len()
            ));
        }
        if meta.at > head_end {
            problems.push(format!("{name}: the CSP meta is outside <head>"));
        }
        if let Some(script) = tags.iter().find(|t| t.name == "script")
            && script.at < meta.at
        {
            problems.push(format!("{name}: a script comes before the CSP"));
        }
        let policy = meta.attr("content").unwrap_or("").to_ascii_lowercase();
        let directives: Vec<(String, String)> = policy
            .split(';')
            .filter_map(|d| {
                let d = d.trim();
                let (k, v) = d.split_once(char::is_whitespace).unwrap_or((d, ""));
                (!k.is_empty()).then(|| (k.to_string(), v.trim().to_string()))
            })
            .collect();
        let directive = |name: &str| {
            directives
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        };
        match directive("default-src") {
            Some(v) if v.split_whitespace().any(|s| s == "'self'") => {}
            other => problems.push(format!("{name}: default-src is {other:?}, not 'self'")),
        }
        if directive("object-src").as_deref() != Some("'none'") {
            problems.push(format!(
                "{name}: object-src is {:?}, not 'none'",
                directive("object-src")
            ));
        }
        if directive("base-uri").as_deref() != Some("'none'") {
            problems.push(format!(
                "{name}: base-uri is {:?}, not 'none'",
                directive("base-uri")
            ));
        }
        let scripts = directive("script-src")
            .or_else(|| directive("default-src"))
            .unwrap_or_default();
        for bad in ["'unsafe-inline'", "'unsafe-eval'", "data:", "*"] {
            if scripts.split_whitespace().any(|s| s == bad) {
                problems.push(format!("{name}: scripts allow {bad}: {policy}"));
            }
        }
    }
    assert!(count >= 5, "public pages were built");
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

// ---------------------------------------------------------------------------------------
// The checker itself: it must see what a browser would run

#[test]
fn the_hazard_checker_sees_each_evasion() {
    for bad in [
        "<img src=x onerror=alert(1)>",
        "<img src=x\tonerror=alert(1)>",
        "<img/src=\"x\"/onerror=alert(1)>",
        "<IMG SRC=x ONERROR=alert(1)>",
        "<a href=\"&#106;avascript:alert(1)\">x</a>",
        "<a href=\"&#x6A;avascript:alert(1)\">x</a>",
        "<a href=\"&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058alert(1)\">x</a>",
        "<a href=\"java\tscript:alert(1)\">x</a>",
        "<a href=\"java&#x09;script:alert(1)\">x</a>",
        "<a href=\" &#14; javascript:alert(1)\">x</a>",
        "<a href=\"javascript&colon;alert(1)\">x</a>",
        "<a href=DATA:text/html,x>x</a>",
        "<iframe srcdoc=x></iframe>",
        "<div srcdoc=x></div>",
        "<object data=x></object>",
        "<embed src=x>",
        "<base href=/>",
        "<meta http-equiv=refresh content=0>",
        "<META HTTP-EQUIV=\"Refresh\" CONTENT=0>",
        "<script>alert(1)</script>",
        "<script src=\"static/search.js\">alert(1)</script>",
        "<script src=\"https://evil.example/static/x.js\"></script>",
        "<div style=\"background:url(javascript:alert(1))\">x</div>",
        "<div style=\"background:\\75 rl(\\6a avascript:alert(1))\">x</div>",
        "<form action=javascript:alert(1)></form>",
        "<svg><a xlink:href=\"javascript:alert(1)\">x</a></svg>",
    ] {
        assert!(!script_hazards(bad).is_empty(), "missed: {bad}");
    }
    for fine in [
        "<script src=\"../../static/search.js\" defer></script>",
        "<script src=\"search-index.js\" defer></script>",
        "<a href=\"https://example.com/javascript:x\">x</a>",
        "<p>javascript: is text &lt;script&gt; and onerror=</p>",
        "<a href=\"../other/index.html\" title=\"on the data\">x</a>",
        "<pre><code>&lt;img src=x onerror=alert(1)&gt;</code></pre>",
        "<!-- <script>alert(1)</script> -->",
    ] {
        assert_eq!(script_hazards(fine), Vec::<String>::new(), "{fine}");
    }
}
