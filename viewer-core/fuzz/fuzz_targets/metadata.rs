//! Any bytes as the server's DICOM JSON (a search answer or metadata): everything the viewer
//! reads from it (stacks, display sets, reports, key images, presentation states, a study's
//! summary) must give a value or a typed error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value};
use viewer_core::dicom_json::JsonDataset;
use viewer_core::Limits;

fuzz_target!(|data: &[u8]| {
    let Ok(Value::Array(items)) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let datasets: Vec<JsonDataset> = items
        .into_iter()
        .map(|item| match item {
            Value::Object(map) => JsonDataset(map),
            _ => JsonDataset(Map::new()),
        })
        .collect();
    for image in viewer_core::study::image_stack(&datasets, &Limits::default()) {
        let _ = image.plane();
    }
    let _ = viewer_core::display_set::display_sets(&datasets);
    for ds in &datasets {
        let _ = viewer_core::sr::read_report(ds);
        let _ = viewer_core::kos::key_images(ds);
        let _ = viewer_core::presentation_state::read(ds);
        let _ = viewer_core::study::StudySummary::from_qido(ds);
        let _ = viewer_core::study::PaletteSource::from_json(ds);
    }
});
