//! Validation of untrusted uploads before anything stores or analyses them: strict base64, the real
//! type from magic numbers (never the file name), size bounds, a full decode under dimension and
//! memory limits in a blocking task with a timeout, and lossless removal of metadata (EXIF GPS,
//! XMP, IPTC, comments, PNG text chunks).

mod budget;
mod kind;
mod software;
mod strip;
mod tiff;

use std::io::Cursor;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use image::{ImageFormat, ImageReader, Limits};

pub use budget::{DEFAULT_BUDGET_MIB, DecodeBudget};
pub use kind::{MediaKind, sniff};
pub use software::editing_software;
pub use strip::strip_metadata;

/// Why an upload was refused. Messages are safe to show to API callers.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MediaError {
    #[error("'data' must be base64-encoded file content")]
    NotBase64,
    #[error("Image file size should be between 34KB and 4MB")]
    WrongSize,
    #[error("The file must be a JPG or PNG image{}", if *.0 { " or a PDF document" } else { "" })]
    UnsupportedType(bool),
    #[error("The image could not be decoded; it may be truncated or corrupt")]
    Undecodable,
    #[error("The image is {0}×{1} pixels; at most {2} pixels per side are accepted")]
    TooManyPixels(u32, u32, u32),
    #[error("The PDF document is truncated or corrupt")]
    BrokenPdf,
    #[error("The image took too long to check")]
    Timeout,
}

/// What an upload must satisfy.
#[derive(Clone, Debug)]
pub struct Policy {
    pub min_bytes: usize,
    pub max_bytes: usize,
    pub allow_pdf: bool,
    pub max_dimension: u32,
    pub max_alloc: u64,
    pub timeout: Duration,
}

impl Policy {
    /// ComplyCube's rule for document images: JPG, PNG or PDF, 34 KB to 4 MB.
    pub fn document() -> Self {
        Policy {
            min_bytes: 34_000,
            max_bytes: 4 * 1024 * 1024,
            allow_pdf: true,
            max_dimension: 12_000,
            max_alloc: 512 * 1024 * 1024,
            timeout: Duration::from_secs(10),
        }
    }

    /// Live photos and video frames: JPG or PNG only.
    pub fn photo() -> Self {
        Policy {
            allow_pdf: false,
            ..Self::document()
        }
    }
}

/// An accepted file: its real kind, its bytes without metadata and, for images, its size and
/// the image editor its metadata named before it was stripped.
#[derive(Clone, Debug)]
pub struct Accepted {
    pub kind: MediaKind,
    pub bytes: Vec<u8>,
    pub dimensions: Option<(u32, u32)>,
    pub editing_software: Option<String>,
}

/// Decodes base64 strictly (whitespace and a `data:…;base64,` prefix are tolerated), refusing
/// oversize input before allocating for it.
pub fn decode_base64(encoded: &str, max_bytes: usize) -> Result<Vec<u8>, MediaError> {
    let payload = match encoded.split_once(";base64,") {
        Some((prefix, rest)) if prefix.starts_with("data:") => rest,
        _ => encoded,
    };
    if payload.len() / 4 * 3 > max_bytes + 3 + payload.len() / 50 {
        return Err(MediaError::WrongSize);
    }
    let compact: Vec<u8> = payload
        .bytes()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    STANDARD.decode(&compact).map_err(|_| MediaError::NotBase64)
}

/// Checks an upload against a policy; the decode runs on a blocking thread with a timeout,
/// within the process's [`DecodeBudget`].
pub async fn inspect(bytes: Vec<u8>, policy: &Policy) -> Result<Accepted, MediaError> {
    inspect_within(bytes, policy, DecodeBudget::global()).await
}

/// [`inspect`] within a given budget of decoded pixels.
pub async fn inspect_within(
    bytes: Vec<u8>,
    policy: &Policy,
    budget: &DecodeBudget,
) -> Result<Accepted, MediaError> {
    if bytes.len() < policy.min_bytes || bytes.len() > policy.max_bytes {
        return Err(MediaError::WrongSize);
    }
    let kind = sniff(&bytes).ok_or(MediaError::UnsupportedType(policy.allow_pdf))?;
    if kind == MediaKind::Pdf {
        if !policy.allow_pdf {
            return Err(MediaError::UnsupportedType(false));
        }
        check_pdf(&bytes)?;
        return Ok(Accepted {
            kind,
            bytes,
            dimensions: None,
            editing_software: None,
        });
    }
    let timeout = policy.timeout;
    let policy = policy.clone();
    // The header tells what the pixels will take: reserve that before decoding (waiting counts
    // against the timeout). The reservation travels with the decode, so memory is given back
    // when the decode really ends, even after the caller stopped waiting for it.
    let (w, h) = dimensions(&bytes, kind, &policy)?;
    let work = async move {
        let reservation = budget.reserve(u64::from(w) * u64::from(h) * 4).await?;
        let task = tokio::task::spawn_blocking(move || {
            let _held = reservation;
            decode(&bytes, kind, &policy)?;
            Ok(Accepted {
                kind,
                editing_software: editing_software(kind, &bytes),
                bytes: strip_metadata(kind, &bytes),
                dimensions: Some((w, h)),
            })
        });
        Some(task.await)
    };
    match tokio::time::timeout(timeout, work).await {
        Ok(Some(Ok(result))) => result,
        Ok(Some(Err(_))) => Err(MediaError::Undecodable),
        Ok(None) | Err(_) => Err(MediaError::Timeout),
    }
}

fn format_of(kind: MediaKind) -> ImageFormat {
    match kind {
        MediaKind::Png => ImageFormat::Png,
        _ => ImageFormat::Jpeg,
    }
}

/// The image's size from its header alone, within the policy: decompression bombs are refused
/// before anything allocates their pixels, and a cut-off file before it is decoded.
fn dimensions(bytes: &[u8], kind: MediaKind, policy: &Policy) -> Result<(u32, u32), MediaError> {
    let (w, h) = match png_dimensions(bytes) {
        Some(dims) if kind == MediaKind::Png => dims,
        _ => ImageReader::with_format(Cursor::new(bytes), format_of(kind))
            .into_dimensions()
            .map_err(|_| MediaError::Undecodable)?,
    };
    if w > policy.max_dimension || h > policy.max_dimension || w == 0 || h == 0 {
        return Err(MediaError::TooManyPixels(w, h, policy.max_dimension));
    }
    // Decoders fill in missing data of a cut-off file; the end marker proves it is complete.
    if !has_end_marker(bytes, kind) {
        return Err(MediaError::Undecodable);
    }
    Ok((w, h))
}

/// Fully decodes the image under the policy's limits.
fn decode(bytes: &[u8], kind: MediaKind, policy: &Policy) -> Result<(), MediaError> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format_of(kind));
    let mut limits = Limits::default();
    limits.max_image_width = Some(policy.max_dimension);
    limits.max_image_height = Some(policy.max_dimension);
    limits.max_alloc = Some(policy.max_alloc);
    reader.limits(limits);
    reader.decode().map_err(|_| MediaError::Undecodable)?;
    Ok(())
}

/// Width and height from a PNG's leading IHDR chunk.
fn png_dimensions(bytes: &[u8]) -> Option<(u32, u32)> {
    if bytes.get(12..16)? != b"IHDR" {
        return None;
    }
    let word = |at: usize| Some(u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?));
    Some((word(16)?, word(20)?))
}

/// JPEG ends with EOI (`FF D9`, which cannot occur inside scan data), PNG with an `IEND` chunk;
/// a little trailing padding is tolerated.
fn has_end_marker(bytes: &[u8], kind: MediaKind) -> bool {
    let tail = &bytes[bytes.len().saturating_sub(1024)..];
    match kind {
        MediaKind::Jpeg => tail.windows(2).any(|w| w == [0xFF, 0xD9]),
        MediaKind::Png => tail.windows(4).any(|w| w == b"IEND"),
        MediaKind::Pdf => true,
    }
}

/// A PDF must start with its header (checked by `sniff`) and end with an end-of-file marker.
fn check_pdf(bytes: &[u8]) -> Result<(), MediaError> {
    let tail = &bytes[bytes.len().saturating_sub(1024)..];
    if tail.windows(5).any(|w| w == b"%%EOF") {
        Ok(())
    } else {
        Err(MediaError::BrokenPdf)
    }
}
