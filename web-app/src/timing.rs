//! The page's milestones: performance marks (`app-start`, `study-opened`, `decoder-ready`,
//! `first-decoded`, `first-image`, `all-loaded`) read by the benchmark
//! (`e2e/bench`) and shown in the browser's performance panel, and the gate that holds
//! background work (series thumbnails) until the first view and its neighbours are loaded.

use std::cell::{Cell, RefCell};
use std::collections::HashSet;

use futures_channel::oneshot;

/// Background work waits at most this long for the first view.
const FIRST_VIEW_WAIT_MS: u32 = 8_000;

thread_local! {
    static MARKS: RefCell<HashSet<&'static str>> = RefCell::default();
    static SETTLED: Cell<bool> = const { Cell::new(false) };
    static WAITING: RefCell<Vec<oneshot::Sender<()>>> = RefCell::default();
}

/// The page's clock, in milliseconds since it loaded.
pub fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// Sets the mark `name` the first time this is called with it.
pub fn mark_once(name: &'static str) {
    if !MARKS.with(|set| set.borrow_mut().insert(name)) {
        return;
    }
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        let _ = performance.mark(name);
    }
}

/// The first view has its frame and neighbours (or its frame cannot be drawn): background
/// work may use the link now.
pub fn first_view_settled() {
    if SETTLED.with(|s| s.replace(true)) {
        return;
    }
    for waiter in WAITING.with(|w| std::mem::take(&mut *w.borrow_mut())) {
        let _ = waiter.send(());
    }
}

/// Waits until [`first_view_settled`], or [`FIRST_VIEW_WAIT_MS`] after the first wait began
/// (a page whose first view shows no image).
pub async fn after_first_view() {
    if SETTLED.with(Cell::get) {
        return;
    }
    let (sender, receiver) = oneshot::channel();
    let first = WAITING.with(|w| {
        let mut w = w.borrow_mut();
        w.push(sender);
        w.len() == 1
    });
    if first {
        leptos::task::spawn_local(async {
            gloo::timers::future::TimeoutFuture::new(FIRST_VIEW_WAIT_MS).await;
            first_view_settled();
        });
    }
    let _ = receiver.await;
}
