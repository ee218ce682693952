//! Files the reader opens from this computer (dropped, or chosen as files or a folder): read
//! and decoded in the browser, never uploaded. They stay in memory for this tab only.

use std::collections::HashMap;
use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use viewer_core::dicom_json::JsonDataset;
use viewer_core::dicomdir::{referenced_files, select_files, DICOMDIR_NAME};
use viewer_core::file::DicomFile;
use viewer_core::local::{group_series, LocalSeries};
use viewer_core::study::image_stack;
use viewer_core::Limits;
use wasm_bindgen::JsCast;

use crate::i18n::use_i18n;
use crate::picked::{self, PickedFile};
use crate::route::{navigate, BackToList, Route};
use crate::stack::Stack;
use crate::viewport::{Identity, Viewport};

/// Larger files are not read (the tab's memory is the limit, and a file this size is a
/// long multi-frame that the PACS should serve).
const MAX_FILE_BYTES: f64 = 1024.0 * 1024.0 * 1024.0;

/// The files read, their attributes and their series.
pub struct LocalStudy {
    files: Vec<Rc<DicomFile>>,
    attributes: Vec<JsonDataset>,
    series: Vec<LocalSeries>,
    outcome: ReadOutcome,
}

/// The opened files of this tab (a context).
#[derive(Clone, Copy)]
pub struct LocalFiles(RwSignal<Option<Rc<LocalStudy>>, LocalStorage>);

pub fn provide_local_files() {
    provide_context(LocalFiles(RwSignal::new_local(None)));
}

/// What came of the files given: read, refused (not DICOM images, too large), and for a
/// DICOMDIR, its files that were missing or files beside it it does not reference.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
struct ReadOutcome {
    read: usize,
    refused: usize,
    missing: usize,
    unreferenced: usize,
}

async fn file_bytes(file: &web_sys::File) -> Option<Vec<u8>> {
    if file.size() > MAX_FILE_BYTES {
        return None;
    }
    let buffer = wasm_bindgen_futures::JsFuture::from(file.array_buffer())
        .await
        .ok()?;
    Some(js_sys::Uint8Array::new(&buffer).to_vec())
}

fn is_dicomdir(path: &str) -> bool {
    path.rsplit('/')
        .next()
        .is_some_and(|name| name.eq_ignore_ascii_case(DICOMDIR_NAME))
}

async fn read_files(files: Vec<PickedFile>) -> (LocalStudy, ReadOutcome) {
    let limits = Limits::default();
    // DICOMDIRs first: they say which of the other files to read.
    let mut directories = Vec::new();
    for (i, picked) in files.iter().enumerate() {
        if is_dicomdir(&picked.path) {
            if let Some(refs) = file_bytes(&picked.file)
                .await
                .and_then(|b| referenced_files(&b).ok())
            {
                directories.push((i, refs));
            }
        }
    }
    let paths: Vec<String> = files.iter().map(|f| f.path.clone()).collect();
    let selection = select_files(&paths, &directories);
    let mut outcome = ReadOutcome {
        missing: selection.missing,
        unreferenced: selection.unreferenced,
        ..ReadOutcome::default()
    };
    let (mut read, mut attributes) = (Vec::new(), Vec::new());
    for i in selection.read {
        // Reports and anything that is not an image are not read.
        let parsed = match file_bytes(&files[i].file).await {
            Some(bytes) => DicomFile::parse(&bytes, &limits).ok(),
            None => None,
        };
        match parsed {
            Some(parsed) => {
                attributes.push(parsed.attributes());
                read.push(Rc::new(parsed));
            }
            None => outcome.refused += 1,
        }
    }
    outcome.read = read.len();
    let series = group_series(&attributes);
    (
        LocalStudy {
            files: read,
            attributes,
            series,
            outcome,
        },
        outcome,
    )
}

/// Files chosen in a picker, or the entries of a drop (walked once the event is over).
enum PickedFiles {
    Listed(Vec<PickedFile>),
    Dropped(Vec<picked::Dropped>),
}

/// Drop zone and file / folder pickers on the study list.
#[component]
pub fn LocalOpen(route: RwSignal<Route>) -> impl IntoView {
    let i18n = use_i18n();
    let LocalFiles(local) = expect_context::<LocalFiles>();
    let status = RwSignal::new(None::<String>);
    let open = {
        let i18n = i18n.clone();
        move |files: PickedFiles| {
            status.set(Some(i18n.t("local.reading")));
            let i18n = i18n.clone();
            spawn_local(async move {
                let files = match files {
                    PickedFiles::Listed(files) => files,
                    PickedFiles::Dropped(dropped) => picked::walk(dropped).await,
                };
                if files.is_empty() {
                    status.set(None);
                    return;
                }
                let (study, outcome) = read_files(files).await;
                if outcome.read == 0 {
                    let text = if outcome.missing > 0 {
                        i18n.n("local.dicomdir_alone", outcome.missing, &[])
                    } else {
                        i18n.n("local.nothing", outcome.refused, &[])
                    };
                    status.set(Some(text));
                    return;
                }
                local.set(Some(Rc::new(study)));
                navigate(route, Route::Local);
            });
        }
    };
    let on_drop = {
        let open = open.clone();
        move |ev: leptos::ev::DragEvent| {
            ev.prevent_default();
            if let Some(transfer) = ev.data_transfer() {
                open(PickedFiles::Dropped(picked::dropped(&transfer)));
            }
        }
    };
    let on_pick = move |ev: leptos::ev::Event| {
        let input = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok());
        open(PickedFiles::Listed(picked::from_file_list(
            input.and_then(|i| i.files()),
        )));
    };
    let on_pick_folder = on_pick.clone();
    let label = |key: &'static str| {
        let i18n = i18n.clone();
        move || i18n.t(key)
    };
    view! {
        <section class="local-open" data-testid="local-open"
            on:dragover=|ev: leptos::ev::DragEvent| ev.prevent_default() on:drop=on_drop>
            <p>{label("local.drop")}</p>
            <label class="button">
                {label("local.choose_files")}
                <input type="file" multiple=true data-testid="local-files" class="visually-hidden"
                    on:change=on_pick />
            </label>
            <label class="button">
                {label("local.choose_folder")}
                <input type="file" multiple=true prop:webkitdirectory=true data-testid="local-folder"
                    class="visually-hidden" on:change=on_pick_folder />
            </label>
            <p class="notice" role="status" data-testid="local-status">{move || status.get()}</p>
        </section>
    }
}

/// What was not shown of the files given, when anything was left out.
fn skipped_text(i18n: &crate::i18n::I18n, outcome: &ReadOutcome) -> Option<String> {
    let parts: Vec<String> = [
        ("local.refused", outcome.refused),
        ("local.missing", outcome.missing),
        ("local.unreferenced", outcome.unreferenced),
    ]
    .iter()
    .filter(|(_, n)| *n > 0)
    .map(|(key, n)| i18n.n(key, *n, &[]))
    .collect();
    (!parts.is_empty()).then(|| parts.join(" · "))
}

fn identity(ds: &JsonDataset, series: &LocalSeries) -> Identity {
    use viewer_core::tags as t;
    Identity {
        patient_name: ds.person_name(t::PATIENT_NAME).unwrap_or_default(),
        patient_id: ds.string(t::PATIENT_ID).unwrap_or_default(),
        birth_date: ds.string(t::PATIENT_BIRTH_DATE),
        sex: ds.string(t::PATIENT_SEX).filter(|s| !s.is_empty()),
        study_date: ds.string(t::STUDY_DATE),
        study_description: ds.string(t::STUDY_DESCRIPTION),
        series_description: series.description.clone(),
        issuer: ds.string(t::ISSUER_OF_PATIENT_ID).filter(|s| !s.is_empty()),
        national: Some(viewer_core::identity::PatientIdentity::of_dataset(ds)),
    }
}

/// The opened files: their series, and a viewport on the one chosen.
#[component]
pub fn LocalView(route: RwSignal<Route>) -> impl IntoView {
    let i18n = use_i18n();
    let LocalFiles(local) = expect_context::<LocalFiles>();
    let selected = RwSignal::new(0usize);
    let back = view! { <BackToList route=route/> };
    let body = move || {
        let Some(study) = local.get() else {
            return view! { <p class="notice" data-testid="local-none">{i18n.t("local.none")}</p> }
                .into_any();
        };
        let items = study
            .series
            .iter()
            .enumerate()
            .map(|(n, s)| {
                let label = format!(
                    "{} {} {} ({})",
                    s.series_number.map(|n| format!("#{n}")).unwrap_or_default(),
                    s.modality.clone().unwrap_or_default(),
                    s.description.clone().unwrap_or_default(),
                    s.files.len()
                );
                view! {
                    <li><button data-testid="series-item" class:selected=move || selected.get() == n
                        on:click=move |_| selected.set(n)>{label}</button></li>
                }
            })
            .collect_view();
        let notice = i18n.t("local.notice");
        let skipped = skipped_text(&i18n, &study.outcome);
        // View closures must be Send; the files only ever live on the page's thread.
        let study = send_wrapper::SendWrapper::new(study);
        let viewport = move || {
            let series = study.series.get(selected.get())?.clone();
            let attributes: Vec<JsonDataset> = series
                .files
                .iter()
                .map(|&i| study.attributes[i].clone())
                .collect();
            let files: HashMap<String, Rc<DicomFile>> = series
                .files
                .iter()
                .filter_map(|&i| {
                    let uid = study.attributes[i].string(viewer_core::tags::SOP_INSTANCE_UID)?;
                    Some((uid, Rc::clone(&study.files[i])))
                })
                .collect();
            let identity = identity(&attributes[0], &series);
            let images = image_stack(&attributes, &Limits::default());
            let stack = Stack::local(series.series_instance_uid.clone(), images, files);
            Some(view! { <Viewport stack=stack identity=identity/> })
        };
        view! {
            <p class="notice" data-testid="local-notice">{notice}</p>
            {skipped.map(|t| view! { <p class="notice" role="status" data-testid="local-skipped">{t}</p> })}
            <div class="study-layout">
                <nav class="series-list"><ul>{items}</ul></nav>
                <div class="grid" data-layout="1x1"><div class="cell">{viewport}</div></div>
            </div>
        }
        .into_any()
    };
    view! {
        <section class="study" data-testid="local-view">
            {back}
            {body}
        </section>
    }
}
