//! Header-driven CSV tables read from decoded text, with truncation detection.

use crate::error::{Result, ScreeningError};

/// A CSV body: the header row (found by a predicate) and the data rows with their line numbers.
pub(crate) struct Table {
    pub header: Vec<String>,
    pub header_line: u64,
    pub rows: Vec<(u64, Vec<String>)>,
}

impl Table {
    /// Parses `text` with `delimiter` `,`; rows before the header are skipped.
    pub fn parse(file: &str, text: &str, is_header: impl Fn(&[String]) -> bool) -> Result<Self> {
        Self::parse_with(file, text, b',', is_header)
    }

    pub fn parse_with(
        file: &str,
        text: &str,
        delimiter: u8,
        is_header: impl Fn(&[String]) -> bool,
    ) -> Result<Self> {
        if text.bytes().filter(|b| *b == b'"').count() % 2 == 1 {
            return Err(ScreeningError::Truncated {
                file: file.to_owned(),
                line: text.lines().count() as u64,
                message: "file ends inside a quoted field".into(),
            });
        }
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .from_reader(text.as_bytes());
        let mut header: Option<(u64, Vec<String>)> = None;
        let mut rows = Vec::new();
        for rec in rdr.records() {
            let rec = rec.map_err(|e| super::common::csv_error(file, &e))?;
            let line = rec.position().map(|p| p.line()).unwrap_or(0);
            let fields: Vec<String> = rec.iter().map(str::to_owned).collect();
            if fields.iter().all(|f| f.trim().is_empty()) {
                continue;
            }
            if header.is_none() {
                if is_header(&fields) {
                    header = Some((line, fields.iter().map(|f| f.trim().to_owned()).collect()));
                }
                continue;
            }
            rows.push((line, fields));
        }
        let Some((header_line, header)) = header else {
            return Err(ScreeningError::Malformed {
                file: file.to_owned(),
                line: 1,
                message: "no header row found".into(),
            });
        };
        if let Some((line, last)) = rows.last()
            && last.len() < header.len()
            && !text.ends_with('\n')
        {
            return Err(ScreeningError::Truncated {
                file: file.to_owned(),
                line: *line,
                message: format!("last row has {} of {} fields", last.len(), header.len()),
            });
        }
        Ok(Self {
            header,
            header_line,
            rows,
        })
    }

    /// Index of a column by (trimmed, case-insensitive) header name.
    pub fn col(&self, name: &str) -> Option<usize> {
        self.header
            .iter()
            .position(|h| h.eq_ignore_ascii_case(name))
    }
}
