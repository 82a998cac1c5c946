//! The import self-check over real lists: how long it takes with the import's sample, and
//! which entities of each list do not find themselves when every one is screened back.
//!
//! `cargo run --release -p clearance-screening --example self_check_lists [-- --all]`
//! (lists from `CLEARANCE_SHARED_DIR`, default `../shared`, under `data/sanctions`).

use std::path::PathBuf;
use std::time::Instant;

use clearance_screening::{Format, IndexBuilder, SELF_CHECK_SAMPLE, SELF_CHECK_SEED, self_check};

fn main() {
    let all = std::env::args().any(|a| a == "--all");
    let base = std::env::var_os("CLEARANCE_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    let dir = base.join("data/sanctions");
    let lists = [
        (Format::OfacCsv, "ofac_sdn_2024-05"),
        (Format::OfacCsv, "ofac_sdn_2021-07"),
        (Format::OfacCsv, "ofac_cons_2025-12"),
        (Format::UnXml, "un_sc/consolidated_2026-02-27.xml"),
        (Format::UkOfsiCsv, "uk_hmt/sanctionsconlist_2018-04-13.csv"),
        (Format::UsCslCsv, "us_csl/csl_sample_2019-12.csv"),
        (Format::FtmJson, "opensanctions/t1_entities.ftm.json"),
        (
            Format::SenzingJson,
            "opensanctions/us_congress_senzing.json",
        ),
    ];
    for (format, path) in lists {
        let Ok(parsed) = clearance_screening::load(format, &dir.join(path)) else {
            println!("{path}: not readable, skipped");
            continue;
        };
        let entities = parsed.entities.len();
        let started = Instant::now();
        let mut builder = IndexBuilder::new();
        builder.add_list(parsed);
        let index = builder.build();
        let built = started.elapsed();
        let checked = Instant::now();
        let sample = if all { entities } else { SELF_CHECK_SAMPLE };
        let report = self_check(&index, sample, SELF_CHECK_SEED);
        println!(
            "{path}: {entities} entities, index {:.0} ms, {} names screened in {:.0} ms, {} missed {:?}",
            built.as_secs_f64() * 1000.0,
            report.sampled,
            checked.elapsed().as_secs_f64() * 1000.0,
            report.missed,
            report.missed_ids
        );
        for id in &report.missed_ids {
            if let Some(e) = index.entity(id) {
                println!("    {id}: {:?} ({:?})", e.primary_name(), e.kind);
            }
        }
    }
}
