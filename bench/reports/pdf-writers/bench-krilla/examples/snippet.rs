//! The minimal krilla recipe quoted in ADR 0005 (compiles and runs: `cargo run --release -p bench-krilla --example snippet`).
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Size, Transform};
use krilla::image::Image;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::{Font, TextDirection};
use krilla::{Data, Document};
use std::sync::Arc;

fn report(ttf: Vec<u8>, jpeg: Vec<u8>) -> Vec<u8> {
    let font = Font::new(Data::from(Arc::new(ttf)), 0).expect("bad TTF"); // TTF from bytes
    let mut doc = Document::new();
    let mut page = doc.start_page_with(PageSettings::from_wh(595.276, 841.89).unwrap()); // A4, pt
    let mut s = page.surface(); // origin top-left, y grows down
    s.set_fill(Some(Fill { paint: rgb::Color::new(0, 0, 0).into(), ..Default::default() }));
    s.draw_text(Point::from_xy(50.0, 60.0), font.clone(), 10.0, "محمد بن سلمان", false, TextDirection::Auto); // y = baseline
    let mut pb = PathBuilder::new();
    pb.move_to(50.0, 88.0);
    pb.line_to(545.0, 88.0);
    s.set_fill(None);
    s.set_stroke(Some(Stroke { paint: rgb::Color::new(85, 85, 85).into(), width: 0.8, ..Default::default() }));
    s.draw_path(&pb.finish().unwrap());
    let img = Image::from_jpeg(Data::from(Arc::new(jpeg)), true).expect("bad JPEG"); // embedded as DCTDecode
    s.push_transform(&Transform::from_translate(365.0, 100.0)); // rect's top-left corner
    s.draw_image(img, Size::from_wh(180.0, 127.0).unwrap()); // rect's size
    s.pop();
    s.finish();
    page.finish();
    doc.finish().expect("pdf") // KrillaResult<Vec<u8>>
}

fn main() {
    let ttf = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../../crates/clearance-reports/fonts/DejaVuSans.ttf")).unwrap();
    let jpeg = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../assets/thumb_full.jpg")).unwrap();
    let pdf = report(ttf, jpeg);
    std::fs::write(concat!(env!("CARGO_MANIFEST_DIR"), "/../out/snippet.pdf"), &pdf).unwrap();
    println!("snippet.pdf: {} bytes", pdf.len());
}
