//! Results of the face checks (checks-and-more.md §2.5, §2.6, §2.9, §2.10): identity (document
//! and selfie), enhanced identity (document and video), face authentication (selfie against
//! enrolled faces) and age estimation.

use serde::{Deserialize, Serialize};

use super::outcome::Verdict;

/// `breakdown` of `identity_check`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct IdentityBreakdown {
    pub face_analysis: FaceAnalysis,
    pub authenticity_analysis: PhotoAuthenticity,
    pub integrity_analysis: IntegrityAnalysis,
    /// Clearance's own field: the engine and model files behind a live result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engine: Option<EngineInfo>,
}

/// Which engine, and which model files, produced a biometric result, so that a decision can be
/// traced to the exact models (Clearance's own field; the sandbox leaves it out).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct EngineInfo {
    pub name: String,
    pub models: Vec<ModelFile>,
    /// The distance below which two faces were taken for one person.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub match_distance: Option<f32>,
}

/// One model file: its name, SHA-256 and licence.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ModelFile {
    pub file: String,
    pub sha256: String,
    pub licence: String,
}

/// The selfie's face against the document's.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct FaceAnalysis {
    pub face_detection: Verdict,
    pub facial_similarity: Verdict,
    pub previously_enrolled_face: Verdict,
    pub breakdown: FaceSimilarity,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct FaceSimilarity {
    /// 0–100.
    pub facial_similarity_score: u32,
}

/// Whether the selfie is of a live person.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PhotoAuthenticity {
    pub spoofed_image_analysis: Verdict,
    pub liveness_check: Verdict,
    /// Clearance's own field: the anti-spoof model's 0–100 live score, when it ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub breakdown: Option<LivenessScore>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct IntegrityAnalysis {
    pub face_detection: Verdict,
}

impl IdentityBreakdown {
    pub fn verdicts_mut(&mut self) -> Vec<(&'static str, &mut Verdict)> {
        let (f, a) = (&mut self.face_analysis, &mut self.authenticity_analysis);
        vec![
            ("faceAnalysis.faceDetection", &mut f.face_detection),
            ("faceAnalysis.facialSimilarity", &mut f.facial_similarity),
            (
                "faceAnalysis.previouslyEnrolledFace",
                &mut f.previously_enrolled_face,
            ),
            (
                "authenticityAnalysis.spoofedImageAnalysis",
                &mut a.spoofed_image_analysis,
            ),
            ("authenticityAnalysis.livenessCheck", &mut a.liveness_check),
            (
                "integrityAnalysis.faceDetection",
                &mut self.integrity_analysis.face_detection,
            ),
        ]
    }
}

/// `breakdown` of `enhanced_identity_check`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct EnhancedIdentityBreakdown {
    pub face_analysis: VideoFaceAnalysis,
    pub liveness_analysis: LivenessAnalysis,
    /// Clearance's own field: the engine and model files behind a live result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engine: Option<EngineInfo>,
}

/// The video's face against the document's.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct VideoFaceAnalysis {
    pub facial_similarity: Verdict,
    pub previously_enrolled_face: Verdict,
    pub breakdown: FaceSimilarity,
}

/// Whether the video is of a live person doing the challenges asked.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct LivenessAnalysis {
    pub video_challenges: Verdict,
    pub spoofed_video_analysis: Verdict,
    /// Clearance's own field: the anti-spoof model's 0–100 live score of the most frontal
    /// frame, when it ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub breakdown: Option<LivenessScore>,
}

impl EnhancedIdentityBreakdown {
    pub fn verdicts_mut(&mut self) -> Vec<(&'static str, &mut Verdict)> {
        let (f, l) = (&mut self.face_analysis, &mut self.liveness_analysis);
        vec![
            ("faceAnalysis.facialSimilarity", &mut f.facial_similarity),
            (
                "faceAnalysis.previouslyEnrolledFace",
                &mut f.previously_enrolled_face,
            ),
            ("livenessAnalysis.videoChallenges", &mut l.video_challenges),
            (
                "livenessAnalysis.spoofedVideoAnalysis",
                &mut l.spoofed_video_analysis,
            ),
        ]
    }
}

/// `breakdown` of `face_authentication_check`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct FaceAuthenticationBreakdown {
    pub face_authentication: FaceAuthentication,
    /// Clearance's own field: whether the live photo is of a live face (the anti-spoof
    /// model), as `age_estimation_check` reports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authenticity_analysis: Option<ImageAuthenticity>,
    /// Clearance's own field: the engine and model files behind a live result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engine: Option<EngineInfo>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct FaceAuthentication {
    pub facial_similarity: Verdict,
    pub breakdown: FaceAuthenticationDetails,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct FaceAuthenticationDetails {
    /// Present only when the selfie matched an enrolled face.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub faces_matched: Option<Vec<FaceMatched>>,
    pub enrolled_faces: EnrolledFaces,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct FaceMatched {
    pub live_photo_id: String,
    pub facial_similarity_score: u32,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct EnrolledFaces {
    pub live_photo_ids: Vec<String>,
}

impl FaceAuthenticationBreakdown {
    pub fn verdicts_mut(&mut self) -> Vec<(&'static str, &mut Verdict)> {
        let mut verdicts = vec![(
            "faceAuthentication.facialSimilarity",
            &mut self.face_authentication.facial_similarity,
        )];
        if let Some(a) = &mut self.authenticity_analysis {
            verdicts.push((
                "authenticityAnalysis.spoofedImageAnalysis",
                &mut a.spoofed_image_analysis,
            ));
        }
        verdicts
    }
}

/// `breakdown` of `age_estimation_check`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AgeEstimationBreakdown {
    pub age_estimation_analysis: AgeEstimationAnalysis,
    pub authenticity_analysis: ImageAuthenticity,
    /// Clearance's own field: the engine and model files behind a live result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engine: Option<EngineInfo>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AgeEstimationAnalysis {
    /// Whether the estimated age reaches the minimum accepted age.
    pub age_validation: Verdict,
    pub breakdown: AgeRange,
}

/// The estimated age and its range, in years.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AgeRange {
    pub age: i32,
    pub age_min: i32,
    pub age_max: i32,
}

/// Whether the photo is of a live person, with a 0–100 confidence.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ImageAuthenticity {
    pub spoofed_image_analysis: Verdict,
    pub breakdown: LivenessScore,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct LivenessScore {
    pub liveness_score: u32,
}

impl AgeEstimationBreakdown {
    pub fn verdicts_mut(&mut self) -> Vec<(&'static str, &mut Verdict)> {
        vec![
            (
                "ageEstimationAnalysis.ageValidation",
                &mut self.age_estimation_analysis.age_validation,
            ),
            (
                "authenticityAnalysis.spoofedImageAnalysis",
                &mut self.authenticity_analysis.spoofed_image_analysis,
            ),
        ]
    }
}
