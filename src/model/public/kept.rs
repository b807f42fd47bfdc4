//! What `serve` keeps of the public model between saves: each published body's public
//! text (internal blocks and comments removed) by its source's text, and where its links
//! lead by what they are resolved against. At N = 10,000, making both again for 2,500
//! public bodies was most of the public model's time, and a save changes one.

use crate::generations::Generations;
use crate::load::outline::Outline;
use std::collections::BTreeMap;
use std::sync::Arc;

#[derive(Default)]
pub struct KeptBodies {
    /// By the hash of the source's text (which its body and outline are made from).
    texts: Generations<u64, PublicText>,
    /// By `LinksKey`; only bodies whose links all lead to records, the home page or
    /// another site: an asset's audience and a missing file are asked of the file system.
    links: Generations<LinksKey, Arc<BTreeMap<String, Option<String>>>>,
}

/// A body's public text, its hash and its outline.
#[derive(Clone)]
pub struct PublicText {
    pub markdown: crate::model::BodyText,
    pub hash: u64,
    pub outline: Arc<Outline>,
}

/// What a body's links are resolved against besides its text (`environment`), the
/// source's text and its path (hashed).
pub type LinksKey = (u64, u64, u64);

impl KeptBodies {
    pub fn start(&self) {
        drop(self.texts.start());
        drop(self.links.start());
    }

    pub fn text(&self, source_hash: u64, make: impl FnOnce() -> PublicText) -> PublicText {
        if let Some(known) = self.texts.find(&source_hash, |text| Some(text.clone())) {
            return known;
        }
        let made = make();
        self.texts.insert(source_hash, made.clone());
        made
    }

    pub fn links(&self, key: &LinksKey) -> Option<Arc<BTreeMap<String, Option<String>>>> {
        self.links.find(key, |links| Some(Arc::clone(links)))
    }

    pub fn keep_links(&self, key: LinksKey, links: Arc<BTreeMap<String, Option<String>>>) {
        self.links.insert(key, links);
    }
}
