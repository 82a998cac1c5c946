//! Times what a face check does per image, on the thread it runs on: detection (YuNet),
//! alignment and encoding, the two together, and the anti-spoof nets (MiniFASNet, both crops).
//! Prints p50 and p99 over the runs (nearest rank) per image, and the encoder alone as the
//! in-run baseline.
//!
//! `cargo run --release -p clearance-idv --features faces --example face_bench -- MODELS_DIR REPEAT IMAGE…`

use std::path::PathBuf;
use std::time::Instant;

use clearance_idv::DocumentImage;
use clearance_idv::face::{FaceAnalyser, align};

fn percentile(samples: &mut [f64], p: f64) -> f64 {
    samples.sort_by(f64::total_cmp);
    let rank = ((p / 100.0) * samples.len() as f64).ceil() as usize;
    samples[rank.clamp(1, samples.len()) - 1]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let models = PathBuf::from(args.next().ok_or("models dir")?);
    let repeat: usize = args.next().ok_or("repeat")?.parse()?;
    let analyser = FaceAnalyser::load(&models)?;
    println!(
        "{:<44} {:>5} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}",
        "image",
        "faces",
        "det p50",
        "det p99",
        "emb p50",
        "emb p99",
        "all p50",
        "all p99",
        "spf p50",
        "spf p99"
    );
    let mut all_p50 = Vec::new();
    let mut encoder_p50 = Vec::new();
    for path in args {
        let bytes = std::fs::read(&path)?;
        let image = DocumentImage::decode(&bytes)?;
        let rgb = image.rgb();
        // Warm-up: the first run pays for allocations and lazy set-up.
        let faces = analyser.detect(rgb, 0.6)?;
        let Some(face) = faces.first().cloned() else {
            println!("{path:<44} {:>5}", 0);
            continue;
        };
        let chip = align::chip(rgb, &face);
        analyser.encoder().encode(&chip)?;
        analyser.live_probability(rgb, &face)?;
        let (mut det, mut emb, mut all, mut enc) = (vec![], vec![], vec![], vec![]);
        let mut spoof = vec![];
        for _ in 0..repeat {
            let t0 = Instant::now();
            let faces = analyser.detect(rgb, 0.6)?;
            let t1 = Instant::now();
            analyser.describe(rgb, &faces[0])?;
            let t2 = Instant::now();
            analyser.encoder().encode(&chip)?;
            let t3 = Instant::now();
            analyser.live_probability(rgb, &faces[0])?;
            spoof.push(t3.elapsed().as_secs_f64() * 1e3);
            det.push((t1 - t0).as_secs_f64() * 1e3);
            emb.push((t2 - t1).as_secs_f64() * 1e3);
            all.push((t2 - t0).as_secs_f64() * 1e3);
            enc.push((t3 - t2).as_secs_f64() * 1e3);
        }
        let name = PathBuf::from(&path)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        println!(
            "{name:<44} {:>5} {:>9.1} {:>9.1} {:>9.1} {:>9.1} {:>9.1} {:>9.1} {:>9.1} {:>9.1}",
            faces.len(),
            percentile(&mut det, 50.0),
            percentile(&mut det, 99.0),
            percentile(&mut emb, 50.0),
            percentile(&mut emb, 99.0),
            percentile(&mut all, 50.0),
            percentile(&mut all, 99.0),
            percentile(&mut spoof, 50.0),
            percentile(&mut spoof, 99.0),
        );
        all_p50.push(percentile(&mut all, 50.0));
        encoder_p50.push(percentile(&mut enc, 50.0));
    }
    if !all_p50.is_empty() {
        let n = all_p50.len() as f64;
        let all = all_p50.iter().sum::<f64>() / n;
        let enc = encoder_p50.iter().sum::<f64>() / n;
        println!("mean of p50: detect+align+embed {all:.1} ms; encoder alone {enc:.1} ms");
        println!("rust_encoder_ms={enc:.2}");
    }
    Ok(())
}
