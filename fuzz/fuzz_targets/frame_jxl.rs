//! JPEG XL (lossless, JPEG recompression, lossy) frames (see `common/frame.rs` for the input's form).
#![no_main]

#[path = "common/frame.rs"]
mod frame;

use libfuzzer_sys::fuzz_target;

const SYNTAXES: &[&str] = &[
    "1.2.840.10008.1.2.4.110",
    "1.2.840.10008.1.2.4.111",
    "1.2.840.10008.1.2.4.112",
];

fuzz_target!(|data: &[u8]| frame::run(data, SYNTAXES));
