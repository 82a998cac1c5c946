//! Image degradations shared by the OCR examples: what a camera, a scanner and JPEG do to an MRZ.

// Each example includes this module and uses part of it.
#![allow(dead_code)]

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::imageops::{self, FilterType};
use image::{Rgb, RgbImage};

pub fn scale(i: &RgbImage, f: f32) -> RgbImage {
    let w = ((i.width() as f32 * f) as u32).max(1);
    let h = ((i.height() as f32 * f) as u32).max(1);
    imageops::resize(i, w, h, FilterType::Triangle)
}

pub fn jpeg(i: &RgbImage, quality: u8) -> RgbImage {
    let mut buf = Vec::new();
    if JpegEncoder::new_with_quality(&mut Cursor::new(&mut buf), quality)
        .encode_image(i)
        .is_err()
    {
        return i.clone();
    }
    image::load_from_memory(&buf).map_or_else(|_| i.clone(), |d| d.into_rgb8())
}

/// Uniform noise of ±`amplitude`, the same for every call with the same `seed`.
pub fn noise_with(i: &RgbImage, amplitude: u8, seed: u32) -> RgbImage {
    let mut state = seed.max(1);
    let mut out = i.clone();
    for p in out.pixels_mut() {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let span = u32::from(amplitude) * 2 + 1;
        let delta = (state % span) as i16 - i16::from(amplitude);
        for c in 0..3 {
            p[c] = (i16::from(p[c]) + delta).clamp(0, 255) as u8;
        }
    }
    out
}

/// Uniform noise of ±40.
pub fn noise(i: &RgbImage) -> RgbImage {
    noise_with(i, 40, 0x2545_f491)
}

/// Bilinear rotation about the centre onto a canvas of the same size, with
/// margins filled by the corner colour.
pub fn rotate(i: &RgbImage, degrees: f32) -> RgbImage {
    let (w, h) = i.dimensions();
    let pad = (w.max(h) as f32 * degrees.to_radians().sin().abs()) as u32 + 4;
    let bg = *i.get_pixel(0, 0);
    let mut canvas = RgbImage::from_pixel(w + 2 * pad, h + 2 * pad, bg);
    imageops::overlay(&mut canvas, i, i64::from(pad), i64::from(pad));
    let (cw, ch) = canvas.dimensions();
    let (cx, cy) = (cw as f32 / 2.0, ch as f32 / 2.0);
    let (s, c) = degrees.to_radians().sin_cos();
    RgbImage::from_fn(cw, ch, |x, y| {
        let (dx, dy) = (x as f32 - cx, y as f32 - cy);
        let sx = c * dx + s * dy + cx;
        let sy = -s * dx + c * dy + cy;
        if sx < 0.0 || sy < 0.0 || sx >= (cw - 1) as f32 || sy >= (ch - 1) as f32 {
            return bg;
        }
        let (x0, y0) = (sx.floor(), sy.floor());
        let (fx, fy) = (sx - x0, sy - y0);
        let px = |xx: f32, yy: f32| *canvas.get_pixel(xx as u32, yy as u32);
        let (a, b, cc, d) = (
            px(x0, y0),
            px(x0 + 1.0, y0),
            px(x0, y0 + 1.0),
            px(x0 + 1.0, y0 + 1.0),
        );
        let mix = |k: usize| {
            let top = f32::from(a[k]) * (1.0 - fx) + f32::from(b[k]) * fx;
            let bottom = f32::from(cc[k]) * (1.0 - fx) + f32::from(d[k]) * fx;
            (top * (1.0 - fy) + bottom * fy) as u8
        };
        Rgb([mix(0), mix(1), mix(2)])
    })
}

/// `i` turned by `degrees` about its centre, lying on a brown, grainy table with a margin of
/// half its size on each axis (a phone photo of a page on a desk), nearest-neighbour.
pub fn on_table(i: &RgbImage, degrees: f32) -> RgbImage {
    let (w, h) = i.dimensions();
    let (wf, hf) = (w as f32, h as f32);
    let (s, c) = degrees.to_radians().sin_cos();
    let (cw, ch) = (w + w / 2, h + h / 2);
    let (cx, cy) = (cw as f32 / 2.0, ch as f32 / 2.0);
    let mut state = 7u32;
    RgbImage::from_fn(cw, ch, |x, y| {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let (dx, dy) = (x as f32 - cx, y as f32 - cy);
        let (sx, sy) = (c * dx + s * dy + wf / 2.0, -s * dx + c * dy + hf / 2.0);
        if (0.0..wf).contains(&sx) && (0.0..hf).contains(&sy) {
            *i.get_pixel(sx as u32, sy as u32)
        } else {
            let grain = (state % 21) as u8;
            Rgb([110 + grain, 70 + grain, 40 + grain])
        }
    })
}
