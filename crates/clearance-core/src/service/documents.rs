//! Documents and their front/back images: records, uploads, downloads, deletion and redaction.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value, json};

use super::{Services, accept_upload};
use crate::audit::Actor;
use crate::blobs::{blob_key, resource_prefix};
use crate::error::{CoreError, Result};
use crate::fields::as_object;
use crate::ids::new_resource_id;
use crate::resources::document;
use crate::scope::Scope;
use crate::store::{Change, Resource, ResourceKind};
use crate::time::format_timestamp;

const KIND: ResourceKind = ResourceKind::Document;

fn images(body: &Map<String, Value>) -> Vec<Value> {
    body.get("images")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

fn with_images(body: &Map<String, Value>, mut list: Vec<Value>) -> Map<String, Value> {
    let mut body = body.clone();
    list.sort_by_key(|i| i["documentSide"] != "front");
    if list.is_empty() {
        body.remove("images");
    } else {
        body.insert("images".into(), Value::Array(list));
    }
    body
}

fn side_of(image: &Value) -> &str {
    image["documentSide"].as_str().unwrap_or_default()
}

/// The image-specific event that accompanies `document.updated`.
fn image_event(doc: &Resource, event_type: &str, now: i64) -> Vec<Change> {
    vec![Change::Event(crate::events::resource_event(
        doc, event_type, now,
    ))]
}

fn owner(doc: &Resource) -> &str {
    doc.client_id.as_deref().unwrap_or_default()
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
        let body = document::validate_create(input)?;
        let now = self.now_ms();
        self.insert(scope, actor, KIND, Some(client_id), body, now)
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
                document::validate_update(existing, patch)
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
    ) -> Result<Value> {
        let doc = self.get(scope, KIND, id).await?;
        let side = document::check_side(side)?;
        let input = as_object(input, None)?;
        let file_name = document::check_file_name(input)?;
        let accepted = accept_upload(input, &clearance_media::Policy::document()).await?;
        let now = self.now_ms();
        let image_id = new_resource_id(now);
        let image = json!({
            "id": image_id,
            "fileName": file_name,
            "documentSide": side,
            "downloadLink": format!("/documents/{id}/images/{image_id}/download"),
            "contentType": accepted.kind.content_type(),
            "size": accepted.bytes.len(),
            "createdAt": format_timestamp(now),
            "updatedAt": format_timestamp(now),
        });
        let key = blob_key(scope, owner(&doc), id, &image_id);
        self.put_blob(&key, accepted.bytes).await?;
        let replaced = self
            .update_with(
                scope,
                actor,
                KIND,
                id,
                |body| {
                    let mut list: Vec<Value> = images(body)
                        .into_iter()
                        .filter(|i| side_of(i) != side)
                        .collect();
                    list.push(image.clone());
                    Ok(with_images(body, list))
                },
                |_, after, now| image_event(after, "document.updated.image_uploaded", now),
            )
            .await;
        match replaced {
            Ok((before, _)) => {
                self.forget_images(scope, &doc, &images(&before.body), |i| side_of(i) == side)
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
    ) -> Result<Value> {
        let doc = self.get(scope, KIND, id).await?;
        let side = document::check_side(side)?;
        let image = images(&doc.body)
            .into_iter()
            .find(|i| side_of(i) == side)
            .ok_or_else(|| CoreError::Missing(format!("Document '{id}' has no {side} image")))?;
        if image.get("redacted").is_some() {
            return Err(CoreError::Missing(format!(
                "The {side} image of document '{id}' was redacted"
            )));
        }
        let key = blob_key(
            scope,
            owner(&doc),
            id,
            image["id"].as_str().unwrap_or_default(),
        );
        let bytes = self.read_blob(&key).await?;
        Ok(json!({
            "fileName": image["fileName"],
            "contentType": image["contentType"],
            "data": STANDARD.encode(bytes),
        }))
    }

    /// The image an image object's `downloadLink` names, as `{fileName, contentType, data}`.
    pub async fn download_document_image_by_id(
        &self,
        scope: &Scope,
        id: &str,
        image_id: &str,
    ) -> Result<Value> {
        let doc = self.get(scope, KIND, id).await?;
        let side = images(&doc.body)
            .iter()
            .find(|i| i["id"] == image_id)
            .map(|i| side_of(i).to_string())
            .ok_or_else(|| CoreError::not_found("image", image_id))?;
        self.download_document_image(scope, id, &side).await
    }

    /// Removes the image of one side.
    pub async fn delete_document_image(
        &self,
        scope: &Scope,
        actor: &Actor,
        id: &str,
        side: &str,
    ) -> Result<()> {
        let doc = self.get(scope, KIND, id).await?;
        let side = document::check_side(side)?;
        if !images(&doc.body).iter().any(|i| side_of(i) == side) {
            return Err(CoreError::Missing(format!(
                "Document '{id}' has no {side} image"
            )));
        }
        let (before, _) = self
            .update_with(
                scope,
                actor,
                KIND,
                id,
                |body| {
                    Ok(with_images(
                        body,
                        images(body)
                            .into_iter()
                            .filter(|i| side_of(i) != side)
                            .collect(),
                    ))
                },
                |_, after, now| image_event(after, "document.updated.image_deleted", now),
            )
            .await?;
        self.forget_images(scope, &doc, &images(&before.body), |i| side_of(i) == side)
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
        let doc = self.get(scope, KIND, id).await?;
        if let Some(attributes) = input.get("attributes") {
            let valid = attributes
                .as_array()
                .is_some_and(|a| !a.is_empty() && a.iter().all(|v| v == "images"));
            if !valid {
                return Err(CoreError::invalid(
                    "attributes",
                    "'attributes' must be [\"images\"]",
                ));
            }
        }
        let now = format_timestamp(self.now_ms());
        let (before, _) = self
            .update(scope, actor, KIND, id, |body| {
                let tombstones = images(body)
                    .iter()
                    .map(|i| {
                        json!({"id": i["id"], "documentSide": i["documentSide"], "redacted": true,
                        "createdAt": i["createdAt"], "updatedAt": now})
                    })
                    .collect();
                Ok(with_images(body, tombstones))
            })
            .await?;
        self.forget_images(scope, &doc, &images(&before.body), |_| true)
            .await;
        Ok(())
    }

    /// Deletes the files of the images that match.
    async fn forget_images(
        &self,
        scope: &Scope,
        doc: &Resource,
        list: &[Value],
        matches: impl Fn(&Value) -> bool,
    ) {
        for image in list.iter().filter(|i| matches(i)) {
            if let Some(image_id) = image["id"].as_str() {
                self.remove_blob(&blob_key(scope, owner(doc), &doc.id, image_id))
                    .await;
            }
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
