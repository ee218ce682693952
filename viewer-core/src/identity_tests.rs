#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use serde_json::json;

use super::*;

fn dataset(value: serde_json::Value) -> JsonDataset {
    JsonDataset(value.as_object().unwrap().clone())
}

fn patient(name: &str, birth_name: Option<&str>, date: &str, sex: &str) -> JsonDataset {
    let mut ds = json!({
        "00100010": {"vr": "PN", "Value": [{"Alphabetic": name}]},
        "00100030": {"vr": "DA", "Value": [date]},
        "00100040": {"vr": "CS", "Value": [sex]},
    });
    if let Some(birth) = birth_name {
        ds["00101005"] = json!({"vr": "PN", "Value": [{"Alphabetic": birth}]});
    }
    dataset(ds)
}

#[test]
fn traits_read_the_birth_name_first_and_the_first_given_name() {
    let t = StrictTraits::of_dataset(&patient(
        "MARTIN^Marie Claire",
        Some("DURAND"),
        "19790328",
        "F",
    ));
    assert_eq!(t.birth_name.as_deref(), Some("DURAND"));
    assert_eq!(t.first_given_name.as_deref(), Some("Marie"));
    assert_eq!(t.birth_date.as_deref(), Some("19790328"));
    assert_eq!(t.sex, Some(Sex::Female));
    assert_eq!(t.birth_place_code, None);
    // Without a birth name: the family name of Patient's Name.
    let t = StrictTraits::of_dataset(&patient("MARTIN^Marie", None, "1979", "X"));
    assert_eq!(t.birth_name.as_deref(), Some("MARTIN"));
    assert_eq!(t.birth_date, None, "a partial date is not a trait");
    assert_eq!(t.sex, None);
}

#[test]
fn names_compare_as_the_national_identity_writes_them() {
    assert_eq!(normalised("  Lefèvre-D'Orléans "), "LEFEVRE D ORLEANS");
    assert_eq!(normalised("Cœur  Joie"), "COEUR JOIE");
    let a = StrictTraits::of_dataset(&patient("Lefèvre^Hélène", None, "19790328", "F"));
    let b = StrictTraits::of_dataset(&patient("LEFEVRE^HELENE", None, "19790328", "F"));
    assert!(a.differences(&b).is_empty());
}

#[test]
fn differences_name_each_trait_known_on_both_sides() {
    let a = StrictTraits::of_dataset(&patient("DURAND^Marie", None, "19790328", "F"));
    let b = StrictTraits::of_dataset(&patient("DURANT^Marie", None, "19790329", "M"));
    assert_eq!(
        a.differences(&b),
        vec![Trait::BirthName, Trait::BirthDate, Trait::Sex]
    );
    let unknown = StrictTraits::default();
    assert!(
        a.differences(&unknown).is_empty(),
        "unknown is not different"
    );
}

#[test]
fn the_identity_of_a_dataset_holds_its_local_id_and_its_ins() {
    let ds = dataset(json!({
        "00100010": {"vr": "PN", "Value": [{"Alphabetic": "PAT-TROIS^DOMINIQUE"}]},
        "00100020": {"vr": "LO", "Value": ["IPP-1"]},
        "00100021": {"vr": "LO", "Value": ["CHU-DEMO"]},
        "00101002": {"vr": "SQ", "Value": [{
            "00100020": {"vr": "LO", "Value": ["279035121518989"]},
            "00100021": {"vr": "LO", "Value": ["ASIP-SANTE-INS-NIR"]},
        }]},
    }));
    let id = PatientIdentity::of_dataset(&ds);
    assert_eq!(id.patient_id.as_deref(), Some("IPP-1"));
    assert_eq!(id.issuer.as_deref(), Some("CHU-DEMO"));
    assert_eq!(id.ins.ins().unwrap().matricule, "279035121518989");
    assert_eq!(id.traits.birth_name.as_deref(), Some("PAT-TROIS"));
}
