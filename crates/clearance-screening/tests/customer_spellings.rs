//! Names as customer files write them (#26's table), against the OFAC SDN 2024 and Consolidated
//! 2025 lists at the default threshold: other scripts, other languages' transliterations and
//! legal forms, and shortened business words. Each must find its listed entity first.

#[path = "common/shared_dir.rs"]
mod common;

use clearance_screening::{Format, IndexBuilder, Query, ScreenOptions, load};

#[test]
fn customer_spellings_find_the_listed_entity() {
    let Some(dir) = common::sanctions_dir() else {
        return;
    };
    let mut b = IndexBuilder::new();
    for folder in ["ofac_sdn_2024-05", "ofac_cons_2025-12"] {
        b.add_list(load(Format::OfacCsv, &dir.join(folder)).expect("list"));
    }
    let index = b.build();
    let company = |name: &str| Query::company(name);
    let person = |name: &str| Query::person(name);
    let rows = [
        (
            company("Общество с ограниченной ответственностью \"Интер Тобако\""),
            "us_ofac_sdn:32733",
        ),
        (
            company("Таварыства з абмежаванай адказнасцю “Інтэр Табак”"),
            "us_ofac_sdn:32733",
        ),
        (
            company("Εταιρία περιορισμένης ευθύνης “Inter Tobacco”"),
            "us_ofac_sdn:32733",
        ),
        (company("Zala Aero Group"), "us_ofac_sdn:45934"),
        (person("김정은"), "us_ofac_sdn:20157"),
        (person("Vladimir Poutine"), "us_ofac_sdn:35096"),
        (company("LUKOIL OIL COMP"), "us_ofac_cons:17248"),
        (company("VTB"), "us_ofac_cons:17013"),
    ];
    let options = ScreenOptions::default();
    let mut missed = Vec::new();
    for (query, expected) in &rows {
        let found = index.screen(query, &options);
        let first = found.first().map(|m| (m.entity_id.as_str(), m.score));
        println!("{:60} {first:?}", query.name);
        if first.map(|f| f.0) != Some(*expected) {
            missed.push((query.name.clone(), first.map(|(id, s)| (id.to_owned(), s))));
        }
    }
    assert!(missed.is_empty(), "missed: {missed:?}");
}
