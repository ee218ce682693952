//! Regions of interest on a reformat: an ellipse drawn on a view's plane, its area in mm² and
//! the statistics of the reformat's samples whose centres lie inside it (modality units: HU
//! for a CT), with the same interpolation and slab as the view shows. Only the ellipse's
//! bounding box is reformatted.

use crate::measure::{region_stats, FrameValues, Region, RegionStats};
use crate::reformat::{reformat, Interpolation, Plane, Sample, Slab, Volume};

/// The most samples a region's bounding box may hold (a 2048 × 2048 box).
pub const MAX_REGION_SAMPLES: u64 = 2048 * 2048;

/// What an ellipse on a reformat measures.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EllipseStats {
    /// Over the samples inside that have a value; `None` when none has.
    pub stats: Option<RegionStats>,
    /// Samples inside without a value: slices that have not arrived, or outside the volume.
    pub missing: usize,
    /// The drawn ellipse's area, mm².
    pub area_mm2: f64,
}

/// A reformatted box's samples read as a frame's modality values.
struct BoxValues<'a> {
    samples: &'a [Sample],
    columns: u32,
    rows: u32,
}

impl BoxValues<'_> {
    fn sample(&self, column: u32, row: u32) -> Option<Sample> {
        if column >= self.columns || row >= self.rows {
            return None;
        }
        let index = row as usize * self.columns as usize + column as usize;
        self.samples.get(index).copied()
    }
}

impl FrameValues for BoxValues<'_> {
    fn columns(&self) -> u32 {
        self.columns
    }
    fn rows(&self) -> u32 {
        self.rows
    }
    fn value(&self, column: u32, row: u32) -> Option<f64> {
        match self.sample(column, row)? {
            Sample::Value(v) => Some(f64::from(v)),
            Sample::Missing | Sample::Outside => None,
        }
    }
}

/// The sample indices whose centres (index + 0.5) lie within `[low, high]`, clamped to `0..n`.
fn centres_within(low: f64, high: f64, n: u32) -> Option<(u32, u32)> {
    let first = (low - 0.5).ceil().max(0.0);
    let last = (high - 0.5).floor().min(f64::from(n) - 1.0);
    (first <= last).then_some((first as u32, last as u32))
}

/// The ellipse inscribed in the box of image corners `corners_px` (image pixels of `plane`,
/// sample centres at half pixels), measured on `volume` as the view shows it. `None` when the
/// box covers no sample centre of the plane or holds more than [`MAX_REGION_SAMPLES`].
pub fn ellipse_stats(
    volume: &Volume,
    plane: &Plane,
    corners_px: [[f64; 2]; 2],
    interpolation: Interpolation,
    slab: Option<Slab>,
) -> Option<EllipseStats> {
    let [a, b] = corners_px;
    let (left, right) = (a[0].min(b[0]), a[0].max(b[0]));
    let (top, bottom) = (a[1].min(b[1]), a[1].max(b[1]));
    let (c0, c1) = centres_within(left, right, plane.columns)?;
    let (r0, r1) = centres_within(top, bottom, plane.rows)?;
    let (columns, rows) = (c1 - c0 + 1, r1 - r0 + 1);
    if u64::from(columns) * u64::from(rows) > MAX_REGION_SAMPLES {
        return None;
    }
    let sub_plane = Plane {
        origin_mm: plane.point_mm(f64::from(r0), f64::from(c0)),
        rows,
        columns,
        ..plane.clone()
    };
    let samples = reformat(volume, &sub_plane, interpolation, slab);
    let shift = |p: [f64; 2]| [p[0] - f64::from(c0), p[1] - f64::from(r0)];
    let region = Region::Ellipse {
        corners: [shift(a), shift(b)],
    };
    let values = BoxValues {
        samples: &samples,
        columns,
        rows,
    };
    let mut missing = 0;
    for row in 0..rows {
        for column in 0..columns {
            let centre = [f64::from(column) + 0.5, f64::from(row) + 0.5];
            if region.contains(centre) && values.value(column, row).is_none() {
                missing += 1;
            }
        }
    }
    let [between_rows, between_columns] = plane.spacing_mm;
    let area_mm2 = std::f64::consts::PI / 4.0
        * ((right - left) * between_columns)
        * ((bottom - top) * between_rows);
    Some(EllipseStats {
        stats: region_stats(&region, &values),
        missing,
        area_mm2,
    })
}
