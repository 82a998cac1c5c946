//! One call for a document check: decode each side, judge image quality, find
//! and read the MRZ on the side where the declared type carries it, and derive
//! the findings and extracted data. The caller decides the outcome from these.

use std::fmt;

use crate::check::{Declared, ExtractedData, MrzFindings, assess_mrz, extract};
use crate::date::Date;
use crate::documents::Side;
use crate::error::Result;
use crate::image::{DecodeLimits, DocumentImage};
use crate::ocr::{MrzReader, MrzReading};
use crate::pdf_isolation::PdfRendering;
use crate::quality::{QualityReport, assess};
use crate::visual_zone::{TextLine, VisualZoneFindings, compare};

/// Everything the engine found on one document.
#[derive(Clone)]
pub struct DocumentAnalysis {
    /// Quality of the front.
    pub front_quality: QualityReport,
    /// Quality of the back, when one was given.
    pub back_quality: Option<QualityReport>,
    /// Whether the declared type carries an ICAO MRZ at all.
    pub mrz_expected: bool,
    /// The MRZ read, if any, and the side it was on.
    pub mrz: Option<(Side, MrzReading)>,
    /// Verdicts derived from the MRZ.
    pub findings: Option<MrzFindings>,
    /// Data extracted from the MRZ.
    pub extracted: Option<ExtractedData>,
    /// The visual zone against the MRZ, when an MRZ was read.
    pub visual_zone: Option<VisualZoneFindings>,
}

impl DocumentAnalysis {
    /// The 422-style code of the first image-quality problem (front first), if any:
    /// a check with such images ends `not_processed`.
    #[must_use]
    pub fn quality_problem(&self) -> Option<&'static str> {
        self.front_quality
            .issues
            .iter()
            .chain(self.back_quality.iter().flat_map(|q| q.issues.iter()))
            .map(|i| i.api_code())
            .next()
    }

    /// Whether an MRZ was expected for the declared type but none was read
    /// (maps to `document_type_undetected` when the caller treats it as fatal).
    #[must_use]
    pub fn mrz_missing(&self) -> bool {
        self.mrz_expected && self.mrz.is_none()
    }
}

impl fmt::Debug for DocumentAnalysis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DocumentAnalysis")
            .field("front_quality", &self.front_quality.issues)
            .field(
                "back_quality",
                &self.back_quality.as_ref().map(|q| &q.issues),
            )
            .field("mrz_side", &self.mrz.as_ref().map(|(s, _)| *s))
            .field("findings", &self.findings)
            .field("visual_zone", &self.visual_zone)
            .finish_non_exhaustive()
    }
}

/// Analyses a document from its encoded images (JPEG/PNG bytes).
///
/// The MRZ is looked for first on the side where the declared type prints it
/// (the back of ID cards, the data page of passports), then on the other side.
///
/// # Errors
/// [`crate::IdvError::ImageUnreadable`] when a side cannot be decoded;
/// [`crate::IdvError::Inference`] when the recogniser fails.
pub fn analyse_document(
    reader: &MrzReader,
    front: &[u8],
    back: Option<&[u8]>,
    declared: &Declared,
    today: Date,
    pdf: &PdfRendering,
) -> Result<DocumentAnalysis> {
    let decode = |bytes| DocumentImage::decode_with(bytes, DecodeLimits::default(), pdf);
    let front = decode(front)?;
    let back = back.map(decode).transpose()?;
    let info = declared.document_type.info();
    let mrz_expected = !info.mrz_formats.is_empty();
    let mut mrz = None;
    if mrz_expected {
        let mut order = vec![(Side::Front, &front)];
        if let Some(b) = &back {
            if info.mrz_side == Some(Side::Back) {
                order.insert(0, (Side::Back, b));
            } else {
                order.push((Side::Back, b));
            }
        }
        for (side, image) in order {
            if let Some(reading) = reader.read(image, today)? {
                let valid = reading.document.checksums_valid();
                if mrz.is_none() || valid {
                    mrz = Some((side, reading));
                }
                if valid {
                    break;
                }
            }
        }
    }
    let findings = mrz
        .as_ref()
        .map(|(_, r)| assess_mrz(&r.document, declared, today));
    let extracted = mrz.as_ref().map(|(_, r)| extract(&r.document));
    let visual_zone = match &mrz {
        Some((side, reading)) => {
            let (mrz_image, other) = match side {
                Side::Front => (&front, back.as_ref()),
                Side::Back => (back.as_ref().unwrap_or(&front), Some(&front)),
            };
            Some(read_visual_zone(reader, reading, mrz_image, other, today)?)
        }
        None => None,
    };
    Ok(DocumentAnalysis {
        front_quality: assess(&front),
        back_quality: back.as_ref().map(assess),
        mrz_expected,
        mrz,
        findings,
        extracted,
        visual_zone,
    })
}

/// Reads the visual zone of the side with the MRZ (above the MRZ), then of the other side if
/// that did not answer everything (ID cards print names and birth date on the front, the
/// MRZ on the back), and compares it with the MRZ.
///
/// # Errors
/// [`crate::IdvError::Inference`] when the recogniser fails.
pub fn read_visual_zone(
    reader: &MrzReader,
    reading: &MrzReading,
    mrz_image: &DocumentImage,
    other: Option<&DocumentImage>,
    today: Date,
) -> Result<VisualZoneFindings> {
    let doc = &reading.document;
    let first = reader.read_page_text(mrz_image, Some(reading), &mut |lines| {
        compare(doc, &[lines], today).complete()
    })?;
    let mut findings = compare(doc, &[&first], today);
    if let Some(other) = other.filter(|_| !findings.complete()) {
        let second: Vec<TextLine> = reader.read_page_text(other, None, &mut |lines| {
            compare(doc, &[&first, lines], today).complete()
        })?;
        findings = compare(doc, &[&first, &second], today);
    }
    Ok(findings)
}
