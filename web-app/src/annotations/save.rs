//! Saving to the PACS: each study's annotations as a new TID 1500 measurement report and its
//! key images as a new key object selection, both through STOW-RS, each replacing (as its
//! predecessor) the document it was read from.

use leptos::prelude::*;
use leptos::task::spawn_local;
use viewer_core::annotation::Annotation;
use viewer_core::sr_write::key_objects::{key_object_selection, KEY_OBJECT_SELECTION};
use viewer_core::sr_write::measurement_report::{measurement_report, Finding, COMPREHENSIVE_SR};
use viewer_core::sr_write::{ImageInSeries, NewDocument, Predecessor};

use super::{random_uid, Annotations, Read};
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
    /// Saved; `true` when a document the reader emptied stays in the PACS.
    Saved(bool),
    Failed(String),
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

/// A document just written, as the next save names it.
fn written(doc: &NewDocument, sop_class_uid: &str) -> Predecessor {
    Predecessor {
        series_instance_uid: doc.series_instance_uid.clone(),
        sop_class_uid: sop_class_uid.into(),
        sop_instance_uid: doc.sop_instance_uid.clone(),
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

/// The documents to write; `kept` is set when a study's last report or selection must stay
/// in the PACS although the reader removed everything from it.
fn batches(
    store: &Annotations,
    i18n: &I18n,
    observer: &str,
    kept: &mut bool,
) -> Result<Vec<Batch>, String> {
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
            .filter(|d| {
                d.study == study && !d.foreign && !d.annotation.image.series_instance_uid.is_empty()
            })
            .enumerate()
            .map(|(i, d)| -> Result<Finding, String> {
                Ok(Finding {
                    annotation: Annotation {
                        label: d.annotation.label.clone().or_else(|| {
                            Some(i18n.f("annotation.label", &[("n", &(i + 1).to_string())]))
                        }),
                        // TID 1410/1501: every measurement group is tracked.
                        tracking_uid: match &d.annotation.tracking_uid {
                            Some(uid) => Some(uid.clone()),
                            None => Some(random_uid()?),
                        },
                        ..d.annotation.clone()
                    },
                    measurements: d.measurements.clone(),
                })
            })
            .collect::<Result<_, _>>()?;
        if findings.is_empty() && !before.reports.is_empty() {
            // No report can be empty, nor can DICOMweb delete one: the last report stays.
            *kept = true;
            batch.read.reports = before.reports.clone();
        }
        if !findings.is_empty() {
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
            batch.read.reports.push(written(&doc, COMPREHENSIVE_SR));
            batch.report_uid = Some(doc.sop_instance_uid);
        }
        let flagged: Vec<ImageInSeries> = keys
            .iter()
            .filter(|k| k.study == study)
            .map(|k| k.image.clone())
            .collect();
        if !flagged.is_empty() {
            let doc = document(KEY_IMAGES_SERIES_NUMBER, i18n.t("annotation.key_series"))?;
            let bytes = key_object_selection(context, &doc, &flagged).map_err(|e| e.to_string())?;
            batch.files.push(bytes);
            batch
                .read
                .selections
                .push(written(&doc, KEY_OBJECT_SELECTION));
            batch.selection_uid = Some(doc.sop_instance_uid);
        } else {
            // A selection cannot be empty: the one read stays until an image is flagged.
            if !before.selections.is_empty() {
                *kept = true;
            }
            batch.read.selections = before.selections.clone();
        }
        out.push(batch);
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
    if report_uid.is_some() {
        store.items.update(|items| {
            for d in items.iter_mut().filter(|d| d.study == study && !d.foreign) {
                d.source = report_uid.clone();
            }
        });
    }
    if selection_uid.is_some() {
        store.key_images.update(|keys| {
            for k in keys.iter_mut().filter(|k| k.study == study) {
                k.source = selection_uid.clone();
            }
        });
    }
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
            let mut kept = false;
            let revision = store.revision();
            let batches = match batches(&store, &i18n, &observer, &mut kept) {
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
                    if !batch.files.is_empty() {
                        if let Err(e) = api::store_instances(&batch.study, &batch.files).await {
                            status.set(Status::Failed(Failure::from(&e).message(&i18n)));
                            return;
                        }
                    }
                    stored(&store, batch);
                }
                // Changes made while the documents were on their way are still to be saved.
                store.saved_at(revision);
                status.set(Status::Saved(kept));
            });
        }
    };
    let text = {
        let i18n = i18n.clone();
        move || match status.get() {
            Status::Idle => None,
            Status::Saving => Some(i18n.t("annotation.saving")),
            Status::Saved(false) => Some(i18n.t("annotation.saved")),
            Status::Saved(true) => Some(i18n.t("annotation.saved_kept")),
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
        Status::Saved(_) => "saved",
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
