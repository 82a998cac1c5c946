//! A check as report blocks: its facts, its outcome, and its breakdown in words. Screening
//! results get their own layout (the categories that fired, each match with the lists it is on
//! and why it matched); every other breakdown is listed analysis by analysis.

use serde_json::Value;

use crate::checks::result::{Breakdown, ScreeningBreakdown, ScreeningMatch};
use crate::checks::{Check, CheckStatus};

use super::compose::{outcome_words, when};
use super::{Block, Table, verdict_words};

/// Rows of one flattened breakdown at most: a report stays readable, and the full JSON is
/// always one `GET /v1/checks/:id` away.
const MAX_ROWS: usize = 400;

/// The blocks describing one check.
pub(super) fn check_blocks(check: &Check, created_ms: i64, updated_ms: i64) -> Vec<Block> {
    let mut f = vec![
        ("Type".to_string(), check.check_type.as_str().to_string()),
        ("Status".into(), status_words(check.status).into()),
        ("Outcome".into(), outcome_words(check)),
    ];
    if let Some(name) = &check.entity_name {
        f.push(("Entity name".into(), name.clone()));
    }
    for (label, id) in [
        ("Document", &check.document_id),
        ("Address", &check.address_id),
        ("Live photo", &check.live_photo_id),
        ("Live video", &check.live_video_id),
    ] {
        if let Some(id) = id {
            f.push((label.into(), id.clone()));
        }
    }
    if check.enable_monitoring {
        f.push(("Monitoring".into(), "enabled".into()));
    }
    if let Some(options) = &check.options
        && let Ok(Value::Object(map)) = serde_json::to_value(options)
        && !map.is_empty()
    {
        f.push(("Options".into(), Value::Object(map).to_string()));
    }
    if let Some(reason) = &check.failure_reason {
        f.push(("Failure reason".into(), reason.clone()));
    }
    f.push(("Created".into(), when(created_ms)));
    f.push(("Last updated".into(), when(updated_ms)));
    let mut blocks = vec![Block::Fields(f)];

    let Some(result) = &check.result else {
        blocks.push(Block::Text(match check.status {
            CheckStatus::Pending => {
                "The check had not finished when this report was generated: it has no result yet."
                    .into()
            }
            _ => "The check has no result.".into(),
        }));
        return blocks;
    };
    if let Some(v) = &result.validation {
        let mut vf = vec![
            ("Reviewer's outcome".to_string(), v.outcome.clone()),
            ("Validated".into(), v.validated_at.clone()),
        ];
        if let Some(c) = &v.comment {
            vf.push(("Comment".into(), c.clone()));
        }
        if let Some(r) = &v.rejection_reasons {
            vf.push(("Rejection reasons".into(), r.join(", ")));
        }
        blocks.push(Block::Heading("Validation".into()));
        blocks.push(Block::Fields(vf));
    }
    match &result.breakdown {
        Breakdown::Screening(s) => blocks.extend(screening_blocks(s)),
        other => blocks.extend(breakdown_blocks(
            &serde_json::to_value(other).unwrap_or(Value::Null),
        )),
    }
    blocks
}

/// A breakdown other than screening: one sub-heading per analysis (its top-level member), its
/// leaves as rows under it.
fn breakdown_blocks(value: &Value) -> Vec<Block> {
    let mut blocks = vec![Block::Heading("Breakdown".into())];
    let mut budget = MAX_ROWS;
    let Value::Object(analyses) = value else {
        return blocks;
    };
    let mut loose = Vec::new();
    for (key, analysis) in analyses {
        let mut rows = Vec::new();
        if analysis.is_object() {
            flatten(analysis, &mut Vec::new(), &mut rows);
        } else {
            flatten(analysis, &mut vec![humanise(key)], &mut loose);
            continue;
        }
        if rows.is_empty() {
            continue;
        }
        let truncated = rows.len() > budget;
        rows.truncate(budget);
        budget -= rows.len();
        if truncated {
            rows.push(("…".into(), "more in GET /v1/checks/:id".into()));
        }
        blocks.push(Block::Heading(humanise(key)));
        blocks.push(Block::Fields(rows));
        if budget == 0 {
            break;
        }
    }
    if !loose.is_empty() {
        blocks.insert(1, Block::Fields(loose));
    }
    blocks
}

fn status_words(status: CheckStatus) -> &'static str {
    match status {
        CheckStatus::Pending => "pending",
        CheckStatus::Complete => "complete",
        CheckStatus::Failed => "failed",
    }
}

/// Any JSON value as label–value rows (`Country risk › Nationality` – `low`).
pub(super) fn value_rows(value: &Value) -> Vec<(String, String)> {
    let mut rows = Vec::new();
    flatten(value, &mut Vec::new(), &mut rows);
    rows
}

/// `holderDetails` → `Holder details`.
fn humanise(key: &str) -> String {
    let mut out = String::with_capacity(key.len() + 4);
    for (i, c) in key.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push(' ');
            out.extend(c.to_lowercase());
        } else if i == 0 {
            out.extend(c.to_uppercase());
        } else if c == '_' {
            out.push(' ');
        } else {
            out.push(c);
        }
    }
    out
}

/// Leaves of a JSON value as `Path › to › leaf` – value rows; arrays of plain values on one row.
fn flatten(value: &Value, path: &mut Vec<String>, rows: &mut Vec<(String, String)>) {
    let label = || path.join(" › ");
    match value {
        Value::Object(map) if date_of(map).is_some() => {
            rows.push((label(), date_of(map).unwrap_or_default()));
        }
        Value::Object(map) => {
            for (k, v) in map {
                path.push(humanise(k));
                flatten(v, path, rows);
                path.pop();
            }
        }
        Value::Array(items) if items.iter().all(|v| !v.is_object() && !v.is_array()) => {
            if !items.is_empty() {
                rows.push((
                    label(),
                    items.iter().map(plain).collect::<Vec<_>>().join(", "),
                ));
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                path.push(format!("{}", i + 1));
                flatten(v, path, rows);
                path.pop();
            }
        }
        Value::Null => {}
        leaf => rows.push((label(), plain(leaf))),
    }
}

/// `{day, month, year}` as `YYYY-MM-DD` (or what of it is there).
fn date_of(map: &serde_json::Map<String, Value>) -> Option<String> {
    let year = map.get("year")?.as_i64()?;
    if map
        .keys()
        .any(|k| !["day", "month", "year"].contains(&k.as_str()))
    {
        return None;
    }
    let part = |k| map.get(k).and_then(Value::as_i64);
    Some(match (part("month"), part("day")) {
        (Some(m), Some(d)) => format!("{year:04}-{m:02}-{d:02}"),
        (Some(m), None) => format!("{year:04}-{m:02}"),
        _ => format!("{year:04}"),
    })
}

/// A plain JSON value in words (`not_processed` → `not processed`).
fn plain(v: &Value) -> String {
    match v {
        Value::String(s) if s.chars().all(|c| c.is_ascii_lowercase() || c == '_') => {
            verdict_words(s)
        }
        Value::String(s) => s.clone(),
        Value::Bool(true) => "yes".into(),
        Value::Bool(false) => "no".into(),
        other => other.to_string(),
    }
}

fn screening_blocks(s: &ScreeningBreakdown) -> Vec<Block> {
    let mut blocks = vec![Block::Heading("Screening summary".into())];
    let mut summary = s.summary.clone();
    let mut flagged = Vec::new();
    let mut not_screened = Vec::new();
    for (class, verdict) in summary.verdicts_mut() {
        match verdict {
            crate::checks::result::Verdict::Attention => flagged.push(class),
            crate::checks::result::Verdict::NotProcessed => not_screened.push(class),
            crate::checks::result::Verdict::Clear => {}
        }
    }
    let mut f = vec![(
        "Needs attention".to_string(),
        if flagged.is_empty() {
            "none".to_string()
        } else {
            flagged.join(", ")
        },
    )];
    if !not_screened.is_empty() {
        f.push(("Not screened".into(), not_screened.join(", ")));
    }
    f.push(("Every other category screened".into(), "clear".into()));
    if let Some(mode) = &s.search_mode {
        f.push(("Search mode".into(), mode.clone()));
    }
    if let Some(t) = s.threshold {
        f.push(("Lowest score reported".into(), format!("{t}")));
    }
    f.push(("Potential matches".into(), s.matches.len().to_string()));
    blocks.push(Block::Fields(f));
    if let Some(lists) = &s.screened_lists {
        blocks.push(Block::Heading("Lists screened".into()));
        blocks.push(Block::Table(Table {
            header: vec!["List".into(), "Version".into(), "Published".into()],
            widths: vec![0.5, 0.3, 0.2],
            rows: lists
                .iter()
                .map(|l| {
                    vec![
                        if l.custom == Some(true) {
                            format!("{} (custom list)", l.name)
                        } else {
                            l.name.clone()
                        },
                        l.version.clone().unwrap_or_default(),
                        l.published.clone().unwrap_or_default(),
                    ]
                })
                .collect(),
        }));
    }
    for m in &s.matches {
        blocks.extend(match_blocks(m));
    }
    blocks
}

/// The name a match is shown by: its primary name as published.
fn match_name(m: &ScreeningMatch) -> String {
    let name = m
        .names
        .iter()
        .find(|n| n.kind == "primary")
        .or(m.names.first());
    name.map(|n| {
        n.full_name
            .clone()
            .or(n.company_name.clone())
            .unwrap_or_else(|| {
                [&n.first_name, &n.middle_name, &n.last_name]
                    .into_iter()
                    .flatten()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(" ")
            })
    })
    .unwrap_or_else(|| "(unnamed entry)".into())
}

fn match_blocks(m: &ScreeningMatch) -> Vec<Block> {
    let mut blocks = vec![Block::Heading(format!(
        "Match: {} · score {}",
        match_name(m),
        m.score
    ))];
    let mut f = Vec::new();
    if let Some(id) = &m.entity_id {
        f.push(("List entry".to_string(), id.clone()));
    }
    f.push((
        "Entity".into(),
        match &m.entity_kind {
            Some(kind) => format!("{} ({kind})", m.entity_type),
            None => m.entity_type.clone(),
        },
    ));
    let aliases: Vec<String> = m
        .names
        .iter()
        .filter(|n| n.kind != "primary")
        .filter_map(|n| n.full_name.clone().or(n.company_name.clone()))
        .collect();
    if !aliases.is_empty() {
        f.push(("Also known as".into(), aliases.join("; ")));
    }
    let sources: Vec<String> = m
        .sources
        .iter()
        .map(|s| {
            let mut out = s.list.clone();
            if let Some(v) = &s.list_version {
                out.push_str(&format!(" (version {v})"));
            }
            if let Some(c) = &s.classification {
                out.push_str(&format!(": {c}"));
            }
            out
        })
        .collect();
    f.push(("Found on".into(), sources.join("; ")));
    if let Some(c) = &m.classifications {
        f.push(("Classifications".into(), c.join(", ")));
    }
    if let Some(p) = &m.programmes {
        f.push(("Programmes".into(), p.join(", ")));
    }
    if let Some(countries) = &m.countries {
        f.push((
            "Countries".into(),
            countries
                .iter()
                .map(|c| format!("{} {}", c.kind, c.country))
                .collect::<Vec<_>>()
                .join("; "),
        ));
    }
    if let Some(dates) = &m.dates {
        f.push((
            "Dates".into(),
            dates
                .iter()
                .map(|d| {
                    let p = &d.date;
                    let parts = match (p.month, p.day) {
                        (Some(m), Some(d)) => format!("{}-{m:02}-{d:02}", p.year),
                        (Some(m), None) => format!("{}-{m:02}", p.year),
                        _ => p.year.to_string(),
                    };
                    format!("{} {parts}", d.kind)
                })
                .collect::<Vec<_>>()
                .join("; "),
        ));
    }
    if let Some(v) = &m.validation {
        f.push(("Reviewer's decision".into(), v.outcome.clone()));
    }
    blocks.push(Block::Fields(f));
    if let Some(e) = &m.explanation {
        blocks.extend(explanation_blocks(e));
    }
    blocks
}

/// Why the engine matched: the name it matched on, the name parts it paired and the
/// qualifiers (date of birth, country, …) that moved the score.
fn explanation_blocks(e: &Value) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut f = Vec::new();
    if let Some(n) = e.get("matchedName").and_then(Value::as_str) {
        f.push(("Matched on name".to_string(), n.to_string()));
    }
    if let Some(s) = e.get("nameScore").and_then(Value::as_f64) {
        f.push(("Name similarity".into(), format!("{s:.1} / 100")));
    }
    for (key, label) in [
        ("unmatchedQuery", "Client's name parts unmatched"),
        ("unmatchedCandidate", "Listed name parts unmatched"),
    ] {
        if let Some(items) = e.get(key).and_then(Value::as_array)
            && !items.is_empty()
        {
            f.push((
                label.into(),
                items.iter().map(plain).collect::<Vec<_>>().join(", "),
            ));
        }
    }
    if !f.is_empty() {
        blocks.push(Block::Fields(f));
    }
    let rows = |key: &str, cells: &dyn Fn(&Value) -> Vec<String>| -> Vec<Vec<String>> {
        e.get(key)
            .and_then(Value::as_array)
            .map(|a| a.iter().map(cells).collect())
            .unwrap_or_default()
    };
    let text = |v: &Value, k: &str| v.get(k).map(plain).unwrap_or_default();
    let parts = rows("parts", &|p| {
        vec![
            text(p, "query"),
            text(p, "candidate"),
            p.get("similarity")
                .and_then(Value::as_f64)
                .map(|s| format!("{s:.2}"))
                .unwrap_or_default(),
            text(p, "method"),
        ]
    });
    if !parts.is_empty() {
        blocks.push(Block::Table(Table {
            header: vec![
                "Client's name part".into(),
                "Listed name part".into(),
                "Similarity".into(),
                "How".into(),
            ],
            widths: vec![0.3, 0.3, 0.15, 0.25],
            rows: parts,
        }));
    }
    let qualifiers = rows("qualifiers", &|q| {
        vec![
            text(q, "field"),
            q.get("effect")
                .and_then(Value::as_f64)
                .map(|s| format!("{s:+.1}"))
                .unwrap_or_default(),
            text(q, "detail"),
        ]
    });
    if !qualifiers.is_empty() {
        blocks.push(Block::Table(Table {
            header: vec!["Qualifier".into(), "Score effect".into(), "Detail".into()],
            widths: vec![0.2, 0.15, 0.65],
            rows: qualifiers,
        }));
    }
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nested_breakdowns_flatten_to_readable_rows() {
        let mut rows = Vec::new();
        flatten(
            &json!({"extractedData": {"holderDetails": {"firstName": "Ana",
                        "dob": {"day": 2, "month": 3, "year": 1990}}},
                    "mrz": {"checksums": "not_processed"},
                    "list": ["a", "b"], "none": null}),
            &mut Vec::new(),
            &mut rows,
        );
        assert_eq!(
            rows,
            vec![
                (
                    "Extracted data › Holder details › First name".to_string(),
                    "Ana".to_string()
                ),
                (
                    "Extracted data › Holder details › Dob".to_string(),
                    "1990-03-02".to_string()
                ),
                ("Mrz › Checksums".into(), "not processed".into()),
                ("List".into(), "a, b".into()),
            ]
        );
    }
}
