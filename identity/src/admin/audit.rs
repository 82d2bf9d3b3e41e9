//! The audit log for support leads and operators (`docs/design/admin.md` "Audit log"):
//! search by actor, subject, action (exact, or a family such as `support.`) and time,
//! newest first in pages with an opaque cursor, and a CSV export of the same filter that
//! a spreadsheet cannot be tricked into running (formula cells are defused), itself
//! audited (`audit.exported`).

use std::borrow::Cow;

use crate::audit::{self, AuditEvent};
use crate::domain::ParseError;
use crate::principal::{Action, Principal, Subject, authorize};
use crate::store::audit::{AuditFilter, AuditRecord};
use crate::{Error, Identity, Result, UnixMillis};

/// Entries per page unless the query asks otherwise.
pub const PAGE: usize = 50;
/// The largest page a query may ask for.
pub const MAX_LIMIT: usize = 200;
/// Rows an export holds at most (the newest); past it the export says it was cut.
pub const EXPORT_CAP: usize = 100_000;
/// Rows read per statement while an export is built.
const EXPORT_CHUNK: usize = 1_000;
const MAX_LABEL: usize = 200;
const MAX_ACTION: usize = 64;
const DAY_MS: i64 = 86_400_000;
/// Actors without an id (`audit::Actor::label`).
const BARE_ACTORS: [&str; 3] = ["cli", "system", "anonymous"];

/// The header of every export.
pub const CSV_HEADER: &str = "id,at_utc,actor,subject,action,reason,detail";

/// A query as a form gives it: every field text, empty when not given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditQueryInput {
    /// `customer:<id>`, `staff:<id>`, `client:<id>`, `erased:<hex>`, `system`, `cli`,
    /// `anonymous` … or a bare customer id.
    pub actor: String,
    /// The same forms as `actor`.
    pub subject: String,
    /// An exact action (`support.revealed`), or a family ending in `.` (`support.`) or `*`.
    pub action: String,
    /// `YYYY-MM-DD` (that UTC day's start) or an RFC 3339 instant.
    pub from: String,
    /// `YYYY-MM-DD` (that whole UTC day included) or an RFC 3339 instant (included).
    pub to: String,
    /// The previous page's `next`.
    pub cursor: String,
    /// 1 to [`MAX_LIMIT`]; empty for [`PAGE`].
    pub limit: String,
}

/// Which actions a query asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionFilter {
    Exact(String),
    /// Every action starting with this.
    Prefix(String),
}

/// A checked query: labels as the log writes them, times as `from <= at < before`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditQuery {
    pub actor: Option<String>,
    pub subject: Option<String>,
    pub action: Option<ActionFilter>,
    pub from: Option<UnixMillis>,
    /// Exclusive upper bound.
    pub before: Option<UnixMillis>,
    /// Entries with ids below this one (the keyset cursor).
    pub cursor: Option<i64>,
    pub limit: usize,
}

impl Default for AuditQuery {
    fn default() -> Self {
        Self { actor: None, subject: None, action: None, from: None, before: None, cursor: None, limit: PAGE }
    }
}

fn malformed(field: &'static str, reason: &'static str) -> ParseError {
    ParseError::Malformed { field, reason }
}

/// `customer:<id>` and the like as typed; a bare id is a customer's.
fn parse_label(field: &'static str, raw: &str) -> std::result::Result<Option<String>, ParseError> {
    let text = raw.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if text.chars().count() > MAX_LABEL || text.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(malformed(field, "at most 200 characters, no spaces or control characters"));
    }
    let lower = text.to_ascii_lowercase();
    if BARE_ACTORS.contains(&lower.as_str()) {
        return Ok(Some(lower));
    }
    let (kind, id) = match text.split_once(':') {
        Some((kind, id)) => (kind.to_ascii_lowercase(), id),
        None => ("customer".to_owned(), text),
    };
    let kind_ok = !kind.is_empty() && kind.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
    if !kind_ok || id.is_empty() || (!text.contains(':') && uuid::Uuid::parse_str(id).is_err()) {
        return Err(malformed(field, "a label such as customer:<id>, staff:<id>, client:<id> or system, or a customer id"));
    }
    // Ids Foyer makes are lower-case UUIDs: one typed in capitals still finds its rows.
    let id = if uuid::Uuid::parse_str(id).is_ok() { id.to_ascii_lowercase() } else { id.to_owned() };
    Ok(Some(format!("{kind}:{id}")))
}

fn parse_action(raw: &str) -> std::result::Result<Option<ActionFilter>, ParseError> {
    let text = raw.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let (stem, star) = match text.strip_suffix('*') {
        Some(stem) => (stem, true),
        None => (text, false),
    };
    let stem = stem.to_ascii_lowercase();
    if stem.is_empty() || stem.len() > MAX_ACTION || !stem.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'.') {
        return Err(malformed("Action", "an action such as support.revealed, or a family such as support."));
    }
    Ok(Some(if star || stem.ends_with('.') { ActionFilter::Prefix(stem) } else { ActionFilter::Exact(stem) }))
}

/// A date (`YYYY-MM-DD`, UTC) or an RFC 3339 instant; `end`: the first instant after it
/// (the day's end, or the instant itself included).
fn parse_time(field: &'static str, raw: &str, end: bool) -> std::result::Result<Option<UnixMillis>, ParseError> {
    let text = raw.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let bad = || malformed(field, "a date such as 2026-12-11 (UTC), or a time such as 2026-12-11T09:30:00Z");
    if text.len() > 40 {
        return Err(bad());
    }
    if let Ok(day) = text.parse::<jiff::civil::Date>() {
        let start = day.to_zoned(jiff::tz::TimeZone::UTC).map_err(|_| bad())?.timestamp().as_millisecond();
        return Ok(Some(if end { start + DAY_MS } else { start }));
    }
    let at = crate::clock::parse_rfc3339(text).ok_or_else(bad)?;
    Ok(Some(if end { at + 1 } else { at }))
}

/// The cursor after the entry `id`: opaque (hex), so nobody builds one by hand.
fn cursor(id: i64) -> String {
    hex::encode(format!("audit:{id}"))
}

fn parse_cursor(raw: &str) -> std::result::Result<Option<i64>, ParseError> {
    let text = raw.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let bad = || malformed("Cursor", "use the link to the next page");
    let decoded = String::from_utf8(hex::decode(text).map_err(|_| bad())?).map_err(|_| bad())?;
    let id = decoded.strip_prefix("audit:").and_then(|n| n.parse::<i64>().ok()).filter(|n| *n > 0).ok_or_else(bad)?;
    Ok(Some(id))
}

fn parse_limit(raw: &str) -> std::result::Result<usize, ParseError> {
    let text = raw.trim();
    if text.is_empty() {
        return Ok(PAGE);
    }
    text.parse::<usize>().ok().filter(|n| (1..=MAX_LIMIT).contains(n)).ok_or(malformed("Limit", "a number from 1 to 200"))
}

/// The value, or `None` with the error kept.
fn keep<T>(errors: &mut Vec<ParseError>, result: std::result::Result<T, ParseError>) -> Option<T> {
    result.map_err(|e| errors.push(e)).ok()
}

impl AuditQuery {
    /// Checks every field and names each that is wrong (`Error::Fields`).
    pub fn parse(input: &AuditQueryInput) -> Result<Self> {
        let mut errors = Vec::new();
        let actor = keep(&mut errors, parse_label("Actor", &input.actor)).flatten();
        let subject = keep(&mut errors, parse_label("Subject", &input.subject)).flatten();
        let action = keep(&mut errors, parse_action(&input.action)).flatten();
        let from = keep(&mut errors, parse_time("From", &input.from, false)).flatten();
        let before = keep(&mut errors, parse_time("To", &input.to, true)).flatten();
        let cursor = keep(&mut errors, parse_cursor(&input.cursor)).flatten();
        let limit = keep(&mut errors, parse_limit(&input.limit)).unwrap_or(PAGE);
        if let (Some(from), Some(before)) = (from, before)
            && from >= before
        {
            errors.push(malformed("To", "must not be before From"));
        }
        if errors.is_empty() { Ok(Self { actor, subject, action, from, before, cursor, limit }) } else { Err(Error::Fields(errors)) }
    }

    fn filter(&self) -> AuditFilter<'_> {
        AuditFilter {
            actor: self.actor.as_deref(),
            subject: self.subject.as_deref(),
            action: self.action.as_ref().map(|a| match a {
                ActionFilter::Exact(a) => (a.as_str(), false),
                ActionFilter::Prefix(a) => (a.as_str(), true),
            }),
            from: self.from,
            before: self.before,
            below: self.cursor,
        }
    }

    /// The filter as the `audit.exported` row records it (labels and times, no cursor).
    fn describe(&self) -> serde_json::Value {
        serde_json::json!({
            "actor": self.actor,
            "subject": self.subject,
            "action": self.action.as_ref().map(|a| match a {
                ActionFilter::Exact(a) => a.clone(),
                ActionFilter::Prefix(a) => format!("{a}*"),
            }),
            "from": self.from,
            "before": self.before,
        })
    }
}

/// One entry as the search shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub id: i64,
    pub at: UnixMillis,
    pub actor: String,
    pub subject: Option<String>,
    pub action: String,
    pub reason: Option<String>,
    /// JSON text (ids and outcomes).
    pub detail: String,
}

impl From<AuditRecord> for AuditEntry {
    fn from(r: AuditRecord) -> Self {
        Self { id: r.id, at: r.at, actor: r.actor, subject: r.subject, action: r.action, reason: r.reason, detail: r.detail }
    }
}

/// A page of entries, newest first, and the cursor of the next (older) page.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    pub next: Option<String>,
}

/// An export: the CSV text, how many entries it holds and whether [`EXPORT_CAP`] cut it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditCsv {
    pub text: String,
    pub rows: usize,
    pub truncated: bool,
}

/// One CSV cell: a cell a spreadsheet would read as a formula (starting with `=`, `+`,
/// `-`, `@`, tab or carriage return) gets a leading `'` (OWASP "CSV Injection"); then a
/// cell holding a comma, a quote or a line break is quoted, quotes doubled (RFC 4180).
pub fn csv_cell(value: &str) -> Cow<'_, str> {
    let defused: Cow<'_, str> = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) { Cow::Owned(format!("'{value}")) } else { Cow::Borrowed(value) };
    if defused.contains([',', '"', '\n', '\r']) { Cow::Owned(format!("\"{}\"", defused.replace('"', "\"\""))) } else { defused }
}

/// One record, cells joined by commas, ended by CRLF (RFC 4180).
fn csv_record(out: &mut String, cells: &[&str]) {
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&csv_cell(cell));
    }
    out.push_str("\r\n");
}

fn csv_entry(out: &mut String, e: &AuditRecord) {
    let id = e.id.to_string();
    let at = crate::clock::format_millis(e.at);
    csv_record(out, &[&id, &at, &e.actor, e.subject.as_deref().unwrap_or(""), &e.action, e.reason.as_deref().unwrap_or(""), &e.detail]);
}

impl Identity {
    /// A page of the audit log matching `query`, newest first (support leads and
    /// operators: `ViewAuditLog`).
    pub async fn search_audit(&self, principal: &Principal, query: &AuditQuery) -> Result<AuditPage> {
        authorize(principal, Action::ViewAuditLog, Subject::Platform)?;
        let limit = query.limit.clamp(1, MAX_LIMIT);
        let mut rows = self.store.search_audit(&query.filter(), i64::try_from(limit + 1).unwrap_or(51)).await?;
        let more = rows.len() > limit;
        rows.truncate(limit);
        let next = if more { rows.last().map(|r| cursor(r.id)) } else { None };
        Ok(AuditPage { entries: rows.into_iter().map(AuditEntry::from).collect(), next })
    }

    /// Every entry matching `query` (its cursor and limit aside), newest first, at most
    /// [`EXPORT_CAP`], as CSV ([`CSV_HEADER`], [`csv_cell`]). Built in memory from reads
    /// of [`EXPORT_CHUNK`] rows, so the row count is known before anything is sent; the
    /// export is audited (`audit.exported`: the filter and the count) in its own
    /// transaction before the text is returned.
    pub async fn export_audit_csv(&self, principal: &Principal, query: &AuditQuery) -> Result<AuditCsv> {
        authorize(principal, Action::ViewAuditLog, Subject::Platform)?;
        let mut text = String::with_capacity(64 * 1024);
        text.push_str(CSV_HEADER);
        text.push_str("\r\n");
        let mut filter = query.filter();
        filter.below = None;
        let mut rows = 0usize;
        let mut truncated = false;
        loop {
            let want = EXPORT_CHUNK.min(EXPORT_CAP - rows);
            let chunk = self.store.search_audit(&filter, i64::try_from(want + 1).unwrap_or(1_001)).await?;
            let more = chunk.len() > want;
            for entry in chunk.iter().take(want) {
                csv_entry(&mut text, entry);
            }
            rows += chunk.len().min(want);
            if !more {
                break;
            }
            if rows >= EXPORT_CAP {
                truncated = true;
                break;
            }
            filter.below = chunk.get(want - 1).map(|r| r.id);
        }
        let mut tx = self.store.begin().await?;
        audit::record(&mut tx, &AuditEvent {
            at: self.clock.now(),
            actor: principal.actor(),
            subject: None,
            action: "audit.exported",
            reason: None,
            detail: serde_json::json!({ "filter": query.describe(), "rows": rows, "truncated": truncated }),
        })
        .await?;
        tx.commit().await?;
        Ok(AuditCsv { text, rows, truncated })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(f: impl FnOnce(&mut AuditQueryInput)) -> AuditQueryInput {
        let mut i = AuditQueryInput::default();
        f(&mut i);
        i
    }

    fn fields(r: Result<AuditQuery>) -> Vec<&'static str> {
        match r {
            Err(Error::Fields(list)) => list.iter().map(ParseError::field).collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_empty_form_is_the_newest_page() {
        assert_eq!(AuditQuery::parse(&AuditQueryInput::default()).unwrap(), AuditQuery::default());
    }

    #[test]
    fn actors_and_subjects_are_labels_or_customer_ids() {
        let id = "0B9C2F7E-3D5A-4C1E-9F00-1A2B3C4D5E6F";
        let q = AuditQuery::parse(&input(|i| {
            i.actor = format!(" {id} ");
            i.subject = "staff:s1".into();
        }))
        .unwrap();
        assert_eq!(q.actor.as_deref(), Some("customer:0b9c2f7e-3d5a-4c1e-9f00-1a2b3c4d5e6f"), "a bare id is a customer's, in Foyer's case");
        assert_eq!(q.subject.as_deref(), Some("staff:s1"));
        let system = AuditQuery::parse(&input(|i| i.actor = "System".into())).unwrap();
        assert_eq!(system.actor.as_deref(), Some("system"));
        let erased = AuditQuery::parse(&input(|i| i.subject = "erased:ab12".into())).unwrap();
        assert_eq!(erased.subject.as_deref(), Some("erased:ab12"));
        for bad in ["ada", "customer:", ":x", "customer: x", "a\u{0}b", "Cust-omer:x"] {
            assert_eq!(fields(AuditQuery::parse(&input(|i| i.actor = bad.into()))), ["Actor"], "{bad:?}");
        }
        assert_eq!(fields(AuditQuery::parse(&input(|i| i.subject = "x".repeat(201)))), ["Subject"]);
    }

    #[test]
    fn actions_are_exact_or_a_family() {
        let action = |raw: &str| AuditQuery::parse(&input(|i| i.action = raw.into())).map(|q| q.action);
        assert_eq!(action("support.revealed").unwrap(), Some(ActionFilter::Exact("support.revealed".into())));
        assert_eq!(action("support.").unwrap(), Some(ActionFilter::Prefix("support.".into())));
        assert_eq!(action("Consent*").unwrap(), Some(ActionFilter::Prefix("consent".into())));
        assert_eq!(action("  ").unwrap(), None);
        for bad in ["*", "support revealed", "support.%", "x'--", &"a".repeat(65)] {
            assert_eq!(fields(AuditQuery::parse(&input(|i| i.action = bad.into()))), ["Action"], "{bad:?}");
        }
    }

    #[test]
    fn dates_are_utc_days_and_to_includes_its_day() {
        let q = AuditQuery::parse(&input(|i| {
            i.from = "2026-12-01".into();
            i.to = "2026-12-01".into();
        }))
        .unwrap();
        assert_eq!(q.from, Some(1_796_083_200_000), "2026-12-01T00:00:00Z");
        assert_eq!(q.before, Some(1_796_083_200_000 + DAY_MS), "the whole day");
        let exact = AuditQuery::parse(&input(|i| i.to = "2026-12-01T10:00:00Z".into())).unwrap();
        assert_eq!(exact.before, Some(1_796_083_200_000 + 10 * 3_600_000 + 1), "an instant is included");
        for bad in ["yesterday", "2026-13-01", "01/12/2026", "2026-02-30"] {
            assert_eq!(fields(AuditQuery::parse(&input(|i| i.from = bad.into()))), ["From"], "{bad:?}");
        }
        let reversed = AuditQuery::parse(&input(|i| {
            i.from = "2026-12-02".into();
            i.to = "2026-12-01".into();
        }));
        assert_eq!(fields(reversed), ["To"], "from after to");
    }

    #[test]
    fn limits_and_cursors_are_checked() {
        assert_eq!(AuditQuery::parse(&input(|i| i.limit = "200".into())).unwrap().limit, 200);
        assert_eq!(AuditQuery::parse(&input(|i| i.limit = "1".into())).unwrap().limit, 1);
        for bad in ["0", "201", "-1", "ten"] {
            assert_eq!(fields(AuditQuery::parse(&input(|i| i.limit = bad.into()))), ["Limit"], "{bad:?}");
        }
        assert_eq!(AuditQuery::parse(&input(|i| i.cursor = cursor(42))).unwrap().cursor, Some(42));
        for bad in ["42", "zz", &hex::encode("audit:-1"), &hex::encode("search:4")] {
            assert_eq!(fields(AuditQuery::parse(&input(|i| i.cursor = bad.into()))), ["Cursor"], "{bad:?}");
        }
        let all_wrong = AuditQuery::parse(&AuditQueryInput {
            actor: "?".into(),
            subject: "?".into(),
            action: "?".into(),
            from: "?".into(),
            to: "?".into(),
            cursor: "?".into(),
            limit: "?".into(),
        });
        assert_eq!(fields(all_wrong), ["Actor", "Subject", "Action", "From", "To", "Cursor", "Limit"], "each named");
    }

    #[test]
    fn csv_export_escapes_formulas() {
        for (cell, shown) in [
            ("=HYPERLINK(\"http://x\")", "\"'=HYPERLINK(\"\"http://x\"\")\""),
            ("+1+1", "'+1+1"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tcmd", "'\tcmd"),
            ("\rcmd", "\"'\rcmd\""),
            ("plain", "plain"),
            ("a=b", "a=b"),
            ("", ""),
        ] {
            assert_eq!(csv_cell(cell), shown, "{cell:?}");
        }
    }

    #[test]
    fn csv_cells_are_quoted_as_rfc_4180_says() {
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("two\nlines"), "\"two\nlines\"");
        assert_eq!(csv_cell("{\"field\":\"phone\"}"), "\"{\"\"field\"\":\"\"phone\"\"}\"");
        let mut out = String::new();
        csv_record(&mut out, &["1", "=x", "a,b"]);
        assert_eq!(out, "1,'=x,\"a,b\"\r\n");
    }
}
