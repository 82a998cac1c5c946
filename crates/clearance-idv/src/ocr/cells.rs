//! Cutting an MRZ line into its character cells for glyph comparison.
//!
//! MRZ text is monospaced, so once a line is located its character cells follow
//! from the line's extent and the character count (refined by the ink centroid of
//! each cell). A cell is cropped to its ink and scaled to the height of the vendored
//! glyph bitmaps (`ocrb_glyphs.rs`) keeping its aspect ratio.

use image::GrayImage;

use super::locate::LineBox;
use super::ocrb_glyphs::GLYPH_HEIGHT;

/// Rows of a normalised cell (the stored glyphs' height).
const NORM_H: usize = GLYPH_HEIGHT;
/// Columns of a normalised cell: the glyph, centred, with room for the widest.
const NORM_W: usize = 24;
/// A cell whose strongest ink is weaker than this (0 paper, 1 the line's ink)
/// is treated as blank.
const MIN_CELL_INK: f32 = 0.3;
/// Pixels at this fraction of a cell's strongest ink or more count as ink when
/// cropping it.
const INK_FRACTION: f32 = 0.45;

/// Cells are used only if the ink on the columns between them is at most this
/// fraction of the ink on the columns through their middles.
const MAX_BETWEEN: f32 = 0.6;

/// A cell's ink: `w × h`, row-major, 0 paper to 1 ink.
pub(super) struct Ink {
    pub(super) w: usize,
    pub(super) h: usize,
    pub(super) v: Vec<f32>,
}

impl Ink {
    pub(super) fn at(&self, x: usize, y: usize) -> f32 {
        self.v[y * self.w + x]
    }
}

/// The line's character cells, normalised for [`GlyphMatcher`] (`None` for a
/// blank or unusable cell). `count` is the number of characters on the line;
/// `slope` the skew removed by shearing columns (which leaves upright strokes
/// leaning by it, undone here).
pub(crate) fn line_cells(
    gray: &GrayImage,
    line: LineBox,
    count: usize,
    slope: f32,
) -> Vec<Option<Vec<f32>>> {
    let (w, h) = gray.dimensions();
    if count == 0 || line.width() < count as u32 || line.height() == 0 {
        return vec![None; count];
    }
    let band = line.height() as f32;
    let y0 = (line.y0 as f32 - 0.35 * band).max(0.0) as u32;
    let y1 = ((line.y1 as f32 + 0.35 * band) as u32).min(h);
    let (paper, ink) = levels(gray, line, y0, y1);
    if paper - ink < 20.0 {
        return vec![None; count];
    }
    let ink_at = |x: u32, y: u32| {
        ((paper - f32::from(gray.get_pixel(x, y)[0])) / (paper - ink)).clamp(0.0, 1.0)
    };
    // Cell centres: x = a + b·i, first from the extent, then fitted to the ink
    // centroids of the cells.
    let mut b = line.width() as f32 / count as f32;
    let mut a = line.x0 as f32 + 0.5 * b;
    let mut points = Vec::with_capacity(count);
    for _ in 0..2 {
        points.clear();
        for i in 0..count {
            let c = a + b * i as f32;
            let (lo, hi) = window(c, b, w);
            let (mut mass, mut moment) = (0f32, 0f32);
            for x in lo..hi {
                for y in y0..y1 {
                    let v = ink_at(x, y);
                    mass += v;
                    moment += v * x as f32;
                }
            }
            if mass > 0.0 {
                points.push((i as f32, moment / mass + 0.5));
            }
        }
        if let Some((fa, fb)) = fit_line(&points)
            && (fb - b).abs() < 0.1 * b
        {
            a = fa;
            b = fb;
        }
    }
    // Cells that do not sit on one pitch (a box that is not one MRZ line, or a
    // line with another character count): no cells rather than wrong ones.
    // Between OCR-B glyphs there is little ink; across a glyph's middle, much.
    let column = |x: f32| -> f32 {
        let x = x.round();
        if x < 0.0 || x >= w as f32 {
            return 0.0;
        }
        (y0..y1).map(|y| ink_at(x as u32, y)).sum()
    };
    let (mut between, mut across) = (0f32, 0f32);
    for i in 0..count {
        let c = a + b * i as f32;
        across += column(c);
        if i + 1 < count {
            between += column(c + 0.5 * b);
        }
    }
    if points.len() < count / 4 || between > MAX_BETWEEN * across {
        return vec![None; count];
    }
    (0..count)
        .map(|i| {
            let (lo, hi) = window(a + b * i as f32, b, w);
            let cw = (hi - lo) as usize;
            let ch = (y1 - y0) as usize;
            let mut v = Vec::with_capacity(cw * ch);
            let yc = (line.y0 + line.y1) as f32 / 2.0;
            for y in y0..y1 {
                let shift = -slope * (y as f32 - yc);
                for x in lo..hi {
                    let sx = x as f32 + shift;
                    let fx = sx.floor();
                    let frac = sx - fx;
                    let get = |xx: f32| {
                        if xx < 0.0 || xx >= w as f32 {
                            0.0
                        } else {
                            ink_at(xx as u32, y)
                        }
                    };
                    v.push(get(fx) * (1.0 - frac) + get(fx + 1.0) * frac);
                }
            }
            normalise(&Ink { w: cw, h: ch, v })
        })
        .collect()
}

/// Columns `lo..hi` of the cell centred on `c` with pitch `pitch`.
fn window(c: f32, pitch: f32, width: u32) -> (u32, u32) {
    let lo = (c - 0.5 * pitch).round().max(0.0) as u32;
    let hi = ((c + 0.5 * pitch).round().max(0.0) as u32).min(width);
    (lo.min(hi), hi)
}

/// Least-squares `y = a + b·x`.
fn fit_line(points: &[(f32, f32)]) -> Option<(f32, f32)> {
    let n = points.len() as f32;
    if points.len() < 2 {
        return None;
    }
    let (sx, sy) = points
        .iter()
        .fold((0f32, 0f32), |(sx, sy), &(x, y)| (sx + x, sy + y));
    let (mx, my) = (sx / n, sy / n);
    let (mut sxx, mut sxy) = (0f32, 0f32);
    for &(x, y) in points {
        sxx += (x - mx) * (x - mx);
        sxy += (x - mx) * (y - my);
    }
    if sxx <= 0.0 {
        return None;
    }
    let b = sxy / sxx;
    Some((my - b * mx, b))
}

/// Grey levels of paper (bright percentile) and ink (dark percentile) around a line.
fn levels(gray: &GrayImage, line: LineBox, y0: u32, y1: u32) -> (f32, f32) {
    let mut hist = [0u32; 256];
    let mut n = 0u32;
    for y in y0..y1 {
        for x in line.x0..line.x1.min(gray.width()) {
            hist[usize::from(gray.get_pixel(x, y)[0])] += 1;
            n += 1;
        }
    }
    let percentile = |p: f32| {
        let target = (n as f32 * p) as u32;
        let mut acc = 0u32;
        for (v, &k) in hist.iter().enumerate() {
            acc += k;
            if acc > target {
                return v as f32;
            }
        }
        255.0
    };
    (percentile(0.85), percentile(0.04))
}

/// Crops `ink` to its glyph, scales it to `NORM_H` rows keeping the aspect ratio,
/// centres it in `NORM_W` columns and makes it zero-mean with unit norm. `None`
/// for a blank cell.
pub(super) fn normalise(ink: &Ink) -> Option<Vec<f32>> {
    let peak = ink.v.iter().copied().fold(0f32, f32::max);
    if peak < MIN_CELL_INK {
        return None;
    }
    let t = INK_FRACTION * peak;
    // Columns: the run of ink columns holding the most ink (neighbours' edges
    // may reach into the window).
    let col_ink: Vec<f32> = (0..ink.w)
        .map(|x| (0..ink.h).map(|y| ink.at(x, y)).fold(0f32, f32::max))
        .collect();
    let (x0, x1) = heaviest_run(&col_ink, t, |x| (0..ink.h).map(|y| ink.at(x, y)).sum())?;
    let row_ink: Vec<f32> = (0..ink.h)
        .map(|y| (x0..x1).map(|x| ink.at(x, y)).fold(0f32, f32::max))
        .collect();
    let (y0, y1) = heaviest_run(&row_ink, t, |y| (x0..x1).map(|x| ink.at(x, y)).sum())?;
    let (gw, gh) = ((x1 - x0) as f32, (y1 - y0) as f32);
    let scale = NORM_H as f32 / gh;
    let out_w = (gw * scale).min(NORM_W as f32);
    let left = (NORM_W as f32 - out_w) / 2.0;
    let mut out = vec![0f32; NORM_W * NORM_H];
    for oy in 0..NORM_H {
        for ox in 0..NORM_W {
            let sx = (ox as f32 + 0.5 - left) / scale + x0 as f32 - 0.5;
            let sy = (oy as f32 + 0.5) / scale + y0 as f32 - 0.5;
            out[oy * NORM_W + ox] = bilinear(ink, sx, sy);
        }
    }
    let mean = out.iter().sum::<f32>() / out.len() as f32;
    out.iter_mut().for_each(|v| *v -= mean);
    let norm = out.iter().map(|v| v * v).sum::<f32>().sqrt();
    if norm <= f32::EPSILON {
        return None;
    }
    out.iter_mut().for_each(|v| *v /= norm);
    Some(out)
}

/// The run of indices with `profile ≥ t` (gaps of one index bridged) whose
/// `mass` is largest, as `start..end`.
fn heaviest_run(profile: &[f32], t: f32, mass: impl Fn(usize) -> f32) -> Option<(usize, usize)> {
    let mut best: Option<(usize, usize, f32)> = None;
    let mut i = 0;
    while i < profile.len() {
        if profile[i] < t {
            i += 1;
            continue;
        }
        let start = i;
        let mut end = i;
        while i < profile.len() {
            if profile[i] >= t {
                end = i + 1;
            } else if !(i + 1 < profile.len() && profile[i + 1] >= t) {
                break;
            }
            i += 1;
        }
        let m: f32 = (start..end).map(&mass).sum();
        if best.is_none_or(|(_, _, bm)| m > bm) {
            best = Some((start, end, m));
        }
    }
    best.map(|(s, e, _)| (s, e))
}

/// `ink` sampled at `(x, y)` (pixel centres at integers), 0 outside.
fn bilinear(ink: &Ink, x: f32, y: f32) -> f32 {
    let (fx, fy) = (x.floor(), y.floor());
    let (dx, dy) = (x - fx, y - fy);
    let get = |xx: f32, yy: f32| {
        if xx < 0.0 || yy < 0.0 || xx >= ink.w as f32 || yy >= ink.h as f32 {
            0.0
        } else {
            ink.at(xx as usize, yy as usize)
        }
    };
    let top = get(fx, fy) * (1.0 - dx) + get(fx + 1.0, fy) * dx;
    let bottom = get(fx, fy + 1.0) * (1.0 - dx) + get(fx + 1.0, fy + 1.0) * dx;
    top * (1.0 - dy) + bottom * dy
}

/// `ink` with `margin` blank pixels on every side.
pub(super) fn pad(ink: &Ink, margin: usize) -> Ink {
    let (w, h) = (ink.w + 2 * margin, ink.h + 2 * margin);
    let mut v = vec![0f32; w * h];
    for y in 0..ink.h {
        for x in 0..ink.w {
            v[(y + margin) * w + x + margin] = ink.at(x, y);
        }
    }
    Ink { w, h, v }
}

/// Separable Gaussian blur (`sigma` 0: a copy).
pub(super) fn blur(ink: &Ink, sigma: f32) -> Ink {
    if sigma <= 0.0 {
        return Ink {
            w: ink.w,
            h: ink.h,
            v: ink.v.clone(),
        };
    }
    let radius = (3.0 * sigma).ceil() as isize;
    let kernel: Vec<f32> = (-radius..=radius)
        .map(|i| (-(i * i) as f32 / (2.0 * sigma * sigma)).exp())
        .collect();
    let total: f32 = kernel.iter().sum();
    let pass = |src: &[f32], horizontal: bool| -> Vec<f32> {
        let mut out = vec![0f32; src.len()];
        for y in 0..ink.h {
            for x in 0..ink.w {
                let mut acc = 0f32;
                for (k, weight) in kernel.iter().enumerate() {
                    let d = k as isize - radius;
                    let (sx, sy) = if horizontal {
                        (x as isize + d, y as isize)
                    } else {
                        (x as isize, y as isize + d)
                    };
                    if sx >= 0 && sy >= 0 && (sx as usize) < ink.w && (sy as usize) < ink.h {
                        acc += weight * src[sy as usize * ink.w + sx as usize];
                    }
                }
                out[y * ink.w + x] = acc / total;
            }
        }
        out
    };
    let v = pass(&pass(&ink.v, true), false);
    Ink {
        w: ink.w,
        h: ink.h,
        v,
    }
}
