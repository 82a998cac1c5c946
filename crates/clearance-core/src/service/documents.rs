//! Documents and their front/back images: records, uploads, downloads, deletion and redaction.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value};

use super::Services;
use super::uploads::{accept_upload, decode_room};
use crate::audit::Actor;
use crate::blobs::{blob_key, resource_prefix};
use crate::error::{CoreError, Result};
use crate::fields::as_object;
use crate::ids::new_resource_id;
use crate::resources::document::{self, Document, Image};
use crate::resources::media::FileDownload;
use crate::scope::{Mode, Scope};
use crate::store::{Change, Resource, ResourceKind};
use crate::time::format_timestamp;
use crate::typed;

const KIND: ResourceKind = ResourceKind::Document;

/// The image-specific event that accompanies `document.updated`.
fn image_event(doc: &Resource, event_type: &str, now: i64) -> Vec<Change> {
    vec![Change::Event(crate::events::resource_event(
        doc, event_type, now,
    ))]
}

fn owner(doc: &Resource) -> &str {
    doc.client_id.as_deref().unwrap_or_default()
}

/// Applies a change to a stored document's typed body.
fn on_document(
    body: &Map<String, Value>,
    change: impl FnOnce(Document) -> Result<Document>,
) -> Result<Map<String, Value>> {
    typed::change(KIND.label(), body, change)
}

impl Services {
    /// Creates a document record (no image yet) for a client of the same scope.
    pub async fn create_document(
        &self,
        scope: &Scope,
        actor: &Actor,
        input: &Value,
    ) -> Result<Resource> {
        let input = as_object(input, None)?;
        let client_id = document::client_id(input)?;
        self.require_client(scope, &client_id).await?;
        let document = document::validate_create(input)?;
        let now = self.now_ms();
        self.insert(
            scope,
            actor,
            KIND,
            Some(client_id),
            typed::encode(&document),
            now,
        )
        .await
    }

    /// Updates type, classification, number, issuing country or state.
    pub async fn update_document(
        &self,
        scope: &Scope,
        actor: &Actor,
        id: &str,
        patch: &Value,
    ) -> Result<Resource> {
        let patch = as_object(patch, None)?;
        let (_, after) = self
            .update(scope, actor, KIND, id, move |existing| {
                on_document(existing, |d| document::validate_update(&d, patch))
            })
            .await?;
        Ok(after)
    }

    /// Deletes a document and its images.
    pub async fn delete_document(&self, scope: &Scope, actor: &Actor, id: &str) -> Result<()> {
        let doc = self.get(scope, KIND, id).await?;
        self.ensure_unused_by_checks(scope, "documentId", &doc)
            .await?;
        self.delete(scope, actor, KIND, id, Vec::new()).await?;
        self.remove_blobs(&resource_prefix(scope, owner(&doc), id))
            .await;
        Ok(())
    }

    /// Stores the image of one side (replacing an earlier one) and returns the image object.
    pub async fn upload_document_image(
        &self,
        scope: &Scope,
        actor: &Actor,
        id: &str,
        side: &str,
        input: &Value,
    ) -> Result<Image> {
        let doc = self.get(scope, KIND, id).await?;
        let side = document::check_side(side)?;
        self.ensure_evidence_unchanged(scope, &doc).await?;
        let input = as_object(input, None)?;
        let file_name = document::check_file_name(input)?;
        let accepted = accept_upload(input, &clearance_media::Policy::document()).await?;
        // Live keys: an image the document check could not read is refused now, while the
        // person can take another. Test keys keep the sandbox's anything-goes uploads.
        if let (Mode::Live, Some(inspector)) = (scope.mode, &self.document_inspector)
            && accepted.kind != clearance_media::MediaKind::Pdf
        {
            let record: Document = typed::decode(&doc)?;
            let _room = decode_room(&accepted).await;
            let verdict = inspector
                .inspect(accepted.bytes.clone(), record.kind.as_str())
                .await
                .map_err(|e| CoreError::internal(format!("document inspection: {}", e.0)))?;
            if let Some(refusal) = verdict {
                return Err(CoreError::Unprocessable {
                    code: refusal.code,
                    message: refusal.message,
                });
            }
        }
        let now = self.now_ms();
        let image_id = new_resource_id(now);
        let image = Image {
            download_link: Some(format!("/documents/{id}/images/{image_id}/download")),
            id: image_id.clone(),
            file_name: Some(file_name),
            document_side: side,
            content_type: Some(accepted.kind.content_type().to_string()),
            size: Some(accepted.bytes.len() as u64),
            redacted: None,
            editing_software: accepted.editing_software,
            created_at: format_timestamp(now),
            updated_at: format_timestamp(now),
        };
        let key = blob_key(scope, owner(&doc), id, &image_id);
        self.put_blob(&key, accepted.bytes).await?;
        let replaced = self
            .update_with(
                scope,
                actor,
                KIND,
                id,
                |body| {
                    on_document(body, |mut d| {
                        let mut list: Vec<Image> = d
                            .images
                            .drain(..)
                            .filter(|i| i.document_side != side)
                            .collect();
                        list.push(image.clone());
                        d.set_images(list);
                        Ok(d)
                    })
                },
                |_, after, now| image_event(after, "document.updated.image_uploaded", now),
            )
            .await;
        match replaced {
            Ok((before, _)) => {
                self.forget_images(scope, &before, |i| i.document_side == side)
                    .await;
                Ok(image)
            }
            Err(e) => {
                self.remove_blob(&key).await;
                Err(e)
            }
        }
    }

    /// The image of one side as `{fileName, contentType, data}` (base64).
    pub async fn download_document_image(
        &self,
        scope: &Scope,
        id: &str,
        side: &str,
    ) -> Result<FileDownload> {
        let stored = self.get(scope, KIND, id).await?;
        let doc: Document = typed::decode(&stored)?;
        // The hosted service answers a side it does not know with the front image (its PHP
        // SDK's own suite asserts it); uploads and deletes stay strict.
        let side = document::Side::parse(side).unwrap_or(document::Side::Front);
        let image = doc.image(side).ok_or_else(|| {
            CoreError::Missing(format!(
                "Document '{id}' has no {side} image",
                side = side.as_str()
            ))
        })?;
        if image.redacted.is_some() {
            return Err(CoreError::Missing(format!(
                "The {} image of document '{id}' was redacted",
                side.as_str()
            )));
        }
        let key = blob_key(scope, owner(&stored), id, &image.id);
        let bytes = self.read_blob(&key).await?;
        Ok(FileDownload {
            file_name: image.file_name.clone().unwrap_or_default(),
            content_type: image.content_type.clone().unwrap_or_default(),
            data: STANDARD.encode(bytes),
        })
    }

    /// The image an image object's `downloadLink` names, as `{fileName, contentType, data}`.
    pub async fn download_document_image_by_id(
        &self,
        scope: &Scope,
        id: &str,
        image_id: &str,
    ) -> Result<FileDownload> {
        let doc: Document = typed::decode(&self.get(scope, KIND, id).await?)?;
        let side = doc
            .images
            .iter()
            .find(|i| i.id == image_id)
            .map(|i| i.document_side)
            .ok_or_else(|| CoreError::not_found("image", image_id))?;
        self.download_document_image(scope, id, side.as_str()).await
    }

    /// Removes the image of one side.
    pub async fn delete_document_image(
        &self,
        scope: &Scope,
        actor: &Actor,
        id: &str,
        side: &str,
    ) -> Result<()> {
        let stored = self.get(scope, KIND, id).await?;
        let doc: Document = typed::decode(&stored)?;
        let side = document::check_side(side)?;
        self.ensure_evidence_unchanged(scope, &stored).await?;
        if doc.image(side).is_none() {
            return Err(CoreError::Missing(format!(
                "Document '{id}' has no {} image",
                side.as_str()
            )));
        }
        let (before, _) = self
            .update_with(
                scope,
                actor,
                KIND,
                id,
                |body| {
                    on_document(body, |mut d| {
                        d.images.retain(|i| i.document_side != side);
                        Ok(d)
                    })
                },
                |_, after, now| image_event(after, "document.updated.image_deleted", now),
            )
            .await?;
        self.forget_images(scope, &before, |i| i.document_side == side)
            .await;
        Ok(())
    }

    /// Erases the document's image files for good, leaving tombstones that say so.
    pub async fn redact_document(
        &self,
        scope: &Scope,
        actor: &Actor,
        id: &str,
        input: &Value,
    ) -> Result<()> {
        self.get(scope, KIND, id).await?;
        // Images are all a document redaction can erase.
        document::DocumentRedact::read(input)?;
        let now = format_timestamp(self.now_ms());
        let (before, _) = self
            .update(scope, actor, KIND, id, |body| {
                on_document(body, |mut d| {
                    let tombstones = d
                        .images
                        .iter()
                        .map(|i| Image {
                            id: i.id.clone(),
                            file_name: None,
                            document_side: i.document_side,
                            download_link: None,
                            content_type: None,
                            size: None,
                            redacted: Some(true),
                            editing_software: None,
                            created_at: i.created_at.clone(),
                            updated_at: now.clone(),
                        })
                        .collect();
                    d.set_images(tombstones);
                    Ok(d)
                })
            })
            .await?;
        self.forget_images(scope, &before, |_| true).await;
        Ok(())
    }

    /// Deletes the files of the images of a stored document that match.
    async fn forget_images(&self, scope: &Scope, doc: &Resource, matches: impl Fn(&Image) -> bool) {
        let Ok(document) = typed::decode::<Document>(doc) else {
            return;
        };
        for image in document.images.iter().filter(|i| matches(i)) {
            self.remove_blob(&blob_key(scope, owner(doc), &doc.id, &image.id))
                .await;
        }
    }

    /// Reads a stored file; a missing object means the record outlived its file.
    pub(super) async fn read_blob(&self, key: &str) -> Result<Vec<u8>> {
        match self.blobs.get(key).await {
            Ok(Some(bytes)) => Ok(bytes),
            Ok(None) => Err(CoreError::Missing(
                "The stored file is no longer available".into(),
            )),
            Err(e) => {
                tracing::error!(error = %e, "reading a stored file failed");
                Err(CoreError::internal(format!("blob store: {}", e.0)))
            }
        }
    }
}
