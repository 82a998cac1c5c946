//! Resources on the wire: `id` first, the body's fields, then the timestamps; and the list
//! envelope `{page, pageSize, totalItems, pages, items}`.

use axum::http::header;
use axum::response::{IntoResponse, Response};
use clearance_core::list::{ListRequest, page_count};
use clearance_core::store::{Page, Resource, ResourceKind, StoredJson};
use clearance_core::time::{format_timestamp, timestamp_bytes};
use serde_json::{Map, Value, json};

use crate::error::ApiError;

/// Kinds whose wire form has no `updatedAt` (they never change).
fn has_updated_at(kind: ResourceKind) -> bool {
    !matches!(
        kind,
        ResourceKind::AuditLog | ResourceKind::TeamMember | ResourceKind::WebhookAttempt
    )
}

/// The wire form of a stored resource.
pub fn resource_json(r: &Resource) -> Value {
    let mut out = Map::with_capacity(r.body.len() + 3);
    out.insert("id".into(), json!(r.id));
    for (k, v) in &r.body {
        out.insert(k.clone(), v.clone());
    }
    out.insert("createdAt".into(), json!(format_timestamp(r.created_at)));
    if has_updated_at(r.kind) {
        out.insert("updatedAt".into(), json!(format_timestamp(r.updated_at)));
    }
    Value::Object(out)
}

/// The same wire form as [`resource_json`], written around the stored body text instead of
/// rebuilt from parsed values: the hot `GET` by id answers without touching the body's fields.
/// `None` when the body is not an object's text (stores check that as they read).
pub fn stored_json_bytes(r: &StoredJson) -> Option<Vec<u8>> {
    let fields = r.members()?;
    let mut out = Vec::with_capacity(r.body.len() + 96);
    out.extend_from_slice(b"{\"id\":");
    push_json_string(&mut out, &r.id);
    if !fields.is_empty() {
        out.push(b',');
        out.extend_from_slice(fields.as_bytes());
    }
    out.extend_from_slice(b",\"createdAt\":");
    push_timestamp(&mut out, r.created_at);
    if has_updated_at(r.kind) {
        out.extend_from_slice(b",\"updatedAt\":");
        push_timestamp(&mut out, r.updated_at);
    }
    out.push(b'}');
    Some(out)
}

/// A timestamp needs no escaping: digits and separators, quoted.
fn push_timestamp(out: &mut Vec<u8>, ms: i64) {
    match timestamp_bytes(ms) {
        Some(bytes) => {
            out.push(b'"');
            out.extend_from_slice(&bytes);
            out.push(b'"');
        }
        None => push_json_string(out, &format_timestamp(ms)),
    }
}

fn push_json_string(out: &mut Vec<u8>, s: &str) {
    // Writing a string into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, s);
}

/// A `200 application/json` answer carrying [`stored_json_bytes`].
///
/// # Errors
/// An internal error when the stored body is not an object's text.
pub fn stored_json_response(r: &StoredJson) -> Result<Response, ApiError> {
    let bytes = stored_json_bytes(r).ok_or_else(|| {
        tracing::error!(kind = ?r.kind, "a stored body is not a JSON object");
        ApiError::internal()
    })?;
    Ok(([(header::CONTENT_TYPE, "application/json")], bytes).into_response())
}

/// The list envelope of `T`s; `summary` turns each stored resource into its list form.
pub fn list_page<T>(
    request: &ListRequest,
    page: &Page<Resource>,
    summary: impl Fn(&Resource) -> Value,
) -> crate::routes::list::ListPage<T> {
    crate::routes::list::ListPage {
        page: request.page,
        page_size: request.page_size,
        total_items: page.total,
        pages: page_count(page.total, request.page_size),
        items: page.items.iter().map(summary).collect(),
        item: std::marker::PhantomData,
    }
}

#[cfg(test)]
mod tests {
    use clearance_core::{Mode, Scope};

    use super::*;

    fn resource(kind: ResourceKind, body: Value) -> Resource {
        let Value::Object(body) = body else {
            panic!("an object")
        };
        Resource {
            id: "5f1b4a2c9d3e8f7a6b5c4d3e".into(),
            scope: Scope::new("acc", Mode::Test),
            kind,
            client_id: None,
            created_at: 1_578_158_669_146,
            updated_at: 1_578_158_670_001,
            version: 2,
            body,
        }
    }

    #[test]
    fn the_stored_text_answer_is_byte_for_byte_the_built_one() {
        let bodies = [
            json!({}),
            json!({"type": "person", "email": "a\"b@example.com",
                "personDetails": {"firstName": "Zoë", "lastName": "O'Brien\\<>"},
                "metadata": {"n": 1.5, "list": [1, null, true], "e": {}}}),
            json!({"line": "x\u{0007}\n", "z": "last", "a": "first"}),
        ];
        for kind in [
            ResourceKind::Client,
            ResourceKind::AuditLog,
            ResourceKind::Check,
        ] {
            for body in &bodies {
                let r = resource(kind, body.clone());
                let built = serde_json::to_vec(&resource_json(&r)).unwrap();
                let spliced = stored_json_bytes(&StoredJson::from(r)).unwrap();
                assert_eq!(
                    String::from_utf8(spliced).unwrap(),
                    String::from_utf8(built).unwrap()
                );
            }
        }
        // A body that is not an object's text is refused, never answered without its fields.
        let mut broken = StoredJson::from(resource(ResourceKind::Client, json!({"a": 1})));
        broken.body = "[1]".into();
        assert_eq!(stored_json_bytes(&broken), None);
        assert!(stored_json_response(&broken).is_err());
    }
}
