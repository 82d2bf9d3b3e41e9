//! The brand page's "Consent purposes" section (`/admin/brands/<slug>`): the brand's
//! purposes and their versions, "Declare a purpose" and "Publish a version" — the UI over
//! `foyer purpose create|publish-version|list` for the brand's own purposes (the group's
//! stay with the command line). The core authorizes on the brand (`docs/design/consent.md`
//! has the catalogue's rules); another brand is "not found" here as on the rest of the page.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::components::form::{ErrorSummary, Field, PageField, done_without_js, failure, field_error};
use crate::error::AppError;

/// One purpose as the page lists it (English texts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurposeLine {
    pub key: String,
    pub title: String,
    pub legal_basis: String,
    pub required: bool,
    pub categories: String,
    /// `version N` lines, newest last.
    pub versions: Vec<String>,
}

/// The legal bases the form offers, with the words shown.
pub const BASES: [(&str, &str); 4] = [
    ("consent", "Consent"),
    ("contract", "Contract"),
    ("legitimate_interest", "Legitimate interest"),
    ("legal_obligation", "Legal obligation"),
];

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
            key: p.purpose.key,
            legal_basis: p.purpose.legal_basis.as_str().to_owned(),
            required: p.purpose.required,
            categories: p.purpose.data_categories.join(", "),
            versions: p
                .versions
                .iter()
                .map(|v| format!("version {}{}", v.version, if v.material { " (material change)" } else { "" }))
                .collect(),
        })
        .collect())
}

/// Declares a purpose of the brand (English title and description; categories comma-separated).
#[server(prefix = "/admin/api", endpoint = "brand-purpose-create")]
pub async fn admin_purpose_create(
    slug: String,
    key: String,
    title: String,
    description: String,
    legal_basis: String,
    categories: String,
    required: Option<String>,
) -> Result<(), AppError> {
    let ctx = crate::context::server_context()?;
    let principal = crate::admin::session::staff_principal().await?;
    let brand = ctx.identity.administered_brand(&principal, &slug).await.map_err(crate::auth::fail)?;
    let new = identity::consent::catalogue::NewPurpose {
        brand: Some(brand.slug),
        key,
        titles: vec![("en".into(), title)],
        descriptions: vec![("en".into(), description)],
        legal_basis,
        required: crate::api::ticked(required.as_deref()),
        data_categories: categories.split(',').map(str::trim).filter(|c| !c.is_empty()).map(str::to_owned).collect(),
        retention: None,
        channels: Vec::new(),
    };
    ctx.identity.create_purpose(&principal, &new).await.map_err(crate::auth::fail)?;
    Ok(())
}

/// Publishes the next version of one of the brand's purposes (its text).
#[server(prefix = "/admin/api", endpoint = "brand-purpose-publish")]
pub async fn admin_purpose_publish(slug: String, key: String, text: String, material: Option<String>) -> Result<(), AppError> {
    let ctx = crate::context::server_context()?;
    let principal = crate::admin::session::staff_principal().await?;
    let brand = ctx.identity.administered_brand(&principal, &slug).await.map_err(crate::auth::fail)?;
    let new = identity::consent::catalogue::NewVersion {
        brand: Some(brand.slug),
        key,
        body: Some(text),
        material: crate::api::ticked(material.as_deref()),
        dev: ctx.dev_mode,
        ..Default::default()
    };
    ctx.identity.publish_purpose_version(&principal, &new).await.map_err(crate::auth::fail)?;
    Ok(())
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
                                <thead><tr><th scope="col">"Purpose"</th><th scope="col">"Legal basis"</th><th scope="col">"Data"</th><th scope="col">"Versions"</th></tr></thead>
                                <tbody>{list.into_iter().map(|l| view! {
                                    <tr>
                                        <td>{l.title} <br/><code>{l.key}</code> {l.required.then_some(" (required)")}</td>
                                        <td>{l.legal_basis}</td>
                                        <td>{l.categories}</td>
                                        <td>{if l.versions.is_empty() { "none published: not in force".to_owned() } else { l.versions.join(", ") }}</td>
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
                    fields=&[("Key", "field-purpose-key"), ("Title", "field-purpose-title"), ("Description", "field-purpose-description"), ("Data categories", "field-purpose-categories"), ("Data category", "field-purpose-categories")]/>
                <input type="hidden" name="slug" value=slug_create/>
                <Field label="Key" name="key" id="field-purpose-key" required=true autocomplete="off" hint="a-z, 0-9, _ . - (e.g. newsletter)" error=field_error(c, "Key")/>
                <Field label="Title (English)" name="title" id="field-purpose-title" required=true autocomplete="off" error=field_error(c, "Title")/>
                <Field label="Description (English)" name="description" id="field-purpose-description" required=true autocomplete="off" error=field_error(c, "Description")/>
                <div class="field">
                    <label for="purpose-basis">"Legal basis"</label>
                    <select id="purpose-basis" name="legal_basis">
                        {BASES.into_iter().map(|(v, w)| view! { <option value=v>{w}</option> }).collect_view()}
                    </select>
                </div>
                <Field label="Data categories" name="categories" id="field-purpose-categories" required=true autocomplete="off" hint="Comma-separated, e.g. contact, purchase history" error=field_error(c, "Data categories")/>
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
                <ErrorSummary error=failure(p) pending=publish.pending() fields=&[("Key", "field-version-key"), ("Text", "version-text")]/>
                <input type="hidden" name="slug" value=slug_publish/>
                <Field label="Purpose key" name="key" id="field-version-key" required=true autocomplete="off" error=field_error(p, "Key")/>
                <div class="field">
                    <label for="version-text">"Text of the version (a published version never changes)"</label>
                    <textarea id="version-text" name="text" rows="4"></textarea>
                    {move || field_error(p, "Text").get().map(|m| view! { <p class="field-error">{m}</p> })}
                </div>
                <div class="check">
                    <input type="checkbox" id="version-material" name="material"/>
                    <label for="version-material">"A material change (customers are asked again)"</label>
                </div>
                <button type="submit">"Publish"</button>
            </ActionForm>
        </section>
    }
}
