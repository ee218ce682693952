use super::*;
use crate::volume::SliceGeometry;

const AXIAL: [f64; 6] = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0];

/// 21 axial slices 2.5 mm apart, 40 × 30 pixels of 0.5 mm, first pixel at (-10, -5, 50).
fn geometry() -> VolumeGeometry {
    let slices: Vec<SliceGeometry> = (0..21)
        .map(|k| SliceGeometry {
            position_mm: [-10.0, -5.0, 50.0 + 2.5 * f64::from(k)],
            orientation: AXIAL,
            rows: 30,
            columns: 40,
            spacing_mm: [0.5, 0.5],
        })
        .collect();
    VolumeGeometry::from_slices(&slices).expect("a volume")
}

fn close(a: [f64; 3], b: [f64; 3]) -> bool {
    (0..3).all(|i| (a[i] - b[i]).abs() < 1e-9)
}

#[test]
fn the_crosshairs_start_at_the_volume_centre_on_the_standard_planes() {
    let g = geometry();
    let c = Crosshairs::centred(&g);
    assert!(close(c.centre_mm, [-10.0 + 9.75, -5.0 + 7.25, 75.0]));
    assert!(!c.is_oblique());
    assert!(close(c.normal(0), [0.0, 0.0, 1.0]), "axial normal is H");
    // A normal points into the screen, away from the reader.
    assert!(
        close(c.normal(1), [0.0, 1.0, 0.0]),
        "coronal looks from the front"
    );
    assert!(
        close(c.normal(2), [-1.0, 0.0, 0.0]),
        "sagittal looks from the left"
    );
    // Each plane passes through the centre.
    for view in 0..3 {
        let plane = c.plane(&g, view).expect("a plane");
        let d: [f64; 3] = std::array::from_fn(|i| c.centre_mm[i] - plane.origin_mm[i]);
        assert!(dot(d, c.normal(view)).abs() < 1e-9, "view {view}");
    }
}

#[test]
fn other_planes_cross_a_view_as_lines_through_the_centre() {
    let g = geometry();
    let c = Crosshairs::centred(&g);
    let axial = c.plane(&g, 0).expect("plane of the volume");
    let coronal_line = c.line_in(0, 1, &axial).expect("the planes cross");
    let sagittal_line = c.line_in(0, 2, &axial).expect("the planes cross");
    assert!(
        coronal_line.direction[1].abs() < 1e-9,
        "coronal is a row of the axial"
    );
    assert!(
        sagittal_line.direction[0].abs() < 1e-9,
        "sagittal is a column"
    );
    // The centre is pixel (19.5, 14.5) of the axial plane: its centre at (20, 15).
    assert!((coronal_line.through_px[0] - 20.0).abs() < 1e-9);
    assert!((coronal_line.through_px[1] - 15.0).abs() < 1e-9);
    assert_eq!(
        c.line_in(0, 0, &axial),
        None,
        "a plane does not cross itself"
    );
}

#[test]
fn scrolling_moves_one_sample_along_the_view_normal_and_stops_at_the_edge() {
    let g = geometry();
    let mut c = Crosshairs::centred(&g);
    let start = c.centre_mm;
    c.scroll(&g, 0, 2.0);
    assert!(
        close(c.centre_mm, [start[0], start[1], start[2] + 5.0]),
        "two slices up"
    );
    c.scroll(&g, 1, 1.0);
    assert!(
        close(c.centre_mm, [start[0], start[1] + 0.5, start[2] + 5.0]),
        "one row back"
    );
    c.scroll(&g, 0, 1000.0);
    assert!(
        (c.centre_mm[2] - 100.0).abs() < 1e-9,
        "kept on the last slice"
    );
    c.move_to(&g, [f64::NAN, 0.0, 0.0]);
    assert!(
        (c.centre_mm[2] - 100.0).abs() < 1e-9,
        "a point that is not one is ignored"
    );
}

#[test]
fn rotating_in_one_view_turns_the_other_two_planes_about_its_normal() {
    let g = geometry();
    let mut c = Crosshairs::centred(&g);
    let angle = 30f64.to_radians();
    c.rotate(0, angle);
    assert!(c.is_oblique());
    assert!(close(c.normal(0), [0.0, 0.0, 1.0]), "the axial plane stays");
    // The coronal normal (0, 1, 0) turned 30° about H.
    let expected = [-angle.sin(), angle.cos(), 0.0];
    assert!(close(c.normal(1), expected), "{:?}", c.normal(1));
    // The planes stay perpendicular.
    for (a, b) in [(0, 1), (0, 2), (1, 2)] {
        assert!(dot(c.normal(a), c.normal(b)).abs() < 1e-9);
    }
    // On the axial image the coronal line turned by the same angle, clockwise.
    let axial = c.plane(&g, 0).expect("plane of the volume");
    let line = c.line_in(0, 1, &axial).expect("the planes cross");
    let turned = line.direction[1].atan2(line.direction[0]);
    let turned = if turned < 0.0 {
        turned + std::f64::consts::PI
    } else {
        turned
    };
    assert!((turned - angle).abs() < 1e-9, "{turned}");
    c.rotate(0, -angle);
    let standard = Crosshairs::centred(&g);
    assert!(
        (0..3).all(|v| close(c.normal(v), standard.normal(v))),
        "turned back"
    );
}

#[test]
fn image_points_and_patient_points_map_both_ways_and_lengths_are_in_mm() {
    let g = geometry();
    let c = Crosshairs::centred(&g);
    let coronal = c.plane(&g, 1).expect("plane of the volume");
    let p = [-3.0, c.centre_mm[1], 60.0];
    let px = image_px_of(&coronal, p);
    assert!(close(point_at(&coronal, px), p));
    // 10 mm along z on the coronal image.
    let q = [-3.0, c.centre_mm[1], 70.0];
    assert!((distance_mm(&coronal, px, image_px_of(&coronal, q)) - 10.0).abs() < 1e-9);
    // Coronal rows go down towards the feet.
    assert!(image_px_of(&coronal, q)[1] < px[1]);
}

#[test]
fn missing_samples_are_merged_into_bands() {
    let m = Sample::Missing;
    let v = Sample::Value(1);
    let samples = [v, m, m, v, v, m, m, v, v, v, v, v, m, m, m, m];
    let bands = missing_bands(&samples, 4);
    assert_eq!(
        bands,
        [
            Band {
                x: 1,
                y: 0,
                width: 2,
                height: 2
            },
            Band {
                x: 0,
                y: 3,
                width: 4,
                height: 1
            }
        ]
    );
    assert!(missing_bands(&samples, 0).is_empty());
    // A checkerboard of missing samples is capped.
    let checker: Vec<Sample> = (0..200 * 200)
        .map(|i| if (i / 200 + i % 200) % 2 == 0 { m } else { v })
        .collect();
    assert_eq!(missing_bands(&checker, 200).len(), MAX_BANDS);
}

#[test]
fn texture_values_fill_what_has_no_value_and_the_range_skips_it() {
    let samples = [
        Sample::Value(-5),
        Sample::Missing,
        Sample::Outside,
        Sample::Value(40),
    ];
    assert_eq!(
        texture_values(&samples, i32::MIN),
        [-5, i32::MIN, i32::MIN, 40]
    );
    assert_eq!(value_range(&samples), Some((-5, 40)));
    assert_eq!(value_range(&[Sample::Outside]), None);
}

#[test]
fn spacing_along_an_axis_is_that_axis_spacing() {
    let g = geometry();
    assert!((spacing_along(&g, [0.0, 0.0, 1.0]) - 2.5).abs() < 1e-9);
    assert!((spacing_along(&g, [1.0, 0.0, 0.0]) - 0.5).abs() < 1e-9);
    let diagonal = [0.0, 0.5f64.sqrt(), 0.5f64.sqrt()];
    let s = spacing_along(&g, diagonal);
    assert!(s > 0.5 && s < 2.5);
}
