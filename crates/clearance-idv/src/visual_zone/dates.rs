//! Dates as visual zones print them: `12 AUG 1974`, `12 AUG/AOÛT 74`, `12.08.1974`,
//! `12/08/1974`, `1974-08-12`, `12 08 1974`. Month names are read in the languages of most
//! Latin-script documents (English, French, Spanish, Portuguese, Italian, German, Dutch).
//!
//! Numeric dates are read day first, as ICAO 9303 Part 3 asks of the visual zone; a numeric
//! date that is only valid month first (`08/25/1974`) is read that way too.

use crate::date::Date;

/// A date read from text. A two-digit year leaves the century open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct PrintedDate {
    pub day: u8,
    pub month: u8,
    /// The year as printed: four digits, or two when `century_known` is false.
    pub year: u16,
    pub century_known: bool,
    /// Numeric and valid both day first and month first: one of two readings.
    pub ambiguous: bool,
}

impl PrintedDate {
    /// Whether this is `date` (a two-digit year matches any century).
    pub fn is(self, date: Date) -> bool {
        self.day == date.day()
            && self.month == date.month()
            && if self.century_known {
                self.year == date.year()
            } else {
                self.year == date.year() % 100
            }
    }

    /// The calendar date, when the year has its century.
    pub fn date(self) -> Option<Date> {
        if self.century_known {
            Date::new(self.year, self.month, self.day)
        } else {
            None
        }
    }
}

/// Month-name prefixes (upper case, accents removed) and their months. Longer prefixes come
/// first where a short one is ambiguous (`JUIN`/`JUIL`, `MAR`/`MARS`, `MAI`).
const MONTHS: &[(&str, u8)] = &[
    ("JANV", 1),
    ("JAN", 1),
    ("ENE", 1),
    ("GEN", 1),
    ("FEV", 2),
    ("FEB", 2),
    ("MARS", 3),
    ("MAR", 3),
    ("MRZ", 3),
    ("MAAR", 3),
    ("AVR", 4),
    ("APR", 4),
    ("ABR", 4),
    ("MAY", 5),
    ("MAI", 5),
    ("MAG", 5),
    ("MEI", 5),
    ("JUIN", 6),
    ("JUN", 6),
    ("GIU", 6),
    ("JUIL", 7),
    ("JUL", 7),
    ("LUG", 7),
    ("AUG", 8),
    ("AOU", 8),
    ("AGO", 8),
    ("SEPT", 9),
    ("SEP", 9),
    ("SET", 9),
    ("OCT", 10),
    ("OKT", 10),
    ("OTT", 10),
    ("OUT", 10),
    ("NOV", 11),
    ("DEC", 12),
    ("DIC", 12),
    ("DEZ", 12),
];

/// The month a word names, if it is a month name or its usual abbreviation.
fn month_of(word: &str) -> Option<u8> {
    if !(3..=10).contains(&word.len()) {
        return None;
    }
    MONTHS
        .iter()
        .find(|(prefix, _)| word.starts_with(prefix))
        .map(|&(_, m)| m)
}

/// A token of a line: a run of digits or a run of letters.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Token {
    Number(String),
    Word(String),
}

/// Digits and letters of `text` as tokens; accents are dropped from letters, everything else
/// separates tokens.
fn tokens(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut current: Option<Token> = None;
    for c in text.chars().flat_map(char::to_uppercase) {
        let c = fold_accent(c);
        match (&mut current, c) {
            (Some(Token::Number(s)), d) if d.is_ascii_digit() => s.push(d),
            (Some(Token::Word(s)), l) if l.is_ascii_uppercase() => s.push(l),
            (_, d) if d.is_ascii_digit() => {
                out.extend(current.take());
                current = Some(Token::Number(d.to_string()));
            }
            (_, l) if l.is_ascii_uppercase() => {
                out.extend(current.take());
                current = Some(Token::Word(l.to_string()));
            }
            _ => out.extend(current.take()),
        }
    }
    out.extend(current);
    out
}

/// The unaccented capital of common Latin letters (enough to read month names).
fn fold_accent(c: char) -> char {
    match c {
        'À'..='Å' => 'A',
        'Ç' => 'C',
        'È'..='Ë' => 'E',
        'Ì'..='Ï' => 'I',
        'Ò'..='Ö' => 'O',
        'Ù'..='Ü' => 'U',
        other => other,
    }
}

/// Every date printed in `text`.
pub(crate) fn dates_in(text: &str) -> Vec<PrintedDate> {
    let tokens = tokens(text);
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        if let Some((date, used)) = date_at(&tokens[i..]) {
            out.extend(date);
            i += used;
        } else {
            i += 1;
        }
    }
    out
}

/// A date starting at `t[0]`, with the number of tokens it used. Numeric dates that are valid
/// both day first and month first give both readings.
fn date_at(t: &[Token]) -> Option<(Vec<PrintedDate>, usize)> {
    let Token::Number(first) = t.first()? else {
        return None;
    };
    // 19740812 or 12081974 written without separators is not read: too easily a number.
    if first.len() == 4 {
        // Year first: 1974-08-12.
        if let (Some(Token::Number(m)), Some(Token::Number(d))) = (t.get(1), t.get(2)) {
            let date = make(d, m, first)?;
            return Some((vec![date], 3));
        }
        return None;
    }
    if first.len() > 2 {
        return None;
    }
    // Day, month name (possibly in two languages), year.
    let mut j = 1;
    let mut month = None;
    while let Some(Token::Word(w)) = t.get(j) {
        if month.is_none() {
            month = Some(month_of(w)?);
        } else if month_of(w).is_none() {
            return None;
        }
        j += 1;
    }
    if let Some(m) = month {
        let Some(Token::Number(year)) = t.get(j) else {
            return None;
        };
        let date = make(first, &m.to_string(), year)?;
        return Some((vec![date], j + 1));
    }
    // Day, month and year as numbers.
    let (Some(Token::Number(second)), Some(Token::Number(year))) = (t.get(1), t.get(2)) else {
        return None;
    };
    if second.len() > 2 {
        return None;
    }
    let readings: Vec<PrintedDate> = [make(first, second, year), make(second, first, year)]
        .into_iter()
        .flatten()
        .fold(Vec::new(), |mut acc, d| {
            if !acc.contains(&d) {
                acc.push(d);
            }
            acc
        });
    if readings.is_empty() {
        return None;
    }
    let ambiguous = readings.len() > 1;
    let readings = readings
        .into_iter()
        .map(|d| PrintedDate { ambiguous, ..d })
        .collect();
    Some((readings, 3))
}

fn make(day: &str, month: &str, year: &str) -> Option<PrintedDate> {
    let day: u8 = day.parse().ok()?;
    let month: u8 = month.parse().ok()?;
    let (y, century_known) = match year.len() {
        2 => (year.parse().ok()?, false),
        4 => (year.parse().ok()?, true),
        _ => return None,
    };
    // Validate the day against the month (2000 is a leap year: 29 Feb with an unknown
    // century stays possible).
    let check_year = if century_known { y } else { 2000 };
    Date::new(check_year, month, day)?;
    Some(PrintedDate {
        day,
        month,
        year: y,
        century_known,
        ambiguous: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: u16, m: u8, day: u8) -> Date {
        Date::new(y, m, day).expect("valid")
    }

    #[test]
    fn reads_the_usual_forms() {
        let birth = d(1974, 8, 12);
        for text in [
            "12 AUG 1974",
            "12 Aug 1974",
            "12 AUG/AOÛT 1974",
            "12 AOUT AUG 74",
            "12.08.1974",
            "12/08/1974",
            "12-08-74",
            "1974-08-12",
            "12 08 1974",
            "Date of birth 12 AGO 1974",
        ] {
            let found = dates_in(text);
            assert!(found.iter().any(|p| p.is(birth)), "{text}: {found:?}");
        }
    }

    #[test]
    fn numeric_dates_give_both_readings_when_both_are_valid() {
        let found = dates_in("03/04/2010");
        assert!(found.iter().all(|p| p.ambiguous));
        assert!(found.iter().any(|p| p.is(d(2010, 4, 3))));
        assert!(found.iter().any(|p| p.is(d(2010, 3, 4))));
        // Only month first is valid.
        let found = dates_in("08/25/1974");
        assert_eq!(found.len(), 1);
        assert!(found[0].is(d(1974, 8, 25)) && !found[0].ambiguous);
    }

    #[test]
    fn other_text_is_not_a_date() {
        for text in [
            "ERIKSSON",
            "L898902C3",
            "Passport No.",
            "31 FEB 2001",
            "12 ANNA 1974",
            "19740812",
            "",
        ] {
            assert!(dates_in(text).is_empty(), "{text}");
        }
    }

    #[test]
    fn two_digit_years_match_any_century_and_have_no_date() {
        let p = dates_in("12 AUG 74")[0];
        assert!(p.is(d(1974, 8, 12)) && p.is(d(2074, 8, 12)));
        assert_eq!(p.date(), None);
        assert_eq!(dates_in("16 APR 2007")[0].date(), Some(d(2007, 4, 16)));
    }

    #[test]
    fn several_dates_on_one_line_are_all_read() {
        let found = dates_in("16 APR 2007   15 APR 2012");
        assert_eq!(found.len(), 2);
    }
}
