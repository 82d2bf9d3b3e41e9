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

use crate::admin::brand_api::{
    AdminBrandDetails, AdminBrandTheme, AdminClientCreate, AdminClientDisable, AdminClientRedirects, AdminClientRotate, BrandAdminView, ClientLine,
    KEEP_OLD, NewSecret, admin_brand, admin_brands, admin_take_client_secret,
};
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
    let create = ServerAction::<AdminClientCreate>::new();
    let rotate = ServerAction::<AdminClientRotate>::new();
    let redirects = ServerAction::<AdminClientRedirects>::new();
    let disable = ServerAction::<AdminClientDisable>::new();
    let versions = move || {
        (details.version().get(), theme.version().get(), create.version().get(), rotate.version().get(), redirects.version().get(), disable.version().get())
    };
    let brand = Resource::new(move || (slug(), versions()), |(slug, _)| admin_brand(slug));
    // Taken once, on the render a plain post lands on (the wasm has the answer already).
    let taken = Resource::new(|| (), |()| admin_take_client_secret());
    let actions = Actions { details, theme, create, rotate, redirects, disable };
    view! {
        <Title text="Brand"/>
        <nav aria-label="Staff"><p><a href="/admin">"Staff home"</a> " · " <a href="/admin/brands">"Brands"</a></p></nav>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                let new_secret = taken.await.ok().flatten();
                match brand.await {
                    Ok(b) => view! { <BrandSections b=b actions=actions new_secret=new_secret/> }.into_any(),
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
    create: ServerAction<AdminClientCreate>,
    rotate: ServerAction<AdminClientRotate>,
    redirects: ServerAction<AdminClientRedirects>,
    disable: ServerAction<AdminClientDisable>,
}

#[component]
fn BrandSections(b: BrandAdminView, actions: Actions, new_secret: Option<NewSecret>) -> impl IntoView {
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

        <ThemeSection slug=slug_theme saved=[saved("primary"), saved("on-primary"), saved("surface"), saved("text"), saved("accent")] action=actions.theme/>

        <crate::admin::brand_purposes::PurposesSection slug=slug_purposes/>

        <crate::admin::brand_attributes::AttributesSection slug=slug_attributes/>

        <crate::admin::brand_loyalty::LoyaltySection slug=slug_loyalty/>

        <ClientsSection slug=slug_clients clients=clients actions=actions new_secret=new_secret/>
    }
}

/// A colour the preview may use: exactly `#rrggbb` (anything else keeps the saved one).
fn hex(s: &str) -> Option<String> {
    let s = s.trim();
    (s.len() == 7 && s.starts_with('#') && s[1..].bytes().all(|b| b.is_ascii_hexdigit())).then(|| s.to_ascii_lowercase())
}

/// The theme colours and a preview: the saved theme (the brand's stylesheet), then, with
/// the wasm, what is being typed (set through the CSS object model, which the page's
/// CSP allows, unlike inline styles).
#[component]
fn ThemeSection(slug: String, saved: [String; 5], action: ServerAction<AdminBrandTheme>) -> impl IntoView {
    const NAMES: [(&str, &str, &str); 5] = [
        ("primary", "primary", "Primary (buttons)"),
        ("on_primary", "on-primary", "Text on primary"),
        ("surface", "surface", "Surface (background)"),
        ("text", "text", "Text"),
        ("accent", "accent", "Accent (links)"),
    ];
    let typed: [RwSignal<String>; 5] = std::array::from_fn(|_| RwSignal::new(String::new()));
    let kept = saved.clone();
    let shown = move |i: usize| {
        let saved = kept[i].clone();
        move || hex(&typed[i].get()).or_else(|| hex(&saved))
    };
    let result = action.value();
    view! {
        <section class="card" aria-labelledby="h-theme">
            <h2 id="h-theme">"Theme"</h2>
            <p class="hint">"Colours as #rrggbb. Primary and text on primary, and surface and text, are set together and need a contrast of at least 4.5:1. A blank field keeps the saved colour."</p>
            <div class="theme-preview" aria-label="Preview" role="group" style:background-color=shown(2) style:color=shown(3)>
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
        </section>
    }
}

/// The brand's clients: the list with each one's forms, and "Register a client".
#[component]
fn ClientsSection(slug: String, clients: Vec<ClientLine>, actions: Actions, new_secret: Option<NewSecret>) -> impl IntoView {
    let created = actions.create.value();
    let rotated = actions.rotate.value();
    // The secret just issued: from the wasm's answer, or the plain post's session.
    let secret = move || {
        let from_wasm = match (created.get(), rotated.get()) {
            (Some(Ok(Some(s))), _) | (_, Some(Ok(s))) => Some(s),
            _ => None,
        };
        from_wasm.or_else(|| new_secret.clone())
    };
    let failed = Signal::derive(move || {
        [failure(actions.rotate.value()).get(), failure(actions.redirects.value()).get(), failure(actions.disable.value()).get()].into_iter().flatten().next()
    });
    view! {
        <section class="card" aria-labelledby="h-clients">
            <h2 id="h-clients">"Clients"</h2>
            {move || secret().map(|s| view! {
                <div class="new-secret" role="status">
                    <p>"New secret for client " <code>{s.client_id.clone()}</code> ". Copy it now: it is shown once and never again."</p>
                    <p><code class="client-secret">{s.secret.clone()}</code></p>
                </div>
            })}
            <ErrorSummary error=failed fields=&[]/>
            {if clients.is_empty() { view! { <p>"No client yet."</p> }.into_any() } else { view! {
                <table class="results">
                    <caption>"Registered clients"</caption>
                    <thead><tr><th scope="col">"Client"</th><th scope="col">"Kind"</th><th scope="col">"Grant types"</th><th scope="col">"Redirect URIs"</th><th scope="col">"State"</th></tr></thead>
                    <tbody>{clients.iter().map(|c| view! {
                        <tr>
                            <td>{c.name.clone()} <br/><code>{c.id.clone()}</code></td>
                            <td>{c.kind.clone()} " (" {c.auth_method.clone()} ")"</td>
                            <td>{c.grant_types.clone()}</td>
                            <td><ul>{c.redirect_uris.iter().map(|u| view! { <li><code>{u.clone()}</code></li> }).collect_view()}</ul></td>
                            <td>{if c.disabled { "disabled" } else { "enabled" }}</td>
                        </tr>
                    }).collect_view()}</tbody>
                </table>
                {clients.into_iter().filter(|c| !c.disabled).map(|c| view! { <ClientForms c=c actions=actions/> }).collect_view()}
            }.into_any() }}
            <CreateClientForm slug=slug action=actions.create/>
        </section>
    }
}

/// Change one enabled client: its redirect URIs, its secret, or disable it.
#[component]
fn ClientForms(c: ClientLine, actions: Actions) -> impl IntoView {
    let uris_id = format!("redirects-{}", c.id);
    let keep_id = format!("keep-{}", c.id);
    let (id_redirects, id_rotate, id_disable) = (c.id.clone(), c.id.clone(), c.id.clone());
    view! {
        <div class="client-forms">
            <h3>{format!("{} ({})", c.name, c.kind)}</h3>
            <ActionForm action=actions.redirects attr:class="form">
                <PageField/>
                <input type="hidden" name="client" value=id_redirects/>
                <div class="field">
                    <label for=uris_id.clone()>"Redirect URIs, one a line (exact match)"</label>
                    <textarea id=uris_id name="redirect_uris" rows="3">{c.redirect_uris.join("\n")}</textarea>
                </div>
                <button type="submit">"Save redirect URIs"</button>
            </ActionForm>
            {c.uses_secret.then(|| view! {
                <ActionForm action=actions.rotate attr:class="form">
                    <PageField/>
                    <input type="hidden" name="client" value=id_rotate.clone()/>
                    <div class="field">
                        <label for=keep_id.clone()>"The old secret keeps working"</label>
                        <select id=keep_id name="keep_old">
                            {KEEP_OLD.into_iter().map(|(v, w)| view! { <option value=v selected={v == "24h"}>{w}</option> }).collect_view()}
                        </select>
                    </div>
                    <button type="submit">"Issue a new secret"</button>
                </ActionForm>
            })}
            <ActionForm action=actions.disable attr:class="inline-form">
                <PageField/>
                <input type="hidden" name="client" value=id_disable/>
                <button type="submit" class="danger">"Disable this client"</button>
            </ActionForm>
        </div>
    }
}

/// Register a client: name, redirect URIs, confidential or public.
#[component]
fn CreateClientForm(slug: String, action: ServerAction<AdminClientCreate>) -> impl IntoView {
    let result = action.value();
    view! {
        <ActionForm action=action attr:class="form" attr:novalidate="true">
            <PageField/>
            <h3>"Register a client"</h3>
            <ErrorSummary error=failure(result) pending=action.pending()
                fields=&[("Client name", "field-client-name"), ("Redirect URI", "new-client-redirects")]/>
            <input type="hidden" name="slug" value=slug/>
            <Field label="Name" name="name" id="field-client-name" required=true autocomplete="off" error=field_error(result, "Client name")/>
            <div class="field">
                <label for="new-client-redirects">"Redirect URIs, one a line (exact match)"</label>
                <textarea id="new-client-redirects" name="redirect_uris" rows="3"></textarea>
                {move || field_error(result, "Redirect URI").get().map(|m| view! { <p class="field-error">{m}</p> })}
            </div>
            <fieldset>
                <legend>"Kind"</legend>
                <div class="check">
                    <input type="radio" id="kind-confidential" name="kind" value="confidential" checked=true/>
                    <label for="kind-confidential">"Confidential: a web server that keeps a secret"</label>
                </div>
                <div class="check">
                    <input type="radio" id="kind-public" name="kind" value="public"/>
                    <label for="kind-public">"Public: a mobile or browser app (no secret, PKCE)"</label>
                </div>
            </fieldset>
            <button type="submit">"Register"</button>
        </ActionForm>
    }
}
