//! The five ICAO 9303 MRZ formats and the position of every field in each
//! (Parts 4–7; positions here are 0-based, the standard counts from 1).

use std::fmt;

/// An MRZ format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MrzFormat {
    /// ID-1 size card (ID cards, residence permits): 3 lines of 30 characters.
    Td1,
    /// ID-2 size card or document: 2 lines of 36 characters.
    Td2,
    /// Passport booklet: 2 lines of 44 characters.
    Td3,
    /// Full-page visa: 2 lines of 44 characters, first character `V`.
    MrvA,
    /// Small visa: 2 lines of 36 characters, first character `V`.
    MrvB,
}

impl MrzFormat {
    /// All formats, in ICAO order.
    pub const ALL: [MrzFormat; 5] = [
        MrzFormat::Td1,
        MrzFormat::Td2,
        MrzFormat::Td3,
        MrzFormat::MrvA,
        MrzFormat::MrvB,
    ];

    /// Number of lines.
    #[must_use]
    pub fn line_count(self) -> usize {
        match self {
            MrzFormat::Td1 => 3,
            _ => 2,
        }
    }

    /// Characters per line.
    #[must_use]
    pub fn line_len(self) -> usize {
        match self {
            MrzFormat::Td1 => 30,
            MrzFormat::Td2 | MrzFormat::MrvB => 36,
            MrzFormat::Td3 | MrzFormat::MrvA => 44,
        }
    }

    /// Whether the format carries a composite check digit (visas do not).
    #[must_use]
    pub fn has_composite(self) -> bool {
        !matches!(self, MrzFormat::MrvA | MrzFormat::MrvB)
    }

    /// The short name used in reports: `TD1`, `TD2`, `TD3`, `MRV-A`, `MRV-B`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            MrzFormat::Td1 => "TD1",
            MrzFormat::Td2 => "TD2",
            MrzFormat::Td3 => "TD3",
            MrzFormat::MrvA => "MRV-A",
            MrzFormat::MrvB => "MRV-B",
        }
    }

    /// Picks the format from the line count, line length and first character.
    #[must_use]
    pub fn detect(line_count: usize, line_len: usize, first_char: u8) -> Option<MrzFormat> {
        let visa = first_char == b'V';
        match (line_count, line_len) {
            (3, 30) => Some(MrzFormat::Td1),
            (2, 36) if visa => Some(MrzFormat::MrvB),
            (2, 36) => Some(MrzFormat::Td2),
            (2, 44) if visa => Some(MrzFormat::MrvA),
            (2, 44) => Some(MrzFormat::Td3),
            _ => None,
        }
    }

    pub(crate) fn layout(self) -> &'static Layout {
        match self {
            MrzFormat::Td1 => &TD1,
            MrzFormat::Td2 => &TD2,
            MrzFormat::Td3 => &TD3,
            MrzFormat::MrvA => &MRV_A,
            MrzFormat::MrvB => &MRV_B,
        }
    }
}

impl fmt::Display for MrzFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A run of characters on one line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Span {
    pub line: usize,
    pub start: usize,
    pub len: usize,
}

const fn sp(line: usize, start: usize, len: usize) -> Span {
    Span { line, start, len }
}

impl Span {
    /// The `(line, column)` of every character in the span.
    pub fn positions(self) -> impl Iterator<Item = (usize, usize)> {
        (self.start..self.start + self.len).map(move |col| (self.line, col))
    }
}

/// Where each field sits in one format.
#[derive(Debug)]
pub(crate) struct Layout {
    pub doc_code: Span,
    pub issuing: Span,
    pub name: Span,
    pub number: Span,
    pub number_cd: Span,
    pub nationality: Span,
    pub birth: Span,
    pub birth_cd: Span,
    pub sex: Span,
    pub expiry: Span,
    pub expiry_cd: Span,
    /// TD3: personal number; TD1: optional data of line 1; TD2 and visas: optional data.
    pub optional: Span,
    /// TD3 only: check digit of the personal number.
    pub optional_cd: Option<Span>,
    /// TD1 only: optional data of line 2.
    pub optional2: Option<Span>,
    /// The composite check digit and the spans it covers.
    pub composite: Option<(Span, &'static [Span])>,
    /// Whether a document number longer than 9 characters may overflow into the
    /// optional data (TD1 and TD2).
    pub long_number: bool,
}

static TD3_COMPOSITE: [Span; 3] = [sp(1, 0, 10), sp(1, 13, 7), sp(1, 21, 22)];
static TD2_COMPOSITE: [Span; 3] = [sp(1, 0, 10), sp(1, 13, 7), sp(1, 21, 14)];
static TD1_COMPOSITE: [Span; 4] = [sp(0, 5, 25), sp(1, 0, 7), sp(1, 8, 7), sp(1, 18, 11)];

static TD3: Layout = Layout {
    doc_code: sp(0, 0, 2),
    issuing: sp(0, 2, 3),
    name: sp(0, 5, 39),
    number: sp(1, 0, 9),
    number_cd: sp(1, 9, 1),
    nationality: sp(1, 10, 3),
    birth: sp(1, 13, 6),
    birth_cd: sp(1, 19, 1),
    sex: sp(1, 20, 1),
    expiry: sp(1, 21, 6),
    expiry_cd: sp(1, 27, 1),
    optional: sp(1, 28, 14),
    optional_cd: Some(sp(1, 42, 1)),
    optional2: None,
    composite: Some((sp(1, 43, 1), &TD3_COMPOSITE)),
    long_number: false,
};

static TD2: Layout = Layout {
    doc_code: sp(0, 0, 2),
    issuing: sp(0, 2, 3),
    name: sp(0, 5, 31),
    number: sp(1, 0, 9),
    number_cd: sp(1, 9, 1),
    nationality: sp(1, 10, 3),
    birth: sp(1, 13, 6),
    birth_cd: sp(1, 19, 1),
    sex: sp(1, 20, 1),
    expiry: sp(1, 21, 6),
    expiry_cd: sp(1, 27, 1),
    optional: sp(1, 28, 7),
    optional_cd: None,
    optional2: None,
    composite: Some((sp(1, 35, 1), &TD2_COMPOSITE)),
    long_number: true,
};

static TD1: Layout = Layout {
    doc_code: sp(0, 0, 2),
    issuing: sp(0, 2, 3),
    name: sp(2, 0, 30),
    number: sp(0, 5, 9),
    number_cd: sp(0, 14, 1),
    nationality: sp(1, 15, 3),
    birth: sp(1, 0, 6),
    birth_cd: sp(1, 6, 1),
    sex: sp(1, 7, 1),
    expiry: sp(1, 8, 6),
    expiry_cd: sp(1, 14, 1),
    optional: sp(0, 15, 15),
    optional_cd: None,
    optional2: Some(sp(1, 18, 11)),
    composite: Some((sp(1, 29, 1), &TD1_COMPOSITE)),
    long_number: true,
};

static MRV_A: Layout = Layout {
    doc_code: sp(0, 0, 2),
    issuing: sp(0, 2, 3),
    name: sp(0, 5, 39),
    number: sp(1, 0, 9),
    number_cd: sp(1, 9, 1),
    nationality: sp(1, 10, 3),
    birth: sp(1, 13, 6),
    birth_cd: sp(1, 19, 1),
    sex: sp(1, 20, 1),
    expiry: sp(1, 21, 6),
    expiry_cd: sp(1, 27, 1),
    optional: sp(1, 28, 16),
    optional_cd: None,
    optional2: None,
    composite: None,
    long_number: false,
};

static MRV_B: Layout = Layout {
    doc_code: sp(0, 0, 2),
    issuing: sp(0, 2, 3),
    name: sp(0, 5, 31),
    number: sp(1, 0, 9),
    number_cd: sp(1, 9, 1),
    nationality: sp(1, 10, 3),
    birth: sp(1, 13, 6),
    birth_cd: sp(1, 19, 1),
    sex: sp(1, 20, 1),
    expiry: sp(1, 21, 6),
    expiry_cd: sp(1, 27, 1),
    optional: sp(1, 28, 8),
    optional_cd: None,
    optional2: None,
    composite: None,
    long_number: false,
};

#[cfg(test)]
mod tests {
    use super::*;

    /// Every position of every line is covered by exactly one field.
    #[test]
    fn layouts_tile_every_line() {
        for format in MrzFormat::ALL {
            let l = format.layout();
            let mut spans = vec![
                l.doc_code,
                l.issuing,
                l.name,
                l.number,
                l.number_cd,
                l.nationality,
                l.birth,
                l.birth_cd,
                l.sex,
                l.expiry,
                l.expiry_cd,
                l.optional,
            ];
            spans.extend(l.optional_cd);
            spans.extend(l.optional2);
            spans.extend(l.composite.map(|(cd, _)| cd));
            let mut seen = vec![vec![0u8; format.line_len()]; format.line_count()];
            for s in spans {
                for (line, col) in s.positions() {
                    seen[line][col] += 1;
                }
            }
            assert!(seen.iter().flatten().all(|&n| n == 1), "{format}: {seen:?}");
        }
    }
}
