//! Object keys: validation of the `/`-separated ASCII names callers use, and their
//! mapping onto backend paths under the store's prefix.

use object_store::path::Path;

use crate::error::{BlobError, Result};

/// Longest accepted key or prefix, in bytes; S3 allows 1024 including our prefix.
const MAX_KEY_LEN: usize = 512;

/// Checks an object key: non-empty segments of `[A-Za-z0-9_.-]` joined by `/`,
/// none of them `.` or `..`. The message names the rule, not the key.
pub(crate) fn validate_key(key: &str) -> Result<()> {
    if key.is_empty() {
        return Err(BlobError::Config("object key is empty".into()));
    }
    if key.len() > MAX_KEY_LEN {
        return Err(BlobError::Config(format!(
            "object key is longer than {MAX_KEY_LEN} bytes"
        )));
    }
    for segment in key.split('/') {
        validate_segment(segment)?;
    }
    Ok(())
}

/// Checks a listing or deletion prefix: a key, optionally with one trailing `/`.
/// Returns it without the trailing `/`. An empty prefix is allowed only when
/// `allow_empty` (listing everything), never for deletion.
pub(crate) fn validate_prefix(prefix: &str, allow_empty: bool) -> Result<&str> {
    let trimmed = prefix.strip_suffix('/').unwrap_or(prefix);
    if trimmed.is_empty() {
        if allow_empty && prefix.is_empty() {
            return Ok(trimmed);
        }
        return Err(BlobError::Config("key prefix is empty".into()));
    }
    validate_key(trimmed)?;
    Ok(trimmed)
}

fn validate_segment(segment: &str) -> Result<()> {
    if segment.is_empty() {
        return Err(BlobError::Config("object key has an empty segment".into()));
    }
    if segment == "." || segment == ".." {
        return Err(BlobError::Config(
            "object key has a `.` or `..` segment".into(),
        ));
    }
    let allowed = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-');
    if !segment.bytes().all(allowed) {
        return Err(BlobError::Config(
            "object key may only use A-Z, a-z, 0-9, `_`, `.`, `-` and `/`".into(),
        ));
    }
    Ok(())
}

/// Joins the store's prefix (possibly empty) and a validated key into a backend path.
pub(crate) fn to_path(prefix: &str, key: &str) -> Path {
    if prefix.is_empty() {
        Path::from(key)
    } else {
        Path::from(format!("{prefix}/{key}"))
    }
}

/// Turns a backend path back into a caller's key by removing the store's prefix.
/// Returns `None` for paths outside the prefix (not ours).
pub(crate) fn from_path<'a>(prefix: &str, path: &'a Path) -> Option<&'a str> {
    let raw = path.as_ref();
    if prefix.is_empty() {
        return Some(raw);
    }
    raw.strip_prefix(prefix)?.strip_prefix('/')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_plain_keys() {
        for key in [
            "a",
            "acct/test/client/document/image",
            "A-b_c.d/e.f",
            "x/.hidden",
        ] {
            assert!(validate_key(key).is_ok(), "{key}");
        }
    }

    #[test]
    fn rejects_bad_keys() {
        let too_long = "a".repeat(MAX_KEY_LEN + 1);
        for key in [
            "", "/a", "a/", "a//b", "..", "a/../b", "./a", "a b", "a\\b", "é", "a?b", "a%2F",
            "a\0b", &too_long,
        ] {
            assert!(
                matches!(validate_key(key), Err(BlobError::Config(_))),
                "{key:?}"
            );
        }
    }

    #[test]
    fn prefixes() {
        assert_eq!(validate_prefix("", true).ok(), Some(""));
        assert!(validate_prefix("", false).is_err());
        assert!(validate_prefix("/", true).is_err());
        assert_eq!(validate_prefix("acct/test/", false).ok(), Some("acct/test"));
        assert!(validate_prefix("acct//", false).is_err());
    }

    #[test]
    fn paths_round_trip() {
        let path = to_path("base/dir", "a/b");
        assert_eq!(path.as_ref(), "base/dir/a/b");
        assert_eq!(from_path("base/dir", &path), Some("a/b"));
        assert_eq!(from_path("base/di", &path), None);
        assert_eq!(from_path("", &to_path("", "a/b")), Some("a/b"));
    }
}
