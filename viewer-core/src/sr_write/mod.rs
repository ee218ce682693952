//! New SR documents written by the viewer (PS3.3 A.35): the patient and study copied from
//! the images they are about, a new series and instance, the content tree, and the Part 10
//! bytes that STOW-RS sends. [`measurement_report`] writes TID 1500 measurement reports,
//! [`key_objects`] key object selections.
//!
//! UIDs are `2.25.` followed by a 128-bit random number (PS3.5 B.2); the caller draws the
//! random bytes, so this crate stays free of a random source and tests are reproducible.

mod content;
pub mod key_objects;
pub mod measurement_report;

use dicom_core::VR;
use dicom_dictionary_std::{tags, uids};
use dicom_object::{FileMetaTableBuilder, InMemDicomObject};

pub use content::Coded;
pub(crate) use content::{dcm, observer_context, sct, ucum, Item};
use content::{put_items, put_str, sop_reference};

use crate::dicom_json::JsonDataset;

/// Manufacturer (0008,0070) of the documents written here: how the viewer knows its own (the
/// ones a new save replaces) from other systems' (shown, never rewritten).
pub const MANUFACTURER: &str = "DICOM portal viewer";

/// Implementation Class UID of the files written here (under the 2.25 arc).
const IMPLEMENTATION_CLASS_UID: &str = "2.25.163830139421947285932174716327153016241";

/// A UID under the 2.25 arc from 16 random bytes (PS3.5 B.2: the number is a UUID).
pub fn uid_from_random(random: [u8; 16]) -> String {
    format!("2.25.{}", u128::from_be_bytes(random))
}

/// What could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The study the document is about has no usable Study Instance UID.
    #[error("the referenced study has no Study Instance UID")]
    NoStudy,
    /// Nothing to put in the document.
    #[error("the document would be empty")]
    Empty,
    /// A referenced image lacks a UID.
    #[error("a referenced image has no SOP Class or Instance UID")]
    BadReference,
    #[error("encoding the document failed: {0}")]
    Encode(String),
}

/// The patient and study of the images a new document is about, copied as their files hold
/// them (PS3.3 C.7.1.1 Patient, C.7.2.1 General Study): a document must land in the same
/// patient and study.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StudyContext {
    /// Person Name in its DICOM form (`^` components, `=` groups).
    pub patient_name: String,
    pub patient_id: String,
    pub issuer_of_patient_id: Option<String>,
    pub patient_birth_date: String,
    pub patient_sex: String,
    pub study_instance_uid: String,
    pub study_date: String,
    pub study_time: String,
    pub study_id: String,
    pub accession_number: String,
    pub referring_physician_name: String,
    pub specific_character_set: Option<String>,
}

impl StudyContext {
    /// The context of an image, from its WADO-RS metadata.
    pub fn from_json(ds: &JsonDataset) -> Result<Self, WriteError> {
        let text = |tag| ds.string(tag).unwrap_or_default();
        let study_instance_uid = text(tags::STUDY_INSTANCE_UID);
        if !crate::dicom_json::is_uid(&study_instance_uid) {
            return Err(WriteError::NoStudy);
        }
        Ok(StudyContext {
            patient_name: text(tags::PATIENT_NAME),
            patient_id: text(tags::PATIENT_ID),
            issuer_of_patient_id: ds
                .string(tags::ISSUER_OF_PATIENT_ID)
                .filter(|s| !s.is_empty()),
            patient_birth_date: text(tags::PATIENT_BIRTH_DATE),
            patient_sex: text(tags::PATIENT_SEX),
            study_instance_uid,
            study_date: text(tags::STUDY_DATE),
            study_time: text(tags::STUDY_TIME),
            study_id: text(tags::STUDY_ID),
            accession_number: text(tags::ACCESSION_NUMBER),
            referring_physician_name: text(tags::REFERRING_PHYSICIAN_NAME),
            specific_character_set: ds
                .strings(tags::SPECIFIC_CHARACTER_SET)
                .into_iter()
                .next()
                .filter(|s| !s.is_empty()),
        })
    }
}

/// The new document's own identity and time.
#[derive(Debug, Clone, PartialEq)]
pub struct NewDocument {
    pub sop_instance_uid: String,
    pub series_instance_uid: String,
    pub series_number: u32,
    pub series_description: String,
    /// Content Date `YYYYMMDD` and Time `HHMMSS` (local time of the author).
    pub content_date: String,
    pub content_time: String,
    /// Person Observer Name in DICOM form (`Family^Given`), the signed-in reader.
    pub observer_name: String,
    /// Institution of the author, when known.
    pub institution: Option<String>,
}

/// An image a document refers to, with the series it is in (for the evidence list).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageInSeries {
    pub series_instance_uid: String,
    pub sop_class_uid: String,
    pub sop_instance_uid: String,
    /// 1-based frame of a multi-frame image; `None` for a single-frame image (or all frames).
    pub frame: Option<u32>,
}

impl ImageInSeries {
    fn check(&self) -> Result<(), WriteError> {
        let ok = [
            &self.series_instance_uid,
            &self.sop_class_uid,
            &self.sop_instance_uid,
        ]
        .iter()
        .all(|u| crate::dicom_json::is_uid(u));
        ok.then_some(()).ok_or(WriteError::BadReference)
    }
}

/// Hierarchical SOP Instance Reference Macro (PS3.3 C.17.2.1): the instances, by series, of
/// the study `study_uid`.
fn evidence(study_uid: &str, images: &[ImageInSeries]) -> InMemDicomObject {
    let mut series_uids: Vec<&str> = Vec::new();
    for image in images {
        if !series_uids.contains(&image.series_instance_uid.as_str()) {
            series_uids.push(&image.series_instance_uid);
        }
    }
    let series_items = series_uids
        .into_iter()
        .map(|series| {
            let mut item = InMemDicomObject::new_empty();
            put_str(&mut item, tags::SERIES_INSTANCE_UID, VR::UI, series);
            let mut seen: Vec<&str> = Vec::new();
            let sops = images
                .iter()
                .filter(|i| i.series_instance_uid == series)
                .filter(|i| {
                    let new = !seen.contains(&i.sop_instance_uid.as_str());
                    seen.push(&i.sop_instance_uid);
                    new
                })
                .map(|i| {
                    sop_reference(&ImageInSeries {
                        frame: None,
                        ..i.clone()
                    })
                })
                .collect();
            put_items(&mut item, tags::REFERENCED_SOP_SEQUENCE, sops);
            item
        })
        .collect();
    let mut study = InMemDicomObject::new_empty();
    put_str(&mut study, tags::STUDY_INSTANCE_UID, VR::UI, study_uid);
    put_items(&mut study, tags::REFERENCED_SERIES_SEQUENCE, series_items);
    study
}

/// A previous document this one replaces: its series and instance in the same study.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Predecessor {
    pub series_instance_uid: String,
    pub sop_class_uid: String,
    pub sop_instance_uid: String,
}

/// The parts of a document that differ by kind (measurement report or key objects).
pub(crate) struct Body<'a> {
    pub sop_class_uid: &'a str,
    pub modality: &'a str,
    pub root: Item,
    pub template: &'a str,
    pub evidence: &'a [ImageInSeries],
    pub predecessors: &'a [Predecessor],
    /// SR Document General module (completion and verification flags); not for KOS.
    pub sr_flags: bool,
}

/// The whole Part 10 file: patient, study, series, equipment, document and content.
pub(crate) fn encode(
    context: &StudyContext,
    doc: &NewDocument,
    body: Body<'_>,
) -> Result<Vec<u8>, WriteError> {
    let mut obj = InMemDicomObject::new_empty();
    // UTF-8 throughout: names copied from a file in another repertoire keep their letters
    // (the JSON model already holds them decoded).
    put_str(&mut obj, tags::SPECIFIC_CHARACTER_SET, VR::CS, "ISO_IR 192");
    put_str(&mut obj, tags::SOP_CLASS_UID, VR::UI, body.sop_class_uid);
    put_str(
        &mut obj,
        tags::SOP_INSTANCE_UID,
        VR::UI,
        &doc.sop_instance_uid,
    );
    put_str(
        &mut obj,
        tags::INSTANCE_CREATION_DATE,
        VR::DA,
        &doc.content_date,
    );
    put_str(
        &mut obj,
        tags::INSTANCE_CREATION_TIME,
        VR::TM,
        &doc.content_time,
    );
    put_patient_and_study(&mut obj, context);
    put_series_and_equipment(&mut obj, doc, body.modality);
    put_document(&mut obj, context, doc, body);

    let file = obj
        .with_meta(
            FileMetaTableBuilder::new()
                // Explicit VR Little Endian: what every STOW-RS server accepts.
                .transfer_syntax(uids::EXPLICIT_VR_LITTLE_ENDIAN)
                .implementation_class_uid(IMPLEMENTATION_CLASS_UID),
        )
        .map_err(|e| WriteError::Encode(e.to_string()))?;
    let mut bytes = Vec::new();
    file.write_all(&mut bytes)
        .map_err(|e| WriteError::Encode(e.to_string()))?;
    Ok(bytes)
}

/// Patient and General Study modules, as the images have them.
fn put_patient_and_study(obj: &mut InMemDicomObject, context: &StudyContext) {
    put_str(obj, tags::PATIENT_NAME, VR::PN, &context.patient_name);
    put_str(obj, tags::PATIENT_ID, VR::LO, &context.patient_id);
    if let Some(issuer) = &context.issuer_of_patient_id {
        put_str(obj, tags::ISSUER_OF_PATIENT_ID, VR::LO, issuer);
    }
    put_str(
        obj,
        tags::PATIENT_BIRTH_DATE,
        VR::DA,
        &context.patient_birth_date,
    );
    put_str(obj, tags::PATIENT_SEX, VR::CS, &context.patient_sex);
    put_str(
        obj,
        tags::STUDY_INSTANCE_UID,
        VR::UI,
        &context.study_instance_uid,
    );
    put_str(obj, tags::STUDY_DATE, VR::DA, &context.study_date);
    put_str(obj, tags::STUDY_TIME, VR::TM, &context.study_time);
    put_str(obj, tags::STUDY_ID, VR::SH, &context.study_id);
    put_str(
        obj,
        tags::ACCESSION_NUMBER,
        VR::SH,
        &context.accession_number,
    );
    put_str(
        obj,
        tags::REFERRING_PHYSICIAN_NAME,
        VR::PN,
        &context.referring_physician_name,
    );
}

/// The document's own series, and the viewer as the equipment that made it.
fn put_series_and_equipment(obj: &mut InMemDicomObject, doc: &NewDocument, modality: &str) {
    put_str(obj, tags::MODALITY, VR::CS, modality);
    put_str(
        obj,
        tags::SERIES_INSTANCE_UID,
        VR::UI,
        &doc.series_instance_uid,
    );
    put_str(
        obj,
        tags::SERIES_NUMBER,
        VR::IS,
        &doc.series_number.to_string(),
    );
    put_str(
        obj,
        tags::SERIES_DESCRIPTION,
        VR::LO,
        &doc.series_description,
    );
    put_str(obj, tags::SERIES_DATE, VR::DA, &doc.content_date);
    put_str(obj, tags::SERIES_TIME, VR::TM, &doc.content_time);
    put_items(
        obj,
        tags::REFERENCED_PERFORMED_PROCEDURE_STEP_SEQUENCE,
        Vec::new(),
    );
    // Equipment: the viewer made this object.
    put_str(obj, tags::MANUFACTURER, VR::LO, MANUFACTURER);
    if let Some(institution) = &doc.institution {
        put_str(obj, tags::INSTITUTION_NAME, VR::LO, institution);
    }
    put_str(
        obj,
        tags::SOFTWARE_VERSIONS,
        VR::LO,
        env!("CARGO_PKG_VERSION"),
    );
}

/// The document: its flags, evidence, predecessors, and the content tree under its template.
fn put_document(
    obj: &mut InMemDicomObject,
    context: &StudyContext,
    doc: &NewDocument,
    body: Body<'_>,
) {
    put_str(obj, tags::INSTANCE_NUMBER, VR::IS, "1");
    put_str(obj, tags::CONTENT_DATE, VR::DA, &doc.content_date);
    put_str(obj, tags::CONTENT_TIME, VR::TM, &doc.content_time);
    if body.sr_flags {
        put_str(obj, tags::COMPLETION_FLAG, VR::CS, "PARTIAL");
        put_str(obj, tags::VERIFICATION_FLAG, VR::CS, "UNVERIFIED");
        put_items(obj, tags::PERFORMED_PROCEDURE_CODE_SEQUENCE, Vec::new());
    }
    if !body.evidence.is_empty() {
        put_items(
            obj,
            tags::CURRENT_REQUESTED_PROCEDURE_EVIDENCE_SEQUENCE,
            vec![evidence(&context.study_instance_uid, body.evidence)],
        );
    }
    // (The Key Object Document module has no Predecessor Documents Sequence.)
    if body.sr_flags && !body.predecessors.is_empty() {
        let images: Vec<ImageInSeries> = body
            .predecessors
            .iter()
            .map(|p| ImageInSeries {
                series_instance_uid: p.series_instance_uid.clone(),
                sop_class_uid: p.sop_class_uid.clone(),
                sop_instance_uid: p.sop_instance_uid.clone(),
                frame: None,
            })
            .collect();
        put_items(
            obj,
            tags::PREDECESSOR_DOCUMENTS_SEQUENCE,
            vec![evidence(&context.study_instance_uid, &images)],
        );
    }
    // Content: the root container, its template, its children.
    let mut template = InMemDicomObject::new_empty();
    put_str(&mut template, tags::MAPPING_RESOURCE, VR::CS, "DCMR");
    put_str(
        &mut template,
        tags::TEMPLATE_IDENTIFIER,
        VR::CS,
        body.template,
    );
    let root = body.root.finish();
    for element in root.into_iter() {
        obj.put(element);
    }
    put_items(obj, tags::CONTENT_TEMPLATE_SEQUENCE, vec![template]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uids_from_random_bytes_are_valid_and_distinct() {
        let a = uid_from_random([0xff; 16]);
        assert_eq!(a, format!("2.25.{}", u128::MAX));
        assert!(a.len() <= 64 && crate::dicom_json::is_uid(&a));
        assert_ne!(uid_from_random([1; 16]), uid_from_random([2; 16]));
    }
}

#[cfg(test)]
mod round_trip {
    use super::measurement_report::{measurement_report, Finding};
    use super::*;
    use crate::annotation::{from_report, measurements, Annotation, Shape};
    use crate::study::PixelSpacing;

    fn context() -> StudyContext {
        StudyContext {
            patient_name: "DUPONT^Marie-Hélène".into(),
            patient_id: "PID-1".into(),
            study_instance_uid: "1.2.3.4".into(),
            study_date: "20240102".into(),
            ..StudyContext::default()
        }
    }

    fn doc(n: u8) -> NewDocument {
        NewDocument {
            sop_instance_uid: uid_from_random([n; 16]),
            series_instance_uid: uid_from_random([n + 1; 16]),
            series_number: 9001,
            series_description: "Mesures".into(),
            content_date: "20261201".into(),
            content_time: "101500".into(),
            observer_name: "MARTIN^Paul".into(),
            institution: None,
        }
    }

    fn image(sop: &str, frame: Option<u32>) -> ImageInSeries {
        ImageInSeries {
            series_instance_uid: "1.2.3.4.5".into(),
            sop_class_uid: "1.2.840.10008.5.1.4.1.1.2".into(),
            sop_instance_uid: sop.into(),
            frame,
        }
    }

    #[test]
    fn a_measurement_report_reads_back_as_the_same_shapes() {
        let spacing = PixelSpacing::Patient {
            row_mm: 0.626_953_1,
            column_mm: 0.626_953_1,
        };
        let shapes = [
            (
                Shape::Length([[10.5, 20.0], [110.5, 20.0]]),
                "1.2.3.4.5.1",
                None,
            ),
            (
                Shape::Angle([[10.0, 0.0], [0.0, 0.0], [0.0, 10.0]]),
                "1.2.3.4.5.1",
                None,
            ),
            (
                Shape::Ellipse([[4.0, 4.0], [40.0, 24.0]]),
                "1.2.3.4.5.2",
                Some(3),
            ),
            (
                Shape::Rectangle([[2.0, 3.0], [20.0, 12.0]]),
                "1.2.3.4.5.2",
                None,
            ),
            (Shape::Probe([7.5, 8.5]), "1.2.3.4.5.2", None),
        ];
        let findings: Vec<Finding> = shapes
            .iter()
            .enumerate()
            .map(|(i, (shape, sop, frame))| Finding {
                annotation: Annotation {
                    image: image(sop, *frame),
                    shape: shape.clone(),
                    tracking_uid: Some(uid_from_random([i as u8 + 40; 16])),
                    label: Some(format!("Mesure {}", i + 1)),
                },
                measurements: measurements(shape, spacing, None, None),
            })
            .collect();
        let replaced = Predecessor {
            series_instance_uid: "1.2.3.4.9".into(),
            sop_class_uid: measurement_report::COMPREHENSIVE_SR.into(),
            sop_instance_uid: "1.2.3.4.9.1".into(),
        };
        let bytes = measurement_report(&context(), &doc(1), &findings, &[replaced], "fr")
            .expect("test value");
        let ds = crate::local::attributes_of(&bytes).expect("test value");
        assert_eq!(
            ds.string(dicom_dictionary_std::tags::PATIENT_NAME)
                .as_deref(),
            Some("DUPONT^Marie-Hélène")
        );
        let read = from_report(&ds);
        assert_eq!(read.replaces, vec!["1.2.3.4.9.1".to_string()]);
        let expected: Vec<Annotation> = findings.iter().map(|f| f.annotation.clone()).collect();
        let annotations: Vec<Annotation> = read
            .annotations
            .iter()
            .map(|a| a.annotation.clone())
            .collect();
        assert_eq!(annotations, expected);
        // The values come back with their units (as written, to 6 decimals).
        for (read, written) in read.annotations.iter().zip(&findings) {
            assert_eq!(read.measurements.len(), written.measurements.len());
            for (r, w) in read.measurements.iter().zip(&written.measurements) {
                assert_eq!((r.quantity, &r.unit), (w.quantity, &w.unit));
                assert!((r.value - w.value).abs() < 1e-6, "{r:?} {w:?}");
            }
        }
        // The length is written in mm from the spacing.
        let doc = crate::sr::read_report(&ds).expect("test value");
        let text = format!("{doc:?}");
        assert!(text.contains("62.69531"), "{text}");
    }

    #[test]
    fn documents_need_a_study_content_and_valid_references() {
        let empty = measurement_report::measurement_report(&context(), &doc(1), &[], &[], "fr");
        assert!(matches!(empty, Err(WriteError::Empty)));
        let bad =
            key_objects::key_object_selection(&context(), &doc(2), &[image("not a uid", None)]);
        assert!(matches!(bad, Err(WriteError::BadReference)));
        let no_study = JsonDataset::default();
        assert!(matches!(
            StudyContext::from_json(&no_study),
            Err(WriteError::NoStudy)
        ));
    }

    #[test]
    fn a_key_object_selection_lists_its_images_in_order() {
        let images = [image("1.2.3.4.5.7", None), image("1.2.3.4.5.3", Some(2))];
        let bytes =
            key_objects::key_object_selection(&context(), &doc(3), &images).expect("test value");
        let ds = crate::local::attributes_of(&bytes).expect("test value");
        let selection = crate::kos::key_images(&ds).expect("a KOS");
        let uids: Vec<&str> = selection
            .images
            .iter()
            .map(|k| k.sop_instance_uid.as_str())
            .collect();
        assert_eq!(uids, ["1.2.3.4.5.7", "1.2.3.4.5.3"]);
    }
}
