//! Referrer match patterns with the semantics of Chrome's extension match patterns.
//!
//! A pattern is `<all_urls>` or `<scheme>://<host><path>`:
//! - scheme: `http`, `https`, `file`, or `*` (http or https only);
//! - host: a host name or IP address, `*` (any host), or `*.` followed by a domain, which matches
//!   that domain and every subdomain of it (`*.example.com` matches `example.com` and
//!   `a.b.example.com`, never `evil-example.com`). A `*` anywhere else in the host is refused,
//!   and so is `*.<one label>` (a whole top-level domain). `file` patterns have no host;
//! - port (Chrome's rules): none written matches every port, `:*` matches every port, and
//!   `:<n>` matches only port `n` (the scheme's default port counts: `https://a.com:443/*`
//!   matches `https://a.com/`);
//! - path: required, starts with `/`; `*` matches any run of characters. It is matched against
//!   the URL's path and query (as Chrome does), never the fragment.

use std::fmt;

use url::Url;

/// Longest pattern accepted.
pub const MAX_PATTERN_LEN: usize = 2048;

/// Why a pattern was refused; the text is fit to show to an integrator.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct PatternError(pub &'static str);

/// A parsed, valid match pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchPattern {
    raw: String,
    kind: Kind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    AllUrls,
    Url {
        scheme: Scheme,
        host: Host,
        port: Port,
        path: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Scheme {
    /// `*`: http or https.
    Web,
    Http,
    Https,
    File,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Host {
    /// `file` patterns have no host.
    None,
    Any,
    Exact(String),
    /// `*.<domain>`: the domain and its subdomains.
    Subdomains(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Port {
    Any,
    Exact(u16),
}

impl MatchPattern {
    /// Parses a pattern, or says what is wrong with it.
    pub fn parse(raw: &str) -> Result<Self, PatternError> {
        if raw.is_empty() {
            return Err(PatternError("the pattern is empty"));
        }
        if raw.len() > MAX_PATTERN_LEN {
            return Err(PatternError("the pattern is longer than 2048 characters"));
        }
        if raw
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '#')
        {
            return Err(PatternError(
                "the pattern must not contain spaces, control characters or '#'",
            ));
        }
        if raw == "<all_urls>" {
            return Ok(MatchPattern {
                raw: raw.to_string(),
                kind: Kind::AllUrls,
            });
        }
        let Some((scheme, rest)) = raw.split_once("://") else {
            return Err(PatternError(
                "the pattern must look like <scheme>://<host>/<path>, e.g. https://www.example.com/*",
            ));
        };
        let scheme = match scheme.to_ascii_lowercase().as_str() {
            "*" => Scheme::Web,
            "http" => Scheme::Http,
            "https" => Scheme::Https,
            "file" => Scheme::File,
            _ => return Err(PatternError("the scheme must be http, https, file or *")),
        };
        let (host, port, path) = if scheme == Scheme::File {
            if !rest.starts_with('/') {
                return Err(PatternError(
                    "a file pattern has no host and needs three slashes: file:///<path>",
                ));
            }
            (Host::None, Port::Any, rest)
        } else {
            let Some(slash) = rest.find('/') else {
                return Err(PatternError(
                    "the pattern has no path; end it with /* to match every path",
                ));
            };
            let (host_port, path) = rest.split_at(slash);
            let (host, port) = parse_host_port(host_port)?;
            (host, port, path)
        };
        Ok(MatchPattern {
            raw: raw.to_string(),
            kind: Kind::Url {
                scheme,
                host,
                port,
                path: path.to_string(),
            },
        })
    }

    /// The pattern as it was written.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// Whether `url` (an absolute URL) matches the whole pattern, path included.
    pub fn matches(&self, url: &str) -> bool {
        let Ok(url) = Url::parse(url) else {
            return false;
        };
        match &self.kind {
            Kind::AllUrls => matches!(url.scheme(), "http" | "https" | "file"),
            Kind::Url {
                scheme,
                host,
                port,
                path,
            } => {
                if !origin_matches(scheme, host, *port, &url) {
                    return false;
                }
                let mut tested = url.path().to_string();
                if let Some(q) = url.query() {
                    tested.push('?');
                    tested.push_str(q);
                }
                glob_match(path.as_bytes(), tested.as_bytes())
            }
        }
    }

    /// Whether a web origin (`scheme://host[:port]`, as browsers send in `Origin`) is one whose
    /// pages the pattern admits: scheme, host and port match; the path is not considered, since
    /// an origin has none. `null` and non-web origins are never admitted.
    pub fn admits_origin(&self, origin: &str) -> bool {
        let Ok(url) = Url::parse(origin) else {
            return false;
        };
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return false;
        }
        match &self.kind {
            Kind::AllUrls => true,
            Kind::Url {
                scheme, host, port, ..
            } => origin_matches(scheme, host, *port, &url),
        }
    }
}

impl fmt::Display for MatchPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

fn origin_matches(scheme: &Scheme, host: &Host, port: Port, url: &Url) -> bool {
    let scheme_ok = match scheme {
        Scheme::Web => matches!(url.scheme(), "http" | "https"),
        Scheme::Http => url.scheme() == "http",
        Scheme::Https => url.scheme() == "https",
        Scheme::File => url.scheme() == "file",
    };
    if !scheme_ok {
        return false;
    }
    let url_host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    let host_ok = match host {
        Host::None => true,
        Host::Any => !url_host.is_empty(),
        Host::Exact(h) => url_host == *h,
        Host::Subdomains(base) => {
            url_host == *base
                || (url_host.len() > base.len()
                    && url_host.ends_with(base.as_str())
                    && url_host.as_bytes()[url_host.len() - base.len() - 1] == b'.')
        }
    };
    if !host_ok {
        return false;
    }
    match port {
        Port::Any => true,
        Port::Exact(p) => url.port_or_known_default() == Some(p),
    }
}

fn parse_host_port(host_port: &str) -> Result<(Host, Port), PatternError> {
    if host_port.is_empty() {
        return Err(PatternError("the pattern has no host"));
    }
    let (host, port) = if let Some(inner) = host_port.strip_prefix('[') {
        // An IPv6 literal: `[::1]` or `[::1]:8080`.
        let Some(end) = inner.find(']') else {
            return Err(PatternError(
                "the IPv6 address in the host is not closed by ']'",
            ));
        };
        let after = &inner[end + 1..];
        let port = match after {
            "" => None,
            p => Some(
                p.strip_prefix(':')
                    .ok_or(PatternError("unexpected characters after the IPv6 address"))?,
            ),
        };
        (&host_port[..end + 2], port)
    } else {
        match host_port.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (host_port, None),
        }
    };
    let port = match port {
        None | Some("*") => Port::Any,
        Some(p) if !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()) => {
            match p.parse::<u16>() {
                Ok(n) if n > 0 => Port::Exact(n),
                _ => return Err(PatternError("the port must be between 1 and 65535, or *")),
            }
        }
        Some(_) => return Err(PatternError("the port must be a number or *")),
    };
    let host = if host == "*" {
        Host::Any
    } else if let Some(base) = host.strip_prefix("*.") {
        let base = normalise_host(base)?;
        if base.parse::<std::net::Ipv4Addr>().is_ok() || base.starts_with('[') {
            return Err(PatternError(
                "'*.' must be followed by a domain name, not an address",
            ));
        }
        if !base.contains('.') {
            return Err(PatternError(
                "'*.' must be followed by a domain with at least two labels, not a top-level domain",
            ));
        }
        Host::Subdomains(base)
    } else if host.contains('*') {
        return Err(PatternError(
            "a '*' in the host must be its first character, followed by '.' (or be the whole host)",
        ));
    } else {
        Host::Exact(normalise_host(host)?)
    };
    Ok((host, port))
}

/// The host as URLs spell it: lowercase, international names in punycode, addresses canonical.
fn normalise_host(host: &str) -> Result<String, PatternError> {
    if host.contains('*') {
        return Err(PatternError(
            "a '*' in the host must be its first character, followed by '.' (or be the whole host)",
        ));
    }
    let parsed =
        url::Host::parse(host).map_err(|_| PatternError("the host is not a valid host name"))?;
    let text = parsed.to_string();
    if let url::Host::Domain(d) = &parsed {
        let ok = d.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        });
        if !ok || d.len() > 253 {
            return Err(PatternError("the host is not a valid host name"));
        }
    }
    Ok(text)
}

/// `*`-only glob matching in O(pattern × text) time at worst (no exponential backtracking).
fn glob_match(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && pattern[p] == b'*' {
            star = Some((p, t));
            p += 1;
        } else if p < pattern.len() && pattern[p] == text[t] {
            p += 1;
            t += 1;
        } else if let Some((sp, st)) = star {
            p = sp + 1;
            t = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&b| b == b'*')
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn pat(s: &str) -> MatchPattern {
        MatchPattern::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    /// The valid patterns and their example matches from Chrome's match-pattern documentation.
    #[test]
    fn chromes_documented_examples() {
        let table: &[(&str, &[&str], &[&str])] = &[
            (
                "https://*/*",
                &[
                    "https://www.google.com/",
                    "https://example.org/foo/bar.html",
                ],
                &["http://www.google.com/"],
            ),
            (
                "https://*/foo*",
                &[
                    "https://example.com/foo/bar.html",
                    "https://www.google.com/foo",
                ],
                &["https://example.com/bar/foo"],
            ),
            (
                "https://*.google.com/foo*bar",
                &[
                    "https://www.google.com/foo/baz/bar",
                    "https://docs.google.com/foobar",
                ],
                &[
                    "https://www.google.com/foo/baz",
                    "https://google.com.evil.org/foobar",
                ],
            ),
            (
                "file:///foo*",
                &["file:///foo/bar.html", "file:///foo"],
                &["file:///bar/foo"],
            ),
            (
                "http://127.0.0.1/*",
                &["http://127.0.0.1/", "http://127.0.0.1/foo/bar.html"],
                &["http://127.0.0.2/"],
            ),
            (
                "http://localhost/*",
                &["http://localhost:3000", "http://localhost:8080/x"],
                &["https://localhost/"],
            ),
            (
                "*://mail.google.com/*",
                &[
                    "http://mail.google.com/foo/baz/bar",
                    "https://mail.google.com/foobar",
                ],
                &["ftp://mail.google.com/", "https://google.com/"],
            ),
            (
                "http://*:*/*",
                &[
                    "http://localhost:8080/",
                    "http://10.0.0.1/",
                    "http://a.b.c:1/x",
                ],
                &["https://localhost/"],
            ),
            (
                "<all_urls>",
                &[
                    "http://example.com/",
                    "https://a.b/c?d",
                    "file:///etc/hosts",
                ],
                &["ftp://example.com/", "data:text/plain,hi"],
            ),
        ];
        for (p, yes, no) in table {
            let m = pat(p);
            for u in *yes {
                assert!(m.matches(u), "{p} should match {u}");
            }
            for u in *no {
                assert!(!m.matches(u), "{p} should not match {u}");
            }
        }
    }

    /// The invalid patterns of Chrome's documentation, and a few more.
    #[test]
    fn malformed_patterns_are_refused_with_a_reason() {
        for p in [
            "https://www.google.com",
            "https://*foo/bar",
            "https://foo.*.bar/baz",
            "http:/bar",
            "foo://*",
            "",
            "random stuff",
            "com.example.app",
            "https://*.com/*",
            "https://*.127.0.0.1/*",
            "https://exa mple.com/*",
            "https://example.com:0/*",
            "https://example.com:99999/*",
            "https://example.com:port/*",
            "https:///*",
            "https://[::1/*",
            "file://host/path",
            "https://example.com/#x",
        ] {
            let e = MatchPattern::parse(p).expect_err(p);
            assert!(!e.0.is_empty());
        }
    }

    #[test]
    fn subdomain_wildcards_cover_the_domain_itself_and_nothing_next_to_it() {
        let m = pat("https://*.example.com/*");
        assert!(m.matches("https://example.com/"));
        assert!(m.matches("https://a.b.example.com/x"));
        assert!(!m.matches("https://evil-example.com/"));
        assert!(!m.matches("https://example.com.evil.org/"));
        assert!(!m.matches("https://xexample.com/"));
    }

    #[test]
    fn ports_follow_chromes_rules() {
        assert!(pat("https://a.com/*").matches("https://a.com:8443/"));
        assert!(pat("https://a.com:*/*").matches("https://a.com:8443/"));
        let exact = pat("https://a.com:8443/*");
        assert!(exact.matches("https://a.com:8443/x"));
        assert!(!exact.matches("https://a.com/x"));
        assert!(pat("https://a.com:443/*").matches("https://a.com/"));
        assert!(pat("http://[::1]:8080/*").matches("http://[::1]:8080/"));
        assert!(!pat("http://[::1]:8080/*").matches("http://[::1]:8081/"));
    }

    #[test]
    fn hosts_compare_case_insensitively_and_paths_include_the_query() {
        let m = pat("https://WWW.Example.com/verify*");
        assert!(m.matches("https://www.example.COM/verify?step=1"));
        assert!(!m.matches("https://www.example.com/other#verify"));
        assert!(pat("https://a.com/x?y=*").matches("https://a.com/x?y=2"));
        assert!(!pat("https://a.com/x").matches("https://a.com/x?y=2"));
    }

    #[test]
    fn origins_are_judged_on_scheme_host_and_port() {
        let m = pat("https://*.example.com/verify/*");
        assert!(m.admits_origin("https://app.example.com"));
        assert!(!m.admits_origin("http://app.example.com"));
        assert!(!m.admits_origin("https://evil-example.com"));
        assert!(!m.admits_origin("null"));
        assert!(pat("<all_urls>").admits_origin("https://anything.example"));
        assert!(!pat("<all_urls>").admits_origin("null"));
        assert!(!pat("file:///*").admits_origin("https://a.com"));
        assert!(!pat("https://a.com:8443/*").admits_origin("https://a.com"));
    }

    #[test]
    fn glob_is_linear_enough_for_hostile_input() {
        let p = format!("/{}b", "*a".repeat(200));
        let t = format!("/{}", "a".repeat(2000));
        assert!(!glob_match(p.as_bytes(), t.as_bytes()));
        assert!(glob_match(b"/*", b"/"));
        assert!(glob_match(b"/a*b*c", b"/axxbyyc"));
        assert!(!glob_match(b"/a*b*c", b"/axxbyy"));
    }

    fn label() -> impl Strategy<Value = String> {
        "[a-z][a-z0-9]{0,10}"
    }

    fn domain() -> impl Strategy<Value = String> {
        prop::collection::vec(label(), 2..4).prop_map(|l| l.join("."))
    }

    /// A pattern path: literal segments with optional `*`s.
    fn pattern_path() -> impl Strategy<Value = String> {
        prop::collection::vec(
            prop_oneof![
                "[a-z0-9_-]{1,8}",
                "[a-z0-9_-]{1,8}\\.html",
                Just("*".to_string())
            ],
            0..5,
        )
        .prop_map(|parts| format!("/{}", parts.concat()))
    }

    proptest! {
        /// A URL built from the parts of a pattern (each `*` filled with anything) matches it.
        #[test]
        fn a_url_built_from_a_pattern_matches_it(
            scheme in prop_oneof![Just("http"), Just("https"), Just("*")],
            wild in any::<bool>(),
            sub in prop::option::of(label()),
            base in domain(),
            port in prop::option::of(1u16..),
            path in pattern_path(),
            fill in "[a-zA-Z0-9/_-]{0,12}",
            secure in any::<bool>(),
        ) {
            let host_pat = if wild { format!("*.{base}") } else { base.clone() };
            let port_pat = port.map(|p| format!(":{p}")).unwrap_or_default();
            let p = pat(&format!("{scheme}://{host_pat}{port_pat}{path}"));
            let url_scheme = match scheme { "*" => if secure { "https" } else { "http" }, s => s };
            let url_host = match (&sub, wild) { (Some(s), true) => format!("{s}.{base}"), _ => base.clone() };
            let url_path = path.replace('*', &fill);
            let url = format!("{url_scheme}://{url_host}{port_pat}{url_path}");
            prop_assert!(p.matches(&url), "{} should match {}", p, url);
            let origin = format!("{url_scheme}://{url_host}{port_pat}");
            prop_assert!(p.admits_origin(&origin), "{} should admit {}", p, origin);
        }

        /// A host that is not the pattern's (nor, for `*.`, a subdomain of it) never matches.
        #[test]
        fn a_different_host_never_matches(
            a in domain(), b in domain(), wild in any::<bool>(), path in pattern_path(),
        ) {
            prop_assume!(a != b && !b.ends_with(&format!(".{a}")));
            let host_pat = if wild { format!("*.{a}") } else { a.clone() };
            let p = pat(&format!("*://{host_pat}{path}"));
            let url_path = path.replace('*', "x");
            let url = format!("https://{b}{url_path}");
            let origin = format!("https://{b}");
            prop_assert!(!p.matches(&url));
            prop_assert!(!p.admits_origin(&origin));
        }

        /// `*.example.com` never matches a host that merely ends with `example.com`.
        #[test]
        fn subdomain_wildcards_respect_label_boundaries(prefix in "[a-z0-9-]{1,12}", tail in prop::option::of(domain())) {
            let p = pat("https://*.example.com/*");
            let host = format!("{prefix}example.com");
            let url = format!("https://{host}/");
            prop_assert!(!p.matches(&url));
            if let Some(t) = tail {
                let url = format!("https://example.com.{t}/");
                prop_assert!(!p.matches(&url));
            }
        }

        /// Parsing never panics, and what parses keeps its text.
        #[test]
        fn parsing_is_total(s in "\\PC{0,40}") {
            if let Ok(p) = MatchPattern::parse(&s) {
                prop_assert_eq!(p.as_str(), s.as_str());
                let again = MatchPattern::parse(p.as_str()).unwrap();
                prop_assert_eq!(again, p);
            }
        }
    }
}
