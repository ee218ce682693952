use super::*;
use crate::reformat::Interpolation;
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

/// The field the region tests fill the volume with: integer in every voxel of `geometry()`.
fn field(p: [f64; 3]) -> i32 {
    (10.0 * p[0] + 2.0 * p[1] + p[2]).round() as i32
}

/// `geometry()` filled with `field`, the slots in `absent` left missing.
fn field_volume(absent: &[usize]) -> crate::reformat::Volume {
    let g = geometry();
    let mut volume = crate::reformat::Volume::new(g.clone()).expect("a small volume");
    for k in (0..21).filter(|k| !absent.contains(k)) {
        let values: Vec<i32> = (0..30)
            .flat_map(|row| (0..40).map(move |column| (row, column)))
            .map(|(row, column)| {
                field([
                    -10.0 + 0.5 * f64::from(column),
                    -5.0 + 0.5 * f64::from(row),
                    50.0 + 2.5 * k as f64,
                ])
            })
            .collect();
        volume
            .put(k, &values)
            .expect("a slice of the volume's size");
    }
    volume
}

/// The sample centres of `plane` inside the ellipse inscribed in the box `corners`, tested
/// one by one against the ellipse's equation.
fn centres_inside(plane: &Plane, corners: [[f64; 2]; 2]) -> Vec<[f64; 2]> {
    let [a, b] = corners;
    let (cx, cy) = ((a[0] + b[0]) / 2.0, (a[1] + b[1]) / 2.0);
    let (rx, ry) = ((b[0] - a[0]).abs() / 2.0, (b[1] - a[1]).abs() / 2.0);
    (0..plane.rows)
        .flat_map(|r| (0..plane.columns).map(move |col| (r, col)))
        .map(|(r, col)| [f64::from(col) + 0.5, f64::from(r) + 0.5])
        .filter(|p| ((p[0] - cx) / rx).powi(2) + ((p[1] - cy) / ry).powi(2) <= 1.0)
        .collect()
}

#[test]
fn an_ellipse_on_a_reformat_measures_the_samples_inside_it_and_its_area() {
    let volume = field_volume(&[]);
    let c = Crosshairs::centred(&volume.geometry);
    let axial = c.plane(&volume.geometry, 0).expect("plane of the volume");
    let corners = [[10.0, 10.0], [21.0, 19.0]];
    let measured = ellipse_stats(&volume, &axial, corners, Interpolation::Nearest, None)
        .expect("a region inside the plane");
    let stats = measured.stats.expect("values inside");
    let inside: Vec<f64> = centres_inside(&axial, corners)
        .into_iter()
        .map(|p| f64::from(field(point_at(&axial, p))))
        .collect();
    assert_eq!(stats.pixels, inside.len());
    let mean = inside.iter().sum::<f64>() / inside.len() as f64;
    assert!((stats.mean - mean).abs() < 1e-9, "{} vs {mean}", stats.mean);
    let low = inside.iter().copied().fold(f64::INFINITY, f64::min);
    let high = inside.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    assert_eq!((stats.min, stats.max), (low, high));
    // A linear field over a region symmetric about a sample centre: the mean is that sample.
    let centre = f64::from(field(point_at(&axial, [15.5, 14.5])));
    assert!((stats.mean - centre).abs() < 1e-9);
    assert_eq!(measured.missing, 0);
    let area = std::f64::consts::PI * (11.0 * 0.5) * (9.0 * 0.5) / 4.0;
    assert!((measured.area_mm2 - area).abs() < 1e-9);
}

#[test]
fn an_ellipse_over_missing_slices_counts_them_and_measures_the_rest() {
    let volume = field_volume(&[9, 10, 11]);
    let c = Crosshairs::centred(&volume.geometry);
    let coronal = c.plane(&volume.geometry, 1).expect("plane of the volume");
    // A box across the whole height: the rows of slots 9 to 11 have no value.
    let corners = [[5.0, 0.0], [35.0, f64::from(coronal.rows)]];
    let measured = ellipse_stats(&volume, &coronal, corners, Interpolation::Nearest, None)
        .expect("a region inside the plane");
    let stats = measured.stats.expect("values inside");
    let inside = centres_inside(&coronal, corners).len();
    assert!(measured.missing > 0);
    assert_eq!(stats.pixels + measured.missing, inside);
    let axial = c.plane(&volume.geometry, 0).expect("plane of the volume");
    let whole = [[0.0, 0.0], [40.0, 30.0]];
    let empty = ellipse_stats(&volume, &axial, whole, Interpolation::Nearest, None)
        .expect("a region inside the plane");
    assert_eq!(
        empty.stats, None,
        "the axial plane through a missing slot has no value"
    );
    assert_eq!(empty.missing, centres_inside(&axial, whole).len());
}

#[test]
fn an_ellipse_outside_the_plane_or_too_large_measures_nothing() {
    let volume = field_volume(&[]);
    let axial = Crosshairs::centred(&volume.geometry)
        .plane(&volume.geometry, 0)
        .expect("plane of the volume");
    let outside = [[-9.0, -9.0], [-2.0, -2.0]];
    let none = ellipse_stats(&volume, &axial, outside, Interpolation::Nearest, None);
    assert_eq!(none, None);
    let mut huge = axial.clone();
    (huge.rows, huge.columns) = (5000, 5000);
    let box_px = [[0.0, 0.0], [4000.0, 4000.0]];
    let too_large = ellipse_stats(&volume, &huge, box_px, Interpolation::Nearest, None);
    assert_eq!(too_large, None);
}
