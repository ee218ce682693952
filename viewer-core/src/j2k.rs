//! JPEG 2000 and HTJ2K (Part 1 and Part 15 codestreams, or JP2 files) through the pure-Rust
//! openjp2 port, read straight into typed samples: one pass from the decoder's components to
//! the samples the renderer uploads, with the pixel module checked against the codestream.

use crate::frame::Samples;
use crate::pixel_module::PixelModule;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum J2kError {
    #[error("{0}")]
    Stream(String),
    #[error("the JPEG 2000 image is {columns}x{rows} with {components} component(s); the pixel module says otherwise")]
    Mismatch {
        rows: u32,
        columns: u32,
        components: usize,
    },
}

/// Decodes one JPEG 2000 / HTJ2K frame. Values are read as the DICOM header says (Bits
/// Stored, Pixel Representation), whatever the codestream's own signedness (PS3.5 8.2.4).
pub fn decode_j2k(module: &PixelModule, data: &[u8]) -> Result<Samples, J2kError> {
    let image = jpeg2k::Image::from_bytes(data).map_err(|e| J2kError::Stream(e.to_string()))?;
    let components = image.components();
    let (rows, columns) = (usize::from(module.rows), usize::from(module.columns));
    let agrees = components.len() == usize::from(module.samples_per_pixel)
        && components.iter().all(|c| {
            c.width() as usize == columns
                && c.height() as usize == rows
                && c.data().len() == rows * columns
        });
    if !agrees || !matches!(module.bits_allocated, 8 | 16) {
        return Err(J2kError::Mismatch {
            rows: image.height(),
            columns: image.width(),
            components: components.len(),
        });
    }
    let bits = u32::from(module.bits_stored);
    let mask = (1i64 << bits) - 1;
    let signed = module.signed;
    let value = |v: i32| -> i64 {
        let low = i64::from(v) & mask;
        if signed && low >= 1 << (bits - 1) {
            low - (1 << bits)
        } else {
            low
        }
    };
    let count = rows * columns * components.len();
    let interleaved =
        (0..count).map(|i| value(components[i % components.len()].data()[i / components.len()]));
    Ok(match (module.bits_allocated, signed) {
        (8, false) => Samples::U8(interleaved.map(|v| v as u8).collect()),
        (8, true) => Samples::I8(interleaved.map(|v| v as i8).collect()),
        (_, false) => Samples::U16(interleaved.map(|v| v as u16).collect()),
        (_, true) => Samples::I16(interleaved.map(|v| v as i16).collect()),
    })
}
