//! The app shell: a share link's token taken out of the address bar, language, session, and
//! the page the session allows (sign-in, a shared study, or the page for the route).

use leptos::prelude::*;

use crate::access::{provide_access, Gate};
use crate::i18n::{provide_i18n, use_i18n};
use crate::invoke::InvokePage;
use crate::launch::LaunchPage;
use crate::local::{provide_local_files, LocalView};
use crate::national_timeline::NationalTimeline;
use crate::route::{self, Route};
use crate::share_link::{ShareLinkPage, ShareMessage, SharedStudy};
use crate::sign_in::{DevBanner, SessionUnreachable, SignInPage, SiteRefusal, UserArea};
use crate::studies::StudyList;
use crate::viewer::{ReportPage, StudyView};

#[component]
pub fn App() -> impl IntoView {
    // First of all, before anything can show or record the URL.
    let share_link = route::take_share_token();
    provide_i18n(route::lang());
    provide_local_files();
    let access = provide_access(share_link);
    let i18n = use_i18n();
    let current = RwSignal::new(route::current());
    let unsaved = crate::annotations::provide_unsaved_work();
    let leave = i18n.clone();
    // The browser's back and forward buttons: leaving a study with unsaved work asks first;
    // staying puts the study's address back (a new entry where the one left was).
    let popstate = window_event_listener(leptos::ev::popstate, move |_| {
        let next = route::current();
        let leaving = current.try_with_untracked(|c| *c != next).unwrap_or(false);
        let stay = leaving
            && unsaved.0.try_get_untracked().unwrap_or(false)
            && !window()
                .confirm_with_message(&leave.t("annotation.leave_unsaved"))
                .unwrap_or(true);
        match current.try_get_untracked() {
            Some(here) if stay => route::push_url(&here),
            _ => current.set(next),
        }
    });
    on_cleanup(move || popstate.remove());
    let gate = Memo::new(move |_| {
        let share_route = current.with(|r| *r == Route::Share);
        let holding_link = access.share_link.with(Option::is_some);
        access
            .state
            .with(|state| Gate::of(state, share_route, holding_link))
    });

    // The tab's title names the page, never the patient (it stays in the browser's history).
    let tab = i18n.clone();
    Effect::new(move |_| {
        let app = tab.t("app.title");
        let title = match page_title_key(&gate.get(), &current.get()) {
            Some(key) => format!("{} · {app}", tab.t(key)),
            None => app,
        };
        document().set_title(&title);
    });
    let title = {
        let i18n = i18n.clone();
        move || i18n.t("app.title")
    };
    let checking = {
        let i18n = i18n.clone();
        move || i18n.t("signin.checking")
    };
    let switch = i18n.clone();
    view! {
        <div class="app">
            <header class="app-bar">
                <span class="app-title">{title}</span>
                <UserArea/>
                <button class="lang" data-testid="lang-switch" on:click=move |_| switch.toggle()>
                    {let i18n = i18n.clone(); move || i18n.t("lang.switch")}
                </button>
            </header>
            <DevBanner/>
            <SiteRefusal/>
            <main>
                {move || match gate.get() {
                    Gate::Checking => {
                        view! { <p class="loading" data-testid="session-checking">{checking.clone()}</p> }.into_any()
                    }
                    Gate::Unreachable => view! { <SessionUnreachable/> }.into_any(),
                    Gate::SignIn { dev_login, sign_in } => view! { <SignInPage dev_login=dev_login sign_in=sign_in/> }.into_any(),
                    Gate::ShareLink => view! { <ShareLinkPage/> }.into_any(),
                    Gate::Shared(share) => view! { <SharedStudy share=share/> }.into_any(),
                    Gate::ShareEnded => view! { <ShareMessage kind="ended"/> }.into_any(),
                    Gate::Routes => view! { <RoutePage route=current/> }.into_any(),
                }}
            </main>
        </div>
    }
}

/// The catalog key of the page's name in the tab's title (none while the session is checked).
fn page_title_key(gate: &Gate, route: &Route) -> Option<&'static str> {
    Some(match gate {
        Gate::Checking | Gate::Unreachable => return None,
        Gate::SignIn { .. } => "title.sign_in",
        Gate::ShareLink | Gate::Shared(_) | Gate::ShareEnded => "share.title",
        Gate::Routes => match route {
            Route::Studies => "title.studies",
            Route::Patient { .. } | Route::National { .. } => "title.patient",
            Route::Local => "title.local",
            Route::Share => "share.title",
            Route::Launch { .. } => "title.launch",
            Route::Study { .. }
            | Route::Report { .. }
            | Route::Compare { .. }
            | Route::Invoke { .. } => "title.study",
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_page_has_a_title_and_none_names_the_patient() {
        let study = Route::Study {
            study_instance_uid: "1.2.3".into(),
        };
        assert_eq!(page_title_key(&Gate::Checking, &study), None);
        assert_eq!(page_title_key(&Gate::Routes, &study), Some("title.study"));
        assert_eq!(
            page_title_key(&Gate::Routes, &Route::Studies),
            Some("title.studies")
        );
        assert_eq!(
            page_title_key(&Gate::ShareLink, &Route::Share),
            Some("share.title")
        );
        let patient = Route::Patient {
            patient_id: "DOE^JOHN".into(),
        };
        assert_eq!(
            page_title_key(&Gate::Routes, &patient),
            Some("title.patient")
        );
    }
}

/// The page for the route (open access, or a signed-in clinician).
#[component]
fn RoutePage(route: RwSignal<Route>) -> impl IntoView {
    move || match route.get() {
        Route::Studies => view! { <StudyList route=route/> }.into_any(),
        Route::Study { study_instance_uid } => {
            view! { <StudyView studies=vec![study_instance_uid] route=route/> }.into_any()
        }
        // The timeline is an IHE IID PATIENT request for that ID.
        Route::Patient { patient_id } => {
            let query = format!(
                "?requestType=PATIENT&patientID={}",
                route::encode(&patient_id)
            );
            view! { <InvokePage query=query route=route/> }.into_any()
        }
        Route::Report { study_instance_uid } => {
            view! { <ReportPage study=study_instance_uid route=route/> }.into_any()
        }
        Route::Compare { studies } => view! { <StudyView studies=studies route=route/> }.into_any(),
        Route::Local => view! { <LocalView route=route/> }.into_any(),
        Route::Invoke { query } => view! { <InvokePage query=query route=route/> }.into_any(),
        // Reached only with a share session or a link in hand (see `Gate`).
        Route::Share => view! { <ShareMessage kind="ended"/> }.into_any(),
        Route::Launch { id } => view! { <LaunchPage id=id route=route/> }.into_any(),
        Route::National { study, filter } => {
            view! { <NationalTimeline study=study filter=filter route=route/> }.into_any()
        }
    }
}
