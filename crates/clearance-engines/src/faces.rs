//! The live face engines (issue #24), one per check type in a module of its own:
//! `identity_check` and `face_authentication_check` (`identity.rs`), `age_estimation_check`
//! (`age.rs`), `enhanced_identity_check` (`video.rs`), and the inspection of live photos at
//! upload (`inspect.rs`). This module holds what they share: the settings, the loaded models,
//! reading the check's files, and finding the one face a photo is of.
//!
//! Faces are found and described by `clearance-idv` on a blocking thread. Two faces are one
//! person when their descriptors are closer than the configured distance; the similarity
//! score maps that distance onto 0–100 so that the threshold sits at 50. Whether a photo is of
//! a live face or of a print or a screen is MiniFASNet's live probability against a threshold:
//! a signal, reported as `authenticityAnalysis`, not certified presentation-attack detection.

mod age;
mod identity;
mod inspect;
mod video;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use clearance_core::blobs::blob_key;
use clearance_core::checks::analyser::{Analyser, Analysis, CheckContext, TransientError};
use clearance_core::checks::kinds::CheckType;
use clearance_core::checks::result::{
    EngineInfo, ImageAuthenticity, LivenessScore, ModelFile, Outcome, Verdict,
};
use clearance_core::faces::{FaceInspector, PhotoRefusal};
use clearance_core::resources::document::{Document, Side};
use clearance_core::store::Resource;
use clearance_idv::face::{
    DEFAULT_MATCH_DISTANCE, Descriptor, DetectedFace, ENCODER_DIR, FaceAnalyser, detect, spoof,
};
use clearance_idv::pdf_isolation::PdfRendering;
use clearance_idv::{DecodeLimits, DocumentImage};
use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;

/// The engine's thresholds, each configurable (see the README's configuration table).
#[derive(Clone, Debug)]
pub struct FaceSettings {
    /// Descriptors closer than this are one person.
    pub match_distance: f32,
    /// Detections scoring below this are not faces.
    pub min_detection_score: f32,
    /// A live photo's face needs at least this many pixels between the eyes.
    pub min_eye_distance: f32,
    /// The youngest accepted age for `age_estimation_check`, judged on the range's lower end.
    pub minimum_age: u32,
    /// A live photo whose mean grey level (0–255) is below this is too dark to compare.
    pub dark_mean: u8,
    /// A photo with this many lines of print is a document held up to the camera, not a face:
    /// the specimen passport page has 30, the portraits 2–4 (the lettering on a uniform).
    pub document_lines: usize,
    /// The eye line may lean this far from level (degrees).
    pub max_roll_degrees: f32,
    /// The nose may sit this far (in eye distances) from the eyes' midpoint along the eye line.
    pub max_yaw: f32,
    /// A face is taken for live (not a print or a screen) when the anti-spoof nets give it at
    /// least this probability; below it the authenticity analyses say attention.
    pub live_threshold: f32,
    /// With `performLivenessCheck`, a live photo whose live probability is below this (both
    /// nets sure it is a print or a screen) is refused at upload.
    pub spoof_refuse_below: f32,
}

impl Default for FaceSettings {
    fn default() -> Self {
        FaceSettings {
            match_distance: DEFAULT_MATCH_DISTANCE,
            min_detection_score: 0.6,
            min_eye_distance: 12.0,
            minimum_age: 18,
            dark_mean: 35,
            document_lines: 12,
            max_roll_degrees: 30.0,
            max_yaw: 0.3,
            live_threshold: 0.5,
            spoof_refuse_below: 0.02,
        }
    }
}

/// The engine's name and model files, reported in every result it writes.
fn engine_info(models: Vec<ModelFile>, settings: &FaceSettings) -> EngineInfo {
    EngineInfo {
        name: "clearance-faces".into(),
        models,
        match_distance: Some(settings.match_distance),
    }
}

/// The model files a [`FaceAnalyser`] loads from `dir`, with the SHA-256 of the bytes on disk
/// (an operator may replace a model: results must name the one that ran) and their licence.
pub fn model_files(dir: &Path) -> std::io::Result<Vec<ModelFile>> {
    let files = [
        (PathBuf::from(detect::MODEL_FILE), "Apache-2.0"),
        (
            Path::new(ENCODER_DIR).join("face_recognition_model.bin"),
            "MIT",
        ),
        (Path::new(ENCODER_DIR).join("age_gender_model.bin"), "MIT"),
        (PathBuf::from(spoof::MODEL_FILES[0].0), "Apache-2.0"),
        (PathBuf::from(spoof::MODEL_FILES[1].0), "Apache-2.0"),
    ];
    files
        .into_iter()
        .map(|(file, licence)| {
            let bytes = std::fs::read(dir.join(&file))?;
            Ok(ModelFile {
                file: format!("face/{}", file.display()),
                sha256: hex::encode(Sha256::digest(&bytes)),
                licence: licence.into(),
            })
        })
        .collect()
}

/// The live face engine for the four face check types and the upload inspection.
pub struct FaceEngine {
    analyser: Arc<FaceAnalyser>,
    settings: FaceSettings,
    /// What every result names in its `engine` field.
    engine: EngineInfo,
    pdf: Arc<PdfRendering>,
    /// Bounds the analyses running at once (each is CPU-bound and holds decoded images).
    permits: Arc<Semaphore>,
}

impl FaceEngine {
    /// An engine over loaded models; `models` names their files (see [`model_files`]).
    pub fn new(
        analyser: Arc<FaceAnalyser>,
        models: Vec<ModelFile>,
        settings: FaceSettings,
        pdf: PdfRendering,
    ) -> Self {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        FaceEngine {
            analyser,
            engine: engine_info(models, &settings),
            settings,
            pdf: Arc::new(pdf),
            permits: Arc::new(Semaphore::new(cores)),
        }
    }

    async fn blob(
        &self,
        ctx: &CheckContext,
        key: String,
    ) -> Result<Option<Vec<u8>>, TransientError> {
        ctx.blobs
            .get(&key)
            .await
            .map_err(|e| TransientError(e.to_string()))
    }

    /// Runs `work` on a blocking thread under the engine's concurrency bound.
    async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce(&FaceAnalyser, &PdfRendering) -> T + Send + 'static,
    ) -> Result<T, TransientError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|e| TransientError(e.to_string()))?;
        let analyser = self.analyser.clone();
        let pdf = self.pdf.clone();
        tokio::task::spawn_blocking(move || work(&analyser, &pdf))
            .await
            .map_err(|e| TransientError(format!("face analysis stopped: {e}")))
    }

    /// The bytes of the check's document's front image, or why the check cannot run.
    async fn document_front(
        &self,
        ctx: &CheckContext,
        document: &Resource,
    ) -> Result<Result<Vec<u8>, Analysis>, TransientError> {
        let record: Document =
            clearance_core::typed::decode(document).map_err(|e| TransientError(e.to_string()))?;
        let Some(front) = record
            .images
            .iter()
            .find(|i| i.document_side == Side::Front && i.redacted.is_none())
        else {
            return Ok(Err(failed(
                "The document has no usable front image, so the check could not run",
            )));
        };
        let owner = document.client_id.as_deref().unwrap_or_default();
        let key = blob_key(&document.scope, owner, &document.id, &front.id);
        Ok(self
            .blob(ctx, key)
            .await?
            .ok_or_else(|| failed("The document's front image file is missing")))
    }

    /// The bytes of the check's live photo, or why the check cannot run.
    async fn live_photo(
        &self,
        ctx: &CheckContext,
    ) -> Result<Result<Vec<u8>, Analysis>, TransientError> {
        let Some(photo) = &ctx.live_photo else {
            return Ok(Err(failed("The live photo of this check no longer exists")));
        };
        let owner = photo.client_id.as_deref().unwrap_or_default();
        Ok(self
            .blob(ctx, blob_key(&photo.scope, owner, &photo.id, "photo"))
            .await?
            .ok_or_else(|| failed("The live photo's file is missing")))
    }
}

#[async_trait]
impl FaceInspector for FaceEngine {
    async fn inspect(
        &self,
        image: Vec<u8>,
        liveness: bool,
    ) -> Result<Option<PhotoRefusal>, TransientError> {
        let settings = self.settings.clone();
        self.blocking(move |analyser, _| {
            inspect::inspect_photo(analyser, &image, liveness, &settings)
        })
        .await
    }
}

#[async_trait]
impl Analyser for FaceEngine {
    async fn analyse(&self, ctx: &CheckContext) -> Result<Analysis, TransientError> {
        match ctx.check_type {
            CheckType::Identity => self.identity(ctx).await,
            CheckType::FaceAuthentication => self.authentication(ctx).await,
            CheckType::AgeEstimation => self.age(ctx).await,
            CheckType::EnhancedIdentity => self.enhanced(ctx).await,
            other => Ok(failed(format!(
                "The face engine does not run {} checks",
                other.as_str()
            ))),
        }
    }
}

/// The faces enrolled for the account's other clients, unless the check's options turn the
/// comparison off (`enableEnrolledFaces: false`).
fn other_clients_faces(ctx: &CheckContext) -> Option<Vec<Descriptor>> {
    if ctx.check.options().enable_enrolled_faces == Some(false) {
        return None;
    }
    Some(
        ctx.enrolled_faces
            .iter()
            .filter(|f| f.client_id != ctx.check.client_id)
            .filter_map(|f| f.descriptor.clone().try_into().ok().map(Descriptor))
            .collect(),
    )
}

/// The outcome of a check that rests on one verdict.
fn clear_or_attention(verdict: Verdict) -> Outcome {
    match verdict {
        Verdict::Clear => Outcome::Clear,
        _ => Outcome::Attention,
    }
}

fn failed(reason: impl Into<String>) -> Analysis {
    Analysis::Failed {
        reason: reason.into(),
    }
}

/// A share of the main face's area below which another face in the photo does not count (a
/// poster, a passer-by far behind).
const OTHER_FACE_SHARE: f32 = 0.1;

/// The one face a live photo or video frame is of: not a document held up to the camera, the
/// largest face, no other face of a comparable size, and enough pixels between the eyes. The
/// error is the finding's code (upload refusals and check logs use the same ones).
fn face_of_photo(
    analyser: &FaceAnalyser,
    image: &DocumentImage,
    settings: &FaceSettings,
) -> Result<DetectedFace, &'static str> {
    // A document page held up as a selfie shows the very portrait it is compared with.
    if clearance_idv::ocr::printed_line_count(&image.gray()) >= settings.document_lines {
        return Err("document_in_photo");
    }
    let faces = analyser
        .detect(image.rgb(), settings.min_detection_score)
        .map_err(|_| "face_detection_failed")?;
    let area = |f: &DetectedFace| f.bbox[2] * f.bbox[3];
    let Some(main) = faces.iter().max_by(|a, b| area(a).total_cmp(&area(b))) else {
        return Err("no_face_detected");
    };
    let comparable = faces
        .iter()
        .filter(|f| area(f) >= area(main) * OTHER_FACE_SHARE)
        .count();
    if comparable > 1 {
        return Err("multiple_faces_detected");
    }
    if main.eye_distance() < settings.min_eye_distance {
        return Err("face_too_small");
    }
    Ok(main.clone())
}

/// A live photo's face: its descriptor and how likely it is a live face.
#[derive(Clone, Debug)]
struct PhotoFace {
    descriptor: Descriptor,
    /// The anti-spoof nets' live probability, 0–1.
    live: f32,
}

/// The descriptor and live probability of a live photo's face (see [`face_of_photo`]).
fn describe_photo(
    analyser: &FaceAnalyser,
    bytes: &[u8],
    settings: &FaceSettings,
) -> Result<PhotoFace, &'static str> {
    let image = DocumentImage::decode_with_limits(bytes, DecodeLimits::default())
        .map_err(|_| "image_unreadable")?;
    let face = face_of_photo(analyser, &image, settings)?;
    let descriptor = analyser
        .describe(image.rgb(), &face)
        .map_err(|_| "face_detection_failed")?;
    let live = analyser
        .live_probability(image.rgb(), &face)
        .map_err(|_| "anti_spoof_failed")?;
    Ok(PhotoFace { descriptor, live })
}

/// The authenticity of a photo's face: clear only when the live probability reaches the
/// threshold, with the probability as a 0–100 score.
fn authenticity(live: f32, settings: &FaceSettings) -> ImageAuthenticity {
    ImageAuthenticity {
        spoofed_image_analysis: Verdict::passed(live >= settings.live_threshold),
        breakdown: LivenessScore {
            liveness_score: liveness_score(live),
        },
    }
}

/// A live probability as the 0–100 score the API reports.
fn liveness_score(live: f32) -> u32 {
    (live * 100.0).round().clamp(0.0, 100.0) as u32
}

/// The portrait on a document: the largest face (a ghost image is smaller).
fn describe_document(
    analyser: &FaceAnalyser,
    pdf: &PdfRendering,
    bytes: &[u8],
    settings: &FaceSettings,
) -> Result<Descriptor, &'static str> {
    let image = DocumentImage::decode_with(bytes, DecodeLimits::default(), pdf)
        .map_err(|_| "document_image_unreadable")?;
    let faces = analyser
        .detect(image.rgb(), settings.min_detection_score)
        .map_err(|_| "face_detection_failed")?;
    let largest = faces
        .iter()
        .max_by(|a, b| (a.bbox[2] * a.bbox[3]).total_cmp(&(b.bbox[2] * b.bbox[3])))
        .ok_or("no_face_on_document")?;
    if largest.eye_distance() < settings.min_eye_distance {
        return Err("document_face_too_small");
    }
    analyser
        .describe(image.rgb(), largest)
        .map_err(|_| "face_detection_failed")
}
