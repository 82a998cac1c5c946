//! What every list endpoint shares, derived from the listed resource's type: the query it reads
//! (paging, time windows and equality filters on the resource's attributes) and the page it
//! answers. Nothing here restates a resource's fields.

use std::borrow::Cow;
use std::marker::PhantomData;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::Serialize;
use serde_json::Value;
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Schema, Type};
use utoipa::openapi::{Ref, RefOr, Required};
use utoipa::{IntoParams, PartialSchema, ToSchema};

use super::extract::QueryPairs;
use crate::error::ApiError;

/// A list request's query string as ordered pairs (dotted filters keep their order). The OpenAPI
/// document lists the paging and time-window parameters and one optional equality filter per
/// scalar attribute of `T`, nested objects one level deep (`personDetails.firstName`);
/// `CLIENT_REQUIRED` marks `clientId` required (lists that need it).
pub struct ListQuery<T, const CLIENT_REQUIRED: bool = false>(
    pub Vec<(String, String)>,
    pub PhantomData<T>,
);

impl<S: Send + Sync, T, const C: bool> FromRequestParts<S> for ListQuery<T, C> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let QueryPairs(pairs) = QueryPairs::from_request_parts(parts, state).await?;
        Ok(ListQuery(pairs, PhantomData))
    }
}

/// The paging and time-window parameters every list takes.
const PAGING: &[(&str, &str)] = &[
    ("page", "Page number, from 1."),
    ("pageSize", "Items per page, 1 to 1000 (default 100)."),
    (
        "createdAfter",
        "Only items created after this time (RFC 3339 timestamp or YYYY-MM-DD).",
    ),
    ("createdBefore", "Only items created before this time."),
    ("updatedAfter", "Only items updated after this time."),
    ("updatedBefore", "Only items updated before this time."),
];

fn query_parameter(name: &str, description: Option<String>, schema: ObjectBuilder) -> Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Query)
        .required(Required::False)
        .description(description)
        .schema(Some(schema))
        .build()
}

impl<T: ToSchema, const CLIENT_REQUIRED: bool> IntoParams for ListQuery<T, CLIENT_REQUIRED> {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        let mut params: Vec<Parameter> = PAGING
            .iter()
            .map(|(name, description)| {
                let schema = if name.starts_with("page") {
                    let (min, max) = (1.0, if *name == "page" { None } else { Some(1000.0) });
                    ObjectBuilder::new()
                        .schema_type(Type::Integer)
                        .minimum(Some(min))
                        .maximum(max)
                } else {
                    ObjectBuilder::new().schema_type(Type::String)
                };
                query_parameter(name, Some((*description).to_string()), schema)
            })
            .collect();
        let mut components = Vec::new();
        T::schemas(&mut components);
        let mut filters = Vec::new();
        attributes(&T::schema(), "", 0, &components, &mut filters);
        params.extend(filters.into_iter().map(|(name, description)| {
            let mut param = query_parameter(
                &name,
                description,
                ObjectBuilder::new().schema_type(Type::String),
            );
            if CLIENT_REQUIRED && name == "clientId" {
                param.required = Required::True;
            }
            param
        }));
        params
    }
}

/// The schema a reference or an optional (`oneOf [null, x]`) stands for.
fn resolve<'a>(
    schema: &'a RefOr<Schema>,
    components: &'a [(String, RefOr<Schema>)],
) -> Option<&'a Schema> {
    match schema {
        RefOr::Ref(r) => {
            let name = r.ref_location.rsplit('/').next()?;
            let (_, target) = components.iter().find(|(n, _)| n == name)?;
            resolve(target, components)
        }
        RefOr::T(Schema::OneOf(one)) => one
            .items
            .iter()
            .filter_map(|item| resolve(item, components))
            .find(|s| !matches!(s, Schema::Object(o) if is_null(o))),
        RefOr::T(schema) => Some(schema),
    }
}

fn is_null(object: &utoipa::openapi::schema::Object) -> bool {
    matches!(
        &object.schema_type,
        utoipa::openapi::schema::SchemaType::Type(Type::Null)
    )
}

/// Attributes answered but not stored with the resource, so never offered as filters: a
/// webhook's `secret` appears only in the create answer.
const NOT_FILTERS: &[&str] = &["secret"];

/// Every filterable attribute of an object schema: scalars and enums by their dotted path, with
/// their descriptions; nested objects to `depth` 1.
fn attributes(
    schema: &RefOr<Schema>,
    prefix: &str,
    depth: usize,
    components: &[(String, RefOr<Schema>)],
    out: &mut Vec<(String, Option<String>)>,
) {
    let object = match resolve(schema, components) {
        Some(Schema::Object(object)) => object,
        // A resource as answered (`Stored`, `Created`): its parts' attributes.
        Some(Schema::AllOf(all)) => {
            for part in &all.items {
                attributes(part, prefix, depth, components, out);
            }
            return;
        }
        _ => return,
    };
    for (name, property) in &object.properties {
        if NOT_FILTERS.contains(&name.as_str()) {
            continue;
        }
        let path = format!("{prefix}{name}");
        let description = match property {
            RefOr::T(Schema::Object(o)) => o.description.clone(),
            RefOr::T(Schema::OneOf(o)) => o.description.clone(),
            _ => None,
        };
        match resolve(property, components) {
            Some(Schema::Object(o)) if !o.properties.is_empty() && depth < 1 => {
                attributes(property, &format!("{path}."), depth + 1, components, out);
            }
            Some(Schema::Object(o)) if is_scalar(o) => out.push((path, description)),
            // An array attribute matches when one of its elements equals the value.
            Some(Schema::Array(array)) => {
                let items = match &array.items {
                    utoipa::openapi::schema::ArrayItems::RefOrSchema(items) => {
                        resolve(items, components)
                    }
                    utoipa::openapi::schema::ArrayItems::False => None,
                };
                if matches!(items, Some(Schema::Object(o)) if is_scalar(o)) {
                    let note = "Matches when one element equals the value.";
                    let description = Some(match description {
                        Some(d) => format!("{d} {note}"),
                        None => note.to_string(),
                    });
                    out.push((path, description));
                }
            }
            _ => {}
        }
    }
}

fn is_scalar(object: &utoipa::openapi::schema::Object) -> bool {
    use utoipa::openapi::schema::SchemaType;
    let scalar = |t: &Type| {
        matches!(
            t,
            Type::String | Type::Boolean | Type::Integer | Type::Number
        )
    };
    match &object.schema_type {
        SchemaType::Type(t) => scalar(t),
        SchemaType::Array(types) => types.iter().any(scalar),
        SchemaType::AnyValue => false,
    }
}

/// The list envelope `{page, pageSize, totalItems, pages, items}`; each item is `T` as
/// answered. Named `<T>List` in the OpenAPI document.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListPage<T> {
    pub page: u64,
    pub page_size: u64,
    pub total_items: u64,
    /// 0 when there are no items.
    pub pages: u64,
    pub items: Vec<Value>,
    #[serde(skip)]
    pub item: PhantomData<T>,
}

impl<T: ToSchema> PartialSchema for ListPage<T> {
    fn schema() -> RefOr<Schema> {
        let count = || {
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                    utoipa::openapi::KnownFormat::Int64,
                )))
                .minimum(Some(0.0))
        };
        ObjectBuilder::new()
            .description(Some("A page of items, newest first."))
            .property("page", count())
            .property("pageSize", count())
            .property("totalItems", count())
            .property(
                "pages",
                count().description(Some("0 when there are no items.")),
            )
            .property(
                "items",
                ArrayBuilder::new().items(Ref::from_schema_name(T::name())),
            )
            .required("page")
            .required("pageSize")
            .required("totalItems")
            .required("pages")
            .required("items")
            .into()
    }
}

impl<T: ToSchema> ToSchema for ListPage<T> {
    fn name() -> Cow<'static, str> {
        Cow::Owned(format!("{}List", T::name()))
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((T::name().into_owned(), T::schema()));
        T::schemas(schemas);
    }
}
