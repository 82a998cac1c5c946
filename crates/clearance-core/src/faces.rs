//! Enrolled faces: what a clear identity check leaves behind, so that a later face
//! authentication can recognise the client and a later identity check can spot one face behind
//! two clients. Only descriptors are kept, never face crops, and they are sealed under the
//! master key at rest. Enrolments are owned by their client, so deleting the client deletes
//! them; redacting the live photo they came from deletes them too.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::blobs::Blobs;
use crate::scope::Scope;
use crate::store::{Resource, ResourceKind};

/// One enrolled face, unsealed for an analysis.
#[derive(Clone, Debug, PartialEq)]
pub struct EnrolledFace {
    pub client_id: String,
    pub live_photo_id: String,
    pub descriptor: Vec<f32>,
}

/// What an analysis asks to enrol once its check completes.
#[derive(Clone, Debug, PartialEq)]
pub struct NewEnrolment {
    pub live_photo_id: String,
    pub descriptor: Vec<f32>,
}

/// The stored body of a [`ResourceKind::FaceEnrolment`].
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct EnrolmentRecord {
    live_photo_id: String,
    check_id: String,
    /// The sealed descriptor, base64.
    descriptor: String,
}

/// What the sealed descriptor is bound to: it opens only for this record.
fn seal_context(scope: &Scope, enrolment_id: &str) -> String {
    format!(
        "faceEnrolment/{}/{}/{enrolment_id}",
        scope.account_id, scope.mode
    )
}

/// The body of a new enrolment, its descriptor sealed.
pub(crate) fn record(
    blobs: &dyn Blobs,
    scope: &Scope,
    enrolment_id: &str,
    check_id: &str,
    enrolment: &NewEnrolment,
) -> Result<Map<String, Value>, String> {
    let bytes: Vec<u8> = enrolment
        .descriptor
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    let sealed = blobs
        .seal(&seal_context(scope, enrolment_id), &bytes)
        .map_err(|e| e.0)?;
    let record = EnrolmentRecord {
        live_photo_id: enrolment.live_photo_id.clone(),
        check_id: check_id.to_string(),
        descriptor: STANDARD.encode(sealed),
    };
    match serde_json::to_value(record) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err("an enrolment did not serialise to an object".into()),
    }
}

/// Unseals a stored enrolment; `None` (logged) when it cannot be read, so one damaged record
/// never stops every face check of the account.
pub(crate) fn unseal(blobs: &dyn Blobs, stored: &Resource) -> Option<EnrolledFace> {
    debug_assert_eq!(stored.kind, ResourceKind::FaceEnrolment);
    let record: EnrolmentRecord =
        serde_json::from_value(Value::Object(stored.body.clone())).ok()?;
    let sealed = STANDARD.decode(record.descriptor).ok()?;
    let bytes = match blobs.open(&seal_context(&stored.scope, &stored.id), &sealed) {
        Ok(bytes) => bytes,
        Err(e) => {
            tracing::warn!(enrolment.id = %stored.id, error = %e, "an enrolled face could not be unsealed");
            return None;
        }
    };
    if bytes.len() % 4 != 0 {
        return None;
    }
    let descriptor = bytes
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    Some(EnrolledFace {
        client_id: stored.client_id.clone().unwrap_or_default(),
        live_photo_id: record.live_photo_id,
        descriptor,
    })
}

/// Why an uploaded live photo was refused: a documented processing code (HTTP 422) and a
/// message for the person taking it.
#[derive(Clone, Debug, PartialEq)]
pub struct PhotoRefusal {
    pub code: &'static str,
    pub message: String,
}

/// Inspects live photos at upload (live keys): exactly one face, large enough, facing the
/// camera, lit, and, with `liveness` (the upload's `performLivenessCheck`), not plainly a print
/// or a screen. Implemented by the face engine; a server without one accepts every photo.
#[async_trait::async_trait]
pub trait FaceInspector: Send + Sync {
    /// `Ok(None)` when the photo passes, `Ok(Some(refusal))` when it does not.
    async fn inspect(
        &self,
        image: Vec<u8>,
        liveness: bool,
    ) -> Result<Option<PhotoRefusal>, crate::checks::analyser::TransientError>;
}
