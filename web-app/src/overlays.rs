//! What the view transform puts on screen around the image: patient-direction markers on the
//! four edges, the scale bar (or "uncalibrated"), the cine controls; the view actions and the
//! tools that the toolbars (`toolbar`) offer. The maths is `viewer_core::view`; these
//! components only draw it.

use leptos::prelude::*;
use viewer_core::study::PixelSpacing;
use viewer_core::view::{edge_labels, scale_bar, ViewState};

use crate::i18n::use_i18n;
use crate::icons::Icon;

/// The image's geometry as the overlays need it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ImageGeometry {
    /// Columns, rows.
    pub size_px: [f64; 2],
    pub orientation: Option<[f64; 6]>,
    pub spacing: PixelSpacing,
}

/// A, P, R, L, H, F at the middle of each edge, following rotation and flips.
#[component]
pub fn OrientationMarkers(
    geometry: Signal<Option<ImageGeometry>>,
    view: Memo<ViewState>,
) -> impl IntoView {
    let labels = move || {
        let orientation = geometry.get()?.orientation?;
        Some(edge_labels(&orientation, &view.get()))
    };
    let edge = move |i: usize| move || labels().map(|l| l[i].clone()).unwrap_or_default();
    view! {
        <div class="marker marker-left" data-testid="marker-left">{edge(0)}</div>
        <div class="marker marker-right" data-testid="marker-right">{edge(1)}</div>
        <div class="marker marker-top" data-testid="marker-top">{edge(2)}</div>
        <div class="marker marker-bottom" data-testid="marker-bottom">{edge(3)}</div>
    }
}

/// A scale bar's length as written beside it: centimetres from 1 cm, else millimetres.
pub fn bar_label(length_mm: f64) -> String {
    if length_mm >= 10.0 {
        format!("{} cm", length_mm / 10.0)
    } else {
        format!("{length_mm} mm")
    }
}

/// A round length in mm drawn to scale, or the reason there is none.
#[component]
pub fn ScaleBar(
    geometry: Signal<Option<ImageGeometry>>,
    view: Memo<ViewState>,
    /// The canvas's size in CSS pixels.
    canvas_css: RwSignal<[f64; 2]>,
) -> impl IntoView {
    let i18n = use_i18n();
    let bar = move || {
        let g = geometry.get()?;
        let state = view.get();
        let canvas = canvas_css.get();
        // Canvas pixels per mm are the same in every direction (the view keeps the pixel
        // aspect), so the column spacing serves whatever the rotation.
        let column_mm = g.spacing.column_mm()?;
        scale_bar(column_mm, state.scale(g.size_px, canvas), canvas[0], 0.25)
    };
    let label = move || bar().map(|b| bar_label(b.length_mm));
    let note = {
        let i18n = i18n.clone();
        move || match geometry.get().map(|g| g.spacing) {
            Some(PixelSpacing::Uncalibrated) => Some(i18n.t("viewer.uncalibrated")),
            Some(PixelSpacing::Detector { .. }) => Some(i18n.t("viewer.detector_spacing")),
            _ => None,
        }
    };
    view! {
        <div class="scale-bar" data-testid="scale-bar"
            data-length-mm=move || bar().map(|b| b.length_mm.to_string())
            data-length-px=move || bar().map(|b| format!("{:.2}", b.length_px))>
            {move || bar().map(|b| view! {
                <div class="scale-bar-line" style:width=format!("{:.1}px", b.length_px)></div>
            })}
            <span>{label}</span>
            <span class="scale-note">{note}</span>
        </div>
    }
}

/// What a toolbar button asks of the viewport.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ViewAction {
    Rotate,
    FlipHorizontal,
    FlipVertical,
    Fit,
    OneToOne,
    Invert,
    Smooth,
    Reset,
    ExportPng,
    ExportJpeg,
    Print,
    PrintSeries,
}

/// Play / pause and the speed of cine (frames per second, within the allowed range).
#[component]
pub fn CineControls(playing: RwSignal<bool>, fps: RwSignal<f64>) -> impl IntoView {
    let i18n = use_i18n();
    let (slowest, fastest) = viewer_core::study::CINE_FPS_RANGE;
    let toggle_label = {
        let i18n = i18n.clone();
        move || {
            i18n.t(if playing.get() {
                "viewer.cine.pause"
            } else {
                "viewer.cine.play"
            })
        }
    };
    let fps_label = {
        let i18n = i18n.clone();
        move || i18n.t("viewer.cine.fps")
    };
    let on_fps = move |ev: leptos::ev::Event| {
        if let Ok(value) = event_target_value(&ev).parse::<f64>() {
            if value.is_finite() {
                fps.set(value.clamp(slowest, fastest));
            }
        }
    };
    view! {
        <div class="cine-controls" on:pointerdown=|ev| ev.stop_propagation()
            on:wheel=|ev| ev.stop_propagation() on:keydown=|ev| ev.stop_propagation()>
            <button type="button" data-testid="cine-toggle" title=toggle_label.clone()
                aria-label=toggle_label aria-pressed=move || playing.get().to_string()
                on:click=move |_| playing.update(|p| *p = !*p)>
                {move || crate::icons::plain(if playing.get() { Icon::Pause } else { Icon::Play })}
            </button>
            <label>
                <input type="number" data-testid="cine-fps" min=slowest max=fastest step="1"
                    prop:value=move || format!("{:.0}", fps.get()) on:change=on_fps />
                <span>{fps_label}</span>
            </label>
        </div>
    }
}

/// What a one-finger (or left-button) drag does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    Window,
    Pan,
    Zoom,
    Scroll,
    Length,
    Angle,
    Ellipse,
    Rectangle,
    Probe,
}

impl Tool {
    pub const ALL: [Tool; 9] = [
        Tool::Window,
        Tool::Pan,
        Tool::Zoom,
        Tool::Scroll,
        Tool::Length,
        Tool::Angle,
        Tool::Ellipse,
        Tool::Rectangle,
        Tool::Probe,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Tool::Window => "window",
            Tool::Pan => "pan",
            Tool::Zoom => "zoom",
            Tool::Scroll => "scroll",
            Tool::Length => "length",
            Tool::Angle => "angle",
            Tool::Ellipse => "ellipse",
            Tool::Rectangle => "rectangle",
            Tool::Probe => "probe",
        }
    }

    /// Whether the tool draws an annotation.
    pub fn measures(self) -> bool {
        matches!(
            self,
            Tool::Length | Tool::Angle | Tool::Ellipse | Tool::Rectangle | Tool::Probe
        )
    }
}
