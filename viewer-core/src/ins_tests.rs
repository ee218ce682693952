#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use serde_json::json;

use super::*;

/// The national test patient's INS-NIR (a test identity, key 89).
const TEST_MATRICULE: &str = "279035121518989";

fn dataset(value: serde_json::Value) -> JsonDataset {
    JsonDataset(value.as_object().unwrap().clone())
}

/// An Other Patient IDs Sequence item: an ID, its issuer's name and OID.
fn other_id(id: &str, issuer: &str, oid: Option<&str>) -> serde_json::Value {
    let mut item = json!({
        "00100020": {"vr": "LO", "Value": [id]},
        "00100021": {"vr": "LO", "Value": [issuer]},
    });
    if let Some(oid) = oid {
        item["00100024"] = json!({"vr": "SQ", "Value": [{
            "00400032": {"vr": "UT", "Value": [oid]},
            "00400033": {"vr": "CS", "Value": ["ISO"]},
        }]});
    }
    item
}

fn with_others(items: Vec<serde_json::Value>) -> JsonDataset {
    dataset(json!({
        "00100020": {"vr": "LO", "Value": ["IPP-000123"]},
        "00100021": {"vr": "LO", "Value": ["CHU-DEMO"]},
        "00101002": {"vr": "SQ", "Value": items},
    }))
}

#[test]
fn a_qualified_ins_in_other_patient_ids_is_found() {
    let ds = with_others(vec![
        other_id("998877", "CLINIQUE-DEMO", None),
        other_id(TEST_MATRICULE, "ASIP-SANTE-INS-NIR", Some(OID_INS_NIR_TEST)),
    ]);
    let finding = InsFinding::of_dataset(&ds);
    let ins = finding.ins().expect("found");
    assert_eq!(ins.matricule, TEST_MATRICULE);
    assert_eq!(ins.kind, InsKind::TestNir);
    assert!(ins.kind.is_test());
    assert_eq!(ins.oid(), "1.2.250.1.213.1.4.10");
    assert_eq!(ins.key(), format!("{TEST_MATRICULE}@1.2.250.1.213.1.4.10"));
}

#[test]
fn the_patient_id_itself_is_the_ins_when_its_issuer_is_the_ins_domain() {
    let ds = dataset(other_id(
        TEST_MATRICULE,
        "ASIP-SANTE-INS-NIR",
        Some(OID_INS_NIR),
    ));
    assert_eq!(
        InsFinding::of_dataset(&ds).ins().map(|i| i.kind),
        Some(InsKind::Nir)
    );
    // Named by the issuer alone: the domain the name says.
    let ds = dataset(other_id(TEST_MATRICULE, "asip-sante-ins-nir", None));
    assert_eq!(
        InsFinding::of_dataset(&ds).ins().map(|i| i.kind),
        Some(InsKind::Nir)
    );
}

#[test]
fn the_oid_decides_over_the_issuer_name() {
    let ds = with_others(vec![other_id(
        TEST_MATRICULE,
        "ASIP-SANTE-INS-NIR",
        Some("urn:oid:1.2.250.1.213.1.4.11"),
    )]);
    assert_eq!(
        InsFinding::of_dataset(&ds).ins().map(|i| i.kind),
        Some(InsKind::TestNia)
    );
}

#[test]
fn a_malformed_matricule_is_invalid_not_absent() {
    for bad in [
        "27903512151898",
        "2790351215189899",
        "579035121518989",
        "2790X5121518989",
        "",
    ] {
        let ds = with_others(vec![other_id(bad, "ASIP-SANTE-INS-NIR", Some(OID_INS_NIR))]);
        assert_eq!(
            InsFinding::of_dataset(&ds),
            InsFinding::Invalid(InsError::MalformedMatricule),
            "{bad:?}"
        );
    }
}

#[test]
fn a_wrong_key_is_refused() {
    let ds = with_others(vec![other_id(
        "279035121518988",
        "ASIP-SANTE-INS-NIR",
        Some(OID_INS_NIR_TEST),
    )]);
    assert_eq!(
        InsFinding::of_dataset(&ds),
        InsFinding::Invalid(InsError::WrongKey)
    );
    assert_eq!(
        Ins::parse("279035121518988", OID_INS_NIR),
        Err(InsError::WrongKey)
    );
}

#[test]
fn an_unknown_oid_of_the_national_arc_is_refused_and_others_ignored() {
    // The retired computed INS-C: under the national arc, not a domain of today's INS.
    let ds = with_others(vec![other_id(
        TEST_MATRICULE,
        "INS-C",
        Some("1.2.250.1.213.1.4.2"),
    )]);
    assert_eq!(
        InsFinding::of_dataset(&ds),
        InsFinding::Invalid(InsError::UnknownOid)
    );
    // An INS issuer name with a foreign OID: refused, not trusted.
    let ds = with_others(vec![other_id(
        TEST_MATRICULE,
        "ASIP-SANTE-INS-NIR",
        Some("1.2.3.4"),
    )]);
    assert_eq!(
        InsFinding::of_dataset(&ds),
        InsFinding::Invalid(InsError::UnknownOid)
    );
    // Another establishment's ID with its own OID: not an INS at all.
    let ds = with_others(vec![other_id(
        "4455",
        "HOPITAL-X",
        Some("1.2.250.1.71.4.2.2"),
    )]);
    assert_eq!(InsFinding::of_dataset(&ds), InsFinding::Absent);
    assert_eq!(
        Ins::parse(TEST_MATRICULE, "1.2.3"),
        Err(InsError::UnknownOid)
    );
}

#[test]
fn a_valid_ins_wins_over_an_invalid_one_before_it() {
    let ds = with_others(vec![
        other_id("279035121518988", "ASIP-SANTE-INS-NIR", Some(OID_INS_NIR)),
        other_id(TEST_MATRICULE, "ASIP-SANTE-INS-NIR", Some(OID_INS_NIR_TEST)),
    ]);
    assert!(InsFinding::of_dataset(&ds).ins().is_some());
}

#[test]
fn corsican_matricules_count_2a_and_2b_as_19_and_18() {
    // 1 85 05 2A 004 123 key: 97 - (1850519004123 mod 97).
    let key = |n: u64| 97 - n % 97;
    let a = format!("185052A004123{:02}", key(1_850_519_004_123));
    let b = format!("185052B004123{:02}", key(1_850_518_004_123));
    assert_eq!(Ins::parse(&a, OID_INS_NIR).unwrap().matricule, a);
    assert_eq!(Ins::parse(&b, OID_INS_NIR).unwrap().matricule, b);
    // Lower case is read as capitals.
    assert!(Ins::parse(&a.to_lowercase(), OID_INS_NIR).is_ok());
    let wrong = format!("185052A004123{:02}", key(1_850_518_004_123));
    assert_eq!(Ins::parse(&wrong, OID_INS_NIR), Err(InsError::WrongKey));
}

#[test]
fn errors_never_carry_the_matricule() {
    let e = Ins::parse("279035121518988", OID_INS_NIR).unwrap_err();
    assert!(!e.to_string().contains("2790351215"));
}
