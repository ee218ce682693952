//! Image sources outside the region's PACS: the DICOMweb roots of other regions or
//! establishments that a manifest (a Key Object Selection from the DMP) points at with its
//! Retrieve URLs (0008,1190). Declared in the site file (`remote_sites`), each with the
//! credentials the gateway sends it (Basic, `user:password` in a file beside the site file),
//! never shown to a browser.
//!
//! Pure: the declarations checked, and where a Retrieve URL found in a file leads. The gateway
//! fetches nothing else: a URL is only ever turned into a declared root and checked UIDs, so a
//! file cannot make it ask any other host or path (no server-side request forgery).

use std::path::Path;

use serde::Deserialize;
use viewer_core::dicom_json::is_uid;

/// One declared source, as the site file writes it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RemoteSiteEntry {
    pub id: String,
    pub name: String,
    /// Its DICOMweb root (`https://pacs.autre-region.fr/dicom-web`).
    pub dicomweb_root: String,
    /// A file holding `user:password` for Basic authentication (relative to the site file).
    #[serde(default)]
    pub authorization_file: Option<String>,
}

/// Credentials, never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

/// A declared source, checked.
#[derive(Debug, Clone)]
pub struct RemoteSite {
    pub id: String,
    pub name: String,
    /// Without a trailing slash, query or fragment.
    pub root: url::Url,
    pub basic_auth: Option<Secret>,
}

/// A declaration that cannot be used (the gateway does not start).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RemoteSiteError {
    #[error(
        "remote site {0:?}: its id must be 1 to 64 letters, digits, '-' or '_', unused by a site"
    )]
    BadId(String),
    #[error("remote site {0:?} has an empty name")]
    NoName(String),
    #[error(
        "remote site {0:?}: dicomweb_root must be an http(s) URL without user, query or fragment"
    )]
    BadRoot(String),
    #[error("remote site {0:?}: its authorization file cannot be read or is not user:password")]
    BadAuthorization(String),
}

/// Why a Retrieve URL is not fetched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Refusal {
    /// Not an absolute http(s) URL.
    Malformed,
    /// A host (scheme, host and port) no remote site declares.
    UndeclaredHost,
    /// A declared host, but outside its DICOMweb root.
    OutsideRoot,
    /// Under a declared root, but not `studies/{uid}` or `studies/{uid}/series/{uid}`.
    NotAStudy,
}

/// Where a Retrieve URL leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    pub site: String,
    pub study: String,
    pub series: Option<String>,
}

/// The declared sources.
#[derive(Debug, Clone, Default)]
pub struct RemoteSites {
    list: Vec<RemoteSite>,
}

impl RemoteSites {
    /// Checks the declarations; authorization files are read relative to `dir` (the site
    /// file's folder). `taken` are the ids the region's own sites use.
    pub fn load(
        entries: &[RemoteSiteEntry],
        dir: &Path,
        taken: &[&str],
    ) -> Result<RemoteSites, RemoteSiteError> {
        let mut list: Vec<RemoteSite> = Vec::new();
        for entry in entries {
            let id_ok = (1..=64).contains(&entry.id.len())
                && entry
                    .id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))
                && !taken.contains(&entry.id.as_str())
                && !list.iter().any(|s| s.id == entry.id);
            if !id_ok {
                return Err(RemoteSiteError::BadId(entry.id.clone()));
            }
            if entry.name.trim().is_empty() {
                return Err(RemoteSiteError::NoName(entry.id.clone()));
            }
            let root = url::Url::parse(entry.dicomweb_root.trim_end_matches('/'))
                .ok()
                .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
                .filter(|u| u.username().is_empty() && u.password().is_none())
                .filter(|u| u.query().is_none() && u.fragment().is_none())
                .ok_or_else(|| RemoteSiteError::BadRoot(entry.id.clone()))?;
            let basic_auth = match &entry.authorization_file {
                None => None,
                Some(file) => {
                    let text = std::fs::read_to_string(dir.join(file))
                        .map_err(|_| RemoteSiteError::BadAuthorization(entry.id.clone()))?;
                    let text = text.trim();
                    if !text.contains(':') || text.contains('\n') {
                        return Err(RemoteSiteError::BadAuthorization(entry.id.clone()));
                    }
                    Some(Secret(text.to_string()))
                }
            };
            list.push(RemoteSite {
                id: entry.id.clone(),
                name: entry.name.trim().to_string(),
                root,
                basic_auth,
            });
        }
        Ok(RemoteSites { list })
    }

    pub fn all(&self) -> &[RemoteSite] {
        &self.list
    }

    pub fn get(&self, id: &str) -> Option<&RemoteSite> {
        self.list.iter().find(|s| s.id == id)
    }

    /// Where a Retrieve URL found in a file leads: a declared site's study (or series), or
    /// why not. The URL is read as a browser would (dot segments, `%2e` among them, resolved
    /// first), then must be under a declared root, path segment by path segment.
    pub fn locate(&self, raw: &str) -> Result<Located, Refusal> {
        let url = url::Url::parse(raw.trim()).map_err(|_| Refusal::Malformed)?;
        let usable = matches!(url.scheme(), "http" | "https")
            && url.host().is_some()
            && url.username().is_empty()
            && url.password().is_none();
        if !usable {
            return Err(Refusal::Malformed);
        }
        let mut refusal = Refusal::UndeclaredHost;
        for site in self.list.iter().filter(|s| s.root.origin() == url.origin()) {
            refusal = Refusal::OutsideRoot;
            let root_path = site.root.path().trim_end_matches('/');
            let Some(rest) = url
                .path()
                .strip_prefix(root_path)
                .and_then(|r| r.strip_prefix('/'))
            else {
                continue;
            };
            if url.query().is_some() || url.fragment().is_some() {
                return Err(Refusal::NotAStudy);
            }
            let segments: Vec<&str> = rest.trim_end_matches('/').split('/').collect();
            return match segments.as_slice() {
                ["studies", study] if is_uid(study) => Ok(Located {
                    site: site.id.clone(),
                    study: study.to_string(),
                    series: None,
                }),
                ["studies", study, "series", series] if is_uid(study) && is_uid(series) => {
                    Ok(Located {
                        site: site.id.clone(),
                        study: study.to_string(),
                        series: Some(series.to_string()),
                    })
                }
                _ => Err(Refusal::NotAStudy),
            };
        }
        Err(refusal)
    }
}

#[cfg(test)]
#[path = "remote_sites_tests.rs"]
mod tests;
