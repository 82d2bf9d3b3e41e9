//! Languages in the pages: [`t`] and [`t_with`] give a message in the page's locale
//! (`docs/design/i18n.md`).
//!
//! On the server the locale is chosen once per request ([`request_locale`]: the
//! `foyer-lang` cookie the switcher and sign-in set, else `Accept-Language`, else
//! English) and messages are formatted by `identity::i18n` (Fluent). The browser gets
//! the locale's messages as a JSON file named after its content ([`messages_path`],
//! served compressed and cached for a year by `server::http::assets`), which the shell
//! preloads (`<link id="foyer-messages" rel="preload" as="fetch">`) beside the wasm and
//! the hydrate entry reads before hydrating ([`load_messages`]); the locale is in
//! `<html lang>`. So the wasm carries no translations, the page carries none either
//! (its HTML stays small and uncompressed: it reflects input, see BREACH), and
//! re-renders read the same words the server wrote.

use leptos::prelude::*;

pub use identity::i18n::Locale;

/// The page's locale, provided by [`App`](crate::App) for everything below it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CurrentLocale(pub Locale);

/// The id of the shell's `<link rel="preload">` whose `href` is the browser's messages.
pub const MESSAGES_ID: &str = "foyer-messages";

/// Where the browser's messages are served: `/i18n/<tag>.<hash>.json`.
pub const MESSAGES_PREFIX: &str = "/i18n/";

/// The locale of this page (or, in a server function, of this request).
pub fn locale() -> Locale {
    if let Some(CurrentLocale(l)) = use_context::<CurrentLocale>() {
        return l;
    }
    #[cfg(feature = "ssr")]
    {
        request_locale()
    }
    #[cfg(not(feature = "ssr"))]
    {
        client::locale()
    }
}

/// The message `id` in the page's locale.
pub fn t(id: &str) -> String {
    t_with(id, &[])
}

/// The message `id` with its arguments (`{$name}` in the translation files). On the
/// server a numeric argument also selects plural forms.
pub fn t_with(id: &str, args: &[(&str, String)]) -> String {
    #[cfg(feature = "ssr")]
    {
        let args: Vec<(&str, identity::i18n::Arg)> = args
            .iter()
            .map(|(k, v)| (*k, v.parse::<i64>().map_or_else(|_| identity::i18n::Arg::Text(v.clone()), identity::i18n::Arg::Number)))
            .collect();
        identity::i18n::message_with(locale(), id, &args)
    }
    #[cfg(not(feature = "ssr"))]
    {
        client::message(id, args)
    }
}

/// The locale a request asks for: the `foyer-lang` cookie, else `Accept-Language`,
/// else English.
#[cfg(feature = "ssr")]
pub fn request_locale() -> Locale {
    let Some(parts) = use_context::<http::request::Parts>() else { return Locale::default() };
    locale_of(&parts.headers)
}

/// [`request_locale`] for a bare header map (axum handlers outside Leptos).
#[cfg(feature = "ssr")]
pub fn locale_of(headers: &http::HeaderMap) -> Locale {
    let cookie = crate::context::request_cookie(headers, &["__Host-foyer-lang", "foyer-lang"]).and_then(|(_, v)| Locale::parse(&v));
    cookie
        .or_else(|| headers.get(http::header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).and_then(Locale::negotiate))
        .unwrap_or_default()
}

/// The browser's messages in one locale, as one file: the JSON map and the name it is
/// served under, which carries its content hash, so a cache may keep it forever.
#[cfg(feature = "ssr")]
#[derive(Debug)]
pub struct MessagesFile {
    pub locale: Locale,
    /// `<tag>.<22 base64url characters of its SHA-256>.json`.
    pub name: String,
    pub json: &'static str,
}

/// The browser's messages of `locale` (hashed once per process).
#[cfg(feature = "ssr")]
pub fn messages_file(locale: Locale) -> &'static MessagesFile {
    use std::sync::LazyLock;
    static FILES: LazyLock<Vec<MessagesFile>> = LazyLock::new(|| {
        use base64::Engine as _;
        use sha2::Digest as _;
        Locale::ALL
            .into_iter()
            .map(|locale| {
                let json = identity::i18n::client_messages(locale);
                let digest = sha2::Sha256::digest(json.as_bytes());
                let hash = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest[..16]);
                MessagesFile { locale, name: format!("{}.{hash}.json", locale.tag()), json }
            })
            .collect()
    });
    // `FILES` has one entry per `Locale::ALL`, in that order.
    let index = Locale::ALL.into_iter().position(|l| l == locale).unwrap_or_default();
    &FILES[index]
}

/// The path the shell links for `locale`'s browser messages.
#[cfg(feature = "ssr")]
pub fn messages_path(locale: Locale) -> String {
    format!("{MESSAGES_PREFIX}{}", messages_file(locale).name)
}

/// Fetches the page's messages (the shell's preload, so usually already on its way or
/// there) for [`t`] in the browser. The hydrate entry awaits it before hydrating, so
/// the first render reads the words the server wrote. On failure the map stays empty
/// and messages show as `⟦id⟧` (the server-rendered text stays until a re-render).
#[cfg(all(feature = "hydrate", not(feature = "ssr")))]
pub async fn load_messages() {
    client::load().await;
}

#[cfg(not(feature = "ssr"))]
mod client {
    use std::cell::OnceCell;
    use std::collections::HashMap;

    use super::Locale;

    thread_local! {
        static MESSAGES: OnceCell<HashMap<String, String>> = const { OnceCell::new() };
    }

    pub fn locale() -> Locale {
        leptos::prelude::document()
            .document_element()
            .and_then(|e| e.get_attribute("lang"))
            .and_then(|l| Locale::parse(&l))
            .unwrap_or_default()
    }

    #[cfg(feature = "hydrate")]
    pub async fn load() {
        let map = fetch().await.unwrap_or_default();
        MESSAGES.with(|cell| {
            let _ = cell.set(map);
        });
    }

    /// `GET` the preload link's `href` the way the preload asked for it (CORS mode,
    /// same-origin credentials), so the browser answers from the preloaded response.
    #[cfg(feature = "hydrate")]
    async fn fetch() -> Option<HashMap<String, String>> {
        use wasm_bindgen::JsCast as _;
        use wasm_bindgen_futures::JsFuture;

        let href = leptos::prelude::document().get_element_by_id(super::MESSAGES_ID)?.get_attribute("href")?;
        let response: web_sys::Response = JsFuture::from(leptos::prelude::window().fetch_with_str(&href)).await.ok()?.dyn_into().ok()?;
        if !response.ok() {
            return None;
        }
        let text = JsFuture::from(response.text().ok()?).await.ok()?.as_string()?;
        serde_json::from_str(&text).ok()
    }

    pub fn message(id: &str, args: &[(&str, String)]) -> String {
        MESSAGES.with(|cell| {
            let map = cell.get_or_init(HashMap::new);
            match map.get(id) {
                Some(template) => args.iter().fold(template.clone(), |text, (k, v)| text.replace(&format!("{{${k}}}"), v)),
                None => format!("⟦{id}⟧"),
            }
        })
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use std::path::Path;

    use super::Locale;

    /// Every message id the app's source passes to `t` or `t_with` exists in every
    /// locale: a page cannot render an untranslated key.
    #[test]
    fn every_message_the_pages_use_exists_in_every_locale() {
        fn walk(dir: &Path, out: &mut Vec<(String, String)>) {
            for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    walk(&path, out);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let text = std::fs::read_to_string(&path).unwrap_or_default();
                    for call in ["t(\"", "t_with(\""] {
                        for (i, _) in text.match_indices(call) {
                            let before = text[..i].chars().last();
                            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                                continue;
                            }
                            let rest = &text[i + call.len()..];
                            if let Some(end) = rest.find('"') {
                                out.push((rest[..end].to_owned(), path.display().to_string()));
                            }
                        }
                    }
                }
            }
        }
        let mut used = Vec::new();
        walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut used);
        assert!(!used.is_empty(), "the scan found no messages: the pattern is wrong");
        let missing: Vec<String> = used
            .iter()
            .flat_map(|(id, file)| Locale::ALL.into_iter().filter(|l| !identity::i18n::has(*l, id)).map(move |l| format!("{id} ({}) in {file}", l.tag())))
            .collect();
        assert!(missing.is_empty(), "messages used but not translated:\n{}", missing.join("\n"));
    }
}

/// An instant as the page shows it: formatted on the server in the person's language
/// and time zone (a server function returns it inside its view types).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, Default)]
pub struct When {
    /// "2 minutes ago", "yesterday at 14:03", or the date when older.
    pub relative: String,
    /// The full date and time with the zone ("5 December 2026, 14:03 CET").
    pub absolute: String,
    /// RFC 3339, for `<time datetime>`.
    pub iso: String,
}

/// `at` (Unix milliseconds) for this request's person: their language, and the time
/// zone from the `foyer-tz` cookie (the profile's `zoneinfo` when saved, else the
/// browser's), else UTC.
#[cfg(feature = "ssr")]
pub fn when(at: i64) -> When {
    let Some(ctx) = use_context::<crate::context::ServerContext>() else { return When::default() };
    let r = identity::i18n::readable(locale(), &time_zone(), at, ctx.identity.now());
    When { relative: r.relative, absolute: r.absolute, iso: r.iso }
}

/// The request's time zone: the `foyer-tz` cookie, else UTC.
#[cfg(feature = "ssr")]
pub fn time_zone() -> identity::i18n::TimeZone {
    let cookie = use_context::<http::request::Parts>()
        .and_then(|parts| crate::context::request_cookie(&parts.headers, &["__Host-foyer-tz", "foyer-tz"]))
        .map(|(_, v)| v.replace("%2F", "/"));
    identity::i18n::TimeZone::first_known([cookie.as_deref()])
}

/// A time for people: the relative words, the full date on hover and for assistive
/// technology, the machine-readable instant in `datetime`.
#[component]
pub fn Time(when: When) -> impl IntoView {
    view! { <time datetime=when.iso title=when.absolute.clone() aria-label=when.absolute>{when.relative}</time> }
}
