//! JSON Schemas of the sources, generated from the very types that read them (so that the
//! editor's idea of a record cannot drift from `check`'s), for `trustbook schema` and the
//! editors `init` sets up. The types that read YAML by hand say here what they accept.

use super::date::Date;
use super::records::{Dpa, Score, Text};
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use std::borrow::Cow;

impl JsonSchema for Date {
    fn schema_name() -> Cow<'static, str> {
        "Date".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "format": "date",
            "description": "A date, YYYY-MM-DD"
        })
    }
}

impl JsonSchema for Text {
    fn schema_name() -> Cow<'static, str> {
        "Text".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        // `version: 2.1` or `clauses: [5.2]` are read as text, as written.
        json_schema!({ "type": ["string", "number", "boolean"] })
    }
}

impl JsonSchema for Score {
    fn schema_name() -> Cow<'static, str> {
        "Score".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "integer",
            "minimum": 1,
            "maximum": 5,
            "description": "1 (lowest) to 5 (highest)"
        })
    }
}

impl JsonSchema for Dpa {
    fn schema_name() -> Cow<'static, str> {
        "Dpa".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "Whether a data-processing agreement is signed, or the https:// address of it",
            "anyOf": [
                { "type": "boolean" },
                { "type": "string", "pattern": "^https?://" }
            ]
        })
    }
}

/// Each kind of source: its folder (or file) under `content/`, and the schema of what it
/// holds (for Markdown files, of their front matter).
pub fn schemas() -> Vec<(&'static str, &'static str, Schema)> {
    use super::aims::*;
    use super::records::*;
    vec![
        ("site", "site.yaml", schemars::schema_for!(SiteConfig)),
        (
            "document",
            "policies/*.md, pages/*.md (front matter)",
            schemars::schema_for!(DocumentMeta),
        ),
        (
            "control",
            "controls/*.yaml",
            schemars::schema_for!(ControlRecord),
        ),
        (
            "system",
            "systems/*.yaml",
            schemars::schema_for!(SystemRecord),
        ),
        ("risk", "risks/*.yaml", schemars::schema_for!(RiskRecord)),
        (
            "supplier",
            "suppliers/*.yaml",
            schemars::schema_for!(SupplierRecord),
        ),
        (
            "objective",
            "objectives/*.yaml",
            schemars::schema_for!(ObjectiveRecord),
        ),
        ("audit", "audits/*.yaml", schemars::schema_for!(AuditRecord)),
        (
            "action",
            "actions/*.yaml",
            schemars::schema_for!(ActionRecord),
        ),
        (
            "party",
            "parties/*.yaml",
            schemars::schema_for!(PartyRecord),
        ),
        (
            "assessment",
            "assessments/*.yaml",
            schemars::schema_for!(AssessmentRecord),
        ),
        ("catalog", "catalogs/*.yaml", catalog_schema()),
    ]
}

/// trustbook's own catalogue, or an OSCAL catalogue (which `check` reads and checks; the
/// editor only needs to know that it is allowed here).
fn catalog_schema() -> Schema {
    let mut own = schemars::schema_for!(super::records::Catalog);
    let (Some(dialect), Some(definitions)) = (own.remove("$schema"), own.remove("$defs")) else {
        return own;
    };
    let title = own.remove("title");
    json_schema!({
        "$schema": dialect,
        "title": title,
        "$defs": definitions,
        "anyOf": [
            own,
            {
                "description": "An OSCAL catalog (JSON or YAML): its groups are read as objectives, its controls as control ids and titles",
                "type": "object",
                "required": ["catalog"]
            }
        ]
    })
}
