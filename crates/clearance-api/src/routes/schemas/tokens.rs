//! SDK tokens: the request and the answer are the token service's own
//! `clearance_core::service::{TokenCreate, Token}`.

pub use clearance_core::service::{Token, TokenCreate};
