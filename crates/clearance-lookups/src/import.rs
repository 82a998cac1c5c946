//! Readers for the publishers' own formats. Each reads a file as a stream and hands every record
//! to `emit`, counting what it refused and why.

pub mod bng;
pub mod companies_house;
pub mod gleif;
pub mod officers;
pub mod onspd;
pub mod openaddresses;
pub mod os_open_names;
pub mod psc;

mod common;
mod countries;
mod timestamp;

/// What a reader did with a file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ParseReport {
    /// Records emitted.
    pub emitted: usize,
    /// Rows skipped because they could not be read or lacked what a record needs.
    pub refused: usize,
    /// The first few reasons (`line N: …`).
    pub reasons: Vec<String>,
}

impl ParseReport {
    /// Counts a refused row, keeping the first ten reasons.
    pub fn refuse(&mut self, reason: impl Into<String>) {
        self.refused += 1;
        if self.reasons.len() < 10 {
            self.reasons.push(reason.into());
        }
    }
}

/// Why a file could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Format(String),
}
