//! The front-matter splitter: any text splits or gives a located error, never a panic,
//! and the parts it returns are slices of the input at the offsets it says.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Ok(split) = trustbook::load::front_matter::split(text) {
        assert_eq!(&text[split.yaml_start..split.yaml_start + split.yaml.len()], split.yaml);
        assert_eq!(&text[split.body_start..], split.body);
    }
});
