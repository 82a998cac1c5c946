//! Fuzz target: the UN SC XML parser must never panic, whatever the bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = clearance_screening::lists::parse_un_xml(std::io::Cursor::new(data));
});
