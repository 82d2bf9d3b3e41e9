//! After a correct first step, a refused second-step code says which refusal it was
//! (issue 12, item 4): not right, already used (an authenticator step or a recovery
//! code), or expired (the mailed code). Saying so changes nothing that is counted:
//! "right password, wrong or spent codes, repeat" is still throttled within a few rounds.

use std::time::Duration;

use serde_json::{Value, json};

use crate::accounts::{Browser, LOGIN_FAILED, NEW_PASSWORD, PASSWORD, RESET_SUBJECT, WRONG, customer, link_token, mail_to};
use crate::mfa::{enrol, next_code};
use crate::support::{Db, TestApp, both_backends};

both_backends!(
    second_step_refusals_say_which,
    spent_and_wrong_codes_repeated_are_still_throttled,
    a_reset_takes_the_recovery_code_from_its_own_field,
);

pub(crate) const CODE_WRONG: &str = "That code is not right.";
pub(crate) const CODE_USED: &str = "That code has already been used.";
pub(crate) const CODE_EXPIRED: &str = "That code has expired, ask for a new one.";
const SECOND_STEP: &str = "/login/second-factor?return_to=/account";
const SUBJECT_PREFIX: &str = "Your sign-in code: ";

/// The newest sign-in code mailed to `to`, once more than `seen` have arrived.
async fn mailed_code(app: &TestApp, to: &str, seen: usize) -> String {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let codes: Vec<String> = app
            .smtp()
            .received()
            .into_iter()
            .filter(|m| m.subject.starts_with(SUBJECT_PREFIX) && m.to.iter().any(|t| t == to))
            .map(|m| m.subject[SUBJECT_PREFIX.len()..].to_owned())
            .collect();
        if codes.len() > seen {
            return codes[codes.len() - 1].clone();
        }
        assert!(std::time::Instant::now() < deadline, "no sign-in code mail to {to}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn refused(message: &str) -> (u16, Value) {
    (400, json!({ "Message": message }))
}

async fn second_step_refusals_say_which(db: Db) {
    let Some(app) = TestApp::builder(db).with_smtp().with_clock().spawn().await else { return };
    let email = "which@example.com";
    customer(&app, email).await;
    let b = Browser::new(&app);
    let (secret, recovery) = enrol(&app, &b, email).await;
    b.call("logout", &[]).await;

    // The first step stays uniform.
    assert_eq!(b.login(email, WRONG).await, refused(LOGIN_FAILED));

    // A wrong code, then the right one.
    assert_eq!(b.login(email, PASSWORD).await, (200, json!(SECOND_STEP)));
    assert_eq!(b.call("login_second_factor", &[("code", "not-a-code")]).await, refused(CODE_WRONG));
    let code = next_code(&app, &secret, 1);
    assert_eq!(b.call("login_second_factor", &[("code", code.as_str())]).await, (200, json!("/account")));
    b.call("logout", &[]).await;

    // The same authenticator code again: used.
    assert_eq!(b.login(email, PASSWORD).await, (200, json!(SECOND_STEP)));
    assert_eq!(b.call("login_second_factor", &[("code", code.as_str())]).await, refused(CODE_USED));
    // A recovery code works once, then is "used"; a made-up one is "not right".
    assert_eq!(b.call("login_second_factor", &[("code", recovery[0].as_str())]).await, (200, json!("/account")));
    b.call("logout", &[]).await;
    assert_eq!(b.login(email, PASSWORD).await, (200, json!(SECOND_STEP)));
    assert_eq!(b.call("login_second_factor", &[("code", recovery[0].as_str())]).await, refused(CODE_USED));
    assert_eq!(b.call("login_second_factor", &[("code", "aaaaa-bbbbb")]).await, refused(CODE_WRONG));

    // A mailed code past its ten minutes: expired. (The pending first step lasts five
    // minutes, so the password comes again before the old code is tried.)
    assert_eq!(b.call("second_factor_email_code", &[]).await, (200, Value::Null));
    let mailed = mailed_code(&app, email, 0).await;
    app.advance(Duration::from_secs(11 * 60));
    assert_eq!(b.login(email, PASSWORD).await, (200, json!(SECOND_STEP)));
    assert_eq!(b.call("login_second_factor", &[("code", mailed.as_str())]).await, refused(CODE_EXPIRED));
    // A fresh mailed code works once; entered again it is "used".
    assert_eq!(b.call("second_factor_email_code", &[]).await, (200, Value::Null));
    let fresh = mailed_code(&app, email, 1).await;
    assert_eq!(b.call("login_second_factor", &[("code", fresh.as_str())]).await, (200, json!("/account")));
    b.call("logout", &[]).await;
    assert_eq!(b.login(email, PASSWORD).await, (200, json!(SECOND_STEP)));
    assert_eq!(b.call("login_second_factor", &[("code", fresh.as_str())]).await, refused(CODE_USED));
}

/// 30 rounds of (correct password + a spent code + wrong codes), as an attacker with the
/// password and an old code would: the specific answers do not reset or skip the
/// second step's own throttle, which answers 429 within the first rounds.
async fn spent_and_wrong_codes_repeated_are_still_throttled(db: Db) {
    let Some(app) = TestApp::builder(db).with_smtp().spawn().await else { return };
    let email = "spent@example.com";
    customer(&app, email).await;
    let owner = Browser::new(&app);
    let (_, recovery) = enrol(&app, &owner, email).await;
    owner.call("logout", &[]).await;
    assert_eq!(owner.login(email, PASSWORD).await, (200, json!(SECOND_STEP)));
    assert_eq!(owner.call("login_second_factor", &[("code", recovery[0].as_str())]).await, (200, json!("/account")));

    let attacker = Browser::new(&app);
    let mut stopped_in = None;
    let mut answers = Vec::new();
    'rounds: for round in 1..=30 {
        let (status, body) = attacker.login(email, PASSWORD).await;
        if status == 429 {
            stopped_in = Some(round);
            break;
        }
        assert_eq!((status, body), (200, json!(SECOND_STEP)), "round {round}");
        for code in [recovery[0].as_str(), "000000", "zzzzz-zzzzz", "111111", "222222"] {
            let (status, body) = attacker.call("login_second_factor", &[("code", code)]).await;
            if status == 429 {
                stopped_in = Some(round);
                break 'rounds;
            }
            assert_eq!(status, 400, "round {round}: {body}");
            answers.push(body["Message"].as_str().unwrap_or_default().to_owned());
        }
    }
    let round = stopped_in.expect("30 rounds of password + 5 refused codes were never throttled");
    assert!(round <= 3, "throttled only in round {round}");
    assert_eq!(answers.first().map(String::as_str), Some(CODE_USED), "the spent recovery code says so");
    assert!(answers.iter().all(|a| a == CODE_USED || a == CODE_WRONG), "{answers:?}");
    assert!(!answers.iter().any(|a| a == LOGIN_FAILED), "after a right password, never the first step's answer");
}

/// The reset page asks for the app's code in a numeric field and a recovery code (which
/// has letters) in its own: either completes the reset of an account with a second step.
async fn a_reset_takes_the_recovery_code_from_its_own_field(db: Db) {
    let Some(app) = TestApp::builder(db).with_smtp().spawn().await else { return };
    let email = "resetrecovery@example.com";
    customer(&app, email).await;
    let owner = Browser::new(&app);
    let (_, recovery) = enrol(&app, &owner, email).await;
    assert_eq!(Browser::new(&app).call("forgot_password", &[("email", email)]).await.0, 200);
    let token = link_token(&app, &mail_to(&app, email, RESET_SUBJECT).await, "/reset-password");
    let anon = Browser::new(&app);
    let refused = anon.call("reset_password", &[("token", token.as_str()), ("password", NEW_PASSWORD), ("code", ""), ("recovery_code", "")]).await;
    assert_eq!(refused, (403, json!("SecondFactorRequired")));
    let fields = [("token", token.as_str()), ("password", NEW_PASSWORD), ("code", ""), ("recovery_code", recovery[1].as_str())];
    let done = anon.call("reset_password", &fields).await;
    assert_eq!(done.0, 200, "{}", done.1);
    assert_eq!(Browser::new(&app).login(email, NEW_PASSWORD).await, (200, json!(SECOND_STEP)));
}
