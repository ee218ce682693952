//! The series browser's thumbnails: the middle image of each image series, drawn small, and
//! how much of each series the viewports have loaded.
//!
//! Thumbnails are fetched one at a time, in list order, so they take little from the frames
//! the viewports ask for. Each needs a light QIDO-RS query (not the series' full metadata) and
//! one frame.

use std::collections::HashMap;
use std::sync::Arc;

use leptos::html::Canvas;
use leptos::prelude::*;
use leptos::task::spawn_local;
use viewer_core::display_set::display_sets;
use viewer_core::frame::FrameSyntax;
use viewer_core::study::image_stack;
use viewer_core::thumbnail::{thumbnail, Thumbnail};
use viewer_core::Limits;
use wasm_bindgen::{Clamped, JsCast};

use crate::api;
use crate::decoders;

/// Long side of a thumbnail, in canvas pixels.
pub const THUMBNAIL_SIDE: u32 = 96;

#[derive(Clone)]
pub enum Slot {
    Ready(Arc<Thumbnail>),
    /// Not drawable here (no image, a palette, a refused frame): the item shows its text only.
    Unavailable,
}

/// Thumbnails by Series Instance UID, and frames loaded / total by series.
#[derive(Clone, Copy)]
pub struct SeriesBrowser {
    pub thumbnails: RwSignal<HashMap<String, Slot>>,
    pub progress: RwSignal<HashMap<String, (usize, usize)>>,
}

impl SeriesBrowser {
    /// Starts fetching the thumbnails of `series` (study and series UIDs, in this order);
    /// stops when the component that called it goes away.
    pub fn start(series: Vec<(String, String)>) -> Self {
        let browser = SeriesBrowser {
            thumbnails: RwSignal::new(HashMap::new()),
            progress: RwSignal::new(HashMap::new()),
        };
        let controller = web_sys::AbortController::new().ok();
        let signal = controller.as_ref().map(|c| c.signal());
        let controller = send_wrapper::SendWrapper::new(controller);
        on_cleanup(move || {
            if let Some(c) = controller.take() {
                c.abort();
            }
        });
        spawn_local(async move {
            // The visible image first: thumbnails do not take the link from it.
            crate::timing::after_first_view().await;
            for (study, uid) in series {
                if signal.as_ref().is_some_and(|s| s.aborted()) {
                    return;
                }
                let slot = match load(&study, &uid, signal.as_ref()).await {
                    Some(t) => Slot::Ready(Arc::new(t)),
                    None => Slot::Unavailable,
                };
                if browser
                    .thumbnails
                    .try_update(|m| m.insert(uid, slot))
                    .is_none()
                {
                    return; // the page went away
                }
            }
        });
        browser
    }

    /// Records that a viewport showing `series` has `loaded` of its `total` frames.
    pub fn report_progress(&self, series: &str, loaded: usize, total: usize) {
        // Reported until the page goes (a frame that arrives after it is not).
        let Some(known) = self.progress.try_with_untracked(|p| p.get(series).copied()) else {
            return;
        };
        if known != Some((loaded, total)) {
            let _ = self.progress.try_update(|p| {
                p.insert(series.to_string(), (loaded, total));
            });
        }
    }
}

/// The thumbnail of the middle image (middle frame of a multi-frame image) of a series.
async fn load(
    study: &str,
    series: &str,
    signal: Option<&web_sys::AbortSignal>,
) -> Option<Thumbnail> {
    let instances = api::series_instances_for_thumbnail(study, series, signal)
        .await
        .ok()?;
    let images: Vec<_> = display_sets(&instances)
        .iter()
        .filter(|s| s.kind.is_image())
        .flat_map(|s| s.instances.iter().map(|&i| instances[i].clone()))
        .collect();
    let limits = Limits::default();
    let stack = image_stack(&images, &limits);
    let image = stack.get(stack.len() / 2)?;
    let module = image.module.as_ref().ok()?;
    let frame_number = module.number_of_frames.max(1) / 2 + 1;
    let frame = api::frame(
        study,
        series,
        &image.sop_instance_uid,
        frame_number,
        signal,
        None,
    )
    .await
    .ok()?;
    let syntax = FrameSyntax::of_frame(&frame.transfer_syntax_uid, &frame.bytes);
    let decoded = decoders::decode(module, &syntax, &frame.bytes, None)
        .await
        .ok()?;
    thumbnail(&decoded, image, THUMBNAIL_SIDE).ok()
}

/// The place of `series`' thumbnail, and the thumbnail once it is there.
#[component]
pub fn SeriesThumbnail(series: String, browser: SeriesBrowser) -> impl IntoView {
    let canvas_ref = NodeRef::<Canvas>::new();
    let series = Arc::new(series);
    let ready = {
        let series = Arc::clone(&series);
        move || match browser.thumbnails.with(|m| m.get(series.as_str()).cloned()) {
            Some(Slot::Ready(t)) => Some(t),
            _ => None,
        }
    };
    let shown = ready.clone();
    Effect::new(move |_| {
        if let (Some(t), Some(canvas)) = (ready(), canvas_ref.get()) {
            draw(&canvas, &t);
        }
    });
    // The slot keeps its size while the thumbnail loads, so the list never shifts under the
    // pointer.
    view! {
        <span class="thumbnail-slot" aria-hidden="true">
            <Show when=move || shown().is_some()>
                <canvas class="thumbnail" data-testid="series-thumbnail" node_ref=canvas_ref></canvas>
            </Show>
        </span>
    }
}

fn draw(canvas: &web_sys::HtmlCanvasElement, t: &Thumbnail) {
    canvas.set_width(t.width);
    canvas.set_height(t.height);
    let context = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<web_sys::CanvasRenderingContext2d>().ok());
    let image =
        web_sys::ImageData::new_with_u8_clamped_array_and_sh(Clamped(&t.rgba), t.width, t.height);
    if let (Some(context), Ok(image)) = (context, image) {
        let _ = context.put_image_data(&image, 0.0, 0.0);
    }
}
