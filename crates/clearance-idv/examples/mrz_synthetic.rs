//! The synthetic MRZ set: random valid MRZs of every format rendered in OCR-B, each degraded at
//! random (rotation, down-scaling, blur, noise, JPEG), then read back with the MRZ reader. Counts
//! the images read exactly (every line equal to the rendered text after correction) and fails
//! when fewer than `--min-exact` are. The same seed always gives the same set.
//!
//! ```text
//! cargo run --release -p clearance-idv --example mrz_synthetic -- \
//!     [--count 200] [--seed 20261128] [--min-exact 0.95] [--models models/ocr] \
//!     [--font /usr/share/fonts/opentype/ocr-b/OCRB.otf] [--out DIR] [--threads N]
//! ```
//!
//! The font comes from Debian's `fonts-ocr-b` (public domain). `--out` also writes each image
//! and a `truth.tsv` (file, format, degradation, lines, read, whether every check digit passed)
//! for inspection.

#[path = "support/degrade.rs"]
mod degrade;

use std::path::{Path, PathBuf};
use std::time::Instant;

use ab_glyph::{Font, FontVec, PxScale, ScaleFont, point};
use clearance_idv::mrz::{MrzFields, render};
use clearance_idv::{Date, DocumentImage, MrzFormat, MrzReader};
use image::imageops;
use image::{Luma, Rgb, RgbImage};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

struct Args {
    count: usize,
    seed: u64,
    min_exact: f64,
    models: PathBuf,
    font: PathBuf,
    out: Option<PathBuf>,
    threads: usize,
}

fn parse_args() -> Result<Args, BoxError> {
    let mut args = Args {
        count: 200,
        seed: 20_261_128,
        min_exact: 0.95,
        models: PathBuf::from("models/ocr"),
        font: PathBuf::from("/usr/share/fonts/opentype/ocr-b/OCRB.otf"),
        out: None,
        threads: std::thread::available_parallelism().map_or(1, usize::from),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--count" => args.count = value.parse()?,
            "--seed" => args.seed = value.parse()?,
            "--min-exact" => args.min_exact = value.parse()?,
            "--models" => args.models = value.into(),
            "--font" => args.font = value.into(),
            "--out" => args.out = Some(value.into()),
            "--threads" => args.threads = value.parse::<usize>()?.max(1),
            _ => return Err(format!("unknown flag {flag}").into()),
        }
    }
    Ok(args)
}

/// SplitMix64: small, seedable, and the same everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.next() as usize % items.len()]
    }

    fn letters(&mut self, lo: u64, hi: u64) -> String {
        (0..self.range(lo, hi))
            .map(|_| char::from(b'A' + self.range(0, 25) as u8))
            .collect()
    }

    fn alphanumerics(&mut self, lo: u64, hi: u64) -> String {
        const SET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        (0..self.range(lo, hi))
            .map(|_| char::from(*self.pick(SET)))
            .collect()
    }

    fn date(&mut self, from_year: u64, to_year: u64) -> String {
        format!(
            "{:02}{:02}{:02}",
            self.range(from_year, to_year) % 100,
            self.range(1, 12),
            self.range(1, 28)
        )
    }
}

const STATES: &[&str] = &[
    "UTO", "GBR", "D", "FRA", "USA", "CAN", "NLD", "ESP", "ITA", "SWE", "JPN", "AUS", "IND", "BRA",
    "NGA", "ZAF", "CHE", "POL", "IRL", "MEX",
];

/// One random, valid MRZ: its format and lines.
fn random_mrz(rng: &mut Rng) -> Result<(MrzFormat, Vec<String>), BoxError> {
    let format = *rng.pick(&MrzFormat::ALL);
    let code = match format {
        MrzFormat::Td1 => *rng.pick(&["I", "ID", "AC"]),
        MrzFormat::Td2 => *rng.pick(&["I", "ID"]),
        MrzFormat::Td3 => "P",
        MrzFormat::MrvA | MrzFormat::MrvB => "V",
    };
    let state = (*rng.pick(STATES)).to_owned();
    let mut primary = rng.letters(3, 10);
    if rng.unit() < 0.2 {
        primary = format!("{primary} {}", rng.letters(3, 6));
    }
    let mut secondary = rng.letters(3, 8);
    if rng.unit() < 0.4 {
        secondary = format!("{secondary} {}", rng.letters(3, 6));
    }
    let document_number = if rng.unit() < 0.8 {
        rng.alphanumerics(9, 9)
    } else {
        rng.alphanumerics(6, 8)
    };
    let optional = match format {
        MrzFormat::Td3 if rng.unit() < 0.5 => rng.alphanumerics(6, 14),
        MrzFormat::Td1 if rng.unit() < 0.5 => rng.alphanumerics(1, 10),
        _ => String::new(),
    };
    let optional2 = match format {
        MrzFormat::Td1 if rng.unit() < 0.3 => rng.alphanumerics(1, 8),
        _ => String::new(),
    };
    let fields = MrzFields {
        document_code: code.to_owned(),
        nationality: if rng.unit() < 0.8 {
            state.clone()
        } else {
            (*rng.pick(STATES)).to_owned()
        },
        issuing_state: state,
        primary,
        secondary,
        document_number,
        birth: rng.date(1940, 2008),
        sex: *rng.pick(&['M', 'F', '<']),
        expiry: rng.date(2018, 2036),
        optional,
        optional2,
    };
    Ok((format, render(format, &fields)?))
}

/// Black OCR-B text on white at `px` pixels per em, with a margin.
fn draw(font: &FontVec, lines: &[String], px: f32) -> RgbImage {
    let scaled = font.as_scaled(PxScale::from(px));
    let pitch = scaled.h_advance(font.glyph_id('0'));
    let line_gap = px * 1.45;
    let margin = px * 1.2;
    let columns = lines.iter().map(String::len).max().unwrap_or(0) as f32;
    let width = (margin * 2.0 + pitch * columns).ceil() as u32;
    let height = (margin * 2.0 + line_gap * lines.len() as f32).ceil() as u32;
    let mut ink = image::GrayImage::from_pixel(width, height, Luma([0]));
    for (row, line) in lines.iter().enumerate() {
        let baseline = margin + line_gap * row as f32 + scaled.ascent();
        for (col, ch) in line.chars().enumerate() {
            let glyph = font
                .glyph_id(ch)
                .with_scale_and_position(px, point(margin + pitch * col as f32, baseline));
            if let Some(outline) = font.outline_glyph(glyph) {
                let bounds = outline.px_bounds();
                outline.draw(|x, y, coverage| {
                    let (gx, gy) = (
                        bounds.min.x as i64 + i64::from(x),
                        bounds.min.y as i64 + i64::from(y),
                    );
                    if gx >= 0 && gy >= 0 && (gx as u32) < width && (gy as u32) < height {
                        let p = ink.get_pixel_mut(gx as u32, gy as u32);
                        p[0] = p[0].max((coverage * 255.0) as u8);
                    }
                });
            }
        }
    }
    RgbImage::from_fn(width, height, |x, y| {
        let v = 255 - ink.get_pixel(x, y)[0];
        Rgb([v, v, v])
    })
}

/// Random degradations; returns the image and a description of what was done.
fn degrade(rng: &mut Rng, image: &RgbImage) -> (RgbImage, String) {
    let angle = (rng.unit() * 10.0 - 5.0) as f32;
    let factor = (0.45 + rng.unit() * 0.55) as f32;
    let sigma = (rng.unit() * 1.4) as f32;
    let amplitude = rng.range(0, 30) as u8;
    let quality = rng.range(30, 90) as u8;
    let seed = rng.next() as u32;
    let mut out = degrade::rotate(image, angle);
    out = degrade::scale(&out, factor);
    if sigma > 0.3 {
        out = imageops::blur(&out, sigma);
    }
    out = degrade::noise_with(&out, amplitude, seed);
    out = degrade::jpeg(&out, quality);
    let label = format!(
        "rotate {angle:+.1}° scale {factor:.2} blur {sigma:.2} noise ±{amplitude} jpeg {quality}"
    );
    (out, label)
}

struct Case {
    format: MrzFormat,
    lines: Vec<String>,
    image: RgbImage,
    label: String,
}

struct Outcome {
    exact: bool,
    /// Every check digit passed: a read that is valid but not exact is a silent error.
    valid: bool,
    read: Option<Vec<String>>,
    /// Lines read by glyph shape (the rest by the recogniser).
    by_glyph_shape: usize,
    ms: f64,
}

fn main() -> Result<(), BoxError> {
    let args = parse_args()?;
    let font_bytes = std::fs::read(&args.font).map_err(|e| {
        format!(
            "{}: {e} (install Debian's fonts-ocr-b, or pass --font)",
            args.font.display()
        )
    })?;
    let font = FontVec::try_from_vec(font_bytes)?;
    let reader = MrzReader::load(&args.models)?;
    let today = Date::new(2026, 11, 28).ok_or("date")?;

    let mut rng = Rng(args.seed);
    let mut cases = Vec::with_capacity(args.count);
    for _ in 0..args.count {
        let (format, lines) = random_mrz(&mut rng)?;
        let px = 30.0 + rng.unit() as f32 * 16.0;
        let clean = draw(&font, &lines, px);
        let (image, label) = degrade(&mut rng, &clean);
        cases.push(Case {
            format,
            lines,
            image,
            label,
        });
    }

    let started = Instant::now();
    let chunk = args.count.div_ceil(args.threads).max(1);
    let outcomes: Vec<Outcome> = std::thread::scope(|scope| {
        let handles: Vec<_> = cases
            .chunks(chunk)
            .map(|part| {
                let reader = &reader;
                scope.spawn(move || {
                    part.iter()
                        .map(|case| {
                            let t = Instant::now();
                            let image = DocumentImage::from_rgb(case.image.clone());
                            let reading = reader.read(&image, today).ok().flatten();
                            let valid = reading
                                .as_ref()
                                .is_some_and(|r| r.document.checksums_valid());
                            let by_glyph_shape =
                                reading.as_ref().map_or(0, |r| r.lines_by_glyph_shape);
                            let read = reading.map(|r| r.document.lines);
                            Outcome {
                                exact: read.as_ref() == Some(&case.lines),
                                valid,
                                read,
                                by_glyph_shape,
                                ms: t.elapsed().as_secs_f64() * 1000.0,
                            }
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });
    let wall = started.elapsed().as_secs_f64();

    if let Some(dir) = &args.out {
        write_set(dir, &cases, &outcomes)?;
    }
    println!("format\timages\texact");
    for format in MrzFormat::ALL {
        let of: Vec<&Outcome> = cases
            .iter()
            .zip(&outcomes)
            .filter(|(c, _)| c.format == format)
            .map(|(_, o)| o)
            .collect();
        let exact = of.iter().filter(|o| o.exact).count();
        println!("{format:?}\t{}\t{exact}", of.len());
    }
    let exact = outcomes.iter().filter(|o| o.exact).count();
    let rate = exact as f64 / args.count.max(1) as f64;
    let mut times: Vec<f64> = outcomes.iter().map(|o| o.ms).collect();
    times.sort_by(f64::total_cmp);
    let p50 = times.get(times.len() / 2).copied().unwrap_or(f64::NAN);
    println!(
        "exact {exact}/{} ({:.1} %), seed {}, {:.1} s on {} threads, p50 {p50:.0} ms per image",
        args.count,
        rate * 100.0,
        args.seed,
        wall,
        args.threads
    );
    let silent = outcomes.iter().filter(|o| o.valid && !o.exact).count();
    println!(
        "misread with every check digit passing (silent errors): {silent}/{}",
        args.count
    );
    let all_by_shape = cases
        .iter()
        .zip(&outcomes)
        .filter(|(c, o)| o.by_glyph_shape == c.lines.len())
        .count();
    let partly = outcomes.iter().filter(|o| o.by_glyph_shape > 0).count() - all_by_shape;
    println!(
        "read by glyph shape alone: {all_by_shape}/{n}; check-digited lines by glyph shape, names \
         by the recogniser: {partly}/{n}; by the recogniser: {}/{n}",
        args.count - all_by_shape - partly,
        n = args.count
    );
    for (case, outcome) in cases.iter().zip(&outcomes).filter(|(_, o)| !o.exact) {
        println!(
            "missed: {:?}, {}: {}",
            case.format,
            case.label,
            if outcome.read.is_some() {
                "misread"
            } else {
                "no MRZ found"
            }
        );
    }
    if rate < args.min_exact {
        return Err(format!(
            "{:.1} % read exactly, below the required {:.1} %",
            rate * 100.0,
            args.min_exact * 100.0
        )
        .into());
    }
    Ok(())
}

/// Writes the images and `truth.tsv` into `dir`.
fn write_set(dir: &Path, cases: &[Case], outcomes: &[Outcome]) -> Result<(), BoxError> {
    std::fs::create_dir_all(dir)?;
    let mut truth = String::from("file\tformat\tdegradation\tlines\tread\tchecks\n");
    for (i, (case, outcome)) in cases.iter().zip(outcomes).enumerate() {
        let file = format!("mrz_{i:04}.png");
        case.image.save(dir.join(&file))?;
        let read = outcome
            .read
            .as_ref()
            .map_or_else(|| "-".to_owned(), |l| l.join("|"));
        truth.push_str(&format!(
            "{file}\t{:?}\t{}\t{}\t{read}\t{}\n",
            case.format,
            case.label,
            case.lines.join("|"),
            if outcome.valid { "pass" } else { "fail" }
        ));
    }
    std::fs::write(dir.join("truth.tsv"), truth)?;
    Ok(())
}
