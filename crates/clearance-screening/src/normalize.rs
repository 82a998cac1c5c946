//! Name normalisation: Unicode folding, transliteration, tokenising, honorific removal,
//! legal-form canonicalisation, article gluing and name-variant canonical forms.

mod tables;
mod translit;

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

pub use translit::to_ascii_lower;

/// Legal forms that are commonly written before the name (`OOO Romashka`).
const LEADING_FORMS: &[&str] = &[
    "ooo", "oao", "zao", "pao", "ao", "jsc", "ojsc", "cjsc", "pjsc", "tov", "too", "llc",
];

/// What a token contributes to a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// An ordinary name part.
    Name,
    /// A connecting or low-information word (`of`, `bin`, `de`).
    Stop,
    /// A canonical legal form (`ltd`, `llc`, `jsc`).
    LegalForm,
    /// A token containing digits (never matched fuzzily).
    Number,
    /// A romanised syllable of a name written in Han, Hangul or Kana: one changed letter is a
    /// different name, so these parts match only exactly (or as a known variant).
    Syllable,
}

/// One normalised name part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NormToken {
    pub text: String,
    pub role: Role,
}

fn set(words: &'static [&'static str]) -> std::collections::HashSet<&'static str> {
    words.iter().copied().collect()
}

struct Tables {
    honorifics: std::collections::HashSet<&'static str>,
    articles: std::collections::HashSet<&'static str>,
    stop: std::collections::HashSet<&'static str>,
    legal: HashMap<Vec<&'static str>, &'static str>,
    legal_max: usize,
    variants: HashMap<&'static str, &'static str>,
    business: HashMap<&'static str, &'static str>,
    descriptors: std::collections::HashSet<&'static str>,
}

fn tables() -> &'static Tables {
    static T: OnceLock<Tables> = OnceLock::new();
    T.get_or_init(|| {
        let mut legal = HashMap::new();
        let mut legal_max = 1;
        for (k, v) in tables::LEGAL_FORMS {
            let key: Vec<&str> = k.split(' ').collect();
            legal_max = legal_max.max(key.len());
            legal.entry(key).or_insert(*v);
        }
        let mut variants = HashMap::new();
        for group in tables::VARIANTS {
            for w in group.iter() {
                variants.entry(*w).or_insert(group[0]);
            }
        }
        let mut business = HashMap::new();
        for group in tables::BUSINESS_WORDS {
            for w in group.iter() {
                business.entry(*w).or_insert(group[0]);
            }
        }
        Tables {
            business,
            descriptors: set(tables::DESCRIPTORS),
            honorifics: set(tables::HONORIFICS),
            articles: set(tables::ARTICLES),
            stop: set(tables::STOP_WORDS),
            legal,
            legal_max,
            variants,
        }
    })
}

/// The canonical spelling of a name variant (`mohammed` → `muhammad`), or the token itself.
pub fn canonical(token: &str) -> &str {
    tables().variants.get(token).copied().unwrap_or(token)
}

/// True for a generic descriptive word of organisation names (`group`, `oil`, `bank`): weak
/// evidence of which organisation a name is.
pub fn is_descriptor(token: &str) -> bool {
    tables().descriptors.contains(token)
}

/// True for a token that only carries a title or honorific.
pub fn is_honorific(token: &str) -> bool {
    tables().honorifics.contains(token)
}

/// Unicode-folds and transliterates a string to lower-case ASCII (punctuation kept).
pub fn fold(raw: &str) -> String {
    // ASCII is its own NFKC form and needs no transliteration: most customer names are.
    if raw.is_ascii() {
        return raw.to_ascii_lowercase();
    }
    let nfkc: String = raw.nfkc().collect();
    to_ascii_lower(&nfkc)
}

/// Splits folded text into raw word chunks: apostrophes vanish, `S.A.`-style abbreviations
/// collapse to `sa`, other punctuation separates words.
fn chunks(folded: &str) -> Vec<String> {
    let mut out = Vec::new();
    let folded = folded.replace('&', " and ");
    for piece in folded.split(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '\'')) {
        let piece: String = piece.chars().filter(|c| *c != '\'').collect();
        if piece.is_empty() {
            continue;
        }
        let parts: Vec<&str> = piece.split('.').filter(|p| !p.is_empty()).collect();
        if parts.len() > 1 && parts.iter().all(|p| p.len() == 1) {
            out.push(parts.concat());
        } else {
            out.extend(parts.into_iter().map(str::to_owned));
        }
    }
    out
}

/// Reorders `SURNAME, Given names` (exactly one comma) into `Given names SURNAME`.
pub fn reorder_surname_first(raw: &str) -> String {
    let mut it = raw.split(',');
    match (it.next(), it.next(), it.next()) {
        (Some(a), Some(b), None) if !a.trim().is_empty() && !b.trim().is_empty() => {
            format!("{} {}", b.trim(), a.trim())
        }
        _ => raw.to_owned(),
    }
}

/// Glues Arabic articles to the next word (`al zawahiri` → `alzawahiri`), rewrites `abd al` to
/// `abdul`, and (for organisations) merges runs of single letters (`s a de c v` → `sa de cv`).
fn glue(words: Vec<String>, person: bool) -> Vec<String> {
    let t = tables();
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    let mut i = 0;
    while i < words.len() {
        let w = words[i].as_str();
        let next = words.get(i + 1).map(String::as_str);
        if (w == "abd" || w == "abdu") && next.is_some_and(|n| t.articles.contains(n) || n == "ul")
        {
            out.push("abdul".into());
            i += 2;
            continue;
        }
        if w == "abd" {
            out.push("abdul".into());
            i += 1;
            continue;
        }
        if t.articles.contains(w)
            && let Some(n) = next
            && !t.stop.contains(n)
            && !t.articles.contains(n)
        {
            out.push(format!("al{n}"));
            i += 2;
            continue;
        }
        if !person && w.len() == 1 && w.as_bytes()[0].is_ascii_alphabetic() {
            let mut run = w.to_owned();
            let mut j = i + 1;
            while let Some(n) = words
                .get(j)
                .filter(|n| n.len() == 1 && n.as_bytes()[0].is_ascii_alphabetic())
            {
                run.push_str(n);
                j += 1;
            }
            out.push(run);
            i = j;
            continue;
        }
        out.push(w.to_owned());
        i += 1;
    }
    out
}

/// Long legal-form words that are worth correcting when misspelt.
const LEGAL_WORDS: &[&str] = &[
    "company",
    "limited",
    "corporation",
    "incorporated",
    "establishment",
    "liability",
    "joint",
    "stock",
    "public",
    "private",
    "partnership",
];

/// Corrects a misspelt long legal-form word (`companr` → `company`), organisations only.
fn fuzzy_legal_word(word: &str) -> Option<&'static str> {
    if word.len() < 5 {
        return None;
    }
    LEGAL_WORDS
        .iter()
        .find(|k| {
            k.len() >= 6
                && **k != word
                && crate::engine::osa_distance(k.as_bytes(), word.as_bytes(), 1) <= 1
        })
        .copied()
}

/// Reads digits inside words as the letters they imitate (`Sech1n` → `sechin`).
fn unleet(w: String) -> String {
    let digits = w.bytes().filter(u8::is_ascii_digit).count();
    let letters = w.bytes().filter(u8::is_ascii_alphabetic).count();
    if digits == 0 || letters < 2 || digits * 2 > letters {
        return w;
    }
    w.chars()
        .map(|c| match c {
            '0' => 'o',
            '1' => 'i',
            '3' => 'e',
            '4' => 'a',
            '5' => 's',
            '7' => 't',
            '9' => 'g',
            other => other,
        })
        .collect()
}

/// True when the name is written in Arabic, Persian or Hebrew script (romanised without vowels).
pub fn is_abjad(raw: &str) -> bool {
    raw.chars().any(|c| {
        matches!(c as u32,
            0x0590..=0x05ff | 0x0600..=0x06ff | 0x0750..=0x077f | 0x08a0..=0x08ff | 0xfb1d..=0xfdff | 0xfe70..=0xfeff)
    })
}

/// Consonant skeleton of a whole normalised name: vowels, `w`, `y` dropped, `p`→`b`, `v`→`f`,
/// `q`→`k`, `g`→`j`, repeats collapsed (`Osama bin Laden` and `أسامة بن لادن` → `smbnldn`).
pub fn skeleton<'a>(tokens: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = String::new();
    for t in tokens {
        for c in t.chars() {
            let c = match c {
                'a' | 'e' | 'i' | 'o' | 'u' | 'w' | 'y' => continue,
                'p' => 'b',
                'v' => 'f',
                'q' => 'k',
                'g' => 'j',
                c if c.is_ascii_lowercase() => c,
                _ => continue,
            };
            if !out.ends_with(c) {
                out.push(c);
            }
        }
    }
    out
}

/// True when the name is written in a syllabic or logographic East-Asian script.
fn is_syllabic(raw: &str) -> bool {
    raw.chars().any(|c| {
        matches!(c as u32,
            0x3040..=0x30ff | 0x3400..=0x4dbf | 0x4e00..=0x9fff | 0xac00..=0xd7af | 0x1100..=0x11ff | 0xf900..=0xfaff)
    })
}

/// Normalises a name into tokens. `person` enables honorific removal and comma reordering.
pub fn normalize_name(raw: &str, person: bool) -> Vec<NormToken> {
    let t = tables();
    let raw = if person {
        reorder_surname_first(raw)
    } else {
        raw.to_owned()
    };
    let mut words: Vec<String> = glue(chunks(&fold(&raw)), person)
        .into_iter()
        .map(unleet)
        .collect();
    if !person {
        for (i, w) in words.iter_mut().enumerate() {
            if i > 0
                && !t.legal.contains_key(&vec![w.as_str()])
                && let Some(fixed) = fuzzy_legal_word(w)
            {
                *w = fixed.to_owned();
            }
        }
    }
    if person && words.len() > 1 {
        let kept: Vec<String> = words
            .iter()
            .filter(|w| !t.honorifics.contains(w.as_str()))
            .cloned()
            .collect();
        if !kept.is_empty() {
            words = kept;
        }
    }
    let mut toks: Vec<NormToken> = Vec::with_capacity(words.len());
    let mut i = 0;
    while i < words.len() {
        // legal forms (longest match first); persons keep no legal forms
        if !person {
            let mut matched = false;
            for n in (1..=t.legal_max.min(words.len() - i)).rev() {
                let key: Vec<&str> = words[i..i + n].iter().map(String::as_str).collect();
                if let Some(canon) = t.legal.get(&key) {
                    // a single-letter or ambiguous form at the very start is a name, not a form
                    if i == 0 && n == 1 && words.len() > 1 && !LEADING_FORMS.contains(&key[0]) {
                        break;
                    }
                    for c in canon.split(' ') {
                        toks.push(NormToken {
                            text: c.to_owned(),
                            role: Role::LegalForm,
                        });
                    }
                    i += n;
                    matched = true;
                    break;
                }
            }
            if matched {
                continue;
            }
        }
        let w = words[i].as_str();
        // Business words in full (`intl` → `international`), organisations only.
        let w = if person {
            w
        } else {
            t.business.get(w).copied().unwrap_or(w)
        };
        let mut text = w.to_owned();
        if text.len() > 6 && text.ends_with("vitch") {
            text.truncate(text.len() - 5);
            text.push_str("vich");
        }
        let roman = !person
            && matches!(
                text.as_str(),
                "ii" | "iii" | "iv" | "vi" | "vii" | "viii" | "ix" | "xi" | "xii"
            );
        let role = if roman || text.chars().any(|c| c.is_ascii_digit()) {
            Role::Number
        } else if t.stop.contains(text.as_str())
            || (person && i > 0 && t.legal.contains_key(&vec![text.as_str()]))
        {
            Role::Stop
        } else {
            Role::Name
        };
        toks.push(NormToken { text, role });
        i += 1;
    }
    if is_syllabic(&raw) {
        for t in &mut toks {
            if t.role == Role::Name {
                t.role = Role::Syllable;
            }
        }
    }
    if !toks.is_empty() && toks.iter().all(|t| t.role == Role::Stop) {
        for t in &mut toks {
            t.role = Role::Name;
        }
    }
    toks
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(raw: &str, person: bool) -> Vec<String> {
        normalize_name(raw, person)
            .into_iter()
            .map(|t| t.text)
            .collect()
    }

    #[test]
    fn persons() {
        assert_eq!(
            texts("SALAZAR RAMIREZ, Jesus Alfredo", true),
            ["jesus", "alfredo", "salazar", "ramirez"]
        );
        assert_eq!(
            texts("AL-ZAWAHIRI, Dr. Ayman", true),
            ["ayman", "alzawahiri"]
        );
        assert_eq!(
            texts("abd al Hussein ABBAS", true),
            ["abdul", "hussein", "abbas"]
        );
        assert_eq!(
            texts("Aleksey Vasilyevitch", true),
            ["aleksey", "vasilyevich"]
        );
        assert_eq!(texts("O’Brien", true), ["obrien"]);
        assert_eq!(texts("Кирилл Шамалов", true), ["kirill", "shamalov"]);
    }

    #[test]
    fn organisations() {
        assert_eq!(texts("CROSS WINDS, S.A.", false), ["cross", "winds", "sa"]);
        assert_eq!(
            texts("THINH CUONG COMPANY LIMITED", false),
            ["thinh", "cuong", "co", "ltd"]
        );
        assert_eq!(
            texts("Acme Limited Liability Company", false),
            ["acme", "llc"]
        );
        assert_eq!(texts("OOO Romashka", false), ["llc", "romashka"]);
        // Business words in full, whatever the abbreviation (organisations only).
        assert_eq!(
            texts("Acme Intl Hldgs Grp Mgmt Comp", false),
            [
                "acme",
                "international",
                "holding",
                "group",
                "management",
                "co"
            ]
        );
        assert_eq!(texts("Acme Ltd Liability Co", false), ["acme", "llc"]);
        assert_eq!(texts("Grp Mgmt", true), ["grp", "mgmt"]);
        assert!(is_descriptor("oil") && is_descriptor("group") && !is_descriptor("lukoil"));
        let t = normalize_name("11420 CORP.", false);
        assert_eq!(t[0].role, Role::Number);
    }

    #[test]
    fn east_asian_scripts_are_syllables() {
        let t = normalize_name("习近平", true);
        assert!(!t.is_empty());
        assert!(t.iter().all(|t| t.role == Role::Syllable));
        assert!(
            normalize_name("Xi Jinping", true)
                .iter()
                .all(|t| t.role == Role::Name)
        );
    }

    #[test]
    fn variants() {
        assert_eq!(canonical("mohammed"), "muhammad");
        assert_eq!(canonical("zzz"), "zzz");
    }
}
