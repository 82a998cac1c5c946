//! Custom screening lists: an account's own people and companies to screen against, kept per
//! account and mode like every other resource.

use serde_json::Value;

use super::Services;
use crate::audit::Actor;
use crate::error::{CoreError, Result};
use crate::fields::as_object;
use crate::list::ListRequest;
use crate::resources::custom_list::{
    self, CustomList, CustomListEntityType, CustomListRecord, CustomListStats, CustomListWithStats,
};
use crate::scope::Scope;
use crate::store::{AttrFilter, Change, ListQuery, Page, Resource, ResourceKind, Store};
use crate::typed;

const LIST: ResourceKind = ResourceKind::CustomList;
const RECORD: ResourceKind = ResourceKind::CustomListRecord;
/// Records read per page when a whole list is needed (screening, deletion).
const RECORD_PAGE: u64 = 1000;

fn on_list(list_id: &str) -> AttrFilter {
    AttrFilter {
        path: vec!["customListId".into()],
        value: list_id.into(),
    }
}

impl Services {
    /// Creates a custom list.
    pub async fn create_custom_list(
        &self,
        scope: &Scope,
        actor: &Actor,
        input: &Value,
    ) -> Result<Resource> {
        let list = custom_list::validate_list(as_object(input, None)?)?;
        let now = self.now_ms();
        self.insert(scope, actor, LIST, None, typed::encode(&list), now)
            .await
    }

    /// Renames a list, or changes its description or classification.
    pub async fn update_custom_list(
        &self,
        scope: &Scope,
        actor: &Actor,
        id: &str,
        patch: &Value,
    ) -> Result<Resource> {
        let patch = as_object(patch, None)?;
        let (_, after) = self
            .update(scope, actor, LIST, id, |existing| {
                typed::change(LIST.label(), existing, |list: CustomList| {
                    custom_list::validate_list_update(&list, patch)
                })
            })
            .await?;
        Ok(after)
    }

    /// Deletes a list with every record on it.
    pub async fn delete_custom_list(&self, scope: &Scope, actor: &Actor, id: &str) -> Result<()> {
        self.get(scope, LIST, id).await?;
        let records = self.custom_list_records(scope, Some(id)).await?;
        let extra = records
            .into_iter()
            .map(|r| Change::Delete {
                scope: scope.clone(),
                kind: RECORD,
                id: r.id,
            })
            .collect();
        self.delete(scope, actor, LIST, id, extra).await
    }

    /// A list as answered: its body with its person and company counts.
    pub async fn with_custom_list_stats(&self, mut list: Resource) -> Result<Resource> {
        let stats = CustomListStats {
            person_count: self
                .count_records(&list, CustomListEntityType::Person)
                .await?,
            company_count: self
                .count_records(&list, CustomListEntityType::Company)
                .await?,
        };
        list.body = typed::encode(&CustomListWithStats {
            list: typed::decode(&list)?,
            stats,
        });
        Ok(list)
    }

    /// How many records of one entity type a list holds.
    async fn count_records(
        &self,
        list: &Resource,
        entity_type: CustomListEntityType,
    ) -> Result<u64> {
        let query = ListQuery {
            filters: vec![
                on_list(&list.id),
                AttrFilter {
                    path: vec!["entityType".into()],
                    value: entity_type.as_str().into(),
                },
            ],
            ..ListQuery::newest(list.scope.clone(), RECORD, 1)
        };
        Ok(self.store.list(&query).await?.total)
    }

    /// Adds a person or company to a list.
    pub async fn add_custom_list_record(
        &self,
        scope: &Scope,
        actor: &Actor,
        list_id: &str,
        input: &Value,
    ) -> Result<Resource> {
        self.get(scope, LIST, list_id).await?;
        let record = custom_list::validate_record(list_id, as_object(input, None)?)?;
        let now = self.now_ms();
        self.insert(scope, actor, RECORD, None, typed::encode(&record), now)
            .await
    }

    /// A page of a list's records, with the usual list parameters and filters.
    pub async fn list_custom_list_records(
        &self,
        scope: &Scope,
        list_id: &str,
        pairs: &[(String, String)],
    ) -> Result<(ListRequest, Page<Resource>)> {
        self.get(scope, LIST, list_id).await?;
        let mut pairs: Vec<(String, String)> = pairs
            .iter()
            .filter(|(k, _)| k != "customListId")
            .cloned()
            .collect();
        pairs.push(("customListId".into(), list_id.into()));
        self.list(scope, RECORD, &pairs, false).await
    }

    /// Removes one record from a list.
    pub async fn delete_custom_list_record(
        &self,
        scope: &Scope,
        actor: &Actor,
        list_id: &str,
        record_id: &str,
    ) -> Result<()> {
        let record: CustomListRecord = typed::decode(&self.get(scope, RECORD, record_id).await?)?;
        if record.custom_list_id != list_id {
            return Err(CoreError::not_found(RECORD.label(), record_id));
        }
        self.delete(scope, actor, RECORD, record_id, Vec::new())
            .await
    }

    /// Every record of one list (or of every list), oldest first.
    pub async fn custom_list_records(
        &self,
        scope: &Scope,
        list_id: Option<&str>,
    ) -> Result<Vec<Resource>> {
        custom_list_records(self.store.as_ref(), scope, list_id).await
    }

    /// Every custom list of a scope.
    pub async fn custom_lists(&self, scope: &Scope) -> Result<Vec<Resource>> {
        custom_lists(self.store.as_ref(), scope).await
    }

    /// The names of the imported official lists, alphabetical (`GET /static/screeningLists`).
    pub async fn screening_list_names(&self) -> Result<Vec<String>> {
        let mut names: Vec<String> = self
            .store
            .screening_lists()
            .await?
            .into_iter()
            .map(|l| l.name)
            .collect();
        names.sort();
        Ok(names)
    }
}

/// Every record of one list (or of every list) in a scope, oldest first: what screening reads.
pub async fn custom_list_records(
    store: &dyn Store,
    scope: &Scope,
    list_id: Option<&str>,
) -> Result<Vec<Resource>> {
    let mut out = Vec::new();
    loop {
        let query = ListQuery {
            filters: list_id.map(on_list).into_iter().collect(),
            offset: out.len() as u64,
            ..ListQuery::newest(scope.clone(), RECORD, RECORD_PAGE)
        };
        let page = store.list(&query).await?;
        let done = page.items.len() < RECORD_PAGE as usize;
        out.extend(page.items);
        if done || out.len() as u64 >= page.total {
            break;
        }
    }
    out.reverse();
    Ok(out)
}

/// Every custom list of a scope.
pub async fn custom_lists(store: &dyn Store, scope: &Scope) -> Result<Vec<Resource>> {
    Ok(store
        .list(&ListQuery::newest(scope.clone(), LIST, 10_000))
        .await?
        .items)
}
