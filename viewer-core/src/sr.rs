//! Structured reports (Basic Text, Enhanced, Comprehensive SR; PS3.3 C.17.3) as a readable
//! document: the content tree of an SR instance's DICOM JSON, each item with its concept name
//! and its value in a form the page can show as text (never as markup).

use dicom_dictionary_std::tags;

use crate::dicom_json::JsonDataset;
use crate::text::person_name_display;

/// Deeper content trees are cut (a crafted report cannot exhaust the stack).
const MAX_DEPTH: usize = 32;
/// More content items than this are not read.
const MAX_ITEMS: usize = 10_000;
/// Points of one SCOORD kept for drawing (a freehand outline has a few hundred).
pub const MAX_POINTS: usize = 4096;

/// A coded concept: its meaning, and the code it stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Code {
    pub meaning: String,
    pub value: String,
    pub scheme: String,
}

/// A reference to an instance (an image or another object) in the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceRef {
    pub sop_class_uid: String,
    pub sop_instance_uid: String,
    /// Referenced frames (1-based), empty for all.
    pub frames: Vec<u32>,
}

/// The value of a content item, by Value Type (0040,A040).
#[derive(Debug, Clone, PartialEq)]
pub enum SrValue {
    Container,
    Text(String),
    Code(Code),
    /// A measurement: the number as written in the report, and its unit's code.
    Num {
        value: String,
        unit: Option<Code>,
    },
    /// DA `YYYYMMDD`, TM, DT as sent.
    Date(String),
    Time(String),
    DateTime(String),
    /// A person, "FAMILY Given" for display.
    PersonName(String),
    Uid(String),
    /// IMAGE, COMPOSITE or WAVEFORM: references to instances.
    Reference(Vec<InstanceRef>),
    /// SCOORD / SCOORD3D: a graphic type and its number of points; for SCOORD, the points
    /// themselves (column, row in image pixels; at most [`MAX_POINTS`], else empty).
    Coordinates {
        graphic_type: String,
        points: usize,
        image_points: Vec<[f64; 2]>,
    },
    /// An item given by reference to another item of the tree (its position, e.g. `1.2.3`).
    ByReference(String),
    /// A value type this reader does not show (named).
    Other(String),
}

/// One content item and its children.
#[derive(Debug, Clone, PartialEq)]
pub struct SrItem {
    /// Relationship with its parent (CONTAINS, HAS PROPERTIES, INFERRED FROM, …).
    pub relationship: Option<String>,
    pub concept: Option<Code>,
    pub value: SrValue,
    pub children: Vec<SrItem>,
}

/// A structured report ready to be shown.
#[derive(Debug, Clone, PartialEq)]
pub struct SrDocument {
    /// The root container's concept (the document title).
    pub title: Option<Code>,
    /// Completion Flag (PARTIAL / COMPLETE) and Verification Flag (UNVERIFIED / VERIFIED).
    pub completion: Option<String>,
    pub verification: Option<String>,
    /// Content Date (DA) and Time (TM) as sent.
    pub content_date: Option<String>,
    pub content_time: Option<String>,
    /// Verifying observers, "FAMILY Given".
    pub verified_by: Vec<String>,
    pub items: Vec<SrItem>,
    /// Items beyond the limits were left out.
    pub truncated: bool,
}

/// Why an instance cannot be read as a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SrError {
    #[error("not a structured report: the root is not a CONTAINER")]
    NotAContainer,
}

/// Referenced Frame Number (0008,1160) of a reference item: 1-based frames, empty for all.
pub(crate) fn referenced_frames(reference: &JsonDataset) -> Vec<u32> {
    reference
        .numbers(tags::REFERENCED_FRAME_NUMBER)
        .into_iter()
        .flatten()
        .filter(|n| n.fract() == 0.0 && *n >= 1.0 && *n <= f64::from(u32::MAX))
        .map(|n| n as u32)
        .collect()
}

fn code(item: &JsonDataset) -> Option<Code> {
    let meaning = item.string(tags::CODE_MEANING).unwrap_or_default();
    let value = item
        .string(tags::CODE_VALUE)
        .or_else(|| item.string(tags::LONG_CODE_VALUE))
        .or_else(|| item.string(tags::URN_CODE_VALUE))
        .unwrap_or_default();
    let scheme = item
        .string(tags::CODING_SCHEME_DESIGNATOR)
        .unwrap_or_default();
    (!meaning.is_empty() || !value.is_empty()).then_some(Code {
        meaning,
        value,
        scheme,
    })
}

fn first_code(ds: &JsonDataset, tag: dicom_core::Tag) -> Option<Code> {
    ds.items(tag).first().and_then(code)
}

fn value_of(ds: &JsonDataset) -> SrValue {
    let value_type = ds.string(tags::VALUE_TYPE).unwrap_or_default();
    let text = |tag| ds.string(tag).unwrap_or_default();
    match value_type.as_str() {
        "CONTAINER" => SrValue::Container,
        "TEXT" => SrValue::Text(text(tags::TEXT_VALUE)),
        "CODE" => match first_code(ds, tags::CONCEPT_CODE_SEQUENCE) {
            Some(c) => SrValue::Code(c),
            None => SrValue::Other(value_type),
        },
        "NUM" => {
            let measured = ds.items(tags::MEASURED_VALUE_SEQUENCE);
            let measured = measured.first();
            SrValue::Num {
                value: measured
                    .and_then(|m| m.string(tags::NUMERIC_VALUE))
                    .unwrap_or_default(),
                unit: measured.and_then(|m| first_code(m, tags::MEASUREMENT_UNITS_CODE_SEQUENCE)),
            }
        }
        "DATE" => SrValue::Date(text(tags::DATE)),
        "TIME" => SrValue::Time(text(tags::TIME)),
        "DATETIME" => SrValue::DateTime(text(tags::DATE_TIME)),
        "PNAME" => SrValue::PersonName(person_name_display(&text(tags::PERSON_NAME))),
        "UIDREF" => SrValue::Uid(text(tags::UID)),
        "IMAGE" | "COMPOSITE" | "WAVEFORM" => SrValue::Reference(
            ds.items(tags::REFERENCED_SOP_SEQUENCE)
                .iter()
                .map(|r| InstanceRef {
                    sop_class_uid: r.string(tags::REFERENCED_SOP_CLASS_UID).unwrap_or_default(),
                    sop_instance_uid: r
                        .string(tags::REFERENCED_SOP_INSTANCE_UID)
                        .unwrap_or_default(),
                    frames: referenced_frames(r),
                })
                .collect(),
        ),
        "SCOORD" | "SCOORD3D" => {
            let data = ds.numbers(tags::GRAPHIC_DATA);
            let per_point = if value_type == "SCOORD" { 2 } else { 3 };
            let points = data.len() / per_point;
            let image_points = if per_point == 2 && points <= MAX_POINTS {
                data.chunks_exact(2)
                    .map(|p| match p {
                        [Some(x), Some(y)] if x.is_finite() && y.is_finite() => Some([*x, *y]),
                        _ => None,
                    })
                    .collect::<Option<Vec<_>>>()
                    .unwrap_or_default()
            } else {
                Vec::new()
            };
            SrValue::Coordinates {
                graphic_type: text(tags::GRAPHIC_TYPE),
                points,
                image_points,
            }
        }
        "" if ds.vr(tags::REFERENCED_CONTENT_ITEM_IDENTIFIER).is_some() => SrValue::ByReference(
            ds.numbers(tags::REFERENCED_CONTENT_ITEM_IDENTIFIER)
                .into_iter()
                .flatten()
                .map(|n| (n as u64).to_string())
                .collect::<Vec<_>>()
                .join("."),
        ),
        other => SrValue::Other(other.to_string()),
    }
}

fn children(
    ds: &JsonDataset,
    depth: usize,
    budget: &mut usize,
    truncated: &mut bool,
) -> Vec<SrItem> {
    let mut out = Vec::new();
    for item in ds.items(tags::CONTENT_SEQUENCE) {
        if depth >= MAX_DEPTH || *budget == 0 {
            *truncated = true;
            break;
        }
        *budget -= 1;
        out.push(SrItem {
            relationship: item.string(tags::RELATIONSHIP_TYPE),
            concept: first_code(&item, tags::CONCEPT_NAME_CODE_SEQUENCE),
            value: value_of(&item),
            children: children(&item, depth + 1, budget, truncated),
        });
    }
    out
}

/// Reads a report from an SR instance's DICOM JSON (WADO-RS metadata or a local file).
pub fn read_report(ds: &JsonDataset) -> Result<SrDocument, SrError> {
    if ds.string(tags::VALUE_TYPE).as_deref() != Some("CONTAINER") {
        return Err(SrError::NotAContainer);
    }
    let mut budget = MAX_ITEMS;
    let mut truncated = false;
    let items = children(ds, 0, &mut budget, &mut truncated);
    Ok(SrDocument {
        title: first_code(ds, tags::CONCEPT_NAME_CODE_SEQUENCE),
        completion: ds.string(tags::COMPLETION_FLAG),
        verification: ds.string(tags::VERIFICATION_FLAG),
        content_date: ds.string(tags::CONTENT_DATE),
        content_time: ds.string(tags::CONTENT_TIME),
        verified_by: ds
            .items(tags::VERIFYING_OBSERVER_SEQUENCE)
            .iter()
            .filter_map(|o| o.person_name(tags::VERIFYING_OBSERVER_NAME))
            .collect(),
        items,
        truncated,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(content: &str) -> JsonDataset {
        JsonDataset::parse_array(&format!(
            r#"[{{"0040A040":{{"vr":"CS","Value":["CONTAINER"]}},
                "0040A043":{{"vr":"SQ","Value":[{{"00080100":{{"vr":"SH","Value":["11528-7"]}},
                    "00080102":{{"vr":"SH","Value":["LN"]}},"00080104":{{"vr":"LO","Value":["Radiology Report"]}}}}]}},
                "0040A491":{{"vr":"CS","Value":["COMPLETE"]}},"0040A493":{{"vr":"CS","Value":["VERIFIED"]}},
                "0040A073":{{"vr":"SQ","Value":[{{"0040A075":{{"vr":"PN","Value":[{{"Alphabetic":"MARTIN^Anne"}}]}}}}]}},
                "0040A730":{{"vr":"SQ","Value":[{content}]}}}}]"#
        ))
        .expect("valid JSON")
        .remove(0)
    }

    fn concept(meaning: &str) -> String {
        format!(
            r#""0040A043":{{"vr":"SQ","Value":[{{"00080100":{{"vr":"SH","Value":["X"]}},"00080102":{{"vr":"SH","Value":["99T"]}},"00080104":{{"vr":"LO","Value":["{meaning}"]}}}}]}}"#
        )
    }

    #[test]
    fn a_report_reads_as_title_header_and_typed_items() {
        let content = format!(
            r#"{{"0040A010":{{"vr":"CS","Value":["CONTAINS"]}},"0040A040":{{"vr":"CS","Value":["CONTAINER"]}},{f},
                 "0040A730":{{"vr":"SQ","Value":[
                   {{"0040A010":{{"vr":"CS","Value":["CONTAINS"]}},"0040A040":{{"vr":"CS","Value":["TEXT"]}},{t},"0040A160":{{"vr":"UT","Value":["No lesion."]}}}},
                   {{"0040A010":{{"vr":"CS","Value":["CONTAINS"]}},"0040A040":{{"vr":"CS","Value":["NUM"]}},{n},
                     "0040A300":{{"vr":"SQ","Value":[{{"0040A30A":{{"vr":"DS","Value":[12.5]}},
                       "004008EA":{{"vr":"SQ","Value":[{{"00080100":{{"vr":"SH","Value":["mm"]}},"00080102":{{"vr":"SH","Value":["UCUM"]}},"00080104":{{"vr":"LO","Value":["millimeter"]}}}}]}}}}]}}}},
                   {{"0040A010":{{"vr":"CS","Value":["INFERRED FROM"]}},"0040A040":{{"vr":"CS","Value":["IMAGE"]}},
                     "00081199":{{"vr":"SQ","Value":[{{"00081150":{{"vr":"UI","Value":["1.2.840.10008.5.1.4.1.1.2"]}},"00081155":{{"vr":"UI","Value":["1.2.3.4"]}},"00081160":{{"vr":"IS","Value":[2]}}}}]}}}},
                   {{"0040A010":{{"vr":"CS","Value":["HAS OBS CONTEXT"]}},"0040A040":{{"vr":"CS","Value":["PNAME"]}},{p},"0040A123":{{"vr":"PN","Value":[{{"Alphabetic":"DURAND^Paul"}}]}}}},
                   {{"0040A010":{{"vr":"CS","Value":["CONTAINS"]}},"0040DB73":{{"vr":"UL","Value":[1,2]}}}}
                 ]}}}}"#,
            f = concept("Findings"),
            t = concept("Finding"),
            n = concept("Diameter"),
            p = concept("Observer")
        );
        let doc = read_report(&report(&content)).expect("a report");
        assert_eq!(
            doc.title.as_ref().map(|c| c.meaning.as_str()),
            Some("Radiology Report")
        );
        assert_eq!(doc.completion.as_deref(), Some("COMPLETE"));
        assert_eq!(doc.verified_by, vec!["MARTIN Anne".to_string()]);
        let findings = &doc.items[0];
        assert_eq!(findings.value, SrValue::Container);
        assert_eq!(
            findings.concept.as_ref().map(|c| c.meaning.as_str()),
            Some("Findings")
        );
        let values: Vec<&SrValue> = findings.children.iter().map(|c| &c.value).collect();
        assert_eq!(values[0], &SrValue::Text("No lesion.".into()));
        let SrValue::Num { value, unit } = values[1] else {
            panic!("not a number: {:?}", values[1]);
        };
        assert_eq!(value, "12.5");
        assert_eq!(unit.as_ref().map(|u| u.value.as_str()), Some("mm"));
        assert_eq!(
            values[2],
            &SrValue::Reference(vec![InstanceRef {
                sop_class_uid: "1.2.840.10008.5.1.4.1.1.2".into(),
                sop_instance_uid: "1.2.3.4".into(),
                frames: vec![2],
            }])
        );
        assert_eq!(
            findings.children[2].relationship.as_deref(),
            Some("INFERRED FROM")
        );
        assert_eq!(values[3], &SrValue::PersonName("DURAND Paul".into()));
        assert_eq!(values[4], &SrValue::ByReference("1.2".into()));
        assert!(!doc.truncated);
    }

    #[test]
    fn a_non_container_root_is_refused_and_deep_trees_are_cut() {
        let not_sr = JsonDataset::parse_array(r#"[{"0040A040":{"vr":"CS","Value":["TEXT"]}}]"#)
            .expect("valid JSON")
            .remove(0);
        assert_eq!(read_report(&not_sr), Err(SrError::NotAContainer));
        let mut nested = String::from(
            r#"{"0040A040":{"vr":"CS","Value":["TEXT"]},"0040A160":{"vr":"UT","Value":["leaf"]}}"#,
        );
        for _ in 0..40 {
            nested = format!(
                r#"{{"0040A040":{{"vr":"CS","Value":["CONTAINER"]}},"0040A730":{{"vr":"SQ","Value":[{nested}]}}}}"#
            );
        }
        let doc = read_report(&report(&nested)).expect("a report");
        assert!(doc.truncated);
    }
}
