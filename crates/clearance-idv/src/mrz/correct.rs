//! OCR correction, confirmed by check digits, and line-shape repair.
//!
//! The rule: a character is changed only where its position proves it wrong.
//! * A character outside its position's class (a letter in a date or check digit,
//!   a digit in a code or name) is replaced by its OCR-B lookalike. In a
//!   check-digited field the replacement is kept only if the field's check digit
//!   then passes, and only if it is the single way to make it pass.
//! * Alphanumeric positions (document number, optional data) are never changed:
//!   there both letters and digits are legal, and one mod-10 check digit detects
//!   a substitution but cannot say where it is, so a "fix" could just as well
//!   produce another valid-looking number.
//! * Isolated letters in the name field's trailing filler run become `<`.
//! * A line up to 3 characters too long or short is repaired in its longest run
//!   of fillers (the usual miscount); check digits then confirm the alignment.

use super::chars::{CharClass, FILLER, check_digit_matches, digit_lookalikes, letter_lookalikes};
use super::format::{Layout, MrzFormat, Span};
use super::name::stray_filler_positions;
use super::types::{CheckedField, Correction, CorrectionReason, Position};
use crate::error::{IdvError, Result};

/// Most characters a line-length repair may add or remove.
const MAX_LENGTH_REPAIR: usize = 3;
/// Most candidate combinations tried for one field.
const MAX_CANDIDATES: usize = 256;

/// A field with its check digit, as positions in the lines.
#[derive(Debug)]
pub(crate) struct CheckedSpan {
    pub field: CheckedField,
    pub positions: Vec<(usize, usize)>,
    pub check_digit: (usize, usize),
}

impl CheckedSpan {
    fn from_spans(field: CheckedField, spans: &[Span], cd: Span) -> Self {
        Self {
            field,
            positions: spans.iter().flat_map(|s| s.positions()).collect(),
            check_digit: (cd.line, cd.start),
        }
    }
}

/// Length of a TD1/TD2 long-number overflow in the optional data (the rest of
/// the number plus its check digit), or `None` when the number is not long.
pub(crate) fn long_number_overflow(lines: &[Vec<u8>], layout: &Layout) -> Option<usize> {
    if !layout.long_number || lines[layout.number_cd.line][layout.number_cd.start] != FILLER {
        return None;
    }
    let opt = layout.optional;
    let k = lines[opt.line][opt.start..opt.start + opt.len]
        .iter()
        .take_while(|&&c| c != FILLER)
        .count();
    (k >= 2).then_some(k)
}

/// The check-digited fields of `format`, in printing order.
pub(crate) fn checked_spans(lines: &[Vec<u8>], format: MrzFormat) -> Vec<CheckedSpan> {
    let l = format.layout();
    let number = match long_number_overflow(lines, l) {
        Some(k) => {
            let o = l.optional;
            let rest = Span {
                line: o.line,
                start: o.start,
                len: k - 1,
            };
            let cd = Span {
                line: o.line,
                start: o.start + k - 1,
                len: 1,
            };
            CheckedSpan::from_spans(CheckedField::DocumentNumber, &[l.number, rest], cd)
        }
        None => CheckedSpan::from_spans(CheckedField::DocumentNumber, &[l.number], l.number_cd),
    };
    let mut spans = vec![
        number,
        CheckedSpan::from_spans(CheckedField::BirthDate, &[l.birth], l.birth_cd),
        CheckedSpan::from_spans(CheckedField::ExpiryDate, &[l.expiry], l.expiry_cd),
    ];
    if let Some(cd) = l.optional_cd {
        spans.push(CheckedSpan::from_spans(
            CheckedField::PersonalNumber,
            &[l.optional],
            cd,
        ));
    }
    if let Some((cd, covered)) = l.composite {
        spans.push(CheckedSpan::from_spans(
            CheckedField::Composite,
            covered,
            cd,
        ));
    }
    spans
}

/// The class of characters position `(line, col)` admits in `format`.
pub(crate) fn class_at(format: MrzFormat, line: usize, col: usize) -> CharClass {
    let l = format.layout();
    let within = |s: Span| s.line == line && (s.start..s.start + s.len).contains(&col);
    let digits = [l.birth, l.birth_cd, l.expiry, l.expiry_cd, l.number_cd];
    let alpha = [l.doc_code, l.issuing, l.nationality, l.name];
    if digits.into_iter().chain(l.optional_cd).any(within)
        || l.composite.is_some_and(|(cd, _)| within(cd))
    {
        CharClass::Digit
    } else if alpha.into_iter().any(within) {
        CharClass::Alpha
    } else if within(l.sex) {
        CharClass::Sex
    } else {
        CharClass::AlphaNum
    }
}

/// Brings the lines to the shape of one format. Returns the format, the lines and
/// the repairs made.
pub(crate) fn fix_shape(
    mut lines: Vec<Vec<u8>>,
) -> Result<(MrzFormat, Vec<Vec<u8>>, Vec<Correction>)> {
    let target = match lines.len() {
        3 => 30,
        2 => {
            let longest = lines.iter().map(Vec::len).max().unwrap_or(0);
            if longest.abs_diff(36) <= longest.abs_diff(44) {
                36
            } else {
                44
            }
        }
        _ => return Err(IdvError::MrzShape("an MRZ has 2 or 3 lines")),
    };
    let mut repairs = Vec::new();
    for (i, line) in lines.iter_mut().enumerate() {
        repair_length(line, i, target, &mut repairs)?;
    }
    let first = lines[0].first().copied().unwrap_or(FILLER);
    let format = MrzFormat::detect(lines.len(), target, first)
        .ok_or(IdvError::MrzShape("line count and length fit no format"))?;
    Ok((format, lines, repairs))
}

fn repair_length(
    line: &mut Vec<u8>,
    index: usize,
    target: usize,
    repairs: &mut Vec<Correction>,
) -> Result<()> {
    let found = line.len();
    let error = IdvError::MrzLineLength {
        line: index + 1,
        found,
        expected: target,
    };
    if found == target {
        return Ok(());
    }
    if found.abs_diff(target) > MAX_LENGTH_REPAIR {
        return Err(error);
    }
    // Longest run of fillers; the last one wins ties (trailing runs are the
    // usual place for a miscount).
    let mut best: Option<(usize, usize)> = None;
    let mut i = 0;
    while i < found {
        if line[i] == FILLER {
            let start = i;
            while i < found && line[i] == FILLER {
                i += 1;
            }
            if best.is_none_or(|(_, len)| i - start >= len) {
                best = Some((start, i - start));
            }
        } else {
            i += 1;
        }
    }
    let Some((start, len)) = best else {
        return Err(error);
    };
    if found > target {
        let excess = found - target;
        if len <= excess {
            return Err(error);
        }
        line.drain(start..start + excess);
        for _ in 0..excess {
            repairs.push(correction(
                index,
                start,
                FILLER,
                FILLER,
                CorrectionReason::LineLength,
            ));
        }
    } else {
        let missing = target - found;
        line.splice(start..start, std::iter::repeat_n(FILLER, missing));
        for _ in 0..missing {
            repairs.push(correction(
                index,
                start,
                FILLER,
                FILLER,
                CorrectionReason::LineLength,
            ));
        }
    }
    Ok(())
}

fn correction(line: usize, col: usize, from: u8, to: u8, reason: CorrectionReason) -> Correction {
    Correction {
        position: Position::from_zero_based(line, col),
        from: char::from(from),
        to: char::from(to),
        reason,
    }
}

/// Applies the correction rule (see the module docs) to lines of `format`.
pub(crate) fn correct(lines: &mut [Vec<u8>], format: MrzFormat) -> Vec<Correction> {
    let mut out = Vec::new();
    let layout = format.layout();
    // Letters-only positions: digits become their letter lookalikes.
    for (line, chars) in lines.iter_mut().enumerate() {
        for (col, c) in chars.iter_mut().enumerate() {
            if class_at(format, line, col) == CharClass::Alpha
                && !CharClass::Alpha.admits(*c)
                && let Some(&to) = letter_lookalikes(*c).first()
            {
                out.push(correction(
                    line,
                    col,
                    *c,
                    to,
                    CorrectionReason::CharacterClass,
                ));
                *c = to;
            }
        }
    }
    // Stray characters in the name's trailing fillers.
    let name = layout.name;
    let field = &lines[name.line][name.start..name.start + name.len];
    for i in stray_filler_positions(field) {
        let col = name.start + i;
        let from = lines[name.line][col];
        lines[name.line][col] = FILLER;
        out.push(correction(
            name.line,
            col,
            from,
            FILLER,
            CorrectionReason::NameFiller,
        ));
    }
    // Check-digited fields, then the composite (which may only fix its own digit).
    for span in checked_spans(lines, format) {
        let only_check_digit = span.field == CheckedField::Composite;
        fix_checked(lines, format, &span, only_check_digit, &mut out);
    }
    out
}

fn fix_checked(
    lines: &mut [Vec<u8>],
    format: MrzFormat,
    span: &CheckedSpan,
    only_check_digit: bool,
    out: &mut Vec<Correction>,
) {
    let all: Vec<(usize, usize)> = span
        .positions
        .iter()
        .copied()
        .chain(std::iter::once(span.check_digit))
        .collect();
    let cd_index = all.len() - 1;
    let mut options: Vec<Vec<u8>> = Vec::with_capacity(all.len());
    let mut any_wrong = false;
    for (i, &(line, col)) in all.iter().enumerate() {
        let c = lines[line][col];
        let class = if i == cd_index {
            CharClass::Digit
        } else {
            class_at(format, line, col)
        };
        if class.admits(c) || (only_check_digit && i != cd_index) {
            options.push(vec![c]);
            continue;
        }
        any_wrong = true;
        let swaps = match class {
            CharClass::Digit => digit_lookalikes(c),
            _ => &[],
        };
        options.push(if swaps.is_empty() {
            vec![c]
        } else {
            swaps.to_vec()
        });
    }
    if !any_wrong {
        return;
    }
    let total: usize = options.iter().map(Vec::len).product();
    if total > MAX_CANDIDATES {
        return;
    }
    let mut passing: Vec<Vec<u8>> = Vec::new();
    let mut index = vec![0usize; options.len()];
    for _ in 0..total {
        let candidate: Vec<u8> = index.iter().zip(&options).map(|(&k, o)| o[k]).collect();
        let (field, cd) = candidate.split_at(cd_index);
        let admitted = all
            .iter()
            .zip(&candidate)
            .enumerate()
            .all(|(i, (&(l, c), &ch))| {
                let class = if i == cd_index {
                    CharClass::Digit
                } else {
                    class_at(format, l, c)
                };
                class.admits(ch)
            });
        if admitted && check_digit_matches(field, cd[0]) && !passing.contains(&candidate) {
            passing.push(candidate);
        }
        advance(&mut index, &options);
    }
    if let [only] = passing.as_slice() {
        for (&(line, col), &to) in all.iter().zip(only) {
            let from = lines[line][col];
            if from != to {
                lines[line][col] = to;
                out.push(correction(
                    line,
                    col,
                    from,
                    to,
                    CorrectionReason::CharacterClass,
                ));
            }
        }
    }
}

/// Odometer step over the option lists.
fn advance(index: &mut [usize], options: &[Vec<u8>]) {
    for (k, o) in index.iter_mut().zip(options) {
        *k += 1;
        if *k < o.len() {
            return;
        }
        *k = 0;
    }
}
