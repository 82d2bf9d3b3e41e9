//! `users import`: 10,000 customers, idempotent re-runs, bad lines by number, legacy
//! hashes that still verify after import.

use std::io::Write as _;
use std::time::Instant;

use identity::import::parse_lines;
use secrecy::SecretString;

use crate::support::{Db, TestApp, both_backends};

both_backends!(ten_thousand_customers_import_idempotently, bad_lines_are_reported_and_good_ones_kept, imported_legacy_hashes_verify);

async fn ten_thousand_customers_import_idempotently(db: Db) {
    let Some(app) = TestApp::builder(db).without_worker().spawn().await else { return };
    let mut file = Vec::new();
    for i in 0..10_000 {
        writeln!(file, r#"{{"email":"customer{i}@example.com","given_name":"Given{i}","family_name":"Family","email_verified":{}}}"#, i % 2 == 0).unwrap();
    }
    let (records, errors) = parse_lines(file.as_slice());
    assert!(errors.is_empty());
    let started = Instant::now();
    let report = app.identity.import_customers(&identity::principal::Principal::Operator, &records).await.unwrap();
    // A figure for the reader, never a pass/fail threshold.
    println!("imported 10,000 customers on {db:?} in {:?}", started.elapsed());
    assert_eq!((report.imported, report.already_present), (10_000, 0));
    assert_eq!(app.identity.store().count_customers().await.unwrap(), 10_000);

    let again = app.identity.import_customers(&identity::principal::Principal::Operator, &records).await.unwrap();
    assert_eq!((again.imported, again.already_present), (0, 10_000), "re-running is safe");
    assert_eq!(app.identity.store().count_customers().await.unwrap(), 10_000);

    let c = app.identity.store().customer_by_email("customer42@example.com").await.unwrap().unwrap();
    assert_eq!((c.given_name.as_deref(), c.family_name.as_deref(), c.email_verified), (Some("Given42"), Some("Family"), true));
    let (audited,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM audit_log WHERE action = 'customer.imported'")
        .fetch_one(app.identity.store().pool())
        .await
        .unwrap();
    assert_eq!(audited, 10_000, "one audit event per created account");
}

async fn bad_lines_are_reported_and_good_ones_kept(db: Db) {
    let Some(app) = TestApp::builder(db).without_worker().spawn().await else { return };
    // An account that exists already counts as present, not as an error.
    app.identity
        .import_customers(&identity::principal::Principal::Operator, &parse_lines(&br#"{"email":"kept@example.com","given_name":"Original"}"#[..]).0)
        .await
        .unwrap();
    let input = concat!(
        "{\"email\":\"new@example.com\"}\n",
        "{\"email\":\"broken\"\n",
        "{\"email\":\"KEPT@example.com\",\"given_name\":\"Changed\"}\n",
        "{\"email\":\"x@example.com\",\"password_hash\":\"plain-text-password\"}\n",
    );
    let (records, errors) = parse_lines(input.as_bytes());
    assert_eq!(errors.iter().map(|e| e.line).collect::<Vec<_>>(), vec![2, 4]);
    let report = app.identity.import_customers(&identity::principal::Principal::Operator, &records).await.unwrap();
    assert_eq!((report.imported, report.already_present), (1, 1));
    let kept = app.identity.store().customer_by_email("kept@example.com").await.unwrap().unwrap();
    assert_eq!(kept.given_name.as_deref(), Some("Original"), "existing accounts are never overwritten");
    assert!(app.identity.store().customer_by_email("x@example.com").await.unwrap().is_none());
}

async fn imported_legacy_hashes_verify(db: Db) {
    let Some(app) = TestApp::builder(db).without_worker().spawn().await else { return };
    let bcrypt_hash = bcrypt::hash("legacy password 1", 4).unwrap();
    let line = format!(r#"{{"email":"legacy@example.com","password_hash":"{bcrypt_hash}","verified":true}}"#);
    let (records, errors) = parse_lines(line.as_bytes());
    assert!(errors.is_empty(), "{errors:?}");
    app.identity.import_customers(&identity::principal::Principal::Operator, &records).await.unwrap();
    let stored = app.identity.store().customer_by_email("legacy@example.com").await.unwrap().unwrap();
    assert!(stored.email_verified);
    let verified = app
        .identity
        .hasher()
        .verify(SecretString::from("legacy password 1".to_owned()), stored.password_hash.unwrap())
        .await
        .unwrap();
    assert!(verified.matches && verified.needs_rehash);
}
