//! The handbook as an auditor works in it: numbers that agree from page to page.

mod common;

use common::{build, edit, read_text, site};
use std::collections::BTreeMap;
use std::path::Path;

/// Every `data-count="name">N` figure of a page.
fn counts(page: &str) -> BTreeMap<String, usize> {
    page.split("data-count=\"")
        .skip(1)
        .map(|rest| {
            let (name, after) = rest.split_once("\">").unwrap();
            let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
            (name.to_string(), digits.parse().unwrap())
        })
        .collect()
}

#[test]
fn the_dashboard_calendar_gaps_and_roadmap_count_the_same_things() {
    let dir = site(None);
    let root = dir.path();
    let controls = root.join("content/controls");
    // Overdue: a review, a control's evidence, a planned control's target date. Not
    // overdue: an implemented control's old target date (a promise kept is no deadline).
    edit(
        &controls.join("acme-1.yaml"),
        "next_review: 2027-06-01",
        "next_review: 2026-10-01",
    );
    edit(
        &controls.join("acme-1.yaml"),
        "expires_on: 2027-01-10",
        "expires_on: 2026-11-01",
    );
    edit(
        &controls.join("acme-2.yaml"),
        "target_date: 2027-02-01",
        "target_date: 2026-09-30",
    );
    edit(
        &controls.join("acme-1.yaml"),
        "status: implemented\n",
        "status: implemented\ntarget_date: 2026-01-01\n",
    );
    let run = build(root, &["--quiet"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let page = |path: &str| read_text(&root.join("internal").join(path));
    let (dashboard, calendar) = (page("index.html"), page("calendar/index.html"));
    let (gaps, roadmap) = (page("gaps/index.html"), page("roadmap/index.html"));
    let (d, c, g, r) = (
        counts(&dashboard),
        counts(&calendar),
        counts(&gaps),
        counts(&roadmap),
    );

    let overdue_rows = calendar.matches("<tr class=\"state-overdue\">").count();
    assert_eq!(
        overdue_rows, 3,
        "a review, an evidence expiry, a target date"
    );
    assert_eq!(d["overdue"], overdue_rows);
    assert_eq!(c["overdue"], overdue_rows);
    assert_eq!(d["reviews-overdue"], 1);
    assert_eq!(d["evidence-expired"], 1);
    assert_eq!(d["reviews-overdue"], c["reviews-overdue"]);
    assert_eq!(d["evidence-expired"], c["evidence-expired"]);
    let expired_list = dashboard.split("<h2>Expired evidence</h2>").nth(1).unwrap();
    let expired_list = expired_list.split("<h2>").next().unwrap();
    assert_eq!(expired_list.matches("<li>").count(), d["evidence-expired"]);

    assert_eq!(d["open-controls"], g["open-controls"]);
    assert_eq!(d["open-controls"], 2, "the partial and the planned control");
    assert_eq!(g["roadmap"], r["roadmap"]);
    assert_eq!(r["targets-overdue"], 1);
    assert_eq!(d["targets-overdue"], r["targets-overdue"]);
    assert!(
        !calendar.contains("2026-01-01"),
        "an implemented control's target date is no deadline"
    );
}

#[test]
fn the_clause_map_leads_from_each_clause_to_its_evidence_on_the_sample() {
    let dir = common::built_sample();
    let map = read_text(&dir.path().join("internal/clauses/index.html"));
    let row = |clause: &str| -> String {
        let start = map
            .find(&format!("<tr id=\"clause-{}\">", clause.replace('.', "-")))
            .unwrap_or_else(|| panic!("no row {clause}"));
        map[start..].split("</tr>").next().unwrap().to_string()
    };
    assert_eq!(map.matches("<tr id=\"clause-").count(), 27, "4.1 to 10.2");
    assert!(
        row("5.2").contains("policies/ai-policy/index.html"),
        "{}",
        row("5.2")
    );
    assert!(row("6.1.3").contains("soa/index.html"), "{}", row("6.1.3"));
    assert!(row("6.1.2").contains("risks/index.html"));
    assert!(row("9.2").contains("audits/index.html"));
    assert!(row("9.3").contains("review/index.html"));
    assert!(row("10.2").contains("actions/index.html"));
    // The sample leaves one clause honestly open.
    assert!(row("6.3").contains("Gap"), "{}", row("6.3"));
    assert_eq!(counts(&map)["clause-gaps"], 1);
    // Every link on the map leads to a page the handbook has.
    for href in common::attribute_values(&map, "href") {
        if let Some(path) = href.strip_prefix("../") {
            let path = path.split('#').next().unwrap();
            assert!(dir.path().join("internal").join(path).is_file(), "{href}");
        }
    }
}

/// Every record id of a site's sources: `id:` of records and of front matter.
fn record_ids(content: &Path) -> std::collections::HashSet<String> {
    let mut ids = std::collections::HashSet::new();
    for (path, bytes) in common::files_under(content) {
        if !(path.ends_with(".yaml") || path.ends_with(".md")) || path.starts_with("catalogs/") {
            continue;
        }
        let text = String::from_utf8_lossy(&bytes);
        if let Some(id) = text.lines().find_map(|l| l.strip_prefix("id: ")) {
            ids.insert(id.trim().trim_matches('"').to_string());
        }
    }
    ids
}

#[test]
fn every_id_in_a_list_of_ids_on_every_handbook_page_is_a_link() {
    let dir = common::built_sample();
    let content = dir.path().join("content");
    let ids = record_ids(&content);
    assert!(ids.contains("RSK-001") && ids.contains("A.6.2.6") && ids.contains("POL-AI-001"));
    let strip = |html: &str| -> String {
        let mut text = String::new();
        let mut in_tag = false;
        for c in html.chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                _ if !in_tag => text.push(c),
                _ => {}
            }
        }
        text
    };
    let (mut cells, mut unlinked) = (0, Vec::new());
    for (path, bytes) in common::files_under(&dir.path().join("internal")) {
        if !path.ends_with(".html")
            || path.starts_with("preview/")
            || path.starts_with("published/")
        {
            continue;
        }
        let html = String::from_utf8_lossy(&bytes);
        for open in ["<dd>", "<td>"] {
            let close = open.replace('<', "</");
            for cell in html
                .split(open)
                .skip(1)
                .filter_map(|rest| rest.split(&close).next())
            {
                let text = strip(cell);
                let tokens: Vec<&str> = (text.split([',', ';']))
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .collect();
                // A cell that lists ids and nothing else: the "Links" fields, the SoA's
                // risks and policies, the register's controls.
                if tokens.is_empty() || !tokens.iter().all(|t| ids.contains(*t)) {
                    continue;
                }
                cells += 1;
                for id in tokens {
                    if !cell.contains(&format!(">{id}</a>")) {
                        unlinked.push(format!("{path}: {id}"));
                    }
                }
            }
        }
    }
    assert!(cells > 50, "only {cells} id lists found");
    assert!(unlinked.is_empty(), "ids that are not links: {unlinked:#?}");
}

#[test]
fn a_record_page_marks_its_section_and_says_where_it_sits() {
    let dir = site(None);
    let root = dir.path();
    let run = build(root, &["--quiet"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let page = |path: &str| read_text(&root.join("internal").join(path));
    let current = |html: &str| -> Vec<String> {
        html.split(" aria-current=\"page\">")
            .skip(1)
            .map(|rest| rest.split('<').next().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        current(&page("controls/acme-1/index.html")),
        ["Statement of Applicability"]
    );
    assert_eq!(current(&page("risks/r-1/index.html")), ["Risks"]);
    assert_eq!(current(&page("index.html")), ["Dashboard"]);
    let risk = page("risks/r-1/index.html");
    assert!(risk.contains("<nav class=\"crumbs\" aria-label=\"Breadcrumb\"><ol><li><a href=\"../../index.html\">Handbook</a></li><li><a href=\"../../risks/index.html\">Risk register</a></li></ol></nav>"), "{risk}");
    assert!(
        !page("soa/index.html").contains("class=\"crumbs\""),
        "a register is no record"
    );
}

/// A certificate about to expire is planned from the handbook: the calendar dates it, the
/// dashboard counts it and lists every certification; one far off is only scheduled.
#[test]
fn an_expiring_certificate_is_in_the_calendar_and_on_the_dashboard() {
    let dir = site(None);
    let root = dir.path();
    build(root, &[]);
    let dashboard = read_text(&root.join("internal/index.html"));
    assert!(
        dashboard.contains("id=\"certifications\"") && dashboard.contains("AIMS-0001"),
        "{dashboard}"
    );
    assert!(!dashboard.contains("certificate expiring"), "{dashboard}");
    let calendar = read_text(&root.join("internal/calendar/index.html"));
    let row = &calendar[calendar
        .find("<td>2028-05-01</td>")
        .expect("the expiry dated")..];
    assert!(
        row[..row.find("</tr>").unwrap()].contains("Scheduled"),
        "{row}"
    );

    // common::TODAY is 2026-11-27: 20 days ahead is within warn_days (30).
    edit(
        &root.join("content/site.yaml"),
        "valid_until: 2028-05-01",
        "valid_until: 2026-12-17",
    );
    let run = build(root, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let dashboard = read_text(&root.join("internal/index.html"));
    assert!(dashboard.contains("1 certificate expiring"), "{dashboard}");
    let calendar = read_text(&root.join("internal/calendar/index.html"));
    let row = &calendar[calendar
        .find("<td>2026-12-17</td>")
        .expect("the expiry dated")..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(
        row.contains("Due soon") && row.contains("Certificate expiry") && row.contains("ISO"),
        "{row}"
    );
}

/// The AI system inventory names each system's supplier records, as its page does.
#[test]
fn the_system_inventory_lists_each_systems_suppliers() {
    let dir = common::built_sample();
    let page = read_text(&dir.path().join("internal/systems/index.html"));
    let row = (page.split("<tr>"))
        .find(|row| row.contains("Churn risk model"))
        .expect("the churn model's row");
    for name in ["Example Analytics GmbH", "Example Cloud Europe SE"] {
        assert!(row.contains(name), "{name} missing from {row}");
    }
    assert!(row.contains("suppliers/sup-002/index.html"), "{row}");
}

/// Right after `init`, every control's justification is a placeholder: the gap analysis,
/// the roadmap and `gaps.csv` call them not yet assessed, as the SoA does, and claim
/// none planned.
#[test]
fn controls_not_yet_assessed_are_no_planned_gaps() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    let run = common::trustbook(&["init", root.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = build(&root, &["--quiet"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let page = |path: &str| read_text(&root.join("internal").join(path));
    let (gaps, roadmap, csv) = (
        page("gaps/index.html"),
        page("roadmap/index.html"),
        page("gaps.csv"),
    );
    let g = counts(&gaps);
    assert!(g["open-controls"] > 30, "{gaps}");
    assert_eq!(g["gaps-not-assessed"], g["open-controls"], "{gaps}");
    for page in [&gaps, &roadmap] {
        assert!(!page.contains("status-planned"), "{page}");
        assert!(page.contains("status-not-yet-assessed"), "{page}");
    }
    let rows: Vec<&str> = csv.lines().skip(1).collect();
    assert_eq!(rows.len(), g["open-controls"], "{csv}");
    assert!(
        rows.iter().all(|r| r.contains(",not-yet-assessed,")),
        "{csv}"
    );
}
