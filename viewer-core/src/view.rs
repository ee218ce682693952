//! How an image sits in a viewport: fit, zoom, pan, quarter-turn rotation and flips, as one
//! affine map from image pixels to the canvas; and what follows from it on screen: the
//! patient-direction markers on each side (from Image Orientation (Patient)) and the scale
//! bar (from the pixel spacing).
//!
//! Frames: *image* coordinates are pixels, x along a row (to the right), y down the columns,
//! the origin at the top-left corner of the first pixel. *Canvas* coordinates are device
//! pixels of the drawing buffer, same conventions. *Clip* coordinates are WebGL's, y up.

/// The reader's choices for one viewport. `zoom` 1 is "fit": the whole image in the canvas.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ViewState {
    pub zoom: f64,
    /// Offset of the image centre from the canvas centre, in canvas pixels.
    pub pan_px: [f64; 2],
    /// Clockwise quarter turns, 0..=3.
    pub quarter_turns: u8,
    /// Mirror left-right (applied after the rotation, on screen).
    pub flip_horizontal: bool,
    /// Mirror top-bottom (applied after the rotation, on screen).
    pub flip_vertical: bool,
    /// Height of a pixel over its width (row spacing / column spacing; 1 for square pixels),
    /// so that images with unequal spacing keep their true proportions.
    pub pixel_aspect: f64,
}

impl Default for ViewState {
    fn default() -> Self {
        ViewState {
            zoom: 1.0,
            pan_px: [0.0, 0.0],
            quarter_turns: 0,
            flip_horizontal: false,
            flip_vertical: false,
            pixel_aspect: 1.0,
        }
    }
}

/// Zoom is kept within these bounds (relative to fit).
pub const MIN_ZOOM: f64 = 0.05;
pub const MAX_ZOOM: f64 = 64.0;

/// An affine map `p' = m · p + t` with `m` row-major 2x2.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Affine {
    pub m: [f64; 4],
    pub t: [f64; 2],
}

impl Affine {
    pub fn apply(&self, p: [f64; 2]) -> [f64; 2] {
        [
            self.m[0] * p[0] + self.m[1] * p[1] + self.t[0],
            self.m[2] * p[0] + self.m[3] * p[1] + self.t[1],
        ]
    }

    /// The inverse map, or `None` when the map is degenerate.
    pub fn inverse(&self) -> Option<Affine> {
        let [a, b, c, d] = self.m;
        let det = a * d - b * c;
        if det.abs() < 1e-12 {
            return None;
        }
        let m = [d / det, -b / det, -c / det, a / det];
        let t = [
            -(m[0] * self.t[0] + m[1] * self.t[1]),
            -(m[2] * self.t[0] + m[3] * self.t[1]),
        ];
        Some(Affine { m, t })
    }
}

impl ViewState {
    /// The on-screen direction unit matrix: rotation then flips, acting on image axes.
    fn orientation_matrix(&self) -> [f64; 4] {
        // Clockwise on screen (y down): (x, y) -> (-y, x).
        let rotation = match self.quarter_turns % 4 {
            0 => [1.0, 0.0, 0.0, 1.0],
            1 => [0.0, -1.0, 1.0, 0.0],
            2 => [-1.0, 0.0, 0.0, -1.0],
            _ => [0.0, 1.0, -1.0, 0.0],
        };
        let fx = if self.flip_horizontal { -1.0 } else { 1.0 };
        let fy = if self.flip_vertical { -1.0 } else { 1.0 };
        [
            fx * rotation[0],
            fx * rotation[1],
            fy * rotation[2],
            fy * rotation[3],
        ]
    }

    fn aspect(&self) -> f64 {
        if self.pixel_aspect.is_finite() && self.pixel_aspect > 0.0 {
            self.pixel_aspect
        } else {
            1.0
        }
    }

    /// Canvas pixels per image column (the width of an image pixel) at this zoom; a pixel is
    /// `pixel_aspect` times as tall.
    pub fn scale(&self, image_px: [f64; 2], canvas_px: [f64; 2]) -> f64 {
        let turned = self.quarter_turns % 2 == 1;
        let (width, height) = (image_px[0], image_px[1] * self.aspect());
        let (w, h) = if turned {
            (height, width)
        } else {
            (width, height)
        };
        let fit = (canvas_px[0] / w.max(1.0)).min(canvas_px[1] / h.max(1.0));
        fit * self.zoom
    }

    /// Image pixel coordinates to canvas pixel coordinates.
    pub fn canvas_from_image(&self, image_px: [f64; 2], canvas_px: [f64; 2]) -> Affine {
        let s = self.scale(image_px, canvas_px);
        let sy = s * self.aspect();
        let o = self.orientation_matrix();
        let m = [o[0] * s, o[1] * sy, o[2] * s, o[3] * sy];
        let centre = [image_px[0] / 2.0, image_px[1] / 2.0];
        let target = [
            canvas_px[0] / 2.0 + self.pan_px[0],
            canvas_px[1] / 2.0 + self.pan_px[1],
        ];
        let t = [
            target[0] - (m[0] * centre[0] + m[1] * centre[1]),
            target[1] - (m[2] * centre[0] + m[3] * centre[1]),
        ];
        Affine { m, t }
    }

    /// Canvas pixel coordinates to image pixel coordinates (where the reader points).
    pub fn image_from_canvas(&self, image_px: [f64; 2], canvas_px: [f64; 2]) -> Option<Affine> {
        self.canvas_from_image(image_px, canvas_px).inverse()
    }

    /// Zooms by `factor` keeping the canvas point `anchor_px` over the same image point.
    pub fn zoomed_at(&self, factor: f64, anchor_px: [f64; 2], canvas_px: [f64; 2]) -> Self {
        let zoom = (self.zoom * factor).clamp(MIN_ZOOM, MAX_ZOOM);
        let applied = zoom / self.zoom;
        let centre = [
            canvas_px[0] / 2.0 + self.pan_px[0],
            canvas_px[1] / 2.0 + self.pan_px[1],
        ];
        let new_centre = [
            anchor_px[0] + (centre[0] - anchor_px[0]) * applied,
            anchor_px[1] + (centre[1] - anchor_px[1]) * applied,
        ];
        ViewState {
            zoom,
            pan_px: [
                new_centre[0] - canvas_px[0] / 2.0,
                new_centre[1] - canvas_px[1] / 2.0,
            ],
            ..*self
        }
    }

    /// This view (its rotation and flips kept) zoomed and panned so that the image area
    /// `bounds` (left, top, right, bottom in image pixels) fills the canvas and is centred;
    /// `magnify` instead sets canvas pixels per image pixel (a presentation state's ratio).
    pub fn showing_area(
        &self,
        image_px: [f64; 2],
        canvas_px: [f64; 2],
        bounds: [f64; 4],
        magnify: Option<f64>,
    ) -> Self {
        let [l, t, r, b] = bounds;
        let fit_whole = ViewState {
            zoom: 1.0,
            pan_px: [0.0, 0.0],
            ..*self
        }
        .scale(image_px, canvas_px);
        let area = ViewState {
            zoom: 1.0,
            pan_px: [0.0, 0.0],
            ..*self
        }
        .scale([r - l, b - t], canvas_px);
        let scale = magnify.unwrap_or(area);
        let zoom = (scale / fit_whole.max(1e-12)).clamp(MIN_ZOOM, MAX_ZOOM);
        let at_zoom = ViewState {
            zoom,
            pan_px: [0.0, 0.0],
            ..*self
        };
        let centre = at_zoom
            .canvas_from_image(image_px, canvas_px)
            .apply([(l + r) / 2.0, (t + b) / 2.0]);
        ViewState {
            pan_px: [
                canvas_px[0] / 2.0 - centre[0],
                canvas_px[1] / 2.0 - centre[1],
            ],
            ..at_zoom
        }
    }

    /// The zoom at which one image pixel covers one canvas pixel ("1:1").
    pub fn one_to_one_zoom(&self, image_px: [f64; 2], canvas_px: [f64; 2]) -> f64 {
        let fit = ViewState { zoom: 1.0, ..*self }.scale(image_px, canvas_px);
        (1.0 / fit).clamp(MIN_ZOOM, MAX_ZOOM)
    }

    pub fn rotated_clockwise(&self) -> Self {
        // A turn after a single flip turns the other way on the image.
        let flipped_once = self.flip_horizontal != self.flip_vertical;
        let step = if flipped_once { 3 } else { 1 };
        ViewState {
            quarter_turns: (self.quarter_turns + step) % 4,
            ..*self
        }
    }

    /// Where the image's right (+x) and down (+y) axes point on screen, as unit vectors.
    pub fn screen_axes(&self) -> ([f64; 2], [f64; 2]) {
        let o = self.orientation_matrix();
        ([o[0], o[2]], [o[1], o[3]])
    }
}

/// Letters for a direction in the patient frame (LPS): the dominant axes first, each above
/// a small obliquity threshold, at most three letters (e.g. "L", "AF", "LPH").
pub fn direction_letters(v: [f64; 3]) -> String {
    let names = [('L', 'R'), ('P', 'A'), ('H', 'F')];
    let mut axes: Vec<(f64, char)> = v
        .iter()
        .zip(names)
        .map(|(&c, (pos, neg))| (c.abs(), if c >= 0.0 { pos } else { neg }))
        .filter(|(m, _)| *m > 0.25)
        .collect();
    axes.sort_by(|a, b| b.0.total_cmp(&a.0));
    axes.into_iter().map(|(_, c)| c).collect()
}

/// The patient-direction labels at the four edges of the viewport, `[left, right, top,
/// bottom]`, for an image with Image Orientation (Patient) `orientation` shown as `view`.
pub fn edge_labels(orientation: &[f64; 6], view: &ViewState) -> [String; 4] {
    let row = [orientation[0], orientation[1], orientation[2]];
    let column = [orientation[3], orientation[4], orientation[5]];
    let (x_on_screen, y_on_screen) = view.screen_axes();
    // Patient direction of screen right: the image axis that lands on +x, with its sign.
    let towards = |screen: [f64; 2]| -> [f64; 3] {
        let along_row = x_on_screen[0] * screen[0] + x_on_screen[1] * screen[1];
        let along_column = y_on_screen[0] * screen[0] + y_on_screen[1] * screen[1];
        [
            row[0] * along_row + column[0] * along_column,
            row[1] * along_row + column[1] * along_column,
            row[2] * along_row + column[2] * along_column,
        ]
    };
    let right = towards([1.0, 0.0]);
    let down = towards([0.0, 1.0]);
    let negate = |v: [f64; 3]| [-v[0], -v[1], -v[2]];
    [
        direction_letters(negate(right)),
        direction_letters(right),
        direction_letters(negate(down)),
        direction_letters(down),
    ]
}

/// A scale bar: a round length in millimetres and its length in canvas pixels, chosen to
/// span at most `max_fraction` of the canvas width.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScaleBar {
    pub length_mm: f64,
    pub length_px: f64,
}

/// The scale bar for `spacing_mm` (the horizontal size of an image pixel on screen, mm) at
/// `canvas_per_image_px` canvas pixels per image pixel; `None` when even 0.1 mm is too long.
pub fn scale_bar(
    spacing_mm: f64,
    canvas_per_image_px: f64,
    canvas_width_px: f64,
    max_fraction: f64,
) -> Option<ScaleBar> {
    if !(spacing_mm > 0.0 && canvas_per_image_px > 0.0) {
        return None;
    }
    let px_per_mm = canvas_per_image_px / spacing_mm;
    let limit = canvas_width_px * max_fraction;
    const STEPS_MM: [f64; 16] = [
        0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0, 2000.0,
        5000.0, 10000.0,
    ];
    STEPS_MM
        .iter()
        .rev()
        .map(|&mm| ScaleBar {
            length_mm: mm,
            length_px: mm * px_per_mm,
        })
        .find(|bar| bar.length_px <= limit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_area_fills_the_canvas_centred_whatever_the_rotation() {
        for quarter_turns in 0..4 {
            let view = ViewState {
                quarter_turns,
                ..ViewState::default()
            };
            let shown = view.showing_area(
                [512.0, 512.0],
                [800.0, 600.0],
                [100.0, 50.0, 300.0, 250.0],
                None,
            );
            let map = shown.canvas_from_image([512.0, 512.0], [800.0, 600.0]);
            let [a, b] = [map.apply([100.0, 50.0]), map.apply([300.0, 250.0])];
            let centre = [(a[0] + b[0]) / 2.0, (a[1] + b[1]) / 2.0];
            assert!((centre[0] - 400.0).abs() < 1e-9 && (centre[1] - 300.0).abs() < 1e-9);
            // 200 image pixels fill the canvas's 600 px height.
            assert!(
                ((a[1] - b[1]).abs() - 600.0).abs() < 1e-9,
                "{quarter_turns}: {a:?} {b:?}"
            );
        }
        let one_to_one = ViewState::default().showing_area(
            [512.0, 512.0],
            [800.0, 600.0],
            [0.0, 0.0, 512.0, 512.0],
            Some(2.0),
        );
        assert!((one_to_one.scale([512.0, 512.0], [800.0, 600.0]) - 2.0).abs() < 1e-9);
    }

    const AXIAL: [f64; 6] = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0];
    const IMAGE: [f64; 2] = [512.0, 256.0];
    const CANVAS: [f64; 2] = [800.0, 600.0];

    fn close(a: [f64; 2], b: [f64; 2]) -> bool {
        (a[0] - b[0]).abs() < 1e-9 && (a[1] - b[1]).abs() < 1e-9
    }

    #[test]
    fn fit_centres_the_image_and_fills_the_limiting_side() {
        let map = ViewState::default().canvas_from_image(IMAGE, CANVAS);
        // 512 wide into 800: scale 800/512 = 1.5625, height 400 centred in 600.
        assert!(close(map.apply([0.0, 0.0]), [0.0, 100.0]));
        assert!(close(map.apply([512.0, 256.0]), [800.0, 500.0]));
    }

    #[test]
    fn a_quarter_turn_puts_the_image_top_on_the_right() {
        let view = ViewState::default().rotated_clockwise();
        let map = view.canvas_from_image(IMAGE, CANVAS);
        // Turned, the image is 256 wide and 512 high: scale min(800/256, 600/512) = 1.171875.
        let top_centre = map.apply([256.0, 0.0]);
        let bottom_centre = map.apply([256.0, 256.0]);
        assert!(top_centre[0] > bottom_centre[0], "top edge moved right");
        assert!((top_centre[1] - 300.0).abs() < 1e-9);
        assert!((view.scale(IMAGE, CANVAS) - 600.0 / 512.0).abs() < 1e-12);
    }

    #[test]
    fn image_from_canvas_inverts_canvas_from_image() {
        let view = ViewState {
            zoom: 2.5,
            pan_px: [13.0, -7.0],
            quarter_turns: 3,
            flip_horizontal: true,
            flip_vertical: false,
            pixel_aspect: 1.7,
        };
        let forward = view.canvas_from_image(IMAGE, CANVAS);
        let back = view.image_from_canvas(IMAGE, CANVAS).expect("invertible");
        for p in [[0.0, 0.0], [100.5, 30.25], [512.0, 256.0]] {
            assert!(close(back.apply(forward.apply(p)), p));
        }
    }

    #[test]
    fn zoom_keeps_the_anchor_over_the_same_image_point() {
        let view = ViewState::default();
        let anchor = [200.0, 150.0];
        let before = view
            .image_from_canvas(IMAGE, CANVAS)
            .expect("map")
            .apply(anchor);
        let zoomed = view.zoomed_at(3.0, anchor, CANVAS);
        let after = zoomed
            .image_from_canvas(IMAGE, CANVAS)
            .expect("map")
            .apply(anchor);
        assert!(close(before, after));
        assert_eq!(zoomed.zoom, 3.0);
        assert_eq!(view.zoomed_at(1e9, anchor, CANVAS).zoom, MAX_ZOOM);
    }

    #[test]
    fn unequal_spacing_keeps_the_true_proportions() {
        // 512 columns of 0.627 mm by 61 rows of 5 mm: 321 mm by 305 mm.
        let view = ViewState {
            pixel_aspect: 5.0 / 0.6269531,
            ..ViewState::default()
        };
        let map = view.canvas_from_image([512.0, 61.0], CANVAS);
        let top_left = map.apply([0.0, 0.0]);
        let bottom_right = map.apply([512.0, 61.0]);
        let (w, h) = (bottom_right[0] - top_left[0], bottom_right[1] - top_left[1]);
        assert!((w / h - (512.0 * 0.6269531) / (61.0 * 5.0)).abs() < 1e-9);
        assert!(
            (w - 800.0).abs() < 1e-9 || (h - 600.0).abs() < 1e-9,
            "fitted"
        );
    }

    #[test]
    fn one_to_one_shows_one_image_pixel_per_canvas_pixel() {
        let view = ViewState::default();
        let z = view.one_to_one_zoom(IMAGE, CANVAS);
        let scale = ViewState { zoom: z, ..view }.scale(IMAGE, CANVAS);
        assert!((scale - 1.0).abs() < 1e-12);
    }

    #[test]
    fn axial_markers_follow_rotation_and_flips() {
        // Axial, rows towards patient left, columns towards posterior: R on the left, A on top.
        let labels = |v: ViewState| edge_labels(&AXIAL, &v);
        assert_eq!(
            labels(ViewState::default()),
            ["R", "L", "A", "P"].map(String::from)
        );
        let turned = ViewState::default().rotated_clockwise();
        assert_eq!(labels(turned), ["P", "A", "R", "L"].map(String::from));
        let mirrored = ViewState {
            flip_horizontal: true,
            ..ViewState::default()
        };
        assert_eq!(labels(mirrored), ["L", "R", "A", "P"].map(String::from));
        let upside_down = ViewState {
            flip_vertical: true,
            ..ViewState::default()
        };
        assert_eq!(labels(upside_down), ["R", "L", "P", "A"].map(String::from));
    }

    #[test]
    fn rotation_after_one_flip_still_turns_clockwise_on_screen() {
        let flipped = ViewState {
            flip_horizontal: true,
            ..ViewState::default()
        };
        let turned = flipped.rotated_clockwise();
        // Clockwise on screen: what was on top (A) goes to the right.
        assert_eq!(edge_labels(&AXIAL, &turned)[1], "A");
    }

    #[test]
    fn sagittal_coronal_and_oblique_letters() {
        // Sagittal: rows towards posterior, columns towards feet.
        let sagittal = [0.0, 1.0, 0.0, 0.0, 0.0, -1.0];
        assert_eq!(
            edge_labels(&sagittal, &ViewState::default()),
            ["A", "P", "H", "F"].map(String::from)
        );
        // Coronal: rows towards left, columns towards feet.
        let coronal = [1.0, 0.0, 0.0, 0.0, 0.0, -1.0];
        assert_eq!(
            edge_labels(&coronal, &ViewState::default()),
            ["R", "L", "H", "F"].map(String::from)
        );
        let c = std::f64::consts::FRAC_1_SQRT_2;
        assert_eq!(direction_letters([c, 0.0, -c]), "LF");
        assert_eq!(direction_letters([0.9, 0.3, 0.1]), "LP");
    }

    #[test]
    fn scale_bar_is_a_round_length_within_its_share_of_the_canvas() {
        // 0.627 mm pixels at 1.5625 canvas px per pixel: 2.49 px/mm; 25 % of 800 = 200 px.
        let bar = scale_bar(0.6269531, 1.5625, 800.0, 0.25).expect("a bar");
        assert_eq!(bar.length_mm, 50.0);
        assert!((bar.length_px - 50.0 * 1.5625 / 0.6269531).abs() < 1e-9);
        assert!(scale_bar(0.0, 1.0, 800.0, 0.25).is_none());
        assert!(scale_bar(f64::NAN, 1.0, 800.0, 0.25).is_none());
    }
}
