//! The site's own statements to buyers: how customer data meets AI (`ai_data_use`) must
//! agree with what the AI systems and suppliers record of themselves, and the security
//! contact must be somewhere a report can be sent.

use super::value_at;
use crate::finding::{Code, Finding};
use crate::load::date::Date;
use crate::load::records::{Lifecycle, SiteConfig, Visibility};
use crate::load::{Record, Site};
use crate::model::SupplierState;

pub fn check(site: &Site, config: &Record<SiteConfig>, today: Date, findings: &mut Vec<Finding>) {
    let at = |path: &str| value_at(config.file, &config.positions, path);
    if let Some(statement) = &config.data.ai_data_use {
        if !statement.trains_on_customer_data {
            let systems = (site.systems.iter())
                .filter(|s| s.data.lifecycle != Lifecycle::Retired)
                .filter(|s| s.data.customer_data_used_for_training == Some(true))
                .map(|s| {
                    (
                        s.file,
                        &s.positions,
                        "customer_data_used_for_training",
                        &s.data.id,
                        "AI system",
                        crate::publish::of(&s.data).shown == Visibility::Public,
                    )
                });
            let suppliers = (site.suppliers.iter())
                .filter(|s| SupplierState::of(&s.data, today) != SupplierState::Ended)
                .filter(|s| s.data.trains_on_customer_data)
                .map(|s| {
                    (
                        s.file,
                        &s.positions,
                        "trains_on_customer_data",
                        &s.data.id,
                        "supplier",
                        crate::publish::of(&s.data).shown == Visibility::Public,
                    )
                });
            for (file, positions, field, id, noun, public) in systems.chain(suppliers) {
                let help = match public {
                    true => "correct whichever is wrong: the public page would state both",
                    // The page states the site's sentence alone, which this record denies.
                    false => {
                        "correct whichever is wrong: the public page says no model is trained on customer data, which this record (not published) says is untrue"
                    }
                };
                findings.push(
                    Finding::new(
                        Code::DataUseContradiction,
                        format!("`ai_data_use` says no model is trained on customer data, but {noun} `{id}` says it is"),
                    )
                    .at(at("ai_data_use.trains_on_customer_data"))
                    .note(value_at(file, positions, field), "this record says customer data is used for training")
                    .help(help),
                );
            }
        }
        let allowed: Vec<String> = statement
            .locations
            .iter()
            .map(|l| l.trim().to_lowercase())
            .collect();
        if !allowed.is_empty() {
            for supplier in (site.suppliers.iter())
                .filter(|s| SupplierState::of(&s.data, today) != SupplierState::Ended)
            {
                for (i, location) in supplier.data.locations.iter().enumerate() {
                    if is_covered(location, &allowed) {
                        continue;
                    }
                    findings.push(
                        Finding::new(
                            Code::DataUseContradiction,
                            format!("supplier `{}` processes data in `{location}`, which `ai_data_use.locations` does not list", supplier.data.id),
                        )
                        .at(value_at(supplier.file, &supplier.positions, &format!("locations.{i}")))
                        .note(at("ai_data_use.locations"), "the site's statement lists these")
                        .help("add the location to `ai_data_use.locations` in site.yaml, in the same words, or correct the supplier's `locations`"),
                    );
                }
            }
        }
    }
    let email = config.data.contact.email.trim();
    if !is_email(email) || email.contains(':') {
        findings.push(
            Finding::new(
                Code::BadValue,
                format!("`contact.email` must be an email address, not `{}`", email.escape_debug()),
            )
            .at(at("contact.email"))
            .help("every public page links to it (questions, concerns, requests for documents): give an address someone reads, such as `ai-governance@example.com`"),
        );
    }
    // What `trustbook init` wrote, left as it was: the public page would name the example.
    let examples = [
        ("title", &config.data.title, INIT_TITLE),
        ("organisation", &config.data.organisation, INIT_ORGANISATION),
    ];
    for (field, written, example) in examples {
        if written.trim() == example {
            findings.push(
                Finding::new(
                    Code::PlaceholderText,
                    format!("`{field}` is still `trustbook init`'s example, `{example}`, and the public site shows it"),
                )
                .at(at(field))
                .help("write your organisation's own name (and check `contact.email`, which every public page links to)"),
            );
        }
    }
    if email.eq_ignore_ascii_case(INIT_EMAIL) {
        findings.push(
            Finding::new(
                Code::PlaceholderText,
                format!("`contact.email` is still `trustbook init`'s example, `{INIT_EMAIL}`: every public page links to it, and no one reads it"),
            )
            .at(at("contact.email"))
            .help("write the address where your organisation answers questions and concerns about its AI"),
        );
    }
    if let Some(security) = &config.data.contact.security {
        let value = security.trim();
        let lower = value.to_ascii_lowercase();
        let address = lower.strip_prefix("mailto:").map_or(value, |_| &value[7..]);
        let fine = if lower.starts_with("https://") {
            is_https_uri(value)
        } else {
            !address.contains(':') && is_email(address)
        };
        if !fine {
            findings.push(
                Finding::new(Code::BadValue, format!("`contact.security` must be an email address or an https:// address, not `{}`", security.escape_debug()))
                    .at(at("contact.security"))
                    .help("give the address reports go to, such as `security@example.com` or `https://example.com/security` (one line, no spaces; security.txt takes it as written)"),
            );
        }
    }
    let language = &config.data.language;
    if !is_language_tag(language) {
        findings.push(
            Finding::new(
                Code::BadValue,
                format!(
                    "`language` `{}` is not a language tag",
                    language.escape_debug()
                ),
            )
            .at(at("language"))
            .help("use a tag such as `en`, `de` or `en-GB`"),
        );
    }
    if let Some(policy) = &config.data.contact.security_policy {
        let lower = policy.trim().to_ascii_lowercase();
        if lower.starts_with("https://") && is_https_uri(policy.trim()) {
            return;
        }
        if lower.contains("://") || lower.starts_with("mailto:") {
            findings.push(
                Finding::new(Code::BadValue, format!("`contact.security_policy` must be an https:// address or a document id, not `{}`", policy.escape_debug()))
                    .at(at("contact.security_policy"))
                    .help("RFC 9116 takes only https:// web addresses: give the policy's https address, or the id of a public document"),
            );
            return;
        }
        let document = site.documents.iter().find(|d| d.record.data.id == *policy);
        let problem = match document {
            None => Some((
                Code::MissingReference,
                format!(
                    "`contact.security_policy` `{policy}` is neither a web address nor a document id"
                ),
            )),
            Some(d) if crate::model::document_visibility(d) != Visibility::Public => Some((
                Code::LinkToNonPublic,
                format!(
                    "`contact.security_policy` names `{policy}`, which is not published: security.txt would point at nothing"
                ),
            )),
            Some(_) => None,
        };
        if let Some((code, message)) = problem {
            findings.push(
                Finding::new(code, message)
                    .at(at("contact.security_policy"))
                    .help("give the id of a public, published document (your vulnerability disclosure policy) or its web address"),
            );
        }
    }
}

/// The title and organisation `trustbook init` writes in site.yaml.
const INIT_TITLE: &str = "Example Organisation — AI Trust Centre";
const INIT_ORGANISATION: &str = "Example Organisation Ltd";
const INIT_EMAIL: &str = "ai-governance@example.com";

/// An address with one `@`, something before it and a dot after it, in printable ASCII
/// without spaces or angle brackets: enough to refuse `TODO`, a bare name, a URL without
/// its scheme, and anything that would break a line of security.txt.
fn is_email(value: &str) -> bool {
    let Some((local, domain)) = value.split_once('@') else {
        return false;
    };
    !local.is_empty() && domain.contains('.') && !domain.contains('@') && is_uri_text(value)
}

/// An https address with a host, written as a URI may be (printable ASCII, no spaces,
/// quotes or angle brackets): what security.txt and a link can carry as written.
pub fn is_https_uri(value: &str) -> bool {
    let Some(rest) = value
        .get(8..)
        .filter(|_| value[..8].eq_ignore_ascii_case("https://"))
    else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    !host.is_empty() && !host.contains('@') && is_uri_text(value)
}

fn is_uri_text(value: &str) -> bool {
    value
        .bytes()
        .all(|b| b.is_ascii_graphic() && !b"<>\"{}|\\^`".contains(&b))
}

/// A BCP 47 tag as a page's `lang` takes it: letters, then subtags of letters or digits.
fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let primary = parts.next().unwrap_or("");
    (2..=8).contains(&primary.len())
        && primary.bytes().all(|b| b.is_ascii_alphabetic())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// The member states of the European Union and the other states of the European Economic
/// Area, by ISO 3166-1 code: a supplier in `DE` is covered by a statement that says `EU`.
const EU: &[&str] = &[
    "at", "be", "bg", "hr", "cy", "cz", "dk", "ee", "fi", "fr", "de", "gr", "hu", "ie", "it", "lv",
    "lt", "lu", "mt", "nl", "pl", "pt", "ro", "sk", "si", "es", "se",
];
const EEA_ONLY: &[&str] = &["is", "li", "no"];

/// Whether the statement's locations (lower case) include `location`, word for word or as
/// a country of the EU or EEA it names.
fn is_covered(location: &str, allowed: &[String]) -> bool {
    let location = location.trim().to_lowercase();
    let says = |word: &str| allowed.iter().any(|a| a == word);
    says(&location)
        || (EU.contains(&location.as_str()) && (says("eu") || says("eea")))
        || (EEA_ONLY.contains(&location.as_str()) && says("eea"))
        || (location == "eu" && says("eea"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_examples_are_what_init_writes() {
        let site = include_str!("../init/site.yaml");
        assert!(site.contains(&format!("title: \"{INIT_TITLE}\"")));
        assert!(site.contains(&format!("organisation: \"{INIT_ORGANISATION}\"")));
    }

    #[test]
    fn countries_of_the_eu_are_covered_by_eu() {
        let allowed = vec!["eu".to_string(), "us".to_string()];
        assert!(is_covered("DE", &allowed) && is_covered(" US ", &allowed));
        assert!(!is_covered("NO", &allowed) && !is_covered("CH", &allowed));
        assert!(is_covered("NO", &["eea".to_string()]));
        assert!(is_email("security@example.com") && !is_email("TODO") && !is_email("a@b"));
        assert!(!is_email("sec urity@example.com") && !is_email("<a@example.com>"));
        assert!(is_https_uri(
            "https://example.com/report?to=security@example.com"
        ));
        assert!(!is_https_uri("https:///path") && !is_https_uri("https://user:pw@example.com/"));
        assert!(!is_https_uri(
            "https://example.com/\nContact: mailto:evil@evil"
        ));
        assert!(!is_https_uri("http://example.com/") && !is_https_uri("https://example.com/a b"));
        assert!(is_language_tag("en") && is_language_tag("en-GB") && !is_language_tag("en\nX"));
        assert!(!is_language_tag("de_DE") && !is_language_tag(""));
    }
}
