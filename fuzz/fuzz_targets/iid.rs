//! Any text as the query of a link from the patient record (IHE IID, DRIMbox report link):
//! a request or a typed error naming the faulty parameter, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(query) = std::str::from_utf8(data) {
        let _ = viewer_core::iid::parse_query(query);
    }
});
