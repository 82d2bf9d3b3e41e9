//! Customer search for support (`docs/design/admin.md` "Search"): by address, name, phone,
//! customer id or loyalty number; prefix and case-insensitive; results in pages, with
//! the address and phone masked (names are what an agent greets the caller by).

use super::terms::{digits, fold};
use crate::domain::ParseError;
use crate::principal::{Action, Principal, Subject, authorize};
use crate::store::search::{self as rows, HitRow};
use crate::{Error, Identity, Result, UnixMillis};

/// Hits per page at most.
pub const MAX_PAGE: usize = 50;
const MAX_QUERY: usize = 100;
/// How many extra term rows a page reads to fill itself after duplicates and filters.
const OVERREAD: usize = 4;
/// Batches read for one page of a several-word query before it ends with a `next`.
const MAX_ROUNDS: usize = 10;

/// One customer found, masked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerHit {
    pub id: String,
    pub name: String,
    pub email_masked: String,
    pub phone_masked: Option<String>,
    pub email_verified: bool,
    pub locked: bool,
    pub managed: bool,
    pub created_at: UnixMillis,
}

/// A page of hits and the cursor of the next page.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SearchPage {
    pub hits: Vec<CustomerHit>,
    pub next: Option<String>,
}

/// `ada.king@example.com` → `a•••@e•••.com`; a managed member's placeholder shows as such.
pub fn mask_email(email: &str) -> String {
    let Some((local, domain)) = email.rsplit_once('@') else { return "\u{2022}\u{2022}\u{2022}".into() };
    let first = |s: &str| s.chars().next().map(String::from).unwrap_or_default();
    let tld = domain.rsplit_once('.').map(|(_, t)| format!(".{t}")).unwrap_or_default();
    format!("{}\u{2022}\u{2022}\u{2022}@{}\u{2022}\u{2022}\u{2022}{tld}", first(local), first(domain))
}

/// The last four digits of a phone number.
pub fn mask_phone(phone: &str) -> String {
    let d = digits(phone);
    format!("\u{2022}\u{2022}\u{2022}\u{2022} {}", &d[d.len().saturating_sub(4)..])
}

fn hit(r: HitRow) -> CustomerHit {
    let names = [r.given_name.as_deref(), r.family_name.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(" ");
    let name = r.display_name.filter(|d| !d.trim().is_empty()).unwrap_or(names);
    CustomerHit {
        email_masked: if r.managed == 1 { "\u{2014}".into() } else { mask_email(&r.email) },
        phone_masked: r.phone.as_deref().map(mask_phone),
        email_verified: r.email_verified == 1,
        locked: r.locked_at.is_some(),
        managed: r.managed == 1,
        created_at: r.created_at,
        name,
        id: r.id,
    }
}

/// What a query asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Query {
    Id(String),
    /// Term prefixes: the first drives the index, every one must match.
    Terms(Vec<String>),
    /// Digits: a phone number's, or a loyalty number's start (which may hold letters).
    Number { digits: String, loyalty: String },
}

fn parse_query(raw: &str) -> Result<Query> {
    let q = raw.trim();
    let invalid = |reason| Error::Fields(vec![ParseError::Malformed { field: "Search", reason }]);
    if q.chars().count() > MAX_QUERY || q.chars().any(char::is_control) {
        return Err(invalid("at most 100 characters, no control characters"));
    }
    if uuid::Uuid::parse_str(q).is_ok() {
        return Ok(Query::Id(q.to_lowercase()));
    }
    let compact: String = q.chars().filter(|c| !matches!(c, ' ' | '-' | '(' | ')')).collect();
    let numberish = !compact.is_empty() && compact.trim_start_matches('+').chars().all(|c| c.is_ascii_alphanumeric()) && compact.chars().any(|c| c.is_ascii_digit()) && !q.contains('@');
    if numberish && digits(&compact).len() >= 4 {
        return Ok(Query::Number { digits: digits(&compact), loyalty: compact.trim_start_matches('+').to_uppercase() });
    }
    let words: Vec<String> = q.split_whitespace().map(fold).filter(|w| !w.is_empty()).collect();
    if words.first().is_none_or(|w| w.chars().count() < 2) {
        return Err(invalid("type at least 2 characters of an address, a name, a phone or a member number, or a customer id"));
    }
    Ok(Query::Terms(words))
}

/// The cursor after `(term, customer_id)`: hex, so it survives any URL.
fn cursor(term: &str, id: &str) -> String {
    hex::encode(format!("{term}\u{0}{id}"))
}

fn parse_cursor(s: &str) -> Result<(String, String)> {
    let bad = || Error::Fields(vec![ParseError::Malformed { field: "after", reason: "use the next cursor of the previous page" }]);
    let text = String::from_utf8(hex::decode(s).map_err(|_| bad())?).map_err(|_| bad())?;
    let (term, id) = text.split_once('\u{0}').ok_or_else(bad)?;
    Ok((term.to_owned(), id.to_owned()))
}

impl Identity {
    /// Writes the search terms of customers who have none (accounts made before the
    /// search existed): at start, in batches. Returns how many customers it indexed.
    pub async fn fill_search_terms(&self, principal: &Principal) -> Result<u64> {
        authorize(principal, Action::RunPlatform, Subject::Platform)?;
        {
            let mut conn = self.store.pool().acquire().await?;
            let (customers, indexed) = rows::coverage(&mut conn).await?;
            if customers == indexed {
                return Ok(0);
            }
        }
        let mut done = 0u64;
        loop {
            let ids = {
                let mut conn = self.store.pool().acquire().await?;
                rows::unindexed(&mut conn, 1_000).await?
            };
            if ids.is_empty() {
                return Ok(done);
            }
            let mut tx = self.store.begin().await?;
            rows::refresh(&mut tx, &ids).await?;
            tx.commit().await?;
            let left = {
                let mut conn = self.store.pool().acquire().await?;
                rows::unindexed(&mut conn, 1_000).await?
            };
            // A row with nothing to find it by (no address, no name) stays unindexed.
            if left == ids {
                return Ok(done);
            }
            done += u64::try_from(ids.len()).unwrap_or(0);
        }
    }

    /// Searches customers (support: `ViewCustomers`). Ids match exactly; addresses,
    /// name words, phone digits and loyalty numbers by prefix, case-insensitively.
    /// `after` is the previous page's `next`.
    pub async fn search_customers(&self, principal: &Principal, query: &str, after: Option<&str>, limit: usize) -> Result<SearchPage> {
        authorize(principal, Action::ViewCustomers, Subject::Platform)?;
        let limit = limit.clamp(1, MAX_PAGE);
        let query = parse_query(query)?;
        let mut conn = self.store.pool().acquire().await?;
        let (ids, next) = match query {
            Query::Id(id) => (vec![id], None),
            Query::Number { digits, loyalty } => {
                let mut ids: Vec<String> = rows::by_prefix(&mut conn, &digits, None, i64::try_from(limit).unwrap_or(50)).await?.into_iter().map(|(_, id)| id).collect();
                for id in rows::by_loyalty_number(&mut conn, &loyalty, i64::try_from(limit).unwrap_or(50)).await? {
                    if !ids.contains(&id) {
                        ids.push(id);
                    }
                }
                ids.truncate(limit);
                (ids, None)
            }
            Query::Terms(words) => {
                let mut after = after.map(parse_cursor).transpose()?;
                let mut ids: Vec<String> = Vec::new();
                let mut next = None;
                let read = i64::try_from(limit * OVERREAD).unwrap_or(200);
                // Batches of `read` term rows of the first word, in index order; a batch's
                // customers stay when they have every other word too, in the batch's order,
                // until the page is full. A common first word with a rare second one ("sofia
                // silva" among a million) needs many rows: after MAX_ROUNDS the page ends
                // where it looked last and `next` goes on from there.
                for round in 0..MAX_ROUNDS {
                    let batch = rows::by_prefix(&mut conn, &words[0], after.as_ref().map(|(t, i)| (t.as_str(), i.as_str())), read).await?;
                    let exhausted = i64::try_from(batch.len()).unwrap_or(0) < read;
                    let mut kept: Vec<String> = Vec::new();
                    for (_, id) in &batch {
                        if !ids.contains(id) && !kept.contains(id) {
                            kept.push(id.clone());
                        }
                    }
                    for word in &words[1..] {
                        let keep = rows::having_prefix(&mut conn, &kept, word).await?;
                        kept.retain(|c| keep.contains(c));
                    }
                    let mut full_at = None;
                    for (term, id) in &batch {
                        if kept.contains(id) && !ids.contains(id) {
                            ids.push(id.clone());
                            if ids.len() >= limit {
                                full_at = Some(cursor(term, id));
                                break;
                            }
                        }
                    }
                    if full_at.is_some() {
                        next = full_at;
                        break;
                    }
                    if exhausted {
                        break;
                    }
                    after = batch.last().cloned();
                    if round + 1 == MAX_ROUNDS {
                        next = after.as_ref().map(|(t, i)| cursor(t, i));
                    }
                }
                (ids, next)
            }
        };
        let mut found = rows::hits(&mut conn, &ids).await?;
        found.sort_by_key(|h| ids.iter().position(|i| *i == h.id).unwrap_or(usize::MAX));
        Ok(SearchPage { hits: found.into_iter().map(hit).collect(), next })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_read_as_a_person_means_them() {
        assert_eq!(parse_query(" 0b9c2f7e-3d5a-4c1e-9f00-1a2b3c4d5e6f ").unwrap(), Query::Id("0b9c2f7e-3d5a-4c1e-9f00-1a2b3c4d5e6f".into()));
        assert_eq!(parse_query("+44 7700 900").unwrap(), Query::Number { digits: "447700900".into(), loyalty: "447700900".into() });
        assert_eq!(parse_query("sk 1234").unwrap(), Query::Number { digits: "1234".into(), loyalty: "SK1234".into() });
        assert_eq!(parse_query("Ada  LOVE").unwrap(), Query::Terms(vec!["ada".into(), "love".into()]));
        assert_eq!(parse_query("Ada.King@Example").unwrap(), Query::Terms(vec!["ada.king@example".into()]));
        assert!(parse_query("a").is_err(), "one letter finds everyone");
        assert!(parse_query("").is_err());
        assert!(parse_query(&"x".repeat(101)).is_err());
        assert!(parse_query("ad\u{0}a").is_err());
    }

    #[test]
    fn masks_keep_only_a_hint() {
        assert_eq!(mask_email("ada.king@example.com"), "a\u{2022}\u{2022}\u{2022}@e\u{2022}\u{2022}\u{2022}.com");
        assert_eq!(mask_phone("+44 20 7946 0958"), "\u{2022}\u{2022}\u{2022}\u{2022} 0958");
        let (t, i) = parse_cursor(&cursor("öztürk", "id-1")).unwrap();
        assert_eq!((t.as_str(), i.as_str()), ("öztürk", "id-1"));
        assert!(parse_cursor("zz").is_err());
    }
}
