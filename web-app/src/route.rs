//! Where the app is: parsed from and written to the page URL (`?study=<uid>`, with
//! `&series=<uid>` to show that series first,
//! `?compare=<uid>,<uid>`, `?local`, an IHE Invoke Image Display link at
//! `/IHEInvokeImageDisplay?…`, or a share link at `/share#<token>`), so a link opens the same
//! screen and the back button works.

use leptos::prelude::*;
use viewer_core::i18n::Lang;

use crate::session::ShareToken;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Studies,
    Study {
        study_instance_uid: String,
    },
    /// A patient's timeline, by Patient ID (HL7 CX: with its issuer after `^^^` when known).
    Patient {
        patient_id: String,
    },
    /// A study with its report first (then its images beside it).
    Report {
        study_instance_uid: String,
    },
    /// Several studies side by side (a comparison with priors).
    Compare {
        studies: Vec<String>,
    },
    /// Files opened from this computer (they live in the tab, not in the URL).
    Local,
    /// An IHE Invoke Image Display link: its query string, resolved by the page.
    Invoke {
        query: String,
    },
    /// A share link (`/share`); its token, in the fragment, is taken out at start.
    Share,
    /// A study's patient's studies across the region's sites, by national identity
    /// (`?ins_of=<study>`), optionally only those of a modality (`&modality=CT`) or of a date
    /// or range of dates (`&dates=20240101-20241231`, DICOM dates, either end open).
    National {
        study: String,
        filter: TimelineFilter,
    },
    /// A launch from the patient record (`/launch/{id}`), kept by the gateway.
    Launch {
        id: String,
    },
}

/// The path of IHE Invoke Image Display links (RAD-106).
const INVOKE_PATH: &str = "/iheinvokeimagedisplay";

/// The path of share links.
const SHARE_PATH: &str = "/share";

/// What a timeline keeps: a modality, a date range (DA, either end open).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TimelineFilter {
    pub modality: Option<String>,
    pub dates: Option<(String, String)>,
}

impl TimelineFilter {
    /// From the URL's or a launch's values; a malformed one is left out.
    pub fn of(modality: Option<String>, dates: Option<String>) -> TimelineFilter {
        let modality = modality.filter(|m| {
            (1..=16).contains(&m.len())
                && m.bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
        });
        let da = |d: &str| d.is_empty() || viewer_core::text::format_da(d).is_some();
        let dates = dates.and_then(|d| {
            let (from, to) = d.split_once('-').unwrap_or((&d, &d));
            (da(from) && da(to) && !(from.is_empty() && to.is_empty()))
                .then(|| (from.to_string(), to.to_string()))
        });
        TimelineFilter { modality, dates }
    }

    pub fn is_empty(&self) -> bool {
        self.modality.is_none() && self.dates.is_none()
    }

    /// Whether a study of these modalities and date passes.
    pub fn keeps(&self, modalities: &[String], date: Option<&str>) -> bool {
        let modality = self
            .modality
            .as_ref()
            .is_none_or(|m| modalities.iter().any(|s| s == m));
        let dated = self.dates.as_ref().is_none_or(|(from, to)| {
            date.is_some_and(|d| {
                (from.is_empty() || d >= from.as_str()) && (to.is_empty() || d <= to.as_str())
            })
        });
        modality && dated
    }

    fn query(&self) -> String {
        let mut query = String::new();
        if let Some(m) = &self.modality {
            query.push_str(&format!("&modality={}", encode(m)));
        }
        if let Some((from, to)) = &self.dates {
            query.push_str(&format!("&dates={from}-{to}"));
        }
        query
    }
}

/// Where the gateway sends a launch from the patient record.
const LAUNCH_PREFIX: &str = "/launch/";

/// The launch a path names: 43 URL-safe base64 characters (256 bits) after the prefix.
fn launch_id(path: &str) -> Option<String> {
    let id = path.strip_prefix(LAUNCH_PREFIX)?.trim_end_matches('/');
    (id.len() == 43
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
    .then(|| id.to_string())
}

/// Most studies opened side by side (one per cell).
pub const MAX_COMPARED: usize = 4;

fn search_params() -> Option<web_sys::UrlSearchParams> {
    let search = window().location().search().ok()?;
    web_sys::UrlSearchParams::new_with_str(&search).ok()
}

fn path_ends_with(location: &web_sys::Location, path: &str) -> bool {
    location
        .pathname()
        .is_ok_and(|p| p.trim_end_matches('/').to_ascii_lowercase().ends_with(path))
}

/// The route of the current URL.
pub fn current() -> Route {
    let location = window().location();
    if path_ends_with(&location, SHARE_PATH) {
        return Route::Share;
    }
    if let Some(id) = location.pathname().ok().as_deref().and_then(launch_id) {
        return Route::Launch { id };
    }
    if path_ends_with(&location, INVOKE_PATH) {
        return Route::Invoke {
            query: location.search().unwrap_or_default(),
        };
    }
    if search_params().is_some_and(|p| p.has("local")) {
        return Route::Local;
    }
    if let Some(list) = search_params().and_then(|p| p.get("compare")) {
        let studies: Vec<String> = list.split(',').map(str::to_string).collect();
        if (1..=MAX_COMPARED).contains(&studies.len())
            && studies.iter().all(|u| viewer_core::dicom_json::is_uid(u))
        {
            return Route::Compare { studies };
        }
    }
    if let Some(id) = search_params().and_then(|p| p.get("patient")) {
        // An ID (64 characters at most) with its assigning authority (another 64).
        if !id.is_empty() && id.chars().count() <= 140 {
            return Route::Patient { patient_id: id };
        }
    }
    if let Some(uid) = search_params().and_then(|p| p.get("ins_of")) {
        if viewer_core::dicom_json::is_uid(&uid) {
            let params = search_params();
            let param = |name: &str| params.as_ref().and_then(|p| p.get(name));
            let filter = TimelineFilter::of(param("modality"), param("dates"));
            return Route::National { study: uid, filter };
        }
    }
    if let Some(uid) = search_params().and_then(|p| p.get("report")) {
        if viewer_core::dicom_json::is_uid(&uid) {
            return Route::Report {
                study_instance_uid: uid,
            };
        }
    }
    match search_params().and_then(|p| p.get("study")) {
        Some(uid) if viewer_core::dicom_json::is_uid(&uid) => Route::Study {
            study_instance_uid: uid,
        },
        _ => Route::Studies,
    }
}

/// The series a study link asks to show first (`?study=…&series=…`), when it is a UID.
pub fn requested_series() -> Option<String> {
    search_params()
        .and_then(|p| p.get("series"))
        .filter(|uid| viewer_core::dicom_json::is_uid(uid))
}

/// On a share link, its token: taken from the fragment (`#<token>`), which is removed from
/// the address bar and from this history entry at once, before anything else is done, so
/// it is not left on screen, in the history or in a bookmark. `None` elsewhere.
pub fn take_share_token() -> Option<ShareToken> {
    let location = window().location();
    let fragment = location.hash().ok().filter(|h| !h.is_empty())?;
    if !path_ends_with(&location, SHARE_PATH) {
        return None;
    }
    let path = location
        .pathname()
        .unwrap_or_else(|_| SHARE_PATH.to_string());
    let search = location.search().unwrap_or_default();
    if let Ok(history) = window().history() {
        let _ = history.replace_state_with_url(
            &wasm_bindgen::JsValue::NULL,
            "",
            Some(&format!("{path}{search}")),
        );
    }
    // A fragment that is not a token is still removed, and opens nothing.
    Some(ShareToken::from_fragment(&fragment).unwrap_or_else(ShareToken::malformed))
}

/// The language asked for in the URL, else the one chosen earlier, French otherwise.
pub fn lang() -> Lang {
    search_params()
        .and_then(|p| p.get("lang"))
        .map(|l| Lang::from_tag(&l))
        .or_else(crate::i18n::remembered)
        .unwrap_or(Lang::Fr)
}

/// The button back to the study list.
#[component]
pub fn BackToList(route: RwSignal<Route>) -> impl IntoView {
    let i18n = crate::i18n::use_i18n();
    let label = i18n.clone();
    view! {
        <button class="back" data-testid="back" on:click={
            move |_| {
                if crate::annotations::may_leave(&i18n) {
                    navigate(route, Route::Studies);
                }
            }
        }>
            {move || label.t("viewer.back")}
        </button>
    }
}

/// A value for a URL query component.
pub fn encode(value: &str) -> String {
    String::from(js_sys::encode_uri_component(value))
}

/// The address of `route`, relative to the app's root (so it also leaves an IID link's path).
pub fn url_of(route: &Route) -> String {
    match route {
        Route::Studies => "./".to_string(),
        Route::Study { study_instance_uid } => format!("./?study={study_instance_uid}"),
        Route::Report { study_instance_uid } => format!("./?report={study_instance_uid}"),
        Route::Patient { patient_id } => format!("./?patient={}", encode(patient_id)),
        Route::Compare { studies } => format!("./?compare={}", studies.join(",")),
        Route::Local => "./?local".to_string(),
        Route::Invoke { query } => format!("{INVOKE_PATH}{query}"),
        Route::Share => SHARE_PATH.to_string(),
        Route::Launch { id } => format!("{LAUNCH_PREFIX}{id}"),
        Route::National { study, filter } => format!("./?ins_of={study}{}", filter.query()),
    }
}

/// Adds a browser history entry for `route`'s address, without changing the page.
pub fn push_url(route: &Route) {
    if let Ok(history) = window().history() {
        let url = url_of(route);
        let _ = history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}

/// Goes to `route`, adding a browser history entry.
pub fn navigate(route_signal: RwSignal<Route>, route: Route) {
    push_url(&route);
    route_signal.set(route);
}

#[cfg(test)]
mod tests {
    use super::TimelineFilter;

    #[test]
    fn a_timeline_filter_keeps_a_modality_and_a_date_range() {
        let f = TimelineFilter::of(Some("CT".into()), Some("20240101-20240131".into()));
        let ct = ["CT".to_string(), "SR".to_string()];
        assert!(f.keeps(&ct, Some("20240115")));
        assert!(!f.keeps(&ct, Some("20240201")));
        assert!(!f.keeps(&["MR".to_string()], Some("20240115")));
        assert!(!f.keeps(&ct, None), "an undated study is outside a range");
        let open_end = TimelineFilter::of(None, Some("20240101-".into()));
        assert!(open_end.keeps(&[], Some("20991231")) && !open_end.keeps(&[], Some("20231231")));
        let one_day = TimelineFilter::of(None, Some("20240115".into()));
        assert!(one_day.keeps(&[], Some("20240115")) && !one_day.keeps(&[], Some("20240116")));
        // Malformed values are left out, never half applied.
        let bad = TimelineFilter::of(Some("ct<".into()), Some("2024-13-01".into()));
        assert!(bad.is_empty());
        assert!(TimelineFilter::of(None, Some("-".into())).is_empty());
    }
}
