//! What a bill or statement says, from its lines of text in reading order: the kind of
//! document, who issued it, the holder, the holder's address and the date of issue. The
//! address is found by its postcode: the block of left-aligned lines that ends with a valid
//! postcode and starts with a line that reads as a person's name, as a windowed letter prints
//! it, whatever stands beside it in other columns.

use chrono::NaiveDate;
use deunicode::deunicode;

use super::dates::{issue_date, parse_date_in};

/// What was read from the document.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Extraction {
    pub document_type: Option<&'static str>,
    pub issuer: Option<String>,
    /// As printed, without a title.
    pub holder: Option<String>,
    /// The address lines as printed, from the street to the postcode.
    pub address_lines: Vec<String>,
    pub property_number: Option<String>,
    pub building: Option<String>,
    pub street: Option<String>,
    pub city: Option<String>,
    pub postal_code: Option<String>,
    pub country: String,
    pub issue_date: Option<NaiveDate>,
}

const TITLES: [&str; 8] = ["mr", "mrs", "ms", "miss", "dr", "mx", "sir", "prof"];

/// Words that say which kind of document this is, with how much each says.
const KINDS: [(&str, &[&str]); 3] = [
    (
        "utility_bill",
        &[
            "electricity",
            "gas",
            "water",
            "energy",
            "kwh",
            "meter",
            "tariff",
            "broadband",
            "standing charge",
            "units",
            "sewerage",
            "supply",
        ],
    ),
    (
        "bank_statement",
        &[
            "statement",
            "balance",
            "sort code",
            "iban",
            "transactions",
            "overdraft",
            "bank",
            "building society",
            "paid in",
            "paid out",
            "brought forward",
        ],
    ),
    (
        "tax_document",
        &[
            "council tax",
            "hm revenue",
            "hmrc",
            "tax year",
            "valuation band",
            "tax code",
            "self assessment",
            "tax bill",
        ],
    ),
];

/// The kind of document the text reads as, by its keywords; `None` when nothing says.
pub fn classify(text: &str) -> Option<&'static str> {
    let text = text.to_lowercase();
    KINDS
        .iter()
        .map(|(kind, words)| (*kind, words.iter().filter(|w| text.contains(*w)).count()))
        .filter(|(_, n)| *n > 0)
        .max_by_key(|(_, n)| *n)
        .map(|(kind, _)| kind)
}

/// A UK postcode in `word` (spacing and case aside), written the way Royal Mail prints it.
pub fn uk_postcode(word: &str) -> Option<String> {
    let compact: String = word
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let n = compact.len();
    if !(5..=7).contains(&n) || !compact.is_ascii() {
        return None;
    }
    let (outward, inward) = compact.split_at(n - 3);
    let inward_ok = {
        let b = inward.as_bytes();
        b[0].is_ascii_digit() && b[1].is_ascii_alphabetic() && b[2].is_ascii_alphabetic()
    };
    let o = outward.as_bytes();
    let outward_ok = o[0].is_ascii_alphabetic()
        && o.iter().all(u8::is_ascii_alphanumeric)
        && o.iter().any(u8::is_ascii_digit)
        && (o.len() < 2 || o[1].is_ascii_alphanumeric())
        && o.iter().take_while(|c| c.is_ascii_alphabetic()).count() <= 2;
    (inward_ok && outward_ok).then(|| format!("{outward} {inward}"))
}

/// A postcode of `country` in `line`: where it starts and the postcode as printed normally.
fn find_postcode(line: &str, country: &str) -> Option<(usize, String)> {
    let words: Vec<(usize, &str)> = line
        .split_whitespace()
        .map(|w| (w.as_ptr() as usize - line.as_ptr() as usize, w))
        .collect();
    let clean = |w: &str| {
        w.trim_matches(|c: char| !c.is_ascii_alphanumeric())
            .to_string()
    };
    match country {
        "GB" | "JE" | "GG" | "IM" => {
            // The postcode is written as one word or as its two halves.
            for i in (0..words.len()).rev() {
                if i + 1 < words.len() {
                    let pair = format!("{}{}", clean(words[i].1), clean(words[i + 1].1));
                    if let Some(pc) = uk_postcode(&pair) {
                        return Some((words[i].0, pc));
                    }
                }
                if let Some(pc) = uk_postcode(&clean(words[i].1)) {
                    return Some((words[i].0, pc));
                }
            }
            None
        }
        "US" => words.iter().rev().find_map(|(at, w)| {
            let w = clean(w);
            let digits = w.replace('-', "");
            ((w.len() == 5 || w.len() == 10) && digits.chars().all(|c| c.is_ascii_digit()))
                .then(|| (*at, w.clone()))
        }),
        _ => words.iter().rev().find_map(|(at, w)| {
            let w = clean(w);
            (w.len() >= 4 && w.len() <= 6 && w.chars().all(|c| c.is_ascii_digit()))
                .then(|| (*at, w.clone()))
        }),
    }
}

fn is_name_like(line: &str) -> bool {
    let words: Vec<&str> = line.split_whitespace().collect();
    if !(2..=5).contains(&words.len()) || line.contains(':') {
        return false;
    }
    let letters = words
        .iter()
        .all(|w| w.chars().all(|c| c.is_alphabetic() || "-'.’".contains(c)));
    let lower = deunicode(line).to_lowercase();
    let not_heading = ![
        "bill",
        "statement",
        "account",
        "date",
        "total",
        "page",
        "your",
        "dear",
        "customer",
        "council",
        "tax",
        "energy",
        "water",
        "bank",
        "ltd",
        "limited",
        "plc",
    ]
    .iter()
    .any(|w| lower.split_whitespace().any(|x| x.trim_matches('.') == *w));
    letters && not_heading
}

/// The name without a title (`Mr John Smith` → `John Smith`).
fn without_title(line: &str) -> String {
    let mut words: Vec<&str> = line.split_whitespace().collect();
    if words.len() > 2 && TITLES.contains(&words[0].trim_end_matches('.').to_lowercase().as_str()) {
        words.remove(0);
    }
    words.join(" ")
}

/// One run of text on a line of the page: where it starts (a share of the page's width) and
/// its words. Columns of a page are separate cells of one line.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TextCell {
    pub x: f32,
    pub text: String,
}

/// A line of the page, its cells left to right.
pub type TextRow = Vec<TextCell>;

/// How far apart (a share of the page's width) the left edges of an address block's lines may
/// be: the lines of a window are aligned; a skewed scan moves them a little.
const ALIGNED: f32 = 0.03;

fn row_text(row: &TextRow) -> String {
    row.iter()
        .map(|c| c.text.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The cell of `row` that starts where `x` does, if any.
fn aligned(row: &TextRow, x: f32) -> Option<&TextCell> {
    row.iter().find(|c| (c.x - x).abs() <= ALIGNED)
}

/// Reads the document's lines (top to bottom). `country` is the country whose postcodes to
/// look for (the client's).
pub fn extract(rows: &[TextRow], country: &str, today: NaiveDate) -> Extraction {
    extract_expecting(rows, country, today, &[])
}

/// As [`extract`], where a page holds several addresses (the sender's, a branch's) preferring
/// the block whose name holds one of `expected` (the client's names, lower case), as a reader
/// looking for the client on the page would. The block is still read as printed.
pub fn extract_expecting(
    rows: &[TextRow],
    country: &str,
    today: NaiveDate,
    expected: &[String],
) -> Extraction {
    let rows: Vec<TextRow> = rows
        .iter()
        .map(|r| {
            r.iter()
                .map(|c| TextCell {
                    x: c.x,
                    text: c.text.split_whitespace().collect::<Vec<_>>().join(" "),
                })
                .filter(|c| !c.text.is_empty())
                .collect::<TextRow>()
        })
        .filter(|r| !r.is_empty())
        .collect();
    let texts: Vec<String> = rows.iter().map(row_text).collect();
    let mut out = Extraction {
        country: country.to_string(),
        document_type: classify(&texts.join("\n")),
        ..Extraction::default()
    };
    out.issue_date = issue_date(&texts, country, today);
    // The holder's address: the postcode whose aligned block above reads as name + street.
    struct Candidate {
        score: i32,
        row: usize,
        x: f32,
        before: String,
        postcode: String,
    }
    let column_above = |i: usize, x: f32| -> Vec<(usize, String)> {
        (i.saturating_sub(5)..i)
            .filter_map(|j| aligned(&rows[j], x).map(|c| (j, c.text.clone())))
            .collect()
    };
    let mut best: Option<Candidate> = None;
    for (i, row) in rows.iter().enumerate() {
        for cell in row {
            let Some((at, pc)) = find_postcode(&cell.text, country) else {
                continue;
            };
            let above = column_above(i, cell.x);
            let mut score = 0;
            if let Some((_, name)) = above.iter().rev().find(|(_, t)| is_name_like(t)) {
                score += 3;
                let lower = deunicode(name).to_lowercase();
                let words: Vec<&str> = lower.split_whitespace().collect();
                if TITLES.contains(&words[0].trim_end_matches('.')) {
                    score += 1;
                }
                if expected.iter().any(|e| words.contains(&e.as_str())) {
                    score += 2;
                }
            }
            if above
                .iter()
                .any(|(_, t)| t.starts_with(|c: char| c.is_ascii_digit()))
                || cell.text.starts_with(|c: char| c.is_ascii_digit())
            {
                score += 2;
            }
            // A postcode after a comma ends an address written on one line: the sender's,
            // printed small under its name. A window prints the postcode on its own line or
            // after the town.
            if cell.text[..at].contains(',') {
                score -= 3;
            }
            if best.as_ref().is_none_or(|b| score > b.score) {
                best = Some(Candidate {
                    score,
                    row: i,
                    x: cell.x,
                    before: cell.text[..at]
                        .trim()
                        .trim_end_matches(',')
                        .trim()
                        .to_string(),
                    postcode: pc,
                });
            }
        }
    }
    if let Some(c) = best {
        let above = column_above(c.row, c.x);
        let name_at = above.iter().rposition(|(_, t)| is_name_like(t));
        let from = name_at.map_or(above.len().saturating_sub(3), |n| n + 1);
        let mut block: Vec<String> = above[from..].iter().map(|(_, t)| t.clone()).collect();
        if !c.before.is_empty() {
            block.push(c.before.clone());
        }
        out.holder = name_at.map(|n| without_title(&above[n].1));
        out.address_lines = block.clone();
        out.address_lines.push(c.postcode.clone());
        out.postal_code = Some(c.postcode);
        fill_address_parts(&mut out, &block);
    }
    let first_cells: Vec<String> = rows.iter().map(|r| r[0].text.clone()).collect();
    out.issuer = issuer(&first_cells, out.holder.as_deref());
    out
}

/// Street, number, building and town from the address lines above the postcode.
fn fill_address_parts(out: &mut Extraction, block: &[String]) {
    let parts: Vec<String> = block
        .iter()
        .flat_map(|l| l.split(',').map(|p| p.trim().to_string()))
        .filter(|p| !p.is_empty())
        .collect();
    if let Some(city) = parts.last()
        && parts.len() > 1
    {
        out.city = Some(city.clone());
    }
    for part in &parts[..parts
        .len()
        .saturating_sub(1)
        .max(usize::from(parts.len() == 1))]
    {
        let mut words = part.split_whitespace();
        let first = words.next().unwrap_or_default();
        if first.starts_with(|c: char| c.is_ascii_digit()) && out.street.is_none() {
            out.property_number = Some(first.trim_end_matches(',').to_string());
            let rest: Vec<&str> = words.collect();
            if !rest.is_empty() {
                out.street = Some(rest.join(" "));
            }
        } else if out.street.is_none() && out.building.is_none() {
            out.building = Some(part.clone());
        }
    }
}

/// The issuer: the first line of the page that is neither a date, a label nor the holder.
fn issuer(lines: &[String], holder: Option<&str>) -> Option<String> {
    lines
        .iter()
        .take(8)
        .find(|l| {
            let lower = l.to_lowercase();
            l.chars().filter(|c| c.is_alphabetic()).count() >= 3
                && !l.contains(':')
                && holder.is_none_or(|h| !l.contains(h))
                && !["bill", "statement", "page", "invoice"]
                    .iter()
                    .any(|w| lower.starts_with(w) || lower.starts_with(&format!("your {w}")))
                && parse_date_in(l, "GB").is_none()
        })
        .cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 7).unwrap_or_default()
    }

    /// Rows from text: cells split by ` | `, each cell starting half a page further right.
    fn lines(text: &str) -> Vec<TextRow> {
        text.lines()
            .map(|l| {
                l.split(" | ")
                    .enumerate()
                    .map(|(n, t)| TextCell {
                        x: 0.1 + 0.5 * n as f32,
                        text: t.to_owned(),
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn a_windowed_bill_gives_holder_address_and_date() {
        let bill = lines(
            "Northgate Energy\nPO Box 12, Leeds, LS1 1AA\nElectricity bill\nMr John Smith | Account reference 1234\n12 Willow Avenue | Meter 99\nLeeds\nLS1 4AB\nBill date: | 03 Nov 2026\nAccount number 1234 5678\nStanding charge 31 days £12.40\nTotal due £84.10 by 24/11/2026",
        );
        let e = extract(&bill, "GB", today());
        assert_eq!(e.document_type, Some("utility_bill"));
        assert_eq!(e.issuer.as_deref(), Some("Northgate Energy"));
        assert_eq!(e.holder.as_deref(), Some("John Smith"));
        assert_eq!(e.postal_code.as_deref(), Some("LS1 4AB"));
        assert_eq!(e.property_number.as_deref(), Some("12"));
        assert_eq!(e.street.as_deref(), Some("Willow Avenue"));
        assert_eq!(e.city.as_deref(), Some("Leeds"));
        assert_eq!(e.issue_date, NaiveDate::from_ymd_opt(2026, 11, 3));
    }

    #[test]
    fn town_and_postcode_on_one_line_and_other_date_forms() {
        let statement = lines(
            "ALBION BANK\nYour statement\nJANE DOE\n7 HIGH STREET\nYORK YO1 7HH\nStatement date 02/10/2026\nSort code 12-34-56\nBalance brought forward",
        );
        let e = extract(&statement, "GB", today());
        assert_eq!(e.document_type, Some("bank_statement"));
        assert_eq!(e.holder.as_deref(), Some("JANE DOE"));
        assert_eq!(e.city.as_deref(), Some("YORK"));
        assert_eq!(e.postal_code.as_deref(), Some("YO1 7HH"));
        assert_eq!(e.issue_date, NaiveDate::from_ymd_opt(2026, 10, 2));
        assert_eq!(
            parse_date_in("Date of issue: 3 March 2026", "GB"),
            NaiveDate::from_ymd_opt(2026, 3, 3)
        );
        assert_eq!(
            parse_date_in("Issued March 3, 2026", "US"),
            NaiveDate::from_ymd_opt(2026, 3, 3)
        );
        assert_eq!(
            parse_date_in("03/04/2026", "US"),
            NaiveDate::from_ymd_opt(2026, 3, 4)
        );
    }

    #[test]
    fn postcodes_are_validated() {
        assert_eq!(uk_postcode("sw1a1aa").as_deref(), Some("SW1A 1AA"));
        assert_eq!(uk_postcode("M11AD").as_deref(), Some("M1 1AD"));
        assert_eq!(uk_postcode("12345"), None);
        assert_eq!(uk_postcode("ABC1 2DE"), None);
    }

    #[test]
    fn a_blank_page_gives_nothing() {
        let e = extract(&[], "GB", today());
        assert_eq!(e.postal_code, None);
        assert_eq!(e.holder, None);
        assert_eq!(e.issue_date, None);
    }
}

#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// No line of text makes the reader panic.
        #[test]
        fn any_text_is_read_without_panic(lines in proptest::collection::vec(".{0,60}", 0..12)) {
            let rows: Vec<TextRow> = lines
                .into_iter()
                .map(|text| vec![TextCell { x: 0.1, text }])
                .collect();
            let today = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap_or_default();
            let _ = extract(&rows, "GB", today);
            let _ = extract(&rows, "US", today);
        }
    }
}
