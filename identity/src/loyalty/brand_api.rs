//! What a brand's back end does with its own programme (the machine API,
//! `/api/v1/loyalty/{programme}/…`): page through links by status, confirm or reject a
//! link, report what it knows of a member number. Every use case authorizes
//! [`Action::RunLoyaltyProgramme`] on the programme's brand, so a brand only ever sees its
//! own programmes; another brand's programme answers exactly like an unknown one.

use super::programme::Programme;
use super::{Decision, LinkStatus, MemberStatus, after_decision, card_code_hash, last4, parse_card_code};
use crate::accounts::MailTo;
use crate::audit::{self, AuditEvent};
use crate::domain::{Email, ParseError};
use crate::email::Template;
use crate::principal::{Action, Principal, Subject, authorize};
use crate::store::loyalty::{self as rows, LinkRow, MemberRow};
use crate::store::{Tx, customers};
use crate::{Error, Identity, Result, UnixMillis};

/// The most links one page holds.
pub const MAX_PAGE: i64 = 200;
const MAX_REASON: usize = 500;
const MAX_POINTS: i64 = 1_000_000_000_000;

/// One link as the brand's back end sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrandLink {
    pub id: String,
    pub number: String,
    pub status: LinkStatus,
    pub requested_at: UnixMillis,
    pub decided_at: Option<UnixMillis>,
    /// The customer's `sub` as the calling client sees it (pairwise where it is).
    pub sub: String,
}

/// A page of links and the cursor of the next one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinksPage {
    pub links: Vec<BrandLink>,
    pub next: Option<String>,
}

/// What the brand reports about a member number (`PUT …/members/{number}`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemberReport {
    pub status: String,
    pub tier: Option<String>,
    pub points: Option<i64>,
    /// The address on file, for the `email` method.
    pub email: Option<String>,
    /// A new one-time card code (`code` method); `None` keeps the current one.
    pub verification_code: Option<String>,
}

/// A member number as Foyer now holds it (the address and code are never echoed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberView {
    pub number: String,
    pub status: String,
    pub tier: Option<String>,
    pub points: Option<i64>,
    pub has_email: bool,
    pub has_code: bool,
    pub updated_at: UnixMillis,
    /// Whether a customer holds this number verified.
    pub linked: bool,
}

impl Identity {
    /// The programme `slug` if `principal` may run it. Another brand's programme is
    /// `NotFound`, exactly like an unknown one; the brand's own client without the
    /// `loyalty:manage` scope is `Forbidden`.
    async fn run_programme(&self, principal: &Principal, slug: &str) -> Result<Programme> {
        let mut conn = self.store.pool().acquire().await?;
        let programme = self.programme_on(&mut conn, slug).await?;
        if let Principal::Machine { brand, .. } = principal
            && *brand != programme.brand_id
        {
            return Err(Error::NotFound("loyalty programme"));
        }
        authorize(principal, Action::RunLoyaltyProgramme, Subject::Brand(&programme.brand_id))?;
        Ok(programme)
    }

    /// A page of the programme's links in `status`, oldest request first, after the
    /// cursor `after` (the previous page's `next`).
    pub async fn brand_links(&self, principal: &Principal, slug: &str, status: &str, after: Option<&str>, limit: i64) -> Result<LinksPage> {
        let programme = self.run_programme(principal, slug).await?;
        let status = LinkStatus::parse(status)
            .ok_or(Error::Fields(vec![ParseError::Malformed { field: "status", reason: "use pending, verified, rejected or unlinked" }]))?;
        if !(1..=MAX_PAGE).contains(&limit) {
            return Err(Error::Fields(vec![ParseError::Malformed { field: "limit", reason: "use 1 to 200" }]));
        }
        let cursor = after.map(parse_cursor).transpose()?;
        let mut conn = self.store.pool().acquire().await?;
        let rows = rows::page(&mut conn, &programme.id, status.as_str(), cursor.as_ref().map(|(at, id)| (*at, id.as_str())), limit + 1).await?;
        drop(conn);
        let more = rows.len() > usize::try_from(limit).unwrap_or(usize::MAX);
        let rows: Vec<_> = rows.into_iter().take(usize::try_from(limit).unwrap_or(0)).collect();
        let client = match principal {
            Principal::Machine { client, .. } => self.client_by_id(client).await?,
            _ => None,
        };
        let ids: Vec<&str> = rows.iter().map(|r| r.customer_id.as_str()).collect();
        let subs = match &client {
            Some(client) => self.subjects_for(client, &ids).await?,
            None => ids.iter().map(|id| (*id).to_owned()).collect(),
        };
        let next = if more { rows.last().map(|r| format!("{}.{}", r.requested_at, r.id)) } else { None };
        let links = rows
            .into_iter()
            .zip(subs)
            .map(|(r, sub)| BrandLink {
                status: LinkStatus::parse(&r.status).unwrap_or(status),
                id: r.id,
                number: r.number,
                requested_at: r.requested_at,
                decided_at: r.decided_at,
                sub,
            })
            .collect();
        Ok(LinksPage { links, next })
    }

    /// The brand confirms a pending link or rejects a pending or verified one. The
    /// customer is mailed; `loyalty.linked` / `loyalty.rejected`. A decision that does not
    /// apply any more is a `Conflict`.
    pub async fn decide_link(&self, principal: &Principal, slug: &str, link_id: &str, decision: Decision, reason: Option<&str>) -> Result<BrandLink> {
        let programme = self.run_programme(principal, slug).await?;
        let reason = reason.map(str::trim).filter(|r| !r.is_empty());
        if reason.is_some_and(|r| r.chars().count() > MAX_REASON || r.chars().any(char::is_control)) {
            return Err(Error::Fields(vec![ParseError::Malformed { field: "reason", reason: "at most 500 characters, no control characters" }]));
        }
        let now = self.clock.now();
        let mut conn = self.store.pool().acquire().await?;
        let link = rows::link(&mut conn, link_id).await?.filter(|l| l.link.programme_id == programme.id).ok_or(Error::NotFound("loyalty link"))?;
        drop(conn);
        let from = LinkStatus::parse(&link.link.status).ok_or(Error::NotFound("loyalty link"))?;
        let to = after_decision(from, decision).ok_or(Error::Conflict("A decision on this link"))?;
        let mut tx = self.store.begin().await?;
        if !self.apply_link_decision_tx(&mut tx, &principal.actor().label(), &link.link, &programme, (from, to), reason, now).await? {
            drop(tx);
            return Err(self.why_not_decided(&programme, &link.link, to).await);
        }
        let action = if to == LinkStatus::Verified { "loyalty.linked" } else { "loyalty.rejected" };
        self.audit_link(&mut tx, principal, &link.link, &programme, action, now).await?;
        tx.commit().await?;
        let sub = match principal {
            Principal::Machine { client, .. } => match self.client_by_id(client).await? {
                Some(client) => self.subjects_for(&client, &[link.link.customer_id.as_str()]).await?.pop().unwrap_or_default(),
                None => link.link.customer_id.clone(),
            },
            _ => link.link.customer_id.clone(),
        };
        Ok(BrandLink { id: link.link.id, number: link.link.number, status: to, requested_at: link.link.requested_at, decided_at: Some(now), sub })
    }

    /// The one decision on a link, for the brand's back end and for support, inside
    /// `tx`: moves it `from` → `to` (conditional on `from`; `false`, nothing written,
    /// when the link moved meanwhile or its number went to someone else), emits
    /// `loyalty.linked` / `loyalty.rejected` and mails the customer. The caller writes
    /// the audit row.
    #[expect(clippy::too_many_arguments, reason = "the facts of one decision")]
    pub(crate) async fn apply_link_decision_tx(
        &self,
        tx: &mut Tx,
        decided_by: &str,
        link: &LinkRow,
        programme: &Programme,
        (from, to): (LinkStatus, LinkStatus),
        reason: Option<&str>,
        now: UnixMillis,
    ) -> Result<bool> {
        if !rows::set_status(tx, &link.id, from.as_str(), to.as_str(), decided_by, reason, now).await? {
            return Ok(false);
        }
        let verified = to == LinkStatus::Verified;
        self.link_event(tx, link, programme, if verified { "loyalty.linked" } else { "loyalty.rejected" }, now).await?;
        if let Some(customer) = customers::by_id_tx(tx, &link.customer_id).await? {
            let tail = last4(&link.number);
            let args = [("programme", programme.name.as_str()), ("brand", programme.brand_name.as_str()), ("last4", tail.as_str())];
            let (subject, body) =
                if verified { ("mail-loyalty-linked-subject", "mail-loyalty-linked-body") } else { ("mail-loyalty-rejected-subject", "mail-loyalty-rejected-body") };
            let template = Template::Notice { subject, paras: &[body], args: &args, link: None };
            self.queue_mail(tx, &MailTo::customer_only(&customer), template, now).await?;
        }
        Ok(true)
    }

    /// Why [`Identity::apply_link_decision_tx`] moved nothing: the number verified for
    /// someone else first (a confirm), or the link changed under us.
    pub(crate) async fn why_not_decided(&self, programme: &Programme, link: &LinkRow, to: LinkStatus) -> Error {
        match to {
            LinkStatus::Verified => self.why_not_verified(programme, &link.number, &link.customer_id).await,
            _ => Error::Conflict("A decision on this link"),
        }
    }

    /// Records what the brand reports for `number`: its standing, tier and balance, the
    /// address on file (`email` method), a new card code (`code` method). Every field is
    /// checked before anything is written.
    pub async fn report_member(&self, principal: &Principal, slug: &str, number: &str, report: &MemberReport) -> Result<MemberView> {
        let programme = self.run_programme(principal, slug).await?;
        let mut errors = Vec::new();
        let number = programme.format()?.parse(number).map_err(|e| errors.push(e)).ok();
        let status = MemberStatus::parse(report.status.trim())
            .ok_or(ParseError::Malformed { field: "status", reason: "use active, suspended or closed" })
            .map_err(|e| errors.push(e))
            .ok();
        let tier = report.tier.as_deref().map(str::trim).filter(|t| !t.is_empty());
        if let Some(tier) = tier
            && (tier.chars().count() > 40 || tier.chars().any(char::is_control) || (!programme.tiers.is_empty() && !programme.tiers.iter().any(|t| t == tier)))
        {
            errors.push(ParseError::Malformed { field: "tier", reason: "not one of the programme's tiers" });
        }
        if report.points.is_some_and(|p| !(0..=MAX_POINTS).contains(&p)) {
            errors.push(ParseError::Malformed { field: "points", reason: "use a whole number from 0 to 10^12" });
        }
        let email = match report.email.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
            Some(e) => Email::parse(e).map(|e| Some(e.as_str().to_owned())).map_err(|_| errors.push(ParseError::Malformed { field: "email", reason: "not an email address" })).ok().flatten(),
            None => None,
        };
        let code = match report.verification_code.as_deref() {
            Some(c) => parse_card_code(c).map_err(|_| errors.push(ParseError::Malformed { field: "verification_code", reason: "use 4 to 32 letters, digits or dashes" })).ok(),
            None => None,
        };
        let (Some(number), Some(status), true) = (number, status, errors.is_empty()) else {
            return Err(Error::Fields(errors));
        };
        let now = self.clock.now();
        let row = MemberRow {
            programme_id: programme.id.clone(),
            code_hash: code.as_deref().map(|c| card_code_hash(&programme.id, &number, c)),
            number: number.clone(),
            status: status.as_str().into(),
            tier: tier.map(str::to_owned),
            points: report.points,
            email,
            code_attempts: 0,
            updated_at: now,
        };
        let mut tx = self.store.begin().await?;
        rows::upsert_member(&mut tx, &row, code.is_some()).await?;
        let detail = serde_json::json!({ "programme": programme.slug, "number_last4": last4(&number), "status": row.status, "new_code": code.is_some() });
        audit::record(&mut tx, &AuditEvent {
            at: now,
            actor: principal.actor(),
            subject: Some(format!("brand:{}", programme.brand_id)),
            action: "loyalty.member_reported",
            reason: None,
            detail,
        })
        .await?;
        tx.commit().await?;
        let mut conn = self.store.pool().acquire().await?;
        let stored = rows::member(&mut conn, &programme.id, &number).await?.ok_or(Error::NotFound("member"))?;
        let linked = rows::verified_holder(&mut conn, &programme.id, &number).await?.is_some();
        Ok(MemberView {
            number: stored.number,
            status: stored.status,
            tier: stored.tier,
            points: stored.points,
            has_email: stored.email.is_some(),
            has_code: stored.code_hash.is_some(),
            updated_at: stored.updated_at,
            linked,
        })
    }
}

/// `<requested_at>.<id>`, as [`LinksPage::next`] writes it.
fn parse_cursor(s: &str) -> Result<(UnixMillis, String)> {
    let bad = || Error::Fields(vec![ParseError::Malformed { field: "after", reason: "use the next cursor of the previous page" }]);
    let (at, id) = s.split_once('.').ok_or_else(bad)?;
    let at = at.parse::<i64>().map_err(|_| bad())?;
    if id.is_empty() || id.len() > 64 || !id.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-') {
        return Err(bad());
    }
    Ok((at, id.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_junk() {
        assert_eq!(parse_cursor("1700.ab-12").unwrap(), (1700, "ab-12".to_owned()));
        for bad in ["", "1700", "x.ab", "1700.", "1700.a b", "1700.a'--"] {
            assert!(parse_cursor(bad).is_err(), "{bad}");
        }
    }
}
