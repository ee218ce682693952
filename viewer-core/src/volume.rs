//! A volume from a stack of slices, when their geometry allows one (for reformats: MPR, slab
//! MIP/MinIP/average). Patient space is DICOM's (LPS, millimetres).
//!
//! The slices must share one orientation, one size and one pixel spacing. Along the slice
//! normal they are sorted and set on a regular grid of slots: the step is the smallest gap
//! between neighbours, and every gap must be a whole number of steps within
//! [`STEP_TOLERANCE`]; a gap of several steps leaves slots missing (drawn as missing, never
//! interpolated over). A gantry-tilted stack, whose slices shift in their own plane from one
//! to the next, keeps that shift in its slice vector: the grid is sheared, and every mapping
//! goes through the full affine.

/// How far a gap may be from a whole number of steps, as a fraction of the step.
pub const STEP_TOLERANCE: f64 = 0.05;

/// How far a slice's position may be from its slot's, in mm (in-plane and along the normal).
pub const POSITION_TOLERANCE_MM: f64 = 0.1;

/// Voxels a volume may hold (2^28, 1 GiB of 32-bit values: a 1000-slice 512 × 512 stack),
/// within a 32-bit address space.
pub const MAX_VOXELS: u64 = 1 << 28;

/// Slots a volume may have (missing ones included).
pub const MAX_SLOTS: usize = 8192;

/// What the volume needs to know of one slice.
#[derive(Debug, Clone, PartialEq)]
pub struct SliceGeometry {
    /// Image Position (Patient): the centre of the first pixel, mm.
    pub position_mm: [f64; 3],
    /// Image Orientation (Patient): row then column direction cosines.
    pub orientation: [f64; 6],
    pub rows: u32,
    pub columns: u32,
    /// Pixel Spacing: [between rows, between columns], mm.
    pub spacing_mm: [f64; 2],
}

impl SliceGeometry {
    /// A slice's geometry from its attributes (a file's, or WADO-RS metadata); `None` when one
    /// of them is absent or malformed.
    pub fn from_dataset(ds: &crate::dicom_json::JsonDataset) -> Option<SliceGeometry> {
        use dicom_dictionary_std::tags;
        let numbers = |tag, count: usize| -> Option<Vec<f64>> {
            let values: Vec<f64> = ds.numbers(tag).into_iter().collect::<Option<Vec<f64>>>()?;
            (values.len() == count && values.iter().all(|v| v.is_finite())).then_some(values)
        };
        let position = numbers(tags::IMAGE_POSITION_PATIENT, 3)?;
        let orientation = numbers(tags::IMAGE_ORIENTATION_PATIENT, 6)?;
        let spacing = numbers(tags::PIXEL_SPACING, 2)?;
        Some(SliceGeometry {
            position_mm: [position[0], position[1], position[2]],
            orientation: std::array::from_fn(|i| orientation[i]),
            rows: ds.uint(tags::ROWS)?,
            columns: ds.uint(tags::COLUMNS)?,
            spacing_mm: [spacing[0], spacing[1]],
        })
    }
}

impl SliceGeometry {
    /// A single-frame image's geometry as the stack read it; `None` for a multi-frame image,
    /// an unusable pixel module, or a position, orientation or patient pixel spacing missing.
    pub fn from_image(image: &crate::study::StackImage) -> Option<SliceGeometry> {
        let module = image.module.as_ref().ok()?;
        if module.number_of_frames != 1 {
            return None;
        }
        let crate::study::PixelSpacing::Patient { row_mm, column_mm } = image.spacing else {
            return None;
        };
        Some(SliceGeometry {
            position_mm: image.position_mm?,
            orientation: image.orientation?,
            rows: u32::from(module.rows),
            columns: u32::from(module.columns),
            spacing_mm: [row_mm, column_mm],
        })
    }
}

/// A grey frame's modality values (Rescale Slope and Intercept applied, rounded), as a volume
/// holds them; `None` for colour or for values beyond 32 bits.
pub fn modality_values(
    frame: &crate::DecodedFrame,
    slope: f64,
    intercept: f64,
) -> Option<Vec<i32>> {
    if frame.samples_per_pixel != 1 || !(slope.is_finite() && intercept.is_finite()) {
        return None;
    }
    (0..frame.samples.len())
        .map(|i| {
            let v = (frame.samples.get(i)? * slope + intercept).round();
            (v >= f64::from(i32::MIN) && v <= f64::from(i32::MAX)).then_some(v as i32)
        })
        .collect()
}

/// Why a stack makes no volume (said to the reader as it is).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum VolumeRefusal {
    #[error("a volume needs at least two slices")]
    TooFewSlices,
    #[error("the slices do not share one orientation")]
    MixedOrientation,
    #[error("the slices do not share one size")]
    MixedSize,
    #[error("the slices do not share one pixel spacing")]
    MixedSpacing,
    #[error("the orientation or the spacing is not usable")]
    BadGeometry,
    #[error("two slices lie at the same place")]
    SamePosition,
    #[error(
        "the gaps between slices ({min_mm:.2} to {max_mm:.2} mm) are not multiples of one step"
    )]
    UnevenSpacing { min_mm: f64, max_mm: f64 },
    #[error("the slices do not lie on one line of positions")]
    NotAStack,
    #[error("the volume would hold {voxels} voxels (at most {MAX_VOXELS}, in {MAX_SLOTS} slices)")]
    TooLarge { voxels: u64 },
}

fn dot(a: [f64; 3], b: [f64; 3]) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

fn sub(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}

fn add_scaled(a: [f64; 3], b: [f64; 3], s: f64) -> [f64; 3] {
    [a[0] + b[0] * s, a[1] + b[1] * s, a[2] + b[2] * s]
}

fn norm(a: [f64; 3]) -> f64 {
    dot(a, a).sqrt()
}

/// The geometry of a volume: voxel (x, y, k), x along the rows (column index), y down the
/// columns (row index), k the slot, lies at
/// `origin + x·spacing[1]·row + y·spacing[0]·column + k·slice_vector`.
#[derive(Debug, Clone, PartialEq)]
pub struct VolumeGeometry {
    pub origin_mm: [f64; 3],
    pub row_direction: [f64; 3],
    pub column_direction: [f64; 3],
    /// Unit normal (row × column); slots go along it.
    pub normal: [f64; 3],
    /// From one slot to the next, mm (the step along the normal, and a tilted stack's shift).
    pub slice_vector_mm: [f64; 3],
    /// [between rows, between columns], mm.
    pub spacing_mm: [f64; 2],
    pub columns: u32,
    pub rows: u32,
    /// The source slice of each slot, `None` where a slice is missing.
    pub sources: Vec<Option<usize>>,
}

impl VolumeGeometry {
    /// Sets `slices` on a grid, or says why they make no volume.
    pub fn from_slices(slices: &[SliceGeometry]) -> Result<VolumeGeometry, VolumeRefusal> {
        let first = slices.first().ok_or(VolumeRefusal::TooFewSlices)?;
        if slices.len() < 2 {
            return Err(VolumeRefusal::TooFewSlices);
        }
        for s in slices {
            if s.orientation
                .iter()
                .zip(first.orientation)
                .any(|(a, b)| (a - b).abs() > 1e-3)
            {
                return Err(VolumeRefusal::MixedOrientation);
            }
            if (s.rows, s.columns) != (first.rows, first.columns) {
                return Err(VolumeRefusal::MixedSize);
            }
            if s.spacing_mm
                .iter()
                .zip(first.spacing_mm)
                .any(|(a, b)| (a - b).abs() > 1e-3 * b.abs().max(1.0))
            {
                return Err(VolumeRefusal::MixedSpacing);
            }
        }
        let o = first.orientation;
        let (row, column) = ([o[0], o[1], o[2]], [o[3], o[4], o[5]]);
        let normal = crate::geometry::slice_normal(&o);
        let length = norm(normal);
        let usable = (norm(row) - 1.0).abs() < 1e-2
            && (norm(column) - 1.0).abs() < 1e-2
            && length > 0.99
            && first.spacing_mm.iter().all(|s| s.is_finite() && *s >= 1e-3)
            && first.position_mm.iter().all(|p| p.is_finite())
            && first.rows > 0
            && first.columns > 0;
        if !usable {
            return Err(VolumeRefusal::BadGeometry);
        }
        let normal = normal.map(|v| v / length);
        let mut order: Vec<usize> = (0..slices.len()).collect();
        let distance = |i: usize| dot(slices[i].position_mm, normal);
        order.sort_by(|&a, &b| distance(a).total_cmp(&distance(b)));
        let gaps: Vec<f64> = order
            .windows(2)
            .map(|w| distance(w[1]) - distance(w[0]))
            .collect();
        let step = gaps.iter().copied().fold(f64::INFINITY, f64::min);
        if step.is_nan() || step <= POSITION_TOLERANCE_MM {
            return Err(VolumeRefusal::SamePosition);
        }
        let max_gap = gaps.iter().copied().fold(0.0, f64::max);
        let slot_of_gap = |gap: f64| {
            let steps = gap / step;
            ((steps - steps.round()).abs() <= STEP_TOLERANCE).then(|| steps.round() as usize)
        };
        let mut slot_of = vec![0usize; order.len()];
        for (i, gap) in gaps.iter().enumerate() {
            let steps = slot_of_gap(*gap).ok_or(VolumeRefusal::UnevenSpacing {
                min_mm: step,
                max_mm: max_gap,
            })?;
            slot_of[i + 1] = slot_of[i].saturating_add(steps);
        }
        let slots = slot_of[order.len() - 1].saturating_add(1);
        let voxels = (slots as u64)
            .saturating_mul(u64::from(first.rows))
            .saturating_mul(u64::from(first.columns));
        if voxels > MAX_VOXELS || slots > MAX_SLOTS {
            return Err(VolumeRefusal::TooLarge { voxels });
        }
        // The slice vector from the ends (a tilt's in-plane shift included), then every slice
        // checked against its slot.
        let start = slices[order[0]].position_mm;
        let end = slices[order[order.len() - 1]].position_mm;
        let slice_vector_mm = sub(end, start).map(|v| v / (slots - 1) as f64);
        let mut sources = vec![None; slots];
        for (i, &source) in order.iter().enumerate() {
            let expected = add_scaled(start, slice_vector_mm, slot_of[i] as f64);
            if norm(sub(slices[source].position_mm, expected)) > POSITION_TOLERANCE_MM {
                return Err(VolumeRefusal::NotAStack);
            }
            sources[slot_of[i]] = Some(source);
        }
        Ok(VolumeGeometry {
            origin_mm: start,
            row_direction: row,
            column_direction: column,
            normal,
            slice_vector_mm,
            spacing_mm: first.spacing_mm,
            columns: first.columns,
            rows: first.rows,
            sources,
        })
    }

    pub fn slots(&self) -> usize {
        self.sources.len()
    }

    /// The step between slots along the normal, mm.
    pub fn step_mm(&self) -> f64 {
        dot(self.slice_vector_mm, self.normal)
    }

    /// The gantry tilt: the angle between the slice vector and the normal, degrees.
    pub fn tilt_degrees(&self) -> f64 {
        let along = self.step_mm();
        let across = norm(add_scaled(self.slice_vector_mm, self.normal, -along));
        across.atan2(along).to_degrees()
    }

    /// The three axes of the voxel grid in patient space (one voxel along each), mm.
    fn axes(&self) -> [[f64; 3]; 3] {
        [
            self.row_direction.map(|v| v * self.spacing_mm[1]),
            self.column_direction.map(|v| v * self.spacing_mm[0]),
            self.slice_vector_mm,
        ]
    }

    /// The patient point of continuous voxel coordinates (x, y, k).
    pub fn patient_from_voxel(&self, voxel: [f64; 3]) -> [f64; 3] {
        let [a, b, c] = self.axes();
        let p = add_scaled(self.origin_mm, a, voxel[0]);
        let p = add_scaled(p, b, voxel[1]);
        add_scaled(p, c, voxel[2])
    }

    /// The continuous voxel coordinates (x, y, k) of a patient point (the affine inverted:
    /// exact for a tilted stack too).
    pub fn voxel_from_patient(&self, point_mm: [f64; 3]) -> [f64; 3] {
        let [a, b, c] = self.axes();
        let d = sub(point_mm, self.origin_mm);
        let cross = |u: [f64; 3], v: [f64; 3]| {
            [
                u[1] * v[2] - u[2] * v[1],
                u[2] * v[0] - u[0] * v[2],
                u[0] * v[1] - u[1] * v[0],
            ]
        };
        let determinant = dot(a, cross(b, c));
        [
            dot(d, cross(b, c)) / determinant,
            dot(a, cross(d, c)) / determinant,
            dot(a, cross(b, d)) / determinant,
        ]
    }

    /// The eight corners of the voxel grid's centres, in patient space.
    pub fn corners_mm(&self) -> [[f64; 3]; 8] {
        let last = [
            f64::from(self.columns.saturating_sub(1)),
            f64::from(self.rows.saturating_sub(1)),
            self.slots().saturating_sub(1) as f64,
        ];
        std::array::from_fn(|i| {
            self.patient_from_voxel([
                if i & 1 == 0 { 0.0 } else { last[0] },
                if i & 2 == 0 { 0.0 } else { last[1] },
                if i & 4 == 0 { 0.0 } else { last[2] },
            ])
        })
    }
}

mod downsample;
pub use downsample::{reduce_slice, MAX_FACTOR, VOLUME_BUDGET_VOXELS};

#[cfg(test)]
mod tests;
