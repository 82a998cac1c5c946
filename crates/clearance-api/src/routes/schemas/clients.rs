//! Clients: the resource is `clearance_core::resources::client::Client`.

use clearance_core::resources::client;
use clearance_core::typed::Stored;
use serde::Serialize;
use utoipa::ToSchema;

/// A client as answered.
pub type Client = Stored<client::Client>;

list_schema!(ClientList, Client);

/// Body of `POST /v1/clients`.
pub type ClientCreate = crate::body::NewBody<client::Client>;

/// Body of `POST /v1/clients/{id}`.
pub type ClientUpdate = crate::body::PatchBody<client::Client>;
