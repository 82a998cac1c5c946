//! List parsers (one per publisher format) and the `Format` / `load` entry points.

mod common;
mod csl;
mod csvtable;
mod eu;
mod jsonl;
mod ofac;
mod remarks;
mod uk;
mod un;
mod xml;

use std::fs::File;
use std::path::Path;
use std::str::FromStr;

pub use csl::parse_us_csl_csv;
pub use eu::{parse_eu_fsf_csv, parse_eu_fsf_xml};
pub use jsonl::{parse_ftm_json, parse_senzing_json};
pub use ofac::{OfacFiles, parse_ofac};
pub use uk::parse_uk_ofsi_csv;
pub use un::parse_un_xml;

use crate::error::{Result, ScreeningError};
use crate::model::{ParsedList, SourceList};

/// A list file format understood by [`load`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// A folder with the OFAC SDN trio (`sdn.csv` …) or the Consolidated set (`cons_prim.csv` …).
    OfacCsv,
    UnXml,
    UkOfsiCsv,
    EuFsfXml,
    EuFsfCsv,
    UsCslCsv,
    FtmJson,
    SenzingJson,
}

impl Format {
    pub const ALL: [Format; 8] = [
        Self::OfacCsv,
        Self::UnXml,
        Self::UkOfsiCsv,
        Self::EuFsfXml,
        Self::EuFsfCsv,
        Self::UsCslCsv,
        Self::FtmJson,
        Self::SenzingJson,
    ];

    /// The CLI name, e.g. `ofac-csv`.
    pub fn name(self) -> &'static str {
        match self {
            Self::OfacCsv => "ofac-csv",
            Self::UnXml => "un-xml",
            Self::UkOfsiCsv => "uk-ofsi-csv",
            Self::EuFsfXml => "eu-fsf-xml",
            Self::EuFsfCsv => "eu-fsf-csv",
            Self::UsCslCsv => "us-csl-csv",
            Self::FtmJson => "ftm-json",
            Self::SenzingJson => "senzing-json",
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = ScreeningError;

    fn from_str(s: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| ScreeningError::UnknownFormat(s.to_owned()))
    }
}

fn open(path: &Path) -> Result<File> {
    File::open(path).map_err(|source| ScreeningError::Io {
        path: path.to_owned(),
        source,
    })
}

fn open_opt(path: &Path) -> Result<Option<File>> {
    if path.exists() {
        open(path).map(Some)
    } else {
        Ok(None)
    }
}

/// Loads one list from `path` (a file, or for `ofac-csv` a folder).
pub fn load(format: Format, path: &Path) -> Result<ParsedList> {
    match format {
        Format::OfacCsv => load_ofac(path),
        Format::UnXml => parse_un_xml(open(path)?),
        Format::UkOfsiCsv => parse_uk_ofsi_csv(open(path)?),
        Format::EuFsfXml => parse_eu_fsf_xml(open(path)?),
        Format::EuFsfCsv => parse_eu_fsf_csv(open(path)?),
        Format::UsCslCsv => parse_us_csl_csv(open(path)?),
        Format::FtmJson => parse_ftm_json(open(path)?),
        Format::SenzingJson => parse_senzing_json(open(path)?),
    }
}

fn load_ofac(dir: &Path) -> Result<ParsedList> {
    let (names, source) = if dir.join("sdn.csv").exists() {
        (
            ["sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"],
            SourceList::UsOfacSdn,
        )
    } else if dir.join("cons_prim.csv").exists() {
        (
            [
                "cons_prim.csv",
                "cons_alt.csv",
                "cons_add.csv",
                "cons_comments.csv",
            ],
            SourceList::UsOfacCons,
        )
    } else {
        return Err(ScreeningError::Io {
            path: dir.to_owned(),
            source: std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "neither sdn.csv nor cons_prim.csv in folder",
            ),
        });
    };
    let files = OfacFiles {
        primary: open(&dir.join(names[0]))?,
        aliases: open_opt(&dir.join(names[1]))?,
        addresses: open_opt(&dir.join(names[2]))?,
        comments: open_opt(&dir.join(names[3]))?,
    };
    parse_ofac(files, source, names)
}

/// Converts a CSV error into the crate error (for the evaluation harness).
pub(crate) fn csv_error_public(file: &str, e: &csv::Error) -> ScreeningError {
    common::csv_error(file, e)
}
