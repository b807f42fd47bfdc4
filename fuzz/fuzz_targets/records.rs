//! Record parsing: any text gives a record or findings, never a panic, and every finding
//! points inside the text.
#![no_main]
use libfuzzer_sys::fuzz_target;
use trustbook::load::records::{ControlRecord, DocumentMeta, SiteConfig};
use trustbook::load::yaml::{Origin, parse};

fuzz_target!(|text: &str| {
    let origin = Origin { file: 0, base: 0, text };
    let mut findings = Vec::new();
    parse::<ControlRecord>(&origin, ControlRecord::REQUIRED, &mut findings);
    parse::<DocumentMeta>(&origin, DocumentMeta::REQUIRED, &mut findings);
    parse::<SiteConfig>(&origin, SiteConfig::REQUIRED, &mut findings);
    for finding in findings {
        if let Some(at) = finding.at {
            assert!(at.span.start <= at.span.end && at.span.end <= text.len(), "{:?} outside the text", at.span);
        }
    }
});
