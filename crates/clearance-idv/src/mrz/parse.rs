//! Turning MRZ text into an [`MrzDocument`]: normalisation, shape repair,
//! correction, field extraction, check digits and date resolution.

use super::chars::{FILLER, check_digit, check_digit_matches};
use super::correct::{self, checked_spans, class_at, long_number_overflow};
use super::format::{MrzFormat, Span};
use super::name::parse_name;
use super::types::{
    CheckOutcome, CheckResult, Correction, MrzDate, MrzDocument, MrzDocumentKind, MrzIssue,
    Position, Sex,
};
use crate::country::CountryCode;
use crate::date::Date;
use crate::error::{IdvError, Result};

/// Expiry dates are placed in the century that puts them within this many years
/// of "today" (from 50 years before to 49 after).
const EXPIRY_WINDOW_YEARS: u16 = 50;

/// Parses MRZ text: 2 or 3 non-empty lines (a single pasted line of 88, 72 or 90
/// characters is split). Spaces are ignored, lower case is raised, `«` reads as `<`.
///
/// Dates are resolved against `today`: a birth date is the latest matching date
/// not after `today`; an expiry date lies within 50 years of `today`.
///
/// # Errors
/// [`IdvError::MrzShape`] or [`IdvError::MrzLineLength`] when the text fits no
/// format. Check-digit failures are not errors: they are reported in
/// [`MrzDocument::checks`].
pub fn parse(text: &str, today: Date) -> Result<MrzDocument> {
    let lines: Vec<&str> = text.lines().collect();
    parse_lines(&lines, today)
}

/// Like [`parse`], for text already split into lines (empty lines are skipped).
///
/// # Errors
/// As [`parse`].
pub fn parse_lines<S: AsRef<str>>(lines: &[S], today: Date) -> Result<MrzDocument> {
    let mut raw: Vec<Vec<u8>> = lines
        .iter()
        .map(|l| normalise_line(l.as_ref()))
        .filter(|l| !l.is_empty())
        .collect();
    if let [single] = raw.as_slice() {
        let width = match single.len() {
            88 => 44,
            72 => 36,
            90 => 30,
            _ => return Err(IdvError::MrzShape("an MRZ has 2 or 3 lines")),
        };
        raw = single.chunks(width).map(<[u8]>::to_vec).collect();
    }
    let (format, mut lines, mut corrections) = correct::fix_shape(raw)?;
    corrections.extend(correct::correct(&mut lines, format));
    Ok(extract(format, &lines, corrections, today))
}

fn normalise_line(line: &str) -> Vec<u8> {
    line.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '<' => c.to_ascii_uppercase() as u8,
            '«' | '‹' | '＜' => FILLER,
            _ => b'?',
        })
        .collect()
}

fn text(lines: &[Vec<u8>], s: Span) -> String {
    lines[s.line][s.start..s.start + s.len]
        .iter()
        .map(|&c| char::from(c))
        .collect()
}

fn extract(
    format: MrzFormat,
    lines: &[Vec<u8>],
    corrections: Vec<Correction>,
    today: Date,
) -> MrzDocument {
    let l = format.layout();
    let mut issues = Vec::new();
    for (li, line) in lines.iter().enumerate() {
        for (col, &c) in line.iter().enumerate() {
            if !class_at(format, li, col).admits(c) {
                issues.push(MrzIssue::InvalidCharacter(Position::from_zero_based(
                    li, col,
                )));
            }
        }
    }

    let document_code = text(lines, l.doc_code).trim_end_matches('<').to_owned();
    let kind = document_kind(&document_code);
    if !code_fits_format(&document_code, format) {
        issues.push(MrzIssue::UnexpectedDocumentCode);
    }

    let issuing_state = CountryCode::from_mrz(&text(lines, l.issuing));
    if !issuing_state.is_known() {
        issues.push(MrzIssue::UnknownIssuingState);
    }
    let nationality = CountryCode::from_mrz(&text(lines, l.nationality));
    if !nationality.is_known() {
        issues.push(MrzIssue::UnknownNationality);
    }

    let overflow = long_number_overflow(lines, l);
    let mut number = text(lines, l.number);
    let mut optional = text(lines, l.optional);
    if let Some(k) = overflow {
        number.push_str(&optional[..k - 1]);
        optional = optional[k..].to_owned();
    }
    let document_number = number.trim_end_matches('<').to_owned();
    if document_number.is_empty() || document_number.contains('<') {
        issues.push(MrzIssue::MalformedDocumentNumber);
    }

    let birth_raw = text(lines, l.birth);
    let birth_date = MrzDate {
        date: yymmdd(&birth_raw).and_then(|(y, m, d)| resolve_birth(y, m, d, today)),
        raw: birth_raw,
    };
    if birth_date.date.is_none() {
        issues.push(MrzIssue::InvalidBirthDate);
    }
    let expiry_raw = text(lines, l.expiry);
    let expiry_date = MrzDate {
        date: yymmdd(&expiry_raw).and_then(|(y, m, d)| resolve_expiry(y, m, d, today)),
        raw: expiry_raw,
    };
    if expiry_date.date.is_none() {
        issues.push(MrzIssue::InvalidExpiryDate);
    }

    let sex = match lines[l.sex.line][l.sex.start] {
        b'M' => Sex::Male,
        b'F' => Sex::Female,
        b'X' | FILLER => Sex::Unspecified,
        _ => Sex::Invalid,
    };
    if sex == Sex::Invalid {
        issues.push(MrzIssue::InvalidSex);
    }

    let name_span = l.name;
    let name = parse_name(&lines[name_span.line][name_span.start..name_span.start + name_span.len]);
    if name.primary.is_empty() {
        issues.push(MrzIssue::MissingName);
    }

    let checks = checked_spans(lines, format)
        .into_iter()
        .map(|span| {
            let field: Vec<u8> = span.positions.iter().map(|&(li, c)| lines[li][c]).collect();
            let (cl, cc) = span.check_digit;
            let found = lines[cl][cc];
            let outcome = if check_digit_matches(&field, found) {
                CheckOutcome::Valid
            } else {
                CheckOutcome::Invalid {
                    expected: check_digit(field.iter().copied()).map(char::from),
                    found: char::from(found),
                }
            };
            CheckResult {
                field: span.field,
                position: Position::from_zero_based(cl, cc),
                outcome,
            }
        })
        .collect();

    MrzDocument {
        format,
        lines: lines
            .iter()
            .map(|l| l.iter().map(|&c| char::from(c)).collect())
            .collect(),
        document_code,
        kind,
        issuing_state,
        document_number,
        nationality,
        birth_date,
        sex,
        expiry_date,
        optional_data: optional.trim_matches('<').to_owned(),
        optional_data_2: l
            .optional2
            .map(|s| text(lines, s).trim_matches('<').to_owned()),
        name,
        checks,
        issues,
        corrections,
    }
}

fn document_kind(code: &str) -> MrzDocumentKind {
    match code.as_bytes().first() {
        Some(b'P') => MrzDocumentKind::Passport,
        Some(b'V') => MrzDocumentKind::Visa,
        _ if matches!(code, "IR" | "AR" | "RP" | "RT") => MrzDocumentKind::ResidencePermit,
        Some(b'I' | b'A' | b'C') => MrzDocumentKind::IdentityCard,
        _ => MrzDocumentKind::Other,
    }
}

fn code_fits_format(code: &str, format: MrzFormat) -> bool {
    let first = code.as_bytes().first().copied();
    match format {
        MrzFormat::Td3 => first == Some(b'P'),
        MrzFormat::MrvA | MrzFormat::MrvB => first == Some(b'V'),
        MrzFormat::Td1 | MrzFormat::Td2 => matches!(first, Some(b'I' | b'A' | b'C')),
    }
}

fn yymmdd(raw: &str) -> Option<(u8, u8, u8)> {
    let b = raw.as_bytes();
    if b.len() != 6 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let two = |i: usize| (b[i] - b'0') * 10 + (b[i + 1] - b'0');
    Some((two(0), two(2), two(4)))
}

fn resolve_birth(yy: u8, mm: u8, dd: u8, today: Date) -> Option<Date> {
    let this_century = today.year() / 100 * 100;
    let d = Date::new(this_century + u16::from(yy), mm, dd)?;
    if d <= today {
        Some(d)
    } else {
        Date::new(this_century.checked_sub(100)? + u16::from(yy), mm, dd)
    }
}

fn resolve_expiry(yy: u8, mm: u8, dd: u8, today: Date) -> Option<Date> {
    let this_century = today.year() / 100 * 100;
    let mut year = this_century + u16::from(yy);
    if year >= today.year().saturating_add(EXPIRY_WINDOW_YEARS) {
        year = year.checked_sub(100)?;
    } else if year + EXPIRY_WINDOW_YEARS < today.year() {
        year += 100;
    }
    Date::new(year, mm, dd)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: u16, m: u8, day: u8) -> Date {
        Date::new(y, m, day).expect("valid date")
    }

    #[test]
    fn birth_dates_are_never_in_the_future() {
        let today = d(2026, 11, 28);
        assert_eq!(resolve_birth(74, 8, 12, today), Some(d(1974, 8, 12)));
        assert_eq!(resolve_birth(26, 11, 28, today), Some(d(2026, 11, 28)));
        assert_eq!(resolve_birth(26, 11, 29, today), Some(d(1926, 11, 29)));
        assert_eq!(resolve_birth(5, 1, 1, today), Some(d(2005, 1, 1)));
        assert_eq!(resolve_birth(0, 2, 29, today), Some(d(2000, 2, 29)));
    }

    #[test]
    fn expiry_dates_fall_within_fifty_years() {
        let today = d(2026, 11, 28);
        assert_eq!(resolve_expiry(12, 4, 15, today), Some(d(2012, 4, 15)));
        assert_eq!(resolve_expiry(95, 12, 9, today), Some(d(1995, 12, 9)));
        assert_eq!(resolve_expiry(75, 1, 1, today), Some(d(2075, 1, 1)));
        assert_eq!(resolve_expiry(76, 1, 1, today), Some(d(1976, 1, 1)));
        assert_eq!(resolve_expiry(36, 6, 30, today), Some(d(2036, 6, 30)));
        // Across a century boundary.
        let later = d(2095, 1, 1);
        assert_eq!(resolve_expiry(5, 1, 1, later), Some(d(2105, 1, 1)));
    }

    #[test]
    fn document_kinds_follow_the_code() {
        assert_eq!(document_kind("P"), MrzDocumentKind::Passport);
        assert_eq!(document_kind("ID"), MrzDocumentKind::IdentityCard);
        assert_eq!(document_kind("IR"), MrzDocumentKind::ResidencePermit);
        assert_eq!(document_kind("V"), MrzDocumentKind::Visa);
        assert_eq!(document_kind("X"), MrzDocumentKind::Other);
    }
}
