//! Cuts an aligned face chip out of an image: rotated so the eyes are level, scaled so they
//! sit where the encoder's training chips had them (dlib's 150-px chips with 25 % padding).

use image::{Rgb, RgbImage};

use super::detect::DetectedFace;
use super::encode::CHIP_SIZE;

/// The eye distance in a chip, as a share of its side: dlib's chip rectangle is 0.9634 × (1 +
/// 2 × padding) eye distances from its centre to its edge, with padding 0.25.
const EYE_DISTANCE_SHARE: f32 = 1.0 / (2.0 * 0.963_365 * 1.5);
/// How far below the eyes the chip's centre lies, in eye distances.
const CENTRE_BELOW_EYES: f32 = 0.524;

/// The face's chip, `CHIP_SIZE`², bilinear-sampled (black outside the image).
pub fn chip(image: &RgbImage, face: &DetectedFace) -> RgbImage {
    let [right_eye, left_eye, ..] = face.landmarks;
    // From the viewer's left eye to the viewer's right eye.
    let (vx, vy) = (left_eye.x - right_eye.x, left_eye.y - right_eye.y);
    let d = vx.hypot(vy).max(1.0);
    let (ux, uy) = (vx / d, vy / d);
    // "Down" in the face: the eye vector turned a quarter clockwise (image y grows downwards).
    let (dx, dy) = (-uy, ux);
    let mid_x = (right_eye.x + left_eye.x) / 2.0;
    let mid_y = (right_eye.y + left_eye.y) / 2.0;
    let centre_x = mid_x + CENTRE_BELOW_EYES * d * dx;
    let centre_y = mid_y + CENTRE_BELOW_EYES * d * dy;
    let side = CHIP_SIZE as f32;
    // Image pixels per chip pixel.
    let scale = d / (EYE_DISTANCE_SHARE * side);
    let half = side / 2.0;
    let mut out = RgbImage::new(CHIP_SIZE, CHIP_SIZE);
    for (u, v, px) in out.enumerate_pixels_mut() {
        let cu = (u as f32 + 0.5 - half) * scale;
        let cv = (v as f32 + 0.5 - half) * scale;
        let x = centre_x + cu * ux + cv * dx - 0.5;
        let y = centre_y + cu * uy + cv * dy - 0.5;
        *px = bilinear(image, x, y);
    }
    out
}

fn bilinear(image: &RgbImage, x: f32, y: f32) -> Rgb<u8> {
    let (w, h) = (image.width() as i64, image.height() as i64);
    let x0 = x.floor() as i64;
    let y0 = y.floor() as i64;
    let fx = x - x0 as f32;
    let fy = y - y0 as f32;
    let at = |xx: i64, yy: i64| -> [f32; 3] {
        if xx < 0 || yy < 0 || xx >= w || yy >= h {
            [0.0; 3]
        } else {
            let p = image.get_pixel(xx as u32, yy as u32);
            [f32::from(p[0]), f32::from(p[1]), f32::from(p[2])]
        }
    };
    let (a, b, c, d) = (
        at(x0, y0),
        at(x0 + 1, y0),
        at(x0, y0 + 1),
        at(x0 + 1, y0 + 1),
    );
    let mut out = [0u8; 3];
    for i in 0..3 {
        let top = a[i] + (b[i] - a[i]) * fx;
        let bottom = c[i] + (d[i] - c[i]) * fx;
        out[i] = (top + (bottom - top) * fy).round().clamp(0.0, 255.0) as u8;
    }
    Rgb(out)
}
