//! JPEG baseline (8-bit), extended (12-bit) and lossless (process 14 and its first-order
//! prediction) frames (see `common/frame.rs` for the input's form).
#![no_main]

#[path = "common/frame.rs"]
mod frame;

use libfuzzer_sys::fuzz_target;

const SYNTAXES: &[&str] = &[
    "1.2.840.10008.1.2.4.50",
    "1.2.840.10008.1.2.4.51",
    "1.2.840.10008.1.2.4.57",
    "1.2.840.10008.1.2.4.70",
];

fuzz_target!(|data: &[u8]| frame::run(data, SYNTAXES));
