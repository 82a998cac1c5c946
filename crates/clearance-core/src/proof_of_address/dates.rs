//! Dates as bills and statements print them, and which of a page's dates is its date of issue.

use chrono::NaiveDate;

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

fn month_of(word: &str) -> Option<u32> {
    let w = word.to_lowercase();
    let w = w.trim_end_matches(['.', ',']);
    if w.len() < 3 {
        return None;
    }
    MONTHS
        .iter()
        .position(|m| w.starts_with(m) && (w.len() == 3 || "january february march april may june july august september october november december sept".contains(w)))
        .map(|i| i as u32 + 1)
}

/// The first date written in `line`: `3 March 2026`, `03 Mar 2026`, `March 3, 2026`,
/// `03/03/2026` (day first, month first in the US), `2026-03-03`.
pub fn parse_date_in(line: &str, country: &str) -> Option<NaiveDate> {
    let words: Vec<String> = line
        .split(|c: char| c.is_whitespace())
        .map(|w| w.trim_matches(|c: char| ",;()".contains(c)).to_string())
        .filter(|w| !w.is_empty())
        .collect();
    for (i, w) in words.iter().enumerate() {
        // Numeric forms.
        let sep = ['/', '.', '-']
            .into_iter()
            .find(|s| w.matches(*s).count() == 2);
        if let Some(sep) = sep {
            let p: Vec<&str> = w.split(sep).collect();
            let n: Vec<Option<u32>> = p.iter().map(|x| x.parse().ok()).collect();
            if let [Some(a), Some(b), Some(c)] = n[..] {
                let date = if p[0].len() == 4 {
                    NaiveDate::from_ymd_opt(a as i32, b, c)
                } else {
                    let year = if p[2].len() == 2 {
                        2000 + c as i32
                    } else {
                        c as i32
                    };
                    if country == "US" {
                        NaiveDate::from_ymd_opt(year, a, b)
                    } else {
                        NaiveDate::from_ymd_opt(year, b, a)
                    }
                };
                if date.is_some() {
                    return date;
                }
            }
        }
        // `3 March 2026`
        if let (Ok(day), Some(month), Some(year)) = (
            w.trim_end_matches(|c: char| c.is_alphabetic())
                .parse::<u32>(),
            words.get(i + 1).and_then(|m| month_of(m)),
            words.get(i + 2).and_then(|y| y.parse::<i32>().ok()),
        ) && let Some(d) = NaiveDate::from_ymd_opt(year, month, day)
        {
            return Some(d);
        }
        // `March 3, 2026`
        if let (Some(month), Some(day), Some(year)) = (
            month_of(w),
            words.get(i + 1).and_then(|d| {
                d.trim_end_matches(|c: char| c.is_alphabetic())
                    .parse::<u32>()
                    .ok()
            }),
            words.get(i + 2).and_then(|y| y.parse::<i32>().ok()),
        ) && let Some(d) = NaiveDate::from_ymd_opt(year, month, day)
        {
            return Some(d);
        }
    }
    None
}

/// The date of issue: a date on a line that labels it as such, else the latest date on the
/// page that is not in the future (bills also print due dates and periods).
pub(super) fn issue_date(lines: &[String], country: &str, today: NaiveDate) -> Option<NaiveDate> {
    const LABELS: [&str; 7] = [
        "date of issue",
        "issue date",
        "issued",
        "statement date",
        "bill date",
        "date of bill",
        "letter date",
    ];
    // The date after the label (a row may hold a period or a due date before it), or a row
    // that starts with `Date`.
    let labelled = lines.iter().find_map(|l| {
        let lower = l.to_lowercase();
        let at = LABELS
            .iter()
            .filter_map(|label| lower.find(label).map(|at| at + label.len()))
            .min()
            .or_else(|| lower.starts_with("date").then_some(4))?;
        l.get(at..).and_then(|rest| parse_date_in(rest, country))
    });
    labelled.or_else(|| {
        lines
            .iter()
            .filter_map(|l| parse_date_in(l, country))
            .filter(|d| *d <= today + chrono::Days::new(1))
            .max()
    })
}

#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// Any date written in the forms bills use reads back as itself.
        #[test]
        fn written_dates_read_back(days in 0i64..40_000, form in 0usize..4) {
            let date = NaiveDate::from_ymd_opt(1990, 1, 1).unwrap_or_default() + chrono::Days::new(days as u64);
            let text = match form {
                0 => date.format("Date of issue: %-d %B %Y").to_string(),
                1 => date.format("Statement date %d/%m/%Y").to_string(),
                2 => date.format("Bill date: %d %b %Y").to_string(),
                _ => date.format("%Y-%m-%d").to_string(),
            };
            prop_assert_eq!(parse_date_in(&text, "GB"), Some(date));
        }

    }
}
