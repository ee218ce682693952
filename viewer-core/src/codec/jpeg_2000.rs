//! JPEG 2000 and HTJ2K ([`crate::j2k`], all-HT codestreams through [`crate::htj2k`]): typed
//! samples checked against the pixel module by the decoder; previews from a codestream's
//! first bytes.

use super::{photometric_after_codec, CodecError, Decoded, FrameCodec};
use crate::pixel_module::PixelModule;

pub(crate) struct Jpeg2000;

impl FrameCodec for Jpeg2000 {
    fn decode<'a>(&self, module: &PixelModule, bytes: &'a [u8]) -> Result<Decoded<'a>, CodecError> {
        let samples = crate::j2k::decode_j2k(module, bytes).map_err(CodecError::failed)?;
        Ok(Decoded::Samples {
            samples,
            photometric: photometric_after_codec(module),
        })
    }

    fn decode_prefix(
        &self,
        module: &PixelModule,
        prefix: &[u8],
    ) -> Result<Decoded<'static>, CodecError> {
        let samples = crate::j2k::decode_j2k_prefix(module, prefix).map_err(CodecError::failed)?;
        Ok(Decoded::Samples {
            samples,
            photometric: photometric_after_codec(module),
        })
    }
}
