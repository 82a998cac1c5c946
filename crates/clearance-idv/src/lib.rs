//! Document analysis for Clearance: MRZ parsing with check-digit-confirmed OCR
//! correction, the supported-documents table, and (feature `ocr`) reading the MRZ
//! from an image plus image-quality verdicts. No clock, network or global state: how PDFs are
//! rasterised ([`pdf_isolation`]) is passed to whatever decodes them.

#[cfg(feature = "ocr")]
pub mod analysis;
pub mod check;
pub mod country;
pub mod date;
pub mod documents;
mod error;
#[cfg(feature = "faces")]
pub mod face;
#[cfg(feature = "ocr")]
pub mod image;
pub mod mrz;
#[cfg(feature = "ocr")]
pub mod ocr;
#[cfg(feature = "ocr")]
pub mod pdf_isolation;
#[cfg(feature = "ocr")]
pub mod pdf_text;
#[cfg(feature = "ocr")]
pub mod quality;
#[cfg(feature = "ocr")]
mod resize;
pub mod visual_zone;

pub use country::{CodeKind, CountryCode};
pub use date::Date;
pub use documents::{
    DocumentType, Side, SupportedDocument, supported_documents, two_sides_expected,
};
pub use error::{IdvError, Result};
#[cfg(feature = "ocr")]
pub use image::{DecodeLimits, DocumentImage};
pub use mrz::{MrzDocument, MrzFormat};
#[cfg(feature = "ocr")]
pub use ocr::{MrzReader, MrzReading, ReadFrame};
