//! After sign-in the browser goes where the server function answers; a `return_to` that
//! could leave Foyer's origin (browsers strip tabs and newlines and read `\` as `/`)
//! becomes `/account`, on every path: password, the second step, a mailed code.

use identity::accounts::mfa::code_at;
use serde_json::json;

use crate::accounts::{Browser, PASSWORD, customer};
use crate::support::{Db, TestApp, both_backends};

both_backends!(return_to_stays_on_foyer_after_every_sign_in_step);

/// `return_to` values that must not survive.
const HOSTILE: [&str; 10] = [
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "/%09/evil.example",
    "/%5C/evil.example",
    "/%5c%5cevil.example",
    "//evil.example",
    "/\\evil.example",
    "https://evil.example",
    "javascript:alert(1)",
];

async fn sign_in_code(app: &TestApp, email: &str, seen: usize) -> String {
    const PREFIX: &str = "Your sign-in code: ";
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let subjects: Vec<String> =
            app.smtp().received().into_iter().filter(|m| m.subject.starts_with(PREFIX) && m.to.iter().any(|t| t == email)).map(|m| m.subject).collect();
        if subjects.len() > seen {
            return subjects[subjects.len() - 1][PREFIX.len()..].to_owned();
        }
        assert!(std::time::Instant::now() < deadline, "no sign-in code mail to {email}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

async fn return_to_stays_on_foyer_after_every_sign_in_step(db: Db) {
    let Some(app) = TestApp::builder(db).with_smtp().spawn().await else { return };

    // Password only.
    let email = "return@example.com";
    customer(&app, email).await;
    for hostile in HOSTILE {
        let b = Browser::new(&app);
        let answer = b.call("login", &[("email", email), ("password", PASSWORD), ("return_to", hostile)]).await;
        assert_eq!(answer, (200, json!("/account")), "{hostile:?}");
    }
    let b = Browser::new(&app);
    let kept = b.call("login", &[("email", email), ("password", PASSWORD), ("return_to", "/oauth2/continue?r=abc")]).await;
    assert_eq!(kept, (200, json!("/oauth2/continue?r=abc")), "a local path is kept");

    // A mailed code (an address may ask for a few only).
    for (seen, hostile) in HOSTILE.iter().take(2).enumerate() {
        let b = Browser::new(&app);
        assert_eq!(b.call("send_sign_in_code", &[("email", email)]).await.0, 200);
        let code = sign_in_code(&app, email, seen).await;
        let answer = b.call("login_with_code", &[("email", email), ("code", code.as_str()), ("return_to", hostile)]).await;
        assert_eq!(answer, (200, json!("/account")), "{hostile:?}");
    }

    // The second step: the first answer carries a safe return_to, and the second
    // step checks again whatever it is given.
    let b = Browser::new(&app);
    assert_eq!(b.login(email, PASSWORD).await.0, 200);
    let (status, setup) = b.call("start_totp", &[]).await;
    assert_eq!(status, 200, "{setup}");
    let secret = setup["secret"].as_str().unwrap().to_owned();
    let code = code_at(&secret, app.identity.now()).unwrap();
    let (status, recovery) = b.call("confirm_totp", &[("code", code.as_str())]).await;
    assert_eq!(status, 200, "{recovery}");
    let recovery: Vec<String> = serde_json::from_value(recovery).unwrap();
    assert!(recovery.len() >= HOSTILE.len());
    for (hostile, code) in HOSTILE.iter().zip(&recovery) {
        let b = Browser::new(&app);
        let first = b.call("login", &[("email", email), ("password", PASSWORD), ("return_to", hostile)]).await;
        assert_eq!(first, (200, json!("/login/second-factor?return_to=/account")), "{hostile:?}");
        let answer = b.call("login_second_factor", &[("code", code.as_str()), ("return_to", hostile)]).await;
        assert_eq!(answer, (200, json!("/account")), "{hostile:?}");
    }
}
