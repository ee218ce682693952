//! A coarser volume for a series too large for the memory the reformats may take: each slice
//! reduced in its own plane by a whole factor (the mean of each factor × factor block of
//! pixels), the slices themselves all kept. Only the volume is reduced, never the 2D slices the
//! viewer shows, and the viewer says so.

use super::VolumeGeometry;

/// Voxels a volume is given before it is reduced (2^27: 256 MiB of 16-bit values, a 512-slice
/// 512 × 512 stack).
pub const VOLUME_BUDGET_VOXELS: u64 = 1 << 27;

/// The largest reduction offered: beyond it a volume is refused as too large.
pub const MAX_FACTOR: u32 = 8;

impl VolumeGeometry {
    /// The smallest in-plane factor (1 when none is needed) that brings the volume within
    /// `budget_voxels`; `None` when even [`MAX_FACTOR`] does not.
    pub fn reduction_for(&self, budget_voxels: u64) -> Option<u32> {
        (1..=MAX_FACTOR).find(|&factor| {
            let (columns, rows) = (self.columns / factor, self.rows / factor);
            columns > 0
                && rows > 0
                && (self.slots() as u64) * u64::from(columns) * u64::from(rows) <= budget_voxels
        })
    }

    /// The geometry of the volume reduced by `factor` in-plane: whole blocks only (a last
    /// partial row or column of blocks is left out), each voxel at its block's centre.
    pub fn reduced(&self, factor: u32) -> VolumeGeometry {
        let factor = factor.max(1);
        let half = f64::from(factor - 1) / 2.0;
        let origin_mm = std::array::from_fn(|i| {
            self.origin_mm[i]
                + half * self.spacing_mm[1] * self.row_direction[i]
                + half * self.spacing_mm[0] * self.column_direction[i]
        });
        VolumeGeometry {
            origin_mm,
            spacing_mm: self.spacing_mm.map(|s| s * f64::from(factor)),
            columns: (self.columns / factor).max(1),
            rows: (self.rows / factor).max(1),
            ..self.clone()
        }
    }
}

/// One slice's values (`columns` × `rows`, row by row) reduced by `factor`: the mean of each
/// whole block, rounded to the nearest integer (halves away from zero). `None` when the
/// values are not of that size.
pub fn reduce_slice(values: &[i32], columns: u32, rows: u32, factor: u32) -> Option<Vec<i32>> {
    let (columns, rows, factor) = (columns as usize, rows as usize, factor.max(1) as usize);
    if values.len() != columns.checked_mul(rows)? {
        return None;
    }
    let (out_columns, out_rows) = ((columns / factor).max(1), (rows / factor).max(1));
    if factor == 1 {
        return Some(values.to_vec());
    }
    let mut out = Vec::with_capacity(out_columns * out_rows);
    for block_row in 0..out_rows {
        let block_rows = block_row * factor..((block_row + 1) * factor).min(rows);
        for block_column in 0..out_columns {
            let start = block_column * factor;
            let end = (start + factor).min(columns);
            let (mut sum, mut count) = (0i64, 0usize);
            for row in block_rows.clone() {
                let line = &values[row * columns + start..row * columns + end];
                sum += line.iter().map(|&v| i64::from(v)).sum::<i64>();
                count += line.len();
            }
            out.push((sum as f64 / count.max(1) as f64).round() as i32);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::volume::SliceGeometry;

    /// `slices` axial slices of `size` × `size` pixels of 0.5 mm, 2 mm apart.
    fn geometry(size: u32, slices: usize) -> VolumeGeometry {
        let slices: Vec<SliceGeometry> = (0..slices)
            .map(|k| SliceGeometry {
                position_mm: [-10.0, -20.0, 2.0 * k as f64],
                orientation: [1.0, 0.0, 0.0, 0.0, 1.0, 0.0],
                rows: size,
                columns: size,
                spacing_mm: [0.5, 0.5],
            })
            .collect();
        VolumeGeometry::from_slices(&slices).expect("a volume")
    }

    #[test]
    fn the_factor_is_the_smallest_that_fits_the_budget() {
        let g = geometry(512, 1000);
        assert_eq!(g.reduction_for(1 << 28), Some(1));
        assert_eq!(g.reduction_for(VOLUME_BUDGET_VOXELS), Some(2));
        assert_eq!(g.reduction_for(1000 * 128 * 128), Some(4));
        assert_eq!(g.reduction_for(1000), None);
    }

    #[test]
    fn a_reduced_voxel_lies_at_the_centre_of_its_block() {
        let g = geometry(511, 3);
        let r = g.reduced(2);
        assert_eq!((r.columns, r.rows), (255, 255));
        assert_eq!(r.spacing_mm, [1.0, 1.0]);
        for voxel in [[0.0, 0.0, 0.0], [10.0, 7.0, 2.0], [254.0, 254.0, 1.0]] {
            let block_centre = [2.0 * voxel[0] + 0.5, 2.0 * voxel[1] + 0.5, voxel[2]];
            let (a, b) = (
                r.patient_from_voxel(voxel),
                g.patient_from_voxel(block_centre),
            );
            assert!((0..3).all(|i| (a[i] - b[i]).abs() < 1e-9), "{a:?} {b:?}");
        }
        assert_eq!(g.reduced(1), g);
    }

    #[test]
    fn a_reduced_slice_holds_the_rounded_means_of_whole_blocks() {
        // 5 × 3 pixels by 2: two blocks (the last column and row left out).
        let values = [1, 2, 10, 11, 99, 3, 5, 12, -14, 99, 99, 99, 99, 99, 99];
        let reduced = reduce_slice(&values, 5, 3, 2).expect("the right size");
        // (1 + 2 + 3 + 5) / 4 = 2.75 → 3; (10 + 11 + 12 - 14) / 4 = 4.75 → 5.
        assert_eq!(reduced, [3, 5]);
        assert_eq!(
            reduce_slice(&[-1, -2, 0, 0], 2, 2, 2),
            Some(vec![-1]),
            "-0.75 → -1"
        );
        assert_eq!(
            reduce_slice(&[-1, -1, 0, 0], 2, 2, 2),
            Some(vec![-1]),
            "-0.5 → -1"
        );
        assert_eq!(reduce_slice(&[1, 2, 3], 2, 2, 2), None);
        assert_eq!(reduce_slice(&values, 5, 3, 1).as_deref(), Some(&values[..]));
    }

    #[test]
    fn a_linear_field_reduced_is_the_field_at_the_block_centres() {
        let g = geometry(8, 2);
        let field = |p: [f64; 3]| (4.0 * p[0] + 4.0 * p[1] + p[2]).round() as i32;
        let values: Vec<i32> = (0..8u32)
            .flat_map(|row| (0..8u32).map(move |column| (row, column)))
            .map(|(row, column)| field(g.patient_from_voxel([column.into(), row.into(), 1.0])))
            .collect();
        let r = g.reduced(2);
        let reduced = reduce_slice(&values, 8, 8, 2).expect("the right size");
        for (i, value) in reduced.iter().enumerate() {
            let (column, row) = ((i % 4) as f64, (i / 4) as f64);
            assert_eq!(*value, field(r.patient_from_voxel([column, row, 1.0])));
        }
    }
}
