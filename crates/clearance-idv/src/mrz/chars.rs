//! The MRZ character set (ICAO 9303 Part 3), the 7-3-1 check digit, the character
//! class of each position and the OCR confusion tables used by correction.

/// The filler character `<`.
pub const FILLER: u8 = b'<';

/// What a position may hold. Every class also admits the filler `<`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CharClass {
    /// `0-9` (dates, check digits).
    Digit,
    /// `A-Z` (codes, names).
    Alpha,
    /// `A-Z` and `0-9` (document numbers, optional data).
    AlphaNum,
    /// `M`, `F`, `X` (sex field).
    Sex,
}

impl CharClass {
    /// Whether `c` is allowed in this class.
    #[must_use]
    pub fn admits(self, c: u8) -> bool {
        c == FILLER
            || match self {
                CharClass::Digit => c.is_ascii_digit(),
                CharClass::Alpha => c.is_ascii_uppercase(),
                CharClass::AlphaNum => c.is_ascii_digit() || c.is_ascii_uppercase(),
                CharClass::Sex => matches!(c, b'M' | b'F' | b'X'),
            }
    }
}

/// The numeric value of an MRZ character: digits as themselves, `A`=10 … `Z`=35,
/// `<`=0. `None` for characters outside the MRZ set.
#[must_use]
pub fn char_value(c: u8) -> Option<u32> {
    match c {
        b'0'..=b'9' => Some(u32::from(c - b'0')),
        b'A'..=b'Z' => Some(u32::from(c - b'A') + 10),
        FILLER => Some(0),
        _ => None,
    }
}

/// The ICAO check digit (weights 7, 3, 1 repeating, sum modulo 10) of `chars`, as
/// an ASCII digit. `None` if any character is outside the MRZ set.
#[must_use]
pub fn check_digit<I: IntoIterator<Item = u8>>(chars: I) -> Option<u8> {
    const WEIGHTS: [u32; 3] = [7, 3, 1];
    let mut sum = 0u32;
    for (i, c) in chars.into_iter().enumerate() {
        sum += char_value(c)? * WEIGHTS[i % 3];
    }
    // `sum % 10` is below 10, so the cast cannot truncate.
    Some(b'0' + u8::try_from(sum % 10).unwrap_or(0))
}

/// Whether `found` is an acceptable check digit for `chars`. A filler `<` is
/// accepted in place of `0` when the whole field is fillers (ICAO allows an empty
/// optional field to carry `<` as its check digit).
#[must_use]
pub fn check_digit_matches(chars: &[u8], found: u8) -> bool {
    if found == FILLER {
        return chars.iter().all(|&c| c == FILLER);
    }
    check_digit(chars.iter().copied()) == Some(found)
}

/// Digits a letter is commonly misread for, in OCR-B (most likely first).
#[must_use]
pub fn digit_lookalikes(c: u8) -> &'static [u8] {
    match c {
        b'O' | b'Q' | b'D' | b'U' => b"0",
        b'I' | b'L' | b'J' => b"1",
        b'Z' => b"2",
        b'A' => b"4",
        b'S' => b"5",
        b'G' => b"6",
        b'T' => b"7",
        b'B' => b"8",
        _ => b"",
    }
}

/// Letters a digit is commonly misread for, in OCR-B (most likely first).
#[must_use]
pub fn letter_lookalikes(c: u8) -> &'static [u8] {
    match c {
        b'0' => b"O",
        b'1' => b"I",
        b'2' => b"Z",
        b'4' => b"A",
        b'5' => b"S",
        b'6' => b"G",
        b'7' => b"T",
        b'8' => b"B",
        // Only one way round: a blurred `Q` reads as `9`, but `9` is no usual misreading of
        // a `Q` in a number (that is `0`).
        b'9' => b"Q",
        _ => b"",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_digits_of_the_icao_specimen() {
        assert_eq!(check_digit(*b"L898902C3"), Some(b'6'));
        assert_eq!(check_digit(*b"740812"), Some(b'2'));
        assert_eq!(check_digit(*b"120415"), Some(b'9'));
        assert_eq!(check_digit(*b"ZE184226B<<<<<"), Some(b'1'));
        assert_eq!(check_digit(*b"D23145890734"), Some(b'9'));
        assert_eq!(check_digit(*b"a"), None);
    }

    #[test]
    fn empty_optional_field_may_use_filler_check_digit() {
        assert!(check_digit_matches(b"<<<<", b'<'));
        assert!(check_digit_matches(b"<<<<", b'0'));
        assert!(!check_digit_matches(b"AB<<", b'<'));
    }

    #[test]
    fn lookalike_tables_are_consistent_with_classes() {
        for c in b'A'..=b'Z' {
            for &d in digit_lookalikes(c) {
                assert!(CharClass::Digit.admits(d));
            }
        }
        for c in b'0'..=b'9' {
            for &l in letter_lookalikes(c) {
                assert!(CharClass::Alpha.admits(l));
            }
        }
    }
}
