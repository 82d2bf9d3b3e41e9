//! The brand page's "Consent purposes" section (`/admin/brands/<slug>`): the brand's
//! purposes and their versions, "Declare a purpose" and "Publish a version" — the UI over
//! `foyer purpose create|publish-version|list` for the brand's own purposes: titles and
//! descriptions in every language Foyer ships (English required), retention, marketing
//! channels, a version as text or as a document URL with its SHA-256, its effective time.
//! The group's purposes stay with the command line. The core checks everything and
//! authorizes on the brand (`docs/design/consent.md` has the catalogue's rules); another
//! brand is "not found" here as on the rest of the page.

use std::collections::HashMap;

use identity::i18n::Locale;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::components::form::{ErrorSummary, Field, PageField, done_without_js, failure, field_error, sticky_value};
use crate::error::AppError;

/// One purpose as the page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurposeLine {
    pub key: String,
    /// The English title.
    pub title: String,
    /// `(language tag, title)` in the other languages it has words for.
    pub other_titles: Vec<(String, String)>,
    pub legal_basis: String,
    pub required: bool,
    pub categories: String,
    /// The ISO 8601 duration, or the words for "while the account exists".
    pub retention: String,
    /// Comma-separated; empty: none.
    pub channels: String,
    /// Oldest first.
    pub versions: Vec<VersionLine>,
}

/// One published version as the page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionLine {
    pub version: i64,
    pub material: bool,
    /// RFC 3339, UTC.
    pub effective: String,
    /// The document and its SHA-256 (hex), when the version is one.
    pub document: Option<(String, String)>,
}

/// The legal bases the form offers, with the words shown.
pub const BASES: [(&str, &str); 4] = [
    ("consent", "Consent"),
    ("contract", "Contract"),
    ("legitimate_interest", "Legitimate interest"),
    ("legal_obligation", "Legal obligation"),
];

/// The marketing channels the form offers (`identity::consent::Channel`), with the words shown.
pub const CHANNELS: [(&str, &str); 4] = [("email", "Email"), ("sms", "SMS"), ("push", "Push notifications"), ("post", "Post")];

/// The languages besides English that a purpose may have words in.
fn other_languages() -> impl Iterator<Item = Locale> {
    Locale::ALL.into_iter().filter(|l| *l != Locale::En)
}

/// The brand's purposes with their versions.
#[server(prefix = "/admin/api", endpoint = "brand-purposes")]
pub async fn admin_purposes(slug: String) -> Result<Vec<PurposeLine>, AppError> {
    let ctx = crate::context::server_context()?;
    let principal = crate::admin::session::staff_principal().await?;
    let brand = ctx.identity.administered_brand(&principal, &slug).await.map_err(crate::auth::fail)?;
    let list = ctx.identity.list_purposes(&principal, Some(&brand.slug)).await.map_err(crate::auth::fail)?;
    Ok(list
        .into_iter()
        .map(|p| PurposeLine {
            title: p.purpose.texts.get("en").map(|t| t.title.clone()).unwrap_or_default(),
            other_titles: p.purpose.texts.iter().filter(|(lang, _)| *lang != "en").map(|(lang, t)| (lang.clone(), t.title.clone())).collect(),
            key: p.purpose.key,
            legal_basis: p.purpose.legal_basis.as_str().to_owned(),
            required: p.purpose.required,
            categories: p.purpose.data_categories.join(", "),
            retention: p.purpose.retention.unwrap_or_else(|| "while the account exists".to_owned()),
            channels: p.purpose.channels.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", "),
            versions: p
                .versions
                .iter()
                .map(|v| VersionLine {
                    version: v.version,
                    material: v.material,
                    effective: identity::clock::format_millis(v.effective_at),
                    document: v.document_url.clone().map(|u| (u, v.document_sha256.clone().unwrap_or_default())),
                })
                .collect(),
        })
        .collect())
}

/// The `(language, text)` pairs the core takes (`--title LANG=TEXT`): English from its
/// own field, then each other language filled in (the core refuses a title without its
/// description, or the reverse, and a language Foyer does not ship).
#[cfg(feature = "ssr")]
fn language_pairs(english: String, others: Option<HashMap<String, String>>) -> Vec<(String, String)> {
    let mut others: Vec<(String, String)> = others.unwrap_or_default().into_iter().filter(|(l, t)| l != "en" && !t.trim().is_empty()).collect();
    others.sort();
    std::iter::once(("en".to_owned(), english)).chain(others).collect()
}

/// Declares a purpose of the brand: the English title and description (`title`,
/// `description`), the other languages' (`titles[de]`, `descriptions[de]`), legal basis,
/// data categories (comma-separated), required, retention (ISO 8601), channels
/// (`channels[email]` …).
#[server(prefix = "/admin/api", endpoint = "brand-purpose-create")]
pub async fn admin_purpose_create(
    slug: String,
    key: String,
    title: String,
    description: String,
    legal_basis: String,
    categories: String,
    required: Option<String>,
    titles: Option<HashMap<String, String>>,
    descriptions: Option<HashMap<String, String>>,
    retention: Option<String>,
    channels: Option<HashMap<String, String>>,
) -> Result<(), AppError> {
    let ctx = crate::context::server_context()?;
    let principal = crate::admin::session::staff_principal().await?;
    let brand = ctx.identity.administered_brand(&principal, &slug).await.map_err(crate::auth::fail)?;
    let mut channels: Vec<String> = channels.unwrap_or_default().into_iter().filter(|(_, v)| crate::api::ticked(Some(v.as_str()))).map(|(k, _)| k).collect();
    channels.sort();
    let new = identity::consent::catalogue::NewPurpose {
        brand: Some(brand.slug),
        key,
        titles: language_pairs(title, titles),
        descriptions: language_pairs(description, descriptions),
        legal_basis,
        required: crate::api::ticked(required.as_deref()),
        data_categories: categories.split(',').map(str::trim).filter(|c| !c.is_empty()).map(str::to_owned).collect(),
        retention,
        channels,
    };
    ctx.identity.create_purpose(&principal, &new).await.map_err(crate::auth::fail)?;
    Ok(())
}

/// Publishes the next version of one of the brand's purposes: its text, or a document URL
/// with the document's SHA-256; from `effective` (RFC 3339; blank: now), material or not.
#[server(prefix = "/admin/api", endpoint = "brand-purpose-publish")]
pub async fn admin_purpose_publish(
    slug: String,
    key: String,
    text: Option<String>,
    material: Option<String>,
    url: Option<String>,
    sha256: Option<String>,
    effective: Option<String>,
) -> Result<(), AppError> {
    use identity::domain::ParseError;
    let ctx = crate::context::server_context()?;
    let principal = crate::admin::session::staff_principal().await?;
    let brand = ctx.identity.administered_brand(&principal, &slug).await.map_err(crate::auth::fail)?;
    // As `foyer purpose publish-version --effective` reads it (the core's parser).
    let effective_at = match effective.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        None => None,
        Some(t) => Some(identity::clock::parse_rfc3339(t).ok_or_else(|| {
            crate::auth::fail(identity::Error::Invalid(ParseError::Malformed { field: "Effective date", reason: "use RFC 3339, e.g. 2027-01-01T00:00:00Z" }))
        })?),
    };
    let new = identity::consent::catalogue::NewVersion {
        brand: Some(brand.slug),
        key,
        body: text,
        document_url: url,
        document_sha256: sha256,
        effective_at,
        material: crate::api::ticked(material.as_deref()),
        dev: ctx.dev_mode,
        ..Default::default()
    };
    ctx.identity.publish_purpose_version(&principal, &new).await.map_err(crate::auth::fail)?;
    Ok(())
}

/// A version as one line of the list.
fn version_text(v: &VersionLine) -> String {
    let mut s = format!("version {}, effective {}", v.version, v.effective);
    if v.material {
        s.push_str(" (material change)");
    }
    if let Some((url, sha)) = &v.document {
        s.push_str(&format!(": {url} (SHA-256 {sha})"));
    }
    s
}

/// The section: the list, then the two forms.
#[component]
pub fn PurposesSection(slug: String) -> impl IntoView {
    let create = ServerAction::<AdminPurposeCreate>::new();
    let publish = ServerAction::<AdminPurposePublish>::new();
    let purposes = Resource::new(
        {
            let slug = slug.clone();
            move || (slug.clone(), create.version().get(), publish.version().get())
        },
        |(slug, _, _)| admin_purposes(slug),
    );
    let (c, p) = (create.value(), publish.value());
    let (slug_create, slug_publish) = (slug.clone(), slug);
    view! {
        <section class="card" aria-labelledby="h-purposes">
            <h2 id="h-purposes">"Consent purposes"</h2>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match purposes.await {
                        Ok(list) if list.is_empty() => view! { <p>"No purpose yet."</p> }.into_any(),
                        Ok(list) => view! {
                            <table class="results">
                                <caption>"The brand's purposes"</caption>
                                <thead><tr><th scope="col">"Purpose"</th><th scope="col">"Legal basis"</th><th scope="col">"Data"</th>
                                    <th scope="col">"Retention"</th><th scope="col">"Channels"</th><th scope="col">"Versions"</th></tr></thead>
                                <tbody>{list.into_iter().map(|l| view! {
                                    <tr>
                                        <td>
                                            <span lang="en">{l.title}</span> <br/><code>{l.key}</code> {l.required.then_some(" (required)")}
                                            {l.other_titles.into_iter().map(|(lang, title)| view! {
                                                <br/>{format!("{lang}: ")}<span lang=lang.clone()>{title}</span>
                                            }).collect_view()}
                                        </td>
                                        <td>{l.legal_basis}</td>
                                        <td>{l.categories}</td>
                                        <td>{l.retention}</td>
                                        <td>{if l.channels.is_empty() { "none".to_owned() } else { l.channels }}</td>
                                        <td>{if l.versions.is_empty() {
                                            view! { "none published: not in force" }.into_any()
                                        } else {
                                            view! { <ul>{l.versions.iter().map(|v| view! { <li>{version_text(v)}</li> }).collect_view()}</ul> }.into_any()
                                        }}</td>
                                    </tr>
                                }).collect_view()}</tbody>
                            </table>
                        }.into_any(),
                        Err(e) => view! { <p class="alert" role="alert">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
            <ActionForm action=create attr:class="form" attr:novalidate="true">
                <PageField/>
                <h3>"Declare a purpose"</h3>
                {move || (done_without_js::<AdminPurposeCreate>() || matches!(c.get(), Some(Ok(())))).then(|| view! {
                    <p role="status" class="success">"Purpose declared: publish a version to put it in force."</p>
                })}
                <ErrorSummary error=failure(c) pending=create.pending()
                    fields=&[("Key", "field-purpose-key"), ("Title", "field-purpose-title"), ("Description", "field-purpose-description"),
                        ("Legal basis", "purpose-basis"), ("Data categories", "field-purpose-categories"), ("Data category", "field-purpose-categories"),
                        ("Retention", "field-purpose-retention"), ("Channel", "purpose-channels")]/>
                <input type="hidden" name="slug" value=slug_create/>
                <Field label="Key" name="key" id="field-purpose-key" required=true autocomplete="off" hint="a-z, 0-9, _ . - (e.g. newsletter)" error=field_error(c, "Key")/>
                <Field label="Title (English)" name="title" id="field-purpose-title" required=true autocomplete="off" error=field_error(c, "Title")/>
                <Field label="Description (English)" name="description" id="field-purpose-description" required=true autocomplete="off" error=field_error(c, "Description")/>
                {other_languages().map(|l| view! {
                    <fieldset>
                        <legend>{format!("{} ({}), optional: a title needs a description", l.native_name(), l.tag())}</legend>
                        <Field label=format!("Title ({})", l.tag()) name=format!("titles[{}]", l.tag()) id=format!("field-purpose-title-{}", l.tag()) autocomplete="off"/>
                        <Field label=format!("Description ({})", l.tag()) name=format!("descriptions[{}]", l.tag()) id=format!("field-purpose-description-{}", l.tag()) autocomplete="off"/>
                    </fieldset>
                }).collect_view()}
                <div class="field">
                    <label for="purpose-basis">"Legal basis"</label>
                    <select id="purpose-basis" name="legal_basis">
                        {BASES.into_iter().map(|(v, w)| view! { <option value=v>{w}</option> }).collect_view()}
                    </select>
                    {move || field_error(c, "Legal basis").get().map(|m| view! { <p class="field-error">{m}</p> })}
                </div>
                <Field label="Data categories" name="categories" id="field-purpose-categories" required=true autocomplete="off" hint="Comma-separated, e.g. contact, purchase history" error=field_error(c, "Data categories")/>
                <Field label="Retention" name="retention" id="field-purpose-retention" autocomplete="off"
                    hint="How long the data is kept, an ISO 8601 duration such as P2Y or P18M; blank: while the account exists" error=field_error(c, "Retention")/>
                <fieldset id="purpose-channels">
                    <legend>"Marketing channels, each a switch the customer can turn off (consent or legitimate interest only)"</legend>
                    {CHANNELS.into_iter().map(|(v, w)| {
                        let id = format!("purpose-channel-{v}");
                        view! {
                            <div class="check">
                                <input type="checkbox" id=id.clone() name=format!("channels[{v}]")/>
                                <label for=id>{w}</label>
                            </div>
                        }
                    }).collect_view()}
                    {move || field_error(c, "Channel").get().map(|m| view! { <p class="field-error">{m}</p> })}
                </fieldset>
                <div class="check">
                    <input type="checkbox" id="purpose-required" name="required"/>
                    <label for="purpose-required">"Required to use the brand (asked at sign-in)"</label>
                </div>
                <button type="submit">"Declare"</button>
            </ActionForm>
            <ActionForm action=publish attr:class="form" attr:novalidate="true">
                <PageField/>
                <h3>"Publish a version"</h3>
                {move || (done_without_js::<AdminPurposePublish>() || matches!(p.get(), Some(Ok(())))).then(|| view! {
                    <p role="status" class="success">"Version published."</p>
                })}
                <ErrorSummary error=failure(p) pending=publish.pending()
                    fields=&[("Key", "field-version-key"), ("Text", "version-text"), ("Document URL", "field-version-url"), ("SHA-256", "field-version-sha256"),
                        ("Effective date", "field-version-effective"), ("Version", "field-version-key")]/>
                <input type="hidden" name="slug" value=slug_publish/>
                <Field label="Purpose key" name="key" id="field-version-key" required=true autocomplete="off" error=field_error(p, "Key")/>
                <p class="hint">"Give either the text, or the URL of a document with the document's SHA-256. A published version never changes."</p>
                <div class="field">
                    <label for="version-text">"Text of the version"</label>
                    <textarea id="version-text" name="text" rows="4">{sticky_value("text")}</textarea>
                    {move || field_error(p, "Text").get().map(|m| view! { <p class="field-error">{m}</p> })}
                </div>
                <Field label="Or a document URL" name="url" kind="url" id="field-version-url" autocomplete="off" hint="https" error=field_error(p, "Document URL")/>
                <Field label="The document's SHA-256" name="sha256" id="field-version-sha256" autocomplete="off" hint="64 hexadecimal digits" error=field_error(p, "SHA-256")/>
                <Field label="Effective from" name="effective" id="field-version-effective" autocomplete="off"
                    hint="RFC 3339, e.g. 2027-01-01T00:00:00Z; blank: now; never in the past" error=field_error(p, "Effective date")/>
                <div class="check">
                    <input type="checkbox" id="version-material" name="material"/>
                    <label for="version-material">"A material change (customers are asked again)"</label>
                </div>
                <button type="submit">"Publish"</button>
            </ActionForm>
        </section>
    }
}
