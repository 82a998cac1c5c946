//! Accuracy floors of issue #6 on the shared evaluation sets (skipped when the data is absent).

#[path = "common/shared_dir.rs"]
mod common;

use clearance_screening::{
    DEFAULT_THRESHOLD, Format, IndexBuilder, ScreenOptions, ScreeningIndex, eval, load,
};

fn all_lists(d: &std::path::Path) -> ScreeningIndex {
    let mut b = IndexBuilder::new();
    for (f, p) in [
        (Format::OfacCsv, "ofac_sdn_2021-07"),
        (Format::OfacCsv, "ofac_cons_2025-12"),
        (Format::UnXml, "un_sc/consolidated_2026-02-27.xml"),
        (Format::UkOfsiCsv, "uk_hmt/sanctionsconlist_2018-04-13.csv"),
        (Format::UsCslCsv, "us_csl/csl_sample_2019-12.csv"),
        (Format::FtmJson, "opensanctions/zala_entities.ftm.json"),
        (
            Format::SenzingJson,
            "opensanctions/us_congress_senzing.json",
        ),
    ] {
        b.add_list(load(f, &d.join(p)).expect("list"));
    }
    b.build()
}

#[test]
fn dev_set_floors() {
    let Some(d) = common::sanctions_dir() else {
        return;
    };
    let mut b = IndexBuilder::new();
    b.add_list(load(Format::OfacCsv, &d.join("ofac_sdn_2021-07")).expect("sdn"));
    let index = b.build();
    let opts = ScreenOptions::default();
    assert_eq!(opts.threshold, DEFAULT_THRESHOLD);
    let rep = eval::dev_set(
        &index,
        &d.join("eval/ofac_sdn_2021-07_dev_queries.csv"),
        &opts,
    )
    .expect("eval");
    println!(
        "recall@1 {:.3}, false alerts {}/{}",
        rep.recall(),
        rep.false_alerts,
        rep.negatives
    );
    for (c, (f, _, t)) in &rep.categories {
        println!("  {c:12} {f}/{t}");
    }
    assert_eq!(rep.positives, 200);
    assert_eq!(rep.negatives, 50);
    assert!(
        rep.recall() >= 0.96,
        "recall {} misses {:?}",
        rep.recall(),
        rep.misses
    );
    assert_eq!(rep.false_alerts, 0, "{:?}", rep.misses);
    for c in rep.categories.keys() {
        assert!(
            rep.category_recall(c) >= 0.90,
            "{c}: {}",
            rep.category_recall(c)
        );
    }
}

#[test]
fn negatives_sample_false_alert_rate() {
    let Some(d) = common::sanctions_dir() else {
        return;
    };
    let index = all_lists(&d);
    let rep = eval::negatives(
        &index,
        &d.join("eval/yente_cgb_negatives_us.csv"),
        1000,
        &ScreenOptions::default(),
    )
    .expect("eval");
    println!(
        "{} alerts of {} ({:?})",
        rep.alerts_name_only, rep.screened, rep.examples
    );
    assert_eq!(rep.screened, 1000);
    assert!(
        rep.alerts_name_only <= 5,
        "{} alerts: {:?}",
        rep.alerts_name_only,
        rep.examples
    );
}

#[test]
fn name_pairs_f1() {
    let Some(d) = common::sanctions_dir() else {
        return;
    };
    let rep = eval::name_pairs(
        &d.join("eval/nomenklatura_name_bench_cases.csv"),
        &ScreenOptions::default(),
    )
    .expect("eval");
    println!(
        "P {:.3} R {:.3} F1 {:.3}",
        rep.precision, rep.recall, rep.f1
    );
    assert!(rep.f1 >= 0.82, "F1 {:.3}", rep.f1);
}

/// The full 50,000-name negative set (slow in the dev profile; run with `--ignored --release`).
#[test]
#[ignore]
fn negatives_full_false_alert_rate() {
    let Some(d) = common::sanctions_dir() else {
        return;
    };
    let index = all_lists(&d);
    let rep = eval::negatives(
        &index,
        &d.join("eval/yente_cgb_negatives_us.csv"),
        50_000,
        &ScreenOptions::default(),
    )
    .expect("eval");
    println!("{} alerts of {}", rep.alerts_name_only, rep.screened);
    assert!(
        rep.alerts_name_only * 200 <= rep.screened,
        "{} alerts",
        rep.alerts_name_only
    );
}
