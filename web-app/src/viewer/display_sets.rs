//! What a series without images shows: structured reports and PDFs as documents, a key
//! object selection's images in a viewport, other objects as cards that say what they are.

use std::rc::Rc;

use leptos::prelude::*;
use viewer_core::dicom_json::JsonDataset;
use viewer_core::display_set::{DisplaySet, DisplaySetKind};
use viewer_core::kos::{key_images, KeyImages};

use super::series::{load_series, Loaded};
use crate::i18n::use_i18n;
use crate::report::{PdfDocument, SrReport};
use crate::viewport::{Identity, Viewport};

/// What a series without images holds: structured reports and PDFs shown as documents, other
/// objects as cards that say what they are.
#[component]
pub(super) fn DisplaySetCards(
    sets: Vec<DisplaySet>,
    metadata: Rc<Vec<JsonDataset>>,
    study: String,
    series: String,
    identity: Identity,
    cell: usize,
) -> impl IntoView {
    let i18n = use_i18n();
    let cards = sets
        .into_iter()
        .map(|set| {
            let instances: Vec<JsonDataset> = set
                .instances
                .iter()
                .filter_map(|&i| metadata.get(i).cloned())
                .collect();
            match &set.kind {
                DisplaySetKind::StructuredReport => instances
                    .into_iter()
                    .map(|instance| view! { <SrReport instance=instance study=study.clone()/> })
                    .collect_view()
                    .into_any(),
                // The first selection's images, in a viewport of their own.
                DisplaySetKind::KeyObjectSelection
                    if instances.first().and_then(key_images).is_some() =>
                {
                    let selection = instances.first().and_then(key_images);
                    view! { <KeyImagesView selection=selection identity=identity.clone() cell=cell/> }
                        .into_any()
                }
                DisplaySetKind::EncapsulatedPdf => instances
                    .into_iter()
                    .map(|instance| {
                        view! { <PdfDocument study=study.clone() series=series.clone() instance=instance/> }
                    })
                    .collect_view()
                    .into_any(),
                kind => card(&i18n, kind, set.instances.len()).into_any(),
            }
        })
        .collect_view();
    view! { <div class="display-set-cards">{cards}</div> }
}

/// A key object selection's images: the series holding most of them, only those images.
#[component]
fn KeyImagesView(selection: Option<KeyImages>, identity: Identity, cell: usize) -> impl IntoView {
    let i18n = use_i18n();
    let main = selection.as_ref().and_then(KeyImages::main_series);
    let count = selection.as_ref().map_or(0, |s| s.images.len());
    // A title of the standard's list in the reader's language; another as the file words it.
    let title_text = selection.as_ref().and_then(|s| match &s.title_code {
        Some(code) => Some(i18n.t(&format!("kos.title.{code}"))),
        None => s.title.clone(),
    });
    let title = [
        title_text,
        selection.as_ref().and_then(|s| s.description.clone()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" : ");
    let heading = i18n.f(
        "key_images.heading",
        &[("n", &count.to_string()), ("title", &title)],
    );
    // A manifest naming other archives' studies: located by the gateway first, so that its
    // images are read from their source.
    let remote_urls = selection
        .as_ref()
        .map(|s| crate::remote::foreign(&s.retrieve_urls))
        .unwrap_or_default();
    let references = RwSignal::new(Vec::new());
    let stack = LocalResource::new(move || {
        let main = main.clone();
        let remote_urls = remote_urls.clone();
        async move {
            if !remote_urls.is_empty() {
                if let Ok(found) = crate::remote::resolve(&remote_urls).await {
                    references.set(found);
                }
            }
            let (study, series, sops) = main?;
            load_series(study, series, Some(sops)).await.ok()
        }
    });
    let images = move || {
        let identity = identity.clone();
        let heading = heading.clone();
        stack.get().map(move |loaded| match loaded {
            Some(Loaded::Images(stack, file_identity, _)) => view! {
                <div class="key-images" data-testid="key-images">
                    <p class="key-images-heading">{heading}</p>
                    <Viewport stack=stack identity=file_identity.over(identity) cell=cell/>
                </div>
            }
            .into_any(),
            _ => view! { <p class="notice" data-testid="key-images-missing">{heading}</p> }
                .into_any(),
        })
    };
    view! {
        {images}
        <crate::remote::RemoteReferences references=references/>
    }
}

fn card(i18n: &crate::i18n::I18n, kind: &DisplaySetKind, count: usize) -> impl IntoView {
    let name = i18n.t(kind.catalog_key());
    let detail = match kind {
        DisplaySetKind::Unsupported {
            sop_class_uid,
            name,
        } => Some(match name {
            Some(name) => format!("{name} ({sop_class_uid})"),
            None => sop_class_uid.clone(),
        }),
        _ => None,
    };
    let count = i18n.n("display_set.instances", count, &[]);
    let kind_id = kind.catalog_key().trim_start_matches("display_set.");
    view! {
        <article class="display-set-card" data-testid="display-set-card" data-kind=kind_id>
            <h3>{name}</h3>
            <p>{count}</p>
            {detail.map(|d| view! { <p class="detail">{d}</p> })}
            <p class="notice">{i18n.t("display_set.not_shown_yet")}</p>
        </article>
    }
}
