//! Mobile app ids: iOS bundle identifiers and Android application ids, both reverse-DNS.

/// Longest app id accepted (Apple's limit for bundle identifiers).
pub const MAX_APP_ID_LEN: usize = 155;

/// Why an app id was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct AppIdError(pub &'static str);

/// Checks a bundle id such as `com.example.app`: at least two dot-separated segments of
/// letters, digits, `_` and `-`, starting with a letter, at most 155 characters.
///
/// This is the union of what iOS (letters, digits, `-`, `.`) and Android (letters, digits, `_`,
/// each segment starting with a letter) accept, restricted to the reverse-DNS form both
/// platforms' tooling produces. A single segment (`myapp`) is refused: no store accepts it.
pub fn validate_app_id(id: &str) -> Result<(), AppIdError> {
    if id.is_empty() {
        return Err(AppIdError("the app id is empty"));
    }
    if id.len() > MAX_APP_ID_LEN {
        return Err(AppIdError("the app id is longer than 155 characters"));
    }
    if !id.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return Err(AppIdError("the app id must start with a letter"));
    }
    let segments: Vec<&str> = id.split('.').collect();
    if segments.len() < 2 {
        return Err(AppIdError(
            "the app id must be a reverse-DNS bundle id such as com.example.app",
        ));
    }
    for s in segments {
        if s.is_empty() {
            return Err(AppIdError("the app id has an empty segment"));
        }
        if !s
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        {
            return Err(AppIdError(
                "the app id may contain only letters, digits, '_', '-' and '.'",
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn bundle_ids() {
        for ok in [
            "com.example.app",
            "com.myapp.demo.app",
            "io.clearance.Capture-iOS",
            "org.example.my_app",
            "uk.co.bank2.mobile",
        ] {
            assert_eq!(validate_app_id(ok), Ok(()), "{ok}");
        }
        for bad in [
            "",
            "myapp",
            "random stuff",
            "com..example",
            ".com.example",
            "com.example.",
            "1com.example",
            "https://www.example.com/*",
            "com.exa mple",
            "com.example/app",
        ] {
            assert!(validate_app_id(bad).is_err(), "{bad}");
        }
        assert!(validate_app_id(&format!("com.{}", "a".repeat(160))).is_err());
    }

    proptest! {
        #[test]
        fn reverse_dns_ids_are_accepted(segs in prop::collection::vec("[a-zA-Z][a-zA-Z0-9_-]{0,15}", 2..6)) {
            let id = segs.join(".");
            prop_assert!(validate_app_id(&id).is_ok(), "{}", id);
        }

        #[test]
        fn anything_with_a_space_slash_or_colon_is_refused(a in "[a-z]{1,8}", sep in "[ /:]", b in "[a-z]{1,8}") {
            let id = format!("com.{a}{sep}{b}");
            prop_assert!(validate_app_id(&id).is_err());
        }
    }
}
