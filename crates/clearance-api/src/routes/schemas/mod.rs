//! Wire schemas for the OpenAPI document. Handlers validate with the domain rules; these types
//! only describe the JSON, and schemathesis checks in CI that answers match them. Types the
//! domain owns come from `clearance-core` (a check, its result, autofill); the rest are being
//! moved there one resource at a time (issue #19).

use serde::Serialize;
use utoipa::ToSchema;

macro_rules! list_schema {
    ($name:ident, $item:ty) => {
        /// A page of items, newest first.
        #[derive(Serialize, ToSchema)]
        #[serde(rename_all = "camelCase")]
        pub struct $name {
            page: u64,
            page_size: u64,
            total_items: u64,
            /// 0 when there are no items.
            pages: u64,
            items: Vec<$item>,
        }
    };
}

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

/// The error body of every non-2xx answer.
#[derive(Serialize, ToSchema)]
#[schema(as = Error)]
pub struct ErrorBody {
    /// Machine-readable category, e.g. `invalid_request`, `resource_not_found`.
    #[serde(rename = "type")]
    kind: String,
    /// Human-readable explanation.
    message: String,
    /// The offending request field, on validation errors.
    #[serde(skip_serializing_if = "Option::is_none")]
    param: Option<String>,
}
