//! One frame of a codec's syntaxes under a pixel module the input chooses, for the per-codec
//! targets (`frame_*`). The input is a 7-byte header then the frame:
//! `[syntax, format, bits stored, rows (u16 BE), columns (u16 BE)]`, where `syntax` picks one
//! of the target's syntaxes and `format` holds bits allocated (bits 0-1: 8, 16, 1, 32), three
//! samples (bit 2), signed (bit 3), the photometric interpretation (bits 4-5) and the planar
//! configuration (bit 6). Rows and columns are kept within 1..=512, so that real frames of the
//! corpus (written by `scripts/fuzz_frame_seeds.py` with their own module) are seeds, while
//! no input makes a frame larger than 512 x 512 x 3 x 4 bytes.
//!
//! The decoders must give a frame of exactly the announced size or a typed error.

use viewer_core::pixel_module::{Photometric, PixelModule};
use viewer_core::{decode_frame, Limits};

const GREY: [Photometric; 4] = [
    Photometric::Monochrome2,
    Photometric::Monochrome1,
    Photometric::Monochrome2,
    Photometric::PaletteColor,
];
const COLOUR: [Photometric; 4] = [
    Photometric::Rgb,
    Photometric::YbrFull,
    Photometric::YbrFull422,
    Photometric::YbrRct,
];

/// The module a header describes.
fn module(format: u8, bits_stored: u8, rows: u16, columns: u16) -> PixelModule {
    let bits_allocated = [8, 16, 1, 32][usize::from(format & 3)];
    let samples_per_pixel = if format & 4 == 0 { 1 } else { 3 };
    let photometric = if samples_per_pixel == 1 {
        GREY[usize::from(format >> 4 & 3)].clone()
    } else {
        COLOUR[usize::from(format >> 4 & 3)].clone()
    };
    PixelModule {
        rows: rows.clamp(1, 512),
        columns: columns.clamp(1, 512),
        samples_per_pixel,
        bits_allocated,
        bits_stored: u16::from(bits_stored).clamp(1, bits_allocated),
        signed: format & 8 != 0,
        photometric,
        planar_configuration: u16::from(format >> 6 & 1),
        number_of_frames: 1,
    }
}

pub fn run(data: &[u8], syntaxes: &[&str]) {
    let [syntax, format, bits_stored, r0, r1, c0, c1, ref frame @ ..] = *data else {
        return;
    };
    let module = module(
        format,
        bits_stored,
        u16::from_be_bytes([r0, r1]),
        u16::from_be_bytes([c0, c1]),
    );
    let uid = syntaxes[usize::from(syntax) % syntaxes.len()];
    if let Ok(decoded) = decode_frame(&module, uid, frame, &Limits::default()) {
        assert_eq!(
            decoded.samples.len(),
            module.pixel_count() * usize::from(module.samples_per_pixel)
        );
    }
}
