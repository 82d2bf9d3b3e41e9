//! `foyer loyalty-programme …`: a brand's loyalty programme (`docs/design/loyalty.md`) —
//! declare it, list them, import the memberships the brand verified before Foyer. Every
//! check runs before anything is written; a refusal is one line.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Subcommand;
use identity::loyalty::import::parse_link_lines;
use identity::loyalty::programme::{NewProgramme, Programme};
use identity::principal::Principal;
use serde_json::json;

use super::Output;
use crate::config::Config;
use crate::startup::Services;

#[derive(Debug, Subcommand)]
pub(super) enum LoyaltyCommand {
    /// Declare a brand's programme: its member-number format, tiers, how links are proven.
    Create {
        /// The brand's slug.
        #[arg(long)]
        brand: String,
        /// The programme's slug, as the API names it (default: the brand's).
        #[arg(long)]
        slug: Option<String>,
        /// The name customers see, e.g. "Skyward Miles".
        #[arg(long)]
        name: String,
        /// The member number's format as a regular expression (matched whole, after spaces
        /// and dashes are removed and letters upper-cased), e.g. '[0-9]{10}'.
        #[arg(long, value_name = "REGEX")]
        number_pattern: String,
        /// The number ends in a Luhn check digit.
        #[arg(long)]
        luhn: bool,
        /// A tier label (repeat, lowest first), e.g. --tier Blue --tier Silver --tier Gold.
        #[arg(long = "tier", value_name = "LABEL")]
        tiers: Vec<String>,
        /// How a link is proven: email (a code to the address the brand has on file), code
        /// (the card's one-time code), brand-api (the brand's back end decides), support.
        #[arg(long, value_name = "METHOD")]
        verification: String,
        /// Household members may pool their memberships (the household owner decides who).
        #[arg(long)]
        pooling: bool,
    },
    /// List the programmes (of one brand).
    List {
        #[arg(long)]
        brand: Option<String>,
    },
    /// Import existing memberships from a JSON-lines file, one per line:
    /// {"email": "...", "number": "...", "status": "verified" | "pending"}
    /// (see docs/operations.md). Bad lines are reported by number and not imported.
    ImportLinks {
        /// The programme's slug.
        #[arg(long)]
        programme: String,
        file: PathBuf,
    },
}

fn programme_json(p: &Programme) -> serde_json::Value {
    json!({
        "id": p.id, "slug": p.slug, "brand": p.brand_slug, "name": p.name, "number_pattern": p.number_pattern, "luhn": p.luhn,
        "tiers": p.tiers, "verification": p.verification.as_str(), "pooling": p.pooling, "created_at": p.created_at,
    })
}

pub(super) async fn run(config: &Config, out: &Output, command: LoyaltyCommand) -> anyhow::Result<ExitCode> {
    match command {
        LoyaltyCommand::Create { brand, slug, name, number_pattern, luhn, tiers, verification, pooling } => {
            let new = NewProgramme { brand, slug, name, number_pattern, luhn, tiers, verification, pooling };
            let services = Services::open(config).await?;
            let p = services.identity.create_programme(&Principal::Operator, &new).await?;
            let text = format!(
                "Created loyalty programme {} ({}) of brand {}: links are proven by {}. Its API is /api/v1/loyalty/{}/… for the brand's clients with scope loyalty:manage.",
                p.slug,
                p.name,
                p.brand_slug,
                p.verification.as_str(),
                p.slug
            );
            out.say(&text, programme_json(&p));
        }
        LoyaltyCommand::List { brand } => {
            let services = Services::open(config).await?;
            let list = services.identity.programmes(brand.as_deref()).await?;
            let text = if list.is_empty() {
                "No loyalty programmes.".to_owned()
            } else {
                list.iter()
                    .map(|p| format!("{}\t{}\t{}\t{}{}", p.slug, p.brand_slug, p.verification.as_str(), p.name, if p.pooling { "\tpooling" } else { "" }))
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            out.say(&text, json!({ "programmes": list.iter().map(programme_json).collect::<Vec<_>>() }));
        }
        LoyaltyCommand::ImportLinks { programme, file } => return import_links(config, out, &programme, &file).await,
    }
    Ok(ExitCode::SUCCESS)
}

async fn import_links(config: &Config, out: &Output, programme: &str, file: &std::path::Path) -> anyhow::Result<ExitCode> {
    let handle = std::fs::File::open(file).with_context(|| format!("cannot open {}", file.display()))?;
    let (records, mut errors) = parse_link_lines(std::io::BufReader::new(handle));
    let services = Services::open(config).await?;
    let mut report = services.identity.import_loyalty_links(&Principal::Operator, programme, &records).await?;
    errors.append(&mut report.errors);
    errors.sort_by_key(|e| e.line);
    report.errors = errors;
    let mut text: Vec<String> = report.errors.iter().map(|e| format!("line {}: {}", e.line, e.message)).collect();
    text.push(format!("Imported {}, already present {}, bad lines {}.", report.imported, report.already_present, report.errors.len()));
    out.say(&text.join("\n"), serde_json::to_value(&report)?);
    Ok(if report.errors.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
