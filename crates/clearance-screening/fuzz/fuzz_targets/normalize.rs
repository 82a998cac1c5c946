//! Fuzz target: the name normaliser and a one-entity screening must never panic.
#![no_main]

use clearance_screening::{Entity, EntityKind, IndexBuilder, NameQuality, Query, ScreenOptions, SourceList};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    let _ = clearance_screening::normalize::normalize_name(s, true);
    let _ = clearance_screening::normalize::normalize_name(s, false);
    let mut e = Entity::new(SourceList::Custom, "1", EntityKind::Person);
    e.push_name(s, NameQuality::Primary);
    let mut b = IndexBuilder::new();
    b.add_entities([e]);
    let index = b.build();
    let _ = index.screen(&Query::person(s), &ScreenOptions::default());
    let _ = clearance_screening::parse_query_line(s);
});
