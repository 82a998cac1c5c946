//! The PP-OCRv6 small text-line recogniser run by `rten`, decoded with greedy
//! CTC restricted to an alphabet: the MRZ's for machine-readable lines, Latin script for the
//! visual zone.

use std::path::Path;

use image::RgbImage;
use rten::{Model, NodeId};
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

/// Value node holding the model's per-step features (`[1, dim, steps]`), which its last layer
/// maps to classes (the node after it, a transpose, is fused away when the model loads).
const FEATURES_NODE: &str = "p2o.pd_op.squeeze.0.0";
/// The last layer's weights (`[features, classes]`) and bias (`[classes]`).
const HEAD_WEIGHTS_NODE: &str = "linear_8.w_0";
const HEAD_BIAS_NODE: &str = "linear_8.b_0";

/// The recogniser, run up to its per-step features, and its last layer kept for the classes
/// of its two alphabets only.
pub(crate) struct LineRecogniser {
    model: Model,
    features: NodeId,
    /// The MRZ's characters.
    mrz: Head,
    /// Latin letters, digits, the punctuation printed on ID pages and the space: what a
    /// European-style visual zone holds.
    latin: Head,
}

/// The model's last layer (a linear map from the features to 18,710 classes, then a softmax)
/// restricted to the blank and one alphabet's classes. The model was trained to output every
/// class, but only these can be read; computing the others costs a tenth of a run.
struct Head {
    /// The character of each class kept; `None` for the blank (the first).
    chars: Vec<Option<char>>,
    /// One row of `dim` weights per class kept.
    weights: Vec<f32>,
    bias: Vec<f32>,
    dim: usize,
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
        let bad_model = |e: String| IdvError::Model(format!("{}: {e}", model_path.display()));
        let model = Model::load_file(&model_path).map_err(|e| bad_model(e.to_string()))?;
        let node = |name: &str| {
            model
                .find_node(name)
                .ok_or_else(|| bad_model(format!("no node {name}")))
        };
        let features = node(FEATURES_NODE)?;
        let [weights, bias] = model
            .run_n(
                vec![],
                [node(HEAD_WEIGHTS_NODE)?, node(HEAD_BIAS_NODE)?],
                None,
            )
            .map_err(|e| bad_model(e.to_string()))?;
        let weights: NdTensor<f32, 2> = weights
            .try_into()
            .map_err(|_| bad_model("head weights are not a matrix".into()))?;
        let bias: NdTensor<f32, 1> = bias
            .try_into()
            .map_err(|_| bad_model("head bias is not a vector".into()))?;
        let head =
            |alphabet: &[(usize, char)]| Head::new(&weights, &bias, alphabet).map_err(bad_model);
        let recogniser = Self {
            mrz: head(&allowed)?,
            latin: head(&latin)?,
            model,
            features,
        };
        // A model whose features do not fit its last layer would read nothing: refuse it here.
        let probe = recogniser
            .run(NdTensor::zeros([
                1,
                3,
                INPUT_HEIGHT as usize,
                MIN_WIDTH as usize,
            ]))
            .map_err(|e| bad_model(e.to_string()))?;
        if probe.size(1) != recogniser.mrz.dim {
            return Err(bad_model(format!(
                "features have {} values per step, the last layer takes {}",
                probe.size(1),
                recogniser.mrz.dim
            )));
        }
        Ok(recogniser)
    }

    /// Reads one MRZ line. `line` should be a crop holding a single line.
    pub fn recognise(&self, line: &RgbImage) -> Result<String> {
        let features = self.run(preprocess(line))?;
        let mut out = String::new();
        for (c, _, _) in self.mrz.decode(&features) {
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
            let features = self.run(strip.tensor)?;
            let [_, _, steps] = features.shape();
            let step_width = strip.width as f32 / steps.max(1) as f32;
            let mut read: Vec<(String, f32)> = vec![(String::new(), 1.0); range.len()];
            for (c, p, t) in self.latin.decode(&features) {
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

    /// The per-step features of `input` (`[1, dim, steps]`).
    fn run(&self, input: NdTensor<f32, 4>) -> Result<NdTensor<f32, 3>> {
        let input_id = *self
            .model
            .input_ids()
            .first()
            .ok_or_else(|| IdvError::Inference("model has no input".into()))?;
        let [output] = self
            .model
            .run_n(vec![(input_id, input.view().into())], [self.features], None)
            .map_err(|e| IdvError::Inference(e.to_string()))?;
        output
            .try_into()
            .map_err(|_| IdvError::Inference("unexpected output type".into()))
    }
}

impl Head {
    /// The blank's and `alphabet`'s (class index, character) columns of `weights`
    /// (`[dim, classes]`) and `bias`.
    fn new(
        weights: &NdTensor<f32, 2>,
        bias: &NdTensor<f32, 1>,
        alphabet: &[(usize, char)],
    ) -> std::result::Result<Self, String> {
        let [dim, classes] = weights.shape();
        if bias.size(0) != classes {
            return Err(format!(
                "head bias has {} classes, weights {classes}",
                bias.size(0)
            ));
        }
        let kept: Vec<(usize, Option<char>)> = std::iter::once((0, None))
            .chain(alphabet.iter().map(|&(class, c)| (class, Some(c))))
            .collect();
        if let Some(&(class, _)) = kept.iter().find(|(class, _)| *class >= classes) {
            return Err(format!("class {class} beyond the model's {classes}"));
        }
        Ok(Self {
            chars: kept.iter().map(|&(_, c)| c).collect(),
            weights: kept
                .iter()
                .flat_map(|&(class, _)| (0..dim).map(move |d| weights[[d, class]]))
                .collect(),
            bias: kept.iter().map(|&(class, _)| bias[[class]]).collect(),
            dim,
        })
    }

    /// Greedy CTC over the classes kept: the most probable class per step (probabilities are
    /// a softmax over the kept classes), repeats collapsed, blanks dropped; each character
    /// with its probability and time step.
    fn decode(&self, features: &NdTensor<f32, 3>) -> Vec<(char, f32, usize)> {
        let [_, dim, steps] = features.shape();
        let mut out = Vec::new();
        if dim != self.dim || steps == 0 {
            return out;
        }
        // One feature per row, each row `steps` long and contiguous, so the products below
        // run along the rows (several times faster than gathering a step's features).
        let features = features.to_contiguous();
        let x = features.data();
        // logits[k][t] = bias[k] + Σ_d weights[k][d] · x[d][t]
        let classes = self.chars.len();
        let mut logits = vec![0f32; classes * steps];
        for (k, row) in logits.chunks_exact_mut(steps).enumerate() {
            row.fill(self.bias[k]);
            let weights = &self.weights[k * dim..(k + 1) * dim];
            for (&w, xs) in weights.iter().zip(x.chunks_exact(steps)) {
                for (l, &v) in row.iter_mut().zip(xs) {
                    *l += w * v;
                }
            }
        }
        let mut previous = 0usize;
        for t in 0..steps {
            let at = |k: usize| logits[k * steps + t];
            let (best, top) = (0..classes).fold((0, f32::NEG_INFINITY), |b, k| {
                if at(k) > b.1 { (k, at(k)) } else { b }
            });
            let total: f32 = (0..classes).map(|k| (at(k) - top).exp()).sum();
            if let Some(c) = self.chars[best]
                && best != previous
            {
                out.push((c, 1.0 / total, t));
            }
            previous = best;
        }
        out
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
            crate::resize::rgb(line, sw, INPUT_HEIGHT)
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
    let resized = crate::resize::rgb(line, scaled_w, height);
    let (w, h) = (scaled_w as usize, height as usize);
    let mut data = vec![0f32; 3 * h * w];
    for (x, y, p) in resized.enumerate_pixels() {
        for c in 0..3 {
            data[c * h * w + y as usize * w + x as usize] = (f32::from(p[c]) / 255.0 - 0.5) / 0.5;
        }
    }
    NdTensor::from_data([1, 3, h, w], data)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A head over 2 feature dimensions and 4 classes (blank, `A`, `B`, `C`) keeping the blank,
    /// `A` and `C`: class `k`'s logit is feature `k % 2` times `k` (so `B` never wins when kept
    /// out).
    fn head() -> Head {
        let weights = NdTensor::from_data([2, 4], vec![1.0, 0.0, 2.0, 0.0, 0.0, 1.0, 0.0, 3.0]);
        let bias = NdTensor::from_data([4], vec![0.0; 4]);
        Head::new(&weights, &bias, &[(1, 'A'), (3, 'C')]).expect("head")
    }

    #[test]
    fn kept_classes_decode_with_repeats_collapsed_and_blanks_dropped() {
        // Steps: C, C, blank, C, A. Feature 0 alone drives the blank (and `B`, not kept).
        let steps = [(0.0, 4.0), (0.0, 4.0), (4.0, 0.0), (0.0, 4.0), (0.0, 0.0)];
        let mut data = vec![0f32; 2 * steps.len()];
        for (t, &(f0, f1)) in steps.iter().enumerate() {
            data[t] = f0;
            data[steps.len() + t] = f1;
        }
        let features = NdTensor::from_data([1, 2, steps.len()], data);
        let read = head().decode(&features);
        let text: String = read.iter().map(|&(c, _, _)| c).collect();
        assert_eq!(text, "CC");
        assert_eq!(read.iter().map(|&(_, _, t)| t).collect::<Vec<_>>(), [0, 3]);
        // Softmax over the kept classes: logits 0 (blank), 4 (A), 12 (C).
        let expected = 1.0 / (1.0 + (-12f32).exp() + (-8f32).exp());
        assert!((read[0].1 - expected).abs() < 1e-6);
    }

    #[test]
    fn a_class_beyond_the_model_is_refused() {
        let weights = NdTensor::from_data([1, 2], vec![0.0, 0.0]);
        let bias = NdTensor::from_data([2], vec![0.0; 2]);
        assert!(Head::new(&weights, &bias, &[(5, 'X')]).is_err());
        assert!(Head::new(&weights, &NdTensor::from_data([1], vec![0.0]), &[]).is_err());
    }
}
