//! The display state of one viewport: which slice, which grey levels, which placement,
//! inverted or not, with which interpolation. It changes only through [`Action`]s, and what is
//! drawn (the VOI in force, the draw settings) is derived from it on read, with the image's
//! own defaults as fallbacks: the reader's or a presentation state's choice, else the file's
//! first window, else its first VOI LUT, else the series' data range.
//!
//! The web app's viewport holds one signal of it and dispatches actions; the renderer reads
//! [`DisplayState::draw`].

use crate::pixel_module::Photometric;
use crate::study::StackImage;
use crate::view::ViewState;
use crate::voi::{VoiFunction, WindowLevel};

/// How stored values between pixel centres are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Interpolation {
    /// Each pixel's own value (exact pixels, the default).
    #[default]
    Nearest,
    /// Bilinear interpolation of modality values.
    Bilinear,
}

impl Interpolation {
    pub fn is_smooth(self) -> bool {
        self == Interpolation::Bilinear
    }
}

/// The grey levels chosen for a viewport (by the reader or a presentation state).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum VoiChoice {
    /// A window in modality units.
    Window(WindowLevel),
    /// One of the image's VOI LUTs (its index in the image's list).
    Lut(usize),
}

/// The grey levels in force for a frame, and through which function.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum VoiInForce {
    Window {
        window: WindowLevel,
        function: VoiFunction,
    },
    Lut(usize),
}

impl VoiInForce {
    pub fn window(&self) -> Option<WindowLevel> {
        match self {
            VoiInForce::Window { window, .. } => Some(*window),
            VoiInForce::Lut(_) => None,
        }
    }

    pub fn lut(&self) -> Option<usize> {
        match self {
            VoiInForce::Lut(i) => Some(*i),
            VoiInForce::Window { .. } => None,
        }
    }
}

/// What the image offers for its display: the fallbacks of the state.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ImageDisplay {
    /// The file's first window (Window Center/Width), in modality units.
    pub first_window: Option<WindowLevel>,
    /// VOI LUT Sequence items.
    pub voi_luts: usize,
    pub voi_function: VoiFunction,
    /// MONOCHROME1 (low values bright) and Presentation LUT INVERSE each flip the grey scale.
    pub inverted_by_image: bool,
}

impl ImageDisplay {
    pub fn of(image: &StackImage) -> Self {
        let photometric = image.module.as_ref().ok().map(|m| &m.photometric);
        ImageDisplay {
            first_window: image.windows.first().map(|p| p.window),
            voi_luts: image.voi_luts.len(),
            voi_function: image.voi_function,
            inverted_by_image: inverted_by_image(photometric, image.inverse),
        }
    }
}

/// Whether an image is shown inverted before the reader's own inversion: MONOCHROME1 shows low
/// values bright, and Presentation LUT Shape INVERSE flips again.
pub fn inverted_by_image(photometric: Option<&Photometric>, presentation_inverse: bool) -> bool {
    (photometric == Some(&Photometric::Monochrome1)) != presentation_inverse
}

/// The frame on screen, as far as the display's fallbacks need it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ShownFrame {
    /// Its data range as a window in modality units (`None` when it has no samples).
    pub range: Option<WindowLevel>,
    /// A preview from the first bytes of a frame still arriving: its range is not the
    /// frame's, so it is never kept as the series' default.
    pub preview: bool,
}

/// What the renderer needs to draw a frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DrawSettings {
    pub voi: VoiInForce,
    pub invert: bool,
    pub interpolation: Interpolation,
    pub view: ViewState,
}

/// A change of a viewport's display.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Action {
    /// Show slice `n` (clamped to the stack).
    GoTo(usize),
    /// Move by `n` slices (clamped).
    Step(isize),
    /// Move on by one slice, back to the first after the last (cine).
    Next,
    /// The grey levels chosen (a preset, the data range, a VOI LUT).
    Choose(VoiChoice),
    /// A window/level drag of `dx`, `dy` screen pixels from the window in force (from the
    /// frame's data range when a VOI LUT is in force).
    DragWindow {
        dx: f64,
        dy: f64,
    },
    /// The placement changes (pan, zoom, rotation, flips, fit, 1:1).
    View(ViewState),
    /// The reader's inversion, on top of the image's own polarity.
    Invert,
    ToggleInterpolation,
    /// A presentation state's grey levels, polarity and placement.
    Present {
        window: WindowLevel,
        inverse: bool,
        view: ViewState,
    },
    /// Back to the image's own display (a presentation state turned off).
    Unpresent,
    /// Everything back to the image's own display, the slice kept.
    Reset,
    /// The visible frame is on screen: a series without window or VOI LUT keeps its data
    /// range as its default window (once, until a reset).
    Shown(ShownFrame),
}

/// One viewport's display.
#[derive(Debug, Clone, PartialEq)]
pub struct DisplayState {
    slices: usize,
    slice: usize,
    choice: Option<VoiChoice>,
    /// The series' default window when its file gives none: the data range of the first
    /// frame shown.
    series_range: Option<WindowLevel>,
    view: ViewState,
    initial_view: ViewState,
    reader_invert: bool,
    interpolation: Interpolation,
}

impl DisplayState {
    /// The display of a stack of `slices` images, on the first, placed by `initial_view`.
    pub fn new(slices: usize, initial_view: ViewState) -> Self {
        DisplayState {
            slices,
            slice: 0,
            choice: None,
            series_range: None,
            view: initial_view,
            initial_view,
            reader_invert: false,
            interpolation: Interpolation::Nearest,
        }
    }

    pub fn slice(&self) -> usize {
        self.slice
    }

    pub fn slices(&self) -> usize {
        self.slices
    }

    pub fn view(&self) -> ViewState {
        self.view
    }

    pub fn reader_invert(&self) -> bool {
        self.reader_invert
    }

    pub fn interpolation(&self) -> Interpolation {
        self.interpolation
    }

    /// The grey levels chosen, if any (else the image's defaults are in force).
    pub fn choice(&self) -> Option<VoiChoice> {
        self.choice
    }

    /// Whether showing a frame would give the series its default window.
    pub fn wants_series_range(&self, image: &ImageDisplay) -> bool {
        self.series_range.is_none()
            && self.choice.is_none()
            && image.first_window.is_none()
            && image.voi_luts == 0
    }

    /// The grey levels in force for `image`, shown as `frame` (`None` while nothing of it is
    /// on screen and no default is known).
    pub fn voi(&self, image: &ImageDisplay, frame: Option<&ShownFrame>) -> Option<VoiInForce> {
        let window = |window| VoiInForce::Window {
            window,
            function: image.voi_function,
        };
        match self.choice {
            Some(VoiChoice::Window(w)) => return Some(window(w)),
            Some(VoiChoice::Lut(i)) if i < image.voi_luts => return Some(VoiInForce::Lut(i)),
            Some(VoiChoice::Lut(_)) | None => {}
        }
        if let Some(w) = image.first_window {
            return Some(window(w));
        }
        let preview = frame.is_some_and(|f| f.preview);
        if image.voi_luts > 0 && !preview {
            return Some(VoiInForce::Lut(0));
        }
        if let (Some(w), false) = (self.series_range, preview) {
            return Some(window(w));
        }
        frame.and_then(|f| f.range).map(window)
    }

    /// What to draw `image` with, shown as `frame`: a frame without any known window is drawn
    /// through the full 8-bit range.
    pub fn draw(&self, image: &ImageDisplay, frame: &ShownFrame) -> DrawSettings {
        DrawSettings {
            voi: self.voi(image, Some(frame)).unwrap_or(VoiInForce::Window {
                window: WindowLevel {
                    center: 127.5,
                    width: 255.0,
                },
                function: image.voi_function,
            }),
            invert: image.inverted_by_image != self.reader_invert,
            interpolation: self.interpolation,
            view: self.view,
        }
    }

    /// Applies `action`; `image` and `frame` are the visible image and frame (the fallbacks a
    /// window drag starts from).
    pub fn apply(&mut self, action: Action, image: &ImageDisplay, frame: Option<&ShownFrame>) {
        let last = self.slices.saturating_sub(1);
        match action {
            Action::GoTo(n) => self.slice = n.min(last),
            Action::Step(n) => {
                self.slice = self.slice.saturating_add_signed(n).min(last);
            }
            Action::Next => {
                self.slice = if self.slice >= last {
                    0
                } else {
                    self.slice + 1
                };
            }
            Action::Choose(choice) => self.choice = Some(choice),
            Action::DragWindow { dx, dy } => {
                let from = match self.voi(image, frame) {
                    Some(VoiInForce::Window { window, .. }) => Some(window),
                    Some(VoiInForce::Lut(_)) | None => frame.and_then(|f| f.range),
                };
                if let Some(from) = from {
                    self.choice = Some(VoiChoice::Window(from.dragged(dx, dy)));
                }
            }
            Action::View(view) => self.view = view,
            Action::Invert => self.reader_invert = !self.reader_invert,
            Action::ToggleInterpolation => {
                self.interpolation = match self.interpolation {
                    Interpolation::Nearest => Interpolation::Bilinear,
                    Interpolation::Bilinear => Interpolation::Nearest,
                };
            }
            Action::Present {
                window,
                inverse,
                view,
            } => {
                self.choice = Some(VoiChoice::Window(window));
                // The state's Presentation LUT replaces the image's polarity: inverted exactly
                // when it says INVERSE.
                self.reader_invert = inverse != image.inverted_by_image;
                self.view = view;
            }
            Action::Unpresent => {
                self.choice = None;
                self.series_range = None;
                self.reader_invert = false;
                self.view = self.initial_view;
            }
            Action::Reset => {
                self.choice = None;
                self.series_range = None;
                self.reader_invert = false;
                self.interpolation = Interpolation::Nearest;
                self.view = self.initial_view;
            }
            Action::Shown(shown) => {
                if !shown.preview && self.wants_series_range(image) {
                    self.series_range = shown.range;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CT_WINDOW: WindowLevel = WindowLevel {
        center: 40.0,
        width: 400.0,
    };

    fn ct() -> ImageDisplay {
        ImageDisplay {
            first_window: Some(CT_WINDOW),
            voi_luts: 0,
            voi_function: VoiFunction::Linear,
            inverted_by_image: false,
        }
    }

    fn bare() -> ImageDisplay {
        ImageDisplay {
            first_window: None,
            ..ct()
        }
    }

    fn frame(lo: f64, hi: f64) -> ShownFrame {
        ShownFrame {
            range: Some(WindowLevel::from_range(lo, hi)),
            preview: false,
        }
    }

    fn state(slices: usize) -> DisplayState {
        DisplayState::new(slices, ViewState::default())
    }

    #[test]
    fn slices_stay_in_the_stack() {
        let mut s = state(61);
        let image = ct();
        s.apply(Action::GoTo(100), &image, None);
        assert_eq!(s.slice(), 60);
        s.apply(Action::Step(-10), &image, None);
        assert_eq!(s.slice(), 50);
        s.apply(Action::Step(-100), &image, None);
        assert_eq!(s.slice(), 0);
        s.apply(Action::Step(isize::MAX), &image, None);
        assert_eq!(s.slice(), 60);
        s.apply(Action::Next, &image, None);
        assert_eq!(s.slice(), 0, "cine loops");
        let mut empty = state(0);
        empty.apply(Action::Step(3), &image, None);
        assert_eq!(empty.slice(), 0);
    }

    #[test]
    fn the_files_window_is_the_default_and_a_choice_replaces_it() {
        let mut s = state(3);
        let image = ct();
        let f = frame(-1024.0, 2000.0);
        assert_eq!(
            s.voi(&image, Some(&f)).and_then(|v| v.window()),
            Some(CT_WINDOW)
        );
        assert_eq!(
            s.voi(&image, None).and_then(|v| v.window()),
            Some(CT_WINDOW)
        );
        let lung = WindowLevel {
            center: -600.0,
            width: 1500.0,
        };
        s.apply(Action::Choose(VoiChoice::Window(lung)), &image, Some(&f));
        assert_eq!(s.voi(&image, Some(&f)).and_then(|v| v.window()), Some(lung));
        s.apply(Action::Reset, &image, Some(&f));
        assert_eq!(
            s.voi(&image, Some(&f)).and_then(|v| v.window()),
            Some(CT_WINDOW)
        );
    }

    #[test]
    fn a_drag_starts_from_the_window_in_force() {
        let mut s = state(3);
        let image = ct();
        let f = frame(-1024.0, 2000.0);
        s.apply(
            Action::DragWindow {
                dx: 100.0,
                dy: 50.0,
            },
            &image,
            Some(&f),
        );
        assert_eq!(
            s.voi(&image, Some(&f)).and_then(|v| v.window()),
            Some(CT_WINDOW.dragged(100.0, 50.0))
        );
    }

    #[test]
    fn a_series_without_window_keeps_its_first_data_range() {
        let mut s = state(3);
        let image = bare();
        let first = frame(0.0, 99.0);
        assert!(s.wants_series_range(&image));
        // Before the series' range is known, the frame's own range is drawn.
        assert_eq!(
            s.voi(&image, Some(&first)).and_then(|v| v.window()),
            first.range
        );
        s.apply(Action::Shown(first), &image, Some(&first));
        assert!(!s.wants_series_range(&image));
        let second = frame(10.0, 500.0);
        s.apply(Action::Shown(second), &image, Some(&second));
        assert_eq!(
            s.voi(&image, Some(&second)).and_then(|v| v.window()),
            first.range,
            "chosen once per series"
        );
        // A reset takes the range of what is shown then.
        s.apply(Action::Reset, &image, Some(&second));
        s.apply(Action::Shown(second), &image, Some(&second));
        assert_eq!(
            s.voi(&image, Some(&second)).and_then(|v| v.window()),
            second.range
        );
    }

    #[test]
    fn a_preview_never_sets_the_series_default() {
        let mut s = state(3);
        let image = bare();
        let preview = ShownFrame {
            range: Some(WindowLevel::from_range(0.0, 10.0)),
            preview: true,
        };
        s.apply(Action::Shown(preview), &image, Some(&preview));
        assert!(s.wants_series_range(&image));
        assert_eq!(
            s.voi(&image, Some(&preview)).and_then(|v| v.window()),
            preview.range
        );
        let whole = frame(0.0, 4095.0);
        s.apply(Action::Shown(whole), &image, Some(&whole));
        assert_eq!(
            s.voi(&image, Some(&preview)).and_then(|v| v.window()),
            preview.range
        );
        assert_eq!(
            s.voi(&image, Some(&whole)).and_then(|v| v.window()),
            whole.range
        );
    }

    #[test]
    fn a_voi_lut_is_the_default_without_window_and_a_drag_leaves_it() {
        let mut s = state(3);
        let image = ImageDisplay {
            voi_luts: 2,
            ..bare()
        };
        let f = frame(0.0, 4095.0);
        assert_eq!(s.voi(&image, Some(&f)), Some(VoiInForce::Lut(0)));
        // A preview is drawn through its own range, not the LUT.
        let preview = ShownFrame { preview: true, ..f };
        assert_eq!(
            s.voi(&image, Some(&preview)).and_then(|v| v.window()),
            f.range
        );
        s.apply(Action::Choose(VoiChoice::Lut(1)), &image, Some(&f));
        assert_eq!(s.voi(&image, Some(&f)), Some(VoiInForce::Lut(1)));
        // A LUT the image does not have falls back to the default.
        s.apply(Action::Choose(VoiChoice::Lut(7)), &image, Some(&f));
        assert_eq!(s.voi(&image, Some(&f)), Some(VoiInForce::Lut(0)));
        s.apply(Action::DragWindow { dx: 10.0, dy: 0.0 }, &image, Some(&f));
        let dragged = f.range.map(|w| w.dragged(10.0, 0.0));
        assert_eq!(s.voi(&image, Some(&f)).and_then(|v| v.window()), dragged);
    }

    #[test]
    fn inversion_combines_the_image_and_the_reader() {
        assert!(inverted_by_image(Some(&Photometric::Monochrome1), false));
        assert!(!inverted_by_image(Some(&Photometric::Monochrome1), true));
        assert!(inverted_by_image(Some(&Photometric::Monochrome2), true));
        assert!(!inverted_by_image(None, false));
        let mut s = state(1);
        let mono1 = ImageDisplay {
            inverted_by_image: true,
            ..ct()
        };
        let f = frame(0.0, 1.0);
        assert!(s.draw(&mono1, &f).invert);
        s.apply(Action::Invert, &mono1, Some(&f));
        assert!(!s.draw(&mono1, &f).invert);
        assert!(s.reader_invert());
    }

    #[test]
    fn a_presentation_state_sets_polarity_and_view_and_goes_away() {
        let mut s = state(1);
        let mono1 = ImageDisplay {
            inverted_by_image: true,
            ..ct()
        };
        let f = frame(0.0, 1.0);
        let turned = ViewState {
            quarter_turns: 1,
            ..ViewState::default()
        };
        let w = WindowLevel {
            center: 1.0,
            width: 2.0,
        };
        s.apply(
            Action::Present {
                window: w,
                inverse: false,
                view: turned,
            },
            &mono1,
            Some(&f),
        );
        let drawn = s.draw(&mono1, &f);
        assert!(!drawn.invert, "IDENTITY shape on MONOCHROME1: not inverted");
        assert_eq!(drawn.view, turned);
        assert_eq!(drawn.voi.window(), Some(w));
        s.apply(Action::Unpresent, &mono1, Some(&f));
        let drawn = s.draw(&mono1, &f);
        assert!(drawn.invert);
        assert_eq!(drawn.view, ViewState::default());
        assert_eq!(drawn.voi.window(), Some(CT_WINDOW));
    }

    #[test]
    fn without_any_window_a_frame_is_drawn_over_the_8_bit_range() {
        let s = state(1);
        let f = ShownFrame {
            range: None,
            preview: false,
        };
        assert_eq!(
            s.draw(&bare(), &f).voi.window(),
            Some(WindowLevel {
                center: 127.5,
                width: 255.0
            })
        );
    }

    #[test]
    fn interpolation_toggles_and_resets() {
        let mut s = state(1);
        let image = ct();
        s.apply(Action::ToggleInterpolation, &image, None);
        assert!(s.interpolation().is_smooth());
        s.apply(Action::Reset, &image, None);
        assert_eq!(s.interpolation(), Interpolation::Nearest);
    }
}
