//! Detects and describes the faces of the images given, prints every pair's distance, and
//! writes each face's aligned chip next to `--chips DIR` when asked.
//!
//! `cargo run --release -p clearance-idv --features faces --example face_probe -- [--chips DIR] IMAGE…`

use std::path::PathBuf;
use std::time::Instant;

use clearance_idv::DocumentImage;
use clearance_idv::face::{AntiSpoof, Descriptor, FaceAnalyser, align, spoof};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let chips = match args.iter().position(|a| a == "--chips") {
        Some(i) => {
            let dir = PathBuf::from(args.remove(i + 1));
            args.remove(i);
            Some(dir)
        }
        None => None,
    };
    let models = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../models/face"));
    let analyser = FaceAnalyser::load(&models)?;
    let anti_spoof = AntiSpoof::load(&models)?;
    let mut described: Vec<(String, Descriptor)> = Vec::new();
    for path in &args {
        let bytes = std::fs::read(path)?;
        let image = DocumentImage::decode(&bytes)?;
        let started = Instant::now();
        let faces = analyser.detect(image.rgb(), 0.5)?;
        let detect_ms = started.elapsed().as_secs_f64() * 1e3;
        let lines = clearance_idv::ocr::printed_line_count(&image.gray());
        println!(
            "{path}: {} face(s) in {detect_ms:.1} ms, {lines} printed lines",
            faces.len()
        );
        for (i, face) in faces.iter().enumerate() {
            let started = Instant::now();
            let descriptor = analyser.describe(image.rgb(), face)?;
            let ms = started.elapsed().as_secs_f64() * 1e3;
            println!(
                "  #{i} score {:.3} box {:?} eyes {:.0} px, described in {ms:.1} ms",
                face.score,
                face.bbox.map(|v| v.round()),
                face.eye_distance()
            );
            let pose = face.pose();
            println!(
                "    pose yaw {:.3} pitch {:.3} mouth {:.3}; landmarks {:?}",
                pose.yaw,
                pose.pitch,
                pose.mouth_width,
                face.landmarks.map(|p| (p.x.round(), p.y.round()))
            );
            let age = analyser.estimate_age(image.rgb(), face)?;
            println!("    age {age:.1}");
            let started = Instant::now();
            let live = anti_spoof.live_probability(image.rgb(), face)?;
            let ms = started.elapsed().as_secs_f64() * 1e3;
            println!("    live {live:.3} ({ms:.1} ms)");
            if let Some(dir) = &chips {
                let stem2 = PathBuf::from(path);
                let stem2 = stem2.file_stem().and_then(|s| s.to_str()).unwrap_or("face");
                clearance_idv::face::age::crop(image.rgb(), face)
                    .save(dir.join(format!("age_{stem2}-{i}.png")))?;
                let stem = PathBuf::from(path);
                let stem = stem.file_stem().and_then(|s| s.to_str()).unwrap_or("face");
                align::chip(image.rgb(), face).save(dir.join(format!("{stem}-{i}.png")))?;
                for (_, scale) in anti_spoof.nets() {
                    spoof::crop(image.rgb(), face, scale)
                        .save(dir.join(format!("spoof_{stem}-{i}_{scale}.png")))?;
                }
            }
            described.push((format!("{path}#{i}"), descriptor));
        }
    }
    for (i, (a, da)) in described.iter().enumerate() {
        for (b, db) in &described[i + 1..] {
            println!("{:.3}  {a}  {b}", da.distance(db));
        }
    }
    Ok(())
}
