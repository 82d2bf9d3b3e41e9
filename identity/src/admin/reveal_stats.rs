//! Who reveals most (`docs/design/admin.md` "The 360 view and reveals"): the reveal
//! counts per staff member with their names and roles, for the leads and operators who
//! watch for an agent browsing customers' details.

use crate::principal::Principal;
use crate::{Identity, Result, UnixMillis};

/// One staff member's reveals in the period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevealLeader {
    /// `staff:<id>` as the audit log names them.
    pub actor: String,
    /// Their name, else their email; `None` when the row is gone.
    pub name: Option<String>,
    pub role: Option<String>,
    pub reveals: i64,
}

impl Identity {
    /// Reveals per staff member since `since`, most first, with who they are
    /// (`ViewRevealStats`: support leads and operators).
    pub async fn reveal_leaders(&self, principal: &Principal, since: UnixMillis) -> Result<Vec<RevealLeader>> {
        let counts = self.reveal_counts(principal, since).await?;
        let mut out = Vec::with_capacity(counts.len());
        for (actor, reveals) in counts {
            let row = match actor.strip_prefix("staff:") {
                Some(id) => self.store.staff_by_id(id).await?,
                None => None,
            };
            out.push(RevealLeader {
                name: row.as_ref().map(|r| r.name.clone().filter(|n| !n.trim().is_empty()).unwrap_or_else(|| r.email.clone())),
                role: row.map(|r| r.role),
                actor,
                reveals,
            });
        }
        Ok(out)
    }
}
