//! The slice bar beside the image (never over it): for each slice of the stack, whether the
//! reader has seen it, whether it is loaded, failed or still to come, and where the visible
//! slice stands; its title says how many were seen. On a slow link the reader knows whether
//! the whole series was seen before calling the reading done.

use leptos::prelude::*;
use viewer_core::slice_bar::{marks, runs, SeenSlices};

use super::frames::SharedStack;
use crate::i18n::use_i18n;
use crate::stack::FrameState;

pub(super) fn slice_bar(stack: SharedStack, index: Memo<usize>) -> impl IntoView {
    let total = stack.len();
    let seen = RwSignal::new(SeenSlices::new(total));
    {
        let stack = stack.clone();
        // A slice is seen once its whole frame is there while it is the visible one.
        Effect::new(move |_| {
            stack.changed.track();
            let i = index.get();
            let whole = matches!(stack.state(i), Some(FrameState::Ready(_)));
            if whole && !seen.with_untracked(|s| s.is_seen(i)) {
                seen.update(|s| {
                    s.note(i);
                });
            }
        });
    }
    let drawn_runs = {
        let stack = stack.clone();
        Memo::new(move |_| {
            stack.changed.track();
            let loaded = |i: usize| match stack.state(i) {
                Some(FrameState::Ready(_)) => Some(true),
                Some(FrameState::Failed(_) | FrameState::NotDisplayable(_)) => Some(false),
                Some(FrameState::Preview(_)) | None => None,
            };
            seen.with(|s| runs(&marks(s, loaded)))
        })
    };
    let i18n = use_i18n();
    let label = move || {
        seen.with(|s| {
            if s.all() {
                i18n.t("viewer.all_slices_seen")
            } else {
                i18n.f(
                    "viewer.slices_seen",
                    &[("n", &s.count().to_string()), ("total", &total.to_string())],
                )
            }
        })
    };
    let current_top = move || format!("{:.3}%", (index.get() as f64 + 0.5) * 100.0 / total as f64);
    (total > 1).then(|| {
        view! {
            <div class="slice-bar" data-testid="slice-bar" role="img"
                aria-label=label.clone() title=label
                data-seen=move || seen.with(|s| s.count()).to_string()
                data-all-seen=move || seen.with(|s| s.all()).to_string()>
                {move || drawn_runs.get().into_iter().map(|run| {
                    let (top, height) = run.span_percent(total);
                    view! {
                        <div class=format!("slice-run {}", run.mark.class())
                            style:top=format!("{top:.3}%") style:height=format!("{height:.3}%")>
                        </div>
                    }
                }).collect_view()}
                <div class="slice-current" style:top=current_top></div>
            </div>
        }
    })
}
