//! Image-quality measures (resolution, Laplacian-variance sharpness, exposure,
//! glare) and the typed verdicts they map to in the API's 422 codes.
//!
//! Thresholds are uncalibrated defaults (no labelled document set exists here);
//! they are chosen to pass every test image in `shared/data/idv`, including the
//! degraded MRZ, and to fail clear synthetic degradations. Tune with real data.

use image::GrayImage;

use crate::image::DocumentImage;
use crate::ocr::to_gray;

/// Thresholds for the verdicts.
#[derive(Clone, Copy, Debug)]
pub struct QualityThresholds {
    /// Shortest acceptable short side, pixels.
    pub min_short_side: u32,
    /// Shortest acceptable long side, pixels.
    pub min_long_side: u32,
    /// Lowest acceptable Laplacian variance (measured at most 1,000 px wide).
    pub min_sharpness: f64,
    /// Lowest acceptable mean luminance (0–255).
    pub min_mean_luminance: f64,
    /// Highest acceptable share of clipped-white pixels (luminance ≥ 250).
    pub max_clipped_share: f64,
}

impl Default for QualityThresholds {
    fn default() -> Self {
        Self {
            min_short_side: 100,
            min_long_side: 500,
            min_sharpness: 40.0,
            min_mean_luminance: 50.0,
            max_clipped_share: 0.25,
        }
    }
}

/// A quality problem.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QualityIssue {
    /// Too few pixels to read.
    LowResolution,
    /// Too blurred to read.
    Blurry,
    /// Too dark.
    UnderExposed,
    /// Too much clipped white (glare or over-exposure).
    Glare,
}

impl QualityIssue {
    /// The API's 422 error code for this issue.
    #[must_use]
    pub fn api_code(self) -> &'static str {
        match self {
            QualityIssue::LowResolution | QualityIssue::Blurry => "image_unreadable",
            QualityIssue::UnderExposed => "under_exposure",
            QualityIssue::Glare => "excessive_glare",
        }
    }
}

/// The API code when a document that should carry an MRZ shows none.
pub const DOCUMENT_TYPE_UNDETECTED: &str = "document_type_undetected";

/// Measurements and verdicts for one image.
#[derive(Clone, Debug, PartialEq)]
pub struct QualityReport {
    /// Width, pixels.
    pub width: u32,
    /// Height, pixels.
    pub height: u32,
    /// Variance of the 4-neighbour Laplacian of the luminance (higher is sharper).
    pub sharpness: f64,
    /// Mean luminance, 0–255.
    pub mean_luminance: f64,
    /// Share of pixels with luminance ≥ 250.
    pub clipped_share: f64,
    /// Share of pixels with luminance < 40.
    pub dark_share: f64,
    /// Problems found, most serious first.
    pub issues: Vec<QualityIssue>,
}

impl QualityReport {
    /// Whether no problem was found.
    #[must_use]
    pub fn is_acceptable(&self) -> bool {
        self.issues.is_empty()
    }
}

/// Measures `image` with the default thresholds.
#[must_use]
pub fn assess(image: &DocumentImage) -> QualityReport {
    assess_with(image, QualityThresholds::default())
}

/// Measures `image` against `t`.
#[must_use]
pub fn assess_with(image: &DocumentImage, t: QualityThresholds) -> QualityReport {
    let (width, height) = (image.width(), image.height());
    let mut gray = to_gray(image.rgb());
    let long = width.max(height);
    if long > 1_000 {
        let f = 1_000.0 / f64::from(long);
        let (w, h) = (
            ((f64::from(width) * f).round() as u32).max(1),
            ((f64::from(height) * f).round() as u32).max(1),
        );
        gray = crate::resize::gray(&gray, w, h);
    }
    let sharpness = laplacian_variance(&gray);
    let n = f64::from(gray.width()) * f64::from(gray.height());
    let (mut sum, mut clipped, mut dark) = (0f64, 0f64, 0f64);
    for p in gray.pixels() {
        sum += f64::from(p[0]);
        clipped += f64::from(u8::from(p[0] >= 250));
        dark += f64::from(u8::from(p[0] < 40));
    }
    let (mean_luminance, clipped_share, dark_share) = (sum / n, clipped / n, dark / n);
    let mut issues = Vec::new();
    if width.min(height) < t.min_short_side || long < t.min_long_side {
        issues.push(QualityIssue::LowResolution);
    }
    if sharpness < t.min_sharpness {
        issues.push(QualityIssue::Blurry);
    }
    if mean_luminance < t.min_mean_luminance {
        issues.push(QualityIssue::UnderExposed);
    }
    if clipped_share > t.max_clipped_share {
        issues.push(QualityIssue::Glare);
    }
    QualityReport {
        width,
        height,
        sharpness,
        mean_luminance,
        clipped_share,
        dark_share,
        issues,
    }
}

fn laplacian_variance(gray: &GrayImage) -> f64 {
    let (w, h) = gray.dimensions();
    if w < 3 || h < 3 {
        return 0.0;
    }
    let px = |x: u32, y: u32| f64::from(gray.get_pixel(x, y)[0]);
    let (mut sum, mut sum_sq, mut n) = (0f64, 0f64, 0f64);
    for y in 1..h - 1 {
        for x in 1..w - 1 {
            let l = px(x - 1, y) + px(x + 1, y) + px(x, y - 1) + px(x, y + 1) - 4.0 * px(x, y);
            sum += l;
            sum_sq += l * l;
            n += 1.0;
        }
    }
    let mean = sum / n;
    sum_sq / n - mean * mean
}
