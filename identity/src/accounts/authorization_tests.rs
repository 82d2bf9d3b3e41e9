//! The customer use cases decide in the core who may act: a principal other than the
//! customer is refused before anything is written, and an allowed change writes
//! exactly one audit row naming the principal as actor and the customer as subject.

use super::profile::ProfileForm;
use crate::principal::{Principal, AuthLevel};
use crate::staff::StaffRole;
use crate::store::customers::{self, CustomerRow};
use crate::{Error, Identity};

const NOW: i64 = 1_700_000_000_000;

async fn identity() -> (Identity, tempfile::TempDir) {
    crate::jose::test_support::identity_at(NOW, crate::Settings::default()).await
}

async fn with_customer(id: &Identity, customer_id: &str, email: &str) {
    let row = CustomerRow {
        id: customer_id.into(),
        email: email.into(),
        email_normalized: email.into(),
        given_name: Some("Ada".into()),
        email_verified: true,
        created_at: NOW,
        updated_at: NOW,
        ..CustomerRow::default()
    };
    let mut tx = id.store.begin().await.unwrap();
    assert!(customers::insert_if_absent(&mut tx, &row).await.unwrap());
    tx.commit().await.unwrap();
}

fn c1() -> Principal {
    Principal::customer("c1", "foyer:pwd")
}

fn others() -> Vec<Principal> {
    vec![
        Principal::Anonymous,
        Principal::Customer { id: "c2".into(), level: AuthLevel::MultiFactor },
        Principal::Delegate { actor: "c2".into(), subject: "c1".into(), grant: "g1".into(), permissions: vec![] },
        Principal::Staff { id: "s1".into(), role: StaffRole::Support, ticket: Some("T-1".into()), brands: vec![] },
        Principal::Staff { id: "s2".into(), role: StaffRole::Operator, ticket: None, brands: vec![] },
        Principal::Machine { client: "rp1".into(), brand: "b1".into(), scopes: vec!["openid".into()] },
        Principal::Operator,
        Principal::System,
    ]
}

fn renamed() -> ProfileForm {
    ProfileForm { given_name: Some("Grace".into()), ..ProfileForm::default() }
}

#[tokio::test]
async fn another_principal_cannot_change_a_customers_profile_and_nothing_is_written() {
    let (id, _dir) = identity().await;
    with_customer(&id, "c1", "c1@example.com").await;
    with_customer(&id, "c2", "c2@example.com").await;
    for p in others() {
        let refused = id.update_profile(&p, "c1", &renamed()).await;
        assert!(matches!(refused, Err(Error::Forbidden)), "{:?}: {refused:?}", p.kind());
        assert!(matches!(id.profile(&p, "c1").await, Err(Error::Forbidden)), "{:?} reads", p.kind());
    }
    assert_eq!(id.profile(&c1(), "c1").await.unwrap().given_name.as_deref(), Some("Ada"), "the row is unchanged");
    assert!(id.store.audit_trail("customer:c1").await.unwrap().is_empty(), "no audit row");
}

#[tokio::test]
async fn an_allowed_change_writes_one_audit_row_with_actor_and_subject() {
    let (id, _dir) = identity().await;
    with_customer(&id, "c1", "c1@example.com").await;
    assert_eq!(id.update_profile(&c1(), "c1", &renamed()).await.unwrap(), vec!["given_name"]);
    assert_eq!(id.profile(&c1(), "c1").await.unwrap().given_name.as_deref(), Some("Grace"));
    let trail = id.store.audit_trail("customer:c1").await.unwrap();
    assert_eq!(trail.len(), 1, "{trail:?}");
    assert_eq!((trail[0].actor.as_str(), trail[0].action.as_str()), ("customer:c1", "profile.updated"));
    // The customer's activity shows the same row.
    let activity = id.activity(&c1(), "c1", 10).await.unwrap();
    assert_eq!(activity.iter().map(|a| a.action.as_str()).collect::<Vec<_>>(), ["profile.updated"]);
}

#[tokio::test]
async fn credentials_sessions_and_reads_of_another_customer_are_refused() {
    let (id, _dir) = identity().await;
    with_customer(&id, "c1", "c1@example.com").await;
    with_customer(&id, "c2", "c2@example.com").await;
    let c2 = Principal::customer("c2", "foyer:mfa");
    let forbidden = |r: crate::Result<()>, what: &str| assert!(matches!(r, Err(Error::Forbidden)), "{what}: {r:?}");
    forbidden(id.start_totp(&c2, "c1").await.map(drop), "start TOTP");
    forbidden(id.disable_totp(&c2, "c1").await, "disable TOTP");
    forbidden(id.regenerate_recovery_codes(&c2, "c1").await.map(drop), "recovery codes");
    forbidden(id.remove_passkey(&c2, "c1", "pk").await, "remove passkey");
    forbidden(id.rename_passkey(&c2, "c1", "pk", "Laptop").await, "rename passkey");
    forbidden(id.passkey_add_options(&c2, "c1").await.map(drop), "add passkey");
    forbidden(id.end_other_sessions(&c2, "c1", "keep").await.map(drop), "end sessions");
    forbidden(id.end_session(&c2, "c1", "hash").await.map(drop), "end a session");
    forbidden(id.request_email_change(&c2, "c1", "new@example.com").await, "email change");
    forbidden(id.resend_verification(&c2, "c1", &super::RequestMeta::new(std::net::IpAddr::from([127, 0, 0, 1]), None)).await, "resend verification");
    forbidden(id.passkeys_of(&c2, "c1").await.map(drop), "list passkeys");
    forbidden(id.second_factors_of(&c2, "c1").await.map(drop), "second factors");
    forbidden(id.devices(&c2, "c1").await.map(drop), "devices");
    forbidden(id.activity(&c2, "c1", 10).await.map(drop), "activity");
    forbidden(id.account_summary(&c2, "c1").await.map(drop), "summary");
    forbidden(id.step_up_strong_enough(&c2, "c1", "foyer:mfa").await.map(drop), "step-up level");
    // Only Foyer itself sweeps expired sessions.
    forbidden(id.end_expired_sessions(&c1()).await.map(drop), "sweep as a customer");
    assert_eq!(id.end_expired_sessions(&Principal::System).await.unwrap(), 0);
    assert!(id.store.audit_trail("customer:c1").await.unwrap().is_empty(), "nothing was written about c1");
    // The owner may.
    assert!(id.second_factors_of(&c1(), "c1").await.is_ok());
    assert_eq!(id.end_other_sessions(&c1(), "c1", "keep").await.unwrap(), 0);
    let trail = id.store.audit_trail("customer:c1").await.unwrap();
    assert_eq!(trail.iter().map(|r| (r.actor.as_str(), r.action.as_str())).collect::<Vec<_>>(), [("customer:c1", "sessions.ended_others")]);
}
