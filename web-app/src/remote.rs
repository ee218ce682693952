//! Studies of other archives named by a manifest (a DMP Key Object Selection): its Retrieve
//! URLs on another origin are sent to the gateway, which locates each among the declared
//! remote sources or refuses it (`POST /api/remote/resolve`); the located studies are then
//! read under the portal's own root, the refused ones listed with why. A study read from a
//! remote source says so above it (`GET /api/remote/source`).

use leptos::prelude::*;
use viewer_core::study::StudySummary;

use crate::api;
use crate::i18n::use_i18n;
use crate::portal_api::{self, Body, Json, Value};

/// One study a manifest names, as the gateway located it.
#[derive(Debug, Clone, PartialEq)]
pub enum Reference {
    Resolved {
        site_name: String,
        study_uid: String,
        /// Its date and description, once read from its source.
        summary: Option<String>,
    },
    Refused {
        reason: String,
        host: Option<String>,
    },
}

/// The URLs of `urls` on another origin than the portal's (its own are local studies).
pub fn foreign(urls: &[String]) -> Vec<String> {
    let own = window().location().origin().unwrap_or_default();
    urls.iter()
        .filter(|u| !u.starts_with(&format!("{own}/")))
        .cloned()
        .collect()
}

/// Locates `urls` (each study once; refusals once per host and reason), then reads each
/// located study's date and description from its source.
pub async fn resolve(urls: &[String]) -> Result<Vec<Reference>, String> {
    let body = Body::new().with("urls", Value::Strings(urls));
    let response = portal_api::post("/api/remote/resolve", &body)
        .await
        .map_err(|e| e.to_string())?;
    if response.status() != 200 {
        return Err(format!("HTTP {}", response.status()));
    }
    let answer = portal_api::json_of(&response)
        .await
        .ok_or_else(|| "JSON".to_string())?;
    let mut references: Vec<Reference> = Vec::new();
    for item in answer
        .get("references")
        .map(|r| r.items())
        .unwrap_or_default()
    {
        let reference = match item.str("status").as_deref() {
            Some("resolved") => Reference::Resolved {
                site_name: item.str("site_name").unwrap_or_default(),
                study_uid: item.str("study_uid").unwrap_or_default(),
                summary: None,
            },
            _ => Reference::Refused {
                reason: item.str("reason").unwrap_or_default(),
                host: item.str("host"),
            },
        };
        let known = references.iter().any(|r| match (r, &reference) {
            (
                Reference::Resolved { study_uid: a, .. },
                Reference::Resolved { study_uid: b, .. },
            ) => a == b,
            (a, b) => a == b,
        });
        if !known {
            references.push(reference);
        }
    }
    for reference in &mut references {
        if let Reference::Resolved {
            study_uid, summary, ..
        } = reference
        {
            let found = api::find_study(study_uid, None).await.ok().flatten();
            *summary = found.as_ref().and_then(StudySummary::from_qido).map(|s| {
                let date = s
                    .study_date
                    .as_deref()
                    .and_then(viewer_core::text::format_da);
                [date, s.description]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" · ")
            });
        }
    }
    Ok(references)
}

/// The studies a manifest names, each with its source and a link, or why it was not fetched.
#[component]
pub fn RemoteReferences(references: RwSignal<Vec<Reference>>) -> impl IntoView {
    let i18n = use_i18n();
    let title = i18n.t("remote.heading");
    let heading = move || format!("{title} ({})", references.with(Vec::len));
    // On a phone the list starts folded, leaving the cell's height to the image.
    let open = window()
        .inner_width()
        .ok()
        .and_then(|w| w.as_f64())
        .is_none_or(|w| w >= 700.0);
    let i18n = use_i18n();
    let items = move || {
        references
            .get()
            .into_iter()
            .map(|reference| match reference {
                Reference::Resolved {
                    site_name,
                    study_uid,
                    summary,
                } => {
                    let text = i18n.f(
                        "remote.resolved",
                        &[("site", &site_name), ("study", &summary.unwrap_or_default())],
                    );
                    view! {
                        <li data-testid="remote-reference" data-status="resolved">
                            <span>{text}</span>
                            <a class="button" data-testid="remote-open" href=format!("./?study={study_uid}")>
                                {i18n.t("remote.open")}
                            </a>
                        </li>
                    }
                    .into_any()
                }
                Reference::Refused { reason, host } => {
                    let why = match reason.as_str() {
                        "undeclared_host" | "outside_root" | "not_a_study" | "malformed" => {
                            i18n.t(&format!("remote.refused.{reason}"))
                        }
                        other => other.to_string(),
                    };
                    let text = i18n.f(
                        "remote.refused",
                        &[("why", &why), ("host", &host.unwrap_or_default())],
                    );
                    view! {
                        <li data-testid="remote-reference" data-status="refused" data-reason=reason>{text}</li>
                    }
                    .into_any()
                }
            })
            .collect_view()
    };
    view! {
        <Show when=move || references.with(|r| !r.is_empty())>
            <details class="remote-references" data-testid="remote-references" open=open>
                <summary>{heading.clone()}</summary>
                <ul>{items.clone()}</ul>
            </details>
        </Show>
    }
}

/// Above a study read from a remote source: which, said plainly.
#[component]
pub fn RemoteSourceBanner(study: String) -> impl IntoView {
    let i18n = use_i18n();
    let source = LocalResource::new(move || {
        let url = format!(
            "/api/remote/source?study_uid={}",
            crate::route::encode(&study)
        );
        async move {
            let response = portal_api::get(&url).await.ok()?;
            if response.status() != 200 {
                return None;
            }
            portal_api::json_of(&response)
                .await
                .and_then(|j: Json| j.str("site_name"))
        }
    });
    move || {
        source.get().flatten().map(|site| {
            let text = i18n.f("remote.banner", &[("site", &site)]);
            view! { <p class="remote-source" role="status" data-testid="remote-source">{text}</p> }
        })
    }
}
