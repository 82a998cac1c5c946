//! The face encoder: face-api.js's port of the dlib ResNet (a ResNet-34-like network over a
//! 150×150 aligned face, ending in a 128-d descriptor), written out over `rten`'s operators
//! because the published weights come without a graph.
//!
//! Layer for layer it follows the reference implementation's forward pass, so that the same
//! crop gives the same descriptor (a test holds it to cosine ≥ 0.999 against descriptors the
//! reference computed with TF.js).

use std::path::Path;

use image::RgbImage;
use rten::BufferPool;
use rten::ops::{Padding, conv};
use rten_tensor::prelude::*;
use rten_tensor::{NdTensor, Tensor, TensorView};

use super::tfjs::Weights;
use crate::error::{IdvError, Result};

/// The input side, in pixels.
pub const CHIP_SIZE: u32 = 150;
/// The descriptor's length.
pub const DESCRIPTOR_LEN: usize = 128;
/// The per-channel means the network was trained with, subtracted before scaling by 1/255.
const MEAN_RGB: [f32; 3] = [122.782, 117.001, 104.298];
/// The manifest's file name, inside the model folder.
pub const MANIFEST_FILE: &str = "face_recognition_model-weights_manifest.json";

/// A convolution with its bias and the per-channel scale layer after it folded in.
struct ConvLayer {
    /// OIHW.
    kernel: Tensor<f32>,
    bias: NdTensor<f32, 1>,
}

/// Two convolutions and a shortcut.
struct Residual {
    first: ConvLayer,
    second: ConvLayer,
    /// Whether the block halves the resolution (stride 2, average-pooled shortcut).
    down: bool,
}

/// The loaded encoder.
pub struct FaceEncoder {
    stem: ConvLayer,
    blocks: Vec<Residual>,
    /// `[256, 128]`.
    fc: NdTensor<f32, 2>,
}

const BLOCKS: [(&str, bool); 14] = [
    ("conv32_1", false),
    ("conv32_2", false),
    ("conv32_3", false),
    ("conv64_down", true),
    ("conv64_1", false),
    ("conv64_2", false),
    ("conv64_3", false),
    ("conv128_down", true),
    ("conv128_1", false),
    ("conv128_2", false),
    ("conv256_down", true),
    ("conv256_1", false),
    ("conv256_2", false),
    ("conv256_down_out", true),
];

impl FaceEncoder {
    /// Loads the weights from `dir` (the manifest and its shard).
    pub fn load(dir: &Path) -> Result<FaceEncoder> {
        let weights = Weights::load(&dir.join(MANIFEST_FILE))?;
        let stem = conv_layer(&weights, "conv32_down")?;
        let mut blocks = Vec::new();
        for (name, down) in BLOCKS {
            blocks.push(Residual {
                first: conv_layer(&weights, &format!("{name}/conv1"))?,
                second: conv_layer(&weights, &format!("{name}/conv2"))?,
                down,
            });
        }
        let fc = weights.get("fc", 2)?;
        let fc = NdTensor::from_data([fc.shape[0], fc.shape[1]], fc.values.clone());
        if fc.size(1) != DESCRIPTOR_LEN {
            return Err(IdvError::Model(format!(
                "the last layer gives {} values, {DESCRIPTOR_LEN} expected",
                fc.size(1)
            )));
        }
        Ok(FaceEncoder { stem, blocks, fc })
    }

    /// The descriptor of an aligned `CHIP_SIZE`² face.
    pub fn encode(&self, chip: &RgbImage) -> Result<[f32; DESCRIPTOR_LEN]> {
        if chip.dimensions() != (CHIP_SIZE, CHIP_SIZE) {
            return Err(IdvError::Inference(format!(
                "the encoder takes {CHIP_SIZE}×{CHIP_SIZE} faces"
            )));
        }
        let pool = BufferPool::new();
        let side = CHIP_SIZE as usize;
        let mut input = NdTensor::<f32, 4>::zeros([1, 3, side, side]);
        for (x, y, pixel) in chip.enumerate_pixels() {
            for c in 0..3 {
                input[[0, c, y as usize, x as usize]] = (f32::from(pixel[c]) - MEAN_RGB[c]) / 255.0;
            }
        }
        let mut out = apply(&pool, input.as_dyn(), &self.stem, 2, true)?;
        out = pool2d(&out, 3, 2, Pool::Max);
        for block in &self.blocks {
            out = residual(&pool, out, block)?;
        }
        // Global average over height and width, then the fully connected layer.
        let [_, channels, h, w]: [usize; 4] = out
            .shape()
            .try_into()
            .map_err(|_| IdvError::Inference("unexpected rank".into()))?;
        let mut descriptor = [0f32; DESCRIPTOR_LEN];
        let area = (h * w) as f32;
        let data = out.to_vec();
        for c in 0..channels {
            let mean = data[c * h * w..(c + 1) * h * w].iter().sum::<f32>() / area;
            for (k, d) in descriptor.iter_mut().enumerate() {
                *d += mean * self.fc[[c, k]];
            }
        }
        Ok(descriptor)
    }
}

/// One residual block: conv (+ReLU), conv, plus the shortcut, then ReLU.
fn residual(pool: &BufferPool, x: Tensor<f32>, block: &Residual) -> Result<Tensor<f32>> {
    let stride = if block.down { 2 } else { 1 };
    let first = apply(pool, x.view(), &block.first, stride, true)?;
    let mut out = apply(pool, first.view(), &block.second, 1, false)?;
    let shortcut = if block.down {
        let pooled = pool2d(&x, 2, 2, Pool::Average);
        // The strided convolution can come out one row and column short of the pooled
        // shortcut: the reference pads it with zeros at the bottom and right.
        let (ph, pw) = (pooled.size(2), pooled.size(3));
        if out.size(2) != ph || out.size(3) != pw {
            out = pad_bottom_right(&out, ph, pw);
        }
        pooled
    } else {
        x
    };
    // The shortcut has half the channels after a down block: the rest are zeros.
    let [_, c_out, h, w]: [usize; 4] = out
        .shape()
        .try_into()
        .map_err(|_| IdvError::Inference("unexpected rank".into()))?;
    let c_in = shortcut.size(1);
    if c_in > c_out || shortcut.size(2) != h || shortcut.size(3) != w {
        return Err(IdvError::Inference("residual shapes do not fit".into()));
    }
    let short = shortcut.to_vec();
    let mut data = out.to_vec();
    for (v, s) in data.iter_mut().zip(short.iter()) {
        *v += s;
    }
    for v in &mut data {
        *v = v.max(0.0);
    }
    Ok(Tensor::from_data(&[1, c_out, h, w], data))
}

/// Zero-pads an NCHW tensor at the bottom and right to `h`×`w`.
fn pad_bottom_right(t: &Tensor<f32>, h: usize, w: usize) -> Tensor<f32> {
    let (c, th, tw) = (t.size(1), t.size(2), t.size(3));
    let src = t.to_vec();
    let mut out = vec![0f32; c * h * w];
    for ch in 0..c {
        for y in 0..th.min(h) {
            for x in 0..tw.min(w) {
                out[(ch * h + y) * w + x] = src[(ch * th + y) * tw + x];
            }
        }
    }
    Tensor::from_data(&[1, c, h, w], out)
}

/// A convolution ('same' padding at stride 1, none at stride 2, as the reference has it),
/// with an optional ReLU.
fn apply(
    pool: &BufferPool,
    x: TensorView<f32>,
    layer: &ConvLayer,
    stride: usize,
    relu: bool,
) -> Result<Tensor<f32>> {
    let k = layer.kernel.size(2);
    let padding = if stride == 1 {
        let p = (k - 1) / 2;
        Padding::Fixed([p, p, p, p].into())
    } else {
        Padding::zero::<2>()
    };
    let mut out = conv(
        pool,
        x,
        layer.kernel.view(),
        Some(layer.bias.view()),
        padding,
        1,
        &[stride, stride],
        &[1, 1],
    )
    .map_err(op_failed)?;
    if relu {
        out.apply(|v| v.max(0.0));
    }
    Ok(out)
}

/// Reads `{prefix}/conv/{filters,bias}` and `{prefix}/scale/{weights,biases}`, folding the
/// scale into the convolution: `(conv(x) + b)·s + t = conv_{k·s}(x) + (b·s + t)`.
fn conv_layer(weights: &Weights, prefix: &str) -> Result<ConvLayer> {
    let filters = weights.get(&format!("{prefix}/conv/filters"), 4)?;
    let bias = weights.get(&format!("{prefix}/conv/bias"), 1)?;
    let scale = weights.get(&format!("{prefix}/scale/weights"), 1)?;
    let shift = weights.get(&format!("{prefix}/scale/biases"), 1)?;
    let [kh, kw, cin, cout]: [usize; 4] = filters
        .shape
        .clone()
        .try_into()
        .map_err(|_| IdvError::Model(format!("{prefix}: filters are not 4-d")))?;
    if [bias.shape[0], scale.shape[0], shift.shape[0]] != [cout; 3] {
        return Err(IdvError::Model(format!("{prefix}: channel counts differ")));
    }
    // TensorFlow keeps filters as HWIO; rten takes OIHW.
    let mut kernel = vec![0f32; cout * cin * kh * kw];
    for y in 0..kh {
        for x in 0..kw {
            for i in 0..cin {
                for o in 0..cout {
                    let v = filters.values[((y * kw + x) * cin + i) * cout + o];
                    kernel[((o * cin + i) * kh + y) * kw + x] = v * scale.values[o];
                }
            }
        }
    }
    let folded_bias: Vec<f32> = (0..cout)
        .map(|o| bias.values[o] * scale.values[o] + shift.values[o])
        .collect();
    Ok(ConvLayer {
        kernel: Tensor::from_data(&[cout, cin, kh, kw], kernel),
        bias: NdTensor::from_data([cout], folded_bias),
    })
}

fn op_failed(e: impl std::fmt::Display) -> IdvError {
    IdvError::Inference(e.to_string())
}

#[derive(Clone, Copy)]
enum Pool {
    Max,
    Average,
}

/// A `k`×`k` pooling at stride `s` without padding (TensorFlow's 'valid'), over NCHW.
fn pool2d(t: &Tensor<f32>, k: usize, s: usize, kind: Pool) -> Tensor<f32> {
    let (c, h, w) = (t.size(1), t.size(2), t.size(3));
    let (oh, ow) = ((h - k) / s + 1, (w - k) / s + 1);
    let src = t.to_vec();
    let mut out = vec![0f32; c * oh * ow];
    for ch in 0..c {
        let plane = &src[ch * h * w..(ch + 1) * h * w];
        for oy in 0..oh {
            for ox in 0..ow {
                let mut acc = match kind {
                    Pool::Max => f32::NEG_INFINITY,
                    Pool::Average => 0.0,
                };
                for dy in 0..k {
                    for dx in 0..k {
                        let v = plane[(oy * s + dy) * w + ox * s + dx];
                        acc = match kind {
                            Pool::Max => acc.max(v),
                            Pool::Average => acc + v,
                        };
                    }
                }
                if let Pool::Average = kind {
                    acc /= (k * k) as f32;
                }
                out[(ch * oh + oy) * ow + ox] = acc;
            }
        }
    }
    Tensor::from_data(&[1, c, oh, ow], out)
}
