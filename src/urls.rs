//! Where each record is published (docs/format.md §6). Shared by `check` (collisions) and the writers.

use crate::load::DocKind;

pub fn document(kind: DocKind, stem: &str) -> String {
    format!("{}/{stem}/", kind.folder())
}

pub fn system(stem: &str) -> String {
    format!("systems/{stem}/")
}

/// A control's page: its id lowercased, dots to dashes.
///
/// ```
/// assert_eq!(trustbook::urls::control("A.6.2.4"), "controls/a-6-2-4/");
/// ```
pub fn control(id: &str) -> String {
    format!("controls/{}/", control_slug(id))
}

/// A control id as a file or folder name: lower case, dots to dashes (`a-6-2-4`).
pub fn control_slug(id: &str) -> String {
    id.to_lowercase().replace('.', "-")
}

pub fn risk(id: &str) -> String {
    format!("risks/{}/", id.to_lowercase())
}

pub fn objective(id: &str) -> String {
    format!("objectives/{}/", id.to_lowercase())
}

pub fn audit(id: &str) -> String {
    format!("audits/{}/", id.to_lowercase())
}

pub fn action(id: &str) -> String {
    format!("actions/{}/", id.to_lowercase())
}

pub fn party(id: &str) -> String {
    format!("parties/{}/", id.to_lowercase())
}

pub fn assessment(id: &str) -> String {
    format!("assessments/{}/", id.to_lowercase())
}

/// A supplier's row on the public suppliers page. Prefixed, so that no id (`main`,
/// `current`) can take an id the page itself uses.
pub fn supplier_anchor(id: &str) -> String {
    format!("supplier-{}", id.to_lowercase())
}

/// A supplier's page in the handbook.
pub fn supplier(id: &str) -> String {
    format!("suppliers/{}/", id.to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_follow_the_spec() {
        assert_eq!(control("A.6.2.4"), "controls/a-6-2-4/");
        assert_eq!(risk("RSK-007"), "risks/rsk-007/");
        assert_eq!(
            document(DocKind::Policy, "ai-policy"),
            "policies/ai-policy/"
        );
        assert_eq!(system("helpdesk-bot"), "systems/helpdesk-bot/");
    }
}
