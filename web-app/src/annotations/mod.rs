//! The reader's annotations and key images on the open studies: drawn in the viewports, read
//! back from the studies' measurement reports and key object selections, and saved to the
//! PACS as new ones (`save`).
//!
//! One store per study page, in context. Viewports draw the annotations of the image they
//! show and add, move or delete them; the store remembers what changed since the last save.

mod leave;
mod save;

use std::collections::{HashMap, HashSet};

use leptos::prelude::*;
use viewer_core::annotation::{from_report, Annotation, Measurement};
use viewer_core::dicom_json::JsonDataset;
use viewer_core::presentation_state::PresentationState;
use viewer_core::sr_write::{ImageInSeries, Predecessor, StudyContext};
use viewer_core::study::SeriesSummary;

use crate::api;

pub use leave::{guard_page, may_leave, provide_unsaved_work};
pub use save::SaveButton;

/// A new UID (2.25 and 128 random bits from the browser's crypto).
pub(crate) fn random_uid() -> Result<String, String> {
    let mut bytes = [0u8; 16];
    web_sys::window()
        .and_then(|w| w.crypto().ok())
        .ok_or_else(|| "no crypto".to_string())?
        .get_random_values_with_u8_array(&mut bytes)
        .map_err(|_| "no random values".to_string())?;
    Ok(viewer_core::sr_write::uid_from_random(bytes))
}

/// One annotation as the page holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct Drawn {
    pub id: u64,
    pub study: String,
    pub annotation: Annotation,
    /// Its values, as last measured on its image.
    pub measurements: Vec<Measurement>,
    /// The report it was read from (SOP Instance UID); `None` when drawn on this page.
    pub source: Option<String>,
    /// Read from another system's report: shown, neither edited nor written again.
    pub foreign: bool,
}

/// A key image of a study.
#[derive(Debug, Clone, PartialEq)]
pub struct Flagged {
    pub study: String,
    pub image: ImageInSeries,
    /// The selection it was read from (SOP Instance UID); `None` when flagged on this page.
    pub source: Option<String>,
}

/// Documents of a study that the next save replaces (its reports or selections as read).
#[derive(Debug, Clone, Default, PartialEq)]
struct Read {
    reports: Vec<Predecessor>,
    selections: Vec<Predecessor>,
}

/// The page's annotations and key images.
#[derive(Clone, Copy)]
pub struct Annotations {
    pub items: RwSignal<Vec<Drawn>>,
    /// The annotation the reader picked (moved, deleted with the Delete key).
    pub selected: RwSignal<Option<u64>>,
    /// Images flagged as key images, in the order flagged.
    pub key_images: RwSignal<Vec<Flagged>>,
    /// Changes since the last save (or since the documents were read).
    pub unsaved: RwSignal<bool>,
    /// The studies those changes are in (only they are written on save).
    changed: RwSignal<HashSet<String>>,
    /// Counts changes, so a save knows whether more came while it ran.
    revision: StoredValue<u64>,
    next_id: StoredValue<u64>,
    read: RwSignal<HashMap<String, Read>>,
    contexts: RwSignal<HashMap<String, StudyContext>>,
    /// The studies' presentation states, newest first.
    pub states: RwSignal<Vec<std::sync::Arc<PresentationState>>>,
}

impl Annotations {
    pub fn new() -> Self {
        Annotations {
            items: RwSignal::new(Vec::new()),
            selected: RwSignal::new(None),
            key_images: RwSignal::new(Vec::new()),
            unsaved: RwSignal::new(false),
            changed: RwSignal::new(HashSet::new()),
            revision: StoredValue::new(0),
            next_id: StoredValue::new(1),
            read: RwSignal::new(HashMap::new()),
            contexts: RwSignal::new(HashMap::new()),
            states: RwSignal::new(Vec::new()),
        }
    }

    fn take_id(&self) -> u64 {
        let id = self.next_id.get_value();
        self.next_id.set_value(id + 1);
        id
    }

    /// Remembers the patient and study of `study`'s images (what a new document copies).
    pub fn know_study(&self, study: &str, context: StudyContext) {
        if self.contexts.with_untracked(|c| !c.contains_key(study)) {
            self.contexts.update(|c| {
                c.insert(study.to_string(), context);
            });
        }
    }

    fn touch(&self, study: &str) {
        self.revision.update_value(|r| *r += 1);
        if self.changed.with_untracked(|c| !c.contains(study)) {
            self.changed.update(|c| {
                c.insert(study.to_string());
            });
        }
        self.unsaved.set(true);
    }

    fn study_of(&self, id: u64) -> Option<String> {
        self.items
            .with_untracked(|items| items.iter().find(|d| d.id == id).map(|d| d.study.clone()))
    }

    /// Adds a new annotation (given a Tracking Unique Identifier); returns its id.
    pub fn add(&self, study: &str, mut annotation: Annotation) -> u64 {
        if annotation.tracking_uid.is_none() {
            annotation.tracking_uid = random_uid().ok();
        }
        let id = self.take_id();
        self.items.update(|items| {
            items.push(Drawn {
                id,
                study: study.to_string(),
                annotation,
                measurements: Vec::new(),
                source: None,
                foreign: false,
            })
        });
        self.selected.set(Some(id));
        self.touch(study);
        id
    }

    /// Changes annotation `id` (its shape moved or edited).
    pub fn edit(&self, id: u64, change: impl FnOnce(&mut Annotation)) {
        self.items.update(|items| {
            if let Some(d) = items.iter_mut().find(|d| d.id == id) {
                change(&mut d.annotation);
            }
        });
        if let Some(study) = self.study_of(id) {
            self.touch(&study);
        }
    }

    /// Records the values measured on annotation `id` (not a change of the annotation).
    pub fn measured(&self, id: u64, measurements: Vec<Measurement>) {
        let same = self.items.with_untracked(|items| {
            items
                .iter()
                .find(|d| d.id == id)
                .is_none_or(|d| d.measurements == measurements)
        });
        if !same {
            self.items.update(|items| {
                if let Some(d) = items.iter_mut().find(|d| d.id == id) {
                    d.measurements = measurements;
                }
            });
        }
    }

    pub fn delete(&self, id: u64) {
        if let Some(study) = self.study_of(id) {
            self.touch(&study);
        }
        self.items.update(|items| items.retain(|d| d.id != id));
        if self.selected.get_untracked() == Some(id) {
            self.selected.set(None);
        }
    }

    /// Whether `image` is flagged as a key image.
    pub fn is_key(&self, image: &ImageInSeries) -> bool {
        self.key_images
            .with(|k| k.iter().any(|f| same_image(&f.image, image)))
    }

    /// Flags `image` of `study` as a key image, or unflags it.
    pub fn toggle_key(&self, study: &str, image: ImageInSeries) {
        self.key_images.update(|k| {
            if let Some(i) = k.iter().position(|f| same_image(&f.image, &image)) {
                k.remove(i);
            } else {
                k.push(Flagged {
                    study: study.to_string(),
                    image,
                    source: None,
                });
            }
        });
        self.touch(study);
    }

    /// The studies changed since the last save.
    pub(crate) fn changed_studies(&self) -> Vec<String> {
        let mut studies: Vec<String> = self.changed.get_untracked().into_iter().collect();
        studies.sort();
        studies
    }

    pub(crate) fn revision(&self) -> u64 {
        self.revision.get_value()
    }

    /// After a save of what was there at `revision`: nothing left to write, unless the reader
    /// changed something since.
    pub(crate) fn saved_at(&self, revision: u64) {
        if self.revision.get_value() == revision {
            self.changed.set(HashSet::new());
            self.unsaved.set(false);
        }
    }

    /// The newest presentation state for frame `frame` (1-based) of image `sop`.
    pub fn state_for(&self, sop: &str, frame: u32) -> Option<std::sync::Arc<PresentationState>> {
        self.states
            .with(|s| s.iter().find(|p| p.applies_to(sop, frame)).cloned())
    }

    /// Reads the measurement reports, key object selections and presentation states of the
    /// open studies. Of this viewer's reports, those no other report replaces; of its
    /// selections, the newest; other systems' reports and selections are shown, not rewritten
    /// (rejection notes are not key images).
    pub async fn read_documents(self, studies: Vec<(String, Vec<SeriesSummary>)>) {
        for (study, series) in studies {
            let mut documents: Vec<(String, JsonDataset)> = Vec::new();
            for s in series
                .iter()
                .filter(|s| matches!(s.modality.as_deref(), Some("SR" | "KO" | "PR")))
            {
                if let Ok(metadata) =
                    api::series_metadata(&study, &s.series_instance_uid, None).await
                {
                    documents.extend(
                        metadata
                            .into_iter()
                            .map(|ds| (s.series_instance_uid.clone(), ds)),
                    );
                }
            }
            // The page may have gone while the documents came (its signals with it).
            if self.states.is_disposed() {
                return;
            }
            self.take_documents(&study, &documents);
        }
    }

    fn take_documents(&self, study: &str, documents: &[(String, JsonDataset)]) {
        use viewer_core::tags;
        let ours = |ds: &JsonDataset| {
            ds.string(tags::MANUFACTURER).as_deref() == Some(viewer_core::sr_write::MANUFACTURER)
        };
        // Every report any report replaces, whatever the order they come in.
        let replaced: HashSet<String> = documents
            .iter()
            .flat_map(|(_, ds)| predecessors(ds))
            .collect();
        let mut newest_selection: Option<(String, &str, &JsonDataset)> = None;
        for (series, ds) in documents {
            let (Some(class), Some(sop)) = (
                ds.string(tags::SOP_CLASS_UID),
                ds.string(tags::SOP_INSTANCE_UID),
            ) else {
                continue;
            };
            if let Some(state) = viewer_core::presentation_state::read(ds) {
                self.states.update(|s| {
                    s.push(std::sync::Arc::new(state));
                    s.sort_by(|a, b| b.created.cmp(&a.created));
                });
                continue;
            }
            let me = Predecessor {
                series_instance_uid: series.clone(),
                sop_class_uid: class.clone(),
                sop_instance_uid: sop.clone(),
            };
            if class == viewer_core::sr_write::key_objects::KEY_OBJECT_SELECTION {
                if is_rejection_note(ds) {
                    continue;
                }
                if ours(ds) {
                    let when = format!(
                        "{}{}",
                        ds.string(tags::CONTENT_DATE).unwrap_or_default(),
                        ds.string(tags::CONTENT_TIME).unwrap_or_default()
                    );
                    if newest_selection.as_ref().is_none_or(|(w, ..)| when > *w) {
                        newest_selection = Some((when, series, ds));
                    }
                } else {
                    self.take_selection(study, ds, None);
                }
                continue;
            }
            if replaced.contains(&sop) {
                continue;
            }
            let report = from_report(ds);
            if report.annotations.is_empty() {
                continue;
            }
            if let Ok(context) = StudyContext::from_json(ds) {
                self.know_study(study, context);
            }
            let own = ours(ds);
            if own {
                self.read
                    .update(|r| r.entry(study.to_string()).or_default().reports.push(me));
            }
            for read in report.annotations {
                let id = self.take_id();
                self.items.update(|items| {
                    items.push(Drawn {
                        id,
                        study: study.to_string(),
                        annotation: read.annotation,
                        measurements: read.measurements,
                        source: Some(sop.clone()),
                        foreign: !own,
                    })
                });
            }
        }
        if let Some((_, series, ds)) = newest_selection {
            self.take_selection(study, ds, Some(series));
        }
    }

    /// The images of a selection, flagged; `own_series` when it is this viewer's newest.
    fn take_selection(&self, study: &str, ds: &JsonDataset, own_series: Option<&str>) {
        use viewer_core::tags;
        let source = ds.string(tags::SOP_INSTANCE_UID);
        let images: Vec<Flagged> = viewer_core::kos::key_images(ds)
            .map(|k| k.images)
            .unwrap_or_default()
            .into_iter()
            .filter(|k| k.study_instance_uid == study)
            .map(|k| Flagged {
                study: study.to_string(),
                image: ImageInSeries {
                    series_instance_uid: k.series_instance_uid,
                    sop_class_uid: k.sop_class_uid,
                    sop_instance_uid: k.sop_instance_uid,
                    frame: k.frames.first().copied(),
                },
                source: source.clone(),
            })
            .collect();
        if let (Some(series), Some(sop)) = (own_series, source.clone()) {
            self.read.update(|r| {
                r.entry(study.to_string()).or_default().selections = vec![Predecessor {
                    series_instance_uid: series.to_string(),
                    sop_class_uid: viewer_core::sr_write::key_objects::KEY_OBJECT_SELECTION.into(),
                    sop_instance_uid: sop,
                }];
            });
        }
        self.key_images.update(|k| {
            for flagged in images {
                if !k.iter().any(|f| same_image(&f.image, &flagged.image)) {
                    k.push(flagged);
                }
            }
        });
    }
}

/// A key object selection titled as a rejection (PS3.16 CID 7011: 113001, 113037, 113038,
/// 113039): it names images withdrawn, not key images.
fn is_rejection_note(ds: &JsonDataset) -> bool {
    use viewer_core::tags;
    ds.items(tags::CONCEPT_NAME_CODE_SEQUENCE)
        .first()
        .is_some_and(|c| {
            c.string(tags::CODING_SCHEME_DESIGNATOR).as_deref() == Some("DCM")
                && matches!(
                    c.string(tags::CODE_VALUE).as_deref(),
                    Some("113001" | "113037" | "113038" | "113039")
                )
        })
}

/// SOP Instance UIDs of a document's Predecessor Documents Sequence.
fn predecessors(ds: &JsonDataset) -> Vec<String> {
    use viewer_core::tags;
    ds.items(tags::PREDECESSOR_DOCUMENTS_SEQUENCE)
        .iter()
        .flat_map(|study| study.items(tags::REFERENCED_SERIES_SEQUENCE))
        .flat_map(|series| series.items(tags::REFERENCED_SOP_SEQUENCE))
        .filter_map(|sop| sop.string(tags::REFERENCED_SOP_INSTANCE_UID))
        .collect()
}

fn same_image(a: &ImageInSeries, b: &ImageInSeries) -> bool {
    a.sop_instance_uid == b.sop_instance_uid && a.frame == b.frame
}
