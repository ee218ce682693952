//! Regional sharing (partage) of a study's patient, for a clinician of the patient's own
//! establishment where the portal serves a region: the "Partage régional" button of the study
//! view opens a panel that says whether the patient's studies here are shared with the
//! region's other establishments (the patient's consent on record, or their opposition, or
//! nothing: not shared), and records what the patient says now.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::clock::{date, now_s};
use crate::i18n::use_i18n;
use crate::portal_api::{self, json_of, Body, CallError, Value};
use crate::site::RegionalToggle;

/// The patient's consent as the gateway has it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Recorded {
    /// Nothing on record: not shared.
    Nothing,
    Given {
        at_s: i64,
        by: Option<String>,
    },
    Refused {
        at_s: i64,
        by: Option<String>,
    },
    /// The study is not of the clinician's establishment: its own records the consent.
    NotOwn,
}

fn recorded_of(body: &portal_api::Json) -> Recorded {
    let at_s = body.int("given_at").unwrap_or(0);
    let by = body.str("recorded_by_name");
    match body.str("status").as_deref() {
        Some("given") => Recorded::Given { at_s, by },
        Some("refused") => Recorded::Refused { at_s, by },
        _ => Recorded::Nothing,
    }
}

/// `GET /api/consent?study_uid=…`.
async fn read(study: &str) -> Result<Recorded, CallError> {
    let response = portal_api::get(&format!("/api/consent?study_uid={study}")).await?;
    match response.status() {
        200 => Ok(recorded_of(
            &json_of(&response)
                .await
                .ok_or(CallError::Body("not JSON"))?,
        )),
        404 => Ok(Recorded::NotOwn),
        status => Err(CallError::Status(status)),
    }
}

/// `POST /api/consent`: what the patient says now.
async fn record(
    study: &str,
    given: bool,
    given_by: &str,
    method: &str,
) -> Result<Recorded, CallError> {
    let body = Body::new()
        .with("study_uid", Value::Str(study))
        .with(
            "status",
            Value::Str(if given { "given" } else { "refused" }),
        )
        .with("given_by", Value::Str(given_by))
        .with("method", Value::Str(method))
        .with("given_at", Value::Number(now_s() as f64));
    let response = portal_api::post("/api/consent", &body).await?;
    match response.status() {
        200 => Ok(recorded_of(
            &json_of(&response)
                .await
                .ok_or(CallError::Body("not JSON"))?,
        )),
        404 => Ok(Recorded::NotOwn),
        status => Err(CallError::Status(status)),
    }
}

/// The study view's "Partage régional" button, for a clinician of a region's establishment.
#[component]
pub fn RegionalConsentButton(study: String) -> impl IntoView {
    view! {
        <RegionalToggle label="consent.button" testid="consent-open">
            <ConsentPanel study=study.clone()/>
        </RegionalToggle>
    }
}

#[component]
fn ConsentPanel(study: String) -> impl IntoView {
    let i18n = use_i18n();
    let state = RwSignal::new(None::<Result<Recorded, CallError>>);
    let given_by = RwSignal::new("patient");
    let method = RwSignal::new("oral");
    let busy = RwSignal::new(false);
    {
        let study = study.clone();
        spawn_local(async move {
            let _ = state.try_set(Some(read(&study).await));
        });
    }
    let save = move |given: bool| {
        let study = study.clone();
        busy.set(true);
        spawn_local(async move {
            let result = record(
                &study,
                given,
                given_by.get_untracked(),
                method.get_untracked(),
            )
            .await;
            let _ = state.try_set(Some(result));
            let _ = busy.try_set(false);
        });
    };
    let status = {
        let i18n = i18n.clone();
        move || {
            let text = match state.get() {
                None => i18n.t("consent.loading"),
                Some(Err(e)) => i18n.f("consent.failed", &[("error", &e.to_string())]),
                Some(Ok(Recorded::NotOwn)) => i18n.t("consent.not_own"),
                Some(Ok(Recorded::Nothing)) => i18n.t("consent.nothing"),
                Some(Ok(Recorded::Given { at_s, by })) => i18n.f(
                    "consent.given",
                    &[("date", &date(at_s)), ("by", by.as_deref().unwrap_or("?"))],
                ),
                Some(Ok(Recorded::Refused { at_s, by })) => i18n.f(
                    "consent.refused",
                    &[("date", &date(at_s)), ("by", by.as_deref().unwrap_or("?"))],
                ),
            };
            view! { <p class="consent-status" data-testid="consent-status" role="status">{text}</p> }
        }
    };
    let own = move || matches!(state.get(), Some(Ok(r)) if r != Recorded::NotOwn);
    let t = move |key: &'static str| {
        let i18n = i18n.clone();
        move || i18n.t(key)
    };
    let save_given = save.clone();
    let label = t("consent.button");
    view! {
        <section class="consent-panel" data-testid="consent-panel" aria-label=label>
            {status}
            <Show when=own>
                <p class="consent-explain">{t("consent.explain")}</p>
                <label>{t("consent.given_by")}
                    <select data-testid="consent-given-by"
                        on:change=move |ev| given_by.set(if event_target_value(&ev) == "representative" { "representative" } else { "patient" })>
                        <option value="patient">{t("consent.by_patient")}</option>
                        <option value="representative">{t("consent.by_representative")}</option>
                    </select>
                </label>
                <label>{t("consent.method")}
                    <select data-testid="consent-method"
                        on:change=move |ev| method.set(match event_target_value(&ev).as_str() {
                            "written" => "written",
                            "electronic" => "electronic",
                            _ => "oral",
                        })>
                        <option value="oral">{t("consent.oral")}</option>
                        <option value="written">{t("consent.written")}</option>
                        <option value="electronic">{t("consent.electronic")}</option>
                    </select>
                </label>
                <div class="consent-actions">
                    <button data-testid="consent-give" disabled=move || busy.get()
                        on:click={let save = save_given.clone(); move |_| save(true)}>{t("consent.give")}</button>
                    <button data-testid="consent-refuse" disabled=move || busy.get()
                        on:click={let save = save.clone(); move |_| save(false)}>{t("consent.refuse")}</button>
                </div>
            </Show>
        </section>
    }
}
