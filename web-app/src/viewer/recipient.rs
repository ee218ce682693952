//! A share's recipient (a patient, a GP), most often on a phone: one column that scrolls, in
//! the order they need it. Who runs the portal and how to reach them, who shared the study and
//! until when; the patient and the study; then the report (or that there is none yet), the key
//! images, and all the images, one series at a time. The viewports are simple ones
//! ([`crate::viewport::Simple`]): one finger moves through the images, two pinch, a double tap
//! resets, and the reading tools come only when asked for. A signed-in reader's report link
//! on a phone (`?report=`) gets the same column ([`ReportPage`]).

use std::collections::HashMap;
use std::rc::Rc;

use leptos::prelude::*;
use viewer_core::study::SeriesSummary;

use super::series::SeriesViewport;
use super::{identity_of, open_study, report_rank, Opened, SeriesRef, StudyView};
use crate::clock;
use crate::failure::Failure;
use crate::i18n::{use_i18n, I18n};
use crate::layout::{Goto, GotoRequests};
use crate::report::OpenInstance;
use crate::route::{BackToList, Route};
use crate::session::{Recipient, ShareAccess};
use crate::site::{site, Site};
use crate::thumbnails::{SeriesBrowser, SeriesThumbnail};
use crate::viewport::{born_and_sex, Identity, Simple};

/// Whether this browser has closed the gestures' hint (kept in local storage).
const HINT_SEEN_KEY: &str = "portal.recipient_hint_seen";

/// The series of the study by what the recipient reads in them.
#[derive(Debug, Clone, Default, PartialEq)]
struct Sections {
    /// Reports: structured reports first, then documents (PDF).
    reports: Vec<SeriesRef>,
    /// Key object selections.
    key_images: Vec<SeriesRef>,
    /// Series that may hold images, in the study's order.
    images: Vec<SeriesSummary>,
}

fn sections(opened: &Opened) -> Sections {
    let reference = |s: &SeriesSummary| SeriesRef {
        study: opened.uid.clone(),
        series: s.series_instance_uid.clone(),
        only: None,
    };
    let mut reports: Vec<&SeriesSummary> = opened
        .series
        .iter()
        .filter(|s| report_rank(s).is_some())
        .collect();
    reports.sort_by_key(|s| report_rank(s));
    Sections {
        reports: reports.into_iter().map(reference).collect(),
        key_images: opened
            .series
            .iter()
            .filter(|s| s.modality.as_deref() == Some("KO"))
            .map(reference)
            .collect(),
        images: opened
            .series
            .iter()
            .filter(|s| s.may_hold_images())
            .cloned()
            .collect(),
    }
}

/// The share session's study, for its recipient, under the notice that it is not for
/// diagnosis.
#[component]
pub fn RecipientView(share: ShareAccess) -> impl IntoView {
    let site = LocalResource::new(site);
    let patient = share.recipient != Some(Recipient::Gp);
    let study = share.study_uid.clone();
    view! {
        <div class="recipient" data-testid="shared-study"
            data-recipient=if patient { "patient" } else { "gp" }>
            <Header share=share site=site/>
            <RecipientBody study=study/>
        </div>
    }
}

/// A signed-in reader's report link (a GP, a ward clinician) on a phone: the report, the key
/// images and the images in one column, as a share's recipient reads them, with the way back
/// to the list and to the full workstation. Wider screens get the workstation, report first.
#[component]
pub fn ReportPage(study: String, route: RwSignal<Route>) -> impl IntoView {
    let narrow = window()
        .match_media("(max-width: 700px)")
        .ok()
        .flatten()
        .is_some_and(|m| m.matches());
    let workstation = RwSignal::new(!narrow);
    let i18n = use_i18n();
    move || {
        let study = study.clone();
        if workstation.get() {
            return view! { <StudyView studies=vec![study] route=route report_first=true/> }
                .into_any();
        }
        let label = {
            let i18n = i18n.clone();
            move || i18n.t("reader.workstation")
        };
        view! {
            <div class="recipient" data-testid="report-reader">
                <div class="reader-bar">
                    <BackToList route=route/>
                    <button type="button" data-testid="open-workstation" on:click=move |_| workstation.set(true)>
                        {label}
                    </button>
                </div>
                <RecipientBody study=study/>
            </div>
        }
        .into_any()
    }
}

/// The study in one column: the patient, the first-use hint, the report, the key images, and
/// all the images one series at a time, in simple viewports.
#[component]
fn RecipientBody(study: String) -> impl IntoView {
    // Its contexts (simple viewports among them) stay its own: a component shares its
    // parent's owner, and the workstation drawn in its place would otherwise find them.
    let owner = Owner::current().map_or_else(Owner::new, |o| o.child());
    let body = owner.with(|| recipient_body(study));
    leptos::tachys::reactive_graph::OwnedView::new_with_owner(body, owner)
}

fn recipient_body(study: String) -> impl IntoView {
    let i18n = use_i18n();
    provide_context(Simple {
        advanced: RwSignal::new(false),
    });
    let requests = GotoRequests(RwSignal::new(None));
    provide_context(requests);
    let annotations = crate::annotations::Annotations::new();
    provide_context(annotations);
    // The series shown under "all images"; a report's image link sets it.
    let shown = RwSignal::new(None::<SeriesRef>);
    let all_images = NodeRef::<leptos::html::Section>::new();
    provide_context(OpenInstance(Callback::new(
        move |(target, sop, frame): (SeriesRef, String, u32)| {
            requests.0.set(Some(Goto {
                series: target.series.clone(),
                sop_instance_uid: sop,
                frame,
            }));
            shown.set(Some(target));
            if let Some(section) = all_images.get_untracked() {
                section.scroll_into_view();
            }
        },
    )));
    let opened = LocalResource::new(move || open_study(study.clone()));

    let body = move || {
        let i18n = i18n.clone();
        opened.get().map(move |result| match result {
            Err(e) => {
                let text = i18n.f("viewer.error", &[("error", &Failure::from(&e).message(&i18n))]);
                view! { <p class="error" role="alert" data-testid="study-error">{text}</p> }.into_any()
            }
            Ok(opened) => {
                leptos::task::spawn_local(
                    annotations.read_documents(vec![(opened.uid.clone(), opened.series.clone())]),
                );
                let identity = identity_of(opened.study.as_ref());
                let sections = sections(&opened);
                if shown.get_untracked().is_none() {
                    shown.set(sections.images.first().map(|s| SeriesRef {
                        study: opened.uid.clone(),
                        series: s.series_instance_uid.clone(),
                        only: None,
                    }));
                }
                let identities = Rc::new(HashMap::from([(opened.uid.clone(), identity.clone())]));
                let series = Rc::new(HashMap::from([(opened.uid.clone(), opened.series.clone())]));
                let browser = SeriesBrowser::start(
                    sections
                        .images
                        .iter()
                        .map(|s| (opened.uid.clone(), s.series_instance_uid.clone()))
                        .collect(),
                );
                provide_context(browser);
                view! {
                    <PatientCard identity=identity.clone()/>
                    <Hint/>
                    <ReportSection reports=sections.reports identities=identities.clone() series=series.clone()/>
                    <KeyImagesSection key_images=sections.key_images identities=identities.clone() series=series.clone()/>
                    <section class="recipient-section" data-testid="recipient-all-images" node_ref=all_images>
                        <h2>{let i18n = i18n.clone(); move || i18n.t("recipient.all_images")}</h2>
                        <SeriesPicker study=opened.uid.clone() images=sections.images shown=shown browser=browser/>
                        <SeriesViewport selected=Signal::derive(move || shown.get())
                            identities=identities series=series cell=0/>
                    </section>
                }
                .into_any()
            }
        })
    };
    let loading = use_i18n();
    view! {
        <Transition fallback=move || view! { <p class="loading">{loading.t("viewer.loading")}</p> }>
            {body}
        </Transition>
    }
}

/// Who runs the portal and how to reach them; who shared the study, when, until when; and
/// that it is not for diagnosis.
#[component]
fn Header(share: ShareAccess, site: LocalResource<Site>) -> impl IntoView {
    let i18n = use_i18n();
    let site_name = {
        let i18n = i18n.clone();
        move || {
            site.get()
                .and_then(|s| s.name)
                .unwrap_or_else(|| i18n.t("recipient.site_unnamed"))
        }
    };
    let contact = move || {
        site.get().and_then(|s| s.contact).map(|c| {
            view! { <p class="site-contact" data-testid="site-contact">{c}</p> }
        })
    };
    let shared = {
        let i18n = i18n.clone();
        let by = share.shared_by.clone();
        let at = share.shared_at_s.map(clock::date);
        move || shared_line(&i18n, by.as_deref(), at.as_deref())
    };
    let until = clock::date_time(share.expires_at_s);
    let notice = {
        let i18n = i18n.clone();
        move || i18n.t("share.not_for_diagnosis")
    };
    let expiry = move || i18n.f("share.valid_until", &[("date", &until)]);
    view! {
        <header class="recipient-header" data-testid="recipient-header">
            <p class="site-name" data-testid="site-name">{site_name}</p>
            {contact}
            <p data-testid="shared-by">{shared}</p>
            <p class="not-for-diagnosis" role="note" data-testid="not-for-diagnosis">
                <strong>{notice}</strong>
                " "
                <span data-testid="share-expiry">{expiry}</span>
            </p>
        </header>
    }
}

/// "Shared with you by Dr X on 05/12/2026", with what is known.
fn shared_line(i18n: &I18n, by: Option<&str>, at: Option<&str>) -> String {
    match (by, at) {
        (Some(by), Some(at)) => i18n.f("recipient.shared_by_on", &[("name", by), ("date", at)]),
        (Some(by), None) => i18n.f("recipient.shared_by", &[("name", by)]),
        (None, Some(at)) => i18n.f("recipient.shared_on", &[("date", at)]),
        (None, None) => i18n.t("recipient.shared"),
    }
}

/// The patient and the study, in words.
#[component]
fn PatientCard(identity: Identity) -> impl IntoView {
    let i18n = use_i18n();
    let born = born_and_sex(&i18n, &identity);
    let study = [
        identity
            .study_date
            .as_deref()
            .and_then(viewer_core::text::format_da),
        identity.study_description.clone(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" · ");
    view! {
        <section class="patient-card" data-testid="patient-banner">
            <strong>{identity.patient_name.clone()}</strong>
            <span>{identity.patient_id.clone()}</span>
            {born.map(|b| view! { <span>{b}</span> })}
            <span data-testid="study-line">{study}</span>
        </section>
    }
}

/// How to move through the images, until this browser closes it once.
#[component]
fn Hint() -> impl IntoView {
    let i18n = use_i18n();
    let storage = || window().local_storage().ok().flatten();
    let seen = storage()
        .and_then(|s| s.get_item(HINT_SEEN_KEY).ok().flatten())
        .is_some();
    let open = RwSignal::new(!seen);
    let close = move |_| {
        if let Some(s) = storage() {
            let _ = s.set_item(HINT_SEEN_KEY, "1");
        }
        open.set(false);
    };
    let text = i18n.clone();
    move || {
        let text = text.clone();
        let ok = i18n.clone();
        open.get().then(move || {
            view! {
                <aside class="recipient-hint" data-testid="recipient-hint" role="note">
                    <p>{move || text.t("recipient.hint")}</p>
                    <button type="button" data-testid="recipient-hint-close" on:click=close>
                        {move || ok.t("recipient.hint_ok")}
                    </button>
                </aside>
            }
        })
    }
}

/// What each of `refs` holds (documents, key images), one after the other.
fn each_series(
    refs: Vec<SeriesRef>,
    identities: &Rc<HashMap<String, Identity>>,
    series: &Rc<HashMap<String, Vec<SeriesSummary>>>,
) -> impl IntoView {
    refs.into_iter()
        .map(|r| {
            view! {
                <SeriesViewport selected=Signal::stored(Some(r)) identities=identities.clone()
                    series=series.clone() cell=0/>
            }
        })
        .collect_view()
}

/// The report: each report series' documents, or that there is none yet.
#[component]
fn ReportSection(
    reports: Vec<SeriesRef>,
    identities: Rc<HashMap<String, Identity>>,
    series: Rc<HashMap<String, Vec<SeriesSummary>>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let none = reports.is_empty();
    let heading = i18n.clone();
    let documents = each_series(reports, &identities, &series);
    view! {
        <section class="recipient-section" data-testid="recipient-report">
            <h2>{move || heading.t("recipient.report")}</h2>
            {none.then(|| view! { <p class="notice" data-testid="no-report">{move || i18n.t("recipient.no_report")}</p> })}
            {documents}
        </section>
    }
}

/// The key images the radiologist chose, when there are some.
#[component]
fn KeyImagesSection(
    key_images: Vec<SeriesRef>,
    identities: Rc<HashMap<String, Identity>>,
    series: Rc<HashMap<String, Vec<SeriesSummary>>>,
) -> impl IntoView {
    let i18n = use_i18n();
    (!key_images.is_empty()).then(move || {
        let selections = each_series(key_images, &identities, &series);
        view! {
            <section class="recipient-section" data-testid="recipient-key-images">
                <h2>{move || i18n.t("recipient.key_images")}</h2>
                {selections}
            </section>
        }
    })
}

/// The image series as large buttons with their thumbnails; the one tapped is shown below.
#[component]
fn SeriesPicker(
    study: String,
    images: Vec<SeriesSummary>,
    shown: RwSignal<Option<SeriesRef>>,
    browser: SeriesBrowser,
) -> impl IntoView {
    let i18n = use_i18n();
    (images.len() > 1).then(move || {
        let items = images
            .into_iter()
            .map(|s| {
                let this = SeriesRef {
                    study: study.clone(),
                    series: s.series_instance_uid.clone(),
                    only: None,
                };
                let label = [s.modality.clone(), s.description.clone()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" · ");
                let count = s
                    .instance_count
                    .map(|n| i18n.n("recipient.images", n as usize, &[]));
                let selected = {
                    let series = this.series.clone();
                    move || shown.with(|r| r.as_ref().is_some_and(|r| r.series == series))
                };
                view! {
                    <li>
                        <button type="button" data-testid="recipient-series" class:selected=selected.clone()
                            aria-pressed=move || selected().to_string()
                            on:click=move |_| shown.set(Some(this.clone()))>
                            <SeriesThumbnail series=s.series_instance_uid.clone() browser=browser/>
                            <span>{label}</span>
                            <span class="count">{count}</span>
                        </button>
                    </li>
                }
            })
            .collect_view();
        view! { <ul class="recipient-series-list">{items}</ul> }
    })
}
