//! `/v1/screeningLists/{name}/deltas`: what each import changed in an official screening list
//! (Clearance's own; ComplyCube has no such endpoint). The lists are shared by every account,
//! so any API key may read them.

use axum::Json;
use axum::extract::State;
use clearance_core::screening_lists::{DeltaEntity, EntityChange, ListDelta};
use clearance_core::service::DeltaPage;
use clearance_core::time::format_timestamp;
use serde::Serialize;
use utoipa::ToSchema;

use super::extract::{Id, IdPair, QueryPairs};
use crate::error::ApiError;
use crate::state::AppState;

/// Entities per page when `limit` is not given.
const DEFAULT_LIMIT: u32 = 1000;

/// What one import changed in a list, against the version it replaced.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ScreeningListDelta {
    /// The list's name (as in `GET /v1/static/screeningLists`).
    list: String,
    /// 1 for the list's first recorded import, then one more per import that changed it.
    seq: i64,
    /// The version this import stored.
    version: String,
    content_hash: String,
    /// The version it replaced; absent for an initial import.
    #[serde(skip_serializing_if = "Option::is_none")]
    previous_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    previous_hash: Option<String>,
    imported_at: String,
    /// True for the list's first import: every entity is `added`.
    initial: bool,
    added: i64,
    changed: i64,
    removed: i64,
}

impl From<&ListDelta> for ScreeningListDelta {
    fn from(d: &ListDelta) -> Self {
        ScreeningListDelta {
            list: d.list_name.clone(),
            seq: d.seq,
            version: d.version.clone(),
            content_hash: d.content_hash.clone(),
            previous_version: d.previous_version.clone(),
            previous_hash: d.previous_hash.clone(),
            imported_at: format_timestamp(d.imported_at),
            initial: d.initial(),
            added: d.added,
            changed: d.changed,
            removed: d.removed,
        }
    }
}

/// One entity a delta added, changed or removed.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ScreeningListDeltaEntity {
    /// `<source>:<native id>`, as screening matches report it.
    entity_id: String,
    /// `added`, `changed` or `removed`.
    change: String,
    /// The primary name (the old one for a removed entity).
    name: String,
    /// The old primary name, when a change renamed the entity.
    #[serde(skip_serializing_if = "Option::is_none")]
    previous_name: Option<String>,
    /// The content hash before (a match's `entityHash`); absent when added.
    #[serde(skip_serializing_if = "Option::is_none")]
    hash_before: Option<String>,
    /// The content hash after; absent when removed.
    #[serde(skip_serializing_if = "Option::is_none")]
    hash_after: Option<String>,
    /// For a changed entity, the parts of its record that differ.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fields: Vec<String>,
}

impl From<DeltaEntity> for ScreeningListDeltaEntity {
    fn from(e: DeltaEntity) -> Self {
        ScreeningListDeltaEntity {
            entity_id: e.entity_id,
            change: e.change.code().to_owned(),
            name: e.name,
            previous_name: e.previous_name,
            hash_before: e.hash_before,
            hash_after: e.hash_after,
            fields: e.fields,
        }
    }
}

/// The deltas kept for a list.
#[derive(Serialize, ToSchema)]
pub struct ScreeningListDeltaList {
    /// Newest first (the last 100 imports that changed the list).
    items: Vec<ScreeningListDelta>,
}

/// One delta with a page of its entities.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ScreeningListDeltaDetail {
    #[serde(flatten)]
    delta: ScreeningListDelta,
    /// By entity id.
    entities: Vec<ScreeningListDeltaEntity>,
    /// Pass as `after` for the next page; absent on the last one.
    #[serde(skip_serializing_if = "Option::is_none")]
    next_after: Option<String>,
}

/// The deltas recorded for an official screening list, newest first: per import that changed
/// it, the entities added, changed (content hash) and removed.
#[utoipa::path(get, path = "/v1/screeningLists/{name}/deltas", tag = "Screening lists",
    params(("name" = String, Path, description = "The list's name, as in `GET /v1/static/screeningLists`")),
    responses((status = 200, description = "The list's deltas", body = ScreeningListDeltaList)))]
pub async fn list_screening_list_deltas(
    State(state): State<AppState>,
    Id(name): Id,
) -> Result<Json<ScreeningListDeltaList>, ApiError> {
    let deltas = state.services.screening_list_deltas(&name).await?;
    Ok(Json(ScreeningListDeltaList {
        items: deltas.iter().map(ScreeningListDelta::from).collect(),
    }))
}

/// One delta of an official screening list (`latest` for the newest) with its entities, a page
/// at a time.
#[utoipa::path(get, path = "/v1/screeningLists/{name}/deltas/{seq}", tag = "Screening lists",
    params(
        ("name" = String, Path, description = "The list's name"),
        ("seq" = String, Path, description = "The delta's `seq`, or `latest`"),
        ("change" = Option<String>, Query, description = "Only these changes: `added`, `changed`, `removed`, comma-separated"),
        ("after" = Option<String>, Query, description = "Only entities after this id (the previous page's `nextAfter`)"),
        ("limit" = Option<u32>, Query, description = "Entities per page, 1–10000 (default 1000)"),
    ),
    responses((status = 200, description = "The delta and a page of its entities", body = ScreeningListDeltaDetail)))]
pub async fn get_screening_list_delta(
    State(state): State<AppState>,
    IdPair(name, seq): IdPair,
    QueryPairs(pairs): QueryPairs,
) -> Result<Json<ScreeningListDeltaDetail>, ApiError> {
    let seq = match seq.as_str() {
        "latest" => None,
        other => Some(other.parse::<i64>().map_err(|_| {
            ApiError::invalid("seq is a delta's number or latest", Some("seq".into()))
        })?),
    };
    let page = page_of(&pairs)?;
    let found = state
        .services
        .screening_list_delta(&name, seq, &page)
        .await?;
    Ok(Json(ScreeningListDeltaDetail {
        delta: ScreeningListDelta::from(&found.delta),
        entities: found.entities.into_iter().map(Into::into).collect(),
        next_after: found.next_after,
    }))
}

/// The page the query asks for.
fn page_of(pairs: &[(String, String)]) -> Result<DeltaPage, ApiError> {
    let mut page = DeltaPage {
        limit: DEFAULT_LIMIT,
        ..DeltaPage::default()
    };
    for (key, value) in pairs {
        match key.as_str() {
            "change" => {
                for code in value.split(',').map(str::trim).filter(|c| !c.is_empty()) {
                    let change = EntityChange::parse(code).ok_or_else(|| {
                        ApiError::invalid(
                            "change takes added, changed or removed",
                            Some("change".into()),
                        )
                    })?;
                    if !page.changes.contains(&change) {
                        page.changes.push(change);
                    }
                }
            }
            "after" => page.after = Some(value.clone()),
            "limit" => {
                page.limit = value
                    .parse::<u32>()
                    .ok()
                    .filter(|l| (1..=clearance_core::service::MAX_DELTA_PAGE).contains(l))
                    .ok_or_else(|| {
                        ApiError::invalid("limit is a number from 1 to 10000", Some("limit".into()))
                    })?;
            }
            _ => {}
        }
    }
    Ok(page)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(q: &[(&str, &str)]) -> Vec<(String, String)> {
        q.iter().map(|(k, v)| ((*k).into(), (*v).into())).collect()
    }

    #[test]
    fn pages_are_read_from_the_query() {
        let page = page_of(&pairs(&[
            ("change", "added, changed"),
            ("change", "added"),
            ("after", "un_sc:QDi.1"),
            ("limit", "2"),
        ]))
        .map_err(|_| "refused")
        .unwrap_or_default();
        assert_eq!(page.changes, [EntityChange::Added, EntityChange::Changed]);
        assert_eq!(page.after.as_deref(), Some("un_sc:QDi.1"));
        assert_eq!(page.limit, 2);
        assert_eq!(page_of(&[]).map(|p| p.limit).ok(), Some(DEFAULT_LIMIT));
        for bad in [
            ("change", "gone"),
            ("limit", "0"),
            ("limit", "10001"),
            ("limit", "x"),
        ] {
            assert!(page_of(&pairs(&[bad])).is_err(), "{bad:?}");
        }
    }
}
