//! Prints accuracy figures on the shared evaluation sets: dev queries per category, synthetic
//! negatives against all lists, name-pair F1. Usage: `screening_eval [threshold] [negatives]`.

use std::path::PathBuf;

use clearance_screening::{Format, IndexBuilder, ScreenOptions, eval, load};

fn shared() -> PathBuf {
    std::env::var_os("CLEARANCE_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"))
        .join("data/sanctions")
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let threshold: f32 = args
        .get(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(clearance_screening::DEFAULT_THRESHOLD);
    let n_neg: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1000);
    let d = shared();
    let opts = ScreenOptions {
        threshold,
        ..ScreenOptions::default()
    };
    let mut b = IndexBuilder::new();
    b.add_list(load(Format::OfacCsv, &d.join("ofac_sdn_2021-07"))?);
    let sdn = b.build();
    let rep = eval::dev_set(
        &sdn,
        &std::env::var_os("DEV_QUERIES")
            .map(PathBuf::from)
            .unwrap_or_else(|| d.join("eval/ofac_sdn_2021-07_dev_queries.csv")),
        &opts,
    )?;
    println!(
        "dev set @{threshold}: recall@1 {:.3} (rank {:.3}), false alerts {}/{}",
        rep.recall(),
        rep.found_by_rank as f64 / rep.positives as f64,
        rep.false_alerts,
        rep.negatives
    );
    for (c, (f, r, t)) in &rep.categories {
        println!(
            "  {c:12} {:.2} (rank {:.2}) of {t}",
            *f as f64 / *t as f64,
            *r as f64 / *t as f64
        );
    }
    if std::env::var_os("SHOW_MISSES").is_some() {
        for m in &rep.misses {
            println!("  miss {m:?}");
        }
    }
    let mut all = IndexBuilder::new();
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
        all.add_list(load(f, &d.join(p))?);
    }
    let all = all.build();
    let neg = eval::negatives(
        &all,
        &d.join("eval/yente_cgb_negatives_us.csv"),
        n_neg,
        &opts,
    )?;
    println!(
        "negatives: {} screened, false alerts name-only {} ({:.2} %), with dob/country/gender {} ({:.2} %)",
        neg.screened,
        neg.alerts_name_only,
        100.0 * neg.alerts_name_only as f64 / neg.screened as f64,
        neg.alerts_with_qualifiers,
        100.0 * neg.alerts_with_qualifiers as f64 / neg.screened as f64
    );
    if std::env::var_os("SHOW_MISSES").is_some() {
        for e in &neg.examples {
            println!("  alert {e:?}");
        }
    }
    let pairs = eval::name_pairs(&d.join("eval/nomenklatura_name_bench_cases.csv"), &opts)?;
    if std::env::var_os("SHOW_PAIRS").is_some() {
        for e in &pairs.errors {
            println!("  pair {e:?}");
        }
    }
    println!(
        "name pairs: P {:.3} R {:.3} F1 {:.3} ({} pairs)",
        pairs.precision, pairs.recall, pairs.f1, pairs.pairs
    );
    Ok(())
}
