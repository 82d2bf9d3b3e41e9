//! The operator's import of memberships a brand already verified (or holds pending)
//! elsewhere: `foyer loyalty-programme import-links --programme P FILE`, JSON lines
//! `{"email": "...", "number": "...", "status": "verified" | "pending"}`.
//!
//! Rules (`docs/design/loyalty.md` "Importing links"):
//! - [`parse_link_lines`] checks each line's shape first (JSON, the address, the status;
//!   an address repeated in the file is bad: one live link per customer and programme).
//! - [`Identity::import_loyalty_links`] then checks each line against the programme and
//!   the database: the customer exists and has confirmed their address (nothing binds an
//!   unproven account), the number fits the programme's format, the number is not verified
//!   for anyone else (in the database or on an earlier line), the customer has no other
//!   live link in the programme. A line whose customer already holds this very number
//!   live is `already_present`, so re-running a file is safe.
//! - Good lines are written in one transaction, in multi-row batches: the links, one
//!   audit row per link (`loyalty.linked` or `loyalty.link_requested`, `imported: true`,
//!   subject the customer, as for a link made in Foyer) and one outbox event per link.
//!   No mail: the brand moves what it already knows. A row that meets a link made
//!   meanwhile is skipped and reported, never half-written.

use std::collections::{HashMap, HashSet};
use std::io::BufRead;

use serde::Deserialize;

use super::{LinkStatus, last4};
use crate::domain::Email;
use crate::import::LineError;
use crate::outbox::{LoyaltyEventKind, OutboxEvent, enqueue_many};
use crate::principal::{Action, Principal, Subject, authorize};
use crate::store::audit::{self, AuditRow};
use crate::store::customers;
use crate::store::loyalty::{self as rows, LinkRow};
use crate::{Identity, Result};

const MAX_LINE_BYTES: usize = 4 * 1024;
/// Rows per INSERT (16 parameters each: well under both engines' limits).
const BATCH: usize = 500;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Line {
    email: String,
    number: String,
    status: String,
}

/// One line whose shape is right, to check against the programme and the database.
#[derive(Debug, Clone)]
pub struct LinkImportRecord {
    pub line: usize,
    email: Email,
    number: String,
    status: LinkStatus,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct LinkImportReport {
    pub imported: usize,
    pub already_present: usize,
    pub errors: Vec<LineError>,
}

/// Checks every line's shape; returns the good records and the reasons for the bad ones.
pub fn parse_link_lines(input: impl BufRead) -> (Vec<LinkImportRecord>, Vec<LineError>) {
    crate::import::read_lines(input, parse_line, |r| &r.email, ": one membership per customer")
}

fn parse_line(line: usize, text: &str) -> Result<LinkImportRecord, String> {
    if text.len() > MAX_LINE_BYTES {
        return Err(format!("line is longer than {MAX_LINE_BYTES} bytes"));
    }
    let raw: Line = serde_json::from_str(text).map_err(|e| format!("not a valid record: {}", crate::import::json_reason(&e)))?;
    let email = Email::parse(&raw.email).map_err(|e| e.to_string())?;
    let status = match raw.status.trim() {
        "verified" => LinkStatus::Verified,
        "pending" => LinkStatus::Pending,
        _ => return Err("status: use verified or pending".into()),
    };
    Ok(LinkImportRecord { line, email, number: raw.number, status })
}

impl Identity {
    /// Imports checked lines into the programme `programme_slug` (see the module rules).
    pub async fn import_loyalty_links(&self, principal: &Principal, programme_slug: &str, records: &[LinkImportRecord]) -> Result<LinkImportReport> {
        authorize(principal, Action::ImportCustomers, Subject::Platform)?;
        let mut conn = self.store.pool().acquire().await?;
        let programme = self.programme_on(&mut conn, programme_slug.trim()).await?;
        let format = programme.format()?;
        let mut report = LinkImportReport::default();
        let refuse = |report: &mut LinkImportReport, line: usize, message: &str| report.errors.push(LineError { line, message: message.to_owned() });

        // The numbers as stored, and who the addresses are.
        let mut numbered = Vec::with_capacity(records.len());
        for r in records {
            match format.parse(&r.number) {
                Ok(number) => numbered.push((r, number)),
                Err(e) => refuse(&mut report, r.line, &e.to_string()),
            }
        }
        let mut customers: HashMap<String, (String, bool)> = HashMap::new();
        let mut holders: HashMap<String, String> = HashMap::new();
        let mut live: HashMap<String, String> = HashMap::new();
        for chunk in numbered.chunks(BATCH) {
            let emails: Vec<&str> = chunk.iter().map(|(r, _)| r.email.normalized()).collect();
            for (email, id, verified) in customers::ids_by_emails(&mut conn, &emails).await? {
                customers.insert(email, (id, verified));
            }
            let numbers: Vec<&str> = chunk.iter().map(|(_, n)| n.as_str()).collect();
            holders.extend(rows::verified_numbers(&mut conn, &programme.id, &numbers).await?);
            let ids: Vec<&str> = chunk.iter().filter_map(|(r, _)| customers.get(r.email.normalized()).map(|(id, _)| id.as_str())).collect();
            for (customer, number, _) in rows::live_links_of(&mut conn, &programme.id, &ids).await? {
                live.insert(customer, number);
            }
        }
        drop(conn);

        let now = self.clock.now();
        let actor = principal.actor().label();
        let mut accepted: Vec<(usize, LinkRow)> = Vec::new();
        let mut verified_here: HashSet<String> = HashSet::new();
        for (r, number) in numbered {
            let Some((customer_id, confirmed)) = customers.get(r.email.normalized()) else {
                refuse(&mut report, r.line, "no customer has this email address");
                continue;
            };
            if !confirmed {
                refuse(&mut report, r.line, "the customer has not confirmed their email address yet");
                continue;
            }
            if let Some(held) = live.get(customer_id) {
                if *held == number {
                    report.already_present += 1;
                } else {
                    refuse(&mut report, r.line, "the customer already has another membership of this programme linked");
                }
                continue;
            }
            if holders.get(&number).is_some_and(|holder| holder != customer_id) || verified_here.contains(&number) {
                refuse(&mut report, r.line, "this number is verified for another customer");
                continue;
            }
            if r.status == LinkStatus::Verified {
                verified_here.insert(number.clone());
            }
            let verified = r.status == LinkStatus::Verified;
            accepted.push((r.line, LinkRow {
                id: self.new_id(),
                programme_id: programme.id.clone(),
                customer_id: customer_id.clone(),
                number,
                status: r.status.as_str().into(),
                requested_at: now,
                decided_at: verified.then_some(now),
                decided_by: verified.then(|| actor.clone()),
                reason: verified.then(|| "imported".to_owned()),
                ..LinkRow::default()
            }));
        }

        let mut tx = self.store.begin().await?;
        for chunk in accepted.chunks(BATCH) {
            let links: Vec<LinkRow> = chunk.iter().map(|(_, l)| l.clone()).collect();
            let inserted: HashSet<String> = rows::insert_links(&mut tx, &links).await?.into_iter().collect();
            let mut details = Vec::with_capacity(inserted.len());
            let mut events = Vec::with_capacity(inserted.len());
            for (line, link) in chunk {
                if !inserted.contains(&link.id) {
                    refuse(&mut report, *line, "a link was made for this customer or number meanwhile");
                    continue;
                }
                let verified = link.status == LinkStatus::Verified.as_str();
                let action = if verified { "loyalty.linked" } else { "loyalty.link_requested" };
                let detail = serde_json::json!({ "link": link.id, "programme": programme.slug, "number_last4": last4(&link.number), "imported": true });
                details.push((format!("customer:{}", link.customer_id), action, detail.to_string()));
                events.push(OutboxEvent::Loyalty {
                    kind: if verified { LoyaltyEventKind::Linked } else { LoyaltyEventKind::LinkRequested },
                    link_id: link.id.clone(),
                    programme: programme.slug.clone(),
                    brand_id: programme.brand_id.clone(),
                    customer_id: link.customer_id.clone(),
                    at: now,
                });
            }
            let audit_rows: Vec<AuditRow<'_>> = details
                .iter()
                .map(|(subject, action, detail)| AuditRow { at: now, actor: &actor, subject: Some(subject.as_str()), action, reason: None, detail })
                .collect();
            audit::insert_many(&mut tx, &audit_rows).await?;
            enqueue_many(&mut tx, &events, now).await?;
            report.imported += inserted.len();
        }
        tx.commit().await?;
        report.errors.sort_by_key(|e| e.line);
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_shapes_are_checked_with_numbers() {
        let input = "{\"email\":\"a@example.com\",\"number\":\"1234567897\",\"status\":\"verified\"}\n\
                     not json\n\
                     \n\
                     {\"email\":\"b@example.com\",\"number\":\"1\",\"status\":\"gold\"}\n\
                     {\"email\":\"A@example.com\",\"number\":\"2000000006\",\"status\":\"pending\"}\n\
                     {\"email\":\"c@example.com\",\"number\":\"2000000006\",\"status\":\"pending\",\"points\":3}\n\
                     {\"email\":\"nobody\",\"number\":\"2000000006\",\"status\":\"pending\"}\n\
                     {\"email\":\"d@example.com\",\"number\":\"3000000004\",\"status\":\"pending\"}\n";
        let (good, errors) = parse_link_lines(input.as_bytes());
        assert_eq!(good.iter().map(|r| r.line).collect::<Vec<_>>(), vec![1, 8]);
        assert_eq!(good[0].status, LinkStatus::Verified);
        assert_eq!(errors.iter().map(|e| e.line).collect::<Vec<_>>(), vec![2, 4, 5, 6, 7]);
        assert!(errors[2].message.starts_with("email repeats line 1"), "{}", errors[2].message);
        assert!(errors[3].message.contains("unknown field"), "{}", errors[3].message);
        assert!(!errors.iter().any(|e| ["a@example", "b@example", "c@example", "nobody"].iter().any(|a| e.message.contains(a))), "no address echoed: {errors:?}");
    }
}
