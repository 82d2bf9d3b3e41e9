//! Managed household members (`docs/design/household.md`, issue 14 item 2): creating
//! one, that nothing signs it in, guardians approving a minor's pending grants (and
//! nobody else), the coming-of-age notice, the hand-over claim with its proven address
//! and its code budget, every guardian right ending at the hand-over, the last guardian,
//! and removal through the erasure. Scenarios go through the core the pages call, on
//! both engines, with the server's steerable clock.

use std::time::Duration;

use identity::accounts::RequestMeta;
use identity::consent::catalogue::{NewPurpose, NewVersion};
use identity::consent::ledger::{Choice, Evidence};
use identity::consent::{Collection, Decision};
use identity::domain::ParseError;
use identity::households::handover::MAX_CLAIM_ATTEMPTS;
use identity::i18n::Locale;
use identity::principal::Principal;
use identity::{Error, Refusal};
use secrecy::SecretString;

use crate::accounts::{Browser, LOGIN_FAILED, PASSWORD};
use crate::support::seed::seed_meta;
use crate::support::{Db, TestApp, both_backends};

both_backends!(
    creating_a_managed_member,
    managed_member_cannot_sign_in,
    guardian_approves_a_pending_consent,
    coming_of_age_notice_once_30_days_ahead,
    claim_needs_the_address_proven,
    wrong_code_five_times_spends_the_claim,
    guardian_loses_every_right_at_handover,
    last_guardian_cannot_be_removed,
    removing_a_managed_member_erases_it,
    the_claim_page_works_before_the_wasm,
    the_household_page_shows_the_managed_section,
);

const DAY: u64 = 86_400;
const DAY_MS: i64 = 86_400_000;
const MEMBER_PASSWORD: &str = "lantern orbit pebble sunrise 93";

fn me(id: &str) -> Principal {
    Principal::customer(id, "foyer:pwd")
}

fn meta() -> RequestMeta {
    seed_meta(7)
}

/// The UTC date `days` from the app's now, as `YYYY-MM-DD`.
fn date_in(app: &TestApp, days: i64) -> String {
    identity::clock::format_millis(app.identity.now() + days * DAY_MS).chars().take(10).collect()
}

/// The birth date of someone who turns `age` in `days` days.
fn born_turning(app: &TestApp, age: i32, days: i64) -> String {
    let day = date_in(app, days);
    let year: i32 = day[..4].parse().unwrap();
    format!("{:04}{}", year - age, &day[4..])
}

/// A household "The Kings" owned by Olga (confirmed), on a steerable clock; mail goes
/// to the development mailbox when the test reads it.
async fn home(db: Db) -> Option<(TestApp, String, String)> {
    let app = TestApp::builder(db).with_clock().without_worker().spawn().await?;
    let olga = app.with_customer("olga@example.com", PASSWORD).await;
    let household = app.identity.create_household(&me(&olga), &olga, "The Kings").await.unwrap();
    Some((app, olga, household))
}

/// Invites `email` (a fresh confirmed customer) into the household; returns their id.
async fn with_adult(app: &TestApp, owner: &str, household: &str, email: &str) -> String {
    let id = app.with_customer(email, PASSWORD).await;
    app.identity.invite_to_household(&me(owner), owner, household, email, &meta()).await.unwrap();
    let text = newest_mail(app, email, "invites you").await.expect("the invitation mail");
    let token = after(&text, "join?token=");
    app.identity.accept_household_invitation(&me(&id), &id, &token).await.unwrap();
    id
}

/// The text of the newest mail to `to` whose subject contains `subject`.
async fn newest_mail(app: &TestApp, to: &str, subject: &str) -> Option<String> {
    app.deliver_outbox().await;
    let rows = app.identity.store().mailbox_recent(500).await.unwrap();
    rows.into_iter().find(|m| m.to_addr == to && m.subject.contains(subject)).map(|m| m.text_body)
}

async fn mails_to(app: &TestApp, to: &str) -> usize {
    app.deliver_outbox().await;
    app.identity.store().mailbox_recent(500).await.unwrap().iter().filter(|m| m.to_addr == to).count()
}

fn after(text: &str, marker: &str) -> String {
    let start = text.find(marker).unwrap_or_else(|| panic!("no {marker:?} in:\n{text}")) + marker.len();
    text[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect()
}

/// The six digits that follow the colon in the code mail's body.
fn code_in(text: &str) -> String {
    let at = text.find("account: ").unwrap_or_else(|| panic!("no code in:\n{text}")) + "account: ".len();
    text[at..].chars().take(6).collect()
}

async fn count(app: &TestApp, sql: &str, bind: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sql).bind(bind).fetch_one(app.identity.store().pool()).await.unwrap();
    n
}

/// Mia, 10 years old, Olga's managed member.
async fn with_child(app: &TestApp, guardian: &str, household: &str) -> String {
    let born = born_turning(app, 10, -100);
    app.identity.create_managed_member(&me(guardian), guardian, household, "Mia", Some("King"), &born).await.unwrap()
}

async fn creating_a_managed_member(db: Db) {
    let Some((app, olga, household)) = home(db).await else { return };
    let born = born_turning(&app, 10, -100);
    let bad = app.identity.create_managed_member(&me(&olga), &olga, &household, "  ", None, "2999-01-01").await;
    let Err(Error::Fields(fields)) = bad else { panic!("{bad:?}") };
    assert_eq!(fields.len(), 2, "the name and the date, each with its message: {fields:?}");
    let stranger = app.with_customer("sam@example.com", PASSWORD).await;
    let refused = app.identity.create_managed_member(&me(&stranger), &stranger, &household, "Mia", None, &born).await;
    assert!(matches!(refused, Err(Error::NotFound(_))), "not a member: {refused:?}");
    let forged = app.identity.create_managed_member(&me(&stranger), &olga, &household, "Mia", None, &born).await;
    assert!(matches!(forged, Err(Error::Forbidden)), "for another customer: {forged:?}");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM customers WHERE managed = 1 AND id <> $1", "").await, 0, "nothing half-written");

    let mia = app.identity.create_managed_member(&me(&olga), &olga, &household, " Mia ", Some("King"), &born).await.unwrap();
    let row = app.identity.store().customer_by_id(&mia).await.unwrap().unwrap();
    assert!(row.managed && !row.email_verified && row.password_hash.is_none());
    assert_eq!((row.email.clone(), row.email_normalized.clone()), (format!("managed:{mia}"), format!("managed:{mia}")));
    assert_eq!((row.given_name.as_deref(), row.family_name.as_deref(), row.birth_date.as_deref()), (Some("Mia"), Some("King"), Some(born.as_str())));
    let views = app.identity.households(&me(&olga), &olga).await.unwrap();
    let member = views[0].members.iter().find(|m| m.customer_id == mia).unwrap();
    assert_eq!((member.role, member.guardians.clone()), (identity::households::Role::Managed, vec![olga.clone()]));
    let listed = app.identity.managed_members(&me(&olga), &olga, &household, Locale::En).await.unwrap();
    assert_eq!((listed.len(), listed[0].name.as_str(), listed[0].mine, listed[0].claim_open), (1, "Mia King", true, false));
    assert_eq!(count(&app, "SELECT COUNT(*) FROM outbox WHERE kind = 'household.member_added' AND payload LIKE '%' || $1 || '%'", &mia).await, 1);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM audit_log WHERE action = 'household.managed_created' AND subject = $1", &format!("customer:{mia}")).await, 1);
    assert!(app.identity.guardian_principal(&olga, &mia).await.unwrap().is_some(), "the creator is its guardian");
}

async fn managed_member_cannot_sign_in(db: Db) {
    let Some((app, olga, household)) = home(db).await else { return };
    let mia = with_child(&app, &olga, &household).await;
    let address = format!("managed:{mia}");
    let browser = Browser::new(&app);
    let (status, body) = browser.login(&address, PASSWORD).await;
    assert!(status != 200 && body.to_string().contains(LOGIN_FAILED), "the answer of an unknown address: {status} {body}");
    for typed in [address.clone(), address.to_uppercase(), format!(" {address} ")] {
        let step = app.identity.login(&Principal::Anonymous, &typed, SecretString::from(PASSWORD.to_owned()), None, &meta()).await;
        assert!(step.is_err(), "no password sign-in");
        let by_code = app.identity.login_with_code(&Principal::Anonymous, &typed, "123456", None, &meta()).await;
        assert!(by_code.is_err(), "no code sign-in");
        let _ = app.identity.send_sign_in_code(&Principal::Anonymous, &typed, &meta()).await;
        let _ = app.identity.request_password_reset(&Principal::Anonymous, &typed, &meta()).await;
    }
    assert_eq!(mails_to(&app, &address).await, 0, "nothing reaches a managed member");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM account_tokens WHERE customer_id = $1", &mia).await, 0, "no code or link was issued");
    let row = app.identity.store().customer_by_id(&mia).await.unwrap().unwrap();
    assert_eq!((row.failed_logins, row.locked_at), (0, None), "no failure counted: nobody can lock it before the hand-over");
}

fn purpose(key: &str) -> NewPurpose {
    NewPurpose {
        brand: None,
        key: key.to_owned(),
        titles: vec![("en".into(), format!("Title of {key}")), ("de".into(), format!("Titel von {key}"))],
        descriptions: vec![("en".into(), format!("What {key} is for.")), ("de".into(), format!("Wofür {key} ist."))],
        legal_basis: "consent".into(),
        required: false,
        data_categories: vec!["contact".into()],
        retention: None,
        channels: vec![],
    }
}

async fn published(app: &TestApp, key: &str) -> String {
    let p = app.identity.create_purpose(&Principal::Operator, &purpose(key)).await.unwrap();
    let v = NewVersion { brand: None, key: key.to_owned(), body: Some(format!("The text of {key}.")), material: false, ..NewVersion::default() };
    app.identity.publish_purpose_version(&Principal::Operator, &v).await.unwrap();
    p.id
}

fn evidence() -> Evidence {
    Evidence { collection: Collection::Portal, request_id: None, user_agent: None, language: Locale::En, ticket: None }
}

async fn guardian_approves_a_pending_consent(db: Db) {
    let Some((app, olga, household)) = home(db).await else { return };
    let mia = with_child(&app, &olga, &household).await;
    let ben = with_adult(&app, &olga, &household, "ben@example.com").await;
    let news = published(&app, "news").await;
    let guardian = app.identity.guardian_principal(&olga, &mia).await.unwrap().unwrap();
    let choice = Choice { purpose_id: news.clone(), channel: None, decision: Decision::Granted };
    let recorded = app.identity.decide_purposes(&guardian, &mia, &[choice], &evidence()).await.unwrap();
    assert_eq!(recorded[0].decision, Decision::Pending, "a 10-year-old's yes waits for a guardian");
    let listed = app.identity.managed_members(&me(&olga), &olga, &household, Locale::En).await.unwrap();
    assert_eq!(listed[0].pending.iter().map(|p| p.purpose_key.as_str()).collect::<Vec<_>>(), ["news"]);

    // Nobody but a live guardian approves: not another adult, not the customer
    // principal, not a guardian principal someone forged or kept.
    assert!(app.identity.guardian_principal(&ben, &mia).await.unwrap().is_none());
    let ben_sees = app.identity.managed_members(&me(&ben), &ben, &household, Locale::En).await.unwrap();
    assert!(ben_sees[0].pending.is_empty() && !ben_sees[0].mine, "a non-guardian sees no consents");
    for principal in [
        me(&ben),
        me(&olga),
        Principal::Delegate { actor: ben.clone(), subject: mia.clone(), grant: "guardian:made-up".into(), permissions: identity::households::Permission::GUARDIAN.to_vec() },
        Principal::Delegate { actor: ben.clone(), subject: mia.clone(), grant: guardian_grant(&guardian), permissions: identity::households::Permission::GUARDIAN.to_vec() },
    ] {
        let refused = app.identity.approve_pending_consent(&principal, &mia, &news, &meta()).await;
        assert!(matches!(refused, Err(Error::Forbidden)), "{principal:?}: {refused:?}");
    }
    assert_eq!(count(&app, "SELECT COUNT(*) FROM consent_ledger WHERE customer_id = $1 AND decision = 'granted'", &mia).await, 0);

    let approved = app.identity.approve_pending_consent(&guardian, &mia, &news, &meta()).await.unwrap();
    assert_eq!(approved.iter().map(|r| r.decision).collect::<Vec<_>>(), [Decision::Granted]);
    let (collection, actor): (String, String) =
        sqlx::query_as("SELECT collection, actor FROM consent_ledger WHERE customer_id = $1 AND decision = 'granted'").bind(&mia).fetch_one(app.identity.store().pool()).await.unwrap();
    assert_eq!((collection.as_str(), actor), ("guardian", format!("customer:{olga}")), "collected by the guardian, who is named");
    let again = app.identity.approve_pending_consent(&guardian, &mia, &news, &meta()).await;
    assert!(matches!(again, Err(Error::NotFound(_))), "nothing pending any more: {again:?}");
    assert!(app.identity.managed_members(&me(&olga), &olga, &household, Locale::En).await.unwrap()[0].pending.is_empty());
}

fn guardian_grant(p: &Principal) -> String {
    let Principal::Delegate { grant, .. } = p else { panic!("a delegate: {p:?}") };
    grant.clone()
}

async fn coming_of_age_notice_once_30_days_ahead(db: Db) {
    let Some((app, olga, household)) = home(db).await else { return };
    let ben = with_adult(&app, &olga, &household, "ben@example.com").await;
    let born = born_turning(&app, 16, 40);
    let mia = app.identity.create_managed_member(&me(&olga), &olga, &household, "Mia", None, &born).await.unwrap();
    app.identity.add_guardian(&me(&olga), &olga, &household, &mia, &ben).await.unwrap();
    assert_eq!(app.identity.sweep_majority_notices(&Principal::System).await.unwrap(), 0, "40 days ahead: not yet");
    assert!(matches!(app.identity.sweep_majority_notices(&me(&olga)).await, Err(Error::Forbidden)), "the platform's step only");
    app.advance(Duration::from_secs(9 * DAY));
    assert_eq!(app.identity.sweep_majority_notices(&Principal::System).await.unwrap(), 0, "31 days ahead: not yet");
    let early = app.identity.issue_claim(&me(&olga), &olga, &household, &mia).await;
    assert!(matches!(early, Err(Error::Refused(Refusal::ClaimNotYet(ref day))) if *day == date_in(&app, 1)), "{early:?}");
    app.advance(Duration::from_secs(DAY));
    // 30 days ahead: the maintenance sweep (every node runs it) sends the notice.
    app.identity.sweep(&Principal::System).await.unwrap();
    let day = date_in(&app, 30);
    for guardian in ["olga@example.com", "ben@example.com"] {
        let text = newest_mail(&app, guardian, "can take over their own account").await.unwrap_or_else(|| panic!("no notice to {guardian}"));
        assert!(text.contains(&day) && text.contains("Mia"), "{text}");
    }
    app.advance(Duration::from_secs(DAY));
    assert_eq!(app.identity.sweep_majority_notices(&Principal::System).await.unwrap(), 0, "once");
    app.deliver_outbox().await;
    let notices = app.identity.store().mailbox_recent(500).await.unwrap().iter().filter(|m| m.subject.contains("can take over")).count();
    assert_eq!(notices, 2, "one notice per guardian, once");
    assert!(app.identity.managed_members(&me(&olga), &olga, &household, Locale::En).await.unwrap()[0].claim_open);
}

/// Mia turns 16 in 20 days (the claim is open); her link, issued by Olga.
async fn claimable(app: &TestApp, olga: &str, household: &str) -> (String, String) {
    let born = born_turning(app, 16, 20);
    let mia = app.identity.create_managed_member(&me(olga), olga, household, "Mia", Some("King"), &born).await.unwrap();
    let issued = app.identity.issue_claim(&me(olga), olga, household, &mia).await.unwrap();
    assert!(!format!("{issued:?}").contains("token"), "the link is never in Debug");
    (mia, after(&issued.link, "claim?token="))
}

async fn start(app: &TestApp, token: &str, email: &str) -> identity::Result<()> {
    app.identity.start_claim(&Principal::Anonymous, token, email, SecretString::from(MEMBER_PASSWORD.to_owned()), &meta()).await
}

async fn claim_needs_the_address_proven(db: Db) {
    let Some((app, olga, household)) = home(db).await else { return };
    let (mia, token) = claimable(&app, &olga, &household).await;
    let preview = app.identity.claim_preview(&token).await.unwrap();
    assert_eq!((preview.given_name.as_str(), preview.state), ("Mia", identity::households::handover::ClaimState::Open));
    assert!(matches!(app.identity.claim_preview("not-the-token").await, Err(Error::TokenInvalid)));

    // A weak password and a malformed address are refused with their field.
    let weak = app.identity.start_claim(&Principal::Anonymous, &token, "mia@example.com", SecretString::from("mia king".to_owned()), &meta()).await;
    assert!(matches!(weak, Err(Error::Fields(ref f)) if f.iter().any(|e| matches!(e, ParseError::Invalid { field: "Password", .. }))), "{weak:?}");
    assert!(matches!(start(&app, &token, "not an address").await, Err(Error::Fields(_))));

    // A taken address answers the same; its owner is told, no code is sent.
    assert!(start(&app, &token, "olga@example.com").await.is_ok());
    assert!(newest_mail(&app, "olga@example.com", "Someone tried").await.is_some(), "the owner of the address is told");
    assert!(newest_mail(&app, "olga@example.com", "take over your").await.is_none(), "no code to a taken address");

    // The address the member owns: a code is mailed; until it is entered nothing changes.
    start(&app, &token, "mia@example.com").await.unwrap();
    let text = newest_mail(&app, "mia@example.com", "take over your").await.expect("the code mail");
    let code = code_in(&text);
    let row = app.identity.store().customer_by_id(&mia).await.unwrap().unwrap();
    assert!(row.managed && row.email.starts_with("managed:"), "still managed before the code");
    assert!(app.identity.store().customer_by_email("mia@example.com").await.unwrap().is_none(), "the address is not the account's yet");
    assert!(app.identity.guardian_principal(&olga, &mia).await.unwrap().is_some(), "the guardian keeps her rights");
    assert_eq!(app.identity.claim_preview(&token).await.unwrap().state, identity::households::handover::ClaimState::CodeSent);

    // A code past its 10 minutes does not work (and counts).
    app.advance(Duration::from_secs(11 * 60));
    assert!(matches!(app.identity.finish_claim(&Principal::Anonymous, &token, &code, &meta()).await, Err(Error::TokenInvalid)));
    start(&app, &token, "mia@example.com").await.unwrap();
    let code = code_in(&newest_mail(&app, "mia@example.com", "take over your").await.unwrap());
    let done = app.identity.finish_claim(&Principal::Anonymous, &token, &code, &meta()).await.unwrap();
    assert_eq!(done, mia);
    let row = app.identity.store().customer_by_email("mia@example.com").await.unwrap().expect("the account has the address");
    assert_eq!((row.id.as_str(), row.managed, row.email_verified), (mia.as_str(), false, true));
    assert!(matches!(app.identity.finish_claim(&Principal::Anonymous, &token, &code, &meta()).await, Err(Error::TokenInvalid)), "single use");
    assert!(matches!(start(&app, &token, "other@example.com").await, Err(Error::TokenInvalid)), "a used link starts nothing");
    let browser = Browser::new(&app);
    assert_eq!(browser.login("mia@example.com", MEMBER_PASSWORD).await.0, 200, "Mia signs in with her own password");
}

async fn wrong_code_five_times_spends_the_claim(db: Db) {
    let Some((app, olga, household)) = home(db).await else { return };
    let (mia, token) = claimable(&app, &olga, &household).await;
    start(&app, &token, "mia@example.com").await.unwrap();
    let code = code_in(&newest_mail(&app, "mia@example.com", "take over your").await.unwrap());
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for attempt in 1..=MAX_CLAIM_ATTEMPTS {
        let refused = app.identity.finish_claim(&Principal::Anonymous, &token, wrong, &meta()).await;
        assert!(matches!(refused, Err(Error::TokenInvalid)), "attempt {attempt}: {refused:?}");
    }
    assert!(matches!(app.identity.finish_claim(&Principal::Anonymous, &token, &code, &meta()).await, Err(Error::TokenInvalid)), "spent: even the right code");
    assert!(matches!(start(&app, &token, "mia@example.com").await, Err(Error::TokenInvalid)), "spent: no new code either");
    assert!(matches!(app.identity.claim_preview(&token).await, Err(Error::TokenInvalid)));
    assert!(app.identity.store().customer_by_id(&mia).await.unwrap().unwrap().managed, "still managed");
    // The guardian issues a new link; it works.
    let issued = app.identity.issue_claim(&me(&olga), &olga, &household, &mia).await.unwrap();
    assert!(app.identity.claim_preview(&after(&issued.link, "claim?token=")).await.is_ok());
}

async fn guardian_loses_every_right_at_handover(db: Db) {
    let Some((app, olga, household)) = home(db).await else { return };
    let ben = with_adult(&app, &olga, &household, "ben@example.com").await;
    let (mia, token) = claimable(&app, &olga, &household).await;
    app.identity.add_guardian(&me(&olga), &olga, &household, &mia, &ben).await.unwrap();
    let news = published(&app, "news").await;
    let kept = app.identity.guardian_principal(&olga, &mia).await.unwrap().unwrap();
    let choice = Choice { purpose_id: news.clone(), channel: None, decision: Decision::Granted };
    app.identity.decide_purposes(&kept, &mia, &[choice], &evidence()).await.unwrap();
    let mut profile = app.identity.profile(&kept, &mia).await.unwrap();
    profile.display_name = Some("Mimi".into());
    app.identity.update_profile(&kept, &mia, &profile).await.unwrap();

    start(&app, &token, "mia@example.com").await.unwrap();
    let code = code_in(&newest_mail(&app, "mia@example.com", "take over your").await.unwrap());
    app.identity.finish_claim(&Principal::Anonymous, &token, &code, &meta()).await.unwrap();

    for guardian in [&olga, &ben] {
        assert!(app.identity.guardian_principal(guardian, &mia).await.unwrap().is_none(), "no guardian principal after the hand-over");
        for action in [
            app.identity.issue_claim(&me(guardian), guardian, &household, &mia).await.map(|_| ()),
            app.identity.add_guardian(&me(guardian), guardian, &household, &mia, &olga).await,
            app.identity.remove_managed_member(&me(guardian), guardian, &household, &mia).await,
        ] {
            assert!(matches!(action, Err(Error::NotFound(_) | Error::Forbidden)), "{action:?}");
        }
    }
    let approve = app.identity.approve_pending_consent(&kept, &mia, &news, &meta()).await;
    assert!(matches!(approve, Err(Error::Forbidden)), "a guardian principal kept from before is dead: {approve:?}");
    assert!(app.identity.store().customer_by_id(&mia).await.unwrap().is_some(), "not removed");
    let views = app.identity.households(&me(&mia), &mia).await.unwrap();
    let member = views[0].members.iter().find(|m| m.customer_id == mia).unwrap();
    assert_eq!((member.role, member.guardians.len()), (identity::households::Role::Adult, 0), "an adult member, nobody's ward");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM guardianships WHERE managed_id = $1 AND ended_at IS NULL", &mia).await, 0);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM guardianships WHERE managed_id = $1 AND end_reason = 'handover'", &mia).await, 2);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM outbox WHERE kind = 'household.handover_completed' AND payload LIKE '%' || $1 || '%'", &mia).await, 1);
    assert!(newest_mail(&app, "mia@example.com", "is now yours").await.is_some(), "the member is told");
    for guardian in ["olga@example.com", "ben@example.com"] {
        let text = newest_mail(&app, guardian, "has taken over their own account").await.unwrap_or_else(|| panic!("{guardian} is told"));
        assert!(text.contains("Mimi") || text.contains("Mia"), "{text}");
    }
    // Mia's own account now answers only to her.
    let mine = me(&mia);
    assert_eq!(app.identity.profile(&mine, &mia).await.unwrap().display_name.as_deref(), Some("Mimi"));
}

async fn last_guardian_cannot_be_removed(db: Db) {
    let Some((app, olga, household)) = home(db).await else { return };
    let ben = with_adult(&app, &olga, &household, "ben@example.com").await;
    let cleo = with_adult(&app, &olga, &household, "cleo@example.com").await;
    let mia = with_child(&app, &olga, &household).await;
    let last = app.identity.remove_guardian(&me(&olga), &olga, &household, &mia, &olga).await;
    assert!(matches!(last, Err(Error::Refused(Refusal::LastGuardian))), "{last:?}");
    let not_guardian = app.identity.add_guardian(&me(&ben), &ben, &household, &mia, &ben).await;
    assert!(matches!(not_guardian, Err(Error::Forbidden)), "only a guardian adds one: {not_guardian:?}");
    let outsider = app.with_customer("sam@example.com", PASSWORD).await;
    let stranger = app.identity.add_guardian(&me(&olga), &olga, &household, &mia, &outsider).await;
    assert!(matches!(stranger, Err(Error::NotFound(_))), "only an adult member of the household: {stranger:?}");
    let child = app.identity.add_guardian(&me(&olga), &olga, &household, &mia, &mia).await;
    assert!(matches!(child, Err(Error::NotFound(_))), "a managed member guards nobody: {child:?}");

    app.identity.add_guardian(&me(&olga), &olga, &household, &mia, &ben).await.unwrap();
    assert!(newest_mail(&app, "ben@example.com", "You are now a guardian of Mia").await.is_some());
    assert!(matches!(app.identity.add_guardian(&me(&olga), &olga, &household, &mia, &ben).await, Err(Error::Conflict(_))), "once");
    let by_cleo = app.identity.remove_guardian(&me(&cleo), &cleo, &household, &mia, &ben).await;
    assert!(matches!(by_cleo, Err(Error::Forbidden)), "neither owner nor guardian: {by_cleo:?}");
    // Ben (the other guardian) removes Olga; Olga is told and loses her rights.
    app.identity.remove_guardian(&me(&ben), &ben, &household, &mia, &olga).await.unwrap();
    assert!(newest_mail(&app, "olga@example.com", "no longer a guardian of Mia").await.is_some(), "the removed guardian is told");
    assert!(app.identity.guardian_principal(&olga, &mia).await.unwrap().is_none());
    let last = app.identity.remove_guardian(&me(&olga), &olga, &household, &mia, &ben).await;
    assert!(matches!(last, Err(Error::Refused(Refusal::LastGuardian))), "the owner cannot remove the last one either: {last:?}");
}

async fn removing_a_managed_member_erases_it(db: Db) {
    let Some((app, olga, household)) = home(db).await else { return };
    let ben = with_adult(&app, &olga, &household, "ben@example.com").await;
    let mia = with_child(&app, &olga, &household).await;
    let news = published(&app, "news").await;
    let guardian = app.identity.guardian_principal(&olga, &mia).await.unwrap().unwrap();
    app.identity.decide_purposes(&guardian, &mia, &[Choice { purpose_id: news, channel: None, decision: Decision::Granted }], &evidence()).await.unwrap();
    let refused = app.identity.remove_managed_member(&me(&ben), &ben, &household, &mia).await;
    assert!(matches!(refused, Err(Error::Forbidden)), "an adult who is neither owner nor guardian: {refused:?}");
    let adult = app.identity.remove_managed_member(&me(&olga), &olga, &household, &ben).await;
    assert!(matches!(adult, Err(Error::NotFound(_))), "adults are removed as members, not erased: {adult:?}");

    app.identity.remove_managed_member(&me(&olga), &olga, &household, &mia).await.unwrap();
    assert!(app.identity.store().customer_by_id(&mia).await.unwrap().is_none(), "the profile is gone");
    let pseudonym = app.identity.erasure_pseudonym(&mia);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM consent_ledger WHERE customer_id = $1", &mia).await, 0);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM consent_ledger WHERE customer_id = $1", &pseudonym).await, 1, "the ledger keeps its proof, pseudonymised");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM guardianships WHERE managed_id = $1", &mia).await, 0);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM outbox WHERE kind = 'customer.deleted' AND payload LIKE '%' || $1 || '%'", &pseudonym).await, 1);
    let views = app.identity.households(&me(&olga), &olga).await.unwrap();
    assert!(views[0].members.iter().all(|m| m.customer_id != mia));
}

/// A script-less browser's form post (as in `plain_forms`): HTML wanted, no redirects
/// followed; returns the status and where it leads.
async fn plain_post(app: &TestApp, endpoint: &str, form: &[(&str, &str)]) -> (u16, String) {
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let answer = client
        .post(format!("{}/api/{endpoint}", app.address))
        .header(reqwest::header::ACCEPT, "text/html")
        .header(reqwest::header::ORIGIN, "null")
        .header("sec-fetch-site", "same-origin")
        .form(form)
        .send()
        .await
        .unwrap();
    let to = answer.headers().get(reqwest::header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    (answer.status().as_u16(), to.trim_start_matches(&app.public_url).to_owned())
}

async fn html(app: &TestApp, client: &reqwest::Client, path: &str) -> String {
    let page = client.get(app.url(path)).header(reqwest::header::ACCEPT, "text/html").send().await.unwrap();
    assert_eq!(page.status().as_u16(), 200, "{path}");
    let text = page.text().await.unwrap();
    // What the page shows, without the browser's message map.
    let Some(start) = text.find("id=\"foyer-messages\"").and_then(|at| text[..at].rfind("<script")) else { return text.replace("<!>", "") };
    let end = text[start..].find("</script>").map_or(text.len(), |e| start + e + "</script>".len());
    // Without the hydration markers between text and tags.
    format!("{}{}", &text[..start], &text[end..]).replace("<!>", "")
}

async fn the_claim_page_works_before_the_wasm(db: Db) {
    let Some((app, olga, household)) = home(db).await else { return };
    let (mia, token) = claimable(&app, &olga, &household).await;
    let page = format!("/claim?token={token}");
    let plain = reqwest::Client::new();
    let first = html(&app, &plain, &page).await;
    assert!(first.contains("Take over your account") && first.contains("Hello Mia"), "{first}");
    assert!(first.contains(r#"<label for="field-claim-email">Email address</label>"#) && first.contains(r#"<label for="field-claim-confirm">Password again</label>"#));

    let typed = [("token", token.as_str()), ("email", "mia@example.com"), ("password", MEMBER_PASSWORD), ("__page", page.as_str())];
    let (status, to) = plain_post(&app, "start_claim", &[typed[0], typed[1], typed[2], ("confirm", "something else 12"), typed[3]]).await;
    assert_eq!(status, 303);
    assert!(to.contains("__err="), "{to}");
    assert!(html(&app, &plain, &to).await.contains("The two passwords are not the same."));
    assert!(app.identity.claim_preview(&token).await.unwrap().state == identity::households::handover::ClaimState::Open, "nothing sent");

    let (status, to) = plain_post(&app, "start_claim", &[typed[0], typed[1], typed[2], ("confirm", MEMBER_PASSWORD), typed[3]]).await;
    assert_eq!(status, 303);
    assert!(to.contains("__ok="), "{to}");
    assert!(html(&app, &plain, &to).await.contains(r#"<label for="field-claim-code">Code from the email</label>"#), "the code step comes next");
    let code = code_in(&newest_mail(&app, "mia@example.com", "take over your").await.unwrap());
    let (status, to) = plain_post(&app, "finish_claim", &[("token", token.as_str()), ("code", code.as_str()), ("__page", page.as_str())]).await;
    assert_eq!(status, 303);
    assert!(html(&app, &plain, &to).await.contains("Your account is yours now."), "{to}");
    assert!(!app.identity.store().customer_by_id(&mia).await.unwrap().unwrap().managed);
    let spent = html(&app, &plain, &page).await;
    assert!(spent.contains("Ask your guardian for a new hand-over link."), "a used link says so");
}

async fn the_household_page_shows_the_managed_section(db: Db) {
    let Some((app, olga, household)) = home(db).await else { return };
    let mia = with_child(&app, &olga, &household).await;
    let news = published(&app, "news").await;
    let guardian = app.identity.guardian_principal(&olga, &mia).await.unwrap().unwrap();
    app.identity.decide_purposes(&guardian, &mia, &[Choice { purpose_id: news.clone(), channel: None, decision: Decision::Granted }], &evidence()).await.unwrap();
    let browser = crate::oidc::rp::Browser::new(&app);
    browser.sign_in("olga@example.com").await;
    let page = html(&app, &browser.http, "/account/household").await;
    for shown in ["Children and dependants", "Mia King", "Guardians of Mia King", "Approve “Title of news”", r#"<label for="field-managed-birth-date">Birth date</label>"#, "Remove and erase Mia King"] {
        assert!(page.contains(shown), "{shown:?} on the page");
    }
    // The approval posted as a plain form comes back to the page, which says so.
    let post = browser
        .http
        .post(app.url("/api/approve_pending_consent"))
        .header(reqwest::header::ACCEPT, "text/html")
        .header(reqwest::header::ORIGIN, "null")
        .header("sec-fetch-site", "same-origin")
        .form(&[("managed_id", mia.as_str()), ("purpose_id", news.as_str()), ("__page", "/account/household")])
        .send()
        .await
        .unwrap();
    assert_eq!(post.status().as_u16(), 303);
    let to = post.headers().get(reqwest::header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or_default().trim_start_matches(&app.public_url).to_owned();
    let after = html(&app, &browser.http, &to).await;
    assert!(after.contains("Approved. It is recorded with your name.") && !after.contains("Approve “Title of news”"), "{to}");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM consent_ledger WHERE customer_id = $1 AND collection = 'guardian'", &mia).await, 1);
}
