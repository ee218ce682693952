//! `?ins_of=<study>`: the studies of that study's patient across the region's establishments,
//! linked by the national identity (INS) alone, as the gateway finds them within the
//! clinician's reach (`GET /api/ins/studies`). One group per establishment and local ID, each
//! under the identity that establishment records; where two establishments record different
//! strict traits for one INS the page says so in plain words, above both identities, and the
//! groups stay apart.

use leptos::prelude::*;
use viewer_core::dicom_json::JsonDataset;
use viewer_core::study::StudySummary;

use crate::api;
use crate::i18n::{use_i18n, I18n};
use crate::national::{traits_born, traits_name};
use crate::portal_api::{self, Json};
use crate::route::{self, BackToList, Route, TimelineFilter};
use crate::timeline::{Timeline, TimelineGroup};

/// The gateway's answer, and the studies' summaries.
#[derive(Clone)]
enum Found {
    /// The study's images carry no valid INS (`invalid` when one does not check).
    NoIns { invalid: bool },
    Linked {
        groups: Vec<TimelineGroup>,
        differences: Vec<String>,
        complete: bool,
        studies: Vec<StudySummary>,
    },
}

/// A strict trait's name in the reader's language (the gateway's names, as `Trait` writes them).
fn trait_label(i18n: &I18n, name: &str) -> String {
    match name {
        "birth_name" | "first_given_name" | "birth_date" | "sex" | "birth_place" => {
            i18n.t(&format!("ins.trait.{name}"))
        }
        other => other.to_string(),
    }
}

fn group_of(i18n: &I18n, json: &Json) -> TimelineGroup {
    let traits = crate::launch::traits_of(json.get("traits"));
    let site = json
        .str("site_name")
        .or_else(|| json.str("issuer"))
        .unwrap_or_else(|| i18n.t("ins.no_site"));
    let id = json.str("patient_id").unwrap_or_default();
    TimelineGroup {
        title: i18n.f("ins.group", &[("site", &site), ("id", &id)]),
        identity: [traits_name(&traits), traits_born(i18n, &traits)]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(", "),
        site_id: json.str("site_id"),
        studies: json
            .get("studies")
            .map(|s| s.items().iter().filter_map(Json::as_str).collect())
            .unwrap_or_default(),
    }
}

async fn find(study: String, i18n: I18n) -> Result<Found, String> {
    let url = format!("/api/ins/studies?study_uid={}", route::encode(&study));
    let response = portal_api::get(&url).await.map_err(|e| e.to_string())?;
    if response.status() != 200 {
        return Err(format!("HTTP {}", response.status()));
    }
    let answer = portal_api::json_of(&response)
        .await
        .ok_or_else(|| "JSON".to_string())?;
    if answer.str("ins").is_none() {
        let invalid = answer.str("ins_problem").as_deref() == Some("invalid");
        return Ok(Found::NoIns { invalid });
    }
    let groups: Vec<TimelineGroup> = answer
        .get("groups")
        .map(|g| g.items().iter().map(|g| group_of(&i18n, g)).collect())
        .unwrap_or_default();
    let uids: Vec<String> = groups.iter().flat_map(|g| g.studies.clone()).collect();
    // One search for all of them (UID list matching), through the gateway's own rules.
    let fields: String = viewer_core::iid::STUDY_FIELDS
        .iter()
        .map(|t| format!("&includefield={t}"))
        .collect();
    let query = format!("StudyInstanceUID={}{fields}", uids.join(","));
    let rows: Vec<JsonDataset> = api::search_studies_matching(&query, None)
        .await
        .map_err(|e| format!("{e:?}"))?;
    let mut studies: Vec<StudySummary> = rows.iter().filter_map(StudySummary::from_qido).collect();
    StudySummary::sort_newest_first(&mut studies);
    Ok(Found::Linked {
        groups,
        differences: answer
            .get("differences")
            .map(|d| d.items().iter().filter_map(Json::as_str).collect())
            .unwrap_or_default(),
        complete: answer.bool("index_complete").unwrap_or(false),
        studies,
    })
}

/// The filter in force (from the patient record's launch), and the way to see every study.
fn filter_notice(
    i18n: &I18n,
    filter: &TimelineFilter,
    study: &str,
    route: RwSignal<Route>,
) -> Option<impl IntoView> {
    if filter.is_empty() {
        return None;
    }
    let date = |d: &str| viewer_core::text::format_da(d).unwrap_or_else(|| "…".into());
    let mut parts: Vec<String> = filter.modality.iter().cloned().collect();
    if let Some((from, to)) = &filter.dates {
        parts.push(format!("{} – {}", date(from), date(to)));
    }
    let text = i18n.f("ins.filtered", &[("filter", &parts.join(", "))]);
    let study = study.to_string();
    let all = move |_| {
        route::navigate(
            route,
            Route::National {
                study: study.clone(),
                filter: TimelineFilter::default(),
            },
        )
    };
    Some(view! {
        <p class="notice" data-testid="ins-filtered">
            {text} " "
            <button data-testid="ins-unfilter" on:click=all>{i18n.t("ins.unfilter")}</button>
        </p>
    })
}

#[component]
pub fn NationalTimeline(
    study: String,
    filter: TimelineFilter,
    route: RwSignal<Route>,
) -> impl IntoView {
    let i18n = use_i18n();
    let asked = study.clone();
    let for_find = i18n.clone();
    let found = LocalResource::new(move || find(asked.clone(), for_find.clone()));
    let body = move || {
        let i18n = i18n.clone();
        let (filter, study) = (filter.clone(), study.clone());
        found.get().map(move |result| match result {
            Err(e) => {
                let text = format!("{} ({e})", i18n.t("ins.timeline_failed"));
                view! { <p class="error" role="alert" data-testid="ins-timeline-error">{text}</p> }.into_any()
            }
            Ok(Found::NoIns { invalid }) => {
                let key = if invalid { "ins.invalid" } else { "ins.none" };
                view! { <p class="notice" data-testid="ins-none">{i18n.t(key)}</p> }.into_any()
            }
            Ok(Found::Linked { groups, differences, complete, mut studies }) => {
                let filtered = filter_notice(&i18n, &filter, &study, route);
                studies.retain(|s| filter.keeps(&s.modalities, s.study_date.as_deref()));
                let warning = (!differences.is_empty()).then(|| {
                    let list = differences
                        .iter()
                        .map(|d| trait_label(&i18n, d))
                        .collect::<Vec<_>>()
                        .join(", ");
                    let text = i18n.f("ins.conflict", &[("traits", &list)]);
                    view! { <p class="ins-conflict" role="alert" data-testid="ins-conflict">{text}</p> }
                });
                let partial = (!complete).then(|| {
                    view! { <p class="notice" data-testid="ins-partial">{i18n.t("ins.index_partial")}</p> }
                });
                view! {
                    <p class="notice">{i18n.t("ins.linked_by")}</p>
                    {warning}
                    {partial}
                    {filtered}
                    <Timeline studies=studies route=route groups=groups/>
                }
                .into_any()
            }
        })
    };
    let loading = use_i18n().t("viewer.loading");
    view! {
        <section class="national-timeline" data-testid="national-timeline">
            <BackToList route=route/>
            <Transition fallback=move || view! { <p class="loading">{loading.clone()}</p> }>{body}</Transition>
        </section>
    }
}
