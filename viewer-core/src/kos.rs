//! Key Object Selection documents (PS3.3 A.35.4, TID 2010): the images a reader flagged as
//! key, in the order of the selection, each located by its study and series from the
//! document's evidence list.

use dicom_dictionary_std::tags;

use crate::dicom_json::{is_uid, JsonDataset};

/// One flagged image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyImage {
    pub study_instance_uid: String,
    pub series_instance_uid: String,
    pub sop_class_uid: String,
    pub sop_instance_uid: String,
    /// Referenced frames (1-based), empty for all.
    pub frames: Vec<u32>,
}

/// The document titles of key object selections (DICOM CID 7010, scheme DCM), each with a
/// message `kos.title.<code>` in the app's catalogs.
pub const TITLE_CODES: [&str; 25] = [
    "113000", "113001", "113002", "113003", "113004", "113005", "113006", "113007", "113008",
    "113009", "113010", "113013", "113018", "113020", "113021", "113030", "113031", "113032",
    "113033", "113034", "113035", "113036", "113037", "113038", "113039",
];

/// A selection: its title (e.g. "Of Interest"), the reader's description, the images.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyImages {
    /// The title's meaning as the file words it.
    pub title: Option<String>,
    /// The title's code when it is one of [`TITLE_CODES`] (shown in the reader's language).
    pub title_code: Option<String>,
    pub description: Option<String>,
    pub images: Vec<KeyImage>,
    /// The Retrieve URLs (0008,1190) of the evidence, study and series level, in order: where
    /// a manifest says its studies are (another archive's, for a DMP manifest).
    pub retrieve_urls: Vec<String>,
}

impl KeyImages {
    /// The images of the series holding most of them (the set a viewport shows first), as
    /// (study, series, SOP Instance UIDs in selection order).
    pub fn main_series(&self) -> Option<(String, String, Vec<String>)> {
        let mut best: Option<(&KeyImage, usize)> = None;
        for image in &self.images {
            let n = self
                .images
                .iter()
                .filter(|i| i.series_instance_uid == image.series_instance_uid)
                .count();
            if best.is_none_or(|(_, m)| n > m) {
                best = Some((image, n));
            }
        }
        let (first, _) = best?;
        let sops = self
            .images
            .iter()
            .filter(|i| i.series_instance_uid == first.series_instance_uid)
            .map(|i| i.sop_instance_uid.clone())
            .collect();
        Some((
            first.study_instance_uid.clone(),
            first.series_instance_uid.clone(),
            sops,
        ))
    }
}

/// Where each referenced instance is: (study, series, SOP) from Current Requested Procedure
/// Evidence Sequence (0040,A375).
fn evidence(ds: &JsonDataset) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for study in ds.items(tags::CURRENT_REQUESTED_PROCEDURE_EVIDENCE_SEQUENCE) {
        let Some(study_uid) = study.string(tags::STUDY_INSTANCE_UID).filter(|u| is_uid(u)) else {
            continue;
        };
        for series in study.items(tags::REFERENCED_SERIES_SEQUENCE) {
            let Some(series_uid) = series
                .string(tags::SERIES_INSTANCE_UID)
                .filter(|u| is_uid(u))
            else {
                continue;
            };
            for sop in series.items(tags::REFERENCED_SOP_SEQUENCE) {
                if let Some(sop_uid) = sop
                    .string(tags::REFERENCED_SOP_INSTANCE_UID)
                    .filter(|u| is_uid(u))
                {
                    out.push((study_uid.clone(), series_uid.clone(), sop_uid));
                }
            }
        }
    }
    out
}

/// The Retrieve URLs of Current Requested Procedure Evidence Sequence, studies' and series',
/// each once, in order.
fn retrieve_urls(ds: &JsonDataset) -> Vec<String> {
    let mut urls: Vec<String> = Vec::new();
    for study in ds.items(tags::CURRENT_REQUESTED_PROCEDURE_EVIDENCE_SEQUENCE) {
        let series = study.items(tags::REFERENCED_SERIES_SEQUENCE);
        for url in std::iter::once(&study)
            .chain(series.iter())
            .flat_map(|item| item.strings(tags::RETRIEVE_URL))
        {
            if !url.is_empty() && !urls.contains(&url) {
                urls.push(url);
            }
        }
    }
    urls
}

/// Reads a key object selection from its DICOM JSON; `None` when it selects no locatable
/// image.
pub fn key_images(ds: &JsonDataset) -> Option<KeyImages> {
    let located = evidence(ds);
    let mut images = Vec::new();
    let mut description = None;
    for item in ds.items(tags::CONTENT_SEQUENCE) {
        match item.string(tags::VALUE_TYPE).as_deref() {
            Some("TEXT") => {
                description = description.or(item.string(tags::TEXT_VALUE));
            }
            Some("IMAGE") => {
                for r in item.items(tags::REFERENCED_SOP_SEQUENCE) {
                    let Some(sop) = r.string(tags::REFERENCED_SOP_INSTANCE_UID) else {
                        continue;
                    };
                    let Some((study, series, _)) = located.iter().find(|(_, _, s)| *s == sop)
                    else {
                        continue; // not in the evidence: it cannot be fetched
                    };
                    if images.iter().any(|i: &KeyImage| i.sop_instance_uid == sop) {
                        continue;
                    }
                    images.push(KeyImage {
                        study_instance_uid: study.clone(),
                        series_instance_uid: series.clone(),
                        sop_class_uid: r.string(tags::REFERENCED_SOP_CLASS_UID).unwrap_or_default(),
                        sop_instance_uid: sop,
                        frames: crate::sr::referenced_frames(&r),
                    });
                }
            }
            _ => {}
        }
    }
    if images.is_empty() {
        return None;
    }
    let concept = ds.items(tags::CONCEPT_NAME_CODE_SEQUENCE);
    let concept = concept.first();
    Some(KeyImages {
        title: concept.and_then(|c| c.string(tags::CODE_MEANING)),
        title_code: concept
            .filter(|c| c.string(tags::CODING_SCHEME_DESIGNATOR).as_deref() == Some("DCM"))
            .and_then(|c| c.string(tags::CODE_VALUE))
            .filter(|code| TITLE_CODES.contains(&code.as_str())),
        description,
        images,
        retrieve_urls: retrieve_urls(ds),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sop(uid: &str) -> String {
        format!(
            r#"{{"00081150":{{"vr":"UI","Value":["1.2.840.10008.5.1.4.1.1.2"]}},"00081155":{{"vr":"UI","Value":["{uid}"]}}}}"#
        )
    }

    fn kos() -> JsonDataset {
        let json = format!(
            r#"[{{"0040A043":{{"vr":"SQ","Value":[{{"00080100":{{"vr":"SH","Value":["113000"]}},
                   "00080102":{{"vr":"SH","Value":["DCM"]}},"00080104":{{"vr":"LO","Value":["Of Interest"]}}}}]}},
                "0040A375":{{"vr":"SQ","Value":[{{"0020000D":{{"vr":"UI","Value":["1.1"]}},
                   "00081115":{{"vr":"SQ","Value":[
                      {{"0020000E":{{"vr":"UI","Value":["1.1.1"]}},"00081199":{{"vr":"SQ","Value":[{a},{b}]}}}},
                      {{"0020000E":{{"vr":"UI","Value":["1.1.2"]}},"00081199":{{"vr":"SQ","Value":[{c}]}}}}]}}}}]}},
                "0040A730":{{"vr":"SQ","Value":[
                   {{"0040A040":{{"vr":"CS","Value":["TEXT"]}},"0040A160":{{"vr":"UT","Value":["Nodule"]}}}},
                   {{"0040A040":{{"vr":"CS","Value":["IMAGE"]}},"00081199":{{"vr":"SQ","Value":[{b}]}}}},
                   {{"0040A040":{{"vr":"CS","Value":["IMAGE"]}},"00081199":{{"vr":"SQ","Value":[{c}]}}}},
                   {{"0040A040":{{"vr":"CS","Value":["IMAGE"]}},"00081199":{{"vr":"SQ","Value":[{a}]}}}},
                   {{"0040A040":{{"vr":"CS","Value":["IMAGE"]}},"00081199":{{"vr":"SQ","Value":[{x}]}}}}]}}}}]"#,
            a = sop("1.1.1.1"),
            b = sop("1.1.1.2"),
            c = sop("1.1.2.1"),
            x = sop("9.9")
        );
        JsonDataset::parse_array(&json)
            .expect("valid JSON")
            .remove(0)
    }

    #[test]
    fn images_come_in_selection_order_located_by_the_evidence() {
        let selection = key_images(&kos()).expect("key images");
        assert_eq!(selection.title.as_deref(), Some("Of Interest"));
        assert_eq!(selection.title_code.as_deref(), Some("113000"));
        assert_eq!(selection.description.as_deref(), Some("Nodule"));
        let sops: Vec<&str> = selection
            .images
            .iter()
            .map(|i| i.sop_instance_uid.as_str())
            .collect();
        assert_eq!(
            sops,
            ["1.1.1.2", "1.1.2.1", "1.1.1.1"],
            "9.9 has no evidence"
        );
        assert_eq!(selection.images[1].series_instance_uid, "1.1.2");
        let (study, series, main) = selection.main_series().expect("a series");
        assert_eq!((study.as_str(), series.as_str()), ("1.1", "1.1.1"));
        assert_eq!(main, ["1.1.1.2", "1.1.1.1"]);
    }

    #[test]
    fn a_manifests_retrieve_urls_are_read_at_study_and_series_level_once_each() {
        let json = format!(
            r#"[{{"0040A375":{{"vr":"SQ","Value":[
                 {{"0020000D":{{"vr":"UI","Value":["1.1"]}},
                   "00081190":{{"vr":"UR","Value":["https://a.example/dw/studies/1.1"]}},
                   "00081115":{{"vr":"SQ","Value":[
                      {{"0020000E":{{"vr":"UI","Value":["1.1.1"]}},
                        "00081190":{{"vr":"UR","Value":["https://a.example/dw/studies/1.1/series/1.1.1"]}},
                        "00081199":{{"vr":"SQ","Value":[{a}]}}}},
                      {{"0020000E":{{"vr":"UI","Value":["1.1.2"]}},
                        "00081190":{{"vr":"UR","Value":["https://a.example/dw/studies/1.1"]}},
                        "00081199":{{"vr":"SQ","Value":[{b}]}}}}]}}}}]}},
                "0040A730":{{"vr":"SQ","Value":[
                   {{"0040A040":{{"vr":"CS","Value":["IMAGE"]}},"00081199":{{"vr":"SQ","Value":[{a}]}}}}]}}}}]"#,
            a = sop("1.1.1.1"),
            b = sop("1.1.2.1"),
        );
        let ds = JsonDataset::parse_array(&json)
            .expect("valid JSON")
            .remove(0);
        let selection = key_images(&ds).expect("key images");
        assert_eq!(
            selection.retrieve_urls,
            [
                "https://a.example/dw/studies/1.1",
                "https://a.example/dw/studies/1.1/series/1.1.1"
            ]
        );
        assert!(key_images(&kos())
            .expect("key images")
            .retrieve_urls
            .is_empty());
    }

    #[test]
    fn a_selection_without_locatable_images_is_none() {
        let empty = JsonDataset::parse_array(r#"[{"0040A730":{"vr":"SQ","Value":[]}}]"#)
            .expect("valid JSON")
            .remove(0);
        assert_eq!(key_images(&empty), None);
    }
}
