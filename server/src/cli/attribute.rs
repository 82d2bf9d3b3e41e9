//! `foyer attribute …`: declare and list the profile attributes a brand (or the group)
//! asks its customers for, and set the topics a brand offers in its preferences
//! (`docs/design/consent.md` "Brand attributes", "Preferences"). Everything is checked
//! by the core before one transaction: bad input is one line on stderr, nothing written.

use clap::Subcommand;
use identity::branddata::{Attribute, AttributeSpec, Topic};
use identity::brand::BrandSlug;
use identity::principal::Principal;
use serde_json::json;

use super::Output;
use crate::config::Config;
use crate::startup::Services;

#[derive(Debug, Subcommand)]
pub(super) enum AttributeCommand {
    /// Declare an attribute for a brand (--brand) or for the whole group (--group).
    Create {
        /// The brand's slug.
        #[arg(long, required_unless_present = "group", conflicts_with = "group")]
        brand: Option<String>,
        /// The group's own attribute: every brand reads it.
        #[arg(long)]
        group: bool,
        /// a-z, 0-9 and _, starting with a letter; not a standard claim name.
        #[arg(long)]
        key: String,
        /// LANG=Label (repeat per language; en is required), e.g. --label en=Seat --label de=Sitzplatz.
        #[arg(long = "label", value_name = "LANG=TEXT", required = true)]
        labels: Vec<String>,
        /// text, number, date or choice.
        #[arg(long = "type", value_name = "TYPE")]
        kind: String,
        /// VALUE=LANG:Label,LANG:Label (repeat; choice only), e.g. aisle=en:Aisle,de:Gang.
        #[arg(long = "choice", value_name = "VALUE=LANG:TEXT,…")]
        choices: Vec<String>,
        /// text: at most this many characters (default 200, at most 1000).
        #[arg(long, value_name = "N")]
        max_length: Option<String>,
        /// text: a regular expression the whole value must match.
        #[arg(long, value_name = "REGEX")]
        pattern: Option<String>,
        /// number or date (YYYY-MM-DD): the smallest value accepted.
        #[arg(long, value_name = "VALUE", allow_hyphen_values = true)]
        min: Option<String>,
        /// number or date (YYYY-MM-DD): the largest value accepted.
        #[arg(long, value_name = "VALUE", allow_hyphen_values = true)]
        max: Option<String>,
        /// number: whole numbers only.
        #[arg(long)]
        integer: bool,
        /// The brand needs it (a value may change but not be removed).
        #[arg(long)]
        required: bool,
        /// Ask for it at sign-in when missing (needs --required).
        #[arg(long)]
        ask_at_sign_in: bool,
        /// Every brand reads it (the group's own always are).
        #[arg(long)]
        group_wide: bool,
    },
    /// List the attributes a brand (--brand) or the group (--group) declared.
    List {
        #[arg(long, required_unless_present = "group", conflicts_with = "group")]
        brand: Option<String>,
        #[arg(long)]
        group: bool,
    },
    /// Show a brand's topics, or replace them with --topic (or none with --clear).
    Topics {
        #[arg(long)]
        brand: String,
        /// KEY=LANG:Label,LANG:Label (repeat), e.g. deals=en:Deals,de:Angebote.
        #[arg(long = "topic", value_name = "KEY=LANG:TEXT,…", conflicts_with = "clear")]
        topics: Vec<String>,
        /// Offer no topics.
        #[arg(long)]
        clear: bool,
    },
}

fn attribute_json(a: &Attribute, brand: Option<&str>) -> serde_json::Value {
    json!({
        "id": a.id, "brand": brand, "key": a.key, "labels": a.labels, "type": a.kind.as_str(),
        "choices": a.choices.iter().map(|c| json!({ "value": c.value, "labels": c.labels })).collect::<Vec<_>>(),
        "rules": a.rules, "required": a.required, "ask_at_sign_in": a.ask_at_sign_in, "group_wide": a.group_wide,
    })
}

fn attribute_line(a: &Attribute) -> String {
    let mut flags = Vec::new();
    if a.required {
        flags.push("required");
    }
    if a.ask_at_sign_in {
        flags.push("ask at sign-in");
    }
    if a.group_wide {
        flags.push("group-wide");
    }
    let choices: Vec<&str> = a.choices.iter().map(|c| c.value.as_str()).collect();
    let choices = if choices.is_empty() { String::new() } else { format!(" [{}]", choices.join(", ")) };
    format!("{}\t{}{choices}\t{}\t{}", a.key, a.kind.as_str(), a.label("en"), flags.join(", "))
}

fn topics_json(topics: &[Topic]) -> serde_json::Value {
    json!(topics.iter().map(|t| json!({ "key": t.key, "labels": t.labels })).collect::<Vec<_>>())
}

pub(super) async fn run(config: &Config, out: &Output, command: AttributeCommand) -> anyhow::Result<()> {
    match command {
        AttributeCommand::Create {
            brand,
            group: _,
            key,
            labels,
            kind,
            choices,
            max_length,
            pattern,
            min,
            max,
            integer,
            required,
            ask_at_sign_in,
            group_wide,
        } => {
            let slug = brand.as_deref().map(BrandSlug::parse).transpose()?;
            let spec = AttributeSpec { key, labels, kind, choices, max_length, pattern, min, max, integer, required, ask_at_sign_in, group_wide };
            // The spec is checked before anything is opened: bad input never touches the database.
            spec.check().map_err(|errors| anyhow::anyhow!(errors.iter().map(ToString::to_string).collect::<Vec<_>>().join(" ")))?;
            let services = Services::open(config).await?;
            let created = services.identity.declare_attribute(&Principal::Operator, slug.as_ref(), &spec).await?;
            let owner = slug.as_ref().map_or("the group".to_owned(), |s| format!("brand {}", s.as_str()));
            out.say(&format!("Declared attribute {} for {owner}.", created.key), attribute_json(&created, slug.as_ref().map(BrandSlug::as_str)));
        }
        AttributeCommand::List { brand, group: _ } => {
            let slug = brand.as_deref().map(BrandSlug::parse).transpose()?;
            let services = Services::open(config).await?;
            let list = services.identity.declared_attributes(&Principal::Operator, slug.as_ref()).await?;
            let text = if list.is_empty() { "No attributes.".to_owned() } else { list.iter().map(attribute_line).collect::<Vec<_>>().join("\n") };
            let items: Vec<_> = list.iter().map(|a| attribute_json(a, slug.as_ref().map(BrandSlug::as_str))).collect();
            out.say(&text, json!({ "attributes": items }));
        }
        AttributeCommand::Topics { brand, topics, clear } => {
            let slug = BrandSlug::parse(&brand)?;
            let services = Services::open(config).await?;
            let list = if topics.is_empty() && !clear {
                services.identity.brand_topics(&Principal::Operator, &slug).await?
            } else {
                services.identity.set_brand_topics(&Principal::Operator, &slug, &topics).await?
            };
            let text = if list.is_empty() {
                format!("Brand {} offers no topics.", slug.as_str())
            } else {
                list.iter().map(|t| format!("{}\t{}", t.key, t.label("en"))).collect::<Vec<_>>().join("\n")
            };
            out.say(&text, json!({ "brand": slug.as_str(), "topics": topics_json(&list) }));
        }
    }
    Ok(())
}
