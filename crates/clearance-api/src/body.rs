//! The JSON body extractor: checks the content type, enforces the size limit and turns every
//! failure into the wire error instead of axum's plain-text rejections.

use std::borrow::Cow;
use std::marker::PhantomData;

use axum::extract::{FromRequest, Request};
use axum::http::header;
use bytes::Bytes;
use serde_json::Value;
use utoipa::openapi::{RefOr, Schema};
use utoipa::{PartialSchema, ToSchema};

use crate::error::ApiError;
use crate::state::AppState;

/// A request body parsed as JSON; an empty body reads as `null`.
pub struct JsonBody(pub Value);

impl FromRequest<AppState> for JsonBody {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, ApiError> {
        let declared_json = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                let mime = v
                    .split(';')
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_ascii_lowercase();
                mime == "application/json" || mime.ends_with("+json")
            });
        let limit = state.config.max_body_bytes;
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| {
                if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::too_large(limit)
                } else {
                    ApiError::invalid("The request body could not be read", None)
                }
            })?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(JsonBody(Value::Null));
        }
        if declared_json == Some(false) {
            return Err(ApiError::not_json_content_type());
        }
        serde_json::from_slice(&bytes).map(JsonBody).map_err(|e| {
            ApiError::invalid(
                format!(
                    "The request body is not valid JSON ({})",
                    e.classify_label()
                ),
                None,
            )
        })
    }
}

trait Classify {
    fn classify_label(&self) -> String;
}

impl Classify for serde_json::Error {
    /// Position and category only: never echo the body, which may hold personal data.
    fn classify_label(&self) -> String {
        let what = match self.classify() {
            serde_json::error::Category::Eof => "unexpected end of input",
            serde_json::error::Category::Syntax => "syntax error",
            serde_json::error::Category::Data => "invalid data",
            serde_json::error::Category::Io => "read error",
        };
        format!("{what} at line {} column {}", self.line(), self.column())
    }
}

/// The body of a create request, read as [`JsonBody`]. The OpenAPI document describes it as `T`
/// without its read-only fields, named `<T>Create`: the resource's own type, not a restatement.
pub struct NewBody<T>(pub Value, pub PhantomData<T>);

/// The body of an update request, read as [`JsonBody`]: any subset of `T`'s fields, nested
/// objects merged. The OpenAPI document names it `<T>Update`: `T` with nothing required.
pub struct PatchBody<T>(pub Value, pub PhantomData<T>);

impl<T> FromRequest<AppState> for NewBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, ApiError> {
        let JsonBody(value) = JsonBody::from_request(request, state).await?;
        Ok(NewBody(value, PhantomData))
    }
}

impl<T> FromRequest<AppState> for PatchBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, ApiError> {
        let JsonBody(value) = JsonBody::from_request(request, state).await?;
        Ok(PatchBody(value, PhantomData))
    }
}

/// `T`'s object schema with read-only properties left out and, for updates, nothing required.
fn request_schema<T: ToSchema>(optional: bool) -> RefOr<Schema> {
    let mut schema = T::schema();
    if let RefOr::T(Schema::Object(object)) = &mut schema {
        let read_only: Vec<String> = object
            .properties
            .iter()
            .filter(|(_, p)| matches!(p, RefOr::T(Schema::Object(o)) if o.read_only == Some(true)))
            .map(|(name, _)| name.clone())
            .collect();
        for name in &read_only {
            object.properties.shift_remove(name);
        }
        object
            .required
            .retain(|r| !optional && !read_only.contains(r));
        if !optional {
            object.description = Some(format!(
                "The fields of a new {}; read-only fields are set by the server.",
                T::name()
            ));
        } else {
            object.description = Some(format!(
                "Any subset of the fields of {}: nested objects are merged, `null` removes a field.",
                T::name()
            ));
        }
    }
    schema
}

impl<T: ToSchema> PartialSchema for NewBody<T> {
    fn schema() -> RefOr<Schema> {
        request_schema::<T>(false)
    }
}

impl<T: ToSchema> ToSchema for NewBody<T> {
    fn name() -> Cow<'static, str> {
        Cow::Owned(format!("{}Create", T::name()))
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        T::schemas(schemas);
    }
}

impl<T: ToSchema> PartialSchema for PatchBody<T> {
    fn schema() -> RefOr<Schema> {
        request_schema::<T>(true)
    }
}

impl<T: ToSchema> ToSchema for PatchBody<T> {
    fn name() -> Cow<'static, str> {
        Cow::Owned(format!("{}Update", T::name()))
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        T::schemas(schemas);
    }
}

/// The body of a capture-API request (`/v1/sdk/…`), read as [`JsonBody`]: `T`'s fields with
/// `clientId` optional, since the SDK token names the client, and without `options`. Named `Sdk<T>` in the OpenAPI
/// document.
pub struct SdkBody<T>(pub Value, pub PhantomData<T>);

impl<T> FromRequest<AppState> for SdkBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, ApiError> {
        let JsonBody(value) = JsonBody::from_request(request, state).await?;
        Ok(SdkBody(value, PhantomData))
    }
}

impl<T: ToSchema> PartialSchema for SdkBody<T> {
    fn schema() -> RefOr<Schema> {
        let mut schema = T::schema();
        let optional_client = |object: &mut utoipa::openapi::schema::Object| {
            object.required.retain(|r| r != "clientId");
            if let Some(RefOr::T(Schema::Object(client))) = object.properties.get_mut("clientId") {
                client.description =
                    Some("Optional; when given it must be the token's client.".into());
            }
        };
        // A body with flattened parts (a check's links) is an `allOf` of objects: one object
        // with all their fields reads more simply.
        if let RefOr::T(Schema::AllOf(all)) = &schema {
            let mut merged = utoipa::openapi::schema::Object::new();
            merged.description = all.description.clone();
            for item in &all.items {
                if let RefOr::T(Schema::Object(part)) = item {
                    merged.properties.extend(part.properties.clone());
                    merged.required.extend(part.required.clone());
                    merged.description = merged.description.or_else(|| part.description.clone());
                }
            }
            schema = RefOr::T(Schema::Object(merged));
        }
        if let RefOr::T(Schema::Object(object)) = &mut schema {
            optional_client(object);
            // Check options are the server's to set, never the token holder's.
            object.properties.shift_remove("options");
        }
        schema
    }
}

impl<T: ToSchema> ToSchema for SdkBody<T> {
    fn name() -> Cow<'static, str> {
        Cow::Owned(format!("Sdk{}", T::name()))
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        T::schemas(schemas);
    }
}
