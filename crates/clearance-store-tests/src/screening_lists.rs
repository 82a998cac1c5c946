//! Imported screening lists: stored whole, replaced atomically, removed with their chunks.

use std::sync::Arc;

use clearance_core::screening_lists::{FetchState, FileValidators, ListVersion, StoredList};
use clearance_core::store::{Store, StoreError};

/// A version with no delta, replacing the stored version hashed `replaces`.
pub(crate) fn version<'a>(
    list: &'a StoredList,
    chunks: &'a [Vec<u8>],
    replaces: Option<&'a str>,
) -> ListVersion<'a> {
    ListVersion {
        list,
        chunks,
        replaces,
        delta: None,
        announce_on: Some("deltas"),
    }
}

pub(crate) fn list(name: &str, hash: &str, entities: i64) -> StoredList {
    StoredList {
        name: name.into(),
        format: "un-xml".into(),
        source: "un_sc".into(),
        version: "2025-12-01".into(),
        content_hash: hash.into(),
        entity_count: entities,
        name_count: entities * 2,
        error_count: 1,
        chunk_count: 0,
        imported_at: 1_700_000_000_000,
        published: Some("2025-12-01".into()),
        self_check_sampled: 50,
        self_check_missed: 0,
    }
}

pub async fn lists_are_replaced_whole(store: &Arc<dyn Store>) {
    assert!(store.screening_lists().await.unwrap().is_empty());
    let chunks = vec![vec![1u8, 2, 3], vec![0u8; 70_000], vec![]];
    let un = list("UN list", "h1", 10);
    store
        .put_screening_list(&version(&un, &chunks, None))
        .await
        .unwrap();
    // A list whose publisher gives no date keeps none.
    let undated = StoredList {
        published: None,
        self_check_sampled: 0,
        ..list("Another", "h9", 1)
    };
    store
        .put_screening_list(&version(&undated, &[vec![9u8]], None))
        .await
        .unwrap();

    let all = store.screening_lists().await.unwrap();
    let names: Vec<&str> = all.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names, ["Another", "UN list"], "lists come back by name");
    assert_eq!(all[0].published, None);
    assert_eq!(all[0].self_check_sampled, 0);
    let un = &all[1];
    assert_eq!(un.chunk_count, 3, "the chunk count is what was stored");
    assert_eq!(
        StoredList {
            chunk_count: 0,
            ..un.clone()
        },
        list("UN list", "h1", 10)
    );
    assert_eq!(
        store.screening_list_chunks("UN list", "h1").await.unwrap(),
        chunks,
        "chunks come back in order, byte for byte"
    );

    // A version compared with one no longer stored is refused, and so is a "first" import of
    // a name already stored: another import got in first.
    let next = list("UN list", "h2", 12);
    for replaces in [Some("h0"), None] {
        let refused = store
            .put_screening_list(&version(&next, &[vec![7u8; 5]], replaces))
            .await;
        assert!(
            matches!(refused, Err(StoreError::Conflict(_))),
            "{replaces:?}: {refused:?}"
        );
    }
    assert_eq!(
        store.screening_list_chunks("UN list", "h1").await.unwrap(),
        chunks,
        "a refused version changes nothing"
    );

    // a new version replaces the old one: the old chunks are gone
    store
        .put_screening_list(&version(&next, &[vec![7u8; 5]], Some("h1")))
        .await
        .unwrap();
    assert!(
        store
            .screening_list_chunks("UN list", "h1")
            .await
            .unwrap()
            .is_empty(),
        "a replaced version's chunks are dropped"
    );
    let all = store.screening_lists().await.unwrap();
    assert_eq!(all[1].content_hash, "h2");
    assert_eq!(all[1].entity_count, 12);
    assert_eq!(all[1].chunk_count, 1);

    assert!(store.remove_screening_list("UN list").await.unwrap());
    assert!(!store.remove_screening_list("UN list").await.unwrap());
    assert!(
        store
            .screening_list_chunks("UN list", "h2")
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(store.screening_lists().await.unwrap().len(), 1);
    assert!(store.remove_screening_list("Another").await.unwrap());
}

pub async fn fetch_states_are_kept_per_source(store: &Arc<dyn Store>) {
    assert!(store.list_fetch_states().await.unwrap().is_empty());
    let ok = FetchState {
        source: "un-sc".into(),
        validators: vec![FileValidators {
            file: "consolidated.xml".into(),
            etag: Some("\"abc\"".into()),
            last_modified: Some("Tue, 01 Dec 2026 10:00:00 GMT".into()),
        }],
        attempted_at: 1_700_000_000_000,
        succeeded_at: Some(1_700_000_000_000),
        error: None,
        failures: 0,
    };
    store.put_list_fetch_state(&ok).await.unwrap();
    // A source that never succeeded: no validators, no success time.
    let failing = FetchState {
        source: "eu-fsf".into(),
        validators: Vec::new(),
        attempted_at: 1_700_000_000_500,
        succeeded_at: None,
        error: Some("HTTP 500".into()),
        failures: 1,
    };
    store.put_list_fetch_state(&failing).await.unwrap();
    assert_eq!(
        store.list_fetch_states().await.unwrap(),
        [failing.clone(), ok.clone()],
        "states come back whole, by source"
    );

    // A later attempt replaces the source's state; the validators it keeps are its own choice.
    let failed_later = FetchState {
        attempted_at: 1_700_000_100_000,
        error: Some("timed out".into()),
        failures: 1,
        ..ok.clone()
    };
    store.put_list_fetch_state(&failed_later).await.unwrap();
    let all = store.list_fetch_states().await.unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[1], failed_later);
}
