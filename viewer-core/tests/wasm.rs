//! viewer-core compiled to wasm32 and run in headless Chromium (wasm-bindgen-test): the
//! decoders must give, in the browser, the same samples as the uncompressed file. This is
//! what proves the wasm glue (allocator, libc shim) the JPEG 2000 decoder needs.
#![cfg(target_arch = "wasm32")]

use viewer_core::file::{DicomFile, FileError};
use viewer_core::multipart::parse_multipart;
use viewer_core::{decode_frame, Limits, Samples};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

macro_rules! ct {
    ($syntax:literal) => {
        include_bytes!(concat!(
            "../../../shared/ct-series/",
            $syntax,
            "/CT0030.dcm"
        ))
        .as_slice()
    };
}

fn decode(bytes: &[u8]) -> Result<Samples, FileError> {
    let limits = Limits::default();
    Ok(DicomFile::parse(bytes, &limits)?
        .decode(0, &limits)?
        .samples)
}

#[wasm_bindgen_test]
fn every_supported_syntax_decodes_bit_exact_in_the_browser() {
    let reference = decode(ct!("explicit-vr-le")).expect("raw CT decodes");
    assert_eq!(reference.len(), 512 * 512);
    for (name, bytes) in [
        ("RLE", ct!("rle-lossless")),
        ("JPEG lossless", ct!("jpeg-lossless-sv1")),
        ("JPEG-LS", ct!("jpeg-ls-lossless")),
        ("JPEG 2000", ct!("jpeg2000-lossless")),
        ("HTJ2K", ct!("htj2k-lossless")),
    ] {
        let samples = decode(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(samples == reference, "{name} differs from the raw slice");
    }
}

/// Files written by `scripts/make_codec_fixtures.py` (`./test.sh` writes them before building
/// any test): JPEG XL and HTJ2K forms the shared data does not have.
macro_rules! fixture {
    ($name:literal) => {
        include_bytes!(concat!("../../target/codec-fixtures/", $name)).as_slice()
    };
}

macro_rules! corpus {
    ($path:literal) => {
        include_bytes!(concat!("../../../shared/dicom-corpus/", $path)).as_slice()
    };
}

/// One file per decoder path, with the sha256 of its last frame in the canonical layout as the
/// native build gives it (`dicom-decode FILE`): the browser build must give the same bytes,
/// lossy codecs included. `scripts/check_decoders.py` ties the native bytes to pydicom.
#[wasm_bindgen_test]
fn every_decoder_path_gives_the_native_bytes_in_the_browser() {
    use sha2::{Digest, Sha256};
    let cases = [
        (
            "implicit VR",
            corpus!("pydicom/test_files/MR_small_implicit.dcm"),
            "88617aaa46138fb1b6e2a951e762d962382354d69f47f8c04d4abff2f6a6a63e",
        ),
        (
            "big endian",
            corpus!("pydicom/test_files/MR_small_bigendian.dcm"),
            "88617aaa46138fb1b6e2a951e762d962382354d69f47f8c04d4abff2f6a6a63e",
        ),
        (
            "deflate",
            corpus!("pydicom/test_files/image_dfl.dcm"),
            "1f5f1b1c1a57606a55d7e4212ee2655c8205b45e264bd55057f7388c258deef8",
        ),
        (
            "RLE 16-bit RGB",
            corpus!("pydicom/test_files/SC_rgb_rle_16bit_2frame.dcm"),
            "5c8af3b4e0007380b2952924984bd8d2f0525d1c03e823273195eea6409011ae",
        ),
        (
            "JPEG baseline colour",
            corpus!("pydicom/test_files/SC_rgb_jpeg_dcmtk.dcm"),
            "ddb100d8f45a7fbf420e8ce5d1b376a5479f068c5109daac31eb982f662d228f",
        ),
        (
            "JPEG 12-bit",
            corpus!("pydicom/test_files/JPGExtended.dcm"),
            "88da1951ed21fb7b2f10055cd661bf365cadaef4103bb35edd22dc68812d0ae1",
        ),
        (
            "JPEG-LS colour, sample-interleaved",
            corpus!("pydicom/test_files/SC_rgb_jls_lossy_sample.dcm"),
            "bd5344c0a46bc6c0869921680aa72c1ee344be34079d9b9c5b421336f24d798f",
        ),
        (
            "JPEG-LS colour, line-interleaved",
            corpus!("pydicom/test_files/SC_rgb_jls_lossy_line.dcm"),
            "bd5344c0a46bc6c0869921680aa72c1ee344be34079d9b9c5b421336f24d798f",
        ),
        (
            "JPEG-LS near-lossless 16-bit",
            corpus!("pydicom/test_files/JPEGLSNearLossless_16.dcm"),
            "f929318278115ce952d85c011f752634e266720680e807bd03bf97ded3f0d3e4",
        ),
        (
            "JPEG 2000 lossy",
            corpus!("pydicom/test_files/693_J2KI.dcm"),
            "f249f833d5e3cbc361b4ced94aeeb8db7fc7376087b9f395a2ccf2f6f3059268",
        ),
        (
            "YBR_FULL_422 uncompressed",
            corpus!("pydicom/test_files/SC_ybr_full_422_uncompressed.dcm"),
            "ddb100d8f45a7fbf420e8ce5d1b376a5479f068c5109daac31eb982f662d228f",
        ),
        (
            "HTJ2K 8-bit grey (OpenJPH port)",
            fixture!("htj2k_grey8.dcm"),
            "36e27e4f1e87a7d50407463323ddc3736736ecff35eb4e4a4c1b74646938835d",
        ),
        (
            "HTJ2K RGB without colour transform (OpenJPH port)",
            fixture!("htj2k_rgb_no_mct.dcm"),
            "a64f021b9093684b86aa47195ce0f9e3c1b8f1f4c6ce569f8a65b292bd52ec1d",
        ),
        (
            "JPEG XL lossless 12-bit",
            fixture!("jxl_grey12.dcm"),
            "679f753ac52bc11388e4edc51337634ac67aabd814d789036e376ea490198ab7",
        ),
        (
            "JPEG XL recompressed JPEG, 2 frames",
            fixture!("jxl_recompressed_jpeg.dcm"),
            "9f6b357a5600ac573ffa68e486ebe56debd2eb2eebac5c952e333511e4d6a580",
        ),
        (
            "1-bit multi-frame",
            corpus!("pydicom-data/liver.dcm"),
            "0673ae15a18b058e07d28823bf2a8b67dc21c89381009c68807330c5569f5095",
        ),
    ];
    let limits = Limits::default();
    for (name, bytes, expected) in cases {
        let file = DicomFile::parse(bytes, &limits).unwrap_or_else(|e| panic!("{name}: {e}"));
        let last = file.module.number_of_frames - 1;
        let frame = file
            .decode(last, &limits)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let digest = format!("{:x}", Sha256::digest(frame.samples.to_le_bytes()));
        assert_eq!(digest, expected, "{name}");
    }
}

/// Lossy JPEG XL is rendered in floating point, by SIMD code natively and scalar code here:
/// the browser's samples must be within 1 of the native ones (`./test.sh` writes those).
#[wasm_bindgen_test]
fn lossy_jpeg_xl_is_within_one_of_the_native_decode() {
    let native = include_bytes!("../../target/codec-fixtures/native/jxl_rgb_lossy/frame_0.raw");
    let limits = Limits::default();
    let file = DicomFile::parse(fixture!("jxl_rgb_lossy.dcm"), &limits).expect("parses");
    let ours = file
        .decode(0, &limits)
        .expect("decodes")
        .samples
        .to_le_bytes();
    assert_eq!(ours.len(), native.len());
    let worst = ours
        .iter()
        .zip(native)
        .map(|(a, b)| a.abs_diff(*b))
        .max()
        .unwrap_or(0);
    assert!(worst <= 1, "max difference {worst}");
}

#[wasm_bindgen_test]
fn a_multipart_frame_decodes_like_the_file() {
    let file = DicomFile::parse(ct!("explicit-vr-le"), &Limits::default()).expect("parses");
    let raw = file.decode(0, &Limits::default()).expect("decodes");
    let Samples::U16(words) = &raw.samples else {
        panic!("unsigned CT")
    };
    let payload: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    let mut body = b"--b\r\nContent-Type: application/octet-stream; transfer-syntax=1.2.840.10008.1.2.1\r\n\r\n".to_vec();
    body.extend_from_slice(&payload);
    body.extend_from_slice(b"\r\n--b--\r\n");
    let parts = parse_multipart("multipart/related; boundary=b", &body).expect("valid body");
    let part = &parts[0];
    let frame = decode_frame(
        &file.module,
        part.transfer_syntax.as_deref().unwrap_or_default(),
        &body[part.content.clone()],
        &Limits::default(),
    )
    .expect("decodes");
    assert!(frame.samples == raw.samples);
}
