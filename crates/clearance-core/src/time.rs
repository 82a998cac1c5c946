//! Wire formats of time: `2020-01-04T17:24:29.146Z` timestamps and `YYYY-MM-DD` dates.

use chrono::{DateTime, NaiveDate, SecondsFormat, TimeZone, Utc};

/// Formats epoch milliseconds as an ISO-8601 UTC timestamp with milliseconds and `Z`.
pub fn format_timestamp(ms: i64) -> String {
    Utc.timestamp_millis_opt(ms)
        .single()
        .unwrap_or_default()
        .to_rfc3339_opts(SecondsFormat::Millis, true)
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
