//! The PACS's own address never reaches the browser: the Retrieve URLs (0008,1190) a PACS
//! writes into its DICOMweb answers (Orthanc names itself in every QIDO-RS and STOW-RS answer)
//! are rewritten to the gateway's DICOMweb root, and those the gateway cannot rewrite are
//! dropped; so are the bulk data URIs of metadata.
//!
//! A search's or a store's DICOM JSON answer is rewritten attribute by attribute, at any
//! depth: every Retrieve URL in it is the PACS's own, so one outside its root is dropped.
//! Metadata keeps its bytes but for the PACS's root, replaced wherever it appears; only when
//! the PACS's origin is still named is it read attribute by attribute, and the URLs on that
//! origin dropped (a Retrieve URL that a file carries, a manifest naming another archive, is
//! kept). XML answers have the PACS's root replaced. Other answers (frames, bulk data,
//! images, files) pass untouched, streamed.

use axum::body::{Body, Bytes};
use axum::http::{header, HeaderValue, Response, StatusCode};
use serde_json::{Map, Value};

/// The largest answer rewritten; a bigger one is refused (502) rather than sent as it came.
pub const MAX_REWRITTEN_BYTES: usize = 256 << 20;

const RETRIEVE_URL: &str = "00081190";

/// How one answer's Retrieve URLs are to be rewritten.
pub struct Rewrite<'a> {
    /// The PACS's DICOMweb root as configured, without a trailing slash.
    pub pacs_root: &'a str,
    /// The PACS's scheme, host and port.
    pub pacs_origin: &'a url::Origin,
    /// The gateway's DICOMweb root as the browser reaches it.
    pub public_root: &'a str,
    /// The PACS wrote every Retrieve URL of this answer (a search, a store).
    pub all_from_pacs: bool,
}

impl Rewrite<'_> {
    /// `url` under the gateway's root, if it is under the PACS's.
    fn under_root(&self, url: &str) -> Option<String> {
        let root = self.pacs_root;
        let under_root = url.len() >= root.len()
            && url.is_char_boundary(root.len())
            && url[..root.len()].eq_ignore_ascii_case(root)
            && matches!(url.as_bytes().get(root.len()), None | Some(b'/' | b'?'));
        under_root.then(|| format!("{}{}", self.public_root, &url[root.len()..]))
    }

    /// The URL to write instead of `url`, or `None` to drop it.
    fn url(&self, url: &str) -> Option<String> {
        if let Some(rewritten) = self.under_root(url) {
            return Some(rewritten);
        }
        let on_pacs = url::Url::parse(url).is_ok_and(|u| u.origin() == *self.pacs_origin);
        (!self.all_from_pacs && !on_pacs).then(|| url.to_string())
    }

    /// Rewrites the Retrieve URLs of a data set and of the items of its sequences, and the
    /// bulk data URIs (which the PACS always writes) or drops them.
    fn dataset(&self, dataset: &mut Map<String, Value>) {
        for (tag, element) in dataset.iter_mut() {
            if let Some(element) = element.as_object_mut() {
                self.bulk_data_uri(element);
            }
            let Some(values) = element.get_mut("Value").and_then(Value::as_array_mut) else {
                continue;
            };
            if tag == RETRIEVE_URL {
                let kept: Vec<Value> = values
                    .iter()
                    .filter_map(Value::as_str)
                    .filter_map(|url| self.url(url))
                    .map(Value::String)
                    .collect();
                *values = kept;
            } else {
                for item in values.iter_mut().filter_map(Value::as_object_mut) {
                    self.dataset(item);
                }
            }
        }
        let emptied = dataset
            .get(RETRIEVE_URL)
            .and_then(|e| e.get("Value"))
            .and_then(Value::as_array)
            .is_some_and(Vec::is_empty);
        if emptied {
            dataset.remove(RETRIEVE_URL);
        }
    }

    fn bulk_data_uri(&self, element: &mut Map<String, Value>) {
        let Some(uri) = element.get("BulkDataURI").and_then(Value::as_str) else {
            return;
        };
        match self.under_root(uri) {
            Some(rewritten) => {
                element.insert("BulkDataURI".into(), Value::String(rewritten));
            }
            None => {
                element.remove("BulkDataURI");
            }
        }
    }

    /// A DICOM JSON answer (an array of data sets, or one), rewritten; `None` when it does
    /// not parse as JSON.
    pub fn json(&self, body: &[u8]) -> Option<Vec<u8>> {
        let mut value: Value = serde_json::from_slice(body).ok()?;
        match &mut value {
            Value::Array(datasets) => datasets
                .iter_mut()
                .filter_map(Value::as_object_mut)
                .for_each(|d| self.dataset(d)),
            Value::Object(dataset) => self.dataset(dataset),
            _ => {}
        }
        serde_json::to_vec(&value).ok()
    }

    /// Any other text: the PACS's root replaced wherever it appears.
    pub fn text(&self, body: &[u8]) -> Vec<u8> {
        replace_all(body, self.pacs_root.as_bytes(), self.public_root.as_bytes())
    }

    /// The answer with its Retrieve URLs rewritten; answers that cannot carry one pass as
    /// they are, streamed.
    pub async fn answer(&self, response: Response<Body>) -> Response<Body> {
        let content_type = response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_ascii_lowercase();
        let json = content_type.starts_with("application/dicom+json")
            || content_type.starts_with("application/json");
        let xml = content_type.contains("application/dicom+xml");
        if !json && !xml {
            return response;
        }
        let (mut parts, body) = response.into_parts();
        let Ok(bytes) = axum::body::to_bytes(body, MAX_REWRITTEN_BYTES).await else {
            tracing::warn!("a DICOMweb answer too large to rewrite was refused");
            return crate::pacs::status(StatusCode::BAD_GATEWAY);
        };
        let rewritten = if !contains(&bytes, RETRIEVE_URL.as_bytes())
            && !contains(&bytes, self.pacs_root.as_bytes())
        {
            bytes
        } else if json && self.all_from_pacs {
            Bytes::from(self.json(&bytes).unwrap_or_else(|| self.text(&bytes)))
        } else {
            // Metadata, as it came but for the PACS's root; read attribute by attribute only
            // when the PACS's origin is still named somewhere.
            let text = self.text(&bytes);
            let origin = self.pacs_origin.ascii_serialization();
            if json && contains(&text, origin.as_bytes()) {
                Bytes::from(self.json(&text).unwrap_or(text))
            } else {
                Bytes::from(text)
            }
        };
        parts.headers.remove(header::ETAG);
        if let Ok(length) = HeaderValue::from_str(&rewritten.len().to_string()) {
            parts.headers.insert(header::CONTENT_LENGTH, length);
        }
        Response::from_parts(parts, Body::from(rewritten))
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(haystack, needle).is_some()
}

fn replace_all(haystack: &[u8], needle: &[u8], with: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(haystack.len());
    let mut copied = 0;
    for at in memchr::memmem::find_iter(haystack, needle) {
        out.extend_from_slice(&haystack[copied..at]);
        out.extend_from_slice(with);
        copied = at + needle.len();
    }
    out.extend_from_slice(&haystack[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const PACS: &str = "http://127.0.0.1:8042/dicom-web";
    const PUBLIC: &str = "https://portal.example/dicom-web";

    fn rewrite(all_from_pacs: bool, answer: Value) -> Value {
        let origin = url::Url::parse(PACS).expect("url").origin();
        let rewrite = Rewrite {
            pacs_root: PACS,
            pacs_origin: &origin,
            public_root: PUBLIC,
            all_from_pacs,
        };
        let body = serde_json::to_vec(&answer).expect("json");
        serde_json::from_slice(&rewrite.json(&body).expect("rewritten")).expect("json")
    }

    fn url(values: &[&str]) -> Value {
        json!({ "vr": "UR", "Value": values })
    }

    #[test]
    fn a_search_names_the_gateway_never_the_pacs() {
        let answer = json!([
            { "0020000D": { "vr": "UI", "Value": ["1.2.3"] },
              "00081190": url(&[&format!("{PACS}/studies/1.2.3")]) },
            { "00081190": url(&["http://pacs.internal:8042/dicom-web/studies/4"]) },
            { "00081190": url(&["http://127.0.0.1:8042/dicom-webx/studies/5"]) }
        ]);
        let out = rewrite(true, answer);
        assert_eq!(
            out[0]["00081190"]["Value"][0],
            "https://portal.example/dicom-web/studies/1.2.3"
        );
        assert_eq!(out[0]["0020000D"]["Value"][0], "1.2.3");
        assert!(out[1].get("00081190").is_none(), "another name of the PACS");
        assert!(out[2].get("00081190").is_none(), "not under its root");
    }

    #[test]
    fn a_store_answer_is_rewritten_in_its_sequences() {
        let answer = json!({
            "00081190": url(&[&format!("{PACS}/studies/1")]),
            "00081199": { "vr": "SQ", "Value": [
                { "00081190": url(&[&format!("{PACS}/studies/1/series/2/instances/3")]) }
            ] }
        });
        let out = rewrite(true, answer);
        assert_eq!(
            out["00081199"]["Value"][0]["00081190"]["Value"][0],
            "https://portal.example/dicom-web/studies/1/series/2/instances/3"
        );
    }

    #[test]
    fn metadata_keeps_what_a_file_says_about_other_archives() {
        let elsewhere = "https://pacs.other-region.example/dicomweb/studies/9";
        let answer = json!([{
            "0040A375": { "vr": "SQ", "Value": [
                { "00081190": url(&[elsewhere, "http://127.0.0.1:8042/app/explorer.html"]) }
            ] }
        }]);
        let out = rewrite(false, answer);
        let kept = &out[0]["0040A375"]["Value"][0]["00081190"]["Value"];
        assert_eq!(
            kept,
            &json!([elsewhere]),
            "the PACS's other pages are dropped"
        );
    }

    #[test]
    fn bulk_data_is_fetched_through_the_gateway() {
        let answer = json!([{
            "7FE00010": { "vr": "OW", "BulkDataURI": format!("{PACS}/studies/1/series/2/instances/3/bulk/7fe00010") },
            "00420011": { "vr": "OB", "BulkDataURI": "http://127.0.0.1:9999/elsewhere" }
        }]);
        let out = rewrite(false, answer);
        assert_eq!(
            out[0]["7FE00010"]["BulkDataURI"],
            "https://portal.example/dicom-web/studies/1/series/2/instances/3/bulk/7fe00010"
        );
        assert_eq!(out[0]["00420011"], json!({ "vr": "OB" }));
    }

    #[tokio::test]
    async fn metadata_is_read_whole_only_when_the_pacs_is_still_named() {
        let origin = url::Url::parse(PACS).expect("url").origin();
        let rewrite = Rewrite {
            pacs_root: PACS,
            pacs_origin: &origin,
            public_root: PUBLIC,
            all_from_pacs: false,
        };
        let answer = |body: String| {
            let mut response = Response::new(Body::from(body));
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/dicom+json"),
            );
            response
        };
        let text = |response: Response<Body>| async move {
            let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
                .await
                .expect("body");
            String::from_utf8(bytes.to_vec()).expect("utf-8")
        };
        // As it came but for the root: the PACS's layout and numbers untouched.
        let bulk = format!(
            r#"[{{"7FE00010":{{"vr":"OW","BulkDataURI":"{PACS}/studies/1/bulk"}},"00280030":{{"vr":"DS","Value":[0.50,0.50]}}}}]"#
        );
        let out = text(rewrite.answer(answer(bulk.clone())).await).await;
        assert_eq!(out, bulk.replace(PACS, PUBLIC));
        let explorer =
            r#"[{"00081190":{"vr":"UR","Value":["http://127.0.0.1:8042/app/explorer.html"]}}]"#;
        let out = text(rewrite.answer(answer(explorer.into())).await).await;
        assert_eq!(out, "[{}]");
    }

    #[test]
    fn text_answers_have_the_root_replaced() {
        let origin = url::Url::parse(PACS).expect("url").origin();
        let rewrite = Rewrite {
            pacs_root: PACS,
            pacs_origin: &origin,
            public_root: PUBLIC,
            all_from_pacs: true,
        };
        let xml = format!("<Value number=\"1\">{PACS}/studies/1</Value>{PACS}");
        let out = String::from_utf8(rewrite.text(xml.as_bytes())).expect("utf-8");
        assert_eq!(
            out,
            format!("<Value number=\"1\">{PUBLIC}/studies/1</Value>{PUBLIC}")
        );
        assert!(rewrite.json(b"not json").is_none());
    }
}
