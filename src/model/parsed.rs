//! A record in a model, as its source file parsed it, together with the hash of that
//! file's text.
//!
//! Readers (templates, JSON, CSV: human-readable forms) see the record. Page keys (the
//! binary form `render::cache::hash_of` hashes) see the text's hash instead: a record is
//! made from its file's text alone (the parse is cached by that hash, and the program
//! that parses it is in every key), so the hash stands for it, and a save does not
//! serialize 10,000 records' every field to learn that they did not change.

use serde::{Serialize, Serializer};

#[derive(Debug)]
pub struct Parsed<'a, T> {
    record: &'a T,
    /// `SourceFile::hash` of the file the record was parsed from.
    text_hash: u64,
}

impl<'a, T> Parsed<'a, T> {
    /// `record` must be what the text hashed as `text_hash` parses to, alone.
    pub fn new(record: &'a T, text_hash: u64) -> Self {
        Parsed { record, text_hash }
    }

    pub fn get(&self) -> &'a T {
        self.record
    }
}

impl<T> Clone for Parsed<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Parsed<'_, T> {}

impl<T> std::ops::Deref for Parsed<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.record
    }
}

impl<T: Serialize> Serialize for Parsed<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match serializer.is_human_readable() {
            true => self.record.serialize(serializer),
            false => serializer.serialize_u64(self.text_hash),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Page<'a> {
        url: &'a str,
        record: Parsed<'a, Vec<&'a str>>,
    }

    #[test]
    fn readers_see_the_record_and_keys_its_text_hash() {
        let record = vec!["id: R-1", "title: Wrong answers"];
        let page = |text_hash| Page {
            url: "risks/r-1/",
            record: Parsed::new(&record, text_hash),
        };
        let json = serde_json::to_string(&page(7)).unwrap();
        assert_eq!(
            json,
            r#"{"url":"risks/r-1/","record":["id: R-1","title: Wrong answers"]}"#
        );
        let key = |text_hash| crate::render::cache::hash_of(&page(text_hash));
        assert_eq!(key(7), key(7));
        assert_ne!(key(7), key(8), "another text, another key");
        let long = bincode::serialize(&record).unwrap().len();
        assert_eq!(bincode::serialize(&page(7)).unwrap().len(), 8 + 10 + 8);
        assert!(long > 8, "the record itself is not hashed");
    }
}
