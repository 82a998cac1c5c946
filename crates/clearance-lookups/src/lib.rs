//! Company and address lookups: importers that read registers and address files in their
//! publishers' formats into the records of `clearance_core::lookups`, and the tantivy index each
//! node builds from the imported datasets to answer searches.

pub mod addresses;
pub mod companies;
pub mod dataset;
pub mod engine;
pub mod import;
pub mod normalize;
mod schema;

pub use engine::LookupEngine;
