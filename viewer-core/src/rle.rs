//! RLE Lossless (PS3.5 Annex G), decoded here rather than by the codec registry so that a
//! damaged header or segment is a typed error and never a panic.

use crate::pixel_module::PixelModule;

/// What is wrong with an RLE frame.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RleError {
    #[error("the RLE header is shorter than 64 bytes")]
    ShortHeader,
    #[error("the RLE header declares {found} segments, {expected} expected")]
    SegmentCount { found: u32, expected: usize },
    #[error("RLE segment {segment} has an offset outside the frame")]
    BadOffset { segment: usize },
    #[error("RLE segment {segment} decodes to {actual} bytes, {expected} expected")]
    SegmentLength {
        segment: usize,
        expected: usize,
        actual: usize,
    },
}

/// Decodes one RLE frame into little-endian, colour-by-pixel bytes.
pub fn decode_rle(module: &PixelModule, data: &[u8]) -> Result<Vec<u8>, RleError> {
    let header = data.get(..64).ok_or(RleError::ShortHeader)?;
    let word = |i: usize| {
        u32::from_le_bytes([
            header[i * 4],
            header[i * 4 + 1],
            header[i * 4 + 2],
            header[i * 4 + 3],
        ])
    };
    let bytes_per_sample = usize::from(module.bits_allocated / 8).max(1);
    let samples = usize::from(module.samples_per_pixel);
    let expected = bytes_per_sample * samples;
    let found = word(0);
    if found as usize != expected || expected > 15 {
        return Err(RleError::SegmentCount { found, expected });
    }
    let pixels = module.pixel_count();
    let mut out = vec![0u8; pixels * expected];
    let mut segment_bytes = Vec::with_capacity(pixels);
    for segment in 0..expected {
        let start = word(1 + segment) as usize;
        let end = if segment + 1 < expected {
            word(2 + segment) as usize
        } else {
            data.len()
        };
        if start < 64 || start > end || end > data.len() {
            return Err(RleError::BadOffset { segment });
        }
        segment_bytes.clear();
        unpack_bits(&data[start..end], pixels, &mut segment_bytes);
        if segment_bytes.len() != pixels {
            return Err(RleError::SegmentLength {
                segment,
                expected: pixels,
                actual: segment_bytes.len(),
            });
        }
        // Segments come most significant byte first, sample by sample.
        let sample = segment / bytes_per_sample;
        let byte_in_sample = bytes_per_sample - 1 - segment % bytes_per_sample;
        let stride = expected;
        let offset = sample * bytes_per_sample + byte_in_sample;
        for (p, &b) in segment_bytes.iter().enumerate() {
            out[p * stride + offset] = b;
        }
    }
    Ok(out)
}

/// PackBits, stopping once `limit` bytes are produced (a segment may end with padding).
fn unpack_bits(input: &[u8], limit: usize, out: &mut Vec<u8>) {
    let mut i = 0;
    while i < input.len() && out.len() < limit {
        let n = input[i] as i8;
        i += 1;
        if n >= 0 {
            let count = n as usize + 1;
            let end = (i + count).min(input.len());
            out.extend_from_slice(&input[i..end]);
            i = end;
        } else if n != -128 {
            let count = (1 - i32::from(n)) as usize;
            if let Some(&b) = input.get(i) {
                out.extend(std::iter::repeat_n(b, count));
            }
            i += 1;
        }
    }
    out.truncate(limit);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pixel_module::Photometric;

    fn module(columns: u16, bits_allocated: u16) -> PixelModule {
        PixelModule {
            rows: 1,
            columns,
            samples_per_pixel: 1,
            bits_allocated,
            bits_stored: bits_allocated,
            signed: false,
            photometric: Photometric::Monochrome2,
            planar_configuration: 0,
            number_of_frames: 1,
        }
    }

    fn header(offsets: &[u32]) -> Vec<u8> {
        let mut h = vec![0u8; 64];
        h[..4].copy_from_slice(&(offsets.len() as u32).to_le_bytes());
        for (i, o) in offsets.iter().enumerate() {
            h[4 + i * 4..8 + i * 4].copy_from_slice(&o.to_le_bytes());
        }
        h
    }

    #[test]
    fn sixteen_bit_segments_are_high_byte_first() {
        let mut data = header(&[64, 67]);
        data.extend_from_slice(&[0xFF, 0x01, 0x00]); // high bytes: 1, 1 (run of 2)
        data.extend_from_slice(&[0x01, 0x02, 0x03]); // low bytes: literal 2, 3
        assert_eq!(
            decode_rle(&module(2, 16), &data),
            Ok(vec![0x02, 0x01, 0x03, 0x01])
        );
    }

    #[test]
    fn damaged_frames_are_errors() {
        assert_eq!(
            decode_rle(&module(2, 8), &[0; 3]),
            Err(RleError::ShortHeader)
        );
        let data = header(&[64, 65]);
        assert!(matches!(
            decode_rle(&module(2, 8), &data),
            Err(RleError::SegmentCount {
                found: 2,
                expected: 1
            })
        ));
        let data = header(&[640]);
        assert_eq!(
            decode_rle(&module(2, 8), &data),
            Err(RleError::BadOffset { segment: 0 })
        );
        let mut data = header(&[64]);
        data.extend_from_slice(&[0x00, 0x07]); // one byte where two are needed
        assert!(matches!(
            decode_rle(&module(2, 8), &data),
            Err(RleError::SegmentLength { .. })
        ));
    }
}
