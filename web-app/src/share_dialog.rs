//! Sharing a study (a clinician allowed to): the "Share" button of the study view and its
//! dialog, an in-page panel. The clinician chooses the recipient (the patient or their GP),
//! how long the link lasts and what must be given besides it (nothing, a six-digit code, the
//! patient's birth date), and records the patient's consent (who gave it, how); nothing is
//! created before the consent is confirmed. The panel then shows the link and the code, and
//! lists the study's shares (`share_list`).

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::access::use_access;
use crate::clock::now_s;
use crate::i18n::use_i18n;
use crate::session::Recipient;
use crate::share_list::{CreatedShare, ShareList};
use crate::shares::{self, AccessCode, Consent, CreateError, NewShare, MAX_DAYS, MIN_DAYS};

/// Default validity of a link, in days.
const DEFAULT_DAYS: u32 = 7;

/// The study view's "Share" button, for a clinician who may share; it opens the dialog.
#[component]
pub fn ShareButton(study: String) -> impl IntoView {
    let i18n = use_i18n();
    let access = use_access();
    let open = RwSignal::new(false);
    move || {
        let i18n = i18n.clone();
        let study = study.clone();
        access.clinician().filter(|c| c.can_share).map(move |_| {
            let close = Callback::new(move |()| open.set(false));
            view! {
                <button class="share-open" data-testid="share-open"
                    aria-expanded=move || open.get().to_string()
                    on:click=move |_| open.update(|o| *o = !*o)>
                    {move || i18n.t("sharing.button")}
                </button>
                <Show when=move || open.get()>
                    <ShareDialog study=study.clone() close=close/>
                </Show>
            }
        })
    }
}

fn error_text(i18n: &crate::i18n::I18n, error: &CreateError) -> String {
    match error {
        CreateError::Invalid(field) => i18n.f(
            "sharing.invalid",
            &[("field", if field.is_empty() { "?" } else { field })],
        ),
        CreateError::Forbidden => i18n.t("sharing.forbidden"),
        CreateError::UnknownStudy => i18n.t("sharing.unknown_study"),
        CreateError::NoBirthDate => i18n.t("sharing.no_birth_date"),
        CreateError::Call(e) => i18n.f("sharing.failed", &[("error", &e.to_string())]),
    }
}

#[component]
fn ShareDialog(study: String, close: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let recipient = RwSignal::new(Recipient::Patient);
    let days = RwSignal::new(DEFAULT_DAYS.to_string());
    let code = RwSignal::new(AccessCode::Code);
    let by_representative = RwSignal::new(false);
    let representative = RwSignal::new(String::new());
    let method = RwSignal::new("oral");
    let confirmed = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<CreateError>);
    let created = RwSignal::new(None::<(shares::Created, AccessCode, Recipient)>);
    // Bumped to read the list of shares again.
    let listed = RwSignal::new(0u32);

    let valid_days = move || {
        days.get()
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|d| (MIN_DAYS..=MAX_DAYS).contains(d))
    };
    let named = move || !by_representative.get() || !representative.get().trim().is_empty();
    let ready = move || confirmed.get() && valid_days().is_some() && named() && !busy.get();
    let study_uid = study.clone();
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(expires_in_days) = valid_days().filter(|_| ready()) else {
            return;
        };
        let share = NewShare {
            study_uid: study_uid.clone(),
            recipient: recipient.get_untracked(),
            expires_in_days,
            access_code: code.get_untracked(),
            consent: Consent {
                representative: by_representative
                    .get_untracked()
                    .then(|| representative.get_untracked().trim().to_string()),
                method: method.get_untracked(),
                given_at_s: now_s(),
            },
        };
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let result = shares::create(&share).await;
            let _ = busy.try_set(false);
            match result {
                Ok(made) => {
                    let _ = created.try_set(Some((made, share.access_code, share.recipient)));
                    let _ = confirmed.try_set(false);
                    let _ = listed.try_update(|n| *n += 1);
                }
                Err(e) => {
                    let _ = error.try_set(Some(e));
                }
            }
        });
    };

    let t = {
        let i18n = i18n.clone();
        move |key: &'static str| {
            let i18n = i18n.clone();
            move || i18n.t(key)
        }
    };
    let error_view = {
        let i18n = i18n.clone();
        move || {
            error.get().map(|e| {
                view! { <p class="error" role="alert" data-testid="share-create-error">{error_text(&i18n, &e)}</p> }
            })
        }
    };
    let select_value = |ev: &leptos::ev::Event| event_target_value(ev);
    // Said beside the field, and in red while the number typed is outside it.
    let days_range = {
        let i18n = i18n.clone();
        move || {
            i18n.f(
                "sharing.days_range",
                &[
                    ("min", &MIN_DAYS.to_string()),
                    ("max", &MAX_DAYS.to_string()),
                ],
            )
        }
    };
    let form = view! {
        <form class="share-form" data-testid="share-form" on:submit=create
            hidden=move || created.with(Option::is_some)>
            <label class="share-field">
                <span>{t("sharing.recipient")}</span>
                <select data-testid="share-recipient"
                    on:change=move |ev| recipient.set(Recipient::from_code(&select_value(&ev)).unwrap_or(Recipient::Patient))>
                    <option value="patient" selected=true>{t("sharing.recipient.patient")}</option>
                    <option value="gp">{t("sharing.recipient.gp")}</option>
                </select>
            </label>
            <label class="share-field">
                <span>{t("sharing.days")}</span>
                <input type="number" data-testid="share-days" min=MIN_DAYS.to_string() max=MAX_DAYS.to_string()
                    required=true prop:value=move || days.get() on:input=move |ev| days.set(event_target_value(&ev))
                    aria-invalid=move || valid_days().is_none().to_string() aria-describedby="share-days-range"/>
            </label>
            <p id="share-days-range" data-testid="share-days-range" class:error=move || valid_days().is_none()>
                {days_range}
            </p>
            <label class="share-field">
                <span>{t("sharing.access_code")}</span>
                <select data-testid="share-access-code"
                    on:change=move |ev| code.set(AccessCode::from_code(&select_value(&ev)).unwrap_or(AccessCode::Code))>
                    <option value="code" selected=true>{t("sharing.access_code.code")}</option>
                    <option value="birth_date">{t("sharing.access_code.birth_date")}</option>
                    <option value="none">{t("sharing.access_code.none")}</option>
                </select>
            </label>
            <ConsentFields by_representative=by_representative representative=representative
                method=method confirmed=confirmed/>
            {error_view}
            <button type="submit" data-testid="share-create" disabled=move || !ready()>{t("sharing.create")}</button>
        </form>
    };
    // The form stays (hidden) while the link just made is shown, ready for another share.
    let made = {
        let study = study.clone();
        move || {
            created.get().map(|(made, kind, recipient)| {
                view! {
                    <CreatedShare created=made kind=kind study=study.clone() recipient=recipient
                        another=Callback::new(move |()| created.set(None))/>
                }
            })
        }
    };
    view! {
        <section class="share-dialog" role="dialog" aria-labelledby="share-dialog-title" data-testid="share-dialog"
            on:keydown=move |ev: leptos::ev::KeyboardEvent| if ev.key() == "Escape" { close.run(()) }>
            <header class="share-dialog-header">
                <h2 id="share-dialog-title">{t("sharing.title")}</h2>
                <button type="button" data-testid="share-close" on:click=move |_| close.run(())>{t("sharing.close")}</button>
            </header>
            {made}
            {form}
            <ShareList study=study listed=listed/>
        </section>
    }
}

/// Who consented to the share (the patient, or a representative named here), how, and the
/// professional's confirmation that they did.
#[component]
fn ConsentFields(
    by_representative: RwSignal<bool>,
    representative: RwSignal<String>,
    method: RwSignal<&'static str>,
    confirmed: RwSignal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let t = move |key: &'static str| {
        let i18n = i18n.clone();
        move || i18n.t(key)
    };
    let representative_label = t("sharing.consent.representative");
    let select_value = |ev: &leptos::ev::Event| event_target_value(ev);
    view! {
        <fieldset class="share-consent">
            <legend>{t("sharing.consent")}</legend>
            <label class="share-field">
                <span>{t("sharing.consent.by")}</span>
                <select data-testid="share-consent-by"
                    on:change=move |ev| by_representative.set(select_value(&ev) == "representative")>
                    <option value="patient" selected=true>{t("sharing.consent.by.patient")}</option>
                    <option value="representative">{t("sharing.consent.by.representative")}</option>
                </select>
            </label>
            <Show when=move || by_representative.get()>
                <label class="share-field">
                    <span>{representative_label.clone()}</span>
                    <input type="text" data-testid="share-representative" required=true maxlength="200"
                        prop:value=move || representative.get()
                        on:input=move |ev| representative.set(event_target_value(&ev))/>
                </label>
            </Show>
            <label class="share-field">
                <span>{t("sharing.consent.method")}</span>
                <select data-testid="share-consent-method" on:change=move |ev| {
                    method.set(match select_value(&ev).as_str() {
                        "written" => "written",
                        "electronic" => "electronic",
                        _ => "oral",
                    })
                }>
                    <option value="oral" selected=true>{t("sharing.consent.oral")}</option>
                    <option value="written">{t("sharing.consent.written")}</option>
                    <option value="electronic">{t("sharing.consent.electronic")}</option>
                </select>
            </label>
            <label class="share-confirm">
                <input type="checkbox" data-testid="share-consent-confirm"
                    prop:checked=move || confirmed.get()
                    on:change=move |ev| confirmed.set(event_target_checked(&ev))/>
                <span>{t("sharing.consent.confirm")}</span>
            </label>
        </fieldset>
    }
}
