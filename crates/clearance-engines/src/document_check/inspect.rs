//! The inspection of identity-document images at upload (live keys): the document check's own
//! quality gate (resolution, sharpness, exposure, glare), run while the person can still take
//! another photo. It needs no model, so it is not the lazily loaded engine.

use async_trait::async_trait;
use clearance_core::checks::analyser::TransientError;
use clearance_core::inspection::{DocumentInspector, UploadRefusal, unreadable_image_message};
use clearance_idv::{DecodeLimits, DocumentImage};

use super::request::identity_type;

/// The quality gate of [`super::DocumentCheckEngine`], applied at upload.
#[derive(Clone, Copy, Debug, Default)]
pub struct DocumentQualityInspector;

#[async_trait]
impl DocumentInspector for DocumentQualityInspector {
    async fn inspect(
        &self,
        image: Vec<u8>,
        document_type: &str,
    ) -> Result<Option<UploadRefusal>, TransientError> {
        // Bills and statements are white pages a passport's glare rule would refuse; the check
        // that reads them has its own rules.
        if identity_type(document_type).is_none() {
            return Ok(None);
        }
        tokio::task::spawn_blocking(move || quality_refusal(&image))
            .await
            .map_err(|e| TransientError(format!("document inspection stopped: {e}")))
    }
}

/// The first quality problem of an image, as the check would report it.
fn quality_refusal(bytes: &[u8]) -> Option<UploadRefusal> {
    let refuse = |code: &'static str| {
        Some(UploadRefusal {
            code,
            message: format!(
                "{}; take the photo again, flat, in good light and in focus",
                unreadable_image_message(code)
            ),
        })
    };
    let Ok(image) = DocumentImage::decode_with_limits(bytes, DecodeLimits::default()) else {
        return refuse("image_unreadable");
    };
    let report = clearance_idv::quality::assess(&image);
    report
        .issues
        .first()
        .and_then(|issue| refuse(issue.api_code()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jpeg(image: &image::RgbImage) -> Vec<u8> {
        let mut bytes = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 90)
            .encode_image(image)
            .expect("encodes");
        bytes
    }

    #[tokio::test]
    async fn a_dark_or_tiny_identity_image_is_refused_and_a_bill_is_not_judged() {
        let inspector = DocumentQualityInspector;
        let dark = jpeg(&image::RgbImage::from_pixel(
            800,
            600,
            image::Rgb([12, 12, 12]),
        ));
        let refused = inspector
            .inspect(dark.clone(), "passport")
            .await
            .expect("runs")
            .expect("refused");
        assert!(
            ["under_exposure", "image_unreadable"].contains(&refused.code),
            "{refused:?}"
        );
        let tiny = jpeg(&image::RgbImage::from_pixel(
            200,
            150,
            image::Rgb([128, 128, 128]),
        ));
        let refused = inspector
            .inspect(tiny, "driving_license")
            .await
            .expect("runs");
        assert_eq!(refused.map(|r| r.code), Some("image_unreadable"));
        assert_eq!(
            inspector.inspect(dark, "utility_bill").await.expect("runs"),
            None
        );
    }
}
