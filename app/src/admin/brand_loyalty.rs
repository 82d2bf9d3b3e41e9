//! The brand page's "Loyalty programme" section (`/admin/brands/<slug>`): the brand's
//! programmes and "Declare a programme" — the UI over `foyer loyalty-programme
//! create|list` (`docs/design/loyalty.md`). The core checks the declaration and
//! authorizes on the brand; importing existing memberships stays with the command line.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::components::form::{ErrorSummary, Field, PageField, done_without_js, failure, field_error};
use crate::error::AppError;

/// One programme as the page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgrammeLine {
    pub slug: String,
    pub name: String,
    pub number_pattern: String,
    pub tiers: String,
    pub verification: String,
    pub pooling: bool,
}

/// How a link is proven, as the form offers it.
pub const VERIFICATIONS: [(&str, &str); 4] = [
    ("email", "A code to the address the brand has on file"),
    ("code", "The card's one-time code"),
    ("brand-api", "The brand's back end decides"),
    ("support", "Support checks it"),
];

/// The brand's programmes.
#[server(prefix = "/admin/api", endpoint = "brand-programmes")]
pub async fn admin_programmes(slug: String) -> Result<Vec<ProgrammeLine>, AppError> {
    let ctx = crate::context::server_context()?;
    let principal = crate::admin::session::staff_principal().await?;
    let brand = ctx.identity.administered_brand(&principal, &slug).await.map_err(crate::auth::fail)?;
    let list = ctx.identity.programmes(Some(&brand.slug)).await.map_err(crate::auth::fail)?;
    Ok(list
        .into_iter()
        .map(|p| ProgrammeLine {
            slug: p.slug,
            name: p.name,
            number_pattern: if p.luhn { format!("{} (Luhn check digit)", p.number_pattern) } else { p.number_pattern },
            tiers: p.tiers.join(", "),
            verification: p.verification.as_str().to_owned(),
            pooling: p.pooling,
        })
        .collect())
}

/// Declares a programme of the brand.
#[server(prefix = "/admin/api", endpoint = "brand-programme-create")]
pub async fn admin_programme_create(
    slug: String,
    programme: String,
    name: String,
    number_pattern: String,
    tiers: String,
    verification: String,
    luhn: Option<String>,
    pooling: Option<String>,
) -> Result<(), AppError> {
    let ctx = crate::context::server_context()?;
    let principal = crate::admin::session::staff_principal().await?;
    let brand = ctx.identity.administered_brand(&principal, &slug).await.map_err(crate::auth::fail)?;
    let new = identity::loyalty::programme::NewProgramme {
        brand: brand.slug,
        slug: Some(programme),
        name,
        number_pattern,
        luhn: crate::api::ticked(luhn.as_deref()),
        tiers: tiers.split(',').map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned).collect(),
        verification,
        pooling: crate::api::ticked(pooling.as_deref()),
    };
    ctx.identity.create_programme(&principal, &new).await.map_err(crate::auth::fail)?;
    Ok(())
}

/// The section: the list, then the form.
#[component]
pub fn LoyaltySection(slug: String) -> impl IntoView {
    let create = ServerAction::<AdminProgrammeCreate>::new();
    let programmes = Resource::new(
        {
            let slug = slug.clone();
            move || (slug.clone(), create.version().get())
        },
        |(slug, _)| admin_programmes(slug),
    );
    let c = create.value();
    view! {
        <section class="card" aria-labelledby="h-loyalty">
            <h2 id="h-loyalty">"Loyalty programme"</h2>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match programmes.await {
                        Ok(list) if list.is_empty() => view! { <p>"No programme yet."</p> }.into_any(),
                        Ok(list) => view! {
                            <table class="results">
                                <caption>"The brand's programmes"</caption>
                                <thead><tr><th scope="col">"Programme"</th><th scope="col">"Member number"</th><th scope="col">"Tiers"</th><th scope="col">"Links proven by"</th><th scope="col">"Household pooling"</th></tr></thead>
                                <tbody>{list.into_iter().map(|p| view! {
                                    <tr><td>{p.name} <br/><code>{p.slug}</code></td><td><code>{p.number_pattern}</code></td><td>{p.tiers}</td>
                                        <td>{p.verification}</td><td>{if p.pooling { "yes" } else { "no" }}</td></tr>
                                }).collect_view()}</tbody>
                            </table>
                        }.into_any(),
                        Err(e) => view! { <p class="alert" role="alert">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
            <ActionForm action=create attr:class="form" attr:novalidate="true">
                <PageField/>
                <h3>"Declare a programme"</h3>
                {move || (done_without_js::<AdminProgrammeCreate>() || matches!(c.get(), Some(Ok(())))).then(|| view! {
                    <p role="status" class="success">"Programme declared."</p>
                })}
                <ErrorSummary error=failure(c) pending=create.pending()
                    fields=&[("Name", "field-programme-name"), ("Slug", "field-programme-slug"), ("Number pattern", "field-programme-pattern"), ("Tiers", "field-programme-tiers")]/>
                <input type="hidden" name="slug" value=slug/>
                <Field label="Name customers see" name="name" id="field-programme-name" required=true autocomplete="off" error=field_error(c, "Name")/>
                <Field label="Slug in the API (blank: the brand's)" name="programme" id="field-programme-slug" autocomplete="off" error=field_error(c, "Slug")/>
                <Field label="Member number format (a regular expression)" name="number_pattern" id="field-programme-pattern" required=true autocomplete="off"
                    hint="Matched whole, after spaces and dashes are removed and letters upper-cased, e.g. [0-9]{10}" error=field_error(c, "Number pattern")/>
                <div class="check">
                    <input type="checkbox" id="programme-luhn" name="luhn"/>
                    <label for="programme-luhn">"The number ends in a Luhn check digit"</label>
                </div>
                <Field label="Tiers, lowest first, comma-separated" name="tiers" id="field-programme-tiers" autocomplete="off" error=field_error(c, "Tiers")/>
                <div class="field">
                    <label for="programme-verification">"How a link is proven"</label>
                    <select id="programme-verification" name="verification">
                        {VERIFICATIONS.into_iter().map(|(v, w)| view! { <option value=v>{w}</option> }).collect_view()}
                    </select>
                </div>
                <div class="check">
                    <input type="checkbox" id="programme-pooling" name="pooling"/>
                    <label for="programme-pooling">"Household members may pool their memberships"</label>
                </div>
                <button type="submit">"Declare"</button>
            </ActionForm>
        </section>
    }
}
