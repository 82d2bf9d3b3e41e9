//! A login storm past the hasher's limits (`docs/design/peaks.md` "Login storms"):
//! the answer is 503 with `Retry-After` (never an error page, never a counted failure),
//! the wasm's call gets the seconds to wait, and a plain post returns to its page with
//! the busy message and the typed address. The hasher here refuses every hash
//! (`FOYER_HASH_MAX_QUEUE=0`), so the storm is there without timing; admission by
//! expected wait itself is tested with a steered stopwatch in `identity::password`.

use reqwest::header;
use serde_json::json;

use crate::accounts::Browser;
use crate::plain_forms::{location, plain_post, sticky_cookie};
use crate::support::{Db, TestApp, both_backends};

both_backends!(a_saturated_hasher_answers_busy_with_retry_after_and_keeps_the_form);

const EMAIL: &str = "storm@example.com";

async fn a_saturated_hasher_answers_busy_with_retry_after_and_keeps_the_form(db: Db) {
    let Some(app) = TestApp::builder(db)
        .configure(|raw| {
            raw.hash_max_queue = 0;
            raw.hash_max_wait_secs = 0;
        })
        .spawn()
        .await
    else {
        return;
    };

    // The wasm's call: 503, when to come back, and the seconds in the answer.
    let b = Browser::new(&app);
    for endpoint in ["login", "register"] {
        let form = [("email", EMAIL), ("password", "correct horse battery staple 42"), ("accept_terms", "on")];
        let form = if endpoint == "login" { &form[..2] } else { &form[..] };
        let answer = b.post(endpoint, form).await;
        assert_eq!(answer.status().as_u16(), 503, "{endpoint}");
        assert_eq!(answer.headers().get(header::RETRY_AFTER).and_then(|v| v.to_str().ok()), Some("1"), "{endpoint}");
        assert_eq!(answer.json::<serde_json::Value>().await.unwrap(), json!({ "Busy": 1 }), "{endpoint}");
    }
    // Nothing was checked, so nothing was counted: no throttle builds up from busy answers.
    for _ in 0..40 {
        assert_eq!(b.post("login", &[("email", EMAIL), ("password", "wrong password 123")]).await.status().as_u16(), 503);
    }

    // Before the wasm: back to the page with the error and the address (never the password).
    let answer = plain_post(&app, "login", &[("email", EMAIL), ("password", "correct horse battery staple 42"), ("return_to", ""), ("__page", "/login")]).await;
    assert_eq!(answer.status().as_u16(), 303);
    let to = location(&answer);
    assert!(to.starts_with(&format!("{}/login?__path=%2Fapi%2Flogin&__err=", app.public_url)), "{to}");
    let cookie = sticky_cookie(&answer).expect("the typed address is kept for the page");
    assert!(cookie.contains("email=storm%40example.com") && !cookie.contains("correct+horse"), "{cookie}");
    let pair = cookie.split(';').next().unwrap().to_owned();
    let path = to.trim_start_matches(&app.public_url).to_owned();
    for (language, busy) in [("en", "We are busy right now. Please try again in 1 seconds."), ("de", "Wir sind gerade ausgelastet. Bitte versuchen Sie es in 1 Sekunden noch einmal.")] {
        let page = reqwest::Client::new()
            .get(format!("{}{path}", app.address))
            .header(header::COOKIE, &pair)
            .header(header::ACCEPT_LANGUAGE, language)
            .send()
            .await
            .unwrap();
        assert_eq!(page.status().as_u16(), 200, "the busy answer is the sign-in page, not an error page");
        let html = page.text().await.unwrap();
        assert!(html.contains(busy), "{language}: the busy message is on the page");
        assert!(html.contains(r#"value="storm@example.com""#), "{language}: the typed address is back in its field");
    }
    assert_eq!(app.identity.hasher().queue_depth(), 0, "nothing left waiting");
}
