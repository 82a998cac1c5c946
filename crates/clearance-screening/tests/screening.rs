//! Behaviour of the query API on a small hand-built index.

use std::sync::Arc;

use clearance_screening::{
    Classification, Entity, EntityKind, Gender, Identifier, IdentifierKind, IndexBuilder,
    NameQuality, PartialDate, Query, QueryKind, ScreenOptions, ScreeningIndex, SearchMode,
    SourceList, screen_jsonl,
};

fn person(id: &str, names: &[&str], dob: Option<&str>, country: &str, gender: Gender) -> Entity {
    let mut e = Entity::new(SourceList::Custom, id, EntityKind::Person);
    for (i, n) in names.iter().enumerate() {
        e.push_name(
            n,
            if i == 0 {
                NameQuality::Primary
            } else {
                NameQuality::Strong
            },
        );
    }
    e.push_dob(dob.and_then(PartialDate::parse_iso));
    e.countries.push(country.to_owned());
    e.gender = Some(gender);
    e.push_classification(Classification::WatchlistSanctionsLists);
    e
}

fn company(id: &str, name: &str, class: Classification) -> Entity {
    let mut e = Entity::new(SourceList::Custom, id, EntityKind::Organisation);
    e.push_name(name, NameQuality::Primary);
    e.push_classification(class);
    e
}

fn index() -> ScreeningIndex {
    let mut b = IndexBuilder::new();
    let mut ivan = person(
        "1",
        &["Ivan Petrovich SIDOROV", "Иван Петрович Сидоров"],
        Some("1965-04-12"),
        "RU",
        Gender::Male,
    );
    ivan.identifiers.push(Identifier {
        kind: IdentifierKind::Passport,
        value: "75 1234567".into(),
        country: Some("RU".into()),
    });
    b.add_entities([
        ivan,
        person(
            "2",
            &["Muhammad Abdul Rahman AL-HASHIMI"],
            Some("1970"),
            "IQ",
            Gender::Male,
        ),
        person("3", &["Maria GONZALEZ LOPEZ"], None, "MX", Gender::Female),
        company(
            "4",
            "ROMASHKA TRADING LIMITED LIABILITY COMPANY",
            Classification::WatchlistSanctionsLists,
        ),
        company("5", "Sunrise Shipping Co., Ltd.", Classification::PepLevel3),
    ]);
    b.set_version(SourceList::Custom, "test-1");
    b.build()
}

fn top(ix: &ScreeningIndex, q: &Query) -> Option<(String, f32)> {
    ix.screen(
        q,
        &ScreenOptions {
            threshold: 0.0,
            ..ScreenOptions::default()
        },
    )
    .first()
    .map(|m| (m.entity_id.clone(), m.score))
}

#[test]
fn index_is_shareable() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<ScreeningIndex>();
    let shared = Arc::new(index());
    let other = Arc::clone(&shared);
    let h = std::thread::spawn(move || {
        other
            .screen(&Query::person("Ivan Sidorov"), &ScreenOptions::default())
            .len()
    });
    assert_eq!(h.join().expect("thread"), 1);
    assert_eq!(shared.stats().entities, 5);
    assert_eq!(
        shared.entity("custom:3").map(|e| e.primary_name()),
        Some("Maria GONZALEZ LOPEZ")
    );
    assert!(shared.entity("custom:99").is_none());
}

#[test]
fn exact_reordered_and_transliterated() {
    let ix = index();
    for name in [
        "Ivan Petrovich SIDOROV",
        "SIDOROV, Ivan Petrovich",
        "Иван Сидоров",
        "Ivan Sidorov",
        "ivan petrovitch sidorov",
    ] {
        let (id, score) = top(&ix, &Query::person(name)).expect(name);
        assert_eq!(id, "custom:1", "{name}");
        assert!(score >= 85.0, "{name}: {score}");
    }
    let (id, s) = top(&ix, &Query::person("Mohammed Abd al-Rahman al Hashimi")).expect("hashimi");
    assert_eq!(id, "custom:2");
    assert!(s >= 85.0, "{s}");
}

#[test]
fn companies_and_legal_forms() {
    let ix = index();
    let (id, s) = top(&ix, &Query::company("OOO Romashka Trading")).expect("romashka");
    assert_eq!(id, "custom:4");
    assert!(s >= 90.0, "{s}");
    // person queries never return companies
    assert!(
        ix.screen(
            &Query::person("Romashka Trading"),
            &ScreenOptions::default()
        )
        .is_empty()
    );
}

#[test]
fn different_legal_forms_lower_the_score() {
    let ix = index();
    let same = top(&ix, &Query::company("Sunrise Shipping Co Ltd")).expect("same");
    let other = top(&ix, &Query::company("Sunrise Shipping Co GmbH")).expect("other");
    assert!(other.1 < same.1, "{other:?} vs {same:?}");
}

#[test]
fn unrelated_names_do_not_alert() {
    let ix = index();
    for name in ["John Smith", "Peter Ivanov", "Maria Schmidt"] {
        assert!(
            ix.screen(&Query::person(name), &ScreenOptions::default())
                .is_empty(),
            "{name}"
        );
    }
}

#[test]
fn qualifiers_lower_the_score() {
    let ix = index();
    let base = Query::person("Ivan Petrovich Sidorov");
    let (_, s0) = top(&ix, &base).expect("base");
    let same = Query {
        dob: PartialDate::parse_iso("1965-04-12"),
        country: Some("Russia".into()),
        gender: Some(Gender::Male),
        ..base.clone()
    };
    assert_eq!(top(&ix, &same).expect("same").1, s0);
    let other = Query {
        dob: PartialDate::parse_iso("1990"),
        country: Some("FR".into()),
        gender: Some(Gender::Female),
        ..base.clone()
    };
    let m = &ix.screen(
        &other,
        &ScreenOptions {
            threshold: 0.0,
            ..ScreenOptions::default()
        },
    )[0];
    assert!(m.score <= s0 - 30.0, "{}", m.score);
    let fields: Vec<&str> = m
        .explanation
        .qualifiers
        .iter()
        .map(|q| q.field.as_str())
        .collect();
    assert_eq!(fields, ["dob", "country", "gender"]);
}

#[test]
fn precise_mode_needs_exact_parts() {
    let ix = index();
    let precise = ScreenOptions {
        mode: SearchMode::Precise,
        ..ScreenOptions::default()
    };
    assert!(
        ix.screen(&Query::person("Ivan Sidorv"), &precise)
            .is_empty()
    );
    assert!(
        !ix.screen(&Query::person("Ivan Sidorv"), &ScreenOptions::default())
            .is_empty()
    );
    assert!(
        !ix.screen(&Query::person("Ivan Petrovich Sidorov"), &precise)
            .is_empty()
    );
}

#[test]
fn identifier_hit_scores_100() {
    let ix = index();
    let q = Query {
        identifier: Some("751234567".into()),
        ..Query::person("I. P. S.")
    };
    let m = ix.screen(&q, &ScreenOptions::default());
    assert_eq!(m[0].entity_id, "custom:1");
    assert_eq!(m[0].score, 100.0);
}

#[test]
fn classification_filter_and_explanation() {
    let ix = index();
    let q = Query::company("Sunrise Shipping Company Limited");
    let all = ix.screen(&q, &ScreenOptions::default());
    assert_eq!(all[0].entity_id, "custom:5");
    assert_eq!(all[0].classification, Some(Classification::PepLevel3));
    let e = &all[0].explanation;
    assert_eq!(e.list, "custom");
    assert_eq!(e.list_version.as_deref(), Some("test-1"));
    assert!(
        e.parts
            .iter()
            .any(|p| p.query == "sunrise" && p.candidate == "sunrise")
    );
    let only = ScreenOptions {
        classifications: vec![Classification::WatchlistSanctionsLists],
        ..ScreenOptions::default()
    };
    assert!(ix.screen(&q, &only).is_empty());
    let other_list = ScreenOptions {
        sources: vec![SourceList::UnSc],
        ..ScreenOptions::default()
    };
    assert!(ix.screen(&q, &other_list).is_empty());
    assert_eq!(QueryKind::Company, q.kind);
}

#[test]
fn json_lines_driver() {
    let ix = index();
    let input = "{\"name\":\"Ivan Sidorov\",\"type\":\"person\",\"dob\":\"1965\",\"country\":\"RU\",\"gender\":\"male\"}\n\n{\"name\":\"Nobody Atall\",\"type\":\"person\"}\n{\"name\":\"x\",\"type\":\"ship\"}\n{\"name\":\"Sunrise Shipping\",\"type\":\"company\"}\n";
    let mut out = Vec::new();
    let n = screen_jsonl(&ix, input.as_bytes(), &mut out, &ScreenOptions::default()).expect("run");
    assert_eq!(n, 4);
    let lines: Vec<serde_json::Value> = String::from_utf8(out)
        .expect("utf8")
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[0]["matches"][0]["entityId"], "custom:1");
    assert!(lines[0]["matches"][0]["score"].as_f64().expect("score") >= 85.0);
    assert_eq!(
        lines[0]["matches"][0]["classification"],
        "watchlistSanctionsLists"
    );
    assert!(lines[0]["matches"][0]["explanation"]["parts"].is_array());
    assert_eq!(lines[1]["matches"].as_array().expect("array").len(), 0);
    assert!(lines[2]["error"].is_string());
    assert_eq!(lines[3]["matches"][0]["entityId"], "custom:5");
}

#[test]
fn arabic_script_queries_match_latin_names() {
    let mut b = IndexBuilder::new();
    b.add_entities([
        person(
            "10",
            &["Usama bin Muhammad bin Awad BIN LADIN", "Osama bin Laden"],
            None,
            "SA",
            Gender::Male,
        ),
        person("11", &["Ali KHAMENEI"], None, "IR", Gender::Male),
    ]);
    let ix = b.build();
    let m = ix.screen(&Query::person("أسامة بن لادن"), &ScreenOptions::default());
    assert_eq!(
        m.first().map(|m| m.entity_id.as_str()),
        Some("custom:10"),
        "{m:?}"
    );
    assert!(
        m[0].explanation
            .parts
            .iter()
            .any(|p| p.method == clearance_screening::MatchKind::Phonetic)
    );
    let m = ix.screen(&Query::person("علي خامنئي"), &ScreenOptions::default());
    assert_eq!(
        m.first().map(|m| m.entity_id.as_str()),
        Some("custom:11"),
        "{m:?}"
    );
    // a Latin name that merely shares consonants with nothing listed stays clear
    assert!(
        ix.screen(&Query::person("Asafe Moura"), &ScreenOptions::default())
            .is_empty()
    );
}

#[test]
fn namesakes_at_the_same_score_are_ranked_by_what_else_agrees() {
    let mut b = IndexBuilder::new();
    // Listed first (and with the smaller id): the namesake nothing else is known of.
    let mut unknown = Entity::new(SourceList::Custom, "1", EntityKind::Person);
    unknown.push_name("Ali HASSAN", NameQuality::Primary);
    let corroborated = person("2", &["Ali HASSAN"], Some("1970-01-01"), "IQ", Gender::Male);
    b.add_entities([unknown, corroborated]);
    let index = b.build();
    let q = Query {
        dob: PartialDate::parse_iso("1970-01-01"),
        country: Some("IQ".into()),
        gender: Some(Gender::Male),
        ..Query::person("Ali Hassan")
    };
    let found = index.screen(&q, &ScreenOptions::default());
    assert_eq!(found.len(), 2);
    assert_eq!(found[0].score, found[1].score, "{found:?}");
    assert_eq!(
        found[0].entity_id, "custom:2",
        "birth date, country and gender agree"
    );
    // Without that evidence the tie falls back to the id order.
    let bare = index.screen(&Query::person("Ali Hassan"), &ScreenOptions::default());
    assert_eq!(bare[0].entity_id, "custom:1");
}
