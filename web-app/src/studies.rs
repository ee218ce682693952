//! The study list (QIDO-RS): filters sent to the server as the reader types (debounced, the
//! previous request cancelled), results sorted by any column and shown a page at a time.

use std::cell::RefCell;
use std::rc::Rc;

use gloo::timers::callback::Timeout;
use leptos::prelude::*;
use leptos::task::spawn_local;
use send_wrapper::SendWrapper;
use viewer_core::iid::STUDY_FIELDS;
use viewer_core::search::{sort_studies, Column, DateFilter, StudySearch, BATCH};
use viewer_core::study::StudySummary;
use viewer_core::text::format_da;

use crate::access::use_access;
use crate::api;
use crate::date_field::DateField;
use crate::failure::Failure;
use crate::i18n::{use_i18n, I18n};
use crate::local::LocalOpen;
use crate::route::{navigate, Route};
use crate::site::Establishment;

/// Rows shown per page.
const PAGE_ROWS: usize = 25;
/// Typing pauses this long before the search is sent.
const DEBOUNCE_MS: u32 = 300;
/// Modalities offered in the filter (any other can be typed in a link or found by text).
const MODALITIES: &[&str] = &[
    "CT", "MR", "US", "CR", "DX", "MG", "PT", "NM", "XA", "RF", "OT", "SR", "DOC",
];

#[derive(Clone, Default)]
struct Results {
    studies: Vec<StudySummary>,
    /// Batches received; the last was full, so more may follow.
    batches: u32,
    more: bool,
    loading: bool,
    /// Rows whose patient name is still being read from their files.
    names_to_read: usize,
    error: Option<Failure>,
}

/// Today as `YYYYMMDD` in the reader's time zone.
fn today() -> String {
    let now = js_sys::Date::new_0();
    format!(
        "{:04}{:02}{:02}",
        now.get_full_year(),
        now.get_month() + 1,
        now.get_date()
    )
}

/// In-flight search state: the pending debounce and the request to cancel.
#[derive(Default)]
struct Pending {
    timer: Option<Timeout>,
    controller: Option<web_sys::AbortController>,
}

fn run_search(
    search: StudySearch,
    batch: u32,
    results: RwSignal<Results>,
    pending: &Rc<RefCell<Pending>>,
) {
    if let Some(previous) = pending.borrow_mut().controller.take() {
        previous.abort();
    }
    let controller = web_sys::AbortController::new().ok();
    let signal = controller.as_ref().map(|c| c.signal());
    pending.borrow_mut().controller = controller;
    results.update(|r| {
        r.loading = true;
        r.names_to_read = 0;
        r.error = None;
    });
    spawn_local(async move {
        let query = search.query(&today(), batch, STUDY_FIELDS);
        match api::search_studies_matching(&query, signal.as_ref()).await {
            Ok(found) => {
                if signal.as_ref().is_some_and(|s| s.aborted()) {
                    return;
                }
                let more = found.len() >= BATCH as usize;
                let found: Vec<StudySummary> =
                    found.iter().filter_map(StudySummary::from_qido).collect();
                let unnamed: Vec<String> = found
                    .iter()
                    .filter(|s| s.patient_name_incomplete)
                    .map(|s| s.study_instance_uid.clone())
                    .collect();
                let _ = results.try_update(|r| {
                    if batch == 0 {
                        r.studies.clear();
                    }
                    for s in found {
                        if !r
                            .studies
                            .iter()
                            .any(|o| o.study_instance_uid == s.study_instance_uid)
                        {
                            r.studies.push(s);
                        }
                    }
                    r.batches = batch + 1;
                    r.more = more;
                    r.loading = false;
                    r.names_to_read = unnamed.len();
                });
                // Names the index lost are read from one instance each, one row at a time.
                for uid in unnamed {
                    if signal.as_ref().is_some_and(|s| s.aborted()) {
                        return;
                    }
                    let name = api::patient_name_from_files(&uid, signal.as_ref()).await;
                    if signal.as_ref().is_some_and(|s| s.aborted()) {
                        return;
                    }
                    let _ = results.try_update(|r| {
                        r.names_to_read = r.names_to_read.saturating_sub(1);
                        if let (Ok(Some(name)), Some(s)) = (
                            name,
                            r.studies.iter_mut().find(|s| s.study_instance_uid == uid),
                        ) {
                            s.patient_name = Some(name);
                        }
                    });
                }
            }
            // A newer search replaced this one.
            Err(_) if signal.as_ref().is_some_and(|s| s.aborted()) => {}
            Err(e) => {
                let _ = results.try_update(|r| {
                    r.loading = false;
                    r.error = Some(Failure::from(&e));
                });
            }
        }
    });
}

#[component]
pub fn StudyList(route: RwSignal<Route>) -> impl IntoView {
    let i18n = use_i18n();
    let search = RwSignal::new(StudySearch::default());
    let sort = RwSignal::new((Column::Date, false));
    let page = RwSignal::new(0usize);
    let results = RwSignal::new(Results::default());
    let pending = SendWrapper::new(Rc::new(RefCell::new(Pending::default())));

    search_as_typed(search, page, results, &pending);
    let load_more = {
        let pending = pending.clone();
        move |_| {
            let batch = results.with_untracked(|r| r.batches);
            run_search(search.get_untracked(), batch, results, &pending);
        }
    };

    let sorted = Memo::new(move |_| {
        let (column, ascending) = sort.get();
        let mut list = results.with(|r| r.studies.clone());
        sort_studies(&mut list, column, ascending);
        list
    });
    let pages = move || sorted.with(|s| s.len().div_ceil(PAGE_ROWS).max(1));
    let visible = move || {
        let p = page.get();
        sorted.with(|s| {
            s.iter()
                .skip(p * PAGE_ROWS)
                .take(PAGE_ROWS)
                .cloned()
                .collect::<Vec<_>>()
        })
    };

    let table = {
        let i18n = i18n.clone();
        move || {
            let i18n = i18n.clone();
            let r = results.get();
            if let Some(e) = &r.error {
                let text = i18n.f("studies.error", &[("error", &e.message(&i18n))]);
                return view! { <p class="error" role="alert" data-testid="studies-error">{text}</p> }.into_any();
            }
            if r.studies.is_empty() && !r.loading {
                return view! { <p class="notice" data-testid="studies-empty">{i18n.t("studies.empty")}</p> }.into_any();
            }
            let header = |column, key| sort_header(&i18n, sort, column, key);
            view! {
                <table class="studies" data-testid="study-table">
                    <thead><tr>
                        {header(Column::Patient, "col.patient")}
                        {header(Column::PatientId, "col.patient_id")}
                        {header(Column::Date, "col.date")}
                        {header(Column::Modalities, "col.modality")}
                        {header(Column::Description, "col.description")}
                        {header(Column::Images, "col.images")}
                        <th>{i18n.t("col.report")}</th>
                    </tr></thead>
                    <tbody>
                        <For each=visible key=|s| s.study_instance_uid.clone() let:study>
                            <StudyRow study=study route=route/>
                        </For>
                    </tbody>
                </table>
            }
            .into_any()
        }
    };

    let status = {
        let i18n = i18n.clone();
        move || {
            let (loading, count, more) = results.with(|r| (r.loading, r.studies.len(), r.more));
            if loading {
                i18n.t("studies.loading")
            } else if more {
                i18n.f("studies.count_more", &[("n", &count.to_string())])
            } else {
                i18n.n("studies.count", count, &[])
            }
        }
    };
    let t = {
        let i18n = i18n.clone();
        move |key: &'static str| label(&i18n, key)
    };
    let page_text = {
        let i18n = i18n.clone();
        move || {
            i18n.f(
                "studies.page",
                &[
                    ("n", &(page.get() + 1).to_string()),
                    ("total", &pages().to_string()),
                ],
            )
        }
    };
    let load_more_label = t("studies.load_more");
    let first_page = move || page.get() == 0;
    let last_page = move || page.get() + 1 >= pages();
    view! {
        // Busy while the list is searched or names are read from files: a test (or an
        // assistive tool) knows when the list's own requests are over.
        <section class="study-list" data-testid="study-list"
            data-busy=move || results.with(|r| r.loading || r.names_to_read > 0).to_string()>
            <h1>{t("studies.title")}</h1>
            <crate::exchange::Inbox route=route/>
            <crate::emergency::EmergencyReview/>
            <SearchForm search=search/>
            <p class="notice" role="status" data-testid="studies-status">{status}</p>
            {table}
            <nav class="pager" aria-label=t("studies.pages")>
                <button data-testid="page-previous" disabled=first_page
                    on:click=move |_| page.update(|p| *p = p.saturating_sub(1))>{t("studies.previous")}</button>
                <span data-testid="page">{page_text}</span>
                <button data-testid="page-next" disabled=last_page
                    on:click=move |_| page.update(|p| *p += 1)>{t("studies.next")}</button>
                <Show when=move || results.with(|r| r.more && !r.loading)>
                    <button data-testid="load-more" on:click=load_more.clone()>{load_more_label.clone()}</button>
                </Show>
            </nav>
            <LocalOpen route=route/>
        </section>
    }
}

/// Every change of the filters: waits for a pause in typing, then searches from the start (the
/// first search goes at once). Leaving the list cancels the timer and the request in flight.
fn search_as_typed(
    search: RwSignal<StudySearch>,
    page: RwSignal<usize>,
    results: RwSignal<Results>,
    pending: &SendWrapper<Rc<RefCell<Pending>>>,
) {
    {
        let pending = pending.clone();
        Effect::new(move |previous: Option<()>| {
            let current = search.get();
            page.set(0);
            let state = Rc::clone(&pending);
            let send = move || run_search(current.clone(), 0, results, &state);
            if previous.is_none() {
                send(); // the first search goes at once
            } else {
                let timer = Timeout::new(DEBOUNCE_MS, send);
                // Replacing the timer drops (cancels) the one typing interrupted.
                pending.borrow_mut().timer = Some(timer);
            }
        });
    }
    {
        let pending = pending.clone();
        on_cleanup(move || {
            let mut p = pending.borrow_mut();
            p.timer = None;
            if let Some(c) = p.controller.take() {
                c.abort();
            }
        });
    }
}

/// A column's header: a button that sorts by it (again: the other way), with its state for
/// assistive technology.
fn sort_header(
    i18n: &I18n,
    sort: RwSignal<(Column, bool)>,
    column: Column,
    key: &'static str,
) -> impl IntoView {
    let i18n = i18n.clone();
    let state = move || {
        let (c, ascending) = sort.get();
        match (c == column, ascending) {
            (false, _) => "none",
            (true, true) => "ascending",
            (true, false) => "descending",
        }
    };
    view! {
        <th aria-sort=state>
            <button class="sort" data-testid="sort" data-column=key
                on:click=move |_| sort.update(|(c, ascending)| {
                    if *c == column {
                        *ascending = !*ascending;
                    } else {
                        *c = column;
                        *ascending = column != Column::Date;
                    }
                })>
                {move || i18n.t(key)}
                <span aria-hidden="true">{move || match state() { "ascending" => " ▲", "descending" => " ▼", _ => "" }}</span>
            </button>
        </th>
    }
}

/// A catalog text that follows the language.
fn label(
    i18n: &crate::i18n::I18n,
    key: &'static str,
) -> impl Fn() -> String + Clone + Send + Sync + 'static {
    let i18n = i18n.clone();
    move || i18n.t(key)
}

/// The filters: each change updates the search (the list debounces it).
#[component]
fn SearchForm(search: RwSignal<StudySearch>) -> impl IntoView {
    let i18n = use_i18n();
    let t = {
        let i18n = i18n.clone();
        move |key: &'static str| label(&i18n, key)
    };
    let text_field = {
        let t = t.clone();
        move |key: &'static str,
              testid: &'static str,
              get: fn(&StudySearch) -> String,
              set: fn(&mut StudySearch, String)| {
            let label = t(key);
            view! {
                <label class="filter">
                    <span>{label}</span>
                    <input type="search" data-testid=testid
                        prop:value=move || search.with(get)
                        on:input=move |ev| { let v = event_target_value(&ev); search.update(|s| set(s, v)); }/>
                </label>
            }
        }
    };
    let dates_choice = move || match search.with(|s| s.dates.clone()) {
        DateFilter::Any => "any",
        DateFilter::Today => "today",
        DateFilter::LastDays(7) => "7",
        DateFilter::LastDays(_) => "30",
        DateFilter::Range { .. } => "range",
    };
    let set_dates = move |ev: leptos::ev::Event| {
        let dates = match event_target_value(&ev).as_str() {
            "today" => DateFilter::Today,
            "7" => DateFilter::LastDays(7),
            "30" => DateFilter::LastDays(30),
            "range" => DateFilter::Range {
                from: None,
                to: None,
            },
            _ => DateFilter::Any,
        };
        search.update(|s| s.dates = dates);
    };
    let range_input = {
        move |testid: &'static str, key: &'static str, is_from: bool| {
            let on_date = Callback::new(move |value: Option<String>| {
                let changed = search.with_untracked(|s| match &s.dates {
                    DateFilter::Range { from, to } => (if is_from { from } else { to }) != &value,
                    _ => false,
                });
                if changed {
                    search.update(|s| {
                        if let DateFilter::Range { from, to } = &mut s.dates {
                            if is_from {
                                *from = value
                            } else {
                                *to = value
                            }
                        }
                    });
                }
            });
            view! { <DateField testid=testid label=key on_date=on_date/> }
        }
    };
    let modality_options = MODALITIES
        .iter()
        .map(|m| view! { <option value=*m>{*m}</option> })
        .collect_view();
    view! {
        <form class="search" role="search" data-testid="study-search" on:submit=|ev| ev.prevent_default()>
            {text_field("filter.patient_name", "filter-name", |s| s.patient_name.clone(), |s, v| s.patient_name = v)}
            {text_field("filter.patient_id", "filter-id", |s| s.patient_id.clone(), |s, v| s.patient_id = v)}
            <DateField testid="filter-birth-date" label="filter.birth_date" on_date=Callback::new(move |v: Option<String>| {
                if search.with_untracked(|s| s.birth_date != v) { search.update(|s| s.birth_date = v); }
            })/>
            <label class="filter">
                <span>{t("filter.study_date")}</span>
                <select data-testid="filter-dates" prop:value=dates_choice on:change=set_dates>
                    <option value="any">{t("filter.any_date")}</option>
                    <option value="today">{t("filter.today")}</option>
                    <option value="7">{t("filter.last_7_days")}</option>
                    <option value="30">{t("filter.last_30_days")}</option>
                    <option value="range">{t("filter.range")}</option>
                </select>
            </label>
            <Show when=move || matches!(search.with(|s| s.dates.clone()), DateFilter::Range { .. })>
                {range_input("filter-from", "filter.from", true)}
                {range_input("filter-to", "filter.to", false)}
            </Show>
            <label class="filter">
                <span>{t("filter.modality")}</span>
                <select data-testid="filter-modality"
                    on:change=move |ev| { let v = event_target_value(&ev); search.update(|s| s.modality = (!v.is_empty()).then_some(v)); }>
                    <option value="">{t("filter.any_modality")}</option>
                    {modality_options}
                </select>
            </label>
            {text_field("filter.accession", "filter-accession", |s| s.accession_number.clone(), |s, v| s.accession_number = v)}
            {text_field("filter.description", "filter-description", |s| s.description.clone(), |s, v| s.description = v)}
            <button type="reset" data-testid="filter-clear" on:click=move |_| search.set(StudySearch::default())>
                {t("filter.clear")}
            </button>
        </form>
    }
}

#[component]
fn StudyRow(study: StudySummary, route: RwSignal<Route>) -> impl IntoView {
    let i18n = use_i18n();
    let uid = study.study_instance_uid.clone();
    let go = move || {
        navigate(
            route,
            Route::Study {
                study_instance_uid: uid.clone(),
            },
        )
    };
    let open = {
        let go = go.clone();
        move |_| go()
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Enter" {
            go();
        }
    };
    let date = study
        .study_date
        .as_deref()
        .map(|d| format_da(d).unwrap_or_else(|| d.to_string()));
    // The patient ID opens the patient's timeline (the row opens this study): the studies of
    // that ID in its issuer's domain only (an HL7 CX ID with its assigning authority), since
    // another establishment may give the same local ID to another person.
    let timeline = study.patient_id.clone().map(|id| {
        let label = i18n.f("studies.timeline_of", &[("id", &id)]);
        let target = match study.issuer_of_patient_id.as_deref() {
            Some(issuer) if !id.contains('^') && !issuer.contains(['^', '&']) => {
                format!("{id}^^^{issuer}")
            }
            _ => id.clone(),
        };
        view! {
            <button class="link" data-testid="open-timeline" title=label.clone() aria-label=label
                on:click=move |ev| {
                    ev.stop_propagation();
                    navigate(route, Route::Patient { patient_id: target.clone() });
                }>
                {id}
            </button>
        }
    });
    // The mark opens the report first (the row opens the images).
    let report = study.has_report().then(|| {
        let uid = study.study_instance_uid.clone();
        view! {
            <button class="report-mark" data-testid="report-mark"
                on:click=move |ev| {
                    ev.stop_propagation();
                    navigate(route, Route::Report { study_instance_uid: uid.clone() });
                }>
                {i18n.t("timeline.report")}
            </button>
        }
    });
    // Another establishment's study (read through the patient's consent): its site said.
    let other_site = use_access().clinician().and_then(|clinician| {
        let issuer = study.issuer_of_patient_id.as_deref()?;
        let site = Establishment::of_issuer(&clinician.region, issuer)?;
        let own = clinician.sites.iter().any(|s| s.id == site.id);
        (!own).then(|| {
            let label = i18n.f("studies.other_site", &[("site", &site.name)]);
            view! { <span class="site-badge" data-testid="study-site">{label}</span> }
        })
    });
    view! {
        <tr class="study-row" data-testid="study-row" tabindex="0" on:click=open on:keydown=on_key>
            <td>{study.patient_name.clone()}</td>
            <td data-testid="study-patient-id">{timeline}{other_site}</td>
            <td>{date}</td>
            <td>{study.modalities.join(", ")}</td>
            <td>{study.description.clone()}</td>
            <td>{study.instance_count.map(|n| n.to_string())}</td>
            <td>{report}</td>
        </tr>
    }
}
