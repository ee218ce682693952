//! JPEG XL (lossless .110, JPEG recompression .111, lossy .112) through jxl-oxide, single
//! threaded. The image header is checked against the pixel module before any frame is
//! rendered, and the decoder's own allocations are capped.
//!
//! JPEG XL carries unsigned samples of a stated bit depth; DICOM data with Pixel
//! Representation 1 is read as the two's complement of its Bits Stored bits, as for JPEG 2000.
//! A .111 stream is turned back into the original JPEG bitstream when it can be, so its pixels
//! are exactly those of the JPEG it replaced (decoded by the JPEG path); otherwise it is
//! rendered like any other JPEG XL image.

use jxl_oxide::{AllocTracker, JxlImage};

use crate::j2k::{stored_value, typed};
use crate::pixel_module::{Photometric, PixelModule};
use crate::samples::Samples;

/// The decoder may use this many times the decoded frame's size for its own buffers (lossy
/// images are rendered through several planes of 32-bit floats), and at least
/// `WORKING_MEMORY_FLOOR` bytes.
const WORKING_MEMORY_FACTOR: usize = 64;
const WORKING_MEMORY_FLOOR: usize = 64 << 20;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JxlError {
    #[error("{0}")]
    Stream(String),
    #[error("the JPEG XL image is {columns}x{rows} with {channels} channel(s); the pixel module says otherwise")]
    Mismatch {
        rows: u32,
        columns: u32,
        channels: usize,
    },
}

fn open(module: &PixelModule, data: &[u8]) -> Result<JxlImage, JxlError> {
    let budget = module
        .frame_bytes()
        .saturating_mul(WORKING_MEMORY_FACTOR)
        .max(WORKING_MEMORY_FLOOR);
    let image = JxlImage::builder()
        .alloc_tracker(AllocTracker::with_limit(budget))
        .read(data)
        .map_err(|e| JxlError::Stream(e.to_string()))?;
    let channels = image.pixel_format().channels();
    if image.width() != u32::from(module.columns)
        || image.height() != u32::from(module.rows)
        || channels != usize::from(module.samples_per_pixel)
        || !matches!(module.bits_allocated, 8 | 16)
    {
        return Err(JxlError::Mismatch {
            rows: image.height(),
            columns: image.width(),
            channels,
        });
    }
    Ok(image)
}

/// The original JPEG bitstream of a JPEG-recompression stream, when it carries one.
pub fn reconstruct_jpeg(module: &PixelModule, data: &[u8]) -> Result<Vec<u8>, JxlError> {
    let image = open(module, data)?;
    let mut jpeg = Vec::new();
    image
        .reconstruct_jpeg(&mut jpeg)
        .map_err(|e| JxlError::Stream(e.to_string()))?;
    Ok(jpeg)
}

/// Renders one JPEG XL frame into samples of the pixel module's layout (grey, or interleaved
/// RGB) and the photometric interpretation of those samples.
pub fn decode_jxl(module: &PixelModule, data: &[u8]) -> Result<(Samples, Photometric), JxlError> {
    let image = open(module, data)?;
    let bit_depth = match image.image_header().metadata.bit_depth {
        jxl_oxide::image::BitDepth::IntegerSample { bits_per_sample } if bits_per_sample <= 16 => {
            bits_per_sample
        }
        _ => return Err(JxlError::Stream("floating-point samples".to_string())),
    };
    let render = image
        .render_frame(0)
        .map_err(|e| JxlError::Stream(e.to_string()))?;
    let mut stream = render.stream_no_alpha();
    let count = module.pixel_count() * usize::from(module.samples_per_pixel);
    if stream.channels() as usize != usize::from(module.samples_per_pixel) {
        return Err(JxlError::Stream("unexpected channel count".to_string()));
    }
    let mut unit = Vec::new();
    unit.try_reserve_exact(count)
        .map_err(|_| JxlError::Stream("out of memory".to_string()))?;
    unit.resize(count, 0f32);
    if stream.write_to_buffer(&mut unit) != count {
        return Err(JxlError::Stream("the image ended early".to_string()));
    }
    // Samples are rendered in [0, 1]; integers of `bit_depth` bits come back exactly.
    let max = ((1u32 << bit_depth) - 1) as f32;
    let value = stored_value(module);
    let samples = typed(
        module,
        unit.iter()
            .map(|&v| value((v * max).round().clamp(0.0, max) as i32)),
    );
    let photometric = if module.samples_per_pixel == 3 {
        Photometric::Rgb
    } else {
        module.photometric.clone()
    };
    Ok((samples, photometric))
}
