//! Documents, live photos and live videos: the resources are
//! `clearance_core::resources::document` and `clearance_core::resources::media`.

use crate::routes::list::{ListPage, ListQuery};
use clearance_core::resources::{document, media};
use clearance_core::typed::Stored;
use serde::Serialize;
use utoipa::ToSchema;

use crate::body::{NewBody, PatchBody};

pub use document::{DocumentRedact, Image};
pub use media::{FileDownload, ImageUpload, LivePhotoUpload, LiveVideoCreate};

/// A document as answered.
pub type Document = Stored<document::Document>;

/// Body of `POST /v1/documents`.
pub type DocumentCreate = NewBody<document::Document>;

/// Body of `POST /v1/documents/{id}`.
pub type DocumentUpdate = PatchBody<document::Document>;

/// A live photo as answered.
pub type LivePhoto = Stored<media::LivePhoto>;

/// A live video as answered.
pub type LiveVideo = Stored<media::LiveVideo>;

/// An empty object, answered by redaction endpoints.
#[derive(Serialize, ToSchema)]
pub struct Empty {}

/// A page of documents.
pub type DocumentList = ListPage<Document>;
/// A page of live photos.
pub type LivePhotoList = ListPage<LivePhoto>;
/// A page of live videos.
pub type LiveVideoList = ListPage<LiveVideo>;

/// The query of `GET /v1/documents` (`clientId` required).
pub type DocumentQuery = ListQuery<document::Document, true>;
/// The query of `GET /v1/livePhotos` (`clientId` required).
pub type LivePhotoQuery = ListQuery<media::LivePhoto, true>;
/// The query of `GET /v1/liveVideos` (`clientId` required).
pub type LiveVideoQuery = ListQuery<media::LiveVideo, true>;
