//! Static data the API serves: the supported documents, generated from the same table the
//! document checks use to decide which sides they need.

use clearance_idv::documents::{DocumentType, supported_documents as table};
use serde_json::{Map, Value, json};

/// The document resource's name for an identity-document type.
fn resource_type(t: DocumentType) -> &'static str {
    match t {
        DocumentType::NationalId => "national_identity_card",
        other => other.as_str(),
    }
}

/// `GET /v1/static/supportedDocuments`: check type → document type → ISO country →
/// `{sides}`. Every check that reads an identity document shares the one table.
pub fn supported_documents() -> Value {
    let mut by_type: Map<String, Value> = Map::new();
    for row in table() {
        let countries = by_type
            .entry(resource_type(row.document_type))
            .or_insert_with(|| Value::Object(Map::new()));
        if let Some(countries) = countries.as_object_mut() {
            countries.insert(row.country.to_string(), json!({"sides": row.sides}));
        }
    }
    let by_type = Value::Object(by_type);
    json!({
        "document_check": by_type,
        "identity_check": by_type,
        "enhanced_identity_check": by_type,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reference_sides() {
        let docs = supported_documents();
        let table = &docs["document_check"];
        assert_eq!(table["passport"]["GB"]["sides"], 1);
        assert_eq!(table["driving_license"]["FR"]["sides"], 2);
        assert_eq!(table["national_identity_card"]["DE"]["sides"], 2);
        assert_eq!(table["national_identity_card"]["MY"]["sides"], 1);
        assert_eq!(table["visa"]["US"]["sides"], 1);
        assert_eq!(docs["identity_check"], docs["document_check"]);
    }
}
