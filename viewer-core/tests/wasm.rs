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
