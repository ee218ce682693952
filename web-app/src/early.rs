//! What the page's early script (`static/early.js`, inlined into `index.html`) started while
//! this code was still loading: requests by URL, and the small decoder worker with the
//! messages it sent before the app listened. Each is taken once; when a request failed, the
//! caller asks again as it would have.

use js_sys::{Array, Map, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// The early script's object on `window`.
const GLOBAL: &str = "__portalEarly";

fn early() -> Option<JsValue> {
    field(&web_sys::window()?.into(), GLOBAL)
}

/// `object[name]`, unless it is undefined or null.
fn field(object: &JsValue, name: &str) -> Option<JsValue> {
    let value = Reflect::get(object, &JsValue::from_str(name)).ok()?;
    (!value.is_undefined() && !value.is_null()).then_some(value)
}

/// The early answer to `GET url` (any status), if the early script asked for it and the
/// request did not fail.
pub async fn take_response(url: &str) -> Option<web_sys::Response> {
    let requests: Map = field(&early()?, "requests")?.dyn_into().ok()?;
    let key = JsValue::from_str(url);
    let promise: js_sys::Promise = requests.get(&key).dyn_into().ok()?;
    requests.delete(&key);
    JsFuture::from(promise).await.ok()?.dyn_into().ok()
}

/// The small decoder worker the early script started, with the messages it has sent so far;
/// `None` if there is none or it failed to start.
pub fn take_worker() -> Option<(web_sys::Worker, Vec<JsValue>)> {
    let early = early()?;
    if field(&early, "worker_failed").is_some() {
        return None;
    }
    let started = field(&early, "worker")?;
    let _ = Reflect::set(&early, &JsValue::from_str("worker"), &JsValue::NULL);
    let worker: web_sys::Worker = field(&started, "worker")?.dyn_into().ok()?;
    worker.set_onmessage(None);
    worker.set_onerror(None);
    let messages: Array = field(&started, "messages")?.dyn_into().ok()?;
    Some((worker, messages.iter().collect()))
}
