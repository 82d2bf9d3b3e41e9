//! The personal-data inventory: every table and column that holds a customer's data,
//! with how a data export shows it and how an erasure treats it. Export and erasure
//! walk this list; a test holds it to the migrated schema.
//!
//! # The rule the test enforces
//! Every table of the schema (but sqlx's and SQLite's own) is classified: it has
//! entries in [`INVENTORY`], or it is in [`NOT_CUSTOMER_DATA`] with a reason. Then:
//! - in an inventoried table, every column that **refers to a customer** and every
//!   column with a **personal-data name** must have an entry;
//! - a table in [`NOT_CUSTOMER_DATA`] must have no column that refers to a customer;
//! - every entry must name a table and column that exist.
//!
//! A column *refers to a customer* when it has a foreign key to `customers`, or is
//! named one of [`CUSTOMER_KEY_NAMES`] (`customer_id`, and the audit log's `actor` and
//! `subject`, which hold `customer:<id>`). A *personal-data name* is one of
//! [`PERSONAL_NAMES`] or starts with `address_`. Classifying every table also catches
//! a table that holds customers' data under another name (it is not in either list).

use Erase::{Delete, Keep, Pseudonymise};
use Export::{List, No, Profile};

/// How a data export (the customer's own copy) shows a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Export {
    /// In the profile section.
    Profile,
    /// In the named list ("sessions", "passkeys", "activity" …), one item per row.
    List(&'static str),
    /// Not exported, and why (a secret, a hash, a transient record …).
    No(&'static str),
}

/// What an erasure does to a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Erase {
    /// The row is deleted (directly, or by `ON DELETE CASCADE` from `customers`).
    Delete,
    /// The row stays; the value is replaced by one that names no one.
    Anonymise,
    /// The row stays as proof the law allows keeping (the consent ledger: GDPR
    /// Art. 17(3)(b) and (e)); a customer id (or an actor naming the customer) becomes
    /// the customer's pseudonym `erased:<hex>`, evidence such as a user agent becomes NULL.
    Pseudonymise,
    /// The value stays, and why (append-only, expires by itself …).
    Keep(&'static str),
}

/// One column holding a customer's data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    pub table: &'static str,
    pub column: &'static str,
    pub export: Export,
    pub erase: Erase,
}

/// Columns that refer to a customer by name (besides foreign keys to `customers`).
pub const CUSTOMER_KEY_NAMES: &[&str] = &["customer_id", "actor", "subject"];

/// Column names that hold personal data wherever they appear (and `address_*`).
pub const PERSONAL_NAMES: &[&str] = &[
    "email", "email_normalized", "new_email", "given_name", "family_name", "display_name", "phone", "birth_date",
    "to_addr", "device", "ip", "ip_address", "user_agent", "preferred_language", "zoneinfo",
];

/// Tables that hold no customer's data, and why.
pub const NOT_CUSTOMER_DATA: &[(&str, &str)] = &[
    ("brands", "the brands themselves"),
    ("loyalty_programmes", "the brands' loyalty programmes"),
    (
        "loyalty_members",
        "what brands report about their member numbers (standing, tier, balance, the address on file): the brand's records, tied to no account; deleted with the programme",
    ),
    ("staff", "staff members' own accounts, not customers'"),
    ("staff_enrolments", "staff members' one-time enrolment links"),
    ("staff_totp", "staff members' authenticator secrets"),
    ("staff_sessions", "staff members' sessions (the admin cookie), never a customer's"),
    ("staff_brands", "the brands a brand administrator administers"),
    ("signing_keys", "the provider's signing keys"),
    ("oauth_clients", "relying parties registered by the operator"),
    ("client_assertion_jtis", "replay guard of clients' signed assertions"),
    ("purposes", "the brands' and the group's purpose catalogue"),
    ("purpose_versions", "the published texts of the purposes"),
    ("receipt_keys", "the keys that sign consent receipts"),
    ("attribute_definitions", "the attributes brands and the group declare"),
    ("brand_topics", "the topics brands offer"),
    ("households", "a household's id and name, shared by its members (in their exports as their membership); deleted with its last member"),
    ("audit_retention_gate", "the audit log's retention gate: a cutoff time, open only inside the retention sweep's transaction"),
];

const fn e(table: &'static str, column: &'static str, export: Export, erase: Erase) -> Entry {
    Entry { table, column, export, erase }
}

const SECRET: Export = No("a secret or its hash: of no use to the customer, a risk in a file");
const AUDIT_KEPT: Erase = Keep("the audit log is append-only (but for FOYER_AUDIT_RETENTION_DAYS); it holds ids and outcomes, no names or addresses");
const LEDGER_KEPT: &str = "the ledger is proof of each decision; after erasure it names only a pseudonym";
const EXPIRES: &str = "short-lived: expires and is swept by itself";

/// Every column that holds a customer's data.
pub const INVENTORY: &[Entry] = &[
    // The account.
    e("customers", "id", Profile, Delete),
    e("customers", "email", Profile, Delete),
    e("customers", "email_normalized", No("a lookup form of the email"), Delete),
    e("customers", "given_name", Profile, Delete),
    e("customers", "family_name", Profile, Delete),
    e("customers", "display_name", Profile, Delete),
    e("customers", "preferred_language", Profile, Delete),
    e("customers", "zoneinfo", Profile, Delete),
    e("customers", "phone", Profile, Delete),
    e("customers", "birth_date", Profile, Delete),
    e("customers", "address_street", Profile, Delete),
    e("customers", "address_locality", Profile, Delete),
    e("customers", "address_region", Profile, Delete),
    e("customers", "address_postal_code", Profile, Delete),
    e("customers", "address_country", Profile, Delete),
    e("customers", "email_verified", Profile, Delete),
    e("customers", "created_at", Profile, Delete),
    e("customers", "terms_accepted_at", Profile, Delete),
    e("customers", "updated_at", Profile, Delete),
    e("customers", "locked_at", Profile, Delete),
    e("customers", "lock_kind", No("what locked the account: shown with locked_at to support"), Delete),
    e("customers", "password_version", No("a counter"), Delete),
    e("customers", "failed_logins", No("a security counter"), Delete),
    e("customers", "password_hash", SECRET, Delete),
    e("customers", "created_device_hash", SECRET, Delete),
    // Credentials and devices.
    e("totp_credentials", "customer_id", List("second_factors"), Delete),
    e("totp_credentials", "secret_sealed", SECRET, Delete),
    e("recovery_codes", "customer_id", List("second_factors"), Delete),
    e("recovery_codes", "code_hash", SECRET, Delete),
    e("passkeys", "customer_id", List("passkeys"), Delete),
    e("passkeys", "name", List("passkeys"), Delete),
    e("passkeys", "aaguid", List("passkeys"), Delete),
    e("passkeys", "passkey", No("the public key and counter: of no use outside Foyer"), Delete),
    e("passkeys", "credential_id", No("an identifier the authenticator chose"), Delete),
    e("remembered_devices", "customer_id", List("remembered_devices"), Delete),
    e("remembered_devices", "device", List("remembered_devices"), Delete),
    e("remembered_devices", "token_hash", SECRET, Delete),
    e("known_devices", "customer_id", List("known_devices"), Delete),
    e("known_devices", "device_hash", SECRET, Delete),
    // Mailed links and codes, sessions, throttles.
    e("account_tokens", "customer_id", No("pending links and codes: hashes only"), Delete),
    e("account_tokens", "new_email", No("a pending email change, shown on the profile while pending"), Delete),
    e("sessions", "customer_id", List("sessions"), Delete),
    e("sessions", "device", List("sessions"), Delete),
    e("sessions", "data", No("the session layer's record: ids and timestamps"), Delete),
    e("throttle", "key", No("security counters (customer ids or hashed addresses)"), Keep(EXPIRES)),
    // Audit, outbox, development mail.
    e("audit_log", "actor", List("activity"), Pseudonymise),
    e("audit_log", "subject", List("activity"), Pseudonymise),
    e("audit_log", "detail", List("activity"), AUDIT_KEPT),
    e("outbox", "payload", No("queued mail and events, in flight"), Keep("delivered rows go after a day, failed ones after a week")),
    e("dev_mailbox", "to_addr", No("development mode only"), Keep("pruned after a week")),
    // `subject` here is a mail's subject line (the name rule cannot tell): listed all the same.
    e("dev_mailbox", "subject", No("development mode only"), Keep("pruned after a week")),
    e("dev_mailbox", "text_body", No("development mode only"), Keep("pruned after a week")),
    e("dev_mailbox", "html_body", No("development mode only"), Keep("pruned after a week")),
    // OpenID Connect: what the brands were given.
    e("brand_consents", "customer_id", List("connected_brands"), Delete),
    e("oauth_grants", "customer_id", List("connected_brands"), Delete),
    e("oauth_requests", "customer_id", No("an authorization in progress, minutes long"), Delete),
    e("authorization_codes", "customer_id", No("one-time codes, a minute long"), Delete),
    e("access_tokens", "customer_id", No("token records: ids only"), Delete),
    e("refresh_tokens", "grant_id", No("token hashes of a grant (rows go with the grant)"), Delete),
    e("oidc_session_clients", "customer_id", No("which brands a sign-in reached, for logout"), Delete),
    e("audit_log", "reason", List("activity"), AUDIT_KEPT),
    // Consent: every decision (append-only, signed) and what is in force.
    e("consent_ledger", "customer_id", List("consent_history"), Pseudonymise),
    e("consent_ledger", "actor", List("consent_history"), Pseudonymise),
    e("consent_ledger", "user_agent", List("consent_history"), Pseudonymise),
    e("consent_ledger", "request_id", List("consent_history"), Pseudonymise),
    e("consent_ledger", "receipt_id", List("consent_history"), Keep(LEDGER_KEPT)),
    e("consent_ledger", "purpose_id", List("consent_history"), Keep(LEDGER_KEPT)),
    e("consent_ledger", "version", List("consent_history"), Keep(LEDGER_KEPT)),
    e("consent_ledger", "scopes", List("consent_history"), Keep(LEDGER_KEPT)),
    e("consent_ledger", "brand_id", List("consent_history"), Keep(LEDGER_KEPT)),
    e("consent_ledger", "decision", List("consent_history"), Keep(LEDGER_KEPT)),
    e("consent_ledger", "channel", List("consent_history"), Keep(LEDGER_KEPT)),
    e("consent_ledger", "at", List("consent_history"), Keep(LEDGER_KEPT)),
    e("consent_ledger", "collection", List("consent_history"), Keep(LEDGER_KEPT)),
    e("consent_ledger", "ticket", List("consent_history"), Keep(LEDGER_KEPT)),
    e("consent_ledger", "jurisdiction", List("consent_history"), Keep(LEDGER_KEPT)),
    e("consent_ledger", "receipt_jws", List("consent_history"), Keep(LEDGER_KEPT)),
    e("consent_state", "customer_id", List("consents"), Delete),
    e("consent_state", "purpose_id", List("consents"), Delete),
    e("consent_state", "channel", List("consents"), Delete),
    e("consent_state", "version", List("consents"), Delete),
    e("consent_state", "decision", List("consents"), Delete),
    e("consent_state", "at", List("consents"), Delete),
    // Brand data: the customer's attribute values and per-brand preferences.
    e("customer_attributes", "customer_id", List("brand_attributes"), Delete),
    e("customer_attributes", "attribute_id", List("brand_attributes"), Delete),
    e("customer_attributes", "value", List("brand_attributes"), Delete),
    e("customer_attributes", "updated_at", List("brand_attributes"), Delete),
    e("brand_preferences", "customer_id", List("preferences"), Delete),
    e("brand_preferences", "brand_id", List("preferences"), Delete),
    e("brand_preferences", "language", List("preferences"), Delete),
    e("brand_preferences", "frequency", List("preferences"), Delete),
    e("brand_preferences", "topics", List("preferences"), Delete),
    e("brand_preferences", "updated_at", List("preferences"), Delete),
    // What the export shows besides the customer columns: when, which, how long.
    e("audit_log", "at", List("activity"), AUDIT_KEPT),
    e("audit_log", "action", List("activity"), AUDIT_KEPT),
    e("totp_credentials", "created_at", List("second_factors"), Delete),
    e("totp_credentials", "confirmed_at", List("second_factors"), Delete),
    e("recovery_codes", "created_at", List("second_factors"), Delete),
    e("recovery_codes", "used_at", List("second_factors"), Delete),
    e("passkeys", "backup_eligible", List("passkeys"), Delete),
    e("passkeys", "created_at", List("passkeys"), Delete),
    e("passkeys", "last_used_at", List("passkeys"), Delete),
    e("passkeys", "flagged_at", List("passkeys"), Delete),
    e("remembered_devices", "created_at", List("remembered_devices"), Delete),
    e("remembered_devices", "expires_at", List("remembered_devices"), Delete),
    e("known_devices", "first_seen_at", List("known_devices"), Delete),
    e("sessions", "created_at", List("sessions"), Delete),
    e("sessions", "last_seen_at", List("sessions"), Delete),
    e("sessions", "expires_at", List("sessions"), Delete),
    e("brand_consents", "brand_id", List("connected_brands"), Delete),
    e("brand_consents", "scope", List("connected_brands"), Delete),
    e("brand_consents", "granted_at", List("connected_brands"), Delete),
    e("oauth_grants", "client_id", List("connected_brands"), Delete),
    e("oauth_grants", "scope", List("connected_brands"), Delete),
    e("oauth_grants", "created_at", List("connected_brands"), Delete),
    e("oauth_grants", "expires_at", List("connected_brands"), Delete),
    e("oauth_grants", "revoked_at", List("connected_brands"), Delete),
    // Export and deletion themselves.
    e("data_exports", "customer_id", No("single-use download links: hashes only"), Delete),
    e("data_exports", "token_hash", SECRET, Delete),
    e("deletion_requests", "customer_id", List("deletion_request"), Delete),
    e("deletion_requests", "requested_at", List("deletion_request"), Delete),
    e("deletion_requests", "erase_at", List("deletion_request"), Delete),
    // Households (docs/design/household.md). Erasure first leaves every household
    // (`households::household`: ownership passes on, delegations and their grants end).
    e("household_members", "customer_id", List("household"), Delete),
    e("household_members", "household_id", List("household"), Delete),
    e("household_members", "role", List("household"), Delete),
    e("household_members", "joined_at", List("household"), Delete),
    e("household_invitations", "invited_by", No("invitations the customer sent: ids only"), Keep(SET_NULL)),
    e("household_invitations", "accepted_by", No("the invitation the customer accepted: shown as the membership"), Keep(SET_NULL)),
    e("household_invitations", "email_normalized", No("an address someone was invited with"), Keep("forgotten 30 days after the invitation ended (the privacy sweep)")),
    e("guardianships", "managed_id", No("shown on the household page"), Delete),
    e("guardianships", "guardian_id", No("shown on the household page"), Delete),
    e("household_claims", "managed_id", No("a hand-over in progress: hashes only"), Delete),
    e("household_claims", "issued_by", No("the guardian who issued a hand-over link"), Keep(SET_NULL)),
    e("household_claims", "new_email", No("the address a hand-over is confirming"), Delete),
    e("household_claims", "password_hash", SECRET, Delete),
    e("delegations", "principal_id", No("shown on the household page"), Delete),
    e("delegations", "delegate_id", No("shown on the household page"), Delete),
    e("customer_search", "customer_id", No("search terms derived from the profile (address, names, phone): a lookup form"), Delete),
    e("support_access", "customer_id", No("requests for support access, listed on the Support access page while they matter"), Delete),
    // Loyalty links (docs/design/loyalty.md): the customer's memberships and their history.
    e("loyalty_links", "customer_id", List("loyalty"), Delete),
    e("loyalty_links", "number", List("loyalty"), Delete),
    e("loyalty_links", "status", List("loyalty"), Delete),
    e("loyalty_links", "requested_at", List("loyalty"), Delete),
    e("loyalty_links", "decided_at", List("loyalty"), Delete),
    e("loyalty_links", "pooled", List("loyalty"), Delete),
    e("loyalty_links", "linked_by", No("the guardian or delegate who linked it: an id"), Keep(SET_NULL)),
    e("loyalty_links", "code_hash", SECRET, Delete),
];

const SET_NULL: &str = "set to NULL by the database when the customer goes (ON DELETE SET NULL)";

/// One column of the migrated schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaColumn {
    pub name: String,
    /// The table its foreign key refers to, if any.
    pub references: Option<String>,
}

/// The migrated schema: tables and their columns.
pub type Schema = std::collections::BTreeMap<String, Vec<SchemaColumn>>;

fn refers_to_customer(c: &SchemaColumn) -> bool {
    c.references.as_deref() == Some("customers") || CUSTOMER_KEY_NAMES.contains(&c.name.as_str())
}

fn personal_name(name: &str) -> bool {
    PERSONAL_NAMES.contains(&name) || name.starts_with("address_")
}

/// Holds `inventory` and `not_customer` to `schema` (the rule in the module doc);
/// returns one line per problem, empty when they agree.
pub fn check(schema: &Schema, inventory: &[Entry], not_customer: &[(&str, &str)]) -> Vec<String> {
    let mut problems = Vec::new();
    let listed = |table: &str, column: &str| inventory.iter().any(|e| e.table == table && e.column == column);
    for (table, columns) in schema {
        if table.starts_with("_sqlx") || table.starts_with("sqlite_") {
            continue;
        }
        let inventoried = inventory.iter().any(|e| e.table == table);
        let excluded = not_customer.iter().any(|(t, _)| t == table);
        match (inventoried, excluded) {
            (false, false) => problems.push(format!(
                "table `{table}` is not classified: add its customer columns to store::inventory::INVENTORY, \
                 or the table to NOT_CUSTOMER_DATA with a reason"
            )),
            (true, true) => problems.push(format!("table `{table}` is both in INVENTORY and in NOT_CUSTOMER_DATA")),
            _ => {}
        }
        for c in columns {
            let why = if refers_to_customer(c) {
                "refers to a customer"
            } else if personal_name(&c.name) {
                "holds personal data"
            } else {
                continue;
            };
            if excluded && refers_to_customer(c) {
                problems.push(format!("column `{table}.{}` {why}, but `{table}` is in NOT_CUSTOMER_DATA", c.name));
            } else if inventoried && !listed(table, &c.name) {
                problems.push(format!("column `{table}.{}` {why} and is not in store::inventory::INVENTORY", c.name));
            }
        }
    }
    for entry in inventory {
        match schema.get(entry.table) {
            None => problems.push(format!("INVENTORY names table `{}`, which does not exist", entry.table)),
            Some(columns) if !columns.iter().any(|c| c.name == entry.column) => {
                problems.push(format!("INVENTORY names column `{}.{}`, which does not exist", entry.table, entry.column));
            }
            Some(_) => {}
        }
    }
    for (table, _) in not_customer {
        if !schema.contains_key(*table) {
            problems.push(format!("NOT_CUSTOMER_DATA names table `{table}`, which does not exist"));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{DatabaseUrl, PoolSettings, Store};

    /// A fresh SQLite store with every migration applied.
    #[expect(clippy::unwrap_used, reason = "tests fail loudly")]
    async fn migrated() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let url = DatabaseUrl::parse(&format!("sqlite://{}/inventory.db", dir.path().display())).unwrap();
        let store = Store::connect(&url, PoolSettings::default()).await.unwrap();
        store.migrate().await.unwrap();
        (dir, store)
    }

    /// The tables and columns of a SQLite database, with their foreign keys
    /// (`sqlite_master`, `pragma_table_info`, `pragma_foreign_key_list`).
    #[expect(clippy::unwrap_used, reason = "tests fail loudly")]
    async fn sqlite_schema(store: &Store) -> Schema {
        let tables: Vec<(String,)> =
            sqlx::query_as("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").fetch_all(store.pool()).await.unwrap();
        let mut schema = Schema::new();
        for (table,) in tables {
            let columns: Vec<(String,)> =
                sqlx::query_as("SELECT name FROM pragma_table_info($1) ORDER BY cid").bind(&table).fetch_all(store.pool()).await.unwrap();
            let keys: Vec<(String, String)> = sqlx::query_as("SELECT \"from\", \"table\" FROM pragma_foreign_key_list($1)")
                .bind(&table)
                .fetch_all(store.pool())
                .await
                .unwrap();
            let columns = columns
                .into_iter()
                .map(|(name,)| {
                    let references = keys.iter().find(|(from, _)| *from == name).map(|(_, to)| to.clone());
                    SchemaColumn { name, references }
                })
                .collect();
            schema.insert(table, columns);
        }
        schema
    }

    /// The inventory and the migrated schema agree.
    #[tokio::test]
    async fn the_inventory_covers_the_schema() {
        let (_dir, store) = migrated().await;
        let schema = sqlite_schema(&store).await;
        assert!(schema.contains_key("customers") && schema.len() > 20, "introspection found the tables: {:?}", schema.keys());
        let problems = check(&schema, INVENTORY, NOT_CUSTOMER_DATA);
        assert!(problems.is_empty(), "the personal-data inventory does not match the schema:\n{}", problems.join("\n"));
    }

    /// The failure path: a migration that adds a customer-referencing table, or a
    /// customer column to a table declared free of customer data, is reported; so is an
    /// entry whose column is gone. With the extra statements below, the check of
    /// [`the_inventory_covers_the_schema`] fails with:
    ///
    /// ```text
    /// the personal-data inventory does not match the schema:
    /// column `brands.owner_id` refers to a customer, but `brands` is in NOT_CUSTOMER_DATA
    /// table `notes` is not classified: add its customer columns to store::inventory::INVENTORY, or the table to NOT_CUSTOMER_DATA with a reason
    /// column `sessions.ip` holds personal data and is not in store::inventory::INVENTORY
    /// ```
    /// (the same lines are asserted below). Its first real catch, when it was written:
    /// ``column `dev_mailbox.subject` refers to a customer and is not in
    /// store::inventory::INVENTORY`` (a mail's subject line, since listed).
    #[tokio::test]
    #[expect(clippy::unwrap_used, reason = "tests fail loudly")]
    async fn an_unlisted_customer_table_fails_the_check() {
        let (_dir, store) = migrated().await;
        for statement in [
            "CREATE TABLE notes (id TEXT PRIMARY KEY, customer_id TEXT REFERENCES customers (id), body TEXT)",
            "ALTER TABLE brands ADD COLUMN owner_id TEXT REFERENCES customers (id)",
            "ALTER TABLE sessions ADD COLUMN ip TEXT",
        ] {
            sqlx::query(statement).execute(store.pool()).await.unwrap();
        }
        let schema = sqlite_schema(&store).await;
        assert_eq!(check(&schema, INVENTORY, NOT_CUSTOMER_DATA), vec![
            "column `brands.owner_id` refers to a customer, but `brands` is in NOT_CUSTOMER_DATA".to_owned(),
            "table `notes` is not classified: add its customer columns to store::inventory::INVENTORY, \
             or the table to NOT_CUSTOMER_DATA with a reason"
                .to_owned(),
            "column `sessions.ip` holds personal data and is not in store::inventory::INVENTORY".to_owned(),
        ]);

        // Listing the table is not enough: its customer column must be listed too.
        let mut inventory = INVENTORY.to_vec();
        inventory.push(e("notes", "body", List("notes"), Delete));
        inventory.push(e("sessions", "ip", No("test"), Delete));
        let not_customer: Vec<_> = NOT_CUSTOMER_DATA.iter().copied().filter(|(t, _)| *t != "brands").collect();
        inventory.push(e("brands", "owner_id", No("test"), Delete));
        assert_eq!(check(&schema, &inventory, &not_customer), vec![
            "column `notes.customer_id` refers to a customer and is not in store::inventory::INVENTORY".to_owned()
        ]);

        // An entry whose column does not exist is reported.
        inventory.push(e("notes", "customer_id", List("notes"), Delete));
        inventory.push(e("customers", "shoe_size", Profile, Delete));
        assert_eq!(check(&schema, &inventory, &not_customer), vec![
            "INVENTORY names column `customers.shoe_size`, which does not exist".to_owned()
        ]);
    }
}
