//! Fuzz target: the US CSL CSV parser must never panic, whatever the bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = clearance_screening::lists::parse_us_csl_csv(std::io::Cursor::new(data));
});
