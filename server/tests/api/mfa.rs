//! Two-step verification: TOTP enrolment and sign-in, replay and window rules,
//! throttling, recovery codes, step-up, and password reset that keeps the second step.

use std::sync::Arc;

use identity::accounts::mfa::code_at;
use identity::{Clock as _, Error, FixedClock};
use serde_json::{Value, json};

use crate::accounts::{Browser, NEW_PASSWORD, PASSWORD, RESET_SUBJECT, customer, link_token, mail_to};
use crate::support::{Db, TestApp, both_backends};

both_backends!(
    totp_enrolment_then_sign_in_needs_the_code,
    totp_codes_work_once_within_the_window_and_guessing_is_throttled,
    recovery_codes_work_once,
    step_up_and_reset_require_the_second_factor,
    a_remembered_device_skips_the_second_step_until_sessions_end,
);

const FACTOR_SUBJECT: &str = "A change to how you sign in";

/// Signs in, enrols TOTP through the pages' server functions; returns the secret and
/// the recovery codes.
pub(crate) async fn enrol(app: &TestApp, b: &Browser, email: &str) -> (String, Vec<String>) {
    assert_eq!(b.login(email, PASSWORD).await.0, 200);
    let (status, setup) = b.call("start_totp", &[]).await;
    assert_eq!(status, 200, "{setup}");
    assert!(setup["qr_svg"].as_str().unwrap().starts_with("<?xml") || setup["qr_svg"].as_str().unwrap().contains("<svg"), "an SVG QR code");
    let secret = setup["secret"].as_str().unwrap().to_owned();
    assert_eq!(secret.len(), 32, "160-bit base32 secret: {secret}");
    let wrong = b.call("confirm_totp", &[("code", "000000")]).await;
    assert_eq!(wrong.0, 400, "a wrong first code does not turn it on: {}", wrong.1);
    let code = code_at(&secret, app.identity.now()).unwrap();
    let (status, codes) = b.call("confirm_totp", &[("code", code.as_str())]).await;
    assert_eq!(status, 200, "{codes}");
    let codes: Vec<String> = serde_json::from_value(codes).unwrap();
    assert_eq!(codes.len(), 10);
    mail_to(app, email, FACTOR_SUBJECT).await;
    (secret, codes)
}

/// A code of the next time step: valid now (±1 step) and newer than any used so far.
pub(crate) fn next_code(app: &TestApp, secret: &str, steps_ahead: i64) -> String {
    code_at(secret, app.identity.now() + steps_ahead * 30_000).unwrap()
}

async fn totp_enrolment_then_sign_in_needs_the_code(db: Db) {
    let Some(app) = TestApp::builder(db).with_smtp().spawn().await else { return };
    let email = "totp@example.com";
    customer(&app, email).await;
    let b = Browser::new(&app);
    let (secret, _) = enrol(&app, &b, email).await;
    let (status, body) = b.call("mfa_status", &[]).await;
    assert_eq!((status, body), (200, json!({ "totp": true, "passkeys": 0, "recovery_codes_left": 10, "password": true })));
    b.call("logout", &[]).await;

    let (status, next) = b.login(email, PASSWORD).await;
    assert_eq!((status, next.clone()), (200, json!("/login/second-factor?return_to=/account")));
    assert_eq!(b.me().await, Value::Null, "a password alone signs nobody in");
    assert_eq!(b.call("get_profile", &[]).await.0, 401);

    let wrong = b.call("login_second_factor", &[("code", "123456")]).await;
    assert_eq!(wrong, (400, json!({ "Message": crate::second_step_messages::CODE_WRONG })), "after a right password the refusal names the code");
    let code = next_code(&app, &secret, 1);
    let (status, to) = b.call("login_second_factor", &[("code", code.as_str())]).await;
    assert_eq!((status, to), (200, json!("/account")));
    assert_eq!(b.me().await["email"], email);

    // The same code again (another browser, same step) is a replay.
    let other = Browser::new(&app);
    assert_eq!(other.login(email, PASSWORD).await.0, 200);
    assert_eq!(other.call("login_second_factor", &[("code", code.as_str())]).await.0, 400);
    let (_, activity) = b.call("activity", &[]).await;
    assert!(activity.to_string().contains("Signed in"), "{activity}");
}

async fn totp_codes_work_once_within_the_window_and_guessing_is_throttled(db: Db) {
    let Some(app) = TestApp::builder(db).without_worker().spawn().await else { return };
    let row = customer(&app, "window@example.com").await;
    let clock = Arc::new(FixedClock::at(1_800_000_000_000));
    let id = app.identity_at(clock.clone());
    let me = identity::principal::Principal::customer(&row.id, "foyer:pwd");
    let setup = id.start_totp(&me, &row.id).await.unwrap();
    let now = clock.now();
    id.confirm_totp(&me, &row.id, &code_at(&setup.secret_base32, now).unwrap()).await.unwrap();

    // Used at enrolment: the same step is refused; so is one outside ±1 step.
    assert!(matches!(id.verify_second_factor(&me, &row.id, &code_at(&setup.secret_base32, now).unwrap()).await, Err(Error::TokenInvalid)));
    assert!(matches!(id.verify_second_factor(&me, &row.id, &code_at(&setup.secret_base32, now + 90_000).unwrap()).await, Err(Error::TokenInvalid)));
    // The next step works once; an older one after it never does.
    assert_eq!(id.verify_second_factor(&me, &row.id, &code_at(&setup.secret_base32, now + 30_000).unwrap()).await.unwrap(), "otp");
    assert!(matches!(id.verify_second_factor(&me, &row.id, &code_at(&setup.secret_base32, now + 30_000).unwrap()).await, Err(Error::TokenInvalid)));
    clock.advance(60_000);
    assert!(matches!(id.verify_second_factor(&me, &row.id, &code_at(&setup.secret_base32, now).unwrap()).await, Err(Error::TokenInvalid)));

    // Guessing is throttled with the password counters.
    let mut throttled = false;
    for guess in 0..10 {
        match id.verify_second_factor(&me, &row.id, &format!("{guess:06}")).await {
            Err(Error::Throttled { retry_after_secs }) => {
                assert!(retry_after_secs >= 1);
                throttled = true;
                break;
            }
            Err(Error::TokenInvalid) => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(throttled, "ten wrong codes in a row are throttled");
}

async fn recovery_codes_work_once(db: Db) {
    let Some(app) = TestApp::builder(db).with_smtp().spawn().await else { return };
    let email = "recovery@example.com";
    customer(&app, email).await;
    let b = Browser::new(&app);
    let (_, codes) = enrol(&app, &b, email).await;
    b.call("logout", &[]).await;

    let code = codes[3].to_uppercase();
    assert_eq!(b.login(email, PASSWORD).await.0, 200);
    assert_eq!(b.call("login_second_factor", &[("code", code.as_str())]).await, (200, json!("/account")));
    assert_eq!(b.call("mfa_status", &[]).await.1["recovery_codes_left"], 9);
    b.call("logout", &[]).await;
    assert_eq!(b.login(email, PASSWORD).await.0, 200);
    assert_eq!(b.call("login_second_factor", &[("code", code.as_str())]).await.0, 400, "a recovery code works once");

    // Regenerating replaces the set: old codes stop working.
    assert_eq!(b.call("login_second_factor", &[("code", codes[0].as_str())]).await.0, 200);
    let (status, fresh) = b.call("regenerate_recovery_codes", &[]).await;
    assert_eq!(status, 200, "{fresh}");
    b.call("logout", &[]).await;
    assert_eq!(b.login(email, PASSWORD).await.0, 200);
    assert_eq!(b.call("login_second_factor", &[("code", codes[1].as_str())]).await.0, 400, "old set is void");
    assert_eq!(b.call("login_second_factor", &[("code", fresh[0].as_str().unwrap())]).await.0, 200);
}

async fn step_up_and_reset_require_the_second_factor(db: Db) {
    let Some(app) = TestApp::builder(db).with_smtp().spawn().await else { return };
    let email = "stepup@example.com";
    customer(&app, email).await;
    let b = Browser::new(&app);
    let (secret, recovery) = enrol(&app, &b, email).await;

    let (status, body) = b.call("reauthenticate", &[("password", PASSWORD)]).await;
    assert_eq!((status, body), (403, json!("SecondFactorRequired")));
    let code = next_code(&app, &secret, 1);
    assert_eq!(b.call("reauthenticate", &[("password", PASSWORD), ("code", code.as_str())]).await.0, 200);

    // A reset link alone does not take over an account with a second step.
    assert_eq!(Browser::new(&app).call("forgot_password", &[("email", email)]).await.0, 200);
    let token = link_token(&app, &mail_to(&app, email, RESET_SUBJECT).await, "/reset-password");
    let anon = Browser::new(&app);
    let refused = anon.call("reset_password", &[("token", token.as_str()), ("password", NEW_PASSWORD)]).await;
    assert_eq!(refused, (403, json!("SecondFactorRequired")));
    // A code whose step was already used (by the step-up above) is refused too.
    let replay = anon.call("reset_password", &[("token", token.as_str()), ("password", NEW_PASSWORD), ("code", code.as_str())]).await;
    assert_eq!(replay.0, 400, "{}", replay.1);
    // The link survived both refusals; a recovery code completes the reset.
    let done = anon.call("reset_password", &[("token", token.as_str()), ("password", NEW_PASSWORD), ("code", recovery[0].as_str())]).await;
    assert_eq!(done.0, 200, "{}", done.1);
    assert_eq!(Browser::new(&app).login(email, NEW_PASSWORD).await, (200, json!("/login/second-factor?return_to=/account")));
    assert_eq!(b.me().await, Value::Null, "the reset ended the earlier session");
}

async fn a_remembered_device_skips_the_second_step_until_sessions_end(db: Db) {
    let Some(app) = TestApp::builder(db).with_smtp().spawn().await else { return };
    let email = "remember@example.com";
    let row = customer(&app, email).await;
    let b = Browser::new(&app);
    let (secret, _) = enrol(&app, &b, email).await;
    b.call("logout", &[]).await;

    // The second step with "remember this device".
    assert_eq!(b.login(email, PASSWORD).await.1, json!("/login/second-factor?return_to=/account"));
    let code = next_code(&app, &secret, 1);
    let (status, _) = b.call("login_second_factor", &[("code", code.as_str()), ("remember", "on")]).await;
    assert_eq!(status, 200);
    b.call("logout", &[]).await;

    // The password alone now signs in on this browser, and only here.
    let (status, next) = b.login(email, PASSWORD).await;
    assert_eq!((status, next), (200, json!("/account")), "the remembered device skips the second step");
    assert_eq!(b.me().await["email"], email);
    let other = Browser::new(&app);
    assert_eq!(other.login(email, PASSWORD).await.1, json!("/login/second-factor?return_to=/account"));
    let (remembered,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM remembered_devices WHERE customer_id = $1")
        .bind(&row.id)
        .fetch_one(app.identity.store().pool())
        .await
        .unwrap();
    assert_eq!(remembered, 1, "one remembered device");
    let (_, activity) = b.call("activity", &[]).await;
    assert!(activity.to_string().contains("Device remembered for 30 days"), "{activity}");

    // Signing out the other devices forgets every remembered device, this one too.
    assert_eq!(b.call("end_other_devices", &[]).await.0, 200);
    b.call("logout", &[]).await;
    assert_eq!(b.login(email, PASSWORD).await.1, json!("/login/second-factor?return_to=/account"));
    assert_eq!(b.me().await, Value::Null);
}
