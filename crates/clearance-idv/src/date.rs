//! Calendar dates as used by the document checks: a plain, validated year-month-day
//! value with no time zone and no clock access (callers pass "today" in).

use std::fmt;

/// A validated Gregorian calendar date.
///
/// The library never reads the system clock: every function that needs the
/// current date takes a `Date` for "today" from the caller.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

impl Date {
    /// Builds a date, or `None` when the month or day is out of range.
    #[must_use]
    pub fn new(year: u16, month: u8, day: u8) -> Option<Self> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Self { year, month, day })
    }

    /// The year, e.g. `1974`.
    #[must_use]
    pub fn year(self) -> u16 {
        self.year
    }

    /// The month, 1–12.
    #[must_use]
    pub fn month(self) -> u8 {
        self.month
    }

    /// The day of the month, 1–31.
    #[must_use]
    pub fn day(self) -> u8 {
        self.day
    }

    /// Whole years from `self` to `later` (an age when `self` is a birth date).
    /// Negative when `later` is before `self`.
    #[must_use]
    pub fn years_until(self, later: Date) -> i32 {
        let mut years = i32::from(later.year) - i32::from(self.year);
        if (later.month, later.day) < (self.month, self.day) {
            years -= 1;
        }
        years
    }

    /// The same day `years` years later (29 February becomes 28 February when needed).
    #[must_use]
    pub fn add_years(self, years: u16) -> Date {
        let year = self.year.saturating_add(years);
        let day = self.day.min(days_in_month(year, self.month));
        Date {
            year,
            month: self.month,
            day,
        }
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl fmt::Debug for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Date({self})")
    }
}

fn is_leap(year: u16) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_impossible_days() {
        assert!(Date::new(2023, 2, 29).is_none());
        assert!(Date::new(2024, 2, 29).is_some());
        assert!(Date::new(1900, 2, 29).is_none());
        assert!(Date::new(2000, 2, 29).is_some());
        assert!(Date::new(2024, 4, 31).is_none());
        assert!(Date::new(2024, 13, 1).is_none());
        assert!(Date::new(2024, 1, 0).is_none());
    }

    #[test]
    fn ages_count_whole_years() {
        let birth = Date::new(1974, 8, 12).expect("valid");
        assert_eq!(
            birth.years_until(Date::new(2026, 8, 11).expect("valid")),
            51
        );
        assert_eq!(
            birth.years_until(Date::new(2026, 8, 12).expect("valid")),
            52
        );
        let leap = Date::new(2024, 2, 29).expect("valid");
        assert_eq!(leap.add_years(1), Date::new(2025, 2, 28).expect("valid"));
    }
}
