//! `new KIND`: one well-formed record with the next free id, so that nobody copies files by
//! hand. Each stub checks without errors (its TODOs are there to be replaced) and is
//! internal until someone decides otherwise.

use crate::load::Site;
use crate::load::date::Date;
use std::path::PathBuf;

/// The kinds `new` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum NewKind {
    Policy,
    Control,
    System,
    Risk,
    Supplier,
    Objective,
    Audit,
    Action,
    Party,
    Assessment,
}

/// The path (under the site) and text of a new record of `kind`.
pub fn stub(site: &Site, kind: NewKind, today: Date) -> Result<(PathBuf, String), String> {
    let year = today.to_string()[..4].to_string();
    let in_a_year = Date(today.0 + chrono::Duration::days(365));
    let (folder, id) = match kind {
        NewKind::Policy => ("policies", next_id(site, "POL-", 3, "policies")),
        NewKind::Control => ("controls", unrecorded_control(site)?),
        NewKind::System => ("systems", next_id(site, "SYS-", 3, "systems")),
        NewKind::Risk => ("risks", next_id(site, "RSK-", 3, "risks")),
        NewKind::Supplier => ("suppliers", next_id(site, "SUP-", 3, "suppliers")),
        NewKind::Objective => ("objectives", next_id(site, "OBJ-", 3, "objectives")),
        NewKind::Audit => (
            "audits",
            next_id(site, &format!("AUD-{year}-"), 2, "audits"),
        ),
        NewKind::Action => (
            "actions",
            next_id(site, &format!("CA-{year}-"), 2, "actions"),
        ),
        NewKind::Party => ("parties", next_id(site, "PTY-", 3, "parties")),
        NewKind::Assessment => ("assessments", next_id(site, "AIA-", 3, "assessments")),
    };
    let text = match kind {
        NewKind::Policy => format!(
            "---\nid: {id}\ntitle: \"TODO: title\"\ndoc_type: policy\nversion: \"0.1\"\nstatus: draft\n\
             owner: \"TODO: owner role\"\nnext_review: {in_a_year}\nvisibility: internal\n---\n\n\
             # TODO: title\n\nTODO: what this policy requires, of whom.\n"
        ),
        NewKind::Control => format!(
            "id: {id}\napplicable: true\n\
             justification: \"TODO: why this control is included, or set applicable: false and status: not-applicable and say why it is excluded\"\n\
             status: planned\nowner: \"TODO: owner role\"\ntarget_date: {in_a_year}\n"
        ),
        NewKind::System => format!(
            "id: {id}\nname: \"TODO: name\"\ndescription: \"TODO: what it does\"\n\
             role: deployer                 # provider | deployer | provider-and-deployer\n\
             purpose: \"TODO: why it is used\"\n\
             lifecycle: design              # design | development | production | retired\n\
             risk_class: minimal            # high | limited | minimal | gpai | not-in-scope\n\
             human_oversight: \"TODO: who can check, override or stop it\"\n\
             owner: \"TODO: owner role\"\nnext_review: {in_a_year}\n"
        ),
        NewKind::Risk => format!(
            "id: {id}\ntitle: \"TODO: what could go wrong\"\ndescription: \"TODO: how, and to whom\"\n\
             owner: \"TODO: owner role\"\nlikelihood: 3                  # 1-5\nimpact: 3                      # 1-5\n\
             treatment: avoid               # mitigate (name controls) | accept (say who, when) | avoid | transfer\n\
             status: open                   # open | treated | closed\nnext_review: {in_a_year}\n"
        ),
        NewKind::Supplier => {
            // Assumed to train until its contract says otherwise: on a site that says no
            // model does, `check` refuses the stub, and the stub says why.
            let site_says_none = (site.config.as_ref())
                .and_then(|c| c.data.ai_data_use.as_ref())
                .is_some_and(|use_| !use_.trains_on_customer_data);
            let why = match site_says_none {
                true => {
                    "# Until the contract says otherwise, assume it does. site.yaml's ai_data_use says\n\
                         # no model is trained on customer data: `check` refuses this record until its\n\
                         # contract confirms `false` here.\n"
                }
                false => "# Until the contract says otherwise, assume it does.\n",
            };
            format!(
                "id: {id}\nname: \"TODO: legal name\"\nservice: \"TODO: what is used\"\n\
                 purpose: \"TODO: why\"\nkind: tooling                  # ai-model-provider | hosting | data-processor | tooling\n\
                 {why}trains_on_customer_data: true\n\
                 since: {today}\nowner: \"TODO: owner role\"\nnext_review: {in_a_year}\n"
            )
        }
        NewKind::Objective => format!(
            "id: {id}\nstatement: \"TODO: what the AI management system will achieve\"\n\
             measure: \"TODO: how it is measured\"\ntarget: \"TODO: the value, and by when\"\n\
             owner: \"TODO: owner role\"\nstatus: on-track               # on-track | at-risk | off-track | achieved | dropped\n\
             next_review: {in_a_year}\n"
        ),
        NewKind::Audit => format!(
            "id: {id}\ntitle: \"TODO: what is audited\"\nscope: []                      # clauses and controls, such as [\"9\", A.6]\n\
             start: {today}\nauditor: \"TODO: who audits\"\nindependence: \"TODO: why they are independent of what they audit\"\n\
             status: planned                # planned | in-progress | completed\nfindings: []\n"
        ),
        NewKind::Action => format!(
            "id: {id}\ntitle: \"TODO: the nonconformity, in a few words\"\n\
             source: other                  # audit-finding (with audit and finding) | incident | management-review | complaint | other\n\
             severity: minor                # minor | major\ndescription: \"TODO: what happened\"\n\
             raised_on: {today}\nowner: \"TODO: owner role\"\nsteps: []\n"
        ),
        NewKind::Party => format!(
            "id: {id}\nname: \"TODO: who\"\nneeds: [\"TODO: what they need and expect\"]\n\
             engagement: \"TODO: how you engage them\"\nowner: \"TODO: owner role\"\nnext_review: {in_a_year}\n"
        ),
        NewKind::Assessment => {
            let system = unassessed_system(site)?;
            format!(
                "id: {id}\nsystem: {system}\ndate: {today}\nassessor: \"TODO: who assessed\"\n\
                 affected: [\"TODO: people and groups affected\"]\n\
                 residual_impact: \"TODO: what remains after mitigation\"\n\
                 decision: proceed-with-conditions   # proceed | proceed-with-conditions | do-not-proceed\n\
                 conditions: \"TODO: the conditions\"\nnext_review: {in_a_year}\n"
            )
        }
    };
    let extension = if kind == NewKind::Policy {
        "md"
    } else {
        "yaml"
    };
    let name = match kind {
        NewKind::Control => crate::urls::control_slug(&id),
        _ => id.to_lowercase(),
    };
    Ok((
        PathBuf::from(format!("content/{folder}/{name}.{extension}")),
        text,
    ))
}

/// `PREFIX` followed by one more than the highest number any record's id has after it.
fn next_id(site: &Site, prefix: &str, width: usize, folder: &str) -> String {
    let highest = (crate::load::each_record_file(site))
        .filter_map(|(id, _)| id.strip_prefix(prefix)?.parse::<u32>().ok())
        .max()
        .unwrap_or(0);
    // Past any file already named as the next id would be (one copied and given another
    // id, say): the new record never takes another's file.
    let taken = |id: &str| {
        let name = id.to_lowercase();
        ["md", "yaml", "yml"].iter().any(|extension| {
            (site
                .content
                .join(folder)
                .join(format!("{name}.{extension}")))
            .exists()
        })
    };
    (highest + 1..)
        .map(|n| format!("{prefix}{n:0width$}"))
        .find(|id| !taken(id))
        .unwrap_or_default()
}

/// The first control of the site's frameworks with no record yet.
fn unrecorded_control(site: &Site) -> Result<String, String> {
    let frameworks = site.config.as_ref().map(|c| &c.data.frameworks);
    let recorded: crate::hash::HashSet<&str> =
        site.controls.iter().map(|c| c.data.id.as_str()).collect();
    (site.catalogs.iter())
        .filter(|c| frameworks.is_some_and(|f| f.contains(&c.catalog.framework)))
        .flat_map(|c| &c.catalog.controls)
        .find(|control| !recorded.contains(control.id.as_str()))
        .map(|control| control.id.clone())
        .ok_or_else(|| {
            "every control of the frameworks in site.yaml has a record; to add one of your own, add it to a catalogue in content/catalogs/ first".to_string()
        })
}

/// The first AI system with no impact assessment yet.
fn unassessed_system(site: &Site) -> Result<String, String> {
    (site.systems.iter())
        .find(|s| {
            s.data.impact_assessment.is_none()
                && !site.assessments.iter().any(|a| a.data.system == s.data.id)
        })
        .map(|s| s.data.id.clone())
        .ok_or_else(|| {
            "every AI system has an impact assessment; add the system first (`trustbook new system`)"
                .to_string()
        })
}
