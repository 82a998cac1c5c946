//! Decoding untrusted JPEG/PNG/PDF uploads into pixels, with size and memory limits,
//! before any analysis runs. A PDF's first page is rasterised (pure Rust, `hayro`), in this
//! process or in a limited child process: see [`crate::pdf_isolation`].

use std::io::Cursor;

use image::{GrayImage, ImageDecoder, ImageFormat, ImageReader, Limits, RgbImage};

use crate::error::{IdvError, Result};
use crate::pdf_isolation::PdfRendering;

/// Limits applied while decoding an upload.
#[derive(Clone, Copy, Debug)]
pub struct DecodeLimits {
    /// Largest accepted file, bytes (the API allows 4 MB per side).
    pub max_bytes: usize,
    /// Largest accepted width or height, pixels.
    pub max_dimension: u32,
    /// Most memory the decoder may allocate, bytes.
    pub max_alloc: u64,
}

impl Default for DecodeLimits {
    fn default() -> Self {
        Self {
            max_bytes: 8 * 1024 * 1024,
            max_dimension: 10_000,
            max_alloc: 256 * 1024 * 1024,
        }
    }
}

/// A decoded document image (RGB, 8 bits per channel; any alpha is dropped and
/// EXIF/metadata is not kept).
#[derive(Clone)]
pub struct DocumentImage {
    rgb: RgbImage,
}

impl std::fmt::Debug for DocumentImage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "DocumentImage({}x{})",
            self.rgb.width(),
            self.rgb.height()
        )
    }
}

impl DocumentImage {
    /// Decodes a JPEG, a PNG or the first page of a PDF from memory with
    /// [`DecodeLimits::default`].
    ///
    /// PDFs are rasterised in this process ([`PdfRendering::InProcess`]): for trusted input.
    /// Uploads go through [`DocumentImage::decode_with`] with the server's rendering.
    ///
    /// # Errors
    /// [`IdvError::ImageUnreadable`] for other formats, corrupt data, encrypted or empty
    /// PDFs, or an image over the limits.
    pub fn decode(bytes: &[u8]) -> Result<Self> {
        Self::decode_with(bytes, DecodeLimits::default(), &PdfRendering::InProcess)
    }

    /// Decodes a JPEG, a PNG or the first page of a PDF from memory with explicit limits.
    ///
    /// # Errors
    /// As [`DocumentImage::decode`].
    pub fn decode_with_limits(bytes: &[u8], limits: DecodeLimits) -> Result<Self> {
        Self::decode_with(bytes, limits, &PdfRendering::InProcess)
    }

    /// Decodes with explicit limits, rasterising a PDF as `pdf` says (in this process, or in a
    /// child process under OS limits for uploads).
    ///
    /// # Errors
    /// As [`DocumentImage::decode`].
    pub fn decode_with(bytes: &[u8], limits: DecodeLimits, pdf: &PdfRendering) -> Result<Self> {
        if bytes.len() > limits.max_bytes {
            return Err(IdvError::ImageUnreadable("file too large"));
        }
        if bytes.starts_with(b"%PDF-") {
            return pdf.render(bytes, limits);
        }
        let reader = ImageReader::new(Cursor::new(bytes))
            .with_guessed_format()
            .map_err(|_| IdvError::ImageUnreadable("cannot read image header"))?;
        match reader.format() {
            Some(ImageFormat::Jpeg | ImageFormat::Png) => {}
            _ => return Err(IdvError::ImageUnreadable("not a JPEG or PNG image")),
        }
        let mut reader = reader;
        let mut l = Limits::default();
        l.max_image_width = Some(limits.max_dimension);
        l.max_image_height = Some(limits.max_dimension);
        l.max_alloc = Some(limits.max_alloc);
        reader.limits(l);
        let unreadable = |_| IdvError::ImageUnreadable("corrupt or over the size limits");
        let mut decoder = reader.into_decoder().map_err(unreadable)?;
        // A phone stores the sensor's pixels and says in EXIF how to turn them; uploads keep
        // that one tag (the rest of the metadata is stripped).
        let orientation = decoder
            .orientation()
            .unwrap_or(image::metadata::Orientation::NoTransforms);
        let mut image = image::DynamicImage::from_decoder(decoder).map_err(unreadable)?;
        image.apply_orientation(orientation);
        Ok(Self {
            rgb: image.into_rgb8(),
        })
    }

    /// Wraps pixels already in memory.
    #[must_use]
    pub fn from_rgb(rgb: RgbImage) -> Self {
        Self { rgb }
    }

    /// Width in pixels.
    #[must_use]
    pub fn width(&self) -> u32 {
        self.rgb.width()
    }

    /// Height in pixels.
    #[must_use]
    pub fn height(&self) -> u32 {
        self.rgb.height()
    }

    /// The RGB pixels.
    #[must_use]
    pub fn rgb(&self) -> &RgbImage {
        &self.rgb
    }

    /// Luminance (ITU-R BT.601 weights).
    #[must_use]
    pub fn gray(&self) -> GrayImage {
        image::DynamicImage::ImageRgb8(self.rgb.clone()).into_luma8()
    }
}

/// Rasterising the first page of an uploaded PDF (a scanned or photographed document).
/// Without limits on what the PDF asks for: uploads are rendered in a limited child.
pub(crate) mod pdf {
    use hayro::hayro_interpret::InterpreterSettings;
    use hayro::hayro_syntax::Pdf;
    use hayro::vello_cpu::color::palette::css::WHITE;
    use hayro::{PixmapSettings, RenderCache, RenderSettings};
    use image::{Rgb, RgbImage};

    use super::DecodeLimits;
    use crate::error::{IdvError, Result};

    /// The longer side of the rendered page, in pixels: about 300 dpi across an ID card held
    /// in an A4 scan's width, 200 dpi for the whole A4 page: enough for the MRZ reader, which
    /// works on downscaled lines anyway.
    const LONG_SIDE_PX: f32 = 2400.0;

    /// Renders page one on white at [`LONG_SIDE_PX`] (or the limits, if smaller).
    pub(crate) fn first_page(bytes: &[u8], limits: DecodeLimits) -> Result<RgbImage> {
        let pdf = Pdf::new(bytes.to_vec())
            .map_err(|_| IdvError::ImageUnreadable("corrupt or encrypted PDF"))?;
        let page = pdf
            .pages()
            .first()
            .ok_or(IdvError::ImageUnreadable("the PDF has no pages"))?;
        let (width, height) = page.render_dimensions();
        let longer = width.max(height);
        if !longer.is_finite() || longer < 1.0 || width.min(height) < 1.0 {
            return Err(IdvError::ImageUnreadable("the PDF page has no size"));
        }
        let scale = LONG_SIDE_PX.min(limits.max_dimension as f32) / longer;
        let (w, h) = ((width * scale) as u64, (height * scale) as u64);
        if w == 0 || h == 0 || w * h * 4 > limits.max_alloc {
            return Err(IdvError::ImageUnreadable(
                "the PDF page is over the size limits",
            ));
        }
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
        // The white background is opaque, so every pixel's alpha is 255 and the premultiplied
        // channels are the plain ones.
        for (out, p) in rgb.pixels_mut().zip(pixmap.data()) {
            *out = Rgb([p.r, p.g, p.b]);
        }
        Ok(trim_white_margins(rgb))
    }

    /// Anything at least this bright in every channel counts as blank paper.
    const PAPER: u8 = 245;

    /// Crops a rendered page to what is printed or scanned on it (plus a small margin): a
    /// document scanned on an A4 page is mostly white paper, which the glare and exposure
    /// gates would otherwise take for a washed-out photo. A blank page is returned whole.
    pub(super) fn trim_white_margins(page: RgbImage) -> RgbImage {
        let (w, h) = page.dimensions();
        let inked = |p: &Rgb<u8>| p.0.iter().any(|&c| c < PAPER);
        let (mut x0, mut y0, mut x1, mut y1) = (w, h, 0, 0);
        for (x, y, p) in page.enumerate_pixels() {
            if inked(p) {
                x0 = x0.min(x);
                y0 = y0.min(y);
                x1 = x1.max(x);
                y1 = y1.max(y);
            }
        }
        if x0 > x1 || y0 > y1 {
            return page;
        }
        let margin = w.max(h) / 100;
        let (x0, y0) = (x0.saturating_sub(margin), y0.saturating_sub(margin));
        let (x1, y1) = ((x1 + margin).min(w - 1), (y1 + margin).min(h - 1));
        image::imageops::crop_imm(&page, x0, y0, x1 - x0 + 1, y1 - y0 + 1).to_image()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_non_images_and_oversized_input() {
        assert!(DocumentImage::decode(b"not an image").is_err());
        assert!(DocumentImage::decode(b"GIF89a\x01\x00\x01\x00").is_err());
        let limits = DecodeLimits {
            max_bytes: 4,
            ..DecodeLimits::default()
        };
        assert!(DocumentImage::decode_with_limits(&[0u8; 5], limits).is_err());
    }

    #[test]
    fn decodes_png_within_limits_only() {
        let img = RgbImage::from_pixel(40, 20, image::Rgb([200, 200, 200]));
        let mut png = Vec::new();
        image::DynamicImage::ImageRgb8(img)
            .write_to(&mut Cursor::new(&mut png), ImageFormat::Png)
            .expect("encode");
        let ok = DocumentImage::decode(&png).expect("decodes");
        assert_eq!((ok.width(), ok.height()), (40, 20));
        let small = DecodeLimits {
            max_dimension: 30,
            ..DecodeLimits::default()
        };
        assert!(DocumentImage::decode_with_limits(&png, small).is_err());
    }
}
