//! What a viewport follows of its stack: the loading schedule kept on the visible slice, the
//! visible frame and its state, the frames loaded so far, and each slice's geometry and LOSSY
//! flag. Each is a signal or an effect here; the viewport only reads them.

use std::rc::Rc;

use leptos::prelude::*;
use send_wrapper::SendWrapper;
use viewer_core::study::PixelSpacing;

use crate::overlays::ImageGeometry;
use crate::stack::{FrameState, Stack};

/// The stack as the view's closures hold it (they must be Send; it lives on the page's thread).
pub(super) type SharedStack = SendWrapper<Rc<Stack>>;

/// Row spacing over column spacing of the series' first image: pixels with unequal spacing keep
/// their true proportions (1 when uncalibrated).
pub(super) fn pixel_aspect(stack: &Stack) -> f64 {
    stack
        .images
        .first()
        .and_then(|i| match i.spacing {
            PixelSpacing::Patient { row_mm, column_mm }
            | PixelSpacing::Detector { row_mm, column_mm } => Some(row_mm / column_mm),
            PixelSpacing::Uncalibrated => None,
        })
        .unwrap_or(1.0)
}

/// Frames per second of cine for the series (its Cine Rate or Frame Time, or the default).
pub(super) fn cine_fps(stack: &Stack) -> f64 {
    stack
        .images
        .first()
        .and_then(|i| i.cine_fps)
        .unwrap_or(viewer_core::study::DEFAULT_CINE_FPS)
}

/// Keeps the stack's loading schedule on the visible slice: whatever moves `index` (scrolling,
/// keys, cine, a report's link, a synchronised cell), the schedule follows it from here and
/// from nowhere else. The first focus is at once, so the first request leaves now; the stack
/// stops loading when the viewport goes.
pub(super) fn follow_focus(stack: &SharedStack, index: Memo<usize>) {
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
    let stack = stack.clone();
    on_cleanup(move || stack.stop());
}

/// Keeps `visible_frame` on (slice, state of its frame): what is drawn depends on it, not on
/// every other frame of the series arriving. Returns the visible frame's state.
pub(super) fn follow_visible(
    stack: &SharedStack,
    index: Memo<usize>,
    visible_frame: RwSignal<(usize, usize)>,
) -> impl Fn() -> Option<FrameState> + Clone + Send + Sync + 'static {
    {
        let stack = stack.clone();
        let changed = stack.changed.clone();
        Effect::new(move |_| {
            changed.track();
            let i = index.get();
            let key = (i, FrameState::identity(stack.state(i).as_ref()));
            if visible_frame.get_untracked() != key {
                visible_frame.set(key);
            }
        });
    }
    let stack = stack.clone();
    move || {
        visible_frame.track();
        stack.state(index.get())
    }
}

/// The viewport's `data-state`: loading, preview (a lower-quality first image), ready or error.
pub(super) fn state_code(gl_error: bool, visible: Option<&FrameState>) -> &'static str {
    match (gl_error, visible) {
        (true, _) => "error",
        (false, Some(FrameState::Ready(_))) => "ready",
        (false, Some(FrameState::Preview(_))) => "preview",
        (false, Some(FrameState::Failed(_) | FrameState::NotDisplayable(_))) => "error",
        (false, None) => "loading",
    }
}

/// Frames loaded so far (the reader sees when the whole series is there); the series browser,
/// if the page has one, shows the same progress beside the series.
pub(super) fn loaded(stack: &SharedStack) -> Signal<usize> {
    let loaded = {
        let stack = stack.clone();
        let changed = stack.changed.clone();
        Signal::derive(move || {
            changed.track();
            stack.loaded()
        })
    };
    if let Some(browser) = use_context::<crate::thumbnails::SeriesBrowser>() {
        let series = stack.series.clone();
        let total = stack.len();
        Effect::new(move |_| browser.report_progress(&series, loaded.get(), total));
    }
    loaded
}

/// The visible slice's size, orientation and spacing, when its image can be drawn.
pub(super) fn geometry(stack: &SharedStack, index: Memo<usize>) -> Signal<Option<ImageGeometry>> {
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
}

/// Whether the visible slice went through lossy compression (the LOSSY mark).
pub(super) fn lossy(stack: &Stack, index: Memo<usize>) -> Signal<bool> {
    let flags: Vec<bool> = stack
        .entries
        .iter()
        .map(|e| stack.images[e.image].lossy)
        .collect();
    Signal::derive(move || flags.get(index.get()).copied().unwrap_or(false))
}

/// Whether the visible frame is a preview (badged until the frame itself replaces it).
pub(super) fn is_preview(
    visible: impl Fn() -> Option<FrameState> + Send + Sync + 'static,
) -> Signal<bool> {
    Signal::derive(move || matches!(visible(), Some(FrameState::Preview(_))))
}

/// The viewport's `data-state`, as it changes.
pub(super) fn state_attr(
    gl_error: RwSignal<Option<String>>,
    visible: impl Fn() -> Option<FrameState> + Send + Sync + 'static,
) -> impl Fn() -> &'static str + Send + Sync + 'static {
    move || state_code(gl_error.with(Option::is_some), visible().as_ref())
}
