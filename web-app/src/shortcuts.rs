//! The keyboard and pointer shortcuts of the study page, in a dialog: `?` (or its button)
//! opens it, Escape or its button closes it. The list is the one the viewport's key handler
//! follows (`viewport::input`).

use leptos::prelude::*;

use crate::i18n::use_i18n;

/// (keys as shown, catalog key of what they do).
const SHORTCUTS: &[(&str, &str)] = &[
    ("↑ ↓ ← →", "shortcuts.step"),
    ("PgUp PgDn", "shortcuts.page"),
    ("Home End", "shortcuts.ends"),
    ("1 … 9", "shortcuts.presets"),
    ("R", "shortcuts.reset"),
    ("I", "shortcuts.invert"),
    ("␣", "shortcuts.cine"),
    ("Del", "shortcuts.delete"),
    ("Esc", "shortcuts.escape"),
    ("?", "shortcuts.help"),
];

/// (gesture's catalog key, what it does).
const GESTURES: &[(&str, &str)] = &[
    ("shortcuts.wheel", "shortcuts.step"),
    ("shortcuts.left_drag", "shortcuts.tool"),
    ("shortcuts.middle_drag", "shortcuts.pan"),
    ("shortcuts.right_drag", "shortcuts.zoom"),
    ("shortcuts.pinch", "shortcuts.zoom"),
    ("shortcuts.double_tap", "shortcuts.reset"),
];

/// Whether a key event was typed into a field (where `?` is a character, not a command).
fn typed_in_field(ev: &leptos::ev::KeyboardEvent) -> bool {
    use wasm_bindgen::JsCast;
    ev.target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|e| matches!(e.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"))
}

/// The button that opens the dialog, and the dialog; `?` anywhere on the page opens it too.
#[component]
pub fn ShortcutsHelp() -> impl IntoView {
    let i18n = use_i18n();
    let open = RwSignal::new(false);
    let keys = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.key() == "?" && !typed_in_field(&ev) {
            ev.prevent_default();
            open.set(true);
        } else if ev.key() == "Escape" && open.get_untracked() {
            open.set(false);
        }
    });
    on_cleanup(move || keys.remove());
    let (label, aria) = (i18n.clone(), i18n.clone());
    let dialog = move || {
        let i18n = i18n.clone();
        open.get().then(move || {
            let t = |key: &'static str| {
                let i18n = i18n.clone();
                move || i18n.t(key)
            };
            let keys = SHORTCUTS
                .iter()
                .map(|(keys, what)| view! { <tr><th scope="row"><kbd>{*keys}</kbd></th><td>{t(what)}</td></tr> })
                .collect_view();
            let gestures = GESTURES
                .iter()
                .map(|(gesture, what)| view! { <tr><th scope="row">{t(gesture)}</th><td>{t(what)}</td></tr> })
                .collect_view();
            view! {
                <div class="dialog-backdrop" on:click=move |_| open.set(false)>
                    <section class="shortcuts" role="dialog" aria-modal="true" data-testid="shortcuts"
                        aria-labelledby="shortcuts-title" on:click=|ev| ev.stop_propagation()>
                        <h2 id="shortcuts-title">{t("shortcuts.title")}</h2>
                        <table>{keys}{gestures}</table>
                        <button type="button" data-testid="shortcuts-close" on:click=move |_| open.set(false)>
                            {t("shortcuts.close")}
                        </button>
                    </section>
                </div>
            }
        })
    };
    view! {
        <button type="button" class="shortcuts-open" data-testid="shortcuts-open"
            title=move || label.t("shortcuts.title") aria-label=move || aria.t("shortcuts.title")
            on:click=move |_| open.set(true)>{crate::icons::plain(crate::icons::Icon::Help)}</button>
        {dialog}
    }
}
