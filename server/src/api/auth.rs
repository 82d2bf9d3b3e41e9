//! Who calls the machine API: `Authorization: Bearer <access token>` (RFC 6750 §2.1)
//! turned into the core's [`Principal::Machine`] by `Identity::api_caller` — a live
//! `client_credentials` token of a confidential client, never a customer's token.
//!
//! - no token, or one that is unknown, expired, revoked, a customer's or a public
//!   client's: 401 `unauthenticated` with `WWW-Authenticate: Bearer` (RFC 6750 §3), plus
//!   `error="invalid_token"` when a token was presented;
//! - the core's `Forbidden` (a client of the right brand without the scope): 403 with
//!   `WWW-Authenticate: Bearer error="insufficient_scope", scope="loyalty:manage"`;
//! - each client's calls share its token-endpoint budget (`oidc::limits`, `FOYER_LIMIT_*`
//!   or its own `--token-rate`): past it, 429 `throttled` with `Retry-After`.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse as _, Response};
use identity::Error;
use identity::principal::Principal;

use super::problem::Problem;
use crate::http::AppState;

/// The scope every route of the API needs today (the loyalty routes).
const SCOPE: &str = identity::loyalty::API_SCOPE;

/// The authenticated machine caller of one request.
#[derive(Debug, Clone)]
pub struct Machine(pub Principal);

/// The token of a well-formed `Authorization: Bearer …` header; `Err(())` when the header
/// is there but is not one.
fn bearer(parts: &Parts) -> Result<Option<&str>, ()> {
    let Some(value) = parts.headers.get(header::AUTHORIZATION) else { return Ok(None) };
    let value = value.to_str().map_err(|_| ())?;
    let (scheme, token) = value.split_once(' ').ok_or(())?;
    let token = token.trim();
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() || token.contains(' ') {
        return Err(());
    }
    Ok(Some(token))
}

/// 401 with the challenge of RFC 6750 §3.
fn unauthenticated(presented: bool) -> Response {
    let (detail, challenge) = if presented {
        ("The access token is invalid, expired or revoked, or is not a client_credentials token of a confidential client.", "Bearer error=\"invalid_token\"")
    } else {
        ("Send an access token of the client_credentials grant: Authorization: Bearer <token>.", "Bearer")
    };
    let mut response = Problem::unauthenticated().with_detail(detail).into_response();
    response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(challenge));
    response
}

/// A core error as the API answers it: the problem table, and for `Forbidden` the
/// bearer challenge naming the scope.
pub fn failure(e: Error) -> Response {
    let forbidden = matches!(e, Error::Forbidden);
    let mut response = Problem::from(e).into_response();
    if forbidden {
        let challenge = format!("Bearer error=\"insufficient_scope\", scope=\"{SCOPE}\"");
        if let Ok(v) = HeaderValue::from_str(&challenge) {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, v);
        }
    }
    response
}

impl FromRequestParts<AppState> for Machine {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = match bearer(parts) {
            Ok(Some(token)) => token,
            Ok(None) => return Err(unauthenticated(false)),
            Err(()) => return Err(unauthenticated(true)),
        };
        let keys = state.keys.current().await.map_err(failure)?;
        let Some((principal, client)) = state.context.identity.api_caller(&keys, token).await.map_err(failure)? else {
            return Err(unauthenticated(true));
        };
        state.limits.check_client(&client).map_err(|wait| failure(Error::Throttled { retry_after_secs: i64::try_from(wait).unwrap_or(i64::MAX) }))?;
        Ok(Self(principal))
    }
}

#[cfg(test)]
#[expect(clippy::expect_used, reason = "tests fail loudly")]
mod tests {
    use super::*;

    fn parts(authorization: Option<&str>) -> Parts {
        let mut request = axum::http::Request::builder().uri("/api/v1/x");
        if let Some(v) = authorization {
            request = request.header(header::AUTHORIZATION, v);
        }
        request.body(()).expect("request").into_parts().0
    }

    #[test]
    fn only_a_bearer_header_carries_a_token() {
        assert_eq!(bearer(&parts(None)), Ok(None));
        assert_eq!(bearer(&parts(Some("Bearer abc.def"))), Ok(Some("abc.def")));
        assert_eq!(bearer(&parts(Some("bearer  abc"))), Ok(Some("abc")));
        for bad in ["Basic YTpi", "Bearer", "Bearer ", "Bearer a b", "abc"] {
            assert_eq!(bearer(&parts(Some(bad))), Err(()), "{bad}");
        }
    }

    #[test]
    fn forbidden_names_the_scope() {
        let response = failure(Error::Forbidden);
        assert_eq!(response.status(), 403);
        assert_eq!(response.headers()[header::WWW_AUTHENTICATE], "Bearer error=\"insufficient_scope\", scope=\"loyalty:manage\"");
        assert_eq!(unauthenticated(false).headers()[header::WWW_AUTHENTICATE], "Bearer");
        assert_eq!(failure(Error::NotFound("x")).headers().get(header::WWW_AUTHENTICATE), None);
    }
}
