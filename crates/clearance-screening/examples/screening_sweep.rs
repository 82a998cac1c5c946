//! Threshold sweep (calibration table): dev-set recall and false alerts, false-alert rate on
//! US negatives against all lists, name-pair F1, and the alert rate on the UN positives
//! (persons from the UN list with DOB and nationality) at thresholds 70 … 95.
//! Usage: `screening_sweep [negatives]`.

use std::path::PathBuf;

use clearance_screening::{
    Format, Gender, IndexBuilder, PartialDate, Query, ScreenOptions, eval, load,
};

fn shared() -> PathBuf {
    std::env::var_os("CLEARANCE_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"))
        .join("data/sanctions")
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n_neg: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(5000);
    let d = shared();
    let mut b = IndexBuilder::new();
    b.add_list(load(Format::OfacCsv, &d.join("ofac_sdn_2021-07"))?);
    let sdn = b.build();
    let mut b = IndexBuilder::new();
    b.add_list(load(
        Format::UnXml,
        &d.join("un_sc/consolidated_2026-02-27.xml"),
    )?);
    let un = b.build();
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
    let mut un_rows = Vec::new();
    let mut rdr = csv::Reader::from_path(d.join("eval/yente_cgb_positives_un_untreated.csv"))?;
    for r in rdr.records() {
        let r = r?;
        un_rows.push((
            r[0].to_owned(),
            r[4].to_owned(),
            r[5].to_owned(),
            r[7].to_owned(),
        ));
    }
    println!(
        "| threshold | dev recall@1 | dev false alerts | negatives alerts (name only) | negatives alerts (+dob/country/gender) | pairs P / R / F1 | UN positives alerted (name only / +dob,nationality) |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- |");
    for t in [70.0f32, 75.0, 80.0, 85.0, 90.0, 95.0] {
        let opts = ScreenOptions {
            threshold: t,
            ..ScreenOptions::default()
        };
        let dev = eval::dev_set(
            &sdn,
            &d.join("eval/ofac_sdn_2021-07_dev_queries.csv"),
            &opts,
        )?;
        let neg = eval::negatives(
            &all,
            &d.join("eval/yente_cgb_negatives_us.csv"),
            n_neg,
            &opts,
        )?;
        let pairs = eval::name_pairs(&d.join("eval/nomenklatura_name_bench_cases.csv"), &opts)?;
        let (mut un_name, mut un_full) = (0, 0);
        for (name, gender, dob, nat) in &un_rows {
            let q = Query::person(name.as_str());
            un_name += usize::from(!un.screen(&q, &opts).is_empty());
            let q = Query {
                dob: PartialDate::parse_iso(dob),
                country: Some(nat.clone()).filter(|s| !s.is_empty()),
                gender: Gender::parse(gender),
                ..q
            };
            un_full += usize::from(!un.screen(&q, &opts).is_empty());
        }
        println!(
            "| {t} | {:.3} | {}/{} | {:.2} % | {:.2} % | {:.3} / {:.3} / {:.3} | {:.3} / {:.3} |",
            dev.recall(),
            dev.false_alerts,
            dev.negatives,
            100.0 * neg.alerts_name_only as f64 / neg.screened as f64,
            100.0 * neg.alerts_with_qualifiers as f64 / neg.screened as f64,
            pairs.precision,
            pairs.recall,
            pairs.f1,
            un_name as f64 / un_rows.len() as f64,
            un_full as f64 / un_rows.len() as f64,
        );
    }
    Ok(())
}
