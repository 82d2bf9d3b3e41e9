//! "Download my data": a single-use link valid 15 minutes (only the SHA-256 of its
//! 256-bit token is stored), and the archive it returns once, to the same customer.
//!
//! The archive is JSON built by walking the inventory: the `customers` columns marked
//! `Profile`, then one section per `List(name)` holding, per table, the customer's rows
//! with that list's columns (never a column marked `No`: secrets, hashes, sealed
//! values). Times (`at` and `*_at` columns) are RFC 3339 UTC; text that holds JSON
//! (audit details) is embedded as JSON.

use serde_json::{Map, Value, json};

use crate::accounts::{MailTo, RequestMeta};
use crate::clock::format_millis;
use crate::email::Template;
use crate::principal::{Action, Principal, Subject, authorize};
use crate::store::inventory::{Export, INVENTORY};
use crate::store::privacy::{self as rows, Owner};
use crate::store::{Tx, customers};
use crate::{Error, Identity, Result, UnixMillis, sha256_hex};

/// How long a download link works.
pub const LINK_TTL_MS: i64 = 15 * 60_000;

/// The archive's format name (its first field).
pub const FORMAT: &str = "foyer-export/1";

/// A fresh download link's secret and end. Not `Serialize`, `Debug` redacted.
#[derive(Clone)]
pub struct ExportLink {
    pub token: String,
    pub expires_at: UnixMillis,
}

impl std::fmt::Debug for ExportLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExportLink").field("expires_at", &self.expires_at).finish_non_exhaustive()
    }
}

/// A built archive: the JSON text and the moment it describes.
#[derive(Debug, Clone)]
pub struct Archive {
    pub json: String,
    pub at: UnixMillis,
}

/// A stored value as the customer reads it: times readable, JSON text as JSON.
fn readable(column: &str, value: Value) -> Value {
    match value {
        Value::Number(n) if column == "at" || column.ends_with("_at") => n.as_i64().map_or(Value::Number(n), |ms| Value::String(format_millis(ms))),
        Value::String(s) if s.starts_with('{') || s.starts_with('[') => serde_json::from_str(&s).unwrap_or(Value::String(s)),
        other => other,
    }
}

fn readable_row(row: Map<String, Value>) -> Value {
    Value::Object(row.into_iter().map(|(k, v)| {
        let v = readable(&k, v);
        (k, v)
    }).collect())
}

/// Builds the archive of `customer_id` from the inventory, reading inside `tx`.
pub(crate) async fn build(tx: &mut Tx, customer_id: &str, product: &str, now: UnixMillis) -> Result<Value> {
    let profile_columns: Vec<&str> = INVENTORY.iter().filter(|e| e.table == "customers" && e.export == Export::Profile).map(|e| e.column).collect();
    let profile = rows::rows_of(tx, "customers", &profile_columns, &Owner::Id, customer_id)
        .await?
        .into_iter()
        .next()
        .ok_or(Error::NotFound("customer"))?;
    let mut sections = Map::new();
    for (list, tables) in rows::export_lists(INVENTORY) {
        let mut section = Map::new();
        for (table, columns) in tables {
            let owner = rows::owner(INVENTORY, table);
            let found = rows::rows_of(tx, table, &columns, &owner, customer_id).await?;
            section.insert(table.to_owned(), Value::Array(found.into_iter().map(readable_row).collect()));
        }
        sections.insert(list.to_owned(), Value::Object(section));
    }
    Ok(json!({
        "format": FORMAT,
        "product": product,
        "generated_at": format_millis(now),
        "customer_id": customer_id,
        "profile": readable_row(profile),
        "sections": sections,
    }))
}

impl Identity {
    /// Creates a single-use download link for the customer's data (the adapter has
    /// checked a recent, strong enough authentication), audits it and mails the
    /// customer that an export was made, when and from which device.
    pub async fn create_export_link(&self, principal: &Principal, customer_id: &str, meta: &RequestMeta) -> Result<ExportLink> {
        authorize(principal, Action::ExportOrDeleteData, Subject::Customer(customer_id))?;
        let now = self.clock.now();
        let token = self.new_token();
        let expires_at = now + LINK_TTL_MS;
        let id = self.new_id();
        let mut tx = self.store.begin().await?;
        let customer = customers::by_id_tx(&mut tx, customer_id).await?.ok_or(Error::NotFound("customer"))?;
        rows::insert_export_link(&mut tx, &id, customer_id, &sha256_hex(token.as_bytes()), now, expires_at).await?;
        self.audit_customer(&mut tx, principal.actor(), customer_id, "privacy.export_created", json!({ "export_id": id }), now).await?;
        let link = self.link("/account/privacy/data");
        let to = MailTo::customer(&customer, meta.locale, meta.brand.as_ref());
        self.queue_mail(&mut tx, &to, Template::ExportCreated { device: &meta.device, at: now, link: &link }, now).await?;
        tx.commit().await?;
        Ok(ExportLink { token, expires_at })
    }

    /// Spends the link `token` of this customer and returns the archive; the link works
    /// once, for 15 minutes, and only for the customer it was made for
    /// ([`Error::TokenInvalid`] otherwise, the same for each reason).
    pub async fn download_export(&self, principal: &Principal, customer_id: &str, token: &str) -> Result<Archive> {
        authorize(principal, Action::ExportOrDeleteData, Subject::Customer(customer_id))?;
        if token.is_empty() || token.len() > 128 {
            return Err(Error::TokenInvalid);
        }
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let Some(export_id) = rows::spend_export_link(&mut tx, customer_id, &sha256_hex(token.as_bytes()), now).await? else {
            return Err(Error::TokenInvalid);
        };
        let archive = build(&mut tx, customer_id, &self.settings.product_name, now).await?;
        self.audit_customer(&mut tx, principal.actor(), customer_id, "privacy.export_downloaded", json!({ "export_id": export_id }), now).await?;
        tx.commit().await?;
        Ok(Archive { json: serde_json::to_string_pretty(&archive)?, at: now })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_and_json_text_become_readable() {
        assert_eq!(readable("created_at", json!(0)), json!("1970-01-01T00:00:00Z"));
        assert_eq!(readable("at", json!(1_700_000_000_123_i64)), json!("2023-11-14T22:13:20.123Z"));
        assert_eq!(readable("failed", json!(3)), json!(3));
        assert_eq!(readable("detail", json!("{\"a\":1}")), json!({ "a": 1 }));
        assert_eq!(readable("detail", json!("{not json")), json!("{not json"));
    }
}
