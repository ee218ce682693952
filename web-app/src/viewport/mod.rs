//! One viewport: the canvas, its interactions (wheel: slice; left drag: window/level; middle
//! drag: pan; right drag: zoom; keyboard) and the overlays that keep the patient's identity
//! and the image's state in sight.

use std::cell::RefCell;
use std::rc::Rc;

use leptos::html::Canvas;
use leptos::prelude::*;
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

mod annotate;
mod draw;
mod export;
mod pointer;
mod presentation;
mod sync;

/// The frame in the texture, and the VOI LUT it was mapped through.
type Uploaded = (Rc<viewer_core::DecodedFrame>, Option<usize>);

/// The signals of one viewport that its parts (drawing, pointer input) read and write.
#[derive(Clone, Copy)]
struct Signals {
    index: RwSignal<usize>,
    window: RwSignal<Option<WindowLevel>>,
    voi_lut: RwSignal<Option<usize>>,
    view: RwSignal<ViewState>,
    reader_invert: RwSignal<bool>,
    smooth: RwSignal<bool>,
    canvas_css: RwSignal<[f64; 2]>,
    gl_error: RwSignal<Option<String>>,
    context_lost: RwSignal<bool>,
}

/// Canvas pixels of vertical drag per slice with the scroll tool.
const SCROLL_DRAG_PX: f64 = 12.0;

/// Slices moved by PageUp / PageDown.
const PAGE_STEP: isize = 10;

/// Images of a series on one print sheet, at most.
const PRINT_SERIES_MAX: usize = 12;

/// Up to [`PRINT_SERIES_MAX`] images spread evenly over the series (those decoded), through
/// `window`, each captioned with its position.
fn series_sheet(stack: &Stack, window: Option<WindowLevel>) -> Vec<(String, Option<String>)> {
    let total = stack.len();
    let step = total.div_ceil(PRINT_SERIES_MAX).max(1);
    (0..total)
        .step_by(step)
        .filter_map(|i| {
            let Some(FrameState::Ready(frame)) = stack.state(i) else {
                return None;
            };
            let image = &stack.images[stack.entries[i].image];
            let t =
                viewer_core::thumbnail::thumbnail_with_window(&frame, image, 512, window).ok()?;
            let url = export::rgba_data_url(t.width, t.height, &t.rgba).ok()?;
            Some((url, Some(format!("{}/{total}", i + 1))))
        })
        .collect()
}

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
    let index = RwSignal::new(0usize);
    let window = RwSignal::new(None::<WindowLevel>);
    // A VOI LUT of the file chosen instead of a window (index into the image's VOI LUTs).
    let voi_lut = RwSignal::new(None::<usize>);
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
    let view = RwSignal::new(initial_view);
    let active_tool = RwSignal::new(Tool::Window);
    let smooth = RwSignal::new(false);
    // The reader's inversion, on top of MONOCHROME1 and Presentation LUT INVERSE.
    let reader_invert = RwSignal::new(false);
    let canvas_css = RwSignal::new([0.0f64, 0.0]);
    let total = stack.len();
    // View closures must be Send; the stack only ever lives on the page's thread.
    let stack = send_wrapper::SendWrapper::new(stack);

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

    let (activate, reference_lines) =
        sync::connect(grid, cell, stack.clone(), index, view, canvas_css);

    // The visible frame and its state: what is drawn depends on it, not on every other frame
    // of the series arriving.
    let visible_frame = RwSignal::new((usize::MAX, 0usize));
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

    // The file's first window, else the data range, chosen once per series.
    let default_window = {
        let stack = stack.clone();
        move |frame: &viewer_core::DecodedFrame, image: usize| -> WindowLevel {
            let img = &stack.images[image];
            img.windows.first().map(|p| p.window).unwrap_or_else(|| {
                let (lo, hi) = frame.samples.min_max().unwrap_or((0.0, 255.0));
                WindowLevel::from_range(
                    img.effective_rescale().apply(lo),
                    img.effective_rescale().apply(hi),
                )
            })
        }
    };

    let signals = Signals {
        index,
        window,
        voi_lut,
        view,
        reader_invert,
        smooth,
        canvas_css,
        gl_error,
        context_lost,
    };
    // The page's annotations and presentation states (a viewport on its own keeps its own).
    let store = use_context::<crate::annotations::Annotations>()
        .unwrap_or_else(crate::annotations::Annotations::new);
    let presentation = presentation::connect(store, stack.clone(), signals, initial_view);
    draw::connect(
        canvas_ref,
        stack.clone(),
        signals,
        visible.clone(),
        default_window,
    );

    let go_to = move |target: isize| {
        if total == 0 {
            return;
        }
        let next = target.clamp(0, total as isize - 1) as usize;
        if next != index.get_untracked() {
            index.set(next);
        }
    };
    let step_by = move |step: isize| go_to(index.get_untracked() as isize + step);
    // Cine: step through the stack at `fps`, looping, while `playing`.
    let playing = RwSignal::new(false);
    let fps = RwSignal::new(
        stack
            .images
            .first()
            .and_then(|i| i.cine_fps)
            .unwrap_or(viewer_core::study::DEFAULT_CINE_FPS),
    );
    {
        let timer = send_wrapper::SendWrapper::new(Rc::new(RefCell::new(
            None::<gloo::timers::callback::Interval>,
        )));
        let running = timer.clone();
        Effect::new(move |_| {
            let (on, rate) = (playing.get(), fps.get());
            // Dropping the interval cancels it.
            running.borrow_mut().take();
            if on && total > 1 {
                let period_ms = (1000.0 / rate).round().max(1.0) as u32;
                *running.borrow_mut() = Some(gloo::timers::callback::Interval::new(
                    period_ms,
                    move || {
                        let next = (index.get_untracked() + 1) % total;
                        go_to(next as isize);
                    },
                ));
            }
        });
        on_cleanup(move || {
            timer.borrow_mut().take();
        });
    }
    // A mouse notch is a slice; a trackpad's small deltas add up (viewer_core::wheel).
    let wheel = StoredValue::new(viewer_core::wheel::WheelSlices::default());
    let on_wheel = {
        let activate = activate.clone();
        move |ev: leptos::ev::WheelEvent| {
            ev.prevent_default();
            activate();
            let mode = viewer_core::wheel::DeltaMode::from_dom(ev.delta_mode());
            let slices = wheel
                .try_update_value(|w| w.step(ev.delta_y(), mode))
                .unwrap_or(0);
            if slices != 0 {
                step_by(slices as isize);
            }
        }
    };

    let data_range = {
        let stack = stack.clone();
        move || -> Option<WindowLevel> {
            let i = index.get_untracked();
            let img = &stack.images[stack.entries[i].image];
            match stack.state(i) {
                Some(FrameState::Ready(frame)) => frame.samples.min_max().map(|(lo, hi)| {
                    WindowLevel::from_range(
                        img.effective_rescale().apply(lo),
                        img.effective_rescale().apply(hi),
                    )
                }),
                _ => None,
            }
        }
    };
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
        data_range.clone(),
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
    // A preview is badged until the frame itself replaces it.
    let preview = {
        let visible = visible.clone();
        move || matches!(visible(), Some(FrameState::Preview(_)))
    };
    let preview_label = {
        let i18n = i18n.clone();
        move || i18n.t("viewer.preview")
    };
    let preview_detail = {
        let i18n = i18n.clone();
        move || i18n.t("viewer.preview_detail")
    };
    // The technical reason, for whoever supports the reader (tooltip).
    let detail = {
        let visible = visible.clone();
        move || match visible() {
            Some(FrameState::Failed(e)) => Some(e.detail),
            _ => None,
        }
    };
    let message = {
        let i18n = i18n.clone();
        let visible = visible.clone();
        move || {
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
        }
    };
    // The modality's standard windows, the file's windows (of the first image), then the
    // data range of the visible frame. Digits 1-9 pick the first nine.
    let first_image = stack.images.first();
    let presets: Vec<(String, WindowLevel)> =
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
                    let name = p.explanation.clone().unwrap_or_else(|| {
                        format!("{:.0} / {:.0}", p.window.center, p.window.width)
                    });
                    (name, p.window)
                })
            }))
            .collect();
    let preset_windows: Vec<WindowLevel> = presets.iter().map(|(_, w)| *w).collect();
    let preset_options = presets
        .iter()
        .enumerate()
        .map(|(i, (name, _))| view! { <option value=i.to_string()>{name.clone()}</option> })
        .collect_view();
    let lut_names: Vec<String> = stack
        .images
        .first()
        .map(|img| {
            img.voi_luts
                .iter()
                .enumerate()
                .map(|(i, l)| {
                    l.explanation
                        .clone()
                        .unwrap_or_else(|| format!("LUT {}", i + 1))
                })
                .collect()
        })
        .unwrap_or_default();
    let lut_options = lut_names
        .into_iter()
        .enumerate()
        .map(|(i, name)| view! { <option value=format!("lut-{i}")>{name}</option> })
        .collect_view();
    let on_preset = move |ev: leptos::ev::Event| {
        let choice = event_target_value(&ev);
        if let Some(i) = choice
            .strip_prefix("lut-")
            .and_then(|i| i.parse::<usize>().ok())
        {
            voi_lut.set(Some(i));
            return;
        }
        let chosen = match choice.parse::<usize>() {
            Ok(i) => presets.get(i).map(|(_, w)| *w),
            Err(_) => data_range(),
        };
        if let Some(w) = chosen {
            voi_lut.set(None);
            window.set(Some(w));
        }
    };
    // What an export or a print writes around the image.
    let export_text = {
        let i18n = i18n.clone();
        let identity = identity.clone();
        move || {
            let mut banner = vec![format!(
                "{} · {}",
                identity.patient_name, identity.patient_id
            )];
            banner.extend(born_and_sex(&i18n, &identity));
            let study = [
                identity
                    .study_date
                    .as_deref()
                    .and_then(viewer_core::text::format_da),
                identity.study_description.clone(),
            ];
            let study: Vec<String> = study.into_iter().flatten().collect();
            if !study.is_empty() {
                banner.push(study.join(" · "));
            }
            let image = i18n.f(
                "export.image",
                &[
                    ("n", &(index.get_untracked() + 1).to_string()),
                    ("total", &total.to_string()),
                ],
            );
            banner.push(match &identity.series_description {
                Some(d) => format!("{d} · {image}"),
                None => image,
            });
            let now = js_sys::Date::new_0();
            let date = format!(
                "{:02}/{:02}/{:04} {:02}:{:02}",
                now.get_date(),
                now.get_month() + 1,
                now.get_full_year(),
                now.get_hours(),
                now.get_minutes()
            );
            let stamp = format!(
                "{:04}{:02}{:02}-{:02}{:02}{:02}",
                now.get_full_year(),
                now.get_month() + 1,
                now.get_date(),
                now.get_hours(),
                now.get_minutes(),
                now.get_seconds()
            );
            let footer = i18n.f("export.not_for_diagnosis", &[("date", &date)]);
            (export::ExportText { banner, footer }, stamp)
        }
    };
    let export_error = RwSignal::new(None::<String>);
    let print_stack = stack.clone();
    let act = move |action: ViewAction| {
        let ratio = device_pixel_ratio();
        let canvas = canvas_css.get_untracked().map(|c| c * ratio);
        let image = geometry.get_untracked().map(|g| g.size_px);
        match action {
            ViewAction::Rotate => view.update(|v| *v = v.rotated_clockwise()),
            ViewAction::FlipHorizontal => view.update(|v| v.flip_horizontal = !v.flip_horizontal),
            ViewAction::FlipVertical => view.update(|v| v.flip_vertical = !v.flip_vertical),
            ViewAction::Fit => view.update(|v| {
                v.zoom = 1.0;
                v.pan_px = [0.0, 0.0];
            }),
            ViewAction::OneToOne => {
                if let Some(image) = image {
                    view.update(|v| {
                        v.zoom = v.one_to_one_zoom(image, canvas);
                        v.pan_px = [0.0, 0.0];
                    });
                }
            }
            ViewAction::Invert => reader_invert.update(|i| *i = !*i),
            ViewAction::Smooth => smooth.update(|s| *s = !*s),
            ViewAction::ExportPng | ViewAction::ExportJpeg => {
                let Some(canvas) = canvas_ref.get_untracked() else {
                    return;
                };
                let format = if action == ViewAction::ExportPng {
                    export::Format::Png
                } else {
                    export::Format::Jpeg
                };
                let (text, stamp) = export_text();
                leptos::task::spawn_local(async move {
                    let canvas: web_sys::HtmlCanvasElement = canvas;
                    export_error.set(export::download(canvas, text, format, stamp).await.err());
                });
            }
            ViewAction::Print => {
                let Some(canvas) = canvas_ref.get_untracked() else {
                    return;
                };
                let canvas: web_sys::HtmlCanvasElement = canvas;
                let (text, _) = export_text();
                let header = text.banner[..text.banner.len().saturating_sub(1)].to_vec();
                let result = export::composed_data_url(&canvas, &text)
                    .and_then(|url| export::print(&[(url, None)], &header, &text.footer));
                export_error.set(result.err());
            }
            ViewAction::PrintSeries => {
                let (text, _) = export_text();
                let header = text.banner[..text.banner.len().saturating_sub(1)].to_vec();
                let images = series_sheet(&print_stack, window.get_untracked());
                let result = if images.is_empty() {
                    Err("no image loaded".to_string())
                } else {
                    export::print(&images, &header, &text.footer)
                };
                export_error.set(result.err());
            }
            ViewAction::Reset => {
                view.set(initial_view);
                reader_invert.set(false);
                smooth.set(false);
                voi_lut.set(None);
                window.set(None);
                index.update(|_| {});
            }
        }
    };
    let on_key = {
        let act = act.clone();
        let activate = activate.clone();
        move |ev: leptos::ev::KeyboardEvent| {
            if ev.ctrl_key() || ev.meta_key() || ev.alt_key() {
                return;
            }
            activate();
            let key = ev.key();
            if annotate.key(&key) {
                ev.prevent_default();
                return;
            }
            match key.as_str() {
                "ArrowDown" | "ArrowRight" => step_by(1),
                "ArrowUp" | "ArrowLeft" => step_by(-1),
                "PageDown" => step_by(PAGE_STEP),
                "PageUp" => step_by(-PAGE_STEP),
                "Home" => go_to(0),
                "End" => go_to(total as isize - 1),
                "r" | "R" => act(ViewAction::Reset),
                "i" | "I" => act(ViewAction::Invert),
                " " => playing.update(|p| *p = !*p),
                digit
                    if digit.len() == 1
                        && ('1'..='9').contains(&digit.chars().next().unwrap_or('0')) =>
                {
                    let n = digit.parse::<usize>().unwrap_or(1) - 1;
                    match preset_windows.get(n) {
                        Some(w) => {
                            voi_lut.set(None);
                            window.set(Some(*w));
                        }
                        None => return,
                    }
                }
                _ => return,
            }
            ev.prevent_default();
        }
    };
    // Frames loaded so far: the reader sees when the whole series is there.
    let loaded = {
        let stack = stack.clone();
        let changed = stack.changed.clone();
        move || {
            changed.track();
            stack.loaded()
        }
    };
    let loaded_for_attr = loaded.clone();
    // The series browser shows the same progress beside the series.
    if let Some(browser) = use_context::<crate::thumbnails::SeriesBrowser>() {
        let loaded = loaded.clone();
        let series = stack.series.clone();
        Effect::new(move |_| browser.report_progress(&series, loaded(), total));
    }
    let progress = {
        let i18n = i18n.clone();
        move || {
            let n = loaded();
            (n < total).then(|| {
                i18n.f(
                    "viewer.loaded",
                    &[("n", &n.to_string()), ("total", &total.to_string())],
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
            let percent = view.get().scale(g.size_px, canvas) * 100.0;
            Some(i18n.f("viewer.zoom", &[("percent", &format!("{percent:.0}"))]))
        }
    };
    let slice_text = {
        let i18n = i18n.clone();
        let stack = stack.clone();
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
    let range_label = {
        let i18n = i18n.clone();
        move || i18n.t("viewer.window_range")
    };
    let presets_label = {
        let i18n = i18n.clone();
        move || i18n.t("viewer.window_presets")
    };
    let key_label = {
        let i18n = i18n.clone();
        move || i18n.t("annotation.key_image")
    };

    let lossy_flags: Vec<bool> = stack
        .entries
        .iter()
        .map(|e| stack.images[e.image].lossy)
        .collect();
    let lossy = move || lossy_flags.get(index.get()).copied().unwrap_or(false);
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
    let window_text = {
        let i18n = i18n.clone();
        move || {
            window.get().map(|w| {
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
    let born = {
        let i18n = i18n.clone();
        let identity = identity.clone();
        move || born_and_sex(&i18n, &identity)
    };
    let study_date = identity
        .study_date
        .as_deref()
        .map(|d| viewer_core::text::format_da(d).unwrap_or_else(|| d.to_string()));

    view! {
        <div
            class="viewport"
            data-testid="viewport"
            data-state=state_attr
            data-slice=move || index.get().to_string()
            data-slices=total.to_string()
            data-series=stack.series.clone()
            data-window-center=move || window.get().map(|w| w.center.to_string())
            data-window-width=move || window.get().map(|w| w.width.to_string())
            data-voi-lut=move || voi_lut.get().map(|i| i.to_string())
            data-zoom=move || view.get().zoom.to_string()
            data-quarter-turns=move || view.get().quarter_turns.to_string()
            data-inverted=move || reader_invert.get().to_string()
            data-playing=move || playing.get().to_string()
            data-tool=move || active_tool.get().id()
            data-smooth=move || smooth.get().to_string()
            data-loaded=move || loaded_for_attr().to_string()
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
            <div class="overlay bottom-left">
                <div data-testid="overlay-position">{position}</div>
                <div data-testid="overlay-slice">{slice_text}</div>
                <div data-testid="load-progress" role="status">{progress}</div>
            </div>
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
            <button type="button" class="key-image-toggle" data-testid="key-image"
                aria-pressed=move || annotate.is_key().to_string()
                class:selected=move || annotate.is_key()
                title=key_label.clone() aria-label=key_label
                on:pointerdown=|ev| ev.stop_propagation()
                on:click=move |_| annotate.toggle_key()>
                {move || if annotate.is_key() { "★" } else { "☆" }}
            </button>
            <CineControls playing=playing fps=fps />
            <label class="viewport-tools">
                <span class="visually-hidden">{presets_label}</span>
                <select data-testid="window-presets" on:change=on_preset on:pointerdown=|ev| ev.stop_propagation() on:wheel=|ev| ev.stop_propagation()>
                    <option value="" disabled=true selected=true>{
                        let i18n = i18n.clone();
                        move || i18n.t("viewer.window_presets")
                    }</option>
                    {preset_options}
                    {lut_options}
                    <option value="range">{range_label}</option>
                </select>
            </label>
            <div class="overlay bottom-right">
                <div data-testid="overlay-window">{window_text}</div>
                <div data-testid="overlay-zoom">{zoom_text}</div>
                <Show when=lossy>
                    <div class="lossy">{
                        let i18n = i18n.clone();
                        move || i18n.t("viewer.lossy")
                    }</div>
                </Show>
                <Show when=preview.clone()>
                    <div class="quality-badge" data-testid="quality-badge" title=preview_detail.clone()>
                        {preview_label.clone()}
                    </div>
                </Show>
            </div>
            {move || export_error.get().map(|e| view! {
                <div class="viewport-message" role="alert" data-testid="export-error">{
                    let i18n = use_i18n();
                    i18n.f("export.failed", &[("error", &e)])
                }</div>
            })}
            {move || message().map(|m| view! {
                <div class="viewport-message" role="status" data-testid="viewport-message" title=detail.clone()>{m}</div>
            })}
        </div>
    }
}
