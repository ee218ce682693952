//! Any bytes as a file the user opens from their disk: its attributes read as DICOM JSON and
//! then everything the viewer reads from them (a report, key images, a presentation state, a
//! stack of one) must give a value or a typed error, never a panic. Seeded with the corpus's
//! small files, reports and presentation states among them.
#![no_main]

#[path = "common/readers.rs"]
mod readers;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(attributes) = viewer_core::local::attributes_of(data) else {
        return;
    };
    let datasets = [attributes];
    readers::read_all(&datasets);
    let _ = viewer_core::local::group_series(&datasets);
});
