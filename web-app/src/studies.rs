//! The study list (QIDO-RS): newest first, filtered as the user types.

use leptos::prelude::*;
use viewer_core::study::StudySummary;
use viewer_core::text::format_da;

use crate::api;
use crate::failure::Failure;
use crate::i18n::use_i18n;
use crate::local::LocalOpen;
use crate::route::{navigate, Route};

async fn load() -> Result<Vec<StudySummary>, api::ApiError> {
    let mut studies: Vec<StudySummary> = api::search_studies(None)
        .await?
        .iter()
        .filter_map(StudySummary::from_qido)
        .collect();
    StudySummary::sort_newest_first(&mut studies);
    Ok(studies)
}

fn matches(study: &StudySummary, filter: &str) -> bool {
    if filter.is_empty() {
        return true;
    }
    let needle = filter.to_lowercase();
    [
        &study.patient_name,
        &study.patient_id,
        &study.description,
        &study.accession_number,
    ]
    .into_iter()
    .flatten()
    .any(|field| field.to_lowercase().contains(&needle))
}

#[component]
pub fn StudyList(route: RwSignal<Route>) -> impl IntoView {
    let i18n = use_i18n();
    let studies = LocalResource::new(load);
    let filter = RwSignal::new(String::new());

    let rows = {
        let i18n = i18n.clone();
        move || {
            let i18n = i18n.clone();
            studies.get().map(move |result| match result {
                Err(e) => {
                    let text = i18n.f("studies.error", &[("error", &Failure::from(&e).message(&i18n))]);
                    view! { <p class="error" role="alert" data-testid="studies-error">{text}</p> }.into_any()
                }
                Ok(list) if list.is_empty() => {
                    view! { <p class="notice" data-testid="studies-empty">{i18n.t("studies.empty")}</p> }.into_any()
                }
                Ok(list) => {
                    let header = i18n.clone();
                    let visible = move || {
                        let f = filter.get();
                        list.iter().filter(|s| matches(s, &f)).cloned().collect::<Vec<_>>()
                    };
                    view! {
                        <table class="studies" data-testid="study-table">
                            <thead><tr>
                                <th>{header.t("col.patient")}</th>
                                <th>{header.t("col.patient_id")}</th>
                                <th>{header.t("col.date")}</th>
                                <th>{header.t("col.modality")}</th>
                                <th>{header.t("col.description")}</th>
                                <th>{header.t("col.images")}</th>
                            </tr></thead>
                            <tbody>
                                <For each=visible key=|s| s.study_instance_uid.clone() let:study>
                                    <StudyRow study=study route=route/>
                                </For>
                            </tbody>
                        </table>
                    }
                    .into_any()
                }
            })
        }
    };

    let placeholder = {
        let i18n = i18n.clone();
        move || i18n.t("studies.filter")
    };
    let title = {
        let i18n = i18n.clone();
        move || i18n.t("studies.title")
    };
    let loading = i18n.clone();
    view! {
        <section class="study-list" data-testid="study-list">
            <h1>{title}</h1>
            <input
                type="search"
                data-testid="study-filter"
                placeholder=placeholder
                prop:value=move || filter.get()
                on:input=move |ev| filter.set(event_target_value(&ev))
            />
            <Transition fallback=move || view! { <p class="loading">{loading.t("studies.loading")}</p> }>
                {rows.clone()}
            </Transition>
            <LocalOpen route=route/>
        </section>
    }
}

#[component]
fn StudyRow(study: StudySummary, route: RwSignal<Route>) -> impl IntoView {
    let uid = study.study_instance_uid.clone();
    let open = move |_| {
        navigate(
            route,
            Route::Study {
                study_instance_uid: uid.clone(),
            },
        )
    };
    let date = study
        .study_date
        .as_deref()
        .map(|d| format_da(d).unwrap_or_else(|| d.to_string()));
    view! {
        <tr class="study-row" data-testid="study-row" tabindex="0" on:click=open>
            <td>{study.patient_name.clone()}</td>
            <td data-testid="study-patient-id">{study.patient_id.clone()}</td>
            <td>{date}</td>
            <td>{study.modalities.join(", ")}</td>
            <td>{study.description.clone()}</td>
            <td>{study.instance_count.map(|n| n.to_string())}</td>
        </tr>
    }
}
