//! Deep merge of partial updates: nested objects merge key by key, `null` removes a key, and any
//! other value replaces what was there (RFC 7396 semantics, as ComplyCube's updates behave).

use serde_json::Value;

/// Merges `patch` into `target` in place.
pub fn deep_merge(target: &mut Value, patch: &Value) {
    let Value::Object(patch_map) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(serde_json::Map::new());
    }
    if let Value::Object(target_map) = target {
        for (key, value) in patch_map {
            if value.is_null() {
                target_map.remove(key);
            } else if value.is_object() {
                deep_merge(target_map.entry(key.clone()).or_insert(Value::Null), value);
            } else {
                target_map.insert(key.clone(), value.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nested_objects_merge_and_null_removes() {
        let mut doc = json!({"email": "a@b.c", "companyDetails": {"name": "N", "website": "w"}});
        deep_merge(
            &mut doc,
            &json!({"companyDetails": {"website": "x", "registrationNumber": null}, "mobile": "1"}),
        );
        assert_eq!(
            doc,
            json!({"email": "a@b.c", "companyDetails": {"name": "N", "website": "x"}, "mobile": "1"})
        );
        deep_merge(&mut doc, &json!({"companyDetails": {"website": null}}));
        assert_eq!(doc["companyDetails"], json!({"name": "N"}));
    }
}
