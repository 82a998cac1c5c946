//! Rendering MRZ lines from field values, with every check digit computed: used
//! by tests, the fuzzer and sandbox fixtures.

use super::chars::{CharClass, FILLER, check_digit};
use super::format::{MrzFormat, Span};
use crate::error::{IdvError, Result};

/// Field values to render. Text is upper-case MRZ characters; spaces and hyphens
/// in names become `<`.
#[derive(Clone, Default)]
pub struct MrzFields {
    /// Document code, 1–2 characters (`P`, `I`, `ID`, `V`).
    pub document_code: String,
    /// Issuing state, 1–3 characters (`UTO`, `D`).
    pub issuing_state: String,
    /// Surname(s).
    pub primary: String,
    /// Given name(s).
    pub secondary: String,
    /// Document number; TD1 and TD2 allow more than 9 characters (overflow rule).
    pub document_number: String,
    /// Nationality, 1–3 characters.
    pub nationality: String,
    /// Birth date `YYMMDD`.
    pub birth: String,
    /// `M`, `F`, `X` or `<`.
    pub sex: char,
    /// Expiry date `YYMMDD`.
    pub expiry: String,
    /// Optional data (TD3: personal number).
    pub optional: String,
    /// TD1 only: optional data of line 2.
    pub optional2: String,
}

impl std::fmt::Debug for MrzFields {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MrzFields")
            .field("document_code", &self.document_code)
            .field("issuing_state", &self.issuing_state)
            .finish_non_exhaustive()
    }
}

/// Renders `fields` in `format`.
///
/// # Errors
/// [`IdvError::MrzRender`] when a value is too long for its field or holds a
/// character outside the MRZ set.
pub fn render(format: MrzFormat, fields: &MrzFields) -> Result<Vec<String>> {
    let l = format.layout();
    let mut lines = vec![vec![FILLER; format.line_len()]; format.line_count()];
    put(&mut lines, l.doc_code, &fields.document_code)?;
    put(&mut lines, l.issuing, &fields.issuing_state)?;
    let name = format!(
        "{}<<{}",
        encode_name(&fields.primary),
        encode_name(&fields.secondary)
    );
    let name: String = name.chars().take(l.name.len).collect();
    put(&mut lines, l.name, name.trim_end_matches('<'))?;
    put(&mut lines, l.nationality, &fields.nationality)?;
    put(&mut lines, l.birth, &fields.birth)?;
    put(&mut lines, l.sex, &fields.sex.to_string())?;
    put(&mut lines, l.expiry, &fields.expiry)?;

    let number = fields.document_number.as_str();
    let number_cd = digit(number)?;
    if number.len() > l.number.len && l.long_number {
        // Long number: first 9 characters, `<`, then the rest and its check
        // digit at the start of the optional data, then a filler.
        put(&mut lines, l.number, &number[..l.number.len])?;
        put(&mut lines, l.number_cd, "<")?;
        let overflow = format!(
            "{}{}<{}",
            &number[l.number.len..],
            number_cd,
            fields.optional
        );
        put(&mut lines, l.optional, overflow.trim_end_matches('<'))?;
    } else {
        put(&mut lines, l.number, number)?;
        put(&mut lines, l.number_cd, &number_cd.to_string())?;
        put(&mut lines, l.optional, &fields.optional)?;
    }
    if let Some(s) = l.optional2 {
        put(&mut lines, s, &fields.optional2)?;
    }
    let birth_cd = digit(&fields.birth)?;
    put(&mut lines, l.birth_cd, &birth_cd.to_string())?;
    let expiry_cd = digit(&fields.expiry)?;
    put(&mut lines, l.expiry_cd, &expiry_cd.to_string())?;
    if let Some(cd) = l.optional_cd {
        let text = span_text(&lines, l.optional);
        let c = if text.iter().all(|&c| c == FILLER) {
            '<'
        } else {
            digit_bytes(&text)?
        };
        put(&mut lines, cd, &c.to_string())?;
    }
    if let Some((cd, covered)) = l.composite {
        let all: Vec<u8> = covered.iter().flat_map(|s| span_text(&lines, *s)).collect();
        put(&mut lines, cd, &digit_bytes(&all)?.to_string())?;
    }
    Ok(lines
        .into_iter()
        .map(|l| l.into_iter().map(char::from).collect())
        .collect())
}

fn encode_name(name: &str) -> String {
    name.trim()
        .chars()
        .map(|c| if c == ' ' || c == '-' { '<' } else { c })
        .collect()
}

fn span_text(lines: &[Vec<u8>], s: Span) -> Vec<u8> {
    lines[s.line][s.start..s.start + s.len].to_vec()
}

fn digit(text: &str) -> Result<char> {
    digit_bytes(text.as_bytes())
}

fn digit_bytes(text: &[u8]) -> Result<char> {
    check_digit(text.iter().copied())
        .map(char::from)
        .ok_or(IdvError::MrzRender("character outside the MRZ set"))
}

fn put(lines: &mut [Vec<u8>], s: Span, value: &str) -> Result<()> {
    if value.len() > s.len {
        return Err(IdvError::MrzRender("value too long for its field"));
    }
    if !value.bytes().all(|c| CharClass::AlphaNum.admits(c)) {
        return Err(IdvError::MrzRender("character outside the MRZ set"));
    }
    lines[s.line][s.start..s.start + value.len()].copy_from_slice(value.as_bytes());
    Ok(())
}
