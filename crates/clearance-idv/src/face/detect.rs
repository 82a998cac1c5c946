//! The face detector: YuNet-n (ONNX, run by `rten`), which gives a box and five landmarks
//! (eye centres, nose tip, mouth corners) per face at strides 8, 16 and 32.

use std::path::Path;

use image::RgbImage;
use image::imageops::FilterType;
use rten::{Model, NodeId};
use rten_tensor::NdTensor;
use rten_tensor::prelude::*;

use crate::error::{IdvError, Result};

/// The model's file name, inside the model folder.
pub const MODEL_FILE: &str = "yunet_n_dynamic.onnx";
/// Images are scaled so their longer side is at most this before detection: a face that fills
/// a tenth of the photo still has 20 px between the eyes, and it bounds the work (at 640 the
/// passport page took 52 ms to search, at 480 31 ms, with the same distances within 0.05).
const MAX_SIDE: u32 = 480;
const STRIDES: [usize; 3] = [8, 16, 32];
/// Boxes overlapping more than this are one face.
const NMS_IOU: f32 = 0.3;

/// A point in image pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Point {
    pub x: f32,
    pub y: f32,
}

/// One detected face, in the pixels of the image given to [`FaceDetector::detect`].
#[derive(Clone, Debug, PartialEq)]
pub struct DetectedFace {
    /// Left, top, width, height.
    pub bbox: [f32; 4],
    /// The subject's right eye (on the viewer's left), left eye, nose tip, right and left
    /// mouth corners.
    pub landmarks: [Point; 5],
    /// 0–1.
    pub score: f32,
}

impl DetectedFace {
    /// The distance between the eye centres.
    pub fn eye_distance(&self) -> f32 {
        let [r, l, ..] = self.landmarks;
        (l.x - r.x).hypot(l.y - r.y)
    }

    /// The head's pose as the five landmarks show it (see [`Pose`]).
    pub fn pose(&self) -> Pose {
        let [right_eye, left_eye, nose, right_mouth, left_mouth] = self.landmarks;
        let d = self.eye_distance().max(1.0);
        // Unit vectors along the eye line (viewer's left to right) and down the face.
        let (ux, uy) = (
            (left_eye.x - right_eye.x) / d,
            (left_eye.y - right_eye.y) / d,
        );
        let (dx, dy) = (-uy, ux);
        let eyes = (
            (right_eye.x + left_eye.x) / 2.0,
            (right_eye.y + left_eye.y) / 2.0,
        );
        let mouth = (
            (right_mouth.x + left_mouth.x) / 2.0,
            (right_mouth.y + left_mouth.y) / 2.0,
        );
        let along = |p: (f32, f32)| (p.0 - eyes.0) * ux + (p.1 - eyes.1) * uy;
        let down = |p: (f32, f32)| (p.0 - eyes.0) * dx + (p.1 - eyes.1) * dy;
        let mouth_down = down(mouth).max(1.0);
        Pose {
            yaw: along((nose.x, nose.y)) / d,
            pitch: down((nose.x, nose.y)) / mouth_down,
            mouth_width: (left_mouth.x - right_mouth.x).hypot(left_mouth.y - right_mouth.y) / d,
        }
    }
}

/// Head pose from the five landmarks, scale-free. Rough, but enough to tell whether a head
/// turned, nodded or smiled between two frames of one person.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Pose {
    /// How far the nose sits from the eyes' midpoint along the eye line, in eye distances:
    /// about 0 facing the camera, positive when the nose is towards the image's right (the
    /// subject turned to their left, in an un-mirrored camera image).
    pub yaw: f32,
    /// Where the nose sits between the eyes (0) and the mouth (1): smaller when the head tips
    /// back (looking up), larger when it tips forward.
    pub pitch: f32,
    /// The mouth's width in eye distances: larger in a smile.
    pub mouth_width: f32,
}

/// The loaded detector.
pub struct FaceDetector {
    model: Model,
    input: NodeId,
    /// cls, obj, bbox and kps outputs, each at strides 8, 16 and 32.
    outputs: [NodeId; 12],
}

impl FaceDetector {
    /// Loads the model from `dir`.
    pub fn load(dir: &Path) -> Result<FaceDetector> {
        let path = dir.join(MODEL_FILE);
        let bad = |e: String| IdvError::Model(format!("{}: {e}", path.display()));
        let model = Model::load_file(&path).map_err(|e| bad(e.to_string()))?;
        let input = model
            .find_node("input")
            .ok_or_else(|| bad("no input node".into()))?;
        let mut outputs = Vec::new();
        for kind in ["cls", "obj", "bbox", "kps"] {
            for stride in STRIDES {
                let name = format!("{kind}_{stride}");
                outputs.push(
                    model
                        .find_node(&name)
                        .ok_or_else(|| bad(format!("no output {name}")))?,
                );
            }
        }
        let outputs = outputs
            .try_into()
            .map_err(|_| bad("wrong output count".into()))?;
        Ok(FaceDetector {
            model,
            input,
            outputs,
        })
    }

    /// The faces scoring at least `min_score`, best first.
    pub fn detect(&self, image: &RgbImage, min_score: f32) -> Result<Vec<DetectedFace>> {
        let (w, h) = image.dimensions();
        if w == 0 || h == 0 {
            return Ok(Vec::new());
        }
        let scale = (MAX_SIDE as f32 / w.max(h) as f32).min(1.0);
        let scaled;
        let input_image = if scale < 1.0 {
            let sw = ((w as f32 * scale).round() as u32).max(1);
            let sh = ((h as f32 * scale).round() as u32).max(1);
            scaled = image::imageops::resize(image, sw, sh, FilterType::Triangle);
            &scaled
        } else {
            image
        };
        let mut faces = self.detect_unscaled(input_image, min_score)?;
        let back = 1.0 / scale;
        for face in &mut faces {
            for v in &mut face.bbox {
                *v *= back;
            }
            for p in &mut face.landmarks {
                p.x *= back;
                p.y *= back;
            }
        }
        Ok(faces)
    }

    /// Runs the model at the image's own size (padded to a multiple of 32).
    pub fn detect_unscaled(&self, image: &RgbImage, min_score: f32) -> Result<Vec<DetectedFace>> {
        let (w, h) = (image.width() as usize, image.height() as usize);
        let pw = w.div_ceil(32) * 32;
        let ph = h.div_ceil(32) * 32;
        // BGR, 0–255, NCHW: what the model was trained on.
        let mut input = NdTensor::<f32, 4>::zeros([1, 3, ph, pw]);
        for (x, y, p) in image.enumerate_pixels() {
            let (x, y) = (x as usize, y as usize);
            input[[0, 0, y, x]] = f32::from(p[2]);
            input[[0, 1, y, x]] = f32::from(p[1]);
            input[[0, 2, y, x]] = f32::from(p[0]);
        }
        let out = self
            .model
            .run(vec![(self.input, input.into())], &self.outputs, None)
            .map_err(|e| IdvError::Inference(e.to_string()))?;
        let mut tensors = Vec::with_capacity(12);
        for value in out {
            let t: rten_tensor::Tensor<f32> = value
                .try_into()
                .map_err(|_| IdvError::Inference("a detector output is not f32".into()))?;
            tensors.push(t.to_vec());
        }
        let mut faces = Vec::new();
        for (i, stride) in STRIDES.iter().enumerate() {
            let cols = pw / stride;
            let rows = ph / stride;
            let (cls, obj, bbox, kps) = (
                &tensors[i],
                &tensors[3 + i],
                &tensors[6 + i],
                &tensors[9 + i],
            );
            let cells = rows * cols;
            if cls.len() < cells || obj.len() < cells || bbox.len() < cells * 4 {
                return Err(IdvError::Inference("detector outputs are short".into()));
            }
            if kps.len() < cells * 10 {
                return Err(IdvError::Inference("detector outputs are short".into()));
            }
            let s = *stride as f32;
            for r in 0..rows {
                for c in 0..cols {
                    let k = r * cols + c;
                    let score = (cls[k].clamp(0.0, 1.0) * obj[k].clamp(0.0, 1.0)).sqrt();
                    if score < min_score {
                        continue;
                    }
                    let b = &bbox[k * 4..k * 4 + 4];
                    let cx = (c as f32 + b[0]) * s;
                    let cy = (r as f32 + b[1]) * s;
                    let bw = b[2].exp() * s;
                    let bh = b[3].exp() * s;
                    // A box that is not finite or far larger than the image is no face, and a
                    // crop sized from it would try to allocate without bound.
                    let limit = 2.0 * pw.max(ph) as f32;
                    if !(cx.is_finite() && cy.is_finite() && bw <= limit && bh <= limit) {
                        continue;
                    }
                    let p = &kps[k * 10..k * 10 + 10];
                    let landmarks = std::array::from_fn(|n| Point {
                        x: (p[2 * n] + c as f32) * s,
                        y: (p[2 * n + 1] + r as f32) * s,
                    });
                    faces.push(DetectedFace {
                        bbox: [cx - bw / 2.0, cy - bh / 2.0, bw, bh],
                        landmarks,
                        score,
                    });
                }
            }
        }
        Ok(non_max_suppression(faces))
    }
}

/// Keeps the best of each group of overlapping boxes.
fn non_max_suppression(mut faces: Vec<DetectedFace>) -> Vec<DetectedFace> {
    faces.sort_by(|a, b| b.score.total_cmp(&a.score));
    let mut kept: Vec<DetectedFace> = Vec::new();
    for face in faces {
        if kept.iter().all(|k| iou(&k.bbox, &face.bbox) <= NMS_IOU) {
            kept.push(face);
        }
    }
    kept
}

fn iou(a: &[f32; 4], b: &[f32; 4]) -> f32 {
    let x0 = a[0].max(b[0]);
    let y0 = a[1].max(b[1]);
    let x1 = (a[0] + a[2]).min(b[0] + b[2]);
    let y1 = (a[1] + a[3]).min(b[1] + b[3]);
    let inter = (x1 - x0).max(0.0) * (y1 - y0).max(0.0);
    let union = a[2] * a[3] + b[2] * b[3] - inter;
    if union <= 0.0 { 0.0 } else { inter / union }
}
