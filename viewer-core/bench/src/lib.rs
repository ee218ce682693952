//! One entry point for the codec benchmark: decode one frame, return a checksum of its samples
//! (so the work cannot be optimised away and results can be compared across builds).

use viewer_core::pixel_module::{Photometric, PixelModule};
use viewer_core::{decode_frame, Limits};

/// Decodes `bytes` as one frame and returns the sum of its samples, or -1 on error.
/// Exported to JavaScript as `decode` in the wasm build.
#[cfg_attr(target_arch = "wasm32", wasm_bindgen::prelude::wasm_bindgen(js_name = decode))]
#[allow(clippy::too_many_arguments)]
pub fn decode_checksum(
    transfer_syntax_uid: &str,
    rows: u16,
    columns: u16,
    samples_per_pixel: u16,
    bits_allocated: u16,
    signed: bool,
    photometric: &str,
    bytes: &[u8],
) -> f64 {
    let module = PixelModule {
        rows,
        columns,
        samples_per_pixel,
        bits_allocated,
        bits_stored: bits_allocated,
        signed,
        photometric: Photometric::parse(photometric),
        planar_configuration: 0,
        number_of_frames: 1,
    };
    match decode_frame(&module, transfer_syntax_uid, bytes, &Limits::default()) {
        Ok(frame) => (0..frame.samples.len()).filter_map(|i| frame.samples.get(i)).sum(),
        Err(_) => -1.0,
    }
}
