//! Addresses: the resource is `clearance_core::resources::address::Address`.

use clearance_core::resources::address;
use clearance_core::typed::Stored;
use serde::Serialize;
use utoipa::ToSchema;

use crate::body::{NewBody, PatchBody};

/// An address as answered.
pub type Address = Stored<address::Address>;

/// Body of `POST /v1/addresses`.
pub type AddressCreate = NewBody<address::Address>;

/// Body of `POST /v1/addresses/{id}`.
pub type AddressUpdate = PatchBody<address::Address>;

list_schema!(AddressList, Address);
