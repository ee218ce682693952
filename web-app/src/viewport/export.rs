//! Export and print of what a viewport shows: the image as drawn, its annotations and
//! presentation-state graphics, the patient's identity in a band above and "not for
//! diagnosis" in a band below, burned into a PNG or JPEG (a PNG also carries the banner as
//! text); and a print sheet of the viewport or of a grid of the series' images with the
//! patient's data.

use js_sys::{Promise, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{CanvasRenderingContext2d, Element, HtmlCanvasElement};

use super::device_pixel_ratio;
use crate::print::{append_text, document, js_error};

/// What is written around the image.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct ExportText {
    /// Lines of the identity band (patient, study, series, image).
    pub banner: Vec<String>,
    /// The "not for diagnosis" line, with the export date.
    pub footer: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Format {
    Png,
    Jpeg,
}

/// Pairs "x,y x,y …" of an SVG `points` attribute.
fn points(attribute: &str) -> Vec<[f64; 2]> {
    attribute
        .split_whitespace()
        .filter_map(|p| {
            let (x, y) = p.split_once(',')?;
            Some([x.parse().ok()?, y.parse().ok()?])
        })
        .collect()
}

/// The shapes and texts of the viewport's SVG layers, drawn on `ctx` (CSS pixels scaled by
/// `ratio`, shifted down by `top`).
fn burn_layers(ctx: &CanvasRenderingContext2d, viewport: &Element, ratio: f64, top: f64) {
    for (selector, colour) in [
        ("svg.presentation-graphics", "#80deea"),
        ("svg.annotations", "#ffd54f"),
    ] {
        let Ok(Some(layer)) = viewport.query_selector(selector) else {
            continue;
        };
        ctx.set_stroke_style_str(colour);
        ctx.set_fill_style_str(colour);
        ctx.set_line_width(1.5 * ratio);
        if let Ok(lines) = layer.query_selector_all("polyline:not(.shadow)") {
            for i in 0..lines.length() {
                let Some(line) = lines.item(i).and_then(|n| n.dyn_into::<Element>().ok()) else {
                    continue;
                };
                let pts = points(&line.get_attribute("points").unwrap_or_default());
                ctx.begin_path();
                for (j, p) in pts.iter().enumerate() {
                    let (x, y) = (p[0] * ratio, p[1] * ratio + top);
                    if j == 0 {
                        ctx.move_to(x, y);
                    } else {
                        ctx.line_to(x, y);
                    }
                }
                ctx.stroke();
            }
        }
        ctx.set_font(&format!("{}px sans-serif", (13.0 * ratio).round()));
        if let Ok(texts) = layer.query_selector_all("text") {
            for i in 0..texts.length() {
                let Some(text) = texts.item(i).and_then(|n| n.dyn_into::<Element>().ok()) else {
                    continue;
                };
                let number = |name| {
                    text.get_attribute(name)
                        .and_then(|v| v.parse::<f64>().ok())
                        .unwrap_or(0.0)
                };
                let content = text.text_content().unwrap_or_default();
                let _ = ctx.fill_text(&content, number("x") * ratio, number("y") * ratio + top);
            }
        }
    }
}

/// The orientation markers and the scale bar, drawn where the page shows them over `canvas`
/// (their boxes in CSS pixels from the canvas's corner, scaled by `ratio`, shifted by `top`).
fn burn_html_overlays(
    ctx: &CanvasRenderingContext2d,
    viewport: &Element,
    canvas: &HtmlCanvasElement,
    ratio: f64,
    top: f64,
) {
    let origin = canvas.get_bounding_client_rect();
    let colour_of = |e: &Element| {
        web_sys::window()
            .and_then(|w| w.get_computed_style(e).ok().flatten())
            .and_then(|style| style.get_property_value("color").ok())
            .filter(|c| !c.is_empty())
            .unwrap_or_else(|| "#fff".to_string())
    };
    let each = |selector: &str, draw: &dyn Fn(&Element, [f64; 4])| {
        let Ok(found) = viewport.query_selector_all(selector) else {
            return;
        };
        for i in 0..found.length() {
            let Some(e) = found.item(i).and_then(|n| n.dyn_into::<Element>().ok()) else {
                continue;
            };
            let r = e.get_bounding_client_rect();
            let (x, y) = (r.left() - origin.left(), r.top() - origin.top());
            let shown = r.width() > 0.0 && r.height() > 0.0;
            let inside = x >= -0.5
                && y >= -0.5
                && x + r.width() <= origin.width() + 0.5
                && y + r.height() <= origin.height() + 0.5;
            if shown && inside {
                draw(
                    &e,
                    [
                        x * ratio,
                        y * ratio + top,
                        r.width() * ratio,
                        r.height() * ratio,
                    ],
                );
            }
        }
    };
    ctx.set_text_baseline("top");
    ctx.set_shadow_color("#000");
    ctx.set_shadow_blur(2.0 * ratio);
    each(".marker, .scale-bar span", &|e, [x, y, _, h]| {
        let text = e.text_content().unwrap_or_default();
        if text.trim().is_empty() {
            return;
        }
        let bold = if e.class_list().contains("marker") {
            "bold "
        } else {
            ""
        };
        ctx.set_font(&format!(
            "{bold}{}px sans-serif",
            (h * 0.8).round().max(8.0)
        ));
        ctx.set_fill_style_str(&colour_of(e));
        let _ = ctx.fill_text(text.trim(), x, y + h * 0.1);
    });
    // The bar: a line along its bottom with a tick at each end.
    each(".scale-bar-line", &|_, [x, y, w, h]| {
        ctx.set_stroke_style_str("#fff");
        ctx.set_line_width(2.0 * ratio);
        ctx.begin_path();
        ctx.move_to(x + ratio, y);
        ctx.line_to(x + ratio, y + h - ratio);
        ctx.line_to(x + w - ratio, y + h - ratio);
        ctx.line_to(x + w - ratio, y);
        ctx.stroke();
    });
    ctx.set_shadow_blur(0.0);
}

/// A new canvas: the identity band (when `text` has banner lines), the viewport's picture
/// with its layers, its orientation markers and scale bar, and the footer band (when `text`
/// has one).
pub(super) fn compose(
    canvas: &HtmlCanvasElement,
    text: &ExportText,
) -> Result<HtmlCanvasElement, String> {
    let ratio = device_pixel_ratio();
    let (width, height) = (f64::from(canvas.width()), f64::from(canvas.height()));
    if width < 1.0 || height < 1.0 {
        return Err("empty viewport".into());
    }
    let font_px = (width / 48.0).clamp(11.0, 22.0).round();
    let line = font_px * 1.35;
    let top = if text.banner.is_empty() {
        0.0
    } else {
        line * text.banner.len() as f64 + font_px * 0.6
    };
    let bottom = if text.footer.is_empty() {
        0.0
    } else {
        line + font_px * 0.6
    };
    let out: HtmlCanvasElement = document()?
        .create_element("canvas")
        .map_err(js_error)?
        .dyn_into()
        .map_err(|_| "not a canvas".to_string())?;
    out.set_width(width as u32);
    out.set_height((height + top + bottom).round() as u32);
    let ctx: CanvasRenderingContext2d = out
        .get_context("2d")
        .map_err(js_error)?
        .ok_or_else(|| "no 2d context".to_string())?
        .dyn_into()
        .map_err(|_| "not a 2d context".to_string())?;
    ctx.set_fill_style_str("#000");
    ctx.fill_rect(0.0, 0.0, width, height + top + bottom);
    ctx.draw_image_with_html_canvas_element(canvas, 0.0, top)
        .map_err(js_error)?;
    if let Some(viewport) = canvas.parent_element() {
        burn_layers(&ctx, &viewport, ratio, top);
        burn_html_overlays(&ctx, &viewport, canvas, ratio, top);
    }
    ctx.set_font(&format!("{font_px}px sans-serif"));
    ctx.set_text_baseline("top");
    ctx.set_fill_style_str("#fff");
    for (i, l) in text.banner.iter().enumerate() {
        let _ = ctx.fill_text(l, font_px * 0.5, font_px * 0.3 + line * i as f64);
    }
    ctx.set_fill_style_str("#ff8a80");
    ctx.set_font(&format!("bold {font_px}px sans-serif"));
    let _ = ctx.fill_text(&text.footer, font_px * 0.5, height + top + font_px * 0.3);
    Ok(out)
}

/// The canvas as encoded bytes.
async fn encode(canvas: &HtmlCanvasElement, format: Format) -> Result<Vec<u8>, String> {
    let (mime, quality) = match format {
        Format::Png => ("image/png", None),
        Format::Jpeg => ("image/jpeg", Some(0.92)),
    };
    let canvas = canvas.clone();
    let promise = Promise::new(&mut |resolve, _reject| {
        let result = match quality {
            Some(q) => {
                canvas.to_blob_with_type_and_encoder_options(&resolve, mime, &JsValue::from(q))
            }
            None => canvas.to_blob_with_type(&resolve, mime),
        };
        if result.is_err() {
            let _ = resolve.call1(&JsValue::NULL, &JsValue::NULL);
        }
    });
    let blob: web_sys::Blob = JsFuture::from(promise)
        .await
        .map_err(js_error)?
        .dyn_into()
        .map_err(|_| "the image could not be encoded".to_string())?;
    let buffer = JsFuture::from(blob.array_buffer())
        .await
        .map_err(js_error)?;
    Ok(Uint8Array::new(&buffer).to_vec())
}

/// Saves the export as a file named by the time only (no patient data in the file name).
pub(super) async fn download(
    canvas: HtmlCanvasElement,
    text: ExportText,
    format: Format,
    stamp: String,
) -> Result<(), String> {
    let composed = compose(&canvas, &text)?;
    let mut bytes = encode(&composed, format).await?;
    if format == Format::Png {
        let description = [text.banner.join("\n"), text.footer.clone()].join("\n");
        bytes = viewer_core::png_text::with_text(&bytes, "Description", &description)
            .map_err(|e| e.to_string())?;
    }
    let (mime, extension) = match format {
        Format::Png => ("image/png", "png"),
        Format::Jpeg => ("image/jpeg", "jpg"),
    };
    let parts = js_sys::Array::of1(&Uint8Array::from(bytes.as_slice()));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options)
        .map_err(js_error)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(js_error)?;
    let doc = document()?;
    let anchor: web_sys::HtmlElement = doc
        .create_element("a")
        .map_err(js_error)?
        .dyn_into()
        .map_err(|_| "no anchor".to_string())?;
    let _ = anchor.set_attribute("href", &url);
    let _ = anchor.set_attribute("download", &format!("export-{stamp}.{extension}"));
    let _ = anchor.set_attribute("data-testid", "export-link");
    anchor.click();
    // Some browsers start the download after the click returns: the URL lives a minute.
    gloo::timers::callback::Timeout::new(60_000, move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    })
    .forget();
    Ok(())
}

/// What a print sheet's image carries besides its pixels: the patient directions at its
/// edges (left, right, top, bottom) and a scale bar (its length in the picture's pixels, its
/// label).
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct SheetMarks {
    pub edges: Option<[String; 4]>,
    pub bar: Option<(f64, String)>,
}

/// Draws `marks` on a picture of `width` × `height` pixels, as the viewport shows them:
/// directions in yellow at the middle of each edge, the bar in white at the bottom right.
fn draw_marks(ctx: &CanvasRenderingContext2d, width: f64, height: f64, marks: &SheetMarks) {
    let font_px = (width / 28.0).clamp(11.0, 24.0).round();
    let margin = font_px * 0.4;
    ctx.set_shadow_color("#000");
    ctx.set_shadow_blur(3.0);
    ctx.set_font(&format!("bold {font_px}px sans-serif"));
    ctx.set_fill_style_str("#ffd866");
    if let Some([left, right, top, bottom]) = &marks.edges {
        for (text, x, y, align, baseline) in [
            (left, margin, height / 2.0, "left", "middle"),
            (right, width - margin, height / 2.0, "right", "middle"),
            (top, width / 2.0, margin, "center", "top"),
            (bottom, width / 2.0, height - margin, "center", "bottom"),
        ] {
            ctx.set_text_align(align);
            ctx.set_text_baseline(baseline);
            let _ = ctx.fill_text(text, x, y);
        }
    }
    if let Some((length_px, label)) = &marks.bar {
        let (right, y) = (width - margin, height - margin - font_px * 0.2);
        ctx.set_stroke_style_str("#fff");
        ctx.set_line_width(2.0);
        ctx.begin_path();
        ctx.move_to(right - length_px, y - font_px * 0.4);
        ctx.line_to(right - length_px, y);
        ctx.line_to(right, y);
        ctx.line_to(right, y - font_px * 0.4);
        ctx.stroke();
        ctx.set_font(&format!("{}px sans-serif", (font_px * 0.8).round()));
        ctx.set_fill_style_str("#fff");
        ctx.set_text_align("right");
        ctx.set_text_baseline("bottom");
        let _ = ctx.fill_text(label, right, y - font_px * 0.5);
    }
    ctx.set_shadow_blur(0.0);
}

/// A picture (RGBA bytes) with its `marks`, as a PNG data URL, for a print sheet.
pub(super) fn rgba_data_url(
    width: u32,
    height: u32,
    rgba: &[u8],
    marks: &SheetMarks,
) -> Result<String, String> {
    let canvas: HtmlCanvasElement = document()?
        .create_element("canvas")
        .map_err(js_error)?
        .dyn_into()
        .map_err(|_| "not a canvas".to_string())?;
    canvas.set_width(width);
    canvas.set_height(height);
    let ctx: CanvasRenderingContext2d = canvas
        .get_context("2d")
        .map_err(js_error)?
        .ok_or_else(|| "no 2d context".to_string())?
        .dyn_into()
        .map_err(|_| "not a 2d context".to_string())?;
    let data = web_sys::ImageData::new_with_u8_clamped_array_and_sh(
        wasm_bindgen::Clamped(rgba),
        width,
        height,
    )
    .map_err(js_error)?;
    ctx.put_image_data(&data, 0.0, 0.0).map_err(js_error)?;
    draw_marks(&ctx, f64::from(width), f64::from(height), marks);
    canvas.to_data_url().map_err(js_error)
}

/// The viewport as shown, with its bands, as a PNG data URL.
pub(super) fn composed_data_url(
    canvas: &HtmlCanvasElement,
    text: &ExportText,
) -> Result<String, String> {
    compose(canvas, text)?.to_data_url().map_err(js_error)
}

/// Prints `images` (data URLs, each with an optional caption) on a sheet headed by the
/// patient's data and ending with `footer`, through the browser's print dialog.
pub(super) fn print(
    images: &[(String, Option<String>)],
    header: &[String],
    footer: &str,
) -> Result<(), String> {
    crate::print::print_sheet("", "print-sheet", |doc, sheet| {
        let heading = doc.create_element("header").map_err(js_error)?;
        for line in header {
            append_text(doc, &heading, "div", "", line)?;
        }
        sheet.append_child(&heading).map_err(js_error)?;
        let grid = doc.create_element("div").map_err(js_error)?;
        grid.set_class_name(if images.len() > 1 {
            "print-grid"
        } else {
            "print-one"
        });
        for (url, caption) in images {
            let figure = doc.create_element("figure").map_err(js_error)?;
            let img = doc.create_element("img").map_err(js_error)?;
            let _ = img.set_attribute("src", url);
            let _ = img.set_attribute("alt", "");
            figure.append_child(&img).map_err(js_error)?;
            if let Some(caption) = caption {
                append_text(doc, &figure, "figcaption", "", caption)?;
            }
            grid.append_child(&figure).map_err(js_error)?;
        }
        sheet.append_child(&grid).map_err(js_error)?;
        append_text(doc, sheet, "footer", "", footer)?;
        Ok(())
    })
}
