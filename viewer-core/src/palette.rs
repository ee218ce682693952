//! PALETTE COLOR (PS3.3 C.7.6.3.1.5-6): stored values through the red, green and blue LUTs.

use serde::{Deserialize, Serialize};

use crate::samples::Samples;

/// Why a palette cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaletteError {
    #[error("the palette descriptor is invalid")]
    Descriptor,
    #[error("the segmented palette data is inconsistent")]
    Segments,
    #[error("the {colour} palette has {actual} bytes for {entries} entries")]
    DataSize {
        colour: &'static str,
        entries: usize,
        actual: usize,
    },
}

/// The three LUTs of a palette, as 8-bit display values. It crosses to a decoder worker with
/// its table as bytes, checked again when read there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "PaletteParts")]
pub struct Palette {
    first_mapped: i64,
    /// Interleaved RGB, one triple per entry.
    #[serde(with = "serde_bytes")]
    rgb: Vec<u8>,
}

/// A palette as read from a message, before its table is checked.
#[derive(Deserialize)]
struct PaletteParts {
    first_mapped: i64,
    #[serde(with = "serde_bytes")]
    rgb: Vec<u8>,
}

impl TryFrom<PaletteParts> for Palette {
    type Error = PaletteError;

    fn try_from(parts: PaletteParts) -> Result<Self, PaletteError> {
        let entries = parts.rgb.len() / 3;
        if !parts.rgb.len().is_multiple_of(3) || !(1..=65_536).contains(&entries) {
            return Err(PaletteError::Descriptor);
        }
        Ok(Palette {
            first_mapped: parts.first_mapped,
            rgb: parts.rgb,
        })
    }
}

impl Palette {
    /// `descriptors` are the red, green and blue LUT Descriptors (number of entries, 0 meaning
    /// 65536; first stored value mapped; bits per entry, 8 or 16); `data` the LUT Data as
    /// little-endian words (or bytes, for 8-bit entries packed one per byte).
    pub fn new(descriptors: [[i64; 3]; 3], data: [&[u8]; 3]) -> Result<Self, PaletteError> {
        let entries = |d: [i64; 3]| if d[0] == 0 { 65_536 } else { d[0] as usize };
        let count = entries(descriptors[0]);
        if descriptors.iter().any(|d| {
            entries(*d) != count || !(1..=65_536).contains(&d[0].max(1)) || !matches!(d[2], 8 | 16)
        }) {
            return Err(PaletteError::Descriptor);
        }
        let mut rgb = vec![0u8; count * 3];
        for (c, (d, bytes)) in descriptors.iter().zip(data).enumerate() {
            let colour = ["red", "green", "blue"][c];
            let value = |i: usize| -> Option<u8> {
                if d[2] == 16 {
                    let w = bytes.get(2 * i..2 * i + 2)?;
                    Some((u16::from_le_bytes([w[0], w[1]]) >> 8) as u8)
                } else if bytes.len() >= 2 * count {
                    bytes.get(2 * i).copied() // one 8-bit entry per 16-bit word
                } else {
                    bytes.get(i).copied()
                }
            };
            for i in 0..count {
                rgb[i * 3 + c] = value(i).ok_or(PaletteError::DataSize {
                    colour,
                    entries: count,
                    actual: bytes.len(),
                })?;
            }
        }
        Ok(Palette {
            first_mapped: descriptors[0][1],
            rgb,
        })
    }

    /// Single-sample stored values into interleaved RGB; values outside the LUT take its
    /// first or last entry.
    pub fn apply(&self, samples: &Samples) -> Vec<u8> {
        let last = self.rgb.len() / 3 - 1;
        let mut out = Vec::with_capacity(samples.len() * 3);
        for i in 0..samples.len() {
            let v = samples.get(i).unwrap_or_default() as i64 - self.first_mapped;
            let index = v.clamp(0, last as i64) as usize * 3;
            out.extend_from_slice(&self.rgb[index..index + 3]);
        }
        out
    }
}

impl Palette {
    /// A palette from its three LUT Data values as found (little-endian bytes), expanding
    /// them first when they are Segmented Palette Color LUT Data.
    pub fn from_data(
        descriptors: [[i64; 3]; 3],
        data: [&[u8]; 3],
        segmented: bool,
    ) -> Result<Self, PaletteError> {
        if !segmented {
            return Self::new(descriptors, data);
        }
        let mut expanded: Vec<Vec<u8>> = Vec::with_capacity(3);
        for (bytes, descriptor) in data.iter().zip(descriptors) {
            let words: Vec<u16> = bytes
                .chunks_exact(2)
                .map(|w| u16::from_le_bytes([w[0], w[1]]))
                .collect();
            let entries = match descriptor[0] {
                0 => 65_536,
                n if (1..=65_536).contains(&n) => n as usize,
                _ => return Err(PaletteError::Descriptor),
            };
            let values = expand_segmented(&words, entries)?;
            expanded.push(values.iter().flat_map(|v| v.to_le_bytes()).collect());
        }
        Self::new(descriptors, [&expanded[0], &expanded[1], &expanded[2]])
    }
}

/// Expands segmented palette LUT data (PS3.3 C.7.9.2: discrete, linear and indirect segments
/// of 16-bit words) into `entries` values.
pub fn expand_segmented(words: &[u16], entries: usize) -> Result<Vec<u16>, PaletteError> {
    let mut out: Vec<u16> = Vec::with_capacity(entries);
    let mut at = 0;
    while at < words.len() {
        at = expand_segment(words, at, entries, &mut out, true)?;
    }
    if out.len() != entries {
        return Err(PaletteError::Segments);
    }
    Ok(out)
}

/// Expands the segment at word `at`; returns the position of the next one. An indirect
/// segment copies segments from elsewhere in the data (never another indirect one).
fn expand_segment(
    words: &[u16],
    at: usize,
    entries: usize,
    out: &mut Vec<u16>,
    indirect_allowed: bool,
) -> Result<usize, PaletteError> {
    let word = |i: usize| words.get(i).copied().ok_or(PaletteError::Segments);
    let (opcode, length) = (word(at)?, usize::from(word(at + 1)?));
    let next = match opcode {
        0 => {
            let values = words
                .get(at + 2..at + 2 + length)
                .ok_or(PaletteError::Segments)?;
            out.extend_from_slice(values);
            at + 2 + length
        }
        1 => {
            let y0 = f64::from(*out.last().ok_or(PaletteError::Segments)?);
            let y1 = f64::from(word(at + 2)?);
            for j in 1..=length {
                out.push((y0 + (y1 - y0) * j as f64 / length as f64).round() as u16);
                if out.len() > entries {
                    return Err(PaletteError::Segments);
                }
            }
            at + 3
        }
        2 if indirect_allowed => {
            let mut from = usize::from(word(at + 2)?) | usize::from(word(at + 3)?) << 16;
            for _ in 0..length {
                from = expand_segment(words, from, entries, out, false)?;
            }
            at + 4
        }
        _ => return Err(PaletteError::Segments),
    };
    if out.len() > entries {
        return Err(PaletteError::Segments);
    }
    Ok(next)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_through_16_bit_luts_with_an_offset() {
        // Four entries from stored value 10; red ramps, green constant, blue inverted.
        let red: Vec<u8> = [0u16, 0x5500, 0xAA00, 0xFF00]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        let green: Vec<u8> = [0x8000u16; 4]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        let blue: Vec<u8> = [0xFF00u16, 0xAA00, 0x5500, 0]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        let p = Palette::new([[4, 10, 16]; 3], [&red, &green, &blue]).expect("valid");
        let rgb = p.apply(&Samples::U8(vec![9, 10, 12, 200]));
        assert_eq!(
            rgb,
            vec![0, 128, 255, 0, 128, 255, 0xAA, 128, 0x55, 255, 128, 0]
        );
    }

    #[test]
    fn crosses_to_a_worker_and_back_checked() {
        let p = Palette::new([[2, 0, 8]; 3], [&[1, 2], &[3, 4], &[5, 6]]).expect("valid");
        let json = serde_json::to_string(&p).expect("serialises");
        assert_eq!(serde_json::from_str::<Palette>(&json).expect("reads"), p);
        for rgb in ["[]", "[1,2]", "[1,2,3,4]"] {
            let bad = format!(r#"{{"first_mapped":0,"rgb":{rgb}}}"#);
            assert!(serde_json::from_str::<Palette>(&bad).is_err(), "{rgb}");
        }
    }

    #[test]
    fn expands_discrete_linear_and_indirect_segments() {
        // Discrete 0, 10; linear to 40 over 3; indirect: copy 1 segment from word 0.
        let words = [0, 2, 0, 10, 1, 3, 40, 2, 1, 0, 0];
        assert_eq!(
            expand_segmented(&words, 7),
            Ok(vec![0, 10, 20, 30, 40, 0, 10])
        );
        assert_eq!(expand_segmented(&words, 6), Err(PaletteError::Segments));
        assert_eq!(
            expand_segmented(&[1, 3, 40], 3),
            Err(PaletteError::Segments)
        );
    }

    #[test]
    fn rejects_short_data() {
        assert!(matches!(
            Palette::new([[4, 0, 16]; 3], [&[0; 8], &[0; 8], &[0; 6]]),
            Err(PaletteError::DataSize { colour: "blue", .. })
        ));
        assert_eq!(
            Palette::new([[4, 0, 12]; 3], [&[0; 8]; 3]),
            Err(PaletteError::Descriptor)
        );
    }
}
