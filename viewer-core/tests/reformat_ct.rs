//! Reformats of the real 61-slice CT (`ct-series/explicit-vr-le`) against the test's own
//! reformat: the slices sorted by their z, and each coronal or sagittal sample picked (nearest)
//! or blended (linear along z) from them by index arithmetic, without the volume's geometry.

use viewer_core::dicom_json::JsonDataset;
use viewer_core::file::DicomFile;
use viewer_core::reformat::{
    reformat, standard_plane, Interpolation, Orientation, Sample, Slab, SlabMode, Volume,
};
use viewer_core::volume::{SliceGeometry, VolumeGeometry};
use viewer_core::Limits;

mod common;
use common::shared;

use dicom_dictionary_std::tags;

struct Slice {
    geometry: SliceGeometry,
    /// Modality values (rescale applied), row by row.
    values: Vec<i32>,
}

fn read_ct() -> Vec<Slice> {
    let limits = Limits::default();
    let dir = shared().join("ct-series/explicit-vr-le");
    let mut slices = Vec::new();
    for n in 1..=61 {
        let bytes = std::fs::read(dir.join(format!("CT{n:04}.dcm"))).expect("readable");
        let file = DicomFile::parse(&bytes, &limits).expect("parses");
        let ds: JsonDataset = file.attributes();
        let numbers = |tag| -> Vec<f64> { ds.numbers(tag).into_iter().flatten().collect() };
        let (slope, intercept) = (
            ds.number(tags::RESCALE_SLOPE).unwrap_or(1.0),
            ds.number(tags::RESCALE_INTERCEPT).unwrap_or(0.0),
        );
        let frame = file.decode(0, &limits).expect("decodes");
        let values = (0..frame.samples.len())
            .map(|i| (frame.samples.get(i).expect("a sample") * slope + intercept).round() as i32)
            .collect();
        let position = numbers(tags::IMAGE_POSITION_PATIENT);
        let orientation = numbers(tags::IMAGE_ORIENTATION_PATIENT);
        let spacing = numbers(tags::PIXEL_SPACING);
        slices.push(Slice {
            geometry: SliceGeometry {
                position_mm: [position[0], position[1], position[2]],
                orientation: std::array::from_fn(|i| orientation[i]),
                rows: ds.uint(tags::ROWS).expect("rows"),
                columns: ds.uint(tags::COLUMNS).expect("columns"),
                spacing_mm: [spacing[0], spacing[1]],
            },
            values,
        });
    }
    // The test's own order: head first, by z.
    slices.sort_by(|a, b| b.geometry.position_mm[2].total_cmp(&a.geometry.position_mm[2]));
    slices
}

fn volume_of(slices: &[Slice]) -> Volume {
    let geometries: Vec<SliceGeometry> = slices.iter().map(|s| s.geometry.clone()).collect();
    let geometry = VolumeGeometry::from_slices(&geometries).expect("the CT makes a volume");
    let mut volume = Volume::new(geometry).expect("within bounds");
    for slot in 0..volume.geometry.slots() {
        let source = volume.geometry.sources[slot].expect("no slice missing");
        volume.put(slot, &slices[source].values).expect("a slice");
    }
    volume
}

#[test]
fn coronal_and_sagittal_reformats_of_the_real_ct_equal_the_tests_own() {
    let slices = read_ct();
    let volume = volume_of(&slices);
    let first = &slices[0].geometry;
    let (columns, rows) = (first.columns as usize, first.rows as usize);
    let [row_mm, column_mm] = first.spacing_mm;
    let z_top = first.position_mm[2];
    let step_mm = z_top - slices[1].geometry.position_mm[2];
    assert!(step_mm > 0.0);
    // The value at pixel (x, y) of the slice whose z is `z_top - t·step` (t ≥ 0): the nearest
    // slice, or the two around it blended linearly.
    let at = |x: usize, y: usize, t: f64, linear: bool| -> Option<i32> {
        let pixel =
            |k: usize| -> Option<f64> { Some(f64::from(slices.get(k)?.values[y * columns + x])) };
        if !linear {
            return pixel(t.round() as usize).map(|v| v as i32);
        }
        let k = t.floor() as usize;
        let w = t - k as f64;
        let below = if w > 0.0 { pixel(k + 1)? } else { 0.0 };
        Some((pixel(k)? * (1.0 - w) + below * w).round() as i32)
    };
    for (orientation, fixed) in [
        (Orientation::Coronal, 300usize),
        (Orientation::Sagittal, 200),
    ] {
        // The plane through row 300 (coronal) or column 200 (sagittal) of the slices.
        let position = match orientation {
            Orientation::Coronal => first.position_mm[1] + fixed as f64 * row_mm,
            _ => first.position_mm[0] + fixed as f64 * column_mm,
        };
        let plane = standard_plane(&volume.geometry, orientation, position).expect("a plane");
        assert!((plane.spacing_mm[0] - row_mm.min(column_mm)).abs() < 1e-9);
        let across = if orientation == Orientation::Coronal {
            columns
        } else {
            rows
        };
        assert_eq!(plane.columns as usize, across);
        assert_eq!(plane.origin_mm[2], z_top, "the head at the top");
        for interpolation in [Interpolation::Nearest, Interpolation::Trilinear] {
            let samples = reformat(&volume, &plane, interpolation, None);
            let linear = interpolation == Interpolation::Trilinear;
            let mut compared = 0;
            for r in 0..plane.rows as usize {
                let t = r as f64 * plane.spacing_mm[0] / step_mm;
                for c in 0..plane.columns as usize {
                    let (x, y) = match orientation {
                        Orientation::Coronal => (c, fixed),
                        _ => (fixed, c),
                    };
                    let got = samples[r * plane.columns as usize + c];
                    match at(x, y, t, linear) {
                        Some(expected) => {
                            let Sample::Value(v) = got else {
                                panic!("{orientation:?} ({r}, {c}): {got:?}")
                            };
                            assert!(
                                (v - expected).abs() <= 1,
                                "{orientation:?} {interpolation:?} ({r}, {c}): {v} ≠ {expected}"
                            );
                            compared += 1;
                        }
                        None => assert_ne!(got, Sample::Missing),
                    }
                }
            }
            assert!(compared > 50_000, "{compared} samples compared");
        }
    }
}

#[test]
fn an_axial_slab_mip_of_the_real_ct_is_the_maximum_of_its_slices() {
    let slices = read_ct();
    let volume = volume_of(&slices);
    let first = &slices[0].geometry;
    let step_mm = first.position_mm[2] - slices[1].geometry.position_mm[2];
    // Centred on slice 30: a 4-step slab spans slices 28 to 32.
    let z = slices[30].geometry.position_mm[2];
    let plane = standard_plane(&volume.geometry, Orientation::Axial, z).expect("a plane");
    let slab = Slab {
        thickness_mm: 4.0 * step_mm,
        mode: SlabMode::Maximum,
    };
    let samples = reformat(&volume, &plane, Interpolation::Nearest, Some(slab));
    let columns = first.columns as usize;
    for (y, x) in [(256, 256), (100, 300), (400, 120), (0, 0), (300, 200)] {
        let expected = (28..=32)
            .map(|k| slices[k].values[y * columns + x])
            .max()
            .expect("five slices");
        assert_eq!(
            samples[y * plane.columns as usize + x],
            Sample::Value(expected),
            "({x}, {y})"
        );
    }
}

/// The CLI reformats the folder with the same code: its JSON line gives the plane's geometry
/// and its raw file the library's samples; a folder that makes no volume says why.
#[test]
fn the_cli_writes_the_librarys_coronal_reformat_and_its_geometry() {
    let slices = read_ct();
    let volume = volume_of(&slices);
    let y = slices[0].geometry.position_mm[1] + 300.0 * slices[0].geometry.spacing_mm[0];
    let plane = standard_plane(&volume.geometry, Orientation::Coronal, y).expect("a plane");
    let expected = reformat(&volume, &plane, Interpolation::Trilinear, None);
    let out = std::env::temp_dir().join(format!("reformat-{}.raw", std::process::id()));
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_dicom-reformat"))
        .arg(shared().join("ct-series/explicit-vr-le"))
        .args([
            "--plane",
            "coronal",
            "--position-mm",
            &y.to_string(),
            "--trilinear",
            "--raw",
        ])
        .arg(&out)
        .output()
        .expect("the CLI runs");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let line: serde_json::Value = serde_json::from_slice(&run.stdout).expect("one JSON line");
    assert_eq!(line["rows"], plane.rows);
    assert_eq!(line["columns"], plane.columns);
    assert_eq!(
        line["column_direction"],
        serde_json::json!([0.0, 0.0, -1.0])
    );
    assert_eq!(line["missing"], 0);
    let origin: Vec<f64> = serde_json::from_value(line["origin"].clone()).expect("origin");
    assert!(origin
        .iter()
        .zip(plane.origin_mm)
        .all(|(a, b)| (a - b).abs() < 1e-9));
    let bytes = std::fs::read(&out).expect("the raw file");
    let _ = std::fs::remove_file(&out);
    let written: Vec<i32> = bytes
        .chunks_exact(4)
        .map(|b| i32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    let expected: Vec<i32> = expected
        .iter()
        .map(|s| match s {
            Sample::Value(v) => *v,
            _ => i32::MIN,
        })
        .collect();
    assert_eq!(written, expected);

    // A folder of one slice makes no volume.
    let single = std::env::temp_dir().join(format!("reformat-one-{}", std::process::id()));
    std::fs::create_dir_all(&single).expect("a folder");
    std::fs::copy(
        shared().join("ct-series/explicit-vr-le/CT0001.dcm"),
        single.join("CT0001.dcm"),
    )
    .expect("copied");
    let refused = std::process::Command::new(env!("CARGO_BIN_EXE_dicom-reformat"))
        .arg(&single)
        .args(["--plane", "axial", "--position-mm", "0", "--raw"])
        .arg(single.join("out.raw"))
        .output()
        .expect("the CLI runs");
    let _ = std::fs::remove_dir_all(&single);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("at least two slices"));
}
