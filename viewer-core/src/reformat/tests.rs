use super::*;
use crate::volume::SliceGeometry;

const AXIAL: [f64; 6] = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0];

/// An axial stack of `slots` slices (`columns` × `rows`, spacing `spacing` in-plane, `step`
/// between slices, `shift` mm along y per slice for a tilted gantry) whose voxels hold
/// `value(patient point)`; the slots in `absent` left missing.
fn volume(
    (columns, rows, slots): (u32, u32, usize),
    (spacing, step, shift): (f64, f64, f64),
    absent: &[usize],
    value: impl Fn([f64; 3]) -> i32,
) -> Volume {
    let origin = [-20.0, -30.0, 100.0];
    let slices: Vec<SliceGeometry> = (0..slots)
        .map(|k| SliceGeometry {
            position_mm: [
                origin[0],
                origin[1] + shift * k as f64,
                origin[2] + step * k as f64,
            ],
            orientation: AXIAL,
            rows,
            columns,
            spacing_mm: [spacing, spacing],
        })
        .collect();
    let geometry = VolumeGeometry::from_slices(&slices).expect("a volume");
    let mut v = Volume::new(geometry).expect("within bounds");
    for (k, s) in slices.iter().enumerate() {
        if absent.contains(&k) {
            continue;
        }
        // The test's own mapping of a pixel to its patient point, from the slice's position.
        let values: Vec<i32> = (0..rows)
            .flat_map(|y| (0..columns).map(move |x| (x, y)))
            .map(|(x, y)| {
                value([
                    s.position_mm[0] + f64::from(x) * spacing,
                    s.position_mm[1] + f64::from(y) * spacing,
                    s.position_mm[2],
                ])
            })
            .collect();
        v.put(k, &values).expect("a slice");
    }
    v
}

fn value_of(s: Sample) -> i32 {
    match s {
        Sample::Value(v) => v,
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_coronal_plane_is_the_volume_read_sideways_head_up() {
    let code = |p: [f64; 3]| (p[0] * 10.0 + p[1] * 1000.0 + p[2] * 100_000.0).round() as i32;
    let v = volume((6, 5, 4), (1.0, 1.0, 0.0), &[], code);
    // y = -28: the volume's third row of pixels.
    let plane = standard_plane(&v.geometry, Orientation::Coronal, -28.0).expect("a plane");
    assert_eq!((plane.columns, plane.rows), (6, 4));
    assert_eq!(
        plane.origin_mm,
        [-20.0, -28.0, 103.0],
        "first sample: right, head end"
    );
    assert_eq!(plane.column_direction, [0.0, 0.0, -1.0]);
    let samples = reformat(&v, &plane, Interpolation::Nearest, None);
    for row in 0..4 {
        for column in 0..6 {
            let expected = code([-20.0 + column as f64, -28.0, 103.0 - row as f64]);
            assert_eq!(
                value_of(samples[row * 6 + column]),
                expected,
                "({row}, {column})"
            );
        }
    }
}

#[test]
fn a_sagittal_plane_has_anterior_on_the_left_and_the_head_up() {
    let code = |p: [f64; 3]| (p[1] * 10.0 + p[2] * 1000.0).round() as i32;
    let v = volume((3, 5, 4), (1.0, 2.0, 0.0), &[], code);
    let plane = standard_plane(&v.geometry, Orientation::Sagittal, -19.0).expect("a plane");
    assert_eq!(plane.row_direction, [0.0, 1.0, 0.0]);
    // 5 samples across y (1 mm), and 6 mm of z at 1 mm: 7 rows.
    assert_eq!((plane.columns, plane.rows), (5, 7));
    let samples = reformat(&v, &plane, Interpolation::Trilinear, None);
    // A linear field is reproduced exactly by trilinear interpolation.
    for row in 0..7 {
        for column in 0..5 {
            let expected = code([-19.0, -30.0 + column as f64, 106.0 - row as f64]);
            assert_eq!(
                value_of(samples[row * 5 + column]),
                expected,
                "({row}, {column})"
            );
        }
    }
}

#[test]
fn an_oblique_plane_through_a_tilted_stack_samples_the_field_where_it_is() {
    let field = |p: [f64; 3]| (3.0 * p[0] - 2.0 * p[1] + 5.0 * p[2]).round() as i32;
    // 2 mm of shift per 4 mm step: a 26.6° tilt.
    let v = volume((20, 20, 8), (1.0, 4.0, 2.0), &[], field);
    assert!(v.geometry.tilt_degrees() > 26.0);
    let s = std::f64::consts::FRAC_1_SQRT_2;
    let (row, column) = ([s, s, 0.0], [0.0, 0.0, -1.0]);
    let plane =
        plane_through(&v.geometry, row, column, [-12.0, -22.0, 110.0], Some(0.5)).expect("a plane");
    let samples = reformat(&v, &plane, Interpolation::Trilinear, None);
    let mut checked = 0;
    for r in 0..plane.rows {
        for c in 0..plane.columns {
            if let Sample::Value(got) = samples[(r * plane.columns + c) as usize] {
                let p = plane.point_mm(f64::from(r), f64::from(c));
                assert!((got - field(p)).abs() <= 1, "{got} at {p:?}");
                checked += 1;
            }
        }
    }
    assert!(checked > 100, "{checked} samples inside");
}

#[test]
fn samples_beside_a_missing_slice_are_missing_not_interpolated() {
    let v = volume((4, 4, 5), (1.0, 1.0, 0.0), &[2], |_| 7);
    let plane = standard_plane(&v.geometry, Orientation::Coronal, -29.0).expect("a plane");
    let samples = reformat(&v, &plane, Interpolation::Trilinear, None);
    // Rows run from the head (slot 4) down: row 2 is slot 2.
    for row in 0..5 {
        let expected = if row == 2 {
            Sample::Missing
        } else {
            Sample::Value(7)
        };
        assert_eq!(samples[row * 4], expected, "row {row}");
    }
    assert!(!v.is_complete());
    // A quarter of the way from slot 1 to slot 2: missing too.
    let z = v.geometry.patient_from_voxel([0.0, 0.0, 1.25])[2];
    let axial = standard_plane(&v.geometry, Orientation::Axial, z).expect("a plane");
    let between = reformat(&v, &axial, Interpolation::Trilinear, None);
    assert!(between.iter().all(|s| *s == Sample::Missing));
    let nearest = reformat(&v, &axial, Interpolation::Nearest, None);
    assert!(
        nearest.iter().all(|s| *s == Sample::Value(7)),
        "rounds to slot 1"
    );
}

#[test]
fn slabs_take_the_maximum_minimum_and_average_of_a_sphere() {
    // A 4 mm sphere of 1000 in a 0 background, centred in a 21³ mm volume.
    let centre = [-10.0, -20.0, 110.0];
    let sphere = |p: [f64; 3]| {
        let d2: f64 = (0..3).map(|i| (p[i] - centre[i]).powi(2)).sum();
        if d2 <= 16.0 {
            1000
        } else {
            0
        }
    };
    let v = volume((21, 21, 21), (1.0, 1.0, 0.0), &[], sphere);
    let plane = standard_plane(&v.geometry, Orientation::Axial, centre[2]).expect("a plane");
    let at = |samples: &[Sample], x: f64, y: f64| {
        let (c, r) = (
            (x - plane.origin_mm[0]) as usize,
            (y - plane.origin_mm[1]) as usize,
        );
        value_of(samples[r * plane.columns as usize + c])
    };
    let whole = |mode| {
        reformat(
            &v,
            &plane,
            Interpolation::Nearest,
            Some(Slab {
                thickness_mm: 20.0,
                mode,
            }),
        )
    };
    let mip = whole(SlabMode::Maximum);
    // The projection of a ball is its disc: inside radius 4 mm, 1000; outside, 0.
    assert_eq!(at(&mip, centre[0] + 3.0, centre[1] + 2.0), 1000);
    assert_eq!(at(&mip, centre[0] + 4.0, centre[1] + 1.0), 0);
    let minip = whole(SlabMode::Minimum);
    assert_eq!(at(&minip, centre[0], centre[1]), 0);
    // Through the centre the ball spans z ± 4 mm: 9 of the 21 samples (1 mm apart) are 1000.
    let average = whole(SlabMode::Average);
    assert_eq!(
        at(&average, centre[0], centre[1]),
        (9000.0_f64 / 21.0).round() as i32
    );
    // A thin plane through the centre is the disc itself.
    let thin = reformat(&v, &plane, Interpolation::Nearest, None);
    assert_eq!(at(&thin, centre[0] + 4.0, centre[1]), 1000);
    assert_eq!(at(&thin, centre[0] + 3.0, centre[1] + 3.0), 0);
}

#[test]
fn slices_are_put_by_slot_with_their_size_checked() {
    let mut v = volume((2, 2, 3), (1.0, 1.0, 0.0), &[0, 1, 2], |_| 0);
    assert_eq!(v.put(3, &[0; 4]), Err(VolumeError::NoSuchSlot(3)));
    assert_eq!(
        v.put(0, &[0; 3]),
        Err(VolumeError::WrongSize {
            got: 3,
            expected: 4
        })
    );
    assert!(v.put(1, &[5; 4]).is_ok());
    assert!(!v.is_complete());
    assert_eq!((v.filled(), v.holds(1), v.holds(0)), (1, true, false));
}

#[test]
fn voxels_take_16_bits_until_a_value_needs_32_and_keep_what_came_before() {
    let mut v = volume((2, 2, 3), (1.0, 1.0, 0.0), &[0, 1, 2], |_| 0);
    assert_eq!(v.bytes(), 2 * 12);
    v.put(0, &[-1024, 3071, i32::from(i16::MIN), i32::from(i16::MAX)])
        .expect("a slice of the right size is taken");
    assert_eq!(v.bytes(), 2 * 12, "Hounsfield units fit in 16 bits");
    v.put(2, &[70_000, -70_000, 0, 1])
        .expect("a slice of the right size is taken");
    assert_eq!(v.bytes(), 4 * 12);
    let plane = standard_plane(&v.geometry, Orientation::Axial, 100.0).expect("plane inside");
    let first = reformat(&v, &plane, Interpolation::Nearest, None);
    assert_eq!(
        first.iter().map(|s| value_of(*s)).collect::<Vec<_>>(),
        [-1024, 3071, i32::from(i16::MIN), i32::from(i16::MAX)],
        "the first slice is kept through the widening"
    );
    let last = standard_plane(&v.geometry, Orientation::Axial, 102.0).expect("plane inside");
    let last = reformat(&v, &last, Interpolation::Nearest, None);
    assert_eq!(value_of(last[0]), 70_000);
}

#[test]
fn planes_and_slabs_out_of_all_proportion_are_bounded() {
    let v = volume((4, 4, 3), (1.0, 1.0, 0.0), &[], |_| 1);
    let (row, column) = Orientation::Axial.directions();
    let centre = v.geometry.patient_from_voxel([1.5, 1.5, 1.0]);
    for spacing in [1e-7, 0.0, -1.0, f64::NAN, f64::INFINITY] {
        assert_eq!(
            plane_through(&v.geometry, row, column, centre, Some(spacing)),
            None,
            "{spacing}"
        );
    }
    let plane = plane_through(&v.geometry, row, column, centre, None).expect("a plane");
    // The far edge is reached: 3 mm at 1 mm is 4 samples.
    assert_eq!((plane.columns, plane.rows), (4, 4));
    for thickness in [f64::INFINITY, 1e12, f64::NAN] {
        let slab = Slab {
            thickness_mm: thickness,
            mode: SlabMode::Maximum,
        };
        let samples = reformat(&v, &plane, Interpolation::Nearest, Some(slab));
        assert!(
            samples.iter().all(|s| *s == Sample::Value(1)),
            "{thickness}"
        );
    }
    let mut huge = v.geometry.clone();
    (huge.rows, huge.columns) = (u32::MAX, u32::MAX);
    assert!(matches!(Volume::new(huge), Err(VolumeError::TooLarge)));
}
