//! Fuzz target: the OFAC legacy CSV parser (input split into primary and alias files at the
//! first 0xFF byte) must never panic.
#![no_main]

use std::io::Cursor;

use clearance_screening::SourceList;
use clearance_screening::lists::{OfacFiles, parse_ofac};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (primary, alt) = match data.iter().position(|b| *b == 0xff) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let files = OfacFiles {
        primary: Cursor::new(primary),
        aliases: Some(Cursor::new(alt)),
        addresses: None::<Cursor<&[u8]>>,
        comments: None::<Cursor<&[u8]>>,
    };
    let _ = parse_ofac(files, SourceList::UsOfacSdn, ["sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"]);
});
