//! `GET|POST /oauth2/logout`: RP-Initiated Logout 1.0. Hints that are not ours, a
//! `client_id` that is not the hint's audience, and post-logout URIs not registered
//! exactly are refused on our page, never redirected. Without a hint matching the
//! signed-in customer and sign-in (its per-client `sid`), the customer confirms first (a
//! same-origin POST).

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use identity::oidc::clients::Client;
use tower_sessions::Session;

use super::authorize::hint_sub_and_sid;
use super::client_auth::{Params, Repeated};
use super::errors::{escape, no_store, page, refused_page, server_error};
use crate::http::AppState;

/// What a checked logout request asks for.
struct LogoutRequest {
    client: Option<Client>,
    /// The hint's `sub`, when a valid hint came.
    hint_sub: Option<String>,
    /// The hint's `sid`: the per-client value of the sign-in it came from.
    hint_sid: Option<String>,
    post_logout_redirect_uri: Option<String>,
    state: Option<String>,
}


#[expect(clippy::result_large_err, reason = "the refusal is the handler's answer, returned at once")]
fn one<'a>(params: &'a Params, name: &'static str) -> Result<Option<&'a str>, Response> {
    params.one(name).map_err(|Repeated(name)| refused_page(&format!("The sign-out request repeats {name}.")))
}

async fn check(state: &AppState, params: &Params) -> Result<LogoutRequest, Response> {
    let identity = &state.context.identity;
    let hint = one(params, "id_token_hint")?;
    let client_id = one(params, "client_id")?;
    let uri = one(params, "post_logout_redirect_uri")?;
    let logout_state = one(params, "state")?.filter(|s| s.len() <= 1024).map(str::to_owned);
    // The hint's audience names the client; read it, then verify against that client.
    let hint_aud = hint.and_then(unverified_audience);
    if let (Some(given), Some(aud)) = (client_id, hint_aud.as_deref())
        && given != aud
    {
        return Err(refused_page("The sign-out request names two different applications."));
    }
    let client_id = client_id.map(str::to_owned).or(hint_aud);
    let client = match client_id {
        Some(id) => identity.client_by_id(&id).await.map_err(|e| server_error(&e))?.filter(|c| !c.is_disabled()),
        None => None,
    };
    let (hint_sub, hint_sid) = match (hint, &client) {
        (Some(h), Some(c)) => {
            let (sub, sid) = hint_sub_and_sid(state, h, &c.id).await.ok_or_else(|| refused_page("The sign-out request carries an ID token we did not issue."))?;
            (Some(sub), sid)
        }
        (Some(_), None) => return Err(refused_page("The sign-out request carries an ID token we did not issue.")),
        (None, _) => (None, None),
    };
    if let Some(uri) = uri {
        let registered = client.as_ref().is_some_and(|c| c.post_logout_redirect_uris.iter().any(|u| u == uri));
        if !registered {
            return Err(refused_page("The address to return to after signing out is not registered for the application."));
        }
    }
    Ok(LogoutRequest { client, hint_sub, hint_sid, post_logout_redirect_uri: uri.map(str::to_owned), state: logout_state })
}

/// The `aud` of a hint, read before verification only to find the client.
fn unverified_audience(token: &str) -> Option<String> {
    match identity::jose::unverified_claims(token)?.get("aud")? {
        serde_json::Value::String(a) => Some(a.clone()),
        serde_json::Value::Array(a) if a.len() == 1 => a[0].as_str().map(str::to_owned),
        _ => None,
    }
}

/// Ends the Foyer session and logs out every brand its sign-in reached.
async fn sign_out(state: &AppState, session: &Session) -> Result<(), Response> {
    app::auth::sign_out_of(session, &state.context.identity).await.map_err(|e| match e {
        app::error::AppError::Busy(secs) => server_error(&identity::Error::Busy { retry_after_secs: secs }),
        other => server_error(&identity::Error::Internal(other.to_string())),
    })
}

fn finished(request: &LogoutRequest) -> Response {
    match &request.post_logout_redirect_uri {
        Some(uri) => {
            let mut params = Vec::new();
            if let Some(s) = &request.state {
                params.push(("state".to_owned(), s.clone()));
            }
            no_store(Redirect::to(&identity::oidc::authorize::redirect_url(uri, &params)).into_response())
        }
        None => page(StatusCode::OK, "You are signed out", "<p role=\"status\">You are signed out of Foyer and the sites you used it with.</p><p><a href=\"/login\">Sign in again</a></p>"),
    }
}

pub async fn get(State(state): State<AppState>, session: Session, RawQuery(raw): RawQuery) -> Response {
    let params = Params::from_query(raw.as_deref());
    let request = match check(&state, &params).await {
        Ok(r) => r,
        Err(response) => return response,
    };
    let Some(current) = super::signed_in(&session, &state.context.identity).await else { return finished(&request) };
    // The hint must name this customer and, when it carries a `sid`, this sign-in: the
    // client's own `sid` is mapped back by computing it for the current sign-in. A hint
    // from another sign-in asks first (RP-Initiated Logout 1.0 §2: treat it as suspect).
    let identity = &state.context.identity;
    let matches = match (&request.hint_sub, &request.client) {
        (Some(sub), Some(client)) => {
            let same_customer = identity.subject_for(client, &current.customer_id).await.ok().as_ref() == Some(sub);
            let same_sign_in = match &request.hint_sid {
                Some(sid) => identity.sid_for(client, &current.sid).await.ok().as_ref() == Some(sid),
                None => true,
            };
            same_customer && same_sign_in
        }
        _ => false,
    };
    if matches {
        if let Err(response) = sign_out(&state, &session).await {
            return response;
        }
        return finished(&request);
    }
    confirm_page(&request)
}

/// POST answers 303 to the GET form (the session cookie is `SameSite=Lax`).
pub async fn post(axum::Form(form): axum::Form<Vec<(String, String)>>) -> Response {
    Redirect::to(&format!("/oauth2/logout?{}", Params(form).to_query())).into_response()
}

fn confirm_page(request: &LogoutRequest) -> Response {
    let hidden = |name: &str, value: Option<&str>| {
        value.map(|v| format!("<input type=\"hidden\" name=\"{name}\" value=\"{}\">", escape(v))).unwrap_or_default()
    };
    let app = request.client.as_ref().map_or_else(|| "a site".to_owned(), |c| escape(&c.name));
    let body = format!(
        "<p>{app} asked to sign you out. Sign out of Foyer and every site you signed in to with it?</p>\
         <form method=\"post\" action=\"/oauth2/logout/confirm\" class=\"card form\">{}{}{}\
         <button type=\"submit\" class=\"primary\">Sign out</button></form><p><a href=\"/account\">Stay signed in</a></p>",
        hidden("client_id", request.client.as_ref().map(|c| c.id.as_str())),
        hidden("post_logout_redirect_uri", request.post_logout_redirect_uri.as_deref()),
        hidden("state", request.state.as_deref()),
    );
    page(StatusCode::OK, "Sign out?", &body)
}

/// The confirmation: same-origin only, then sign out and return.
pub async fn confirm(State(state): State<AppState>, session: Session, headers: HeaderMap, axum::Form(form): axum::Form<Vec<(String, String)>>) -> Response {
    let site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    // A browser always sends one of the two on a POST; with neither, refuse too.
    let checked = crate::http::csrf::Origins::new(super::issuer(&state)).check(&axum::http::Method::POST, site, origin);
    if checked.is_some() || (site.is_none() && origin.is_none()) {
        return refused_page("The sign-out confirmation did not come from this site.");
    }
    let request = match check(&state, &Params(form)).await {
        Ok(r) => r,
        Err(response) => return response,
    };
    if let Err(response) = sign_out(&state, &session).await {
        return response;
    }
    finished(&request)
}
