//! Colour conversions of stored samples into RGB (PS3.3 C.7.6.3.1.2).

/// Expands YBR_FULL_422 samples (Y1 Y2 Cb Cr for each horizontal pair of pixels) into one
/// Y Cb Cr triple per pixel. An odd last column uses its pair's chroma.
pub fn expand_ybr_422(data: &[u8], rows: usize, columns: usize) -> Vec<u8> {
    let pairs_per_row = columns.div_ceil(2);
    let mut out = Vec::with_capacity(rows * columns * 3);
    for row in 0..rows {
        for column in 0..columns {
            let pair = (row * pairs_per_row + column / 2) * 4;
            let y = data[pair + column % 2];
            out.extend_from_slice(&[y, data[pair + 2], data[pair + 3]]);
        }
    }
    out
}

/// YBR_FULL to RGB in place over interleaved 8-bit samples, rounded to nearest and clamped.
pub fn ybr_full_to_rgb(data: &mut [u8]) {
    for pixel in data.chunks_exact_mut(3) {
        let y = f32::from(pixel[0]);
        let cb = f32::from(pixel[1]) - 128.0;
        let cr = f32::from(pixel[2]) - 128.0;
        let to_byte = |v: f32| v.round().clamp(0.0, 255.0) as u8;
        pixel[0] = to_byte(y + 1.402 * cr);
        pixel[1] = to_byte(y - 0.344_136 * cb - 0.714_136 * cr);
        pixel[2] = to_byte(y + 1.772 * cb);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grey_and_primaries() {
        // Y Cb Cr of black, white, mid grey and pure red (as the forward transform gives it).
        let mut data = vec![0, 128, 128, 255, 128, 128, 128, 128, 128, 76, 85, 255];
        ybr_full_to_rgb(&mut data);
        assert_eq!(&data[..9], &[0, 0, 0, 255, 255, 255, 128, 128, 128]);
        let red = &data[9..];
        assert!(red[0] >= 253 && red[1] <= 1 && red[2] <= 1, "{red:?}");
    }

    #[test]
    fn expands_422_pairs() {
        // Two rows of three pixels: pairs (Y1 Y2 Cb Cr), the last pair half used.
        let data = [1, 2, 10, 20, 3, 0, 11, 21, 4, 5, 12, 22, 6, 0, 13, 23];
        let full = expand_ybr_422(&data, 2, 3);
        assert_eq!(
            full,
            vec![1, 10, 20, 2, 10, 20, 3, 11, 21, 4, 12, 22, 5, 12, 22, 6, 13, 23]
        );
    }
}
