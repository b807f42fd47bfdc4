//! Markdown with internal blocks: the outline and the public text of any body, never a
//! panic; the public text has no internal-block marker left and no HTML comment opening.
#![no_main]
use libfuzzer_sys::fuzz_target;
use trustbook::load::outline::{INTERNAL_OPEN, outline};
use trustbook::model::strip::public_body;

fuzz_target!(|body: &str| {
    let found = outline(body);
    let public = public_body(body, &found.internal_blocks);
    let again = outline(&public);
    assert!(again.internal_blocks.is_empty(), "an internal block survived");
    if found.marker_errors.is_empty() {
        assert!(!again.links.iter().any(|l| l.in_internal_block));
        assert!(!public.lines().any(|l| l.trim() == INTERNAL_OPEN), "an opening marker survived");
    }
});
