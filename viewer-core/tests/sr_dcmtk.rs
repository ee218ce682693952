//! The measurement reports and key object selections the viewer writes, read by DCMTK's
//! `dsrdump` (Debian's dcmtk) with its checks on: the document must parse with no content
//! item error and every relationship must be one the IOD allows.

use std::path::Path;
use std::process::Command;

use viewer_core::annotation::{measurements, Annotation, Shape};
use viewer_core::sr_write::key_objects::key_object_selection;
use viewer_core::sr_write::measurement_report::{measurement_report, Finding, COMPREHENSIVE_SR};
use viewer_core::sr_write::{
    uid_from_random, ImageInSeries, NewDocument, Predecessor, StudyContext,
};
use viewer_core::study::PixelSpacing;

fn context() -> StudyContext {
    StudyContext {
        patient_name: "DUPONT^Hélène".into(),
        patient_id: "PID-1".into(),
        patient_birth_date: "19700101".into(),
        patient_sex: "F".into(),
        study_instance_uid: "1.2.826.0.1.3680043.8.498.1".into(),
        study_date: "20240102".into(),
        study_time: "101500".into(),
        study_id: "1".into(),
        accession_number: "A1".into(),
        ..StudyContext::default()
    }
}

fn document(n: u8) -> NewDocument {
    NewDocument {
        sop_instance_uid: uid_from_random([n; 16]),
        series_instance_uid: uid_from_random([n + 100; 16]),
        series_number: 9901,
        series_description: "Mesures".into(),
        content_date: "20261201".into(),
        content_time: "101500".into(),
        observer_name: "MARTIN^Paul".into(),
        institution: Some("CHU".into()),
    }
}

fn image(sop: &str, frame: Option<u32>) -> ImageInSeries {
    ImageInSeries {
        series_instance_uid: "1.2.826.0.1.3680043.8.498.2".into(),
        sop_class_uid: "1.2.840.10008.5.1.4.1.1.2".into(),
        sop_instance_uid: sop.into(),
        frame,
    }
}

/// A 64x64 frame whose modality value at (c, r) is `c + 100 r - 1024`.
struct Ramp;

impl viewer_core::measure::FrameValues for Ramp {
    fn columns(&self) -> u32 {
        64
    }
    fn rows(&self) -> u32 {
        64
    }
    fn value(&self, column: u32, row: u32) -> Option<f64> {
        (column < 64 && row < 64).then(|| f64::from(column) + 100.0 * f64::from(row) - 1024.0)
    }
}

/// Runs dsrdump on `path` (checks on) and returns what it printed.
fn dsrdump(path: &Path) -> String {
    let out = Command::new("dsrdump")
        .arg("+Pt")
        .arg(path)
        .output()
        .expect("dsrdump (Debian dcmtk, installed by scripts/setup.sh test)");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(
        out.status.success(),
        "dsrdump refused {}: {stderr}",
        path.display()
    );
    // Two notices are DCMTK's own limits, not findings: its VR checker does not know UTF-8,
    // and it does not check the constraints of the key object template (TID 2010).
    let problems: Vec<&str> = stderr
        .lines()
        .filter(|l| {
            !l.contains("does not support this Specific Character Set")
                && !l.contains("Check for template constraints not yet supported")
        })
        .collect();
    assert!(problems.is_empty(), "{}: {problems:?}", path.display());
    stdout
}

#[test]
fn dcmtk_reads_our_measurement_report_and_key_object_selection() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let spacing = PixelSpacing::Patient {
        row_mm: 0.5,
        column_mm: 0.5,
    };
    let shapes = [
        Shape::Length([[10.0, 20.0], [110.0, 20.0]]),
        Shape::Angle([[10.0, 0.0], [0.0, 0.0], [0.0, 10.0]]),
        Shape::Ellipse([[4.0, 4.0], [40.0, 24.0]]),
        Shape::Rectangle([[2.0, 3.0], [20.0, 12.0]]),
        Shape::Probe([7.5, 8.5]),
    ];
    let findings: Vec<Finding> = shapes
        .iter()
        .enumerate()
        .map(|(i, shape)| Finding {
            annotation: Annotation {
                image: image("1.2.826.0.1.3680043.8.498.3", (i == 2).then_some(2)),
                shape: shape.clone(),
                tracking_uid: Some(uid_from_random([i as u8 + 50; 16])),
                label: Some(format!("Mesure {}", i + 1)),
            },
            measurements: measurements(shape, spacing, Some(&Ramp), Some("HU")),
        })
        .collect();
    let replaced = Predecessor {
        series_instance_uid: "1.2.826.0.1.3680043.8.498.4".into(),
        sop_class_uid: COMPREHENSIVE_SR.into(),
        sop_instance_uid: "1.2.826.0.1.3680043.8.498.5".into(),
    };
    let report = measurement_report(&context(), &document(1), &findings, &[replaced], "fr")
        .expect("a report");
    let path = dir.join("measurement_report.dcm");
    std::fs::write(&path, report).expect("written");
    let dump = dsrdump(&path);
    assert!(dump.contains("Comprehensive SR Document"), "{dump}");
    assert!(dump.contains("TID 1500"), "{dump}");
    for concept in [
        "\"Length\"",
        "\"Angle\"",
        "\"Area\"",
        "\"Mean\"",
        "ELLIPSE",
        "POINT",
    ] {
        assert!(dump.contains(concept), "{concept} in {dump}");
    }

    let selection = key_object_selection(
        &context(),
        &document(2),
        &[
            image("1.2.826.0.1.3680043.8.498.3", None),
            image("1.2.826.0.1.3680043.8.498.6", Some(1)),
        ],
    )
    .expect("a selection");
    let path = dir.join("key_objects.dcm");
    std::fs::write(&path, selection).expect("written");
    let dump = dsrdump(&path);
    assert!(dump.contains("Key Object Selection Document"), "{dump}");
    assert!(dump.contains("Of Interest"), "{dump}");
}
