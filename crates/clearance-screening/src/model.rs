//! Entity model shared by every list parser and by the matching engine.

use serde::{Deserialize, Serialize};

/// Which published list an entity was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceList {
    /// OFAC Specially Designated Nationals (SDN) list.
    UsOfacSdn,
    /// OFAC Consolidated (non-SDN) list.
    UsOfacCons,
    /// UN Security Council consolidated list.
    UnSc,
    /// UK HM Treasury / OFSI consolidated list.
    UkOfsi,
    /// EU Financial Sanctions Files.
    EuFsf,
    /// US trade.gov Consolidated Screening List.
    UsCsl,
    /// OpenSanctions FollowTheMoney export.
    OpenSanctions,
    /// Senzing-format export (OpenSanctions PEP data and others).
    Senzing,
    /// A customer's own list.
    Custom,
}

impl SourceList {
    /// Short stable code, used as the prefix of entity ids (`<code>:<native id>`).
    pub fn code(self) -> &'static str {
        match self {
            Self::UsOfacSdn => "us_ofac_sdn",
            Self::UsOfacCons => "us_ofac_cons",
            Self::UnSc => "un_sc",
            Self::UkOfsi => "uk_ofsi",
            Self::EuFsf => "eu_fsf",
            Self::UsCsl => "us_csl",
            Self::OpenSanctions => "opensanctions",
            Self::Senzing => "senzing",
            Self::Custom => "custom",
        }
    }
}

/// What kind of party an entity is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityKind {
    Person,
    Organisation,
    Vessel,
    Aircraft,
    Unknown,
}

/// How much a name can be trusted as an identifier of the entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NameQuality {
    /// The publisher's main name.
    Primary,
    /// A good-quality alias (a.k.a., f.k.a.).
    Strong,
    /// A low-quality alias (nicknames, short or generic aliases).
    Weak,
}

/// One name of an entity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Name {
    /// The name as published (for persons ideally in `Given SURNAME` order).
    pub full: String,
    pub quality: NameQuality,
}

/// A possibly partial calendar date (`1962`, `1962-11`, `1962-11-23`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct PartialDate {
    pub year: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub month: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub day: Option<u8>,
}

impl PartialDate {
    /// Builds a date, dropping out-of-range month/day parts (and a day without a month).
    pub fn new(year: u16, month: Option<u8>, day: Option<u8>) -> Option<Self> {
        if !(1000..=2999).contains(&year) {
            return None;
        }
        let month = month.filter(|m| (1..=12).contains(m));
        let day = if month.is_some() {
            day.filter(|d| (1..=31).contains(d))
        } else {
            None
        };
        Some(Self { year, month, day })
    }

    /// Parses ISO-like prefixes: `YYYY`, `YYYY-MM`, `YYYY-MM-DD` (also with `/` or `.`).
    pub fn parse_iso(s: &str) -> Option<Self> {
        let s = s.trim();
        let mut it = s.split(['-', '/', '.']);
        let year = it.next()?.trim().parse::<u16>().ok()?;
        let month = it.next().and_then(|m| m.trim().parse::<u8>().ok());
        let day = it
            .next()
            .and_then(|d| d.get(..2).unwrap_or(d).trim().parse::<u8>().ok());
        Self::new(year, month, day)
    }

    /// Parses `DD/MM/YYYY` with `00` for unknown parts (UK OFSI style).
    pub fn parse_dmy(s: &str) -> Option<Self> {
        let parts: Vec<&str> = s.trim().split(['/', '-', '.']).collect();
        match parts.as_slice() {
            [d, m, y] => {
                let year = y.trim().parse::<u16>().ok()?;
                let month = m.trim().parse::<u8>().ok().filter(|m| *m != 0);
                let day = d.trim().parse::<u8>().ok().filter(|d| *d != 0);
                Self::new(year, month, day)
            }
            [y] => Self::new(y.trim().parse::<u16>().ok()?, None, None),
            _ => None,
        }
    }
}

impl std::fmt::Display for PartialDate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}", self.year)?;
        if let Some(m) = self.month {
            write!(f, "-{m:02}")?;
            if let Some(d) = self.day {
                write!(f, "-{d:02}")?;
            }
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    Male,
    Female,
    Other,
}

impl Gender {
    /// Lenient parse of `male`, `M`, `female`, `F`, `other`.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "m" | "male" | "man" => Some(Self::Male),
            "f" | "female" | "woman" => Some(Self::Female),
            "other" | "x" => Some(Self::Other),
            _ => None,
        }
    }
}

/// Kind of an official identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdentifierKind {
    Passport,
    NationalId,
    TaxId,
    RegistrationNumber,
    Imo,
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identifier {
    pub kind: IdentifierKind,
    pub value: String,
    /// ISO 3166-1 alpha-2 (upper case) when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

/// ComplyCube screening classification (`breakdown.summary` keys).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Classification {
    WatchlistSanctionsLists,
    WatchlistOtherOfficialLists,
    WatchlistWarCrimes,
    WatchlistTerror,
    WatchlistOtherExclusionLists,
    WatchlistSanctionsControlAndOwnership,
    PepLevel1,
    PepLevel2,
    PepLevel3,
    PepLevel4,
}

impl Classification {
    /// `(group, key)` in ComplyCube's `breakdown.summary`, e.g. `("watchlist", "sanctionsLists")`.
    pub fn summary_key(self) -> (&'static str, &'static str) {
        match self {
            Self::WatchlistSanctionsLists => ("watchlist", "sanctionsLists"),
            Self::WatchlistOtherOfficialLists => ("watchlist", "otherOfficialLists"),
            Self::WatchlistWarCrimes => ("watchlist", "warCrimes"),
            Self::WatchlistTerror => ("watchlist", "terror"),
            Self::WatchlistOtherExclusionLists => ("watchlist", "otherExclusionLists"),
            Self::WatchlistSanctionsControlAndOwnership => {
                ("watchlist", "sanctionsControlAndOwnership")
            }
            Self::PepLevel1 => ("pep", "level1"),
            Self::PepLevel2 => ("pep", "level2"),
            Self::PepLevel3 => ("pep", "level3"),
            Self::PepLevel4 => ("pep", "level4"),
        }
    }

    /// The `screeningClassification` request value, e.g. `watchlistSanctionsLists`.
    pub fn request_value(self) -> &'static str {
        match self {
            Self::WatchlistSanctionsLists => "watchlistSanctionsLists",
            Self::WatchlistOtherOfficialLists => "watchlistOtherOfficialLists",
            Self::WatchlistWarCrimes => "watchlistWarCrimes",
            Self::WatchlistTerror => "watchlistTerror",
            Self::WatchlistOtherExclusionLists => "watchlistOtherExclusionLists",
            Self::WatchlistSanctionsControlAndOwnership => "watchlistSanctionsControlAndOwnership",
            Self::PepLevel1 => "pepLevel1",
            Self::PepLevel2 => "pepLevel2",
            Self::PepLevel3 => "pepLevel3",
            Self::PepLevel4 => "pepLevel4",
        }
    }
}

/// One listed party.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entity {
    pub source: SourceList,
    /// The publisher's own id (OFAC ent_num, UN reference number, OFSI group id …).
    pub native_id: String,
    pub kind: EntityKind,
    /// Primary name first, then aliases.
    pub names: Vec<Name>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dates_of_birth: Vec<PartialDate>,
    /// ISO 3166-1 alpha-2 codes (nationality, citizenship, residence, jurisdiction).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub countries: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<Gender>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub identifiers: Vec<Identifier>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub programmes: Vec<String>,
    pub classifications: Vec<Classification>,
}

impl Entity {
    /// A new entity with no names or attributes yet.
    pub fn new(source: SourceList, native_id: impl Into<String>, kind: EntityKind) -> Self {
        Self {
            source,
            native_id: native_id.into(),
            kind,
            names: Vec::new(),
            dates_of_birth: Vec::new(),
            countries: Vec::new(),
            gender: None,
            identifiers: Vec::new(),
            programmes: Vec::new(),
            classifications: Vec::new(),
        }
    }

    /// `<source code>:<native id>`, the id matches are reported under.
    pub fn id(&self) -> String {
        format!("{}:{}", self.source.code(), self.native_id)
    }

    /// The primary name (first name), or an empty string.
    pub fn primary_name(&self) -> &str {
        self.names.first().map(|n| n.full.as_str()).unwrap_or("")
    }

    /// Adds a name unless an identical one is already present (keeps the better quality).
    pub fn push_name(&mut self, full: &str, quality: NameQuality) {
        let full = full.split_whitespace().collect::<Vec<_>>().join(" ");
        if full.is_empty() {
            return;
        }
        if let Some(existing) = self.names.iter_mut().find(|n| n.full == full) {
            existing.quality = existing.quality.min(quality);
            return;
        }
        self.names.push(Name { full, quality });
    }

    pub fn push_country(&mut self, code: Option<String>) {
        if let Some(code) = code
            && !self.countries.contains(&code)
        {
            self.countries.push(code);
        }
    }

    pub fn push_dob(&mut self, dob: Option<PartialDate>) {
        if let Some(d) = dob
            && !self.dates_of_birth.contains(&d)
        {
            self.dates_of_birth.push(d);
        }
    }

    pub fn push_classification(&mut self, c: Classification) {
        if !self.classifications.contains(&c) {
            self.classifications.push(c);
        }
    }

    pub fn push_programme(&mut self, p: &str) {
        let p = p.trim();
        if !p.is_empty() && !self.programmes.iter().any(|x| x == p) {
            self.programmes.push(p.to_owned());
        }
    }
}

/// A problem with one record that did not stop the import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordError {
    /// Which file of a multi-file list (e.g. `alt.csv`).
    pub file: String,
    /// 1-based line (or record number for formats without lines).
    pub line: u64,
    pub message: String,
}

/// The result of parsing one list.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ParsedList {
    pub entities: Vec<Entity>,
    /// Recoverable per-record problems (the record was skipped or partly read).
    pub errors: Vec<RecordError>,
    /// Publication date or version string when the file carries one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

impl ParsedList {
    /// Total number of names (primary + aliases) over all entities.
    pub fn name_count(&self) -> usize {
        self.entities.iter().map(|e| e.names.len()).sum()
    }
}
