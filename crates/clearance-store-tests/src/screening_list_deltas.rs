//! List deltas: recorded with the version that made them, numbered per list, read back whole
//! and by page, bounded per list, and kept when a list is removed.

use std::sync::Arc;

use clearance_core::screening_lists::delta::DELTAS_KEPT;
use clearance_core::screening_lists::{
    DeltaEntity, EntityChange, ListDelta, ListVersion, StoredList,
};
use clearance_core::store::{Store, StoreError};

use crate::screening_lists::list;

fn entity(id: &str, change: EntityChange, name: &str) -> DeltaEntity {
    DeltaEntity {
        entity_id: id.into(),
        change,
        name: name.into(),
        previous_name: None,
        hash_before: (change != EntityChange::Added).then(|| format!("old-{id}")),
        hash_after: (change != EntityChange::Removed).then(|| format!("new-{id}")),
        fields: Vec::new(),
    }
}

/// The queue these tests announce deltas on.
const ANNOUNCED: &str = "deltas";

/// Stores `next` over the version hashed `replaces`, with the delta of `entities`.
async fn put(
    store: &Arc<dyn Store>,
    previous: Option<&StoredList>,
    next: &StoredList,
    entities: &[DeltaEntity],
) -> Result<Option<i64>, StoreError> {
    let delta = ListDelta::between(previous, next, entities);
    store
        .put_screening_list(&ListVersion {
            list: next,
            chunks: &[vec![1u8]],
            replaces: previous.map(|p| p.content_hash.as_str()),
            delta: Some((&delta, entities)),
            announce_on: Some(ANNOUNCED),
        })
        .await
}

pub async fn list_deltas_are_recorded_with_their_version(store: &Arc<dyn Store>) {
    assert!(
        store
            .screening_list_deltas("UN list")
            .await
            .unwrap()
            .is_empty()
    );
    // The first import: every entity added, no previous version.
    let v1 = list("UN list", "h1", 3);
    let first: Vec<DeltaEntity> = ["x:1", "x:2", "x:3"]
        .iter()
        .map(|id| entity(id, EntityChange::Added, &format!("Name {id}")))
        .collect();
    assert_eq!(put(store, None, &v1, &first).await.unwrap(), Some(1));

    // The next: one added, one changed (with its old name and what changed), one removed.
    let v2 = StoredList {
        version: "2025-12-02".into(),
        imported_at: v1.imported_at + 1000,
        ..list("UN list", "h2", 3)
    };
    let changed = DeltaEntity {
        previous_name: Some("Old Name".into()),
        fields: vec!["names".into(), "datesOfBirth".into()],
        ..entity("x:2", EntityChange::Changed, "New Name")
    };
    let second = vec![
        entity("x:1", EntityChange::Removed, "Name x:1"),
        changed.clone(),
        entity("x:4", EntityChange::Added, "Name x:4"),
    ];
    assert_eq!(put(store, Some(&v1), &v2, &second).await.unwrap(), Some(2));
    // Another list numbers its deltas on its own.
    let other = list("Other list", "o1", 1);
    let one = [entity("y:1", EntityChange::Added, "Y")];
    assert_eq!(put(store, None, &other, &one).await.unwrap(), Some(1));

    let deltas = store.screening_list_deltas("UN list").await.unwrap();
    assert_eq!(
        deltas.iter().map(|d| d.seq).collect::<Vec<_>>(),
        [2, 1],
        "newest first"
    );
    // Each recorded delta was announced, in its import's transaction, as a job naming it.
    let mut announced: Vec<(String, serde_json::Value)> = store
        .claim(&[ANNOUNCED.to_owned()], "w", v2.imported_at + 1, 60_000, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|job| (job.id, job.payload))
        .collect();
    announced.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        announced,
        [
            (
                "deltas:Other list:1".to_owned(),
                serde_json::json!({"list": "Other list", "seq": 1})
            ),
            (
                "deltas:UN list:1".to_owned(),
                serde_json::json!({"list": "UN list", "seq": 1})
            ),
            (
                "deltas:UN list:2".to_owned(),
                serde_json::json!({"list": "UN list", "seq": 2})
            ),
        ]
    );
    let newest = &deltas[0];
    assert_eq!(
        newest,
        &ListDelta {
            list_name: "UN list".into(),
            seq: 2,
            version: "2025-12-02".into(),
            content_hash: "h2".into(),
            previous_version: Some("2025-12-01".into()),
            previous_hash: Some("h1".into()),
            imported_at: v2.imported_at,
            added: 1,
            changed: 1,
            removed: 1,
        }
    );
    assert!(!newest.initial());
    assert!(deltas[1].initial());
    assert_eq!(deltas[1].added, 3);
    assert_eq!(
        store
            .screening_list_delta("UN list", 2)
            .await
            .unwrap()
            .as_ref(),
        Some(newest)
    );
    assert_eq!(
        store.screening_list_delta("UN list", 3).await.unwrap(),
        None
    );

    // Entities come back whole, by id, filtered by change and paged after an id.
    let all = store
        .screening_list_delta_entities("UN list", 2, &[], None, 100)
        .await
        .unwrap();
    let mut expected = second.clone();
    expected.sort_by(|a, b| a.entity_id.cmp(&b.entity_id));
    assert_eq!(all, expected);
    let page = store
        .screening_list_delta_entities("UN list", 2, &[], Some("x:1"), 1)
        .await
        .unwrap();
    assert_eq!(page, std::slice::from_ref(&changed));
    let new_or_changed = store
        .screening_list_delta_entities(
            "UN list",
            2,
            &[EntityChange::Added, EntityChange::Changed],
            None,
            100,
        )
        .await
        .unwrap();
    let ids: Vec<&str> = new_or_changed
        .iter()
        .map(|e| e.entity_id.as_str())
        .collect();
    assert_eq!(ids, ["x:2", "x:4"]);

    // A delta computed against a version no longer stored is refused with its list.
    let stale = list("UN list", "h3", 3);
    let refused = put(store, Some(&v1), &stale, &second).await;
    assert!(
        matches!(refused, Err(StoreError::Conflict(_))),
        "{refused:?}"
    );
    assert_eq!(
        store.screening_list_deltas("UN list").await.unwrap().len(),
        2
    );
    assert_eq!(store.screening_lists().await.unwrap()[1].content_hash, "h2");

    // Removing the list keeps its history; importing it again continues the numbering.
    assert!(store.remove_screening_list("UN list").await.unwrap());
    assert_eq!(
        store.screening_list_deltas("UN list").await.unwrap().len(),
        2
    );
    assert_eq!(put(store, None, &v1, &first).await.unwrap(), Some(3));
}

pub async fn list_deltas_are_bounded_per_list(store: &Arc<dyn Store>) {
    let mut previous: Option<StoredList> = None;
    let rounds = DELTAS_KEPT + 2;
    for round in 1..=rounds {
        let next = list("UN list", &format!("h{round}"), 1);
        let entities = [entity(
            &format!("x:{round}"),
            EntityChange::Added,
            "Someone",
        )];
        let seq = put(store, previous.as_ref(), &next, &entities)
            .await
            .unwrap();
        assert_eq!(seq, Some(round));
        previous = Some(next);
    }
    let kept = store.screening_list_deltas("UN list").await.unwrap();
    assert_eq!(kept.len() as i64, DELTAS_KEPT);
    assert_eq!(kept[0].seq, rounds);
    assert_eq!(kept.last().map(|d| d.seq), Some(3));
    for dropped in [1, 2] {
        assert_eq!(
            store
                .screening_list_delta("UN list", dropped)
                .await
                .unwrap(),
            None
        );
        assert!(
            store
                .screening_list_delta_entities("UN list", dropped, &[], None, 10)
                .await
                .unwrap()
                .is_empty(),
            "a dropped delta's entities go with it"
        );
    }
}
