//! Fuzz target: the UK OFSI CSV parser must never panic, whatever the bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = clearance_screening::lists::parse_uk_ofsi_csv(std::io::Cursor::new(data));
});
