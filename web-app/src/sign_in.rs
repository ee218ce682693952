//! Signing in and out: the page shown to a reader without a session (the development login
//! when the gateway offers it, otherwise where real sign-in happens), the signed-in
//! clinician's corner of the app bar, and the banner that stays on screen while a
//! development login is in use.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::access::use_access;
use crate::i18n::use_i18n;
use crate::session;

/// No session: sign-in is required. The URL is kept, so once signed in the page it names
/// (an IID link from the patient record, say) opens.
#[component]
pub fn SignInPage(dev_login: bool, sign_in: bool) -> impl IntoView {
    let i18n = use_i18n();
    let t = move |key: &'static str| {
        let i18n = i18n.clone();
        move || i18n.t(key)
    };
    let how = if dev_login {
        view! {
            <p class="dev-warning">{t("signin.dev_warning")}</p>
            <DevLogin/>
        }
        .into_any()
    } else if sign_in {
        ().into_any()
    } else {
        view! { <p data-testid="sign-in-idp">{t("signin.idp")}</p> }.into_any()
    };
    // The hospital's identity provider, through the gateway, back to this very page.
    let idp = sign_in.then(|| {
        view! {
            <a class="idp-login" data-testid="idp-login" href=idp_login_href()>{t("signin.idp_login")}</a>
        }
    });
    view! {
        <section class="sign-in" data-testid="sign-in">
            <h1>{t("signin.title")}</h1>
            {idp}
            {how}
        </section>
    }
}

/// The development login's buttons: one, or where the portal serves a region's sites, one per
/// site (the demonstration's clinician signs in as a clinician of that establishment).
#[component]
fn DevLogin() -> impl IntoView {
    let i18n = use_i18n();
    let access = use_access();
    let failed = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let sites = LocalResource::new(crate::site::site);
    let login = move |site: Option<String>| {
        busy.set(true);
        failed.set(false);
        spawn_local(async move {
            match session::dev_login(site).await {
                Ok(()) => access.refresh(),
                Err(_) => {
                    let _ = failed.try_set(true);
                }
            }
            let _ = busy.try_set(false);
        });
    };
    let buttons = {
        let i18n = i18n.clone();
        move || {
            let dev_sites = sites.get().map(|s| s.dev_sites).unwrap_or_default();
            if dev_sites.is_empty() {
                let label = i18n.t("signin.dev_login");
                return view! {
                    <button class="dev-login" data-testid="dev-login" disabled=move || busy.get()
                        on:click=move |_| login(None)>{label}</button>
                }
                .into_any();
            }
            dev_sites
                .into_iter()
                .map(|site| {
                    let label = i18n.f("signin.dev_login_site", &[("site", &site.name)]);
                    let id = site.id.clone();
                    view! {
                        <button class="dev-login" data-testid="dev-login" data-site=site.id
                            disabled=move || busy.get()
                            on:click=move |_| login(Some(id.clone()))>{label}</button>
                    }
                })
                .collect_view()
                .into_any()
        }
    };
    let dev_failed = {
        let i18n = i18n.clone();
        move || i18n.t("signin.dev_failed")
    };
    view! {
        <div class="dev-logins">{buttons}</div>
        <Show when=move || failed.get()>
            <p class="error" role="alert" data-testid="dev-login-error">{dev_failed.clone()}</p>
        </Show>
    }
}

/// `/auth/login?return=<this page's path and query>`.
fn idp_login_href() -> String {
    let location = window().location();
    let here = format!(
        "{}{}",
        location.pathname().unwrap_or_default(),
        location.search().unwrap_or_default()
    );
    let encoded: String = js_sys::encode_uri_component(&here).into();
    format!("/auth/login?return={encoded}")
}

/// The portal does not answer `/api/session` as it should: said, with a retry.
#[component]
pub fn SessionUnreachable() -> impl IntoView {
    let i18n = use_i18n();
    let access = use_access();
    let text = {
        let i18n = i18n.clone();
        move || i18n.t("signin.unreachable")
    };
    view! {
        <section class="sign-in" data-testid="session-error" role="alert">
            <p>{text}</p>
            <button data-testid="session-retry" on:click=move |_| access.refresh()>
                {move || i18n.t("signin.retry")}
            </button>
        </section>
    }
}

/// The signed-in clinician in the app bar: name and logout.
#[component]
pub fn UserArea() -> impl IntoView {
    let i18n = use_i18n();
    let access = use_access();
    let failed = RwSignal::new(false);
    let logout = move |_| {
        failed.set(false);
        spawn_local(async move {
            match session::logout().await {
                // A fresh start at the app's root: nothing of the session stays in memory
                // (images, local files), and the sign-in page shows.
                Ok(()) => {
                    let _ = window().location().assign("./");
                }
                Err(_) => {
                    let _ = failed.try_set(true);
                }
            }
        });
    };
    move || {
        let i18n = i18n.clone();
        access.clinician().map(|clinician| {
            // The development login's user is named in the reader's language.
            let name = if clinician.dev {
                i18n.t("signin.dev_name")
            } else {
                clinician.name
            };
            let sites = clinician
                .sites
                .iter()
                .map(|s| s.name.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            let failed_text = {
                let i18n = i18n.clone();
                move || i18n.t("signin.logout_failed")
            };
            view! {
                <div class="user-area" data-testid="user-area">
                    <span class="user-name" data-testid="user-name">{name}</span>
                    {(!sites.is_empty()).then(|| view! { <span class="user-sites" data-testid="user-sites">{sites}</span> })}
                    <button data-testid="logout" on:click=logout>{i18n.t("signin.logout")}</button>
                    <Show when=move || failed.get()>
                        <span class="error" role="alert" data-testid="logout-error">{failed_text.clone()}</span>
                    </Show>
                </div>
            }
        })
    }
}

/// While signed in by the development login: a banner that does not go away.
#[component]
pub fn DevBanner() -> impl IntoView {
    let i18n = use_i18n();
    let access = use_access();
    move || {
        access
            .clinician()
            .filter(|c| c.dev)
            .map(|_| view! { <p class="dev-banner" role="alert" data-testid="dev-banner">{i18n.t("signin.dev_banner")}</p> })
    }
}

/// A clinician whose token names no site of the region, or one it does not know: said in
/// plain words, since every study is refused to them.
#[component]
pub fn SiteRefusal() -> impl IntoView {
    let i18n = use_i18n();
    let access = use_access();
    move || {
        let refusal = access.clinician()?.site_refusal?;
        let key = if refusal == "unknown_site" {
            "signin.unknown_site"
        } else {
            "signin.no_site"
        };
        Some(
            view! { <p class="site-refusal" role="alert" data-testid="site-refusal">{i18n.t(key)}</p> },
        )
    }
}
