//! `/IHEInvokeImageDisplay`: a link from the patient record (IHE IID, or the DRIMbox report
//! link) resolved to studies. STUDY opens them in the viewer (side by side when several);
//! PATIENT opens the patient's timeline, filtered as the link asks. A link that cannot be
//! followed says why on a page of its own, never with an empty viewer.

use leptos::prelude::*;
use viewer_core::iid::{parse_query, IidError, IidMismatch, IidRequest};
use viewer_core::study::StudySummary;

use crate::api::{self, ApiError};
use crate::failure::Failure;
use crate::i18n::{use_i18n, I18n};
use crate::route::{Route, MAX_COMPARED};
use crate::timeline::Timeline;
use crate::viewer::StudyView;

#[derive(Clone)]
enum Resolved {
    /// The studies to open; with their report first when the link comes from a report, and
    /// key images first when it asks for key images only.
    Studies(Vec<String>, bool, bool),
    Patient(Vec<StudySummary>),
}

#[derive(Clone)]
enum InvokeError {
    Link(IidError),
    Mismatch(IidMismatch),
    Server(ApiError),
}

async fn resolve(query: String) -> Result<Resolved, InvokeError> {
    let request = parse_query(&query).map_err(InvokeError::Link)?;
    let mut found = Vec::new();
    for q in request.qido_queries() {
        found.extend(
            api::search_studies_matching(&q, None)
                .await
                .map_err(InvokeError::Server)?,
        );
    }
    let studies = request.select(&found).map_err(InvokeError::Mismatch)?;
    let report_first = request.options().report_document_id.is_some();
    let key_images_first = request.options().key_images_only;
    Ok(match request {
        IidRequest::Study { .. } => Resolved::Studies(
            studies
                .into_iter()
                .take(MAX_COMPARED)
                .map(|s| s.study_instance_uid)
                .collect(),
            report_first,
            key_images_first,
        ),
        IidRequest::Patient { .. } => Resolved::Patient(studies),
    })
}

fn error_text(i18n: &I18n, error: &InvokeError) -> String {
    match error {
        InvokeError::Link(IidError::MissingRequestType) => i18n.t("iid.missing_request_type"),
        InvokeError::Link(IidError::UnknownRequestType) => i18n.t("iid.unknown_request_type"),
        InvokeError::Link(IidError::MissingPatientId) => {
            i18n.f("iid.missing", &[("param", "patientID")])
        }
        InvokeError::Link(IidError::MissingStudy) => {
            i18n.f("iid.missing", &[("param", "studyUID / accessionNumber")])
        }
        InvokeError::Link(
            IidError::Malformed(p) | IidError::Repeated(p) | IidError::TooMany(p),
        ) => i18n.f("iid.malformed", &[("param", p)]),
        InvokeError::Mismatch(IidMismatch::NotFound) => i18n.t("iid.not_found"),
        InvokeError::Mismatch(IidMismatch::OtherPatient) => i18n.t("iid.other_patient"),
        InvokeError::Mismatch(IidMismatch::BirthDate) => i18n.t("iid.birth_date"),
        InvokeError::Server(e) => i18n.f(
            "viewer.error",
            &[("error", &Failure::from(e).message(i18n))],
        ),
    }
}

#[component]
pub fn InvokePage(query: String, route: RwSignal<Route>) -> impl IntoView {
    let i18n = use_i18n();
    let resolved = LocalResource::new(move || resolve(query.clone()));
    let loading = i18n.clone();
    let body = move || {
        let i18n = i18n.clone();
        resolved.get().map(move |result| match result {
            Ok(Resolved::Studies(studies, report_first, key_images_first)) => view! {
                <StudyView studies=studies route=route report_first=report_first
                    key_images_first=key_images_first/>
            }
            .into_any(),
            Ok(Resolved::Patient(studies)) => {
                view! { <Timeline studies=studies route=route/> }.into_any()
            }
            Err(e) => {
                let kind = match &e {
                    InvokeError::Link(_) => "link",
                    InvokeError::Mismatch(IidMismatch::NotFound) => "not-found",
                    InvokeError::Mismatch(_) => "refused",
                    InvokeError::Server(_) => "server",
                };
                view! {
                    <section class="invoke-error" data-testid="invoke-error" data-kind=kind role="alert">
                        <h1>{i18n.t("iid.title")}</h1>
                        <p>{error_text(&i18n, &e)}</p>
                    </section>
                }
                .into_any()
            }
        })
    };
    view! {
        <Transition fallback=move || view! { <p class="loading">{loading.t("viewer.loading")}</p> }>
            {body.clone()}
        </Transition>
    }
}
