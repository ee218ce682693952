//! What a decoder worker applies to a frame it decoded, so that the samples it returns are
//! ready for the texture and the page's thread runs no pass over them: PALETTE COLOR through
//! its three LUTs into RGB, or stored values through a Modality LUT into modality values.
//! The page resolves the table once per image and sends it with each job.

use serde::{Deserialize, Serialize};

use crate::frame::DecodedFrame;
use crate::lut::Lut;
use crate::palette::Palette;
use crate::pixel_module::Photometric;
use crate::samples::Samples;

/// The table a frame goes through after decoding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum FrameLookup {
    /// PALETTE COLOR (PS3.3 C.7.6.3.1.5): single samples into interleaved RGB.
    Palette(Palette),
    /// The Modality LUT Sequence (C.11.1): stored values into modality values, which then
    /// replace Rescale Slope and Intercept.
    Modality(ModalityTable),
}

impl FrameLookup {
    /// `frame` through this table. A palette applies to a PALETTE COLOR frame only and a
    /// Modality LUT to single-sample frames only; any other frame is returned as it is.
    pub fn apply(&self, frame: DecodedFrame) -> DecodedFrame {
        match self {
            FrameLookup::Palette(palette) if frame.photometric == Photometric::PaletteColor => {
                DecodedFrame {
                    samples_per_pixel: 3,
                    photometric: Photometric::Rgb,
                    samples: Samples::U8(palette.apply(&frame.samples)),
                    ..frame
                }
            }
            FrameLookup::Modality(table) if frame.samples_per_pixel == 1 => DecodedFrame {
                samples: Samples::U16(table.apply(&frame.samples)),
                ..frame
            },
            _ => frame,
        }
    }
}

/// A Modality LUT's outputs (at most 16 bits each, PS3.3 C.11.1.1) for consecutive stored
/// values from `first_mapped`. It crosses to a decoder worker as little-endian bytes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "ModalityParts", into = "ModalityParts")]
pub struct ModalityTable {
    first_mapped: i64,
    values: Vec<u16>,
}

impl ModalityTable {
    /// The table of a Modality LUT read from the metadata (its outputs are already masked to
    /// the LUT's bits, at most 16).
    pub fn of(lut: &Lut) -> Option<Self> {
        if lut.values.is_empty() || lut.values.len() > 65_536 {
            return None;
        }
        Some(ModalityTable {
            first_mapped: lut.first_mapped,
            values: lut.values.iter().map(|&v| v.min(0xFFFF) as u16).collect(),
        })
    }

    /// Stored values into modality values; values outside the table take its first or last
    /// entry, as [`Lut::lookup`] does.
    pub fn apply(&self, samples: &Samples) -> Vec<u16> {
        let last = self.values.len() as i64 - 1;
        (0..samples.len())
            .map(|i| {
                let stored = samples.get(i).unwrap_or_default().floor() as i64;
                self.values[(stored - self.first_mapped).clamp(0, last) as usize]
            })
            .collect()
    }
}

/// A Modality LUT as it crosses to a worker: its outputs as little-endian 16-bit words.
#[derive(Serialize, Deserialize)]
struct ModalityParts {
    first_mapped: i64,
    #[serde(with = "serde_bytes")]
    values_le: Vec<u8>,
}

impl From<ModalityTable> for ModalityParts {
    fn from(table: ModalityTable) -> Self {
        ModalityParts {
            first_mapped: table.first_mapped,
            values_le: table.values.iter().flat_map(|v| v.to_le_bytes()).collect(),
        }
    }
}

impl TryFrom<ModalityParts> for ModalityTable {
    type Error = &'static str;

    fn try_from(parts: ModalityParts) -> Result<Self, Self::Error> {
        let entries = parts.values_le.len() / 2;
        if !parts.values_le.len().is_multiple_of(2) || !(1..=65_536).contains(&entries) {
            return Err("a Modality LUT of no entries, too many, or an odd number of bytes");
        }
        let values = parts
            .values_le
            .chunks_exact(2)
            .map(|w| u16::from_le_bytes([w[0], w[1]]))
            .collect();
        Ok(ModalityTable {
            first_mapped: parts.first_mapped,
            values,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(photometric: Photometric, samples_per_pixel: u16, samples: Samples) -> DecodedFrame {
        DecodedFrame {
            rows: 1,
            columns: samples.len() as u16 / samples_per_pixel,
            samples_per_pixel,
            photometric,
            samples,
            relabelled_from: None,
        }
    }

    fn modality() -> ModalityTable {
        let lut = Lut {
            first_mapped: -2,
            bits: 12,
            values: vec![100, 200, 300, 4095],
            explanation: None,
        };
        ModalityTable::of(&lut).expect("a table")
    }

    #[test]
    fn a_modality_lut_maps_stored_values_and_clamps_at_both_ends() {
        let f = frame(
            Photometric::Monochrome2,
            1,
            Samples::I16(vec![-5, -2, -1, 0, 1, 9]),
        );
        let out = FrameLookup::Modality(modality()).apply(f);
        assert_eq!(
            out.samples,
            Samples::U16(vec![100, 100, 200, 300, 4095, 4095])
        );
        assert_eq!(out.photometric, Photometric::Monochrome2);
    }

    #[test]
    fn the_modality_table_gives_what_the_lut_gives() {
        let lut = Lut {
            first_mapped: 1000,
            bits: 16,
            values: (0..300).map(|v| v * 200).collect(),
            explanation: None,
        };
        let table = ModalityTable::of(&lut).expect("a table");
        let stored: Vec<u16> = (900..1400).collect();
        let expected: Vec<u16> = stored
            .iter()
            .map(|&v| lut.lookup(f64::from(v)) as u16)
            .collect();
        assert_eq!(table.apply(&Samples::U16(stored)), expected);
    }

    #[test]
    fn a_palette_turns_a_palette_colour_frame_into_rgb() {
        let palette = Palette::new([[2, 0, 8]; 3], [&[1, 2], &[3, 4], &[5, 6]]).expect("valid");
        let f = frame(Photometric::PaletteColor, 1, Samples::U8(vec![0, 1, 7]));
        let out = FrameLookup::Palette(palette).apply(f);
        assert_eq!(out.photometric, Photometric::Rgb);
        assert_eq!(out.samples_per_pixel, 3);
        assert_eq!(out.samples, Samples::U8(vec![1, 3, 5, 2, 4, 6, 2, 4, 6]));
    }

    #[test]
    fn a_table_leaves_frames_it_does_not_apply_to_as_they_are() {
        let rgb = frame(Photometric::Rgb, 3, Samples::U8(vec![1, 2, 3]));
        assert_eq!(FrameLookup::Modality(modality()).apply(rgb.clone()), rgb);
        let palette = Palette::new([[1, 0, 8]; 3], [&[1], &[2], &[3]]).expect("valid");
        let grey = frame(Photometric::Monochrome2, 1, Samples::U8(vec![0]));
        assert_eq!(FrameLookup::Palette(palette).apply(grey.clone()), grey);
    }

    #[test]
    fn tables_cross_to_a_worker_and_are_checked_there() {
        let lookup = FrameLookup::Modality(modality());
        let json = serde_json::to_string(&lookup).expect("serialises");
        assert_eq!(
            serde_json::from_str::<FrameLookup>(&json).expect("reads"),
            lookup
        );
        for bytes in ["[]", "[1,2,3]"] {
            let bad = format!(r#"{{"Modality":{{"first_mapped":0,"values_le":{bytes}}}}}"#);
            assert!(
                serde_json::from_str::<FrameLookup>(&bad).is_err(),
                "{bytes}"
            );
        }
    }

    #[test]
    fn an_empty_lut_has_no_table() {
        let lut = Lut {
            first_mapped: 0,
            bits: 8,
            values: Vec::new(),
            explanation: None,
        };
        assert_eq!(ModalityTable::of(&lut), None);
    }
}
