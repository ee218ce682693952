//! The audit trail: who did what, when, from where, with what outcome; and its export as FHIR
//! R4 `AuditEvent` resources in the spirit of IHE BALP (Basic Audit Log Patterns).
//!
//! Events never hold a token, a session identifier or an access code: the detail is one of a
//! few fixed phrases chosen by the code, never text from a request.

use serde::Serialize;
use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// A study's images or documents were opened (recorded once per session and study).
    StudyOpen,
    ShareCreate,
    /// A share link was exchanged for a session.
    ShareUse,
    ShareRevoke,
    /// A share was given a new access code (and unlocked).
    ShareNewCode,
    /// A share link was tried with a wrong or missing access code, too fast, or while locked.
    ShareCodeFailure,
    /// A clinician sign-in (dev login) or a refused bearer token.
    Login,
    LoginFailure,
    /// A request outside what the session may read.
    AccessDenied,
    /// Instances stored by a clinician (STOW-RS: the viewer's reports and key images).
    InstancesStore,
    /// A study of another site opened through the patient's consent to regional sharing
    /// (recorded once per clinician and study, like an opening).
    RegionalOpen,
    /// A patient's consent to regional sharing given or refused, as recorded.
    ConsentRecord,
    /// An emergency access opened (its reason kept with it), flagged for review.
    EmergencyOpen,
    /// An emergency access ended by its clinician before its time.
    EmergencyEnd,
    /// A study read through an emergency access (recorded like an opening).
    EmergencyRead,
    /// A study sent to a professional or a site's team.
    ExchangeSend,
    /// A study sent to the reader opened by them for the first time.
    ExchangeOpen,
    /// A launch from the patient record opened its study or the patient's timeline.
    LaunchOpen,
    /// A launch from the patient record refused (the patient's opposition, an origin not
    /// configured, nothing within reach).
    LaunchRefused,
    /// A launch whose identity differs from the archive's (nothing opened).
    IdentityMismatch,
    /// The clinician confirmed the patient despite the differences.
    IdentityConfirmed,
    /// A study of a remote source read through a manifest (once per clinician and study).
    RemoteOpen,
    /// A manifest's Retrieve URLs outside the declared sources, refused (not fetched).
    RemoteRefused,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::StudyOpen => "study.open",
            Action::ShareCreate => "share.create",
            Action::ShareUse => "share.use",
            Action::ShareRevoke => "share.revoke",
            Action::ShareNewCode => "share.new_code",
            Action::ShareCodeFailure => "share.code_failure",
            Action::Login => "login",
            Action::LoginFailure => "login.failure",
            Action::AccessDenied => "access.denied",
            Action::InstancesStore => "study.store",
            Action::RegionalOpen => "study.regional_open",
            Action::ConsentRecord => "consent.record",
            Action::EmergencyOpen => "emergency.open",
            Action::EmergencyEnd => "emergency.end",
            Action::EmergencyRead => "study.emergency_open",
            Action::ExchangeSend => "exchange.send",
            Action::ExchangeOpen => "exchange.open",
            Action::LaunchOpen => "launch.open",
            Action::LaunchRefused => "launch.refused",
            Action::IdentityMismatch => "launch.identity_mismatch",
            Action::IdentityConfirmed => "launch.identity_confirmed",
            Action::RemoteOpen => "remote.open",
            Action::RemoteRefused => "remote.refused",
        }
    }

    /// The DICOM audit event type (PS3.15 A.5, DCM codes) and FHIR action code.
    fn fhir_type(action: &str) -> (&'static str, &'static str, &'static str) {
        match action {
            "study.open" | "study.regional_open" | "study.emergency_open" => {
                ("110103", "DICOM Instances Accessed", "R")
            }
            "emergency.open" | "emergency.end" => ("110113", "Security Alert", "E"),
            "exchange.send" => ("110106", "Export", "C"),
            "exchange.open" | "launch.open" | "remote.open" => {
                ("110103", "DICOM Instances Accessed", "R")
            }
            "launch.refused"
            | "launch.identity_mismatch"
            | "launch.identity_confirmed"
            | "remote.refused" => ("110113", "Security Alert", "E"),
            "consent.record" => ("110110", "Patient Record", "U"),
            "share.create" => ("110106", "Export", "C"),
            "share.revoke" | "share.new_code" => ("110110", "Patient Record", "U"),
            "access.denied" => ("110103", "DICOM Instances Accessed", "R"),
            "study.store" => ("110104", "DICOM Instances Transferred", "C"),
            _ => ("110114", "User Authentication", "E"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success,
    Failure,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Failure => "failure",
        }
    }
}

/// One row of the trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEvent {
    pub id: String,
    pub at_ms: i64,
    pub action: String,
    pub outcome: String,
    /// `clinician:<subject>`, `share:<share id>`, `dev:<name>` or `anonymous`.
    pub actor: String,
    /// The client's address as the gateway saw it.
    pub source: String,
    pub study_uid: Option<String>,
    pub patient_id: Option<String>,
    pub share_id: Option<String>,
    pub detail: String,
    /// How many times it happened: 1, or for failures counted together
    /// ([`crate::limits`]), how many repeats of the first row this row stands for.
    pub repeats: i64,
}

impl AuditEvent {
    pub fn new(action: Action, outcome: Outcome, actor: &str, source: &str, at_ms: i64) -> Self {
        AuditEvent {
            id: crate::secret::new_id("a"),
            at_ms,
            action: action.as_str().into(),
            outcome: outcome.as_str().into(),
            actor: actor.into(),
            source: source.into(),
            study_uid: None,
            patient_id: None,
            share_id: None,
            detail: String::new(),
            repeats: 1,
        }
    }

    pub fn study(mut self, study_uid: &str, patient_id: Option<&str>) -> Self {
        self.study_uid = Some(study_uid.into());
        self.patient_id = patient_id.map(str::to_string);
        self
    }

    pub fn share(mut self, share_id: &str) -> Self {
        self.share_id = Some(share_id.into());
        self
    }

    pub fn detail(mut self, detail: &'static str) -> Self {
        self.detail = detail.into();
        self
    }

    /// This event as a FHIR R4 AuditEvent.
    pub fn to_fhir(&self) -> Value {
        let (code, display, action) = Action::fhir_type(&self.action);
        let recorded =
            time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(self.at_ms) * 1_000_000)
                .ok()
                .and_then(|t| t.format(&Rfc3339).ok())
                .unwrap_or_default();
        let mut entities = Vec::new();
        if let Some(patient) = &self.patient_id {
            entities.push(json!({
                "what": { "identifier": { "value": patient } },
                "type": { "system": "http://terminology.hl7.org/CodeSystem/audit-entity-type", "code": "1", "display": "Person" },
                "role": { "system": "http://terminology.hl7.org/CodeSystem/object-role", "code": "1", "display": "Patient" }
            }));
        }
        if let Some(study) = &self.study_uid {
            entities.push(json!({
                "what": { "identifier": { "system": "urn:dicom:uid", "value": format!("urn:oid:{study}") } },
                "type": { "system": "http://terminology.hl7.org/CodeSystem/audit-entity-type", "code": "2", "display": "System Object" },
                "role": { "system": "http://terminology.hl7.org/CodeSystem/object-role", "code": "3", "display": "Report" }
            }));
        }
        if let Some(share) = &self.share_id {
            entities.push(json!({
                "what": { "identifier": { "system": "urn:portal:share", "value": share } },
                "type": { "system": "http://terminology.hl7.org/CodeSystem/audit-entity-type", "code": "2", "display": "System Object" }
            }));
        }
        let mut resource = json!({
            "resourceType": "AuditEvent",
            "id": self.id,
            "type": { "system": "http://dicom.nema.org/resources/ontology/DCM", "code": code, "display": display },
            "subtype": [{ "system": "urn:portal:audit-action", "code": self.action }],
            "action": action,
            "recorded": recorded,
            "outcome": if self.outcome == "success" { "0" } else { "4" },
            "outcomeDesc": self.detail,
            "agent": [{
                "who": { "identifier": { "value": self.actor } },
                "requestor": true,
                "network": { "address": self.source, "type": "2" }
            }],
            "source": { "observer": { "display": "portal-gateway" },
                        "type": [{ "system": "http://terminology.hl7.org/CodeSystem/security-source-type", "code": "3", "display": "Web Server" }] },
            "entity": entities
        });
        if self.repeats > 1 {
            resource["extension"] =
                json!([{ "url": "urn:portal:audit-repeats", "valueInteger": self.repeats }]);
        }
        resource
    }
}

/// Events as a FHIR `Bundle` of type `collection`.
pub fn fhir_bundle(events: &[AuditEvent]) -> Value {
    json!({
        "resourceType": "Bundle",
        "type": "collection",
        "total": events.len(),
        "entry": events.iter().map(|e| json!({ "resource": e.to_fhir() })).collect::<Vec<_>>()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fhir_audit_event_names_patient_study_and_outcome() {
        let event = AuditEvent::new(
            Action::StudyOpen,
            Outcome::Success,
            "share:s_1",
            "127.0.0.1",
            1_767_225_600_000,
        )
        .study("1.2.3", Some("PAT-1"))
        .share("s_1");
        let fhir = event.to_fhir();
        assert_eq!(fhir["resourceType"], "AuditEvent");
        assert_eq!(fhir["type"]["code"], "110103");
        assert_eq!(fhir["recorded"], "2026-01-01T00:00:00Z");
        assert_eq!(fhir["outcome"], "0");
        assert_eq!(fhir["entity"][0]["what"]["identifier"]["value"], "PAT-1");
        assert_eq!(
            fhir["entity"][1]["what"]["identifier"]["value"],
            "urn:oid:1.2.3"
        );
        let bundle = fhir_bundle(&[event]);
        assert_eq!(bundle["total"], 1);
    }

    #[test]
    fn failures_are_minor_failures() {
        let e = AuditEvent::new(
            Action::LoginFailure,
            Outcome::Failure,
            "anonymous",
            "::1",
            0,
        )
        .detail("bad signature");
        let fhir = e.to_fhir();
        assert_eq!(fhir["outcome"], "4");
        assert_eq!(fhir["type"]["code"], "110114");
        assert_eq!(fhir["outcomeDesc"], "bad signature");
    }

    #[test]
    fn stored_instances_are_a_dicom_transfer_that_creates() {
        let e = AuditEvent::new(
            Action::InstancesStore,
            Outcome::Success,
            "oidc:dr-martin",
            "10.0.0.9",
            0,
        )
        .study("1.2.3", Some("PAT-1"))
        .detail("instances stored");
        let fhir = e.to_fhir();
        assert_eq!(e.action, "study.store");
        assert_eq!(fhir["type"]["code"], "110104");
        assert_eq!(fhir["action"], "C");
        assert_eq!(fhir["outcome"], "0");
    }
}
