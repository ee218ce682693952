//! Pointer input on a viewport: one pointer drags with a tool (the mouse button's, or the
//! active tool for touch, pen and the left button), two pinch-zoom about their midpoint and
//! pan with it.

use leptos::html::Canvas;
use leptos::prelude::*;
use viewer_core::display::Action;
use viewer_core::view::ViewState;
use wasm_bindgen::JsCast;

use super::annotate::Annotate;
use super::{device_pixel_ratio, Signals, SCROLL_DRAG_PX};
use crate::overlays::Tool;

/// The pointerdown, pointermove and pointerup (also pointercancel) handlers.
pub(super) fn handlers(
    canvas_ref: NodeRef<Canvas>,
    s: Signals,
    active_tool: RwSignal<Tool>,
    annotate: Annotate,
    activate: impl Fn() + Clone + 'static,
    step_by: impl Fn(isize) + Clone + 'static,
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
    let pointers = RwSignal::new(Vec::<(i32, f64, f64)>::new());
    let drag_tool = RwSignal::new(None::<Tool>);
    let scroll_rest = RwSignal::new(0.0f64);
    let step_for_drag = step_by.clone();
    let on_pointer_down = move |ev: leptos::ev::PointerEvent| {
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
        let (x, y) = (f64::from(ev.client_x()), f64::from(ev.client_y()));
        pointers.update(|p| {
            p.retain(|(id, ..)| *id != ev.pointer_id());
            p.push((ev.pointer_id(), x, y));
        });
        drag_tool.set(Some(tool));
        scroll_rest.set(0.0);
        capture();
    };
    let on_pointer_move = move |ev: leptos::ev::PointerEvent| {
        if annotate.moved(&ev) {
            return;
        }
        let (x, y) = (f64::from(ev.client_x()), f64::from(ev.client_y()));
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
            let after = pointers.get_untracked();
            let (Some(na), Some(nb)) = (
                after.iter().find(|p| p.0 == a.0),
                after.iter().find(|p| p.0 == b.0),
            ) else {
                return;
            };
            let spread = |p: &(i32, f64, f64), q: &(i32, f64, f64)| {
                ((p.1 - q.1).powi(2) + (p.2 - q.2).powi(2)).sqrt()
            };
            let (old, new) = (spread(a, b), spread(na, nb));
            let rect = canvas_ref
                .get_untracked()
                .map(|c| c.get_bounding_client_rect());
            let (left, top) = rect.map_or((0.0, 0.0), |r| (r.left(), r.top()));
            let mid = [
                ((na.1 + nb.1) / 2.0 - left) * ratio,
                ((na.2 + nb.2) / 2.0 - top) * ratio,
            ];
            let travel = [
                ((na.1 + nb.1) - (a.1 + b.1)) / 2.0 * ratio,
                ((na.2 + nb.2) - (a.2 + b.2)) / 2.0 * ratio,
            ];
            change_view(&|v| {
                v.pan_px[0] += travel[0];
                v.pan_px[1] += travel[1];
                if old > 1.0 && new > 1.0 {
                    *v = v.zoomed_at(new / old, mid, canvas);
                }
            });
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
        if annotate.up() {
            return;
        }
        pointers.update(|p| p.retain(|(id, ..)| *id != ev.pointer_id()));
        if pointers.with_untracked(|p| p.is_empty()) {
            drag_tool.set(None);
        }
    };

    (on_pointer_down, on_pointer_move, on_pointer_up)
}
