//! Reads the MRZ of each image given and prints format, check results, quality
//! and timings (used by `bench/documents.sh`).
//!
//! `cargo run --release -p clearance-idv --example read_mrz -- MODELS_DIR [--repeat N] IMAGE...`
//! Prints no document data unless `--show-lines` is given (use on specimens only).

use std::path::Path;
use std::time::Instant;

use clearance_idv::quality::assess;
use clearance_idv::{Date, DocumentImage, MrzReader};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let models = args
        .next()
        .ok_or("usage: read_mrz MODELS_DIR [--repeat N] [--show-lines] IMAGE...")?;
    let mut repeat = 1usize;
    let mut show = false;
    let mut images = Vec::new();
    while let Some(a) = args.next() {
        match a.as_str() {
            "--repeat" => repeat = args.next().ok_or("--repeat needs N")?.parse()?,
            "--show-lines" => show = true,
            _ => images.push(a),
        }
    }
    let today = Date::new(2026, 11, 28).ok_or("bad date")?;
    let started = Instant::now();
    let reader = MrzReader::load(Path::new(&models))?;
    println!("model load: {} ms", started.elapsed().as_millis());
    println!(
        "image\tformat\tchecks\tskew_deg\tsharpness\tquality\tread_ms_mean\tread_ms_min\tcpu_ms_mean"
    );
    for path in images {
        let bytes = std::fs::read(&path)?;
        let image = DocumentImage::decode(&bytes)?;
        let quality = assess(&image);
        let mut times = Vec::with_capacity(repeat);
        let cpu_before = cpu_ms();
        let mut reading = None;
        for _ in 0..repeat {
            let t = Instant::now();
            reading = reader.read(&image, today)?;
            times.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        let cpu = (cpu_ms() - cpu_before) / repeat as f64;
        let mean = times.iter().sum::<f64>() / times.len() as f64;
        let min = times.iter().copied().fold(f64::INFINITY, f64::min);
        let name = Path::new(&path)
            .file_name()
            .map_or(path.clone(), |n| n.to_string_lossy().into_owned());
        let issues: Vec<_> = quality.issues.iter().map(|i| i.api_code()).collect();
        let quality = if issues.is_empty() {
            "ok".to_owned()
        } else {
            issues.join(",")
        };
        match reading {
            Some(r) => {
                let ok = r.document.checks.iter().filter(|c| c.is_valid()).count();
                println!(
                    "{name}\t{}\t{ok}/{}\t{:.2}\t{:.0}\t{quality}\t{mean:.0}\t{min:.0}\t{cpu:.0}",
                    r.document.format,
                    r.document.checks.len(),
                    r.skew_degrees,
                    quality_sharpness(&image),
                );
                if show {
                    for l in &r.document.lines {
                        println!("    {l}");
                    }
                }
            }
            None => println!(
                "{name}\tnone\t-\t-\t{:.0}\t{quality}\t{mean:.0}\t{min:.0}",
                quality_sharpness(&image)
            ),
        }
    }
    Ok(())
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

fn quality_sharpness(image: &DocumentImage) -> f64 {
    assess(image).sharpness
}
