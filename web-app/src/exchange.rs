//! Échange in the page, for a clinician of a region's site: the study view's "Envoyer" panel
//! (a professional of the region's directory or a site's team, the whole exam or chosen
//! series, a message, an urgency), and the
//! study list's "Reçus" (studies sent to the clinician or their team: urgency, sender and
//! site, patient, message, when received; one click opens it) with what they sent and
//! whether it was opened.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::access::use_access;
use crate::clock::date_time;
use crate::i18n::use_i18n;
use crate::portal_api::{self, json_of, Body, Json, Value};
use crate::route::{navigate, Route};
use crate::site::RegionalToggle;

/// A recipient of the directory: (kind, id, label).
type Recipient = (String, String, String);

/// The study's series to choose from: (UID, label), in series-number order.
async fn series_to_choose(study: String) -> Vec<(String, String)> {
    let Ok(rows) = crate::api::search_series(&study, None).await else {
        return Vec::new();
    };
    let mut series: Vec<viewer_core::study::SeriesSummary> = rows
        .iter()
        .filter_map(viewer_core::study::SeriesSummary::from_qido)
        .collect();
    series.sort_by_key(|s| s.series_number.unwrap_or(i64::MAX));
    series
        .into_iter()
        .map(|s| {
            let parts: Vec<String> = [
                s.series_number.map(|n| format!("#{n}")),
                s.modality.clone(),
                s.description.clone(),
            ]
            .into_iter()
            .flatten()
            .collect();
            (s.series_instance_uid, parts.join(" "))
        })
        .collect()
}

/// `GET /api/directory`: each site's team, then its professionals.
async fn directory(team_label: String) -> Vec<Recipient> {
    let Ok(response) = portal_api::get("/api/directory").await else {
        return Vec::new();
    };
    let Some(body) = json_of(&response).await else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for site in body.get("sites").map(|s| s.items()).unwrap_or_default() {
        let (Some(id), Some(name)) = (site.str("id"), site.str("name")) else {
            continue;
        };
        out.push(("team".into(), id, team_label.replace("{site}", &name)));
        for p in site
            .get("professionals")
            .map(|p| p.items())
            .unwrap_or_default()
        {
            if let (Some(subject), Some(person)) = (p.str("subject"), p.str("name")) {
                out.push(("professional".into(), subject, format!("{person} ({name})")));
            }
        }
    }
    out
}

/// The study view's "Envoyer" button and panel.
#[component]
pub fn SendButton(study: String) -> impl IntoView {
    view! {
        <RegionalToggle label="exchange.button" testid="send-open">
            <SendPanel study=study.clone()/>
        </RegionalToggle>
    }
}

#[component]
fn SendPanel(study: String) -> impl IntoView {
    let i18n = use_i18n();
    let recipients = LocalResource::new({
        let label = i18n.t("exchange.team");
        move || directory(label.clone())
    });
    let series = LocalResource::new({
        let study = study.clone();
        move || series_to_choose(study.clone())
    });
    // `None`: the whole exam; else the series ticked.
    let picked = RwSignal::new(None::<Vec<String>>);
    let chosen = RwSignal::new(0usize);
    let message = RwSignal::new(String::new());
    let urgent = RwSignal::new(false);
    let outcome = RwSignal::new(None::<Result<(), String>>);
    let busy = RwSignal::new(false);
    let send = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let list = recipients.get().unwrap_or_default();
        let Some((kind, id, _)) = list.get(chosen.get_untracked()).cloned() else {
            return;
        };
        let series = picked.get_untracked();
        if series.as_ref().is_some_and(Vec::is_empty) {
            return;
        }
        busy.set(true);
        let study = study.clone();
        spawn_local(async move {
            let mut body = Body::new();
            if let Some(series) = &series {
                body = body.with("series", Value::Strings(series));
            }
            let body = body
                .with("study_uid", Value::Str(&study))
                .with("to_kind", Value::Str(&kind))
                .with("to_id", Value::Str(&id))
                .with("message", Value::Str(message.get_untracked().trim()))
                .with(
                    "urgency",
                    Value::Str(if urgent.get_untracked() {
                        "urgent"
                    } else {
                        "routine"
                    }),
                );
            let result = match portal_api::post("/api/exchanges", &body).await {
                Ok(r) if r.status() == 201 => Ok(()),
                Ok(r) => Err(format!("HTTP {}", r.status())),
                Err(e) => Err(e.to_string()),
            };
            let _ = outcome.try_set(Some(result));
            let _ = busy.try_set(false);
        });
    };
    let t = move |key: &'static str| {
        let i18n = i18n.clone();
        move || i18n.t(key)
    };
    let options = move || {
        recipients
            .get()
            .unwrap_or_default()
            .into_iter()
            .enumerate()
            .map(|(i, (_, _, label))| view! { <option value=i.to_string()>{label}</option> })
            .collect_view()
    };
    let said = {
        let t = t.clone();
        move || {
            outcome.get().map(|r| match r {
                Ok(()) => view! { <p class="exchange-sent" role="status" data-testid="send-done">{t("exchange.sent")()}</p> }.into_any(),
                Err(e) => view! { <p class="error" role="alert" data-testid="send-error">{e}</p> }.into_any(),
            })
        }
    };
    let label = t("exchange.button");
    view! {
        <form class="exchange-panel" data-testid="send-panel" aria-label=label on:submit=send>
            <label>{t("exchange.to")}
                <select data-testid="send-to"
                    on:change=move |ev| chosen.set(event_target_value(&ev).parse().unwrap_or(0))>
                    {options}
                </select>
            </label>
            <SeriesChoice series=series picked=picked/>
            <label>{t("exchange.message")}
                <textarea data-testid="send-message" rows="3" maxlength="1000"
                    on:input=move |ev| message.set(event_target_value(&ev))></textarea>
            </label>
            <label class="exchange-urgent">
                <input type="checkbox" data-testid="send-urgent"
                    on:change=move |ev| urgent.set(event_target_checked(&ev))/>
                {t("exchange.urgent")}
            </label>
            <button type="submit" data-testid="send-submit"
                disabled=move || busy.get() || picked.with(|p| p.as_ref().is_some_and(Vec::is_empty))>
                {t("exchange.send")}
            </button>
            {said}
        </form>
    }
}

/// The whole exam, or the series ticked (`picked`), with a word when none is.
#[component]
fn SeriesChoice(
    series: LocalResource<Vec<(String, String)>>,
    picked: RwSignal<Option<Vec<String>>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let t = move |key: &'static str| {
        let i18n = i18n.clone();
        move || i18n.t(key)
    };
    let boxes = move || {
        picked.with(Option::is_some).then(|| {
            let rows = series
                .get()
                .unwrap_or_default()
                .into_iter()
                .map(|(uid, label)| {
                    let ticked = {
                        let uid = uid.clone();
                        move || picked.with(|p| p.as_ref().is_some_and(|p| p.contains(&uid)))
                    };
                    let toggle = move |ev: leptos::ev::Event| {
                        let on = event_target_checked(&ev);
                        picked.update(|p| {
                            if let Some(p) = p {
                                p.retain(|s| *s != uid);
                                if on {
                                    p.push(uid.clone());
                                }
                            }
                        });
                    };
                    view! {
                        <li><label class="exchange-series">
                            <input type="checkbox" data-testid="send-series" prop:checked=ticked on:change=toggle/>
                            <span>{label}</span>
                        </label></li>
                    }
                })
                .collect_view();
            view! { <ul class="exchange-series-list">{rows}</ul> }
        })
    };
    let none_ticked = move || picked.with(|p| p.as_ref().is_some_and(Vec::is_empty));
    view! {
        <fieldset class="exchange-what">
            <legend>{t("exchange.what")()}</legend>
            <label class="exchange-series">
                <input type="radio" name="exchange-what" data-testid="send-whole"
                    prop:checked=move || picked.with(Option::is_none)
                    on:change=move |_| picked.set(None)/>
                {t("exchange.whole")}
            </label>
            <label class="exchange-series">
                <input type="radio" name="exchange-what" data-testid="send-chosen"
                    prop:checked=move || picked.with(Option::is_some)
                    on:change=move |_| picked.set(Some(Vec::new()))/>
                {t("exchange.chosen")}
            </label>
            {boxes}
            <Show when=none_ticked>
                <p class="hint" role="status" data-testid="send-pick-one">{t("exchange.pick_one")()}</p>
            </Show>
        </fieldset>
    }
}

/// One exchange as the lists show it.
#[derive(Clone)]
struct Listed {
    study: String,
    urgent: bool,
    who: String,
    patient_id: String,
    message: String,
    at_s: i64,
    opened_at_s: Option<i64>,
    /// The series chosen (`None`: the whole exam).
    series: Option<Vec<String>>,
}

fn listed_of(item: &Json, received: bool) -> Option<Listed> {
    let who = if received {
        format!(
            "{} ({})",
            item.str("from_name").unwrap_or_default(),
            item.str("from_site").unwrap_or_default()
        )
    } else {
        item.str("to_name").unwrap_or_default()
    };
    Some(Listed {
        study: item
            .str("study_uid")
            .filter(|u| viewer_core::dicom_json::is_uid(u))?,
        urgent: item.str("urgency").as_deref() == Some("urgent"),
        who,
        patient_id: item.str("patient_id").unwrap_or_default(),
        message: item.str("message").unwrap_or_default(),
        at_s: item.int("sent_at").unwrap_or(0),
        opened_at_s: item.int("opened_at"),
        series: item
            .get("series")
            .map(|s| {
                s.items()
                    .iter()
                    .filter_map(Json::as_str)
                    .collect::<Vec<String>>()
            })
            .filter(|s| !s.is_empty()),
    })
}

async fn exchanges(which: &str) -> Vec<Listed> {
    let Ok(response) = portal_api::get(&format!("/api/exchanges/{which}")).await else {
        return Vec::new();
    };
    let Some(body) = json_of(&response).await else {
        return Vec::new();
    };
    body.items()
        .iter()
        .filter_map(|i| listed_of(i, which == "inbox"))
        .collect()
}

/// The study list's "Reçus" and "Envoyés" (a clinician of a region's site).
#[component]
pub fn Inbox(route: RwSignal<Route>) -> impl IntoView {
    let access = use_access();
    let shown = untrack(|| access.clinician().is_some_and(|c| !c.sites.is_empty()));
    shown.then(|| {
        view! {
            <ExchangeList which="inbox" title="exchange.inbox" route=route/>
            <ExchangeList which="sent" title="exchange.outbox" route=route/>
        }
    })
}

#[component]
fn ExchangeList(which: &'static str, title: &'static str, route: RwSignal<Route>) -> impl IntoView {
    let i18n = use_i18n();
    let list = LocalResource::new(move || exchanges(which));
    move || {
        let i18n = i18n.clone();
        let items = list.get().unwrap_or_default();
        (!items.is_empty()).then(move || {
            let rows = items
                .into_iter()
                .map(|e| {
                    let study = e.study.clone();
                    let state = match e.opened_at_s {
                        Some(t) => i18n.f("exchange.opened", &[("at", &date_time(t))]),
                        None => i18n.t("exchange.unopened"),
                    };
                    view! {
                        <li class="exchange-item" data-testid=format!("exchange-{which}") data-study=e.study.clone()
                            class:urgent=e.urgent>
                            <button class="link" on:click=move |_| navigate(route, Route::Study { study_instance_uid: study.clone() })>
                                {e.urgent.then(|| view! { <strong class="exchange-urgency">{i18n.t("exchange.urgent_mark")}</strong> })}
                                <span>{date_time(e.at_s)}</span>
                                <span>{e.who.clone()}</span>
                                <span>{e.patient_id.clone()}</span>
                                {e.series.as_ref().map(|s| view! {
                                    <span class="exchange-series-count" data-testid="exchange-series-count">
                                        {i18n.f("exchange.series_count", &[("n", &s.len().to_string())])}
                                    </span>
                                })}
                                <span class="exchange-message">{e.message.clone()}</span>
                                <span class="exchange-state">{state}</span>
                            </button>
                        </li>
                    }
                })
                .collect_view();
            view! {
                <section class="exchanges" data-testid=format!("exchanges-{which}")>
                    <h2>{i18n.t(title)}</h2>
                    <ul>{rows}</ul>
                </section>
            }
        })
    }
}

/// How the signed-in clinician reaches a study, as the gateway decides it (`GET /api/reach`).
#[derive(Debug, Clone, PartialEq)]
enum StudyReach {
    /// Their own establishment's (or the whole archive's, without sites).
    Own,
    /// Another establishment's (consent, exchange, emergency); `series`: how many chosen
    /// series were sent, when not the whole study.
    Other { series: Option<usize> },
    /// Not asked (not a clinician) or not answered.
    Unknown,
}

async fn study_reach(study: String) -> StudyReach {
    if !viewer_core::dicom_json::is_uid(&study) {
        return StudyReach::Unknown;
    }
    let Ok(response) = portal_api::get(&format!("/api/reach?study_uid={study}")).await else {
        return StudyReach::Unknown;
    };
    if response.status() == 404 {
        return StudyReach::Other { series: None };
    }
    let Some(body) = json_of(&response).await else {
        return StudyReach::Unknown;
    };
    match body.str("reach").as_deref() {
        Some("own") => StudyReach::Own,
        Some(_) => StudyReach::Other {
            series: body
                .get("series")
                .map(|s| s.items().len())
                .filter(|n| *n > 0),
        },
        None => StudyReach::Unknown,
    }
}

/// The study view's sharing, regional sharing and sending buttons: sharing and sending for a
/// clinician of the study's own establishment only (another's study can be neither shared
/// nor sent by them; the gateway refuses it, and the page does not offer it).
#[component]
pub fn OwnStudyActions(study: String) -> impl IntoView {
    let access = use_access();
    let reach = LocalResource::new({
        let study = study.clone();
        move || {
            let study = study.clone();
            let clinician = untrack(|| access.clinician().is_some());
            async move {
                if clinician {
                    study_reach(study).await
                } else {
                    StudyReach::Unknown
                }
            }
        }
    });
    // Unanswered, the buttons are offered: the gateway decides when they are used.
    let own = move || matches!(reach.get(), Some(StudyReach::Own | StudyReach::Unknown));
    let (share, send) = (study.clone(), study.clone());
    view! {
        <Show when=own>
            <crate::share_dialog::ShareButton study=share.clone()/>
        </Show>
        <crate::consent_panel::RegionalConsentButton study=study.clone()/>
        <Show when=own>
            <SendButton study=send.clone()/>
        </Show>
    }
}

/// On a study received as chosen series only (no whole exam sent to the reader, no other
/// way to it): how many series were sent.
#[component]
pub fn ReceivedNote(study: String) -> impl IntoView {
    let i18n = use_i18n();
    let access = use_access();
    let regional = untrack(|| access.clinician().is_some_and(|c| !c.sites.is_empty()));
    let reach = LocalResource::new(move || {
        let study = study.clone();
        async move {
            if regional {
                study_reach(study).await
            } else {
                StudyReach::Unknown
            }
        }
    });
    move || match reach.get() {
        Some(StudyReach::Other { series: Some(n) }) => {
            let text = i18n.f("exchange.received_series", &[("n", &n.to_string())]);
            Some(
                view! { <p class="received-note" role="note" data-testid="received-series">{text}</p> },
            )
        }
        _ => None,
    }
}
