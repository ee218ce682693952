//! SR content items (PS3.3 C.17.3) under construction: coded concepts, the item builder the
//! templates use, and the element helpers the document writer shares.

use dicom_core::value::DataSetSequence;
use dicom_core::{DataElement, PrimitiveValue, Tag, VR};
use dicom_dictionary_std::tags;
use dicom_object::InMemDicomObject;

use super::ImageInSeries;

/// A coded concept (code value, scheme, meaning).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Coded {
    pub value: &'static str,
    pub scheme: &'static str,
    pub meaning: &'static str,
}

pub(crate) const fn dcm(value: &'static str, meaning: &'static str) -> Coded {
    Coded {
        value,
        scheme: "DCM",
        meaning,
    }
}

pub(crate) const fn sct(value: &'static str, meaning: &'static str) -> Coded {
    Coded {
        value,
        scheme: "SCT",
        meaning,
    }
}

pub(crate) const fn ucum(value: &'static str, meaning: &'static str) -> Coded {
    Coded {
        value,
        scheme: "UCUM",
        meaning,
    }
}

pub(super) fn put_str(obj: &mut InMemDicomObject, tag: Tag, vr: VR, value: &str) {
    obj.put(DataElement::new(tag, vr, PrimitiveValue::from(value)));
}

pub(super) fn put_items(obj: &mut InMemDicomObject, tag: Tag, items: Vec<InMemDicomObject>) {
    obj.put(DataElement::new(tag, VR::SQ, DataSetSequence::from(items)));
}

fn code_item(code: Coded) -> InMemDicomObject {
    let mut item = InMemDicomObject::new_empty();
    put_str(&mut item, tags::CODE_VALUE, VR::SH, code.value);
    put_str(
        &mut item,
        tags::CODING_SCHEME_DESIGNATOR,
        VR::SH,
        code.scheme,
    );
    put_str(&mut item, tags::CODE_MEANING, VR::LO, code.meaning);
    item
}

/// One content item under construction (PS3.3 C.17.3): relationship, value type, concept.
pub(crate) struct Item(InMemDicomObject, Vec<InMemDicomObject>);

impl Item {
    fn new(relationship: Option<&str>, value_type: &str, concept: Option<Coded>) -> Self {
        let mut obj = InMemDicomObject::new_empty();
        if let Some(r) = relationship {
            put_str(&mut obj, tags::RELATIONSHIP_TYPE, VR::CS, r);
        }
        put_str(&mut obj, tags::VALUE_TYPE, VR::CS, value_type);
        if let Some(concept) = concept {
            put_items(
                &mut obj,
                tags::CONCEPT_NAME_CODE_SEQUENCE,
                vec![code_item(concept)],
            );
        }
        Item(obj, Vec::new())
    }

    pub(crate) fn container(relationship: Option<&str>, concept: Coded) -> Self {
        let mut item = Item::new(relationship, "CONTAINER", Some(concept));
        put_str(&mut item.0, tags::CONTINUITY_OF_CONTENT, VR::CS, "SEPARATE");
        item
    }

    pub(crate) fn code(relationship: &str, concept: Coded, value: Coded) -> Self {
        let mut item = Item::new(Some(relationship), "CODE", Some(concept));
        put_items(
            &mut item.0,
            tags::CONCEPT_CODE_SEQUENCE,
            vec![code_item(value)],
        );
        item
    }

    pub(crate) fn text(relationship: &str, concept: Coded, value: &str) -> Self {
        let mut item = Item::new(Some(relationship), "TEXT", Some(concept));
        put_str(&mut item.0, tags::TEXT_VALUE, VR::UT, value);
        item
    }

    pub(crate) fn uid(relationship: &str, concept: Coded, value: &str) -> Self {
        let mut item = Item::new(Some(relationship), "UIDREF", Some(concept));
        put_str(&mut item.0, tags::UID, VR::UI, value);
        item
    }

    pub(crate) fn person(relationship: &str, concept: Coded, value: &str) -> Self {
        let mut item = Item::new(Some(relationship), "PNAME", Some(concept));
        put_str(&mut item.0, tags::PERSON_NAME, VR::PN, value);
        item
    }

    /// A NUM item: the value written with up to 6 decimals (DS holds 16 characters).
    pub(crate) fn num(relationship: &str, concept: Coded, value: f64, unit: Coded) -> Self {
        let mut item = Item::new(Some(relationship), "NUM", Some(concept));
        let mut measured = InMemDicomObject::new_empty();
        put_str(
            &mut measured,
            tags::NUMERIC_VALUE,
            VR::DS,
            &decimal_string(value),
        );
        put_items(
            &mut measured,
            tags::MEASUREMENT_UNITS_CODE_SEQUENCE,
            vec![code_item(unit)],
        );
        put_items(&mut item.0, tags::MEASURED_VALUE_SEQUENCE, vec![measured]);
        item
    }

    /// An SCOORD item (image pixel coordinates, column then row).
    pub(crate) fn scoord(
        relationship: &str,
        concept: Option<Coded>,
        graphic_type: &str,
        points: &[[f64; 2]],
    ) -> Self {
        let mut item = Item::new(Some(relationship), "SCOORD", concept);
        put_str(&mut item.0, tags::GRAPHIC_TYPE, VR::CS, graphic_type);
        let data: Vec<f32> = points
            .iter()
            .flat_map(|p| [p[0] as f32, p[1] as f32])
            .collect();
        item.0.put(DataElement::new(
            tags::GRAPHIC_DATA,
            VR::FL,
            PrimitiveValue::F32(data.into()),
        ));
        item
    }

    /// An IMAGE item referring to `image` (and its frame).
    pub(crate) fn image(relationship: &str, image: &ImageInSeries) -> Self {
        let mut obj = InMemDicomObject::new_empty();
        put_str(&mut obj, tags::RELATIONSHIP_TYPE, VR::CS, relationship);
        put_str(&mut obj, tags::VALUE_TYPE, VR::CS, "IMAGE");
        put_items(
            &mut obj,
            tags::REFERENCED_SOP_SEQUENCE,
            vec![sop_reference(image)],
        );
        Item(obj, Vec::new())
    }

    pub(crate) fn with(mut self, child: Item) -> Self {
        self.1.push(child.finish());
        self
    }

    pub(crate) fn with_all(mut self, children: impl IntoIterator<Item = Item>) -> Self {
        self.1.extend(children.into_iter().map(Item::finish));
        self
    }

    pub(super) fn finish(self) -> InMemDicomObject {
        let Item(mut obj, children) = self;
        if !children.is_empty() {
            put_items(&mut obj, tags::CONTENT_SEQUENCE, children);
        }
        obj
    }
}

/// TID 1002 Observer Context for a person: the signed-in reader (`name` in DICOM PN form).
pub(crate) fn observer_context(name: &str) -> [Item; 2] {
    [
        Item::code(
            "HAS OBS CONTEXT",
            dcm("121005", "Observer Type"),
            dcm("121006", "Person"),
        ),
        Item::person(
            "HAS OBS CONTEXT",
            dcm("121008", "Person Observer Name"),
            name,
        ),
    ]
}

/// `value` as a Decimal String of at most 16 characters.
fn decimal_string(value: f64) -> String {
    if !value.is_finite() {
        return "0".into();
    }
    for decimals in (0..=6).rev() {
        let s = format!("{value:.decimals$}");
        let s = if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        };
        if s.len() <= 16 {
            return s;
        }
    }
    format!("{value:.6e}")
}

pub(super) fn sop_reference(image: &ImageInSeries) -> InMemDicomObject {
    let mut reference = InMemDicomObject::new_empty();
    put_str(
        &mut reference,
        tags::REFERENCED_SOP_CLASS_UID,
        VR::UI,
        &image.sop_class_uid,
    );
    put_str(
        &mut reference,
        tags::REFERENCED_SOP_INSTANCE_UID,
        VR::UI,
        &image.sop_instance_uid,
    );
    if let Some(frame) = image.frame {
        put_str(
            &mut reference,
            tags::REFERENCED_FRAME_NUMBER,
            VR::IS,
            &frame.to_string(),
        );
    }
    reference
}

#[cfg(test)]
mod tests {
    use super::decimal_string;

    #[test]
    fn decimal_strings_fit_sixteen_characters() {
        assert_eq!(decimal_string(62.695_31), "62.69531");
        assert_eq!(decimal_string(-1024.0), "-1024");
        assert_eq!(decimal_string(0.125), "0.125");
        assert!(decimal_string(123_456_789.123_456_7).len() <= 16);
        assert_eq!(decimal_string(f64::NAN), "0");
    }
}
