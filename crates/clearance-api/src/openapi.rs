//! The OpenAPI 3.1 document, generated from the handlers' annotations, with the security scheme
//! and the standard error answers added to every operation in one place.

use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{ContentBuilder, OpenApi as OpenApiDoc, Ref, ResponseBuilder};
use utoipa::{Modify, OpenApi};

use crate::routes::schemas::ErrorBody;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Clearance API",
        description = "Self-hosted KYC/AML verification, wire-compatible with the ComplyCube v1 REST API. \
            Authenticate with the raw API key in the `Authorization` header (`test_…` or `live_…`).",
        license(name = "AGPL-3.0-only")
    ),
    components(schemas(ErrorBody)),
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
    }
}

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

fn add_errors(operation: &mut Operation) {
    for (status, description) in COMMON_ERRORS {
        if operation.responses.responses.contains_key(*status) {
            continue;
        }
        let response = ResponseBuilder::new()
            .description(*description)
            .content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("Error")))
                    .build(),
            )
            .build();
        operation
            .responses
            .responses
            .insert(status.to_string(), response.into());
    }
    operation.security = Some(vec![SecurityRequirement::new(
        "apiKey",
        Vec::<String>::new(),
    )]);
}

/// Adds the common error answers and the key requirement to every operation.
pub fn finish(mut doc: OpenApiDoc) -> OpenApiDoc {
    for item in doc.paths.paths.values_mut() {
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
            add_errors(operation);
        }
    }
    doc
}
