//! Synthetic UK proof-of-address documents — utility bills, bank statements and council tax
//! bills — with their ground truth, for tests and the proof-of-address benchmark.
//!
//! Everything is invented and deterministic for a seed: the same call gives the same bytes.
//! Documents come as text PDFs, image-only PDFs (a scan), JPEG photos or PNG scans.

mod content;
mod degrade;
mod layout;
mod people;

use chrono::NaiveDate;

use layout::{LAYOUTS, Page};
use people::Rng;

/// What a document states: what a proof-of-address check should read from it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Truth {
    /// "utility_bill", "bank_statement" or "tax_document".
    pub document_type: &'static str,
    pub issuer: String,
    /// The holder's name as printed, e.g. "Mr John Smith" or "JOHN SMITH".
    pub holder: String,
    pub first_name: String,
    pub last_name: String,
    pub property_number: String,
    pub street: String,
    pub city: String,
    /// A UK postcode such as "LS1 4AB"; every document is from the UK ("GB").
    pub postal_code: String,
    pub issue_date: NaiveDate,
}

/// How the document is delivered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Rendering {
    /// A PDF with real, selectable text.
    PdfText,
    /// A PDF whose only content is a scanned image of the page.
    PdfImageOnly,
    /// A photo or scan as JPEG.
    Jpeg,
    /// A greyscale scan as PNG.
    Png,
}

impl Rendering {
    /// The file extension.
    #[must_use]
    pub fn extension(self) -> &'static str {
        match self {
            Rendering::PdfText | Rendering::PdfImageOnly => "pdf",
            Rendering::Jpeg => "jpg",
            Rendering::Png => "png",
        }
    }
}

#[derive(Clone, Debug)]
pub struct GeneratedDocument {
    pub truth: Truth,
    pub rendering: Rendering,
    pub bytes: Vec<u8>,
    /// The page design: "classic", "banded" or "slip".
    pub layout: &'static str,
    /// A file name, e.g. "0003-utility_bill-banded-5f1c2a9e03b4d871.jpg".
    pub name: String,
}

/// Why a document could not be made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenError(pub String);

impl std::fmt::Display for GenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for GenError {}

impl From<&str> for GenError {
    fn from(s: &str) -> Self {
        GenError(s.to_string())
    }
}

impl From<String> for GenError {
    fn from(s: String) -> Self {
        GenError(s)
    }
}

/// Renderings in a fixed cycle of 20: 8 text PDFs (40 %), 4 image PDFs (20 %), 5 JPEGs (25 %)
/// and 3 PNGs (15 %), spread so that any 12 in a row hold every kind.
const MIX: &[u8; 20] = b"TJITPTJTIJTPTJITJPTI";

/// `count` documents issued within the 80 days before `today`. Deterministic for a seed: the
/// same documents byte for byte.
pub fn generate(
    seed: u64,
    count: usize,
    today: NaiveDate,
) -> Result<Vec<GeneratedDocument>, GenError> {
    let mut rng = Rng::new(seed);
    let offset = rng.below(MIX.len());
    (0..count)
        .map(|i| {
            let truth = people::truth(&mut rng, today)?;
            let layout = rng.below(LAYOUTS.len());
            let rendering = match MIX[(i + offset) % MIX.len()] {
                b'T' => Rendering::PdfText,
                b'I' => Rendering::PdfImageOnly,
                b'J' => Rendering::Jpeg,
                _ => Rendering::Png,
            };
            let mut doc = render(&truth, layout, rendering, rng.next())?;
            doc.name = format!("{i:04}-{}", doc.name);
            Ok(doc)
        })
        .collect()
}

/// One document with the given truth, page design (`layout` modulo the number of designs) and
/// rendering; `seed` picks the account details, amounts and scan defects.
pub fn render(
    truth: &Truth,
    layout: usize,
    rendering: Rendering,
    seed: u64,
) -> Result<GeneratedDocument, GenError> {
    let mut rng = Rng::new(seed);
    let content = content::content(truth, &mut rng);
    let page = layout::lay_out(truth, &content, layout);
    let bytes = as_rendering(&page, rendering, &mut rng)?;
    let layout = LAYOUTS[layout % LAYOUTS.len()];
    Ok(GeneratedDocument {
        name: format!(
            "{}-{layout}-{seed:016x}.{}",
            truth.document_type,
            rendering.extension()
        ),
        truth: truth.clone(),
        rendering,
        bytes,
        layout,
    })
}

/// A blank A4 page in the rendering (PDF or image), for the "blank page" case.
pub fn blank(rendering: Rendering) -> Result<Vec<u8>, GenError> {
    as_rendering(&Page::default(), rendering, &mut Rng::new(0))
}

fn as_rendering(page: &Page, rendering: Rendering, rng: &mut Rng) -> Result<Vec<u8>, GenError> {
    let text = layout::pdf(page, None)?;
    if rendering == Rendering::PdfText {
        return Ok(text);
    }
    // 150–170 dpi: at most 1,987 pixels down an A4 page.
    let dpi = 150.0 + rng.range(0, 20) as f32;
    let sigma = 2.0 + rng.unit() * 4.0;
    let image = degrade::degrade(&degrade::rasterise(&text, dpi)?, rng, sigma);
    match rendering {
        Rendering::Jpeg => degrade::jpeg(&image, rng.range(60, 85) as u8),
        Rendering::Png => degrade::png(&image),
        _ => layout::pdf(&Page::default(), Some(degrade::jpeg(&image, 80)?)),
    }
}

#[cfg(test)]
mod tests;
