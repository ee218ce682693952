//! Leaving a study with measurements or key images not saved yet asks first: the browser's
//! own question when the tab is closed, reloaded or sent elsewhere, and the app's when its
//! way back to the list is taken or the browser's back and forward buttons move within the
//! app ([`UnsavedWork`], read by the app's history listener).

use leptos::prelude::*;
use send_wrapper::SendWrapper;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

use super::Annotations;
use crate::i18n::I18n;

type Handler = Closure<dyn FnMut(web_sys::Event) -> JsValue>;

/// Whether the study on the page has unsaved work, for the app's history listener (above
/// the study in the tree, so it cannot read the study's store).
#[derive(Clone, Copy)]
pub struct UnsavedWork(pub RwSignal<bool>);

/// Provides [`UnsavedWork`] (at the app's root).
pub fn provide_unsaved_work() -> UnsavedWork {
    let unsaved = UnsavedWork(RwSignal::new(false));
    provide_context(unsaved);
    unsaved
}

/// While `store` has unsaved work, the page asks before it is unloaded, and the app before
/// the browser's history leaves the study.
pub fn guard_page(store: Annotations) {
    if let Some(UnsavedWork(flag)) = use_context::<UnsavedWork>() {
        Effect::new(move |_| flag.set(store.unsaved.get()));
        on_cleanup(move || {
            flag.try_set(false);
        });
    }
    let handler = StoredValue::new(None::<SendWrapper<Handler>>);
    let set = move |on: bool| {
        let new = on.then(|| {
            SendWrapper::new(Handler::new(|ev: web_sys::Event| {
                // Both are asked for: browsers differ in which they honour.
                ev.prevent_default();
                JsValue::from_str("unsaved")
            }))
        });
        window().set_onbeforeunload(new.as_ref().map(|h| h.as_ref().unchecked_ref()));
        // The old handler is dropped only once the page no longer refers to it.
        handler.set_value(new);
    };
    Effect::new(move |_| set(store.unsaved.get()));
    on_cleanup(move || {
        window().set_onbeforeunload(None);
        handler.set_value(None);
    });
}

/// Whether the reader may leave the study: yes when nothing is unsaved (or there is no
/// store), else what they answer.
pub fn may_leave(i18n: &I18n) -> bool {
    let unsaved = use_context::<Annotations>()
        .and_then(|store| store.unsaved.try_get_untracked())
        .unwrap_or(false);
    !unsaved
        || window()
            .confirm_with_message(&i18n.t("annotation.leave_unsaved"))
            .unwrap_or(true)
}
