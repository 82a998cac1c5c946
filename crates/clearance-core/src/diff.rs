//! The audit-log `diff`: what changed between two versions of a resource, as a list of
//! `{action, path, old, new}` entries with `action` one of `new`, `delete`, `update`, `add`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// One change inside an audit entry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DiffEntry {
    /// `new`, `delete`, `update` or `add`.
    pub action: String,
    /// Keys and array indices from the resource root.
    pub path: Vec<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new: Option<Value>,
    /// Set when the values were erased with the data they held (a deleted client, a redacted
    /// check); the change itself stays on record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redacted: Option<bool>,
}

impl DiffEntry {
    /// Erases the old and new values, keeping what changed where.
    pub fn redact(&mut self) -> bool {
        if self.old.is_none() && self.new.is_none() {
            return false;
        }
        self.old = None;
        self.new = None;
        self.redacted = Some(true);
        true
    }

    /// Whether the change is at `prefix` or below it.
    pub fn is_under(&self, prefix: &[&str]) -> bool {
        self.path.len() >= prefix.len()
            && self
                .path
                .iter()
                .zip(prefix)
                .all(|(p, k)| p.as_str() == Some(k))
    }
}

/// Computes the documented diff from `old` to `new` (either may be `{}` for create and delete).
pub fn diff(old: &Value, new: &Value) -> Vec<DiffEntry> {
    let mut out = Vec::new();
    walk(&mut Vec::new(), old, new, &mut out);
    out
}

fn walk(path: &mut Vec<Value>, old: &Value, new: &Value, out: &mut Vec<DiffEntry>) {
    match (old, new) {
        (Value::Object(a), Value::Object(b)) => objects(path, a, b, out),
        (Value::Array(a), Value::Array(b)) => {
            for i in 0..a.len().max(b.len()) {
                path.push(Value::from(i));
                match (a.get(i), b.get(i)) {
                    (Some(x), Some(y)) => walk(path, x, y, out),
                    (None, Some(y)) => out.push(entry("add", path, None, Some(y))),
                    (Some(x), None) => out.push(entry("delete", path, Some(x), None)),
                    (None, None) => {}
                }
                path.pop();
            }
        }
        _ if old != new => out.push(entry("update", path, Some(old), Some(new))),
        _ => {}
    }
}

fn objects(
    path: &mut Vec<Value>,
    a: &Map<String, Value>,
    b: &Map<String, Value>,
    out: &mut Vec<DiffEntry>,
) {
    for (key, old_value) in a {
        path.push(Value::from(key.as_str()));
        match b.get(key) {
            Some(new_value) => walk(path, old_value, new_value, out),
            None => out.push(entry("delete", path, Some(old_value), None)),
        }
        path.pop();
    }
    for (key, new_value) in b {
        if !a.contains_key(key) {
            path.push(Value::from(key.as_str()));
            out.push(entry("new", path, None, Some(new_value)));
            path.pop();
        }
    }
}

fn entry(action: &str, path: &[Value], old: Option<&Value>, new: Option<&Value>) -> DiffEntry {
    DiffEntry {
        action: action.to_string(),
        path: path.to_vec(),
        old: old.cloned(),
        new: new.cloned(),
        redacted: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn diff(old: &Value, new: &Value) -> Vec<Value> {
        super::diff(old, new)
            .into_iter()
            .map(|e| serde_json::to_value(e).unwrap())
            .collect()
    }

    #[test]
    fn reports_new_update_delete_and_add() {
        let old = json!({"email": "a", "personDetails": {"firstName": "A", "dob": "1990-01-01"}, "tags": [1]});
        let new = json!({"email": "b", "personDetails": {"firstName": "A"}, "mobile": "1", "tags": [1, 2]});
        let d = diff(&old, &new);
        assert!(
            d.contains(&json!({"action": "update", "path": ["email"], "old": "a", "new": "b"}))
        );
        assert!(d.contains(
            &json!({"action": "delete", "path": ["personDetails", "dob"], "old": "1990-01-01"})
        ));
        assert!(d.contains(&json!({"action": "new", "path": ["mobile"], "new": "1"})));
        assert!(d.contains(&json!({"action": "add", "path": ["tags", 1], "new": 2})));
        assert_eq!(d.len(), 4);
    }

    #[test]
    fn equal_values_have_no_diff() {
        let v = json!({"a": {"b": [1, {"c": true}]}});
        assert!(diff(&v, &v).is_empty());
    }
}
