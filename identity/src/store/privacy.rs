//! The statements of a data export and an erasure, built from the personal-data
//! inventory ([`super::inventory`]): nothing here names a customer table but the two
//! of this feature (`data_exports`, `deletion_requests`), so a table added to the
//! inventory is exported and erased without a change here.
//!
//! # How a table's rows of a customer are found ([`owner`])
//! - `customers`: by `id`;
//! - a table with an inventoried `customer_id` column: by it;
//! - a table whose inventoried customer columns are `actor`/`subject` (the audit log):
//!   rows where either is `customer:<id>`;
//! - otherwise the table has no way to name the customer itself (`refresh_tokens`,
//!   reached through its grant): its rows go by `ON DELETE CASCADE` with their parent.
//!
//! Table and column names come from the inventory's constants only (never from input),
//! and are quoted.

use serde_json::{Map, Value};
use sqlx::any::AnyRow;
use sqlx::{FromRow, Row as _};

use super::inventory::{CUSTOMER_KEY_NAMES, Entry, Erase, Export, INVENTORY};
use super::{Store, Tx};
use crate::{Result, UnixMillis};

/// How the rows of a table that belong to one customer are found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owner {
    /// `customers.id`.
    Id,
    /// The table's `customer_id`.
    CustomerId,
    /// `customer:<id>` in any of these columns (`actor`, `subject`).
    Label(Vec<&'static str>),
    /// Not by itself: its rows go with a parent row (foreign key with cascade).
    Cascade,
}

/// What an erasure does to a table as a whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Treatment {
    /// The rows stay; these columns are pseudonymised or anonymised.
    Update(Vec<(&'static str, Erase)>),
    /// The customer's rows are deleted.
    Delete,
    /// Nothing changes (append-only with ids only, or it expires by itself).
    Keep,
}

/// The tables of `inventory`, in the order of their first entry.
pub fn tables(inventory: &[Entry]) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for e in inventory {
        if !out.contains(&e.table) {
            out.push(e.table);
        }
    }
    out
}

/// How `table`'s rows of a customer are found (the rule in the module doc).
pub fn owner(inventory: &[Entry], table: &str) -> Owner {
    let has = |column: &str| inventory.iter().any(|e| e.table == table && e.column == column);
    if table == "customers" {
        return Owner::Id;
    }
    if has("customer_id") {
        return Owner::CustomerId;
    }
    let labels: Vec<&'static str> =
        CUSTOMER_KEY_NAMES.iter().copied().filter(|c| *c != "customer_id" && has(c)).collect();
    if labels.is_empty() { Owner::Cascade } else { Owner::Label(labels) }
}

/// What erasure does to `table`: an update when a column is pseudonymised or
/// anonymised, else a delete when a column says so, else nothing.
pub fn treatment(inventory: &[Entry], table: &str) -> Treatment {
    let entries: Vec<&Entry> = inventory.iter().filter(|e| e.table == table).collect();
    let changed: Vec<(&'static str, Erase)> =
        entries.iter().filter(|e| matches!(e.erase, Erase::Pseudonymise | Erase::Anonymise)).map(|e| (e.column, e.erase)).collect();
    if !changed.is_empty() {
        Treatment::Update(changed)
    } else if entries.iter().any(|e| e.erase == Erase::Delete) {
        Treatment::Delete
    } else {
        Treatment::Keep
    }
}

/// One section of the export: a list name and, per table, the columns it shows.
pub type ExportList = (&'static str, Vec<(&'static str, Vec<&'static str>)>);

/// The export's sections: each list name with its tables and their exported columns,
/// in inventory order; the profile is the `customers` columns marked `Profile`.
pub fn export_lists(inventory: &[Entry]) -> Vec<ExportList> {
    let mut lists: Vec<ExportList> = Vec::new();
    for e in inventory {
        let Export::List(name) = e.export else { continue };
        let at = match lists.iter().position(|(n, _)| *n == name) {
            Some(at) => at,
            None => {
                lists.push((name, Vec::new()));
                lists.len() - 1
            }
        };
        let tables = &mut lists[at].1;
        match tables.iter_mut().find(|(t, _)| *t == e.table) {
            Some((_, columns)) => columns.push(e.column),
            None => tables.push((e.table, vec![e.column])),
        }
    }
    lists
}

fn quote(name: &str) -> String {
    format!("\"{name}\"")
}

/// Numbered parameters for a statement built at run time.
#[derive(Default)]
struct Params(Vec<String>);

impl Params {
    /// `$n` for `value` (the same value twice gets two numbers: simplest for both engines).
    fn add(&mut self, value: &str) -> String {
        self.0.push(value.to_owned());
        format!("${}", self.0.len())
    }

    fn bind<'q>(&'q self, sql: &'q str) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
        self.0.iter().fold(sqlx::query(sql), |q, v| q.bind(v.as_str()))
    }
}

/// The `WHERE` condition selecting the customer's rows; `None` for [`Owner::Cascade`].
fn condition(owner: &Owner, customer_id: &str, params: &mut Params) -> Option<String> {
    match owner {
        Owner::Id => Some(format!("\"id\" = {}", params.add(customer_id))),
        Owner::CustomerId => Some(format!("\"customer_id\" = {}", params.add(customer_id))),
        Owner::Label(columns) => {
            let label = format!("customer:{customer_id}");
            Some(format!("({})", columns.iter().map(|c| format!("{} = {}", quote(c), params.add(&label))).collect::<Vec<_>>().join(" OR ")))
        }
        Owner::Cascade => None,
    }
}

/// One cell as JSON: integers, text, reals or booleans (what the schema holds).
fn cell(row: &AnyRow, i: usize) -> Value {
    if let Ok(v) = row.try_get::<Option<i64>, _>(i) {
        return v.map_or(Value::Null, Value::from);
    }
    if let Ok(v) = row.try_get::<Option<i32>, _>(i) {
        return v.map_or(Value::Null, Value::from);
    }
    if let Ok(v) = row.try_get::<Option<String>, _>(i) {
        return v.map_or(Value::Null, Value::from);
    }
    if let Ok(v) = row.try_get::<Option<f64>, _>(i) {
        return v.map_or(Value::Null, Value::from);
    }
    if let Ok(v) = row.try_get::<Option<bool>, _>(i) {
        return v.map_or(Value::Null, Value::from);
    }
    Value::Null
}

/// The customer's rows of `table`, `columns` of each, as JSON objects (oldest first
/// where the order is known: by the first column, which is stable for a table).
pub async fn rows_of(tx: &mut Tx, table: &str, columns: &[&str], owner: &Owner, customer_id: &str) -> Result<Vec<Map<String, Value>>> {
    let mut params = Params::default();
    let Some(condition) = condition(owner, customer_id, &mut params) else { return Ok(Vec::new()) };
    let list = columns.iter().map(|c| quote(c)).collect::<Vec<_>>().join(", ");
    let sql = format!("SELECT {list} FROM {} WHERE {condition}", quote(table));
    let rows: Vec<AnyRow> = params.bind(&sql).fetch_all(&mut **tx).await?;
    Ok(rows
        .iter()
        .map(|row| columns.iter().enumerate().map(|(i, c)| ((*c).to_owned(), cell(row, i))).collect())
        .collect())
}

/// Applies `treatment` to the customer's rows of `table`: deletes them, or sets each
/// pseudonymised column to `pseudonym` (a `customer_id`; an `actor`/`subject` only where
/// it names the customer) and every other changed column to NULL. Returns the rows
/// touched. [`Treatment::Keep`] and [`Owner::Cascade`] touch nothing.
pub async fn erase_table(tx: &mut Tx, table: &str, owner: &Owner, treatment: &Treatment, customer_id: &str, pseudonym: &str) -> Result<u64> {
    tx.revokes();
    let mut params = Params::default();
    let sql = match treatment {
        Treatment::Keep => return Ok(0),
        Treatment::Delete => {
            let Some(condition) = condition(owner, customer_id, &mut params) else { return Ok(0) };
            format!("DELETE FROM {} WHERE {condition}", quote(table))
        }
        Treatment::Update(columns) => {
            let label = format!("customer:{customer_id}");
            let sets: Vec<String> = columns
                .iter()
                .map(|(c, erase)| match (*c, erase) {
                    ("customer_id", Erase::Pseudonymise | Erase::Anonymise) => format!("{} = {}", quote(c), params.add(pseudonym)),
                    (c, Erase::Pseudonymise | Erase::Anonymise) if CUSTOMER_KEY_NAMES.contains(&c) => {
                        format!("{0} = CASE WHEN {0} = {1} THEN {2} ELSE {0} END", quote(c), params.add(&label), params.add(pseudonym))
                    }
                    (c, _) => format!("{} = NULL", quote(c)),
                })
                .collect();
            let Some(condition) = condition(owner, customer_id, &mut params) else { return Ok(0) };
            format!("UPDATE {} SET {} WHERE {condition}", quote(table), sets.join(", "))
        }
    };
    Ok(params.bind(&sql).execute(&mut **tx).await?.rows_affected())
}

/// Every table's treatment and owner, for erasure: updates first, then deletes with
/// `customers` last (its cascade takes what has no owner of its own).
pub fn erasure_plan() -> Vec<(&'static str, Owner, Treatment)> {
    let mut plan: Vec<(&'static str, Owner, Treatment)> =
        tables(INVENTORY).into_iter().map(|t| (t, owner(INVENTORY, t), treatment(INVENTORY, t))).collect();
    plan.sort_by_key(|(t, _, treatment)| match treatment {
        Treatment::Update(_) => 0,
        Treatment::Delete if *t == "customers" => 2,
        _ => 1,
    });
    plan
}

/// Mail that names the address: queued or finished outbox rows whose payload holds
/// it are forgotten (the payload replaced, queued ones given up), and the development
/// mailbox's rows to it deleted. Returns the rows touched.
pub async fn forget_mail_to(tx: &mut Tx, email: &str, now: UnixMillis) -> Result<u64> {
    let pattern = format!("%{}%", like_escape(&email.to_lowercase()));
    let outbox = sqlx::query(
        "UPDATE outbox SET payload = '{\"type\":\"forgotten\"}', locked_until = NULL, \
         failed_at = CASE WHEN delivered_at IS NULL AND failed_at IS NULL THEN $2 ELSE failed_at END, \
         last_error = CASE WHEN delivered_at IS NULL AND failed_at IS NULL THEN 'the customer was erased' ELSE last_error END \
         WHERE LOWER(payload) LIKE $1 ESCAPE '\\'",
    )
    .bind(&pattern)
    .bind(now)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    let mailbox =
        sqlx::query("DELETE FROM dev_mailbox WHERE LOWER(to_addr) = $1").bind(email.to_lowercase()).execute(&mut **tx).await?.rows_affected();
    Ok(outbox + mailbox)
}

/// `input` with LIKE's wildcards and the escape character escaped (`\`).
fn like_escape(input: &str) -> String {
    input.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

// --- Export links -------------------------------------------------------------------

pub async fn insert_export_link(tx: &mut Tx, id: &str, customer_id: &str, token_hash: &str, now: UnixMillis, expires_at: UnixMillis) -> Result<()> {
    sqlx::query("INSERT INTO data_exports (id, customer_id, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(id)
        .bind(customer_id)
        .bind(token_hash)
        .bind(now)
        .bind(expires_at)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Spends the customer's live link with this hash (once: the update is the check).
/// Returns its id, or `None` when unknown, spent, expired or another customer's.
pub async fn spend_export_link(tx: &mut Tx, customer_id: &str, token_hash: &str, now: UnixMillis) -> Result<Option<String>> {
    let row: Option<(String,)> = sqlx::query_as(
        "UPDATE data_exports SET used_at = $1 \
         WHERE token_hash = $2 AND customer_id = $3 AND used_at IS NULL AND expires_at > $1 RETURNING id",
    )
    .bind(now)
    .bind(token_hash)
    .bind(customer_id)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.map(|(id,)| id))
}

/// Forgets spent and expired links (the sweep).
pub async fn prune_export_links(tx: &mut Tx, now: UnixMillis) -> Result<u64> {
    Ok(sqlx::query("DELETE FROM data_exports WHERE used_at IS NOT NULL OR expires_at <= $1").bind(now).execute(&mut **tx).await?.rows_affected())
}

// --- Deletion requests --------------------------------------------------------------

/// A requested deletion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromRow)]
pub struct DeletionRow {
    pub requested_at: UnixMillis,
    pub erase_at: UnixMillis,
}

/// Records the request; an earlier one stands (its date does not move).
pub async fn insert_deletion(tx: &mut Tx, customer_id: &str, now: UnixMillis, erase_at: UnixMillis) -> Result<DeletionRow> {
    sqlx::query("INSERT INTO deletion_requests (customer_id, requested_at, erase_at) VALUES ($1, $2, $3) ON CONFLICT (customer_id) DO NOTHING")
        .bind(customer_id)
        .bind(now)
        .bind(erase_at)
        .execute(&mut **tx)
        .await?;
    let row: DeletionRow = sqlx::query_as("SELECT requested_at, erase_at FROM deletion_requests WHERE customer_id = $1")
        .bind(customer_id)
        .fetch_one(&mut **tx)
        .await?;
    Ok(row)
}

/// Removes the request; whether there was one.
pub async fn delete_deletion(tx: &mut Tx, customer_id: &str) -> Result<bool> {
    Ok(sqlx::query("DELETE FROM deletion_requests WHERE customer_id = $1").bind(customer_id).execute(&mut **tx).await?.rows_affected() > 0)
}

/// The customers whose grace period has ended, oldest first (at most `limit`).
pub async fn due_deletions(tx: &mut Tx, now: UnixMillis, limit: i64) -> Result<Vec<String>> {
    let rows: Vec<(String,)> = sqlx::query_as("SELECT customer_id FROM deletion_requests WHERE erase_at <= $1 ORDER BY erase_at LIMIT $2")
        .bind(now)
        .bind(limit)
        .fetch_all(&mut **tx)
        .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// The request still standing for this customer, read inside `tx` (erasure re-checks).
pub async fn deletion_of_tx(tx: &mut Tx, customer_id: &str) -> Result<Option<DeletionRow>> {
    Ok(sqlx::query_as("SELECT requested_at, erase_at FROM deletion_requests WHERE customer_id = $1")
        .bind(customer_id)
        .fetch_optional(&mut **tx)
        .await?)
}

impl Store {
    /// The customer's requested deletion, if any.
    pub async fn deletion_of(&self, customer_id: &str) -> Result<Option<DeletionRow>> {
        Ok(sqlx::query_as("SELECT requested_at, erase_at FROM deletion_requests WHERE customer_id = $1")
            .bind(customer_id)
            .fetch_optional(self.pool())
            .await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every table is found, erased and exported by a rule the walk can follow.
    #[test]
    fn every_inventoried_table_has_a_plan() {
        for table in tables(INVENTORY) {
            let owner = owner(INVENTORY, table);
            let treatment = treatment(INVENTORY, table);
            let entries: Vec<&Entry> = INVENTORY.iter().filter(|e| e.table == table).collect();
            if let Treatment::Update(_) = treatment {
                assert_ne!(owner, Owner::Cascade, "`{table}` is pseudonymised but its rows cannot be found");
                assert!(!entries.iter().any(|e| e.erase == Erase::Delete), "`{table}` mixes Delete with Pseudonymise/Anonymise");
            }
            if entries.iter().any(|e| matches!(e.export, Export::List(_))) {
                assert_ne!(owner, Owner::Cascade, "`{table}` is exported but its rows cannot be found");
            }
        }
        assert_eq!(owner(INVENTORY, "audit_log"), Owner::Label(vec!["actor", "subject"]));
        assert_eq!(owner(INVENTORY, "refresh_tokens"), Owner::Cascade);
        let plan = erasure_plan();
        assert_eq!(plan.last().map(|(t, _, _)| *t), Some("customers"), "customers go last");
    }

    #[test]
    #[expect(clippy::expect_used, reason = "tests fail loudly")]
    fn lists_group_tables_and_columns() {
        let lists = export_lists(INVENTORY);
        let second = lists.iter().find(|(n, _)| *n == "second_factors").expect("a second_factors list");
        let tables: Vec<&str> = second.1.iter().map(|(t, _)| *t).collect();
        assert_eq!(tables, ["totp_credentials", "recovery_codes"]);
        let passkeys = lists.iter().find(|(n, _)| *n == "passkeys").expect("passkeys");
        assert!(!passkeys.1[0].1.contains(&"passkey"), "the public key is not exported");
        assert!(!passkeys.1[0].1.contains(&"credential_id"));
    }

    #[test]
    fn like_patterns_are_escaped() {
        assert_eq!(like_escape("a_b%c\\d@example.com"), "a\\_b\\%c\\\\d@example.com");
    }
}
