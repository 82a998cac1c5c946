//! The OpenAPI 3.1 document, generated from the handlers' annotations, with the security schemes
//! and the standard error answers added to every operation in one place: the API key for `/v1`,
//! the SDK token (bearer) for the capture API under `/v1/sdk`.

use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
};
use utoipa::openapi::{ContentBuilder, OpenApi as OpenApiDoc, Ref, ResponseBuilder};
use utoipa::{Modify, OpenApi};

use crate::error::WireError;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Clearance API",
        description = "Self-hosted KYC/AML verification, wire-compatible with the ComplyCube v1 REST API. \
            Authenticate with the raw API key in the `Authorization` header (`test_…` or `live_…`). \
            The capture API under `/v1/sdk` is for browsers and mobile apps: it takes an SDK token \
            from `POST /v1/tokens` as `Authorization: Bearer <token>` (never an API key), from a page \
            whose origin the token's `referrer` admits or with `X-Application-Id` equal to its `appId`, \
            and acts on the token's client only.",
        license(name = "Apache-2.0", identifier = "Apache-2.0")
    ),
    components(schemas(WireError)),
    modifiers(&Security)
)]
pub struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut OpenApiDoc) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "apiKey",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "Authorization",
                "The raw API key, without a scheme",
            ))),
        );
        components.add_security_scheme(
            SDK_SCHEME,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "An SDK token from `POST /v1/tokens`, valid 60 minutes for one client",
                    ))
                    .build(),
            ),
        );
    }
}

/// The security scheme of the capture API, and the prefix of its paths.
const SDK_SCHEME: &str = "sdkToken";
const SDK_PREFIX: &str = "/v1/sdk/";

/// What the capture API answers differently: its credential, and refusals of its bindings.
const SDK_ERRORS: &[(&str, &str)] = &[
    (
        "401",
        "Missing, invalid or expired SDK token, or its client was deleted; API keys are refused here",
    ),
    (
        "403",
        "The token is not valid on this site or app, or the body names another client",
    ),
];

/// The errors any authenticated operation may answer, besides its own success.
const COMMON_ERRORS: &[(&str, &str)] = &[
    ("400", "Invalid request: `param` names the offending field"),
    ("401", "Missing, unknown or revoked API key"),
    ("404", "No such resource in this account and mode"),
    ("405", "Method not allowed on this path"),
    ("409", "Concurrent update; retry"),
    ("413", "Request body too large"),
    ("415", "Body is not declared as application/json"),
    ("429", "Rate limit exceeded"),
    ("500", "Unexpected server error"),
    ("503", "Database unavailable"),
];

fn error_response(description: &str) -> utoipa::openapi::Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Error")))
                .build(),
        )
        .build()
}

fn add_errors(operation: &mut Operation, sdk: bool) {
    let specific = if sdk { SDK_ERRORS } else { &[] };
    for (status, description) in specific.iter().chain(COMMON_ERRORS) {
        if operation.responses.responses.contains_key(*status) {
            continue;
        }
        operation
            .responses
            .responses
            .insert(status.to_string(), error_response(description).into());
    }
    let scheme = if sdk { SDK_SCHEME } else { "apiKey" };
    operation.security = Some(vec![SecurityRequirement::new(scheme, Vec::<String>::new())]);
}

/// Adds the common error answers and the credential (API key or SDK token) to every operation.
pub fn finish(mut doc: OpenApiDoc) -> OpenApiDoc {
    for (path, item) in &mut doc.paths.paths {
        let sdk = path.starts_with(SDK_PREFIX);
        for operation in [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.delete,
            &mut item.patch,
        ]
        .into_iter()
        .flatten()
        {
            add_errors(operation, sdk);
        }
    }
    doc
}
