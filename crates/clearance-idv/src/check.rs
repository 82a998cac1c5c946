//! From a parsed MRZ to the document check's findings: per-sub-check verdicts
//! (`clear` / `attention` / `not_processed`), rejection reasons and the
//! extracted data the API reports (spec §2.4 and Autofill §6.5).

use crate::country::CodeKind;
use crate::date::Date;
use crate::documents::DocumentType;
use crate::mrz::{MrzDocument, MrzIssue, Sex, mrz_spellings};

/// A sub-check result as the API reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// `clear`.
    Clear,
    /// `attention`.
    Attention,
    /// `not_processed`: the sub-check does not apply or had nothing to work on.
    NotProcessed,
}

impl Verdict {
    /// The API string.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Clear => "clear",
            Verdict::Attention => "attention",
            Verdict::NotProcessed => "not_processed",
        }
    }

    fn from_ok(ok: bool) -> Self {
        if ok {
            Verdict::Clear
        } else {
            Verdict::Attention
        }
    }
}

/// What the client declared about the document.
#[derive(Clone, Debug)]
pub struct Declared {
    /// Declared type.
    pub document_type: DocumentType,
    /// Declared issuing country, ISO alpha-2.
    pub issuing_country: String,
    /// Minimum permitted age (API default 18).
    pub minimum_age: u8,
}

/// Findings from the MRZ for one document check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MrzFindings {
    /// `mrzAnalysis.mrzFormat`: the format suits the declared type and every
    /// field is well formed.
    pub mrz_format: Verdict,
    /// `mrzAnalysis.mrzChecksum`: every check digit matches.
    pub mrz_checksum: Verdict,
    /// `contentAnalysis.dataIntegrity`: dates are valid and birth precedes expiry.
    pub data_integrity: Verdict,
    /// Document not expired on "today".
    pub expiry: Verdict,
    /// `contentAnalysis.minimumAcceptedAge`.
    pub minimum_age: Verdict,
    /// The MRZ's document code agrees with the declared type.
    pub type_matches: bool,
    /// The MRZ's issuing state agrees with the declared country.
    pub country_matches: bool,
    /// The document is an ICAO specimen (issuing state `UTO`).
    pub specimen: bool,
}

impl MrzFindings {
    /// Validation rejection reasons these findings support
    /// (`document_has_expired`, `document_is_specimen`, `document_age_below_threshold`).
    #[must_use]
    pub fn rejection_reasons(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.expiry == Verdict::Attention {
            out.push("document_has_expired");
        }
        if self.specimen {
            out.push("document_is_specimen");
        }
        if self.minimum_age == Verdict::Attention {
            out.push("document_age_below_threshold");
        }
        out
    }

    /// Whether the check should end `not_processed` because the document is not
    /// the declared type or country.
    #[must_use]
    pub fn declared_mismatch(&self) -> bool {
        !self.type_matches || !self.country_matches
    }
}

/// Judges `doc` against what was declared, on `today`.
#[must_use]
pub fn assess_mrz(doc: &MrzDocument, declared: &Declared, today: Date) -> MrzFindings {
    let info = declared.document_type.info();
    let structural = doc
        .issues
        .iter()
        .all(|i| matches!(i, MrzIssue::InvalidBirthDate | MrzIssue::InvalidExpiryDate));
    let mrz_format = if info.mrz_formats.is_empty() {
        Verdict::NotProcessed
    } else {
        Verdict::from_ok(info.mrz_formats.contains(&doc.format) && structural)
    };
    let (birth, expiry) = (doc.birth_date.date, doc.expiry_date.date);
    let data_integrity = Verdict::from_ok(match (birth, expiry) {
        (Some(b), Some(e)) => b < e && b <= today,
        _ => false,
    });
    let expiry = match doc.is_expired(today) {
        Some(expired) => Verdict::from_ok(!expired),
        None => Verdict::Attention,
    };
    let minimum_age = match doc.age_on(today) {
        Some(age) => Verdict::from_ok(age >= i32::from(declared.minimum_age)),
        None => Verdict::NotProcessed,
    };
    let type_matches = DocumentType::from_mrz_kind(doc.kind).is_none_or(|t| {
        t == declared.document_type
            // Many states print `I`/`A`/`C` codes on residence permits too.
            || (t == DocumentType::NationalId
                && declared.document_type == DocumentType::ResidencePermit)
    });
    let country_matches = doc.issuing_state.alpha2 == Some(declared.issuing_country.as_str())
        || doc.issuing_state.kind == CodeKind::Specimen;
    MrzFindings {
        mrz_format,
        mrz_checksum: Verdict::from_ok(doc.checksums_valid()),
        data_integrity,
        expiry,
        minimum_age,
        type_matches,
        country_matches,
        specimen: doc.issuing_state.kind == CodeKind::Specimen,
    }
}

/// `clientValidation`: do the client's names agree with the MRZ?
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientValidation {
    /// First name(s) against the MRZ's secondary identifier.
    pub first_name: Verdict,
    /// Last name against the MRZ's primary identifier.
    pub last_name: Verdict,
}

/// Compares client names (free text, any case, national characters allowed) with
/// the MRZ name after ICAO transliteration ([`mrz_spellings`]). Given names match
/// when the client's are the MRZ's first ones, in order (clients often give only
/// the first). A name the issuer may have truncated matches by prefix. An empty
/// client name is `not_processed`.
#[must_use]
pub fn validate_client_names(
    doc: &MrzDocument,
    first_name: &str,
    last_name: &str,
) -> ClientValidation {
    let truncated = doc.name.possibly_truncated;
    let last = if last_name.trim().is_empty() {
        Verdict::NotProcessed
    } else {
        let mrz = doc.name.primary.join("<");
        Verdict::from_ok(
            !mrz.is_empty()
                && mrz_spellings(last_name)
                    .iter()
                    .any(|s| *s == mrz || (truncated && s.starts_with(&mrz))),
        )
    };
    let first = if first_name.trim().is_empty() {
        Verdict::NotProcessed
    } else {
        let mrz = &doc.name.secondary;
        Verdict::from_ok(mrz_spellings(first_name).iter().any(|s| {
            let parts: Vec<&str> = s.split('<').filter(|p| !p.is_empty()).collect();
            !parts.is_empty()
                && parts.len() <= mrz.len()
                && parts.iter().zip(mrz).enumerate().all(|(i, (c, m))| {
                    c == m || (truncated && i == mrz.len() - 1 && c.starts_with(m.as_str()))
                })
        }))
    };
    ClientValidation {
        first_name: first,
        last_name: last,
    }
}

/// The data a document check or Autofill reports from an MRZ.
///
/// `Debug` is redacted.
#[derive(Clone, PartialEq, Eq)]
pub struct ExtractedData {
    /// `documentType`; `None` reports as `unidentified`.
    pub document_type: Option<DocumentType>,
    /// `documentNumber`.
    pub document_number: String,
    /// `issuingCountry`, ISO alpha-2 when the code has one.
    pub issuing_country: Option<&'static str>,
    /// `expirationDate`.
    pub expiration_date: Option<Date>,
    /// `holderDetails.firstName`.
    pub first_names: Vec<String>,
    /// `holderDetails.lastName`.
    pub last_names: Vec<String>,
    /// `holderDetails.dob`.
    pub date_of_birth: Option<Date>,
    /// `holderDetails.nationality`, ISO alpha-2.
    pub nationality: Option<&'static str>,
    /// `holderDetails.gender`: `male`, `female` or `None`.
    pub gender: Option<&'static str>,
    /// `mrzDetails.line1..3`.
    pub mrz_lines: Vec<String>,
}

impl std::fmt::Debug for ExtractedData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExtractedData")
            .field("document_type", &self.document_type)
            .field("issuing_country", &self.issuing_country)
            .finish_non_exhaustive()
    }
}

/// The extracted data of `doc`.
#[must_use]
pub fn extract(doc: &MrzDocument) -> ExtractedData {
    ExtractedData {
        document_type: DocumentType::from_mrz_kind(doc.kind),
        document_number: doc.document_number.clone(),
        issuing_country: doc.issuing_state.alpha2,
        expiration_date: doc.expiry_date.date,
        first_names: doc.name.secondary.clone(),
        last_names: doc.name.primary.clone(),
        date_of_birth: doc.birth_date.date,
        nationality: doc.nationality.alpha2,
        gender: match doc.sex {
            Sex::Male => Some("male"),
            Sex::Female => Some("female"),
            Sex::Unspecified | Sex::Invalid => None,
        },
        mrz_lines: doc.lines.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mrz::parse;

    const TD3_GBR: &str = "P<GBRERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36GBR7408122F3004157ZE184226B<<<<<16";

    fn today() -> Date {
        Date::new(2026, 11, 28).expect("valid")
    }

    fn declared(t: DocumentType, c: &str) -> Declared {
        Declared {
            document_type: t,
            issuing_country: c.to_owned(),
            minimum_age: 18,
        }
    }

    #[test]
    fn valid_passport_is_clear() {
        let doc = parse(TD3_GBR, today()).expect("parses");
        assert!(doc.is_valid(), "{doc:?}");
        let f = assess_mrz(&doc, &declared(DocumentType::Passport, "GB"), today());
        assert_eq!(f.mrz_format, Verdict::Clear);
        assert_eq!(f.mrz_checksum, Verdict::Clear);
        assert_eq!(f.data_integrity, Verdict::Clear);
        assert_eq!(f.expiry, Verdict::Clear);
        assert_eq!(f.minimum_age, Verdict::Clear);
        assert!(!f.declared_mismatch());
        assert!(f.rejection_reasons().is_empty());
        let e = extract(&doc);
        assert_eq!(e.issuing_country, Some("GB"));
        assert_eq!(e.first_names, ["ANNA", "MARIA"]);
        assert_eq!(e.last_names, ["ERIKSSON"]);
        assert_eq!(e.gender, Some("female"));
        assert_eq!(e.expiration_date, Date::new(2030, 4, 15));
    }

    #[test]
    fn client_names_are_compared_after_transliteration() {
        let doc = parse(TD3_GBR, today()).expect("parses");
        let v = validate_client_names(&doc, "Anna", "Eriksson");
        assert_eq!(
            (v.first_name, v.last_name),
            (Verdict::Clear, Verdict::Clear)
        );
        let v = validate_client_names(&doc, "anna maria", "ERIKSSON");
        assert_eq!(v.first_name, Verdict::Clear);
        let v = validate_client_names(&doc, "Maria", "Eriksen");
        assert_eq!(
            (v.first_name, v.last_name),
            (Verdict::Attention, Verdict::Attention)
        );
        let v = validate_client_names(&doc, "", "Eriksson");
        assert_eq!(v.first_name, Verdict::NotProcessed);
        let mueller = doc_with_name("MUELLER<<JOERG");
        let v = validate_client_names(&mueller, "Jörg", "Müller");
        assert_eq!(
            (v.first_name, v.last_name),
            (Verdict::Clear, Verdict::Clear)
        );
        let muller = doc_with_name("MULLER<<JORG");
        let v = validate_client_names(&muller, "Jörg", "Müller");
        assert_eq!(
            (v.first_name, v.last_name),
            (Verdict::Clear, Verdict::Clear)
        );
    }

    fn doc_with_name(name: &str) -> MrzDocument {
        let mut lines: Vec<String> = TD3_GBR.lines().map(str::to_owned).collect();
        lines[0] = format!("P<GBR{name:<<39}");
        crate::mrz::parse_lines(&lines, today()).expect("parses")
    }

    #[test]
    fn mismatches_and_rejections_are_reported() {
        let doc = parse(TD3_GBR, today()).expect("parses");
        let f = assess_mrz(&doc, &declared(DocumentType::NationalId, "FR"), today());
        assert!(!f.type_matches && !f.country_matches);
        assert_eq!(f.mrz_format, Verdict::Attention);
        let mut d = declared(DocumentType::Passport, "GB");
        d.minimum_age = 60;
        let f = assess_mrz(&doc, &d, today());
        assert_eq!(f.rejection_reasons(), ["document_age_below_threshold"]);
        let specimen = parse(
            "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10",
            today(),
        )
        .expect("parses");
        let f = assess_mrz(&specimen, &declared(DocumentType::Passport, "GB"), today());
        assert_eq!(
            f.rejection_reasons(),
            ["document_has_expired", "document_is_specimen"]
        );
        let f = assess_mrz(&doc, &declared(DocumentType::DrivingLicense, "GB"), today());
        assert_eq!(f.mrz_format, Verdict::NotProcessed);
    }
}
