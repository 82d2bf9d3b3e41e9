//! The customer's profile: every field validated with its own message, saved in one
//! transaction with an audit event and a `customer.updated` outbox event.

use crate::principal::{Action, Principal, Subject, authorize};
pub use crate::domain::profile::{ProfileForm, check_profile};
use crate::domain::profile as fields;
use crate::outbox::{self, OutboxEvent};
use crate::store::customers;
use crate::{Error, Identity, Result};

/// Today's date (UTC) at `now_ms`, for the birth-date rule.
pub(crate) fn today(now_ms: i64) -> fields::Ymd {
    let date = time::OffsetDateTime::from_unix_timestamp(now_ms / 1000).map(|t| t.date()).unwrap_or(time::Date::MIN);
    (date.year(), u32::from(u8::from(date.month())), u32::from(date.day()))
}

/// The zone database's name for `name`, if it knows the zone.
fn known_zone(name: &str) -> Option<String> {
    crate::i18n::TimeZone::named(name).map(|z| z.name())
}

/// Names of the fields whose values differ.
fn changed_fields(old: &ProfileForm, new: &ProfileForm) -> Vec<&'static str> {
    let pairs: [(&'static str, &Option<String>, &Option<String>); 12] = [
        ("given_name", &old.given_name, &new.given_name),
        ("family_name", &old.family_name, &new.family_name),
        ("display_name", &old.display_name, &new.display_name),
        ("preferred_language", &old.preferred_language, &new.preferred_language),
        ("phone", &old.phone, &new.phone),
        ("birth_date", &old.birth_date, &new.birth_date),
        ("street", &old.street, &new.street),
        ("locality", &old.locality, &new.locality),
        ("region", &old.region, &new.region),
        ("postal_code", &old.postal_code, &new.postal_code),
        ("country", &old.country, &new.country),
        ("zoneinfo", &old.zoneinfo, &new.zoneinfo),
    ];
    pairs.into_iter().filter(|(_, a, b)| a != b).map(|(n, _, _)| n).collect()
}

/// What pages show of a signed-in customer: the address, a name to greet them by,
/// whether the address is confirmed. Its `Debug` hides the address and the name.
#[derive(Clone, PartialEq, Eq)]
pub struct AccountSummary {
    pub email: String,
    pub name: String,
    pub email_verified: bool,
}

impl std::fmt::Debug for AccountSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccountSummary").field("email_verified", &self.email_verified).finish_non_exhaustive()
    }
}

impl Identity {
    /// The customer's address and greeting name; `None` when the account is gone.
    pub async fn account_summary(&self, principal: &Principal, customer_id: &str) -> Result<Option<AccountSummary>> {
        authorize(principal, Action::ViewProfile, Subject::Customer(customer_id))?;
        let Some(c) = self.store.customer_by_id(customer_id).await? else { return Ok(None) };
        let name = c.display_name.clone().or_else(|| c.given_name.clone()).unwrap_or_else(|| c.email.clone());
        Ok(Some(AccountSummary { email: c.email, name, email_verified: c.email_verified }))
    }

    pub async fn profile(&self, principal: &Principal, customer_id: &str) -> Result<ProfileForm> {
        authorize(principal, Action::ViewProfile, Subject::Customer(customer_id))?;
        let c = self.store.customer_by_id(customer_id).await?.ok_or(Error::NotFound("account"))?;
        Ok(ProfileForm {
            given_name: c.given_name,
            family_name: c.family_name,
            display_name: c.display_name,
            preferred_language: c.preferred_language,
            phone: c.phone,
            birth_date: c.birth_date,
            street: c.address_street,
            locality: c.address_locality,
            region: c.address_region,
            postal_code: c.address_postal_code,
            country: c.address_country,
            zoneinfo: c.zoneinfo,
        })
    }

    /// Saves the profile; returns the names of the fields that changed.
    pub async fn update_profile(&self, principal: &Principal, customer_id: &str, form: &ProfileForm) -> Result<Vec<&'static str>> {
        authorize(principal, Action::UpdateProfile, Subject::Customer(customer_id))?;
        let now = self.clock.now();
        let checked = check_profile(form, today(now), known_zone).map_err(Error::Fields)?;
        let old = self.profile(principal, customer_id).await?;
        let changed = changed_fields(&old, &checked);
        if changed.is_empty() {
            return Ok(changed);
        }
        let mut tx = self.store.begin().await?;
        customers::update_profile(&mut tx, customer_id, &checked, now).await?;
        let detail = serde_json::json!({ "fields": changed });
        self.audit_customer(&mut tx, principal.actor(), customer_id, "profile.updated", detail, now).await?;
        let event = OutboxEvent::CustomerUpdated { customer_id: customer_id.to_owned(), fields: changed.iter().map(|f| (*f).to_owned()).collect() };
        outbox::enqueue(&mut tx, &event, now).await?;
        tx.commit().await?;
        Ok(changed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_changed_fields() {
        let form = ProfileForm { phone: Some("+49 30 1234567".into()), country: Some("de".into()), ..ProfileForm::default() };
        let checked = check_profile(&form, (2026, 11, 29), known_zone).unwrap();
        assert_eq!(checked.phone.as_deref(), Some("+49301234567"));
        assert_eq!(changed_fields(&ProfileForm::default(), &checked), vec!["phone", "country"]);
        let zoned = check_profile(&ProfileForm { zoneinfo: Some("Europe/Berlin".into()), ..ProfileForm::default() }, (2026, 11, 29), known_zone).unwrap();
        assert_eq!(changed_fields(&checked, &zoned), vec!["phone", "country", "zoneinfo"]);
        assert!(check_profile(&ProfileForm { zoneinfo: Some("Mars/Olympus".into()), ..ProfileForm::default() }, (2026, 11, 29), known_zone).is_err());
    }
}
