//! The PP-OCRv6 small text-line recogniser run by `rten`, decoded with greedy
//! CTC restricted to an alphabet: the MRZ's for machine-readable lines, Latin script for the
//! visual zone.

use std::path::Path;

use image::RgbImage;
use image::imageops::{self, FilterType};
use rten::Model;
use rten_tensor::NdTensor;
use rten_tensor::prelude::*;

use crate::error::{IdvError, Result};

/// File name of the recogniser inside the models directory.
pub const REC_MODEL_FILE: &str = "PP-OCRv6_rec_small.rten";
/// File name of the recogniser's dictionary inside the models directory.
pub const DICT_FILE: &str = "ppocrv6_dict.txt";
/// Input height the recogniser was trained for.
const INPUT_HEIGHT: u32 = 48;
/// Narrowest input accepted (very short crops are padded to this).
const MIN_WIDTH: u32 = 64;
/// Widest input accepted (a 44-character MRZ line needs about 1,100).
const MAX_WIDTH: u32 = 2_400;

/// The recogniser and the classes of its two alphabets.
pub(crate) struct LineRecogniser {
    model: Model,
    /// (class index, character) for every MRZ output class except blank.
    allowed: Vec<(usize, char)>,
    /// (class index, character) for Latin letters, digits, the punctuation printed on ID
    /// pages and the space: what a European-style visual zone holds.
    latin: Vec<(usize, char)>,
}

impl LineRecogniser {
    /// Loads the model and dictionary from `dir`.
    pub fn load(dir: &Path) -> Result<Self> {
        let dict_path = dir.join(DICT_FILE);
        let dict = std::fs::read_to_string(&dict_path)
            .map_err(|e| IdvError::Model(format!("{}: {e}", dict_path.display())))?;
        // Class 0 is the CTC blank; class i is dictionary line i - 1.
        let allowed: Vec<(usize, char)> = dict
            .lines()
            .enumerate()
            .filter_map(|(i, entry)| {
                let mut chars = entry.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None)
                        if c.is_ascii_uppercase() || c.is_ascii_digit() || c == '<' || c == '«' =>
                    {
                        Some((i + 1, c))
                    }
                    _ => None,
                }
            })
            .collect();
        let mut latin: Vec<(usize, char)> = dict
            .lines()
            .enumerate()
            .filter_map(|(i, entry)| {
                let mut chars = entry.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) if is_visual_zone_char(c) => Some((i + 1, c)),
                    _ => None,
                }
            })
            .collect();
        // The class after the last dictionary entry is the space.
        latin.push((dict.lines().count() + 1, ' '));
        if allowed.len() < 38 {
            return Err(IdvError::Model(format!(
                "{}: dictionary lacks the MRZ alphabet",
                dict_path.display()
            )));
        }
        let model_path = dir.join(REC_MODEL_FILE);
        let model = Model::load_file(&model_path)
            .map_err(|e| IdvError::Model(format!("{}: {e}", model_path.display())))?;
        Ok(Self {
            model,
            allowed,
            latin,
        })
    }

    /// Reads one MRZ line. `line` should be a crop holding a single line.
    pub fn recognise(&self, line: &RgbImage) -> Result<String> {
        let scores = self.scores(line)?;
        let mut out = String::new();
        for (c, _, _) in decode(&scores, &self.allowed) {
            // `«` stands for two fillers.
            if c == '«' {
                out.push_str("<<");
            } else {
                out.push(c);
            }
        }
        Ok(out)
    }

    /// Reads short lines of visual-zone text, each with the probability of its least sure
    /// character (0 when nothing was read).
    ///
    /// The lines are scaled to the model's height and laid side by side, a blank gap between
    /// them, into strips read in one run each: a run has a fixed cost of several milliseconds,
    /// which for a page of 20–30 short fields is most of the time. Each character the model
    /// emits goes back to the line under its time step.
    pub fn recognise_texts(&self, lines: &[RgbImage]) -> Result<Vec<(String, f32)>> {
        let mut out = vec![(String::new(), 0f32); lines.len()];
        for (range, strip) in strips(lines) {
            let scores = self.run(strip.tensor)?;
            let [_, steps, _] = scores.shape();
            let step_width = strip.width as f32 / steps.max(1) as f32;
            let mut read: Vec<(String, f32)> = vec![(String::new(), 1.0); range.len()];
            for (c, p, t) in decode(&scores, &self.latin) {
                let x = ((t as f32 + 0.5) * step_width) as u32;
                if let Some(i) = strip.spans.iter().position(|&(a, b)| (a..b).contains(&x)) {
                    read[i].0.push(c);
                    if c != ' ' {
                        read[i].1 = read[i].1.min(p);
                    }
                }
            }
            for (slot, (text, p)) in out[range].iter_mut().zip(read) {
                let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
                let p = if text.is_empty() { 0.0 } else { p };
                *slot = (text, p);
            }
        }
        Ok(out)
    }

    fn scores(&self, line: &RgbImage) -> Result<NdTensor<f32, 3>> {
        self.run(preprocess(line))
    }

    fn run(&self, input: NdTensor<f32, 4>) -> Result<NdTensor<f32, 3>> {
        let output = self
            .model
            .run_one(input.view().into(), None)
            .map_err(|e| IdvError::Inference(e.to_string()))?;
        output
            .try_into()
            .map_err(|_| IdvError::Inference("unexpected output type".into()))
    }
}

/// Blank columns between two lines of a strip (a few character widths: the model emits
/// nothing, or a space, there).
const STRIP_GAP: u32 = 16;
/// Visual-zone lines are narrowed to this share of their width (percent): the model's cost
/// grows with the width, and at 60 % printed capitals, digits and captions still read
/// exactly on the specimen page, where 50 % began to lose lower-case letters.
const SQUEEZE_PERCENT: u64 = 60;
/// Strips are at most this wide; more lines go to another strip.
const STRIP_MAX_WIDTH: u32 = 4_000;

/// Lines laid side by side at the model's height.
struct Strip {
    tensor: NdTensor<f32, 4>,
    width: u32,
    /// Each line's columns, `[start, end)`.
    spans: Vec<(u32, u32)>,
}

/// The strips for `lines`, each with the range of lines it holds.
fn strips(lines: &[RgbImage]) -> Vec<(std::ops::Range<usize>, Strip)> {
    let scaled: Vec<RgbImage> = lines
        .iter()
        .map(|line| {
            let (w, h) = line.dimensions();
            let sw = (u64::from(w) * u64::from(INPUT_HEIGHT) * SQUEEZE_PERCENT
                / (100 * u64::from(h.max(1))))
            .clamp(1, u64::from(STRIP_MAX_WIDTH - 2 * STRIP_GAP));
            let sw = u32::try_from(sw).unwrap_or(STRIP_MAX_WIDTH);
            imageops::resize(line, sw, INPUT_HEIGHT, FilterType::Triangle)
        })
        .collect();
    let mut out = Vec::new();
    let mut start = 0;
    while start < scaled.len() {
        let mut end = start;
        let mut width = STRIP_GAP;
        while end < scaled.len()
            && (end == start || width + scaled[end].width() + STRIP_GAP <= STRIP_MAX_WIDTH)
        {
            width += scaled[end].width() + STRIP_GAP;
            end += 1;
        }
        out.push((start..end, lay_out(&scaled[start..end], width)));
        start = end;
    }
    out
}

/// One strip: white, each line pasted after a gap, normalised as [`preprocess`] does.
fn lay_out(lines: &[RgbImage], width: u32) -> Strip {
    let (w, h) = (width as usize, INPUT_HEIGHT as usize);
    let mut data = vec![1f32; 3 * h * w];
    let mut spans = Vec::with_capacity(lines.len());
    let mut x0 = STRIP_GAP;
    for line in lines {
        for (x, y, p) in line.enumerate_pixels() {
            let col = (x0 + x) as usize;
            for c in 0..3 {
                data[c * h * w + y as usize * w + col] = (f32::from(p[c]) / 255.0 - 0.5) / 0.5;
            }
        }
        spans.push((x0, x0 + line.width()));
        x0 += line.width() + STRIP_GAP;
    }
    Strip {
        tensor: NdTensor::from_data([1, 3, h, w], data),
        width,
        spans,
    }
}

/// Greedy CTC over blank + `alphabet`: best class per step, repeats collapsed, blanks
/// dropped; each character with its probability and time step.
fn decode(scores: &NdTensor<f32, 3>, alphabet: &[(usize, char)]) -> Vec<(char, f32, usize)> {
    let [_, steps, classes] = scores.shape();
    let mut out = Vec::new();
    let mut previous = 0usize;
    for t in 0..steps {
        let mut best = (0usize, scores[[0, t, 0]], None);
        for &(class, c) in alphabet {
            if class < classes && scores[[0, t, class]] > best.1 {
                best = (class, scores[[0, t, class]], Some(c));
            }
        }
        if let (class, p, Some(c)) = best
            && class != previous
        {
            out.push((c, p, t));
        }
        previous = best.0;
    }
    out
}

/// Characters a Latin-script visual zone prints: letters (accented ones included), digits and
/// the punctuation of dates, numbers and names.
fn is_visual_zone_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(c, '.' | ',' | '/' | '-' | '\'' | '(' | ')' | ':')
        || (c.is_alphabetic() && ('\u{c0}'..='\u{24f}').contains(&c))
}

/// Resize to the model's height keeping the aspect ratio; RGB, scaled to
/// `(x / 255 - 0.5) / 0.5`, NCHW.
fn preprocess(line: &RgbImage) -> NdTensor<f32, 4> {
    let height = INPUT_HEIGHT;
    let (w, h) = line.dimensions();
    let scaled_w = (u64::from(w) * u64::from(height) / u64::from(h.max(1)))
        .clamp(u64::from(MIN_WIDTH), u64::from(MAX_WIDTH));
    let scaled_w = u32::try_from(scaled_w).unwrap_or(MAX_WIDTH);
    let resized = imageops::resize(line, scaled_w, height, FilterType::Triangle);
    let (w, h) = (scaled_w as usize, height as usize);
    let mut data = vec![0f32; 3 * h * w];
    for (x, y, p) in resized.enumerate_pixels() {
        for c in 0..3 {
            data[c * h * w + y as usize * w + x as usize] = (f32::from(p[c]) / 255.0 - 0.5) / 0.5;
        }
    }
    NdTensor::from_data([1, 3, h, w], data)
}
