//! The reader's annotations and key images on the open studies: drawn in the viewports, read
//! back from the studies' measurement reports and key object selections, and saved to the
//! PACS as new ones (`save`).
//!
//! One store per study page, in context. Viewports draw the annotations of the image they
//! show and add, move or delete them; the store remembers what changed since the last save.

mod save;

use std::collections::{HashMap, HashSet};

use leptos::prelude::*;
use viewer_core::annotation::{from_report, Annotation, Measurement};
use viewer_core::dicom_json::JsonDataset;
use viewer_core::presentation_state::PresentationState;
use viewer_core::sr_write::{ImageInSeries, Predecessor, StudyContext};
use viewer_core::study::SeriesSummary;

use crate::api;

pub use save::SaveButton;

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
    next_id: StoredValue<u64>,
    read: RwSignal<HashMap<String, Read>>,
    /// Documents some document read replaces: not shown even when read later.
    superseded: RwSignal<HashSet<String>>,
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
            next_id: StoredValue::new(1),
            read: RwSignal::new(HashMap::new()),
            superseded: RwSignal::new(HashSet::new()),
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

    /// Adds a new annotation; returns its id.
    pub fn add(&self, study: &str, annotation: Annotation) -> u64 {
        let id = self.take_id();
        self.items.update(|items| {
            items.push(Drawn {
                id,
                study: study.to_string(),
                annotation,
                measurements: Vec::new(),
                source: None,
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

    /// After a save: nothing left to write.
    pub(crate) fn all_saved(&self) {
        self.changed.set(HashSet::new());
        self.unsaved.set(false);
    }

    /// The newest presentation state for frame `frame` (1-based) of image `sop`.
    pub fn state_for(&self, sop: &str, frame: u32) -> Option<std::sync::Arc<PresentationState>> {
        self.states
            .with(|s| s.iter().find(|p| p.applies_to(sop, frame)).cloned())
    }

    /// Reads the measurement reports, key object selections and presentation states of the
    /// open studies (for reports and selections, the latest of each chain: a document another
    /// replaces is skipped).
    pub async fn read_documents(self, studies: Vec<(String, Vec<SeriesSummary>)>) {
        for (study, series) in studies {
            for s in series
                .iter()
                .filter(|s| matches!(s.modality.as_deref(), Some("SR" | "KO" | "PR")))
            {
                let Ok(metadata) = api::series_metadata(&study, &s.series_instance_uid, None).await
                else {
                    continue;
                };
                self.take_documents(&study, &s.series_instance_uid, &metadata);
            }
        }
    }

    fn take_documents(&self, study: &str, series: &str, metadata: &[JsonDataset]) {
        use viewer_core::tags;
        for ds in metadata {
            let (Some(class), Some(sop)) = (
                ds.string(tags::SOP_CLASS_UID),
                ds.string(tags::SOP_INSTANCE_UID),
            ) else {
                continue;
            };
            let me = Predecessor {
                series_instance_uid: series.to_string(),
                sop_class_uid: class.clone(),
                sop_instance_uid: sop,
            };
            if let Some(state) = viewer_core::presentation_state::read(ds) {
                self.states.update(|s| {
                    s.push(std::sync::Arc::new(state));
                    s.sort_by(|a, b| b.created.cmp(&a.created));
                });
                continue;
            }
            let replaces = predecessors(ds);
            if class == viewer_core::sr_write::key_objects::KEY_OBJECT_SELECTION {
                let source = me.sop_instance_uid.clone();
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
                        source: Some(source.clone()),
                    })
                    .collect();
                self.merge(study, me, replaces, Kind::Selection, |store, replaced| {
                    store.key_images.update(|k| {
                        k.retain(|f| f.source.as_ref().is_none_or(|s| !replaced.contains(s)));
                        for flagged in images {
                            if !k.iter().any(|f| same_image(&f.image, &flagged.image)) {
                                k.push(flagged);
                            }
                        }
                    });
                });
                continue;
            }
            let report = from_report(ds);
            if report.annotations.is_empty() && report.replaces.is_empty() {
                continue;
            }
            if let Ok(context) = StudyContext::from_json(ds) {
                self.know_study(study, context);
            }
            let source = me.sop_instance_uid.clone();
            self.merge(study, me, replaces, Kind::Report, |store, replaced| {
                store.items.update(|items| {
                    items.retain(|d| d.source.as_ref().is_none_or(|s| !replaced.contains(s)));
                });
                for annotation in report.annotations {
                    let id = store.take_id();
                    store.items.update(|items| {
                        items.push(Drawn {
                            id,
                            study: study.to_string(),
                            annotation,
                            measurements: Vec::new(),
                            source: Some(source.clone()),
                        })
                    });
                }
            });
        }
    }

    /// Takes a document read from the PACS unless one read before replaces it; `apply` adds
    /// its content after dropping what the documents it replaces gave.
    fn merge(
        &self,
        study: &str,
        me: Predecessor,
        replaces: Vec<String>,
        kind: Kind,
        apply: impl FnOnce(&Self, &[String]),
    ) {
        if self
            .superseded
            .with_untracked(|s| s.contains(&me.sop_instance_uid))
        {
            return;
        }
        self.superseded
            .update(|s| s.extend(replaces.iter().cloned()));
        self.read.update(|r| {
            let entry = r.entry(study.to_string()).or_default();
            let list = match kind {
                Kind::Report => &mut entry.reports,
                Kind::Selection => &mut entry.selections,
            };
            list.retain(|p| !replaces.contains(&p.sop_instance_uid));
            list.push(me);
        });
        apply(self, &replaces);
    }
}

#[derive(Clone, Copy)]
enum Kind {
    Report,
    Selection,
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
