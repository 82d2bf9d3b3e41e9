//! What the consent ledger shows: the privacy page's purposes per controller and the
//! history of decisions, one receipt, and the `consents` claim a brand reads. Reads
//! only; decisions are written in [`super::ledger`].

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use super::catalogue::Purpose;
use super::ledger::{HISTORY_LIMIT, PurposeStatus};
use super::{Channel, Collection, Decision};
use crate::i18n::Locale;
use crate::principal::{Action, Principal, Subject, authorize};
use crate::store::brands::BrandRow;
use crate::store::ledger::{self, LedgerRow};
use crate::store::purposes::{self, PurposeWithState};
use crate::store::consents;
use crate::{Error, Identity, Result, UnixMillis};

/// The purposes of one controller: a brand, or the group (`brand: None`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControllerPurposes {
    /// `(slug, name)`.
    pub brand: Option<(String, String)>,
    pub purposes: Vec<PurposeStatus>,
}

/// One line of the history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEntry {
    pub receipt_id: String,
    pub at: UnixMillis,
    /// The brand's name; `None`: the group.
    pub brand: Option<String>,
    /// The purpose's title in the reader's language, or the scopes approved.
    pub purpose_title: Option<String>,
    pub scopes: Option<String>,
    pub version: Option<i64>,
    pub decision: Decision,
    pub channel: Option<Channel>,
    pub collection: Collection,
    /// `customer`, `staff`, `client`, `cli` …: who recorded it.
    pub recorded_by: String,
    /// The support ticket a staff member recorded it under (a consent given by phone).
    pub ticket: Option<String>,
}

impl Identity {
    /// The privacy page: the group's purposes and those of every brand the customer
    /// uses (connected, or decided on before), each with its state and channels.
    pub async fn privacy_overview(&self, principal: &Principal, customer_id: &str) -> Result<Vec<ControllerPurposes>> {
        authorize(principal, Action::ManageConsents, Subject::Customer(customer_id))?;
        self.privacy_sections_of(customer_id).await
    }

    /// The privacy page's purposes, for a caller that authorized already (the support
    /// view: what a consent given by phone may be about).
    pub(crate) async fn privacy_sections_of(&self, customer_id: &str) -> Result<Vec<ControllerPurposes>> {
        let now = self.clock.now();
        let rows = purposes::with_state(&self.store, None, customer_id, now).await?;
        let brands = self.brands_by_id().await?;
        let states = ledger::state_of(&self.store, customer_id).await?;
        let versions = self.versions_of(&rows).await?;
        let connected: BTreeSet<String> = consents::of_customer(&self.store, customer_id).await?.into_iter().map(|c| c.slug).collect();
        let decided: BTreeSet<&str> = states.iter().map(|s| s.purpose_id.as_str()).collect();
        let mut sections: Vec<ControllerPurposes> = Vec::new();
        for row in &rows {
            let brand = row.purpose.brand_id.as_ref().and_then(|id| brands.get(id));
            let uses = brand.is_none_or(|b| connected.contains(&b.slug)) || decided.contains(row.purpose.id.as_str());
            let Some(status) = self.status(row, brand, &states, &versions).filter(|_| uses) else { continue };
            let owner = brand.map(|b| (b.slug.clone(), b.name.clone()));
            match sections.iter_mut().find(|s| s.brand == owner) {
                Some(section) => section.purposes.push(status),
                None => sections.push(ControllerPurposes { brand: owner, purposes: vec![status] }),
            }
        }
        Ok(sections)
    }

    /// The customer's decisions, newest first (at most [`HISTORY_LIMIT`]).
    pub async fn consent_history(&self, principal: &Principal, customer_id: &str, locale: Locale) -> Result<Vec<HistoryEntry>> {
        authorize(principal, Action::ManageConsents, Subject::Customer(customer_id))?;
        self.consent_history_of(customer_id, locale, HISTORY_LIMIT).await
    }

    /// The newest `limit` decisions, for a caller that authorized already (the support view).
    pub(crate) async fn consent_history_of(&self, customer_id: &str, locale: Locale, limit: i64) -> Result<Vec<HistoryEntry>> {
        let rows = ledger::history(&self.store, customer_id, limit).await?;
        let brands = self.brands_by_id().await?;
        let mut titles: BTreeMap<String, String> = BTreeMap::new();
        for row in &rows {
            if let Some(id) = row.purpose_id.as_ref().filter(|id| !titles.contains_key(*id))
                && let Some(p) = purposes::by_id(&self.store, id).await?
            {
                titles.insert(id.clone(), Purpose::from_row(p, None).text(locale).title);
            }
        }
        Ok(rows.into_iter().filter_map(|r| history_entry(r, &brands, &titles)).collect())
    }

    /// One of the customer's receipts: `(payload, compact JWS)`.
    pub async fn consent_receipt(&self, principal: &Principal, customer_id: &str, receipt_id: &str) -> Result<(Value, String)> {
        authorize(principal, Action::ManageConsents, Subject::Customer(customer_id))?;
        let row = ledger::by_receipt(&self.store, customer_id, receipt_id).await?.ok_or(Error::NotFound("receipt"))?;
        let payload = crate::jose::unverified_claims(&row.receipt_jws).ok_or(Error::Internal("a stored receipt is unreadable".into()))?;
        Ok((payload, row.receipt_jws))
    }

    /// The `consents` claim for a brand: its purposes and the group's that the customer
    /// decided, with the channels' switches. Never another brand's.
    pub async fn consents_claim(&self, customer_id: &str, brand_id: &str) -> Result<Value> {
        let now = self.clock.now();
        let rows = purposes::with_state(&self.store, Some(brand_id), customer_id, now).await?;
        let states = ledger::state_of(&self.store, customer_id).await?;
        Ok(Value::Array(rows.iter().filter_map(|row| consent_claim_entry(row, &states)).collect()))
    }
}

fn consent_claim_entry(row: &PurposeWithState, states: &[ledger::StateRow]) -> Option<Value> {
    let whole = states.iter().find(|s| s.purpose_id == row.purpose.id && s.channel.is_empty())?;
    let channels: serde_json::Map<String, Value> = states
        .iter()
        .filter(|s| s.purpose_id == row.purpose.id && !s.channel.is_empty())
        .map(|s| (s.channel.clone(), Value::String(s.decision.clone())))
        .collect();
    let mut entry = json!({
        "purpose": row.purpose.key,
        "scope": if row.purpose.brand_id.is_some() { "brand" } else { "group" },
        "state": whole.decision,
        "version": whole.version,
        "decided_at": whole.at.div_euclid(1000),
    });
    if !channels.is_empty() {
        entry["channels"] = Value::Object(channels);
    }
    Some(entry)
}

fn history_entry(r: LedgerRow, brands: &BTreeMap<String, BrandRow>, titles: &BTreeMap<String, String>) -> Option<HistoryEntry> {
    Some(HistoryEntry {
        brand: r.brand_id.as_ref().and_then(|id| brands.get(id)).map(|b| b.name.clone()),
        purpose_title: r.purpose_id.as_ref().and_then(|id| titles.get(id)).cloned(),
        decision: Decision::parse(&r.decision)?,
        channel: r.channel.as_deref().and_then(Channel::parse),
        collection: Collection::parse(&r.collection)?,
        recorded_by: r.actor.split(':').next().unwrap_or_default().to_owned(),
        ticket: r.ticket,
        receipt_id: r.receipt_id,
        at: r.at,
        scopes: r.scopes,
        version: r.version,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_claim_names_the_scope_and_channels() {
        let row = PurposeWithState {
            purpose: crate::store::purposes::PurposeRow {
                id: "p".into(),
                brand_id: Some("b".into()),
                key: "news".into(),
                legal_basis: "consent".into(),
                required: 0,
                data_categories: "[]".into(),
                retention: None,
                channels: "[\"email\",\"sms\"]".into(),
                texts: "{}".into(),
                created_at: 0,
            },
            latest: Some(2),
            latest_material: Some(1),
            decision: Some("granted".into()),
            decided_version: Some(2),
        };
        let state = |channel: &str, decision: &str| ledger::StateRow {
            purpose_id: "p".into(),
            channel: channel.into(),
            version: 2,
            decision: decision.into(),
            at: 5_000,
        };
        let states = [state("", "granted"), state("email", "granted"), state("sms", "withdrawn")];
        let entry = consent_claim_entry(&row, &states);
        assert_eq!(
            entry,
            Some(json!({"purpose": "news", "scope": "brand", "state": "granted", "version": 2, "decided_at": 5,
                        "channels": {"email": "granted", "sms": "withdrawn"}}))
        );
        assert_eq!(consent_claim_entry(&row, &[]), None, "undecided purposes are not in the claim");
    }
}
