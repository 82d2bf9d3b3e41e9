//! Rows of `purposes` and `purpose_versions`: the brands' and the group's purpose
//! catalogue and its published (immutable) versions.

use sqlx::FromRow;

use super::{Store, Tx, is_unique_violation};
use crate::{Error, Result, UnixMillis};

#[derive(Debug, Clone, FromRow)]
pub struct PurposeRow {
    pub id: String,
    /// `None`: group-wide.
    pub brand_id: Option<String>,
    pub key: String,
    pub legal_basis: String,
    /// 0 or 1.
    pub required: i64,
    /// JSON list.
    pub data_categories: String,
    pub retention: Option<String>,
    /// JSON list.
    pub channels: String,
    /// JSON object: language tag → `{title, description}`.
    pub texts: String,
    pub created_at: UnixMillis,
}

#[derive(Debug, Clone, FromRow)]
pub struct VersionRow {
    pub purpose_id: String,
    pub version: i64,
    pub body: Option<String>,
    pub document_url: Option<String>,
    pub document_sha256: Option<String>,
    pub effective_at: UnixMillis,
    /// 0 or 1.
    pub material: i64,
    pub published_at: UnixMillis,
}

/// A purpose with what the flow and the pages need about its versions and about one
/// customer's decision on it (the purpose as a whole, not a channel).
#[derive(Debug, Clone, FromRow)]
pub struct PurposeWithState {
    #[sqlx(flatten)]
    pub purpose: PurposeRow,
    /// The latest version in effect now.
    pub latest: Option<i64>,
    /// The latest *material* version in effect now.
    pub latest_material: Option<i64>,
    pub decision: Option<String>,
    pub decided_version: Option<i64>,
}

const COLUMNS: &str = "p.id, p.brand_id, p.key, p.legal_basis, p.required, p.data_categories, p.retention, p.channels, p.texts, p.created_at";

pub async fn insert(tx: &mut Tx, row: &PurposeRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO purposes (id, brand_id, key, legal_basis, required, data_categories, retention, channels, texts, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(&row.id)
    .bind(&row.brand_id)
    .bind(&row.key)
    .bind(&row.legal_basis)
    .bind(row.required)
    .bind(&row.data_categories)
    .bind(&row.retention)
    .bind(&row.channels)
    .bind(&row.texts)
    .bind(row.created_at)
    .execute(&mut **tx)
    .await
    .map_err(|e| if is_unique_violation(&e) { Error::Conflict("a purpose with this key") } else { e.into() })?;
    Ok(())
}

/// The purpose with `key` of the brand (`None`: the group's).
pub async fn by_key(store: &Store, brand_id: Option<&str>, key: &str) -> Result<Option<PurposeRow>> {
    Ok(sqlx::query_as(&format!("SELECT {COLUMNS} FROM purposes p WHERE COALESCE(p.brand_id, '') = $1 AND p.key = $2"))
        .bind(brand_id.unwrap_or(""))
        .bind(key)
        .fetch_optional(store.pool())
        .await?)
}

pub async fn by_id(store: &Store, id: &str) -> Result<Option<PurposeRow>> {
    Ok(sqlx::query_as(&format!("SELECT {COLUMNS} FROM purposes p WHERE p.id = $1")).bind(id).fetch_optional(store.pool()).await?)
}

/// The brand's purposes (`Some`) or the group's (`None`), by key.
pub async fn of_owner(store: &Store, brand_id: Option<&str>) -> Result<Vec<PurposeRow>> {
    Ok(sqlx::query_as(&format!("SELECT {COLUMNS} FROM purposes p WHERE COALESCE(p.brand_id, '') = $1 ORDER BY p.key"))
        .bind(brand_id.unwrap_or(""))
        .fetch_all(store.pool())
        .await?)
}

/// The purposes a brand shows (its own and the group's; every brand's with `None`), each
/// with its latest versions in effect at `now` and the customer's decision on it as a
/// whole: one query, the authorize path's consent check.
pub async fn with_state(store: &Store, brand_id: Option<&str>, customer_id: &str, now: UnixMillis) -> Result<Vec<PurposeWithState>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS}, \
           (SELECT MAX(v.version) FROM purpose_versions v WHERE v.purpose_id = p.id AND v.effective_at <= $2) AS latest, \
           (SELECT MAX(v.version) FROM purpose_versions v WHERE v.purpose_id = p.id AND v.effective_at <= $2 AND v.material = 1) AS latest_material, \
           s.decision, s.version AS decided_version \
         FROM purposes p LEFT JOIN consent_state s ON s.purpose_id = p.id AND s.customer_id = $3 AND s.channel = '' \
         WHERE $1 = '' OR p.brand_id = $1 OR p.brand_id IS NULL \
         ORDER BY CASE WHEN p.brand_id IS NULL THEN 0 ELSE 1 END, p.brand_id, p.required DESC, p.key"
    ))
    .bind(brand_id.unwrap_or(""))
    .bind(now)
    .bind(customer_id)
    .fetch_all(store.pool())
    .await?)
}

/// The group's required purposes with a version in force at `now`, and that version
/// (what registration's "I accept" covers).
pub async fn of_owner_in_force(store: &Store, now: UnixMillis) -> Result<Vec<(PurposeRow, i64)>> {
    let rows: Vec<PurposeWithState> = sqlx::query_as(&format!(
        "SELECT {COLUMNS}, \
           (SELECT MAX(v.version) FROM purpose_versions v WHERE v.purpose_id = p.id AND v.effective_at <= $1) AS latest, \
           NULL AS latest_material, NULL AS decision, NULL AS decided_version \
         FROM purposes p WHERE p.brand_id IS NULL AND p.required = 1 ORDER BY p.key"
    ))
    .bind(now)
    .fetch_all(store.pool())
    .await?;
    Ok(rows.into_iter().filter_map(|r| Some((r.purpose, r.latest?))).collect())
}

pub async fn insert_version(tx: &mut Tx, row: &VersionRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO purpose_versions (purpose_id, version, body, document_url, document_sha256, effective_at, material, published_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&row.purpose_id)
    .bind(row.version)
    .bind(&row.body)
    .bind(&row.document_url)
    .bind(&row.document_sha256)
    .bind(row.effective_at)
    .bind(row.material)
    .bind(row.published_at)
    .execute(&mut **tx)
    .await
    .map_err(|e| if is_unique_violation(&e) { Error::Conflict("this version of the purpose") } else { e.into() })?;
    Ok(())
}

/// Every published version of the purpose, oldest first.
pub async fn versions(store: &Store, purpose_id: &str) -> Result<Vec<VersionRow>> {
    Ok(sqlx::query_as(
        "SELECT purpose_id, version, body, document_url, document_sha256, effective_at, material, published_at \
         FROM purpose_versions WHERE purpose_id = $1 ORDER BY version",
    )
    .bind(purpose_id)
    .fetch_all(store.pool())
    .await?)
}

/// The highest version number published so far (0 when none), read in `tx` so two
/// publishers cannot both take the next number (the primary key refuses the second).
pub async fn highest_version(tx: &mut Tx, purpose_id: &str) -> Result<i64> {
    let row: (Option<i64>,) = sqlx::query_as("SELECT MAX(version) FROM purpose_versions WHERE purpose_id = $1")
        .bind(purpose_id)
        .fetch_one(&mut **tx)
        .await?;
    Ok(row.0.unwrap_or(0))
}
