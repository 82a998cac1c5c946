//! Flows a report onto A4 pages: title block, headed sections, label–value fields, tables that
//! repeat their header across pages, and rows of pictures. The result is a list of drawing
//! operations per page, so the page count is known before the footers are written.

use std::sync::Arc;

use clearance_core::report::{Block, Report, Table};

use crate::fonts::{Fonts, Weight};
use crate::thumbnail::Thumbnail;

pub const PAGE_W: f32 = 595.28;
pub const PAGE_H: f32 = 841.89;
const MARGIN: f32 = 48.0;
const TOP: f32 = 56.0;
/// Where content stops; the footer sits below.
const BOTTOM: f32 = PAGE_H - 64.0;
const CONTENT_W: f32 = PAGE_W - 2.0 * MARGIN;

const BODY: f32 = 9.0;
const SMALL: f32 = 7.5;
const LINE: f32 = 12.0;
/// A table cell shows this many lines at most, so every row fits on one page.
const MAX_CELL_LINES: usize = 30;
const PICTURE_H: f32 = 130.0;
const PICTURE_MAX_W: f32 = 210.0;

/// Grey levels: 0 is black.
pub const INK: u8 = 0;
const MUTED: u8 = 90;
const RULE: u8 = 170;
const SHADE: u8 = 232;

/// One drawing operation; `y` grows downwards from the top of the page, text `y` is the
/// baseline.
#[derive(Clone, Debug)]
pub enum Op {
    Text {
        x: f32,
        y: f32,
        size: f32,
        weight: Weight,
        grey: u8,
        text: String,
    },
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        width: f32,
        grey: u8,
    },
    Fill {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        grey: u8,
    },
    Image {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        jpeg: Arc<Vec<u8>>,
    },
}

/// A picture ready to place: a small JPEG, or the reason there is none.
pub struct Placed {
    pub caption: String,
    pub thumbnail: Result<Thumbnail, String>,
}

struct Flow<'a> {
    fonts: &'a Fonts,
    pages: Vec<Vec<Op>>,
    y: f32,
}

/// Lays `report` out; `pictures` holds each [`Block::Pictures`] block's prepared pictures, in
/// document order.
pub fn lay_out(report: &Report, fonts: &Fonts, mut pictures: Vec<Vec<Placed>>) -> Vec<Vec<Op>> {
    pictures.reverse();
    let mut flow = Flow {
        fonts,
        pages: vec![Vec::new()],
        y: TOP,
    };
    flow.paragraph(&report.title, Weight::Bold, 17.0, INK, 21.0);
    for line in &report.subtitle {
        flow.paragraph(line, Weight::Regular, BODY, MUTED, LINE);
    }
    flow.y += 6.0;
    for section in &report.sections {
        flow.section_heading(&section.heading);
        for block in &section.blocks {
            match block {
                Block::Heading(text) => flow.sub_heading(text),
                Block::Fields(fields) => flow.fields(fields),
                Block::Table(table) => flow.table(table),
                Block::Text(text) => flow.paragraph(text, Weight::Regular, BODY, INK, LINE),
                Block::Pictures(_) => {
                    let placed = pictures.pop().unwrap_or_default();
                    flow.pictures(&placed);
                }
            }
        }
        flow.y += 10.0;
    }
    flow.footers(&report.footer);
    flow.pages
}

impl Flow<'_> {
    fn op(&mut self, op: Op) {
        if let Some(page) = self.pages.last_mut() {
            page.push(op);
        }
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = TOP;
    }

    /// Starts a new page unless `height` more fits on this one.
    fn room_for(&mut self, height: f32) {
        if self.y + height > BOTTOM && self.y > TOP {
            self.new_page();
        }
    }

    fn text(&mut self, x: f32, size: f32, weight: Weight, grey: u8, text: &str) {
        if !text.is_empty() {
            self.op(Op::Text {
                x,
                y: self.y + size,
                size,
                weight,
                grey,
                text: text.to_string(),
            });
        }
    }

    fn rule(&mut self, y: f32, grey: u8, width: f32) {
        self.op(Op::Line {
            x1: MARGIN,
            y1: y,
            x2: PAGE_W - MARGIN,
            y2: y,
            width,
            grey,
        });
    }

    fn paragraph(&mut self, text: &str, weight: Weight, size: f32, grey: u8, leading: f32) {
        for line in wrap(self.fonts, text, weight, size, CONTENT_W) {
            self.room_for(leading);
            self.text(MARGIN, size, weight, grey, &line);
            self.y += leading;
        }
    }

    fn section_heading(&mut self, text: &str) {
        // A heading keeps at least a few lines of its section with it.
        self.room_for(70.0);
        self.paragraph(text, Weight::Bold, 12.5, INK, 16.0);
        let y = self.y + 1.0;
        self.rule(y, INK, 0.8);
        self.y += 7.0;
    }

    fn sub_heading(&mut self, text: &str) {
        self.room_for(50.0);
        self.y += 3.0;
        self.paragraph(text, Weight::Bold, 10.0, INK, 14.0);
        self.y += 1.0;
    }

    fn fields(&mut self, fields: &[(String, String)]) {
        let label_w = CONTENT_W * 0.32;
        let value_x = MARGIN + label_w + 8.0;
        let value_w = CONTENT_W - label_w - 8.0;
        for (label, value) in fields {
            let labels = wrap(self.fonts, label, Weight::Bold, SMALL + 0.5, label_w);
            let values = wrap(self.fonts, value, Weight::Regular, BODY, value_w);
            for i in 0..labels.len().max(values.len()) {
                self.room_for(LINE);
                if let Some(l) = labels.get(i) {
                    self.op(Op::Text {
                        x: MARGIN,
                        y: self.y + BODY,
                        size: SMALL + 0.5,
                        weight: Weight::Bold,
                        grey: MUTED,
                        text: l.clone(),
                    });
                }
                if let Some(v) = values.get(i) {
                    self.text(value_x, BODY, Weight::Regular, INK, v);
                }
                self.y += LINE;
            }
            self.y += 1.5;
        }
    }

    fn table(&mut self, table: &Table) {
        let total: f32 = table.widths.iter().sum::<f32>().max(f32::EPSILON);
        let widths: Vec<f32> = (0..table.header.len())
            .map(|i| table.widths.get(i).copied().unwrap_or(0.0) / total * CONTENT_W)
            .collect();
        let size = SMALL + 0.5;
        let lead = 10.5;
        let cells = |row: &[String], weight| -> Vec<Vec<String>> {
            widths
                .iter()
                .enumerate()
                .map(|(i, w)| {
                    let text = row.get(i).map(String::as_str).unwrap_or("");
                    let mut lines = wrap(self.fonts, text, weight, size, w - 6.0);
                    if lines.len() > MAX_CELL_LINES {
                        lines.truncate(MAX_CELL_LINES);
                        lines.push("…".into());
                    }
                    lines
                })
                .collect()
        };
        let header = cells(&table.header, Weight::Bold);
        let header_h = height(&header, lead);
        let rows: Vec<Vec<Vec<String>>> = table
            .rows
            .iter()
            .map(|r| cells(r, Weight::Regular))
            .collect();
        let first_h = rows.first().map(|r| height(r, lead)).unwrap_or(0.0);
        self.room_for(header_h + first_h);
        self.table_row(&header, &widths, Weight::Bold, lead, true);
        for row in &rows {
            let h = height(row, lead);
            if self.y + h > BOTTOM {
                self.new_page();
                self.table_row(&header, &widths, Weight::Bold, lead, true);
            }
            self.table_row(row, &widths, Weight::Regular, lead, false);
        }
        self.y += 6.0;
    }

    fn table_row(
        &mut self,
        cells: &[Vec<String>],
        widths: &[f32],
        weight: Weight,
        lead: f32,
        shaded: bool,
    ) {
        let h = height(cells, lead);
        if shaded {
            self.op(Op::Fill {
                x: MARGIN,
                y: self.y,
                w: CONTENT_W,
                h,
                grey: SHADE,
            });
        }
        let mut x = MARGIN;
        for (lines, w) in cells.iter().zip(widths) {
            for (i, line) in lines.iter().enumerate() {
                self.op(Op::Text {
                    x: x + 3.0,
                    y: self.y + 3.0 + SMALL + 0.5 + i as f32 * lead,
                    size: SMALL + 0.5,
                    weight,
                    grey: INK,
                    text: line.clone(),
                });
            }
            x += w;
        }
        self.y += h;
        let y = self.y;
        self.rule(y, RULE, 0.4);
    }

    fn pictures(&mut self, pictures: &[Placed]) {
        let mut x = MARGIN;
        let row_h = PICTURE_H + 14.0;
        self.room_for(row_h);
        for p in pictures {
            let (w, h) = match &p.thumbnail {
                Ok(t) => {
                    let scale = (PICTURE_H / t.height as f32).min(PICTURE_MAX_W / t.width as f32);
                    (t.width as f32 * scale, t.height as f32 * scale)
                }
                Err(_) => (PICTURE_H * 0.75, PICTURE_H),
            };
            if x + w > PAGE_W - MARGIN && x > MARGIN {
                x = MARGIN;
                self.y += row_h + 4.0;
                self.room_for(row_h);
            }
            match &p.thumbnail {
                Ok(t) => self.op(Op::Image {
                    x,
                    y: self.y,
                    w,
                    h,
                    jpeg: t.jpeg.clone(),
                }),
                Err(reason) => {
                    self.op(Op::Fill {
                        x,
                        y: self.y,
                        w,
                        h,
                        grey: SHADE,
                    });
                    let saved = self.y;
                    self.y += h / 2.0 - 10.0;
                    for line in wrap(self.fonts, reason, Weight::Regular, SMALL, w - 8.0) {
                        self.text(x + 4.0, SMALL, Weight::Regular, MUTED, &line);
                        self.y += 9.0;
                    }
                    self.y = saved;
                }
            }
            let caption = wrap(self.fonts, &p.caption, Weight::Regular, SMALL, w.max(60.0))
                .into_iter()
                .next()
                .unwrap_or_default();
            self.op(Op::Text {
                x,
                y: self.y + h + 10.0,
                size: SMALL,
                weight: Weight::Regular,
                grey: MUTED,
                text: caption,
            });
            x += w + 12.0;
        }
        self.y += row_h + 4.0;
    }

    fn footers(&mut self, footer: &str) {
        let n = self.pages.len();
        let fonts = self.fonts;
        for (i, page) in self.pages.iter_mut().enumerate() {
            let y = PAGE_H - 36.0;
            page.push(Op::Line {
                x1: MARGIN,
                y1: y - 10.0,
                x2: PAGE_W - MARGIN,
                y2: y - 10.0,
                width: 0.4,
                grey: RULE,
            });
            page.push(Op::Text {
                x: MARGIN,
                y,
                size: SMALL,
                weight: Weight::Regular,
                grey: MUTED,
                text: footer.to_string(),
            });
            let number = format!("Page {} of {n}", i + 1);
            let w = fonts.width(&number, Weight::Regular, SMALL);
            page.push(Op::Text {
                x: PAGE_W - MARGIN - w,
                y,
                size: SMALL,
                weight: Weight::Regular,
                grey: MUTED,
                text: number,
            });
        }
    }
}

fn height(cells: &[Vec<String>], lead: f32) -> f32 {
    let lines = cells.iter().map(Vec::len).max().unwrap_or(1).max(1);
    lines as f32 * lead + 5.0
}

/// Breaks `text` into lines no wider than `width`: at spaces where it can, inside a word that
/// is wider than a line by itself; explicit newlines are kept.
pub fn wrap(fonts: &Fonts, text: &str, weight: Weight, size: f32, width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        for word in paragraph.split(' ').filter(|w| !w.is_empty()) {
            let candidate = if line.is_empty() {
                word.to_string()
            } else {
                format!("{line} {word}")
            };
            if fonts.width(&candidate, weight, size) <= width {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            // A word wider than the line is cut where it overflows.
            for c in word.chars() {
                line.push(c);
                if fonts.width(&line, weight, size) > width && line.chars().count() > 1 {
                    line.pop();
                    lines.push(std::mem::take(&mut line));
                    line.push(c);
                }
            }
        }
        lines.push(line);
    }
    if lines.len() > 1 {
        lines.retain(|l| !l.is_empty());
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_never_overflow_and_lose_no_word() {
        let fonts = Fonts::load().expect("fonts");
        let text = "Extracted data › Holder details › First name Supercalifragilisticexpialidocious \
                    and a short tail";
        let lines = wrap(&fonts, text, Weight::Regular, BODY, 90.0);
        assert!(lines.len() > 2, "{lines:?}");
        for l in &lines {
            assert!(fonts.width(l, Weight::Regular, BODY) <= 90.0, "{l}");
        }
        let joined: String = lines.concat().chars().filter(|c| *c != ' ').collect();
        let original: String = text.chars().filter(|c| *c != ' ').collect();
        assert_eq!(joined, original);
    }

    #[test]
    fn a_long_table_repeats_its_header_on_every_page() {
        let fonts = Fonts::load().expect("fonts");
        let report = Report {
            title: "t".into(),
            subtitle: vec![],
            sections: vec![clearance_core::report::Section {
                heading: "Audit".into(),
                blocks: vec![Block::Table(Table {
                    header: vec!["When".into(), "What".into()],
                    widths: vec![1.0, 1.0],
                    rows: (0..200).map(|i| vec![i.to_string(), "x".into()]).collect(),
                })],
            }],
            footer: "f".into(),
        };
        let pages = lay_out(&report, &fonts, Vec::new());
        assert!(pages.len() >= 3);
        for page in &pages {
            let headers = page
                .iter()
                .filter(|op| matches!(op, Op::Text { text, weight: Weight::Bold, .. } if text == "When"))
                .count();
            assert_eq!(headers, 1);
            let numbered = page
                .iter()
                .any(|op| matches!(op, Op::Text { text, .. } if text.ends_with(&format!("of {}", pages.len()))));
            assert!(numbered);
        }
    }
}
