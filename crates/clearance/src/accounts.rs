//! Account and key administration used by `serve` (first start) and `keys …`.

use anyhow::Context;
use clearance_core::Mode;
use clearance_core::account::{Account, ApiKey, TeamMember};
use clearance_core::clock::{Clock, SystemClock};
use clearance_core::ids::{new_resource_id, new_team_member_id};
use clearance_core::keys::{generate_key, hash_key, hint};
use clearance_core::store::Store;

/// The name of the account created on first start.
pub const DEFAULT_ACCOUNT: &str = "default";

/// Finds the account called `name`, creating it (with its owner team member) when new.
pub async fn find_or_create_account(store: &dyn Store, name: &str) -> anyhow::Result<Account> {
    if let Some(account) = store.find_account_by_name(name).await? {
        return Ok(account);
    }
    let now = SystemClock.now_ms();
    let account = Account {
        id: new_resource_id(now),
        name: name.to_string(),
        created_at: now,
    };
    let owner = TeamMember {
        id: new_team_member_id(),
        account_id: account.id.clone(),
        first_name: "Account".into(),
        last_name: "Owner".into(),
        role: "owner".into(),
        created_at: now,
    };
    store
        .create_account(&account, &owner)
        .await
        .with_context(|| format!("creating account '{name}'"))?;
    Ok(account)
}

/// Creates a key for an account and returns it; only its hash is stored.
pub async fn create_key(store: &dyn Store, account_id: &str, mode: Mode) -> anyhow::Result<String> {
    let key = generate_key(mode);
    let now = SystemClock.now_ms();
    store
        .insert_api_key(&ApiKey {
            id: new_resource_id(now),
            account_id: account_id.to_string(),
            mode,
            hash: hash_key(&key),
            hint: hint(&key),
            created_at: now,
            revoked_at: None,
        })
        .await
        .context("storing the new API key")?;
    Ok(key)
}
