//! The dated snapshot of official screening lists compiled into the binary (`data/lists/`), so a
//! fresh server screens against real lists with no import step. `serve` imports it when the
//! database holds no screening list at all; an operator's own imports replace it list by list.

use std::path::Path;

use anyhow::Context;
use clearance_core::store::Store;
use clearance_core::time::{date_of, parse_date};
use clearance_engines::screening::{ImportOptions, import_list};
use clearance_screening::Format;

/// One list of the snapshot: its files, byte for byte as published, and its publication date.
pub struct SnapshotList {
    pub folder: &'static str,
    pub format: Format,
    /// `YYYY-MM-DD`.
    pub published: &'static str,
    /// The file to import (for OFAC, the folder the files are written to).
    pub entry: &'static str,
    pub files: &'static [(&'static str, &'static [u8])],
}

macro_rules! list_file {
    ($folder:literal, $name:literal) => {
        (
            $name,
            include_bytes!(concat!("../../../data/lists/", $folder, "/", $name)).as_slice(),
        )
    };
}

/// The lists shipped with this build (provenance and terms: `data/lists/README.md`).
pub const SNAPSHOT: &[SnapshotList] = &[
    SnapshotList {
        folder: "ofac_sdn_2024-05-03",
        format: Format::OfacCsv,
        published: "2024-05-03",
        entry: "",
        files: &[list_file!("ofac_sdn_2024-05-03", "sdn.csv")],
    },
    SnapshotList {
        folder: "ofac_cons_2025-12",
        format: Format::OfacCsv,
        published: "2025-12-19",
        entry: "",
        files: &[
            list_file!("ofac_cons_2025-12", "cons_prim.csv"),
            list_file!("ofac_cons_2025-12", "cons_alt.csv"),
            list_file!("ofac_cons_2025-12", "cons_add.csv"),
            list_file!("ofac_cons_2025-12", "cons_comments.csv"),
        ],
    },
    SnapshotList {
        folder: "un_sc_2026-02-27",
        format: Format::UnXml,
        published: "2026-02-27",
        entry: "consolidated_2026-02-27.xml",
        files: &[list_file!(
            "un_sc_2026-02-27",
            "consolidated_2026-02-27.xml"
        )],
    },
];

impl SnapshotList {
    /// Whole days between the list's publication and `now_ms`.
    pub fn age_days(&self, now_ms: i64) -> i64 {
        parse_date(self.published)
            .map(|published| (date_of(now_ms) - published).num_days())
            .unwrap_or_default()
    }
}

/// Imports the snapshot when the store holds no screening list, writing its files to a scratch
/// folder under `work_dir` first (the importers read files). Returns how many lists it imported;
/// none when any list is already there, so an operator's own lists are never replaced.
///
/// # Errors
/// A scratch folder that cannot be written, or a list the importer refuses.
pub async fn import_if_empty(
    store: &dyn Store,
    work_dir: &Path,
    max_age_days: i64,
    now_ms: i64,
) -> anyhow::Result<usize> {
    if !store.screening_lists().await?.is_empty() {
        return Ok(0);
    }
    std::fs::create_dir_all(work_dir)
        .with_context(|| format!("creating {}", work_dir.display()))?;
    let scratch = tempfile::Builder::new()
        .prefix("lists-snapshot")
        .tempdir_in(work_dir)
        .with_context(|| format!("creating a scratch folder in {}", work_dir.display()))?;
    let mut imported = 0;
    for list in SNAPSHOT {
        let folder = scratch.path().join(list.folder);
        std::fs::create_dir_all(&folder)?;
        for (name, bytes) in list.files {
            std::fs::write(folder.join(name), bytes)?;
        }
        let path = folder.join(list.entry);
        let options = ImportOptions {
            published: Some(list.published),
            ..ImportOptions::default()
        };
        let summary = import_list(store, list.format, &path, options, now_ms)
            .await
            .map_err(anyhow::Error::msg)
            .with_context(|| format!("importing the shipped list {}", list.folder))?;
        tracing::info!(
            list = %summary.list.name,
            published = list.published,
            entities = summary.list.entity_count,
            "imported a shipped screening list on first start"
        );
        let age = list.age_days(now_ms);
        if age > max_age_days {
            tracing::warn!(
                list = %summary.list.name,
                published = list.published,
                age_days = age,
                "this screening list is older than CLEARANCE_LISTS_MAX_AGE_DAYS; import a current copy with `clearance lists import`"
            );
        }
        imported += 1;
    }
    Ok(imported)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_list_has_a_valid_date_and_files() {
        for list in SNAPSHOT {
            assert!(parse_date(list.published).is_some(), "{}", list.folder);
            assert!(list.files.iter().all(|(_, bytes)| bytes.len() > 1000));
        }
        // 2026-03-01 is two days after the UN list's date.
        let un = &SNAPSHOT[2];
        assert_eq!(un.age_days(1_772_323_200_000), 2);
    }
}
