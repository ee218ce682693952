//! Measurements on one image: lengths, angles, region statistics and point probes, with the
//! units the pixel spacing allows.
//!
//! Frame: *image* coordinates as in [`crate::view`]: x along a row (columns), y down the
//! columns (rows), origin at the top-left corner of the first pixel, so pixel `(c, r)` covers
//! `[c, c+1) × [r, r+1)` and its centre is `(c + 0.5, r + 0.5)`. These are also the
//! coordinates of SR SCOORD Graphic Data (PS3.3 C.18.6.1.1).
//!
//! A region holds the pixels whose centre lies inside it. Statistics are in modality units
//! (after the Modality LUT or rescale); the standard deviation is the population one
//! (divided by N), as the region is the whole population measured.

use crate::study::PixelSpacing;

/// A point in image coordinates (pixels).
pub type ImagePoint = [f64; 2];

/// What a physical quantity is measured in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LengthUnit {
    /// Millimetres in the patient (Pixel Spacing).
    Mm,
    /// Millimetres at the detector (Imager Pixel Spacing only): not corrected for the
    /// geometric magnification, so larger than in the patient.
    DetectorMm,
    /// Image pixels: the image says nothing of its size.
    Px,
}

impl LengthUnit {
    /// The unit in which `spacing` lets an image be measured.
    pub fn of(spacing: PixelSpacing) -> Self {
        match spacing {
            PixelSpacing::Patient { .. } => LengthUnit::Mm,
            PixelSpacing::Detector { .. } => LengthUnit::DetectorMm,
            PixelSpacing::Uncalibrated => LengthUnit::Px,
        }
    }

    /// Whether the value is a physical length (mm).
    pub fn is_calibrated(self) -> bool {
        self != LengthUnit::Px
    }
}

/// Millimetres per pixel along x (between columns) and y (between rows); 1 and 1 when the
/// image is uncalibrated, so the results are then in pixels.
fn mm_per_px(spacing: PixelSpacing) -> [f64; 2] {
    match spacing {
        PixelSpacing::Patient { row_mm, column_mm }
        | PixelSpacing::Detector { row_mm, column_mm } => [column_mm, row_mm],
        PixelSpacing::Uncalibrated => [1.0, 1.0],
    }
}

/// A length or an area with its unit (areas are in the square of the unit).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Measured {
    pub value: f64,
    pub unit: LengthUnit,
}

/// The distance between two points.
pub fn length(a: ImagePoint, b: ImagePoint, spacing: PixelSpacing) -> Measured {
    let [sx, sy] = mm_per_px(spacing);
    let (dx, dy) = ((b[0] - a[0]) * sx, (b[1] - a[1]) * sy);
    Measured {
        value: dx.hypot(dy),
        unit: LengthUnit::of(spacing),
    }
}

/// The angle at `vertex` between the rays to `a` and to `b`, in degrees (0 to 180), measured
/// in the patient's plane (unequal pixel spacing taken into account); `None` when a ray has
/// no length.
pub fn angle_deg(
    a: ImagePoint,
    vertex: ImagePoint,
    b: ImagePoint,
    spacing: PixelSpacing,
) -> Option<f64> {
    let [sx, sy] = mm_per_px(spacing);
    let u = [(a[0] - vertex[0]) * sx, (a[1] - vertex[1]) * sy];
    let v = [(b[0] - vertex[0]) * sx, (b[1] - vertex[1]) * sy];
    let (nu, nv) = (u[0].hypot(u[1]), v[0].hypot(v[1]));
    if nu < 1e-9 || nv < 1e-9 {
        return None;
    }
    let cross = u[0] * v[1] - u[1] * v[0];
    let dot = u[0] * v[0] + u[1] * v[1];
    Some(cross.abs().atan2(dot).to_degrees())
}

/// A region of interest drawn by the reader, given by two opposite corners of its bounding
/// box (axis-aligned in the image).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Region {
    Ellipse { corners: [ImagePoint; 2] },
    Rectangle { corners: [ImagePoint; 2] },
}

impl Region {
    fn corners(&self) -> [ImagePoint; 2] {
        match *self {
            Region::Ellipse { corners } | Region::Rectangle { corners } => corners,
        }
    }

    /// Left, top, right, bottom.
    fn bounds(&self) -> [f64; 4] {
        let [a, b] = self.corners();
        [
            a[0].min(b[0]),
            a[1].min(b[1]),
            a[0].max(b[0]),
            a[1].max(b[1]),
        ]
    }

    /// Whether the image point `p` lies inside the region.
    pub fn contains(&self, p: ImagePoint) -> bool {
        let [l, t, r, b] = self.bounds();
        match self {
            Region::Rectangle { .. } => p[0] >= l && p[0] <= r && p[1] >= t && p[1] <= b,
            Region::Ellipse { .. } => {
                let (rx, ry) = ((r - l) / 2.0, (b - t) / 2.0);
                if rx <= 0.0 || ry <= 0.0 {
                    return false;
                }
                let (cx, cy) = ((l + r) / 2.0, (t + b) / 2.0);
                let (nx, ny) = ((p[0] - cx) / rx, (p[1] - cy) / ry);
                nx * nx + ny * ny <= 1.0
            }
        }
    }

    /// The drawn shape's area (not the count of pixels inside it).
    pub fn area(&self, spacing: PixelSpacing) -> Measured {
        let [l, t, r, b] = self.bounds();
        let [sx, sy] = mm_per_px(spacing);
        let (w, h) = ((r - l) * sx, (b - t) * sy);
        let value = match self {
            Region::Rectangle { .. } => w * h,
            Region::Ellipse { .. } => std::f64::consts::PI * w * h / 4.0,
        };
        Measured {
            value,
            unit: LengthUnit::of(spacing),
        }
    }
}

/// Statistics of the pixels of a region, in modality units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RegionStats {
    /// Pixels whose centre lies inside the region.
    pub pixels: usize,
    pub mean: f64,
    /// Population standard deviation.
    pub sd: f64,
    pub min: f64,
    pub max: f64,
}

/// One frame's values as measurements read them: `value(column, row)` in modality units.
pub trait FrameValues {
    fn columns(&self) -> u32;
    fn rows(&self) -> u32;
    /// The modality value of a single-sample pixel; `None` outside the image.
    fn value(&self, column: u32, row: u32) -> Option<f64>;
}

/// A decoded single-sample frame read in modality units through its image's Modality LUT
/// or rescale.
pub struct ModalityFrame<'a> {
    pub frame: &'a crate::DecodedFrame,
    pub image: &'a crate::study::StackImage,
}

impl FrameValues for ModalityFrame<'_> {
    fn columns(&self) -> u32 {
        u32::from(self.frame.columns)
    }
    fn rows(&self) -> u32 {
        u32::from(self.frame.rows)
    }
    fn value(&self, column: u32, row: u32) -> Option<f64> {
        if self.frame.samples_per_pixel != 1 || column >= self.columns() || row >= self.rows() {
            return None;
        }
        let index = row as usize * self.columns() as usize + column as usize;
        self.frame
            .samples
            .get(index)
            .map(|stored| self.image.modality_value(stored))
    }
}

/// The statistics of the pixels inside `region`; `None` when no pixel centre lies inside it
/// (a region smaller than a pixel, or outside the image).
pub fn region_stats(region: &Region, frame: &impl FrameValues) -> Option<RegionStats> {
    let [l, t, r, b] = region.bounds();
    // Pixel centres c + 0.5 within [l, r]: c from ceil(l - 0.5) to floor(r - 0.5).
    let span = |lo: f64, hi: f64, n: u32| -> Option<(u32, u32)> {
        let first = (lo - 0.5).ceil().max(0.0);
        let last = (hi - 0.5).floor().min(f64::from(n) - 1.0);
        (first <= last).then_some((first as u32, last as u32))
    };
    let (c0, c1) = span(l, r, frame.columns())?;
    let (r0, r1) = span(t, b, frame.rows())?;
    let (mut n, mut sum, mut min, mut max) = (0usize, 0.0f64, f64::INFINITY, f64::NEG_INFINITY);
    let mut values = Vec::new();
    for row in r0..=r1 {
        for column in c0..=c1 {
            let centre = [f64::from(column) + 0.5, f64::from(row) + 0.5];
            if !region.contains(centre) {
                continue;
            }
            let Some(v) = frame.value(column, row) else {
                continue;
            };
            n += 1;
            sum += v;
            min = min.min(v);
            max = max.max(v);
            values.push(v);
        }
    }
    if n == 0 {
        return None;
    }
    let mean = sum / n as f64;
    // Two passes: the squared deviations from the mean, stable for large values (CT).
    let variance = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n as f64;
    Some(RegionStats {
        pixels: n,
        mean,
        sd: variance.sqrt(),
        min,
        max,
    })
}

/// The pixel under an image point (column, row), when it is inside an image of that size.
pub fn pixel_at(p: ImagePoint, columns: u32, rows: u32) -> Option<(u32, u32)> {
    let (c, r) = (p[0].floor(), p[1].floor());
    (c >= 0.0 && r >= 0.0 && c < f64::from(columns) && r < f64::from(rows))
        .then_some((c as u32, r as u32))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A frame whose value at (c, r) is `c + 100 r`.
    struct Ramp {
        columns: u32,
        rows: u32,
    }

    impl FrameValues for Ramp {
        fn columns(&self) -> u32 {
            self.columns
        }
        fn rows(&self) -> u32 {
            self.rows
        }
        fn value(&self, column: u32, row: u32) -> Option<f64> {
            (column < self.columns && row < self.rows)
                .then(|| f64::from(column) + 100.0 * f64::from(row))
        }
    }

    const CT: PixelSpacing = PixelSpacing::Patient {
        row_mm: 0.626_953_1,
        column_mm: 0.626_953_1,
    };

    #[test]
    fn lengths_follow_the_spacing_along_each_axis() {
        let along_row = length([10.0, 20.0], [110.0, 20.0], CT);
        assert!((along_row.value - 62.695_31).abs() < 1e-9);
        assert_eq!(along_row.unit, LengthUnit::Mm);
        let unequal = PixelSpacing::Detector {
            row_mm: 2.0,
            column_mm: 1.0,
        };
        let diagonal = length([0.0, 0.0], [3.0, 2.0], unequal);
        assert!((diagonal.value - 5.0).abs() < 1e-12);
        assert_eq!(diagonal.unit, LengthUnit::DetectorMm);
        let px = length([0.0, 0.0], [3.0, 4.0], PixelSpacing::Uncalibrated);
        assert_eq!((px.value, px.unit), (5.0, LengthUnit::Px));
        assert!(!px.unit.is_calibrated());
    }

    #[test]
    fn angles_are_measured_in_the_patient_plane() {
        let right = angle_deg([10.0, 0.0], [0.0, 0.0], [0.0, 10.0], CT).expect("test value");
        assert!((right - 90.0).abs() < 1e-9);
        let straight = angle_deg([-1.0, 0.0], [0.0, 0.0], [1.0, 0.0], CT).expect("test value");
        assert!((straight - 180.0).abs() < 1e-9);
        // 45° on screen in pixels is 63.43° when rows are twice as far apart as columns.
        let tall = PixelSpacing::Patient {
            row_mm: 2.0,
            column_mm: 1.0,
        };
        let a = angle_deg([1.0, 0.0], [0.0, 0.0], [1.0, 1.0], tall).expect("test value");
        assert!((a - 2.0f64.atan().to_degrees()).abs() < 1e-9);
        assert_eq!(angle_deg([0.0, 0.0], [0.0, 0.0], [1.0, 1.0], CT), None);
    }

    #[test]
    fn rectangle_stats_count_the_pixel_centres_inside() {
        let frame = Ramp {
            columns: 10,
            rows: 10,
        };
        // Covers pixels 2..=4 in x and 1..=2 in y exactly.
        let region = Region::Rectangle {
            corners: [[5.0, 3.0], [2.0, 1.0]],
        };
        let s = region_stats(&region, &frame).expect("test value");
        assert_eq!(s.pixels, 6);
        assert_eq!((s.min, s.max), (102.0, 204.0));
        assert!((s.mean - 153.0).abs() < 1e-12);
        // Values 102,103,104,202,203,204: deviations ±50 plus ±1 around the row means.
        let expected_sd = ((3.0 * 2500.0 + 3.0 * 2500.0 + 4.0) / 6.0f64).sqrt();
        assert!((s.sd - expected_sd).abs() < 1e-9);
        let area = region.area(PixelSpacing::Uncalibrated);
        assert_eq!((area.value, area.unit), (6.0, LengthUnit::Px));
    }

    #[test]
    fn ellipse_keeps_the_pixels_within_its_outline() {
        let frame = Ramp {
            columns: 64,
            rows: 64,
        };
        let region = Region::Ellipse {
            corners: [[12.0, 12.0], [52.0, 52.0]],
        };
        let s = region_stats(&region, &frame).expect("test value");
        // A disc of radius 20 holds about π·400 pixel centres.
        let expected = std::f64::consts::PI * 400.0;
        assert!(
            (s.pixels as f64 - expected).abs() < 0.02 * expected,
            "{}",
            s.pixels
        );
        // Symmetric about the centre (32, 32): mean of c + 100 r there.
        assert!((s.mean - (31.5 + 3150.0)).abs() < 1e-9);
        assert!(!region.contains([12.5, 12.5]) && region.contains([32.0, 32.0]));
        let area = region.area(CT);
        let mm = 40.0 * 0.626_953_1;
        assert!((area.value - std::f64::consts::PI * mm * mm / 4.0).abs() < 1e-9);
    }

    #[test]
    fn regions_outside_or_thinner_than_a_pixel_have_no_stats() {
        let frame = Ramp {
            columns: 8,
            rows: 8,
        };
        let outside = Region::Rectangle {
            corners: [[20.0, 20.0], [30.0, 30.0]],
        };
        assert_eq!(region_stats(&outside, &frame), None);
        let sliver = Region::Rectangle {
            corners: [[2.6, 2.0], [3.4, 6.0]],
        };
        assert_eq!(region_stats(&sliver, &frame), None);
        let flat = Region::Ellipse {
            corners: [[1.0, 1.0], [5.0, 1.0]],
        };
        assert_eq!(region_stats(&flat, &frame), None);
        // Part outside the image: only the pixels inside count.
        let edge = Region::Rectangle {
            corners: [[-4.0, -4.0], [1.0, 1.0]],
        };
        assert_eq!(region_stats(&edge, &frame).expect("test value").pixels, 1);
    }

    #[test]
    fn the_pixel_under_a_point() {
        assert_eq!(pixel_at([0.0, 0.0], 4, 4), Some((0, 0)));
        assert_eq!(pixel_at([3.99, 2.5], 4, 4), Some((3, 2)));
        assert_eq!(pixel_at([4.0, 0.0], 4, 4), None);
        assert_eq!(pixel_at([-0.1, 0.0], 4, 4), None);
    }
}
