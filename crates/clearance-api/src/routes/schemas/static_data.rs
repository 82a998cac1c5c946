//! Static data.

use std::collections::HashMap;

use serde::Serialize;
use utoipa::ToSchema;

/// Sides to capture for one document type and country.
#[derive(Serialize, ToSchema)]
pub struct Sides {
    sides: u8,
}

/// Check type → document type → ISO 3166-1 alpha-2 country → sides.
#[derive(Serialize, ToSchema)]
pub struct SupportedDocuments(HashMap<String, HashMap<String, HashMap<String, Sides>>>);
