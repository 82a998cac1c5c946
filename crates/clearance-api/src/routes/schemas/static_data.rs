//! Static data: `clearance_core::static_data` types.

pub use clearance_core::static_data::SupportedDocuments;
