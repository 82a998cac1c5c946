//! Typed resource bodies: the domain works on serde structs, the store keeps their JSON text.
//! A body is validated before it is stored, so one that no longer reads as its type is a fault
//! on the server's side, never the caller's.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::error::{CoreError, Result};
use crate::store::Resource;

/// Reads a stored resource's body as `T`.
pub fn decode<T: DeserializeOwned>(resource: &Resource) -> Result<T> {
    decode_body(resource.kind.label(), &resource.body)
}

/// Reads a body of the named kind as `T`.
pub fn decode_body<T: DeserializeOwned>(kind: &str, body: &Map<String, Value>) -> Result<T> {
    T::deserialize(body)
        .map_err(|e| CoreError::internal(format!("stored {kind} is malformed: {e}")))
}

/// Applies `change` to a stored body read as `T`, and answers the changed body's JSON.
pub fn change<T: DeserializeOwned + Serialize>(
    kind: &str,
    body: &Map<String, Value>,
    change: impl FnOnce(T) -> Result<T>,
) -> Result<Map<String, Value>> {
    Ok(encode(&change(decode_body(kind, body)?)?))
}

/// The stored JSON object of a typed body.
pub fn encode<T: Serialize>(body: &T) -> Map<String, Value> {
    match serde_json::to_value(body) {
        Ok(Value::Object(map)) => map,
        // Bodies are structs of plain data; anything else is a programming error caught in tests.
        _ => Map::new(),
    }
}

/// A resource as answered: its id and timestamps around its typed body. In the OpenAPI
/// document it takes its body's name (`Check`, `Client`, …): the body type is only ever answered
/// inside it.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Stored<T> {
    pub id: String,
    #[serde(flatten)]
    pub body: T,
    pub created_at: String,
    pub updated_at: String,
}

/// A resource that never changes once created (an audit entry, a team member), as answered:
/// its id and creation time around its typed body.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Created<T> {
    pub id: String,
    #[serde(flatten)]
    pub body: T,
    pub created_at: String,
}

/// The OpenAPI schema of an answered resource: `allOf` its id and timestamps, and its body.
#[cfg(feature = "openapi")]
fn answered<T: utoipa::ToSchema>(
    updated_at: bool,
) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    use utoipa::openapi::KnownFormat;
    use utoipa::openapi::schema::{AllOfBuilder, ObjectBuilder, SchemaFormat, Type};
    let time = || {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
    };
    let mut meta = ObjectBuilder::new()
        .property("id", ObjectBuilder::new().schema_type(Type::String))
        .property("createdAt", time())
        .required("id")
        .required("createdAt");
    if updated_at {
        meta = meta.property("updatedAt", time()).required("updatedAt");
    }
    let body = T::schema();
    let description = match &body {
        utoipa::openapi::RefOr::T(utoipa::openapi::schema::Schema::Object(o)) => {
            o.description.clone()
        }
        _ => None,
    };
    AllOfBuilder::new()
        .item(meta)
        .item(body)
        .description(description)
        .into()
}

/// Both wrappers take their body's name in the OpenAPI document.
macro_rules! answered_schema {
    ($wrapper:ident, $updated_at:expr) => {
        #[cfg(feature = "openapi")]
        impl<T: utoipa::ToSchema> utoipa::PartialSchema for $wrapper<T> {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                answered::<T>($updated_at)
            }
        }

        #[cfg(feature = "openapi")]
        impl<T: utoipa::ToSchema> utoipa::ToSchema for $wrapper<T> {
            fn name() -> std::borrow::Cow<'static, str> {
                T::name()
            }

            fn schemas(
                schemas: &mut Vec<(
                    String,
                    utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
                )>,
            ) {
                T::schemas(schemas);
            }
        }
    };
}

answered_schema!(Stored, true);
answered_schema!(Created, false);
