//! Live AML screening: imported lists stored in the database (`lists`), what each import
//! changed (`delta`), the in-memory index every node builds from them (`catalogue`), and the
//! analyser that screens a check's client and shapes the ComplyCube result (`analyser`,
//! `result`).

pub mod analyser;
pub mod catalogue;
pub mod delta;
pub mod lists;
pub mod monitoring;
mod result;

pub use analyser::ScreeningEngine;
pub use catalogue::{Catalogue, LoadedLists};
pub use delta::{DeltaRecords, all_delta_entities, delta_records, diff};
pub use lists::{
    ImportOptions, ImportSummary, default_list_name, import_list, load_stored_entities,
};
pub use monitoring::{DeltaSearch, IndexedDelta};
