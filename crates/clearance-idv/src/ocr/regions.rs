//! Finding the words and short lines of a document page without a model: pixels darker than
//! their surroundings, joined along rows into words, grouped into connected regions, then
//! words on one baseline merged into lines.
//!
//! The PP-OCRv6 DB detector finds text better on busy backgrounds, but takes 0.8 s per page
//! on one core of this machine kind; this takes a few milliseconds, and a page it cannot
//! segment only leaves the visual-zone comparisons `not_processed`.

use image::GrayImage;

use super::locate::{LineBox, darker_than_surroundings};

/// Pages are segmented at most this wide.
const WORK_WIDTH: u32 = 1_000;
/// A pixel is ink when it is this much darker than the mean of its neighbourhood (percent).
const DARKER_PERCENT: u32 = 15;
/// Ink pixels on a row closer than this many pixels (at [`WORK_WIDTH`]) are joined: the
/// strokes of one glyph and neighbouring glyphs, not words.
const JOIN_GAP: usize = 4;
/// Words on one baseline closer than this many heights are one line.
const WORD_GAP_HEIGHTS: f32 = 0.9;
/// Print is at least this much darker than its ground (grey levels).
const MIN_CONTRAST: f64 = 60.0;
/// The ground around print varies at most this much (standard deviation, grey levels).
const MAX_GROUND_SPREAD: f64 = 28.0;
/// Text is this many pixels high at least (at [`WORK_WIDTH`]).
const MIN_HEIGHT: u32 = 7;
/// Text is at most this fraction of the page width high (larger blobs are photos, seals).
const MAX_HEIGHT_FRACTION: u32 = 18;

/// Text regions of `gray`, in its pixels, top to bottom then left to right.
pub(crate) fn text_regions(gray: &GrayImage) -> Vec<LineBox> {
    let (w, h) = gray.dimensions();
    if w < 16 || h < 16 {
        return Vec::new();
    }
    let scale = (WORK_WIDTH as f32 / w as f32).min(1.0);
    let small;
    let work = if scale < 1.0 {
        let sh = ((h as f32 * scale).round() as u32).max(1);
        small = crate::resize::gray(gray, WORK_WIDTH, sh);
        &small
    } else {
        gray
    };
    let ink = ink_mask(work);
    let closed = join_rows(&ink, work.width() as usize);
    let words = components(&closed, &ink, work.width() as usize, work.height() as usize);
    let max_height = work.width() / MAX_HEIGHT_FRACTION;
    let words: Vec<LineBox> = words
        .into_iter()
        .filter(|c| {
            let b = c.bounds;
            let density = c.ink as f32 / (b.width() * b.height()) as f32;
            (MIN_HEIGHT..=max_height).contains(&b.height())
                && (0.08..=0.75).contains(&density)
                && looks_printed(work, &ink, b)
        })
        .map(|c| c.bounds)
        .collect();
    let mut lines = merge_words(words);
    lines.sort_by_key(|b| (b.y0, b.x0));
    let back = |v: u32, max: u32| ((v as f32 / scale).round() as u32).min(max);
    lines
        .into_iter()
        .map(|b| LineBox {
            x0: back(b.x0, w),
            y0: back(b.y0, h),
            x1: back(b.x1, w),
            y1: back(b.y1, h),
        })
        .collect()
}

/// Ink: darker than the local mean by [`DARKER_PERCENT`] (a window about a text line high,
/// so shading across the page does not matter).
fn ink_mask(gray: &GrayImage) -> Vec<bool> {
    darker_than_surroundings(gray, (gray.width() as usize / 40).max(8), DARKER_PERCENT)
}

/// Whether the region is dark marks on plain ground, as print is: the pixels that are not ink
/// are even (paper, not a photo's texture), and the ink is much darker than them.
fn looks_printed(gray: &GrayImage, ink: &[bool], b: LineBox) -> bool {
    let w = gray.width() as usize;
    let (mut ink_sum, mut ink_n) = (0f64, 0f64);
    let (mut ground_sum, mut ground_sq, mut ground_n) = (0f64, 0f64, 0f64);
    for y in b.y0..b.y1 {
        for x in b.x0..b.x1 {
            let i = y as usize * w + x as usize;
            let v = f64::from(gray.as_raw()[i]);
            if ink[i] {
                ink_sum += v;
                ink_n += 1.0;
            } else {
                ground_sum += v;
                ground_sq += v * v;
                ground_n += 1.0;
            }
        }
    }
    if ink_n == 0.0 || ground_n == 0.0 {
        return false;
    }
    let ground = ground_sum / ground_n;
    let spread = (ground_sq / ground_n - ground * ground).max(0.0).sqrt();
    ground - ink_sum / ink_n >= MIN_CONTRAST && spread <= MAX_GROUND_SPREAD
}

/// `ink` with gaps of at most [`JOIN_GAP`] pixels along each row filled.
fn join_rows(ink: &[bool], w: usize) -> Vec<bool> {
    let mut out = ink.to_vec();
    for row in out.chunks_mut(w) {
        let mut last: Option<usize> = None;
        for x in 0..row.len() {
            if row[x] {
                if let Some(l) = last
                    && x - l - 1 <= JOIN_GAP
                {
                    row[l + 1..x].fill(true);
                }
                last = Some(x);
            }
        }
    }
    out
}

/// A connected region of the joined mask and how many real ink pixels it holds.
struct Component {
    bounds: LineBox,
    ink: u32,
}

fn components(mask: &[bool], ink: &[bool], w: usize, h: usize) -> Vec<Component> {
    let mut seen = vec![false; mask.len()];
    let mut stack = Vec::new();
    let mut out = Vec::new();
    for start in 0..mask.len() {
        if seen[start] || !mask[start] {
            continue;
        }
        seen[start] = true;
        stack.push(start);
        let (mut x0, mut y0, mut x1, mut y1) = (w, h, 0usize, 0usize);
        let mut count = 0u32;
        while let Some(i) = stack.pop() {
            let (x, y) = (i % w, i / w);
            x0 = x0.min(x);
            x1 = x1.max(x);
            y0 = y0.min(y);
            y1 = y1.max(y);
            count += u32::from(ink[i]);
            for ny in y.saturating_sub(1)..=(y + 1).min(h - 1) {
                for nx in x.saturating_sub(1)..=(x + 1).min(w - 1) {
                    let j = ny * w + nx;
                    if !seen[j] && mask[j] {
                        seen[j] = true;
                        stack.push(j);
                    }
                }
            }
        }
        out.push(Component {
            bounds: LineBox {
                x0: x0 as u32,
                y0: y0 as u32,
                x1: x1 as u32 + 1,
                y1: y1 as u32 + 1,
            },
            ink: count,
        });
    }
    out
}

/// Merges words that share a baseline band and are less than [`WORD_GAP_HEIGHTS`] apart,
/// until nothing changes.
fn merge_words(mut boxes: Vec<LineBox>) -> Vec<LineBox> {
    boxes.sort_by_key(|b| b.x0);
    loop {
        let mut merged = false;
        let mut out: Vec<LineBox> = Vec::with_capacity(boxes.len());
        for b in boxes {
            if let Some(prev) = out.iter_mut().rev().find(|p| same_line(p, &b)) {
                *prev = LineBox {
                    x0: prev.x0.min(b.x0),
                    y0: prev.y0.min(b.y0),
                    x1: prev.x1.max(b.x1),
                    y1: prev.y1.max(b.y1),
                };
                merged = true;
            } else {
                out.push(b);
            }
        }
        boxes = out;
        if !merged {
            return boxes;
        }
    }
}

/// Whether `b` continues the line `a`: their rows overlap by most of the smaller height,
/// their heights are alike, and the gap between them is under [`WORD_GAP_HEIGHTS`] heights.
fn same_line(a: &LineBox, b: &LineBox) -> bool {
    let overlap = a.y1.min(b.y1).saturating_sub(a.y0.max(b.y0));
    let (low, high) = (a.height().min(b.height()), a.height().max(b.height()));
    let gap = b.x0.saturating_sub(a.x1).max(a.x0.saturating_sub(b.x1));
    2 * overlap >= low && 2 * low >= high && (gap as f32) < WORD_GAP_HEIGHTS * high as f32
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Luma;

    /// Paper with "words": runs of dark bars the size of capitals.
    fn page_with_words(words: &[(u32, u32, u32)]) -> GrayImage {
        GrayImage::from_fn(800, 300, |x, y| {
            let ink = words.iter().any(|&(wx, wy, letters)| {
                (wy..wy + 20).contains(&y)
                    && (wx..wx + letters * 14).contains(&x)
                    && (x - wx) % 14 < 9
                    && ((x - wx) % 14 < 3 || y == wy || y == wy + 19 || y == wy + 10)
            });
            Luma([if ink { 30 } else { 225 }])
        })
    }

    #[test]
    fn words_on_one_baseline_become_one_line_and_columns_stay_apart() {
        // "ANNA MARIA" (4 + 5 letters, one space) and a value in a second column.
        let gray = page_with_words(&[
            (40, 50, 4),
            (40 + 4 * 14 + 6, 50, 5),
            (500, 50, 7),
            (40, 150, 8),
        ]);
        let found = text_regions(&gray);
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(found[0].x0 <= 40 && found[0].x1 >= 40 + 9 * 14, "{found:?}");
        assert!(found[1].x0 >= 490, "{found:?}");
        assert!(
            found.iter().all(|b| (18..=24).contains(&b.height())),
            "{found:?}"
        );
    }

    #[test]
    fn textured_areas_and_blank_pages_give_no_text() {
        // A photo-like block: mid-grey with a pseudo-random texture, no paper around the marks.
        let mut seed = 7u32;
        let textured = GrayImage::from_fn(400, 300, |_, _| {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            Luma([110 + ((seed >> 16) % 90) as u8])
        });
        assert!(text_regions(&textured).is_empty());
        assert!(text_regions(&GrayImage::from_pixel(400, 300, Luma([220]))).is_empty());
    }
}
