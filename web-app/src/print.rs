//! A sheet for the browser's print dialog: built as DOM nodes (text set as text, never as
//! markup), shown alone while the dialog is open (`body.printing`), removed afterwards.

use wasm_bindgen::JsValue;
use web_sys::{Document, Element};

pub fn js_error(e: JsValue) -> String {
    e.as_string()
        .unwrap_or_else(|| "browser refused".to_string())
}

pub fn document() -> Result<Document, String> {
    web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| "no document".to_string())
}

/// A new element `tag` of class `class` holding `text`, appended to `parent`.
pub fn append_text(
    doc: &Document,
    parent: &Element,
    tag: &str,
    class: &str,
    text: &str,
) -> Result<Element, String> {
    let element = doc.create_element(tag).map_err(js_error)?;
    if !class.is_empty() {
        element.set_class_name(class);
    }
    element.set_text_content(Some(text));
    parent.append_child(&element).map_err(js_error)?;
    Ok(element)
}

/// Builds a sheet of class `class` (and `print-sheet`, test id `testid`) with `build`, prints
/// it, and removes it.
pub fn print_sheet(
    class: &str,
    testid: &str,
    build: impl FnOnce(&Document, &Element) -> Result<(), String>,
) -> Result<(), String> {
    let doc = document()?;
    let body = doc.body().ok_or_else(|| "no body".to_string())?;
    let sheet = doc.create_element("section").map_err(js_error)?;
    sheet.set_class_name(&format!("print-sheet {class}"));
    let _ = sheet.set_attribute("data-testid", testid);
    let built = build(&doc, &sheet);
    let printed = built.and_then(|()| {
        body.append_child(&sheet).map_err(js_error)?;
        let _ = body.class_list().add_1("printing");
        web_sys::window()
            .ok_or_else(|| "no window".to_string())?
            .print()
            .map_err(js_error)
    });
    let _ = body.class_list().remove_1("printing");
    sheet.remove();
    printed
}
