//! Decoding untrusted JPEG/PNG uploads into pixels, with size and memory limits,
//! before any analysis runs.

use std::io::Cursor;

use image::{GrayImage, ImageFormat, ImageReader, Limits, RgbImage};

use crate::error::{IdvError, Result};

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
    /// Decodes a JPEG or PNG from memory with [`DecodeLimits::default`].
    ///
    /// # Errors
    /// [`IdvError::ImageUnreadable`] for other formats, corrupt data or an image
    /// over the limits.
    pub fn decode(bytes: &[u8]) -> Result<Self> {
        Self::decode_with_limits(bytes, DecodeLimits::default())
    }

    /// Decodes a JPEG or PNG from memory with explicit limits.
    ///
    /// # Errors
    /// As [`DocumentImage::decode`].
    pub fn decode_with_limits(bytes: &[u8], limits: DecodeLimits) -> Result<Self> {
        if bytes.len() > limits.max_bytes {
            return Err(IdvError::ImageUnreadable("file too large"));
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
        let image = reader
            .decode()
            .map_err(|_| IdvError::ImageUnreadable("corrupt or over the size limits"))?;
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
