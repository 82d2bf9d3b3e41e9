//! The brand page's "Profile attributes" section (`/admin/brands/<slug>`): the attributes
//! the brand asks its customers for, and "Declare an attribute" — the UI over `foyer
//! attribute create|list` for the brand's own attributes (`docs/design/consent.md`
//! "Brand attributes"). The core checks the declaration and authorizes on the brand;
//! sharing an attribute with every brand (group-wide), other languages and value rules
//! stay with the command line.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::components::form::{ErrorSummary, Field, PageField, done_without_js, failure, field_error};
use crate::error::AppError;

/// One attribute as the page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttributeLine {
    pub key: String,
    pub kind: String,
    pub label: String,
    pub choices: String,
    pub flags: String,
}

/// The kinds the form offers.
pub const KINDS: [(&str, &str); 4] = [("text", "Text"), ("number", "Number"), ("date", "Date"), ("choice", "Choice")];

/// The brand's own attributes, in their order.
#[server(prefix = "/admin/api", endpoint = "brand-attributes")]
pub async fn admin_attributes(slug: String) -> Result<Vec<AttributeLine>, AppError> {
    let ctx = crate::context::server_context()?;
    let principal = crate::admin::session::staff_principal().await?;
    let brand = ctx.identity.administered_brand(&principal, &slug).await.map_err(crate::auth::fail)?;
    let slug = identity::brand::BrandSlug::parse(&brand.slug).map_err(|e| crate::auth::fail(identity::Error::Invalid(e)))?;
    let list = ctx.identity.declared_attributes(&principal, Some(&slug)).await.map_err(crate::auth::fail)?;
    Ok(list
        .into_iter()
        .map(|a| {
            let flags: Vec<&str> = [(a.required, "required"), (a.ask_at_sign_in, "asked at sign-in"), (a.group_wide, "every brand reads it")]
                .into_iter()
                .filter_map(|(on, w)| on.then_some(w))
                .collect();
            AttributeLine {
                label: a.label("en").to_owned(),
                kind: a.kind.as_str().to_owned(),
                choices: a.choices.iter().map(|c| c.value.as_str()).collect::<Vec<_>>().join(", "),
                flags: flags.join(", "),
                key: a.key,
            }
        })
        .collect())
}

/// Declares an attribute of the brand: key, English label, kind, choices (`value=Label`,
/// one a line, for a choice), required, asked at sign-in.
#[server(prefix = "/admin/api", endpoint = "brand-attribute-create")]
pub async fn admin_attribute_create(
    slug: String,
    key: String,
    label: String,
    kind: String,
    choices: String,
    required: Option<String>,
    ask_at_sign_in: Option<String>,
) -> Result<(), AppError> {
    let ctx = crate::context::server_context()?;
    let principal = crate::admin::session::staff_principal().await?;
    let brand = ctx.identity.administered_brand(&principal, &slug).await.map_err(crate::auth::fail)?;
    let slug = identity::brand::BrandSlug::parse(&brand.slug).map_err(|e| crate::auth::fail(identity::Error::Invalid(e)))?;
    let choices = choices
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| match l.split_once('=') {
            Some((value, text)) => format!("{}=en:{}", value.trim(), text.trim()),
            None => format!("{l}=en:{l}"),
        })
        .collect();
    let spec = identity::branddata::AttributeSpec {
        key,
        labels: vec![format!("en={}", label.trim())],
        kind,
        choices,
        required: crate::api::ticked(required.as_deref()),
        ask_at_sign_in: crate::api::ticked(ask_at_sign_in.as_deref()),
        ..Default::default()
    };
    ctx.identity.declare_attribute(&principal, Some(&slug), &spec).await.map_err(crate::auth::fail)?;
    Ok(())
}

/// The section: the list, then the form.
#[component]
pub fn AttributesSection(slug: String) -> impl IntoView {
    let create = ServerAction::<AdminAttributeCreate>::new();
    let attributes = Resource::new(
        {
            let slug = slug.clone();
            move || (slug.clone(), create.version().get())
        },
        |(slug, _)| admin_attributes(slug),
    );
    let c = create.value();
    view! {
        <section class="card" aria-labelledby="h-attributes">
            <h2 id="h-attributes">"Profile attributes"</h2>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match attributes.await {
                        Ok(list) if list.is_empty() => view! { <p>"No attribute yet."</p> }.into_any(),
                        Ok(list) => view! {
                            <table class="results">
                                <caption>"What the brand asks its customers for"</caption>
                                <thead><tr><th scope="col">"Attribute"</th><th scope="col">"Kind"</th><th scope="col">"Choices"</th><th scope="col">"Rules"</th></tr></thead>
                                <tbody>{list.into_iter().map(|a| view! {
                                    <tr><td>{a.label} <br/><code>{a.key}</code></td><td>{a.kind}</td><td>{a.choices}</td><td>{a.flags}</td></tr>
                                }).collect_view()}</tbody>
                            </table>
                        }.into_any(),
                        Err(e) => view! { <p class="alert" role="alert">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
            <ActionForm action=create attr:class="form" attr:novalidate="true">
                <PageField/>
                <h3>"Declare an attribute"</h3>
                {move || (done_without_js::<AdminAttributeCreate>() || matches!(c.get(), Some(Ok(())))).then(|| view! {
                    <p role="status" class="success">"Attribute declared."</p>
                })}
                <ErrorSummary error=failure(c) pending=create.pending()
                    fields=&[("Key", "field-attribute-key"), ("Label", "field-attribute-label"), ("Choice", "attribute-choices")]/>
                <input type="hidden" name="slug" value=slug/>
                <Field label="Key" name="key" id="field-attribute-key" required=true autocomplete="off" hint="a-z, 0-9 and _, starting with a letter (e.g. seat)" error=field_error(c, "Key")/>
                <Field label="Label (English)" name="label" id="field-attribute-label" required=true autocomplete="off" error=field_error(c, "Label")/>
                <div class="field">
                    <label for="attribute-kind">"Kind"</label>
                    <select id="attribute-kind" name="kind">
                        {KINDS.into_iter().map(|(v, w)| view! { <option value=v>{w}</option> }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="attribute-choices">"Choices (for a choice: value=Label, one a line)"</label>
                    <textarea id="attribute-choices" name="choices" rows="3"></textarea>
                </div>
                <div class="check">
                    <input type="checkbox" id="attribute-required" name="required"/>
                    <label for="attribute-required">"Required by the brand"</label>
                </div>
                <div class="check">
                    <input type="checkbox" id="attribute-ask" name="ask_at_sign_in"/>
                    <label for="attribute-ask">"Ask for it at sign-in when missing (required ones only)"</label>
                </div>
                <button type="submit">"Declare"</button>
            </ActionForm>
        </section>
    }
}
