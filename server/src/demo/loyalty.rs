//! The demo's loyalty programmes (issue 15, `docs/design/loyalty.md`): Northwind Air's
//! "Skyward Miles" (proven by a code mailed to the address the airline has on file;
//! tiers; household pooling) and Northwind Hotels' "Stays Club" (proven by the code
//! printed on the card). The airline reports cards for Ada, Charles and Ada's managed
//! child Byron (whose card has Ada's address on file), the hotels two cards with their
//! codes; the numbers are printed at start. Each brand also gets a back-end client
//! (`client_credentials`, scope `loyalty:manage`) whose fresh secret is printed at every
//! start, so the brand API can be tried with curl. Seeded through the core's use cases.

use anyhow::Context as _;
use identity::Identity;
use identity::brand::BrandSlug;
use identity::households::Role;
use identity::loyalty::brand_api::MemberReport;
use identity::loyalty::programme::NewProgramme;
use identity::oidc::clients::{Client, ClientSpec};
use identity::principal::Principal;
use secrecy::SecretString;
use serde_json::{Value, json};

use super::household::{ADULT, OWNER};
use super::{AIR, Brand, HOTELS};

/// One demo card: programme slug, number, whose it is, tier and points, the address on
/// file (`email` method) or the card's code (`code` method).
struct Card {
    programme: &'static str,
    number: &'static str,
    holder: &'static str,
    tier: &'static str,
    points: i64,
    email: Option<&'static str>,
    code: Option<&'static str>,
}

const SKYWARD: &str = "skyward";
const STAYS: &str = "stays";

/// The demo's managed child (Ada is the guardian).
pub const CHILD: &str = "Byron";
const CHILD_FAMILY: &str = "Lovelace";

const CARDS: [Card; 5] = [
    Card { programme: SKYWARD, number: "1234567897", holder: OWNER, tier: "Gold", points: 48_200, email: Some(OWNER), code: None },
    Card { programme: SKYWARD, number: "2000000006", holder: ADULT, tier: "Silver", points: 12_000, email: Some(ADULT), code: None },
    Card { programme: SKYWARD, number: "3000000004", holder: CHILD, tier: "Blue", points: 1_500, email: Some(OWNER), code: None },
    Card { programme: STAYS, number: "1000000008", holder: OWNER, tier: "Silver", points: 800, email: None, code: Some("STAYS-1843") },
    Card { programme: STAYS, number: "5000000009", holder: ADULT, tier: "Member", points: 150, email: None, code: Some("STAYS-1791") },
];

fn programmes() -> [NewProgramme; 2] {
    let tiers = |t: &[&str]| t.iter().map(|s| (*s).to_owned()).collect();
    [
        NewProgramme {
            brand: AIR.slug.into(),
            slug: Some(SKYWARD.into()),
            name: "Skyward Miles".into(),
            number_pattern: "[0-9]{10}".into(),
            luhn: true,
            tiers: tiers(&["Blue", "Silver", "Gold"]),
            verification: "email".into(),
            pooling: true,
        },
        NewProgramme {
            brand: HOTELS.slug.into(),
            slug: Some(STAYS.into()),
            name: "Stays Club".into(),
            number_pattern: "[0-9]{10}".into(),
            luhn: true,
            tiers: tiers(&["Member", "Silver", "Platinum"]),
            verification: "code".into(),
            pooling: false,
        },
    ]
}

/// Declares the programmes (and the brands' reports of the demo cards) that do not
/// exist yet, and gives Ada's household its managed child once.
pub(crate) async fn seed(identity: &Identity) -> anyhow::Result<()> {
    let existing = identity.programmes(None).await?;
    for new in programmes() {
        let slug = new.slug.clone().unwrap_or_default();
        if existing.iter().any(|p| p.slug == slug) {
            continue;
        }
        identity.create_programme(&Principal::Operator, &new).await?;
        for card in CARDS.iter().filter(|c| c.programme == slug) {
            let report = MemberReport {
                status: "active".into(),
                tier: Some(card.tier.into()),
                points: Some(card.points),
                email: card.email.map(str::to_owned),
                verification_code: card.code.map(str::to_owned),
            };
            identity.report_member(&Principal::Operator, &slug, card.number, &report).await?;
        }
    }
    child(identity).await
}

/// Ada's managed child, unless her household has one.
async fn child(identity: &Identity) -> anyhow::Result<()> {
    let email = identity::domain::Email::parse(OWNER)?;
    let ada = identity.store().customer_by_email(email.normalized()).await?.context("the demo household's owner")?.id;
    let me = Principal::customer(&ada, "foyer:pwd");
    let Some(household) = identity.households(&me, &ada).await?.into_iter().find(|h| h.my_role == Role::Owner) else { return Ok(()) };
    if household.members.iter().any(|m| m.role == Role::Managed) {
        return Ok(());
    }
    // Ten years old on the demo's clock.
    let birth: String = identity::clock::format_millis(identity.now() - 10 * 365 * 86_400_000).chars().take(10).collect();
    identity.create_managed_member(&me, &ada, &household.id, CHILD, Some(CHILD_FAMILY), &birth).await?;
    Ok(())
}

/// The demo cards, for the start-up message.
pub fn cards() -> (String, Value) {
    let line = |c: &Card| match (c.email, c.code) {
        (_, Some(code)) => format!("{} {} ({}, card code {code})", c.programme, c.number, c.holder),
        (Some(email), None) => format!("{} {} ({}, code mailed to {email})", c.programme, c.number, c.holder),
        (None, None) => format!("{} {} ({})", c.programme, c.number, c.holder),
    };
    let text = format!("Demo loyalty cards: {}", CARDS.iter().map(line).collect::<Vec<_>>().join("; "));
    let list: Vec<Value> = CARDS
        .iter()
        .map(|c| json!({ "programme": c.programme, "number": c.number, "holder": c.holder, "tier": c.tier, "email_on_file": c.email, "card_code": c.code }))
        .collect();
    (text, json!({ "demo_loyalty_cards": list }))
}

/// A brand's back-end client for the loyalty API: its id and a fresh secret.
#[derive(Debug)]
pub struct ApiClient {
    pub brand: &'static str,
    pub client_id: String,
    pub secret: SecretString,
}

fn api_client_name(brand: &Brand) -> String {
    format!("{} loyalty back end", brand.name)
}

fn api_client_spec(brand: &Brand) -> ClientSpec {
    // The grant needs no browser; a client is registered with one redirect URI all the same.
    ClientSpec::new(brand.slug, &api_client_name(brand))
        .redirect_uri("http://127.0.0.1/unused")
        .grant("client_credentials")
        .scope("openid")
        .scope(identity::loyalty::API_SCOPE)
        .dev(true)
}

/// Each brand's back-end client (made once, a new secret at every start).
pub async fn api_clients(identity: &Identity) -> anyhow::Result<Vec<ApiClient>> {
    let mut out = Vec::new();
    for brand in [AIR, HOTELS] {
        let name = api_client_name(&brand);
        let existing: Option<Client> =
            identity.list_clients(Some(&BrandSlug::parse(brand.slug)?)).await?.into_iter().find(|c| c.name == name && !c.is_disabled());
        let (client_id, secret) = match existing {
            Some(client) => (client.id.clone(), identity.rotate_client_secret(&Principal::Operator, &client.id, None).await?.secret),
            None => {
                let created = identity.create_client(&Principal::Operator, &api_client_spec(&brand)).await?;
                (created.client.id, created.secret.context("a confidential demo client was created without a secret")?)
            }
        };
        out.push(ApiClient { brand: brand.name, client_id, secret });
    }
    Ok(out)
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests fail loudly")]
mod tests {
    use super::*;

    #[test]
    fn the_demo_cards_pass_their_programmes_checks() {
        for card in &CARDS {
            assert!(identity::loyalty::luhn_valid(card.number), "{}", card.number);
        }
        for p in programmes() {
            identity::loyalty::NumberFormat::new(&p.number_pattern, p.luhn).unwrap();
        }
        api_client_spec(&AIR).validate().unwrap();
    }
}
