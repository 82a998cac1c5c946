//! Deciding OCR-B lookalikes (`O`/`0`, `I`/`1`, `Z`/`2`, `S`/`5`, `B`/`8`, `G`/`6`, …)
//! from the image rather than from the recogniser's priors.
//!
//! MRZ text is monospaced, so once a line is located its character cells follow
//! from the line's extent and the character count (refined by the ink centroid of
//! each cell). A cell is cropped to its ink, scaled to the height of the vendored
//! glyph bitmaps (`ocrb_glyphs.rs`) keeping its aspect ratio, and compared with
//! each candidate glyph by normalised cross-correlation.

use image::GrayImage;

use super::locate::LineBox;
use super::ocrb_glyphs::{GLYPH_HEIGHT, GLYPHS};
use crate::mrz::{
    CharClass, MrzFormat, check_digit_matches, checked_spans, class_at, digit_lookalikes,
    letter_lookalikes,
};

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
/// A lookalike replaces the recogniser's character when its glyph, at the
/// line's blur, correlates with the cell better by at least this much.
const SHAPE_LEAD: f32 = 0.04;
/// `O` and `0` differ only in roundness, which blur hides: they are compared
/// with the sharp glyphs, and a lead of this much decides.
const ROUND_LEAD: f32 = 0.03;
/// An `O`/`0` cell with a smaller lead either way is unsure: if its field's
/// check digit fails, the single way of flipping unsure cells that makes it
/// pass is taken.
const ROUND_UNSURE: f32 = 0.03;
/// Most unsure cells flipped together in one field.
const MAX_UNSURE: usize = 4;
/// Cells are used only if the ink on the columns between them is at most this
/// fraction of the ink on the columns through their middles.
const MAX_BETWEEN: f32 = 0.6;
/// Each glyph is also stored blurred by these Gaussian sigmas (pixels of the
/// stored bitmap), to match cells from blurred or small text.
const TEMPLATE_BLURS: [f32; 4] = [0.0, 0.8, 1.6, 2.4];

/// The stored glyphs, normalised for correlation.
pub(crate) struct GlyphMatcher {
    /// (character, blur level, normalised glyph).
    templates: Vec<(u8, usize, Vec<f32>)>,
}

/// A cell's ink: `w × h`, row-major, 0 paper to 1 ink.
struct Ink {
    w: usize,
    h: usize,
    v: Vec<f32>,
}

impl Ink {
    fn at(&self, x: usize, y: usize) -> f32 {
        self.v[y * self.w + x]
    }
}

impl GlyphMatcher {
    pub fn new() -> Self {
        let mut templates = Vec::new();
        for &(c, rows) in GLYPHS {
            let w = rows.first().map_or(0, |r| r.len());
            let v: Vec<f32> = rows
                .iter()
                .flat_map(|r| r.chars())
                .map(|ch| ch.to_digit(16).map_or(0.0, |d| d as f32 / 15.0))
                .collect();
            let ink = pad(
                &Ink {
                    w,
                    h: rows.len(),
                    v,
                },
                4,
            );
            for (level, &sigma) in TEMPLATE_BLURS.iter().enumerate() {
                if let Some(n) = normalise(&blur(&ink, sigma)) {
                    templates.push((c, level, n));
                }
            }
        }
        Self { templates }
    }

    /// Correlation of `cell` (a normalised cell) with the glyph of `c` at blur
    /// `level`, or `None` when no glyph of `c` is stored.
    pub fn score(&self, cell: &[f32], c: u8, level: usize) -> Option<f32> {
        self.templates
            .iter()
            .find(|(k, l, _)| *k == c && *l == level)
            .map(|(_, _, t)| t.iter().zip(cell).map(|(a, b)| a * b).sum::<f32>())
    }

    /// The blur level at which the glyphs of `known` characters (cell, character
    /// pairs the recogniser is trusted on) match their cells best: the line's
    /// blur, for comparing lookalikes at.
    pub fn blur_level<'a>(&self, known: impl Iterator<Item = (&'a [f32], u8)>) -> usize {
        let mut totals = [0f32; TEMPLATE_BLURS.len()];
        for (cell, c) in known {
            for (level, total) in totals.iter_mut().enumerate() {
                *total += self.score(cell, c, level).unwrap_or(0.0);
            }
        }
        totals
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1))
            .map_or(0, |(level, _)| level)
    }

    /// Among `candidates`, the character whose glyph at blur `level` best matches
    /// `cell`, and its lead over `read` (the recogniser's answer). `None` when a
    /// glyph is missing.
    pub fn decide(
        &self,
        cell: &[f32],
        read: u8,
        candidates: &[u8],
        level: usize,
    ) -> Option<(u8, f32)> {
        let base = self.score(cell, read, level)?;
        let mut best = (read, base);
        for &c in candidates {
            let s = self.score(cell, c, level)?;
            if s > best.1 {
                best = (c, s);
            }
        }
        Some((best.0, best.1 - base))
    }
}

/// Lookalikes in alphanumeric positions (document number, optional data) of
/// `lines` decided from `cells` (per line, per column; lines of the wrong length
/// have none). Changes `lines` and returns the changes as (line, column, from, to).
pub(crate) fn decide_lookalikes(
    matcher: &GlyphMatcher,
    format: MrzFormat,
    lines: &mut [Vec<u8>],
    cells: &[Vec<Option<Vec<f32>>>],
) -> Vec<(usize, usize, u8, u8)> {
    let cell = |line: usize, col: usize| {
        cells
            .get(line)
            .and_then(|c| c.get(col))
            .and_then(Option::as_deref)
    };
    // The blur level, from cells whose class makes the recogniser's character
    // trustworthy (dates, check digits, codes, names).
    let mut known = Vec::new();
    for (index, line) in lines.iter().enumerate() {
        for (col, &c) in line.iter().enumerate() {
            let class = class_at(format, index, col);
            if matches!(class, CharClass::Digit | CharClass::Alpha)
                && c != b'<'
                && class.admits(c)
                && let Some(cell) = cell(index, col)
            {
                known.push((cell, c));
            }
        }
    }
    let level = matcher.blur_level(known.into_iter());
    let original = lines.to_vec();
    let mut changes = Vec::new();
    // (line, column, the other character) of unsure `O`/`0` cells.
    let mut unsure: Vec<(usize, usize, u8)> = Vec::new();
    for (index, line) in lines.iter_mut().enumerate() {
        for (col, slot) in line.iter_mut().enumerate() {
            let read = *slot;
            let class = class_at(format, index, col);
            let Some(cell) = cell(index, col) else {
                continue;
            };
            let to =
                match class {
                    CharClass::AlphaNum if read.is_ascii_digit() => {
                        // Letters other than `O` by shape at the line's blur; `O`
                        // against `0` by roundness.
                        let others: Vec<u8> = letters_like(read)
                            .into_iter()
                            .filter(|&l| l != b'O')
                            .collect();
                        match matcher.decide(cell, read, &others, level) {
                            Some((to, lead)) if to != read && lead >= SHAPE_LEAD => Some(to),
                            _ if read == b'0' => {
                                round(matcher, cell, read, (index, col), &mut unsure)
                            }
                            _ => None,
                        }
                    }
                    CharClass::AlphaNum if read == b'O' => {
                        round(matcher, cell, read, (index, col), &mut unsure)
                    }
                    CharClass::AlphaNum => matcher
                        .decide(cell, read, digit_lookalikes(read), level)
                        .and_then(|(to, lead)| (to != read && lead >= SHAPE_LEAD).then_some(to)),
                    // A digit where only letters are allowed: class correction would
                    // take its first lookalike; take another if its shape is clearly
                    // better.
                    CharClass::Alpha if read.is_ascii_digit() => {
                        let letters = letters_like(read);
                        match letters.first() {
                            Some(&first) => matcher.decide(cell, first, &letters, level).and_then(
                                |(to, lead)| (to != first && lead >= SHAPE_LEAD).then_some(to),
                            ),
                            None => None,
                        }
                    }
                    _ => None,
                };
            if let Some(to) = to
                && to != read
            {
                *slot = to;
                changes.push((index, col, read, to));
            }
        }
    }
    // Unsure `O`/`0` cells in check-digited fields whose digit fails.
    for span in checked_spans(lines, format) {
        let Some(&cd) = lines
            .get(span.check_digit.0)
            .and_then(|l| l.get(span.check_digit.1))
        else {
            continue;
        };
        let field = |lines: &[Vec<u8>]| -> Vec<u8> {
            span.positions
                .iter()
                .filter_map(|&(l, c)| lines.get(l).and_then(|line| line.get(c)).copied())
                .collect()
        };
        // A check digit read as a letter counts as its one digit lookalike (class
        // correction makes the same change once the field passes).
        let cd = match digit_lookalikes(cd) {
            [d] if !cd.is_ascii_digit() => *d,
            _ => cd,
        };
        if !cd.is_ascii_digit() || check_digit_matches(&field(lines), cd) {
            continue;
        }
        let here: Vec<(usize, usize, u8)> = unsure
            .iter()
            .copied()
            .filter(|&(l, c, _)| span.positions.contains(&(l, c)))
            .collect();
        if here.is_empty() || here.len() > MAX_UNSURE {
            continue;
        }
        let mut passing = Vec::new();
        for mask in 1u32..(1 << here.len()) {
            let mut trial = lines.to_vec();
            for (bit, &(l, c, other)) in here.iter().enumerate() {
                if mask & (1 << bit) != 0 {
                    trial[l][c] = other;
                }
            }
            if check_digit_matches(&field(&trial), cd) {
                passing.push(mask);
            }
        }
        if let [mask] = passing.as_slice() {
            for (bit, &(l, c, other)) in here.iter().enumerate() {
                if mask & (1 << bit) != 0 {
                    changes.push((l, c, lines[l][c], other));
                    lines[l][c] = other;
                }
            }
        }
    }
    // A check digit that passed on the recogniser's text and fails after the
    // changes convicts them: undo those in its field.
    for span in checked_spans(&original, format) {
        let passes = |lines: &[Vec<u8>]| {
            let field: Vec<u8> = span
                .positions
                .iter()
                .filter_map(|&(l, c)| lines.get(l).and_then(|line| line.get(c)).copied())
                .collect();
            lines
                .get(span.check_digit.0)
                .and_then(|l| l.get(span.check_digit.1))
                .is_some_and(|&cd| check_digit_matches(&field, cd))
        };
        if passes(&original) && !passes(lines) {
            changes.retain(|&(l, c, _, _)| {
                let inside = span.positions.contains(&(l, c));
                if inside {
                    lines[l][c] = original[l][c];
                }
                !inside
            });
        }
    }
    changes
}

/// Letters that OCR-B digit `d` may stand for (the lookalike tables read both
/// ways), most likely first.
fn letters_like(d: u8) -> Vec<u8> {
    let first = letter_lookalikes(d);
    let mut out = first.to_vec();
    out.extend((b'A'..=b'Z').filter(|&l| digit_lookalikes(l).contains(&d) && !first.contains(&l)));
    out
}

/// `O` against `0` in an alphanumeric cell, with the sharp glyphs: the other
/// character when it leads by [`ROUND_LEAD`]; a cell with a smaller lead either
/// way is noted in `unsure` (with the other character).
fn round(
    matcher: &GlyphMatcher,
    cell: &[f32],
    read: u8,
    at: (usize, usize),
    unsure: &mut Vec<(usize, usize, u8)>,
) -> Option<u8> {
    let other = if read == b'0' { b'O' } else { b'0' };
    let lead = matcher.score(cell, other, 0)? - matcher.score(cell, read, 0)?;
    if lead >= ROUND_LEAD {
        Some(other)
    } else {
        if lead.abs() < ROUND_UNSURE {
            unsure.push((at.0, at.1, other));
        }
        None
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
fn normalise(ink: &Ink) -> Option<Vec<f32>> {
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
fn pad(ink: &Ink, margin: usize) -> Ink {
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
fn blur(ink: &Ink, sigma: f32) -> Ink {
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

#[cfg(test)]
mod tests {
    use image::imageops::{self, FilterType};
    use image::{GrayImage, Luma};

    use super::*;

    /// The stored bitmap of `c` as a grey image, ink black on white.
    fn glyph_image(c: u8) -> Option<GrayImage> {
        let rows = GLYPHS
            .iter()
            .find(|(k, _)| *k == c)
            .map(|(_, rows)| *rows)?;
        let w = rows[0].len() as u32;
        Some(GrayImage::from_fn(w, rows.len() as u32, |x, y| {
            let d = rows[y as usize]
                .chars()
                .nth(x as usize)
                .and_then(|ch| ch.to_digit(16))
                .unwrap_or(0);
            Luma([255 - (d * 17) as u8])
        }))
    }

    /// A line of `text` (characters without a stored glyph left blank) with glyphs `height`
    /// pixels high at a pitch of 0.85 × height, blurred by `sigma`, and its box.
    fn line_image(text: &[u8], height: u32, sigma: f32) -> (GrayImage, LineBox) {
        let pitch = (height as f32 * 0.85).round() as u32;
        let margin = height;
        let width = 2 * margin + pitch * text.len() as u32;
        let mut img = GrayImage::from_pixel(width, 3 * height, Luma([235]));
        for (i, &c) in text.iter().enumerate() {
            let Some(g) = glyph_image(c) else {
                continue;
            };
            let w = (g.width() * height).div_ceil(g.height());
            let g = imageops::resize(&g, w, height, FilterType::Triangle);
            let left = margin + pitch * i as u32 + (pitch - w.min(pitch)) / 2;
            for (x, y, p) in g.enumerate_pixels() {
                let px = img.get_pixel_mut(left + x, height + y);
                px[0] = px[0].min(p[0].saturating_add(25));
            }
        }
        let img = if sigma > 0.0 {
            imageops::blur(&img, sigma)
        } else {
            img
        };
        // The box of a real line spans all its characters (fillers have ink).
        let b = LineBox {
            x0: margin + pitch / 8,
            y0: height,
            x1: margin + pitch * text.len() as u32 - pitch / 8,
            y1: 2 * height,
        };
        (img, b)
    }

    #[test]
    fn letters_like_reads_the_tables_both_ways() {
        assert_eq!(letters_like(b'0'), b"ODQU".to_vec());
        assert_eq!(letters_like(b'1'), b"IJL".to_vec());
        assert_eq!(letters_like(b'8'), b"B".to_vec());
        assert!(letters_like(b'9').is_empty());
    }

    #[test]
    fn lookalike_pairs_are_told_apart_on_rendered_cells() {
        let matcher = GlyphMatcher::new();
        let text = b"O0I1Z2S5B8G6D0Q";
        for (height, sigma) in [(24, 0.0), (16, 0.6), (12, 0.9)] {
            let (img, b) = line_image(text, height, sigma);
            let cells = line_cells(&img, b, text.len(), 0.0);
            let level = matcher.blur_level(
                text.iter()
                    .zip(&cells)
                    .filter_map(|(&c, cell)| cell.as_deref().map(|cell| (cell, c))),
            );
            for (i, (&truth, cell)) in text.iter().zip(&cells).enumerate() {
                let cell = cell.as_deref().expect("cell found");
                let (rival, blur) = match truth {
                    b'O' => (b'0', 0),
                    b'0' if i == 1 => (b'O', 0),
                    b'0' => (b'D', level),
                    b'D' => (b'0', level),
                    b'Q' => (b'0', level),
                    c if c.is_ascii_digit() => (letters_like(c)[0], level),
                    c => (digit_lookalikes(c)[0], level),
                };
                // Roundness, all that tells `O` from `0`, is lost in small blurred
                // text (there the check digit decides unsure cells).
                if blur == 0 && height < 16 {
                    continue;
                }
                let (best, lead) = matcher.decide(cell, rival, &[truth], blur).expect("glyphs");
                assert_eq!(
                    char::from(best),
                    char::from(truth),
                    "height {height}, sigma {sigma}, cell {i}"
                );
                assert!(lead > 0.0, "height {height}, sigma {sigma}, cell {i}");
            }
        }
    }

    #[test]
    fn blank_cells_are_none() {
        let (img, b) = line_image(b"O<<0", 20, 0.0);
        let cells = line_cells(&img, b, 4, 0.0);
        assert!(cells[0].is_some() && cells[3].is_some());
        assert!(cells[1].is_none() && cells[2].is_none());
    }

    #[test]
    fn sheared_cells_are_straightened() {
        // Upright strokes leaning by the slope a column shear leaves behind.
        let matcher = GlyphMatcher::new();
        let text = b"I1I1";
        let (img, b) = line_image(text, 24, 0.0);
        let slope = 0.08f32;
        let (w, h) = img.dimensions();
        let yc = (b.y0 + b.y1) as f32 / 2.0;
        let leaning = GrayImage::from_fn(w, h, |x, y| {
            let sx = x as f32 + slope * (y as f32 - yc);
            if sx < 0.0 || sx >= w as f32 - 1.0 {
                Luma([235])
            } else {
                *img.get_pixel(sx.round() as u32, y)
            }
        });
        let cells = line_cells(&leaning, b, text.len(), slope);
        for (&truth, cell) in text.iter().zip(&cells) {
            let rival = if truth == b'I' { b'1' } else { b'I' };
            let cell = cell.as_deref().expect("cell found");
            let (best, _) = matcher.decide(cell, rival, &[truth], 0).expect("glyphs");
            assert_eq!(best, truth);
        }
    }

    #[test]
    fn document_number_lookalikes_are_decided_and_checked() {
        // MRV-B line 2: number ZO1B5G (check digit 6) read as 201856.
        let matcher = GlyphMatcher::new();
        let truth = b"ZO1B5G<<<6UTO9001011M3001019<<<<<<<<".to_vec();
        assert!(check_digit_matches(&truth[..9], truth[9]));
        let mut read = truth.clone();
        read[..6].copy_from_slice(b"201856");
        let (img, b) = line_image(&truth, 20, 0.5);
        let cells = vec![Vec::new(), line_cells(&img, b, truth.len(), 0.0)];
        let mut lines = vec![b"V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<".to_vec(), read];
        let changes = decide_lookalikes(&matcher, MrzFormat::MrvB, &mut lines, &cells);
        assert_eq!(lines[1], truth, "{changes:?}");
        // `1` and `5` are digits in the number and stay.
        assert_eq!(changes.len(), 4);
    }

    #[test]
    fn changes_that_break_a_passing_check_digit_are_undone() {
        // The image shows ZO1B5G, but the text read, 201856, passes its check
        // digit (2): the glyphs must not turn a passing number into a failing one.
        let matcher = GlyphMatcher::new();
        let shown = b"ZO1B5G<<<6UTO9001011M3001019<<<<<<<<".to_vec();
        let read = b"201856<<<2UTO9001011M3001019<<<<<<<<".to_vec();
        assert!(check_digit_matches(&read[..9], read[9]));
        let (img, b) = line_image(&shown, 20, 0.5);
        let cells = vec![Vec::new(), line_cells(&img, b, shown.len(), 0.0)];
        let mut lines = vec![
            b"V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<".to_vec(),
            read.clone(),
        ];
        let changes = decide_lookalikes(&matcher, MrzFormat::MrvB, &mut lines, &cells);
        assert!(changes.is_empty(), "{changes:?}");
        assert_eq!(lines[1], read);
    }

    #[test]
    fn cells_off_the_pitch_are_not_used() {
        // Twelve characters where the format expects nine: no pitch fits them.
        let (img, b) = line_image(b"O0I1Z2S5B8G6", 20, 0.0);
        let cells = line_cells(&img, b, 9, 0.0);
        assert!(cells.iter().all(Option::is_none));
        assert!(line_cells(&img, b, 12, 0.0).iter().all(Option::is_some));
    }

    #[test]
    fn unsure_round_cells_are_settled_by_the_check_digit() {
        // Number O12345676, check digit 0 (read as the letter O). The first cell
        // looks exactly as much like `O` as like `0`; only reading it `O` makes the
        // check digit pass.
        let matcher = GlyphMatcher::new();
        let sharp = |c: u8| {
            matcher
                .templates
                .iter()
                .find(|(k, l, _)| *k == c && *l == 0)
                .map(|(_, _, t)| t.clone())
                .expect("glyph stored")
        };
        let mut both: Vec<f32> = sharp(b'O')
            .iter()
            .zip(sharp(b'0'))
            .map(|(a, b)| a + b)
            .collect();
        let norm = both.iter().map(|v| v * v).sum::<f32>().sqrt();
        both.iter_mut().for_each(|v| *v /= norm);
        let mut cells = vec![Vec::new(), vec![None; 36]];
        cells[1][0] = Some(both);
        let mut lines = vec![
            b"V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<".to_vec(),
            b"012345676OUTO9001011M3001019<<<<<<<<".to_vec(),
        ];
        let changes = decide_lookalikes(&matcher, MrzFormat::MrvB, &mut lines, &cells);
        assert_eq!(changes, vec![(1, 0, b'0', b'O')]);
        assert_eq!(&lines[1][..10], b"O12345676O");
    }
}
