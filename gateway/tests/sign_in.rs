//! The browser sign-in against a local issuer that implements the authorization code flow
//! with PKCE (its codes are single-use and bound to their verifier and redirect URI): the
//! gateway sends the browser to the issuer with a state bound to a cookie, redeems the code,
//! checks the access token like any bearer token, and gives a session cookie; the issuer's
//! tokens never reach the browser. A callback without the browser's cookie, with another
//! state, replayed or refused by the issuer signs nobody in; return paths stay on this origin.
#![allow(clippy::unwrap_used)]

mod common;

use common::{start_gateway, Issuer, Options, SIGNED_IN};
use serde_json::Value;

fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn location(r: &reqwest::Response) -> String {
    r.headers()["location"].to_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clinicians_sign_in_through_the_issuer() {
    let issuer = Issuer::start().await;
    let db = common::sqlite_url("sign-in");
    let gw = start_gateway(Options {
        database_url: &db,
        pacs_url: "http://127.0.0.1:9/dicom-web",
        issuer: Some(&issuer),
        dev_login: false,
        sign_in: true,
        anonymous_per_minute: None,
        sites_file: None,
        launch_origins: None,
    })
    .await;
    let me = |b: reqwest::Client| {
        let url = format!("{}/api/session", gw.url);
        async move { b.get(url).send().await.unwrap() }
    };

    let anonymous = me(browser()).await;
    assert_eq!(anonymous.status().as_u16(), 401);
    let body: Value = anonymous.json().await.unwrap();
    assert_eq!(body["sign_in"], true);

    // The whole journey, back to where the reader was going.
    let b = browser();
    let start = b
        .get(format!("{}/auth/login?return=%2F%3Fstudy%3D1.2.3", gw.url))
        .send()
        .await
        .unwrap();
    assert_eq!(start.status().as_u16(), 303);
    let to_issuer = location(&start);
    assert!(
        to_issuer.starts_with(&format!("{}/authorize?", issuer.url)),
        "{to_issuer}"
    );
    assert!(to_issuer.contains("code_challenge_method=S256"));
    let at_issuer = b.get(&to_issuer).send().await.unwrap();
    let callback = location(&at_issuer);
    assert!(callback.starts_with(&format!("{}/auth/callback?", gw.url)));
    let back = b.get(&callback).send().await.unwrap();
    assert_eq!(back.status().as_u16(), 303);
    assert_eq!(location(&back), "/?study=1.2.3");
    let cookies: Vec<String> = back
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect();
    assert!(cookies
        .iter()
        .any(|c| c.starts_with("portal_session=") && c.contains("HttpOnly")));
    let body = back.text().await.unwrap();
    assert!(
        !body.contains("eyJ"),
        "no token in the answer to the browser"
    );
    let signed_in: Value = me(b.clone()).await.json().await.unwrap();
    assert_eq!(signed_in["kind"], "clinician");
    assert_eq!(signed_in["name"], "Dr OIDC");
    assert_eq!(signed_in["can_audit"], true);
    assert_eq!(signed_in["dev"], false);

    // The same callback again: its state was used.
    let again = browser();
    let replay = again.get(&callback).send().await.unwrap();
    assert_eq!(replay.status().as_u16(), 400);
    assert_eq!(me(again).await.status().as_u16(), 401);

    // A callback reaching another browser (no login cookie): login CSRF refused.
    let victim = browser();
    let attacker = browser();
    let start = attacker
        .get(format!("{}/auth/login", gw.url))
        .send()
        .await
        .unwrap();
    let at_issuer = attacker.get(location(&start)).send().await.unwrap();
    let planted = victim.get(location(&at_issuer)).send().await.unwrap();
    assert_eq!(planted.status().as_u16(), 400);
    assert_eq!(me(victim).await.status().as_u16(), 401);

    // The issuer refusing, or a made-up code.
    let b = refused_callbacks(&gw.url).await;
    assert_eq!(me(b).await.status().as_u16(), 401);

    // Return paths stay on this origin.
    let b = browser();
    let start = b
        .get(format!(
            "{}/auth/login?return=%2F%2Fevil.example%2F",
            gw.url
        ))
        .send()
        .await
        .unwrap();
    let at_issuer = b.get(location(&start)).send().await.unwrap();
    let back = b.get(location(&at_issuer)).send().await.unwrap();
    assert_eq!(location(&back), "/");

    // Audited: the sign-ins and the refusals, never a code or token.
    let events = gw.state.store.audit_events(None, None, 1000).await.unwrap();
    let actor = format!("clinician:{SIGNED_IN}");
    assert_eq!(
        events
            .iter()
            .filter(|e| e.action == "login" && e.actor == actor)
            .count(),
        2
    );
    for detail in [
        "sign-in unknown, used or too old",
        "sign-in state not from this browser",
        "the issuer refused the code",
        "sign-in refused by the issuer",
    ] {
        assert!(
            events.iter().any(|e| e.detail == detail),
            "no audit row says {detail}"
        );
    }
}

/// A sign-in the issuer refuses, or completed with a made-up code, signs nobody in, and spends
/// its state. Returns the browser that tried.
async fn refused_callbacks(gw: &str) -> reqwest::Client {
    let b = browser();
    let start = b.get(format!("{}/auth/login", gw)).send().await.unwrap();
    let to_issuer = url::Url::parse(&location(&start)).unwrap();
    let state = to_issuer
        .query_pairs()
        .find(|(k, _)| k == "state")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    let forged = b
        .get(format!("{}/auth/callback?code=made-up&state={state}", gw))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status().as_u16(), 400);
    // That state is spent, even with its cookie sent back by hand.
    let spent = reqwest::Client::new()
        .get(format!("{}/auth/callback?code=made-up&state={state}", gw))
        .header("Cookie", format!("portal_login={state}"))
        .send()
        .await
        .unwrap();
    assert_eq!(spent.status().as_u16(), 400);
    let refused = b
        .get(format!(
            "{}/auth/callback?error=access_denied&state={state}",
            gw
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status().as_u16(), 400);
    b
}
