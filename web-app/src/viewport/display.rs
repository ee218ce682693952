//! The viewport's one display signal ([`viewer_core::display::DisplayState`]) and what is read
//! from it. Every change goes through [`Display::dispatch`]; the slice, the placement and the
//! grey levels in force are memos of it, so each reader wakes only when its part changes.

use std::rc::Rc;

use leptos::prelude::*;
use send_wrapper::SendWrapper;
use viewer_core::display::{Action, DisplayState, ImageDisplay, ShownFrame, VoiInForce};
use viewer_core::view::ViewState;
use viewer_core::voi::WindowLevel;

use crate::stack::{FrameState, Stack};

/// One viewport's display: its state, and the visible frame as its fallbacks see it.
#[derive(Clone, Copy)]
pub(super) struct Display {
    state: RwSignal<DisplayState>,
    stack: StoredValue<SendWrapper<Rc<Stack>>>,
    /// The visible slice.
    pub slice: Memo<usize>,
    /// The placement (zoom, pan, quarter turns, flips).
    pub view: Memo<ViewState>,
    /// The visible frame's data range and whether it is a preview (`None` while it is not
    /// on screen).
    pub shown: Memo<Option<ShownFrame>>,
    /// The grey levels in force on the visible image.
    pub voi: Memo<Option<VoiInForce>>,
}

/// The image of slice `index`'s display defaults.
pub(super) fn image_display(stack: &Stack, index: usize) -> Option<ImageDisplay> {
    let entry = stack.entries.get(index)?;
    Some(ImageDisplay::of(stack.images.get(entry.image)?))
}

/// A decoded frame's data range in modality units, as a window.
pub(super) fn data_range(
    stack: &Stack,
    index: usize,
    frame: &viewer_core::DecodedFrame,
) -> Option<WindowLevel> {
    let image = stack.images.get(stack.entries.get(index)?.image)?;
    let rescale = image.effective_rescale();
    let (lo, hi) = frame.samples.min_max()?;
    Some(WindowLevel::from_range(
        rescale.apply(lo),
        rescale.apply(hi),
    ))
}

impl Display {
    /// The display of `stack`, placed by `initial_view`; `visible_frame` changes whenever the
    /// visible frame's state does.
    pub fn new(
        stack: SendWrapper<Rc<Stack>>,
        initial_view: ViewState,
        visible_frame: RwSignal<(usize, usize)>,
    ) -> Self {
        let state = RwSignal::new(DisplayState::new(stack.len(), initial_view));
        let slice = Memo::new(move |_| state.with(DisplayState::slice));
        let view = Memo::new(move |_| state.with(DisplayState::view));
        let stack = StoredValue::new(stack);
        // Computed once per frame shown (a pass over its samples), not once per draw.
        let shown = Memo::new(move |_| {
            let (index, _) = visible_frame.get();
            stack.with_value(|stack| match stack.state(index)? {
                FrameState::Ready(frame) => Some(ShownFrame {
                    range: data_range(stack, index, &frame),
                    preview: false,
                }),
                FrameState::Preview(frame) => Some(ShownFrame {
                    range: data_range(stack, index, &frame),
                    preview: true,
                }),
                FrameState::Failed(_) | FrameState::NotDisplayable(_) => None,
            })
        });
        let voi = Memo::new(move |_| {
            let image = stack.with_value(|s| image_display(s, slice.get()))?;
            let shown = shown.get();
            state.with(|d| d.voi(&image, shown.as_ref()))
        });
        let display = Display {
            state,
            stack,
            slice,
            view,
            shown,
            voi,
        };
        // A series without window or VOI LUT keeps the range of the first whole frame shown
        // (again after a reset).
        Effect::new(move |_| {
            let Some(shown) = shown.get() else { return };
            let Some(image) = stack.with_value(|s| image_display(s, slice.get_untracked())) else {
                return;
            };
            if !shown.preview && state.with(|d| d.wants_series_range(&image)) {
                display.dispatch(Action::Shown(shown));
            }
        });
        display
    }

    /// Applies `action` to the display (ignored once the viewport is gone).
    pub fn dispatch(&self, action: Action) {
        let Some(index) = self.state.try_with_untracked(DisplayState::slice) else {
            return;
        };
        let Some(image) = self
            .stack
            .try_with_value(|s| image_display(s, index))
            .flatten()
        else {
            return;
        };
        let shown = self.shown.try_get_untracked().flatten();
        self.state
            .try_update(|d| d.apply(action, &image, shown.as_ref()));
    }

    /// Reads the state, tracking it.
    pub fn with<T>(&self, f: impl FnOnce(&DisplayState) -> T) -> T {
        self.state.with(f)
    }

    /// The window in force on the visible image (`None` through a VOI LUT).
    pub fn window(&self) -> Option<WindowLevel> {
        self.voi.get().and_then(|v| v.window())
    }
}
