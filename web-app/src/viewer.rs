//! The study page: who the studies belong to, their series, and a grid of viewports (1 to 4).
//! One study opens on its first image series; several (a comparison, or an IHE IID link
//! naming several) open side by side, the first image series of each in its own cell.

use std::collections::HashMap;
use std::rc::Rc;

use leptos::prelude::*;
use viewer_core::dicom_json::JsonDataset;
use viewer_core::display_set::{display_sets, DisplaySet, DisplaySetKind};
use viewer_core::kos::{key_images, KeyImages};
use viewer_core::study::{image_stack, SeriesSummary, StudySummary};
use viewer_core::Limits;

use crate::api::{self, ApiError};
use crate::failure::Failure;
use crate::i18n::use_i18n;
use crate::layout::{Goto, Grid, GridToolbar, Layout, MAX_CELLS};
use crate::report::{OpenInstance, PdfDocument, SrReport};
use crate::route::{navigate, Route};
use crate::stack::Stack;
use crate::thumbnails::{SeriesBrowser, SeriesThumbnail};
use crate::viewport::{Identity, Viewport};

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
    Ok(Opened { uid, study, series })
}

async fn open_studies(uids: Vec<String>) -> Result<Vec<Opened>, ApiError> {
    let mut opened = Vec::with_capacity(uids.len());
    for uid in uids {
        opened.push(open_study(uid).await?);
    }
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

/// What a series holds, once its metadata is read.
#[derive(Clone)]
enum Loaded {
    /// Its images, ordered, ready for a viewport.
    Images(Rc<Stack>, FileIdentity),
    /// No image: its display sets say what it holds instead (with the series' metadata).
    Other(Vec<DisplaySet>, Rc<Vec<JsonDataset>>),
}

/// The patient as the instances themselves name them. A server's study index may lose what
/// its files hold (Orthanc 1.10 drops non-Latin names from QIDO-RS answers), so the
/// viewport's identity comes from the metadata when it has one.
#[derive(Clone, Default)]
struct FileIdentity {
    patient_name: Option<String>,
    patient_id: Option<String>,
    birth_date: Option<String>,
    sex: Option<String>,
}

impl FileIdentity {
    fn of(ds: Option<&JsonDataset>) -> Self {
        let text = |tag| ds.and_then(|d| d.string(tag)).filter(|v| !v.is_empty());
        FileIdentity {
            patient_name: ds.and_then(|d| d.person_name(viewer_core::tags::PATIENT_NAME)),
            patient_id: text(viewer_core::tags::PATIENT_ID),
            birth_date: text(viewer_core::tags::PATIENT_BIRTH_DATE),
            sex: text(viewer_core::tags::PATIENT_SEX),
        }
    }

    /// `identity` with what the files say in place of the index's values.
    fn over(&self, identity: Identity) -> Identity {
        Identity {
            patient_name: self.patient_name.clone().unwrap_or(identity.patient_name),
            patient_id: self.patient_id.clone().unwrap_or(identity.patient_id),
            birth_date: self.birth_date.clone().or(identity.birth_date),
            sex: self.sex.clone().or(identity.sex),
            ..identity
        }
    }
}

/// Loads a series' metadata and sorts its instances into display sets; the image sets form
/// the stack a viewport shows.
async fn load_series(
    study: String,
    series: String,
    only: Option<Vec<String>>,
) -> Result<Loaded, ApiError> {
    let mut metadata = api::series_metadata(&study, &series, None).await?;
    if let Some(only) = &only {
        metadata.retain(|ds| {
            ds.string(viewer_core::tags::SOP_INSTANCE_UID)
                .is_some_and(|sop| only.contains(&sop))
        });
    }
    let file_identity = FileIdentity::of(metadata.first());
    let sets = display_sets(&metadata);
    let image_instances: Vec<_> = sets
        .iter()
        .filter(|s| s.kind.is_image())
        .flat_map(|s| s.instances.iter().map(|&i| metadata[i].clone()))
        .collect();
    let images = image_stack(&image_instances, &Limits::default());
    Ok(if images.is_empty() {
        Loaded::Other(sets, Rc::new(metadata))
    } else {
        Loaded::Images(Stack::new(study, series, images), file_identity)
    })
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
    // A report's image link: the image's series goes into another cell (the grid becomes
    // 1x2 if it had one), at the cited image.
    provide_context(OpenInstance(Callback::new(
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
    )));

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
        opened.get().map(move |result| match result {
            Err(e) => {
                let text = i18n.f("viewer.error", &[("error", &Failure::from(&e).message(&i18n))]);
                view! { <p class="error" role="alert" data-testid="study-error">{text}</p> }.into_any()
            }
            Ok(opened) => {
                let order = fill_order(&opened, report_first, key_images_first);
                // A report with images beside it: two cells.
                if report_first
                    && count == 1
                    && order.len() > 1
                    && grid.layout.get_untracked() == Layout::One
                {
                    grid.layout.set(Layout::OneByTwo);
                }
                // A cell that appears empty gets the next series not on screen.
                Effect::new(move |_| {
                    let cells = grid.layout.get().cells();
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
                        view! {
                            <Show when=move || grid.visible(cell)>
                                <GridCell cell=cell slots=slots
                                    identities=(*identities).clone() series=(*series).clone()/>
                            </Show>
                        }
                    })
                    .collect_view();
                view! {
                    {banner.map(|(study, identity)| view! { <PatientBanner study=study identity=identity/> })}
                    <GridToolbar grid=grid/>
                    <div class="study-layout">
                        <SeriesList opened=opened.clone() slots=slots browser=browser/>
                        <div class="grid" data-testid="grid"
                            data-layout=move || grid.layout.get().id()
                            style:grid-template-columns=move || format!("repeat({}, minmax(0, 1fr))", grid.layout.get().grid().1)
                            style:grid-template-rows=move || format!("repeat({}, minmax(0, 1fr))", grid.layout.get().grid().0)>
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
        sex: study.and_then(|s| s.patient_sex.clone()),
        study_date: study.and_then(|s| s.study_date.clone()),
        study_description: study.and_then(|s| s.description.clone()),
        series_description: None,
    }
}

/// What the files of each study say of their patient, once a series of it is loaded.
#[derive(Clone, Copy)]
struct FileIdentities(RwSignal<HashMap<String, Identity>>);

#[component]
fn PatientBanner(study: String, identity: Identity) -> impl IntoView {
    let i18n = use_i18n();
    let FileIdentities(files) = expect_context::<FileIdentities>();
    let shown = move || {
        files
            .with(|f| f.get(&study).cloned())
            .unwrap_or_else(|| identity.clone())
    };
    let name = {
        let shown = shown.clone();
        move || shown().patient_name
    };
    let id = {
        let shown = shown.clone();
        move || shown().patient_id
    };
    let born = move || crate::viewport::born_and_sex(&i18n, &shown());
    view! {
        <header class="patient-banner" data-testid="patient-banner">
            <strong>{name}</strong>
            <span>{id}</span>
            <span>{born}</span>
        </header>
    }
}

/// Drag-and-drop type carrying a study and a series UID (`study/series`) from the series list.
const SERIES_DRAG_TYPE: &str = "application/x-dicom-series-uid";

/// One cell of the grid: takes a series dropped on it, and shows its series' viewport.
#[component]
fn GridCell(
    cell: usize,
    slots: RwSignal<Vec<Option<SeriesRef>>>,
    identities: Rc<HashMap<String, Identity>>,
    series: Rc<HashMap<String, Vec<SeriesSummary>>>,
) -> impl IntoView {
    let grid = expect_context::<Grid>();
    let selected = Signal::derive(move || slots.with(|s| s[cell].clone()));
    let on_drop = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        let dropped = ev
            .data_transfer()
            .and_then(|d| d.get_data(SERIES_DRAG_TYPE).ok())
            .and_then(|data| {
                let (study, series) = data.split_once('/')?;
                let is_uid = viewer_core::dicom_json::is_uid;
                (is_uid(study) && is_uid(series)).then(|| SeriesRef {
                    study: study.to_string(),
                    series: series.to_string(),
                    only: None,
                })
            });
        if let Some(dropped) = dropped {
            slots.update(|s| s[cell] = Some(dropped));
            grid.active.set(cell);
        }
    };
    view! {
        <div class="cell" data-testid="cell" data-cell=cell.to_string()
            class:active=move || grid.active.get() == cell
            on:pointerdown=move |_| grid.active.set(cell)
            on:dragover=|ev: leptos::ev::DragEvent| ev.prevent_default()
            on:drop=on_drop>
            <SeriesViewport selected=selected identities=identities series=series cell=cell/>
        </div>
    }
}

#[component]
fn SeriesList(
    opened: Vec<Opened>,
    slots: RwSignal<Vec<Option<SeriesRef>>>,
    browser: SeriesBrowser,
) -> impl IntoView {
    let i18n = use_i18n();
    let several = opened.len() > 1;
    let groups = opened
        .into_iter()
        .map(|o| {
            // With several studies, each group says which study it is (date, description).
            let heading = several.then(|| {
                let study = o.study.as_ref();
                let date = study
                    .and_then(|s| s.study_date.as_deref())
                    .and_then(viewer_core::text::format_da)
                    .unwrap_or_default();
                let description = study.and_then(|s| s.description.clone()).unwrap_or_default();
                view! { <li class="study-heading" data-testid="series-study">{format!("{date} {description}")}</li> }
            });
            let items = o
                .series
                .into_iter()
                .map(|s| series_item(&o.uid, s, slots, browser))
                .collect_view();
            view! { {heading} {items} }
        })
        .collect_view();
    view! {
        <nav class="series-list" aria-label=move || i18n.t("viewer.series")>
            <ul>{groups}</ul>
        </nav>
    }
}

fn series_item(
    study: &str,
    s: SeriesSummary,
    slots: RwSignal<Vec<Option<SeriesRef>>>,
    browser: SeriesBrowser,
) -> impl IntoView {
    let grid = expect_context::<Grid>();
    let this = SeriesRef {
        study: study.to_string(),
        series: s.series_instance_uid.clone(),
        only: None,
    };
    let uid = s.series_instance_uid.clone();
    let label = format!(
        "{} {} {}",
        s.series_number.map(|n| format!("#{n}")).unwrap_or_default(),
        s.modality.clone().unwrap_or_default(),
        s.description.clone().unwrap_or_default()
    );
    let count = s
        .instance_count
        .map(|n| format!("({n})"))
        .unwrap_or_default();
    let thumbnail = s
        .may_hold_images()
        .then(|| view! { <SeriesThumbnail series=uid.clone() browser=browser/> });
    let progress = {
        let uid = uid.clone();
        move || {
            browser
                .progress
                .with(|p| p.get(&uid).copied())
                .filter(|(loaded, total)| loaded < total)
                .map(|(loaded, total)| {
                    view! {
                        <progress data-testid="series-progress" max=total.to_string()
                            value=loaded.to_string()>{format!("{loaded}/{total}")}</progress>
                    }
                })
        }
    };
    let selected = {
        let this = this.clone();
        move || {
            let active = grid.active.get();
            slots.with(|s| s[active].as_ref() == Some(&this))
        }
    };
    let drag_data = format!("{}/{}", this.study, this.series);
    view! {
        <li>
            <button
                data-testid="series-item"
                draggable="true"
                class:selected=selected
                on:click=move |_| {
                    let active = grid.active.get_untracked();
                    slots.update(|s| s[active] = Some(this.clone()));
                }
                on:dragstart=move |ev: leptos::ev::DragEvent| {
                    if let Some(data) = ev.data_transfer() {
                        let _ = data.set_data(SERIES_DRAG_TYPE, &drag_data);
                    }
                }
            >
                {thumbnail}
                <span class="series-label">{label} " " {count}</span>
                // The bar's place is kept when it goes, so the list (and the grid beside or
                // below it) never changes size while series load.
                <span class="progress-slot">{progress}</span>
            </button>
        </li>
    }
}

#[component]
fn SeriesViewport(
    selected: Signal<Option<SeriesRef>>,
    identities: Rc<HashMap<String, Identity>>,
    series: Rc<HashMap<String, Vec<SeriesSummary>>>,
    cell: usize,
) -> impl IntoView {
    let i18n = use_i18n();
    let stack = LocalResource::new(move || {
        let selected = selected.get();
        async move {
            match selected {
                Some(r) => load_series(r.study, r.series, r.only).await.map(Some),
                None => Ok(None),
            }
        }
    });
    let identities = send_wrapper::SendWrapper::new(identities);
    let series = send_wrapper::SendWrapper::new(series);
    move || {
        let i18n = i18n.clone();
        let identities = identities.clone();
        let series = series.clone();
        stack.get().map(move |result| match result {
            Ok(Some(Loaded::Images(stack, file_identity))) => {
                let description = series
                    .get(&stack.study)
                    .and_then(|list| list.iter().find(|s| s.series_instance_uid == stack.series))
                    .and_then(|s| s.description.clone());
                let identity = file_identity.over(Identity {
                    series_description: description,
                    ..identities.get(&stack.study).cloned().unwrap_or_default()
                });
                if let Some(FileIdentities(files)) = use_context::<FileIdentities>() {
                    let banner = Identity {
                        series_description: None,
                        ..identity.clone()
                    };
                    if files.with_untracked(|f| f.get(&stack.study) != Some(&banner)) {
                        files.update(|f| {
                            f.insert(stack.study.clone(), banner);
                        });
                    }
                }
                view! { <Viewport stack=stack identity=identity cell=cell/> }.into_any()
            }
            Ok(Some(Loaded::Other(sets, metadata))) => {
                let (study, series) = selected
                    .get_untracked()
                    .map(|r| (r.study, r.series))
                    .unwrap_or_default();
                let identity = identities.get(&study).cloned().unwrap_or_default();
                view! {
                    <DisplaySetCards sets=sets metadata=metadata study=study series=series
                        identity=identity cell=cell/>
                }
                .into_any()
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

/// What a series without images holds: structured reports and PDFs shown as documents, other
/// objects as cards that say what they are.
#[component]
fn DisplaySetCards(
    sets: Vec<DisplaySet>,
    metadata: Rc<Vec<JsonDataset>>,
    study: String,
    series: String,
    identity: Identity,
    cell: usize,
) -> impl IntoView {
    let i18n = use_i18n();
    let cards = sets
        .into_iter()
        .map(|set| {
            let instances: Vec<JsonDataset> = set
                .instances
                .iter()
                .filter_map(|&i| metadata.get(i).cloned())
                .collect();
            match &set.kind {
                DisplaySetKind::StructuredReport => instances
                    .into_iter()
                    .map(|instance| view! { <SrReport instance=instance study=study.clone()/> })
                    .collect_view()
                    .into_any(),
                // The first selection's images, in a viewport of their own.
                DisplaySetKind::KeyObjectSelection
                    if instances.first().and_then(key_images).is_some() =>
                {
                    let selection = instances.first().and_then(key_images);
                    view! { <KeyImagesView selection=selection identity=identity.clone() cell=cell/> }
                        .into_any()
                }
                DisplaySetKind::EncapsulatedPdf => instances
                    .into_iter()
                    .map(|instance| {
                        view! { <PdfDocument study=study.clone() series=series.clone() instance=instance/> }
                    })
                    .collect_view()
                    .into_any(),
                kind => card(&i18n, kind, set.instances.len()).into_any(),
            }
        })
        .collect_view();
    view! { <div class="display-set-cards">{cards}</div> }
}

/// A key object selection's images: the series holding most of them, only those images.
#[component]
fn KeyImagesView(selection: Option<KeyImages>, identity: Identity, cell: usize) -> impl IntoView {
    let i18n = use_i18n();
    let main = selection.as_ref().and_then(KeyImages::main_series);
    let count = selection.as_ref().map_or(0, |s| s.images.len());
    let title = [
        selection.as_ref().and_then(|s| s.title.clone()),
        selection.as_ref().and_then(|s| s.description.clone()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" : ");
    let heading = i18n.f(
        "key_images.heading",
        &[("n", &count.to_string()), ("title", &title)],
    );
    let stack = LocalResource::new(move || {
        let main = main.clone();
        async move {
            let (study, series, sops) = main?;
            load_series(study, series, Some(sops)).await.ok()
        }
    });
    move || {
        let identity = identity.clone();
        let heading = heading.clone();
        stack.get().map(move |loaded| match loaded {
            Some(Loaded::Images(stack, file_identity)) => view! {
                <div class="key-images" data-testid="key-images">
                    <p class="key-images-heading">{heading}</p>
                    <Viewport stack=stack identity=file_identity.over(identity) cell=cell/>
                </div>
            }
            .into_any(),
            _ => view! { <p class="notice" data-testid="key-images-missing">{heading}</p> }
                .into_any(),
        })
    }
}

fn card(i18n: &crate::i18n::I18n, kind: &DisplaySetKind, count: usize) -> impl IntoView {
    let name = i18n.t(kind.catalog_key());
    let detail = match kind {
        DisplaySetKind::Unsupported {
            sop_class_uid,
            name,
        } => Some(match name {
            Some(name) => format!("{name} ({sop_class_uid})"),
            None => sop_class_uid.clone(),
        }),
        _ => None,
    };
    let count = i18n.f("display_set.instances", &[("n", &count.to_string())]);
    let kind_id = kind.catalog_key().trim_start_matches("display_set.");
    view! {
        <article class="display-set-card" data-testid="display-set-card" data-kind=kind_id>
            <h3>{name}</h3>
            <p>{count}</p>
            {detail.map(|d| view! { <p class="detail">{d}</p> })}
            <p class="notice">{i18n.t("display_set.not_shown_yet")}</p>
        </article>
    }
}
