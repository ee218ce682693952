//! A viewport's keyboard, wheel and cine: each turns into display actions (through `go_to`
//! and the toolbar's actions), never into writes of the display's fields.

use std::cell::RefCell;
use std::rc::Rc;

use leptos::prelude::*;
use viewer_core::display::{Action, VoiChoice};
use viewer_core::voi::WindowLevel;

use super::annotate::Annotate;
use super::display::Display;
use crate::overlays::ViewAction;

/// Slices moved by PageUp / PageDown.
const PAGE_STEP: isize = 10;

/// Moving to slice `target` of the `total`, clamped to the stack (nothing when it is already
/// shown): what scrolling, keys, cine and drags all do.
pub(super) fn go_to(
    display: Display,
    total: usize,
) -> impl Fn(isize) + Copy + Send + Sync + 'static {
    move |target: isize| {
        if total == 0 {
            return;
        }
        let next = target.clamp(0, total as isize - 1) as usize;
        if next != display.slice.get_untracked() {
            display.dispatch(Action::GoTo(next));
        }
    }
}

/// Cine: steps through the `total` slices at the returned frames per second (starting at
/// `default_fps`), looping, while the returned `playing` is on.
pub(super) fn cine(
    default_fps: f64,
    total: usize,
    index: Memo<usize>,
    go_to: impl Fn(isize) + Copy + Send + Sync + 'static,
) -> (RwSignal<bool>, RwSignal<f64>) {
    let playing = RwSignal::new(false);
    let fps = RwSignal::new(default_fps);
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
    (playing, fps)
}

/// The wheel: a mouse notch is a slice; a trackpad's small deltas add up
/// (`viewer_core::wheel`).
pub(super) fn wheel_handler(
    activate: impl Fn() + Clone + 'static,
    step_by: impl Fn(isize) + Copy + 'static,
) -> impl Fn(leptos::ev::WheelEvent) + Clone + 'static {
    let wheel = StoredValue::new(viewer_core::wheel::WheelSlices::default());
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
}

/// What the keyboard reaches.
pub(super) struct Keys<A, B, G> {
    pub act: A,
    pub activate: B,
    pub annotate: Annotate,
    pub display: Display,
    pub go_to: G,
    pub playing: RwSignal<bool>,
    /// The windows digits 1-9 pick.
    pub preset_windows: Vec<WindowLevel>,
    pub total: usize,
}

/// Arrows and PageUp/PageDown scroll, Home/End, R resets, I inverts, space plays, digits pick
/// presets; the annotation layer sees keys first (Delete, Escape).
pub(super) fn key_handler<A, B, G>(keys: Keys<A, B, G>) -> impl Fn(leptos::ev::KeyboardEvent)
where
    A: Fn(ViewAction) + 'static,
    B: Fn() + 'static,
    G: Fn(isize) + Copy + 'static,
{
    let Keys {
        act,
        activate,
        annotate,
        display,
        go_to,
        playing,
        preset_windows,
        total,
    } = keys;
    let step_by = move |step: isize| go_to(display.slice.get_untracked() as isize + step);
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
                    Some(w) => display.dispatch(Action::Choose(VoiChoice::Window(*w))),
                    None => return,
                }
            }
            _ => return,
        }
        ev.prevent_default();
    }
}
