//! JPEG (baseline, extended and lossless) through jpeg-decoder, called directly: the codec
//! registry of dicom-rs is built without codecs, so the page, which decodes nothing, links
//! none.
//!
//! Colour JPEG (baseline and extended, 8 bits): the colour transform follows the stream and
//! the DICOM header rather than a guess. A JPEG stream says whether its components are YCbCr:
//! an Adobe APP14 marker carries the transform flag, a JFIF APP0 marker implies YCbCr. A stream
//! with neither, labelled RGB in the DICOM header (or with component identifiers 'R','G','B'),
//! holds RGB and is not transformed. Grey and lossless JPEG give their samples as stored
//! ([`decode_jpeg_samples`]); 12-bit JPEG has its own decoder (`jpeg12`).

use jpeg_decoder::{ColorTransform, Decoder, ImageInfo, PixelFormat};

use crate::pixel_module::{Photometric, PixelModule};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JpegError {
    #[error("the JPEG image is {columns}x{rows} in {format}; the pixel module says otherwise")]
    Mismatch {
        rows: u16,
        columns: u16,
        format: &'static str,
    },
    #[error("{0}")]
    Stream(String),
}

/// What the markers before the first scan say about colour.
#[derive(Default)]
struct ColourMarkers {
    adobe: bool,
    jfif: bool,
    rgb_component_ids: bool,
}

fn colour_markers(data: &[u8]) -> ColourMarkers {
    let mut found = ColourMarkers::default();
    let mut at = 2;
    while let (Some(&0xFF), Some(&marker)) = (data.get(at), data.get(at + 1)) {
        if marker == 0xFF {
            at += 1;
            continue;
        }
        let Some(length) = data
            .get(at + 2..at + 4)
            .map(|l| usize::from(u16::from_be_bytes([l[0], l[1]])))
        else {
            break;
        };
        let segment = data.get(at + 4..at + 2 + length).unwrap_or_default();
        match marker {
            0xE0 if segment.starts_with(b"JFIF\0") => found.jfif = true,
            0xEE if segment.starts_with(b"Adobe") => found.adobe = true,
            // SOF0..SOF3: components start at byte 6, three bytes each.
            0xC0..=0xC3 if segment.get(5) == Some(&3) => {
                let ids: Vec<u8> = (0..3)
                    .filter_map(|c| segment.get(6 + 3 * c).copied())
                    .collect();
                found.rgb_component_ids = ids == b"RGB";
            }
            0xDA => break,
            _ => {}
        }
        at += 2 + length;
    }
    found
}

/// Decodes an 8-bit, three-component JPEG frame into interleaved RGB.
pub fn decode_jpeg_colour(module: &PixelModule, data: &[u8]) -> Result<Vec<u8>, JpegError> {
    let markers = colour_markers(data);
    let mut decoder = Decoder::new(data);
    decoder.set_max_decoding_buffer_size(module.frame_bytes());
    let stored_rgb = !markers.adobe
        && !markers.jfif
        && (module.photometric == Photometric::Rgb || markers.rgb_component_ids);
    if stored_rgb {
        decoder.set_color_transform(ColorTransform::None);
    }
    let (pixels, info) = decoded(&mut decoder)?;
    if info.width != module.columns
        || info.height != module.rows
        || info.pixel_format != PixelFormat::RGB24
        || pixels.len() != module.frame_bytes()
    {
        return Err(JpegError::Mismatch {
            rows: info.height,
            columns: info.width,
            format: format_name(info.pixel_format),
        });
    }
    Ok(pixels)
}

/// The decoder's pixels and the frame header they came with.
fn decoded(decoder: &mut Decoder<&[u8]>) -> Result<(Vec<u8>, ImageInfo), JpegError> {
    let pixels = decoder
        .decode()
        .map_err(|e| JpegError::Stream(e.to_string()))?;
    let info = decoder
        .info()
        .ok_or_else(|| JpegError::Stream("no frame header".into()))?;
    Ok((pixels, info))
}

fn format_name(format: PixelFormat) -> &'static str {
    match format {
        PixelFormat::L8 => "8-bit grey",
        PixelFormat::L16 => "16-bit grey",
        PixelFormat::RGB24 => "RGB",
        PixelFormat::CMYK32 => "CMYK",
    }
}

/// Decodes a JPEG frame into its samples as stored, interleaved, little-endian when
/// `bits_allocated` is 16: grey JPEG, and lossless JPEG of any component count (its colour
/// is never transformed). Eight-bit samples in 16 bits allocated are widened.
pub fn decode_jpeg_samples(module: &PixelModule, data: &[u8]) -> Result<Vec<u8>, JpegError> {
    let mut decoder = Decoder::new(data);
    decoder.set_max_decoding_buffer_size(module.frame_bytes());
    let (pixels, info) = decoded(&mut decoder)?;
    let components = match info.pixel_format {
        PixelFormat::L8 | PixelFormat::L16 => 1,
        PixelFormat::RGB24 => 3,
        PixelFormat::CMYK32 => 4,
    };
    let bytes_per_sample = if info.pixel_format == PixelFormat::L16 {
        2
    } else {
        1
    };
    let pixel_count = usize::from(module.rows) * usize::from(module.columns);
    let fits = info.width == module.columns
        && info.height == module.rows
        && components == module.samples_per_pixel
        && usize::from(module.bits_allocated) >= 8 * bytes_per_sample
        && pixels.len() == pixel_count * usize::from(components) * bytes_per_sample;
    if !fits {
        return Err(JpegError::Mismatch {
            rows: info.height,
            columns: info.width,
            format: format_name(info.pixel_format),
        });
    }
    // jpeg-decoder gives 16-bit samples in the machine's order: little-endian is wanted.
    Ok(match (bytes_per_sample, module.bits_allocated) {
        (1, 16) => pixels.iter().flat_map(|&v| [v, 0]).collect(),
        (2, _) => pixels
            .chunks_exact(2)
            .flat_map(|v| u16::from_ne_bytes([v[0], v[1]]).to_le_bytes())
            .collect(),
        _ => pixels,
    })
}
