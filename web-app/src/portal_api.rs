//! The portal's own API on this origin (`/api/…`, served by the gateway): JSON requests and
//! answers, and what a failed call is. Bodies are read and written by the browser's `JSON`
//! object: the app has no serde of its own, and these bodies are a few flat fields.
//!
//! Readers are tolerant: a missing field or one of another type is `None`, and the caller
//! decides what that means. Requests carry the session cookie (same origin); nothing here
//! logs or keeps what it sends or reads.

use gloo::net::http::{Request, RequestBuilder, Response};
use wasm_bindgen::JsValue;

/// What went wrong with a call. Never holds what was sent (a token, a code) or patient data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallError {
    Network(String),
    /// A status the contract does not give for this call.
    Status(u16),
    /// The answer is not what the contract says.
    Body(&'static str),
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CallError::Network(m) => write!(f, "network error ({m})"),
            CallError::Status(s) => write!(f, "HTTP {s}"),
            CallError::Body(m) => write!(f, "unexpected answer ({m})"),
        }
    }
}

async fn send(request: Result<Request, gloo::net::Error>) -> Result<Response, CallError> {
    // gloo's messages name the failure (a JS TypeError), not the request's body.
    let network =
        |e: gloo::net::Error| CallError::Network(e.to_string().chars().take(120).collect());
    request.map_err(network)?.send().await.map_err(network)
}

fn accepting_json(request: RequestBuilder) -> RequestBuilder {
    request.header("Accept", "application/json")
}

/// `GET url`; any status is the caller's to read.
pub async fn get(url: &str) -> Result<Response, CallError> {
    // Asked by the page's early script while the app loaded (the session check).
    if let Some(early) = crate::early::take_response(url).await {
        return Ok(Response::from(early));
    }
    send(accepting_json(Request::get(url)).build()).await
}

/// `POST url` with a JSON body; any status is the caller's to read.
pub async fn post(url: &str, body: &Body) -> Result<Response, CallError> {
    send(
        accepting_json(Request::post(url))
            .header("Content-Type", "application/json")
            .body(body.text()),
    )
    .await
}

/// The answer's JSON body, if it has one.
pub async fn json_of(response: &Response) -> Option<Json> {
    Json::parse(&response.text().await.ok()?)
}

/// Whether the answer says it is JSON (a static server answers its page instead).
pub fn is_json(response: &Response) -> bool {
    response
        .headers()
        .get("content-type")
        .is_some_and(|t| t.to_ascii_lowercase().contains("json"))
}

/// The `error` field of a refusal (`{"error":"locked"}`), and the body for its other fields.
pub async fn refusal(response: &Response) -> (String, Option<Json>) {
    let body = json_of(response).await;
    let error = body
        .as_ref()
        .and_then(|b| b.str("error"))
        .unwrap_or_default();
    (error, body)
}

/// A parsed JSON value (an object, an array, or a scalar).
#[derive(Clone)]
pub struct Json(JsValue);

impl Json {
    /// `text` parsed, or `None` when it is not JSON.
    pub fn parse(text: &str) -> Option<Json> {
        js_sys::JSON::parse(text).ok().map(Json)
    }

    fn field(&self, name: &str) -> Option<JsValue> {
        if !self.0.is_object() {
            return None;
        }
        js_sys::Reflect::get(&self.0, &JsValue::from_str(name))
            .ok()
            .filter(|v| !v.is_undefined() && !v.is_null())
    }

    /// A field of any kind (an object, a list).
    pub fn get(&self, name: &str) -> Option<Json> {
        self.field(name).map(Json)
    }

    /// This value as a string, if it is one.
    pub fn as_str(&self) -> Option<String> {
        self.0.as_string()
    }

    /// A string field.
    pub fn str(&self, name: &str) -> Option<String> {
        self.field(name)?.as_string()
    }

    /// A number field.
    pub fn number(&self, name: &str) -> Option<f64> {
        self.field(name)?.as_f64().filter(|n| n.is_finite())
    }

    /// A whole number field (seconds, counts), rounded down.
    pub fn int(&self, name: &str) -> Option<i64> {
        // JSON numbers are f64: whole values up to 2^53 are exact.
        self.number(name).map(|n| n.floor() as i64)
    }

    /// A boolean field.
    pub fn bool(&self, name: &str) -> Option<bool> {
        self.field(name)?.as_bool()
    }

    /// The items of an array (nothing when this is not one).
    pub fn items(&self) -> Vec<Json> {
        if !js_sys::Array::is_array(&self.0) {
            return Vec::new();
        }
        js_sys::Array::from(&self.0).iter().map(Json).collect()
    }
}

/// A JSON object being written.
pub struct Body(js_sys::Object);

/// A value to put in a [`Body`].
pub enum Value<'a> {
    Str(&'a str),
    Number(f64),
    Null,
    Object(Body),
    /// A list of strings.
    Strings(&'a [String]),
}

impl Default for Body {
    fn default() -> Self {
        Body(js_sys::Object::new())
    }
}

impl Body {
    pub fn new() -> Body {
        Body::default()
    }

    /// The object with `name` set to `value`.
    pub fn with(self, name: &str, value: Value<'_>) -> Body {
        let value = match value {
            Value::Str(s) => JsValue::from_str(s),
            Value::Number(n) => JsValue::from_f64(n),
            Value::Null => JsValue::NULL,
            Value::Object(Body(o)) => o.into(),
            Value::Strings(items) => items
                .iter()
                .map(|s| JsValue::from_str(s))
                .collect::<js_sys::Array>()
                .into(),
        };
        // Setting a property of a plain new object cannot fail.
        let _ = js_sys::Reflect::set(&self.0, &JsValue::from_str(name), &value);
        self
    }

    /// The JSON text.
    pub fn text(&self) -> String {
        js_sys::JSON::stringify(&self.0)
            .map(String::from)
            .unwrap_or_else(|_| "{}".to_string())
    }
}
