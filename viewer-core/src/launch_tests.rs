#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use super::*;
use crate::ins::OID_INS_NIR_TEST;

/// A complete launch for the national test patient.
fn fields() -> Vec<(String, String)> {
    [
        ("Patient.identifier.value", "279035121518989"),
        ("Patient.identifier.system", "urn:oid:1.2.250.1.213.1.4.10"),
        ("Patient.name.family", "PAT-TROIS"),
        ("Patient.name.given", "DOMINIQUE MARIE"),
        ("Patient.gender", "female"),
        ("Patient.birthDate", "1979-03-28"),
        ("Address.district", "63220"),
        ("InformationEtOppositionConsultation", "true"),
        ("PatientID", "IPP-000123"),
        ("PatientIDIssuer", "CHU-DEMO"),
        ("StudyInstanceUID", "1.2.826.0.1.3680043.8.498.1"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

fn with(name: &str, value: &str) -> Vec<(String, String)> {
    let mut f: Vec<_> = fields().into_iter().filter(|(k, _)| k != name).collect();
    f.push((name.to_string(), value.to_string()));
    f
}

fn without(name: &str) -> Vec<(String, String)> {
    fields().into_iter().filter(|(k, _)| k != name).collect()
}

#[test]
fn a_complete_launch_is_read() {
    let launch = ContextualLaunch::from_fields(&fields()).unwrap();
    assert_eq!(launch.ins_matricule, "279035121518989");
    assert_eq!(launch.ins_oid, OID_INS_NIR_TEST);
    assert_eq!(launch.traits.birth_name.as_deref(), Some("PAT-TROIS"));
    assert_eq!(launch.traits.first_given_name.as_deref(), Some("DOMINIQUE"));
    assert_eq!(launch.traits.birth_date.as_deref(), Some("19790328"));
    assert_eq!(launch.traits.sex, Some(Sex::Female));
    assert_eq!(launch.traits.birth_place_code.as_deref(), Some("63220"));
    assert!(launch.consultation_allowed);
    assert_eq!(launch.patient_id, "IPP-000123");
    assert_eq!(
        launch.study_uid.as_deref(),
        Some("1.2.826.0.1.3680043.8.498.1")
    );
    assert!(launch.ins().is_some());
}

#[test]
fn every_mandatory_parameter_is_required_by_name() {
    for name in MANDATORY {
        assert_eq!(
            ContextualLaunch::from_fields(&without(name)),
            Err(LaunchError::Missing(name)),
            "{name}"
        );
        assert_eq!(
            ContextualLaunch::from_fields(&with(name, "  ")),
            Err(LaunchError::Missing(name)),
            "{name} blank"
        );
    }
}

#[test]
fn an_unknown_or_repeated_parameter_is_refused_by_name() {
    let mut f = fields();
    f.push(("Patient.name.nickname".into(), "x".into()));
    assert_eq!(
        ContextualLaunch::from_fields(&f),
        Err(LaunchError::Unknown("Patient.name.nickname".into()))
    );
    let mut f = fields();
    f.push(("PatientID".into(), "other".into()));
    assert_eq!(
        ContextualLaunch::from_fields(&f),
        Err(LaunchError::Repeated("PatientID"))
    );
    // A hostile name is cut to printable ASCII before it reaches a message.
    let mut f = fields();
    f.push(("<script>\n".into(), "x".into()));
    assert_eq!(
        ContextualLaunch::from_fields(&f),
        Err(LaunchError::Unknown("<script>".into()))
    );
}

#[test]
fn malformed_values_are_refused_by_name() {
    for (name, value) in [
        ("StudyInstanceUID", "1.2.abc"),
        ("StudyInstanceUID", "1..2"),
        ("Patient.birthDate", "1979-02-30"),
        ("Patient.birthDate", "28/03/1979"),
        ("Patient.gender", "feminin"),
        ("Address.district", "6322"),
        ("InformationEtOppositionConsultation", "oui"),
        ("StudyDate", "2024-13-01"),
        ("StudyDate", "-"),
        ("Modality", "ct"),
        ("AccessionNumber", "A-VERY-LONG-ACCESSION-NUMBER"),
        ("PatientID", "a\\b"),
        ("Situation", "line\nbreak"),
    ] {
        assert_eq!(
            ContextualLaunch::from_fields(&with(name, value)),
            Err(LaunchError::Invalid(name)),
            "{name}={value}"
        );
    }
}

#[test]
fn the_ins_is_checked_and_its_errors_name_the_parameter() {
    assert_eq!(
        ContextualLaunch::from_fields(&with("Patient.identifier.value", "279035121518988")),
        Err(LaunchError::Ins(
            "Patient.identifier.value",
            InsError::WrongKey
        ))
    );
    assert_eq!(
        ContextualLaunch::from_fields(&with("Patient.identifier.system", "1.2.3.4")),
        Err(LaunchError::Ins(
            "Patient.identifier.system",
            InsError::UnknownOid
        ))
    );
    let e = ContextualLaunch::from_fields(&with("Patient.identifier.value", "279035121518988"))
        .unwrap_err();
    assert!(!e.to_string().contains("27903"), "{e}");
}

#[test]
fn study_dates_and_ranges_are_read_as_da() {
    for (given, read) in [
        ("20240115", "20240115"),
        ("2024-01-15", "20240115"),
        ("20240101-20240131", "20240101-20240131"),
        ("20240101-", "20240101-"),
        ("-20240131", "-20240131"),
    ] {
        let launch = ContextualLaunch::from_fields(&with("StudyDate", given)).unwrap();
        assert_eq!(launch.study_date.as_deref(), Some(read), "{given}");
    }
    let launch =
        ContextualLaunch::from_fields(&with("InformationEtOppositionConsultation", "false"))
            .unwrap();
    assert!(!launch.consultation_allowed);
    let launch = ContextualLaunch::from_fields(&with("Address.district", "2A004")).unwrap();
    assert_eq!(launch.traits.birth_place_code.as_deref(), Some("2A004"));
}
