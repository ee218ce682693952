//! One viewport: the canvas, its interactions (wheel: slice; left drag: window/level; middle
//! drag: pan; right drag: zoom; keyboard) and the overlays that keep the patient's identity
//! and the image's state in sight.

use std::rc::Rc;

use leptos::html::Canvas;
use leptos::prelude::*;
use viewer_core::display::Action;
use viewer_core::study::PixelSpacing;
use viewer_core::view::ViewState;
use viewer_core::voi::WindowLevel;

use crate::i18n::use_i18n;
use crate::layout::Grid;
use crate::overlays::{
    CineControls, ImageGeometry, OrientationMarkers, ScaleBar, Tool, ToolPicker, ViewAction,
    ViewToolbar,
};
use crate::stack::{FrameState, Stack};

/// "né(e) le dd/MM/yyyy · F": birth date and sex as far as they are known.
pub fn born_and_sex(i18n: &crate::i18n::I18n, identity: &Identity) -> Option<String> {
    let born = identity
        .birth_date
        .as_deref()
        .and_then(viewer_core::text::format_da)
        .map(|d| i18n.f("patient.born", &[("date", &d)]));
    let sex = identity.sex.as_deref().and_then(|s| match s {
        "M" => Some(i18n.t("patient.sex.m")),
        "F" => Some(i18n.t("patient.sex.f")),
        "O" => Some(i18n.t("patient.sex.o")),
        _ => None,
    });
    let parts: Vec<String> = born.into_iter().chain(sex).collect();
    (!parts.is_empty()).then(|| parts.join(" · "))
}

/// Identity shown over the image (PS3.3 says nothing; clinical safety says always).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Identity {
    pub patient_name: String,
    pub patient_id: String,
    pub birth_date: Option<String>,
    /// Patient's Sex as sent (M, F, O).
    pub sex: Option<String>,
    pub study_date: Option<String>,
    pub study_description: Option<String>,
    pub series_description: Option<String>,
}

mod actions;
mod annotate;
mod display;
mod draw;
mod export;
mod input;
mod parts;
mod pointer;
mod presentation;
mod sync;

/// The frame in the texture, and the VOI LUT it was mapped through.
type Uploaded = (Rc<viewer_core::DecodedFrame>, Option<usize>);

/// What the parts of one viewport (drawing, pointer input, presentation states) share: the
/// display (changed only through its actions) and the canvas's state.
#[derive(Clone, Copy)]
struct Signals {
    display: display::Display,
    canvas_css: RwSignal<[f64; 2]>,
    gl_error: RwSignal<Option<String>>,
    context_lost: RwSignal<bool>,
    /// Bumped when the canvas changes size: the drawing buffer follows.
    resized: RwSignal<u64>,
}

/// Canvas pixels of vertical drag per slice with the scroll tool.
const SCROLL_DRAG_PX: f64 = 12.0;

fn device_pixel_ratio() -> f64 {
    web_sys::window().map_or(1.0, |w| w.device_pixel_ratio())
}

#[component]
pub fn Viewport(
    stack: Rc<Stack>,
    identity: Identity,
    /// The grid cell it fills (0 when it stands alone).
    #[prop(optional)]
    cell: usize,
) -> impl IntoView {
    let grid = use_context::<Grid>();
    let i18n = use_i18n();
    let canvas_ref = NodeRef::<Canvas>::new();
    let gl_error = RwSignal::new(None::<String>);
    // The GPU dropped the WebGL context (driver reset, too many contexts); it comes back with
    // `webglcontextrestored`, and the renderer is then built and the frame uploaded again.
    let context_lost = RwSignal::new(false);
    // Pixels with unequal spacing keep their true proportions.
    let pixel_aspect = stack
        .images
        .first()
        .and_then(|i| match i.spacing {
            PixelSpacing::Patient { row_mm, column_mm }
            | PixelSpacing::Detector { row_mm, column_mm } => Some(row_mm / column_mm),
            PixelSpacing::Uncalibrated => None,
        })
        .unwrap_or(1.0);
    let initial_view = ViewState {
        pixel_aspect,
        ..ViewState::default()
    };
    let active_tool = RwSignal::new(Tool::Window);
    let canvas_css = RwSignal::new([0.0f64, 0.0]);
    let total = stack.len();
    // View closures must be Send; the stack only ever lives on the page's thread.
    let stack = send_wrapper::SendWrapper::new(stack);
    // The visible frame and its state: what is drawn depends on it, not on every other frame
    // of the series arriving.
    let visible_frame = RwSignal::new((usize::MAX, 0usize));
    let display = display::Display::new(stack.clone(), initial_view, visible_frame);
    let (index, view) = (display.slice, display.view);

    let changed = stack.changed.clone();
    // The stack loads around the visible slice: whatever moves `index` (scrolling, keys, cine,
    // a report's link, a synchronised cell), the loading schedule follows it from here, and
    // from nowhere else. The first focus is at once, so the first request leaves now.
    let first_focus = index.get_untracked();
    stack.focus(first_focus);
    {
        let stack = stack.clone();
        Effect::new(move |focused: Option<usize>| {
            let i = index.get();
            if i != focused.unwrap_or(first_focus) {
                stack.focus(i);
            }
            i
        });
    }
    {
        let stack = stack.clone();
        on_cleanup(move || stack.stop());
    }

    let geometry = {
        let stack = stack.clone();
        Signal::derive(move || {
            let entry = stack.entries.get(index.get())?;
            let image = &stack.images[entry.image];
            let module = image.module.as_ref().ok()?;
            Some(ImageGeometry {
                size_px: [f64::from(module.columns), f64::from(module.rows)],
                orientation: image.orientation,
                spacing: image.spacing,
            })
        })
    };

    let (activate, reference_lines) = sync::connect(grid, cell, stack.clone(), display, canvas_css);

    {
        let stack = stack.clone();
        let changed = changed.clone();
        Effect::new(move |_| {
            changed.track();
            let i = index.get();
            let key = (i, FrameState::identity(stack.state(i).as_ref()));
            if visible_frame.get_untracked() != key {
                visible_frame.set(key);
            }
        });
    }
    let visible = {
        let stack = stack.clone();
        move || {
            visible_frame.track();
            stack.state(index.get())
        }
    };

    let signals = Signals {
        display,
        canvas_css,
        gl_error,
        context_lost,
        resized: RwSignal::new(0),
    };
    // The page's annotations and presentation states (a viewport on its own keeps its own).
    let store = use_context::<crate::annotations::Annotations>()
        .unwrap_or_else(crate::annotations::Annotations::new);
    let presentation = presentation::connect(store, stack.clone(), signals, initial_view);
    draw::connect(canvas_ref, stack.clone(), signals, visible.clone());

    let go_to = move |target: isize| {
        if total == 0 {
            return;
        }
        let next = target.clamp(0, total as isize - 1) as usize;
        if next != index.get_untracked() {
            display.dispatch(Action::GoTo(next));
        }
    };
    let step_by = move |step: isize| go_to(index.get_untracked() as isize + step);
    // Cine: step through the stack at `fps`, looping, while `playing`.
    let default_fps = stack
        .images
        .first()
        .and_then(|i| i.cine_fps)
        .unwrap_or(viewer_core::study::DEFAULT_CINE_FPS);
    let (playing, fps) = input::cine(default_fps, total, index, go_to);
    let on_wheel = input::wheel_handler(activate.clone(), step_by);

    let annotate = annotate::Annotate::new(
        store,
        canvas_ref,
        view,
        canvas_css,
        index,
        visible_frame,
        stack.clone(),
    );
    let (on_pointer_down, on_pointer_move, on_pointer_up) = pointer::handlers(
        canvas_ref,
        signals,
        active_tool,
        annotate,
        activate.clone(),
        step_by,
    );

    let state_attr = {
        let visible = visible.clone();
        move || match (gl_error.get(), visible()) {
            (Some(_), _) => "error",
            (None, Some(FrameState::Ready(_))) => "ready",
            (None, Some(FrameState::Preview(_))) => "preview",
            (None, Some(FrameState::Failed(_) | FrameState::NotDisplayable(_))) => "error",
            (None, None) => "loading",
        }
    };
    let preview = {
        let visible = visible.clone();
        Signal::derive(move || matches!(visible(), Some(FrameState::Preview(_))))
    };
    let preset_windows: Vec<WindowLevel> = parts::window_presets(&i18n, &stack)
        .into_iter()
        .map(|(_, w)| w)
        .collect();
    let export_error = RwSignal::new(None::<String>);
    let actions = actions::ActionContext {
        display,
        stack: stack.clone(),
        identity: identity.clone(),
        i18n: i18n.clone(),
        canvas_ref,
        canvas_css,
        geometry,
        export_error,
    };
    let act = move |action: ViewAction| actions::view_action(&actions, action);
    let on_key = input::key_handler(input::Keys {
        act: act.clone(),
        activate: activate.clone(),
        annotate,
        display,
        go_to,
        playing,
        preset_windows,
        total,
    });
    // Frames loaded so far: the reader sees when the whole series is there.
    let loaded = {
        let stack = stack.clone();
        let changed = stack.changed.clone();
        Signal::derive(move || {
            changed.track();
            stack.loaded()
        })
    };
    // The series browser shows the same progress beside the series.
    if let Some(browser) = use_context::<crate::thumbnails::SeriesBrowser>() {
        let series = stack.series.clone();
        Effect::new(move |_| browser.report_progress(&series, loaded.get(), total));
    }
    let lossy_flags: Vec<bool> = stack
        .entries
        .iter()
        .map(|e| stack.images[e.image].lossy)
        .collect();
    let lossy = Signal::derive(move || lossy_flags.get(index.get()).copied().unwrap_or(false));

    view! {
        <div
            class="viewport"
            data-testid="viewport"
            data-state=state_attr
            data-slice=move || index.get().to_string()
            data-slices=total.to_string()
            data-series=stack.series.clone()
            data-window-center=move || display.window().map(|w| w.center.to_string())
            data-window-width=move || display.window().map(|w| w.width.to_string())
            data-voi-lut=move || display.voi.get().and_then(|v| v.lut()).map(|i| i.to_string())
            data-zoom=move || view.get().zoom.to_string()
            data-quarter-turns=move || view.get().quarter_turns.to_string()
            data-inverted=move || display.with(|d| d.reader_invert()).to_string()
            data-playing=move || playing.get().to_string()
            data-tool=move || active_tool.get().id()
            data-smooth=move || display.with(|d| d.interpolation().is_smooth()).to_string()
            data-loaded=move || loaded.get().to_string()
            data-context-lost=move || context_lost.get().to_string()
            data-presentation-state=move || presentation.current.get().map(|p| p.sop_instance_uid.clone())
            tabindex="0"
            on:keydown=on_key
            on:contextmenu=|ev| ev.prevent_default()
            on:wheel=on_wheel
            on:pointerdown=on_pointer_down
            on:pointermove=on_pointer_move
            on:pointerup=on_pointer_up.clone()
            on:pointercancel=on_pointer_up
        >
            // Interactions are on the whole viewport, so they also work over a message.
            <canvas node_ref=canvas_ref data-testid="viewport-canvas"></canvas>
            {parts::identity_overlay(identity)}
            {parts::position_overlay(stack.clone(), index, loaded)}
            <svg class="reference-lines" aria-hidden="true">
                {move || reference_lines().into_iter().map(|(other, [x1, y1, x2, y2])| view! {
                    <line data-testid="reference-line" data-cell=other.to_string()
                        x1=format!("{x1:.1}") y1=format!("{y1:.1}") x2=format!("{x2:.1}") y2=format!("{y2:.1}") />
                }).collect_view()}
            </svg>
            <presentation::PresentationLayer presentation=presentation stack=stack.clone() s=signals />
            <annotate::AnnotationLayer annotate=annotate />
            <OrientationMarkers geometry=geometry view=view />
            <ScaleBar geometry=geometry view=view canvas_css=canvas_css />
            <ViewToolbar on_action=Callback::new(act) />
            <ToolPicker active=active_tool />
            {parts::key_image_toggle(annotate)}
            <CineControls playing=playing fps=fps />
            {parts::presets_select(display, &stack)}
            {parts::status_overlay(display, geometry, canvas_css, lossy, preview)}
            {parts::messages(visible, gl_error, context_lost, export_error)}
        </div>
    }
}
