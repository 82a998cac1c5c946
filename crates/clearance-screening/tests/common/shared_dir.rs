//! Helpers shared by the integration tests: locating the shared data folder.
#![allow(dead_code)]

use std::path::PathBuf;

/// The `shared/data/sanctions` folder, or `None` (after printing a skip line) when absent.
pub fn sanctions_dir() -> Option<PathBuf> {
    let base = std::env::var_os("CLEARANCE_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    let dir = base.join("data/sanctions");
    if dir.is_dir() {
        Some(dir)
    } else {
        println!("skipped: shared data not found at {}", dir.display());
        None
    }
}
