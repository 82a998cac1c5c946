//! The CPU-bound part of a document check, run on a blocking thread: decode the images, apply the
//! quality gate, read the MRZ and the visual zone (with `clearance_idv::analysis::analyse_document`)
//! and compare the two sides.

use clearance_idv::analysis::analyse_document;
use clearance_idv::check::{Declared, Verdict};
use clearance_idv::pdf_isolation::PdfRendering;
use clearance_idv::quality::DOCUMENT_TYPE_UNDETECTED;
use clearance_idv::visual_zone::VisualZoneFindings;
use clearance_idv::{Date, DecodeLimits, DocumentImage, IdvError, MrzDocument, MrzReader, Side};

/// What reading the images gave.
pub(crate) enum Reading {
    /// The images cannot be analysed; the code says why (`image_unreadable`, `under_exposure`,
    /// `excessive_glare`, `document_type_undetected`, …). The
    /// check ends `not_processed`.
    Unusable(&'static str),
    /// The declared type carries no ICAO MRZ (driving licences): nothing this engine reads.
    NoMrzExpected,
    /// The MRZ was read.
    Mrz {
        document: Box<MrzDocument>,
        /// `frontAndBackAnalysis.frontAndBackMatch`.
        front_and_back: Verdict,
        /// The visual zone against the MRZ.
        visual_zone: VisualZoneFindings,
    },
}

impl Reading {
    /// A short reason for logs (never personal data).
    pub(crate) fn code(&self) -> &'static str {
        match self {
            Reading::Unusable(code) => code,
            Reading::NoMrzExpected => "no_mrz_expected",
            Reading::Mrz { .. } => "mrz_read",
        }
    }
}

/// Reads a document from its encoded images (JPEG or PNG).
///
/// # Errors
/// Recogniser failures ([`IdvError::Inference`]); undecodable images are
/// [`Reading::Unusable`], not errors.
pub(crate) fn read(
    reader: &MrzReader,
    front: &[u8],
    back: Option<&[u8]>,
    declared: &Declared,
    today: Date,
    pdf: &PdfRendering,
) -> Result<Reading, IdvError> {
    let analysis = match analyse_document(reader, front, back, declared, today, pdf) {
        Err(IdvError::ImageUnreadable(_)) => return Ok(Reading::Unusable("image_unreadable")),
        other => other?,
    };
    if let Some(code) = analysis.quality_problem() {
        return Ok(Reading::Unusable(code));
    }
    if analysis.mrz_missing() {
        return Ok(Reading::Unusable(DOCUMENT_TYPE_UNDETECTED));
    }
    let Some((side, reading)) = analysis.mrz else {
        return Ok(Reading::NoMrzExpected);
    };
    let front_and_back = front_and_back(reader, side, front, back, today, pdf)?;
    Ok(Reading::Mrz {
        document: Box::new(reading.document),
        front_and_back,
        visual_zone: analysis
            .visual_zone
            .unwrap_or(VisualZoneFindings::NOT_PROCESSED),
    })
}

/// Whether the two images plausibly are the two sides of one document. Without reading the
/// visual zone this can only catch the evident mismatches, and that is all it claims:
/// `attention` when both images are the same file, or when the side without the MRZ also shows
/// a valid MRZ (the same side twice, or two documents); `clear` otherwise; `not_processed` with
/// one side.
fn front_and_back(
    reader: &MrzReader,
    mrz_side: Side,
    front: &[u8],
    back: Option<&[u8]>,
    today: Date,
    pdf: &PdfRendering,
) -> Result<Verdict, IdvError> {
    let Some(back) = back else {
        return Ok(Verdict::NotProcessed);
    };
    if front == back {
        return Ok(Verdict::Attention);
    }
    let other = match mrz_side {
        Side::Front => back,
        Side::Back => front,
    };
    let other = match DocumentImage::decode_with(other, DecodeLimits::default(), pdf) {
        Ok(image) => image,
        Err(IdvError::ImageUnreadable(_)) => return Ok(Verdict::NotProcessed),
        Err(e) => return Err(e),
    };
    let second = reader.read(&other, today)?;
    Ok(if second.is_some_and(|r| r.document.checksums_valid()) {
        Verdict::Attention
    } else {
        Verdict::Clear
    })
}
