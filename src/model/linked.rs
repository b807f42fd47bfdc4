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
/// to (each link once, as written).
pub fn each_document(site: &Site, kept: Option<&LinkedRecords>) -> Vec<Arc<[Box<str>]>> {
    let records = kept.map(|_| records_by_path(site));
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
            let (Some(kept), Some(records)) = (kept, records) else {
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn copy_tree(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            let target = to.join(entry.file_name());
            match entry.file_type().unwrap().is_dir() {
                true => copy_tree(&entry.path(), &target),
                false => drop(std::fs::copy(entry.path(), target).unwrap()),
            }
        }
    }

    /// Each document's linked ids, as kept and as resolved afresh.
    fn linked(root: &Path, kept: &LinkedRecords) -> (Vec<Vec<String>>, Vec<Vec<String>>) {
        let site = crate::load::load(root, &mut Vec::new()).unwrap();
        let ids = |each: Vec<Arc<[Box<str>]>>| -> Vec<Vec<String>> {
            (each.iter())
                .map(|ids| ids.iter().map(|id| id.to_string()).collect())
                .collect()
        };
        kept.start();
        (
            ids(each_document(&site, Some(kept))),
            ids(each_document(&site, None)),
        )
    }

    #[test]
    fn kept_links_follow_a_record_that_moves() {
        let dir = tempfile::tempdir().unwrap();
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/good");
        copy_tree(&fixture, dir.path());
        let kept = LinkedRecords::default();
        let (first, fresh) = linked(dir.path(), &kept);
        assert_eq!(first, fresh);
        assert!(first.iter().flatten().any(|id| id == "ACME-1"), "{first:?}");
        assert_eq!(linked(dir.path(), &kept).0, first, "kept");

        // The linked file now holds another record: the policy's text is unchanged.
        let controls = dir.path().join("content/controls");
        let acme_1 = std::fs::read_to_string(controls.join("acme-1.yaml")).unwrap();
        let acme_2 = std::fs::read_to_string(controls.join("acme-2.yaml")).unwrap();
        std::fs::write(controls.join("acme-1.yaml"), &acme_2).unwrap();
        std::fs::write(controls.join("acme-2.yaml"), &acme_1).unwrap();
        let (moved, fresh) = linked(dir.path(), &kept);
        assert_eq!(moved, fresh);
        assert!(moved.iter().flatten().any(|id| id == "ACME-2"), "{moved:?}");
        assert!(
            !moved.iter().flatten().any(|id| id == "ACME-1"),
            "{moved:?}"
        );
    }
}
