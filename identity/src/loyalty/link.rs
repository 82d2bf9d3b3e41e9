//! A customer's links to their memberships (`docs/design/loyalty.md` "The link's life"):
//! link with proof of control (a code mailed to the brand's address on file, the card's
//! one-time code, or a pending link the brand or support decides), send a new code,
//! unlink. A guardian or a delegate holding `manage_loyalty` acts through the same use
//! cases with their principal ([`Action::ManageLoyalty`]).

use super::programme::Programme;
use super::{
    CODE_MS, FREE_FAILURES, LinkStatus, MAX_CODE_ATTEMPTS, MAX_CODE_SENDS, Verification, card_code_hash, last4, mailed_code_hash, masked, parse_card_code,
    throttle_key, well_formed_code,
};
use crate::accounts::{MailTo, RequestMeta};
use crate::audit::{self, AuditEvent};
use crate::domain::ParseError;
use crate::email::{Template, mail_locale};
use crate::error::Refusal;
use crate::outbox::{LoyaltyEventKind, OutboxEvent, enqueue};
use crate::principal::{Action, Principal, Subject, authorize};
use crate::service::ct_eq;
use crate::store::loyalty::{self as rows, LinkRow, ListedLink};
use crate::store::{Tx, customers};
use crate::{Error, Identity, Result, UnixMillis};

/// `decided_by` of a link the customer proved or ended. Never a customer's id: who acted
/// is in the audit log (and a guardian's id must not outlive the guardian's erasure).
const PROVEN_BY_CARD_CODE: &str = "proof:card-code";
const PROVEN_BY_MAILED_CODE: &str = "proof:mailed-code";
const UNLINKED_BY_CUSTOMER: &str = "customer";

/// How long a rejected link stays on the customer's page.
const REJECTED_SHOWN_MS: i64 = 30 * 24 * 3_600_000;

/// One membership as the customer's page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkView {
    pub id: String,
    pub programme_slug: String,
    pub programme_name: String,
    pub brand_name: String,
    pub verification: Verification,
    /// All but the last four characters hidden.
    pub number_masked: String,
    pub status: LinkStatus,
    /// As the brand last reported it (verified links only).
    pub tier: Option<String>,
    pub points: Option<i64>,
    pub member_status: Option<String>,
    pub reported_at: Option<UnixMillis>,
    /// Since when it is in its status.
    pub since: UnixMillis,
    /// A pending `email` link whose code is live: the page asks for it.
    pub code_expires_at: Option<UnixMillis>,
    /// A pending `email` link can mail another code.
    pub can_resend: bool,
    pub pooled: bool,
}

/// What asking for a link did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkOutcome {
    /// Proven at once (the card's code).
    Verified,
    /// A code went to the address the brand has on file.
    CodeSent,
    /// Waiting for the brand or support.
    Pending,
}

impl LinkView {
    pub(crate) fn from_listed(l: ListedLink, now: UnixMillis) -> Self {
        let status = LinkStatus::parse(&l.link.status).unwrap_or(LinkStatus::Pending);
        let verification = Verification::parse(&l.verification).unwrap_or(Verification::Support);
        let verified = status == LinkStatus::Verified;
        let code_live = status == LinkStatus::Pending && l.link.code_hash.is_some();
        let code_expires_at = l.link.code_sent_at.map(|at| at + CODE_MS).filter(|exp| code_live && *exp > now);
        Self {
            since: l.link.decided_at.unwrap_or(l.link.requested_at),
            can_resend: status == LinkStatus::Pending && verification == Verification::Email && l.link.code_sends < MAX_CODE_SENDS,
            number_masked: masked(&l.link.number),
            tier: l.tier.filter(|_| verified),
            points: l.points.filter(|_| verified),
            member_status: l.member_status.filter(|_| verified),
            reported_at: l.member_updated_at.filter(|_| verified),
            pooled: l.link.pooled == 1,
            id: l.link.id,
            programme_slug: l.programme_slug,
            programme_name: l.programme_name,
            brand_name: l.brand_name,
            verification,
            status,
            code_expires_at,
        }
    }
}

impl Identity {
    /// The customer's memberships: live links, and those rejected in the last 30 days.
    pub async fn loyalty_links(&self, principal: &Principal, customer_id: &str) -> Result<Vec<LinkView>> {
        authorize(principal, Action::ManageLoyalty, Subject::Customer(customer_id))?;
        let now = self.clock.now();
        let mut conn = self.store.pool().acquire().await?;
        Ok(rows::links_of(&mut conn, customer_id, now - REJECTED_SHOWN_MS).await?.into_iter().map(|l| LinkView::from_listed(l, now)).collect())
    }

    /// Links `number` in the programme `programme_slug` to the customer, proven as the
    /// programme says (`card_code` for the `code` method). A number verified for someone
    /// else is refused and its holder mailed; refused numbers and wrong codes count on
    /// the customer's throttle key. Returns the link's id (`None` when nothing was linked).
    pub async fn request_link(
        &self,
        principal: &Principal,
        customer_id: &str,
        programme_slug: &str,
        number: &str,
        card_code: Option<&str>,
        meta: &RequestMeta,
    ) -> Result<(String, LinkOutcome)> {
        authorize(principal, Action::ManageLoyalty, Subject::Customer(customer_id))?;
        let now = self.clock.now();
        let key = throttle_key(customer_id);
        self.store.throttle_check(&[&key], now).await?;
        let customer = self.store.customer_by_id(customer_id).await?.ok_or(Error::NotFound("customer"))?;
        // A pre-account hijacker (unconfirmed address) links nothing; a managed member has
        // no address and is vouched for by the guardian acting.
        if !customer.email_verified && !customer.managed {
            return Err(Error::Refused(Refusal::ConfirmEmailFirst));
        }
        let mut conn = self.store.pool().acquire().await?;
        let programme = self.programme_on(&mut conn, programme_slug.trim()).await?;
        let number = programme.format()?.parse(number).map_err(|e| Error::Fields(vec![e]))?;
        let card_code = match (programme.verification, card_code.map(str::trim).filter(|c| !c.is_empty())) {
            (Verification::Code, None) => return Err(Error::Fields(vec![ParseError::Missing { field: "Verification code" }])),
            (Verification::Code, Some(code)) => Some(parse_card_code(code).map_err(|e| Error::Fields(vec![e]))?),
            _ => None,
        };
        if rows::links_of(&mut conn, customer_id, now).await?.iter().any(|l| l.link.programme_id == programme.id && is_live(&l.link)) {
            return Err(Error::Refused(Refusal::LoyaltyAlreadyLinked));
        }
        if let Some(holder) = rows::verified_holder(&mut conn, &programme.id, &number).await? {
            self.tell_holder(&holder, &programme, &number, meta, now).await?;
            self.store.throttle_fail(&key, now, FREE_FAILURES).await?;
            return Err(Error::Refused(Refusal::LoyaltyNumberTaken));
        }
        let member = rows::member(&mut conn, &programme.id, &number).await?;
        drop(conn);
        let mut row = LinkRow {
            id: self.new_id(),
            programme_id: programme.id.clone(),
            customer_id: customer_id.into(),
            number: number.clone(),
            status: LinkStatus::Pending.as_str().into(),
            requested_at: now,
            linked_by: match principal {
                Principal::Delegate { actor, .. } => Some(actor.clone()),
                _ => None,
            },
            ..LinkRow::default()
        };
        let outcome = match programme.verification {
            Verification::Email => {
                let address = member.as_ref().filter(|m| m.status != "closed").and_then(|m| m.email.clone());
                let Some(address) = address else {
                    self.store.throttle_fail(&key, now, FREE_FAILURES).await?;
                    return Err(Error::Refused(Refusal::LoyaltyNotVerifiable));
                };
                let code = self.new_code();
                row.code_hash = Some(mailed_code_hash(&row.id, &code));
                row.code_sent_at = Some(now);
                row.code_sends = 1;
                let mut tx = self.store.begin().await?;
                self.insert_link(&mut tx, &row).await?;
                let to = MailTo { email: &address, locale: mail_locale(customer.preferred_language.as_deref(), meta.locale), brand: None, zone: customer.zoneinfo.as_deref() };
                self.queue_code_mail(&mut tx, &to, &programme, &code, now).await?;
                self.record_link(&mut tx, principal, &row, &programme, "loyalty.link_requested", now).await?;
                tx.commit().await?;
                // Each code is a mail to someone else's address: it counts, so starting
                // over and over cannot flood the card holder's inbox.
                self.store.throttle_fail(&key, now, FREE_FAILURES).await?;
                LinkOutcome::CodeSent
            }
            Verification::Code => {
                let stored = member.as_ref().filter(|m| m.status != "closed").and_then(|m| m.code_hash.clone());
                let given = card_code_hash(&programme.id, &number, card_code.as_deref().unwrap_or_default());
                if !stored.as_deref().is_some_and(|s| ct_eq(s, &given)) {
                    let mut conn = self.store.pool().acquire().await?;
                    rows::count_wrong_card_code(&mut conn, &programme.id, &number, MAX_CODE_ATTEMPTS).await?;
                    self.store.throttle_fail(&key, now, FREE_FAILURES).await?;
                    return Err(Error::TokenInvalid);
                }
                row.status = LinkStatus::Verified.as_str().into();
                row.decided_at = Some(now);
                row.decided_by = Some(PROVEN_BY_CARD_CODE.into());
                let mut tx = self.store.begin().await?;
                if !rows::spend_card_code(&mut tx, &programme.id, &number, &given).await? {
                    return Err(Error::TokenInvalid);
                }
                self.insert_link(&mut tx, &row).await?;
                self.record_link(&mut tx, principal, &row, &programme, "loyalty.link_requested", now).await?;
                self.record_link(&mut tx, principal, &row, &programme, "loyalty.linked", now).await?;
                tx.commit().await?;
                LinkOutcome::Verified
            }
            Verification::BrandApi | Verification::Support => {
                let mut tx = self.store.begin().await?;
                self.insert_link(&mut tx, &row).await?;
                self.record_link(&mut tx, principal, &row, &programme, "loyalty.link_requested", now).await?;
                tx.commit().await?;
                LinkOutcome::Pending
            }
        };
        Ok((row.id, outcome))
    }

    /// Mails another code for a pending `email` link (at most [`MAX_CODE_SENDS`] per link).
    pub async fn resend_link_code(&self, principal: &Principal, customer_id: &str, link_id: &str, meta: &RequestMeta) -> Result<()> {
        authorize(principal, Action::ManageLoyalty, Subject::Customer(customer_id))?;
        let now = self.clock.now();
        let key = throttle_key(customer_id);
        self.store.throttle_check(&[&key], now).await?;
        let (link, programme) = self.own_link(customer_id, link_id).await?;
        if link.link.status != LinkStatus::Pending.as_str() || programme.verification != Verification::Email {
            return Err(Error::NotFound("loyalty link"));
        }
        if link.link.code_sends >= MAX_CODE_SENDS {
            return Err(Error::Throttled { retry_after_secs: (CODE_MS / 1000).max(1) });
        }
        let customer = self.store.customer_by_id(customer_id).await?.ok_or(Error::NotFound("customer"))?;
        let mut conn = self.store.pool().acquire().await?;
        let member = rows::member(&mut conn, &programme.id, &link.link.number).await?;
        drop(conn);
        let Some(address) = member.filter(|m| m.status != "closed").and_then(|m| m.email) else {
            return Err(Error::Refused(Refusal::LoyaltyNotVerifiable));
        };
        let code = self.new_code();
        let mut tx = self.store.begin().await?;
        if !rows::set_mailed_code(&mut tx, &link.link.id, &mailed_code_hash(&link.link.id, &code), MAX_CODE_SENDS, now).await? {
            return Err(Error::Throttled { retry_after_secs: (CODE_MS / 1000).max(1) });
        }
        let to = MailTo { email: &address, locale: mail_locale(customer.preferred_language.as_deref(), meta.locale), brand: None, zone: customer.zoneinfo.as_deref() };
        self.queue_code_mail(&mut tx, &to, &programme, &code, now).await?;
        tx.commit().await?;
        self.store.throttle_fail(&key, now, FREE_FAILURES).await?;
        Ok(())
    }

    /// The mailed code proves a pending `email` link. A wrong or expired code counts (the
    /// [`MAX_CODE_ATTEMPTS`]th spends it) and on the customer's throttle key.
    pub async fn confirm_link_code(&self, principal: &Principal, customer_id: &str, link_id: &str, code: &str) -> Result<()> {
        authorize(principal, Action::ManageLoyalty, Subject::Customer(customer_id))?;
        let now = self.clock.now();
        let key = throttle_key(customer_id);
        self.store.throttle_check(&[&key], now).await?;
        let (link, programme) = self.own_link(customer_id, link_id).await?;
        if link.link.status != LinkStatus::Pending.as_str() {
            return Err(Error::TokenInvalid);
        }
        let code = code.trim();
        let live = link.link.code_sent_at.is_some_and(|at| at + CODE_MS > now);
        let right = well_formed_code(code) && link.link.code_hash.as_deref().is_some_and(|h| ct_eq(h, &mailed_code_hash(&link.link.id, code)));
        if !(live && right) {
            let mut conn = self.store.pool().acquire().await?;
            rows::count_wrong_mailed_code(&mut conn, &link.link.id, MAX_CODE_ATTEMPTS).await?;
            self.store.throttle_fail(&key, now, FREE_FAILURES).await?;
            return Err(Error::TokenInvalid);
        }
        let mut tx = self.store.begin().await?;
        if !rows::set_status(&mut tx, &link.link.id, "pending", "verified", PROVEN_BY_MAILED_CODE, None, now).await? {
            drop(tx);
            return Err(self.why_not_verified(&programme, &link.link.number, customer_id).await);
        }
        self.record_link(&mut tx, principal, &link.link, &programme, "loyalty.linked", now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Ends a live link (pending or verified): one click, audited, `loyalty.unlinked`;
    /// pooling ends with it.
    pub async fn unlink(&self, principal: &Principal, customer_id: &str, link_id: &str) -> Result<()> {
        authorize(principal, Action::ManageLoyalty, Subject::Customer(customer_id))?;
        let now = self.clock.now();
        let (link, programme) = self.own_link(customer_id, link_id).await?;
        if !is_live(&link.link) {
            return Err(Error::NotFound("loyalty link"));
        }
        let mut tx = self.store.begin().await?;
        if !rows::set_status(&mut tx, &link.link.id, &link.link.status, "unlinked", UNLINKED_BY_CUSTOMER, None, now).await? {
            return Err(Error::NotFound("loyalty link"));
        }
        self.record_link(&mut tx, principal, &link.link, &programme, "loyalty.unlinked", now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The customer's link `link_id` with its programme, or `NotFound` (another
    /// customer's link looks exactly like no link).
    async fn own_link(&self, customer_id: &str, link_id: &str) -> Result<(ListedLink, Programme)> {
        let mut conn = self.store.pool().acquire().await?;
        let link = rows::link(&mut conn, link_id).await?.filter(|l| l.link.customer_id == customer_id).ok_or(Error::NotFound("loyalty link"))?;
        let programme = self.programme_on(&mut conn, &link.programme_slug).await?;
        Ok((link, programme))
    }

    /// Inserts a new link; a live link of the customer in the programme (or, for a
    /// verified one, the number verified for someone else) refuses it.
    async fn insert_link(&self, tx: &mut Tx, row: &LinkRow) -> Result<()> {
        if rows::insert_link(tx, row).await? {
            return Ok(());
        }
        Err(Error::Refused(if row.status == LinkStatus::Verified.as_str() { Refusal::LoyaltyNumberTaken } else { Refusal::LoyaltyAlreadyLinked }))
    }

    /// Why moving a link to verified failed: the number went to someone else first, or
    /// the link changed under us.
    pub(crate) async fn why_not_verified(&self, programme: &Programme, number: &str, customer_id: &str) -> Error {
        let holder = match self.store.pool().acquire().await {
            Ok(mut conn) => rows::verified_holder(&mut conn, &programme.id, number).await,
            Err(e) => Err(e.into()),
        };
        match holder {
            Ok(Some(h)) if h != customer_id => Error::Refused(Refusal::LoyaltyNumberTaken),
            Ok(_) => Error::TokenInvalid,
            Err(e) => e,
        }
    }

    /// The holder of a verified number is told someone tried to link it.
    async fn tell_holder(&self, holder_id: &str, programme: &Programme, number: &str, meta: &RequestMeta, now: UnixMillis) -> Result<()> {
        let mut tx = self.store.begin().await?;
        let Some(holder) = customers::by_id_tx(&mut tx, holder_id).await? else { return Ok(()) };
        let tail = last4(number);
        let args = [("programme", programme.name.as_str()), ("last4", tail.as_str())];
        let template = Template::Notice {
            subject: "mail-loyalty-taken-subject",
            paras: &["mail-loyalty-taken-body", "mail-loyalty-taken-action"],
            args: &args,
            link: None,
        };
        self.queue_mail(&mut tx, &MailTo::customer(&holder, meta.locale, None), template, now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn queue_code_mail(&self, tx: &mut Tx, to: &MailTo<'_>, programme: &Programme, code: &str, now: UnixMillis) -> Result<()> {
        let args = [("code", code), ("programme", programme.name.as_str()), ("brand", programme.brand_name.as_str())];
        let template = Template::Notice {
            subject: "mail-loyalty-code-subject",
            paras: &["mail-loyalty-code-body", "mail-loyalty-code-expiry", "mail-loyalty-code-ignore"],
            args: &args,
            link: None,
        };
        self.queue_mail(tx, to, template, now).await
    }

    /// The audit row on the customer and the outbox event for a link's step.
    pub(crate) async fn record_link(&self, tx: &mut Tx, principal: &Principal, link: &LinkRow, programme: &Programme, action: &'static str, now: UnixMillis) -> Result<()> {
        self.audit_link(tx, principal, link, programme, action, now).await?;
        self.link_event(tx, link, programme, action, now).await
    }

    /// The audit row on the customer for a link's step (ids and the last four digits).
    pub(crate) async fn audit_link(&self, tx: &mut Tx, principal: &Principal, link: &LinkRow, programme: &Programme, action: &'static str, now: UnixMillis) -> Result<()> {
        let detail = serde_json::json!({ "link": link.id, "programme": programme.slug, "number_last4": last4(&link.number) });
        audit::record(tx, &AuditEvent { at: now, actor: principal.actor(), subject: Some(format!("customer:{}", link.customer_id)), action, reason: None, detail }).await
    }

    /// The outbox event of a link's step (`action`: `loyalty.link_requested`,
    /// `loyalty.linked`, `loyalty.rejected`, `loyalty.unlinked`), without an audit row:
    /// a support decision writes its own (`support.loyalty_decided`).
    pub(crate) async fn link_event(&self, tx: &mut Tx, link: &LinkRow, programme: &Programme, action: &str, now: UnixMillis) -> Result<()> {
        let event = OutboxEvent::Loyalty {
            kind: match action {
                "loyalty.link_requested" => LoyaltyEventKind::LinkRequested,
                "loyalty.linked" => LoyaltyEventKind::Linked,
                "loyalty.rejected" => LoyaltyEventKind::Rejected,
                _ => LoyaltyEventKind::Unlinked,
            },
            link_id: link.id.clone(),
            programme: programme.slug.clone(),
            brand_id: programme.brand_id.clone(),
            customer_id: link.customer_id.clone(),
            at: now,
        };
        enqueue(tx, &event, now).await?;
        Ok(())
    }
}

fn is_live(link: &LinkRow) -> bool {
    LinkStatus::parse(&link.status).is_some_and(LinkStatus::is_live)
}
