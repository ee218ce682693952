//! The compressed codecs of every build: RLE, the JPEG family (8-bit colour, 12-bit, grey,
//! lossless) and JPEG-LS.

use std::borrow::Cow;

use super::{photometric_after_codec, to_rgb_if_ybr, CodecError, Decoded, FrameCodec};
use crate::pixel_module::{Photometric, PixelModule};

/// RLE Lossless ([`crate::rle`]); YBR_FULL becomes RGB as for native frames.
pub(crate) struct Rle;

impl FrameCodec for Rle {
    fn decode<'a>(&self, module: &PixelModule, bytes: &'a [u8]) -> Result<Decoded<'a>, CodecError> {
        let le = crate::rle::decode_rle(module, bytes).map_err(CodecError::failed)?;
        Ok(to_rgb_if_ybr(module, Cow::Owned(le)))
    }
}

/// JPEG baseline and extended (DCT): 8-bit colour through the colour transform the stream
/// asks for, 12-bit streams in 16 bits allocated through [`Jpeg12`], the rest as stored.
pub(crate) struct JpegDct;

impl FrameCodec for JpegDct {
    fn decode<'a>(&self, module: &PixelModule, bytes: &'a [u8]) -> Result<Decoded<'a>, CodecError> {
        if module.samples_per_pixel == 3 && module.bits_allocated == 8 {
            let le = crate::jpeg::decode_jpeg_colour(module, bytes).map_err(CodecError::failed)?;
            return Ok(Decoded::Bytes {
                le: Cow::Owned(le),
                photometric: Photometric::Rgb,
            });
        }
        if module.bits_allocated == 16 && crate::jpeg12::is_12_bit(bytes) {
            return Jpeg12.decode(module, bytes);
        }
        JpegAsStored.decode(module, bytes)
    }
}

/// JPEG with 12-bit samples (sequential DCT, Huffman): [`crate::jpeg12`].
pub(crate) struct Jpeg12;

impl FrameCodec for Jpeg12 {
    fn decode<'a>(&self, module: &PixelModule, bytes: &'a [u8]) -> Result<Decoded<'a>, CodecError> {
        let le = crate::jpeg12::decode_jpeg12(module, bytes).map_err(CodecError::failed)?;
        Ok(Decoded::Bytes {
            le: Cow::Owned(le),
            photometric: photometric_after_codec(module),
        })
    }
}

/// JPEG samples as stored, never colour-transformed: JPEG lossless (process 14, and its
/// selection value 1), and grey DCT JPEG.
pub(crate) struct JpegAsStored;

impl FrameCodec for JpegAsStored {
    fn decode<'a>(&self, module: &PixelModule, bytes: &'a [u8]) -> Result<Decoded<'a>, CodecError> {
        let le = crate::jpeg::decode_jpeg_samples(module, bytes).map_err(CodecError::failed)?;
        Ok(Decoded::Bytes {
            le: Cow::Owned(le),
            photometric: photometric_after_codec(module),
        })
    }
}

/// JPEG-LS, lossless and near-lossless ([`crate::jpegls`]): samples keep the declared
/// interpretation.
pub(crate) struct JpegLs;

impl FrameCodec for JpegLs {
    fn decode<'a>(&self, module: &PixelModule, bytes: &'a [u8]) -> Result<Decoded<'a>, CodecError> {
        let le = crate::jpegls::decode_jpegls(module, bytes).map_err(CodecError::failed)?;
        Ok(Decoded::Bytes {
            le: Cow::Owned(le),
            photometric: module.photometric.clone(),
        })
    }
}
