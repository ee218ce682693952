//! Reports in a cell: a structured report as a document (containers as headings, text, codes,
//! numbers with units, dates, people, links to the images it cites), and an encapsulated PDF
//! in the browser's own PDF viewer. All DICOM text goes into text nodes.

use leptos::prelude::*;
use viewer_core::dicom_json::JsonDataset;
use viewer_core::document::encapsulated_document;
use viewer_core::sr::{read_report, Code, SrDocument, SrItem, SrValue};
use viewer_core::tags;
use viewer_core::text::format_da;

use crate::api;
use crate::i18n::{use_i18n, I18n};
use crate::viewer::SeriesRef;

/// Asks the study view to show an instance of a series (SOP Instance UID, frame 1-based).
#[derive(Clone, Copy)]
pub struct OpenInstance(pub Callback<(SeriesRef, String, u32)>);

/// Where a report's links lead: its study, the study view's callback, and whether a cited
/// image was not found.
#[derive(Clone)]
struct Links {
    study: String,
    open: Option<OpenInstance>,
    missing: RwSignal<bool>,
}

fn code_text(code: &Code) -> String {
    if code.meaning.is_empty() {
        code.value.clone()
    } else {
        code.meaning.clone()
    }
}

fn value_text(i18n: &I18n, value: &SrValue) -> Option<String> {
    Some(match value {
        SrValue::Container | SrValue::Reference(_) => return None,
        SrValue::Text(t) | SrValue::Uid(t) | SrValue::Time(t) | SrValue::DateTime(t) => t.clone(),
        SrValue::PersonName(p) => p.clone(),
        SrValue::Code(c) => code_text(c),
        SrValue::Num { value, unit } => match unit {
            // UCUM's "1" is "no unit".
            Some(u) if u.value != "1" => format!(
                "{value} {}",
                if u.scheme == "UCUM" {
                    &u.value
                } else {
                    &u.meaning
                }
            ),
            _ => value.clone(),
        },
        SrValue::Date(d) => format_da(d).unwrap_or_else(|| d.clone()),
        SrValue::Coordinates {
            graphic_type,
            points,
            ..
        } => i18n.f(
            "sr.coordinates",
            &[("type", graphic_type), ("n", &points.to_string())],
        ),
        SrValue::ByReference(id) => i18n.f("sr.by_reference", &[("id", id)]),
        SrValue::Other(t) => i18n.f("sr.other", &[("type", t)]),
    })
}

fn item_view(i18n: &I18n, item: &SrItem, links: &Links) -> AnyView {
    let concept = item.concept.as_ref().map(code_text);
    let children: Vec<AnyView> = item
        .children
        .iter()
        .map(|c| item_view(i18n, c, links))
        .collect();
    match &item.value {
        SrValue::Container => view! {
            <section class="sr-container" data-testid="sr-container">
                {concept.map(|c| view! { <h3>{c}</h3> })}
                {children}
            </section>
        }
        .into_any(),
        SrValue::Reference(refs) => {
            let links = refs
                .iter()
                .map(|r| {
                    let uid = r.sop_instance_uid.clone();
                    let frame = r.frames.first().copied().unwrap_or(1);
                    let label = i18n.t("sr.open_image");
                    let links = links.clone();
                    let enabled = links.open.is_some();
                    let follow = move |_| {
                        let (uid, links) = (uid.clone(), links.clone());
                        leptos::task::spawn_local(async move {
                            let Some(OpenInstance(open)) = links.open else {
                                return;
                            };
                            match api::find_instance_series(&links.study, &uid, None).await {
                                Ok(Some(series)) => open.run((
                                    SeriesRef {
                                        study: links.study.clone(),
                                        series,
                                        only: None,
                                    },
                                    uid,
                                    frame,
                                )),
                                _ => links.missing.set(true),
                            }
                        });
                    };
                    view! {
                        <button class="sr-image-link" data-testid="sr-image-link"
                            disabled=!enabled on:click=follow>
                            {label}
                        </button>
                    }
                })
                .collect_view();
            view! {
                <div class="sr-item" data-testid="sr-item">
                    {concept.map(|c| view! { <span class="sr-concept">{c} " : "</span> })}
                    {links}
                    {children}
                </div>
            }
            .into_any()
        }
        value => {
            let text = value_text(i18n, value);
            view! {
                <div class="sr-item" data-testid="sr-item">
                    {concept.map(|c| view! { <span class="sr-concept">{c} " : "</span> })}
                    <span class="sr-value">{text}</span>
                    {(!children.is_empty()).then(|| view! { <div class="sr-children">{children}</div> })}
                </div>
            }
            .into_any()
        }
    }
}

fn report_view(i18n: &I18n, doc: &SrDocument, links: &Links) -> AnyView {
    let title = doc
        .title
        .as_ref()
        .map(code_text)
        .unwrap_or_else(|| i18n.t("display_set.sr"));
    let date = doc.content_date.as_deref().and_then(format_da);
    let flags: Vec<String> = [
        doc.completion.as_deref().map(|f| match f {
            "COMPLETE" => i18n.t("sr.complete"),
            _ => i18n.t("sr.partial"),
        }),
        doc.verification.as_deref().map(|f| match f {
            "VERIFIED" => i18n.t("sr.verified"),
            _ => i18n.t("sr.unverified"),
        }),
    ]
    .into_iter()
    .flatten()
    .collect();
    let verified_by = (!doc.verified_by.is_empty())
        .then(|| i18n.f("sr.verified_by", &[("names", &doc.verified_by.join(", "))]));
    let items: Vec<AnyView> = doc
        .items
        .iter()
        .map(|i| item_view(i18n, i, links))
        .collect();
    let truncated = doc.truncated.then(|| i18n.t("sr.truncated"));
    let missing = links.missing;
    let missing_text = i18n.t("sr.image_missing");
    view! {
        <article class="sr-report" data-testid="sr-report">
            <h2>{title}</h2>
            <p class="sr-header">{date.into_iter().chain(flags).chain(verified_by).collect::<Vec<_>>().join(" · ")}</p>
            {items}
            {truncated.map(|t| view! { <p class="notice">{t}</p> })}
            <Show when=move || missing.get()>
                <p class="notice" role="status" data-testid="sr-image-missing">{missing_text.clone()}</p>
            </Show>
        </article>
    }
    .into_any()
}

/// A structured report instance, from its metadata.
#[component]
pub fn SrReport(instance: JsonDataset, study: String) -> impl IntoView {
    let i18n = use_i18n();
    let links = Links {
        study,
        open: use_context::<OpenInstance>(),
        missing: RwSignal::new(false),
    };
    match read_report(&instance) {
        Ok(doc) => report_view(&i18n, &doc, &links),
        Err(_) => view! { <p class="error" data-testid="sr-error">{i18n.t("sr.unreadable")}</p> }
            .into_any(),
    }
}

/// An encapsulated PDF, fetched from this origin and shown by the browser's PDF viewer.
#[component]
pub fn PdfDocument(study: String, series: String, instance: JsonDataset) -> impl IntoView {
    let i18n = use_i18n();
    let sop = instance.string(tags::SOP_INSTANCE_UID).unwrap_or_default();
    let uri = instance
        .bulk_data_uri(tags::ENCAPSULATED_DOCUMENT)
        .map(str::to_string);
    let length = instance.uint(tags::ENCAPSULATED_DOCUMENT_LENGTH);
    let url = LocalResource::new(move || {
        let (study, series, sop, uri) = (study.clone(), series.clone(), sop.clone(), uri.clone());
        async move {
            let bytes = api::bulk_data(&study, &series, &sop, uri.as_deref()?, None)
                .await
                .ok()?;
            let bytes = encapsulated_document(bytes, length);
            // Shown only if it is a PDF: the browser renders the blob by its declared type.
            if !bytes.starts_with(b"%PDF-") {
                return None;
            }
            let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes.as_slice()));
            let options = web_sys::BlobPropertyBag::new();
            options.set_type("application/pdf");
            let blob =
                web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options).ok()?;
            web_sys::Url::create_object_url_with_blob(&blob).ok()
        }
    });
    // The resource may be gone before this runs, when the whole page goes.
    on_cleanup(move || {
        if let Some(Some(Some(u))) = url.try_get_untracked() {
            let _ = web_sys::Url::revoke_object_url(&u);
        }
    });
    move || {
        let i18n = i18n.clone();
        url.get().map(move |u| match u {
            Some(u) => {
                let title = i18n.t("display_set.pdf");
                view! {
                    <div class="pdf-document" data-testid="pdf-document">
                        <iframe src=u.clone() title=title data-testid="pdf-frame"></iframe>
                        <a href=u target="_blank" rel="noopener" data-testid="pdf-open">{i18n.t("pdf.open")}</a>
                    </div>
                }
                .into_any()
            }
            None => view! { <p class="error" data-testid="pdf-error">{i18n.t("pdf.unreadable")}</p> }.into_any(),
        })
    }
}
