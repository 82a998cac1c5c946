//! Helpers the readers share: trimmed cells, CSV rows and columns by name, and dates.

use std::collections::HashMap;

use super::{ParseError, ParseReport};

/// The trimmed text, or `None` when nothing is left.
pub(crate) fn clean(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

/// `a, b` from the non-empty parts, or `None` when all are empty.
pub(crate) fn join_non_empty(parts: &[&str], separator: &str) -> Option<String> {
    let parts: Vec<&str> = parts
        .iter()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
        .collect();
    (!parts.is_empty()).then(|| parts.join(separator))
}

/// `dd/mm/yyyy` → `YYYY-MM-DD`; `None` for anything else (empty cells included).
pub(crate) fn dmy_to_iso(s: &str) -> Option<String> {
    let mut parts = s.trim().split('/');
    let (d, m, y) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    ymd(y, m, d)
}

/// `YYYYMMDD` (the fixed-width products' dates) → `YYYY-MM-DD`.
pub(crate) fn compact_to_iso(s: &str) -> Option<String> {
    let s = s.trim();
    if s.len() != 8 || !s.is_ascii() {
        return None;
    }
    ymd(&s[..4], &s[4..6], &s[6..])
}

/// Whether `s` is a plausible `YYYY-MM-DD`.
pub(crate) fn is_iso_date(s: &str) -> bool {
    s.len() == 10 && s.is_ascii() && s.as_bytes()[4] == b'-' && s.as_bytes()[7] == b'-' && {
        ymd(&s[..4], &s[5..7], &s[8..]).is_some()
    }
}

fn ymd(y: &str, m: &str, d: &str) -> Option<String> {
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    if !(digits(y, 4) && digits(m, 2) && digits(d, 2)) {
        return None;
    }
    let (mm, dd): (u32, u32) = (m.parse().ok()?, d.parse().ok()?);
    ((1..=12).contains(&mm) && (1..=31).contains(&dd)).then(|| format!("{y}-{m}-{d}"))
}

/// The CSV columns of a header row, found by trimmed, case-insensitive name (publishers pad
/// names with spaces and reorder columns between releases).
pub(crate) struct Columns {
    index: HashMap<String, usize>,
}

impl Columns {
    pub(crate) fn new(headers: &csv::ByteRecord) -> Self {
        let mut index = HashMap::new();
        for (i, h) in headers.iter().enumerate().rev() {
            let name = String::from_utf8_lossy(h);
            let name = name.trim_start_matches('\u{feff}').trim();
            // As written (found without allocating when callers use the publisher's spelling)
            // and lower-cased; the first of duplicate names wins.
            index.insert(name.to_string(), i);
            index.insert(name.to_ascii_lowercase(), i);
        }
        Self { index }
    }

    fn find(&self, name: &str) -> Option<usize> {
        let found = self.index.get(name);
        found
            .or_else(|| self.index.get(&name.to_ascii_lowercase()))
            .copied()
    }

    pub(crate) fn has(&self, name: &str) -> bool {
        self.find(name).is_some()
    }

    /// The trimmed cell of the first of `names` the header has; `""` when none or the row is
    /// short.
    pub(crate) fn get<'r>(&self, record: &'r csv::StringRecord, names: &[&str]) -> &'r str {
        names
            .iter()
            .find_map(|n| self.find(n))
            .and_then(|i| record.get(i))
            .map_or("", str::trim)
    }
}

/// What [`Rows::next`] found.
pub(crate) enum Row {
    /// A row is in [`Rows::record`].
    Read,
    /// The row could not be read and was refused; go on with the next.
    Refused,
    /// The end of the file.
    End,
}

/// The rows of a CSV file as every publisher here writes it: flexible row lengths (a short row
/// is refused by the mapping rather than stopping the file), and rows that are not UTF-8
/// refused rather than fatal; only I/O errors end the file.
pub(crate) struct Rows<R> {
    csv: csv::Reader<R>,
    pub(crate) record: csv::StringRecord,
    /// Rows read so far, refused ones included.
    count: u64,
    /// The line of the first row.
    first_line: u64,
}

impl<R: std::io::Read> Rows<R> {
    pub(crate) fn new(reader: R, has_headers: bool) -> Self {
        let csv = csv::ReaderBuilder::new()
            .has_headers(has_headers)
            .flexible(true)
            .from_reader(reader);
        Self {
            csv,
            record: csv::StringRecord::new(),
            count: 0,
            first_line: if has_headers { 2 } else { 1 },
        }
    }

    /// The columns of the header row; a header that is not UTF-8 is read lossily (and then
    /// lacks the columns a reader requires).
    pub(crate) fn columns(&mut self) -> Result<Columns, ParseError> {
        match self.csv.byte_headers() {
            Ok(h) => Ok(Columns::new(h)),
            Err(e) => Err(fatal(e)),
        }
    }

    /// Reads the next row into [`Rows::record`].
    pub(crate) fn next(&mut self, report: &mut ParseReport) -> Result<Row, ParseError> {
        match self.csv.read_record(&mut self.record) {
            Ok(true) => {
                self.count += 1;
                Ok(Row::Read)
            }
            Ok(false) => Ok(Row::End),
            Err(e) if matches!(e.kind(), csv::ErrorKind::Io(_)) => Err(fatal(e)),
            Err(e) => {
                self.count += 1;
                let line = self.line_from(e.position());
                let why = match e.kind() {
                    csv::ErrorKind::Utf8 { .. } => "not UTF-8",
                    _ => "unreadable row",
                };
                report.refuse(format!("line {line}: {why}"));
                Ok(Row::Refused)
            }
        }
    }

    /// The line the current row starts on, for refusal reasons.
    pub(crate) fn line(&self) -> u64 {
        self.line_from(self.record.position())
    }

    /// csv counts a CRLF row from before its `\n`, one line early: the row count is a floor.
    fn line_from(&self, position: Option<&csv::Position>) -> u64 {
        let counted = (self.first_line + self.count).saturating_sub(1);
        position.map_or(counted, |p| p.line().max(counted))
    }
}

fn fatal(e: csv::Error) -> ParseError {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => ParseError::Io(io),
        other => ParseError::Format(format!("unreadable header: {other:?}")),
    }
}

/// Pseudo-random byte strings from a fixed LCG, for the readers' never-panic tests.
#[cfg(test)]
pub(crate) fn garbage(count: usize) -> Vec<Vec<u8>> {
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) as u32
    };
    // Bytes drawn mostly from the characters the formats give meaning to.
    const ALPHABET: &[u8] = b",\"\r\n<>/ -0123456789AZaz\xef\xbb\xbf\xc3\xff{}[]:.";
    (0..count)
        .map(|_| {
            let len = (next() % 300) as usize;
            (0..len)
                .map(|_| {
                    let r = next();
                    if r % 4 == 0 {
                        (r >> 8) as u8
                    } else {
                        ALPHABET[(r as usize >> 3) % ALPHABET.len()]
                    }
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_convert_only_when_well_formed() {
        assert_eq!(dmy_to_iso("29/07/2020").as_deref(), Some("2020-07-29"));
        assert_eq!(dmy_to_iso("29/7/2020"), None);
        assert_eq!(dmy_to_iso(""), None);
        assert_eq!(compact_to_iso("20160713").as_deref(), Some("2016-07-13"));
        assert_eq!(compact_to_iso("        "), None);
        assert!(is_iso_date("2020-05-01"));
        assert!(!is_iso_date("2020-5-01"));
    }

    #[test]
    fn columns_by_padded_name_in_any_case_and_lines_of_rows() {
        let input = "\u{feff} Name ,Number\n\"a\nb\",1\nc\n\"d\",2\r\n";
        let mut rows = Rows::new(input.as_bytes(), true);
        let columns = rows.columns().unwrap();
        let mut report = ParseReport::default();
        let mut seen = Vec::new();
        while let Row::Read = rows.next(&mut report).unwrap() {
            let cell = |n: &str| columns.get(&rows.record, &[n]).to_string();
            seen.push((cell("NAME"), cell("number"), rows.line()));
        }
        let want = [("a\nb", "1", 2), ("c", "", 4), ("d", "2", 5)];
        let want: Vec<_> = want
            .iter()
            .map(|(a, b, l)| (a.to_string(), b.to_string(), *l))
            .collect();
        assert_eq!(seen, want);
        assert!(columns.has("Name") && !columns.has("nam"));
    }
}
