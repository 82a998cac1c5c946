//! Reads the MRZ and then the rest of the page of each image given, and prints the time each
//! step took and how many text regions were read.
//!
//! `cargo run --release -p clearance-idv --example read_page -- MODELS_DIR [--show-text] IMAGE...`
//! Prints no document text unless `--show-text` is given (use on specimens only).

use std::path::Path;
use std::time::Instant;

use clearance_idv::visual_zone::compare;
use clearance_idv::{Date, DocumentImage, MrzReader};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let models = args
        .next()
        .ok_or("usage: read_page MODELS_DIR [--show-text] IMAGE...")?;
    let mut show = false;
    let mut images = Vec::new();
    for a in args {
        match a.as_str() {
            "--show-text" => show = true,
            _ => images.push(a),
        }
    }
    let today = Date::new(2026, 11, 28).ok_or("bad date")?;
    let reader = MrzReader::load(Path::new(&models))?;
    for path in images {
        let image = DocumentImage::decode(&std::fs::read(&path)?)?;
        let t = Instant::now();
        let mrz = reader.read(&image, today)?;
        let mrz_ms = t.elapsed().as_secs_f64() * 1000.0;
        let t = Instant::now();
        let lines = match &mrz {
            Some(r) => {
                let doc = &r.document;
                reader.read_page_text(&image, Some(r), &mut |lines| {
                    compare(doc, &[lines], today).complete()
                })?
            }
            None => reader.read_page_text(&image, None, &mut |_| false)?,
        };
        let page_ms = t.elapsed().as_secs_f64() * 1000.0;
        println!(
            "{path}: mrz {} in {mrz_ms:.0} ms; {} text regions in {page_ms:.0} ms",
            if mrz.is_some() { "read" } else { "not found" },
            lines.len()
        );
        if let Some(r) = &mrz {
            println!("  {:?}", compare(&r.document, &[&lines], today));
        }
        if show {
            for l in &lines {
                println!(
                    "  {:>4},{:>4} {:>4}x{:<3} {:.3} {}",
                    l.x0,
                    l.y0,
                    l.x1 - l.x0,
                    l.y1 - l.y0,
                    l.confidence,
                    l.text
                );
            }
        }
    }
    Ok(())
}
