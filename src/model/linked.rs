//! The records each document's body links to, for the handbook's backlinks. `serve` keeps
//! them between saves: a save that moves no record leaves every other body's links leading
//! where they led, and at N = 10,000 resolving 45,000 links again was a third of the
//! handbook model's time.

use crate::generations::Generations;
use crate::links::{Resolved, Resolver, Target};
use crate::load::{Document, Site, each_record_file};
use rayon::prelude::*;
use std::sync::{Arc, OnceLock};

/// Kept by `serve` (`build::Reuse`); `build` resolves every link once anyway.
#[derive(Default)]
pub struct LinkedRecords(Generations<Key, Arc<[Box<str>]>>);

/// What one document's linked records are made from: which record each path holds (a
/// hash of every record's path and id), the document's text and its path (hashed), which
/// its links are relative to.
type Key = (u64, u64, u64);

impl LinkedRecords {
    pub fn start(&self) {
        drop(self.0.start());
    }
}

/// For each document of `site`, in order, the ids of the other records its body links
/// to (each link once, as written). `records`: `records_by_path(site)`, made by the
/// caller, which needs it too.
pub fn each_document(
    site: &Site,
    kept: Option<&LinkedRecords>,
    records: u64,
) -> Vec<Arc<[Box<str>]>> {
    let resolver = OnceLock::new();
    let resolve = |document: &Document| -> Arc<[Box<str>]> {
        let resolver = resolver.get_or_init(|| Resolver::new(site));
        let own = document.record.data.id.as_str();
        (document.outline.links.iter())
            .filter_map(
                |link| match resolver.resolve(document.record.file, &link.dest) {
                    Ok(Some(Resolved {
                        target: Target::Record(target),
                        ..
                    })) if target != own => Some(Box::from(target)),
                    _ => None,
                },
            )
            .collect()
    };
    (site.documents.par_iter())
        .map(|document| {
            let Some(kept) = kept else {
                return resolve(document);
            };
            let file = document.record.file;
            let path = site.sources.path(file).as_os_str().as_encoded_bytes();
            let key = (
                records,
                site.sources.get(file).hash(),
                xxhash_rust::xxh3::xxh3_64(path),
            );
            if let Some(known) = kept.0.find(&key, |known| Some(Arc::clone(known))) {
                return known;
            }
            let linked = resolve(document);
            kept.0.insert(key, Arc::clone(&linked));
            linked
        })
        .collect()
}

/// A hash of which record each source path holds: a sum of each pair's hash, the same
/// whatever order the records are in. xxh3, stable between runs: page keys kept beside a
/// build's output hold it.
pub fn records_by_path(site: &Site) -> u64 {
    use xxhash_rust::xxh3::{xxh3_64, xxh3_64_with_seed};
    (each_record_file(site))
        .map(|(id, file)| {
            let path = site.sources.path(file).as_os_str().as_encoded_bytes();
            xxh3_64_with_seed(path, xxh3_64(id.as_bytes()))
        })
        .fold(0, u64::wrapping_add)
}
