//! The three page designs, as drawing operations on an A4 page (points, `y` down, text `y` is
//! the baseline), and their painting into a PDF with krilla.

use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect, Size};
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke, StrokeDash};
use krilla::text::{Font, TextDirection};

use crate::content::{Content, date};
use crate::{GenError, Truth};

pub(crate) const PAGE_W: f32 = 595.28;
pub(crate) const PAGE_H: f32 = 841.89;
pub(crate) const LAYOUTS: [&str; 3] = ["classic", "banded", "slip"];

/// Each design is set in its own family (regular, bold): bills come in many typefaces, and a
/// reader tuned on one would not be tested by the others.
static FAMILIES: [(&[u8], &[u8]); 3] = [
    (
        include_bytes!("../fonts/DejaVuSerif.ttf"),
        include_bytes!("../fonts/DejaVuSerif-Bold.ttf"),
    ),
    (
        include_bytes!("../../clearance-reports/fonts/DejaVuSans.ttf"),
        include_bytes!("../../clearance-reports/fonts/DejaVuSans-Bold.ttf"),
    ),
    (
        include_bytes!("../fonts/DejaVuSansCondensed.ttf"),
        include_bytes!("../fonts/DejaVuSansCondensed-Bold.ttf"),
    ),
];

type Rgb = [u8; 3];
const INK: Rgb = [20, 20, 20];
const GREY: Rgb = [95, 95, 95];
const PALE: Rgb = [238, 240, 242];
const WHITE: Rgb = [255, 255, 255];

/// Size in points, bold, colour.
#[derive(Clone, Copy)]
struct Pen(f32, bool, Rgb);
const SMALL: Pen = Pen(9.0, false, GREY);
const BODY: Pen = Pen(10.0, false, INK);
const STRONG: Pen = Pen(10.0, true, INK);

enum Op {
    Text(f32, f32, Pen, String),
    Rect(f32, f32, f32, f32, Rgb),
    /// A horizontal rule from `x1` to `x2` at `y`: width, colour, dashed.
    Rule(f32, f32, f32, f32, Rgb, bool),
}

/// The drawing operations and the design's font family (an index into [`FAMILIES`]).
#[derive(Default)]
pub(crate) struct Page(Vec<Op>, usize);

impl Page {
    fn text(&mut self, x: f32, y: f32, pen: Pen, text: &str) {
        self.0.push(Op::Text(x, y, pen, text.into()));
    }
    /// Text ending at `x`.
    fn right(&mut self, x: f32, y: f32, pen: Pen, text: &str) {
        self.text(x - width(text, pen), y, pen, text);
    }
    fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, rgb: Rgb) {
        self.0.push(Op::Rect(x, y, w, h, rgb));
    }
    fn rule(&mut self, x1: f32, x2: f32, y: f32, width: f32, rgb: Rgb) {
        self.0.push(Op::Rule(x1, x2, y, width, rgb, false));
    }
    /// `text` wrapped to `w` from baseline `y`; returns the next baseline.
    fn para(&mut self, x: f32, mut y: f32, w: f32, pen: Pen, text: &str) -> f32 {
        let mut line = String::new();
        for word in text.split(' ') {
            let longer = format!("{line} {word}");
            if !line.is_empty() && width(&longer, pen) > w {
                self.text(x, y, pen, &line);
                (line, y) = (word.into(), y + pen.0 * 1.3);
            } else {
                line = longer.trim_start().into();
            }
        }
        self.text(x, y, pen, &line);
        y + pen.0 * 1.3
    }
}

/// DejaVu Sans advance widths, close enough to right-align amounts (digits are exact).
fn width(text: &str, pen: Pen) -> f32 {
    let em: f32 = text
        .chars()
        .map(|c| match c {
            '0'..='9' | '£' => 0.636,
            '.' | ',' | ' ' | ':' => 0.32,
            '-' => 0.361,
            'A'..='Z' => 0.70,
            'i' | 'l' | 'j' => 0.28,
            'm' | 'w' => 0.93,
            _ => 0.58,
        })
        .sum();
    em * pen.0 * if pen.1 { 1.1 } else { 1.0 }
}

/// The holder's name and address as in an envelope's window.
fn address(truth: &Truth, town_with_postcode: bool, upper: bool) -> Vec<String> {
    let mut lines = vec![format!("{} {}", truth.property_number, truth.street)];
    if town_with_postcode {
        lines.push(format!("{} {}", truth.city, truth.postal_code));
    } else {
        lines.extend([truth.city.clone(), truth.postal_code.clone()]);
    }
    if upper {
        lines.iter_mut().for_each(|l| *l = l.to_uppercase());
    }
    lines.insert(0, truth.holder.clone());
    lines
}

/// The charges or transactions, then the total; `banded` shades the header in the brand.
fn table(p: &mut Page, c: &Content, mut y: f32, size: f32, banded: bool) -> f32 {
    let (x0, w) = (48.0, PAGE_W - 96.0);
    let five = [0.13, 0.39, 0.16, 0.16, 0.16];
    let fractions: &[f32] = if c.header.len() == 5 {
        &five
    } else {
        &[0.75, 0.25]
    };
    let mut edges = vec![x0];
    for f in fractions {
        edges.push(edges[edges.len() - 1] + f * w);
    }
    let lead = size * 1.9;
    let row = |p: &mut Page, y: f32, cells: &[String], pen: Pen| {
        for (i, cell) in cells.iter().enumerate() {
            if i < c.text_columns {
                p.text(edges[i] + 4.0, y + lead * 0.68, pen, cell);
            } else {
                p.right(edges[i + 1] - 4.0, y + lead * 0.68, pen, cell);
            }
        }
    };
    let header: Vec<String> = c.header.iter().map(|h| h.to_string()).collect();
    p.rect(x0, y, w, lead, if banded { c.brand } else { PALE });
    row(
        p,
        y,
        &header,
        Pen(size, true, if banded { WHITE } else { INK }),
    );
    for (i, cells) in c.rows.iter().enumerate() {
        y += lead;
        if banded && i % 2 == 1 {
            p.rect(x0, y, w, lead, [247, 247, 247]);
        }
        row(p, y, cells, Pen(size, false, INK));
        p.rule(x0, x0 + w, y + lead, 0.4, [200, 200, 200]);
    }
    y += lead * 2.0;
    p.rule(x0, x0 + w, y - lead + 1.0, 1.0, INK);
    let total = Pen(size + 1.0, true, INK);
    p.text(x0 + 4.0, y, total, c.total.0);
    p.right(x0 + w - 4.0, y, total, &c.total.1);
    y + lead
}

/// Label–value lines; returns the `y` after them.
fn facts(p: &mut Page, c: &Content, x: f32, mut y: f32, label_w: f32) -> f32 {
    for (label, value) in &c.facts {
        p.text(x, y, SMALL, label);
        p.text(x + label_w, y, Pen(9.5, true, INK), value);
        y += 15.0;
    }
    y
}

fn footer(p: &mut Page, c: &Content, rgb: Rgb) {
    p.rule(48.0, PAGE_W - 48.0, PAGE_H - 62.0, 0.5, rgb);
    p.para(48.0, PAGE_H - 48.0, PAGE_W - 96.0, SMALL, &c.footer);
}

/// Lays `truth` out in design `layout` (modulo the number of designs).
pub(crate) fn lay_out(truth: &Truth, c: &Content, layout: usize) -> Page {
    let mut p = Page(Vec::new(), layout % FAMILIES.len());
    let issued = |style| date(truth.issue_date, style);
    let bank = truth.document_type == "bank_statement";
    let (right, wide, facts_h) = (PAGE_W - 48.0, PAGE_W - 96.0, 15.0 * c.facts.len() as f32);
    match layout % LAYOUTS.len() {
        0 => {
            p.text(48.0, 72.0, Pen(22.0, true, c.brand), &truth.issuer);
            p.text(48.0, 90.0, SMALL, &c.issuer_address);
            p.right(right, 114.0, Pen(16.0, true, INK), &c.title);
            p.right(right, 132.0, BODY, &format!("Date of issue: {}", issued(0)));
            for (i, line) in address(truth, false, false).iter().enumerate() {
                p.text(62.0, 170.0 + 14.0 * i as f32, Pen(11.0, i == 0, INK), line);
            }
            p.rect(300.0, 150.0, right - 300.0, 12.0 + facts_h, PALE);
            facts(&mut p, c, 310.0, 168.0, 95.0);
            let heading = ["Your charges", "Your transactions"][usize::from(bank)];
            p.text(48.0, 290.0, Pen(14.0, true, c.brand), heading);
            p.rule(48.0, right, 297.0, 1.0, c.brand);
            let y = table(&mut p, c, 310.0, 10.0, false);
            let note = "Please keep this document for your records. If any of the details above \
                are wrong, or you have moved home, tell us as soon as possible so we can update \
                your account.";
            p.para(48.0, y + 20.0, wide, BODY, note);
            footer(&mut p, c, GREY);
        }
        1 => {
            let on_band = |size, bold| Pen(size, bold, WHITE);
            p.rect(0.0, 0.0, PAGE_W, 100.0, c.brand);
            let issuer = truth.issuer.to_uppercase();
            p.text(40.0, 54.0, on_band(22.0, true), &issuer);
            p.text(40.0, 76.0, on_band(9.0, false), &c.issuer_address);
            let site: String = truth.issuer.to_lowercase().split(' ').collect();
            let site = site.replace('&', "and");
            let tld = ["co.uk", "gov.uk"][usize::from(truth.document_type == "tax_document")];
            let site = format!("www.{site}.{tld}");
            p.right(PAGE_W - 40.0, 76.0, on_band(10.0, true), &site);
            for (i, line) in address(truth, true, true).iter().enumerate() {
                p.text(56.0, 160.0 + 13.0 * i as f32, BODY, line);
            }
            p.rect(300.0, 136.0, PAGE_W - 340.0, 32.0 + facts_h, PALE);
            let label = if bank { "Statement date" } else { "Date" };
            p.text(312.0, 156.0, STRONG, &format!("{label} {}", issued(1)));
            facts(&mut p, c, 312.0, 176.0, 98.0);
            p.text(40.0, 280.0, Pen(18.0, true, INK), &c.title);
            let y = table(&mut p, c, 300.0, 9.0, true);
            let note = "Calls may be recorded. Lines are open Monday to Friday 8am to 8pm and \
                Saturday 9am to 5pm.";
            p.para(48.0, y + 16.0, wide, SMALL, note);
            p.rect(0.0, PAGE_H - 70.0, PAGE_W, 4.0, c.brand);
            p.para(40.0, PAGE_H - 48.0, PAGE_W - 80.0, SMALL, &c.footer);
        }
        _ => {
            p.rect(48.0, 44.0, 36.0, 36.0, c.brand);
            let initials = truth.issuer.split(' ').filter_map(|w| w.chars().next());
            let initials: String = initials.filter(char::is_ascii_uppercase).take(2).collect();
            p.text(52.0, 69.0, Pen(16.0, true, WHITE), &initials);
            p.text(94.0, 64.0, Pen(20.0, true, INK), &truth.issuer);
            p.text(94.0, 79.0, SMALL, &c.issuer_address);
            let label = if bank { "Date issued:" } else { "Bill date:" };
            p.right(right, 110.0, STRONG, &format!("{label} {}", issued(2)));
            let account = format!("{}: {}", c.facts[0].0, c.facts[0].1);
            p.right(right, 125.0, BODY, &account);
            for (i, line) in address(truth, true, false).iter().enumerate() {
                p.text(60.0, 156.0 + 13.5 * i as f32, Pen(11.0, false, INK), line);
            }
            p.text(48.0, 250.0, Pen(20.0, true, c.brand), &c.title);
            let title = match c.title.strip_prefix("Your ") {
                Some(rest) => rest.to_string(),
                None if c.title.starts_with("Council") => c.title.clone(),
                None => c.title.to_lowercase(),
            };
            let lead = format!("This is your {title} from {}.", truth.issuer);
            p.text(48.0, 268.0, BODY, &lead);
            let y = facts(&mut p, c, 48.0, 292.0, 150.0);
            let y = table(&mut p, c, y + 8.0, 10.0, false);
            if bank {
                p.rect(48.0, y + 20.0, wide, 80.0, PALE);
                let heading = Pen(12.0, true, INK);
                p.text(60.0, y + 42.0, heading, "Important information");
                let note = "Please check this statement carefully and tell us straight away \
                    about any entry you do not recognise. Eligible deposits are protected up to \
                    £85,000 per person.";
                p.para(60.0, y + 60.0, wide - 24.0, Pen(9.0, false, INK), note);
            } else {
                let slip = y.max(590.0);
                p.0.push(Op::Rule(36.0, PAGE_W - 36.0, slip, 0.8, GREY, true));
                let cut = "✂ Please detach and return this slip with your payment";
                p.text(48.0, slip + 16.0, SMALL, cut);
                p.text(48.0, slip + 44.0, Pen(13.0, true, INK), "Payment slip");
                p.text(48.0, slip + 62.0, BODY, &truth.holder);
                p.text(48.0, slip + 76.0, BODY, &account);
                p.rect(330.0, slip + 30.0, right - 330.0, 54.0, PALE);
                p.text(340.0, slip + 50.0, SMALL, c.total.0);
                p.text(340.0, slip + 72.0, Pen(14.0, true, INK), &c.total.1);
            }
            footer(&mut p, c, c.brand);
        }
    }
    p
}

fn paint(rgb: Rgb) -> krilla::paint::Paint {
    rgb::Color::new(rgb[0], rgb[1], rgb[2]).into()
}

fn fill(rgb: Rgb) -> Fill {
    let paint = paint(rgb);
    Fill {
        paint,
        ..Fill::default()
    }
}

/// A one-page A4 PDF: the page's operations as text and paths, over `picture` (a JPEG filling
/// the page) if there is one.
pub(crate) fn pdf(page: &Page, picture: Option<Vec<u8>>) -> Result<Vec<u8>, GenError> {
    let font = |bytes: &'static [u8]| Font::new(bytes.into(), 0).ok_or(GenError::from("font"));
    let (regular, bold) = FAMILIES[page.1 % FAMILIES.len()];
    let (regular, bold) = (font(regular)?, font(bold)?);
    let mut document = Document::new();
    let settings = PageSettings::from_wh(PAGE_W, PAGE_H).ok_or("page size")?;
    let mut pdf_page = document.start_page_with(settings);
    let mut s = pdf_page.surface();
    if let Some(jpeg) = picture {
        let image = krilla::image::Image::from_jpeg(jpeg.into(), true)?;
        s.draw_image(image, Size::from_wh(PAGE_W, PAGE_H).ok_or("size")?);
    }
    for op in &page.0 {
        let mut path = PathBuilder::new();
        match op {
            Op::Text(x, y, Pen(size, b, rgb), text) => {
                s.set_fill(Some(fill(*rgb)));
                let font = if *b { bold.clone() } else { regular.clone() };
                let at = Point::from_xy(*x, *y);
                s.draw_text(at, font, *size, text, false, TextDirection::LeftToRight);
            }
            Op::Rect(x, y, w, h, rgb) => {
                path.push_rect(Rect::from_xywh(*x, *y, *w, *h).ok_or("rect")?);
                s.set_fill(Some(fill(*rgb)));
                s.draw_path(&path.finish().ok_or("rect")?);
            }
            Op::Rule(x1, x2, y, width, rgb, dashed) => {
                path.move_to(*x1, *y);
                path.line_to(*x2, *y);
                let dash = dashed.then(|| StrokeDash {
                    array: vec![4.0, 3.0],
                    offset: 0.0,
                });
                let (paint, width) = (paint(*rgb), *width);
                s.set_fill(None);
                s.set_stroke(Some(Stroke {
                    paint,
                    width,
                    dash,
                    ..Stroke::default()
                }));
                s.draw_path(&path.finish().ok_or("rule")?);
                s.set_stroke(None);
            }
        }
    }
    s.finish();
    pdf_page.finish();
    document
        .finish()
        .map_err(|e| GenError(format!("the PDF could not be written: {e:?}")))
}
