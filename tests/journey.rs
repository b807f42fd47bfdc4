//! The ISO/IEC 42001 journey pages of the internal handbook, on the good fixture with a few
//! controls and a risk added to make ties.

mod common;

use common::{build, files_under, site};
use std::fs;
use std::path::Path;

fn journey_site() -> tempfile::TempDir {
    let dir = site(None);
    let content = dir.path().join("content");
    let write = |path: &str, text: &str| fs::write(content.join(path), text).unwrap();
    write(
        "risks/r-3.yaml",
        "id: R-3\ntitle: Unsafe release\ndescription: A model ships untested.\nowner: Head of ML\nlikelihood: 4\nimpact: 4\ntreatment: mitigate\ncontrols: [ACME-2, A.6.2.5]\nstatus: open\n",
    );
    // Same risk and date as ACME-2: the id breaks the tie.
    write(
        "controls/a-6-2-5.yaml",
        "id: A.6.2.5\napplicable: true\njustification: Deployments need a plan.\nstatus: planned\nowner: Head of ML\ntarget_date: 2027-02-01\n",
    );
    // Linked the other way (the control names the risk), later date.
    let path = content.join("controls/a-6-2-4.yaml");
    fs::write(&path, fs::read_to_string(&path).unwrap() + "risks: [R-3]\n").unwrap();
    // No linked risk and a past target date: last, and overdue.
    write(
        "controls/a-6-2-6.yaml",
        "id: A.6.2.6\napplicable: true\njustification: Monitoring.\nstatus: planned\nowner: Head of Support\ntarget_date: 2026-10-01\n",
    );
    let run = build(dir.path(), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    dir
}

fn page(root: &Path, path: &str) -> String {
    fs::read_to_string(root.join("internal").join(path)).unwrap()
}

#[test]
fn the_gap_list_is_the_applicable_controls_not_implemented() {
    let dir = journey_site();
    let csv = page(dir.path(), "gaps.csv");
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("id,title,objective,status,owner,target_date,overdue,risks")
    );
    let mut ids: Vec<&str> = lines.map(|l| l.split(',').next().unwrap()).collect();
    ids.sort();
    // ACME-1 is implemented and ACME-3 excluded: neither is a gap.
    assert_eq!(ids, ["A.6.2.4", "A.6.2.5", "A.6.2.6", "ACME-2"]);
    assert!(csv.contains("A.6.2.6,AI system operation and monitoring,A.6.2 AI system life cycle,planned,Head of Support,2026-10-01,yes,"));
    let gaps = page(dir.path(), "gaps/index.html");
    assert!(gaps.contains(
        "<span data-count=\"open-controls\">4</span> applicable controls are not yet implemented"
    ));
}

#[test]
fn the_roadmap_follows_its_stated_order() {
    let dir = journey_site();
    let roadmap = page(dir.path(), "roadmap/index.html");
    assert!(
        roadmap.contains("highest inherent risk first"),
        "the rule is stated"
    );
    let list =
        &roadmap[roadmap.find("<ol class=\"roadmap\">").unwrap()..roadmap.find("</ol>").unwrap()];
    let order: Vec<usize> = ["A.6.2.5 ", "ACME-2 ", "A.6.2.4 ", "A.6.2.6 "]
        .iter()
        .map(|id| list.find(id).unwrap())
        .collect();
    assert!(
        order.windows(2).all(|w| w[0] < w[1]),
        "order: {order:?}\n{list}"
    );
    let overdue_item = &list[list.find("A.6.2.6 ").unwrap()..];
    assert!(
        overdue_item.contains("Overdue"),
        "a past target date is marked in words"
    );
    assert!(roadmap.contains("<h3>2027 Q1</h3>") && roadmap.contains("<h3>2026 Q4</h3>"));
}

/// The part of the roles page about one role.
fn role_section(roles: &str, name: &str) -> String {
    let start = roles
        .find(&format!("\">{name}"))
        .unwrap_or_else(|| panic!("no role {name}"));
    let rest = &roles[start..];
    rest[..rest.find("</section>").unwrap()].to_string()
}

#[test]
fn each_role_lists_exactly_what_it_owns() {
    let dir = journey_site();
    let roles = page(dir.path(), "roles/index.html");
    let ml = role_section(&roles, "Head of ML");
    assert!(
        ml.contains("Controls (3)")
            && ml.contains("ACME-1 ")
            && ml.contains("A.6.2.4 ")
            && ml.contains("A.6.2.5 ")
    );
    assert!(ml.contains("Risks (1)") && ml.contains("R-3 "));
    assert!(ml.contains("AI systems (0)") && ml.contains("Documents (0)"));
    let support = role_section(&roles, "Head of Support");
    assert!(support.contains("Controls (1)") && support.contains("A.6.2.6 "));
    assert!(support.contains("AI systems (1)") && support.contains("Helpdesk chatbot"));
    assert!(support.contains("Risks (2)"));
    assert!(
        support.contains("1 overdue"),
        "a role with overdue items stands out"
    );
    assert!(!ml.contains("overdue</span>"));
    let governance = role_section(&roles, "Head of AI Governance");
    assert!(governance.contains("Documents (1)") && governance.contains("AI Policy"));
}

#[test]
fn the_regulation_map_and_review_pack_come_from_the_records() {
    let dir = journey_site();
    let regulation = page(dir.path(), "regulation/index.html");
    assert!(regulation.contains("<h2>eu-ai-act</h2>"));
    assert!(regulation.contains("Art. 13"));
    assert!(regulation.contains("Helpdesk chatbot</a>: Deployer"));
    let review = page(dir.path(), "review/index.html");
    for expected in [
        "Management review pack",
        "Open roadmap items",
        "A.6.2.6 AI system operation and monitoring",
        "Overdue reviews",
    ] {
        assert!(review.contains(expected), "{expected}");
    }
}

#[test]
fn none_of_it_reaches_the_public_site() {
    let dir = journey_site();
    let public = files_under(&dir.path().join("public"));
    for (name, bytes) in &public {
        for internal in ["gaps", "roadmap", "roles/", "regulation/", "review/"] {
            assert!(!name.starts_with(internal), "public/{name}");
        }
        let text = String::from_utf8_lossy(bytes);
        assert!(
            !text.contains("Gap analysis") && !text.contains("Implementation roadmap"),
            "public/{name}"
        );
    }
    let index = fs::read_to_string(dir.path().join("public/index.html")).unwrap();
    assert!(index.contains(
        "Under the EU AI Act, Example AI Ltd is a deployer of the AI systems listed here."
    ));
}
