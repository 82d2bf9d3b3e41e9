//! The brand page's two file uploads (`docs/design/admin.md` "Brand administration"),
//! plain `multipart/form-data` form posts that work with and without the wasm:
//! - `POST /admin/brands/<slug>/logo` (field `logo`): `foyer brand theme --logo FILE`;
//! - `POST /admin/brands/<slug>/loyalty-import` (fields `programme`, `file` and/or
//!   `lines`): `foyer loyalty-programme import-links`.
//!
//! Plain axum routes under `/admin` (the server functions' 64 KiB limit is too small for
//! a 100 KiB logo), with what every admin post has: the staff session layer (added by
//! the caller, as for the audit export), the cross-site refusal (`csrf`), a body limit of
//! their own. The handlers are adapters: the staff principal from the session on every
//! request, the brand through `administered_brand` first (another brand or an unknown
//! one: 404 before the body is read; a role without brands: 403), then the core's own
//! steps — `BrandLogo::parse` and `set_brand_theme`, `parse_link_lines` and
//! `import_loyalty_links` — exactly as the command line calls them. The answer is a 303
//! back to the brand page: the logo's outcome as `__ok`/`__err` (`app::admin::brand_logo`),
//! the import's report through the staff session (`app::admin::brand_loyalty`).

use axum::Router;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse as _, Redirect, Response};
use axum::routing::post;
use identity::brand::{BrandLogo, BrandSlug, MAX_LOGO_BYTES};
use identity::principal::Principal;
use tower_sessions::Session;

use app::admin::brand_loyalty::{ImportOutcome, MAX_IMPORT_BYTES, MAX_SHOWN_ERRORS};
use app::error::AppError;

use super::AppState;
use super::audit_export::say;

/// The bodies the routes read (and drain): a file over its limit is read to the end
/// and dropped, so the browser gets the page with the reason rather than a connection
/// reset mid-upload. A body declared larger still is answered unread.
const LOGO_BODY_LIMIT: usize = 8 * 1024 * 1024;
const IMPORT_BODY_LIMIT: usize = 16 * 1024 * 1024;

/// The routes; the caller adds the staff session layer.
pub fn routes(origins: super::csrf::Origins) -> Router<AppState> {
    Router::new()
        .route("/admin/brands/{slug}/logo", post(logo).layer(DefaultBodyLimit::max(LOGO_BODY_LIMIT)))
        .route("/admin/brands/{slug}/loyalty-import", post(loyalty_import).layer(DefaultBodyLimit::max(IMPORT_BODY_LIMIT)))
        .layer(axum::middleware::from_fn_with_state(origins, super::csrf::refuse_cross_site))
}

/// The brand the signed-in staff member administers, or the answer to give instead.
async fn staff_and_brand(state: &AppState, session: &Session, slug: &str) -> Result<(Principal, identity::store::brands::BrandRow), Response> {
    let identity = &state.context.identity;
    let principal = match app::admin::session::principal_of(session, identity).await {
        Ok(Some(p)) => p,
        Ok(None) => return Err(Redirect::to("/admin/login").into_response()),
        Err(e) => return Err(failed(&e)),
    };
    match identity.administered_brand(&principal, slug).await {
        Ok(brand) => Ok((principal, brand)),
        Err(identity::Error::NotFound(_)) => Err(say(StatusCode::NOT_FOUND, "There is no brand here that you administer.".into())),
        Err(identity::Error::Forbidden) => Err(say(StatusCode::FORBIDDEN, "Your role does not include brand administration.".into())),
        Err(e) => Err(failed(&e)),
    }
}

fn failed(e: &identity::Error) -> Response {
    if let identity::Error::Busy { retry_after_secs } = e {
        let mut r = say(StatusCode::SERVICE_UNAVAILABLE, format!("Busy: please try again in {retry_after_secs} seconds."));
        r.headers_mut().insert(header::RETRY_AFTER, retry_after_secs.max(&1).to_string().parse().unwrap_or(header::HeaderValue::from_static("1")));
        return r;
    }
    tracing::error!(error = %e, "a brand upload failed");
    say(StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong on our side. Please try again.".into())
}

/// The declared body length, if any.
fn declared(headers: &HeaderMap) -> Option<usize> {
    headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<usize>().ok())
}

/// The form's fields named in `names`, each cut at `cap` bytes: a longer one keeps one
/// byte more, so the caller can tell, and the rest of the body is read and dropped.
/// `Err` when the body cannot be read as a form.
async fn fields(multipart: &mut Multipart, names: &[&str], cap: usize) -> Result<Vec<(String, Vec<u8>)>, ()> {
    let mut found = Vec::new();
    let mut over = false;
    loop {
        let mut field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => return Ok(found),
            // Past the body limit after a field already over its cap: that one says it.
            Err(_) if over => return Ok(found),
            Err(_) => return Err(()),
        };
        let name = field.name().map(str::to_owned).filter(|n| names.contains(&n.as_str()));
        let mut bytes = Vec::new();
        loop {
            match field.chunk().await {
                Ok(Some(chunk)) if name.is_some() && !over => {
                    let room = (cap + 1).saturating_sub(bytes.len());
                    bytes.extend_from_slice(&chunk[..chunk.len().min(room)]);
                    over = bytes.len() > cap;
                }
                Ok(Some(_)) => {}
                Ok(None) => break,
                Err(_) if over => return Ok(found.into_iter().chain(name.map(|n| (n, bytes))).collect()),
                Err(_) => return Err(()),
            }
        }
        if let Some(name) = name {
            found.push((name, bytes));
        }
    }
}

/// `POST /admin/brands/<slug>/logo`.
pub async fn logo(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    Path(slug): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let (principal, brand) = match staff_and_brand(&state, &session, &slug).await {
        Ok(found) => found,
        Err(answer) => return answer,
    };
    let back = |outcome: Result<(), AppError>| Redirect::to(&app::admin::brand_logo::outcome_location(&brand.slug, outcome)).into_response();
    let refused = |e: identity::Error| back(Err(AppError::from(e)));
    let unreadable = || back(Err(AppError::Message("The upload could not be read: choose a PNG or SVG file and send it again.".into())));
    // Over the limit: the core's own refusal of a file that size, before reading it.
    let too_large = || match BrandLogo::parse(&vec![0; MAX_LOGO_BYTES + 1]) {
        Err(e) => refused(e.into()),
        Ok(_) => unreadable(),
    };
    if declared(&headers).is_some_and(|n| n > LOGO_BODY_LIMIT) {
        return too_large();
    }
    let Ok(mut multipart) = multipart else { return unreadable() };
    let Ok(found) = fields(&mut multipart, &["logo"], MAX_LOGO_BYTES).await else { return unreadable() };
    let bytes = found.into_iter().next().map(|(_, b)| b).unwrap_or_default();
    let logo = match BrandLogo::parse(&bytes) {
        Ok(logo) => logo,
        Err(e) => return refused(e.into()),
    };
    let Ok(slug) = BrandSlug::parse(&brand.slug) else { return refused(identity::Error::NotFound("Brand")) };
    match state.context.identity.set_brand_theme(&principal, &slug, &[], Some(&logo)).await {
        Ok(_) => back(Ok(())),
        Err(e @ (identity::Error::Invalid(_) | identity::Error::Fields(_))) => refused(e),
        Err(identity::Error::Forbidden | identity::Error::NotFound(_)) => say(StatusCode::NOT_FOUND, "There is no brand here that you administer.".into()),
        Err(e) => failed(&e),
    }
}

/// `POST /admin/brands/<slug>/loyalty-import`.
pub async fn loyalty_import(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    Path(slug): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let (principal, brand) = match staff_and_brand(&state, &session, &slug).await {
        Ok(found) => found,
        Err(answer) => return answer,
    };
    let Principal::Staff { id: staff_id, .. } = &principal else { return say(StatusCode::FORBIDDEN, "Staff only.".into()) };
    let identity = &state.context.identity;
    let page = format!("/admin/brands/{}#h-loyalty", app::api::account::encode_path(&brand.slug));
    let mut outcome = ImportOutcome {
        slug: brand.slug.clone(),
        programme: String::new(),
        imported: 0,
        already_present: 0,
        errors: Vec::new(),
        bad_lines: 0,
        refused: None,
    };
    let mib = MAX_IMPORT_BYTES / (1024 * 1024);
    let too_large = format!("The file is larger than {mib} MiB: import it with foyer loyalty-programme import-links.");
    let found = if declared(&headers).is_some_and(|n| n > IMPORT_BODY_LIMIT) {
        Err(too_large.clone())
    } else {
        match multipart {
            Ok(mut m) => fields(&mut m, &["programme", "file", "lines"], MAX_IMPORT_BYTES)
                .await
                .map_err(|()| "The upload could not be read: send the file again.".to_owned()),
            Err(_) => Err("The upload could not be read: send the file again.".to_owned()),
        }
    };
    let run = async {
        let found = found?;
        let text = |name: &str| found.iter().find(|(n, b)| n == name && !b.is_empty()).map(|(_, b)| b.as_slice());
        let programme = String::from_utf8_lossy(text("programme").unwrap_or_default()).trim().to_owned();
        // Only a programme of this page's brand (another brand's: as unknown).
        let programmes = identity.programmes(Some(&brand.slug)).await.map_err(|e| AppError::from(e).summary())?;
        let Some(programme) = programmes.into_iter().find(|p| p.slug == programme) else { return Ok(None) };
        outcome.programme = programme.name.clone();
        let lines = text("file").or_else(|| text("lines")).unwrap_or_default();
        if lines.len() > MAX_IMPORT_BYTES {
            return Err(too_large.clone());
        }
        if lines.iter().all(u8::is_ascii_whitespace) {
            return Err("Choose a file or paste the lines to import.".to_owned());
        }
        let (records, mut errors) = identity::loyalty::import::parse_link_lines(lines);
        let mut report = match identity.import_loyalty_links(&principal, &programme.slug, &records).await {
            Ok(report) => report,
            Err(identity::Error::Forbidden) => return Ok(Some(false)),
            Err(e) => return Err(AppError::from(e).summary()),
        };
        errors.append(&mut report.errors);
        errors.sort_by_key(|e| e.line);
        outcome.imported = report.imported;
        outcome.already_present = report.already_present;
        outcome.bad_lines = errors.len();
        outcome.errors = errors.into_iter().take(MAX_SHOWN_ERRORS).map(|e| (e.line, e.message)).collect();
        Ok(Some(true))
    };
    match run.await {
        Ok(Some(true)) => {}
        Ok(Some(false)) => return say(StatusCode::FORBIDDEN, "Importing memberships is for an operator.".into()),
        Ok(None) => return say(StatusCode::NOT_FOUND, "There is no such programme of this brand.".into()),
        Err(why) => outcome.refused = Some(why),
    }
    match app::admin::brand_loyalty::keep_import_outcome(&session, identity, staff_id, &outcome).await {
        Ok(()) => Redirect::to(&page).into_response(),
        Err(_) => say(StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong on our side. Please try again.".into()),
    }
}
