//! Lossless metadata removal: JPEG APPn/COM segments (keeping JFIF, ICC colour profiles, Adobe
//! colour info and the EXIF orientation, rewritten alone) and PNG text/time/EXIF chunks. Pixels
//! are never re-encoded. A file whose structure cannot be walked is returned unchanged (it has
//! already decoded successfully).

use crate::MediaKind;
use crate::tiff::Tiff;

/// Returns the file without metadata that could identify a person or place.
pub fn strip_metadata(kind: MediaKind, bytes: &[u8]) -> Vec<u8> {
    let stripped = match kind {
        MediaKind::Jpeg => strip_jpeg(bytes),
        MediaKind::Png => strip_png(bytes),
        MediaKind::Pdf => None,
    };
    stripped.unwrap_or_else(|| bytes.to_vec())
}

fn be16(b: &[u8], at: usize) -> Option<usize> {
    Some(usize::from(u16::from_be_bytes([
        *b.get(at)?,
        *b.get(at + 1)?,
    ])))
}

fn strip_jpeg(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(bytes.get(..2)?);
    let mut pos = 2;
    while pos < bytes.len() {
        if bytes[pos] != 0xFF {
            return None;
        }
        let marker = *bytes.get(pos + 1)?;
        match marker {
            0xFF => pos += 1, // fill byte
            0xDA => {
                out.extend_from_slice(&bytes[pos..]); // start of scan: the rest is image data
                return Some(out);
            }
            0x01 | 0xD0..=0xD9 => {
                out.extend_from_slice(&bytes[pos..pos + 2]);
                pos += 2;
            }
            _ => {
                let len = be16(bytes, pos + 2)?;
                let end = pos
                    .checked_add(2 + len)
                    .filter(|e| *e <= bytes.len() && len >= 2)?;
                let segment = &bytes[pos..end];
                match marker {
                    0xE1 => {
                        if let Some(o) =
                            exif_orientation(&segment[4..]).filter(|o| (2..=8).contains(o))
                        {
                            out.extend_from_slice(&orientation_only_exif(o));
                        }
                    }
                    0xE0 | 0xE2 | 0xEE => out.extend_from_slice(segment),
                    0xE3..=0xED | 0xEF | 0xFE => {}
                    _ => out.extend_from_slice(segment),
                }
                pos = end;
            }
        }
    }
    Some(out)
}

/// The EXIF orientation tag (0x0112) of IFD0, if present.
fn exif_orientation(payload: &[u8]) -> Option<u16> {
    let tiff = Tiff::from_exif(payload)?;
    tiff.u16_at(tiff.ifd0_entry(0x0112)? + 8)
}

/// An APP1 segment carrying nothing but the orientation.
fn orientation_only_exif(orientation: u16) -> Vec<u8> {
    let mut payload = b"Exif\0\0MM\0*\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01".to_vec();
    payload.extend_from_slice(&orientation.to_be_bytes());
    payload.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
    let mut segment = vec![0xFF, 0xE1];
    segment.extend_from_slice(
        &u16::try_from(payload.len() + 2)
            .unwrap_or(u16::MAX)
            .to_be_bytes(),
    );
    segment.extend_from_slice(&payload);
    segment
}

fn strip_png(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut out = bytes.get(..8)?.to_vec();
    let mut pos = 8;
    while pos < bytes.len() {
        let len = usize::try_from(u32::from_be_bytes(
            bytes.get(pos..pos + 4)?.try_into().ok()?,
        ))
        .ok()?;
        let end = pos
            .checked_add(12)?
            .checked_add(len)
            .filter(|e| *e <= bytes.len())?;
        let kind = bytes.get(pos + 4..pos + 8)?;
        if !matches!(kind, b"tEXt" | b"zTXt" | b"iTXt" | b"eXIf" | b"tIME") {
            out.extend_from_slice(&bytes[pos..end]);
        }
        pos = end;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jpeg_with(segments: &[&[u8]]) -> Vec<u8> {
        let mut v = vec![0xFF, 0xD8];
        for s in segments {
            v.extend_from_slice(s);
        }
        v.extend_from_slice(&[0xFF, 0xDA, 0x00, 0x02, 0x11, 0x22, 0xFF, 0xD9]);
        v
    }

    fn segment(marker: u8, payload: &[u8]) -> Vec<u8> {
        let mut s = vec![0xFF, marker];
        s.extend_from_slice(&u16::try_from(payload.len() + 2).unwrap().to_be_bytes());
        s.extend_from_slice(payload);
        s
    }

    #[test]
    fn jpeg_gps_and_comments_go_orientation_stays() {
        let mut exif = b"Exif\0\0II*\0\x08\0\0\0\x02\0".to_vec();
        exif.extend_from_slice(&[0x12, 0x01, 0x03, 0x00, 0x01, 0, 0, 0, 0x06, 0, 0, 0]);
        exif.extend_from_slice(&[0x25, 0x88, 0x04, 0x00, 0x01, 0, 0, 0, 0x99, 0, 0, 0]); // GPS IFD pointer
        exif.extend_from_slice(b"GPS 51.5N 0.12W secret");
        let comment = segment(0xFE, b"taken at 10 Downing St");
        let jfif = segment(0xE0, b"JFIF\0\x01\x01");
        let input = jpeg_with(&[&jfif, &segment(0xE1, &exif), &comment]);
        let out = strip_metadata(MediaKind::Jpeg, &input);
        let text = String::from_utf8_lossy(&out);
        assert!(!text.contains("secret") && !text.contains("Downing"));
        assert!(
            out.windows(jfif.len()).any(|w| w == jfif.as_slice()),
            "JFIF kept"
        );
        let app1 = out.windows(2).position(|w| w == [0xFF, 0xE1]).unwrap();
        assert_eq!(
            exif_orientation(&out[app1 + 4..]),
            Some(6),
            "orientation survives"
        );
        assert!(
            out.ends_with(&[0xFF, 0xDA, 0x00, 0x02, 0x11, 0x22, 0xFF, 0xD9]),
            "scan data untouched"
        );
    }

    #[test]
    fn png_text_chunks_go() {
        let chunk = |kind: &[u8], data: &[u8]| {
            let mut c = u32::try_from(data.len()).unwrap().to_be_bytes().to_vec();
            c.extend_from_slice(kind);
            c.extend_from_slice(data);
            c.extend_from_slice(&[0, 0, 0, 0]);
            c
        };
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        png.extend(chunk(b"IHDR", &[0; 13]));
        png.extend(chunk(b"tEXt", b"Author\0Jane Doe"));
        png.extend(chunk(b"IDAT", &[1, 2, 3]));
        png.extend(chunk(b"IEND", &[]));
        let out = strip_metadata(MediaKind::Png, &png);
        assert!(!String::from_utf8_lossy(&out).contains("Jane"));
        assert_eq!(out.len(), png.len() - (12 + 15));
    }

    #[test]
    fn unparseable_input_is_returned_unchanged() {
        let junk = vec![0xFF, 0xD8, 0x00, 0x01];
        assert_eq!(strip_metadata(MediaKind::Jpeg, &junk), junk);
    }
}
