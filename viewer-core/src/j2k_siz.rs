//! A JPEG 2000 frame's declared geometry (the main header's SIZ, ISO/IEC 15444-1 A.5.1)
//! checked against the pixel module before a decoder sizes anything from it: a frame from the
//! network is untrusted until its size and form match its label, and a decoder asked to
//! decode a 60 000 x 60 000 image reserves its buffers before it finds the data missing.
//! Raw codestreams, and JP2 files (which PS3.5 A.4.4 excludes but some writers send) by their
//! contiguous codestream box.

use crate::j2k::J2kError;

/// The SOC marker that opens a raw codestream, then the SIZ marker that must follow it.
const SOC: [u8; 2] = [0xFF, 0x4F];
const SIZ: [u8; 2] = [0xFF, 0x51];
/// The JP2 signature box (ISO/IEC 15444-1 I.5.1).
const JP2_SIGNATURE: [u8; 12] = [
    0, 0, 0, 0x0C, b'j', b'P', b' ', b' ', 0x0D, 0x0A, 0x87, 0x0A,
];
/// The most tiles a codestream may have (Isot is 16 bits, A.4.2).
const MOST_TILES: u64 = 65_535;
/// The deepest component the pixel module can hold (Bits Allocated 8 or 16).
const DEEPEST_BITS: u8 = 16;

/// What a codestream's SIZ declares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclaredSize {
    pub columns: u32,
    pub rows: u32,
    pub components: usize,
}

pub(crate) fn be16(data: &[u8], at: usize) -> Option<u32> {
    data.get(at..at.checked_add(2)?)
        .map(|b| u32::from(u16::from_be_bytes([b[0], b[1]])))
}

pub(crate) fn be32(data: &[u8], at: usize) -> Option<u32> {
    data.get(at..at.checked_add(4)?)
        .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

/// The codestream of a frame: the frame itself when it is a raw codestream, the contents of
/// the first contiguous codestream box (`jp2c`) of a JP2 file.
fn codestream_of(frame: &[u8]) -> Option<&[u8]> {
    if frame.starts_with(&SOC) {
        return Some(frame);
    }
    if !frame.starts_with(&JP2_SIGNATURE) {
        return None;
    }
    let mut at = 0usize;
    while at < frame.len() {
        let length = u64::from(be32(frame, at)?);
        let kind = frame.get(at + 4..at + 8)?;
        let (header, length) = match length {
            // To the end of the file.
            0 => (8, (frame.len() - at) as u64),
            1 => {
                let high = u64::from(be32(frame, at + 8)?);
                let low = u64::from(be32(frame, at + 12)?);
                (16, high << 32 | low)
            }
            n => (8, n),
        };
        let end = usize::try_from(length)
            .ok()
            .and_then(|l| at.checked_add(l))?;
        if length < header || end > frame.len() {
            return None;
        }
        if kind == b"jp2c" {
            return frame.get(at + header as usize..end);
        }
        at = end;
    }
    None
}

/// What the frame's SIZ declares, after the checks every decoder relies on (an image and
/// tiles of some size, at most [`MOST_TILES`] tiles, components of at most 38 bits sampled
/// every 1 to 255 samples); a message naming what is wrong otherwise.
pub fn declared_size(frame: &[u8]) -> Result<DeclaredSize, &'static str> {
    let codestream = codestream_of(frame).ok_or("not a JPEG 2000 codestream")?;
    if codestream.get(2..4) != Some(&SIZ[..]) {
        return Err("no SIZ after SOC");
    }
    let field = |offset: usize| be32(codestream, 4 + offset).ok_or("SIZ cut short");
    let (x, y, x0, y0) = (field(4)?, field(8)?, field(12)?, field(16)?);
    let (tile_w, tile_h, tile_x0, tile_y0) = (field(20)?, field(24)?, field(28)?, field(32)?);
    let components = be16(codestream, 40).ok_or("SIZ cut short")? as usize;
    let length = be16(codestream, 4).ok_or("SIZ cut short")? as usize;
    // The first tile covers the image's origin (A.5.1).
    let misses_origin = u64::from(tile_x0) + u64::from(tile_w) <= u64::from(x0)
        || u64::from(tile_y0) + u64::from(tile_h) <= u64::from(y0);
    if x <= x0
        || y <= y0
        || tile_w == 0
        || tile_h == 0
        || tile_x0 > x0
        || tile_y0 > y0
        || misses_origin
    {
        return Err("SIZ: no image, or tiles that miss it");
    }
    let tiles_across = u64::from(x - tile_x0).div_ceil(u64::from(tile_w));
    let tiles_down = u64::from(y - tile_y0).div_ceil(u64::from(tile_h));
    if tiles_across * tiles_down > MOST_TILES {
        return Err("SIZ: too many tiles");
    }
    if !(1..=16_384).contains(&components) || length != 38 + 3 * components {
        return Err("SIZ: components");
    }
    for c in 0..components {
        match codestream.get(42 + 3 * c..45 + 3 * c) {
            Some(&[depth, dx, dy]) if depth & 0x7F < 38 && dx > 0 && dy > 0 => {}
            _ => return Err("SIZ: a component's depth or sampling"),
        }
    }
    Ok(DeclaredSize {
        columns: x - x0,
        rows: y - y0,
        components,
    })
}

/// The frame's SIZ against the pixel module's `rows`, `columns` and `samples` per pixel, each
/// component full size and at most 16 bits deep: [`J2kError::Mismatch`] (with what the
/// frame declares) or [`J2kError::Stream`] before any decoder allocates from it.
pub fn check_declared_size(
    frame: &[u8],
    rows: u16,
    columns: u16,
    samples: u16,
) -> Result<(), J2kError> {
    let declared =
        declared_size(frame).map_err(|what| J2kError::Stream(format!("invalid frame: {what}")))?;
    let codestream = codestream_of(frame).unwrap_or_default();
    let full_size_and_depth = (0..declared.components).all(|c| {
        matches!(codestream.get(42 + 3 * c..45 + 3 * c),
            Some(&[depth, 1, 1]) if (depth & 0x7F) < DEEPEST_BITS)
    });
    let agrees = declared.columns == u32::from(columns)
        && declared.rows == u32::from(rows)
        && declared.components == usize::from(samples)
        && full_size_and_depth;
    if agrees {
        Ok(())
    } else {
        Err(J2kError::Mismatch {
            rows: declared.rows,
            columns: declared.columns,
            components: declared.components,
        })
    }
}

#[cfg(test)]
#[path = "j2k_siz_tests.rs"]
mod tests;
