//! `enhanced_identity_check`: the live video's stored frames against the document's portrait,
//! with a heuristic liveness test. It is not certified presentation-attack detection: it asks
//! that the frames show one living-looking sequence of one person doing what was asked.
//!
//! - every frame shows exactly one face, and all of them are one person;
//! - the frames are not one still image repeated (consecutive frames must differ);
//! - the recorded head-movement challenge shows in the landmarks' geometry across frames
//!   (a head turn in the nose's offset, a nod in its height, a smile in the mouth's width);
//! - spoken digits need audio, which the capture does not keep: not judged, and said so.

use clearance_core::blobs::blob_key;
use clearance_core::checks::analyser::{Analysis, CheckContext, TransientError};
use clearance_core::checks::result::{
    Breakdown, CheckResult, EnhancedIdentityBreakdown, FaceSimilarity, LivenessAnalysis,
    LivenessScore, Outcome, Verdict, VideoFaceAnalysis,
};
use clearance_core::resources::media::LiveVideo;
use clearance_idv::face::{Descriptor, FaceAnalyser, Pose};
use clearance_idv::{DecodeLimits, DocumentImage};

use super::identity::IdentityVerdicts;
use super::{
    FaceEngine, FaceSettings, PhotoFace, describe_document, face_of_photo, failed, liveness_score,
    other_clients_faces,
};

impl FaceEngine {
    pub(super) async fn enhanced(&self, ctx: &CheckContext) -> Result<Analysis, TransientError> {
        let (Some(document), Some(video)) = (&ctx.document, &ctx.live_video) else {
            return Ok(failed(
                "The document or live video of this check no longer exists",
            ));
        };
        let recorded: LiveVideo =
            clearance_core::typed::decode(video).map_err(|e| TransientError(e.to_string()))?;
        let document_bytes = match self.document_front(ctx, document).await? {
            Ok(bytes) => bytes,
            Err(cannot) => return Ok(cannot),
        };
        let owner = video.client_id.as_deref().unwrap_or_default();
        let count = (recorded.frame_count.unwrap_or(0) as usize).min(MAX_FRAMES);
        if count == 0 {
            return Ok(failed(
                "The live video has no captured frames, so the check could not run",
            ));
        }
        let mut frames = Vec::with_capacity(count);
        for n in 0..count {
            let key = blob_key(&video.scope, owner, &video.id, &format!("frame-{n}"));
            match self.blob(ctx, key).await? {
                Some(bytes) => frames.push(bytes),
                None => return Ok(failed("A frame of the live video is missing")),
            }
        }
        let action = recorded
            .challenges
            .iter()
            .find(|c| c.kind == "actions")
            .and_then(|c| c.value.first().cloned());
        let settings = self.settings.clone();
        let (document_face, findings) = self
            .blocking(move |analyser, pdf| {
                (
                    describe_document(analyser, pdf, &document_bytes, &settings),
                    analyse(analyser, &frames, action.as_deref(), &settings),
                )
            })
            .await?;
        for reason in &findings.reasons {
            tracing::info!(check.id = %ctx.check_id, check.reason = reason, "enhanced identity finding");
        }
        let others = other_clients_faces(ctx);
        let face = IdentityVerdicts::judge(
            &document_face,
            &findings.best,
            others.as_deref(),
            false,
            &self.settings,
        );
        // Live when the frames are one person, moving, and the anti-spoof model takes the
        // face for a live one (a replayed screen moves too).
        let spoofed_video_analysis = match findings.live {
            Some(moving) => Verdict::passed(moving && face.spoofed_image == Verdict::Clear),
            None => Verdict::Attention,
        };
        let liveness = LivenessAnalysis {
            video_challenges: findings
                .challenge
                .map_or(Verdict::NotProcessed, Verdict::passed),
            spoofed_video_analysis,
            breakdown: face.live.map(|live| LivenessScore {
                liveness_score: liveness_score(live),
            }),
        };
        let breakdown = EnhancedIdentityBreakdown {
            face_analysis: VideoFaceAnalysis {
                facial_similarity: face.facial_similarity,
                previously_enrolled_face: face.previously_enrolled_face,
                breakdown: FaceSimilarity {
                    facial_similarity_score: face.score,
                },
            },
            liveness_analysis: liveness.clone(),
            engine: Some(self.engine.clone()),
        };
        let performed = [
            face.face_detection,
            face.facial_similarity,
            face.previously_enrolled_face,
            liveness.video_challenges,
            liveness.spoofed_video_analysis,
        ];
        let outcome = if performed.contains(&Verdict::Attention) {
            Outcome::Attention
        } else {
            Outcome::Clear
        };
        Ok(Analysis::Complete(Box::new(CheckResult::new(
            outcome,
            Breakdown::EnhancedIdentity(breakdown),
        ))))
    }
}

/// At most this many frames are analysed (the first ones).
pub(super) const MAX_FRAMES: usize = 30;
/// Two frames whose mean absolute grey-level difference is below this are the same picture.
const STILL_DIFFERENCE: f32 = 1.0;
/// How far (in eye distances) the nose must move sideways from the most frontal frame for a
/// head turn to count.
const TURN: f32 = 0.12;
/// How far the nose's height between eyes and mouth must change for a nod to count.
const NOD: f32 = 0.08;
/// How much wider (share) the mouth must get for a smile to count.
const SMILE: f32 = 0.08;

/// What the frames showed.
pub(super) struct VideoFindings {
    /// The best frame's descriptor (the most frontal face) and live probability, when every
    /// frame had one face.
    pub best: Result<PhotoFace, &'static str>,
    /// Whether the frames are one person, moving: `None` when the faces could not be read.
    pub live: Option<bool>,
    /// Whether the action challenge was performed: `None` when there was none to judge.
    pub challenge: Option<bool>,
    pub reasons: Vec<&'static str>,
}

struct Frame {
    grey: Vec<u8>,
    size: (u32, u32),
    pose: Pose,
    descriptor: Descriptor,
}

/// Reads the frames and judges them against `action` (the video's `actions` challenge).
pub(super) fn analyse(
    analyser: &FaceAnalyser,
    frames: &[Vec<u8>],
    action: Option<&str>,
    settings: &FaceSettings,
) -> VideoFindings {
    let mut reasons = Vec::new();
    let mut read = Vec::new();
    for bytes in frames.iter().take(MAX_FRAMES) {
        match frame(analyser, bytes, settings) {
            Ok(f) => read.push(f),
            Err(reason) => {
                return VideoFindings {
                    best: Err(reason),
                    live: None,
                    challenge: None,
                    reasons: vec![reason],
                };
            }
        }
    }
    if read.len() < 2 {
        return VideoFindings {
            best: Err("too_few_frames"),
            live: None,
            challenge: None,
            reasons: vec!["too_few_frames"],
        };
    }
    let best_index = (0..read.len())
        .min_by(|&a, &b| read[a].pose.yaw.abs().total_cmp(&read[b].pose.yaw.abs()))
        .unwrap_or(0);
    let best = &read[best_index];
    let one_person = read
        .iter()
        .all(|f| f.descriptor.distance(&best.descriptor) < settings.match_distance);
    if !one_person {
        reasons.push("more_than_one_person");
    }
    let moving = read.windows(2).any(|pair| {
        let (a, b) = (&pair[0], &pair[1]);
        a.size != b.size || mean_difference(&a.grey, &b.grey) >= STILL_DIFFERENCE
    });
    if !moving {
        reasons.push("still_frames");
    }
    let challenge = action.map(|action| {
        let base = best.pose;
        let done = read.iter().any(|f| performed(action, &base, &f.pose));
        if !done {
            reasons.push("challenge_not_performed");
        }
        done
    });
    // The anti-spoof nets were trained on faces looking at the camera: they judge the most
    // frontal frame, as the document comparison does (read again: one frame, not thirty).
    let live = match live_probability(analyser, &frames[best_index], settings) {
        Ok(live) => live,
        Err(reason) => {
            reasons.push(reason);
            0.0
        }
    };
    VideoFindings {
        best: Ok(PhotoFace {
            descriptor: best.descriptor.clone(),
            live,
        }),
        live: Some(one_person && moving),
        challenge,
        reasons,
    }
}

/// Whether `pose` shows `action` performed, against the frontal `base`.
fn performed(action: &str, base: &Pose, pose: &Pose) -> bool {
    match action {
        "turnHeadLeft" => pose.yaw - base.yaw >= TURN,
        "turnHeadRight" => base.yaw - pose.yaw >= TURN,
        "lookUp" => base.pitch - pose.pitch >= NOD,
        "lookDown" => pose.pitch - base.pitch >= NOD,
        "smile" => pose.mouth_width >= base.mouth_width * (1.0 + SMILE),
        // An action this engine does not know cannot be vouched for.
        _ => false,
    }
}

fn frame(
    analyser: &FaceAnalyser,
    bytes: &[u8],
    settings: &FaceSettings,
) -> Result<Frame, &'static str> {
    let image = DocumentImage::decode_with_limits(bytes, DecodeLimits::default())
        .map_err(|_| "frame_unreadable")?;
    let face = face_of_photo(analyser, &image, settings)?;
    let descriptor = analyser
        .describe(image.rgb(), &face)
        .map_err(|_| "face_detection_failed")?;
    let grey = image.gray();
    Ok(Frame {
        size: grey.dimensions(),
        grey: grey.into_raw(),
        pose: face.pose(),
        descriptor,
    })
}

/// The anti-spoof nets' live probability for a frame's face.
fn live_probability(
    analyser: &FaceAnalyser,
    bytes: &[u8],
    settings: &FaceSettings,
) -> Result<f32, &'static str> {
    let image = DocumentImage::decode_with_limits(bytes, DecodeLimits::default())
        .map_err(|_| "frame_unreadable")?;
    let face = face_of_photo(analyser, &image, settings)?;
    analyser
        .live_probability(image.rgb(), &face)
        .map_err(|_| "anti_spoof_failed")
}

fn mean_difference(a: &[u8], b: &[u8]) -> f32 {
    if a.is_empty() || a.len() != b.len() {
        return f32::MAX;
    }
    let total: u64 = a
        .iter()
        .zip(b)
        .map(|(x, y)| u64::from(x.abs_diff(*y)))
        .sum();
    total as f32 / a.len() as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pose(yaw: f32, pitch: f32, mouth_width: f32) -> Pose {
        Pose {
            yaw,
            pitch,
            mouth_width,
        }
    }

    #[test]
    fn each_action_is_read_from_the_landmarks_geometry() {
        let base = pose(0.0, 0.55, 0.9);
        assert!(performed("turnHeadLeft", &base, &pose(0.2, 0.55, 0.9)));
        assert!(!performed("turnHeadLeft", &base, &pose(-0.2, 0.55, 0.9)));
        assert!(performed("turnHeadRight", &base, &pose(-0.2, 0.55, 0.9)));
        assert!(performed("lookUp", &base, &pose(0.0, 0.4, 0.9)));
        assert!(performed("lookDown", &base, &pose(0.0, 0.7, 0.9)));
        assert!(performed("smile", &base, &pose(0.0, 0.55, 1.0)));
        assert!(!performed("smile", &base, &base));
        assert!(!performed("wink", &base, &pose(0.5, 0.1, 2.0)));
    }

    #[test]
    fn identical_frames_differ_by_nothing() {
        assert_eq!(mean_difference(&[1, 2, 3], &[1, 2, 3]), 0.0);
        assert_eq!(mean_difference(&[0, 0], &[4, 2]), 3.0);
        assert_eq!(mean_difference(&[0], &[0, 0]), f32::MAX);
    }
}
