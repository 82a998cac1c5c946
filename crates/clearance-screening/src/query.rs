//! Query and result types of the screening API, plus the JSON-lines batch driver.

use serde::{Deserialize, Serialize};

use crate::engine::MatchKind;
use crate::model::{Classification, Gender, NameQuality, PartialDate};

/// What is being screened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum QueryKind {
    #[default]
    Person,
    Company,
}

/// One screening request.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Query {
    pub name: String,
    #[serde(default, rename = "type")]
    pub kind: QueryKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dob: Option<PartialDate>,
    /// ISO alpha-2 code or a country name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<Gender>,
    /// Passport, national id or registration number; an exact hit scores 100.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identifier: Option<String>,
}

impl Query {
    pub fn person(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            kind: QueryKind::Person,
            ..Self::default()
        }
    }

    pub fn company(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            kind: QueryKind::Company,
            ..Self::default()
        }
    }
}

/// `fuzzy` (default: spelling, phonetic and transliteration variants) or `precise`
/// (normalised name parts must be identical or known variants).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SearchMode {
    #[default]
    Fuzzy,
    Precise,
}

/// Search settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScreenOptions {
    /// Minimum score (0–100) for a match to be returned.
    pub threshold: f32,
    /// Maximum number of matches.
    pub limit: usize,
    pub mode: SearchMode,
    /// Only entities carrying one of these classifications (empty = all).
    #[serde(default)]
    pub classifications: Vec<Classification>,
    /// Only entities from these lists (empty = all), for `screeningListsScope`.
    #[serde(default)]
    pub sources: Vec<crate::model::SourceList>,
}

/// The calibrated default threshold (see the crate README for the evaluation).
pub const DEFAULT_THRESHOLD: f32 = 85.0;

impl Default for ScreenOptions {
    fn default() -> Self {
        Self {
            threshold: DEFAULT_THRESHOLD,
            limit: 10,
            mode: SearchMode::Fuzzy,
            classifications: Vec::new(),
            sources: Vec::new(),
        }
    }
}

/// One aligned pair of name parts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PartMatch {
    pub query: String,
    pub candidate: String,
    pub similarity: f32,
    pub method: MatchKind,
}

/// A score adjustment from a non-name field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Qualifier {
    /// `dob`, `country`, `gender`, `kind`, `identifier`, `aliasQuality`.
    pub field: String,
    /// Points added to (positive) or removed from (negative) the score.
    pub effect: f32,
    pub detail: String,
}

/// Why an entity matched.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Explanation {
    pub query_tokens: Vec<String>,
    pub matched_name: String,
    pub matched_name_quality: NameQuality,
    pub candidate_tokens: Vec<String>,
    pub parts: Vec<PartMatch>,
    pub unmatched_query: Vec<String>,
    pub unmatched_candidate: Vec<String>,
    /// Name similarity before qualifiers, 0–100.
    pub name_score: f32,
    pub qualifiers: Vec<Qualifier>,
    pub list: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list_version: Option<String>,
}

/// One ranked potential match.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Match {
    /// `<source>:<native id>`, e.g. `us_ofac_sdn:15253`.
    pub entity_id: String,
    /// The entity's primary name.
    pub name: String,
    /// 0–100.
    pub score: f32,
    /// The first (most specific) classification of the entity.
    pub classification: Option<Classification>,
    pub classifications: Vec<Classification>,
    pub explanation: Explanation,
}

/// One input line of [`screen_jsonl`]: `{"name","type":"person"|"company","dob"?,"country"?,"gender"?}`
/// (unknown fields are ignored).
#[derive(Debug, Deserialize)]
struct QueryLine {
    name: String,
    #[serde(default, rename = "type")]
    kind: QueryKind,
    #[serde(default)]
    dob: Option<String>,
    #[serde(default)]
    country: Option<String>,
    #[serde(default)]
    gender: Option<String>,
    #[serde(default)]
    identifier: Option<String>,
}

#[derive(Serialize)]
struct ResultLine<'a> {
    matches: &'a [Match],
}

#[derive(Serialize)]
struct ErrorLine {
    error: String,
}

/// Reads one JSON query per line from `input` and writes one line per query to `output`:
/// `{"matches":[…]}`, or `{"error":"…"}` for a line that is not a valid query (blank lines are
/// skipped). Returns the number of queries answered.
pub fn screen_jsonl<R: std::io::BufRead, W: std::io::Write>(
    index: &crate::ScreeningIndex,
    input: R,
    mut output: W,
    opts: &ScreenOptions,
) -> crate::Result<usize> {
    let mut n = 0;
    for line in input.lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        n += 1;
        match parse_query_line(&line) {
            Ok(q) => {
                let matches = index.screen(&q, opts);
                serde_json::to_writer(&mut output, &ResultLine { matches: &matches })?;
            }
            Err(e) => serde_json::to_writer(&mut output, &ErrorLine { error: e })?,
        }
        output.write_all(b"\n")?;
    }
    output.flush()?;
    Ok(n)
}

/// Parses one JSON query line (see [`screen_jsonl`]).
pub fn parse_query_line(line: &str) -> Result<Query, String> {
    let l: QueryLine = serde_json::from_str(line).map_err(|e| e.to_string())?;
    if l.name.trim().is_empty() {
        return Err("empty name".into());
    }
    let dob = match l.dob.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(d) => Some(PartialDate::parse_iso(d).ok_or_else(|| format!("invalid dob {d:?}"))?),
        None => None,
    };
    let gender = match l.gender.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(g) => Some(Gender::parse(g).ok_or_else(|| format!("invalid gender {g:?}"))?),
        None => None,
    };
    Ok(Query {
        name: l.name,
        kind: l.kind,
        dob,
        country: l.country,
        gender,
        identifier: l.identifier,
    })
}
