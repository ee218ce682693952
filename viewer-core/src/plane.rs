//! An image's plane in patient space (LPS, mm), and what two viewports need from each other's
//! planes: which slice of a parallel stack is nearest (synchronised scrolling) and where
//! another plane crosses this image (reference lines).

use crate::geometry::slice_normal;

/// Where an image lies: the centre of its first pixel, its row and column directions, the
/// spacing between columns and between rows, and its size in pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ImagePlane {
    pub origin_mm: [f64; 3],
    /// Direction of increasing column index (along a row), unit vector.
    pub row_dir: [f64; 3],
    /// Direction of increasing row index (down a column), unit vector.
    pub column_dir: [f64; 3],
    /// Distance between adjacent columns (along `row_dir`), mm.
    pub column_spacing_mm: f64,
    /// Distance between adjacent rows (along `column_dir`), mm.
    pub row_spacing_mm: f64,
    pub columns: u16,
    pub rows: u16,
}

fn dot(a: [f64; 3], b: [f64; 3]) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

fn sub(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}

impl ImagePlane {
    /// From Image Position / Orientation (Patient) and Pixel Spacing (row spacing, column
    /// spacing); `None` when a value is missing or degenerate.
    pub fn new(
        position_mm: [f64; 3],
        orientation: [f64; 6],
        pixel_spacing_mm: [f64; 2],
        rows: u16,
        columns: u16,
    ) -> Option<Self> {
        let row_dir = [orientation[0], orientation[1], orientation[2]];
        let column_dir = [orientation[3], orientation[4], orientation[5]];
        let unit = |v: [f64; 3]| (dot(v, v).sqrt() - 1.0).abs() < 0.01;
        let [row_spacing_mm, column_spacing_mm] = pixel_spacing_mm;
        let usable = unit(row_dir)
            && unit(column_dir)
            && dot(row_dir, column_dir).abs() < 0.01
            && row_spacing_mm > 0.0
            && column_spacing_mm > 0.0
            && rows > 0
            && columns > 0
            && position_mm.iter().all(|v| v.is_finite());
        usable.then_some(ImagePlane {
            origin_mm: position_mm,
            row_dir,
            column_dir,
            column_spacing_mm,
            row_spacing_mm,
            columns,
            rows,
        })
    }

    pub fn normal(&self) -> [f64; 3] {
        let o = [
            self.row_dir[0],
            self.row_dir[1],
            self.row_dir[2],
            self.column_dir[0],
            self.column_dir[1],
            self.column_dir[2],
        ];
        slice_normal(&o)
    }

    /// Signed distance of a point from this plane, along its normal, mm.
    pub fn distance_mm(&self, point_mm: [f64; 3]) -> f64 {
        dot(sub(point_mm, self.origin_mm), self.normal())
    }

    /// Whether two planes are parallel (within about 1°).
    pub fn is_parallel_to(&self, other: &ImagePlane) -> bool {
        dot(self.normal(), other.normal()).abs() > 0.9998
    }

    /// A point in patient space from image coordinates (pixel units, origin at the top-left
    /// corner of the first pixel: the first pixel's centre is (0.5, 0.5)).
    pub fn patient_from_image(&self, image_px: [f64; 2]) -> [f64; 3] {
        let (u, v) = (
            (image_px[0] - 0.5) * self.column_spacing_mm,
            (image_px[1] - 0.5) * self.row_spacing_mm,
        );
        [
            self.origin_mm[0] + u * self.row_dir[0] + v * self.column_dir[0],
            self.origin_mm[1] + u * self.row_dir[1] + v * self.column_dir[1],
            self.origin_mm[2] + u * self.row_dir[2] + v * self.column_dir[2],
        ]
    }

    /// Where `other` crosses this image, as a segment in this image's coordinates (pixel
    /// units, as [`ImagePlane::patient_from_image`]) clipped to the image; `None` when the
    /// planes are parallel or the line misses the image.
    pub fn intersection_in_image(&self, other: &ImagePlane) -> Option<([f64; 2], [f64; 2])> {
        if self.is_parallel_to(other) {
            return None;
        }
        // Signed distance to `other` of each image corner; the line is where it is zero.
        let (w, h) = (f64::from(self.columns), f64::from(self.rows));
        let corners = [[0.0, 0.0], [w, 0.0], [w, h], [0.0, h]];
        let d: Vec<f64> = corners
            .iter()
            .map(|&c| other.distance_mm(self.patient_from_image(c)))
            .collect();
        let mut points: Vec<[f64; 2]> = Vec::new();
        for i in 0..4 {
            let (a, b) = (corners[i], corners[(i + 1) % 4]);
            let (da, db) = (d[i], d[(i + 1) % 4]);
            if da == 0.0 {
                points.push(a);
            }
            if (da < 0.0 && db > 0.0) || (da > 0.0 && db < 0.0) {
                let t = da / (da - db);
                points.push([a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])]);
            }
        }
        points.dedup_by(|a, b| (a[0] - b[0]).abs() < 1e-9 && (a[1] - b[1]).abs() < 1e-9);
        match points.as_slice() {
            [first, .., last] if first != last => Some((*first, *last)),
            _ => None,
        }
    }
}

/// The index of the plane whose position along its normal is nearest to `point_mm`.
pub fn nearest_plane(planes: &[Option<ImagePlane>], point_mm: [f64; 3]) -> Option<usize> {
    planes
        .iter()
        .enumerate()
        .filter_map(|(i, p)| p.map(|p| (i, p.distance_mm(point_mm).abs())))
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    // The shared CT: axial, 512x512, 0.6269531 mm, first pixel at (-170.5, -324.5, z).
    fn axial(z: f64) -> ImagePlane {
        ImagePlane::new(
            [-170.5, -324.5, z],
            [1.0, 0.0, 0.0, 0.0, 1.0, 0.0],
            [0.6269531, 0.6269531],
            512,
            512,
        )
        .expect("valid plane")
    }

    /// A sagittal plane at x = `x` covering the CT: rows towards posterior, columns towards feet.
    fn sagittal(x: f64) -> ImagePlane {
        ImagePlane::new(
            [x, -324.5, -60.0],
            [0.0, 1.0, 0.0, 0.0, 0.0, -1.0],
            [5.0, 0.6269531],
            61,
            512,
        )
        .expect("valid plane")
    }

    #[test]
    fn nearest_parallel_slice_by_position() {
        let planes: Vec<Option<ImagePlane>> = (0..61)
            .map(|i| Some(axial(-360.0 + 5.0 * f64::from(i))))
            .collect();
        assert_eq!(nearest_plane(&planes, [0.0, 0.0, -351.0]), Some(2));
        assert_eq!(nearest_plane(&planes, [0.0, 0.0, 1000.0]), Some(60));
        assert!(axial(0.0).is_parallel_to(&axial(5.0)));
        assert!(!axial(0.0).is_parallel_to(&sagittal(0.0)));
    }

    #[test]
    fn a_sagittal_plane_crosses_the_axial_image_as_a_vertical_line() {
        // x = -170.5 + 0.6269531 * (col - 0.5): column 256.5 is x = 0.
        let x = -170.5 + 0.6269531 * 256.0;
        let (a, b) = axial(-200.0)
            .intersection_in_image(&sagittal(x))
            .expect("crosses");
        assert!((a[0] - 256.5).abs() < 1e-6 && (b[0] - 256.5).abs() < 1e-6);
        assert!((a[1] - b[1]).abs() - 512.0 < 1e-6 && (a[1] - b[1]).abs() > 511.9);
    }

    #[test]
    fn an_axial_plane_crosses_the_sagittal_image_as_a_horizontal_line() {
        // Sagittal rows go down in z from -60 by 5 mm: z = -60 - 5 (row - 0.5).
        let (a, b) = sagittal(0.0)
            .intersection_in_image(&axial(-80.0))
            .expect("crosses");
        assert!((a[1] - 4.5).abs() < 1e-6 && (b[1] - 4.5).abs() < 1e-6);
        // Outside the sagittal image's extent there is no line.
        assert!(sagittal(0.0).intersection_in_image(&axial(500.0)).is_none());
        assert!(axial(0.0).intersection_in_image(&axial(5.0)).is_none());
    }

    #[test]
    fn degenerate_geometry_is_refused() {
        let o = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0];
        assert!(ImagePlane::new([0.0; 3], o, [0.0, 1.0], 4, 4).is_none());
        assert!(
            ImagePlane::new([0.0; 3], [1.0, 0.0, 0.0, 1.0, 0.0, 0.0], [1.0, 1.0], 4, 4).is_none()
        );
        assert!(ImagePlane::new([f64::NAN, 0.0, 0.0], o, [1.0, 1.0], 4, 4).is_none());
    }
}
