//! JPEG-LS (ITU-T T.87), lossless (.80) and near-lossless (.81), single component.
//!
//! The entropy decoding is done by the pure-Rust `pure_jpegls` crate (exact against CharLS on
//! our CT series). This module reads the frame header first and refuses a stream whose size,
//! precision or component count disagrees with the pixel module, so the decoder only ever
//! sees what we would display. Colour (several components) is not decoded yet.

use crate::pixel_module::PixelModule;

pub const JPEG_LS_LOSSLESS: &str = "1.2.840.10008.1.2.4.80";
pub const JPEG_LS_NEAR_LOSSLESS: &str = "1.2.840.10008.1.2.4.81";

/// Why a JPEG-LS frame was refused or failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JpegLsError {
    #[error("no JPEG-LS frame header (SOF55) before the scan")]
    NoFrameHeader,
    #[error("the JPEG-LS frame is {columns}x{rows} with {components} component(s) of {precision} bits; the pixel module says otherwise")]
    HeaderMismatch {
        rows: u16,
        columns: u16,
        components: u8,
        precision: u8,
    },
    #[error("colour JPEG-LS ({components} components) is not decoded yet")]
    Colour { components: u8 },
    #[error("{0}")]
    Stream(String),
}

/// The frame header fields we check.
struct FrameHeader {
    precision: u8,
    rows: u16,
    columns: u16,
    components: u8,
}

/// Walks the markers up to the first SOF55 (0xFFF7).
fn frame_header(data: &[u8]) -> Option<FrameHeader> {
    if data.get(..2)? != [0xFF, 0xD8] {
        return None;
    }
    let mut at = 2;
    loop {
        // Skip fill bytes before a marker.
        while *data.get(at)? == 0xFF && *data.get(at + 1)? == 0xFF {
            at += 1;
        }
        if *data.get(at)? != 0xFF {
            return None;
        }
        let marker = *data.get(at + 1)?;
        let length = usize::from(u16::from_be_bytes([*data.get(at + 2)?, *data.get(at + 3)?]));
        if marker == 0xF7 {
            let segment = data.get(at + 4..at + 2 + length)?;
            return Some(FrameHeader {
                precision: *segment.first()?,
                rows: u16::from_be_bytes([*segment.get(1)?, *segment.get(2)?]),
                columns: u16::from_be_bytes([*segment.get(3)?, *segment.get(4)?]),
                components: *segment.get(5)?,
            });
        }
        if marker == 0xDA || length < 2 {
            return None; // a scan before any frame header
        }
        at += 2 + length;
    }
}

/// Decodes one JPEG-LS frame into little-endian samples of Bits Allocated width.
pub fn decode_jpegls(module: &PixelModule, data: &[u8]) -> Result<Vec<u8>, JpegLsError> {
    let header = frame_header(data).ok_or(JpegLsError::NoFrameHeader)?;
    let mismatch = || JpegLsError::HeaderMismatch {
        rows: header.rows,
        columns: header.columns,
        components: header.components,
        precision: header.precision,
    };
    if header.components != 1 {
        return Err(
            if usize::from(header.components) == usize::from(module.samples_per_pixel) {
                JpegLsError::Colour {
                    components: header.components,
                }
            } else {
                mismatch()
            },
        );
    }
    if header.rows != module.rows
        || header.columns != module.columns
        || module.samples_per_pixel != 1
        || !(2..=16).contains(&header.precision)
        || u16::from(header.precision) > module.bits_allocated
        || module.bits_allocated > 16
    {
        return Err(mismatch());
    }
    let (samples, width, height) =
        jpegls_codec::decode(data, u32::from(module.columns), u32::from(module.rows))
            .map_err(|e| JpegLsError::Stream(e.to_string()))?;
    if width != u32::from(module.columns)
        || height != u32::from(module.rows)
        || samples.len() != module.pixel_count()
    {
        return Err(mismatch());
    }
    Ok(if module.bits_allocated == 8 {
        samples.iter().map(|&s| s as u8).collect()
    } else {
        samples.iter().flat_map(|s| s.to_le_bytes()).collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pixel_module::Photometric;

    fn module() -> PixelModule {
        PixelModule {
            rows: 4,
            columns: 4,
            samples_per_pixel: 1,
            bits_allocated: 16,
            bits_stored: 12,
            signed: false,
            photometric: Photometric::Monochrome2,
            planar_configuration: 0,
            number_of_frames: 1,
        }
    }

    #[test]
    fn header_must_agree_with_the_pixel_module() {
        // SOI, SOF55 for 8x4, 1 component of 12 bits.
        let stream = [
            0xFF, 0xD8, 0xFF, 0xF7, 0x00, 0x0B, 12, 0x00, 0x04, 0x00, 0x08, 1, 1, 0x11, 0,
        ];
        assert!(matches!(
            decode_jpegls(&module(), &stream),
            Err(JpegLsError::HeaderMismatch { columns: 8, .. })
        ));
        assert_eq!(
            decode_jpegls(&module(), &[0xFF, 0xD8, 0xFF, 0xDA, 0, 2]),
            Err(JpegLsError::NoFrameHeader)
        );
        assert_eq!(
            decode_jpegls(&module(), &[]),
            Err(JpegLsError::NoFrameHeader)
        );
    }
}
