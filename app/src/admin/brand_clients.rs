//! The brand page's "Clients" section (`/admin/brands/<slug>`): the brand's clients with
//! each one's options, and for an enabled one its redirect URIs, its options (what
//! `foyer client update` changes), a new secret and "Disable"; "Register a client" with
//! every option of `foyer client create` under "More options" (blank: the core's
//! default), so the simple case stays name, redirect URIs and kind. The server
//! functions are [`crate::admin::brand_api`]; the core checks and audits each change.

use leptos::prelude::*;

use crate::admin::brand_api::{
    AdminClientCreate, AdminClientDisable, AdminClientRedirects, AdminClientRotate, AdminClientUpdate, ClientLine, KEEP_OLD, NewSecret,
};
use crate::components::form::{ErrorSummary, Field, PageField, done_without_js, failure, field_error, sticky_value};
use crate::error::AppError;

/// The section's actions, passed down together.
#[derive(Clone, Copy)]
pub struct ClientActions {
    pub create: ServerAction<AdminClientCreate>,
    pub rotate: ServerAction<AdminClientRotate>,
    pub redirects: ServerAction<AdminClientRedirects>,
    pub disable: ServerAction<AdminClientDisable>,
    pub update: ServerAction<AdminClientUpdate>,
}

impl ClientActions {
    pub fn new() -> Self {
        Self {
            create: ServerAction::new(),
            rotate: ServerAction::new(),
            redirects: ServerAction::new(),
            disable: ServerAction::new(),
            update: ServerAction::new(),
        }
    }

    /// Moves when any of them completes (the page reloads the brand then).
    pub fn versions(self) -> (usize, usize, usize, usize, usize) {
        (self.create.version().get(), self.rotate.version().get(), self.redirects.version().get(), self.disable.version().get(), self.update.version().get())
    }
}

impl std::fmt::Debug for ClientActions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ClientActions")
    }
}

impl Default for ClientActions {
    fn default() -> Self {
        Self::new()
    }
}

/// The core's field names of "Register a client" and the inputs they belong to.
const CREATE_FIELDS: &[(&str, &str)] = &[
    ("Client name", "field-client-name"),
    ("Redirect URI", "new-client-redirects"),
    ("Auth method", "new-client-auth"),
    ("JWKS", "new-client-jwks"),
    ("Post-logout redirect URI", "new-client-post-logout"),
    ("Back-channel logout URI", "new-client-backchannel"),
    ("Scope", "new-client-scopes"),
    ("Grant", "new-client-grant"),
    ("Subject type", "new-client-subject"),
    ("ID token algorithm", "new-client-alg"),
    ("Access token lifetime", "new-client-access"),
    ("ID token lifetime", "new-client-id"),
    ("Refresh token lifetime", "new-client-refresh"),
    ("Token rate", "new-client-rate"),
    ("Token burst", "new-client-burst"),
];

/// The brand's clients: the list with each one's forms, and "Register a client".
#[component]
pub fn ClientsSection(slug: String, clients: Vec<ClientLine>, actions: ClientActions, new_secret: Option<NewSecret>) -> impl IntoView {
    let created = actions.create.value();
    let rotated = actions.rotate.value();
    let updated = actions.update.value();
    // The secret just issued: from the wasm's answer, or the plain post's session.
    let secret = move || {
        let from_wasm = match (created.get(), rotated.get()) {
            (Some(Ok(Some(s))), _) | (_, Some(Ok(s))) => Some(s),
            _ => None,
        };
        from_wasm.or_else(|| new_secret.clone())
    };
    let failed = Signal::derive(move || {
        [failure(actions.rotate.value()).get(), failure(actions.redirects.value()).get(), failure(actions.disable.value()).get(), failure(updated).get()]
            .into_iter()
            .flatten()
            .next()
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
            {move || (done_without_js::<AdminClientUpdate>() || matches!(updated.get(), Some(Ok(())))).then(|| view! {
                <p role="status" class="success">"Client options saved."</p>
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

/// What a client is registered with, as a definition list.
#[component]
fn ClientOptions(c: ClientLine) -> impl IntoView {
    let or = |v: &str, none: &str| if v.is_empty() { none.to_owned() } else { v.to_owned() };
    let rows = [
        ("Scopes", c.scopes.clone()),
        ("Post-logout redirect URIs", or(&c.post_logout_redirect_uris.join(" "), "none")),
        ("Back-channel logout URI", or(&c.backchannel_logout_uri, "none")),
        ("Subject", c.subject_type.clone()),
        ("ID token algorithm", c.id_token_alg.clone()),
        ("Lifetimes", format!("access token {}, ID token {}, refresh token {}", c.access_token_ttl, c.id_token_ttl, c.refresh_token_ttl)),
        ("Token endpoint rate", format!("{} a second, burst {}", or(&c.token_rate, "server's setting"), or(&c.token_burst, "server's setting"))),
        ("Delegated tokens", if c.allow_delegation { "allowed" } else { "not allowed" }.to_owned()),
    ];
    view! {
        <dl class="client-options">
            {rows.into_iter().map(|(term, value)| view! { <dt>{term}</dt><dd>{value}</dd> }).collect_view()}
        </dl>
    }
}

/// Change one enabled client: its redirect URIs, its options, its secret, or disable it.
#[component]
fn ClientForms(c: ClientLine, actions: ClientActions) -> impl IntoView {
    let uris_id = format!("redirects-{}", c.id);
    let keep_id = format!("keep-{}", c.id);
    let delegation_id = format!("delegation-{}", c.id);
    let (id_redirects, id_rotate, id_disable, id_update) = (c.id.clone(), c.id.clone(), c.id.clone(), c.id.clone());
    view! {
        <div class="client-forms">
            <h3>{format!("{} ({})", c.name, c.kind)}</h3>
            <ClientOptions c=c.clone()/>
            <ActionForm action=actions.redirects attr:class="form">
                <PageField/>
                <input type="hidden" name="client" value=id_redirects/>
                <div class="field">
                    <label for=uris_id.clone()>"Redirect URIs, one a line (exact match)"</label>
                    <textarea id=uris_id name="redirect_uris" rows="3">{c.redirect_uris.join("\n")}</textarea>
                </div>
                <button type="submit">"Save redirect URIs"</button>
            </ActionForm>
            <ActionForm action=actions.update attr:class="form" attr:novalidate="true">
                <PageField/>
                <input type="hidden" name="client" value=id_update/>
                <Field label="Token requests a second" name="rate_per_second" id=format!("rate-{}", c.id) value=c.token_rate.clone() autocomplete="off"
                    hint="At the token and revocation endpoints; blank: the server's setting."/>
                <Field label="Burst" name="rate_burst" id=format!("burst-{}", c.id) value=c.token_burst.clone() autocomplete="off"
                    hint="Requests at once after a quiet period; blank: twice the rate, else the server's setting."/>
                <div class="check">
                    <input type="checkbox" id=delegation_id.clone() name="allow_delegation" checked=c.allow_delegation/>
                    <label for=delegation_id>"Delegated tokens: household delegates may sign in on a customer's behalf and the client may use token exchange (turning this off ends the delegated grants it holds)"</label>
                </div>
                <button type="submit">"Save options"</button>
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

/// A label, a select or text area (the children), a hint and the server's message for
/// its field, tied to it by `aria-describedby` (`Field` does the same for inputs).
#[component]
fn Labelled(#[prop(into)] label: String, id: &'static str, #[prop(optional, into)] hint: Option<String>, error: Signal<Option<String>>, children: Children) -> impl IntoView {
    let error_id = format!("{id}-error");
    view! {
        <div class="field">
            <label for=id>{label}</label>
            {hint.map(|h| view! { <p class="hint" id=format!("{id}-hint")>{h}</p> })}
            {children()}
            {move || error.get().map(|m| view! { <p class="field-error" id=error_id.clone()>{m}</p> })}
        </div>
    }
}

/// A select of `choices` (value, words); the first is the default (blank: the core's).
fn select(id: &'static str, name: &'static str, choices: &'static [(&'static str, &'static str)], error: Signal<Option<String>>) -> impl IntoView {
    let kept = sticky_value(name);
    let described = move || error.get().is_some().then(|| format!("{id}-error"));
    view! {
        <select id=id name=name aria-invalid=move || error.get().is_some().then_some("true") aria-describedby=described>
            {choices.iter().map(|(v, w)| view! { <option value=*v selected={kept == *v}>{*w}</option> }).collect_view()}
        </select>
    }
}

/// A text area, with what a refused plain post had in it.
fn area(id: &'static str, name: &'static str, rows: &'static str, error: Signal<Option<String>>) -> impl IntoView {
    let described = move || error.get().is_some().then(|| format!("{id}-error"));
    view! {
        <textarea id=id name=name rows=rows aria-invalid=move || error.get().is_some().then_some("true") aria-describedby=described>{sticky_value(name)}</textarea>
    }
}

const AUTH_METHODS: &[(&str, &str)] = &[
    ("", "Default: client_secret_basic, or none for a public client"),
    ("client_secret_basic", "client_secret_basic (the secret in the Authorization header)"),
    ("client_secret_post", "client_secret_post (the secret in the form body)"),
    ("private_key_jwt", "private_key_jwt (a JWT signed with the client's key; no secret)"),
];
const SUBJECTS: &[(&str, &str)] = &[("", "Default: public (the customer's id)"), ("public", "public"), ("pairwise", "pairwise (a different sub for this brand)")];
const ALGS: &[(&str, &str)] = &[("", "Default: RS256"), ("RS256", "RS256"), ("ES256", "ES256"), ("EdDSA", "EdDSA")];

/// Register a client: name, redirect URIs, confidential or public, and under "More
/// options" the rest of `foyer client create` (open when one of them was refused).
#[component]
fn CreateClientForm(slug: String, action: ServerAction<AdminClientCreate>) -> impl IntoView {
    let result = action.value();
    let e = move |field: &'static str| field_error(result, field);
    let more_refused = Signal::derive(move || {
        result.get().and_then(Result::err).is_some_and(|err: AppError| CREATE_FIELDS[2..].iter().any(|(f, _)| err.for_field(f).is_some()))
    });
    let ticked = |name: &str| sticky_value(name) == "on" || sticky_value(name) == "client_credentials";
    view! {
        <ActionForm action=action attr:class="form" attr:novalidate="true">
            <PageField/>
            <h3>"Register a client"</h3>
            <ErrorSummary error=failure(result) pending=action.pending() fields=CREATE_FIELDS/>
            <input type="hidden" name="slug" value=slug/>
            <Field label="Name" name="name" id="field-client-name" required=true autocomplete="off" error=e("Client name")/>
            <Labelled label="Redirect URIs, one a line (exact match)" id="new-client-redirects" error=e("Redirect URI")>
                {area("new-client-redirects", "redirect_uris", "3", e("Redirect URI"))}
            </Labelled>
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
            <details class="more-options" open=move || more_refused.get()>
                <summary>"More options"</summary>
                <p class="hint">"Blank fields keep the defaults of foyer client create."</p>
                <Labelled label="Token endpoint authentication" id="new-client-auth" error=e("Auth method")>
                    {select("new-client-auth", "auth_method", AUTH_METHODS, e("Auth method"))}
                </Labelled>
                <Labelled label="Public keys (JWKS JSON), for private_key_jwt only" id="new-client-jwks" error=e("JWKS")>
                    {area("new-client-jwks", "jwks", "4", e("JWKS"))}
                </Labelled>
                <Labelled label="Post-logout redirect URIs, one a line (exact match)" id="new-client-post-logout" error=e("Post-logout redirect URI")>
                    {area("new-client-post-logout", "post_logout_uris", "2", e("Post-logout redirect URI"))}
                </Labelled>
                <Field label="Back-channel logout URI" name="backchannel_logout_uri" id="new-client-backchannel" kind="url" autocomplete="off"
                    hint="https; Foyer posts a logout token here when a customer's session ends." error=e("Back-channel logout URI")/>
                <Field label="Scopes, space-separated" name="scopes" id="new-client-scopes" autocomplete="off"
                    hint="Blank: openid profile email offline_access. Also phone, address, consents, attributes, preferences, household, loyalty; an API scope (a-z 0-9 : . _ -) needs client_credentials."
                    error=e("Scope")/>
                <div class="check">
                    <input type="checkbox" id="new-client-grant" name="extra_grant" value="client_credentials" checked=ticked("extra_grant")/>
                    <label for="new-client-grant">"Also the client_credentials grant (its back end calls Foyer's APIs; confidential clients only)"</label>
                    {move || e("Grant").get().map(|m| view! { <p class="field-error" id="new-client-grant-error">{m}</p> })}
                </div>
                <Labelled label="Subject (sub) the client sees" id="new-client-subject" error=e("Subject type")>
                    {select("new-client-subject", "subject", SUBJECTS, e("Subject type"))}
                </Labelled>
                <Labelled label="ID token signing algorithm" id="new-client-alg" error=e("ID token algorithm")>
                    {select("new-client-alg", "id_token_alg", ALGS, e("ID token algorithm"))}
                </Labelled>
                <Field label="Access token lifetime" name="access_lifetime" id="new-client-access" autocomplete="off" hint="1m to 60m; blank: 10m." error=e("Access token lifetime")/>
                <Field label="ID token lifetime" name="id_lifetime" id="new-client-id" autocomplete="off" hint="1m to 60m; blank: 10m." error=e("ID token lifetime")/>
                <Field label="Refresh token lifetime" name="refresh_lifetime" id="new-client-refresh" autocomplete="off" hint="1h to 365d; blank: 30d." error=e("Refresh token lifetime")/>
                <Field label="Token requests a second" name="rate_per_second" id="new-client-rate" autocomplete="off"
                    hint="At the token and revocation endpoints; blank: the server's setting." error=e("Token rate")/>
                <Field label="Burst" name="rate_burst" id="new-client-burst" autocomplete="off"
                    hint="Requests at once after a quiet period; blank: twice the rate, else the server's setting." error=e("Token burst")/>
                <div class="check">
                    <input type="checkbox" id="new-client-delegation" name="allow_delegation" checked=ticked("allow_delegation")/>
                    <label for="new-client-delegation">"Delegated tokens: household delegates may sign in on a customer's behalf and the client may use token exchange"</label>
                </div>
            </details>
            <button type="submit">"Register"</button>
        </ActionForm>
    }
}
