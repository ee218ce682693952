//! What the share dialog shows of shares: the one just made (its full link to copy, and its
//! six-digit code, shown this once, to send apart from the link), and the study's shares with
//! their recipient, dates, state and use, each with a revoke button while it can still open.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::clock::date_time;
use crate::handout::Handout;
use crate::i18n::use_i18n;
use crate::session::Recipient;
use crate::shares::{self, AccessCode, Created, Share, ShareState};

/// The share just made: the link and, once, its code.
#[component]
pub fn CreatedShare(
    created: Created,
    kind: AccessCode,
    study: String,
    recipient: Recipient,
    another: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let origin = window().location().origin().unwrap_or_default();
    let link = format!("{origin}{}", created.link);
    let input = NodeRef::<leptos::html::Input>::new();
    let copied = RwSignal::new(None::<&'static str>);
    let copy = {
        let link = link.clone();
        move |_| {
            let link = link.clone();
            spawn_local(async move {
                let clipboard = window().navigator().clipboard();
                let written =
                    wasm_bindgen_futures::JsFuture::from(clipboard.write_text(&link)).await;
                let _ = copied.try_set(Some(if written.is_ok() {
                    "sharing.copied"
                } else {
                    // No clipboard (permission, insecure origin): the link is selected to copy.
                    if let Some(input) = input.try_get_untracked().flatten() {
                        input.select();
                    }
                    "sharing.copy_by_hand"
                }));
            });
        }
    };
    let t = {
        let i18n = i18n.clone();
        move |key: &'static str| {
            let i18n = i18n.clone();
            move || i18n.t(key)
        }
    };
    let copied_text = {
        let i18n = i18n.clone();
        move || copied.get().map(|key| i18n.t(key))
    };
    let code = created.access_code.clone().map(|code| {
        view! {
            <p class="share-code-once">
                <span>{t("sharing.code_is")}</span>
                " "
                <strong data-testid="share-code-value">{code}</strong>
            </p>
            <p class="warning" data-testid="share-code-note">{t("sharing.code_note")}</p>
        }
    });
    let birth_date = (kind == AccessCode::BirthDate)
        .then(|| view! { <p class="warning" data-testid="share-birth-date-note">{t("sharing.birth_date_note")}</p> });
    let expires = {
        let i18n = i18n.clone();
        let until = date_time(created.expires_at_s);
        move || i18n.f("sharing.expires", &[("date", &until)])
    };
    // The patient's handout (a GP gets the link through their secure messaging).
    let handout_error = RwSignal::new(false);
    let handout = (recipient == Recipient::Patient).then(|| {
        let handout = Handout {
            study_uid: study,
            link: link.clone(),
            kind,
            code: created.access_code.clone(),
            expires_at_s: created.expires_at_s,
        };
        let i18n = i18n.clone();
        let print = move |_| {
            let (handout, i18n) = (handout.clone(), i18n.clone());
            spawn_local(async move {
                let failed = crate::handout::print(handout, i18n).await.is_err();
                let _ = handout_error.try_set(failed);
            });
        };
        view! {
            <button type="button" data-testid="share-handout" on:click=print>{t("sharing.handout")}</button>
        }
    });
    let handout_failed = {
        let i18n = i18n.clone();
        move || {
            handout_error.get().then(|| {
                view! { <p class="error" role="alert" data-testid="share-handout-error">{i18n.t("sharing.handout_failed")}</p> }
            })
        }
    };
    view! {
        <section class="share-result" data-testid="share-result" data-share-id=created.id.clone()>
            <label class="share-field">
                <span>{t("sharing.link")}</span>
                <input type="text" readonly=true data-testid="share-link" node_ref=input prop:value=link
                    on:focus=move |_| { if let Some(i) = input.get_untracked() { i.select(); } }/>
            </label>
            <button type="button" data-testid="share-copy" on:click=copy>{t("sharing.copy")}</button>
            <span class="notice" role="status" data-testid="share-copied">{copied_text}</span>
            {code}
            {birth_date}
            <p>{expires}</p>
            {handout}
            {handout_failed}
            <button type="button" data-testid="share-another" on:click=move |_| another.run(())>
                {t("sharing.another")}
            </button>
        </section>
    }
}

/// The study's shares, read again when `listed` changes or one is revoked.
#[component]
pub fn ShareList(study: String, listed: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let revoked = RwSignal::new(0u32);
    let failed = RwSignal::new(false);
    let list = LocalResource::new(move || {
        listed.track();
        revoked.track();
        let study = study.clone();
        async move { shares::list(&study).await }
    });
    let revoke = Callback::new(move |id: String| {
        failed.set(false);
        spawn_local(async move {
            match shares::revoke(&id).await {
                Ok(()) => {
                    let _ = revoked.try_update(|n| *n += 1);
                }
                Err(_) => {
                    let _ = failed.try_set(true);
                }
            }
        });
    });
    let rows = {
        let i18n = i18n.clone();
        move || {
            let i18n = i18n.clone();
            list.get().map(move |result| match result {
                Ok(shares) if shares.is_empty() => {
                    view! { <p class="notice" data-testid="share-list-empty">{i18n.t("sharing.none")}</p> }.into_any()
                }
                Ok(shares) => view! {
                    <table class="share-table">
                        <thead><tr>
                            <th>{i18n.t("sharing.col.recipient")}</th>
                            <th>{i18n.t("sharing.col.created")}</th>
                            <th>{i18n.t("sharing.col.expires")}</th>
                            <th>{i18n.t("sharing.col.access")}</th>
                            <th>{i18n.t("sharing.col.state")}</th>
                            <th>{i18n.t("sharing.col.uses")}</th>
                            <th></th>
                        </tr></thead>
                        <tbody>
                            {shares.into_iter().map(|s| view! { <ShareRow share=s revoke=revoke/> }).collect_view()}
                        </tbody>
                    </table>
                }
                .into_any(),
                Err(e) => {
                    let text = i18n.f("sharing.list_failed", &[("error", &e.to_string())]);
                    view! { <p class="error" role="alert" data-testid="share-list-error">{text}</p> }.into_any()
                }
            })
        }
    };
    let heading = {
        let i18n = i18n.clone();
        move || i18n.t("sharing.existing")
    };
    let revoke_failed = move || i18n.t("sharing.revoke_failed");
    view! {
        <section class="share-list" data-testid="share-list">
            <h3>{heading}</h3>
            <Show when=move || failed.get()>
                <p class="error" role="alert" data-testid="share-revoke-error">{revoke_failed.clone()}</p>
            </Show>
            <Transition fallback=|| ()>{rows}</Transition>
        </section>
    }
}

#[component]
fn ShareRow(share: Share, revoke: Callback<String>) -> impl IntoView {
    let i18n = use_i18n();
    let state = share.state();
    let t = {
        let i18n = i18n.clone();
        move |key: &'static str| {
            let i18n = i18n.clone();
            move || i18n.t(key)
        }
    };
    let recipient = share.recipient.map(|r| {
        t(match r {
            Recipient::Patient => "sharing.recipient.patient",
            Recipient::Gp => "sharing.recipient.gp",
        })
    });
    let created_at = date_time(share.created_at_s);
    let by = share.created_by.clone();
    let created = {
        let i18n = i18n.clone();
        move || {
            if by.is_empty() {
                created_at.clone()
            } else {
                i18n.f(
                    "sharing.created_by",
                    &[("date", &created_at), ("name", &by)],
                )
            }
        }
    };
    // A new code unlocks the share: its state is shown from then on without reading the list
    // again (which would take the new code off the screen).
    let renewed = RwSignal::new(None::<Result<String, ()>>);
    let shown_state = move || match (state, renewed.get()) {
        (ShareState::Locked, Some(Ok(_))) => ShareState::Active,
        _ => state,
    };
    let state_text = {
        let i18n = i18n.clone();
        move || {
            i18n.t(match shown_state() {
                ShareState::Active => "sharing.state.active",
                ShareState::Expired => "sharing.state.expired",
                ShareState::Revoked => "sharing.state.revoked",
                ShareState::Locked => "sharing.state.locked",
            })
        }
    };
    let access = share.access_code.map(|kind| {
        t(match kind {
            AccessCode::Code => "sharing.kind.code",
            AccessCode::BirthDate => "sharing.kind.birth_date",
            AccessCode::None => "sharing.kind.none",
        })
    });
    // An expired or revoked share opens nothing any more.
    let open = matches!(state, ShareState::Active | ShareState::Locked);
    let id = share.id.clone();
    let button = open.then(|| {
        view! {
            <button type="button" data-testid="share-revoke" on:click=move |_| revoke.run(id.clone())>
                {t("sharing.revoke")}
            </button>
        }
    });
    let renew = (open && share.access_code == Some(AccessCode::Code)).then(|| {
        let id = share.id.clone();
        // One request at a time: two would make two codes, the first shown perhaps last.
        let asking = RwSignal::new(false);
        let click = move |_| {
            if asking.get_untracked() {
                return;
            }
            asking.set(true);
            let id = id.clone();
            spawn_local(async move {
                let code = shares::new_code(&id).await.map_err(|_| ());
                let _ = renewed.try_set(Some(code));
                let _ = asking.try_set(false);
            });
        };
        view! {
            <button type="button" data-testid="share-new-code" disabled=move || asking.get()
                on:click=click>{t("sharing.new_code")}</button>
        }
    });
    let renewed_text = move || {
        renewed.get().map(|result| match result {
            Ok(code) => view! {
                <p class="share-code-once" data-testid="share-new-code-value" data-code=code.clone()>
                    {i18n.f("sharing.new_code_is", &[("code", &code)])}
                </p>
            }
            .into_any(),
            Err(()) => view! {
                <p class="error" role="alert" data-testid="share-new-code-error">{i18n.t("sharing.new_code_failed")}</p>
            }
            .into_any(),
        })
    };
    view! {
        <tr data-testid="share-row" data-share-id=share.id.clone() data-state=move || shown_state().code()>
            <td>{recipient}</td>
            <td>{created}</td>
            <td>{date_time(share.expires_at_s)}</td>
            <td data-testid="share-access">{access}</td>
            <td data-testid="share-state">{state_text}</td>
            <td data-testid="share-uses">{share.uses.to_string()}</td>
            <td class="share-actions">{button}{renew}{renewed_text}</td>
        </tr>
    }
}
