//! Which account and which mode (test or live) a request acts in; every stored row carries both.

use serde::{Deserialize, Serialize};

/// Test (sandbox) or live data; decided solely by the API key used.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Test,
    Live,
}

impl Mode {
    /// The stored and printed name of the mode.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Test => "test",
            Mode::Live => "live",
        }
    }

    /// Parses `test` or `live`.
    pub fn parse(s: &str) -> Option<Mode> {
        match s {
            "test" => Some(Mode::Test),
            "live" => Some(Mode::Live),
            _ => None,
        }
    }
}

impl std::fmt::Display for Mode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The isolation boundary: data in one scope is invisible from every other.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Scope {
    pub account_id: String,
    pub mode: Mode,
}

impl Scope {
    /// Builds a scope.
    pub fn new(account_id: impl Into<String>, mode: Mode) -> Self {
        Scope {
            account_id: account_id.into(),
            mode,
        }
    }
}
