//! Live photos (selfies) and live videos: uploads, downloads, redaction and deletion.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rand::Rng;
use serde_json::{Map, Value};

use super::Services;
use super::uploads::{accept_upload, decode_room};
use crate::audit::Actor;
use crate::blobs::{blob_key, resource_prefix};
use crate::error::{CoreError, Result};
use crate::fields::as_object;
use crate::ids::new_resource_id;
use crate::resources::media::{
    Challenge, FileDownload, LivePhoto, LivePhotoUpload, LiveVideo, LiveVideoCreate,
};
use crate::scope::{Mode, Scope};
use crate::store::{AttrFilter, Change, ListQuery, Resource, ResourceKind};
use crate::typed;

const ACTIONS: &[&str] = &[
    "turnHeadLeft",
    "turnHeadRight",
    "lookUp",
    "lookDown",
    "smile",
];

fn owner(r: &Resource) -> &str {
    r.client_id.as_deref().unwrap_or_default()
}

impl Services {
    /// Stores a live photo for a client and returns its record.
    pub async fn upload_live_photo(
        &self,
        scope: &Scope,
        actor: &Actor,
        input: &Value,
    ) -> Result<Resource> {
        let input = as_object(input, None)?;
        let request = LivePhotoUpload::read(input)?;
        let client_id = request.client_id;
        self.require_client(scope, &client_id).await?;
        let accepted = accept_upload(input, &clearance_media::Policy::photo()).await?;
        let perform_liveness_check = request.perform_liveness_check.unwrap_or(true);
        // Live keys: a photo a face check could not use is refused now, while the person is
        // still in front of the camera. Test keys keep the sandbox's anything-goes uploads.
        if let (Mode::Live, Some(inspector)) = (scope.mode, &self.face_inspector) {
            let _room = decode_room(&accepted).await;
            let verdict = inspector
                .inspect(accepted.bytes.clone(), perform_liveness_check)
                .await
                .map_err(|e| CoreError::internal(format!("face inspection: {}", e.0)))?;
            if let Some(refusal) = verdict {
                return Err(CoreError::Unprocessable {
                    code: refusal.code,
                    message: refusal.message,
                });
            }
        }
        let now = self.now_ms();
        let id = new_resource_id(now);
        let key = blob_key(scope, &client_id, &id, "photo");
        let size = accepted.bytes.len();
        // The live-photo object and its download spell the type `images/jpg`, as ComplyCube's
        // do (see docs/compatibility.md).
        let content_type = format!("images/{}", accepted.kind.extension());
        self.put_blob(&key, accepted.bytes).await?;
        let body = typed::encode(&LivePhoto {
            client_id: client_id.clone(),
            perform_liveness_check,
            download_link: Some(format!("/livePhotos/{id}/download")),
            content_type: Some(content_type),
            size: Some(size as u64),
            redacted: None,
        });
        match self
            .insert_with_id(
                scope,
                actor,
                ResourceKind::LivePhoto,
                &id,
                Some(client_id),
                body,
                now,
            )
            .await
        {
            Ok(photo) => Ok(photo),
            Err(e) => {
                self.remove_blob(&key).await;
                Err(e)
            }
        }
    }

    /// The live photo as `{fileName, contentType, data}`.
    pub async fn download_live_photo(&self, scope: &Scope, id: &str) -> Result<FileDownload> {
        let photo = self.get(scope, ResourceKind::LivePhoto, id).await?;
        if typed::decode::<LivePhoto>(&photo)?.redacted.is_some() {
            return Err(CoreError::Missing(format!(
                "Live photo '{id}' was redacted"
            )));
        }
        let bytes = self
            .read_blob(&blob_key(scope, owner(&photo), id, "photo"))
            .await?;
        let kind = clearance_media::sniff(&bytes).unwrap_or(clearance_media::MediaKind::Jpeg);
        Ok(FileDownload {
            file_name: format!("selfie_{}.{}", photo.created_at, kind.extension()),
            content_type: format!("images/{}", kind.extension()),
            data: STANDARD.encode(bytes),
        })
    }

    /// Deletes a live photo and its file.
    pub async fn delete_live_photo(&self, scope: &Scope, actor: &Actor, id: &str) -> Result<()> {
        self.delete_media(scope, actor, ResourceKind::LivePhoto, id)
            .await
    }

    /// Erases a live photo's file for good; the record stays as a tombstone.
    pub async fn redact_live_photo(&self, scope: &Scope, actor: &Actor, id: &str) -> Result<()> {
        self.redact_media(scope, actor, ResourceKind::LivePhoto, id, |body| {
            typed::change("live photo", body, |p: LivePhoto| Ok(p.redacted()))
        })
        .await
    }

    /// Creates a live video record with generated challenges, storing any captured frames.
    pub async fn create_live_video(
        &self,
        scope: &Scope,
        actor: &Actor,
        input: &Value,
    ) -> Result<Resource> {
        let input = as_object(input, None)?;
        let request = LiveVideoCreate::read(input)?;
        let client_id = request.client_id;
        self.require_client(scope, &client_id).await?;
        let frames = request.frames.unwrap_or_default();
        let mut accepted = Vec::with_capacity(frames.len());
        for frame in &frames {
            let mut one = Map::new();
            one.insert("data".into(), Value::String(frame.clone()));
            let file = accept_upload(&one, &clearance_media::Policy::photo())
                .await
                .map_err(|e| match e {
                    CoreError::Invalid { message, .. } => CoreError::invalid("frames", message),
                    other => other,
                })?;
            accepted.push(file.bytes);
        }
        let now = self.now_ms();
        let id = new_resource_id(now);
        for (n, bytes) in accepted.into_iter().enumerate() {
            self.put_blob(
                &blob_key(scope, &client_id, &id, &format!("frame-{n}")),
                bytes,
            )
            .await?;
        }
        let body = typed::encode(&LiveVideo {
            client_id: client_id.clone(),
            language: request.language.unwrap_or_default(),
            challenges: challenges(),
            frame_count: (!frames.is_empty()).then_some(frames.len() as u64),
            redacted: None,
        });
        let created = self
            .insert_with_id(
                scope,
                actor,
                ResourceKind::LiveVideo,
                &id,
                Some(client_id.clone()),
                body,
                now,
            )
            .await;
        if created.is_err() {
            self.remove_blobs(&resource_prefix(scope, &client_id, &id))
                .await;
        }
        created
    }

    /// Deletes a live video and its frames.
    pub async fn delete_live_video(&self, scope: &Scope, actor: &Actor, id: &str) -> Result<()> {
        self.delete_media(scope, actor, ResourceKind::LiveVideo, id)
            .await
    }

    /// Erases a live video's frames for good; the record stays as a tombstone.
    pub async fn redact_live_video(&self, scope: &Scope, actor: &Actor, id: &str) -> Result<()> {
        self.redact_media(scope, actor, ResourceKind::LiveVideo, id, |body| {
            typed::change("live video", body, |v: LiveVideo| Ok(v.redacted()))
        })
        .await
    }

    async fn delete_media(
        &self,
        scope: &Scope,
        actor: &Actor,
        kind: ResourceKind,
        id: &str,
    ) -> Result<()> {
        let media = self.get(scope, kind, id).await?;
        let field = match kind {
            ResourceKind::LivePhoto => "livePhotoId",
            _ => "liveVideoId",
        };
        self.ensure_unused_by_checks(scope, field, &media).await?;
        self.delete(scope, actor, kind, id, Vec::new()).await?;
        self.remove_blobs(&resource_prefix(scope, owner(&media), id))
            .await;
        Ok(())
    }

    async fn redact_media(
        &self,
        scope: &Scope,
        actor: &Actor,
        kind: ResourceKind,
        id: &str,
        redact: impl Fn(&Map<String, Value>) -> Result<Map<String, Value>>,
    ) -> Result<()> {
        let media = self.get(scope, kind, id).await?;
        // A redacted live photo no longer vouches for a face: its enrolments go with it.
        let enrolments = if kind == ResourceKind::LivePhoto {
            self.enrolments_of_photo(scope, owner(&media), id).await?
        } else {
            Vec::new()
        };
        self.update_with(scope, actor, kind, id, redact, |_, _, _| {
            enrolments
                .iter()
                .map(|e| Change::Delete {
                    scope: scope.clone(),
                    kind: ResourceKind::FaceEnrolment,
                    id: e.clone(),
                })
                .collect()
        })
        .await?;
        self.remove_blobs(&resource_prefix(scope, owner(&media), id))
            .await;
        Ok(())
    }

    /// The ids of the enrolments made from one live photo.
    async fn enrolments_of_photo(
        &self,
        scope: &Scope,
        client_id: &str,
        photo_id: &str,
    ) -> Result<Vec<String>> {
        let query = ListQuery {
            client_id: Some(client_id.to_string()),
            filters: vec![AttrFilter {
                path: vec!["livePhotoId".into()],
                value: photo_id.to_string(),
            }],
            ..ListQuery::newest(scope.clone(), ResourceKind::FaceEnrolment, 1000)
        };
        let page = self.store.list(&query).await?;
        Ok(page.items.into_iter().map(|r| r.id).collect())
    }

    pub(super) async fn put_blob(&self, key: &str, bytes: Vec<u8>) -> Result<()> {
        self.blobs.put(key, bytes).await.map_err(|e| {
            tracing::error!(error = %e, "storing an uploaded file failed");
            CoreError::internal(format!("blob store: {}", e.0))
        })
    }
}

/// A recital of four digits and one head movement, drawn at random.
fn challenges() -> Vec<Challenge> {
    let mut rng = rand::rng();
    let digits: Vec<String> = (0..4)
        .map(|_| rng.random_range(0..10).to_string())
        .collect();
    let action = ACTIONS[rng.random_range(0..ACTIONS.len())];
    vec![
        Challenge {
            kind: "voice".into(),
            value: digits,
        },
        Challenge {
            kind: "actions".into(),
            value: vec![action.to_string()],
        },
    ]
}
