//! The certification claim on the public page is a statement of fact: `certified` needs
//! everything a reader would verify it by (who certified what, under which number, until
//! when), an expired certificate is an error rather than a claim, and one about to expire
//! is a warning. A certificate file offered publicly must be a public asset.

use super::value_at;
use crate::finding::{Code, Finding};
use crate::load::date::Date;
use crate::load::records::{SiteConfig, Visibility};
use crate::load::{Record, Site};
use crate::publish::{AssetRefusal, Assets};
use std::path::Path;

pub fn check(
    site: &Site,
    config: &Record<SiteConfig>,
    assets: &Assets,
    today: Date,
    findings: &mut Vec<Finding>,
) {
    let mut seen: Vec<String> = Vec::new();
    for (entry, cert) in config.data.all_certifications() {
        // Compared as a reader sees it: case, spaces of any kind and invisible characters
        // do not make another standard.
        let standard: String = (cert.standard.split_whitespace())
            .flat_map(|w| w.chars().chain([' ']))
            .filter(|c| !crate::load::markers::is_invisible(*c))
            .collect::<String>()
            .trim()
            .to_lowercase();
        if seen.contains(&standard) {
            findings.push(
                Finding::new(
                    Code::DuplicateId,
                    format!("`{}` is listed twice among the certifications", cert.standard),
                )
                .at(value_at(config.file, &config.positions, &format!("{entry}.standard")))
                .help("keep one entry per standard: the current certificate (an earlier one goes when it is renewed)"),
            );
        }
        seen.push(standard);
        check_one(site, config, assets, today, &entry, cert, findings);
    }
}

/// The lifecycle rules of one certification, whose entry in site.yaml is at `entry`.
fn check_one(
    site: &Site,
    config: &Record<SiteConfig>,
    assets: &Assets,
    today: Date,
    entry: &str,
    cert: &crate::load::records::Certification,
    findings: &mut Vec<Finding>,
) {
    let at = |field: &str| value_at(config.file, &config.positions, &format!("{entry}.{field}"));
    let blank = |text: Option<&str>| text.is_none_or(|t| t.trim().is_empty());
    if cert.standard.trim().is_empty() {
        findings.push(
            Finding::new(Code::MissingField, "a certification without its `standard`")
                .at(at("standard"))
                .help("name the standard or scheme, as `ISO/IEC 42001:2023` or `SOC 2 Type II`"),
        );
    }
    for (field, text) in [
        ("standard", Some(cert.standard.as_str())),
        ("certifier", cert.certifier.as_deref()),
        ("scope", cert.scope.as_deref()),
    ] {
        if let Some(word) = text.and_then(crate::publish::placeholder) {
            findings.push(
                Finding::new(
                    Code::PlaceholderText,
                    format!(
                        "`{field}` still says `{word}`, and the certification is listed as written"
                    ),
                )
                .at(at(field))
                .help("write what the certificate says"),
            );
        }
    }
    if let (Some(issued), Some(until)) = (cert.issued_on, cert.valid_until)
        && issued > until
    {
        findings.push(
            Finding::new(
                Code::DatesOutOfOrder,
                format!("issued on {issued}, after it stops being valid on {until}"),
            )
            .at(at("issued_on"))
            .help("check both dates against the certificate"),
        );
    }
    if let Some(issued) = cert.issued_on.filter(|d| *d > today) {
        findings.push(
            Finding::new(Code::DateInFuture, format!("issued on {issued}, which is after today"))
                .at(at("issued_on"))
                .help("enter a certificate when it has been issued; until then its status is `in_progress`"),
        );
    }
    if cert.status.held() {
        let missing = [
            ("certifier", blank(cert.certifier.as_deref())),
            ("certificate_id", blank(cert.certificate_id.as_deref())),
            (
                "scope",
                cert.scope.as_deref().is_none_or(|s| s.trim().is_empty()),
            ),
            ("valid_until", cert.valid_until.is_none()),
        ];
        for (field, absent) in missing {
            let path = format!("{entry}.{field}");
            if absent && !super::reported_at(findings, config.file, &config.positions, &path) {
                findings.push(
                    Finding::new(
                        Code::MissingField,
                        format!("missing field `{field}` of the `{}` certification: a `{}` status is shown publicly with who certified what, under which number, until when", cert.standard, crate::model::internal::serde_plain(&cert.status)),
                    )
                    .at(at("status"))
                    .help(format!("add `{field}: …` to this certification, or set `status: in_progress` until the certificate is issued")),
                );
            }
        }
        if let Some(until) = cert.valid_until {
            let days = today.days_until(until);
            if days < 0 {
                findings.push(
                    Finding::new(
                        Code::CertificationExpired,
                        format!("the `{}` certificate expired on {until}, {}: the public page would claim a certification that no longer holds", cert.standard.trim(), super::from_today(days)),
                    )
                    .at(at("valid_until"))
                    .help("enter the renewed certificate's number and `valid_until`, or set `status: in_progress` (recertification) or `none`"),
                );
            } else if days <= i64::from(config.data.review.warn_days) {
                findings.push(
                    Finding::new(
                        Code::CertificationExpiring,
                        format!("the `{}` certificate expires on {until}, {}", cert.standard.trim(), super::from_today(days)),
                    )
                    .at(at("valid_until"))
                    .help("plan the recertification audit; once the date passes, `check` and `build` fail (`certification-expired`) until the renewed certificate is entered"),
                );
            }
        }
    }
    if let Some(file) = &cert.certificate_file {
        let full = crate::load::files::inside_content(file).map(|p| site.content.join(p));
        if let Some(full) = full.filter(|full| !full.is_file()) {
            let names: Vec<String> = (full.parent().and_then(|p| std::fs::read_dir(p).ok()))
                .into_iter()
                .flatten()
                .filter_map(|e| e.ok()?.file_name().into_string().ok())
                .collect();
            let name = full
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let near = crate::finding::did_you_mean(&name, names.iter().map(String::as_str));
            findings.push(
                Finding::new(
                    Code::EvidenceMissing,
                    if full.is_dir() {
                        format!("content/{file} is a folder, not the certificate's file")
                    } else {
                        format!("no file at content/{file}")
                    },
                )
                .at(at("certificate_file"))
                .label(near)
                .help("put the certificate under content/assets/ and give its path from content/"),
            );
            return;
        }
        // A restricted or internal certificate is sent on request or kept in the handbook:
        // it need not be a public file.
        if cert.visibility != Visibility::Public {
            return;
        }
        let refusal = match assets.public_file(Path::new(file)) {
            Ok(_) => return,
            Err(AssetRefusal::Escapes(why))
            | Err(AssetRefusal::Internal(why))
            | Err(AssetRefusal::Active(why)) => why,
        };
        findings.push(
            Finding::new(
                Code::AssetNotPublic,
                format!("`certificate_file` `{file}` cannot be published: {refusal}"),
            )
            .at(at("certificate_file"))
            .help("put the certificate (as the certifier issued it for publication) under content/assets/, outside assets/internal/, and give its path from content/, for example `assets/iso42001-certificate.pdf`"),
        );
    }
}
