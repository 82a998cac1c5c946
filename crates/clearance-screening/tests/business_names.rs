//! Business-name variants (#26, item 2): listed organisations screened under the names
//! customers write for them: business words abbreviated (`INTERNATIONAL` → `INTL`, `GROUP` →
//! `GRP`, …), legal forms abbreviated or dropped, and a generic descriptive word added. The set
//! is generated from the OFAC lists with a fixed seed; each variant kind must find its listed
//! organisation first, at the default threshold, for at least 90 % of its queries.

#[path = "common/shared_dir.rs"]
mod common;

use std::collections::BTreeMap;

use clearance_screening::{
    Entity, EntityKind, Format, IndexBuilder, Query, ScreenOptions, ScreeningIndex, load,
};

/// Abbreviations customers write, by the listed word.
const ABBREVIATIONS: &[(&str, &str)] = &[
    ("INTERNATIONAL", "INTL"),
    ("GROUP", "GRP"),
    ("MANAGEMENT", "MGMT"),
    ("HOLDING", "HLDG"),
    ("HOLDINGS", "HLDGS"),
    ("INDUSTRIES", "INDS"),
    ("SERVICES", "SVCS"),
    ("TECHNOLOGIES", "TECH"),
    ("TECHNOLOGY", "TECH"),
    ("MANUFACTURING", "MFG"),
    ("ENTERPRISES", "ENT"),
    ("INVESTMENT", "INV"),
    ("DEVELOPMENT", "DEV"),
    ("NATIONAL", "NATL"),
    ("ENGINEERING", "ENGG"),
    ("TRADING", "TRDG"),
    ("BROTHERS", "BROS"),
];

/// Legal forms customers shorten, by the listed words.
const FORMS: &[(&str, &str)] = &[
    ("CORPORATION", "CORP"),
    ("COMPANY", "CO"),
    ("LIMITED", "LTD"),
    ("INCORPORATED", "INC"),
];

/// Generic words a customer file may add to a company's name.
const ADDED: &[&str] = &[
    "GROUP",
    "TRADING",
    "INTERNATIONAL",
    "HOLDING",
    "OIL",
    "BANK",
];

fn words(name: &str) -> Vec<String> {
    name.split_whitespace()
        .map(|w| {
            w.trim_matches(|c: char| c == ',' || c == '.')
                .to_uppercase()
        })
        .filter(|w| !w.is_empty())
        .collect()
}

/// (kind, query, listed entity id) for every listed organisation a kind applies to; one added
/// word in six organisations (chosen by the entity's position, a fixed seed).
fn variants(entities: &[Entity]) -> Vec<(&'static str, String, String)> {
    let mut out = Vec::new();
    for (i, e) in entities.iter().enumerate() {
        if e.kind != EntityKind::Organisation {
            continue;
        }
        let name = words(e.primary_name());
        if name.len() < 2 {
            continue;
        }
        let id = e.id();
        let replace = |table: &[(&str, &str)]| -> Option<String> {
            let mut changed = false;
            let out: Vec<String> = name
                .iter()
                .map(|w| match table.iter().find(|(full, _)| full == w) {
                    Some((_, short)) => {
                        changed = true;
                        (*short).to_owned()
                    }
                    None => w.clone(),
                })
                .collect();
            changed.then(|| out.join(" "))
        };
        if let Some(q) = replace(ABBREVIATIONS) {
            out.push(("business_word_abbreviated", q, id.clone()));
        }
        if let Some(q) = replace(FORMS) {
            out.push(("legal_form_abbreviated", q, id.clone()));
        }
        if i % 6 == 0 && name.len() >= 2 {
            let added = ADDED[(i / 6) % ADDED.len()];
            if !name.iter().any(|w| w == added) {
                out.push((
                    "descriptor_added",
                    format!("{} {added}", name.join(" ")),
                    id,
                ));
            }
        }
    }
    out
}

fn recall_by_kind(
    index: &ScreeningIndex,
    set: &[(&str, String, String)],
) -> BTreeMap<String, (usize, usize)> {
    let options = ScreenOptions::default();
    let mut by_kind: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for (kind, query, id) in set {
        let found = index.screen(&Query::company(query.clone()), &options);
        // First, or tied with the first (a name listed twice scores the same for both).
        let top = found.first().map(|m| m.score);
        let hit = found
            .iter()
            .any(|m| &m.entity_id == id && Some(m.score) == top);
        let entry = by_kind.entry((*kind).to_owned()).or_default();
        entry.0 += usize::from(hit);
        entry.1 += 1;
    }
    by_kind
}

#[test]
fn business_name_variants_find_their_organisation() {
    let Some(dir) = common::sanctions_dir() else {
        return;
    };
    let mut b = IndexBuilder::new();
    let mut entities = Vec::new();
    for folder in ["ofac_sdn_2024-05", "ofac_cons_2025-12"] {
        let list = load(Format::OfacCsv, &dir.join(folder)).expect("list");
        entities.extend(list.entities.iter().cloned());
        b.add_list(list);
    }
    let index = b.build();
    let set = variants(&entities);
    let report = recall_by_kind(&index, &set);
    for (kind, (hit, total)) in &report {
        let recall = *hit as f64 / *total as f64;
        println!("{kind:28} {hit}/{total} = {recall:.3}");
    }
    for (kind, (hit, total)) in &report {
        assert!(*total >= 20, "{kind}: only {total} queries");
        let recall = *hit as f64 / *total as f64;
        assert!(recall >= 0.9, "{kind}: recall@1 {recall:.3}");
    }
}
