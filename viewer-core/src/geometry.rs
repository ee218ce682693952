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

/// Returns the indices of `slices` in display order: by position along the slice normal of
/// the first oriented slice when every slice has a position, otherwise by Instance Number;
/// ties keep their original order.
pub fn stack_order(slices: &[SlicePlacement]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..slices.len()).collect();
    let normal = slices
        .iter()
        .find_map(|s| s.orientation)
        .map(|o| slice_normal(&o));
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
    fn sorts_by_position_then_instance_number() {
        // Uploaded out of order, and instance numbers disagree with positions.
        let slices = [at(-350.0, 1), at(-360.0, 3), at(-355.0, 2), at(-355.0, 1)];
        assert_eq!(stack_order(&slices), vec![1, 3, 2, 0]);
    }

    #[test]
    fn falls_back_to_instance_number_without_positions() {
        let mut slices = vec![at(0.0, 3), at(0.0, 1), at(0.0, 2)];
        slices[0].position_mm = None;
        assert_eq!(stack_order(&slices), vec![1, 2, 0]);
    }
}
