//! Degrades the fixture MRZ images (rotation, blur, down-scaling, JPEG, noise,
//! upside down) and counts exact reads: the accuracy table in
//! `bench/documents/README.md`.
//!
//! `cargo run --release -p clearance-idv --example mrz_robustness -- MODELS_DIR FIXTURES_DIR`

#[path = "support/degrade.rs"]
mod degrade;

use std::path::Path;
use std::time::Instant;

use clearance_idv::{Date, DocumentImage, MrzReader};
use degrade::{jpeg, noise, on_table, rotate, scale};
use image::RgbImage;
use image::imageops;

type Degrade = fn(&RgbImage) -> RgbImage;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let models = args
        .next()
        .ok_or("usage: mrz_robustness MODELS_DIR FIXTURES_DIR")?;
    let fixtures = args
        .next()
        .ok_or("usage: mrz_robustness MODELS_DIR FIXTURES_DIR")?;
    let reader = MrzReader::load(Path::new(&models))?;
    let today = Date::new(2026, 11, 28).ok_or("date")?;
    let truth = std::fs::read_to_string(Path::new(&fixtures).join("mrz_specimens.txt"))?;
    let mut cases: Vec<(String, Vec<String>)> = Vec::new();
    for block in truth.split("# ").filter(|b| !b.trim().is_empty()) {
        let mut lines = block.lines();
        let name = lines.next().unwrap_or_default().trim().to_owned();
        cases.push((
            name,
            lines
                .filter(|l| !l.trim().is_empty())
                .map(str::to_owned)
                .collect(),
        ));
    }
    let degradations: [(&str, Degrade); 15] = [
        ("none", |i| i.clone()),
        ("rotate +2.5deg", |i| rotate(i, 2.5)),
        ("rotate -4deg", |i| rotate(i, -4.0)),
        ("blur sigma 1.5", |i| imageops::blur(i, 1.5)),
        ("scale 0.5", |i| scale(i, 0.5)),
        ("scale 0.35", |i| scale(i, 0.35)),
        ("jpeg q30", |i| jpeg(i, 30)),
        ("noise +-40", noise),
        ("upside down", |i| imageops::rotate180(i)),
        ("blur sigma 2.5", |i| imageops::blur(i, 2.5)),
        ("scale 0.25", |i| scale(i, 0.25)),
        ("jpeg q10", |i| jpeg(i, 10)),
        ("rotate 7deg", |i| rotate(i, 7.0)),
        ("rotate -10deg", |i| rotate(i, -10.0)),
        ("rot 3 + blur 1.2 + scale 0.6 + jpeg 40", |i| {
            jpeg(&scale(&imageops::blur(&rotate(i, 3.0), 1.2), 0.6), 40)
        }),
    ];
    println!("degradation\texact\tchecks_valid\tms_per_image");
    for (label, degrade) in degradations {
        let (mut exact, mut valid, mut total_ms) = (0, 0, 0.0);
        for (name, lines) in &cases {
            let bytes = std::fs::read(Path::new(&fixtures).join(format!("mrz_{name}.png")))?;
            let img = DocumentImage::decode(&bytes)?;
            let degraded = DocumentImage::from_rgb(degrade(img.rgb()));
            let t = Instant::now();
            let reading = reader.read(&degraded, today)?;
            total_ms += t.elapsed().as_secs_f64() * 1000.0;
            if let Some(r) = reading {
                exact += usize::from(&r.document.lines == lines);
                valid += usize::from(r.document.checksums_valid());
            }
        }
        let n = cases.len();
        println!(
            "{label}\t{exact}/{n}\t{valid}/{n}\t{:.0}",
            total_ms / n as f64
        );
    }
    // The specimen passport page photographed as end users do (issue #23): on a table, turned,
    // sideways. Exact means the same lines as the flat page gives.
    let page = DocumentImage::decode(&std::fs::read(
        Path::new(&fixtures).join("synthetic_passport_td3_specimen.jpg"),
    )?)?;
    let flat = reader
        .read(&page, today)?
        .ok_or("the flat specimen page reads")?
        .document
        .lines;
    let photos: [(&str, Degrade); 9] = [
        ("page: flat", |i| i.clone()),
        ("page: on a table, +2deg", |i| on_table(i, 2.0)),
        ("page: on a table, -5deg", |i| on_table(i, -5.0)),
        ("page: on a table, +10deg", |i| on_table(i, 10.0)),
        ("page: sideways (90deg)", |i| imageops::rotate90(i)),
        ("page: sideways (270deg)", |i| imageops::rotate270(i)),
        ("page: upside down", |i| imageops::rotate180(i)),
        ("page: on a table, 90deg + 4deg", |i| {
            imageops::rotate90(&on_table(i, 4.0))
        }),
        ("page: on a table, 5deg + blur 1.2 + jpeg 60", |i| {
            jpeg(&imageops::blur(&on_table(i, 5.0), 1.2), 60)
        }),
    ];
    println!("photo\texact\tchecks_valid\tms");
    for (label, degrade) in photos {
        let photo = DocumentImage::from_rgb(degrade(page.rgb()));
        let t = Instant::now();
        let reading = reader.read(&photo, today)?;
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        let (exact, valid) = reading.map_or((false, false), |r| {
            (r.document.lines == flat, r.document.checksums_valid())
        });
        println!("{label}\t{}\t{}\t{ms:.0}", u8::from(exact), u8::from(valid));
    }
    Ok(())
}
