//! The translation files and formatting with them (server only; the browser gets
//! [`client_messages`]).

use std::collections::{BTreeMap, HashMap};
use std::sync::LazyLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use fluent_syntax::ast;

use super::Locale;

/// The translation files, one per area, for every locale (the same names in each).
macro_rules! files {
    ($($name:literal),* $(,)?) => {
        fn sources(locale: Locale) -> Vec<(&'static str, &'static str)> {
            match locale {
                Locale::En => vec![$(($name, include_str!(concat!("../../../locales/en/", $name, ".ftl")))),*],
                Locale::De => vec![$(($name, include_str!(concat!("../../../locales/de/", $name, ".ftl")))),*],
            }
        }
    };
}
files!("common", "shell", "auth", "account", "security", "errors", "mail", "time", "privacy", "branddata", "data", "household", "managed", "delegation", "loyalty", "support", "audit", "dashboard");

struct Catalogue {
    bundle: FluentBundle<FluentResource>,
    /// Every message id, for the browser map and the completeness checks.
    ids: Vec<String>,
    /// Problems found while loading (syntax errors, duplicate ids): a test asserts none.
    problems: Vec<String>,
    client: String,
}

fn load(locale: Locale) -> Catalogue {
    let lang: unic_langid::LanguageIdentifier = locale.tag().parse().unwrap_or_default();
    let mut bundle = FluentBundle::new_concurrent(vec![lang]);
    // Isolation marks (U+2068/9) are for mixing scripts; ours are all left-to-right, and
    // the marks would end up in mail subjects and form values.
    bundle.set_use_isolating(false);
    let mut ids = Vec::new();
    let mut problems = Vec::new();
    let mut client_only = Vec::new();
    for (name, text) in sources(locale) {
        let resource = match FluentResource::try_new(text.to_owned()) {
            Ok(r) => r,
            Err((r, errors)) => {
                problems.extend(errors.iter().map(|e| format!("{}/{name}.ftl: {e:?}", locale.tag())));
                r
            }
        };
        for entry in resource.entries() {
            if let ast::Entry::Message(m) = entry {
                ids.push(m.id.name.to_owned());
                // Mails are formatted on the server only: the page's map leaves them out.
                if let Some(pattern) = m.value.as_ref().filter(|_| name != "mail") {
                    let mut vars = Vec::new();
                    if variables(pattern, &mut vars) {
                        client_only.push((m.id.name.to_owned(), vars));
                    }
                }
            }
        }
        if let Err(errors) = bundle.add_resource(resource) {
            problems.extend(errors.iter().map(|e| format!("{}/{name}.ftl: {e:?}", locale.tag())));
        }
    }
    // The browser's map: each selector-free message with its variables left as `{$name}`.
    let mut client = BTreeMap::new();
    for (id, vars) in client_only {
        let mut args = FluentArgs::new();
        for v in &vars {
            args.set(v.clone(), FluentValue::from(format!("{{${v}}}")));
        }
        if let Some(pattern) = bundle.get_message(&id).and_then(|m| m.value()) {
            let mut errors = Vec::new();
            let text = bundle.format_pattern(pattern, Some(&args), &mut errors).into_owned();
            client.insert(id, text);
        }
    }
    let client = serde_json::to_string(&client).unwrap_or_else(|_| "{}".to_owned());
    Catalogue { bundle, ids, problems, client }
}

/// Collects the variables a pattern uses; false if it has a selector (server-only).
fn variables(pattern: &ast::Pattern<&str>, out: &mut Vec<String>) -> bool {
    for element in &pattern.elements {
        if let ast::PatternElement::Placeable { expression } = element {
            match expression {
                ast::Expression::Select { .. } => return false,
                ast::Expression::Inline(ast::InlineExpression::VariableReference { id }) => out.push(id.name.to_owned()),
                ast::Expression::Inline(ast::InlineExpression::Placeable { .. } | ast::InlineExpression::FunctionReference { .. }) => return false,
                ast::Expression::Inline(_) => {}
            }
        }
    }
    true
}

static CATALOGUES: LazyLock<HashMap<Locale, Catalogue>> = LazyLock::new(|| Locale::ALL.into_iter().map(|l| (l, load(l))).collect());

fn catalogue(locale: Locale) -> &'static Catalogue {
    // Every locale is loaded, so the lookup cannot miss; English is the fallback anyway.
    CATALOGUES.get(&locale).or_else(|| CATALOGUES.get(&Locale::En)).unwrap_or_else(|| unreachable!("the catalogues hold every locale"))
}

/// An argument for [`message_with`].
#[derive(Debug, Clone)]
pub enum Arg {
    Text(String),
    Number(i64),
}

impl From<String> for Arg {
    fn from(v: String) -> Self {
        Self::Text(v)
    }
}
impl From<&str> for Arg {
    fn from(v: &str) -> Self {
        Self::Text(v.to_owned())
    }
}
impl From<i64> for Arg {
    fn from(v: i64) -> Self {
        Self::Number(v)
    }
}
impl From<usize> for Arg {
    fn from(v: usize) -> Self {
        Self::Number(i64::try_from(v).unwrap_or(i64::MAX))
    }
}

/// The message `id` in `locale`, without arguments.
pub fn message(locale: Locale, id: &str) -> String {
    message_with(locale, id, &[])
}

/// The message `id` in `locale` with its arguments; `⟦id⟧` if no file has it.
pub fn message_with(locale: Locale, id: &str, args: &[(&str, Arg)]) -> String {
    let bundle = &catalogue(locale).bundle;
    let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else {
        return format!("⟦{id}⟧");
    };
    let mut fluent_args = FluentArgs::new();
    for (name, value) in args {
        match value {
            Arg::Text(t) => fluent_args.set(*name, FluentValue::from(t.clone())),
            // Grouped for the locale by `format_number`; plural selection reads the raw value.
            Arg::Number(n) => fluent_args.set(*name, FluentValue::from(*n)),
        }
    }
    let mut errors = Vec::new();
    bundle.format_pattern(pattern, Some(&fluent_args), &mut errors).into_owned()
}

/// Whether `locale` has message `id`.
pub fn has(locale: Locale, id: &str) -> bool {
    catalogue(locale).bundle.has_message(id)
}

/// Every message id of `locale`.
pub fn ids(locale: Locale) -> &'static [String] {
    &catalogue(locale).ids
}

/// Problems found while loading `locale`'s files (none when the files are right).
pub fn problems(locale: Locale) -> &'static [String] {
    &catalogue(locale).problems
}

/// The JSON map the browser formats from: every selector-free message of `locale`,
/// variables left as `{$name}`.
pub fn client_messages(locale: Locale) -> &'static str {
    &catalogue(locale).client
}

/// An integer with the locale's digit grouping (`12,345` / `12.345`).
pub fn format_number(locale: Locale, n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let sep = match locale {
        Locale::En => ',',
        Locale::De => '.',
    };
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(sep);
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_locale_loads_without_problems() {
        for locale in Locale::ALL {
            assert_eq!(problems(locale), &[] as &[String], "{}", locale.tag());
        }
    }

    #[test]
    fn every_message_exists_in_every_locale() {
        let en: std::collections::BTreeSet<_> = ids(Locale::En).iter().collect();
        for locale in Locale::ALL {
            let other: std::collections::BTreeSet<_> = ids(locale).iter().collect();
            let missing: Vec<_> = en.difference(&other).collect();
            let extra: Vec<_> = other.difference(&en).collect();
            assert!(missing.is_empty() && extra.is_empty(), "{}: missing {missing:?}, not in English {extra:?}", locale.tag());
        }
    }

    #[test]
    fn an_unknown_id_is_visible() {
        assert_eq!(message(Locale::De, "no-such-message"), "⟦no-such-message⟧");
    }

    #[test]
    fn numbers_are_grouped_for_the_locale() {
        assert_eq!(format_number(Locale::En, 1_234_567), "1,234,567");
        assert_eq!(format_number(Locale::De, 1_234_567), "1.234.567");
        assert_eq!(format_number(Locale::De, -999), "-999");
    }

    #[test]
    fn the_browser_map_keeps_placeholders_and_leaves_selectors_out() {
        let map: HashMap<String, String> = serde_json::from_str(client_messages(Locale::En)).unwrap_or_default();
        assert_eq!(map.get("error-throttled").map(String::as_str), Some("Too many attempts. Try again in {$seconds} seconds."));
        assert!(!map.contains_key("time-minutes-ago"), "a plural message is formatted on the server");
        assert!(!map.contains_key("mail-verify-link"), "mails are formatted on the server");
        assert_eq!(message_with(Locale::En, "time-minutes-ago", &[("n", 1_i64.into())]), "1 minute ago");
        assert_eq!(message_with(Locale::De, "time-minutes-ago", &[("n", 5_i64.into())]), "vor 5 Minuten");
    }
}
