//! Emergency access ("bris de glace") in the page, for a clinician of a region's site: where
//! a study cannot be opened (no rule lets them read it), the offer to open it anyway with a
//! reason, said to be recorded and reviewed; while such an access is in force, a banner on the
//! study that does not go away, with its end and a button to end it now.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::access::use_access;
use crate::clock::date_time;
use crate::i18n::use_i18n;
use crate::portal_api::{self, json_of, Body, Value};

/// The reasons offered, as the gateway names them, with their catalog keys.
const CATEGORIES: &[(&str, &str)] = &[
    ("urgence_vitale", "emergency.category.urgence_vitale"),
    (
        "continuite_des_soins",
        "emergency.category.continuite_des_soins",
    ),
    ("autre", "emergency.category.autre"),
];

/// The longest reason the gateway takes, in characters.
const REASON_CHARS: usize = 500;

/// Below a study that could not be opened: the emergency access, for a clinician of a site.
#[component]
pub fn EmergencyOffer(study: String) -> impl IntoView {
    let i18n = use_i18n();
    let access = use_access();
    let category = RwSignal::new(CATEGORIES[0].0);
    let reason = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let failed = RwSignal::new(None::<String>);
    let ask = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = reason.get_untracked().trim().to_string();
        if text.is_empty() || busy.get_untracked() {
            return;
        }
        busy.set(true);
        failed.set(None);
        let study = study.clone();
        spawn_local(async move {
            let body = Body::new()
                .with("study_uid", Value::Str(&study))
                .with("category", Value::Str(category.get_untracked()))
                .with("reason", Value::Str(&text));
            let outcome = match portal_api::post("/api/emergency", &body).await {
                // Opened (or a rule opens it already): the study again, from the start.
                Ok(r) if r.status() == 201 || r.status() == 409 => None,
                Ok(r) if r.status() == 404 => Some("emergency.no_study".to_string()),
                Ok(r) => Some(format!("HTTP {}", r.status())),
                Err(e) => Some(e.to_string()),
            };
            match outcome {
                None => {
                    let _ = window().location().reload();
                }
                Some(error) => {
                    let _ = failed.try_set(Some(error));
                    let _ = busy.try_set(false);
                }
            }
        });
    };
    move || {
        let i18n = i18n.clone();
        let ask = ask.clone();
        access.clinician().filter(|c| !c.sites.is_empty()).map(move |_| {
            let t = move |key: &'static str| {
                let i18n = i18n.clone();
                move || i18n.t(key)
            };
            let options = CATEGORIES
                .iter()
                .map(|(code, key)| view! { <option value=*code>{t(key)}</option> })
                .collect_view();
            let error = {
                let t = t.clone();
                move || {
                    failed.get().map(|e| {
                        let text = if e == "emergency.no_study" { t("emergency.no_study")() } else { e };
                        view! { <p class="error" role="alert" data-testid="emergency-error">{text}</p> }
                    })
                }
            };
            view! {
                <form class="emergency-offer" data-testid="emergency-offer" on:submit=ask>
                    <h2>{t("emergency.title")}</h2>
                    <p>{t("emergency.explain")}</p>
                    <label>{t("emergency.category")}
                        <select data-testid="emergency-category"
                            on:change=move |ev| {
                                let chosen = event_target_value(&ev);
                                if let Some((code, _)) = CATEGORIES.iter().find(|(c, _)| *c == chosen) {
                                    category.set(code);
                                }
                            }>
                            {options}
                        </select>
                    </label>
                    <label>{t("emergency.reason")}
                        <textarea data-testid="emergency-reason" maxlength=REASON_CHARS.to_string() rows="3"
                            prop:value=move || reason.get()
                            on:input=move |ev| reason.set(event_target_value(&ev))></textarea>
                    </label>
                    <button type="submit" data-testid="emergency-open"
                        disabled=move || busy.get() || reason.get().trim().is_empty()>
                        {t("emergency.open")}
                    </button>
                    {error}
                </form>
            }
        })
    }
}

/// On a study read through an emergency access: the banner that says so, until when, and
/// the button that ends it.
#[component]
pub fn EmergencyBanner(study: String) -> impl IntoView {
    let i18n = use_i18n();
    let access = use_access();
    // (access id, end in seconds), once the gateway says one is in force.
    let in_force = RwSignal::new(None::<(String, i64)>);
    if untrack(|| access.clinician().is_some_and(|c| !c.sites.is_empty())) {
        let study = study.clone();
        spawn_local(async move {
            let Ok(response) = portal_api::get(&format!("/api/emergency?study_uid={study}")).await
            else {
                return;
            };
            let Some(body) = json_of(&response).await else {
                return;
            };
            if body.bool("active") == Some(true) {
                let found = body
                    .get("access")
                    .and_then(|a| Some((a.str("id")?, a.int("expires_at")?)));
                let _ = in_force.try_set(found);
            }
        });
    }
    let end = move |_| {
        let Some((id, _)) = in_force.get_untracked() else {
            return;
        };
        spawn_local(async move {
            let url = format!("/api/emergency/{}/end", js_sys::encode_uri_component(&id));
            if portal_api::post(&url, &Body::new()).await.is_ok() {
                let _ = window().location().assign("./");
            }
        });
    };
    move || {
        let i18n = i18n.clone();
        in_force.get().map(move |(_, until_s)| {
            let text = i18n.f("emergency.banner", &[("until", &date_time(until_s))]);
            view! {
                <p class="emergency-banner" role="alert" data-testid="emergency-banner">
                    <span>{text}</span>
                    <button data-testid="emergency-end" on:click=end>{i18n.t("emergency.end")}</button>
                </p>
            }
        })
    }
}

/// One emergency access as the review lists it.
#[derive(Clone)]
struct Reviewed {
    who: String,
    patient_id: String,
    site: String,
    category: String,
    reason: String,
    started_s: i64,
    ended_s: i64,
}

async fn reviewed() -> Vec<Reviewed> {
    let Ok(response) = portal_api::get("/api/emergency/review?limit=200").await else {
        return Vec::new();
    };
    if response.status() != 200 {
        return Vec::new();
    }
    let Some(body) = json_of(&response).await else {
        return Vec::new();
    };
    body.items()
        .iter()
        .map(|a| Reviewed {
            who: a
                .str("actor_name")
                .or_else(|| a.str("actor"))
                .unwrap_or_default(),
            patient_id: a.str("patient_id").unwrap_or_default(),
            // A study of no site: said as such.
            site: a.str("site_id").unwrap_or_else(|| "—".into()),
            category: a.str("category").unwrap_or_default(),
            reason: a.str("reason").unwrap_or_default(),
            started_s: a.int("started_at_ms").unwrap_or(0) / 1000,
            ended_s: a
                .int("ended_at_ms")
                .or_else(|| a.int("expires_at_ms"))
                .unwrap_or(0)
                / 1000,
        })
        .collect()
}

/// For the audit role (the data-protection officer) on the study list: the emergency accesses
/// to review, newest first: who, when, until when, which patient of which site, and why.
#[component]
pub fn EmergencyReview() -> impl IntoView {
    let i18n = use_i18n();
    let access = use_access();
    let shown = untrack(|| {
        access
            .clinician()
            .is_some_and(|c| c.can_audit && !c.sites.is_empty())
    });
    shown.then(|| {
        let list = LocalResource::new(reviewed);
        move || {
            let i18n = i18n.clone();
            let items = list.get().unwrap_or_default();
            (!items.is_empty()).then(move || {
                let title = i18n.f("emergency.review", &[("n", &items.len().to_string())]);
                let rows = items
                    .into_iter()
                    .map(|a| {
                        let key = CATEGORIES
                            .iter()
                            .find(|(code, _)| *code == a.category)
                            .map_or("emergency.category.autre", |(_, key)| *key);
                        view! {
                            <tr data-testid="emergency-reviewed">
                                <td>{date_time(a.started_s)}</td>
                                <td>{date_time(a.ended_s)}</td>
                                <td>{a.who.clone()}</td>
                                <td>{a.patient_id.clone()}</td>
                                <td>{a.site.clone()}</td>
                                <td>{i18n.t(key)}</td>
                                <td class="emergency-reason">{a.reason.clone()}</td>
                            </tr>
                        }
                    })
                    .collect_view();
                view! {
                    <details class="emergency-review" data-testid="emergency-review">
                        <summary>{title}</summary>
                        <table class="studies">
                            <thead><tr>
                                <th>{i18n.t("emergency.col.start")}</th>
                                <th>{i18n.t("emergency.col.end")}</th>
                                <th>{i18n.t("emergency.col.who")}</th>
                                <th>{i18n.t("col.patient_id")}</th>
                                <th>{i18n.t("emergency.col.site")}</th>
                                <th>{i18n.t("emergency.category")}</th>
                                <th>{i18n.t("emergency.col.reason")}</th>
                            </tr></thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </details>
                }
            })
        }
    })
}
