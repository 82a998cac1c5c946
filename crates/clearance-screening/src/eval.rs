//! Evaluation harness over the shared labelled sets (dev queries, synthetic negatives, name
//! pairs); used by the accuracy tests and the benchmark binary.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use crate::error::{Result, ScreeningError};
use crate::{
    Entity, EntityKind, IndexBuilder, NameQuality, PartialDate, Query, QueryKind, ScreenOptions,
    ScreeningIndex, SourceList,
};

fn rows(path: &Path) -> Result<Vec<csv::StringRecord>> {
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .map_err(|e| ScreeningError::Io {
            path: path.to_owned(),
            source: std::io::Error::other(e.to_string()),
        })?;
    let mut out = Vec::new();
    for r in rdr.records() {
        out.push(r.map_err(|e| crate::lists::csv_error_public(&path.display().to_string(), &e))?);
    }
    Ok(out)
}

/// Per-category results on the OFAC dev query set.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DevReport {
    /// category → (found at threshold, found by rank, total)
    pub categories: BTreeMap<String, (usize, usize, usize)>,
    pub positives: usize,
    pub found_at_threshold: usize,
    pub found_by_rank: usize,
    pub negatives: usize,
    pub false_alerts: usize,
    /// (qid, query, expected, top hit name, top score) for misses
    pub misses: Vec<(String, String, String, String, f32)>,
}

impl DevReport {
    pub fn recall(&self) -> f64 {
        self.found_at_threshold as f64 / self.positives.max(1) as f64
    }

    pub fn category_recall(&self, c: &str) -> f64 {
        self.categories
            .get(c)
            .map(|(f, _, t)| *f as f64 / (*t).max(1) as f64)
            .unwrap_or(0.0)
    }
}

/// Runs `ofac_sdn_2021-07_dev_queries.csv` against an index of the 2021 SDN list.
pub fn dev_set(index: &ScreeningIndex, queries: &Path, opts: &ScreenOptions) -> Result<DevReport> {
    let mut rep = DevReport::default();
    let all = ScreenOptions {
        threshold: 0.0,
        limit: 5,
        ..opts.clone()
    };
    for r in rows(queries)? {
        let (qid, cat, ty, name, gold) = (&r[0], &r[1], &r[2], &r[3], &r[5]);
        let kind = if ty == "person" {
            QueryKind::Person
        } else {
            QueryKind::Company
        };
        let q = Query {
            name: name.to_owned(),
            kind,
            ..Query::default()
        };
        let hits = index.screen(&q, &all);
        let top = hits.first();
        if cat == "negative" {
            rep.negatives += 1;
            if top.is_some_and(|m| m.score >= opts.threshold) {
                rep.false_alerts += 1;
                rep.misses.push((
                    qid.into(),
                    name.into(),
                    String::new(),
                    top.map(|m| m.explanation.matched_name.clone())
                        .unwrap_or_default(),
                    top.map(|m| m.score).unwrap_or(0.0),
                ));
            }
            continue;
        }
        let golds: Vec<String> = gold
            .split(['|', ';', ' '])
            .filter(|s| !s.is_empty())
            .map(|s| format!("us_ofac_sdn:{s}"))
            .collect();
        let rank_ok = top.is_some_and(|m| golds.contains(&m.entity_id));
        let thr_ok = rank_ok && top.is_some_and(|m| m.score >= opts.threshold);
        rep.positives += 1;
        rep.found_by_rank += usize::from(rank_ok);
        rep.found_at_threshold += usize::from(thr_ok);
        let c = rep.categories.entry(cat.to_owned()).or_default();
        c.0 += usize::from(thr_ok);
        c.1 += usize::from(rank_ok);
        c.2 += 1;
        if !thr_ok {
            rep.misses.push((
                qid.into(),
                name.into(),
                r[6].to_owned(),
                top.map(|m| m.explanation.matched_name.clone())
                    .unwrap_or_default(),
                top.map(|m| m.score).unwrap_or(0.0),
            ));
        }
    }
    Ok(rep)
}

/// False alerts of synthetic negatives (`full_name,…,gender,date_of_birth,…,nationality`).
#[derive(Debug, Clone, Default, Serialize)]
pub struct NegativeReport {
    pub screened: usize,
    pub alerts_name_only: usize,
    pub alerts_with_qualifiers: usize,
    pub examples: Vec<(String, String, f32)>,
}

/// Screens up to `limit` negatives (evenly sampled) name-only and with DOB/nationality/gender.
pub fn negatives(
    index: &ScreeningIndex,
    path: &Path,
    limit: usize,
    opts: &ScreenOptions,
) -> Result<NegativeReport> {
    let all = rows(path)?;
    let step = (all.len() / limit.max(1)).max(1);
    let mut rep = NegativeReport::default();
    let one = ScreenOptions {
        limit: 1,
        ..opts.clone()
    };
    for r in all.iter().step_by(step).take(limit) {
        let mut q = Query::person(&r[0]);
        rep.screened += 1;
        let hits = index.screen(&q, &one);
        if let Some(m) = hits.first() {
            rep.alerts_name_only += 1;
            if rep.examples.len() < 60 {
                rep.examples
                    .push((r[0].to_owned(), m.explanation.matched_name.clone(), m.score));
            }
            q.dob = PartialDate::parse_iso(&r[5]);
            q.country = Some(r[7].to_owned());
            q.gender = crate::Gender::parse(&r[4]);
            if !index.screen(&q, &one).is_empty() {
                rep.alerts_with_qualifiers += 1;
            }
        }
    }
    Ok(rep)
}

/// Precision / recall / F1 on the labelled name pairs.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PairReport {
    pub pairs: usize,
    pub tp: usize,
    pub fp: usize,
    pub fn_: usize,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    /// (category, name1, name2, is_match, score) of the wrong decisions
    pub errors: Vec<(String, String, String, bool, f32)>,
}

/// Scores the pair `a` (query) against `b` (a one-entity index), 0–100.
pub fn pair_score(a: &str, b: &str, person: bool, opts: &ScreenOptions) -> f32 {
    let kind = if person {
        EntityKind::Person
    } else {
        EntityKind::Organisation
    };
    let mut e = Entity::new(SourceList::Custom, "1", kind);
    e.push_name(b, NameQuality::Primary);
    let mut builder = IndexBuilder::new();
    builder.add_entities([e]);
    let index = builder.build();
    let q = Query {
        name: a.to_owned(),
        kind: if person {
            QueryKind::Person
        } else {
            QueryKind::Company
        },
        ..Query::default()
    };
    let o = ScreenOptions {
        threshold: 0.0,
        limit: 1,
        ..opts.clone()
    };
    index.screen(&q, &o).first().map(|m| m.score).unwrap_or(0.0)
}

/// Runs `nomenklatura_name_bench_cases.csv` at `opts.threshold`.
pub fn name_pairs(path: &Path, opts: &ScreenOptions) -> Result<PairReport> {
    let mut rep = PairReport::default();
    for r in rows(path)? {
        let person = &r[1] == "Person";
        let truth = &r[4] == "true";
        let s = pair_score(&r[2], &r[3], person, opts);
        let pred = s >= opts.threshold;
        rep.pairs += 1;
        if pred != truth {
            rep.errors.push((
                format!("{}/{}/{}", &r[0], &r[1], &r[6]),
                r[2].to_owned(),
                r[3].to_owned(),
                truth,
                s,
            ));
        }
        match (pred, truth) {
            (true, true) => rep.tp += 1,
            (true, false) => rep.fp += 1,
            (false, true) => rep.fn_ += 1,
            _ => {}
        }
    }
    rep.precision = rep.tp as f64 / (rep.tp + rep.fp).max(1) as f64;
    rep.recall = rep.tp as f64 / (rep.tp + rep.fn_).max(1) as f64;
    rep.f1 = 2.0 * rep.precision * rep.recall / (rep.precision + rep.recall).max(1e-9);
    Ok(rep)
}
