//! Any bytes as a DICOMDIR: the files it references must be relative paths that stay inside
//! the folder the user chose (no empty component, no `..`), or a typed error; choosing them
//! among the folder's files never panics. Seeded with the corpus's DICOMDIRs.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(files) = viewer_core::dicomdir::referenced_files(data) else {
        return;
    };
    assert!(files
        .iter()
        .all(|f| !f.split('/').any(|c| c.is_empty() || c == "..")));
    let mut folder = vec!["disc/DICOMDIR".to_string()];
    folder.extend(files.iter().map(|f| format!("disc/{f}")));
    let selection = viewer_core::dicomdir::select_files(&folder, &[(0, files)]);
    assert!(selection.read.iter().all(|&i| 0 < i && i < folder.len()));
});
