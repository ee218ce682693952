//! Any bytes as the bodies and values anyone can send the gateway: a share's creation (its
//! fields checked), a share link's exchange, and the page to return to after signing in,
//! which must stay on the portal's origin however a browser resolves it.
#![no_main]

use gateway::auth::login::safe_return;
use gateway::shares::{invalid_field, Exchange, NewShare};
use libfuzzer_sys::fuzz_target;

const NOW_MS: i64 = 1_796_000_000_000;

fuzz_target!(|data: &[u8]| {
    if let Ok(request) = serde_json::from_slice::<NewShare>(data) {
        let _ = invalid_field(&request, NOW_MS);
    }
    let _ = serde_json::from_slice::<Exchange>(data);
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let portal = url::Url::parse("https://portal.example/viewer").expect("a URL");
    let back = safe_return(Some(text));
    let resolved = portal.join(&back).expect("a path of the portal resolves");
    assert_eq!(
        resolved.origin(),
        portal.origin(),
        "{back:?} leaves the portal"
    );
    assert!(!back.contains(['\r', '\n']), "a header split");
});
