//! JPEG 2000 / HTJ2K / JPEG XL codestreams for a pixel module that fits them, so that
//! mutations of real codestreams (seeded by scripts/fuzz.sh) reach the tile and block decoders
//! instead of stopping at the size check. The first byte picks the module and the syntax.
#![no_main]

use libfuzzer_sys::fuzz_target;
use viewer_core::pixel_module::{Photometric, PixelModule};
use viewer_core::{decode_frame, Limits};

/// (rows, columns, samples per pixel, bits allocated, bits stored, signed): the seeds' shapes.
const MODULES: [(u16, u16, u16, u16, u16, bool); 4] = [
    (64, 64, 1, 16, 16, true),
    (64, 64, 1, 16, 12, false),
    (32, 32, 1, 8, 8, false),
    (32, 32, 3, 8, 8, false),
];
const SYNTAXES: [&str; 3] = [
    "1.2.840.10008.1.2.4.201",
    "1.2.840.10008.1.2.4.90",
    "1.2.840.10008.1.2.4.110",
];

fuzz_target!(|data: &[u8]| {
    let [selector, ref codestream @ ..] = *data else {
        return;
    };
    let (rows, columns, samples_per_pixel, bits_allocated, bits_stored, signed) =
        MODULES[usize::from(selector & 3)];
    let module = PixelModule {
        rows,
        columns,
        samples_per_pixel,
        bits_allocated,
        bits_stored,
        signed,
        photometric: if samples_per_pixel == 1 {
            Photometric::Monochrome2
        } else {
            Photometric::Rgb
        },
        planar_configuration: 0,
        number_of_frames: 1,
    };
    let uid = SYNTAXES[usize::from(selector >> 2) % SYNTAXES.len()];
    if let Ok(decoded) = decode_frame(&module, uid, codestream, &Limits::default()) {
        assert_eq!(
            decoded.samples.len(),
            module.pixel_count() * usize::from(samples_per_pixel)
        );
    }
});
