//! Sandbox document results: a national identity card issued to the client by their home
//! country, with a machine-readable zone rendered by `clearance-idv` (every check digit right).

use chrono::{Datelike, Months, NaiveDate};
use clearance_idv::mrz::{MrzFields, MrzFormat, render};

use super::{Sim, ymd};
use crate::checks::result::{
    Breakdown, CheckResult, ClientValidation, DocumentBreakdown, DocumentDetails,
    DocumentExtractedData, HolderDetails, MrzDetails,
};
use crate::country;

impl Sim<'_> {
    pub(super) fn document(&self) -> CheckResult {
        let validate_client = self.options.client_data_validation == Some(true);
        let breakdown = DocumentBreakdown {
            extracted_data: self.identity_document(),
            client_validation: validate_client.then(ClientValidation::default),
            ..DocumentBreakdown::default()
        };
        let covered = |path: &str| {
            DocumentBreakdown::coverage_of(path).is_none_or(|group| self.options.covers(group))
        };
        self.grade(
            Breakdown::Document(Box::new(breakdown)),
            covered,
            &["forensicAnalysis.imageTampering"],
        )
    }

    /// `extractedData` of a two-sided national identity card (TD1, three MRZ lines) issued to the
    /// client by their home country. Given names are the first name only: middle names carry the
    /// sandbox risk triggers and must not leak into extracted names.
    fn identity_document(&self) -> DocumentExtractedData {
        let h = &self.holder;
        let issuer = h.home_country();
        let nationality = h.nationality.unwrap_or(issuer);
        let issued = ymd(
            self.today.year() - self.pick("issued-year", 1, 4) as i32,
            self.pick("issued-month", 1, 12),
            self.pick("issued-day", 1, 28),
        );
        let expires = issued + Months::new(120);
        let dob = h.dob.unwrap_or_else(|| ymd(self.today.year() - 30, 1, 1));
        let number = format!("{:09}", self.pick("number", 0, 999_999_999));
        let gender = h.gender.unwrap_or("other");
        let fields = MrzFields {
            document_code: "ID".into(),
            issuing_state: alpha3(issuer).into(),
            primary: mrz_text(h.last),
            secondary: mrz_text(h.first),
            document_number: number.clone(),
            nationality: alpha3(nationality).into(),
            birth: yymmdd(dob),
            sex: match gender {
                "male" => 'M',
                "female" => 'F',
                _ => '<',
            },
            expiry: yymmdd(expires),
            ..MrzFields::default()
        };
        let words =
            |s: &str| -> Vec<String> { s.split_whitespace().map(str::to_uppercase).collect() };
        DocumentExtractedData {
            document_details: DocumentDetails {
                document_type: "national_id".into(),
                has_two_sides: Some(true),
                issuing_country: Some(issuer.into()),
                document_number: Some(number),
                issuing_date: Some(issued.into()),
                expiration_date: Some(expires.into()),
            },
            mrz_details: render(MrzFormat::Td1, &fields)
                .ok()
                .map(|lines| MrzDetails::of_lines(&lines)),
            holder_details: Some(HolderDetails {
                first_name: Some(words(h.first)),
                last_name: Some(words(h.last)),
                dob: Some(dob.into()),
                nationality: Some(nationality.into()),
                gender: Some(gender.into()),
            }),
        }
    }
}

fn alpha3(alpha2: &str) -> &'static str {
    country::by_alpha2(alpha2).map_or("<<<", |c| c.alpha3.as_str())
}

fn yymmdd(d: NaiveDate) -> String {
    format!(
        "{:02}{:02}{:02}",
        d.year().rem_euclid(100),
        d.month(),
        d.day()
    )
}

/// Upper-case MRZ characters: letters and digits kept, everything else a filler.
fn mrz_text(s: &str) -> String {
    s.trim()
        .chars()
        .map(|c| match c.to_ascii_uppercase() {
            u @ ('A'..='Z' | '0'..='9') => u,
            _ => '<',
        })
        .collect()
}
