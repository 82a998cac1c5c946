//! Fuzz target: the MRZ parser must never panic, and whatever it accepts must
//! keep its shape and re-parse to the same document.
#![no_main]

use clearance_idv::Date;
use clearance_idv::mrz::parse;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Some(today) = Date::new(2026, 11, 28) else {
        return;
    };
    if let Ok(doc) = parse(text, today) {
        assert_eq!(doc.lines.len(), doc.format.line_count());
        assert!(doc.lines.iter().all(|l| l.len() == doc.format.line_len()));
        let again = parse(&doc.lines.join("\n"), today).expect("corrected lines re-parse");
        assert_eq!(again.lines, doc.lines);
        assert_eq!(again.checks, doc.checks);
    }
});
