//! `/dev/clock` (development mode only; production has no such route): moves the whole
//! server's clock forward, so a person trying the demo, or a browser test, can see what
//! happens in a month — a managed member coming of age, an invitation expiring — now.
//! `GET` says the offset; `POST days=N` (1 to 3650) moves it; time never goes back.

use std::sync::Arc;

use axum::extract::Form;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use identity::Clock as _;
use identity::clock::ShiftedClock;
use serde::Deserialize;
use serde_json::json;

use super::AppState;

const DAY_MS: i64 = 86_400_000;

#[derive(Debug, Deserialize)]
struct Advance {
    days: String,
}

fn state(clock: &ShiftedClock) -> Response {
    let now = clock.now();
    Json(json!({ "offset_days": clock.offset() / DAY_MS, "now": identity::clock::format_millis(now), "now_ms": now })).into_response()
}

/// The routes, holding the clock the server was built with.
pub fn routes(clock: Arc<ShiftedClock>) -> Router<AppState> {
    let read = clock.clone();
    Router::new().route(
        "/dev/clock",
        get(move || async move { state(&read) }).post(move |Form(form): Form<Advance>| async move {
            match form.days.trim().parse::<i64>() {
                Ok(days) if (1..=3650).contains(&days) => {
                    clock.advance(days * DAY_MS);
                    state(&clock)
                }
                _ => (axum::http::StatusCode::BAD_REQUEST, "days must be a whole number from 1 to 3650").into_response(),
            }
        }),
    )
}
