//! Fuzz target: the EU FSF CSV parser must never panic, whatever the bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = clearance_screening::lists::parse_eu_fsf_csv(std::io::Cursor::new(data));
});
