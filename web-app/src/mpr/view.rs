//! One reformat view: its plane through the crosshairs' centre reformatted from the volume
//! (again when the plane, the slab, the sampling or the volume changes), drawn by the WebGL2
//! renderer as a 32-bit integer texture through the shared window, and what is drawn over it:
//! the identity, the plane and its position, the other planes' lines, the missing samples
//! hatched, the lengths and ellipses, the orientation markers, the scale bar, the LOSSY mark and the
//! volume's state.

use std::cell::RefCell;
use std::rc::Rc;

use leptos::html::Canvas;
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use viewer_core::mpr::{missing_bands, texture_values, value_range, Band, VIEWS};
use viewer_core::pixel_module::Photometric;
use viewer_core::reformat::{reformat, Interpolation, Plane, SlabMode};
use viewer_core::study::PixelSpacing;
use viewer_core::view::ViewState;
use viewer_core::voi::{VoiFunction, WindowLevel};
use viewer_core::{DecodedFrame, Samples};

use super::graphics::graphics;
use super::{pointer, Mpr, Shared};
use crate::i18n::{use_i18n, I18n};
use crate::overlays::{ImageGeometry, OrientationMarkers, ScaleBar};
use crate::renderer::{DrawParams, Grey, Renderer};
use crate::viewport::{device_pixel_ratio, identity_overlay, Identity};

/// The page's performance marks for each view's first drawing of the whole series (after
/// `mpr-volume-complete`), read by the benchmark (`e2e/bench/mpr.mjs`).
const DRAWN_MARKS: [&str; 3] = ["mpr-drawn-axial", "mpr-drawn-coronal", "mpr-drawn-sagittal"];

/// What missing and outside samples hold in the texture: below any window, so black.
const FILL: i32 = -1_000_000;

/// The catalog key of each view's name, and its test id.
pub(super) const NAMES: [(&str, &str); 3] = [
    ("mpr.axial", "axial"),
    ("mpr.coronal", "coronal"),
    ("mpr.sagittal", "sagittal"),
];

/// Whether two planes are the same to well under a sample (the centre moving within a plane
/// moves its origin by rounding only).
fn same_plane(a: &Plane, b: &Plane) -> bool {
    let close = |x: &[f64], y: &[f64]| x.iter().zip(y).all(|(p, q)| (p - q).abs() < 1e-6);
    a.rows == b.rows
        && a.columns == b.columns
        && close(&a.origin_mm, &b.origin_mm)
        && close(&a.row_direction, &b.row_direction)
        && close(&a.column_direction, &b.column_direction)
        && close(&a.spacing_mm, &b.spacing_mm)
}

/// What one reformat was made of, so that an unchanged one is not made again.
#[derive(Clone, PartialEq)]
struct Made {
    plane: Option<Plane>,
    slab: Option<viewer_core::reformat::Slab>,
    smooth: bool,
    filled: usize,
}

impl Made {
    fn same(&self, other: &Made) -> bool {
        let planes = match (&self.plane, &other.plane) {
            (Some(a), Some(b)) => same_plane(a, b),
            (None, None) => true,
            _ => false,
        };
        planes
            && self.slab == other.slab
            && self.smooth == other.smooth
            && self.filled == other.filled
    }
}

/// The canvas's device pixels.
fn canvas_px(css: [f64; 2]) -> [f64; 2] {
    css.map(|c| c * device_pixel_ratio())
}

/// The view's image-to-canvas map in CSS pixels.
pub(super) fn css_from_image(
    state: &ViewState,
    plane: &Plane,
    css: [f64; 2],
) -> viewer_core::view::Affine {
    let size = [f64::from(plane.columns), f64::from(plane.rows)];
    let mut affine = state.canvas_from_image(size, canvas_px(css));
    let ratio = device_pixel_ratio();
    affine.m = affine.m.map(|v| v / ratio);
    affine.t = affine.t.map(|v| v / ratio);
    affine
}

/// The canvas of one view and what its drawing says back.
#[derive(Clone, Copy)]
struct Surface {
    canvas_ref: NodeRef<Canvas>,
    canvas_css: RwSignal<[f64; 2]>,
    resized: RwSignal<u64>,
    gl_error: RwSignal<Option<String>>,
    /// The plane whose reformat the texture holds.
    plane: RwSignal<Option<Plane>>,
    bands: RwSignal<Vec<Band>>,
    uploaded: RwSignal<u64>,
    reformat_ms: RwSignal<f64>,
    /// The texture holds a reformat of every slice of the series.
    complete: RwSignal<bool>,
}

/// Reformat and upload when what the image is made of changes.
fn reformat_on_change(
    view: usize,
    mpr: Mpr,
    s: Surface,
    shared: SendWrapper<Shared>,
    renderer: Rc<RefCell<Option<Renderer>>>,
    i18n: I18n,
) {
    let Surface {
        canvas_ref,
        gl_error,
        plane,
        bands,
        uploaded,
        reformat_ms,
        complete,
        ..
    } = s;
    let renderer = SendWrapper::new(renderer);
    let last = SendWrapper::new(RefCell::new(None::<Made>));
    let slices = shared.geometry.sources.iter().flatten().count();
    Effect::new(move |_| {
        let Some(canvas) = canvas_ref.get() else {
            return;
        };
        let made = Made {
            plane: mpr.crosshairs.with(|c| c.plane(&shared.geometry, view)),
            slab: mpr.slabs.with(|s| s[view]),
            smooth: mpr.smooth.get(),
            filled: mpr.filled.get(),
        };
        if last.borrow().as_ref().is_some_and(|l| l.same(&made)) {
            return;
        }
        *last.borrow_mut() = Some(made.clone());
        let Some(target) = made.plane else {
            gl_error.set(Some(i18n.t("mpr.plane_too_large")));
            return;
        };
        let (Ok(rows), Ok(columns)) = (u16::try_from(target.rows), u16::try_from(target.columns))
        else {
            gl_error.set(Some(i18n.t("mpr.plane_too_large")));
            return;
        };
        let interpolation = if made.smooth {
            Interpolation::Trilinear
        } else {
            Interpolation::Nearest
        };
        let started = crate::timing::now_ms();
        let samples = reformat(&shared.volume.borrow(), &target, interpolation, made.slab);
        reformat_ms.set(crate::timing::now_ms() - started);
        bands.set(missing_bands(&samples, target.columns));
        if mpr.window.get_untracked().is_none() {
            if let Some((low, high)) = value_range(&samples) {
                let (low, high) = (f64::from(low), f64::from(high));
                mpr.window.set(Some(WindowLevel {
                    center: (low + high) / 2.0,
                    width: (high - low).max(1.0),
                }));
            }
        }
        let frame = DecodedFrame {
            rows,
            columns,
            samples_per_pixel: 1,
            photometric: Photometric::Monochrome2,
            samples: Samples::I32(texture_values(&samples, FILL)),
            relabelled_from: None,
        };
        let mut slot = renderer.borrow_mut();
        let uploaded_frame = Renderer::in_slot(&mut slot, canvas).and_then(|r| r.upload(&frame));
        if let Err(e) = uploaded_frame {
            gl_error.set(Some(e));
            return;
        }
        plane.set(Some(target));
        complete.set(made.filled == slices);
        uploaded.update(|n| *n += 1);
    });
}

/// Draw when the texture, the window, the view or the canvas's size changes.
fn draw_on_change(view: usize, mpr: Mpr, s: Surface, renderer: Rc<RefCell<Option<Renderer>>>) {
    let Surface {
        canvas_ref,
        canvas_css,
        resized,
        gl_error,
        uploaded,
        complete,
        ..
    } = s;
    let renderer = SendWrapper::new(renderer);
    Effect::new(move |_| {
        uploaded.track();
        resized.track();
        let (Some(window), Some(canvas)) = (mpr.window.get(), canvas_ref.get()) else {
            return;
        };
        let params = DrawParams {
            slope: 1.0,
            intercept: 0.0,
            grey: Grey::Window {
                center: window.center as f32,
                width: window.width as f32,
                function: VoiFunction::Linear,
            },
            invert: mpr.invert.get(),
            smooth: mpr.smooth.get(),
        };
        let state = mpr.views[view].get();
        let mut slot = renderer.borrow_mut();
        let Some(r) = slot.as_mut() else { return };
        r.resize();
        let css = [
            f64::from(canvas.client_width()),
            f64::from(canvas.client_height()),
        ];
        if canvas_css.get_untracked() != css {
            canvas_css.set(css);
        }
        match r.draw(&params, &state) {
            Ok(()) if complete.get_untracked() => crate::timing::mark_once(DRAWN_MARKS[view]),
            Ok(()) => {}
            Err(e) => gl_error.set(Some(e)),
        }
    });
}

/// The plane and where it lies: its patient coordinate, or along its normal once turned.
fn position_text(
    view: usize,
    mpr: Mpr,
    i18n: I18n,
) -> impl Fn() -> String + Clone + Send + Sync + 'static {
    move || {
        let (centre, turned, normal) = mpr
            .crosshairs
            .with(|c| (c.centre_mm, c.is_turned(view), c.normal(view)));
        let plane = i18n.t(NAMES[view].0);
        if turned {
            let along: f64 = (0..3).map(|i| centre[i] * normal[i]).sum();
            i18n.f(
                "mpr.position_oblique",
                &[("plane", &plane), ("mm", &format!("{along:.1}"))],
            )
        } else {
            let axis = VIEWS[view].axis();
            i18n.f(
                "mpr.position",
                &[
                    ("plane", &plane),
                    ("axis", ["x", "y", "z"][axis]),
                    ("mm", &format!("{:.1}", centre[axis])),
                ],
            )
        }
    }
}

/// The slab of the view, as the reader chose it.
fn slab_text(
    view: usize,
    mpr: Mpr,
    i18n: I18n,
) -> impl Fn() -> Option<String> + Clone + Send + Sync + 'static {
    move || {
        mpr.slabs.with(|s| s[view]).map(|slab| {
            let mode = match slab.mode {
                SlabMode::Maximum => "MIP".to_string(),
                SlabMode::Minimum => "MinIP".to_string(),
                SlabMode::Average => i18n.t("mpr.slab.avg_short"),
            };
            format!("{mode} {:.0} mm", slab.thickness_mm)
        })
    }
}

/// How much of the volume is in, until all of it is.
fn volume_badge(
    mpr: Mpr,
    i18n: I18n,
    slots: usize,
) -> impl Fn() -> Option<String> + Clone + Send + Sync + 'static {
    move || {
        let filled = mpr.filled.get();
        (filled < slots).then(|| {
            i18n.f(
                "mpr.incomplete",
                &[
                    ("filled", &filled.to_string()),
                    ("slots", &slots.to_string()),
                ],
            )
        })
    }
}

fn window_text(
    mpr: Mpr,
    i18n: I18n,
) -> impl Fn() -> Option<String> + Clone + Send + Sync + 'static {
    move || {
        mpr.window.get().map(|w| {
            i18n.f(
                "viewer.window",
                &[
                    ("center", &format!("{:.0}", w.center)),
                    ("width", &format!("{:.0}", w.width)),
                ],
            )
        })
    }
}

#[component]
pub(super) fn MprView(
    view: usize,
    mpr: Mpr,
    shared: SendWrapper<Shared>,
    identity: Identity,
    lossy: bool,
    slots: usize,
) -> impl IntoView {
    let i18n = use_i18n();
    let canvas_ref = NodeRef::<Canvas>::new();
    let canvas_css = RwSignal::new([0.0f64, 0.0]);
    let resized = RwSignal::new(0u64);
    let gl_error = RwSignal::new(None::<String>);
    let plane = RwSignal::new(None::<Plane>);
    let bands = RwSignal::new(Vec::<Band>::new());
    let uploaded = RwSignal::new(0u64);
    let reformat_ms = RwSignal::new(0.0f64);
    let complete = RwSignal::new(false);
    let renderer: Rc<RefCell<Option<Renderer>>> = Rc::default();
    let geometry = Rc::clone(&shared.geometry);
    let s = Surface {
        canvas_ref,
        canvas_css,
        resized,
        gl_error,
        plane,
        bands,
        uploaded,
        reformat_ms,
        complete,
    };
    reformat_on_change(
        view,
        mpr,
        s,
        shared.clone(),
        Rc::clone(&renderer),
        i18n.clone(),
    );
    draw_on_change(view, mpr, s, renderer);
    crate::viewport::watch_size(canvas_ref, resized);
    let view_memo = Memo::new(move |_| mpr.views[view].get());
    let image_geometry = Signal::derive(move || {
        plane.with(|p| {
            p.as_ref().map(|p| {
                let mut orientation = [0.0; 6];
                orientation[..3].copy_from_slice(&p.row_direction);
                orientation[3..].copy_from_slice(&p.column_direction);
                ImageGeometry {
                    size_px: [f64::from(p.columns), f64::from(p.rows)],
                    orientation: Some(orientation),
                    spacing: PixelSpacing::Patient {
                        row_mm: p.spacing_mm[0],
                        column_mm: p.spacing_mm[1],
                    },
                }
            })
        })
    });
    let handlers = pointer::Handlers::new(view, mpr, SendWrapper::new(geometry), plane, canvas_css);
    let id = NAMES[view].1;
    let position_text = position_text(view, mpr, i18n.clone());
    let slab_text = slab_text(view, mpr, i18n.clone());
    let volume_badge = volume_badge(mpr, i18n.clone(), slots);
    let window_text = window_text(mpr, i18n.clone());
    let lossy_label = {
        let i18n = i18n.clone();
        move || i18n.t("viewer.lossy")
    };
    let reduced = (shared.reduction > 1).then(|| {
        let factor = shared.reduction.to_string();
        (
            i18n.f("mpr.reduced", &[("factor", &factor)]),
            i18n.t("mpr.reduced_why"),
        )
    });
    let plane_attr = move |f: fn(&Plane) -> String| move || plane.with(|p| p.as_ref().map(f));
    let affine_attr = move || {
        let state = mpr.views[view].get();
        plane.with(|p| {
            p.as_ref().map(|p| {
                let a = css_from_image(&state, p, canvas_css.get());
                format!(
                    "{},{},{},{},{},{}",
                    a.m[0], a.m[1], a.m[2], a.m[3], a.t[0], a.t[1]
                )
            })
        })
    };
    view! {
        <div class="mpr-view" data-testid="mpr-view" data-view=id
            class:active=move || mpr.active.get() == view
            data-origin=plane_attr(|p| p.origin_mm.map(|v| format!("{v:.4}")).join("\\"))
            data-row=plane_attr(|p| p.row_direction.map(|v| format!("{v:.6}")).join("\\"))
            data-column=plane_attr(|p| p.column_direction.map(|v| format!("{v:.6}")).join("\\"))
            data-spacing=plane_attr(|p| format!("{:.6}", p.spacing_mm[0]))
            data-size=plane_attr(|p| format!("{}x{}", p.columns, p.rows))
            data-css-from-image=affine_attr
            data-uploads=move || uploaded.get().to_string()
            data-reformat-ms=move || format!("{:.2}", reformat_ms.get())
            data-missing-bands=move || bands.with(|b| b.len()).to_string()
            data-window-center=move || mpr.window.get().map(|w| w.center.to_string())
            data-window-width=move || mpr.window.get().map(|w| w.width.to_string())
            data-zoom=move || view_memo.get().zoom.to_string()
            tabindex="0"
            on:keydown=handlers.on_key()
            on:wheel=handlers.on_wheel()
            on:pointerdown=handlers.on_down()
            on:pointermove=handlers.on_move()
            on:pointerup=handlers.on_up()
            on:pointercancel=handlers.on_up()
            on:dblclick=handlers.on_double_click()>
            <div class="image-area" data-testid="image-area"
                on:contextmenu=|ev| ev.prevent_default()>
                <canvas node_ref=canvas_ref data-testid="mpr-canvas"></canvas>
                {graphics(view, mpr, shared.clone(), plane, bands, canvas_css, handlers.drawing)}
                {identity_overlay(identity)}
                <div class="overlay bottom-left">
                    <div data-testid="overlay-position">{position_text}</div>
                    <div data-testid="mpr-slab-text">{slab_text}</div>
                </div>
                <OrientationMarkers geometry=image_geometry view=view_memo />
                <div class="overlay bottom-right">
                    <ScaleBar geometry=image_geometry view=view_memo canvas_css=canvas_css />
                    <div data-testid="overlay-window">{window_text}</div>
                    {lossy.then(|| view! { <div class="lossy">{lossy_label}</div> })}
                    {reduced.map(|(text, title)| view! {
                        <div class="quality-badge" data-testid="mpr-reduced" title=title>{text}</div>
                    })}
                    {move || volume_badge().map(|text| view! {
                        <div class="quality-badge" data-testid="mpr-incomplete">{text}</div>
                    })}
                </div>
                {move || gl_error.get().map(|e| view! {
                    <p class="viewport-message error" role="alert">{e}</p>
                })}
            </div>
        </div>
    }
}
