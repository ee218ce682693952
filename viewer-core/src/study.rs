//! Study, series and image summaries built from QIDO-RS answers and WADO-RS metadata.

use dicom_dictionary_std::tags;

use crate::dicom_json::JsonDataset;
use crate::geometry::{stack_order, SlicePlacement};
use crate::pixel_module::{Limits, PixelModule, PixelModuleError};
use crate::voi::{presentation_inverse, window_presets, Rescale, VoiFunction, WindowPreset};

/// One row of the study list.
#[derive(Debug, Clone, PartialEq)]
pub struct StudySummary {
    pub study_instance_uid: String,
    pub patient_name: Option<String>,
    /// The name is absent, or a component group of it came back as bare `^` separators (a
    /// server's index that lost a name in another character set, as Orthanc 1.10 does for
    /// ISO 2022): the files may hold the whole name.
    pub patient_name_incomplete: bool,
    pub patient_id: Option<String>,
    pub patient_birth_date: Option<String>,
    /// Patient's Sex (0010,0040): M, F or O.
    pub patient_sex: Option<String>,
    /// DA as sent (`YYYYMMDD`); format with [`crate::text::format_da`].
    pub study_date: Option<String>,
    pub accession_number: Option<String>,
    pub modalities: Vec<String>,
    pub description: Option<String>,
    pub series_count: Option<u32>,
    pub instance_count: Option<u32>,
    /// Issuer of Patient ID (0010,0021): the establishment whose local ID `patient_id` is.
    pub issuer_of_patient_id: Option<String>,
}

impl StudySummary {
    /// `None` when the dataset has no Study Instance UID (it could not be opened).
    pub fn from_qido(ds: &JsonDataset) -> Option<Self> {
        Some(StudySummary {
            study_instance_uid: ds
                .string(tags::STUDY_INSTANCE_UID)
                .filter(|u| !u.is_empty())?,
            patient_name: ds.person_name(tags::PATIENT_NAME),
            patient_name_incomplete: ds.person_name(tags::PATIENT_NAME).is_none()
                || ds
                    .string(tags::PATIENT_NAME)
                    .unwrap_or_default()
                    .split('=')
                    .any(|group| !group.is_empty() && group.chars().all(|c| c == '^' || c == ' ')),
            patient_id: non_empty(ds.string(tags::PATIENT_ID)),
            patient_birth_date: non_empty(ds.string(tags::PATIENT_BIRTH_DATE)),
            patient_sex: non_empty(ds.string(tags::PATIENT_SEX)),
            study_date: non_empty(ds.string(tags::STUDY_DATE)),
            accession_number: non_empty(ds.string(tags::ACCESSION_NUMBER)),
            modalities: ds
                .strings(tags::MODALITIES_IN_STUDY)
                .into_iter()
                .filter(|m| !m.is_empty())
                .collect(),
            description: non_empty(ds.string(tags::STUDY_DESCRIPTION)),
            series_count: ds.uint(tags::NUMBER_OF_STUDY_RELATED_SERIES),
            instance_count: ds.uint(tags::NUMBER_OF_STUDY_RELATED_INSTANCES),
            issuer_of_patient_id: non_empty(ds.string(tags::ISSUER_OF_PATIENT_ID)),
        })
    }

    /// Whether the study holds a report: a structured report (SR) or a document (DOC, e.g. an
    /// encapsulated PDF) among its modalities.
    pub fn has_report(&self) -> bool {
        self.modalities.iter().any(|m| m == "SR" || m == "DOC")
    }

    /// Sorts newest first, then by patient ID, so the list is stable whatever the server order.
    pub fn sort_newest_first(studies: &mut [StudySummary]) {
        studies.sort_by(|a, b| {
            b.study_date
                .cmp(&a.study_date)
                .then_with(|| a.patient_id.cmp(&b.patient_id))
                .then_with(|| a.study_instance_uid.cmp(&b.study_instance_uid))
        });
    }
}

/// One series of a study.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesSummary {
    pub series_instance_uid: String,
    pub modality: Option<String>,
    pub series_number: Option<i64>,
    pub description: Option<String>,
    pub instance_count: Option<u32>,
}

/// Modalities whose series hold no images to stack (reports, documents, states, key objects).
const NON_IMAGE_MODALITIES: &[&str] = &["SR", "DOC", "PR", "KO", "REG", "RTPLAN", "RTRECORD"];

impl SeriesSummary {
    pub fn from_qido(ds: &JsonDataset) -> Option<Self> {
        Some(SeriesSummary {
            series_instance_uid: ds
                .string(tags::SERIES_INSTANCE_UID)
                .filter(|u| !u.is_empty())?,
            modality: non_empty(ds.string(tags::MODALITY)),
            series_number: ds.number(tags::SERIES_NUMBER).map(|n| n as i64),
            description: non_empty(ds.string(tags::SERIES_DESCRIPTION)),
            instance_count: ds.uint(tags::NUMBER_OF_SERIES_RELATED_INSTANCES),
        })
    }

    /// Whether the series may hold images (decided on its modality; metadata decides later).
    pub fn may_hold_images(&self) -> bool {
        !self
            .modality
            .as_deref()
            .is_some_and(|m| NON_IMAGE_MODALITIES.contains(&m))
    }

    /// Series Number order; series without a number go last.
    pub fn sort(series: &mut [SeriesSummary]) {
        series.sort_by_key(|s| {
            (
                s.series_number.unwrap_or(i64::MAX),
                s.series_instance_uid.clone(),
            )
        });
    }
}

/// Where a PALETTE COLOR image's LUTs are: descriptors inline, data as bulk data references.
#[derive(Debug, Clone, PartialEq)]
pub struct PaletteSource {
    /// Red, green, blue LUT Descriptors: entries, first mapped value, bits per entry.
    pub descriptors: [[i64; 3]; 3],
    /// Red, green, blue LUT Data BulkDataURIs, as the server wrote them.
    pub data_uris: [String; 3],
    /// The data are Segmented Palette Color LUT Data (expand with `palette::expand_segmented`).
    pub segmented: bool,
}

impl PaletteSource {
    /// `None` when the dataset has no complete (non-segmented) palette.
    pub fn from_json(ds: &JsonDataset) -> Option<Self> {
        let descriptor = |tag| -> Option<[i64; 3]> {
            match ds.numbers(tag).as_slice() {
                [Some(a), Some(b), Some(c)] => Some([*a as i64, *b as i64, *c as i64]),
                _ => None,
            }
        };
        let uri = |tag| ds.bulk_data_uri(tag).map(str::to_string);
        let uris = |tags: [_; 3]| Some([uri(tags[0])?, uri(tags[1])?, uri(tags[2])?]);
        let plain = uris([
            tags::RED_PALETTE_COLOR_LOOKUP_TABLE_DATA,
            tags::GREEN_PALETTE_COLOR_LOOKUP_TABLE_DATA,
            tags::BLUE_PALETTE_COLOR_LOOKUP_TABLE_DATA,
        ]);
        let segmented = uris([
            tags::SEGMENTED_RED_PALETTE_COLOR_LOOKUP_TABLE_DATA,
            tags::SEGMENTED_GREEN_PALETTE_COLOR_LOOKUP_TABLE_DATA,
            tags::SEGMENTED_BLUE_PALETTE_COLOR_LOOKUP_TABLE_DATA,
        ]);
        Some(PaletteSource {
            descriptors: [
                descriptor(tags::RED_PALETTE_COLOR_LOOKUP_TABLE_DESCRIPTOR)?,
                descriptor(tags::GREEN_PALETTE_COLOR_LOOKUP_TABLE_DESCRIPTOR)?,
                descriptor(tags::BLUE_PALETTE_COLOR_LOOKUP_TABLE_DESCRIPTOR)?,
            ],
            segmented: plain.is_none() && segmented.is_some(),
            data_uris: plain.or(segmented)?,
        })
    }
}

/// One image of a stack, with what the viewport needs to fetch, decode and display it.
#[derive(Debug, Clone, PartialEq)]
pub struct StackImage {
    pub sop_instance_uid: String,
    /// SOP Class UID (references from reports and key object selections name it).
    pub sop_class_uid: String,
    /// The pixel module, or why it is unusable (the image is then marked, not dropped).
    pub module: Result<PixelModule, PixelModuleError>,
    pub rescale: Rescale,
    pub windows: Vec<WindowPreset>,
    pub voi_function: VoiFunction,
    /// Modality LUT Sequence: replaces the rescale when present.
    pub modality_lut: Option<crate::lut::Lut>,
    /// Rescale Type (0028,1054) or the Modality LUT Type: the unit of modality values.
    pub rescale_type: Option<String>,
    /// VOI LUT Sequence items, display choices beside the windows.
    pub voi_luts: Vec<crate::lut::Lut>,
    /// Presentation LUT Shape INVERSE.
    pub inverse: bool,
    pub instance_number: Option<i64>,
    pub position_mm: Option<[f64; 3]>,
    /// Lossy Image Compression (0028,2110) is "01".
    pub lossy: bool,
    /// The palette of a PALETTE COLOR image, when the server gave its LUTs as bulk data.
    pub palette: Option<PaletteSource>,
    /// Image Orientation (Patient): row then column direction cosines.
    pub orientation: Option<[f64; 6]>,
    /// The size of a pixel, and what it measures.
    pub spacing: PixelSpacing,
    pub slice_thickness_mm: Option<f64>,
    pub slice_location_mm: Option<f64>,
    pub modality: Option<String>,
    /// Cine speed the file asks for: Cine Rate (0018,0040) in frames per second, else the
    /// inverse of Frame Time (0018,1063, ms).
    pub cine_fps: Option<f64>,
    pub frame_of_reference_uid: Option<String>,
    /// Patient ID of this instance: a layout warns when its viewports disagree.
    pub patient_id: Option<String>,
}

/// Pixel size for the scale bar and measurements (PS3.3 10.7.1.3).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PixelSpacing {
    /// Pixel Spacing (0028,0030): in the patient, mm between rows and between columns.
    Patient { row_mm: f64, column_mm: f64 },
    /// Only Imager Pixel Spacing (0018,1164): at the detector, not corrected for magnification.
    Detector { row_mm: f64, column_mm: f64 },
    /// Neither: distances are in pixels only.
    Uncalibrated,
}

impl PixelSpacing {
    fn from_json(ds: &JsonDataset) -> Self {
        let pair = |tag| match ds.numbers(tag).as_slice() {
            [Some(r), Some(c)] if *r > 0.0 && *c > 0.0 && r.is_finite() && c.is_finite() => {
                Some((*r, *c))
            }
            _ => None,
        };
        if let Some((row_mm, column_mm)) = pair(tags::PIXEL_SPACING) {
            PixelSpacing::Patient { row_mm, column_mm }
        } else if let Some((row_mm, column_mm)) = pair(tags::IMAGER_PIXEL_SPACING) {
            PixelSpacing::Detector { row_mm, column_mm }
        } else {
            PixelSpacing::Uncalibrated
        }
    }

    /// The horizontal size of a pixel (the distance between columns), in mm.
    pub fn column_mm(&self) -> Option<f64> {
        match *self {
            PixelSpacing::Patient { column_mm, .. } | PixelSpacing::Detector { column_mm, .. } => {
                Some(column_mm)
            }
            PixelSpacing::Uncalibrated => None,
        }
    }
}

impl StackImage {
    /// The image's plane in patient space, when position, orientation and a patient-space
    /// Pixel Spacing are all known (detector spacing does not place an image in the patient).
    pub fn plane(&self) -> Option<crate::plane::ImagePlane> {
        let PixelSpacing::Patient { row_mm, column_mm } = self.spacing else {
            return None;
        };
        let module = self.module.as_ref().ok()?;
        crate::plane::ImagePlane::new(
            self.position_mm?,
            self.orientation?,
            [row_mm, column_mm],
            module.rows,
            module.columns,
        )
    }

    /// A stored sample's modality value: through the Modality LUT when there is one, else
    /// the rescale.
    pub fn modality_value(&self, stored: f64) -> f64 {
        match &self.modality_lut {
            Some(lut) => f64::from(lut.lookup(stored)),
            None => self.rescale.apply(stored),
        }
    }

    /// The unit of modality values for display: Rescale Type (or Modality LUT Type), else
    /// Hounsfield units for CT; `None` when unknown (values are then unitless).
    pub fn modality_unit(&self) -> Option<&str> {
        match (&self.rescale_type, self.modality.as_deref()) {
            (Some(t), _) if t != "US" => Some(t.as_str()),
            (_, Some("CT")) => Some("HU"),
            _ => None,
        }
    }

    /// The rescale to apply to decoded samples: none when a Modality LUT already gave
    /// modality values (the LUT replaces Rescale Slope/Intercept).
    pub fn effective_rescale(&self) -> Rescale {
        if self.modality_lut.is_some() {
            Rescale::default()
        } else {
            self.rescale
        }
    }
}

/// The images of a series in display order. Datasets without Rows (reports, documents) are
/// left out; images with a broken pixel module are kept and carry their error.
pub fn image_stack(metadata: &[JsonDataset], limits: &Limits) -> Vec<StackImage> {
    let mut images = Vec::new();
    let mut placements = Vec::new();
    for ds in metadata {
        let Some(sop) = ds.string(tags::SOP_INSTANCE_UID).filter(|u| !u.is_empty()) else {
            continue;
        };
        if ds.uint(tags::ROWS).is_none() {
            continue;
        }
        let position_mm = triple(ds);
        let orientation = sextuple(ds);
        let instance_number = ds.number(tags::INSTANCE_NUMBER).map(|n| n as i64);
        placements.push(SlicePlacement {
            position_mm,
            orientation,
            instance_number,
        });
        images.push(StackImage {
            sop_instance_uid: sop,
            sop_class_uid: ds.string(tags::SOP_CLASS_UID).unwrap_or_default(),
            module: PixelModule::read(ds, limits),
            rescale: Rescale::from_json(ds),
            windows: window_presets(ds),
            voi_function: VoiFunction::from_json(ds),
            modality_lut: crate::lut::modality_lut(ds),
            rescale_type: rescale_type(ds),
            voi_luts: crate::lut::voi_luts(ds),
            inverse: presentation_inverse(ds),
            instance_number,
            position_mm,
            lossy: ds.string(tags::LOSSY_IMAGE_COMPRESSION).as_deref() == Some("01"),
            palette: PaletteSource::from_json(ds),
            orientation,
            spacing: PixelSpacing::from_json(ds),
            slice_thickness_mm: ds.number(tags::SLICE_THICKNESS),
            slice_location_mm: ds.number(tags::SLICE_LOCATION),
            modality: non_empty(ds.string(tags::MODALITY)),
            cine_fps: cine_fps(ds.number(tags::CINE_RATE), ds.number(tags::FRAME_TIME)),
            frame_of_reference_uid: non_empty(ds.string(tags::FRAME_OF_REFERENCE_UID)),
            patient_id: non_empty(ds.string(tags::PATIENT_ID)),
        });
    }
    let order = stack_order(&placements);
    order.into_iter().map(|i| images[i].clone()).collect()
}

/// Rescale Type (0028,1054), else the Modality LUT Type (0028,3004) of the first LUT item.
fn rescale_type(ds: &JsonDataset) -> Option<String> {
    non_empty(ds.string(tags::RESCALE_TYPE)).or_else(|| {
        ds.items(tags::MODALITY_LUT_SEQUENCE)
            .first()
            .and_then(|item| non_empty(item.string(tags::MODALITY_LUT_TYPE)))
    })
}

/// Slowest and fastest cine speeds offered, frames per second.
pub const CINE_FPS_RANGE: (f64, f64) = (1.0, 60.0);
/// Speed for a stack whose files say nothing (slices of a CT or MR series).
pub const DEFAULT_CINE_FPS: f64 = 10.0;

/// The cine speed from Cine Rate (frames/s) or Frame Time (ms per frame), kept within
/// [`CINE_FPS_RANGE`]; `None` when neither is a usable positive number.
pub fn cine_fps(cine_rate: Option<f64>, frame_time_ms: Option<f64>) -> Option<f64> {
    let usable = |v: &f64| v.is_finite() && *v > 0.0;
    let fps = cine_rate
        .filter(usable)
        .or_else(|| frame_time_ms.filter(usable).map(|ms| 1000.0 / ms))?;
    Some(fps.clamp(CINE_FPS_RANGE.0, CINE_FPS_RANGE.1))
}

fn triple(ds: &JsonDataset) -> Option<[f64; 3]> {
    match ds.numbers(tags::IMAGE_POSITION_PATIENT).as_slice() {
        [Some(x), Some(y), Some(z)] => Some([*x, *y, *z]),
        _ => None,
    }
}

fn sextuple(ds: &JsonDataset) -> Option<[f64; 6]> {
    let values: Vec<f64> = ds
        .numbers(tags::IMAGE_ORIENTATION_PATIENT)
        .into_iter()
        .collect::<Option<_>>()?;
    values.try_into().ok()
}

fn non_empty(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cine_speed_from_cine_rate_then_frame_time_within_bounds() {
        assert_eq!(cine_fps(Some(25.0), Some(100.0)), Some(25.0));
        assert_eq!(cine_fps(None, Some(40.0)), Some(25.0));
        assert_eq!(cine_fps(Some(0.0), Some(50.0)), Some(20.0));
        assert_eq!(cine_fps(None, Some(1.0)), Some(60.0));
        assert_eq!(cine_fps(Some(f64::NAN), None), None);
        assert_eq!(cine_fps(None, None), None);
    }

    #[test]
    fn a_name_with_groups_lost_by_the_index_is_incomplete() {
        let study = |name: &str| {
            let ds = JsonDataset::parse_array(&format!(
                r#"[{{"0020000D":{{"vr":"UI","Value":["1.2"]}},"00100010":{{"vr":"PN","Value":[{name}]}}}}]"#
            ))
            .expect("valid JSON");
            StudySummary::from_qido(&ds[0]).expect("a study")
        };
        let lost = study(r#"{"Alphabetic":"Yamada^Tarou","Ideographic":"^","Phonetic":"^"}"#);
        assert_eq!(lost.patient_name.as_deref(), Some("Yamada Tarou"));
        assert!(lost.patient_name_incomplete);
        assert!(study(r#"{"Alphabetic":"^"}"#).patient_name_incomplete);
        assert!(
            !study(r#"{"Alphabetic":"Yamada^Tarou","Ideographic":"山田^太郎"}"#)
                .patient_name_incomplete
        );
        assert!(!study(r#"{"Alphabetic":"LUNG^CT^REAL"}"#).patient_name_incomplete);
    }

    #[test]
    fn a_study_with_an_sr_or_a_document_has_a_report() {
        let study = |modalities: &str| {
            let ds = JsonDataset::parse_array(&format!(
                r#"[{{"0020000D":{{"vr":"UI","Value":["1.2"]}},"00080061":{{"vr":"CS","Value":[{modalities}]}}}}]"#
            ))
            .expect("valid JSON");
            StudySummary::from_qido(&ds[0]).expect("a study")
        };
        assert!(study(r#""MR","SR""#).has_report());
        assert!(study(r#""DOC""#).has_report());
        assert!(!study(r#""CT","PR""#).has_report());
    }

    fn image(sop: &str, z: f64, n: i64) -> String {
        format!(
            r#"{{"00080018":{{"vr":"UI","Value":["{sop}"]}},
               "00200013":{{"vr":"IS","Value":[{n}]}},
               "00200032":{{"vr":"DS","Value":[0,0,{z}]}},
               "00200037":{{"vr":"DS","Value":[1,0,0,0,1,0]}},
               "00280010":{{"vr":"US","Value":[2]}},"00280011":{{"vr":"US","Value":[2]}},
               "00280002":{{"vr":"US","Value":[1]}},"00280100":{{"vr":"US","Value":[16]}},
               "00280004":{{"vr":"CS","Value":["MONOCHROME2"]}},
               "00281052":{{"vr":"DS","Value":["-1024"]}}}}"#
        )
    }

    #[test]
    fn stack_reads_head_first_and_skips_non_images() {
        let json = format!(
            r#"[{}, {}, {{"00080018":{{"vr":"UI","Value":["sr"]}}}}, {}]"#,
            image("c", 10.0, 1),
            image("a", -10.0, 3),
            image("b", 0.0, 2)
        );
        let ds = JsonDataset::parse_array(&json).expect("valid");
        let stack = image_stack(&ds, &Limits::default());
        let uids: Vec<_> = stack.iter().map(|i| i.sop_instance_uid.as_str()).collect();
        // Axial: the most superior slice (z = 10) first.
        assert_eq!(uids, ["c", "b", "a"]);
        assert_eq!(stack[0].rescale.intercept, -1024.0);
        assert!(stack[0].module.is_ok());
    }

    #[test]
    fn study_rows_need_a_uid() {
        let ds = JsonDataset::parse_array(
            r#"[{"00100020":{"vr":"LO","Value":["X"]}},
                {"0020000D":{"vr":"UI","Value":["1.2"]},"00080020":{"vr":"DA","Value":["20000101"]},
                 "00080061":{"vr":"CS","Value":["CT","SR"]}}]"#,
        )
        .expect("valid");
        let rows: Vec<_> = ds.iter().filter_map(StudySummary::from_qido).collect();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].modalities, ["CT", "SR"]);
        assert_eq!(rows[0].study_date.as_deref(), Some("20000101"));
    }

    #[test]
    fn series_order_and_image_guess() {
        let ds = JsonDataset::parse_array(
            r#"[{"0020000E":{"vr":"UI","Value":["2"]},"00200011":{"vr":"IS","Value":[2]},"00080060":{"vr":"CS","Value":["SR"]}},
                {"0020000E":{"vr":"UI","Value":["1"]},"00200011":{"vr":"IS","Value":[1]},"00080060":{"vr":"CS","Value":["CT"]}}]"#,
        )
        .expect("valid");
        let mut series: Vec<_> = ds.iter().filter_map(SeriesSummary::from_qido).collect();
        SeriesSummary::sort(&mut series);
        assert_eq!(series[0].series_instance_uid, "1");
        assert!(series[0].may_hold_images());
        assert!(!series[1].may_hold_images());
    }
}
