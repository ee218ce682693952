//! Any bytes as a PACS's DICOM JSON answer to a search or a store: once rewritten, no Retrieve
//! URL and no bulk data URI in it, at any depth, is on the PACS's origin, and nothing under the
//! PACS's root is left (checked by walking the rewritten JSON, not by the rewriter's code).
#![no_main]

use gateway::retrieve_url::Rewrite;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

const PACS_ROOT: &str = "http://pacs.internal:8042/dicom-web";

fn check(value: &Value, pacs: &url::Origin) {
    match value {
        Value::Array(items) => items.iter().for_each(|v| check(v, pacs)),
        Value::Object(map) => {
            for (key, v) in map {
                if key == "00081190" || key == "BulkDataURI" {
                    let urls: Vec<&str> = match v {
                        Value::Object(e) => e
                            .get("Value")
                            .and_then(Value::as_array)
                            .map(|a| a.iter().filter_map(Value::as_str).collect())
                            .unwrap_or_default(),
                        Value::String(s) => vec![s.as_str()],
                        _ => Vec::new(),
                    };
                    for u in urls {
                        let on_pacs = url::Url::parse(u).is_ok_and(|u| u.origin() == *pacs);
                        assert!(!on_pacs, "{u} left on the PACS");
                    }
                }
                check(v, pacs);
            }
        }
        _ => {}
    }
}

fuzz_target!(|data: &[u8]| {
    let pacs = url::Url::parse(PACS_ROOT).expect("a URL").origin();
    let rewrite = Rewrite {
        pacs_root: PACS_ROOT,
        pacs_origin: &pacs,
        public_root: "https://portal.example/dicom-web",
        all_from_pacs: true,
    };
    if let Some(out) = rewrite.json(data) {
        let value: Value = serde_json::from_slice(&out).expect("the rewriter writes JSON");
        check(&value, &pacs);
    }
    let text = rewrite.text(data);
    let root = PACS_ROOT.as_bytes();
    assert!(
        !text.windows(root.len()).any(|w| w == root),
        "the root left in a text"
    );
});
