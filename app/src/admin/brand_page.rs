//! `/admin/brands` (the brands this staff member administers) and `/admin/brands/<slug>`
//! (details, theme with its contrast check and a live preview, consent purposes, profile
//! attributes, the loyalty programme, clients), for brand administrators and operators:
//! the UI over `foyer brand|client|purpose|attribute|loyalty-programme …`
//! (`docs/design/admin.md` "Brand administration"; the server functions are
//! [`crate::admin::brand_api`]). Server-rendered whole with plain forms; a new client
//! secret shows once, on the page the post lands on.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::admin::brand_api::{AdminBrandDetails, AdminBrandTheme, BrandAdminView, NewSecret, admin_brand, admin_brands, admin_take_client_secret};
use crate::admin::brand_clients::{ClientActions, ClientsSection};
use crate::api::account::encode_path;
use crate::components::form::{ErrorSummary, Field, PageField, done_without_js, failure, field_error};
use crate::error::AppError;

/// The answer for a signed-out browser, a role without brands, an unknown brand.
fn refused(e: AppError, title: &'static str) -> AnyView {
    match e {
        AppError::SignInRequired => {
            #[cfg(feature = "ssr")]
            leptos_axum::redirect("/admin/login");
            view! { <p><a href="/admin/login">"Staff sign-in"</a></p> }.into_any()
        }
        AppError::Forbidden => view! {
            <h1>{title}</h1>
            <p class="alert" role="alert">"Your role does not include brand administration."</p>
        }
        .into_any(),
        AppError::NotFound(_) => view! {
            <h1>{title}</h1>
            <p class="alert" role="alert">"There is no brand here that you administer."</p>
        }
        .into_any(),
        e => view! { <p class="alert" role="alert">{e.to_string()}</p> }.into_any(),
    }
}

/// `/admin/brands`: a link to each brand this staff member administers.
#[component]
pub fn AdminBrandsPage() -> impl IntoView {
    let brands = Resource::new(|| (), |()| admin_brands());
    view! {
        <Title text="Brands"/>
        <nav aria-label="Staff"><p><a href="/admin">"Staff home"</a></p></nav>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match brands.await {
                    Ok(list) => view! {
                        <h1>"Brands"</h1>
                        {if list.is_empty() {
                            view! { <p>"No brand has been granted to you yet: ask an operator."</p> }.into_any()
                        } else {
                            view! {
                                <ul class="brand-list">{list.into_iter().map(|b| {
                                    let href = format!("/admin/brands/{}", encode_path(&b.slug));
                                    view! { <li><a href=href>{b.name}</a> " " <code>{b.slug}</code></li> }
                                }).collect_view()}</ul>
                            }.into_any()
                        }}
                    }.into_any(),
                    Err(e) => refused(e, "Brands"),
                }
            })}
        </Suspense>
    }
}

/// `/admin/brands/<slug>`: the brand's details, theme and clients.
#[component]
pub fn AdminBrandPage() -> impl IntoView {
    let params = use_params_map();
    let slug = move || params.with(|p| p.get("slug")).unwrap_or_default();
    let details = ServerAction::<AdminBrandDetails>::new();
    let theme = ServerAction::<AdminBrandTheme>::new();
    let clients = ClientActions::new();
    let versions = move || (details.version().get(), theme.version().get(), clients.versions());
    let brand = Resource::new(move || (slug(), versions()), |(slug, _)| admin_brand(slug));
    // Taken once, on the render a plain post lands on (the wasm has the answer already).
    let taken = Resource::new(|| (), |()| admin_take_client_secret());
    let import_report = Resource::new(|| (), |()| crate::admin::brand_loyalty::admin_take_import_report());
    let actions = Actions { details, theme, clients };
    view! {
        <Title text="Brand"/>
        <nav aria-label="Staff"><p><a href="/admin">"Staff home"</a> " · " <a href="/admin/brands">"Brands"</a></p></nav>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                let new_secret = taken.await.ok().flatten();
                let import_report = import_report.await.ok().flatten();
                match brand.await {
                    Ok(b) => view! { <BrandSections b=b actions=actions new_secret=new_secret import_report=import_report/> }.into_any(),
                    Err(e) => refused(e, "Brand"),
                }
            })}
        </Suspense>
    }
}

/// The page's actions, passed down together.
#[derive(Clone, Copy)]
struct Actions {
    details: ServerAction<AdminBrandDetails>,
    theme: ServerAction<AdminBrandTheme>,
    clients: ClientActions,
}

#[component]
fn BrandSections(
    b: BrandAdminView,
    actions: Actions,
    new_secret: Option<NewSecret>,
    import_report: Option<crate::admin::brand_loyalty::ImportOutcome>,
) -> impl IntoView {
    let theme_css = format!("/brands/{}/theme.css", encode_path(&b.slug));
    let colors = b.colors.clone();
    let saved = |name: &str| colors.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone()).unwrap_or_default();
    let d = actions.details.value();
    let clients = b.clients.clone();
    let (slug_details, slug_theme, slug_clients) = (b.slug.clone(), b.slug.clone(), b.slug.clone());
    let (slug_purposes, slug_attributes, slug_loyalty) = (b.slug.clone(), b.slug.clone(), b.slug.clone());
    view! {
        <link rel="stylesheet" href=theme_css/>
        <h1>{b.name.clone()}</h1>
        <p>"Brand " <code>{b.slug.clone()}</code></p>

        <section class="card" aria-labelledby="h-details">
            <h2 id="h-details">"Details"</h2>
            <ActionForm action=actions.details attr:class="form" attr:novalidate="true">
                <PageField/>
                {move || (done_without_js::<AdminBrandDetails>() || matches!(d.get(), Some(Ok(())))).then(|| view! {
                    <p role="status" class="success">"Details saved."</p>
                })}
                <ErrorSummary error=failure(d) pending=actions.details.pending()
                    fields=&[("Brand name", "field-name"), ("Website URL", "field-website_url"), ("Support email", "field-support_email"),
                        ("Support URL", "field-support_url"), ("Terms URL", "field-terms_url"), ("Privacy URL", "field-privacy_url")]/>
                <input type="hidden" name="slug" value=slug_details/>
                <Field label="Name" name="name" value=b.name.clone() required=true autocomplete="off" error=field_error(d, "Brand name")/>
                <Field label="Website" name="website_url" kind="url" value=b.website_url.clone() autocomplete="off" error=field_error(d, "Website URL")/>
                <Field label="Support email" name="support_email" kind="email" value=b.support_email.clone() autocomplete="off" error=field_error(d, "Support email")/>
                <Field label="Support page" name="support_url" kind="url" value=b.support_url.clone() autocomplete="off" error=field_error(d, "Support URL")/>
                <Field label="Terms" name="terms_url" kind="url" value=b.terms_url.clone() autocomplete="off" error=field_error(d, "Terms URL")/>
                <Field label="Privacy notice" name="privacy_url" kind="url" value=b.privacy_url.clone() autocomplete="off" error=field_error(d, "Privacy URL")
                    hint="Links are https; a blank field removes the link."/>
                <button type="submit">"Save details"</button>
            </ActionForm>
        </section>

        <ThemeSection slug=slug_theme saved=[saved("primary"), saved("on-primary"), saved("surface"), saved("text"), saved("accent")] action=actions.theme logo=b.logo.clone()/>

        <crate::admin::brand_purposes::PurposesSection slug=slug_purposes/>

        <crate::admin::brand_attributes::AttributesSection slug=slug_attributes/>

        <crate::admin::brand_topics::TopicsSection slug=b.slug.clone()/>

        <crate::admin::brand_loyalty::LoyaltySection slug=slug_loyalty import_report=import_report/>

        <ClientsSection slug=slug_clients clients=clients actions=actions.clients new_secret=new_secret/>
    }
}

/// A colour the preview may use: exactly `#rrggbb` (anything else shows the saved one).
fn hex(s: &str) -> Option<String> {
    let s = s.trim();
    (s.len() == 7 && s.starts_with('#') && s[1..].bytes().all(|b| b.is_ascii_hexdigit())).then(|| s.to_ascii_lowercase())
}

/// The theme colours and a preview: the saved theme (the brand's stylesheet), then, with
/// the wasm, what is being typed (set through the CSS object model, which the page's
/// CSP allows, unlike inline styles).
#[component]
fn ThemeSection(slug: String, saved: [String; 5], action: ServerAction<AdminBrandTheme>, logo: Option<String>) -> impl IntoView {
    const NAMES: [(&str, &str, &str); 5] = [
        ("primary", "primary", "Primary (buttons)"),
        ("on_primary", "on-primary", "Text on primary"),
        ("surface", "surface", "Surface (background)"),
        ("text", "text", "Text"),
        ("accent", "accent", "Accent (links)"),
    ];
    let typed: [RwSignal<String>; 5] = std::array::from_fn(|_| RwSignal::new(String::new()));
    // Only what is typed: the saved theme comes from the brand's stylesheet. A saved
    // colour here would be rendered on the server as an inline `style` attribute, which
    // the page's CSP refuses (a console error, and nothing shown without the wasm).
    let shown = move |i: usize| move || hex(&typed[i].get());
    let result = action.value();
    let slug_logo = slug.clone();
    view! {
        <section class="card" aria-labelledby="h-theme">
            <h2 id="h-theme">"Theme"</h2>
            <p class="hint">"Colours as #rrggbb. Primary and text on primary, and surface and text, are set together and need a contrast of at least 4.5:1. A blank field keeps the saved colour."</p>
            <div class="theme-preview" aria-label="Preview" role="group" style:background-color=shown(2) style:color=shown(3)>
                {match logo {
                    Some(src) => view! { <img class="brand-logo" src=src alt="The saved logo"/> }.into_any(),
                    None => view! { <p class="hint">"No logo yet."</p> }.into_any(),
                }}
                <p>"Sign in to continue. " <a class="sample-link" href="#h-theme" style:color=shown(4)>"A sample link"</a></p>
                <button type="button" class="sample-button" style:background-color=shown(0) style:color=shown(1)>"A sample button"</button>
            </div>
            <ActionForm action=action attr:class="form" attr:novalidate="true">
                <PageField/>
                {move || (done_without_js::<AdminBrandTheme>() || matches!(result.get(), Some(Ok(())))).then(|| view! {
                    <p role="status" class="success">"Theme saved."</p>
                })}
                <ErrorSummary error=failure(result) pending=action.pending() fields=&[("Color", "field-primary")]/>
                <input type="hidden" name="slug" value=slug/>
                {NAMES.into_iter().enumerate().map(|(i, (field, name, label))| {
                    let now = saved[i].clone();
                    let hint = if now.is_empty() { format!("{name}: not set") } else { format!("{name}: saved {now}") };
                    view! {
                        <Field label=label name=field autocomplete="off" hint=hint
                            on_input=Callback::new(move |v: String| typed[i].set(v))/>
                    }
                }).collect_view()}
                <button type="submit">"Save theme"</button>
            </ActionForm>
            <crate::admin::brand_logo::LogoUpload slug=slug_logo/>
        </section>
    }
}
