//! The parts of a viewport around its canvas: the identity and image overlays, the window
//! presets, the key-image flag and the messages. Each reads what it shows; the presets change
//! the display only through its actions.

use std::rc::Rc;

use leptos::prelude::*;
use send_wrapper::SendWrapper;
use viewer_core::display::{Action, VoiChoice};
use viewer_core::voi::WindowLevel;

use super::annotate::Annotate;
use super::display::Display;
use super::frames::SharedStack;
use super::presentation::{Presentation, PresentationBadge};
use super::{born_and_sex, device_pixel_ratio, Identity, Signals};
use crate::i18n::{use_i18n, I18n};
use crate::overlays::{CineControls, ImageGeometry, ScaleBar};
use crate::stack::{FrameState, Stack};

/// The patient's identity and the study, in the top corners.
pub(crate) fn identity_overlay(identity: Identity) -> impl IntoView {
    let i18n = use_i18n();
    let born = {
        let identity = identity.clone();
        move || born_and_sex(&i18n, &identity)
    };
    let study_date = identity
        .study_date
        .as_deref()
        .map(|d| viewer_core::text::format_da(d).unwrap_or_else(|| d.to_string()));
    view! {
        <div class="overlay top-left" data-testid="overlay-identity">
            <div class="patient-name">{identity.patient_name.clone()}</div>
            <div>{identity.patient_id.clone()}</div>
            <div>{born}</div>
        </div>
        <div class="overlay top-right">
            <div>{study_date}</div>
            <div>{identity.study_description.clone()}</div>
            <div>{identity.series_description.clone()}</div>
        </div>
    }
}

/// The lines where the other cells' planes cross this one (canvas CSS pixels).
pub(super) fn reference_lines_layer(
    lines: impl Fn() -> Vec<(usize, [f64; 4])> + Send + Sync + 'static,
) -> impl IntoView {
    view! {
        <svg class="reference-lines" aria-hidden="true">
            {move || lines().into_iter().map(|(other, [x1, y1, x2, y2])| view! {
                <line data-testid="reference-line" data-cell=other.to_string()
                    x1=format!("{x1:.1}") y1=format!("{y1:.1}") x2=format!("{x2:.1}") y2=format!("{y2:.1}") />
            }).collect_view()}
        </svg>
    }
}

/// Image number, slice position and thickness, and frames loaded so far (bottom left).
pub(super) fn position_overlay(
    stack: SendWrapper<Rc<Stack>>,
    index: Memo<usize>,
    loaded: Signal<usize>,
) -> impl IntoView {
    let i18n = use_i18n();
    let total = stack.len();
    let position = {
        let i18n = i18n.clone();
        move || {
            i18n.f(
                "viewer.image",
                &[
                    ("n", &(index.get() + 1).to_string()),
                    ("total", &total.to_string()),
                ],
            )
        }
    };
    let slice_text = {
        let i18n = i18n.clone();
        move || {
            let entry = stack.entries.get(index.get())?;
            let image = &stack.images[entry.image];
            let mut parts = Vec::new();
            if let Some(mm) = image.slice_location_mm {
                parts.push(i18n.f("viewer.slice_location", &[("mm", &format!("{mm:.1}"))]));
            }
            if let Some(mm) = image.slice_thickness_mm {
                parts.push(i18n.f("viewer.thickness", &[("mm", &format!("{mm:.1}"))]));
            }
            (!parts.is_empty()).then(|| parts.join(" · "))
        }
    };
    let progress = move || {
        let n = loaded.get();
        (n < total).then(|| {
            i18n.f(
                "viewer.loaded",
                &[("n", &n.to_string()), ("total", &total.to_string())],
            )
        })
    };
    view! {
        <div class="overlay bottom-left">
            <div data-testid="overlay-position">{position}</div>
            <div data-testid="overlay-slice">{slice_text}</div>
            <div data-testid="load-progress" role="status">{progress}</div>
        </div>
    }
}

/// Window, zoom, the LOSSY flag and the preview badge (bottom right).
pub(super) fn status_overlay(
    display: Display,
    geometry: Signal<Option<ImageGeometry>>,
    canvas_css: RwSignal<[f64; 2]>,
    lossy: Signal<bool>,
    preview: Signal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let window_text = {
        let i18n = i18n.clone();
        move || {
            display.window().map(|w| {
                i18n.f(
                    "viewer.window",
                    &[
                        ("center", &format!("{:.0}", w.center)),
                        ("width", &format!("{:.0}", w.width)),
                    ],
                )
            })
        }
    };
    let zoom_text = {
        let i18n = i18n.clone();
        move || {
            let ratio = device_pixel_ratio();
            let canvas = canvas_css.get().map(|c| c * ratio);
            let g = geometry.get()?;
            let percent = display.view.get().scale(g.size_px, canvas) * 100.0;
            Some(i18n.f("viewer.zoom", &[("percent", &format!("{percent:.0}"))]))
        }
    };
    // Labels follow the language switch.
    let label = {
        let i18n = i18n.clone();
        move |key: &'static str| {
            let i18n = i18n.clone();
            move || i18n.t(key)
        }
    };
    let (lossy_label, badge_detail, badge) = (
        label("viewer.lossy"),
        label("viewer.preview_detail"),
        label("viewer.preview"),
    );
    view! {
        // The scale bar heads the corner's texts, so it never crosses them.
        <div class="overlay bottom-right">
            <ScaleBar geometry=geometry view=display.view canvas_css=canvas_css />
            <div data-testid="overlay-window">{window_text}</div>
            <div data-testid="overlay-zoom">{zoom_text}</div>
            <Show when=move || lossy.get()>
                <div class="lossy">{lossy_label.clone()}</div>
            </Show>
            // A preview is badged until the frame itself replaces it.
            <Show when=move || preview.get()>
                <div class="quality-badge" data-testid="quality-badge" title=badge_detail.clone()>
                    {badge.clone()}
                </div>
            </Show>
        </div>
    }
}

/// The modality's standard windows, the file's windows (of the first image): the presets of
/// the list, and of digits 1-9.
pub(super) fn window_presets(i18n: &I18n, stack: &Stack) -> Vec<(String, WindowLevel)> {
    let first_image = stack.images.first();
    viewer_core::voi::modality_presets(first_image.and_then(|i| i.modality.as_deref()))
        .iter()
        .map(|(key, window)| {
            (
                format!("{} {:.0} / {:.0}", i18n.t(key), window.center, window.width),
                *window,
            )
        })
        .chain(first_image.into_iter().flat_map(|img| {
            img.windows.iter().map(|p| {
                let name = p
                    .explanation
                    .clone()
                    .unwrap_or_else(|| format!("{:.0} / {:.0}", p.window.center, p.window.width));
                (name, p.window)
            })
        }))
        .collect()
}

/// The option of the list that the grey levels in force are: a VOI LUT's, a preset's (within
/// half a unit), or none (`""`: a window of the reader's own, which the first line shows).
fn option_in_force(display: Display, presets: &[WindowLevel]) -> String {
    let Some(voi) = display.voi.get() else {
        return String::new();
    };
    if let Some(i) = voi.lut() {
        return format!("lut-{i}");
    }
    let near = |a: f64, b: f64| (a - b).abs() < 0.5;
    voi.window()
        .and_then(|w| {
            presets
                .iter()
                .position(|p| near(p.center, w.center) && near(p.width, w.width))
        })
        .map(|i| i.to_string())
        .unwrap_or_default()
}

/// The grey-level list: the presets, the file's VOI LUTs, then the visible frame's data range.
/// It always shows what is in force, however it was chosen (the list, a digit key, a drag, a
/// presentation state): that option, or the window's numbers on its first line.
pub(super) fn presets_select(display: Display, stack: &Stack) -> impl IntoView {
    let i18n = use_i18n();
    let presets = window_presets(&i18n, stack);
    let windows: Vec<WindowLevel> = presets.iter().map(|(_, w)| *w).collect();
    let in_force = Memo::new(move |_| option_in_force(display, &windows));
    let chosen = move |value: String| move || in_force.with(|v| *v == value);
    let preset_options = presets
        .iter()
        .enumerate()
        .map(|(i, (name, _))| {
            view! { <option value=i.to_string() prop:selected=chosen(i.to_string())>{name.clone()}</option> }
        })
        .collect_view();
    let lut_options = stack
        .images
        .first()
        .map(|img| img.voi_luts.as_slice())
        .unwrap_or_default()
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let name = l
                .explanation
                .clone()
                .unwrap_or_else(|| format!("LUT {}", i + 1));
            view! { <option value=format!("lut-{i}") prop:selected=chosen(format!("lut-{i}"))>{name}</option> }
        })
        .collect_view();
    let on_preset = move |ev: leptos::ev::Event| {
        let choice = event_target_value(&ev);
        if let Some(i) = choice
            .strip_prefix("lut-")
            .and_then(|i| i.parse::<usize>().ok())
        {
            display.dispatch(Action::Choose(VoiChoice::Lut(i)));
            return;
        }
        // A preview's range is not its frame's.
        let chosen = match choice.parse::<usize>() {
            Ok(i) => presets.get(i).map(|(_, w)| *w),
            Err(_) => display
                .shown
                .get_untracked()
                .filter(|s| !s.preview)
                .and_then(|s| s.range),
        };
        if let Some(w) = chosen {
            display.dispatch(Action::Choose(VoiChoice::Window(w)));
        }
    };
    // Labels follow the language switch.
    let label = {
        let i18n = i18n.clone();
        move |key: &'static str| {
            let i18n = i18n.clone();
            move || i18n.t(key)
        }
    };
    let (hidden_label, range_option) =
        (label("viewer.window_presets"), label("viewer.window_range"));
    let first_option = move || match display.window() {
        Some(w) => i18n.f(
            "viewer.window_current",
            &[
                ("center", &format!("{:.0}", w.center)),
                ("width", &format!("{:.0}", w.width)),
            ],
        ),
        None => i18n.t("viewer.window_presets"),
    };
    view! {
        <label class="viewport-tools">
            <span class="visually-hidden">{hidden_label}</span>
            <select data-testid="window-presets" on:change=on_preset
                on:pointerdown=|ev| ev.stop_propagation() on:wheel=|ev| ev.stop_propagation()>
                <option value="" disabled=true prop:selected=chosen(String::new())>{first_option}</option>
                {preset_options}
                {lut_options}
                <option value="range">{range_option}</option>
            </select>
        </label>
    }
}

/// The star that flags the visible image as a key image.
pub(super) fn key_image_toggle(annotate: Annotate) -> impl IntoView {
    let i18n = use_i18n();
    let label = move || i18n.t("annotation.key_image");
    view! {
        <button type="button" class="key-image-toggle" data-testid="key-image"
            aria-pressed=move || annotate.is_key().to_string()
            class:selected=move || annotate.is_key()
            title=label.clone() aria-label=label
            on:pointerdown=|ev| ev.stop_propagation()
            on:click=move |_| annotate.toggle_key()>
            {crate::icons::icon(crate::icons::Icon::Star, Signal::derive(move || annotate.is_key()))}
        </button>
    }
}

/// What the viewport says instead of (or over) the image: an export that failed, a WebGL
/// error or a lost context, a frame loading, failed or not displayable (its technical reason
/// in the tooltip, for whoever supports the reader).
pub(super) fn messages(
    visible: impl Fn() -> Option<FrameState> + Clone + Send + Sync + 'static,
    gl_error: RwSignal<Option<String>>,
    context_lost: RwSignal<bool>,
    export_error: RwSignal<Option<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let detail = {
        let visible = visible.clone();
        move || match visible() {
            Some(FrameState::Failed(e)) => Some(e.detail),
            _ => None,
        }
    };
    let message = move || {
        if let Some(e) = gl_error.get() {
            return Some(i18n.f("viewer.webgl_error", &[("error", &e)]));
        }
        if context_lost.get() {
            return Some(i18n.t("viewer.context_lost"));
        }
        match visible() {
            Some(FrameState::Ready(_) | FrameState::Preview(_)) => None,
            Some(FrameState::Failed(e)) => {
                Some(i18n.f("viewer.frame_error", &[("error", &e.message(&i18n))]))
            }
            Some(FrameState::NotDisplayable(key)) => Some(i18n.t(key)),
            None => Some(i18n.t("viewer.frame_loading")),
        }
    };
    view! {
        {move || export_error.get().map(|e| view! {
            <div class="viewport-message" role="alert" data-testid="export-error">{
                let i18n = use_i18n();
                i18n.f("export.failed", &[("error", &e)])
            }</div>
        })}
        {move || message().map(|m| view! {
            <div class="viewport-message" role="status" data-testid="viewport-message" title=detail.clone()>{m}</div>
        })}
    }
}

/// The bar under the image: window presets, key-image flag, presentation-state switch, cine.
pub(super) fn bar(
    stack: &SharedStack,
    signals: Signals,
    annotate: Annotate,
    presentation: Presentation,
    (playing, fps): (RwSignal<bool>, RwSignal<f64>),
) -> impl IntoView {
    view! {
        <div class="viewport-bar" on:pointerdown=|ev| ev.stop_propagation()>
            {presets_select(signals.display, stack)}
            {key_image_toggle(annotate)}
            <PresentationBadge presentation=presentation stack=stack.clone() s=signals />
            <CineControls playing=playing fps=fps />
        </div>
    }
}

/// A recipient's bar under the image: keep a copy (a JPEG with the patient's identity and
/// "not for diagnosis" burned in), and the reading tools on demand.
pub(super) fn simple_bar(
    advanced: RwSignal<bool>,
    act: impl Fn(crate::overlays::ViewAction) + Clone + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let copy = i18n.clone();
    let tools = i18n.clone();
    view! {
        <div class="simple-bar" on:pointerdown=|ev| ev.stop_propagation()>
            <button type="button" data-testid="keep-copy"
                on:click=move |_| act(crate::overlays::ViewAction::ExportJpeg)>
                {move || copy.t("recipient.keep_copy")}
            </button>
            <button type="button" data-testid="advanced-tools"
                aria-pressed=move || advanced.get().to_string()
                on:click=move |_| advanced.update(|a| *a = !*a)>
                {move || if advanced.get() { tools.t("recipient.tools_hide") } else { tools.t("recipient.tools_show") }}
            </button>
        </div>
    }
}
