//! One frame's bytes, as labelled by the server, into typed samples.
//!
//! The label (the transfer syntax of a WADO-RS part, or of a file) is not trusted: a native
//! frame must have exactly the size its pixel module says, and a payload that starts with a
//! codestream signature is never read as samples. A frame that fails a check is an error,
//! never a picture.
//!
//! The codec comes from the build's table ([`Decoders`], in [`crate::codec`]); this layer
//! checks the label and the pixel module before it runs, checks what it gives against the
//! module, and names its errors.

use dicom_dictionary_std::uids;
use dicom_encoding::transfer_syntax::TransferSyntaxIndex;
use dicom_transfer_syntax_registry::TransferSyntaxRegistry;

use crate::codec::{CodecError, Decoded};
use crate::pixel_module::{Limits, Photometric, PixelModule, PixelModuleError};

pub use crate::codec::{previews_from_prefix, DecoderSet, Decoders};
pub use crate::samples::Samples;

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
    /// A codec's failure on a frame labelled `transfer_syntax` (the syntax's name).
    fn of_codec(error: CodecError, transfer_syntax: &str) -> Self {
        match error {
            CodecError::Failed(message) => DecodeError::Codec {
                transfer_syntax: transfer_syntax.to_string(),
                message,
            },
            CodecError::NativeSizeMismatch { expected, actual } => {
                DecodeError::NativeSizeMismatch { expected, actual }
            }
            CodecError::NoPreview => DecodeError::NoPreview {
                transfer_syntax: transfer_syntax.to_string(),
            },
        }
    }

    /// No codec of this build decodes the encapsulated syntax `uid` (named `name`): a larger
    /// build's does, or none does.
    fn no_codec(uid: &str, name: &str) -> Self {
        if DecoderSet::for_syntax(uid) == DecoderSet::Small {
            DecodeError::UnsupportedTransferSyntax {
                uid: uid.to_string(),
                name: name.to_string(),
            }
        } else {
            DecodeError::DecoderNotIncluded {
                transfer_syntax: name.to_string(),
            }
        }
    }

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

/// Decodes one frame with the codecs `decoders` holds ([`decode_frame`] holds all).
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

    let codec = if ts.is_encapsulated_pixel_data() {
        decoders
            .encapsulated(uid)
            .ok_or_else(|| DecodeError::no_codec(uid, ts.name()))?
    } else {
        match codestream_kind(bytes) {
            Some("JPEG 2000") if bytes.len() != module.native_frame_bytes() => {
                let j2k = uids::JPEG2000_LOSSLESS;
                let mut frame = decode_frame_with(decoders, module, j2k, bytes, limits)?;
                frame.relabelled_from = Some(uid.to_string());
                return Ok(frame);
            }
            Some(kind) => return Err(DecodeError::CodestreamLabelledAsNative { kind }),
            None => Decoders::native(uid),
        }
    };
    let decoded = codec
        .decode(module, bytes)
        .map_err(|e| DecodeError::of_codec(e, ts.name()))?;
    match decoded {
        Decoded::Bytes { le, photometric } => frame_of_bytes(module, &le, photometric),
        Decoded::Samples {
            samples,
            photometric,
        } => Ok(DecodedFrame::of(module, photometric, samples)),
        Decoded::AsSyntax {
            transfer_syntax_uid,
            bytes,
        } => decode_frame_with(decoders, module, transfer_syntax_uid, &bytes, limits),
    }
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
    // Only JPEG 2000 and HTJ2K give previews: errors name the family.
    let name = "JPEG 2000";
    let uid = transfer_syntax_uid.trim().trim_end_matches('\0');
    let codec = decoders
        .encapsulated(uid)
        .ok_or_else(|| DecodeError::DecoderNotIncluded {
            transfer_syntax: name.to_string(),
        })?;
    let decoded = codec
        .decode_prefix(module, prefix)
        .map_err(|e| DecodeError::of_codec(e, name))?;
    match decoded {
        Decoded::Bytes { le, photometric } => frame_of_bytes(module, &le, photometric).map(Some),
        Decoded::Samples {
            samples,
            photometric,
        } => Ok(Some(DecodedFrame::of(module, photometric, samples))),
        Decoded::AsSyntax {
            transfer_syntax_uid,
            bytes,
        } => decode_prefix_with(decoders, module, transfer_syntax_uid, &bytes, limits),
    }
}

/// A codec's little-endian bytes as a frame, once they have the pixel module's size.
fn frame_of_bytes(
    module: &PixelModule,
    le: &[u8],
    photometric: Photometric,
) -> Result<DecodedFrame, DecodeError> {
    let expected = decoded_bytes(module);
    if le.len() != expected {
        return Err(DecodeError::DecodedSizeMismatch {
            expected,
            actual: le.len(),
        });
    }
    let samples = crate::samples::from_le_bytes(module, le);
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
        Some("JPEG 2000") => uids::JPEG2000_LOSSLESS,
        _ => uid,
    })
}

/// A frame's transfer syntax as labelled (sent to the decoder, which checks the bytes against
/// it again) and the one whose decoder its bytes need: resolved once per frame on the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameSyntax {
    pub labelled: String,
    pub decode_as: String,
}

impl FrameSyntax {
    /// From the label and the first bytes; `None` while too few bytes came to tell.
    pub fn from_first_bytes(transfer_syntax_uid: &str, first_bytes: &[u8]) -> Option<Self> {
        let labelled = transfer_syntax_uid.trim().trim_end_matches('\0');
        Some(FrameSyntax {
            decode_as: syntax_to_decode(labelled, first_bytes)?.to_string(),
            labelled: labelled.to_string(),
        })
    }

    /// From the label and the whole frame (a frame too short to tell is decoded as labelled,
    /// and refused by the size check if it is not that).
    pub fn of_frame(transfer_syntax_uid: &str, bytes: &[u8]) -> Self {
        Self::from_first_bytes(transfer_syntax_uid, bytes).unwrap_or_else(|| {
            let labelled = transfer_syntax_uid.trim().trim_end_matches('\0');
            FrameSyntax {
                labelled: labelled.to_string(),
                decode_as: labelled.to_string(),
            }
        })
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    const EXPLICIT_LE: &str = uids::EXPLICIT_VR_LITTLE_ENDIAN;

    #[test]
    fn the_decoder_a_frame_needs_is_told_by_its_first_bytes_under_a_native_label() {
        let soc_siz = [0xFF, 0x4F, 0xFF, 0x51, 0x00];
        assert_eq!(
            syntax_to_decode(EXPLICIT_LE, &soc_siz),
            Some(uids::JPEG2000_LOSSLESS)
        );
        assert_eq!(
            syntax_to_decode(EXPLICIT_LE, &soc_siz[..3]),
            None,
            "too few bytes"
        );
        assert_eq!(
            syntax_to_decode(EXPLICIT_LE, &[0x10, 0x00, 0x20, 0x00]),
            Some(EXPLICIT_LE)
        );
        let rle = uids::RLE_LOSSLESS;
        assert_eq!(
            syntax_to_decode(rle, &[]),
            Some(rle),
            "a compressed label is its own"
        );
        let whole = FrameSyntax::of_frame(&format!("{EXPLICIT_LE}\0"), &soc_siz);
        assert_eq!(whole.labelled, EXPLICIT_LE);
        assert_eq!(whole.decode_as, uids::JPEG2000_LOSSLESS);
        assert_eq!(
            FrameSyntax::of_frame(EXPLICIT_LE, &[0]).decode_as,
            EXPLICIT_LE
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
        for uid in [uids::JPEG2000_LOSSLESS, uids::HTJ2K_LOSSLESS, EXPLICIT_LE] {
            assert!(
                matches!(
                    small(uid, &codestream),
                    Err(DecodeError::DecoderNotIncluded { .. })
                ),
                "{uid}"
            );
        }
        assert_eq!(DecoderSet::for_syntax(uids::HTJ2K), DecoderSet::Jpeg2000);
        assert_eq!(
            DecoderSet::for_syntax(uids::JPEG2000_LOSSLESS),
            DecoderSet::Jpeg2000
        );
        assert_eq!(
            DecoderSet::for_syntax(uids::JPEGXL_LOSSLESS),
            DecoderSet::All
        );
        assert_eq!(DecoderSet::for_syntax(EXPLICIT_LE), DecoderSet::Small);
        assert_eq!(DecoderSet::for_syntax("1.2.3.4"), DecoderSet::Small);
        // The JPEG 2000 set leaves JPEG XL to the full one.
        let jxl = decode_frame_with(
            &Decoders::JPEG_2000,
            &m,
            uids::JPEGXL_LOSSLESS,
            &[0xFF, 0x0A, 0, 0],
            &Limits::default(),
        );
        assert!(matches!(jxl, Err(DecodeError::DecoderNotIncluded { .. })));
        // What the small set has, it decodes.
        let native = small(EXPLICIT_LE, &[1, 0, 2, 0, 3, 0, 4, 0]).expect("native");
        assert_eq!(native.samples, Samples::U16(vec![1, 2, 3, 4]));
    }

    #[test]
    fn unknown_and_unsupported_syntaxes_are_the_same_typed_errors_in_every_build() {
        let m = module(2, 2, 16, 16);
        for decoders in [Decoders::SMALL, Decoders::JPEG_2000, Decoders::ALL] {
            let decode =
                |uid: &str| decode_frame_with(&decoders, &m, uid, &[0; 8], &Limits::default());
            assert_eq!(
                decode("1.2.3.4\0"),
                Err(DecodeError::UnknownTransferSyntax {
                    uid: "1.2.3.4".into()
                })
            );
            // Known to the registry, decoded by no build.
            assert_eq!(
                decode(uids::MPEG2MPML),
                Err(DecodeError::UnsupportedTransferSyntax {
                    uid: uids::MPEG2MPML.into(),
                    name: "MPEG2 Main Profile / Main Level".into()
                })
            );
            assert_eq!(
                decode_prefix_with(
                    &decoders,
                    &m,
                    uids::RLE_LOSSLESS,
                    &[0; 8],
                    &Limits::default()
                ),
                Ok(None),
                "RLE gives no preview"
            );
        }
        let no_jxl = decode_frame_with(
            &Decoders::JPEG_2000,
            &m,
            uids::JPEGXL,
            &[0; 8],
            &Limits::default(),
        );
        assert_eq!(
            no_jxl,
            Err(DecodeError::DecoderNotIncluded {
                transfer_syntax: "JPEG XL".into()
            })
        );
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
            crate::codec::EXPLICIT_VR_BIG_ENDIAN,
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
            decode_frame(&m, uids::JPEG2000_LOSSLESS, &[1, 2, 3], &Limits::default()),
            Err(DecodeError::Codec { .. })
        ));
        assert!(matches!(
            decode_frame(&m, uids::RLE_LOSSLESS, &[0; 3], &Limits::default()),
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
