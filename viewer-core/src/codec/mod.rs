//! The codecs behind one trait, and the table of those a decoder build holds.
//!
//! As in dicom-rs, where each transfer syntax of the registry declares its pixel data adapter
//! (`Codec::EncapsulatedPixelData(Some(reader), ..)`, a `PixelDataReader`) and a build holds
//! the adapters its features enable: here each codec family is one small [`FrameCodec`]
//! (an adapter over the decoder module that does the work: [`crate::rle`], [`crate::jpeg`],
//! [`crate::jpeg12`], [`crate::jpegls`], [`crate::j2k`], `crate::jxl`), and [`Decoders`] is the
//! table from transfer syntax UID to codec of one build. JPEG 2000 and JPEG XL are behind the
//! features `jpeg2000` and `jpeg-xl`: a build without them compiles none of their adapters.
//!
//! Codecs know nothing of the frame layer (`frame`): they answer with [`Decoded`] or a
//! [`CodecError`], and the frame layer checks the result against the pixel module and names
//! the error once.

mod native;
mod small;
mod table;

#[cfg(feature = "jpeg2000")]
mod jpeg_2000;
#[cfg(feature = "jpeg-xl")]
mod jpeg_xl;

use std::borrow::Cow;
use std::panic::RefUnwindSafe;

use crate::pixel_module::{Photometric, PixelModule};
use crate::samples::Samples;

pub(crate) use native::EXPLICIT_VR_BIG_ENDIAN;
pub use table::{previews_from_prefix, DecoderSet, Decoders, JPEG_2000_SYNTAXES, JPEG_XL_SYNTAXES};

/// One codec family: decodes one frame's bytes, already checked to be labelled with a syntax
/// of this family, for a pixel module already checked against the limits. Codecs hold no
/// state (a table is shared by every job of a worker, and may be used across a panic guard).
pub trait FrameCodec: Sync + RefUnwindSafe {
    /// Decodes one whole frame.
    fn decode<'a>(&self, module: &PixelModule, bytes: &'a [u8]) -> Result<Decoded<'a>, CodecError>;

    /// A preview from the first bytes of a frame still arriving: its size and samples are the
    /// full frame's, its detail is not. Only codestreams that hold their low resolutions first
    /// give one; other codecs keep this default.
    fn decode_prefix(
        &self,
        _module: &PixelModule,
        _prefix: &[u8],
    ) -> Result<Decoded<'static>, CodecError> {
        Err(CodecError::NoPreview)
    }
}

/// What a codec gives for one frame.
#[derive(Debug)]
pub enum Decoded<'a> {
    /// Little-endian bytes in the pixel module's layout (samples interleaved, one byte a pixel
    /// for 1-bit data), still to be checked against the module's size before they are typed.
    Bytes {
        le: Cow<'a, [u8]>,
        photometric: Photometric,
    },
    /// Typed samples, whose size the codec checked against the pixel module itself.
    Samples {
        samples: Samples,
        photometric: Photometric,
    },
    /// The frame in another syntax (a JPEG XL stream's original JPEG), to be decoded as that.
    AsSyntax {
        transfer_syntax_uid: &'static str,
        bytes: Vec<u8>,
    },
}

/// Why a codec gave no frame. The frame layer turns it into a `frame::DecodeError`
/// naming the transfer syntax.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodecError {
    /// The decoder refused the bytes (its own error, as text: it names no patient data).
    #[error("{0}")]
    Failed(String),
    /// An uncompressed frame whose size is not the pixel module's.
    #[error("an uncompressed frame has {actual} bytes, {expected} expected")]
    NativeSizeMismatch { expected: usize, actual: usize },
    /// This codec gives no preview from a frame's first bytes.
    #[error("no preview from the first bytes")]
    NoPreview,
}

impl CodecError {
    /// A decoder's own error.
    pub fn failed(error: impl std::fmt::Display) -> Self {
        CodecError::Failed(error.to_string())
    }
}

/// Decoders of compressed syntaxes give RGB for colour (PS3.5 8.2 and the dicom-rs adapter
/// contract) and keep the declared interpretation for single-sample data.
fn photometric_after_codec(module: &PixelModule) -> Photometric {
    match (&module.photometric, module.samples_per_pixel) {
        (Photometric::PaletteColor | Photometric::Monochrome1, 1) => module.photometric.clone(),
        (_, 1) => Photometric::Monochrome2,
        _ => Photometric::Rgb,
    }
}

/// 8-bit YBR_FULL / YBR_FULL_422 samples (uncompressed or RLE) become RGB; anything else
/// keeps its interpretation.
fn to_rgb_if_ybr<'a>(module: &PixelModule, mut le: Cow<'a, [u8]>) -> Decoded<'a> {
    let ybr = matches!(
        module.photometric,
        Photometric::YbrFull | Photometric::YbrFull422
    );
    if ybr && module.samples_per_pixel == 3 && module.bits_allocated == 8 {
        crate::color::ybr_full_to_rgb(le.to_mut());
        Decoded::Bytes {
            le,
            photometric: Photometric::Rgb,
        }
    } else {
        Decoded::Bytes {
            le,
            photometric: module.photometric.clone(),
        }
    }
}
