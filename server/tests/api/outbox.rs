//! The outbox: transactional enqueue, SMTP delivery to a real (local) server, retry with
//! backoff, permanent failures, and claims that never hand one row to two workers.

use std::sync::Arc;
use std::time::Duration;

use identity::email::{EmailMessage, Template};
use identity::outbox::{OutboxEvent, enqueue};
use identity::{Clock as _, FixedClock};
use server::mail::Mailer;
use server::outbox_worker::OutboxWorker;

use crate::support::{Db, TestApp, both_backends};

both_backends!(
    staff_welcome_mail_arrives_over_smtp,
    rolled_back_changes_send_nothing,
    transient_failures_are_retried_with_backoff,
    permanent_failures_are_given_up,
    concurrent_claims_never_share_a_row,
    without_smtp_mail_lands_in_the_dev_mailbox,
);

fn message(to: &str, subject: &str) -> OutboxEvent {
    OutboxEvent::Email(EmailMessage { to: to.into(), subject: subject.into(), text: "text body".into(), html: "<p>html body</p>".into() })
}

async fn queue(app: &TestApp, event: &OutboxEvent, now: i64) -> i64 {
    let mut tx = app.identity.store().begin().await.unwrap();
    let id = enqueue(&mut tx, event, now).await.unwrap();
    tx.commit().await.unwrap();
    id
}

fn worker_at(app: &TestApp, clock: Arc<FixedClock>) -> OutboxWorker {
    let identity = app.identity_at(clock);
    let mailer = match &app.smtp {
        Some(_) => {
            let url = app.smtp().url();
            let mut raw = crate::support::test_config(&app.db);
            raw.smtp_url = Some(url.into());
            Mailer::from_config(&server::config::Config::check(raw).unwrap(), identity.store()).unwrap()
        }
        None => Mailer::DevMailbox(identity.store().clone()),
    };
    let backchannel = server::oidc::backchannel::Backchannel::new(identity.clone());
    OutboxWorker { identity, mailer, deliveries: Default::default(), backchannel }
}

async fn staff_welcome_mail_arrives_over_smtp(db: Db) {
    let Some(app) = TestApp::builder(db).with_smtp().spawn().await else { return };
    let email = identity::domain::Email::parse("agent@example.com").unwrap();
    let created = app
        .identity
        .create_staff(&identity::principal::Principal::Operator, &email, identity::staff::StaffRole::Support, &app.public_url)
        .await
        .unwrap();
    let mail = app.smtp().wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(mail[0].to, vec!["agent@example.com".to_owned()]);
    assert_eq!(mail[0].from, "no-reply@localhost");
    assert_eq!(mail[0].subject, "Your staff account for Customer ID");
    assert!(mail[0].text.contains(&format!("Sign in to Customer ID: {}/admin", app.public_url)), "{}", mail[0].text);
    assert!(mail[0].html.contains("<a href="), "HTML part present");
    use secrecy::ExposeSecret as _;
    let token = created.enrolment_link.expose_secret().rsplit('=').next().unwrap().to_owned();
    assert!(!mail[0].raw.contains(&token), "the enrolment link is never mailed");
    // Delivered rows leave the backlog.
    for _ in 0..50 {
        if app.identity.store().outbox_backlog().await.unwrap() == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("backlog did not drain");
}

async fn rolled_back_changes_send_nothing(db: Db) {
    let Some(app) = TestApp::builder(db).with_smtp().without_worker().spawn().await else { return };
    let mut tx = app.identity.store().begin().await.unwrap();
    enqueue(&mut tx, &message("a@example.com", "never"), 1).await.unwrap();
    tx.rollback().await.unwrap();
    assert_eq!(app.identity.store().outbox_backlog().await.unwrap(), 0);
    let clock = Arc::new(FixedClock::at(10_000));
    assert_eq!(worker_at(&app, clock).run_once().await.unwrap(), 0);
    assert!(app.smtp().received().is_empty());
}

async fn transient_failures_are_retried_with_backoff(db: Db) {
    let Some(app) = TestApp::builder(db).with_smtp().without_worker().spawn().await else { return };
    let clock = Arc::new(FixedClock::at(1_000_000));
    let worker = worker_at(&app, clock.clone());
    let id = queue(&app, &message("retry@example.com", "Retry me"), clock.now()).await;
    app.smtp().fail_next(1);

    assert_eq!(worker.run_once().await.unwrap(), 1);
    let status = app.identity.store().outbox_status(id).await.unwrap().unwrap();
    assert_eq!(status.attempts, 1);
    assert_eq!(status.delivered_at, None);
    assert_eq!(status.next_attempt_at, 1_005_000, "first retry after 5 s");
    assert!(status.last_error.as_deref().unwrap().contains("451"), "{status:?}");
    assert!(!status.last_error.unwrap().contains("retry@example.com"), "no addresses in errors");

    assert_eq!(worker.run_once().await.unwrap(), 0, "not due yet");
    clock.advance(5_000);
    assert_eq!(worker.run_once().await.unwrap(), 1);
    let status = app.identity.store().outbox_status(id).await.unwrap().unwrap();
    assert_eq!((status.attempts, status.delivered_at), (2, Some(1_005_000)));
    let mail = app.smtp().wait_for(1, Duration::from_secs(5)).await;
    assert_eq!(mail[0].subject, "Retry me");
    assert_eq!(worker.run_once().await.unwrap(), 0, "delivered rows are not sent again");
}

async fn permanent_failures_are_given_up(db: Db) {
    let Some(app) = TestApp::builder(db).with_smtp().without_worker().spawn().await else { return };
    let clock = Arc::new(FixedClock::at(2_000_000));
    let id = queue(&app, &message("not an address", "Bad"), clock.now()).await;
    let junk = {
        let mut tx = app.identity.store().begin().await.unwrap();
        let id = identity::store::outbox::insert(&mut tx, "email", "{not json", clock.now()).await.unwrap();
        tx.commit().await.unwrap();
        id
    };
    assert_eq!(worker_at(&app, clock.clone()).run_once().await.unwrap(), 2);
    for row in [id, junk] {
        let status = app.identity.store().outbox_status(row).await.unwrap().unwrap();
        assert_eq!(status.failed_at, Some(2_000_000), "{status:?}");
        assert!(status.last_error.unwrap().starts_with("permanent:"));
    }
    assert_eq!(app.identity.store().outbox_backlog().await.unwrap(), 0);
}

async fn concurrent_claims_never_share_a_row(db: Db) {
    let Some(app) = TestApp::builder(db).without_worker().spawn().await else { return };
    let now = 5_000_000;
    let mut tx = app.identity.store().begin().await.unwrap();
    for i in 0..60 {
        enqueue(&mut tx, &message("x@example.com", &format!("m{i}")), now).await.unwrap();
    }
    tx.commit().await.unwrap();
    let store = app.identity.store().clone();
    let claim = |s: identity::Store| async move {
        let mut ids = Vec::new();
        loop {
            let rows = s.outbox_claim(now, 60_000, 7).await.unwrap();
            if rows.is_empty() {
                return ids;
            }
            ids.extend(rows.into_iter().map(|r| r.id));
        }
    };
    let (a, b, c) = tokio::join!(
        tokio::spawn(claim(store.clone())),
        tokio::spawn(claim(store.clone())),
        tokio::spawn(claim(store.clone()))
    );
    let mut all: Vec<i64> = [a.unwrap(), b.unwrap(), c.unwrap()].concat();
    let claimed = all.len();
    all.sort_unstable();
    all.dedup();
    assert_eq!((claimed, all.len()), (60, 60), "every row claimed exactly once");
    // While leased, nobody else sees them; after the lease they come back.
    assert!(store.outbox_claim(now + 59_999, 60_000, 100).await.unwrap().is_empty());
    assert_eq!(store.outbox_claim(now + 60_000, 60_000, 100).await.unwrap().len(), 60);
}

async fn without_smtp_mail_lands_in_the_dev_mailbox(db: Db) {
    let Some(app) = TestApp::builder(db).dev().spawn().await else { return };
    let voice = identity::email::Voice {
        locale: identity::i18n::Locale::En,
        product: "Northwind ID",
        public_url: &app.public_url,
        brand: None,
        zone: identity::i18n::TimeZone::utc(),
    };
    let mail = Template::Test { public_url: &app.public_url }.render("dev@example.com", &voice);
    queue(&app, &OutboxEvent::Email(mail), app.identity.now()).await;
    for _ in 0..100 {
        let (_, html) = app.get_text("/dev/mail").await;
        if html.contains("Northwind ID test message") {
            assert!(html.contains("dev@example.com"));
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the background worker did not deliver to the dev mailbox");
}
