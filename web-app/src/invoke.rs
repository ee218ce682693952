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
use crate::route::{BackToList, Route, MAX_COMPARED};
use crate::timeline::Timeline;
use crate::viewer::StudyView;

#[derive(Clone)]
enum Resolved {
    /// The studies to open; with their report first when the link comes from a report, and
    /// key images first when it asks for key images only.
    Studies(Vec<String>, bool, bool, Unopened),
    Patient(Vec<StudySummary>),
}

/// What a STUDY link named but the viewer does not open: not found (study UIDs and accession
/// numbers as written), and how many found studies are beyond the side-by-side limit.
#[derive(Clone, Default)]
struct Unopened {
    missing: Vec<String>,
    beyond_limit: usize,
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
    let unopened = Unopened {
        missing: request.missing(&studies),
        beyond_limit: studies.len().saturating_sub(MAX_COMPARED),
    };
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
            unopened,
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

/// Above the studies opened: those the link named that were not found, and those beyond the
/// side-by-side limit.
fn unopened_notice(i18n: &I18n, unopened: &Unopened) -> Option<impl IntoView> {
    let mut lines = Vec::new();
    if !unopened.missing.is_empty() {
        let list = unopened.missing.join(", ");
        lines.push(i18n.n(
            "iid.some_not_found",
            unopened.missing.len(),
            &[("list", &list)],
        ));
    }
    if unopened.beyond_limit > 0 {
        let limit = MAX_COMPARED.to_string();
        lines.push(i18n.n(
            "iid.beyond_limit",
            unopened.beyond_limit,
            &[("max", &limit)],
        ));
    }
    (!lines.is_empty()).then(|| {
        view! {
            <div class="notice invoke-unopened" role="status" data-testid="invoke-unopened">
                {lines.into_iter().map(|l| view! { <p>{l}</p> }).collect_view()}
            </div>
        }
    })
}

#[component]
pub fn InvokePage(query: String, route: RwSignal<Route>) -> impl IntoView {
    let i18n = use_i18n();
    let resolved = LocalResource::new(move || resolve(query.clone()));
    let loading = i18n.clone();
    let body = move || {
        let i18n = i18n.clone();
        resolved.get().map(move |result| match result {
            Ok(Resolved::Studies(studies, report_first, key_images_first, unopened)) => view! {
                {unopened_notice(&i18n, &unopened)}
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
                // A clinician's way on: the study list (a share session never reaches here).
                view! {
                    <section class="invoke-error" data-testid="invoke-error" data-kind=kind role="alert">
                        <h1>{i18n.t("iid.title")}</h1>
                        <p>{error_text(&i18n, &e)}</p>
                        <BackToList route=route/>
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
