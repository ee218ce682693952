//! Saving to the PACS: each study's annotations as a new TID 1500 measurement report and its
//! key images as a new key object selection, both through STOW-RS, each replacing (as its
//! predecessor) the document it was read from.

use leptos::prelude::*;
use leptos::task::spawn_local;
use viewer_core::annotation::Annotation;
use viewer_core::sr_write::key_objects::{key_object_selection, KEY_OBJECT_SELECTION};
use viewer_core::sr_write::measurement_report::{measurement_report, Finding, COMPREHENSIVE_SR};
use viewer_core::sr_write::{uid_from_random, ImageInSeries, NewDocument, Predecessor};

use super::{Annotations, Read};
use crate::api;
use crate::failure::Failure;
use crate::i18n::{use_i18n, I18n};

/// Series numbers of the documents written here (high, out of the modality's range).
const MEASUREMENTS_SERIES_NUMBER: u32 = 9901;
const KEY_IMAGES_SERIES_NUMBER: u32 = 9902;

#[derive(Clone, PartialEq)]
enum Status {
    Idle,
    Saving,
    Saved,
    Failed(String),
}

fn random_uid() -> Result<String, String> {
    let mut bytes = [0u8; 16];
    web_sys::window()
        .and_then(|w| w.crypto().ok())
        .ok_or_else(|| "no crypto".to_string())?
        .get_random_values_with_u8_array(&mut bytes)
        .map_err(|_| "no random values".to_string())?;
    Ok(uid_from_random(bytes))
}

/// Local date `YYYYMMDD` and time `HHMMSS` now.
fn now() -> (String, String) {
    let d = js_sys::Date::new_0();
    (
        format!(
            "{:04}{:02}{:02}",
            d.get_full_year(),
            d.get_month() + 1,
            d.get_date()
        ),
        format!(
            "{:02}{:02}{:02}",
            d.get_hours(),
            d.get_minutes(),
            d.get_seconds()
        ),
    )
}

/// A name as a DICOM Person Name with one component (delimiters taken out).
fn person_name(name: &str) -> String {
    let clean: String = name
        .chars()
        .filter(|c| !matches!(c, '^' | '=' | '\\') && !c.is_control())
        .take(60)
        .collect();
    if clean.trim().is_empty() {
        "UNKNOWN".into()
    } else {
        clean.trim().to_string()
    }
}

/// The documents to store for one study, and what they will replace afterwards.
struct Batch {
    study: String,
    files: Vec<Vec<u8>>,
    read: Read,
    report_uid: Option<String>,
    selection_uid: Option<String>,
}

fn batches(store: &Annotations, i18n: &I18n, observer: &str) -> Result<Vec<Batch>, String> {
    let items = store.items.get_untracked();
    let keys = store.key_images.get_untracked();
    let read = store.read.get_untracked();
    let contexts = store.contexts.get_untracked();
    let studies = store.changed_studies();
    let (date, time) = now();
    let mut out = Vec::new();
    for study in studies {
        let context = contexts
            .get(&study)
            .ok_or_else(|| "study not loaded".to_string())?;
        let before = read.get(&study).cloned().unwrap_or_default();
        let document = |series_number, description: String| -> Result<NewDocument, String> {
            Ok(NewDocument {
                sop_instance_uid: random_uid()?,
                series_instance_uid: random_uid()?,
                series_number,
                series_description: description,
                content_date: date.clone(),
                content_time: time.clone(),
                observer_name: observer.to_string(),
                institution: None,
            })
        };
        let mut batch = Batch {
            study: study.clone(),
            files: Vec::new(),
            read: Read::default(),
            report_uid: None,
            selection_uid: None,
        };
        let findings: Vec<Finding> = items
            .iter()
            .filter(|d| d.study == study && !d.annotation.image.series_instance_uid.is_empty())
            .enumerate()
            .map(|(i, d)| Finding {
                annotation: Annotation {
                    label: d.annotation.label.clone().or_else(|| {
                        Some(i18n.f("annotation.label", &[("n", &(i + 1).to_string())]))
                    }),
                    ..d.annotation.clone()
                },
                measurements: d.measurements.clone(),
            })
            .collect();
        if !findings.is_empty() || !before.reports.is_empty() {
            let doc = document(MEASUREMENTS_SERIES_NUMBER, i18n.t("annotation.series"))?;
            let bytes = measurement_report(
                context,
                &doc,
                &findings,
                &before.reports,
                i18n.lang.get_untracked().code(),
            )
            .map_err(|e| e.to_string())?;
            batch.files.push(bytes);
            batch.read.reports.push(Predecessor {
                series_instance_uid: doc.series_instance_uid,
                sop_class_uid: COMPREHENSIVE_SR.into(),
                sop_instance_uid: doc.sop_instance_uid.clone(),
            });
            batch.report_uid = Some(doc.sop_instance_uid);
        }
        let flagged: Vec<ImageInSeries> = keys
            .iter()
            .filter(|k| k.study == study)
            .map(|k| k.image.clone())
            .collect();
        if !flagged.is_empty() {
            let doc = document(KEY_IMAGES_SERIES_NUMBER, i18n.t("annotation.key_series"))?;
            let bytes = key_object_selection(context, &doc, &flagged, &before.selections)
                .map_err(|e| e.to_string())?;
            batch.files.push(bytes);
            batch.read.selections.push(Predecessor {
                series_instance_uid: doc.series_instance_uid,
                sop_class_uid: KEY_OBJECT_SELECTION.into(),
                sop_instance_uid: doc.sop_instance_uid.clone(),
            });
            batch.selection_uid = Some(doc.sop_instance_uid);
        } else {
            // A selection cannot be empty: the one read stays until an image is flagged.
            batch.read.selections = before.selections.clone();
        }
        if !batch.files.is_empty() {
            out.push(batch);
        }
    }
    Ok(out)
}

/// After a study's documents are stored: they are what the next save replaces, and what the
/// page holds came from them.
fn stored(store: &Annotations, batch: Batch) {
    let Batch {
        study,
        read,
        report_uid,
        selection_uid,
        ..
    } = batch;
    store.items.update(|items| {
        for d in items.iter_mut().filter(|d| d.study == study) {
            d.source = report_uid.clone();
        }
    });
    store.key_images.update(|keys| {
        for k in keys.iter_mut().filter(|k| k.study == study) {
            k.source = selection_uid.clone();
        }
    });
    store.read.update(|r| {
        r.insert(study, read);
    });
}

/// "Save to the PACS": enabled when something changed; says what happened.
#[component]
pub fn SaveButton() -> impl IntoView {
    let i18n = use_i18n();
    let store = expect_context::<Annotations>();
    let access = crate::access::use_access();
    let status = RwSignal::new(Status::Idle);
    let on_click = {
        let i18n = i18n.clone();
        move |_| {
            if status.get_untracked() == Status::Saving {
                return;
            }
            let observer = person_name(&access.clinician().map(|c| c.name).unwrap_or_default());
            let batches = match batches(&store, &i18n, &observer) {
                Ok(b) => b,
                Err(e) => {
                    status.set(Status::Failed(e));
                    return;
                }
            };
            status.set(Status::Saving);
            let i18n = i18n.clone();
            spawn_local(async move {
                for batch in batches {
                    if let Err(e) = api::store_instances(&batch.study, &batch.files).await {
                        status.set(Status::Failed(Failure::from(&e).message(&i18n)));
                        return;
                    }
                    stored(&store, batch);
                }
                store.all_saved();
                status.set(Status::Saved);
            });
        }
    };
    let text = {
        let i18n = i18n.clone();
        move || match status.get() {
            Status::Idle => None,
            Status::Saving => Some(i18n.t("annotation.saving")),
            Status::Saved => Some(i18n.t("annotation.saved")),
            Status::Failed(e) => Some(i18n.f("annotation.save_failed", &[("error", &e)])),
        }
    };
    let label = {
        let i18n = i18n.clone();
        move || i18n.t("annotation.save")
    };
    let state = move || match status.get() {
        Status::Idle => "idle",
        Status::Saving => "saving",
        Status::Saved => "saved",
        Status::Failed(_) => "failed",
    };
    view! {
        <button type="button" class="save-annotations" data-testid="save-annotations"
            data-state=state
            disabled=move || !store.unsaved.get() || status.get() == Status::Saving
            on:click=on_click>{label}</button>
        <span class="save-status" role="status" data-testid="save-status">{text}</span>
    }
}
