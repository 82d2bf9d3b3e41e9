//! Store guarantees that hold on both backends.

use identity::audit::{self, Actor, AuditEvent};

use crate::support::{Db, TestApp, both_backends};

both_backends!(migrations_are_idempotent, audit_log_is_append_only, duplicate_brand_slugs_conflict, maintenance_sweeps_only_what_expired);

async fn migrations_are_idempotent(db: Db) {
    let Some(app) = TestApp::builder(db).without_worker().spawn().await else { return };
    app.identity.store().migrate().await.unwrap();
    app.identity.store().migrate().await.unwrap();
}

async fn audit_log_is_append_only(db: Db) {
    let Some(app) = TestApp::builder(db).without_worker().spawn().await else { return };
    let store = app.identity.store();
    let mut tx = store.begin().await.unwrap();
    audit::record(&mut tx, &AuditEvent {
        at: 1,
        actor: Actor::Cli,
        subject: Some("customer:c1".into()),
        action: "test.event",
        reason: Some("because"),
        detail: serde_json::json!({ "k": 1 }),
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();
    // Raw writes on purpose: the point is that the database itself refuses them.
    let update = sqlx::query("UPDATE audit_log SET reason = 'rewritten'").execute(store.pool()).await;
    assert!(update.unwrap_err().to_string().contains("append-only"));
    let delete = sqlx::query("DELETE FROM audit_log").execute(store.pool()).await;
    assert!(delete.unwrap_err().to_string().contains("append-only"));
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM audit_log WHERE reason = 'because'").fetch_one(store.pool()).await.unwrap();
    assert_eq!(n, 1);
}

async fn duplicate_brand_slugs_conflict(db: Db) {
    let Some(app) = TestApp::builder(db).without_worker().spawn().await else { return };
    let slug = identity::brand::BrandSlug::parse("northwind-air").unwrap();
    app.identity.create_brand(&identity::principal::Principal::Operator, &slug, "Northwind Air").await.unwrap();
    let err = app.identity.create_brand(&identity::principal::Principal::Operator, &slug, "Again").await.unwrap_err();
    assert!(matches!(err, identity::Error::Conflict(_)), "{err:?}");
    assert_eq!(app.identity.store().list_brands().await.unwrap().len(), 1, "nothing half-written");
    let (audits,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM audit_log WHERE action = 'brand.created'")
        .fetch_one(app.identity.store().pool())
        .await
        .unwrap();
    assert_eq!(audits, 1, "the failed create left no audit row");
}

async fn maintenance_sweeps_only_what_expired(db: Db) {
    let Some(app) = TestApp::builder(db).without_worker().spawn().await else { return };
    let store = app.identity.store();
    // Real time: the node's own sweep (first run a minute after start) would agree.
    let now = app.identity.now();
    store.session_create("expired", "{}", now - 1, Default::default(), now - 100).await.unwrap();
    store.session_create("live", "{}", now + 3_600_000, Default::default(), now - 100).await.unwrap();
    store.throttle_fail("ip:192.0.2.1", now - 20 * 60_000, 5).await.unwrap();
    store.throttle_fail("ip:192.0.2.2", now - 60_000, 5).await.unwrap();
    let mut ids = Vec::new();
    for _ in 0..3 {
        let mut tx = store.begin().await.unwrap();
        let event = identity::outbox::OutboxEvent::CustomerUpdated { customer_id: "c".into(), fields: vec![] };
        ids.push(identity::outbox::enqueue(&mut tx, &event, now - 100).await.unwrap());
        tx.commit().await.unwrap();
    }
    store.outbox_delivered(ids[0], now - 2 * 86_400_000).await.unwrap();
    store.outbox_delivered(ids[1], now - 60_000).await.unwrap();
    store.mailbox_put(now - 8 * 86_400_000, "old@example.com", "old", "t", "h").await.unwrap();
    store.mailbox_put(now - 60_000, "new@example.com", "new", "t", "h").await.unwrap();
    server::maintenance::sweep(&app.identity).await.unwrap();
    assert!(store.outbox_status(ids[0]).await.unwrap().is_none(), "a row delivered two days ago is gone");
    assert!(store.outbox_status(ids[1]).await.unwrap().is_some(), "a row delivered a minute ago stays");
    assert!(store.outbox_status(ids[2]).await.unwrap().is_some(), "an undelivered row stays");
    let subjects: Vec<String> = store.mailbox_recent(10).await.unwrap().into_iter().map(|m| m.subject).collect();
    assert_eq!(subjects, ["new"], "week-old development mail is gone");
    let (sessions,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM sessions WHERE id_hash = 'expired'").fetch_one(store.pool()).await.unwrap();
    assert_eq!(sessions, 0, "the expired session is gone");
    assert!(store.session_load("live", now).await.unwrap().is_some(), "the live session stays");
    assert!(store.throttle_get("ip:192.0.2.1").await.unwrap().is_none(), "the stale counter is gone");
    assert!(store.throttle_get("ip:192.0.2.2").await.unwrap().is_some(), "the fresh counter stays");
}
