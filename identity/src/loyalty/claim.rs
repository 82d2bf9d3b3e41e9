//! The `loyalty` claim a brand receives with the `loyalty` scope: the customer's verified
//! memberships of the asking brand's own programmes in full (number, tier, balance,
//! standing, pooling); of other brands' programmes only when the customer granted the
//! asking brand's [`SHARING_PURPOSE`] in the consent ledger, and then minimised (the
//! last four characters of the number, tier and standing: no balance).

use serde_json::{Value, json};

use super::{SHARING_PURPOSE, last4};
use crate::households::claim::household_ref;
use crate::store::AnyConnection;
use crate::store::loyalty as rows;
use crate::{Identity, Result};

impl Identity {
    /// The claim for `customer_id` at `brand_id`: `None` without any verified membership
    /// the brand may see.
    pub(crate) async fn loyalty_claim(&self, conn: &mut AnyConnection, customer_id: &str, brand_id: &str) -> Result<Option<Value>> {
        let links = rows::verified_of(conn, customer_id).await?;
        if links.is_empty() {
            return Ok(None);
        }
        let sharing = if links.iter().any(|l| l.brand_id != brand_id) { rows::purpose_granted(conn, customer_id, brand_id, SHARING_PURPOSE).await? } else { false };
        let mut out = Vec::new();
        for l in links {
            let own = l.brand_id == brand_id;
            if !own && !sharing {
                continue;
            }
            let mut m = json!({
                "programme": l.programme_slug, "name": l.programme_name, "brand": l.brand_slug,
                "tier": l.tier, "status": l.member_status, "verified_at": l.link.decided_at.unwrap_or(l.link.requested_at) / 1000,
            });
            if own {
                m["number"] = json!(l.link.number);
                m["points"] = json!(l.points);
                if l.link.pooled == 1
                    && let Some((household_id, members)) = rows::pool_of(conn, &l.link.customer_id, &l.link.programme_id).await?
                {
                    m["pool"] = json!({ "id": household_ref(brand_id, &household_id), "members": members });
                }
            } else {
                m["number_last4"] = json!(last4(&l.link.number));
            }
            out.push(m);
        }
        Ok((!out.is_empty()).then_some(Value::Array(out)))
    }
}
