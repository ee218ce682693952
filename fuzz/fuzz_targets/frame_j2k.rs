//! JPEG 2000 (lossless and lossy) frames (see `common/frame.rs` for the input's form).
#![no_main]

#[path = "common/frame.rs"]
mod frame;

use libfuzzer_sys::fuzz_target;

const SYNTAXES: &[&str] = &["1.2.840.10008.1.2.4.90", "1.2.840.10008.1.2.4.91"];

fuzz_target!(|data: &[u8]| frame::run(data, SYNTAXES));
