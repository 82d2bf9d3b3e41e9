//! The brand theme served from our own origin, so the page CSP stays `'self'`:
//! `/brands/<slug>/theme.css` (CSS variables from the checked colours only) and
//! `/brands/<slug>/logo` (SVG sandboxed by its own CSP).
//!
//! The stylesheet gives the brand's colours to buttons, links and the focus ring only
//! where they stay readable on our page, in each colour scheme (WCAG 2.2): a button
//! colour needs 3:1 against the page (1.4.11) and gets whichever text colour reaches
//! 4.5:1 on it (the brand's `on-primary` first); a link colour needs 4.5:1 (1.4.3), a
//! focus ring 3:1. A colour that fails leaves Foyer's own in place (`style/foyer.css`
//! reads `var(--brand-button, var(--foyer-accent))` and so on).

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use identity::brand::{BrandColor, BrandTheme};

use crate::http::AppState;

fn cached(mut response: Response) -> Response {
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=300"));
    response
}

pub async fn theme_css(State(state): State<AppState>, Path(slug): Path<String>) -> Response {
    match state.context.identity.brand(&slug).await {
        Ok(Some(brand)) => {
            let theme = BrandTheme::from_json(brand.theme.as_deref());
            cached(([(header::CONTENT_TYPE, "text/css; charset=utf-8")], theme_stylesheet(&theme)).into_response())
        }
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => super::errors::server_error(&e),
    }
}

/// A colour scheme of `style/foyer.css`: the page and card backgrounds (keep in step).
struct Scheme {
    media: &'static str,
    backgrounds: [&'static str; 2],
}

const SCHEMES: [Scheme; 2] = [
    Scheme { media: "light", backgrounds: ["#f7f7f9", "#ffffff"] },
    Scheme { media: "dark", backgrounds: ["#15161a", "#1f2026"] },
];

/// Text colours to try on a brand's button when its own `on-primary` is not readable.
const TEXT_ON_BUTTON: [&str; 2] = ["#ffffff", "#1b1b1f"];

fn color(hex: &str) -> Option<BrandColor> {
    BrandColor::parse(hex).ok()
}

/// The lowest contrast of `c` against the scheme's backgrounds.
fn against(c: BrandColor, scheme: &Scheme) -> f64 {
    scheme.backgrounds.iter().filter_map(|b| color(b)).map(|b| c.contrast(&b)).fold(f64::INFINITY, f64::min)
}

/// The CSS for a brand: its raw colours (`--brand-<name>`) and, per colour scheme, the
/// checked roles (`--brand-button`, `--brand-on-button`, `--brand-link`, `--brand-focus`).
pub fn theme_stylesheet(theme: &BrandTheme) -> String {
    let raw: String = theme.colors().map(|(name, c)| format!("--brand-{name}:{};", c.as_hex())).collect();
    let mut css = format!(":root{{{raw}}}\n");
    let primary = theme.get("primary");
    let accent = theme.get("accent");
    for scheme in &SCHEMES {
        let mut vars = String::new();
        if let Some(button) = primary.filter(|c| against(*c, scheme) >= 3.0) {
            let text = theme
                .get("on-primary")
                .into_iter()
                .chain(TEXT_ON_BUTTON.iter().filter_map(|h| color(h)))
                .find(|t| t.contrast(&button) >= 4.5);
            if let Some(text) = text {
                vars.push_str(&format!("--brand-button:{};--brand-on-button:{};", button.as_hex(), text.as_hex()));
            }
        }
        if let Some(link) = [accent, primary].into_iter().flatten().find(|c| against(*c, scheme) >= 4.5) {
            vars.push_str(&format!("--brand-link:{};", link.as_hex()));
        }
        if let Some(focus) = [accent, primary].into_iter().flatten().find(|c| against(*c, scheme) >= 3.0) {
            vars.push_str(&format!("--brand-focus:{};", focus.as_hex()));
        }
        if !vars.is_empty() {
            css.push_str(&format!("@media (prefers-color-scheme: {}){{:root{{{vars}}}}}\n", scheme.media));
        }
    }
    css
}

pub async fn logo(State(state): State<AppState>, Path(slug): Path<String>) -> Response {
    match state.context.identity.brand_logo(&slug).await {
        Ok(Some((bytes, media_type))) => {
            let mut response = cached(bytes.into_response());
            let headers = response.headers_mut();
            if let Ok(v) = HeaderValue::from_str(&media_type) {
                headers.insert(header::CONTENT_TYPE, v);
            }
            headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; sandbox"));
            response
        }
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => super::errors::server_error(&e),
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests fail loudly")]
mod tests {
    use super::*;

    fn theme(changes: &[&str]) -> BrandTheme {
        BrandTheme::default().with_changes(&changes.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>()).unwrap()
    }

    fn scheme<'a>(css: &'a str, media: &str) -> &'a str {
        let start = format!("@media (prefers-color-scheme: {media})");
        css.lines().find(|l| l.starts_with(&start)).unwrap_or("")
    }

    #[test]
    fn a_dark_brand_colour_themes_light_pages_only() {
        let css = theme_stylesheet(&theme(&["primary=#1a4d8f", "on-primary=#ffffff"]));
        assert!(css.starts_with(":root{--brand-on-primary:#ffffff;--brand-primary:#1a4d8f;}"), "{css}");
        let light = scheme(&css, "light");
        assert!(light.contains("--brand-button:#1a4d8f;--brand-on-button:#ffffff;"), "{css}");
        assert!(light.contains("--brand-link:#1a4d8f;") && light.contains("--brand-focus:#1a4d8f;"), "{css}");
        // On the dark page #1a4d8f is below 3:1: Foyer's own colours stay.
        assert_eq!(scheme(&css, "dark"), "", "{css}");
    }

    #[test]
    fn a_light_brand_colour_gets_dark_text_and_no_light_scheme_links() {
        // Yellow on white fails 3:1; on the dark page it is fine, with dark text on it.
        let css = theme_stylesheet(&theme(&["primary=#f5c400", "on-primary=#000000"]));
        assert_eq!(scheme(&css, "light"), "", "{css}");
        let dark = scheme(&css, "dark");
        assert!(dark.contains("--brand-button:#f5c400;--brand-on-button:#000000;"), "{css}");
        assert!(dark.contains("--brand-link:#f5c400;"), "{css}");
    }

    #[test]
    fn the_accent_colours_links_when_readable_else_the_primary() {
        let css = theme_stylesheet(&theme(&["primary=#1a4d8f", "on-primary=#ffffff", "accent=#ffb3c0"]));
        // The pink accent fails 4.5:1 on light backgrounds: links take the primary.
        assert!(scheme(&css, "light").contains("--brand-link:#1a4d8f;"), "{css}");
        assert!(scheme(&css, "dark").contains("--brand-link:#ffb3c0;"), "{css}");
    }

    #[test]
    fn no_colours_no_roles() {
        assert_eq!(theme_stylesheet(&BrandTheme::default()), ":root{}\n");
    }
}
