//! `/share`: a share link opened by its recipient (a patient, a GP), often on a phone. The
//! token was taken out of the address bar at start (`route::take_share_token`); here it is
//! traded for a share session, with the access code when one is asked (six digits, or the
//! patient's birth date), and each refusal is said plainly. The session's one study then
//! opens report first under a permanent "not for diagnosis" notice; nothing else of the PACS
//! is within reach (no list, no back button, no timeline, no local files, no sharing).

use gloo::timers::callback::Timeout;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::access::{use_access, SessionState};
use crate::date_field::DateField;
use crate::i18n::use_i18n;
use crate::session::{self, CodeKind, OpenShareError, Session, ShareAccess, ShareRefusal};
use crate::viewer::RecipientView;

/// A wait asked by the gateway is not believed beyond this (seconds).
const MAX_WAIT_S: u32 = 3600;

/// Where opening the link stands.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Opening,
    /// The access code is asked; with what the last try gave.
    Code {
        kind: CodeKind,
        note: Option<Note>,
    },
    /// The gateway asks to wait before trying again (too many tries).
    Wait {
        seconds: u32,
    },
    /// The link will not open: `locked`, `expired`, `revoked` or `unknown`.
    Refused(&'static str),
    /// The call failed (network, an unexpected answer): it can be tried again.
    Failed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Note {
    Wrong { attempts_left: Option<u32> },
    Wait { seconds: u32 },
}

fn delay_text(seconds: u32) -> String {
    if seconds < 120 {
        format!("{seconds} s")
    } else {
        format!("{} min", seconds.div_ceil(60))
    }
}

/// The share link in hand, being opened.
#[component]
pub fn ShareLinkPage() -> impl IntoView {
    let i18n = use_i18n();
    let access = use_access();
    let step = RwSignal::new(Step::Opening);
    let busy = RwSignal::new(false);
    // Set while the gateway's wait runs; tries are not sent meanwhile.
    let waiting = RwSignal::new(false);
    let wait = move |seconds: u32| {
        waiting.set(true);
        let seconds = seconds.min(MAX_WAIT_S);
        Timeout::new(seconds * 1000, move || {
            let _ = waiting.try_set(false);
        })
        .forget();
        seconds
    };
    let try_open = move |code: Option<String>| {
        let Some(token) = access.share_link.get_untracked() else {
            return;
        };
        if token.is_malformed() {
            step.set(Step::Refused("unknown"));
            return;
        }
        busy.set(true);
        spawn_local(async move {
            let result = session::open_share(&token, code.as_deref()).await;
            let _ = busy.try_set(false);
            let next = match result {
                Ok(share) => {
                    // The study replaces this page; the token is not needed any more.
                    access.set(SessionState::Known(Session::Share(share)));
                    let _ = access.share_link.try_set(None);
                    return;
                }
                Err(OpenShareError::Refused(refusal)) => match refusal {
                    ShareRefusal::CodeRequired(kind) => Step::Code { kind, note: None },
                    ShareRefusal::CodeWrong {
                        kind,
                        attempts_left,
                    } => Step::Code {
                        kind,
                        note: Some(Note::Wrong { attempts_left }),
                    },
                    ShareRefusal::TooManyAttempts { retry_after_s } => {
                        let seconds = wait(retry_after_s);
                        match step.try_get_untracked() {
                            Some(Step::Code { kind, .. }) => Step::Code {
                                kind,
                                note: Some(Note::Wait { seconds }),
                            },
                            _ => Step::Wait { seconds },
                        }
                    }
                    ShareRefusal::Locked => Step::Refused("locked"),
                    ShareRefusal::Expired => Step::Refused("expired"),
                    ShareRefusal::Revoked => Step::Refused("revoked"),
                    ShareRefusal::Unknown => Step::Refused("unknown"),
                },
                Err(OpenShareError::Call(_)) => Step::Failed,
            };
            let _ = step.try_set(next);
        });
    };
    try_open(None);

    move || {
        let i18n = i18n.clone();
        match step.get() {
            Step::Opening => {
                view! { <p class="loading" data-testid="share-opening">{i18n.t("share.opening")}</p> }
                    .into_any()
            }
            Step::Code { kind, note } => {
                view! { <CodeForm kind=kind note=note busy=busy waiting=waiting submit=Callback::new(move |code| try_open(Some(code)))/> }
                    .into_any()
            }
            Step::Wait { seconds } => {
                let text = i18n.f("share.wait", &[("delay", &delay_text(seconds))]);
                view! {
                    <section class="share-message" data-testid="share-error" data-kind="wait" role="alert">
                        <p>{text}</p>
                        <button data-testid="share-retry" disabled=move || waiting.get() || busy.get()
                            on:click=move |_| try_open(None)>{i18n.t("share.retry")}</button>
                    </section>
                }
                .into_any()
            }
            Step::Refused(kind) => view! { <ShareMessage kind=kind/> }.into_any(),
            Step::Failed => view! {
                <section class="share-message" data-testid="share-error" data-kind="failed" role="alert">
                    <p>{i18n.t("share.failed")}</p>
                    <button data-testid="share-retry" disabled=move || busy.get()
                        on:click=move |_| try_open(None)>{i18n.t("share.retry")}</button>
                </section>
            }
            .into_any(),
        }
    }
}

/// The access code form: six digits, or the patient's birth date.
#[component]
fn CodeForm(
    kind: CodeKind,
    note: Option<Note>,
    busy: RwSignal<bool>,
    waiting: RwSignal<bool>,
    submit: Callback<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let entered = RwSignal::new(String::new());
    // What is sent: the six digits, or the date as `YYYYMMDD`.
    let code = move || {
        let value = entered.get();
        match kind {
            CodeKind::Code => {
                let digits: String = value.chars().filter(|c| !c.is_whitespace()).collect();
                (digits.len() == 6 && digits.bytes().all(|b| b.is_ascii_digit())).then_some(digits)
            }
            // The field gives the date as `YYYYMMDD` once it is one.
            CodeKind::BirthDate => (!value.is_empty()).then_some(value),
        }
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if let Some(code) = code() {
            submit.run(code);
        }
    };
    let on_input = move |ev| entered.set(event_target_value(&ev));
    let t = move |key: &'static str| {
        let i18n = i18n.clone();
        move || i18n.t(key)
    };
    let field = match kind {
        CodeKind::Code => view! {
            <label class="share-field">
                <span>{t("share.code_label")}</span>
                <input data-testid="share-code" inputmode="numeric" pattern="[0-9]*" maxlength="6"
                    autocomplete="one-time-code" required=true prop:value=move || entered.get() on:input=on_input/>
            </label>
        }
        .into_any(),
        CodeKind::BirthDate => view! {
            <DateField testid="share-birth-date" label="share.birth_date_label" required=true
                on_date=Callback::new(move |date: Option<String>| entered.set(date.unwrap_or_default()))/>
        }
        .into_any(),
    };
    let asked = t(match kind {
        CodeKind::Code => "share.code_asked",
        CodeKind::BirthDate => "share.birth_date_asked",
    });
    view! {
        <form class="share-code-form" data-testid="share-code-form" on:submit=on_submit>
            <h1>{t("share.title")}</h1>
            <p>{asked}</p>
            {field}
            {note.map(|note| view! { <CodeNote note=note/> })}
            <button type="submit" data-testid="share-code-submit"
                disabled=move || code().is_none() || busy.get() || waiting.get()>
                {t("share.open")}
            </button>
        </form>
    }
}

/// What the last try of a code gave: wrong (with the tries left), or a wait.
#[component]
fn CodeNote(note: Note) -> impl IntoView {
    let i18n = use_i18n();
    let (kind, left) = match note {
        Note::Wrong { attempts_left } => ("wrong", attempts_left.map(|n| n.to_string())),
        Note::Wait { .. } => ("wait", None),
    };
    let text = move || match note {
        Note::Wrong {
            attempts_left: Some(n),
        } => i18n.n("share.code_wrong_left", n as usize, &[]),
        Note::Wrong {
            attempts_left: None,
        } => i18n.t("share.code_wrong"),
        Note::Wait { seconds } => i18n.f("share.wait", &[("delay", &delay_text(seconds))]),
    };
    view! {
        <p class="error" role="alert" data-testid="share-code-error" data-kind=kind data-attempts-left=left>
            {text}
        </p>
    }
}

/// Why the link does not open: `locked`, `expired`, `revoked`, `unknown`, or `ended` (a
/// share page with no link in hand and no share session: it ended, or the link was cut).
#[component]
pub fn ShareMessage(kind: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    let key = match kind {
        "locked" => "share.locked",
        "expired" => "share.expired",
        "revoked" => "share.revoked",
        "unknown" => "share.unknown",
        _ => "share.ended",
    };
    view! {
        <section class="share-message" data-testid="share-error" data-kind=kind role="alert">
            <h1>{let i18n = i18n.clone(); move || i18n.t("share.title")}</h1>
            <p>{move || i18n.t(key)}</p>
        </section>
    }
}

/// The share session's study, as its recipient reads it ([`RecipientView`]).
#[component]
pub fn SharedStudy(share: ShareAccess) -> impl IntoView {
    view! { <RecipientView share=share/> }
}
