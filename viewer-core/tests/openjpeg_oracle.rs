//! Differential test of the JPEG 2000 / HTJ2K paths (the pure-Rust openjp2 and OpenJPH ports,
//! which are what runs in the browser) against OpenJPEG's C library through openjpeg-sys, on
//! every J2K and HTJ2K frame of the shared test data and of `$CODEC_FIXTURES` when set (the
//! files of `scripts/make_codec_fixtures.py`).
//!
//! The C library runs in a separate program (`viewer-core/oracle`), because the Rust port
//! exports the same C symbol names: `./test.sh` builds it and runs this test with
//! `OPENJPEG_ORACLE=<path>`.

use std::path::{Path, PathBuf};
use std::process::Command;

use viewer_core::file::DicomFile;
use viewer_core::Limits;

const J2K_SYNTAXES: [&str; 5] = [
    "1.2.840.10008.1.2.4.90",
    "1.2.840.10008.1.2.4.91",
    "1.2.840.10008.1.2.4.201",
    "1.2.840.10008.1.2.4.202",
    "1.2.840.10008.1.2.4.203",
];

mod common;
use common::shared;

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable folder") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            files(&path, out);
        } else {
            out.push(path);
        }
    }
}

#[test]
#[ignore = "needs OPENJPEG_ORACLE=<openjpeg-oracle binary>; ./test.sh builds and runs it"]
fn jpeg2000_frames_match_openjpeg_c() {
    let oracle = std::env::var("OPENJPEG_ORACLE").expect("OPENJPEG_ORACLE is set");
    let limits = Limits::default();
    let mut all = Vec::new();
    files(&shared(), &mut all);
    if let Some(fixtures) = std::env::var_os("CODEC_FIXTURES") {
        files(Path::new(&fixtures), &mut all);
    }
    all.sort();
    let scratch = std::env::temp_dir().join(format!("openjpeg-oracle-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).expect("scratch folder");
    let (codestream_path, raw_path) = (scratch.join("frame.j2k"), scratch.join("frame.raw"));
    let (mut compared, mut differences) = (0, Vec::new());
    for path in &all {
        let Ok(bytes) = std::fs::read(path) else {
            continue;
        };
        let Ok(file) = DicomFile::parse(&bytes, &limits) else {
            continue;
        };
        if !J2K_SYNTAXES.contains(&file.transfer_syntax_uid.as_str()) {
            continue;
        }
        for frame in 0..file.module.number_of_frames {
            let name = format!("{} frame {frame}", path.display());
            let (Ok(codestream), Ok(ours)) =
                (file.encoded_frame(frame), file.decode(frame, &limits))
            else {
                // Refused by us: the oracle must refuse it too.
                if let Ok(codestream) = file.encoded_frame(frame) {
                    std::fs::write(&codestream_path, &codestream).expect("write");
                    let status = Command::new(&oracle)
                        .args([&codestream_path, &raw_path])
                        .output()
                        .expect("oracle runs");
                    if status.status.success() {
                        differences.push(format!("{name}: OpenJPEG decodes it, we do not"));
                    }
                }
                continue;
            };
            std::fs::write(&codestream_path, &codestream).expect("write");
            let output = Command::new(&oracle)
                .args([&codestream_path, &raw_path])
                .output()
                .expect("oracle runs");
            if !output.status.success() {
                differences.push(format!("{name}: we decode it, OpenJPEG does not"));
                continue;
            }
            // "width height components precision signed"
            let header = String::from_utf8_lossy(&output.stdout);
            let codestream_signed = header.split_whitespace().nth(4) == Some("1");
            let mut reference: Vec<i64> = std::fs::read(&raw_path)
                .expect("oracle output")
                .chunks_exact(4)
                .map(|c| i64::from(i32::from_le_bytes([c[0], c[1], c[2], c[3]])))
                .collect();
            if codestream_signed != file.module.signed {
                // The DICOM header governs (PS3.5 8.2.4; pydicom does the same): read the
                // codestream's values as Bits Stored-bit numbers of the header's signedness.
                let bits = u32::from(file.module.bits_stored);
                for v in &mut reference {
                    let low = *v & ((1i64 << bits) - 1);
                    *v = if file.module.signed && low >= 1 << (bits - 1) {
                        low - (1 << bits)
                    } else {
                        low
                    };
                }
            }
            let ours: Vec<i64> = (0..ours.samples.len())
                .map(|i| ours.samples.get(i).map_or(i64::MIN, |v| v as i64))
                .collect();
            compared += 1;
            if ours != reference {
                let worst = ours
                    .iter()
                    .zip(&reference)
                    .map(|(a, b)| (a - b).abs())
                    .max();
                differences.push(format!(
                    "{name}: {} samples vs {}, max abs difference {worst:?}",
                    ours.len(),
                    reference.len()
                ));
            }
        }
    }
    let _ = std::fs::remove_dir_all(&scratch);
    eprintln!("JPEG 2000 / HTJ2K frames compared with OpenJPEG: {compared}");
    assert!(compared >= 122, "too few frames compared: {compared}");
    assert!(
        differences.is_empty(),
        "differences from OpenJPEG: {differences:#?}"
    );
}
