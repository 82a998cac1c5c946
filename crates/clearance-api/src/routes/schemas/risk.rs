//! Risk profiles.

use serde::Serialize;
use utoipa::ToSchema;

/// One component of a risk profile.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RiskComponent {
    /// `low`, `medium`, `high` or `not_set`.
    risk: String,
    check_id: Option<String>,
}

/// One source of a country's risk level.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CountryRiskSource {
    source: String,
    normalised_risk_score: String,
}

/// The country component of a risk profile.
#[derive(Serialize, ToSchema)]
pub struct CountryRisk {
    risk: String,
    country: Option<String>,
    breakdown: Option<Vec<CountryRiskSource>>,
}

/// A client's risk profile.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RiskProfile {
    /// `low`, `medium`, `high` or `not_set`.
    overall: String,
    country_risk: CountryRisk,
    political_exposure_risk: RiskComponent,
    occupation_risk: RiskComponent,
    watchlist_risk: RiskComponent,
    #[schema(format = DateTime)]
    updated_at: String,
}
