//! Resource documents: isolation, versions, atomicity, filters, pages and cascades.

use std::sync::Arc;

use clearance_core::store::{
    AttrFilter, Change, ListQuery, Resource, ResourceKind, Store, StoreError, StoredJson,
};
use clearance_core::{Mode, Scope};
use serde_json::{Value, json};

fn scope() -> Scope {
    Scope::new("acc1", Mode::Test)
}

fn resource(id: &str, kind: ResourceKind, client: Option<&str>, at: i64, body: Value) -> Resource {
    Resource {
        id: id.into(),
        scope: scope(),
        kind,
        client_id: client.map(str::to_string),
        created_at: at,
        updated_at: at,
        version: 1,
        body: body.as_object().unwrap().clone(),
    }
}

fn query(kind: ResourceKind) -> ListQuery {
    ListQuery {
        scope: scope(),
        kind,
        client_id: None,
        filters: Vec::new(),
        created_after: None,
        created_before: None,
        updated_after: None,
        updated_before: None,
        offset: 0,
        limit: 100,
        oldest_first: false,
    }
}

pub async fn insert_get_and_scope_isolation(store: &Arc<dyn Store>) {
    let r = resource(
        "c-iso",
        ResourceKind::Client,
        None,
        10,
        json!({"email": "a@b.co", "n": 1}),
    );
    store.apply(vec![Change::Insert(r.clone())]).await.unwrap();
    assert_eq!(
        store
            .get(&scope(), ResourceKind::Client, "c-iso")
            .await
            .unwrap(),
        Some(r.clone())
    );
    // The body as text answers `GET` by id: the same resource, behind the same isolation.
    let text = store
        .get_json(&scope(), ResourceKind::Client, "c-iso")
        .await
        .unwrap()
        .expect("found as text");
    // PostgreSQL's jsonb keeps its own key order, so the text is compared as JSON.
    let expected = StoredJson::from(r);
    assert_eq!(
        (&text.id, text.kind, text.created_at, text.updated_at),
        (
            &expected.id,
            expected.kind,
            expected.created_at,
            expected.updated_at
        )
    );
    assert_eq!(
        serde_json::from_str::<Value>(&text.body).unwrap(),
        json!({"email": "a@b.co", "n": 1})
    );
    let live = Scope::new("acc1", Mode::Live);
    let other = Scope::new("acc2", Mode::Test);
    for (scope, kind) in [
        (&live, ResourceKind::Client),
        (&other, ResourceKind::Client),
        (&scope(), ResourceKind::Address),
    ] {
        assert_eq!(
            store.get_json(scope, kind, "c-iso").await.unwrap(),
            None,
            "{scope:?} {kind:?} is isolated"
        );
    }
    assert_eq!(
        store
            .get(&live, ResourceKind::Client, "c-iso")
            .await
            .unwrap(),
        None,
        "modes are isolated"
    );
    assert_eq!(
        store
            .get(&other, ResourceKind::Client, "c-iso")
            .await
            .unwrap(),
        None,
        "accounts are isolated"
    );
    assert_eq!(
        store
            .get(&scope(), ResourceKind::Address, "c-iso")
            .await
            .unwrap(),
        None,
        "kinds are isolated"
    );
    let foreign = Change::Delete {
        scope: live,
        kind: ResourceKind::Client,
        id: "c-iso".into(),
    };
    assert!(matches!(
        store.apply(vec![foreign]).await,
        Err(StoreError::NotFound)
    ));
}

pub async fn updates_are_versioned(store: &Arc<dyn Store>) {
    let r = resource("c-ver", ResourceKind::Client, None, 10, json!({"v": 1}));
    store.apply(vec![Change::Insert(r.clone())]).await.unwrap();
    let v2 = Resource {
        version: 2,
        updated_at: 20,
        body: json!({"v": 2}).as_object().unwrap().clone(),
        ..r.clone()
    };
    store.apply(vec![Change::Update(v2.clone())]).await.unwrap();
    assert_eq!(
        store
            .get(&scope(), ResourceKind::Client, "c-ver")
            .await
            .unwrap(),
        Some(v2.clone())
    );
    let stale = Resource {
        version: 2,
        body: json!({"v": 3}).as_object().unwrap().clone(),
        ..r
    };
    assert!(
        matches!(
            store.apply(vec![Change::Update(stale)]).await,
            Err(StoreError::Conflict(_))
        ),
        "an update based on an old version is refused"
    );
    let missing = Resource {
        id: "nope".into(),
        ..v2
    };
    assert!(matches!(
        store.apply(vec![Change::Update(missing)]).await,
        Err(StoreError::NotFound)
    ));
}

pub async fn change_sets_are_atomic(store: &Arc<dyn Store>) {
    let existing = resource("c-atom-b", ResourceKind::Client, None, 10, json!({}));
    store
        .apply(vec![Change::Insert(existing.clone())])
        .await
        .unwrap();
    let a = resource("c-atom-a", ResourceKind::Client, None, 10, json!({}));
    let dupe = existing;
    let result = store
        .apply(vec![Change::Insert(a), Change::Insert(dupe)])
        .await;
    assert!(matches!(result, Err(StoreError::Conflict(_))));
    assert_eq!(
        store
            .get(&scope(), ResourceKind::Client, "c-atom-a")
            .await
            .unwrap(),
        None,
        "a failed change set leaves nothing behind"
    );
}

pub async fn lists_filter_sort_and_page(store: &Arc<dyn Store>) {
    let items = [
        resource(
            "l1",
            ResourceKind::Address,
            Some("cl1"),
            100,
            json!({"city": "Bristol", "d": {"x": "1"}, "on": true, "tags": ["a", "b"]}),
        ),
        resource(
            "l2",
            ResourceKind::Address,
            Some("cl1"),
            200,
            json!({"city": "Leeds", "d": {"x": "2"}, "on": false, "tags": ["c"]}),
        ),
        resource(
            "l3",
            ResourceKind::Address,
            Some("cl2"),
            300,
            json!({"city": "Bristol", "d": {"x": "1"}, "on": true}),
        ),
        resource(
            "l4",
            ResourceKind::Address,
            Some("cl2"),
            300,
            json!({"city": "York", "n": 5}),
        ),
    ];
    store
        .apply(items.iter().cloned().map(Change::Insert).collect())
        .await
        .unwrap();
    let ids = |page: clearance_core::store::Page<Resource>| {
        page.items.into_iter().map(|r| r.id).collect::<Vec<_>>()
    };

    let all = store.list(&query(ResourceKind::Address)).await.unwrap();
    assert_eq!(all.total, 4);
    assert_eq!(
        ids(all),
        ["l4", "l3", "l2", "l1"],
        "newest first, ties by id descending"
    );
    let mut oldest = query(ResourceKind::Address);
    oldest.oldest_first = true;
    oldest.client_id = Some("cl2".into());
    oldest.limit = 1;
    let head = store.list(&oldest).await.unwrap();
    assert_eq!(head.total, 2);
    assert_eq!(ids(head), ["l3"], "oldest first, ties by id ascending");

    let mut q = query(ResourceKind::Address);
    q.limit = 3;
    q.offset = 3;
    let page = store.list(&q).await.unwrap();
    assert_eq!((page.total, ids(page)), (4, vec!["l1".to_string()]));

    let filtered = |path: &[&str], value: &str| {
        let mut q = query(ResourceKind::Address);
        q.filters.push(AttrFilter {
            path: path.iter().map(|s| s.to_string()).collect(),
            value: value.into(),
        });
        q
    };
    assert_eq!(
        ids(store.list(&filtered(&["city"], "Bristol")).await.unwrap()),
        ["l3", "l1"]
    );
    assert_eq!(
        ids(store.list(&filtered(&["city"], "bristol")).await.unwrap()),
        Vec::<String>::new(),
        "equality is exact"
    );
    assert_eq!(
        ids(store.list(&filtered(&["d", "x"], "2")).await.unwrap()),
        ["l2"],
        "dotted paths reach nested fields"
    );
    assert_eq!(
        ids(store.list(&filtered(&["on"], "true")).await.unwrap()),
        ["l3", "l1"],
        "booleans compare as true/false"
    );
    assert_eq!(
        ids(store.list(&filtered(&["n"], "5")).await.unwrap()),
        ["l4"],
        "numbers compare by their text"
    );
    assert_eq!(
        ids(store.list(&filtered(&["tags"], "b")).await.unwrap()),
        ["l1"],
        "arrays match an element"
    );
    assert_eq!(
        ids(store.list(&filtered(&["nope"], "x")).await.unwrap()),
        Vec::<String>::new()
    );

    let mut by_client = filtered(&["city"], "Bristol");
    by_client.client_id = Some("cl2".into());
    assert_eq!(
        ids(store.list(&by_client).await.unwrap()),
        ["l3"],
        "filters are ANDed"
    );

    let mut window = query(ResourceKind::Address);
    window.created_after = Some(100);
    window.created_before = Some(300);
    assert_eq!(
        ids(store.list(&window).await.unwrap()),
        ["l2"],
        "time bounds are strict"
    );
}

pub async fn deleting_a_client_keeps_its_audit_trail(store: &Arc<dyn Store>) {
    let client = resource("c-del", ResourceKind::Client, None, 10, json!({}));
    let address = resource("a-del", ResourceKind::Address, Some("c-del"), 11, json!({}));
    let audit = resource(
        "log-del",
        ResourceKind::AuditLog,
        Some("c-del"),
        12,
        json!({}),
    );
    store
        .apply(vec![
            Change::Insert(client),
            Change::Insert(address),
            Change::Insert(audit),
        ])
        .await
        .unwrap();
    store
        .apply(vec![
            Change::Delete {
                scope: scope(),
                kind: ResourceKind::Client,
                id: "c-del".into(),
            },
            Change::DeleteOwnedBy {
                scope: scope(),
                client_id: "c-del".into(),
            },
        ])
        .await
        .unwrap();
    assert_eq!(
        store
            .get(&scope(), ResourceKind::Client, "c-del")
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .get(&scope(), ResourceKind::Address, "a-del")
            .await
            .unwrap(),
        None,
        "owned resources go with the client"
    );
    assert!(
        store
            .get(&scope(), ResourceKind::AuditLog, "log-del")
            .await
            .unwrap()
            .is_some(),
        "the audit trail stays"
    );
}
