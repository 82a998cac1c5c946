//! `GET /v1/reports`: a PDF snapshot of a client or a check, gathered here and laid out by the
//! installed [`ReportRenderer`].

use std::sync::Arc;

use super::Services;
use crate::audit::AuditLog;
use crate::blobs::blob_key;
use crate::checks::Check;
use crate::error::{CoreError, Result};
use crate::report::{
    self, AuditItem, CheckSnapshot, ClientSnapshot, DocumentItem, Item, Picture, Report,
    ReportFile, ReportRenderer, SessionSnapshot, Stamp,
};
use crate::resources::document::Document;
use crate::resources::media::LivePhoto;
use crate::resources::workflow_session::WorkflowSession;
use crate::scope::Scope;
use crate::store::{AttrFilter, ListQuery, Resource, ResourceKind};
use crate::typed;

/// Resources of one kind a client report lists at most (oldest first).
const MAX_LISTED: u64 = 100;
/// Audit entries a report shows at most (the most recent).
const MAX_AUDIT: u64 = 500;
/// Pictures a client report shows at most: a report is evidence, not an image archive.
const MAX_PICTURES: usize = 12;

/// A generated report.
#[derive(Clone, Debug, PartialEq)]
pub struct ReportPdf {
    pub bytes: Vec<u8>,
}

impl ReportPdf {
    /// As the API answers it: `{contentType: "application/pdf", data: <base64>}`.
    pub fn into_file(self) -> ReportFile {
        use base64::Engine;
        ReportFile {
            content_type: "application/pdf".into(),
            data: base64::engine::general_purpose::STANDARD.encode(self.bytes),
        }
    }
}

fn item<T: serde::de::DeserializeOwned>(r: &Resource) -> Result<Item<T>> {
    Ok(Item {
        id: r.id.clone(),
        created_ms: r.created_at,
        updated_ms: r.updated_at,
        body: typed::decode(r)?,
    })
}

impl Services {
    /// Installs the renderer reports are laid out with.
    pub fn with_report_renderer(mut self, renderer: Arc<dyn ReportRenderer>) -> Self {
        self.report_renderer = Some(renderer);
        self
    }

    /// A PDF report of a client: details, addresses, documents with small renders of their
    /// images, live photos, checks with their breakdowns, and the audit trail.
    pub async fn client_report(&self, scope: &Scope, client_id: &str) -> Result<ReportPdf> {
        let client = self.get(scope, ResourceKind::Client, client_id).await?;
        let owned = |kind| ListQuery {
            client_id: Some(client_id.to_string()),
            oldest_first: true,
            ..ListQuery::newest(scope.clone(), kind, MAX_LISTED)
        };
        let addresses = self.store.list(&owned(ResourceKind::Address)).await?;
        let documents = self.store.list(&owned(ResourceKind::Document)).await?;
        let photos = self.store.list(&owned(ResourceKind::LivePhoto)).await?;
        let checks = self.store.list(&owned(ResourceKind::Check)).await?;
        let audit = self
            .store
            .list(&ListQuery {
                client_id: Some(client_id.to_string()),
                ..ListQuery::newest(scope.clone(), ResourceKind::AuditLog, MAX_AUDIT)
            })
            .await?;

        let mut budget = MAX_PICTURES;
        let mut document_items = Vec::new();
        for d in &documents.items {
            document_items.push(self.document_item(scope, d, &mut budget).await?);
        }
        let mut live_photos = Vec::new();
        for p in &photos.items {
            let picture = if budget > 0 {
                self.live_photo_picture(scope, p).await
            } else {
                None
            };
            budget -= usize::from(picture.is_some());
            live_photos.push((
                Item {
                    id: p.id.clone(),
                    created_ms: p.created_at,
                    updated_ms: p.updated_at,
                    body: (),
                },
                picture,
            ));
        }
        let snapshot = ClientSnapshot {
            stamp: self.stamp(scope).await?,
            client: item(&client)?,
            addresses: addresses.items.iter().map(item).collect::<Result<_>>()?,
            documents: document_items,
            live_photos,
            checks: checks.items.iter().map(item).collect::<Result<_>>()?,
            // A profile that cannot be worked out leaves its section out, not the report.
            risk: self.risk_profile(scope, client_id).await.ok(),
            audit_truncated: audit.total > audit.items.len() as u64,
            audit: oldest_first(&audit.items)?,
        };
        self.render(report::client_report(&snapshot)).await
    }

    /// A PDF report of one check: the check with its full breakdown, its client, the document
    /// or live photo it examined, and its audit trail. A pending check gets a report saying so.
    pub async fn check_report(&self, scope: &Scope, check_id: &str) -> Result<ReportPdf> {
        let stored = self.get(scope, ResourceKind::Check, check_id).await?;
        let check: Item<Check> = item(&stored)?;
        let client = self
            .get(scope, ResourceKind::Client, &check.body.client_id)
            .await?;
        let mut budget = MAX_PICTURES;
        let document = match &check.body.document_id {
            Some(id) => match self.store.get(scope, ResourceKind::Document, id).await? {
                Some(d) => Some(self.document_item(scope, &d, &mut budget).await?),
                None => None,
            },
            None => None,
        };
        let live_photo = match &check.body.live_photo_id {
            Some(id) => match self.store.get(scope, ResourceKind::LivePhoto, id).await? {
                Some(p) => self.live_photo_picture(scope, &p).await,
                None => None,
            },
            None => None,
        };
        let audit = self
            .store
            .list(&ListQuery {
                filters: vec![AttrFilter {
                    path: vec!["resourceId".into()],
                    value: check_id.to_string(),
                }],
                ..ListQuery::newest(scope.clone(), ResourceKind::AuditLog, MAX_AUDIT)
            })
            .await?;
        let snapshot = CheckSnapshot {
            stamp: self.stamp(scope).await?,
            client: item(&client)?,
            check,
            document,
            live_photo,
            audit: oldest_first(&audit.items)?,
        };
        self.render(report::check_report(&snapshot)).await
    }

    /// A PDF report of a workflow session: its template version, status, outcome and policies,
    /// its tasks, its checks with their breakdowns, its client and its audit trail.
    pub async fn workflow_session_report(&self, scope: &Scope, id: &str) -> Result<ReportPdf> {
        let stored = self.workflow_session(scope, id).await?;
        let session: Item<WorkflowSession> = item(&stored)?;
        let client = self
            .get(scope, ResourceKind::Client, &session.body.client_id)
            .await?;
        let mut checks = Vec::new();
        for related in &session.body.all_related_checks {
            if let Some(c) = self
                .store
                .get(scope, ResourceKind::Check, &related.check_id)
                .await?
            {
                checks.push(item(&c)?);
            }
        }
        let audit = self
            .store
            .list(&ListQuery {
                filters: vec![AttrFilter {
                    path: vec!["resourceId".into()],
                    value: id.to_string(),
                }],
                ..ListQuery::newest(scope.clone(), ResourceKind::AuditLog, MAX_AUDIT)
            })
            .await?;
        let snapshot = SessionSnapshot {
            stamp: self.stamp(scope).await?,
            client: item(&client)?,
            session,
            checks,
            audit: oldest_first(&audit.items)?,
        };
        self.render(report::workflow_session_report(&snapshot))
            .await
    }

    async fn stamp(&self, scope: &Scope) -> Result<Stamp> {
        let account = self.store.get_account(&scope.account_id).await?;
        Ok(Stamp {
            account_id: scope.account_id.clone(),
            account_name: account.map(|a| a.name),
            mode: scope.mode,
            generated_ms: self.now_ms(),
        })
    }

    /// A document with the pictures of its sides, while the budget lasts. A side whose file
    /// cannot be read is listed without its picture rather than failing the report.
    async fn document_item(
        &self,
        scope: &Scope,
        stored: &Resource,
        budget: &mut usize,
    ) -> Result<DocumentItem> {
        let document: Item<Document> = item(stored)?;
        let mut pictures = Vec::new();
        for image in &document.body.images {
            if *budget == 0 || image.redacted == Some(true) {
                continue;
            }
            let owner = stored.client_id.as_deref().unwrap_or_default();
            let key = blob_key(scope, owner, &stored.id, &image.id);
            if let Ok(bytes) = self.read_blob(&key).await {
                *budget -= 1;
                pictures.push(Picture {
                    caption: format!(
                        "{} · {}",
                        document.body.kind.as_str(),
                        image.document_side.as_str()
                    ),
                    bytes,
                });
            }
        }
        Ok(DocumentItem { document, pictures })
    }

    async fn live_photo_picture(&self, scope: &Scope, stored: &Resource) -> Option<Picture> {
        let photo: LivePhoto = typed::decode(stored).ok()?;
        if photo.redacted.is_some() {
            return None;
        }
        let owner = stored.client_id.as_deref().unwrap_or_default();
        let bytes = self
            .read_blob(&blob_key(scope, owner, &stored.id, "photo"))
            .await
            .ok()?;
        Some(Picture {
            caption: format!("live photo {}", stored.id),
            bytes,
        })
    }

    /// Lays the report out on a blocking thread (a PDF with pictures takes milliseconds of
    /// CPU, which an async worker must not spend).
    async fn render(&self, report: Report) -> Result<ReportPdf> {
        let renderer = self
            .report_renderer
            .clone()
            .ok_or_else(|| CoreError::Unavailable("PDF reports are not installed".into()))?;
        let bytes = tokio::task::spawn_blocking(move || renderer.render(&report))
            .await
            .map_err(|e| CoreError::internal(format!("report rendering stopped: {e}")))?
            .map_err(|e| CoreError::internal(format!("report rendering failed: {e}")))?;
        Ok(ReportPdf { bytes })
    }
}

/// Audit entries read newest first, as a trail reads: oldest first.
fn oldest_first(entries: &[Resource]) -> Result<Vec<AuditItem>> {
    let mut items = entries
        .iter()
        .map(item::<AuditLog>)
        .collect::<Result<Vec<_>>>()?;
    items.reverse();
    Ok(items)
}
