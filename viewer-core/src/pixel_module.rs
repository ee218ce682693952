//! The Image Pixel module (PS3.3 C.7.6.3): what a frame's bytes mean, checked before any
//! buffer is allocated for it.

use dicom_core::Tag;
use dicom_dictionary_std::tags;

/// How samples are to be read as colours.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Photometric {
    Monochrome1,
    Monochrome2,
    PaletteColor,
    Rgb,
    YbrFull,
    YbrFull422,
    YbrRct,
    YbrIct,
    /// Any other value, kept verbatim (it is a defined term, not patient data).
    Other(String),
}

impl Photometric {
    pub fn parse(value: &str) -> Self {
        match value.trim() {
            "MONOCHROME1" => Self::Monochrome1,
            "MONOCHROME2" => Self::Monochrome2,
            "PALETTE COLOR" => Self::PaletteColor,
            "RGB" => Self::Rgb,
            "YBR_FULL" => Self::YbrFull,
            "YBR_FULL_422" => Self::YbrFull422,
            "YBR_RCT" => Self::YbrRct,
            "YBR_ICT" => Self::YbrIct,
            other => Self::Other(other.to_string()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Self::Monochrome1 => "MONOCHROME1",
            Self::Monochrome2 => "MONOCHROME2",
            Self::PaletteColor => "PALETTE COLOR",
            Self::Rgb => "RGB",
            Self::YbrFull => "YBR_FULL",
            Self::YbrFull422 => "YBR_FULL_422",
            Self::YbrRct => "YBR_RCT",
            Self::YbrIct => "YBR_ICT",
            Self::Other(s) => s,
        }
    }

    pub fn is_monochrome(&self) -> bool {
        matches!(self, Self::Monochrome1 | Self::Monochrome2)
    }
}

/// Where attributes are read from: DICOM JSON metadata, or a parsed file.
pub trait Attributes {
    /// The first value as text, trimmed.
    fn text(&self, tag: Tag) -> Option<String>;
    /// The first value as an unsigned integer.
    fn uint(&self, tag: Tag) -> Option<u32>;
}

/// Sizes the viewer accepts before allocating anything for a frame.
///
/// The web default allows the largest plain radiographs and multi-frame ultrasound seen in
/// practice while keeping one frame well inside a browser tab's memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub max_rows: u16,
    pub max_columns: u16,
    pub max_frames: u32,
    /// Largest decoded frame, in bytes.
    pub max_frame_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_rows: 16_384,
            max_columns: 16_384,
            max_frames: 20_000,
            max_frame_bytes: 256 * 1024 * 1024,
        }
    }
}

/// Why a pixel module cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PixelModuleError {
    #[error("missing attribute {0}")]
    Missing(&'static str),
    #[error("{name} = {value} is out of range")]
    OutOfRange { name: &'static str, value: u64 },
    #[error("Bits Stored {bits_stored} exceeds Bits Allocated {bits_allocated}")]
    BitsStoredTooLarge {
        bits_stored: u16,
        bits_allocated: u16,
    },
    #[error("a {rows}x{columns} frame exceeds the limit of {max_rows}x{max_columns}")]
    TooLarge {
        rows: u16,
        columns: u16,
        max_rows: u16,
        max_columns: u16,
    },
    #[error("a frame of {bytes} bytes exceeds the limit of {limit} bytes")]
    FrameTooLarge { bytes: u64, limit: usize },
    #[error("{frames} frames exceed the limit of {limit}")]
    TooManyFrames { frames: u32, limit: u32 },
}

/// The attributes needed to interpret one frame's samples.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PixelModule {
    pub rows: u16,
    pub columns: u16,
    pub samples_per_pixel: u16,
    pub bits_allocated: u16,
    pub bits_stored: u16,
    /// `true` when Pixel Representation is 1 (two's complement).
    pub signed: bool,
    pub photometric: Photometric,
    /// 0: colour-by-pixel (RGBRGB…), 1: colour-by-plane (RR…GG…BB…).
    pub planar_configuration: u16,
    pub number_of_frames: u32,
}

impl PixelModule {
    /// Reads the module (from WADO-RS metadata or a file), then checks it.
    pub fn read(ds: &impl Attributes, limits: &Limits) -> Result<Self, PixelModuleError> {
        let u16_of = |tag, name: &'static str| -> Result<u16, PixelModuleError> {
            let value = ds.uint(tag).ok_or(PixelModuleError::Missing(name))?;
            u16::try_from(value).map_err(|_| PixelModuleError::OutOfRange {
                name,
                value: value.into(),
            })
        };
        let bits_allocated = u16_of(tags::BITS_ALLOCATED, "BitsAllocated")?;
        let module = PixelModule {
            rows: u16_of(tags::ROWS, "Rows")?,
            columns: u16_of(tags::COLUMNS, "Columns")?,
            samples_per_pixel: u16_of(tags::SAMPLES_PER_PIXEL, "SamplesPerPixel")?,
            bits_allocated,
            bits_stored: ds
                .uint(tags::BITS_STORED)
                .and_then(|v| u16::try_from(v).ok())
                .unwrap_or(bits_allocated),
            signed: ds.uint(tags::PIXEL_REPRESENTATION) == Some(1),
            photometric: Photometric::parse(
                &ds.text(tags::PHOTOMETRIC_INTERPRETATION)
                    .ok_or(PixelModuleError::Missing("PhotometricInterpretation"))?,
            ),
            planar_configuration: ds
                .uint(tags::PLANAR_CONFIGURATION)
                .and_then(|v| u16::try_from(v).ok())
                .unwrap_or(0),
            number_of_frames: ds.uint(tags::NUMBER_OF_FRAMES).unwrap_or(1).max(1),
        };
        module.check(limits)?;
        Ok(module)
    }

    /// Checks every value and the frame size against `limits`.
    pub fn check(&self, limits: &Limits) -> Result<(), PixelModuleError> {
        let out_of_range = |name, value: u64| PixelModuleError::OutOfRange { name, value };
        if self.rows == 0 {
            return Err(out_of_range("Rows", 0));
        }
        if self.columns == 0 {
            return Err(out_of_range("Columns", 0));
        }
        if !matches!(self.samples_per_pixel, 1 | 3) {
            return Err(out_of_range(
                "SamplesPerPixel",
                self.samples_per_pixel.into(),
            ));
        }
        if !matches!(self.bits_allocated, 1 | 8 | 16 | 32) {
            return Err(out_of_range("BitsAllocated", self.bits_allocated.into()));
        }
        if self.bits_allocated == 1 && self.samples_per_pixel != 1 {
            return Err(out_of_range(
                "SamplesPerPixel",
                self.samples_per_pixel.into(),
            ));
        }
        if self.bits_stored == 0 {
            return Err(out_of_range("BitsStored", 0));
        }
        if self.bits_stored > self.bits_allocated {
            return Err(PixelModuleError::BitsStoredTooLarge {
                bits_stored: self.bits_stored,
                bits_allocated: self.bits_allocated,
            });
        }
        if self.planar_configuration > 1 {
            return Err(out_of_range(
                "PlanarConfiguration",
                self.planar_configuration.into(),
            ));
        }
        if self.rows > limits.max_rows || self.columns > limits.max_columns {
            return Err(PixelModuleError::TooLarge {
                rows: self.rows,
                columns: self.columns,
                max_rows: limits.max_rows,
                max_columns: limits.max_columns,
            });
        }
        if self.number_of_frames > limits.max_frames {
            return Err(PixelModuleError::TooManyFrames {
                frames: self.number_of_frames,
                limit: limits.max_frames,
            });
        }
        let bytes = self.frame_bytes_u64();
        if bytes > limits.max_frame_bytes as u64 {
            return Err(PixelModuleError::FrameTooLarge {
                bytes,
                limit: limits.max_frame_bytes,
            });
        }
        Ok(())
    }

    /// Pixels in one frame.
    pub fn pixel_count(&self) -> usize {
        usize::from(self.rows) * usize::from(self.columns)
    }

    /// Bytes of one frame at full resolution (decoded). 1-bit frames are packed.
    pub fn frame_bytes(&self) -> usize {
        // `check` bounds this by `max_frame_bytes`, which fits usize on every target.
        usize::try_from(self.frame_bytes_u64()).unwrap_or(usize::MAX)
    }

    /// Bytes of one frame as stored uncompressed: YBR_FULL_422 keeps two samples per pixel.
    pub fn native_frame_bytes(&self) -> usize {
        if self.is_native_422() {
            // Each row is whole pairs (Y1 Y2 Cb Cr); an odd last column still takes a pair.
            usize::from(self.rows) * usize::from(self.columns).div_ceil(2) * 4
        } else {
            self.frame_bytes()
        }
    }

    /// Whether uncompressed samples are chroma-subsampled (YBR_FULL_422, 8 bits).
    pub fn is_native_422(&self) -> bool {
        self.photometric == Photometric::YbrFull422
            && self.samples_per_pixel == 3
            && self.bits_allocated == 8
    }

    fn frame_bytes_u64(&self) -> u64 {
        let bits = u64::from(self.rows)
            * u64::from(self.columns)
            * u64::from(self.samples_per_pixel)
            * u64::from(self.bits_allocated);
        bits.div_ceil(8)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ct() -> PixelModule {
        PixelModule {
            rows: 512,
            columns: 512,
            samples_per_pixel: 1,
            bits_allocated: 16,
            bits_stored: 16,
            signed: false,
            photometric: Photometric::Monochrome2,
            planar_configuration: 0,
            number_of_frames: 1,
        }
    }

    #[test]
    fn frame_size_and_limits() {
        let limits = Limits::default();
        assert_eq!(ct().frame_bytes(), 512 * 512 * 2);
        assert_eq!(ct().check(&limits), Ok(()));
        let huge = PixelModule {
            rows: 60_000,
            ..ct()
        };
        assert!(matches!(
            huge.check(&limits),
            Err(PixelModuleError::TooLarge { .. })
        ));
        let small = Limits {
            max_frame_bytes: 1000,
            ..limits
        };
        assert!(matches!(
            ct().check(&small),
            Err(PixelModuleError::FrameTooLarge { .. })
        ));
        let one_bit = PixelModule {
            bits_allocated: 1,
            bits_stored: 1,
            rows: 3,
            columns: 3,
            ..ct()
        };
        assert_eq!(one_bit.frame_bytes(), 2);
    }

    #[test]
    fn rejects_inconsistent_modules() {
        let limits = Limits::default();
        let bad = PixelModule {
            bits_stored: 17,
            ..ct()
        };
        assert!(matches!(
            bad.check(&limits),
            Err(PixelModuleError::BitsStoredTooLarge { .. })
        ));
        let bad = PixelModule {
            samples_per_pixel: 4,
            ..ct()
        };
        assert!(matches!(
            bad.check(&limits),
            Err(PixelModuleError::OutOfRange {
                name: "SamplesPerPixel",
                ..
            })
        ));
    }

    #[test]
    fn reads_from_dicom_json() {
        let ds = &crate::dicom_json::JsonDataset::parse_array(
            r#"[{"00280010":{"vr":"US","Value":[4]},"00280011":{"vr":"US","Value":[2]},
                 "00280002":{"vr":"US","Value":[1]},"00280100":{"vr":"US","Value":[16]},
                 "00280101":{"vr":"US","Value":[12]},"00280103":{"vr":"US","Value":[1]},
                 "00280004":{"vr":"CS","Value":["MONOCHROME1"]}}]"#,
        )
        .expect("valid")[0];
        let m = PixelModule::read(ds, &Limits::default()).expect("complete module");
        assert_eq!((m.rows, m.columns, m.bits_stored), (4, 2, 12));
        assert!(m.signed);
        assert_eq!(m.photometric, Photometric::Monochrome1);
        assert_eq!(m.number_of_frames, 1);
    }
}
