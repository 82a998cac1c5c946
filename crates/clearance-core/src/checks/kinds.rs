//! The check types of API v1.7.3 and what each needs as input.

/// One of the nine check types of API v1.7.3.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum CheckType {
    #[serde(rename = "standard_screening_check")]
    StandardScreening,
    #[serde(rename = "extensive_screening_check")]
    ExtensiveScreening,
    #[serde(rename = "document_check")]
    Document,
    #[serde(rename = "identity_check")]
    Identity,
    #[serde(rename = "enhanced_identity_check")]
    EnhancedIdentity,
    #[serde(rename = "proof_of_address_check")]
    ProofOfAddress,
    #[serde(rename = "multi_bureau_check")]
    MultiBureau,
    #[serde(rename = "face_authentication_check")]
    FaceAuthentication,
    #[serde(rename = "age_estimation_check")]
    AgeEstimation,
}

/// Whether a linked resource is required, optional or not accepted for a check type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Link {
    Required,
    Optional,
    Refused,
}

impl CheckType {
    /// Every type, in the order the documentation lists them.
    pub const ALL: [CheckType; 9] = [
        CheckType::StandardScreening,
        CheckType::ExtensiveScreening,
        CheckType::Document,
        CheckType::Identity,
        CheckType::EnhancedIdentity,
        CheckType::ProofOfAddress,
        CheckType::MultiBureau,
        CheckType::FaceAuthentication,
        CheckType::AgeEstimation,
    ];

    /// The type with this wire name.
    pub fn parse(name: &str) -> Option<CheckType> {
        Self::ALL.into_iter().find(|t| t.as_str() == name)
    }

    /// The wire name (`standard_screening_check`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            CheckType::StandardScreening => "standard_screening_check",
            CheckType::ExtensiveScreening => "extensive_screening_check",
            CheckType::Document => "document_check",
            CheckType::Identity => "identity_check",
            CheckType::EnhancedIdentity => "enhanced_identity_check",
            CheckType::ProofOfAddress => "proof_of_address_check",
            CheckType::MultiBureau => "multi_bureau_check",
            CheckType::FaceAuthentication => "face_authentication_check",
            CheckType::AgeEstimation => "age_estimation_check",
        }
    }

    /// The AML screening types (the only ones with monitoring and per-match validation).
    pub fn is_screening(self) -> bool {
        matches!(
            self,
            CheckType::StandardScreening | CheckType::ExtensiveScreening
        )
    }

    /// Types that only make sense for a person client.
    pub fn person_only(self) -> bool {
        !matches!(
            self,
            CheckType::StandardScreening | CheckType::ExtensiveScreening | CheckType::Document
        )
    }

    /// Whether `documentId` is required, optional or refused.
    pub fn document(self) -> Link {
        match self {
            CheckType::Document
            | CheckType::Identity
            | CheckType::EnhancedIdentity
            | CheckType::ProofOfAddress => Link::Required,
            _ => Link::Refused,
        }
    }

    /// Whether `livePhotoId` is required, optional or refused.
    pub fn live_photo(self) -> Link {
        match self {
            CheckType::Identity | CheckType::FaceAuthentication | CheckType::AgeEstimation => {
                Link::Required
            }
            _ => Link::Refused,
        }
    }

    /// Whether `liveVideoId` is required, optional or refused.
    pub fn live_video(self) -> Link {
        match self {
            CheckType::EnhancedIdentity => Link::Required,
            _ => Link::Refused,
        }
    }

    /// Whether `addressId` is required, optional or refused. Proof of address accepts one
    /// (the official PHP test sends it) to cross-check the document against.
    pub fn address(self) -> Link {
        match self {
            CheckType::MultiBureau => Link::Required,
            CheckType::ProofOfAddress => Link::Optional,
            _ => Link::Refused,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_round_trip() {
        for t in CheckType::ALL {
            assert_eq!(CheckType::parse(t.as_str()), Some(t));
            let json = serde_json::to_value(t).expect("serialises");
            assert_eq!(json, t.as_str(), "serde and as_str agree");
        }
        assert_eq!(CheckType::parse("eid_check"), None);
    }

    #[test]
    fn identity_needs_a_document_and_a_selfie() {
        let t = CheckType::Identity;
        assert_eq!(t.document(), Link::Required);
        assert_eq!(t.live_photo(), Link::Required);
        assert_eq!(t.live_video(), Link::Refused);
        assert!(!t.is_screening());
    }
}
