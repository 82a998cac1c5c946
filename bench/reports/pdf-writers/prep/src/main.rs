//! Makes the two JPEG thumbnails used by every benchmark (run once, before the benches).
use image::{imageops::FilterType, ImageReader};
use std::fs::File;

fn save_jpeg(img: &image::DynamicImage, path: &str) {
    let mut f = File::create(path).unwrap();
    let enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut f, 80);
    img.to_rgb8().write_with_encoder(enc).unwrap();
    println!("{path}: {}x{} {} bytes", img.width(), img.height(), std::fs::metadata(path).unwrap().len());
}

fn main() {
    let src = std::env::args().nth(1).unwrap_or(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../../tests/fixtures/synthetic_passport_td3_specimen.jpg").into());
    let img = ImageReader::open(&src).unwrap().with_guessed_format().unwrap().decode().unwrap();
    println!("source {}x{}", img.width(), img.height());
    // Thumb 1: whole page at 400 px wide.
    let h = (img.height() as f32 * 400.0 / img.width() as f32).round() as u32;
    let t1 = img.resize_exact(400, h, FilterType::Triangle);
    save_jpeg(&t1, "assets/thumb_full.jpg");
    // Thumb 2: the bottom 30% (MRZ zone), 400 px wide.
    let y0 = img.height() * 7 / 10;
    let crop = img.crop_imm(0, y0, img.width(), img.height() - y0);
    let h2 = (crop.height() as f32 * 400.0 / crop.width() as f32).round() as u32;
    let t2 = crop.resize_exact(400, h2, FilterType::Triangle);
    save_jpeg(&t2, "assets/thumb_mrz.jpg");
}
