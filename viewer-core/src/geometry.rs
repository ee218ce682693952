//! Ordering a stack of slices in patient space (LPS, millimetres).

/// What the stack order needs to know about one slice.
#[derive(Debug, Clone, PartialEq)]
pub struct SlicePlacement {
    /// Image Position (Patient): the centre of the first pixel, in mm.
    pub position_mm: Option<[f64; 3]>,
    /// Image Orientation (Patient): row then column direction cosines.
    pub orientation: Option<[f64; 6]>,
    pub instance_number: Option<i64>,
}

/// The slice normal (row × column) of an orientation.
pub fn slice_normal(orientation: &[f64; 6]) -> [f64; 3] {
    let [rx, ry, rz, cx, cy, cz] = *orientation;
    [ry * cz - rz * cy, rz * cx - rx * cz, rx * cy - ry * cx]
}

/// The direction a stack is read in, as the PACS consoles do: an axial stack from the head
/// down (superior first), a sagittal one from the patient's right to left, a coronal one from
/// front to back. It is the slice normal, or its opposite, whichever points that way along the
/// patient axis the normal is closest to (LPS: +x left, +y posterior, +z superior). An oblique
/// stack follows its nearest axis; a normal exactly between two axes takes the first of z, x, y.
pub fn reading_direction(normal: [f64; 3]) -> [f64; 3] {
    let [x, y, z] = normal.map(f64::abs);
    // The wanted sign of the component along the dominant axis.
    let (component, wanted) = if z >= x && z >= y {
        (normal[2], -1.0)
    } else if x >= y {
        (normal[0], 1.0)
    } else {
        (normal[1], 1.0)
    };
    if component * wanted < 0.0 {
        normal.map(|v| -v)
    } else {
        normal
    }
}

/// Returns the indices of `slices` in display order: by position along the reading direction
/// of the first oriented slice's normal ([`reading_direction`]: head first for an axial stack)
/// when every slice has a position, otherwise by Instance Number; ties keep their original
/// order.
pub fn stack_order(slices: &[SlicePlacement]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..slices.len()).collect();
    let normal = slices
        .iter()
        .find_map(|s| s.orientation)
        .map(|o| reading_direction(slice_normal(&o)));
    let all_placed = slices.iter().all(|s| s.position_mm.is_some());
    let distance = |s: &SlicePlacement| -> Option<f64> {
        let n = normal?;
        let p = s.position_mm?;
        Some(p[0] * n[0] + p[1] * n[1] + p[2] * n[2])
    };
    order.sort_by(|&a, &b| {
        let (sa, sb) = (&slices[a], &slices[b]);
        let by_position = if all_placed {
            match (distance(sa), distance(sb)) {
                (Some(da), Some(db)) => da.total_cmp(&db),
                _ => std::cmp::Ordering::Equal,
            }
        } else {
            std::cmp::Ordering::Equal
        };
        by_position.then_with(|| {
            sa.instance_number
                .unwrap_or(i64::MAX)
                .cmp(&sb.instance_number.unwrap_or(i64::MAX))
        })
    });
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    const AXIAL: [f64; 6] = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0];

    fn at(z: f64, n: i64) -> SlicePlacement {
        SlicePlacement {
            position_mm: Some([-170.5, -324.5, z]),
            orientation: Some(AXIAL),
            instance_number: Some(n),
        }
    }

    #[test]
    fn axial_normal_points_to_head() {
        assert_eq!(slice_normal(&AXIAL), [0.0, 0.0, 1.0]);
    }

    #[test]
    fn an_axial_stack_reads_head_first_then_by_instance_number() {
        // Uploaded out of order, and instance numbers disagree with positions.
        let slices = [at(-350.0, 1), at(-360.0, 3), at(-355.0, 2), at(-355.0, 1)];
        assert_eq!(stack_order(&slices), vec![0, 3, 2, 1]);
    }

    #[test]
    fn each_axis_reads_the_way_the_consoles_do() {
        // Axial, normal to the feet (rows flipped): still head first.
        assert_eq!(reading_direction([0.0, 0.0, -1.0]), [0.0, 0.0, -1.0]);
        assert_eq!(reading_direction([0.0, 0.0, 1.0]), [0.0, 0.0, -1.0]);
        // Sagittal: right to left (+x); coronal: front to back (+y).
        assert_eq!(reading_direction([-1.0, 0.0, 0.0]), [1.0, 0.0, 0.0]);
        assert_eq!(reading_direction([0.0, -1.0, 0.0]), [0.0, 1.0, 0.0]);
        // Oblique: the nearest axis decides.
        assert_eq!(reading_direction([0.3, 0.1, 0.9]), [-0.3, -0.1, -0.9]);
        let sagittal_tilted = [0.9, -0.2, 0.3];
        assert_eq!(reading_direction(sagittal_tilted), sagittal_tilted);
        // A sagittal stack in the file's order, left to right, shows right first.
        const SAGITTAL: [f64; 6] = [0.0, 1.0, 0.0, 0.0, 0.0, -1.0];
        let slice = |x: f64, n: i64| SlicePlacement {
            position_mm: Some([x, 0.0, 0.0]),
            orientation: Some(SAGITTAL),
            instance_number: Some(n),
        };
        assert_eq!(
            stack_order(&[slice(10.0, 1), slice(-10.0, 2), slice(0.0, 3)]),
            vec![1, 2, 0]
        );
    }

    #[test]
    fn falls_back_to_instance_number_without_positions() {
        let mut slices = vec![at(0.0, 3), at(0.0, 1), at(0.0, 2)];
        slices[0].position_mm = None;
        assert_eq!(stack_order(&slices), vec![1, 2, 0]);
    }
}
