//! One viewport: the canvas, its interactions (wheel: slice; left drag: window/level; middle
//! drag: pan; right drag: zoom; keyboard) and the overlays that keep the patient's identity
//! and the image's state in sight.

use std::rc::Rc;

use leptos::html::Canvas;
use leptos::prelude::*;
use viewer_core::view::ViewState;

use crate::i18n::use_i18n;
use crate::layout::Grid;
use crate::overlays::{OrientationMarkers, Tool, ViewAction};
use crate::stack::Stack;

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
    /// Issuer of Patient ID (0010,0021): whose local ID `patient_id` is.
    pub issuer: Option<String>,
    /// The national identity (INS) and strict traits, as the files say (not the index).
    pub national: Option<viewer_core::identity::PatientIdentity>,
}

mod actions;
mod annotate;
mod display;
mod draw;
mod export;
mod frames;
mod input;
mod parts;
mod pointer;
mod presentation;
mod slice_bar;
mod sync;

pub(crate) use annotate::value_text;
pub(crate) use draw::watch_size;
pub(crate) use parts::identity_overlay;
pub(crate) use pointer::client_xy;

/// What the renderer's textures hold: the frame, and the VOI LUT (image, LUT index), so that a
/// window change uploads neither again.
#[derive(Default)]
struct Uploaded {
    frame: Option<Rc<viewer_core::DecodedFrame>>,
    voi_lut: Option<(usize, usize)>,
}

/// What the parts of one viewport (drawing, pointer input, presentation states) share: the
/// display (changed only through its actions) and the canvas's state.
#[derive(Clone, Copy)]
struct Signals {
    display: display::Display,
    canvas_css: RwSignal<[f64; 2]>,
    gl_error: RwSignal<Option<String>>,
    /// The GPU dropped the WebGL context (driver reset, too many contexts); it comes back
    /// with `webglcontextrestored`, and the renderer is then built and the frame uploaded
    /// again.
    context_lost: RwSignal<bool>,
    /// Bumped when the canvas changes size: the drawing buffer follows.
    resized: RwSignal<u64>,
}

impl Signals {
    fn new(display: display::Display, canvas_css: RwSignal<[f64; 2]>) -> Self {
        Signals {
            display,
            canvas_css,
            gl_error: RwSignal::new(None),
            context_lost: RwSignal::new(false),
            resized: RwSignal::new(0),
        }
    }
}

/// A viewport for a share's recipient (a patient, a GP), given by the page as context: one
/// finger moves through the images, two pinch, a double tap resets; the reading tools (tool
/// picker, view actions, window presets, cine) stay out of sight until `advanced` is asked
/// for, and even then sit above and under the image, never over it.
#[derive(Clone, Copy)]
pub struct Simple {
    pub advanced: RwSignal<bool>,
}

/// Canvas pixels of vertical drag per slice with the scroll tool.
const SCROLL_DRAG_PX: f64 = 12.0;

pub(crate) fn device_pixel_ratio() -> f64 {
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
    let viewport_ref = NodeRef::<leptos::html::Div>::new();
    let initial_view = ViewState {
        pixel_aspect: frames::pixel_aspect(&stack),
        ..ViewState::default()
    };
    let simple = use_context::<Simple>();
    let active_tool = tool_of(grid, simple);
    let canvas_css = RwSignal::new([0.0f64, 0.0]);
    let total = stack.len();
    let stack: frames::SharedStack = send_wrapper::SendWrapper::new(stack);
    let visible_frame = RwSignal::new((usize::MAX, 0usize));
    let display = display::Display::new(stack.clone(), initial_view, visible_frame);
    let (index, view) = (display.slice, display.view);
    frames::follow_focus(&stack, index);
    let geometry = frames::geometry(&stack, index);
    let (activate, reference_lines) = sync::connect(grid, cell, stack.clone(), display, canvas_css);
    let visible = frames::follow_visible(&stack, index, visible_frame);
    let signals = Signals::new(display, canvas_css);
    let (gl_error, context_lost) = (signals.gl_error, signals.context_lost);
    // The page's annotations and presentation states (a viewport on its own keeps its own).
    let store = use_context::<crate::annotations::Annotations>()
        .unwrap_or_else(crate::annotations::Annotations::new);
    let presentation = presentation::connect(store, stack.clone(), signals, initial_view);
    draw::connect(canvas_ref, stack.clone(), signals, visible.clone());
    let go_to = input::go_to(display, total);
    let step_by = move |step: isize| go_to(index.get_untracked() as isize + step);
    let (playing, fps) = input::cine(frames::cine_fps(&stack), total, index, go_to);
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
    let state_attr = frames::state_attr(gl_error, visible.clone());
    let preview = frames::is_preview(visible.clone());
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
    let (on_pointer_down, on_pointer_move, on_pointer_up) = pointer::handlers(
        canvas_ref,
        signals,
        (active_tool, annotate),
        activate.clone(),
        step_by,
        {
            let act = act.clone();
            move || act(ViewAction::Reset)
        },
    );
    let own_tools = sync::toolbars(grid, cell, act.clone(), active_tool, viewport_ref);
    let on_key = input::key_handler(input::Keys {
        act: act.clone(),
        activate: activate.clone(),
        annotate,
        display,
        go_to,
        playing,
        preset_windows: parts::window_presets(&i18n, &stack)
            .into_iter()
            .map(|(_, w)| w)
            .collect(),
        total,
    });
    let loaded = frames::loaded(&stack);
    let lossy = frames::lossy(&stack, index);
    // A recipient's reading tools are out of sight until asked for.
    let hidden_when_simple = move || simple.is_some_and(|s| !s.advanced.get());
    view! {
        <div
            node_ref=viewport_ref
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
            on:wheel=on_wheel
            on:pointerdown=on_pointer_down
            on:pointermove=on_pointer_move
            on:pointerup=on_pointer_up.clone()
            on:pointercancel=on_pointer_up
        >
            // The controls sit above and under the image, never over it: nothing can cover
            // the orientation markers, the identity, the image number or the LOSSY mark.
            <div class="own-tools study-tools" class:hidden=hidden_when_simple>
                {own_tools}
            </div>
            <div class="viewport-main">
                // Interactions are on the whole viewport (also over a message); the right
                // button's menu is kept off here (Tachys: at most 26 attributes an element).
                // A recipient is not shown the technical lines (position, window, zoom) until
                // the advanced tools are asked for.
                <div class="image-area" data-testid="image-area" class:plain=hidden_when_simple
                    on:contextmenu=|ev| ev.prevent_default()>
                    <canvas node_ref=canvas_ref data-testid="viewport-canvas"></canvas>
                    {parts::identity_overlay(identity)}
                    {parts::position_overlay(stack.clone(), index, loaded)}
                    {parts::reference_lines_layer(reference_lines)}
                    <presentation::PresentationLayer presentation=presentation stack=stack.clone() s=signals />
                    <annotate::AnnotationLayer annotate=annotate />
                    <OrientationMarkers geometry=geometry view=view />
                    {parts::status_overlay(display, geometry, canvas_css, lossy, preview)}
                    {parts::messages(visible, gl_error, context_lost, export_error)}
                </div>
                {slice_bar::slice_bar(stack.clone(), index)}
            </div>
            {simple.map(|s| parts::simple_bar(s.advanced, act.clone()))}
            <div class="bar-slot" class:hidden=hidden_when_simple>
                {parts::bar(&stack, signals, annotate, presentation, (playing, fps))}
            </div>
        </div>
    }
}

/// The tool a press uses. In a study's grid every cell follows the study's tool picker; a
/// recipient's viewport moves through the images under one finger, and again once the advanced
/// tools are put away; a viewport on its own windows.
fn tool_of(grid: Option<Grid>, simple: Option<Simple>) -> RwSignal<Tool> {
    let simple = match (grid, simple) {
        (Some(g), _) => return g.tool,
        (None, Some(simple)) => simple,
        (None, None) => return RwSignal::new(Tool::Window),
    };
    let tool = RwSignal::new(Tool::Scroll);
    Effect::new(move |_| {
        if !simple.advanced.get() {
            tool.set(Tool::Scroll);
        }
    });
    tool
}
