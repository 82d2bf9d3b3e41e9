//! `foyer client …`: register, list, update, rotate the secret of and disable the OAuth 2.0 /
//! OpenID Connect clients of the brands.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Subcommand;
use identity::principal::Principal;
use identity::brand::BrandSlug;
use identity::oidc::clients::{Client, ClientSpec, TokenRate, parse_duration, parse_rate};
use secrecy::ExposeSecret as _;
use serde_json::json;

use super::Output;
use crate::config::Config;
use crate::startup::Services;

#[derive(Debug, Subcommand)]
#[expect(clippy::large_enum_variant, reason = "parsed once per process")]
pub(super) enum ClientCommand {
    /// Register a client; a confidential client's secret is printed once.
    Create {
        /// The brand's slug.
        #[arg(long)]
        brand: String,
        #[arg(long)]
        name: String,
        /// Exact redirect URI (repeat for several).
        #[arg(long = "redirect-uri", value_name = "URI", required = true)]
        redirect_uris: Vec<String>,
        /// Exact post-logout redirect URI (repeat for several).
        #[arg(long = "post-logout-uri", value_name = "URI")]
        post_logout_uris: Vec<String>,
        #[arg(long, value_name = "URI")]
        backchannel_logout_uri: Option<String>,
        /// A public client (native or browser app): no secret, PKCE required.
        #[arg(long)]
        public: bool,
        /// client_secret_basic (default), client_secret_post or private_key_jwt.
        #[arg(long, value_name = "METHOD")]
        auth_method: Option<String>,
        /// The client's public keys (JWKS JSON) for private_key_jwt.
        #[arg(long, value_name = "FILE")]
        jwks: Option<PathBuf>,
        /// Allowed scope (repeat; default: openid profile email offline_access).
        #[arg(long = "scope", value_name = "SCOPE")]
        scopes: Vec<String>,
        /// An extra grant: client_credentials.
        #[arg(long = "grant", value_name = "GRANT")]
        grants: Vec<String>,
        /// public (default) or pairwise.
        #[arg(long, value_name = "TYPE")]
        subject: Option<String>,
        /// RS256 (default), ES256 or EdDSA.
        #[arg(long, value_name = "ALG")]
        id_token_alg: Option<String>,
        /// 1m to 60m (default 10m).
        #[arg(long, value_name = "DURATION")]
        access_token_ttl: Option<String>,
        /// 1m to 60m (default 10m).
        #[arg(long, value_name = "DURATION")]
        id_token_ttl: Option<String>,
        /// 1h to 365d (default 30d).
        #[arg(long, value_name = "DURATION")]
        refresh_token_ttl: Option<String>,
        /// Token and revocation requests a second for this client (default:
        /// FOYER_LIMIT_TOKEN_PER_CLIENT_PER_SECOND).
        #[arg(long, value_name = "N")]
        token_rate: Option<String>,
        /// Requests at once after a quiet period (default: twice --token-rate, else
        /// FOYER_LIMIT_TOKEN_PER_CLIENT_BURST).
        #[arg(long, value_name = "N")]
        token_burst: Option<String>,
        /// Opt in to delegated tokens: household delegates may sign in on a principal's
        /// behalf (tokens carry `act`), and the client may use token exchange.
        #[arg(long)]
        allow_delegation: bool,
    },
    /// Change a client's own token-endpoint rate limit; running servers apply it at the
    /// client's next request.
    Update {
        client_id: String,
        /// Requests a second, or `default` for the server's setting.
        #[arg(long, value_name = "N|default")]
        token_rate: Option<String>,
        /// Burst, or `default` (twice the client's rate, else the server's setting).
        #[arg(long, value_name = "N|default")]
        token_burst: Option<String>,
        /// yes: opt in to delegated tokens; no: opt out (ends the delegated grants it holds).
        #[arg(long, value_name = "yes|no")]
        allow_delegation: Option<String>,
    },
    /// List clients.
    List {
        /// Only this brand's clients.
        #[arg(long)]
        brand: Option<String>,
    },
    /// Issue a new secret (printed once); the old one stops working now unless kept.
    RotateSecret {
        client_id: String,
        /// Keep the old secret working this long (e.g. 24h; at most 7d).
        #[arg(long, value_name = "DURATION")]
        keep_old_for: Option<String>,
    },
    /// Disable a client: it can no longer sign anyone in or get tokens.
    Disable { client_id: String },
}

pub(super) async fn run(config: &Config, out: &Output, command: ClientCommand) -> anyhow::Result<ExitCode> {
    match command {
        ClientCommand::Create {
            brand,
            name,
            redirect_uris,
            post_logout_uris,
            backchannel_logout_uri,
            public,
            auth_method,
            jwks,
            scopes,
            grants,
            subject,
            id_token_alg,
            access_token_ttl,
            id_token_ttl,
            refresh_token_ttl,
            token_rate,
            token_burst,
            allow_delegation,
        } => {
            let jwks = match jwks {
                Some(path) => Some(std::fs::read_to_string(&path).with_context(|| format!("cannot open {}", path.display()))?),
                None => None,
            };
            let spec = ClientSpec {
                brand,
                name,
                public,
                auth_method,
                jwks,
                redirect_uris,
                post_logout_redirect_uris: post_logout_uris,
                backchannel_logout_uri,
                scopes,
                extra_grants: grants,
                subject_type: subject,
                id_token_alg,
                access_token_ttl,
                id_token_ttl,
                refresh_token_ttl,
                token_rate,
                token_burst,
                dev: config.dev,
                allow_delegation,
            };
            // Refuse bad input before touching the database.
            spec.validate()?;
            let services = Services::open(config).await?;
            let created = services.identity.create_client(&Principal::Operator, &spec).await?;
            let c = &created.client;
            let secret = created.secret.as_ref().map(|s| s.expose_secret());
            let mut text = format!("Created {} client {} ({}) for brand {}.", c.kind, c.id, c.name, c.brand_slug);
            if let Some(secret) = secret {
                text.push_str(&format!("\nClient secret (shown once, not stored): {secret}"));
            }
            let mut value = client_json(c);
            value["client_secret"] = json!(secret);
            out.say(&text, value);
        }
        ClientCommand::List { brand } => {
            let brand = brand.as_deref().map(BrandSlug::parse).transpose()?;
            let services = Services::open(config).await?;
            let clients = services.identity.list_clients(brand.as_ref()).await?;
            let text = if clients.is_empty() {
                "No clients.".to_owned()
            } else {
                let line = |c: &Client| {
                    let state = if c.is_disabled() { "\tdisabled" } else { "" };
                    let rate = if c.token_rate == TokenRate::default() { String::new() } else { format!("\ttoken rate {}", rate_text(c)) };
                    format!("{}\t{}\t{}\t{}{rate}{state}", c.id, c.brand_slug, c.kind, c.name)
                };
                clients.iter().map(line).collect::<Vec<_>>().join("\n")
            };
            out.say(&text, json!({ "clients": clients.iter().map(client_json).collect::<Vec<_>>() }));
        }
        ClientCommand::RotateSecret { client_id, keep_old_for } => {
            let keep = keep_old_for.as_deref().map(|k| parse_duration("Keep old for", k)).transpose()?;
            let services = Services::open(config).await?;
            let rotated = services.identity.rotate_client_secret(&Principal::Operator, &client_id, keep).await?;
            let secret = rotated.secret.expose_secret();
            let until = rotated.previous_valid_until;
            let old = match keep_old_for {
                Some(k) => format!("The old secret keeps working for {k}."),
                None => "The old secret no longer works.".to_owned(),
            };
            out.say(
                &format!("New secret for client {client_id} (shown once, not stored): {secret}\n{old}"),
                json!({ "client_id": client_id, "client_secret": secret, "previous_secret_valid_until": until }),
            );
        }
        ClientCommand::Update { client_id, token_rate, token_burst, allow_delegation } => {
            let mut errors = Vec::new();
            let mut change = |field, value: Option<String>| match value.as_deref().map(|v| parse_rate(field, v)).transpose() {
                Ok(parsed) => parsed,
                Err(e) => {
                    errors.push(e.to_string());
                    None
                }
            };
            let (rate, burst) = (change("Token rate", token_rate), change("Token burst", token_burst));
            let delegation = match allow_delegation.as_deref() {
                None => None,
                Some("yes") => Some(true),
                Some("no") => Some(false),
                Some(_) => {
                    errors.push("Allow delegation is not valid: use yes or no.".to_owned());
                    None
                }
            };
            if !errors.is_empty() {
                anyhow::bail!("{}", errors.join(" "));
            }
            if rate.is_none() && burst.is_none() && delegation.is_none() {
                anyhow::bail!("nothing to update: give --token-rate N and/or --token-burst N (or default), or --allow-delegation yes|no");
            }
            let services = Services::open(config).await?;
            let mut c = None;
            if rate.is_some() || burst.is_some() {
                c = Some(services.identity.set_client_token_rate(&Principal::Operator, &client_id, rate, burst).await?);
            }
            if let Some(allow) = delegation {
                c = Some(services.identity.set_client_allow_delegation(&Principal::Operator, &client_id, allow).await?);
            }
            let Some(c) = c else { anyhow::bail!("nothing to update") };
            let delegation_text = if c.allow_delegation { "delegated tokens allowed" } else { "no delegated tokens" };
            out.say(&format!("Updated client {} ({}): token rate {}; {delegation_text}.", c.id, c.name, rate_text(&c)), client_json(&c));
        }
        ClientCommand::Disable { client_id } => {
            let services = Services::open(config).await?;
            let c = services.identity.disable_client(&Principal::Operator, &client_id).await?;
            out.say(&format!("Disabled client {} ({}).", c.id, c.name), json!({ "client_id": c.id, "disabled_at": c.disabled_at }));
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn client_json(c: &Client) -> serde_json::Value {
    json!({
        "client_id": c.id, "brand": c.brand_slug, "name": c.name, "kind": c.kind, "auth_method": c.auth_method,
        "redirect_uris": c.redirect_uris, "post_logout_redirect_uris": c.post_logout_redirect_uris,
        "backchannel_logout_uri": c.backchannel_logout_uri, "scopes": c.allowed_scopes, "grant_types": c.grant_types,
        "subject_type": c.subject_type, "id_token_alg": c.id_token_alg, "access_token_ttl_s": c.access_token_ttl_s,
        "id_token_ttl_s": c.id_token_ttl_s, "refresh_token_ttl_s": c.refresh_token_ttl_s, "created_at": c.created_at,
        "disabled": c.is_disabled(), "disabled_at": c.disabled_at,
        "token_rate_per_second": c.token_rate.per_second, "token_burst": c.token_rate.burst,
        "allow_delegation": c.allow_delegation,
    })
}

/// The client's own rate as the operator set it (`default` where it follows the server).
fn rate_text(c: &Client) -> String {
    let show = |v: Option<u32>| v.map_or_else(|| "default".to_owned(), |n| n.to_string());
    format!("{}/s, burst {}", show(c.token_rate.per_second), show(c.token_rate.burst))
}

