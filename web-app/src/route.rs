//! Where the app is: parsed from and written to the page URL (`?study=<uid>`), so a link
//! opens the same screen and the browser's back button works.

use leptos::prelude::*;
use viewer_core::i18n::Lang;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Studies,
    Study {
        study_instance_uid: String,
    },
    /// Files opened from this computer (they live in the tab, not in the URL).
    Local,
}

fn search_params() -> Option<web_sys::UrlSearchParams> {
    let search = window().location().search().ok()?;
    web_sys::UrlSearchParams::new_with_str(&search).ok()
}

/// The route of the current URL.
pub fn current() -> Route {
    if search_params().is_some_and(|p| p.has("local")) {
        return Route::Local;
    }
    match search_params().and_then(|p| p.get("study")) {
        Some(uid) if viewer_core::dicom_json::is_uid(&uid) => Route::Study {
            study_instance_uid: uid,
        },
        _ => Route::Studies,
    }
}

/// The language asked for in the URL, French otherwise.
pub fn lang() -> Lang {
    search_params()
        .and_then(|p| p.get("lang"))
        .map(|l| Lang::from_tag(&l))
        .unwrap_or(Lang::Fr)
}

/// Goes to `route`, adding a browser history entry.
pub fn navigate(route_signal: RwSignal<Route>, route: Route) {
    let url = match &route {
        Route::Studies => "?".to_string(),
        Route::Study { study_instance_uid } => format!("?study={study_instance_uid}"),
        Route::Local => "?local".to_string(),
    };
    if let Ok(history) = window().history() {
        let _ = history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
    route_signal.set(route);
}
