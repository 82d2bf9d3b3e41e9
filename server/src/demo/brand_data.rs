//! The demo brands' profile attributes and topics (`docs/design/consent.md` "Brand
//! attributes"): Northwind Air asks for a seat preference at sign-in, Northwind Hotels
//! keeps an optional pillow type; both offer topics. Declared once; later starts keep
//! what is there.

use identity::Identity;
use identity::branddata::AttributeSpec;
use identity::brand::BrandSlug;
use identity::principal::Principal;

use super::{AIR, HOTELS};

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

/// Declares the demo attributes and topics the brands do not have yet.
pub(crate) async fn seed(identity: &Identity) -> anyhow::Result<()> {
    let seat = AttributeSpec {
        key: "seat".into(),
        labels: strings(&["en=Seat preference", "de=Sitzplatzwunsch"]),
        kind: "choice".into(),
        choices: strings(&["aisle=en:Aisle,de:Gang", "window=en:Window,de:Fenster", "middle=en:Middle,de:Mitte"]),
        required: true,
        ask_at_sign_in: true,
        ..AttributeSpec::default()
    };
    let pillow = AttributeSpec {
        key: "pillow".into(),
        labels: strings(&["en=Pillow type", "de=Kissenart"]),
        kind: "choice".into(),
        choices: strings(&["soft=en:Soft,de:Weich", "firm=en:Firm,de:Fest", "feather=en:Feather,de:Feder"]),
        ..AttributeSpec::default()
    };
    let plan = [
        (AIR.slug, seat, strings(&["deals=en:Deals,de:Angebote", "destinations=en:New destinations,de:Neue Ziele"])),
        (HOTELS.slug, pillow, strings(&["deals=en:Deals,de:Angebote", "wellness=en:Wellness,de:Wellness"])),
    ];
    for (slug, spec, topics) in plan {
        let slug = BrandSlug::parse(slug)?;
        let declared = identity.declared_attributes(&Principal::Operator, Some(&slug)).await?;
        if !declared.iter().any(|a| a.key == spec.key) {
            identity.declare_attribute(&Principal::Operator, Some(&slug), &spec).await?;
        }
        if identity.brand_topics(&Principal::Operator, &slug).await?.is_empty() {
            identity.set_brand_topics(&Principal::Operator, &slug, &topics).await?;
        }
    }
    Ok(())
}
