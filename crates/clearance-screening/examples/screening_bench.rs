//! Latency / build-time / memory benchmark of the screening engine, one thread, all shared
//! lists loaded (or `--synthetic N` generated entities). Prints a summary and one JSON line.
//!
//! Usage: `screening_bench [--synthetic N] [--queries N]`

use std::path::{Path, PathBuf};
use std::time::Instant;

use clearance_screening::{
    Entity, EntityKind, Format, IndexBuilder, NameQuality, Query, QueryKind, ScreenOptions,
    SourceList, load,
};

fn shared() -> PathBuf {
    std::env::var_os("CLEARANCE_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"))
        .join("data/sanctions")
}

/// Resident and peak memory in MiB from /proc (0 where unavailable).
fn memory_mib() -> (f64, f64) {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |k: &str| {
        s.lines()
            .find(|l| l.starts_with(k))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<f64>().ok())
            .map(|kb| kb / 1024.0)
            .unwrap_or(0.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn csv_column(path: &Path, col: usize, type_col: Option<usize>) -> Vec<(String, QueryKind)> {
    let mut out = Vec::new();
    let Ok(mut rdr) = csv::Reader::from_path(path) else {
        return out;
    };
    for r in rdr.records().flatten() {
        let kind = match type_col.and_then(|c| r.get(c)) {
            Some("org") | Some("company") => QueryKind::Company,
            _ => QueryKind::Person,
        };
        if let Some(n) = r.get(col) {
            out.push((n.to_owned(), kind));
        }
    }
    out
}

/// Deterministic synthetic entities built from real name parts.
fn synthetic(n: usize, given: &[String], family: &[String]) -> Vec<Entity> {
    let mut seed: u64 = 0x2545f4914f6cdd1d;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    (0..n)
        .map(|i| {
            let person = i % 3 != 0;
            let kind = if person {
                EntityKind::Person
            } else {
                EntityKind::Organisation
            };
            let mut e = Entity::new(SourceList::Custom, i.to_string(), kind);
            let pick = |v: &[String], r: u64| v[(r as usize) % v.len()].clone();
            for a in 0..(1 + next() % 3) {
                let name = if person {
                    format!(
                        "{} {} {}",
                        pick(given, next()),
                        pick(given, next()),
                        pick(family, next())
                    )
                } else {
                    format!(
                        "{} {} Trading LLC",
                        pick(family, next()),
                        pick(family, next())
                    )
                };
                e.push_name(
                    &name,
                    if a == 0 {
                        NameQuality::Primary
                    } else {
                        NameQuality::Strong
                    },
                );
            }
            e
        })
        .collect()
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let arg = |k: &str| {
        args.iter()
            .position(|a| a == k)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse::<usize>().ok())
    };
    let synthetic_n = arg("--synthetic");
    // the peers' setting: OFAC SDN 2021 only, the 250 dev queries
    let dev_only = args.iter().any(|a| a == "--sdn2021");
    let n_queries = arg("--queries").unwrap_or(3000);
    let d = shared();
    let (rss0, _) = memory_mib();
    let t0 = Instant::now();
    let mut lists = Vec::new();
    let negatives = csv_column(&d.join("eval/yente_cgb_negatives_us.csv"), 0, None);
    if let Some(n) = synthetic_n {
        let given: Vec<String> = negatives
            .iter()
            .filter_map(|(n, _)| n.split_whitespace().next().map(str::to_owned))
            .collect();
        let family: Vec<String> = negatives
            .iter()
            .filter_map(|(n, _)| n.split_whitespace().last().map(str::to_owned))
            .collect();
        lists.push(clearance_screening::ParsedList {
            entities: synthetic(n, &given, &family),
            ..Default::default()
        });
    } else if dev_only {
        lists.push(load(Format::OfacCsv, &d.join("ofac_sdn_2021-07"))?);
    } else {
        for (f, p) in [
            (Format::OfacCsv, "ofac_sdn_2021-07"),
            (Format::OfacCsv, "ofac_sdn_2024-05"),
            (Format::OfacCsv, "ofac_cons_2025-12"),
            (Format::UnXml, "un_sc/consolidated_2026-02-27.xml"),
            (Format::UkOfsiCsv, "uk_hmt/sanctionsconlist_2018-04-13.csv"),
            (Format::UsCslCsv, "us_csl/csl_sample_2019-12.csv"),
            (Format::FtmJson, "opensanctions/zala_entities.ftm.json"),
            (Format::FtmJson, "opensanctions/t1_entities.ftm.json"),
            (
                Format::SenzingJson,
                "opensanctions/us_congress_senzing.json",
            ),
        ] {
            let mut l = load(f, &d.join(p))?;
            if p == "ofac_sdn_2024-05" {
                // a second SDN snapshot: keep it apart from the 2021 one
                for e in &mut l.entities {
                    e.native_id = format!("2024-{}", e.native_id);
                }
            }
            lists.push(l);
        }
    }
    let parse_s = t0.elapsed().as_secs_f64();
    let t1 = Instant::now();
    let mut b = IndexBuilder::new();
    for l in lists {
        b.add_list(l);
    }
    let index = b.build();
    let build_s = t1.elapsed().as_secs_f64();
    let (rss1, hwm) = memory_mib();
    let stats = index.stats();

    let mut queries = csv_column(&d.join("eval/ofac_sdn_2021-07_dev_queries.csv"), 3, Some(2));
    if !dev_only {
        queries.extend(csv_column(
            &d.join("eval/yente_cgb_positives_un_untreated.csv"),
            0,
            None,
        ));
        let step = (negatives.len() / n_queries.max(1)).max(1);
        queries.extend(negatives.iter().step_by(step).cloned());
    }
    queries.truncate(n_queries);
    let opts = ScreenOptions::default();
    for (name, kind) in queries.iter().take(20) {
        let _ = index.screen(
            &Query {
                name: name.clone(),
                kind: *kind,
                ..Query::default()
            },
            &opts,
        );
    }
    let mut lat = Vec::with_capacity(queries.len());
    let mut cpu = Vec::with_capacity(queries.len());
    let mut hits = 0usize;
    let tq = Instant::now();
    for (name, kind) in &queries {
        let q = Query {
            name: name.clone(),
            kind: *kind,
            ..Query::default()
        };
        let c0 = cpu_time::ThreadTime::try_now().ok();
        let s = Instant::now();
        let m = index.screen(&q, &opts);
        let ms = s.elapsed().as_secs_f64() * 1000.0;
        if let Some(c0) = c0 {
            cpu.push(c0.elapsed().as_secs_f64() * 1000.0);
        }
        if std::env::var_os("SHOW_SLOW").is_some() && ms > 3.0 {
            println!("slow {ms:.2} ms {name:?}");
        }
        lat.push(ms);
        hits += usize::from(!m.is_empty());
    }
    let total_s = tq.elapsed().as_secs_f64();
    lat.sort_by(f64::total_cmp);
    cpu.sort_by(f64::total_cmp);
    let (c50, c99) = (percentile(&cpu, 0.5), percentile(&cpu, 0.99));
    let (p50, p95, p99, max) = (
        percentile(&lat, 0.5),
        percentile(&lat, 0.95),
        percentile(&lat, 0.99),
        lat.last().copied().unwrap_or(0.0),
    );
    println!(
        "entities {} names {} vocabulary {} | parse {:.2} s, index build {:.3} s | RSS {:.0} MiB (index ≈ {:.0} MiB over baseline, peak {:.0} MiB)",
        stats.entities,
        stats.names,
        stats.vocabulary,
        parse_s,
        build_s,
        rss1,
        rss1 - rss0,
        hwm
    );
    println!(
        "latency per screening (1 thread, {} queries, {} with hits): p50 {:.3} ms  p95 {:.3} ms  p99 {:.3} ms  max {:.3} ms  ({:.0} screenings/s)",
        lat.len(),
        hits,
        p50,
        p95,
        p99,
        max,
        lat.len() as f64 / total_s
    );
    if !cpu.is_empty() {
        println!(
            "on-CPU time per screening (excludes time the thread was descheduled by other load): p50 {c50:.3} ms  p99 {c99:.3} ms  max {:.3} ms",
            cpu.last().copied().unwrap_or(0.0)
        );
    }
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!("machine load average during run: {}", load.trim());
    println!(
        "{}",
        serde_json::json!({
            "cpu_p50_ms": c50, "cpu_p99_ms": c99, "loadavg": load.trim(),
            "entities": stats.entities, "names": stats.names, "vocabulary": stats.vocabulary,
            "parse_s": parse_s, "build_s": build_s, "rss_mib": rss1, "peak_rss_mib": hwm,
            "queries": lat.len(), "p50_ms": p50, "p95_ms": p95, "p99_ms": p99, "max_ms": max,
            "synthetic": synthetic_n,
        })
    );
    Ok(())
}
