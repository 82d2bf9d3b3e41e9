//! Support actions (`docs/design/admin.md` "Support actions" and its attacker table),
//! through the server functions at `/admin/api/…` as signed-in staff: every act needs a
//! ticket and a reason and writes exactly one audit row; who may do what; and each act's
//! effect on the customer (lock, the reset link, the second-factor reset, a profile
//! correction and search, a consent given by phone, a loyalty decision). Each runs on
//! SQLite and PostgreSQL.

use identity::i18n::Locale;
use identity::principal::Principal;
use identity::staff::StaffRole;
use identity::store::audit::AuditTrailRow;
use serde_json::{Value, json};

use crate::accounts::{self, LOCKED_SUBJECT, LOGIN_FAILED, NEW_PASSWORD, PASSWORD, RESET_SUBJECT, TOKEN_INVALID, customer, link_token, mail_to};
use crate::staff::{self, STAFF_PASSWORD};
use crate::support::seed::seed_meta;
use crate::support::{Db, TestApp, both_backends};

both_backends!(
    every_action_writes_one_audit_row,
    staff_never_sets_a_password,
    second_factor_reset_needs_a_lead_and_a_check,
    a_support_lock_outlasts_the_customers_own_unlock,
    a_corrected_name_is_found_by_search,
    a_phone_consent_is_in_the_history_with_its_ticket,
    support_decides_only_support_programmes_links,
);

const TICKET: &str = "T-1042";
const REASON: &str = "caller asked on the phone, identity confirmed";
const NUMBER: &str = "1234567897";

/// Subjects, as in `locales/en/mail.ftl`.
const LOCKED_BY_SUPPORT: &str = "Your account was locked by our support team";
const UNLOCKED: &str = "Your account was unlocked";
const FACTORS_RESET: &str = "Your two-step verification was reset";
const SIGNED_OUT: &str = "You were signed out everywhere";
const PROFILE_CORRECTED: &str = "A detail of your profile was corrected";
const CHOICE_RECORDED: &str = "We recorded your choice";

/// Every action: its endpoint and the fields it takes besides customer, ticket, reason.
const ENDPOINTS: [&str; 9] =
    ["lock", "unlock", "send-reset", "resend-verification", "end-sessions", "correct-profile", "phone-consent", "reset-second-factors", "loyalty-decision"];

/// One act of the audit test: who, the endpoint, on whom, its fields, the audit action.
type Case<'a> = (&'a Staff, &'a str, &'a str, Vec<(&'a str, &'a str)>, &'a str);

/// A signed-in staff member.
struct Staff {
    b: staff::Browser,
    id: String,
}

impl Staff {
    /// A staff member with `role`, enrolled and signed in at `/admin/login`.
    async fn signed_in(app: &TestApp, role: StaffRole) -> Self {
        let (id, link) = app.with_staff(role).await;
        let secret = staff::enrol(app, link.rsplit("token=").next().unwrap()).await;
        let email = app.identity.store().staff_by_id(&id).await.unwrap().unwrap().email;
        let b = staff::Browser::new(app);
        assert_eq!(b.admin_login(&email, STAFF_PASSWORD, &staff::next_code(app, &secret)).await, (200, json!("/admin")));
        Self { b, id }
    }

    /// The principal the server builds for this staff member.
    async fn principal(&self, app: &TestApp) -> Principal {
        app.identity.staff_principal(&self.id, None).await.unwrap().unwrap()
    }

    /// POSTs `/admin/api/<endpoint>` for `customer` with `extra` fields and the ticket
    /// and reason.
    async fn act(&self, endpoint: &str, customer: &str, extra: &[(&str, &str)], ticket: &str, reason: &str) -> (u16, Value) {
        let mut form = vec![("customer", customer)];
        form.extend_from_slice(extra);
        form.extend([("ticket", ticket), ("reason", reason)]);
        self.b.call(&format!("/admin/api/{endpoint}"), &form).await
    }

    /// The same with the test's ticket and reason.
    async fn run(&self, endpoint: &str, customer: &str, extra: &[(&str, &str)]) -> (u16, Value) {
        self.act(endpoint, customer, extra, TICKET, REASON).await
    }
}

fn me(id: &str) -> Principal {
    Principal::customer(id, "foyer:pwd")
}

/// The field names of a `{"Fields": [...]}` answer.
fn fields(body: &Value) -> Vec<String> {
    body["Fields"].as_array().unwrap_or_else(|| panic!("not a Fields error: {body}")).iter().map(|f| f["field"].as_str().unwrap_or("").to_owned()).collect()
}

async fn total(app: &TestApp) -> i64 {
    app.identity.store().audit_count().await.unwrap()
}

/// The customer's audit rows, oldest first.
async fn trail(app: &TestApp, customer: &str) -> Vec<AuditTrailRow> {
    app.identity.store().audit_trail(&format!("customer:{customer}")).await.unwrap()
}

/// Without a ticket, with a malformed one, without a reason or with too short a one:
/// refused, each naming its field, and nothing is written.
async fn refused_without_ticket_or_reason(app: &TestApp, staff: &Staff, endpoint: &str, customer: &str, extra: &[(&str, &str)]) {
    let before = total(app).await;
    for (ticket, reason, field) in [("", REASON, "Ticket"), ("T 1; DROP", REASON, "Ticket"), (TICKET, "", "Reason"), (TICKET, "why", "Reason")] {
        let (status, body) = staff.act(endpoint, customer, extra, ticket, reason).await;
        assert_eq!(status, 400, "{endpoint} without a good {field}: {body}");
        assert!(fields(&body).contains(&field.to_owned()), "{endpoint}: {body}");
    }
    assert_eq!(total(app).await, before, "{endpoint}: a refusal writes nothing");
}

/// Runs the act and checks it wrote exactly one audit row, on the customer, with the
/// staff member, the ticket and the reason; returns the row.
async fn one_row(app: &TestApp, staff: &Staff, endpoint: &str, customer: &str, extra: &[(&str, &str)], action: &str) -> AuditTrailRow {
    let before = total(app).await;
    let rows_before = trail(app, customer).await.len();
    assert_eq!(staff.run(endpoint, customer, extra).await, (200, Value::Null), "{endpoint}");
    assert_eq!(total(app).await, before + 1, "{endpoint}: exactly one audit row");
    let rows = trail(app, customer).await;
    assert_eq!(rows.len(), rows_before + 1, "{endpoint}: the row is on the customer");
    let row = rows.last().unwrap().clone();
    assert_eq!((row.action.as_str(), row.actor.as_str()), (action, format!("staff:{}", staff.id).as_str()), "{endpoint}");
    assert!(row.reason.as_deref().is_some_and(|r| r.starts_with(REASON)), "{endpoint}: the reason: {row:?}");
    let detail: Value = serde_json::from_str(&row.detail).unwrap();
    assert_eq!(detail["ticket"], TICKET, "{endpoint}: the ticket: {detail}");
    row
}

/// `docs/design/admin.md`: every customer action takes a ticket and a reason, checked by
/// the core, and writes one audit row with actor, subject, ticket and reason. The six
/// agents' acts by an agent, the three leads' by a lead.
async fn every_action_writes_one_audit_row(db: Db) {
    let Some(app) = TestApp::builder(db).with_smtp().spawn().await else { return };
    let ada = customer(&app, "ada@example.com").await.id;
    let bob = app.with_unconfirmed_customer("bob@example.com", PASSWORD).await;
    let ada_browser = accounts::Browser::new(&app);
    crate::mfa::enrol(&app, &ada_browser, "ada@example.com").await;
    assert_eq!(ada_browser.me().await["email"], "ada@example.com", "signed in");
    app.with_brand("air").await;
    crate::consent::published(&app, Some("air"), "news", false, &[]).await;
    app.with_programme("air", "desk", "support").await;
    let (link, _) = app.identity.request_link(&me(&ada), &ada, "desk", NUMBER, None, &seed_meta(3)).await.unwrap();
    let agent = Staff::signed_in(&app, StaffRole::Support).await;
    let lead = Staff::signed_in(&app, StaffRole::SupportLead).await;

    let cases: [Case<'_>; 9] = [
        (&agent, "send-reset", &ada, vec![], "support.reset_link_sent"),
        (&agent, "resend-verification", &bob, vec![], "support.verification_resent"),
        (&agent, "correct-profile", &ada, vec![("field", "family_name"), ("value", "Lovelace")], "support.profile_corrected"),
        (&agent, "phone-consent", &ada, vec![("brand", "air"), ("purpose", "news"), ("decision", "grant")], "support.phone_consent_recorded"),
        (&agent, "loyalty-decision", &ada, vec![("link", link.as_str()), ("decision", "confirm")], "support.loyalty_decided"),
        (&agent, "end-sessions", &ada, vec![], "support.sessions_ended"),
        (&lead, "reset-second-factors", &ada, vec![("check_kind", "video_call"), ("check_note", "matched the photo on file")], "support.second_factors_reset"),
        (&lead, "lock", &ada, vec![], "support.locked"),
        (&lead, "unlock", &ada, vec![], "support.unlocked"),
    ];
    for (staff, endpoint, customer, extra, action) in &cases {
        refused_without_ticket_or_reason(&app, staff, endpoint, customer, extra).await;
        let row = one_row(&app, staff, endpoint, customer, extra, action).await;
        assert!(!row.detail.contains("Lovelace") && !row.detail.contains("photo"), "no personal values in the detail: {}", row.detail);
        if *endpoint == "end-sessions" {
            assert_eq!(ada_browser.me().await, Value::Null, "the customer's session ended");
            mail_to(&app, "ada@example.com", SIGNED_OUT).await;
        }
    }
    let detail: Value = serde_json::from_str(&trail(&app, &ada).await.iter().find(|r| r.action == "support.profile_corrected").unwrap().detail).unwrap();
    assert_eq!(detail, json!({ "field": "family_name", "ticket": TICKET }), "the field's name, never a value");
    let (status, body) = agent.run("resend-verification", &ada, &[]).await;
    assert_eq!((status, fields(&body)), (400, vec!["Customer".to_owned()]), "a confirmed address is refused clearly: {body}");
    assert!(body.to_string().contains("confirmed already"), "{body}");
    for endpoint in ENDPOINTS {
        let (status, _) = agent.run(endpoint, "no-such-customer", &valid_extra(endpoint, &link)).await;
        assert!([403, 404].contains(&status), "{endpoint} on nobody: {status}");
    }
}

/// Fields that parse for `endpoint` (so only the role decides).
fn valid_extra<'a>(endpoint: &str, link: &'a str) -> Vec<(&'static str, &'a str)> {
    match endpoint {
        "correct-profile" => vec![("field", "given_name"), ("value", "Augusta")],
        "phone-consent" => vec![("brand", "air"), ("purpose", "news"), ("decision", "grant")],
        "reset-second-factors" => vec![("check_kind", "id_document"), ("check_note", "passport seen on a video call")],
        "loyalty-decision" => vec![("link", link), ("decision", "confirm")],
        _ => vec![],
    }
}

/// The matrix over HTTP: an agent never locks, unlocks or resets second factors; a
/// brand administrator and an operator never act on a customer; nothing they try is
/// written. The password stays the customer's: support mails the ordinary reset link to
/// the address on file, the staff answer holds nothing, and the link works.
async fn staff_never_sets_a_password(db: Db) {
    let Some(app) = TestApp::builder(db).with_smtp().spawn().await else { return };
    let ada = customer(&app, "ada@example.com").await.id;
    app.with_brand("air").await;
    crate::consent::published(&app, Some("air"), "news", false, &[]).await;
    app.with_programme("air", "desk", "support").await;
    let (link, _) = app.identity.request_link(&me(&ada), &ada, "desk", NUMBER, None, &seed_meta(3)).await.unwrap();
    let agent = Staff::signed_in(&app, StaffRole::Support).await;
    let brand_admin = Staff::signed_in(&app, StaffRole::BrandAdmin).await;
    let operator = Staff::signed_in(&app, StaffRole::Operator).await;
    let before = total(&app).await;
    for (who, role, endpoints) in [
        (&agent, "agent", &["lock", "unlock", "reset-second-factors"][..]),
        (&brand_admin, "brand admin", &ENDPOINTS[..]),
        (&operator, "operator", &ENDPOINTS[..]),
    ] {
        for endpoint in endpoints {
            let (status, body) = who.run(endpoint, &ada, &valid_extra(endpoint, &link)).await;
            assert_eq!((status, body), (403, json!("Forbidden")), "{endpoint} by the {role}");
        }
    }
    assert_eq!(total(&app).await, before, "refused acts write nothing");
    let signed_out = staff::Browser::new(&app);
    let (status, _) = signed_out.call("/admin/api/lock", &[("customer", &ada), ("ticket", TICKET), ("reason", REASON)]).await;
    assert_eq!(status, 401, "signed out");

    // The reset link goes to the customer's mailbox only.
    let (status, body) = agent.run("send-reset", &ada, &[]).await;
    assert_eq!((status, &body), (200, &Value::Null), "the staff answer holds no link");
    let mail = mail_to(&app, "ada@example.com", RESET_SUBJECT).await;
    let token = link_token(&app, &mail, "/reset-password");
    let b = accounts::Browser::new(&app);
    assert_eq!(b.call("reset_password", &[("token", token.as_str()), ("password", NEW_PASSWORD)]).await.0, 200, "the ordinary link works");
    assert_eq!(b.login("ada@example.com", NEW_PASSWORD).await, (200, json!("/account")));
    let rows = trail(&app, &ada).await;
    assert!(rows.iter().any(|r| r.action == "password.reset" && r.actor == format!("customer:{ada}")), "the customer set the password, not staff");
}

/// Only a support lead resets second factors, and only with a recorded identity check;
/// afterwards a customer who had an authenticator app signs in with the password alone,
/// every session has ended and the customer was mailed.
async fn second_factor_reset_needs_a_lead_and_a_check(db: Db) {
    let Some(app) = TestApp::builder(db).with_smtp().spawn().await else { return };
    let email = "totp@example.com";
    let ada = customer(&app, email).await.id;
    let b = accounts::Browser::new(&app);
    crate::mfa::enrol(&app, &b, email).await;
    let agent = Staff::signed_in(&app, StaffRole::Support).await;
    let lead = Staff::signed_in(&app, StaffRole::SupportLead).await;
    let check = [("check_kind", "callback_known_number"), ("check_note", "called back the number on file since 2024")];
    let before = total(&app).await;
    assert_eq!(agent.run("reset-second-factors", &ada, &check).await.0, 403, "an agent never resets a second factor");
    let (status, body) = lead.run("reset-second-factors", &ada, &[("check_kind", "gut_feeling"), ("check_note", "")]).await;
    assert_eq!((status, fields(&body)), (400, vec!["Identity check".to_owned(), "Check note".to_owned()]), "{body}");
    let (status, body) = lead.act("reset-second-factors", &ada, &[("check_kind", "video_call"), ("check_note", "")], "", "").await;
    assert_eq!((status, fields(&body)), (400, vec!["Reason".to_owned(), "Ticket".to_owned(), "Check note".to_owned()]), "every field at once: {body}");
    assert_eq!(total(&app).await, before, "nothing written");
    assert_eq!(b.me().await["email"], email, "still signed in");

    let row = one_row(&app, &lead, "reset-second-factors", &ada, &check, "support.second_factors_reset").await;
    let detail: Value = serde_json::from_str(&row.detail).unwrap();
    assert_eq!((detail["check"].as_str(), detail["authenticator_app"].as_bool(), detail["recovery_codes"].as_i64()), (Some("callback_known_number"), Some(true), Some(10)));
    assert!(row.reason.unwrap().ends_with("Identity check: called back the number on file since 2024"), "the note is kept with the reason");
    mail_to(&app, email, FACTORS_RESET).await;
    assert_eq!(b.me().await, Value::Null, "every session ended");
    let fresh = accounts::Browser::new(&app);
    assert_eq!(fresh.login(email, PASSWORD).await, (200, json!("/account")), "the password alone signs in now");
    let (status, body) = lead.run("reset-second-factors", &ada, &check).await;
    assert_eq!((status, fields(&body)), (400, vec!["Customer".to_owned()]), "nothing left to reset: {body}");
}

/// A lead's lock ends the customer's session and refuses sign-in with the usual answer;
/// neither the customer's mailed unlock link (from a lock-out after failed sign-ins)
/// nor a password reset lifts it; the lead's unlock does. Both are mailed.
async fn a_support_lock_outlasts_the_customers_own_unlock(db: Db) {
    let Some(app) = TestApp::builder(db).with_smtp().configure(|raw| raw.lockout_threshold = 3).spawn().await else { return };
    let email = "ada@example.com";
    let ada = customer(&app, email).await.id;
    let b = accounts::Browser::new(&app);
    assert_eq!(b.login(email, PASSWORD).await.0, 200);
    // The lock-out after failed sign-ins mails an unlock link; the session stays.
    let other = accounts::Browser::new(&app);
    for _ in 0..3 {
        assert_eq!(other.login(email, accounts::WRONG).await.0, 400);
    }
    let unlock = link_token(&app, &mail_to(&app, email, LOCKED_SUBJECT).await, "/unlock");
    assert_eq!(b.me().await["email"], email);

    let lead = Staff::signed_in(&app, StaffRole::SupportLead).await;
    one_row(&app, &lead, "lock", &ada, &[], "support.locked").await;
    mail_to(&app, email, LOCKED_BY_SUPPORT).await;
    assert_eq!(b.me().await, Value::Null, "the next request is signed out");
    let (status, body) = lead.run("lock", &ada, &[]).await;
    assert_eq!((status, fields(&body)), (400, vec!["Customer".to_owned()]), "locked already: {body}");

    let fresh = accounts::Browser::new(&app);
    assert_eq!(fresh.call("unlock_account", &[("token", unlock.as_str())]).await, (400, json!({ "Message": TOKEN_INVALID })), "the mailed link no longer works");
    assert_eq!(fresh.login(email, PASSWORD).await, (400, json!({ "Message": LOGIN_FAILED })), "the usual uniform answer");
    // A password reset changes the password and lifts a lock-out, never a support lock.
    assert_eq!(fresh.call("forgot_password", &[("email", email)]).await.0, 200);
    let reset = link_token(&app, &mail_to(&app, email, RESET_SUBJECT).await, "/reset-password");
    assert_eq!(fresh.call("reset_password", &[("token", reset.as_str()), ("password", NEW_PASSWORD)]).await.0, 200);
    assert_eq!(fresh.login(email, NEW_PASSWORD).await, (400, json!({ "Message": LOGIN_FAILED })), "still locked after a reset");
    let row = app.identity.store().customer_by_id(&ada).await.unwrap().unwrap();
    assert_eq!((row.locked_at.is_some(), row.lock_kind.as_deref()), (true, Some("support")));
    let overview = app.identity.customer_overview(&lead.principal(&app).await, &ada).await.unwrap();
    assert!(overview.locked && overview.locked_by_support, "the 360 view tells a support lock apart");

    let unlocked = one_row(&app, &lead, "unlock", &ada, &[], "support.unlocked").await;
    assert!(unlocked.detail.contains("\"lock\":\"support\""), "{}", unlocked.detail);
    mail_to(&app, email, UNLOCKED).await;
    assert_eq!(fresh.login(email, NEW_PASSWORD).await, (200, json!("/account")));
    let (status, body) = lead.run("unlock", &ada, &[]).await;
    assert_eq!((status, fields(&body)), (400, vec!["Customer".to_owned()]), "not locked: {body}");
}

/// A corrected name is what the search finds (the terms move in the same transaction);
/// the email is never a correctable field; each field is checked by the profile form's
/// own parser; the customer is told which field changed.
async fn a_corrected_name_is_found_by_search(db: Db) {
    let Some(app) = TestApp::builder(db).with_smtp().spawn().await else { return };
    let ada = customer(&app, "ada@example.com").await.id;
    let agent = Staff::signed_in(&app, StaffRole::Support).await;
    let principal = agent.principal(&app).await;
    let found = |q: &'static str| {
        let (identity, principal) = (app.identity.clone(), principal.clone());
        async move { identity.search_customers(&principal, q, None, 20).await.unwrap().hits.into_iter().map(|h| h.id).collect::<Vec<_>>() }
    };
    assert!(found("lovelace").await.is_empty());
    let before = total(&app).await;
    for (field, value, refused) in [("email", "eve@example.com", "Field"), ("password", "x", "Field"), ("phone", "12345", "Phone"), ("birth_date", "2999-01-01", "Birth date")] {
        let (status, body) = agent.run("correct-profile", &ada, &[("field", field), ("value", value)]).await;
        assert_eq!((status, fields(&body)), (400, vec![refused.to_owned()]), "{field}: {body}");
    }
    assert_eq!(total(&app).await, before, "nothing written");
    one_row(&app, &agent, "correct-profile", &ada, &[("field", "family_name"), ("value", "Lovelace")], "support.profile_corrected").await;
    assert_eq!(found("ann lovelace").await, vec![ada.clone()], "the search finds the new name");
    assert_eq!(app.identity.profile(&me(&ada), &ada).await.unwrap().family_name.as_deref(), Some("Lovelace"));
    assert_eq!(app.identity.store().customer_by_id(&ada).await.unwrap().unwrap().email, "ada@example.com", "the address is untouched");
    let mail = mail_to(&app, "ada@example.com", PROFILE_CORRECTED).await;
    assert!(mail.text.contains("Family name") && !mail.text.contains("Lovelace"), "which field, not the value: {}", mail.text);
    let (status, body) = agent.run("correct-profile", &ada, &[("field", "family_name"), ("value", " Lovelace ")]).await;
    assert_eq!((status, fields(&body)), (400, vec!["Value".to_owned()]), "nothing to correct: {body}");
}

/// A consent given by phone is a ledger record like any other: in the customer's
/// history with the ticket, collected `support_phone` by the staff member (the signed
/// receipt names them); an answer on record already is refused; the customer is mailed.
async fn a_phone_consent_is_in_the_history_with_its_ticket(db: Db) {
    let Some(app) = TestApp::builder(db).with_smtp().spawn().await else { return };
    let ada = customer(&app, "ada@example.com").await.id;
    app.with_brand_named("air", "Northwind Air").await;
    crate::consent::published(&app, Some("air"), "news", false, &[]).await;
    let agent = Staff::signed_in(&app, StaffRole::Support).await;
    let grant = [("brand", "air"), ("purpose", "news"), ("decision", "grant")];
    one_row(&app, &agent, "phone-consent", &ada, &grant, "support.phone_consent_recorded").await;
    let history = app.identity.consent_history(&me(&ada), &ada, Locale::En).await.unwrap();
    let entry = &history[0];
    assert_eq!(
        (entry.decision, entry.collection, entry.recorded_by.as_str(), entry.ticket.as_deref(), entry.brand.as_deref()),
        (identity::consent::Decision::Granted, identity::consent::Collection::SupportPhone, "staff", Some(TICKET), Some("Northwind Air")),
    );
    let (receipt, _) = app.identity.consent_receipt(&me(&ada), &ada, &entry.receipt_id).await.unwrap();
    assert_eq!(receipt["collector"], format!("staff:{}", agent.id), "the agent collected it");
    let mail = mail_to(&app, "ada@example.com", CHOICE_RECORDED).await;
    assert!(mail.text.contains("Title of news") && mail.text.contains("you agreed"), "{}", mail.text);

    let (status, body) = agent.run("phone-consent", &ada, &grant).await;
    assert_eq!((status, fields(&body)), (400, vec!["Decision".to_owned()]), "on record already: {body}");
    let (status, body) = agent.run("phone-consent", &ada, &[("brand", "air"), ("purpose", "news"), ("decision", "maybe")]).await;
    assert_eq!((status, fields(&body)), (400, vec!["Decision".to_owned()]), "{body}");
    assert_eq!(agent.run("phone-consent", &ada, &[("brand", "air"), ("purpose", "nope"), ("decision", "grant")]).await.0, 404);
    one_row(&app, &agent, "phone-consent", &ada, &[("brand", "air"), ("purpose", "news"), ("decision", "refuse")], "support.phone_consent_recorded").await;
    let history = app.identity.consent_history(&me(&ada), &ada, Locale::En).await.unwrap();
    assert_eq!(history[0].decision, identity::consent::Decision::Withdrawn, "a no after a yes withdraws it");
}

/// Support confirms a pending link of a programme it verifies (the one decision the
/// brand API uses: the link, its event and mail); a brand-API programme's links are the
/// brand's; a decided link and another customer's link are refused.
async fn support_decides_only_support_programmes_links(db: Db) {
    let Some(app) = TestApp::builder(db).with_smtp().spawn().await else { return };
    let ada = customer(&app, "ada@example.com").await.id;
    let bea = customer(&app, "bea@example.com").await.id;
    app.with_brand("air").await;
    app.with_brand("hotels").await;
    app.with_programme("air", "desk", "support").await;
    app.with_programme("hotels", "stays", "brand-api").await;
    let (desk, _) = app.identity.request_link(&me(&ada), &ada, "desk", NUMBER, None, &seed_meta(3)).await.unwrap();
    let (stays, _) = app.identity.request_link(&me(&ada), &ada, "stays", NUMBER, None, &seed_meta(3)).await.unwrap();
    let agent = Staff::signed_in(&app, StaffRole::Support).await;
    let (status, body) = agent.run("loyalty-decision", &ada, &[("link", stays.as_str()), ("decision", "confirm")]).await;
    assert_eq!((status, fields(&body)), (400, vec!["Link".to_owned()]), "a brand-API programme's link is the brand's: {body}");
    let (status, _) = agent.run("loyalty-decision", &bea, &[("link", desk.as_str()), ("decision", "confirm")]).await;
    assert_eq!(status, 404, "another customer's link looks like none");

    one_row(&app, &agent, "loyalty-decision", &ada, &[("link", desk.as_str()), ("decision", "confirm")], "support.loyalty_decided").await;
    let links = app.identity.loyalty_links(&me(&ada), &ada).await.unwrap();
    let status_of = |id: &str| links.iter().find(|l| l.id == id).map(|l| l.status);
    assert_eq!(status_of(&desk), Some(identity::loyalty::LinkStatus::Verified));
    assert_eq!(status_of(&stays), Some(identity::loyalty::LinkStatus::Pending), "untouched");
    mail_to(&app, "ada@example.com", "Your desk rewards membership is linked").await;
    let actions: Vec<String> = trail(&app, &ada).await.into_iter().map(|r| r.action).collect();
    assert!(!actions.contains(&"loyalty.linked".to_owned()), "one audit row: the support act's ({actions:?})");
    let (status, body) = agent.run("loyalty-decision", &ada, &[("link", desk.as_str()), ("decision", "reject")]).await;
    assert_eq!((status, fields(&body)), (400, vec!["Link".to_owned()]), "decided already: {body}");
}
