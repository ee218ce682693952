//! A patient's timeline: their studies newest first, with a mark on those holding a report;
//! one opens in the viewer, or up to four side by side to compare with priors. Across sites
//! (by national identity) the studies come in groups, one per establishment and local ID,
//! each under its own identity, and may still be compared across groups.

use leptos::prelude::*;
use viewer_core::study::StudySummary;
use viewer_core::text::format_da;

use crate::i18n::{use_i18n, I18n};
use crate::route::{navigate, Route, MAX_COMPARED};

/// Studies of one establishment's patient, under that identity.
#[derive(Clone)]
pub struct TimelineGroup {
    /// The establishment and the local ID.
    pub title: String,
    /// The strict traits as that establishment records them.
    pub identity: String,
    pub site_id: Option<String>,
    pub studies: Vec<String>,
}

#[component]
pub fn Timeline(
    studies: Vec<StudySummary>,
    route: RwSignal<Route>,
    /// Groups by establishment (their own identity each, no banner of the first study's).
    #[prop(optional)]
    groups: Option<Vec<TimelineGroup>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let chosen = RwSignal::new(Vec::<String>::new());
    let first = studies.first().cloned().filter(|_| groups.is_none());
    let banner = first.map(|s| {
        let born = s
            .patient_birth_date
            .as_deref()
            .and_then(format_da)
            .map(|d| i18n.f("patient.born", &[("date", &d)]));
        view! {
            <header class="patient-banner" data-testid="patient-banner">
                <strong>{s.patient_name.clone()}</strong>
                <span>{s.patient_id.clone()}</span>
                <span>{born}</span>
            </header>
        }
    });
    let list = match groups {
        None => {
            let rows = studies
                .iter()
                .map(|study| study_row(&i18n, study, route, chosen))
                .collect_view();
            view! { <ol class="timeline-studies">{rows}</ol> }.into_any()
        }
        Some(groups) => groups
            .into_iter()
            .map(|group| {
                let rows = studies
                    .iter()
                    .filter(|s| group.studies.contains(&s.study_instance_uid))
                    .map(|study| study_row(&i18n, study, route, chosen))
                    .collect_view();
                view! {
                    <section class="timeline-group" data-testid="timeline-group"
                        data-site=group.site_id.clone().unwrap_or_default()>
                        <h2>{group.title.clone()}</h2>
                        <p class="timeline-identity" data-testid="group-identity">{group.identity.clone()}</p>
                        <ol class="timeline-studies">{rows}</ol>
                    </section>
                }
            })
            .collect_view()
            .into_any(),
    };
    let compare = {
        move |_| {
            let studies = chosen.get_untracked();
            if studies.len() >= 2 {
                navigate(route, Route::Compare { studies });
            }
        }
    };
    let compare_label = {
        let i18n = i18n.clone();
        move || {
            i18n.f(
                "timeline.compare",
                &[("n", &chosen.with(|c| c.len()).to_string())],
            )
        }
    };
    view! {
        <section class="timeline" data-testid="timeline">
            <h1>{let i18n = i18n.clone(); move || i18n.t("timeline.title")}</h1>
            {banner}
            {list}
            <button data-testid="compare" disabled={move || chosen.with(|c| c.len() < 2)} on:click=compare>
                {compare_label}
            </button>
        </section>
    }
}

/// One study of the timeline: its date, modalities and description (opens it), the compare
/// pick, and the report mark.
fn study_row(
    i18n: &I18n,
    study: &StudySummary,
    route: RwSignal<Route>,
    chosen: RwSignal<Vec<String>>,
) -> impl IntoView {
    let uid = study.study_instance_uid.clone();
    let open_uid = uid.clone();
    let check_uid = uid.clone();
    // The report opens first, its images beside it.
    let report = study.has_report().then(|| {
        let i18n = i18n.clone();
        let uid = uid.clone();
        view! {
            <button class="report-mark" data-testid="report-mark"
                on:click=move |_| navigate(route, Route::Report { study_instance_uid: uid.clone() })>
                {move || i18n.t("timeline.report")}
            </button>
        }
    });
    let date = study
        .study_date
        .as_deref()
        .map(|d| format_da(d).unwrap_or_else(|| d.to_string()));
    let label = {
        let i18n = i18n.clone();
        move || i18n.t("timeline.compare_this")
    };
    view! {
        <li class="timeline-study" data-testid="timeline-study" data-study=uid.clone()>
            <label class="compare-pick">
                <input type="checkbox" data-testid="compare-pick"
                    prop:checked=move || chosen.with(|c| c.contains(&check_uid))
                    prop:disabled={
                        let uid = uid.clone();
                        move || chosen.with(|c| c.len() >= MAX_COMPARED && !c.contains(&uid))
                    }
                    on:change={
                        let uid = uid.clone();
                        move |_| chosen.update(|c| {
                            if let Some(i) = c.iter().position(|u| *u == uid) {
                                c.remove(i);
                            } else if c.len() < MAX_COMPARED {
                                c.push(uid.clone());
                            }
                        })
                    }/>
                <span class="visually-hidden">{label}</span>
            </label>
            <button class="timeline-open" data-testid="timeline-open"
                on:click=move |_| navigate(route, Route::Study { study_instance_uid: open_uid.clone() })>
                <span class="timeline-date">{date}</span>
                <span>{study.modalities.join(", ")}</span>
                <span>{study.description.clone()}</span>
            </button>
            {report}
        </li>
    }
}
