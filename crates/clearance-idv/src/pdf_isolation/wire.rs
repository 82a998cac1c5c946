//! The two messages between parent and child, fixed-size little-endian headers:
//! request (stdin) = magic, address-space bytes u64, CPU seconds u64, max_bytes u64,
//! max_dimension u32, max_alloc u64, then the PDF until end of file;
//! reply (stdout) = magic, width u32, height u32, then width × height × 3 RGB bytes.

use std::io::{self, Read};

use image::RgbImage;

use crate::image::DecodeLimits;

const REQUEST_MAGIC: [u8; 8] = *b"CLPDFRQ1";
const REPLY_MAGIC: [u8; 8] = *b"CLPDFRP1";
const REQUEST_LEN: usize = 8 + 8 + 8 + 8 + 4 + 8;
const REPLY_LEN: usize = 8 + 4 + 4;

/// What the child is asked to do, less the PDF itself.
#[derive(Clone, Copy, Debug)]
pub(super) struct Request {
    pub(super) max_address_space: u64,
    pub(super) max_cpu_secs: u64,
    pub(super) limits: DecodeLimits,
}

impl Request {
    pub(super) fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(REQUEST_LEN);
        out.extend_from_slice(&REQUEST_MAGIC);
        out.extend_from_slice(&self.max_address_space.to_le_bytes());
        out.extend_from_slice(&self.max_cpu_secs.to_le_bytes());
        out.extend_from_slice(&(self.limits.max_bytes as u64).to_le_bytes());
        out.extend_from_slice(&self.limits.max_dimension.to_le_bytes());
        out.extend_from_slice(&self.limits.max_alloc.to_le_bytes());
        out
    }

    pub(super) fn read(input: &mut impl Read) -> io::Result<Self> {
        let mut header = [0u8; REQUEST_LEN];
        input.read_exact(&mut header)?;
        let mut fields = Fields(&header);
        if fields.take::<8>() != REQUEST_MAGIC {
            return Err(io::Error::other("not a PDF rendering request"));
        }
        Ok(Self {
            max_address_space: u64::from_le_bytes(fields.take()),
            max_cpu_secs: u64::from_le_bytes(fields.take()),
            limits: DecodeLimits {
                max_bytes: usize::try_from(u64::from_le_bytes(fields.take()))
                    .map_err(io::Error::other)?,
                max_dimension: u32::from_le_bytes(fields.take()),
                max_alloc: u64::from_le_bytes(fields.take()),
            },
        })
    }
}

/// The reply's header followed by its pixels.
pub(super) fn encode_reply(rgb: &RgbImage) -> Vec<u8> {
    let mut out = Vec::with_capacity(REPLY_LEN + rgb.as_raw().len());
    out.extend_from_slice(&REPLY_MAGIC);
    out.extend_from_slice(&rgb.width().to_le_bytes());
    out.extend_from_slice(&rgb.height().to_le_bytes());
    out.extend_from_slice(rgb.as_raw());
    out
}

/// Reads a reply, trusting nothing in it: the header must announce an image within `limits`,
/// exactly that many pixel bytes must follow, and nothing after them.
pub(super) fn read_reply(output: &mut impl Read, limits: DecodeLimits) -> io::Result<RgbImage> {
    let mut header = [0u8; REPLY_LEN];
    output.read_exact(&mut header)?;
    let mut fields = Fields(&header);
    if fields.take::<8>() != REPLY_MAGIC {
        return Err(io::Error::other("not a PDF rendering reply"));
    }
    let (width, height) = (
        u32::from_le_bytes(fields.take()),
        u32::from_le_bytes(fields.take()),
    );
    let len = u64::from(width) * u64::from(height) * 3;
    if width == 0
        || height == 0
        || width.max(height) > limits.max_dimension
        || len > limits.max_alloc
    {
        return Err(io::Error::other("the rendered page is over the limits"));
    }
    let len = usize::try_from(len).map_err(io::Error::other)?;
    let mut pixels = vec![0u8; len];
    output.read_exact(&mut pixels)?;
    if output.read(&mut [0u8; 1])? != 0 {
        return Err(io::Error::other("bytes after the rendered page"));
    }
    RgbImage::from_raw(width, height, pixels)
        .ok_or_else(|| io::Error::other("the rendered page has the wrong size"))
}

/// Splits a header into its fixed-size fields, front to back.
struct Fields<'a>(&'a [u8]);

impl Fields<'_> {
    /// The next `N` bytes. Callers size the header so that they are always there.
    fn take<const N: usize>(&mut self) -> [u8; N] {
        let mut field = [0u8; N];
        let (head, rest) = self.0.split_at(N.min(self.0.len()));
        field[..head.len()].copy_from_slice(head);
        self.0 = rest;
        field
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_round_trips() {
        let request = Request {
            max_address_space: 1 << 30,
            max_cpu_secs: 20,
            limits: DecodeLimits::default(),
        };
        let bytes = request.encode();
        assert_eq!(bytes.len(), REQUEST_LEN);
        let read = Request::read(&mut bytes.as_slice()).expect("reads");
        assert_eq!(read.max_address_space, 1 << 30);
        assert_eq!(read.max_cpu_secs, 20);
        assert_eq!(read.limits.max_bytes, request.limits.max_bytes);
        assert_eq!(read.limits.max_dimension, request.limits.max_dimension);
        assert_eq!(read.limits.max_alloc, request.limits.max_alloc);
        assert!(Request::read(&mut &bytes[..10]).is_err());
        assert!(Request::read(&mut [0u8; REQUEST_LEN].as_slice()).is_err());
    }

    #[test]
    fn reply_round_trips_and_lies_are_refused() {
        let rgb = RgbImage::from_fn(3, 2, |x, y| image::Rgb([x as u8, y as u8, 7]));
        let reply = encode_reply(&rgb);
        let limits = DecodeLimits::default();
        let read = read_reply(&mut reply.as_slice(), limits).expect("reads");
        assert_eq!(read, rgb);
        // Short, long, oversized or mislabelled replies.
        assert!(read_reply(&mut &reply[..reply.len() - 1], limits).is_err());
        let mut long = reply.clone();
        long.push(0);
        assert!(read_reply(&mut long.as_slice(), limits).is_err());
        let mut huge = reply.clone();
        huge[8..12].copy_from_slice(&60_000u32.to_le_bytes());
        assert!(read_reply(&mut huge.as_slice(), limits).is_err());
        let mut zero = reply.clone();
        zero[12..16].copy_from_slice(&0u32.to_le_bytes());
        assert!(read_reply(&mut zero.as_slice(), limits).is_err());
        let mut alien = reply;
        alien[0] = b'X';
        assert!(read_reply(&mut alien.as_slice(), limits).is_err());
    }
}
