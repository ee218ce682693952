//! Typed samples of one frame: what every decoder gives and the renderer uploads.

use crate::pixel_module::PixelModule;

/// Typed samples of one frame, in little-endian native order, interleaved when there are
/// several samples per pixel. Values are masked to Bits Stored (and sign-extended when signed).
#[derive(Debug, Clone, PartialEq)]
pub enum Samples {
    U8(Vec<u8>),
    I8(Vec<i8>),
    U16(Vec<u16>),
    I16(Vec<i16>),
    U32(Vec<u32>),
    I32(Vec<i32>),
}

impl Samples {
    pub fn len(&self) -> usize {
        match self {
            Samples::U8(v) => v.len(),
            Samples::I8(v) => v.len(),
            Samples::U16(v) => v.len(),
            Samples::I16(v) => v.len(),
            Samples::U32(v) => v.len(),
            Samples::I32(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Sample `index` widened to `f64` (for tests, tools and probes; not for render loops).
    pub fn get(&self, index: usize) -> Option<f64> {
        Some(match self {
            Samples::U8(v) => f64::from(*v.get(index)?),
            Samples::I8(v) => f64::from(*v.get(index)?),
            Samples::U16(v) => f64::from(*v.get(index)?),
            Samples::I16(v) => f64::from(*v.get(index)?),
            Samples::U32(v) => f64::from(*v.get(index)?),
            Samples::I32(v) => f64::from(*v.get(index)?),
        })
    }

    /// The canonical byte layout: each sample as a little-endian integer of its width
    /// (what `dicom-decode --raw` writes and what reference decoders are compared on).
    pub fn to_le_bytes(&self) -> Vec<u8> {
        match self {
            Samples::U8(v) => v.clone(),
            Samples::I8(v) => v.iter().map(|&s| s as u8).collect(),
            Samples::U16(v) => v.iter().flat_map(|s| s.to_le_bytes()).collect(),
            Samples::I16(v) => v.iter().flat_map(|s| s.to_le_bytes()).collect(),
            Samples::U32(v) => v.iter().flat_map(|s| s.to_le_bytes()).collect(),
            Samples::I32(v) => v.iter().flat_map(|s| s.to_le_bytes()).collect(),
        }
    }

    /// Smallest and largest sample, or `None` when empty.
    pub fn min_max(&self) -> Option<(f64, f64)> {
        fn mm<T: Copy + PartialOrd + Into<f64>>(v: &[T]) -> Option<(f64, f64)> {
            let first = *v.first()?;
            let (lo, hi) = v.iter().fold((first, first), |(lo, hi), &x| {
                (if x < lo { x } else { lo }, if x > hi { x } else { hi })
            });
            Some((lo.into(), hi.into()))
        }
        match self {
            Samples::U8(v) => mm(v),
            Samples::I8(v) => mm(v),
            Samples::U16(v) => mm(v),
            Samples::I16(v) => mm(v),
            Samples::U32(v) => mm(v),
            Samples::I32(v) => mm(v),
        }
    }
}

/// Reinterprets little-endian bytes as typed samples, masked to Bits Stored.
pub(crate) fn from_le_bytes(module: &PixelModule, le: &[u8]) -> Samples {
    let stored = u32::from(module.bits_stored);
    let signed = module.signed;
    match module.bits_allocated {
        1 | 8 => {
            let mask = low_mask(stored) as u8;
            if signed {
                let shift = 8 - stored;
                Samples::I8(
                    le.iter()
                        .map(|&b| (((b & mask) << shift) as i8) >> shift)
                        .collect(),
                )
            } else {
                Samples::U8(le.iter().map(|&b| b & mask).collect())
            }
        }
        16 => {
            let mask = low_mask(stored) as u16;
            let words = le
                .chunks_exact(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]) & mask);
            if signed {
                let shift = 16 - stored;
                Samples::I16(words.map(|w| ((w << shift) as i16) >> shift).collect())
            } else {
                Samples::U16(words.collect())
            }
        }
        _ => {
            let mask = low_mask(stored);
            let words = le
                .chunks_exact(4)
                .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]) & mask);
            if signed {
                let shift = 32 - stored;
                Samples::I32(words.map(|w| ((w << shift) as i32) >> shift).collect())
            } else {
                Samples::U32(words.collect())
            }
        }
    }
}

fn low_mask(bits: u32) -> u32 {
    if bits >= 32 {
        u32::MAX
    } else {
        (1u32 << bits) - 1
    }
}
