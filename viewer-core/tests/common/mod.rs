//! Shared by the integration tests: where the shared test data is.

use std::path::PathBuf;

/// `../shared` next to the repository, or `$DICOM_TEST_DATA`.
pub fn shared() -> PathBuf {
    std::env::var_os("DICOM_TEST_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared"))
}
