//! The DICOM JSON model (PS3.18 Annex F.2): one dataset is an object keyed by tag.
//!
//! Accessors are tolerant in the way real servers need: numbers may come as JSON numbers or
//! as strings (DS/IS), person names as `{"Alphabetic": …}` objects, absent values as missing
//! keys, empty `Value` arrays or nulls. Every accessor returns `None` rather than guessing.

use dicom_core::Tag;
use serde_json::{Map, Value};

/// The DICOM JSON key of `tag`: eight upper-case hex digits.
pub fn json_key(tag: Tag) -> String {
    format!("{:04X}{:04X}", tag.group(), tag.element())
}

/// A value for a QIDO-RS query component: unreserved characters as they are, every other
/// byte as `%XX`; with `wildcards`, the matching characters `*` and `?` are kept too.
pub fn query_value(value: &str, wildcards: bool) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            b'*' | b'?' if wildcards => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Whether `value` is a well-formed UID (PS3.5 9.1): digits and dots, at most 64 characters,
/// no empty component. Only such values are put into request paths.
pub fn is_uid(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= 64
        && value
            .split('.')
            .all(|c| !c.is_empty() && c.bytes().all(|b| b.is_ascii_digit()))
}

/// The request path, under a DICOMweb root, of a bulk data URI that belongs to
/// `study`/`series`/`instance`: the part from `studies/` on. `None` for anything else, so the
/// viewer only ever asks its own DICOMweb root for it, whatever origin the URI names.
pub fn bulk_data_path(uri: &str, study: &str, series: &str, instance: &str) -> Option<String> {
    let at = uri.find("/studies/")?;
    let path = &uri[at + 1..];
    let prefix = format!("studies/{study}/series/{series}/instances/{instance}/");
    let safe = path
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'/' | b'_' | b'-'));
    (path.starts_with(&prefix) && safe && !path.contains("..")).then(|| path.to_string())
}

/// Why a DICOM JSON document could not be read.
#[derive(Debug, thiserror::Error)]
pub enum DicomJsonError {
    #[error("the document is not valid JSON: {0}")]
    Syntax(#[from] serde_json::Error),
    #[error("expected an array of datasets")]
    NotAnArray,
}

/// One dataset in the DICOM JSON model.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JsonDataset(pub Map<String, Value>);

impl crate::pixel_module::Attributes for JsonDataset {
    fn text(&self, tag: Tag) -> Option<String> {
        self.string(tag)
    }
    fn uint(&self, tag: Tag) -> Option<u32> {
        JsonDataset::uint(self, tag)
    }
}

impl JsonDataset {
    /// Parses a QIDO-RS or WADO-RS metadata answer: an array of datasets.
    /// Entries that are not objects are skipped (a server bug must not lose the rest).
    pub fn parse_array(text: &str) -> Result<Vec<JsonDataset>, DicomJsonError> {
        let value: Value = serde_json::from_str(text)?;
        let Value::Array(items) = value else {
            return Err(DicomJsonError::NotAnArray);
        };
        Ok(items
            .into_iter()
            .filter_map(|item| match item {
                Value::Object(map) => Some(JsonDataset(map)),
                _ => None,
            })
            .collect())
    }

    fn values(&self, tag: Tag) -> Option<&Vec<Value>> {
        match self.0.get(&json_key(tag))?.get("Value")? {
            Value::Array(values) if !values.is_empty() => Some(values),
            _ => None,
        }
    }

    /// The VR the server declared for `tag`.
    pub fn vr(&self, tag: Tag) -> Option<&str> {
        self.0.get(&json_key(tag))?.get("vr")?.as_str()
    }

    /// First value as text (strings as they are, numbers printed, person names with their
    /// component groups joined by `=`, as DICOM writes them).
    pub fn string(&self, tag: Tag) -> Option<String> {
        self.strings(tag).into_iter().next()
    }

    /// All values as text; empty values are kept as empty strings so positions line up.
    pub fn strings(&self, tag: Tag) -> Vec<String> {
        let Some(values) = self.values(tag) else {
            return Vec::new();
        };
        values.iter().map(value_text).collect()
    }

    /// First value as a number (JSON number or numeric string).
    pub fn number(&self, tag: Tag) -> Option<f64> {
        self.numbers(tag).into_iter().next().flatten()
    }

    /// All values as numbers; an unreadable value is `None` at its position.
    pub fn numbers(&self, tag: Tag) -> Vec<Option<f64>> {
        let Some(values) = self.values(tag) else {
            return Vec::new();
        };
        values.iter().map(value_number).collect()
    }

    /// First value as an unsigned integer that fits `u32`.
    pub fn uint(&self, tag: Tag) -> Option<u32> {
        let n = self.number(tag)?;
        (n.fract() == 0.0 && (0.0..=u32::MAX as f64).contains(&n)).then_some(n as u32)
    }

    /// A person name for display (see [`crate::text::person_name_display`]): components
    /// separated by spaces, the ideographic group in parentheses when there is one.
    pub fn person_name(&self, tag: Tag) -> Option<String> {
        let raw = self.string(tag)?;
        let display = crate::text::person_name_display(&raw);
        (!display.is_empty()).then_some(display)
    }

    /// The items of a sequence attribute (empty when absent).
    pub fn items(&self, tag: Tag) -> Vec<JsonDataset> {
        self.values(tag)
            .map(|values| {
                values
                    .iter()
                    .filter_map(|v| v.as_object().cloned().map(JsonDataset))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The `BulkDataURI` of `tag`, if the server sent one.
    pub fn bulk_data_uri(&self, tag: Tag) -> Option<&str> {
        self.0.get(&json_key(tag))?.get("BulkDataURI")?.as_str()
    }
}

fn value_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) => n.to_string(),
        // A person name: its component groups in the DICOM form `alphabetic=ideographic=phonetic`.
        Value::Object(map) => {
            let group = |key| {
                map.get(key)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .trim()
            };
            let groups = [group("Alphabetic"), group("Ideographic"), group("Phonetic")];
            let used = groups
                .iter()
                .rposition(|g| !g.is_empty())
                .map_or(0, |i| i + 1);
            groups[..used].join("=")
        }
        _ => String::new(),
    }
}

fn value_number(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    }
    .filter(|n| n.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;
    use dicom_dictionary_std::tags;

    const QIDO: &str = r#"[
      {"00100010": {"vr": "PN", "Value": [{"Alphabetic": "LUNG^CT^REAL"}]},
       "00100020": {"vr": "LO", "Value": ["CT-REAL-1"]},
       "00281050": {"vr": "DS", "Value": ["40", -600.5]},
       "00280010": {"vr": "US", "Value": [512]},
       "00081030": {"vr": "LO"},
       "7FE00010": {"vr": "OW", "BulkDataURI": "http://pacs/bulk/7fe00010"}},
      "not a dataset"
    ]"#;

    #[test]
    fn reads_names_numbers_and_absent_values() {
        let sets = JsonDataset::parse_array(QIDO).expect("valid JSON");
        assert_eq!(sets.len(), 1);
        let d = &sets[0];
        assert_eq!(d.string(tags::PATIENT_ID).as_deref(), Some("CT-REAL-1"));
        assert_eq!(
            d.person_name(tags::PATIENT_NAME).as_deref(),
            Some("LUNG CT REAL")
        );
        assert_eq!(
            d.numbers(tags::WINDOW_CENTER),
            vec![Some(40.0), Some(-600.5)]
        );
        assert_eq!(d.uint(tags::ROWS), Some(512));
        assert_eq!(d.string(tags::STUDY_DESCRIPTION), None);
        assert_eq!(d.vr(tags::ROWS), Some("US"));
        assert_eq!(
            d.bulk_data_uri(tags::PIXEL_DATA),
            Some("http://pacs/bulk/7fe00010")
        );
    }

    #[test]
    fn uids() {
        assert!(is_uid("1.2.840.10008.1.2.4.90"));
        assert!(!is_uid(""));
        assert!(!is_uid("1..2"));
        assert!(!is_uid("1.2/../studies"));
        assert!(!is_uid(&"1".repeat(65)));
    }

    #[test]
    fn bulk_data_paths_stay_under_the_instance() {
        let uri = "http://pacs:8042/dicom-web/studies/1.2/series/3.4/instances/5.6/bulk/00281201";
        assert_eq!(
            bulk_data_path(uri, "1.2", "3.4", "5.6").as_deref(),
            Some("studies/1.2/series/3.4/instances/5.6/bulk/00281201")
        );
        assert_eq!(bulk_data_path(uri, "1.2", "3.4", "9.9"), None);
        let sneaky = "https://evil/studies/1.2/series/3.4/instances/5.6/../../../../x?token=1";
        assert_eq!(bulk_data_path(sneaky, "1.2", "3.4", "5.6"), None);
    }

    #[test]
    fn rejects_non_arrays() {
        assert!(matches!(
            JsonDataset::parse_array("{}"),
            Err(DicomJsonError::NotAnArray)
        ));
        assert!(matches!(
            JsonDataset::parse_array("[{"),
            Err(DicomJsonError::Syntax(_))
        ));
    }
}
