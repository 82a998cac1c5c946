//! Scans and photos of the page: rasterised with hayro, then tilted, noisy and re-exposed,
//! deterministically for a seed.

use std::io::Cursor;

use hayro::hayro_interpret::InterpreterSettings;
use hayro::hayro_syntax::Pdf;
use hayro::vello_cpu::color::palette::css::WHITE;
use hayro::{PixmapSettings, RenderCache, RenderSettings};
use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, ImageFormat, Rgb, RgbImage};

use crate::GenError;
use crate::people::Rng;

/// Page one of `pdf` at `dpi`, on white.
pub(crate) fn rasterise(pdf: &[u8], dpi: f32) -> Result<RgbImage, GenError> {
    let pdf = Pdf::new(pdf.to_vec()).map_err(|e| GenError(format!("unreadable PDF: {e:?}")))?;
    let page = pdf.pages().first().ok_or("the PDF has no pages")?;
    let scale = dpi / 72.0;
    let pixmap = hayro::render(
        page,
        &RenderCache::new(),
        &InterpreterSettings::default(),
        &RenderSettings::default(),
        &PixmapSettings {
            x_scale: scale,
            y_scale: scale,
            bg_color: WHITE,
        },
    );
    let mut rgb = RgbImage::new(u32::from(pixmap.width()), u32::from(pixmap.height()));
    // An opaque background: premultiplied channels are the plain ones.
    for (out, p) in rgb.pixels_mut().zip(pixmap.data()) {
        *out = Rgb([p.r, p.g, p.b]);
    }
    Ok(rgb)
}

/// Tilts the page by −3°…+3° (bilinear, white fill), changes brightness and contrast a little
/// and adds Gaussian-like noise of standard deviation `sigma` grey levels.
pub(crate) fn degrade(src: &RgbImage, rng: &mut Rng, sigma: f32) -> RgbImage {
    let angle = (rng.unit() * 6.0 - 3.0).to_radians();
    let (sin, cos) = angle.sin_cos();
    let contrast = 0.88 + rng.unit() * 0.2;
    let brightness = rng.unit() * 24.0 - 12.0;
    let tint = [0.0, rng.unit() * 3.0, rng.unit() * 8.0];
    let (w, h) = src.dimensions();
    let (cx, cy) = (w as f32 / 2.0, h as f32 / 2.0);
    let sample = |x: i64, y: i64, c: usize| -> f32 {
        if x < 0 || y < 0 || x >= i64::from(w) || y >= i64::from(h) {
            return 255.0;
        }
        f32::from(src.get_pixel(x as u32, y as u32).0[c])
    };
    RgbImage::from_fn(w, h, |x, y| {
        let (dx, dy) = (x as f32 - cx, y as f32 - cy);
        let (sx, sy) = (cos * dx + sin * dy + cx, -sin * dx + cos * dy + cy);
        let (fx, fy) = (sx.floor(), sy.floor());
        let (ax, ay) = (sx - fx, sy - fy);
        let (ix, iy) = (fx as i64, fy as i64);
        // Four uniforms sum to a bell curve of variance 1/3.
        let noise = (rng.unit() + rng.unit() + rng.unit() + rng.unit() - 2.0) * sigma * 1.732;
        Rgb(std::array::from_fn(|c| {
            let top = sample(ix, iy, c) * (1.0 - ax) + sample(ix + 1, iy, c) * ax;
            let bottom = sample(ix, iy + 1, c) * (1.0 - ax) + sample(ix + 1, iy + 1, c) * ax;
            let v = top * (1.0 - ay) + bottom * ay;
            let v = (v - 128.0) * contrast + 128.0 + brightness - tint[c] + noise;
            v.round().clamp(0.0, 255.0) as u8
        }))
    })
}

pub(crate) fn jpeg(image: &RgbImage, quality: u8) -> Result<Vec<u8>, GenError> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, quality)
        .encode_image(image)
        .map_err(|e| GenError(format!("JPEG encoding: {e}")))?;
    Ok(out)
}

/// A greyscale PNG, as most scanners save documents (and small enough).
pub(crate) fn png(image: &RgbImage) -> Result<Vec<u8>, GenError> {
    let mut out = Cursor::new(Vec::new());
    DynamicImage::ImageRgb8(image.clone())
        .into_luma8()
        .write_to(&mut out, ImageFormat::Png)
        .map_err(|e| GenError(format!("PNG encoding: {e}")))?;
    Ok(out.into_inner())
}
