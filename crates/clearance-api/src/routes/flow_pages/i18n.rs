//! The message catalogues of the flow pages: one JSON file per language, embedded in the binary.
//! A session's `language` picks one; a language without a catalogue, or a key a catalogue
//! lacks, falls back to English. A session's own `messages`, keyed like the catalogues, come
//! before all of them.

use std::collections::HashMap;
use std::sync::LazyLock;

use clearance_core::resources::flow_session::FlowSession;

const SOURCES: &[(&str, &str)] = &[
    ("en", include_str!("i18n/en.json")),
    ("fr", include_str!("i18n/fr.json")),
    ("de", include_str!("i18n/de.json")),
    ("es", include_str!("i18n/es.json")),
];

type Texts = HashMap<String, String>;

static CATALOGUES: LazyLock<HashMap<&'static str, Texts>> = LazyLock::new(|| {
    SOURCES
        .iter()
        .map(|(lang, source)| {
            // A broken catalogue is caught by the tests below; at run time it reads as empty.
            let texts: Texts = serde_json::from_str(source).unwrap_or_default();
            (*lang, texts)
        })
        .collect()
});

/// The texts of one language, with English behind them and a session's own texts before them.
pub struct Catalogue {
    lang: &'static str,
    /// The session's `messages` (catalogue key → text); keys no page uses are never asked for.
    custom: Texts,
}

impl Catalogue {
    /// The catalogue for a session language; English when there is none for it.
    pub fn for_language(lang: &str) -> Catalogue {
        let lang = SOURCES
            .iter()
            .map(|(l, _)| *l)
            .find(|l| *l == lang)
            .unwrap_or("en");
        Catalogue {
            lang,
            custom: Texts::new(),
        }
    }

    /// The catalogue of a flow session: its `language`, with its `messages` in front.
    pub fn for_session(session: &FlowSession) -> Catalogue {
        let mut catalogue = Catalogue::for_language(session.language.as_str());
        if let Some(messages) = &session.messages {
            catalogue.custom = messages
                .iter()
                .map(|(key, text)| (key.clone(), text.clone()))
                .collect();
        }
        catalogue
    }

    /// The language actually used.
    pub fn lang(&self) -> &'static str {
        self.lang
    }

    /// The text for `key`: the session's own if it has one; else this language's; the English
    /// one if this language lacks it; the key itself if no catalogue has it (a bug the tests
    /// catch).
    pub fn get<'a>(&'a self, key: &'a str) -> &'a str {
        if let Some(text) = self.custom.get(key) {
            return text;
        }
        let find = |lang: &str| {
            CATALOGUES
                .get(lang)
                .and_then(|texts| texts.get(key))
                .map(String::as_str)
        };
        find(self.lang).or_else(|| find("en")).unwrap_or(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_catalogue_parses_and_has_every_english_key() {
        let en: Texts = serde_json::from_str(SOURCES[0].1).unwrap();
        for (lang, source) in SOURCES {
            let texts: Texts = serde_json::from_str(source)
                .unwrap_or_else(|e| panic!("{lang}.json does not parse: {e}"));
            for key in en.keys() {
                assert!(texts.contains_key(key), "{lang}.json lacks '{key}'");
            }
            assert_eq!(texts.len(), en.len(), "{lang}.json has keys English lacks");
        }
    }

    #[test]
    fn unknown_languages_fall_back_to_english() {
        assert_eq!(Catalogue::for_language("de").get("cancel"), "Abbrechen");
        assert_eq!(Catalogue::for_language("ja").lang(), "en");
        assert_eq!(Catalogue::for_language("ja").get("cancel"), "Cancel");
    }

    fn session(extra: serde_json::Value) -> FlowSession {
        let mut body = serde_json::json!({"clientId": "c1", "checkTypes": ["identity_check"],
            "successUrl": "https://example.com/ok", "cancelUrl": "https://example.com/no"});
        if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
            body.extend(extra.clone());
        }
        clearance_core::resources::flow_session::validate_create(body.as_object().unwrap(), 0, None)
            .unwrap()
    }

    #[test]
    fn a_sessions_messages_come_first_where_given() {
        let de = session(serde_json::json!({
            "language": "de",
            "messages": {"cancel": "Zurück zum Shop", "continue": "  "}
        }));
        let t = Catalogue::for_session(&de);
        assert_eq!(t.lang(), "de");
        assert_eq!(t.get("cancel"), "Zurück zum Shop");
        assert_eq!(t.get("continue"), "Weiter", "blank texts are not shown");
        let plain = Catalogue::for_session(&session(serde_json::json!({})));
        assert_eq!(plain.get("cancel"), "Cancel");
    }
}
