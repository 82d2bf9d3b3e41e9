//! `GET|POST /oauth2/authorize` and its resume point `GET /oauth2/continue?r=` (OIDC Core
//! §3.1.2, RFC 6749 §4.1, RFC 9207; `docs/design/oidc.md` "Authorize").
//!
//! The request is checked (`identity::oidc::authorize`), stored behind a random handle,
//! and [`advance`]d: sign-in, email confirmation and consent are pages that come back
//! to `/oauth2/continue?r=<handle>`, where the same rules run again until a code (or an
//! error) goes to the client.

use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use identity::oidc::authorize::{AuthorizeError, Destination, ResponseMode, check, client_id_of, redirect_url, response_params};
use identity::oidc::flow::{Authentication, Pending};
use identity::jose::ClaimRules;
use identity::jose::SigningAlg;
use identity::principal::Principal;
use tower_sessions::Session;

use super::errors::{OAuthError, Theme, escape, expired_page, no_store, refused_page, refused_page_for, server_error};
use super::client_auth::Params;
use super::signed_in;
use crate::http::AppState;

/// Longest query we read.
const MAX_QUERY: usize = 8 * 1024;


/// POST answers 303 to the GET form: `SameSite=Lax` cookies do not come with a
/// cross-site POST, so handling it here would see nobody signed in.
pub async fn post(axum::Form(form): axum::Form<Vec<(String, String)>>) -> Response {
    let query = Params(form).to_query();
    if query.len() > MAX_QUERY {
        return refused_page("The request is too long.");
    }
    Redirect::to(&format!("/oauth2/authorize?{query}")).into_response()
}

pub async fn get(State(state): State<AppState>, session: Session, RawQuery(raw): RawQuery) -> Response {
    if raw.as_ref().is_some_and(|q| q.len() > MAX_QUERY) {
        return refused_page("The request is too long.");
    }
    let params = Params::from_query(raw.as_deref()).0;
    let identity = &state.context.identity;
    let client_id = match client_id_of(&params) {
        Ok(id) => id,
        Err(AuthorizeError::Page(message)) => return refused_page(&message),
        Err(AuthorizeError::Redirect { .. }) => return refused_page("The request is malformed."),
    };
    let client = match identity.client_by_id(&client_id).await {
        Ok(Some(client)) => client,
        Ok(None) => return refused_page("The application that sent you here is not registered with us."),
        Err(e) => return server_error(&e),
    };
    let mut request = match check(&params, &client) {
        Ok(request) => request,
        Err(AuthorizeError::Page(message)) => {
            let theme = identity.brand(&client.brand_slug).await.ok().flatten().map(|b| Theme { slug: b.slug, name: b.name });
            return refused_page_for(&message, theme.as_ref());
        }
        Err(AuthorizeError::Redirect { to, error, description }) => return respond(&state, &to, Err(&OAuthError::redirect(error, description))),
    };
    if let Some(hint) = &request.id_token_hint {
        // Checked once here; the flow compares the stored subject from then on.
        request.hint_subject = hint_subject(&state, hint, &client.id).await;
        if request.hint_subject.is_none() {
            return respond(&state, &request.destination(), Err(&OAuthError::redirect("invalid_request", "The id_token_hint is not a valid ID token from this provider for this client.")));
        }
    }
    let handle = match identity.store_auth_request(&Principal::Anonymous, &request).await {
        Ok(handle) => handle,
        Err(e) => return server_error(&e),
    };
    advance(&state, &session, &handle).await
}

#[derive(Debug, serde::Deserialize)]
pub struct ResumeQuery {
    r: Option<String>,
}

pub async fn resume(State(state): State<AppState>, session: Session, axum::extract::Query(q): axum::extract::Query<ResumeQuery>) -> Response {
    match q.r {
        Some(handle) if !handle.is_empty() && handle.len() <= 64 => advance(&state, &session, &handle).await,
        _ => expired_page(),
    }
}

/// The `sub` of an `id_token_hint` we issued to `client_id` (expiry ignored, OIDC Core
/// §3.1.2.1), or `None` when it is not ours.
pub async fn hint_subject(state: &AppState, hint: &str, client_id: &str) -> Option<String> {
    hint_sub_and_sid(state, hint, client_id).await.map(|(sub, _)| sub)
}

/// The `sub` and `sid` (as that client saw it) of an `id_token_hint` we issued to
/// `client_id`, or `None` when it is not ours.
pub async fn hint_sub_and_sid(state: &AppState, hint: &str, client_id: &str) -> Option<(String, Option<String>)> {
    let keys = state.keys.current().await.ok()?;
    let jwt = keys.verify_jwt(hint, "JWT", &SigningAlg::ALL).ok()?;
    let rules = ClaimRules { issuer: super::issuer(state), audience: client_id, now: state.context.identity.now(), leeway_secs: 60, allow_expired: true };
    jwt.check_claims(&rules).ok()?;
    let sub = jwt.claims.get("sub")?.as_str()?.to_owned();
    Some((sub, jwt.claims.get("sid").and_then(|s| s.as_str()).map(str::to_owned)))
}

fn see_other(location: &str) -> Response {
    no_store(Redirect::to(location).into_response())
}

fn continue_path(handle: &str) -> String {
    format!("/oauth2/continue?r={handle}")
}

/// Runs the rules for the request behind `handle` against the current session.
async fn advance(state: &AppState, session: &Session, handle: &str) -> Response {
    let identity = &state.context.identity;
    let pending = match identity.pending_request(handle).await {
        Ok(Some(p)) => p,
        Ok(None) => return expired_page(),
        Err(e) => return server_error(&e),
    };
    let to = pending.request.destination();
    let stop = |error: OAuthError| {
        let to = to.clone();
        async move {
            if let Err(e) = identity.finish_request(&Principal::Anonymous, handle).await {
                return server_error(&e);
            }
            respond(state, &to, Err(&error))
        }
    };
    if pending.denied {
        return stop(OAuthError::access_denied()).await;
    }
    let request = &pending.request;
    let auth = signed_in(session, identity).await;
    // A support agent in the customer's portal: answered from the customer's own
    // decisions or refused, never sent to sign in or consent (docs/design/admin.md
    // "Signing in at brands for the customer").
    if auth.is_none()
        && let Some((support, agent)) = super::support_signed_in(session, identity).await
    {
        use identity::oidc::support::SupportSignIn;
        return match identity.support_sign_in(&agent, handle, &pending, &support).await {
            Ok(SupportSignIn::Code(code)) => respond(state, &to, Ok(&code)),
            Ok(SupportSignIn::Finished) => expired_page(),
            Ok(refusal) => {
                let code = match refusal {
                    SupportSignIn::LoginRequired => "login_required",
                    SupportSignIn::ConsentRequired => "consent_required",
                    _ => "access_denied",
                };
                stop(OAuthError::redirect(code, refusal.description())).await
            }
            Err(e) => server_error(&e),
        };
    }
    if needs_authentication(state, &pending, auth.as_ref()).await {
        if request.has_prompt("none") {
            return stop(OAuthError::login_required()).await;
        }
        let mut login = format!("/login?return_to={}", url::form_urlencoded::byte_serialize(continue_path(handle).as_bytes()).collect::<String>());
        if let Some(hint) = &request.login_hint {
            login.push_str("&email=");
            login.extend(url::form_urlencoded::byte_serialize(hint.as_bytes()));
        }
        return see_other(&login);
    }
    let Some(auth) = auth else { return expired_page() };
    let principal = auth.principal();
    let verified = match identity.verified_for_flow(&principal, &auth.customer_id).await {
        Ok(Some(verified)) => verified,
        Ok(None) => return expired_page(),
        Err(e) => return server_error(&e),
    };
    // Delegation (docs/design/household.md "Tokens"): for a client that opted in, a
    // signed-in delegate holding a live `act_at_brand` delegation for its brand chooses
    // on the consent page whom they sign in as; "on behalf of" finishes here with a
    // delegated code (the principal's approved scopes; the delegate approves nothing
    // for them). `prompt=none` never sees the chooser and signs in as the customer.
    if verified && pending.client.allow_delegation && !request.has_prompt("none") {
        // An answer counts only for the customer and sign-in that gave it.
        let same = pending.customer_id.as_deref() == Some(auth.customer_id.as_str()) && pending.sid.as_deref() == Some(auth.sid.as_str());
        match pending.act_choice.as_deref().filter(|_| same) {
            None => match identity.brand_acting_options(&principal, &auth.customer_id, &pending.client.brand_id).await {
                Ok(options) if !options.is_empty() => {
                    if let Err(e) = identity.bind_request(&principal, handle, &auth.customer_id, &auth.sid).await {
                        return server_error(&e);
                    }
                    return see_other(&format!("/oauth2/consent?r={handle}"));
                }
                Ok(_) => {}
                Err(e) => return server_error(&e),
            },
            Some(identity::oidc::flow::ACT_AS_SELF) => {}
            Some(delegation_id) => {
                return match identity.issue_delegated_code(&principal, handle, &pending, &auth, delegation_id).await {
                    Ok(Some(code)) => respond(state, &to, Ok(&code)),
                    Ok(None) => expired_page(),
                    Err(identity::Error::Forbidden) => {
                        stop(OAuthError::redirect("access_denied", "The delegation has ended, or the person acted for has not signed in at this brand yet.")).await
                    }
                    Err(e) => server_error(&e),
                };
            }
        }
    }
    let need = match identity.consent_need(&principal, &pending, &auth.customer_id).await {
        Ok(need) => need,
        Err(e) => return server_error(&e),
    };
    // The brand's (and the group's) purposes: a required one undecided, refused, or with
    // a material version newer than the one decided sends the customer to the consent
    // page too (docs/design/consent.md "The interstitial").
    let purposes = match identity.purpose_need(&principal, &auth.customer_id, &pending.client.brand_id).await {
        Ok(need) => need,
        Err(e) => return server_error(&e),
    };
    let select = request.has_prompt("select_account") && !pending.consented;
    if !verified || !need.is_empty() || !purposes.is_empty() || select {
        if request.has_prompt("none") {
            return if !verified {
                stop(OAuthError::interaction_required("The customer must confirm their email address first.")).await
            } else {
                stop(OAuthError::consent_required()).await
            };
        }
        if let Err(e) = identity.bind_request(&principal, handle, &auth.customer_id, &auth.sid).await {
            return server_error(&e);
        }
        return see_other(&format!("/oauth2/consent?r={handle}"));
    }
    // Progressive profiling (docs/design/consent.md "Brand attributes"), once the scopes
    // (and the purposes) are settled: at most one short form per request for the brand's
    // missing required attributes; `prompt=none` never sees it and goes on.
    if !request.has_prompt("none") {
        match identity.profile_need(&principal, handle, &pending, &auth.customer_id).await {
            Ok(missing) if !missing.is_empty() => {
                if let Err(e) = identity.bind_request(&principal, handle, &auth.customer_id, &auth.sid).await {
                    return server_error(&e);
                }
                return see_other(&format!("/oauth2/profile?r={handle}"));
            }
            Ok(_) => {}
            Err(e) => return server_error(&e),
        }
    }
    // Nothing left to approve: every requested scope is approved for the brand
    // (`offline_access` included only when approved on our page, OIDC Core §11).
    match identity.issue_code(&principal, handle, &pending, &auth, &need.approved).await {
        Ok(Some(code)) => respond(state, &to, Ok(&code)),
        Ok(None) => expired_page(),
        Err(e) => server_error(&e),
    }
}

/// Sign-in is needed without a session, for `prompt=login`, past `max_age`, or when the
/// `id_token_hint` names someone else — unless the customer authenticated during this
/// very flow (so `prompt=login` does not loop).
async fn needs_authentication(state: &AppState, pending: &Pending, auth: Option<&Authentication>) -> bool {
    let Some(auth) = auth else { return true };
    if auth.auth_time >= pending.created_at {
        return false;
    }
    let request = &pending.request;
    let now = state.context.identity.now();
    if request.has_prompt("login") || request.max_age.is_some_and(|age| now - auth.auth_time > age.saturating_mul(1000)) {
        return true;
    }
    if let Some(expected) = &request.hint_subject {
        let actual = state.context.identity.subject_for(&pending.client, &auth.customer_id).await.ok();
        return actual.as_ref() != Some(expected);
    }
    false
}

/// Sends the authorization response, the code or an [`OAuthError`]'s code and
/// description: 303 with query parameters, or an auto-submitting form (OAuth 2.0 Form
/// Post Response Mode).
fn respond(state: &AppState, to: &Destination, outcome: Result<&str, &OAuthError>) -> Response {
    let params = response_params(to, super::issuer(state), outcome.map_err(|e| (e.code(), e.description())));
    match to.response_mode {
        ResponseMode::Query => see_other(&redirect_url(&to.redirect_uri, &params)),
        ResponseMode::FormPost => {
            let mut nonce = [0u8; 16];
            state.context.identity.fill_random(&mut nonce);
            form_post(&to.redirect_uri, &params, &hex::encode(nonce))
        }
    }
}

fn form_post(action: &str, params: &[(String, String)], nonce: &str) -> Response {
    let inputs: String = params.iter().map(|(k, v)| format!("<input type=\"hidden\" name=\"{}\" value=\"{}\">", escape(k), escape(v))).collect();
    let html = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Returning to the site</title></head>\
         <body><main><form method=\"post\" action=\"{action}\">{inputs}<noscript><p>JavaScript is off: press the button to continue.</p>\
         <button type=\"submit\">Continue</button></noscript></form></main>\
         <script nonce=\"{nonce}\">document.forms[0].submit()</script></body></html>",
        action = escape(action)
    );
    let origin = url::Url::parse(action).map(|u| u.origin().ascii_serialization()).unwrap_or_default();
    let csp = format!("default-src 'none'; script-src 'nonce-{nonce}'; form-action {origin}; frame-ancestors 'none'; base-uri 'none'");
    let mut response = no_store((StatusCode::OK, Html(html)).into_response());
    if let Ok(v) = HeaderValue::from_str(&csp) {
        response.headers_mut().insert(header::CONTENT_SECURITY_POLICY, v);
    }
    response
}
