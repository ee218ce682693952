//! A series' instances turned into display sets, by SOP class: image stacks, multi-frame
//! images, structured reports, PDF documents, key object selections, presentation states,
//! and "unsupported" sets that still say what they are.
//!
//! Each kind of object has a handler ([`SopClassHandler`]); the first handler that accepts an
//! instance takes it. Adding a kind means adding a handler, not touching the others.

use dicom_core::dictionary::{UidDictionary, UidDictionaryEntry};
use dicom_dictionary_std::sop_class::StandardSopClassDictionary;
use dicom_dictionary_std::{tags, uids};

use crate::dicom_json::JsonDataset;

/// What a display set shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DisplaySetKind {
    /// Single-frame images of a series, one stack.
    ImageStack,
    /// One instance with several frames (cine loops, enhanced CT/MR, ultrasound clips).
    MultiFrame,
    StructuredReport,
    EncapsulatedPdf,
    KeyObjectSelection,
    PresentationState,
    /// Not displayable here: the SOP class UID and its standard name when known.
    Unsupported {
        sop_class_uid: String,
        name: Option<String>,
    },
}

impl DisplaySetKind {
    /// The message-catalog key of this kind's name.
    pub fn catalog_key(&self) -> &'static str {
        match self {
            DisplaySetKind::ImageStack => "display_set.images",
            DisplaySetKind::MultiFrame => "display_set.multi_frame",
            DisplaySetKind::StructuredReport => "display_set.sr",
            DisplaySetKind::EncapsulatedPdf => "display_set.pdf",
            DisplaySetKind::KeyObjectSelection => "display_set.kos",
            DisplaySetKind::PresentationState => "display_set.pr",
            DisplaySetKind::Unsupported { .. } => "display_set.unsupported",
        }
    }

    /// Whether the image viewport shows it.
    pub fn is_image(&self) -> bool {
        matches!(
            self,
            DisplaySetKind::ImageStack | DisplaySetKind::MultiFrame
        )
    }
}

/// A display set: its kind and the indices of its instances in the series' metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplaySet {
    pub kind: DisplaySetKind,
    pub instances: Vec<usize>,
}

/// One kind of object: which instances it takes and how it groups them.
pub trait SopClassHandler {
    fn accepts(&self, sop_class_uid: &str, ds: &JsonDataset) -> bool;
    /// Groups the accepted instances (indices into the series' metadata) into display sets.
    fn display_sets(&self, accepted: Vec<(usize, &JsonDataset)>) -> Vec<DisplaySet>;
}

const SR_PREFIX: &str = "1.2.840.10008.5.1.4.1.1.88.";
const KEY_OBJECT_SELECTION: &str = uids::KEY_OBJECT_SELECTION_DOCUMENT_STORAGE;
const ENCAPSULATED_PDF: &str = uids::ENCAPSULATED_PDF_STORAGE;
const PRESENTATION_STATE_PREFIX: &str = "1.2.840.10008.5.1.4.1.1.11.";

/// Instances of one kind, one display set per instance.
struct EachInstance {
    kind: DisplaySetKind,
    accepts: fn(&str) -> bool,
}

impl SopClassHandler for EachInstance {
    fn accepts(&self, sop_class_uid: &str, _: &JsonDataset) -> bool {
        (self.accepts)(sop_class_uid)
    }

    fn display_sets(&self, accepted: Vec<(usize, &JsonDataset)>) -> Vec<DisplaySet> {
        accepted
            .into_iter()
            .map(|(i, _)| DisplaySet {
                kind: self.kind.clone(),
                instances: vec![i],
            })
            .collect()
    }
}

/// Anything with pixel rows: single-frame images form one stack, each multi-frame instance
/// its own set.
struct Images;

impl SopClassHandler for Images {
    fn accepts(&self, _: &str, ds: &JsonDataset) -> bool {
        ds.uint(tags::ROWS).is_some()
    }

    fn display_sets(&self, accepted: Vec<(usize, &JsonDataset)>) -> Vec<DisplaySet> {
        let (multi, single): (Vec<_>, Vec<_>) = accepted
            .into_iter()
            .partition(|(_, ds)| ds.uint(tags::NUMBER_OF_FRAMES).unwrap_or(1) > 1);
        let mut sets = Vec::new();
        if !single.is_empty() {
            sets.push(DisplaySet {
                kind: DisplaySetKind::ImageStack,
                instances: single.into_iter().map(|(i, _)| i).collect(),
            });
        }
        sets.extend(multi.into_iter().map(|(i, _)| DisplaySet {
            kind: DisplaySetKind::MultiFrame,
            instances: vec![i],
        }));
        sets
    }
}

fn handlers() -> Vec<Box<dyn SopClassHandler>> {
    vec![
        Box::new(EachInstance {
            kind: DisplaySetKind::KeyObjectSelection,
            accepts: |uid| uid == KEY_OBJECT_SELECTION,
        }),
        Box::new(EachInstance {
            kind: DisplaySetKind::StructuredReport,
            accepts: |uid| uid.starts_with(SR_PREFIX),
        }),
        Box::new(EachInstance {
            kind: DisplaySetKind::EncapsulatedPdf,
            accepts: |uid| uid == ENCAPSULATED_PDF,
        }),
        Box::new(EachInstance {
            kind: DisplaySetKind::PresentationState,
            accepts: |uid| uid.starts_with(PRESENTATION_STATE_PREFIX),
        }),
        Box::new(Images),
    ]
}

/// The display sets of a series, image sets first, then documents, then the unsupported.
pub fn display_sets(metadata: &[JsonDataset]) -> Vec<DisplaySet> {
    let handlers = handlers();
    let mut accepted: Vec<Vec<(usize, &JsonDataset)>> = vec![Vec::new(); handlers.len()];
    let mut unsupported: Vec<DisplaySet> = Vec::new();
    for (i, ds) in metadata.iter().enumerate() {
        let sop_class = ds.string(tags::SOP_CLASS_UID).unwrap_or_default();
        match handlers.iter().position(|h| h.accepts(&sop_class, ds)) {
            Some(h) => accepted[h].push((i, ds)),
            None => unsupported.push(DisplaySet {
                kind: DisplaySetKind::Unsupported {
                    name: StandardSopClassDictionary
                        .by_uid(&sop_class)
                        .map(|e| e.name().to_string()),
                    sop_class_uid: sop_class,
                },
                instances: vec![i],
            }),
        }
    }
    let mut sets: Vec<DisplaySet> = handlers
        .iter()
        .zip(accepted)
        .filter(|(_, a)| !a.is_empty())
        .flat_map(|(h, a)| h.display_sets(a))
        .collect();
    sets.sort_by_key(|s| !s.kind.is_image());
    sets.extend(unsupported);
    sets
}

#[cfg(test)]
mod tests {
    use super::*;

    fn instance(sop_class: &str, rows: Option<u32>, frames: Option<u32>) -> JsonDataset {
        let mut json = format!(r#"{{"00080016":{{"vr":"UI","Value":["{sop_class}"]}}"#);
        if let Some(rows) = rows {
            json += &format!(r#","00280010":{{"vr":"US","Value":[{rows}]}}"#);
        }
        if let Some(frames) = frames {
            json += &format!(r#","00280008":{{"vr":"IS","Value":[{frames}]}}"#);
        }
        json += "}";
        JsonDataset::parse_array(&format!("[{json}]"))
            .expect("json")
            .remove(0)
    }

    #[test]
    fn a_ct_series_is_one_stack() {
        let ct = "1.2.840.10008.5.1.4.1.1.2";
        let series = [instance(ct, Some(512), None), instance(ct, Some(512), None)];
        assert_eq!(
            display_sets(&series),
            vec![DisplaySet {
                kind: DisplaySetKind::ImageStack,
                instances: vec![0, 1]
            }]
        );
    }

    #[test]
    fn documents_and_multi_frames_get_their_own_sets_and_the_rest_says_what_it_is() {
        let series = [
            instance("1.2.840.10008.5.1.4.1.1.88.11", None, None),
            instance("1.2.840.10008.5.1.4.1.1.3.1", Some(480), Some(30)),
            instance(ENCAPSULATED_PDF, None, None),
            instance(KEY_OBJECT_SELECTION, None, None),
            instance("1.2.840.10008.5.1.4.1.1.11.1", None, None),
            instance("1.2.840.10008.5.1.4.1.1.66", None, None),
        ];
        let kinds: Vec<DisplaySetKind> =
            display_sets(&series).into_iter().map(|s| s.kind).collect();
        assert_eq!(kinds[0], DisplaySetKind::MultiFrame);
        assert!(kinds.contains(&DisplaySetKind::StructuredReport));
        assert!(kinds.contains(&DisplaySetKind::EncapsulatedPdf));
        assert!(kinds.contains(&DisplaySetKind::KeyObjectSelection));
        assert!(kinds.contains(&DisplaySetKind::PresentationState));
        assert_eq!(
            kinds.last(),
            Some(&DisplaySetKind::Unsupported {
                sop_class_uid: "1.2.840.10008.5.1.4.1.1.66".into(),
                name: Some("Raw Data Storage".into()),
            })
        );
    }
}
