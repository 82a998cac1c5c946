//! The values every breakdown is made of.

use serde::{Deserialize, Serialize};

/// One analysis inside a breakdown.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Clear,
    Attention,
    /// The analysis does not apply, was not asked for, or had nothing to work on.
    #[default]
    NotProcessed,
}

impl Verdict {
    /// `clear` when `passed`, otherwise `attention`.
    pub fn passed(passed: bool) -> Verdict {
        if passed {
            Verdict::Clear
        } else {
            Verdict::Attention
        }
    }
}

impl From<clearance_idv::check::Verdict> for Verdict {
    fn from(v: clearance_idv::check::Verdict) -> Self {
        match v {
            clearance_idv::check::Verdict::Clear => Verdict::Clear,
            clearance_idv::check::Verdict::Attention => Verdict::Attention,
            clearance_idv::check::Verdict::NotProcessed => Verdict::NotProcessed,
        }
    }
}

/// A check's overall outcome; validation adds `match_confirmed` (screening) and `rejected`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Clear,
    Attention,
    NotProcessed,
    MatchConfirmed,
    Rejected,
}

impl Outcome {
    /// The wire name, as in `check.completed.<outcome>` events.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Clear => "clear",
            Outcome::Attention => "attention",
            Outcome::NotProcessed => "not_processed",
            Outcome::MatchConfirmed => "match_confirmed",
            Outcome::Rejected => "rejected",
        }
    }
}

/// A structured date `{day, month, year}`; list entries may know only the year or the month.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DateParts {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub day: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub month: Option<u32>,
    pub year: i32,
}

impl DateParts {
    /// A full date.
    pub fn ymd(year: i32, month: u32, day: u32) -> Self {
        DateParts {
            day: Some(day),
            month: Some(month),
            year,
        }
    }
}

impl From<chrono::NaiveDate> for DateParts {
    fn from(d: chrono::NaiveDate) -> Self {
        use chrono::Datelike;
        DateParts::ymd(d.year(), d.month(), d.day())
    }
}

impl From<clearance_idv::Date> for DateParts {
    fn from(d: clearance_idv::Date) -> Self {
        DateParts::ymd(
            i32::from(d.year()),
            u32::from(d.month()),
            u32::from(d.day()),
        )
    }
}
