//! The viewport's toolbar actions: placement, inversion, interpolation and reset through the
//! display's actions; export and print with the patient's identity and the "not for
//! diagnosis" notice around the image.

use std::rc::Rc;

use leptos::html::Canvas;
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use viewer_core::display::Action;
use viewer_core::view::{edge_labels, scale_bar, ViewState};
use viewer_core::voi::WindowLevel;

use super::display::Display;
use super::{born_and_sex, device_pixel_ratio, export, Identity};
use crate::i18n::I18n;
use crate::overlays::{bar_label, ImageGeometry, ViewAction};
use crate::stack::{FrameState, Stack};

/// Images of a series on one print sheet, at most.
const PRINT_SERIES_MAX: usize = 12;

/// What the toolbar's actions read and change.
#[derive(Clone)]
pub(super) struct ActionContext {
    pub display: Display,
    pub stack: SendWrapper<Rc<Stack>>,
    pub identity: Identity,
    pub i18n: I18n,
    pub canvas_ref: NodeRef<Canvas>,
    pub canvas_css: RwSignal<[f64; 2]>,
    pub geometry: Signal<Option<ImageGeometry>>,
    pub export_error: RwSignal<Option<String>>,
}

/// Up to [`PRINT_SERIES_MAX`] images spread evenly over the series (those decoded), through
/// `window`, each with its orientation markers and scale bar, captioned with its position.
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
            // The picture is the frame unturned, one picture pixel per frame pixel at most.
            let picture_per_image_px = f64::from(t.width) / f64::from(frame.columns.max(1));
            let marks = export::SheetMarks {
                edges: image
                    .orientation
                    .map(|o| edge_labels(&o, &ViewState::default())),
                bar: image.spacing.column_mm().and_then(|mm| {
                    let bar = scale_bar(mm, picture_per_image_px, f64::from(t.width), 0.25)?;
                    Some((bar.length_px, bar_label(bar.length_mm)))
                }),
            };
            let url = export::rgba_data_url(t.width, t.height, &t.rgba, &marks).ok()?;
            Some((url, Some(format!("{}/{total}", i + 1))))
        })
        .collect()
}

/// What an export or a print writes around the image of slice `index` of `total`: the banner
/// lines, the footer, and the time stamp that names the file.
fn export_text(
    i18n: &I18n,
    identity: &Identity,
    index: usize,
    total: usize,
) -> (export::ExportText, String) {
    let mut banner = vec![format!(
        "{} · {}",
        identity.patient_name, identity.patient_id
    )];
    banner.extend(born_and_sex(i18n, identity));
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
            ("n", &(index + 1).to_string()),
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

/// Carries out a toolbar (or keyboard) action.
pub(super) fn view_action(c: &ActionContext, action: ViewAction) {
    let ratio = device_pixel_ratio();
    let canvas = c.canvas_css.get_untracked().map(|c| c * ratio);
    let image = c.geometry.get_untracked().map(|g| g.size_px);
    let v = c.display.view.get_untracked();
    match action {
        ViewAction::Rotate => c.display.dispatch(Action::View(v.rotated_clockwise())),
        ViewAction::FlipHorizontal => c.display.dispatch(Action::View(ViewState {
            flip_horizontal: !v.flip_horizontal,
            ..v
        })),
        ViewAction::FlipVertical => c.display.dispatch(Action::View(ViewState {
            flip_vertical: !v.flip_vertical,
            ..v
        })),
        ViewAction::Fit => c.display.dispatch(Action::View(ViewState {
            zoom: 1.0,
            pan_px: [0.0, 0.0],
            ..v
        })),
        ViewAction::OneToOne => {
            if let Some(image) = image {
                c.display.dispatch(Action::View(ViewState {
                    zoom: v.one_to_one_zoom(image, canvas),
                    pan_px: [0.0, 0.0],
                    ..v
                }));
            }
        }
        ViewAction::Invert => c.display.dispatch(Action::Invert),
        ViewAction::Smooth => c.display.dispatch(Action::ToggleInterpolation),
        ViewAction::ExportPng | ViewAction::ExportJpeg => {
            let Some(canvas) = c.canvas_ref.get_untracked() else {
                return;
            };
            let format = if action == ViewAction::ExportPng {
                export::Format::Png
            } else {
                export::Format::Jpeg
            };
            let (text, stamp) = export_text(
                &c.i18n,
                &c.identity,
                c.display.slice.get_untracked(),
                c.stack.len(),
            );
            let export_error = c.export_error;
            leptos::task::spawn_local(async move {
                let canvas: web_sys::HtmlCanvasElement = canvas;
                export_error.set(export::download(canvas, text, format, stamp).await.err());
            });
        }
        ViewAction::Print => {
            let Some(canvas) = c.canvas_ref.get_untracked() else {
                return;
            };
            let canvas: web_sys::HtmlCanvasElement = canvas;
            let (text, _) = export_text(
                &c.i18n,
                &c.identity,
                c.display.slice.get_untracked(),
                c.stack.len(),
            );
            // The sheet's header names the patient and the study once; the image carries only
            // its own marks (orientation, scale, graphics) and is captioned by its number.
            let mut header = text.banner;
            let caption = header.pop();
            let bare = export::ExportText {
                banner: Vec::new(),
                footer: String::new(),
            };
            let result = export::composed_data_url(&canvas, &bare)
                .and_then(|url| export::print(&[(url, caption)], &header, &text.footer));
            c.export_error.set(result.err());
        }
        ViewAction::PrintSeries => {
            let (text, _) = export_text(
                &c.i18n,
                &c.identity,
                c.display.slice.get_untracked(),
                c.stack.len(),
            );
            let header = text.banner[..text.banner.len().saturating_sub(1)].to_vec();
            let images = series_sheet(
                &c.stack,
                c.display.voi.get_untracked().and_then(|v| v.window()),
            );
            let result = if images.is_empty() {
                Err("no image loaded".to_string())
            } else {
                export::print(&images, &header, &text.footer)
            };
            c.export_error.set(result.err());
        }
        ViewAction::Reset => c.display.dispatch(Action::Reset),
    }
}
