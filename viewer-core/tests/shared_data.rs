//! Decodes the real files of the shared test data (`../shared` next to the repository, or
//! `$DICOM_TEST_DATA`): the CT series in every syntax must equal the uncompressed series, and
//! no file of the corpus may panic.

use std::path::PathBuf;

use viewer_core::file::{DicomFile, FileError};
use viewer_core::{Limits, Samples};

mod common;
use common::shared;

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
        let codestream = encapsulated_fragment(&ct.join("htj2k-lossless").join(slice));
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
    }
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

/// Damaged frames (truncated, bytes flipped) of every compressed syntax must give an error or
/// a picture, never a panic: in the browser a panic stops the whole viewer.
#[test]
fn damaged_frames_never_panic() {
    let ct = shared().join("ct-series");
    let limits = Limits::default();
    let mut panics = Vec::new();
    for (syntax, uid) in [
        ("rle-lossless", "1.2.840.10008.1.2.5"),
        ("jpeg-lossless-sv1", "1.2.840.10008.1.2.4.70"),
        ("jpeg-ls-lossless", "1.2.840.10008.1.2.4.80"),
        ("jpeg2000-lossless", "1.2.840.10008.1.2.4.90"),
        ("htj2k-lossless", "1.2.840.10008.1.2.4.201"),
    ] {
        let path = ct.join(syntax).join("CT0030.dcm");
        let file =
            DicomFile::parse(&std::fs::read(&path).expect("readable"), &limits).expect("parses");
        let frame = encapsulated_fragment(&path);
        let mut cases: Vec<(String, Vec<u8>)> = Vec::new();
        for k in 1..16 {
            let cut = frame.len() * k / 16;
            cases.push((format!("truncated at {cut}"), frame[..cut].to_vec()));
        }
        for k in 0..24 {
            let at = (frame.len() * k) / 24 + 3;
            let mut damaged = frame.clone();
            if let Some(b) = damaged.get_mut(at) {
                *b ^= 0x5A;
            }
            cases.push((format!("byte {at} flipped"), damaged));
        }
        for (what, bytes) in cases {
            let result = std::panic::catch_unwind(|| {
                let _ = viewer_core::decode_frame(&file.module, uid, &bytes, &limits);
                // Previews decode leniently: damaged bytes must not panic them either.
                let _ = viewer_core::frame::decode_prefix_with(
                    &viewer_core::Decoders::ALL,
                    &file.module,
                    uid,
                    &bytes,
                    &limits,
                );
            });
            if result.is_err() {
                panics.push(format!("{syntax}: {what}"));
            }
        }
    }
    assert!(panics.is_empty(), "decoders panicked on: {panics:#?}");
}

#[test]
fn a_jpeg_frame_unlike_its_pixel_module_is_refused() {
    let path = shared().join("ct-series/jpeg-lossless-sv1/CT0030.dcm");
    let limits = Limits::default();
    let file = DicomFile::parse(&std::fs::read(&path).expect("readable"), &limits).expect("parses");
    let frame = encapsulated_fragment(&path);
    let uid = "1.2.840.10008.1.2.4.70";
    let unlike = [
        viewer_core::PixelModule {
            rows: file.module.rows - 1,
            ..file.module.clone()
        },
        viewer_core::PixelModule {
            samples_per_pixel: 3,
            photometric: viewer_core::pixel_module::Photometric::Rgb,
            ..file.module.clone()
        },
        // Eight bits allocated cannot hold the stream's 16-bit samples.
        viewer_core::PixelModule {
            bits_allocated: 8,
            bits_stored: 8,
            ..file.module.clone()
        },
    ];
    for module in unlike {
        let result = viewer_core::decode_frame(&module, uid, &frame, &limits);
        assert!(
            matches!(result, Err(viewer_core::DecodeError::Codec { .. })),
            "{module:?}: {result:?}"
        );
    }
}

/// The single fragment of a single-frame encapsulated file: the last item before the
/// sequence delimiter (FFFE,E0DD).
fn encapsulated_fragment(path: &PathBuf) -> Vec<u8> {
    let bytes = std::fs::read(path).expect("readable");
    let end = bytes
        .windows(8)
        .rposition(|w| w == [0xFE, 0xFF, 0xDD, 0xE0, 0, 0, 0, 0])
        .expect("a sequence delimiter");
    let item = bytes[..end]
        .windows(4)
        .rposition(|w| w == [0xFE, 0xFF, 0x00, 0xE0])
        .expect("an item");
    let length =
        u32::from_le_bytes(bytes[item + 4..item + 8].try_into().expect("4 bytes")) as usize;
    assert_eq!(
        item + 8 + length,
        end,
        "one fragment ending at the delimiter"
    );
    bytes[item + 8..end].to_vec()
}

/// Every HTJ2K slice of the CT takes the fast path (the OpenJPH port), and it agrees with the
/// generic openjp2 path sample for sample.
#[test]
fn htj2k_fast_path_decodes_every_slice_like_the_generic_path() {
    let limits = Limits::default();
    let dir = shared().join("ct-series/htj2k-lossless");
    let mut slices = 0;
    for entry in std::fs::read_dir(&dir).expect("HTJ2K slices") {
        let bytes = std::fs::read(entry.expect("entry").path()).expect("readable");
        let file = DicomFile::parse(&bytes, &limits).expect("parses");
        let codestream = file.encoded_frame(0).expect("one frame");
        assert!(viewer_core::j2k::is_pure_ht(&codestream));
        let fast = viewer_core::htj2k::decode_ht(&file.module, &codestream).expect("fast path");
        let generic = viewer_core::j2k::decode_openjp2(&file.module, &codestream).expect("generic");
        assert!(fast == generic);
        slices += 1;
    }
    assert_eq!(slices, 61);
}

/// A dropped file reads like its WADO-RS metadata, and dropped files group into series.
#[test]
fn local_files_read_like_their_metadata_and_group_into_series() {
    use dicom_dictionary_std::tags;
    let limits = Limits::default();
    let ct = |n: usize| {
        let path = shared().join(format!("ct-series/explicit-vr-le/CT{n:04}.dcm"));
        DicomFile::parse(&std::fs::read(path).expect("readable"), &limits).expect("parses")
    };
    let ds = ct(30).attributes();
    assert_eq!(ds.uint(tags::ROWS), Some(512));
    assert_eq!(ds.number(tags::RESCALE_INTERCEPT), Some(-1024.0));
    assert_eq!(
        ds.numbers(tags::PIXEL_SPACING),
        vec![Some(0.6269531), Some(0.6269531)]
    );
    assert_eq!(ds.numbers(tags::WINDOW_CENTER)[0], Some(40.0));
    assert!(ds.person_name(tags::PATIENT_NAME).is_some());
    assert!(
        ds.vr(tags::PIXEL_DATA).is_none(),
        "pixel data stays in the file"
    );
    let stack = viewer_core::study::image_stack(&[ds], &limits);
    assert_eq!(stack.len(), 1);
    assert!(stack[0].plane().is_some());

    let attributes: Vec<_> = [3, 1, 2].iter().map(|&n| ct(n).attributes()).collect();
    let series = viewer_core::local::group_series(&attributes);
    assert_eq!(series.len(), 1);
    assert_eq!(series[0].files, vec![0, 1, 2]);
    assert_eq!(series[0].series_number, Some(1));
}

/// A dropped PALETTE COLOR file carries its own LUTs: plain 16-bit (pydicom's example) and
/// segmented, the same whether the file is little or big endian.
#[test]
fn local_files_give_their_palettes_in_either_byte_order() {
    let limits = Limits::default();
    let palette_of = |name: &str| {
        let path = shared().join("dicom-corpus").join(name);
        let file =
            DicomFile::parse(&std::fs::read(path).expect("readable"), &limits).expect("parses");
        let palette = file
            .palette()
            .expect("has a palette")
            .expect("valid palette");
        let frame = file.decode(0, &limits).expect("decodes");
        let rgb = palette.apply(&frame.samples);
        assert_eq!(rgb.len(), frame.samples.len() * 3);
        rgb
    };
    let plain = palette_of("pydicom/test_files/examples_palette.dcm");
    assert!(
        plain.chunks(3).any(|p| p[0] != p[1] || p[1] != p[2]),
        "coloured"
    );
    let little = palette_of("pydicom-data/gdcm-US-ALOKA-16.dcm");
    let big = palette_of("pydicom-data/gdcm-US-ALOKA-16_big.dcm");
    assert!(
        little.chunks(3).any(|p| p[0] != p[1] || p[1] != p[2]),
        "coloured"
    );
    assert_eq!(little, big);
    let ct = shared().join("ct-series/explicit-vr-le/CT0001.dcm");
    let ct = DicomFile::parse(&std::fs::read(ct).expect("readable"), &limits).expect("parses");
    assert!(ct.palette().is_none());
}

/// pydicom's DICOMDIR test folder: every variant (explicit, implicit, big endian, reordered)
/// references the same files, and each of them exists beside it.
#[test]
fn dicomdirs_reference_the_files_beside_them() {
    let folder = shared().join("dicom-corpus/pydicom/test_files/dicomdirtests");
    let read = |name: &str| {
        let bytes = std::fs::read(folder.join(name)).expect("readable");
        viewer_core::dicomdir::referenced_files(&bytes).expect("a media storage directory")
    };
    let files = read("DICOMDIR");
    assert!(files.len() >= 30, "{} files", files.len());
    assert!(files.contains(&"77654033/CR1/6154".to_string()));
    for file in &files {
        assert!(
            folder.join(file).is_file(),
            "{file} is referenced but absent"
        );
    }
    for variant in ["DICOMDIR-implicit", "DICOMDIR-bigEnd", "DICOMDIR-reordered"] {
        let mut other = read(variant);
        let mut same = files.clone();
        other.sort();
        same.sort();
        assert_eq!(other, same, "{variant}");
    }
    let tiny = read("TINY_ALPHA/DICOMDIR");
    assert!(tiny
        .iter()
        .all(|f| folder.join("TINY_ALPHA").join(f).is_file()));
    let ct = std::fs::read(shared().join("ct-series/explicit-vr-le/CT0001.dcm")).expect("readable");
    assert!(viewer_core::dicomdir::referenced_files(&ct).is_err());
}

#[test]
fn the_corpus_presentation_state_is_read() {
    use viewer_core::presentation_state::{read, SizeMode, Voi};
    let path = shared().join("dicom-corpus/generated/gsps_brain_010.dcm");
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let ds = viewer_core::local::attributes_of(&bytes).expect("a Part 10 file");
    let state = read(&ds).expect("a grayscale softcopy presentation state");
    // dcmpsmk's defaults: no VOI (identity), the whole 256x256 image scaled to fit.
    let brain = "0.0.0.0.1.8811.2.10.20010413115754.12432";
    assert!(state.applies_to(brain, 1));
    assert!(!state.applies_to("1.2.3", 1));
    assert_eq!(state.label.as_deref(), Some("UNNAMED"));
    assert_eq!(state.voi(brain, 1), Voi::Identity);
    let area = state.displayed_area(brain, 1).expect("a displayed area");
    assert_eq!(area.bounds, [0.0, 0.0, 256.0, 256.0]);
    assert_eq!(area.mode, SizeMode::ScaleToFit);
    assert_eq!(state.view_orientation(), (0, false));
    assert!(!state.inverse);
}

/// A JPEG 2000 or HTJ2K frame's first bytes give a whole, blurred preview that gets closer to
/// the frame as more bytes come; the full decode still refuses a codestream cut short.
#[test]
fn codestream_prefixes_preview_the_frame() {
    let limits = Limits::default();
    let ct = shared().join("ct-series");
    for (syntax, uid) in [
        ("jpeg2000-lossless", "1.2.840.10008.1.2.4.90"),
        ("htj2k-lossless", "1.2.840.10008.1.2.4.201"),
    ] {
        let path = ct.join(syntax).join("CT0030.dcm");
        let file =
            DicomFile::parse(&std::fs::read(&path).expect("readable"), &limits).expect("parses");
        let codestream = file.encoded_frame(0).expect("one frame");
        let full = viewer_core::decode_frame(&file.module, uid, &codestream, &limits)
            .expect("the whole frame decodes");
        let decoders = viewer_core::Decoders::ALL;
        let rms = |frame: &viewer_core::DecodedFrame| {
            let n = full.samples.len();
            assert_eq!(
                frame.samples.len(),
                n,
                "{syntax}: a preview has every sample"
            );
            let sum: f64 = (0..n)
                .map(|i| {
                    let d = frame.samples.get(i).unwrap_or_default()
                        - full.samples.get(i).unwrap_or_default();
                    d * d
                })
                .sum();
            (sum / n as f64).sqrt()
        };
        let mut errors = Vec::new();
        for eighths in [1, 2, 4] {
            let prefix = &codestream[..codestream.len() * eighths / 8];
            let preview = viewer_core::frame::decode_prefix_with(
                &decoders,
                &file.module,
                uid,
                prefix,
                &limits,
            )
            .expect("a prefix decodes")
            .expect("JPEG 2000 has previews");
            errors.push(rms(&preview));
            assert!(
                viewer_core::decode_frame(&file.module, uid, prefix, &limits).is_err(),
                "{syntax}: the full decode refuses {eighths}/8 of the codestream"
            );
        }
        eprintln!("{syntax}: RMS error of 1/8, 2/8, 4/8 of the bytes: {errors:?}");
        // CT values span about 4000; an eighth of the bytes is within a few percent of it.
        assert!(errors[0] < 80.0, "{syntax}: {errors:?}");
        assert!(
            errors.windows(2).all(|w| w[1] <= w[0]),
            "{syntax}: {errors:?}"
        );
    }
    let file = DicomFile::parse(
        &std::fs::read(ct.join("rle-lossless/CT0030.dcm")).expect("readable"),
        &limits,
    )
    .expect("parses");
    let rle = viewer_core::frame::decode_prefix_with(
        &viewer_core::Decoders::ALL,
        &file.module,
        "1.2.840.10008.1.2.5",
        &[0; 64],
        &limits,
    );
    assert!(matches!(rle, Ok(None)), "RLE has no preview");
}

/// A real file with `padding` zero bytes after its data set, as some writers pad to a block.
fn padded(path: &PathBuf, block: usize) -> (Vec<u8>, usize) {
    let mut bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let padding = block - bytes.len() % block;
    bytes.resize(bytes.len() + padding, 0);
    (bytes, padding)
}

#[test]
fn files_padded_by_their_writer_read_like_the_originals() {
    let ct = shared().join("ct-series");
    let limits = Limits::default();
    for syntax in ["explicit-vr-le", "jpeg-ls-lossless", "rle-lossless"] {
        let path = ct.join(syntax).join("CT0030.dcm");
        let original = decode(&path).expect("the original decodes");
        for block in [8192, 7] {
            let (bytes, padding) = padded(&path, block);
            let file = DicomFile::parse(&bytes, &limits)
                .unwrap_or_else(|e| panic!("{syntax} padded to {block}: {e}"));
            assert_eq!(file.padding_ignored_bytes, padding, "{syntax}");
            let frame = file.decode(0, &limits).expect("the padded file decodes");
            assert!(frame.samples == original.samples, "{syntax}: other samples");
        }
    }
}

#[test]
fn a_length_hidden_in_a_un_sequence_is_refused_before_parsing() {
    // A real file followed by a private UN element of undefined length whose item holds an
    // element of unknown VR declaring 2 GiB: read as the parser reads it (explicit VR, the
    // unknown VR with a 32-bit length), it is refused before any buffer is reserved.
    let path = shared().join("ct-series/explicit-vr-le/CT0030.dcm");
    let mut bytes = std::fs::read(&path).expect("CT slice");
    bytes.extend_from_slice(&[
        0x09, 0x00, 0x10, 0x10, b'U', b'N', 0, 0, 0xFF, 0xFF, 0xFF, 0xFF,
    ]);
    bytes.extend_from_slice(&[0xFE, 0xFF, 0x00, 0xE0, 0xFF, 0xFF, 0xFF, 0xFF]);
    // (Read as implicit VR, as this pass once did, the same bytes declare 16 bytes.)
    bytes.extend_from_slice(&[0x09, 0x00, 0x20, 0x10, 0x10, 0x00, 0, 0, 0, 0, 0, 0x80]);
    bytes.extend_from_slice(&[0x20; 64]);
    match DicomFile::parse(&bytes, &Limits::default()) {
        Err(FileError::Parse(reason)) => {
            assert!(reason.contains("(0009,1020) declares"), "{reason}")
        }
        Err(other) => panic!("refused for another reason: {other}"),
        Ok(_) => panic!("a 2 GiB value in a file of {} bytes was read", bytes.len()),
    }
}
