//! Staff accounts (support agents and administrators) created by the operator.
//!
//! The first password is generated (≈ 100 bits), shown once to the operator and never
//! stored in clear or mailed; the new staff member is told by mail that the account
//! exists, through the outbox in the same transaction.

use secrecy::SecretString;

use crate::audit::{self, AuditEvent};
use crate::domain::{Email, ParseError};
use crate::email::Template;
use crate::outbox::{self, OutboxEvent};
use crate::principal::{authorize, Action, Principal, Subject};
use crate::store::staff::{self, StaffRow};
use crate::{Identity, Result, SecureRandom};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaffRole {
    Support,
    Admin,
}

impl StaffRole {
    pub fn parse(input: &str) -> Result<Self, ParseError> {
        match input.trim() {
            "support" => Ok(Self::Support),
            "admin" => Ok(Self::Admin),
            _ => Err(ParseError::Malformed { field: "Role", reason: "must be support or admin" }),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Support => "support",
            Self::Admin => "admin",
        }
    }
}

/// A created account and its one-time first password.
pub struct NewStaff {
    pub row: StaffRow,
    pub password: SecretString,
}

impl std::fmt::Debug for NewStaff {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewStaff").field("row", &self.row).field("password", &"[redacted]").finish()
    }
}

/// 20 characters from a 32-symbol alphabet without look-alikes: 100 bits.
pub fn generate_password(rng: &dyn SecureRandom) -> String {
    const ALPHABET: &[u8; 32] = b"abcdefghjkmnpqrstuvwxyz23456789-";
    let mut bytes = [0u8; 20];
    rng.fill(&mut bytes);
    let chars: String = bytes.iter().map(|b| char::from(ALPHABET[usize::from(b & 31)])).collect();
    // Groups of five are easier to read aloud and type.
    chars.as_bytes().chunks(5).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join(".")
}

impl Identity {
    pub async fn create_staff(&self, principal: &Principal, email: &Email, role: StaffRole, public_url: &str) -> Result<NewStaff> {
        let id = self.new_id();
        authorize(principal, Action::ManageStaff, Subject::Staff(&id))?;
        let password = generate_password(self.rng.as_ref());
        let password_hash = self.hasher.hash(SecretString::from(password.clone()), self.rng.as_ref()).await?;
        let now = self.clock.now();
        let row = StaffRow {
            id,
            email: email.as_str().to_owned(),
            email_normalized: email.normalized().to_owned(),
            role: role.as_str().to_owned(),
            password_hash,
            created_at: now,
        };
        let mut tx = self.store.begin().await?;
        staff::insert(&mut tx, &row).await?;
        audit::record(&mut tx, &AuditEvent {
            at: now,
            actor: principal.actor(),
            subject: Subject::Staff(&row.id).label(),
            action: "staff.created",
            reason: None,
            detail: serde_json::json!({ "role": row.role }),
        })
        .await?;
        let mail = Template::StaffWelcome { role: role.as_str(), public_url }.render(email.as_str());
        outbox::enqueue(&mut tx, &OutboxEvent::Email(mail), now).await?;
        tx.commit().await?;
        Ok(NewStaff { row, password: SecretString::from(password) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::OsRandom;

    #[test]
    fn generated_passwords_are_long_and_distinct() {
        let a = generate_password(&OsRandom);
        let b = generate_password(&OsRandom);
        assert_eq!(a.len(), 23);
        assert_eq!(a.matches('.').count(), 3);
        assert_ne!(a, b);
    }

    #[test]
    fn roles() {
        assert_eq!(StaffRole::parse("admin").unwrap(), StaffRole::Admin);
        assert!(StaffRole::parse("root").is_err());
    }
}
