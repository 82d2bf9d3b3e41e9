//! `foyer admin …`: staff accounts — create one (a one-time enrolment link), grant a
//! brand administrator a brand, change a role, disable someone who left
//! (`docs/design/admin.md`). Every check runs before anything is written.

use clap::Subcommand;
use identity::domain::{BrandSlug, Email};
use identity::principal::Principal;
use identity::staff::StaffRole;
use secrecy::ExposeSecret as _;
use serde_json::json;

use super::Output;
use crate::config::Config;
use crate::startup::Services;

#[derive(Debug, Subcommand)]
pub(super) enum AdminCommand {
    /// Create a staff account without a password; a one-time enrolment link (24 h) is
    /// printed once, where they choose a password and set up an authenticator app.
    Create {
        #[arg(long)]
        email: String,
        /// The name the admin pages greet them by (default: their email).
        #[arg(long)]
        name: Option<String>,
        /// support, support_lead, brand_admin or operator (docs/design/admin.md has the table).
        #[arg(long, default_value = "support", value_parser = ["support", "support_lead", "brand_admin", "operator"])]
        role: String,
        /// A brand a brand_admin administers (repeat); more with `foyer admin grant-brand`.
        #[arg(long = "brand", value_name = "SLUG")]
        brands: Vec<String>,
    },
    /// Grant a brand administrator one more brand.
    GrantBrand {
        #[arg(long)]
        email: String,
        #[arg(long, value_name = "SLUG")]
        brand: String,
    },
    /// Change a staff member's role; it applies at their next request (leaving
    /// brand_admin drops the brands granted).
    SetRole {
        #[arg(long)]
        email: String,
        #[arg(long, value_parser = ["support", "support_lead", "brand_admin", "operator"])]
        role: String,
    },
    /// Disable a staff member who left: their sessions end and they cannot sign in again.
    Disable {
        #[arg(long)]
        email: String,
    },
}

pub(super) async fn run(config: &Config, out: &Output, command: AdminCommand) -> anyhow::Result<()> {
    match command {
    AdminCommand::Create { email, name, role, brands } => {
        let email = Email::parse(&email)?;
        let role = StaffRole::parse(&role)?;
        if !brands.is_empty() && role != StaffRole::BrandAdmin {
            anyhow::bail!("--brand: only a brand_admin is granted brands");
        }
        let services = Services::open(config).await?;
        // Every brand is checked before the account exists: nothing half-made.
        for slug in &brands {
            let parsed = BrandSlug::parse(slug)?;
            if services.identity.brand(parsed.as_str()).await?.is_none() {
                return Err(identity::domain::unknown_brand(&parsed).into());
            }
        }
        let created = services.identity.create_staff_named(&Principal::Operator, &email, name.as_deref(), role, &config.public_url).await?;
        for slug in &brands {
            services.identity.grant_staff_brand(&Principal::Operator, email.as_str(), slug).await?;
        }
        let link = created.enrolment_link.expose_secret();
        out.say(
            &format!(
                "Created {} account {} for {}.\nOne-time enrolment link (24 hours; shown once, give it to them privately):\n{link}",
                role.as_str(),
                created.row.id,
                email.as_str()
            ),
            json!({ "id": created.row.id, "email": email.as_str(), "role": role.as_str(), "brands": brands, "enrolment_link": link }),
        );
    }
    AdminCommand::GrantBrand { email, brand } => {
        let services = Services::open(config).await?;
        let new = services.identity.grant_staff_brand(&Principal::Operator, &email, &brand).await?;
        let text = if new { format!("{email} now administers brand {brand}.") } else { format!("{email} already administered brand {brand}.") };
        out.say(&text, json!({ "email": email, "brand": brand, "granted": new }));
    }
    AdminCommand::SetRole { email, role } => {
        let services = Services::open(config).await?;
        let role = StaffRole::parse(&role)?;
        let old = services.identity.set_staff_role(&Principal::Operator, &email, role).await?;
        out.say(&format!("{email} is now {} (was {}).", role.as_str(), old.as_str()), json!({ "email": email, "role": role.as_str(), "previous": old.as_str() }));
    }
    AdminCommand::Disable { email } => {
        let services = Services::open(config).await?;
        let new = services.identity.disable_staff(&Principal::Operator, &email).await?;
        let text = if new { format!("{email} is disabled: their sessions ended.") } else { format!("{email} was disabled already.") };
        out.say(&text, json!({ "email": email, "disabled": true, "changed": new }));
    }
    }
    Ok(())
}
