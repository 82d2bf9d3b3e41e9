//! The `household` claim a brand receives with the `household` scope: a household
//! identifier of its own (the same household looks different to each brand), the
//! customer's role and how many members there are — and the names of only those members
//! who gave the group's purpose [`NAMES_PURPOSE`] in the consent ledger.

use serde_json::{Value, json};

use crate::store::AnyConnection;
use crate::store::households as rows;
use crate::{Identity, Result, sha256_hex};

/// The group purpose a member grants to let brands see their name in others' claims.
pub const NAMES_PURPOSE: &str = "household-names";

/// The household's identifier as one brand sees it: unlinkable across brands without
/// the household's own (random, never released) id.
pub fn household_ref(brand_id: &str, household_id: &str) -> String {
    sha256_hex(format!("foyer-household/v1:{brand_id}:{household_id}").as_bytes())[..32].to_owned()
}

impl Identity {
    /// The claim for `customer_id` at `brand_id`, or `None` outside any household (the
    /// first household when several are allowed).
    pub(crate) async fn household_claim(&self, conn: &mut AnyConnection, customer_id: &str, brand_id: &str) -> Result<Option<Value>> {
        let Some(m) = rows::memberships_of(conn, customer_id).await?.into_iter().next() else { return Ok(None) };
        let members = rows::members(conn, &m.household_id).await?;
        let sharing = rows::members_sharing_names(conn, &m.household_id, NAMES_PURPOSE).await?;
        let names: Vec<String> =
            members.iter().filter(|x| sharing.contains(&x.customer_id)).map(super::household::member_name).filter(|n| !n.contains('@')).collect();
        Ok(Some(json!({
            "id": household_ref(brand_id, &m.household_id),
            "role": m.role,
            "members": members.len(),
            "member_names": names,
        })))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_brand_sees_its_own_household_reference() {
        let air = household_ref("brand-air", "h1");
        assert_eq!(air.len(), 32);
        assert_eq!(air, household_ref("brand-air", "h1"), "stable");
        assert_ne!(air, household_ref("brand-hotels", "h1"), "another brand, another reference");
        assert_ne!(air, household_ref("brand-air", "h2"));
    }
}
