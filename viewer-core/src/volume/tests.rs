use super::*;

const AXIAL: [f64; 6] = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0];

/// An axial slice at height `z_mm`, shifted by `y_shift_mm` (a tilted gantry's shift).
fn axial(z_mm: f64, y_shift_mm: f64) -> SliceGeometry {
    SliceGeometry {
        position_mm: [-100.0, -120.0 + y_shift_mm, z_mm],
        orientation: AXIAL,
        rows: 4,
        columns: 5,
        spacing_mm: [0.8, 0.7],
    }
}

#[test]
fn a_regular_stack_in_any_order_is_set_on_slots_along_the_normal() {
    let slices: Vec<SliceGeometry> = [10.0, 0.0, 5.0, 15.0].map(|z| axial(z, 0.0)).to_vec();
    let g = VolumeGeometry::from_slices(&slices).expect("a volume");
    assert_eq!(g.sources, vec![Some(1), Some(2), Some(0), Some(3)]);
    assert_eq!(g.origin_mm, [-100.0, -120.0, 0.0]);
    assert!((g.step_mm() - 5.0).abs() < 1e-9);
    assert!(g.tilt_degrees().abs() < 1e-9);
    // Voxel (2, 3, 1): 2 columns right (x), 3 rows down (y), one slot up (z).
    let p = g.patient_from_voxel([2.0, 3.0, 1.0]);
    assert!((p[0] - (-100.0 + 1.4)).abs() < 1e-9 && (p[1] - (-120.0 + 2.4)).abs() < 1e-9);
    assert!((p[2] - 5.0).abs() < 1e-9);
    let back = g.voxel_from_patient(p);
    assert!(back
        .iter()
        .zip([2.0, 3.0, 1.0])
        .all(|(a, b)| (a - b).abs() < 1e-9));
}

#[test]
fn a_missing_slice_leaves_its_slot_empty() {
    let slices: Vec<SliceGeometry> = [0.0, 2.5, 7.5, 10.0].map(|z| axial(z, 0.0)).to_vec();
    let g = VolumeGeometry::from_slices(&slices).expect("a volume");
    assert_eq!(g.sources, vec![Some(0), Some(1), None, Some(2), Some(3)]);
}

#[test]
fn spacing_within_the_tolerance_is_regular_and_beyond_it_is_refused() {
    let jitter: Vec<SliceGeometry> = [0.0, 5.02, 9.99, 15.0].map(|z| axial(z, 0.0)).to_vec();
    assert!(VolumeGeometry::from_slices(&jitter).is_ok());
    let uneven: Vec<SliceGeometry> = [0.0, 5.0, 11.0, 15.0].map(|z| axial(z, 0.0)).to_vec();
    assert_eq!(
        VolumeGeometry::from_slices(&uneven),
        Err(VolumeRefusal::UnevenSpacing {
            min_mm: 4.0,
            max_mm: 6.0
        })
    );
}

#[test]
fn a_tilted_gantry_shears_the_grid_and_keeps_every_point_exact() {
    // 1 mm of shift along y per 5 mm step: atan(1/5) = 11.31°.
    let slices: Vec<SliceGeometry> = (0..6).map(|k| axial(5.0 * k as f64, k as f64)).collect();
    let g = VolumeGeometry::from_slices(&slices).expect("a volume");
    assert!(
        (g.tilt_degrees() - 11.3099).abs() < 1e-3,
        "{}",
        g.tilt_degrees()
    );
    // Every slice's first pixel is where its file says.
    for (k, s) in slices.iter().enumerate() {
        let p = g.patient_from_voxel([0.0, 0.0, k as f64]);
        assert!(p
            .iter()
            .zip(s.position_mm)
            .all(|(a, b)| (a - b).abs() < 1e-9));
    }
    let point = [-97.3, -116.1, 12.2];
    let back = g.patient_from_voxel(g.voxel_from_patient(point));
    assert!(back.iter().zip(point).all(|(a, b)| (a - b).abs() < 1e-9));
}

#[test]
fn stacks_that_make_no_volume_say_why() {
    let one = [axial(0.0, 0.0)];
    assert_eq!(
        VolumeGeometry::from_slices(&one),
        Err(VolumeRefusal::TooFewSlices)
    );
    let mut turned = axial(5.0, 0.0);
    turned.orientation = [1.0, 0.0, 0.0, 0.0, 0.0, -1.0];
    assert_eq!(
        VolumeGeometry::from_slices(&[axial(0.0, 0.0), turned]),
        Err(VolumeRefusal::MixedOrientation)
    );
    let mut bigger = axial(5.0, 0.0);
    bigger.rows = 8;
    assert_eq!(
        VolumeGeometry::from_slices(&[axial(0.0, 0.0), bigger]),
        Err(VolumeRefusal::MixedSize)
    );
    let mut finer = axial(5.0, 0.0);
    finer.spacing_mm = [0.5, 0.5];
    assert_eq!(
        VolumeGeometry::from_slices(&[axial(0.0, 0.0), finer]),
        Err(VolumeRefusal::MixedSpacing)
    );
    assert_eq!(
        VolumeGeometry::from_slices(&[axial(0.0, 0.0), axial(0.0, 0.0), axial(5.0, 0.0)]),
        Err(VolumeRefusal::SamePosition)
    );
    // Shifted one way then back: not on one line.
    let zigzag = [axial(0.0, 0.0), axial(5.0, 3.0), axial(10.0, 0.0)];
    assert_eq!(
        VolumeGeometry::from_slices(&zigzag),
        Err(VolumeRefusal::NotAStack)
    );
    let mut huge = axial(0.0, 0.0);
    (huge.rows, huge.columns) = (65_535, 65_535);
    let mut huge_top = huge.clone();
    huge_top.position_mm[2] = 5.0;
    assert!(matches!(
        VolumeGeometry::from_slices(&[huge, huge_top]),
        Err(VolumeRefusal::TooLarge { .. })
    ));
}
