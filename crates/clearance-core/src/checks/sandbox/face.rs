//! Sandbox results of the face checks: identity, enhanced identity, face authentication and age
//! estimation.

use super::{Sim, Trigger, years_between};
use crate::checks::result::{
    AgeEstimationBreakdown, Breakdown, CheckResult, EnhancedIdentityBreakdown, FaceAuthentication,
    FaceAuthenticationBreakdown, FaceMatched, IdentityBreakdown, Outcome, Verdict,
};

impl Sim<'_> {
    pub(super) fn identity(&self) -> CheckResult {
        let enrolled = self.options.enable_enrolled_faces != Some(false);
        let covered = |path: &str| enrolled || path != "faceAnalysis.previouslyEnrolledFace";
        let mut result = self.grade(
            Breakdown::Identity(IdentityBreakdown::default()),
            covered,
            &["faceAnalysis.facialSimilarity"],
        );
        if let Breakdown::Identity(b) = &mut result.breakdown {
            let face = &mut b.face_analysis;
            face.breakdown.facial_similarity_score = self.score(
                "facialSimilarityScore",
                face.facial_similarity == Verdict::Attention,
            );
        }
        result
    }

    pub(super) fn enhanced_identity(&self) -> CheckResult {
        let mut result = self.grade(
            Breakdown::EnhancedIdentity(EnhancedIdentityBreakdown::default()),
            |_| true,
            &["faceAnalysis.facialSimilarity"],
        );
        if let Breakdown::EnhancedIdentity(b) = &mut result.breakdown {
            let face = &mut b.face_analysis;
            face.breakdown.facial_similarity_score = self.score(
                "facialSimilarityScore",
                face.facial_similarity == Verdict::Attention,
            );
        }
        result
    }

    /// The selfie matches itself as the one enrolled face, unless the trigger says otherwise.
    pub(super) fn face_authentication(&self) -> CheckResult {
        let mut result = self.grade(
            Breakdown::FaceAuthentication(FaceAuthenticationBreakdown::default()),
            |_| true,
            &["faceAuthentication.facialSimilarity"],
        );
        let outcome = result.outcome;
        if let Breakdown::FaceAuthentication(b) = &mut result.breakdown {
            let FaceAuthentication { breakdown, .. } = &mut b.face_authentication;
            let photo = self.check.live_photo_id.clone();
            if outcome == Outcome::Clear
                && let Some(photo) = &photo
            {
                breakdown.faces_matched = Some(vec![FaceMatched {
                    live_photo_id: photo.clone(),
                    facial_similarity_score: self.pick("facesMatched", 90, 100),
                }]);
            }
            breakdown.enrolled_faces.live_photo_ids = photo.into_iter().collect();
        }
        result
    }

    /// The age follows the client's date of birth (30 without one); flagged means under 18.
    pub(super) fn age_estimation(&self) -> CheckResult {
        let mut result = self.grade(
            Breakdown::AgeEstimation(AgeEstimationBreakdown::default()),
            |_| true,
            &["ageEstimationAnalysis.ageValidation"],
        );
        let age = self
            .holder
            .dob
            .map_or(30, |dob| years_between(dob, self.today));
        if let Breakdown::AgeEstimation(b) = &mut result.breakdown {
            let analysis = &mut b.age_estimation_analysis;
            let age = match self.trigger {
                Trigger::NotProcessed => 0,
                _ if analysis.age_validation == Verdict::Attention => age.min(16),
                _ => age.max(18),
            };
            let range = &mut analysis.breakdown;
            range.age = age;
            (range.age_min, range.age_max) = if age == 0 {
                (0, 0)
            } else {
                ((age - 4).max(0), age + 4)
            };
            b.authenticity_analysis.breakdown.liveness_score = match self.trigger {
                Trigger::NotProcessed => 0,
                _ => self.pick("livenessScore", 90, 99),
            };
        }
        result
    }
}
