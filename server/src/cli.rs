//! The command line: `foyer serve | demo | migrate | admin | users | brand | mail`.
//!
//! Output is for people by default and JSON with `--json` (one object per command on
//! stdout). Errors go to stderr as one line and a non-zero exit code.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use identity::audit::Actor;
use identity::brand::BrandSlug;
use identity::domain::Email;
use identity::email::Template;
use identity::outbox::{self, OutboxEvent};
use identity::staff::StaffRole;
use secrecy::ExposeSecret as _;
use serde_json::json;

use crate::config::Config;
use crate::startup::{Application, Services};

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
        command: AdminCommand,
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
    /// Email delivery.
    Mail {
        #[command(subcommand)]
        command: MailCommand,
    },
}

#[derive(Debug, Subcommand)]
enum AdminCommand {
    /// Create a staff account; its first password is printed once.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "support", value_parser = ["support", "admin"])]
        role: String,
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
}

#[derive(Debug, Subcommand)]
enum BrandCommand {
    /// Create a brand.
    Create {
        #[arg(long)]
        slug: String,
        #[arg(long)]
        name: String,
    },
    /// List brands.
    List,
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
            let services = Services::open(&config).await?;
            seed_demo(&services, &config, &out).await?;
            drop(services);
            serve(config).await?;
        }
        Command::Migrate => {
            let services = Services::open(&config).await?;
            out.say(&format!("Migrations applied ({}).", services.identity.store.backend().name()), json!({ "migrated": true }));
        }
        Command::Admin { command: AdminCommand::Create { email, role } } => {
            let email = Email::parse(&email)?;
            let role = StaffRole::parse(&role)?;
            let services = Services::open(&config).await?;
            let created = services.identity.create_staff(&email, role, &config.public_url, Actor::Cli).await?;
            let password = created.password.expose_secret();
            out.say(
                &format!(
                    "Created {} account {} for {}.\nFirst password (shown once, not stored): {password}",
                    role.as_str(),
                    created.row.id,
                    email.as_str()
                ),
                json!({ "id": created.row.id, "email": email.as_str(), "role": role.as_str(), "password": password }),
            );
        }
        Command::Users { command: UsersCommand::Import { file, all_or_nothing } } => {
            return import(&config, &out, &file, all_or_nothing).await;
        }
        Command::Brand { command: BrandCommand::Create { slug, name } } => {
            let slug = BrandSlug::parse(&slug)?;
            let services = Services::open(&config).await?;
            let brand = services.identity.create_brand(&slug, &name, Actor::Cli).await?;
            out.say(
                &format!("Created brand {} ({}).", brand.slug, brand.name),
                json!({ "id": brand.id, "slug": brand.slug, "name": brand.name }),
            );
        }
        Command::Brand { command: BrandCommand::List } => {
            let services = Services::open(&config).await?;
            let brands = services.identity.store.list_brands().await?;
            let text = if brands.is_empty() {
                "No brands.".to_owned()
            } else {
                brands.iter().map(|b| format!("{}\t{}", b.slug, b.name)).collect::<Vec<_>>().join("\n")
            };
            let list: Vec<_> = brands.iter().map(|b| json!({ "id": b.id, "slug": b.slug, "name": b.name })).collect();
            out.say(&text, json!({ "brands": list }));
        }
        Command::Mail { command: MailCommand::Test { to } } => {
            let to = Email::parse(&to)?;
            let services = Services::open(&config).await?;
            let id = queue_test_mail(&services, &config, &to).await?;
            services.outbox_worker().run_once().await?;
            let status = services.identity.store.outbox_status(id).await?.context("queued message vanished")?;
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

async fn serve(config: Config) -> anyhow::Result<()> {
    let app = Application::build(config).await?;
    tracing::info!(port = app.port(), "Foyer is listening");
    app.run_until_stopped(crate::startup::shutdown_signal()).await
}

async fn queue_test_mail(services: &Services, config: &Config, to: &Email) -> anyhow::Result<i64> {
    let identity = &services.identity;
    let message = Template::Test { public_url: &config.public_url }.render(to.as_str());
    let mut tx = identity.store.begin().await?;
    let id = outbox::enqueue(&mut tx, &OutboxEvent::Email(message), identity.clock.now()).await?;
    tx.commit().await?;
    Ok(id)
}

async fn import(config: &Config, out: &Output, file: &std::path::Path, all_or_nothing: bool) -> anyhow::Result<ExitCode> {
    let handle = std::fs::File::open(file).with_context(|| format!("cannot open {}", file.display()))?;
    let (records, errors) = identity::import::parse_lines(std::io::BufReader::new(handle));
    let services = Services::open(config).await?;
    let mut report = if all_or_nothing && !errors.is_empty() {
        identity::import::ImportReport::default()
    } else {
        services.identity.import_customers(&records, Actor::Cli).await?
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

/// First start of `foyer demo`: two sibling brands and a support admin.
async fn seed_demo(services: &Services, config: &Config, out: &Output) -> anyhow::Result<()> {
    let identity = &services.identity;
    for (slug, name) in [("northwind-air", "Northwind Air"), ("northwind-hotels", "Northwind Hotels")] {
        if identity.store.brand_by_slug(slug).await?.is_none() {
            identity.create_brand(&BrandSlug::parse(slug)?, name, Actor::System).await?;
        }
    }
    if identity.store.count_staff().await? == 0 {
        let email = Email::parse("support@northwind.test")?;
        let created = identity.create_staff(&email, StaffRole::Admin, &config.public_url, Actor::System).await?;
        let password = created.password.expose_secret();
        out.say(
            &format!(
                "Demo support admin created (shown once, not stored):\n  email:    {}\n  password: {password}",
                email.as_str()
            ),
            json!({ "demo_admin": { "email": email.as_str(), "password": password } }),
        );
    }
    Ok(())
}

struct Output {
    json: bool,
}

impl Output {
    fn say(&self, text: &str, value: serde_json::Value) {
        if self.json {
            println!("{value}");
        } else {
            println!("{text}");
        }
    }
}
