//! Decodes the real files of the shared test data (`../shared` next to the repository, or
//! `$DICOM_TEST_DATA`): the CT series in every syntax must equal the uncompressed series, and
//! no file of the corpus may panic.

use std::path::PathBuf;

use viewer_core::file::{DicomFile, FileError};
use viewer_core::{DecodeError, Limits, Samples};

fn shared() -> PathBuf {
    std::env::var_os("DICOM_TEST_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared"))
}

fn decode(path: &PathBuf) -> Result<viewer_core::DecodedFrame, FileError> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let limits = Limits::default();
    DicomFile::parse(&bytes, &limits)?.decode(0, &limits)
}

#[test]
fn ct_series_decodes_bit_exact_in_every_supported_syntax() {
    let ct = shared().join("ct-series");
    for slice in ["CT0001.dcm", "CT0030.dcm", "CT0061.dcm"] {
        let reference = decode(&ct.join("explicit-vr-le").join(slice)).expect("raw CT decodes");
        let Samples::U16(ref raw) = reference.samples else {
            panic!("the CT is unsigned 16-bit")
        };
        assert_eq!(raw.len(), 512 * 512);
        for syntax in [
            "rle-lossless",
            "jpeg-lossless-sv1",
            "jpeg2000-lossless",
            "htj2k-lossless",
        ] {
            let frame = decode(&ct.join(syntax).join(slice))
                .unwrap_or_else(|e| panic!("{syntax}/{slice}: {e}"));
            assert_eq!(frame.samples, reference.samples, "{syntax}/{slice}");
        }
        // What Orthanc 1.10 sends for HTJ2K: the codestream labelled as uncompressed.
        let htj2k = DicomFile::parse(
            &std::fs::read(ct.join("htj2k-lossless").join(slice)).expect("readable"),
            &Limits::default(),
        )
        .expect("parses");
        let codestream = htj2k_codestream(&ct.join("htj2k-lossless").join(slice));
        let frame = viewer_core::decode_frame(
            &htj2k.module,
            "1.2.840.10008.1.2.1",
            &codestream,
            &Limits::default(),
        )
        .expect("the codestream is decoded as what it is");
        assert_eq!(frame.samples, reference.samples, "relabelled HTJ2K/{slice}");
        assert_eq!(
            frame.relabelled_from.as_deref(),
            Some("1.2.840.10008.1.2.1")
        );

        // JPEG-LS has no decoder yet: a typed error, not a panic and not a picture.
        match decode(&ct.join("jpeg-ls-lossless").join(slice)) {
            Err(FileError::Decode(DecodeError::UnsupportedTransferSyntax { uid, .. })) => {
                assert_eq!(uid, "1.2.840.10008.1.2.4.80")
            }
            other => panic!("JPEG-LS: expected an unsupported-syntax error, got {other:?}"),
        }
    }
}

/// The one fragment of a single-frame encapsulated file, found by its JPEG 2000 signature.
fn htj2k_codestream(path: &PathBuf) -> Vec<u8> {
    let bytes = std::fs::read(path).expect("readable");
    let start = bytes
        .windows(4)
        .position(|w| w == [0xFF, 0x4F, 0xFF, 0x51])
        .expect("a codestream");
    // The item length precedes the codestream; the sequence delimiter follows it.
    let length = u32::from_le_bytes(bytes[start - 4..start].try_into().expect("4 bytes")) as usize;
    bytes[start..start + length].to_vec()
}

#[test]
fn no_corpus_file_panics() {
    let corpus = shared().join("dicom-corpus");
    let mut files = Vec::new();
    let mut stack = vec![corpus.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("corpus folder is readable") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if !path.extension().is_some_and(|e| e == "md" || e == "tsv") {
                files.push(path);
            }
        }
    }
    files.sort();
    assert!(
        files.len() > 200,
        "the corpus is incomplete: {}",
        files.len()
    );
    let mut panicked = Vec::new();
    let (mut decoded, mut refused) = (0, 0);
    for path in &files {
        match std::panic::catch_unwind(|| decode(path)) {
            Ok(Ok(_)) => decoded += 1,
            Ok(Err(_)) => refused += 1,
            Err(_) => panicked.push(
                path.strip_prefix(&corpus)
                    .unwrap_or(path)
                    .display()
                    .to_string(),
            ),
        }
    }
    eprintln!(
        "corpus: {decoded} decoded, {refused} typed errors, {} panics",
        panicked.len()
    );
    assert!(panicked.is_empty(), "decoding panicked on: {panicked:#?}");
}
