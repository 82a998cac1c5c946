//! Finding text lines without a detector model: Otsu binarisation, skew from
//! projection sharpness, then row bands with many ink transitions.

use image::{GrayImage, Rgb, RgbImage};

/// A text line's box, in pixels of the (deskewed) image.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct LineBox {
    pub x0: u32,
    pub y0: u32,
    pub x1: u32,
    pub y1: u32,
}

impl LineBox {
    pub fn width(self) -> u32 {
        self.x1 - self.x0
    }

    pub fn height(self) -> u32 {
        self.y1 - self.y0
    }
}

/// Skew is searched within ±this many degrees.
const MAX_SKEW_DEGREES: f32 = 10.0;
/// Step of the skew search's first pass, degrees.
const COARSE_STEP_DEGREES: f32 = 0.5;
/// Step of the skew search, degrees.
const SKEW_STEP_DEGREES: f32 = 0.1;
/// A row belongs to a text line when it crosses this many ink edges (a line of
/// 30+ MRZ characters crosses well over 60).
const MIN_ROW_TRANSITIONS: usize = 16;

/// Otsu's threshold of a grey image.
pub(crate) fn otsu_threshold(gray: &GrayImage) -> u8 {
    let mut hist = [0u64; 256];
    for p in gray.pixels() {
        hist[usize::from(p[0])] += 1;
    }
    let total: u64 = hist.iter().sum();
    let sum_all: f64 = hist
        .iter()
        .enumerate()
        .map(|(i, &n)| i as f64 * n as f64)
        .sum();
    let (mut weight_bg, mut sum_bg) = (0f64, 0f64);
    let (mut best, mut best_var) = (0u8, -1f64);
    for (t, &n) in hist.iter().enumerate() {
        weight_bg += n as f64;
        if weight_bg == 0.0 {
            continue;
        }
        let weight_fg = total as f64 - weight_bg;
        if weight_fg == 0.0 {
            break;
        }
        sum_bg += t as f64 * n as f64;
        let mean_bg = sum_bg / weight_bg;
        let mean_fg = (sum_all - sum_bg) / weight_fg;
        let var = weight_bg * weight_fg * (mean_bg - mean_fg).powi(2);
        if var > best_var {
            best_var = var;
            best = u8::try_from(t).unwrap_or(u8::MAX);
        }
    }
    best
}

/// How ink is told from paper.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ink {
    /// Darker than Otsu's threshold of the whole image: best for a page that fills the frame.
    Global,
    /// Darker than its neighbourhood by a margin (Bradley and Roth's adaptive threshold): text
    /// on a page lying on a darker or textured table, which a global threshold calls all ink.
    Local,
}

/// How much darker than its neighbourhood's mean a pixel must be to be ink, percent.
const LOCAL_INK_MARGIN_PERCENT: u32 = 15;

/// Which pixels of a grey image are ink.
pub(crate) struct InkMask {
    width: u32,
    ink: Vec<bool>,
}

impl InkMask {
    pub(crate) fn new(gray: &GrayImage, ink: Ink) -> Self {
        let (w, h) = gray.dimensions();
        let ink = match ink {
            Ink::Global => {
                let t = otsu_threshold(gray);
                gray.pixels().map(|p| p[0] <= t).collect()
            }
            Ink::Local => local_ink(gray),
        };
        debug_assert_eq!(ink.len(), (w as usize) * (h as usize));
        InkMask { width: w, ink }
    }

    fn at(&self, x: u32, y: u32) -> bool {
        self.ink[(y as usize) * (self.width as usize) + x as usize]
    }
}

/// Bradley and Roth: a pixel is ink when it is darker than the mean of the square around it
/// (an eighth of the image's longer side) by [`LOCAL_INK_MARGIN_PERCENT`]. A flat table is never
/// ink, whatever its shade.
fn local_ink(gray: &GrayImage) -> Vec<bool> {
    let radius = (gray.width().max(gray.height()) as usize / 16).max(4);
    darker_than_surroundings(gray, radius, LOCAL_INK_MARGIN_PERCENT)
}

/// Which pixels are darker than the mean of the square of `radius` around them by `percent`,
/// read from an integral image (row by row).
pub(crate) fn darker_than_surroundings(gray: &GrayImage, radius: usize, percent: u32) -> Vec<bool> {
    let (w, h) = (gray.width() as usize, gray.height() as usize);
    // Summed-area table with a zero row and column.
    let mut sat = vec![0u64; (w + 1) * (h + 1)];
    for y in 0..h {
        let mut row = 0u64;
        for x in 0..w {
            row += u64::from(gray.as_raw()[y * w + x]);
            sat[(y + 1) * (w + 1) + x + 1] = sat[y * (w + 1) + x + 1] + row;
        }
    }
    let keep = u64::from(100 - percent.min(100));
    let mut dark = Vec::with_capacity(w * h);
    for y in 0..h {
        let (y0, y1) = (y.saturating_sub(radius), (y + radius + 1).min(h));
        for x in 0..w {
            let (x0, x1) = (x.saturating_sub(radius), (x + radius + 1).min(w));
            let sum = sat[y1 * (w + 1) + x1] + sat[y0 * (w + 1) + x0]
                - sat[y0 * (w + 1) + x1]
                - sat[y1 * (w + 1) + x0];
            let count = ((x1 - x0) * (y1 - y0)) as u64;
            let p = u64::from(gray.as_raw()[y * w + x]);
            dark.push(p * 100 * count < sum * keep);
        }
    }
    dark
}

/// Ink pixels as `(x, y)`.
fn ink_points(gray: &GrayImage, ink: Ink) -> Vec<(u32, u32)> {
    let mask = InkMask::new(gray, ink);
    let w = gray.width();
    mask.ink
        .iter()
        .enumerate()
        .filter(|(_, ink)| **ink)
        .map(|(i, _)| ((i % w as usize) as u32, (i / w as usize) as u32))
        .collect()
}

/// The slope (tan of the angle) that makes the rows of ink sharpest: text lines
/// run along it.
pub(crate) fn estimate_skew(gray: &GrayImage, ink: Ink) -> f32 {
    let points = ink_points(gray, ink);
    if points.is_empty() {
        return 0.0;
    }
    let height = gray.height() as f32;
    let width = gray.width() as f32;
    let margin = width * MAX_SKEW_DEGREES.to_radians().tan() + 2.0;
    let bins = (height + 2.0 * margin) as usize + 1;
    let mut hist = vec![0u32; bins];
    let mut sharpness = |degrees: f32| -> f64 {
        let slope = degrees.to_radians().tan();
        hist.fill(0);
        for &(x, y) in &points {
            let shifted = y as f32 - x as f32 * slope + margin;
            hist[(shifted as usize).min(bins - 1)] += 1;
        }
        hist.iter().map(|&n| f64::from(n) * f64::from(n)).sum()
    };
    // A coarse pass, then a fine one around its best angle. A text line's peak is about
    // (line height / page width) radians wide, a degree or more on a document page, so the
    // coarse step cannot step over it.
    let coarse = best_angle(
        (-MAX_SKEW_DEGREES, MAX_SKEW_DEGREES),
        COARSE_STEP_DEGREES,
        &mut sharpness,
    );
    let fine = best_angle(
        (
            (coarse - COARSE_STEP_DEGREES).max(-MAX_SKEW_DEGREES),
            (coarse + COARSE_STEP_DEGREES).min(MAX_SKEW_DEGREES),
        ),
        SKEW_STEP_DEGREES,
        &mut sharpness,
    );
    fine.to_radians().tan()
}

/// The angle in `range` (degrees, both ends included, sampled every `step`) where
/// `sharpness` is highest, the smaller angle on ties.
fn best_angle(range: (f32, f32), step: f32, sharpness: &mut impl FnMut(f32) -> f64) -> f32 {
    let steps = ((range.1 - range.0) / step).round() as i32;
    let mut best = (0f32, f64::MIN);
    for i in 0..=steps {
        // Whole steps from -MAX keep the fine grid aligned with the old single pass.
        let degrees = ((range.0 + i as f32 * step) / step).round() * step;
        let score = sharpness(degrees);
        if score > best.1 || (score == best.1 && degrees.abs() < best.0.abs()) {
            best = (degrees, score);
        }
    }
    best.0
}

/// Shifts each column vertically so a line with `slope` becomes horizontal
/// (a shear; for a few degrees it is indistinguishable from a rotation).
pub(crate) fn unshear(rgb: &RgbImage, slope: f32) -> RgbImage {
    if slope == 0.0 {
        return rgb.clone();
    }
    let (w, h) = rgb.dimensions();
    let background = border_colour(rgb);
    RgbImage::from_fn(w, h, |x, y| {
        let src = y as f32 + x as f32 * slope;
        let y0 = src.floor();
        let frac = src - y0;
        let sample = |yy: f32| -> Rgb<u8> {
            if yy < 0.0 || yy >= h as f32 {
                background
            } else {
                *rgb.get_pixel(x, yy as u32)
            }
        };
        let (a, b) = (sample(y0), sample(y0 + 1.0));
        let mix = |i: usize| (f32::from(a[i]) * (1.0 - frac) + f32::from(b[i]) * frac) as u8;
        Rgb([mix(0), mix(1), mix(2)])
    })
}

fn border_colour(rgb: &RgbImage) -> Rgb<u8> {
    let (w, h) = rgb.dimensions();
    let mut sum = [0u64; 3];
    let mut n = 0u64;
    for x in 0..w {
        for y in [0, h - 1] {
            let p = rgb.get_pixel(x, y);
            for c in 0..3 {
                sum[c] += u64::from(p[c]);
            }
            n += 1;
        }
    }
    let avg = |c: usize| u8::try_from(sum[c] / n.max(1)).unwrap_or(u8::MAX);
    Rgb([avg(0), avg(1), avg(2)])
}

/// Text-line boxes, top to bottom.
pub(crate) fn find_lines(gray: &GrayImage, ink: Ink) -> Vec<LineBox> {
    let (w, h) = gray.dimensions();
    if w < 2 || h < 2 {
        return Vec::new();
    }
    let mask = InkMask::new(gray, ink);
    let ink = |x: u32, y: u32| mask.at(x, y);
    let texty: Vec<bool> = (0..h)
        .map(|y| (1..w).filter(|&x| ink(x, y) != ink(x - 1, y)).count() >= MIN_ROW_TRANSITIONS)
        .collect();
    let mut boxes = Vec::new();
    let mut y = 0;
    while y < h {
        if !texty[y as usize] {
            y += 1;
            continue;
        }
        let start = y;
        while y < h && texty[y as usize] {
            y += 1;
        }
        let (y0, y1) = (start, y);
        if y1 - y0 < 6 {
            continue;
        }
        if let Some((x0, x1)) = horizontal_extent(&mask, w, y0, y1) {
            boxes.push(LineBox { x0, y0, x1, y1 });
        }
    }
    boxes
}

/// The widest run of ink columns in rows `y0..y1`, merging gaps narrower than
/// twice the band height (the space between words or characters).
fn horizontal_extent(mask: &InkMask, w: u32, y0: u32, y1: u32) -> Option<(u32, u32)> {
    let max_gap = 2 * (y1 - y0);
    let cols: Vec<bool> = (0..w).map(|x| (y0..y1).any(|y| mask.at(x, y))).collect();
    let mut best: Option<(u32, u32)> = None;
    let mut current: Option<(u32, u32)> = None;
    for x in 0..w {
        if !cols[x as usize] {
            continue;
        }
        current = match current {
            Some((s, e)) if x - e <= max_gap => Some((s, x + 1)),
            Some(run) => {
                if best.is_none_or(|(s, e)| run.1 - run.0 > e - s) {
                    best = Some(run);
                }
                Some((x, x + 1))
            }
            None => Some((x, x + 1)),
        };
    }
    if let Some(run) = current
        && best.is_none_or(|(s, e)| run.1 - run.0 > e - s)
    {
        best = Some(run);
    }
    best
}

/// Grey copy for analysis.
pub(crate) fn to_gray(rgb: &RgbImage) -> GrayImage {
    let luma: Vec<u8> = rgb
        .as_raw()
        .chunks_exact(3)
        .map(|p| {
            (0.299 * f32::from(p[0]) + 0.587 * f32::from(p[1]) + 0.114 * f32::from(p[2])) as u8
        })
        .collect();
    GrayImage::from_raw(rgb.width(), rgb.height(), luma)
        .unwrap_or_else(|| GrayImage::new(rgb.width(), rgb.height()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two "text lines" of dashes (like characters) at `degrees`.
    fn dashed_lines(degrees: f32) -> RgbImage {
        let slope = degrees.to_radians().tan();
        RgbImage::from_fn(600, 200, |x, y| {
            let ink = [60.0f32, 120.0].iter().any(|&base| {
                let centre = base + x as f32 * slope;
                (y as f32 - centre).abs() < 8.0 && (20..580).contains(&x) && x % 12 < 7
            });
            if ink {
                Rgb([20, 20, 20])
            } else {
                Rgb([230, 230, 230])
            }
        })
    }

    #[test]
    fn otsu_splits_ink_from_paper() {
        let gray = to_gray(&dashed_lines(0.0));
        let t = otsu_threshold(&gray);
        assert!((20..230).contains(&t), "{t}");
    }

    #[test]
    fn skew_is_found_and_removed() {
        for degrees in [-6.0f32, -1.5, 0.0, 2.0, 8.0] {
            let rgb = dashed_lines(degrees);
            let slope = estimate_skew(&to_gray(&rgb), Ink::Global);
            let found = slope.atan().to_degrees();
            assert!((found - degrees).abs() <= 0.15, "{degrees}: {found}");
            let lines = find_lines(&to_gray(&unshear(&rgb, slope)), Ink::Global);
            assert_eq!(lines.len(), 2, "{degrees}: {lines:?}");
            assert!(
                lines.iter().all(|b| b.width() > 500 && b.height() < 24),
                "{lines:?}"
            );
        }
    }

    #[test]
    fn blank_image_has_no_lines() {
        let blank = GrayImage::from_pixel(300, 100, image::Luma([200]));
        for ink in [Ink::Global, Ink::Local] {
            assert!(find_lines(&blank, ink).is_empty());
            assert!(estimate_skew(&blank, ink).abs() < f32::EPSILON);
        }
    }

    /// The dashed lines' page turned by `degrees` (lines and edges alike, as in a photo) in
    /// the middle of a dark, noisy table.
    fn on_a_table(degrees: f32) -> RgbImage {
        let page = dashed_lines(0.0);
        let (w, h) = (page.width() as f32, page.height() as f32);
        let (sin, cos) = degrees.to_radians().sin_cos();
        let mut state = 7u32;
        RgbImage::from_fn(page.width() + 300, page.height() + 300, |x, y| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            let (dx, dy) = (x as f32 - w / 2.0 - 150.0, y as f32 - h / 2.0 - 150.0);
            let (sx, sy) = (
                cos * dx + sin * dy + w / 2.0,
                -sin * dx + cos * dy + h / 2.0,
            );
            if (0.0..w).contains(&sx) && (0.0..h).contains(&sy) {
                *page.get_pixel(sx as u32, sy as u32)
            } else {
                let n = (state % 21) as u8;
                Rgb([110 + n, 70 + n, 40 + n])
            }
        })
    }

    #[test]
    fn local_ink_finds_the_lines_of_a_page_on_a_dark_table() {
        for degrees in [-5.0f32, 0.0, 3.0] {
            let rgb = on_a_table(degrees);
            let gray = to_gray(&rgb);
            let global = estimate_skew(&gray, Ink::Global).atan().to_degrees();
            let local = estimate_skew(&gray, Ink::Local).atan().to_degrees();
            assert!((local - degrees).abs() <= 0.3, "{degrees}: {local}");
            if degrees != 0.0 {
                assert!(
                    (global - degrees).abs() > 0.3,
                    "the table misleads Otsu: {global}"
                );
            }
            let straight = to_gray(&unshear(&rgb, local.to_radians().tan()));
            let lines: Vec<LineBox> = find_lines(&straight, Ink::Local)
                .into_iter()
                .filter(|b| b.width() > 400 && b.height() < 24)
                .collect();
            assert_eq!(lines.len(), 2, "{degrees}: {lines:?}");
        }
    }
}
