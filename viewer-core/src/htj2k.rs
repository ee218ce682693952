//! HTJ2K (JPEG 2000 Part 15) codestreams whose code-blocks are all HT, through `openjph-core`,
//! a pure-Rust port of OpenJPH. The codestream's geometry is checked against the pixel module
//! before the decoder allocates anything; any refusal sends the frame back to the generic
//! JPEG 2000 path (see [`crate::j2k::decode_j2k`]).
//!
//! `openjph-core` 0.1.0 does not apply the inverse multi-component (colour) transform on
//! decode, so codestreams that use one are refused here and decoded by the generic path.

use openjph_core::codestream::Codestream;
use openjph_core::file::MemInfile;

use crate::j2k::{stored_value, typed, J2kError};
use crate::j2k_siz::{be16, be32};
use crate::pixel_module::PixelModule;
use crate::samples::Samples;

/// Decodes one all-HT codestream into samples of the pixel module's layout.
pub fn decode_ht(module: &PixelModule, data: &[u8]) -> Result<Samples, J2kError> {
    check_main_header(data).map_err(|what| J2kError::Stream(format!("invalid {what}")))?;
    let stream_error = |e: openjph_core::OjphError| J2kError::Stream(e.to_string());
    let mut input = MemInfile::new(data);
    let mut codestream = Codestream::new();
    codestream.read_headers(&mut input).map_err(stream_error)?;

    let (rows, columns) = (usize::from(module.rows), usize::from(module.columns));
    let components = usize::from(module.samples_per_pixel);
    let siz = codestream.access_siz();
    let extent = siz.get_image_extent();
    let offset = siz.get_image_offset();
    let mismatch = J2kError::Mismatch {
        rows: extent.y.saturating_sub(offset.y),
        columns: extent.x.saturating_sub(offset.x),
        components: usize::from(siz.get_num_components()),
    };
    let agrees = usize::from(siz.get_num_components()) == components
        && (0..components as u32).all(|c| {
            let down = siz.get_downsampling(c);
            down.x == 1
                && down.y == 1
                && siz.get_width(c) as usize == columns
                && siz.get_height(c) as usize == rows
                && siz.get_bit_depth(c) <= 16
        });
    if !agrees || !matches!(module.bits_allocated, 8 | 16) {
        return Err(mismatch);
    }
    if components > 1 && codestream.access_cod().is_employing_color_transform() {
        return Err(J2kError::Stream(
            "multi-component transform (decoded by the generic path)".to_string(),
        ));
    }

    codestream.create(&mut input).map_err(stream_error)?;
    // Lines come out component by component for each row (interleaved exchange mode).
    let mut planes: Vec<Vec<i32>> = Vec::with_capacity(components);
    for _ in 0..components {
        let mut plane = Vec::new();
        plane
            .try_reserve_exact(rows * columns)
            .map_err(|_| J2kError::Stream("out of memory".to_string()))?;
        planes.push(plane);
    }
    for _ in 0..rows {
        for (c, plane) in planes.iter_mut().enumerate() {
            let line = codestream
                .pull(c as u32)
                .ok_or_else(|| J2kError::Stream("the codestream ended early".to_string()))?;
            let row = line
                .get(..columns)
                .ok_or_else(|| J2kError::Stream("a decoded line is too short".to_string()))?;
            plane.extend_from_slice(row);
        }
    }
    let value = stored_value(module);
    if let [plane] = planes.as_slice() {
        return Ok(typed(module, plane.iter().map(|&v| value(v))));
    }
    let count = rows * columns * components;
    Ok(typed(
        module,
        (0..count).map(|i| value(planes[i % components][i / components])),
    ))
}

/// Checks the main header's SIZ and COD values that the decoder divides by, shifts by or sizes
/// buffers from (ISO/IEC 15444-1 A.5.1 and A.6.1), so that a damaged header is an error here
/// rather than a panic inside the decoder.
fn check_main_header(data: &[u8]) -> Result<(), &'static str> {
    // SIZ directly follows SOC: checked as for every JPEG 2000 frame.
    crate::j2k_siz::declared_size(data)?;
    let siz = 4;
    let length = be16(data, siz).ok_or("SIZ")? as usize;
    // Then COD and QCD in any order; markers that change coding per component or region, or
    // the packet order, are left to the generic path.
    let mut at = siz + length;
    let (mut levels, mut quantisation) = (None, None);
    loop {
        let marker = be16(data, at).ok_or("main header")?;
        let length = be16(data, at + 2).ok_or("main header")? as usize;
        let segment = data.get(at + 4..at + 2 + length).ok_or("main header")?;
        match marker {
            0xFF52 => levels = Some(check_cod(segment)?),
            0xFF5C => quantisation = Some(segment),
            0xFF53 | 0xFF5D | 0xFF5E | 0xFF5F | 0xFF60 => return Err("main header marker"),
            0xFF90 => break,
            _ if length < 2 => return Err("main header"),
            _ => {}
        }
        at += 2 + length;
    }
    let (Some(levels), Some(qcd)) = (levels, quantisation) else {
        return Err("main header without COD or QCD");
    };
    check_qcd(qcd, levels)?;
    check_tile_parts(data, at)
}

/// COD: Scod, progression, layers, MCT, levels, code-block exponents, style, transform,
/// precinct sizes. Returns the number of decomposition levels.
fn check_cod(cod: &[u8]) -> Result<u8, &'static str> {
    let &[scod, progression, _, _, mct, levels, xcb, ycb, _, transform, ref precincts @ ..] = cod
    else {
        return Err("COD");
    };
    let layers = be16(cod, 2).ok_or("COD")?;
    let precinct_count = if scod & 1 == 1 {
        usize::from(levels) + 1
    } else {
        0
    };
    let bad_precinct = precincts
        .get(..precinct_count)
        .is_none_or(|sizes| sizes.iter().skip(1).any(|&p| p & 0x0F == 0 || p >> 4 == 0));
    if progression > 4
        || layers == 0
        || mct > 1
        || levels > 32
        || xcb > 8
        || ycb > 8
        || xcb + ycb > 8
        || transform > 1
        || bad_precinct
    {
        return Err("COD");
    }
    Ok(levels)
}

/// QCD: one entry per subband (3 per level, plus the lowest), or one for derived quantisation.
fn check_qcd(qcd: &[u8], levels: u8) -> Result<(), &'static str> {
    let (&sqcd, entries) = qcd.split_first().ok_or("QCD")?;
    let subbands = 3 * usize::from(levels) + 1;
    let expected = match sqcd & 0x1F {
        0 => subbands,
        1 => 2,
        2 => 2 * subbands,
        _ => return Err("QCD"),
    };
    if entries.len() != expected {
        return Err("QCD");
    }
    Ok(())
}

/// Every tile-part header holds nothing but its SOT (tile-part COD, QCD or other markers are
/// left to the generic path) and the tile-part lengths stay inside the codestream.
fn check_tile_parts(data: &[u8], mut at: usize) -> Result<(), &'static str> {
    while be16(data, at) == Some(0xFF90) {
        if be16(data, at + 2) != Some(10) || be16(data, at + 12) != Some(0xFF93) {
            return Err("tile-part header");
        }
        let tile_part_length = be32(data, at + 6).ok_or("SOT")? as usize;
        if tile_part_length == 0 {
            return Ok(()); // the last tile-part runs to the end of the codestream
        }
        if tile_part_length < 14 || at + tile_part_length > data.len() {
            return Err("SOT");
        }
        at += tile_part_length;
    }
    Ok(())
}
