//! AML screening engine: list parsers, name normalisation, an immutable candidate index and a name-part-aware scorer.

pub mod batch;
mod countries;
pub mod custom;
mod engine;
mod error;
pub mod eval;
pub mod lists;
mod model;
pub mod normalize;
mod query;
pub mod self_check;

pub use countries::country_code;
pub use engine::{IndexBuilder, IndexStats, MatchKind, ScreeningIndex, token_similarity};
pub use error::{Result, ScreeningError};
pub use lists::{Format, load};
pub use model::{
    Classification, Entity, EntityKind, Gender, Identifier, IdentifierKind, Name, NameQuality,
    ParsedList, PartialDate, RecordError, SourceList,
};
pub use query::{
    DEFAULT_THRESHOLD, Explanation, Match, PartMatch, Qualifier, Query, QueryKind, ScreenOptions,
    SearchMode, parse_query_line, screen_jsonl,
};
pub use self_check::{SELF_CHECK_SAMPLE, SELF_CHECK_SEED, SelfCheck, self_check};
