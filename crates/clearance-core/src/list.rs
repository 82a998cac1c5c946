//! Turning list query parameters into a [`ListQuery`]: pagination, time windows and dotted
//! attribute filters. A malformed filter matches nothing (200 with no items), as documented;
//! a bad `page` or `pageSize` is a 400 naming the parameter.

use crate::error::{CoreError, Result};
use crate::scope::Scope;
use crate::store::{AttrFilter, ListQuery, ResourceKind};
use crate::time::parse_time_filter;

/// Default and largest page sizes.
pub const DEFAULT_PAGE_SIZE: u64 = 100;
pub const MAX_PAGE_SIZE: u64 = 1000;

/// Parameters that are never attribute filters.
const RESERVED: &[&str] = &[
    "page",
    "pageSize",
    "createdAfter",
    "createdBefore",
    "updatedAfter",
    "updatedBefore",
];

/// A parsed list request: the store query and the page numbers to echo back.
#[derive(Clone, Debug)]
pub struct ListRequest {
    pub query: ListQuery,
    pub page: u64,
    pub page_size: u64,
    /// Set when a filter was malformed: the answer is an empty page, not an error.
    pub matches_nothing: bool,
}

/// Builds a list request from raw query pairs.
pub fn parse_list_request(
    scope: Scope,
    kind: ResourceKind,
    pairs: &[(String, String)],
) -> Result<ListRequest> {
    let page = parse_positive(pairs, "page", 1, u64::MAX / MAX_PAGE_SIZE)?;
    let page_size = parse_positive(pairs, "pageSize", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)?;
    let mut matches_nothing = false;
    let mut time = |name: &str| -> Option<i64> {
        let raw = last(pairs, name)?;
        let parsed = parse_time_filter(raw);
        matches_nothing |= parsed.is_none();
        parsed
    };
    let (created_after, created_before) = (time("createdAfter"), time("createdBefore"));
    let (updated_after, updated_before) = (time("updatedAfter"), time("updatedBefore"));
    let mut client_id = None;
    let mut filters = Vec::new();
    for (key, value) in pairs {
        if RESERVED.contains(&key.as_str()) {
            continue;
        }
        if key == "clientId" && kind != ResourceKind::Client {
            matches_nothing |= client_id.as_ref().is_some_and(|c| c != value);
            client_id = Some(value.clone());
            continue;
        }
        match parse_path(key) {
            Some(path) if value_is_well_formed(value) => filters.push(AttrFilter {
                path,
                // The Python SDK sends booleans as `True` / `False`; stored booleans compare
                // as `true` / `false`.
                value: match value.as_str() {
                    "True" => "true".to_string(),
                    "False" => "false".to_string(),
                    _ => value.clone(),
                },
            }),
            _ => matches_nothing = true,
        }
    }
    Ok(ListRequest {
        query: ListQuery {
            scope,
            kind,
            client_id,
            filters,
            created_after,
            created_before,
            updated_after,
            updated_before,
            offset: (page - 1) * page_size,
            limit: page_size,
            oldest_first: false,
        },
        page,
        page_size,
        matches_nothing,
    })
}

fn last<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .rev()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn parse_positive(pairs: &[(String, String)], name: &str, default: u64, max: u64) -> Result<u64> {
    let Some(raw) = last(pairs, name) else {
        return Ok(default);
    };
    match raw.trim().parse::<u64>() {
        Ok(n) if (1..=max).contains(&n) => Ok(n),
        _ => Err(CoreError::invalid(
            name,
            format!("'{name}' must be a whole number from 1 to {max}"),
        )),
    }
}

/// A dotted attribute path: segments of letters, digits, `_`, `-` and `$`.
fn parse_path(key: &str) -> Option<Vec<String>> {
    let segments: Vec<String> = key.split('.').map(str::to_string).collect();
    let ok = segments.iter().all(|s| {
        !s.is_empty()
            && s.len() <= 64
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '$'))
    });
    (ok && segments.len() <= 4).then_some(segments)
}

fn value_is_well_formed(value: &str) -> bool {
    !value.is_empty() && value.len() <= 500 && !value.chars().any(char::is_control)
}

/// The `pages` figure of the list envelope: 0 for an empty result.
pub fn page_count(total: u64, page_size: u64) -> u64 {
    total.div_ceil(page_size.max(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scope::Mode;

    fn pairs(raw: &[(&str, &str)]) -> Vec<(String, String)> {
        raw.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn parse(raw: &[(&str, &str)], kind: ResourceKind) -> Result<ListRequest> {
        parse_list_request(Scope::new("a", Mode::Test), kind, &pairs(raw))
    }

    #[test]
    fn defaults_and_offsets() {
        let r = parse(&[], ResourceKind::Client).unwrap();
        assert_eq!((r.page, r.page_size, r.query.offset), (1, 100, 0));
        let r = parse(&[("page", "3"), ("pageSize", "20")], ResourceKind::Client).unwrap();
        assert_eq!((r.query.offset, r.query.limit), (40, 20));
    }

    #[test]
    fn bad_pagination_names_the_parameter() {
        for (k, v) in [
            ("page", "0"),
            ("pageSize", "1001"),
            ("pageSize", "x"),
            ("page", "-1"),
        ] {
            match parse(&[(k, v)], ResourceKind::Client) {
                Err(CoreError::Invalid { param, .. }) => assert_eq!(param.as_deref(), Some(k)),
                other => panic!("{k}={v}: {other:?}"),
            }
        }
    }

    #[test]
    fn dotted_filters_and_malformed_ones() {
        let r = parse(&[("personDetails.firstName", "John")], ResourceKind::Client).unwrap();
        assert_eq!(r.query.filters[0].path, vec!["personDetails", "firstName"]);
        assert!(!r.matches_nothing);
        assert!(
            parse(&[("a..b", "x")], ResourceKind::Client)
                .unwrap()
                .matches_nothing
        );
        assert!(
            parse(&[("createdAfter", "soon")], ResourceKind::Client)
                .unwrap()
                .matches_nothing
        );
        let r = parse(&[("clientId", "abc")], ResourceKind::Address).unwrap();
        assert_eq!(r.query.client_id.as_deref(), Some("abc"));
    }

    #[test]
    fn empty_results_have_zero_pages() {
        assert_eq!(page_count(0, 100), 0);
        assert_eq!(page_count(1, 100), 1);
        assert_eq!(page_count(201, 100), 3);
    }
}
