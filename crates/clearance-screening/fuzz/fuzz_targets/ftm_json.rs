//! Fuzz target: the FollowTheMoney JSON-lines parser must never panic, whatever the bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = clearance_screening::lists::parse_ftm_json(std::io::Cursor::new(data));
});
