//! The names the OpenAPI document gives the wire shapes: aliases of `clearance-core`'s types
//! (a resource as answered is `Stored<T>`, its create and update bodies `NewBody<T>` and
//! `PatchBody<T>`, a list `ListPage<T>` with its query `ListQuery<T>`). Nothing here restates a
//! field; schemathesis checks in CI that answers match the document.

mod account;
mod addresses;
mod checks;
mod clients;
mod custom_lists;
mod documents;
mod flow;
mod static_data;
mod tokens;
mod webhooks;
mod workflows;

pub use account::*;
pub use addresses::*;
pub use checks::*;
pub use clients::*;
pub use custom_lists::*;
pub use documents::*;
pub use flow::*;
pub use static_data::*;
pub use tokens::*;
pub use webhooks::*;
pub use workflows::*;
