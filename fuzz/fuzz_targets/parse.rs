//! Any bytes as a DICOM file: parsing and decoding every frame, reading its palette, or
//! reading it as a DICOMDIR must give a value or a typed error, never a panic, and never a
//! frame of another size than its pixel module says.
#![no_main]

use libfuzzer_sys::fuzz_target;
use viewer_core::file::DicomFile;
use viewer_core::Limits;

/// Small limits, so the fuzzer explores structure rather than allocations.
const LIMITS: Limits = Limits {
    max_rows: 512,
    max_columns: 512,
    max_frames: 16,
    max_frame_bytes: 1 << 20,
};

fuzz_target!(|data: &[u8]| {
    if let Ok(files) = viewer_core::dicomdir::referenced_files(data) {
        assert!(files
            .iter()
            .all(|f| !f.split('/').any(|c| c.is_empty() || c == "..")));
    }
    let Ok(file) = DicomFile::parse(data, &LIMITS) else {
        return;
    };
    let _ = file.palette();
    for frame in 0..file.module.number_of_frames {
        if let Ok(decoded) = file.decode(frame, &LIMITS) {
            assert_eq!(
                decoded.samples.len(),
                file.module.pixel_count() * usize::from(file.module.samples_per_pixel)
            );
        }
    }
});
