//! Who runs the portal (the hospital or the region's service) and how to reach them, as the
//! gateway's `/api/site` says: shown to a share's recipient and printed on their handout.

use leptos::prelude::*;

use crate::access::use_access;
use crate::i18n::use_i18n;
use crate::portal_api;

/// Who runs the portal, as `/api/site` says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Site {
    pub name: Option<String>,
    pub contact: Option<String>,
    /// The region's sites the development login signs in as (none without it).
    pub dev_sites: Vec<Establishment>,
}

/// One establishment of the region: what tokens name, what people read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Establishment {
    pub id: String,
    pub name: String,
    /// Its issuers of patient IDs, when the gateway says (the region's list).
    pub issuers: Vec<String>,
}

impl Establishment {
    /// The sites of a JSON list (`[{"id", "name"}]`); an item without both is left out.
    pub fn list_of(items: &[portal_api::Json]) -> Vec<Establishment> {
        items
            .iter()
            .filter_map(|item| {
                let name: String = item.str("name")?.trim().chars().take(200).collect();
                let issuers = item
                    .get("issuers")
                    .map(|list| list.items().iter().filter_map(|i| i.as_str()).collect())
                    .unwrap_or_default();
                Some(Establishment {
                    id: item.str("id").filter(|id| !id.is_empty())?,
                    name,
                    issuers,
                })
            })
            .collect()
    }

    /// The establishment of `region` whose patient IDs `issuer` issues.
    pub fn of_issuer<'a>(region: &'a [Establishment], issuer: &str) -> Option<&'a Establishment> {
        let issuer = issuer.trim();
        region
            .iter()
            .find(|s| s.issuers.iter().any(|i| i == issuer))
    }
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
    let dev_sites = body
        .get("dev_sites")
        .map(|list| Establishment::list_of(&list.items()))
        .unwrap_or_default();
    Site {
        name: line("name"),
        contact: line("contact"),
        dev_sites,
    }
}

/// A button of the study view for a clinician of a region's establishment (none for anyone
/// else), opening its panel below it; the panel is made when opened and dropped when closed.
#[component]
pub fn RegionalToggle(
    label: &'static str,
    testid: &'static str,
    children: ChildrenFn,
) -> impl IntoView {
    let i18n = use_i18n();
    let access = use_access();
    let open = RwSignal::new(false);
    move || {
        let i18n = i18n.clone();
        let children = children.clone();
        access
            .clinician()
            .filter(|c| !c.sites.is_empty())
            .map(move |_| {
                view! {
                    <button data-testid=testid aria-expanded=move || open.get().to_string()
                        on:click=move |_| open.update(|o| *o = !*o)>
                        {move || i18n.t(label)}
                    </button>
                    <Show when=move || open.get()>{children()}</Show>
                }
            })
    }
}
