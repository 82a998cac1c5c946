//! Autofill: the data of a document read from one image (the MRZ, and the issue date from the
//! visual zone), with where each field came from and how far it can be trusted. The confidences
//! are rules, not model scores, so they explain themselves: a field guarded by a check digit that
//! matches is as sure as the MRZ gets; a field no digit guards is trusted less, and less again
//! when the MRZ's digits do not all match. Names and birth date also say whether the visual zone
//! agrees.

use clearance_core::autofill::{Autofill, AutofillReading, FieldSource};
use clearance_idv::analysis::read_visual_zone;
use clearance_idv::check::Verdict;
use clearance_idv::mrz::CheckedField;
use clearance_idv::pdf_isolation::PdfRendering;
use clearance_idv::visual_zone::VisualZoneFindings;
use clearance_idv::{Date, DecodeLimits, DocumentImage, IdvError, MrzDocument, MrzReader, quality};
use indexmap::IndexMap;

use super::result::extracted;

/// A field whose own check digit matches.
const VERIFIED: f64 = 0.99;
/// A field with no check digit, in an MRZ whose digits all match (the read is clean).
const UNGUARDED_CLEAN: f64 = 0.9;
/// A field with no check digit in an MRZ with a failed digit (the read is suspect).
const UNGUARDED_SUSPECT: f64 = 0.6;
/// A field whose own check digit does not match.
const CONTRADICTED: f64 = 0.3;
/// A visual-zone date printed by its label.
const VISUAL_LABELLED: f64 = 0.8;
/// A visual-zone date recognised by elimination (the one date left).
const VISUAL_INFERRED: f64 = 0.6;

/// Reads `bytes` (a JPEG or PNG) on the calling thread.
pub(crate) fn read(
    reader: &MrzReader,
    bytes: &[u8],
    today: Date,
    pdf: &PdfRendering,
) -> Result<AutofillReading, IdvError> {
    let image = match DocumentImage::decode_with(bytes, DecodeLimits::default(), pdf) {
        Ok(image) => image,
        Err(IdvError::ImageUnreadable(_)) => {
            return Ok(AutofillReading::Unusable("image_unreadable"));
        }
        Err(e) => return Err(e),
    };
    if let Some(issue) = quality::assess(&image).issues.first() {
        return Ok(AutofillReading::Unusable(issue.api_code()));
    }
    let Some(reading) = reader.read(&image, today)? else {
        return Ok(AutofillReading::Unusable(quality::DOCUMENT_TYPE_UNDETECTED));
    };
    let visual = read_visual_zone(reader, &reading, &image, None, today)?;
    Ok(AutofillReading::Read(Box::new(describe(
        &reading.document,
        &visual,
    ))))
}

/// `{extractedData, fieldSources}` for a parsed MRZ and what its visual zone said.
pub(crate) fn describe(doc: &MrzDocument, visual: &VisualZoneFindings) -> Autofill {
    let mut data = extracted(doc, false, visual.issue_date.map(|i| i.date));
    // One image says nothing about the other side.
    data.document_details.has_two_sides = None;
    let mut sources = IndexMap::new();
    for path in data.field_paths() {
        let source = match (path, visual.issue_date) {
            ("documentDetails.issuingDate", Some(issue)) => {
                let (confidence, basis) = if issue.labelled {
                    (VISUAL_LABELLED, "printed under an issue-date label")
                } else {
                    (
                        VISUAL_INFERRED,
                        "the one date on the page besides the birth and expiry dates",
                    )
                };
                FieldSource {
                    source: "visual_zone".into(),
                    confidence,
                    basis: basis.into(),
                    visual_zone: None,
                }
            }
            _ => {
                let (confidence, basis) = confidence(doc, path);
                FieldSource {
                    source: "mrz".into(),
                    confidence,
                    basis: basis.into(),
                    visual_zone: visual_agreement(visual, path).map(str::to_string),
                }
            }
        };
        sources.insert(path.to_string(), source);
    }
    Autofill {
        extracted_data: data,
        field_sources: sources,
    }
}

/// Whether the visual zone agrees with the MRZ on the field at `path`: `agrees`, `differs`, or
/// nothing when it was not compared (not found, not read surely, or not a compared field).
fn visual_agreement(visual: &VisualZoneFindings, path: &str) -> Option<&'static str> {
    let verdict = match path {
        "holderDetails.firstName" => visual.first_name,
        "holderDetails.lastName" => visual.last_name,
        "holderDetails.dob" => visual.dob,
        _ => return None,
    };
    match verdict {
        Verdict::Clear => Some("agrees"),
        Verdict::Attention => Some("differs"),
        Verdict::NotProcessed => None,
    }
}

/// How sure the reader is of the field at `path`, and why.
fn confidence(doc: &MrzDocument, path: &str) -> (f64, &'static str) {
    let guard = match path {
        "documentDetails.documentNumber" => Some(CheckedField::DocumentNumber),
        "documentDetails.expirationDate" => Some(CheckedField::ExpiryDate),
        "holderDetails.dob" => Some(CheckedField::BirthDate),
        _ => None,
    };
    let own = guard.and_then(|field| doc.checks.iter().find(|c| c.field == field));
    match own {
        Some(check) if check.is_valid() => (VERIFIED, "check digit matches"),
        Some(_) => (CONTRADICTED, "check digit does not match"),
        None if doc.checksums_valid() => (
            UNGUARDED_CLEAN,
            "no check digit; every check digit of the MRZ matches",
        ),
        None => (
            UNGUARDED_SUSPECT,
            "no check digit; some check digit of the MRZ does not match",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clearance_idv::mrz::parse;
    use clearance_idv::visual_zone::IssueDate;
    use serde_json::json;

    const TD3: &str = "P<GBRERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36GBR7408122F3004157ZE184226B<<<<<16";

    fn today() -> Date {
        Date::new(2026, 11, 28).expect("valid")
    }

    #[test]
    fn every_field_has_a_source_and_verified_fields_rank_highest() {
        let doc = parse(TD3, today()).expect("parses");
        let out =
            serde_json::to_value(describe(&doc, &VisualZoneFindings::NOT_PROCESSED)).expect("json");
        let data = &out["extractedData"];
        assert_eq!(data["documentDetails"]["documentNumber"], "L898902C3");
        assert_eq!(data["holderDetails"]["lastName"], json!(["ERIKSSON"]));
        assert!(data["documentDetails"].get("hasTwoSides").is_none());
        let sources = out["fieldSources"].as_object().expect("object");
        for group in ["documentDetails", "holderDetails"] {
            for key in data[group].as_object().expect("object").keys() {
                assert!(sources.contains_key(&format!("{group}.{key}")), "{key}");
            }
        }
        assert_eq!(
            sources["documentDetails.documentNumber"]["confidence"],
            VERIFIED
        );
        assert_eq!(sources["holderDetails.dob"]["source"], "mrz");
        assert_eq!(
            sources["holderDetails.firstName"]["confidence"],
            UNGUARDED_CLEAN
        );
    }

    #[test]
    fn a_failed_check_digit_lowers_its_field_and_the_unguarded_ones() {
        // The birth date's check digit (2) changed to 3.
        let broken = TD3.replace("7408122F", "7408123F");
        let doc = parse(&broken, today()).expect("parses");
        let out =
            serde_json::to_value(describe(&doc, &VisualZoneFindings::NOT_PROCESSED)).expect("json");
        let sources = &out["fieldSources"];
        assert_eq!(sources["holderDetails.dob"]["confidence"], CONTRADICTED);
        assert_eq!(
            sources["holderDetails.lastName"]["confidence"],
            UNGUARDED_SUSPECT
        );
        assert_eq!(
            sources["documentDetails.documentNumber"]["confidence"],
            VERIFIED
        );
    }

    #[test]
    fn the_visual_zone_adds_the_issue_date_and_its_agreement() {
        let doc = parse(TD3, today()).expect("parses");
        let visual = VisualZoneFindings {
            first_name: Verdict::Clear,
            last_name: Verdict::Attention,
            dob: Verdict::NotProcessed,
            issue_date: Some(IssueDate {
                date: Date::new(2020, 4, 16).expect("valid"),
                labelled: true,
            }),
        };
        let out = serde_json::to_value(describe(&doc, &visual)).expect("json");
        assert_eq!(
            out["extractedData"]["documentDetails"]["issuingDate"],
            json!({"day": 16, "month": 4, "year": 2020})
        );
        let sources = &out["fieldSources"];
        assert_eq!(
            sources["documentDetails.issuingDate"],
            json!({"source": "visual_zone", "confidence": VISUAL_LABELLED,
                   "basis": "printed under an issue-date label"})
        );
        assert_eq!(sources["holderDetails.firstName"]["visualZone"], "agrees");
        assert_eq!(sources["holderDetails.lastName"]["visualZone"], "differs");
        assert!(sources["holderDetails.dob"].get("visualZone").is_none());
        assert!(
            sources["documentDetails.documentNumber"]
                .get("visualZone")
                .is_none()
        );
    }
}
