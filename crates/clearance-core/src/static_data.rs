//! Static data the API serves: the supported documents, generated from the same table the
//! document checks use to decide which sides they need.

use clearance_idv::documents::{DocumentType, supported_documents as table};
use indexmap::IndexMap;
use serde::Serialize;

/// Sides to capture for one document type and country.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Sides {
    pub sides: u8,
}

/// Check type → document type → ISO 3166-1 alpha-2 country → sides.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SupportedDocuments(IndexMap<String, IndexMap<String, IndexMap<String, Sides>>>);

impl SupportedDocuments {
    /// Country → sides for one check type and document type (empty when not supported).
    pub fn countries(&self, check: &str, document_type: &str) -> Vec<(&str, u8)> {
        self.0
            .get(check)
            .and_then(|types| types.get(document_type))
            .map(|c| c.iter().map(|(k, v)| (k.as_str(), v.sides)).collect())
            .unwrap_or_default()
    }
}

/// The document resource's name for an identity-document type.
fn resource_type(t: DocumentType) -> &'static str {
    match t {
        DocumentType::NationalId => "national_identity_card",
        other => other.as_str(),
    }
}

/// `GET /v1/static/supportedDocuments`: check type → document type → ISO country →
/// `{sides}`. Every check that reads an identity document shares the one table.
pub fn supported_documents() -> SupportedDocuments {
    let mut by_type: IndexMap<String, IndexMap<String, Sides>> = IndexMap::new();
    for row in table() {
        by_type
            .entry(resource_type(row.document_type).to_string())
            .or_default()
            .insert(row.country.to_string(), Sides { sides: row.sides });
    }
    SupportedDocuments(
        [
            "document_check",
            "identity_check",
            "enhanced_identity_check",
        ]
        .into_iter()
        .map(|check| (check.to_string(), by_type.clone()))
        .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reference_sides() {
        let docs = serde_json::to_value(supported_documents()).unwrap();
        let table = &docs["document_check"];
        assert_eq!(table["passport"]["GB"]["sides"], 1);
        assert_eq!(table["driving_license"]["FR"]["sides"], 2);
        assert_eq!(table["national_identity_card"]["DE"]["sides"], 2);
        assert_eq!(table["national_identity_card"]["MY"]["sides"], 1);
        assert_eq!(table["visa"]["US"]["sides"], 1);
        assert_eq!(docs["identity_check"], docs["document_check"]);
    }
}
