//! Rows of `customer_search`: the terms support finds a customer by (rules in
//! [`crate::admin::terms`]). The customer-writing statements of `customers` and
//! `guardians` call [`refresh`] in their transaction, so the terms never lag the row.

use sqlx::AnyConnection;

use super::{Tx, values_placeholders};
use crate::Result;
use crate::admin::terms;

/// Terms per INSERT statement (2 parameters each).
const BATCH: usize = 400;

/// Rewrites the terms of `ids` from their current rows.
pub async fn refresh(tx: &mut Tx, ids: &[String]) -> Result<()> {
    write_terms(tx, ids, true).await
}

/// Writes the terms of customers just inserted (they have none: nothing to delete, so
/// a bulk import never looks the table up row by row).
pub async fn index_new(tx: &mut Tx, ids: &[String]) -> Result<()> {
    write_terms(tx, ids, false).await
}

async fn write_terms(tx: &mut Tx, ids: &[String], replace: bool) -> Result<()> {
    for chunk in ids.chunks(BATCH / 4) {
        let placeholders: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let list = placeholders.join(", ");
        if replace {
            let delete = format!("DELETE FROM customer_search WHERE customer_id IN ({list})");
            let mut del = sqlx::query(&delete);
            for id in chunk {
                del = del.bind(id);
            }
            del.execute(&mut **tx).await?;
        }
        let sql = format!(
            "SELECT id, email_normalized, given_name, family_name, display_name, phone FROM customers WHERE id IN ({list})"
        );
        let mut select = sqlx::query_as::<_, (String, String, Option<String>, Option<String>, Option<String>, Option<String>)>(&sql);
        for id in chunk {
            select = select.bind(id);
        }
        let rows = select.fetch_all(&mut **tx).await?;
        let pairs: Vec<(String, String)> = rows
            .iter()
            .flat_map(|(id, email, given, family, display, phone)| {
                terms::terms(email, &[given.as_deref(), family.as_deref(), display.as_deref()], phone.as_deref()).into_iter().map(move |t| (t, id.clone()))
            })
            .collect();
        for batch in pairs.chunks(BATCH) {
            let sql = format!("INSERT INTO customer_search (term, customer_id) VALUES {} ON CONFLICT DO NOTHING", values_placeholders(batch.len(), 2));
            let mut insert = sqlx::query(&sql);
            for (term, id) in batch {
                insert = insert.bind(term).bind(id);
            }
            insert.execute(&mut **tx).await?;
        }
    }
    Ok(())
}

/// How many customers there are, and how many have terms (two counts: cheap next to
/// looking for the unindexed one by one at every start).
pub async fn coverage(conn: &mut AnyConnection) -> Result<(i64, i64)> {
    let (customers,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM customers").fetch_one(&mut *conn).await?;
    let (indexed,): (i64,) = sqlx::query_as("SELECT COUNT(DISTINCT customer_id) FROM customer_search").fetch_one(&mut *conn).await?;
    Ok((customers, indexed))
}

/// Customers with no term yet (rows written before the search existed), at most `limit`.
pub async fn unindexed(conn: &mut AnyConnection, limit: i64) -> Result<Vec<String>> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT c.id FROM customers c WHERE NOT EXISTS (SELECT 1 FROM customer_search s WHERE s.customer_id = c.id) ORDER BY c.id LIMIT $1",
    )
    .bind(limit)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// Customer ids with a term starting with `prefix`, in term order after `after`
/// (`(term, customer_id)`), at most `limit` rows (a customer may come once per term).
pub async fn by_prefix(conn: &mut AnyConnection, prefix: &str, after: Option<(&str, &str)>, limit: i64) -> Result<Vec<(String, String)>> {
    let bound = terms::prefix_bound(prefix);
    let (sql, after) = match after {
        Some(a) => (
            "SELECT term, customer_id FROM customer_search WHERE term >= $1 AND term < $2 AND (term > $3 OR (term = $3 AND customer_id > $4)) \
             ORDER BY term, customer_id LIMIT $5",
            Some(a),
        ),
        None => ("SELECT term, customer_id FROM customer_search WHERE term >= $1 AND term < $2 ORDER BY term, customer_id LIMIT $3", None),
    };
    let mut query = sqlx::query_as::<_, (String, String)>(sql).bind(prefix).bind(&bound);
    if let Some((term, id)) = after {
        query = query.bind(term).bind(id);
    }
    Ok(query.bind(limit).fetch_all(conn).await?)
}

/// What a search hit shows of a customer (masked by the core before it leaves).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct HitRow {
    pub id: String,
    pub email: String,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub display_name: Option<String>,
    pub phone: Option<String>,
    pub email_verified: i64,
    pub locked_at: Option<crate::UnixMillis>,
    pub managed: i64,
    pub created_at: crate::UnixMillis,
}

/// The hit rows of `ids` (in no particular order).
pub async fn hits(conn: &mut AnyConnection, ids: &[String]) -> Result<Vec<HitRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT id, email, given_name, family_name, display_name, phone, email_verified, \
         locked_at, managed, created_at FROM customers WHERE id IN ({})",
        list.join(", ")
    );
    let mut query = sqlx::query_as::<_, HitRow>(&sql);
    for id in ids {
        query = query.bind(id);
    }
    Ok(query.fetch_all(conn).await?)
}

/// Customers holding a live loyalty link whose number starts with `prefix` (upper case),
/// at most `limit`.
pub async fn by_loyalty_number(conn: &mut AnyConnection, prefix: &str, limit: i64) -> Result<Vec<String>> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT DISTINCT customer_id FROM loyalty_links WHERE number >= $1 AND number < $2 AND substr(number, 1, CAST($3 AS INTEGER)) = $1 \
         AND status IN ('pending', 'verified') ORDER BY customer_id LIMIT $4",
    )
    .bind(prefix)
    .bind(terms::prefix_bound(prefix))
    .bind(i64::try_from(prefix.chars().count()).unwrap_or(i64::MAX))
    .bind(limit)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// Which of `ids` have a term starting with `prefix`.
pub async fn having_prefix(conn: &mut AnyConnection, ids: &[String], prefix: &str) -> Result<Vec<String>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list: Vec<String> = (3..ids.len() + 3).map(|i| format!("${i}")).collect();
    let sql = format!("SELECT DISTINCT customer_id FROM customer_search WHERE term >= $1 AND term < $2 AND customer_id IN ({})", list.join(", "));
    let mut query = sqlx::query_as::<_, (String,)>(&sql).bind(prefix).bind(terms::prefix_bound(prefix));
    for id in ids {
        query = query.bind(id);
    }
    Ok(query.fetch_all(conn).await?.into_iter().map(|(id,)| id).collect())
}
