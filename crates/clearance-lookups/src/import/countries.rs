//! The country and nationality names registers write as free text, turned into ISO 3166-1
//! alpha-2 codes through the vendored country table and a few aliases and demonyms.

use std::collections::HashMap;
use std::sync::LazyLock;

use clearance_core::country;

use super::common::clean;

/// Names used for the United Kingdom and its parts (registers write the part).
const UK_NAMES: &[&str] = &[
    "uk",
    "united kingdom",
    "great britain",
    "britain",
    "england",
    "wales",
    "scotland",
    "northern ireland",
    "england and wales",
    "gb",
];

/// Other spellings registers use for countries whose table name differs.
const COUNTRY_ALIASES: &[(&str, &str)] = &[
    ("usa", "US"),
    ("us", "US"),
    ("america", "US"),
    ("united states of america", "US"),
    ("south korea", "KR"),
    ("republic of korea", "KR"),
    ("north korea", "KP"),
    ("russia", "RU"),
    ("vietnam", "VN"),
    ("turkey", "TR"),
    ("czech republic", "CZ"),
    ("laos", "LA"),
    ("syria", "SY"),
    ("macedonia", "MK"),
    ("swaziland", "SZ"),
    ("ivory coast", "CI"),
    ("cape verde", "CV"),
    ("burma", "MM"),
    ("holland", "NL"),
    ("brunei", "BN"),
    ("macau", "MO"),
    ("east timor", "TL"),
    ("falkland islands", "FK"),
    ("british virgin islands", "VG"),
    ("virgin islands british", "VG"),
    ("us virgin islands", "VI"),
    ("vatican", "VA"),
    ("vatican city", "VA"),
    ("democratic republic of the congo", "CD"),
    ("dr congo", "CD"),
    ("republic of the congo", "CG"),
    ("saint martin", "MF"),
    ("sint maarten", "SX"),
];

/// Lower case, ASCII, punctuation as spaces, `&` as `and`, no leading `the`.
fn normalize(name: &str) -> String {
    let ascii = deunicode::deunicode(name)
        .to_ascii_lowercase()
        .replace('&', " and ");
    let spaced: String = ascii
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
        .collect();
    let words: Vec<&str> = spaced.split_whitespace().collect();
    let words = match words.first() {
        Some(&"the") => &words[1..],
        _ => &words[..],
    };
    words.join(" ")
}

/// Normalized name → alpha-2: the table's names, the part before a comma or bracket where that
/// is unambiguous (`Bolivia, Plurinational State of` → `bolivia`), and the aliases above.
static COUNTRY_INDEX: LazyLock<HashMap<String, String>> = LazyLock::new(|| {
    let mut index: HashMap<String, String> = HashMap::new();
    let mut short: HashMap<String, Option<String>> = HashMap::new();
    for c in country::all() {
        index.insert(normalize(&c.name), c.alpha2.clone());
        if let Some(head) = c.name.split([',', '(']).next()
            && head.len() < c.name.len()
        {
            let key = normalize(head);
            let entry = short.entry(key).or_insert_with(|| Some(c.alpha2.clone()));
            if entry.as_deref() != Some(c.alpha2.as_str()) {
                *entry = None; // Korea, Congo, Virgin Islands: two countries share the head
            }
        }
    }
    for (key, code) in short {
        if let Some(code) = code {
            index.entry(key).or_insert(code);
        }
    }
    for name in UK_NAMES {
        index.insert((*name).to_string(), "GB".to_string());
    }
    for (name, code) in COUNTRY_ALIASES {
        index.insert((*name).to_string(), (*code).to_string());
    }
    index
});

/// The ISO 3166-1 alpha-2 code of a country name (`ENGLAND` → `GB`, `Cayman Islands` → `KY`),
/// or of a code already given; `None` when unknown (`CHANNEL ISLANDS` is no ISO country).
pub(crate) fn country_code(name: &str) -> Option<String> {
    let name = name.trim();
    if name.len() == 2 && country::is_alpha2(&name.to_ascii_uppercase()) {
        return Some(name.to_ascii_uppercase());
    }
    let key = normalize(name);
    if key.is_empty() {
        return None;
    }
    COUNTRY_INDEX.get(&key).cloned()
}

/// The code of a country name, else the name as given (a record keeps what it cannot map).
pub(crate) fn country_or_text(name: &str) -> Option<String> {
    let name = clean(name)?;
    Some(country_code(&name).unwrap_or(name))
}

/// Demonyms registers write as nationalities; country names are also accepted.
const DEMONYMS: &[(&str, &str)] = &[
    ("british", "GB"),
    ("english", "GB"),
    ("welsh", "GB"),
    ("scottish", "GB"),
    ("northern irish", "GB"),
    ("american", "US"),
    ("irish", "IE"),
    ("french", "FR"),
    ("german", "DE"),
    ("italian", "IT"),
    ("spanish", "ES"),
    ("portuguese", "PT"),
    ("dutch", "NL"),
    ("belgian", "BE"),
    ("swiss", "CH"),
    ("austrian", "AT"),
    ("swedish", "SE"),
    ("norwegian", "NO"),
    ("danish", "DK"),
    ("finnish", "FI"),
    ("icelandic", "IS"),
    ("polish", "PL"),
    ("czech", "CZ"),
    ("slovak", "SK"),
    ("hungarian", "HU"),
    ("romanian", "RO"),
    ("bulgarian", "BG"),
    ("greek", "GR"),
    ("cypriot", "CY"),
    ("maltese", "MT"),
    ("lithuanian", "LT"),
    ("latvian", "LV"),
    ("estonian", "EE"),
    ("croatian", "HR"),
    ("slovenian", "SI"),
    ("serbian", "RS"),
    ("albanian", "AL"),
    ("ukrainian", "UA"),
    ("russian", "RU"),
    ("belarusian", "BY"),
    ("turkish", "TR"),
    ("luxembourger", "LU"),
    ("luxembourgish", "LU"),
    ("chinese", "CN"),
    ("taiwanese", "TW"),
    ("japanese", "JP"),
    ("south korean", "KR"),
    ("korean", "KR"),
    ("indian", "IN"),
    ("pakistani", "PK"),
    ("bangladeshi", "BD"),
    ("sri lankan", "LK"),
    ("nepalese", "NP"),
    ("vietnamese", "VN"),
    ("thai", "TH"),
    ("malaysian", "MY"),
    ("singaporean", "SG"),
    ("indonesian", "ID"),
    ("filipino", "PH"),
    ("australian", "AU"),
    ("new zealander", "NZ"),
    ("canadian", "CA"),
    ("mexican", "MX"),
    ("brazilian", "BR"),
    ("argentine", "AR"),
    ("argentinian", "AR"),
    ("chilean", "CL"),
    ("colombian", "CO"),
    ("nigerian", "NG"),
    ("ghanaian", "GH"),
    ("kenyan", "KE"),
    ("south african", "ZA"),
    ("zimbabwean", "ZW"),
    ("ugandan", "UG"),
    ("egyptian", "EG"),
    ("moroccan", "MA"),
    ("israeli", "IL"),
    ("iranian", "IR"),
    ("iraqi", "IQ"),
    ("saudi", "SA"),
    ("saudi arabian", "SA"),
    ("emirati", "AE"),
    ("lebanese", "LB"),
    ("jordanian", "JO"),
    ("jamaican", "JM"),
    ("scots", "GB"),
    ("georgian", "GE"),
    ("armenian", "AM"),
    ("azerbaijani", "AZ"),
    ("kazakh", "KZ"),
    ("uzbek", "UZ"),
    ("afghan", "AF"),
    ("bosnian", "BA"),
    ("macedonian", "MK"),
    ("montenegrin", "ME"),
    ("moldovan", "MD"),
    ("tanzanian", "TZ"),
    ("zambian", "ZM"),
    ("cameroonian", "CM"),
    ("ethiopian", "ET"),
    ("somali", "SO"),
    ("sudanese", "SD"),
    ("tunisian", "TN"),
    ("algerian", "DZ"),
    ("mauritian", "MU"),
    ("syrian", "SY"),
    ("kuwaiti", "KW"),
    ("qatari", "QA"),
    ("omani", "OM"),
    ("bahraini", "BH"),
    ("yemeni", "YE"),
    ("peruvian", "PE"),
    ("venezuelan", "VE"),
    ("cuban", "CU"),
    ("trinidadian", "TT"),
    ("barbadian", "BB"),
];

static DEMONYM_INDEX: LazyLock<HashMap<&'static str, &'static str>> =
    LazyLock::new(|| DEMONYMS.iter().copied().collect());

/// A nationality as ISO-2 where the text is one known demonym or country name (`British` →
/// `GB`); otherwise the text as given (`British,Irish` stays as written: one field, one code).
pub(crate) fn nationality(text: &str) -> Option<String> {
    let text = clean(text)?;
    let key = normalize(&text);
    if let Some(code) = DEMONYM_INDEX.get(key.as_str()) {
        return Some((*code).to_string());
    }
    Some(country_code(&text).unwrap_or(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn country_names_map_to_alpha2() {
        for (name, code) in [
            ("ENGLAND", "GB"),
            ("UNITED KINGDOM", "GB"),
            ("CAYMAN ISLANDS", "KY"),
            ("UNITED STATES", "US"),
            ("Czech Republic", "CZ"),
            ("Bolivia", "BO"),
            ("Türkiye", "TR"),
            ("cote d'ivoire", "CI"),
            ("de", "DE"),
            ("The Netherlands", "NL"),
        ] {
            assert_eq!(country_code(name).as_deref(), Some(code), "{name}");
        }
        assert_eq!(country_code("CHANNEL ISLANDS"), None);
        assert_eq!(country_code("Korea"), None, "two Koreas: ambiguous");
        assert_eq!(country_code(""), None);
    }

    #[test]
    fn nationalities_map_demonyms_and_keep_the_rest() {
        assert_eq!(nationality("British").as_deref(), Some("GB"));
        assert_eq!(nationality("POLISH").as_deref(), Some("PL"));
        assert_eq!(nationality("New Zealand").as_deref(), Some("NZ"));
        assert_eq!(
            nationality("British,Irish").as_deref(),
            Some("British,Irish")
        );
        assert_eq!(nationality("  "), None);
    }
}
