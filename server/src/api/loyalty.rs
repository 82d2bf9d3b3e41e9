//! The brand back-end API of loyalty programmes (`docs/design/loyalty.md` "Brand back-end
//! API"): adapters over `identity::loyalty::brand_api`, which decides who may do what (a
//! brand only ever sees its own programmes; another brand's answers like an unknown one).
//!
//! - `GET  /api/v1/loyalty/{programme}/links?status=pending&limit=100&after=<cursor>`
//! - `POST /api/v1/loyalty/{programme}/links/{id}/decision` `{"decision", "reason"?}`
//! - `PUT  /api/v1/loyalty/{programme}/members/{number}` `{"status", "tier"?, "points"?,
//!   "email"?, "verification_code"?}`
//!
//! Wire types are this file's; times are RFC 3339 UTC. The address on file and the card
//! code are never echoed.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse as _, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use identity::Error;
use identity::clock::format_millis;
use identity::domain::ParseError;
use identity::loyalty::Decision;
use identity::loyalty::brand_api::{BrandLink, MemberReport, MemberView};
use serde::{Deserialize, Serialize};

use super::auth::{Machine, failure};
use super::problem::Problem;
use crate::http::AppState;

/// A page holds this many links unless `limit` says otherwise.
const DEFAULT_LIMIT: i64 = 100;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/loyalty/{programme}/links", get(links))
        .route("/loyalty/{programme}/links/{id}/decision", post(decide))
        .route("/loyalty/{programme}/members/{number}", put(report))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinksQuery {
    status: String,
    limit: Option<i64>,
    after: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionBody {
    decision: String,
    reason: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemberBody {
    status: String,
    tier: Option<String>,
    points: Option<i64>,
    email: Option<String>,
    verification_code: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct LinkOut {
    id: String,
    number: String,
    status: &'static str,
    requested_at: String,
    decided_at: Option<String>,
    sub: String,
}

impl From<BrandLink> for LinkOut {
    fn from(l: BrandLink) -> Self {
        Self {
            id: l.id,
            number: l.number,
            status: l.status.as_str(),
            requested_at: format_millis(l.requested_at),
            decided_at: l.decided_at.map(format_millis),
            sub: l.sub,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct PageOut {
    links: Vec<LinkOut>,
    next: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct MemberOut {
    number: String,
    status: String,
    tier: Option<String>,
    points: Option<i64>,
    has_email: bool,
    has_code: bool,
    linked: bool,
    updated_at: String,
}

impl From<MemberView> for MemberOut {
    fn from(m: MemberView) -> Self {
        Self {
            number: m.number,
            status: m.status,
            tier: m.tier,
            points: m.points,
            has_email: m.has_email,
            has_code: m.has_code,
            linked: m.linked,
            updated_at: format_millis(m.updated_at),
        }
    }
}

/// What axum could not read, as a problem document.
fn unreadable(p: impl Into<Problem>) -> Response {
    p.into().into_response()
}

async fn links(State(state): State<AppState>, Machine(principal): Machine, path: Result<Path<String>, PathRejection>, query: Result<Query<LinksQuery>, QueryRejection>) -> Response {
    let (Path(programme), Query(q)) = match (path, query) {
        (Ok(path), Ok(query)) => (path, query),
        (Err(e), _) => return unreadable(e),
        (_, Err(e)) => return unreadable(e),
    };
    match state.context.identity.brand_links(&principal, &programme, &q.status, q.after.as_deref(), q.limit.unwrap_or(DEFAULT_LIMIT)).await {
        Ok(page) => Json(PageOut { links: page.links.into_iter().map(LinkOut::from).collect(), next: page.next }).into_response(),
        Err(e) => failure(e),
    }
}

async fn decide(State(state): State<AppState>, Machine(principal): Machine, path: Result<Path<(String, String)>, PathRejection>, body: Result<Json<DecisionBody>, JsonRejection>) -> Response {
    let (Path((programme, id)), Json(body)) = match (path, body) {
        (Ok(path), Ok(body)) => (path, body),
        (Err(e), _) => return unreadable(e),
        (_, Err(e)) => return unreadable(e),
    };
    let Some(decision) = Decision::parse(body.decision.trim()) else {
        return failure(Error::Fields(vec![ParseError::Malformed { field: "decision", reason: "use confirm or reject" }]));
    };
    match state.context.identity.decide_link(&principal, &programme, &id, decision, body.reason.as_deref()).await {
        Ok(link) => Json(LinkOut::from(link)).into_response(),
        Err(e) => failure(e),
    }
}

async fn report(State(state): State<AppState>, Machine(principal): Machine, path: Result<Path<(String, String)>, PathRejection>, body: Result<Json<MemberBody>, JsonRejection>) -> Response {
    let (Path((programme, number)), Json(body)) = match (path, body) {
        (Ok(path), Ok(body)) => (path, body),
        (Err(e), _) => return unreadable(e),
        (_, Err(e)) => return unreadable(e),
    };
    let report = MemberReport { status: body.status, tier: body.tier, points: body.points, email: body.email, verification_code: body.verification_code };
    match state.context.identity.report_member(&principal, &programme, &number, &report).await {
        Ok(member) => Json(MemberOut::from(member)).into_response(),
        Err(e) => failure(e),
    }
}
