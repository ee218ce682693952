//! Reformats of a volume: a plane's samples (nearest or trilinear), and slabs (maximum,
//! minimum or average intensity over a thickness along the plane's normal). Values are
//! modality values (rescale applied), as the 2D view's.
//!
//! A sample whose neighbours include a missing slot is missing, never interpolated over; one
//! outside the volume is outside. The plane's geometry is given as a DICOM image's would be,
//! so the view draws it with the same markers and scale bar.

use crate::volume::VolumeGeometry;

/// Samples a reformat may hold (4096 × 4096).
pub const MAX_PLANE_SAMPLES: u64 = 1 << 24;

/// Samples along a slab's thickness, at most.
pub const MAX_SLAB_SAMPLES: usize = 4096;

/// A volume's voxels as they arrive: modality values, slot by slot.
#[derive(Debug, Clone)]
pub struct Volume {
    pub geometry: VolumeGeometry,
    voxels: Voxels,
    present: Vec<bool>,
}

/// The voxels: 16 bits each while every value fits (a CT's Hounsfield units do), widened to
/// 32 bits by the first slice that does not.
#[derive(Debug, Clone)]
enum Voxels {
    Narrow(Vec<i16>),
    Wide(Vec<i32>),
}

/// A zeroed buffer of `len` values, or `TooLarge` when the memory is not there.
fn zeroed<T: Clone + Default>(len: usize) -> Result<Vec<T>, VolumeError> {
    let mut v = Vec::new();
    v.try_reserve_exact(len)
        .map_err(|_| VolumeError::TooLarge)?;
    v.resize(len, T::default());
    Ok(v)
}

/// Why a slice cannot go into a volume.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VolumeError {
    #[error("slot {0} is outside the volume")]
    NoSuchSlot(usize),
    #[error("a slice of {got} samples where {expected} are needed")]
    WrongSize { got: usize, expected: usize },
    #[error("the volume would hold more than {} voxels", crate::volume::MAX_VOXELS)]
    TooLarge,
}

impl Volume {
    /// An empty volume (every slot missing); its size is checked before anything is
    /// allocated (as [`VolumeGeometry::from_slices`] does, for a geometry made otherwise).
    pub fn new(geometry: VolumeGeometry) -> Result<Volume, VolumeError> {
        let voxels = (geometry.slots() as u64)
            .checked_mul(u64::from(geometry.rows))
            .and_then(|n| n.checked_mul(u64::from(geometry.columns)))
            .filter(|n| *n <= crate::volume::MAX_VOXELS)
            .ok_or(VolumeError::TooLarge)?;
        let present = vec![false; geometry.slots()];
        Ok(Volume {
            geometry,
            voxels: Voxels::Narrow(zeroed(voxels as usize)?),
            present,
        })
    }

    fn slice_len(&self) -> usize {
        self.geometry.rows as usize * self.geometry.columns as usize
    }

    /// Puts a slice's modality values (row by row) in `slot`.
    pub fn put(&mut self, slot: usize, values: &[i32]) -> Result<(), VolumeError> {
        let expected = self.slice_len();
        if slot >= self.present.len() {
            return Err(VolumeError::NoSuchSlot(slot));
        }
        if values.len() != expected {
            return Err(VolumeError::WrongSize {
                got: values.len(),
                expected,
            });
        }
        let fits = |v: &i32| i16::try_from(*v).is_ok();
        if let Voxels::Narrow(narrow) = &self.voxels {
            if !values.iter().all(fits) {
                let mut wide = zeroed::<i32>(narrow.len())?;
                for (w, n) in wide.iter_mut().zip(narrow) {
                    *w = i32::from(*n);
                }
                self.voxels = Voxels::Wide(wide);
            }
        }
        let range = slot * expected..(slot + 1) * expected;
        match &mut self.voxels {
            Voxels::Narrow(narrow) => {
                for (n, v) in narrow[range].iter_mut().zip(values) {
                    // Checked above: every value fits.
                    *n = *v as i16;
                }
            }
            Voxels::Wide(wide) => wide[range].copy_from_slice(values),
        }
        self.present[slot] = true;
        Ok(())
    }

    /// The bytes the voxels take.
    pub fn bytes(&self) -> usize {
        match &self.voxels {
            Voxels::Narrow(v) => v.len() * 2,
            Voxels::Wide(v) => v.len() * 4,
        }
    }

    /// Slots holding their slice.
    pub fn filled(&self) -> usize {
        self.present.iter().filter(|p| **p).count()
    }

    /// Whether slot `slot` holds its slice.
    pub fn holds(&self, slot: usize) -> bool {
        self.present.get(slot).copied().unwrap_or(false)
    }

    /// Whether every slot holds its slice.
    pub fn is_complete(&self) -> bool {
        self.present.iter().all(|p| *p)
    }

    fn voxel(&self, x: usize, y: usize, k: usize) -> Option<i32> {
        self.present[k].then(|| {
            let columns = self.geometry.columns as usize;
            let at = (k * self.geometry.rows as usize + y) * columns + x;
            match &self.voxels {
                Voxels::Narrow(v) => i32::from(v[at]),
                Voxels::Wide(v) => v[at],
            }
        })
    }
}

/// A reformatted plane's geometry, as an image's: its first sample's centre, its row and column
/// directions (Image Orientation (Patient)), the spacing [between rows, between columns] and
/// its size.
#[derive(Debug, Clone, PartialEq)]
pub struct Plane {
    pub origin_mm: [f64; 3],
    pub row_direction: [f64; 3],
    pub column_direction: [f64; 3],
    pub spacing_mm: [f64; 2],
    pub rows: u32,
    pub columns: u32,
}

impl Plane {
    /// The patient point of sample (row, column).
    pub fn point_mm(&self, row: f64, column: f64) -> [f64; 3] {
        std::array::from_fn(|i| {
            self.origin_mm[i]
                + column * self.spacing_mm[1] * self.row_direction[i]
                + row * self.spacing_mm[0] * self.column_direction[i]
        })
    }

    /// The unit normal (row × column).
    pub fn normal(&self) -> [f64; 3] {
        let mut o = [0.0; 6];
        o[..3].copy_from_slice(&self.row_direction);
        o[3..].copy_from_slice(&self.column_direction);
        crate::geometry::slice_normal(&o)
    }
}

/// The planes of the reading room, as their images are shown: axial from the feet (patient's
/// right on the screen's left, anterior up), coronal from the front (right on the left, head
/// up), sagittal from the patient's left (anterior on the left, head up).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Orientation {
    Axial,
    Coronal,
    Sagittal,
}

impl Orientation {
    /// Row and column directions (LPS).
    pub fn directions(self) -> ([f64; 3], [f64; 3]) {
        match self {
            Orientation::Axial => ([1.0, 0.0, 0.0], [0.0, 1.0, 0.0]),
            Orientation::Coronal => ([1.0, 0.0, 0.0], [0.0, 0.0, -1.0]),
            Orientation::Sagittal => ([0.0, 1.0, 0.0], [0.0, 0.0, -1.0]),
        }
    }

    /// The patient axis (0 x, 1 y, 2 z) whose coordinate places the plane.
    pub fn axis(self) -> usize {
        match self {
            Orientation::Axial => 2,
            Orientation::Coronal => 1,
            Orientation::Sagittal => 0,
        }
    }
}

/// The plane with `row_direction` and `column_direction` (unit, orthogonal) through
/// `point_mm` that covers the whole volume, sampled every `spacing_mm` both ways (by default
/// the volume's finest spacing: square samples).
pub fn plane_through(
    geometry: &VolumeGeometry,
    row_direction: [f64; 3],
    column_direction: [f64; 3],
    point_mm: [f64; 3],
    spacing_mm: Option<f64>,
) -> Option<Plane> {
    let spacing = spacing_mm.unwrap_or_else(|| {
        geometry.spacing_mm[0]
            .min(geometry.spacing_mm[1])
            .min(geometry.step_mm().abs())
    });
    if !(spacing.is_finite() && spacing > 0.0) {
        return None;
    }
    let along = |p: [f64; 3], d: [f64; 3]| p[0] * d[0] + p[1] * d[1] + p[2] * d[2];
    let (mut r_min, mut r_max, mut c_min, mut c_max) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for corner in geometry.corners_mm() {
        let (r, c) = (
            along(corner, row_direction),
            along(corner, column_direction),
        );
        (r_min, r_max, c_min, c_max) = (r_min.min(r), r_max.max(r), c_min.min(c), c_max.max(c));
    }
    // Enough samples to reach the far edge (a hair of rounding forgiven), counted in floating
    // point and bounded before they become integers.
    let count = |extent: f64| (extent / spacing - 1e-6).ceil().max(0.0) + 1.0;
    let (columns, rows) = (count(r_max - r_min), count(c_max - c_min));
    let samples = columns * rows;
    if samples.is_nan() || samples > MAX_PLANE_SAMPLES as f64 {
        return None;
    }
    // The point's own offset along the two directions is replaced by the volume's start.
    let (r0, c0) = (
        along(point_mm, row_direction),
        along(point_mm, column_direction),
    );
    let origin_mm = std::array::from_fn(|i| {
        point_mm[i] + (r_min - r0) * row_direction[i] + (c_min - c0) * column_direction[i]
    });
    Some(Plane {
        origin_mm,
        row_direction,
        column_direction,
        spacing_mm: [spacing, spacing],
        rows: rows as u32,
        columns: columns as u32,
    })
}

/// The standard plane of `orientation` whose patient coordinate along its axis is
/// `position_mm` (z for axial, y for coronal, x for sagittal).
pub fn standard_plane(
    geometry: &VolumeGeometry,
    orientation: Orientation,
    position_mm: f64,
) -> Option<Plane> {
    let (row, column) = orientation.directions();
    let mut point = geometry.patient_from_voxel([0.0; 3]);
    point[orientation.axis()] = position_mm;
    plane_through(geometry, row, column, point, None)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interpolation {
    Nearest,
    Trilinear,
}

/// How a slab's samples make one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlabMode {
    Maximum,
    Minimum,
    Average,
}

/// A slab: `thickness_mm` centred on the plane, combined by `mode`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Slab {
    pub thickness_mm: f64,
    pub mode: SlabMode,
}

/// What a reformat sample is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sample {
    Value(i32),
    /// Beside a slot still missing (a slice not arrived, or absent from the series).
    Missing,
    Outside,
}

/// One sample at continuous voxel coordinates.
fn sample_at(volume: &Volume, voxel: [f64; 3], interpolation: Interpolation) -> Sample {
    let g = &volume.geometry;
    let limits = [
        f64::from(g.columns) - 1.0,
        f64::from(g.rows) - 1.0,
        g.slots() as f64 - 1.0,
    ];
    let inside = (0..3).all(|i| voxel[i] >= -0.5 && voxel[i] <= limits[i] + 0.5);
    if !inside || voxel.iter().any(|v| !v.is_finite()) {
        return Sample::Outside;
    }
    let clamp = |v: f64, i: usize| v.clamp(0.0, limits[i]);
    match interpolation {
        Interpolation::Nearest => {
            let [x, y, k] = std::array::from_fn(|i| clamp(voxel[i].round(), i) as usize);
            volume.voxel(x, y, k).map_or(Sample::Missing, Sample::Value)
        }
        Interpolation::Trilinear => {
            let base: [usize; 3] = std::array::from_fn(|i| clamp(voxel[i].floor(), i) as usize);
            let weight: [f64; 3] = std::array::from_fn(|i| clamp(voxel[i], i) - base[i] as f64);
            let mut total = 0.0;
            for corner in 0..8 {
                let pick = |i: usize| (corner >> i) & 1;
                let w: f64 = (0..3)
                    .map(|i| {
                        if pick(i) == 1 {
                            weight[i]
                        } else {
                            1.0 - weight[i]
                        }
                    })
                    .product();
                if w == 0.0 {
                    continue;
                }
                let at: [usize; 3] =
                    std::array::from_fn(|i| (base[i] + pick(i)).min(limits[i] as usize));
                match volume.voxel(at[0], at[1], at[2]) {
                    Some(v) => total += w * f64::from(v),
                    None => return Sample::Missing,
                }
            }
            Sample::Value(total.round() as i32)
        }
    }
}

/// The plane's samples, row by row, through `slab` when given (its samples one volume step
/// apart at most, along the plane's normal).
pub fn reformat(
    volume: &Volume,
    plane: &Plane,
    interpolation: Interpolation,
    slab: Option<Slab>,
) -> Vec<Sample> {
    let g = &volume.geometry;
    let finest = g.spacing_mm[0].min(g.spacing_mm[1]).min(g.step_mm().abs());
    let normal = plane.normal();
    // A slab no thicker than the volume's diagonal (beyond it every sample is outside).
    let corners = g.corners_mm();
    let diagonal: f64 = (0..3)
        .map(|i| (corners[7][i] - corners[0][i]).powi(2))
        .sum::<f64>()
        .sqrt()
        + finest;
    let offsets: Vec<f64> = match slab {
        Some(s) if s.thickness_mm.is_finite() && s.thickness_mm > finest => {
            let thickness = s.thickness_mm.min(diagonal);
            let count = ((thickness / finest).ceil() as usize).clamp(1, MAX_SLAB_SAMPLES) + 1;
            (0..count)
                .map(|i| -thickness / 2.0 + thickness * i as f64 / (count - 1) as f64)
                .collect()
        }
        _ => vec![0.0],
    };
    let mode = slab.map_or(SlabMode::Maximum, |s| s.mode);
    // Voxel coordinates are affine in the plane's (row, column) and the slab's offset: the
    // first sample's and one step along each, so no sample inverts the volume's affine.
    let start = g.voxel_from_patient(plane.origin_mm);
    let step_along = |direction: [f64; 3], mm: f64| -> [f64; 3] {
        let moved = g.voxel_from_patient(std::array::from_fn(|i| {
            plane.origin_mm[i] + mm * direction[i]
        }));
        std::array::from_fn(|i| moved[i] - start[i])
    };
    let per_column = step_along(plane.row_direction, plane.spacing_mm[1]);
    let per_row = step_along(plane.column_direction, plane.spacing_mm[0]);
    let per_mm_normal = step_along(normal, 1.0);
    let mut out = Vec::with_capacity(plane.rows as usize * plane.columns as usize);
    for row in 0..plane.rows {
        for column in 0..plane.columns {
            let (r, c) = (f64::from(row), f64::from(column));
            let centre: [f64; 3] =
                std::array::from_fn(|i| start[i] + r * per_row[i] + c * per_column[i]);
            let mut combined: Option<(f64, usize)> = None;
            let mut missing = false;
            for offset in &offsets {
                let voxel = std::array::from_fn(|i| centre[i] + offset * per_mm_normal[i]);
                match sample_at(volume, voxel, interpolation) {
                    Sample::Value(v) => {
                        let v = f64::from(v);
                        combined = Some(match (combined, mode) {
                            (None, _) => (v, 1),
                            (Some((m, n)), SlabMode::Maximum) => (m.max(v), n + 1),
                            (Some((m, n)), SlabMode::Minimum) => (m.min(v), n + 1),
                            (Some((s, n)), SlabMode::Average) => (s + v, n + 1),
                        });
                    }
                    Sample::Missing => missing = true,
                    Sample::Outside => {}
                }
            }
            out.push(match (missing, combined) {
                (true, _) => Sample::Missing,
                (false, None) => Sample::Outside,
                (false, Some((v, n))) if mode == SlabMode::Average => {
                    Sample::Value((v / n as f64).round() as i32)
                }
                (false, Some((v, _))) => Sample::Value(v as i32),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests;
