//! Country name → ISO 3166-1 alpha-2 lookup used by parsers and queries.

mod table;

use std::collections::HashMap;
use std::sync::OnceLock;

fn fold(s: &str) -> String {
    deunicode::deunicode(s)
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn names() -> &'static HashMap<String, &'static str> {
    static MAP: OnceLock<HashMap<String, &'static str>> = OnceLock::new();
    MAP.get_or_init(|| {
        let mut m = HashMap::new();
        for (code, name) in table::COUNTRY_NAMES {
            m.entry(fold(name)).or_insert(*code);
        }
        m
    })
}

/// Maps a country name or an ISO alpha-2 code (any case) to an upper-case alpha-2 code.
pub fn country_code(s: &str) -> Option<String> {
    let t = s.trim().trim_matches(|c: char| c == '.' || c == ',');
    if t.is_empty() {
        return None;
    }
    if t.len() == 2 && t.chars().all(|c| c.is_ascii_alphabetic()) {
        let up = t.to_ascii_uppercase();
        if table::COUNTRY_NAMES.iter().any(|(c, _)| *c == up) {
            return Some(up);
        }
        return None;
    }
    let f = fold(t);
    if let Some(c) = names().get(&f) {
        return Some((*c).to_owned());
    }
    // "the Gambia", "Republic of X" style leftovers
    let f2 = f.trim_start_matches("the ").to_owned();
    names().get(&f2).map(|c| (*c).to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_codes() {
        assert_eq!(country_code("Iran").as_deref(), Some("IR"));
        assert_eq!(
            country_code("democratic republic of the congo").as_deref(),
            Some("CD")
        );
        assert_eq!(country_code("gb").as_deref(), Some("GB"));
        assert_eq!(country_code("Russian Federation").as_deref(), Some("RU"));
        assert_eq!(country_code("Atlantis"), None);
    }
}
