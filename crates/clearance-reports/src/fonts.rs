//! The two faces reports are set in, embedded in the binary: what the PDF embeds (krilla
//! subsets them to the glyphs used) and what the layout measures text with.

use ab_glyph::{Font as _, FontRef};

static REGULAR: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold.ttf");

/// Regular or bold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Weight {
    Regular,
    Bold,
}

/// The faces, parsed once per renderer.
pub struct Fonts {
    regular: krilla::text::Font,
    bold: krilla::text::Font,
    measure_regular: FontRef<'static>,
    measure_bold: FontRef<'static>,
}

impl Fonts {
    /// Parses the embedded faces.
    pub fn load() -> Result<Self, String> {
        let pdf = |bytes: &'static [u8]| {
            krilla::text::Font::new(bytes.into(), 0).ok_or("an embedded font does not parse")
        };
        let measure = |bytes: &'static [u8]| {
            FontRef::try_from_slice(bytes).map_err(|e| format!("an embedded font: {e}"))
        };
        Ok(Fonts {
            regular: pdf(REGULAR)?,
            bold: pdf(BOLD)?,
            measure_regular: measure(REGULAR)?,
            measure_bold: measure(BOLD)?,
        })
    }

    /// The face for the PDF.
    pub fn pdf(&self, weight: Weight) -> krilla::text::Font {
        match weight {
            Weight::Regular => self.regular.clone(),
            Weight::Bold => self.bold.clone(),
        }
    }

    /// The advance width of `text` set at `size` points (no kerning: a line measured this way
    /// is never narrower than it prints).
    pub fn width(&self, text: &str, weight: Weight, size: f32) -> f32 {
        let font = match weight {
            Weight::Regular => &self.measure_regular,
            Weight::Bold => &self.measure_bold,
        };
        let per_em = font.units_per_em().unwrap_or(2048.0);
        let units: f32 = text
            .chars()
            .map(|c| font.h_advance_unscaled(font.glyph_id(c)))
            .sum();
        units / per_em * size
    }
}
