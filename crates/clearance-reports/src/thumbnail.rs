//! Small JPEG renders of stored pictures: reports show what was examined without carrying the
//! full-size files (a report is evidence to file, not an image archive).

use std::io::Cursor;
use std::sync::Arc;

use clearance_media::MediaKind;
use image::{DynamicImage, ImageDecoder, ImageReader, Limits};

/// The longest side of a thumbnail, in pixels: sharp at the size a report prints it (about
/// 2 inches) without bloating the file.
const MAX_SIDE: u32 = 480;
const QUALITY: u8 = 80;
/// What one decode may allocate: uploads are already size-checked, this bounds the rest.
const MAX_DECODE_BYTES: u64 = 256 * 1024 * 1024;

/// A small JPEG and its size in pixels.
#[derive(Clone, Debug)]
pub struct Thumbnail {
    pub jpeg: Arc<Vec<u8>>,
    pub width: u32,
    pub height: u32,
}

/// The thumbnail of a stored JPEG or PNG (EXIF orientation applied), or why there is none.
pub fn thumbnail(bytes: &[u8]) -> Result<Thumbnail, String> {
    match clearance_media::sniff(bytes) {
        Some(MediaKind::Pdf) => return Err("PDF file: not shown".into()),
        Some(MediaKind::Jpeg | MediaKind::Png) => {}
        None => return Err("not an image this report can show".into()),
    }
    fn unreadable<E>(_: E) -> String {
        "the stored image could not be read".into()
    }
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(unreadable)?;
    let mut limits = Limits::default();
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(unreadable)?;
    let orientation = decoder.orientation().map_err(unreadable)?;
    let mut image = DynamicImage::from_decoder(decoder).map_err(unreadable)?;
    image.apply_orientation(orientation);
    let small = if image.width().max(image.height()) > MAX_SIDE {
        image.thumbnail(MAX_SIDE, MAX_SIDE)
    } else {
        image
    };
    let rgb = small.to_rgb8();
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, QUALITY)
        .encode_image(&rgb)
        .map_err(|e| format!("the thumbnail could not be encoded: {e}"))?;
    Ok(Thumbnail {
        jpeg: Arc::new(jpeg),
        width: rgb.width(),
        height: rgb.height(),
    })
}
