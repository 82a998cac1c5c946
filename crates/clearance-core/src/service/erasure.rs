//! Erasure that erases: deleting a client or redacting a check also erases the personal data
//! its audit entries recorded as old and new values, in the same transaction. Who changed
//! what, and when, stays on record (#21, finding 6).

use super::Services;
use crate::audit::{self, AuditLog};
use crate::diff::DiffEntry;
use crate::error::Result;
use crate::scope::Scope;
use crate::store::{AttrFilter, Change, ListQuery, Resource, ResourceKind};
use crate::typed;

/// Audit entries read per page while collecting them.
const PAGE: u64 = 500;

/// Where a check's result keeps what was read off a document.
pub(super) const EXTRACTED: [&str; 3] = ["result", "breakdown", "extractedData"];

impl Services {
    /// Every audit entry of `query`'s scope that matches it, oldest first.
    async fn audit_entries(&self, query: ListQuery) -> Result<Vec<Resource>> {
        let mut entries = Vec::new();
        loop {
            let page = self
                .store
                .list(&ListQuery {
                    offset: entries.len() as u64,
                    limit: PAGE,
                    oldest_first: true,
                    ..query.clone()
                })
                .await?;
            let read = page.items.len();
            entries.extend(page.items);
            if read < PAGE as usize {
                return Ok(entries);
            }
        }
    }

    /// Updates erasing every recorded value of a client's audit trail (its own entries and
    /// those of everything it owned).
    pub(super) async fn erase_client_trail(
        &self,
        scope: &Scope,
        client_id: &str,
        now: i64,
    ) -> Result<Vec<Change>> {
        let query = ListQuery {
            client_id: Some(client_id.to_string()),
            ..ListQuery::newest(scope.clone(), ResourceKind::AuditLog, PAGE)
        };
        let mut changes = Vec::new();
        for entry in self.audit_entries(query).await? {
            if let Some(erased) = audit::redacted(&entry, |_| true, now)? {
                changes.push(Change::Update(erased));
            }
        }
        Ok(changes)
    }

    /// Updates erasing what a check's audit entries recorded of its extracted data.
    pub(super) async fn erase_extracted_data(
        &self,
        scope: &Scope,
        check_id: &str,
        now: i64,
    ) -> Result<Vec<Change>> {
        let query = ListQuery {
            filters: vec![AttrFilter {
                path: vec!["resourceId".into()],
                value: check_id.to_string(),
            }],
            ..ListQuery::newest(scope.clone(), ResourceKind::AuditLog, PAGE)
        };
        let mut changes = Vec::new();
        for entry in self.audit_entries(query).await? {
            if let Some(erased) = audit::redacted(&entry, extracted, now)? {
                changes.push(Change::Update(erased));
            }
        }
        Ok(changes)
    }
}

/// Whether a change is to a check's extracted data.
pub(super) fn extracted(change: &DiffEntry) -> bool {
    change.is_under(&EXTRACTED)
}

/// The audit entry of a change, with the values `erase` picks erased before it is ever stored.
pub(super) fn erased_entry(
    mut entry: Resource,
    erase: impl Fn(&DiffEntry) -> bool,
) -> Result<Resource> {
    let mut log: AuditLog = typed::decode(&entry)?;
    for change in log.diff.iter_mut().flatten() {
        if erase(change) {
            change.redact();
        }
    }
    entry.body = typed::encode(&log);
    Ok(entry)
}
