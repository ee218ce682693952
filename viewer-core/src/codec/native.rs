//! Uncompressed frames (every syntax the registry declares native, Deflated Explicit VR Little
//! Endian included: its frames are not deflated once taken out of the dataset).

use std::borrow::Cow;

use dicom_dictionary_std::uids;

use super::{to_rgb_if_ybr, CodecError, Decoded, FrameCodec};
use crate::pixel_module::PixelModule;

/// Explicit VR Big Endian: retired (so the dictionary marks its constant deprecated), still
/// found in old files and sent by some archives.
#[allow(deprecated)]
pub(crate) const EXPLICIT_VR_BIG_ENDIAN: &str = uids::EXPLICIT_VR_BIG_ENDIAN;

/// Native samples: exactly the pixel module's size, in little- or big-endian order.
pub(crate) struct Native {
    big_endian: bool,
}

impl Native {
    pub(crate) const LITTLE_ENDIAN: Native = Native { big_endian: false };
    pub(crate) const BIG_ENDIAN: Native = Native { big_endian: true };
}

impl FrameCodec for Native {
    fn decode<'a>(&self, module: &PixelModule, bytes: &'a [u8]) -> Result<Decoded<'a>, CodecError> {
        let le = native_le_bytes(module, self.big_endian, bytes)?;
        Ok(to_rgb_if_ybr(module, le))
    }
}

/// Checks a native frame and returns it as little-endian, colour-by-pixel bytes.
fn native_le_bytes<'a>(
    module: &PixelModule,
    big_endian: bool,
    bytes: &'a [u8],
) -> Result<Cow<'a, [u8]>, CodecError> {
    let expected = module.native_frame_bytes();
    // An odd-length frame may arrive padded to even length.
    let exact = match bytes.len() {
        n if n == expected => bytes,
        n if n == expected + 1 && expected % 2 == 1 => &bytes[..expected],
        actual => return Err(CodecError::NativeSizeMismatch { expected, actual }),
    };
    let mut data = Cow::Borrowed(exact);
    if big_endian && module.bits_allocated > 8 {
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
