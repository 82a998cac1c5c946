//! A document photographed at an angle: find the page's outline on the background (the
//! largest light region), take its four corners, and warp it back to a flat rectangle, so the
//! MRZ reader sees straight, evenly spaced lines again.

use std::collections::VecDeque;

use image::{GrayImage, RgbImage, imageops};

use super::locate::otsu_threshold;

/// A point in image pixels.
pub type Corner = (f32, f32);

/// The longest side the outline is searched at.
const SEARCH_SIDE: u32 = 600;
/// The page must cover at least this share of the photo to be taken for one.
const MIN_PAGE_SHARE: f32 = 0.15;
/// ... and at most this share: a page filling the photo has nothing to flatten.
const MAX_PAGE_SHARE: f32 = 0.97;

/// Where a page lies in a photo, and the size it is flattened to.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PageOutline {
    /// Top left, top right, bottom right, bottom left, in the photo's pixels.
    pub corners: [Corner; 4],
    pub width: u32,
    pub height: u32,
}

impl PageOutline {
    /// The outline of the page lying on a darker background in `rgb`, if one can be found.
    pub fn find(rgb: &RgbImage) -> Option<PageOutline> {
        let corners = page_corners(&super::locate::to_gray(rgb))?;
        let [tl, tr, br, bl] = corners;
        let side = |a: Corner, b: Corner| (a.0 - b.0).hypot(a.1 - b.1);
        let width = side(tl, tr).max(side(bl, br)).round();
        let height = side(tl, bl).max(side(tr, br)).round();
        if width < 16.0 || height < 16.0 {
            return None;
        }
        Some(PageOutline {
            corners,
            width: width as u32,
            height: height as u32,
        })
    }

    /// The page warped flat.
    pub fn flatten(&self, rgb: &RgbImage) -> RgbImage {
        warp(rgb, self.corners, self.width, self.height)
    }
}

/// The corners (top left, top right, bottom right, bottom left) of the largest light region of
/// `gray`: a page on a darker table.
pub fn page_corners(gray: &GrayImage) -> Option<[Corner; 4]> {
    let (w, h) = gray.dimensions();
    let scale = (SEARCH_SIDE as f32 / w.max(h) as f32).min(1.0);
    let (sw, sh) = (
        ((w as f32 * scale).round() as u32).max(1),
        ((h as f32 * scale).round() as u32).max(1),
    );
    let small = imageops::thumbnail(gray, sw, sh);
    let threshold = otsu_threshold(&small);
    let light: Vec<bool> = small.pixels().map(|p| p[0] > threshold).collect();
    let region = largest_region(&light, sw as usize, sh as usize);
    let share = region.len() as f32 / (sw * sh) as f32;
    if !(MIN_PAGE_SHARE..=MAX_PAGE_SHARE).contains(&share) {
        return None;
    }
    // Extreme points along the diagonals: the corners of a convex quadrilateral turned less
    // than 45°.
    let pick = |key: &dyn Fn(f32, f32) -> f32, most: bool| -> Corner {
        let mut best = (0.0, 0.0);
        let mut best_key = if most { f32::MIN } else { f32::MAX };
        for &i in &region {
            let (x, y) = ((i % sw as usize) as f32, (i / sw as usize) as f32);
            let k = key(x, y);
            if (most && k > best_key) || (!most && k < best_key) {
                best_key = k;
                best = (x, y);
            }
        }
        (best.0 / scale, best.1 / scale)
    };
    let tl = pick(&|x, y| x + y, false);
    let br = pick(&|x, y| x + y, true);
    let tr = pick(&|x, y| x - y, true);
    let bl = pick(&|x, y| x - y, false);
    Some([tl, tr, br, bl])
}

/// The indices of the largest 4-connected region of `true` cells.
fn largest_region(cells: &[bool], w: usize, h: usize) -> Vec<usize> {
    let mut seen = vec![false; cells.len()];
    let mut best = Vec::new();
    let mut queue = VecDeque::new();
    for start in 0..cells.len() {
        if !cells[start] || seen[start] {
            continue;
        }
        let mut region = Vec::new();
        seen[start] = true;
        queue.push_back(start);
        while let Some(i) = queue.pop_front() {
            region.push(i);
            let (x, y) = (i % w, i / w);
            let neighbours = [
                (x > 0).then(|| i - 1),
                (x + 1 < w).then(|| i + 1),
                (y > 0).then(|| i - w),
                (y + 1 < h).then(|| i + w),
            ];
            for n in neighbours.into_iter().flatten() {
                if cells[n] && !seen[n] {
                    seen[n] = true;
                    queue.push_back(n);
                }
            }
        }
        if region.len() > best.len() {
            best = region;
        }
    }
    best
}

/// The homography taking the four points `from` to the four points `to`, row-major, or `None`
/// when the points are degenerate (three in a line).
pub fn homography(from: [Corner; 4], to: [Corner; 4]) -> Option<[f64; 9]> {
    // h33 = 1; eight unknowns, two equations per point pair.
    let mut a = [[0f64; 9]; 8];
    for (k, (&(x, y), &(u, v))) in from.iter().zip(to.iter()).enumerate() {
        let (x, y, u, v) = (f64::from(x), f64::from(y), f64::from(u), f64::from(v));
        a[2 * k] = [x, y, 1.0, 0.0, 0.0, 0.0, -u * x, -u * y, u];
        a[2 * k + 1] = [0.0, 0.0, 0.0, x, y, 1.0, -v * x, -v * y, v];
    }
    // Gaussian elimination with partial pivoting on the augmented 8×9 matrix.
    for col in 0..8 {
        let pivot = (col..8).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[pivot][col].abs() < 1e-9 {
            return None;
        }
        a.swap(col, pivot);
        let pivot_row = a[col];
        for (r, row) in a.iter_mut().enumerate() {
            if r != col {
                let f = row[col] / pivot_row[col];
                for (v, p) in row.iter_mut().zip(pivot_row.iter()).skip(col) {
                    *v -= f * p;
                }
            }
        }
    }
    let mut h = [0f64; 9];
    for (i, row) in a.iter().enumerate() {
        h[i] = row[8] / row[i];
    }
    h[8] = 1.0;
    Some(h)
}

/// The quadrilateral `corners` of `rgb` (top left, top right, bottom right, bottom left) warped
/// to a `width`×`height` rectangle, bilinearly sampled.
pub fn warp(rgb: &RgbImage, corners: [Corner; 4], width: u32, height: u32) -> RgbImage {
    let (w, h) = (width as f32 - 1.0, height as f32 - 1.0);
    let rect = [(0.0, 0.0), (w, 0.0), (w, h), (0.0, h)];
    let Some(m) = homography(rect, corners) else {
        return imageops::resize(rgb, width, height, imageops::FilterType::Triangle);
    };
    let (sw, sh) = (rgb.width() as f64, rgb.height() as f64);
    RgbImage::from_fn(width, height, |x, y| {
        let (x, y) = (f64::from(x), f64::from(y));
        let d = m[6] * x + m[7] * y + m[8];
        let sx = (m[0] * x + m[1] * y + m[2]) / d;
        let sy = (m[3] * x + m[4] * y + m[5]) / d;
        if !(0.0..sw - 1.0).contains(&sx) || !(0.0..sh - 1.0).contains(&sy) {
            return image::Rgb([255, 255, 255]);
        }
        let (x0, y0) = (sx.floor() as u32, sy.floor() as u32);
        let (fx, fy) = (sx - sx.floor(), sy - sy.floor());
        let mut out = [0u8; 3];
        for (c, o) in out.iter_mut().enumerate() {
            let p = |dx: u32, dy: u32| f64::from(rgb.get_pixel(x0 + dx, y0 + dy)[c]);
            let top = p(0, 0) * (1.0 - fx) + p(1, 0) * fx;
            let bottom = p(0, 1) * (1.0 - fx) + p(1, 1) * fx;
            *o = (top * (1.0 - fy) + bottom * fy).round().clamp(0.0, 255.0) as u8;
        }
        image::Rgb(out)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_homography_maps_its_corners() {
        let from = [(0.0, 0.0), (100.0, 0.0), (100.0, 50.0), (0.0, 50.0)];
        let to = [(10.0, 5.0), (90.0, 12.0), (105.0, 70.0), (-3.0, 60.0)];
        let m = homography(from, to).expect("solves");
        for (&(x, y), &(u, v)) in from.iter().zip(to.iter()) {
            let (x, y) = (f64::from(x), f64::from(y));
            let d = m[6] * x + m[7] * y + m[8];
            let (px, py) = (
                (m[0] * x + m[1] * y + m[2]) / d,
                (m[3] * x + m[4] * y + m[5]) / d,
            );
            assert!((px - f64::from(u)).abs() < 1e-6 && (py - f64::from(v)).abs() < 1e-6);
        }
        let line = [(0.0, 0.0), (1.0, 1.0), (2.0, 2.0), (3.0, 3.0)];
        assert!(homography(line, to).is_none());
    }

    #[test]
    fn a_light_page_on_a_dark_table_is_outlined() {
        let mut gray = GrayImage::from_pixel(400, 300, image::Luma([60]));
        for y in 50..250 {
            for x in 80..320 {
                gray.put_pixel(x, y, image::Luma([230]));
            }
        }
        let [tl, tr, br, bl] = page_corners(&gray).expect("outlined");
        for (got, want) in [
            (tl, (80.0, 50.0)),
            (tr, (319.0, 50.0)),
            (br, (319.0, 249.0)),
            (bl, (80.0, 249.0)),
        ] {
            assert!(
                (got.0 - want.0).abs() < 2.0 && (got.1 - want.1).abs() < 2.0,
                "{got:?} vs {want:?}"
            );
        }
        // A page filling the photo has no outline to flatten.
        assert!(page_corners(&GrayImage::from_pixel(100, 100, image::Luma([230]))).is_none());
    }
}
