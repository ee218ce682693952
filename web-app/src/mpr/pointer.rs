//! A reformat view's input (one pointer drags with the MPR tool, the middle button pans, the
//! right one zooms; the wheel and the arrow keys move the plane along its normal; a double
//! click fits the view again); lengths and ellipses are drawn here and shown by `graphics`.

use std::cell::Cell;
use std::rc::Rc;

use leptos::prelude::*;
use send_wrapper::SendWrapper;
use viewer_core::mpr::{image_px_of, point_at};
use viewer_core::reformat::Plane;
use viewer_core::view::{ViewState, MAX_ZOOM, MIN_ZOOM};
use viewer_core::voi::WindowLevel;
use viewer_core::volume::VolumeGeometry;
use wasm_bindgen::JsCast;

use super::view::css_from_image;
use super::{Drawn, DrawnShape, Mpr, MprTool};
use crate::viewport::device_pixel_ratio;

/// What a press started.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Crosshairs,
    /// The pointer's angle about the centre when last seen.
    Rotate(f64),
    Window(Option<WindowLevel>),
    Zoom(ViewState),
    Pan(ViewState),
    /// A length or an ellipse from its first point, patient mm.
    Draw(DrawnShape, [f64; 3]),
}

#[derive(Debug, Clone, Copy)]
struct Drag {
    kind: Kind,
    start_css: [f64; 2],
}

/// The handlers of one view, each made for its event.
#[derive(Clone)]
pub(super) struct Handlers {
    view: usize,
    mpr: Mpr,
    geometry: SendWrapper<Rc<VolumeGeometry>>,
    plane: RwSignal<Option<Plane>>,
    canvas_css: RwSignal<[f64; 2]>,
    drag: SendWrapper<Rc<Cell<Option<Drag>>>>,
    /// A length or an ellipse being drawn.
    pub drawing: RwSignal<Option<Drawn>>,
}

/// The pointer's position over the view's canvas, CSS pixels from its top-left corner.
fn css_of(ev: &web_sys::MouseEvent) -> [f64; 2] {
    let rect = ev
        .current_target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .and_then(|view| view.query_selector("canvas").ok().flatten())
        .map(|canvas| canvas.get_bounding_client_rect());
    let (left, top) = rect.map_or((0.0, 0.0), |r| (r.left(), r.top()));
    let (x, y) = crate::viewport::client_xy(ev);
    [x - left, y - top]
}

impl Handlers {
    pub(super) fn new(
        view: usize,
        mpr: Mpr,
        geometry: SendWrapper<Rc<VolumeGeometry>>,
        plane: RwSignal<Option<Plane>>,
        canvas_css: RwSignal<[f64; 2]>,
    ) -> Self {
        Handlers {
            view,
            mpr,
            geometry,
            plane,
            canvas_css,
            drag: SendWrapper::new(Rc::default()),
            drawing: RwSignal::new(None),
        }
    }

    /// The patient point under a CSS position, on the view's plane.
    fn point_under(&self, css: [f64; 2]) -> Option<[f64; 3]> {
        let state = self.mpr.views[self.view].get_untracked();
        self.plane.with_untracked(|p| {
            let p = p.as_ref()?;
            let image = css_from_image(&state, p, self.canvas_css.get_untracked()).inverse()?;
            Some(point_at(p, image.apply(css)))
        })
    }

    /// The crosshairs' centre on screen, CSS pixels.
    fn centre_css(&self) -> Option<[f64; 2]> {
        let state = self.mpr.views[self.view].get_untracked();
        let centre = self.mpr.crosshairs.with_untracked(|c| c.centre_mm);
        self.plane.with_untracked(|p| {
            let p = p.as_ref()?;
            let affine = css_from_image(&state, p, self.canvas_css.get_untracked());
            Some(affine.apply(image_px_of(p, centre)))
        })
    }

    fn angle_about_centre(&self, css: [f64; 2]) -> Option<f64> {
        let c = self.centre_css()?;
        Some((css[1] - c[1]).atan2(css[0] - c[0]))
    }

    fn move_centre(&self, css: [f64; 2]) {
        if let Some(point) = self.point_under(css) {
            let geometry = &*self.geometry;
            self.mpr.crosshairs.update(|c| c.move_to(geometry, point));
        }
    }

    fn scroll(&self, steps: f64) {
        let geometry = &*self.geometry;
        let view = self.view;
        self.mpr
            .crosshairs
            .update(|c| c.scroll(geometry, view, steps));
    }

    pub(super) fn on_down(&self) -> impl Fn(web_sys::PointerEvent) + 'static {
        let h = self.clone();
        move |ev| {
            h.mpr.active.set(h.view);
            let css = css_of(&ev);
            let state = h.mpr.views[h.view].get_untracked();
            let tool = match ev.button() {
                1 => MprTool::Pan,
                2 => MprTool::Zoom,
                _ => h.mpr.tool.get_untracked(),
            };
            let kind = match tool {
                MprTool::Crosshairs => {
                    h.move_centre(css);
                    Kind::Crosshairs
                }
                MprTool::Rotate => match h.angle_about_centre(css) {
                    Some(angle) => Kind::Rotate(angle),
                    None => return,
                },
                MprTool::Window => Kind::Window(h.mpr.window.get_untracked()),
                MprTool::Zoom => Kind::Zoom(state),
                MprTool::Pan => Kind::Pan(state),
                MprTool::Length | MprTool::Ellipse => {
                    let shape = if tool == MprTool::Length {
                        DrawnShape::Length
                    } else {
                        DrawnShape::Ellipse
                    };
                    let Some(a) = h.point_under(css) else { return };
                    h.drawing.set(Some(Drawn {
                        view: h.view,
                        shape,
                        a_mm: a,
                        b_mm: a,
                    }));
                    Kind::Draw(shape, a)
                }
            };
            ev.prevent_default();
            if let Some(target) = ev
                .current_target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            {
                let _ = target.set_pointer_capture(ev.pointer_id());
                if let Some(e) = target.dyn_ref::<web_sys::HtmlElement>() {
                    let _ = e.focus();
                }
            }
            h.drag.set(Some(Drag {
                kind,
                start_css: css,
            }));
        }
    }

    pub(super) fn on_move(&self) -> impl Fn(web_sys::PointerEvent) + 'static {
        let h = self.clone();
        move |ev| {
            let Some(mut drag) = h.drag.get() else { return };
            let css = css_of(&ev);
            let d = [css[0] - drag.start_css[0], css[1] - drag.start_css[1]];
            let ratio = device_pixel_ratio();
            match drag.kind {
                Kind::Crosshairs => h.move_centre(css),
                Kind::Rotate(before) => {
                    if let Some(now) = h.angle_about_centre(css) {
                        let view = h.view;
                        h.mpr.crosshairs.update(|c| c.rotate(view, now - before));
                        drag.kind = Kind::Rotate(now);
                        h.drag.set(Some(drag));
                    }
                }
                Kind::Window(Some(start)) => {
                    // A drag across the view spans about twice the window it started with.
                    let per_px = start.width.max(10.0) / 150.0;
                    h.mpr.window.set(Some(WindowLevel {
                        center: start.center + d[1] * per_px,
                        width: (start.width + d[0] * per_px).max(1.0),
                    }));
                }
                Kind::Window(None) => {}
                Kind::Zoom(start) => {
                    let zoom = (start.zoom * (-d[1] / 200.0).exp()).clamp(MIN_ZOOM, MAX_ZOOM);
                    h.mpr.views[h.view].set(ViewState { zoom, ..start });
                }
                Kind::Pan(start) => {
                    let pan_px = [
                        start.pan_px[0] + d[0] * ratio,
                        start.pan_px[1] + d[1] * ratio,
                    ];
                    h.mpr.views[h.view].set(ViewState { pan_px, ..start });
                }
                Kind::Draw(shape, a) => {
                    if let Some(b) = h.point_under(css) {
                        h.drawing.set(Some(Drawn {
                            view: h.view,
                            shape,
                            a_mm: a,
                            b_mm: b,
                        }));
                    }
                }
            }
        }
    }

    pub(super) fn on_up(&self) -> impl Fn(web_sys::PointerEvent) + 'static {
        let h = self.clone();
        move |_| {
            let Some(drag) = (*h.drag).take() else { return };
            if let (Kind::Draw(..), Some(drawn)) = (drag.kind, h.drawing.get_untracked()) {
                let (a, b) = (drawn.a_mm, drawn.b_mm);
                let mm: f64 = (0..3).map(|i| (a[i] - b[i]).powi(2)).sum::<f64>().sqrt();
                if mm > 0.1 {
                    h.mpr.drawn.update(|all| all.push(drawn));
                }
            }
            h.drawing.set(None);
        }
    }

    pub(super) fn on_wheel(&self) -> impl Fn(web_sys::WheelEvent) + 'static {
        let h = self.clone();
        move |ev| {
            ev.prevent_default();
            h.mpr.active.set(h.view);
            let delta = ev.delta_y();
            if delta != 0.0 {
                h.scroll(delta.signum());
            }
        }
    }

    pub(super) fn on_key(&self) -> impl Fn(web_sys::KeyboardEvent) + 'static {
        let h = self.clone();
        move |ev| {
            let steps = match ev.key().as_str() {
                "ArrowUp" | "ArrowLeft" => -1.0,
                "ArrowDown" | "ArrowRight" => 1.0,
                "PageUp" => -10.0,
                "PageDown" => 10.0,
                _ => return,
            };
            ev.prevent_default();
            h.scroll(steps);
        }
    }

    pub(super) fn on_double_click(&self) -> impl Fn(web_sys::MouseEvent) + 'static {
        let h = self.clone();
        move |_| h.mpr.views[h.view].set(ViewState::default())
    }
}
