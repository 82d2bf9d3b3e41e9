//! The command line: `foyer serve | demo | migrate | admin | users | brand | client | purpose | attribute | keys | mail`.
//!
//! Output is for people by default and JSON with `--json` (one object per command on
//! stdout). Errors go to stderr as one line and a non-zero exit code.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use identity::principal::Principal;
use identity::brand::{BrandDetails, BrandLogo, BrandSlug, BrandTheme};
use identity::store::brands::BrandRow;
use identity::domain::Email;
use secrecy::ExposeSecret as _;
use serde_json::json;

use crate::config::Config;
use crate::startup::{Application, Services};

mod admin;
mod attribute;
mod loyalty;
mod client;
mod purpose;

use attribute::AttributeCommand;
use client::ClientCommand;
use loyalty::LoyaltyCommand;
use purpose::PurposeCommand;

#[derive(Debug, Parser)]
#[command(name = "foyer", version, about = "Foyer customer identity: server and operator tools")]
pub struct Cli {
    /// A TOML configuration file (default: ./foyer.toml when present).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Print machine-readable JSON instead of text.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
#[expect(clippy::large_enum_variant, reason = "parsed once per process")]
enum Command {
    /// Apply migrations and serve the portal.
    Serve {
        /// Development mode: the /dev/mail mailbox is visible.
        #[arg(long)]
        dev: bool,
    },
    /// Serve in development mode with demo brands and a demo support admin.
    Demo,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Staff accounts.
    Admin {
        #[command(subcommand)]
        command: admin::AdminCommand,
    },
    /// Customer accounts.
    Users {
        #[command(subcommand)]
        command: UsersCommand,
    },
    /// Brands.
    Brand {
        #[command(subcommand)]
        command: BrandCommand,
    },
    /// OAuth 2.0 / OpenID Connect clients of the brands.
    Client {
        #[command(subcommand)]
        command: ClientCommand,
    },
    /// Consent purposes of the brands and the group, and their versions.
    Purpose {
        #[command(subcommand)]
        command: PurposeCommand,
    },
    /// Brands' loyalty programmes (docs/design/loyalty.md).
    LoyaltyProgramme {
        #[command(subcommand)]
        command: LoyaltyCommand,
    },
    /// Brand profile attributes and topics (docs/design/consent.md "Brand attributes").
    Attribute {
        #[command(subcommand)]
        command: Box<AttributeCommand>,
    },
    /// The keys that sign ID and access tokens.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Email delivery.
    Mail {
        #[command(subcommand)]
        command: MailCommand,
    },
}

#[derive(Debug, Subcommand)]
enum UsersCommand {
    /// Import customers from a JSON-lines file (see docs/operations.md).
    Import {
        file: PathBuf,
        /// Import nothing if any line is bad.
        #[arg(long)]
        all_or_nothing: bool,
    },
    /// Add synthetic customers (plausible names, addresses on example.com/.org/.net, phones
    /// in Ofcom's drama range) for the search benchmark and for trying the support view
    /// at scale. Imported like a file, in batches; deterministic for a seed.
    Generate {
        #[arg(long)]
        count: usize,
        /// Which population (the same seed and count give the same people).
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

#[derive(Debug, Subcommand)]
enum BrandCommand {
    /// Create a brand.
    Create {
        #[arg(long)]
        slug: String,
        #[arg(long)]
        name: String,
        /// The brand's home page (https; http on a loopback host only in dev).
        #[arg(long, value_name = "URL")]
        website: Option<String>,
        #[arg(long, value_name = "EMAIL")]
        support_email: Option<String>,
        #[arg(long, value_name = "URL")]
        support_url: Option<String>,
        #[arg(long, value_name = "URL")]
        terms_url: Option<String>,
        #[arg(long, value_name = "URL")]
        privacy_url: Option<String>,
    },
    /// List brands.
    List,
    /// Set a brand's colours and/or logo (PNG or SVG, at most 100 KiB).
    Theme {
        #[arg(long)]
        slug: String,
        #[arg(long, value_name = "FILE")]
        logo: Option<PathBuf>,
        /// primary, on-primary, surface, text or accent; pairs need 4.5:1 contrast.
        #[arg(long = "color", value_name = "NAME=#rrggbb")]
        colors: Vec<String>,
    },
}

#[derive(Debug, Subcommand)]
enum KeysCommand {
    /// List the keys: algorithm, when each signs, when it leaves the JWKS.
    List,
    /// Replace the current key of each algorithm (or one). The new key is published an
    /// hour before it signs, so relying parties have it; `--now` signs in two seconds (a
    /// leak), once every node publishes it.
    Rotate {
        #[arg(long, value_name = "RS256|ES256|EdDSA")]
        alg: Option<String>,
        #[arg(long)]
        now: bool,
    },
    /// Withdraw a key from the JWKS at once (every node within a second): tokens it signed
    /// stop verifying. A key rotated in with `--now` and not yet signing signs from then.
    Remove { kid: String },
    /// Replace the key that signs consent receipts; the old one stops signing and stays
    /// published at /.well-known/consent-receipt-keys (receipts it signed keep verifying).
    RotateReceipt,
}

#[derive(Debug, Subcommand)]
enum MailCommand {
    /// Queue a test message and try to deliver it now.
    Test {
        #[arg(long)]
        to: String,
    },
}

pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let mut config = Config::load(cli.config.as_deref())?;
    crate::telemetry::init(config.json_logs);
    let out = Output { json: cli.json };
    match cli.command {
        Command::Serve { dev } => {
            config.dev |= dev;
            serve(config).await?;
        }
        Command::Demo => {
            config.dev = true;
            crate::demo::name_the_product(&mut config);
            crate::demo::allow_refresh_retries(&mut config);
            // Bind the brand sites first: their clients are registered with the real ports.
            let bound = crate::demo::bind(&crate::demo::SitePlan::from_env()?).await?;
            let services = Services::open(&config).await?;
            for (email, role, link) in crate::demo::seed(&services, &bound).await? {
                let link = link.expose_secret();
                let (words, key) = match role {
                    identity::staff::StaffRole::Support => ("support agent", "demo_agent"),
                    identity::staff::StaffRole::SupportLead => ("support lead", "demo_lead"),
                    identity::staff::StaffRole::BrandAdmin => ("brand administrator", "demo_brand_admin"),
                    identity::staff::StaffRole::Operator => ("operator", "demo_operator"),
                };
                out.say(&format!("Demo {words} {email}: enrol at {link}"), json!({ key: { "email": email, "enrolment_link": link } }));
            }
            {
                use crate::demo::household::{ADULT, OWNER, PASSWORD};
                out.say(
                    &format!("Demo household \"The Lovelaces\": sign in as {OWNER} (owner) or {ADULT} with the password {PASSWORD}"),
                    json!({ "demo_household": { "owner": OWNER, "adult": ADULT, "password": PASSWORD } }),
                );
                let (text, value) = crate::demo::loyalty::cards();
                out.say(&text, value);
                for c in crate::demo::loyalty::api_clients(&services.identity).await? {
                    let secret = c.secret.expose_secret();
                    out.say(
                        &format!("{} loyalty back end (client_credentials, scope loyalty:manage): client id {}, secret {secret}", c.brand, c.client_id),
                        json!({ "demo_loyalty_client": { "brand": c.brand, "client_id": c.client_id, "client_secret": secret } }),
                    );
                }
            }
            let sites = crate::demo::register(&services.identity, bound).await?;
            drop(services);
            crate::demo::serve(config, sites, &out).await?;
        }
        Command::Migrate => {
            let services = Services::open(&config).await?;
            out.say(&format!("Migrations applied ({}).", services.identity.store().backend().name()), json!({ "migrated": true }));
        }
        Command::Admin { command } => admin::run(&config, &out, command).await?,
        Command::Users { command: UsersCommand::Import { file, all_or_nothing } } => {
            return import(&config, &out, &file, all_or_nothing).await;
        }
        Command::Users { command: UsersCommand::Generate { count, seed } } => {
            let services = Services::open(&config).await?;
            let report = services.identity.generate_customers(&Principal::Operator, seed, count).await?;
            out.say(
                &format!("Generated {} synthetic customers ({} were already there).", report.imported, report.already_present),
                serde_json::to_value(&report)?,
            );
        }
        Command::Brand {
            command: BrandCommand::Create { slug, name, website, support_email, support_url, terms_url, privacy_url },
        } => {
            let slug = BrandSlug::parse(&slug)?;
            let details =
                BrandDetails { website_url: website, support_email, support_url, terms_url, privacy_url, dev: config.dev };
            let services = Services::open(&config).await?;
            let brand = services.identity.create_brand_with(&Principal::Operator, &slug, &name, &details).await?;
            out.say(&format!("Created brand {} ({}).", brand.slug, brand.name), brand_json(&brand));
        }
        Command::Brand { command: BrandCommand::List } => {
            let services = Services::open(&config).await?;
            let brands = services.identity.list_brands().await?;
            let text = if brands.is_empty() {
                "No brands.".to_owned()
            } else {
                brands.iter().map(|b| format!("{}\t{}", b.slug, b.name)).collect::<Vec<_>>().join("\n")
            };
            let list: Vec<_> = brands.iter().map(brand_json).collect();
            out.say(&text, json!({ "brands": list }));
        }
        Command::Brand { command: BrandCommand::Theme { slug, logo, colors } } => {
            let slug = BrandSlug::parse(&slug)?;
            let logo = match logo {
                Some(path) => {
                    let bytes = std::fs::read(&path).with_context(|| format!("cannot open {}", path.display()))?;
                    Some(BrandLogo::parse(&bytes)?)
                }
                None => None,
            };
            let services = Services::open(&config).await?;
            let brand = services.identity.set_brand_theme(&Principal::Operator, &slug, &colors, logo.as_ref()).await?;
            let theme = BrandTheme::from_json(brand.theme.as_deref());
            let mut lines = vec![format!("Updated the theme of brand {}.", brand.slug)];
            lines.extend(theme.colors().map(|(name, color)| format!("  {name}: {}", color.as_hex())));
            if let Some(kind) = &brand.logo_type {
                lines.push(format!("  logo: {kind}"));
            }
            out.say(&lines.join("\n"), brand_json(&brand));
        }
        Command::Client { command } => return client::run(&config, &out, command).await,
        Command::Purpose { command } => purpose::run(&config, &out, command).await?,
        Command::LoyaltyProgramme { command } => return loyalty::run(&config, &out, command).await,
        Command::Attribute { command } => attribute::run(&config, &out, *command).await?,
        Command::Keys { command } => keys(&config, &out, command).await?,
        Command::Mail { command: MailCommand::Test { to } } => {
            let to = Email::parse(&to)?;
            let services = Services::open(&config).await?;
            let id = services.identity.queue_test_mail(&Principal::Operator, &to).await?;
            services.outbox_worker().run_once().await?;
            let status = services.identity.outbox_status(&Principal::Operator, id).await?.context("queued message vanished")?;
            let delivered = status.delivered_at.is_some();
            let text = if delivered {
                format!("Delivered message {id} ({}).", services.mailer.describe())
            } else {
                format!(
                    "Message {id} is queued for retry; last error: {}",
                    status.last_error.as_deref().unwrap_or("none")
                )
            };
            out.say(&text, json!({ "id": id, "delivered": delivered, "last_error": status.last_error }));
            if !delivered {
                return Ok(ExitCode::FAILURE);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn keys(config: &Config, out: &Output, command: KeysCommand) -> anyhow::Result<()> {
    use identity::jose::{Activation, KeyPolicy, SigningAlg};
    let services = Services::open(config).await?;
    let manager = services.identity.signing_keys(&Principal::Operator, KeyPolicy::default())?;
    match command {
        KeysCommand::List => {
            let list = manager.list().await?;
            let when = |t: Option<i64>| t.map_or_else(|| "-".to_owned(), identity::clock::format_millis);
            let text = if list.is_empty() {
                "No signing keys yet: they are made at the first use.".to_owned()
            } else {
                list.iter()
                    .map(|k| format!("{}\t{}\tsigns from {}\tretires {}\tleaves JWKS {}", k.kid, k.alg, when(Some(k.activates_at)), when(k.retires_at), when(k.expires_at)))
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            let value: Vec<_> = list
                .iter()
                .map(|k| json!({ "kid": k.kid, "alg": k.alg, "created_at": k.created_at, "activates_at": k.activates_at, "retires_at": k.retires_at, "expires_at": k.expires_at }))
                .collect();
            out.say(&text, json!(value));
        }
        KeysCommand::Rotate { alg, now: at_once } => {
            let alg = match alg.as_deref() {
                None => None,
                Some(name) => Some(SigningAlg::parse(name).ok_or_else(|| anyhow::anyhow!("--alg: use RS256, ES256 or EdDSA"))?),
            };
            let activation = if at_once { Activation::Now } else { Activation::AfterPrepublish };
            let kids = services.identity.rotate_signing_keys(&Principal::Operator, &manager, alg, activation).await?;
            out.say(&format!("New keys: {}.", kids.join(", ")), json!({ "rotated": kids }));
        }
        KeysCommand::RotateReceipt => {
            let kid = services.identity.rotate_receipt_key(&Principal::Operator).await?;
            out.say(&format!("New receipt key {kid}; the previous one stays published."), json!({ "receipt_key": kid }));
        }
        KeysCommand::Remove { kid } => {
            if !services.identity.remove_signing_key(&Principal::Operator, &manager, &kid).await? {
                anyhow::bail!("no signing key {kid}");
            }
            out.say(&format!("Removed key {kid} from the JWKS."), json!({ "removed": kid }));
        }
    }
    Ok(())
}

fn brand_json(b: &BrandRow) -> serde_json::Value {
    let theme: serde_json::Map<String, serde_json::Value> =
        BrandTheme::from_json(b.theme.as_deref()).colors().map(|(name, color)| (name.to_owned(), json!(color.as_hex()))).collect();
    json!({
        "id": b.id, "slug": b.slug, "name": b.name, "website_url": b.website_url, "support_email": b.support_email,
        "support_url": b.support_url, "terms_url": b.terms_url, "privacy_url": b.privacy_url, "theme": theme,
        "logo_type": b.logo_type,
    })
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let app = Application::build(config).await?;
    tracing::info!(port = app.port(), "Foyer is listening");
    if let Some(port) = app.metrics_port() {
        tracing::info!(port, "metrics are served at /metrics on FOYER_METRICS_ADDR");
    }
    app.run_until_stopped(crate::startup::shutdown_signal()).await
}

async fn import(config: &Config, out: &Output, file: &std::path::Path, all_or_nothing: bool) -> anyhow::Result<ExitCode> {
    let handle = std::fs::File::open(file).with_context(|| format!("cannot open {}", file.display()))?;
    let (records, errors) = identity::import::parse_lines(std::io::BufReader::new(handle));
    let services = Services::open(config).await?;
    let mut report = if all_or_nothing && !errors.is_empty() {
        identity::import::ImportReport::default()
    } else {
        services.identity.import_customers(&Principal::Operator, &records).await?
    };
    report.errors = errors;
    let mut text: Vec<String> = report.errors.iter().map(|e| format!("line {}: {}", e.line, e.message)).collect();
    let skipped_all = all_or_nothing && !report.errors.is_empty();
    text.push(if skipped_all {
        format!("Nothing imported: {} bad line(s) and --all-or-nothing.", report.errors.len())
    } else {
        format!(
            "Imported {}, already present {}, bad lines {}.",
            report.imported,
            report.already_present,
            report.errors.len()
        )
    });
    out.say(&text.join("\n"), serde_json::to_value(&report)?);
    Ok(if report.errors.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// What a command prints: text for people, or one JSON value per line with `--json`.
pub(crate) struct Output {
    json: bool,
}

impl Output {
    pub(crate) fn say(&self, text: &str, value: serde_json::Value) {
        if self.json {
            println!("{value}");
        } else {
            println!("{text}");
        }
    }
}
