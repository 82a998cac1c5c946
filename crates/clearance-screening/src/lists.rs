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
use std::io::Read;
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
    let mut hash = Fnv::default();
    let mut list = match format {
        Format::OfacCsv => load_ofac(path, &mut hash)?,
        Format::UnXml => parse_un_xml(hash.wrap(open(path)?))?,
        Format::UkOfsiCsv => parse_uk_ofsi_csv(hash.wrap(open(path)?))?,
        Format::EuFsfXml => parse_eu_fsf_xml(hash.wrap(open(path)?))?,
        Format::EuFsfCsv => parse_eu_fsf_csv(hash.wrap(open(path)?))?,
        Format::UsCslCsv => parse_us_csl_csv(hash.wrap(open(path)?))?,
        Format::FtmJson => parse_ftm_json(hash.wrap(open(path)?))?,
        Format::SenzingJson => parse_senzing_json(hash.wrap(open(path)?))?,
    };
    // files without a publication date get a content hash as their version
    if list.version.is_none() {
        list.version = Some(format!("fnv64:{:016x}", hash.0));
    }
    Ok(list)
}

/// FNV-1a over every byte read through [`Fnv::wrap`]ped readers.
#[derive(Debug)]
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    fn wrap<R: Read>(&mut self, inner: R) -> Hashing<'_, R> {
        Hashing { inner, hash: self }
    }
}

struct Hashing<'a, R> {
    inner: R,
    hash: &'a mut Fnv,
}

impl<R: Read> Read for Hashing<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        for b in &buf[..n] {
            self.hash.0 ^= u64::from(*b);
            self.hash.0 = self.hash.0.wrapping_mul(0x0100_0000_01b3);
        }
        Ok(n)
    }
}

fn load_ofac(dir: &Path, hash: &mut Fnv) -> Result<ParsedList> {
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
    // hash the files one after the other so the version covers all of them
    let mut buffers: Vec<Option<Vec<u8>>> = Vec::with_capacity(4);
    for (i, n) in names.iter().enumerate() {
        let file = if i == 0 {
            Some(open(&dir.join(n))?)
        } else {
            open_opt(&dir.join(n))?
        };
        match file {
            Some(f) => {
                let mut bytes = Vec::new();
                hash.wrap(f)
                    .read_to_end(&mut bytes)
                    .map_err(|source| ScreeningError::Io {
                        path: dir.join(n),
                        source,
                    })?;
                buffers.push(Some(bytes));
            }
            None => buffers.push(None),
        }
    }
    let mut it = buffers.into_iter().map(|b| b.map(std::io::Cursor::new));
    let files = OfacFiles {
        primary: it.next().flatten().unwrap_or_default(),
        aliases: it.next().flatten(),
        addresses: it.next().flatten(),
        comments: it.next().flatten(),
    };
    parse_ofac(files, source, names)
}

/// Converts a CSV error into the crate error (for the evaluation harness).
pub(crate) fn csv_error_public(file: &str, e: &csv::Error) -> ScreeningError {
    common::csv_error(file, e)
}
