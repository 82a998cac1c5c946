//! PDF reports: lays out `clearance-core`'s report model on A4 pages with embedded, subset
//! DejaVu Sans (krilla writes the PDF; see ADR 0005 for why krilla).

mod fonts;
mod layout;
mod thumbnail;

use clearance_core::report::{Block, Report, ReportRenderer};
use krilla::Document;
use krilla::color::luma;
use krilla::geom::{PathBuilder, Point, Rect, Size, Transform};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::text::TextDirection;

pub use fonts::{Fonts, Weight};
use layout::{Op, PAGE_H, PAGE_W, Placed, lay_out};
pub use thumbnail::{Thumbnail, thumbnail};

/// The renderer the server installs behind the report port.
pub struct PdfRenderer {
    fonts: Fonts,
}

impl PdfRenderer {
    /// Loads the embedded fonts.
    pub fn new() -> Result<Self, String> {
        Ok(PdfRenderer {
            fonts: Fonts::load()?,
        })
    }
}

impl ReportRenderer for PdfRenderer {
    fn render(&self, report: &Report) -> Result<Vec<u8>, String> {
        render(report, &self.fonts)
    }
}

/// The PDF of `report`.
pub fn render(report: &Report, fonts: &Fonts) -> Result<Vec<u8>, String> {
    let pictures = report
        .sections
        .iter()
        .flat_map(|s| &s.blocks)
        .filter_map(|b| match b {
            Block::Pictures(p) => Some(
                p.iter()
                    .map(|p| Placed {
                        caption: p.caption.clone(),
                        thumbnail: thumbnail(&p.bytes),
                    })
                    .collect(),
            ),
            _ => None,
        })
        .collect();
    let pages = lay_out(report, fonts, pictures);

    let mut document = Document::new();
    document.set_metadata(
        Metadata::new()
            .title(report.title.clone())
            .creator("Clearance".into()),
    );
    for ops in &pages {
        let settings = PageSettings::from_wh(PAGE_W, PAGE_H).ok_or("bad page size")?;
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        for op in ops {
            paint(&mut surface, fonts, op)?;
        }
        surface.finish();
        page.finish();
    }
    document
        .finish()
        .map_err(|e| format!("the PDF could not be written: {e:?}"))
}

fn grey(level: u8) -> luma::Color {
    luma::Color::new(level)
}

fn paint(surface: &mut Surface<'_>, fonts: &Fonts, op: &Op) -> Result<(), String> {
    match op {
        Op::Text {
            x,
            y,
            size,
            weight,
            grey: g,
            text,
        } => {
            surface.set_fill(Some(Fill {
                paint: grey(*g).into(),
                ..Fill::default()
            }));
            // krilla shapes one run in one direction: a right-to-left name inside a
            // left-to-right line is drawn as its own run, or it would read reversed.
            let mut at = *x;
            for (run, rtl) in direction_runs(text) {
                let direction = if rtl {
                    TextDirection::RightToLeft
                } else {
                    TextDirection::LeftToRight
                };
                surface.draw_text(
                    Point::from_xy(at, *y),
                    fonts.pdf(*weight),
                    *size,
                    run,
                    false,
                    direction,
                );
                at += fonts.width(run, *weight, *size);
            }
        }
        Op::Line {
            x1,
            y1,
            x2,
            y2,
            width,
            grey: g,
        } => {
            let mut path = PathBuilder::new();
            path.move_to(*x1, *y1);
            path.line_to(*x2, *y2);
            if let Some(path) = path.finish() {
                surface.set_fill(None);
                surface.set_stroke(Some(Stroke {
                    paint: grey(*g).into(),
                    width: *width,
                    ..Stroke::default()
                }));
                surface.draw_path(&path);
                surface.set_stroke(None);
            }
        }
        Op::Fill {
            x,
            y,
            w,
            h,
            grey: g,
        } => {
            let mut path = PathBuilder::new();
            if let Some(rect) = Rect::from_xywh(*x, *y, *w, *h) {
                path.push_rect(rect);
            }
            if let Some(path) = path.finish() {
                surface.set_fill(Some(Fill {
                    paint: grey(*g).into(),
                    ..Fill::default()
                }));
                surface.draw_path(&path);
            }
        }
        Op::Image { x, y, w, h, jpeg } => {
            let image = krilla::image::Image::from_jpeg(jpeg.as_ref().clone().into(), true)
                .map_err(|e| format!("a thumbnail could not be embedded: {e}"))?;
            let size = Size::from_wh(*w, *h).ok_or("bad picture size")?;
            surface.push_transform(&Transform::from_translate(*x, *y));
            surface.draw_image(image, size);
            surface.pop();
        }
    }
    Ok(())
}

/// Whether a character belongs to a right-to-left script (Hebrew, Arabic, Syriac, Thaana, NKo
/// and their presentation forms).
fn is_rtl(c: char) -> bool {
    matches!(c as u32, 0x0590..=0x08FF | 0xFB1D..=0xFDFF | 0xFE70..=0xFEFF)
}

/// Splits a line, in logical order, into runs of one direction (`true`: right to left).
/// Neutral characters (spaces, digits, punctuation) stay with the run they follow, except that
/// those ending a right-to-left run go to the next one, so they keep their place on the page.
fn direction_runs(text: &str) -> Vec<(&str, bool)> {
    if !text.chars().any(is_rtl) {
        return vec![(text, false)];
    }
    let mut runs = Vec::new();
    let mut start = 0;
    let mut rtl = text.chars().find(|c| c.is_alphabetic()).is_some_and(is_rtl);
    // End of the last strong character of the current run.
    let mut strong_end = 0;
    for (i, c) in text.char_indices() {
        if !c.is_alphabetic() {
            continue;
        }
        let here = is_rtl(c);
        if here != rtl {
            let cut = if rtl { strong_end } else { i };
            if cut > start {
                runs.push((&text[start..cut], rtl));
            }
            start = cut;
            rtl = here;
        }
        strong_end = i + c.len_utf8();
    }
    if rtl && strong_end < text.len() && strong_end > start {
        runs.push((&text[start..strong_end], true));
        runs.push((&text[strong_end..], false));
    } else if start < text.len() {
        runs.push((&text[start..], rtl));
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::direction_runs;

    #[test]
    fn right_to_left_names_are_their_own_runs() {
        assert_eq!(direction_runs("Client 12"), vec![("Client 12", false)]);
        assert_eq!(
            direction_runs("Client report: محمد بن سلمان (alias)"),
            vec![
                ("Client report: ", false),
                ("محمد بن سلمان", true),
                (" (alias)", false)
            ]
        );
        assert_eq!(
            direction_runs("محمد بن سلمان"),
            vec![("محمد بن سلمان", true)]
        );
    }
}
