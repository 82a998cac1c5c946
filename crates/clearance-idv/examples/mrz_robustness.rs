//! Degrades the fixture MRZ images (rotation, blur, down-scaling, JPEG, noise,
//! upside down) and counts exact reads: the accuracy table in
//! `bench/documents/README.md`.
//!
//! `cargo run --release -p clearance-idv --example mrz_robustness -- MODELS_DIR FIXTURES_DIR`

use std::io::Cursor;
use std::path::Path;
use std::time::Instant;

use clearance_idv::{Date, DocumentImage, MrzReader};
use image::codecs::jpeg::JpegEncoder;
use image::imageops::{self, FilterType};
use image::{Rgb, RgbImage};

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
    Ok(())
}

fn scale(i: &RgbImage, f: f32) -> RgbImage {
    let w = ((i.width() as f32 * f) as u32).max(1);
    let h = ((i.height() as f32 * f) as u32).max(1);
    imageops::resize(i, w, h, FilterType::Triangle)
}

fn jpeg(i: &RgbImage, quality: u8) -> RgbImage {
    let mut buf = Vec::new();
    if JpegEncoder::new_with_quality(&mut Cursor::new(&mut buf), quality)
        .encode_image(i)
        .is_err()
    {
        return i.clone();
    }
    image::load_from_memory(&buf).map_or_else(|_| i.clone(), |d| d.into_rgb8())
}

fn noise(i: &RgbImage) -> RgbImage {
    // Deterministic xorshift noise.
    let mut state = 0x2545_f491_u32;
    let mut out = i.clone();
    for p in out.pixels_mut() {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let delta = (state % 81) as i16 - 40;
        for c in 0..3 {
            p[c] = (i16::from(p[c]) + delta).clamp(0, 255) as u8;
        }
    }
    out
}

/// Bilinear rotation about the centre onto a canvas of the same size, with
/// margins filled by the corner colour.
fn rotate(i: &RgbImage, degrees: f32) -> RgbImage {
    let (w, h) = i.dimensions();
    let pad = (w.max(h) as f32 * degrees.to_radians().sin().abs()) as u32 + 4;
    let bg = *i.get_pixel(0, 0);
    let mut canvas = RgbImage::from_pixel(w + 2 * pad, h + 2 * pad, bg);
    imageops::overlay(&mut canvas, i, i64::from(pad), i64::from(pad));
    let (cw, ch) = canvas.dimensions();
    let (cx, cy) = (cw as f32 / 2.0, ch as f32 / 2.0);
    let (s, c) = degrees.to_radians().sin_cos();
    RgbImage::from_fn(cw, ch, |x, y| {
        let (dx, dy) = (x as f32 - cx, y as f32 - cy);
        let sx = c * dx + s * dy + cx;
        let sy = -s * dx + c * dy + cy;
        if sx < 0.0 || sy < 0.0 || sx >= (cw - 1) as f32 || sy >= (ch - 1) as f32 {
            return bg;
        }
        let (x0, y0) = (sx.floor(), sy.floor());
        let (fx, fy) = (sx - x0, sy - y0);
        let px = |xx: f32, yy: f32| *canvas.get_pixel(xx as u32, yy as u32);
        let (a, b, cc, d) = (
            px(x0, y0),
            px(x0 + 1.0, y0),
            px(x0, y0 + 1.0),
            px(x0 + 1.0, y0 + 1.0),
        );
        let mix = |k: usize| {
            let top = f32::from(a[k]) * (1.0 - fx) + f32::from(b[k]) * fx;
            let bottom = f32::from(cc[k]) * (1.0 - fx) + f32::from(d[k]) * fx;
            (top * (1.0 - fy) + bottom * fy) as u8
        };
        Rgb([mix(0), mix(1), mix(2)])
    })
}
