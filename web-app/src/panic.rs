//! A panic must never leave a blank or silently frozen page: it is logged to the console and
//! a "viewer stopped" notice is put over the page, outside the reactive tree that just failed.

use wasm_bindgen::JsCast;

pub fn install_hook() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        show_stopped_notice();
    }));
}

fn show_stopped_notice() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if document.get_element_by_id("viewer-stopped").is_some() {
        return;
    }
    let Ok(notice) = document.create_element("div") else {
        return;
    };
    notice.set_id("viewer-stopped");
    let _ = notice.set_attribute("role", "alert");
    let _ = notice.set_attribute("data-testid", "viewer-stopped");
    let french = document
        .document_element()
        .and_then(|e| e.get_attribute("lang"))
        .is_none_or(|l| l != "en");
    notice.set_text_content(Some(if french {
        "La visionneuse s'est arrêtée à cause d'une erreur interne. Rechargez la page."
    } else {
        "The viewer stopped because of an internal error. Reload the page."
    }));
    if let Some(body) = document.body() {
        let _ = body.append_child(notice.unchecked_ref());
    }
}
