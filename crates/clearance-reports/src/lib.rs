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
            surface.draw_text(
                Point::from_xy(*x, *y),
                fonts.pdf(*weight),
                *size,
                text,
                false,
                TextDirection::Auto,
            );
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
