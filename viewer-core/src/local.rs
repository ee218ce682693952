//! Files the reader drops into the app (nothing is uploaded): their attributes in the DICOM
//! JSON model the rest of the viewer reads, and their grouping into studies and series.
//!
//! Values become JSON as PS3.18 F.2 writes them, except bulk binary values (pixel data,
//! overlays, waveforms), which are left out: frames are read from the file itself.

use dicom_core::header::Header;
use dicom_core::value::{PrimitiveValue, Value as DicomValue};
use dicom_core::{Tag, VR};
use dicom_dictionary_std::tags;
use dicom_object::InMemDicomObject;
use serde_json::{json, Map, Value};

use crate::dicom_json::{json_key, JsonDataset};
use crate::file::DicomFile;
use crate::palette::{Palette, PaletteError};

/// Nested sequences deeper than this are cut (a crafted file cannot exhaust the stack).
const MAX_DEPTH: usize = 16;

fn dataset_json(object: &InMemDicomObject, depth: usize) -> Map<String, Value> {
    let mut map = Map::new();
    for element in object {
        let tag = element.tag();
        if tag == tags::PIXEL_DATA || tag.group() == 0xFFFE {
            continue;
        }
        let vr = element.vr();
        let value = match element.value() {
            DicomValue::Sequence(sequence) if depth < MAX_DEPTH => Some(Value::Array(
                sequence
                    .items()
                    .iter()
                    .map(|item| Value::Object(dataset_json(item, depth + 1)))
                    .collect(),
            )),
            DicomValue::Sequence(_) | DicomValue::PixelSequence(_) => None,
            DicomValue::Primitive(_) => match vr {
                VR::OB | VR::OW | VR::OF | VR::OD | VR::OL | VR::OV | VR::UN => None,
                VR::PN => element.to_multi_str().ok().map(|names| {
                    Value::Array(
                        names
                            .iter()
                            .map(|n| json!({ "Alphabetic": n.trim_end() }))
                            .collect(),
                    )
                }),
                VR::US
                | VR::SS
                | VR::UL
                | VR::SL
                | VR::UV
                | VR::SV
                | VR::FL
                | VR::FD
                | VR::IS
                | VR::DS => element.to_multi_float64().ok().map(|numbers| {
                    Value::Array(
                        numbers
                            .into_iter()
                            .filter(|n| n.is_finite())
                            .map(Value::from)
                            .collect(),
                    )
                }),
                _ => element.to_multi_str().ok().map(|texts| {
                    Value::Array(
                        texts
                            .iter()
                            .map(|t| Value::from(t.trim_end_matches(['\0', ' '])))
                            .collect(),
                    )
                }),
            },
        };
        let mut entry = Map::new();
        entry.insert("vr".into(), Value::from(vr.to_string()));
        if let Some(value) = value {
            entry.insert("Value".into(), value);
        }
        map.insert(json_key(tag), Value::Object(entry));
    }
    map
}

/// The attributes of any Part 10 file (an image, a report, a presentation state) in the
/// DICOM JSON model, bulk binary values left out.
pub fn attributes_of(bytes: &[u8]) -> Result<JsonDataset, crate::file::FileError> {
    let object = crate::file::open_object(bytes)?;
    Ok(JsonDataset(dataset_json(&object, 0)))
}

impl DicomFile {
    /// The file's attributes in the DICOM JSON model (bulk binary values left out).
    pub fn attributes(&self) -> JsonDataset {
        JsonDataset(dataset_json(self.object(), 0))
    }

    /// The file's PALETTE COLOR lookup tables (plain or segmented); `None` when it has none.
    pub fn palette(&self) -> Option<Result<Palette, PaletteError>> {
        let object = self.object();
        let descriptor = |tag| -> Option<[i64; 3]> {
            let values = object.element_opt(tag).ok()??.to_multi_int::<i64>().ok()?;
            values.get(..3)?.try_into().ok()
        };
        let data = |tag| -> Option<Vec<u8>> {
            let value = object.element_opt(tag).ok()??;
            // Words as little-endian bytes whatever the file's byte order was.
            match value.value().primitive()? {
                PrimitiveValue::U16(words) => {
                    Some(words.iter().flat_map(|w| w.to_le_bytes()).collect())
                }
                PrimitiveValue::I16(words) => {
                    Some(words.iter().flat_map(|w| w.to_le_bytes()).collect())
                }
                PrimitiveValue::U8(bytes) => Some(bytes.to_vec()),
                _ => None,
            }
        };
        let descriptors = [
            descriptor(tags::RED_PALETTE_COLOR_LOOKUP_TABLE_DESCRIPTOR)?,
            descriptor(tags::GREEN_PALETTE_COLOR_LOOKUP_TABLE_DESCRIPTOR)?,
            descriptor(tags::BLUE_PALETTE_COLOR_LOOKUP_TABLE_DESCRIPTOR)?,
        ];
        let three = |tags: [Tag; 3]| Some([data(tags[0])?, data(tags[1])?, data(tags[2])?]);
        let (data, segmented) = match three([
            tags::RED_PALETTE_COLOR_LOOKUP_TABLE_DATA,
            tags::GREEN_PALETTE_COLOR_LOOKUP_TABLE_DATA,
            tags::BLUE_PALETTE_COLOR_LOOKUP_TABLE_DATA,
        ]) {
            Some(plain) => (plain, false),
            None => (
                three([
                    tags::SEGMENTED_RED_PALETTE_COLOR_LOOKUP_TABLE_DATA,
                    tags::SEGMENTED_GREEN_PALETTE_COLOR_LOOKUP_TABLE_DATA,
                    tags::SEGMENTED_BLUE_PALETTE_COLOR_LOOKUP_TABLE_DATA,
                ])?,
                true,
            ),
        };
        Some(Palette::from_data(
            descriptors,
            [&data[0], &data[1], &data[2]],
            segmented,
        ))
    }
}

/// One series of the dropped files: its study, its UIDs, and the files' indices.
#[derive(Debug, Clone, PartialEq)]
pub struct LocalSeries {
    pub study_instance_uid: String,
    pub series_instance_uid: String,
    pub series_number: Option<i64>,
    pub modality: Option<String>,
    pub description: Option<String>,
    pub files: Vec<usize>,
}

/// Groups files (their attributes, in drop order) by study and series, each study's series
/// by Series Number.
pub fn group_series(attributes: &[JsonDataset]) -> Vec<LocalSeries> {
    let mut series: Vec<LocalSeries> = Vec::new();
    for (i, ds) in attributes.iter().enumerate() {
        let study = ds.string(tags::STUDY_INSTANCE_UID).unwrap_or_default();
        let uid = ds.string(tags::SERIES_INSTANCE_UID).unwrap_or_default();
        match series
            .iter_mut()
            .find(|s| s.study_instance_uid == study && s.series_instance_uid == uid)
        {
            Some(s) => s.files.push(i),
            None => series.push(LocalSeries {
                study_instance_uid: study,
                series_instance_uid: uid,
                series_number: ds.number(tags::SERIES_NUMBER).map(|n| n as i64),
                modality: ds.string(tags::MODALITY),
                description: ds.string(tags::SERIES_DESCRIPTION),
                files: vec![i],
            }),
        }
    }
    series.sort_by(|a, b| {
        a.study_instance_uid.cmp(&b.study_instance_uid).then(
            a.series_number
                .unwrap_or(i64::MAX)
                .cmp(&b.series_number.unwrap_or(i64::MAX)),
        )
    });
    series
}
