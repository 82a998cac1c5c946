//! Just enough of TIFF (the structure inside EXIF) to find a tag of the first IFD.

/// A TIFF structure: its bytes and byte order.
pub(crate) struct Tiff<'a> {
    bytes: &'a [u8],
    little: bool,
}

impl<'a> Tiff<'a> {
    /// The TIFF inside an EXIF APP1 payload (`Exif\0\0` first).
    pub(crate) fn from_exif(payload: &'a [u8]) -> Option<Tiff<'a>> {
        let bytes = payload.strip_prefix(b"Exif\0\0")?;
        let little = match bytes.get(..4)? {
            b"II*\0" => true,
            b"MM\0*" => false,
            _ => return None,
        };
        Some(Tiff { bytes, little })
    }

    pub(crate) fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    pub(crate) fn u16_at(&self, at: usize) -> Option<u16> {
        let b = [*self.bytes.get(at)?, *self.bytes.get(at.checked_add(1)?)?];
        Some(if self.little {
            u16::from_le_bytes(b)
        } else {
            u16::from_be_bytes(b)
        })
    }

    pub(crate) fn u32_at(&self, at: usize) -> Option<usize> {
        let b: [u8; 4] = self.bytes.get(at..at.checked_add(4)?)?.try_into().ok()?;
        let v = if self.little {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        };
        usize::try_from(v).ok()
    }

    /// The offset of the first IFD's entry for `tag` (12 bytes: tag, type, count, value).
    pub(crate) fn ifd0_entry(&self, tag: u16) -> Option<usize> {
        let ifd = self.u32_at(4)?;
        let count = usize::from(self.u16_at(ifd)?);
        (0..count.min(512)).find_map(|i| {
            let entry = ifd.checked_add(2 + i * 12)?;
            (self.u16_at(entry)? == tag).then_some(entry)
        })
    }
}
