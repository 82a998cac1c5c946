#[path = "../../common/doc.rs"]
mod doc;

use doc::{Cmd, PAGE_H, PAGE_W};
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Size, Transform};
use krilla::image::Image;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::{Font, TextDirection};
use krilla::{Data, Document};
use std::sync::Arc;

fn build(regular: &Font, bold: &Font, jpegs: &[Data; 2], pages: &[Vec<Cmd>]) -> Vec<u8> {
    let mut document = Document::new();
    for cmds in pages {
        let mut page = document.start_page_with(PageSettings::from_wh(PAGE_W, PAGE_H).unwrap());
        let mut surface = page.surface(); // krilla: origin top-left, y down
        for c in cmds {
            match c {
                Cmd::Text { x, y, size, bold: b, text } => {
                    surface.set_fill(Some(Fill { paint: rgb::Color::new(0, 0, 0).into(), ..Default::default() }));
                    surface.set_stroke(None);
                    let font = if *b { bold } else { regular };
                    surface.draw_text(Point::from_xy(*x, *y), font.clone(), *size, text, false, TextDirection::Auto);
                }
                Cmd::Line { x1, y1, x2, y2, width } => {
                    let mut pb = PathBuilder::new();
                    pb.move_to(*x1, *y1);
                    pb.line_to(*x2, *y2);
                    surface.set_fill(None);
                    surface.set_stroke(Some(Stroke { paint: rgb::Color::new(0x55, 0x55, 0x55).into(), width: *width, ..Default::default() }));
                    surface.draw_path(&pb.finish().unwrap());
                }
                Cmd::Image { idx, x, y, w, h } => {
                    // from_jpeg only reads the header; the JPEG bytes are embedded as DCTDecode.
                    let img = Image::from_jpeg(jpegs[*idx].clone(), true).unwrap();
                    surface.push_transform(&Transform::from_translate(*x, *y));
                    surface.draw_image(img, Size::from_wh(*w, *h).unwrap());
                    surface.pop();
                }
            }
        }
        surface.finish();
        page.finish();
    }
    document.finish().unwrap()
}

fn main() {
    let inp = doc::load_inputs();
    let pages = doc::pages(inp.img_px);
    let reg_data: Data = Arc::new(inp.regular.clone()).into();
    let bold_data: Data = Arc::new(inp.bold.clone()).into();
    let jpegs: [Data; 2] = [Arc::new(inp.jpegs[0].clone()).into(), Arc::new(inp.jpegs[1].clone()).into()];

    // One-off cost of turning font bytes into a font handle (a server would cache these).
    let t0 = std::time::Instant::now();
    for _ in 0..20 {
        std::hint::black_box(Font::new(reg_data.clone(), 0).unwrap());
    }
    println!("krilla: font load from bytes {:.3} ms", t0.elapsed().as_secs_f64() * 1e3 / 20.0);

    let regular = Font::new(reg_data, 0).unwrap();
    let bold = Font::new(bold_data, 0).unwrap();
    doc::bench("krilla", || build(&regular, &bold, &jpegs, &pages));
}
