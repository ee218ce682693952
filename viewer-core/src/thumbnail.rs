//! Series thumbnails: one decoded frame reduced to a small 8-bit RGBA picture, windowed the way
//! the viewport first shows it (the file's first window, else the data range), in the image's
//! true proportions.

use crate::frame::DecodedFrame;
use crate::pixel_module::Photometric;
use crate::study::{PixelSpacing, StackImage};
use crate::voi::WindowLevel;

/// A small picture in row-major RGBA, 4 bytes per pixel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thumbnail {
    pub width: u32,
    pub height: u32,
    pub rgba: Vec<u8>,
}

/// Why a frame gives no thumbnail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ThumbnailError {
    /// PALETTE COLOR samples are indices: the caller maps them through the palette first.
    #[error("palette indices, not colours")]
    PaletteIndices,
    /// The samples do not fill the frame's rows x columns x samples per pixel.
    #[error("frame size does not match its samples")]
    SizeMismatch,
    #[error("empty frame")]
    Empty,
}

/// `frame` of `image` reduced so that its long side is at most `max_side` pixels (never
/// enlarged), each output pixel the mean of the display values it covers.
pub fn thumbnail(
    frame: &DecodedFrame,
    image: &StackImage,
    max_side: u32,
) -> Result<Thumbnail, ThumbnailError> {
    thumbnail_with_window(frame, image, max_side, None)
}

/// [`thumbnail`] through `window` (the reader's) instead of the file's first window.
pub fn thumbnail_with_window(
    frame: &DecodedFrame,
    image: &StackImage,
    max_side: u32,
    window: Option<WindowLevel>,
) -> Result<Thumbnail, ThumbnailError> {
    let rows = usize::from(frame.rows);
    let columns = usize::from(frame.columns);
    let spp = usize::from(frame.samples_per_pixel);
    if rows == 0 || columns == 0 || max_side == 0 {
        return Err(ThumbnailError::Empty);
    }
    if frame.photometric == Photometric::PaletteColor {
        return Err(ThumbnailError::PaletteIndices);
    }
    if !matches!(spp, 1 | 3) || frame.samples.len() != rows * columns * spp {
        return Err(ThumbnailError::SizeMismatch);
    }
    let display = display_rgb(frame, image, window);
    let (width, height) = output_size(rows, columns, image.spacing, max_side);
    let mut rgba = Vec::with_capacity(width * height * 4);
    for y in 0..height {
        let (r0, r1) = span(y, height, rows);
        for x in 0..width {
            let (c0, c1) = span(x, width, columns);
            let mut sum = [0u32; 3];
            for r in r0..r1 {
                for c in c0..c1 {
                    let p = (r * columns + c) * 3;
                    for (s, v) in sum.iter_mut().zip(&display[p..p + 3]) {
                        *s += u32::from(*v);
                    }
                }
            }
            let n = ((r1 - r0) * (c1 - c0)) as u32;
            rgba.extend(sum.iter().map(|s| ((s + n / 2) / n) as u8));
            rgba.push(255);
        }
    }
    Ok(Thumbnail {
        width: width as u32,
        height: height as u32,
        rgba,
    })
}

/// Input index range `[start, end)` covered by output index `i` of `out` over `len` inputs.
fn span(i: usize, out: usize, len: usize) -> (usize, usize) {
    let start = i * len / out;
    let end = ((i + 1) * len / out).max(start + 1);
    (start, end.min(len))
}

/// The thumbnail's size: the image's physical proportions (row and column spacing) fitted in
/// `max_side`, never larger than the image in either direction.
fn output_size(
    rows: usize,
    columns: usize,
    spacing: PixelSpacing,
    max_side: u32,
) -> (usize, usize) {
    let (row_mm, column_mm) = match spacing {
        PixelSpacing::Patient { row_mm, column_mm }
        | PixelSpacing::Detector { row_mm, column_mm } => (row_mm, column_mm),
        PixelSpacing::Uncalibrated => (1.0, 1.0),
    };
    let width = columns as f64 * column_mm;
    let height = rows as f64 * row_mm;
    let scale = f64::from(max_side) / width.max(height);
    let fit = |physical: f64, pixels: usize| ((physical * scale).round() as usize).clamp(1, pixels);
    (fit(width, columns), fit(height, rows))
}

/// Every pixel as display RGB bytes: grey through modality LUT or rescale, window, VOI
/// function and inversion; colour scaled to 8 bits.
fn display_rgb(frame: &DecodedFrame, image: &StackImage, window: Option<WindowLevel>) -> Vec<u8> {
    let n = usize::from(frame.rows) * usize::from(frame.columns);
    if frame.samples_per_pixel == 3 {
        let max = frame
            .samples
            .min_max()
            .map_or(255.0, |(_, hi)| hi.max(255.0));
        let scale = if max > 255.0 { 255.0 / max } else { 1.0 };
        return (0..n * 3)
            .map(|i| (frame.samples.get(i).unwrap_or(0.0).max(0.0) * scale).round() as u8)
            .collect();
    }
    let modality = |stored: f64| image.modality_value(stored);
    let window = window
        .or(image.windows.first().map(|p| p.window))
        .unwrap_or_else(|| {
            let (lo, hi) = frame.samples.min_max().unwrap_or((0.0, 255.0));
            let (a, b) = (modality(lo), modality(hi));
            WindowLevel::from_range(a.min(b), a.max(b))
        });
    let invert = (frame.photometric == Photometric::Monochrome1) != image.inverse;
    let mut out = Vec::with_capacity(n * 3);
    for i in 0..n {
        let y = window.apply(
            image.voi_function,
            modality(frame.samples.get(i).unwrap_or(0.0)),
        );
        let y = if invert { 1.0 - y } else { y };
        let byte = (y * 255.0).round() as u8;
        out.extend([byte; 3]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::samples::Samples;
    use crate::voi::{Rescale, VoiFunction, WindowPreset};

    fn image(spacing: PixelSpacing) -> StackImage {
        StackImage {
            sop_instance_uid: "1.2.3".into(),
            sop_class_uid: "1.2.840.10008.5.1.4.1.1.2".into(),
            module: Err(crate::pixel_module::PixelModuleError::Missing("test")),
            rescale: Rescale::default(),
            windows: Vec::new(),
            voi_function: VoiFunction::Linear,
            modality_lut: None,
            rescale_type: None,
            voi_luts: Vec::new(),
            inverse: false,
            instance_number: None,
            position_mm: None,
            lossy: false,
            palette: None,
            orientation: None,
            spacing,
            slice_thickness_mm: None,
            slice_location_mm: None,
            modality: None,
            cine_fps: None,
            frame_of_reference_uid: None,
            patient_id: None,
        }
    }

    fn grey(rows: u16, columns: u16, photometric: Photometric, samples: Samples) -> DecodedFrame {
        DecodedFrame {
            rows,
            columns,
            samples_per_pixel: 1,
            photometric,
            samples,
            relabelled_from: None,
        }
    }

    #[test]
    fn a_ramp_is_averaged_in_blocks_over_its_data_range() {
        // 4x4 ramp 0..=15, no window: the range 0..15 maps to 0..255; 2x2 blocks averaged.
        let frame = grey(
            4,
            4,
            Photometric::Monochrome2,
            Samples::U16((0..16).collect()),
        );
        let t = thumbnail(&frame, &image(PixelSpacing::Uncalibrated), 2).expect("a thumbnail");
        assert_eq!((t.width, t.height), (2, 2));
        let window = WindowLevel::from_range(0.0, 15.0);
        let byte = |v: f64| (window.linear(v) * 255.0).round() as u32;
        let block = |a: [f64; 4]| ((a.iter().map(|&v| byte(v)).sum::<u32>() + 2) / 4) as u8;
        assert_eq!(t.rgba[0], block([0.0, 1.0, 4.0, 5.0]));
        assert_eq!(t.rgba[4 * 3], block([10.0, 11.0, 14.0, 15.0]));
        assert_eq!(&t.rgba[0..4], &[t.rgba[0], t.rgba[0], t.rgba[0], 255]);
    }

    #[test]
    fn the_files_window_and_rescale_are_used_and_monochrome1_is_inverted() {
        let mut img = image(PixelSpacing::Uncalibrated);
        img.rescale = Rescale {
            slope: 1.0,
            intercept: -1024.0,
        };
        img.windows = vec![WindowPreset {
            window: WindowLevel {
                center: 40.0,
                width: 400.0,
            },
            explanation: None,
        }];
        // -160 HU and below is black, 240 HU and above white.
        let samples = Samples::U16(vec![0, 1024 - 160, 1024 + 240, 4000]);
        let t = thumbnail(
            &grey(2, 2, Photometric::Monochrome2, samples.clone()),
            &img,
            8,
        )
        .expect("a thumbnail");
        assert_eq!((t.width, t.height), (2, 2));
        let firsts: Vec<u8> = t.rgba.chunks(4).map(|p| p[0]).collect();
        assert_eq!(firsts, [0, 0, 255, 255]);
        let t = thumbnail(
            &grey(2, 2, Photometric::Monochrome1, samples.clone()),
            &img,
            8,
        )
        .expect("a thumbnail");
        let firsts: Vec<u8> = t.rgba.chunks(4).map(|p| p[0]).collect();
        assert_eq!(firsts, [255, 255, 0, 0]);
        // The reader's window instead of the file's: -1024 HU is white through a -2000/10 one.
        let wide = WindowLevel {
            center: -2000.0,
            width: 10.0,
        };
        let t = thumbnail_with_window(
            &grey(2, 2, Photometric::Monochrome2, samples),
            &img,
            8,
            Some(wide),
        )
        .expect("a thumbnail");
        let firsts: Vec<u8> = t.rgba.chunks(4).map(|p| p[0]).collect();
        assert_eq!(firsts, [255, 255, 255, 255]);
    }

    #[test]
    fn proportions_follow_the_pixel_spacing_and_small_images_are_not_enlarged() {
        let frame = grey(
            100,
            200,
            Photometric::Monochrome2,
            Samples::U8(vec![7; 20_000]),
        );
        let square =
            thumbnail(&frame, &image(PixelSpacing::Uncalibrated), 64).expect("a thumbnail");
        assert_eq!((square.width, square.height), (64, 32));
        let tall = PixelSpacing::Patient {
            row_mm: 4.0,
            column_mm: 1.0,
        };
        let t = thumbnail(&frame, &image(tall), 64).expect("a thumbnail");
        assert_eq!((t.width, t.height), (32, 64));
        let t = thumbnail(&frame, &image(PixelSpacing::Uncalibrated), 1000).expect("a thumbnail");
        assert_eq!((t.width, t.height), (200, 100));
    }

    #[test]
    fn colour_is_kept_and_palettes_or_bad_sizes_are_refused() {
        let rgb = DecodedFrame {
            rows: 1,
            columns: 2,
            samples_per_pixel: 3,
            photometric: Photometric::Rgb,
            samples: Samples::U8(vec![255, 0, 0, 0, 0, 255]),
            relabelled_from: None,
        };
        let t = thumbnail(&rgb, &image(PixelSpacing::Uncalibrated), 8).expect("a thumbnail");
        assert_eq!(t.rgba, [255, 0, 0, 255, 0, 0, 255, 255]);
        let palette = grey(1, 2, Photometric::PaletteColor, Samples::U8(vec![1, 2]));
        let err = thumbnail(&palette, &image(PixelSpacing::Uncalibrated), 8);
        assert_eq!(err, Err(ThumbnailError::PaletteIndices));
        let short = grey(2, 2, Photometric::Monochrome2, Samples::U8(vec![1, 2]));
        let err = thumbnail(&short, &image(PixelSpacing::Uncalibrated), 8);
        assert_eq!(err, Err(ThumbnailError::SizeMismatch));
    }
}
