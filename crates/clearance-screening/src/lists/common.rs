//! Helpers shared by the list parsers: error collection, tail tracking, decoding, CSV reading.

use std::io::Read;

use crate::error::{Result, ScreeningError};
use crate::model::RecordError;

/// Collects recoverable per-record errors and decides when a file is too broken to accept.
#[derive(Debug, Default)]
pub(crate) struct Issues {
    pub errors: Vec<RecordError>,
    pub records: usize,
}

impl Issues {
    pub fn push(&mut self, file: &str, line: u64, message: impl Into<String>) {
        self.errors.push(RecordError {
            file: file.to_owned(),
            line,
            message: message.into(),
        });
    }

    /// Fails when more than 10 % of the records (and more than 5) were bad.
    pub fn check(&self, file: &str) -> Result<()> {
        let bad = self.errors.iter().filter(|e| e.file == file).count();
        if bad > 5 && bad * 10 > self.records.max(1) {
            return Err(ScreeningError::Garbled {
                file: file.to_owned(),
                bad,
                total: self.records,
            });
        }
        Ok(())
    }
}

/// A reader wrapper that remembers what the stream ended with and whether quotes balance.
pub(crate) struct Tail<R> {
    inner: R,
    pub last_byte: Option<u8>,
    pub quotes: u64,
    pub bytes: u64,
    pub first: Vec<u8>,
}

impl<R: Read> Tail<R> {
    pub fn new(inner: R) -> Self {
        Self {
            inner,
            last_byte: None,
            quotes: 0,
            bytes: 0,
            first: Vec::new(),
        }
    }

    /// True when the stream ended inside a quoted CSV field.
    pub fn open_quote(&self) -> bool {
        self.quotes % 2 == 1
    }
}

impl<R: Read> Read for Tail<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n > 0 {
            let chunk = &buf[..n];
            if self.first.len() < 4 {
                let need = 4 - self.first.len();
                self.first.extend_from_slice(&chunk[..need.min(n)]);
            }
            self.quotes += chunk.iter().filter(|b| **b == b'"').count() as u64;
            self.last_byte = chunk.iter().rev().copied().find(|b| *b != 0x1a);
            if self.last_byte.is_none() {
                self.last_byte = Some(0x1a);
            }
            self.bytes += n as u64;
        }
        Ok(n)
    }
}

/// Rejects UTF-16/UTF-32 byte-order marks, which mean the file is in the wrong encoding.
pub(crate) fn reject_utf16(file: &str, head: &[u8]) -> Result<()> {
    if head.starts_with(&[0xff, 0xfe]) || head.starts_with(&[0xfe, 0xff]) {
        return Err(ScreeningError::Encoding {
            file: file.to_owned(),
            expected: "UTF-8 or Windows-1252",
            offset: 0,
        });
    }
    Ok(())
}

/// Decodes a field that must be UTF-8.
pub(crate) fn utf8_field(file: &str, bytes: &[u8], offset: u64) -> Result<String> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(s.to_owned()),
        Err(e) => Err(ScreeningError::Encoding {
            file: file.to_owned(),
            expected: "UTF-8",
            offset: offset + e.valid_up_to() as u64,
        }),
    }
}

/// Reads a whole stream and decodes it as UTF-8 (BOM stripped) or, when it is not valid UTF-8,
/// as Windows-1252.
pub(crate) fn read_text_lenient<R: Read>(file: &str, mut r: R) -> Result<(String, bool)> {
    let mut bytes = Vec::new();
    r.read_to_end(&mut bytes)?;
    reject_utf16(file, &bytes)?;
    if bytes.iter().take(4096).filter(|b| **b == 0).count() > 2 {
        return Err(ScreeningError::Encoding {
            file: file.to_owned(),
            expected: "text",
            offset: bytes.iter().position(|b| *b == 0).unwrap_or(0) as u64,
        });
    }
    let body = bytes.strip_prefix(&[0xef, 0xbb, 0xbf]).unwrap_or(&bytes);
    match std::str::from_utf8(body) {
        Ok(s) => Ok((s.to_owned(), true)),
        Err(_) => {
            let (text, _, _) = encoding_rs::WINDOWS_1252.decode(body);
            Ok((text.into_owned(), false))
        }
    }
}

/// Normalises an OFAC-style cell: trims, maps `-0-` to empty.
pub(crate) fn cell(s: &str) -> &str {
    let t = s.trim();
    if t == "-0-" { "" } else { t }
}

/// Splits a `;`-separated multi-value cell.
pub(crate) fn multi(s: &str) -> impl Iterator<Item = &str> {
    s.split(';').map(str::trim).filter(|x| !x.is_empty())
}

/// Converts a csv error into a fatal error with position.
pub(crate) fn csv_error(file: &str, e: &csv::Error) -> ScreeningError {
    let line = e.position().map(|p| p.line()).unwrap_or(0);
    ScreeningError::Malformed {
        file: file.to_owned(),
        line,
        message: e.to_string(),
    }
}
