//! `identity_check` (the document's portrait against the live photo, and against the faces
//! enrolled for the account's other clients) and `face_authentication_check` (the live photo
//! against the client's own enrolled faces).

use clearance_core::checks::analyser::{Analysis, CheckContext, TransientError};
use clearance_core::checks::result::{
    Breakdown, CheckResult, EngineInfo, EnrolledFaces, FaceAnalysis, FaceAuthentication,
    FaceAuthenticationBreakdown, FaceAuthenticationDetails, FaceMatched, FaceSimilarity,
    IdentityBreakdown, IntegrityAnalysis, LivenessScore, Outcome, PhotoAuthenticity, Verdict,
};
use clearance_core::faces::NewEnrolment;
use clearance_core::resources::media::LivePhoto;
use clearance_idv::face::{DESCRIPTOR_LEN, Descriptor};

use super::{
    FaceEngine, FaceSettings, PhotoFace, authenticity, describe_document, describe_photo, failed,
    liveness_score, other_clients_faces,
};

impl FaceEngine {
    pub(super) async fn identity(&self, ctx: &CheckContext) -> Result<Analysis, TransientError> {
        let (Some(document), Some(photo)) = (&ctx.document, &ctx.live_photo) else {
            return Ok(failed(
                "The document or live photo of this check no longer exists",
            ));
        };
        let document_bytes = match self.document_front(ctx, document).await? {
            Ok(bytes) => bytes,
            Err(cannot) => return Ok(cannot),
        };
        let photo_bytes = match self.live_photo(ctx).await? {
            Ok(bytes) => bytes,
            Err(cannot) => return Ok(cannot),
        };
        let settings = self.settings.clone();
        let (document_face, photo_face) = self
            .blocking(move |analyser, pdf| {
                (
                    describe_document(analyser, pdf, &document_bytes, &settings),
                    describe_photo(analyser, &photo_bytes, &settings),
                )
            })
            .await?;
        let others = other_clients_faces(ctx);
        // Photos stored before the field existed asked for it: ComplyCube's default is true.
        let liveness_asked = clearance_core::typed::decode::<LivePhoto>(photo)
            .map_or(true, |p| p.perform_liveness_check);
        let verdicts = IdentityVerdicts::judge(
            &document_face,
            &photo_face,
            others.as_deref(),
            liveness_asked,
            &self.settings,
        );
        for reason in &verdicts.reasons {
            tracing::info!(check.id = %ctx.check_id, check.reason = reason, "identity check finding");
        }
        let result = verdicts.result(self.engine.clone());
        match (result.outcome, photo_face) {
            (Outcome::Clear, Ok(face)) => Ok(Analysis::CompleteAndEnrol {
                result: Box::new(result),
                enrolment: NewEnrolment {
                    live_photo_id: photo.id.clone(),
                    descriptor: face.descriptor.0.to_vec(),
                },
            }),
            _ => Ok(Analysis::Complete(Box::new(result))),
        }
    }

    pub(super) async fn authentication(
        &self,
        ctx: &CheckContext,
    ) -> Result<Analysis, TransientError> {
        let client_id = &ctx.check.client_id;
        let enrolled: Vec<_> = ctx
            .enrolled_faces
            .iter()
            .filter(|f| &f.client_id == client_id)
            .collect();
        if enrolled.is_empty() {
            return Ok(failed(
                "The client has no enrolled face: a clear identity check enrols one",
            ));
        }
        let bytes = match self.live_photo(ctx).await? {
            Ok(bytes) => bytes,
            Err(cannot) => return Ok(cannot),
        };
        let settings = self.settings.clone();
        let face = self
            .blocking(move |analyser, _| describe_photo(analyser, &bytes, &settings))
            .await?;
        let mut matched = Vec::new();
        if let Ok(PhotoFace { descriptor, .. }) = &face {
            for f in &enrolled {
                let Ok(known) = <[f32; DESCRIPTOR_LEN]>::try_from(f.descriptor.as_slice()) else {
                    continue;
                };
                let distance = descriptor.distance(&Descriptor(known));
                if distance < self.settings.match_distance {
                    matched.push(FaceMatched {
                        live_photo_id: f.live_photo_id.clone(),
                        facial_similarity_score: similarity_score(distance, &self.settings),
                    });
                }
            }
        }
        if let Err(reason) = &face {
            tracing::info!(check.id = %ctx.check_id, check.reason = reason, "face authentication finding");
        }
        let verdict = Verdict::passed(!matched.is_empty());
        // A print or a screen of the client's face matches it as well as the face itself.
        let authenticity_analysis = face
            .as_ref()
            .ok()
            .map(|f| authenticity(f.live, &self.settings));
        let spoofed = authenticity_analysis
            .as_ref()
            .is_some_and(|a| a.spoofed_image_analysis != Verdict::Clear);
        if spoofed {
            tracing::info!(check.id = %ctx.check_id, check.reason = "spoofed_image", "face authentication finding");
        }
        let breakdown = FaceAuthenticationBreakdown {
            authenticity_analysis,
            face_authentication: FaceAuthentication {
                facial_similarity: verdict,
                breakdown: FaceAuthenticationDetails {
                    faces_matched: (!matched.is_empty()).then_some(matched),
                    enrolled_faces: EnrolledFaces {
                        live_photo_ids: enrolled.iter().map(|f| f.live_photo_id.clone()).collect(),
                    },
                },
            },
            engine: Some(self.engine.clone()),
        };
        let outcome = if verdict == Verdict::Clear && !spoofed {
            Outcome::Clear
        } else {
            Outcome::Attention
        };
        Ok(Analysis::Complete(Box::new(CheckResult::new(
            outcome,
            Breakdown::FaceAuthentication(breakdown),
        ))))
    }
}

/// 100 for identical faces, 50 at the match distance, 0 at twice it.
fn similarity_score(distance: f32, settings: &FaceSettings) -> u32 {
    let score = 100.0 * (1.0 - distance / (2.0 * settings.match_distance));
    score.round().clamp(0.0, 100.0) as u32
}

/// The verdicts of an identity check, and why.
pub(super) struct IdentityVerdicts {
    pub face_detection: Verdict,
    pub facial_similarity: Verdict,
    pub previously_enrolled_face: Verdict,
    pub score: u32,
    /// The anti-spoof model's verdict on the live photo, and its live probability.
    pub spoofed_image: Verdict,
    /// The same verdict where the upload asked for a liveness check (`performLivenessCheck`).
    pub liveness: Verdict,
    pub live: Option<f32>,
    pub reasons: Vec<&'static str>,
}

impl IdentityVerdicts {
    pub(super) fn judge(
        document: &Result<Descriptor, &'static str>,
        photo: &Result<PhotoFace, &'static str>,
        others: Option<&[Descriptor]>,
        liveness_asked: bool,
        settings: &FaceSettings,
    ) -> Self {
        let mut reasons = Vec::new();
        for r in [document.as_ref().err(), photo.as_ref().err()]
            .into_iter()
            .flatten()
        {
            reasons.push(*r);
        }
        let (Ok(document), Ok(photo_face)) = (document, photo) else {
            return IdentityVerdicts {
                face_detection: Verdict::Attention,
                facial_similarity: Verdict::NotProcessed,
                previously_enrolled_face: Verdict::NotProcessed,
                score: 0,
                spoofed_image: Verdict::NotProcessed,
                liveness: Verdict::NotProcessed,
                live: None,
                reasons,
            };
        };
        let photo = &photo_face.descriptor;
        let spoofed_image = authenticity(photo_face.live, settings).spoofed_image_analysis;
        if spoofed_image != Verdict::Clear {
            reasons.push("spoofed_image");
        }
        let distance = document.distance(photo);
        if distance >= settings.match_distance {
            reasons.push("faces_do_not_match");
        }
        let previously_enrolled_face = match others {
            None => Verdict::NotProcessed,
            Some(others) => {
                let seen = others
                    .iter()
                    .any(|other| other.distance(photo) < settings.match_distance);
                if seen {
                    reasons.push("face_enrolled_for_another_client");
                }
                Verdict::passed(!seen)
            }
        };
        IdentityVerdicts {
            face_detection: Verdict::Clear,
            facial_similarity: Verdict::passed(distance < settings.match_distance),
            previously_enrolled_face,
            score: similarity_score(distance, settings),
            spoofed_image,
            liveness: if liveness_asked {
                spoofed_image
            } else {
                Verdict::NotProcessed
            },
            live: Some(photo_face.live),
            reasons,
        }
    }

    fn result(&self, engine: EngineInfo) -> CheckResult {
        let breakdown = IdentityBreakdown {
            face_analysis: FaceAnalysis {
                face_detection: self.face_detection,
                facial_similarity: self.facial_similarity,
                previously_enrolled_face: self.previously_enrolled_face,
                breakdown: FaceSimilarity {
                    facial_similarity_score: self.score,
                },
            },
            authenticity_analysis: PhotoAuthenticity {
                spoofed_image_analysis: self.spoofed_image,
                liveness_check: self.liveness,
                breakdown: self.live.map(|live| LivenessScore {
                    liveness_score: liveness_score(live),
                }),
            },
            integrity_analysis: IntegrityAnalysis {
                face_detection: self.face_detection,
            },
            engine: Some(engine),
        };
        let performed = [
            self.face_detection,
            self.facial_similarity,
            self.previously_enrolled_face,
            self.spoofed_image,
            self.liveness,
        ];
        let outcome = if performed.contains(&Verdict::Attention) {
            Outcome::Attention
        } else if performed.contains(&Verdict::Clear) {
            Outcome::Clear
        } else {
            Outcome::NotProcessed
        };
        CheckResult::new(outcome, Breakdown::Identity(breakdown))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::faces::engine_info;

    fn face(v: f32) -> Result<Descriptor, &'static str> {
        let mut d = [0f32; DESCRIPTOR_LEN];
        d[0] = v;
        Ok(Descriptor(d))
    }

    /// A live photo's face at `v`, scored live with probability `live`.
    fn photo(v: f32, live: f32) -> Result<PhotoFace, &'static str> {
        face(v).map(|descriptor| PhotoFace { descriptor, live })
    }

    fn engine() -> EngineInfo {
        engine_info(Vec::new(), &FaceSettings::default())
    }

    #[test]
    fn the_score_is_fifty_at_the_threshold() {
        let s = FaceSettings::default();
        assert_eq!(similarity_score(0.0, &s), 100);
        assert_eq!(similarity_score(s.match_distance, &s), 50);
        assert_eq!(similarity_score(5.0, &s), 0);
    }

    #[test]
    fn a_borderline_distance_is_attention() {
        let s = FaceSettings::default();
        let v = IdentityVerdicts::judge(
            &face(0.0),
            &photo(s.match_distance, 0.9),
            Some(&[]),
            true,
            &s,
        );
        assert_eq!(v.facial_similarity, Verdict::Attention);
        assert_eq!(v.result(engine()).outcome, Outcome::Attention);
        let v = IdentityVerdicts::judge(&face(0.0), &photo(0.1, 0.9), Some(&[]), true, &s);
        assert_eq!(v.result(engine()).outcome, Outcome::Clear);
    }

    #[test]
    fn a_face_enrolled_for_another_client_is_attention() {
        let s = FaceSettings::default();
        let other = face(0.05).expect("face");
        let v = IdentityVerdicts::judge(&face(0.0), &photo(0.1, 0.9), Some(&[other]), true, &s);
        assert_eq!(v.previously_enrolled_face, Verdict::Attention);
        let v = IdentityVerdicts::judge(&face(0.0), &photo(0.1, 0.9), None, true, &s);
        assert_eq!(v.previously_enrolled_face, Verdict::NotProcessed);
        assert_eq!(v.result(engine()).outcome, Outcome::Clear);
    }

    #[test]
    fn no_face_is_attention_and_never_clear() {
        let s = FaceSettings::default();
        let v = IdentityVerdicts::judge(&face(0.0), &Err("no_face_detected"), Some(&[]), true, &s);
        assert_eq!(v.face_detection, Verdict::Attention);
        assert_eq!(v.spoofed_image, Verdict::NotProcessed);
        assert_eq!(v.result(engine()).outcome, Outcome::Attention);
    }

    #[test]
    fn a_face_the_anti_spoof_model_doubts_is_attention_and_never_clear() {
        let s = FaceSettings::default();
        let doubtful = s.live_threshold - 0.01;
        let v = IdentityVerdicts::judge(&face(0.0), &photo(0.1, doubtful), Some(&[]), true, &s);
        assert_eq!(v.spoofed_image, Verdict::Attention);
        assert_eq!(v.liveness, Verdict::Attention);
        assert_eq!(v.result(engine()).outcome, Outcome::Attention);
        // Without `performLivenessCheck` the liveness check is not run; the spoof analysis is.
        let v = IdentityVerdicts::judge(&face(0.0), &photo(0.1, doubtful), Some(&[]), false, &s);
        assert_eq!(v.liveness, Verdict::NotProcessed);
        assert_eq!(v.result(engine()).outcome, Outcome::Attention);
        let v = IdentityVerdicts::judge(&face(0.0), &photo(0.1, 0.9), Some(&[]), false, &s);
        assert_eq!(v.liveness, Verdict::NotProcessed);
        assert_eq!(v.result(engine()).outcome, Outcome::Clear);
    }
}
