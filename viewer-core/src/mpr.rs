//! The reader's multiplanar views of one volume: three planes through one point (the
//! crosshairs' centre), axial, coronal and sagittal at first; each view scrolls along its own
//! normal, and rotating the crosshairs in one view turns the other two planes about its
//! normal (oblique reformats). Also what a view draws from its plane: where the other planes
//! cross it, where samples are missing, and lengths in mm.
//!
//! Frames: *patient* coordinates are LPS millimetres; a view's *image* coordinates are its
//! plane's sample grid as [`crate::view`] uses them (x along a row, y down the columns, the
//! first sample's centre at (0.5, 0.5)).

use crate::reformat::{plane_through, Orientation, Plane, Sample};
use crate::volume::VolumeGeometry;

/// The views, in the order the layout shows them.
pub const VIEWS: [Orientation; 3] = [
    Orientation::Axial,
    Orientation::Coronal,
    Orientation::Sagittal,
];

type Matrix = [[f64; 3]; 3];

const IDENTITY: Matrix = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]];

fn dot(a: [f64; 3], b: [f64; 3]) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

fn cross(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [
        a[1] * b[2] - a[2] * b[1],
        a[2] * b[0] - a[0] * b[2],
        a[0] * b[1] - a[1] * b[0],
    ]
}

fn apply(m: &Matrix, v: [f64; 3]) -> [f64; 3] {
    std::array::from_fn(|i| dot(m[i], v))
}

fn multiply(a: &Matrix, b: &Matrix) -> Matrix {
    std::array::from_fn(|i| std::array::from_fn(|j| (0..3).map(|k| a[i][k] * b[k][j]).sum()))
}

/// The rotation by `angle_rad` about the unit `axis` (right-handed).
fn rotation(axis: [f64; 3], angle_rad: f64) -> Matrix {
    let (s, c) = angle_rad.sin_cos();
    let t = 1.0 - c;
    let [x, y, z] = axis;
    [
        [t * x * x + c, t * x * y - s * z, t * x * z + s * y],
        [t * x * y + s * z, t * y * y + c, t * y * z - s * x],
        [t * x * z - s * y, t * y * z + s * x, t * z * z + c],
    ]
}

/// The crosshairs: their centre and each view's rotation away from its standard plane.
#[derive(Debug, Clone, PartialEq)]
pub struct Crosshairs {
    pub centre_mm: [f64; 3],
    rotations: [Matrix; 3],
}

impl Crosshairs {
    /// Standard planes through the volume's centre.
    pub fn centred(geometry: &VolumeGeometry) -> Crosshairs {
        let middle = [
            f64::from(geometry.columns.saturating_sub(1)) / 2.0,
            f64::from(geometry.rows.saturating_sub(1)) / 2.0,
            geometry.slots().saturating_sub(1) as f64 / 2.0,
        ];
        Crosshairs {
            centre_mm: geometry.patient_from_voxel(middle),
            rotations: [IDENTITY; 3],
        }
    }

    /// The row and column directions of `view`'s plane (LPS, unit).
    pub fn directions(&self, view: usize) -> ([f64; 3], [f64; 3]) {
        let (row, column) = VIEWS[view % 3].directions();
        let m = &self.rotations[view % 3];
        (apply(m, row), apply(m, column))
    }

    /// The unit normal of `view`'s plane (row × column).
    pub fn normal(&self, view: usize) -> [f64; 3] {
        let (row, column) = self.directions(view);
        cross(row, column)
    }

    /// Whether a view has been turned away from its standard plane.
    pub fn is_oblique(&self) -> bool {
        (0..3).any(|view| self.is_turned(view))
    }

    /// Whether `view` has been turned away from its standard plane.
    pub fn is_turned(&self, view: usize) -> bool {
        self.rotations[view % 3] != IDENTITY
    }

    /// `view`'s plane through the centre, covering the volume (square samples at the
    /// volume's finest spacing).
    pub fn plane(&self, geometry: &VolumeGeometry, view: usize) -> Option<Plane> {
        let (row, column) = self.directions(view);
        plane_through(geometry, row, column, self.centre_mm, None)
    }

    /// Moves the centre to `point_mm`, kept within the volume.
    pub fn move_to(&mut self, geometry: &VolumeGeometry, point_mm: [f64; 3]) {
        if point_mm.iter().any(|v| !v.is_finite()) {
            return;
        }
        let voxel = geometry.voxel_from_patient(point_mm);
        let last = [
            f64::from(geometry.columns.saturating_sub(1)),
            f64::from(geometry.rows.saturating_sub(1)),
            geometry.slots().saturating_sub(1) as f64,
        ];
        let kept: [f64; 3] = std::array::from_fn(|i| voxel[i].clamp(0.0, last[i]));
        self.centre_mm = geometry.patient_from_voxel(kept);
    }

    /// Moves the centre `steps` samples along `view`'s normal (the volume's spacing along it).
    pub fn scroll(&mut self, geometry: &VolumeGeometry, view: usize, steps: f64) {
        let normal = self.normal(view);
        let step = spacing_along(geometry, normal);
        let target = std::array::from_fn(|i| self.centre_mm[i] + steps * step * normal[i]);
        self.move_to(geometry, target);
    }

    /// Turns the crosshairs in `view` by `angle_rad` (clockwise on screen, y down): the other
    /// two planes turn about `view`'s normal; `view`'s own plane stays.
    pub fn rotate(&mut self, view: usize, angle_rad: f64) {
        if !angle_rad.is_finite() {
            return;
        }
        let view = view % 3;
        // Clockwise on a screen whose y goes down is a positive turn about row × column.
        let turn = rotation(self.normal(view), angle_rad);
        for other in (0..3).filter(|&v| v != view) {
            self.rotations[other] = multiply(&turn, &self.rotations[other]);
        }
    }

    /// Where `other`'s plane crosses `view`'s, as a line in `view`'s image (through the
    /// centre, unit direction); `None` when the planes are parallel.
    pub fn line_in(&self, view: usize, other: usize, plane: &Plane) -> Option<Line> {
        let along = cross(self.normal(view), self.normal(other));
        let (row, column) = self.directions(view);
        let direction = [
            dot(along, row) / plane.spacing_mm[1],
            dot(along, column) / plane.spacing_mm[0],
        ];
        let length = direction[0].hypot(direction[1]);
        (length > 1e-9).then(|| Line {
            through_px: image_px_of(plane, self.centre_mm),
            direction: [direction[0] / length, direction[1] / length],
        })
    }
}

/// A line in a view's image: a point and a unit direction, image pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Line {
    pub through_px: [f64; 2],
    pub direction: [f64; 2],
}

/// The volume's sample spacing along `direction` (unit), mm: one slice along the normal, one
/// pixel along a row or a column, a blend of them obliquely.
pub fn spacing_along(geometry: &VolumeGeometry, direction: [f64; 3]) -> f64 {
    let parts = [
        (geometry.row_direction, geometry.spacing_mm[1]),
        (geometry.column_direction, geometry.spacing_mm[0]),
        (geometry.normal, geometry.step_mm().abs()),
    ];
    let weights: f64 = parts
        .iter()
        .map(|(axis, _)| dot(*axis, direction).abs())
        .sum();
    let blended: f64 = parts
        .iter()
        .map(|(axis, spacing)| dot(*axis, direction).abs() * spacing)
        .sum();
    if weights > 0.0 {
        blended / weights
    } else {
        geometry.spacing_mm[0]
    }
}

/// Where the patient point lies in `plane`'s image (projected onto the plane).
pub fn image_px_of(plane: &Plane, point_mm: [f64; 3]) -> [f64; 2] {
    let d: [f64; 3] = std::array::from_fn(|i| point_mm[i] - plane.origin_mm[i]);
    [
        dot(d, plane.row_direction) / plane.spacing_mm[1] + 0.5,
        dot(d, plane.column_direction) / plane.spacing_mm[0] + 0.5,
    ]
}

/// The patient point at image position `image_px` of `plane`.
pub fn point_at(plane: &Plane, image_px: [f64; 2]) -> [f64; 3] {
    plane.point_mm(image_px[1] - 0.5, image_px[0] - 0.5)
}

/// The distance between two image points of `plane`, mm.
pub fn distance_mm(plane: &Plane, a_px: [f64; 2], b_px: [f64; 2]) -> f64 {
    let (a, b) = (point_at(plane, a_px), point_at(plane, b_px));
    (0..3).map(|i| (a[i] - b[i]).powi(2)).sum::<f64>().sqrt()
}

/// A rectangle of missing samples in a view's image, pixels (rows of equal runs merged).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Band {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

/// Bands drawn over a view at most (a volume missing every other slice in an oblique view
/// could make one per sample); past it the last band runs to the image's end.
pub const MAX_BANDS: usize = 2048;

/// The missing samples of a reformat (`columns` wide) as rectangles.
pub fn missing_bands(samples: &[Sample], columns: u32) -> Vec<Band> {
    let width = columns as usize;
    if width == 0 {
        return Vec::new();
    }
    let mut bands: Vec<Band> = Vec::new();
    // The bands still open: those that ended on the previous row.
    let mut open: Vec<usize> = Vec::new();
    for (y, row) in samples.chunks(width).enumerate() {
        let mut runs = Vec::new();
        let mut x = 0;
        while x < row.len() {
            if row[x] == Sample::Missing {
                let start = x;
                while x < row.len() && row[x] == Sample::Missing {
                    x += 1;
                }
                runs.push((start as u32, (x - start) as u32));
            } else {
                x += 1;
            }
        }
        let mut still_open = Vec::new();
        for (x, w) in runs {
            let continued = open.iter().copied().find(|&b| {
                let band = bands[b];
                band.x == x && band.width == w && band.y + band.height == y as u32
            });
            match continued {
                Some(b) => {
                    bands[b].height += 1;
                    still_open.push(b);
                }
                None if bands.len() < MAX_BANDS => {
                    bands.push(Band {
                        x,
                        y: y as u32,
                        width: w,
                        height: 1,
                    });
                    still_open.push(bands.len() - 1);
                }
                None => {}
            }
        }
        open = still_open;
    }
    bands
}

/// A reformat's samples as texture values: missing and outside samples as `fill`.
pub fn texture_values(samples: &[Sample], fill: i32) -> Vec<i32> {
    samples
        .iter()
        .map(|s| match s {
            Sample::Value(v) => *v,
            Sample::Missing | Sample::Outside => fill,
        })
        .collect()
}

/// The lowest and highest values of a reformat (a window for a series that names none).
pub fn value_range(samples: &[Sample]) -> Option<(i32, i32)> {
    samples.iter().fold(None, |range, s| match (range, s) {
        (None, Sample::Value(v)) => Some((*v, *v)),
        (Some((lo, hi)), Sample::Value(v)) => Some((lo.min(*v), hi.max(*v))),
        (range, _) => range,
    })
}

mod roi;
pub use roi::{ellipse_stats, EllipseStats, MAX_REGION_SAMPLES};

#[cfg(test)]
mod tests;
