//! An index of a list's changed entities built within the whole list's index scores exactly as
//! the whole list does: monitoring's reverse search must raise what a full re-screen would.

#[path = "common/shared_dir.rs"]
mod common;

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

use clearance_screening::{
    Entity, Format, IndexBuilder, Query, ScreenOptions, ScreeningIndex, load,
};

fn index_of(entities: Vec<Entity>) -> ScreeningIndex {
    let mut b = IndexBuilder::new();
    b.add_entities(entities);
    b.build()
}

/// Screens every query against the whole index and the delta's, and checks that each match the
/// whole index finds among the delta's entities is found by the delta's index with the same
/// score. Answers how many whole-index matches were compared.
fn compare(whole: Arc<ScreeningIndex>, delta_ids: &HashSet<String>, queries: &[Query]) -> usize {
    let changed: Vec<Entity> = whole
        .entities()
        .iter()
        .filter(|e| delta_ids.contains(&e.id()))
        .cloned()
        .collect();
    let mut b = IndexBuilder::new();
    b.add_entities(changed);
    let delta = b.build_within(whole.clone());
    let options = ScreenOptions {
        limit: 200,
        ..ScreenOptions::default()
    };
    let mut compared = 0;
    for q in queries {
        let found: HashMap<String, f32> = delta
            .screen(q, &options)
            .into_iter()
            .map(|m| (m.entity_id, m.score))
            .collect();
        for m in whole.screen(q, &options) {
            if !delta_ids.contains(&m.entity_id) {
                continue;
            }
            compared += 1;
            let score = found.get(&m.entity_id).copied();
            assert!(
                score.is_some_and(|s| (s - m.score).abs() < 1e-3),
                "{:?}: {} scores {} on the whole list, {score:?} on the delta",
                q.name,
                m.entity_id,
                m.score
            );
        }
    }
    compared
}

#[test]
fn a_delta_index_scores_like_the_whole_fixture_list() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ofac_sdn");
    let list = load(Format::OfacCsv, &dir).expect("parse");
    let whole = Arc::new(index_of(list.entities.clone()));
    // Every other entity changed; every listed name, and a misspelling, is a query.
    let delta_ids: HashSet<String> = list.entities.iter().step_by(2).map(Entity::id).collect();
    let mut queries = Vec::new();
    for e in &list.entities {
        let name = e.primary_name().to_owned();
        let misspelt: String = name.chars().rev().collect::<String>();
        queries.push(Query::person(name.clone()));
        queries.push(Query::company(name.clone()));
        queries.push(Query::person(misspelt));
    }
    let compared = compare(whole, &delta_ids, &queries);
    assert!(
        compared >= delta_ids.len(),
        "only {compared} matches compared"
    );
}

#[test]
fn a_delta_index_scores_like_the_whole_sdn_list() {
    let Some(dir) = common::sanctions_dir() else {
        return;
    };
    let list = load(Format::OfacCsv, &dir.join("ofac_sdn_2021-07")).expect("parse");
    let whole = Arc::new(index_of(list.entities.clone()));
    let path = dir.join("eval/ofac_sdn_2021-07_dev_queries.csv");
    let text = std::fs::read_to_string(path).expect("dev queries");
    let mut queries = Vec::new();
    // The entities the dev queries look for, and one in fifty of the rest, changed.
    let mut delta_ids: HashSet<String> = list.entities.iter().step_by(50).map(Entity::id).collect();
    for line in text.lines().skip(1) {
        let cols: Vec<&str> = line.split(',').collect();
        let [_, _, kind, query, expected, ..] = cols.as_slice() else {
            continue;
        };
        queries.push(if *kind == "person" {
            Query::person(*query)
        } else {
            Query::company(*query)
        });
        if !expected.is_empty() {
            delta_ids.insert(format!("us_ofac_sdn:{expected}"));
        }
    }
    let compared = compare(whole, &delta_ids, &queries);
    assert!(compared > 150, "only {compared} matches compared");
}
