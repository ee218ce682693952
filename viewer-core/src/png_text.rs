//! Text written into a PNG file (an `iTXt` chunk, PNG 1.2 §4.2.3.3: UTF-8, uncompressed) right
//! after its header, so an exported image carries what its banner says in a form programs
//! read.

/// Why the bytes cannot take the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PngTextError {
    #[error("not a PNG file")]
    NotPng,
    #[error("keyword must be 1 to 79 Latin letters, digits or spaces")]
    BadKeyword,
}

const SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];

/// CRC-32 (ISO 3309, as PNG uses it) of `bytes`.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                0xedb8_8320 ^ (crc >> 1)
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// `png` with an `iTXt` chunk `keyword` = `text` after its IHDR chunk.
pub fn with_text(png: &[u8], keyword: &str, text: &str) -> Result<Vec<u8>, PngTextError> {
    let ok_keyword = !keyword.is_empty()
        && keyword.len() < 80
        && keyword
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b' ');
    if !ok_keyword {
        return Err(PngTextError::BadKeyword);
    }
    // Signature, then IHDR: length (4) type (4) 13 bytes of data, CRC (4).
    let ihdr_end = SIGNATURE.len() + 4 + 4 + 13 + 4;
    if png.len() < ihdr_end || png[..8] != SIGNATURE || &png[12..16] != b"IHDR" {
        return Err(PngTextError::NotPng);
    }
    let mut data = Vec::with_capacity(keyword.len() + text.len() + 5);
    data.extend_from_slice(keyword.as_bytes());
    // Separator, compression flag and method (none), empty language tag and translated keyword.
    data.extend_from_slice(&[0, 0, 0, 0, 0]);
    data.extend_from_slice(text.as_bytes());
    let mut chunk = Vec::with_capacity(data.len() + 12);
    chunk.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let typed_start = chunk.len();
    chunk.extend_from_slice(b"iTXt");
    chunk.extend_from_slice(&data);
    let crc = crc32(&chunk[typed_start..]);
    chunk.extend_from_slice(&crc.to_be_bytes());
    let mut out = Vec::with_capacity(png.len() + chunk.len());
    out.extend_from_slice(&png[..ihdr_end]);
    out.extend_from_slice(&chunk);
    out.extend_from_slice(&png[ihdr_end..]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The smallest valid PNG: 1x1 grey, with its real CRCs.
    fn tiny_png() -> Vec<u8> {
        let mut png = SIGNATURE.to_vec();
        let chunk = |png: &mut Vec<u8>, kind: &[u8], data: &[u8]| {
            png.extend_from_slice(&(data.len() as u32).to_be_bytes());
            let start = png.len();
            png.extend_from_slice(kind);
            png.extend_from_slice(data);
            let crc = crc32(&png[start..]);
            png.extend_from_slice(&crc.to_be_bytes());
        };
        chunk(&mut png, b"IHDR", &[0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0]);
        chunk(
            &mut png,
            b"IDAT",
            &[0x78, 0x01, 0x63, 0x60, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01],
        );
        chunk(&mut png, b"IEND", &[]);
        png
    }

    #[test]
    fn the_crc_is_the_standard_one() {
        assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
        assert_eq!(crc32(b"IEND"), 0xae42_6082);
    }

    #[test]
    fn text_goes_after_the_header_with_its_crc() {
        let png = tiny_png();
        let out = with_text(&png, "Description", "DUPONT Hélène · ne pas utiliser").expect("a PNG");
        assert_eq!(
            out.len(),
            png.len() + 12 + 11 + 5 + "DUPONT Hélène · ne pas utiliser".len()
        );
        let at = 33;
        assert_eq!(&out[at + 4..at + 8], b"iTXt");
        let length = u32::from_be_bytes([out[at], out[at + 1], out[at + 2], out[at + 3]]) as usize;
        let crc = u32::from_be_bytes(
            out[at + 8 + length..at + 12 + length]
                .try_into()
                .expect("4 bytes"),
        );
        assert_eq!(crc, crc32(&out[at + 4..at + 8 + length]));
        assert_eq!(&out[at + 12 + length..], &png[at..]);
    }

    #[test]
    fn refuses_what_is_not_a_png_or_a_keyword() {
        assert_eq!(
            with_text(b"GIF89a", "Title", "x"),
            Err(PngTextError::NotPng)
        );
        assert_eq!(
            with_text(&tiny_png(), "", "x"),
            Err(PngTextError::BadKeyword)
        );
        assert_eq!(
            with_text(&tiny_png(), "a=b", "x"),
            Err(PngTextError::BadKeyword)
        );
    }
}
