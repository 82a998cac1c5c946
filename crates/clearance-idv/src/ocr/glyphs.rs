//! Deciding OCR-B lookalikes (`O`/`0`, `I`/`1`, `Z`/`2`, `S`/`5`, `B`/`8`, `G`/`6`, …)
//! from the image rather than from the recogniser's priors.
//!
//! Each cell of a line (cut and normalised by `cells.rs`) is compared with each
//! candidate glyph of the vendored bitmaps (`ocrb_glyphs.rs`) by normalised
//! cross-correlation.

use super::cells::{Ink, blur, normalise, pad};
use super::ocrb_glyphs::GLYPHS;
use crate::mrz::{
    CharClass, MrzFormat, check_digit_matches, checked_spans, class_at, digit_lookalikes,
    letter_lookalikes,
};

/// A lookalike replaces the recogniser's character when its glyph, at the
/// line's blur, correlates with the cell better by at least this much.
const SHAPE_LEAD: f32 = 0.04;
/// `O` and `0` differ only in roundness, which blur hides: they are compared
/// with the sharp glyphs, and a lead of this much decides.
const ROUND_LEAD: f32 = 0.03;
/// An `O`/`0` cell with a smaller lead either way is unsure: if its field's
/// check digit fails, the single way of flipping unsure cells that makes it
/// pass is taken.
const ROUND_UNSURE: f32 = 0.03;
/// Most unsure cells flipped together in one field.
const MAX_UNSURE: usize = 4;
/// Each glyph is also stored blurred by these Gaussian sigmas (pixels of the
/// stored bitmap), to match cells from blurred or small text.
const TEMPLATE_BLURS: [f32; 4] = [0.0, 0.8, 1.6, 2.4];

/// A line is read by glyph shape only if every cell's best glyph correlates with it at least
/// this well (a cell that is no OCR-B character, or is cut badly, matches nothing well).
const READ_MIN_SCORE: f32 = 0.6;
/// ... and leads every other glyph by at least this much, unless the other is a lookalike
/// (`O`/`0`, `B`/`8`, …), which the field's character class and check digit decide.
const READ_LEAD: f32 = 0.05;

/// Which characters a line may hold, for [`GlyphMatcher::read_line`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Alphabet {
    /// Every MRZ character: lines with check-digited fields.
    Mrz,
    /// Capital letters and the filler: the names line (document code, issuing state and
    /// names on two-line formats; names alone on a TD1). Digits are no candidates, so
    /// `O`/`0` and the like cannot be confused there.
    Letters,
}

impl Alphabet {
    fn admits(self, c: u8) -> bool {
        match self {
            Self::Mrz => true,
            Self::Letters => c.is_ascii_uppercase() || c == b'<',
        }
    }
}

/// The stored glyphs, normalised for correlation.
pub(crate) struct GlyphMatcher {
    /// (character, blur level, normalised glyph).
    templates: Vec<(u8, usize, Vec<f32>)>,
}

impl GlyphMatcher {
    pub fn new() -> Self {
        let mut templates = Vec::new();
        for &(c, rows) in GLYPHS {
            let w = rows.first().map_or(0, |r| r.len());
            let v: Vec<f32> = rows
                .iter()
                .flat_map(|r| r.chars())
                .map(|ch| ch.to_digit(16).map_or(0.0, |d| d as f32 / 15.0))
                .collect();
            let ink = pad(
                &Ink {
                    w,
                    h: rows.len(),
                    v,
                },
                4,
            );
            for (level, &sigma) in TEMPLATE_BLURS.iter().enumerate() {
                if let Some(n) = normalise(&blur(&ink, sigma)) {
                    templates.push((c, level, n));
                }
            }
        }
        Self { templates }
    }

    /// Correlation of `cell` (a normalised cell) with the glyph of `c` at blur
    /// `level`, or `None` when no glyph of `c` is stored.
    pub fn score(&self, cell: &[f32], c: u8, level: usize) -> Option<f32> {
        self.templates
            .iter()
            .find(|(k, l, _)| *k == c && *l == level)
            .map(|(_, _, t)| t.iter().zip(cell).map(|(a, b)| a * b).sum::<f32>())
    }

    /// The blur level at which the glyphs of `known` characters (cell, character
    /// pairs the recogniser is trusted on) match their cells best: the line's
    /// blur, for comparing lookalikes at.
    pub fn blur_level<'a>(&self, known: impl Iterator<Item = (&'a [f32], u8)>) -> usize {
        let mut totals = [0f32; TEMPLATE_BLURS.len()];
        for (cell, c) in known {
            for (level, total) in totals.iter_mut().enumerate() {
                *total += self.score(cell, c, level).unwrap_or(0.0);
            }
        }
        totals
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1))
            .map_or(0, |(level, _)| level)
    }

    /// The line whose cells are `cells`, each read as the glyph of `alphabet` matching it best
    /// at the blur level that fits the whole line best. `None` when a cell is blank or
    /// unusable, matches no glyph well ([`READ_MIN_SCORE`]), or matches two glyphs that are
    /// not lookalikes about equally well ([`READ_LEAD`]): such lines are left to the recogniser.
    pub fn read_line(&self, cells: &[Option<Vec<f32>>], alphabet: Alphabet) -> Option<Vec<u8>> {
        let cells: Vec<&[f32]> = cells.iter().map(Option::as_deref).collect::<Option<_>>()?;
        let templates: Vec<&(u8, usize, Vec<f32>)> = self
            .templates
            .iter()
            .filter(|(c, _, _)| alphabet.admits(*c))
            .collect();
        // scores[cell][template]
        let scores: Vec<Vec<f32>> = cells
            .iter()
            .map(|cell| {
                templates
                    .iter()
                    .map(|(_, _, t)| t.iter().zip(*cell).map(|(a, b)| a * b).sum())
                    .collect()
            })
            .collect();
        let best_at = |cell: &[f32], level: usize| -> Vec<(u8, f32)> {
            let mut by_char: Vec<(u8, f32)> = templates
                .iter()
                .zip(cell)
                .filter(|((_, l, _), _)| *l == level)
                .map(|((c, _, _), &s)| (*c, s))
                .collect();
            by_char.sort_by(|a, b| b.1.total_cmp(&a.1));
            by_char
        };
        let level = (0..TEMPLATE_BLURS.len()).max_by(|&a, &b| {
            let total = |level: usize| -> f32 {
                scores
                    .iter()
                    .map(|cell| best_at(cell, level).first().map_or(0.0, |b| b.1))
                    .sum()
            };
            total(a).total_cmp(&total(b))
        })?;
        scores
            .iter()
            .map(|cell| {
                let ranked = best_at(cell, level);
                let &(c, score) = ranked.first()?;
                let clear = ranked
                    .get(1)
                    .is_none_or(|&(other, s)| score - s >= READ_LEAD || lookalikes(c, other));
                (score >= READ_MIN_SCORE && clear).then_some(c)
            })
            .collect()
    }

    /// Among `candidates`, the character whose glyph at blur `level` best matches
    /// `cell`, and its lead over `read` (the recogniser's answer). `None` when a
    /// glyph is missing.
    pub fn decide(
        &self,
        cell: &[f32],
        read: u8,
        candidates: &[u8],
        level: usize,
    ) -> Option<(u8, f32)> {
        let base = self.score(cell, read, level)?;
        let mut best = (read, base);
        for &c in candidates {
            let s = self.score(cell, c, level)?;
            if s > best.1 {
                best = (c, s);
            }
        }
        Some((best.0, best.1 - base))
    }
}

/// Lookalikes in alphanumeric positions (document number, optional data) of
/// `lines` decided from `cells` (per line, per column; lines of the wrong length
/// have none). Changes `lines` and returns the changes as (line, column, from, to).
pub(crate) fn decide_lookalikes(
    matcher: &GlyphMatcher,
    format: MrzFormat,
    lines: &mut [Vec<u8>],
    cells: &[Vec<Option<Vec<f32>>>],
) -> Vec<(usize, usize, u8, u8)> {
    let cell = |line: usize, col: usize| {
        cells
            .get(line)
            .and_then(|c| c.get(col))
            .and_then(Option::as_deref)
    };
    // The blur level, from cells whose class makes the recogniser's character
    // trustworthy (dates, check digits, codes, names).
    let mut known = Vec::new();
    for (index, line) in lines.iter().enumerate() {
        for (col, &c) in line.iter().enumerate() {
            let class = class_at(format, index, col);
            if matches!(class, CharClass::Digit | CharClass::Alpha)
                && c != b'<'
                && class.admits(c)
                && let Some(cell) = cell(index, col)
            {
                known.push((cell, c));
            }
        }
    }
    let level = matcher.blur_level(known.into_iter());
    let original = lines.to_vec();
    let mut changes = Vec::new();
    // (line, column, the other character) of unsure `O`/`0` cells.
    let mut unsure: Vec<(usize, usize, u8)> = Vec::new();
    for (index, line) in lines.iter_mut().enumerate() {
        for (col, slot) in line.iter_mut().enumerate() {
            let read = *slot;
            let class = class_at(format, index, col);
            let Some(cell) = cell(index, col) else {
                continue;
            };
            let to =
                match class {
                    CharClass::AlphaNum if read.is_ascii_digit() => {
                        // Letters other than `O` by shape at the line's blur; `O`
                        // against `0` by roundness.
                        let others: Vec<u8> = letters_like(read)
                            .into_iter()
                            .filter(|&l| l != b'O')
                            .collect();
                        match matcher.decide(cell, read, &others, level) {
                            Some((to, lead)) if to != read && lead >= SHAPE_LEAD => Some(to),
                            _ if read == b'0' => {
                                round(matcher, cell, read, (index, col), &mut unsure)
                            }
                            _ => None,
                        }
                    }
                    CharClass::AlphaNum if read == b'O' => {
                        round(matcher, cell, read, (index, col), &mut unsure)
                    }
                    CharClass::AlphaNum => matcher
                        .decide(cell, read, digit_lookalikes(read), level)
                        .and_then(|(to, lead)| (to != read && lead >= SHAPE_LEAD).then_some(to)),
                    // A digit where only letters are allowed: class correction would
                    // take its first lookalike; take another if its shape is clearly
                    // better.
                    CharClass::Alpha if read.is_ascii_digit() => {
                        let letters = letters_like(read);
                        match letters.first() {
                            Some(&first) => matcher.decide(cell, first, &letters, level).and_then(
                                |(to, lead)| (to != first && lead >= SHAPE_LEAD).then_some(to),
                            ),
                            None => None,
                        }
                    }
                    _ => None,
                };
            if let Some(to) = to
                && to != read
            {
                *slot = to;
                changes.push((index, col, read, to));
            }
        }
    }
    // Unsure `O`/`0` cells in check-digited fields whose digit fails.
    for span in checked_spans(lines, format) {
        let Some(&cd) = lines
            .get(span.check_digit.0)
            .and_then(|l| l.get(span.check_digit.1))
        else {
            continue;
        };
        let field = |lines: &[Vec<u8>]| -> Vec<u8> {
            span.positions
                .iter()
                .filter_map(|&(l, c)| lines.get(l).and_then(|line| line.get(c)).copied())
                .collect()
        };
        // A check digit read as a letter counts as its one digit lookalike (class
        // correction makes the same change once the field passes).
        let cd = match digit_lookalikes(cd) {
            [d] if !cd.is_ascii_digit() => *d,
            _ => cd,
        };
        if !cd.is_ascii_digit() || check_digit_matches(&field(lines), cd) {
            continue;
        }
        let here: Vec<(usize, usize, u8)> = unsure
            .iter()
            .copied()
            .filter(|&(l, c, _)| span.positions.contains(&(l, c)))
            .collect();
        if here.is_empty() || here.len() > MAX_UNSURE {
            continue;
        }
        let mut passing = Vec::new();
        for mask in 1u32..(1 << here.len()) {
            let mut trial = lines.to_vec();
            for (bit, &(l, c, other)) in here.iter().enumerate() {
                if mask & (1 << bit) != 0 {
                    trial[l][c] = other;
                }
            }
            if check_digit_matches(&field(&trial), cd) {
                passing.push(mask);
            }
        }
        if let [mask] = passing.as_slice() {
            for (bit, &(l, c, other)) in here.iter().enumerate() {
                if mask & (1 << bit) != 0 {
                    changes.push((l, c, lines[l][c], other));
                    lines[l][c] = other;
                }
            }
        }
    }
    // A check digit that passed on the recogniser's text and fails after the
    // changes convicts them: undo those in its field.
    for span in checked_spans(&original, format) {
        let passes = |lines: &[Vec<u8>]| {
            let field: Vec<u8> = span
                .positions
                .iter()
                .filter_map(|&(l, c)| lines.get(l).and_then(|line| line.get(c)).copied())
                .collect();
            lines
                .get(span.check_digit.0)
                .and_then(|l| l.get(span.check_digit.1))
                .is_some_and(|&cd| check_digit_matches(&field, cd))
        };
        if passes(&original) && !passes(lines) {
            changes.retain(|&(l, c, _, _)| {
                let inside = span.positions.contains(&(l, c));
                if inside {
                    lines[l][c] = original[l][c];
                }
                !inside
            });
        }
    }
    changes
}

/// Letters that OCR-B digit `d` may stand for (the lookalike tables read both
/// ways), most likely first.
fn letters_like(d: u8) -> Vec<u8> {
    let first = letter_lookalikes(d);
    let mut out = first.to_vec();
    out.extend((b'A'..=b'Z').filter(|&l| digit_lookalikes(l).contains(&d) && !first.contains(&l)));
    out
}

/// `O` against `0` in an alphanumeric cell, with the sharp glyphs: the other
/// character when it leads by [`ROUND_LEAD`]; a cell with a smaller lead either
/// way is noted in `unsure` (with the other character).
fn round(
    matcher: &GlyphMatcher,
    cell: &[f32],
    read: u8,
    at: (usize, usize),
    unsure: &mut Vec<(usize, usize, u8)>,
) -> Option<u8> {
    let other = if read == b'0' { b'O' } else { b'0' };
    let lead = matcher.score(cell, other, 0)? - matcher.score(cell, read, 0)?;
    if lead >= ROUND_LEAD {
        Some(other)
    } else {
        if lead.abs() < ROUND_UNSURE {
            unsure.push((at.0, at.1, other));
        }
        None
    }
}

/// Whether `a` and `b` are an OCR-B digit/letter lookalike pair.
fn lookalikes(a: u8, b: u8) -> bool {
    digit_lookalikes(a).contains(&b)
        || digit_lookalikes(b).contains(&a)
        || letter_lookalikes(a).contains(&b)
        || letter_lookalikes(b).contains(&a)
}

#[cfg(test)]
mod tests;
