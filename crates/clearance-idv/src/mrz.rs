//! Machine-readable zones (ICAO Doc 9303): parsing of all five formats, check
//! digits, OCR correction confirmed by check digits, and rendering.
//!
//! Entry point: [`parse`]. It never reads the clock; pass "today" in.

mod chars;
mod correct;
mod format;
mod name;
mod parse;
mod render;
mod translit;
mod types;

#[cfg(test)]
mod tests;

pub use chars::{
    CharClass, FILLER, char_value, check_digit, check_digit_matches, digit_lookalikes,
    letter_lookalikes,
};
// For the glyph decisions of the OCR reader.
#[cfg(feature = "ocr")]
pub(crate) use correct::{checked_spans, class_at};
pub use format::MrzFormat;
pub use name::MrzName;
pub use parse::{parse, parse_lines};
pub use render::{MrzFields, render};
pub use translit::mrz_spellings;
pub use types::{
    CheckOutcome, CheckResult, CheckedField, Correction, CorrectionReason, MrzDate, MrzDocument,
    MrzDocumentKind, MrzIssue, Position, Sex,
};
