#![allow(clippy::unwrap_used)]
use super::*;

/// SOC then SIZ: an image of `columns` x `rows` at (`x0`, 0), tiles of `tile` x `tile`, and
/// `components` of (Ssiz, XRsiz, YRsiz) each.
fn codestream(columns: u32, rows: u32, x0: u32, tile: u32, components: &[[u8; 3]]) -> Vec<u8> {
    let mut out = SOC.to_vec();
    out.extend(SIZ);
    out.extend(((38 + 3 * components.len()) as u16).to_be_bytes());
    out.extend([0, 0]); // Rsiz
    for value in [x0 + columns, rows, x0, 0, tile, tile, 0, 0] {
        out.extend(value.to_be_bytes());
    }
    out.extend((components.len() as u16).to_be_bytes());
    for c in components {
        out.extend(c);
    }
    out.extend([0xFF, 0x90]); // what follows is not read
    out
}

const GREY_12: [u8; 3] = [11, 1, 1];

#[test]
fn a_frame_that_declares_its_label_passes() {
    let frame = codestream(512, 400, 0, 512, &[GREY_12]);
    assert_eq!(
        declared_size(&frame).unwrap(),
        DeclaredSize {
            columns: 512,
            rows: 400,
            components: 1
        }
    );
    assert_eq!(check_declared_size(&frame, 400, 512, 1), Ok(()));
    // An image offset on the canvas: its size is what counts.
    let offset = codestream(512, 400, 10, 256, &[GREY_12]);
    assert_eq!(check_declared_size(&offset, 400, 512, 1), Ok(()));
    let colour = codestream(64, 64, 0, 64, &[[7, 1, 1]; 3]);
    assert_eq!(check_declared_size(&colour, 64, 64, 3), Ok(()));
}

#[test]
fn a_frame_larger_than_its_label_is_refused_before_decoding() {
    let huge = codestream(60_000, 60_000, 0, 60_000, &[GREY_12]);
    assert_eq!(
        check_declared_size(&huge, 512, 512, 1),
        Err(J2kError::Mismatch {
            rows: 60_000,
            columns: 60_000,
            components: 1
        })
    );
    let three = codestream(512, 512, 0, 512, &[GREY_12; 3]);
    assert!(matches!(
        check_declared_size(&three, 512, 512, 1),
        Err(J2kError::Mismatch { components: 3, .. })
    ));
    let subsampled = codestream(512, 512, 0, 512, &[[7, 1, 1], [7, 2, 1], [7, 2, 1]]);
    assert!(check_declared_size(&subsampled, 512, 512, 3).is_err());
    let deep = codestream(512, 512, 0, 512, &[[16, 1, 1]]);
    assert!(check_declared_size(&deep, 512, 512, 1).is_err(), "17 bits");
    let signed_16 = codestream(512, 512, 0, 512, &[[0x8F, 1, 1]]);
    assert_eq!(check_declared_size(&signed_16, 512, 512, 1), Ok(()));
}

#[test]
fn a_damaged_siz_is_an_error_naming_it() {
    let one_pixel_tiles = codestream(512, 512, 0, 1, &[GREY_12]);
    assert_eq!(declared_size(&one_pixel_tiles), Err("SIZ: too many tiles"));
    let no_tile = codestream(512, 512, 0, 0, &[GREY_12]);
    assert!(declared_size(&no_tile).is_err());
    let frame = codestream(512, 512, 0, 512, &[GREY_12]);
    for cut in [1, 3, 10, 40, 44] {
        assert!(declared_size(&frame[..cut]).is_err(), "cut at {cut}");
    }
    let mut wrong_length = frame.clone();
    wrong_length[5] += 3;
    assert_eq!(declared_size(&wrong_length), Err("SIZ: components"));
    let mut no_siz = frame.clone();
    no_siz[3] = 0x52;
    assert_eq!(declared_size(&no_siz), Err("no SIZ after SOC"));
    assert!(matches!(
        check_declared_size(b"not a frame", 1, 1, 1),
        Err(J2kError::Stream(_))
    ));
}

/// A JP2 box of `kind` holding `contents`.
fn jp2_box(kind: &[u8; 4], contents: &[u8]) -> Vec<u8> {
    let mut out = ((8 + contents.len()) as u32).to_be_bytes().to_vec();
    out.extend(kind);
    out.extend(contents);
    out
}

#[test]
fn a_jp2_file_is_checked_by_its_codestream_box() {
    let inner = codestream(256, 256, 0, 256, &[GREY_12]);
    let mut file = JP2_SIGNATURE.to_vec();
    file.extend(jp2_box(b"ftyp", b"jp2 \0\0\0\0jp2 "));
    file.extend(jp2_box(b"jp2h", &[0; 22]));
    file.extend(jp2_box(b"jp2c", &inner));
    assert_eq!(check_declared_size(&file, 256, 256, 1), Ok(()));
    assert!(matches!(
        check_declared_size(&file, 512, 512, 1),
        Err(J2kError::Mismatch { .. })
    ));
    // A box running past the file, and a file without a codestream box.
    let mut cut = file.clone();
    cut.truncate(file.len() - 4);
    assert!(declared_size(&cut).is_err());
    let mut none = JP2_SIGNATURE.to_vec();
    none.extend(jp2_box(b"ftyp", b"jp2 \0\0\0\0jp2 "));
    assert_eq!(declared_size(&none), Err("not a JPEG 2000 codestream"));
}
