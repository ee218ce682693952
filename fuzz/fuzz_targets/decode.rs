//! Any bytes as one frame under any transfer syntax and a small pixel module: the decoders
//! (ours and the registry's) must give a frame of exactly the announced size or a typed error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use viewer_core::pixel_module::{Photometric, PixelModule};
use viewer_core::{decode_frame, Limits};

const SYNTAXES: [&str; 16] = [
    "1.2.840.10008.1.2",
    "1.2.840.10008.1.2.1",
    "1.2.840.10008.1.2.2",
    "1.2.840.10008.1.2.1.99",
    "1.2.840.10008.1.2.5",
    "1.2.840.10008.1.2.4.50",
    "1.2.840.10008.1.2.4.51",
    "1.2.840.10008.1.2.4.57",
    "1.2.840.10008.1.2.4.70",
    "1.2.840.10008.1.2.4.80",
    "1.2.840.10008.1.2.4.81",
    "1.2.840.10008.1.2.4.90",
    "1.2.840.10008.1.2.4.91",
    "1.2.840.10008.1.2.4.201",
    "1.2.840.10008.1.2.4.202",
    "1.2.840.10008.1.2.4.203",
];
const PHOTOMETRIC: [Photometric; 4] = [
    Photometric::Monochrome2,
    Photometric::Rgb,
    Photometric::YbrFull,
    Photometric::YbrFull422,
];

fuzz_target!(|data: &[u8]| {
    let [syntax, rows, columns, format, ref frame @ ..] = *data else {
        return;
    };
    let bits_allocated = [1, 8, 16, 32][usize::from(format & 3)];
    let samples_per_pixel = if format & 4 == 0 { 1 } else { 3 };
    let module = PixelModule {
        rows: u16::from(rows % 64) + 1,
        columns: u16::from(columns % 64) + 1,
        samples_per_pixel,
        bits_allocated,
        bits_stored: bits_allocated - u16::from(format >> 6).min(bits_allocated - 1),
        signed: format & 8 != 0,
        photometric: if samples_per_pixel == 1 {
            Photometric::Monochrome2
        } else {
            PHOTOMETRIC[usize::from(format >> 4) & 3].clone()
        },
        planar_configuration: u16::from(format >> 5 & 1),
        number_of_frames: 1,
    };
    let uid = SYNTAXES[usize::from(syntax) % SYNTAXES.len()];
    if let Ok(decoded) = decode_frame(&module, uid, frame, &Limits::default()) {
        assert_eq!(
            decoded.samples.len(),
            module.pixel_count() * usize::from(samples_per_pixel)
        );
    }
});
