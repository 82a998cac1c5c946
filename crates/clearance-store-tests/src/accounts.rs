//! Accounts and API keys.

use std::sync::Arc;

use clearance_core::Mode;
use clearance_core::account::{Account, ApiKey, TeamMember};
use clearance_core::store::{Store, StoreError};

pub(crate) fn account(id: &str) -> (Account, TeamMember) {
    (
        Account {
            id: id.into(),
            name: format!("name-{id}"),
            created_at: 1,
        },
        TeamMember {
            id: format!("owner{id}"),
            account_id: id.into(),
            first_name: "Account".into(),
            last_name: "Owner".into(),
            role: "owner".into(),
            created_at: 1,
        },
    )
}

pub async fn accounts_and_keys(store: &Arc<dyn Store>) {
    assert_eq!(store.count_accounts().await.unwrap(), 0);
    let (acc, owner) = account("acc1");
    store.create_account(&acc, &owner).await.unwrap();
    let (dupe, dupe_owner) = (
        Account {
            id: "acc2".into(),
            ..acc.clone()
        },
        TeamMember {
            id: "other".into(),
            ..owner.clone()
        },
    );
    assert!(
        matches!(
            store.create_account(&dupe, &dupe_owner).await,
            Err(StoreError::Conflict(_))
        ),
        "account names are unique"
    );
    assert_eq!(
        store.count_accounts().await.unwrap(),
        1,
        "a failed account creation leaves nothing"
    );
    assert_eq!(
        store.find_account_by_name("name-acc1").await.unwrap(),
        Some(acc.clone())
    );
    assert_eq!(store.get_account("acc1").await.unwrap(), Some(acc.clone()));
    assert_eq!(store.get_account("nope").await.unwrap(), None);

    let key = ApiKey {
        id: "key1".into(),
        account_id: "acc1".into(),
        mode: Mode::Live,
        hash: "h1".into(),
        hint: "live_ab…".into(),
        created_at: 5,
        revoked_at: None,
    };
    store.insert_api_key(&key).await.unwrap();
    assert!(matches!(
        store.insert_api_key(&key).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(store.find_api_key("h1").await.unwrap(), Some(key.clone()));
    assert_eq!(store.find_api_key("h2").await.unwrap(), None);
    assert!(store.revoke_api_key("key1", 9).await.unwrap());
    assert!(
        !store.revoke_api_key("key1", 10).await.unwrap(),
        "revoking twice reports false"
    );
    assert_eq!(
        store.find_api_key("h1").await.unwrap().unwrap().revoked_at,
        Some(9)
    );
    assert_eq!(store.list_api_keys().await.unwrap().len(), 1);
}
