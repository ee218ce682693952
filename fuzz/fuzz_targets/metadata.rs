//! Any bytes as the server's DICOM JSON (a search answer or metadata): everything the viewer
//! reads from it must give a value or a typed error, never a panic (`common/readers.rs`).
#![no_main]

#[path = "common/readers.rs"]
mod readers;

use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value};
use viewer_core::dicom_json::JsonDataset;

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
    readers::read_all(&datasets);
});
