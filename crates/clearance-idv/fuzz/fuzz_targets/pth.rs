//! Fuzz target: the PyTorch state dict reader must refuse what it cannot read, never panic,
//! and never allocate more than its input can describe.
#![no_main]

use clearance_idv::face::pth::parse;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(tensors) = parse(data) {
        for weight in tensors.values() {
            assert_eq!(weight.values.len(), weight.shape.iter().product::<usize>());
        }
    }
});
