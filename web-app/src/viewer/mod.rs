//! The study page: who the studies belong to, their series, and a grid of viewports (1 to 4).
//! One study opens on its first image series; several (a comparison, or an IHE IID link
//! naming several) open side by side, the first image series of each in its own cell.
//!
//! - `series`: a cell's series: its metadata loaded, a viewport or what it holds instead;
//! - `series_list`: the series browser beside the grid;
//! - `display_sets`: what a series without images shows (reports, PDFs, key images, cards);
//! - `recipient`: a share's recipient's page (a patient, a GP): report, key images, images.

mod display_sets;
mod recipient;
mod series;
mod series_list;

pub use recipient::{RecipientView, ReportPage};

use std::collections::HashMap;
use std::rc::Rc;

use leptos::prelude::*;
use viewer_core::study::{SeriesSummary, StudySummary};

use crate::access::use_access;
use crate::api::{self, ApiError};
use crate::emergency::{EmergencyBanner, EmergencyOffer};
use crate::failure::Failure;
use crate::i18n::use_i18n;
use crate::layout::{Goto, Grid, GridToolbar, Layout, StudyTools, MAX_CELLS};
use crate::report::OpenInstance;
use crate::route::{BackToList, Route};
use crate::thumbnails::SeriesBrowser;
use crate::viewport::Identity;
use series::GridCell;
use series_list::SeriesList;

/// A series of one of the open studies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeriesRef {
    pub study: String,
    pub series: String,
    /// Only these instances (SOP Instance UIDs), e.g. a key object selection's images.
    pub only: Option<Vec<String>>,
}

#[derive(Clone)]
struct Opened {
    uid: String,
    study: Option<StudySummary>,
    series: Vec<SeriesSummary>,
}

async fn open_study(uid: String) -> Result<Opened, ApiError> {
    let controller = web_sys::AbortController::new().ok();
    let signal = controller.as_ref().map(|c| c.signal());
    // Both searches at once: one round trip before the series' metadata can be asked.
    let (study, series) = futures_util::future::join(
        api::find_study(&uid, signal.as_ref()),
        api::search_series(&uid, signal.as_ref()),
    )
    .await;
    let study = study?.as_ref().and_then(StudySummary::from_qido);
    let mut series: Vec<SeriesSummary> = series?
        .iter()
        .filter_map(SeriesSummary::from_qido)
        .collect();
    SeriesSummary::sort(&mut series);
    Ok(Opened { uid, study, series })
}

async fn open_studies(uids: Vec<String>) -> Result<Vec<Opened>, ApiError> {
    let mut opened = Vec::with_capacity(uids.len());
    for uid in uids {
        opened.push(open_study(uid).await?);
    }
    crate::timing::mark_once("study-opened");
    Ok(opened)
}

/// Report series first: structured reports, then documents (PDF).
fn report_rank(s: &SeriesSummary) -> Option<u8> {
    match s.modality.as_deref() {
        Some("SR") => Some(0),
        Some("DOC") => Some(1),
        _ => None,
    }
}

/// The series to fill cells with: with `report_first`, each study's report (SR, else PDF)
/// and then its images; otherwise the first image series of each study, then the others in
/// order (a study with none offers its first series, whose cards say what it holds).
fn fill_order(opened: &[Opened], report_first: bool, key_images_first: bool) -> Vec<SeriesRef> {
    if report_first || key_images_first {
        let mut order = Vec::new();
        for o in opened {
            let mut reports: Vec<&SeriesSummary> = o
                .series
                .iter()
                .filter(|s| report_rank(s).is_some())
                .collect();
            reports.sort_by_key(|s| report_rank(s));
            let reports = reports.into_iter().take(usize::from(report_first));
            // Key images (a KOS series) after the report, before all images.
            let key = o
                .series
                .iter()
                .filter(|s| s.modality.as_deref() == Some("KO"))
                .take(1);
            let images = o.series.iter().filter(|s| s.may_hold_images());
            order.extend(reports.chain(key).chain(images).map(|s| SeriesRef {
                study: o.uid.clone(),
                series: s.series_instance_uid.clone(),
                only: None,
            }));
        }
        if !order.is_empty() {
            return order;
        }
    }
    let refs = |o: &Opened, images: bool| -> Vec<SeriesRef> {
        o.series
            .iter()
            .filter(|s| !images || s.may_hold_images())
            .map(|s| SeriesRef {
                study: o.uid.clone(),
                series: s.series_instance_uid.clone(),
                only: None,
            })
            .collect()
    };
    let per_study: Vec<Vec<SeriesRef>> = opened
        .iter()
        .map(|o| {
            let images = refs(o, true);
            if images.is_empty() {
                refs(o, false).into_iter().take(1).collect()
            } else {
                images
            }
        })
        .collect();
    let firsts = per_study.iter().filter_map(|s| s.first().cloned());
    let rest = per_study.iter().flat_map(|s| s.iter().skip(1).cloned());
    firsts.chain(rest).collect()
}

/// A report's image link: the image's series goes into another cell (the grid becomes 1x2 if
/// it had one), at the cited image, and that cell becomes the active one.
fn open_instance(grid: Grid, slots: RwSignal<Vec<Option<SeriesRef>>>) -> OpenInstance {
    OpenInstance(Callback::new(
        move |(target, sop, frame): (SeriesRef, String, u32)| {
            let cells = grid.layout.get_untracked().cells();
            if cells == 1 {
                grid.layout.set(Layout::OneByTwo);
            }
            let cell = if cells == 1 {
                1
            } else {
                (grid.active.get_untracked() + 1) % cells
            };
            grid.goto.set(Some(Goto {
                series: target.series.clone(),
                sop_instance_uid: sop,
                frame,
            }));
            slots.update(|s| s[cell] = Some(target));
            grid.active.set(cell);
        },
    ))
}

/// A cell that appears empty (the layout grew) gets the next series of `order` not on
/// screen, or the first when all are.
fn fill_empty_cells(grid: Grid, slots: RwSignal<Vec<Option<SeriesRef>>>, order: Vec<SeriesRef>) {
    Effect::new(move |_| {
        let cells = grid.layout.get().cells();
        // Written only when a cell is empty: the others' series stay as they are.
        if slots.with_untracked(|s| s[..cells].iter().all(Option::is_some)) {
            return;
        }
        slots.update(|slots| {
            for cell in 0..cells {
                if slots[cell].is_none() {
                    let next = order
                        .iter()
                        .find(|r| !slots[..cells].contains(&Some((*r).clone())))
                        .or(order.first());
                    slots[cell] = next.cloned();
                }
            }
        });
    });
}

/// The study's bar: back to the list, and for one study the share and regional sharing
/// buttons (a share session reaches this one study only: none of these), save, key images
/// only; beside it, the banner of each study read through an emergency access.
fn study_bar(
    studies: &[String],
    route: RwSignal<Route>,
    slots: RwSignal<Vec<Option<SeriesRef>>>,
    grid: Grid,
    restricted: bool,
) -> (AnyView, Option<AnyView>) {
    let back = (!restricted).then(|| view! { <BackToList route=route/> });
    let share = (!restricted && studies.len() == 1)
        .then(|| studies.first().cloned())
        .flatten()
        .map(|study| {
            view! {
                <crate::exchange::OwnStudyActions study=study/>
            }
        });
    // Annotations and key images are saved by clinicians (a share only reads them).
    let save = (!restricted).then(|| view! { <crate::annotations::SaveButton/> });
    let key_only = view! { <KeyImagesOnly slots=slots grid=grid/> };
    let actions = view! { <div class="study-actions">{back}{share}{save}{key_only}</div> };
    let banners = (!restricted).then(|| {
        studies
            .iter()
            .map(|study| {
                view! {
                    <EmergencyBanner study=study.clone()/>
                    <crate::remote::RemoteSourceBanner study=study.clone()/>
                    <crate::exchange::ReceivedNote study=study.clone()/>
                }
            })
            .collect_view()
            .into_any()
    });
    (actions.into_any(), banners)
}

/// A study that could not be opened: why, and where it is out of reach (404), the emergency
/// access (for a clinician of a region's site).
fn study_error(i18n: &crate::i18n::I18n, e: &ApiError, offer_for: Option<String>) -> AnyView {
    let text = i18n.f(
        "viewer.error",
        &[("error", &Failure::from(e).message(i18n))],
    );
    let offer = offer_for
        .filter(|_| *e == ApiError::Status(404))
        .map(|study| view! { <EmergencyOffer study=study/> });
    view! {
        <p class="error" role="alert" data-testid="study-error">{text}</p>
        {offer}
    }
    .into_any()
}

#[component]
pub fn StudyView(
    studies: Vec<String>,
    route: RwSignal<Route>,
    /// The report (SR, else PDF) in the first cell, then key images, then the images.
    #[prop(optional)]
    report_first: bool,
    /// Key images (a key object selection) first.
    #[prop(optional)]
    key_images_first: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let count = studies.len();
    let uids = studies.clone();
    let opened = LocalResource::new(move || open_studies(uids.clone()));
    // The series of each cell of the grid.
    let slots = RwSignal::new(vec![None::<SeriesRef>; MAX_CELLS]);
    let grid = Grid::new();
    grid.layout.set(match count {
        0 | 1 => Layout::One,
        2 => Layout::OneByTwo,
        _ => Layout::TwoByTwo,
    });
    provide_context(grid);
    provide_context(FileIdentities(RwSignal::new(HashMap::new())));
    let annotations = crate::annotations::Annotations::new();
    provide_context(annotations);
    crate::annotations::guard_page(annotations);
    provide_context(open_instance(grid, slots));

    let access = use_access();
    let restricted = untrack(|| access.is_share());
    let (actions, emergency_banners) = study_bar(&studies, route, slots, grid, restricted);
    let offer_for = (!restricted && count == 1)
        .then(|| studies.first().cloned())
        .flatten();

    let body = move || {
        let i18n = i18n.clone();
        let offer_for = offer_for.clone();
        opened.get().map(move |result| match result {
            Err(e) => study_error(&i18n, &e, offer_for.clone()),
            Ok(opened) => {
                // The studies' own measurement reports and key images, drawn again.
                leptos::task::spawn_local(annotations.read_documents(
                    opened.iter().map(|o| (o.uid.clone(), o.series.clone())).collect(),
                ));
                let mut order = fill_order(&opened, report_first, key_images_first);
                // A link to a series of the study: that series in the first cell.
                if let Some(wanted) = crate::route::requested_series() {
                    if let Some(at) = order.iter().position(|r| r.series == wanted) {
                        let first = order.remove(at);
                        order.insert(0, first);
                    }
                }
                // A report with images beside it: two cells.
                if report_first
                    && count == 1
                    && order.len() > 1
                    && grid.layout.get_untracked() == Layout::One
                {
                    grid.layout.set(Layout::OneByTwo);
                }
                fill_empty_cells(grid, slots, order);
                // Thumbnails in list order, the image series only.
                let browser = SeriesBrowser::start(
                    opened
                        .iter()
                        .flat_map(|o| {
                            o.series
                                .iter()
                                .filter(|s| s.may_hold_images())
                                .map(|s| (o.uid.clone(), s.series_instance_uid.clone()))
                        })
                        .collect(),
                );
                provide_context(browser);
                let identities: Rc<HashMap<String, Identity>> = Rc::new(
                    opened
                        .iter()
                        .map(|o| (o.uid.clone(), identity_of(o.study.as_ref())))
                        .collect(),
                );
                let series: Rc<HashMap<String, Vec<SeriesSummary>>> = Rc::new(
                    opened.iter().map(|o| (o.uid.clone(), o.series.clone())).collect(),
                );
                let banner = opened
                    .first()
                    .map(|o| (o.uid.clone(), identity_of(o.study.as_ref())));
                let identities = send_wrapper::SendWrapper::new(identities);
                let series = send_wrapper::SendWrapper::new(series);
                let cells = (0..MAX_CELLS)
                    .map(|cell| {
                        let identities = identities.clone();
                        let series = series.clone();
                        // A cell is made the first time the layout shows it, then kept (hidden
                        // while the layout leaves it out): a layout change keeps each cell's
                        // slice, window and zoom.
                        let made = Memo::new(move |before: Option<&bool>| {
                            before.copied().unwrap_or(false) || grid.visible(cell)
                        });
                        view! {
                            <Show when=move || made.get()>
                                <GridCell cell=cell slots=slots
                                    identities=(*identities).clone() series=(*series).clone()/>
                            </Show>
                        }
                    })
                    .collect_view();
                view! {
                    {banner.map(|(study, identity)| view! { <PatientBanner study=study identity=identity route=route/> })}
                    <GridToolbar grid=grid/>
                    <StudyTools grid=grid/>
                    <div class="study-layout">
                        <SeriesList opened=opened.clone() slots=slots browser=browser/>
                        <div class="grid" data-testid="grid"
                            data-layout=move || grid.shown_id()
                            style:grid-template-columns=move || format!("repeat({}, minmax(0, 1fr))", grid.shape().1)
                            style:grid-template-rows=move || format!("repeat({}, minmax(0, 1fr))", grid.shape().0)>
                            {cells}
                        </div>
                    </div>
                }
                .into_any()
            }
        })
    };
    let loading = use_i18n();
    view! {
        <section class="study" data-testid="study-view" data-studies=count.to_string()
            data-report-first=report_first.to_string()>
            {emergency_banners}
            {actions}
            <Transition fallback=move || view! { <p class="loading">{loading.t("viewer.loading")}</p> }>
                {body}
            </Transition>
        </section>
    }
}

/// "Key images only": the active cell shows the flagged images of the series holding most of
/// them (saved or just flagged), and shows what it had again when switched off.
#[component]
fn KeyImagesOnly(slots: RwSignal<Vec<Option<SeriesRef>>>, grid: Grid) -> impl IntoView {
    let i18n = use_i18n();
    let store = expect_context::<crate::annotations::Annotations>();
    let on = RwSignal::new(false);
    let before = StoredValue::new(None::<(usize, Option<SeriesRef>)>);
    let key_series = move || -> Option<SeriesRef> {
        store.key_images.with_untracked(|keys| {
            let count = |series: &str| {
                keys.iter()
                    .filter(|k| k.image.series_instance_uid == series)
                    .count()
            };
            let main = keys
                .iter()
                .max_by_key(|k| count(&k.image.series_instance_uid))?;
            Some(SeriesRef {
                study: main.study.clone(),
                series: main.image.series_instance_uid.clone(),
                only: Some(
                    keys.iter()
                        .filter(|k| k.image.series_instance_uid == main.image.series_instance_uid)
                        .map(|k| k.image.sop_instance_uid.clone())
                        .collect(),
                ),
            })
        })
    };
    let toggle = move |_| {
        if on.get_untracked() {
            if let Some((cell, previous)) = before.get_value() {
                slots.update(|s| s[cell] = previous);
            }
            on.set(false);
        } else if let Some(keys) = key_series() {
            let cell = grid.active.get_untracked();
            before.set_value(Some((cell, slots.with_untracked(|s| s[cell].clone()))));
            slots.update(|s| s[cell] = Some(keys));
            on.set(true);
        }
    };
    let shown = move || on.get() || store.key_images.with(|k| !k.is_empty());
    move || {
        let i18n = i18n.clone();
        shown().then(move || {
            view! {
                <button type="button" data-testid="key-images-only"
                    aria-pressed=move || on.get().to_string() on:click=toggle>
                    {move || i18n.t("annotation.key_only")}
                </button>
            }
        })
    }
}

fn identity_of(study: Option<&StudySummary>) -> Identity {
    Identity {
        patient_name: study
            .and_then(|s| s.patient_name.clone())
            .unwrap_or_default(),
        patient_id: study.and_then(|s| s.patient_id.clone()).unwrap_or_default(),
        birth_date: study.and_then(|s| s.patient_birth_date.clone()),
        sex: study.and_then(|s| s.patient_sex.clone()),
        study_date: study.and_then(|s| s.study_date.clone()),
        study_description: study.and_then(|s| s.description.clone()),
        series_description: None,
        issuer: study.and_then(|s| s.issuer_of_patient_id.clone()),
        national: None,
    }
}

/// What the files of each study say of their patient, once a series of it is loaded.
#[derive(Clone, Copy)]
struct FileIdentities(RwSignal<HashMap<String, Identity>>);

#[component]
fn PatientBanner(study: String, identity: Identity, route: RwSignal<Route>) -> impl IntoView {
    let i18n = use_i18n();
    let FileIdentities(files) = expect_context::<FileIdentities>();
    let shown = {
        let study = study.clone();
        move || {
            files
                .with(|f| f.get(&study).cloned())
                .unwrap_or_else(|| identity.clone())
        }
    };
    // With a national identity in the files: its strict traits first (`national`).
    let body = move || {
        let identity = shown();
        let national = identity.national.as_ref().and_then(|n| {
            crate::national::national_banner(
                n,
                &identity.patient_name,
                &identity.patient_id,
                identity.issuer.as_deref(),
                (study.clone(), route),
            )
        });
        national.unwrap_or_else(|| {
            let born = crate::viewport::born_and_sex(&i18n, &identity);
            view! {
                <strong>{identity.patient_name.clone()}</strong>
                <span>{identity.patient_id.clone()}</span>
                <span>{born}</span>
            }
            .into_any()
        })
    };
    view! {
        <header class="patient-banner" data-testid="patient-banner">{body}</header>
    }
}
