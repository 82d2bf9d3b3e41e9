//! Households (issue 14 item 1, `docs/design/household.md`): create, invite by mail,
//! accept, leave, remove, transfer — and the attacker's rows: a forwarded invitation, a
//! reused, expired or revoked one, a member doing the owner's acts, an owner leaving a
//! household stranded. Each runs on SQLite and PostgreSQL.

use std::time::Duration;

use identity::households::Role;
use identity::households::household::InvitationState;
use identity::principal::Principal;
use identity::{Error, Refusal};

use identity::consent::catalogue::{NewPurpose, NewVersion};
use identity::consent::ledger::{Choice, Evidence};
use identity::consent::{Collection, Decision};
use identity::domain::profile::ProfileForm;
use identity::i18n::Locale;
use identity::oidc::clients::ClientSpec;

use crate::accounts::PASSWORD;
use crate::oidc::rp::{Browser, REDIRECT, Rp, jwt_parts};
use crate::support::seed::{seed_meta, text_after};
use crate::support::{Db, TestApp, both_backends};

both_backends!(
    an_owner_creates_a_household_and_one_is_the_default_limit,
    an_invitation_is_mailed_and_accepted_once,
    invitation_for_another_address_is_refused,
    invitation_reuse_expiry_revocation,
    two_acceptances_at_once_admit_one,
    only_the_owner_invites_removes_renames_transfers,
    owner_must_transfer_before_leaving,
    a_removed_member_is_told_and_loses_membership,
    household_changes_are_audited_and_announced,
    bad_names_and_addresses_are_refused_and_nothing_is_written,
    an_erased_owner_hands_the_household_to_the_longest_standing_adult,
    household_claim_names_only_with_consent,
);

const INVITE_SUBJECT_PART: &str = "invites you to the household";
const DAY: Duration = Duration::from_secs(86_400);

async fn spawn(db: Db) -> Option<TestApp> {
    TestApp::builder(db).with_clock().without_worker().spawn().await
}

fn me(id: &str) -> Principal {
    Principal::customer(id, "foyer:pwd")
}

/// The token in the newest invitation mailed to `to`.
async fn invitation_token(app: &TestApp, to: &str) -> String {
    app.deliver_outbox().await;
    let rows = app.identity.store().mailbox_recent(500).await.unwrap();
    let mail = rows.iter().find(|m| m.to_addr == to && m.subject.contains(INVITE_SUBJECT_PART)).unwrap_or_else(|| panic!("an invitation to {to}"));
    text_after(&mail.text_body, "/account/household/join?token=")
}

/// An owner with a household named "The Lovelaces", and the household's id.
async fn owner_with_household(app: &TestApp) -> (String, String) {
    let owner = app.with_customer("ada@example.com", PASSWORD).await;
    let household = app.identity.create_household(&me(&owner), &owner, "The Lovelaces").await.unwrap();
    (owner, household)
}

/// `email` invited to and joined the owner's household; the new member's id.
async fn joined(app: &TestApp, owner: &str, household: &str, email: &str) -> String {
    let member = app.with_customer(email, PASSWORD).await;
    app.identity.invite_to_household(&me(owner), owner, household, email, &seed_meta(2)).await.unwrap();
    let token = invitation_token(app, email).await;
    app.identity.accept_household_invitation(&me(&member), &member, &token).await.unwrap();
    member
}

async fn an_owner_creates_a_household_and_one_is_the_default_limit(db: Db) {
    let Some(app) = spawn(db).await else { return };
    let (owner, household) = owner_with_household(&app).await;
    let views = app.identity.households(&me(&owner), &owner).await.unwrap();
    assert_eq!(views.len(), 1);
    assert_eq!(views[0].id, household);
    assert_eq!(views[0].name, "The Lovelaces");
    assert_eq!(views[0].my_role, Role::Owner);
    assert_eq!(views[0].members.len(), 1);
    let second = app.identity.create_household(&me(&owner), &owner, "Another").await;
    assert!(matches!(second, Err(Error::Refused(Refusal::HouseholdLimit(1)))), "{second:?}");
    // An unconfirmed account is provisional: it cannot start a household.
    let unconfirmed = app.with_unconfirmed_customer("new@example.com", PASSWORD).await;
    let refused = app.identity.create_household(&me(&unconfirmed), &unconfirmed, "Mine").await;
    assert!(matches!(refused, Err(Error::Refused(Refusal::ConfirmEmailFirst))), "{refused:?}");
    // Nobody else reads or changes it.
    let other = app.with_customer("eve@example.com", PASSWORD).await;
    assert!(matches!(app.identity.households(&me(&other), &owner).await, Err(Error::Forbidden)));
    assert!(app.identity.households(&me(&other), &other).await.unwrap().is_empty());
    assert!(matches!(app.identity.rename_household(&me(&other), &other, &household, "Mine").await, Err(Error::NotFound(_))));
}

async fn an_invitation_is_mailed_and_accepted_once(db: Db) {
    let Some(app) = spawn(db).await else { return };
    let (owner, household) = owner_with_household(&app).await;
    let member = app.with_customer("charles@example.com", PASSWORD).await;
    app.identity.invite_to_household(&me(&owner), &owner, &household, "Charles@Example.com", &seed_meta(2)).await.unwrap();
    let token = invitation_token(&app, "Charles@Example.com").await;
    let preview = app.identity.household_invitation(&token).await.unwrap();
    assert_eq!(preview.household, "The Lovelaces");
    assert_eq!(preview.state, InvitationState::Open);
    let view = &app.identity.households(&me(&owner), &owner).await.unwrap()[0];
    assert_eq!(view.invitations.len(), 1, "the owner sees the open invitation");
    assert_eq!(app.identity.accept_household_invitation(&me(&member), &member, &token).await.unwrap(), household);
    let mine = &app.identity.households(&me(&member), &member).await.unwrap()[0];
    assert_eq!(mine.my_role, Role::Adult);
    assert_eq!(mine.members.len(), 2);
    assert!(mine.invitations.is_empty(), "only the owner sees invitations");
    assert_eq!(app.identity.household_invitation(&token).await.unwrap().state, InvitationState::Accepted);
    let again = app.identity.accept_household_invitation(&me(&member), &member, &token).await;
    assert!(matches!(again, Err(Error::TokenInvalid)), "{again:?}");
}

async fn invitation_for_another_address_is_refused(db: Db) {
    let Some(app) = spawn(db).await else { return };
    let (owner, household) = owner_with_household(&app).await;
    let intended = app.with_customer("charles@example.com", PASSWORD).await;
    let forwarded_to = app.with_customer("mallory@example.com", PASSWORD).await;
    app.identity.invite_to_household(&me(&owner), &owner, &household, "charles@example.com", &seed_meta(2)).await.unwrap();
    let token = invitation_token(&app, "charles@example.com").await;
    let refused = app.identity.accept_household_invitation(&me(&forwarded_to), &forwarded_to, &token).await;
    assert!(matches!(refused, Err(Error::Refused(Refusal::InvitationForAnotherAddress))), "{refused:?}");
    assert!(app.identity.households(&me(&forwarded_to), &forwarded_to).await.unwrap().is_empty());
    // The invitation stays usable by the person it was for.
    app.identity.accept_household_invitation(&me(&intended), &intended, &token).await.unwrap();
    // An account that has not proven the invited address cannot take it either.
    app.identity.invite_to_household(&me(&owner), &owner, &household, "late@example.com", &seed_meta(2)).await.unwrap();
    let late_token = invitation_token(&app, "late@example.com").await;
    let late = app.with_unconfirmed_customer("late@example.com", PASSWORD).await;
    let unproven = app.identity.accept_household_invitation(&me(&late), &late, &late_token).await;
    assert!(matches!(unproven, Err(Error::Refused(Refusal::ConfirmEmailFirst))), "{unproven:?}");
}

async fn invitation_reuse_expiry_revocation(db: Db) {
    let Some(app) = spawn(db).await else { return };
    let (owner, household) = owner_with_household(&app).await;
    let member = app.with_customer("charles@example.com", PASSWORD).await;
    // Expired after 7 days.
    app.identity.invite_to_household(&me(&owner), &owner, &household, "charles@example.com", &seed_meta(2)).await.unwrap();
    let token = invitation_token(&app, "charles@example.com").await;
    app.advance(7 * DAY + Duration::from_secs(1));
    assert_eq!(app.identity.household_invitation(&token).await.unwrap().state, InvitationState::Expired);
    assert!(matches!(app.identity.accept_household_invitation(&me(&member), &member, &token).await, Err(Error::TokenInvalid)));
    // Revoked by the owner.
    let id = app.identity.invite_to_household(&me(&owner), &owner, &household, "charles@example.com", &seed_meta(2)).await.unwrap();
    let token = invitation_token(&app, "charles@example.com").await;
    app.identity.revoke_household_invitation(&me(&owner), &owner, &household, &id).await.unwrap();
    assert_eq!(app.identity.household_invitation(&token).await.unwrap().state, InvitationState::Revoked);
    assert!(matches!(app.identity.accept_household_invitation(&me(&member), &member, &token).await, Err(Error::TokenInvalid)));
    assert!(matches!(app.identity.revoke_household_invitation(&me(&owner), &owner, &household, &id).await, Err(Error::NotFound(_))), "once");
    // A new invitation replaces the open one to the same address.
    app.identity.invite_to_household(&me(&owner), &owner, &household, "charles@example.com", &seed_meta(2)).await.unwrap();
    let first = invitation_token(&app, "charles@example.com").await;
    app.identity.invite_to_household(&me(&owner), &owner, &household, "charles@example.com", &seed_meta(2)).await.unwrap();
    let second = invitation_token(&app, "charles@example.com").await;
    assert_ne!(first, second);
    assert_eq!(app.identity.household_invitation(&first).await.unwrap().state, InvitationState::Revoked);
    assert_eq!(app.identity.households(&me(&owner), &owner).await.unwrap()[0].invitations.len(), 1);
    // Unknown and malformed tokens.
    assert!(matches!(app.identity.household_invitation("nope").await, Err(Error::TokenInvalid)));
    assert!(matches!(app.identity.accept_household_invitation(&me(&member), &member, "").await, Err(Error::TokenInvalid)));
    app.identity.accept_household_invitation(&me(&member), &member, &second).await.unwrap();
}

async fn two_acceptances_at_once_admit_one(db: Db) {
    let Some(app) = spawn(db).await else { return };
    let (owner, household) = owner_with_household(&app).await;
    let member = app.with_customer("charles@example.com", PASSWORD).await;
    app.identity.invite_to_household(&me(&owner), &owner, &household, "charles@example.com", &seed_meta(2)).await.unwrap();
    let token = invitation_token(&app, "charles@example.com").await;
    let tries = (0..8).map(|_| {
        let (identity, member, token) = (app.identity.clone(), member.clone(), token.clone());
        tokio::spawn(async move { identity.accept_household_invitation(&me(&member), &member, &token).await })
    });
    let results: Vec<_> = futures::future::join_all(tries).await.into_iter().map(Result::unwrap).collect();
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1, "{results:?}");
    assert!(results.iter().all(|r| r.is_ok() || matches!(r, Err(Error::TokenInvalid | Error::Refused(Refusal::AlreadyMember | Refusal::HouseholdLimit(_)) | Error::Busy { .. }))), "{results:?}");
    assert_eq!(app.identity.households(&me(&owner), &owner).await.unwrap()[0].members.len(), 2);
}

async fn only_the_owner_invites_removes_renames_transfers(db: Db) {
    let Some(app) = spawn(db).await else { return };
    let (owner, household) = owner_with_household(&app).await;
    let adult = joined(&app, &owner, &household, "charles@example.com").await;
    let other = joined(&app, &owner, &household, "mary@example.com").await;
    let id = &app.identity;
    assert!(matches!(id.invite_to_household(&me(&adult), &adult, &household, "x@example.com", &seed_meta(3)).await, Err(Error::Forbidden)));
    assert!(matches!(id.remove_household_member(&me(&adult), &adult, &household, &other).await, Err(Error::Forbidden)));
    assert!(matches!(id.rename_household(&me(&adult), &adult, &household, "Mine now").await, Err(Error::Forbidden)));
    assert!(matches!(id.transfer_household(&me(&adult), &adult, &household, &adult).await, Err(Error::Forbidden)));
    assert!(matches!(id.remove_household_member(&me(&adult), &adult, &household, &owner).await, Err(Error::Forbidden)));
    // Nor through another principal kind, nor acting on the owner's id.
    assert!(matches!(id.rename_household(&me(&adult), &owner, &household, "x").await, Err(Error::Forbidden)));
    let delegate = Principal::Delegate {
        actor: adult.clone(),
        subject: owner.clone(),
        grant: "g".into(),
        permissions: identity::households::Permission::GUARDIAN.to_vec(),
    };
    assert!(matches!(id.rename_household(&delegate, &owner, &household, "x").await, Err(Error::Forbidden)), "a delegate never runs the household");
    // The owner may.
    id.rename_household(&me(&owner), &owner, &household, "The Babbages").await.unwrap();
    id.transfer_household(&me(&owner), &owner, &household, &adult).await.unwrap();
    let view = &id.households(&me(&adult), &adult).await.unwrap()[0];
    assert_eq!((view.name.as_str(), view.my_role), ("The Babbages", Role::Owner));
    assert_eq!(id.households(&me(&owner), &owner).await.unwrap()[0].my_role, Role::Adult);
    assert!(matches!(id.rename_household(&me(&owner), &owner, &household, "Back").await, Err(Error::Forbidden)), "the former owner lost the owner's acts");
    assert!(matches!(id.transfer_household(&me(&adult), &adult, &household, "not-a-member").await, Err(Error::NotFound(_))));
}

async fn owner_must_transfer_before_leaving(db: Db) {
    let Some(app) = spawn(db).await else { return };
    let (owner, household) = owner_with_household(&app).await;
    let adult = joined(&app, &owner, &household, "charles@example.com").await;
    let id = &app.identity;
    let refused = id.leave_household(&me(&owner), &owner, &household).await;
    assert!(matches!(refused, Err(Error::Refused(Refusal::OwnerMustTransfer))), "{refused:?}");
    id.leave_household(&me(&adult), &adult, &household).await.unwrap();
    assert!(id.households(&me(&adult), &adult).await.unwrap().is_empty());
    // Alone, the owner may leave; the empty household is gone.
    id.leave_household(&me(&owner), &owner, &household).await.unwrap();
    assert!(id.households(&me(&owner), &owner).await.unwrap().is_empty());
    assert!(matches!(id.leave_household(&me(&owner), &owner, &household).await, Err(Error::NotFound(_))));
    // Having left, a new household can be created (the limit counts memberships).
    id.create_household(&me(&owner), &owner, "Fresh start").await.unwrap();
}

async fn a_removed_member_is_told_and_loses_membership(db: Db) {
    let Some(app) = spawn(db).await else { return };
    let (owner, household) = owner_with_household(&app).await;
    let adult = joined(&app, &owner, &household, "charles@example.com").await;
    app.identity.remove_household_member(&me(&owner), &owner, &household, &adult).await.unwrap();
    assert!(app.identity.households(&me(&adult), &adult).await.unwrap().is_empty());
    let text = app.mail_text("charles@example.com", "You are no longer in the household “The Lovelaces”").await;
    assert!(text.contains("Your own account"), "{text}");
    assert!(matches!(app.identity.remove_household_member(&me(&owner), &owner, &household, &adult).await, Err(Error::NotFound(_))));
    assert!(matches!(app.identity.remove_household_member(&me(&owner), &owner, &household, &owner).await, Err(Error::Forbidden)), "the owner leaves, not removes");
}

async fn household_changes_are_audited_and_announced(db: Db) {
    let Some(app) = spawn(db).await else { return };
    let (owner, household) = owner_with_household(&app).await;
    let adult = joined(&app, &owner, &household, "charles@example.com").await;
    app.identity.remove_household_member(&me(&owner), &owner, &household, &adult).await.unwrap();
    let trail = app.identity.store().audit_trail(&format!("customer:{adult}")).await.unwrap();
    let actions: Vec<&str> = trail.iter().map(|r| r.action.as_str()).collect();
    assert!(actions.contains(&"household.joined") && actions.contains(&"household.removed"), "{actions:?}");
    let removed = trail.iter().find(|r| r.action == "household.removed").unwrap();
    assert_eq!(removed.actor, format!("customer:{owner}"), "the owner did it");
    assert!(!removed.detail.contains("charles"), "no address in the log: {}", removed.detail);
    let owner_trail = app.identity.store().audit_trail(&format!("customer:{owner}")).await.unwrap();
    let invited = owner_trail.iter().find(|r| r.action == "household.invited").unwrap();
    assert!(!invited.detail.contains('@'), "the invited address is not logged: {}", invited.detail);
    let kinds = app.identity.store().outbox_kinds().await.unwrap();
    for kind in ["household.member_added", "household.member_removed"] {
        assert!(kinds.iter().any(|k| k == kind), "{kind} in {kinds:?}");
    }
}

async fn bad_names_and_addresses_are_refused_and_nothing_is_written(db: Db) {
    let Some(app) = spawn(db).await else { return };
    let owner = app.with_customer("ada@example.com", PASSWORD).await;
    for name in ["", "   ", "a\u{7}b", &"x".repeat(81)] {
        let refused = app.identity.create_household(&me(&owner), &owner, name).await;
        assert!(matches!(refused, Err(Error::Invalid(_))), "{name:?}: {refused:?}");
    }
    assert!(app.identity.households(&me(&owner), &owner).await.unwrap().is_empty());
    let household = app.identity.create_household(&me(&owner), &owner, "The Lovelaces").await.unwrap();
    for email in ["not an address", "", "a@", "ada@example.com"] {
        let refused = app.identity.invite_to_household(&me(&owner), &owner, &household, email, &seed_meta(2)).await;
        assert!(matches!(refused, Err(Error::Invalid(_) | Error::Refused(Refusal::AlreadyMember))), "{email:?}: {refused:?}");
    }
    assert!(app.identity.households(&me(&owner), &owner).await.unwrap()[0].invitations.is_empty());
}

async fn an_erased_owner_hands_the_household_to_the_longest_standing_adult(db: Db) {
    let Some(app) = spawn(db).await else { return };
    let (owner, household) = owner_with_household(&app).await;
    let first = joined(&app, &owner, &household, "charles@example.com").await;
    app.advance(Duration::from_secs(60));
    let second = joined(&app, &owner, &household, "mary@example.com").await;
    app.identity.request_deletion(&me(&owner), &owner, "ada@example.com", &seed_meta(4)).await.unwrap();
    // Until the erasure the owner is still there (a cancelled deletion keeps the household).
    assert_eq!(app.identity.households(&me(&first), &first).await.unwrap()[0].members.len(), 3);
    app.advance(15 * DAY);
    app.identity.sweep_privacy(&Principal::System).await.unwrap();
    let view = &app.identity.households(&me(&first), &first).await.unwrap()[0];
    assert_eq!(view.my_role, Role::Owner, "the longest-standing adult owns it now");
    assert_eq!(view.members.len(), 2);
    assert_eq!(app.identity.households(&me(&second), &second).await.unwrap()[0].my_role, Role::Adult);
    assert!(app.identity.store().outbox_kinds().await.unwrap().iter().any(|k| k == "household.member_removed"));
}

/// The group purpose that lets brands see a member's name in the household claim.
async fn names_purpose(app: &TestApp) -> String {
    let spec = NewPurpose {
        brand: None,
        key: identity::households::claim::NAMES_PURPOSE.into(),
        titles: vec![("en".into(), "Show my name to brands in my household's details".into()), ("de".into(), "Meinen Namen zeigen".into())],
        descriptions: vec![("en".into(), "Brands see your name among your household's members.".into()), ("de".into(), "Marken sehen Ihren Namen.".into())],
        legal_basis: "consent".into(),
        required: false,
        data_categories: vec!["identity".into()],
        retention: None,
        channels: vec![],
    };
    let purpose = app.identity.create_purpose(&Principal::Operator, &spec).await.unwrap();
    let version = NewVersion { key: spec.key.clone(), body: Some("Your name, to brands.".into()), ..NewVersion::default() };
    app.identity.publish_purpose_version(&Principal::Operator, &version).await.unwrap();
    purpose.id
}

async fn household_claim_names_only_with_consent(db: Db) {
    let Some(app) = spawn(db).await else { return };
    let (owner, household) = owner_with_household(&app).await;
    let adult = joined(&app, &owner, &household, "charles@example.com").await;
    for (id, given, family) in [(&owner, "Ada", "Lovelace"), (&adult, "Charles", "Babbage")] {
        let form = ProfileForm { given_name: Some(given.into()), family_name: Some(family.into()), ..ProfileForm::default() };
        app.identity.update_profile(&me(id), id, &form).await.unwrap();
    }
    let purpose = names_purpose(&app).await;
    let evidence = Evidence { collection: Collection::Portal, request_id: None, user_agent: None, language: Locale::En, ticket: None };
    let choice = Choice { purpose_id: purpose, channel: None, decision: Decision::Granted };
    app.identity.decide_purposes(&me(&adult), &adult, &[choice], &evidence).await.unwrap();

    app.with_brand("air").await;
    app.with_brand("hotels").await;
    let air = Rp::register(&app, ClientSpec::new("air", "Air web").redirect_uri(REDIRECT).scope("openid profile household")).await;
    let hotels = Rp::register(&app, ClientSpec::new("hotels", "Hotels web").redirect_uri(REDIRECT).scope("openid profile household")).await;
    let browser = Browser::new(&app);
    browser.sign_in("ada@example.com").await;
    let signed = air.sign_in(&browser, &["household"]).await;
    let claim = jwt_parts(&signed.id_token.to_string()).1["household"].clone();
    assert_eq!(claim["role"], "owner", "{claim}");
    assert_eq!(claim["members"], 2, "{claim}");
    assert_eq!(claim["member_names"], serde_json::json!(["Charles Babbage"]), "only the member who agreed: {claim}");
    assert!(!claim.to_string().contains(&household), "the household's own id is never released: {claim}");
    let at_hotels = jwt_parts(&hotels.sign_in(&browser, &["household"]).await.id_token.to_string()).1["household"].clone();
    assert_ne!(at_hotels["id"], claim["id"], "each brand sees its own reference");
    // Without the scope, nothing.
    let plain = jwt_parts(&air.sign_in(&browser, &["profile"]).await.id_token.to_string()).1;
    assert!(plain.get("household").is_none(), "{plain}");
}
