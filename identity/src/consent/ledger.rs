//! Decisions: each one an append-only ledger record with its signed receipt, the
//! projection of what is in force moved in the same transaction, a `consent.*` outbox
//! event and an audit row beside it. Also what the pages, the sign-in flow and the
//! brands' claims read from it.
//!
//! A decision is prepared (checked, its receipt built and signed) before the
//! transaction and written inside it: signing stays out of transactions, and one
//! transaction holds every record of one answer (the consent screen's Allow is the
//! scope approval plus each purpose granted).

use std::collections::BTreeMap;

use serde_json::json;

use super::catalogue::Purpose;
use super::receipt::{Controller, ReceiptFacts, ReceiptPurpose, receipt_payload};
use super::{Ask, Channel, Collection, Decision, ask, effective_decision, is_minor};
use crate::accounts::RequestMeta;
use crate::audit::{self, AuditEvent};
use crate::domain::ParseError;
use crate::i18n::Locale;
use crate::outbox::{self, OutboxEvent};
use crate::principal::{Action, Principal, Subject, authorize};
use crate::store::brands::BrandRow;
use crate::store::ledger::{self, NewRecord};
use crate::store::purposes::{self, PurposeWithState};
use crate::store::Tx;
use crate::{Error, Identity, Result, UnixMillis};

/// How many records the privacy page lists.
pub const HISTORY_LIMIT: i64 = 200;

/// Where and how a decision was collected, with its evidence.
#[derive(Debug, Clone)]
pub struct Evidence {
    pub collection: Collection,
    pub request_id: Option<String>,
    pub user_agent: Option<String>,
    /// The language the customer read the purpose in.
    pub language: Locale,
    /// A support ticket, for decisions recorded by staff.
    pub ticket: Option<String>,
}

impl Evidence {
    pub fn from_meta(collection: Collection, meta: &RequestMeta) -> Self {
        Self { collection, request_id: meta.request_id.clone(), user_agent: meta.user_agent.clone(), language: meta.locale, ticket: None }
    }
}

/// One switch the customer set: a purpose (as a whole, or one channel of it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub purpose_id: String,
    /// `None`: the purpose as a whole — for a purpose with channels, every channel.
    pub channel: Option<Channel>,
    /// Granted, withdrawn or refused (a minor's grant becomes pending by itself).
    pub decision: Decision,
}

/// A record ready to write: checked, its receipt signed.
#[derive(Debug, Clone)]
pub(crate) struct Prepared {
    receipt_id: String,
    customer_id: String,
    purpose: Option<(String, String, i64)>,
    scopes: Option<String>,
    brand: Option<(String, String)>,
    decision: Decision,
    channel: Option<Channel>,
    at: UnixMillis,
    collection: Collection,
    actor: crate::audit::Actor,
    ticket: Option<String>,
    request_id: Option<String>,
    user_agent: Option<String>,
    jurisdiction: String,
    jws: String,
}

/// What one record said, for the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    pub receipt_id: String,
    pub purpose_key: Option<String>,
    pub channel: Option<Channel>,
    pub decision: Decision,
}

/// A decision in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateView {
    pub decision: Decision,
    pub version: i64,
    pub at: UnixMillis,
}

/// One purpose on the privacy page or the consent screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurposeStatus {
    pub purpose: Purpose,
    /// The version in effect now (what a decision now refers to).
    pub version: i64,
    pub body: Option<String>,
    pub document_url: Option<String>,
    /// The purpose as a whole.
    pub state: Option<StateView>,
    /// Each channel's switch (purposes with channels).
    pub channels: Vec<(Channel, Option<StateView>)>,
    /// What the sign-in flow would ask.
    pub ask: Ask,
}

/// What the consent screen must ask of a brand's sign-in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PurposeNeed {
    /// Required purposes to decide (the page cannot return without them).
    pub required: Vec<PurposeStatus>,
    /// Optional purposes never decided, offered unticked.
    pub optional: Vec<PurposeStatus>,
}

impl PurposeNeed {
    pub fn is_empty(&self) -> bool {
        self.required.is_empty()
    }
}

/// What each record said, for the caller.
fn recorded(records: &[Prepared]) -> Vec<Recorded> {
    records
        .iter()
        .map(|r| Recorded { receipt_id: r.receipt_id.clone(), purpose_key: r.purpose.as_ref().map(|(_, key, _)| key.clone()), channel: r.channel, decision: r.decision })
        .collect()
}

fn refused(reason: &str) -> Error {
    Error::Invalid(ParseError::Rejected { field: "Purpose", reason: reason.to_owned() })
}

impl Identity {
    fn controller_of(&self, brand: Option<&BrandRow>) -> Controller {
        match brand {
            Some(b) => Controller { name: b.name.clone(), contact: b.support_email.clone(), url: b.website_url.clone(), policy_url: b.privacy_url.clone() },
            None => Controller {
                name: self.settings.product_name.clone(),
                contact: None,
                url: Some(self.settings.public_url.clone()),
                policy_url: self.settings.privacy_url.clone(),
            },
        }
    }

    /// Checks one record and signs its receipt (outside any transaction).
    #[expect(clippy::too_many_arguments, reason = "the facts of one record; a struct would only rename them")]
    fn prepare(
        &self,
        keys: &crate::jose::Keys,
        principal: &Principal,
        customer_id: &str,
        purpose: Option<(&Purpose, i64)>,
        scopes: Option<&str>,
        brand: Option<&BrandRow>,
        decision: Decision,
        channel: Option<Channel>,
        evidence: &Evidence,
        now: UnixMillis,
    ) -> Result<Prepared> {
        let receipt_id = self.new_id();
        let actor = principal.actor();
        let collector = actor.label();
        let controller = self.controller_of(brand);
        let text = purpose.map(|(p, _)| p.text(evidence.language));
        let facts = ReceiptFacts {
            receipt_id: &receipt_id,
            at: now,
            customer_id,
            controller: &controller,
            jurisdiction: &self.settings.consent.jurisdiction,
            language: evidence.language.tag(),
            collection: evidence.collection,
            collector: &collector,
            decision,
            purpose: purpose.zip(text.as_ref()).map(|((p, version), text)| ReceiptPurpose {
                key: &p.key,
                version,
                title: &text.title,
                legal_basis: p.legal_basis,
                categories: &p.data_categories,
                retention: p.retention.as_deref(),
                required: p.required,
            }),
            scopes,
            channel,
        };
        Ok(Prepared {
            jws: String::new(),
            receipt_id: receipt_id.clone(),
            customer_id: customer_id.to_owned(),
            purpose: purpose.map(|(p, v)| (p.id.clone(), p.key.clone(), v)),
            scopes: scopes.map(str::to_owned),
            brand: brand.map(|b| (b.id.clone(), b.slug.clone())),
            decision,
            channel,
            at: now,
            collection: evidence.collection,
            actor,
            ticket: evidence.ticket.clone(),
            request_id: evidence.request_id.clone(),
            user_agent: evidence.user_agent.clone(),
            jurisdiction: self.settings.consent.jurisdiction.clone(),
        })
        .and_then(|mut p| {
            p.jws = Self::sign_receipt(keys, &receipt_payload(&self.settings.public_url, &facts))?;
            Ok(p)
        })
    }

    /// Writes prepared records in `tx`: ledger, projection, event, audit.
    pub(crate) async fn write_records(&self, tx: &mut Tx, records: &[Prepared]) -> Result<()> {
        self.write_records_with(tx, records, true).await
    }

    /// Writes prepared records in `tx` like [`Identity::write_records`], without their
    /// audit rows: for a support act, whose one audit row (`support.*`) names the
    /// receipts. The ledger rows still name the staff member and the ticket.
    pub(crate) async fn write_records_unaudited(&self, tx: &mut Tx, records: &[Prepared]) -> Result<Vec<Recorded>> {
        self.write_records_with(tx, records, false).await?;
        Ok(recorded(records))
    }

    async fn write_records_with(&self, tx: &mut Tx, records: &[Prepared], audited: bool) -> Result<()> {
        for r in records {
            let channel = r.channel.map(Channel::as_str);
            let actor = r.actor.label();
            let seq = ledger::append(tx, &NewRecord {
                receipt_id: &r.receipt_id,
                customer_id: &r.customer_id,
                purpose_id: r.purpose.as_ref().map(|(id, _, _)| id.as_str()),
                version: r.purpose.as_ref().map(|(_, _, v)| *v),
                scopes: r.scopes.as_deref(),
                brand_id: r.brand.as_ref().map(|(id, _)| id.as_str()),
                decision: r.decision.as_str(),
                channel,
                at: r.at,
                collection: r.collection.as_str(),
                actor: &actor,
                ticket: r.ticket.as_deref(),
                request_id: r.request_id.as_deref(),
                user_agent: r.user_agent.as_deref(),
                jurisdiction: &r.jurisdiction,
                receipt_jws: &r.jws,
            })
            .await?;
            // A channel's switch also moves the purpose as a whole: yes while any
            // channel says yes.
            if let (Some((purpose_id, _, version)), Some(_)) = (&r.purpose, r.channel) {
                let states = ledger::channel_states_in(tx, &r.customer_id, purpose_id).await?;
                let whole = states.iter().filter_map(|s| Decision::parse(&s.decision)).find(|d| d.said_yes()).unwrap_or(r.decision);
                ledger::set_whole(tx, &r.customer_id, purpose_id, *version, whole.as_str(), r.at, seq).await?;
            }
            let event = OutboxEvent::ConsentDecided {
                customer_id: r.customer_id.clone(),
                brand: r.brand.as_ref().map(|(_, slug)| slug.clone()),
                purpose: r.purpose.as_ref().map(|(_, key, _)| key.clone()),
                version: r.purpose.as_ref().map(|(_, _, v)| *v),
                scopes: r.scopes.clone(),
                channel: channel.map(str::to_owned),
                decision: r.decision,
                receipt_id: r.receipt_id.clone(),
                at: r.at,
            };
            outbox::enqueue(tx, &event, r.at).await?;
            if !audited {
                continue;
            }
            audit::record(tx, &AuditEvent {
                at: r.at,
                actor: r.actor.clone(),
                subject: Some(format!("customer:{}", r.customer_id)),
                action: event.kind(),
                reason: r.ticket.as_deref(),
                detail: json!({
                    "receipt": r.receipt_id,
                    "brand": r.brand.as_ref().map(|(_, slug)| slug),
                    "purpose": r.purpose.as_ref().map(|(_, key, _)| key),
                    "version": r.purpose.as_ref().map(|(_, _, v)| v),
                    "scopes": r.scopes,
                    "channel": channel,
                    "collection": r.collection.as_str(),
                }),
            })
            .await?;
        }
        Ok(())
    }

    pub(super) async fn brands_by_id(&self) -> Result<BTreeMap<String, BrandRow>> {
        Ok(self.store.list_brands().await?.into_iter().map(|b| (b.id.clone(), b)).collect())
    }

    /// Whether the customer is under the age of digital consent where they live.
    async fn customer_is_minor(&self, customer_id: &str, now: UnixMillis) -> Result<bool> {
        let customer = self.store.customer_by_id(customer_id).await?.ok_or(Error::NotFound("customer"))?;
        let today = jiff::Timestamp::from_millisecond(now).map(|t| t.to_zoned(jiff::tz::TimeZone::UTC).date()).unwrap_or_default();
        let age = self.settings.consent.age_in(customer.address_country.as_deref());
        Ok(is_minor(customer.birth_date.as_deref(), today, age))
    }

    /// Prepares the records of `choices` (unchanged switches are skipped). The caller
    /// authorized `principal` (the customer, a delegate, or support recording a
    /// decision given by phone).
    pub(crate) async fn prepare_choices(&self, principal: &Principal, customer_id: &str, choices: &[Choice], evidence: &Evidence, now: UnixMillis) -> Result<Vec<Prepared>> {
        if choices.is_empty() {
            return Ok(Vec::new());
        }
        let brands = self.brands_by_id().await?;
        let minor = self.customer_is_minor(customer_id, now).await?;
        let rows = purposes::with_state(&self.store, None, customer_id, now).await?;
        let states = ledger::state_of(&self.store, customer_id).await?;
        let keys = self.receipt_signer().await?;
        let mut out = Vec::new();
        for choice in choices {
            let row = rows.iter().find(|r| r.purpose.id == choice.purpose_id).ok_or(Error::NotFound("purpose"))?;
            let brand = row.purpose.brand_id.as_ref().and_then(|id| brands.get(id));
            let purpose = Purpose::from_row(row.purpose.clone(), brand.map(|b| b.slug.clone()));
            let version = row.latest.ok_or_else(|| refused("This purpose has no version in force yet."))?;
            if choice.decision == Decision::Withdrawn && !purpose.legal_basis.can_withdraw() {
                return Err(refused("This purpose rests on a contract or a legal obligation: it cannot be switched off here."));
            }
            if choice.decision == Decision::Pending {
                return Err(refused("A decision cannot be recorded as pending."));
            }
            let channels: Vec<Option<Channel>> = match choice.channel {
                Some(c) if !purpose.channels.contains(&c) => return Err(refused("This purpose has no such channel.")),
                Some(c) => vec![Some(c)],
                None if purpose.channels.is_empty() => vec![None],
                None => purpose.channels.iter().copied().map(Some).collect(),
            };
            let decision = effective_decision(choice.decision, purpose.legal_basis, minor);
            for channel in channels {
                let key = channel.map_or("", Channel::as_str);
                let current = states.iter().find(|s| s.purpose_id == purpose.id && s.channel == key);
                if current.is_some_and(|s| s.decision == decision.as_str() && s.version == version) {
                    continue;
                }
                if decision == Decision::Withdrawn && !current.and_then(|s| Decision::parse(&s.decision)).is_some_and(Decision::said_yes) {
                    continue;
                }
                out.push(self.prepare(&keys, principal, customer_id, Some((&purpose, version)), None, brand, decision, channel, evidence, now)?);
            }
        }
        Ok(out)
    }

    /// Records the customer's switches: each changed one becomes a signed ledger record,
    /// the projection, a `consent.*` event and an audit row, in one transaction.
    pub async fn decide_purposes(&self, principal: &Principal, customer_id: &str, choices: &[Choice], evidence: &Evidence) -> Result<Vec<Recorded>> {
        authorize(principal, Action::ManageConsents, Subject::Customer(customer_id))?;
        let now = self.clock.now();
        let records = self.prepare_choices(principal, customer_id, choices, evidence, now).await?;
        if records.is_empty() {
            return Ok(Vec::new());
        }
        let mut tx = self.store.begin().await?;
        self.write_records(&mut tx, &records).await?;
        tx.commit().await?;
        Ok(recorded(&records))
    }

    /// A guardian's approval of a minor's pending grants of one purpose (each pending
    /// channel, or the purpose as a whole): `granted` records collected `guardian`, with
    /// the guardian as actor, for the version the minor said yes to. Prepared (signed)
    /// here; [`Identity::write_approvals`] writes them. `NotFound` when nothing is pending.
    pub(crate) async fn prepare_approvals(&self, principal: &Principal, customer_id: &str, purpose_id: &str, evidence: &Evidence) -> Result<Vec<Prepared>> {
        let now = self.clock.now();
        let rows = purposes::with_state(&self.store, None, customer_id, now).await?;
        let row = rows.iter().find(|r| r.purpose.id == purpose_id).ok_or(Error::NotFound("pending consent"))?;
        let brands = self.brands_by_id().await?;
        let brand = row.purpose.brand_id.as_ref().and_then(|id| brands.get(id));
        let purpose = Purpose::from_row(row.purpose.clone(), brand.map(|b| b.slug.clone()));
        let pending: Vec<ledger::StateRow> = ledger::state_of(&self.store, customer_id)
            .await?
            .into_iter()
            .filter(|s| s.purpose_id == purpose.id && s.decision == Decision::Pending.as_str())
            .filter(|s| if purpose.channels.is_empty() { s.channel.is_empty() } else { !s.channel.is_empty() })
            .collect();
        if pending.is_empty() {
            return Err(Error::NotFound("pending consent"));
        }
        let keys = self.receipt_signer().await?;
        let evidence = Evidence { collection: Collection::Guardian, ..evidence.clone() };
        pending
            .iter()
            .map(|s| {
                let channel = Channel::parse(&s.channel);
                self.prepare(&keys, principal, customer_id, Some((&purpose, s.version)), None, brand, Decision::Granted, channel, &evidence, now)
            })
            .collect()
    }

    /// Writes approvals in `tx`, each only while its grant is still pending there (two
    /// guardians approving at once, or a withdrawal in between, write nothing twice).
    pub(crate) async fn write_approvals(&self, tx: &mut Tx, records: &[Prepared]) -> Result<Vec<Recorded>> {
        for r in records {
            let Some((purpose_id, _, _)) = &r.purpose else { return Err(Error::NotFound("pending consent")) };
            let state = ledger::state_in(tx, &r.customer_id, purpose_id, r.channel.map_or("", Channel::as_str)).await?;
            if state.is_none_or(|s| s.decision != Decision::Pending.as_str()) {
                return Err(Error::NotFound("pending consent"));
            }
        }
        self.write_records(tx, records).await?;
        Ok(recorded(records))
    }

    pub(super) fn status(&self, row: &PurposeWithState, brand: Option<&BrandRow>, states: &[ledger::StateRow], versions: &[crate::store::purposes::VersionRow]) -> Option<PurposeStatus> {
        let version = row.latest?;
        let purpose = Purpose::from_row(row.purpose.clone(), brand.map(|b| b.slug.clone()));
        let view = |channel: &str| {
            states.iter().find(|s| s.purpose_id == purpose.id && s.channel == channel).and_then(|s| {
                Some(StateView { decision: Decision::parse(&s.decision)?, version: s.version, at: s.at })
            })
        };
        let state = view("");
        let channels = purpose.channels.iter().map(|c| (*c, view(c.as_str()))).collect();
        let decided = state.as_ref().map(|s| (s.decision, s.version));
        let current = versions.iter().find(|v| v.purpose_id == purpose.id && v.version == version);
        Some(PurposeStatus {
            ask: ask(purpose.required, row.latest, row.latest_material, decided),
            body: current.and_then(|v| v.body.clone()),
            document_url: current.and_then(|v| v.document_url.clone()),
            purpose,
            version,
            state,
            channels,
        })
    }

    pub(super) async fn versions_of(&self, rows: &[PurposeWithState]) -> Result<Vec<crate::store::purposes::VersionRow>> {
        let mut out = Vec::new();
        for row in rows.iter().filter(|r| r.latest.is_some()) {
            out.extend(purposes::versions(&self.store, &row.purpose.id).await?);
        }
        Ok(out)
    }

    /// What the consent screen must ask before returning to the brand: its required
    /// purposes (and the group's) not decided on a version in force, and — only then —
    /// its optional purposes never decided. One query when nothing is needed.
    pub async fn purpose_need(&self, principal: &Principal, customer_id: &str, brand_id: &str) -> Result<PurposeNeed> {
        authorize(principal, Action::ViewAccount, Subject::Customer(customer_id))?;
        let now = self.clock.now();
        let rows = purposes::with_state(&self.store, Some(brand_id), customer_id, now).await?;
        let asks: Vec<Ask> = rows
            .iter()
            .map(|r| ask(r.purpose.required == 1, r.latest, r.latest_material, r.decision.as_deref().and_then(Decision::parse).zip(r.decided_version)))
            .collect();
        if !asks.contains(&Ask::Required) {
            return Ok(PurposeNeed::default());
        }
        let brands = self.brands_by_id().await?;
        let states = ledger::state_of(&self.store, customer_id).await?;
        let versions = self.versions_of(&rows).await?;
        let mut need = PurposeNeed::default();
        for row in &rows {
            let brand = row.purpose.brand_id.as_ref().and_then(|id| brands.get(id));
            let Some(status) = self.status(row, brand, &states, &versions) else { continue };
            match status.ask {
                Ask::Required => need.required.push(status),
                // Offered only the brand's own optional purposes, not the group's.
                Ask::Offer if row.purpose.brand_id.as_deref() == Some(brand_id) => need.optional.push(status),
                _ => {}
            }
        }
        Ok(need)
    }

    /// The consent screen's answer for the purposes: Allow grants every required one and
    /// the ticked optional ones; Deny refuses the required ones. Prepared (signed) here,
    /// written by the caller's transaction.
    pub(crate) async fn prepare_purpose_answer(
        &self,
        principal: &Principal,
        customer_id: &str,
        brand_id: &str,
        allow: bool,
        ticked: &[String],
        evidence: &Evidence,
    ) -> Result<Vec<Prepared>> {
        let need = self.purpose_need(principal, customer_id, brand_id).await?;
        let mut choices: Vec<Choice> = need
            .required
            .iter()
            .map(|p| Choice { purpose_id: p.purpose.id.clone(), channel: None, decision: if allow { Decision::Granted } else { Decision::Refused } })
            .collect();
        if allow {
            choices.extend(
                need.optional.iter().filter(|p| ticked.contains(&p.purpose.id)).map(|p| Choice { purpose_id: p.purpose.id.clone(), channel: None, decision: Decision::Granted }),
            );
        }
        self.prepare_choices(principal, customer_id, &choices, evidence, self.clock.now()).await
    }

    /// The consent screen's scope approval (or refusal) as a record.
    pub(crate) async fn prepare_scope_answer(&self, principal: &Principal, customer_id: &str, brand_id: &str, scopes: &str, allow: bool, evidence: &Evidence) -> Result<Prepared> {
        let keys = self.receipt_signer().await?;
        let brands = self.brands_by_id().await?;
        let decision = if allow { Decision::Granted } else { Decision::Refused };
        self.prepare(&keys, principal, customer_id, None, Some(scopes), brands.get(brand_id), decision, None, evidence, self.clock.now())
    }

    /// Registration's acceptance of the group's required purposes (the terms): records
    /// for the new customer `customer_id`, written by the registration's transaction.
    pub(crate) async fn prepare_registration_terms(&self, customer_id: &str, meta: &RequestMeta) -> Result<Vec<Prepared>> {
        let now = self.clock.now();
        let rows = purposes::of_owner_in_force(&self.store, now).await?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let keys = self.receipt_signer().await?;
        let evidence = Evidence::from_meta(Collection::Registration, meta);
        let principal = Principal::Customer { id: customer_id.to_owned(), level: crate::principal::AuthLevel::Password };
        rows.into_iter()
            .map(|(row, version)| {
                let purpose = Purpose::from_row(row, None);
                self.prepare(&keys, &principal, customer_id, Some((&purpose, version)), None, None, Decision::Granted, None, &evidence, now)
            })
            .collect()
    }

    /// The group's required purposes in force, for the registration page's checkbox
    /// ("I accept the …"), in `locale`: `(title, version, document URL)`.
    pub async fn registration_terms(&self, locale: Locale) -> Result<Vec<(String, i64, Option<String>)>> {
        let now = self.clock.now();
        let mut out = Vec::new();
        for (row, version) in purposes::of_owner_in_force(&self.store, now).await? {
            let url = purposes::versions(&self.store, &row.id).await?.into_iter().find(|v| v.version == version).and_then(|v| v.document_url);
            out.push((Purpose::from_row(row, None).text(locale).title, version, url));
        }
        Ok(out)
    }
}
