//! Parser round-trips over the real list files in `shared/data/sanctions` (counts from its README).

#[path = "common/shared_dir.rs"]
mod common;

use clearance_screening::{EntityKind, Format, ParsedList, load};

fn count(p: &ParsedList, k: EntityKind) -> usize {
    p.entities.iter().filter(|e| e.kind == k).count()
}

#[test]
fn ofac_sdn_2021() {
    let Some(dir) = common::sanctions_dir() else {
        return;
    };
    let p = load(Format::OfacCsv, &dir.join("ofac_sdn_2021-07")).expect("parse");
    assert_eq!(p.entities.len(), 8976);
    assert_eq!(count(&p, EntityKind::Person), 4620);
    assert_eq!(count(&p, EntityKind::Organisation), 3673);
    assert_eq!(count(&p, EntityKind::Vessel), 406);
    assert_eq!(count(&p, EntityKind::Aircraft), 277);
    assert!(
        p.errors.is_empty(),
        "{:?}",
        &p.errors[..p.errors.len().min(5)]
    );
    // 8,976 primary names + 11,910 aliases, minus aliases identical to another name of the entry
    let names = p.name_count();
    assert!(names > 20_700 && names <= 8976 + 11_910, "{names}");
    let e = p
        .entities
        .iter()
        .find(|e| e.native_id == "15253")
        .expect("15253");
    assert_eq!(e.primary_name(), "Jesus Alfredo SALAZAR RAMIREZ");
    assert!(p.entities.iter().any(|e| !e.dates_of_birth.is_empty()));
}

#[test]
fn ofac_sdn_2024_primary_only() {
    let Some(dir) = common::sanctions_dir() else {
        return;
    };
    let p = load(Format::OfacCsv, &dir.join("ofac_sdn_2024-05")).expect("parse");
    assert_eq!(p.entities.len(), 14_965);
    assert_eq!(count(&p, EntityKind::Person), 6854);
    assert_eq!(count(&p, EntityKind::Organisation), 6884);
    assert_eq!(count(&p, EntityKind::Vessel), 851);
    assert_eq!(count(&p, EntityKind::Aircraft), 376);
}

#[test]
fn ofac_consolidated() {
    let Some(dir) = common::sanctions_dir() else {
        return;
    };
    let p = load(Format::OfacCsv, &dir.join("ofac_cons_2025-12")).expect("parse");
    assert_eq!(p.entities.len(), 442);
    assert_eq!(count(&p, EntityKind::Person), 79);
    assert_eq!(count(&p, EntityKind::Organisation), 363);
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    let names = p.name_count();
    assert!(names > 1400 && names <= 442 + 1073, "{names}");
}

#[test]
fn un_consolidated() {
    let Some(dir) = common::sanctions_dir() else {
        return;
    };
    let p = load(
        Format::UnXml,
        &dir.join("un_sc/consolidated_2026-02-27.xml"),
    )
    .expect("parse");
    assert_eq!(count(&p, EntityKind::Person), 730);
    assert_eq!(count(&p, EntityKind::Organisation), 273);
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    assert_eq!(p.version.as_deref(), Some("2026-02-27T00:00:09.554Z"));
}

#[test]
fn uk_ofsi_2018() {
    let Some(dir) = common::sanctions_dir() else {
        return;
    };
    let p = load(
        Format::UkOfsiCsv,
        &dir.join("uk_hmt/sanctionsconlist_2018-04-13.csv"),
    )
    .expect("parse");
    assert_eq!(p.entities.len(), 2106);
    assert_eq!(count(&p, EntityKind::Person), 1426);
    assert_eq!(count(&p, EntityKind::Organisation), 680);
    assert!(
        p.errors.is_empty(),
        "{:?}",
        &p.errors[..p.errors.len().min(5)]
    );
    assert_eq!(p.version.as_deref(), Some("13/04/2018"));
}

#[test]
fn us_csl_sample() {
    let Some(dir) = common::sanctions_dir() else {
        return;
    };
    let p = load(Format::UsCslCsv, &dir.join("us_csl/csl_sample_2019-12.csv")).expect("parse");
    assert_eq!(p.entities.len(), 115);
    assert!(p.errors.is_empty(), "{:?}", p.errors);
}

#[test]
fn opensanctions_ftm_and_senzing() {
    let Some(dir) = common::sanctions_dir() else {
        return;
    };
    let z = load(
        Format::FtmJson,
        &dir.join("opensanctions/zala_entities.ftm.json"),
    )
    .expect("zala");
    assert_eq!(count(&z, EntityKind::Person), 6);
    assert_eq!(count(&z, EntityKind::Organisation), 11);
    assert!(z.errors.is_empty());
    let t = load(
        Format::FtmJson,
        &dir.join("opensanctions/t1_entities.ftm.json"),
    )
    .expect("t1");
    assert_eq!(count(&t, EntityKind::Person), 4);
    assert_eq!(count(&t, EntityKind::Organisation), 2);
    let s = load(
        Format::SenzingJson,
        &dir.join("opensanctions/us_congress_senzing.json"),
    )
    .expect("senzing");
    assert_eq!(s.entities.len(), 1319);
    let peps = s
        .entities
        .iter()
        .filter(|e| {
            e.classifications
                .contains(&clearance_screening::Classification::PepLevel1)
        })
        .count();
    assert_eq!(peps, 1317);
}
