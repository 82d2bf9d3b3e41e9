//! Brand administration (`docs/design/admin.md` "Brand administration"): the brands a
//! staff member administers, a brand's details, and its clients' redirect URIs — what
//! the `/admin/brands` pages call beside the brand and client use cases the command line
//! uses (`set_brand_theme`, `create_client`, `rotate_client_secret`, `disable_client`).
//!
//! Every use case authorizes `Action::ManageBrands` on `Subject::Brand(<id>)`: an operator
//! (staff or the command line) every brand, a brand administrator the brands granted
//! (`foyer admin grant-brand`). To someone who manages some brand, another brand and its
//! clients are `NotFound`, as unknown ones are; to anyone else, `Forbidden`.

use crate::audit::{self, AuditEvent};
use crate::brand::{BrandDetails, brand_name};
use crate::domain::uri::uri_list;
use crate::domain::{BrandSlug, ParseError, RedirectUri, UriRules, one_or_many};
use crate::oidc::clients::{Client, client_from};
use crate::principal::{Action, Principal, Subject, authorize};
use crate::staff::StaffRole;
use crate::store::{self, brands::BrandRow};
use crate::{Error, Identity, Result};

/// Whether the principal manages at least one brand (operators, brand administrators):
/// to them another brand is "not found" rather than "forbidden".
pub fn manages_some_brand(principal: &Principal) -> bool {
    match principal {
        Principal::Staff { role, .. } => super::may(*role, super::StaffPermission::ManageBrandSettings),
        Principal::Operator => true,
        _ => false,
    }
}

/// The brand with this slug, once the principal may manage it.
fn in_scope(principal: &Principal, brand: Option<BrandRow>) -> Result<BrandRow> {
    let id = brand.as_ref().map_or("", |b| b.id.as_str());
    match authorize(principal, Action::ManageBrands, Subject::Brand(id)) {
        Ok(()) => brand.ok_or(Error::NotFound("Brand")),
        Err(Error::Forbidden) if manages_some_brand(principal) => Err(Error::NotFound("Brand")),
        Err(e) => Err(e),
    }
}

impl Identity {
    /// The brands this principal administers, by slug: every brand for an operator, the
    /// granted ones for a brand administrator; `Forbidden` for anyone else.
    pub async fn administered_brands(&self, principal: &Principal) -> Result<Vec<BrandRow>> {
        if !manages_some_brand(principal) {
            return Err(Error::Forbidden);
        }
        let all = self.store.list_brands().await?;
        Ok(all.into_iter().filter(|b| authorize(principal, Action::ManageBrands, Subject::Brand(&b.id)).is_ok()).collect())
    }

    /// One brand the principal administers (another or an unknown one: `NotFound`).
    pub async fn administered_brand(&self, principal: &Principal, slug: &str) -> Result<BrandRow> {
        let brand = match BrandSlug::parse(slug) {
            Ok(slug) => self.store.brand_by_slug(slug.as_str()).await?,
            Err(_) => None,
        };
        in_scope(principal, brand)
    }

    /// The clients of a brand the principal administers, oldest first.
    pub async fn clients_of_brand(&self, principal: &Principal, slug: &str) -> Result<Vec<Client>> {
        let brand = self.administered_brand(principal, slug).await?;
        let rows = self.store.list_clients(Some(&brand.slug)).await?;
        rows.into_iter().map(client_from).collect()
    }

    /// Replaces a brand's name and public details (website, support contact, terms and
    /// privacy links: what `foyer brand create` sets); every bad field named. Audited
    /// (`brand.updated`, the names of the fields that changed), one transaction.
    pub async fn update_brand_details(&self, principal: &Principal, slug: &str, name: &str, details: &BrandDetails) -> Result<BrandRow> {
        let brand = self.administered_brand(principal, slug).await?;
        let mut errors = Vec::new();
        let name = brand_name(name).map_err(|e| errors.push(e)).ok();
        let checked = details.check().map_err(|mut e| errors.append(&mut e)).ok();
        let (Some(name), Some(d)) = (name, checked) else { return Err(one_or_many(errors)) };
        let next = BrandRow {
            name,
            website_url: d.website_url,
            support_email: d.support_email,
            support_url: d.support_url,
            terms_url: d.terms_url,
            privacy_url: d.privacy_url,
            ..brand.clone()
        };
        let changed: Vec<&str> = [
            ("name", brand.name != next.name),
            ("website_url", brand.website_url != next.website_url),
            ("support_email", brand.support_email != next.support_email),
            ("support_url", brand.support_url != next.support_url),
            ("terms_url", brand.terms_url != next.terms_url),
            ("privacy_url", brand.privacy_url != next.privacy_url),
        ]
        .into_iter()
        .filter_map(|(f, c)| c.then_some(f))
        .collect();
        if changed.is_empty() {
            return Ok(brand);
        }
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        if !store::brands::update_details(&mut tx, &next, now).await? {
            return Err(Error::NotFound("Brand"));
        }
        audit::record(&mut tx, &AuditEvent {
            at: now,
            actor: principal.actor(),
            subject: Subject::Brand(&brand.id).label(),
            action: "brand.updated",
            reason: None,
            detail: serde_json::json!({ "fields": changed }),
        })
        .await?;
        tx.commit().await?;
        self.store.brand_by_slug(&brand.slug).await?.ok_or(Error::NotFound("Brand"))
    }

    /// Replaces an enabled client's redirect URIs (at least one, each exact; a public
    /// client may use loopback and private-use schemes, a confidential one https only,
    /// http loopback too with `dev`). Audited (`client.updated`), one transaction.
    pub async fn set_client_redirect_uris(&self, principal: &Principal, client_id: &str, uris: &[String], dev: bool) -> Result<Client> {
        let row = self.client_in_scope(principal, client_id).await?;
        if row.disabled_at.is_some() {
            return Err(ParseError::Rejected { field: "Client", reason: "The client is disabled.".into() }.into());
        }
        let public = row.kind == "public";
        let rules = UriRules { http_loopback: public || dev, private_use_scheme: public };
        let uris: Vec<String> = uris.iter().map(|u| u.trim().to_owned()).filter(|u| !u.is_empty()).collect();
        let checked = uri_list("Redirect URI", &uris, rules, true)?;
        let json = serde_json::to_string(&checked.iter().map(RedirectUri::as_str).collect::<Vec<_>>())?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        if !store::clients::set_client_redirect_uris(&mut tx, client_id, &json, now).await? {
            return Err(Error::NotFound("Client"));
        }
        audit::record(&mut tx, &AuditEvent {
            at: now,
            actor: principal.actor(),
            subject: Subject::Client(client_id).label(),
            action: "client.updated",
            reason: None,
            detail: serde_json::json!({ "brand_id": row.brand_id, "redirect_uris": checked.len() }),
        })
        .await?;
        tx.commit().await?;
        self.clients.forget(client_id);
        self.client_by_id(client_id).await?.ok_or(Error::NotFound("Client"))
    }
}

/// Whether a staff role could ever administer a brand (for the admin shell's links).
pub fn role_administers_brands(role: StaffRole) -> bool {
    super::may(role, super::StaffPermission::ManageBrandSettings)
}

#[cfg(test)]
mod tests {

    use super::*;
    use crate::oidc::clients::ClientSpec;

    async fn identity() -> (Identity, tempfile::TempDir) {
        crate::jose::test_support::identity_at(1_700_000_000_000, crate::Settings::default()).await
    }

    fn staff(role: StaffRole, brands: &[&str]) -> Principal {
        Principal::Staff { id: "s1".into(), role, ticket: None, brands: brands.iter().map(|b| (*b).to_owned()).collect() }
    }

    /// A brand administrator sees and changes their brands and their clients only;
    /// another brand's client is "not found" to them; support is refused outright.
    #[tokio::test]
    async fn brand_admins_act_on_their_brands_clients_only() {
        let (id, _dir) = identity().await;
        let air = id.create_brand(&Principal::Operator, &BrandSlug::parse("air").unwrap(), "Air").await.unwrap();
        id.create_brand(&Principal::Operator, &BrandSlug::parse("hotels").unwrap(), "Hotels").await.unwrap();
        let air_client = id.create_client(&Principal::Operator, &ClientSpec::new("air", "Air web").redirect_uri("https://air.example/cb")).await.unwrap();
        let hotels_client =
            id.create_client(&Principal::Operator, &ClientSpec::new("hotels", "Hotels web").redirect_uri("https://hotels.example/cb")).await.unwrap();
        let admin = staff(StaffRole::BrandAdmin, &[&air.id]);

        let mine: Vec<String> = id.administered_brands(&admin).await.unwrap().into_iter().map(|b| b.slug).collect();
        assert_eq!(mine, ["air"]);
        assert_eq!(id.administered_brands(&Principal::Operator).await.unwrap().len(), 2);
        assert!(matches!(id.administered_brands(&staff(StaffRole::Support, &[])).await, Err(Error::Forbidden)));
        assert!(matches!(id.administered_brand(&admin, "hotels").await, Err(Error::NotFound(_))));
        assert!(matches!(id.clients_of_brand(&admin, "hotels").await, Err(Error::NotFound(_))));
        assert!(matches!(id.clients_of_brand(&staff(StaffRole::Support, &[]), "air").await, Err(Error::Forbidden)));
        assert_eq!(id.clients_of_brand(&admin, "air").await.unwrap().len(), 1);

        let hid = hotels_client.client.id.as_str();
        assert!(matches!(id.rotate_client_secret(&admin, hid, None).await, Err(Error::NotFound(_))));
        assert!(matches!(id.disable_client(&admin, hid).await, Err(Error::NotFound(_))));
        assert!(matches!(id.set_client_redirect_uris(&admin, hid, &["https://x.example/cb".into()], false).await, Err(Error::NotFound(_))));
        assert!(matches!(id.disable_client(&staff(StaffRole::SupportLead, &[]), hid).await, Err(Error::Forbidden)));

        let aid = air_client.client.id.as_str();
        assert!(id.rotate_client_secret(&admin, aid, Some(3_600)).await.is_ok());
        let c = id.set_client_redirect_uris(&admin, aid, &["https://air.example/a".into(), " https://air.example/b ".into()], false).await.unwrap();
        assert_eq!(c.redirect_uris, ["https://air.example/a", "https://air.example/b"]);
        assert!(id.set_client_redirect_uris(&admin, aid, &["http://air.example/cb".into()], false).await.is_err(), "https only");
        assert!(id.set_client_redirect_uris(&admin, aid, &[], false).await.is_err(), "at least one");
        assert!(id.disable_client(&admin, aid).await.unwrap().is_disabled());
        assert!(id.disable_client(&Principal::Operator, hid).await.unwrap().is_disabled(), "the operator: every brand");

        let updated = id
            .update_brand_details(&admin, "air", "Northwind Air", &BrandDetails { website_url: Some("https://air.example".into()), ..Default::default() })
            .await
            .unwrap();
        assert_eq!((updated.name.as_str(), updated.website_url.as_deref()), ("Northwind Air", Some("https://air.example")));
        let bad = id.update_brand_details(&admin, "air", " ", &BrandDetails { terms_url: Some("ftp://x".into()), ..Default::default() }).await;
        assert!(matches!(bad, Err(Error::Fields(ref f)) if f.len() == 2), "{bad:?}");
        assert!(matches!(id.update_brand_details(&admin, "hotels", "Mine", &BrandDetails::default()).await, Err(Error::NotFound(_))));
    }
}
