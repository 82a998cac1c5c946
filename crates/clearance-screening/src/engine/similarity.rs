//! Token similarity: variant dictionary, bounded edit distance with a length budget,
//! phonetic keys, initials and article-stripped comparison. Digits never match fuzzily.

use crate::normalize::canonical;

/// How a token pair was matched (reported in explanations).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchKind {
    Exact,
    Variant,
    Fuzzy,
    Phonetic,
    Initial,
    None,
}

/// Optimal-string-alignment distance, giving up (returning `max + 1`) beyond `max`.
pub fn osa_distance(a: &[u8], b: &[u8], max: usize) -> usize {
    let (n, m) = (a.len(), b.len());
    if n.abs_diff(m) > max {
        return max + 1;
    }
    let mut prev2 = vec![0usize; m + 1];
    let mut prev: Vec<usize> = (0..=m).collect();
    let mut cur = vec![0usize; m + 1];
    for i in 1..=n {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(prev2[j - 2] + 1);
            }
            cur[j] = v;
            row_min = row_min.min(v);
        }
        if row_min > max {
            return max + 1;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[m]
}

/// Edits allowed between two tokens, by the shorter length.
pub fn edit_budget(len: usize) -> usize {
    match len {
        0..=3 => 0,
        4..=5 => 1,
        6..=9 => 2,
        _ => 3,
    }
}

/// A coarse consonant-skeleton phonetic key (vowels dropped after the first letter, similar
/// consonants merged: `g`/`k`/`q`/`c`, `s`/`z`, `d`/`t`, `b`/`p`, `f`/`v`/`ph`, `kh`/`h` …).
pub fn phonetic_key(token: &str) -> String {
    let b = token.as_bytes();
    let mut out = String::with_capacity(b.len());
    let mut last = 0u8;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied().unwrap_or(0);
        let (code, skip) = match (c, next) {
            (b'p', b'h') => (b'F', 2),
            (b's' | b'c', b'h') => (b'X', 2),
            (b'z', b'h') => (b'J', 2),
            (b'k', b'h') | (b'g', b'h') => (b'K', 2),
            (b't', b's') | (b't', b'z') => (b'S', 2),
            (b'a' | b'e' | b'i' | b'o' | b'u' | b'y', _) => (if i == 0 { b'A' } else { 0 }, 1),
            (b'h' | b'w', _) => (if i == 0 { b'A' } else { 0 }, 1),
            (b'b' | b'p', _) => (b'P', 1),
            (b'f' | b'v', _) => (b'F', 1),
            (b'c' | b'k' | b'q' | b'g', _) => (b'K', 1),
            (b'j', _) => (b'J', 1),
            (b's' | b'z', _) => (b'S', 1),
            (b'x', _) => (b'S', 1),
            (b'd' | b't', _) => (b'T', 1),
            (b'l', _) => (b'L', 1),
            (b'm', _) => (b'M', 1),
            (b'n', _) => (b'N', 1),
            (b'r', _) => (b'R', 1),
            (d, _) if d.is_ascii_digit() => (d, 1),
            _ => (0, 1),
        };
        if code != 0 && code != last {
            out.push(code as char);
        }
        if code != 0 || i == 0 {
            last = code;
        } else if c != b'h' && c != b'w' {
            last = 0;
        }
        i += skip;
    }
    out
}

/// Collapses repeated letters (`uun` → `un`).
fn squeeze(s: &str) -> Vec<u8> {
    let mut v: Vec<u8> = s.bytes().collect();
    v.dedup();
    v
}

/// Similarity of two normalised tokens in `[0, 1]` and how it was reached.
/// `fuzzy = false` allows only exact and variant-dictionary matches.
pub fn token_similarity(a: &str, b: &str, fuzzy: bool) -> (f32, MatchKind) {
    if a == b {
        return (1.0, MatchKind::Exact);
    }
    let has_digit = |s: &str| s.bytes().any(|c| c.is_ascii_digit());
    if has_digit(a) || has_digit(b) {
        return (0.0, MatchKind::None);
    }
    let (ca, cb) = (canonical(a), canonical(b));
    if ca == cb {
        return (0.95, MatchKind::Variant);
    }
    if !fuzzy {
        return (0.0, MatchKind::None);
    }
    let (la, lb) = (a.len(), b.len());
    if la == 1 || lb == 1 {
        let (short, long) = if la == 1 { (a, b) } else { (b, a) };
        if long.len() > 1 && long.as_bytes()[0] == short.as_bytes()[0] {
            return (0.8, MatchKind::Initial);
        }
        return (0.0, MatchKind::None);
    }
    let mut best = (0.0f32, MatchKind::None);
    if la != lb && la.min(lb) >= 2 && squeeze(a) == squeeze(b) {
        best = (0.92, MatchKind::Fuzzy);
    }
    let mut consider = |x: &str, y: &str, factor: f32| {
        let min = x.len().min(y.len());
        let max_len = x.len().max(y.len());
        let mut budget = edit_budget(min);
        if min == 3 && max_len == 4 {
            budget = 1;
        }
        if budget > 0 {
            let d = osa_distance(x.as_bytes(), y.as_bytes(), budget);
            if d <= budget {
                let rate = if min <= 5 { 0.75 } else { 0.5 };
                let s = (1.0 - rate * d as f32 / max_len as f32) * factor;
                if s > best.0 {
                    best = (s, MatchKind::Fuzzy);
                }
            }
        }
        if min >= 6 && x.as_bytes()[0] == y.as_bytes()[0] && max_len - min <= 2 {
            let (pa, pb) = (phonetic_key(x), phonetic_key(y));
            if pa.len() >= 3
                && pa == pb
                && osa_distance(x.as_bytes(), y.as_bytes(), budget + 1) <= budget + 1
            {
                let s = 0.85 * factor;
                if s > best.0 {
                    best = (s, MatchKind::Phonetic);
                }
            }
        }
    };
    consider(a, b, 1.0);
    if ca != a || cb != b {
        consider(ca, cb, 0.95);
    }
    // glued articles: alzawahiri ~ zawahiri
    let strip = |s: &'static str, t: &str| {
        t.strip_prefix(s)
            .filter(|r| r.len() >= 4)
            .map(str::to_owned)
    };
    if let Some(ra) = strip("al", a).filter(|_| !b.starts_with("al")) {
        consider(&ra, b, 0.95);
    } else if let Some(rb) = strip("al", b).filter(|_| !a.starts_with("al")) {
        consider(a, &rb, 0.95);
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(osa_distance(b"salazar", b"salazr", 2), 1);
        assert_eq!(osa_distance(b"abcd", b"bacd", 2), 1);
        assert_eq!(osa_distance(b"kitten", b"sitting", 1), 2);
    }

    #[test]
    fn similarities() {
        assert_eq!(token_similarity("smith", "smith", true).1, MatchKind::Exact);
        assert_eq!(
            token_similarity("mohammed", "muhammad", true).1,
            MatchKind::Variant
        );
        assert!(token_similarity("salazar", "salazr", true).0 > 0.85);
        assert_eq!(token_similarity("bob", "rob", true).0, 0.0);
        assert_eq!(token_similarity("11420", "11421", true).0, 0.0);
        assert!(token_similarity("alzawahiri", "zawahiri", true).0 > 0.9);
        assert_eq!(token_similarity("salazar", "salazr", false).0, 0.0);
        assert_eq!(phonetic_key("sergei"), phonetic_key("sergey"));
    }
}
