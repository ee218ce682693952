//! JPEG XL ([`crate::jxl`]): lossless, lossy, and JPEG recompression, whose original JPEG is
//! decoded as that JPEG when the stream still holds it.

use dicom_dictionary_std::uids;

use super::{CodecError, Decoded, FrameCodec};
use crate::pixel_module::PixelModule;

/// JPEG XL rendered by jxl-oxide.
pub(crate) struct JpegXl;

impl FrameCodec for JpegXl {
    fn decode<'a>(&self, module: &PixelModule, bytes: &'a [u8]) -> Result<Decoded<'a>, CodecError> {
        let (samples, photometric) =
            crate::jxl::decode_jxl(module, bytes).map_err(CodecError::failed)?;
        Ok(Decoded::Samples {
            samples,
            photometric,
        })
    }
}

/// JPEG recompressed as JPEG XL: the original JPEG bitstream when the stream carries it (its
/// pixels are exactly those of the JPEG it replaced), else rendered like any JPEG XL image.
pub(crate) struct JpegXlRecompression;

impl FrameCodec for JpegXlRecompression {
    fn decode<'a>(&self, module: &PixelModule, bytes: &'a [u8]) -> Result<Decoded<'a>, CodecError> {
        match crate::jxl::reconstruct_jpeg(module, bytes) {
            Ok(jpeg) => Ok(Decoded::AsSyntax {
                transfer_syntax_uid: uids::JPEG_BASELINE8_BIT,
                bytes: jpeg,
            }),
            Err(_) => JpegXl.decode(module, bytes),
        }
    }
}
