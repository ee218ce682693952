//! The series browser beside the grid: the series of each open study (grouped when there
//! are several), with thumbnails and load progress; a click or a drag puts one in a cell.

use leptos::prelude::*;
use viewer_core::study::SeriesSummary;

use super::series::SERIES_DRAG_TYPE;
use super::{Opened, SeriesRef};
use crate::i18n::use_i18n;
use crate::layout::Grid;
use crate::thumbnails::{SeriesBrowser, SeriesThumbnail};

#[component]
pub(super) fn SeriesList(
    opened: Vec<Opened>,
    slots: RwSignal<Vec<Option<SeriesRef>>>,
    browser: SeriesBrowser,
) -> impl IntoView {
    let i18n = use_i18n();
    let several = opened.len() > 1;
    let groups = opened
        .into_iter()
        .map(|o| {
            // With several studies, each group says which study it is (date, description).
            let heading = several.then(|| {
                let study = o.study.as_ref();
                let date = study
                    .and_then(|s| s.study_date.as_deref())
                    .and_then(viewer_core::text::format_da)
                    .unwrap_or_default();
                let description = study.and_then(|s| s.description.clone()).unwrap_or_default();
                view! { <li class="study-heading" data-testid="series-study">{format!("{date} {description}")}</li> }
            });
            let items = o
                .series
                .into_iter()
                .map(|s| series_item(&o.uid, s, slots, browser))
                .collect_view();
            view! { {heading} {items} }
        })
        .collect_view();
    view! {
        <nav class="series-list" aria-label=move || i18n.t("viewer.series")>
            <ul>{groups}</ul>
        </nav>
    }
}

fn series_item(
    study: &str,
    s: SeriesSummary,
    slots: RwSignal<Vec<Option<SeriesRef>>>,
    browser: SeriesBrowser,
) -> impl IntoView {
    let grid = expect_context::<Grid>();
    let this = SeriesRef {
        study: study.to_string(),
        series: s.series_instance_uid.clone(),
        only: None,
    };
    let uid = s.series_instance_uid.clone();
    let label = format!(
        "{} {} {}",
        s.series_number.map(|n| format!("#{n}")).unwrap_or_default(),
        s.modality.clone().unwrap_or_default(),
        s.description.clone().unwrap_or_default()
    );
    let count = s
        .instance_count
        .map(|n| format!("({n})"))
        .unwrap_or_default();
    let thumbnail = s
        .may_hold_images()
        .then(|| view! { <SeriesThumbnail series=uid.clone() browser=browser/> });
    let progress = {
        let uid = uid.clone();
        move || {
            browser
                .progress
                .with(|p| p.get(&uid).copied())
                .filter(|(loaded, total)| loaded < total)
                .map(|(loaded, total)| {
                    view! {
                        <progress data-testid="series-progress" max=total.to_string()
                            value=loaded.to_string()>{format!("{loaded}/{total}")}</progress>
                    }
                })
        }
    };
    let selected = {
        let this = this.clone();
        move || {
            let active = grid.active.get();
            slots.with(|s| s[active].as_ref() == Some(&this))
        }
    };
    let drag_data = format!("{}/{}", this.study, this.series);
    view! {
        <li>
            <button
                data-testid="series-item"
                draggable="true"
                class:selected=selected
                on:click=move |_| {
                    let active = grid.active.get_untracked();
                    slots.update(|s| s[active] = Some(this.clone()));
                }
                on:dragstart=move |ev: leptos::ev::DragEvent| {
                    if let Some(data) = ev.data_transfer() {
                        let _ = data.set_data(SERIES_DRAG_TYPE, &drag_data);
                    }
                }
            >
                {thumbnail}
                <span class="series-label">{label} " " {count}</span>
                // The bar's place is kept when it goes, so the list (and the grid beside or
                // below it) never changes size while series load.
                <span class="progress-slot">{progress}</span>
            </button>
        </li>
    }
}
