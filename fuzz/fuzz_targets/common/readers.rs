//! Everything the viewer reads from a study's DICOM JSON (stacks, display sets, reports, key
//! images, presentation states, a study's summary, palettes), for the targets that reach DICOM
//! JSON from the server (`metadata`) or from a local file (`local`): a value or a typed error,
//! never a panic.

use viewer_core::dicom_json::JsonDataset;
use viewer_core::Limits;

pub fn read_all(datasets: &[JsonDataset]) {
    for image in viewer_core::study::image_stack(datasets, &Limits::default()) {
        let _ = image.plane();
    }
    let _ = viewer_core::display_set::display_sets(datasets);
    for ds in datasets {
        let _ = viewer_core::sr::read_report(ds);
        let _ = viewer_core::kos::key_images(ds);
        let _ = viewer_core::presentation_state::read(ds);
        let _ = viewer_core::study::StudySummary::from_qido(ds);
        let _ = viewer_core::study::PaletteSource::from_json(ds);
    }
}
