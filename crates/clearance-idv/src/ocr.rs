//! Reading the MRZ from a document image: locate the MRZ band, read each line by OCR-B glyph
//! shape or, where that is unsure or a check digit fails, with the PP-OCRv6 recogniser, then
//! parse and correct with [`crate::mrz`].
//!
//! Model files are loaded by path at run time from a models directory (the repo
//! vendors them in `models/ocr/`); nothing is downloaded.

mod cells;
pub mod flatten;
mod glyphs;
mod locate;
mod ocrb_glyphs;
mod page_text;
mod recognise;
mod regions;

use std::borrow::Cow;
use std::fmt;
use std::path::Path;
use std::time::{Duration, Instant};

use image::imageops;
use image::{GrayImage, RgbImage};

use crate::date::Date;
use crate::error::Result;
use crate::image::DocumentImage;
use crate::mrz::{Correction, CorrectionReason, MrzDocument, Position, parse_lines};

pub use recognise::{DICT_FILE, REC_MODEL_FILE};

use cells::line_cells;
use glyphs::{Alphabet, GlyphMatcher, decide_lookalikes};
pub(crate) use locate::to_gray;
use locate::{Ink, LineBox, estimate_skew, find_lines, unshear};
use recognise::LineRecogniser;

/// How many lines of print a page carries, found without a model (a few milliseconds): a
/// photo of a face has few or none, a document held up to the camera has many.
pub fn printed_line_count(gray: &GrayImage) -> usize {
    regions::text_regions(gray).len()
}

/// Line finding runs on a copy at most this wide (skew is scale-free).
pub(crate) const LOCATE_MAX_WIDTH: u32 = 1_200;
/// An MRZ line is at least this many times wider than high (30 characters).
const MIN_LINE_ASPECT: u32 = 8;

/// Reads MRZs from images. Load once and share: the model is immutable and
/// [`MrzReader::read`] takes `&self`.
pub struct MrzReader {
    recogniser: LineRecogniser,
    glyphs: GlyphMatcher,
    /// Whether lines are read by glyph shape before the recogniser is asked (see
    /// [`MrzReader::recogniser_only`]).
    glyph_reading: bool,
    /// How long the search over turns and thresholds may go on (see [`MrzReader::read`]).
    budget: Duration,
}

/// The default bound on one image's MRZ search. A page reads in 0.2–0.6 s on one core in a
/// release build (bench/documents/README.md); the bound is for the pathological image, not the
/// usual one, and leaves room for debug builds on a loaded machine.
pub const DEFAULT_SEARCH_BUDGET: Duration = Duration::from_secs(30);

impl fmt::Debug for MrzReader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MrzReader")
    }
}

/// An MRZ read from an image.
#[derive(Clone)]
pub struct MrzReading {
    /// The parsed, corrected MRZ with its check results.
    pub document: MrzDocument,
    /// The text read per line (by the recogniser or by glyph shape), before correction.
    pub raw_lines: Vec<String>,
    /// Skew found and removed, degrees (positive: lines fall to the right).
    pub skew_degrees: f32,
    /// Where the MRZ was found, so the rest of the page can be read in the same frame.
    pub frame: ReadFrame,
    /// How many lines were read by OCR-B glyph shape rather than by the recogniser: every line
    /// when the glyphs read them all and every check digit passed; else the check-digited lines
    /// when they passed beside a names line the recogniser read; else none.
    pub lines_by_glyph_shape: usize,
}

/// How the image was turned and straightened to read the MRZ, and where the MRZ starts.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ReadFrame {
    /// Quarter turns clockwise the image was read at (0 upright, 2 upside down, 1 and 3 a page
    /// photographed with the phone held the other way).
    pub quarter_turns: u8,
    /// The slope removed by shearing (tan of the skew angle).
    pub slope: f32,
    /// The top of the MRZ's first line, in pixels of the straightened image.
    pub mrz_top: u32,
    /// Where the page lay when it had to be found on its background and flattened first (a
    /// photo taken at an angle); the turn and straightening apply to the flattened page.
    pub page: Option<flatten::PageOutline>,
}

impl fmt::Debug for MrzReading {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MrzReading")
            .field("document", &self.document)
            .field("raw_lines", &self.raw_lines.len())
            .field("skew_degrees", &self.skew_degrees)
            .finish()
    }
}

impl MrzReader {
    /// Loads the recogniser from `models_dir` (the folder holding
    /// [`REC_MODEL_FILE`] and [`DICT_FILE`], e.g. the repo's `models/ocr`).
    ///
    /// # Errors
    /// [`crate::IdvError::Model`] when a file is missing or not a model.
    pub fn load(models_dir: &Path) -> Result<Self> {
        Ok(Self {
            recogniser: LineRecogniser::load(models_dir)?,
            glyphs: GlyphMatcher::new(),
            glyph_reading: true,
            budget: DEFAULT_SEARCH_BUDGET,
        })
    }

    /// This reader with another bound on one image's search: once it is spent, no further
    /// turn or threshold is tried and the best reading so far is returned (the first pass
    /// always runs).
    #[must_use]
    pub fn with_budget(mut self, budget: Duration) -> Self {
        self.budget = budget;
        self
    }

    /// This reader with every MRZ line read by the recogniser, never by glyph shape (glyphs
    /// still decide lookalikes): the plain PP-OCR pipeline, which the benchmark measures as
    /// its baseline in the same run.
    #[must_use]
    pub fn recogniser_only(mut self) -> Self {
        self.glyph_reading = false;
        self
    }

    /// Reads the MRZ of `image`. `Ok(None)` when no MRZ-shaped text was found.
    /// Dates are resolved against `today` (see [`crate::mrz::parse`]).
    ///
    /// # Errors
    /// [`crate::IdvError::Inference`] when the model fails to run.
    pub fn read(&self, image: &DocumentImage, today: Date) -> Result<Option<MrzReading>> {
        // Upright first; photos are often taken upside down, and a page photographed with the
        // phone held upright lies on its side. A turn is tried only while no reading has every
        // check digit right; a turn without MRZ-shaped lines costs little (no line is read).
        // At each turn, ink is first told from paper by one threshold for the whole image, then,
        // when that found nothing complete, by each pixel's neighbourhood: a page lying on a dark
        // table. (A sideways page is the rarer case: phones record their orientation in EXIF.)
        // All of it within the reader's time budget: the first pass always runs.
        let started = Instant::now();
        let spent = || started.elapsed() >= self.budget;
        let mut best: Option<MrzReading> = None;
        for quarter_turns in [0u8, 2, 1, 3] {
            for ink in [Ink::Global, Ink::Local] {
                if (quarter_turns, ink) != (0, Ink::Global) && spent() {
                    return Ok(best);
                }
                let turned = turn(image.rgb(), quarter_turns);
                if self.pass(&turned, (quarter_turns, None), ink, today, &mut best)? {
                    return Ok(best);
                }
            }
        }
        // Nothing complete as photographed: a page shot at an angle has converging lines. Find
        // the page on its background, flatten it, and read that (upright or upside down).
        if spent() {
            return Ok(best);
        }
        let Some(outline) = flatten::PageOutline::find(image.rgb()) else {
            return Ok(best);
        };
        let flat = outline.flatten(image.rgb());
        for quarter_turns in [0u8, 2] {
            for ink in [Ink::Global, Ink::Local] {
                if spent() {
                    return Ok(best);
                }
                let turned = turn(&flat, quarter_turns);
                if self.pass(
                    &turned,
                    (quarter_turns, Some(outline)),
                    ink,
                    today,
                    &mut best,
                )? {
                    return Ok(best);
                }
            }
        }
        Ok(best)
    }

    /// One reading of `rgb` (the image turned, and flattened from `page`, as `how` says), kept
    /// in `best` when more of its check digits are right. True once `best` is complete.
    fn pass(
        &self,
        rgb: &RgbImage,
        how: (u8, Option<flatten::PageOutline>),
        ink: Ink,
        today: Date,
        best: &mut Option<MrzReading>,
    ) -> Result<bool> {
        if let Some(mut reading) = self.read_rgb(rgb, today, ink)? {
            (reading.frame.quarter_turns, reading.frame.page) = how;
            if best
                .as_ref()
                .is_none_or(|b| valid_checks(&reading) > valid_checks(b))
            {
                *best = Some(reading);
            }
        }
        Ok(best.as_ref().is_some_and(|r| r.document.checksums_valid()))
    }

    fn read_rgb(&self, rgb: &RgbImage, today: Date, ink: Ink) -> Result<Option<MrzReading>> {
        let (w, h) = rgb.dimensions();
        if w < 16 || h < 16 {
            return Ok(None);
        }
        let scale = (f64::from(LOCATE_MAX_WIDTH) / f64::from(w)).min(1.0);
        let shrink = |gray: &GrayImage| {
            if scale < 1.0 {
                let sh = ((f64::from(h) * scale).round() as u32).max(1);
                // Area averaging: as good as a filtered resize for finding lines, and several
                // times faster on a full page.
                imageops::thumbnail(gray, LOCATE_MAX_WIDTH, sh)
            } else {
                gray.clone()
            }
        };
        let page_gray = to_gray(rgb);
        let small_gray = shrink(&page_gray);
        let slope = estimate_skew(&small_gray, ink);
        // Unshearing by zero would copy the page: straight images are used as they are.
        let (full, gray, small_gray) = if slope == 0.0 {
            (Cow::Borrowed(rgb), page_gray, small_gray)
        } else {
            let straight = unshear(rgb, slope);
            let gray = to_gray(&straight);
            let small_gray = shrink(&gray);
            (Cow::Owned(straight), gray, small_gray)
        };
        let boxes: Vec<LineBox> = find_lines(&small_gray, ink)
            .into_iter()
            .filter(|b| {
                b.width() >= MIN_LINE_ASPECT * b.height() && 4 * b.width() >= small_gray.width()
            })
            .map(|b| scale_box(b, scale, full.width(), full.height()))
            .collect();
        let group = match ink {
            Ink::Global => bottom_group(&boxes),
            // Along a page's edges a table is darker than the page beside it, and its texture
            // can give a band or two of "text" below the MRZ: look above them too.
            Ink::Local => (0..=3)
                .map(|skip| bottom_group(&boxes[..boxes.len().saturating_sub(skip)]))
                .find(|g| g.len() >= 2)
                .unwrap_or_default(),
        };
        if group.len() < 2 {
            return Ok(None);
        }
        let reading = |lines: &[LineBox], raw_lines, document, lines_by_glyph_shape| MrzReading {
            document,
            raw_lines,
            skew_degrees: slope.atan().to_degrees(),
            frame: ReadFrame {
                quarter_turns: 0,
                slope,
                mrz_top: lines[0].y0,
                page: None,
            },
            lines_by_glyph_shape,
        };
        // First by glyph shape alone, which costs a few milliseconds a line: kept only if
        // every check digit passes (which also confirms where the characters stand, so the
        // names line, which has no check digit, is read in the same cells).
        for take in [3usize, 2] {
            if group.len() < take || !self.glyph_reading {
                continue;
            }
            let lines = &group[group.len() - take..];
            let names = names_line(take);
            let lens: &[usize] = if take == 3 {
                &[TD1_LINE_LEN]
            } else {
                &TWO_LINE_LENS
            };
            for &len in lens {
                let Some(names_text) = self
                    .glyphs
                    .read_line(
                        &line_cells(&gray, lines[names], len, slope),
                        Alphabet::Letters,
                    )
                    .and_then(|t| String::from_utf8(t).ok())
                else {
                    continue;
                };
                if let Some((raw_lines, document)) =
                    self.read_by_glyphs(&gray, lines, names, &names_text, slope, today)
                {
                    return Ok(Some(reading(lines, raw_lines, document, take)));
                }
            }
        }
        let mut best: Option<MrzReading> = None;
        for take in [3usize, 2] {
            if group.len() < take {
                continue;
            }
            let lines = &group[group.len() - take..];
            // The names line is read by the recogniser. The others are check-digited: read
            // by glyph shape, they are kept if every check digit passes, and read by the
            // recogniser otherwise.
            let names = names_line(take);
            let names_text = self.recogniser.recognise(&crop_line(&full, lines[names]))?;
            let by_shape = self
                .glyph_reading
                .then(|| self.read_by_glyphs(&gray, lines, names, &names_text, slope, today))
                .flatten();
            let lines_by_glyph_shape = if by_shape.is_some() { take - 1 } else { 0 };
            let (raw_lines, document) = match by_shape {
                Some((raw_lines, document)) => {
                    // Digits the recogniser read in the names line's letter fields.
                    let document =
                        self.by_glyph_shape(&gray, lines, &raw_lines, document, slope, today);
                    (raw_lines, document)
                }
                None => {
                    let mut raw_lines = Vec::with_capacity(take);
                    for (i, b) in lines.iter().enumerate() {
                        raw_lines.push(if i == names {
                            names_text.clone()
                        } else {
                            self.recogniser.recognise(&crop_line(&full, *b))?
                        });
                    }
                    let Ok(document) = parse_lines(&raw_lines, today) else {
                        continue;
                    };
                    let document =
                        self.by_glyph_shape(&gray, lines, &raw_lines, document, slope, today);
                    (raw_lines, document)
                }
            };
            let reading = reading(lines, raw_lines, document, lines_by_glyph_shape);
            if best
                .as_ref()
                .is_none_or(|b| valid_checks(&reading) > valid_checks(b))
            {
                best = Some(reading);
            }
            if best.as_ref().is_some_and(|b| b.document.checksums_valid()) {
                break;
            }
        }
        Ok(best)
    }

    /// The MRZ with its names line read as `names_text` and every other line read by glyph
    /// shape alone ([`GlyphMatcher::read_line`]), if every check digit passes. A line the
    /// glyphs cannot read surely, or a failing check digit, gives `None`.
    fn read_by_glyphs(
        &self,
        gray: &GrayImage,
        lines: &[LineBox],
        names: usize,
        names_text: &str,
        slope: f32,
        today: Date,
    ) -> Option<(Vec<String>, MrzDocument)> {
        // Three lines are a TD1 (30 characters each); on two-line formats the names line
        // tells the length (44 or 36).
        let len = if lines.len() == 3 {
            TD1_LINE_LEN
        } else {
            names_text.len()
        };
        let mut raw_lines = Vec::with_capacity(lines.len());
        for (i, b) in lines.iter().enumerate() {
            if i == names {
                raw_lines.push(names_text.to_owned());
                continue;
            }
            let text = self
                .glyphs
                .read_line(&line_cells(gray, *b, len, slope), Alphabet::Mrz)?;
            raw_lines.push(String::from_utf8(text).ok()?);
        }
        let document = parse_lines(&raw_lines, today).ok()?;
        (document.format.line_len() == len && document.checksums_valid())
            .then_some((raw_lines, document))
    }

    /// Where a document-number or optional-data character is one of an OCR-B
    /// lookalike pair (`O`/`0`, `I`/`1`, …), or a digit stands where only letters
    /// are allowed, decides it from the glyph's shape in the image (see
    /// [`glyphs`]), then parses again. Lines whose length is wrong are left alone
    /// (their columns are not known).
    fn by_glyph_shape(
        &self,
        gray: &GrayImage,
        boxes: &[LineBox],
        raw_lines: &[String],
        document: MrzDocument,
        slope: f32,
        today: Date,
    ) -> MrzDocument {
        let format = document.format;
        let len = format.line_len();
        let mut lines: Vec<Vec<u8>> = raw_lines.iter().map(|l| l.bytes().collect()).collect();
        let cells: Vec<Vec<Option<Vec<f32>>>> = lines
            .iter()
            .zip(boxes)
            .map(|(line, b)| {
                if line.len() == len {
                    line_cells(gray, *b, len, slope)
                } else {
                    Vec::new()
                }
            })
            .collect();
        let mut changes: Vec<Correction> =
            decide_lookalikes(&self.glyphs, format, &mut lines, &cells)
                .into_iter()
                .map(|(line, col, from, to)| Correction {
                    position: Position::from_zero_based(line, col),
                    from: char::from(from),
                    to: char::from(to),
                    reason: CorrectionReason::GlyphShape,
                })
                .collect();
        if changes.is_empty() {
            return document;
        }
        let text: Vec<String> = lines
            .iter()
            .map(|l| l.iter().map(|&c| char::from(c)).collect())
            .collect();
        match parse_lines(&text, today) {
            Ok(mut adjusted) if adjusted.format == format => {
                changes.extend(adjusted.corrections);
                adjusted.corrections = changes;
                adjusted
            }
            _ => document,
        }
    }
}

/// Characters on each line of a TD1 (three lines).
const TD1_LINE_LEN: usize = 30;
/// Characters on each line of the two-line formats: TD3 and MRV-A, then TD2 and MRV-B.
const TWO_LINE_LENS: [usize; 2] = [44, 36];

/// Which of `take` MRZ lines holds the names: the last of a TD1's three, the first otherwise.
fn names_line(take: usize) -> usize {
    if take == 3 { 2 } else { 0 }
}

/// `rgb` turned `quarter_turns` quarter turns clockwise (borrowed when upright).
#[must_use]
pub fn turn(rgb: &RgbImage, quarter_turns: u8) -> Cow<'_, RgbImage> {
    match quarter_turns % 4 {
        1 => Cow::Owned(imageops::rotate90(rgb)),
        2 => Cow::Owned(imageops::rotate180(rgb)),
        3 => Cow::Owned(imageops::rotate270(rgb)),
        _ => Cow::Borrowed(rgb),
    }
}

fn valid_checks(r: &MrzReading) -> usize {
    r.document.checks.iter().filter(|c| c.is_valid()).count()
}

fn scale_box(b: LineBox, scale: f64, w: u32, h: u32) -> LineBox {
    let f = |v: u32, max: u32| ((f64::from(v) / scale).round() as u32).min(max);
    LineBox {
        x0: f(b.x0, w),
        y0: f(b.y0, h),
        x1: f(b.x1, w),
        y1: f(b.y1, h),
    }
}

/// The bottom-most run of lines of similar height with line-sized gaps: the MRZ
/// is the last block of text on every ICAO document side that carries one.
fn bottom_group(boxes: &[LineBox]) -> Vec<LineBox> {
    let mut group: Vec<LineBox> = Vec::new();
    for b in boxes.iter().rev() {
        if let Some(prev) = group.last() {
            let tall = prev.height().max(b.height());
            let similar = 2 * b.height() >= prev.height() && b.height() <= 2 * prev.height();
            if prev.y0.saturating_sub(b.y1) > 2 * tall || !similar {
                break;
            }
        }
        group.push(*b);
        if group.len() == 3 {
            break;
        }
    }
    group.reverse();
    group
}

/// The MRZ line's box with margins (the recogniser was trained on loose crops).
fn crop_line(rgb: &RgbImage, b: LineBox) -> RgbImage {
    crop_with_margin(rgb, b, b.height() / 2 + 2, b.height() / 4 + 2)
}

/// `b` grown by `pad_x` and `pad_y` on each side, clamped to the image, as a new image.
pub(crate) fn crop_with_margin(rgb: &RgbImage, b: LineBox, pad_x: u32, pad_y: u32) -> RgbImage {
    let x0 = b.x0.saturating_sub(pad_x);
    let y0 = b.y0.saturating_sub(pad_y);
    let x1 = (b.x1 + pad_x).min(rgb.width());
    let y1 = (b.y1 + pad_y).min(rgb.height());
    imageops::crop_imm(rgb, x0, y0, x1 - x0, y1 - y0).to_image()
}
