//! Rows of `loyalty_programmes`, `loyalty_members` (what brands report) and
//! `loyalty_links` (customers' links). Rules in [`crate::loyalty`].

use sqlx::{AnyConnection, FromRow};

use super::{Tx, is_unique_violation, list_placeholders, values_placeholders};
use crate::{Result, UnixMillis};

/// A programme as stored (`tiers`: a JSON array of labels; `luhn`, `pooling`: 0/1).
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct ProgrammeRow {
    pub id: String,
    pub slug: String,
    pub brand_id: String,
    pub name: String,
    pub number_pattern: String,
    pub luhn: i64,
    pub tiers: String,
    pub verification: String,
    pub pooling: i64,
    pub created_at: UnixMillis,
}

const PROGRAMME: &str = "id, slug, brand_id, name, number_pattern, luhn, tiers, verification, pooling, created_at";

/// A programme with its brand's slug and name.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct ListedProgramme {
    #[sqlx(flatten)]
    pub programme: ProgrammeRow,
    pub brand_slug: String,
    pub brand_name: String,
}

/// What a brand reports about one member number.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct MemberRow {
    pub programme_id: String,
    pub number: String,
    pub status: String,
    pub tier: Option<String>,
    pub points: Option<i64>,
    pub email: Option<String>,
    pub code_hash: Option<String>,
    pub code_attempts: i64,
    pub updated_at: UnixMillis,
}

/// A link as stored (`Default`: no decision, no code, not pooled — what a new link
/// starts from).
#[derive(Debug, Clone, Default, PartialEq, Eq, FromRow)]
pub struct LinkRow {
    pub id: String,
    pub programme_id: String,
    pub customer_id: String,
    pub number: String,
    pub status: String,
    pub requested_at: UnixMillis,
    pub decided_at: Option<UnixMillis>,
    pub decided_by: Option<String>,
    pub reason: Option<String>,
    pub linked_by: Option<String>,
    pub code_hash: Option<String>,
    pub code_sent_at: Option<UnixMillis>,
    pub code_sends: i64,
    pub code_attempts: i64,
    pub pooled: i64,
    pub unlinked_at: Option<UnixMillis>,
}

const LINK: &str = "id, programme_id, customer_id, number, status, requested_at, decided_at, decided_by, reason, linked_by, \
                    code_hash, code_sent_at, code_sends, code_attempts, pooled, unlinked_at";

/// A link with its programme, its brand and what the brand last reported for the number.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct ListedLink {
    #[sqlx(flatten)]
    pub link: LinkRow,
    pub programme_slug: String,
    pub programme_name: String,
    pub verification: String,
    pub pooling: i64,
    pub brand_id: String,
    pub brand_slug: String,
    pub brand_name: String,
    pub member_status: Option<String>,
    pub tier: Option<String>,
    pub points: Option<i64>,
    pub member_updated_at: Option<UnixMillis>,
}

const LISTED: &str = "SELECT l.id, l.programme_id, l.customer_id, l.number, l.status, l.requested_at, l.decided_at, l.decided_by, \
    l.reason, l.linked_by, l.code_hash, l.code_sent_at, l.code_sends, l.code_attempts, l.pooled, l.unlinked_at, \
    p.slug AS programme_slug, p.name AS programme_name, p.verification, p.pooling, p.brand_id, b.slug AS brand_slug, \
    b.name AS brand_name, m.status AS member_status, m.tier, m.points, m.updated_at AS member_updated_at \
    FROM loyalty_links l JOIN loyalty_programmes p ON p.id = l.programme_id JOIN brands b ON b.id = p.brand_id \
    LEFT JOIN loyalty_members m ON m.programme_id = l.programme_id AND m.number = l.number";

/// `true` when the statement wrote its row, `false` when a uniqueness rule refused it.
fn written_unless_taken(done: std::result::Result<sqlx::any::AnyQueryResult, sqlx::Error>) -> Result<bool> {
    match done {
        Ok(d) => Ok(d.rows_affected() == 1),
        Err(e) if is_unique_violation(&e) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// Inserts a programme; `false` when the slug is taken.
pub async fn insert_programme(tx: &mut Tx, row: &ProgrammeRow) -> Result<bool> {
    let done = sqlx::query(&format!("INSERT INTO loyalty_programmes ({PROGRAMME}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"))
        .bind(&row.id)
        .bind(&row.slug)
        .bind(&row.brand_id)
        .bind(&row.name)
        .bind(&row.number_pattern)
        .bind(row.luhn)
        .bind(&row.tiers)
        .bind(&row.verification)
        .bind(row.pooling)
        .bind(row.created_at)
        .execute(&mut **tx)
        .await;
    written_unless_taken(done)
}

const LISTED_PROGRAMME: &str = "SELECT p.id, p.slug, p.brand_id, p.name, p.number_pattern, p.luhn, p.tiers, p.verification, p.pooling, \
    p.created_at, b.slug AS brand_slug, b.name AS brand_name FROM loyalty_programmes p JOIN brands b ON b.id = p.brand_id";

/// The programme called `slug`, with its brand.
pub async fn programme_by_slug(conn: &mut AnyConnection, slug: &str) -> Result<Option<ListedProgramme>> {
    Ok(sqlx::query_as(&format!("{LISTED_PROGRAMME} WHERE p.slug = $1")).bind(slug).fetch_optional(conn).await?)
}

/// Every programme (of one brand when `brand_id` is given), with its brand, by name.
pub async fn programmes(conn: &mut AnyConnection, brand_id: Option<&str>) -> Result<Vec<ListedProgramme>> {
    let sql = match brand_id {
        Some(_) => format!("{LISTED_PROGRAMME} WHERE p.brand_id = $1 ORDER BY p.name, p.slug"),
        None => format!("{LISTED_PROGRAMME} ORDER BY p.name, p.slug"),
    };
    let mut query = sqlx::query_as(&sql);
    if let Some(brand_id) = brand_id {
        query = query.bind(brand_id);
    }
    Ok(query.fetch_all(conn).await?)
}

pub async fn member(conn: &mut AnyConnection, programme_id: &str, number: &str) -> Result<Option<MemberRow>> {
    let sql = "SELECT programme_id, number, status, tier, points, email, code_hash, code_attempts, updated_at \
               FROM loyalty_members WHERE programme_id = $1 AND number = $2";
    Ok(sqlx::query_as(sql).bind(programme_id).bind(number).fetch_optional(conn).await?)
}

/// What a brand reports for a number. `code_hash`: `Some` replaces the card code (and
/// restarts its attempts), `None` keeps the current one.
pub async fn upsert_member(tx: &mut Tx, row: &MemberRow, replace_code: bool) -> Result<()> {
    let sql = "INSERT INTO loyalty_members (programme_id, number, status, tier, points, email, code_hash, code_attempts, updated_at) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8) \
               ON CONFLICT (programme_id, number) DO UPDATE SET status = excluded.status, tier = excluded.tier, points = excluded.points, \
               email = excluded.email, updated_at = excluded.updated_at, \
               code_hash = CASE WHEN $9 = 1 THEN excluded.code_hash ELSE loyalty_members.code_hash END, \
               code_attempts = CASE WHEN $9 = 1 THEN 0 ELSE loyalty_members.code_attempts END";
    sqlx::query(sql)
        .bind(&row.programme_id)
        .bind(&row.number)
        .bind(&row.status)
        .bind(&row.tier)
        .bind(row.points)
        .bind(&row.email)
        .bind(&row.code_hash)
        .bind(row.updated_at)
        .bind(i64::from(replace_code))
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Spends the member's card code if it is still `code_hash`; `false` when another
/// request spent or replaced it first.
pub async fn spend_card_code(tx: &mut Tx, programme_id: &str, number: &str, code_hash: &str) -> Result<bool> {
    let done = sqlx::query("UPDATE loyalty_members SET code_hash = NULL, code_attempts = 0 WHERE programme_id = $1 AND number = $2 AND code_hash = $3")
        .bind(programme_id)
        .bind(number)
        .bind(code_hash)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// One more wrong card code, atomically; the `max`th spends the code.
pub async fn count_wrong_card_code(conn: &mut AnyConnection, programme_id: &str, number: &str, max: i64) -> Result<()> {
    sqlx::query(
        "UPDATE loyalty_members SET code_attempts = code_attempts + 1, \
         code_hash = CASE WHEN code_attempts + 1 >= $3 THEN NULL ELSE code_hash END \
         WHERE programme_id = $1 AND number = $2 AND code_hash IS NOT NULL",
    )
    .bind(programme_id)
    .bind(number)
    .bind(max)
    .execute(conn)
    .await?;
    Ok(())
}

/// Inserts a link; `false` when the customer already has a live link in the programme
/// (or, for a verified one, when the number is verified for someone else).
pub async fn insert_link(tx: &mut Tx, row: &LinkRow) -> Result<bool> {
    Ok(insert_links(tx, std::slice::from_ref(row)).await?.len() == 1)
}

pub async fn link(conn: &mut AnyConnection, id: &str) -> Result<Option<ListedLink>> {
    Ok(sqlx::query_as(&format!("{LISTED} WHERE l.id = $1")).bind(id).fetch_optional(conn).await?)
}

/// The customer who holds `number` verified in the programme, if anyone.
pub async fn verified_holder(conn: &mut AnyConnection, programme_id: &str, number: &str) -> Result<Option<String>> {
    let row: Option<(String,)> = sqlx::query_as("SELECT customer_id FROM loyalty_links WHERE programme_id = $1 AND number = $2 AND status = 'verified'")
        .bind(programme_id)
        .bind(number)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(|r| r.0))
}

/// A customer's live links and those rejected since `rejected_since`, newest first.
pub async fn links_of(conn: &mut AnyConnection, customer_id: &str, rejected_since: UnixMillis) -> Result<Vec<ListedLink>> {
    let sql = format!(
        "{LISTED} WHERE l.customer_id = $1 AND (l.status IN ('pending', 'verified') OR (l.status = 'rejected' AND l.decided_at >= $2)) \
         ORDER BY l.requested_at DESC, l.id"
    );
    Ok(sqlx::query_as(&sql).bind(customer_id).bind(rejected_since).fetch_all(conn).await?)
}

/// A customer's verified links (for the claim), by programme name.
pub async fn verified_of(conn: &mut AnyConnection, customer_id: &str) -> Result<Vec<ListedLink>> {
    let sql = format!("{LISTED} WHERE l.customer_id = $1 AND l.status = 'verified' ORDER BY p.name, p.slug");
    Ok(sqlx::query_as(&sql).bind(customer_id).fetch_all(conn).await?)
}

/// Moves a link from `from` to `to` (a decision, a proof, an unlink); `false` when it was
/// no longer in `from` (another request got there first), or — to `verified` — when the
/// number is verified for someone else.
pub async fn set_status(tx: &mut Tx, id: &str, from: &str, to: &str, by: &str, reason: Option<&str>, now: UnixMillis) -> Result<bool> {
    let sql = "UPDATE loyalty_links SET status = $3, decided_at = $5, decided_by = $4, reason = $6, code_hash = NULL, \
               pooled = CASE WHEN $3 = 'verified' THEN pooled ELSE 0 END, \
               unlinked_at = CASE WHEN $3 = 'unlinked' THEN $5 ELSE unlinked_at END \
               WHERE id = $1 AND status = $2";
    let done = sqlx::query(sql).bind(id).bind(from).bind(to).bind(by).bind(now).bind(reason).execute(&mut **tx).await;
    written_unless_taken(done)
}

/// Records a mailed code on a pending link (at most `max_sends` per link); `false` when
/// the link is no longer pending or the sends are used up.
pub async fn set_mailed_code(tx: &mut Tx, id: &str, code_hash: &str, max_sends: i64, now: UnixMillis) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE loyalty_links SET code_hash = $2, code_sent_at = $3, code_sends = code_sends + 1, code_attempts = 0 \
         WHERE id = $1 AND status = 'pending' AND code_sends < $4",
    )
    .bind(id)
    .bind(code_hash)
    .bind(now)
    .bind(max_sends)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// One more wrong mailed code, atomically; the `max`th spends the code.
pub async fn count_wrong_mailed_code(conn: &mut AnyConnection, id: &str, max: i64) -> Result<()> {
    sqlx::query(
        "UPDATE loyalty_links SET code_attempts = code_attempts + 1, \
         code_hash = CASE WHEN code_attempts + 1 >= $2 THEN NULL ELSE code_hash END WHERE id = $1 AND code_hash IS NOT NULL",
    )
    .bind(id)
    .bind(max)
    .execute(conn)
    .await?;
    Ok(())
}

/// Sets whether a verified link pools.
pub async fn set_pooled(tx: &mut Tx, id: &str, pooled: bool) -> Result<bool> {
    let done = sqlx::query("UPDATE loyalty_links SET pooled = $2 WHERE id = $1 AND status = 'verified'").bind(id).bind(i64::from(pooled)).execute(&mut **tx).await?;
    Ok(done.rows_affected() == 1)
}

/// The verified links in a programme of a household's members (for the owner's pooling choice).
pub async fn household_links(conn: &mut AnyConnection, household_id: &str, programme_id: &str) -> Result<Vec<LinkRow>> {
    let sql = "SELECT l.* FROM loyalty_links l JOIN household_members hm ON hm.customer_id = l.customer_id \
               WHERE hm.household_id = $1 AND l.programme_id = $2 AND l.status = 'verified' ORDER BY l.requested_at, l.id";
    Ok(sqlx::query_as(sql).bind(household_id).bind(programme_id).fetch_all(conn).await?)
}

/// Unpools every link of `customer_id` (they left a household).
pub async fn unpool_customer(tx: &mut Tx, customer_id: &str) -> Result<()> {
    sqlx::query("UPDATE loyalty_links SET pooled = 0 WHERE customer_id = $1 AND pooled = 1").bind(customer_id).execute(&mut **tx).await?;
    Ok(())
}

/// One page of a programme's links in `status`, in request order after the cursor
/// `(requested_at, id)`. The row-value comparison is a range on the index
/// `loyalty_links_queue` in both engines (an `a > x OR (a = x AND b > y)` filter made
/// deep pages scan every earlier link: 70 ms on PostgreSQL at 100,000 links).
pub async fn page(conn: &mut AnyConnection, programme_id: &str, status: &str, after: Option<(UnixMillis, &str)>, limit: i64) -> Result<Vec<LinkRow>> {
    let (at, id) = after.unwrap_or((i64::MIN, ""));
    let sql = format!(
        "SELECT {LINK} FROM loyalty_links WHERE programme_id = $1 AND status = $2 AND (requested_at, id) > ($3, $4) \
         ORDER BY requested_at, id LIMIT $5"
    );
    Ok(sqlx::query_as(&sql).bind(programme_id).bind(status).bind(at).bind(id).bind(limit).fetch_all(conn).await?)
}

/// Whether the customer granted the brand's purpose `key` (the live projection).
pub async fn purpose_granted(conn: &mut AnyConnection, customer_id: &str, brand_id: &str, key: &str) -> Result<bool> {
    let row: Option<(i64,)> = sqlx::query_as(
        "SELECT 1 FROM consent_state s JOIN purposes p ON p.id = s.purpose_id WHERE s.customer_id = $1 AND p.brand_id = $2 \
         AND p.key = $3 AND s.channel = '' AND s.decision = 'granted'",
    )
    .bind(customer_id)
    .bind(brand_id)
    .bind(key)
    .fetch_optional(conn)
    .await?;
    Ok(row.is_some())
}

/// The household a pooled link pools in (the first the customer belongs to) and how
/// many of its members pool verified links in the programme.
pub async fn pool_of(conn: &mut AnyConnection, customer_id: &str, programme_id: &str) -> Result<Option<(String, i64)>> {
    let row: Option<(String, i64)> = sqlx::query_as(
        "SELECT hm.household_id, (SELECT COUNT(*) FROM loyalty_links l JOIN household_members o ON o.customer_id = l.customer_id \
         WHERE o.household_id = hm.household_id AND l.programme_id = $2 AND l.status = 'verified' AND l.pooled = 1) \
         FROM household_members hm WHERE hm.customer_id = $1 ORDER BY hm.joined_at, hm.household_id LIMIT 1",
    )
    .bind(customer_id)
    .bind(programme_id)
    .fetch_optional(conn)
    .await?;
    Ok(row)
}

/// `(number, customer_id)` of the numbers among `numbers` verified in the programme.
pub async fn verified_numbers(conn: &mut AnyConnection, programme_id: &str, numbers: &[&str]) -> Result<Vec<(String, String)>> {
    if numbers.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT number, customer_id FROM loyalty_links WHERE programme_id = $1 AND status = 'verified' AND number IN ({})",
        list_placeholders(2, numbers.len())
    );
    let mut query = sqlx::query_as(&sql).bind(programme_id);
    for number in numbers {
        query = query.bind(*number);
    }
    Ok(query.fetch_all(conn).await?)
}

/// `(customer_id, number, status)` of the live links in the programme of the customers
/// among `customer_ids`.
pub async fn live_links_of(conn: &mut AnyConnection, programme_id: &str, customer_ids: &[&str]) -> Result<Vec<(String, String, String)>> {
    if customer_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT customer_id, number, status FROM loyalty_links WHERE programme_id = $1 AND status IN ('pending', 'verified') AND customer_id IN ({})",
        list_placeholders(2, customer_ids.len())
    );
    let mut query = sqlx::query_as(&sql).bind(programme_id);
    for id in customer_ids {
        query = query.bind(*id);
    }
    Ok(query.fetch_all(conn).await?)
}

/// Inserts links in one statement; a row that meets a live link of its customer or a
/// verified holder of its number is skipped. Returns the ids inserted.
pub async fn insert_links(tx: &mut Tx, rows: &[LinkRow]) -> Result<Vec<String>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!("INSERT INTO loyalty_links ({LINK}) VALUES {} ON CONFLICT DO NOTHING RETURNING id", values_placeholders(rows.len(), 16));
    let mut insert = sqlx::query_as::<_, (String,)>(&sql);
    for row in rows {
        insert = insert
            .bind(&row.id)
            .bind(&row.programme_id)
            .bind(&row.customer_id)
            .bind(&row.number)
            .bind(&row.status)
            .bind(row.requested_at)
            .bind(row.decided_at)
            .bind(&row.decided_by)
            .bind(&row.reason)
            .bind(&row.linked_by)
            .bind(&row.code_hash)
            .bind(row.code_sent_at)
            .bind(row.code_sends)
            .bind(row.code_attempts)
            .bind(row.pooled)
            .bind(row.unlinked_at);
    }
    Ok(insert.fetch_all(&mut **tx).await?.into_iter().map(|(id,)| id).collect())
}
