//! The test-mode (sandbox) simulator: the `result` a completed check of each type carries, driven
//! by the documented sandbox triggers (checks-and-more.md §7) and deterministic for a given check.
//!
//! Results are the same typed breakdowns the live engines produce (`checks::result`); nothing
//! marks them as simulated. Whatever a real engine would measure (scores, document numbers and
//! dates, match ids) is derived from the check id with SHA-256, and "today" (for ages and issue
//! dates) is the creation time encoded in the check id's first 12 hex digits (`ids.rs`), so the
//! same check always yields the same result.
//!
//! Options are honoured where they decide coverage: `screeningClassification` (screening),
//! `analysisCoverage` and `clientDataValidation` (document), `enableEnrolledFaces` (identity);
//! analyses a check does not cover are `not_processed`. With [`Trigger::Attention`] the flagged
//! analyses are: `pep.level1` and `watchlist.sanctionsLists` for screening (companies: only the
//! latter), each with one match; `forensicAnalysis.imageTampering` (document);
//! `faceAnalysis.facialSimilarity` (both identity types); `clientValidation.address` (proof of
//! address); `address` (multi-bureau); `faceAuthentication.facialSimilarity`;
//! `ageEstimationAnalysis.ageValidation` (age below 18). When the options exclude the flagged
//! analysis, the first covered one is flagged instead; when they exclude all, the outcome is
//! `clear`.

mod document;
mod face;
mod holder;
mod residence;
mod screening;
#[cfg(test)]
mod tests;

use chrono::{Datelike, NaiveDate, TimeZone, Utc};
use sha2::{Digest, Sha256};

use super::CheckType;
use super::check::Check;
use super::input::CheckOptions;
use super::result::{Breakdown, CheckResult, Outcome, Verdict};
use crate::resources::client::Client;
use holder::Holder;

/// What the documented sandbox triggers ask for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trigger {
    /// The default: outcome `clear`, every analysis `clear`.
    Clear,
    /// Client last name `attention`: outcome `attention`, the type's natural analysis flagged.
    Attention,
    /// Client last name `failed`: a *completed* check with outcome `not_processed` and every
    /// analysis `not_processed` (not a check with `status: failed`).
    NotProcessed,
}

/// Reads the trigger from a client body. Persons: `personDetails.lastName` `attention` →
/// [`Trigger::Attention`], `failed` → [`Trigger::NotProcessed`] (case-insensitive, trimmed).
/// Companies have no last name and the documentation names no company trigger, so for them the
/// same two words are read from `companyDetails.name`. Anything else is [`Trigger::Clear`].
pub fn trigger_for(client: &Client) -> Trigger {
    match Holder::of(client).last.trim().to_lowercase().as_str() {
        "attention" => Trigger::Attention,
        "failed" => Trigger::NotProcessed,
        _ => Trigger::Clear,
    }
}

/// The `result` a completed check would carry.
pub fn simulate(check_id: &str, check: &Check, client: &Client, trigger: Trigger) -> CheckResult {
    let sim = Sim {
        id: check_id,
        check,
        options: check.options(),
        holder: Holder::of(client),
        today: created_on(check_id),
        trigger,
    };
    match check.check_type {
        CheckType::StandardScreening => sim.screening(false),
        CheckType::ExtensiveScreening => sim.screening(true),
        CheckType::Document => sim.document(),
        CheckType::Identity => sim.identity(),
        CheckType::EnhancedIdentity => sim.enhanced_identity(),
        CheckType::ProofOfAddress => sim.proof_of_address(),
        CheckType::MultiBureau => sim.multi_bureau(),
        CheckType::FaceAuthentication => sim.face_authentication(),
        CheckType::AgeEstimation => sim.age_estimation(),
    }
}

/// One simulation: the check, its client and the trigger.
struct Sim<'a> {
    id: &'a str,
    check: &'a Check,
    options: CheckOptions,
    holder: Holder<'a>,
    today: NaiveDate,
    trigger: Trigger,
}

impl Sim<'_> {
    /// A number in `lo..=hi` derived from the check id and `label`.
    fn pick(&self, label: &str, lo: u32, hi: u32) -> u32 {
        let d = Sha256::digest(format!("{}:{label}", self.id));
        lo + u32::from_be_bytes([d[0], d[1], d[2], d[3]]) % (hi - lo + 1)
    }

    /// A score for a measurement: high when clear, low when flagged, 0 when not processed.
    fn score(&self, label: &str, flagged: bool) -> u32 {
        match self.trigger {
            Trigger::NotProcessed => 0,
            _ if flagged => self.pick(label, 20, 45),
            _ => self.pick(label, 85, 99),
        }
    }

    /// Grades every verdict of `breakdown` and returns it as a result: `covered` says which
    /// analyses the check runs (the others are `not_processed`); with [`Trigger::Attention`]
    /// the `preferred` covered analyses are flagged, or else the first covered one.
    fn grade(
        &self,
        mut breakdown: Breakdown,
        covered: impl Fn(&str) -> bool,
        preferred: &[&str],
    ) -> CheckResult {
        let outcome = grade(self.trigger, breakdown.verdicts_mut(), covered, preferred);
        CheckResult::new(outcome, breakdown)
    }
}

/// [`Sim::grade`] on a list of verdicts.
fn grade(
    trigger: Trigger,
    mut verdicts: Vec<(&'static str, &mut Verdict)>,
    covered: impl Fn(&str) -> bool,
    preferred: &[&str],
) -> Outcome {
    let mut flagged: Vec<&str> = Vec::new();
    if trigger == Trigger::Attention {
        flagged = preferred.iter().copied().filter(|p| covered(p)).collect();
        if flagged.is_empty() {
            flagged.extend(verdicts.iter().map(|(p, _)| *p).find(|p| covered(p)));
        }
    }
    for (path, verdict) in &mut verdicts {
        **verdict = if trigger == Trigger::NotProcessed || !covered(path) {
            Verdict::NotProcessed
        } else {
            Verdict::passed(!flagged.contains(path))
        };
    }
    match (trigger, flagged.is_empty()) {
        (Trigger::NotProcessed, _) => Outcome::NotProcessed,
        (_, false) => Outcome::Attention,
        _ => Outcome::Clear,
    }
}

/// The day the check was created: the millisecond prefix of a resource id (`ids.rs`), or
/// 2024-01-01 for ids without one.
fn created_on(id: &str) -> NaiveDate {
    id.get(..12)
        .and_then(|prefix| i64::from_str_radix(prefix, 16).ok())
        .and_then(|ms| Utc.timestamp_millis_opt(ms).single())
        .map(|t| t.date_naive())
        .filter(|d| d.year() >= 2000)
        .unwrap_or_else(|| ymd(2024, 1, 1))
}

fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).unwrap_or_default()
}

fn years_between(dob: NaiveDate, today: NaiveDate) -> i32 {
    let mut years = today.year() - dob.year();
    if (today.month(), today.day()) < (dob.month(), dob.day()) {
        years -= 1;
    }
    years.max(0)
}
