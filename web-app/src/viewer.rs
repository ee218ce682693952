//! The study page: who the study belongs to, its series, and the viewport showing the first
//! image series (or the one picked).

use std::rc::Rc;

use leptos::prelude::*;
use viewer_core::study::{image_stack, SeriesSummary, StudySummary};
use viewer_core::Limits;

use crate::api::{self, ApiError};
use crate::failure::Failure;
use crate::i18n::use_i18n;
use crate::route::{navigate, Route};
use crate::stack::Stack;
use crate::viewport::{Identity, Viewport};

#[derive(Clone)]
struct Opened {
    study: Option<StudySummary>,
    series: Vec<SeriesSummary>,
}

async fn open_study(uid: String) -> Result<Opened, ApiError> {
    let controller = web_sys::AbortController::new().ok();
    let signal = controller.as_ref().map(|c| c.signal());
    let study = api::find_study(&uid, signal.as_ref())
        .await?
        .as_ref()
        .and_then(StudySummary::from_qido);
    let mut series: Vec<SeriesSummary> = api::search_series(&uid, signal.as_ref())
        .await?
        .iter()
        .filter_map(SeriesSummary::from_qido)
        .collect();
    SeriesSummary::sort(&mut series);
    Ok(Opened { study, series })
}

/// Loads a series' metadata and orders its images; `None` when it holds no image.
async fn load_stack(study: String, series: String) -> Result<Option<Rc<Stack>>, ApiError> {
    let metadata = api::series_metadata(&study, &series, None).await?;
    let images = image_stack(&metadata, &Limits::default());
    Ok((!images.is_empty()).then(|| Stack::new(study, series, images)))
}

#[component]
pub fn StudyView(study_instance_uid: String, route: RwSignal<Route>) -> impl IntoView {
    let i18n = use_i18n();
    let uid = study_instance_uid.clone();
    let opened = LocalResource::new(move || open_study(uid.clone()));
    let selected = RwSignal::new(None::<String>);

    let back = {
        let i18n = i18n.clone();
        view! {
            <button class="back" data-testid="back" on:click=move |_| navigate(route, Route::Studies)>
                {move || i18n.t("viewer.back")}
            </button>
        }
    };

    let body = move || {
        let i18n = i18n.clone();
        let study_uid = study_instance_uid.clone();
        opened.get().map(move |result| match result {
            Err(e) => {
                let text = i18n.f("viewer.error", &[("error", &Failure::from(&e).message(&i18n))]);
                view! { <p class="error" role="alert" data-testid="study-error">{text}</p> }.into_any()
            }
            Ok(Opened { study, series }) => {
                let first_image = series.iter().find(|s| s.may_hold_images()).map(|s| s.series_instance_uid.clone());
                if selected.get_untracked().is_none() {
                    selected.set(first_image);
                }
                let identity = identity_of(study.as_ref());
                view! {
                    <PatientBanner identity=identity.clone()/>
                    <div class="study-layout">
                        <SeriesList series=series.clone() selected=selected/>
                        <SeriesViewport study=study_uid.clone() selected=selected identity=identity series=series/>
                    </div>
                }
                .into_any()
            }
        })
    };
    let loading = use_i18n();
    view! {
        <section class="study" data-testid="study-view">
            {back}
            <Transition fallback=move || view! { <p class="loading">{loading.t("viewer.loading")}</p> }>
                {body}
            </Transition>
        </section>
    }
}

fn identity_of(study: Option<&StudySummary>) -> Identity {
    Identity {
        patient_name: study
            .and_then(|s| s.patient_name.clone())
            .unwrap_or_default(),
        patient_id: study.and_then(|s| s.patient_id.clone()).unwrap_or_default(),
        birth_date: study.and_then(|s| s.patient_birth_date.clone()),
        study_date: study.and_then(|s| s.study_date.clone()),
        study_description: study.and_then(|s| s.description.clone()),
        series_description: None,
    }
}

#[component]
fn PatientBanner(identity: Identity) -> impl IntoView {
    let i18n = use_i18n();
    let born = identity.birth_date.clone();
    view! {
        <header class="patient-banner" data-testid="patient-banner">
            <strong>{identity.patient_name.clone()}</strong>
            <span>{identity.patient_id.clone()}</span>
            <span>{move || born.as_deref().and_then(viewer_core::text::format_da).map(|d| i18n.f("patient.born", &[("date", &d)]))}</span>
        </header>
    }
}

#[component]
fn SeriesList(series: Vec<SeriesSummary>, selected: RwSignal<Option<String>>) -> impl IntoView {
    let i18n = use_i18n();
    let items = series
        .into_iter()
        .map(|s| {
            let uid = s.series_instance_uid.clone();
            let uid_for_class = uid.clone();
            let label = format!(
                "{} {} {}",
                s.series_number.map(|n| format!("#{n}")).unwrap_or_default(),
                s.modality.clone().unwrap_or_default(),
                s.description.clone().unwrap_or_default()
            );
            let count = s.instance_count.map(|n| format!("({n})")).unwrap_or_default();
            view! {
                <li>
                    <button
                        data-testid="series-item"
                        class:selected=move || selected.get().as_deref() == Some(uid_for_class.as_str())
                        on:click=move |_| selected.set(Some(uid.clone()))
                    >
                        {label} " " {count}
                    </button>
                </li>
            }
        })
        .collect_view();
    view! {
        <nav class="series-list" aria-label=move || i18n.t("viewer.series")>
            <ul>{items}</ul>
        </nav>
    }
}

#[component]
fn SeriesViewport(
    study: String,
    selected: RwSignal<Option<String>>,
    identity: Identity,
    series: Vec<SeriesSummary>,
) -> impl IntoView {
    let i18n = use_i18n();
    let stack = LocalResource::new(move || {
        let study = study.clone();
        let series = selected.get();
        async move {
            match series {
                Some(series) => load_stack(study, series).await,
                None => Ok(None),
            }
        }
    });
    move || {
        let i18n = i18n.clone();
        let identity = identity.clone();
        let series = series.clone();
        stack.get().map(move |result| match result {
            Ok(Some(stack)) => {
                let description = series
                    .iter()
                    .find(|s| s.series_instance_uid == stack.series)
                    .and_then(|s| s.description.clone());
                let identity = Identity {
                    series_description: description,
                    ..identity
                };
                view! { <Viewport stack=stack identity=identity/> }.into_any()
            }
            Ok(None) => {
                view! { <p class="notice" data-testid="no-images">{i18n.t("viewer.no_images")}</p> }
                    .into_any()
            }
            Err(e) => {
                let text = i18n.f(
                    "viewer.error",
                    &[("error", &Failure::from(&e).message(&i18n))],
                );
                view! { <p class="error" role="alert">{text}</p> }.into_any()
            }
        })
    }
}
