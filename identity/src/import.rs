//! Bulk import of customers from JSON lines (`foyer users import FILE`).
//!
//! Each line is one object: `{"email": "...", "given_name": "...", "family_name": "...",
//! "phone": "+44 20 7946 0958", "password_hash": "<PHC or bcrypt>", "email_verified": true}`;
//! only `email` is required.
//!
//! Rules:
//! - Every line is checked first. Bad lines are reported with their line number and a
//!   reason, and are not imported; a line that repeats an email of an earlier line is bad.
//! - The good lines are written in **one transaction**: either all of them land or, on
//!   a database failure, none do. With `all_or_nothing`, one bad line stops the import
//!   before anything is written.
//! - Import is idempotent: an email that already has an account is left untouched and
//!   counted as `already_present`, so re-running a file is safe.
//! - Legacy hashes (bcrypt, PBKDF2, argon2) are kept as they are and upgraded to
//!   argon2id at the customer's next successful sign-in.

use std::collections::HashMap;
use std::io::BufRead;

use serde::Deserialize;

use crate::principal::{authorize, Action, Principal, Subject};
use crate::domain::profile::parse_phone;
use crate::domain::{Email, ParseError, PersonName};
use crate::password::classify;
use crate::store::audit::{self, AuditRow};
use crate::store::customers::{self, CustomerRow};
use crate::{Identity, Result};

/// Longest line accepted (a generous bound against a malformed file).
const MAX_LINE_BYTES: usize = 16 * 1024;
/// Rows per INSERT statement (10 parameters each: well under SQLite's bound-parameter limit).
const BATCH: usize = 200;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Line {
    email: String,
    #[serde(default)]
    given_name: Option<String>,
    #[serde(default)]
    family_name: Option<String>,
    #[serde(default)]
    phone: Option<String>,
    #[serde(default)]
    password_hash: Option<String>,
    #[serde(default, alias = "verified")]
    email_verified: bool,
}

/// One checked line, ready to write.
#[derive(Debug, Clone)]
pub struct ImportRecord {
    pub line: usize,
    email: Email,
    given_name: Option<PersonName>,
    family_name: Option<PersonName>,
    phone: Option<String>,
    password_hash: Option<String>,
    email_verified: bool,
}

impl ImportRecord {
    /// A record made by Foyer itself (the synthetic customers of `admin::generate`),
    /// checked like a line of a file.
    pub(crate) fn checked(line: usize, email: &str, given: &str, family: &str, phone: &str) -> std::result::Result<Self, ParseError> {
        Ok(Self {
            line,
            email: Email::parse(email)?,
            given_name: PersonName::parse_optional("given_name", Some(given))?,
            family_name: PersonName::parse_optional("family_name", Some(family))?,
            phone: parse_phone(Some(phone))?,
            password_hash: None,
            email_verified: true,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LineError {
    pub line: usize,
    pub message: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImportReport {
    pub imported: usize,
    pub already_present: usize,
    pub errors: Vec<LineError>,
}

/// Checks every line; returns the good records and the reasons for the bad ones.
pub fn parse_lines(input: impl BufRead) -> (Vec<ImportRecord>, Vec<LineError>) {
    read_lines(input, parse_line, |r| &r.email, "")
}

/// The JSON-lines reading every import shares: each non-blank line through `parse`
/// (which gets its 1-based number), a line whose address repeats an earlier one refused
/// (`repeat_note` is added to that message), unreadable lines reported by number.
pub(crate) fn read_lines<T>(
    input: impl BufRead,
    parse: impl Fn(usize, &str) -> Result<T, String>,
    email_of: impl Fn(&T) -> &Email,
    repeat_note: &str,
) -> (Vec<T>, Vec<LineError>) {
    let mut good = Vec::new();
    let mut errors = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (index, line) in input.lines().enumerate() {
        let number = index + 1;
        let text = match line {
            Ok(t) => t,
            Err(e) => {
                errors.push(LineError { line: number, message: format!("unreadable line: {e}") });
                continue;
            }
        };
        if text.trim().is_empty() {
            continue;
        }
        match parse(number, &text) {
            Ok(record) => match seen.get(email_of(&record).normalized()) {
                Some(first) => errors.push(LineError { line: number, message: format!("email repeats line {first}{repeat_note}") }),
                None => {
                    seen.insert(email_of(&record).normalized().to_owned(), number);
                    good.push(record);
                }
            },
            Err(message) => errors.push(LineError { line: number, message }),
        }
    }
    (good, errors)
}

fn parse_line(number: usize, text: &str) -> Result<ImportRecord, String> {
    if text.len() > MAX_LINE_BYTES {
        return Err(format!("line is longer than {MAX_LINE_BYTES} bytes"));
    }
    let raw: Line = serde_json::from_str(text).map_err(|e| format!("not a valid record: {}", json_reason(&e)))?;
    let email = Email::parse(&raw.email).map_err(|e| e.to_string())?;
    let given_name = PersonName::parse_optional("given_name", raw.given_name.as_deref()).map_err(|e| e.to_string())?;
    let family_name = PersonName::parse_optional("family_name", raw.family_name.as_deref()).map_err(|e| e.to_string())?;
    let phone = parse_phone(raw.phone.as_deref()).map_err(|e| e.to_string())?;
    let password_hash = match raw.password_hash.as_deref().map(str::trim).filter(|h| !h.is_empty()) {
        None => None,
        Some(h) if classify(h).is_some() => Some(h.to_owned()),
        Some(_) => {
            return Err("password_hash is not a supported PHC string (argon2, pbkdf2-sha256/512) or bcrypt $2a$/$2b$/$2y$ hash".into());
        }
    };
    Ok(ImportRecord { line: number, email, given_name, family_name, phone, password_hash, email_verified: raw.email_verified })
}

/// serde's message without the echoed input (which may hold a hash or an address).
pub(crate) fn json_reason(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    match e.classify() {
        Category::Syntax | Category::Eof => format!("malformed JSON at column {}", e.column()),
        Category::Data => {
            let msg = e.to_string();
            // "unknown field `x`, expected one of …" / "missing field `email`" / "invalid type: …"
            msg.split(" at line ").next().unwrap_or("wrong field types").to_owned()
        }
        Category::Io => "unreadable".into(),
    }
}

impl Identity {
    /// Imports checked records in one transaction (see the module rules).
    pub async fn import_customers(&self, principal: &Principal, records: &[ImportRecord]) -> Result<ImportReport> {
        authorize(principal, Action::ImportCustomers, Subject::Platform)?;
        let actor = principal.actor();
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let mut imported = 0usize;
        let actor = actor.label();
        for chunk in records.chunks(BATCH) {
            let rows: Vec<CustomerRow> = chunk
                .iter()
                .map(|r| CustomerRow {
                    id: self.new_id(),
                    email: r.email.as_str().to_owned(),
                    email_normalized: r.email.normalized().to_owned(),
                    given_name: r.given_name.as_ref().map(|n| n.as_str().to_owned()),
                    family_name: r.family_name.as_ref().map(|n| n.as_str().to_owned()),
                    phone: r.phone.clone(),
                    password_hash: r.password_hash.clone(),
                    email_verified: r.email_verified,
                    created_at: now,
                    updated_at: now,
                    ..CustomerRow::default()
                })
                .collect();
            let inserted = customers::insert_many_if_absent(&mut tx, &rows).await?;
            if inserted.is_empty() {
                continue;
            }
            imported += inserted.len();
            let subjects: Vec<String> = inserted.iter().map(|id| format!("customer:{id}")).collect();
            let events: Vec<AuditRow<'_>> = subjects
                .iter()
                .map(|subject| AuditRow { at: now, actor: &actor, subject: Some(subject), action: "customer.imported", reason: None, detail: "{}" })
                .collect();
            audit::insert_many(&mut tx, &events).await?;
        }
        tx.commit().await?;
        Ok(ImportReport { imported, already_present: records.len() - imported, errors: Vec::new() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_bad_lines_with_numbers_and_keeps_good_ones() {
        let bcrypt = "$2b$04$abcdefghijklmnopqrstuu5Ug5Q4gB9ygQX3q2Xh0Zl0kz0cVbA8m";
        let input = format!(
            "{{\"email\":\"a@example.com\",\"given_name\":\"Ann\",\"email_verified\":true}}\n\
             not json\n\
             {{\"email\":\"bad\"}}\n\
             \n\
             {{\"email\":\"b@example.com\",\"password_hash\":\"{bcrypt}\"}}\n\
             {{\"email\":\"A@Example.com\"}}\n\
             {{\"email\":\"c@example.com\",\"password_hash\":\"md5:abc\"}}\n\
             {{\"email\":\"d@example.com\",\"nickname\":\"x\"}}\n\
             {{\"given_name\":\"No Email\"}}\n"
        );
        let (good, errors) = parse_lines(input.as_bytes());
        assert_eq!(good.iter().map(|r| r.line).collect::<Vec<_>>(), vec![1, 5]);
        assert!(good[0].email_verified);
        let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![2, 3, 6, 7, 8, 9]);
        assert!(errors[0].message.starts_with("not a valid record: malformed JSON"), "{}", errors[0].message);
        assert_eq!(errors[2].message, "email repeats line 1");
        assert!(errors[3].message.contains("password_hash is not a supported"));
        assert!(errors[4].message.contains("unknown field `nickname`"), "{}", errors[4].message);
        assert!(errors[5].message.contains("missing field `email`"), "{}", errors[5].message);
        assert!(errors.iter().all(|e| !e.message.contains("md5:abc")), "no echo of hashes");
    }
}
