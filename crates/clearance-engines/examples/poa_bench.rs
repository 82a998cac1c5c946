//! Proof of address per document, one thread: generated bills and statements (seed and count
//! from the command line) read as the live check reads them, timed per rendering, with how many
//! were read right; and, as the baseline measured in the same run on the same scans, OCR of the
//! whole page without stopping once the answers are found. Run through `bench/poa.sh`.
//!
//! Usage: poa_bench [count] [seed]

use std::path::Path;
use std::time::Instant;

use chrono::NaiveDate;
use clearance_core::proof_of_address::extract_expecting;
use clearance_docgen::{Rendering, generate};
use clearance_engines::DocumentCheckEngine;
use clearance_engines::proof_of_address::{Text, read_text};
use clearance_idv::image::{DecodeLimits, DocumentImage};

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn main() {
    let mut args = std::env::args().skip(1);
    let count: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(200);
    let seed: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(4242);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let engine = DocumentCheckEngine::load(&root.join("models/ocr"))
        .unwrap_or_else(|e| panic!("the OCR model: {e}"));
    let (reader, pdf) = engine.reader();
    let today = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap_or_default();
    let documents = generate(seed, count, today).unwrap_or_else(|e| panic!("{e}"));
    let mut times: Vec<(&str, f64)> = Vec::new();
    let mut baseline = Vec::new();
    let mut right = 0;
    for d in &documents {
        let expected = vec![
            d.truth.first_name.to_lowercase(),
            d.truth.last_name.to_lowercase(),
        ];
        let started = Instant::now();
        let text = read_text(&reader, &pdf, &d.bytes, "GB", today, &expected)
            .unwrap_or_else(|e| panic!("{e}"));
        let Text::Read { lines, .. } = text else {
            continue;
        };
        let e = extract_expecting(&lines, "GB", today, &expected);
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        let kind = match d.rendering {
            Rendering::PdfText => "pdf (text layer)",
            Rendering::PdfImageOnly => "pdf (scan)",
            Rendering::Jpeg => "jpeg scan",
            Rendering::Png => "png scan",
        };
        times.push((kind, ms));
        let t = &d.truth;
        let holder = e.holder.clone().unwrap_or_default().to_lowercase();
        if holder.contains(&expected[0])
            && holder.contains(&expected[1])
            && e.postal_code.as_deref() == Some(t.postal_code.as_str())
            && e.property_number.as_deref() == Some(t.property_number.as_str())
            && e.issue_date == Some(t.issue_date)
        {
            right += 1;
        }
        // The baseline: every text region of a scan read, no early stop.
        if matches!(d.rendering, Rendering::Jpeg | Rendering::Png) {
            let started = Instant::now();
            let image = DocumentImage::decode_with(&d.bytes, DecodeLimits::default(), &pdf)
                .unwrap_or_else(|e| panic!("{e}"));
            let all = reader
                .read_document_text(&image, 120, &mut |_| false)
                .unwrap_or_else(|e| panic!("{e}"));
            let _ = extract_expecting(
                &all.iter()
                    .map(|r| {
                        r.iter()
                            .map(|c| clearance_core::proof_of_address::TextCell {
                                x: c.x,
                                text: c.text.clone(),
                            })
                            .collect()
                    })
                    .collect::<Vec<_>>(),
                "GB",
                today,
                &expected,
            );
            baseline.push(started.elapsed().as_secs_f64() * 1000.0);
        }
    }
    println!(
        "{count} generated documents (seed {seed}): {right} read right ({:.1} %)",
        right as f64 * 100.0 / count.max(1) as f64
    );
    println!();
    println!("rendering            n    p50 ms    p99 ms");
    let mut scans = Vec::new();
    for kind in ["pdf (text layer)", "pdf (scan)", "jpeg scan", "png scan"] {
        let mut t: Vec<f64> = times
            .iter()
            .filter(|(k, _)| *k == kind)
            .map(|(_, ms)| *ms)
            .collect();
        t.sort_by(f64::total_cmp);
        if kind.ends_with("scan") {
            scans.extend(t.iter().copied());
        }
        println!(
            "{kind:<18} {:>4} {:>9.1} {:>9.1}",
            t.len(),
            percentile(&t, 0.5),
            percentile(&t, 0.99)
        );
    }
    scans.sort_by(f64::total_cmp);
    baseline.sort_by(f64::total_cmp);
    println!(
        "{:<18} {:>4} {:>9.1} {:>9.1}",
        "baseline: whole page",
        baseline.len(),
        percentile(&baseline, 0.5),
        percentile(&baseline, 0.99)
    );
    println!();
    println!(
        "ratio whole-page OCR / stopping early, jpeg+png scans, p50: {:.2}x",
        percentile(&baseline, 0.5) / percentile(&scans, 0.5)
    );
    println!("targets: p50 <= 1000 ms for an image, <= 100 ms for a PDF with a text layer");
}
