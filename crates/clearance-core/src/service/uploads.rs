//! What every uploaded file goes through before a service stores or inspects it.

use serde_json::{Map, Value};

use crate::error::{CoreError, Result};

/// Decodes and checks the base64 `data` of an upload; failures name `data`.
pub(super) async fn accept_upload(
    input: &Map<String, Value>,
    policy: &clearance_media::Policy,
) -> Result<clearance_media::Accepted> {
    let data = crate::fields::Reader::new(input).req_str("data", usize::MAX)?;
    let invalid = |e: clearance_media::MediaError| CoreError::invalid("data", e.to_string());
    let bytes = clearance_media::decode_base64(&data, policy.max_bytes).map_err(invalid)?;
    clearance_media::inspect(bytes, policy)
        .await
        .map_err(invalid)
}

/// Room in the process's decode budget for an inspection that decodes `accepted` again (the
/// face and document inspections of live uploads), held while the returned value lives: a
/// burst of large uploads waits for memory instead of decoding them all at once.
pub(super) async fn decode_room(accepted: &clearance_media::Accepted) -> impl Sized + use<> {
    match accepted.dimensions {
        // RGB pixels, plus the grey copy the inspections measure.
        Some((w, h)) => {
            clearance_media::DecodeBudget::global()
                .reserve(u64::from(w) * u64::from(h) * 4)
                .await
        }
        None => None,
    }
}
