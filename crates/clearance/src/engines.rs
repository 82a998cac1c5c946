//! The verification engines this binary installs behind the analyser port.

use std::time::Duration;

use async_trait::async_trait;
use clearance_core::checks::analyser::{
    Analyser, Analysis, CheckContext, SandboxAnalyser, TransientError,
};

/// The sandbox simulator with an optional processing delay, so integrators can rehearse a
/// check that is still `pending` when they first look.
pub struct SandboxWithLatency {
    pub latency: Duration,
}

#[async_trait]
impl Analyser for SandboxWithLatency {
    async fn analyse(&self, ctx: &CheckContext) -> Result<Analysis, TransientError> {
        if !self.latency.is_zero() {
            tokio::time::sleep(self.latency).await;
        }
        SandboxAnalyser.analyse(ctx).await
    }
}
