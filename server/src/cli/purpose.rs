//! `foyer purpose …`: the consent ledger's purpose catalogue — declare a purpose of a
//! brand (or of the whole group), publish its versions (each immutable once published),
//! list them. Every check runs before anything is written; a refusal is one line.

use clap::Subcommand;
use identity::consent::catalogue::{NewPurpose, NewVersion, Purpose, PurposeWithVersions, Version};
use identity::principal::Principal;
use serde_json::json;

use super::Output;
use crate::config::Config;
use crate::startup::Services;

#[derive(Debug, Subcommand)]
pub(super) enum PurposeCommand {
    /// Declare a purpose (it is in force once a version is published).
    Create {
        /// The brand's slug; without it (and with --group) the purpose is group-wide.
        #[arg(long, conflicts_with = "group")]
        brand: Option<String>,
        /// A group-wide purpose: every brand shows it and reads it.
        #[arg(long)]
        group: bool,
        /// a-z, 0-9, '_', '.', '-'; unique per brand (or in the group).
        #[arg(long)]
        key: String,
        /// The title in a language, LANG=TEXT (repeat; en is required).
        #[arg(long = "title", value_name = "LANG=TEXT", required = true)]
        titles: Vec<String>,
        /// The description in a language, LANG=TEXT (repeat; en is required).
        #[arg(long = "description", value_name = "LANG=TEXT", required = true)]
        descriptions: Vec<String>,
        /// consent, contract, legitimate_interest or legal_obligation.
        #[arg(long, value_name = "BASIS")]
        basis: String,
        /// The customer must agree to use the brand (asked at sign-in).
        #[arg(long)]
        required: bool,
        /// A category of data the purpose uses (repeat), e.g. contact, purchase history.
        #[arg(long = "category", value_name = "NAME", required = true)]
        categories: Vec<String>,
        /// How long the data is kept, as an ISO 8601 duration (P2Y); default: while the account exists.
        #[arg(long, value_name = "DURATION")]
        retention: Option<String>,
        /// A marketing channel with its own switch (repeat): email, sms, push, post.
        #[arg(long = "channel", value_name = "CHANNEL")]
        channels: Vec<String>,
    },
    /// Publish the next version of a purpose: its text, or a document URL with its SHA-256.
    PublishVersion {
        #[arg(long, conflicts_with = "group")]
        brand: Option<String>,
        #[arg(long)]
        group: bool,
        #[arg(long)]
        key: String,
        /// The number to publish (must be the next one; a published version never changes).
        #[arg(long)]
        version: Option<i64>,
        #[arg(long, value_name = "TEXT", conflicts_with = "url")]
        text: Option<String>,
        #[arg(long, value_name = "URL", requires = "sha256")]
        url: Option<String>,
        #[arg(long, value_name = "HEX")]
        sha256: Option<String>,
        /// When it takes effect (RFC 3339, e.g. 2027-01-01T00:00:00Z); default: now.
        #[arg(long, value_name = "TIME")]
        effective: Option<String>,
        /// A material change: every customer decides again at their next sign-in.
        #[arg(long)]
        material: bool,
    },
    /// List a brand's purposes (or the group's) with their versions.
    List {
        #[arg(long, conflicts_with = "group")]
        brand: Option<String>,
        #[arg(long)]
        group: bool,
    },
}

/// `LANG=TEXT` pairs.
fn pairs(flag: &str, values: &[String]) -> anyhow::Result<Vec<(String, String)>> {
    values
        .iter()
        .map(|v| v.split_once('=').map(|(l, t)| (l.trim().to_owned(), t.to_owned())).ok_or_else(|| anyhow::anyhow!("{flag} {v:?}: use LANG=TEXT, e.g. en=Newsletter")))
        .collect()
}

fn owner(brand: Option<String>, group: bool) -> anyhow::Result<Option<String>> {
    match (brand, group) {
        (Some(b), _) => Ok(Some(b)),
        (None, true) => Ok(None),
        (None, false) => anyhow::bail!("name the brand (--brand SLUG) or make it group-wide (--group)"),
    }
}

fn version_json(v: &Version) -> serde_json::Value {
    json!({
        "version": v.version, "text": v.body, "document_url": v.document_url, "document_sha256": v.document_sha256,
        "effective_at": v.effective_at, "material": v.material, "published_at": v.published_at,
    })
}

fn purpose_json(p: &Purpose, versions: &[Version]) -> serde_json::Value {
    json!({
        "id": p.id, "brand": p.brand, "key": p.key, "legal_basis": p.legal_basis.as_str(), "required": p.required,
        "data_categories": p.data_categories, "retention": p.retention,
        "channels": p.channels.iter().map(|c| c.as_str()).collect::<Vec<_>>(), "texts": p.texts,
        "versions": versions.iter().map(version_json).collect::<Vec<_>>(),
    })
}

pub(super) async fn run(config: &Config, out: &Output, command: PurposeCommand) -> anyhow::Result<()> {
    match command {
        PurposeCommand::Create { brand, group, key, titles, descriptions, basis, required, categories, retention, channels } => {
            let new = NewPurpose {
                brand: owner(brand, group)?,
                key,
                titles: pairs("--title", &titles)?,
                descriptions: pairs("--description", &descriptions)?,
                legal_basis: basis,
                required,
                data_categories: categories,
                retention,
                channels,
            };
            let services = Services::open(config).await?;
            let p = services.identity.create_purpose(&Principal::Operator, &new).await?;
            let whose = p.brand.clone().map_or_else(|| "the group".to_owned(), |b| format!("brand {b}"));
            out.say(&format!("Created purpose {} of {whose}. Publish a version to put it in force.", p.key), purpose_json(&p, &[]));
        }
        PurposeCommand::PublishVersion { brand, group, key, version, text, url, sha256, effective, material } => {
            let effective_at = match effective.as_deref() {
                None => None,
                Some(t) => Some(identity::clock::parse_rfc3339(t).ok_or_else(|| anyhow::anyhow!("--effective {t:?}: use RFC 3339, e.g. 2027-01-01T00:00:00Z"))?),
            };
            let new = NewVersion { brand: owner(brand, group)?, key, version, body: text, document_url: url, document_sha256: sha256, effective_at, material, dev: config.dev };
            let services = Services::open(config).await?;
            let v = services.identity.publish_purpose_version(&Principal::Operator, &new).await?;
            let kind = if v.material { "material: customers decide again at their next sign-in" } else { "not material" };
            out.say(&format!("Published version {} of {} ({kind}).", v.version, new.key.trim()), version_json(&v));
        }
        PurposeCommand::List { brand, group } => {
            let services = Services::open(config).await?;
            let list: Vec<PurposeWithVersions> = services.identity.list_purposes(&Principal::Operator, owner(brand, group)?.as_deref()).await?;
            let text = if list.is_empty() {
                "No purposes.".to_owned()
            } else {
                list.iter()
                    .map(|p| {
                        let latest = p.versions.last().map_or_else(|| "no version yet".to_owned(), |v| format!("version {}", v.version));
                        let required = if p.purpose.required { "required" } else { "optional" };
                        format!("{}\t{}\t{required}\t{latest}\t{}", p.purpose.key, p.purpose.legal_basis.as_str(), p.purpose.text(identity::i18n::Locale::En).title)
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            let value: Vec<_> = list.iter().map(|p| purpose_json(&p.purpose, &p.versions)).collect();
            out.say(&text, json!({ "purposes": value }));
        }
    }
    Ok(())
}
