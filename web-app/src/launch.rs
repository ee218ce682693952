//! `/launch/{id}`: where the patient record's contextual launch (DRIMbox "appel contextuel")
//! lands, once the gateway has kept it. The gateway decides (`GET /api/launch/{id}`): the
//! patient's opposition is said and nothing opens; an identity that differs from the
//! archive's is shown side by side, trait by trait, and nothing opens until the clinician
//! says it is the same patient; otherwise the study, or the patient's timeline, opens in
//! place of this page.

use leptos::prelude::*;
use leptos::task::spawn_local;
use viewer_core::identity::{Sex, StrictTraits};

use crate::i18n::{use_i18n, I18n};
use crate::national::{site_of_issuer, traits_born, traits_name};
use crate::portal_api::{self, Body, Json};
use crate::route::{self, Route};

/// What the gateway decided.
#[derive(Clone)]
enum Decision {
    Opposition,
    NoStudy,
    Mismatch(Json),
    /// Gone on to the study or the timeline.
    Opened,
    /// Unknown, expired, or claimed by another clinician.
    Unknown,
    Failed(String),
}

pub(crate) fn traits_of(json: Option<Json>) -> StrictTraits {
    let Some(json) = json else {
        return StrictTraits::default();
    };
    StrictTraits {
        birth_name: json.str("birth_name"),
        first_given_name: json.str("first_given_name"),
        birth_date: json.str("birth_date"),
        sex: json.str("sex").as_deref().and_then(Sex::parse),
        birth_place_code: json.str("birth_place_code"),
    }
}

/// The timeline's IHE IID query for the patient of `answer`, with the launch's filters.
fn timeline_query(answer: &Json) -> Option<String> {
    let archive = answer.get("archive")?;
    let id = archive.str("patient_id")?;
    let patient = match archive.str("issuer") {
        Some(issuer) => format!("{id}^^^{issuer}"),
        None => id,
    };
    let mut query = format!("?requestType=PATIENT&patientID={}", route::encode(&patient));
    if let Some(modality) = answer.str("modality") {
        query.push_str(&format!("&modalitiesInStudy={}", route::encode(&modality)));
    }
    let iso =
        |da: &str| (da.len() == 8).then(|| format!("{}-{}-{}", &da[..4], &da[4..6], &da[6..]));
    if let Some(dates) = answer.str("study_date") {
        let (from, to) = dates.split_once('-').unwrap_or((&dates, &dates));
        if let Some(from) = iso(from) {
            query.push_str(&format!("&lowerDateTime={from}T00:00:00"));
        }
        if let Some(to) = iso(to) {
            query.push_str(&format!("&upperDateTime={to}T23:59:59"));
        }
    }
    Some(query)
}

/// Asks the gateway, and goes on to what it opens.
async fn decide(id: String, route: RwSignal<Route>) -> Decision {
    let response = match portal_api::get(&format!("/api/launch/{}", route::encode(&id))).await {
        Ok(r) => r,
        Err(e) => return Decision::Failed(e.to_string()),
    };
    match response.status() {
        200 => {}
        404 => return Decision::Unknown,
        status => return Decision::Failed(format!("HTTP {status}")),
    }
    let Some(answer) = portal_api::json_of(&response).await else {
        return Decision::Failed("JSON".into());
    };
    let next = match answer.str("outcome").as_deref() {
        Some("opposition") => return Decision::Opposition,
        Some("no_study") => return Decision::NoStudy,
        Some("mismatch") => return Decision::Mismatch(answer),
        Some("study") => answer.str("study_uid").map(|uid| Route::Study {
            study_instance_uid: uid,
        }),
        // With the national identity matched: the patient's studies at every site.
        Some("timeline") => match (
            answer.get("archive").and_then(|a| a.str("ins")),
            answer.str("study_uid"),
        ) {
            (Some(_), Some(study)) => Some(Route::National {
                study,
                filter: route::TimelineFilter::of(answer.str("modality"), answer.str("study_date")),
            }),
            _ => timeline_query(&answer).map(|query| Route::Invoke { query }),
        },
        _ => None,
    };
    let Some(next) = next else {
        return Decision::Failed("outcome".into());
    };
    // In place of this page: back leaves the portal, as it came.
    if let Ok(history) = window().history() {
        // From the root: this page's path is `/launch/{id}`.
        let url = route::url_of(&next);
        let url = url
            .strip_prefix("./")
            .map_or(url.clone(), |rest| format!("/{rest}"));
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
    route.set(next);
    Decision::Opened
}

/// One identity of the comparison: its traits, INS and local ID.
struct Side {
    traits: StrictTraits,
    ins: Option<String>,
    local: Option<String>,
}

impl Side {
    fn of(json: Option<Json>) -> Side {
        let local = json.as_ref().and_then(|j| {
            let id = j.str("patient_id")?;
            Some(match site_of_issuer(j.str("issuer").as_deref()) {
                Some(site) => format!("{id} ({site})"),
                None => id,
            })
        });
        Side {
            traits: traits_of(json.as_ref().and_then(|j| j.get("traits"))),
            ins: json.as_ref().and_then(|j| j.str("ins")),
            local,
        }
    }
}

/// The identities side by side, the rows that differ marked.
fn comparison(i18n: &I18n, answer: &Json) -> impl IntoView {
    let sent = Side::of(answer.get("sent"));
    let held = Side::of(answer.get("archive"));
    let differing: Vec<String> = answer
        .get("differences")
        .map(|d| d.items().iter().filter_map(Json::as_str).collect())
        .unwrap_or_default();
    let born = |t: &StrictTraits| traits_born(i18n, t);
    let unknown = i18n.t("launch.unknown");
    let or_unknown = |v: Option<String>| v.filter(|v| !v.is_empty()).unwrap_or(unknown.clone());
    let rows = [
        (
            "launch.row.name",
            vec!["birth_name", "first_given_name"],
            Some(traits_name(&sent.traits)),
            Some(traits_name(&held.traits)),
        ),
        (
            "launch.row.born",
            vec!["birth_date", "sex"],
            Some(born(&sent.traits)),
            Some(born(&held.traits)),
        ),
        (
            "launch.row.ins",
            vec!["ins"],
            sent.ins.clone(),
            held.ins.clone(),
        ),
        (
            "launch.row.local_id",
            vec!["patient_id"],
            sent.local.clone(),
            held.local.clone(),
        ),
    ];
    let rows = rows
        .into_iter()
        .map(|(key, traits, from_record, from_archive)| {
            let differs = traits.iter().any(|t| differing.iter().any(|d| d == t));
            view! {
                <tr class:differs=differs data-differs=differs.to_string()>
                    <th scope="row">{i18n.t(key)}</th>
                    <td>{or_unknown(from_record)}</td>
                    <td>{or_unknown(from_archive)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="identity-comparison" data-testid="identity-comparison">
            <thead><tr>
                <th></th>
                <th scope="col">{i18n.t("launch.col.record")}</th>
                <th scope="col">{i18n.t("launch.col.archive")}</th>
            </tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

/// The identity-vigilance warning: nothing opens until the clinician confirms.
#[component]
fn MismatchWarning(
    id: String,
    answer: Json,
    route: RwSignal<Route>,
    retry: RwSignal<u32>,
) -> impl IntoView {
    let i18n = use_i18n();
    let busy = RwSignal::new(false);
    let failed = RwSignal::new(None::<String>);
    let confirm = move |_| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        let id = id.clone();
        spawn_local(async move {
            let url = format!("/api/launch/{}/confirm", route::encode(&id));
            match portal_api::post(&url, &Body::new()).await {
                Ok(r) if r.status() == 204 => retry.update(|n| *n += 1),
                Ok(r) => failed.set(Some(format!("HTTP {}", r.status()))),
                Err(e) => failed.set(Some(e.to_string())),
            }
            busy.set(false);
        });
    };
    let leave = move |_| route::navigate(route, Route::Studies);
    view! {
        <section class="launch-mismatch" role="alert" data-testid="launch-mismatch">
            <h2>{i18n.t("launch.mismatch.title")}</h2>
            <p>{i18n.t("launch.mismatch.explain")}</p>
            {comparison(&i18n, &answer)}
            <div class="launch-actions">
                <button data-testid="launch-confirm" on:click=confirm disabled=move || busy.get()>
                    {i18n.t("launch.mismatch.confirm")}
                </button>
                <button data-testid="launch-leave" on:click=leave>{i18n.t("launch.mismatch.leave")}</button>
            </div>
            {move || failed.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
        </section>
    }
}

#[component]
pub fn LaunchPage(id: String, route: RwSignal<Route>) -> impl IntoView {
    let i18n = use_i18n();
    let retry = RwSignal::new(0u32);
    let asked = id.clone();
    let decision = LocalResource::new(move || {
        retry.track();
        decide(asked.clone(), route)
    });
    let body = move || {
        let i18n = i18n.clone();
        let id = id.clone();
        decision.get().map(move |d| match d {
            Decision::Opened => ().into_any(),
            Decision::Mismatch(answer) => {
                view! { <MismatchWarning id=id answer=answer route=route retry=retry/> }.into_any()
            }
            other => {
                let (text, testid) = match other {
                    Decision::Opposition => (i18n.t("launch.opposition"), "launch-opposition"),
                    Decision::NoStudy => (i18n.t("launch.no_study"), "launch-no-study"),
                    Decision::Unknown => (i18n.t("launch.unknown_launch"), "launch-unknown"),
                    Decision::Failed(why) => (
                        format!("{} ({why})", i18n.t("launch.failed")),
                        "launch-failed",
                    ),
                    Decision::Opened | Decision::Mismatch(_) => return ().into_any(),
                };
                view! { <p class="error" role="alert" data-testid=testid>{text}</p> }.into_any()
            }
        })
    };
    let loading = use_i18n().t("launch.checking");
    view! {
        <section class="launch" data-testid="launch-page">
            <Transition fallback=move || view! { <p class="loading">{loading.clone()}</p> }>{body}</Transition>
        </section>
    }
}
