//! The PP-OCRv6 small text-line recogniser run by `rten`, decoded with greedy
//! CTC restricted to the MRZ alphabet.

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

/// The recogniser and the classes of the MRZ alphabet in its output.
pub(crate) struct LineRecogniser {
    model: Model,
    /// (class index, character) for every allowed output class except blank.
    allowed: Vec<(usize, char)>,
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
        if allowed.len() < 38 {
            return Err(IdvError::Model(format!(
                "{}: dictionary lacks the MRZ alphabet",
                dict_path.display()
            )));
        }
        let model_path = dir.join(REC_MODEL_FILE);
        let model = Model::load_file(&model_path)
            .map_err(|e| IdvError::Model(format!("{}: {e}", model_path.display())))?;
        Ok(Self { model, allowed })
    }

    /// Reads one text line. `line` should be a crop holding a single line.
    pub fn recognise(&self, line: &RgbImage) -> Result<String> {
        let input = preprocess(line);
        let output = self
            .model
            .run_one(input.view().into(), None)
            .map_err(|e| IdvError::Inference(e.to_string()))?;
        let scores: NdTensor<f32, 3> = output
            .try_into()
            .map_err(|_| IdvError::Inference("unexpected output type".into()))?;
        Ok(self.decode(&scores))
    }

    /// Greedy CTC over blank + the MRZ alphabet: best class per step, repeats
    /// collapsed, blanks dropped. `«` stands for two fillers.
    fn decode(&self, scores: &NdTensor<f32, 3>) -> String {
        let [_, steps, classes] = scores.shape();
        let mut out = String::new();
        let mut previous = 0usize;
        for t in 0..steps {
            let mut best = (0usize, scores[[0, t, 0]]);
            for &(class, _) in &self.allowed {
                if class < classes && scores[[0, t, class]] > best.1 {
                    best = (class, scores[[0, t, class]]);
                }
            }
            if best.0 != 0
                && best.0 != previous
                && let Some(&(_, c)) = self.allowed.iter().find(|(k, _)| *k == best.0)
            {
                if c == '«' {
                    out.push_str("<<");
                } else {
                    out.push(c);
                }
            }
            previous = best.0;
        }
        out
    }
}

/// Resize to the model's height keeping the aspect ratio; RGB, scaled to
/// `(x / 255 - 0.5) / 0.5`, NCHW.
fn preprocess(line: &RgbImage) -> NdTensor<f32, 4> {
    let (w, h) = line.dimensions();
    let scaled_w = (u64::from(w) * u64::from(INPUT_HEIGHT) / u64::from(h.max(1)))
        .clamp(u64::from(MIN_WIDTH), u64::from(MAX_WIDTH));
    let scaled_w = u32::try_from(scaled_w).unwrap_or(MAX_WIDTH);
    let resized = imageops::resize(line, scaled_w, INPUT_HEIGHT, FilterType::Triangle);
    let (w, h) = (scaled_w as usize, INPUT_HEIGHT as usize);
    let mut data = vec![0f32; 3 * h * w];
    for (x, y, p) in resized.enumerate_pixels() {
        for c in 0..3 {
            data[c * h * w + y as usize * w + x as usize] = (f32::from(p[c]) / 255.0 - 0.5) / 0.5;
        }
    }
    NdTensor::from_data([1, 3, h, w], data)
}
