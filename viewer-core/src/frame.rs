//! One frame's bytes, as labelled by the server, into typed samples.
//!
//! The label (the transfer syntax of a WADO-RS part, or of a file) is not trusted: a native
//! frame must have exactly the size its pixel module says, and a payload that starts with a
//! codestream signature is never read as samples. A frame that fails a check is an error,
//! never a picture.

use std::borrow::Cow;

use dicom_encoding::transfer_syntax::{Codec, TransferSyntaxIndex};
use dicom_transfer_syntax_registry::TransferSyntaxRegistry;

use crate::pixel_module::{Limits, Photometric, PixelModule, PixelModuleError};
pub use crate::samples::Samples;

pub const EXPLICIT_VR_BIG_ENDIAN: &str = "1.2.840.10008.1.2.2";
pub const RLE_LOSSLESS: &str = "1.2.840.10008.1.2.5";
pub const JPEG_2000: &str = "1.2.840.10008.1.2.4.90";
/// JPEG 2000 (lossless, lossy) and HTJ2K (lossless, RPCL, lossy): decoded by [`crate::j2k`].
const J2K_SYNTAXES: [&str; 5] = [
    JPEG_2000,
    "1.2.840.10008.1.2.4.91",
    "1.2.840.10008.1.2.4.201",
    "1.2.840.10008.1.2.4.202",
    "1.2.840.10008.1.2.4.203",
];

pub const JPEG_XL_LOSSLESS: &str = "1.2.840.10008.1.2.4.110";
pub const JPEG_XL_JPEG_RECOMPRESSION: &str = "1.2.840.10008.1.2.4.111";
pub const JPEG_XL: &str = "1.2.840.10008.1.2.4.112";
/// JPEG XL (lossless, JPEG recompression, lossy): decoded by `crate::jxl`.
pub const JPEG_XL_SYNTAXES: [&str; 3] = [JPEG_XL_LOSSLESS, JPEG_XL_JPEG_RECOMPRESSION, JPEG_XL];

/// A decoded frame.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodedFrame {
    pub rows: u16,
    pub columns: u16,
    pub samples_per_pixel: u16,
    /// The photometric interpretation of `samples` (decoders turn YBR into RGB).
    pub photometric: Photometric,
    pub samples: Samples,
    /// Set when the server's label was wrong and the bytes were decoded as what they are:
    /// the transfer syntax UID of the label (see [`decode_frame`]).
    pub relabelled_from: Option<String>,
}

impl DecodedFrame {
    /// A frame of `module`'s size holding `samples`, decoded from bytes labelled correctly.
    fn of(module: &PixelModule, photometric: Photometric, samples: Samples) -> Self {
        DecodedFrame {
            rows: module.rows,
            columns: module.columns,
            samples_per_pixel: module.samples_per_pixel,
            photometric,
            samples,
            relabelled_from: None,
        }
    }
}

/// The large decoders a build links, as plain functions: a build that never names one leaves
/// its code out (the page's first download stays small; a worker with all of them is loaded
/// when a series needs it).
#[derive(Clone, Copy)]
pub struct Decoders {
    /// JPEG 2000 and HTJ2K.
    pub jpeg_2000: Option<Jpeg2000Decoder>,
    /// A preview from the first bytes of a JPEG 2000 or HTJ2K frame.
    pub jpeg_2000_prefix: Option<Jpeg2000Decoder>,
    /// JPEG XL (and JPEG recompressed as JPEG XL).
    pub jpeg_xl: Option<JpegXlDecoder>,
}

/// Decodes a JPEG 2000 or HTJ2K codestream into the module's samples.
pub type Jpeg2000Decoder = fn(&PixelModule, &[u8]) -> Result<Samples, crate::j2k::J2kError>;

/// Decodes a JPEG XL frame: module, transfer syntax UID and name, bytes, limits.
pub type JpegXlDecoder =
    fn(&PixelModule, &str, &str, &[u8], &Limits) -> Result<DecodedFrame, DecodeError>;

impl Decoders {
    /// Every decoder.
    #[cfg(feature = "jpeg-xl")]
    pub const ALL: Decoders = Decoders {
        jpeg_2000: Some(crate::j2k::decode_j2k),
        jpeg_2000_prefix: Some(crate::j2k::decode_j2k_prefix),
        jpeg_xl: Some(decode_jxl_frame),
    };
    /// Native, RLE, the JPEG family and JPEG-LS only.
    pub const SMALL: Decoders = Decoders {
        jpeg_2000: None,
        jpeg_2000_prefix: None,
        jpeg_xl: None,
    };
    /// [`Decoders::SMALL`], JPEG 2000 and HTJ2K (their previews too): not JPEG XL.
    #[cfg(feature = "jpeg2000")]
    pub const JPEG_2000: Decoders = Decoders {
        jpeg_2000: Some(crate::j2k::decode_j2k),
        jpeg_2000_prefix: Some(crate::j2k::decode_j2k_prefix),
        jpeg_xl: None,
    };
}

/// The decoder sets, each holding the one before: [`Decoders::SMALL`],
/// [`Decoders::JPEG_2000`], [`Decoders::ALL`].
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum DecoderSet {
    Small,
    Jpeg2000,
    All,
}

impl DecoderSet {
    /// The smallest set that decodes frames labelled `transfer_syntax_uid` (a syntax it does
    /// not know is left to the small set, which says so).
    pub fn for_syntax(transfer_syntax_uid: &str) -> DecoderSet {
        let uid = transfer_syntax_uid.trim().trim_end_matches('\0');
        if J2K_SYNTAXES.contains(&uid) {
            DecoderSet::Jpeg2000
        } else if JPEG_XL_SYNTAXES.contains(&uid) {
            DecoderSet::All
        } else {
            DecoderSet::Small
        }
    }
}

/// Whether a frame labelled `transfer_syntax_uid` can be previewed from its first bytes
/// (JPEG 2000 and HTJ2K: a prefix holds the low resolutions).
pub fn previews_from_prefix(transfer_syntax_uid: &str) -> bool {
    J2K_SYNTAXES.contains(&transfer_syntax_uid.trim().trim_end_matches('\0'))
}

/// A preview of a frame from its first bytes, `None` when its syntax has none
/// ([`previews_from_prefix`]). Its size and samples are the full frame's; its detail is not.
pub fn decode_prefix_with(
    decoders: &Decoders,
    module: &PixelModule,
    transfer_syntax_uid: &str,
    prefix: &[u8],
    limits: &Limits,
) -> Result<Option<DecodedFrame>, DecodeError> {
    if !previews_from_prefix(transfer_syntax_uid) {
        return Ok(None);
    }
    module.check(limits)?;
    let name = "JPEG 2000";
    let decode = decoders
        .jpeg_2000_prefix
        .ok_or_else(|| DecodeError::DecoderNotIncluded {
            transfer_syntax: name.to_string(),
        })?;
    let samples = decode(module, prefix).map_err(|e| DecodeError::Codec {
        transfer_syntax: name.to_string(),
        message: e.to_string(),
    })?;
    Ok(Some(DecodedFrame::of(
        module,
        photometric_after_codec(module),
        samples,
    )))
}

/// Why a frame could not be decoded. Messages name the problem, never patient data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("invalid pixel module: {0}")]
    PixelModule(#[from] PixelModuleError),
    #[error("unknown transfer syntax {uid}")]
    UnknownTransferSyntax { uid: String },
    #[error("transfer syntax {name} ({uid}) is not supported yet")]
    UnsupportedTransferSyntax { uid: String, name: String },
    #[error("a frame labelled as uncompressed holds a {kind} codestream")]
    CodestreamLabelledAsNative { kind: &'static str },
    #[error(
        "an uncompressed frame has {actual} bytes, {expected} expected (truncated or mislabelled)"
    )]
    NativeSizeMismatch { expected: usize, actual: usize },
    #[error("the {transfer_syntax} decoder failed: {message}")]
    Codec {
        transfer_syntax: String,
        message: String,
    },
    #[error("the decoder produced {actual} bytes, {expected} expected")]
    DecodedSizeMismatch { expected: usize, actual: usize },
    #[error("the {transfer_syntax} decoder is not in this build")]
    DecoderNotIncluded { transfer_syntax: String },
    /// A preview was asked of a syntax whose first bytes do not give one.
    #[error("frames labelled {transfer_syntax} give no preview from their first bytes")]
    NoPreview { transfer_syntax: String },
}

impl DecodeError {
    /// The message catalog key that says this to a reader, with its arguments.
    pub fn catalog_key(&self) -> (&'static str, Vec<(&'static str, String)>) {
        match self {
            DecodeError::PixelModule(
                PixelModuleError::TooLarge { .. } | PixelModuleError::FrameTooLarge { .. },
            ) => ("error.too_large", vec![]),
            DecodeError::PixelModule(_) => ("error.pixel_module", vec![]),
            DecodeError::UnknownTransferSyntax { uid } => {
                ("error.unknown_syntax", vec![("uid", uid.clone())])
            }
            DecodeError::UnsupportedTransferSyntax { name, .. } => {
                ("error.unsupported_syntax", vec![("name", name.clone())])
            }
            DecodeError::CodestreamLabelledAsNative { kind } => {
                ("error.mislabelled", vec![("kind", kind.to_string())])
            }
            DecodeError::NativeSizeMismatch { .. } | DecodeError::DecodedSizeMismatch { .. } => {
                ("error.size", vec![])
            }
            DecodeError::Codec {
                transfer_syntax, ..
            }
            | DecodeError::NoPreview { transfer_syntax } => {
                ("error.codec", vec![("codec", transfer_syntax.clone())])
            }
            DecodeError::DecoderNotIncluded { transfer_syntax } => (
                "error.decoder_missing",
                vec![("codec", transfer_syntax.clone())],
            ),
        }
    }
}

/// Decodes one frame.
///
/// `transfer_syntax_uid` is the syntax the bytes are said to be in; `bytes` is exactly one
/// frame (a WADO-RS part, or a frame's fragments joined).
///
/// A frame labelled uncompressed that is in fact a JPEG 2000 codestream (Orthanc 1.10 sends
/// HTJ2K so) is decoded as the codestream it is: the codestream describes itself, and the
/// decoded size must still match the pixel module. Any other codestream under an
/// uncompressed label is refused.
#[cfg(feature = "jpeg-xl")]
pub fn decode_frame(
    module: &PixelModule,
    transfer_syntax_uid: &str,
    bytes: &[u8],
    limits: &Limits,
) -> Result<DecodedFrame, DecodeError> {
    decode_frame_with(&Decoders::ALL, module, transfer_syntax_uid, bytes, limits)
}

/// Decodes one frame with the large decoders `decoders` carries ([`decode_frame`] carries all).
///
/// A build that names only [`Decoders::SMALL`] links none of JPEG 2000, HTJ2K or JPEG XL: a
/// frame that needs one is [`DecodeError::DecoderNotIncluded`], for a build that has it.
pub fn decode_frame_with(
    decoders: &Decoders,
    module: &PixelModule,
    transfer_syntax_uid: &str,
    bytes: &[u8],
    limits: &Limits,
) -> Result<DecodedFrame, DecodeError> {
    module.check(limits)?;
    let uid = transfer_syntax_uid.trim().trim_end_matches('\0');
    let ts = TransferSyntaxRegistry
        .get(uid)
        .ok_or_else(|| DecodeError::UnknownTransferSyntax {
            uid: uid.to_string(),
        })?;

    if !ts.is_encapsulated_pixel_data() {
        match codestream_kind(bytes) {
            Some("JPEG 2000") if bytes.len() != module.native_frame_bytes() => {
                let mut frame = decode_frame_with(decoders, module, JPEG_2000, bytes, limits)?;
                frame.relabelled_from = Some(uid.to_string());
                return Ok(frame);
            }
            Some(kind) => return Err(DecodeError::CodestreamLabelledAsNative { kind }),
            None => {}
        }
    }

    let not_included = || DecodeError::DecoderNotIncluded {
        transfer_syntax: ts.name().to_string(),
    };
    if J2K_SYNTAXES.contains(&uid) {
        let decode = decoders.jpeg_2000.ok_or_else(not_included)?;
        let samples = decode(module, bytes).map_err(|e| DecodeError::Codec {
            transfer_syntax: ts.name().to_string(),
            message: e.to_string(),
        })?;
        return Ok(DecodedFrame::of(
            module,
            photometric_after_codec(module),
            samples,
        ));
    }

    if JPEG_XL_SYNTAXES.contains(&uid) {
        let decode = decoders.jpeg_xl.ok_or_else(not_included)?;
        return decode(module, uid, ts.name(), bytes, limits);
    }

    let (native, photometric) = match ts.codec() {
        // Native syntaxes; for Deflated Explicit VR LE the frame itself is not deflated once
        // taken out of the dataset.
        Codec::None | Codec::Dataset(_) => {
            let native = native_le_bytes(module, uid, bytes)?;
            to_rgb_if_ybr(module, native)
        }
        Codec::EncapsulatedPixelData(..)
            if uid == crate::jpegls::JPEG_LS_LOSSLESS
                || uid == crate::jpegls::JPEG_LS_NEAR_LOSSLESS =>
        {
            let out =
                crate::jpegls::decode_jpegls(module, bytes).map_err(|e| DecodeError::Codec {
                    transfer_syntax: ts.name().to_string(),
                    message: e.to_string(),
                })?;
            (Cow::Owned(out), module.photometric.clone())
        }
        Codec::EncapsulatedPixelData(..)
            if (uid == crate::jpeg::JPEG_BASELINE || uid == crate::jpeg::JPEG_EXTENDED)
                && module.samples_per_pixel == 3
                && module.bits_allocated == 8 =>
        {
            let out =
                crate::jpeg::decode_jpeg_colour(module, bytes).map_err(|e| DecodeError::Codec {
                    transfer_syntax: ts.name().to_string(),
                    message: e.to_string(),
                })?;
            (Cow::Owned(out), Photometric::Rgb)
        }
        Codec::EncapsulatedPixelData(..)
            if (uid == crate::jpeg::JPEG_BASELINE || uid == crate::jpeg::JPEG_EXTENDED)
                && module.bits_allocated == 16
                && crate::jpeg12::is_12_bit(bytes) =>
        {
            let out =
                crate::jpeg12::decode_jpeg12(module, bytes).map_err(|e| DecodeError::Codec {
                    transfer_syntax: ts.name().to_string(),
                    message: e.to_string(),
                })?;
            (Cow::Owned(out), photometric_after_codec(module))
        }
        Codec::EncapsulatedPixelData(..) if uid == RLE_LOSSLESS => {
            let out = crate::rle::decode_rle(module, bytes).map_err(|e| DecodeError::Codec {
                transfer_syntax: ts.name().to_string(),
                message: e.to_string(),
            })?;
            to_rgb_if_ybr(module, Cow::Owned(out))
        }
        Codec::EncapsulatedPixelData(..) if crate::jpeg::JPEG_SYNTAXES.contains(&uid) => {
            let out = crate::jpeg::decode_jpeg_samples(module, bytes).map_err(|e| {
                DecodeError::Codec {
                    transfer_syntax: ts.name().to_string(),
                    message: e.to_string(),
                }
            })?;
            (Cow::Owned(out), photometric_after_codec(module))
        }
        Codec::EncapsulatedPixelData(..) => {
            return Err(DecodeError::UnsupportedTransferSyntax {
                uid: uid.to_string(),
                name: ts.name().to_string(),
            })
        }
    };

    let expected = decoded_bytes(module);
    if native.len() != expected {
        return Err(DecodeError::DecodedSizeMismatch {
            expected,
            actual: native.len(),
        });
    }
    let samples = crate::samples::from_le_bytes(module, &native);
    Ok(DecodedFrame::of(module, photometric, samples))
}

/// JPEG XL: a JPEG-recompression stream that still holds its original JPEG is decoded as that
/// JPEG; everything else is rendered by the JPEG XL decoder.
#[cfg(feature = "jpeg-xl")]
fn decode_jxl_frame(
    module: &PixelModule,
    uid: &str,
    name: &str,
    bytes: &[u8],
    limits: &Limits,
) -> Result<DecodedFrame, DecodeError> {
    let codec_error = |e: crate::jxl::JxlError| DecodeError::Codec {
        transfer_syntax: name.to_string(),
        message: e.to_string(),
    };
    if uid == JPEG_XL_JPEG_RECOMPRESSION {
        if let Ok(jpeg) = crate::jxl::reconstruct_jpeg(module, bytes) {
            let jpeg_syntax = crate::jpeg::JPEG_BASELINE;
            return decode_frame_with(&Decoders::SMALL, module, jpeg_syntax, &jpeg, limits);
        }
    }
    let (samples, photometric) = crate::jxl::decode_jxl(module, bytes).map_err(codec_error)?;
    Ok(DecodedFrame::of(module, photometric, samples))
}

/// Bytes of a decoded frame in our layout: 1-bit data is unpacked by the native path before
/// this check, so it counts one byte per pixel.
fn decoded_bytes(module: &PixelModule) -> usize {
    if module.bits_allocated == 1 {
        module.pixel_count() * usize::from(module.samples_per_pixel)
    } else {
        module.frame_bytes()
    }
}

/// Checks a native frame and returns it as little-endian, colour-by-pixel bytes.
fn native_le_bytes<'a>(
    module: &PixelModule,
    uid: &str,
    bytes: &'a [u8],
) -> Result<Cow<'a, [u8]>, DecodeError> {
    let expected = module.native_frame_bytes();
    // An odd-length frame may arrive padded to even length.
    let exact = match bytes.len() {
        n if n == expected => bytes,
        n if n == expected + 1 && expected % 2 == 1 => &bytes[..expected],
        actual => return Err(DecodeError::NativeSizeMismatch { expected, actual }),
    };
    let mut data = Cow::Borrowed(exact);
    if uid == EXPLICIT_VR_BIG_ENDIAN && module.bits_allocated > 8 {
        let width = usize::from(module.bits_allocated / 8);
        let owned = data.to_mut();
        for sample in owned.chunks_exact_mut(width) {
            sample.reverse();
        }
    }
    if module.bits_allocated == 1 {
        data = Cow::Owned(unpack_bits(exact, module.pixel_count()));
    }
    if module.is_native_422() {
        data = Cow::Owned(crate::color::expand_ybr_422(
            &data,
            usize::from(module.rows),
            usize::from(module.columns),
        ));
    } else if module.samples_per_pixel == 3 && module.planar_configuration == 1 {
        data = Cow::Owned(interleave_planes(&data, module));
    }
    Ok(data)
}

/// 8-bit YBR_FULL / YBR_FULL_422 samples (uncompressed or RLE) become RGB; anything else
/// keeps its interpretation.
fn to_rgb_if_ybr<'a>(
    module: &PixelModule,
    mut data: Cow<'a, [u8]>,
) -> (Cow<'a, [u8]>, Photometric) {
    let ybr = matches!(
        module.photometric,
        Photometric::YbrFull | Photometric::YbrFull422
    );
    if ybr && module.samples_per_pixel == 3 && module.bits_allocated == 8 {
        crate::color::ybr_full_to_rgb(data.to_mut());
        (data, Photometric::Rgb)
    } else {
        (data, module.photometric.clone())
    }
}

/// The syntax whose decoder a frame needs, from its label and first bytes: a JPEG 2000
/// codestream labelled uncompressed (Orthanc 1.10 sends HTJ2K so) needs JPEG 2000's. `None`
/// while too few bytes came to tell.
pub fn syntax_to_decode<'a>(transfer_syntax_uid: &'a str, first_bytes: &[u8]) -> Option<&'a str> {
    let uid = transfer_syntax_uid.trim().trim_end_matches('\0');
    let native = TransferSyntaxRegistry
        .get(uid)
        .is_some_and(|ts| !ts.is_encapsulated_pixel_data());
    if !native {
        return Some(uid);
    }
    if first_bytes.len() < 4 {
        return None;
    }
    Some(match codestream_kind(first_bytes) {
        Some("JPEG 2000") => JPEG_2000,
        _ => uid,
    })
}

/// Recognises compressed codestreams by their first bytes.
fn codestream_kind(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0x4F, 0xFF, 0x51]) {
        Some("JPEG 2000")
    } else if bytes.starts_with(&[0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20]) {
        Some("JP2")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("JPEG")
    } else {
        None
    }
}

fn unpack_bits(packed: &[u8], pixels: usize) -> Vec<u8> {
    (0..pixels)
        .map(|i| (packed[i / 8] >> (i % 8)) & 1)
        .collect()
}

fn interleave_planes(data: &[u8], module: &PixelModule) -> Vec<u8> {
    let width = usize::from(module.bits_allocated / 8).max(1);
    let plane = module.pixel_count() * width;
    let mut out = vec![0u8; data.len()];
    for p in 0..module.pixel_count() {
        for s in 0..3 {
            let src = s * plane + p * width;
            let dst = (p * 3 + s) * width;
            out[dst..dst + width].copy_from_slice(&data[src..src + width]);
        }
    }
    out
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

#[cfg(test)]
mod tests {
    use super::*;

    const EXPLICIT_LE: &str = "1.2.840.10008.1.2.1";

    #[test]
    fn the_decoder_a_frame_needs_is_told_by_its_first_bytes_under_a_native_label() {
        let soc_siz = [0xFF, 0x4F, 0xFF, 0x51, 0x00];
        assert_eq!(syntax_to_decode(EXPLICIT_LE, &soc_siz), Some(JPEG_2000));
        assert_eq!(
            syntax_to_decode(EXPLICIT_LE, &soc_siz[..3]),
            None,
            "too few bytes"
        );
        assert_eq!(
            syntax_to_decode(EXPLICIT_LE, &[0x10, 0x00, 0x20, 0x00]),
            Some(EXPLICIT_LE)
        );
        let rle = "1.2.840.10008.1.2.5";
        assert_eq!(
            syntax_to_decode(rle, &[]),
            Some(rle),
            "a compressed label is its own"
        );
    }

    fn module(rows: u16, columns: u16, bits_allocated: u16, bits_stored: u16) -> PixelModule {
        PixelModule {
            rows,
            columns,
            samples_per_pixel: 1,
            bits_allocated,
            bits_stored,
            signed: false,
            photometric: Photometric::Monochrome2,
            planar_configuration: 0,
            number_of_frames: 1,
        }
    }

    #[test]
    fn the_small_set_sends_large_codecs_elsewhere() {
        let m = module(2, 2, 16, 12);
        let small = |uid: &str, bytes: &[u8]| {
            decode_frame_with(&Decoders::SMALL, &m, uid, bytes, &Limits::default())
        };
        // A J2K codestream, labelled as what it is, or as uncompressed (Orthanc 1.10's HTJ2K).
        let codestream = [0xFF, 0x4F, 0xFF, 0x51, 0, 0];
        for uid in [JPEG_2000, "1.2.840.10008.1.2.4.201", EXPLICIT_LE] {
            assert!(
                matches!(
                    small(uid, &codestream),
                    Err(DecodeError::DecoderNotIncluded { .. })
                ),
                "{uid}"
            );
        }
        assert_eq!(
            DecoderSet::for_syntax("1.2.840.10008.1.2.4.203"),
            DecoderSet::Jpeg2000
        );
        assert_eq!(DecoderSet::for_syntax(JPEG_2000), DecoderSet::Jpeg2000);
        assert_eq!(
            DecoderSet::for_syntax("1.2.840.10008.1.2.4.110"),
            DecoderSet::All
        );
        assert_eq!(DecoderSet::for_syntax(EXPLICIT_LE), DecoderSet::Small);
        assert_eq!(DecoderSet::for_syntax("1.2.3.4"), DecoderSet::Small);
        // The JPEG 2000 set leaves JPEG XL to the full one.
        let jxl = decode_frame_with(
            &Decoders::JPEG_2000,
            &m,
            "1.2.840.10008.1.2.4.110",
            &[0xFF, 0x0A, 0, 0],
            &Limits::default(),
        );
        assert!(matches!(jxl, Err(DecodeError::DecoderNotIncluded { .. })));
        // What the small set has, it decodes.
        let native = small(EXPLICIT_LE, &[1, 0, 2, 0, 3, 0, 4, 0]).expect("native");
        assert_eq!(native.samples, Samples::U16(vec![1, 2, 3, 4]));
    }

    #[test]
    fn native_16_bit_signed_masks_and_sign_extends() {
        let m = PixelModule {
            signed: true,
            ..module(1, 2, 16, 12)
        };
        // 0x0FFF is -1 in 12 bits; 0xF001 has an overlay bit above bit 11 and is 1.
        let f = decode_frame(
            &m,
            EXPLICIT_LE,
            &[0xFF, 0x0F, 0x01, 0xF0],
            &Limits::default(),
        )
        .expect("valid frame");
        assert_eq!(f.samples, Samples::I16(vec![-1, 1]));
    }

    #[test]
    fn big_endian_is_swapped() {
        let m = module(1, 1, 16, 16);
        let f = decode_frame(
            &m,
            EXPLICIT_VR_BIG_ENDIAN,
            &[0x01, 0x02],
            &Limits::default(),
        )
        .expect("valid frame");
        assert_eq!(f.samples, Samples::U16(vec![0x0102]));
    }

    #[test]
    fn truncated_native_frame_is_refused() {
        let m = module(2, 2, 16, 16);
        assert_eq!(
            decode_frame(&m, EXPLICIT_LE, &[0; 6], &Limits::default()),
            Err(DecodeError::NativeSizeMismatch {
                expected: 8,
                actual: 6
            })
        );
    }

    #[test]
    fn codestream_labelled_native_is_never_read_as_samples() {
        let m = module(2, 2, 16, 16);
        // The exact size of a raw frame, but a JPEG 2000 signature: ambiguous, refused.
        let bytes = [0xFF, 0x4F, 0xFF, 0x51, 0, 0, 0, 0];
        assert_eq!(
            decode_frame(&m, EXPLICIT_LE, &bytes, &Limits::default()),
            Err(DecodeError::CodestreamLabelledAsNative { kind: "JPEG 2000" })
        );
        // A damaged codestream under a raw label: a decoder error, not a picture.
        let bytes = [0xFF, 0x4F, 0xFF, 0x51, 0, 0];
        assert!(matches!(
            decode_frame(&m, EXPLICIT_LE, &bytes, &Limits::default()),
            Err(DecodeError::Codec { .. })
        ));
        // A JPEG stream under a raw label is refused.
        let bytes = [0xFF, 0xD8, 0xFF, 0xE0, 0, 0];
        assert_eq!(
            decode_frame(&m, EXPLICIT_LE, &bytes, &Limits::default()),
            Err(DecodeError::CodestreamLabelledAsNative { kind: "JPEG" })
        );
    }

    #[test]
    fn unknown_syntax_and_bad_codestream_are_typed_errors() {
        let m = module(2, 2, 16, 16);
        assert!(matches!(
            decode_frame(&m, "1.2.3.4", &[0; 8], &Limits::default()),
            Err(DecodeError::UnknownTransferSyntax { .. })
        ));
        assert!(matches!(
            decode_frame(&m, "1.2.840.10008.1.2.4.90", &[1, 2, 3], &Limits::default()),
            Err(DecodeError::Codec { .. })
        ));
        assert!(matches!(
            decode_frame(&m, "1.2.840.10008.1.2.5", &[0; 3], &Limits::default()),
            Err(DecodeError::Codec { .. })
        ));
    }

    #[test]
    fn one_bit_and_planar_colour() {
        let m = module(1, 10, 1, 1);
        let f = decode_frame(&m, EXPLICIT_LE, &[0b0000_0101, 0b10], &Limits::default())
            .expect("valid frame");
        assert_eq!(f.samples, Samples::U8(vec![1, 0, 1, 0, 0, 0, 0, 0, 0, 1]));

        let m = PixelModule {
            samples_per_pixel: 3,
            planar_configuration: 1,
            photometric: Photometric::Rgb,
            ..module(1, 2, 8, 8)
        };
        let f = decode_frame(&m, EXPLICIT_LE, &[1, 2, 3, 4, 5, 6], &Limits::default())
            .expect("valid frame");
        assert_eq!(f.samples, Samples::U8(vec![1, 3, 5, 2, 4, 6]));
    }
}
