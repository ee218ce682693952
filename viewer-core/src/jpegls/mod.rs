//! JPEG-LS (ITU-T T.87 / ISO 14495-1), lossless (.80) and near-lossless (.81): our own
//! decoder, grey and colour (line- and sample-interleaved), checked bit-exact against CharLS
//! on the test data.
//!
//! The frame header is read first and must agree with the pixel module, so nothing is
//! allocated for sizes the DICOM header did not announce. Not supported (typed errors):
//! mapping tables (LSE 2/3), restart intervals, point transform.

mod bits;
mod scan;

use bits::BitReader;
use scan::{Coder, Params};

use crate::pixel_module::PixelModule;

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
    #[error("JPEG-LS {0} is not supported")]
    Unsupported(&'static str),
    #[error("damaged JPEG-LS stream: {0}")]
    Corrupt(&'static str),
    #[error("the JPEG-LS stream ends before the image is complete")]
    Truncated,
}

struct Frame {
    precision: u8,
    rows: usize,
    columns: usize,
    /// Component identifiers, in frame order.
    ids: Vec<u8>,
}

/// Segments of the stream: (marker, payload without the length field).
fn segment(data: &[u8], at: usize) -> Result<(u8, &[u8]), JpegLsError> {
    let marker = *data.get(at + 1).ok_or(JpegLsError::Truncated)?;
    let length = data
        .get(at + 2..at + 4)
        .map(|l| usize::from(u16::from_be_bytes([l[0], l[1]])))
        .ok_or(JpegLsError::Truncated)?;
    if length < 2 {
        return Err(JpegLsError::Corrupt("segment length"));
    }
    let payload = data
        .get(at + 4..at + 2 + length)
        .ok_or(JpegLsError::Truncated)?;
    Ok((marker, payload))
}

/// Decodes one JPEG-LS frame into little-endian samples of Bits Allocated width, colour
/// interleaved by pixel.
pub fn decode_jpegls(module: &PixelModule, data: &[u8]) -> Result<Vec<u8>, JpegLsError> {
    let samples = decode_samples(module, data)?;
    Ok(if module.bits_allocated == 8 {
        samples.iter().map(|&s| s as u8).collect()
    } else {
        samples
            .iter()
            .flat_map(|&s| (s as u16).to_le_bytes())
            .collect()
    })
}

fn decode_samples(module: &PixelModule, data: &[u8]) -> Result<Vec<i32>, JpegLsError> {
    if data.get(..2) != Some(&[0xFF, 0xD8][..]) {
        return Err(JpegLsError::NoFrameHeader);
    }
    let mut frame: Option<Frame> = None;
    let mut preset = [0i32; 5];
    let mut out: Vec<i32> = Vec::new();
    let mut decoded_components = 0usize;
    let mut at = 2;
    loop {
        while data.get(at) == Some(&0xFF) && data.get(at + 1) == Some(&0xFF) {
            at += 1; // fill bytes
        }
        if data.get(at) != Some(&0xFF) {
            return Err(JpegLsError::Truncated);
        }
        let marker = *data.get(at + 1).ok_or(JpegLsError::Truncated)?;
        if marker == 0xD9 {
            break;
        }
        let (marker, payload) = segment(data, at)?;
        at += 2 + 2 + payload.len();
        match marker {
            0xF7 => {
                let f = read_frame(payload)?;
                check_frame(module, &f)?;
                out = vec![0; f.rows * f.columns * f.ids.len()];
                frame = Some(f);
            }
            0xF8 => match payload.first() {
                Some(1) if payload.len() >= 11 => {
                    for (i, p) in preset.iter_mut().enumerate() {
                        *p =
                            i32::from(u16::from_be_bytes([payload[1 + 2 * i], payload[2 + 2 * i]]));
                    }
                }
                Some(1) => return Err(JpegLsError::Corrupt("LSE preset parameters")),
                _ => {
                    return Err(JpegLsError::Unsupported(
                        "mapping tables or extended dimensions",
                    ))
                }
            },
            0xDD if payload.get(..2).is_some_and(|ri| ri != [0, 0]) => {
                return Err(JpegLsError::Unsupported("restart intervals"));
            }
            0xDA => {
                let f = frame.as_ref().ok_or(JpegLsError::NoFrameHeader)?;
                let scan = &data[at..];
                let used = decode_scan(f, payload, preset, scan, &mut out)?;
                decoded_components += payload.first().map_or(0, |&n| usize::from(n));
                at += used;
            }
            0xC0..=0xCF if marker != 0xC4 && marker != 0xC8 && marker != 0xCC => {
                return Err(JpegLsError::NoFrameHeader); // a JPEG (not JPEG-LS) frame
            }
            _ => {} // APPn, COM: nothing for us
        }
        if at >= data.len() {
            break;
        }
    }
    let f = frame.ok_or(JpegLsError::NoFrameHeader)?;
    if decoded_components < f.ids.len() {
        return Err(JpegLsError::Truncated);
    }
    Ok(out)
}

fn read_frame(payload: &[u8]) -> Result<Frame, JpegLsError> {
    let field = |i: usize| {
        payload
            .get(i)
            .copied()
            .ok_or(JpegLsError::Corrupt("frame header"))
    };
    let precision = field(0)?;
    let rows = usize::from(u16::from_be_bytes([field(1)?, field(2)?]));
    let columns = usize::from(u16::from_be_bytes([field(3)?, field(4)?]));
    let count = usize::from(field(5)?);
    let ids = (0..count)
        .map(|c| field(6 + 3 * c))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Frame {
        precision,
        rows,
        columns,
        ids,
    })
}

fn check_frame(module: &PixelModule, f: &Frame) -> Result<(), JpegLsError> {
    let agrees = f.rows == usize::from(module.rows)
        && f.columns == usize::from(module.columns)
        && f.ids.len() == usize::from(module.samples_per_pixel)
        && (2..=16).contains(&f.precision)
        && u16::from(f.precision) <= module.bits_allocated.max(8)
        && module.bits_allocated <= 16;
    if agrees {
        Ok(())
    } else {
        Err(JpegLsError::HeaderMismatch {
            rows: f.rows as u16,
            columns: f.columns as u16,
            components: f.ids.len() as u8,
            precision: f.precision,
        })
    }
}

/// Decodes the scan whose header is `header` and whose coded data starts `scan`; returns the
/// bytes of coded data used.
fn decode_scan(
    f: &Frame,
    header: &[u8],
    preset: [i32; 5],
    scan: &[u8],
    out: &mut [i32],
) -> Result<usize, JpegLsError> {
    let count = usize::from(*header.first().ok_or(JpegLsError::Corrupt("scan header"))?);
    let tail = header
        .get(1 + 2 * count..1 + 2 * count + 3)
        .ok_or(JpegLsError::Corrupt("scan header"))?;
    let (near, ilv, point_transform) = (i32::from(tail[0]), tail[1], tail[2] & 0x0F);
    if point_transform != 0 {
        return Err(JpegLsError::Unsupported("point transform"));
    }
    let components: Vec<usize> = (0..count)
        .map(|i| {
            let id = header[1 + 2 * i];
            f.ids
                .iter()
                .position(|&c| c == id)
                .ok_or(JpegLsError::Corrupt("unknown component"))
        })
        .collect::<Result<_, _>>()?;
    if count == 0 || count > 4 || (count > 1 && ilv == 0) || ilv > 2 {
        return Err(JpegLsError::Corrupt("scan components and interleave"));
    }
    let params = Params::new(f.precision, near, preset);
    if near > params.maxval / 2 || params.maxval >= 1 << f.precision.min(16) {
        return Err(JpegLsError::Corrupt("NEAR or MAXVAL"));
    }
    let mut coder = Coder::new(params);
    let mut reader = BitReader::new(scan);
    let (width, nc_frame) = (f.columns, f.ids.len());
    let mut store = |line: &[i32], y: usize, nc: usize, comps: &[usize]| {
        for x in 0..width {
            for (k, &c) in comps.iter().enumerate() {
                out[(y * width + x) * nc_frame + c] = line[(x + 1) * nc + k];
            }
        }
    };
    if ilv == 2 {
        let nc = count;
        let (mut prev, mut cur) = (vec![0i32; (width + 2) * nc], vec![0i32; (width + 2) * nc]);
        let mut run_index = 0;
        for y in 0..f.rows {
            coder.interleaved_line(&mut reader, nc, &mut prev, &mut cur, &mut run_index)?;
            store(&cur, y, nc, &components);
            std::mem::swap(&mut prev, &mut cur);
        }
    } else {
        let mut lines: Vec<(Vec<i32>, Vec<i32>, usize)> = (0..count)
            .map(|_| (vec![0; width + 2], vec![0; width + 2], 0))
            .collect();
        for y in 0..f.rows {
            for (k, (prev, cur, run_index)) in lines.iter_mut().enumerate() {
                coder.line(&mut reader, prev, cur, run_index)?;
                store(cur, y, 1, &components[k..=k]);
                std::mem::swap(prev, cur);
            }
        }
    }
    if reader.overran() {
        return Err(JpegLsError::Truncated);
    }
    Ok(reader.scan_end())
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

    #[test]
    fn default_thresholds_match_the_standard() {
        // T.87 Table C.3: 8-bit lossless 3/7/21; 16-bit lossless 18/67/276.
        let p = Params::new(8, 0, [0; 5]);
        assert_eq!((p.t1, p.t2, p.t3, p.reset), (3, 7, 21, 64));
        let p = Params::new(16, 0, [0; 5]);
        assert_eq!((p.t1, p.t2, p.t3), (18, 67, 276));
    }
}
