//! Files that records point at (evidence, impact assessments) must exist inside `content/`;
//! evidence past its expiry date is flagged.

use super::value_at;
use crate::finding::{Code, Finding};
use crate::load::Site;
use crate::load::date::Date;
use crate::load::files::{inside_content, resolve_inside};
use crate::load::yaml::Positions;

fn check_path(
    site: &Site,
    file: usize,
    positions: &Positions,
    field: &str,
    path: &str,
    findings: &mut Vec<Finding>,
) {
    let at = value_at(file, positions, field);
    let Some(relative) = inside_content(path) else {
        findings.push(
            Finding::new(
                Code::PathOutsideContent,
                format!("`{path}` is outside content/"),
            )
            .at(at)
            .help("paths are relative to content/, for example `assets/evidence/report.pdf`"),
        );
        return;
    };
    let full = site.content.join(&relative);
    if full.is_dir() {
        findings.push(
            Finding::new(
                Code::EvidenceMissing,
                format!("content/{} is a folder, not a file", relative.display()),
            )
            .at(at)
            .help("name each piece of evidence by its own file"),
        );
    } else if !full.exists() {
        findings.push(
            Finding::new(
                Code::EvidenceMissing,
                format!("no file at content/{}", relative.display()),
            )
            .at(at)
            .help("add the file, or fix the path (relative to content/)"),
        );
    } else if let Err(reason) = resolve_inside(&full, &site.content) {
        findings.push(Finding::new(Code::PathOutsideContent, format!("`{path}`: {reason}")).at(at));
    }
}

/// `https://…` or `http://…`: an address outside the site, not a file in it.
pub fn is_web_address(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://")) && lower.len() > 8
}

/// An implemented control whose evidence has all expired claims what nothing current
/// shows: the status stays, the claim needs fresh evidence.
fn implemented_without_current_evidence(site: &Site, today: Date, findings: &mut Vec<Finding>) {
    for control in &site.controls {
        let data = &control.data;
        if data.implemented_on_expired_evidence(today) {
            findings.push(
                Finding::new(
                    Code::NoCurrentEvidence,
                    format!("`{}` is implemented, but all its evidence has expired", data.id),
                )
                .at(value_at(control.file, &control.positions, "status"))
                .help("add current evidence (a new item with its `collected_on` and `expires_on`), or change the status to what can be shown"),
            );
        }
    }
}

pub fn check(site: &Site, today: Date, findings: &mut Vec<Finding>) {
    implemented_without_current_evidence(site, today, findings);
    let warn_days = site
        .config
        .as_ref()
        .map_or(30, |config| config.data.review.warn_days);
    // Controls and suppliers hold evidence of the same shape.
    let controls = (site.controls.iter()).map(|c| (c.file, &c.positions, &c.data.evidence));
    let suppliers = (site.suppliers.iter()).map(|s| (s.file, &s.positions, &s.data.evidence));
    for (file, positions, list) in controls.chain(suppliers) {
        for (i, evidence) in list.iter().enumerate() {
            if let Some(path) = &evidence.path {
                check_path(
                    site,
                    file,
                    positions,
                    &format!("evidence.{i}.path"),
                    path,
                    findings,
                );
            }
            if let Some(url) = evidence.url.as_deref().filter(|u| !is_web_address(u)) {
                findings.push(
                    Finding::new(
                        Code::BadValue,
                        format!("evidence `url` `{url}` is not a web address"),
                    )
                    .at(value_at(
                        file,
                        positions,
                        &format!("evidence.{i}.url"),
                    ))
                    .help("use `url:` for an https:// address, and `path:` for a file under content/ (evidence files are never published)"),
                );
            }
            let expiring = evidence
                .expires_on
                .filter(|&d| (0..=i64::from(warn_days)).contains(&today.days_until(d)));
            if let Some(expires) = expiring {
                findings.push(
                    Finding::new(
                        Code::EvidenceExpiring,
                        format!(
                            "evidence \"{}\" expires on {expires}, {}",
                            evidence.title,
                            super::from_today(today.days_until(expires))
                        ),
                    )
                    .at(value_at(
                        file,
                        positions,
                        &format!("evidence.{i}.expires_on"),
                    ))
                    .help("plan to collect fresh evidence; the window is `review.warn_days` in site.yaml"),
                );
            }
            if let Some(expires) = evidence.expires_on.filter(|&d| d < today) {
                findings.push(
                    Finding::new(
                        Code::EvidenceExpired,
                        format!("evidence \"{}\" expired on {expires}", evidence.title),
                    )
                    .at(value_at(
                        file,
                        positions,
                        &format!("evidence.{i}.expires_on"),
                    ))
                    .help("collect fresh evidence and update `collected_on` and `expires_on`"),
                );
            }
        }
    }
    for audit in &site.audits {
        if let Some(path) = &audit.data.report {
            check_path(site, audit.file, &audit.positions, "report", path, findings);
        }
    }
    for system in &site.systems {
        if let Some(path) = system
            .data
            .impact_assessment
            .as_ref()
            .and_then(|a| a.path.as_ref())
        {
            check_path(
                site,
                system.file,
                &system.positions,
                "impact_assessment.path",
                path,
                findings,
            );
        }
    }
}
