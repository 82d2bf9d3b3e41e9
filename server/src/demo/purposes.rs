//! The demo's consent purposes, so the ledger can be tried at once: the group's terms
//! of use (required, accepted at registration), Northwind Air's newsletter (optional,
//! a switch per channel) and Northwind Hotels' guest profile (required: the first
//! sign-in at Hotels shows the interstitial), offers (optional) and the sharing of the
//! customer's other loyalty memberships (`loyalty-sharing`, optional). Publishing a
//! material version later (`foyer purpose publish-version … --material`) sends every
//! customer through the interstitial again.

use identity::consent::catalogue::{NewPurpose, NewVersion};
use identity::principal::Principal;

struct DemoPurpose {
    brand: Option<&'static str>,
    key: &'static str,
    title: (&'static str, &'static str),
    description: (&'static str, &'static str),
    basis: &'static str,
    required: bool,
    categories: &'static [&'static str],
    retention: Option<&'static str>,
    channels: &'static [&'static str],
    text: &'static str,
}

const PURPOSES: [DemoPurpose; 5] = [
    DemoPurpose {
        brand: None,
        key: "terms",
        title: ("Terms of use", "Nutzungsbedingungen"),
        description: (
            "The rules of the Northwind ID account you use at every Northwind brand.",
            "Die Regeln des Northwind-ID-Kontos, das Sie bei allen Northwind-Marken nutzen.",
        ),
        basis: "contract",
        required: true,
        categories: &["account", "contact"],
        retention: None,
        channels: &[],
        text: "You keep your account details correct, keep your password to yourself, and may close the account at any time. \
               Northwind keeps your data only while the account exists, unless the law asks for longer.",
    },
    DemoPurpose {
        brand: Some("northwind-air"),
        key: "newsletter",
        title: ("Flight deals and news", "Flugangebote und Neuigkeiten"),
        description: (
            "Northwind Air sends you fare deals and news about new routes.",
            "Northwind Air schickt Ihnen Tarifangebote und Neuigkeiten zu neuen Strecken.",
        ),
        basis: "consent",
        required: false,
        categories: &["contact", "travel preferences"],
        retention: Some("P2Y"),
        channels: &["email", "sms", "push"],
        text: "Northwind Air may contact you with offers through the channels you turn on, until you turn them off.",
    },
    DemoPurpose {
        brand: Some("northwind-hotels"),
        key: "guest-profile",
        title: ("Your guest profile", "Ihr Gästeprofil"),
        description: (
            "Northwind Hotels keeps your stay preferences to prepare your room.",
            "Northwind Hotels speichert Ihre Aufenthaltswünsche, um Ihr Zimmer vorzubereiten.",
        ),
        basis: "consent",
        required: true,
        categories: &["stay preferences", "contact"],
        retention: Some("P3Y"),
        channels: &[],
        text: "Northwind Hotels uses your stay preferences (room, pillows, arrival time) for your bookings only.",
    },
    DemoPurpose {
        brand: Some("northwind-hotels"),
        key: "offers",
        title: ("Hotel offers", "Hotelangebote"),
        description: ("Seasonal offers from Northwind Hotels.", "Saisonale Angebote von Northwind Hotels."),
        basis: "consent",
        required: false,
        categories: &["contact"],
        retention: Some("P2Y"),
        channels: &["email", "post"],
        text: "Northwind Hotels may send you seasonal offers through the channels you turn on.",
    },
    DemoPurpose {
        brand: Some("northwind-hotels"),
        key: identity::loyalty::SHARING_PURPOSE,
        title: ("Your other Northwind memberships", "Ihre anderen Northwind-Mitgliedschaften"),
        description: (
            "Northwind Hotels sees your verified memberships of other Northwind programmes (programme, tier, last four digits; no balance).",
            "Northwind Hotels sieht Ihre bestätigten Mitgliedschaften anderer Northwind-Programme (Programm, Stufe, letzte vier Ziffern; kein Punktestand).",
        ),
        basis: "consent",
        required: false,
        categories: &["loyalty memberships"],
        retention: Some("P1Y"),
        channels: &[],
        text: "Northwind Hotels may read which other Northwind loyalty programmes you belong to, and your tier, to match your status.",
    },
];

/// Declares the demo purposes and their first versions, once.
pub(crate) async fn seed(identity: &identity::Identity) -> anyhow::Result<()> {
    for p in &PURPOSES {
        let existing = identity.list_purposes(&Principal::Operator, p.brand).await?;
        if existing.iter().any(|e| e.purpose.key == p.key) {
            continue;
        }
        let new = NewPurpose {
            brand: p.brand.map(str::to_owned),
            key: p.key.to_owned(),
            titles: vec![("en".into(), p.title.0.into()), ("de".into(), p.title.1.into())],
            descriptions: vec![("en".into(), p.description.0.into()), ("de".into(), p.description.1.into())],
            legal_basis: p.basis.to_owned(),
            required: p.required,
            data_categories: p.categories.iter().map(|c| (*c).to_owned()).collect(),
            retention: p.retention.map(str::to_owned),
            channels: p.channels.iter().map(|c| (*c).to_owned()).collect(),
        };
        identity.create_purpose(&Principal::Operator, &new).await?;
        let version = NewVersion { brand: new.brand.clone(), key: new.key.clone(), body: Some(p.text.to_owned()), ..NewVersion::default() };
        identity.publish_purpose_version(&Principal::Operator, &version).await?;
    }
    Ok(())
}
