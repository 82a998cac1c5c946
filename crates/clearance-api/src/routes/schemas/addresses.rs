//! Addresses: the resource is `clearance_core::resources::address::Address`.

use crate::routes::list::{ListPage, ListQuery};
use clearance_core::resources::address;
use clearance_core::typed::Stored;

use crate::body::{NewBody, PatchBody};

/// An address as answered.
pub type Address = Stored<address::Address>;

/// Body of `POST /v1/addresses`.
pub type AddressCreate = NewBody<address::Address>;

/// Body of `POST /v1/addresses/{id}`.
pub type AddressUpdate = PatchBody<address::Address>;

/// A page of addresses.
pub type AddressList = ListPage<Address>;

/// The query of `GET /v1/addresses` (`clientId` required).
pub type AddressQuery = ListQuery<address::Address, true>;
