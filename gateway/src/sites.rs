//! The region's sites, and which studies a clinician reaches through their own.
//!
//! A regional PACS holds the studies of several establishments. Each site (a hospital, a
//! practice) owns the studies whose Issuer of Patient ID (0010,0021), the domain of its local
//! patient IDs, is one of its issuers (`SITES_FILE`). A clinician belongs to the sites their
//! token names (`OIDC_SITE_CLAIM`). Without a site file the portal serves one establishment
//! and every clinician reads the whole archive.
//!
//! Pure: the site file's form, the claim's form and the decision; the gateway asks the PACS
//! for a study's issuer ([`crate::reach`]).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

/// One establishment of the region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Site {
    /// What tokens name (`site` claim) and the audit trail records.
    pub id: String,
    /// What people read.
    pub name: String,
    /// The Issuer of Patient ID values of its studies.
    #[serde(skip_serializing)]
    pub issuers: Vec<String>,
    /// Its professionals in the region's directory (exchanges are sent to them by name).
    #[serde(default, skip_serializing)]
    pub professionals: Vec<Professional>,
}

/// A professional of the region's directory: the identity provider's subject is the key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Professional {
    /// The `sub` of their tokens.
    pub subject: String,
    pub name: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SiteFile {
    sites: Vec<Site>,
    /// Image sources outside the region ([`crate::remote_sites`]).
    #[serde(default)]
    remote_sites: Vec<crate::remote_sites::RemoteSiteEntry>,
}

/// The site file, checked.
#[derive(Debug)]
pub struct Sites {
    list: Vec<Site>,
    /// The remote sources as declared (checked by [`crate::remote_sites::RemoteSites::load`]).
    remote: Vec<crate::remote_sites::RemoteSiteEntry>,
    /// Issuer → index in `list`.
    by_issuer: HashMap<String, usize>,
}

/// A site file that cannot be used (the gateway does not start).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SitesError {
    #[error("not a site file ({0})")]
    Form(String),
    #[error("the file names no site")]
    Empty,
    #[error("a site's id must be 1 to 64 letters, digits, '-' or '_' (found {0:?})")]
    BadId(String),
    #[error("site {0:?} has an empty name")]
    NoName(String),
    #[error("site {0:?} appears twice")]
    DuplicateId(String),
    #[error("site {0:?} has no issuer of patient IDs")]
    NoIssuer(String),
    #[error("site {0:?} has an empty issuer")]
    EmptyIssuer(String),
    #[error("the professional {0:?} appears twice in the directory, or has an empty name")]
    BadProfessional(String),
    #[error("the issuer {issuer:?} is given to sites {first:?} and {second:?}")]
    DuplicateIssuer {
        issuer: String,
        first: String,
        second: String,
    },
}

/// Why a clinician reaches no study through a site.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SiteRefusal {
    /// The token names no site.
    #[error("the token names no site")]
    NoSite,
    /// The token names a site the site file does not know.
    #[error("the token names a site this portal does not know")]
    UnknownSite(String),
}

fn is_site_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))
}

/// An issuer as compared: DICOM pads LO values with spaces.
fn issuer_key(issuer: &str) -> &str {
    issuer.trim_matches(' ')
}

impl Sites {
    /// Reads a site file's JSON: `{"sites": [{"id", "name", "issuers": [...]}]}`.
    pub fn parse(json: &str) -> Result<Sites, SitesError> {
        let file: SiteFile =
            serde_json::from_str(json).map_err(|e| SitesError::Form(e.to_string()))?;
        if file.sites.is_empty() {
            return Err(SitesError::Empty);
        }
        let mut by_issuer: HashMap<String, usize> = HashMap::new();
        for (index, site) in file.sites.iter().enumerate() {
            if !is_site_id(&site.id) {
                return Err(SitesError::BadId(site.id.clone()));
            }
            if site.name.trim().is_empty() {
                return Err(SitesError::NoName(site.id.clone()));
            }
            if file.sites[..index].iter().any(|s| s.id == site.id) {
                return Err(SitesError::DuplicateId(site.id.clone()));
            }
            if site.issuers.is_empty() {
                return Err(SitesError::NoIssuer(site.id.clone()));
            }
            for issuer in &site.issuers {
                let key = issuer_key(issuer);
                if key.is_empty() {
                    return Err(SitesError::EmptyIssuer(site.id.clone()));
                }
                if let Some(first) = by_issuer.insert(key.to_string(), index) {
                    return Err(SitesError::DuplicateIssuer {
                        issuer: key.to_string(),
                        first: file.sites[first].id.clone(),
                        second: site.id.clone(),
                    });
                }
            }
        }
        let mut subjects = std::collections::HashSet::new();
        for professional in file.sites.iter().flat_map(|s| &s.professionals) {
            let named = !professional.name.trim().is_empty() && !professional.subject.is_empty();
            if !named || !subjects.insert(professional.subject.as_str()) {
                return Err(SitesError::BadProfessional(professional.subject.clone()));
            }
        }
        Ok(Sites {
            list: file.sites,
            remote: file.remote_sites,
            by_issuer,
        })
    }

    pub fn all(&self) -> &[Site] {
        &self.list
    }

    /// The remote sources the file declares, unchecked.
    pub fn remote_entries(&self) -> &[crate::remote_sites::RemoteSiteEntry] {
        &self.remote
    }

    pub fn get(&self, id: &str) -> Option<&Site> {
        self.list.iter().find(|s| s.id == id)
    }

    /// The professional of the directory whose subject this is, with their site.
    pub fn professional(&self, subject: &str) -> Option<(&Site, &Professional)> {
        self.list.iter().find_map(|site| {
            let found = site.professionals.iter().find(|p| p.subject == subject)?;
            Some((site, found))
        })
    }

    /// The site that owns a study of this Issuer of Patient ID (none for a study without
    /// issuer or with one no site declares).
    pub fn owner(&self, issuer: Option<&str>) -> Option<&Site> {
        let index = self.by_issuer.get(issuer_key(issuer?))?;
        self.list.get(*index)
    }

    /// The sites a clinician belongs to, from the site ids their token names; every id must
    /// be known.
    pub fn of_caller(&self, claimed: &[String]) -> Result<Vec<&Site>, SiteRefusal> {
        if claimed.is_empty() {
            return Err(SiteRefusal::NoSite);
        }
        claimed
            .iter()
            .map(|id| {
                self.get(id)
                    .ok_or_else(|| SiteRefusal::UnknownSite(id.clone()))
            })
            .collect()
    }
}

/// Whether a clinician of `caller` sites reads a study of this issuer through their own site.
pub fn owns(caller: &[&Site], owner: Option<&Site>) -> bool {
    owner.is_some_and(|owner| caller.iter().any(|s| s.id == owner.id))
}

/// The site ids a token's claim names: a string, or an array of strings (anything else names
/// none).
pub fn claimed_sites(claim: Option<&serde_json::Value>) -> Vec<String> {
    use serde_json::Value;
    let valid = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
    match claim {
        Some(Value::String(s)) => valid(s).into_iter().collect(),
        Some(Value::Array(items)) => {
            let names: Option<Vec<String>> =
                items.iter().map(|v| v.as_str().and_then(valid)).collect();
            names.unwrap_or_default()
        }
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    const FILE: &str = r#"{"sites": [
        {"id": "chn", "name": "Centre hospitalier Nord", "issuers": ["CHN", "CHN-URG"]},
        {"id": "cds", "name": "Clinique Sud", "issuers": ["CDS"]}
    ]}"#;

    #[test]
    fn studies_belong_to_the_site_of_their_issuer() {
        let sites = Sites::parse(FILE).unwrap();
        assert_eq!(sites.owner(Some("CHN-URG")).unwrap().id, "chn");
        assert_eq!(sites.owner(Some("CDS ")).unwrap().id, "cds", "LO padding");
        assert_eq!(sites.owner(Some("cds")), None, "issuers are exact");
        assert_eq!(sites.owner(Some("")), None);
        assert_eq!(sites.owner(None), None);
        let nord = sites.of_caller(&["chn".into()]).unwrap();
        assert!(owns(&nord, sites.owner(Some("CHN"))));
        assert!(!owns(&nord, sites.owner(Some("CDS"))));
        assert!(
            !owns(&nord, sites.owner(None)),
            "a study of no site is nobody's"
        );
        let both = sites.of_caller(&["cds".into(), "chn".into()]).unwrap();
        assert!(owns(&both, sites.owner(Some("CDS"))));
    }

    #[test]
    fn callers_without_a_known_site_reach_nothing() {
        let sites = Sites::parse(FILE).unwrap();
        assert_eq!(sites.of_caller(&[]), Err(SiteRefusal::NoSite));
        assert_eq!(
            sites.of_caller(&["chn".into(), "elsewhere".into()]),
            Err(SiteRefusal::UnknownSite("elsewhere".into()))
        );
    }

    #[test]
    fn a_claim_is_a_string_or_a_list_of_strings() {
        assert_eq!(claimed_sites(Some(&json!("chn"))), vec!["chn"]);
        assert_eq!(
            claimed_sites(Some(&json!(["chn", "cds"]))),
            vec!["chn", "cds"]
        );
        assert!(claimed_sites(Some(&json!(["chn", 3]))).is_empty());
        assert!(claimed_sites(Some(&json!({"id": "chn"}))).is_empty());
        assert!(claimed_sites(Some(&json!("  "))).is_empty());
        assert!(claimed_sites(None).is_empty());
    }

    #[test]
    fn bad_site_files_are_refused_with_their_reason() {
        let refused = |json: &str| Sites::parse(json).unwrap_err();
        assert!(matches!(refused("{"), SitesError::Form(_)));
        assert!(matches!(
            refused(r#"{"sites": [], "extra": 1}"#),
            SitesError::Form(_)
        ));
        assert_eq!(refused(r#"{"sites": []}"#), SitesError::Empty);
        let one = |site: &str| format!(r#"{{"sites": [{site}]}}"#);
        assert_eq!(
            refused(&one(r#"{"id": "a b", "name": "A", "issuers": ["X"]}"#)),
            SitesError::BadId("a b".into())
        );
        assert_eq!(
            refused(&one(r#"{"id": "a", "name": " ", "issuers": ["X"]}"#)),
            SitesError::NoName("a".into())
        );
        assert_eq!(
            refused(&one(r#"{"id": "a", "name": "A", "issuers": []}"#)),
            SitesError::NoIssuer("a".into())
        );
        assert_eq!(
            refused(&one(r#"{"id": "a", "name": "A", "issuers": [" "]}"#)),
            SitesError::EmptyIssuer("a".into())
        );
        assert_eq!(
            refused(
                r#"{"sites": [{"id": "a", "name": "A", "issuers": ["X"]},
                                  {"id": "a", "name": "B", "issuers": ["Y"]}]}"#
            ),
            SitesError::DuplicateId("a".into())
        );
        for twice in [
            r#"{"sites": [{"id": "a", "name": "A", "issuers": ["X"], "professionals":
                [{"subject": "u1", "name": "Dr U"}, {"subject": "u1", "name": "Dr V"}]}]}"#,
            r#"{"sites": [{"id": "a", "name": "A", "issuers": ["X"], "professionals":
                [{"subject": "u1", "name": " "}]}]}"#,
        ] {
            assert_eq!(refused(twice), SitesError::BadProfessional("u1".into()));
        }
        assert_eq!(
            refused(
                r#"{"sites": [{"id": "a", "name": "A", "issuers": ["X"]},
                                  {"id": "b", "name": "B", "issuers": ["X "]}]}"#
            ),
            SitesError::DuplicateIssuer {
                issuer: "X".into(),
                first: "a".into(),
                second: "b".into()
            }
        );
    }
}
