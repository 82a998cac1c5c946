//! Passive anti-spoofing: Minivision's MiniFASNet (Silent-Face-Anti-Spoofing), two small
//! networks over 80×80 crops of the face box enlarged 2.7× and 4×, whose softmaxes are
//! averaged. Class 1 is a live face; 0 and 2 are presentation attacks (print, screen).
//! Written out over `rten`'s operators from the published PyTorch state dicts; a test holds it
//! to a reference forward pass on the same crops.
//!
//! Its authors' own caveat stands: it was trained on faces captured by a phone camera, and
//! printed or on-screen faces often pass. It is a signal, not certified presentation-attack
//! detection.

use std::path::Path;

use image::RgbImage;
use image::imageops::FilterType;
use rten::BufferPool;
use rten::ops::{Padding, conv};
use rten_tensor::prelude::*;
use rten_tensor::{NdTensor, Tensor};

use super::detect::DetectedFace;
use super::pth;
use super::tfjs::Weights;
use crate::error::{IdvError, Result};

/// The input side, in pixels.
pub const CROP_SIZE: u32 = 80;
/// The two models and how far each enlarges the face box, as their file names say.
pub const MODEL_FILES: [(&str, f32); 2] = [
    ("minifasnet_v2_80x80_scale2.7.pth", 2.7),
    ("minifasnet_v1se_80x80_scale4.pth", 4.0),
];
/// The index of the live class in the networks' output.
const LIVE_CLASS: usize = 1;
const BN_EPSILON: f32 = 1e-5;

/// A convolution with its batch norm folded in, and an optional PReLU.
struct ConvLayer {
    /// OIHW.
    kernel: Tensor<f32>,
    bias: NdTensor<f32, 1>,
    groups: usize,
    stride: usize,
    padding: usize,
    prelu: Option<Vec<f32>>,
}

/// Squeeze and excitation: a per-channel gate computed from the channels' means.
struct SqueezeExcite {
    /// `[reduced, channels]`, batch norm folded in.
    fc1: Vec<f32>,
    fc1_bias: Vec<f32>,
    /// `[channels, reduced]`.
    fc2: Vec<f32>,
    fc2_bias: Vec<f32>,
    reduced: usize,
}

/// Expand (1×1), depthwise (3×3), project (1×1), with an optional shortcut and gate.
struct DepthWise {
    expand: ConvLayer,
    depthwise: ConvLayer,
    project: ConvLayer,
    gate: Option<SqueezeExcite>,
    residual: bool,
}

/// One loaded MiniFASNet.
pub struct MiniFasNet {
    stem: [ConvLayer; 2],
    blocks: Vec<DepthWise>,
    head: [ConvLayer; 2],
    /// `[embedding, 512]` with the 1-d batch norm folded in.
    linear: Vec<f32>,
    linear_bias: Vec<f32>,
    /// `[classes, embedding]`.
    prob: Vec<f32>,
    classes: usize,
}

/// The two networks and their framings.
pub struct AntiSpoof {
    nets: Vec<(MiniFasNet, f32)>,
}

impl AntiSpoof {
    /// Loads both models from `dir`.
    pub fn load(dir: &Path) -> Result<AntiSpoof> {
        let nets = MODEL_FILES
            .iter()
            .map(|(file, scale)| Ok((MiniFasNet::load(&dir.join(file))?, *scale)))
            .collect::<Result<_>>()?;
        Ok(AntiSpoof { nets })
    }

    /// The probability (0–1) that `face` in `image` is a live face, not a print or a screen:
    /// the two networks' live-class probabilities averaged.
    pub fn live_probability(&self, image: &RgbImage, face: &DetectedFace) -> Result<f32> {
        let mut sum = 0.0;
        for (net, scale) in &self.nets {
            let crop = crop(image, face, *scale);
            sum += net.probabilities(&crop)?[LIVE_CLASS];
        }
        Ok(sum / self.nets.len() as f32)
    }

    /// The networks with the framing each takes, for callers that cut their own crops.
    pub fn nets(&self) -> impl Iterator<Item = (&MiniFasNet, f32)> {
        self.nets.iter().map(|(n, s)| (n, *s))
    }
}

impl MiniFasNet {
    /// Loads one model's state dict.
    pub fn load(path: &Path) -> Result<MiniFasNet> {
        let w = pth::load(path)?;
        let mut blocks = vec![depth_wise(&w, "conv_23", 2, false)?];
        for (stage, down) in [
            ("conv_3", Some("conv_34")),
            ("conv_4", Some("conv_45")),
            ("conv_5", None),
        ] {
            let mut i = 0;
            while w
                .get(&format!("{stage}.model.{i}.conv.conv.weight"), 4)
                .is_ok()
            {
                blocks.push(depth_wise(&w, &format!("{stage}.model.{i}"), 1, true)?);
                i += 1;
            }
            if i == 0 {
                return Err(IdvError::Model(format!("{stage} has no blocks")));
            }
            if let Some(down) = down {
                blocks.push(depth_wise(&w, down, 2, false)?);
            }
        }
        let linear = w.get("linear.weight", 2)?;
        let (embedding, features) = (linear.shape[0], linear.shape[1]);
        let (scale, shift) = batch_norm(&w, "bn", embedding)?;
        let mut folded = linear.values.clone();
        for (o, row) in folded.chunks_mut(features).enumerate() {
            row.iter_mut().for_each(|v| *v *= scale[o]);
        }
        let prob = w.get("prob.weight", 2)?;
        if prob.shape[1] != embedding || prob.shape[0] <= LIVE_CLASS {
            return Err(IdvError::Model(
                "the classifier's shape is unexpected".into(),
            ));
        }
        Ok(MiniFasNet {
            stem: [
                conv_layer(&w, "conv1", 2, true, None)?,
                conv_layer(&w, "conv2_dw", 1, true, None)?,
            ],
            blocks,
            head: [
                conv_layer(&w, "conv_6_sep", 1, true, None)?,
                conv_layer(&w, "conv_6_dw", 1, false, Some(0))?,
            ],
            linear: folded,
            linear_bias: shift,
            prob: prob.values.clone(),
            classes: prob.shape[0],
        })
    }

    /// The class probabilities (softmax) of an 80×80 crop (see [`crop`]).
    pub fn probabilities(&self, crop: &RgbImage) -> Result<Vec<f32>> {
        if crop.dimensions() != (CROP_SIZE, CROP_SIZE) {
            return Err(IdvError::Inference(format!(
                "the anti-spoof net takes {CROP_SIZE}×{CROP_SIZE} crops"
            )));
        }
        let pool = BufferPool::new();
        let side = CROP_SIZE as usize;
        // The reference feeds OpenCV's BGR bytes as floats, unscaled.
        let mut input = NdTensor::<f32, 4>::zeros([1, 3, side, side]);
        for (x, y, p) in crop.enumerate_pixels() {
            for c in 0..3 {
                input[[0, c, y as usize, x as usize]] = f32::from(p[2 - c]);
            }
        }
        let mut out = input.into_dyn();
        for layer in &self.stem {
            out = apply(&pool, &out, layer)?;
        }
        for block in &self.blocks {
            out = depth_wise_forward(&pool, out, block)?;
        }
        for layer in &self.head {
            out = apply(&pool, &out, layer)?;
        }
        let features = out.to_vec();
        let embedding = self.linear_bias.len();
        if features.len() * embedding != self.linear.len() {
            return Err(IdvError::Inference(
                "the crop does not reduce to the classifier's input".into(),
            ));
        }
        let hidden: Vec<f32> = (0..embedding)
            .map(|o| {
                dot(
                    &self.linear[o * features.len()..][..features.len()],
                    &features,
                ) + self.linear_bias[o]
            })
            .collect();
        let logits: Vec<f32> = (0..self.classes)
            .map(|k| dot(&self.prob[k * embedding..][..embedding], &hidden))
            .collect();
        Ok(softmax(&logits))
    }
}

/// The crop the networks were trained on: the face box enlarged `scale` times about its
/// centre (less where the image is too small), moved inside the image, resized to 80×80.
pub fn crop(image: &RgbImage, face: &DetectedFace, scale: f32) -> RgbImage {
    let (src_w, src_h) = (image.width() as f32, image.height() as f32);
    let [x, y, box_w, box_h] = face.bbox;
    let (box_w, box_h) = (box_w.max(1.0), box_h.max(1.0));
    let scale = scale
        .min((src_h - 1.0) / box_h)
        .min((src_w - 1.0) / box_w)
        .max(0.0);
    let (w, h) = (box_w * scale, box_h * scale);
    let (cx, cy) = (x + box_w / 2.0, y + box_h / 2.0);
    let (mut left, mut top, mut right, mut bottom) =
        (cx - w / 2.0, cy - h / 2.0, cx + w / 2.0, cy + h / 2.0);
    if left < 0.0 {
        right -= left;
        left = 0.0;
    }
    if top < 0.0 {
        bottom -= top;
        top = 0.0;
    }
    if right > src_w - 1.0 {
        left -= right - src_w + 1.0;
        right = src_w - 1.0;
    }
    if bottom > src_h - 1.0 {
        top -= bottom - src_h + 1.0;
        bottom = src_h - 1.0;
    }
    let clamp = |v: f32, max: f32| v.clamp(0.0, max) as u32;
    let (l, t) = (clamp(left, src_w - 1.0), clamp(top, src_h - 1.0));
    let (r, b) = (clamp(right, src_w - 1.0), clamp(bottom, src_h - 1.0));
    let region = image::imageops::crop_imm(
        image,
        l,
        t,
        r.saturating_sub(l) + 1,
        b.saturating_sub(t) + 1,
    );
    image::imageops::resize(
        &region.to_image(),
        CROP_SIZE,
        CROP_SIZE,
        FilterType::Triangle,
    )
}

fn depth_wise_forward(pool: &BufferPool, x: Tensor<f32>, block: &DepthWise) -> Result<Tensor<f32>> {
    let mut out = apply(pool, &x, &block.expand)?;
    out = apply(pool, &out, &block.depthwise)?;
    out = apply(pool, &out, &block.project)?;
    if !block.residual {
        return Ok(out);
    }
    if out.shape() != x.shape() {
        return Err(IdvError::Inference("residual shapes do not fit".into()));
    }
    let mut data = out.to_vec();
    if let Some(gate) = &block.gate {
        squeeze_excite(&mut data, gate);
    }
    for (v, s) in data.iter_mut().zip(x.to_vec()) {
        *v += s;
    }
    Ok(Tensor::from_data(out.shape(), data))
}

/// Multiplies each channel of `data` (one NCHW image) by its gate.
fn squeeze_excite(data: &mut [f32], se: &SqueezeExcite) {
    let channels = se.fc2_bias.len();
    let area = data.len() / channels;
    let means: Vec<f32> = data
        .chunks(area)
        .map(|c| c.iter().sum::<f32>() / area as f32)
        .collect();
    let hidden: Vec<f32> = (0..se.reduced)
        .map(|o| (dot(&se.fc1[o * channels..][..channels], &means) + se.fc1_bias[o]).max(0.0))
        .collect();
    for (c, plane) in data.chunks_mut(area).enumerate() {
        let z = dot(&se.fc2[c * se.reduced..][..se.reduced], &hidden) + se.fc2_bias[c];
        let gate = 1.0 / (1.0 + (-z).exp());
        plane.iter_mut().for_each(|v| *v *= gate);
    }
}

fn apply(pool: &BufferPool, x: &Tensor<f32>, layer: &ConvLayer) -> Result<Tensor<f32>> {
    let p = layer.padding;
    let mut out = conv(
        pool,
        x.view(),
        layer.kernel.view(),
        Some(layer.bias.view()),
        Padding::Fixed([p, p, p, p].into()),
        layer.groups,
        &[layer.stride, layer.stride],
        &[1, 1],
    )
    .map_err(|e| IdvError::Inference(e.to_string()))?;
    if let Some(slopes) = &layer.prelu {
        let area: usize = out.shape()[2..].iter().product();
        let mut data = out.to_vec();
        for (c, plane) in data.chunks_mut(area.max(1)).enumerate() {
            let a = slopes.get(c).copied().unwrap_or(0.0);
            plane.iter_mut().for_each(|v| {
                if *v < 0.0 {
                    *v *= a;
                }
            });
        }
        out = Tensor::from_data(out.shape(), data);
    }
    Ok(out)
}

fn depth_wise(w: &Weights, prefix: &str, stride: usize, residual: bool) -> Result<DepthWise> {
    let gate = if w.get(&format!("{prefix}.se_module.fc1.weight"), 4).is_ok() {
        Some(squeeze_excite_layer(w, &format!("{prefix}.se_module"))?)
    } else {
        None
    };
    Ok(DepthWise {
        expand: conv_layer(w, &format!("{prefix}.conv"), 1, true, None)?,
        depthwise: conv_layer(w, &format!("{prefix}.conv_dw"), stride, true, None)?,
        project: conv_layer(w, &format!("{prefix}.project"), 1, false, None)?,
        gate,
        residual,
    })
}

/// Reads `{prefix}.conv.weight`, `{prefix}.bn.*` and, with `prelu`, `{prefix}.prelu.weight`.
/// A depthwise kernel (one input channel per filter) gets one group per channel; the padding
/// keeps the size at stride 1 unless given.
fn conv_layer(
    w: &Weights,
    prefix: &str,
    stride: usize,
    prelu: bool,
    padding: Option<usize>,
) -> Result<ConvLayer> {
    let kernel = w.get(&format!("{prefix}.conv.weight"), 4)?;
    let [cout, cin, kh, kw]: [usize; 4] = kernel
        .shape
        .clone()
        .try_into()
        .map_err(|_| IdvError::Model(format!("{prefix}: kernel is not 4-d")))?;
    let (scale, shift) = batch_norm(w, &format!("{prefix}.bn"), cout)?;
    let mut values = kernel.values.clone();
    for (o, filter) in values.chunks_mut(cin * kh * kw).enumerate() {
        filter.iter_mut().for_each(|v| *v *= scale[o]);
    }
    let prelu = if prelu {
        let slopes = w.get(&format!("{prefix}.prelu.weight"), 1)?;
        if slopes.values.len() != cout {
            return Err(IdvError::Model(format!("{prefix}: PReLU size differs")));
        }
        Some(slopes.values.clone())
    } else {
        None
    };
    Ok(ConvLayer {
        kernel: Tensor::from_data(&[cout, cin, kh, kw], values),
        bias: NdTensor::from_data([cout], shift),
        // Depthwise when each filter reads one channel (the only grouping these nets use).
        groups: if cin == 1 && kh > 1 { cout } else { 1 },
        stride,
        padding: padding.unwrap_or((kh - 1) / 2),
        prelu,
    })
}

fn squeeze_excite_layer(w: &Weights, prefix: &str) -> Result<SqueezeExcite> {
    let fc1 = w.get(&format!("{prefix}.fc1.weight"), 4)?;
    let fc2 = w.get(&format!("{prefix}.fc2.weight"), 4)?;
    let (reduced, channels) = (fc1.shape[0], fc1.shape[1]);
    if fc2.shape[0] != channels || fc2.shape[1] != reduced {
        return Err(IdvError::Model(format!("{prefix}: gate shapes differ")));
    }
    let (s1, t1) = batch_norm(w, &format!("{prefix}.bn1"), reduced)?;
    let (s2, t2) = batch_norm(w, &format!("{prefix}.bn2"), channels)?;
    let mut fc1_values = fc1.values.clone();
    for (o, row) in fc1_values.chunks_mut(channels).enumerate() {
        row.iter_mut().for_each(|v| *v *= s1[o]);
    }
    let mut fc2_values = fc2.values.clone();
    for (o, row) in fc2_values.chunks_mut(reduced).enumerate() {
        row.iter_mut().for_each(|v| *v *= s2[o]);
    }
    Ok(SqueezeExcite {
        fc1: fc1_values,
        fc1_bias: t1,
        fc2: fc2_values,
        fc2_bias: t2,
        reduced,
    })
}

/// A batch norm as a per-channel scale and shift: `γ/√(σ²+ε)` and `β − μ·scale`.
fn batch_norm(w: &Weights, prefix: &str, channels: usize) -> Result<(Vec<f32>, Vec<f32>)> {
    let get = |name: &str| -> Result<Vec<f32>> {
        let t = w.get(&format!("{prefix}.{name}"), 1)?;
        if t.values.len() != channels {
            return Err(IdvError::Model(format!("{prefix}.{name}: size differs")));
        }
        Ok(t.values.clone())
    };
    let (gamma, beta) = (get("weight")?, get("bias")?);
    let (mean, var) = (get("running_mean")?, get("running_var")?);
    let scale: Vec<f32> = (0..channels)
        .map(|c| gamma[c] / (var[c] + BN_EPSILON).sqrt())
        .collect();
    let shift = (0..channels)
        .map(|c| beta[c] - mean[c] * scale[c])
        .collect();
    Ok((scale, shift))
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn softmax(logits: &[f32]) -> Vec<f32> {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let exp: Vec<f32> = logits.iter().map(|v| (v - max).exp()).collect();
    let sum: f32 = exp.iter().sum();
    exp.iter().map(|v| v / sum).collect()
}
