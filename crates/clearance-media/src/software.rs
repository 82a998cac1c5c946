//! Which image editor, if any, a file's metadata says last saved it: read before the metadata is
//! stripped, because a document photo that went through an editor is a forensic signal (issue
//! #23). Only editors are named; the software of a phone or camera is not kept, so nothing about
//! the device reaches storage.

use crate::MediaKind;
use crate::tiff::Tiff;

/// Editors, as they name themselves in `Software`, `CreatorTool` or a PNG `Software` chunk
/// (matched case-insensitively as substrings).
const EDITORS: &[&str] = &[
    "photoshop",
    "gimp",
    "affinity photo",
    "pixelmator",
    "paint.net",
    "paintshop",
    "corel",
    "photopea",
    "lightroom",
    "krita",
    "canva",
    "picsart",
    "snapseed",
    "fotor",
    "photoscape",
    "acorn",
    "luminar",
    "photodirector",
    "inkscape",
];

/// The longest name kept: enough for "Adobe Photoshop 25.0 (Windows)".
const MAX_NAME: usize = 80;

/// The editor the metadata of `bytes` names, if it names one.
pub fn editing_software(kind: MediaKind, bytes: &[u8]) -> Option<String> {
    let names = match kind {
        MediaKind::Jpeg => jpeg_names(bytes),
        MediaKind::Png => png_names(bytes),
        MediaKind::Pdf => Vec::new(),
    };
    names.into_iter().find_map(|name| editor(&name))
}

/// `name` trimmed and shortened, when it names an editor.
fn editor(name: &str) -> Option<String> {
    let clean: String = name
        .chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .trim()
        .chars()
        .take(MAX_NAME)
        .collect();
    let lower = clean.to_lowercase();
    EDITORS.iter().any(|e| lower.contains(e)).then_some(clean)
}

/// The software names in a JPEG's EXIF and XMP segments, and Photoshop's own segment.
fn jpeg_names(bytes: &[u8]) -> Vec<String> {
    let mut names = Vec::new();
    let mut pos = 2;
    while pos + 4 <= bytes.len() && bytes.get(pos) == Some(&0xFF) {
        let marker = bytes[pos + 1];
        if marker == 0xDA || marker == 0xD9 {
            break;
        }
        if marker == 0xFF || marker == 0x01 || (0xD0..=0xD8).contains(&marker) {
            pos += if marker == 0xFF { 1 } else { 2 };
            continue;
        }
        let len = usize::from(u16::from_be_bytes([bytes[pos + 2], bytes[pos + 3]]));
        let Some(payload) = bytes.get(pos + 4..pos + 2 + len.max(2)) else {
            break;
        };
        match marker {
            0xE1 => {
                if payload.starts_with(b"Exif\0\0") {
                    names.extend(exif_software(payload));
                } else if payload.starts_with(b"http://ns.adobe.com/xap/1.0/\0") {
                    names.extend(xmp_creator_tool(payload));
                }
            }
            // Photoshop's image resource block: only Photoshop and its clones write it.
            0xED if payload.starts_with(b"Photoshop 3.0\0") => {
                names.push("Adobe Photoshop".to_owned());
            }
            _ => {}
        }
        pos += 2 + len;
    }
    names
}

/// The `Software` tag (0x0131, ASCII) of an EXIF payload's first IFD.
fn exif_software(payload: &[u8]) -> Option<String> {
    let tiff = Tiff::from_exif(payload)?;
    let entry = tiff.ifd0_entry(0x0131)?;
    if tiff.u16_at(entry + 2)? != 2 {
        return None;
    }
    let n = tiff.u32_at(entry + 4)?;
    let text = if n <= 4 {
        tiff.bytes().get(entry + 8..entry + 8 + n)?
    } else {
        let at = tiff.u32_at(entry + 8)?;
        tiff.bytes().get(at..at.checked_add(n)?)?
    };
    Some(
        String::from_utf8_lossy(text)
            .trim_end_matches('\0')
            .to_owned(),
    )
}

/// `xmp:CreatorTool`, as an attribute or an element of an XMP packet.
fn xmp_creator_tool(packet: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(packet);
    let at = text.find("CreatorTool")? + "CreatorTool".len();
    let rest = &text[at..];
    let value = if let Some(attr) = rest.strip_prefix("=\"") {
        attr.split('"').next()?
    } else {
        rest.strip_prefix('>')?.split('<').next()?
    };
    Some(value.to_owned())
}

/// The `Software` text chunks of a PNG, and the `CreatorTool` of an XMP chunk.
fn png_names(bytes: &[u8]) -> Vec<String> {
    let mut names = Vec::new();
    let mut pos = 8;
    while let Some(head) = bytes.get(pos..pos + 8) {
        let len = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as usize;
        let Some(data) = pos
            .checked_add(8 + len)
            .and_then(|end| bytes.get(pos + 8..end))
        else {
            break;
        };
        match &head[4..8] {
            b"tEXt" | b"iTXt" => {
                if let Some(rest) = data.strip_prefix(b"Software\0") {
                    // iTXt: compression flag, method, language and translated keyword first.
                    let value = if &head[4..8] == b"iTXt" {
                        rest.get(2..)
                            .and_then(|r| r.splitn(3, |&b| b == 0).nth(2))
                            .unwrap_or_default()
                    } else {
                        rest
                    };
                    names.push(String::from_utf8_lossy(value).into_owned());
                } else if data.starts_with(b"XML:com.adobe.xmp\0") {
                    names.extend(xmp_creator_tool(data));
                }
            }
            b"IEND" => break,
            _ => {}
        }
        pos += 12 + len;
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jpeg_with(segment_marker: u8, payload: &[u8]) -> Vec<u8> {
        let mut v = vec![0xFF, 0xD8, 0xFF, segment_marker];
        v.extend_from_slice(&u16::try_from(payload.len() + 2).unwrap().to_be_bytes());
        v.extend_from_slice(payload);
        v.extend_from_slice(&[0xFF, 0xDA, 0x00, 0x02, 0x11, 0x22, 0xFF, 0xD9]);
        v
    }

    /// An EXIF payload whose IFD0 holds one ASCII `Software` entry pointing at `name`.
    fn exif_software_payload(name: &str) -> Vec<u8> {
        let mut p = b"Exif\0\0II*\0\x08\0\0\0\x01\0".to_vec();
        let text = format!("{name}\0");
        p.extend_from_slice(&[0x31, 0x01, 0x02, 0x00]);
        p.extend_from_slice(&u32::try_from(text.len()).unwrap().to_le_bytes());
        p.extend_from_slice(&26u32.to_le_bytes()); // after the IFD: 8 + 2 + 12 + 4
        p.extend_from_slice(&[0, 0, 0, 0]);
        p.extend_from_slice(text.as_bytes());
        p
    }

    #[test]
    fn an_editor_in_exif_is_named_and_a_phone_is_not() {
        let edited = jpeg_with(
            0xE1,
            &exif_software_payload("Adobe Photoshop 25.0 (Windows)"),
        );
        assert_eq!(
            editing_software(MediaKind::Jpeg, &edited).as_deref(),
            Some("Adobe Photoshop 25.0 (Windows)")
        );
        let phone = jpeg_with(0xE1, &exif_software_payload("iOS 17.2.1"));
        assert_eq!(editing_software(MediaKind::Jpeg, &phone), None);
    }

    #[test]
    fn an_editor_in_xmp_or_a_photoshop_segment_is_named() {
        let xmp = jpeg_with(
            0xE1,
            b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta><rdf:Description xmp:CreatorTool=\"GIMP 2.10\"/>",
        );
        assert_eq!(
            editing_software(MediaKind::Jpeg, &xmp).as_deref(),
            Some("GIMP 2.10")
        );
        let irb = jpeg_with(0xED, b"Photoshop 3.0\08BIM");
        assert_eq!(
            editing_software(MediaKind::Jpeg, &irb).as_deref(),
            Some("Adobe Photoshop")
        );
    }

    #[test]
    fn a_png_software_chunk_is_read() {
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        let data = b"Software\0paint.net 5.0";
        png.extend_from_slice(&u32::try_from(data.len()).unwrap().to_be_bytes());
        png.extend_from_slice(b"tEXt");
        png.extend_from_slice(data);
        png.extend_from_slice(&[0, 0, 0, 0]);
        png.extend_from_slice(&[0, 0, 0, 0]);
        png.extend_from_slice(b"IEND");
        png.extend_from_slice(&[0, 0, 0, 0]);
        assert_eq!(
            editing_software(MediaKind::Png, &png).as_deref(),
            Some("paint.net 5.0")
        );
    }

    #[test]
    fn damaged_metadata_is_ignored_not_a_panic() {
        let edited = jpeg_with(0xE1, &exif_software_payload("Adobe Photoshop"));
        for cut in 0..edited.len() {
            let _ = editing_software(MediaKind::Jpeg, &edited[..cut]);
        }
        let mut wild = exif_software_payload("GIMP");
        wild[20] = 0xFF; // the string's length, now huge
        assert_eq!(
            editing_software(MediaKind::Jpeg, &jpeg_with(0xE1, &wild)),
            None
        );
    }
}
