//! Brands: the sibling sites that share Foyer — their public details (website, support
//! contact, terms and privacy links), their theme (checked colours and a logo) and the
//! pairwise key that gives each brand its own subject identifiers (docs/design/oidc.md
//! "Brands"). Clients are registered per brand in `oidc::clients`.

use std::collections::BTreeMap;

use crate::audit::{self, AuditEvent};
pub use crate::domain::{BrandSlug, unknown_brand};
use crate::domain::{Email, ParseError, RedirectUri, UriRules, one_or_many};
use crate::principal::{Action, Principal, Subject, authorize};
use crate::store::brands::{self, BrandRow};
use crate::{Identity, Result};

/// A brand's public details as typed; each is optional. URLs are https (http on a
/// loopback host only with `dev`).
#[derive(Debug, Clone, Default)]
pub struct BrandDetails {
    pub website_url: Option<String>,
    pub support_email: Option<String>,
    pub support_url: Option<String>,
    pub terms_url: Option<String>,
    pub privacy_url: Option<String>,
    pub dev: bool,
}

/// The checked form of [`BrandDetails`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct CheckedDetails {
    pub(crate) website_url: Option<String>,
    pub(crate) support_email: Option<String>,
    pub(crate) support_url: Option<String>,
    pub(crate) terms_url: Option<String>,
    pub(crate) privacy_url: Option<String>,
}

impl BrandDetails {
    pub(crate) fn check(&self) -> Result<CheckedDetails, Vec<ParseError>> {
        let rules = UriRules { http_loopback: self.dev, private_use_scheme: false };
        let mut errors = Vec::new();
        let mut url = |field: &'static str, value: &Option<String>| match value.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(v) => RedirectUri::parse_field(field, v, rules).map(|u| u.as_str().to_owned()).map_err(|e| errors.push(e)).ok(),
        };
        let website_url = url("Website URL", &self.website_url);
        let support_url = url("Support URL", &self.support_url);
        let terms_url = url("Terms URL", &self.terms_url);
        let privacy_url = url("Privacy URL", &self.privacy_url);
        let support_email = match self.support_email.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(v) => match Email::parse(v) {
                Ok(e) => Some(e.as_str().to_owned()),
                Err(_) => {
                    errors.push(ParseError::Malformed { field: "Support email", reason: "it is not an email address" });
                    None
                }
            },
        };
        if errors.is_empty() {
            Ok(CheckedDetails { website_url, support_email, support_url, terms_url, privacy_url })
        } else {
            Err(errors)
        }
    }
}

pub(crate) fn brand_name(name: &str) -> Result<String, ParseError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(ParseError::Missing { field: "Brand name" });
    }
    if name.chars().count() > 80 {
        return Err(ParseError::TooLong { field: "Brand name", max: 80 });
    }
    Ok(name.to_owned())
}

/// A theme colour: exactly `#rrggbb` (stored lower-case).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BrandColor([u8; 3]);

impl BrandColor {
    pub fn parse(input: &str) -> Result<Self, ParseError> {
        let s = input.trim();
        let hex = s.strip_prefix('#').filter(|h| h.len() == 6 && h.bytes().all(|b| b.is_ascii_hexdigit()));
        let bytes = hex.and_then(|h| hex::decode(h).ok()).and_then(|v| <[u8; 3]>::try_from(v).ok());
        bytes.map(Self).ok_or(ParseError::Malformed { field: "Color", reason: "use #rrggbb, e.g. #1a4d8f" })
    }

    pub fn as_hex(&self) -> String {
        format!("#{}", hex::encode(self.0))
    }

    /// WCAG 2.x relative luminance.
    fn luminance(&self) -> f64 {
        let channel = |v: u8| {
            let c = f64::from(v) / 255.0;
            if c <= 0.040_45 { c / 12.92 } else { ((c + 0.055) / 1.055).powf(2.4) }
        };
        0.2126 * channel(self.0[0]) + 0.7152 * channel(self.0[1]) + 0.0722 * channel(self.0[2])
    }

    /// WCAG contrast ratio, 1.0 to 21.0.
    pub fn contrast(&self, other: &Self) -> f64 {
        let (a, b) = (self.luminance(), other.luminance());
        (a.max(b) + 0.05) / (a.min(b) + 0.05)
    }
}

/// The colours a theme may set, and the pairs that must reach 4.5:1 (WCAG AA).
pub const THEME_COLORS: [&str; 5] = ["primary", "on-primary", "surface", "text", "accent"];
const CONTRAST_PAIRS: [(&str, &str); 2] = [("primary", "on-primary"), ("surface", "text")];
const MIN_CONTRAST: f64 = 4.5;

/// A brand's checked colours, by name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BrandTheme(BTreeMap<String, BrandColor>);

impl BrandTheme {
    /// Reads the stored JSON (unknown names and bad values are dropped, never served).
    pub fn from_json(json: Option<&str>) -> Self {
        let map: BTreeMap<String, String> = json.and_then(|j| serde_json::from_str(j).ok()).unwrap_or_default();
        Self(
            map.into_iter()
                .filter(|(k, _)| THEME_COLORS.contains(&k.as_str()))
                .filter_map(|(k, v)| BrandColor::parse(&v).ok().map(|c| (k, c)))
                .collect(),
        )
    }

    pub fn to_json(&self) -> String {
        serde_json::Value::Object(self.0.iter().map(|(k, v)| (k.clone(), serde_json::Value::String(v.as_hex()))).collect())
            .to_string()
    }

    pub fn get(&self, name: &str) -> Option<BrandColor> {
        self.0.get(name).copied()
    }

    pub fn colors(&self) -> impl Iterator<Item = (&str, BrandColor)> {
        self.0.iter().map(|(k, v)| (k.as_str(), *v))
    }

    /// Applies `NAME=#rrggbb` changes, then checks the result: each contrast pair is set
    /// together (both or neither) and reaches 4.5:1.
    pub fn with_changes(&self, changes: &[String]) -> Result<Self> {
        let mut next = self.clone();
        let mut errors = Vec::new();
        for change in changes {
            let Some((name, value)) = change.split_once('=') else {
                errors.push(ParseError::Rejected { field: "Color", reason: format!("Color {change:?} is not valid: use NAME=#rrggbb.") });
                continue;
            };
            let name = name.trim();
            if !THEME_COLORS.contains(&name) {
                errors.push(ParseError::Rejected {
                    field: "Color",
                    reason: format!("Color name {name:?} is not valid: use {}.", THEME_COLORS.join(", ")),
                });
                continue;
            }
            match BrandColor::parse(value) {
                Ok(color) => {
                    next.0.insert(name.to_owned(), color);
                }
                Err(_) => errors.push(ParseError::Rejected {
                    field: "Color",
                    reason: format!("Color {name} {value:?} is not valid: use #rrggbb, e.g. #1a4d8f."),
                }),
            }
        }
        if errors.is_empty() {
            for (a, b) in CONTRAST_PAIRS {
                match (next.get(a), next.get(b)) {
                    (Some(x), Some(y)) if x.contrast(&y) < MIN_CONTRAST => errors.push(ParseError::Rejected {
                        field: "Color",
                        reason: format!("{a} and {b} have contrast {:.2}:1; at least 4.5:1 is needed.", x.contrast(&y)),
                    }),
                    (Some(_), None) | (None, Some(_)) => errors.push(ParseError::Rejected {
                        field: "Color",
                        reason: format!("{a} and {b} are set together (their contrast is checked)."),
                    }),
                    _ => {}
                }
            }
        }
        if errors.is_empty() { Ok(next) } else { Err(one_or_many(errors)) }
    }
}

/// A logo: PNG or SVG, at most 100 KiB, served from our origin.
#[derive(Clone, PartialEq, Eq)]
pub struct BrandLogo {
    bytes: Vec<u8>,
    media_type: &'static str,
}

impl std::fmt::Debug for BrandLogo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "BrandLogo({}, {} bytes)", self.media_type, self.bytes.len())
    }
}

pub const MAX_LOGO_BYTES: usize = 100 * 1024;

impl BrandLogo {
    /// Recognises the format by content, not by file name.
    pub fn parse(bytes: &[u8]) -> Result<Self, ParseError> {
        const FIELD: &str = "Logo";
        if bytes.is_empty() {
            return Err(ParseError::Missing { field: FIELD });
        }
        if bytes.len() > MAX_LOGO_BYTES {
            return Err(ParseError::Malformed { field: FIELD, reason: "it must be at most 100 KiB" });
        }
        let media_type = if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            "image/png"
        } else if std::str::from_utf8(bytes).is_ok_and(|t| {
            let t = t.trim_start_matches('\u{feff}').trim_start();
            t.starts_with('<') && t.contains("<svg")
        }) {
            "image/svg+xml"
        } else {
            return Err(ParseError::Malformed { field: FIELD, reason: "use a PNG or SVG file" });
        };
        if media_type == "image/svg+xml" && svg_may_run_script(bytes) {
            return Err(ParseError::Malformed {
                field: FIELD,
                reason: "an SVG logo must not contain script (script or foreignObject elements, on… event attributes, javascript: links, entity declarations)",
            });
        }
        Ok(Self { bytes: bytes.to_vec(), media_type })
    }

    pub fn media_type(&self) -> &'static str {
        self.media_type
    }

    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }
}

/// Whether an SVG holds anything that could run script if a browser ever rendered it as a
/// document (it is served sandboxed, `default-src 'none'`, and shown through `<img>`,
/// where script never runs: this refusal is the third wall). Conservative: elements
/// named `script`, `foreignObject`, `iframe`, `object`, `embed` or `handler` (any
/// namespace prefix), an attribute named `on…`, `javascript:` or `vbscript:` anywhere
/// (blanks and control characters ignored), an entity declaration (which could
/// build any of these) or a character reference inside a tag (which could spell them).
fn svg_may_run_script(bytes: &[u8]) -> bool {
    const ELEMENTS: [&str; 6] = ["script", "foreignobject", "iframe", "object", "embed", "handler"];
    let text = String::from_utf8_lossy(bytes).to_lowercase();
    let squeezed: String = text.chars().filter(|c| !c.is_whitespace() && !c.is_control()).collect();
    if squeezed.contains("javascript:") || squeezed.contains("vbscript:") || squeezed.contains("<!entity") {
        return true;
    }
    for tag in text.split('<').skip(1) {
        let tag = tag.split('>').next().unwrap_or(tag);
        let body = tag.trim_start_matches('/');
        let name: String = body.chars().take_while(|c| !c.is_whitespace() && *c != '/').collect();
        let local = name.rsplit(':').next().unwrap_or(&name);
        if ELEMENTS.contains(&local) {
            return true;
        }
        if name.starts_with('!') || name.starts_with('?') {
            continue;
        }
        if tag.contains("&#") {
            return true;
        }
        // Attribute names (outside quoted values), each before an `=`.
        let attrs: Vec<char> = body.get(name.len()..).unwrap_or("").chars().collect();
        let mut i = 0;
        while i < attrs.len() {
            let c = attrs[i];
            if c == '"' || c == '\'' {
                match attrs[i + 1..].iter().position(|q| *q == c) {
                    Some(end) => i += end + 2,
                    None => break,
                }
                continue;
            }
            if !(c.is_alphanumeric() || ":_-.".contains(c)) {
                i += 1;
                continue;
            }
            let start = i;
            while i < attrs.len() && (attrs[i].is_alphanumeric() || ":_-.".contains(attrs[i])) {
                i += 1;
            }
            let attr: String = attrs[start..i].iter().collect();
            let local = attr.rsplit(':').next().unwrap_or(&attr);
            let mut j = i;
            while j < attrs.len() && attrs[j].is_whitespace() {
                j += 1;
            }
            if attrs.get(j) == Some(&'=') && local.len() > 2 && local.starts_with("on") {
                return true;
            }
        }
    }
    false
}

impl Identity {
    /// A brand by slug. Brands are public (their pages, theme and logo are served to
    /// anyone), so reading one needs no principal.
    pub async fn brand(&self, slug: &str) -> Result<Option<BrandRow>> {
        self.store.brand_by_slug(slug).await
    }

    /// A brand's logo and its media type, by slug (public, like [`Self::brand`]).
    pub async fn brand_logo(&self, slug: &str) -> Result<Option<(Vec<u8>, String)>> {
        self.store.brand_logo(slug).await
    }

    /// Every brand (public, like [`Self::brand`]).
    pub async fn list_brands(&self) -> Result<Vec<BrandRow>> {
        self.store.list_brands().await
    }

    /// Creates a brand with only a name (details can be given with [`Self::create_brand_with`]).
    pub async fn create_brand(&self, principal: &Principal, slug: &BrandSlug, name: &str) -> Result<BrandRow> {
        self.create_brand_with(principal, slug, name, &BrandDetails::default()).await
    }

    /// Creates a brand with its details and a fresh 256-bit pairwise key (sealed with the
    /// master key, associated data `pairwise:<brand id>`), audited, in one transaction.
    pub async fn create_brand_with(&self, principal: &Principal, slug: &BrandSlug, name: &str, details: &BrandDetails) -> Result<BrandRow> {
        // A new brand is the platform's to make (`Subject::Brand` names existing ones by id).
        authorize(principal, Action::ManageBrands, Subject::Platform)?;
        let mut errors = Vec::new();
        let name = brand_name(name).map_err(|e| errors.push(e)).ok();
        let details = details.check().map_err(|mut e| errors.append(&mut e)).ok();
        let (Some(name), Some(details)) = (name, details) else { return Err(one_or_many(errors)) };
        let now = self.clock.now();
        let row = BrandRow {
            id: self.new_id(),
            slug: slug.as_str().to_owned(),
            name,
            website_url: details.website_url,
            support_email: details.support_email,
            support_url: details.support_url,
            terms_url: details.terms_url,
            privacy_url: details.privacy_url,
            theme: None,
            logo_type: None,
            created_at: now,
            updated_at: now,
        };
        let sealed = self.new_pairwise_key(&row.id)?;
        let mut tx = self.store.begin().await?;
        brands::insert(&mut tx, &row, &sealed).await?;
        audit::record(&mut tx, &AuditEvent {
            at: now,
            actor: principal.actor(),
            subject: Subject::Brand(&row.id).label(),
            action: "brand.created",
            reason: None,
            detail: serde_json::json!({ "slug": row.slug }),
        })
        .await?;
        tx.commit().await?;
        Ok(row)
    }

    fn new_pairwise_key(&self, brand_id: &str) -> Result<String> {
        let mut key = [0u8; 32];
        self.rng.fill(&mut key);
        let sealed = self.master_key.seal(&key, format!("pairwise:{brand_id}").as_bytes(), self.rng.as_ref());
        key.fill(0);
        sealed
    }

    /// Start-up step: gives every brand created before pairwise keys existed its key.
    /// Returns how many brands got one; safe to run on several nodes at once.
    pub async fn fill_missing_pairwise_keys(&self, principal: &Principal) -> Result<usize> {
        authorize(principal, Action::RunPlatform, Subject::Platform)?;
        let mut filled = 0;
        for id in self.store.brands_without_pairwise_key().await? {
            let sealed = self.new_pairwise_key(&id)?;
            let mut tx = self.store.begin().await?;
            if brands::fill_pairwise_key(&mut tx, &id, &sealed).await? {
                filled += 1;
            }
            tx.commit().await?;
        }
        Ok(filled)
    }

    /// Changes a brand's colours (`NAME=#rrggbb`) and/or logo; the merged theme is checked
    /// before anything is written. Audited, one transaction.
    pub async fn set_brand_theme(&self, principal: &Principal, slug: &BrandSlug, colors: &[String], logo: Option<&BrandLogo>) -> Result<BrandRow> {
        let brand = self.store.brand_by_slug(slug.as_str()).await?.ok_or_else(|| unknown_brand(slug))?;
        authorize(principal, Action::ManageBrands, Subject::Brand(&brand.id))?;
        if colors.is_empty() && logo.is_none() {
            return Err(ParseError::Rejected { field: "Theme", reason: "Give at least one --color NAME=#rrggbb or a --logo FILE.".into() }.into());
        }
        let theme = BrandTheme::from_json(brand.theme.as_deref()).with_changes(colors)?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let logo_parts = logo.map(|l| (l.bytes(), l.media_type()));
        if !brands::update_theme(&mut tx, &brand.id, &theme.to_json(), logo_parts, now).await? {
            return Err(unknown_brand(slug));
        }
        audit::record(&mut tx, &AuditEvent {
            at: now,
            actor: principal.actor(),
            subject: Subject::Brand(&brand.id).label(),
            action: "brand.theme_changed",
            reason: None,
            detail: serde_json::json!({ "colors": colors.len(), "logo": logo.map(BrandLogo::media_type) }),
        })
        .await?;
        tx.commit().await?;
        self.store.brand_by_slug(slug.as_str()).await?.ok_or_else(|| unknown_brand(slug))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Error;

    #[test]
    fn slugs() {
        assert_eq!(BrandSlug::parse(" northwind-air ").unwrap().as_str(), "northwind-air");
        for bad in ["", "a", "-air", "air-", "Air", "air_x", "air x"] {
            assert!(BrandSlug::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn colors_and_contrast() {
        assert_eq!(BrandColor::parse("#1A4D8F").unwrap().as_hex(), "#1a4d8f");
        for bad in ["1a4d8f", "#1a4d8", "#1a4d8fa", "#gggggg", "red", "#fff", ""] {
            assert!(BrandColor::parse(bad).is_err(), "{bad}");
        }
        let (black, white) = (BrandColor::parse("#000000").unwrap(), BrandColor::parse("#ffffff").unwrap());
        assert!((black.contrast(&white) - 21.0).abs() < 0.01);
        // #767676 on white is the classic 4.54:1 boundary case.
        assert!(BrandColor::parse("#767676").unwrap().contrast(&white) >= 4.5);
        assert!(BrandColor::parse("#777777").unwrap().contrast(&white) < 4.5);
    }

    #[test]
    fn themes_are_checked_as_a_whole() {
        let set = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let t = BrandTheme::default().with_changes(&set(&["primary=#1a4d8f", "on-primary=#ffffff", "accent=#ff0000"])).unwrap();
        assert_eq!(t.to_json(), r##"{"accent":"#ff0000","on-primary":"#ffffff","primary":"#1a4d8f"}"##);
        assert_eq!(BrandTheme::from_json(Some(&t.to_json())), t);
        // Changing one of a pair is checked against the stored other half.
        assert!(t.with_changes(&set(&["on-primary=#2a5d9f"])).is_err(), "low contrast");
        assert!(t.with_changes(&set(&["primary=#000000"])).is_ok());
        assert!(BrandTheme::default().with_changes(&set(&["surface=#ffffff"])).is_err(), "pair set together");
        let err = BrandTheme::default().with_changes(&set(&["border=#000000", "text=blue", "primary"])).unwrap_err();
        assert!(matches!(err, Error::Fields(ref v) if v.len() == 3), "{err:?}");
    }

    #[test]
    fn logos() {
        let png = [b"\x89PNG\r\n\x1a\n".as_slice(), &[0u8; 16]].concat();
        assert_eq!(BrandLogo::parse(&png).unwrap().media_type(), "image/png");
        let svg = b"<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>";
        assert_eq!(BrandLogo::parse(svg).unwrap().media_type(), "image/svg+xml");
        assert!(BrandLogo::parse(b"GIF89a....").is_err());
        assert!(BrandLogo::parse(b"").is_err());
        let big = [png.clone(), vec![0u8; MAX_LOGO_BYTES]].concat();
        assert!(BrandLogo::parse(&big).is_err());
        // An SVG that could run script is refused, however it is spelt.
        let drawn = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 48 48\"><rect width=\"48\" height=\"48\" rx=\"10\" fill=\"#0b3d91\"/>\
                     <text x=\"24\" y=\"31\" font-family=\"sans-serif\" fill=\"#ffffff\">only = NA</text></svg>";
        assert!(BrandLogo::parse(drawn.as_bytes()).is_ok(), "a plain drawing passes");
        for bad in [
            "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>",
            "<svg xmlns=\"http://www.w3.org/2000/svg\"><SCRIPT >alert(1)</SCRIPT></svg>",
            "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:s=\"http://www.w3.org/2000/svg\"><s:script>alert(1)</s:script></svg>",
            "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"></svg>",
            "<svg xmlns=\"http://www.w3.org/2000/svg\"><rect\nONCLICK = 'alert(1)'/></svg>",
            "<svg xmlns=\"http://www.w3.org/2000/svg\"><a href=\"java\tscript:alert(1)\"><rect/></a></svg>",
            "<svg xmlns=\"http://www.w3.org/2000/svg\"><a href=\"&#106;avascript:alert(1)\"><rect/></a></svg>",
            "<svg xmlns=\"http://www.w3.org/2000/svg\"><foreignObject><div/></foreignObject></svg>",
            "<!DOCTYPE svg [<!ENTITY s \"&#60;script\">]><svg xmlns=\"http://www.w3.org/2000/svg\">&s;</svg>",
        ] {
            let err = BrandLogo::parse(bad.as_bytes()).unwrap_err();
            assert!(err.to_string().contains("must not contain script"), "{bad}: {err}");
        }
    }

    #[test]
    fn details_are_https_urls_and_an_email() {
        let ok = BrandDetails {
            website_url: Some("https://air.example.com".into()),
            support_email: Some("help@air.example.com".into()),
            ..BrandDetails::default()
        };
        assert_eq!(ok.check().unwrap().website_url.as_deref(), Some("https://air.example.com"));
        let bad = BrandDetails {
            website_url: Some("http://air.example.com".into()),
            support_email: Some("nope".into()),
            terms_url: Some("/terms".into()),
            ..BrandDetails::default()
        };
        let fields: Vec<_> = bad.check().unwrap_err().iter().map(ParseError::field).collect();
        assert_eq!(fields, ["Website URL", "Terms URL", "Support email"]);
        let dev = BrandDetails { website_url: Some("http://127.0.0.1:3001/".into()), dev: true, ..BrandDetails::default() };
        assert!(dev.check().is_ok());
        assert!(BrandDetails { dev: false, ..dev }.check().is_err());
    }
}
