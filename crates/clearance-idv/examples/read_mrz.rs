//! Reads the MRZ and the visual zone of each image given and prints format, check results,
//! quality and timings (used by `bench/documents.sh`).
//!
//! `cargo run --release -p clearance-idv --example read_mrz -- MODELS_DIR [--repeat N] [--baseline] IMAGE...`
//! Prints no document data unless `--show-lines` is given (use on specimens only).
//!
//! With `--baseline`, each run is followed by the same run with the MRZ read by the recogniser
//! alone (`MrzReader::recogniser_only`: the plain PP-OCR pipeline), and the baseline's p50 and
//! the ratio are printed too. Alternating the two keeps a change in the machine's load from
//! favouring either.

use std::path::Path;
use std::time::Instant;

use clearance_idv::analysis::read_visual_zone;
use clearance_idv::quality::{QualityReport, assess};
use clearance_idv::visual_zone::VisualZoneFindings;
use clearance_idv::{Date, DocumentImage, MrzReader, MrzReading};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let models = args
        .next()
        .ok_or("usage: read_mrz MODELS_DIR [--repeat N] [--baseline] [--show-lines] IMAGE...")?;
    let mut repeat = 1usize;
    let mut show = false;
    let mut with_baseline = false;
    let mut images = Vec::new();
    while let Some(a) = args.next() {
        match a.as_str() {
            "--repeat" => repeat = args.next().ok_or("--repeat needs N")?.parse()?,
            "--show-lines" => show = true,
            "--baseline" => with_baseline = true,
            _ => images.push(a),
        }
    }
    let today = Date::new(2026, 11, 28).ok_or("bad date")?;
    let started = Instant::now();
    let reader = MrzReader::load(Path::new(&models))?;
    println!("model load: {} ms", started.elapsed().as_millis());
    let baseline = if with_baseline {
        Some(MrzReader::load(Path::new(&models))?.recogniser_only())
    } else {
        None
    };
    println!(
        "image\tformat\tchecks\tskew_deg\tsharpness\tquality\tms_p50\tms_p99\tcpu_ms_mean\tmrz_ms_p50\tviz_ms_p50\tvisual_zone{}",
        if baseline.is_some() {
            "\tbaseline_ms_p50\tratio"
        } else {
            ""
        }
    );
    for path in images {
        let bytes = std::fs::read(&path)?;
        let mut times = Vec::with_capacity(repeat);
        let mut mrz_times = Vec::with_capacity(repeat);
        let mut viz_times = Vec::with_capacity(repeat);
        let mut baseline_times = Vec::with_capacity(repeat);
        let mut cpu_total = 0.0;
        let mut reading = None;
        let mut quality = None;
        let mut visual = None;
        for _ in 0..repeat {
            let cpu_before = cpu_ms();
            let run = check(&reader, &bytes, today)?;
            cpu_total += cpu_ms() - cpu_before;
            times.push(run.ms);
            mrz_times.push(run.mrz_ms);
            viz_times.push(run.ms - run.mrz_ms);
            quality = Some(run.quality);
            reading = run.reading;
            visual = run.visual;
            if let Some(baseline) = &baseline {
                baseline_times.push(check(baseline, &bytes, today)?.ms);
            }
        }
        let assessment = quality.ok_or("--repeat must be at least 1")?;
        let sharpness = assessment.sharpness;
        let cpu = cpu_total / repeat as f64;
        times.sort_by(f64::total_cmp);
        mrz_times.sort_by(f64::total_cmp);
        viz_times.sort_by(f64::total_cmp);
        baseline_times.sort_by(f64::total_cmp);
        let median = |v: &[f64]| v[(v.len() - 1) / 2];
        let versus = if baseline_times.is_empty() {
            String::new()
        } else {
            let base = median(&baseline_times);
            format!("\t{base:.0}\t{:.2}", median(&times) / base)
        };
        let (mrz_p50, viz_p50) = (median(&mrz_times), median(&viz_times));
        // Verdicts only (clear / attention / not_processed): never the text read.
        let visual = visual.map_or("-".to_owned(), |v| {
            format!(
                "first={} last={} dob={} issue_date={}",
                v.first_name.as_str(),
                v.last_name.as_str(),
                v.dob.as_str(),
                if v.issue_date.is_some() { "read" } else { "-" }
            )
        });
        // Nearest rank.
        let rank =
            |q: f64| times[((q * times.len() as f64).ceil() as usize).clamp(1, times.len()) - 1];
        let (p50, p99) = (rank(0.5), rank(0.99));
        let name = Path::new(&path)
            .file_name()
            .map_or(path.clone(), |n| n.to_string_lossy().into_owned());
        let issues: Vec<_> = assessment.issues.iter().map(|i| i.api_code()).collect();
        let quality = if issues.is_empty() {
            "ok".to_owned()
        } else {
            issues.join(",")
        };
        match reading {
            Some(r) => {
                let ok = r.document.checks.iter().filter(|c| c.is_valid()).count();
                println!(
                    "{name}\t{}\t{ok}/{}\t{:.2}\t{:.0}\t{quality}\t{p50:.0}\t{p99:.0}\t{cpu:.0}\t{mrz_p50:.0}\t{viz_p50:.0}\t{visual}{versus}",
                    r.document.format,
                    r.document.checks.len(),
                    r.skew_degrees,
                    sharpness,
                );
                if show {
                    for l in &r.document.lines {
                        println!("    {l}");
                    }
                }
            }
            None => println!("{name}\tnone\t-\t-\t{sharpness:.0}\t{quality}\t{p50:.0}\t{p99:.0}"),
        }
    }
    Ok(())
}

/// One timed run of what a document check does per side: decode, quality gates, MRZ read,
/// then the visual zone compared with the MRZ.
struct Run {
    ms: f64,
    mrz_ms: f64,
    quality: QualityReport,
    reading: Option<MrzReading>,
    visual: Option<VisualZoneFindings>,
}

fn check(reader: &MrzReader, bytes: &[u8], today: Date) -> Result<Run, Box<dyn std::error::Error>> {
    let t = Instant::now();
    let image = DocumentImage::decode(bytes)?;
    let quality = assess(&image);
    let reading = reader.read(&image, today)?;
    let mrz_done = Instant::now();
    let visual = match &reading {
        Some(r) => Some(read_visual_zone(reader, r, &image, None, today)?),
        None => None,
    };
    let end = Instant::now();
    Ok(Run {
        ms: (end - t).as_secs_f64() * 1000.0,
        mrz_ms: (mrz_done - t).as_secs_f64() * 1000.0,
        quality,
        reading,
        visual,
    })
}

/// Process CPU time (user + system, all threads) in ms, from `/proc/self/stat`
/// (Linux; 0 elsewhere). Wall time alone misleads on a loaded machine.
fn cpu_ms() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // Fields after the command name (which is in parentheses).
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of the whole line: 11 and 12 here.
    (ticks(11) + ticks(12)) * 10.0
}
