//! A presentation state on the viewport: the newest one naming the visible image is applied
//! (its VOI, displayed area, rotation and flip, inversion) when the image's state changes, its
//! graphic and text annotations are drawn, and a badge names it with a switch to turn it off.

use std::rc::Rc;
use std::sync::Arc;

use leptos::prelude::*;
use send_wrapper::SendWrapper;
use viewer_core::display::Action;
use viewer_core::presentation_state::{
    identity_window, GraphicObject, PresentationState, SizeMode, TextObject, Units, Voi,
};
use viewer_core::view::ViewState;
use viewer_core::voi::WindowLevel;

use super::{device_pixel_ratio, Signals};
use crate::annotations::Annotations;
use crate::i18n::use_i18n;
use crate::stack::Stack;

/// The visible image's state, when the reader has not turned states off.
#[derive(Clone, Copy)]
pub(super) struct Presentation {
    pub enabled: RwSignal<bool>,
    pub current: Memo<Option<Arc<PresentationState>>>,
}

/// The visible image's SOP Instance UID, frame (1-based), size and pixel limits.
fn visible_image(stack: &Stack, index: usize) -> Option<(String, u32, [f64; 2], WindowLevel)> {
    let entry = stack.entries.get(index)?;
    let image = stack.images.get(entry.image)?;
    let module = image.module.as_ref().ok()?;
    Some((
        image.sop_instance_uid.clone(),
        entry.frame,
        [f64::from(module.columns), f64::from(module.rows)],
        identity_window(module.bits_stored, module.signed, image.effective_rescale()),
    ))
}

/// Applies the visible image's presentation state whenever it changes (a state is applied
/// once: the reader's changes then stand until another state comes).
pub(super) fn connect(
    store: Annotations,
    stack: SendWrapper<Rc<Stack>>,
    s: Signals,
    initial_view: ViewState,
) -> Presentation {
    let enabled = RwSignal::new(true);
    let current = {
        let stack = stack.clone();
        Memo::new(move |_| {
            if !enabled.get() {
                return None;
            }
            let (sop, frame, ..) = visible_image(&stack, s.display.slice.get())?;
            store.state_for(&sop, frame)
        })
    };
    let applied = StoredValue::new(None::<String>);
    Effect::new(move |_| {
        let state = current.get();
        let canvas = s.canvas_css.get();
        let uid = state.as_ref().map(|p| p.sop_instance_uid.clone());
        if uid == applied.get_value() || canvas[0] <= 0.0 {
            return;
        }
        applied.set_value(uid);
        let Some((sop, frame, size, full_range)) =
            visible_image(&stack, s.display.slice.get_untracked())
        else {
            return;
        };
        let Some(state) = state else {
            // Turned off by the reader: the image's own view. (An image without a state keeps
            // the view the reader has.)
            if !enabled.get_untracked() {
                s.display.dispatch(Action::Unpresent);
            }
            return;
        };
        let window = match state.voi(&sop, frame) {
            Voi::Window(w) => w,
            // A VOI LUT of the state is shown as the window over its input range.
            Voi::Lut(lut) => WindowLevel::from_range(
                lut.first_mapped as f64,
                (lut.first_mapped + lut.values.len() as i64 - 1) as f64,
            ),
            Voi::Identity => full_range,
        };
        let (quarter_turns, flip_horizontal) = state.view_orientation();
        let oriented = ViewState {
            quarter_turns,
            flip_horizontal,
            flip_vertical: false,
            ..initial_view
        };
        let ratio = device_pixel_ratio();
        let canvas_px = canvas.map(|c| c * ratio);
        let view = match state.displayed_area(&sop, frame) {
            Some(area) => {
                let magnify = match area.mode {
                    SizeMode::Magnify(r) => Some(r),
                    SizeMode::ScaleToFit | SizeMode::TrueSize => None,
                };
                oriented.showing_area(size, canvas_px, area.bounds, magnify)
            }
            None => oriented,
        };
        // The state's Presentation LUT replaces the image's polarity (MONOCHROME1 included):
        // inverted exactly when it says INVERSE.
        s.display.dispatch(Action::Present {
            window,
            inverse: state.inverse,
            view,
        });
    });
    Presentation { enabled, current }
}

/// Points of a graphic object in CSS pixels (`css` maps image coordinates; `display` maps
/// DISPLAY units through the displayed area's box on screen).
fn graphic_points(
    g: &GraphicObject,
    css: &dyn Fn([f64; 2]) -> [f64; 2],
    display: &dyn Fn([f64; 2]) -> [f64; 2],
) -> Vec<[f64; 2]> {
    let map = |p: [f64; 2]| match g.units {
        Units::Pixel => css(p),
        Units::Display => display(p),
    };
    match (g.graphic_type.as_str(), g.points.as_slice()) {
        ("CIRCLE", [c, edge]) => {
            let r = (edge[0] - c[0]).hypot(edge[1] - c[1]);
            (0..=48)
                .map(|i| {
                    let t = f64::from(i) / 48.0 * std::f64::consts::TAU;
                    map([c[0] + r * t.cos(), c[1] + r * t.sin()])
                })
                .collect()
        }
        ("ELLIPSE", [m0, m1, n0, n1]) => {
            let c = [(m0[0] + m1[0]) / 2.0, (m0[1] + m1[1]) / 2.0];
            let u = [(m1[0] - m0[0]) / 2.0, (m1[1] - m0[1]) / 2.0];
            let v = [(n1[0] - n0[0]) / 2.0, (n1[1] - n0[1]) / 2.0];
            (0..=48)
                .map(|i| {
                    let t = f64::from(i) / 48.0 * std::f64::consts::TAU;
                    map([
                        c[0] + u[0] * t.cos() + v[0] * t.sin(),
                        c[1] + u[1] * t.cos() + v[1] * t.sin(),
                    ])
                })
                .collect()
        }
        _ => g.points.iter().map(|p| map(*p)).collect(),
    }
}

fn text_position(
    t: &TextObject,
    css: &dyn Fn([f64; 2]) -> [f64; 2],
    display: &dyn Fn([f64; 2]) -> [f64; 2],
) -> Option<[f64; 2]> {
    let map = |p: [f64; 2], u: Units| match u {
        Units::Pixel => css(p),
        Units::Display => display(p),
    };
    t.bounding_box
        .map(|([a, _], u)| map(a, u))
        .or_else(|| t.anchor.map(|(a, u)| map(a, u)))
}

/// The state's graphics and texts over the image, and its badge.
#[component]
pub(super) fn PresentationLayer(
    presentation: Presentation,
    stack: SendWrapper<Rc<Stack>>,
    s: Signals,
) -> impl IntoView {
    let drawn = {
        let stack = stack.clone();
        move || {
            let state = presentation.current.get()?;
            let (sop, frame, size, ..) = visible_image(&stack, s.display.slice.get())?;
            let ratio = device_pixel_ratio();
            let canvas = s.canvas_css.get().map(|c| c * ratio);
            let map = s.display.view.get().canvas_from_image(size, canvas);
            let css = move |p: [f64; 2]| {
                let c = map.apply(p);
                [c[0] / ratio, c[1] / ratio]
            };
            let bounds = state
                .displayed_area(&sop, frame)
                .map(|a| a.bounds)
                .unwrap_or([0.0, 0.0, size[0], size[1]]);
            let corners = [css([bounds[0], bounds[1]]), css([bounds[2], bounds[3]])];
            let (x0, y0) = (
                corners[0][0].min(corners[1][0]),
                corners[0][1].min(corners[1][1]),
            );
            let (x1, y1) = (
                corners[0][0].max(corners[1][0]),
                corners[0][1].max(corners[1][1]),
            );
            let display = move |p: [f64; 2]| [x0 + p[0] * (x1 - x0), y0 + p[1] * (y1 - y0)];
            let mut shapes = Vec::new();
            for a in state.annotations_for(&sop, frame) {
                for g in &a.graphics {
                    let points = graphic_points(g, &css, &display)
                        .iter()
                        .map(|p| format!("{:.1},{:.1}", p[0], p[1]))
                        .collect::<Vec<_>>()
                        .join(" ");
                    let filled = g.filled;
                    shapes.push(
                        view! {
                            <polyline data-testid="ps-graphic" points=points class:filled=filled/>
                        }
                        .into_any(),
                    );
                }
                for t in &a.texts {
                    if let Some([x, y]) = text_position(t, &css, &display) {
                        shapes.push(view! {
                            <text data-testid="ps-text" x=format!("{x:.1}") y=format!("{:.1}", y + 12.0)>
                                {t.text.clone()}
                            </text>
                        }.into_any());
                    }
                }
            }
            Some(shapes)
        }
    };
    view! { <svg class="presentation-graphics" aria-hidden="true">{drawn}</svg> }
}

/// The switch of the presentation state in force, when the visible image has one (in the
/// viewport's bar, never over the image).
#[component]
pub(super) fn PresentationBadge(
    presentation: Presentation,
    stack: SendWrapper<Rc<Stack>>,
    s: Signals,
) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        let has_state = {
            let stack = stack.clone();
            move || {
                visible_image(&stack, s.display.slice.get()).is_some_and(|(sop, frame, ..)| {
                    use_context::<Annotations>().is_some_and(|a| a.state_for(&sop, frame).is_some())
                })
            }
        };
        let i18n = i18n.clone();
        has_state().then(move || {
            let label = {
                let i18n = i18n.clone();
                move || match presentation.current.get() {
                    Some(p) => i18n.f(
                        "presentation.applied",
                        &[("label", p.label.as_deref().unwrap_or("—"))],
                    ),
                    None => i18n.t("presentation.off"),
                }
            };
            view! {
                <button type="button" class="presentation-badge" data-testid="presentation-state"
                    aria-pressed=move || presentation.enabled.get().to_string()
                    on:pointerdown=|ev| ev.stop_propagation()
                    on:click=move |_| presentation.enabled.update(|e| *e = !*e)>{label}</button>
            }
        })
    }
}
