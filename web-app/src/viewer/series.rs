//! A cell's series: its metadata loaded and sorted into display sets, then a viewport on its
//! images, or what it holds instead; and the cell taking a series dropped on it.

use std::collections::HashMap;
use std::rc::Rc;

use leptos::prelude::*;
use viewer_core::dicom_json::JsonDataset;
use viewer_core::display_set::{display_sets, DisplaySet};
use viewer_core::study::{image_stack, SeriesSummary};
use viewer_core::Limits;

use super::display_sets::DisplaySetCards;
use super::{FileIdentities, SeriesRef};
use crate::api::{self, ApiError};
use crate::failure::Failure;
use crate::i18n::use_i18n;
use crate::layout::Grid;
use crate::stack::Stack;
use crate::viewport::{Identity, Viewport};

/// What a series holds, once its metadata is read.
#[derive(Clone)]
pub(super) enum Loaded {
    /// Its images, ordered, ready for a viewport (and the patient and study they name,
    /// which a new report about them copies).
    Images(
        Rc<Stack>,
        Box<FileIdentity>,
        Option<Rc<viewer_core::sr_write::StudyContext>>,
    ),
    /// No image: its display sets say what it holds instead (with the series' metadata).
    Other(Vec<DisplaySet>, Rc<Vec<JsonDataset>>),
}

/// The patient as the instances themselves name them. A server's study index may lose what
/// its files hold (Orthanc 1.10 drops non-Latin names from QIDO-RS answers), so the
/// viewport's identity comes from the metadata when it has one.
#[derive(Clone, Default)]
pub(super) struct FileIdentity {
    patient_name: Option<String>,
    patient_id: Option<String>,
    birth_date: Option<String>,
    sex: Option<String>,
    issuer: Option<String>,
    national: Option<viewer_core::identity::PatientIdentity>,
    /// The files' own study (a key image of another study, another archive's, says its own).
    study_date: Option<String>,
    study_description: Option<String>,
}

impl FileIdentity {
    fn of(ds: Option<&JsonDataset>) -> Self {
        let text = |tag| ds.and_then(|d| d.string(tag)).filter(|v| !v.is_empty());
        FileIdentity {
            patient_name: ds.and_then(|d| d.person_name(viewer_core::tags::PATIENT_NAME)),
            patient_id: text(viewer_core::tags::PATIENT_ID),
            birth_date: text(viewer_core::tags::PATIENT_BIRTH_DATE),
            sex: text(viewer_core::tags::PATIENT_SEX),
            issuer: text(viewer_core::tags::ISSUER_OF_PATIENT_ID),
            national: ds.map(viewer_core::identity::PatientIdentity::of_dataset),
            study_date: text(viewer_core::tags::STUDY_DATE),
            study_description: text(viewer_core::tags::STUDY_DESCRIPTION),
        }
    }

    /// `identity` with what the files say in place of the index's values.
    pub(super) fn over(&self, identity: Identity) -> Identity {
        Identity {
            patient_name: self.patient_name.clone().unwrap_or(identity.patient_name),
            patient_id: self.patient_id.clone().unwrap_or(identity.patient_id),
            birth_date: self.birth_date.clone().or(identity.birth_date),
            sex: self.sex.clone().or(identity.sex),
            issuer: self.issuer.clone().or(identity.issuer),
            national: self.national.clone().or(identity.national),
            study_date: self.study_date.clone().or(identity.study_date),
            study_description: self
                .study_description
                .clone()
                .or(identity.study_description),
            ..identity
        }
    }
}

/// Loads a series' metadata and sorts its instances into display sets; the image sets form
/// the stack a viewport shows.
pub(super) async fn load_series(
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
    let file_identity = Box::new(FileIdentity::of(metadata.first()));
    let context = metadata
        .first()
        .and_then(|ds| viewer_core::sr_write::StudyContext::from_json(ds).ok())
        .map(Rc::new);
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
        Loaded::Images(Stack::new(study, series, images), file_identity, context)
    })
}

/// Drag-and-drop type carrying a study and a series UID (`study/series`) from the series list.
pub(super) const SERIES_DRAG_TYPE: &str = "application/x-dicom-series-uid";

/// One cell of the grid: takes a series dropped on it, and shows its series' viewport.
#[component]
pub(super) fn GridCell(
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
            class:hidden=move || !grid.visible(cell)
            class:active=move || grid.active.get() == cell
            on:pointerdown=move |_| grid.active.set(cell)
            on:dragover=|ev: leptos::ev::DragEvent| ev.prevent_default()
            on:drop=on_drop>
            <SeriesViewport selected=selected identities=identities series=series cell=cell/>
        </div>
    }
}

#[component]
pub(super) fn SeriesViewport(
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
            Ok(Some(Loaded::Images(stack, file_identity, context))) => {
                if let (Some(store), Some(context)) =
                    (use_context::<crate::annotations::Annotations>(), context)
                {
                    store.know_study(&stack.study, (*context).clone());
                }
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
                // The reformats sit beside the cell's viewport, which stays (hidden) with its
                // state and keeps the stack's frames coming; they are made when asked for and
                // dropped with their volume when put away.
                let grid = use_context::<Grid>();
                let mpr_shown = move || grid.is_some_and(|g| g.mpr.get() && g.active.get() == cell);
                let mpr_stack = send_wrapper::SendWrapper::new(Rc::clone(&stack));
                let mpr_identity = identity.clone();
                view! {
                    <div class="cell-viewport" class:hidden=mpr_shown>
                        <Viewport stack=stack identity=identity cell=cell/>
                    </div>
                    <Show when=mpr_shown>
                        <crate::mpr::MprLayout stack=Rc::clone(&mpr_stack)
                            identity=mpr_identity.clone()/>
                    </Show>
                }
                .into_any()
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
