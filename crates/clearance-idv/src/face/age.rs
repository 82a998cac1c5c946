//! Age estimation: face-api.js's age and gender net (a small Xception over a 112×112 face crop,
//! regressing the age in years), written out over `rten`'s operators like the encoder. Only
//! the age head is used: the check has no business guessing gender.
//!
//! A test holds it to the reference implementation on the same crops (within 0.5 years).

use std::path::Path;

use image::RgbImage;
use image::imageops::FilterType;
use rten::BufferPool;
use rten::ops::{Padding, conv};
use rten_tensor::prelude::*;
use rten_tensor::{NdTensor, Tensor, TensorView};

use super::detect::DetectedFace;
use super::tfjs::{Weight, Weights};
use crate::error::{IdvError, Result};

/// The input side, in pixels.
pub const CROP_SIZE: u32 = 112;
/// The manifest's file name, inside the encoder's folder.
pub const MANIFEST_FILE: &str = "age_gender_model-weights_manifest.json";
const MEAN_RGB: [f32; 3] = [122.782, 117.001, 104.298];

/// A depthwise 3×3 convolution followed by a pointwise one, with one bias.
struct Separable {
    depthwise: Tensor<f32>,
    pointwise: Tensor<f32>,
    bias: NdTensor<f32, 1>,
}

/// A plain convolution with its bias.
struct Conv {
    kernel: Tensor<f32>,
    bias: NdTensor<f32, 1>,
}

struct Reduction {
    first: Separable,
    second: Separable,
    expansion: Conv,
}

/// The loaded age net.
pub struct AgeEstimator {
    conv_in: Conv,
    entry: [Reduction; 2],
    middle: [[Separable; 3]; 2],
    exit: Reduction,
    exit_conv: Separable,
    /// `[512]` weights and the bias of the age head.
    age_weights: Vec<f32>,
    age_bias: f32,
}

impl AgeEstimator {
    /// Loads the weights from `dir`.
    pub fn load(dir: &Path) -> Result<AgeEstimator> {
        let w = Weights::load(&dir.join(MANIFEST_FILE))?;
        let reduction = |p: &str| -> Result<Reduction> {
            Ok(Reduction {
                first: separable(&w, &format!("{p}/separable_conv0"))?,
                second: separable(&w, &format!("{p}/separable_conv1"))?,
                expansion: plain(&w, &format!("{p}/expansion_conv"))?,
            })
        };
        let main = |i: usize| -> Result<[Separable; 3]> {
            let p = format!("middle_flow/main_block_{i}");
            Ok([
                separable(&w, &format!("{p}/separable_conv0"))?,
                separable(&w, &format!("{p}/separable_conv1"))?,
                separable(&w, &format!("{p}/separable_conv2"))?,
            ])
        };
        let age = w.get("fc/age/weights", 2)?;
        let bias = w.get("fc/age/bias", 1)?;
        Ok(AgeEstimator {
            conv_in: plain(&w, "entry_flow/conv_in")?,
            entry: [
                reduction("entry_flow/reduction_block_0")?,
                reduction("entry_flow/reduction_block_1")?,
            ],
            middle: [main(0)?, main(1)?],
            exit: reduction("exit_flow/reduction_block")?,
            exit_conv: separable(&w, "exit_flow/separable_conv")?,
            age_weights: age.values.clone(),
            age_bias: bias.values.first().copied().unwrap_or_default(),
        })
    }

    /// The estimated age, in years, of a `CROP_SIZE`² face crop (see [`crop`]).
    pub fn estimate(&self, face: &RgbImage) -> Result<f32> {
        if face.dimensions() != (CROP_SIZE, CROP_SIZE) {
            return Err(IdvError::Inference(format!(
                "the age net takes {CROP_SIZE}×{CROP_SIZE} faces"
            )));
        }
        let pool = BufferPool::new();
        let side = CROP_SIZE as usize;
        let mut input = NdTensor::<f32, 4>::zeros([1, 3, side, side]);
        for (x, y, p) in face.enumerate_pixels() {
            for c in 0..3 {
                input[[0, c, y as usize, x as usize]] = (f32::from(p[c]) - MEAN_RGB[c]) / 255.0;
            }
        }
        let mut out = same_conv(&pool, input.as_dyn(), &self.conv_in, 2, 1)?;
        relu(&mut out);
        out = reduce(&pool, out, &self.entry[0], false)?;
        out = reduce(&pool, out, &self.entry[1], true)?;
        for block in &self.middle {
            let mut x = out.clone();
            for sep in block {
                relu(&mut x);
                x = separable_conv(&pool, &x, sep)?;
            }
            add(&mut x, &out);
            out = x;
        }
        out = reduce(&pool, out, &self.exit, true)?;
        out = separable_conv(&pool, &out, &self.exit_conv)?;
        relu(&mut out);
        // A 7×7 average over the 7×7 map, then the age head.
        let (c, h, w) = (out.size(1), out.size(2), out.size(3));
        if c != self.age_weights.len() {
            return Err(IdvError::Inference("the age head does not fit".into()));
        }
        let data = out.to_vec();
        let area = (h * w) as f32;
        let mut age = self.age_bias;
        for (ch, weight) in self.age_weights.iter().enumerate() {
            let mean = data[ch * h * w..(ch + 1) * h * w].iter().sum::<f32>() / area;
            age += mean * weight;
        }
        Ok(age)
    }
}

/// The crop the age net reads: the detector's box made square about its centre, resized to
/// `CROP_SIZE` (grey outside the image).
pub fn crop(image: &RgbImage, face: &DetectedFace) -> RgbImage {
    crop_scaled(image, face, 1.0)
}

/// [`crop`] with the square's side multiplied by `scale` (a tighter or looser framing).
pub fn crop_scaled(image: &RgbImage, face: &DetectedFace, scale: f32) -> RgbImage {
    let [x, y, w, h] = face.bbox;
    let side = (w.max(h) * scale).max(1.0);
    let (cx, cy) = (x + w / 2.0, y + h / 2.0);
    let (x0, y0) = (cx - side / 2.0, cy - side / 2.0);
    let n = side.round().max(1.0) as u32;
    let mut square = RgbImage::from_pixel(n, n, image::Rgb([128, 128, 128]));
    for (u, v, px) in square.enumerate_pixels_mut() {
        let (sx, sy) = ((x0 + u as f32).round(), (y0 + v as f32).round());
        if sx >= 0.0 && sy >= 0.0 && (sx as u32) < image.width() && (sy as u32) < image.height() {
            *px = *image.get_pixel(sx as u32, sy as u32);
        }
    }
    image::imageops::resize(&square, CROP_SIZE, CROP_SIZE, FilterType::Triangle)
}

/// ReLU of the input (or not), two separable convolutions, a 3×3 max pool at stride 2, plus
/// the input through a strided 1×1 convolution.
fn reduce(
    pool: &BufferPool,
    x: Tensor<f32>,
    block: &Reduction,
    activate_input: bool,
) -> Result<Tensor<f32>> {
    let mut out = x.clone();
    if activate_input {
        relu(&mut out);
    }
    out = separable_conv(pool, &out, &block.first)?;
    relu(&mut out);
    out = separable_conv(pool, &out, &block.second)?;
    let mut pooled = max_pool_same(&out);
    let shortcut = same_conv(pool, x.view(), &block.expansion, 2, 1)?;
    add(&mut pooled, &shortcut);
    Ok(pooled)
}

fn separable_conv(pool: &BufferPool, x: &Tensor<f32>, sep: &Separable) -> Result<Tensor<f32>> {
    let channels = x.size(1);
    let depthwise = conv(
        pool,
        x.view(),
        sep.depthwise.view(),
        None,
        Padding::Same,
        channels,
        &[1, 1],
        &[1, 1],
    )
    .map_err(failed)?;
    conv(
        pool,
        depthwise.view(),
        sep.pointwise.view(),
        Some(sep.bias.view()),
        Padding::Same,
        1,
        &[1, 1],
        &[1, 1],
    )
    .map_err(failed)
}

/// TensorFlow's 'same' convolution (the extra padding row and column at the end).
fn same_conv(
    pool: &BufferPool,
    x: TensorView<f32>,
    layer: &Conv,
    stride: usize,
    groups: usize,
) -> Result<Tensor<f32>> {
    conv(
        pool,
        x,
        layer.kernel.view(),
        Some(layer.bias.view()),
        Padding::Same,
        groups,
        &[stride, stride],
        &[1, 1],
    )
    .map_err(failed)
}

/// A 3×3 max pool at stride 2 with TensorFlow's 'same' padding (padding never wins).
fn max_pool_same(t: &Tensor<f32>) -> Tensor<f32> {
    let (c, h, w) = (t.size(1), t.size(2), t.size(3));
    let (oh, ow) = (h.div_ceil(2), w.div_ceil(2));
    let pad_top = ((oh - 1) * 2 + 3).saturating_sub(h) / 2;
    let pad_left = ((ow - 1) * 2 + 3).saturating_sub(w) / 2;
    let src = t.to_vec();
    let mut out = vec![f32::NEG_INFINITY; c * oh * ow];
    for ch in 0..c {
        for oy in 0..oh {
            for ox in 0..ow {
                let mut best = f32::NEG_INFINITY;
                for dy in 0..3 {
                    for dx in 0..3 {
                        let (y, x) = (
                            (oy * 2 + dy) as isize - pad_top as isize,
                            (ox * 2 + dx) as isize - pad_left as isize,
                        );
                        if y >= 0 && x >= 0 && (y as usize) < h && (x as usize) < w {
                            best = best.max(src[(ch * h + y as usize) * w + x as usize]);
                        }
                    }
                }
                out[(ch * oh + oy) * ow + ox] = best;
            }
        }
    }
    Tensor::from_data(&[1, c, oh, ow], out)
}

fn relu(t: &mut Tensor<f32>) {
    t.apply(|v| v.max(0.0));
}

fn add(t: &mut Tensor<f32>, other: &Tensor<f32>) {
    let mut data = t.to_vec();
    for (v, o) in data.iter_mut().zip(other.to_vec()) {
        *v += o;
    }
    *t = Tensor::from_data(t.shape(), data);
}

fn failed(e: impl std::fmt::Display) -> IdvError {
    IdvError::Inference(e.to_string())
}

/// `{prefix}/filters` (HWIO) and `{prefix}/bias`, as OIHW.
fn plain(w: &Weights, prefix: &str) -> Result<Conv> {
    let filters = w.get(&format!("{prefix}/filters"), 4)?;
    let bias = w.get(&format!("{prefix}/bias"), 1)?;
    Ok(Conv {
        kernel: hwio_to_oihw(filters)?,
        bias: NdTensor::from_data([bias.values.len()], bias.values.clone()),
    })
}

fn separable(w: &Weights, prefix: &str) -> Result<Separable> {
    let depthwise = w.get(&format!("{prefix}/depthwise_filter"), 4)?;
    let pointwise = w.get(&format!("{prefix}/pointwise_filter"), 4)?;
    let bias = w.get(&format!("{prefix}/bias"), 1)?;
    // TensorFlow's depthwise filter is [h, w, channels, 1]: as OIHW with one input per group.
    let [kh, kw, c, m]: [usize; 4] = shape4(depthwise)?;
    if m != 1 {
        return Err(IdvError::Model(format!("{prefix}: depth multiplier {m}")));
    }
    let mut dw = vec![0f32; c * kh * kw];
    for y in 0..kh {
        for x in 0..kw {
            for ch in 0..c {
                dw[(ch * kh + y) * kw + x] = depthwise.values[(y * kw + x) * c + ch];
            }
        }
    }
    Ok(Separable {
        depthwise: Tensor::from_data(&[c, 1, kh, kw], dw),
        pointwise: hwio_to_oihw(pointwise)?,
        bias: NdTensor::from_data([bias.values.len()], bias.values.clone()),
    })
}

fn shape4(w: &Weight) -> Result<[usize; 4]> {
    w.shape
        .clone()
        .try_into()
        .map_err(|_| IdvError::Model("a filter is not 4-d".into()))
}

fn hwio_to_oihw(w: &Weight) -> Result<Tensor<f32>> {
    let [kh, kw, cin, cout] = shape4(w)?;
    let mut out = vec![0f32; cout * cin * kh * kw];
    for y in 0..kh {
        for x in 0..kw {
            for i in 0..cin {
                for o in 0..cout {
                    out[((o * cin + i) * kh + y) * kw + x] =
                        w.values[((y * kw + x) * cin + i) * cout + o];
                }
            }
        }
    }
    Ok(Tensor::from_data(&[cout, cin, kh, kw], out))
}
