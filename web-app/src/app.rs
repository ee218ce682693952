//! The app shell: language, route, and the page for the route.

use leptos::prelude::*;

use crate::i18n::{provide_i18n, use_i18n};
use crate::invoke::InvokePage;
use crate::local::{provide_local_files, LocalView};
use crate::route::{self, Route};
use crate::studies::StudyList;
use crate::viewer::StudyView;

#[component]
pub fn App() -> impl IntoView {
    provide_i18n(route::lang());
    provide_local_files();
    let i18n = use_i18n();
    let current = RwSignal::new(route::current());
    let popstate =
        window_event_listener(leptos::ev::popstate, move |_| current.set(route::current()));
    on_cleanup(move || popstate.remove());

    let title = {
        let i18n = i18n.clone();
        move || i18n.t("app.title")
    };
    let switch = i18n.clone();
    view! {
        <div class="app">
            <header class="app-bar">
                <span class="app-title">{title}</span>
                <button class="lang" data-testid="lang-switch" on:click=move |_| switch.toggle()>
                    {let i18n = i18n.clone(); move || i18n.t("lang.switch")}
                </button>
            </header>
            <main>
                {move || match current.get() {
                    Route::Studies => view! { <StudyList route=current/> }.into_any(),
                    Route::Study { study_instance_uid } => {
                        view! { <StudyView studies=vec![study_instance_uid] route=current/> }.into_any()
                    }
                    // The timeline is an IHE IID PATIENT request for that ID.
                    Route::Patient { patient_id } => {
                        let query = format!("?requestType=PATIENT&patientID={}", route::encode(&patient_id));
                        view! { <InvokePage query=query route=current/> }.into_any()
                    }
                    Route::Report { study_instance_uid } => {
                        view! { <StudyView studies=vec![study_instance_uid] route=current report_first=true/> }.into_any()
                    }
                    Route::Compare { studies } => view! { <StudyView studies=studies route=current/> }.into_any(),
                    Route::Local => view! { <LocalView route=current/> }.into_any(),
                    Route::Invoke { query } => view! { <InvokePage query=query route=current/> }.into_any(),
                }}
            </main>
        </div>
    }
}
