//! JPEG 2000 and HTJ2K (Part 1 and Part 15 codestreams, or JP2 files), read straight into
//! typed samples: one pass from the decoder's components to the samples the renderer uploads,
//! with the pixel module checked against the codestream.
//!
//! A codestream whose code-blocks are all HT (Part 15, not mixed) goes to the pure-Rust port
//! of OpenJPH (`openjph-core`), several times faster than the generic path; anything else, and
//! any codestream OpenJPH refuses, goes to the pure-Rust OpenJPEG port (openjp2). Both are
//! compared with reference decoders by the decoder check. The decoders are the `jpeg2000`
//! feature; the error type and the codestream checks are always here.

#[cfg(feature = "jpeg2000")]
use crate::pixel_module::PixelModule;
#[cfg(feature = "jpeg2000")]
use crate::samples::Samples;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum J2kError {
    #[error("{0}")]
    Stream(String),
    #[error("the JPEG 2000 image is {columns}x{rows} with {components} component(s); the pixel module says otherwise")]
    Mismatch {
        rows: u32,
        columns: u32,
        components: usize,
    },
}

#[cfg(feature = "jpeg2000")]
/// Decodes one JPEG 2000 / HTJ2K frame. Values are read as the DICOM header says (Bits
/// Stored, Pixel Representation), whatever the codestream's own signedness (PS3.5 8.2.4).
pub fn decode_j2k(module: &PixelModule, data: &[u8]) -> Result<Samples, J2kError> {
    if is_pure_ht(data) {
        if let Ok(samples) = crate::htj2k::decode_ht(module, data) {
            return Ok(samples);
        }
    }
    decode_openjp2(module, data)
}

/// True for a raw codestream whose main-header COD says every code-block is HT (Part 15
/// code-block style bit 6 set, mixed-mode bit 7 clear).
pub fn is_pure_ht(data: &[u8]) -> bool {
    if !data.starts_with(&[0xFF, 0x4F]) {
        return false;
    }
    let mut at = 2;
    while let (Some(&0xFF), Some(&marker)) = (data.get(at), data.get(at + 1)) {
        let Some(length) = data
            .get(at + 2..at + 4)
            .map(|b| usize::from(u16::from_be_bytes([b[0], b[1]])))
        else {
            return false;
        };
        match marker {
            // COD: Lcod(2) Scod(1) progression(1) layers(2) MCT(1) levels(1) xcb(1) ycb(1) style
            0x52 => {
                return data
                    .get(at + 2 + 10)
                    .is_some_and(|style| style & 0xC0 == 0x40)
            }
            // SOT or SOD: the main header ended without a COD.
            0x90 | 0x93 => return false,
            _ => at += 2 + length,
        }
    }
    false
}

#[cfg(feature = "jpeg2000")]
/// Values are read as the DICOM header says: the low Bits Stored bits, two's complement when
/// Pixel Representation is 1.
pub(crate) fn stored_value(module: &PixelModule) -> impl Fn(i32) -> i64 {
    let bits = u32::from(module.bits_stored);
    let mask = (1i64 << bits) - 1;
    let signed = module.signed;
    move |v: i32| -> i64 {
        let low = i64::from(v) & mask;
        if signed && low >= 1 << (bits - 1) {
            low - (1 << bits)
        } else {
            low
        }
    }
}

#[cfg(feature = "jpeg2000")]
/// Typed samples of Bits Allocated width from values already in range.
pub(crate) fn typed(module: &PixelModule, values: impl Iterator<Item = i64>) -> Samples {
    match (module.bits_allocated, module.signed) {
        (8, false) => Samples::U8(values.map(|v| v as u8).collect()),
        (8, true) => Samples::I8(values.map(|v| v as i8).collect()),
        (_, false) => Samples::U16(values.map(|v| v as u16).collect()),
        (_, true) => Samples::I16(values.map(|v| v as i16).collect()),
    }
}

#[cfg(feature = "jpeg2000")]
/// The generic path: any JPEG 2000 or HTJ2K codestream (or JP2 file) through openjp2. A
/// codestream cut short is an error.
pub fn decode_openjp2(module: &PixelModule, data: &[u8]) -> Result<Samples, J2kError> {
    openjp2_samples(module, data, true)
}

#[cfg(feature = "jpeg2000")]
/// A preview from the first bytes of a frame still arriving: the packets the prefix holds are
/// decoded, the missing ones count as empty. A single-layer codestream (or one in resolution
/// order) gives its low resolutions at full size, so the image is whole but blurred.
pub fn decode_j2k_prefix(module: &PixelModule, prefix: &[u8]) -> Result<Samples, J2kError> {
    let closed = closed_prefix(prefix)
        .ok_or_else(|| J2kError::Stream("the first bytes hold no tile data yet".into()))?;
    openjp2_samples(module, &closed, false)
}

#[cfg(feature = "jpeg2000")]
/// A codestream's first bytes made whole: the tile-part they end in is said to end there
/// (its Psot), and an EOC follows. `None` while the bytes end before the first tile's data.
/// Raw codestreams only (a JP2 file is not previewed).
fn closed_prefix(prefix: &[u8]) -> Option<Vec<u8>> {
    const SOT: [u8; 2] = [0xFF, 0x90];
    const SOD: [u8; 2] = [0xFF, 0x93];
    const EOC: [u8; 2] = [0xFF, 0xD9];
    if !prefix.starts_with(&[0xFF, 0x4F]) {
        return None;
    }
    let u16_at = |at: usize| {
        prefix
            .get(at..at + 2)
            .map(|b| usize::from(u16::from_be_bytes([b[0], b[1]])))
    };
    // The main header's marker segments, up to the first SOT.
    let mut at = 2;
    while prefix.get(at..at + 2)? != SOT {
        at += 2 + u16_at(at + 2)?;
    }
    // Whole tile-parts, up to the one the prefix ends in.
    loop {
        let psot = prefix
            .get(at + 6..at + 10)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize)?;
        let end = at.checked_add(psot)?;
        if psot != 0 && end + 2 <= prefix.len() && prefix.get(end..end + 2) == Some(&SOT[..]) {
            at = end;
            continue;
        }
        if psot != 0 && end <= prefix.len() {
            // The last whole tile-part (EOC, or bytes that are not a tile-part, follow).
            let mut closed = prefix[..end].to_vec();
            closed.extend(EOC);
            return Some(closed);
        }
        // The prefix ends inside this tile-part: it needs its SOD and some data.
        let mut sod = at + 2 + u16_at(at + 2)?;
        while prefix.get(sod..sod + 2)? != SOD {
            sod += 2 + u16_at(sod + 2)?;
        }
        if sod + 2 >= prefix.len() {
            return None;
        }
        let mut closed = prefix.to_vec();
        let length = u32::try_from(prefix.len() - at).ok()?;
        closed[at + 6..at + 10].copy_from_slice(&length.to_be_bytes());
        closed.extend(EOC);
        return Some(closed);
    }
}

#[cfg(feature = "jpeg2000")]
fn openjp2_samples(module: &PixelModule, data: &[u8], strict: bool) -> Result<Samples, J2kError> {
    crate::j2k_siz::check_declared_size(
        data,
        module.rows,
        module.columns,
        module.samples_per_pixel,
    )?;
    let parameters = jpeg2k::DecodeParameters::new().strict(strict);
    let image = jpeg2k::Image::from_bytes_with(data, parameters)
        .map_err(|e| J2kError::Stream(e.to_string()))?;
    let components = image.components();
    let (rows, columns) = (usize::from(module.rows), usize::from(module.columns));
    let agrees = components.len() == usize::from(module.samples_per_pixel)
        && components.iter().all(|c| {
            c.width() as usize == columns
                && c.height() as usize == rows
                && c.data().len() == rows * columns
        });
    if !agrees || !matches!(module.bits_allocated, 8 | 16) {
        return Err(J2kError::Mismatch {
            rows: image.height(),
            columns: image.width(),
            components: components.len(),
        });
    }
    let value = stored_value(module);
    let count = rows * columns * components.len();
    let interleaved =
        (0..count).map(|i| value(components[i % components.len()].data()[i / components.len()]));
    Ok(typed(module, interleaved))
}

#[cfg(all(test, feature = "jpeg2000"))]
mod tests {
    use super::{closed_prefix, is_pure_ht};

    #[test]
    fn a_prefix_is_closed_only_once_tile_data_has_come() {
        let mut stream = header(0x00);
        stream.truncate(stream.len() - 2); // the main header, without the SOT the helper adds
        let main_header = stream.len();
        // SOT: Lsot 10, tile 0, Psot 24 (12 + SOD + 10 bytes of data), part 0 of 1.
        stream.extend([
            0xFF, 0x90, 0x00, 0x0A, 0x00, 0x00, 0x00, 0x00, 0x00, 0x18, 0x00, 0x01,
        ]);
        stream.extend([0xFF, 0x93]);
        stream.extend([0x11; 10]);
        stream.extend([0xFF, 0xD9]);
        assert_eq!(closed_prefix(&stream[..main_header]), None, "no tile yet");
        assert_eq!(
            closed_prefix(&stream[..main_header + 13]),
            None,
            "no data after SOD"
        );
        let whole = closed_prefix(&stream).expect("a whole codestream");
        assert_eq!(whole, stream, "a whole codestream stays as it is");
        let cut = closed_prefix(&stream[..main_header + 18]).expect("some data");
        assert_eq!(cut.len(), main_header + 20, "the data, then EOC");
        assert_eq!(
            &cut[main_header + 6..main_header + 10],
            &18u32.to_be_bytes()
        );
        assert_eq!(&cut[cut.len() - 2..], &[0xFF, 0xD9]);
    }

    /// A main header: SOC, SIZ (length 41, contents irrelevant here), then COD with `style`.
    fn header(style: u8) -> Vec<u8> {
        let mut bytes = vec![0xFF, 0x4F, 0xFF, 0x51, 0x00, 0x29];
        bytes.extend([0u8; 39]);
        bytes.extend([
            0xFF, 0x52, 0x00, 0x0C, 0x00, 0x00, 0x00, 0x01, 0x00, 0x05, 0x04, 0x04,
        ]);
        bytes.extend([style, 0x01, 0xFF, 0x90]);
        bytes
    }

    #[test]
    fn only_all_ht_codestreams_take_the_fast_path() {
        assert!(is_pure_ht(&header(0x40)));
        assert!(
            !is_pure_ht(&header(0xC0)),
            "mixed HT and Part 1 code-blocks"
        );
        assert!(!is_pure_ht(&header(0x00)), "Part 1 code-blocks");
        assert!(!is_pure_ht(&header(0x40)[..50]), "truncated before COD");
        assert!(!is_pure_ht(b"\x00\x00\x00\x0cjP  "), "JP2 file");
    }
}
