//! Attack sequences on the second step and step-up (issue 10, items 1, 6, 9, 11):
//! "right password, wrong codes, repeat" is slowed and locked; concurrent failures are
//! all counted; a remembered device cannot remove the factor it skipped; registration
//! refuses huge fields before any expensive work; known and unknown addresses write
//! alike.

use std::sync::Arc;

use identity::accounts::login::{FirstStep, LoginError, LoginStep};
use identity::accounts::throttle::{self, ip_key, mfa_key};
use identity::FixedClock;
use serde_json::{Value, json};

use crate::accounts::{Browser, LOCKED_SUBJECT, PASSWORD, WRONG, customer, meta, secret};
use crate::mfa::{enrol, next_code};
use crate::support::{Db, TestApp, both_backends};

both_backends!(
    password_then_wrong_codes_repeated_is_throttled_and_counted,
    second_step_failures_lock_the_account,
    concurrent_wrong_codes_are_all_counted,
    a_remembered_device_cannot_remove_the_second_factor,
    huge_registration_fields_are_refused_before_any_work,
    known_and_unknown_addresses_write_alike,
);

const SECOND_STEP: &str = "/login/second-factor?return_to=/account";

/// 30 rounds of (correct password + 5 wrong codes), as an attacker with the password
/// would: the second step's own throttle answers 429 within the first rounds (before
/// the fix, the correct password cleared the counter each round and nothing slowed).
async fn password_then_wrong_codes_repeated_is_throttled_and_counted(db: Db) {
    let Some(app) = TestApp::builder(db).with_smtp().spawn().await else { return };
    let email = "rounds@example.com";
    let row = customer(&app, email).await;
    let owner = Browser::new(&app);
    enrol(&app, &owner, email).await;

    let attacker = Browser::new(&app);
    let mut stopped_in = None;
    'rounds: for round in 1..=30 {
        let (status, body) = attacker.login(email, PASSWORD).await;
        if status == 429 {
            stopped_in = Some(round);
            break;
        }
        assert_eq!((status, body), (200, json!(SECOND_STEP)), "round {round}");
        for _ in 0..5 {
            let (status, body) = attacker.call("login_second_factor", &[("code", "000000")]).await;
            if status == 429 {
                stopped_in = Some(round);
                break 'rounds;
            }
            assert_eq!(status, 400, "round {round}: {body}");
        }
    }
    let round = stopped_in.expect("30 rounds of password + 5 wrong codes were never throttled");
    assert!(round <= 3, "throttled only in round {round}");
    assert_eq!(attacker.me().await, Value::Null, "nobody signed in");

    // The failures count on the second step's key, toward the lock-out, and on the IP.
    let mfa = app.identity.store().throttle_get(&mfa_key(&row.id)).await.unwrap().expect("second-step counter");
    assert!(mfa.failures >= 6, "{mfa:?}");
    let failed_logins = app.identity.store().customer_by_id(&row.id).await.unwrap().unwrap().failed_logins;
    assert!(failed_logins >= 6, "counted toward lock-out: {failed_logins}");
    let ip = app.identity.store().throttle_get(&ip_key([127, 0, 0, 1].into())).await.unwrap().expect("IP counter");
    assert!(ip.failures >= 6, "counted against the IP: {ip:?}");

    // A correct password clears none of it.
    assert_eq!(attacker.login(email, PASSWORD).await.0, 200);
    let after = app.identity.store().throttle_get(&mfa_key(&row.id)).await.unwrap().expect("still there");
    assert_eq!((after.failures, after.window_start), (mfa.failures, mfa.window_start), "the password reset nothing");
    assert_eq!(app.identity.store().customer_by_id(&row.id).await.unwrap().unwrap().failed_logins, failed_logins);
}

/// With time moving past every delay, "password + wrong code" repeated locks the
/// account at the threshold and mails the unlock link; the lock holds for the owner's
/// correct password too.
async fn second_step_failures_lock_the_account(db: Db) {
    let Some(app) = TestApp::builder(db).with_smtp().spawn().await else { return };
    let email = "lock2fa@example.com";
    let row = customer(&app, email).await;
    let owner = Browser::new(&app);
    enrol(&app, &owner, email).await;
    let clock = Arc::new(FixedClock::at(app.identity.now()));
    let id = app.identity_at(clock.clone());
    let threshold = id.settings().lockout_threshold;

    let mut attempts = 0;
    loop {
        attempts += 1;
        assert!(attempts <= threshold + 1, "not locked after {threshold} wrong codes");
        clock.advance(16 * 60_000); // past any block
        match id.login(&identity::principal::Principal::Anonymous, email, secret(PASSWORD), None, &meta(9)).await {
            Ok(LoginStep::SecondFactor { customer_id, first }) => {
                let wrong = id.complete_second_factor(&identity::principal::Principal::Anonymous, &customer_id, first, "000000", None, &meta(9)).await;
                assert!(matches!(wrong, Err(LoginError::SecondStep(identity::accounts::login::CodeRefusal::Wrong))), "{wrong:?}");
            }
            Err(LoginError::Failed) => break, // locked: the password is refused like a wrong one
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(attempts - 1, threshold, "every wrong code counted toward the lock-out");
    assert!(id.store().customer_by_id(&row.id).await.unwrap().unwrap().locked_at.is_some());
    // The unlock mail is queued (at the frozen clock's time, so the worker waits for it).
    let (queued,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM outbox WHERE payload LIKE $1")
        .bind(format!("%{LOCKED_SUBJECT}%"))
        .fetch_one(id.store().pool())
        .await
        .unwrap();
    assert_eq!(queued, 1, "the unlock mail");
    // Even the right code does not get past a locked account.
    let refused = id.complete_second_factor(&identity::principal::Principal::Anonymous, &row.id, FirstStep::Password, "000000", None, &meta(9)).await;
    assert!(matches!(refused, Err(LoginError::Failed)), "{refused:?}");
}

/// 50 wrong second-factor codes at once are 50 failures: the counter is one atomic
/// statement, not a read and a write. (A generous free budget keeps the early ones
/// from blocking the later ones, so all 50 reach the counter.)
async fn concurrent_wrong_codes_are_all_counted(db: Db) {
    let Some(app) = TestApp::builder(db).without_worker().spawn().await else { return };
    let row = customer(&app, "race@example.com").await;
    let me = identity::principal::Principal::customer(&row.id, "foyer:pwd");
    let setup = app.identity.start_totp(&me, &row.id).await.unwrap();
    let now = app.identity.now();
    app.identity.confirm_totp(&me, &row.id, &identity::accounts::mfa::code_at(&setup.secret_base32, now).unwrap()).await.unwrap();
    let settings = identity::Settings { free_failures: 1_000, lockout_threshold: 1_000, ..app.identity.settings().clone() };
    let id = app.identity.with_settings(settings);

    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let (id, customer) = (id.clone(), row.id.clone());
            tokio::spawn(async move { id.verify_second_factor(&identity::principal::Principal::customer(&customer, "foyer:pwd"), &customer, "000000").await })
        })
        .collect();
    for task in tasks {
        assert!(matches!(task.await.unwrap(), Err(identity::Error::TokenInvalid)));
    }
    let state = id.store().throttle_get(&mfa_key(&row.id)).await.unwrap().expect("counted");
    assert_eq!(state.failures, 50, "every concurrent failure is counted");
    let failed_logins = id.store().customer_by_id(&row.id).await.unwrap().unwrap().failed_logins;
    assert_eq!(failed_logins, 50, "and every one toward the lock-out");

    // The same through the store alone: 50 parallel failures of one key.
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let store = id.store().clone();
            tokio::spawn(async move { store.throttle_fail("ip:198.51.100.7", now, 5).await.unwrap() })
        })
        .collect();
    let mut seen: Vec<i64> = Vec::new();
    for task in tasks {
        seen.push(task.await.unwrap().failures);
    }
    seen.sort_unstable();
    assert_eq!(seen, (1..=50).collect::<Vec<i64>>(), "each failure saw its own count");

    // On this backend too, the statement follows the documented rule step by step.
    let mut expected = None;
    let mut at = now;
    for step in 0..40_i64 {
        at += if step % 13 == 12 { throttle::WINDOW_MS + 1 } else { 700 };
        expected = Some(throttle::after_failure(expected, at, 3));
        assert_eq!(Some(id.store().throttle_fail("acct:rule", at, 3).await.unwrap()), expected, "step {step}");
    }
}

/// A sign-in completed by a remembered device proved the password only: it may not
/// turn two-step verification off until the second factor is given again.
async fn a_remembered_device_cannot_remove_the_second_factor(db: Db) {
    let Some(app) = TestApp::builder(db).with_smtp().spawn().await else { return };
    let email = "strength@example.com";
    customer(&app, email).await;
    let b = Browser::new(&app);
    let (secret_b32, recovery) = enrol(&app, &b, email).await;
    b.call("logout", &[]).await;
    assert_eq!(b.login(email, PASSWORD).await.1, json!(SECOND_STEP));
    let code = next_code(&app, &secret_b32, 1);
    assert_eq!(b.call("login_second_factor", &[("code", code.as_str()), ("remember", "on")]).await.0, 200);
    b.call("logout", &[]).await;

    // The remembered device: password only, a fresh sign-in, level foyer:pwd.
    assert_eq!(b.login(email, PASSWORD).await, (200, json!("/account")));
    assert_eq!(b.me().await["acr"], "foyer:pwd");
    for action in ["disable_totp", "regenerate_recovery_codes", "passkey_add_options"] {
        assert_eq!(b.call(action, &[]).await, (403, json!("ReauthRequired")), "{action}");
    }
    assert_eq!(b.call("change_email", &[("new_email", "new@example.com")]).await, (403, json!("ReauthRequired")));
    // The password again is not enough either; with the second factor it is.
    assert_eq!(b.call("reauthenticate", &[("password", PASSWORD)]).await, (403, json!("SecondFactorRequired")));
    assert_eq!(b.call("disable_totp", &[]).await.0, 403);
    // (The app's codes of this minute are spent: a recovery code is the second factor.)
    assert_eq!(b.call("reauthenticate", &[("password", PASSWORD), ("code", recovery[0].as_str())]).await.0, 200);
    assert_eq!(b.me().await["acr"], "foyer:mfa", "the step-up lifted the level");
    let (status, body) = b.call("disable_totp", &[]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(b.call("mfa_status", &[]).await.1["totp"], false);
}

/// 25 KB names (as large as the 64 KiB body limit lets through; larger bodies get 413
/// before they are read): a clear 400 naming the fields, answered from the length checks
/// (the password policy and the hashing never run: no account, nothing counted).
async fn huge_registration_fields_are_refused_before_any_work(db: Db) {
    let Some(app) = TestApp::builder(db).without_worker().spawn().await else { return };
    let huge = "Annabelle".repeat(25_000 / 9);
    let b = Browser::new(&app);
    let (status, body) = b
        .call("register", &[
            ("email", "huge@example.com"),
            ("password", PASSWORD),
            ("given_name", huge.as_str()),
            ("family_name", huge.as_str()),
            ("accept_terms", "on"),
        ])
        .await;
    assert_eq!(status, 400, "{body}");
    let fields: Vec<&str> = body["Fields"].as_array().expect("a Fields error").iter().filter_map(|f| f["field"].as_str()).collect();
    assert!(fields.contains(&"Given name") && fields.contains(&"Family name"), "{body}");
    assert!(body.to_string().contains("100"), "says the limit: {body}");
    assert!(app.identity.store().customer_by_email("huge@example.com").await.unwrap().is_none());
    // A huge email is refused by its length too.
    let long_email = format!("{}@example.com", "a".repeat(60_000));
    let (status, body) =
        b.call("register", &[("email", long_email.as_str()), ("password", PASSWORD), ("given_name", "Ann"), ("accept_terms", "on")]).await;
    assert_eq!(status, 400, "{body}");
}

/// Every request that answers "the same for every address" also writes the same:
/// the store's write count moves alike for a known and an unknown address.
async fn known_and_unknown_addresses_write_alike(db: Db) {
    let Some(app) = TestApp::builder(db).without_worker().spawn().await else { return };
    let known = "known@example.com";
    customer(&app, known).await;
    let id = &app.identity;
    let unknown = "unknown@example.com";
    let writes = |before: u64| id.store().writes() - before;

    let mut counts = Vec::new();
    for (n, email) in [(20, known), (30, unknown)] {
        let m = meta(n);
        let before = id.store().writes();
        id.request_password_reset(&identity::principal::Principal::Anonymous, email, &m).await.unwrap();
        let reset = writes(before);
        let before = id.store().writes();
        id.send_sign_in_code(&identity::principal::Principal::Anonymous, email, &m).await.unwrap();
        let code = writes(before);
        let before = id.store().writes();
        assert!(matches!(id.login(&identity::principal::Principal::Anonymous, email, secret(WRONG), None, &m).await, Err(LoginError::Failed)));
        let login = writes(before);
        let before = id.store().writes();
        assert!(matches!(id.login_with_code(&identity::principal::Principal::Anonymous, email, "000000", None, &m).await, Err(LoginError::CodeFailed)));
        let login_code = writes(before);
        counts.push((email, reset, code, login, login_code));
    }
    let (_, k_reset, k_code, k_login, k_login_code) = counts[0];
    let (_, u_reset, u_code, u_login, u_login_code) = counts[1];
    assert!(k_reset > 0 && k_code > 0 && k_login > 0 && k_login_code > 0, "{counts:?}");
    assert_eq!((k_reset, k_code, k_login, k_login_code), (u_reset, u_code, u_login, u_login_code), "{counts:?}");

    // The request issued nothing for the known address: the worker does, later.
    let (tokens,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM account_tokens WHERE purpose IN ('reset_password', 'sign_in_code')")
        .fetch_one(id.store().pool())
        .await
        .unwrap();
    assert_eq!(tokens, 0);
}
