//! Low-level candidate: pdf-writer (objects) + subsetter (font subset) + ttf-parser (cmap,
//! advances) + miniz_oxide (Flate). No shaping: one glyph per char via the cmap.
#[path = "../../common/doc.rs"]
mod doc;

use doc::{Cmd, PAGE_H, PAGE_W};
use miniz_oxide::deflate::compress_to_vec_zlib;
use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str};
use subsetter::GlyphRemapper;

struct FontState<'a> {
    face: ttf_parser::Face<'a>,
    data: &'a [u8],
    remap: GlyphRemapper,
    // new gid -> char (for ToUnicode), indexed by new gid
    chars: Vec<Option<char>>,
}

impl<'a> FontState<'a> {
    fn new(data: &'a [u8]) -> Self {
        let mut remap = GlyphRemapper::new(); // gid 0 (.notdef) -> 0
        remap.remap(0);
        FontState { face: ttf_parser::Face::parse(data, 0).unwrap(), data, remap, chars: vec![None] }
    }
    /// Returns the 2-byte CID string (Identity-H) for `text`, with subset gids.
    fn encode(&mut self, text: &str) -> Vec<u8> {
        let mut out = Vec::with_capacity(text.len() * 2);
        for c in text.chars() {
            let gid = self.face.glyph_index(c).map(|g| g.0).unwrap_or(0);
            let new = self.remap.remap(gid);
            if new as usize >= self.chars.len() {
                self.chars.resize(new as usize + 1, None);
            }
            self.chars[new as usize].get_or_insert(c);
            out.extend_from_slice(&new.to_be_bytes());
        }
        out
    }
}

fn write_font(pdf: &mut Pdf, alloc: &mut Ref, type0: Ref, fs: &FontState, tag: &str) {
    let cid = alloc.bump();
    let desc = alloc.bump();
    let file = alloc.bump();
    let cmap_ref = alloc.bump();
    let ps = fs
        .face
        .names()
        .into_iter()
        .filter(|n| n.name_id == ttf_parser::name_id::POST_SCRIPT_NAME)
        .find_map(|n| n.to_string().or_else(|| std::str::from_utf8(n.name).ok().map(String::from)))
        .unwrap_or("Font".into());
    let base = format!("{tag}+{ps}");
    let units = fs.face.units_per_em() as f32;
    let to_pdf = |v: f32| v * 1000.0 / units;

    pdf.type0_font(type0)
        .base_font(Name(base.as_bytes()))
        .encoding_predefined(Name(b"Identity-H"))
        .descendant_font(cid)
        .to_unicode(cmap_ref);

    let sys = SystemInfo { registry: Str(b"Adobe"), ordering: Str(b"Identity"), supplement: 0 };
    let widths: Vec<f32> = fs
        .remap
        .remapped_gids()
        .map(|old| to_pdf(fs.face.glyph_hor_advance(ttf_parser::GlyphId(old)).unwrap_or(0) as f32))
        .collect();
    let mut c = pdf.cid_font(cid);
    c.subtype(CidFontType::Type2).base_font(Name(base.as_bytes())).system_info(sys).font_descriptor(desc);
    c.cid_to_gid_map_predefined(Name(b"Identity"));
    c.widths().consecutive(0, widths);
    c.finish();

    let bb = fs.face.global_bounding_box();
    pdf.font_descriptor(desc)
        .name(Name(base.as_bytes()))
        .flags(FontFlags::NON_SYMBOLIC)
        .bbox(Rect::new(to_pdf(bb.x_min as f32), to_pdf(bb.y_min as f32), to_pdf(bb.x_max as f32), to_pdf(bb.y_max as f32)))
        .italic_angle(0.0)
        .ascent(to_pdf(fs.face.ascender() as f32))
        .descent(to_pdf(fs.face.descender() as f32))
        .cap_height(to_pdf(fs.face.capital_height().unwrap_or(700) as f32))
        .stem_v(80.0)
        .font_file2(file);

    let sub = subsetter::subset(fs.data, 0, &fs.remap).unwrap();
    let z = compress_to_vec_zlib(&sub, 6);
    pdf.stream(file, &z).filter(Filter::FlateDecode).pair(Name(b"Length1"), sub.len() as i32);

    let mut cmap = UnicodeCmap::new(Name(b"Custom"), sys);
    for (g, ch) in fs.chars.iter().enumerate() {
        if let Some(ch) = ch {
            cmap.pair(g as u16, *ch);
        }
    }
    pdf.cmap(cmap_ref, &cmap.finish());
}

fn build(regular: &[u8], bold: &[u8], jpegs: &[Vec<u8>; 2], img_px: [(u32, u32); 2], pages: &[Vec<Cmd>]) -> Vec<u8> {
    let mut pdf = Pdf::new();
    let mut alloc = Ref::new(1);
    let catalog = alloc.bump();
    let tree = alloc.bump();
    let f_reg = alloc.bump();
    let f_bold = alloc.bump();
    let imgs = [alloc.bump(), alloc.bump()];
    let mut fonts = [FontState::new(regular), FontState::new(bold)];

    let mut page_ids = Vec::new();
    for cmds in pages {
        let page_id = alloc.bump();
        let content_id = alloc.bump();
        page_ids.push(page_id);
        let mut content = Content::new();
        content.set_stroke_rgb(0.33, 0.33, 0.33);
        for c in cmds {
            match c {
                Cmd::Text { x, y, size, bold: b, text } => {
                    let fi = *b as usize;
                    let bytes = fonts[fi].encode(text);
                    let t = content.begin_text();
                    t.set_font(Name(if *b { b"F2" } else { b"F1" }), *size);
                    t.next_line(*x, PAGE_H - *y);
                    t.show(Str(&bytes));
                    t.end_text();
                    let _ = fi;
                }
                Cmd::Line { x1, y1, x2, y2, width } => {
                    content.set_line_width(*width);
                    content.move_to(*x1, PAGE_H - *y1).line_to(*x2, PAGE_H - *y2).stroke();
                }
                Cmd::Image { idx, x, y, w, h } => {
                    content.save_state();
                    content.transform([*w, 0.0, 0.0, *h, *x, PAGE_H - *y - *h]);
                    content.x_object(Name(if *idx == 0 { b"Im1" } else { b"Im2" }));
                    content.restore_state();
                }
            }
        }
        let z = compress_to_vec_zlib(&content.finish(), 6);
        pdf.stream(content_id, &z).filter(Filter::FlateDecode);
        let mut page = pdf.page(page_id);
        page.media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H)).parent(tree).contents(content_id);
        let mut res = page.resources();
        res.fonts().pair(Name(b"F1"), f_reg).pair(Name(b"F2"), f_bold);
        res.x_objects().pair(Name(b"Im1"), imgs[0]).pair(Name(b"Im2"), imgs[1]);
        res.finish();
        page.finish();
    }
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree).kids(page_ids.iter().copied()).count(page_ids.len() as i32);

    for i in 0..2 {
        let mut im = pdf.image_xobject(imgs[i], &jpegs[i]); // JPEG bytes as-is
        im.filter(Filter::DctDecode);
        im.width(img_px[i].0 as i32).height(img_px[i].1 as i32);
        im.color_space().device_rgb();
        im.bits_per_component(8);
    }
    let [reg, bld] = &fonts;
    write_font(&mut pdf, &mut alloc, f_reg, reg, "AAAAAA");
    write_font(&mut pdf, &mut alloc, f_bold, bld, "AAAAAB");
    let _ = &mut fonts;
    pdf.finish()
}

fn main() {
    let inp = doc::load_inputs();
    let pages = doc::pages(inp.img_px);
    doc::bench("pdf-writer", || build(&inp.regular, &inp.bold, &inp.jpegs, inp.img_px, &pages));
}
