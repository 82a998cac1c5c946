//! Custom lists and their records: the resources are
//! `clearance_core::resources::custom_list::{CustomList, CustomListRecord}`.

use clearance_core::resources::custom_list;
use clearance_core::typed::Stored;
use serde::Serialize;
use utoipa::ToSchema;

use crate::body::{NewBody, PatchBody};

/// A custom list as answered, with its counts.
pub type CustomList = Stored<custom_list::CustomListWithStats>;

/// Body of `POST /v1/customLists`.
pub type CustomListCreate = NewBody<custom_list::CustomList>;

/// Body of `POST /v1/customLists/{id}`.
pub type CustomListUpdate = PatchBody<custom_list::CustomList>;

list_schema!(CustomListList, CustomList);

/// A record as answered.
pub type CustomListRecord = Stored<custom_list::CustomListRecord>;

/// Body of `POST /v1/customLists/{id}/records`.
pub type CustomListRecordCreate = NewBody<custom_list::CustomListRecord>;

list_schema!(CustomListRecordList, CustomListRecord);
