//! Who runs the portal (the hospital or the region's service) and how to reach them, as the
//! gateway's `/api/site` says: shown to a share's recipient and printed on their handout.

use crate::portal_api;

/// Who runs the portal, as `/api/site` says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Site {
    pub name: Option<String>,
    pub contact: Option<String>,
}

/// `GET /api/site`; nothing when the gateway does not say (an older one, or none).
pub async fn site() -> Site {
    let Ok(response) = portal_api::get("/api/site").await else {
        return Site::default();
    };
    if response.status() != 200 {
        return Site::default();
    }
    let Some(body) = portal_api::json_of(&response).await else {
        return Site::default();
    };
    let line = |name| {
        body.str(name)
            .map(|v| v.trim().chars().take(200).collect::<String>())
            .filter(|v| !v.is_empty())
    };
    Site {
        name: line("name"),
        contact: line("contact"),
    }
}
