//! A reformat view's input (one pointer drags with the MPR tool, the middle button pans, the
//! right one zooms; the wheel and the arrow keys move the plane along its normal; a double
//! click fits the view again) and the graphics over its image: the other planes' lines, the
//! missing samples hatched, the lengths.

use std::cell::Cell;
use std::rc::Rc;

use leptos::prelude::*;
use send_wrapper::SendWrapper;
use viewer_core::mpr::{distance_mm, image_px_of, point_at, Band};
use viewer_core::reformat::Plane;
use viewer_core::view::{ViewState, MAX_ZOOM, MIN_ZOOM};
use viewer_core::voi::WindowLevel;
use viewer_core::volume::VolumeGeometry;
use wasm_bindgen::JsCast;

use super::view::{css_from_image, NAMES};
use super::{Length, Mpr, MprTool};
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
    /// The first end, patient mm.
    Length([f64; 3]),
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
    /// A length being drawn: its two ends, patient mm.
    pub drawing: RwSignal<Option<([f64; 3], [f64; 3])>>,
}

/// The pointer's position over the view's canvas, CSS pixels from its top-left corner.
fn css_of(ev: &web_sys::MouseEvent) -> [f64; 2] {
    let rect = ev
        .current_target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .and_then(|view| view.query_selector("canvas").ok().flatten())
        .map(|canvas| canvas.get_bounding_client_rect());
    let (left, top) = rect.map_or((0.0, 0.0), |r| (r.left(), r.top()));
    [
        f64::from(ev.client_x()) - left,
        f64::from(ev.client_y()) - top,
    ]
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
                MprTool::Length => match h.point_under(css) {
                    Some(a) => {
                        h.drawing.set(Some((a, a)));
                        Kind::Length(a)
                    }
                    None => return,
                },
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
                Kind::Length(a) => {
                    if let Some(b) = h.point_under(css) {
                        h.drawing.set(Some((a, b)));
                    }
                }
            }
        }
    }

    pub(super) fn on_up(&self) -> impl Fn(web_sys::PointerEvent) + 'static {
        let h = self.clone();
        move |_| {
            let Some(drag) = (*h.drag).take() else { return };
            if let (Kind::Length(_), Some((a, b))) = (drag.kind, h.drawing.get_untracked()) {
                let mm: f64 = (0..3).map(|i| (a[i] - b[i]).powi(2)).sum::<f64>().sqrt();
                if mm > 0.1 {
                    let view = h.view;
                    h.mpr.lengths.update(|l| {
                        l.push(Length {
                            view,
                            a_mm: a,
                            b_mm: b,
                        })
                    });
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

/// An SVG `matrix()` of an affine map.
fn svg_matrix(a: &viewer_core::view::Affine) -> String {
    format!(
        "matrix({} {} {} {} {} {})",
        a.m[0], a.m[2], a.m[1], a.m[3], a.t[0], a.t[1]
    )
}

/// Whether a patient point lies on the plane (within half a sample).
fn on_plane(plane: &Plane, point: [f64; 3]) -> bool {
    let n = plane.normal();
    let d: f64 = (0..3).map(|i| (point[i] - plane.origin_mm[i]) * n[i]).sum();
    d.abs() <= plane.spacing_mm[0] / 2.0
}

/// The other planes' lines, the missing samples, the lengths (CSS pixels over the canvas).
pub(super) fn graphics(
    view: usize,
    mpr: Mpr,
    plane: RwSignal<Option<Plane>>,
    bands: RwSignal<Vec<Band>>,
    canvas_css: RwSignal<[f64; 2]>,
    drawing: RwSignal<Option<([f64; 3], [f64; 3])>>,
) -> impl IntoView {
    let affine = Memo::new(move |_| {
        let state = mpr.views[view].get();
        plane.with(|p| {
            p.as_ref()
                .map(|p| css_from_image(&state, p, canvas_css.get()))
        })
    });
    let hatch = format!("mpr-hatch-{view}");
    let fill = format!("url(#{hatch})");
    let lines = move || {
        let (Some(a), Some(p)) = (affine.get(), plane.get()) else {
            return Vec::new();
        };
        let reach = canvas_css.get().iter().sum::<f64>() * 2.0;
        (0..3)
            .filter(|&o| o != view)
            .filter_map(|other| {
                let line = mpr.crosshairs.with(|c| c.line_in(view, other, &p))?;
                let through = a.apply(line.through_px);
                let ahead = a.apply([
                    line.through_px[0] + line.direction[0],
                    line.through_px[1] + line.direction[1],
                ]);
                let (dx, dy) = (ahead[0] - through[0], ahead[1] - through[1]);
                let length = dx.hypot(dy).max(1e-9);
                let (ux, uy) = (dx / length * reach, dy / length * reach);
                Some(view! {
                    <line class=format!("mpr-line mpr-line-{}", NAMES[other].1)
                        data-testid="mpr-line" data-other=NAMES[other].1
                        x1=format!("{:.1}", through[0] - ux) y1=format!("{:.1}", through[1] - uy)
                        x2=format!("{:.1}", through[0] + ux) y2=format!("{:.1}", through[1] + uy) />
                })
            })
            .collect::<Vec<_>>()
    };
    let segment = move |a_mm: [f64; 3], b_mm: [f64; 3], testid: &'static str| {
        let (affine, p) = (affine.get()?, plane.get()?);
        let (a_px, b_px) = (image_px_of(&p, a_mm), image_px_of(&p, b_mm));
        let mm = distance_mm(&p, a_px, b_px);
        let (a, b) = (affine.apply(a_px), affine.apply(b_px));
        Some(view! {
            <g data-testid=testid data-mm=format!("{mm:.2}")>
                <line class="mpr-length" x1=format!("{:.1}", a[0]) y1=format!("{:.1}", a[1])
                    x2=format!("{:.1}", b[0]) y2=format!("{:.1}", b[1]) />
                <text class="mpr-length-text" x=format!("{:.1}", b[0] + 6.0) y=format!("{:.1}", b[1] - 6.0)>
                    {format!("{mm:.1} mm")}
                </text>
            </g>
        })
    };
    let lengths = move || {
        let shown: Vec<Length> = plane.with(|p| {
            let Some(p) = p else { return Vec::new() };
            mpr.lengths.with(|all| {
                all.iter()
                    .filter(|l| l.view == view && on_plane(p, l.a_mm) && on_plane(p, l.b_mm))
                    .cloned()
                    .collect()
            })
        });
        shown
            .into_iter()
            .filter_map(|l| segment(l.a_mm, l.b_mm, "mpr-length"))
            .collect_view()
    };
    let in_progress = move || {
        drawing
            .get()
            .and_then(|(a, b)| segment(a, b, "mpr-drawing"))
    };
    view! {
        <svg class="mpr-graphics" aria-hidden="true">
            <defs>
                <pattern id=hatch.clone() width="8" height="8" patternUnits="userSpaceOnUse"
                    patternTransform="rotate(45)">
                    <rect width="8" height="8" class="mpr-missing-back" />
                    <line x1="0" y1="0" x2="0" y2="8" class="mpr-missing-stroke" />
                </pattern>
            </defs>
            <g transform=move || affine.get().map(|a| svg_matrix(&a))>
                {move || bands.get().into_iter().map(|b| view! {
                    <rect data-testid="mpr-missing" x=b.x.to_string() y=b.y.to_string()
                        width=b.width.to_string() height=b.height.to_string()
                        fill=fill.clone() />
                }).collect_view()}
            </g>
            {lines}
            {lengths}
            {in_progress}
        </svg>
    }
}
