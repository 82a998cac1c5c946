//! Face analysis over a still image: detect faces with their landmarks, cut an aligned chip
//! for each, and describe it as a 128-d vector whose Euclidean distance to another face's
//! says whether they are the same person. Knows nothing of checks, clients or storage.

pub mod age;
pub mod align;
pub mod detect;
pub mod encode;
pub mod pth;
pub mod spoof;
mod tfjs;

use std::path::Path;

use image::RgbImage;

pub use age::AgeEstimator;
pub use detect::{DetectedFace, FaceDetector, Point, Pose};
pub use encode::{CHIP_SIZE, DESCRIPTOR_LEN, FaceEncoder};
pub use spoof::AntiSpoof;
pub use tfjs::Weight;

use crate::error::Result;

/// A face's descriptor.
#[derive(Clone, Debug, PartialEq)]
pub struct Descriptor(pub [f32; DESCRIPTOR_LEN]);

impl Descriptor {
    /// The Euclidean distance between two descriptors: below about 0.6 the dlib encoder's
    /// author reports the same person (99.38 % on LFW).
    pub fn distance(&self, other: &Descriptor) -> f32 {
        self.0
            .iter()
            .zip(other.0.iter())
            .map(|(a, b)| (a - b) * (a - b))
            .sum::<f32>()
            .sqrt()
    }
}

/// Descriptors closer than this are taken for the same person. dlib's author reports 99.38 %
/// on LFW at 0.6; the portraits here give 0.08–0.41 for one person and 0.58–0.77 for two
/// (`bench/faces/README.md`), so a KYC default sits lower, where a false match is rarer.
pub const DEFAULT_MATCH_DISTANCE: f32 = 0.5;

/// The detector, the encoder, the age net and the anti-spoof nets together.
pub struct FaceAnalyser {
    detector: FaceDetector,
    encoder: FaceEncoder,
    age: AgeEstimator,
    anti_spoof: AntiSpoof,
}

/// Where each model lives inside the face model folder.
pub const ENCODER_DIR: &str = "faceapi";

impl FaceAnalyser {
    /// Loads the models from `dir` (the detector and the anti-spoof nets at its top, the
    /// encoder and the age net in `faceapi/`).
    pub fn load(dir: &Path) -> Result<FaceAnalyser> {
        Ok(FaceAnalyser {
            detector: FaceDetector::load(dir)?,
            encoder: FaceEncoder::load(&dir.join(ENCODER_DIR))?,
            age: AgeEstimator::load(&dir.join(ENCODER_DIR))?,
            anti_spoof: AntiSpoof::load(dir)?,
        })
    }

    /// The probability (0–1) that one detected face of `image` is a live face rather than a
    /// print or a screen (see [`spoof`]).
    pub fn live_probability(&self, image: &RgbImage, face: &DetectedFace) -> Result<f32> {
        self.anti_spoof.live_probability(image, face)
    }

    /// The faces in `image` scoring at least `min_score`, best first.
    pub fn detect(&self, image: &RgbImage, min_score: f32) -> Result<Vec<DetectedFace>> {
        self.detector.detect(image, min_score)
    }

    /// The descriptor of one detected face of `image`.
    pub fn describe(&self, image: &RgbImage, face: &DetectedFace) -> Result<Descriptor> {
        let chip = align::chip(image, face);
        Ok(Descriptor(self.encoder.encode(&chip)?))
    }

    /// The estimated age, in years, of one detected face of `image`.
    pub fn estimate_age(&self, image: &RgbImage, face: &DetectedFace) -> Result<f32> {
        self.age.estimate(&age::crop(image, face))
    }

    /// The age net's estimates of one face under several framings and mirrored: how much
    /// they spread says how sure the net is about this photo.
    pub fn estimate_ages(&self, image: &RgbImage, face: &DetectedFace) -> Result<Vec<f32>> {
        let mut ages = Vec::new();
        for scale in [0.9, 1.0, 1.15] {
            let crop = age::crop_scaled(image, face, scale);
            ages.push(self.age.estimate(&crop)?);
            ages.push(
                self.age
                    .estimate(&image::imageops::flip_horizontal(&crop))?,
            );
        }
        Ok(ages)
    }

    /// The age net alone, for callers that cut their own crops.
    pub fn age_estimator(&self) -> &AgeEstimator {
        &self.age
    }

    /// The encoder alone, for callers that cut their own chips.
    pub fn encoder(&self) -> &FaceEncoder {
        &self.encoder
    }
}
