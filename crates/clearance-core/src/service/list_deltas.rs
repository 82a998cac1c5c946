//! What each import changed in the official screening lists, for operators
//! (`GET /v1/screeningLists/{name}/deltas…`, Clearance's own): the lists are shared by every
//! account, so any key may read them, as it may read `GET /v1/static/screeningLists`.

use super::Services;
use crate::error::{CoreError, Result};
use crate::screening_lists::{DeltaEntity, EntityChange, ListDelta};

/// Entities answered per page at most.
pub const MAX_DELTA_PAGE: u32 = 10_000;

/// Which entities of a delta to answer.
#[derive(Clone, Debug, Default)]
pub struct DeltaPage {
    /// Only these kinds of change (all when empty).
    pub changes: Vec<EntityChange>,
    /// Only entities whose id sorts after this one (the previous page's `nextAfter`).
    pub after: Option<String>,
    /// At most this many (capped at [`MAX_DELTA_PAGE`]).
    pub limit: u32,
}

/// One delta with a page of its entities.
#[derive(Clone, Debug)]
pub struct DeltaWithEntities {
    pub delta: ListDelta,
    pub entities: Vec<DeltaEntity>,
    /// The id to pass as `after` for the next page, when there is one.
    pub next_after: Option<String>,
}

impl Services {
    /// The deltas kept for list `name`, newest first. Not found when no list of that name is
    /// stored and none was recorded.
    pub async fn screening_list_deltas(&self, name: &str) -> Result<Vec<ListDelta>> {
        let deltas = self.store.screening_list_deltas(name).await?;
        if deltas.is_empty() && !self.screening_list_names().await?.iter().any(|n| n == name) {
            return Err(CoreError::not_found("screening list", name));
        }
        Ok(deltas)
    }

    /// Delta `seq` of list `name` (the newest when `None`) with a page of its entities.
    pub async fn screening_list_delta(
        &self,
        name: &str,
        seq: Option<i64>,
        page: &DeltaPage,
    ) -> Result<DeltaWithEntities> {
        let delta = match seq {
            Some(seq) => self.store.screening_list_delta(name, seq).await?,
            None => self.screening_list_deltas(name).await?.into_iter().next(),
        };
        let delta = delta.ok_or_else(|| {
            CoreError::not_found(
                "screening list delta",
                seq.map_or_else(|| "latest".to_owned(), |s| s.to_string()),
            )
        })?;
        let limit = page.limit.clamp(1, MAX_DELTA_PAGE);
        let mut entities = self
            .store
            .screening_list_delta_entities(
                name,
                delta.seq,
                &page.changes,
                page.after.as_deref(),
                limit + 1,
            )
            .await?;
        let next_after = if entities.len() > limit as usize {
            entities.truncate(limit as usize);
            entities.last().map(|e| e.entity_id.clone())
        } else {
            None
        };
        Ok(DeltaWithEntities {
            delta,
            entities,
            next_after,
        })
    }
}
