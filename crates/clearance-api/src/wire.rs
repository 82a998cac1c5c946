//! Resources on the wire: `id` first, the body's fields, then the timestamps; and the list
//! envelope `{page, pageSize, totalItems, pages, items}`.

use clearance_core::list::{ListRequest, page_count};
use clearance_core::store::{Page, Resource, ResourceKind};
use clearance_core::time::format_timestamp;
use serde_json::{Map, Value, json};

/// The wire form of a stored resource.
pub fn resource_json(r: &Resource) -> Value {
    let mut out = Map::with_capacity(r.body.len() + 3);
    out.insert("id".into(), json!(r.id));
    for (k, v) in &r.body {
        out.insert(k.clone(), v.clone());
    }
    out.insert("createdAt".into(), json!(format_timestamp(r.created_at)));
    if !matches!(
        r.kind,
        ResourceKind::AuditLog | ResourceKind::TeamMember | ResourceKind::WebhookAttempt
    ) {
        out.insert("updatedAt".into(), json!(format_timestamp(r.updated_at)));
    }
    Value::Object(out)
}

/// The list envelope; `summary` turns each stored resource into its list form.
pub fn list_json(
    request: &ListRequest,
    page: &Page<Resource>,
    summary: impl Fn(&Resource) -> Value,
) -> Value {
    json!({
        "page": request.page,
        "pageSize": request.page_size,
        "totalItems": page.total,
        "pages": page_count(page.total, request.page_size),
        "items": page.items.iter().map(summary).collect::<Vec<_>>(),
    })
}
