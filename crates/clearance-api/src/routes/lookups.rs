//! `/v1/lookup`: companies and addresses from the register and address data this server's
//! operator imported (`clearance registries import`, `clearance addresses import`).

use axum::Json;
use axum::extract::State;
use clearance_core::lookups::{Company, LookupAddress};
use serde_json::Value;

use super::extract::Id;
use super::list::ListPage;
use crate::body::JsonBody;
use crate::error::ApiError;
use crate::state::AppState;

/// The body of a company search.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
#[schema(as = CompanySearch)]
#[serde(rename_all = "camelCase")]
pub struct CompanySearch {
    /// The name, with or without its legal form.
    company_name: String,
    /// ISO 3166-1 alpha-2.
    incorporation_country: String,
}

/// The body of an address search.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
#[schema(as = AddressSearch)]
#[serde(rename_all = "camelCase")]
pub struct AddressSearch {
    /// House number and street.
    line: String,
    postal_code: String,
    /// ISO 3166-1 alpha-2.
    country: String,
}

/// A page of companies (summaries).
pub type CompanyList = ListPage<Company>;
/// A page of addresses found.
pub type LookupAddressList = ListPage<LookupAddress>;

/// What a company search lists of each company: the details without people, filings, codes
/// and website.
const DETAIL_ONLY: [&str; 6] = [
    "owners",
    "officers",
    "filings",
    "industryCodes",
    "website",
    "previousNames",
];

fn envelope<T>(items: Vec<Value>) -> ListPage<T> {
    let total = items.len() as u64;
    ListPage {
        page: 1,
        page_size: total.max(1),
        total_items: total,
        pages: u64::from(total > 0),
        items,
        item: std::marker::PhantomData,
    }
}

fn company_json(company: &Company) -> Result<Value, ApiError> {
    serde_json::to_value(company).map_err(|e| {
        tracing::error!(error = %e, "a company does not serialise");
        ApiError::internal()
    })
}

/// Search companies by name in one country's register: legal forms (`Ltd`/`Limited`), `&`/`and`,
/// word order and a typo or two do not matter; the best match comes first. Up to 100 companies,
/// as summaries (no owners, officers, filings or industry codes: get a company for those).
#[utoipa::path(post, path = "/v1/lookup/companies", tag = "Lookups", request_body = CompanySearch,
    responses((status = 200, description = "Matching companies, best first", body = CompanyList)))]
pub async fn search_companies(
    State(state): State<AppState>,
    JsonBody(body): JsonBody,
) -> Result<Json<ListPage<Company>>, ApiError> {
    let found = state.services.search_companies(&body).await?;
    let mut items = Vec::with_capacity(found.len());
    for company in &found {
        let mut json = company_json(company)?;
        if let Value::Object(map) = &mut json {
            for key in DETAIL_ONLY {
                map.remove(key);
            }
        }
        items.push(json);
    }
    Ok(Json(envelope(items)))
}

/// Get a company with its owners (persons with significant control), officers, filings and
/// industry codes.
#[utoipa::path(get, path = "/v1/lookup/companies/{id}", tag = "Lookups",
    params(("id" = String, Path, description = "Company id, as a search answered it")),
    responses((status = 200, description = "The company", body = Company)))]
pub async fn get_company(
    State(state): State<AppState>,
    Id(id): Id,
) -> Result<Json<Value>, ApiError> {
    let company = state.services.company(&id).await?;
    Ok(Json(company_json(&company)?))
}

/// Search addresses by line and postal code in one country: house-level where the imported data
/// has house numbers, otherwise the street within the postcode's district for the queried house.
#[utoipa::path(post, path = "/v1/lookup/addresses", tag = "Lookups", request_body = AddressSearch,
    responses((status = 200, description = "Matching addresses, best first", body = LookupAddressList)))]
pub async fn search_addresses(
    State(state): State<AppState>,
    JsonBody(body): JsonBody,
) -> Result<Json<ListPage<LookupAddress>>, ApiError> {
    let found = state.services.search_addresses(&body).await?;
    let items = found
        .iter()
        .map(|a| {
            serde_json::to_value(a).map_err(|e| {
                tracing::error!(error = %e, "an address does not serialise");
                ApiError::internal()
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Json(envelope(items)))
}
