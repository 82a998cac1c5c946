//! Wire formats of time: `2020-01-04T17:24:29.146Z` timestamps and `YYYY-MM-DD` dates.

use chrono::{DateTime, NaiveDate, SecondsFormat, TimeZone, Utc};

/// Formats epoch milliseconds as an ISO-8601 UTC timestamp with milliseconds and `Z`.
pub fn format_timestamp(ms: i64) -> String {
    match timestamp_bytes(ms) {
        // Only ASCII digits and separators.
        Some(bytes) => bytes.iter().map(|&b| char::from(b)).collect(),
        None => Utc
            .timestamp_millis_opt(ms)
            .single()
            .unwrap_or_default()
            .to_rfc3339_opts(SecondsFormat::Millis, true),
    }
}

/// The last millisecond of 9999-12-31: four-digit years are written by [`timestamp_bytes`].
const MAX_FOUR_DIGIT_YEAR_MS: i64 = 253_402_300_799_999;

/// `YYYY-MM-DDTHH:MM:SS.mmmZ` for 1970 to 9999, written by hand: every resource on the wire
/// carries two timestamps, and chrono's general formatter costs more than the rest of a
/// resource's answer. `None` outside that range (the caller falls back to chrono).
pub fn timestamp_bytes(ms: i64) -> Option<[u8; 24]> {
    if !(0..=MAX_FOUR_DIGIT_YEAR_MS).contains(&ms) {
        return None;
    }
    let days = ms / 86_400_000;
    let in_day = ms % 86_400_000;
    let (year, month, day) = civil_from_days(days);
    let mut out = *b"0000-00-00T00:00:00.000Z";
    let mut put = |at: usize, value: i64, width: usize| {
        let mut v = value;
        for i in (at..at + width).rev() {
            out[i] = b'0' + (v % 10) as u8;
            v /= 10;
        }
    };
    put(0, year, 4);
    put(5, month, 2);
    put(8, day, 2);
    put(11, in_day / 3_600_000, 2);
    put(14, in_day / 60_000 % 60, 2);
    put(17, in_day / 1000 % 60, 2);
    put(20, in_day % 1000, 3);
    Some(out)
}

/// Proleptic Gregorian (year, month, day) of a day count since 1970-01-01 (non-negative), by
/// counting 400-year eras that start on 1 March, as in Howard Hinnant's `civil_from_days`.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Parses a strict `YYYY-MM-DD` calendar date.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    if s.len() != 10 {
        return None;
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// Parses a time filter value: an RFC 3339 timestamp or a `YYYY-MM-DD` date (midnight UTC).
pub fn parse_time_filter(s: &str) -> Option<i64> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.timestamp_millis());
    }
    let date = parse_date(s)?;
    Some(date.and_hms_opt(0, 0, 0)?.and_utc().timestamp_millis())
}

/// Today's date in UTC for a clock reading.
pub fn date_of(ms: i64) -> NaiveDate {
    Utc.timestamp_millis_opt(ms)
        .single()
        .unwrap_or_default()
        .date_naive()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_have_millis_and_z() {
        assert_eq!(
            format_timestamp(1_578_158_669_146),
            "2020-01-04T17:24:29.146Z"
        );
        assert_eq!(
            format_timestamp(1_578_158_669_000),
            "2020-01-04T17:24:29.000Z"
        );
    }

    fn chrono_timestamp(ms: i64) -> String {
        Utc.timestamp_millis_opt(ms)
            .single()
            .unwrap_or_default()
            .to_rfc3339_opts(SecondsFormat::Millis, true)
    }

    #[test]
    fn hand_written_timestamps_match_chrono_at_the_edges() {
        for ms in [
            0,
            1,
            86_399_999,
            86_400_000,
            951_782_400_000,   // 2000-02-29
            4_107_542_400_000, // 2100-03-01
            MAX_FOUR_DIGIT_YEAR_MS,
        ] {
            assert_eq!(format_timestamp(ms), chrono_timestamp(ms), "{ms}");
        }
        assert_eq!(timestamp_bytes(-1), None);
        assert_eq!(timestamp_bytes(MAX_FOUR_DIGIT_YEAR_MS + 1), None);
        assert_eq!(format_timestamp(-1), chrono_timestamp(-1));
    }

    proptest::proptest! {
        #[test]
        fn hand_written_timestamps_match_chrono(ms in 0..=MAX_FOUR_DIGIT_YEAR_MS) {
            proptest::prop_assert_eq!(format_timestamp(ms), chrono_timestamp(ms));
        }
    }

    #[test]
    fn dates_are_strict() {
        assert!(parse_date("2020-02-29").is_some());
        assert!(parse_date("2021-02-29").is_none());
        assert!(parse_date("2020-2-09").is_none());
        assert!(parse_date("20200209").is_none());
    }

    #[test]
    fn time_filters_accept_dates_and_timestamps() {
        assert_eq!(parse_time_filter("2020-01-04"), Some(1_578_096_000_000));
        assert_eq!(
            parse_time_filter("2020-01-04T17:24:29.146Z"),
            Some(1_578_158_669_146)
        );
        assert_eq!(parse_time_filter("yesterday"), None);
    }
}
