//! A date field read day first (`jj/mm/aaaa`) whatever the browser's locale: a text field,
//! not the browser's date picker, whose order follows the system's language. What is typed is
//! read by `viewer_core::text::parse_typed_date`; a date that is not a real day is said beside
//! the field.

use leptos::prelude::*;
use viewer_core::text::parse_typed_date;

use crate::i18n::use_i18n;

/// The field: `on_date` gets the DICOM date (`YYYYMMDD`) typed, or `None` while the field is
/// empty or not a date.
#[component]
pub fn DateField(
    testid: &'static str,
    /// The label's key.
    label: &'static str,
    on_date: Callback<Option<String>>,
    #[prop(optional)] required: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let typed = RwSignal::new(String::new());
    // Said once the field is left with something that is not a date.
    let left = RwSignal::new(false);
    let wrong = move || {
        let t = typed.get();
        left.get() && !t.trim().is_empty() && parse_typed_date(&t).is_none()
    };
    let on_input = move |ev| {
        let value = event_target_value(&ev);
        on_date.run(parse_typed_date(&value));
        typed.set(value);
    };
    let t = move |key: &'static str| {
        let i18n = i18n.clone();
        move || i18n.t(key)
    };
    let hint_id = format!("{testid}-hint");
    view! {
        <label class="filter date-field">
            <span>{t(label)}</span>
            <input type="text" inputmode="numeric" autocomplete="off" maxlength="10"
                data-testid=testid placeholder=t("date.placeholder") required=required
                aria-invalid=move || wrong().to_string() aria-describedby=hint_id.clone()
                prop:value=move || typed.get() on:input=on_input on:blur=move |_| left.set(true)/>
            <span id=hint_id class="date-hint" class:error=wrong data-testid=format!("{testid}-hint")>
                {move || wrong().then(t("date.invalid"))}
            </span>
        </label>
    }
}
