//! Custom lists and their records: the resources are
//! `clearance_core::resources::custom_list::{CustomList, CustomListRecord}`.

use crate::body::{NewBody, PatchBody};
use crate::routes::list::{ListPage, ListQuery};
use clearance_core::resources::custom_list;
use clearance_core::typed::Stored;

/// A custom list as answered, with its counts.
pub type CustomList = Stored<custom_list::CustomListWithStats>;

/// Body of `POST /v1/customLists`.
pub type CustomListCreate = NewBody<custom_list::CustomList>;

/// Body of `POST /v1/customLists/{id}`.
pub type CustomListUpdate = PatchBody<custom_list::CustomList>;

/// A page of custom lists.
pub type CustomListList = ListPage<CustomList>;

/// The query of `GET /v1/customLists`.
pub type CustomListQuery = ListQuery<custom_list::CustomList>;

/// A record as answered.
pub type CustomListRecord = Stored<custom_list::CustomListRecord>;

/// Body of `POST /v1/customLists/{id}/records`.
pub type CustomListRecordCreate = NewBody<custom_list::CustomListRecord>;

/// A page of a list's records.
pub type CustomListRecordList = ListPage<CustomListRecord>;

/// The query of `GET /v1/customLists/{id}/records`.
pub type CustomListRecordQuery = ListQuery<custom_list::CustomListRecord>;
