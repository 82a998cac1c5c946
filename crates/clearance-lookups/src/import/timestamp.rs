//! ISO 8601 timestamps with offsets (`2023-03-10T13:08:56+01:00`) as the UTC form the records
//! use (`2023-03-10T12:08:56.000Z`), without a date-time dependency.

/// `YYYY-MM-DDTHH:MM:SS[.fff…][Z|±HH:MM]` in UTC with milliseconds; no offset means UTC.
/// `None` for anything else.
pub(crate) fn to_utc_millis(s: &str) -> Option<String> {
    let s = s.trim();
    if !s.is_ascii() || s.len() < 19 || s.as_bytes()[10] != b'T' {
        return None;
    }
    let num = |a: usize, b: usize| -> Option<i64> {
        let part = s.get(a..b)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let (year, month, day) = (num(0, 4)?, num(5, 7)?, num(8, 10)?);
    let (hour, minute, second) = (num(11, 13)?, num(14, 16)?, num(17, 19)?);
    let seps = [(4, b'-'), (7, b'-'), (13, b':'), (16, b':')];
    if seps.iter().any(|&(i, c)| s.as_bytes()[i] != c)
        || !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut rest = &s[19..];
    let mut millis = 0;
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        let padded = format!("{:0<3}", &fraction[..digits.min(3)]);
        millis = padded.parse().ok()?;
        rest = &fraction[digits..];
    }
    let offset_minutes = match rest {
        "" | "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let body = &rest[1..];
            let (h, m) = match body.len() {
                5 if body.as_bytes()[2] == b':' => (body.get(..2)?, body.get(3..)?),
                4 => (body.get(..2)?, body.get(2..)?),
                2 => (body, "00"),
                _ => return None,
            };
            let (h, m): (i64, i64) = (h.parse().ok()?, m.parse().ok()?);
            sign * (h * 60 + m)
        }
    };
    let minutes = days_from_civil(year, month, day) * 1440 + hour * 60 + minute - offset_minutes;
    let (days, minute_of_day) = (minutes.div_euclid(1440), minutes.rem_euclid(1440));
    let (y, m, d) = civil_from_days(days);
    Some(format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{second:02}.{millis:03}Z",
        minute_of_day / 60,
        minute_of_day % 60
    ))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day count since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_offsets_and_fractions() {
        let cases = [
            ("2023-03-10T13:08:56+01:00", "2023-03-10T12:08:56.000Z"),
            ("2023-05-18T15:41:20.212Z", "2023-05-18T15:41:20.212Z"),
            ("2018-09-01T00:01:28.1-05:00", "2018-09-01T05:01:28.100Z"),
            ("1994-12-21T00:00:00+01:00", "1994-12-20T23:00:00.000Z"),
            ("2024-03-01T00:30:00+0100", "2024-02-29T23:30:00.000Z"),
            ("2014-11-06T00:00:00", "2014-11-06T00:00:00.000Z"),
        ];
        for (input, want) in cases {
            assert_eq!(to_utc_millis(input).as_deref(), Some(want), "{input}");
        }
        for bad in [
            "",
            "2023-03-10",
            "2023-13-10T00:00:00Z",
            "2023-03-10T00:00:00+1",
            "2023-03-10T00:00:00.Z",
        ] {
            assert_eq!(to_utc_millis(bad), None, "{bad}");
        }
    }
}
