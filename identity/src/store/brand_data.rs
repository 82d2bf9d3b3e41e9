//! Rows of brand data: `attribute_definitions`, `customer_attributes`, `brand_topics`,
//! `brand_preferences`, and the profile mark on `oauth_requests`. Reads take a
//! connection, so the same query serves a pool (UserInfo, pages) and a transaction
//! (the token endpoint).

use sqlx::{AnyConnection, FromRow};

use super::{Store, Tx, is_unique_violation};
use crate::{Error, Result, UnixMillis};

/// A declaration as stored (JSON members as text, booleans as 0/1).
#[derive(Debug, Clone, FromRow)]
pub struct DefinitionRow {
    pub id: String,
    pub brand_id: Option<String>,
    pub key: String,
    pub labels: String,
    pub kind: String,
    pub choices: String,
    pub rules: String,
    pub required: i64,
    pub ask_at_sign_in: i64,
    pub group_wide: i64,
    pub position: i64,
}

const DEFINITION: &str = "id, brand_id, key, labels, kind, choices, rules, required, ask_at_sign_in, group_wide, position";

/// A brand the customer uses or holds data with.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct BrandRef {
    pub id: String,
    pub slug: String,
    pub name: String,
}

#[derive(Debug, Clone, FromRow)]
pub struct TopicRow {
    pub key: String,
    pub labels: String,
}

#[derive(Debug, Clone, Default, FromRow)]
pub struct PreferencesRow {
    pub language: Option<String>,
    pub frequency: Option<String>,
    pub topics: String,
}

pub async fn insert_definition(tx: &mut Tx, row: &DefinitionRow, now: UnixMillis) -> Result<()> {
    sqlx::query(&format!("INSERT INTO attribute_definitions ({DEFINITION}, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"))
        .bind(&row.id)
        .bind(&row.brand_id)
        .bind(&row.key)
        .bind(&row.labels)
        .bind(&row.kind)
        .bind(&row.choices)
        .bind(&row.rules)
        .bind(row.required)
        .bind(row.ask_at_sign_in)
        .bind(row.group_wide)
        .bind(row.position)
        .bind(now)
        .execute(&mut **tx)
        .await
        .map_err(|e| if is_unique_violation(&e) { Error::Conflict("an attribute with this key") } else { e.into() })?;
    Ok(())
}

/// Whether `key` is taken for a new attribute of `brand_id` (`None`: the group's): by
/// the same brand, by a group-wide attribute, or — when the new one is group-wide — by
/// any attribute at all.
pub async fn key_taken(tx: &mut Tx, brand_id: Option<&str>, key: &str, group_wide: bool) -> Result<bool> {
    let (n,): (i64,) = match brand_id {
        Some(brand) if !group_wide => {
            sqlx::query_as("SELECT COUNT(*) FROM attribute_definitions WHERE key = $1 AND (group_wide = 1 OR brand_id = $2)")
                .bind(key)
                .bind(brand)
                .fetch_one(&mut **tx)
                .await?
        }
        _ => sqlx::query_as("SELECT COUNT(*) FROM attribute_definitions WHERE key = $1").bind(key).fetch_one(&mut **tx).await?,
    };
    Ok(n > 0)
}

/// How many attributes the brand (or the group) declared.
pub async fn count_own(tx: &mut Tx, brand_id: Option<&str>) -> Result<i64> {
    let (n,): (i64,) = match brand_id {
        Some(brand) => sqlx::query_as("SELECT COUNT(*) FROM attribute_definitions WHERE brand_id = $1").bind(brand).fetch_one(&mut **tx).await?,
        None => sqlx::query_as("SELECT COUNT(*) FROM attribute_definitions WHERE brand_id IS NULL").fetch_one(&mut **tx).await?,
    };
    Ok(n)
}

/// The attributes the brand declared itself (`None`: the group's own), in order.
pub async fn own_definitions(conn: &mut AnyConnection, brand_id: Option<&str>) -> Result<Vec<DefinitionRow>> {
    Ok(match brand_id {
        Some(brand) => {
            sqlx::query_as(&format!("SELECT {DEFINITION} FROM attribute_definitions WHERE brand_id = $1 ORDER BY position, key"))
                .bind(brand)
                .fetch_all(conn)
                .await?
        }
        None => sqlx::query_as(&format!("SELECT {DEFINITION} FROM attribute_definitions WHERE brand_id IS NULL ORDER BY position, key")).fetch_all(conn).await?,
    })
}

/// The attributes a brand reads: its own and every group-wide one.
pub async fn visible_definitions(conn: &mut AnyConnection, brand_id: &str) -> Result<Vec<DefinitionRow>> {
    Ok(sqlx::query_as(&format!("SELECT {DEFINITION} FROM attribute_definitions WHERE brand_id = $1 OR group_wide = 1 ORDER BY position, key"))
        .bind(brand_id)
        .fetch_all(conn)
        .await?)
}

/// Every group-wide attribute (the group's own and brands' group-wide ones).
pub async fn group_wide_definitions(conn: &mut AnyConnection) -> Result<Vec<DefinitionRow>> {
    Ok(sqlx::query_as(&format!("SELECT {DEFINITION} FROM attribute_definitions WHERE group_wide = 1 ORDER BY position, key")).fetch_all(conn).await?)
}

/// The customer's values: (attribute id, value).
pub async fn values_of(conn: &mut AnyConnection, customer_id: &str) -> Result<Vec<(String, String)>> {
    Ok(sqlx::query_as("SELECT attribute_id, value FROM customer_attributes WHERE customer_id = $1").bind(customer_id).fetch_all(conn).await?)
}

pub async fn set_value(tx: &mut Tx, customer_id: &str, attribute_id: &str, value: &str, now: UnixMillis) -> Result<()> {
    sqlx::query(
        "INSERT INTO customer_attributes (customer_id, attribute_id, value, updated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (customer_id, attribute_id) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
    )
    .bind(customer_id)
    .bind(attribute_id)
    .bind(value)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn clear_value(tx: &mut Tx, customer_id: &str, attribute_id: &str) -> Result<()> {
    sqlx::query("DELETE FROM customer_attributes WHERE customer_id = $1 AND attribute_id = $2").bind(customer_id).bind(attribute_id).execute(&mut **tx).await?;
    Ok(())
}

/// The brand's topics, in order.
pub async fn topics_of(conn: &mut AnyConnection, brand_id: &str) -> Result<Vec<TopicRow>> {
    Ok(sqlx::query_as("SELECT key, labels FROM brand_topics WHERE brand_id = $1 ORDER BY position, key").bind(brand_id).fetch_all(conn).await?)
}

/// Replaces the brand's topics with `topics` (key, labels JSON), in that order.
pub async fn replace_topics(tx: &mut Tx, brand_id: &str, topics: &[(String, String)]) -> Result<()> {
    sqlx::query("DELETE FROM brand_topics WHERE brand_id = $1").bind(brand_id).execute(&mut **tx).await?;
    for (position, (key, labels)) in topics.iter().enumerate() {
        sqlx::query("INSERT INTO brand_topics (brand_id, key, labels, position) VALUES ($1, $2, $3, $4)")
            .bind(brand_id)
            .bind(key)
            .bind(labels)
            .bind(i64::try_from(position).unwrap_or(i64::MAX))
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

pub async fn preferences_of(conn: &mut AnyConnection, customer_id: &str, brand_id: &str) -> Result<Option<PreferencesRow>> {
    Ok(sqlx::query_as("SELECT language, frequency, topics FROM brand_preferences WHERE customer_id = $1 AND brand_id = $2")
        .bind(customer_id)
        .bind(brand_id)
        .fetch_optional(conn)
        .await?)
}

pub async fn set_preferences(tx: &mut Tx, customer_id: &str, brand_id: &str, row: &PreferencesRow, now: UnixMillis) -> Result<()> {
    sqlx::query(
        "INSERT INTO brand_preferences (customer_id, brand_id, language, frequency, topics, updated_at) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (customer_id, brand_id) DO UPDATE SET language = excluded.language, frequency = excluded.frequency, \
         topics = excluded.topics, updated_at = excluded.updated_at",
    )
    .bind(customer_id)
    .bind(brand_id)
    .bind(&row.language)
    .bind(&row.frequency)
    .bind(&row.topics)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The brands the customer uses (approved scopes) or holds preferences or attribute
/// values with, by name.
pub async fn brands_of_customer(conn: &mut AnyConnection, customer_id: &str) -> Result<Vec<BrandRef>> {
    Ok(sqlx::query_as(
        "SELECT id, slug, name FROM brands WHERE id IN (\
           SELECT brand_id FROM brand_consents WHERE customer_id = $1 \
           UNION SELECT brand_id FROM brand_preferences WHERE customer_id = $1 \
           UNION SELECT d.brand_id FROM customer_attributes v JOIN attribute_definitions d ON d.id = v.attribute_id \
           WHERE v.customer_id = $1 AND d.brand_id IS NOT NULL) ORDER BY name, slug",
    )
    .bind(customer_id)
    .fetch_all(conn)
    .await?)
}

pub async fn brand_ref(conn: &mut AnyConnection, slug: &str) -> Result<Option<BrandRef>> {
    Ok(sqlx::query_as("SELECT id, slug, name FROM brands WHERE slug = $1").bind(slug).fetch_optional(conn).await?)
}

/// Whether the request's one profile form was answered or skipped.
pub async fn profile_done(store: &Store, id_hash: &str) -> Result<bool> {
    let row: Option<(Option<i64>,)> = sqlx::query_as("SELECT profile_done_at FROM oauth_requests WHERE id_hash = $1").bind(id_hash).fetch_optional(store.pool()).await?;
    Ok(row.is_some_and(|(at,)| at.is_some()))
}

/// Marks the request's profile form done; `false` if it was already (or the request
/// is finished).
pub async fn mark_profile_done(tx: &mut Tx, id_hash: &str, now: UnixMillis) -> Result<bool> {
    let done = sqlx::query("UPDATE oauth_requests SET profile_done_at = $2 WHERE id_hash = $1 AND profile_done_at IS NULL AND completed_at IS NULL")
        .bind(id_hash)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() == 1)
}
