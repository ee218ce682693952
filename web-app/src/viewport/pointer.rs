//! Pointer input on a viewport: one pointer drags with a tool (the mouse button's, or the
//! active tool for touch, pen and the left button), two pinch-zoom about their midpoint and
//! pan with it, and a finger's double tap resets the view.

use leptos::html::Canvas;
use leptos::prelude::*;
use viewer_core::display::Action;
use viewer_core::view::ViewState;
use wasm_bindgen::JsCast;

use super::annotate::Annotate;
use super::{device_pixel_ratio, Signals, SCROLL_DRAG_PX};
use crate::overlays::Tool;

/// A tap: a touch that lifts within this time (ms)…
const TAP_MS: f64 = 300.0;
/// …having moved less than this (CSS pixels); two taps this close in time and place are a
/// double tap.
const TAP_TRAVEL_PX: f64 = 24.0;

/// The pointer's position in CSS pixels, with its fraction: Chromium and Firefox give pointer
/// events sub-pixel coordinates, which web-sys's `client_x` (an integer) would cut, losing up
/// to a CSS pixel (more than an image pixel when the image is shown smaller) in measurements.
pub(crate) fn client_xy(ev: &web_sys::MouseEvent) -> (f64, f64) {
    let read = |name: &str, whole: i32| {
        js_sys::Reflect::get(ev, &wasm_bindgen::JsValue::from_str(name))
            .ok()
            .and_then(|v| v.as_f64())
            .unwrap_or(f64::from(whole))
    };
    (
        read("clientX", ev.client_x()),
        read("clientY", ev.client_y()),
    )
}

/// Where a touch went down (id, time in ms, x, y) and whether it is still a tap; and the
/// last tap (time, x, y). Pure, so that the rule is tested natively.
#[derive(Default, Clone, Copy, Debug)]
pub(super) struct Taps {
    down: Option<(i32, f64, f64, f64)>,
    last: Option<(f64, f64, f64)>,
}

impl Taps {
    /// A pointer down on the viewport; only a touch with no other finger down can be a tap.
    fn pointer_down(&mut self, ev: &web_sys::PointerEvent, alone: bool) {
        if ev.pointer_type() == "touch" {
            let (x, y) = client_xy(ev);
            self.down(ev.pointer_id(), js_sys::Date::now(), x, y, alone);
        }
    }

    /// A pointer lifted (or cancelled): true when it ends a double tap.
    fn pointer_up(&mut self, ev: &web_sys::PointerEvent) -> bool {
        let (x, y) = client_xy(ev);
        ev.type_() != "pointercancel" && self.up(ev.pointer_id(), js_sys::Date::now(), x, y)
    }

    pub(super) fn down(&mut self, id: i32, at_ms: f64, x: f64, y: f64, alone: bool) {
        self.down = alone.then_some((id, at_ms, x, y));
    }

    /// A move: the touch is no longer a tap once it has travelled.
    pub(super) fn moved(&mut self, id: i32, x: f64, y: f64) {
        if let Some((down_id, _, x0, y0)) = self.down {
            if down_id == id && (x - x0).hypot(y - y0) >= TAP_TRAVEL_PX {
                self.down = None;
            }
        }
    }

    /// A lift: true when it ends the second tap of a double tap.
    pub(super) fn up(&mut self, id: i32, at_ms: f64, x: f64, y: f64) -> bool {
        let Some((down_id, t0, x0, y0)) = self.down.take() else {
            return false;
        };
        if down_id != id || at_ms - t0 > TAP_MS || (x - x0).hypot(y - y0) >= TAP_TRAVEL_PX {
            self.last = None;
            return false;
        }
        let double = self.last.is_some_and(|(t, lx, ly)| {
            at_ms - t <= 2.0 * TAP_MS && (x - lx).hypot(y - ly) < 2.0 * TAP_TRAVEL_PX
        });
        self.last = (!double).then_some((at_ms, x, y));
        double
    }
}

/// A pointer down: (id, client x, client y).
type Point = (i32, f64, f64);

/// What two fingers did between two moves, in device pixels of the canvas.
#[derive(Debug, PartialEq)]
pub(super) struct Pinch {
    /// The midpoint's travel (pans).
    pub travel: [f64; 2],
    /// The spread's ratio (zooms), when both spreads are wide enough to compare.
    pub factor: Option<f64>,
    /// The new midpoint, about which the zoom is.
    pub mid: [f64; 2],
}

/// Two fingers `before`, found again in `after`: a pinch; `origin` is the canvas's top-left
/// (client px) and `ratio` the device pixel ratio.
pub(super) fn pinch(
    [a, b]: [Point; 2],
    after: &[Point],
    origin: (f64, f64),
    ratio: f64,
) -> Option<Pinch> {
    let na = after.iter().find(|p| p.0 == a.0)?;
    let nb = after.iter().find(|p| p.0 == b.0)?;
    let spread = |p: &Point, q: &Point| (p.1 - q.1).hypot(p.2 - q.2);
    let (old, new) = (spread(&a, &b), spread(na, nb));
    Some(Pinch {
        travel: [
            ((na.1 + nb.1) - (a.1 + b.1)) / 2.0 * ratio,
            ((na.2 + nb.2) - (a.2 + b.2)) / 2.0 * ratio,
        ],
        factor: (old > 1.0 && new > 1.0).then(|| new / old),
        mid: [
            ((na.1 + nb.1) / 2.0 - origin.0) * ratio,
            ((na.2 + nb.2) / 2.0 - origin.1) * ratio,
        ],
    })
}

/// The pointerdown, pointermove and pointerup (also pointercancel) handlers; `reset` is what
/// a double tap does.
pub(super) fn handlers(
    canvas_ref: NodeRef<Canvas>,
    s: Signals,
    (active_tool, annotate): (RwSignal<Tool>, Annotate),
    activate: impl Fn() + Clone + 'static,
    step_by: impl Fn(isize) + Clone + 'static,
    reset: impl Fn() + Clone + 'static,
) -> (
    impl Fn(leptos::ev::PointerEvent) + Clone + 'static,
    impl Fn(leptos::ev::PointerEvent) + Clone + 'static,
    impl Fn(leptos::ev::PointerEvent) + Clone + 'static,
) {
    let Signals {
        display,
        canvas_css,
        ..
    } = s;
    // The placement changed by `change`.
    let change_view = move |change: &dyn Fn(&mut ViewState)| {
        let mut v = display.view.get_untracked();
        change(&mut v);
        display.dispatch(Action::View(v));
    };
    // Pointers down on the viewport (id, client x, y): one drags with a tool (the mouse
    // button's, or the active tool for touch and the left button), two pinch and pan.
    let pointers = RwSignal::new(Vec::<Point>::new());
    let drag_tool = RwSignal::new(None::<Tool>);
    let scroll_rest = RwSignal::new(0.0f64);
    let taps = StoredValue::new(Taps::default());
    let step_for_drag = step_by.clone();
    let on_pointer_down = move |ev: leptos::ev::PointerEvent| {
        let alone = pointers.with_untracked(|p| p.is_empty());
        taps.update_value(|t| t.pointer_down(&ev, alone));
        let tool = match (ev.pointer_type().as_str(), ev.button()) {
            ("mouse", 1) => Tool::Pan,
            ("mouse", 2) => Tool::Zoom,
            (_, 0) => active_tool.get_untracked(),
            _ => return,
        };
        ev.prevent_default();
        activate();
        let capture = || {
            if let Some(canvas) = canvas_ref.get_untracked() {
                let _ = canvas.set_pointer_capture(ev.pointer_id());
                let _ = canvas
                    .parent_element()
                    .map(|p| p.unchecked_into::<web_sys::HtmlElement>().focus());
            }
        };
        // A press on an annotation, or with a measuring tool, draws or edits (one pointer).
        if ev.button() == 0 && pointers.with_untracked(|p| p.is_empty()) && annotate.down(&ev, tool)
        {
            capture();
            return;
        }
        let (x, y) = client_xy(&ev);
        pointers.update(|p| {
            p.retain(|(id, ..)| *id != ev.pointer_id());
            p.push((ev.pointer_id(), x, y));
        });
        drag_tool.set(Some(tool));
        scroll_rest.set(0.0);
        capture();
    };
    let on_pointer_move = move |ev: leptos::ev::PointerEvent| {
        let (x, y) = client_xy(&ev);
        taps.update_value(|t| t.moved(ev.pointer_id(), x, y));
        if annotate.moved(&ev) {
            return;
        }
        let before = pointers.get_untracked();
        let Some(&(_, px, py)) = before.iter().find(|(id, ..)| *id == ev.pointer_id()) else {
            return;
        };
        let (dx, dy) = (x - px, y - py);
        if dx == 0.0 && dy == 0.0 {
            return;
        }
        pointers.update(|p| {
            if let Some(entry) = p.iter_mut().find(|(id, ..)| *id == ev.pointer_id()) {
                *entry = (ev.pointer_id(), x, y);
            }
        });
        let ratio = device_pixel_ratio();
        let canvas = canvas_css.get_untracked().map(|c| c * ratio);
        if let [a, b, ..] = before.as_slice() {
            // Two fingers: the spread zooms about their midpoint, the midpoint's travel pans.
            let origin = canvas_ref.get_untracked().map_or((0.0, 0.0), |c| {
                let r = c.get_bounding_client_rect();
                (r.left(), r.top())
            });
            let after = pointers.get_untracked();
            if let Some(Pinch {
                travel,
                factor,
                mid,
            }) = pinch([*a, *b], &after, origin, ratio)
            {
                change_view(&|v| {
                    v.pan_px[0] += travel[0];
                    v.pan_px[1] += travel[1];
                    if let Some(factor) = factor {
                        *v = v.zoomed_at(factor, mid, canvas);
                    }
                });
            }
            return;
        }
        match drag_tool.get_untracked() {
            Some(Tool::Pan) => change_view(&|v| {
                v.pan_px[0] += dx * ratio;
                v.pan_px[1] += dy * ratio;
            }),
            Some(Tool::Zoom) => {
                let centre = [canvas[0] / 2.0, canvas[1] / 2.0];
                // Up zooms in; 100 px doubles.
                let factor = (-dy * std::f64::consts::LN_2 / 100.0).exp();
                change_view(&|v| *v = v.zoomed_at(factor, centre, canvas));
            }
            Some(Tool::Scroll) => {
                let travelled = scroll_rest.get_untracked() + dy;
                let slices = (travelled / SCROLL_DRAG_PX).trunc();
                scroll_rest.set(travelled - slices * SCROLL_DRAG_PX);
                if slices != 0.0 {
                    step_for_drag(slices as isize);
                }
            }
            Some(Tool::Window) => display.dispatch(Action::DragWindow { dx, dy }),
            Some(_) | None => {}
        }
    };
    let on_pointer_up = move |ev: leptos::ev::PointerEvent| {
        let double = taps
            .try_update_value(|t| t.pointer_up(&ev))
            .unwrap_or(false);
        if annotate.up() {
            return;
        }
        if double {
            reset();
        }
        pointers.update(|p| p.retain(|(id, ..)| *id != ev.pointer_id()));
        if pointers.with_untracked(|p| p.is_empty()) {
            drag_tool.set(None);
        }
    };

    (on_pointer_down, on_pointer_move, on_pointer_up)
}

#[cfg(test)]
mod tests {
    use super::{pinch, Pinch, Taps};

    #[test]
    fn two_fingers_spreading_zoom_about_their_midpoint_and_pan_with_it() {
        let before = [(1, 100.0, 200.0), (2, 140.0, 200.0)];
        let after = [(2, 180.0, 210.0), (1, 60.0, 210.0)];
        let p = pinch(before, &after, (10.0, 20.0), 2.0).expect("both fingers");
        assert_eq!(
            p,
            Pinch {
                travel: [0.0, 20.0],
                factor: Some(3.0),
                mid: [220.0, 380.0],
            }
        );
        assert_eq!(
            pinch(before, &after[..1], (0.0, 0.0), 1.0),
            None,
            "a finger lifted"
        );
        let touching = [(1, 100.0, 200.0), (2, 100.5, 200.0)];
        let p = pinch(touching, &after, (0.0, 0.0), 1.0).expect("both fingers");
        assert_eq!(p.factor, None, "no zoom from a spread too small to compare");
    }

    fn tap(t: &mut Taps, at_ms: f64, x: f64) -> bool {
        t.down(1, at_ms, x, 100.0, true);
        t.up(1, at_ms + 80.0, x, 100.0)
    }

    #[test]
    fn two_quick_taps_in_one_place_are_a_double_tap() {
        let mut t = Taps::default();
        assert!(!tap(&mut t, 0.0, 50.0));
        assert!(tap(&mut t, 250.0, 55.0));
        // A third tap starts a new pair.
        assert!(!tap(&mut t, 500.0, 55.0));
    }

    #[test]
    fn slow_far_or_dragged_taps_are_not() {
        let mut t = Taps::default();
        assert!(!tap(&mut t, 0.0, 50.0));
        assert!(!tap(&mut t, 2000.0, 50.0), "too late");
        let mut t = Taps::default();
        assert!(!tap(&mut t, 0.0, 50.0));
        assert!(!tap(&mut t, 200.0, 250.0), "too far");
        let mut t = Taps::default();
        assert!(!tap(&mut t, 0.0, 50.0));
        t.down(1, 200.0, 50.0, 100.0, true);
        t.moved(1, 50.0, 160.0);
        assert!(!t.up(1, 260.0, 50.0, 100.0), "a swipe through the images");
        let mut t = Taps::default();
        assert!(!tap(&mut t, 0.0, 50.0));
        t.down(2, 200.0, 50.0, 100.0, false);
        assert!(!t.up(2, 260.0, 50.0, 100.0), "a second finger of a pinch");
    }
}
