//! The check's `result` (`{outcome, breakdown}`), key for key the shape of the sandbox's
//! document_check result (`clearance_core::checks::sandbox`), so integrators see one shape in
//! test and live mode.
//!
//! Keys the sandbox lacks, added because the live engine measures them:
//! `consistencyAnalysis.documentType` / `.issuingCountry` / `.documentNumber` (MRZ against the
//! document record), `contentAnalysis.documentExpiry` and `clientValidation.dob`.
//! `consistencyAnalysis.firstName` / `.lastName` / `.dob` compare the MRZ with the visual zone
//! (`clearance_idv::visual_zone`), and `documentDetails.issuingDate`, which no MRZ carries, comes
//! from the visual zone when it was read there; otherwise it is left out rather than invented, as
//! is `mrzDetails.line3` (TD1 only).

use clearance_core::checks::result::{
    Breakdown, CheckResult, ClientValidation, DateParts, DocumentBreakdown, DocumentDetails,
    DocumentExtractedData, HolderDetails, MrzDetails, NotProcessedReason, Outcome, Verdict,
};
use clearance_idv::check::{Declared, assess_mrz, extract, validate_client_names};
use clearance_idv::mrz::Sex;
use clearance_idv::visual_zone::VisualZoneFindings;
use clearance_idv::{Date, MrzDocument};

use super::request::{ClientFacts, Options};

/// What the document is compared with.
pub(crate) struct Expectations<'a> {
    pub options: &'a Options,
    pub declared: &'a Declared,
    /// The record's `documentNumber`, if any.
    pub document_number: Option<&'a str>,
    pub client: &'a ClientFacts,
    /// Both sides were given and used.
    pub has_two_sides: bool,
    pub today: Date,
    /// The image editor an image's metadata named at upload: the one forensic signal computed.
    pub editing_software: Option<&'a str>,
}

/// The result of a check whose images could not be analysed: outcome `not_processed`, every
/// analysis `not_processed`, nothing extracted (`documentType: unidentified`), and why (`code`,
/// see [`NotProcessedReason`]) — unless an image's metadata named an editor: that was examined,
/// so `forensicAnalysis.imageTampering` says attention, and so does the outcome.
pub(crate) fn not_processed(
    options: &Options,
    has_two_sides: bool,
    code: &str,
    editing_software: Option<&str>,
) -> CheckResult {
    let extracted = DocumentExtractedData {
        document_details: DocumentDetails {
            document_type: "unidentified".into(),
            has_two_sides: Some(has_two_sides),
            ..DocumentDetails::default()
        },
        ..DocumentExtractedData::default()
    };
    let verdict = |path: &str| match path {
        "forensicAnalysis.imageTampering" if editing_software.is_some() => Verdict::Attention,
        _ => Verdict::NotProcessed,
    };
    let mut result = assemble(options, extracted, verdict, editing_software.is_none());
    if let Breakdown::Document(breakdown) = &mut result.breakdown {
        breakdown.not_processed_reason = Some(NotProcessedReason {
            code: code.to_string(),
            message: not_processed_message(code).to_string(),
        });
        if breakdown.forensic_analysis.image_tampering == Verdict::Attention {
            breakdown.forensic_analysis.editing_software = editing_software.map(str::to_owned);
        }
    }
    result
}

/// The sentence a reviewer reads for a `not_processed` code.
fn not_processed_message(code: &str) -> &'static str {
    match code {
        "image_unreadable" => {
            "An image could not be read: not a JPEG, PNG or PDF, damaged, too small or too blurred"
        }
        "under_exposure" => "An image is too dark to read",
        "excessive_glare" => "Glare covers part of an image",
        "document_type_undetected" => {
            "No machine-readable zone was found on the document's images within the reading's \
             time budget (the page may be cut off, at a steep angle, or not the page that \
             carries it)"
        }
        "no_mrz_expected" => {
            "Documents of this type carry no machine-readable zone, which is what this engine \
             reads; driving licences without one are not read yet"
        }
        "unsupported_document_type" => "The document's type is not one this engine reads",
        _ => "The images could not be analysed",
    }
}

/// The result from an MRZ read off the document.
pub(crate) fn from_mrz(
    e: &Expectations,
    doc: &MrzDocument,
    front_and_back: Verdict,
    visual: &VisualZoneFindings,
) -> CheckResult {
    let findings = assess_mrz(doc, e.declared, e.today);
    let identified = clearance_idv::DocumentType::from_mrz_kind(doc.kind).is_some();
    let type_consistent = identified && findings.type_matches;
    let model = type_consistent
        && e.declared
            .document_type
            .info()
            .mrz_formats
            .contains(&doc.format);
    let country = doc.issuing_state.alpha2 == Some(e.declared.issuing_country.as_str());
    let number = e
        .document_number
        .map(|n| Verdict::passed(normalise(n) == normalise(&doc.document_number)))
        .unwrap_or(Verdict::NotProcessed);
    let names = validate_client_names(doc, &e.client.first_name, &e.client.last_name);
    let client_dob = match (e.client.dob, doc.birth_date.date) {
        (Some(c), Some(d)) => Verdict::passed(c == d),
        _ => Verdict::NotProcessed,
    };
    let verdict = |path: &str| match path {
        "mrzAnalysis.mrzFormat" => findings.mrz_format.into(),
        "mrzAnalysis.mrzChecksum" => findings.mrz_checksum.into(),
        "consistencyAnalysis.firstName" => visual.first_name.into(),
        "consistencyAnalysis.lastName" => visual.last_name.into(),
        "consistencyAnalysis.dob" => visual.dob.into(),
        "consistencyAnalysis.documentType" => Verdict::passed(type_consistent),
        "consistencyAnalysis.issuingCountry" => Verdict::passed(country),
        "consistencyAnalysis.documentNumber" => number,
        "contentAnalysis.dataIntegrity" => findings.data_integrity.into(),
        "contentAnalysis.minimumAcceptedAge" => findings.minimum_age.into(),
        "contentAnalysis.documentExpiry" => findings.expiry.into(),
        "formatAnalysis.modelIdentification" => Verdict::passed(model),
        "frontAndBackAnalysis.frontAndBackMatch" => front_and_back,
        "clientValidation.firstName" => names.first_name.into(),
        "clientValidation.lastName" => names.last_name.into(),
        "clientValidation.dob" => client_dob,
        // An editor named in the metadata is a sign of tampering. Its absence proves nothing
        // (metadata is easily removed), so without it the analysis stays not processed: never
        // reported as passed.
        "forensicAnalysis.imageTampering" if e.editing_software.is_some() => Verdict::Attention,
        _ => Verdict::NotProcessed,
    };
    // "The ID type and country provided do not correspond with the actual document" is a
    // documented reason for `not_processed` (checks-and-more.md §2.4); a specimen (`UTO`) counts
    // as any country there, and is flagged by `consistencyAnalysis.issuingCountry` instead.
    let mismatch = !type_consistent || !findings.country_matches;
    let mut result = assemble(
        e.options,
        extracted(doc, e.has_two_sides, visual.issue_date.map(|i| i.date)),
        verdict,
        mismatch,
    );
    if let Breakdown::Document(b) = &mut result.breakdown
        && b.forensic_analysis.image_tampering == Verdict::Attention
    {
        b.forensic_analysis.editing_software = e.editing_software.map(str::to_owned);
    }
    result
}

/// A document number without case, spaces or punctuation (`<` fillers included).
fn normalise(number: &str) -> String {
    number
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// The outcome and breakdown. `clear` only when every performed (covered, not
/// `not_processed`) analysis is clear, `attention` when any is; `not_processed` when forced or
/// when no analysis was performed at all.
fn assemble(
    options: &Options,
    extracted: DocumentExtractedData,
    verdict: impl Fn(&str) -> Verdict,
    force_not_processed: bool,
) -> CheckResult {
    let mut breakdown = DocumentBreakdown {
        extracted_data: extracted,
        client_validation: options.client_validation.then(ClientValidation::default),
        ..DocumentBreakdown::default()
    };
    let mut performed = Vec::new();
    for (path, v) in breakdown.verdicts_mut() {
        let covered = DocumentBreakdown::coverage_of(path).is_none_or(|g| options.covers(g));
        *v = if covered {
            verdict(path)
        } else {
            Verdict::NotProcessed
        };
        if *v != Verdict::NotProcessed {
            performed.push(*v);
        }
    }
    let outcome = if force_not_processed || performed.is_empty() {
        Outcome::NotProcessed
    } else if performed.contains(&Verdict::Attention) {
        Outcome::Attention
    } else {
        Outcome::Clear
    };
    CheckResult::new(outcome, Breakdown::Document(Box::new(breakdown)))
}

/// `extractedData` from the MRZ, plus the issue date when the visual zone gave one.
pub(crate) fn extracted(
    doc: &MrzDocument,
    has_two_sides: bool,
    issue_date: Option<Date>,
) -> DocumentExtractedData {
    let data = extract(doc);
    let country = |alpha2: Option<&'static str>, printed: &str| {
        alpha2
            .map(str::to_owned)
            .or_else(|| (!printed.is_empty()).then(|| printed.to_owned()))
    };
    // As the sandbox: `<` (unspecified) is `other`; an unreadable sex is left out.
    let gender = match doc.sex {
        Sex::Male => Some("male"),
        Sex::Female => Some("female"),
        Sex::Unspecified => Some("other"),
        Sex::Invalid => None,
    };
    DocumentExtractedData {
        document_details: DocumentDetails {
            document_type: data
                .document_type
                .map_or("unidentified", |t| t.as_str())
                .into(),
            has_two_sides: Some(has_two_sides),
            issuing_country: country(data.issuing_country, &doc.issuing_state.code),
            document_number: Some(data.document_number),
            issuing_date: issue_date.map(DateParts::from),
            expiration_date: data.expiration_date.map(DateParts::from),
        },
        mrz_details: Some(MrzDetails::of_lines(&data.mrz_lines)),
        holder_details: Some(HolderDetails {
            first_name: Some(data.first_names),
            last_name: Some(data.last_names),
            dob: data.date_of_birth.map(DateParts::from),
            nationality: country(data.nationality, &doc.nationality.code),
            gender: gender.map(str::to_string),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clearance_idv::DocumentType;
    use clearance_idv::mrz::parse;
    use serde_json::{Value, json};

    const SPECIMEN: &str = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10";
    const GBR: &str = "P<GBRERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36GBR7408122F3004157ZE184226B<<<<<16";

    fn today() -> Date {
        Date::new(2026, 11, 28).expect("valid")
    }

    fn options() -> Options {
        Options {
            coverage: None,
            minimum_age: 18,
            client_validation: false,
        }
    }

    fn declared(t: DocumentType, country: &str) -> Declared {
        Declared {
            document_type: t,
            issuing_country: country.into(),
            minimum_age: 18,
        }
    }

    fn run(mrz: &str, declared: &Declared, options: &Options, number: Option<&str>) -> Value {
        let doc = parse(mrz, today()).expect("parses");
        let client = ClientFacts {
            first_name: "Anna".into(),
            last_name: "Eriksson".into(),
            dob: Date::new(1974, 8, 12),
        };
        let e = Expectations {
            options,
            declared,
            document_number: number,
            client: &client,
            has_two_sides: false,
            today: today(),
            editing_software: None,
        };
        from_mrz(
            &e,
            &doc,
            Verdict::NotProcessed,
            &VisualZoneFindings::NOT_PROCESSED,
        )
        .to_value()
    }

    #[test]
    fn a_valid_passport_matching_its_record_is_clear() {
        let d = declared(DocumentType::Passport, "GB");
        let r = run(GBR, &d, &options(), Some("l898902-c3"));
        assert_eq!(r["outcome"], "clear", "{r}");
        let b = &r["breakdown"];
        assert_eq!(b["consistencyAnalysis"]["documentNumber"], "clear");
        assert_eq!(b["consistencyAnalysis"]["firstName"], "not_processed");
        assert_eq!(b["forensicAnalysis"]["imageTampering"], "not_processed");
        assert_eq!(
            b["frontAndBackAnalysis"]["frontAndBackMatch"],
            "not_processed"
        );
        let details = &b["extractedData"]["documentDetails"];
        assert_eq!(details["issuingCountry"], "GB");
        assert_eq!(
            details["expirationDate"],
            json!({"day": 15, "month": 4, "year": 2030})
        );
        assert!(b.get("clientValidation").is_none());
    }

    #[test]
    fn the_specimen_is_expired_and_not_of_the_declared_country() {
        let d = declared(DocumentType::Passport, "GB");
        let r = run(SPECIMEN, &d, &options(), None);
        assert_eq!(r["outcome"], "attention", "{r}");
        let b = &r["breakdown"];
        assert_eq!(b["contentAnalysis"]["documentExpiry"], "attention");
        assert_eq!(b["contentAnalysis"]["dataIntegrity"], "clear");
        assert_eq!(b["consistencyAnalysis"]["issuingCountry"], "attention");
        assert_eq!(b["consistencyAnalysis"]["documentNumber"], "not_processed");
        assert_eq!(
            b["extractedData"]["documentDetails"]["issuingCountry"],
            "UTO"
        );
    }

    #[test]
    fn a_declared_type_or_country_mismatch_is_not_processed() {
        let r = run(
            GBR,
            &declared(DocumentType::Passport, "FR"),
            &options(),
            None,
        );
        assert_eq!(r["outcome"], "not_processed");
        assert_eq!(
            r["breakdown"]["consistencyAnalysis"]["issuingCountry"],
            "attention"
        );
        let r = run(GBR, &declared(DocumentType::Visa, "GB"), &options(), None);
        assert_eq!(r["outcome"], "not_processed");
        assert_eq!(
            r["breakdown"]["formatAnalysis"]["modelIdentification"],
            "attention"
        );
    }

    #[test]
    fn coverage_age_and_client_validation_are_honoured() {
        let mut d = declared(DocumentType::Passport, "GB");
        d.minimum_age = 60;
        let o = Options {
            coverage: Some(vec!["mrz_analysis".into()]),
            minimum_age: 60,
            client_validation: true,
        };
        let r = run(GBR, &d, &o, Some("X1"));
        assert_eq!(r["outcome"], "clear", "{r}");
        let b = &r["breakdown"];
        assert_eq!(b["contentAnalysis"]["minimumAcceptedAge"], "not_processed");
        assert_eq!(b["consistencyAnalysis"]["documentNumber"], "not_processed");
        assert_eq!(
            b["clientValidation"],
            json!({"firstName": "clear", "lastName": "clear", "dob": "clear"})
        );
        let all = Options {
            coverage: None,
            ..o
        };
        let r = run(GBR, &d, &all, Some("X1"));
        assert_eq!(r["outcome"], "attention");
        assert_eq!(
            r["breakdown"]["contentAnalysis"]["minimumAcceptedAge"],
            "attention"
        );
        assert_eq!(
            r["breakdown"]["consistencyAnalysis"]["documentNumber"],
            "attention"
        );
    }

    #[test]
    fn an_edited_image_is_attention_even_when_unreadable() {
        let r = not_processed(&options(), false, "image_unreadable", Some("GIMP 2.10")).to_value();
        assert_eq!(r["outcome"], "attention", "{r}");
        let forensic = &r["breakdown"]["forensicAnalysis"];
        assert_eq!(forensic["imageTampering"], "attention");
        assert_eq!(forensic["editingSoftware"], "GIMP 2.10");
        assert_eq!(
            r["breakdown"]["notProcessedReason"]["code"],
            "image_unreadable"
        );
        assert_eq!(r["breakdown"]["mrzAnalysis"]["mrzFormat"], "not_processed");
    }

    #[test]
    fn nothing_performed_is_not_processed() {
        let o = Options {
            coverage: Some(vec!["forensic_analysis".into()]),
            ..options()
        };
        let r = run(GBR, &declared(DocumentType::Passport, "GB"), &o, None);
        assert_eq!(r["outcome"], "not_processed");
        let r = not_processed(&options(), true, "document_type_undetected", None).to_value();
        assert_eq!(r["outcome"], "not_processed");
        assert_eq!(
            r["breakdown"]["notProcessedReason"]["code"],
            "document_type_undetected"
        );
        assert!(
            r["breakdown"]["notProcessedReason"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("machine-readable zone"))
        );
        assert_eq!(
            r["breakdown"]["extractedData"]["documentDetails"],
            json!({"documentType": "unidentified", "hasTwoSides": true})
        );
        assert_eq!(
            r["breakdown"]["mrzAnalysis"]["mrzChecksum"],
            "not_processed"
        );
    }
}
