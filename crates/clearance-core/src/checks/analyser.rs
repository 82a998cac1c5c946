//! The port every verification engine implements, and the registry the check runner uses.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;

use super::check::Check;
use super::kinds::CheckType;
use super::result::CheckResult;
use super::sandbox;
use crate::blobs::Blobs;
use crate::faces::{EnrolledFace, NewEnrolment};
use crate::resources::client::Client;
use crate::scope::Scope;
use crate::store::Resource;
use crate::typed;

/// Everything an analyser may look at: the check and the resources it links to, loaded in the
/// check's scope. Files are read through `blobs` (keys from [`crate::blobs::blob_key`]).
pub struct CheckContext {
    pub check_id: String,
    pub scope: Scope,
    pub check: Check,
    pub check_type: CheckType,
    pub client: Resource,
    pub document: Option<Resource>,
    pub address: Option<Resource>,
    pub live_photo: Option<Resource>,
    pub live_video: Option<Resource>,
    pub blobs: Arc<dyn Blobs>,
    pub now_ms: i64,
    /// Every enrolled face of the check's account and mode, unsealed: loaded for the live face
    /// checks only (empty otherwise).
    pub enrolled_faces: Vec<EnrolledFace>,
}

/// What an analysis ended with.
#[derive(Clone, Debug, PartialEq)]
pub enum Analysis {
    /// The check's `result`.
    Complete(Box<CheckResult>),
    /// The check's `result`, and a face to enrol for the client in the same transaction (a
    /// clear identity check).
    CompleteAndEnrol {
        result: Box<CheckResult>,
        enrolment: NewEnrolment,
    },
    /// The check could not be run; the reason is shown to the integrator.
    Failed { reason: String },
}

/// An analysis that could not finish now but may later (storage down, engine busy).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct TransientError(pub String);

/// A verification engine for one or more check types.
#[async_trait]
pub trait Analyser: Send + Sync {
    async fn analyse(&self, ctx: &CheckContext) -> Result<Analysis, TransientError>;
}

/// The test-key simulator: documented triggers, results shaped like real ones.
pub struct SandboxAnalyser;

#[async_trait]
impl Analyser for SandboxAnalyser {
    async fn analyse(&self, ctx: &CheckContext) -> Result<Analysis, TransientError> {
        let client: Client =
            typed::decode(&ctx.client).map_err(|e| TransientError(e.to_string()))?;
        let trigger = sandbox::trigger_for(&client);
        Ok(Analysis::Complete(Box::new(sandbox::simulate(
            &ctx.check_id,
            &ctx.check,
            &client,
            trigger,
        ))))
    }
}

/// Which analyser runs a check: the simulator for test keys, the registered engine for live
/// keys. A live check whose engine is not installed fails with a clear reason rather than
/// receiving an invented outcome.
#[derive(Clone)]
pub struct Analysers {
    sandbox: Arc<dyn Analyser>,
    live: HashMap<CheckType, Arc<dyn Analyser>>,
}

impl Default for Analysers {
    fn default() -> Self {
        Analysers {
            sandbox: Arc::new(SandboxAnalyser),
            live: HashMap::new(),
        }
    }
}

impl Analysers {
    /// Replaces the simulator (e.g. with one that adds processing latency).
    pub fn with_sandbox(mut self, analyser: Arc<dyn Analyser>) -> Self {
        self.sandbox = analyser;
        self
    }

    /// Registers the live engine of a check type.
    pub fn with_live(mut self, check_type: CheckType, analyser: Arc<dyn Analyser>) -> Self {
        self.live.insert(check_type, analyser);
        self
    }

    /// The simulator.
    pub fn sandbox(&self) -> Arc<dyn Analyser> {
        self.sandbox.clone()
    }

    /// The live engine of a type, when one is installed.
    pub fn live(&self, check_type: CheckType) -> Option<Arc<dyn Analyser>> {
        self.live.get(&check_type).cloned()
    }
}
