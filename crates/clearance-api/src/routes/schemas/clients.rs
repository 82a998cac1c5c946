//! Clients: the resource is `clearance_core::resources::client::Client`.

use crate::routes::list::{ListPage, ListQuery};
use clearance_core::resources::client;
use clearance_core::typed::Stored;

/// A client as answered.
pub type Client = Stored<client::Client>;

/// A page of clients.
pub type ClientList = ListPage<Client>;

/// The query of `GET /v1/clients`: filters on the client's attributes.
pub type ClientQuery = ListQuery<client::Client>;

/// Body of `POST /v1/clients`.
pub type ClientCreate = crate::body::NewBody<client::Client>;

/// Body of `POST /v1/clients/{id}`.
pub type ClientUpdate = crate::body::PatchBody<client::Client>;
