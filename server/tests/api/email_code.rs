//! Sign-in with a mailed code: passwordless, and as the fallback second step after a
//! password. Enumeration-safe requests, single use, guess limits, and no mailed code
//! as both steps.

use identity::accounts::mfa::code_at;
use serde_json::{Value, json};

use crate::accounts::{Browser, PASSWORD, customer};
use crate::support::{Db, ReceivedMail, TestApp, both_backends};

both_backends!(sign_in_with_a_mailed_code, mailed_code_as_the_fallback_second_step);

const SUBJECT_PREFIX: &str = "Your sign-in code: ";

/// The code of the newest sign-in code mail to `to`.
async fn mailed_code(app: &TestApp, to: &str, seen: usize) -> String {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let mails: Vec<ReceivedMail> =
            app.smtp().received().into_iter().filter(|m| m.subject.starts_with(SUBJECT_PREFIX) && m.to.iter().any(|t| t == to)).collect();
        if mails.len() > seen {
            let code = mails[mails.len() - 1].subject[SUBJECT_PREFIX.len()..].to_owned();
            assert!(code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()), "{code}");
            assert!(mails[mails.len() - 1].text.contains(&code));
            return code;
        }
        assert!(std::time::Instant::now() < deadline, "no sign-in code mail to {to}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

fn code_mails(app: &TestApp, to: &str) -> usize {
    app.smtp().received().iter().filter(|m| m.subject.starts_with(SUBJECT_PREFIX) && m.to.iter().any(|t| t == to)).count()
}

async fn sign_in_with_a_mailed_code(db: Db) {
    let Some(app) = TestApp::builder(db).with_smtp().spawn().await else { return };
    let email = "code@example.com";
    let row = customer(&app, email).await;
    let b = Browser::new(&app);

    // Known and unknown addresses get the same answer; only the account gets mail.
    let known = b.call("send_sign_in_code", &[("email", email)]).await;
    let unknown = b.call("send_sign_in_code", &[("email", "nobody@example.com")]).await;
    assert_eq!(known, (200, Value::Null));
    assert_eq!(unknown, known);
    assert_eq!(b.call("send_sign_in_code", &[("email", "not an address")]).await.0, 400);
    let code = mailed_code(&app, email, 0).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(code_mails(&app, "nobody@example.com"), 0);

    let wrong = if code == "000000" { "111111" } else { "000000" };
    let (status, body) = b.call("login_with_code", &[("email", email), ("code", wrong)]).await;
    assert_eq!(status, 400, "{body}");
    assert!(body.to_string().contains("code is not right"), "{body}");
    let (status, _) = b.call("login_with_code", &[("email", "nobody@example.com"), ("code", &code)]).await;
    assert_eq!(status, 400, "a code belongs to its account");
    let (status, next) = b.call("login_with_code", &[("email", email), ("code", &code)]).await;
    assert_eq!((status, next), (200, json!("/account")));
    assert_eq!(b.me().await["email"], email);
    b.call("logout", &[]).await;
    assert_eq!(b.call("login_with_code", &[("email", email), ("code", &code)]).await.0, 400, "a code works once");

    // Five wrong guesses kill a code.
    b.call("send_sign_in_code", &[("email", email)]).await;
    let code = mailed_code(&app, email, 1).await;
    for _ in 0..5 {
        let guess = if code == "999999" { "999998" } else { "999999" };
        assert_eq!(b.call("login_with_code", &[("email", email), ("code", guess)]).await.0, 400);
    }
    let (status, _) = b.call("login_with_code", &[("email", email), ("code", &code)]).await;
    assert_ne!(status, 200, "the code died after five wrong guesses");

    // Asking for many codes for one address is limited.
    let mut throttled = false;
    for _ in 0..6 {
        let (status, _) = b.call("send_sign_in_code", &[("email", email)]).await;
        throttled |= status == 429;
    }
    assert!(throttled, "codes per address are rate limited");
    let (amr,): (String,) = sqlx::query_as("SELECT detail FROM audit_log WHERE subject = $1 AND action = 'login.succeeded' ORDER BY id DESC LIMIT 1")
        .bind(format!("customer:{}", row.id))
        .fetch_one(app.identity.store().pool())
        .await
        .unwrap();
    assert_eq!(serde_json::from_str::<Value>(&amr).unwrap()["amr"], json!(["otp"]));
}

async fn mailed_code_as_the_fallback_second_step(db: Db) {
    let Some(app) = TestApp::builder(db).with_smtp().spawn().await else { return };
    let email = "fallback@example.com";
    customer(&app, email).await;
    let b = Browser::new(&app);
    assert_eq!(b.login(email, PASSWORD).await.0, 200);
    let (_, setup) = b.call("start_totp", &[]).await;
    let secret = setup["secret"].as_str().unwrap().to_owned();
    let code = code_at(&secret, app.identity.now()).unwrap();
    assert_eq!(b.call("confirm_totp", &[("code", code.as_str())]).await.0, 200);
    b.call("logout", &[]).await;

    // Password, then a mailed code instead of the app.
    let (status, next) = b.login(email, PASSWORD).await;
    assert_eq!((status, next), (200, json!("/login/second-factor?return_to=/account")));
    assert_eq!(b.call("second_factor_email_code", &[]).await, (200, Value::Null));
    let code = mailed_code(&app, email, 0).await;
    let (status, next) = b.call("login_second_factor", &[("code", &code)]).await;
    assert_eq!((status, next), (200, json!("/account")));
    b.call("logout", &[]).await;

    // A mailed code as the first step needs the app (not another mailed code) next.
    b.call("send_sign_in_code", &[("email", email)]).await;
    let code = mailed_code(&app, email, 1).await;
    let (status, next) = b.call("login_with_code", &[("email", email), ("code", &code)]).await;
    assert_eq!((status, next), (200, json!("/login/second-factor?return_to=/account")));
    assert_eq!(b.me().await, Value::Null);
    let (_, steps) = b.call("second_factor_methods", &[]).await;
    assert_eq!(steps, json!({ "totp": true, "passkey": false, "email_code": false }));
    assert_eq!(b.call("second_factor_email_code", &[]).await.0, 400);
    let totp = code_at(&secret, app.identity.now() + 30_000).unwrap();
    let (status, next) = b.call("login_second_factor", &[("code", &totp)]).await;
    assert_eq!((status, next), (200, json!("/account")));
}
