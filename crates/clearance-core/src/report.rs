//! PDF reports (`GET /v1/reports`): what a report says, as a small document model, and the port
//! that lays it out as a PDF. The service gathers a snapshot of a client or a check into a
//! [`Report`]; the binary installs the renderer (`clearance-reports`). Nothing here knows about
//! PDF.

mod breakdown;
mod compose;

pub use compose::{
    AuditItem, CheckSnapshot, ClientSnapshot, DocumentItem, Item, Picture, SessionSnapshot, Stamp,
    check_report, client_report, workflow_session_report,
};

/// A report: a title block and sections in order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Report {
    pub title: String,
    /// Lines under the title: for which account and mode, when, about what.
    pub subtitle: Vec<String>,
    pub sections: Vec<Section>,
    /// Printed at the foot of every page.
    pub footer: String,
}

/// A headed part of a report.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Section {
    pub heading: String,
    pub blocks: Vec<Block>,
}

/// What a section holds.
#[derive(Clone, Debug, PartialEq)]
pub enum Block {
    /// A sub-heading inside a section.
    Heading(String),
    /// Label–value pairs, one per line.
    Fields(Vec<(String, String)>),
    /// A table with a header row; `widths` are the columns' shares of the page width.
    Table(Table),
    /// A line of text.
    Text(String),
    /// Pictures side by side (document sides, a live photo).
    Pictures(Vec<Picture>),
}

/// A table: header, column width shares, rows of cells.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Table {
    pub header: Vec<String>,
    pub widths: Vec<f32>,
    pub rows: Vec<Vec<String>>,
}

/// A verdict in words, as reports show them (`not_processed` → "not processed").
pub fn verdict_words(code: &str) -> String {
    code.replace('_', " ")
}

/// Lays a report out as a PDF.
pub trait ReportRenderer: Send + Sync {
    /// The PDF's bytes, or why it could not be made.
    fn render(&self, report: &Report) -> Result<Vec<u8>, String>;
}

/// What `GET /v1/reports` answers: the PDF, base64.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ReportFile {
    /// Always `application/pdf`.
    pub content_type: String,
    /// The PDF, base64.
    pub data: String,
}
