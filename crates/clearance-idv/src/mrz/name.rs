//! The name field: primary identifier (surname), `<<`, secondary identifier
//! (given names); single `<` separates name parts, trailing `<` are fillers.

use std::fmt;

use super::chars::FILLER;

/// The holder's name as encoded in the MRZ (transliterated, upper case).
///
/// `Debug` is redacted.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct MrzName {
    /// Parts of the primary identifier (surname), e.g. `["VAN", "DER", "BERG"]`.
    pub primary: Vec<String>,
    /// Parts of the secondary identifier (given names), e.g. `["ANNA", "MARIA"]`.
    pub secondary: Vec<String>,
    /// The field is full up to its last character, so the name may have been
    /// truncated by the issuer (ICAO 9303 Part 3 §4.6).
    pub possibly_truncated: bool,
}

impl MrzName {
    /// The surname with parts joined by spaces.
    #[must_use]
    pub fn surname(&self) -> String {
        self.primary.join(" ")
    }

    /// The given names joined by spaces.
    #[must_use]
    pub fn given_names(&self) -> String {
        self.secondary.join(" ")
    }
}

impl fmt::Debug for MrzName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MrzName")
            .field("primary_parts", &self.primary.len())
            .field("secondary_parts", &self.secondary.len())
            .field("possibly_truncated", &self.possibly_truncated)
            .finish()
    }
}

/// Parses a name field (any characters outside `A-Z<` are kept as they are; the
/// caller reports them).
pub(crate) fn parse_name(field: &[u8]) -> MrzName {
    let possibly_truncated = field.last().is_some_and(|&c| c != FILLER);
    let text: String = field.iter().map(|&c| char::from(c)).collect();
    let text = text.trim_end_matches('<');
    let (primary, secondary) = match text.split_once("<<") {
        Some((p, s)) => (p, s),
        None => (text, ""),
    };
    let parts = |s: &str| -> Vec<String> {
        s.split('<')
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .collect()
    };
    MrzName {
        primary: parts(primary),
        secondary: parts(secondary),
        possibly_truncated,
    }
}

/// Positions (within the field) of stray characters in the trailing filler run:
/// after the secondary identifier ends with `<<`, a character whose neighbours
/// are both fillers (or the field end) is OCR noise for `<`.
pub(crate) fn stray_filler_positions(field: &[u8]) -> Vec<usize> {
    let Some(sep) = find_double_filler(field, 0) else {
        return Vec::new();
    };
    // Skip the secondary identifier; the tail starts at the next `<<`.
    let secondary_start = sep + 2;
    let first_given = field[secondary_start..]
        .iter()
        .position(|&c| c != FILLER)
        .map_or(field.len(), |p| p + secondary_start);
    let Some(tail) = find_double_filler(field, first_given) else {
        return Vec::new();
    };
    (tail..field.len())
        .filter(|&i| {
            field[i] != FILLER
                && field[i - 1] == FILLER
                && field.get(i + 1).is_none_or(|&c| c == FILLER)
        })
        .collect()
}

fn find_double_filler(field: &[u8], from: usize) -> Option<usize> {
    field
        .get(from..)?
        .windows(2)
        .position(|w| w == b"<<")
        .map(|p| p + from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_primary_and_secondary() {
        let n = parse_name(b"ERIKSSON<<ANNA<MARIA<<<<<<<<<<");
        assert_eq!(n.primary, ["ERIKSSON"]);
        assert_eq!(n.secondary, ["ANNA", "MARIA"]);
        assert_eq!(n.surname(), "ERIKSSON");
        assert_eq!(n.given_names(), "ANNA MARIA");
        assert!(!n.possibly_truncated);
    }

    #[test]
    fn handles_multi_part_surnames_and_mononyms() {
        let n = parse_name(b"VAN<DER<BERG<<JAN<<<<<<");
        assert_eq!(n.primary, ["VAN", "DER", "BERG"]);
        let n = parse_name(b"MADONNA<<<<<<<");
        assert_eq!(n.primary, ["MADONNA"]);
        assert!(n.secondary.is_empty());
        let n = parse_name(b"NGUYEN<<VERYLONGGIVENNAMEX");
        assert!(n.possibly_truncated);
    }

    #[test]
    fn finds_stray_fillers_only_in_the_tail() {
        let f = b"ERIKSSON<<ANNA<MARIA<<<<K<<<<<<";
        assert_eq!(stray_filler_positions(f), vec![24]);
        assert!(stray_filler_positions(b"ERIKSSON<<ANNA<MARIA<<<<").is_empty());
        assert!(stray_filler_positions(b"ERIKSSON<<A<B<<<<").is_empty());
    }
}
