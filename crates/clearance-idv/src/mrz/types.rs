//! The typed result of parsing an MRZ: fields, per-check-digit results, format
//! issues and the corrections applied. Personal data is redacted from `Debug`.

use std::fmt;

use super::format::MrzFormat;
use super::name::MrzName;
use crate::country::CountryCode;
use crate::date::Date;

/// A 1-based position in the MRZ, as ICAO numbers them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Position {
    /// Line, from 1.
    pub line: u8,
    /// Column, from 1.
    pub column: u8,
}

impl Position {
    pub(crate) fn from_zero_based(line: usize, column: usize) -> Self {
        // MRZ lines are at most 3 × 44 characters, so these always fit.
        Self {
            line: u8::try_from(line + 1).unwrap_or(u8::MAX),
            column: u8::try_from(column + 1).unwrap_or(u8::MAX),
        }
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, position {}", self.line, self.column)
    }
}

/// A field protected by a check digit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CheckedField {
    /// Document number (including a TD1/TD2 long-number overflow).
    DocumentNumber,
    /// Date of birth.
    BirthDate,
    /// Date of expiry.
    ExpiryDate,
    /// TD3 personal number / optional data.
    PersonalNumber,
    /// The composite check digit over the lower line(s).
    Composite,
}

impl CheckedField {
    /// A stable `snake_case` name for reports.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            CheckedField::DocumentNumber => "document_number",
            CheckedField::BirthDate => "birth_date",
            CheckedField::ExpiryDate => "expiry_date",
            CheckedField::PersonalNumber => "personal_number",
            CheckedField::Composite => "composite",
        }
    }
}

/// Outcome of one check digit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckOutcome {
    /// The check digit matches.
    Valid,
    /// The check digit does not match. `expected` is `None` when the field holds
    /// characters outside the MRZ set, so no digit can be computed.
    Invalid {
        /// The digit the field's content calls for.
        expected: Option<char>,
        /// The character printed in the check-digit position.
        found: char,
    },
}

/// The result of one check digit, with enough detail to explain a failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CheckResult {
    /// Which field the digit protects.
    pub field: CheckedField,
    /// Where the check digit is printed.
    pub position: Position,
    /// Whether it matched.
    pub outcome: CheckOutcome,
}

impl CheckResult {
    /// Whether the check digit matched.
    #[must_use]
    pub fn is_valid(&self) -> bool {
        self.outcome == CheckOutcome::Valid
    }
}

impl fmt::Display for CheckResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = self.field.as_str();
        match self.outcome {
            CheckOutcome::Valid => write!(f, "{name} check digit valid ({})", self.position),
            CheckOutcome::Invalid {
                expected: Some(e),
                found,
            } => write!(
                f,
                "{name} check digit at {} is '{found}', the field calls for '{e}'",
                self.position
            ),
            CheckOutcome::Invalid {
                expected: None,
                found,
            } => write!(
                f,
                "{name} check digit at {} is '{found}', the field holds invalid characters",
                self.position
            ),
        }
    }
}

/// A date field: the six printed characters and, when they form a valid date, the
/// date with its century resolved against the caller's "today".
#[derive(Clone, PartialEq, Eq)]
pub struct MrzDate {
    /// `YYMMDD` as printed (may contain `<` for unknown parts).
    pub raw: String,
    /// The resolved date, if the field is a complete valid date.
    pub date: Option<Date>,
}

/// Sex field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sex {
    /// `M`.
    Male,
    /// `F`.
    Female,
    /// `<` or `X`: unspecified.
    Unspecified,
    /// Any other character (reported as an issue too).
    Invalid,
}

/// Document kind inferred from the document code (first two characters).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MrzDocumentKind {
    /// `P…`.
    Passport,
    /// `V…`.
    Visa,
    /// `I…`, `A…`, `C…` except the residence-permit codes.
    IdentityCard,
    /// `IR`, `AR`, `RP`, `RT`: codes states use on residence-permit cards.
    ResidencePermit,
    /// Anything else.
    Other,
}

/// Where a correction came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CorrectionReason {
    /// The character was outside its position's class and was replaced by its
    /// lookalike (in a check-digited field only if the check digit then passed).
    CharacterClass,
    /// A line had the wrong length; fillers were added to or removed from a run of fillers.
    LineLength,
    /// A stray character inside the trailing filler run of the name field became `<`.
    NameFiller,
    /// A document-number or optional-data character was one of an OCR-B lookalike
    /// pair (`O`/`0`, `I`/`1`, …) and the glyph in the image matched the other one
    /// better (MRZ reading from images only).
    GlyphShape,
}

/// One character changed by correction (positions refer to the corrected lines,
/// except for line-length repairs, which refer to the raw line).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Correction {
    /// Where.
    pub position: Position,
    /// Character read (`<` for an inserted filler).
    pub from: char,
    /// Character kept (`<` for a removed filler).
    pub to: char,
    /// Why.
    pub reason: CorrectionReason,
}

/// A problem with the MRZ content other than a check-digit mismatch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MrzIssue {
    /// A character outside the class its position admits.
    InvalidCharacter(Position),
    /// The birth date is incomplete or not a calendar date.
    InvalidBirthDate,
    /// The birth date is after "today".
    BirthDateInFuture,
    /// The expiry date is incomplete or not a calendar date.
    InvalidExpiryDate,
    /// The sex field is not `M`, `F`, `X` or `<`.
    InvalidSex,
    /// The issuing-state code is not an ICAO 9303 code.
    UnknownIssuingState,
    /// The nationality code is not an ICAO 9303 code.
    UnknownNationality,
    /// The document code does not fit the format (e.g. `V` on a TD1 card).
    UnexpectedDocumentCode,
    /// The document number is empty or has a filler inside it.
    MalformedDocumentNumber,
    /// The name field has no primary identifier.
    MissingName,
}

impl MrzIssue {
    /// A stable `snake_case` code for reports.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            MrzIssue::InvalidCharacter(_) => "invalid_character",
            MrzIssue::InvalidBirthDate => "invalid_birth_date",
            MrzIssue::BirthDateInFuture => "birth_date_in_future",
            MrzIssue::InvalidExpiryDate => "invalid_expiry_date",
            MrzIssue::InvalidSex => "invalid_sex",
            MrzIssue::UnknownIssuingState => "unknown_issuing_state",
            MrzIssue::UnknownNationality => "unknown_nationality",
            MrzIssue::UnexpectedDocumentCode => "unexpected_document_code",
            MrzIssue::MalformedDocumentNumber => "malformed_document_number",
            MrzIssue::MissingName => "missing_name",
        }
    }
}

/// A parsed machine-readable zone.
///
/// `Debug` is redacted: it shows the format, checks and issues but no personal data.
#[derive(Clone, PartialEq, Eq)]
pub struct MrzDocument {
    /// The format detected.
    pub format: MrzFormat,
    /// The MRZ lines after correction, exactly `format.line_count()` lines of
    /// `format.line_len()` characters.
    pub lines: Vec<String>,
    /// Document code, fillers removed (`P`, `I`, `ID`, `V`, `AC`, …).
    pub document_code: String,
    /// Kind inferred from the document code.
    pub kind: MrzDocumentKind,
    /// Issuing state or organisation.
    pub issuing_state: CountryCode,
    /// Document number, fillers removed, including any long-number overflow.
    pub document_number: String,
    /// Nationality of the holder.
    pub nationality: CountryCode,
    /// Date of birth.
    pub birth_date: MrzDate,
    /// Sex.
    pub sex: Sex,
    /// Date of expiry.
    pub expiry_date: MrzDate,
    /// Optional data (TD3 personal number; TD1 line 1 after any long-number
    /// overflow; TD2/visa optional data), fillers trimmed.
    pub optional_data: String,
    /// TD1 only: optional data of line 2, fillers trimmed.
    pub optional_data_2: Option<String>,
    /// Holder's name.
    pub name: MrzName,
    /// Every check digit of the format, in printing order.
    pub checks: Vec<CheckResult>,
    /// Format problems other than check digits.
    pub issues: Vec<MrzIssue>,
    /// Characters changed by OCR correction.
    pub corrections: Vec<Correction>,
}

impl MrzDocument {
    /// Whether every check digit matched.
    #[must_use]
    pub fn checksums_valid(&self) -> bool {
        self.checks.iter().all(CheckResult::is_valid)
    }

    /// Whether every check digit matched and no format issue was found.
    #[must_use]
    pub fn is_valid(&self) -> bool {
        self.checksums_valid() && self.issues.is_empty()
    }

    /// The failed checks, for explaining a failure.
    pub fn failed_checks(&self) -> impl Iterator<Item = &CheckResult> {
        self.checks.iter().filter(|c| !c.is_valid())
    }

    /// Whether the document has expired by `today` (`None` without a valid expiry date).
    /// A document is valid through its expiry day.
    #[must_use]
    pub fn is_expired(&self, today: Date) -> Option<bool> {
        self.expiry_date.date.map(|d| d < today)
    }

    /// The holder's age in whole years on `today` (`None` without a valid birth date).
    #[must_use]
    pub fn age_on(&self, today: Date) -> Option<i32> {
        self.birth_date.date.map(|d| d.years_until(today))
    }
}

impl fmt::Debug for MrzDocument {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MrzDocument")
            .field("format", &self.format)
            .field("kind", &self.kind)
            .field("issuing_state", &self.issuing_state.code)
            .field("personal_data", &"<redacted>")
            .field("checks", &self.checks)
            .field("issues", &self.issues)
            .field("corrections", &self.corrections.len())
            .finish()
    }
}

impl fmt::Debug for MrzDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MrzDate")
            .field("valid", &self.date.is_some())
            .finish_non_exhaustive()
    }
}
