//! Reading the rest of a document page (the visual zone): find text regions
//! ([`super::regions`]) in the frame the MRZ was read in (turned and straightened), then read
//! each region with the recogniser's Latin alphabet.

use image::RgbImage;
use image::imageops;

use super::locate::{Ink, LineBox, estimate_skew, to_gray, unshear};
use super::regions::text_regions;
use super::{LOCATE_MAX_WIDTH, MrzReader, MrzReading, crop_with_margin};
use crate::error::Result;
use crate::image::DocumentImage;
use crate::pdf_text::PageCell;
use crate::visual_zone::TextLine;

/// Regions lower than this, in pixels of the page, are too small to read.
const MIN_TEXT_HEIGHT: u32 = 8;
/// Regions wider than this many heights (30+ characters) are titles and sentences, read last.
const MAX_FIELD_ASPECT: u32 = 16;
/// Text taller than this share of the median region height (percent) is a headline, read
/// after the values.
const HEADLINE_PERCENT: u32 = 130;
/// At most this many regions are read per page: a data page carries 15–30 text fields.
const MAX_REGIONS: usize = 40;
/// Regions read per recogniser run, between which the caller may say it has enough.
const BATCH: usize = 4;

impl MrzReader {
    /// The text of `image` outside its MRZ. With `mrz` (the MRZ read from this same image)
    /// the page is turned and straightened as it was for the MRZ and only the part above the
    /// MRZ is read; without it the whole image is read as it is, after removing skew.
    ///
    /// Reading costs about a millisecond per 10 pixels of text width, so regions are read a
    /// few at a time, likely field values first (the taller text: captions are printed
    /// smaller), then the rest in reading order, and reading stops as soon as `enough` says
    /// the lines so far answer every question.
    ///
    /// # Errors
    /// [`crate::IdvError::Inference`] when a model fails to run.
    pub fn read_page_text(
        &self,
        image: &DocumentImage,
        mrz: Option<&MrzReading>,
        enough: &mut dyn FnMut(&[TextLine]) -> bool,
    ) -> Result<Vec<TextLine>> {
        let page = match mrz {
            Some(reading) => {
                let frame = reading.frame;
                // A page flattened to be read is read flattened.
                let flat = frame.page.map(|outline| outline.flatten(image.rgb()));
                let base = flat.as_ref().unwrap_or(image.rgb());
                let turned = super::turn(base, frame.quarter_turns);
                let rgb = turned.as_ref();
                let top = frame.mrz_top.min(rgb.height());
                if frame.slope == 0.0 {
                    // Unshearing by zero is a copy of the whole page: crop straight away.
                    imageops::crop_imm(rgb, 0, 0, rgb.width(), top).to_image()
                } else {
                    let straight = unshear(rgb, frame.slope);
                    imageops::crop_imm(&straight, 0, 0, straight.width(), top).to_image()
                }
            }
            None => unshear(image.rgb(), page_slope(image.rgb())),
        };
        if page.height() < MIN_TEXT_HEIGHT {
            return Ok(Vec::new());
        }
        let boxes: Vec<LineBox> = text_regions(&to_gray(&page))
            .into_iter()
            .filter(|b| b.height() >= MIN_TEXT_HEIGHT && b.width() >= b.height() / 2)
            .collect();
        let mut lines = Vec::new();
        for batch in reading_batches(boxes) {
            let crops: Vec<RgbImage> = batch.iter().map(|b| padded_crop(&page, *b)).collect();
            let read = self.recogniser.recognise_texts(&crops)?;
            lines.extend(
                batch
                    .iter()
                    .zip(read)
                    .filter(|(_, (text, _))| !text.is_empty())
                    .map(|(b, (text, confidence))| TextLine {
                        text,
                        confidence,
                        x0: b.x0,
                        y0: b.y0,
                        x1: b.x1,
                        y1: b.y1,
                    }),
            );
            if enough(&lines) {
                break;
            }
        }
        lines.sort_by_key(|l| (l.y0, l.x0));
        Ok(lines)
    }
}

impl MrzReader {
    /// Every line of text on a page without an MRZ (a bill, a statement), top to bottom: the
    /// page is straightened, its text regions found and read in batches from the top, and
    /// reading stops as soon as `enough` says the lines so far answer every question. Regions
    /// on one line are joined, left to right, into one line of text.
    ///
    /// # Errors
    /// [`crate::IdvError::Inference`] when a model fails to run.
    pub fn read_document_text(
        &self,
        image: &DocumentImage,
        max_regions: usize,
        enough: &mut dyn FnMut(&[Vec<PageCell>]) -> bool,
    ) -> Result<Vec<Vec<PageCell>>> {
        let page = unshear(image.rgb(), page_slope(image.rgb()));
        if page.height() < MIN_TEXT_HEIGHT {
            return Ok(Vec::new());
        }
        let mut boxes: Vec<LineBox> = text_regions(&to_gray(&page))
            .into_iter()
            .filter(|b| b.height() >= MIN_TEXT_HEIGHT && b.width() >= b.height() / 2)
            .collect();
        boxes.sort_by_key(|b| (b.y0, b.x0));
        boxes.truncate(max_regions);
        let mut read: Vec<TextLine> = Vec::new();
        let mut lines = Vec::new();
        for batch in boxes.chunks(BATCH * 2) {
            // Wider margins than the data page's: the region finder trims a word's last letter
            // on a light scan, and a bill's lines stand apart.
            let crops: Vec<RgbImage> = batch
                .iter()
                .map(|b| crop_with_margin(&page, *b, b.height() * 4 / 5 + 2, b.height() / 4 + 1))
                .collect();
            for (b, (text, confidence)) in
                batch.iter().zip(self.recogniser.recognise_texts(&crops)?)
            {
                if !text.is_empty() {
                    read.push(TextLine {
                        text,
                        confidence,
                        x0: b.x0,
                        y0: b.y0,
                        x1: b.x1,
                        y1: b.y1,
                    });
                }
            }
            lines = join_rows(&read, page.width());
            if enough(&lines) {
                break;
            }
        }
        Ok(lines)
    }
}

/// Regions whose vertical middles fall within each other's height are one line of the page;
/// each region is a cell of it, left to right.
fn join_rows(regions: &[TextLine], page_width: u32) -> Vec<Vec<PageCell>> {
    let mut sorted: Vec<&TextLine> = regions.iter().collect();
    sorted.sort_by_key(|l| (l.y0 + l.y1, l.x0));
    let mut rows: Vec<Vec<&TextLine>> = Vec::new();
    for region in sorted {
        let middle = (region.y0 + region.y1) / 2;
        match rows.last_mut() {
            Some(row) if row.iter().any(|r| (r.y0..r.y1).contains(&middle)) => row.push(region),
            _ => rows.push(vec![region]),
        }
    }
    let width = page_width.max(1) as f32;
    rows.into_iter()
        .map(|mut row| {
            row.sort_by_key(|r| r.x0);
            row.iter()
                .map(|r| PageCell {
                    x: r.x0 as f32 / width,
                    text: r.text.split_whitespace().collect::<Vec<_>>().join(" "),
                })
                .collect()
        })
        .collect()
}

/// The order regions are read in, in batches of at most [`BATCH`]: field-sized regions at
/// least as tall as the median region but not headline-sized (likely values), top to bottom;
/// then the rest (captions, titles, headlines), top to bottom. A batch never mixes the two, so
/// a page whose values answer everything reads no caption. At most [`MAX_REGIONS`] in all.
fn reading_batches(mut boxes: Vec<LineBox>) -> Vec<Vec<LineBox>> {
    let mut heights: Vec<u32> = boxes.iter().map(|b| b.height()).collect();
    heights.sort_unstable();
    let median = heights.get(heights.len() / 2).copied().unwrap_or(0);
    let value_like = |b: &LineBox| {
        (median..=median * HEADLINE_PERCENT / 100).contains(&b.height())
            && b.width() <= MAX_FIELD_ASPECT * b.height()
    };
    boxes.sort_by_key(|b| (!value_like(b), b.y0, b.x0));
    boxes.truncate(MAX_REGIONS);
    let (values, rest): (Vec<LineBox>, Vec<LineBox>) = boxes.into_iter().partition(value_like);
    values
        .chunks(BATCH)
        .chain(rest.chunks(BATCH))
        .map(<[LineBox]>::to_vec)
        .collect()
}

/// The skew of a page without an MRZ, measured on a small copy (skew is scale-free).
fn page_slope(rgb: &RgbImage) -> f32 {
    let (w, h) = rgb.dimensions();
    let scale = (f64::from(LOCATE_MAX_WIDTH) / f64::from(w.max(1))).min(1.0);
    if scale < 1.0 {
        let sh = ((f64::from(h) * scale).round() as u32).max(1);
        estimate_skew(
            &to_gray(&crate::resize::rgb(rgb, LOCATE_MAX_WIDTH, sh)),
            Ink::Global,
        )
    } else {
        estimate_skew(&to_gray(rgb), Ink::Global)
    }
}

/// The region with a margin (the recogniser was trained on loose crops; the regions here are
/// tighter than the MRZ's line boxes, so the margin is smaller).
fn padded_crop(page: &RgbImage, b: LineBox) -> RgbImage {
    crop_with_margin(page, b, b.height() / 3 + 1, b.height() / 4 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(x0: u32, y0: u32, w: u32, h: u32) -> LineBox {
        LineBox {
            x0,
            y0,
            x1: x0 + w,
            y1: y0 + h,
        }
    }

    #[test]
    fn values_are_read_before_captions_headlines_and_sentences() {
        let headline = b(40, 30, 120, 27);
        let caption = b(370, 184, 110, 15);
        let value = b(372, 210, 156, 20);
        let other_value = b(792, 210, 137, 20);
        let sentence = b(40, 500, 800, 20);
        let caption_2 = b(790, 184, 80, 14);
        let batches = reading_batches(vec![
            headline,
            caption,
            value,
            other_value,
            sentence,
            caption_2,
        ]);
        assert_eq!(
            batches,
            [
                vec![value, other_value],
                vec![headline, caption, caption_2, sentence]
            ]
        );
    }
}
