//! AML screening engine: list parsers, name normalisation, an immutable candidate index and a name-part-aware scorer.

mod countries;
mod error;
pub mod lists;
mod model;

pub use countries::country_code;
pub use error::{Result, ScreeningError};
pub use lists::{Format, load};
pub use model::{
    Classification, Entity, EntityKind, Gender, Identifier, IdentifierKind, Name, NameQuality,
    ParsedList, PartialDate, RecordError, SourceList,
};
