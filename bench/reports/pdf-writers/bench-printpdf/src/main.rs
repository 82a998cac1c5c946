#[path = "../../common/doc.rs"]
mod doc;

use doc::{Cmd, PAGE_H};
use printpdf::*;
use std::collections::BTreeMap;

/// printpdf's RawImage path decodes to pixels and re-encodes; to embed the JPEG bytes
/// untouched we hand it a ready-made Image XObject stream with /Filter /DCTDecode.
fn jpeg_xobject(jpeg: &[u8], (w, h): (u32, u32)) -> ExternalXObject {
    let n = |s: &str| DictItem::Name(s.as_bytes().to_vec());
    let mut dict = BTreeMap::new();
    dict.insert("Type".to_string(), n("XObject"));
    dict.insert("Subtype".to_string(), n("Image"));
    dict.insert("Width".to_string(), DictItem::Int(w as i64));
    dict.insert("Height".to_string(), DictItem::Int(h as i64));
    dict.insert("ColorSpace".to_string(), n("DeviceRGB"));
    dict.insert("BitsPerComponent".to_string(), DictItem::Int(8));
    dict.insert("Filter".to_string(), n("DCTDecode"));
    ExternalXObject {
        stream: ExternalStream { dict, content: jpeg.to_vec(), compress: false },
        width: None,
        height: None,
        dpi: None,
    }
}

fn build(regular: &ParsedFont, bold: &ParsedFont, jpegs: &[Vec<u8>; 2], img_px: [(u32, u32); 2], pages: &[Vec<Cmd>]) -> Vec<u8> {
    let mut doc = PdfDocument::new("KYC report");
    let reg_id = doc.add_font(regular);
    let bold_id = doc.add_font(bold);
    let img_ids = [doc.add_xobject(&jpeg_xobject(&jpegs[0], img_px[0])), doc.add_xobject(&jpeg_xobject(&jpegs[1], img_px[1]))];
    let mut out_pages = Vec::new();
    for cmds in pages {
        let mut ops = Vec::new();
        for c in cmds {
            match c {
                Cmd::Text { x, y, size, bold: b, text } => {
                    let id = if *b { bold_id.clone() } else { reg_id.clone() };
                    ops.push(Op::StartTextSection);
                    ops.push(Op::SetFont { font: PdfFontHandle::External(id), size: Pt(*size) });
                    ops.push(Op::SetTextCursor { pos: Point { x: Pt(*x), y: Pt(PAGE_H - *y) } });
                    ops.push(Op::ShowText { items: vec![TextItem::Text(text.clone())] });
                    ops.push(Op::EndTextSection);
                }
                Cmd::Line { x1, y1, x2, y2, width } => {
                    ops.push(Op::SetOutlineColor { col: Color::Rgb(Rgb { r: 0.33, g: 0.33, b: 0.33, icc_profile: None }) });
                    ops.push(Op::SetOutlineThickness { pt: Pt(*width) });
                    let p = |x: f32, y: f32| LinePoint { p: Point { x: Pt(x), y: Pt(PAGE_H - y) }, bezier: false };
                    ops.push(Op::DrawLine { line: Line { points: vec![p(*x1, *y1), p(*x2, *y2)], is_closed: false } });
                }
                Cmd::Image { idx, x, y, w, h } => {
                    ops.push(Op::UseXobject {
                        id: img_ids[*idx].clone(),
                        transform: XObjectTransform {
                            translate_x: Some(Pt(*x)),
                            translate_y: Some(Pt(PAGE_H - *y - *h)),
                            scale_x: Some(*w),
                            scale_y: Some(*h),
                            no_auto_scale: true,
                            ..Default::default()
                        },
                    });
                }
            }
        }
        out_pages.push(PdfPage::new(Mm(210.0), Mm(297.0), ops));
    }
    let mut warnings = Vec::new();
    doc.with_pages(out_pages).save(&PdfSaveOptions::default(), &mut warnings)
}

fn main() {
    let inp = doc::load_inputs();
    let pages = doc::pages(inp.img_px);
    let t0 = std::time::Instant::now();
    for _ in 0..5 {
        std::hint::black_box(ParsedFont::from_bytes(&inp.regular, 0, &mut Vec::new()).unwrap());
    }
    println!("printpdf: font load from bytes {:.3} ms", t0.elapsed().as_secs_f64() * 1e3 / 5.0);
    let regular = ParsedFont::from_bytes(&inp.regular, 0, &mut Vec::new()).unwrap();
    let bold = ParsedFont::from_bytes(&inp.bold, 0, &mut Vec::new()).unwrap();
    doc::bench(if cfg!(feature = "subset") { "printpdf-subset" } else { "printpdf" }, || build(&regular, &bold, &inp.jpegs, inp.img_px, &pages));
}
