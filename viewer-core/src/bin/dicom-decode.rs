//! `dicom-decode FILE [--raw DIR]`: decodes every frame of a DICOM file with viewer-core and
//! prints one JSON line per frame: geometry, sample format, photometric interpretation after
//! conversion, and the sha256 of the samples in the canonical layout (little-endian integers
//! of Bits Allocated width, 1-bit data one byte per pixel, colour interleaved RGB after any
//! YBR conversion, palette and LUTs not applied). `--raw DIR` also writes each frame in that
//! layout to `DIR/frame_N.raw`. A file that cannot be decoded exits with status 1 and a
//! one-line reason on stderr.

use std::path::PathBuf;
use std::process::ExitCode;

use sha2::{Digest, Sha256};
use viewer_core::file::DicomFile;
use viewer_core::Limits;

fn main() -> ExitCode {
    let mut file = None;
    let mut raw_dir = None;
    let mut args = std::env::args_os().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--raw" {
            raw_dir = args.next().map(PathBuf::from);
        } else if arg == "--help" || arg == "-h" {
            eprintln!("usage: dicom-decode FILE [--raw DIR]");
            return ExitCode::SUCCESS;
        } else {
            file = Some(PathBuf::from(arg));
        }
    }
    let Some(file) = file else {
        eprintln!("usage: dicom-decode FILE [--raw DIR]");
        return ExitCode::from(2);
    };
    match run(&file, raw_dir.as_ref()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(reason) => {
            eprintln!("dicom-decode: {reason}");
            ExitCode::FAILURE
        }
    }
}

fn run(file: &PathBuf, raw_dir: Option<&PathBuf>) -> Result<(), String> {
    let bytes = std::fs::read(file).map_err(|e| format!("cannot read the file: {e}"))?;
    let limits = Limits::default();
    let dicom = DicomFile::parse(&bytes, &limits).map_err(|e| e.to_string())?;
    if dicom.padding_ignored_bytes > 0 {
        eprintln!(
            "dicom-decode: {} bytes of zero padding after the data set were ignored",
            dicom.padding_ignored_bytes
        );
    }
    if let Some(dir) = raw_dir {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    for index in 0..dicom.module.number_of_frames {
        let frame = dicom
            .decode(index, &limits)
            .map_err(|e| format!("frame {index}: {e}"))?;
        let canonical = frame.samples.to_le_bytes();
        let line = serde_json::json!({
            "frame": index,
            "rows": frame.rows,
            "columns": frame.columns,
            "samples_per_pixel": frame.samples_per_pixel,
            "bits_allocated": dicom.module.bits_allocated,
            "pixel_representation": u8::from(dicom.module.signed),
            "photometric": frame.photometric.as_str(),
            "transfer_syntax": dicom.transfer_syntax_uid,
            "sha256": format!("{:x}", Sha256::digest(&canonical)),
            "padding_ignored_bytes": dicom.padding_ignored_bytes,
        });
        println!("{line}");
        if let Some(dir) = raw_dir {
            let path = dir.join(format!("frame_{index}.raw"));
            std::fs::write(&path, &canonical)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        }
    }
    Ok(())
}
