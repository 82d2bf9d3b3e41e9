//! The demo's household (issue 14): Ada Lovelace owns "The Lovelaces", Charles Babbage
//! is an adult member, both with the password [`PASSWORD`] (printed at start: this is a
//! demo). Seeded once, at the first start, through the core's own use cases.

use identity::Identity;
use identity::principal::Principal;
use secrecy::SecretString;

/// The demo household's members sign in with this password.
pub const PASSWORD: &str = "analytical-engine-1843";
pub const OWNER: &str = "ada@demo.example";
pub const ADULT: &str = "charles@demo.example";
const NAME: &str = "The Lovelaces";

/// Seeds the household unless its owner exists; returns whether it did.
pub(crate) async fn seed(identity: &Identity) -> anyhow::Result<bool> {
    let owner_email = identity::domain::Email::parse(OWNER)?;
    if identity.store().customer_by_email(owner_email.normalized()).await?.is_some() {
        return Ok(false);
    }
    let hash = identity.hasher().hash(SecretString::from(PASSWORD.to_owned()), &identity::OsRandom).await?;
    // Through the operator's import (JSON lines, as `foyer users import` reads them).
    let line = |email: &str, given: &str, family: &str| {
        serde_json::json!({ "email": email, "given_name": given, "family_name": family, "password_hash": hash, "email_verified": true }).to_string()
    };
    let lines = [line(OWNER, "Ada", "Lovelace"), line(ADULT, "Charles", "Babbage")].join("\n");
    let (records, errors) = identity::import::parse_lines(std::io::Cursor::new(lines));
    anyhow::ensure!(errors.is_empty(), "the demo household's records: {errors:?}");
    identity.import_customers(&Principal::Operator, &records).await?;
    let id_of = |email: &str| {
        let email = identity::domain::Email::parse(email);
        async move {
            let email = email?;
            identity.store().customer_by_email(email.normalized()).await?.map(|c| c.id).ok_or_else(|| anyhow::anyhow!("the demo customer {} was not imported", email.as_str()))
        }
    };
    let (ada, charles) = (id_of(OWNER).await?, id_of(ADULT).await?);
    let household = identity.create_household(&Principal::customer(&ada, "foyer:pwd"), &ada, NAME).await?;
    identity.import_household_member(&Principal::Operator, &household, &charles).await?;
    Ok(true)
}
