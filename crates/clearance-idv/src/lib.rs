//! Document analysis for Clearance: MRZ parsing with check-digit-confirmed OCR
//! correction, the supported-documents table, and (feature `ocr`) reading the MRZ
//! from an image plus image-quality verdicts. No clock, network or global state.

pub mod country;
pub mod date;
pub mod documents;
mod error;
pub mod mrz;

pub use country::{CodeKind, CountryCode};
pub use date::Date;
pub use documents::{
    DocumentType, Side, SupportedDocument, supported_documents, two_sides_expected,
};
pub use error::{IdvError, Result};
pub use mrz::{MrzDocument, MrzFormat};
