//! The patient's national identity (INS) in the study's banner: when the files carry a valid
//! INS, the strict traits come first (birth name, first given name, birth date, sex), the
//! name in use after them when it differs, then the local ID with its establishment; the INS
//! and its OID on demand. An INS that does not check is said plainly (the identity is then
//! not qualified). All text goes in as text, never as markup.

use leptos::prelude::*;
use viewer_core::identity::{normalised, PatientIdentity, Sex, StrictTraits};
use viewer_core::ins::{Ins, InsFinding, InsKind};

use crate::access::use_access;
use crate::i18n::{use_i18n, I18n};
use crate::route::{navigate, Route};
use crate::site::Establishment;

/// "BIRTH NAME First" as the strict traits write it.
pub fn traits_name(traits: &StrictTraits) -> String {
    [
        traits.birth_name.as_deref(),
        traits.first_given_name.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ")
}

/// "born on dd/MM/yyyy · F" of the strict traits.
pub fn traits_born(i18n: &I18n, traits: &StrictTraits) -> String {
    let born = traits
        .birth_date
        .as_deref()
        .and_then(viewer_core::text::format_da)
        .map(|d| i18n.f("patient.born", &[("date", &d)]));
    let sex = traits.sex.map(|s| {
        i18n.t(match s {
            Sex::Male => "patient.sex.m",
            Sex::Female => "patient.sex.f",
            Sex::Other => "patient.sex.o",
        })
    });
    born.into_iter().chain(sex).collect::<Vec<_>>().join(" · ")
}

/// The kind of an INS in words (`INS-NIR`, `INS-NIR de test`…).
pub fn kind_label(i18n: &I18n, kind: InsKind) -> String {
    i18n.t(match kind {
        InsKind::Nir => "ins.kind.nir",
        InsKind::Nia => "ins.kind.nia",
        InsKind::TestNir => "ins.kind.test_nir",
        InsKind::TestNia => "ins.kind.test_nia",
    })
}

/// The establishment whose local IDs `issuer` issues, by name when the region says.
pub fn site_of_issuer(issuer: Option<&str>) -> Option<String> {
    let issuer = issuer?.trim();
    if issuer.is_empty() {
        return None;
    }
    let named = use_access().clinician().and_then(|clinician| {
        Establishment::of_issuer(&clinician.region, issuer).map(|site| site.name.clone())
    });
    Some(named.unwrap_or_else(|| issuer.to_string()))
}

/// The INS and its OID, shown on demand.
#[component]
fn InsDetail(ins: Ins) -> impl IntoView {
    let i18n = use_i18n();
    let open = RwSignal::new(false);
    let label = i18n.t("ins.show");
    let detail = format!(
        "{} · {} ({})",
        ins.matricule,
        kind_label(&i18n, ins.kind),
        ins.oid()
    );
    view! {
        <button class="ins-toggle" data-testid="ins-toggle" aria-expanded=move || open.get().to_string()
            on:click=move |_| open.update(|o| *o = !*o)>
            {label}
        </button>
        <Show when=move || open.get()>
            <span class="ins-detail" data-testid="ins-detail">{detail.clone()}</span>
        </Show>
    }
}

/// The banner's identity when the files carry an INS-domain identifier; `None` without one
/// (the banner then shows the name, ID and birth date as the files give them).
pub fn national_banner(
    identity: &PatientIdentity,
    used_name: &str,
    local_id: &str,
    issuer: Option<&str>,
    (study, route): (String, RwSignal<Route>),
) -> Option<AnyView> {
    let i18n = use_i18n();
    let ins = match &identity.ins {
        InsFinding::Absent => return None,
        InsFinding::Invalid(_) => {
            let warning = i18n.t("ins.invalid");
            return Some(
                view! {
                    <strong>{used_name.to_string()}</strong>
                    <span>{local_id.to_string()}</span>
                    <span class="ins-invalid" role="status" data-testid="ins-invalid">{warning}</span>
                }
                .into_any(),
            );
        }
        InsFinding::Found(ins) => ins.clone(),
    };
    let traits = &identity.traits;
    let strict = traits_name(traits);
    let used = (!used_name.trim().is_empty() && normalised(used_name) != normalised(&strict))
        .then(|| i18n.f("ins.used_name", &[("name", used_name)]));
    let local = match site_of_issuer(issuer) {
        Some(site) => i18n.f("ins.local_id", &[("id", local_id), ("site", &site)]),
        None => local_id.to_string(),
    };
    let test = ins
        .kind
        .is_test()
        .then(|| view! { <span class="ins-test" data-testid="ins-test">{i18n.t("ins.test_identity")}</span> });
    Some(
        view! {
            <span class="ins-badge" data-testid="ins-badge" title=i18n.t("ins.qualified")>"INS"</span>
            <strong data-testid="strict-traits">{strict}</strong>
            <span data-testid="strict-born">{traits_born(&i18n, traits)}</span>
            {used.map(|u| view! { <span class="used-name" data-testid="used-name">{u}</span> })}
            <span data-testid="local-id">{local}</span>
            {test}
            <InsDetail ins=ins/>
            <button class="ins-studies" data-testid="ins-studies"
                on:click=move |_| navigate(route, Route::National { study: study.clone(), filter: Default::default() })>
                {i18n.t("ins.studies")}
            </button>
        }
        .into_any(),
    )
}
