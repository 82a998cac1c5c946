//! The live `multi_bureau_check`: the reference data the operator imported
//! (`clearance bureau import`, each source a bureau) and the HTTP bureaus configured, with the
//! matching and grading in `clearance_core::bureau`.

use std::sync::Arc;

use async_trait::async_trait;
use clearance_core::bureau::{self, Bureau, BureauRecord, Subject};
use clearance_core::checks::analyser::{Analyser, Analysis, CheckContext, TransientError};
use clearance_core::checks::result::{Breakdown, CheckResult};
use clearance_core::resources::address::Address;
use clearance_core::resources::client::Client;
use clearance_core::store::{ListQuery, ResourceKind, Store};
use clearance_core::typed;

/// Records read per lookup key at most: a name shared by more people than this is narrowed by
/// the other attributes anyway.
const PER_KEY: u64 = 1000;

/// Multi-bureau verification against the account's imported reference records and the
/// configured HTTP bureaus.
pub struct BureauEngine {
    store: Arc<dyn Store>,
    remote: Vec<Arc<dyn Bureau>>,
}

impl BureauEngine {
    pub fn new(store: Arc<dyn Store>) -> Self {
        BureauEngine {
            store,
            remote: Vec::new(),
        }
    }

    /// Adds bureaus asked over the network for every check.
    pub fn with_remote(mut self, bureaus: Vec<Arc<dyn Bureau>>) -> Self {
        self.remote.extend(bureaus);
        self
    }
}

fn transient(e: impl std::fmt::Display) -> TransientError {
    TransientError(e.to_string())
}

#[async_trait]
impl Analyser for BureauEngine {
    async fn analyse(&self, ctx: &CheckContext) -> Result<Analysis, TransientError> {
        let failed = |reason: &str| {
            Ok(Analysis::Failed {
                reason: reason.to_string(),
            })
        };
        let client: Client = typed::decode(&ctx.client).map_err(transient)?;
        let Some(person) = client.person() else {
            return failed("A multi_bureau_check verifies a person; this client is a company");
        };
        let Some(address) = &ctx.address else {
            return failed("The check's address no longer exists");
        };
        let address: Address = typed::decode(address).map_err(transient)?;
        // One row per imported source: counting them is cheap, counting records is not.
        let any = ListQuery::newest(ctx.scope.clone(), ResourceKind::BureauSource, 1);
        if self.remote.is_empty() && self.store.list(&any).await.map_err(transient)?.total == 0 {
            return failed(
                "No reference data is imported for this account and mode: an operator adds it with `clearance bureau import`",
            );
        }
        let subject = Subject {
            first_name: person.first_name.clone(),
            middle_name: person.middle_name.clone(),
            last_name: person.last_name.clone(),
            dob: person.dob.clone(),
            property_number: address.property_number.clone(),
            line: address.line.clone(),
            postal_code: address.postal_code.clone(),
            country: address.country.clone(),
        };
        let mut records: Vec<BureauRecord> = Vec::new();
        for key in bureau::lookup_keys(&subject) {
            let query = ListQuery {
                client_id: Some(bureau::filing_key(&key)),
                ..ListQuery::newest(ctx.scope.clone(), ResourceKind::BureauRecord, PER_KEY)
            };
            for r in self.store.list(&query).await.map_err(transient)?.items {
                records.push(typed::decode(&r).map_err(transient)?);
            }
        }
        let mut confirmed = bureau::confirm(&subject, &records);
        let mut exchanges = Vec::new();
        for remote in &self.remote {
            match remote.confirm(&subject).await {
                Ok(reply) => {
                    confirmed.add(remote.name(), &reply);
                    exchanges.push(reply.exchange);
                }
                // A bureau that cannot answer leaves the verification incomplete: the check
                // fails with the reason rather than grading on part of the sources.
                Err(reason) => {
                    return Ok(Analysis::Failed {
                        reason: format!(
                            "The bureau '{}' could not be asked: {reason}",
                            remote.name()
                        ),
                    });
                }
            }
        }
        let two_plus_two = ctx.check.options().two_plus_two == Some(true);
        let (outcome, mut breakdown) = bureau::grade(&subject, &confirmed, two_plus_two);
        if !exchanges.is_empty() {
            breakdown.exchanges = Some(exchanges);
        }
        Ok(Analysis::Complete(Box::new(CheckResult::new(
            outcome,
            Breakdown::MultiBureau(breakdown),
        ))))
    }
}
